/*
 * Integration tests of the store and the campaign commands against a real
 * database server (a devdb, FerretDB over the MongoDB wire protocol, or the
 * server testutil.h's backend names) started here on a free port, and the
 * real launchwatch binary.
 */
#include <check.h>
#include <mongoc/mongoc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <fcntl.h>
#include <locale.h>
#include <unistd.h>

#include "model/campaign.h"
#include "config/config.h"
#include "console/draw.h"
#include "store/store.h"
#include "store/store_ingest.h"
#include "testutil.h"
#include "base/util.h"

static struct tu_devdb *db;
static char *workdir;

static void
setup(void)
{
	db = tu_devdb_start(NULL, 0);
	workdir = tu_tempdir();
}

static void
teardown(void)
{
	tu_devdb_free(db);
	tu_rmtree(workdir);
	free(workdir);
}

static const char *const good_yaml =
    "campaigns:\n"
    "  - name: Acme L2 mainnet launch\n"
    "    client: {name: Acme Labs, contact: ops@acme.example}\n"
    "    window: {start: 2026-12-01T14:00:00Z, duration: 7d}\n"
    "    tweets:\n"
    "      main: [https://x.com/acme/status/1861111111111111111]\n"
    "      influencer: [https://twitter.com/kol/status/1861111111111111112?s=20]\n"
    "      investor: [1861111111111111113]\n"
    "    alerts:\n"
    "      slack_webhook: env:SLACK_WEBHOOK_URL\n"
    "      min_sentiment: -0.4\n"
    "  - name: Second launch\n"
    "    window: {start: 2026-11-01T00:00:00Z, end: 2027-01-01T00:00:00Z}\n"
    "    tweets: {main: [1861111111111111199]}\n";

/* Opens the store on the test devdb with a database of its own. */
static struct store *
open_db(const char *dbname)
{
	struct store *s = NULL;
	char *cause = NULL;
	int rc = store_open(db->uri, dbname, &s, &cause);
	ck_assert_msg(rc == 0, "store_open: %s", cause ? cause : "");
	return s;
}

static int64_t
count(struct store *s, const char *coll)
{
	char *cause = NULL;
	int64_t n = store_count(s, coll, NULL, &cause);
	ck_assert_msg(n >= 0, "count %s: %s", coll, cause ? cause : "");
	return n;
}

START_TEST(test_schema_created)
{
	struct store *s = open_db("t_schema");
	static const char *const want[][2] = {{"campaigns", "name_unique"},
	    {"tweets", "campaign_tweet"}, {"engagements", "campaign_seen"},
	    {"engagements", "campaign_user"}, {"metric_slices", "campaign_at"},
	    {"worker_state", "campaign_due"}, {"alerts_sent", "campaign_sent"},
	    {"archives", "campaign"}};
	for (size_t i = 0; i < LW_ARRAY_LEN(want); i++) {
		char **names = NULL, *cause = NULL;
		ck_assert_msg(store_index_names(s, want[i][0], &names, &cause) == 0, "%s", cause);
		int found = 0;
		for (char **n = names; *n; n++) {
			found |= strcmp(*n, want[i][1]) == 0;
			free(*n);
		}
		free(names);
		ck_assert_msg(found, "index %s on %s missing", want[i][1], want[i][0]);
	}
	/* opening again is idempotent */
	struct store *s2 = open_db("t_schema");
	store_free(s2);
	store_free(s);
}
END_TEST

/* Returns true when listCollections says the worker_log of dbname is capped. */
static bool
log_capped(const char *dbname)
{
	bson_error_t err;
	bool capped = false;
	mongoc_client_t *c = mongoc_client_new(db->uri);
	mongoc_database_t *d = mongoc_client_get_database(c, dbname);
	/* no filter: mongo-java-server 1.47 ignores listCollections' */
	mongoc_cursor_t *cur = mongoc_database_find_collections_with_opts(d, NULL);
	const bson_t *doc;
	bson_iter_t it, v;
	int n = 0;
	while (mongoc_cursor_next(cur, &doc)) {
		if (!bson_iter_init_find(&it, doc, "name") || !BSON_ITER_HOLDS_UTF8(&it) ||
		    strcmp(bson_iter_utf8(&it, NULL), "worker_log") != 0)
			continue;
		n++;
		capped = bson_iter_init(&it, doc) &&
		         bson_iter_find_descendant(&it, "options.capped", &v) &&
		         BSON_ITER_HOLDS_BOOL(&v) && bson_iter_bool(&v);
	}
	ck_assert_msg(!mongoc_cursor_error(cur, &err), "listCollections: %s", err.message);
	ck_assert_int_eq(n, 1);
	mongoc_cursor_destroy(cur);
	mongoc_database_destroy(d);
	mongoc_client_destroy(c);
	return capped;
}

/* The worker_log is capped where the server can (MongoDB, FerretDB); on
 * mongo-java-server, which cannot, it is a plain collection kept to its
 * newest lines. */
START_TEST(test_worker_log_bounded)
{
	struct store *s = open_db("t_log");
	char *cause = NULL;
	const char *kind = store_server_kind(s);
	if (tu_backend() == TU_MONGO_JAVA)
		ck_assert_str_eq(kind, "mongo-java-server");
	bool cappable = strcmp(kind, "mongo-java-server") != 0;
	ck_assert_int_eq(log_capped("t_log"), cappable);
	for (int i = 0; i < 30; i++) {
		char msg[32];
		snprintf(msg, sizeof msg, "line %d", i);
		ck_assert_msg(
		    sti_log(s, "o", NULL, "info", msg, 1765000000000LL + i * 10, &cause) == 0, "%s",
		    cause);
	}
	ck_assert_msg(sti_log_trim(s, 10, &cause) == 0, "%s", cause);
	/* trimmed to the newest ten, or left to the capped collection */
	ck_assert_int_eq(count(s, "worker_log"), cappable ? 30 : 10);
	printf("test_worker_log_bounded on %s: worker_log %s\n", kind,
	    cappable ? "capped" : "plain, trimmed");
	store_free(s);
}
END_TEST

START_TEST(test_upsert_idempotent_and_update)
{
	struct cfg_file *f = NULL;
	char *cause = NULL;
	struct store_upsert_result r1, r2;
	ck_assert_msg(config_load_string("t.yaml", good_yaml, strlen(good_yaml), &f, &cause) == 0,
	    "%s", cause);
	struct store *s = open_db("t_upsert");
	int64_t now = 1764500000000; /* 2025-11-30, before the windows */
	ck_assert_int_eq(store_campaign_upsert(s, &f->campaigns[0], now, &r1, &cause), 0);
	ck_assert(r1.created && r1.changed);
	ck_assert_uint_eq(r1.tweets_added, 3);
	ck_assert_int_eq(store_campaign_upsert(s, &f->campaigns[0], now + 5000, &r2, &cause), 0);
	ck_assert(!r2.created && !r2.changed);
	ck_assert_str_eq(r1.id, r2.id);
	ck_assert_int_eq(count(s, "campaigns"), 1);
	ck_assert_int_eq(count(s, "tweets"), 3);
	ck_assert_int_eq(count(s, "worker_state"), 12);

	struct campaign c;
	ck_assert_int_eq(store_campaign_get(s, r1.id, &c, &cause), 0);
	ck_assert_str_eq(c.cfg.name, "Acme L2 mainnet launch");
	ck_assert_int_eq(c.status, CS_SCHEDULED);
	ck_assert_int_eq(c.updated_at_ms, now); /* the unchanged re-add wrote nothing */
	ck_assert_uint_eq(c.cfg.ntweets, 3);
	ck_assert_str_eq(c.cfg.tweets[1].id, "1861111111111111112");
	ck_assert_int_eq(c.cfg.tweets[1].category, CAT_INFLUENCER);
	ck_assert_str_eq(c.cfg.alerts.slack_webhook_ref, "env:SLACK_WEBHOOK_URL");
	ck_assert(c.cfg.alerts.has_min_sentiment);
	ck_assert_double_eq(c.cfg.alerts.min_sentiment, -0.4);
	ck_assert_int_eq(c.cfg.end_s - c.cfg.start_s, 7 * 86400);
	campaign_done(&c);
	/* lookup by exact name works too */
	ck_assert_int_eq(store_campaign_get(s, "Acme L2 mainnet launch", &c, &cause), 0);
	campaign_done(&c);
	ck_assert_int_eq(store_campaign_get(s, "nope", &c, &cause), 1);

	/* pause, then change the settings: status and created_at survive */
	ck_assert_int_eq(store_campaign_set_status(s, r1.id, CS_PAUSED, now + 6000, &cause), 0);
	struct cfg_campaign *k = &f->campaigns[0];
	k->tweets[2].category = CAT_MAIN;
	k->ntweets = 2; /* drop the third... */
	ck_assert_int_eq(store_campaign_upsert(s, k, now + 7000, &r2, &cause), 0);
	ck_assert(!r2.created && r2.changed);
	ck_assert_uint_eq(r2.tweets_dropped, 1);
	ck_assert_int_eq(count(s, "tweets"), 3); /* data of dropped tweets is kept */
	ck_assert_int_eq(store_campaign_get(s, r1.id, &c, &cause), 0);
	ck_assert_int_eq(c.status, CS_PAUSED);
	ck_assert_int_eq(c.created_at_ms, now);
	ck_assert_uint_eq(c.cfg.ntweets, 2);
	campaign_done(&c);
	k->ntweets = 3;

	struct campaign *all = NULL;
	size_t n = 0;
	ck_assert_int_eq(store_campaign_upsert(s, &f->campaigns[1], now, &r2, &cause), 0);
	ck_assert_int_eq(store_campaign_list(s, &all, &n, &cause), 0);
	ck_assert_uint_eq(n, 2);
	for (size_t i = 0; i < n; i++) {
		/* the first keeps its threshold, the second has none */
		ck_assert(all[i].cfg.alerts.has_min_sentiment ==
		          (strcmp(all[i].cfg.name, "Acme L2 mainnet launch") == 0));
		campaign_done(&all[i]);
	}
	free(all);
	store_free(s);
	config_free(f);
	free(cause);
}
END_TEST

START_TEST(test_upsert_many_tweets_twice)
{
	/* 40 tweets make 160 checkpoint upserts; replaying them over stored
	 * documents wedged FerretDB v1 before writes went out 25 at a time */
	struct sbuf y;
	struct cfg_file *f = NULL;
	char *cause = NULL;
	struct store_upsert_result r;
	sbuf_init(&y);
	sbuf_addstr(&y, "campaigns:\n  - name: Big launch\n"
	                "    window: {start: 2026-12-01T14:00:00Z, duration: 1d}\n"
	                "    tweets:\n      influencer:\n");
	for (int i = 0; i < 40; i++)
		sbuf_printf(&y, "        - %lld\n", 1861111111111110000LL + i);
	ck_assert_msg(config_load_string("big.yaml", y.s, y.len, &f, &cause) == 0, "%s", cause);
	sbuf_done(&y);
	struct store *s = open_db("t_big");
	for (int round = 0; round < 2; round++) {
		f->campaigns[0].cadence.metrics += round; /* the second add is an update */
		ck_assert_msg(
		    store_campaign_upsert(s, &f->campaigns[0], 1764500000000, &r, &cause) == 0,
		    "%s", cause);
	}
	ck_assert(!r.created && r.changed);
	ck_assert_int_eq(count(s, "tweets"), 40);
	ck_assert_int_eq(count(s, "worker_state"), 160);
	store_free(s);
	config_free(f);
}
END_TEST

START_TEST(test_unreachable_fails_fast)
{
	struct store *s = NULL;
	char *cause = NULL;
	int64_t t0 = clock_now_ms();
	int rc = store_open("mongodb://127.0.0.1:1/", "x", &s, &cause);
	int64_t ms = clock_now_ms() - t0;
	ck_assert_int_eq(rc, -1);
	ck_assert_ptr_null(s);
	ck_assert_msg(
	    strstr(cause, "cannot reach the database at 127.0.0.1:1/x") != NULL, "%s", cause);
	ck_assert_msg(ms < 5000, "took %lld ms", (long long)ms);
	free(cause);
	cause = NULL;
	/* credentials never appear in messages */
	rc = store_open("mongodb://bob:hunter2@127.0.0.1:1/", "x", &s, &cause);
	ck_assert_int_eq(rc, -1);
	ck_assert_ptr_null(strstr(cause, "hunter2"));
	free(cause);
}
END_TEST

START_TEST(test_reconnect_after_restart)
{
	if (!tu_backend_can_restart("test_reconnect_after_restart"))
		return;
	struct store *s = open_db("t_reconnect");
	char *cause = NULL;
	int port = db->port;
	ck_assert_int_eq(count(s, "campaigns"), 0);
	tu_devdb_stop(db);
	ck_assert_int_eq(store_ping(s, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "cannot reach the database"));
	/* the same server comes back on the same port and directory */
	char *dir = xstrdup(db->dir);
	free(db->uri);
	struct tu_devdb *again = tu_devdb_start(dir, port);
	free(dir);
	ck_assert_int_eq(store_ping(s, &cause), 0);
	ck_assert_int_eq(count(s, "campaigns"), 0);
	store_free(s);
	free(cause);
	/* hand the new process to teardown */
	free(db->dir);
	free(db);
	db = again;
}
END_TEST

/* ---- the real binary ------------------------------------------------- */

/* Runs launchwatch with MONGODB_URI set to the test devdb and LAUNCHWATCH_DB. */
static void
run_lw(struct tu_run *r, const char *dbname, const char *const *args)
{
	char *uri = xasprintf("MONGODB_URI=%s", db->uri);
	char *dbn = xasprintf("LAUNCHWATCH_DB=%s", dbname);
	const char *env[] = {uri, dbn, NULL};
	tu_run(r, env, 30000, args);
	free(uri);
	free(dbn);
}

START_TEST(test_cli_add_twice_list_show)
{
	struct tu_run r1, r2, r;
	char *path = tu_write_file(workdir, "c.yaml", good_yaml);
	const char *add[] = {"campaign", "add", path, NULL};
	run_lw(&r1, "t_cli", add);
	ck_assert_msg(r1.status == 0, "status %d: %s", r1.status, r1.err);
	char id1[CAMPAIGN_ID_MAX], id2[CAMPAIGN_ID_MAX];
	campaign_make_id("Acme L2 mainnet launch", id1);
	campaign_make_id("Second launch", id2);
	char *want = xasprintf("%s\tAcme L2 mainnet launch\n%s\tSecond launch\n", id1, id2);
	ck_assert_str_eq(r1.out, want);
	run_lw(&r2, "t_cli", add);
	ck_assert_int_eq(r2.status, 0);
	ck_assert_str_eq(r2.out, want);
	ck_assert_ptr_nonnull(strstr(r2.err, "unchanged"));

	struct store *s = open_db("t_cli");
	ck_assert_int_eq(count(s, "campaigns"), 2);
	ck_assert_int_eq(count(s, "tweets"), 4);
	ck_assert_int_eq(count(s, "worker_state"), 16);
	store_free(s);

	const char *list[] = {"campaign", "list", NULL};
	run_lw(&r, "t_cli", list);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, id1));
	ck_assert_ptr_nonnull(strstr(r.out, "Acme Labs"));
	ck_assert_ptr_nonnull(strstr(r.out, "1/1/1"));
	tu_run_done(&r);

	const char *show[] = {"campaign", "show", id1, NULL};
	run_lw(&r, "t_cli", show);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "env:SLACK_WEBHOOK_URL"));
	ck_assert_ptr_nonnull(strstr(r.out, "2026-12-08T14:00:00Z"));
	ck_assert_ptr_nonnull(strstr(r.out, "1861111111111111113"));
	tu_run_done(&r);

	const char *pause[] = {"campaign", "pause", id1, NULL};
	run_lw(&r, "t_cli", pause);
	ck_assert_int_eq(r.status, 0);
	tu_run_done(&r);
	run_lw(&r, "t_cli", show);
	ck_assert_ptr_nonnull(strstr(r.out, "paused"));
	tu_run_done(&r);
	const char *resume[] = {"campaign", "resume", "Acme L2 mainnet launch", NULL};
	run_lw(&r, "t_cli", resume);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "resumed"));
	tu_run_done(&r);
	const char *closec[] = {"campaign", "close", id2, NULL};
	run_lw(&r, "t_cli", closec);
	ck_assert_int_eq(r.status, 0);
	tu_run_done(&r);
	const char *show2[] = {"campaign", "show", id2, NULL};
	run_lw(&r, "t_cli", show2);
	ck_assert_ptr_nonnull(strstr(r.out, "close requested at"));
	tu_run_done(&r);
	const char *missing[] = {"campaign", "show", "no-such-campaign", NULL};
	run_lw(&r, "t_cli", missing);
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "no campaign with id or name 'no-such-campaign'"));
	tu_run_done(&r);

	free(want);
	free(path);
	tu_run_done(&r1);
	tu_run_done(&r2);
}
END_TEST

/* `campaign list` pads names by display width: a row with wide characters
 * and an emoji keeps the columns of the header. */
START_TEST(test_cli_list_wide_names)
{
	static const char *const yaml =
	    "campaigns:\n"
	    "  - name: \"発表会 ローンチ・キャンペーン 二〇二六年 東京 🚀 night\"\n"
	    "    client: {name: 株式会社テスト商事ホールディングス}\n"
	    "    window: {start: 2026-12-01T14:00:00Z, duration: 7d}\n"
	    "    tweets: {main: [1861111111111111111]}\n";
	struct tu_run r;
	char *path = tu_write_file(workdir, "w.yaml", yaml);
	char *uri = xasprintf("MONGODB_URI=%s", db->uri);
	const char *env[] = {uri, "LAUNCHWATCH_DB=t_wide", "LC_ALL=C.UTF-8", NULL};
	const char *add[] = {"campaign", "add", path, NULL};
	tu_run(&r, env, 30000, add);
	ck_assert_msg(r.status == 0, "%s", r.err);
	tu_run_done(&r);
	const char *list[] = {"campaign", "list", NULL};
	tu_run(&r, env, 30000, list);
	ck_assert_int_eq(r.status, 0);
	ck_assert(setlocale(LC_ALL, "C.UTF-8") != NULL);
	char *row = strchr(r.out, '\n');
	ck_assert_ptr_nonnull(row);
	*row++ = '\0';
	const char *hw = strstr(r.out, "WINDOW (UTC)"), *rw = strstr(row, "2026-12-01T14:00");
	ck_assert_ptr_nonnull(hw);
	ck_assert_ptr_nonnull(rw);
	char *prefix = xstrndup(row, (size_t)(rw - row));
	ck_assert_int_eq(draw_text_width(prefix), (int)(hw - r.out));
	ck_assert_ptr_nonnull(strstr(row, "~")); /* the long name was cut */
	free(prefix);
	tu_run_done(&r);
	free(uri);
	free(path);
}
END_TEST

START_TEST(test_cli_broken_file_writes_nothing)
{
	struct tu_run r;
	char *good = tu_write_file(workdir, "good.yaml", good_yaml);
	const char *add[] = {"campaign", "add", good, NULL};
	run_lw(&r, "t_broken", add);
	ck_assert_int_eq(r.status, 0);
	tu_run_done(&r);
	struct store *s = open_db("t_broken");
	int64_t before[3] = {count(s, "campaigns"), count(s, "tweets"), count(s, "worker_state")};

	/* a valid new campaign followed by a broken one: neither is written */
	char *bad = tu_write_file(workdir, "bad.yaml",
	    "campaigns:\n"
	    "  - name: Fine one\n"
	    "    window: {start: 2026-12-01T14:00:00Z, duration: 1d}\n"
	    "    tweets: {main: [1861111111111111300]}\n"
	    "  - name: Broken one\n"
	    "    window: {start: 2026-12-01T14:00:00Z, duration: 1d}\n"
	    "    tweets: {main: [https://example.com/a/status/1]}\n");
	const char *addbad[] = {"campaign", "add", bad, NULL};
	run_lw(&r, "t_broken", addbad);
	ck_assert_int_eq(r.status, 65);
	ck_assert_str_eq(r.out, "");
	char *prefix = xasprintf("%s:7:", bad);
	ck_assert_msg(strstr(r.err, prefix) == r.err, "stderr: %s", r.err);
	free(prefix);
	tu_run_done(&r);
	int64_t after[3] = {count(s, "campaigns"), count(s, "tweets"), count(s, "worker_state")};
	ck_assert_mem_eq(before, after, sizeof before);

	const char *nofile[] = {"campaign", "add", "/nonexistent/c.yaml", NULL};
	run_lw(&r, "t_broken", nofile);
	ck_assert_int_eq(r.status, 66);
	ck_assert_ptr_nonnull(strstr(r.err, "/nonexistent/c.yaml"));
	tu_run_done(&r);
	store_free(s);
	free(good);
	free(bad);
}
END_TEST

START_TEST(test_cli_database_down_exits_69)
{
	struct tu_run r;
	char *path = tu_write_file(workdir, "c.yaml", good_yaml);
	const char *env[] = {"MONGODB_URI=mongodb://127.0.0.1:1/", NULL};
	const char *add[] = {"campaign", "add", path, NULL};
	tu_run(&r, env, 20000, add);
	ck_assert_int_eq(r.status, 69);
	ck_assert_msg(r.ms < 5000, "took %lld ms", (long long)r.ms);
	ck_assert_ptr_nonnull(strstr(r.err, "cannot reach the database at 127.0.0.1:1"));
	tu_run_done(&r);
	const char *list[] = {"campaign", "list", NULL};
	tu_run(&r, env, 20000, list);
	ck_assert_int_eq(r.status, 69);
	ck_assert_msg(r.ms < 5000, "took %lld ms", (long long)r.ms);
	tu_run_done(&r);
	free(path);
}
END_TEST

START_TEST(test_cli_embedded_devdb)
{
	/* no MONGODB_URI: launchwatch starts devdb under XDG_DATA_HOME, uses
	 * it, and stops it on exit; the data survives for the next run */
	struct tu_run r;
	char *path = tu_write_file(workdir, "c.yaml", good_yaml);
	char *xdg = xasprintf("XDG_DATA_HOME=%s/data", workdir);
	const char *env[] = {"MONGODB_URI=", xdg, NULL};
	const char *add[] = {"campaign", "add", path, NULL};
	tu_run(&r, env, 60000, add);
	ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
	tu_run_done(&r);
	const char *list[] = {"campaign", "list", NULL};
	tu_run(&r, env, 60000, list);
	ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
	ck_assert_ptr_nonnull(strstr(r.out, "Second launch"));
	tu_run_done(&r);
	/* the server was stopped: nobody holds its lock */
	char *lock = xasprintf("%s/data/launchwatch/devdb/devdb.lock", workdir);
	int fd = open(lock, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(flock(fd, LOCK_EX | LOCK_NB), 0);
	close(fd);
	free(lock);

	/* a missing devdb program gets a message saying what to run */
	const char *env2[] = {"MONGODB_URI=", xdg, "LAUNCHWATCH_DEVDB=/nonexistent/devdb", NULL};
	tu_run(&r, env2, 20000, list);
	ck_assert_int_eq(r.status, 69);
	ck_assert_ptr_nonnull(strstr(r.err, "make devdb"));
	tu_run_done(&r);
	free(xdg);
	free(path);
}
END_TEST

static Suite *
store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("devdb");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_schema_created);
	tcase_add_test(tc, test_worker_log_bounded);
	tcase_add_test(tc, test_upsert_idempotent_and_update);
	tcase_add_test(tc, test_upsert_many_tweets_twice);
	tcase_add_test(tc, test_unreachable_fails_fast);
	tcase_add_test(tc, test_reconnect_after_restart);
	tcase_add_test(tc, test_cli_add_twice_list_show);
	tcase_add_test(tc, test_cli_list_wide_names);
	tcase_add_test(tc, test_cli_broken_file_writes_nothing);
	tcase_add_test(tc, test_cli_database_down_exits_69);
	tcase_add_test(tc, test_cli_embedded_devdb);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	SRunner *sr = srunner_create(store_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
