/*
 * End-to-end tests of `launchwatch api` (the real binary) against the
 * simulator running in this process: a full walk with overlapping pages and
 * a phantom next page finds exactly the tweet's count, a wrong key is an
 * auth error that never echoes the key, and exhausted credits exit 75.
 */
#include <check.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim.h"
#include "testutil.h"
#include "base/util.h"

/* Starts a frozen simulator with the given key and credits. */
static struct sim *
start_sim(const char *key, int64_t credits)
{
	struct sim_opts o;
	char *cause = NULL;
	sim_opts_init(&o);
	o.frozen = true;
	o.overlap = 2;
	o.phantom_next_page = true;
	o.tweets = 1;
	o.key = key;
	o.credits = credits;
	struct sim *s = sim_start(&o, &cause);
	ck_assert_msg(s != NULL, "sim_start: %s", cause ? cause : "");
	return s;
}

/* Runs `launchwatch api ARGS` against s with TWITTERAPI_KEY=key. */
static void
run_api(struct tu_run *r, struct sim *s, const char *key, const char *const *args)
{
	char *base = xasprintf("TWITTERAPI_BASE_URL=http://127.0.0.1:%d", sim_port(s));
	char *k = xasprintf("TWITTERAPI_KEY=%s", key);
	const char *env[] = {base, k, "LAUNCHWATCH_QPS=50", "TWITTERAPI_KEY_FILE=", NULL};
	tu_run(r, env, 60000, args);
	free(base);
	free(k);
}

START_TEST(test_walk_matches_count)
{
	struct sim *s = start_sim(NULL, -1);
	struct tu_run r;
	const char *id = sim_tweet_id(s, 0);
	sim_advance(s, 30 * 60 * 1000); /* half an hour of engagement */
	char *url = xasprintf("https://x.com/acme/status/%s?s=20", id);
	const char *get[] = {"api", "get-tweet", url, NULL};
	run_api(&r, s, "any", get);
	ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
	const char *p = strstr(r.out, "retweets=");
	ck_assert_ptr_nonnull(p);
	long retweets = strtol(p + strlen("retweets="), NULL, 10);
	ck_assert_int_gt(retweets, 100); /* more than one page */
	tu_run_done(&r);

	const char *walk[] = {"api", "walk", "retweeters", id, NULL};
	run_api(&r, s, "any", walk);
	ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
	char *want = xasprintf("%ld unique retweeters", retweets);
	ck_assert_msg(strstr(r.out, want) != NULL, "want '%s' in:\n%s", want, r.out);
	ck_assert_ptr_nonnull(strstr(r.out, "duplicates dropped"));
	free(want);
	tu_run_done(&r);
	free(url);
	sim_free(s);
}
END_TEST

START_TEST(test_wrong_key_is_auth_and_secret)
{
	struct sim *s = start_sim("right-key-7f3a", -1);
	struct tu_run r;
	const char *get[] = {"api", "get-tweet", sim_tweet_id(s, 0), NULL};
	run_api(&r, s, "wrong-key-91c2", get);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strstr(r.err, "class=auth") != NULL, "%s", r.err);
	ck_assert_ptr_null(strstr(r.err, "wrong-key-91c2"));
	ck_assert_ptr_null(strstr(r.out, "wrong-key-91c2"));
	tu_run_done(&r);
	run_api(&r, s, "right-key-7f3a", get);
	ck_assert_int_eq(r.status, 0);
	tu_run_done(&r);
	sim_free(s);
}
END_TEST

START_TEST(test_credits_exhausted_exit_75)
{
	struct sim *s = start_sim(NULL, 0);
	struct tu_run r;
	const char *get[] = {"api", "get-tweet", sim_tweet_id(s, 0), NULL};
	run_api(&r, s, "any", get);
	ck_assert_int_eq(r.status, 75);
	ck_assert_msg(strstr(r.err, "class=credits") != NULL, "%s", r.err);
	tu_run_done(&r);
	sim_free(s);
}
END_TEST

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	Suite *su = suite_create("cli_api");
	TCase *tc = tcase_create("cli_api");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_walk_matches_count);
	tcase_add_test(tc, test_wrong_key_is_auth_and_secret);
	tcase_add_test(tc, test_credits_exhausted_exit_75);
	suite_add_tcase(su, tc);
	SRunner *sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
