/*
 * Unit tests of fmt: counts, durations, countdowns, clock times, percentages.
 */
#include <check.h>
#include <stdlib.h>

#include "base/fmt.h"

START_TEST(test_count)
{
	static const struct {
		long long v;
		const char *want;
	} cases[] = {
	    {0, "0"},
	    {999, "999"},
	    {1000, "1.0k"},
	    {1234, "1.2k"},
	    {12345, "12.3k"},
	    {99949, "99.9k"},
	    {99950, "100k"},
	    {123456, "123k"},
	    {999499, "999k"},
	    {999500, "1.0M"},
	    {1234567, "1.2M"},
	    {-12345, "-12.3k"},
	    {2500000000LL, "2.5B"},
	};
	char buf[16];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		ck_assert_str_eq(fmt_count(cases[i].v, buf, sizeof buf), cases[i].want);
}
END_TEST

START_TEST(test_duration_and_window)
{
	char buf[32];
	ck_assert_str_eq(fmt_duration(0, buf, sizeof buf), "0s");
	ck_assert_str_eq(fmt_duration(45, buf, sizeof buf), "45s");
	ck_assert_str_eq(fmt_duration(65, buf, sizeof buf), "1m 5s");
	ck_assert_str_eq(fmt_duration(3600, buf, sizeof buf), "1h");
	ck_assert_str_eq(fmt_duration(3 * 86400 + 4 * 3600 + 59, buf, sizeof buf), "3d 4h");
	ck_assert_str_eq(fmt_duration(-5, buf, sizeof buf), "0s");
	int64_t start = 1000000000000LL, end = start + 7 * 86400000LL;
	ck_assert_str_eq(
	    fmt_window(start, end, start - 90000, buf, sizeof buf), "starts in 1m 30s");
	ck_assert_str_eq(
	    fmt_window(start, end, start + 86400000LL * 4 - 4 * 3600000LL, buf, sizeof buf),
	    "ends in 3d 4h");
	ck_assert_str_eq(fmt_window(start, end, end, buf, sizeof buf), "completed");
	ck_assert_str_eq(fmt_ago(start, start + 500, buf, sizeof buf), "now");
	ck_assert_str_eq(fmt_ago(start, start + 12000, buf, sizeof buf), "12s ago");
	ck_assert_str_eq(fmt_ago(start, start + 7200000, buf, sizeof buf), "2h ago");
}
END_TEST

START_TEST(test_clock_and_percent)
{
	char buf[32];
	/* 2026-12-01T14:05:09Z */
	int64_t t = 1796133909000LL;
	ck_assert_str_eq(fmt_clock(t, buf, sizeof buf), "14:05:09");
	ck_assert_str_eq(fmt_hour(t, buf, sizeof buf), "12-01 14:00");
	ck_assert_str_eq(fmt_day(t, buf, sizeof buf), "2026-12-01");
	ck_assert_str_eq(fmt_percent(1, 3, buf, sizeof buf), "33.3%");
	ck_assert_str_eq(fmt_percent(5, 0, buf, sizeof buf), "0.0%");
	char tiny[4];
	ck_assert_str_eq(fmt_count(1234567, tiny, sizeof tiny), "1.2");
}
END_TEST

static Suite *
fmt_suite(void)
{
	Suite *s = suite_create("fmt");
	TCase *tc = tcase_create("fmt");
	tcase_add_test(tc, test_count);
	tcase_add_test(tc, test_duration_and_window);
	tcase_add_test(tc, test_clock_and_percent);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(fmt_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
