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
 * from the stored events, and the memory of the prepared state. Last, the
 * reports, each a process of its own with its wall time and peak RSS: the
 * real binary's `report ID --format html` (the aggregates current), the
 * same after 10,000 more engagements with no engine running (the report
 * catches up and stores), `report ID --format csv` (the tables and the
 * engagement table of every engagement), and a close-out (this program
 * again, freezing from the summary and streaming the audit archive and the
 * report folder).
 *
 * Usage: BENCH_MONGODB_URI=mongodb://... bench_prepared [N] [TWEETS]
 * [ACCOUNTS] [SLICES] (defaults 1000000, 400, 200000, and 288 metric
 * readings per tweet, a day of 5-minute ones). LAUNCHWATCH_BIN names the
 * binary (default bin/launchwatch); BENCH_SKIP=raw,rebuild,reports leaves
 * phases out (the raw run, the rebuild, the reports); BENCH_SIM_SEED=S
 * takes the tweet ids of `launchwatch sim --seed S` (bench/bench_scale.sh).
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "base/timestr.h"
#include "config/config.h"
#include "engine/aggregator.h"
#include "engine/closeout.h"
#include "engine/prep_io.h"
#include "engine/writer.h"
#include "model/campaign.h"
#include "model/classify.h"
#include "model/event.h"
#include "model/prep.h"
#include "sim/sim_model.h"
#include "store/store.h"
#include "store/store_ingest.h"

#define THREADS 4

static int64_t N = 1000000, TWEETS = 400, ACCOUNTS = 200000;
static int64_t SLICES = 288; /* metric readings per tweet: a day of 5-minute ones */
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

static char dbname[64]; /* the ingest database's name */

/* Opens a new database named prefix plus the process id and time (its
 * name goes to dbname). */
static struct store *
open_db(const char *uri, const char *prefix)
{
	struct store *s = NULL;
	char *cause = NULL;
	snprintf(dbname, sizeof dbname, "%s_%ld_%lld", prefix, (long)getpid(),
	    (long long)(clock_now_ms() % 100000000));
	if (store_open(uri, dbname, &s, &cause) != 0)
		die("opening the database", cause);
	return s;
}

/* Returns true when BENCH_SKIP lists phase. */
static bool
skipped(const char *phase)
{
	const char *v = getenv("BENCH_SKIP");
	return v && strstr(v, phase) != NULL;
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
	/* BENCH_SIM_SEED=S: the tweets of `launchwatch sim --seed S --tweets
	 * TWEETS`, so that an engine pointed at that simulator polls tweets it
	 * knows (bench/bench_scale.sh measures a console and engine idle) */
	const char *seed = getenv("BENCH_SIM_SEED");
	struct sim_model *sm = NULL;
	if (seed && *seed) {
		struct sim_model_params mp = {.seed = strtoull(seed, NULL, 10),
		    .tweets = (int)TWEETS,
		    .accounts = 5003,
		    .head_start_s = 600};
		sm = sim_model_new(&mp, clock_now_ms());
	}
	for (int64_t i = 0; i < TWEETS; i++) {
		if (sm)
			snprintf(tweet_ids[i], sizeof tweet_ids[i], "%s", sm->tweets[i].id);
		else
			snprintf(tweet_ids[i], sizeof tweet_ids[i], "%lld",
			    (long long)(1861000000000000000LL + i));
		sbuf_printf(&y, "%s%s", i ? ", " : "", tweet_ids[i]);
	}
	sim_model_free(sm);
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

/* Writes SLICES metric readings of every tweet as ingest does: each
 * reading's slices in one insert, then its change-log entry. */
static void
write_slices(struct store *s)
{
	char *cause = NULL;
	struct sti_slice *v = xcalloc((size_t)TWEETS, sizeof *v);
	struct prep_slice *rec = xcalloc((size_t)TWEETS, sizeof *rec);
	bool *dup = xcalloc((size_t)TWEETS, sizeof *dup);
	struct lw_metrics *sum = xcalloc((size_t)TWEETS, sizeof *sum);
	int64_t t0 = clock_now_ms() - SLICES * 300000;
	for (int64_t r = 0; r < SLICES; r++) {
		for (int64_t t = 0; t < TWEETS; t++) {
			struct sti_slice *x = &v[t];
			memset(x, 0, sizeof *x);
			snprintf(x->sl.campaign_id, sizeof x->sl.campaign_id, "%s", campaign_id);
			snprintf(x->sl.tweet_id, sizeof x->sl.tweet_id, "%s", tweet_ids[t]);
			x->sl.seq = r + 1;
			x->sl.at_ms = t0 + r * 300000;
			x->sl.deltas.views = 100 + (r * 7 + t) % 400;
			x->sl.deltas.likes = (r + t) % 5;
			x->sl.deltas.retweets = (r + t) % 3 == 0;
			sum[t].views += x->sl.deltas.views;
			sum[t].likes += x->sl.deltas.likes;
			sum[t].retweets += x->sl.deltas.retweets;
			x->counts = sum[t];
			prep_slice_from(&rec[t], &x->sl);
		}
		if (sti_slices_insert(s, v, (size_t)TWEETS, dup, &cause) != 0 ||
		    writer_append(NULL, s, campaign_id, CHK_SLICES, NULL, 0, rec, (size_t)TWEETS,
		        &cause) != 0)
			die("slices", cause);
	}
	/* each tweet's baseline: the counts its slices add up to, as ingest
	 * leaves it after its last reading (so an engine's next reading is
	 * slice SLICES + 1) */
	struct sti_baseline_set *b = xcalloc((size_t)TWEETS, sizeof *b);
	for (int64_t t = 0; t < TWEETS; t++)
		b[t] = (struct sti_baseline_set){.campaign_id = campaign_id,
		    .tweet_id = tweet_ids[t],
		    .m = sum[t],
		    .seq = SLICES,
		    .first = true};
	if (sti_baselines_set(s, b, (size_t)TWEETS, clock_now_ms(), &cause) != 0)
		die("baselines", cause);
	free(b);
	free(sum);
	free(v);
	free(rec);
	free(dup);
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

/* ---- reports, each in a process of its own ---- */

/* Runs argv with MONGODB_URI and LAUNCHWATCH_DB set for the ingest
 * database, its stdout and stderr into log; prints its wall time and peak
 * RSS under label, measured by /usr/bin/time (a child forked from this
 * process would count this process's pages too). Dies when it fails. */
static void
run_child(const char *label, const char *const argv[], const char *uri, const char *log)
{
	static const char timer[] = "/usr/bin/time";
	char *tfile = xasprintf("%s.time", log);
	const char *v[32] = {timer, "-f", "%e %M", "-o", tfile};
	size_t n = 5;
	for (size_t i = 0; argv[i] && n < LW_ARRAY_LEN(v) - 1; i++)
		v[n++] = argv[i];
	v[n] = NULL;
	bool timed = access(timer, X_OK) == 0;
	double t = now_s();
	pid_t pid = fork();
	if (pid < 0)
		die("fork", label);
	if (pid == 0) {
		setenv("MONGODB_URI", uri, 1);
		setenv("LAUNCHWATCH_DB", dbname, 1);
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		execv(timed ? v[0] : argv[0], (char *const *)(timed ? v : argv));
		_exit(127);
	}
	int st;
	struct rusage ru;
	if (wait4(pid, &st, 0, &ru) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		char *cmd = xasprintf("cat %s >&2", log);
		if (system(cmd) != 0)
			fprintf(stderr, "bench_prepared: see %s\n", log);
		free(cmd);
		die(label, "failed");
	}
	double secs = now_s() - t, kb = (double)ru.ru_maxrss;
	FILE *f = timed ? fopen(tfile, "r") : NULL;
	if (f == NULL || fscanf(f, "%lf %lf", &secs, &kb) != 2)
		printf("  (no /usr/bin/time: the RSS below counts this process's pages too)\n");
	if (f)
		fclose(f);
	unlink(tfile);
	free(tfile);
	printf("%-58s %7.2f s, peak RSS %4.0f MB\n", label, secs, kb / 1024);
	fflush(stdout);
}

/* Returns the size of file path in MB (0 when absent). */
static double
file_mb(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (double)st.st_size / 1e6 : 0;
}

/* Writes count more engagements through the writer (pages of 100 retweets
 * past the benchmark's lists). */
static void
write_more(struct store *s, int64_t count)
{
	char *cause = NULL;
	for (int64_t k = 0; k * 100 < count; k++) {
		struct page p = {
		    k % TWEETS, ACT_RETWEET, list_len(ACT_RETWEET) + k / TWEETS * 100, 100};
		struct lw_engagement *v = make_page(&p, clock_now_ms() - 3600 * 1000LL);
		bool is_new[100];
		struct writer_page pg = {.campaign_id = campaign_id,
		    .eng = v,
		    .n = 100,
		    .now_ms = clock_now_ms(),
		    .above = 100,
		    .is_new = is_new};
		if (writer_put_page(NULL, s, &pg, &cause) != 0)
			die("writing more", cause);
		for (int i = 0; i < 100; i++)
			lw_engagement_done(&v[i]);
		free(v);
	}
}

/* The close-out of the campaign with no engine (a child process of its
 * own: the freeze from the caught-up summary, the archive, the report
 * folder with its engagement table). */
static int
closeout_child(const char *uri, const char *db, const char *cid, const char *root)
{
	struct store *s = NULL;
	char *cause = NULL;
	if (store_open(uri, db, &s, &cause) != 0)
		die("opening the database", cause);
	struct closeout_opts o = {.archive_root = root, .write_reports = true};
	struct closeout_result res;
	if (closeout_run(s, cid, NULL, &o, &res, &cause) != 0)
		die("close-out", cause);
	for (size_t i = 0; i < res.manifest.nfiles; i++)
		printf("%s: %lld documents, %.1f MB\n", res.manifest.files[i].name,
		    (long long)res.manifest.files[i].documents,
		    (double)res.manifest.files[i].bytes / 1e6);
	printf("archive: %s\n", res.archive_dir);
	store_free(s);
	return 0;
}

/* Times the reports of the campaign. */
static void
bench_reports(struct store *s, const char *uri)
{
	const char *bin = getenv("LAUNCHWATCH_BIN") ? getenv("LAUNCHWATCH_BIN") : "bin/launchwatch";
	char dir[] = "/tmp/lwbench-reports-XXXXXX";
	if (mkdtemp(dir) == NULL)
		die("mkdtemp", "failed");
	char *out = xasprintf("%s/out", dir), *log = xasprintf("%s/child.log", dir);
	char *root = xasprintf("%s/archives", dir);
	const char *html[] = {bin, "report", campaign_id, "--format", "html", "--out", out, NULL};
	const char *csv[] = {bin, "report", campaign_id, "--format", "csv", "--out", out, NULL};
	run_child("report --format html (aggregates current)", html, uri, log);
	run_child("report --format html (again)", html, uri, log);
	write_more(s, 10000);
	run_child("report --format html (10,000 behind, no engine: catches up)", html, uri, log);
	run_child("report --format html (after that catch-up)", html, uri, log);
	run_child("report --format csv (tables + engagement table)", csv, uri, log);
	char *path = xasprintf("%s/%s-engagements.csv", out, campaign_id);
	printf("  engagement table: %.1f MB\n", file_mb(path));
	free(path);
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0)
		die("readlink", "/proc/self/exe");
	self[n] = '\0';
	const char *co[] = {self, "--closeout", uri, dbname, campaign_id, root, NULL};
	run_child("close-out (freeze, archive, report folder)", co, uri, log);
	char *cat = xasprintf("cat %s", log);
	if (system(cat) != 0)
		fprintf(stderr, "bench_prepared: no close-out log\n");
	free(cat);
	printf("outputs under %s (remove when done)\n", dir);
	free(out);
	free(log);
	free(root);
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
	if (argc > 4)
		SLICES = strtoll(argv[4], NULL, 10);
	rules = classify_rules_default();
	char *cause = NULL;

	if (argc == 6 && strcmp(argv[1], "--closeout") == 0)
		return closeout_child(argv[2], argv[3], argv[4], argv[5]);
	struct store *raw = skipped("raw") ? NULL : open_db(uri, "lwbraw");
	struct store *s = open_db(uri, "lwbing");
	add_campaign(s);
	make_pages();
	printf("bench_prepared: %lld engagements, %lld tweets, %lld accounts, %zu pages, %d "
	       "threads, server %s\n",
	    (long long)N, (long long)TWEETS, (long long)ACCOUNTS, npages, THREADS,
	    store_describe(s));

	int64_t nraw = 0, ning;
	double traw = raw ? run_all(raw, NULL, &nraw) : 0;
	if (raw)
		printf("raw insert_many:   %8lld stored in %7.1f s = %7.0f/s\n", (long long)nraw,
		    traw, (double)nraw / traw);
	struct writer *w;
	struct writer_opts wo = {.store = s, .owner = "bench"};
	if (writer_start(&wo, &w, &cause) != 0)
		die("writer", cause);
	double ting = run_all(s, w, &ning);
	writer_free(w);
	printf("ingest (writer):   %8lld stored in %7.1f s = %7.0f/s  ratio to raw %.2f\n",
	    (long long)ning, ting, (double)ning / ting, traw / ting);
	if (SLICES > 0) {
		double tsl = now_s();
		write_slices(s);
		printf(
		    "metric slices:     %8lld stored in %7.1f s (%lld readings of %lld tweets)\n",
		    (long long)(SLICES * TWEETS), now_s() - tsl, (long long)SLICES,
		    (long long)TWEETS);
	}

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
	if (!skipped("rebuild") && prep_rebuild(s, campaign_id, NULL, NULL, &cause) != 0)
		die("rebuild", cause);
	if (!skipped("rebuild"))
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
	if (!skipped("reports"))
		bench_reports(s, uri);
	store_free(raw);
	store_free(s);
	return 0;
}
