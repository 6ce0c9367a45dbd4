/*
 * finalrefresh: the close-out's final refresh of a campaign (docs/reports.md):
 * one metrics job for all its tweets (100 per request), then one walk per
 * tweet and list kind (retweets, replies, quotes), through jobs_claim
 * (ignoring next_run_at, never taking a lease another worker holds: it
 * waits for it to be freed or expire) and ingest_metrics / ingest_walk,
 * like any run of those jobs. It runs on its caller's thread with what the
 * engine lends it (struct final_refresh); the engine runs no job of a
 * closing campaign meanwhile.
 */
#ifndef LW_FINALREFRESH_H
#define LW_FINALREFRESH_H

#include <stdatomic.h>
#include <stdint.h>

#include "engine/ingest.h"
#include "engine/jobs.h"
#include "model/campaign.h"
#include "model/report.h"
#include "provider/xapi.h"
#include "store/store_ingest.h"

struct store;
struct ing_log;

/* What the close-out's final refresh needs of the engine that runs it (all
 * borrowed for the call). */
struct final_refresh {
	struct store *s;
	struct jobs *jobs;              /* the engine's leases and claim mutex */
	const struct ingest *ing;       /* the engine's ingest settings */
	struct ing_log *log;            /* the engine's log */
	const struct xapi_config *xcfg; /* the refresh makes its own client */
	atomic_bool *stop;              /* the engine's stop flag ends the refresh */
	const struct sti_heartbeat *hb; /* beaten while the refresh works */
	int64_t beat_ms;                /* ... this often */
	int64_t wait_ms;                /* a failed or snoozed run due within it runs again */
	int tries;                      /* runs per job at most */
	int fail_streak;                /* jobs failed in a row that mean the provider is down */
	int64_t budget_ms;              /* jobs not finished within it are given up */
};

/* Runs the final refresh of campaign c for the engine env. Provider
 * failures are retried as env says, then recorded in *out (complete false,
 * note naming them) and in the log: they never make this fail. progress
 * (may be NULL) gets a line per step. Fills *out (caller frees out->note)
 * and returns 0; -1 with a cause when the engine was asked to stop or the
 * database failed (then nothing may be frozen yet). Beats env->hb while it
 * works. */
int final_refresh_run(const struct final_refresh *env, const struct campaign *c,
    void (*progress)(const char *message, void *arg), void *progress_arg, struct rep_refresh *out,
    char **cause);

#endif
