/*
 * event: the plain data that flows from the provider client through
 * classification to the store and the UI: accounts, tweets, engagements.
 * No I/O; values are owned by whoever holds the struct and freed with the
 * matching _done function. Any thread, one owner at a time.
 */
#ifndef LW_EVENT_H
#define LW_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LW_ID_MAX 24 /* room for a tweet or user id in digits, plus NUL */

/* Engagement actions, as stored in engagements.action. */
enum lw_action { ACT_RETWEET, ACT_REPLY, ACT_QUOTE, ACT__COUNT };

/* Engager buckets, as stored in engagements.bucket. */
enum lw_bucket { BK_INVESTOR, BK_FOUNDER, BK_AI, BK_DEVELOPER, BK_MEDIA, BK_OTHER, BK__COUNT };

/* Returns "retweet", "reply" or "quote". */
const char *action_name(enum lw_action a);
/* Parses an action name; 0 or -1. */
int action_parse(const char *s, enum lw_action *out);
/* Returns "investor", "founder", "ai", "developer", "media" or "other". */
const char *bucket_name(enum lw_bucket b);
/* Parses a bucket name; 0 or -1. */
int bucket_parse(const char *s, enum lw_bucket *out);

/* What the provider says of an account's profile picture. */
enum lw_avatar { AV_UNKNOWN, AV_CUSTOM, AV_DEFAULT };

/* An X account as the provider describes it (strings are raw provider text,
 * sanitize before display). */
struct lw_user {
	char id[LW_ID_MAX];
	char *handle; /* userName, without '@' */
	char *name;
	char *bio;
	int64_t followers;
	int64_t following;
	bool verified; /* isBlueVerified or a non-empty verifiedType */
	bool unavailable;
	int64_t created_at_ms; /* when the account was made (createdAt); 0 when unknown */
	uint8_t avatar;        /* enum lw_avatar (profilePicture) */
};

/* Public counts of one tweet; -1 where the provider gave none. */
struct lw_metrics {
	int64_t likes;
	int64_t retweets;
	int64_t replies;
	int64_t quotes;
	int64_t views;
	int64_t bookmarks;
};

/* A tweet as the provider describes it. */
struct lw_tweet {
	char id[LW_ID_MAX];
	char *text;
	int64_t created_at_ms; /* 0 when unknown */
	struct lw_metrics metrics;
	struct lw_user author;
	char in_reply_to_id[LW_ID_MAX]; /* "" when not a reply */
	char quoted_id[LW_ID_MAX];      /* "" when it quotes nothing */
	char lang[8];                   /* the provider's language code ("" when none) */
};

/* One engaged account on one tracked tweet (an engagements document):
 * campaign x tweet x account x action. */
struct lw_engagement {
	char campaign_id[48];
	char tweet_id[LW_ID_MAX];
	int category; /* enum tweet_category of the engaged tweet */
	enum lw_action action;
	struct lw_user user;
	enum lw_bucket bucket;
	int importance; /* 0..100 */
	char *evidence; /* why this bucket; "" when other */
	char *text;     /* the reply or quote text; NULL for retweets */
	char lang[8];   /* its language as the provider gave it ("en"; "" when unknown) */
	char **ref_ids; /* reply or quote tweet ids (digits), nref of them */
	size_t nref;
	int64_t created_at_ms;    /* from the provider, 0 when unknown */
	int64_t first_seen_at_ms; /* when launchwatch first stored it */
	int64_t last_seen_at_ms;
	bool has_sentiment; /* engagements.sentiment is a number (an external scorer set it) */
	double sentiment;   /* -1..1 when has_sentiment */
	bool has_farm;      /* farm_reasons were computed (model/farm.h; absent in old documents) */
	uint16_t farm_reasons;   /* the static farm rules the account met at ingest */
	int64_t sentiment_at_ms; /* > 0: the scorer looked at it (scored or not) */
	int64_t sentiment_seq;   /* the change-log entry its look was counted from */
};

/* One metric observation of one tweet (a metric_slices document). */
struct lw_slice {
	char campaign_id[48];
	char tweet_id[LW_ID_MAX];
	int category; /* enum tweet_category */
	int64_t seq;  /* 1, 2, ... per tweet */
	int64_t at_ms;
	struct lw_metrics deltas; /* change since the previous observation */
};

/* What a worker hands to the UI thread after a page or a metrics call:
 * new engagements and new slices. Owned by whoever holds it;
 * event_batch_free releases everything. */
struct event_batch {
	struct lw_engagement *eng; /* only engagements that are new */
	size_t neng;
	struct lw_slice *slices;
	size_t nslices;
	struct event_batch *next; /* queue link, owned by the queue */
};

/* Returns the deterministic key of an engagement, its engagements `_id`
 * "campaign_id:tweet_id:user_id:action" (DESIGN.md section 4), as a new
 * string (caller frees). Every writer and reader of that `_id` builds it
 * here. */
char *lw_engagement_key(
    const char *campaign_id, const char *tweet_id, const char *user_id, enum lw_action action);

/* Frees the strings of e and zeroes it. */
void lw_engagement_done(struct lw_engagement *e);
/* Frees a batch and everything in it; NULL is a no-op. */
void event_batch_free(struct event_batch *b);

/* Frees the strings of u and zeroes it. */
void lw_user_done(struct lw_user *u);
/* Deep-copies src into dst. */
void lw_user_copy(struct lw_user *dst, const struct lw_user *src);
/* Frees the strings of t (and its author) and zeroes it. */
void lw_tweet_done(struct lw_tweet *t);

#endif
