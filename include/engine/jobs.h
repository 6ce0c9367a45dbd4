/*
 * jobs: leased jobs (after River). A job is one worker_state document
 * (campaign x tweet x kind). A worker claims a due job with one findAndModify
 * that sets lease_owner and lease_until, renews the lease while it works, and
 * records one outcome: done (next run by cadence), retry (backoff, spends an
 * attempt), snooze (429 or 402: blocked_until, spends nothing), stop, missing
 * or release (give an unfinished job back). Done moves next_run_at to the
 * job's next tick (fixed rate), and a list walk saves its position with
 * every page (struct job_walkpos). FerretDB updates are not atomic,
 * so every claim of one process goes through one mutex; several processes on
 * one database need real MongoDB (docs/operations.md). Any worker thread may
 * call these functions; a claimed struct job belongs to the claiming thread.
 */
#ifndef LW_JOBS_H
#define LW_JOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/job.h"
#include "store/store_ingest.h"

#define JOB_LEASE_MS    60000 /* a lease lasts this long unless renewed */
#define JOB_WATERMARK_N 20    /* newest item ids kept as a walk's watermark */

struct store;

/* What a finished job records beside next_run_at (done outcome). */
struct job_result {
	int64_t requests; /* HTTP requests this run made (added to the total) */
	int64_t credits;  /* estimated credits this run spent (added) */
	bool walk;        /* a list walk finished: the fields below apply */
	char **watermark; /* new watermark (borrowed); NULL keeps the old one */
	size_t nwatermark;
	int64_t walked_count; /* count the walk covers; -1 keeps the stored one */
};

struct jobs;

/* Returns a lease manager for owner (copied) on s (borrowed). Caller frees. */
struct jobs *jobs_new(struct store *s, const char *owner);
/* Frees j; NULL is a no-op. */
void jobs_free(struct jobs *j);
/* Returns the owner string (borrowed). */
const char *jobs_owner(const struct jobs *j);

/* Claims job id when it is due at now_ms (or when ignore_due) and its lease is
 * free or expired, with one findAndModify under the process's claim mutex.
 * Returns 0 and fills *out (caller calls job_done), 1 when someone else holds
 * it or it is not due, -1 on error with a cause. */
int jobs_claim(
    struct jobs *j, const char *id, int64_t now_ms, bool ignore_due, struct job *out, char **cause);

/* Where a list walk stands after one of its pages: what that page's
 * checkpoint saves (with the page, through the writer), so an interrupted
 * walk resumes where it was instead of starting over. */
struct job_walkpos {
	const char *cursor;   /* the next page; "" for page one of the query */
	int64_t cursor_at_ms; /* when cursor was received */
	char *const *top;     /* ids of the walk's first page (borrowed) */
	size_t ntop;
	int64_t count;    /* the count the walk covers; -1 unknown */
	int64_t floor_ms; /* the oldest created_at stored by the walk; 0 none */
	int64_t until_s;  /* untilTime of the walk's query; 0 none */
	bool complete;    /* the walk reached its end: top becomes the watermark,
	                     count the walked count, and the backfill is done */
};

/* Fills *u with the checkpoint of walk position p (and a renewed lease) for
 * a caller that writes it with other things (the group-commit writer);
 * after the write, call jobs_walk_applied. */
void jobs_walk_prepare(
    const struct job *job, const struct job_walkpos *p, int64_t now_ms, struct sti_job_update *u);
/* Writes the checkpoint of p by itself (a walk that starts over without a
 * page) and applies it. 0 or -1. */
int jobs_walk_save(
    struct jobs *j, struct job *job, const struct job_walkpos *p, int64_t now_ms, char **cause);
/* Brings the claimed job up to date with the checkpoint p that was written
 * (lease, cursor, the walk in progress, or on completion its watermark). */
void jobs_walk_applied(struct job *job, const struct job_walkpos *p, int64_t now_ms);

/* Returns when job runs next after a success at now_ms: the next tick of
 * cadence_s after the tick of this run (job_next_tick; a job that never had
 * a tick stored counts from its due time, one in a backoff from now). */
int64_t jobs_next_run(const struct job *job, int64_t cadence_s, int64_t now_ms);
/* Records success: next_run_at is the job's next tick after now at cadence_s
 * (job_next_tick from the tick of this run: fixed rate), attempts 0, lease
 * freed, no error, no block; with r->walk the walk's watermark and count. */
int jobs_finish(struct jobs *j, const struct job *job, const struct job_result *r,
    int64_t cadence_s, int64_t now_ms, char **cause);
/* Records a failed attempt: attempts + 1, next_run_at = now + delay_ms. */
int jobs_retry(struct jobs *j, const struct job *job, const char *error, int64_t delay_ms,
    int64_t requests, int64_t credits, int64_t now_ms, char **cause);
/* Records a snooze (rate limit or credits, named by by): blocked_until =
 * next_run_at = now + delay_ms, blocked_by = by, blocked_at = now; attempts
 * unchanged. */
int jobs_snooze(struct jobs *j, const struct job *job, const char *error, const char *by,
    int64_t delay_ms, int64_t requests, int64_t credits, int64_t now_ms, char **cause);
/* Stops the job (JST_STOPPED) until the next start of the engine. */
int jobs_stop(struct jobs *j, const struct job *job, const char *error, int64_t requests,
    int64_t credits, int64_t now_ms, char **cause);
/* Marks the job JST_MISSING (the tweet is gone); it is not claimed again. */
int jobs_missing(struct jobs *j, const struct job *job, int64_t now_ms, char **cause);
/* Gives an unfinished job back (shutdown, pause): due now, lease freed. */
int jobs_release(struct jobs *j, const struct job *job, int64_t requests, int64_t credits,
    int64_t now_ms, char **cause);

#endif
