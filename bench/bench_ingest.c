/*
 * bench_ingest: the ingest engine's benchmark (issue 4). One campaign of 400
 * tweets on the in-process simulator (frozen clock) and a real database
 * (BENCH_MONGODB_URI, e.g. a devdb; a fresh database per run). Runs the
 * engine in this process like `run --once`: first the backfill, then a
 * steady-state cycle after the simulator's clock moved on. Prints, for each:
 * wall time, requests by endpoint, the minimum (ceil(delta/page) per walk
 * that moved, plus ceil(400/100) metrics calls) and the excess, engagements
 * stored per second, and the achieved request rate against LAUNCHWATCH_QPS
 * (default here 50) with the provider's 429 count.
 *
 * Usage: BENCH_MONGODB_URI=mongodb://127.0.0.1:PORT/ bench_ingest [TWEETS]
 * [RATE_PER_MIN] [ADVANCE_S]   (defaults 400, 6, 60). Main thread plus the
 * engine's and the simulator's threads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "model/campaign.h"
#include "model/classify.h"
#include "config/config.h"
#include "net/http.h"
#include "engine/scheduler.h"
#include "sim/sim.h"
#include "store/store.h"
#include "base/util.h"
#include "provider/xapi.h"

static char base[64];

/* Dies with a message. */
static void
die(const char *what, const char *cause)
{
	fprintf(stderr, "bench_ingest: %s: %s\n", what, cause ? cause : "failed");
	exit(1);
}

/* Calls a simulator endpoint and returns its JSON (caller decrefs). */
static json_t *
sim_call(const char *method, const char *path)
{
	struct http_client *h = http_client_new();
	struct http_response r;
	char *cause = NULL;
	char *url = xasprintf("%s%s", base, path);
	if (http_request(h, method, url, NULL, &r, &cause) != 0)
		die(path, cause);
	json_t *j = json_loadb(r.body, r.len, 0, NULL);
	if (j == NULL)
		die(path, "not JSON");
	http_response_done(&r);
	http_client_free(h);
	free(url);
	return j;
}

/* Returns o[a][b] as an integer. */
static int64_t
jint2(json_t *o, const char *a, const char *b)
{
	return json_integer_value(json_object_get(json_object_get(o, a), b));
}

/* Returns the minimum requests from truth before -> after: per tweet and
 * list, ceil(delta/page) when it moved, plus one metrics call per 100. */
static int64_t
minimum(json_t *before, json_t *after, int tweets)
{
	static const char *const field[3] = {"retweets", "replies", "quotes"};
	static const int64_t page[3] = {100, 20, 20};
	int64_t min = (tweets + 99) / 100;
	json_t *tb = before ? json_object_get(before, "tweets") : NULL;
	json_t *ta = json_object_get(after, "tweets");
	for (size_t t = 0; t < json_array_size(ta); t++)
		for (int k = 0; k < 3; k++) {
			int64_t d = jint2(json_array_get(ta, t), "metrics", field[k]);
			if (tb)
				d -= jint2(json_array_get(tb, t), "metrics", field[k]);
			if (d > 0)
				min += (d + page[k] - 1) / page[k];
		}
	return min;
}

/* Runs the engine once over every due job; prints one phase's figures. */
static void
phase(const char *name, struct store *s, const struct sched_opts *o, json_t *before, int tweets,
    double qps)
{
	char *cause = NULL;
	json_decref(sim_call("POST", "/_sim/reset-stats"));
	json_t *truth = sim_call("GET", "/_sim/truth");
	int64_t t0 = clock_mono_ms();
	struct sched *sc = sched_new(s, o);
	if (sched_start(sc, &cause) != 0)
		die("sched_start", cause);
	struct sched_stats st;
	int rc = sched_wait(sc, &st);
	int64_t ms = clock_mono_ms() - t0;
	sched_free(sc);
	json_t *stats = sim_call("GET", "/_sim/stats");
	int64_t req = json_integer_value(json_object_get(stats, "provider_requests"));
	int64_t min = minimum(before, truth, tweets);
	double secs = (double)ms / 1000.0;
	printf("%s: exit %d, %.1f s, %lld requests (tweets %lld, retweeters %lld, replies %lld, "
	       "quotes %lld), minimum %lld, over the minimum %lld (%.1f%%)\n",
	    name, rc, secs, (long long)req, (long long)jint2(stats, "requests", "tweets"),
	    (long long)jint2(stats, "requests", "retweeters"),
	    (long long)jint2(stats, "requests", "replies"),
	    (long long)jint2(stats, "requests", "quotes"), (long long)min, (long long)(req - min),
	    min ? 100.0 * (double)(req - min) / (double)min : 0.0);
	printf("%s: %zu new engagements (%.0f stored/s), %zu slices, %zu jobs ok (%zu skipped), "
	       "%lld credits; %.1f requests/s against LAUNCHWATCH_QPS=%g, provider 429s %lld\n",
	    name, st.new_engagements, secs > 0 ? (double)st.new_engagements / secs : 0.0, st.slices,
	    st.jobs_ok, st.jobs_skipped,
	    (long long)json_integer_value(json_object_get(stats, "credits_used")),
	    secs > 0 ? (double)req / secs : 0.0, qps, (long long)jint2(stats, "faults", "429"));
	json_decref(stats);
	json_decref(truth);
}

int
main(int argc, char **argv)
{
	int tweets = argc > 1 ? atoi(argv[1]) : 400;
	double rate = argc > 2 ? atof(argv[2]) : 6.0;
	int advance = argc > 3 ? atoi(argv[3]) : 60;
	const char *uri = getenv("BENCH_MONGODB_URI");
	char *cause = NULL;
	if (uri == NULL || tweets < 1) {
		fprintf(stderr,
		    "usage: BENCH_MONGODB_URI=URI bench_ingest [TWEETS] [RATE] [ADVANCE_S]\n");
		return 64;
	}
	setenv("LAUNCHWATCH_QPS", getenv("LAUNCHWATCH_QPS") ? getenv("LAUNCHWATCH_QPS") : "50", 1);
	double qps = atof(getenv("LAUNCHWATCH_QPS"));

	struct sim_opts so;
	sim_opts_init(&so);
	so.tweets = tweets;
	so.rate = rate;
	so.frozen = true;
	struct sim *sim = sim_start(&so, &cause);
	if (sim == NULL)
		die("sim_start", cause);
	snprintf(base, sizeof base, "http://127.0.0.1:%d", sim_port(sim));
	setenv("TWITTERAPI_BASE_URL", base, 1);

	char dbname[64];
	snprintf(dbname, sizeof dbname, "lw_bench_%ld", (long)getpid());
	struct store *s;
	if (store_open(uri, dbname, &s, &cause) != 0)
		die("store_open", cause);

	struct sbuf y;
	sbuf_init(&y);
	sbuf_addstr(&y, "campaigns:\n  - name: Bench ingest\n"
	                "    window: {start: 2020-01-01T00:00:00Z, duration: 20000d}\n"
	                "    tweets:\n      main: [");
	for (int i = 0; i < tweets; i++)
		sbuf_printf(&y, "%s%s", i ? ", " : "", sim_tweet_id(sim, i));
	sbuf_addstr(&y, "]\n    cadence: {metrics: 1s, retweets: 1s, replies: 1s, quotes: 1s}\n");
	struct cfg_file *cf;
	if (config_load_string("bench.yaml", y.s, y.len, &cf, &cause) != 0)
		die("campaign", cause);
	sbuf_done(&y);
	struct store_upsert_result ur;
	if (store_campaign_upsert(s, &cf->campaigns[0], clock_now_ms(), &ur, &cause) != 0)
		die("campaign upsert", cause);
	config_free(cf);

	struct xapi_config xcfg;
	xapi_config_init(&xcfg);
	if (xapi_config_from_env(&xcfg, &cause) != 0)
		die("xapi config", cause);
	struct classify_rules *rules = classify_rules_default();
	struct sched_opts o;
	sched_opts_init(&o);
	o.once = true;
	o.workers = 4;
	o.rules = rules;
	o.xcfg = &xcfg;

	printf("bench_ingest: %d tweets, %.1f engagements/min/tweet, database %s, "
	       "LAUNCHWATCH_QPS=%g, 4 workers\n",
	    tweets, rate, store_describe(s), qps);
	phase("backfill", s, &o, NULL, tweets, qps);
	json_t *before = sim_call("GET", "/_sim/truth");
	char path[64];
	snprintf(path, sizeof path, "/_sim/advance?secs=%d", advance);
	json_decref(sim_call("POST", path));
	usleep(1100 * 1000); /* the 1 s cadences come due */
	char name[48];
	snprintf(name, sizeof name, "steady (+%d s)", advance);
	phase(name, s, &o, before, tweets, qps);
	json_decref(before);

	classify_rules_free(rules);
	xapi_config_done(&xcfg);
	store_free(s);
	sim_free(sim);
	return 0;
}
