/*
 * Tests of agg, the console's model, without a database: a summary built
 * from a synthetic launch shows the numbers counted here by brute force
 * (unique accounts per bucket by each account's best engagement, metric
 * totals, per-tweet counts, the newest engagements); the feed keeps each
 * engagement once, newest first, at most AGG_FEED_MAX, whatever order and
 * batches the change log's records come in, and sanitizes their text; job
 * health, alerts and authors; a tweet's own series read on demand; a
 * campaign without a summary says so; profiles; and memory does not grow
 * with the number of engagements.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "model/agg.h"
#include "model/prep.h"

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

/* Fills e with engagement record number i (owned strings). */
static void
make_eng(struct prep_eng *e, int i, int nusers, int ntweets)
{
	memset(e, 0, sizeof *e);
	int u = (int)(rnd() % (uint32_t)nusers), t = (int)(rnd() % (uint32_t)ntweets);
	if (ntweets == NTWEETS)
		snprintf(e->tweet_id, sizeof e->tweet_id, "%s", tweet_ids[t]);
	else
		snprintf(e->tweet_id, sizeof e->tweet_id, "%d", 5000 + t);
	e->category = (uint8_t)(t % CAT__COUNT);
	e->action = (uint8_t)(rnd() % ACT__COUNT);
	snprintf(e->user_id, sizeof e->user_id, "%d", 1000 + u);
	e->bucket = (uint8_t)(u % BK__COUNT);
	e->importance = (uint8_t)((u * 13) % 101);
	e->followers = 100 + u * 37;
	e->first_seen_at_ms = T0 + (int64_t)i * 7000;
	e->at_ms = e->action == ACT_RETWEET ? e->first_seen_at_ms : e->first_seen_at_ms - 1000;
	e->handle = xasprintf("user%d", u);
	e->name = xasprintf("User %d", u);
	e->snippet = xstrdup(e->action == ACT_RETWEET ? "" : "congrats");
}

/* A synthetic launch as change-log records: engagements (each (tweet,
 * account, action) once) and metric slices. */
struct launch {
	struct prep_eng *e;
	size_t ne;
	struct prep_slice *s;
	size_t ns;
};

/* Builds up to n distinct engagements and m slices per tweet from seed. */
static void
launch_make(struct launch *l, int n, int m, uint64_t seed)
{
	rng_state = seed;
	l->e = xcalloc((size_t)n, sizeof *l->e);
	l->ne = 0;
	bool *seen = xcalloc(NUSERS * NTWEETS * ACT__COUNT, sizeof *seen);
	for (int i = 0; i < n; i++) {
		struct prep_eng *e = &l->e[l->ne];
		make_eng(e, i, NUSERS, NTWEETS);
		int key =
		    ((atoi(e->user_id) - 1000) * NTWEETS + e->category) * ACT__COUNT + e->action;
		if (seen[key]) {
			prep_eng_done(e);
			continue;
		}
		seen[key] = true;
		l->ne++;
	}
	free(seen);
	l->ns = (size_t)(m * NTWEETS);
	l->s = xcalloc(l->ns ? l->ns : 1, sizeof *l->s);
	for (int k = 0; k < m; k++)
		for (int t = 0; t < NTWEETS; t++) {
			struct prep_slice *s = &l->s[k * NTWEETS + t];
			snprintf(s->tweet_id, sizeof s->tweet_id, "%s", tweet_ids[t]);
			s->category = (uint8_t)t;
			s->seq = k + 1;
			s->at_ms = T0 + (int64_t)k * 300000;
			const int64_t d[PREP_METRICS] = {k * 3 + t, k, k / 2, 1, 1000 + k * 10, t};
			memcpy(s->d, d, sizeof d);
		}
}

/* Frees a launch. */
static void
launch_free(struct launch *l)
{
	for (size_t i = 0; i < l->ne; i++)
		prep_eng_done(&l->e[i]);
	free(l->e);
	free(l->s);
}

/* Builds the summary of the first ne engagements and every slice of l. */
static void
summary_of(const struct launch *l, size_t ne, struct prep_summary *out)
{
	struct prep *p = prep_new("c1");
	for (size_t i = 0; i < ne; i++)
		prep_apply_eng(p, &l->e[i], i / 10 + 1);
	for (size_t i = 0; i < l->ns; i++)
		prep_apply_slice(p, &l->s[i]);
	prep_set_seq(p, ne / 10 + 1);
	prep_summary_build(p, T0, out);
	prep_free(p);
}

/* Applies a campaign document listing the three tweets to a. */
static void
set_campaign(struct agg *a, const char *id)
{
	struct campaign c;
	memset(&c, 0, sizeof c);
	snprintf(c.id, sizeof c.id, "%s", id);
	c.cfg.name = (char *)"Launch";
	c.cfg.start_s = T0 / 1000;
	c.cfg.end_s = T0 / 1000 + 86400;
	struct cfg_tweet t[NTWEETS];
	memset(t, 0, sizeof t);
	for (int i = 0; i < NTWEETS; i++) {
		snprintf(t[i].id, sizeof t[i].id, "%s", tweet_ids[i]);
		t[i].category = (enum tweet_category)i;
	}
	c.cfg.tweets = t;
	c.cfg.ntweets = NTWEETS;
	agg_set_campaign(a, &c);
}

START_TEST(test_summary_numbers_match_brute_force)
{
	struct launch l;
	launch_make(&l, 600, 12, 7);
	struct prep_summary s;
	summary_of(&l, l.ne, &s);
	struct agg *a = agg_new();
	set_campaign(a, "c1");
	struct agg_campaign *c = agg_campaign(a, "c1");
	ck_assert_int_eq(c->prep, AGG_PREP_LOADING);
	agg_set_summary(a, "c1", &s);
	ck_assert_ptr_null(s.tweets); /* taken */
	ck_assert_int_eq(c->prep, AGG_PREP_READY);

	/* each account counts once, in the bucket of its best engagement
	 * (importance, then the smallest tweet id, then the smallest action) */
	int64_t uniq[BK__COUNT] = {0}, total = 0;
	for (int u = 0; u < NUSERS; u++) {
		const struct prep_eng *best = NULL;
		char uid[16];
		snprintf(uid, sizeof uid, "%d", 1000 + u);
		for (size_t i = 0; i < l.ne; i++) {
			const struct prep_eng *e = &l.e[i];
			if (strcmp(e->user_id, uid) != 0)
				continue;
			if (best == NULL || e->importance > best->importance ||
			    (e->importance == best->importance &&
			        (strcmp(e->tweet_id, best->tweet_id) < 0 ||
			            (strcmp(e->tweet_id, best->tweet_id) == 0 &&
			                e->action < best->action))))
				best = e;
		}
		if (best) {
			uniq[best->bucket]++;
			total++;
		}
	}
	ck_assert_int_eq(agg_unique_total(c), total);
	for (int b = 0; b < BK__COUNT; b++)
		ck_assert_int_eq(c->sum.uniq[b], uniq[b]);
	/* tweets: metric totals from the slices, engagements per action */
	for (int t = 0; t < NTWEETS; t++) {
		int ti = agg_tweet_index(c, tweet_ids[t]);
		ck_assert_int_eq(ti, t); /* the campaign document's order */
		int64_t views = 0, eng[ACT__COUNT] = {0};
		for (size_t i = 0; i < l.ns; i++)
			if (strcmp(l.s[i].tweet_id, tweet_ids[t]) == 0)
				views += l.s[i].d[M_VIEWS];
		for (size_t i = 0; i < l.ne; i++)
			if (strcmp(l.e[i].tweet_id, tweet_ids[t]) == 0)
				eng[l.e[i].action]++;
		ck_assert_int_eq(c->tweets[ti].total[M_VIEWS], views);
		for (int k = 0; k < ACT__COUNT; k++)
			ck_assert_int_eq(c->tweets[ti].eng[k], eng[k]);
		ck_assert(c->tweets[ti].listed);
	}
	/* the feed starts with the summary's newest engagements */
	ck_assert_uint_eq(c->nfeed, PREP_LATEST_MAX);
	for (size_t i = 1; i < c->nfeed; i++)
		ck_assert_int_lt(prep_eng_newer(&c->feed[i - 1], &c->feed[i]), 0);
	const struct prep_eng *newest = &l.e[0];
	for (size_t i = 1; i < l.ne; i++)
		if (prep_eng_newer(&l.e[i], newest) < 0)
			newest = &l.e[i];
	ck_assert_uint_eq(agg_eng_key(&c->feed[0]), agg_eng_key(newest));
	/* the same summary again changes nothing but the version */
	char *d1 = agg_digest(c);
	summary_of(&l, l.ne, &s);
	agg_set_summary(a, "c1", &s);
	char *d2 = agg_digest(c);
	ck_assert_str_eq(d1, d2);
	free(d1);
	free(d2);
	agg_free(a);
	launch_free(&l);
}
END_TEST

/* Returns copies of records v[from..to) in reverse (the caller frees). */
static struct prep_eng *
reversed(const struct prep_eng *v, size_t from, size_t to)
{
	struct prep_eng *r = xcalloc(to - from + 1, sizeof *r);
	for (size_t i = from; i < to; i++)
		prep_eng_copy(&r[to - 1 - i], &v[i]);
	return r;
}

/* Frees n records and their array. */
static void
recs_free(struct prep_eng *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		prep_eng_done(&v[i]);
	free(v);
}

START_TEST(test_feed_order_and_batches_do_not_matter)
{
	struct launch l;
	launch_make(&l, 4000, 0, 11); /* more distinct engagements than the feed keeps */
	ck_assert_uint_gt(l.ne, AGG_FEED_MAX);
	struct prep_summary s1, s2;
	summary_of(&l, 300, &s1);
	summary_of(&l, 300, &s2);
	struct agg *a = agg_new(), *b = agg_new();
	agg_set_summary(a, "c1", &s1);
	agg_set_summary(b, "c1", &s2);
	/* a: the log's records one entry of 25 at a time, some twice */
	for (size_t i = 250; i < l.ne; i += 25)
		agg_feed_add(a, "c1", l.e + i, i + 25 < l.ne ? 25 : l.ne - i);
	ck_assert_uint_eq(agg_feed_add(a, "c1", l.e + 300, 50), 0);
	/* b: all of them at once, in reverse */
	struct prep_eng *r = reversed(l.e, 0, l.ne);
	agg_feed_add(b, "c1", r, l.ne);
	recs_free(r, l.ne);
	struct agg_campaign *ca = agg_campaign(a, "c1"), *cb = agg_campaign(b, "c1");
	ck_assert_uint_eq(ca->nfeed, AGG_FEED_MAX);
	char *da = agg_digest(ca), *db = agg_digest(cb);
	ck_assert_str_eq(da, db);
	free(da);
	free(db);
	/* the AGG_FEED_MAX newest of all, newest first, each once */
	struct prep_eng *all = reversed(l.e, 0, l.ne), *none = NULL;
	size_t n = 0, cap = 0;
	ck_assert_uint_eq(agg_eng_merge(&none, &n, &cap, all, l.ne, AGG_FEED_MAX), AGG_FEED_MAX);
	for (size_t i = 0; i < AGG_FEED_MAX; i++)
		ck_assert_uint_eq(agg_eng_key(&ca->feed[i]), agg_eng_key(&none[i]));
	long at = agg_feed_find(ca, agg_eng_key(&none[17]));
	ck_assert_int_eq(at, 17);
	ck_assert_int_eq(agg_feed_find(ca, 12345), -1);
	recs_free(none, n);
	free(all);
	/* an unchanged feed keeps its version */
	uint64_t v = ca->version;
	agg_feed_add(a, "c1", l.e, 10);
	ck_assert_uint_eq(ca->version, v);
	agg_free(a);
	agg_free(b);
	launch_free(&l);
}
END_TEST

START_TEST(test_feed_text_is_sanitized)
{
	struct agg *a = agg_new();
	struct prep_summary s;
	memset(&s, 0, sizeof s);
	agg_set_summary(a, "c1", &s);
	struct prep_eng e;
	rng_state = 3;
	make_eng(&e, 1, 10, NTWEETS);
	free(e.handle);
	free(e.name);
	free(e.snippet);
	e.handle = xstrdup("evil\x1b]0;pwned\x07");
	e.name = xstrdup("\x1b[2JRed\x1b[31m");
	e.snippet = xstrdup("hi\x1b[H there");
	e.category = CAT__COUNT; /* a row the model cannot name: dropped */
	ck_assert_uint_eq(agg_feed_add(a, "c1", &e, 1), 0);
	e.category = CAT_MAIN;
	ck_assert_uint_eq(agg_feed_add(a, "c1", &e, 1), 1);
	struct agg_campaign *c = agg_campaign(a, "c1");
	ck_assert_str_eq(c->feed[0].handle, "evil");
	ck_assert_str_eq(c->feed[0].name, "Red");
	ck_assert_str_eq(c->feed[0].snippet, "hi there");
	struct agg_filter f = {0};
	ck_assert(agg_filter_match(&f, &c->feed[0]));
	f.buckets = 1u << ((e.bucket + 1) % BK__COUNT);
	ck_assert(!agg_filter_match(&f, &c->feed[0]));
	f.buckets = 1u << e.bucket;
	f.min_importance = e.importance + 1;
	ck_assert(!agg_filter_match(&f, &c->feed[0]));
	f.min_importance = 0;
	f.actions = 1u << e.action;
	f.categories = 1u << CAT_MAIN;
	ck_assert(agg_filter_match(&f, &c->feed[0]));
	prep_eng_done(&e);
	agg_free(a);
}
END_TEST

START_TEST(test_preparing_then_ready)
{
	struct agg *a = agg_new();
	set_campaign(a, "c1");
	struct agg_campaign *c = agg_campaign(a, "c1");
	uint64_t v = c->version;
	agg_set_preparing(a, "c1");
	ck_assert_int_eq(c->prep, AGG_PREP_PREPARING);
	ck_assert_uint_gt(c->version, v);
	v = c->version;
	agg_set_preparing(a, "c1"); /* again: nothing changed */
	ck_assert_uint_eq(c->version, v);
	struct launch l;
	launch_make(&l, 50, 2, 5);
	struct prep_summary s;
	summary_of(&l, l.ne, &s);
	agg_set_summary(a, "c1", &s);
	ck_assert_int_eq(c->prep, AGG_PREP_READY);
	ck_assert_int_gt(agg_unique_total(c), 0);
	agg_free(a);
	launch_free(&l);
}
END_TEST

START_TEST(test_tweet_series_on_demand)
{
	struct agg *a = agg_new();
	set_campaign(a, "c1");
	struct agg_campaign *c = agg_campaign(a, "c1");
	ck_assert(agg_tweet_ask(c, 1));
	ck_assert(!agg_tweet_ask(c, 1)); /* asked already */
	ck_assert(!agg_tweet_ask(c, 99));
	struct series m[M__COUNT];
	memset(m, 0, sizeof m);
	agg_set_tweet_series(a, "c1", tweet_ids[1], m, false);
	ck_assert_int_eq(c->tweets[1].load, AGG_LOAD_FAILED);
	ck_assert(!agg_tweet_ask(c, 1)); /* not again until the next summary */
	struct prep_summary s;
	memset(&s, 0, sizeof s);
	agg_set_summary(a, "c1", &s);
	ck_assert(agg_tweet_ask(c, 1));
	series_add(&m[M_VIEWS], T0 / SERIES_HOUR_MS, 500);
	series_add(&m[M_VIEWS], T0 / SERIES_HOUR_MS + 1, 70);
	agg_set_tweet_series(a, "c1", tweet_ids[1], m, true);
	ck_assert_int_eq(m[M_VIEWS].n, 0); /* taken */
	ck_assert_int_eq(c->tweets[1].load, AGG_LOAD_READY);
	ck_assert_int_eq(series_total(&c->tweets[1].m[M_VIEWS]), 570);
	ck_assert(!agg_tweet_ask(c, 1));
	/* a failed read later keeps what was read */
	agg_set_tweet_series(a, "c1", tweet_ids[1], m, false);
	ck_assert_int_eq(c->tweets[1].load, AGG_LOAD_READY);
	/* unknown campaigns and tweets: the values are freed, nothing else */
	series_add(&m[M_LIKES], 5, 1);
	agg_set_tweet_series(a, "c1", "999", m, true);
	series_add(&m[M_LIKES], 5, 1);
	agg_set_tweet_series(a, "nope", tweet_ids[0], m, true);
	agg_free(a);
}
END_TEST

START_TEST(test_status_jobs_alerts)
{
	struct agg *a = agg_new();
	set_campaign(a, "c3");
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
}
END_TEST

START_TEST(test_loading_until_first_complete_read)
{
	struct agg *a = agg_new();
	set_campaign(a, "c4");
	struct agg_campaign *c = agg_campaign(a, "c4");
	ck_assert(agg_loading(c)); /* no summary yet */
	struct prep_summary s;
	memset(&s, 0, sizeof s);
	agg_set_summary(a, "c4", &s);
	ck_assert(!agg_loading(c)); /* scheduled: nothing is being read */
	c->status = CS_ACTIVE;
	ck_assert(agg_loading(c)); /* live, its jobs not read yet */
	struct agg_jobrow rows[NTWEETS * JOB__COUNT];
	memset(rows, 0, sizeof rows);
	for (int i = 0; i < NTWEETS * JOB__COUNT; i++) {
		snprintf(
		    rows[i].tweet_id, sizeof rows[i].tweet_id, "%s", tweet_ids[i / JOB__COUNT]);
		rows[i].kind = (enum job_kind)(i % JOB__COUNT);
		rows[i].job = (struct agg_job){JS_OK, T0, 0, 1, 1, NULL};
	}
	rows[5].job = (struct agg_job){JS_BACKFILL, 0, 0, 3, 3, NULL}; /* first walk running */
	agg_set_jobs(a, "c4", rows, NTWEETS * JOB__COUNT);
	ck_assert(agg_loading(c));
	rows[5].job = (struct agg_job){JS_ERROR, 0, 0, 3, 3, xstrdup("HTTP 500")};
	agg_set_jobs(a, "c4", rows, NTWEETS * JOB__COUNT);
	ck_assert(!agg_loading(c)); /* a failure is reported, not loading forever */
	rows[5].job = (struct agg_job){JS_OK, T0, 0, 3, 3, NULL};
	agg_set_jobs(a, "c4", rows, NTWEETS * JOB__COUNT);
	ck_assert(!agg_loading(c));
	c->close_requested_ms = T0;
	ck_assert(!agg_loading(c));
	agg_free(a);
}
END_TEST

START_TEST(test_cpm_from_settings)
{
	struct agg *a = agg_new();
	set_campaign(a, "c5");
	struct agg_campaign *c = agg_campaign(a, "c5");
	struct agg_cpm p;
	agg_cpm(c, &p);
	ck_assert(!p.has_paid && !p.has_spend);
	struct prep_summary s;
	memset(&s, 0, sizeof s);
	s.total[CAT_MAIN][M_VIEWS] = 10000;
	s.total[CAT_INFLUENCER][M_VIEWS] = 2000;
	s.total[CAT_INVESTOR][M_VIEWS] = -5; /* never counted below zero */
	agg_set_summary(a, "c5", &s);
	/* settings as the form saves them: a new campaign document */
	struct campaign cp;
	memset(&cp, 0, sizeof cp);
	snprintf(cp.id, sizeof cp.id, "c5");
	cp.cfg.name = (char *)"Launch";
	cp.cfg.cpm.has_benchmark[CAT_MAIN] = cp.cfg.cpm.has_benchmark[CAT_INVESTOR] = true;
	cp.cfg.cpm.benchmark_usd[CAT_MAIN] = 10;
	cp.cfg.cpm.benchmark_usd[CAT_INVESTOR] = 1000;
	cp.cfg.cpm.has_spend[CAT_INFLUENCER] = true;
	cp.cfg.cpm.spend_usd[CAT_INFLUENCER] = 150;
	agg_set_campaign(a, &cp);
	agg_cpm(c, &p);
	ck_assert(p.has_paid && p.has_spend);
	ck_assert_double_eq_tol(p.paid_usd, 100, 1e-9);
	ck_assert_double_eq_tol(p.spend_usd, 150, 1e-9);
	ck_assert_double_eq_tol(p.savings_usd, -50, 1e-9);
	agg_free(a);
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

START_TEST(test_profile_from_rows_and_documents)
{
	struct prep_eng e;
	rng_state = 9;
	make_eng(&e, 4, 10, NTWEETS);
	struct agg_profile *p = agg_profile_from_eng("c1", &e);
	ck_assert_int_eq(p->state, AGG_LOAD_ASKED);
	ck_assert_str_eq(p->handle, e.handle);
	ck_assert_str_eq(p->user_id, e.user_id);
	ck_assert_int_eq(p->importance, e.importance);
	/* stored documents: sanitized, newest first */
	struct lw_engagement d;
	for (int i = 0; i < 3; i++) {
		memset(&d, 0, sizeof d);
		snprintf(d.tweet_id, sizeof d.tweet_id, "%s", tweet_ids[i]);
		snprintf(d.user.id, sizeof d.user.id, "%s", e.user_id);
		d.action = i == 1 ? ACT_REPLY : ACT_RETWEET;
		d.user.handle = xstrdup("new_handle");
		d.user.name = xstrdup("Name\x1b]2;x\x07");
		d.user.bio = xstrdup("\x1b[H\x1b[2Jbio\x1b]2;pwned\x07 here");
		d.user.following = 7;
		d.text = i == 1 ? xstrdup("nice\x1b[31m one") : NULL;
		d.importance = 40 + i;
		d.first_seen_at_ms = T0 + (i == 2 ? -5000 : i * 1000);
		agg_profile_add(p, &d);
		if (i == 0)
			agg_profile_set_user(p, &d);
		lw_engagement_done(&d);
	}
	ck_assert_uint_eq(p->neng, 3);
	ck_assert_str_eq(p->eng[0].tweet_id, tweet_ids[1]);
	ck_assert_str_eq(p->eng[0].text, "nice one");
	ck_assert_str_eq(p->eng[2].tweet_id, tweet_ids[2]);
	ck_assert_str_eq(p->bio, "bio here");
	ck_assert_str_eq(p->name, "Name");
	ck_assert_int_eq(p->following, 7);
	agg_profile_free(p);
	struct prep_top t;
	memset(&t, 0, sizeof t);
	snprintf(t.user_id, sizeof t.user_id, "42");
	t.handle = (char *)"top\x1b[1m";
	t.name = (char *)"Top";
	t.actions[ACT_REPLY] = 2;
	t.actions[ACT_QUOTE] = 1;
	p = agg_profile_from_top("c1", &t);
	ck_assert_str_eq(p->handle, "top");
	ck_assert_uint_eq(p->total, 3);
	agg_profile_free(p);
	agg_profile_free(NULL);
	prep_eng_done(&e);
}
END_TEST

/* Returns the model's bytes after a summary of n engagements (from n / 5
 * accounts on 400 tweets) and 3000 change-log records. */
static size_t
memory_at(int n)
{
	rng_state = 77;
	struct prep *p = prep_new("big");
	struct prep_eng e;
	for (int i = 0; i < n; i++) {
		make_eng(&e, i, n / 5, 400);
		prep_apply_eng(p, &e, 0);
		prep_eng_done(&e);
	}
	struct prep_summary s;
	prep_summary_build(p, T0, &s);
	prep_free(p);
	struct agg *a = agg_new();
	agg_set_summary(a, "big", &s);
	for (int i = 0; i < 3000; i++) {
		make_eng(&e, n + i, n / 5, 400);
		agg_feed_add(a, "big", &e, 1);
		prep_eng_done(&e);
	}
	ck_assert_uint_eq(agg_campaign(a, "big")->nfeed, AGG_FEED_MAX);
	size_t m = agg_memory(a);
	agg_free(a);
	return m;
}

START_TEST(test_memory_does_not_grow_with_engagements)
{
	size_t small = memory_at(20000), big = memory_at(200000);
	ck_assert_msg(big < small + small / 4, "%zu bytes at 20k, %zu at 200k", small, big);
	ck_assert_msg(big < 1024 * 1024, "%zu bytes", big);
}
END_TEST

static Suite *
agg_suite(void)
{
	Suite *s = suite_create("agg");
	TCase *tc = tcase_create("model");
	tcase_add_test(tc, test_summary_numbers_match_brute_force);
	tcase_add_test(tc, test_feed_order_and_batches_do_not_matter);
	tcase_add_test(tc, test_feed_text_is_sanitized);
	tcase_add_test(tc, test_preparing_then_ready);
	tcase_add_test(tc, test_tweet_series_on_demand);
	tcase_add_test(tc, test_status_jobs_alerts);
	tcase_add_test(tc, test_loading_until_first_complete_read);
	tcase_add_test(tc, test_cpm_from_settings);
	tcase_add_test(tc, test_stored_job_states_shown);
	tcase_add_test(tc, test_profile_from_rows_and_documents);
	tcase_add_test(tc, test_memory_does_not_grow_with_engagements);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
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
