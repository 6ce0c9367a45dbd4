/*
 * ingest: what a worker does with a claimed job. Metrics: one request per
 * 100 tweets, a metric slice per changed tweet, then the new baseline (the
 * crash-safe protocol is in include/store/store_ingest.h). Retweeters,
 * replies and quotes: a walk pages from page one (newest first) down to the
 * watermark of the last complete walk (the first walk, the backfill, down
 * to the end), so a delta of N costs at most ceil(N/page) + 1 requests;
 * each page goes to the group-commit writer (writer.h) with the walk's
 * position (cursor, the ids of its first page and the count it covers, the
 * oldest time it stored), so an interrupted walk resumes, and a walk whose
 * cursor the provider refused goes on below what it stored (untilTime,
 * replies and quotes) instead of walking it again. A
 * walk is skipped when a count read in the same cycle equals the count the
 * last complete walk covered. Failures follow the provider's policy table
 * (xapi_policy_of); a retry of a walk with a live cursor comes before the
 * cursor's learned lifetime runs out. Also the engine's logger (file +
 * worker_log). Worker threads call ingest_metrics and ingest_walk with their
 * own xapi client; struct ingest is shared.
 */
#ifndef LW_INGEST_H
#define LW_INGEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model/campaign.h"
#include "model/classify.h"
#include "engine/jobs.h"
#include "provider/xapi.h"

struct store;
struct writer;
struct ing_shared;
struct credits_gate;

/* ---- the logger: one line per event to a file and to worker_log ---- */

struct ing_log;

/* Returns a logger writing to f (borrowed; may be NULL) and, when s is not
 * NULL, to worker_log as owner. Caller frees. */
struct ing_log *ing_log_new(FILE *f, struct store *s, const char *owner);
/* Frees l; NULL is a no-op. */
void ing_log_free(struct ing_log *l);
/* Logs one line (sanitized) at level ("info", "warn", "error") for job
 * (may be NULL). Any thread. */
void ing_logf(struct ing_log *l, const char *level, const char *job, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Logs one line to the file only (for news about the database itself,
 * which worker_log would have to wait for). Any thread. */
void ing_log_local(struct ing_log *l, const char *level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- the engine's shared state ---- */

/* Everything workers share (set up by the scheduler; all borrowed). */
struct ingest {
	struct store *s;
	struct writer *writer; /* the group-commit writer; NULL: write directly */
	struct jobs *jobs;
	const struct classify_rules *_Atomic rules; /* swapped whole by engine_reload_rules */
	struct ing_log *log;
	int64_t credits_recheck_ms;
	/* true when the walk of a job of campaign_id must stop after its page
	 * (shutdown, pause, window end). */
	bool (*should_stop)(void *arg, const char *campaign_id);
	void *stop_arg;
	/* what every worker shares: the credits gate (engine/credits.h) and the
	 * cursor lifetime learned so far (see ingest_init) */
	struct ing_shared *sh;
};

/* Sets up the shared state of ing (the other fields are the caller's),
 * with a credits gate checking the balance every credits_recheck_ms. Call
 * ingest_done after the last worker stopped. */
void ingest_init(struct ingest *ing);
/* Frees the shared state. */
void ingest_done(struct ingest *ing);
/* Returns ing's credits gate (borrowed). */
struct credits_gate *ingest_gate(const struct ingest *ing);
/* Returns the shortest age at which the provider refused a cursor, as
 * learned by this engine or stored with its jobs (0: none seen); a retry of
 * a walk with a live cursor comes before half of it has passed. */
int64_t ingest_cursor_life(const struct ingest *ing);
/* Lowers that lifetime to age_ms (a cursor of that age was refused, here
 * or, as a job's stored cursor_life says, by an earlier engine). */
void ingest_cursor_refused(struct ingest *ing, int64_t age_ms);

/* How a job ended. */
enum ing_status {
	ING_OK,       /* done (next run by cadence) */
	ING_SKIPPED,  /* done without a request: the count did not move */
	ING_BLOCKED,  /* snoozed: rate limit or credits; no attempt spent */
	ING_RETRY,    /* a failed attempt; runs again after a backoff */
	ING_STOPPED,  /* stopped (auth) until the engine restarts */
	ING_MISSING,  /* the tweet is gone; the job is not run again */
	ING_RELEASED, /* given back unfinished (shutdown, pause) */
	ING_DBERROR,  /* the database failed; the lease expires by itself */
};

/* Returns "ok", "skipped", "blocked", ... */
const char *ing_status_name(enum ing_status st);

/* The outcome of one job. */
struct ing_outcome {
	enum ing_status st;
	enum xapi_class cls;    /* the provider's class for BLOCKED and RETRY */
	int64_t next_ms;        /* when the job is due again */
	int64_t requests;       /* HTTP requests this run made */
	int64_t credits;        /* estimated credits */
	int pages;              /* list pages fetched */
	size_t new_engagements; /* engagements inserted */
	size_t slices;          /* metric slices written */
	int restarts;           /* walks started over after a refused cursor */
	bool stale_count;       /* a walk that could not compare against a count read
	                           in this cycle (it walked instead of skipping) */
	char why[160];          /* BLOCKED, RETRY, STOPPED, DBERROR: the reason */
};

/* Runs the claimed metrics jobs j[0..n) (n <= XAPI_MAX_IDS, one campaign)
 * with one request; cats[i] is tweet i's category. Records every job's
 * outcome in the database and fills out[0..n). */
void ingest_metrics(struct ingest *ing, struct xapi *x, const char *campaign_id, struct job *j,
    const enum tweet_category *cats, size_t n, int64_t cadence_s, struct ing_outcome *out);

/* Builds the engagements of one page of a kind's list (retweets, replies or
 * quotes of tweet_id, deduplicated by the walk): one per account, with the
 * page's reply or quote ids as ref_ids and the earliest created_at, classified
 * by rules for a tweet of category cat. Returns a new array of *n (caller
 * frees each with lw_engagement_done, then the array). Pure; any thread. */
struct lw_engagement *ingest_page_engagements(const struct classify_rules *rules,
    const char *campaign_id, const char *tweet_id, enum job_kind kind, enum tweet_category cat,
    const struct xapi_page *p, size_t *n);

/* Runs the claimed list job j (retweets, replies or quotes) of a tweet of
 * category cat: it resumes a walk in progress, walks from page one when the
 * count moved, or skips. The tweet's count is this cycle's when the
 * metrics reading behind it was taken at or after fresh_after_ms; an older
 * one never lets the walk skip. Records the outcome. */
void ingest_walk(struct ingest *ing, struct xapi *x, struct job *j, enum tweet_category cat,
    int64_t cadence_s, int64_t fresh_after_ms, struct ing_outcome *out);

#endif
