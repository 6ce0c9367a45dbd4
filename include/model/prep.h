/*
 * prep: one campaign's prepared aggregates (docs/architecture.md, "Prepared
 * aggregates and the change log"). The state is built by applying the
 * change log's records (new engagements, new metric slices) or, for a
 * rebuild, every stored engagement and slice; it derives the summary that
 * consoles, the JSON endpoint and reports read.
 *
 * Everything is order-independent and idempotent, so a state reloaded from
 * its persisted parts and replayed from the log equals the state that never
 * stopped, and equals a rebuild from the stored events:
 * - an account's best engagement is its most important one, then the
 *   smallest tweet id (strcmp), then the smallest action (report_build's
 *   rule); the account counts once, in that engagement's bucket;
 * - an engagement is a (tweet, action) pair of its account, recorded with
 *   the seq of the first log entry that held it; additive counters (per
 *   tweet, per hour, per bucket, per action) count a pair in the entry where
 *   it is new, and only for entries past the counters' own seq (`counted`);
 * - a tweet's metric slices are applied once each (by slice seq).
 * The persisted parts: the account table in PREP_CHUNKS chunks, one
 * document per tweet (its slices and hourly metric deltas) and the summary
 * (which carries the additive counters and their seq). Account-level values
 * (unique accounts, top engagers) and metric totals are derived again
 * whenever a summary is built.
 *
 * Model code: no I/O. One owner thread per struct prep.
 */
#ifndef LW_PREP_H
#define LW_PREP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/util.h"
#include "model/campaign.h"
#include "model/event.h"
#include "model/farm.h"
#include "model/minutes.h"
#include "model/series.h"

#define PREP_METRICS 6 /* struct lw_metrics order: likes .. bookmarks */
_Static_assert(PREP_METRICS == MINUTES_W, "a minute row holds the six metrics");
#define PREP_TOP_MAX      100 /* top engagers in a summary */
#define PREP_CHUNKS       64  /* account-table chunks */
#define PREP_HANDLE_MAX   64  /* bytes of a handle kept (sanitized) */
#define PREP_NAME_MAX     48  /* bytes of a display name in a log record */
#define PREP_SNIPPET_MAX  96  /* bytes of reply or quote text in a log record */
#define PREP_EVIDENCE_MAX 240 /* bytes of a top engager's evidence */
#define PREP_LATEST_MAX   200 /* newest engagements in a summary */

/* One new engagement document as a log record (owns its strings). */
struct prep_eng {
	char tweet_id[LW_ID_MAX];
	char user_id[LW_ID_MAX];
	uint8_t action;   /* enum lw_action */
	uint8_t bucket;   /* enum lw_bucket */
	uint8_t category; /* enum tweet_category of the engaged tweet */
	uint8_t importance;
	bool verified;
	int64_t followers;
	int64_t at_ms;            /* created_at when known, else first_seen_at */
	int64_t first_seen_at_ms; /* when it was stored */
	char *handle;             /* sanitized, "" when unknown */
	char *name;               /* sanitized, at most PREP_NAME_MAX bytes */
	char *snippet;            /* reply or quote text, sanitized, cut; "" for retweets */
	bool has_farm;            /* farm_reasons known (a record of an older release has none) */
	uint16_t farm_reasons;    /* static farm rules met at ingest (model/farm.h) */
	uint32_t text_hash;       /* farm_text_hash of the full reply or quote text; 0: none */
};

/* One new metric slice as a log record. */
struct prep_slice {
	char tweet_id[LW_ID_MAX];
	uint8_t category;
	int64_t seq; /* the slice's seq (1, 2, ... per tweet) */
	int64_t at_ms;
	int64_t d[PREP_METRICS]; /* deltas since the previous slice */
};

/* Fills r from a stored or new engagement (sanitized copies; e borrowed). */
void prep_eng_from(struct prep_eng *r, const struct lw_engagement *e);
/* Fills r from a metric slice. */
void prep_slice_from(struct prep_slice *r, const struct lw_slice *s);
/* Frees the strings of r and zeroes it. */
void prep_eng_done(struct prep_eng *r);

/* ---- change-log items: a blob of engagement and slice records ---- */

/* Appends the items of one change-log entry to b. */
void prep_items_encode(
    struct sbuf *b, const struct prep_eng *e, size_t ne, const struct prep_slice *s, size_t ns);
/* Decodes items written by prep_items_encode into new arrays (caller frees
 * each engagement with prep_eng_done, then both arrays). 0, or -1 with a
 * cause when the bytes are malformed (nothing is returned then). */
int prep_items_decode(const void *p, size_t len, struct prep_eng **e, size_t *ne,
    struct prep_slice **s, size_t *ns, char **cause);

/* ---- the summary: what readers use ---- */

/* One tweet of the summary, in the order the state first saw them. */
struct prep_tweet_sum {
	char id[LW_ID_MAX];
	uint8_t category;
	int64_t total[PREP_METRICS];
	int64_t eng[ACT__COUNT]; /* engagement documents per action */
	int64_t slices;          /* metric slices applied */
	/* accounts that engaged it, each once, in its best bucket (the pie's
	 * rule), and those that did each action (prep_summary.tweet_uniq) */
	int64_t uniq[BK__COUNT];
	int64_t uniq_act[ACT__COUNT][BK__COUNT];
	/* accounts that engaged it per farm score (prep_summary.has_farm) */
	int64_t farm[FARM_SCORES];
};

/* One top engager. */
struct prep_top {
	char user_id[LW_ID_MAX];
	char *handle; /* sanitized */
	char *name;   /* sanitized; "" until the engine read the details */
	char *evidence;
	bool has_details; /* name and evidence were read from the best engagement */
	int64_t followers;
	bool verified;
	uint8_t bucket;
	uint8_t importance;
	int64_t actions[ACT__COUNT]; /* engagements per action */
	int64_t ntweets;             /* distinct tweets engaged */
	char best_tweet[LW_ID_MAX];  /* the best engagement: where the details live */
	uint8_t best_action;
};

/* The prepared summary of one campaign. Owned by whoever holds it; freed
 * with prep_summary_done. */
struct prep_summary {
	char campaign_id[48];
	int64_t seq;   /* the change-log seq it covers */
	int64_t at_ms; /* when it was built */
	struct prep_tweet_sum *tweets;
	size_t ntweets;
	/* metric deltas: [category] for each category, [CAT__COUNT] for all */
	int64_t total[CAT__COUNT + 1][PREP_METRICS];
	struct series hours[CAT__COUNT + 1][PREP_METRICS];
	/* the same per minute (sparse; a summary stored before minutes were
	 * kept reads each hour's deltas at its first minute) */
	struct minutes mins[CAT__COUNT + 1];
	struct series slice_hours;             /* metric slices per hour, all tweets */
	struct series eng_hours;               /* engagements per hour (their at) */
	struct series bucket_hours[BK__COUNT]; /* engagements per bucket per hour */
	int64_t engagements;
	int64_t eng_action[ACT__COUNT];
	int64_t eng_bucket[BK__COUNT];
	int64_t unique_accounts;
	int64_t uniq[BK__COUNT];                 /* accounts, each in its best bucket */
	int64_t uniq_act[ACT__COUNT][BK__COUNT]; /* ... that did each action */
	bool tweet_uniq; /* the tweets' uniq are set (false: a summary of an older release) */
	/* accounts per farm score (their final score, static and cross-account
	 * rules), each in its best bucket; false: a summary of an older format
	 * ("no farm data" until an aggregator writes it again) */
	bool has_farm;
	int64_t farm[BK__COUNT][FARM_SCORES];
	int64_t farm_unknown; /* accounts of records without farm data */
	struct prep_top *top; /* best first */
	size_t ntop;
	/* the newest engagements by when they happened (at, then first seen,
	 * then tweet, user and action), newest first */
	struct prep_eng *latest;
	size_t nlatest;
};

/* Returns <0, 0 or >0 as a comes before, with or after b in the order of
 * prep_summary.latest (newest first). */
int prep_eng_newer(const struct prep_eng *a, const struct prep_eng *b);
/* Deep-copies src into dst. */
void prep_eng_copy(struct prep_eng *dst, const struct prep_eng *src);

/* Frees what s owns and zeroes it (a zeroed summary is fine). */
void prep_summary_done(struct prep_summary *s);
/* Appends s to b. */
void prep_summary_encode(struct sbuf *b, const struct prep_summary *s);
/* Decodes a summary written by prep_summary_encode into *out (caller calls
 * prep_summary_done). 0, or -1 with a cause. */
int prep_summary_decode(const void *p, size_t len, struct prep_summary *out, char **cause);
/* Returns a canonical text of every derived value of s (not seq or at), so
 * two summaries can be compared field by field. Caller frees. */
char *prep_summary_digest(const struct prep_summary *s);
/* Returns the index of tweet id in s, or -1. */
int prep_summary_tweet(const struct prep_summary *s, const char *id);

/* ---- likely farmed (docs/scoring.md section 7), from a summary ---- */

/* Returns true when s holds farm data for some account: its format has
 * it and not every account's records predate the farm signal. */
bool prep_has_farm(const struct prep_summary *s);
/* Returns the accounts of bucket b (BK__COUNT: all) likely farmed at
 * threshold; 0 when s has no farm data. */
int64_t prep_farmed(const struct prep_summary *s, int b, int threshold);
/* Returns the accounts that engaged tweet i, and through *farmed those of
 * them likely farmed at threshold (0 without farm data). */
int64_t prep_tweet_farmed(const struct prep_summary *s, size_t i, int threshold, int64_t *farmed);
/* Returns views * (1 - the tweet's likely-farmed share of its engaged
 * accounts), rounded down: the views CPM counts when farmed accounts are
 * excluded (views themselves when s has no farm data or no account). */
int64_t prep_views_excl_farm(
    const struct prep_summary *s, const char *tweet_id, int64_t views, int threshold);

/* ---- the state ---- */

struct prep;

/* Returns an empty state for campaign_id (copied). Caller frees. */
struct prep *prep_new(const char *campaign_id);
/* Frees p; NULL is a no-op. */
void prep_free(struct prep *p);

/* Applies engagement record e of change-log entry seq (0: from a rebuild).
 * Returns true when the engagement was new to the state. */
bool prep_apply_eng(struct prep *p, const struct prep_eng *e, uint64_t seq);
/* Applies metric slice s; returns true when it was new to the state. */
bool prep_apply_slice(struct prep *p, const struct prep_slice *s);
/* Returns true when the state holds engagement (tweet_id, user_id, action). */
bool prep_knows_eng(
    const struct prep *p, const char *tweet_id, const char *user_id, enum lw_action action);
/* Returns the lowest metric-slice seq of tweet i not applied yet. */
int64_t prep_tweet_next_slice(const struct prep *p, size_t i);
/* Notes that every entry up to seq is applied (the counters too). */
void prep_set_seq(struct prep *p, uint64_t seq);
/* Returns the seq of the last entry applied (0: none). */
uint64_t prep_seq(const struct prep *p);

/* Builds the summary of p into *out (caller calls prep_summary_done),
 * stamped at_ms. Details of top engagers come from prep_set_details. */
void prep_summary_build(struct prep *p, int64_t at_ms, struct prep_summary *out);
/* Lists the user ids of top engagers whose details are not known yet, as
 * of the last prep_summary_build (borrowed until the next call; at most
 * PREP_TOP_MAX), with their best engagement's tweet and action. */
size_t prep_details_missing(
    struct prep *p, const char ***user_ids, const char ***tweet_ids, const uint8_t **actions);
/* Sets the details (name, evidence; copied, sanitized) of a top engager. */
void prep_set_details(struct prep *p, const char *user_id, const char *name, const char *evidence);

/* ---- persistence ---- */

/* Returns the chunk (0..PREP_CHUNKS-1) that holds user_id's account. */
unsigned prep_chunk_of(const char *user_id);
/* Returns true when chunk k changed since it was last encoded or loaded. */
bool prep_chunk_dirty(const struct prep *p, unsigned k);
/* Appends chunk k of the account table to b and marks it clean. */
void prep_chunk_encode(struct prep *p, unsigned k, struct sbuf *b);
/* Returns how many tweets the state knows (their indexes are 0..n-1). */
size_t prep_ntweets(const struct prep *p);
/* Returns the id of tweet i (borrowed). */
const char *prep_tweet_id(const struct prep *p, size_t i);
/* Returns tweet i's hourly metric deltas (PREP_METRICS series, in struct
 * lw_metrics order; borrowed until the state changes), or NULL when there
 * is no tweet i. */
const struct series *prep_tweet_series(const struct prep *p, size_t i);
/* Returns tweet i's metric deltas per minute (borrowed like
 * prep_tweet_series), or NULL when there is no tweet i. */
const struct minutes *prep_tweet_minutes(const struct prep *p, size_t i);
/* Returns true when tweet i's metrics changed since last encoded or loaded. */
bool prep_tweet_dirty(const struct prep *p, size_t i);
/* Appends tweet i's document (metric series and applied slices) to b and
 * marks it clean. */
void prep_tweet_encode(struct prep *p, size_t i, struct sbuf *b);

/* One engagement pair of an account, as its chunk holds it. */
struct prep_account_pair {
	uint32_t tweet; /* index into the tweets of the summary of the same generation */
	uint8_t action; /* enum lw_action */
	uint8_t bucket; /* the engagement's own bucket */
	uint32_t seq;   /* the first change-log entry that held it (0: a rebuild) */
	uint32_t at_s;  /* replies and quotes: when it was posted (s); 0: unknown */
	uint32_t text;  /* farm_text_hash of its text; 0: none */
};

/* One account as its account chunk holds it. Owned by whoever holds it;
 * freed with prep_account_done. */
struct prep_account {
	char user_id[LW_ID_MAX];
	char handle[PREP_HANDLE_MAX + 1]; /* of its best engagement */
	int64_t followers;                /* of its best engagement */
	bool verified;
	int64_t first_at_ms; /* its earliest engagement */
	int32_t best_tweet;  /* tweet index of its best engagement; -1: none */
	uint8_t best_action, best_importance, best_bucket;
	bool has_farm;                   /* its best engagement's record had farm data */
	uint16_t farm_reasons;           /* ... and the static farm rules it met */
	struct prep_account_pair *pairs; /* every engagement it has */
	size_t npairs;
};

/* Finds user_id's account in an account chunk data[0..len) written by
 * prep_chunk_encode (one of prep_chunk_of(user_id)) into *out (caller
 * calls prep_account_done). Pure. 0 found, 1 absent, -1 with a cause when
 * the chunk is malformed. */
int prep_chunk_find(
    const void *data, size_t len, const char *user_id, struct prep_account *out, char **cause);
/* Frees what a owns and zeroes it. */
void prep_account_done(struct prep_account *a);
/* Calls fn for each account of an account chunk data[0..len) in the
 * chunk's order, one at a time (a is only valid during the call); fn
 * returns 0 to go on or -1 (with its cause) to stop. Pure. 0, or -1 with a
 * cause (a malformed chunk, or fn's). */
int prep_chunk_each(const void *data, size_t len,
    int (*fn)(const struct prep_account *a, void *arg, char **cause), void *arg, char **cause);

/* Loads a persisted summary: the tweet table and the additive counters with
 * their seq. Call first, on an empty state. 0, or -1 with a cause. */
int prep_load_summary(struct prep *p, const struct prep_summary *s, char **cause);
/* Loads a persisted tweet document (merged idempotently). 0 or -1. */
int prep_load_tweet(struct prep *p, const void *data, size_t len, char **cause);
/* Loads a persisted account chunk (merged idempotently). 0 or -1. */
int prep_load_chunk(struct prep *p, const void *data, size_t len, char **cause);

/* Returns the bytes the state holds, for the benchmark. */
size_t prep_memory(const struct prep *p);
/* Returns the number of accounts and of engagements (pairs) it holds. */
void prep_counts(const struct prep *p, size_t *accounts, size_t *engagements);

#endif
