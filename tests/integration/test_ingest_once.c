/*
 * test_ingest_once: `run --once` brings everything current (DESIGN.md
 * section 2): back-to-back runs with no sleep and long cadences are exact
 * and every tweet gets a reading from each run; a cron-like loop at the
 * cadence runs every job every tick and keeps the fixed-rate schedule; a
 * 402 is followed by a balance check and the next run resumes; a backoff
 * left by a dead process is waited for within the bounded wait or named,
 * like a lease of another engine; a second engine on one FerretDB reached
 * through MONGODB_URI does not start, while on a server with atomic claims
 * two engines at once walk every list once between them; a database that
 * hangs is logged while it hangs. Fast: the simulator's clock moves
 * instead of the tests sleeping. Runs the real binary against a real
 * database server and the in-process simulator; main thread only, except
 * a thread that stops and continues the server process and one per engine
 * of the two-engine test.
 */
#include <check.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "engine/jobs.h"
#include "ing_support.h"
#include "sim/sim.h"
#include "store/store.h"
#include "store/store_ingest.h"
#include "store/store_jobview.h"
#include "testutil.h"
#include "base/util.h"

#define NJOBS (NTWEETS * JOB__COUNT)

/* Asserts every tweet of the campaign got its metrics read at or after
 * since_ms. */
static void
assert_read_since(struct ing_world *w, int64_t since_ms)
{
	char *cause = NULL;
	for (int t = 0; t < NTWEETS; t++) {
		const char *id = sim_tweet_id(w->sim, t);
		struct sti_baseline b;
		ck_assert_msg(
		    sti_baselines_get(w->s, w->campaign_id, &id, 1, &b, &cause) == 0, "%s", cause);
		ck_assert_msg(b.metrics_at_ms >= since_ms, "tweet %s: read %lld ms before the run",
		    id, (long long)(since_ms - b.metrics_at_ms));
	}
}

/* Returns the list requests of the simulator's stats. */
static int64_t
list_requests(json_t *st)
{
	return ing_jint2(st, "requests", "retweeters") + ing_jint2(st, "requests", "replies") +
	       ing_jint2(st, "requests", "quotes");
}

/* Cadences of ten minutes and runs a moment apart: each run reads every
 * tweet and walks every list that moved (before, the second run skipped
 * every job that was not due). */
START_TEST(back_to_back_runs_are_exact)
{
	struct ing_world w;
	struct sim_opts o;
	sim_opts_init(&o);
	o.seed = 41;
	o.overlap = 1;
	o.phantom_next_page = true;
	ing_world_start(&w, &o, "50");
	ing_campaign_add_cadence(&w, NTWEETS, "10m");
	for (int round = 0; round < 5; round++) {
		int64_t before = clock_now_ms();
		ck_assert_int_eq(ing_run_once(&w, 60000), 0);
		ing_check_exact(&w);
		assert_read_since(&w, before);
		ing_advance(&w, 7 + 11 * round);
	}
	/* nothing moved since the last run: one metrics request, no walk */
	ck_assert_int_eq(ing_run_once(&w, 60000), 0);
	json_decref(ing_sim_call(&w, "POST", "/_sim/reset-stats"));
	ck_assert_int_eq(ing_run_once(&w, 60000), 0);
	json_t *st = ing_sim_call(&w, "GET", "/_sim/stats");
	ck_assert_int_eq(ing_jint2(st, "requests", "tweets"), 1);
	ck_assert_int_eq(list_requests(st), 0);
	json_decref(st);
	ing_check_prepared(&w);
	ing_world_stop(&w);
}
END_TEST

/* cron at the cadence interval: every tick runs every job, and the
 * schedule stays on its ticks (next_run_at = first tick + k cadences). */
START_TEST(cron_loop_runs_every_job_every_tick)
{
	struct ing_world w;
	struct sim_opts o;
	sim_opts_init(&o);
	o.seed = 42;
	ing_world_start(&w, &o, "50");
	ing_campaign_add_cadence(&w, NTWEETS, "1m");
	size_t n;
	struct stj_job *v = ing_jobs_read(&w, &n);
	int64_t first[NJOBS] = {0};
	for (size_t i = 0; i < n; i++)
		first[i] = v[i].next_run_at_ms;
	stj_jobs_free(v, n);
	for (int tick = 0; tick < 4; tick++) {
		int64_t before = clock_now_ms();
		ck_assert_int_eq(ing_run_once(&w, 60000), 0);
		ing_check_exact(&w);
		assert_read_since(&w, before);
		v = ing_jobs_read(&w, &n);
		for (size_t i = 0; i < n; i++) {
			ck_assert_msg(v[i].last_success_ms >= before, "tick %d: %s did not run",
			    tick, v[i].id);
			ck_assert_msg((v[i].next_run_at_ms - first[i]) % 60000 == 0,
			    "%s: next run %lld ms off its ticks", v[i].id,
			    (long long)((v[i].next_run_at_ms - first[i]) % 60000));
			ck_assert_int_gt(v[i].next_run_at_ms, before);
		}
		stj_jobs_free(v, n);
		ing_advance(&w, 60);
	}
	ing_world_stop(&w);
}
END_TEST

/* Runs a launchwatch command in the world; returns its stdout (caller
 * frees) and asserts its status. */
static char *
run_cmd(struct ing_world *w, const char *const *args, int want)
{
	struct tu_run r;
	tu_run(&r, w->env, 60000, args);
	ck_assert_msg(
	    r.status == want, "%s %s: %d\n%s\n%s", args[0], args[1], r.status, r.out, r.err);
	char *out = xstrdup(r.out);
	tu_run_done(&r);
	return out;
}

/* A 402: the run checks the balance, names the blocked jobs and exits 75;
 * campaign list and show say so; credits come back and the next run
 * resumes at once (no wait for the stored blocked_until). */
START_TEST(credits_balance_check_and_resume)
{
	struct ing_world w;
	struct sim_opts o;
	sim_opts_init(&o);
	o.seed = 43;
	o.credits = 2500; /* the metrics call and about one page of retweeters */
	ing_world_start(&w, &o, "50");
	struct tu_run r;
	ck_assert_int_eq(ing_run_once_r(&w, 60000, &r), 75);
	ck_assert_msg(strstr(r.out, "not current: ") && strstr(r.out, "credits"), "%s", r.out);
	tu_run_done(&r);
	json_t *st = ing_sim_call(&w, "GET", "/_sim/stats");
	ck_assert_int_gt(ing_jint2(st, "faults", "402"), 0);
	ck_assert_int_ge(ing_jint2(st, "requests", "balance"), 1); /* the documented check */
	json_decref(st);

	const char *list[] = {"campaign", "list", NULL};
	char *out = run_cmd(&w, list, 0);
	ck_assert_msg(strstr(out, "blocked: credits") != NULL, "%s", out);
	free(out);
	const char *show[] = {"campaign", "show", w.campaign_id, NULL};
	out = run_cmd(&w, show, 0);
	ck_assert_msg(strstr(out, "jobs.blocked") && strstr(out, "credits"), "%s", out);
	free(out);

	/* still none: the next run checks once more and stops */
	ck_assert_int_eq(ing_run_once(&w, 60000), 75);

	json_decref(ing_sim_call(&w, "POST", "/_sim/credits?add=100000000"));
	json_decref(ing_sim_call(&w, "POST", "/_sim/reset-stats"));
	int64_t t0 = clock_now_ms();
	ck_assert_int_eq(ing_run_once(&w, 60000), 0);
	ck_assert_int_lt(clock_now_ms() - t0, 30000);
	st = ing_sim_call(&w, "GET", "/_sim/stats");
	ck_assert_int_ge(ing_jint2(st, "requests", "balance"), 1);
	json_decref(st);
	ing_check_exact(&w);
	out = run_cmd(&w, list, 0);
	ck_assert_msg(strstr(out, "blocked") == NULL, "%s", out);
	free(out);
	ing_world_stop(&w);
}
END_TEST

/* Sets job id to a retry backoff until next_ms with error. */
static void
set_backoff(struct ing_world *w, const char *id, int64_t next_ms, const char *error)
{
	struct sti_job_update u;
	char *cause = NULL;
	memset(&u, 0, sizeof u);
	u.set_state = true;
	u.state = JST_RETRY;
	u.next_run_at_ms = next_ms;
	u.lease_until_ms = 0;
	u.backfill_done = -1;
	u.attempts = 3;
	u.set_error = true;
	u.error = error;
	ck_assert_msg(sti_job_update(w->s, id, &u, clock_now_ms(), &cause) == 0, "%s", cause);
}

/* Backoffs a killed run left: a short one is waited for, a long one is
 * named; a job leased by another engine is waited for, then named. */
START_TEST(backoffs_and_leases_are_waited_or_named)
{
	struct ing_world w;
	struct sim_opts o;
	char *cause = NULL;
	char short_id[JOB_ID_MAX], long_id[JOB_ID_MAX], held_id[JOB_ID_MAX];
	sim_opts_init(&o);
	o.seed = 44;
	ing_world_start(&w, &o, "50");
	ing_env_add(&w, "LAUNCHWATCH_ONCE_WAIT_MS=4000");
	ck_assert_int_eq(ing_run_once(&w, 60000), 0);
	snprintf(short_id, sizeof short_id, "%s:%s:replies", w.campaign_id, sim_tweet_id(w.sim, 0));
	snprintf(long_id, sizeof long_id, "%s:%s:quotes", w.campaign_id, sim_tweet_id(w.sim, 1));
	snprintf(held_id, sizeof held_id, "%s:%s:retweets", w.campaign_id, sim_tweet_id(w.sim, 2));
	int64_t now = clock_now_ms();
	set_backoff(&w, short_id, now + 2500, "transient: HTTP 500");
	set_backoff(&w, long_id, now + 3600000, "transient: HTTP 502");
	struct job job;
	ck_assert_int_eq(
	    sti_job_claim(w.s, held_id, "ghost:1:1", now, now + 60000, true, &job, &cause), 0);
	job_done(&job);
	ing_advance(&w, 30);

	struct tu_run r;
	int64_t before = clock_now_ms();
	ck_assert_int_eq(ing_run_once_r(&w, 60000, &r), 75);
	char *want = xasprintf("not current: %s: a backoff until", long_id);
	ck_assert_msg(strstr(r.out, want) != NULL, "%s", r.out);
	free(want);
	want = xasprintf("not current: %s: held by ghost:1:1", held_id);
	ck_assert_msg(strstr(r.out, want) != NULL, "%s", r.out);
	free(want);
	ck_assert_msg(strstr(r.out, short_id) == NULL, "%s", r.out);
	tu_run_done(&r);
	size_t n;
	struct stj_job *v = ing_jobs_read(&w, &n);
	for (size_t i = 0; i < n; i++) {
		bool ran = v[i].last_success_ms >= before;
		bool expect = strcmp(v[i].id, long_id) != 0 && strcmp(v[i].id, held_id) != 0;
		ck_assert_msg(ran == expect, "%s: ran %d", v[i].id, ran);
	}
	stj_jobs_free(v, n);
	ing_world_stop(&w);
}
END_TEST

/* A live engine's heartbeat on a FerretDB reached through MONGODB_URI: a
 * second engine does not start (FerretDB cannot make a claim atomic). */
START_TEST(one_engine_per_ferretdb)
{
	struct ing_world w;
	struct sim_opts o;
	char *cause = NULL;
	sim_opts_init(&o);
	o.seed = 45;
	ing_world_start(&w, &o, "50");
	struct sti_heartbeat hb;
	memset(&hb, 0, sizeof hb);
	snprintf(hb.owner, sizeof hb.owner, "elsewhere:4242:1");
	snprintf(hb.host, sizeof hb.host, "elsewhere");
	snprintf(hb.mode, sizeof hb.mode, "run");
	hb.pid = 4242;
	hb.started_at_ms = hb.beat_at_ms = clock_now_ms();
	ck_assert_msg(sti_heartbeat_beat(w.s, &hb, &cause) == 0, "%s", cause);
	struct tu_run r;
	if (store_is_ferretdb(w.s)) {
		ck_assert_int_eq(ing_run_once_r(&w, 60000, &r), 75);
		ck_assert_msg(strstr(r.err, "running jobs on this FerretDB") != NULL, "%s", r.err);
	} else {
		/* atomic claims: engines share the jobs, so this one runs */
		printf("one_engine_per_ferretdb: on %s a second engine runs\n",
		    store_server_kind(w.s));
		ck_assert_int_eq(ing_run_once_r(&w, 60000, &r), 0);
		ing_check_exact(&w);
	}
	tu_run_done(&r);
	ck_assert_int_eq(sti_heartbeat_delete(w.s, hb.owner, &cause), 0);
	ck_assert_int_eq(ing_run_once(&w, 60000), 0);
	ing_world_stop(&w);
}
END_TEST

/* One engine's run in a thread of its own. */
struct engine_run {
	const char *env[12];
	char data[300];
	struct tu_run r;
	long jobs, skipped, pages, fresh; /* from its summary line */
};

/* Runs `run --once` with the engine's environment. */
static void *
engine_main(void *arg)
{
	struct engine_run *e = arg;
	const char *args[] = {"run", "--once", "--workers", "3", NULL};
	tu_run(&e->r, e->env, 120000, args);
	return NULL;
}

/* Reads the counts of e's summary line ("run: N jobs ok (N skipped), ...;
 * N requests, N credits, N pages, N new engagements, N slices"). */
static void
engine_summary(struct engine_run *e)
{
	const char *l = strstr(e->r.out, "run: ");
	long requests, credits;
	ck_assert_msg(l != NULL, "no summary: %s", e->r.out);
	ck_assert_msg(
	    sscanf(l, "run: %ld jobs ok (%ld skipped)", &e->jobs, &e->skipped) == 2, "%s", l);
	l = strchr(l, ';');
	ck_assert_msg(l && sscanf(l, "; %ld requests, %ld credits, %ld pages, %ld new", &requests,
	                       &credits, &e->pages, &e->fresh) == 4,
	    "%s", e->r.out);
}

/* Runs n engines (`run --once`, each with a data directory of its own, as
 * on machines of their own) at once on w's database; each must succeed. */
static void
engines_run(struct ing_world *w, struct engine_run *e, int n)
{
	pthread_t th[4];
	for (int k = 0; k < n; k++) {
		memset(&e[k], 0, sizeof e[k]);
		size_t i = 0;
		for (; w->env[i]; i++)
			e[k].env[i] = w->env[i];
		snprintf(e[k].data, sizeof e[k].data, "XDG_DATA_HOME=%s/engine%d", w->dir, k);
		e[k].env[i] = e[k].data;
	}
	for (int k = 0; k < n; k++)
		ck_assert_int_eq(pthread_create(&th[k], NULL, engine_main, &e[k]), 0);
	for (int k = 0; k < n; k++)
		pthread_join(th[k], NULL);
	for (int k = 0; k < n; k++) {
		ck_assert_msg(e[k].r.status == 0, "engine %d: %d\n%s\n%s", k, e[k].r.status,
		    e[k].r.out, e[k].r.err);
		engine_summary(&e[k]);
	}
}

/* Two engines at once on one database (two processes, atomic claims) walk
 * every list once between them: together they fetch the pages and store the
 * engagements one engine alone does on the same launch, and the end state
 * is exact. FerretDB allows one engine (one_engine_per_ferretdb). */
START_TEST(two_engines_share_the_jobs)
{
	struct ing_world w;
	struct sim_opts o;
	struct engine_run one, two[2];
	sim_opts_init(&o);
	o.seed = 47;
	/* 10 requests a second: the walks last long enough for both to start */
	ing_world_start(&w, &o, "10");
	if (store_is_ferretdb(w.s)) {
		printf("two_engines_share_the_jobs: skipped on FerretDB: one engine per "
		       "FerretDB (one_engine_per_ferretdb)\n");
		ing_world_stop(&w);
		return;
	}
	/* one engine alone on the launch */
	engines_run(&w, &one, 1);
	ck_assert_int_gt(one.pages, 0);
	tu_run_done(&one.r);
	ing_world_stop(&w);
	/* the same launch (same seed) on a new database, two engines at once */
	sim_opts_init(&o);
	o.seed = 47;
	ing_world_start(&w, &o, "10");
	engines_run(&w, two, 2);
	printf("two_engines_share_the_jobs on %s: alone %ld pages, %ld new; together "
	       "%ld + %ld pages, %ld + %ld new (jobs ok %ld + %ld, skipped %ld + %ld)\n",
	    store_server_kind(w.s), one.pages, one.fresh, two[0].pages, two[1].pages, two[0].fresh,
	    two[1].fresh, two[0].jobs, two[1].jobs, two[0].skipped, two[1].skipped);
	/* a list walked by both at once would fetch its pages twice */
	ck_assert_int_eq(two[0].pages + two[1].pages, one.pages);
	ck_assert_int_eq(two[0].fresh + two[1].fresh, one.fresh);
	for (int k = 0; k < 2; k++)
		tu_run_done(&two[k].r);
	ing_check_exact(&w);
	ing_check_prepared(&w);
	ing_world_stop(&w);
}
END_TEST

/* What the database-freezing thread needs. */
struct freeze {
	pid_t pid;
	int after_ms, for_ms;
};

/* Stops the devdb process after a while and lets it go on later (a
 * database that hangs without failing). */
static void *
freeze_main(void *arg)
{
	struct freeze *f = arg;
	usleep((useconds_t)f->after_ms * 1000);
	kill(f->pid, SIGSTOP);
	usleep((useconds_t)f->for_ms * 1000);
	kill(f->pid, SIGCONT);
	return NULL;
}

/* A database that hangs for a few seconds is logged while it hangs. */
START_TEST(slow_database_is_logged)
{
	struct ing_world w;
	struct sim_opts o;
	char *cause = NULL;
	sim_opts_init(&o);
	o.seed = 46;
	ing_world_start(&w, &o, "50");
	struct freeze f = {.pid = w.db->pid, .after_ms = 1500, .for_ms = 5000};
	pthread_t th;
	ck_assert_int_eq(pthread_create(&th, NULL, freeze_main, &f), 0);
	struct tu_run r;
	const char *args[] = {"run", "--for", "9", NULL};
	tu_run(&r, w.env, 60000, args);
	pthread_join(th, NULL);
	ck_assert_msg(r.status == 0, "run --for: %d %s", r.status, r.err);
	tu_run_done(&r);
	char *path = xasprintf("%s/launchwatch/run.log", w.dir), *log = NULL;
	size_t len;
	ck_assert_msg(file_read_all(path, &log, &len, &cause) == 0, "%s", cause);
	ck_assert_msg(strstr(log, "database slow: ") != NULL, "nothing logged:\n%s", log);
	ck_assert_ptr_nonnull(strstr(log, "database answered "));
	free(log);
	free(path);
	ing_world_stop(&w);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("test_ingest_once");
	TCase *tc = tcase_create("once");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, back_to_back_runs_are_exact);
	tcase_add_test(tc, cron_loop_runs_every_job_every_tick);
	tcase_add_test(tc, credits_balance_check_and_resume);
	tcase_add_test(tc, backoffs_and_leases_are_waited_or_named);
	tcase_add_test(tc, one_engine_per_ferretdb);
	tcase_add_test(tc, two_engines_share_the_jobs);
	tcase_add_test(tc, slow_database_is_logged);
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
