/*
 * cmd_run: `launchwatch run`, the headless engine: opens the store (MONGODB_URI
 * or the embedded devdb), loads the classifier rules, and runs the scheduler
 * and workers (include/engine/scheduler.h) with no curses until --once is done,
 * --for SECS elapsed, or SIGTERM/SIGINT (in-flight pages are stored, jobs
 * released). Main thread only; the signal handler only sets a flag.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/classify.h"
#include "cmd/cmd.h"
#include "cmd/cmd_util.h"
#include "cmd/health_pub.h"
#include "cmd/service.h"
#include "api/jsonapi.h"
#include "base/logsink.h"
#include "store/devdb.h"
#include "engine/engine.h"
#include "engine/scheduler.h"
#include "store/store.h"
#include "base/util.h"
#include "provider/xapi.h"

#define LOG_MAX_MB 50 /* the log file is rotated to FILE.1 past this (LAUNCHWATCH_LOG_MAX_MB) */

static const char run_usage[] =
    "usage: launchwatch run [--once] [--for SECS] [--workers N] [--rules FILE] [--log FILE]\n"
    "                       [--http ADDR:PORT]\n\n"
    "Runs the scheduler and the workers with no curses: polls every active campaign's\n"
    "metrics, retweeters, replies and quotes into the database.\n\n"
    "  --once          bring every runnable campaign current, then exit: every tweet\n"
    "                  gets a metrics reading and every list whose count moved is\n"
    "                  walked, whatever an earlier or killed run did. Exit 0 all\n"
    "                  current, 75 some blocked (credits, rate limit, a backoff longer\n"
    "                  than the bounded wait, another engine's lease; each is named),\n"
    "                  1 errors\n"
    "  --for SECS      run the normal schedule and exit cleanly after SECS seconds\n"
    "  --workers N     worker threads (default 4)\n"
    "  --rules FILE    classifier rules (default: DATA/rules.yaml when present, else\n"
    "                  the built-in rules; docs/scoring.md)\n"
    "  --log FILE      log file (default: DATA/run.log, or the journal under systemd);\n"
    "                  rotated to FILE.1 past LAUNCHWATCH_LOG_MAX_MB (default 50, 0 never);\n"
    "                  lines also go to worker_log\n"
    "  --http ADDR:PORT  serve GET /healthz (200 current or degraded, 503 unavailable)\n"
    "                  and /metrics (Prometheus text format), read again every\n"
    "                  LAUNCHWATCH_HEALTH_MS (default 15000); loopback needs no token for\n"
    "                  them, other addresses need LAUNCHWATCH_HTTP_TOKEN(_FILE)\n\n"
    "DATA is $XDG_DATA_HOME/launchwatch (or ~/.local/share/launchwatch).\n"
    "SIGTERM or SIGINT stop cleanly: pages in flight are stored, jobs released.\n"
    "SIGHUP reloads the rules file (a bad one is logged and changes nothing) and\n"
    "re-reads the campaigns at once (systemctl reload launchwatch).\n"
    "Environment: MONGODB_URI, LAUNCHWATCH_DB, TWITTERAPI_KEY or TWITTERAPI_KEY_FILE,\n"
    "TWITTERAPI_BASE_URL, LAUNCHWATCH_QPS, LAUNCHWATCH_CREDITS_RECHECK,\n"
    "LAUNCHWATCH_ONCE_WAIT_MS (the bounded wait for backoffs and leases, default 20000).\n";

static struct engine *volatile run_engine;
static volatile sig_atomic_t got_signal, got_hup;

/* Notes a SIGHUP for the reload thread (async-signal-safe). */
static void
on_hup(int sig)
{
	(void)sig;
	got_hup = 1;
}

/* The reload thread's state: SIGHUP reloads the rules (and re-reads the
 * campaigns) on this thread, never in the handler. */
static struct {
	pthread_t th;
	bool started;
	atomic_bool quit;
	struct engine *e;
	const char *rules_path;
} hup;

/* The reload thread: looks for a SIGHUP every 100 ms until told to quit. */
static void *
hup_main(void *arg)
{
	(void)arg;
	while (!atomic_load(&hup.quit)) {
		if (got_hup) {
			got_hup = 0;
			char *cause = NULL;
			if (engine_reload_rules(hup.e, hup.rules_path, &cause) != 0)
				free(cause); /* logged, and the old rules stay */
		}
		struct timespec ts = {.tv_sec = 0, .tv_nsec = 100 * 1000000L};
		nanosleep(&ts, NULL);
	}
	return NULL;
}

/* Asks the engine to stop (async-signal-safe). */
static void
on_signal(int sig)
{
	(void)sig;
	got_signal = 1;
	struct engine *e = run_engine;
	if (e)
		engine_request_stop(e);
}

/* Parses a whole number in [lo, hi]; 0 or -1 with a message. */
static int
parse_long(const char *opt, const char *v, long lo, long hi, long *out)
{
	char *end = NULL;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || errno != 0 || n < lo || n > hi) {
		cmd_error("run", "%s wants a whole number from %ld to %ld", opt, lo, hi);
		return -1;
	}
	*out = n;
	return 0;
}

int
cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {{"once", no_argument, NULL, 'o'},
	    {"for", required_argument, NULL, 'f'}, {"workers", required_argument, NULL, 'w'},
	    {"rules", required_argument, NULL, 'r'}, {"log", required_argument, NULL, 'l'},
	    {"http", required_argument, NULL, 'H'}, CMD_OPTION_HELP, CMD_OPTION_END};
	struct cmd_opts co = {.prog = "run", .usage = run_usage, .longopts = longopts};
	struct sched_opts o;
	const char *rules_path = NULL, *log_path = NULL, *http = NULL;
	struct jsonapi *api = NULL;
	struct health_pub *hp = NULL;
	struct classify_rules *rules = NULL;
	struct xapi_config xcfg;
	struct store *s = NULL;
	struct devdb *dd = NULL;
	struct engine *eng = NULL;
	FILE *logf = NULL;
	char *cause = NULL, *data = NULL, *deflog = NULL;
	int rc = LW_EXIT_ERROR, c;
	long v;

	sched_opts_init(&o);
	xapi_config_init(&xcfg);
	while ((c = cmd_getopt(&co, argc, argv)) != -1) {
		switch (c) {
		case CMD_OPT_DONE:
			return co.status;
		case 'o':
			o.once = true;
			break;
		case 'f':
			if (parse_long("--for", optarg, 1, 365L * 86400, &v) != 0)
				return LW_EXIT_USAGE;
			o.for_ms = v * 1000;
			break;
		case 'w':
			if (parse_long("--workers", optarg, 1, 64, &v) != 0)
				return LW_EXIT_USAGE;
			o.workers = (int)v;
			break;
		case 'r':
			rules_path = optarg;
			break;
		case 'H':
			http = optarg;
			break;
		default:
			log_path = optarg;
			break;
		}
	}
	if (cmd_operands(&co, argc, argv, 0, 0) != 0)
		return LW_EXIT_USAGE;
	if (o.once && o.for_ms > 0) {
		cmd_error("run", "--once and --for exclude each other");
		return LW_EXIT_USAGE;
	}

	data = lw_data_dir();
	if (cmd_rules_load("run", rules_path, &rules) != 0) {
		rc = LW_EXIT_DATAERR;
		goto fail;
	}
	if (xapi_config_from_env(&xcfg, &cause) != 0) {
		cmd_error("run", "%s", cause);
		rc = LW_EXIT_USAGE;
		goto fail;
	}
	if (log_path == NULL && mkdir_p(data, &cause) != 0) {
		cmd_error("run", "%s", cause);
		goto fail;
	}
	deflog = xasprintf("%s/run.log", data);
	long log_max = LOG_MAX_MB;
	const char *lm = getenv("LAUNCHWATCH_LOG_MAX_MB");
	if (lm && *lm && parse_long("LAUNCHWATCH_LOG_MAX_MB", lm, 0, 1 << 20, &log_max) != 0) {
		rc = LW_EXIT_USAGE;
		goto fail;
	}
	if (log_path == NULL && service_journal_stderr()) {
		/* under systemd: plain lines with a level; journald stamps them */
		log_path = "the journal (journalctl -u launchwatch)";
		logf = logsink_journal();
	} else {
		if (log_path == NULL)
			log_path = deflog;
		logf = logsink_file(log_path, (int64_t)log_max * 1024 * 1024, &cause);
	}
	if (logf == NULL) {
		cmd_error("run", "%s", cause ? cause : "cannot open the log");
		goto fail;
	}
	/* before the database: a bad address or a missing token fails at once */
	if (http && (rc = cmd_http_start("run", http, &api)) != 0)
		goto fail;
	if ((rc = cmd_store_open("run", &s, &dd)) != 0)
		goto fail;
	if (api)
		hp = health_pub_start(s, api, cmd_health_every_ms());

	int64_t once_wait = 0;
	if (env_ms("LAUNCHWATCH_ONCE_WAIT_MS", 0, 3600000, &once_wait, &cause) != 0) {
		cmd_error("run", "%s", cause);
		rc = LW_EXIT_USAGE;
		goto fail;
	}
	/* the close-out's progress (final refresh, freeze, archive, report
	 * files) goes to stderr: one line rewritten in place on a terminal */
	struct cmd_progress pg;
	cmd_progress_init(&pg);
	struct engine_opts eo = {.embedded = dd != NULL,
	    .once_wait_ms = once_wait,
	    .closeout_progress = cmd_progress_show,
	    .closeout_progress_arg = &pg,
	    .workers = o.workers,
	    .once = o.once,
	    .for_ms = o.for_ms,
	    .log = logf,
	    .rules = rules,
	    .xcfg = &xcfg,
	    /* --once exits before an alert digest would go out; the next
	     * long-running engine's poll sends what is due */
	    .no_alerts = o.once};

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	int st = engine_start(s, &eo, &eng, &cause);
	if (st != 0) {
		cmd_error("run", "%s", cause);
		rc = st > 0 ? LW_EXIT_TEMPFAIL : LW_EXIT_ERROR;
		goto fail;
	}
	run_engine = eng;
	if (got_signal)
		engine_request_stop(eng);
	/* under systemd (Type=notify): ready now, the watchdog while the
	 * scheduler's loop moves, STOPPING=1 on SIGTERM */
	struct service *sv = service_start(eng, &got_signal);
	hup.e = eng;
	hup.rules_path = rules_path;
	hup.started = pthread_create(&hup.th, NULL, hup_main, NULL) == 0;
	struct sched_stats stats;
	rc = engine_wait(eng, &stats);
	if (hup.started) {
		atomic_store(&hup.quit, true);
		pthread_join(hup.th, NULL);
	}
	service_stop(sv);
	cmd_progress_end(&pg);
	printf("run: %zu jobs ok (%zu skipped), %zu blocked, %zu held, %zu failed, %zu missing; "
	       "%lld requests, %lld credits, %zu pages, %zu new engagements, %zu slices\n",
	    stats.jobs_ok, stats.jobs_skipped, stats.jobs_blocked, stats.jobs_held,
	    stats.jobs_failed, stats.jobs_missing, (long long)stats.requests,
	    (long long)stats.credits, stats.pages, stats.new_engagements, stats.slices);
	/* what --once could not bring current, one job a line */
	for (const char *l = stats.notes; l && *l;) {
		const char *e = strchr(l, '\n');
		int len = e ? (int)(e - l) : (int)strlen(l);
		printf("not current: %.*s\n", len, l);
		l = e ? e + 1 : l + len;
	}
	if (rc != 0)
		cmd_error("run", "%s; see %s",
		    rc == LW_EXIT_TEMPFAIL
		        ? "some jobs are not current (blocked, or held by another engine)"
		        : "some jobs failed",
		    log_path);
fail:
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	run_engine = NULL;
	engine_free(eng);
	health_pub_stop(hp);
	jsonapi_free(api);
	cmd_store_close(s, dd);
	if (logf)
		fclose(logf);
	classify_rules_free(rules);
	xapi_config_done(&xcfg);
	free(cause);
	free(data);
	free(deflog);
	return rc;
}
