/*
 * tui: `launchwatch [tui] [--theme NAME] [--ascii] [--http 127.0.0.1:PORT]`,
 * the console's entry point: parses the options, opens the store (the
 * embedded devdb when MONGODB_URI is unset), on a first run without a
 * provider key starts the built-in simulator in-process and adds a demo
 * campaign whose window starts now, then runs the console (ui_main). Main
 * thread only.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/cmd_util.h"
#include "model/campaign.h"
#include "config/config.h"
#include "store/devdb.h"
#include "engine/engine.h"
#include "api/jsonapi.h"
#include "engine/queue.h"
#include "engine/reader.h"
#include "sim/sim.h"
#include "store/store.h"
#include "console/ui.h"
#include "base/timestr.h"
#include "base/util.h"

#define DEMO_NAME "Demo launch (simulated)"
#define DEMO_DAYS 7 /* the demo's window; the simulator's streams last about 9 days */

/* Quitting, counted from the key: the threads get QUIT_STOP_MS to stop
 * cleanly, and the process leaves by QUIT_TOTAL_MS, under the 0.5 s a user
 * waits, with an embedded database this console started stopped or told
 * to stop. */
#define QUIT_STOP_MS  350
#define QUIT_TOTAL_MS 420

static const char usage_text[] =
    "usage: launchwatch [tui] [--theme NAME] [--ascii] [--http 127.0.0.1:PORT]\n\n"
    "The live console. Press ? inside it for the keys.\n\n"
    "  --theme NAME   default, light, mono, or themes/NAME.theme from $LAUNCHWATCH_THEMES\n"
    "                 or the data directory (NO_COLOR in the environment drops colours)\n"
    "  --ascii        ASCII charts and frames (automatic outside UTF-8 locales)\n"
    "  --http ADDR:PORT  read-only JSON endpoint: GET /api/campaigns,\n"
    "                 /api/campaigns/ID/aggregates, /api/campaigns/ID/engagers?limit=N&bucket=B;\n"
    "                 loopback only unless LAUNCHWATCH_HTTP_TOKEN or LAUNCHWATCH_HTTP_TOKEN_FILE\n"
    "                 holds a token (clients send Authorization: Bearer TOKEN)\n\n"
    "Without TWITTERAPI_KEY or TWITTERAPI_KEY_FILE the console starts the built-in\n"
    "simulator and adds a demo campaign, clearly marked as simulated.\n";

/* ---- the quit watch ----
 *
 * After the terminal is restored the main thread stops the reader, the
 * engine and the simulator and frees the store; a job in flight, a
 * close-out or a database that does not answer could hold that for
 * seconds. The watch leaves the process at QUIT_STOP_MS instead, after
 * telling the devdb to stop when nobody else uses it (it stops once this
 * process's connections close); what was in flight
 * is left as a kill would leave it, which loses nothing (every write is
 * idempotent and resumes at the next start; the next engine on this host
 * sees this pid gone and recovers its writes, docs/architecture.md). */
enum quit_phase { QP_STOPPING, QP_RELEASING, QP_DONE };

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t th;
	bool started;
	enum quit_phase phase;
	struct devdb *dd; /* released by the watch when it fires while stopping */
	int rc;
	struct timespec stop_by, done_by; /* CLOCK_MONOTONIC */
} quit = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* Returns the monotonic time at_ms (clock_mono_ms) as a timespec. */
static struct timespec
mono_at(int64_t at_ms)
{
	return (struct timespec){
	    .tv_sec = at_ms / 1000, .tv_nsec = (long)(at_ms % 1000) * 1000000L};
}

/* The watch thread: waits for the phases to pass within their times and
 * otherwise leaves the process (holding the mutex, so the main thread
 * stops where it is). */
static void *
quit_watch_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&quit.mu);
	while (quit.phase == QP_STOPPING &&
	       pthread_cond_timedwait(&quit.cv, &quit.mu, &quit.stop_by) == 0)
		;
	if (quit.phase == QP_STOPPING) {
		/* told to stop, the devdb finishes once this process's
		 * connections close, which leaving does */
		devdb_release_within(quit.dd, 0);
		_exit(quit.rc);
	}
	while (quit.phase == QP_RELEASING &&
	       pthread_cond_timedwait(&quit.cv, &quit.mu, &quit.done_by) == 0)
		;
	if (quit.phase != QP_DONE)
		_exit(quit.rc);
	pthread_mutex_unlock(&quit.mu);
	return NULL;
}

/* Starts the quit watch over dd (borrowed) with exit status rc, its
 * budget counted from left_ms, when the user quit (main thread). */
static void
quit_watch_start(struct devdb *dd, int rc, int64_t left_ms)
{
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&quit.cv, &ca);
	pthread_condattr_destroy(&ca);
	quit.dd = dd;
	quit.rc = rc;
	quit.phase = QP_STOPPING;
	quit.stop_by = mono_at(left_ms + QUIT_STOP_MS);
	quit.done_by = mono_at(left_ms + QUIT_TOTAL_MS);
	quit.started = pthread_create(&quit.th, NULL, quit_watch_main, NULL) == 0;
}

/* Moves the watch to phase p (main thread); never returns once the watch
 * has fired, since the process is leaving. */
static void
quit_watch_phase(enum quit_phase p)
{
	if (!quit.started)
		return;
	pthread_mutex_lock(&quit.mu);
	quit.phase = p;
	pthread_cond_signal(&quit.cv);
	pthread_mutex_unlock(&quit.mu);
	if (p == QP_DONE) {
		pthread_join(quit.th, NULL);
		pthread_cond_destroy(&quit.cv);
		quit.started = false;
	}
}

/* Returns true when name is the demo's: DEMO_NAME, or DEMO_NAME and the
 * time a previous release added to a new demo. */
static bool
is_demo_name(const char *name)
{
	size_t n = strlen(DEMO_NAME);
	return name && strncmp(name, DEMO_NAME, n) == 0 && (name[n] == '\0' || name[n] == ' ');
}

/* Finds the open demo campaign to reuse (the one that started last) and
 * whether a campaign is named DEMO_NAME. Returns 0 (found), 1 (none open)
 * or -1 with a cause; fills *start_s and name (when found). */
static int
find_demo(
    struct store *s, int64_t *start_s, char *name, size_t namesz, bool *plain_taken, char **cause)
{
	struct campaign *v;
	size_t n;
	if (store_campaign_list(s, &v, &n, cause) != 0)
		return -1;
	int rc = 1;
	*plain_taken = false;
	for (size_t i = 0; i < n; i++) {
		if (!is_demo_name(v[i].cfg.name))
			continue;
		*plain_taken |= strcmp(v[i].cfg.name, DEMO_NAME) == 0;
		if (v[i].status != CS_COMPLETED && (rc != 0 || v[i].cfg.start_s > *start_s)) {
			*start_s = v[i].cfg.start_s;
			snprintf(name, namesz, "%s", v[i].cfg.name);
			rc = 0;
		}
	}
	for (size_t i = 0; i < n; i++)
		campaign_done(&v[i]);
	free(v);
	return rc;
}

/* Starts the simulator and makes sure one demo campaign follows it: the
 * open demo campaign is reused and the simulator's clock starts at its
 * window start, so its launch continues where it was; only when every
 * demo is completed does a new one start now. Its window is DEMO_DAYS
 * days, so one demo serves a week of starts. Returns the simulator, or
 * NULL with a cause. */
static struct sim *
start_demo(struct store *s, char **cause)
{
	struct sim_opts so;
	char name[160];
	int64_t start_s = clock_now_ms() / 1000;
	bool plain_taken;
	int found = find_demo(s, &start_s, name, sizeof name, &plain_taken, cause);
	if (found < 0)
		return NULL;
	if (found == 1 && !plain_taken) {
		snprintf(name, sizeof name, "%s", DEMO_NAME);
	} else if (found == 1) {
		char when[32];
		timestr_format_time(start_s, when, sizeof when);
		snprintf(name, sizeof name, "%s %.16s", DEMO_NAME, when);
	}
	sim_opts_init(&so);
	so.start_ms = start_s * 1000;
	struct sim *sim = sim_start(&so, cause);
	if (sim == NULL) {
		return NULL;
	}
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", sim_port(sim));
	setenv("TWITTERAPI_BASE_URL", url, 1); /* the in-process engine reads it */
	int rc = 0;
	if (found == 1) {
		char start[32];
		timestr_format_time(start_s, start, sizeof start);
		static const char *const cats[] = {"main", "influencer", "investor"};
		struct sbuf y;
		sbuf_init(&y);
		sbuf_printf(&y,
		    "campaigns:\n  - name: \"%s\"\n    client: {name: \"launchwatch demo\"}\n"
		    "    window: {start: \"%s\", duration: %dd}\n    tweets:\n",
		    name, start, DEMO_DAYS);
		for (int i = 0; i < 3 && sim_tweet_id(sim, i); i++)
			sbuf_printf(&y, "      %s: [\"%s\"]\n", cats[i], sim_tweet_id(sim, i));
		sbuf_addstr(
		    &y, "    cadence: {metrics: 30s, retweets: 30s, replies: 30s, quotes: 30s}\n");
		struct cfg_file *f = NULL;
		rc = config_load_string("demo", y.s, y.len, &f, cause);
		sbuf_done(&y);
		struct store_upsert_result res;
		if (rc == 0)
			rc =
			    store_campaign_upsert(s, &f->campaigns[0], clock_now_ms(), &res, cause);
		config_free(f);
	}
	if (rc != 0) {
		sim_free(sim);
		return NULL;
	}
	return sim;
}

/* Returns what the header says about the provider before any job reports
 * (new string): the simulator, or the provider's host and whether a key is
 * set. Never the key, nor anything of the URL but its host. */
static char *
provider_describe(struct sim *sim)
{
	if (sim)
		return xasprintf("simulator (127.0.0.1:%d)", sim_port(sim));
	const char *key = getenv("TWITTERAPI_KEY"), *keyf = getenv("TWITTERAPI_KEY_FILE");
	bool has_key = (key && *key) || (keyf && *keyf);
	const char *base = getenv("TWITTERAPI_BASE_URL");
	char host[128] = "twitterapi.io";
	if (base && *base && strstr(base, "://")) {
		const char *h = strstr(base, "://") + 3;
		const char *at = strchr(h, '@'), *slash = strchr(h, '/');
		if (at && (!slash || at < slash))
			h = at + 1; /* drop any credentials */
		size_t n = strcspn(h, "/?#");
		snprintf(
		    host, sizeof host, "%.*s", (int)(n < sizeof host ? n : sizeof host - 1), h);
		if (strcmp(host, "api.twitterapi.io") == 0)
			snprintf(host, sizeof host, "twitterapi.io");
	}
	return xasprintf("%s, %s", host, has_key ? "key set" : "no key");
}

int
cmd_tui(int argc, char **argv)
{
	static const struct option longopts[] = {{"theme", required_argument, NULL, 't'},
	    {"ascii", no_argument, NULL, 'a'}, {"http", required_argument, NULL, 'H'},
	    CMD_OPTION_HELP, CMD_OPTION_END};
	struct cmd_opts co = {.usage = usage_text, .longopts = longopts};
	struct ui_opts o = {0};
	const char *http = NULL;
	int c;
	while ((c = cmd_getopt(&co, argc, argv)) != -1) {
		if (c == CMD_OPT_DONE)
			return co.status;
		if (c == 't')
			o.theme = optarg;
		else if (c == 'a')
			o.ascii = true;
		else
			http = optarg;
	}
	if (cmd_operands(&co, argc, argv, 0, 0) != 0)
		return LW_EXIT_USAGE;
	struct store *s = NULL;
	struct devdb *dd = NULL;
	char *cause = NULL;
	struct jsonapi *api = NULL;
	if (http) {
		/* before the database: a bad address or a missing token fails at once */
		int hrc = cmd_http_start(NULL, http, &api);
		if (hrc != 0)
			return hrc;
	}
	if (cmd_store_open(NULL, &s, &dd) != 0) {
		jsonapi_free(api);
		return LW_EXIT_UNAVAILABLE;
	}
	const char *key = getenv("TWITTERAPI_KEY"), *keyf = getenv("TWITTERAPI_KEY_FILE");
	struct sim *sim = NULL;
	if (!(key && *key) && !(keyf && *keyf)) {
		sim = start_demo(s, &cause);
		if (sim == NULL) {
			fprintf(stderr, "launchwatch: cannot start the demo: %s\n", cause);
			free(cause);
			cause = NULL;
		}
	}
	struct queue *q = queue_new();
	struct engine *eng = NULL;
	struct engine_opts eo = {.embedded = dd != NULL, .console = true};
	char *status = NULL;
	/* the engine's threads log to worker_log and the log file only: the
	 * screen belongs to curses */
	int er = engine_start(s, &eo, &eng, &cause);
	if (er == 0)
		status =
		    xstrdup("polling in this console; quitting stops it (`systemctl --user start "
		            "launchwatch` keeps it)");
	else if (er == 1)
		status = xstrdup(cause);
	else
		status = xasprintf("engine off (showing the database only): %s", cause);
	free(cause);
	cause = NULL;
	if (api) {
		/* the address first: the engine's words may be cut on narrow terminals */
		char *with =
		    xasprintf("JSON on http://%s/api/campaigns; %s", jsonapi_address(api), status);
		free(status);
		status = with;
	}
	o.engine_status = status;
	o.api = api;
	char *provider = provider_describe(sim);
	o.provider = provider;
	for (int i = 0; sim && i < 3; i++)
		o.sim_tweets[i] = sim_tweet_id(sim, i);
	struct reader *rd = reader_start(s, q); /* the console's reads and writes */
	int64_t left_ms = 0;
	o.left_at_ms = &left_ms;
	int rc = ui_main(&o, rd, q, sim != NULL);
	if (left_ms == 0) /* it left before its loop */
		left_ms = clock_mono_ms();
	quit_watch_start(dd, rc, left_ms);
	if (eng)
		engine_request_stop(eng); /* winds down while the reader stops */
	reader_free(rd);
	if (eng) {
		engine_wait(eng, NULL);
		engine_free(eng);
	}
	jsonapi_free(api); /* before the store: nothing of it is used by the endpoint */
	free(status);
	free(provider);
	queue_free(q);
	sim_free(sim);
	store_free(s);
	/* a watch that fired holds the mutex: this blocks until it leaves */
	quit_watch_phase(QP_RELEASING);
	int64_t left_for_db = left_ms + QUIT_TOTAL_MS - clock_mono_ms();
	devdb_release_within(dd, left_for_db > 0 ? (int)left_for_db : 0);
	quit_watch_phase(QP_DONE);
	return rc;
}
