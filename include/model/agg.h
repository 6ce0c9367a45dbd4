/*
 * agg: the console's in-memory aggregates, per campaign: cumulative metric
 * deltas per hour and per day (all tweets, per category, per tweet), unique
 * engaged accounts per bucket (deduped per campaign, also per action), events
 * per bucket per hour, each account's timeline, the latest and the top
 * engagers, and job and provider health. Rebuilt at start by applying what
 * the store holds, then kept current by agg_apply with worker batches and
 * polled rows; applying an engagement or a slice twice changes nothing, so
 * both sources may overlap. Model code: no curses, no I/O. One owner thread
 * (the UI thread) calls everything; nothing here locks.
 *
 * Memory: profiles are interned once per account (agg_user); an engagement is
 * a 32-byte record (agg_eng) plus its reply or quote snippet in a shared text
 * arena; hourly series are arrays of int64 per absolute hour.
 */
#ifndef LW_AGG_H
#define LW_AGG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/alert.h"
#include "model/campaign.h"
#include "model/event.h"
#include "model/job.h"

#define AGG_NONE        UINT32_MAX
#define AGG_SNIPPET_MAX 96  /* bytes of reply or quote text kept per engagement */
#define AGG_BIO_MAX     240 /* bytes of bio kept per account */
#define AGG_TOP_MAX     100 /* top engagers kept ranked */
#define AGG_HOUR_MS     3600000LL

/* The six public counts, in struct lw_metrics order. */
enum agg_metric { M_LIKES, M_RETWEETS, M_REPLIES, M_QUOTES, M_VIEWS, M_BOOKMARKS, M__COUNT };

/* Returns "likes", "retweets", "replies", "quotes", "views" or "bookmarks". */
const char *agg_metric_name(enum agg_metric m);

/* Values per absolute hour (ms / AGG_HOUR_MS), from hour base on. */
struct agg_hours {
	int64_t base;
	int32_t n;
	int32_t cap;
	int64_t *v;
};

/* An interned account profile (sanitized text, owned by the agg). */
struct agg_user {
	uint64_t id; /* the numeric user id (a hash for non-numeric ids) */
	char *handle;
	char *name;
	char *bio;
	int64_t followers;
	int64_t following;
	int64_t seen_ms;       /* when the profile was observed: the newest wins */
	uint64_t profile_hash; /* of the raw profile, to skip unchanged ones cheaply */
	bool verified;
};

/* One engagement, compact. */
struct agg_eng {
	int64_t at_ms;  /* created_at when known, else first_seen_at */
	uint32_t user;  /* index into agg.users */
	uint32_t prev;  /* the same account's previous engagement here, or AGG_NONE */
	uint32_t text;  /* 1 + offset of the snippet in agg.text, or 0 */
	uint16_t tweet; /* index into the campaign's tweets */
	uint8_t action; /* enum lw_action */
	uint8_t bucket; /* enum lw_bucket */
	uint8_t importance;
	uint8_t category; /* enum tweet_category */
};

/* What a job is doing, as far as the console knows. */
enum agg_job_state { JS_NEW, JS_BACKFILL, JS_OK, JS_BLOCKED, JS_ERROR, JS__COUNT };

/* Returns "new", "backfilling", "ok", "blocked" or "error". */
const char *agg_job_state_name(enum agg_job_state s);
/* Returns what the console shows for a job stored in state s, before its
 * block, backfill and error fields refine it: idle and running are ok,
 * blocked is blocked, the rest (new, retry, stopped, missing) new. */
enum agg_job_state agg_job_state_of(enum job_state s);

/* One job (a worker_state document) as the console knows it. */
struct agg_job {
	enum agg_job_state state;
	int64_t last_success_ms;
	int64_t blocked_until_ms;
	int64_t requests;
	int64_t credits;
	char *why; /* the last error or block reason, sanitized; owned; may be NULL */
};

/* A worker_state row handed to agg_set_jobs. */
struct agg_jobrow {
	char tweet_id[LW_ID_MAX];
	enum job_kind kind;
	struct agg_job job; /* why is owned by the row until handed over */
};

/* A tracked tweet and everything summed for it. */
struct agg_tweet {
	char id[LW_ID_MAX];
	uint8_t category;
	char *author; /* handle, sanitized, or NULL while unknown; owned */
	int64_t total[M__COUNT];
	struct agg_hours hours[M__COUNT];
	int64_t eng[ACT__COUNT];
	struct agg_job job[JOB__COUNT];
	bool listed;   /* in the campaign document's tweets (false: removed, or not seen yet) */
	uint8_t *seqs; /* bitmap of applied slice sequence numbers */
	size_t nseqs;  /* bytes in seqs */
};

/* One account within one campaign. */
struct agg_cu {
	uint32_t user;
	uint32_t last; /* newest engagement (head of the timeline) */
	uint32_t n;    /* engagements */
	uint8_t mask;  /* 1 << action for each action seen */
	uint8_t bucket;
	uint8_t importance; /* highest importance of its engagements */
	int64_t last_at;
};

/* An alerts_sent row (or a pending or failed alert the worker reports). */
struct agg_alert {
	int64_t at_ms;
	char *handle;  /* or the user id; owned */
	char *channel; /* slack, email; owned */
	enum alert_delivery status;
	char *why; /* a failed one's reason; owned; may be NULL */
	uint8_t action;
	char tweet_id[LW_ID_MAX];
};

/* A filter over engagements: masks of allowed values (0 means all). */
struct agg_filter {
	unsigned buckets;    /* 1 << enum lw_bucket */
	unsigned actions;    /* 1 << enum lw_action */
	unsigned categories; /* 1 << enum tweet_category */
	int min_importance;
};

/* Everything the console knows about one campaign. */
struct agg_campaign {
	char id[48];
	char *name;   /* owned; the id until the campaign document is seen */
	char *client; /* owned, "" when unknown */
	int64_t start_ms, end_ms;
	enum campaign_status status;
	int64_t close_requested_ms;
	bool known; /* its campaign document was applied */

	struct agg_tweet *tweets;
	size_t ntweets;
	uint32_t *tweet_map; /* open addressing: hash of the id -> tweet index + 1 */
	size_t tweet_cap;
	/* hourly deltas: [category] for each category, [CAT__COUNT] for all */
	struct agg_hours hours[CAT__COUNT + 1][M__COUNT];
	int64_t total[CAT__COUNT + 1][M__COUNT];
	struct agg_hours bucket_events[BK__COUNT];
	int64_t uniq[BK__COUNT];                 /* unique accounts by bucket */
	int64_t uniq_act[ACT__COUNT][BK__COUNT]; /* ... that did each action */
	int64_t events[ACT__COUNT];

	struct agg_eng *eng; /* in arrival order */
	size_t neng, capeng;
	struct agg_cu *cu;
	size_t ncu, capcu;
	uint32_t *cu_map; /* open addressing: user index + 1 -> cu index */
	size_t cu_cap;

	int64_t eng_watermark_ms;   /* largest first_seen_at applied */
	int64_t slice_watermark_ms; /* largest slice at applied */

	struct agg_alert *alerts; /* newest first */
	size_t nalerts;

	int64_t requests, credits; /* summed over jobs */

	uint32_t top[AGG_TOP_MAX]; /* cu indexes, best first */
	size_t ntop;
	bool top_dirty;
	uint64_t version; /* bumped by every change, for caches and redraws */
};

/* The whole model. */
struct agg {
	struct agg_campaign **campaigns; /* in the order they became known */
	size_t ncampaigns;
	struct agg_user *users;
	size_t nusers, capusers;
	uint64_t *user_keys; /* open addressing: id -> user index + 1 in user_vals */
	uint32_t *user_vals;
	size_t user_cap;
	char *text; /* snippet arena, NUL-separated */
	size_t ntext, captext;
	int64_t batches; /* batches applied */
};

/* Creates an empty model (caller frees with agg_free). */
struct agg *agg_new(void);
/* Frees the model; NULL is a no-op. */
void agg_free(struct agg *a);

/* Applies a batch of new engagements and slices. Engagements and slices
 * already applied are skipped; unknown campaigns and tweets are created. b
 * stays owned by the caller. */
void agg_apply(struct agg *a, const struct event_batch *b);

/* Applies a stored campaign's settings (name, client, window, status,
 * tweets); c stays owned by the caller. Returns the campaign (borrowed). */
struct agg_campaign *agg_set_campaign(struct agg *a, const struct campaign *c);

/* Replaces the job states of campaign id with rows (takes ownership of each
 * row's why; the array stays the caller's). */
void agg_set_jobs(struct agg *a, const char *id, struct agg_jobrow *rows, size_t n);

/* The provider's health as a campaign's jobs show it. */
struct agg_health {
	int failing;              /* jobs whose last run failed */
	int blocked;              /* jobs snoozed past now (rate limit, credits) */
	int64_t blocked_until_ms; /* the latest of those; 0 when none */
	int64_t last_success_ms;  /* the newest success of any job; 0 when none */
	const char *why_failing;  /* a reason of a failing job (borrowed); NULL */
	const char *why_blocked;  /* a reason of a blocked job (borrowed); NULL */
};
/* Fills *h from c's jobs at now_ms (all zero when c is NULL). */
void agg_job_health(const struct agg_campaign *c, int64_t now_ms, struct agg_health *h);

/* Replaces the alerts of campaign id with alerts (takes ownership of the
 * array and its strings), newest first. */
void agg_set_alerts(struct agg *a, const char *id, struct agg_alert *alerts, size_t n);

/* Sets the author handle of tweet_id in campaign id (copied, sanitized). */
void agg_set_author(struct agg *a, const char *id, const char *tweet_id, const char *handle);

/* Returns the campaign with this id, or NULL (borrowed until agg_free). */
struct agg_campaign *agg_campaign(struct agg *a, const char *id);

/* Returns the tweet index of tweet_id in c, or -1. */
int agg_tweet_index(const struct agg_campaign *c, const char *tweet_id);

/* Returns the snippet of e ("" when none; borrowed until the next apply). */
const char *agg_eng_text(const struct agg *a, const struct agg_eng *e);

/* Returns true when e passes f. */
bool agg_filter_match(const struct agg_filter *f, const struct agg_eng *e);

/* Returns the number of unique accounts of c (all buckets). */
int64_t agg_unique_total(const struct agg_campaign *c);

/* Ranks the top engagers of c (by highest importance, then engagements,
 * then followers) into c->top if needed. */
void agg_rank_top(const struct agg *a, struct agg_campaign *c);

/* Returns the campaign-account record of user index u in c, or NULL. */
const struct agg_cu *agg_cu_find(const struct agg_campaign *c, uint32_t u);

/* Writes the cumulative values of h per hour (or per UTC day when daily) for
 * the last max buckets up to now_ms into out, counting everything before the
 * first bucket as its starting value; returns how many were written and sets
 * *first_ms to the start of the first one. */
size_t agg_cumulative(const struct agg_hours *h, bool daily, int64_t now_ms, double *out,
    size_t max, int64_t *first_ms);

/* As agg_cumulative without accumulating: the value of each bucket. */
size_t agg_per_bucket(const struct agg_hours *h, bool daily, int64_t now_ms, double *out,
    size_t max, int64_t *first_ms);

/* Returns the sum of h over [from_ms, to_ms) at hour granularity. */
int64_t agg_hours_sum(const struct agg_hours *h, int64_t from_ms, int64_t to_ms);

/* Returns a canonical text dump of every aggregate of c (caller frees), so
 * two models can be compared; independent of the order events arrived in
 * except where documented (the account's bucket follows its newest
 * engagement). */
char *agg_digest(const struct agg *a, const struct agg_campaign *c);

/* Returns the bytes the model holds (arrays, strings, tables), for the
 * benchmark. */
size_t agg_memory(const struct agg *a);

#endif
