/*
 * test_ingest_faults: the ingest engine under provider faults: 429 on every
 * request (jobs snooze, no attempt spent, then resume against a healthy
 * provider), credits running out and coming back inside one running engine,
 * and 429s, 5xx and malformed bodies mixed with overlap and phantom pages over
 * several rounds. Nothing is lost: engagements equal /_sim/truth and every
 * tweet's slices add up. Runs the real binary against a real devdb and the
 * in-process simulator; the main thread owns the world, a helper thread only
 * POSTs to the simulator.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "net/http.h"
#include "ing_support.h"
#include "engine/jobs.h"
#include "sim/sim.h"
#include "store/store.h"
#include "store/store_jobview.h"
#include "testutil.h"
#include "base/util.h"

#define NJOBS (NTWEETS * JOB__COUNT)

/* Asserts that no job has spent an attempt and none is stopped or missing. */
static void
assert_no_attempts(struct ing_world *w)
{
	size_t n;
	struct stj_job *v = ing_jobs_read(w, &n);
	for (size_t i = 0; i < n; i++) {
		ck_assert_msg(v[i].attempts == 0, "%s: %d attempts (%s)", v[i].id, v[i].attempts,
		    v[i].last_error);
		ck_assert_int_ne(v[i].state, JST_STOPPED);
		ck_assert_int_ne(v[i].state, JST_MISSING);
	}
	stj_jobs_free(v, n);
}

/* Returns the simulator's fault counter name. */
static int64_t
sim_faults(struct ing_world *w, const char *name)
{
	json_t *st = ing_sim_call(w, "GET", "/_sim/stats");
	int64_t v = ing_jint2(st, "faults", name);
	json_decref(st);
	return v;
}

/* Sets o's start to now in whole seconds so a restarted simulator serves
 * the same launch. */
static void
opts_pin_start(struct sim_opts *o)
{
	o->start_ms = (int64_t)time(NULL) * 1000;
}

START_TEST(rate_limit_snoozes_without_spending_attempts)
{
	struct ing_world w;
	struct sim_opts o;
	char *cause = NULL;
	sim_opts_init(&o);
	o.seed = 11;
	o.fault_429_every = 1;
	opts_pin_start(&o);
	ing_world_start(&w, &o, "50");

	/* every request is rate limited: every job snoozes, none spends an attempt */
	ck_assert_int_eq(ing_run_once(&w, 80000), LW_EXIT_TEMPFAIL);
	ck_assert_int_gt(sim_faults(&w, "429"), NJOBS);
	size_t n;
	struct stj_job *v = ing_jobs_read(&w, &n);
	int64_t now = clock_now_ms();
	for (size_t i = 0; i < n; i++) {
		ck_assert_msg(
		    v[i].state == JST_BLOCKED, "%s: state %s", v[i].id, job_state_name(v[i].state));
		ck_assert_msg(v[i].attempts == 0, "%s: %d attempts", v[i].id, v[i].attempts);
		ck_assert_msg(strstr(v[i].last_error, "rate_limit") != NULL, "%s: %s", v[i].id,
		    v[i].last_error);
		ck_assert_int_gt(v[i].blocked_until_ms, now - 60000);
		ck_assert_int_gt(v[i].requests, 0); /* the 429s are counted */
		ck_assert_int_eq(v[i].last_success_ms, 0);
	}
	stj_jobs_free(v, n);
	ck_assert_int_eq(store_count(w.s, "engagements", w.campaign_id, &cause), 0);

	/* the provider recovers (same launch, same port): the jobs resume by
	 * themselves and the data is exact */
	int port = sim_port(w.sim);
	sim_free(w.sim);
	o.fault_429_every = 0;
	o.port = port;
	w.sim = sim_start(&o, &cause);
	ck_assert_msg(w.sim != NULL, "sim restart: %s", cause);
	ck_assert_int_eq(ing_run_once(&w, 60000), 0);
	ing_check_exact(&w);
	assert_no_attempts(&w);
	v = ing_jobs_read(&w, &n);
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(v[i].state, JST_IDLE);
		ck_assert_int_eq(v[i].blocked_until_ms, 0);
		ck_assert_str_eq(v[i].last_error, "");
		ck_assert_int_gt(v[i].last_success_ms, 0);
		if (v[i].kind != JOB_METRICS)
			ck_assert(v[i].backfill_done);
	}
	stj_jobs_free(v, n);
	ing_world_stop(&w);
}
END_TEST

/* What the credits thread needs. */
struct topup {
	char url[128];
	int delay_ms;
	int status; /* HTTP status of the POST; 0 when it failed */
};

/* Waits, then adds credits to the simulator (no Check asserts off the main
 * thread; the main thread checks status). */
static void *
topup_main(void *arg)
{
	struct topup *t = arg;
	struct http_client *h = http_client_new();
	struct http_response resp;
	char *cause = NULL;
	usleep((useconds_t)t->delay_ms * 1000);
	if (http_request(h, "POST", t->url, NULL, &resp, &cause) == 0) {
		t->status = (int)resp.status;
		http_response_done(&resp);
	}
	free(cause);
	http_client_free(h);
	return NULL;
}

START_TEST(credits_run_out_and_come_back)
{
	struct ing_world w;
	struct sim_opts o;
	char *cause = NULL;
	sim_opts_init(&o);
	o.seed = 5;
	o.credits = 2500; /* the metrics call and about one page of retweeters */
	ing_world_start(&w, &o, "50");

	/* the credits run out mid-backfill: jobs snooze on credits, no attempt */
	ck_assert_int_eq(ing_run_once(&w, 60000), LW_EXIT_TEMPFAIL);
	ck_assert_int_gt(sim_faults(&w, "402"), 0);
	size_t n, blocked = 0;
	struct stj_job *v = ing_jobs_read(&w, &n);
	for (size_t i = 0; i < n; i++) {
		ck_assert_msg(v[i].attempts == 0, "%s: %d attempts", v[i].id, v[i].attempts);
		if (v[i].state != JST_BLOCKED)
			continue;
		blocked++;
		ck_assert_msg(
		    strstr(v[i].last_error, "credits") != NULL, "%s: %s", v[i].id, v[i].last_error);
		ck_assert_int_gt(v[i].blocked_until_ms, 0);
	}
	ck_assert_uint_gt(blocked, 0);
	stj_jobs_free(v, n);

	/* a running engine finds the credits again by itself (balance poll after
	 * LAUNCHWATCH_CREDITS_RECHECK=1 s) and finishes the backfill */
	struct topup t = {.delay_ms = 2500};
	snprintf(t.url, sizeof t.url, "%s/_sim/credits?add=100000000", w.base);
	pthread_t th;
	ck_assert_int_eq(pthread_create(&th, NULL, topup_main, &t), 0);
	struct tu_run r;
	const char *args[] = {"run", "--for", "10", "--workers", "3", NULL};
	tu_run(&r, w.env, 60000, args);
	pthread_join(th, NULL);
	ck_assert_int_eq(t.status, 200);
	ck_assert_msg(r.status == 0 || r.status == LW_EXIT_TEMPFAIL, "run --for: %d\n%s\n%s",
	    r.status, r.out, r.err);
	tu_run_done(&r);
	ing_check_exact(&w);
	char *log = xasprintf("%s/launchwatch/run.log", w.dir);
	char *text = NULL;
	size_t len;
	ck_assert_msg(file_read_all(log, &text, &len, &cause) == 0, "%s", cause);
	ck_assert_msg(strstr(text, "credits are back") != NULL, "no resume in the log");
	free(text);
	free(log);

	/* and the next cycle is clean */
	ing_advance(&w, 30);
	ck_assert_int_eq(ing_run_once(&w, 60000), 0);
	ing_check_exact(&w);
	assert_no_attempts(&w);
	ing_world_stop(&w);
}
END_TEST

START_TEST(mixed_faults_lose_nothing)
{
	struct ing_world w;
	struct sim_opts o;
	sim_opts_init(&o);
	o.seed = 3;
	o.fault_429_every = 4;
	o.fault_5xx_every = 7;
	o.fault_malformed_every = 11;
	o.overlap = 2;
	o.phantom_next_page = true;
	ing_world_start(&w, &o, "50");
	size_t prev = 0;
	for (int round = 0; round < 2; round++) {
		/* a job whose retries ran out in one --once run is picked up by
		 * the next one; nothing is reset by hand */
		int st = ing_run_once(&w, 80000);
		for (int extra = 0; st != 0 && extra < 3; extra++) {
			st = ing_run_once(&w, 80000);
		}
		ck_assert_int_eq(st, 0);
		size_t n = ing_check_exact(&w);
		ck_assert_uint_gt(n, prev);
		prev = n;
		assert_no_attempts(&w);
		ing_advance(&w, 40);
	}
	ck_assert_int_gt(sim_faults(&w, "429"), 0);
	ck_assert_int_gt(sim_faults(&w, "5xx"), 0);
	ck_assert_int_gt(sim_faults(&w, "malformed"), 0);
	ing_world_stop(&w);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("test_ingest_faults");
	TCase *tc = tcase_create("faults");
	tcase_set_timeout(tc, 150);
	tcase_add_test(tc, rate_limit_snoozes_without_spending_attempts);
	tcase_add_test(tc, credits_run_out_and_come_back);
	tcase_add_test(tc, mixed_faults_lose_nothing);
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
