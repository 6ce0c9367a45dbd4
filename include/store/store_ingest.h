/*
 * store_ingest: the ingest engine's database code (DESIGN.md section 4):
 * worker_state claims and updates, engagements bulk inserts, metric slices
 * and tweet baselines, the heartbeats collection and worker_log lines
 * (src/store/store_jobs.c, store_tweets.c, store_engagements.c and
 * store_heartbeats.c). Every write is keyed by a deterministic _id so a
 * replay changes nothing; every function is thread-safe like the store
 * (each call pops a pooled client).
 *
 * The metrics protocol (crash-safe, neither loses nor doubles a delta): a
 * tweets document holds the baseline `metrics`, `metrics_seq` (the number of
 * slices folded into it) and `metrics_first`, all zeros: a tweet's first
 * observation is a slice from zero, so its slices add up to its counts.
 * An observation C of a tweet whose baseline is B with seq s writes the slice
 * `campaign:tweet:(s+1)` holding deltas C-B and the absolute `counts` C
 * (insert, so a replay hits the duplicate key), and only then sets the
 * baseline to C with seq s+1. After a crash between the two writes the next
 * observation finds slice s+1 already stored: it adopts that slice's counts as
 * the baseline (seq s+1) and writes slice s+2 for the rest. So the sum of a
 * tweet's slices always equals its baseline minus metrics_first.
 */
#ifndef LW_STORE_INGEST_H
#define LW_STORE_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/event.h"
#include "model/job.h"
#include "store/store.h"

/* ---- worker_state ---- */

/* A due job as the scheduler lists it, with what may hold it back. */
struct sti_due {
	char id[JOB_ID_MAX];
	char campaign_id[CAMPAIGN_ID_MAX];
	char tweet_id[LW_ID_MAX];
	enum job_kind kind;
	int64_t next_run_at_ms;
	enum job_state state;
	int64_t blocked_until_ms; /* 0 when none */
	int64_t blocked_at_ms;    /* when it was snoozed; 0 unknown */
	char blocked_by[16];      /* the provider's class of a snooze ("credits",
	                             "rate_limit"); "" when none or unknown */
	char lease_owner[128];    /* "" when free */
	int64_t lease_until_ms;   /* 0 when free */
	char last_error[160];     /* cut to fit; "" when none */
	int64_t cursor_life_ms;   /* the learned cursor lifetime stored with it; 0 none */
};

/* Lists the jobs of the campaigns ids[0..n) that are due at now_ms (every
 * one with now_ms INT64_MAX) and are runnable (job_state_runnable), oldest
 * first, into a new array. 0 or -1. */
int sti_jobs_due(struct store *s, const char *const *ids, size_t n, int64_t now_ms,
    struct sti_due **out, size_t *nout, char **cause);

/* Reads job id as sti_jobs_due lists it (one `_id` read). 0, 1 when there
 * is no such job or it is not runnable, -1 on error. */
int sti_job_due_get(struct store *s, const char *id, struct sti_due *out, char **cause);

/* Claims job id for owner until lease_until_ms when it is due (or
 * ignore_due) and its lease is free or expired (one findAndModify). Returns
 * 0 and fills *out, 1 when not claimable, -1 on error. */
int sti_job_claim(struct store *s, const char *id, const char *owner, int64_t now_ms,
    int64_t lease_until_ms, bool ignore_due, struct job *out, char **cause);

/* A job's state and lease as stored, for a caller that could not claim it. */
struct sti_job_state {
	enum job_state state; /* an unknown stored name reads as JST_NEW */
	char lease_owner[128];
	int64_t lease_until_ms; /* 0 when free */
	char *last_error;       /* owned; "" when none */
};

/* Reads job id's state by _id into *out (caller frees out->last_error).
 * Returns 0, 1 when there is no such job, or -1 with a cause. */
int sti_job_peek(struct store *s, const char *id, struct sti_job_state *out, char **cause);

/* One update of a job's worker_state document; unset fields are kept. */
struct sti_job_update {
	bool set_state;
	enum job_state state;
	int64_t next_run_at_ms; /* < 0 keeps */
	int64_t lease_until_ms; /* 0 frees the lease, > 0 renews it, < 0 keeps */
	bool set_cursor;        /* cursor: NULL stores null */
	const char *cursor;
	bool set_watermark;
	char *const *watermark;
	size_t nwatermark;
	int backfill_done; /* -1 keeps, else 0 or 1 */
	bool set_walked_count;
	int64_t walked_count;
	bool set_error; /* error: NULL stores null */
	const char *error;
	int attempts;     /* < 0 keeps */
	bool set_blocked; /* blocked_until_ms: 0 stores null (and blocked_by, blocked_at) */
	int64_t blocked_until_ms;
	const char *blocked_by;  /* the snooze's class name; NULL stores null */
	int64_t last_success_ms; /* 0 keeps */
	int64_t add_requests;
	int64_t add_credits;
	int64_t due_ms;         /* > 0 sets due_at (the tick of the next run) */
	int64_t cursor_at_ms;   /* with set_cursor: when it was received (0 stores null) */
	int64_t cursor_life_ms; /* > 0 sets cursor_life */
	bool set_walk;          /* the walk in progress: walk_top (NULL or none clears the
	                  walk), walk_count, walk_floor, walk_until */
	char *const *walk_top;
	size_t nwalk_top;
	int64_t walk_count;
	int64_t walk_floor_ms;
	int64_t walk_until_s;
};

/* Applies u to the worker_state document id (its lease owner is the only
 * writer). Its counters (add_requests, add_credits) are added once even
 * when the update is retried after a dropped connection: the update stores
 * a marker (inc_op) that the retry looks for first. 0 or -1. */
int sti_job_update(
    struct store *s, const char *id, const struct sti_job_update *u, int64_t now_ms, char **cause);

/* Applies u[i] to job ids[i] for each i (commands of at most ST_BULK_MAX
 * updates; each job's lease owner is its only writer). No u[i] may add to
 * the counters (-1 if one does: a retried bulk would add them twice).
 * 0 or -1. */
int sti_jobs_update_many(struct store *s, const char *const *ids,
    const struct sti_job_update *const *u, size_t n, int64_t now_ms, char **cause);

/* Frees every lease held by owner (a process found dead) on the jobs of
 * the campaigns ids[0..n). 0 or -1. */
int sti_jobs_release_owner(
    struct store *s, const char *owner, const char *const *ids, size_t n, char **cause);

/* Makes stopped jobs of the campaigns ids[0..n) due again (a new start). */
int sti_jobs_unstop(
    struct store *s, const char *const *ids, size_t n, int64_t now_ms, char **cause);

/* ---- tweets and metric slices ---- */

/* A tweet's stored baseline. */
struct sti_baseline {
	char tweet_id[LW_ID_MAX];
	bool found; /* the tweets document exists */
	bool known; /* a baseline exists */
	bool missing;
	struct lw_metrics m;
	int64_t seq;
	bool has_first; /* metrics_first (the first baseline) exists */
	struct lw_metrics first;
	int64_t metrics_at_ms; /* when the baseline was read from the provider; 0 never */
};

/* Reads the baselines of tweets ids[0..n) of campaign into out[0..n) (in
 * the same order). 0 or -1. */
int sti_baselines_get(struct store *s, const char *campaign_id, const char *const *ids, size_t n,
    struct sti_baseline *out, char **cause);

/* A slice to insert: the lw_slice plus the absolute counts it leads to. */
struct sti_slice {
	struct lw_slice sl;
	struct lw_metrics counts;
};

/* Inserts slices[0..n) (unordered); dup[i] is set when slice i's _id was
 * already stored. 0 or -1 on any other error. */
int sti_slices_insert(
    struct store *s, const struct sti_slice *slices, size_t n, bool *dup, char **cause);

/* Reads the counts stored in slice campaign:tweet:seq. 0, 1 when absent, -1. */
int sti_slice_counts(struct store *s, const char *campaign_id, const char *tweet_id, int64_t seq,
    struct lw_metrics *counts, char **cause);

/* A new baseline of one tweet and the tweet's descriptive fields. */
struct sti_baseline_set {
	const char *campaign_id;
	const struct lw_tweet *t; /* author, text, created_at (borrowed); may be NULL */
	const char *tweet_id;
	struct lw_metrics m;
	int64_t seq;
	bool first; /* also sets metrics_first */
};

/* Writes the baselines v[0..n) at now_ms (one bulk). 0 or -1. */
int sti_baselines_set(
    struct store *s, const struct sti_baseline_set *v, size_t n, int64_t now_ms, char **cause);

/* Marks tweet of campaign missing (tweets.missing, and its list jobs get
 * state JST_MISSING). 0 or -1. */
int sti_tweet_set_missing(
    struct store *s, const char *campaign_id, const char *tweet_id, int64_t now_ms, char **cause);

/* ---- engagements ---- */

/* Inserts engagements e[0..n) as new documents in one unordered insert at
 * now_ms (first_seen_at = last_seen_at = now); is_new[i] is set when e[i]
 * went in, and cleared when its _id was stored already (a known one; a
 * duplicate key is not an error). 0, or -1 on any other error. */
int sti_engagements_insert(struct store *s, const struct lw_engagement *e, size_t n, int64_t now_ms,
    bool *is_new, char **cause);

/* Updates known engagements e[0..n): last_seen_at = now_ms, ref_ids
 * added. 0 or -1. */
int sti_engagements_touch(
    struct store *s, const struct lw_engagement *const *e, size_t n, int64_t now_ms, char **cause);

/* One stored engagement as tests and tools compare it with the truth. */
struct sti_eng_key {
	char *id;      /* campaign:tweet:user:action */
	char *ref_ids; /* the ref_ids sorted and joined with ',' */
};

/* Lists campaign_id's engagements (sorted by _id) into a new array (caller
 * frees each id and ref_ids, and the array). 0 or -1. */
int sti_engagements_keys(
    struct store *s, const char *campaign_id, struct sti_eng_key **out, size_t *n, char **cause);

/* Sums the deltas of every metric slice of a tweet into *sum and counts
 * them in *count. 0 or -1. */
int sti_slices_sum(struct store *s, const char *campaign_id, const char *tweet_id,
    struct lw_metrics *sum, size_t *count, char **cause);

/* ---- heartbeats and worker_log ---- */

/* A process that runs jobs (one heartbeats document, _id = owner). */
struct sti_heartbeat {
	char owner[128];
	char host[64];
	long pid;
	int64_t started_at_ms;
	int64_t beat_at_ms;
	char mode[16];       /* "run", "tui" */
	char sentiment[160]; /* its sentiment supervisor's state line; "" when none runs */
};

/* Writes (upserts) h's heartbeat with beat_at = h->beat_at_ms. 0 or -1. */
int sti_heartbeat_beat(struct store *s, const struct sti_heartbeat *h, char **cause);
/* Sets the sentiment state line of owner's heartbeat (nothing when it has
 * none: the scheduler writes the heartbeat). 0 or -1. */
int sti_heartbeat_sentiment(struct store *s, const char *owner, const char *line, char **cause);
/* Lists every heartbeat into a new array. 0 or -1. */
int sti_heartbeat_list(struct store *s, struct sti_heartbeat **out, size_t *n, char **cause);
/* Deletes owner's heartbeat. 0 or -1. */
int sti_heartbeat_delete(struct store *s, const char *owner, char **cause);

/* Appends a line to the worker_log (job may be NULL). 0 or -1. */
int sti_log(struct store *s, const char *owner, const char *job, const char *level,
    const char *message, int64_t now_ms, char **cause);
/* Counts the worker_log lines of job at level written at or after
 * since_ms; -1 on error with a cause. */
int64_t sti_log_count(
    struct store *s, const char *job, const char *level, int64_t since_ms, char **cause);
/* Keeps the newest keep lines of a worker_log that is a plain collection (a
 * server that cannot cap one), and any older ones of the same millisecond
 * as the oldest kept; a no-op on a capped one. 0 or -1 with a cause. */
int sti_log_trim(struct store *s, int64_t keep, char **cause);

#endif
