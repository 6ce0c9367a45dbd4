/*
 * schedq: the scheduler's in-memory state, with no database, thread or
 * network of its own: the campaigns as last read, the queue of jobs to run
 * (metrics batched 100 tweets per request and run first; a campaign's list
 * jobs wait while any of its metrics jobs is queued or running), the jobs in
 * flight, the metrics readings this engine took (so a list job compares
 * against a count read in its own cycle), what an engine's life added up to,
 * and for `run --once` the jobs it could not bring current and why. The
 * scheduler (scheduler.c) holds its mutex around every call; the functions
 * are pure bookkeeping, so tests drive them directly.
 */
#ifndef LW_SCHEDQ_H
#define LW_SCHEDQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/util.h"
#include "engine/ingest.h"
#include "model/campaign.h"
#include "provider/xapi.h"
#include "store/store_ingest.h"

/* What an engine did (totals over its life). */
struct sched_stats {
	size_t jobs_ok;      /* done, including skips */
	size_t jobs_skipped; /* list jobs skipped because a fresh count had not moved */
	size_t jobs_blocked; /* --once: still blocked at the end (credits, rate limit, a
	                        backoff longer than the bounded wait) */
	size_t jobs_held;    /* --once: held by another engine's lease to the end */
	size_t jobs_failed;  /* --once: failed attempts left, stopped jobs, database errors */
	size_t jobs_missing;
	size_t metrics_elsewhere; /* forced metrics jobs left because another engine had
	                             read the counts fresh enough (counted in jobs_ok) */
	int64_t requests;
	int64_t credits;
	size_t pages;
	size_t new_engagements;
	size_t slices;
	size_t restarts; /* walks that started over after a refused cursor */
	/* --once: one line per job not brought current ("ID: why"), the first
	 * SQ_NOTES_MAX of them and a count of the rest; NULL when none. Borrowed
	 * from the engine until it is freed. */
	const char *notes;
};

#define SQ_NOTES_MAX 20

/* The scheduler's view of one campaign. */
struct sq_camp {
	struct campaign c;
	bool runnable;         /* active with its window open */
	bool closing;          /* window ended or close requested */
	bool hooked;           /* closed out (or left for a report job) */
	int64_t hook_after_ms; /* a failed close-out is tried again then */
	int inflight;          /* jobs running now */
	int metrics;           /* metrics jobs queued or running */
};

/* A job waiting in memory. */
struct sq_item {
	struct sti_due d;
	int64_t not_before_ms;
	int runs;               /* runs in this engine */
	int stalls;             /* runs in a row that made no progress */
	bool force;             /* claimed whatever its due time */
	int64_t fresh_after_ms; /* a list job's count must be read at or after this */
	int64_t held_since_ms;  /* first found leased by another engine; 0 */
};

/* What a worker took off the queue. */
struct sq_take {
	struct sq_item it[XAPI_MAX_IDS];
	size_t n;
	enum tweet_category cats[XAPI_MAX_IDS];
	int64_t cadence_s;
};

/* One tweet's latest metrics reading by this engine. */
struct sq_read {
	char key[CAMPAIGN_ID_MAX + LW_ID_MAX + 1]; /* campaign:tweet */
	int64_t at_ms;
};

struct schedq {
	bool once;       /* run --once: bring everything current, then finish */
	int64_t wait_ms; /* longest wait for a job to come back (backoff, lease) */
	int tries;       /* --once: runs in a row without progress per job */
	struct sq_camp *camps;
	size_t ncamps;
	struct sq_item *q;
	size_t nq;
	char (*inflight)[JOB_ID_MAX];
	size_t ninflight;
	struct sq_read *reads;
	size_t nreads;
	struct sched_stats st;
	struct sbuf notes;
	size_t nnotes;
};

/* The jobs of the runnable campaigns as an engine last listed them, kept
 * current job by job (the scheduler thread's own; zero-initialize). */
#define SQ_HOLD_MIN_MS 2000
#define SQ_HOLD_MAX_MS 60000

struct sq_known {
	struct sti_due *v;
	size_t n;
	/* jobs held back after a database error, so that one that keeps
	 * failing is retried with a backoff, not at every look */
	struct sq_hold {
		char id[JOB_ID_MAX];
		int64_t until_ms;
		int fails;
	} * holds;
	size_t nholds;
};

/* Replaces the list with v[0..n) (takes ownership of v). */
void sq_known_replace(struct sq_known *k, struct sti_due *v, size_t n);
/* Sets job id to *d, or removes it when d is NULL (gone, missing, stopped). */
void sq_known_set(struct sq_known *k, const char *id, const struct sti_due *d);
/* Lists the jobs of campaigns ids[0..n) due at until into a new array
 * *out (caller frees), by due time then id; returns how many. */
size_t sq_known_due(const struct sq_known *k, const char *const *ids, size_t n, int64_t until,
    struct sti_due **out);
/* Notes how job id's run ended at now_ms: after a database error it is
 * held back SQ_HOLD_MIN_MS, doubling with each failure in a row up to
 * SQ_HOLD_MAX_MS; any other end lifts the hold. */
void sq_known_ended(struct sq_known *k, const char *id, bool db_error, int64_t now_ms);
/* Frees the list. */
void sq_known_done(struct sq_known *k);

/* Sets q up empty: --once when once, waits of at most wait_ms, tries runs
 * without progress per job. Free with sq_done. */
void sq_init(struct schedq *q, bool once, int64_t wait_ms, int tries);
/* Frees what q owns. */
void sq_done(struct schedq *q);

/* Returns the campaign with id, or NULL. */
struct sq_camp *sq_camp_find(struct schedq *q, const char *id);
/* Returns campaign c's entry for tweet_id, or NULL when c does not list it
 * (a removed tweet keeps its data and jobs but is not polled). */
const struct cfg_tweet *sq_camp_tweet(const struct sq_camp *c, const char *tweet_id);

/* Replaces the campaigns with v[0..n) (takes ownership of each; the array
 * stays the caller's) as read at now_ms: keeps what the old entries knew
 * (hooks, jobs in flight), works out which are runnable and which closing,
 * and drops queued jobs of campaigns and tweets no longer runnable. */
void sq_set_camps(struct schedq *q, struct campaign *v, size_t n, int64_t now_ms);

/* Queues job d as proto says (not_before, runs, stalls, force, fresh_after,
 * held_since; proto->d is ignored) unless its campaign is not runnable, the
 * campaign does not list its tweet, or it is queued or in flight already.
 * Returns true when it was queued. */
bool sq_enqueue(struct schedq *q, const struct sti_due *d, const struct sq_item *proto);

/* Queues the due jobs d[0..n), metrics first; each list job's count must
 * be read at or after fresh_after_ms (< 0: at or after its own due time),
 * and one whose tweet has no metrics job queued or in flight and no reading
 * by this engine since gets its metrics job queued first (forced, with the
 * list job's fresh_after_ms). */
void sq_enqueue_due(
    struct schedq *q, const struct sti_due *d, size_t n, bool force, int64_t fresh_after_ms);

/* Takes the next runnable work (a batch of up to 100 metrics jobs of one
 * campaign, or one list job of a campaign with no metrics job pending) into
 * *t and marks it in flight. Returns false when nothing is ready; then *wake
 * is when the earliest item becomes ready. */
bool sq_take(struct schedq *q, struct sq_take *t, int64_t now_ms, int64_t *wake);

/* Records the end of the taken item it with outcome o (claimed) at now_ms:
 * adds the totals, remembers a metrics reading, and queues it again when
 * it failed or snoozed and comes back within the wait (--once: unless it
 * made no progress tries times in a row, or it waits on credits after a
 * balance check found none, credits_empty); otherwise counts the outcome
 * and (--once) notes why a job was not brought current. */
void sq_finish(struct schedq *q, const struct sq_item *it, const struct ing_outcome *o,
    bool credits_empty, int64_t now_ms);

/* Records that the taken metrics item it was not claimed because another
 * engine read its tweet's counts at read_at_ms, at or after the item's
 * fresh_after_ms: remembered as this engine's reading, counted as skipped. */
void sq_read_elsewhere(struct schedq *q, const struct sq_item *it, int64_t read_at_ms);

/* Records that the taken item it could not be claimed at now_ms: when
 * held_by names another engine's lease (until lease_until_ms), --once waits
 * for it (queued again a second later) up to the wait and then notes it as
 * held; otherwise it is dropped (it is listed again when due). */
void sq_unclaimed(struct schedq *q, const struct sq_item *it, const char *held_by,
    int64_t lease_until_ms, int64_t now_ms);

/* Notes (--once) that job id was not brought current, and why. */
void sq_note(struct schedq *q, const char *id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Returns when this engine last read the metrics of tweet_id of
 * campaign_id (0: never). */
int64_t sq_read_at(const struct schedq *q, const char *campaign_id, const char *tweet_id);

/* Returns true when nothing is queued or in flight. */
bool sq_idle(const struct schedq *q);

#endif
