/*
 * test_tweetlink: tweetlink_parse() on every accepted link form and on the
 * inputs it must reject, each with the reason it gives. Runs in the test
 * program's main thread.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "model/tweetlink.h"

#define ID19 "1861111111111111111"

/* Inputs that parse, with the id they must give. */
static const struct {
	const char *in;
	const char *id;
} accepted[] = {
    {"https://x.com/acme/status/" ID19, ID19},
    {"https://twitter.com/acme/status/" ID19, ID19},
    {"https://www.x.com/acme/status/" ID19, ID19},
    {"https://www.twitter.com/acme/status/" ID19, ID19},
    {"https://mobile.x.com/acme/status/" ID19, ID19},
    {"https://mobile.twitter.com/acme/status/" ID19, ID19},
    {"http://x.com/acme/status/" ID19, ID19},
    {"HTTPS://X.COM/acme/status/" ID19, ID19},
    {"https://Mobile.Twitter.Com/acme/status/" ID19, ID19},
    {"https://twitter.com/acme/statuses/" ID19, ID19},
    {"https://x.com/i/status/" ID19, ID19},
    {"https://x.com/i/web/status/" ID19, ID19},
    {"https://x.com/acme/status/" ID19 "/photo/1", ID19},
    {"https://x.com/acme/status/" ID19 "/analytics", ID19},
    {"https://x.com/acme/status/" ID19 "?s=20", ID19},
    {"https://x.com/acme/status/" ID19 "?s=20&t=abc", ID19},
    {"https://x.com/acme/status/" ID19 "#m", ID19},
    {"https://x.com/acme/status/" ID19 "/", ID19},
    {"https://x.com:443/acme/status/" ID19, ID19},
    {"x.com/acme/status/" ID19, ID19},
    {"twitter.com/acme/status/" ID19, ID19},
    {"  https://x.com/acme/status/" ID19 "  ", ID19},
    {"\thttps://x.com/a_b_9/status/20\n", "20"},
    {ID19, ID19},
    {"1", "1"},
    {"  42  ", "42"},
    {"9223372036854775807", "9223372036854775807"},
    {"https://x.com/acme/Status/123", "123"},
};

/* Inputs that are rejected, with a part of the reason they must give. */
static const struct {
	const char *in;
	const char *why;
} rejected[] = {
    {"", "empty tweet link"},
    {"   ", "empty tweet link"},
    {"https://example.com/acme/status/1", "host 'example.com' is not x.com or twitter.com"},
    {"https://x.com.evil.com/acme/status/1", "host 'x.com.evil.com' is not x.com or twitter.com"},
    {"https://evilx.com/acme/status/1", "host 'evilx.com' is not x.com or twitter.com"},
    {"https://x.co/acme/status/1", "host 'x.co' is not x.com or twitter.com"},
    {"https://x.com@evil.com/acme/status/1", "user name before the host"},
    {"https://user:pw@x.com/acme/status/1", "user name before the host"},
    {"https://x.com/acme", "a profile link, not a tweet link"},
    {"https://x.com/acme/", "a profile link, not a tweet link"},
    {"https://x.com/acme/likes", "a profile link, not a tweet link"},
    {"https://x.com/", "the link has no path"},
    {"https://x.com", "the link has no path"},
    {"https://x.com/acme/status/", "no tweet id after /status/"},
    {"https://x.com/acme/status", "no tweet id after /status/"},
    {"https://x.com/acme/status/123abc", "tweet id '123abc' is not 1 to 19 digits"},
    {"https://x.com/acme/status/12345678901234567890", "has more than 19 digits"},
    {"12345678901234567890", "tweet id '12345678901234567890' has more than 19 digits"},
    {"123abc", "tweet id '123abc' is not 1 to 19 digits"},
    {"-5", "host '-5' is not x.com or twitter.com"},
    {"javascript:alert(1)", "scheme 'javascript' is not http or https"},
    {"ftp://x.com/acme/status/1", "scheme 'ftp' is not http or https"},
    {"data:text/html,<b>1</b>", "scheme 'data' is not http or https"},
    {"https:x.com/acme/status/1", "'https:' must be followed by //"},
    {"https://x.com/acme /status/1", "contains a space or control character"},
    {"https://x.com/acme/status/1\x1b[2J", "contains a space or control character"},
    {"https://x.com/i/lists/1", "not a tweet link"},
    {"https://x.com/search?q=1", "an x.com page ('/search')"},
    {"https://x.com/ac.me/status/1", "'ac.me' is not a user name"},
    {"https://x.com:abc/acme/status/1", "port 'abc' is not a number"},
    {"https://x.com/acme/status/%31", "tweet id '%31' is not 1 to 19 digits"},
};

START_TEST(test_accepted)
{
	char id[TWEET_ID_MAX + 1];
	char *cause = NULL;
	int rc = tweetlink_parse(accepted[_i].in, id, &cause);
	ck_assert_msg(rc == 0, "'%s' rejected: %s", accepted[_i].in, cause ? cause : "?");
	ck_assert_str_eq(id, accepted[_i].id);
	ck_assert_ptr_null(cause);
}
END_TEST

START_TEST(test_rejected)
{
	char id[TWEET_ID_MAX + 1];
	char *cause = NULL;
	int rc = tweetlink_parse(rejected[_i].in, id, &cause);
	ck_assert_msg(rc == -1, "'%s' accepted as %s", rejected[_i].in, id);
	ck_assert_ptr_nonnull(cause);
	ck_assert_msg(strstr(cause, rejected[_i].why) != NULL, "'%s': cause '%s' lacks '%s'",
	    rejected[_i].in, cause, rejected[_i].why);
	ck_assert_str_eq(id, "");
	free(cause);
}
END_TEST

START_TEST(test_null_and_no_cause)
{
	char id[TWEET_ID_MAX + 1];
	ck_assert_int_eq(tweetlink_parse(NULL, id, NULL), -1);
	ck_assert_int_eq(tweetlink_parse("https://example.com/a/status/1", id, NULL), -1);
	ck_assert_int_eq(tweetlink_parse("7", id, NULL), 0);
	ck_assert_str_eq(id, "7");
}
END_TEST

START_TEST(test_cause_is_bounded)
{
	char id[TWEET_ID_MAX + 1];
	char *cause = NULL;
	char in[600];
	/* A long hostile host with an escape sequence: quoted short and clean. */
	strcpy(in, "https://");
	memset(in + 8, 'a', 500);
	strcpy(in + 508, "\x1b]0;pwn\x07.com/a/status/1");
	ck_assert_int_eq(tweetlink_parse(in, id, &cause), -1);
	ck_assert_ptr_nonnull(cause);
	ck_assert_uint_lt(strlen(cause), 120);
	ck_assert_ptr_null(strchr(cause, '\x1b'));
	free(cause);

	/* Control bytes inside the host of a scheme-less link are never echoed. */
	cause = NULL;
	ck_assert_int_eq(tweetlink_parse("https://ex\x7f.com/a/status/1", id, &cause), -1);
	ck_assert_ptr_null(strchr(cause, '\x7f'));
	free(cause);
}
END_TEST

/* Builds the suite. */
static Suite *
tweetlink_suite(void)
{
	Suite *s = suite_create("tweetlink");
	TCase *tc = tcase_create("parse");
	tcase_add_loop_test(tc, test_accepted, 0, (int)(sizeof accepted / sizeof accepted[0]));
	tcase_add_loop_test(tc, test_rejected, 0, (int)(sizeof rejected / sizeof rejected[0]));
	tcase_add_test(tc, test_null_and_no_cause);
	tcase_add_test(tc, test_cause_is_bounded);
	suite_add_tcase(s, tc);
	return s;
}

/* Runs the suite; exits non-zero when a check failed. */
int
main(void)
{
	SRunner *sr = srunner_create(tweetlink_suite());
	int failed;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
