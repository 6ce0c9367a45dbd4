/*
 * test_xapi_parse: the pure side of the provider client on fixtures from
 * tests/fixtures/xapi (found through $LAUNCHWATCH_SRCDIR, else "."): every
 * response shape in twitterapi.md and its quirks, error classification, time
 * parsing, the policy table, credit estimates and the paging guards. Runs in
 * the test program's main thread.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "provider/xapi.h"

/* Reads a fixture into a new buffer; aborts the test when it is missing. */
static char *
fixture(const char *name, size_t *len)
{
	const char *dir = getenv("LAUNCHWATCH_SRCDIR");
	char *path = xasprintf("%s/tests/fixtures/xapi/%s", dir != NULL ? dir : ".", name);
	char *data = NULL, *cause = NULL;
	if (file_read_all(path, &data, len, &cause) != 0)
		ck_abort_msg("fixture %s: %s", path, cause);
	free(path);
	return data;
}

/* Returns true when s holds no byte below 0x20 and no DEL. */
static bool
no_controls(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

START_TEST(test_tweets_by_ids_full_shape)
{
	size_t len;
	char *body = fixture("tweets_by_ids.json", &len), *cause = NULL;
	struct xapi_page p;
	ck_assert_int_eq(xapi_parse_tweets_page(body, len, &p, &cause), 0);
	ck_assert_uint_eq(p.n_tweets, 2);
	ck_assert_uint_eq(p.n_skipped, 0);
	ck_assert(p.had_status);
	const struct lw_tweet *t = &p.tweets[0];
	ck_assert_str_eq(t->id, "1846987139428634858");
	ck_assert_str_eq(t->text, "Acme L2 mainnet is live \xf0\x9f\x9a\x80");
	ck_assert_str_eq(t->lang, "en"); /* the provider's language, for the sentiment scorer */
	ck_assert_int_eq(t->metrics.likes, 42);
	ck_assert_int_eq(t->metrics.retweets, 5);
	ck_assert_int_eq(t->metrics.replies, 2);
	ck_assert_int_eq(t->metrics.quotes, 1);
	ck_assert_int_eq(t->metrics.views, 1500);
	ck_assert_int_eq(t->metrics.bookmarks, 3);
	ck_assert_int_eq(t->created_at_ms, 1733814030000LL);
	ck_assert_str_eq(t->author.id, "44196397");
	ck_assert_str_eq(t->author.handle, "acme");
	ck_assert_str_eq(t->author.bio, "building the fastest L2");
	ck_assert_int_eq(t->author.followers, 1200);
	ck_assert(t->author.verified);
	ck_assert_str_eq(t->in_reply_to_id, "");
	ck_assert_str_eq(t->quoted_id, "");
	/* second tweet: null viewCount, verifiedType, unavailable author */
	t = &p.tweets[1];
	ck_assert_int_eq(t->metrics.views, -1);
	ck_assert_int_eq(t->created_at_ms, 1755496814000LL);
	ck_assert(t->author.verified);
	ck_assert(t->author.unavailable);
	ck_assert(!p.has_next_page);
	ck_assert_str_eq(p.next_cursor, "");
	xapi_page_done(&p);
	free(body);
}
END_TEST

START_TEST(test_ids_as_numbers_and_huge_ids)
{
	size_t len;
	char *body = fixture("tweets_ids_numbers.json", &len), *cause = NULL;
	struct xapi_page p;
	ck_assert_int_eq(xapi_parse_tweets_page(body, len, &p, &cause), 0);
	ck_assert_uint_eq(p.n_tweets, 2);
	ck_assert_uint_eq(p.n_skipped, 6);
	ck_assert_str_eq(p.tweets[0].id, "1846987139428634858"); /* above 2^53, exact */
	ck_assert_str_eq(p.tweets[0].in_reply_to_id, "1846987139428634001");
	ck_assert_str_eq(p.tweets[0].author.id, "9223372036854775807");
	ck_assert_int_eq(p.tweets[0].author.followers, 77); /* count as a string */
	ck_assert_int_eq(p.tweets[0].metrics.likes, 12);    /* count as a string */
	ck_assert_int_eq(p.tweets[0].metrics.retweets, 3);  /* count as a real */
	ck_assert_str_eq(p.tweets[1].id, "9223372036854775807");
	ck_assert_str_eq(p.tweets[1].author.handle, ""); /* no author: blank, not NULL */
	ck_assert_int_eq(p.tweets[1].metrics.likes, -1);
	xapi_page_done(&p);
	free(body);
	/* a number past int64: the body is rejected, never read through a double */
	body = fixture("ids_overflow.json", &len);
	ck_assert_int_eq(xapi_parse_tweets_page(body, len, &p, &cause), -1);
	ck_assert_ptr_nonnull(cause);
	free(cause);
	free(body);
}
END_TEST

START_TEST(test_replies_under_either_key)
{
	size_t len;
	char *cause = NULL;
	struct xapi_page p;
	char *body = fixture("replies_tweets_key.json", &len);
	ck_assert_int_eq(xapi_parse_tweets_page(body, len, &p, &cause), 0);
	ck_assert_uint_eq(p.n_tweets, 3);
	ck_assert_str_eq(p.tweets[0].in_reply_to_id, "1900000000000000001"); /* reply to a reply */
	ck_assert_str_eq(p.tweets[1].author.id, p.tweets[2].author.id);      /* same author twice */
	ck_assert(p.has_next_page);
	ck_assert_str_eq(p.next_cursor, "DAABCgABGc");
	xapi_page_done(&p);
	free(body);
	body = fixture("replies_replies_key.json", &len);
	ck_assert_int_eq(xapi_parse_tweets_page(body, len, &p, &cause), 0);
	ck_assert_uint_eq(p.n_tweets, 1);
	ck_assert_str_eq(p.tweets[0].id, "1900000000000000010");
	ck_assert(!p.has_next_page);
	xapi_page_done(&p);
	free(body);
}
END_TEST

START_TEST(test_retweeters_with_and_without_status)
{
	size_t len;
	char *cause = NULL;
	struct xapi_page p;
	char *body = fixture("retweeters.json", &len);
	ck_assert_int_eq(xapi_parse_users_page(body, len, &p, &cause), 0);
	ck_assert_uint_eq(p.n_users, 3);
	ck_assert(p.had_status);
	ck_assert_str_eq(p.users[0].bio, "Partner at Paradigm");
	ck_assert_int_eq(p.users[0].followers, 123000);
	ck_assert(p.users[0].verified);
	ck_assert_str_eq(p.users[1].id, "1500000000000000001");
	ck_assert_str_eq(p.users[2].name, "\x1b]0;pwned\aMallory"); /* raw: sanitize at display */
	ck_assert_str_eq(p.next_cursor, "DAAFCgABGcR");
	xapi_page_done(&p);
	free(body);
	body = fixture("retweeters_no_status.json", &len);
	ck_assert_int_eq(xapi_parse_users_page(body, len, &p, &cause), 0);
	ck_assert_uint_eq(p.n_users, 2);
	ck_assert(!p.had_status);
	ck_assert_int_eq(xapi_classify(200, body, len, NULL), XAPI_OK);
	xapi_page_done(&p);
	free(body);
}
END_TEST

/* The farm signal's inputs (docs/scoring.md section 7): createdAt in the
 * legacy format, read defensively (missing or malformed: unknown), and
 * profilePicture (absent: unknown; null, empty or default_profile: the
 * default avatar). */
START_TEST(test_user_age_and_avatar)
{
	static const char body[] =
	    "{\"users\": ["
	    "{\"id\": \"1\", \"userName\": \"a\", \"createdAt\": \"Tue Dec 10 07:00:30 +0000 "
	    "2024\","
	    " \"profilePicture\": \"https://pbs.twimg.com/profile_images/1/x_normal.jpg\"},"
	    "{\"id\": \"2\", \"userName\": \"b\", \"createdAt\": \"yesterday\","
	    " \"profilePicture\": \"https://abs.twimg.com/sticky/default_profile_images/"
	    "default_profile_normal.png\"},"
	    "{\"id\": \"3\", \"userName\": \"c\", \"createdAt\": 42, \"profilePicture\": null},"
	    "{\"id\": \"4\", \"userName\": \"d\", \"profilePicture\": \"\"},"
	    "{\"id\": \"5\", \"userName\": \"e\"}],"
	    " \"has_next_page\": false, \"next_cursor\": \"\"}";
	struct xapi_page p;
	char *cause = NULL;
	ck_assert_int_eq(xapi_parse_users_page(body, strlen(body), &p, &cause), 0);
	ck_assert_uint_eq(p.n_users, 5);
	ck_assert_int_eq(p.users[0].created_at_ms, 1733814030000LL);
	ck_assert_int_eq(p.users[0].avatar, AV_CUSTOM);
	ck_assert_int_eq(p.users[1].created_at_ms, 0);
	ck_assert_int_eq(p.users[1].avatar, AV_DEFAULT);
	ck_assert_int_eq(p.users[2].created_at_ms, 0);
	ck_assert_int_eq(p.users[2].avatar, AV_DEFAULT);
	ck_assert_int_eq(p.users[3].avatar, AV_DEFAULT);
	ck_assert_int_eq(p.users[4].created_at_ms, 0);
	ck_assert_int_eq(p.users[4].avatar, AV_UNKNOWN);
	xapi_page_done(&p);
}
END_TEST

START_TEST(test_quotes_short_page)
{
	size_t len;
	char *cause = NULL;
	struct xapi_page p;
	char *body = fixture("quotes_short_page.json", &len);
	ck_assert_int_eq(xapi_parse_tweets_page(body, len, &p, &cause), 0);
	ck_assert_uint_eq(p.n_tweets, 3);
	ck_assert_str_eq(p.tweets[0].quoted_id, "1846987139428634858");
	ck_assert_str_eq(p.tweets[2].quoted_id, "");
	ck_assert(p.has_next_page); /* a short page is not the last page */
	struct xapi_walk w;
	xapi_walk_init(&w, NULL, 0);
	ck_assert(xapi_walk_feed(&w, &p));
	ck_assert_str_eq(w.cursor, "DAAQQQ");
	xapi_walk_done(&w);
	xapi_page_done(&p);
	free(body);
}
END_TEST

START_TEST(test_phantom_next_page_and_missing_cursor)
{
	size_t len;
	char *cause = NULL;
	struct xapi_page p;
	struct xapi_walk w;
	char *body = fixture("phantom_next_page.json", &len);
	ck_assert_int_eq(xapi_parse_users_page(body, len, &p, &cause), 0);
	ck_assert(p.has_next_page);
	ck_assert_uint_eq(p.n_users, 0);
	xapi_walk_init(&w, "DAAprev", 0);
	ck_assert(!xapi_walk_feed(&w, &p));
	ck_assert_int_eq(w.stop, XAPI_STOP_EMPTY_PAGE);
	xapi_walk_done(&w);
	xapi_page_done(&p);
	free(body);

	body = fixture("next_page_no_cursor.json", &len);
	ck_assert_int_eq(xapi_parse_tweets_page(body, len, &p, &cause), 0);
	xapi_walk_init(&w, NULL, 0);
	ck_assert(!xapi_walk_feed(&w, &p));
	ck_assert_int_eq(w.stop, XAPI_STOP_NO_CURSOR);
	ck_assert_uint_eq(w.items, 1);
	xapi_walk_done(&w);
	xapi_page_done(&p);
	free(body);
}
END_TEST

START_TEST(test_null_array_is_empty_page)
{
	size_t len;
	char *cause = NULL;
	struct xapi_page p;
	char *body = fixture("null_array.json", &len);
	ck_assert_int_eq(xapi_parse_tweets_page(body, len, &p, &cause), 0);
	ck_assert_uint_eq(p.n_tweets, 0);
	ck_assert_str_eq(p.next_cursor, "");
	xapi_page_done(&p);
	free(body);
}
END_TEST

/* Bodies that must fail to parse, with the class xapi_classify gives them. */
static const struct {
	const char *file;
	long status;
	enum xapi_class cls;
	const char *msg; /* part of the classified message, or NULL */
} bad_bodies[] = {
    {"truncated.json", 200, XAPI_BAD_RESPONSE, NULL},
    {"status_error_200.json", 200, XAPI_BAD_RESPONSE, "Tweet not found"},
    {"cursor_error.json", 200, XAPI_CURSOR, "cursor"},
    {"no_array.json", 200, XAPI_OK, NULL}, /* envelope fine; the parser rejects it */
    {"not_object.json", 200, XAPI_BAD_RESPONSE, NULL},
    {"html_502.txt", 200, XAPI_BAD_RESPONSE, NULL},
    {"user_info_error.json", 200, XAPI_BAD_RESPONSE, "User not found"},
};

START_TEST(test_bad_bodies)
{
	size_t len;
	char *cause = NULL, *msg = NULL;
	struct xapi_page p;
	struct lw_user u;
	struct xapi_balance b;
	char *body = fixture(bad_bodies[_i].file, &len);
	ck_assert_int_eq(xapi_parse_tweets_page(body, len, &p, &cause), -1);
	ck_assert_ptr_nonnull(cause);
	ck_assert(no_controls(cause));
	ck_assert_int_eq(xapi_parse_users_page(body, len, &p, &cause), -1);
	if (strcmp(bad_bodies[_i].file, "no_array.json") != 0)
		ck_assert_int_eq(xapi_parse_user_info(body, len, &u, &cause), -1);
	ck_assert_int_eq(xapi_parse_balance(body, len, &b, &cause), -1);
	free(cause);
	ck_assert_int_eq(xapi_classify(bad_bodies[_i].status, body, len, &msg), bad_bodies[_i].cls);
	if (bad_bodies[_i].msg != NULL) {
		ck_assert_ptr_nonnull(msg);
		ck_assert_ptr_nonnull(strstr(msg, bad_bodies[_i].msg));
	}
	free(msg);
	free(body);
}
END_TEST

/* HTTP statuses and the class each gets. */
static const struct {
	long status;
	const char *file; /* body, or NULL for an empty one */
	enum xapi_class cls;
} statuses[] = {
    {401, NULL, XAPI_AUTH},
    {403, NULL, XAPI_AUTH},
    {402, "error_402.json", XAPI_CREDITS},
    {429, NULL, XAPI_RATE_LIMIT},
    {500, NULL, XAPI_TRANSIENT},
    {502, "html_502.txt", XAPI_TRANSIENT},
    {503, NULL, XAPI_TRANSIENT},
    {408, NULL, XAPI_TRANSIENT},
    {400, "cursor_error.json", XAPI_CURSOR},
    {400, "status_error_200.json", XAPI_BAD_RESPONSE},
    {404, NULL, XAPI_BAD_RESPONSE},
    {200, "retweeters.json", XAPI_OK},
};

START_TEST(test_classify_statuses)
{
	size_t len = 0;
	char *body = statuses[_i].file ? fixture(statuses[_i].file, &len) : NULL;
	char *msg = NULL;
	ck_assert_int_eq(xapi_classify(statuses[_i].status, body, len, &msg), statuses[_i].cls);
	if (statuses[_i].status == 402)
		ck_assert_str_eq(msg, "Credits is not enough.Please recharge");
	free(msg);
	free(body);
}
END_TEST

START_TEST(test_hostile_error_message_sanitized)
{
	size_t len;
	char *body = fixture("hostile_error.json", &len), *msg = NULL, *cause = NULL;
	struct xapi_page p;
	ck_assert_int_eq(xapi_classify(200, body, len, &msg), XAPI_BAD_RESPONSE);
	ck_assert(no_controls(msg));
	ck_assert_ptr_null(strstr(msg, "pwned"));
	ck_assert_int_eq(xapi_parse_tweets_page(body, len, &p, &cause), -1);
	ck_assert(no_controls(cause));
	free(cause);
	free(msg);
	free(body);
}
END_TEST

START_TEST(test_user_info_and_balance)
{
	size_t len;
	char *cause = NULL;
	struct lw_user u;
	struct xapi_balance b;
	char *body = fixture("user_info.json", &len);
	ck_assert_int_eq(xapi_parse_user_info(body, len, &u, &cause), 0);
	ck_assert_str_eq(u.id, "1234567890123456789");
	ck_assert_str_eq(u.handle, "a16z_gp");
	ck_assert_str_eq(u.bio, "GP @ a16z crypto"); /* from profile_bio */
	ck_assert_int_eq(u.followers, 250000);
	lw_user_done(&u);
	free(body);
	body = fixture("balance.json", &len);
	ck_assert_int_eq(xapi_parse_balance(body, len, &b, &cause), 0);
	ck_assert_int_eq(b.recharge_credits, 123456);
	ck_assert_int_eq(b.bonus_credits, 500);
	free(body);
	body = fixture("balance_zero.json", &len);
	ck_assert_int_eq(xapi_parse_balance(body, len, &b, &cause), 0);
	ck_assert_int_eq(b.recharge_credits, 0);
	free(body);
}
END_TEST

START_TEST(test_garbage_never_crashes)
{
	static const char *const inputs[] = {"", " ", "{", "}", "null", "0", "\"x\"",
	    "{\"tweets\":5}", "{\"users\":{}}", "{\"tweets\":[null,1,\"a\",[],{}]}",
	    "{\"status\":5}", "{\"status\":\"error\"}",
	    "{\"tweets\":[{\"id\":\"1\",\"author\":5,\"createdAt\":7}]}", "{\"data\":5}",
	    "{\"recharge_credits\":\"x\"}", "{\"a\":\"\\u0000\"}"};
	for (size_t i = 0; i < LW_ARRAY_LEN(inputs); i++) {
		struct xapi_page p;
		struct lw_user u;
		struct xapi_balance b;
		struct lw_tweet t;
		char *cause = NULL, *msg = NULL;
		size_t n = strlen(inputs[i]);
		if (xapi_parse_tweets_page(inputs[i], n, &p, &cause) == 0)
			xapi_page_done(&p);
		if (xapi_parse_users_page(inputs[i], n, &p, &cause) == 0)
			xapi_page_done(&p);
		if (xapi_parse_user_info(inputs[i], n, &u, &cause) == 0)
			lw_user_done(&u);
		(void)xapi_parse_balance(inputs[i], n, &b, &cause);
		if (xapi_parse_tweet(inputs[i], n, &t, &cause) == 0)
			lw_tweet_done(&t);
		(void)xapi_classify(200, inputs[i], n, &msg);
		free(msg);
		free(cause);
	}
	struct xapi_page p;
	char *cause = NULL;
	ck_assert_int_eq(xapi_parse_tweets_page(NULL, 0, &p, &cause), -1);
	free(cause);
}
END_TEST

/* Time strings and the milliseconds they give (-1: rejected). */
static const struct {
	const char *in;
	int64_t ms;
} times[] = {
    {"Tue Dec 10 07:00:30 +0000 2024", 1733814030000LL},
    {"Mon Aug 18 06:00:14 +0000 2025", 1755496814000LL},
    {"Thu Dec 13 08:41:26 +0000 2007", 1197535286000LL},
    {"Tue Dec 10 09:00:30 +0200 2024", 1733814030000LL},
    {"Tue Dec 10 02:00:30 -0500 2024", 1733814030000LL},
    {"2024-12-10T07:00:30.000Z", 1733814030000LL},
    {"2024-12-10T07:00:30.5Z", 1733814030500LL},
    {"Tue Foo 10 07:00:30 +0000 2024", -1},
    {"Tue Dec 10 07:00:30 +0000", -1},
    {"Tue Dec 10 07:00:30 +0000 2024 extra", -1},
    {"Tue Dec 40 07:00:30 +0000 2024", -1},
    {"Tue Dec 10 25:00:30 +0000 2024", -1},
    {"", -1},
    {"yesterday", -1},
};

START_TEST(test_time_parse)
{
	int64_t ms = 0;
	int rc = xapi_parse_time(times[_i].in, &ms);
	if (times[_i].ms < 0) {
		ck_assert_int_eq(rc, -1);
	} else {
		ck_assert_int_eq(rc, 0);
		ck_assert_int_eq(ms, times[_i].ms);
	}
}
END_TEST

START_TEST(test_time_roundtrip)
{
	char buf[40];
	int64_t ms = 0;
	xapi_format_time(1733814030000LL, buf, sizeof buf);
	ck_assert_str_eq(buf, "Tue Dec 10 07:00:30 +0000 2024");
	ck_assert_int_eq(xapi_parse_time(buf, &ms), 0);
	ck_assert_int_eq(ms, 1733814030000LL);
}
END_TEST

START_TEST(test_policy_table)
{
	/* every class has a row with a name and a behaviour */
	for (int c = 0; c < XAPI__COUNT; c++) {
		const struct xapi_policy *p = xapi_policy_of((enum xapi_class)c);
		ck_assert_ptr_nonnull(p->name);
		ck_assert_ptr_nonnull(p->behaviour);
	}
	ck_assert_int_eq(xapi_policy_of(XAPI_AUTH)->action, XAPI_DO_STOP);
	ck_assert(!xapi_policy_of(XAPI_AUTH)->retry);
	ck_assert_int_eq(xapi_policy_of(XAPI_RATE_LIMIT)->action, XAPI_DO_SNOOZE);
	ck_assert(!xapi_policy_of(XAPI_RATE_LIMIT)->spend_attempt);
	ck_assert_int_eq(xapi_policy_of(XAPI_CREDITS)->action, XAPI_DO_SNOOZE);
	ck_assert(!xapi_policy_of(XAPI_CREDITS)->spend_attempt);
	ck_assert(xapi_policy_of(XAPI_TRANSIENT)->spend_attempt);
	ck_assert(xapi_policy_of(XAPI_BAD_RESPONSE)->spend_attempt);
	ck_assert_int_eq(xapi_policy_of(XAPI_CURSOR)->action, XAPI_DO_RESET_CURSOR);
	ck_assert_str_eq(xapi_class_name(XAPI_RATE_LIMIT), "rate_limit");

	/* Retry-After is honoured (plus under 250 ms of jitter) */
	int64_t d = xapi_delay_ms(XAPI_RATE_LIMIT, 1, 7, 0, 12345);
	ck_assert(d >= 7000 && d < 7250);
	/* no Retry-After: exponential with jitter, capped */
	for (int a = 1; a < 12; a++) {
		for (uint64_t r = 0; r < 50; r++) {
			int64_t full = 1000LL << (a - 1);
			if (full > 60000)
				full = 60000;
			d = xapi_delay_ms(XAPI_RATE_LIMIT, a, -1, 0, r * 7919);
			ck_assert(d >= full / 2 && d <= full);
		}
	}
	ck_assert_int_eq(xapi_delay_ms(XAPI_CREDITS, 1, -1, 0, 1), 300000);
	ck_assert_int_eq(xapi_delay_ms(XAPI_CREDITS, 3, -1, 42000, 1), 42000);
	ck_assert_int_eq(xapi_delay_ms(XAPI_CURSOR, 1, -1, 0, 99), 0);
	ck_assert(xapi_delay_ms(XAPI_TRANSIENT, 40, -1, 0, 99) <= 300000);
}
END_TEST

START_TEST(test_credits_estimate)
{
	ck_assert_int_eq(xapi_credits_estimate(0, 0), 15);
	ck_assert_int_eq(xapi_credits_estimate(1, 0), 15);
	ck_assert_int_eq(xapi_credits_estimate(20, 0), 300);
	ck_assert_int_eq(xapi_credits_estimate(0, 100), 1800);
	ck_assert_int_eq(xapi_credits_estimate(100, 0), 1500);
	ck_assert_int_eq(xapi_credits_estimate(0, 1), 18);
}
END_TEST

/* Builds a page of users with the given ids. */
static void
users_page(struct xapi_page *p, const char *const *ids, size_t n, bool next, const char *cursor)
{
	memset(p, 0, sizeof *p);
	p->users = xcalloc(n ? n : 1, sizeof *p->users);
	for (size_t i = 0; i < n; i++) {
		snprintf(p->users[i].id, LW_ID_MAX, "%s", ids[i]);
		p->users[i].handle = xstrdup(ids[i]);
	}
	p->n_users = n;
	p->has_next_page = next;
	p->next_cursor = xstrdup(cursor);
}

START_TEST(test_walk_guards)
{
	static const char *const a[] = {"1", "2", "3"}, *const b[] = {"3", "4", "1"};
	struct xapi_walk w;
	struct xapi_page p;

	/* dedupe across pages, then a cursor cycle */
	xapi_walk_init(&w, NULL, 0);
	users_page(&p, a, 3, true, "c1");
	ck_assert(xapi_walk_feed(&w, &p));
	ck_assert_uint_eq(p.n_users, 3);
	xapi_page_done(&p);
	users_page(&p, b, 3, true, "c1");
	ck_assert(!xapi_walk_feed(&w, &p));
	ck_assert_int_eq(w.stop, XAPI_STOP_CURSOR_CYCLE);
	ck_assert_uint_eq(p.n_users, 1);
	ck_assert_str_eq(p.users[0].id, "4");
	ck_assert_uint_eq(w.items, 4);
	ck_assert_uint_eq(w.duplicates, 2);
	ck_assert_str_eq(xapi_stop_name(w.stop), "cursor seen before in this walk");
	xapi_page_done(&p);
	xapi_walk_done(&w);

	/* the starting cursor counts as seen */
	xapi_walk_init(&w, "start", 0);
	users_page(&p, a, 3, true, "start");
	ck_assert(!xapi_walk_feed(&w, &p));
	ck_assert_int_eq(w.stop, XAPI_STOP_CURSOR_CYCLE);
	xapi_page_done(&p);
	xapi_walk_done(&w);

	/* last page, and the page limit keeps the cursor for a resume */
	xapi_walk_init(&w, NULL, 1);
	users_page(&p, a, 3, true, "c2");
	ck_assert(!xapi_walk_feed(&w, &p));
	ck_assert_int_eq(w.stop, XAPI_STOP_MAX_PAGES);
	ck_assert_str_eq(w.cursor, "c2");
	xapi_page_done(&p);
	xapi_walk_done(&w);
	xapi_walk_init(&w, NULL, 0);
	users_page(&p, a, 3, false, "");
	ck_assert(!xapi_walk_feed(&w, &p));
	ck_assert_int_eq(w.stop, XAPI_STOP_LAST_PAGE);
	xapi_page_done(&p);
	xapi_walk_done(&w);

	/* many distinct ids (the set grows) */
	xapi_walk_init(&w, NULL, 0);
	for (int pg = 0; pg < 30; pg++) {
		char ids[100][8];
		const char *ptr[100];
		for (int i = 0; i < 100; i++) {
			snprintf(ids[i], sizeof ids[i], "%d", pg * 90 + i); /* 10 overlap */
			ptr[i] = ids[i];
		}
		char cur[16];
		snprintf(cur, sizeof cur, "c%d", pg);
		users_page(&p, ptr, 100, true, cur);
		ck_assert(xapi_walk_feed(&w, &p));
		xapi_page_done(&p);
	}
	ck_assert_uint_eq(w.items, 29 * 90 + 100);
	ck_assert_uint_eq(w.duplicates, 29 * 10);
	xapi_walk_done(&w);
}
END_TEST

/* Builds the suite. */
static Suite *
xapi_parse_suite(void)
{
	Suite *s = suite_create("xapi_parse");
	TCase *tc = tcase_create("shapes");
	tcase_add_test(tc, test_tweets_by_ids_full_shape);
	tcase_add_test(tc, test_ids_as_numbers_and_huge_ids);
	tcase_add_test(tc, test_replies_under_either_key);
	tcase_add_test(tc, test_retweeters_with_and_without_status);
	tcase_add_test(tc, test_user_age_and_avatar);
	tcase_add_test(tc, test_quotes_short_page);
	tcase_add_test(tc, test_phantom_next_page_and_missing_cursor);
	tcase_add_test(tc, test_null_array_is_empty_page);
	tcase_add_loop_test(tc, test_bad_bodies, 0, (int)LW_ARRAY_LEN(bad_bodies));
	tcase_add_loop_test(tc, test_classify_statuses, 0, (int)LW_ARRAY_LEN(statuses));
	tcase_add_test(tc, test_hostile_error_message_sanitized);
	tcase_add_test(tc, test_user_info_and_balance);
	tcase_add_test(tc, test_garbage_never_crashes);
	suite_add_tcase(s, tc);
	tc = tcase_create("helpers");
	tcase_add_loop_test(tc, test_time_parse, 0, (int)LW_ARRAY_LEN(times));
	tcase_add_test(tc, test_time_roundtrip);
	tcase_add_test(tc, test_policy_table);
	tcase_add_test(tc, test_credits_estimate);
	tcase_add_test(tc, test_walk_guards);
	suite_add_tcase(s, tc);
	return s;
}

/* Runs the suite; exits non-zero when a check failed. */
int
main(void)
{
	SRunner *sr = srunner_create(xapi_parse_suite());
	int failed;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
