/*
 * Integration tests of the close-out job against a real devdb (FerretDB over
 * the wire), with documents shaped as DESIGN.md section 4 inserted through
 * the store: frozen totals and later reports do not change while the tweets
 * keep growing; report numbers equal the database's own counts; the archive
 * verifies and names a tampered file; a close-out killed at every step and
 * rerun finishes exactly once; the HTML is well-formed with the expected
 * chart points; reopen asks for confirmation and is recorded. The clock is
 * injected (clock_set), never slept on.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "output/archive.h"
#include "output/archive_sign.h"
#include "cmd/cmd.h"
#include "engine/closeout.h"
#include "config/config.h"
#include "rep_html.h"
#include "seed_support.h"
#include "model/report.h"
#include "output/report_write.h"
#include "store/store.h"
#include "store/store_report.h"
#include "testutil.h"
#include "base/util.h"

#define T0     1796220000000LL /* 2026-12-02T14:00:00Z, inside the window */
#define MIN_MS 60000LL

static struct tu_devdb *db;
static char *workdir;
static int64_t fake_now = T0;

static int64_t
fake_clock(void)
{
	return fake_now;
}

static void
setup(void)
{
	db = tu_devdb_start(NULL, 0);
	workdir = tu_tempdir();
	setenv("XDG_DATA_HOME", workdir, 1); /* the archive signing key goes there */
	clock_set(fake_clock);
}

static void
teardown(void)
{
	clock_set(NULL);
	tu_devdb_free(db);
	tu_rmtree(workdir);
	free(workdir);
}

static const char *const yaml =
    "campaigns:\n"
    "  - name: Close Test\n"
    "    client: {name: Acme Labs}\n"
    "    window: {start: 2026-12-01T14:00:00Z, duration: 7d}\n"
    "    tweets:\n"
    "      main: [1861111111111111111, 1861111111111111112]\n"
    "      influencer: [1861111111111111113]\n"
    "      investor: [1861111111111111114]\n"
    "    cpm: {benchmark_usd: {main: 6.0, influencer: 14.0}, spend_usd: {influencer: 12000}}\n";

static const char *const tids[4] = {
    "1861111111111111111", "1861111111111111112", "1861111111111111113", "1861111111111111114"};
static const char *const buckets[6] = {"investor", "founder", "ai", "developer", "media", "other"};
static const char *const actions[3] = {"retweet", "reply", "quote"};

static struct store *
open_db(const char *dbname)
{
	struct store *s = NULL;
	char *cause = NULL;
	ck_assert_msg(store_open(db->uri, dbname, &s, &cause) == 0, "store_open: %s", cause);
	return s;
}

/* Runs a command given as JSON and returns the parsed reply. */
static json_t *command(struct store *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static json_t *
command(struct store *s, const char *fmt, ...)
{
	va_list ap;
	char *cmd, *reply = NULL, *cause = NULL;
	json_error_t jerr;
	va_start(ap, fmt);
	cmd = xvasprintf(fmt, ap);
	va_end(ap);
	ck_assert_msg(store_report_test_command(s, cmd, &reply, &cause) == 0, "%s: %s", cmd, cause);
	json_t *j = json_loads(reply, 0, &jerr);
	ck_assert_msg(j != NULL, "reply: %s", jerr.text);
	free(cmd);
	free(reply);
	return j;
}

/* Returns a count the database computes: documents of coll matching query. */
static int64_t
db_count(struct store *s, const char *coll, const char *query)
{
	json_t *j = command(s, "{\"count\": \"%s\", \"query\": %s}", coll, query);
	int64_t n = (int64_t)json_number_value(json_object_get(j, "n"));
	json_decref(j);
	return n;
}

/* Returns the number of distinct user ids the database finds for query. */
static int64_t
db_distinct_users(struct store *s, const char *query)
{
	json_t *j = command(
	    s, "{\"distinct\": \"engagements\", \"key\": \"user_id\", \"query\": %s}", query);
	int64_t n = (int64_t)json_array_size(json_object_get(j, "values"));
	json_decref(j);
	return n;
}

/* Returns the database's $sum of tweets.metrics.FIELD over a category. */
static int64_t
db_sum(struct store *s, const char *cid, const char *category, const char *field)
{
	json_t *j = command(s,
	    "{\"aggregate\": \"tweets\", \"pipeline\": [{\"$match\": {\"campaign_id\": \"%s\", "
	    "\"category\": \"%s\"}}, {\"$group\": {\"_id\": null, \"v\": {\"$sum\": "
	    "\"$metrics.%s\"}}}], \"cursor\": {}}",
	    cid, category, field);
	json_t *batch = json_object_get(json_object_get(j, "cursor"), "firstBatch");
	int64_t v = (int64_t)json_number_value(json_object_get(json_array_get(batch, 0), "v"));
	json_decref(j);
	return v;
}

static void
insert(struct store *s, const char *coll, const char *json)
{
	char *cause = NULL;
	ck_assert_msg(store_report_test_insert(s, coll, json, &cause) == 0, "%s", cause);
}

/* Sets a tweet's baseline metrics (views < 0: no view count). */
static void
set_metrics(struct store *s, const char *cid, int t, int64_t views, int64_t likes, int64_t at)
{
	char vbuf[64] = "";
	if (views >= 0)
		snprintf(vbuf, sizeof vbuf, "\"views\": %lld, ", (long long)views);
	json_decref(command(s,
	    "{\"update\": \"tweets\", \"updates\": [{\"q\": {\"_id\": \"%s:%s\"}, \"u\": "
	    "{\"$set\": "
	    "{\"metrics\": {%s\"likes\": %lld, \"retweets\": %lld, \"replies\": %lld, \"quotes\": "
	    "%lld, \"bookmarks\": %lld}, \"metrics_at\": {\"$date\": %lld}, \"author\": "
	    "\"acme\"}}}]}",
	    cid, tids[t], vbuf, (long long)likes, (long long)likes / 10, (long long)likes / 20,
	    (long long)likes / 50, (long long)likes / 30, (long long)at));
}

/* Inserts engagement k of a campaign: user, tweet and action vary with k. */
static void
insert_engagement(struct store *s, const char *cid, int k, int64_t seen)
{
	int user = k % 25 + (k >= 1000 ? 1000 : 0), t = k % 4;
	const char *act = actions[(k / 4) % 3];
	char *doc = xasprintf(
	    "{\"_id\": \"%s:%s:%d:%s\", \"campaign_id\": \"%s\", \"tweet_id\": \"%s\", "
	    "\"action\": \"%s\", \"user_id\": \"%d\", \"user\": {\"handle\": \"user%d\", \"name\": "
	    "\"User <%d>\", \"bio\": \"builds things\", \"followers\": %d, \"following\": 10, "
	    "\"verified\": %s}, \"bucket\": \"%s\", \"importance\": %d, \"evidence\": [\"bio: "
	    "builds\"], \"ref_ids\": [\"9%d\"], \"created_at\": %s, \"first_seen_at\": {\"$date\": "
	    "%lld}, \"last_seen_at\": {\"$date\": %lld}, \"sentiment\": null}",
	    cid, tids[t], user, act, cid, tids[t], act, user, user, user, user * 1000 + 5,
	    user % 3 ? "false" : "true", buckets[user % 6], (user * 37) % 100, k,
	    k % 2 ? "null" : "{\"$date\": 1796130000000}", (long long)seen, (long long)seen);
	insert(s, "engagements", doc);
	free(doc);
}

/* Inserts slice seq of tweet t. */
static void
insert_slice(struct store *s, const char *cid, int t, int seq, int64_t at)
{
	char *doc = xasprintf("{\"_id\": \"%s:%s:%d\", \"campaign_id\": \"%s\", \"tweet_id\": "
	                      "\"%s\", \"seq\": %d, \"deltas\": {\"likes\": %d, \"retweets\": 1, "
	                      "\"replies\": 0, \"quotes\": 0, \"views\": %d, \"bookmarks\": 0}, "
	                      "\"at\": {\"$date\": %lld}, \"hour\": null, \"day\": null}",
	    cid, tids[t], seq, cid, tids[t], seq, seq, 100 * seq, (long long)at);
	insert(s, "metric_slices", doc);
	free(doc);
}

/* Logs what was inserted, as the engine's writer does for what it stores
 * (the reports read the prepared aggregates the change log feeds). */
static void
log_stored(struct store *s, const char *cid)
{
	char *cause = NULL;
	ck_assert_msg(seed_log_stored(s, cid, &cause) == 0, "%s", cause);
}

#define BASE_ENG 40

/* Creates the campaign through the real upsert and fills its data as the
 * ingest engine would by T0; returns its id in cid. */
static void
seed(struct store *s, char cid[CAMPAIGN_ID_MAX])
{
	struct cfg_file *f = NULL;
	struct store_upsert_result res;
	char *cause = NULL;
	ck_assert_msg(
	    config_load_string("t.yaml", yaml, strlen(yaml), &f, &cause) == 0, "%s", cause);
	ck_assert_msg(
	    store_campaign_upsert(s, &f->campaigns[0], T0 - 600 * MIN_MS, &res, &cause) == 0, "%s",
	    cause);
	snprintf(cid, CAMPAIGN_ID_MAX, "%s", res.id);
	config_free(f);
	set_metrics(s, cid, 0, 120000, 900, T0 - MIN_MS);
	set_metrics(s, cid, 1, -1, 50, T0 - MIN_MS); /* no view count */
	set_metrics(s, cid, 2, 45000, 300, T0 - MIN_MS);
	/* tweet 3 (investor) was never read: metrics stay null */
	for (int k = 0; k < BASE_ENG; k++)
		insert_engagement(s, cid, k, T0 - (BASE_ENG - k) * 5 * MIN_MS);
	for (int t = 0; t < 3; t++)
		for (int seq = 1; seq <= 5; seq++)
			insert_slice(s, cid, t, seq, T0 - (5 - seq) * 50 * MIN_MS - t * MIN_MS);
	log_stored(s, cid);
}

/* The tweets keep growing after the close-out: more engagers, slices and
 * views, all seen after T0. */
static void
grow(struct store *s, const char *cid)
{
	for (int k = 1000; k < 1010; k++)
		insert_engagement(s, cid, k, T0 + 60 * MIN_MS);
	for (int t = 0; t < 3; t++)
		insert_slice(s, cid, t, 6, T0 + 60 * MIN_MS);
	set_metrics(s, cid, 0, 999999, 5000, T0 + 60 * MIN_MS);
	set_metrics(s, cid, 1, 777, 500, T0 + 60 * MIN_MS);
	log_stored(s, cid);
}

/* The database's sums of the tweets' baselines per category, taken when
 * the report was frozen (the baselines keep moving afterwards). */
struct tweet_sums {
	int64_t views[CAT__COUNT], likes[CAT__COUNT], bookmarks[CAT__COUNT];
	int64_t no_views[CAT__COUNT];
};

/* Reads the current sums from the database. */
static void
db_tweet_sums(struct store *s, const char *cid, struct tweet_sums *ts)
{
	char q[256];
	for (int c = 0; c < CAT__COUNT; c++) {
		const char *cn = category_name((enum tweet_category)c);
		ts->views[c] = db_sum(s, cid, cn, "views");
		ts->likes[c] = db_sum(s, cid, cn, "likes");
		ts->bookmarks[c] = db_sum(s, cid, cn, "bookmarks");
		snprintf(q, sizeof q,
		    "{\"campaign_id\": \"%s\", \"category\": \"%s\", \"metrics.views\": "
		    "{\"$exists\": "
		    "false}}",
		    cid, cn);
		ts->no_views[c] = db_count(s, "tweets", q);
	}
}

/* Checks the report's numbers against the database's own counts of the
 * documents up to cutoff and the tweet sums ts. */
static void
check_against_db(struct store *s, const char *cid, const struct report *r, int64_t cutoff,
    const struct tweet_sums *ts)
{
	char q[256];
	snprintf(q, sizeof q,
	    "{\"campaign_id\": \"%s\", \"first_seen_at\": {\"$lte\": {\"$date\": %lld}}}", cid,
	    (long long)cutoff);
	ck_assert_int_eq(r->engagements, db_count(s, "engagements", q));
	ck_assert_int_eq(r->unique_accounts, db_distinct_users(s, q));
	for (int b = 0; b < BK__COUNT; b++) {
		snprintf(q, sizeof q,
		    "{\"campaign_id\": \"%s\", \"bucket\": \"%s\", \"first_seen_at\": {\"$lte\": "
		    "{\"$date\": %lld}}}",
		    cid, buckets[b], (long long)cutoff);
		ck_assert_int_eq(r->bucket_accounts[b], db_distinct_users(s, q));
		ck_assert_int_eq(r->bucket_engagements[b], db_count(s, "engagements", q));
	}
	for (int a = 0; a < ACT__COUNT; a++) {
		snprintf(q, sizeof q,
		    "{\"campaign_id\": \"%s\", \"action\": \"%s\", \"first_seen_at\": {\"$lte\": "
		    "{\"$date\": %lld}}}",
		    cid, actions[a], (long long)cutoff);
		ck_assert_int_eq(r->engagements_by_action[a], db_count(s, "engagements", q));
	}
	for (int c = 0; c < CAT__COUNT; c++) {
		ck_assert_int_eq(r->cat[c].m.v[RM_VIEWS], ts->views[c]);
		ck_assert_int_eq(r->cat[c].m.v[RM_LIKES], ts->likes[c]);
		ck_assert_int_eq(r->cat[c].m.v[RM_BOOKMARKS], ts->bookmarks[c]);
		ck_assert_int_eq(r->cat[c].nmissing[RM_VIEWS], ts->no_views[c]);
	}
	/* CPM from the database's views and the campaign's settings */
	double main_paid = (double)ts->views[CAT_MAIN] / 1000.0 * 6.0;
	double infl_paid = (double)ts->views[CAT_INFLUENCER] / 1000.0 * 14.0;
	ck_assert(fabs(r->cpm[CAT_MAIN].paid_equivalent_usd - main_paid) < 1e-6);
	ck_assert(fabs(r->cpm[CAT_INFLUENCER].savings_usd - (infl_paid - 12000.0)) < 1e-6);
	ck_assert(r->cpm[CAT_MAIN].partial == (ts->no_views[CAT_MAIN] > 0));
	ck_assert(!r->cpm[CAT_INVESTOR].has_views && !r->cpm[CAT_INVESTOR].has_paid);
	/* the latest hourly point's cumulative views equal the sum of deltas */
	snprintf(q, sizeof q, "{\"campaign_id\": \"%s\", \"at\": {\"$lte\": {\"$date\": %lld}}}",
	    cid, (long long)cutoff);
	json_t *j = command(s,
	    "{\"aggregate\": \"metric_slices\", \"pipeline\": [{\"$match\": %s}, {\"$group\": "
	    "{\"_id\": null, \"v\": {\"$sum\": \"$deltas.views\"}}}], \"cursor\": {}}",
	    q);
	int64_t views = (int64_t)json_number_value(json_object_get(
	    json_array_get(json_object_get(json_object_get(j, "cursor"), "firstBatch"), 0), "v"));
	json_decref(j);
	ck_assert_uint_gt(r->nhourly, 0);
	ck_assert_int_eq(r->hourly[r->nhourly - 1].cum[RM_VIEWS], views);
}

/* Renders every format of the report of cid into one string. */
static char *
render_all(struct store *s, const char *cid)
{
	struct report r;
	char *cause = NULL;
	ck_assert_msg(closeout_report(s, cid, clock_now_ms(), 20, &r, &cause) == 0, "%s", cause);
	char *md = report_render_md(&r), *js = report_render_json(&r),
	     *html = report_render_html(&r);
	char *all = xasprintf("%s\n%s\n%s", md, js, html);
	for (int t = 0; t < RC__COUNT; t++) {
		char *csv = report_render_csv(&r, (enum report_csv_table)t), *prev = all;
		all = xasprintf("%s\n%s", prev, csv);
		free(prev);
		free(csv);
	}
	free(md);
	free(js);
	free(html);
	report_done(&r);
	return all;
}

/* Runs the close-out in-process with the archive under workdir. */
static void
run_closeout(struct store *s, const char *cid, struct closeout_result *res)
{
	char *cause = NULL;
	char *root = xasprintf("%s/archives", workdir);
	struct closeout_opts o = {.archive_root = root, .write_reports = true};
	ck_assert_msg(closeout_run(s, cid, NULL, &o, res, &cause) == 0, "closeout: %s", cause);
	free(root);
}

START_TEST(test_close_freezes_and_matches_db)
{
	struct store *s = open_db("t_freeze");
	char cid[CAMPAIGN_ID_MAX], *cause = NULL;
	struct report live, fin;
	seed(s, cid);
	/* live report: numbers equal the database's, marked live */
	ck_assert_int_eq(closeout_report(s, cid, T0, 20, &live, &cause), 0);
	ck_assert(!live.final);
	struct tweet_sums ts;
	db_tweet_sums(s, cid, &ts);
	check_against_db(s, cid, &live, INT64_MAX / 2, &ts);
	ck_assert_int_eq(live.engagements, BASE_ENG);
	report_done(&live);

	struct closeout_result res;
	run_closeout(s, cid, &res);
	ck_assert(res.froze && res.archived && !res.already_done);
	struct campaign c;
	ck_assert_int_eq(store_campaign_get(s, cid, &c, &cause), 0);
	ck_assert_int_eq(c.status, CS_COMPLETED);
	ck_assert_int_eq(c.completed_at_ms, T0);
	campaign_done(&c);
	ck_assert_int_eq(closeout_report(s, cid, T0, 20, &fin, &cause), 0);
	ck_assert(fin.final);
	check_against_db(s, cid, &fin, T0, &ts);
	report_done(&fin);
	char *before = render_all(s, cid);
	ck_assert_ptr_nonnull(strstr(before, "Final report"));
	ck_assert_ptr_null(strstr(before, "LIVE, NOT FINAL"));

	/* the archive verifies, its counts match the frozen report */
	char *report = NULL;
	ck_assert_int_eq(archive_verify(res.archive_dir, NULL, &report, &cause), 0);
	free(report);
	ck_assert_int_eq(res.manifest.nfiles, 4);
	ck_assert_int_eq(res.manifest.files[2].documents, BASE_ENG);
	ck_assert_int_eq(res.manifest.files[3].documents, 15);
	ck_assert_int_eq(res.manifest.files[1].documents, 4);
	ck_assert_int_eq(res.manifest.files[0].documents, 1);
	char q[256];
	snprintf(q, sizeof q, "{\"campaign_id\": \"%s\"}", cid);
	ck_assert_int_eq(db_count(s, "archives", q), 1);
	/* the manifest covers the report folder and is signed by this data
	 * directory's key (made here, mode 0600), whose public half the
	 * archives record keeps */
	ck_assert(res.manifest.has_reports);
	ck_assert_int_ge(res.manifest.nreports, 4);
	char *html_name = xasprintf("report/%s.html", cid);
	bool listed = false;
	for (size_t i = 0; i < res.manifest.nreports; i++)
		listed |= strcmp(res.manifest.reports[i].name, html_name) == 0;
	ck_assert_msg(listed, "%s is not in the manifest", html_name);
	free(html_name);
	struct archive_key key;
	char *keypath = archive_key_default_path();
	ck_assert(str_has_prefix(keypath, workdir));
	ck_assert_int_eq(archive_key_load(keypath, false, &key, NULL, &cause), 0);
	struct stat kst;
	ck_assert_int_eq(stat(keypath, &kst), 0);
	ck_assert_int_eq(kst.st_mode & 0777, 0600);
	free(keypath);
	archive_key_wipe(&key);
	ck_assert_str_eq(res.manifest.signing_key, key.public_key);
	snprintf(
	    q, sizeof q, "{\"campaign_id\": \"%s\", \"signing_key\": \"%s\"}", cid, key.public_key);
	ck_assert_int_eq(db_count(s, "archives", q), 1);
	snprintf(q, sizeof q, "{\"campaign_id\": \"%s\"}", cid);

	/* the tweets keep growing; nothing about the report changes */
	fake_now = T0 + 120 * MIN_MS;
	grow(s, cid);
	char *after = render_all(s, cid);
	ck_assert_str_eq(before, after);
	free(after);
	/* archiving deleted nothing */
	ck_assert_int_eq(db_count(s, "engagements", q), BASE_ENG + 10);
	/* a rerun is a no-op */
	run_closeout(s, cid, &res);
	ck_assert(res.already_done && !res.froze && !res.archived);
	ck_assert_int_eq(db_count(s, "archives", q), 1);
	ck_assert_int_eq(store_campaign_get(s, cid, &c, &cause), 0);
	ck_assert_int_eq(c.completed_at_ms, T0);
	campaign_done(&c);
	after = render_all(s, cid);
	ck_assert_str_eq(before, after);
	free(after);
	free(before);

	/* the report files written at close-out, and the real binary */
	char *p = xasprintf("%s/report/%s.html", res.archive_dir, cid);
	char *html = NULL;
	size_t len;
	ck_assert_int_eq(file_read_all(p, &html, &len, &cause), 0);
	const char *why = rep_html_check(html);
	ck_assert_msg(why == NULL, "HTML: %s", why);
	free(html);
	free(p);
	char *uri = xasprintf("MONGODB_URI=%s", db->uri);
	const char *env[] = {uri, "LAUNCHWATCH_DB=t_freeze", NULL};
	char *out = xasprintf("%s/out", workdir);
	const char *args[] = {"report", cid, "--format", "all", "--out", out, NULL};
	struct tu_run run;
	tu_run(&run, env, 30000, args);
	if (run.status == LW_EXIT_USAGE && strstr(run.err, "not available in this build")) {
		/* cmd_report.o is only linked once something references it strongly
		 * (campaign_reopen_cmd from cmd_campaign.c) */
		fprintf(stderr,
		    "test_closeout: %s has no report command linked in; skipping the "
		    "binary checks\n",
		    getenv("LAUNCHWATCH_BIN"));
		tu_run_done(&run);
		free(out);
		free(uri);
		store_free(s);
		return;
	}
	ck_assert_msg(run.status == 0, "report: %s", run.err);
	ck_assert_ptr_nonnull(strstr(run.err, "final report"));
	/* md, json, html, the CSV tables, the engagement table, the engagers'
	 * CSV and JSON and the workbook */
	ck_assert_int_eq(rep_count(run.out, "\n"), 3 + RC__COUNT + 1 + 3);
	tu_run_done(&run);
	/* the final report's engagers (the prepared state stopped at the
	 * close-out): one per unique account of the frozen numbers */
	p = xasprintf("%s/%s.json", out, cid);
	json_error_t jerr;
	json_t *rj = json_load_file(p, 0, &jerr);
	ck_assert_msg(rj != NULL, "%s", jerr.text);
	json_int_t uniq = json_integer_value(json_object_get(rj, "unique_accounts"));
	ck_assert_int_gt(uniq, 0);
	json_decref(rj);
	free(p);
	p = xasprintf("%s/%s-engagers.json", out, cid);
	rj = json_load_file(p, 0, &jerr);
	ck_assert_msg(json_is_array(rj), "%s", jerr.text);
	ck_assert_int_eq((json_int_t)json_array_size(rj), uniq);
	json_decref(rj);
	free(p);
	p = xasprintf("%s/%s.md", out, cid);
	char *md = NULL;
	ck_assert_int_eq(file_read_all(p, &md, &len, &cause), 0);
	ck_assert_ptr_nonnull(strstr(md, "Final report"));
	free(md);
	free(p);
	const char *vargs[] = {"archive", "verify", res.archive_dir, NULL};
	tu_run(&run, env, 30000, vargs);
	ck_assert_msg(run.status == 0, "verify: %s", run.err);
	/* it names the signer, checked against this machine's key */
	ck_assert_ptr_nonnull(strstr(run.out, key.public_key));
	ck_assert_ptr_nonnull(strstr(run.out, "this machine's archive signing key"));
	ck_assert_ptr_nonnull(strstr(run.out, "ok     report/"));
	tu_run_done(&run);
	const char *kargs[] = {"archive", "key", NULL};
	tu_run(&run, env, 30000, kargs);
	ck_assert_msg(run.status == 0, "archive key: %s", run.err);
	ck_assert(str_has_prefix(run.out, key.public_key));
	tu_run_done(&run);
	free(out);
	free(uri);
	store_free(s);
}
END_TEST

/* Copies file src to dst. */
static void
copy_file(const char *src, const char *dst)
{
	char *data = NULL, *cause = NULL;
	size_t len;
	ck_assert_int_eq(file_read_all(src, &data, &len, &cause), 0);
	ck_assert_int_eq(file_write_atomic(dst, data, len, &cause), 0);
	free(data);
}

/* Rewrites a gzip NDJSON file without its first line. */
static void
drop_first_line(const char *path)
{
	char buf[65536];
	gzFile in = gzopen(path, "rb");
	ck_assert_ptr_nonnull(in);
	int n = gzread(in, buf, sizeof buf - 1);
	gzclose(in);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	const char *rest = strchr(buf, '\n') + 1;
	gzFile out = gzopen(path, "wb");
	gzwrite(out, rest, (unsigned)strlen(rest));
	gzclose(out);
}

/* Runs `archive verify dir` plus one optional argument; checks its exit
 * status and that its output holds want. */
static void
verify_cmd(const char *dir, const char *extra, const char *extra2, int status, const char *want)
{
	const char *args[] = {"archive", "verify", dir, extra, extra2, NULL};
	struct tu_run run;
	tu_run(&run, NULL, 30000, args);
	if (run.status == LW_EXIT_USAGE && strstr(run.err, "not available in this build")) {
		fprintf(stderr, "test_closeout: no archive command linked in; skipping\n");
	} else {
		ck_assert_msg(run.status == status, "exit %d, wanted %d: %s%s", run.status, status,
		    run.out, run.err);
		ck_assert_msg(strstr(run.out, want) || strstr(run.err, want), "no '%s' in %s%s",
		    want, run.out, run.err);
	}
	tu_run_done(&run);
}

/* The signed parts of a real close-out's archive: a changed report file, a
 * manifest re-hashed over it (the signature no longer matches), an unsigned
 * archive, and another expected key, each named by `archive verify`. */
static void
tamper_reports_and_manifest(const struct closeout_result *res)
{
	const char *dir = res->archive_dir;
	char *cause = NULL;
	char *html = xasprintf("%s/%s", dir, res->manifest.reports[0].name);
	char *saved = xasprintf("%s/saved-report", workdir);
	char *msaved = xasprintf("%s/saved-manifest", workdir);
	char *mpath = xasprintf("%s/%s", dir, ARCHIVE_MANIFEST);
	char *spath = xasprintf("%s/%s", dir, ARCHIVE_SIGNATURE);
	char *want = xasprintf("FAILED %s: sha256 ", res->manifest.reports[0].name);
	copy_file(html, saved);
	copy_file(mpath, msaved);
	/* (b) a changed report file */
	FILE *f = fopen(html, "a");
	ck_assert_ptr_nonnull(f);
	fputs("changed\n", f);
	fclose(f);
	verify_cmd(dir, NULL, NULL, 1, want);
	/* (c) the manifest re-hashed over it: the hashes agree, the signature not */
	struct archive_manifest m;
	ck_assert_int_eq(archive_read_manifest(dir, &m, &cause), 0);
	ck_assert_int_eq(archive_hash_reports(dir, &m, &cause), 0);
	ck_assert_int_eq(archive_write_manifest(dir, &m, &cause), 0);
	verify_cmd(dir, NULL, NULL, 1, "FAILED manifest.json: the signature by ed25519:");
	copy_file(saved, html);
	copy_file(msaved, mpath);
	verify_cmd(dir, NULL, NULL, 0, "signature good");
	/* another expected key */
	verify_cmd(dir, "--key",
	    "ed25519:0000000000000000000000000000000000000000000000000000000000000000", 1,
	    "not by ed25519:0000");
	verify_cmd(dir, "--key", res->manifest.signing_key, 0, "the key given by --key");
	/* an unsigned (older) archive */
	copy_file(spath, saved);
	ck_assert_int_eq(unlink(spath), 0);
	verify_cmd(dir, NULL, NULL, 1, "FAILED manifest.json: UNSIGNED");
	verify_cmd(dir, "--allow-unsigned", NULL, 0, "accepted by --allow-unsigned");
	copy_file(saved, spath);
	free(want);
	free(spath);
	free(mpath);
	free(msaved);
	free(saved);
	free(html);
}

START_TEST(test_archive_verify_names_tampered_file)
{
	struct store *s = open_db("t_tamper");
	char cid[CAMPAIGN_ID_MAX], *report = NULL, *cause = NULL;
	struct closeout_result res;
	seed(s, cid);
	run_closeout(s, cid, &res);
	ck_assert_int_eq(archive_verify(res.archive_dir, NULL, &report, &cause), 0);
	free(report);
	for (size_t i = 0; i < res.manifest.nfiles; i++) {
		const char *name = res.manifest.files[i].name;
		char *path = xasprintf("%s/%s", res.archive_dir, name);
		char *saved = xasprintf("%s/saved", workdir);
		copy_file(path, saved);
		/* one changed byte in the middle */
		int fd = open(path, O_RDWR);
		off_t size = lseek(fd, 0, SEEK_END);
		unsigned char byte;
		ck_assert_int_eq(pread(fd, &byte, 1, size / 2), 1);
		byte ^= 0x20;
		ck_assert_int_eq(pwrite(fd, &byte, 1, size / 2), 1);
		close(fd);
		ck_assert_int_eq(archive_verify(res.archive_dir, NULL, &report, &cause), 1);
		char *want = xasprintf("FAILED %s:", name);
		ck_assert_msg(strstr(report, want) != NULL, "%s", report);
		ck_assert_int_eq(rep_count(report, "FAILED"), 1);
		free(report);
		copy_file(saved, path);
		ck_assert_int_eq(archive_verify(res.archive_dir, NULL, &report, &cause), 0);
		free(report);
		/* one removed line (decompressed, edited, recompressed) */
		drop_first_line(path);
		ck_assert_int_eq(archive_verify(res.archive_dir, NULL, &report, &cause), 1);
		ck_assert_msg(strstr(report, want) != NULL, "%s", report);
		char *count = xasprintf("%lld documents, the manifest says %lld",
		    (long long)res.manifest.files[i].documents - 1,
		    (long long)res.manifest.files[i].documents);
		ck_assert_msg(strstr(report, count) != NULL, "%s", report);
		free(count);
		free(report);
		if (i == 2) { /* the command names it too and fails */
			char *uri = xasprintf("MONGODB_URI=%s", db->uri);
			const char *env[] = {uri, NULL};
			const char *args[] = {"archive", "verify", res.archive_dir, NULL};
			struct tu_run run;
			tu_run(&run, env, 30000, args);
			if (run.status == LW_EXIT_USAGE &&
			    strstr(run.err, "not available in this build"))
				fprintf(stderr,
				    "test_closeout: no archive command linked in; skipping\n");
			else
				ck_assert_msg(run.status == 1 && strstr(run.err, want), "%d %s",
				    run.status, run.err);
			tu_run_done(&run);
			free(uri);
		}
		copy_file(saved, path);
		free(want);
		free(saved);
		free(path);
	}
	ck_assert_int_eq(archive_verify(res.archive_dir, NULL, &report, &cause), 0);
	free(report);
	tamper_reports_and_manifest(&res);
	/* a missing manifest is an error, not a pass */
	ck_assert_int_eq(archive_verify(workdir, NULL, &report, &cause), -1);
	free(cause);
	store_free(s);
}
END_TEST

struct kill_at {
	enum closeout_step step;
	const char *detail; /* NULL: any */
};

/* Step hook of the child: dies by SIGKILL at the chosen step. */
static int
kill_hook(enum closeout_step step, const char *detail, void *arg)
{
	const struct kill_at *k = arg;
	if (step == k->step && (k->detail == NULL || (detail && strcmp(detail, k->detail) == 0)))
		raise(SIGKILL);
	return 0;
}

/* Final refresh stand-in: counts calls in a file so the test sees how often
 * the ingest engine's hook would run. */
static int
refresh_hook(
    struct store *s, const struct campaign *c, void *arg, struct rep_refresh *out, char **cause)
{
	(void)s;
	(void)c;
	(void)cause;
	(void)arg;
	out->ran = true;
	out->complete = true;
	char *p = xasprintf("%s/refreshes", workdir);
	FILE *f = fopen(p, "a");
	if (f) {
		fputs("x\n", f);
		fclose(f);
	}
	free(p);
	return 0;
}

START_TEST(test_kill_at_each_step_then_rerun)
{
	static const struct kill_at points[] = {{CO_REFRESHED, NULL}, {CO_BUILT, NULL},
	    {CO_FROZEN, NULL}, {CO_ARCHIVE_FILE, "tweets.ndjson.gz"}, {CO_MANIFEST, NULL},
	    {CO_RECORDED, NULL}, {CO_REPORTS, NULL}, {CO_DONE, NULL}};
	const struct kill_at *k = &points[_i];
	char dbname[32], cid[CAMPAIGN_ID_MAX], *cause = NULL;
	snprintf(dbname, sizeof dbname, "t_kill_%d", _i);
	struct store *s = open_db(dbname);
	seed(s, cid);
	char *root = xasprintf("%s/archives", workdir);
	struct closeout_opts o = {.archive_root = root, .write_reports = true};
	fake_now = T0;
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct store *cs = NULL;
		struct closeout_result r;
		struct closeout_hooks h = {
		    .final_refresh = refresh_hook, .step = kill_hook, .arg = (void *)k};
		if (store_open(db->uri, dbname, &cs, &cause) != 0)
			_exit(2);
		closeout_run(cs, cid, &h, &o, &r, &cause);
		_exit(3); /* never reached: the hook kills first */
	}
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "child status %d", st);
	bool frozen_by_child = k->step >= CO_FROZEN;

	/* the campaign keeps growing while nobody runs the job */
	struct tweet_sums pre, post;
	db_tweet_sums(s, cid, &pre);
	fake_now = T0 + 120 * MIN_MS;
	grow(s, cid);
	db_tweet_sums(s, cid, &post);
	struct closeout_result res;
	struct closeout_hooks h = {.final_refresh = refresh_hook};
	ck_assert_msg(closeout_run(s, cid, &h, &o, &res, &cause) == 0, "rerun: %s", cause);
	ck_assert(res.froze == !frozen_by_child);
	ck_assert(!res.already_done || k->step == CO_DONE);
	int64_t cutoff = frozen_by_child ? T0 : T0 + 120 * MIN_MS;

	struct campaign c;
	ck_assert_int_eq(store_campaign_get(s, cid, &c, &cause), 0);
	ck_assert_int_eq(c.status, CS_COMPLETED);
	ck_assert_int_eq(c.completed_at_ms, cutoff);
	campaign_done(&c);
	struct report r;
	ck_assert_int_eq(closeout_report(s, cid, fake_now, 20, &r, &cause), 0);
	ck_assert(r.final);
	ck_assert_int_eq(r.generated_at_ms, cutoff);
	ck_assert_int_eq(r.engagements, frozen_by_child ? BASE_ENG : BASE_ENG + 10);
	check_against_db(s, cid, &r, cutoff, frozen_by_child ? &pre : &post);
	report_done(&r);

	/* exactly one archive, verified, with the frozen counts */
	char q[128], *report = NULL;
	snprintf(q, sizeof q, "{\"campaign_id\": \"%s\"}", cid);
	ck_assert_int_eq(db_count(s, "archives", q), 1);
	struct store_closeout sc;
	ck_assert_int_eq(store_closeout_get(s, cid, &sc, &cause), 0);
	ck_assert(sc.archived);
	ck_assert_int_eq(archive_verify(sc.archive_dir, NULL, &report, &cause), 0);
	free(report);
	struct archive_manifest m;
	ck_assert_int_eq(archive_read_manifest(sc.archive_dir, &m, &cause), 0);
	ck_assert_int_eq(m.cutoff_ms, cutoff);
	ck_assert_int_eq(m.files[2].documents, frozen_by_child ? BASE_ENG : BASE_ENG + 10);
	/* one archive directory, no temporary files left behind */
	char *ls = xasprintf("ls -A %s | wc -l; ls -A %s | grep -c tmp", root, sc.archive_dir);
	FILE *pf = popen(ls, "r");
	int ndirs = -1, ntmp = -1;
	ck_assert_int_eq(fscanf(pf, "%d %d", &ndirs, &ntmp), 2);
	pclose(pf);
	free(ls);
	ck_assert_int_eq(ndirs, 1);
	ck_assert_int_eq(ntmp, 0);
	store_closeout_done(&sc);

	/* the final refresh ran in the child, and again only if it had not frozen */
	char *p = xasprintf("%s/refreshes", workdir), *text = NULL;
	size_t len;
	ck_assert_int_eq(file_read_all(p, &text, &len, &cause), 0);
	ck_assert_int_eq(rep_count(text, "x"), frozen_by_child ? 1 : 2);
	free(text);
	unlink(p);
	free(p);

	/* and a third run changes nothing */
	ck_assert_int_eq(closeout_run(s, cid, &h, &o, &res, &cause), 0);
	ck_assert(res.already_done);
	ck_assert_int_eq(db_count(s, "archives", q), 1);
	tu_rmtree(root);
	free(root);
	store_free(s);
}
END_TEST

/* Step hook that fails right after the freeze. */
static int
fail_after_frozen(enum closeout_step st, const char *d, void *a)
{
	(void)d;
	(void)a;
	return st == CO_FROZEN;
}

START_TEST(test_injected_failure_then_rerun)
{
	/* a failing step (not a kill) leaves the job resumable too */
	struct store *s = open_db("t_inject");
	char cid[CAMPAIGN_ID_MAX], *cause = NULL;
	seed(s, cid);
	char *root = xasprintf("%s/archives", workdir);
	struct closeout_opts o = {.archive_root = root};
	struct closeout_hooks h = {.step = NULL};
	struct closeout_result res;
	h.step = fail_after_frozen;
	ck_assert_int_eq(closeout_run(s, cid, &h, &o, &res, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "frozen"));
	free(cause);
	cause = NULL;
	struct store_closeout sc;
	ck_assert_int_eq(store_closeout_get(s, cid, &sc, &cause), 0);
	ck_assert_int_eq(sc.status, CS_COMPLETED);
	ck_assert(!sc.archived);
	store_closeout_done(&sc);
	ck_assert_int_eq(closeout_run(s, cid, NULL, &o, &res, &cause), 0);
	ck_assert(!res.froze && res.archived);
	ck_assert_int_eq(store_closeout_get(s, cid, &sc, &cause), 0);
	ck_assert(sc.archived);
	store_closeout_done(&sc);
	free(root);
	store_free(s);
}
END_TEST

START_TEST(test_reopen_confirms_and_records)
{
	struct store *s = open_db("t_reopen");
	char cid[CAMPAIGN_ID_MAX], *cause = NULL, q[128];
	struct closeout_result res;
	seed(s, cid);
	run_closeout(s, cid, &res);
	setenv("MONGODB_URI", db->uri, 1);
	setenv("LAUNCHWATCH_DB", "t_reopen", 1);
	char c0[] = "campaign", a0[] = "reopen", a2[] = "--yes", a3[] = "--note",
	     a4[] = "client asked";
	char *argv_noyes[] = {c0, a0, cid, NULL};
	if (!isatty(0)) {
		ck_assert_int_eq(cmd_campaign(3, argv_noyes), LW_EXIT_USAGE);
		struct campaign c;
		ck_assert_int_eq(store_campaign_get(s, cid, &c, &cause), 0);
		ck_assert_int_eq(c.status, CS_COMPLETED);
		campaign_done(&c);
	}
	char *argv_yes[] = {c0, a0, cid, a2, a3, a4, NULL};
	ck_assert_int_eq(cmd_campaign(6, argv_yes), LW_EXIT_OK);
	struct store_closeout sc;
	ck_assert_int_eq(store_closeout_get(s, cid, &sc, &cause), 0);
	ck_assert_int_eq(sc.status, CS_ACTIVE);
	ck_assert_ptr_null(sc.frozen_json);
	ck_assert_int_eq(sc.reopens, 1);
	store_closeout_done(&sc);
	/* reopening a campaign that is not completed is refused */
	ck_assert_int_eq(cmd_campaign(6, argv_yes), LW_EXIT_ERROR);
	struct report r;
	ck_assert_int_eq(closeout_report(s, cid, fake_now, 20, &r, &cause), 0);
	ck_assert(!r.final);
	report_done(&r);
	/* closing again freezes anew into a second archive */
	fake_now = T0 + 180 * MIN_MS;
	grow(s, cid);
	run_closeout(s, cid, &res);
	ck_assert(res.froze && res.archived);
	snprintf(q, sizeof q, "{\"campaign_id\": \"%s\"}", cid);
	ck_assert_int_eq(db_count(s, "archives", q), 2);
	ck_assert_int_eq(closeout_report(s, cid, fake_now, 20, &r, &cause), 0);
	ck_assert(r.final);
	ck_assert_int_eq(r.engagements, BASE_ENG + 10);
	report_done(&r);
	unsetenv("MONGODB_URI");
	unsetenv("LAUNCHWATCH_DB");
	store_free(s);
}
END_TEST

/* Returns true when the PNG at path has at least two different pixel bytes
 * (inflates its IDAT chunks). */
static bool
png_not_blank(const char *path)
{
	char *data = NULL, *cause = NULL;
	size_t len;
	if (file_read_all(path, &data, &len, &cause) != 0 || len < 8) {
		free(cause);
		free(data);
		return false;
	}
	struct sbuf idat;
	sbuf_init(&idat);
	for (size_t off = 8; off + 12 <= len;) {
		const unsigned char *p = (const unsigned char *)data + off;
		uint32_t n =
		    (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
		if (off + 12 + n > len)
			break;
		if (memcmp(p + 4, "IDAT", 4) == 0)
			sbuf_add(&idat, p + 8, n);
		off += 12 + n;
	}
	size_t cap = 64u << 20;
	unsigned char *raw = xmalloc(cap);
	uLongf rawlen = cap;
	bool varied = false;
	if (idat.len && uncompress(raw, &rawlen, (const Bytef *)idat.s, idat.len) == Z_OK)
		for (uLongf i = 1; i < rawlen && !varied; i++)
			varied = raw[i] != raw[1] && raw[i] != 0 && raw[1] != 0;
	free(raw);
	sbuf_done(&idat);
	free(data);
	return varied;
}

START_TEST(test_html_renders_in_chromium)
{
	if (access("/usr/bin/chromium", X_OK) != 0) {
		fprintf(stderr, "test_closeout: /usr/bin/chromium not installed; skipping the "
		                "headless render check of the HTML report\n");
		return;
	}
	struct store *s = open_db("t_chromium");
	char cid[CAMPAIGN_ID_MAX];
	struct closeout_result res;
	seed(s, cid);
	run_closeout(s, cid, &res);
	char *html = xasprintf("%s/report/%s.html", res.archive_dir, cid);
	char *png = xasprintf("%s/shot.png", workdir);
	char *cmd = xasprintf("/usr/bin/chromium --headless --disable-gpu --no-sandbox "
	                      "--screenshot=%s --window-size=1000,1400 file://%s >/dev/null 2>&1",
	    png, html);
	int rc = system(cmd);
	ck_assert_msg(rc == 0, "chromium failed: %d", rc);
	ck_assert_msg(png_not_blank(png), "the rendered PNG is blank");
	free(cmd);
	free(png);
	free(html);
	store_free(s);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("closeout");
	TCase *tc = tcase_create("closeout");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_close_freezes_and_matches_db);
	tcase_add_test(tc, test_archive_verify_names_tampered_file);
	tcase_add_loop_test(tc, test_kill_at_each_step_then_rerun, 0, 8);
	tcase_add_test(tc, test_injected_failure_then_rerun);
	tcase_add_test(tc, test_reopen_confirms_and_records);
	tcase_add_test(tc, test_html_renders_in_chromium);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
