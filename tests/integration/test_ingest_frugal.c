/*
 * test_ingest_frugal: frugality of the ingest engine: unchanged counts cost one
 * metrics request and no list request; a delta walk of N costs at most
 * ceil(N/page) + 1 requests.
 * Runs the real binary against a real devdb and the in-process simulator;
 * main thread only (the simulator serves on its own threads).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ing_support.h"
#include "sim/sim.h"
#include "store/store.h"
#include "store/store_jobview.h"

START_TEST(frugal_deltas_and_unchanged_counts)
{
	struct ing_world w;
	struct sim_opts o;
	sim_opts_init(&o);
	o.seed = 21;
	o.phantom_next_page = true;
	ing_world_start(&w, &o, "50");
	ck_assert_int_eq(ing_run_once(&w, 60000), 0);
	ing_check_exact(&w);

	/* nothing moved: one metrics request, no list request */
	json_decref(ing_sim_call(&w, "POST", "/_sim/reset-stats"));
	ck_assert_int_eq(ing_run_once(&w, 60000), 0);
	json_t *st = ing_sim_call(&w, "GET", "/_sim/stats");
	ck_assert_int_eq(ing_jint2(st, "requests", "tweets"), 1);
	ck_assert_int_eq(ing_jint2(st, "requests", "retweeters"), 0);
	ck_assert_int_eq(ing_jint2(st, "requests", "replies"), 0);
	ck_assert_int_eq(ing_jint2(st, "requests", "quotes"), 0);
	json_decref(st);

	/* deltas: at most ceil(delta / page) + 1 per walk */
	for (int round = 0; round < 3; round++) {
		static const int64_t page[3] = {100, 20, 20};
		static const char *const ep[3] = {"retweeters", "replies", "quotes"};
		static const char *const field[3] = {"retweets", "replies", "quotes"};
		json_t *before = ing_sim_call(&w, "GET", "/_sim/truth");
		ing_advance(&w, 20 + 60 * round);
		json_t *after = ing_sim_call(&w, "GET", "/_sim/truth");
		json_decref(ing_sim_call(&w, "POST", "/_sim/reset-stats"));
		ck_assert_int_eq(ing_run_once(&w, 60000), 0);
		st = ing_sim_call(&w, "GET", "/_sim/stats");
		ck_assert_int_eq(ing_jint2(st, "requests", "tweets"), 1);
		for (int k = 0; k < 3; k++) {
			int64_t bound = 0, delta_total = 0;
			for (int t = 0; t < NTWEETS; t++) {
				json_t *b =
				    json_array_get(json_object_get(before, "tweets"), (size_t)t);
				json_t *a =
				    json_array_get(json_object_get(after, "tweets"), (size_t)t);
				int64_t d = ing_jint2(a, "metrics", field[k]) -
				            ing_jint2(b, "metrics", field[k]);
				delta_total += d;
				bound += d > 0 ? ing_ceil_div(d, page[k]) + 1 : 0;
			}
			int64_t used = ing_jint2(st, "requests", ep[k]);
			ck_assert_msg(used <= bound,
			    "%s: %lld requests for a delta of %lld (bound %lld)", ep[k],
			    (long long)used, (long long)delta_total, (long long)bound);
			ck_assert_int_ge(used, delta_total > 0 ? 1 : 0);
		}
		json_decref(st);
		json_decref(before);
		json_decref(after);
		ing_check_exact(&w);
	}
	ing_world_stop(&w);
}
END_TEST

/* Sums the requests of the jobs of one tweet. */
static int64_t
tweet_requests(struct ing_world *w, const char *tweet_id)
{
	struct stj_job *v;
	size_t n;
	char *cause = NULL;
	int64_t sum = 0;
	ck_assert_msg(stj_jobs_list(w->s, w->campaign_id, &v, &n, &cause) == 0, "%s", cause);
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].tweet_id, tweet_id) == 0)
			sum += v[i].requests;
	stj_jobs_free(v, n);
	return sum;
}

/* A tweet removed from the campaign keeps its data but is not polled. */
START_TEST(removed_tweet_is_not_polled)
{
	struct ing_world w;
	struct sim_opts o;
	sim_opts_init(&o);
	o.seed = 22;
	ing_world_start(&w, &o, "50");
	ck_assert_int_eq(ing_run_once(&w, 60000), 0);
	const char *gone = sim_tweet_id(w.sim, NTWEETS - 1), *kept = sim_tweet_id(w.sim, 0);
	int64_t engs_before = store_count(w.s, "engagements", w.campaign_id, NULL);
	ing_campaign_add(&w, NTWEETS - 1);
	int64_t gone_before = tweet_requests(&w, gone), kept_before = tweet_requests(&w, kept);
	ck_assert_int_gt(gone_before, 0);
	ing_advance(&w, 120);
	ck_assert_int_eq(ing_run_once(&w, 60000), 0);
	ck_assert_int_eq(tweet_requests(&w, gone), gone_before);
	ck_assert_int_gt(tweet_requests(&w, kept), kept_before);
	/* its stored engagements are kept */
	ck_assert_int_ge(store_count(w.s, "engagements", w.campaign_id, NULL), engs_before);
	ing_world_stop(&w);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("test_ingest_frugal");
	TCase *tc = tcase_create("engine");
	tcase_set_timeout(tc, 100);
	tcase_add_test(tc, frugal_deltas_and_unchanged_counts);
	tcase_add_test(tc, removed_tweet_is_not_polled);
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
