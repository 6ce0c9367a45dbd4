/*
 * bench_prepared: the store side of issue 13 at the scale users reach. One
 * campaign of TWEETS tweets gets N engagements from ACCOUNTS accounts (pages
 * of 100 retweets, 20 replies, 20 quotes, classified by the built-in rules)
 * written twice on the same server (BENCH_MONGODB_URI, e.g. a devdb), by
 * four threads each:
 *   raw:    sti_engagements_insert of each page into database lw_bench_raw
 *           (the same documents, one insert_many per page, nothing else);
 *   ingest: writer_put_page through the engine's group-commit writer into
 *           lw_bench_ingest (the documents, updates of known ones, one
 *           change-log entry per group and campaign, each page's job
 *           checkpoint), as ingest does.
 * Then, on the ingest database: the aggregator's catch-up from the change
 * log, a summary read (what a console or report reads first), a rebuild
 * from the stored events, and the memory of the prepared state.
 *
 * Usage: BENCH_MONGODB_URI=mongodb://... bench_prepared [N] [TWEETS]
 * [ACCOUNTS] (defaults 1000000, 400, 200000).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "base/timestr.h"
#include "config/config.h"
#include "engine/aggregator.h"
#include "engine/prep_io.h"
#include "engine/writer.h"
#include "model/campaign.h"
#include "model/classify.h"
#include "model/event.h"
#include "model/prep.h"
#include "store/store.h"
#include "store/store_ingest.h"

#define THREADS 4

static int64_t N = 1000000, TWEETS = 400, ACCOUNTS = 200000;
static char campaign_id[CAMPAIGN_ID_MAX];
static char (*tweet_ids)[LW_ID_MAX];
static const struct classify_rules *rules;

/* Dies with a message. */
static void
die(const char *what, const char *cause)
{
	fprintf(stderr, "bench_prepared: %s: %s\n", what, cause ? cause : "failed");
	exit(1);
}

/* Returns the monotonic clock in seconds. */
static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *const bios[] = {
    "Partner at a seed fund. Investing in crypto infrastructure.",
    "Founder & CEO building the next L2. Ex-Google.",
    "ML researcher. Transformers, RL, and coffee.",
    "Full-stack developer, Rust and TypeScript. Open source maintainer.",
    "Reporter covering AI and crypto for a tech daily.",
    "Just here for the memes.",
    "Angel investor, advisor to startups, GP at a small VC.",
    "Building tools for developers. Previously at Stripe.",
};

/* One page: which tweet, which action, which slice of its users. */
struct page {
	int64_t tweet;
	enum lw_action action;
	int64_t first; /* index of the page's first engagement in its list */
	int64_t n;
};

/* Engagements per tweet and action: 70 % retweets, 20 % replies, 10 % quotes. */
static int64_t
list_len(enum lw_action a)
{
	int64_t per_tweet = N / TWEETS;
	return a == ACT_RETWEET ? per_tweet * 7 / 10
	       : a == ACT_REPLY ? per_tweet * 2 / 10
	                        : per_tweet - per_tweet * 9 / 10;
}

/* Builds page p's engagements (caller frees each and the array). */
static struct lw_engagement *
make_page(const struct page *p, int64_t t0)
{
	struct lw_engagement *v = xcalloc((size_t)p->n, sizeof *v);
	for (int64_t k = 0; k < p->n; k++) {
		struct lw_engagement *e = &v[k];
		int64_t i = p->first + k;
		/* distinct users per list: a stride coprime with ACCOUNTS */
		int64_t u = (p->tweet * 104729 + (int64_t)p->action * 7907 + i * 7919) % ACCOUNTS;
		snprintf(e->campaign_id, sizeof e->campaign_id, "%s", campaign_id);
		snprintf(e->tweet_id, sizeof e->tweet_id, "%s", tweet_ids[p->tweet]);
		e->category = (int)(p->tweet % CAT__COUNT);
		e->action = p->action;
		snprintf(
		    e->user.id, sizeof e->user.id, "%lld", (long long)(1400000000000000000LL + u));
		e->user.handle = xasprintf("user_%lld", (long long)u);
		e->user.name = xasprintf("User %lld", (long long)u);
		e->user.bio = xstrdup(bios[u % (int64_t)LW_ARRAY_LEN(bios)]);
		e->user.followers = (u * 2654435761LL) % 100000 / (1 + u % 97);
		e->user.following = 300;
		e->user.verified = u % 13 == 0;
		struct classification cl;
		classify_user(rules, &e->user, e->action, (enum tweet_category)e->category, &cl);
		e->bucket = cl.bucket;
		e->importance = cl.importance;
		e->evidence = cl.evidence;
		cl.evidence = NULL;
		classification_done(&cl);
		e->created_at_ms = t0 + i * 1000;
		if (p->action != ACT_RETWEET) {
			e->text = xasprintf("congrats on the launch #%lld", (long long)i);
			e->ref_ids = xcalloc(1, sizeof *e->ref_ids);
			e->ref_ids[0] =
			    xasprintf("1900000000%09lld", (long long)(p->tweet * 100000 + i));
			e->nref = 1;
		}
	}
	return v;
}

static struct page *pages;
static size_t npages;

/* What one thread of a run does. */
struct run {
	struct store *s;
	struct writer *w; /* NULL: raw */
	int id;
	int64_t t0;
	int64_t stored;
	char *cause;
};

/* Writes every THREADS-th page. */
static void *
run_thread(void *arg)
{
	struct run *r = arg;
	for (size_t i = (size_t)r->id; i < npages && r->cause == NULL; i += THREADS) {
		struct lw_engagement *v = make_page(&pages[i], r->t0);
		size_t n = (size_t)pages[i].n;
		bool *is_new = xcalloc(n, sizeof *is_new);
		int rc;
		if (r->w == NULL) {
			rc = sti_engagements_insert(r->s, v, n, clock_now_ms(), is_new, &r->cause);
		} else {
			char job[JOB_ID_MAX];
			snprintf(job, sizeof job, "%s:%s:%s", campaign_id, v[0].tweet_id,
			    pages[i].action == ACT_RETWEET ? "retweets"
			    : pages[i].action == ACT_REPLY ? "replies"
			                                   : "quotes");
			struct sti_job_update u;
			memset(&u, 0, sizeof u);
			u.next_run_at_ms = -1;
			u.lease_until_ms = clock_now_ms() + 60000;
			u.set_cursor = true;
			u.cursor = "bench-cursor";
			u.backfill_done = -1;
			u.attempts = -1;
			struct writer_page pg = {.campaign_id = campaign_id,
			    .eng = v,
			    .n = n,
			    .now_ms = clock_now_ms(),
			    .above = n,
			    .is_new = is_new,
			    .job_id = job,
			    .checkpoint = &u};
			rc = writer_put_page(r->w, r->s, &pg, &r->cause);
		}
		for (size_t k = 0; rc == 0 && k < n; k++)
			r->stored += is_new[k];
		for (size_t k = 0; k < n; k++)
			lw_engagement_done(&v[k]);
		free(v);
		free(is_new);
	}
	return NULL;
}

/* Runs the writes with THREADS threads; returns the seconds taken. */
static double
run_all(struct store *s, struct writer *w, int64_t *stored)
{
	pthread_t th[THREADS];
	struct run r[THREADS];
	int64_t t0 = clock_now_ms() - 48 * 3600 * 1000LL;
	double start = now_s();
	for (int i = 0; i < THREADS; i++) {
		r[i] = (struct run){.s = s, .w = w, .id = i, .t0 = t0};
		pthread_create(&th[i], NULL, run_thread, &r[i]);
	}
	*stored = 0;
	for (int i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
		if (r[i].cause)
			die("writing", r[i].cause);
		*stored += r[i].stored;
	}
	return now_s() - start;
}

/* Opens a new database named prefix plus the process id and time. */
static struct store *
open_db(const char *uri, const char *prefix)
{
	struct store *s = NULL;
	char *cause = NULL;
	char *db = xasprintf(
	    "%s_%ld_%lld", prefix, (long)getpid(), (long long)(clock_now_ms() % 100000000));
	if (store_open(uri, db, &s, &cause) != 0)
		die("opening the database", cause);
	free(db);
	return s;
}

/* Adds the campaign of TWEETS tweets. */
static void
add_campaign(struct store *s)
{
	struct sbuf y;
	sbuf_init(&y);
	char start[32];
	timestr_format_time(clock_now_ms() / 1000 - 86400, start, sizeof start);
	sbuf_printf(&y,
	    "campaigns:\n  - name: Bench launch\n    window: {start: %s, duration: 7d}\n"
	    "    tweets:\n      main: [",
	    start);
	tweet_ids = xcalloc((size_t)TWEETS, sizeof *tweet_ids);
	for (int64_t i = 0; i < TWEETS; i++) {
		snprintf(tweet_ids[i], sizeof tweet_ids[i], "%lld",
		    (long long)(1861000000000000000LL + i));
		sbuf_printf(&y, "%s%s", i ? ", " : "", tweet_ids[i]);
	}
	sbuf_addstr(&y, "]\n");
	struct cfg_file *f = NULL;
	char *cause = NULL;
	if (config_load_string("bench", y.s, y.len, &f, &cause) != 0)
		die("campaign", cause);
	struct store_upsert_result res;
	if (store_campaign_upsert(s, &f->campaigns[0], clock_now_ms(), &res, &cause) != 0)
		die("adding the campaign", cause);
	snprintf(campaign_id, sizeof campaign_id, "%s", res.id);
	config_free(f);
	sbuf_done(&y);
}

/* Lays out the pages, interleaving tweets and actions as a backfill of
 * many jobs would. */
static void
make_pages(void)
{
	static const int64_t size[ACT__COUNT] = {100, 20, 20};
	size_t cap = 0;
	for (int a = 0; a < ACT__COUNT; a++)
		cap += (size_t)(TWEETS * (list_len((enum lw_action)a) / size[a] + 1));
	pages = xcalloc(cap, sizeof *pages);
	int64_t left = 1;
	for (int64_t round = 0; left; round++) {
		left = 0;
		for (int64_t t = 0; t < TWEETS; t++)
			for (int a = 0; a < ACT__COUNT; a++) {
				int64_t len = list_len((enum lw_action)a), first = round * size[a];
				if (first >= len)
					continue;
				left = 1;
				pages[npages++] = (struct page){t, (enum lw_action)a, first,
				    first + size[a] <= len ? size[a] : len - first};
			}
	}
}

int
main(int argc, char **argv)
{
	const char *uri = getenv("BENCH_MONGODB_URI");
	if (uri == NULL)
		die("BENCH_MONGODB_URI", "not set");
	if (argc > 1)
		N = strtoll(argv[1], NULL, 10);
	if (argc > 2)
		TWEETS = strtoll(argv[2], NULL, 10);
	if (argc > 3)
		ACCOUNTS = strtoll(argv[3], NULL, 10);
	rules = classify_rules_default();
	char *cause = NULL;

	struct store *raw = open_db(uri, "lwbraw");
	struct store *s = open_db(uri, "lwbing");
	add_campaign(s);
	make_pages();
	printf("bench_prepared: %lld engagements, %lld tweets, %lld accounts, %zu pages, %d "
	       "threads, server %s\n",
	    (long long)N, (long long)TWEETS, (long long)ACCOUNTS, npages, THREADS,
	    store_describe(s));

	int64_t nraw, ning;
	double traw = run_all(raw, NULL, &nraw);
	printf("raw insert_many:   %8lld stored in %7.1f s = %7.0f/s\n", (long long)nraw, traw,
	    (double)nraw / traw);
	struct writer *w;
	struct writer_opts wo = {.store = s, .owner = "bench"};
	if (writer_start(&wo, &w, &cause) != 0)
		die("writer", cause);
	double ting = run_all(s, w, &ning);
	writer_free(w);
	printf("ingest (writer):   %8lld stored in %7.1f s = %7.0f/s  ratio to raw %.2f\n",
	    (long long)ning, ting, (double)ning / ting, traw / ting);

	/* the aggregator catches up from the change log */
	struct aggregator *a;
	struct aggregator_opts ao = {.store = s, .owner = "bench"};
	if (aggregator_start(&ao, &a, &cause) != 0)
		die("aggregator", cause);
	const char *ids[1] = {campaign_id};
	double t = now_s();
	aggregator_set_campaigns(a, ids, 1);
	if (aggregator_flush(a, campaign_id, 3600000, &cause) != 0)
		die("aggregator flush", cause);
	double tagg = now_s() - t;
	aggregator_free(a);
	printf("aggregator catch-up from the log: %7.1f s (%.0f engagements/s)\n", tagg,
	    (double)ning / tagg);

	/* what a console or report reads first */
	double best = 1e9;
	struct prep_summary sum;
	for (int i = 0; i < 5; i++) {
		t = now_s();
		if (prep_read_summary(s, campaign_id, &sum, NULL, &cause) != 0)
			die("summary", cause);
		double d = now_s() - t;
		best = d < best ? d : best;
		if (i < 4)
			prep_summary_done(&sum);
	}
	printf("summary read (2 _id reads): %.1f ms; %lld engagements, %lld unique accounts\n",
	    best * 1000, (long long)sum.engagements, (long long)sum.unique_accounts);
	if (sum.engagements != ning)
		die("summary", "does not count every stored engagement");
	prep_summary_done(&sum);

	/* a rebuild from the stored events, and the state's memory */
	t = now_s();
	if (prep_rebuild(s, campaign_id, NULL, NULL, &cause) != 0)
		die("rebuild", cause);
	printf("rebuild from stored events: %7.1f s\n", now_s() - t);
	struct prep_loaded l;
	int64_t gen = 0;
	if (prep_read_summary(s, campaign_id, &sum, &gen, &cause) != 0)
		die("summary", cause);
	prep_summary_done(&sum);
	t = now_s();
	if (prep_load(s, campaign_id, gen, &l, &cause) != 0)
		die("load", cause);
	size_t na, ne;
	prep_counts(l.p, &na, &ne);
	printf("prepared state load (aggregator start): %.1f s; %zu accounts, %zu engagements, "
	       "%.1f MB (%.0f B per engagement)\n",
	    now_s() - t, na, ne, (double)prep_memory(l.p) / 1e6,
	    (double)prep_memory(l.p) / (double)(ne ? ne : 1));
	prep_free(l.p);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("peak RSS of this process: %.0f MB\n", (double)ru.ru_maxrss / 1024);
	store_free(raw);
	store_free(s);
	return 0;
}
