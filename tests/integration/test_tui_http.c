/*
 * Tests of the console's read-only JSON endpoint (--http), split from
 * test_tui.c: the real launchwatch binary runs in tmux against a devdb
 * holding the campaigns tests/support/tui_support.c seeds; the endpoint
 * answers what the database holds (read back directly here), with
 * ETag/304, 404 and 400 JSON errors, live updates through the change log,
 * answers from its cache while the database is down, and a non-loopback
 * bind needs a token; addresses parse as documented.
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/jsonapi.h"
#include "base/util.h"
#include "model/agg.h"
#include "config/config.h"
#include "engine/writer.h"
#include "store/store.h"
#include "testutil.h"
#include "tui_support.h"

/* Returns the integer at a dotted path of o ("a.b.c"), failing when absent. */
static json_int_t
jint(json_t *o, const char *path)
{
	char *copy = xstrdup(path), *save = NULL;
	json_t *v = o;
	for (char *k = strtok_r(copy, ".", &save); k && v; k = strtok_r(NULL, ".", &save))
		v = json_object_get(v, k);
	ck_assert_msg(json_is_integer(v), "no integer at %s", path);
	free(copy);
	return json_integer_value(v);
}

/* Polls GET path until its JSON satisfies ok (or fails the test). */
static void
http_wait(int port, const char *path, bool (*ok)(json_t *), struct tui_resp *r)
{
	for (int waited = 0; waited < TUI_WAIT_MS; waited += 200) {
		tui_http(port, path, NULL, NULL, r);
		if (r->status == 200 && r->json && ok(r->json))
			return;
		tui_resp_done(r);
		usleep(200 * 1000);
	}
	tui_http(port, path, NULL, NULL, r);
	ck_abort_msg("%s never showed the expected data: %ld %s", path, r->status, r->body);
}

/* The campaign list holds both seeded campaigns, the first one complete. */
static bool
list_loaded(json_t *j)
{
	json_t *l = json_object_get(j, "campaigns"), *c;
	size_t i;
	if (json_array_size(l) != 2)
		return false;
	json_array_foreach(l, i,
	    c) if (strcmp(json_string_value(json_object_get(c, "id")), tui_cid) ==
	           0) return json_integer_value(json_object_get(c, "unique_accounts")) == 12 &&
	    json_integer_value(json_object_get(c, "views")) == 12345;
	return false;
}

/* The aggregates show the 13th account written during the test. */
static bool
has_13(json_t *j)
{
	json_t *u = json_object_get(j, "unique_accounts");
	return json_integer_value(json_object_get(u, "total")) == 13;
}

/* Frees a devdb handle whose process and directory belong to another. */
static void
tu_devdb_free_handle(struct tu_devdb *d)
{
	free(d->dir);
	free(d->uri);
	free(d);
}

/* Asserts GET path answers status with a JSON error whose message holds want. */
static void
expect_error(int port, const char *path, long status, const char *want)
{
	struct tui_resp r;
	tui_http(port, path, NULL, NULL, &r);
	ck_assert_msg(r.status == status, "%s: %ld %s", path, r.status, r.body);
	ck_assert_msg(r.json != NULL, "%s: not JSON: %s", path, r.body);
	ck_assert_ptr_nonnull(json_string_value(json_object_get(r.json, "error")));
	const char *m = json_string_value(json_object_get(r.json, "message"));
	ck_assert_msg(m && strstr(m, want), "%s: message lacks '%s': %s", path, want, r.body);
	tui_resp_done(&r);
}

/* Returns true when the aggregates of j count an alert (the seeded one:
 * the console read its alert log). */
static bool
alerts_loaded(json_t *j)
{
	json_t *a = json_object_get(j, "alerts"), *v;
	const char *k;
	json_int_t n = 0;
	json_object_foreach(a, k, v) n += json_integer_value(v);
	return n > 0;
}

START_TEST(test_http_matches_database)
{
	int port = tui_free_port();
	snprintf(tui_args, sizeof tui_args, "--http 127.0.0.1:%d", port);
	tui_start_ui(120, 40, true, NULL);
	char *want = xasprintf("JSON on http://127.0.0.1:%d/api/campaigns", port);
	tui_expect(want);
	free(want);
	struct tui_resp r;
	http_wait(port, "/api/campaigns", list_loaded, &r);

	/* the list equals the campaigns collection */
	struct store *st = NULL;
	char *cause = NULL;
	ck_assert(store_open(tui_db->uri, "tuitest", &st, &cause) == 0);
	struct campaign *list = NULL;
	size_t n = 0;
	ck_assert(store_campaign_list(st, &list, &n, &cause) == 0);
	json_t *jl = json_object_get(r.json, "campaigns");
	ck_assert_uint_eq(json_array_size(jl), n);
	for (size_t i = 0; i < n; i++) {
		json_t *found = NULL, *c;
		size_t k;
		json_array_foreach(jl, k, c) if (strcmp(json_string_value(json_object_get(c, "id")),
		                                     list[i].id) == 0) found = c;
		ck_assert_msg(found != NULL, "%s missing", list[i].id);
		ck_assert_str_eq(
		    json_string_value(json_object_get(found, "name")), list[i].cfg.name);
		ck_assert_str_eq(json_string_value(json_object_get(found, "status")),
		    campaign_status_name(list[i].status));
		ck_assert_int_eq(json_integer_value(json_object_get(found, "tweets")),
		    (json_int_t)list[i].cfg.ntweets);
		campaign_done(&list[i]);
	}
	free(list);
	ck_assert(r.etag[0] == '"');
	tui_resp_done(&r);

	/* the aggregates equal sums over the stored rows */
	struct tui_truth t;
	tui_truth_load(st, tui_cid, &t);
	ck_assert_uint_eq(t.neng, 12);
	char *path = xasprintf("/api/campaigns/%s/aggregates", tui_cid);
	/* the alert log is read apart from the summary, and may come later */
	http_wait(port, path, alerts_loaded, &r);
	for (int m = 0; m < M__COUNT; m++) {
		char k[64];
		snprintf(k, sizeof k, "totals.all.%s", agg_metric_name((enum agg_metric)m));
		ck_assert_int_eq(jint(r.json, k), t.all[m]);
		for (int c = 0; c < CAT__COUNT; c++) {
			snprintf(k, sizeof k, "totals.%s.%s", category_name((enum tweet_category)c),
			    agg_metric_name((enum agg_metric)m));
			ck_assert_int_eq(jint(r.json, k), t.cat[c][m]);
		}
	}
	ck_assert_int_eq(jint(r.json, "totals.all.views"), 12345);
	int64_t by_bucket[BK__COUNT] = {0};
	for (size_t i = 0; i < t.neng; i++)
		by_bucket[t.eng[i].bucket]++; /* one engagement per seeded account */
	for (int b = 0; b < BK__COUNT; b++) {
		char k[64];
		snprintf(
		    k, sizeof k, "unique_accounts.by_bucket.%s", bucket_name((enum lw_bucket)b));
		ck_assert_int_eq(jint(r.json, k), by_bucket[b]);
	}
	ck_assert_int_eq(jint(r.json, "unique_accounts.total"), (json_int_t)t.neng);
	for (int a = 0; a < ACT__COUNT; a++) {
		char k[64];
		snprintf(k, sizeof k, "events.%s", action_name((enum lw_action)a));
		ck_assert_int_eq(jint(r.json, k), t.events[a]);
	}
	json_t *views =
	    json_object_get(json_object_get(json_object_get(r.json, "hourly"), "all"), "views");
	ck_assert_int_eq(
	    json_integer_value(json_array_get(views, json_array_size(views) - 1)), 12345);
	ck_assert_uint_eq(json_array_size(json_object_get(r.json, "tweets")), 3);
	ck_assert_uint_eq(json_array_size(json_object_get(r.json, "top_engagers")), 12);
	ck_assert_int_eq(jint(r.json, "alerts.failed"), 1);

	/* ETag and If-None-Match */
	char etag[64], *inm;
	snprintf(etag, sizeof etag, "%s", r.etag);
	ck_assert_msg(etag[0] == '"', "no ETag");
	tui_resp_done(&r);
	inm = xasprintf("If-None-Match: %s", etag);
	tui_http(port, path, inm, NULL, &r);
	ck_assert_int_eq(r.status, 304);
	ck_assert_str_eq(r.body, "");
	ck_assert_str_eq(r.etag, etag);
	tui_resp_done(&r);
	tui_http(port, path, "If-None-Match: \"something-else\"", NULL, &r);
	ck_assert_int_eq(r.status, 200);
	tui_resp_done(&r);

	/* the engagers: the stored engagements, newest first */
	char *epath = xasprintf("/api/campaigns/%s/engagers", tui_cid);
	tui_http(port, epath, NULL, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	json_t *el = json_object_get(r.json, "engagers");
	ck_assert_uint_eq(json_array_size(el), t.neng);
	for (size_t i = 0; i < t.neng; i++) {
		json_t *e = json_array_get(el, i);
		const struct lw_engagement *d = &t.eng[i];
		ck_assert_str_eq(json_string_value(json_object_get(e, "handle")), d->user.handle);
		ck_assert_str_eq(json_string_value(json_object_get(e, "user_id")), d->user.id);
		ck_assert_str_eq(
		    json_string_value(json_object_get(e, "bucket")), bucket_name(d->bucket));
		ck_assert_str_eq(
		    json_string_value(json_object_get(e, "action")), action_name(d->action));
		ck_assert_str_eq(json_string_value(json_object_get(e, "tweet_id")), d->tweet_id);
		ck_assert_int_eq(
		    json_integer_value(json_object_get(e, "importance")), d->importance);
		ck_assert_int_eq(
		    json_integer_value(json_object_get(e, "followers")), d->user.followers);
	}
	/* the hostile name arrives without its escape sequences */
	ck_assert_str_eq(
	    json_string_value(json_object_get(json_array_get(el, 0), "name")), "EvilRed");
	tui_resp_done(&r);
	char *q = xasprintf("%s?limit=2&bucket=investor", epath);
	tui_http(port, q, NULL, NULL, &r);
	free(q);
	ck_assert_int_eq(r.status, 200);
	el = json_object_get(r.json, "engagers");
	ck_assert_uint_eq(json_array_size(el), 2);
	size_t k = 0;
	for (size_t i = 0; i < t.neng && k < 2; i++)
		if (t.eng[i].bucket == BK_INVESTOR)
			ck_assert_str_eq(
			    json_string_value(json_object_get(json_array_get(el, k++), "handle")),
			    t.eng[i].user.handle);
	tui_resp_done(&r);

	/* bad ids, bad paths and bad parameters: JSON errors */
	expect_error(port, "/api/campaigns/no-such-id/aggregates", 404, "no campaign with id");
	expect_error(port, "/api/campaigns/no-such-id/engagers", 404, "no campaign with id");
	q = xasprintf("/api/campaigns/%s/everything", tui_cid);
	expect_error(port, q, 404, "no such endpoint");
	free(q);
	expect_error(port, "/metricz", 404, "no such endpoint");
	/* the console's endpoint leaves /healthz and /metrics to `run --http`:
	 * its health is the engine's, and reading it would cost a viewer's
	 * database the scans it avoids */
	expect_error(port, "/metrics", 404, "served by `launchwatch run --http");
	expect_error(port, "/healthz", 404, "served by `launchwatch run --http");
	static const char *const bad_limits[] = {"0", "abc", "1001", "-5", "99999999999"};
	for (size_t i = 0; i < LW_ARRAY_LEN(bad_limits); i++) {
		q = xasprintf("%s?limit=%s", epath, bad_limits[i]);
		expect_error(port, q, 400, "limit must be");
		free(q);
	}
	q = xasprintf("%s?bucket=whales", epath);
	expect_error(port, q, 400, "bucket must be one of");
	free(q);
	tui_http(port, path, NULL, "POST", &r);
	ck_assert_int_eq(r.status, 405);
	tui_resp_done(&r);

	/* a new stored engagement shows up with a new ETag */
	struct lw_engagement e;
	memset(&e, 0, sizeof e);
	snprintf(e.campaign_id, sizeof e.campaign_id, "%s", tui_cid);
	snprintf(e.tweet_id, sizeof e.tweet_id, "%s", tui_tids[0]);
	e.action = ACT_QUOTE;
	snprintf(e.user.id, sizeof e.user.id, "7100");
	e.user.handle = xstrdup("newcomer");
	e.user.name = xstrdup("New Comer");
	e.user.bio = xstrdup("press");
	e.bucket = BK_MEDIA;
	e.importance = 40;
	/* stored as the engine stores it: the document, then its change-log
	 * entry, which the console's engine aggregates and its reader follows */
	bool is_new = false;
	struct writer_page pg = {.campaign_id = tui_cid,
	    .eng = &e,
	    .n = 1,
	    .now_ms = clock_now_ms(),
	    .above = 1,
	    .is_new = &is_new};
	ck_assert_msg(writer_put_page(NULL, st, &pg, &cause) == 0, "%s", cause);
	ck_assert(is_new);
	lw_engagement_done(&e);
	http_wait(port, path, has_13, &r);
	ck_assert_str_ne(r.etag, etag);
	ck_assert_int_eq(jint(r.json, "unique_accounts.by_bucket.media"), 1);
	snprintf(etag, sizeof etag, "%s", r.etag);
	tui_resp_done(&r);
	free(inm);
	store_free(st);
	tui_truth_done(&t);

	/* the database goes away: the endpoint keeps answering from its cache */
	if (!tu_backend_can_restart("test_http_matches_database (its database-down part)")) {
		free(path);
		free(epath);
		tui_keys("q");
		tui_expect("UI-EXITED 0");
		return;
	}
	tu_devdb_stop(tui_db);
	inm = xasprintf("If-None-Match: %s", etag);
	tui_http(port, path, inm, NULL, &r);
	ck_assert_int_eq(r.status, 304);
	tui_resp_done(&r);
	tui_http(port, path, NULL, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.etag, etag);
	ck_assert_int_eq(jint(r.json, "unique_accounts.total"), 13);
	tui_resp_done(&r);
	free(inm);
	free(path);
	free(epath);
	/* the database comes back on the same port, so quitting does not wait
	 * for the database thread's call to time out */
	struct tu_devdb *again = tu_devdb_start(tui_db->dir, tui_db->port);
	tui_db->pid = again->pid;
	tui_db->in_fd = again->in_fd;
	again->pid = 0;
	tu_devdb_free_handle(again);
	tui_keys("q");
	tui_expect("UI-EXITED 0");
}
END_TEST

START_TEST(test_http_token)
{
	int port = tui_free_port();
	char *addr = xasprintf("0.0.0.0:%d", port), *uri = xasprintf("MONGODB_URI=%s", tui_db->uri);
	/* without a token a non-loopback bind is refused before anything starts */
	const char *const args[] = {"tui", "--http", addr, NULL};
	const char *const env[] = {
	    uri, "LAUNCHWATCH_HTTP_TOKEN=", "LAUNCHWATCH_HTTP_TOKEN_FILE=", NULL};
	struct tu_run rr;
	tu_run(&rr, env, 20000, args);
	ck_assert_int_eq(rr.status, 64);
	ck_assert_msg(
	    strstr(rr.err, "not a loopback address") && strstr(rr.err, "LAUNCHWATCH_HTTP_TOKEN"),
	    "%s", rr.err);
	tu_run_done(&rr);
	const char *const env_short[] = {uri, "LAUNCHWATCH_HTTP_TOKEN=short-one", NULL};
	tu_run(&rr, env_short, 20000, args);
	ck_assert_int_eq(rr.status, 64);
	ck_assert_msg(
	    strstr(rr.err, "shorter than 16") && !strstr(rr.err, "short-one"), "%s", rr.err);
	tu_run_done(&rr);

	/* with a token from a file it serves, to requests that carry it */
	const char *token = "s3cret-token-for-the-test-0123456789";
	char *tf = xasprintf("%s\n", token);
	char *tpath = tu_write_file(tui_workdir, "token", tf);
	free(tf);
	char *extra = xasprintf("LAUNCHWATCH_HTTP_TOKEN_FILE='%s'", tpath);
	snprintf(tui_args, sizeof tui_args, "--http %s", addr);
	tui_start_ui(120, 40, true, extra);
	free(extra);
	tui_expect("views 12.3k");
	char *want = xasprintf("JSON on http://0.0.0.0:%d/api/campaigns", port);
	char *s = tui_wait_screen(want, false);
	ck_assert_ptr_null(strstr(s, token));
	free(s);
	free(want);
	struct tui_resp r;
	tui_http(port, "/api/campaigns", NULL, NULL, &r);
	ck_assert_int_eq(r.status, 401);
	ck_assert_ptr_nonnull(json_object_get(r.json, "error"));
	tui_resp_done(&r);
	tui_http(port, "/api/campaigns",
	    "Authorization: Bearer s3cret-token-for-the-test-0123456788", NULL, &r);
	ck_assert_int_eq(r.status, 401);
	tui_resp_done(&r);
	char *auth = xasprintf("Authorization: Bearer %s", token);
	tui_http(port, "/api/campaigns", auth, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(json_object_get(r.json, "campaigns"));
	tui_resp_done(&r);
	free(auth);
	tui_keys("q");
	tui_expect("UI-EXITED 0");
	/* nothing wrote the token to the console's stderr */
	char *cmd = xasprintf("grep -q '%s' '%s/stderr'", token, tui_workdir);
	ck_assert_int_ne(system(cmd), 0);
	free(cmd);
	free(tpath);
	free(addr);
	free(uri);
}
END_TEST

/* Addresses: loopback or not, and what is refused. */
START_TEST(test_http_addr_parse)
{
	char host[64], *cause = NULL;
	int port = -1;
	bool lo = false;
	ck_assert_int_eq(
	    jsonapi_parse_addr("127.0.0.1:8080", host, sizeof host, &port, &lo, &cause), 0);
	ck_assert(lo && port == 8080 && strcmp(host, "127.0.0.1") == 0);
	ck_assert_int_eq(jsonapi_parse_addr("9000", host, sizeof host, &port, &lo, &cause), 0);
	ck_assert(lo && port == 9000);
	ck_assert_int_eq(
	    jsonapi_parse_addr("localhost:1", host, sizeof host, &port, &lo, &cause), 0);
	ck_assert(lo);
	ck_assert_int_eq(jsonapi_parse_addr("[::1]:80", host, sizeof host, &port, &lo, &cause), 0);
	ck_assert(lo && strcmp(host, "::1") == 0);
	ck_assert_int_eq(
	    jsonapi_parse_addr("10.1.2.3:80", host, sizeof host, &port, &lo, &cause), 0);
	ck_assert(!lo);
	ck_assert_int_eq(jsonapi_parse_addr("[::]:80", host, sizeof host, &port, &lo, &cause), 0);
	ck_assert(!lo);
	static const char *const bad[] = {"", "127.0.0.1:", "127.0.0.1:70000", "example.com:80",
	    "127.0.0.1:80x", "::1:80", "[::1]80"};
	for (size_t i = 0; i < LW_ARRAY_LEN(bad); i++) {
		ck_assert_msg(
		    jsonapi_parse_addr(bad[i], host, sizeof host, &port, &lo, &cause) == -1,
		    "%s accepted", bad[i]);
		ck_assert_ptr_nonnull(cause);
		free(cause);
		cause = NULL;
	}
	/* refused without a token, before binding anything */
	struct jsonapi *j = jsonapi_start("0.0.0.0:0", NULL, NULL, &cause);
	ck_assert_ptr_null(j);
	ck_assert_ptr_nonnull(strstr(cause, "LAUNCHWATCH_HTTP_TOKEN"));
	free(cause);
}
END_TEST

static void
setup_none(void)
{
}

static Suite *
tui_http_suite(void)
{
	Suite *s = suite_create("tui_http");
	TCase *th = tcase_create("http");
	tcase_add_checked_fixture(th, tui_setup, tui_teardown);
	tcase_set_timeout(th, 120);
	tcase_add_test(th, test_http_matches_database);
	tcase_add_test(th, test_http_token);
	suite_add_tcase(s, th);
	TCase *pure = tcase_create("http-model");
	tcase_add_checked_fixture(pure, setup_none, setup_none);
	tcase_add_test(pure, test_http_addr_parse);
	suite_add_tcase(s, pure);
	return s;
}

int
main(void)
{
	return tui_run(tui_http_suite());
}
