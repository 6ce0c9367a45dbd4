/*
 * stress_once: `make stress` (not in CI). Twenty rounds of back-to-back
 * `launchwatch run --once` with no sleep between runs, some of them
 * SIGKILLed at random moments, against the simulator's harshest fault mix
 * (overlapping pages, phantom next pages, 429s, 5xx, malformed bodies,
 * short pages, cursors that expire after 3 s) while its clock runs. After
 * each round the clock stops and runs go on until one exits 0; then the
 * stored engagements, baselines and slices must equal /_sim/truth exactly,
 * the prepared aggregates must equal a recomputation (ing_check_prepared),
 * and the useful list requests (answered 200 with a whole body) must stay
 * within ceil(delta / page) + 1 per walk (the clock runs during the runs,
 * so a list may be walked by several runs of a round; the walks are
 * counted from the engine's log), plus what a kill or a refused
 * cursor costs on its own: one page per worker per kill, one page per
 * restart below what a walk stored (replies, quotes), the walked pages of a
 * retweeters walk that started over. Prints one table row per round
 * (docs/benchmarks.md has the table). STRESS_ROUNDS and STRESS_SEED change
 * the defaults (20, 1); STRESS_LOG=FILE keeps the engine's log. Main thread owns the world; a ticker thread only
 * moves the simulator's clock.
 */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "ing_support.h"
#include "sim/sim.h"
#include "base/util.h"

#define OVERLAP 2
#define WORKERS 3

/* The smallest number of new items a page brings: the provider's page
 * less the simulator's short-page shortfall and the overlap. */
static const int64_t page_eff[3] = {93 - OVERLAP, 17 - OVERLAP, 20 - OVERLAP};
static const char *const kinds[3] = {"retweets", "replies", "quotes"};
static const char *const endpoints[3] = {"retweeters", "replies", "quotes"};

/* The ticker: moves the simulator's clock in real time while it runs. */
struct ticker {
	struct sim *sim;
	atomic_bool on;
	pthread_t th;
};

/* Advances the clock 50 ms every 50 ms until stopped. */
static void *
ticker_main(void *arg)
{
	struct ticker *t = arg;
	while (atomic_load(&t->on)) {
		struct timespec ts = {0, 50 * 1000000L};
		nanosleep(&ts, NULL);
		sim_advance(t->sim, 50);
	}
	return NULL;
}

/* Reads each tweet's retweets, replies and quotes from the truth. */
static void
truth_counts(struct ing_world *w, int64_t c[NTWEETS][3])
{
	json_t *truth = ing_sim_call(w, "GET", "/_sim/truth");
	json_t *tweets = json_object_get(truth, "tweets");
	for (int t = 0; t < NTWEETS; t++)
		for (int k = 0; k < 3; k++)
			c[t][k] = ing_jint2(json_array_get(tweets, (size_t)t), "metrics", kinds[k]);
	json_decref(truth);
}

/* Counts in the run log since offset the walks that ended (a walk that
 * resumed and then walked down from page one again is two) and the walks
 * that started over after a refused cursor; returns the new offset. */
static size_t
log_scan(struct ing_world *w, size_t off, int64_t *walks, int64_t *restarts)
{
	char *path = xasprintf("%s/launchwatch/run.log", w->dir), *text = NULL, *cause = NULL;
	size_t len = 0;
	*walks = *restarts = 0;
	if (file_read_all(path, &text, &len, &cause) != 0) {
		free(cause);
		free(path);
		return off;
	}
	for (char *line = text + (off < len ? off : len); line && *line;) {
		char *end = strchr(line, '\n');
		if (end)
			*end = '\0';
		if (strstr(line, ": cursor refused after") ||
		    strstr(line, ": cursor too old to try"))
			(*restarts)++;
		if (strstr(line, " pages, ") && strstr(line, ", stop: ") &&
		    (strstr(line, ": delta") || strstr(line, ": backfill")))
			*walks += strstr(line, " + delta: ") ? 2 : 1;
		line = end ? end + 1 : NULL;
	}
	free(text);
	free(path);
	return len;
}

START_TEST(stress_rounds)
{
	struct ing_world w;
	struct sim_opts o;
	const char *e = getenv("STRESS_ROUNDS");
	int rounds = e ? atoi(e) : 20;
	e = getenv("STRESS_SEED");
	unsigned seed = e ? (unsigned)strtoul(e, NULL, 10) : 1u;
	srand(seed);
	sim_opts_init(&o);
	o.seed = 7000 + seed;
	o.rate = 40;
	o.overlap = OVERLAP;
	o.phantom_next_page = true;
	o.short_pages = true;
	o.fault_429_every = 9;
	o.fault_5xx_every = 7;
	o.fault_malformed_every = 11;
	o.expire_cursors_s = 3;
	ing_world_start(&w, &o, "20");
	struct ticker tk = {.sim = w.sim};
	size_t log_off = 0;
	int64_t all_useful = 0, all_bound = 0, all_requests = 0;
	int all_kills = 0;
	printf("| round | new engagements | runs | killed | walks | restarts | list requests | "
	       "useful | bound | faults 429/5xx/malformed/cursor | exact |\n");
	printf("|---|---|---|---|---|---|---|---|---|---|---|\n");
	for (int round = 0; round < rounds; round++) {
		int64_t before[NTWEETS][3] = {{0}}, after[NTWEETS][3];
		if (round > 0) /* the first round walks everything: the backfill */
			truth_counts(&w, before);
		size_t engs_before = round ? ing_check_exact(&w) : 0;
		json_decref(ing_sim_call(&w, "POST", "/_sim/reset-stats"));
		/* new engagements: from a few to several pages per list */
		ing_advance(&w, 30 + rand() % 570);
		/* runs back to back while the clock runs; some are killed */
		atomic_store(&tk.on, true);
		ck_assert_int_eq(pthread_create(&tk.th, NULL, ticker_main, &tk), 0);
		int runs = 0, kills = 0, nkill = 1 + rand() % 3;
		for (int i = 0; i < nkill + 1; i++, runs++) {
			int t = i < nkill ? 200 + rand() % 2500 : 120000;
			int st = ing_run_once(&w, t);
			kills += st == -1;
		}
		atomic_store(&tk.on, false);
		pthread_join(tk.th, NULL);
		/* the clock stopped: bring everything current */
		int st = -1;
		for (int i = 0; i < 4 && st != 0; i++, runs++)
			st = ing_run_once(&w, 120000);
		ck_assert_msg(st == 0, "round %d: the last run exited %d", round, st);
		size_t engs = ing_check_exact(&w);
		ing_check_prepared(&w);
		truth_counts(&w, after);
		json_t *stats = ing_sim_call(&w, "GET", "/_sim/stats");
		int64_t restarts, walks;
		log_off = log_scan(&w, log_off, &walks, &restarts);
		/* ceil(delta / page) per list, plus one page per walk (the page
		 * that reaches the watermark, or the phantom last page) */
		int64_t useful = 0, bound = walks, requests = 0;
		for (int k = 0; k < 3; k++) {
			useful += ing_jint2(stats, "useful", endpoints[k]);
			requests += ing_jint2(stats, "requests", endpoints[k]);
			for (int t = 0; t < NTWEETS; t++) {
				int64_t d = after[t][k] - before[t][k];
				if (d > 0)
					bound += ing_ceil_div(d, page_eff[k]);
			}
		}
		/* what kills and restarts cost on their own: a page in flight per
		 * worker per kill; a restart's first page, or for retweeters (no
		 * time filter) the pages of the walk it started over */
		int64_t allowance = (int64_t)kills * WORKERS + restarts * 4;
		printf("| %d | %zu | %d | %d | %lld | %lld | %lld | %lld | %lld (+%lld) | "
		       "%lld/%lld/%lld/%lld | yes |\n",
		    round + 1, engs - engs_before, runs, kills, (long long)walks,
		    (long long)restarts, (long long)requests, (long long)useful, (long long)bound,
		    (long long)allowance, (long long)ing_jint2(stats, "faults", "429"),
		    (long long)ing_jint2(stats, "faults", "5xx"),
		    (long long)ing_jint2(stats, "faults", "malformed"),
		    (long long)ing_jint2(stats, "faults", "cursor"));
		fflush(stdout);
		ck_assert_msg(useful <= bound + allowance,
		    "round %d: %lld useful list requests, bound %lld + %lld", round + 1,
		    (long long)useful, (long long)bound, (long long)allowance);
		json_decref(stats);
		all_useful += useful;
		all_bound += bound;
		all_requests += requests;
		all_kills += kills;
	}
	printf("\ntotal: %d kills, %lld list requests, %lld useful, bound %lld (ratio %.2f)\n",
	    all_kills, (long long)all_requests, (long long)all_useful, (long long)all_bound,
	    all_bound ? (double)all_useful / (double)all_bound : 0.0);
	const char *keep = getenv("STRESS_LOG");
	if (keep) { /* the engine's log, for a look at what the runs did */
		char *cmd = xasprintf("cp %s/launchwatch/run.log '%s'", w.dir, keep);
		ck_assert_int_eq(system(cmd), 0);
		free(cmd);
	}
	ing_world_stop(&w);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("stress_once");
	TCase *tc = tcase_create("stress");
	tcase_set_timeout(tc, 7200);
	tcase_add_test(tc, stress_rounds);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
