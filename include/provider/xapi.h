/*
 * xapi: the twitterapi.io client. Owns request building, error
 * classification, credit estimates, the class -> behaviour table, paging
 * guards and the pure response parsers (src/provider/xapi_parse.c). A struct xapi holds
 * one HTTP handle and belongs to one worker thread; the rate limiter it uses is
 * shared by all threads. The parsers and the policy helpers are pure and may be
 * called from any thread. The API key is never logged and never appears in a
 * result message.
 */
#ifndef LW_XAPI_H
#define LW_XAPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/event.h"

struct ratelimit;
struct strset;

#define XAPI_MAX_IDS       100 /* tweet ids per /twitter/tweets request */
#define XAPI_BODY_HEAD     200 /* bytes of a bad body kept (sanitized) for the log */
#define XAPI_CREDITS_MIN   15  /* minimum credits charged per call */
#define XAPI_CREDITS_TWEET 15  /* credits per returned tweet */
#define XAPI_CREDITS_USER  18  /* credits per returned profile */

/* Error classes; each has one behaviour in the policy table (docs/provider.md). */
enum xapi_class {
	XAPI_OK,
	XAPI_AUTH,         /* 401/403: key wrong; stop the job, no retries */
	XAPI_CREDITS,      /* 402: out of credits; snooze until the recheck time */
	XAPI_RATE_LIMIT,   /* 429: snooze for Retry-After or backoff; no attempt spent */
	XAPI_TRANSIENT,    /* 5xx, resets, timeouts: retried in the call, then a failed attempt */
	XAPI_BAD_RESPONSE, /* 200 with status "error", or not the documented JSON */
	XAPI_CURSOR,       /* the provider rejected the cursor: reset it once */
	XAPI__COUNT
};

/* What a job does with a result of a class. */
enum xapi_action {
	XAPI_DO_DONE,         /* success */
	XAPI_DO_STOP,         /* stop the job and show the error until config changes */
	XAPI_DO_SNOOZE,       /* set blocked_until = now + delay; attempts unchanged */
	XAPI_DO_RETRY,        /* attempts += 1; next_run_at = now + delay */
	XAPI_DO_RESET_CURSOR, /* drop the saved cursor and run again at once (once) */
};

/* The behaviour of one class (one row of a static table). */
struct xapi_policy {
	const char *name; /* "ok", "auth", "credits", ... */
	enum xapi_action action;
	bool retry;            /* the job runs again by itself */
	bool spend_attempt;    /* the failure counts against attempts */
	int64_t base_delay_ms; /* first delay (backoff doubles from here) */
	int64_t max_delay_ms;  /* cap of the backoff */
	const char *behaviour; /* one line for logs and docs */
};

/* Returns the policy row of c (static; never NULL). */
const struct xapi_policy *xapi_policy_of(enum xapi_class c);
/* Returns the class's short name ("rate_limit"). */
const char *xapi_class_name(enum xapi_class c);
/* Returns the command-line exit status for a failure of class c (LW_EXIT_*:
 * credits and rate limits 75, transient 69, the rest 1; XAPI_OK 0). */
int xapi_class_exit(enum xapi_class c);

/* Returns how long to wait before trying again after a failure of class c on
 * the given attempt (1 for the first failure): Retry-After when the class is
 * RATE_LIMIT and retry_after_s >= 0, credits_recheck_ms for CREDITS (<= 0
 * means the table's default), else exponential backoff from the table with
 * full jitter in [delay/2, delay] drawn from rnd. Pure. */
int64_t xapi_delay_ms(
    enum xapi_class c, int attempt, int retry_after_s, int64_t credits_recheck_ms, uint64_t rnd);

/* Returns a random 64-bit value for jitter (thread-safe). */
uint64_t xapi_rand(void);

/* ---- parsed responses (plain structs; jansson never escapes the parser) ---- */

/* One page of a list endpoint (retweeters give users, the others tweets). */
struct xapi_page {
	struct lw_user *users; /* retweeters */
	size_t n_users;
	struct lw_tweet *tweets; /* replies, quotes, metrics */
	size_t n_tweets;
	bool has_next_page;
	char *next_cursor; /* "" when absent; never NULL after a successful parse */
	bool had_status;   /* the body carried a "status" field */
	size_t n_skipped;  /* array items dropped: not an object, or no usable id */
};

/* Frees everything a page owns and zeroes it. */
void xapi_page_done(struct xapi_page *p);

/* Account balance from /oapi/my/info. */
struct xapi_balance {
	int64_t recharge_credits;
	int64_t bonus_credits; /* total_bonus_credits, 0 when absent */
};

/* Parses a page holding tweets: the array under "tweets" or "replies"
 * (either is accepted; "tweets" wins), has_next_page and next_cursor. A body
 * with status "error" or that is not a JSON object fails. Fills out (caller
 * frees with xapi_page_done) and returns 0, or -1 with *cause. Pure. */
int xapi_parse_tweets_page(const char *body, size_t len, struct xapi_page *out, char **cause);
/* Parses a page of users (retweeters) under "users"; as above. Pure. */
int xapi_parse_users_page(const char *body, size_t len, struct xapi_page *out, char **cause);
/* Parses /twitter/user/info ({"data": User}) into out (caller frees with
 * lw_user_done); 0 or -1 with *cause. Pure. */
int xapi_parse_user_info(const char *body, size_t len, struct lw_user *out, char **cause);
/* Parses /oapi/my/info; 0 or -1 with *cause. Pure. */
int xapi_parse_balance(const char *body, size_t len, struct xapi_balance *out, char **cause);

/* Parses one provider Tweet object given as JSON text (used by tests and
 * tools); 0 or -1 with *cause. Pure. */
int xapi_parse_tweet(const char *body, size_t len, struct lw_tweet *out, char **cause);

/* Classifies an HTTP status and body: 200 with a documented envelope is OK
 * (status missing or "success"), 200 with status "error" is BAD_RESPONSE (or
 * CURSOR when its message mentions a cursor), 401/403 AUTH, 402 CREDITS,
 * 429 RATE_LIMIT, 5xx and 408 TRANSIENT, 400 mentioning a cursor CURSOR,
 * other statuses BAD_RESPONSE. *message (may be NULL) gets the provider's
 * message or error text sanitized (caller frees; NULL when none). Pure. */
enum xapi_class xapi_classify(long status, const char *body, size_t len, char **message);

/* Converts Twitter's legacy time ("Tue Dec 10 07:00:30 +0000 2024") to
 * milliseconds since the epoch; 0 or -1. Locale-independent. Pure. */
int xapi_parse_time(const char *s, int64_t *ms);
/* Formats ms as Twitter's legacy time (UTC) into buf (>= 31 bytes). Pure. */
void xapi_format_time(int64_t ms, char *buf, size_t size);

/* ---- the client ---- */

/* Client settings; xapi_config_from_env fills them. */
struct xapi_config {
	char *base_url;               /* no trailing slash; owned */
	char *key;                    /* owned; NULL only against a loopback base URL */
	struct ratelimit *rl;         /* shared bucket (borrowed); NULL: ratelimit_global() */
	int transient_retries;        /* extra tries inside one call on 5xx/transport (default 2) */
	int64_t transient_backoff_ms; /* first in-call backoff, doubled (default 500) */
	int64_t inline_429_wait_ms;   /* total 429 waiting done inside one call (default 0) */
	int64_t rate_wait_max_ms;     /* longest client-side rate-limiter wait (default 60000) */
	int64_t
	    credits_recheck_ms;  /* snooze after 402 (LAUNCHWATCH_CREDITS_RECHECK, default 300 s) */
	long connect_timeout_ms; /* default 5000 */
	long total_timeout_ms;   /* default 30000 */
};

/* Sets the defaults above with no base URL and no key. */
void xapi_config_init(struct xapi_config *cfg);
/* Reads TWITTERAPI_BASE_URL, TWITTERAPI_KEY or TWITTERAPI_KEY_FILE (first
 * line, trimmed) and LAUNCHWATCH_CREDITS_RECHECK (seconds) into cfg after
 * xapi_config_init; a missing key is an error unless the base URL is a
 * loopback address (the simulator). 0 or -1 with cause (never the key). */
int xapi_config_from_env(struct xapi_config *cfg, char **cause);
/* Frees the strings of cfg (the key is wiped first) and zeroes it. */
void xapi_config_done(struct xapi_config *cfg);

/* The outcome of one call. */
struct xapi_result {
	enum xapi_class cls;
	long http_status;  /* last HTTP status; 0 when none arrived */
	int retry_after_s; /* from the last response; -1 when absent */
	int requests;      /* HTTP requests made, retries included */
	int rate_limited;  /* 429s seen (waited out inline or returned) */
	int64_t credits;   /* estimated credits charged */
	char *message;     /* sanitized, human-readable; NULL on OK; owned */
	char *body_head;   /* first XAPI_BODY_HEAD bytes of a bad body, sanitized; owned */
};

/* Frees the strings of r and zeroes it. */
void xapi_result_done(struct xapi_result *r);

struct xapi;

/* Returns a client for the calling thread using a copy of cfg. Caller frees. */
struct xapi *xapi_new(const struct xapi_config *cfg);
/* Frees x; NULL is a no-op. */
void xapi_free(struct xapi *x);

/* Tweets (metrics) for n <= XAPI_MAX_IDS ids. Ids absent from the response
 * are listed in missing. */
struct xapi_tweets {
	struct lw_tweet *tweets;
	size_t n;
	char (*missing)[LW_ID_MAX];
	size_t n_missing;
};
/* Frees what out owns and zeroes it. */
void xapi_tweets_done(struct xapi_tweets *t);

/* Each call below fills res (caller frees with xapi_result_done) and on OK
 * its output (caller frees); returns 0 when res->cls is XAPI_OK, else -1. */

/* GET /twitter/tweets?tweet_ids=... for ids[0..n) (borrowed). */
int xapi_get_tweets(struct xapi *x, const char *const *ids, size_t n, struct xapi_tweets *out,
    struct xapi_result *res);
/* One page of GET /twitter/tweet/retweeters (cursor "" or NULL for page 1). */
int xapi_retweeters(struct xapi *x, const char *tweet_id, const char *cursor, struct xapi_page *out,
    struct xapi_result *res);
/* One page of GET /twitter/tweet/replies; since_s > 0 adds sinceTime. */
int xapi_replies(struct xapi *x, const char *tweet_id, const char *cursor, int64_t since_s,
    struct xapi_page *out, struct xapi_result *res);
/* One page of GET /twitter/tweet/quotes; since_s > 0 adds sinceTime. */
int xapi_quotes(struct xapi *x, const char *tweet_id, const char *cursor, int64_t since_s,
    struct xapi_page *out, struct xapi_result *res);
/* As xapi_replies and xapi_quotes, with until_s > 0 adding untilTime (unix
 * seconds, exclusive: only items posted before it); pass the same until_s
 * with every cursor of that walk. A provider that ignored it would only
 * make the walk longer, never wrong. */
int xapi_replies_range(struct xapi *x, const char *tweet_id, const char *cursor, int64_t since_s,
    int64_t until_s, struct xapi_page *out, struct xapi_result *res);
int xapi_quotes_range(struct xapi *x, const char *tweet_id, const char *cursor, int64_t since_s,
    int64_t until_s, struct xapi_page *out, struct xapi_result *res);
/* GET /twitter/user/info?userName=handle. */
int xapi_user_info(
    struct xapi *x, const char *handle, struct lw_user *out, struct xapi_result *res);
/* GET /oapi/my/info (no credits estimated). */
int xapi_balance(struct xapi *x, struct xapi_balance *out, struct xapi_result *res);

/* Returns the estimated credits of a successful response carrying n_tweets
 * tweets and n_users profiles: max(15, 15 * tweets + 18 * users). Pure. */
int64_t xapi_credits_estimate(size_t n_tweets, size_t n_users);

/* ---- paging guards ---- */

/* Why a walk stopped. */
enum xapi_stop {
	XAPI_STOP_NONE,         /* keep going */
	XAPI_STOP_LAST_PAGE,    /* has_next_page false */
	XAPI_STOP_EMPTY_PAGE,   /* a page with no items */
	XAPI_STOP_NO_CURSOR,    /* has_next_page true but no cursor */
	XAPI_STOP_CURSOR_CYCLE, /* the next cursor was seen before in this walk */
	XAPI_STOP_MAX_PAGES,    /* the caller's page limit */
};

/* Returns a short phrase for s ("last page", "empty page", ...). */
const char *xapi_stop_name(enum xapi_stop s);

/* The state of one walk over the pages of one list (one thread). */
struct xapi_walk {
	char *cursor;        /* cursor for the next request ("" for page 1); owned */
	int pages;           /* pages fed */
	size_t items;        /* unique items kept */
	size_t duplicates;   /* items dropped as seen earlier in this walk */
	int max_pages;       /* 0: no limit */
	enum xapi_stop stop; /* XAPI_STOP_NONE while the walk goes on */
	struct strset *seen_cursors;
	struct strset *seen_ids;
};

/* Starts a walk at cursor (NULL or "" for page 1), at most max_pages pages
 * (0: no limit). */
void xapi_walk_init(struct xapi_walk *w, const char *cursor, int max_pages);
/* Frees the walk's memory. */
void xapi_walk_done(struct xapi_walk *w);
/* Feeds one fetched page: drops items already seen in this walk (in place,
 * freeing them), remembers the cursor, and decides whether to go on. Returns
 * true when another page should be fetched with w->cursor. */
bool xapi_walk_feed(struct xapi_walk *w, struct xapi_page *page);

#endif
