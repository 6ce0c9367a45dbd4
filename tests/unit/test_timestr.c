/*
 * test_timestr: durations and RFC 3339 times (base/timestr) parsed and
 * formatted, both ways, with the exact causes of what is refused; the
 * condition-wait deadlines of base/util (clock_deadline). Pure.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/timestr.h"
#include "base/util.h"

/* Durations that parse, with their seconds. */
static const struct {
	const char *in;
	int64_t s;
} durations_ok[] = {
    {"0", 0},
    {"0s", 0},
    {"2s", 2},
    {"90s", 90},
    {"5m", 300},
    {"2h", 7200},
    {"7d", 604800},
    {"1h30m", 5400},
    {"1d2h3m4s", 93784},
    {"36500d", 3153600000},
    {"10m0s", 600},
    {"001m", 60},
};

/* Durations that are refused, with their cause. */
static const struct {
	const char *in;
	const char *why;
} durations_bad[] = {
    {"", "empty duration; use a number and a unit such as 90s, 5m, 2h or 7d"},
    {"5", "duration '5' needs a unit (s, m, h or d)"},
    {"-5m", "duration '-5m' is negative"},
    {"5x", "unknown unit 'x' in duration '5x' (use s, m, h or d)"},
    {"5min", "duration '5min' must be numbers with units such as 90s, 5m, 2h, 7d or 1h30m"},
    {"5M", "unknown unit 'M' in duration '5M' (use s, m, h or d)"},
    {"m", "duration 'm' must be numbers with units such as 90s, 5m, 2h, 7d or 1h30m"},
    {"1.5h", "duration '1.5h' has a fraction; use a smaller unit, as in 90m"},
    {"30m1h", "duration '30m1h' must give units from largest to smallest, each once (as in "
              "1h30m)"},
    {"1m1m", "duration '1m1m' must give units from largest to smallest, each once (as in "
             "1h30m)"},
    {"5 m", "duration '5 m' must be numbers with units such as 90s, 5m, 2h, 7d or 1h30m"},
    {"36501d", "duration '36501d' is too long (at most 36500d)"},
    {"99999999999999999999999s", "duration '99999999999999999999999s' is too long (at most "
                                 "36500d)"},
    {"abc", "duration 'abc' must be numbers with units such as 90s, 5m, 2h, 7d or 1h30m"},
};

START_TEST(test_duration_ok)
{
	int64_t s = -1;
	char *cause = NULL;
	ck_assert_msg(timestr_parse_duration(durations_ok[_i].in, &s, &cause) == 0, "%s: %s",
	    durations_ok[_i].in, cause ? cause : "?");
	ck_assert_int_eq(s, durations_ok[_i].s);
}
END_TEST

START_TEST(test_duration_bad)
{
	int64_t s = -1;
	char *cause = NULL;
	ck_assert_int_eq(timestr_parse_duration(durations_bad[_i].in, &s, &cause), -1);
	ck_assert_int_eq(s, -1);
	ck_assert_str_eq(cause, durations_bad[_i].why);
	free(cause);
}
END_TEST

/* Durations and the shortest text they format as. */
static const struct {
	int64_t s;
	const char *text;
} durations_fmt[] = {
    {0, "0s"},
    {2, "2s"},
    {90, "90s"},
    {300, "5m"},
    {3600, "1h"},
    {5400, "90m"},
    {86400, "1d"},
    {604800, "7d"},
    {86401, "1d1s"},
    {3660, "61m"},
    {93784, "93784s"},
    {-300, "-5m"},
};

START_TEST(test_duration_format)
{
	char buf[32];
	int64_t back = -1;
	timestr_format_duration(durations_fmt[_i].s, buf, sizeof buf);
	ck_assert_str_eq(buf, durations_fmt[_i].text);
	if (durations_fmt[_i].s >= 0) {
		ck_assert_int_eq(timestr_parse_duration(buf, &back, NULL), 0);
		ck_assert_int_eq(back, durations_fmt[_i].s);
	}
}
END_TEST

/* Times that parse, with their unix seconds. */
static const struct {
	const char *in;
	int64_t s;
} times_ok[] = {
    {"1970-01-01T00:00:00Z", 0},
    {"2026-12-01T14:00:00Z", 1796133600},
    {"2026-12-01t14:00:00z", 1796133600},
    {"2026-12-01 14:00:00Z", 1796133600},
    {"2026-12-01T15:00:00+01:00", 1796133600},
    {"2026-12-01T09:30:00-04:30", 1796133600},
    {"2026-12-01T14:00:00.999999Z", 1796133600},
    {"2024-02-29T00:00:00Z", 1709164800},
    {"2000-02-29T12:00:00Z", 951825600},
    {"1969-12-31T23:59:59Z", -1},
    {"2016-12-31T23:59:60Z", 1483228800},
    {"9999-12-31T23:59:59Z", 253402300799},
    {"2026-01-01T00:00:00+23:59", 1767139260},
};

/* Times that are refused, with their cause. */
static const struct {
	const char *in;
	const char *why;
} times_bad[] = {
    {"", "empty time; use RFC 3339 such as 2026-12-01T14:00:00Z"},
    {"2026-12-01", "time '2026-12-01' has no time of day (such as 2026-12-01T00:00:00Z)"},
    {"2026-12-01T14:00:00", "time '2026-12-01T14:00:00' has no time zone; add Z or an offset "
                            "such as +01:00"},
    {"2026-13-01T00:00:00Z", "month 13 is out of range in time '2026-13-01T00:00:00Z'"},
    {"2026-00-01T00:00:00Z", "month 00 is out of range in time '2026-00-01T00:00:00Z'"},
    {"2026-02-29T00:00:00Z", "day 29 is out of range for 2026-02 in time '2026-02-29T00:00:00Z'"},
    {"1900-02-29T00:00:00Z", "day 29 is out of range for 1900-02 in time '1900-02-29T00:00:00Z'"},
    {"2026-04-31T00:00:00Z", "day 31 is out of range for 2026-04 in time '2026-04-31T00:00:00Z'"},
    {"2026-04-00T00:00:00Z", "day 00 is out of range for 2026-04 in time '2026-04-00T00:00:00Z'"},
    {"2026-12-01T24:00:00Z", "hour 24 is out of range in time '2026-12-01T24:00:00Z'"},
    {"2026-12-01T14:60:00Z", "minute 60 is out of range in time '2026-12-01T14:60:00Z'"},
    {"2026-12-01T14:00:61Z", "second 61 is out of range in time '2026-12-01T14:00:61Z'"},
    {"2026-12-01T14:00:00+24:00",
        "offset hour 24 is out of range in time '2026-12-01T14:00:00+24:00'"},
    {"2026-12-01T14:00:00+01:60",
        "offset minute 60 is out of range in time '2026-12-01T14:00:00+01:60'"},
    {"2026-12-01T14:00:00+0100",
        "time '2026-12-01T14:00:00+0100' is not RFC 3339 (such as 2026-12-01T14:00:00Z)"},
    {"2026-12-01T14:00Z", "time '2026-12-01T14:00Z' is not RFC 3339 (such as "
                          "2026-12-01T14:00:00Z)"},
    {"2026-12-01T14:00:00.Z",
        "time '2026-12-01T14:00:00.Z' is not RFC 3339 (such as 2026-12-01T14:00:00Z)"},
    {"2026-12-01T14:00:00Zjunk",
        "time '2026-12-01T14:00:00Zjunk' is not RFC 3339 (such as 2026-12-01T14:00:00Z)"},
    {"26-12-01T14:00:00Z",
        "time '26-12-01T14:00:00Z' is not RFC 3339 (such as 2026-12-01T14:00:00Z)"},
    {"2026/12/01T14:00:00Z",
        "time '2026/12/01T14:00:00Z' is not RFC 3339 (such as 2026-12-01T14:00:00Z)"},
    {"tomorrow", "time 'tomorrow' is not RFC 3339 (such as 2026-12-01T14:00:00Z)"},
};

START_TEST(test_time_ok)
{
	int64_t s = 12345;
	char *cause = NULL;
	ck_assert_msg(timestr_parse_time(times_ok[_i].in, &s, &cause) == 0, "%s: %s",
	    times_ok[_i].in, cause ? cause : "?");
	ck_assert_int_eq(s, times_ok[_i].s);
}
END_TEST

START_TEST(test_time_bad)
{
	int64_t s = 12345;
	char *cause = NULL;
	ck_assert_int_eq(timestr_parse_time(times_bad[_i].in, &s, &cause), -1);
	ck_assert_int_eq(s, 12345);
	ck_assert_str_eq(cause, times_bad[_i].why);
	free(cause);
}
END_TEST

/* Unix seconds and their RFC 3339 UTC text. */
static const struct {
	int64_t s;
	const char *text;
} times_fmt[] = {
    {0, "1970-01-01T00:00:00Z"},
    {-1, "1969-12-31T23:59:59Z"},
    {1796133600, "2026-12-01T14:00:00Z"},
    {1709164800, "2024-02-29T00:00:00Z"},
    {951825600, "2000-02-29T12:00:00Z"},
    {253402300799, "9999-12-31T23:59:59Z"},
    {-62135596800, "0001-01-01T00:00:00Z"},
};

START_TEST(test_time_format)
{
	char buf[32];
	int64_t back = 0;
	timestr_format_time(times_fmt[_i].s, buf, sizeof buf);
	ck_assert_str_eq(buf, times_fmt[_i].text);
	ck_assert_int_eq(timestr_parse_time(buf, &back, NULL), 0);
	ck_assert_int_eq(back, times_fmt[_i].s);
}
END_TEST

/* Waits ahead by these milliseconds: the nanoseconds carry into seconds. */
static const int64_t deadline_ms[] = {0, 1, 999, 1000, 1001, 1999, 250000};

START_TEST(test_deadline)
{
	static const clockid_t clocks[] = {CLOCK_REALTIME, CLOCK_MONOTONIC};
	for (size_t k = 0; k < 2; k++) {
		struct timespec before, after;
		clock_gettime(clocks[k], &before);
		struct timespec d = clock_deadline(clocks[k], deadline_ms[_i]);
		clock_gettime(clocks[k], &after);
		ck_assert(d.tv_nsec >= 0 && d.tv_nsec < 1000000000L);
		int64_t at = (int64_t)d.tv_sec * 1000000000 + d.tv_nsec,
		        lo = (int64_t)before.tv_sec * 1000000000 + before.tv_nsec,
		        hi = (int64_t)after.tv_sec * 1000000000 + after.tv_nsec;
		ck_assert_int_ge(at, lo + deadline_ms[_i] * 1000000);
		ck_assert_int_le(at, hi + deadline_ms[_i] * 1000000);
	}
}
END_TEST

#define LOOP(tc, fn, table) tcase_add_loop_test(tc, fn, 0, (int)(sizeof table / sizeof table[0]))

int
main(void)
{
	Suite *s = suite_create("timestr");
	TCase *values = tcase_create("values");
	LOOP(values, test_duration_ok, durations_ok);
	LOOP(values, test_duration_bad, durations_bad);
	LOOP(values, test_duration_format, durations_fmt);
	LOOP(values, test_time_ok, times_ok);
	LOOP(values, test_time_bad, times_bad);
	LOOP(values, test_time_format, times_fmt);
	LOOP(values, test_deadline, deadline_ms);
	suite_add_tcase(s, values);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
