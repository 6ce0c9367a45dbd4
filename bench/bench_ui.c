/*
 * bench_ui: the console's benchmark (issue 5), no terminal and no database
 * needed. Builds the aggregates from 1,000,000 engagements on 400 tweets
 * (plus a day of 5-minute metric slices per tweet) and reports the memory
 * the aggregates hold per engagement, the rebuild time (applying the rows
 * in batches, as the start-up rebuild does after reading them), the time to
 * render a full frame at 120x40 and 220x60 through the draw layer, and the
 * key-to-redraw latency of the UI loop's step (drain up to 64 batches,
 * handle a key, render; the drain stops after 256 batches or 15 ms) while a producer thread pushes batches as fast as it
 * can. Usage: bench_ui [ENGAGEMENTS] [TWEETS]. Single-purpose; main thread
 * plus one producer thread.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/agg.h"
#include "console/draw.h"
#include "api/jsonapi.h"
#include "console/keys.h"
#include "engine/queue.h"
#include "console/dialog.h"
#include "console/pane.h"
#include "console/ui_state.h"
#include "base/util.h"

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

/* Fills e with engagement number i of a launch on ntweets tweets. */
static void
make_eng(struct lw_engagement *e, int i, int ntweets, int nusers)
{
	memset(e, 0, sizeof *e);
	snprintf(e->campaign_id, sizeof e->campaign_id, "bench-0001");
	int t = (int)(rnd() % (uint64_t)ntweets);
	snprintf(e->tweet_id, sizeof e->tweet_id, "18600000000000%05d", t);
	e->category = t % 3;
	e->action = (enum lw_action)(rnd() % 3);
	int u = (int)(rnd() % (uint64_t)nusers);
	snprintf(e->user.id, sizeof e->user.id, "%d", 100000000 + u);
	e->user.handle = xasprintf("user_%d", u);
	e->user.name = xasprintf("User Number %d", u);
	e->user.bio = xstrdup("Founder @somewhere. Angel investor. Building developer tools, "
	                      "previously at a large company. Opinions my own.");
	e->user.followers = (int64_t)(rnd() % 500000);
	e->bucket = (enum lw_bucket)(rnd() % BK__COUNT);
	e->importance = (int)(rnd() % 101);
	e->text = e->action == ACT_RETWEET ? NULL
	                                   : xstrdup("Congrats on the launch! This is exactly what "
	                                             "we needed, cannot wait to try it out.");
	e->first_seen_at_ms = T0 + (int64_t)i * 86; /* a day for a million */
}

/* Builds a batch of n engagements starting at number first. */
static struct event_batch *
make_batch(int first, int n, int ntweets, int nusers)
{
	struct event_batch *b = xcalloc(1, sizeof *b);
	b->eng = xcalloc((size_t)n, sizeof *b->eng);
	b->neng = (size_t)n;
	for (int i = 0; i < n; i++)
		make_eng(&b->eng[i], first + i, ntweets, nusers);
	return b;
}

struct producer {
	struct queue *q;
	atomic_int stop;
	int ntweets, nusers, next;
};

/* Pushes batches of 100 new engagements as fast as the queue takes them. */
static void *
produce(void *arg)
{
	struct producer *p = arg;
	while (!atomic_load(&p->stop)) {
		if (queue_length(p->q) > 256) { /* a worker waits on the network too */
			struct timespec ts = {0, 200000};
			nanosleep(&ts, NULL);
			continue;
		}
		queue_push(p->q, make_batch(p->next, 100, p->ntweets, p->nusers));
		p->next += 100;
	}
	return NULL;
}

/* Orders doubles. */
static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	int neng = argc > 1 ? atoi(argv[1]) : 1000000;
	int ntweets = argc > 2 ? atoi(argv[2]) : 400;
	int nusers = neng / 5 > 1000 ? neng / 5 : 1000;
	printf("bench_ui: %d engagements, %d tweets, %d accounts\n", neng, ntweets, nusers);

	/* prepare the rows first so the rebuild time counts only agg_apply */
	int per = 1000, nb = (neng + per - 1) / per;
	struct event_batch **bs = xcalloc((size_t)nb, sizeof *bs);
	for (int i = 0; i < nb; i++)
		bs[i] = make_batch(
		    i * per, neng - i * per < per ? neng - i * per : per, ntweets, nusers);
	int nsl = ntweets * 288;
	struct event_batch *sb = xcalloc(1, sizeof *sb);
	sb->slices = xcalloc((size_t)nsl, sizeof *sb->slices);
	sb->nslices = (size_t)nsl;
	for (int i = 0; i < nsl; i++) {
		struct lw_slice *s = &sb->slices[i];
		snprintf(s->campaign_id, sizeof s->campaign_id, "bench-0001");
		snprintf(s->tweet_id, sizeof s->tweet_id, "18600000000000%05d", i % ntweets);
		s->category = (i % ntweets) % 3;
		s->seq = i / ntweets + 1;
		s->at_ms = T0 + (int64_t)(i / ntweets) * 300000;
		s->deltas = (struct lw_metrics){(int64_t)(rnd() % 50), (int64_t)(rnd() % 10),
		    (int64_t)(rnd() % 10), (int64_t)(rnd() % 3), (int64_t)(rnd() % 5000), 1};
	}

	size_t rss0 = rss_bytes();
	struct agg *a = agg_new();
	int64_t t = now_ns();
	for (int i = 0; i < nb; i++)
		agg_apply(a, bs[i]);
	agg_apply(a, sb);
	double rebuild_ms = (double)(now_ns() - t) / 1e6;
	size_t rss1 = rss_bytes();
	struct agg_campaign *c = a->campaigns[0];
	size_t mem = agg_memory(a);
	printf("engagements held: %zu (distinct), accounts: %zu\n", c->neng, a->nusers);
	printf("memory per engagement: %.1f bytes (agg_memory), %.1f bytes (RSS growth)\n",
	    (double)mem / (double)c->neng, (double)(rss1 - rss0) / (double)c->neng);
	printf("rebuild (apply %d batches + %d slices): %.0f ms\n", nb, nsl, rebuild_ms);
	for (int i = 0; i < nb; i++)
		event_batch_free(bs[i]);
	free(bs);
	event_batch_free(sb);

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
			ms[f] = (double)(now_ns() - s) / 1e6;
		}
		qsort(ms, (size_t)frames, sizeof ms[0], cmp_d);
		printf("full frame %dx%d: median %.2f ms, max %.2f ms\n", sizes[k][0], sizes[k][1],
		    ms[frames / 2], ms[frames - 1]);
		draw_grid_free(g);
	}
	/* a filter that matches few rows makes the feed scan further back */
	ui_filter_parse("bucket=media action=quote min=99", &u.filter, NULL);
	struct draw_grid *g = draw_grid_new(220, 60, false);
	int64_t s0 = now_ns();
	ui_render(&u, g);
	printf("full frame 220x60 with a narrow feed filter: %.2f ms\n",
	    (double)(now_ns() - s0) / 1e6);
	memset(&u.filter, 0, sizeof u.filter);

	/* the --http endpoint's snapshot, built on the UI thread: from scratch,
	 * and again after one more engagement (the campaign's part is rebuilt) */
	{
		double sm[20];
		struct jsonapi_snap *prev = NULL;
		for (int i = 0; i < 20; i++) {
			int64_t s = now_ns();
			struct jsonapi_snap *next = jsonapi_snap_build(a, prev, u.now_ms);
			sm[i] = (double)(now_ns() - s) / 1e6;
			jsonapi_snap_unref(prev);
			prev = next;
			c->version++; /* as a new batch would */
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
		double per_answer = (double)(now_ns() - s) / 1e6 / 1000;
		jsonapi_snap_unref(prev);
		qsort(sm, 20, sizeof sm[0], cmp_d);
		printf("JSON snapshot build (aggregates %zu bytes + 1000 engagers): median %.2f ms, "
		       "max %.2f ms; an engagers answer (limit 1000, one bucket): %.3f ms\n",
		    agg_bytes, sm[10], sm[19], per_answer);
	}

	/* key-to-redraw while a producer ingests at full rate */
	struct producer p = {queue_new(), 0, ntweets, nusers, neng};
	pthread_t th;
	pthread_create(&th, NULL, produce, &p);
	double lat[200];
	size_t applied = 0;
	for (int i = 0; i < 200; i++) {
		int64_t s = now_ns();
		/* the UI loop's cap per tick: 256 batches or 15 ms (src/console/ui.c) */
		for (int k = 0; k < 256 && now_ns() - s < 15000000; k++) {
			struct event_batch *b = queue_pop(p.q);
			if (b == NULL)
				break;
			agg_apply(a, b);
			applied += b->neng;
			event_batch_free(b);
		}
		keys_handle(&u, i % 2 ? 'm' : 'd');
		ui_render(&u, g);
		lat[i] = (double)(now_ns() - s) / 1e6;
	}
	atomic_store(&p.stop, 1);
	pthread_join(th, NULL);
	qsort(lat, 200, sizeof lat[0], cmp_d);
	printf("key-to-redraw while ingesting (%zu engagements applied meanwhile): median %.2f ms, "
	       "p99 %.2f ms, max %.2f ms\n",
	    applied, lat[100], lat[197], lat[199]);
	char *row = draw_row_text(g, 4);
	printf("(a rendered row: %s)\n", row);
	free(row);
	draw_grid_free(g);
	queue_free(p.q);
	ui_done(&u);
	agg_free(a);
	return 0;
}
