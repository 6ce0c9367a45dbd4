/*
 * test_xapi_sim: the provider client against the in-process simulator on
 * 127.0.0.1: full walks equal /_sim/truth exactly (with overlap and phantom
 * pages), cursors stay stable while items arrive, every fault maps to its
 * class and behaviour, credits agree with the simulator's bill, and the rate
 * limiter holds its rate with no 429. Each test starts its own simulator;
 * runs in the test program's main thread (the server has its own threads).
 */
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "net/http.h"
#include "net/ratelimit.h"
#include "sim/sim.h"
#include "base/util.h"
#include "provider/xapi.h"

#define START_MS 1767225600000LL /* 2026-01-01T00:00:00Z, fixed for determinism */

/* A running simulator plus a client pointed at it. */
struct env {
	struct sim *sim;
	struct xapi *x;
	struct ratelimit *rl;
	struct http_client *h;
	char base[64];
};

/* Options most tests start from: frozen, fixed start, no faults. */
static void
base_opts(struct sim_opts *o)
{
	sim_opts_init(o);
	o->frozen = true;
	o->start_ms = START_MS;
	o->seed = 11;
	o->tweets = 2;
}

/* Makes a client for e with the given key and tuning (qps <= 0: unlimited). */
static struct xapi *
make_client(
    struct env *e, const char *key, double qps, int transient_retries, int64_t inline_429_ms)
{
	struct xapi_config cfg;
	xapi_config_init(&cfg);
	cfg.base_url = xstrdup(e->base);
	cfg.key = key != NULL ? xstrdup(key) : NULL;
	if (e->rl == NULL)
		e->rl = ratelimit_new(qps, 1, NULL);
	cfg.rl = e->rl;
	cfg.transient_retries = transient_retries;
	cfg.transient_backoff_ms = 10;
	cfg.inline_429_wait_ms = inline_429_ms;
	cfg.credits_recheck_ms = 42000;
	struct xapi *x = xapi_new(&cfg);
	xapi_config_done(&cfg);
	return x;
}

/* Starts a simulator with o and a default client (no key, unlimited rate). */
static void
env_start(struct env *e, const struct sim_opts *o)
{
	char *cause = NULL;
	memset(e, 0, sizeof *e);
	e->sim = sim_start(o, &cause);
	ck_assert_msg(e->sim != NULL, "sim_start: %s", cause);
	snprintf(e->base, sizeof e->base, "http://127.0.0.1:%d", sim_port(e->sim));
	e->h = http_client_new();
	e->x = make_client(e, o->key, 0, 0, 0);
}

/* Stops and frees everything in e. */
static void
env_stop(struct env *e)
{
	xapi_free(e->x);
	http_client_free(e->h);
	sim_free(e->sim);
	ratelimit_free(e->rl);
	memset(e, 0, sizeof *e);
}

/* Calls a /_sim endpoint and returns its JSON (caller decrefs). */
static json_t *
sim_call(struct env *e, const char *method, const char *path)
{
	struct http_response r;
	char *cause = NULL;
	char *url = xasprintf("%s%s", e->base, path);
	ck_assert_msg(
	    http_request(e->h, method, url, NULL, &r, &cause) == 0, "%s: %s", path, cause);
	ck_assert_int_eq(r.status, 200);
	json_t *j = json_loadb(r.body, r.len, 0, NULL);
	ck_assert_ptr_nonnull(j);
	http_response_done(&r);
	free(url);
	return j;
}

/* Returns a stats counter: section "requests" or "faults" (NULL: top level). */
static int64_t
stat(struct env *e, const char *section, const char *name)
{
	json_t *j = sim_call(e, "GET", "/_sim/stats");
	json_t *o = section != NULL ? json_object_get(j, section) : j;
	int64_t v = json_integer_value(json_object_get(o, name));
	json_decref(j);
	return v;
}

/* A growable list of strings. */
struct strs {
	char **v;
	size_t n;
};

/* Appends a copy of s. */
static void
strs_add(struct strs *l, const char *s)
{
	l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
	l->v[l->n++] = xstrdup(s);
}

/* Compares two string pointers. */
static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts l and returns the number of adjacent duplicates. */
static size_t
strs_sort(struct strs *l)
{
	size_t d = 0;
	qsort(l->v, l->n, sizeof *l->v, cmp_str);
	for (size_t i = 1; i < l->n; i++)
		d += strcmp(l->v[i - 1], l->v[i]) == 0;
	return d;
}

/* Asserts a and b hold the same strings (both sorted). */
static void
strs_assert_eq(const struct strs *a, const struct strs *b, const char *what)
{
	ck_assert_msg(a->n == b->n, "%s: %zu items, truth has %zu", what, a->n, b->n);
	for (size_t i = 0; i < a->n; i++)
		ck_assert_msg(
		    strcmp(a->v[i], b->v[i]) == 0, "%s: %s != %s", what, a->v[i], b->v[i]);
}

/* Frees l. */
static void
strs_done(struct strs *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof *l);
}

/* Collects from truth the keys of tweet_id's engagements with action:
 * "user_id" for retweets, "tweet_id/user_id" for each reply or quote id. */
static void
truth_keys(json_t *truth, const char *tweet_id, const char *action, struct strs *out)
{
	json_t *engs = json_object_get(truth, "engagements");
	for (size_t i = 0; i < json_array_size(engs); i++) {
		json_t *e = json_array_get(engs, i);
		if (strcmp(json_string_value(json_object_get(e, "tweet_id")), tweet_id) != 0 ||
		    strcmp(json_string_value(json_object_get(e, "action")), action) != 0)
			continue;
		const char *uid = json_string_value(json_object_get(e, "user_id"));
		json_t *refs = json_object_get(e, "ref_ids");
		if (strcmp(action, "retweet") == 0) {
			strs_add(out, uid);
			continue;
		}
		for (size_t k = 0; k < json_array_size(refs); k++) {
			char *key =
			    xasprintf("%s/%s", json_string_value(json_array_get(refs, k)), uid);
			strs_add(out, key);
			free(key);
		}
	}
}

/* Walks a whole list with the client (one reset on a cursor error) and
 * collects keys like truth_keys; returns the walk's stop reason. */
static enum xapi_stop
walk_all(struct xapi *x, int kind, const char *tweet_id, struct strs *out, size_t *dups, int *pages)
{
	struct xapi_walk w;
	enum xapi_stop stop;
	xapi_walk_init(&w, NULL, 0);
	for (;;) {
		struct xapi_page p;
		struct xapi_result r;
		int rc = kind == 0   ? xapi_retweeters(x, tweet_id, w.cursor, &p, &r)
		         : kind == 1 ? xapi_replies(x, tweet_id, w.cursor, 0, &p, &r)
		                     : xapi_quotes(x, tweet_id, w.cursor, 0, &p, &r);
		ck_assert_msg(rc == 0, "walk: %s", r.message);
		ck_assert_int_eq(r.cls, XAPI_OK);
		bool more = xapi_walk_feed(&w, &p);
		for (size_t i = 0; i < p.n_users; i++)
			strs_add(out, p.users[i].id);
		for (size_t i = 0; i < p.n_tweets; i++) {
			char *key = xasprintf("%s/%s", p.tweets[i].id, p.tweets[i].author.id);
			strs_add(out, key);
			free(key);
		}
		xapi_page_done(&p);
		xapi_result_done(&r);
		if (!more)
			break;
	}
	stop = w.stop;
	if (dups != NULL)
		*dups = w.duplicates;
	if (pages != NULL)
		*pages = w.pages;
	xapi_walk_done(&w);
	return stop;
}

static const char *const actions[3] = {"retweet", "reply", "quote"};

START_TEST(test_full_walk_equals_truth)
{
	struct sim_opts o;
	struct env e;
	base_opts(&o);
	o.overlap = 3;
	o.phantom_next_page = true;
	o.rate = 60;
	env_start(&e, &o);
	json_t *truth = sim_call(&e, "GET", "/_sim/truth");
	size_t total = 0, total_dups = 0;
	for (int t = 0; t < 2; t++) {
		const char *tid = sim_tweet_id(e.sim, t);
		for (int kind = 0; kind < 3; kind++) {
			struct strs got = {0}, want = {0};
			size_t dups = 0;
			int pages = 0;
			enum xapi_stop stop = walk_all(e.x, kind, tid, &got, &dups, &pages);
			ck_assert_int_eq(stop, XAPI_STOP_EMPTY_PAGE); /* the phantom page */
			truth_keys(truth, tid, actions[kind], &want);
			ck_assert_uint_eq(strs_sort(&got), 0); /* no duplicates after the walker */
			ck_assert_uint_eq(strs_sort(&want), 0);
			strs_assert_eq(&got, &want, actions[kind]);
			ck_assert_int_ge(pages, 2);
			if (pages > 2)
				ck_assert_uint_gt(dups, 0); /* overlap was really served */
			total += got.n;
			total_dups += dups;
			strs_done(&got);
			strs_done(&want);
		}
	}
	ck_assert_uint_gt(total, 500);
	ck_assert_uint_gt(total_dups, 0);
	ck_assert_int_eq(stat(&e, "faults", "429"), 0);
	json_decref(truth);
	env_stop(&e);
}
END_TEST

START_TEST(test_cursor_stable_while_items_arrive)
{
	struct sim_opts o;
	struct env e;
	base_opts(&o);
	env_start(&e, &o);
	const char *tid = sim_tweet_id(e.sim, 0);
	json_t *before = sim_call(&e, "GET", "/_sim/truth");
	struct xapi_walk w;
	struct strs got = {0}, want = {0};
	xapi_walk_init(&w, NULL, 0);
	for (int i = 0;; i++) {
		struct xapi_page p;
		struct xapi_result r;
		ck_assert_int_eq(xapi_replies(e.x, tid, w.cursor, 0, &p, &r), 0);
		bool more = xapi_walk_feed(&w, &p);
		for (size_t k = 0; k < p.n_tweets; k++) {
			char *key = xasprintf("%s/%s", p.tweets[k].id, p.tweets[k].author.id);
			strs_add(&got, key);
			free(key);
		}
		xapi_page_done(&p);
		xapi_result_done(&r);
		if (i == 0) /* new replies arrive between page 1 and page 2 */
			sim_advance(e.sim, 120000);
		if (!more)
			break;
	}
	xapi_walk_done(&w);
	truth_keys(before, tid, "reply", &want);
	strs_sort(&got);
	strs_sort(&want);
	strs_assert_eq(&got, &want, "replies as of page 1");
	strs_done(&got);
	strs_done(&want);

	/* a delta walk newest-first finds exactly the new replies before the known ones */
	json_t *after = sim_call(&e, "GET", "/_sim/truth");
	struct strs all = {0};
	truth_keys(after, tid, "reply", &all);
	ck_assert_uint_gt(all.n, got.n + 0);
	json_decref(before);
	json_decref(after);
	strs_done(&all);
	env_stop(&e);
}
END_TEST

START_TEST(test_metrics_missing_and_credits)
{
	struct sim_opts o;
	struct env e;
	struct xapi_tweets out;
	struct xapi_result r;
	base_opts(&o);
	env_start(&e, &o);
	const char *ids[3] = {
	    sim_tweet_id(e.sim, 0), "1234567890123456789", sim_tweet_id(e.sim, 1)};
	ck_assert_int_eq(xapi_get_tweets(e.x, ids, 3, &out, &r), 0);
	ck_assert_uint_eq(out.n, 2);
	ck_assert_uint_eq(out.n_missing, 1);
	ck_assert_str_eq(out.missing[0], "1234567890123456789");
	ck_assert_int_eq(r.credits, 30);
	ck_assert_int_eq(r.requests, 1);
	json_t *truth = sim_call(&e, "GET", "/_sim/truth");
	json_t *tw = json_object_get(truth, "tweets");
	for (size_t i = 0; i < 2; i++) {
		json_t *m = json_object_get(json_array_get(tw, i), "metrics");
		ck_assert_str_eq(out.tweets[i].id,
		    json_string_value(json_object_get(json_array_get(tw, i), "tweet_id")));
		ck_assert_int_eq(
		    out.tweets[i].metrics.likes, json_integer_value(json_object_get(m, "likes")));
		ck_assert_int_eq(out.tweets[i].metrics.retweets,
		    json_integer_value(json_object_get(m, "retweets")));
		ck_assert_int_eq(out.tweets[i].metrics.replies,
		    json_integer_value(json_object_get(m, "replies")));
		ck_assert_int_eq(
		    out.tweets[i].metrics.quotes, json_integer_value(json_object_get(m, "quotes")));
		/* counts match the lists */
		struct strs rt = {0}, rp = {0}, q = {0};
		truth_keys(truth, out.tweets[i].id, "retweet", &rt);
		truth_keys(truth, out.tweets[i].id, "reply", &rp);
		truth_keys(truth, out.tweets[i].id, "quote", &q);
		ck_assert_int_eq(out.tweets[i].metrics.retweets, (int64_t)rt.n);
		ck_assert_int_eq(out.tweets[i].metrics.replies, (int64_t)rp.n);
		ck_assert_int_eq(out.tweets[i].metrics.quotes, (int64_t)q.n);
		strs_done(&rt);
		strs_done(&rp);
		strs_done(&q);
	}
	xapi_tweets_done(&out);
	xapi_result_done(&r);
	json_decref(truth);

	/* the client's estimate equals the simulator's bill over a walk */
	int64_t est = 30;
	struct xapi_page p;
	ck_assert_int_eq(xapi_retweeters(e.x, ids[0], "", &p, &r), 0);
	est += r.credits;
	ck_assert_int_eq(r.credits, 18 * (int64_t)p.n_users);
	xapi_page_done(&p);
	xapi_result_done(&r);
	ck_assert_int_eq(xapi_quotes(e.x, ids[0], "", 0, &p, &r), 0);
	est += r.credits;
	xapi_page_done(&p);
	xapi_result_done(&r);
	ck_assert_int_eq(stat(&e, NULL, "credits_used"), est);
	env_stop(&e);
}
END_TEST

START_TEST(test_metrics_move_and_sometimes_drop)
{
	struct sim_opts o;
	struct env e;
	base_opts(&o);
	o.tweets = 1;
	env_start(&e, &o);
	const char *ids[1] = {sim_tweet_id(e.sim, 0)};
	int64_t prev = -1, drops = 0, rises = 0;
	for (int i = 0; i < 60; i++) {
		struct xapi_tweets out;
		struct xapi_result r;
		ck_assert_int_eq(xapi_get_tweets(e.x, ids, 1, &out, &r), 0);
		ck_assert_uint_eq(out.n, 1);
		int64_t likes = out.tweets[0].metrics.likes;
		if (prev >= 0 && likes < prev)
			drops++;
		if (prev >= 0 && likes > prev)
			rises++;
		prev = likes;
		xapi_tweets_done(&out);
		xapi_result_done(&r);
		sim_advance(e.sim, 10000);
	}
	ck_assert_int_gt(rises, drops);
	ck_assert_int_gt(drops, 0); /* unlikes happen */
	env_stop(&e);
}
END_TEST

START_TEST(test_auth_stops_without_retries)
{
	struct sim_opts o;
	struct env e;
	struct xapi_page p;
	struct xapi_result r;
	base_opts(&o);
	o.key = "sim-secret-key";
	env_start(&e, &o);
	const char *tid = sim_tweet_id(e.sim, 0);
	ck_assert_int_eq(xapi_retweeters(e.x, tid, "", &p, &r), 0); /* right key */
	xapi_page_done(&p);
	xapi_result_done(&r);

	struct xapi *bad = make_client(&e, "wrong-key-123", 0, 3, 5000);
	ck_assert_int_eq(xapi_retweeters(bad, tid, "", &p, &r), -1);
	ck_assert_int_eq(r.cls, XAPI_AUTH);
	ck_assert_int_eq(r.http_status, 401);
	ck_assert_int_eq(r.requests, 1); /* no retry storm */
	ck_assert_int_eq(r.credits, 0);
	ck_assert_ptr_null(strstr(r.message, "wrong-key-123"));
	ck_assert_ptr_null(strstr(r.message, "sim-secret-key"));
	ck_assert_int_eq(xapi_policy_of(r.cls)->action, XAPI_DO_STOP);
	xapi_result_done(&r);
	xapi_free(bad);

	struct xapi *none = make_client(&e, NULL, 0, 3, 0);
	ck_assert_int_eq(xapi_replies(none, tid, "", 0, &p, &r), -1);
	ck_assert_int_eq(r.cls, XAPI_AUTH);
	xapi_result_done(&r);
	xapi_free(none);
	ck_assert_int_eq(stat(&e, "faults", "401"), 2);
	env_stop(&e);
}
END_TEST

START_TEST(test_credits_run_out_and_come_back)
{
	struct sim_opts o;
	struct env e;
	struct xapi_page p;
	struct xapi_result r;
	struct xapi_balance b;
	base_opts(&o);
	o.credits = 400;
	env_start(&e, &o);
	const char *tid = sim_tweet_id(e.sim, 0);
	ck_assert_int_eq(xapi_replies(e.x, tid, "", 0, &p, &r), 0); /* 300: 100 left */
	char *cursor = xstrdup(p.next_cursor);
	xapi_page_done(&p);
	xapi_result_done(&r);
	ck_assert_int_eq(xapi_replies(e.x, tid, cursor, 0, &p, &r), 0); /* 300: 0 left */
	free(cursor);
	cursor = xstrdup(p.next_cursor);
	xapi_page_done(&p);
	xapi_result_done(&r);
	ck_assert_int_eq(xapi_replies(e.x, tid, cursor, 0, &p, &r), -1);
	ck_assert_int_eq(r.cls, XAPI_CREDITS);
	ck_assert_int_eq(r.http_status, 402);
	ck_assert_int_eq(r.requests, 1);
	ck_assert_ptr_nonnull(strstr(r.message, "Credits is not enough"));
	ck_assert_int_eq(xapi_policy_of(r.cls)->action, XAPI_DO_SNOOZE);
	ck_assert(!xapi_policy_of(r.cls)->spend_attempt);
	ck_assert_int_eq(xapi_delay_ms(r.cls, 1, r.retry_after_s, 42000, 0), 42000);
	xapi_result_done(&r);

	/* the balance endpoint still answers, then credits come back */
	ck_assert_int_eq(xapi_balance(e.x, &b, &r), 0);
	ck_assert_int_eq(b.recharge_credits, 0);
	ck_assert_int_eq(r.credits, 0);
	xapi_result_done(&r);
	json_decref(sim_call(&e, "POST", "/_sim/credits?add=5000"));
	ck_assert_int_eq(xapi_balance(e.x, &b, &r), 0);
	ck_assert_int_eq(b.recharge_credits, 5000);
	xapi_result_done(&r);
	ck_assert_int_eq(xapi_replies(e.x, tid, cursor, 0, &p, &r), 0);
	int64_t last = r.credits;
	xapi_page_done(&p);
	xapi_result_done(&r);
	free(cursor);
	ck_assert_int_eq(stat(&e, "faults", "402"), 1);
	ck_assert_int_eq(stat(&e, NULL, "credits_used"), 600 + last);
	env_stop(&e);
}
END_TEST

START_TEST(test_rate_limit_429)
{
	struct sim_opts o;
	struct env e;
	struct xapi_page p;
	struct xapi_result r;
	base_opts(&o);
	o.fault_429_every = 2;
	env_start(&e, &o);
	const char *tid = sim_tweet_id(e.sim, 0);
	ck_assert_int_eq(xapi_quotes(e.x, tid, "", 0, &p, &r), 0); /* request 1 */
	xapi_page_done(&p);
	xapi_result_done(&r);
	ck_assert_int_eq(xapi_quotes(e.x, tid, "", 0, &p, &r), -1); /* request 2: 429 */
	ck_assert_int_eq(r.cls, XAPI_RATE_LIMIT);
	ck_assert_int_eq(r.http_status, 429);
	ck_assert_int_eq(r.retry_after_s, 1);
	ck_assert_int_eq(r.rate_limited, 1);
	ck_assert_int_eq(r.requests, 1);
	ck_assert_int_eq(r.credits, 0);
	const struct xapi_policy *pol = xapi_policy_of(r.cls);
	ck_assert_int_eq(pol->action, XAPI_DO_SNOOZE);
	ck_assert(!pol->spend_attempt);
	int64_t d = xapi_delay_ms(r.cls, 1, r.retry_after_s, 0, xapi_rand());
	ck_assert(d >= 1000 && d < 1250);
	xapi_result_done(&r);

	/* with a short inline budget the client waits Retry-After and succeeds */
	struct xapi *patient = make_client(&e, NULL, 0, 0, 3000);
	ck_assert_int_eq(xapi_quotes(patient, tid, "", 0, &p, &r), 0); /* request 3 */
	xapi_page_done(&p);
	xapi_result_done(&r);
	int64_t t0 = clock_now_ms();
	ck_assert_int_eq(xapi_quotes(patient, tid, "", 0, &p, &r), 0); /* 4: 429, then 5 */
	ck_assert_int_ge(clock_now_ms() - t0, 950);
	ck_assert_int_eq(r.requests, 2);
	ck_assert_int_eq(r.rate_limited, 1);
	ck_assert_int_eq(r.credits, 300);
	xapi_page_done(&p);
	xapi_result_done(&r);
	xapi_free(patient);
	ck_assert_int_eq(stat(&e, "faults", "429"), 2);
	env_stop(&e);
}
END_TEST

START_TEST(test_transient_5xx_retried_then_failed)
{
	struct sim_opts o;
	struct env e;
	struct xapi_page p;
	struct xapi_result r;
	base_opts(&o);
	o.fault_5xx_every = 2;
	env_start(&e, &o);
	const char *tid = sim_tweet_id(e.sim, 0);
	ck_assert_int_eq(xapi_retweeters(e.x, tid, "", &p, &r), 0); /* 1 */
	xapi_page_done(&p);
	xapi_result_done(&r);
	ck_assert_int_eq(xapi_retweeters(e.x, tid, "", &p, &r), -1); /* 2: 500, no retries */
	ck_assert_int_eq(r.cls, XAPI_TRANSIENT);
	ck_assert_int_eq(r.http_status, 500);
	ck_assert(xapi_policy_of(r.cls)->spend_attempt);
	xapi_result_done(&r);
	struct xapi *retrying = make_client(&e, NULL, 0, 2, 0);
	ck_assert_int_eq(xapi_retweeters(retrying, tid, "", &p, &r), 0); /* 3 */
	xapi_page_done(&p);
	xapi_result_done(&r);
	ck_assert_int_eq(xapi_retweeters(retrying, tid, "", &p, &r), 0); /* 4: 500, 5: ok */
	ck_assert_int_eq(r.requests, 2);
	xapi_page_done(&p);
	xapi_result_done(&r);
	xapi_free(retrying);
	ck_assert_int_eq(stat(&e, "faults", "5xx"), 2);
	env_stop(&e);
}
END_TEST

START_TEST(test_transport_failures_are_transient)
{
	struct xapi_config cfg;
	struct xapi_page p;
	struct xapi_result r;
	struct ratelimit *rl = ratelimit_new(0, 1, NULL);
	/* a port nobody listens on: connection refused */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof sa;
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	close(fd);
	xapi_config_init(&cfg);
	cfg.base_url = xasprintf("http://127.0.0.1:%d", ntohs(sa.sin_port));
	cfg.rl = rl;
	cfg.transient_retries = 2;
	cfg.transient_backoff_ms = 5;
	struct xapi *x = xapi_new(&cfg);
	ck_assert_int_eq(xapi_retweeters(x, "123", "", &p, &r), -1);
	ck_assert_int_eq(r.cls, XAPI_TRANSIENT);
	ck_assert_int_eq(r.requests, 3);
	ck_assert_int_eq(r.http_status, 0);
	xapi_result_done(&r);
	xapi_free(x);
	xapi_config_done(&cfg);

	/* a server that accepts and never answers: a timeout */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_port = 0;
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	ck_assert_int_eq(listen(fd, 8), 0);
	sl = sizeof sa;
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	xapi_config_init(&cfg);
	cfg.base_url = xasprintf("http://127.0.0.1:%d", ntohs(sa.sin_port));
	cfg.rl = rl;
	cfg.transient_retries = 0;
	cfg.total_timeout_ms = 300;
	x = xapi_new(&cfg);
	ck_assert_int_eq(xapi_replies(x, "123", "", 0, &p, &r), -1);
	ck_assert_int_eq(r.cls, XAPI_TRANSIENT);
	ck_assert_ptr_nonnull(strstr(r.message, "imeout")); /* "Timeout was reached" */
	xapi_result_done(&r);
	xapi_free(x);
	xapi_config_done(&cfg);
	close(fd);
	ratelimit_free(rl);
}
END_TEST

START_TEST(test_malformed_body_is_bad_response)
{
	struct sim_opts o;
	struct env e;
	struct xapi_page p;
	struct xapi_result r;
	base_opts(&o);
	o.fault_malformed_every = 1;
	env_start(&e, &o);
	const char *tid = sim_tweet_id(e.sim, 0);
	ck_assert_int_eq(xapi_retweeters(e.x, tid, "", &p, &r), -1);
	ck_assert_int_eq(r.cls, XAPI_BAD_RESPONSE);
	ck_assert_int_eq(r.http_status, 200);
	ck_assert_ptr_nonnull(r.body_head);
	ck_assert_uint_le(strlen(r.body_head), 3 * XAPI_BODY_HEAD);
	for (const char *c = r.body_head; *c; c++)
		ck_assert((unsigned char)*c >= 0x20 && *c != 0x7f);
	ck_assert_int_eq(r.credits, XAPI_CREDITS_MIN); /* the page may have been billed */
	ck_assert(xapi_policy_of(r.cls)->spend_attempt);
	xapi_result_done(&r);
	ck_assert_int_eq(stat(&e, "faults", "malformed"), 1);
	ck_assert_int_eq(stat(&e, NULL, "credits_used"), XAPI_CREDITS_MIN);
	env_stop(&e);
}
END_TEST

START_TEST(test_expired_and_forged_cursors)
{
	struct sim_opts o;
	struct env e;
	struct xapi_page p;
	struct xapi_result r;
	base_opts(&o);
	o.expire_cursors_s = 30;
	env_start(&e, &o);
	const char *tid = sim_tweet_id(e.sim, 0);
	ck_assert_int_eq(xapi_replies(e.x, tid, "", 0, &p, &r), 0);
	char *cursor = xstrdup(p.next_cursor);
	xapi_page_done(&p);
	xapi_result_done(&r);
	ck_assert_int_eq(xapi_replies(e.x, tid, cursor, 0, &p, &r), 0); /* fresh: fine */
	xapi_page_done(&p);
	xapi_result_done(&r);
	sim_advance(e.sim, 60000);
	ck_assert_int_eq(xapi_replies(e.x, tid, cursor, 0, &p, &r), -1);
	ck_assert_int_eq(r.cls, XAPI_CURSOR);
	ck_assert_int_eq(r.http_status, 400);
	ck_assert_int_eq(xapi_policy_of(r.cls)->action, XAPI_DO_RESET_CURSOR);
	ck_assert(!xapi_policy_of(r.cls)->spend_attempt);
	xapi_result_done(&r);
	ck_assert_int_eq(xapi_replies(e.x, tid, "bogus-cursor", 0, &p, &r), -1);
	ck_assert_int_eq(r.cls, XAPI_CURSOR);
	xapi_result_done(&r);
	/* the reset: page 1 again works */
	ck_assert_int_eq(xapi_replies(e.x, tid, "", 0, &p, &r), 0);
	xapi_page_done(&p);
	xapi_result_done(&r);
	free(cursor);
	ck_assert_int_eq(stat(&e, "faults", "cursor"), 2);
	env_stop(&e);
}
END_TEST

START_TEST(test_since_time_and_short_pages)
{
	struct sim_opts o;
	struct env e;
	struct xapi_page p;
	struct xapi_result r;
	base_opts(&o);
	o.short_pages = true;
	o.rate = 60;
	env_start(&e, &o);
	const char *tid = sim_tweet_id(e.sim, 0);
	json_t *truth = sim_call(&e, "GET", "/_sim/truth");
	struct strs want = {0}, got = {0};
	truth_keys(truth, tid, "reply", &want);
	ck_assert_uint_gt(want.n, 40);
	/* short pages still walk to the exact set */
	int pages = 0;
	ck_assert_int_eq(walk_all(e.x, 1, tid, &got, NULL, &pages), XAPI_STOP_LAST_PAGE);
	strs_sort(&got);
	strs_sort(&want);
	strs_assert_eq(&got, &want, "short pages");
	ck_assert_int_ge(pages, (int)(want.n + 19) / 20);
	strs_done(&got);
	strs_done(&want);

	/* sinceTime: only replies at or after it */
	ck_assert_int_eq(xapi_replies(e.x, tid, "", 0, &p, &r), 0);
	ck_assert_uint_ge(p.n_tweets, 10);
	int64_t since_ms = p.tweets[9].created_at_ms;
	xapi_page_done(&p);
	xapi_result_done(&r);
	ck_assert_int_eq(xapi_replies(e.x, tid, "", since_ms / 1000, &p, &r), 0);
	ck_assert_uint_ge(p.n_tweets, 10);
	ck_assert(!p.has_next_page);
	for (size_t i = 0; i < p.n_tweets; i++)
		ck_assert_int_ge(p.tweets[i].created_at_ms, since_ms / 1000 * 1000);
	for (size_t i = 1; i < p.n_tweets; i++) /* newest first */
		ck_assert_int_ge(p.tweets[i - 1].created_at_ms, p.tweets[i].created_at_ms);
	xapi_page_done(&p);
	xapi_result_done(&r);

	/* untilTime: only replies before it, newest first, paged on with the
	 * same untilTime down to the oldest: exactly the older part of a walk
	 * without it */
	int64_t until_s = since_ms / 1000;
	size_t below = 0, older = 0;
	for (int pass = 0; pass < 2; pass++) {
		struct xapi_walk w;
		xapi_walk_init(&w, "", 0);
		for (bool more = true; more;) {
			ck_assert_int_eq(
			    xapi_replies_range(e.x, tid, w.cursor, 0, pass ? until_s : 0, &p, &r),
			    0);
			more = xapi_walk_feed(&w, &p);
			for (size_t i = 0; i < p.n_tweets; i++) {
				bool before = p.tweets[i].created_at_ms < until_s * 1000;
				if (pass)
					ck_assert(before);
				*(pass ? &below : &older) += before;
			}
			xapi_page_done(&p);
			xapi_result_done(&r);
		}
		xapi_walk_done(&w);
	}
	ck_assert_uint_eq(below, older);
	ck_assert_uint_gt(below, 0);
	json_decref(truth);
	env_stop(&e);
}
END_TEST

START_TEST(test_sim_is_deterministic_and_varied)
{
	struct sim_opts o;
	struct env a, b;
	base_opts(&o);
	env_start(&a, &o);
	env_start(&b, &o);
	json_t *ta = sim_call(&a, "GET", "/_sim/truth");
	json_t *tb = sim_call(&b, "GET", "/_sim/truth");
	ck_assert(json_equal(ta, tb));
	json_decref(ta);
	json_decref(tb);
	env_stop(&b);
	o.seed = 12;
	env_start(&b, &o);
	ck_assert_str_ne(sim_tweet_id(a.sim, 0), sim_tweet_id(b.sim, 0));
	ck_assert_uint_eq(strlen(sim_tweet_id(b.sim, 0)), 19);
	env_stop(&b);

	/* the account pool: hostile, long, non-ASCII, verified, repeat repliers */
	bool esc = false, longbio = false, utf8 = false, verified = false, investor = false;
	struct xapi_walk w;
	for (int t = 0; t < 2; t++) {
		xapi_walk_init(&w, NULL, 0);
		for (;;) {
			struct xapi_page p;
			struct xapi_result r;
			ck_assert_int_eq(
			    xapi_retweeters(a.x, sim_tweet_id(a.sim, t), w.cursor, &p, &r), 0);
			bool more = xapi_walk_feed(&w, &p);
			for (size_t i = 0; i < p.n_users; i++) {
				const struct lw_user *u = &p.users[i];
				esc |= strchr(u->name, '\x1b') != NULL ||
				       strchr(u->bio, '\x1b') != NULL;
				longbio |= strlen(u->bio) > 2048;
				utf8 |= (unsigned char)u->name[0] >= 0x80 ||
				        strstr(u->name, "\xc3") != NULL;
				verified |= u->verified;
				investor |= strstr(u->bio, "Partner at Paradigm") != NULL ||
				            strstr(u->bio, "a16z") != NULL ||
				            strstr(u->bio, "angel") != NULL;
			}
			xapi_page_done(&p);
			xapi_result_done(&r);
			if (!more)
				break;
		}
		xapi_walk_done(&w);
	}
	ck_assert(esc);
	ck_assert(longbio);
	ck_assert(utf8);
	ck_assert(verified);
	ck_assert(investor);

	/* some author replies several times; some replies answer a reply */
	json_t *truth = sim_call(&a, "GET", "/_sim/truth");
	json_t *engs = json_object_get(truth, "engagements");
	bool multi = false, nested = false;
	for (size_t i = 0; i < json_array_size(engs); i++) {
		json_t *e = json_array_get(engs, i);
		if (strcmp(json_string_value(json_object_get(e, "action")), "reply") != 0)
			continue;
		json_t *refs = json_object_get(e, "refs");
		multi |= json_array_size(refs) > 1;
		for (size_t k = 0; k < json_array_size(refs); k++) {
			const char *p = json_string_value(
			    json_object_get(json_array_get(refs, k), "in_reply_to_id"));
			nested |= strcmp(p, json_string_value(json_object_get(e, "tweet_id"))) != 0;
		}
	}
	ck_assert(multi);
	ck_assert(nested);
	json_decref(truth);

	/* user info by handle, and an unknown handle */
	struct xapi_page p;
	struct xapi_result r;
	struct lw_user u;
	ck_assert_int_eq(xapi_retweeters(a.x, sim_tweet_id(a.sim, 0), "", &p, &r), 0);
	xapi_result_done(&r);
	ck_assert_int_eq(xapi_user_info(a.x, p.users[0].handle, &u, &r), 0);
	ck_assert_str_eq(u.id, p.users[0].id);
	ck_assert_int_eq(r.credits, 18);
	lw_user_done(&u);
	xapi_result_done(&r);
	xapi_page_done(&p);
	ck_assert_int_eq(xapi_user_info(a.x, "nobody_here", &u, &r), -1);
	ck_assert_int_eq(r.cls, XAPI_BAD_RESPONSE);
	xapi_result_done(&r);
	env_stop(&a);
}
END_TEST

START_TEST(test_stats_and_reset)
{
	struct sim_opts o;
	struct env e;
	struct xapi_page p;
	struct xapi_result r;
	base_opts(&o);
	env_start(&e, &o);
	const char *tid = sim_tweet_id(e.sim, 0);
	ck_assert_int_eq(xapi_quotes(e.x, tid, "", 0, &p, &r), 0);
	xapi_page_done(&p);
	xapi_result_done(&r);
	ck_assert_int_eq(stat(&e, "requests", "quotes"), 1);
	ck_assert_int_eq(stat(&e, NULL, "provider_requests"), 1);
	json_decref(sim_call(&e, "POST", "/_sim/reset-stats"));
	ck_assert_int_eq(stat(&e, "requests", "quotes"), 0);
	ck_assert_int_eq(stat(&e, NULL, "credits_used"), 0);
	json_t *adv = sim_call(&e, "POST", "/_sim/advance?secs=2.5");
	ck_assert_int_eq(json_integer_value(json_object_get(adv, "elapsed_ms")), 2500);
	json_decref(adv);
	env_stop(&e);
}
END_TEST

START_TEST(test_rate_limiter_holds_qps)
{
	struct sim_opts o;
	struct env e;
	base_opts(&o);
	env_start(&e, &o);
	xapi_free(e.x);
	ratelimit_free(e.rl);
	e.rl = NULL;
	e.x = make_client(&e, NULL, 5, 0, 0);
	const char *ids[1] = {sim_tweet_id(e.sim, 0)};
	int64_t t0 = clock_now_ms();
	for (int i = 0; i < 20; i++) {
		struct xapi_tweets out;
		struct xapi_result r;
		ck_assert_int_eq(xapi_get_tweets(e.x, ids, 1, &out, &r), 0);
		xapi_tweets_done(&out);
		xapi_result_done(&r);
	}
	int64_t ms = clock_now_ms() - t0;
	ck_assert_msg(ms >= 3600, "20 requests at 5 QPS took %lld ms", (long long)ms);
	ck_assert_int_eq(stat(&e, NULL, "provider_requests"), 20);
	ck_assert_int_eq(stat(&e, "faults", "429"), 0);
	env_stop(&e);
}
END_TEST

START_TEST(test_config_from_env)
{
	struct xapi_config cfg;
	char *cause = NULL;
	char *dir = xasprintf("/tmp/lw-xapi-test-%d", (int)getpid());
	char *keyfile = xasprintf("%s.key", dir);
	FILE *f = fopen(keyfile, "w");
	fputs("  file-key-abc  \nsecond line\n", f);
	fclose(f);

	unsetenv("TWITTERAPI_KEY");
	unsetenv("TWITTERAPI_KEY_FILE");
	unsetenv("TWITTERAPI_BASE_URL");
	xapi_config_init(&cfg);
	ck_assert_int_eq(xapi_config_from_env(&cfg, &cause), -1); /* real provider, no key */
	ck_assert_ptr_nonnull(strstr(cause, "TWITTERAPI_KEY"));
	free(cause);
	cause = NULL;
	xapi_config_done(&cfg);

	setenv("TWITTERAPI_BASE_URL", "http://127.0.0.1:9/", 1);
	xapi_config_init(&cfg);
	ck_assert_int_eq(xapi_config_from_env(&cfg, &cause), 0); /* the simulator needs none */
	ck_assert_str_eq(cfg.base_url, "http://127.0.0.1:9");
	ck_assert_ptr_null(cfg.key);
	xapi_config_done(&cfg);

	setenv("TWITTERAPI_BASE_URL", "https://api.twitterapi.io", 1);
	setenv("TWITTERAPI_KEY_FILE", keyfile, 1);
	xapi_config_init(&cfg);
	ck_assert_int_eq(xapi_config_from_env(&cfg, &cause), 0);
	ck_assert_str_eq(cfg.key, "file-key-abc");
	xapi_config_done(&cfg);

	setenv("TWITTERAPI_KEY", "env key with spaces", 1);
	xapi_config_init(&cfg);
	ck_assert_int_eq(xapi_config_from_env(&cfg, &cause), -1);
	ck_assert_ptr_null(strstr(cause, "env key"));
	free(cause);
	cause = NULL;
	xapi_config_done(&cfg);

	setenv("TWITTERAPI_BASE_URL", "ftp://x", 1);
	xapi_config_init(&cfg);
	ck_assert_int_eq(xapi_config_from_env(&cfg, &cause), -1);
	free(cause);
	xapi_config_done(&cfg);
	unlink(keyfile);
	free(keyfile);
	free(dir);
}
END_TEST

/* Builds the suite. */
static Suite *
xapi_sim_suite(void)
{
	Suite *s = suite_create("xapi_sim");
	TCase *tc = tcase_create("client+sim");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_full_walk_equals_truth);
	tcase_add_test(tc, test_cursor_stable_while_items_arrive);
	tcase_add_test(tc, test_metrics_missing_and_credits);
	tcase_add_test(tc, test_metrics_move_and_sometimes_drop);
	tcase_add_test(tc, test_auth_stops_without_retries);
	tcase_add_test(tc, test_credits_run_out_and_come_back);
	tcase_add_test(tc, test_rate_limit_429);
	tcase_add_test(tc, test_transient_5xx_retried_then_failed);
	tcase_add_test(tc, test_transport_failures_are_transient);
	tcase_add_test(tc, test_malformed_body_is_bad_response);
	tcase_add_test(tc, test_expired_and_forged_cursors);
	tcase_add_test(tc, test_since_time_and_short_pages);
	tcase_add_test(tc, test_sim_is_deterministic_and_varied);
	tcase_add_test(tc, test_stats_and_reset);
	tcase_add_test(tc, test_rate_limiter_holds_qps);
	tcase_add_test(tc, test_config_from_env);
	suite_add_tcase(s, tc);
	return s;
}

/* Runs the suite; exits non-zero when a check failed. */
int
main(void)
{
	SRunner *sr = srunner_create(xapi_sim_suite());
	int failed;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
