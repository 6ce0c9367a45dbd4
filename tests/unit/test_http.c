/*
 * Unit tests of http's pure helpers: the one Retry-After parser (delta
 * seconds, HTTP dates in the three formats RFC 9110 allows, caps, garbage)
 * and the URL helpers behind notify's checks (host, credentials, loopback).
 * No network.
 */
#include <check.h>
#include <stdlib.h>

#include "base/util.h"
#include "net/http.h"

#define NOW 1767225600LL /* 2026-01-01T00:00:00Z, a Thursday */

START_TEST(test_retry_after_seconds)
{
	ck_assert_int_eq(http_retry_after("0", NOW, 3600), 0);
	ck_assert_int_eq(http_retry_after("7", NOW, 3600), 7);
	ck_assert_int_eq(http_retry_after("120", NOW, 3600), 120);
	ck_assert_int_eq(http_retry_after("3600", NOW, 3600), 3600);
	ck_assert_int_eq(http_retry_after("3601", NOW, 3600), 3600);
	ck_assert_int_eq(http_retry_after("99999999999999999999", NOW, 86400), 86400);
	ck_assert_int_eq(http_retry_after("12abc", NOW, 3600), 12); /* leading digits count */
}
END_TEST

START_TEST(test_retry_after_dates)
{
	/* IMF-fixdate, RFC 850 and asctime forms of NOW + 90 s */
	ck_assert_int_eq(http_retry_after("Thu, 01 Jan 2026 00:01:30 GMT", NOW, 3600), 90);
	ck_assert_int_eq(http_retry_after("Thursday, 01-Jan-26 00:01:30 GMT", NOW, 3600), 90);
	ck_assert_int_eq(http_retry_after("Thu Jan  1 00:01:30 2026", NOW, 3600), 90);
	/* now or past: no wait */
	ck_assert_int_eq(http_retry_after("Thu, 01 Jan 2026 00:00:00 GMT", NOW, 3600), 0);
	ck_assert_int_eq(http_retry_after("Wed, 31 Dec 2025 23:00:00 GMT", NOW, 3600), 0);
	/* far ahead: capped */
	ck_assert_int_eq(http_retry_after("Fri, 02 Jan 2026 00:00:00 GMT", NOW, 3600), 3600);
	ck_assert_int_eq(http_retry_after("Sat, 01 Jan 2030 00:00:00 GMT", NOW, 86400), 86400);
}
END_TEST

START_TEST(test_retry_after_garbage)
{
	ck_assert_int_eq(http_retry_after("", NOW, 3600), -1);
	ck_assert_int_eq(http_retry_after("soon", NOW, 3600), -1);
	ck_assert_int_eq(http_retry_after("-5", NOW, 3600), -1);
	ck_assert_int_eq(http_retry_after("Thu, 99 Foo 2026 GMT", NOW, 3600), -1);
	/* the epoch itself is no date a server means */
	ck_assert_int_eq(http_retry_after("Thu, 01 Jan 1970 00:00:00 GMT", NOW, 3600), -1);
}
END_TEST

START_TEST(test_url_helpers)
{
	char *h = http_url_host("smtps://mail.example.com:465");
	ck_assert_str_eq(h, "mail.example.com");
	free(h);
	h = http_url_host("https://hooks.slack.com/services/T/B/secret");
	ck_assert_str_eq(h, "hooks.slack.com");
	free(h);
	ck_assert_ptr_null(http_url_host("not a url"));

	ck_assert(http_url_has_userinfo("smtp://u:pw@127.0.0.1:25"));
	ck_assert(http_url_has_userinfo("smtp://u@127.0.0.1:25"));
	ck_assert(!http_url_has_userinfo("smtp://127.0.0.1:25"));
	ck_assert(!http_url_has_userinfo("smtp://127.0.0.1:25/a@b"));

	ck_assert(http_url_is_loopback("http://127.0.0.1:8080/x"));
	ck_assert(http_url_is_loopback("http://127.9.9.9/x"));
	ck_assert(http_url_is_loopback("http://localhost/x"));
	ck_assert(http_url_is_loopback("http://[::1]:80/x"));
	ck_assert(!http_url_is_loopback("http://hooks.example.com/x"));
	ck_assert(!http_url_is_loopback("http://10.0.0.1/x"));
	ck_assert(!http_url_is_loopback("garbage"));
}
END_TEST

static Suite *
http_suite(void)
{
	Suite *s = suite_create("http");
	TCase *tc = tcase_create("pure");
	tcase_add_test(tc, test_retry_after_seconds);
	tcase_add_test(tc, test_retry_after_dates);
	tcase_add_test(tc, test_retry_after_garbage);
	tcase_add_test(tc, test_url_helpers);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(http_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
