/*
 * test_jobs: job claims against a real database server, on both query
 * shapes: the one FerretDB gets (read by _id, test in C, lease by _id) and
 * MongoDB's atomic findAndModify. Leases, due times, expired leases, own
 * leases, missing jobs and unknown ids must give the same answers on both,
 * and both return the job as it was stored when claimed. A job update
 * that adds to the request and credit counters, whose reply is lost after
 * it landed (a proxy drops it, as a failover would), adds them once when
 * the store retries it. On a server that is not FerretDB, two processes
 * racing for the same jobs each win different ones. Main thread only (the
 * race forks two processes).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "model/campaign.h"
#include "config/config.h"
#include "engine/jobs.h"
#include "mon_support.h"
#include "store/store.h"
#include "store/store_jobview.h"
#include "testutil.h"
#include "base/util.h"

static struct tu_devdb *db;

static void
setup(void)
{
	db = tu_devdb_start(NULL, 0);
}

static void
teardown(void)
{
	tu_devdb_free(db);
}

static const char *const yaml = "campaigns:\n"
                                "  - name: Jobs test\n"
                                "    window: {start: 2026-12-01T14:00:00Z, duration: 7d}\n"
                                "    tweets: {main: [1861111111111111111]}\n";

#define T0 1764500000000 /* the jobs' first next_run_at */

/* Opens a database of its own at uri holding one campaign of one tweet (4
 * jobs). */
static struct store *
open_with_jobs_at(const char *uri, const char *dbname, bool mongodb_shapes)
{
	struct store *s = NULL;
	struct cfg_file *f = NULL;
	struct store_upsert_result r;
	char *cause = NULL;
	ck_assert_msg(store_open(uri, dbname, &s, &cause) == 0, "%s", cause);
	/* the server is what the backend says (a given one may be any) */
	if (tu_backend() == TU_DEVDB)
		ck_assert_str_eq(store_server_kind(s), "FerretDB");
	else if (tu_backend() == TU_MONGO_JAVA)
		ck_assert_str_eq(store_server_kind(s), "mongo-java-server");
	if (mongodb_shapes)
		store_use_mongodb_shapes(s);
	ck_assert_msg(
	    config_load_string("j.yaml", yaml, strlen(yaml), &f, &cause) == 0, "%s", cause);
	ck_assert_msg(store_campaign_upsert(s, &f->campaigns[0], T0, &r, &cause) == 0, "%s", cause);
	config_free(f);
	return s;
}

/* Opens a database of its own on the test's server (see open_with_jobs_at). */
static struct store *
open_with_jobs(const char *dbname, bool mongodb_shapes)
{
	return open_with_jobs_at(db->uri, dbname, mongodb_shapes);
}

/* Claims id for j at now; returns 0 (claimed), 1 (not claimable) or -1. */
static int
claim(struct jobs *j, const char *id, int64_t now, bool ignore_due)
{
	struct job job;
	char *cause = NULL;
	int rc = jobs_claim(j, id, now, ignore_due, &job, &cause);
	ck_assert_msg(rc >= 0, "claim %s: %s", id, cause ? cause : "");
	if (rc == 0) {
		ck_assert_str_eq(job.id, id);
		ck_assert_int_eq(job.lease_until_ms, now + JOB_LEASE_MS);
		job_done(&job);
	}
	return rc;
}

/* The claim rules, whatever the query shape. */
static void
check_claims(struct store *s)
{
	char cid[CAMPAIGN_ID_MAX], replies[JOB_ID_MAX], quotes[JOB_ID_MAX], nope[JOB_ID_MAX];
	char *cause = NULL;
	campaign_make_id("Jobs test", cid);
	snprintf(replies, sizeof replies, "%s:1861111111111111111:replies", cid);
	snprintf(quotes, sizeof quotes, "%s:1861111111111111111:quotes", cid);
	snprintf(nope, sizeof nope, "%s:1861111111111111112:replies", cid);
	struct jobs *a = jobs_new(s, "owner-a"), *b = jobs_new(s, "owner-b");

	/* not due yet, unless the due time is ignored */
	ck_assert_int_eq(claim(a, replies, T0 - 1000, false), 1);
	/* due: A gets it as it was stored (new, so its run belongs to the first
	 * tick and the next one follows on the fixed rate) */
	struct job job;
	ck_assert_int_eq(jobs_claim(a, replies, T0 + 1000, false, &job, &cause), 0);
	ck_assert_int_eq(job.state, JST_NEW);
	ck_assert_int_eq(job.next_run_at_ms, T0);
	ck_assert_int_eq(jobs_next_run(&job, 60, T0 + 1500), T0 + 60000);
	job_done(&job);
	/* B does not get it while the lease runs; A may renew */
	ck_assert_int_eq(claim(b, replies, T0 + 2000, false), 1);
	ck_assert_int_eq(claim(b, replies, T0 + 2000, true), 1);
	ck_assert_int_eq(claim(a, replies, T0 + 3000, false), 0);
	/* an expired lease is anyone's */
	ck_assert_int_eq(claim(b, replies, T0 + 3000 + JOB_LEASE_MS + 1, false), 0);

	/* finished: not due until its cadence has passed */
	ck_assert_int_eq(jobs_claim(a, quotes, T0 + 1000, false, &job, &cause), 0);
	struct job_result r = {.walked_count = -1};
	ck_assert_int_eq(jobs_finish(a, &job, &r, 60, T0 + 2000, &cause), 0);
	ck_assert_int_eq(claim(b, quotes, T0 + 3000, false), 1);
	ck_assert_int_eq(claim(b, quotes, T0 + 3000, true), 0);
	job_done(&job);

	/* released: due again at once, lease free */
	ck_assert_int_eq(jobs_claim(a, quotes, T0 + 70000, true, &job, &cause), 0);
	ck_assert_int_eq(jobs_release(a, &job, 0, 0, T0 + 70000, &cause), 0);
	ck_assert_int_eq(claim(b, quotes, T0 + 70001, false), 0);
	job_done(&job);

	/* missing: never claimed again, even ignoring the due time */
	ck_assert_int_eq(jobs_claim(b, quotes, T0 + 200000, true, &job, &cause), 0);
	ck_assert_int_eq(jobs_missing(b, &job, T0 + 200000, &cause), 0);
	ck_assert_int_eq(claim(a, quotes, T0 + 300000, true), 1);
	job_done(&job);

	/* an unknown job */
	ck_assert_int_eq(claim(a, nope, T0 + 1000, true), 1);
	jobs_free(a);
	jobs_free(b);
}

START_TEST(claims_ferretdb_shape)
{
	struct store *s = open_with_jobs("t_jobs_ferret", false);
	if (!store_is_ferretdb(s)) {
		printf("claims_ferretdb_shape: skipped on %s (%s): the FerretDB shape runs only "
		       "on FerretDB\n",
		    tu_backend_name(), store_server_kind(s));
		store_free(s);
		return;
	}
	check_claims(s);
	store_free(s);
}
END_TEST

START_TEST(claims_mongodb_shape)
{
	struct store *s = open_with_jobs("t_jobs_mongo", true);
	check_claims(s);
	store_free(s);
}
END_TEST

/* Finishes a job that spent 3 requests and 30 credits while the proxy
 * loses the update's reply, and checks the totals went up once. */
static void
check_counters_once(bool mongodb_shapes)
{
	char cid[CAMPAIGN_ID_MAX], id[JOB_ID_MAX];
	char *cause = NULL;
	struct mon *m = mon_start(db->uri);
	struct store *s = open_with_jobs_at(mon_uri(m), "t_jobs_inc", mongodb_shapes);
	campaign_make_id("Jobs test", cid);
	snprintf(id, sizeof id, "%s:1861111111111111111:metrics", cid);
	struct jobs *j = jobs_new(s, "owner-a");
	struct job job;
	ck_assert_int_eq(jobs_claim(j, id, T0 + 1000, false, &job, &cause), 0);
	struct job_result r = {.walked_count = -1, .requests = 3, .credits = 30};
	mon_drop_reply_once(m, "inc_op");
	ck_assert_msg(jobs_finish(j, &job, &r, 60, T0 + 2000, &cause) == 0, "%s", cause);
	ck_assert_uint_eq(mon_dropped(m), 1); /* the first try landed, its answer was lost */
	job_done(&job);
	/* a second run adds its own */
	ck_assert_int_eq(jobs_claim(j, id, T0 + 70000, false, &job, &cause), 0);
	ck_assert_msg(jobs_finish(j, &job, &r, 60, T0 + 71000, &cause) == 0, "%s", cause);
	job_done(&job);
	struct stj_job *v;
	size_t n;
	ck_assert_msg(stj_jobs_list(s, cid, &v, &n, &cause) == 0, "%s", cause);
	bool found = false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].id, id) == 0) {
			found = true;
			ck_assert_int_eq(v[i].requests, 6);
			ck_assert_int_eq(v[i].credits, 60);
		}
	ck_assert(found);
	stj_jobs_free(v, n);
	jobs_free(j);
	store_free(s);
	mon_free(m);
}

START_TEST(counters_once_after_lost_reply_ferretdb_shape)
{
	check_counters_once(false);
}
END_TEST

START_TEST(counters_once_after_lost_reply_mongodb_shape)
{
	check_counters_once(true);
}
END_TEST

#define RACE_TWEETS 25 /* 100 jobs */

/* Opens a database holding one campaign of RACE_TWEETS tweets. */
static struct store *
open_race(void)
{
	struct store *s = NULL;
	struct cfg_file *f = NULL;
	struct store_upsert_result r;
	char *cause = NULL;
	struct sbuf y;
	sbuf_init(&y);
	sbuf_addstr(&y, "campaigns:\n  - name: Race test\n"
	                "    window: {start: 2026-12-01T14:00:00Z, duration: 7d}\n"
	                "    tweets:\n      main:\n");
	for (int i = 0; i < RACE_TWEETS; i++)
		sbuf_printf(&y, "        - %lld\n", 1861111111111111100LL + i);
	ck_assert_msg(store_open(db->uri, "t_jobs_race", &s, &cause) == 0, "%s", cause);
	ck_assert_msg(config_load_string("r.yaml", y.s, y.len, &f, &cause) == 0, "%s", cause);
	ck_assert_msg(store_campaign_upsert(s, &f->campaigns[0], T0, &r, &cause) == 0, "%s", cause);
	config_free(f);
	sbuf_done(&y);
	return s;
}

/* A racing process: opens its own store, then for each byte read from
 * go_fd claims the next job of ids as owner and writes '1' (won) or '0'
 * (lost) to res_fd; exits at the end of go_fd. Never returns. */
static void
racer(const char *owner, char **ids, size_t n, int go_fd, int res_fd)
{
	struct store *s = NULL;
	char *cause = NULL, c;
	if (store_open(db->uri, "t_jobs_race", &s, &cause) != 0)
		_exit(2);
	struct jobs *j = jobs_new(s, owner);
	if (write(res_fd, "r", 1) != 1)
		_exit(3);
	for (size_t i = 0; i < n && read(go_fd, &c, 1) == 1; i++) {
		struct job job;
		int rc = jobs_claim(j, ids[i], T0 + 1000, true, &job, &cause);
		if (rc < 0)
			_exit(4);
		if (rc == 0)
			job_done(&job);
		if (write(res_fd, rc == 0 ? "1" : "0", 1) != 1)
			_exit(5);
	}
	jobs_free(j);
	store_free(s);
	_exit(0);
}

/* Two processes (two engines on two connections) claim each of 100 jobs at
 * the same moment: the atomic findAndModify gives every job to exactly
 * one of them. */
START_TEST(claims_race_atomic)
{
	struct store *s = open_race();
	if (store_is_ferretdb(s)) {
		printf("claims_race_atomic: skipped on FerretDB: its updates are not atomic, "
		       "so launchwatch runs one engine per FerretDB (sched_start)\n");
		store_free(s);
		return;
	}
	char cid[CAMPAIGN_ID_MAX], *cause = NULL;
	campaign_make_id("Race test", cid);
	struct stj_job *v = NULL;
	size_t n = 0;
	ck_assert_msg(stj_jobs_list(s, cid, &v, &n, &cause) == 0, "%s", cause);
	ck_assert_uint_eq(n, RACE_TWEETS * JOB__COUNT);
	char **ids = xcalloc(n, sizeof *ids);
	for (size_t i = 0; i < n; i++)
		ids[i] = v[i].id;
	int go[2][2], res[2][2], wins[2] = {0, 0};
	pid_t pid[2];
	char c;
	for (int r = 0; r < 2; r++) {
		ck_assert_int_eq(pipe(go[r]), 0);
		ck_assert_int_eq(pipe(res[r]), 0);
		pid[r] = fork();
		ck_assert_int_ge(pid[r], 0);
		if (pid[r] == 0) {
			close(go[r][1]);
			close(res[r][0]);
			racer(r == 0 ? "racer-a:1:1" : "racer-b:2:1", ids, n, go[r][0], res[r][1]);
		}
		close(go[r][0]);
		close(res[r][1]);
	}
	for (int r = 0; r < 2; r++)
		ck_assert_msg(read(res[r][0], &c, 1) == 1 && c == 'r', "racer %d did not start", r);
	for (size_t i = 0; i < n; i++) {
		char got[2];
		for (int r = 0; r < 2; r++)
			ck_assert_int_eq(write(go[r][1], "g", 1), 1); /* both claim job i now */
		for (int r = 0; r < 2; r++) {
			ck_assert_msg(read(res[r][0], &got[r], 1) == 1, "racer %d stopped", r);
			wins[r] += got[r] == '1';
		}
		ck_assert_msg((got[0] == '1') + (got[1] == '1') == 1, "%s: claimed %s", ids[i],
		    got[0] == '1' ? "by both processes" : "by neither process");
	}
	for (int r = 0; r < 2; r++) {
		int st;
		close(go[r][1]);
		close(res[r][0]);
		ck_assert_int_eq(waitpid(pid[r], &st, 0), pid[r]);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "racer %d: status %d", r, st);
	}
	printf("claims_race_atomic on %s: %zu jobs claimed at once by two processes: "
	       "%d + %d wins\n",
	    store_server_kind(s), n, wins[0], wins[1]);
	free(ids);
	stj_jobs_free(v, n);
	store_free(s);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("jobs");
	TCase *tc = tcase_create("claims");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, claims_ferretdb_shape);
	tcase_add_test(tc, claims_mongodb_shape);
	tcase_add_test(tc, counters_once_after_lost_reply_ferretdb_shape);
	tcase_add_test(tc, counters_once_after_lost_reply_mongodb_shape);
	tcase_add_test(tc, claims_race_atomic);
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
