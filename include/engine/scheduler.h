/*
 * scheduler: the ingest engine. A scheduler thread re-reads the campaigns
 * every refresh (scheduled ones become active when their window starts;
 * paused ones are not polled; one whose window ended or whose close-out was
 * requested is handed to the window_end hook once its last job finished and
 * is never polled again), lists due worker_state jobs of the runnable
 * campaigns and keeps them in an in-memory queue; a pool of worker threads
 * claims them (jobs.h) and runs them (ingest.h). Metrics jobs of a campaign
 * go first and are batched 100 tweets per request; its list jobs wait while
 * any of its metrics jobs is queued or running, so they compare against
 * fresh counts. Each engine keeps a heartbeat document; on the embedded
 * database only one live engine runs jobs (sched_runner_check).
 *
 * Threads: sched_new, sched_start, sched_wait and sched_free belong to one
 * owner thread; sched_request_stop may be called from any thread and from a
 * signal handler (it only sets an atomic flag). The window_end hook runs on
 * the scheduler thread.
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
#include "store/store_ingest.h"
#include "provider/xapi.h"

struct queue;
struct store;
struct ing_log;

#define SCHED_HEARTBEAT_MS 5000  /* a running engine beats this often */
#define SCHED_STALE_MS     30000 /* a heartbeat older than this is dead */

/* Settings of an engine (all pointers borrowed for the engine's life). */
struct sched_opts {
	int workers;        /* worker threads (default 4) */
	bool once;          /* run every job due at start to completion once, then finish */
	int64_t for_ms;     /* > 0: finish cleanly after this long */
	int64_t refresh_ms; /* campaigns and due jobs re-read this often (default 2000) */
	const struct classify_rules *rules;
	const struct xapi_config *xcfg; /* each worker makes its own client from it */
	struct queue *queue;            /* NULL: no UI; else new engagements and slices */
	FILE *log;                      /* log file; NULL: worker_log only */
	bool embedded;                  /* the embedded devdb: one engine at a time */
	/* --once: snoozes and retries due within once_wait_ms are waited for,
	 * at most once_tries runs per job (defaults 20000 and 8). */
	int64_t once_wait_ms;
	int once_tries;
	/* Called once per campaign whose window ended or whose close-out was
	 * requested, after its last in-flight job finished; the engine never
	 * polls it again in this process. The hook (the report job, issue 7)
	 * owns the close-out and sets the status to completed; it returns 0,
	 * or -1 when the close-out failed, and is then called again after
	 * close_retry_ms (default 60000). NULL: the campaign is left as it is
	 * for a report job to pick up. */
	int (*window_end)(void *arg, const struct campaign *c);
	void *window_end_arg;
	int64_t close_retry_ms;
	/* The close-out's final refresh (sched_final_refresh): a failed or
	 * snoozed job is run again when that is due within final_wait_ms, at
	 * most final_tries runs per job (defaults 10000 and 3); after
	 * final_fail_streak jobs in a row failed (default 3) the provider is
	 * taken as down and the rest are not tried; jobs not finished within
	 * final_budget_ms (default 600000) are given up. */
	int64_t final_wait_ms;
	int final_tries;
	int final_fail_streak;
	int64_t final_budget_ms;
};

/* The report job's window-end entry point (src/engine/engine.c): arg is the
 * struct engine, whose scheduler does the final refresh (or NULL: a store
 * from the environment and no final refresh). Declared weak so a build
 * without src/engine/engine.c links. */
int report_window_end(void *arg, const struct campaign *c) __attribute__((weak));

/* Sets the defaults above (workers 4, refresh 2 s). */
void sched_opts_init(struct sched_opts *o);

/* What an engine did (totals over its life). */
struct sched_stats {
	size_t jobs_ok;      /* done, including skips */
	size_t jobs_skipped; /* list jobs skipped because their count did not move */
	size_t jobs_blocked; /* --once: still snoozed at the end (credits, rate limit) */
	size_t jobs_failed;  /* --once: failed attempts left, stopped jobs, database errors */
	size_t jobs_missing;
	int64_t requests;
	int64_t credits;
	size_t pages;
	size_t new_engagements;
	size_t slices;
};

struct sched;

/* Returns an engine on s (caller frees with sched_free). */
struct sched *sched_new(struct store *s, const struct sched_opts *o);
/* Frees the engine (after sched_wait); NULL is a no-op. */
void sched_free(struct sched *sc);
/* Returns the engine's owner id ("host:pid:start"; borrowed). */
const char *sched_owner(const struct sched *sc);
/* Returns the engine's logger (file + worker_log; borrowed). */
struct ing_log *sched_log(const struct sched *sc);

/* Checks the single-runner rule and starts the scheduler and worker
 * threads. Heartbeats of dead engines are removed and their leases freed.
 * Returns 0, 1 when (embedded) another live engine runs jobs (*cause says
 * which), -1 on error. */
int sched_start(struct sched *sc, char **cause);
/* Asks the engine to stop: in-flight pages finish and are stored, the jobs
 * are released. Async-signal-safe. */
void sched_request_stop(struct sched *sc);
/* Waits until the engine finished (--once done, --for elapsed, or stopped)
 * and fills *st. Returns the exit status: 0, 75 when some jobs stayed
 * blocked (--once), 1 when some failed. */
int sched_wait(struct sched *sc, struct sched_stats *st);

/* Runs the close-out's final refresh of campaign c (closing, so no worker
 * of this engine runs its jobs): one metrics job for all its tweets (100 per
 * request), then one walk per tweet and list kind (retweets, replies,
 * quotes), through jobs_claim (ignoring next_run_at, never taking a lease
 * another worker holds: it waits for it to be freed or expire) and
 * ingest_metrics / ingest_walk, like any run of those jobs. Provider
 * failures are retried as final_* in sched_opts say, then recorded in *out
 * (complete false, note naming them) and in the log: they never make this
 * fail. progress (may be NULL) gets a line per step. Fills *out (caller
 * frees out->note) and returns 0; -1 with a cause when the engine was
 * asked to stop or the database failed (then nothing may be frozen yet).
 * Runs on the calling thread (the window_end hook's), beating the
 * heartbeat while it works. */
int sched_final_refresh(struct sched *sc, const struct campaign *c,
    void (*progress)(const char *message, void *arg), void *progress_arg, struct rep_refresh *out,
    char **cause);

/* Looks for another live engine on s (not owner): returns 1 and fills
 * *other when there is one, 0 when none, -1 on error. Heartbeats of dead
 * engines (stale, or a pid gone on this host) are removed and their leases
 * freed. The console uses this to attach as a viewer. */
int sched_runner_check(
    struct store *s, const char *owner, struct sti_heartbeat *other, char **cause);

#endif
