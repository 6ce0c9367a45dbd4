/*
 * engine: everything a process that runs jobs starts beside the console or
 * the headless loop: the scheduler and its workers (scheduler.h), which
 * also close campaigns out at window end (closeout.h), and the alert worker
 * (alertworker.h).
 * engine_start/engine_stop/engine_free belong to one owner thread.
 */
#ifndef LW_ENGINE_H
#define LW_ENGINE_H

#include <stdbool.h>
#include <stdio.h>

#include "model/campaign.h"
#include "model/classify.h"
#include "engine/scheduler.h"

struct store;
struct engine;
struct xapi_config;

/* Loads classifier rules from path, else DATA_DIR/rules.yaml when it exists,
 * else the built-in rules. 0, or -1 with a cause naming the file. */
int engine_load_rules(const char *path, struct classify_rules **out, char **cause);

/* How to run an engine; zeroed fields take the scheduler's defaults. */
struct engine_opts {
	bool embedded;          /* the store is the embedded devdb: one engine at a time */
	bool console;           /* inside a console: attach to a running `launchwatch run` */
	int workers;            /* worker threads; 0: default */
	bool once;              /* run the due jobs once, then finish (engine_wait) */
	int64_t for_ms;         /* > 0: finish after this long */
	FILE *log;              /* log file; NULL: worker_log only */
	const char *rules_path; /* NULL: DATA_DIR/rules.yaml or the built-in rules */
	const struct classify_rules *rules; /* borrowed; NULL: load them as above */
	const struct xapi_config *xcfg;     /* borrowed; NULL: from the environment */
	bool no_alerts;                     /* do not start the alert worker */
	bool sentiment;       /* start the sentiment supervisor (also: LAUNCHWATCH_SENTIMENT=1) */
	int64_t once_wait_ms; /* the bounded wait for backoffs and leases; 0: default */
	/* Progress lines of close-outs ("final refresh: walking the replies
	 * of tweet ...", "archiving engagements", "close-out finished: ID",
	 * and a last line "close-out failed: ..." when it fails), for the
	 * console's progress pane. Called on the scheduler thread (or the
	 * thread in engine_start/engine_wait), never the UI thread: copy the
	 * message (valid during the call only) onto the UI queue. NULL: none. */
	void (*closeout_progress)(const char *message, void *arg);
	void *closeout_progress_arg;
};

/* Starts the engine on s with provider settings from the environment.
 * Returns 0 with *out set, 1 when another live engine already runs jobs on
 * this database (the caller stays a viewer; *cause says which, and for a
 * console that it is attached and quitting leaves ingest running): on
 * FerretDB any engine, elsewhere a `launchwatch run` when o->console, or -1 with
 * a cause (for example no provider key, or a bad rules file). */
int engine_start(struct store *s, const struct engine_opts *o, struct engine **out, char **cause);

/* Asks the engine to stop: in-flight pages are stored, jobs released.
 * Async-signal-safe. */
void engine_request_stop(struct engine *e);

/* Reloads the classifier rules from path (NULL: DATA_DIR/rules.yaml or the
 * built-in ones, as at start) for the pages classified from now on, and
 * has the campaigns re-read at once (SIGHUP). A bad file changes nothing:
 * -1 with a cause naming it. Owner thread; the workers go on meanwhile. */
int engine_reload_rules(struct engine *e, const char *path, char **cause);

/* Returns when the engine's scheduler thread last went round its loop (0
 * before it started): a watchdog pings only while this moves. Any thread. */
int64_t engine_alive_at(struct engine *e);

/* Waits until the scheduler finished (--once done, for_ms elapsed or
 * stopped), then stops the alert worker; fills *st when not NULL and returns
 * the scheduler's exit status (0, 75 blocked, 1 failed). */
int engine_wait(struct engine *e, struct sched_stats *st);

/* Frees an engine after engine_wait; NULL is a no-op. */
void engine_free(struct engine *e);

#endif
