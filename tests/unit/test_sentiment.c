/*
 * Tests of the sentiment sums (model/sentiment.c): classes at VADER's
 * thresholds, per tweet, per bucket and in all, not scored counted apart,
 * the mean and its short text.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "model/sentiment.h"

START_TEST(test_sums_and_classes)
{
	struct sent_sums s;
	memset(&s, 0, sizeof s);
	char buf[32];
	sent_sums_text(&s, buf, sizeof buf);
	ck_assert_str_eq(buf, "not scored");
	sent_sums_add(&s, true, 0.05);   /* positive at the threshold */
	sent_sums_add(&s, true, 0.049);  /* neutral */
	sent_sums_add(&s, true, -0.049); /* neutral */
	sent_sums_add(&s, true, -0.05);  /* negative at the threshold */
	sent_sums_add(&s, false, 0.9);   /* not scored: the score is ignored */
	ck_assert_int_eq(s.count, 4);
	ck_assert_int_eq(s.positive, 1);
	ck_assert_int_eq(s.neutral, 2);
	ck_assert_int_eq(s.negative, 1);
	ck_assert_int_eq(s.not_scored, 1);
	double m;
	ck_assert(sent_sums_mean(&s, &m));
	ck_assert_double_eq_tol(m, 0.0, 1e-12);
	sent_sums_text(&s, buf, sizeof buf);
	ck_assert_str_eq(buf, "+0.00 (4)");
}
END_TEST

START_TEST(test_state_per_tweet_and_bucket)
{
	struct sent_state st;
	memset(&st, 0, sizeof st);
	sent_state_add(&st, "111", BK_INVESTOR, true, -0.9);
	sent_state_add(&st, "222", BK_OTHER, true, 0.5);
	sent_state_add(&st, "111", BK_OTHER, true, 0.3);
	sent_state_add(&st, "111", BK_MEDIA, false, 0);
	ck_assert_uint_eq(st.ntweets, 2);
	const struct sent_sums *t = sent_state_tweet(&st, "111");
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(t->count, 2);
	ck_assert_double_eq_tol(t->sum, -0.6, 1e-12);
	ck_assert_int_eq(t->not_scored, 1);
	ck_assert_ptr_null(sent_state_tweet(&st, "333"));
	ck_assert_int_eq(st.bucket[BK_OTHER].count, 2);
	ck_assert_int_eq(st.bucket[BK_INVESTOR].negative, 1);
	ck_assert_int_eq(st.bucket[BK_MEDIA].not_scored, 1);
	ck_assert_int_eq(st.total.count, 3);
	ck_assert_int_eq(st.total.not_scored, 1);
	char buf[32];
	sent_sums_text(&st.total, buf, sizeof buf);
	ck_assert_str_eq(buf, "-0.03 (3)");
	sent_state_done(&st);
	ck_assert_uint_eq(st.ntweets, 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sentiment");
	TCase *tc = tcase_create("sentiment");
	tcase_add_test(tc, test_sums_and_classes);
	tcase_add_test(tc, test_state_per_tweet_and_bucket);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
