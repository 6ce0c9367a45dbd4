/*
 * scheduler: the ingest engine. A scheduler thread re-reads the campaigns
 * every refresh (scheduled ones become active when their window starts;
 * paused ones are not polled; one whose window ended or whose close-out was
 * requested is closed out (closeout.h, with the final refresh of
 * finalrefresh.h) once its last job finished, and is never polled again),
 * lists due worker_state jobs of the runnable campaigns into the in-memory
 * queue (schedq.h), and a pool of worker threads claims them (jobs.h) and
 * runs them (ingest.h). Metrics jobs of a campaign go first, batched 100
 * tweets per request, and a list job whose tweet's count was not read in
 * its own cycle gets a metrics reading first, so no walk is skipped against
 * an older count. Jobs run at fixed rate (jobs_finish). `run --once` brings
 * every runnable campaign current: every job is run whatever its due time;
 * backoffs (of this run or left by a dead process), leases of another
 * engine and the credits gate are waited for within a bounded wait, and
 * what stays blocked is named in the stats. Each engine keeps a heartbeat
 * document; on a FerretDB (embedded or not) only one live engine runs jobs
 * (heartbeat_find_runner). A watchdog thread logs a database call that
 * takes longer than a few seconds while it is still waiting.
 *
 * Threads: sched_new, sched_start, sched_wait and sched_free belong to one
 * owner thread; sched_request_stop may be called from any thread and from a
 * signal handler (it only sets an atomic flag). Close-outs run on the
 * scheduler thread (and on the thread of sched_start and sched_wait, which
 * look for due close-outs once more).
 */
#ifndef LW_SCHEDULER_H
#define LW_SCHEDULER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model/campaign.h"
#include "model/classify.h"
#include "model/report.h"
#include "engine/heartbeat.h"
#include "engine/schedq.h"
#include "store/store_ingest.h"
#include "provider/xapi.h"

struct store;
struct ing_log;
struct writer;
struct aggregator;

/* Settings of an engine (all pointers borrowed for the engine's life). */
struct sched_opts {
	int workers;    /* worker threads (default 4) */
	bool once;      /* bring every job of every runnable campaign current, then
	                       finish (DESIGN.md section 2, run --once) */
	int64_t for_ms; /* > 0: finish cleanly after this long */
	int64_t
	    refresh_ms; /* due jobs looked for this often (default 2000; the campaigns every 5 s) */
	const struct classify_rules *rules;
	const struct xapi_config *xcfg; /* each worker makes its own client from it */
	FILE *log;                      /* log file; NULL: worker_log only */
	bool embedded;                  /* the embedded devdb: one engine at a time (as on
	                                   any FerretDB, which the store detects) */
	bool console; /* the engine runs inside a console (heartbeat mode "tui"), which
	                 attaches to a running `launchwatch run` instead of starting */
	/* A snooze, a retry or a lease of another engine that ends within
	 * once_wait_ms is waited for (a backoff left by a dead process too);
	 * --once gives a job up after once_tries runs in a row without progress
	 * (defaults 20000 and 8). */
	int64_t once_wait_ms;
	int once_tries;
	/* Close out each campaign whose window ended or whose close-out was
	 * requested, once its last in-flight job finished (closeout_run with
	 * this engine's final refresh, writing the report files); the engine
	 * never polls it again in this process. A failed close-out is tried
	 * again after close_retry_ms (default 60000). false: the campaign is
	 * left as it is for a report job to pick up. */
	bool closeout;
	int64_t close_retry_ms;
	/* Progress lines of close-outs (closeout_hooks.progress), and a last
	 * line "close-out failed: ..." when one fails; NULL: none. */
	void (*closeout_progress)(const char *message, void *arg);
	void *closeout_progress_arg;
	/* The close-out's final refresh (finalrefresh.h): a failed or snoozed
	 * job is run again when that is due within final_wait_ms, at most
	 * final_tries runs per job (defaults 10000 and 3); after
	 * final_fail_streak jobs in a row failed (default 3) the provider is
	 * taken as down and the rest are not tried; jobs not finished within
	 * final_budget_ms (default 600000) are given up. */
	int64_t final_wait_ms;
	int final_tries;
	int final_fail_streak;
	int64_t final_budget_ms;
};

/* Sets the defaults above (workers 4, refresh 2 s). */
void sched_opts_init(struct sched_opts *o);

struct sched;

/* Returns an engine on s (caller frees with sched_free). */
struct sched *sched_new(struct store *s, const struct sched_opts *o);
/* Frees the engine (after sched_wait); NULL is a no-op. */
/* Deletes the engine's heartbeat when sched_wait found it may go (a clean
 * stop, or a start that failed after sched_begin). Called after the
 * aggregator gave its leases back: while the heartbeat stands, a kill
 * leaves them to the next engine's recovery, never orphaned. */
void sched_drop_heartbeat(struct sched *sc);

void sched_free(struct sched *sc);
/* Returns the engine's owner id ("host:pid:start"; borrowed). */
const char *sched_owner(const struct sched *sc);

/* Gives the engine its group-commit writer and aggregator (borrowed, both
 * may be NULL): ingest writes through w, the aggregator follows the
 * campaigns the scheduler knows, a close-out and the end of the engine
 * bring the prepared aggregates up to date first. Before sched_start. */
void sched_set_prepared(struct sched *sc, struct writer *w, struct aggregator *a);

/* Classifies the pages walked from now on with rules (borrowed until
 * sched_free; a worker may still use the previous ones for its page). Any
 * thread. */
void sched_set_rules(struct sched *sc, const struct classify_rules *rules);

/* Has the scheduler re-read the campaigns at its next turn. Any thread. */
void sched_refresh_soon(struct sched *sc);

/* Returns when the scheduler thread last went round its loop (ms, the
 * engine's clock; 0 before it started): a watchdog's sign of life. Any
 * thread. */
int64_t sched_loop_at(struct sched *sc);

/* Checks the single-runner rule (heartbeats of dead engines are removed
 * and their job and aggregate leases freed) and writes this engine's
 * heartbeat, so that any lease it takes from now on is freed by the next
 * engine if it dies. Returns 0, 1 or -1 as sched_start; before the
 * aggregator starts (engine_start). Idempotent. */
int sched_begin(struct sched *sc, char **cause);

/* Checks the single-runner rule (sched_begin, unless done) and starts the
 * scheduler and worker threads. Heartbeats of dead engines are removed and their leases freed.
 * Returns 0, 1 when (embedded) another live engine runs jobs (*cause says
 * which), -1 on error. */
int sched_start(struct sched *sc, char **cause);
/* Asks the engine to stop: in-flight pages finish and are stored, the jobs
 * are released. Async-signal-safe. */
void sched_request_stop(struct sched *sc);
/* Returns true once a stop was asked for (or --for elapsed). Any thread. */
bool sched_stopping(struct sched *sc);
/* Waits until the engine finished (--once done, --for elapsed, or stopped)
 * and fills *st (its notes stay valid until sched_free). Returns the exit
 * status: 0, 75 when some jobs stayed blocked or held by another engine
 * (--once), 1 when some failed. */
int sched_wait(struct sched *sc, struct sched_stats *st);

#endif
