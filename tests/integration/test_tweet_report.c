/*
 * test_tweet_report: `launchwatch tweet-report` end to end: the real binary
 * against the in-process simulator (frozen clock, overlapping pages and
 * phantom next pages) prints engagement counts equal to /_sim/truth for the
 * tweet, prints a hostile bio with its escapes removed and no control bytes
 * at all, honours --max-pages, and exits like `api` on usage errors, a
 * missing tweet and exhausted credits. Main thread only.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "net/http.h"
#include "sim/sim.h"
#include "testutil.h"
#include "base/text.h"
#include "base/util.h"
#include "provider/xapi.h"

/* A simulator and the environment that points the binary at it. */
struct trw {
	struct sim *sim;
	char *dir;
	char base[64];
	char env_base[128], env_data[256];
	const char *env[4];
};

/* Starts a simulator with o (frozen, 2 tweets) and an empty data dir. */
static void
trw_start(struct trw *w, struct sim_opts *o)
{
	char *cause = NULL;
	memset(w, 0, sizeof *w);
	o->frozen = true;
	o->tweets = 2;
	w->sim = sim_start(o, &cause);
	ck_assert_msg(w->sim != NULL, "sim_start: %s", cause);
	w->dir = tu_tempdir();
	snprintf(w->base, sizeof w->base, "http://127.0.0.1:%d", sim_port(w->sim));
	snprintf(w->env_base, sizeof w->env_base, "TWITTERAPI_BASE_URL=%s", w->base);
	snprintf(w->env_data, sizeof w->env_data, "XDG_DATA_HOME=%s", w->dir);
	w->env[0] = w->env_base;
	w->env[1] = w->env_data;
	w->env[2] = "LAUNCHWATCH_QPS=50";
	w->env[3] = NULL;
}

/* Stops the simulator and removes the data dir. */
static void
trw_stop(struct trw *w)
{
	sim_free(w->sim);
	tu_rmtree(w->dir);
	free(w->dir);
}

/* Returns the simulator's truth (caller decrefs). */
static json_t *
truth_get(struct trw *w)
{
	struct http_client *h = http_client_new();
	struct http_response resp;
	char *cause = NULL;
	char *url = xasprintf("%s/_sim/truth", w->base);
	ck_assert_msg(http_request(h, "GET", url, NULL, &resp, &cause) == 0, "%s", cause);
	json_t *j = json_loadb(resp.body, resp.len, 0, NULL);
	ck_assert_ptr_nonnull(j);
	http_response_done(&resp);
	http_client_free(h);
	free(url);
	return j;
}

/* Counts the truth's engagements of tweet_id with action. */
static size_t
truth_count(json_t *truth, const char *tweet_id, const char *action)
{
	json_t *engs = json_object_get(truth, "engagements");
	size_t n = 0;
	for (size_t i = 0; i < json_array_size(engs); i++) {
		json_t *e = json_array_get(engs, i);
		n += strcmp(json_string_value(json_object_get(e, "tweet_id")), tweet_id) == 0 &&
		     strcmp(json_string_value(json_object_get(e, "action")), action) == 0;
	}
	return n;
}

/* Finds a retweeter of tweet_id whose bio holds an escape byte; fills
 * handle and bio (caller frees). */
static void
find_hostile(struct trw *w, const char *tweet_id, char **handle, char **bio)
{
	struct xapi_config cfg;
	xapi_config_init(&cfg);
	cfg.base_url = xstrdup(w->base);
	struct xapi *x = xapi_new(&cfg);
	xapi_config_done(&cfg);
	struct xapi_walk wk;
	*handle = *bio = NULL;
	xapi_walk_init(&wk, "", 0);
	for (bool more = true; more && *handle == NULL;) {
		struct xapi_page p;
		struct xapi_result r;
		ck_assert_int_eq(xapi_retweeters(x, tweet_id, wk.cursor, &p, &r), 0);
		more = xapi_walk_feed(&wk, &p);
		for (size_t i = 0; i < p.n_users && *handle == NULL; i++)
			if (strchr(p.users[i].bio, '\x1b') != NULL) {
				*handle = xstrdup(p.users[i].handle);
				*bio = xstrdup(p.users[i].bio);
			}
		xapi_page_done(&p);
		xapi_result_done(&r);
	}
	xapi_walk_done(&wk);
	xapi_free(x);
	ck_assert_msg(*handle != NULL, "no hostile retweeter in the simulator");
}

/* Returns true when out holds a terminal control byte: C0 other than
 * newline, DEL, a C1 control (UTF-8 C2 80..9F) or a bidi override. */
static bool
has_controls(const char *out)
{
	for (const unsigned char *p = (const unsigned char *)out; *p; p++) {
		if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
			return true;
		if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return true;
		if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xae || p[2] == 0xad || p[2] == 0xab))
			return true;
	}
	return false;
}

START_TEST(counts_equal_truth_and_text_is_safe)
{
	struct trw w;
	struct sim_opts o;
	sim_opts_init(&o);
	o.seed = 9;
	o.overlap = 3;
	o.phantom_next_page = true;
	trw_start(&w, &o);
	const char *id = sim_tweet_id(w.sim, 1);
	char *url = xasprintf("https://x.com/someone/status/%s", id);
	struct tu_run r;
	const char *args[] = {"tweet-report", url, NULL};
	tu_run(&r, w.env, 60000, args);
	ck_assert_msg(r.status == 0, "tweet-report: %d\n%s", r.status, r.err);

	size_t rt, rp, qt, accounts;
	const char *line = strstr(r.out, "\nengagements: ");
	ck_assert_ptr_nonnull(line);
	ck_assert_int_eq(
	    sscanf(line, "\nengagements: retweet=%zu reply=%zu quote=%zu; accounts=%zu", &rt, &rp,
	        &qt, &accounts),
	    4);
	json_t *truth = truth_get(&w);
	ck_assert_uint_eq(rt, truth_count(truth, id, "retweet"));
	ck_assert_uint_eq(rp, truth_count(truth, id, "reply"));
	ck_assert_uint_eq(qt, truth_count(truth, id, "quote"));
	ck_assert_uint_gt(rt, 100); /* more than one page of retweeters */
	ck_assert_uint_gt(rp, 0);
	ck_assert_uint_le(accounts, rt + rp + qt);
	json_decref(truth);

	/* the report's sections */
	ck_assert_ptr_nonnull(strstr(r.out, "\nmetrics: likes="));
	ck_assert_ptr_nonnull(strstr(r.out, "\ninvestor: "));
	ck_assert_ptr_nonnull(strstr(r.out, "\nother: "));
	ck_assert_ptr_nonnull(strstr(r.out, "evidence: bio: "));
	ck_assert_ptr_nonnull(strstr(r.out, "\ntop accounts:\n"));

	/* a hostile bio is printed, without its escapes */
	char *handle, *bio;
	find_hostile(&w, id, &handle, &bio);
	char *at = xasprintf("@%s ", handle);
	ck_assert_msg(strstr(r.out, at) != NULL, "%s is not in the report", at);
	char *safe = text_sanitize(bio, strlen(bio), 160);
	ck_assert_ptr_null(strchr(safe, '\x1b'));
	ck_assert_msg(strstr(r.out, safe) != NULL, "sanitized bio not printed: %s", safe);
	ck_assert_ptr_nonnull(strstr(r.out, "red alert"));
	ck_assert(!has_controls(r.out));
	free(safe);
	free(at);
	free(handle);
	free(bio);
	tu_run_done(&r);

	/* --max-pages 1: at most one page per list, and it says so */
	const char *args1[] = {"tweet-report", "--max-pages", "1", id, NULL};
	tu_run(&r, w.env, 60000, args1);
	ck_assert_int_eq(r.status, 0);
	line = strstr(r.out, "\nengagements: ");
	ck_assert_ptr_nonnull(line);
	ck_assert_int_eq(
	    sscanf(line, "\nengagements: retweet=%zu reply=%zu quote=%zu", &rt, &rp, &qt), 3);
	ck_assert_uint_le(rt, 100);
	ck_assert_uint_le(rp, 20);
	ck_assert_ptr_nonnull(strstr(r.out, "retweeters 1 page (page limit; more exist)"));
	tu_run_done(&r);
	free(url);
	trw_stop(&w);
}
END_TEST

START_TEST(usage_missing_and_credits)
{
	struct trw w;
	struct sim_opts o;
	struct tu_run r;
	sim_opts_init(&o);
	o.credits = 0;
	trw_start(&w, &o);

	const char *help[] = {"tweet-report", "--help", NULL};
	tu_run(&r, w.env, 30000, help);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "usage: launchwatch tweet-report URL|ID"));
	ck_assert_ptr_nonnull(strstr(r.out, "--max-pages N"));
	tu_run_done(&r);

	const char *none[] = {"tweet-report", NULL};
	tu_run(&r, w.env, 30000, none);
	ck_assert_int_eq(r.status, 64);
	tu_run_done(&r);

	const char *bad[] = {"tweet-report", "https://example.com/not-a-tweet", NULL};
	tu_run(&r, w.env, 30000, bad);
	ck_assert_int_eq(r.status, 64);
	tu_run_done(&r);

	const char *pages[] = {"tweet-report", "--max-pages", "0", "123", NULL};
	tu_run(&r, w.env, 30000, pages);
	ck_assert_int_eq(r.status, 64);
	tu_run_done(&r);

	/* no credits: 75 like `api`, with the provider's class on stderr */
	const char *poor[] = {"tweet-report", sim_tweet_id(w.sim, 0), NULL};
	tu_run(&r, w.env, 30000, poor);
	ck_assert_int_eq(r.status, 75);
	ck_assert_ptr_nonnull(strstr(r.err, "credits"));
	tu_run_done(&r);
	trw_stop(&w);

	/* an unknown tweet is missing: 1 */
	sim_opts_init(&o);
	trw_start(&w, &o);
	const char *missing[] = {"tweet-report", "12345", NULL};
	tu_run(&r, w.env, 30000, missing);
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "missing"));
	tu_run_done(&r);
	trw_stop(&w);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("test_tweet_report");
	TCase *tc = tcase_create("report");
	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, counts_equal_truth_and_text_is_safe);
	tcase_add_test(tc, usage_missing_and_credits);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(make_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
