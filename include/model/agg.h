/*
 * agg: the console's model, per campaign: its settings; its prepared
 * summary (model/prep.h: totals, hourly series per category, unique
 * accounts per bucket and action, per-tweet rows, top engagers); a feed of
 * the newest engagements (the summary's newest, then the change log's new
 * records: at most AGG_FEED_MAX, newest first by when they happened, each
 * engagement once); job and provider health, alerts and tweet authors;
 * and what the reader read on demand: a tweet's own hourly series, one
 * account's profile. Nothing here grows with the number of stored
 * engagements. The reader (engine/reader.h) reads all of it on its own
 * thread; the UI thread applies it here. Model code: no curses, no I/O;
 * one owner thread (the UI thread) calls everything; nothing here locks.
 */
#ifndef LW_AGG_H
#define LW_AGG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/alert.h"
#include "model/campaign.h"
#include "model/event.h"
#include "model/minutes.h"
#include "model/job.h"
#include "model/prep.h"
#include "model/sentiment.h"
#include "model/series.h"

#define AGG_FEED_MAX    1000 /* feed rows kept per campaign (the JSON endpoint's ceiling) */
#define AGG_PROFILE_MAX 50   /* engagements a profile reads */

/* The six public counts, in struct lw_metrics order (PREP_METRICS). */
enum agg_metric { M_LIKES, M_RETWEETS, M_REPLIES, M_QUOTES, M_VIEWS, M_BOOKMARKS, M__COUNT };

/* Returns "likes", "retweets", "replies", "quotes", "views" or "bookmarks". */
const char *agg_metric_name(enum agg_metric m);

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

/* Where something read on demand stands. */
enum agg_load { AGG_LOAD_NONE, AGG_LOAD_ASKED, AGG_LOAD_READY, AGG_LOAD_FAILED };

/* A tracked tweet. */
struct agg_tweet {
	char id[LW_ID_MAX];
	uint8_t category;
	char *author;            /* handle, sanitized, or NULL while unknown; owned */
	int64_t total[M__COUNT]; /* metric deltas summed, as of the summary */
	int64_t eng[ACT__COUNT]; /* engagements per action, as of the summary */
	struct agg_job job[JOB__COUNT];
	bool listed; /* in the campaign document's tweets (false: removed, or not seen yet) */
	enum agg_load load;        /* its own series, read on demand */
	struct series m[M__COUNT]; /* its hourly metric deltas once READY */
	struct minutes mins;       /* the same per minute (sparse) */
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

/* A filter over feed rows: masks of allowed values (0 means all). */
struct agg_filter {
	unsigned buckets;    /* 1 << enum lw_bucket */
	unsigned actions;    /* 1 << enum lw_action */
	unsigned categories; /* 1 << enum tweet_category */
	int min_importance;
	char tweet_id[LW_ID_MAX]; /* "" for every tweet */
};

/* How far a campaign's prepared summary has come. */
enum agg_prep {
	AGG_PREP_LOADING,   /* nothing read yet */
	AGG_PREP_PREPARING, /* the database holds no prepared summary yet */
	AGG_PREP_READY,     /* a summary is applied */
};

/* Everything the console knows about one campaign. */
struct agg_campaign {
	char id[48];
	char *name;   /* owned; the id until the campaign document is seen */
	char *client; /* owned, "" when unknown */
	int64_t start_ms, end_ms;
	enum campaign_status status;
	int64_t close_requested_ms;
	bool known;              /* its campaign document was applied */
	struct cfg_campaign cfg; /* its settings as stored (the forms start from them); owned */

	enum agg_prep prep;
	struct prep_summary sum; /* the newest summary applied (zeroed before) */

	struct agg_tweet *tweets; /* the campaign document's, then the summary's others */
	size_t ntweets;
	uint32_t *tweet_map; /* open addressing: hash of the id -> tweet index + 1 */
	size_t tweet_cap;

	struct prep_eng *feed; /* newest first (prep_eng_newer), at most AGG_FEED_MAX */
	size_t nfeed, capfeed;

	struct agg_alert *alerts; /* newest first */
	size_t nalerts;
	char alert_rule[256];      /* what alerts and where, from the campaign's settings */
	int64_t requests, credits; /* summed over jobs */
	struct sent_state *sent;   /* the sentiment sums (<cid>:sentiment); NULL: no scorer ran */
	uint64_t version;          /* bumped by every change, for caches and redraws */
};

/* The whole model. */
struct agg {
	struct agg_campaign **campaigns; /* in the order they became known */
	size_t ncampaigns;
};

/* Creates an empty model (caller frees with agg_free). */
struct agg *agg_new(void);
/* Frees the model; NULL is a no-op. */
void agg_free(struct agg *a);

/* Returns the campaign with this id, or NULL (borrowed until agg_free). */
struct agg_campaign *agg_campaign(struct agg *a, const char *id);

/* Applies a stored campaign's settings (name, client, window, status,
 * tweets); c stays owned by the caller. Returns the campaign (borrowed). */
struct agg_campaign *agg_set_campaign(struct agg *a, const struct campaign *c);

/* Applies summary s of campaign id (takes what s owns and zeroes it): its
 * numbers replace the old ones, its newest engagements join the feed. */
void agg_set_summary(struct agg *a, const char *id, struct prep_summary *s);

/* Notes that campaign id has no prepared summary yet. */
void agg_set_preparing(struct agg *a, const char *id);

/* Adds change-log records v[0..n) of campaign id to its feed (copied and
 * sanitized; those it holds already are skipped, the oldest beyond
 * AGG_FEED_MAX dropped). Returns how many rows were new. */
size_t agg_feed_add(struct agg *a, const char *id, const struct prep_eng *v, size_t n);

/* Returns the key of engagement e (its tweet, account and action hashed). */
uint64_t agg_eng_key(const struct prep_eng *e);

/* Returns the feed row of c with key, or -1. */
long agg_feed_find(const struct agg_campaign *c, uint64_t key);

/* Merges add[0..nadd) into v[0..*n) (takes add's strings; frees the
 * array's strings it drops), keeping each engagement once, newest first,
 * at most max rows. Returns how many of add were kept as new rows. */
size_t agg_eng_merge(
    struct prep_eng **v, size_t *n, size_t *cap, struct prep_eng *add, size_t nadd, size_t max);

/* Replaces the job states of campaign id with rows (takes ownership of each
 * row's why; the array stays the caller's). */
void agg_set_jobs(struct agg *a, const char *id, struct agg_jobrow *rows, size_t n);

/* The provider's health as a campaign's jobs show it. */
struct agg_health {
	int failing;              /* jobs whose last run failed */
	int blocked;              /* jobs snoozed (rate limit, credits), also past their time
	                             while no engine looked again */
	int64_t blocked_until_ms; /* the latest of those; 0 when none */
	int64_t last_success_ms;  /* the newest success of any job; 0 when none */
	const char *why_failing;  /* a reason of a failing job (borrowed); NULL */
	const char *why_blocked;  /* a reason of a blocked job (borrowed); NULL */
};
/* Fills *h from c's jobs at now_ms (all zero when c is NULL). */
void agg_job_health(const struct agg_campaign *c, int64_t now_ms, struct agg_health *h);

/* Returns true while c's numbers are not complete yet: no summary applied,
 * or the campaign is live and one of its listed tweets' jobs has neither
 * succeeded nor reported an error or a block (its first read is still
 * running, or the jobs were not read yet). */
bool agg_loading(const struct agg_campaign *c);

/* What c's CPM settings make of its views so far (DESIGN.md's formula:
 * paid equivalent = sum of views / 1000 x benchmark over the categories
 * with a benchmark, savings = paid equivalent - spend). */
struct agg_cpm {
	bool has_paid;  /* some category has a benchmark */
	bool has_spend; /* some category has a spend */
	double paid_usd, spend_usd, savings_usd;
	bool farm_excluded; /* views were scaled to leave likely-farmed accounts out */
};
/* Fills *out for c (never negative views). */
void agg_cpm(const struct agg_campaign *c, struct agg_cpm *out);
/* As agg_cpm; with exclude (and farm data in the summary), each tweet's
 * views count without its likely-farmed share (prep_views_excl_farm). */
void agg_cpm_farm(const struct agg_campaign *c, bool exclude, struct agg_cpm *out);

/* Replaces the alerts of campaign id with alerts (takes ownership of the
 * array and its strings), newest first. */
void agg_set_alerts(struct agg *a, const char *id, struct agg_alert *alerts, size_t n);
/* Replaces campaign id's sentiment sums with sent (taken; NULL: none). */
void agg_set_sentiment(struct agg *a, const char *id, struct sent_state *sent);

/* Sets the author handle of tweet_id in campaign id (copied, sanitized). */
void agg_set_author(struct agg *a, const char *id, const char *tweet_id, const char *handle);

/* Returns the tweet index of tweet_id in c, or -1. */
int agg_tweet_index(const struct agg_campaign *c, const char *tweet_id);

/* Marks tweet i of c's own series as asked for; returns true when it was
 * neither asked for nor read before (the caller asks the reader). */
bool agg_tweet_ask(struct agg_campaign *c, size_t i);

/* Sets the own series of tweet_id in campaign id (takes m's values and
 * zeroes them); ok false: it could not be read (asked again later). */
void agg_set_tweet_series(
    struct agg *a, const char *id, const char *tweet_id, struct series m[M__COUNT], bool ok);

/* Sets the metric deltas per minute of tweet_id in campaign id (takes
 * mins's rows and zeroes it); call before agg_set_tweet_series. */
void agg_set_tweet_minutes(
    struct agg *a, const char *id, const char *tweet_id, struct minutes *mins);

/* Returns true when feed row e passes f. */
bool agg_filter_match(const struct agg_filter *f, const struct prep_eng *e);

/* Returns the number of unique accounts of c (all buckets). */
int64_t agg_unique_total(const struct agg_campaign *c);

/* Returns a canonical text of c (its summary's digest, tweets, feed keys),
 * so two models can be compared; caller frees. */
char *agg_digest(const struct agg_campaign *c);

/* Returns the bytes the model holds, for the benchmark. */
size_t agg_memory(const struct agg *a);

/* ---- one account's profile, read on demand ---- */

/* One engagement of a profile. */
struct agg_profile_eng {
	int64_t at_ms; /* created_at when known, else first_seen_at */
	char tweet_id[LW_ID_MAX];
	uint8_t action, bucket, importance;
	char *text; /* the reply or quote text, sanitized; "" for none; owned */
};

/* One account in one campaign: what a feed or top-engager row knows at
 * once, then what the reader read (its account chunk and up to
 * AGG_PROFILE_MAX of its engagement documents). Owned by whoever holds it;
 * freed with agg_profile_free. */
struct agg_profile {
	char cid[48];
	char user_id[LW_ID_MAX];
	enum agg_load state;       /* ASKED: loading; READY; FAILED (why) */
	char *why;                 /* FAILED: the reason; owned */
	char *handle, *name, *bio; /* sanitized; owned */
	int64_t followers, following;
	bool verified;
	bool has_farm;               /* farm_reasons were stored with its engagement */
	uint16_t farm_reasons;       /* its static farm rules (model/farm.h) */
	uint8_t bucket, importance;  /* of its best engagement */
	int64_t first_at_ms;         /* its first engagement (0: unknown) */
	size_t total;                /* engagements stored for it (0: unknown) */
	struct agg_profile_eng *eng; /* newest first; owned */
	size_t neng;
};

/* Returns a new, empty profile of user_id in campaign cid (loading). */
struct agg_profile *agg_profile_new(const char *cid, const char *user_id);
/* Returns a new profile of campaign cid asked from feed row e (loading). */
struct agg_profile *agg_profile_from_eng(const char *cid, const struct prep_eng *e);
/* Returns a new profile of campaign cid asked from top engager t (loading). */
struct agg_profile *agg_profile_from_top(const char *cid, const struct prep_top *t);
/* Sets p's account details (sanitized copies) from stored engagement e. */
void agg_profile_set_user(struct agg_profile *p, const struct lw_engagement *e);
/* Adds stored engagement e to p's engagements (sanitized copy), keeping
 * them newest first. */
void agg_profile_add(struct agg_profile *p, const struct lw_engagement *e);
/* Frees p; NULL is a no-op. */
void agg_profile_free(struct agg_profile *p);

#endif
