/*
 * test_shard_filters: what the engine asks the database, seen through
 * libmongoc's command monitoring (store_watch_commands forwards the store
 * pool's mongoc_apm_callbacks): during a short ingest against the
 * simulator (an in-process engine, `run --once`, after a dead engine's
 * heartbeat so its leases are freed and a recovery asked for) and the alert
 * log's writes, every write and findAndModify on the per-campaign
 * collections (engagements, metric_slices, worker_state, alerts_sent,
 * aggregates, changes) carries campaign_id in its filter on the MongoDB
 * path (what a sharded cluster routes by), and every document inserted
 * there carries it too. On FerretDB the store keeps exactly {_id: value}
 * (the only filter FerretDB v1 answers without a scan) and claims without
 * findAndModify: that shape is asserted too. The MongoDB path is forced on
 * the devdb with store_use_mongodb_shapes (FerretDB runs those filters,
 * only slower), so both are checked on every server. Main thread, and the
 * engine's threads in the monitoring callback (it takes a mutex).
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mongoc/mongoc.h>

#include "base/util.h"
#include "engine/engine.h"
#include "ing_support.h"
#include "model/alert.h"
#include "store/store.h"
#include "store/store_alerts.h"
#include "store/store_ingest.h"
#include "testutil.h"

/* The collections a sharded cluster shards on {campaign_id: "hashed", _id: 1}. */
static const char *const sharded[] = {
    "engagements", "metric_slices", "worker_state", "alerts_sent", "aggregates", "changes"};

/* The write commands seen, by kind and collection. */
enum { W_INSERT, W_UPDATE, W_DELETE, W_FAM, W__COUNT };
static const char *const kinds[W__COUNT] = {"insert", "update", "delete", "findAndModify"};

/* What the monitoring callback records (under mu). */
struct watch {
	pthread_mutex_t mu;
	const char *cid;    /* the campaign id every filter must name */
	bool ferret_shapes; /* assert FerretDB's {_id} shape instead */
	size_t seen[W__COUNT][LW_ARRAY_LEN(sharded)];
	size_t statements; /* filters and documents checked */
	size_t bad;
	char first_bad[1024];
};

/* Records one finding (the first one in full). */
static void
bad(struct watch *w, const char *kind, const char *coll, const char *why, const bson_t *doc)
{
	w->bad++;
	if (w->bad > 1)
		return;
	char *j = bson_as_relaxed_extended_json(doc, NULL);
	snprintf(w->first_bad, sizeof w->first_bad, "%s %s: %s: %s", kind, coll, why, j);
	bson_free(j);
}

/* Returns true when filter q names w->cid in campaign_id (equal, or in an
 * $in list). */
static bool
names_campaign(const struct watch *w, const bson_t *q)
{
	bson_iter_t it, in, a;
	if (!bson_iter_init_find(&it, q, "campaign_id"))
		return false;
	if (BSON_ITER_HOLDS_UTF8(&it))
		return strcmp(bson_iter_utf8(&it, NULL), w->cid) == 0;
	if (!BSON_ITER_HOLDS_DOCUMENT(&it) || !bson_iter_recurse(&it, &in) ||
	    !bson_iter_find(&in, "$in") || !bson_iter_recurse(&in, &a))
		return false;
	while (bson_iter_next(&a))
		if (BSON_ITER_HOLDS_UTF8(&a) && strcmp(bson_iter_utf8(&a, NULL), w->cid) == 0)
			return true;
	return false;
}

/* Returns true when q is exactly {_id: "string"}. */
static bool
id_only(const bson_t *q)
{
	bson_iter_t it;
	return bson_count_keys(q) == 1 && bson_iter_init_find(&it, q, "_id") &&
	       BSON_ITER_HOLDS_UTF8(&it);
}

/* Reads the sub-document at key of doc into *out (static); false if none. */
static bool
subdoc(const bson_t *doc, const char *key, bson_t *out)
{
	bson_iter_t it;
	const uint8_t *data;
	uint32_t len;
	if (!bson_iter_init_find(&it, doc, key) ||
	    !(BSON_ITER_HOLDS_DOCUMENT(&it) || BSON_ITER_HOLDS_ARRAY(&it)))
		return false;
	if (BSON_ITER_HOLDS_ARRAY(&it))
		bson_iter_array(&it, &len, &data);
	else
		bson_iter_document(&it, &len, &data);
	return bson_init_static(out, data, len);
}

/* Checks one filter q of a kind of write (multi: an update of many). */
static void
check_filter(struct watch *w, int kind, const char *coll, const bson_t *q, bool multi)
{
	w->statements++;
	if (!w->ferret_shapes) {
		if (!names_campaign(w, q))
			bad(w, kinds[kind], coll, "no campaign_id in the filter", q);
		return;
	}
	if (kind == W_FAM)
		bad(w, kinds[kind], coll, "a findAndModify on FerretDB (its claim goes by _id)", q);
	else if (!multi && !id_only(q))
		bad(w, kinds[kind], coll, "not exactly {_id: value} on FerretDB", q);
	else if (multi && !names_campaign(w, q))
		bad(w, kinds[kind], coll, "an update of many without campaign_id", q);
}

/* Moves it to the next document of its array and reads it into *out
 * (static); false at the end. */
static bool
next_doc(bson_iter_t *it, bson_t *out)
{
	while (bson_iter_next(it)) {
		const uint8_t *data;
		uint32_t len;
		if (!BSON_ITER_HOLDS_DOCUMENT(it))
			continue;
		bson_iter_document(it, &len, &data);
		if (bson_init_static(out, data, len))
			return true;
	}
	return false;
}

/* Checks each statement of a bulk (updates or deletes) of cmd. */
static void
check_bulk(struct watch *w, int kind, const char *coll, const bson_t *cmd, const char *field)
{
	bson_t arr, st, q;
	bson_iter_t it, m;
	if (!subdoc(cmd, field, &arr) || !bson_iter_init(&it, &arr)) {
		bad(w, kinds[kind], coll, "no statements seen", cmd);
		return;
	}
	while (next_doc(&it, &st)) {
		if (!subdoc(&st, "q", &q))
			continue;
		bool multi = kind == W_UPDATE && bson_iter_init_find(&m, &st, "multi") &&
		             bson_iter_as_bool(&m);
		check_filter(w, kind, coll, &q, multi);
	}
}

/* Checks that every inserted document carries campaign_id = w->cid. */
static void
check_inserts(struct watch *w, const char *coll, const bson_t *cmd)
{
	bson_t arr, doc;
	bson_iter_t it;
	if (!subdoc(cmd, "documents", &arr) || !bson_iter_init(&it, &arr)) {
		bad(w, "insert", coll, "no documents seen", cmd);
		return;
	}
	while (next_doc(&it, &doc)) {
		w->statements++;
		if (!names_campaign(w, &doc))
			bad(w, "insert", coll, "a document without campaign_id", &doc);
	}
}

/* The command monitoring callback: checks every write on a sharded
 * collection. Any thread. */
static void
on_command(const char *name, const void *command, void *arg)
{
	struct watch *w = arg;
	const bson_t *cmd = command;
	int kind = -1;
	for (int k = 0; k < W__COUNT; k++)
		if (strcmp(name, kinds[k]) == 0)
			kind = k;
	bson_iter_t it;
	if (kind < 0 || !bson_iter_init_find(&it, cmd, name) || !BSON_ITER_HOLDS_UTF8(&it))
		return;
	const char *coll = bson_iter_utf8(&it, NULL);
	size_t c = 0;
	while (c < LW_ARRAY_LEN(sharded) && strcmp(sharded[c], coll) != 0)
		c++;
	if (c == LW_ARRAY_LEN(sharded))
		return;
	pthread_mutex_lock(&w->mu);
	w->seen[kind][c]++;
	bson_t q;
	if (kind == W_INSERT)
		check_inserts(w, coll, cmd);
	else if (kind == W_UPDATE)
		check_bulk(w, kind, coll, cmd, "updates");
	else if (kind == W_DELETE)
		check_bulk(w, kind, coll, cmd, "deletes");
	else if (subdoc(cmd, "query", &q))
		check_filter(w, kind, coll, &q, false);
	else
		bad(w, kinds[kind], coll, "no query", cmd);
	pthread_mutex_unlock(&w->mu);
}

/* Returns how many commands of kind on collection coll were seen. */
static size_t
seen(struct watch *w, int kind, const char *coll)
{
	for (size_t c = 0; c < LW_ARRAY_LEN(sharded); c++)
		if (strcmp(sharded[c], coll) == 0)
			return w->seen[kind][c];
	return 0;
}

/* Stores a heartbeat of an engine that died an hour ago, so the engine's
 * start frees its leases and asks for a recovery. */
static void
dead_engine(struct store *s)
{
	struct sti_heartbeat h;
	char *cause = NULL;
	memset(&h, 0, sizeof h);
	snprintf(h.owner, sizeof h.owner, "gone-host:1:1");
	snprintf(h.host, sizeof h.host, "gone-host");
	h.pid = 1;
	h.started_at_ms = clock_now_ms() - 7200 * 1000;
	h.beat_at_ms = clock_now_ms() - 3600 * 1000;
	snprintf(h.mode, sizeof h.mode, "run");
	ck_assert_msg(sti_heartbeat_beat(s, &h, &cause) == 0, "%s", cause);
}

/* Runs an in-process engine once over w's campaign. */
static void
ingest_once(struct ing_world *w)
{
	struct engine *e = NULL;
	char *cause = NULL;
	setenv("TWITTERAPI_BASE_URL", w->base, 1);
	setenv("XDG_DATA_HOME", w->dir, 1);
	setenv("LAUNCHWATCH_QPS", "50", 1);
	struct engine_opts eo = {.once = true, .workers = 2, .no_alerts = true};
	ck_assert_msg(engine_start(w->s, &eo, &e, &cause) == 0, "engine_start: %s", cause);
	struct sched_stats st;
	ck_assert_int_eq(engine_wait(e, &st), 0);
	engine_free(e);
}

/* Writes an alert and a sentiment as the alert worker does, for one stored
 * engagement of w's campaign. */
static void
alert_writes(struct ing_world *w)
{
	struct sti_eng_key *keys;
	size_t n;
	char *cause = NULL;
	ck_assert_int_eq(sti_engagements_keys(w->s, w->campaign_id, &keys, &n, &cause), 0);
	ck_assert_uint_gt(n, 0);
	/* campaign:tweet:user:action */
	char *parts = xstrdup(keys[0].id), *save = NULL;
	struct alert_candidate c;
	memset(&c, 0, sizeof c);
	snprintf(c.campaign_id, sizeof c.campaign_id, "%s", strtok_r(parts, ":", &save));
	snprintf(c.tweet_id, sizeof c.tweet_id, "%s", strtok_r(NULL, ":", &save));
	snprintf(c.user_id, sizeof c.user_id, "%s", strtok_r(NULL, ":", &save));
	ck_assert_int_eq(action_parse(strtok_r(NULL, ":", &save), &c.action), 0);
	char handle[] = "someone";
	c.handle = handle;
	c.event_ms = clock_now_ms();
	const struct alert_candidate *v[1] = {&c};
	ck_assert_msg(
	    store_alerts_record(w->s, v, 1, ALERT_SLACK, c.event_ms, 1800 * 1000, &cause) == 0,
	    "%s", cause);
	ck_assert_msg(store_alerts_set_sentiment(w->s, &c, 0.5, &cause) == 0, "%s", cause);
	free(parts);
	for (size_t i = 0; i < n; i++) {
		free(keys[i].id);
		free(keys[i].ref_ids);
	}
	free(keys);
}

/* Asserts every document of the sharded collections carries campaign_id
 * (the test's database holds one campaign). */
static void
assert_documents_carry_campaign(struct ing_world *w)
{
	char *cause = NULL;
	for (size_t c = 0; c < LW_ARRAY_LEN(sharded); c++) {
		int64_t all = store_count(w->s, sharded[c], NULL, &cause);
		int64_t mine = store_count(w->s, sharded[c], w->campaign_id, &cause);
		ck_assert_msg(all >= 0 && mine >= 0, "%s", cause);
		ck_assert_msg(all == mine, "%s: %lld documents, %lld with campaign_id %s",
		    sharded[c], (long long)all, (long long)mine, w->campaign_id);
	}
}

/* Runs the monitored ingest and alert writes with the shapes of the
 * MongoDB path (ferret false) or the FerretDB path. */
static void
monitored_run(struct ing_world *w, struct watch *x, bool ferret)
{
	memset(x, 0, sizeof *x);
	pthread_mutex_init(&x->mu, NULL);
	x->cid = w->campaign_id;
	x->ferret_shapes = ferret;
	if (!ferret)
		store_use_mongodb_shapes(w->s);
	dead_engine(w->s);
	store_watch_commands(w->s, on_command, x);
	ingest_once(w);
	alert_writes(w);
	store_watch_commands(w->s, NULL, NULL);
	fprintf(stderr,
	    "%s shapes: %zu statements checked, %zu findAndModify, %zu updates of "
	    "worker_state\n",
	    ferret ? "FerretDB" : "MongoDB", x->statements, seen(x, W_FAM, "worker_state"),
	    seen(x, W_UPDATE, "worker_state"));
	ck_assert_msg(x->bad == 0, "%zu writes without the expected filter; the first: %s", x->bad,
	    x->first_bad);
	/* what the run must have done, so the checks above saw something */
	ck_assert_uint_gt(seen(x, W_INSERT, "engagements"), 0);
	ck_assert_uint_gt(seen(x, W_INSERT, "metric_slices"), 0);
	ck_assert_uint_gt(seen(x, W_INSERT, "changes"), 0);
	ck_assert_uint_gt(seen(x, W_UPDATE, "worker_state"), 0);
	ck_assert_uint_gt(seen(x, W_UPDATE, "aggregates"), 0);
	ck_assert_uint_gt(seen(x, W_UPDATE, "alerts_sent"), 0);
	ck_assert_uint_gt(seen(x, W_UPDATE, "engagements"), 0);
	if (ferret)
		ck_assert_uint_eq(seen(x, W_FAM, "worker_state"), 0);
	else
		ck_assert_uint_gt(seen(x, W_FAM, "worker_state"), 0);
	assert_documents_carry_campaign(w);
	pthread_mutex_destroy(&x->mu);
}

START_TEST(test_mongodb_writes_name_the_campaign)
{
	struct ing_world w;
	struct sim_opts o;
	struct watch x;
	sim_opts_init(&o);
	o.seed = 15;
	ing_world_start(&w, &o, "50");
	monitored_run(&w, &x, false);
	ing_world_stop(&w);
}
END_TEST

START_TEST(test_ferretdb_writes_by_id)
{
	struct ing_world w;
	struct sim_opts o;
	struct watch x;
	sim_opts_init(&o);
	o.seed = 16;
	ing_world_start(&w, &o, "50");
	if (!store_is_ferretdb(w.s)) {
		fprintf(stderr, "test_ferretdb_writes_by_id: not run: the server is not FerretDB, "
		                "so the store uses the MongoDB shapes (the other case)\n");
		ing_world_stop(&w);
		return;
	}
	monitored_run(&w, &x, true);
	ing_world_stop(&w);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("test_shard_filters");
	TCase *tc = tcase_create("monitoring");
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, test_mongodb_writes_name_the_campaign);
	tcase_add_test(tc, test_ferretdb_writes_by_id);
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
	return failed ? 1 : 0;
}
