/*
 * Tests of agg: the aggregates match counts computed here by brute force;
 * applying the same events one by one, in reverse, twice over, equals one
 * batch; rebuilding from a real devdb (store_agg_load) equals applying the
 * events incrementally, also after polling past the watermark; job
 * health, alerts, series per hour and day; memory per engagement stays small.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/agg.h"
#include "store/store.h"
#include "store/store_agg.h"
#include "testutil.h"
#include "base/util.h"
#include "seed_support.h"

#define T0      1796133600000LL /* 2026-12-01T14:00:00Z */
#define NUSERS  200
#define NTWEETS 3

static const char *const tweet_ids[NTWEETS] = {
    "1861111111111111111", "1861111111111111112", "1861111111111111113"};
static uint64_t rng_state;

/* Returns the next number of a fixed pseudo-random sequence. */
static uint32_t
rnd(void)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(rng_state >> 33);
}

/* Fills e with engagement number i of the synthetic launch of campaign cid. */
static void
make_eng(struct lw_engagement *e, const char *cid, int i)
{
	memset(e, 0, sizeof *e);
	int u = (int)(rnd() % NUSERS), t = (int)(rnd() % NTWEETS);
	snprintf(e->campaign_id, sizeof e->campaign_id, "%s", cid);
	snprintf(e->tweet_id, sizeof e->tweet_id, "%s", tweet_ids[t]);
	e->category = t; /* tweet t has category t */
	e->action = (enum lw_action)(rnd() % ACT__COUNT);
	snprintf(e->user.id, sizeof e->user.id, "%d", 1000 + u);
	e->user.handle = xasprintf("user%d", u);
	e->user.name = xasprintf("User %d", u);
	e->user.bio = xstrdup(u == 7 ? "\x1b]0;pwned\x07 VC at \x1b[2J fund" : "builder");
	e->user.followers = 100 + u * 37;
	e->bucket = (enum lw_bucket)(u % BK__COUNT);
	e->importance = (u * 13) % 101;
	e->evidence = xstrdup("");
	e->text = e->action == ACT_RETWEET ? NULL : xasprintf("reply %d from %d", i, u);
	e->first_seen_at_ms = T0 + (int64_t)i * 7000;
	e->created_at_ms = e->action == ACT_RETWEET ? 0 : e->first_seen_at_ms - 1000;
}

/* Fills s with slice number seq of tweet t. */
static void
make_slice(struct lw_slice *s, const char *cid, int t, int seq)
{
	memset(s, 0, sizeof *s);
	snprintf(s->campaign_id, sizeof s->campaign_id, "%s", cid);
	snprintf(s->tweet_id, sizeof s->tweet_id, "%s", tweet_ids[t]);
	s->category = t;
	s->seq = seq;
	s->at_ms = T0 + (int64_t)seq * 300000;
	s->deltas = (struct lw_metrics){seq * 3 + t, seq, seq / 2, 1, 1000 + seq * 10, t};
}

/* A synthetic launch: engagements and slices (owned). */
struct launch {
	struct lw_engagement *eng;
	size_t neng;
	struct lw_slice *sl;
	size_t nsl;
};

/* Builds n engagements and m slices per tweet from seed. */
static void
launch_make(struct launch *l, const char *cid, int n, int m, uint64_t seed)
{
	rng_state = seed;
	l->neng = (size_t)n;
	l->eng = xcalloc((size_t)n, sizeof *l->eng);
	/* a repeated account x tweet x action is a re-delivery: the same data */
	int *first = xcalloc(NUSERS * NTWEETS * ACT__COUNT, sizeof *first);
	for (int i = 0; i < n; i++) {
		struct lw_engagement *e = &l->eng[i];
		make_eng(e, cid, i);
		int key =
		    ((atoi(e->user.id) - 1000) * NTWEETS + e->category) * ACT__COUNT + e->action;
		if (first[key] == 0) {
			first[key] = i + 1;
			continue;
		}
		const struct lw_engagement *o = &l->eng[first[key] - 1];
		e->first_seen_at_ms = o->first_seen_at_ms;
		e->created_at_ms = o->created_at_ms;
		free(e->text);
		e->text = xstrdup(o->text);
	}
	free(first);
	l->nsl = (size_t)(m * NTWEETS);
	l->sl = xcalloc(l->nsl, sizeof *l->sl);
	for (int s = 0; s < m; s++)
		for (int t = 0; t < NTWEETS; t++)
			make_slice(&l->sl[s * NTWEETS + t], cid, t, s + 1);
}

/* Frees a launch. */
static void
launch_free(struct launch *l)
{
	for (size_t i = 0; i < l->neng; i++)
		lw_engagement_done(&l->eng[i]);
	free(l->eng);
	free(l->sl);
}

/* Applies engagements [from, to) and slices [sfrom, sto) as one batch that
 * borrows them. */
static void
apply_range(struct agg *a, struct launch *l, size_t from, size_t to, size_t sfrom, size_t sto)
{
	struct event_batch b = {0};
	b.eng = l->eng + from;
	b.neng = to - from;
	b.slices = l->sl + sfrom;
	b.nslices = sto - sfrom;
	agg_apply(a, &b);
}

/* Asserts two digests are equal, showing the first line that differs. */
static void
assert_same(const char *d1, const char *d2)
{
	size_t i = 0, line = 0;
	while (d1[i] && d1[i] == d2[i])
		i++;
	if (d1[i] == d2[i])
		return;
	while (i > 0 && d1[i - 1] != '\n')
		i--;
	for (size_t k = 0; k < i; k++)
		line += d1[k] == '\n';
	ck_abort_msg("digests differ at line %zu:\n  %.160s\n  %.160s", line + 1, d1 + i, d2 + i);
}

/* Returns the digest of campaign cid in a (caller frees). */
static char *
digest(struct agg *a, const char *cid)
{
	struct agg_campaign *c = agg_campaign(a, cid);
	ck_assert_ptr_nonnull(c);
	return agg_digest(a, c);
}

START_TEST(test_counts_match_brute_force)
{
	struct launch l;
	launch_make(&l, "c1", 1500, 40, 42);
	struct agg *a = agg_new();
	apply_range(a, &l, 0, l.neng, 0, l.nsl);
	struct agg_campaign *c = agg_campaign(a, "c1");
	ck_assert_ptr_nonnull(c);

	/* brute force: distinct (user, tweet, action), unique users per bucket */
	bool seen[NUSERS][NTWEETS][ACT__COUNT];
	bool user_seen[NUSERS], user_act[NUSERS][ACT__COUNT];
	memset(seen, 0, sizeof seen);
	memset(user_seen, 0, sizeof user_seen);
	memset(user_act, 0, sizeof user_act);
	int64_t distinct = 0, uniq[BK__COUNT] = {0}, uniq_reply[BK__COUNT] = {0};
	for (size_t i = 0; i < l.neng; i++) {
		int u = atoi(l.eng[i].user.id) - 1000, t = l.eng[i].category, k = l.eng[i].action;
		if (!seen[u][t][k])
			distinct++;
		seen[u][t][k] = true;
		if (!user_seen[u]) {
			user_seen[u] = true;
			uniq[u % BK__COUNT]++;
		}
		if (k == ACT_REPLY && !user_act[u][k])
			uniq_reply[u % BK__COUNT]++;
		user_act[u][k] = true;
	}
	ck_assert_uint_eq(c->neng, (size_t)distinct);
	ck_assert_uint_lt(c->neng, l.neng); /* the synthetic launch has duplicates */
	for (int b = 0; b < BK__COUNT; b++) {
		ck_assert_int_eq(c->uniq[b], uniq[b]);
		ck_assert_int_eq(c->uniq_act[ACT_REPLY][b], uniq_reply[b]);
	}
	/* views: total, per category, per hour, and the cumulative series */
	int64_t views = 0, views_cat1 = 0, views_h1 = 0;
	for (size_t i = 0; i < l.nsl; i++) {
		views += l.sl[i].deltas.views;
		if (l.sl[i].category == 1)
			views_cat1 += l.sl[i].deltas.views;
		if (l.sl[i].at_ms >= T0 + AGG_HOUR_MS && l.sl[i].at_ms < T0 + 2 * AGG_HOUR_MS)
			views_h1 += l.sl[i].deltas.views;
	}
	ck_assert_int_eq(c->total[CAT__COUNT][M_VIEWS], views);
	ck_assert_int_eq(c->total[1][M_VIEWS], views_cat1);
	ck_assert_int_eq(
	    agg_hours_sum(&c->hours[CAT__COUNT][M_VIEWS], T0 + AGG_HOUR_MS, T0 + 2 * AGG_HOUR_MS),
	    views_h1);
	double out[48];
	int64_t first;
	size_t n = agg_cumulative(
	    &c->hours[CAT__COUNT][M_VIEWS], false, T0 + 3 * AGG_HOUR_MS, out, 48, &first);
	ck_assert_uint_ge(n, 4);
	ck_assert_int_eq((int64_t)out[n - 1], views);
	ck_assert_int_eq(first, T0);
	n = agg_cumulative(
	    &c->hours[CAT__COUNT][M_VIEWS], false, T0 + 3 * AGG_HOUR_MS, out, 2, &first);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq((int64_t)out[1], views);
	n = agg_cumulative(
	    &c->hours[CAT__COUNT][M_VIEWS], true, T0 + 3 * AGG_HOUR_MS, out, 48, &first);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq((int64_t)out[0], views);
	/* top engagers: highest importance first */
	agg_rank_top(a, c);
	ck_assert_uint_gt(c->ntop, 10);
	for (size_t i = 1; i < c->ntop; i++)
		ck_assert_uint_ge(c->cu[c->top[i - 1]].importance, c->cu[c->top[i]].importance);
	/* a profile's timeline holds every engagement of that account */
	for (size_t i = 0; i < c->ncu; i++) {
		uint32_t k = 0;
		for (uint32_t e = c->cu[i].last; e != AGG_NONE; e = c->eng[e].prev) {
			ck_assert_uint_eq(c->eng[e].user, c->cu[i].user);
			k++;
		}
		ck_assert_uint_eq(k, c->cu[i].n);
	}
	/* the hostile bio is plain text now */
	for (size_t i = 0; i < a->nusers; i++)
		ck_assert_ptr_null(strchr(a->users[i].bio, 0x1b));
	agg_free(a);
	launch_free(&l);
}
END_TEST

START_TEST(test_incremental_equals_one_batch)
{
	struct launch l;
	launch_make(&l, "c1", 1200, 30, 7);
	struct agg *one = agg_new(), *inc = agg_new();
	apply_range(one, &l, 0, l.neng, 0, l.nsl);
	/* one event per batch, newest first, each twice, slices interleaved */
	for (size_t i = l.neng; i-- > 0;) {
		apply_range(inc, &l, i, i + 1, 0, 0);
		apply_range(inc, &l, i, i + 1, 0, 0);
		if (i < l.nsl)
			apply_range(inc, &l, 0, 0, i, i + 1);
	}
	apply_range(inc, &l, 0, 0, 0, l.nsl); /* all slices again: no change */
	char *d1 = digest(one, "c1"), *d2 = digest(inc, "c1");
	assert_same(d1, d2);
	ck_assert_uint_gt(strlen(d1), 1000);
	free(d1);
	free(d2);
	agg_free(one);
	agg_free(inc);
	launch_free(&l);
}
END_TEST

START_TEST(test_bucket_follows_newest_engagement)
{
	struct agg *a = agg_new();
	struct lw_engagement e[2];
	rng_state = 1;
	make_eng(&e[0], "c2", 0);
	make_eng(&e[1], "c2", 10);
	snprintf(e[1].user.id, sizeof e[1].user.id, "%s", e[0].user.id);
	e[0].bucket = BK_OTHER;
	e[0].action = ACT_RETWEET;
	e[1].bucket = BK_INVESTOR;
	e[1].action = ACT_REPLY;
	snprintf(e[1].tweet_id, sizeof e[1].tweet_id, "%s", tweet_ids[2]);
	struct event_batch b = {.eng = e, .neng = 2};
	agg_apply(a, &b);
	struct agg_campaign *c = agg_campaign(a, "c2");
	ck_assert_int_eq(c->uniq[BK_INVESTOR], 1);
	ck_assert_int_eq(c->uniq[BK_OTHER], 0);
	ck_assert_int_eq(c->uniq_act[ACT_RETWEET][BK_INVESTOR], 1);
	ck_assert_int_eq(c->uniq_act[ACT_REPLY][BK_INVESTOR], 1);
	ck_assert_int_eq(c->uniq_act[ACT_RETWEET][BK_OTHER], 0);
	ck_assert_int_eq(agg_unique_total(c), 1);
	/* the same two in the other order end the same way */
	struct agg *r = agg_new();
	struct lw_engagement swapped[2] = {e[1], e[0]};
	struct event_batch b2 = {.eng = swapped, .neng = 2};
	agg_apply(r, &b2);
	char *d1 = digest(a, "c2"), *d2 = digest(r, "c2");
	assert_same(d1, d2);
	free(d1);
	free(d2);
	agg_free(a);
	agg_free(r);
	lw_engagement_done(&e[0]);
	lw_engagement_done(&e[1]);
}
END_TEST

START_TEST(test_status_jobs_alerts)
{
	struct agg *a = agg_new();
	struct launch l;
	launch_make(&l, "c3", 10, 1, 3);
	apply_range(a, &l, 0, l.neng, 0, l.nsl);
	/* a replies job snoozed on credits, then run again with success, as
	 * store_agg_jobs reads its worker_state row each time */
	struct agg_jobrow row = {0};
	snprintf(row.tweet_id, sizeof row.tweet_id, "%s", tweet_ids[1]);
	row.kind = JOB_REPLIES;
	row.job = (struct agg_job){JS_BLOCKED, 0, T0 + 3600000, 1, 0,
	    xstrdup("blocked until 2026-12-01T15:00:00Z (credits)")};
	agg_set_jobs(a, "c3", &row, 1);
	struct agg_campaign *c = agg_campaign(a, "c3");
	int t1 = agg_tweet_index(c, tweet_ids[1]);
	ck_assert_int_ge(t1, 0);
	ck_assert_int_eq(c->tweets[t1].job[JOB_REPLIES].state, JS_BLOCKED);
	ck_assert_ptr_nonnull(strstr(c->tweets[t1].job[JOB_REPLIES].why, "credits"));
	struct agg_health h;
	agg_job_health(c, T0, &h);
	ck_assert_int_eq(h.blocked, 1);
	ck_assert_ptr_nonnull(strstr(h.why_blocked, "credits"));
	row.job = (struct agg_job){JS_OK, T0 + 60000, 0, 2, 0, NULL};
	agg_set_jobs(a, "c3", &row, 1);
	ck_assert_int_eq(c->tweets[t1].job[JOB_REPLIES].state, JS_OK);
	ck_assert_int_gt(c->tweets[t1].job[JOB_REPLIES].last_success_ms, 0);

	struct agg_jobrow rows[2] = {0};
	snprintf(rows[0].tweet_id, sizeof rows[0].tweet_id, "%s", tweet_ids[0]);
	rows[0].kind = JOB_METRICS;
	rows[0].job = (struct agg_job){JS_ERROR, 0, 0, 5, 75, xstrdup("HTTP 500")};
	snprintf(rows[1].tweet_id, sizeof rows[1].tweet_id, "%s", tweet_ids[2]);
	rows[1].kind = JOB_QUOTES;
	rows[1].job = (struct agg_job){JS_OK, T0, 0, 2, 30, NULL};
	agg_set_jobs(a, "c3", rows, 2);
	ck_assert_int_eq(c->requests, 7);
	ck_assert_int_eq(c->credits, 105);
	ck_assert_str_eq(
	    c->tweets[agg_tweet_index(c, tweet_ids[0])].job[JOB_METRICS].why, "HTTP 500");
	/* the header's and the JSON endpoint's health: failures first */
	agg_job_health(c, T0, &h);
	ck_assert_int_eq(h.failing, 1);
	ck_assert_str_eq(h.why_failing, "HTTP 500");
	ck_assert_int_ge(h.last_success_ms, T0);
	agg_job_health(NULL, T0, &h);
	ck_assert_int_eq(h.failing + h.blocked, 0);

	struct agg_alert *al = xcalloc(1, sizeof *al);
	al->handle = xstrdup("a16z");
	al->channel = xstrdup("slack");
	al->status = ALERT_SENT;
	agg_set_alerts(a, "c3", al, 1);
	ck_assert_uint_eq(c->nalerts, 1);
	agg_set_author(a, "c3", tweet_ids[0], "acme\x1b[31m");
	ck_assert_str_eq(c->tweets[agg_tweet_index(c, tweet_ids[0])].author, "acme");
	agg_free(a);
	launch_free(&l);
}
END_TEST

START_TEST(test_stored_job_states_shown)
{
	/* what the console shows for each stored state before the block,
	 * backfill and error fields refine it (store_agg_jobs) */
	static const enum agg_job_state want[JST__COUNT] = {[JST_NEW] = JS_NEW,
	    [JST_IDLE] = JS_OK,
	    [JST_RUNNING] = JS_OK,
	    [JST_RETRY] = JS_NEW,
	    [JST_BLOCKED] = JS_BLOCKED,
	    [JST_STOPPED] = JS_NEW,
	    [JST_MISSING] = JS_NEW};
	for (int i = 0; i < JST__COUNT; i++)
		ck_assert_int_eq(agg_job_state_of((enum job_state)i), want[i]);
	ck_assert_int_eq(agg_job_state_of(JST__COUNT), JS_NEW);
}
END_TEST

START_TEST(test_memory_per_engagement)
{
	/* many accounts and tweets, most engagements with a snippet */
	struct agg *a = agg_new();
	struct lw_engagement e;
	int n = 100000; /* one account per five engagements, as in bench/bench_ui.c */
	for (int i = 0; i < n; i++) {
		memset(&e, 0, sizeof e);
		snprintf(e.campaign_id, sizeof e.campaign_id, "big");
		snprintf(e.tweet_id, sizeof e.tweet_id, "%d", 5000 + i % 400);
		e.category = i % 3;
		e.action = (enum lw_action)(i % 3);
		snprintf(e.user.id, sizeof e.user.id, "%d", 100000 + (i * 7919) % 20000);
		e.user.handle = xasprintf("handle%d", i % 20000);
		e.user.name = xstrdup("Some Name");
		e.user.bio = xstrdup("Building things at a startup. Previously at a big company.");
		e.bucket = (enum lw_bucket)(i % BK__COUNT);
		e.text = e.action ? xstrdup("gm, congrats on the launch, this looks great") : NULL;
		e.first_seen_at_ms = T0 + i * 1000LL;
		struct event_batch b = {.eng = &e, .neng = 1};
		agg_apply(a, &b);
		lw_engagement_done(&e);
	}
	size_t held = agg_campaign(a, "big")->neng; /* distinct ones */
	ck_assert_uint_gt(held, (size_t)n / 2);
	size_t per = agg_memory(a) / held;
	ck_assert_msg(per <= 200, "%zu bytes per engagement", per);
	agg_free(a);
}
END_TEST

/* ---- against a real devdb ---- */

static struct tu_devdb *db;

static void
db_setup(void)
{
	db = tu_devdb_start(NULL, 0);
}

static void
db_teardown(void)
{
	tu_devdb_free(db);
}

/* Applies a loaded batch to the agg in arg and frees it. */
static void
push_apply(struct event_batch *b, void *arg)
{
	agg_apply(arg, b);
	event_batch_free(b);
}

START_TEST(test_rebuild_equals_incremental)
{
	struct store *s = NULL;
	char *cause = NULL;
	ck_assert_msg(store_open(db->uri, "aggtest", &s, &cause) == 0, "%s", cause);
	struct launch l;
	launch_make(&l, "c9", 600, 24, 99);
	/* write the first 400 engagements and 16 rounds of slices */
	ck_assert_msg(seed_engagements(s, l.eng, 400, &cause) == 0, "%s", cause);
	ck_assert_msg(seed_slices(s, l.sl, 16 * NTWEETS, &cause) == 0, "%s", cause);
	/* writing them again changes nothing */
	ck_assert_msg(seed_engagements(s, l.eng, 400, &cause) == 0, "%s", cause);

	struct agg *inc = agg_new(), *reb = agg_new();
	for (size_t i = 0; i < 400; i += 37)
		apply_range(inc, &l, i, i + 37 < 400 ? i + 37 : 400, 0, 0);
	for (size_t i = 0; i < 16 * NTWEETS; i += 5)
		apply_range(inc, &l, 0, 0, i, i + 5 < 16 * NTWEETS ? i + 5 : 16 * NTWEETS);
	ck_assert_msg(store_agg_load(s, "c9", 0, 0, 50, push_apply, reb, &cause) == 0, "%s", cause);
	char *d1 = digest(inc, "c9"), *d2 = digest(reb, "c9");
	assert_same(d1, d2);
	free(d1);
	free(d2);

	/* another process writes the rest; a poll past the watermark catches up */
	struct agg_campaign *c = agg_campaign(reb, "c9");
	int64_t ew = c->eng_watermark_ms, sw = c->slice_watermark_ms;
	ck_assert_int_gt(ew, 0);
	ck_assert_msg(seed_engagements(s, l.eng + 400, l.neng - 400, &cause) == 0, "%s", cause);
	ck_assert_msg(
	    seed_slices(s, l.sl + 16 * NTWEETS, l.nsl - 16 * NTWEETS, &cause) == 0, "%s", cause);
	apply_range(inc, &l, 400, l.neng, 16 * NTWEETS, l.nsl);
	ck_assert_msg(
	    store_agg_load(s, "c9", ew, sw, 1000, push_apply, reb, &cause) == 0, "%s", cause);
	d1 = digest(inc, "c9");
	d2 = digest(reb, "c9");
	assert_same(d1, d2);
	free(d1);
	free(d2);
	ck_assert_int_eq(store_count(s, "engagements", "c9", &cause), (int64_t)c->neng);

	/* alerts and jobs read back */
	ck_assert(seed_alert(s, "c9", "1007", "user7", ACT_REPLY, tweet_ids[0], "slack",
	              "failed: HTTP 500", T0, &cause) == 0);
	struct agg_alert *al;
	size_t nal;
	ck_assert_msg(store_agg_alerts(s, "c9", 10, &al, &nal, &cause) == 0, "%s", cause);
	ck_assert_uint_eq(nal, 1);
	char st[64];
	ck_assert_str_eq(
	    alert_delivery_format(al[0].status, al[0].why, st, sizeof st), "failed: HTTP 500");
	ck_assert_str_eq(al[0].handle, "user7");
	agg_set_alerts(reb, "c9", al, nal);
	agg_free(inc);
	agg_free(reb);
	launch_free(&l);
	store_free(s);
}
END_TEST

static Suite *
agg_suite(void)
{
	Suite *s = suite_create("agg");
	TCase *tc = tcase_create("model");
	tcase_add_test(tc, test_counts_match_brute_force);
	tcase_add_test(tc, test_incremental_equals_one_batch);
	tcase_add_test(tc, test_bucket_follows_newest_engagement);
	tcase_add_test(tc, test_status_jobs_alerts);
	tcase_add_test(tc, test_stored_job_states_shown);
	tcase_add_test(tc, test_memory_per_engagement);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	TCase *td = tcase_create("devdb");
	tcase_add_checked_fixture(td, db_setup, db_teardown);
	tcase_set_timeout(td, 90);
	tcase_add_test(td, test_rebuild_equals_incremental);
	suite_add_tcase(s, td);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(agg_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
