# launchwatch build. `make` builds bin/launchwatch and bin/launchwatch-devdb.
# Flags come from pkg-config; CI=true (or WERROR=1) turns warnings into errors.

PKGS      := ncursesw libcurl jansson libmongoc-1.0 yaml-0.1 libmicrohttpd zlib libsystemd libsodium xlsxwriter
CC        ?= cc
PREFIX    ?= /usr/local
UNITDIR     ?= /etc/systemd/system
USERUNITDIR ?= $(PREFIX)/lib/systemd/user
BUILD     ?= build
BIN       ?= bin
GO        ?= $(or $(shell command -v go 2>/dev/null),/usr/local/go/bin/go)

WARN      := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
             -Wformat=2 -Wwrite-strings
ifneq ($(filter true 1,$(CI) $(WERROR)),)
WARN      += -Werror
endif

OPT       ?= -O2 -g
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS))
CHECK_CFLAGS := $(shell pkg-config --cflags check)
CHECK_LIBS   := $(shell pkg-config --libs check)

CFLAGS    += -std=c17 -D_GNU_SOURCE $(OPT) $(WARN) -Iinclude $(PKG_CFLAGS) $(SAN)
LDFLAGS   += $(SAN)
LDLIBS    += $(PKG_LIBS) -lpthread -lm

LIB_SRC   := $(filter-out src/cmd/main.c,$(wildcard src/*/*.c))
LIB_OBJ   := $(LIB_SRC:src/%.c=$(BUILD)/obj/%.o)
MAIN_OBJ  := $(BUILD)/obj/cmd/main.o
LIBLW     := $(BUILD)/liblaunchwatch.a

# tests/unit: pure Check programs (no process, no server, seconds);
# tests/integration: against a real devdb, the simulator, tmux, loopback
# SMTP and webhook servers; tests/support: what they share.
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
INTEG_SRC  := $(wildcard tests/integration/test_*.c)
UNIT_BINS  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
INTEG_BINS := $(INTEG_SRC:tests/integration/%.c=$(BUILD)/tests/%)
TEST_BINS  := $(UNIT_BINS) $(INTEG_BINS)
TEST_SUPPORT_SRC := $(wildcard tests/support/*.c)
TEST_SUPPORT_OBJ := $(TEST_SUPPORT_SRC:tests/support/%.c=$(BUILD)/tobj/support/%.o)
TEST_CFLAGS = $(CFLAGS) $(CHECK_CFLAGS) -Itests/support

DEVDB     := $(BIN)/launchwatch-devdb
# The sentiment scorer (tools/sentiment, docs/alerts.md section 9): the script
# with its first line naming the venv scripts/install-deps.sh makes.
SENTIMENT_VENV ?= $(or $(LW_SENTIMENT_VENV),$(HOME)/.cache/launchwatch/sentiment-venv)
SENTIMENT := $(BIN)/launchwatch-sentiment

# The second database server of the tests: mongo-java-server 1.47.0 (in
# memory) behind a small launcher, built by Maven (scripts/install-deps.sh).
MVN          ?= mvn
MONGOJAVA_JAR := tools/mongojava/target/launchwatch-mongojava.jar
# Integration suites that never talk to a database server; every other one
# also runs on mongo-java-server (make test-mongo).
NODB_SUITES  := test_cli_api test_notify test_tweet_report test_xapi_sim test_report_look
DB_BINS      := $(filter-out $(NODB_SUITES:%=$(BUILD)/tests/%),$(INTEG_BINS))
# Suites run at once by tests/run.sh (each starts its own servers on free
# ports): make test and test-mongo run TEST_JOBS (ci: 2), asan ASAN_TEST_JOBS.
TEST_JOBS    ?= 1
ASAN_TEST_JOBS ?= 1

.PHONY: all devdb test check tests unit asan valgrind lint layers clean install uninstall format bench bench-scale fuzz fuzz-short ci stress \
        test-mongo mongojava

all: $(BIN)/launchwatch devdb $(SENTIMENT)

$(SENTIMENT): tools/sentiment/launchwatch-sentiment | $(BIN)
	sed '1s|.*|#!$(SENTIMENT_VENV)/bin/python3|' $< >$@.tmp && chmod 755 $@.tmp && mv $@.tmp $@

$(BIN)/launchwatch: $(MAIN_OBJ) $(LIBLW) | $(BIN)
	$(CC) $(LDFLAGS) -o $@ $(MAIN_OBJ) $(LIBLW) $(LDLIBS)

$(LIBLW): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tobj/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -MMD -MP -c -o $@ $<

$(UNIT_BINS): $(BUILD)/tests/%: $(BUILD)/tobj/unit/%.o $(TEST_SUPPORT_OBJ) $(LIBLW) | $(BUILD)/tests
	$(CC) $(LDFLAGS) -o $@ $< $(TEST_SUPPORT_OBJ) $(LIBLW) $(CHECK_LIBS) $(LDLIBS)

$(INTEG_BINS): $(BUILD)/tests/%: $(BUILD)/tobj/integration/%.o $(TEST_SUPPORT_OBJ) $(LIBLW) | $(BUILD)/tests
	$(CC) $(LDFLAGS) -o $@ $< $(TEST_SUPPORT_OBJ) $(LIBLW) $(CHECK_LIBS) $(LDLIBS)

$(BIN) $(BUILD)/tests:
	@mkdir -p $@

# devdb: FerretDB v1 embedded in a small Go program (module from the Go proxy).
devdb: $(DEVDB)
$(DEVDB): $(wildcard tools/devdb/*.go) tools/devdb/go.mod tools/devdb/go.sum | $(BIN)
	cd tools/devdb && $(GO) build -trimpath -o $(abspath $(DEVDB)) .

mongojava: $(MONGOJAVA_JAR)
$(MONGOJAVA_JAR): tools/mongojava/pom.xml $(wildcard tools/mongojava/src/main/java/launchwatch/*.java)
	$(MVN) -q -B -f tools/mongojava/pom.xml package

# Tests: every tests/{unit,integration}/test_*.c is a Check program;
# tests/run.sh runs them (integration tests start their own devdb, simulator
# and servers) and prints a summary. `make tests` builds them all, `make
# unit` builds and runs the pure ones alone, `make test` runs everything.
tests: $(TEST_BINS)
unit: $(UNIT_BINS)
	LAUNCHWATCH_SRCDIR=$(CURDIR) tests/run.sh $(UNIT_BINS)
test check: all tests
	cd tools/devdb && $(GO) vet . && $(GO) test -count=1 .
	LAUNCHWATCH_BIN=$(abspath $(BIN)/launchwatch) LAUNCHWATCH_DEVDB=$(abspath $(DEVDB)) \
	    tests/run.sh -j $(TEST_JOBS) $(TEST_BINS)

# The database-backed suites again, each test on a fresh mongo-java-server
# (LW_TEST_BACKEND=mongo-java; LW_TEST_MONGODB_URI=... runs them on a given,
# disposable server instead, one suite at a time).
test-mongo: all tests $(MONGOJAVA_JAR)
	LW_TEST_BACKEND=mongo-java LW_MONGOJAVA_JAR=$(abspath $(MONGOJAVA_JAR)) \
	LAUNCHWATCH_BIN=$(abspath $(BIN)/launchwatch) LAUNCHWATCH_DEVDB=$(abspath $(DEVDB)) \
	    tests/run.sh -j $(TEST_JOBS) $(DB_BINS)

# What CI runs (the README's test command): lint, a short run of every fuzz
# target (~2 min), the tests on both database servers (two suites at a time: 2 cores, and the suites wait on their
# servers and simulators much of the time), the tests under ASan.
ci: TEST_JOBS = 2
ci: lint layers fuzz-short test test-mongo asan

# Same tests under AddressSanitizer and UBSan, in their own build tree.
asan:
	$(MAKE) BUILD=build-asan BIN=build-asan/bin OPT="-O1 -g -fno-omit-frame-pointer" \
	    SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" \
	    DEVDB=$(DEVDB) build-asan/bin/launchwatch build-asan/bin/launchwatch-sentiment tests devdb
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	LAUNCHWATCH_BIN=$(abspath build-asan/bin/launchwatch) LAUNCHWATCH_DEVDB=$(abspath $(DEVDB)) \
	    tests/run.sh -j $(ASAN_TEST_JOBS) $(patsubst $(BUILD)/%,build-asan/%,$(TEST_BINS))

# The unit tests under valgrind (no fork, so leaks are seen per process);
# VALGRIND_TESTS="..." names others (integration tests take much longer).
VALGRIND_TESTS ?= $(UNIT_BINS)
valgrind: all $(VALGRIND_TESTS)
	LAUNCHWATCH_BIN=$(abspath $(BIN)/launchwatch) LAUNCHWATCH_DEVDB=$(abspath $(DEVDB)) \
	CK_FORK=no LW_VALGRIND=1 tests/run.sh $(VALGRIND_TESTS)

# Stress (not in CI, ~15 min): 20 rounds of back-to-back `run --once` with
# random SIGKILLs under the simulator's harshest fault mix; each round's end
# state must equal the simulator's truth and the useful requests stay within
# ceil(delta/page)+1 per walk. Prints the table of docs/benchmarks.md.
# STRESS_ROUNDS=N and STRESS_SEED=S vary it.
$(BUILD)/stress/stress_once: tests/stress/stress_once.c $(TEST_SUPPORT_OBJ) $(LIBLW)
	@mkdir -p $(BUILD)/stress
	$(CC) $(TEST_CFLAGS) -o $@ $< $(TEST_SUPPORT_OBJ) $(LIBLW) \
	    $(CHECK_LIBS) $(LDLIBS)
stress: all $(BUILD)/stress/stress_once
	LAUNCHWATCH_BIN=$(abspath $(BIN)/launchwatch) LAUNCHWATCH_DEVDB=$(abspath $(DEVDB)) \
	    CK_DEFAULT_TIMEOUT=7200 $(BUILD)/stress/stress_once

# Fuzzing: one libFuzzer target per parser of outside input
# (tests/fuzz/fuzz_NAME.c: provider responses, tweet links, campaign and
# rules YAML, themes, the JSON endpoint's paths and queries), built with
# clang, ASan and UBSan (any report is a crash) against the layers they
# need; seeds in tests/fuzz/corpus/NAME, new inputs go to
# $(BUILD)/fuzz/corpus/NAME. `make fuzz` runs each for FUZZ_TIME seconds,
# `make fuzz-short` (in ci) for FUZZ_SHORT_TIME; a crash prints the log's
# end and the input is left in $(BUILD)/fuzz (crash-*).
FUZZ_CC   ?= clang
FUZZ_TIME ?= 300
FUZZ_SHORT_TIME ?= 15
FUZZ_FLAGS := -std=c17 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -Iinclude $(PKG_CFLAGS) \
              -fno-sanitize-recover=all
FUZZ_SRC  := $(wildcard src/base/*.c src/model/*.c src/config/*.c src/provider/*.c \
                        src/api/*.c) src/console/theme.c
FUZZ_OBJ  := $(FUZZ_SRC:src/%.c=$(BUILD)/fuzz/obj/%.o)
FUZZ_LIB  := $(BUILD)/fuzz/libfuzzlw.a
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%)
$(BUILD)/fuzz/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link,address,undefined -MMD -MP -c -o $@ $<
$(FUZZ_LIB): $(FUZZ_OBJ)
	@rm -f $@
	ar rcs $@ $^
$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< $(FUZZ_LIB) \
	    $(PKG_LIBS) -lpthread -lm
-include $(FUZZ_OBJ:.o=.d)
fuzz: $(FUZZ_BINS)
	@set -e; cd $(BUILD)/fuzz; for t in $(FUZZ_TARGETS); do \
	    mkdir -p corpus/$$t; printf 'fuzz %s: %s s ... ' $$t $(FUZZ_TIME); \
	    if ./fuzz_$$t -max_total_time=$(FUZZ_TIME) -max_len=16384 -timeout=10 \
	        -rss_limit_mb=2048 corpus/$$t $(abspath tests/fuzz/corpus)/$$t >$$t.log 2>&1; \
	    then grep -o 'Done [0-9]* runs' $$t.log || echo done; \
	    else echo FAILED; tail -40 $$t.log; exit 1; fi; done
fuzz-short:
	$(MAKE) fuzz FUZZ_TIME=$(FUZZ_SHORT_TIME)

# Benchmarks: bench/bench_ingest.c, bench_ui.c and bench_alerts.c, each its own
# program against $(LIBLW); a devdb on a temporary directory serves the ones
# that need a database (BENCH_MONGODB_URI). Figures go to docs/benchmarks.md.
# The ingest run is the issue's target scale, 400 tweets (~1 min on the devdb);
# BENCH_MONGODB_URI=... $(BUILD)/bench/bench_ingest 400 runs it on real MongoDB.
# bench_alerts also runs alerts end to end through the engine: ~6 min at 2 s
# cadences, plus up to ~20 min per sample at the default cadences
# (BENCH_ALERTS_DEFAULT_SAMPLES, default 1; 0 skips that row).
BENCH_INGEST_ARGS ?= 400
# bench_prepared: engagements, tweets, accounts (~20 min at 1M on the devdb)
BENCH_PREP_ARGS ?= 1000000 400 200000
BENCH_PROGS := $(patsubst bench/%.c,$(BUILD)/bench/%,$(wildcard bench/bench_*.c))
$(BUILD)/bench/%: bench/%.c $(LIBLW)
	@mkdir -p $(BUILD)/bench
	$(CC) $(CFLAGS) -o $@ $< $(LIBLW) $(LDLIBS)
bench: $(BENCH_PROGS) $(DEVDB)
	@set -e; dir=$$(mktemp -d); log=$$(mktemp); \
	$(DEVDB) --dir $$dir --listen 127.0.0.1:0 >$$log 2>&1 & pid=$$!; \
	trap 'kill $$pid 2>/dev/null; wait $$pid 2>/dev/null; rm -rf $$dir $$log' EXIT; \
	for i in $$(seq 100); do uri=$$(grep -o 'mongodb://[^ ]*' $$log | head -1); \
	    [ -n "$$uri" ] && break; sleep 0.2; done; \
	[ -n "$$uri" ] || { echo "bench: the devdb did not start"; cat $$log; exit 1; }; \
	echo "== bench_ingest ($$uri)"; BENCH_MONGODB_URI=$$uri $(BUILD)/bench/bench_ingest $(BENCH_INGEST_ARGS); \
	echo "== bench_alerts"; BENCH_MONGODB_URI=$$uri $(BUILD)/bench/bench_alerts 50; \
	echo "== bench_prepared $(BENCH_PREP_ARGS)"; BENCH_MONGODB_URI=$$uri $(BUILD)/bench/bench_prepared $(BENCH_PREP_ARGS); \
	echo "== bench_ui"; $(BUILD)/bench/bench_ui

# The console and the engine at a stored campaign's scale with the real
# binaries (tmux): first complete frame, idle CPU of the devdb and of the
# console, its RSS, at 100k and 1M engagements (~30 min). Figures in
# docs/benchmarks.md; bench/bench_scale.sh says how.
bench-scale: all $(BUILD)/bench/bench_prepared
	BENCH_PREPARED=$(BUILD)/bench/bench_prepared LAUNCHWATCH_BIN=$(BIN)/launchwatch \
	    LAUNCHWATCH_DEVDB=$(DEVDB) bash bench/bench_scale.sh $(BENCH_SCALE_SIZES)

FORMAT_SRC := $(wildcard src/*/*.c src/*/*.h include/*/*.h tests/*/*.c tests/*/*.h)

# The folder rules of docs/architecture.md: includes, system headers, no
# circle of includes or of calls (nm on the objects).
layers: $(LIB_OBJ) $(MAIN_OBJ)
	python3 scripts/layers.py --objects $(BUILD)/obj

lint:
	cppcheck --quiet --error-exitcode=1 --std=c11 --enable=warning,portability,performance \
	    --inline-suppr --suppress=missingIncludeSystem -Iinclude -Itests/support src \
	    tests/unit tests/integration tests/support tests/stress
	clang-format --dry-run -Werror $(FORMAT_SRC)

format:
	clang-format -i $(FORMAT_SRC)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/launchwatch/themes
	install -m 755 $(BIN)/launchwatch $(DEVDB) $(SENTIMENT) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 docs/launchwatch.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 campaigns.example.yaml $(DESTDIR)$(PREFIX)/share/launchwatch/
	-install -m 644 themes/*.theme $(DESTDIR)$(PREFIX)/share/launchwatch/themes/
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(USERUNITDIR)
	sed -e 's|@BINDIR@|$(PREFIX)/bin|g' -e 's|@UNITDIR@|$(UNITDIR)|g' \
	    contrib/systemd/launchwatch.service.in >$(DESTDIR)$(UNITDIR)/launchwatch.service
	sed -e 's|@BINDIR@|$(PREFIX)/bin|g' -e 's|@USERUNITDIR@|$(USERUNITDIR)|g' \
	    contrib/systemd/launchwatch-user.service.in \
	    >$(DESTDIR)$(USERUNITDIR)/launchwatch.service
	chmod 644 $(DESTDIR)$(UNITDIR)/launchwatch.service \
	    $(DESTDIR)$(USERUNITDIR)/launchwatch.service

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/launchwatch $(DESTDIR)$(PREFIX)/bin/launchwatch-devdb \
	    $(DESTDIR)$(PREFIX)/bin/launchwatch-sentiment \
	    $(DESTDIR)$(PREFIX)/share/man/man1/launchwatch.1
	rm -rf $(DESTDIR)$(PREFIX)/share/launchwatch
	rm -f $(DESTDIR)$(UNITDIR)/launchwatch.service $(DESTDIR)$(USERUNITDIR)/launchwatch.service

clean:
	rm -rf build build-asan $(BIN) tools/mongojava/target

-include $(wildcard $(BUILD)/obj/*/*.d $(BUILD)/tobj/*/*.d)
