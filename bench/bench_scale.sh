#!/usr/bin/env bash
# bench_scale.sh: the console and the engine at a stored campaign's scale,
# with the real binaries (issue 13). For each size N given (default 100000
# and 1000000):
#   1. a fresh devdb; bench_prepared writes one campaign of 400 tweets with N
#      engagements from N/5 accounts and a day of 5-minute metric readings
#      per tweet through the engine's writer, and the aggregator catches up
#      (its tweets are those of `launchwatch sim --seed 7 --tweets 400`);
#   2. `launchwatch sim --seed 7 --tweets 400 --rate 0 --frozen`: a provider
#      that knows those tweets and has nothing new to say;
#   3. the console (`launchwatch`, which runs the engine inside) in tmux at
#      200x50 against that devdb and simulator: time from starting the
#      process to a first frame with the campaign's stored total in the
#      header, the pie's buckets and the feed's rows;
#   4. after the engine's first cycle (SETTLE seconds), the devdb's CPU, the
#      console process's CPU and its RSS over WINDOW seconds (from
#      /proc/PID/stat and status), the same idle console and engine.
# Prints one table row per size. Needs tmux, bin/launchwatch,
# bin/launchwatch-devdb and build/bench/bench_prepared (make all
# build/bench/bench_prepared). SETTLE (default 90) and WINDOW (default 180)
# in seconds; KEEP=1 leaves the temporary directories.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(100000 1000000)
SETTLE=${SETTLE:-120}
WINDOW=${WINDOW:-180}
BIN=${LAUNCHWATCH_BIN:-bin/launchwatch}
DEVDB=${LAUNCHWATCH_DEVDB:-bin/launchwatch-devdb}
PREP=${BENCH_PREPARED:-build/bench/bench_prepared}
TCK=$(getconf CLK_TCK)
SOCK=lwscale$$

pids=()
tmp=""
cleanup() {
	tmux -L "$SOCK" kill-server 2>/dev/null || true
	for p in "${pids[@]+"${pids[@]}"}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	pids=()
	[ -n "$tmp" ] && [ "${KEEP:-0}" != 1 ] && rm -rf "$tmp"
	tmp=""
}
trap cleanup EXIT

# Prints the first line of file matching the pattern, waiting up to 60 s.
wait_line() {
	local file=$1 pat=$2 line=""
	for _ in $(seq 300); do
		line=$(grep -o -m1 "$pat" "$file" 2>/dev/null || true)
		[ -n "$line" ] && { echo "$line"; return 0; }
		sleep 0.2
	done
	echo "bench_scale: nothing matching $pat in $file" >&2
	cat "$file" >&2
	return 1
}

# Prints utime+stime of a process in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

now_ms() { date +%s%3N; }

printf '| engagements | first complete frame | devdb CPU idle (%% of one core) | console+engine CPU idle | console RSS |\n'
printf '|---|---|---|---|---|\n'
for n in "${SIZES[@]}"; do
	tmp=$(mktemp -d /tmp/lwscale-XXXXXX)
	"$DEVDB" --dir "$tmp/db" --listen 127.0.0.1:0 >"$tmp/devdb.log" 2>&1 &
	dbpid=$!
	pids+=("$dbpid")
	uri=$(wait_line "$tmp/devdb.log" 'mongodb://[^ ]*')
	BENCH_SKIP=raw,rebuild,reports BENCH_SIM_SEED=7 BENCH_MONGODB_URI=$uri \
		"$PREP" "$n" 400 $((n / 5)) >"$tmp/prep.log" 2>&1
	db=$(grep -o -m1 'lwbing_[0-9_]*' "$tmp/prep.log")
	total=$(printf "%'d" "$n" 2>/dev/null || echo "$n")
	"$BIN" sim --seed 7 --tweets 400 --rate 0 --frozen --key benchkey >"$tmp/sim.log" 2>&1 &
	pids+=("$!")
	sim=$(wait_line "$tmp/sim.log" 'http://[^ ]*')
	mkdir -p "$tmp/home"
	t0=$(now_ms)
	tmux -L "$SOCK" new-session -d -s ui -x 200 -y 50 \
		"env HOME=$tmp/home XDG_DATA_HOME=$tmp/home/data XDG_CONFIG_HOME=$tmp/home/config \
		LAUNCHWATCH_QPS=50 MONGODB_URI=$uri LAUNCHWATCH_DB=$db TWITTERAPI_BASE_URL=$sim TWITTERAPI_KEY=benchkey \
		$BIN; sleep 600"
	frame=""
	for _ in $(seq 3000); do
		scr=$(tmux -L "$SOCK" capture-pane -p -t ui 2>/dev/null || true)
		# complete: the summary's unique accounts in the header (the summary
		# comes whole: totals, series, pie), the pie's legend, feed rows
		if grep -qE 'accounts [1-9]' <<<"$scr" && grep -qE '■ investor +[1-9]' <<<"$scr" &&
			grep -qE '@[A-Za-z0-9_]+' <<<"$scr"; then
			frame=$(($(now_ms) - t0))
			break
		fi
		sleep 0.02
	done
	[ -n "$frame" ] || { echo "bench_scale: no complete frame at $n"; tmux -L "$SOCK" capture-pane -p -t ui; exit 1; }
	panepid=$(tmux -L "$SOCK" display -p -t ui '#{pane_pid}')
	uipid=$(pgrep -P "$panepid" -x launchwatch)
	sleep "$SETTLE" # the engine's first cycle (metrics batch, list checks) ends
	d0=$(cpu_ticks "$dbpid") u0=$(cpu_ticks "$uipid") w0=$(now_ms)
	sleep "$WINDOW"
	d1=$(cpu_ticks "$dbpid") u1=$(cpu_ticks "$uipid") w1=$(now_ms)
	rss=$(awk '/VmRSS/ {print $2}' "/proc/$uipid/status")
	secs=$(awk -v a="$w0" -v b="$w1" 'BEGIN {print (b - a) / 1000}')
	dbcpu=$(awk -v d=$((d1 - d0)) -v s="$secs" -v t="$TCK" 'BEGIN {printf "%.2f", 100 * d / t / s}')
	uicpu=$(awk -v d=$((u1 - u0)) -v s="$secs" -v t="$TCK" 'BEGIN {printf "%.2f", 100 * d / t / s}')
	printf '| %s | %d ms | %s %% | %s %% | %d MB (%.0f B/engagement) |\n' "$total" "$frame" \
		"$dbcpu" "$uicpu" $((rss / 1024)) "$(awk -v r="$rss" -v n="$n" 'BEGIN {print r * 1024 / n}')"
	[ "${KEEP:-0}" = 1 ] && echo "(kept $tmp; sim requests: $(curl -s "$sim/_sim/stats" | head -c 300))"
	cleanup
done
