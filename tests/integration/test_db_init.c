/*
 * test_db_init: `launchwatch db init [--shard]` on a real devdb (the
 * collections and indexes listed, worker_log capped, twice the same),
 * --shard against a server that is not a mongos (named, exit 1, nothing
 * else changed), an index of launchwatch's that exists under another name
 * (reported and kept: start-up used to exit 69 on it), and a mongodb+srv
 * URI whose DNS lookup fails (its host shown, the lookup named, no
 * password). Sharding itself needs a mongos, which cannot run here
 * (docs/operations.md says what was verified). Main thread only.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mongoc/mongoc.h>

#include "base/util.h"
#include "store/store.h"
#include "testutil.h"

static struct tu_devdb *db;
static char env_uri[256], env_db[64], env_data[256];
static char *data_dir;

static void
setup(void)
{
	db = tu_devdb_start(NULL, 0);
	data_dir = tu_tempdir();
	snprintf(env_uri, sizeof env_uri, "MONGODB_URI=%s", db->uri);
	snprintf(env_data, sizeof env_data, "XDG_DATA_HOME=%s", data_dir);
}

static void
teardown(void)
{
	tu_devdb_free(db);
	tu_rmtree(data_dir);
	free(data_dir);
}

/* Runs launchwatch with args on database dbname into *r. */
static void
run(struct tu_run *r, const char *dbname, const char *const *args)
{
	snprintf(env_db, sizeof env_db, "LAUNCHWATCH_DB=%s", dbname);
	const char *env[] = {env_uri, env_db, env_data, NULL};
	tu_run(r, env, 30000, args);
}

/* Asserts haystack holds needle, showing both when not. */
static void
assert_has(const char *haystack, const char *needle)
{
	ck_assert_msg(strstr(haystack, needle) != NULL, "no '%s' in:\n%s", needle, haystack);
}

START_TEST(test_init_lists_schema_twice_the_same)
{
	struct tu_run a, b;
	const char *args[] = {"db", "init", NULL};
	run(&a, "t_init", args);
	ck_assert_msg(a.status == 0, "%d %s", a.status, a.err);
	/* the devdb is FerretDB; mongo-java-server cannot cap the worker_log */
	bool mongo_java = tu_backend() == TU_MONGO_JAVA;
	if (tu_backend() != TU_GIVEN)
		assert_has(a.out, mongo_java ? ": mongo-java-server\n" : ": FerretDB\n");
	assert_has(a.out, mongo_java ? "worker_log      indexes: _id_, at"
	                             : "worker_log      capped (16777216 bytes, 100000 documents); "
	                               "indexes: _id_, at");
	static const char *const lines[] = {
	    "campaigns       indexes: _id_, name_unique",
	    "engagements     indexes: _id_, campaign_seen, campaign_user",
	    "metric_slices   indexes: _id_, campaign_at",
	    "worker_state    indexes: _id_, campaign_due",
	    "alerts_sent     indexes: _id_, campaign_sent",
	    "tweets          indexes: _id_, campaign_tweet",
	    "aggregates      indexes: _id_",
	    "changes         indexes: _id_",
	};
	for (size_t i = 0; i < LW_ARRAY_LEN(lines); i++)
		assert_has(a.out, lines[i]);
	ck_assert_str_eq(a.err, "");
	run(&b, "t_init", args);
	ck_assert_int_eq(b.status, 0);
	ck_assert_str_eq(b.out, a.out);
	tu_run_done(&a);
	tu_run_done(&b);
}
END_TEST

START_TEST(test_shard_needs_a_mongos)
{
	struct tu_run r;
	const char *args[] = {"db", "init", "--shard", NULL};
	run(&r, "t_shard", args);
	ck_assert_int_eq(r.status, 1);
	assert_has(r.err, "is not a mongos");
	assert_has(r.err, "nothing was sharded");
	assert_has(r.out, "engagements     indexes: _id_, campaign_seen, campaign_user\n");
	ck_assert_ptr_null(strstr(r.out, "sharded on"));
	tu_run_done(&r);
}
END_TEST

/* Creates the index {campaign_id: 1, tweet_id: 1} of dbname.tweets under
 * name, before launchwatch has touched dbname. */
static void
index_under(const char *dbname, const char *name)
{
	bson_error_t err;
	mongoc_client_t *c = mongoc_client_new(db->uri);
	mongoc_database_t *d = mongoc_client_get_database(c, dbname);
	bson_t *cmd = BCON_NEW("createIndexes", BCON_UTF8("tweets"), "indexes", "[", "{", "key",
	    "{", "campaign_id", BCON_INT32(1), "tweet_id", BCON_INT32(1), "}", "name",
	    BCON_UTF8(name), "}", "]");
	ck_assert_msg(mongoc_database_command_simple(d, cmd, NULL, NULL, &err), "%s", err.message);
	bson_destroy(cmd);
	mongoc_database_destroy(d);
	mongoc_client_destroy(c);
}

START_TEST(test_index_under_another_name_is_kept)
{
	index_under("t_other", "by_campaign_tweet");
	/* the store opens and says why it did not create its own */
	struct store *s = NULL;
	char *cause = NULL;
	ck_assert_msg(store_open(db->uri, "t_other", &s, &cause) == 0, "%s", cause);
	if (strcmp(store_server_kind(s), "mongo-java-server") == 0) {
		printf("test_index_under_another_name_is_kept: skipped on mongo-java-server: it "
		       "creates a second index on the same keys instead of refusing it (MongoDB's "
		       "error 85), so there is nothing to keep\n");
		store_free(s);
		return;
	}
	size_t n;
	const char *const *notes = store_schema_notes(s, &n);
	ck_assert_uint_eq(n, 1);
	assert_has(notes[0], "index campaign_tweet of tweets not created");
	assert_has(notes[0], "by_campaign_tweet");
	char **names;
	ck_assert_int_eq(store_index_names(s, "tweets", &names, &cause), 0);
	ck_assert_str_eq(names[0], "_id_");
	ck_assert_str_eq(names[1], "by_campaign_tweet");
	ck_assert_ptr_null(names[2]);
	for (char **p = names; *p; p++)
		free(*p);
	free(names);
	store_free(s);
	/* every command works on it (it exited 69), and names it on stderr */
	struct tu_run r;
	const char *list[] = {"campaign", "list", NULL};
	run(&r, "t_other", list);
	ck_assert_msg(r.status == 0, "%d %s", r.status, r.err);
	assert_has(r.err, "note: index campaign_tweet of tweets not created");
	tu_run_done(&r);
	const char *init[] = {"db", "init", NULL};
	run(&r, "t_other", init);
	ck_assert_int_eq(r.status, 0);
	assert_has(r.out, "tweets          indexes: _id_, by_campaign_tweet\n");
	assert_has(r.err, "(kept)");
	tu_run_done(&r);
}
END_TEST

START_TEST(test_srv_uri_named)
{
	struct store *s = NULL;
	char *cause = NULL;
	/* .invalid never resolves (RFC 6761) */
	int rc = store_open("mongodb+srv://bob:hunter2@cluster0.lw-test.invalid/", "x", &s, &cause);
	ck_assert_int_eq(rc, -1);
	ck_assert_ptr_null(s);
	assert_has(cause, "mongodb+srv://cluster0.lw-test.invalid/x");
	assert_has(cause, "the DNS lookup of cluster0.lw-test.invalid failed");
	assert_has(cause, "SRV");
	ck_assert_ptr_null(strstr(cause, "hunter2"));
	ck_assert_ptr_null(strstr(cause, "(no hosts)"));
	free(cause);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("db_init");
	TCase *tc = tcase_create("db_init");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_init_lists_schema_twice_the_same);
	tcase_add_test(tc, test_shard_needs_a_mongos);
	tcase_add_test(tc, test_index_under_another_name_is_kept);
	tcase_add_test(tc, test_srv_uri_named);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(make_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
