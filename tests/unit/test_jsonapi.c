/*
 * Tests of the JSON endpoint's model (jsonapi_snap): snapshots built from the
 * console's model (summaries and feeds, applied as the reader hands them
 * over) answer with its numbers, ETags change exactly when the content
 * does (and equal ones across rebuilds), unchanged campaigns share their
 * prepared parts, stale detection, engagers newest first with limit and
 * bucket validated, 404 JSON errors; and a snapshot stays valid after the
 * agg that built it is gone (the HTTP threads may hold it). No processes.
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/agg.h"
#include "model/prep.h"
#include "api/jsonapi.h"
#include "base/util.h"

#define T0 1796133600000LL /* 2026-12-01T14:00:00Z */

static const char *const tids[2] = {"1861111111111111100", "1861111111111111101"};

/* The prepared state of a test campaign, as an engine would keep it. */
struct state {
	char cid[16];
	struct prep *p;
	uint64_t seq;
};
static struct state states[4];

/* Returns the prepared state of campaign cid. */
static struct state *
state_of(const char *cid)
{
	for (size_t i = 0; i < LW_ARRAY_LEN(states); i++) {
		if (states[i].p && strcmp(states[i].cid, cid) == 0)
			return &states[i];
		if (states[i].p == NULL) {
			snprintf(states[i].cid, sizeof states[i].cid, "%s", cid);
			states[i].p = prep_new(cid);
			return &states[i];
		}
	}
	ck_abort_msg("too many campaigns");
	return NULL;
}

/* Frees every campaign's prepared state. */
static void
states_free(void)
{
	for (size_t i = 0; i < LW_ARRAY_LEN(states); i++)
		prep_free(states[i].p);
	memset(states, 0, sizeof states);
}

/* Stores n engagements of campaign cid from account base on (bucket by
 * account) and one view slice per tweet with sequence seq, as one
 * change-log entry, and hands a what a reader reads of it: the new summary and the
 * entry's records (what the console's reader does). */
static void
apply(struct agg *a, const char *cid, int base, int n, int seq)
{
	struct prep_eng *v = xcalloc((size_t)n, sizeof *v);
	for (int i = 0; i < n; i++) {
		struct lw_engagement e;
		memset(&e, 0, sizeof e);
		int u = base + i;
		snprintf(e.campaign_id, sizeof e.campaign_id, "%s", cid);
		snprintf(e.tweet_id, sizeof e.tweet_id, "%s", tids[u % 2]);
		e.category = u % 2;
		e.action = (enum lw_action)(u % ACT__COUNT);
		snprintf(e.user.id, sizeof e.user.id, "%d", 5000 + u);
		e.user.handle = xasprintf("acct%d", u);
		e.user.name = xasprintf("Person \x1b[31m%d", u);
		e.user.followers = 100 * u;
		e.bucket = (enum lw_bucket)(u % BK__COUNT);
		e.importance = 40 + u % 50;
		e.first_seen_at_ms = T0 + u * 60000LL;
		prep_eng_from(&v[i], &e);
		lw_engagement_done(&e);
	}
	struct prep_slice sl[2];
	for (int t = 0; t < 2; t++) {
		memset(&sl[t], 0, sizeof sl[t]);
		snprintf(sl[t].tweet_id, sizeof sl[t].tweet_id, "%s", tids[t]);
		sl[t].category = (uint8_t)t;
		sl[t].seq = seq;
		sl[t].at_ms = T0 + seq * 600000LL;
		const int64_t d[PREP_METRICS] = {10, 2, 1, 0, 1000 * (t + 1), 0};
		memcpy(sl[t].d, d, sizeof d);
	}
	struct state *st = state_of(cid);
	st->seq++;
	for (int i = 0; i < n; i++)
		prep_apply_eng(st->p, &v[i], st->seq);
	for (int t = 0; t < 2; t++)
		prep_apply_slice(st->p, &sl[t]);
	prep_set_seq(st->p, st->seq);
	struct prep_summary sum;
	prep_summary_build(st->p, T0, &sum);
	agg_set_summary(a, cid, &sum);
	agg_feed_add(a, cid, v, (size_t)n);
	for (int i = 0; i < n; i++)
		prep_eng_done(&v[i]);
	free(v);
}

/* Answers path (with limit and bucket) and parses the body. */
static json_t *
ask(const struct jsonapi_snap *s, const char *path, const char *limit, const char *bucket,
    int want_status, char etag[JSONAPI_ETAG_LEN])
{
	struct jsonapi_reply r;
	jsonapi_answer(s, path, limit, bucket, &r);
	ck_assert_msg(r.status == want_status, "%s: %d %s", path, r.status, r.body);
	json_t *j = json_loads(r.body, 0, NULL);
	ck_assert_msg(j != NULL, "%s: not JSON: %s", path, r.body);
	if (etag)
		snprintf(etag, JSONAPI_ETAG_LEN, "%s", r.etag);
	free(r.body);
	return j;
}

START_TEST(test_snapshot_answers)
{
	struct agg *a = agg_new();
	apply(a, "camp-a", 0, 30, 1);
	apply(a, "camp-b", 100, 5, 1);
	int64_t now = T0 + 3 * SERIES_HOUR_MS;
	struct jsonapi_snap *s1 = jsonapi_snap_build(a, NULL, now);
	ck_assert(!jsonapi_snap_stale(s1, a, now));
	ck_assert(jsonapi_snap_stale(s1, a, now + SERIES_HOUR_MS)); /* the hour turned */

	char e1[JSONAPI_ETAG_LEN], e2[JSONAPI_ETAG_LEN];
	json_t *j = ask(s1, "/api/campaigns", NULL, NULL, 200, e1);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "campaigns")), 2);
	json_decref(j);
	j = ask(s1, "/api/campaigns/camp-a/aggregates", NULL, NULL, 200, e1);
	struct agg_campaign *c = agg_campaign(a, "camp-a");
	json_t *tot = json_object_get(json_object_get(j, "totals"), "all");
	ck_assert_int_eq(json_integer_value(json_object_get(tot, "views")), 3000);
	ck_assert_int_eq(json_integer_value(json_object_get(tot, "likes")), 20);
	json_t *ua = json_object_get(j, "unique_accounts");
	ck_assert_int_eq(json_integer_value(json_object_get(ua, "total")), agg_unique_total(c));
	ck_assert_int_eq(
	    json_integer_value(json_object_get(json_object_get(ua, "by_bucket"), "investor")),
	    c->sum.uniq[BK_INVESTOR]);
	json_t *hv = json_object_get(json_object_get(json_object_get(j, "hourly"), "all"), "views");
	ck_assert_int_eq(json_integer_value(json_array_get(hv, json_array_size(hv) - 1)), 3000);
	json_decref(j);

	/* the same data gives the same ETag; new data in camp-a changes only its own */
	char eb[JSONAPI_ETAG_LEN], eb2[JSONAPI_ETAG_LEN];
	json_decref(ask(s1, "/api/campaigns/camp-b/aggregates", NULL, NULL, 200, eb));
	struct jsonapi_snap *same = jsonapi_snap_build(a, NULL, now);
	json_decref(ask(same, "/api/campaigns/camp-a/aggregates", NULL, NULL, 200, e2));
	ck_assert_str_eq(e1, e2);
	jsonapi_snap_unref(same);
	apply(a, "camp-a", 30, 1, 2);
	ck_assert(jsonapi_snap_stale(s1, a, now));
	struct jsonapi_snap *s2 = jsonapi_snap_build(a, s1, now);
	jsonapi_snap_unref(s1); /* s2 keeps the shared parts alive */
	json_decref(ask(s2, "/api/campaigns/camp-a/aggregates", NULL, NULL, 200, e2));
	ck_assert_str_ne(e1, e2);
	json_decref(ask(s2, "/api/campaigns/camp-b/aggregates", NULL, NULL, 200, eb2));
	ck_assert_str_eq(eb, eb2);

	/* engagers: newest first, sanitized, filtered and limited */
	j = ask(s2, "/api/campaigns/camp-a/engagers", NULL, NULL, 200, NULL);
	json_t *el = json_object_get(j, "engagers");
	ck_assert_uint_eq(json_array_size(el), 31);
	ck_assert_str_eq(
	    json_string_value(json_object_get(json_array_get(el, 0), "handle")), "acct30");
	ck_assert_str_eq(
	    json_string_value(json_object_get(json_array_get(el, 0), "name")), "Person 30");
	json_decref(j);
	j = ask(s2, "/api/campaigns/camp-a/engagers", "3", "founder", 200, NULL);
	el = json_object_get(j, "engagers");
	ck_assert_uint_eq(json_array_size(el), 3);
	for (size_t i = 0; i < 3; i++)
		ck_assert_str_eq(
		    json_string_value(json_object_get(json_array_get(el, i), "bucket")), "founder");
	/* accounts 25, 19, 13 are founders (u % 6 == 1), newest first */
	ck_assert_str_eq(
	    json_string_value(json_object_get(json_array_get(el, 0), "handle")), "acct25");
	ck_assert_str_eq(
	    json_string_value(json_object_get(json_array_get(el, 2), "handle")), "acct13");
	json_decref(j);
	static const char *const bad_limits[] = {"0", "1001", "x", "", "-1", "12345678"};
	for (size_t i = 0; i < LW_ARRAY_LEN(bad_limits); i++)
		json_decref(
		    ask(s2, "/api/campaigns/camp-a/engagers", bad_limits[i], NULL, 400, NULL));
	json_decref(ask(s2, "/api/campaigns/camp-a/engagers", NULL, "whales", 400, NULL));
	json_decref(ask(s2, "/api/campaigns/camp-a/engagers", "1000", "all", 200, NULL));
	json_decref(ask(s2, "/api/campaigns/nope/engagers", NULL, NULL, 404, NULL));
	json_decref(ask(s2, "/api/campaigns/camp-a", NULL, NULL, 404, NULL));
	json_decref(ask(s2, "/api/campaigns/camp-a/other", NULL, NULL, 404, NULL));
	json_decref(ask(s2, "/", NULL, NULL, 404, NULL));
	json_decref(ask(NULL, "/api/campaigns", NULL, NULL, 200, NULL));

	/* the snapshot outlives its agg */
	agg_free(a);
	j = ask(s2, "/api/campaigns/camp-b/aggregates", NULL, NULL, 200, eb2);
	ck_assert_str_eq(eb, eb2);
	json_decref(j);
	jsonapi_snap_unref(s2);
	states_free();
}
END_TEST

/* The campaign list carries the jobs' health, as the console's header shows it. */
START_TEST(test_list_has_job_health)
{
	struct agg *a = agg_new();
	apply(a, "camp-a", 0, 4, 1);
	struct agg_jobrow rows[2] = {0};
	snprintf(rows[0].tweet_id, sizeof rows[0].tweet_id, "%s", tids[0]);
	rows[0].kind = JOB_REPLIES;
	rows[0].job = (struct agg_job){JS_ERROR, 0, 0, 1, 15, xstrdup("HTTP 500")};
	snprintf(rows[1].tweet_id, sizeof rows[1].tweet_id, "%s", tids[1]);
	rows[1].kind = JOB_METRICS;
	rows[1].job = (struct agg_job){JS_OK, T0, 0, 1, 15, NULL};
	agg_set_jobs(a, "camp-a", rows, 2);
	struct jsonapi_snap *s = jsonapi_snap_build(a, NULL, T0 + 1000);
	json_t *j = ask(s, "/api/campaigns", NULL, NULL, 200, NULL);
	json_t *jobs = json_object_get(json_array_get(json_object_get(j, "campaigns"), 0), "jobs");
	ck_assert_int_eq(json_integer_value(json_object_get(jobs, "failing")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(jobs, "blocked")), 0);
	ck_assert_str_eq(json_string_value(json_object_get(jobs, "last_error")), "HTTP 500");
	ck_assert_str_eq(
	    json_string_value(json_object_get(jobs, "last_success_at")), "2026-12-01T14:00:00Z");
	ck_assert(json_is_null(json_object_get(jobs, "blocked_until")));
	json_decref(j);
	jsonapi_snap_unref(s);
	agg_free(a);
	states_free();
}
END_TEST

START_TEST(test_no_negative_totals_and_loading)
{
	struct agg *a = agg_new();
	apply(a, "camp-n", 0, 4, 1);
	struct agg_campaign *c = agg_campaign(a, "camp-n");
	c->status = CS_ACTIVE; /* live, its tweets' jobs not reported yet */
	for (size_t i = 0; i < c->ntweets; i++)
		c->tweets[i].listed = true;
	c->sum.total[CAT__COUNT][M_VIEWS] = -42; /* a count the provider corrected down */
	c->sum.total[CAT_MAIN][M_VIEWS] = -42;
	struct jsonapi_snap *s = jsonapi_snap_build(a, NULL, T0 + 1000);
	json_t *j = ask(s, "/api/campaigns", NULL, NULL, 200, NULL);
	json_t *o = json_array_get(json_object_get(j, "campaigns"), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "views")), 0);
	ck_assert(json_is_true(json_object_get(o, "loading")));
	json_decref(j);
	j = ask(s, "/api/campaigns/camp-n/aggregates", NULL, NULL, 200, NULL);
	json_t *tot = json_object_get(j, "totals");
	ck_assert_int_eq(
	    json_integer_value(json_object_get(json_object_get(tot, "all"), "views")), 0);
	ck_assert_int_eq(
	    json_integer_value(json_object_get(json_object_get(tot, "main"), "views")), 0);
	ck_assert(json_is_true(json_object_get(json_object_get(j, "campaign"), "loading")));
	json_decref(j);
	jsonapi_snap_unref(s);
	c->status = CS_COMPLETED; /* nothing more to read: final */
	c->version++;
	s = jsonapi_snap_build(a, NULL, T0 + 2000);
	j = ask(s, "/api/campaigns", NULL, NULL, 200, NULL);
	ck_assert(json_is_false(
	    json_object_get(json_array_get(json_object_get(j, "campaigns"), 0), "loading")));
	json_decref(j);
	jsonapi_snap_unref(s);
	agg_free(a);
	states_free();
}
END_TEST

START_TEST(test_engagers_capped)
{
	struct agg *a = agg_new();
	apply(a, "big", 0, JSONAPI_ENGAGERS_MAX + 50, 1);
	struct jsonapi_snap *s = jsonapi_snap_build(a, NULL, T0);
	json_t *j = ask(s, "/api/campaigns/big/engagers", "1000", NULL, 200, NULL);
	json_t *el = json_object_get(j, "engagers");
	ck_assert_uint_eq(json_array_size(el), JSONAPI_ENGAGERS_MAX);
	char want[32];
	snprintf(want, sizeof want, "acct%d", JSONAPI_ENGAGERS_MAX + 49);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(el, 0), "handle")), want);
	json_decref(j);
	j = ask(s, "/api/campaigns", NULL, NULL, 200, NULL);
	json_t *big = json_array_get(json_object_get(j, "campaigns"), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(big, "engagements")),
	    JSONAPI_ENGAGERS_MAX + 50); /* all of them, as the summary counts */
	ck_assert(json_is_true(json_object_get(big, "prepared")));
	json_decref(j);
	jsonapi_snap_unref(s);
	agg_free(a);
	states_free();
}
END_TEST

START_TEST(test_token_from_env)
{
	char *t = NULL, *cause = NULL;
	unsetenv("LAUNCHWATCH_HTTP_TOKEN");
	unsetenv("LAUNCHWATCH_HTTP_TOKEN_FILE");
	ck_assert_int_eq(jsonapi_token_from_env(&t, &cause), 0);
	ck_assert_ptr_null(t);
	setenv("LAUNCHWATCH_HTTP_TOKEN", "tiny-secret", 1);
	ck_assert_int_eq(jsonapi_token_from_env(&t, &cause), -1);
	ck_assert_ptr_null(strstr(cause, "tiny-secret"));
	free(cause);
	cause = NULL;
	setenv("LAUNCHWATCH_HTTP_TOKEN", "0123456789abcdef-long-enough", 1);
	ck_assert_int_eq(jsonapi_token_from_env(&t, &cause), 0);
	ck_assert_str_eq(t, "0123456789abcdef-long-enough");
	free(t);
	unsetenv("LAUNCHWATCH_HTTP_TOKEN");
	setenv("LAUNCHWATCH_HTTP_TOKEN_FILE", "/nonexistent/launchwatch-token", 1);
	ck_assert_int_eq(jsonapi_token_from_env(&t, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "LAUNCHWATCH_HTTP_TOKEN_FILE"));
	free(cause);
	unsetenv("LAUNCHWATCH_HTTP_TOKEN_FILE");
}
END_TEST

/* Raw request targets the endpoint must refuse, with a word of the reason. */
static const struct {
	const char *raw, *why;
} bad_paths[] = {
    {"/api/campaigns/%00/aggregates", "NUL"},
    {"/api/campaigns%00", "NUL"},
    {"/api/campaigns/../campaigns", "'..'"},
    {"/api/campaigns/%2e%2E/aggregates", "'..'"},
    {"/api/campaigns/./aggregates", "'..'"},
    {"/api/campaigns/%2/aggregates", "malformed"},
    {"/api/campaigns/%zz/aggregates", "malformed"},
    {"/api/campaigns/abc%", "malformed"},
    {"/api/campaigns/%2f/aggregates", "encoded"},
    {"/api/campaigns/%c3%a9/aggregates", "non-ASCII"},
    {"/api/campaigns/\x01/aggregates", "control"},
    {"/api/campaigns//aggregates", "empty"},
    {"/api/campaigns?limit=%0", "query"},
    {"/api/campaigns?limit=%00", "NUL"},
    {"api/campaigns", "start"},
    {"/api/campaigns/0123456789012345678901234567890123456789012345678/aggregates", "too long"},
};

/* NUL, '..', bad escapes and over-long ids are refused with a reason;
 * good targets decode (escapes of plain characters, a query left out). */
START_TEST(test_path_decode)
{
	char out[JSONAPI_PATH_MAX];
	const char *why = NULL;
	for (size_t i = 0; i < LW_ARRAY_LEN(bad_paths); i++) {
		ck_assert_msg(jsonapi_path_decode(bad_paths[i].raw, out, &why) == -1, "accepted %s",
		    bad_paths[i].raw);
		ck_assert_msg(why && strstr(why, bad_paths[i].why), "%s: %s", bad_paths[i].raw,
		    why ? why : "(none)");
	}
	char longp[JSONAPI_PATH_MAX + 8];
	memset(longp, 'a', sizeof longp - 1);
	longp[0] = '/';
	longp[sizeof longp - 1] = '\0';
	ck_assert_int_eq(jsonapi_path_decode(longp, out, &why), -1);
	ck_assert_ptr_nonnull(strstr(why, "too long"));
	ck_assert_int_eq(jsonapi_path_decode("/api/campaigns/camp%2Da/aggregates", out, &why), 0);
	ck_assert_str_eq(out, "/api/campaigns/camp-a/aggregates");
	ck_assert_int_eq(jsonapi_path_decode("/api/campaigns/?limit=5&bucket=ai", out, &why), 0);
	ck_assert_str_eq(out, "/api/campaigns/");
	/* an id of JSONAPI_ID_MAX characters is still fine */
	ck_assert_int_eq(jsonapi_path_decode("/api/campaigns/"
	                                     "01234567890123456789012345678901234567890123456"
	                                     "/engagers?limit=1",
	                     out, &why),
	    0);
}
END_TEST

static Suite *
jsonapi_suite(void)
{
	Suite *s = suite_create("jsonapi");
	TCase *tc = tcase_create("model");
	tcase_add_test(tc, test_snapshot_answers);
	tcase_add_test(tc, test_no_negative_totals_and_loading);
	tcase_add_test(tc, test_engagers_capped);
	tcase_add_test(tc, test_list_has_job_health);
	tcase_add_test(tc, test_token_from_env);
	tcase_add_test(tc, test_path_decode);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(jsonapi_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
