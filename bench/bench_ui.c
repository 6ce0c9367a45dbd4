/*
 * bench_ui: the console's benchmark, no terminal and no database needed.
 * The console starts from a campaign's prepared summary, so this builds
 * the prepared state of 1,000,000 engagements on 400 tweets from 200,000
 * accounts (plus a day of 5-minute metric slices per tweet) as an engine
 * would, and reports: the summary's size and the time to decode it (the
 * reader's work at start, after its two `_id` reads); the time to build
 * the console's model from it (the first frame's data) and the memory the
 * model holds (which does not grow with the engagements); the time to
 * render a full frame at 120x40 and 220x60 through the draw layer; the
 * JSON endpoint's snapshot build; and the key-to-redraw latency of the UI
 * loop's step while the reader hands over the change log's new records
 * (100 per step) and a new summary every fourth step. Usage: bench_ui
 * [ENGAGEMENTS] [TWEETS]. Single-purpose; main thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/jsonapi.h"
#include "base/util.h"
#include "console/dialog.h"
#include "console/draw.h"
#include "console/keys.h"
#include "console/pane.h"
#include "console/ui_state.h"
#include "model/agg.h"
#include "model/prep.h"

#define T0 1796133600000LL /* 2026-12-01T14:00:00Z */

static uint64_t rng = 88172645463325252ULL;

/* Returns the next pseudo-random number (xorshift). */
static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Returns a monotonic time in nanoseconds. */
static int64_t
now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Returns the milliseconds since t (now_ns). */
static double
ms_since(int64_t t)
{
	return (double)(now_ns() - t) / 1e6;
}

/* Returns the resident set size in bytes. */
static size_t
rss_bytes(void)
{
	long pages = 0, res = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &res) != 2)
			res = 0;
		fclose(f);
	}
	return (size_t)res * 4096;
}

/* Fills e with engagement record number i of a launch on ntweets tweets. */
static void
make_eng(struct prep_eng *e, int i, int ntweets, int nusers)
{
	memset(e, 0, sizeof *e);
	int t = (int)(rnd() % (uint64_t)ntweets);
	snprintf(e->tweet_id, sizeof e->tweet_id, "18600000000000%05d", t);
	e->category = (uint8_t)(t % 3);
	e->action = (uint8_t)(rnd() % 3);
	int u = (int)(rnd() % (uint64_t)nusers);
	snprintf(e->user_id, sizeof e->user_id, "%d", 100000000 + u);
	e->handle = xasprintf("user_%d", u);
	e->name = xasprintf("User Number %d", u);
	e->followers = (int64_t)(rnd() % 500000);
	e->bucket = (uint8_t)(rnd() % BK__COUNT);
	e->importance = (uint8_t)(rnd() % 101);
	e->snippet = xstrdup(e->action == ACT_RETWEET ? ""
	                                              : "Congrats on the launch! This is exactly "
	                                                "what we needed, cannot wait to try it.");
	e->first_seen_at_ms = T0 + (int64_t)i * 86; /* a day for a million */
	e->at_ms = e->first_seen_at_ms;
}

/* Orders doubles. */
static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Applies a campaign document listing the ntweets tweets to a. */
static void
set_campaign(struct agg *a, int ntweets)
{
	struct campaign c;
	memset(&c, 0, sizeof c);
	snprintf(c.id, sizeof c.id, "bench-0001");
	c.status = CS_ACTIVE;
	c.cfg.name = (char *)"Bench launch";
	c.cfg.start_s = T0 / 1000;
	c.cfg.end_s = T0 / 1000 + 7 * 86400;
	c.cfg.tweets = xcalloc((size_t)ntweets, sizeof *c.cfg.tweets);
	c.cfg.ntweets = (size_t)ntweets;
	for (int t = 0; t < ntweets; t++) {
		snprintf(c.cfg.tweets[t].id, sizeof c.cfg.tweets[t].id, "18600000000000%05d", t % 100000);
		c.cfg.tweets[t].category = (enum tweet_category)(t % 3);
	}
	agg_set_campaign(a, &c);
	free(c.cfg.tweets);
}

int
main(int argc, char **argv)
{
	int neng = argc > 1 ? atoi(argv[1]) : 1000000;
	int ntweets = argc > 2 ? atoi(argv[2]) : 400;
	int nusers = neng / 5 > 1000 ? neng / 5 : 1000;
	printf("bench_ui: %d engagements, %d tweets, %d accounts\n", neng, ntweets, nusers);

	/* the engine's side: the prepared state, as the aggregator keeps it */
	struct prep *p = prep_new("bench-0001");
	int64_t t = now_ns();
	struct prep_eng e;
	for (int i = 0; i < neng; i++) {
		make_eng(&e, i, ntweets, nusers);
		prep_apply_eng(p, &e, (uint64_t)(i / 500 + 1));
		prep_eng_done(&e);
	}
	int nsl = ntweets * 288;
	for (int i = 0; i < nsl; i++) {
		struct prep_slice s;
		memset(&s, 0, sizeof s);
		snprintf(s.tweet_id, sizeof s.tweet_id, "18600000000000%05d", i % ntweets);
		s.category = (uint8_t)((i % ntweets) % 3);
		s.seq = i / ntweets + 1;
		s.at_ms = T0 + (int64_t)(i / ntweets) * 300000;
		const int64_t d[PREP_METRICS] = {(int64_t)(rnd() % 50), (int64_t)(rnd() % 10),
		    (int64_t)(rnd() % 10), (int64_t)(rnd() % 3), (int64_t)(rnd() % 5000), 1};
		memcpy(s.d, d, sizeof d);
		prep_apply_slice(p, &s);
	}
	prep_set_seq(p, (uint64_t)(neng / 500 + 1));
	size_t accts, pairs;
	prep_counts(p, &accts, &pairs);
	printf("prepared state (the engine's): %zu engagements, %zu accounts, built in %.0f ms "
	       "(%.1f bytes per engagement)\n",
	    pairs, accts, ms_since(t), (double)prep_memory(p) / (double)pairs);
	struct prep_summary sum;
	t = now_ns();
	prep_summary_build(p, T0 + 86400000LL, &sum);
	double build_ms = ms_since(t);
	struct sbuf b;
	sbuf_init(&b);
	prep_summary_encode(&b, &sum);
	prep_summary_done(&sum);
	printf("summary: built in %.1f ms, %zu bytes stored\n", build_ms, b.len);

	/* the console's side: decode (the reader) and build the model (the UI) */
	size_t rss0 = rss_bytes();
	double dec[20], mod[20];
	struct agg *a = NULL;
	for (int k = 0; k < 20; k++) {
		agg_free(a);
		t = now_ns();
		char *cause = NULL;
		if (prep_summary_decode(b.s, b.len, &sum, &cause) != 0) {
			fprintf(stderr, "bench_ui: %s\n", cause);
			return 1;
		}
		dec[k] = ms_since(t);
		t = now_ns();
		a = agg_new();
		set_campaign(a, ntweets);
		agg_set_summary(a, "bench-0001", &sum);
		mod[k] = ms_since(t);
	}
	qsort(dec, 20, sizeof dec[0], cmp_d);
	qsort(mod, 20, sizeof mod[0], cmp_d);
	printf("first frame's data: decode the summary %.2f ms, build the model %.2f ms (medians)\n",
	    dec[10], mod[10]);
	struct prep_eng *recs = xcalloc(AGG_FEED_MAX, sizeof *recs);
	for (int i = 0; i < AGG_FEED_MAX; i++)
		make_eng(&recs[i], neng + i, ntweets, nusers);
	agg_feed_add(a, "bench-0001", recs, AGG_FEED_MAX);
	struct agg_campaign *c = a->campaigns[0];
	size_t mem = agg_memory(a);
	printf("console model: %zu bytes (%zu feed rows, %.2f bytes per stored engagement), RSS "
	       "growth %zu KB\n",
	    mem, c->nfeed, (double)mem / (double)pairs, (rss_bytes() - rss0) / 1024);

	struct ui u;
	ui_init(&u, a);
	u.now_ms = T0 + 86400000LL;
	static const int sizes[][2] = {{120, 40}, {220, 60}};
	for (size_t k = 0; k < 2; k++) {
		struct draw_grid *g = draw_grid_new(sizes[k][0], sizes[k][1], false);
		int frames = 50;
		double ms[50];
		for (int f = 0; f < frames; f++) {
			u.metric = f % METRIC_CHOICES; /* vary the chart a little */
			int64_t s = now_ns();
			ui_render(&u, g);
			ms[f] = ms_since(s);
		}
		qsort(ms, (size_t)frames, sizeof ms[0], cmp_d);
		printf("full frame %dx%d: median %.2f ms, max %.2f ms\n", sizes[k][0], sizes[k][1],
		    ms[frames / 2], ms[frames - 1]);
		draw_grid_free(g);
	}
	/* a filter that matches few rows makes the feed scan its whole ring */
	ui_filter_parse("bucket=media action=quote min=99", &u.filter, NULL);
	struct draw_grid *g = draw_grid_new(220, 60, false);
	int64_t s0 = now_ns();
	ui_render(&u, g);
	printf("full frame 220x60 with a narrow feed filter: %.2f ms\n", ms_since(s0));
	memset(&u.filter, 0, sizeof u.filter);

	/* the --http endpoint's snapshot, built on the UI thread: from scratch,
	 * and again after the campaign changed (its part is rebuilt) */
	{
		double sm[20];
		struct jsonapi_snap *prev = NULL;
		for (int i = 0; i < 20; i++) {
			int64_t s = now_ns();
			struct jsonapi_snap *next = jsonapi_snap_build(a, prev, u.now_ms);
			sm[i] = ms_since(s);
			jsonapi_snap_unref(prev);
			prev = next;
			c->version++; /* as new records would */
		}
		struct jsonapi_reply r;
		jsonapi_answer(prev, "/api/campaigns/bench-0001/aggregates", NULL, NULL, &r);
		size_t agg_bytes = strlen(r.body);
		free(r.body);
		int64_t s = now_ns();
		for (int i = 0; i < 1000; i++) {
			jsonapi_answer(prev, "/api/campaigns/bench-0001/engagers", "1000", "investor", &r);
			free(r.body);
		}
		double per_answer = ms_since(s) / 1000;
		jsonapi_snap_unref(prev);
		qsort(sm, 20, sizeof sm[0], cmp_d);
		printf("JSON snapshot build (aggregates %zu bytes + 1000 engagers): median %.2f ms, "
		       "max %.2f ms; an engagers answer (limit 1000, one bucket): %.3f ms\n",
		    agg_bytes, sm[10], sm[19], per_answer);
	}

	/* key-to-redraw while the reader hands over new records and summaries:
	 * the summaries are decoded beforehand (the reader's thread does that) */
	enum { STEPS = 200 };
	struct prep_summary *sums = xcalloc(STEPS / 4, sizeof *sums);
	for (int i = 0; i < STEPS / 4; i++)
		prep_summary_decode(b.s, b.len, &sums[i], NULL);
	double lat[STEPS];
	size_t handed = 0;
	int next = neng + AGG_FEED_MAX;
	struct prep_eng add[100];
	for (int i = 0; i < STEPS; i++) {
		for (int k = 0; k < 100; k++)
			make_eng(&add[k], next++, ntweets, nusers);
		int64_t s = now_ns();
		agg_feed_add(a, "bench-0001", add, 100);
		if (i % 4 == 0)
			agg_set_summary(a, "bench-0001", &sums[i / 4]);
		keys_handle(&u, i % 2 ? 'm' : 'd');
		ui_render(&u, g);
		lat[i] = ms_since(s);
		handed += 100;
		for (int k = 0; k < 100; k++)
			prep_eng_done(&add[k]);
	}
	qsort(lat, STEPS, sizeof lat[0], cmp_d);
	printf("key-to-redraw while the log brings records (%zu handed over, a summary every "
	       "4th step): median %.2f ms, p99 %.2f ms, max %.2f ms\n",
	    handed, lat[STEPS / 2], lat[STEPS * 99 / 100], lat[STEPS - 1]);
	char *row = draw_row_text(g, 4);
	printf("(a rendered row: %s)\n", row);
	free(row);
	for (int i = 0; i < STEPS / 4; i++)
		prep_summary_done(&sums[i]);
	free(sums);
	for (int i = 0; i < AGG_FEED_MAX; i++)
		prep_eng_done(&recs[i]);
	free(recs);
	draw_grid_free(g);
	ui_done(&u);
	agg_free(a);
	sbuf_done(&b);
	prep_free(p);
	return 0;
}
