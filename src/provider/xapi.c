/*
 * xapi: the twitterapi.io client: configuration from the environment,
 * request building, in-call retries (transient failures, optional short 429
 * waits), error classes, the class -> behaviour table and credit estimates.
 * A struct xapi belongs to one worker thread (it owns one HTTP handle); the
 * policy helpers are pure and callable from any thread. The key lives only in
 * the request header and is wiped when the client is freed; no message ever
 * contains it.
 */
#include "provider/xapi.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net/http.h"
#include "net/ratelimit.h"
#include "base/text.h"
#include "base/util.h"

#define DEFAULT_BASE_URL "https://api.twitterapi.io"

/* The behaviour of each class: the one table the ingest engine follows. */
static const struct xapi_policy policies[XAPI__COUNT] = {
    [XAPI_OK] = {"ok", XAPI_DO_DONE, false, false, 0, 0, "done; schedule the next run by cadence"},
    [XAPI_AUTH] = {"auth", XAPI_DO_STOP, false, false, 0, 0,
        "key rejected (401/403): stop the job and show it; no retries"},
    [XAPI_CREDITS] = {"credits", XAPI_DO_SNOOZE, true, false, 300000, 300000,
        "out of credits (402): snooze until the recheck time, then poll the balance once"},
    [XAPI_RATE_LIMIT] = {"rate_limit", XAPI_DO_SNOOZE, true, false, 1000, 60000,
        "rate limited (429): snooze for Retry-After, else backoff with jitter; no attempt spent"},
    [XAPI_TRANSIENT] = {"transient", XAPI_DO_RETRY, true, true, 2000, 300000,
        "5xx/reset/timeout: retried in the call, then a failed attempt with backoff"},
    [XAPI_BAD_RESPONSE] = {"bad_response", XAPI_DO_RETRY, true, true, 5000, 300000,
        "status \"error\" or undocumented JSON: a failed attempt with backoff; body head logged"},
    [XAPI_CURSOR] = {"cursor", XAPI_DO_RESET_CURSOR, true, false, 0, 0,
        "cursor rejected: reset the saved cursor once and walk again from page 1"},
};

const struct xapi_policy *
xapi_policy_of(enum xapi_class c)
{
	return (unsigned)c < XAPI__COUNT ? &policies[c] : &policies[XAPI_BAD_RESPONSE];
}

const char *
xapi_class_name(enum xapi_class c)
{
	return xapi_policy_of(c)->name;
}

int
xapi_class_exit(enum xapi_class c)
{
	static const int exits[XAPI__COUNT] = {
	    [XAPI_OK] = LW_EXIT_OK,
	    [XAPI_AUTH] = LW_EXIT_ERROR,
	    [XAPI_CREDITS] = LW_EXIT_TEMPFAIL,
	    [XAPI_RATE_LIMIT] = LW_EXIT_TEMPFAIL,
	    [XAPI_TRANSIENT] = LW_EXIT_UNAVAILABLE,
	    [XAPI_BAD_RESPONSE] = LW_EXIT_ERROR,
	    [XAPI_CURSOR] = LW_EXIT_ERROR,
	};
	return (unsigned)c < XAPI__COUNT ? exits[c] : LW_EXIT_ERROR;
}

int64_t
xapi_delay_ms(
    enum xapi_class c, int attempt, int retry_after_s, int64_t credits_recheck_ms, uint64_t rnd)
{
	const struct xapi_policy *p = xapi_policy_of(c);
	if (c == XAPI_RATE_LIMIT && retry_after_s >= 0)
		return (int64_t)retry_after_s * 1000 + (int64_t)(rnd % 250);
	if (c == XAPI_CREDITS)
		return credits_recheck_ms > 0 ? credits_recheck_ms : p->base_delay_ms;
	if (p->base_delay_ms <= 0)
		return 0;
	int64_t d = p->base_delay_ms;
	for (int i = 1; i < attempt && d < p->max_delay_ms; i++)
		d *= 2;
	if (d > p->max_delay_ms)
		d = p->max_delay_ms;
	return d / 2 + (int64_t)(rnd % (uint64_t)(d / 2 + 1));
}

uint64_t
xapi_rand(void)
{
	static _Thread_local uint64_t state;
	if (state == 0) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		state = (((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^
		            (uint64_t)(uintptr_t)&state) |
		        1;
	}
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return state * 0x2545F4914F6CDD1DULL;
}

int64_t
xapi_credits_estimate(size_t n_tweets, size_t n_users)
{
	int64_t c = (int64_t)n_tweets * XAPI_CREDITS_TWEET + (int64_t)n_users * XAPI_CREDITS_USER;
	return c < XAPI_CREDITS_MIN ? XAPI_CREDITS_MIN : c;
}

/* Sleeps ms milliseconds (signals do not cut it short). */
static void
sleep_ms(int64_t ms)
{
	if (ms <= 0)
		return;
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* ---- configuration ---- */

void
xapi_config_init(struct xapi_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->transient_retries = 2;
	cfg->transient_backoff_ms = 500;
	cfg->inline_429_wait_ms = 0;
	cfg->rate_wait_max_ms = 60000;
	cfg->credits_recheck_ms = 300000;
	cfg->connect_timeout_ms = 5000;
	cfg->total_timeout_ms = 30000;
}

/* Returns true when url's host is a loopback name or address. */
static bool
url_is_loopback(const char *url)
{
	static const char *const hosts[] = {"127.", "localhost", "[::1]"};
	const char *h = strstr(url, "://");
	if (h == NULL)
		return false;
	h += 3;
	size_t n = strcspn(h, ":/?#");
	for (size_t i = 0; i < LW_ARRAY_LEN(hosts); i++) {
		size_t k = strlen(hosts[i]);
		if (hosts[i][k - 1] == '.' ? strncmp(h, hosts[i], k) == 0
		                           : (n == k && strncmp(h, hosts[i], k) == 0))
			return true;
	}
	return false;
}

/* Returns 0 when key is non-empty printable ASCII without spaces, else -1. */
static int
key_valid(const char *key)
{
	if (*key == '\0')
		return -1;
	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		if (*p <= ' ' || *p >= 0x7f)
			return -1;
	return 0;
}

/* Reads the first line of path, trimmed, into *key; 0 or -1 with cause. */
static int
key_from_file(const char *path, char **key, char **cause)
{
	char *data = NULL, *err = NULL;
	size_t len = 0;
	if (file_read_all(path, &data, &len, &err) != 0) {
		set_cause(cause, "TWITTERAPI_KEY_FILE: %s", err);
		free(err);
		return -1;
	}
	char *s = data;
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	size_t n = strcspn(s, "\r\n");
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	*key = xstrndup(s, n);
	memset(data, 0, len);
	free(data);
	return 0;
}

int
xapi_config_from_env(struct xapi_config *cfg, char **cause)
{
	const char *base = getenv("TWITTERAPI_BASE_URL");
	const char *key = getenv("TWITTERAPI_KEY");
	const char *key_file = getenv("TWITTERAPI_KEY_FILE");
	const char *recheck = getenv("LAUNCHWATCH_CREDITS_RECHECK");

	if (base == NULL || *base == '\0')
		base = DEFAULT_BASE_URL;
	if (!str_has_prefix(base, "http://") && !str_has_prefix(base, "https://"))
		return set_cause(cause, "TWITTERAPI_BASE_URL must start with http:// or https://");
	free(cfg->base_url);
	cfg->base_url = xstrdup(base);
	for (size_t n = strlen(cfg->base_url); n > 0 && cfg->base_url[n - 1] == '/'; n--)
		cfg->base_url[n - 1] = '\0';

	free(cfg->key);
	cfg->key = NULL;
	if (key != NULL && *key != '\0')
		cfg->key = xstrdup(key);
	else if (key_file != NULL && *key_file != '\0' &&
	         key_from_file(key_file, &cfg->key, cause) != 0)
		return -1;
	if (cfg->key != NULL && key_valid(cfg->key) != 0) {
		free(cfg->key);
		cfg->key = NULL;
		return set_cause(cause, "the provider key is empty or contains spaces or control "
		                        "characters (check TWITTERAPI_KEY / TWITTERAPI_KEY_FILE)");
	}
	if (cfg->key == NULL && !url_is_loopback(cfg->base_url))
		return set_cause(cause,
		    "no provider key: set TWITTERAPI_KEY or TWITTERAPI_KEY_FILE "
		    "(or point TWITTERAPI_BASE_URL at `launchwatch sim`)");
	if (recheck != NULL && *recheck != '\0') {
		char *end = NULL;
		long s = strtol(recheck, &end, 10);
		if (*end != '\0' || s <= 0)
			return set_cause(
			    cause, "LAUNCHWATCH_CREDITS_RECHECK: want seconds above 0");
		cfg->credits_recheck_ms = (int64_t)s * 1000;
	}
	return 0;
}

void
xapi_config_done(struct xapi_config *cfg)
{
	if (cfg->key != NULL)
		memset(cfg->key, 0, strlen(cfg->key));
	free(cfg->key);
	free(cfg->base_url);
	memset(cfg, 0, sizeof *cfg);
}

/* ---- the client ---- */

struct xapi {
	struct xapi_config cfg; /* own copies of the strings */
	struct http_client *http;
	char *key_header; /* "X-API-Key: ..." or NULL; wiped on free */
};

struct xapi *
xapi_new(const struct xapi_config *cfg)
{
	struct xapi *x = xcalloc(1, sizeof *x);
	x->cfg = *cfg;
	x->cfg.base_url = xstrdup(cfg->base_url != NULL ? cfg->base_url : DEFAULT_BASE_URL);
	x->cfg.key = NULL;
	if (x->cfg.rl == NULL)
		x->cfg.rl = ratelimit_global();
	if (cfg->key != NULL)
		x->key_header = xasprintf("X-API-Key: %s", cfg->key);
	x->http = http_client_new();
	http_client_set_timeouts(x->http, cfg->connect_timeout_ms, cfg->total_timeout_ms);
	return x;
}

void
xapi_free(struct xapi *x)
{
	if (x == NULL)
		return;
	if (x->key_header != NULL)
		memset(x->key_header, 0, strlen(x->key_header));
	free(x->key_header);
	free(x->cfg.base_url);
	http_client_free(x->http);
	free(x);
}

void
xapi_result_done(struct xapi_result *r)
{
	free(r->message);
	free(r->body_head);
	memset(r, 0, sizeof *r);
	r->retry_after_s = -1;
}

/* Sets the failure fields of res: class, a message "what: detail" and, for a
 * bad body, its sanitized head. Returns -1. */
static int
fail_result(struct xapi_result *res, enum xapi_class cls, const char *what, const char *detail,
    const struct http_response *resp)
{
	res->cls = cls;
	free(res->message);
	if (resp != NULL && resp->status != 0)
		res->message = xasprintf("%s: HTTP %ld: %s", what, resp->status,
		    detail != NULL && *detail ? detail : xapi_class_name(cls));
	else
		res->message =
		    xasprintf("%s: %s", what, detail != NULL ? detail : xapi_class_name(cls));
	if (cls == XAPI_BAD_RESPONSE && resp != NULL && resp->body != NULL) {
		free(res->body_head);
		size_t n = resp->len < XAPI_BODY_HEAD ? resp->len : XAPI_BODY_HEAD;
		res->body_head = text_sanitize(resp->body, n, XAPI_BODY_HEAD * 3);
	}
	return -1;
}

/* Performs GET base+path (path includes the query) with rate limiting,
 * transient retries and optional inline 429 waits. Returns 0 with an HTTP 200
 * response in resp (caller frees), or -1 with res filled (resp freed). */
static int
do_get(struct xapi *x, const char *what, const char *path, struct http_response *resp,
    struct xapi_result *res)
{
	const char *headers[] = {"Accept: application/json", x->key_header, NULL};
	char *url = xasprintf("%s%s", x->cfg.base_url, path);
	int transient_left = x->cfg.transient_retries;
	int transient_n = 0, limited_n = 0;
	int64_t waited_429 = 0;
	int rc = -1;

	for (;;) {
		char *cause = NULL;
		int64_t now = ratelimit_now_ms(x->cfg.rl);
		if (ratelimit_acquire(x->cfg.rl, now + x->cfg.rate_wait_max_ms) != 0) {
			fail_result(res, XAPI_RATE_LIMIT, what,
			    "client-side rate limiter: next slot is too far away", NULL);
			goto out;
		}
		res->requests++;
		if (http_request(x->http, "GET", url, headers, resp, &cause) != 0) {
			res->http_status = resp->status;
			if (transient_left-- > 0) {
				free(cause);
				http_response_done(resp);
				sleep_ms(x->cfg.transient_backoff_ms << transient_n++);
				continue;
			}
			fail_result(res, XAPI_TRANSIENT, what, cause, NULL);
			free(cause);
			http_response_done(resp);
			goto out;
		}
		res->http_status = resp->status;
		res->retry_after_s = resp->retry_after_s;
		if (resp->status == 200) {
			rc = 0;
			goto out;
		}
		char *msg = NULL;
		enum xapi_class cls = xapi_classify(resp->status, resp->body, resp->len, &msg);
		if (cls == XAPI_TRANSIENT && transient_left-- > 0) {
			free(msg);
			http_response_done(resp);
			sleep_ms(x->cfg.transient_backoff_ms << transient_n++);
			continue;
		}
		if (cls == XAPI_RATE_LIMIT) {
			res->rate_limited++;
			int64_t d = xapi_delay_ms(cls, ++limited_n, resp->retry_after_s,
			    x->cfg.credits_recheck_ms, xapi_rand());
			if (waited_429 + d <= x->cfg.inline_429_wait_ms) {
				waited_429 += d;
				free(msg);
				http_response_done(resp);
				sleep_ms(d);
				continue;
			}
		}
		if (cls == XAPI_OK) /* a non-200 2xx/3xx we do not expect */
			cls = XAPI_BAD_RESPONSE;
		fail_result(res, cls, what, msg, resp);
		free(msg);
		http_response_done(resp);
		goto out;
	}
out:
	free(url);
	return rc;
}

/* Handles a 200 body that failed to parse: CURSOR when the provider's error
 * mentions the cursor, else BAD_RESPONSE billed at the minimum. Returns -1. */
static int
fail_parse(
    struct xapi_result *res, const char *what, const char *cause, const struct http_response *resp)
{
	char *msg = NULL;
	enum xapi_class cls = xapi_classify(200, resp->body, resp->len, &msg);
	if (cls != XAPI_CURSOR) {
		cls = XAPI_BAD_RESPONSE;
		res->credits += XAPI_CREDITS_MIN; /* the page may have been billed */
	}
	fail_result(res, cls, what, cause, resp);
	free(msg);
	return -1;
}

/* Starts a result: zeroed, class OK. */
static void
result_start(struct xapi_result *res)
{
	memset(res, 0, sizeof *res);
	res->retry_after_s = -1;
}

/* Fetches and parses one list page from path with the given parser. */
static int
get_page(struct xapi *x, const char *what, const char *path,
    int (*parse)(const char *, size_t, struct xapi_page *, char **), struct xapi_page *out,
    struct xapi_result *res)
{
	struct http_response resp;
	char *cause = NULL;
	int rc = -1;
	memset(out, 0, sizeof *out);
	if (do_get(x, what, path, &resp, res) != 0)
		return -1;
	if (parse(resp.body, resp.len, out, &cause) != 0) {
		fail_parse(res, what, cause, &resp);
		goto fail;
	}
	res->credits += xapi_credits_estimate(out->n_tweets, out->n_users);
	res->cls = XAPI_OK;
	rc = 0;
fail:
	free(cause);
	http_response_done(&resp);
	return rc;
}

/* Builds the query path of a list endpoint (sinceTime and untilTime when
 * > 0); caller frees. */
static char *
list_path(const char *endpoint, const char *tweet_id, const char *cursor, int64_t since_s,
    int64_t until_s)
{
	char *id = http_escape(tweet_id);
	char *cur = http_escape(cursor != NULL ? cursor : "");
	struct sbuf b;
	sbuf_init(&b);
	sbuf_printf(&b, "%s?tweetId=%s&cursor=%s", endpoint, id, cur);
	if (since_s > 0)
		sbuf_printf(&b, "&sinceTime=%lld", (long long)since_s);
	if (until_s > 0)
		sbuf_printf(&b, "&untilTime=%lld", (long long)until_s);
	free(id);
	free(cur);
	return sbuf_take(&b);
}

/* Fails res as a caller error (nothing sent) when id is not a tweet id. */
static int
check_id(const char *id, const char *what, struct xapi_result *res)
{
	if (id != NULL && str_is_digits(id) && strlen(id) < LW_ID_MAX)
		return 0;
	return fail_result(res, XAPI_BAD_RESPONSE, what, "invalid tweet id (want digits)", NULL);
}

int
xapi_retweeters(struct xapi *x, const char *tweet_id, const char *cursor, struct xapi_page *out,
    struct xapi_result *res)
{
	result_start(res);
	memset(out, 0, sizeof *out);
	if (check_id(tweet_id, "retweeters", res) != 0)
		return -1;
	char *path = list_path("/twitter/tweet/retweeters", tweet_id, cursor, 0, 0);
	int rc = get_page(x, "retweeters", path, xapi_parse_users_page, out, res);
	free(path);
	return rc;
}

int
xapi_replies_range(struct xapi *x, const char *tweet_id, const char *cursor, int64_t since_s,
    int64_t until_s, struct xapi_page *out, struct xapi_result *res)
{
	result_start(res);
	memset(out, 0, sizeof *out);
	if (check_id(tweet_id, "replies", res) != 0)
		return -1;
	char *path = list_path("/twitter/tweet/replies", tweet_id, cursor, since_s, until_s);
	int rc = get_page(x, "replies", path, xapi_parse_tweets_page, out, res);
	free(path);
	return rc;
}

int
xapi_replies(struct xapi *x, const char *tweet_id, const char *cursor, int64_t since_s,
    struct xapi_page *out, struct xapi_result *res)
{
	return xapi_replies_range(x, tweet_id, cursor, since_s, 0, out, res);
}

int
xapi_quotes_range(struct xapi *x, const char *tweet_id, const char *cursor, int64_t since_s,
    int64_t until_s, struct xapi_page *out, struct xapi_result *res)
{
	result_start(res);
	memset(out, 0, sizeof *out);
	if (check_id(tweet_id, "quotes", res) != 0)
		return -1;
	char *path = list_path("/twitter/tweet/quotes", tweet_id, cursor, since_s, until_s);
	int rc = get_page(x, "quotes", path, xapi_parse_tweets_page, out, res);
	free(path);
	return rc;
}

int
xapi_quotes(struct xapi *x, const char *tweet_id, const char *cursor, int64_t since_s,
    struct xapi_page *out, struct xapi_result *res)
{
	return xapi_quotes_range(x, tweet_id, cursor, since_s, 0, out, res);
}

void
xapi_tweets_done(struct xapi_tweets *t)
{
	for (size_t i = 0; i < t->n; i++)
		lw_tweet_done(&t->tweets[i]);
	free(t->tweets);
	free(t->missing);
	memset(t, 0, sizeof *t);
}

int
xapi_get_tweets(struct xapi *x, const char *const *ids, size_t n, struct xapi_tweets *out,
    struct xapi_result *res)
{
	struct xapi_page page;
	struct sbuf path;
	int rc = -1;

	result_start(res);
	memset(out, 0, sizeof *out);
	if (n == 0)
		return 0;
	if (n > XAPI_MAX_IDS)
		return fail_result(res, XAPI_BAD_RESPONSE, "tweets", "more than 100 ids", NULL);
	sbuf_init(&path);
	sbuf_addstr(&path, "/twitter/tweets?tweet_ids=");
	for (size_t i = 0; i < n; i++) {
		if (check_id(ids[i], "tweets", res) != 0)
			goto fail;
		sbuf_printf(&path, "%s%s", i ? "%2C" : "", ids[i]);
	}
	if (get_page(x, "tweets", path.s, xapi_parse_tweets_page, &page, res) != 0)
		goto fail;
	out->tweets = page.tweets;
	out->n = page.n_tweets;
	page.tweets = NULL;
	page.n_tweets = 0;
	xapi_page_done(&page);
	out->missing = xcalloc(n, sizeof *out->missing);
	for (size_t i = 0; i < n; i++) {
		bool found = false, dup = false;
		for (size_t j = 0; j < out->n && !found; j++)
			found = strcmp(out->tweets[j].id, ids[i]) == 0;
		for (size_t j = 0; j < out->n_missing && !dup; j++)
			dup = strcmp(out->missing[j], ids[i]) == 0;
		if (!found && !dup)
			snprintf(out->missing[out->n_missing++], LW_ID_MAX, "%s", ids[i]);
	}
	rc = 0;
fail:
	sbuf_done(&path);
	return rc;
}

int
xapi_user_info(struct xapi *x, const char *handle, struct lw_user *out, struct xapi_result *res)
{
	struct http_response resp;
	char *cause = NULL;
	result_start(res);
	memset(out, 0, sizeof *out);
	const char *h = handle[0] == '@' ? handle + 1 : handle;
	char *esc = http_escape(h);
	char *path = xasprintf("/twitter/user/info?userName=%s", esc);
	free(esc);
	int rc = do_get(x, "user info", path, &resp, res);
	free(path);
	if (rc != 0)
		return -1;
	rc = -1;
	if (xapi_parse_user_info(resp.body, resp.len, out, &cause) != 0) {
		fail_parse(res, "user info", cause, &resp);
		goto fail;
	}
	res->credits += XAPI_CREDITS_USER;
	rc = 0;
fail:
	free(cause);
	http_response_done(&resp);
	return rc;
}

int
xapi_balance(struct xapi *x, struct xapi_balance *out, struct xapi_result *res)
{
	struct http_response resp;
	char *cause = NULL;
	result_start(res);
	memset(out, 0, sizeof *out);
	if (do_get(x, "balance", "/oapi/my/info", &resp, res) != 0)
		return -1;
	int rc = -1;
	if (xapi_parse_balance(resp.body, resp.len, out, &cause) != 0) {
		fail_parse(res, "balance", cause, &resp);
		res->credits = 0;
		goto fail;
	}
	rc = 0;
fail:
	free(cause);
	http_response_done(&resp);
	return rc;
}
