/*
 * test_schedq: the scheduler's in-memory bookkeeping without a database:
 * the fixed-rate next tick (job_next_tick), metrics first and list jobs
 * waiting for them, a list job whose count was not read in its own cycle
 * getting a metrics reading first, and for --once the bounded waits, the
 * stall limit, the credits rule and the notes naming what was not brought
 * current. Main thread only.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "engine/schedq.h"
#include "model/job.h"

#define T0 1800000000000LL /* a wall-clock time inside the campaign's window */

START_TEST(next_tick_is_fixed_rate)
{
	/* the first tick after now, whatever the run's length */
	ck_assert_int_eq(job_next_tick(T0, 60, T0 + 200), T0 + 60000);
	ck_assert_int_eq(job_next_tick(T0, 60, T0 + 59999), T0 + 60000);
	ck_assert_int_eq(job_next_tick(T0, 60, T0 + 60000), T0 + 120000);
	/* missed ticks are skipped, not piled up */
	ck_assert_int_eq(job_next_tick(T0, 60, T0 + 330000), T0 + 360000);
	/* a run that came early keeps its tick; an unknown tick counts from now */
	ck_assert_int_eq(job_next_tick(T0 + 5000, 60, T0), T0 + 5000);
	ck_assert_int_eq(job_next_tick(0, 60, T0), T0 + 60000);
	ck_assert_int_eq(job_next_tick(T0, 0, T0 + 10), T0 + 1000);
}
END_TEST

/* Sets q up with one active campaign "c" of tweets 101 and 102. */
static void
setup_q(struct schedq *q, bool once)
{
	static const char yaml[] = "campaigns:\n"
	                           "  - name: Schedq test\n"
	                           "    window: {start: 2020-01-01T00:00:00Z, duration: 20000d}\n"
	                           "    tweets: {main: [101, 102]}\n";
	struct cfg_file *f = NULL;
	char *cause = NULL;
	ck_assert_msg(
	    config_load_string("q.yaml", yaml, strlen(yaml), &f, &cause) == 0, "%s", cause);
	struct campaign *c = calloc(1, sizeof *c);
	snprintf(c->id, sizeof c->id, "c");
	c->status = CS_ACTIVE;
	c->cfg = f->campaigns[0];
	memset(&f->campaigns[0], 0, sizeof f->campaigns[0]);
	f->ncampaigns = 0;
	config_free(f);
	sq_init(q, once, 20000, 3);
	sq_set_camps(q, c, 1, T0);
	free(c);
}

/* Fills a due job of tweet tid and kind. */
static struct sti_due
due_job(const char *tid, enum job_kind kind, int64_t next_run_at)
{
	struct sti_due d;
	memset(&d, 0, sizeof d);
	snprintf(d.id, sizeof d.id, "c:%s:%s", tid, job_kind_name(kind));
	snprintf(d.campaign_id, sizeof d.campaign_id, "c");
	snprintf(d.tweet_id, sizeof d.tweet_id, "%s", tid);
	d.kind = kind;
	d.next_run_at_ms = next_run_at;
	d.state = JST_IDLE;
	return d;
}

START_TEST(metrics_first_and_fresh_counts)
{
	struct schedq q;
	struct sq_take t;
	int64_t wake;
	setup_q(&q, false);
	/* a replies job due at T0 and no metrics reading since: the tweet's
	 * metrics job is queued first, forced */
	struct sti_due d = due_job("101", JOB_REPLIES, T0);
	sq_enqueue_due(&q, &d, 1, false, -1);
	ck_assert_uint_eq(q.nq, 2);
	ck_assert(sq_take(&q, &t, T0 + 10, &wake));
	ck_assert_uint_eq(t.n, 1);
	ck_assert_int_eq(t.it[0].d.kind, JOB_METRICS);
	ck_assert(t.it[0].force);
	/* the list job waits while its campaign's metrics job runs */
	struct sq_take t2;
	ck_assert(!sq_take(&q, &t2, T0 + 20, &wake));
	struct ing_outcome o = {.st = ING_OK};
	sq_finish(&q, &t.it[0], &o, false, T0 + 30);
	ck_assert_int_eq(sq_read_at(&q, "c", "101"), T0 + 30);
	ck_assert(sq_take(&q, &t2, T0 + 40, &wake));
	ck_assert_int_eq(t2.it[0].d.kind, JOB_REPLIES);
	ck_assert_int_eq(t2.it[0].fresh_after_ms, T0);
	sq_finish(&q, &t2.it[0], &o, false, T0 + 50);
	/* read since its due time: no second reading */
	d = due_job("101", JOB_QUOTES, T0 + 20);
	sq_enqueue_due(&q, &d, 1, false, -1);
	ck_assert_uint_eq(q.nq, 1);
	/* metrics jobs of one campaign go out together, 100 at most */
	struct sti_due m[2] = {due_job("101", JOB_METRICS, T0), due_job("102", JOB_METRICS, T0)};
	sq_enqueue_due(&q, m, 2, false, -1);
	ck_assert(sq_take(&q, &t, T0 + 60, &wake));
	ck_assert_uint_eq(t.n, 2);
	ck_assert_uint_eq(q.st.jobs_ok, 2);
	sq_done(&q);
}
END_TEST

/* Another engine read the counts after the list job came due: the forced
 * read carries the list job's freshness, and sq_read_elsewhere lands it as
 * this engine's reading without a call (read_elsewhere in scheduler.c
 * decides from the stored reading's time). */
START_TEST(read_elsewhere_counts_as_read)
{
	struct schedq q;
	struct sq_take t;
	int64_t wake;
	setup_q(&q, false);
	struct sti_due d = due_job("101", JOB_RETWEETS, T0);
	sq_enqueue_due(&q, &d, 1, false, -1);
	ck_assert(sq_take(&q, &t, T0 + 10, &wake));
	ck_assert_int_eq(t.it[0].d.kind, JOB_METRICS);
	ck_assert(t.it[0].force);
	ck_assert_int_eq(t.it[0].fresh_after_ms, T0);
	sq_read_elsewhere(&q, &t.it[0], T0 + 5);
	ck_assert_int_eq(sq_read_at(&q, "c", "101"), T0 + 5);
	ck_assert_uint_eq(q.st.metrics_elsewhere, 1);
	ck_assert_uint_eq(q.st.jobs_ok, 1);
	ck_assert_int_eq(q.st.requests, 0);
	/* nothing in flight: the list job goes next */
	struct sq_take t2;
	ck_assert(sq_take(&q, &t2, T0 + 20, &wake));
	ck_assert_int_eq(t2.it[0].d.kind, JOB_RETWEETS);
	sq_done(&q);
}
END_TEST

START_TEST(once_waits_then_names)
{
	struct schedq q;
	struct sq_take t;
	int64_t wake;
	setup_q(&q, true);
	struct sti_due d = due_job("101", JOB_RETWEETS, T0);
	struct sq_item p = {.force = true};
	ck_assert(sq_enqueue(&q, &d, &p));
	/* failures without progress come back until the stall limit (3) */
	struct ing_outcome fail = {.st = ING_RETRY, .cls = XAPI_TRANSIENT};
	snprintf(fail.why, sizeof fail.why, "transient: HTTP 500");
	int64_t now = T0;
	for (int i = 0; i < 2; i++, now += 5000) {
		ck_assert(sq_take(&q, &t, now, &wake));
		fail.next_ms = now + 2000;
		sq_finish(&q, &t.it[0], &fail, false, now);
		ck_assert_uint_eq(q.nq, 1);
		ck_assert_int_eq(q.q[0].stalls, i + 1);
	}
	/* a run with progress starts the count again */
	struct ing_outcome prog = fail;
	prog.pages = 3;
	prog.next_ms = now + 2000;
	ck_assert(sq_take(&q, &t, now, &wake));
	sq_finish(&q, &t.it[0], &prog, false, now);
	ck_assert_int_eq(q.q[0].stalls, 0);
	for (int i = 0; i < 3; i++) {
		now += 5000;
		fail.next_ms = now + 2000;
		ck_assert(sq_take(&q, &t, now, &wake));
		sq_finish(&q, &t.it[0], &fail, false, now);
	}
	ck_assert(sq_idle(&q));
	ck_assert_uint_eq(q.st.jobs_failed, 1);
	ck_assert_ptr_nonnull(strstr(q.st.notes, "c:101:retweets: retry after"));
	ck_assert_ptr_nonnull(strstr(q.st.notes, "HTTP 500"));

	/* a wait longer than the bound is not waited for */
	d = due_job("102", JOB_REPLIES, T0);
	ck_assert(sq_enqueue(&q, &d, &p));
	ck_assert(sq_take(&q, &t, T0, &wake));
	struct ing_outcome rl = {.st = ING_BLOCKED, .cls = XAPI_RATE_LIMIT, .next_ms = T0 + 60000};
	snprintf(rl.why, sizeof rl.why, "rate_limit: HTTP 429");
	sq_finish(&q, &t.it[0], &rl, false, T0);
	ck_assert(sq_idle(&q));
	ck_assert_uint_eq(q.st.jobs_blocked, 1);

	/* credits: waited for until a balance check found none */
	d = due_job("102", JOB_QUOTES, T0);
	ck_assert(sq_enqueue(&q, &d, &p));
	ck_assert(sq_take(&q, &t, T0, &wake));
	struct ing_outcome cr = {.st = ING_BLOCKED, .cls = XAPI_CREDITS, .next_ms = T0 + 1000};
	sq_finish(&q, &t.it[0], &cr, false, T0);
	ck_assert_uint_eq(q.nq, 1);
	ck_assert(!sq_take(&q, &t, T0 + 500, &wake));
	ck_assert_int_eq(wake, T0 + 1000);
	ck_assert(sq_take(&q, &t, T0 + 1000, &wake));
	sq_finish(&q, &t.it[0], &cr, true, T0 + 1000);
	ck_assert(sq_idle(&q));
	ck_assert_uint_eq(q.st.jobs_blocked, 2);
	sq_done(&q);
}
END_TEST

START_TEST(once_waits_for_a_lease_then_names_it)
{
	struct schedq q;
	struct sq_take t;
	int64_t wake;
	setup_q(&q, true);
	struct sti_due d = due_job("102", JOB_METRICS, T0);
	struct sq_item p = {.force = true};
	ck_assert(sq_enqueue(&q, &d, &p));
	int64_t now = T0;
	int rounds = 0;
	while (!sq_idle(&q)) {
		if (!sq_take(&q, &t, now, &wake)) {
			now = wake; /* held: looked at again a second later */
			continue;
		}
		sq_unclaimed(&q, &t.it[0], "other:1:1", T0 + 60000, now);
		rounds++;
	}
	ck_assert_int_ge(rounds, 20); /* waited about the bound (20 s) */
	ck_assert_uint_eq(q.st.jobs_held, 1);
	ck_assert_ptr_nonnull(strstr(q.st.notes, "c:102:metrics: held by other:1:1"));
	/* not held (gone, stopped): dropped without a note */
	d = due_job("101", JOB_METRICS, T0);
	ck_assert(sq_enqueue(&q, &d, &p));
	ck_assert(sq_take(&q, &t, now, &wake));
	sq_unclaimed(&q, &t.it[0], NULL, 0, now);
	ck_assert(sq_idle(&q));
	ck_assert_uint_eq(q.st.jobs_held, 1);
	/* the notes stop at SQ_NOTES_MAX lines */
	for (int i = 0; i < SQ_NOTES_MAX + 5; i++)
		sq_note(&q, "c:x", "note %d", i);
	size_t lines = 0;
	for (const char *s = q.st.notes; *s; s++)
		lines += *s == '\n';
	ck_assert_uint_eq(lines, SQ_NOTES_MAX);
	sq_done(&q);
}
END_TEST

/* The jobs an engine keeps listed between two reads of worker_state: a
 * finished job read back replaces its entry, a missing one leaves, a new
 * one joins, and what is due comes out by time for the listed campaigns. */
START_TEST(known_jobs_follow_their_reads)
{
	struct sq_known k = {0};
	struct sti_due *v = calloc(3, sizeof *v);
	v[0] = due_job("1", JOB_METRICS, T0 + 5000);
	v[1] = due_job("2", JOB_METRICS, T0 - 1000);
	v[2] = due_job("1", JOB_REPLIES, T0);
	sq_known_replace(&k, v, 3);
	const char *ids[] = {"c"}, *other[] = {"d"};
	struct sti_due *out;
	size_t n = sq_known_due(&k, ids, 1, T0, &out);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(out[0].id, "c:2:metrics"); /* the earliest first */
	ck_assert_str_eq(out[1].id, "c:1:replies");
	free(out);
	/* job 2 ran: read back, due again a cadence later */
	struct sti_due d = due_job("2", JOB_METRICS, T0 + 300000);
	sq_known_set(&k, d.id, &d);
	/* the replies job's tweet is gone; a new tweet's job joins */
	sq_known_set(&k, "c:1:replies", NULL);
	d = due_job("3", JOB_QUOTES, T0 - 5);
	sq_known_set(&k, d.id, &d);
	n = sq_known_due(&k, ids, 1, T0, &out);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(out[0].id, "c:3:quotes");
	free(out);
	ck_assert_uint_eq(sq_known_due(&k, ids, 1, INT64_MAX, &out), 3);
	free(out);
	ck_assert_uint_eq(sq_known_due(&k, other, 1, INT64_MAX, &out), 0); /* not listed */
	free(out);
	sq_known_done(&k);
}
END_TEST

/* A job whose run keeps ending on a database error (its worker_state
 * unchanged, so due at once again) is held back 2 s, 4 s, 8 s ... up to
 * 60 s; a hold outlives a full re-read, and a run that ends otherwise
 * lifts it. */
START_TEST(db_errors_back_off)
{
	struct sq_known k = {0};
	struct sti_due *v = calloc(2, sizeof *v);
	v[0] = due_job("1", JOB_METRICS, T0 - 1000);
	v[1] = due_job("2", JOB_METRICS, T0 - 1000);
	sq_known_replace(&k, v, 2);
	const char *ids[] = {"c"};
	struct sti_due *out;
	sq_known_ended(&k, "c:1:metrics", true, T0);
	size_t n = sq_known_due(&k, ids, 1, T0, &out);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(out[0].id, "c:2:metrics");
	free(out);
	n = sq_known_due(&k, ids, 1, T0 + SQ_HOLD_MIN_MS, &out);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(out[1].id, "c:1:metrics"); /* held: due at the hold's end */
	ck_assert_int_eq(out[1].next_run_at_ms, T0 + SQ_HOLD_MIN_MS);
	free(out);
	/* failing again and again: the hold doubles up to its ceiling */
	int64_t expect[] = {4000, 8000, 16000, 32000, 60000, 60000};
	for (size_t i = 0; i < sizeof expect / sizeof *expect; i++) {
		sq_known_ended(&k, "c:1:metrics", true, T0);
		n = sq_known_due(&k, ids, 1, INT64_MAX, &out);
		ck_assert_uint_eq(n, 2);
		ck_assert_int_eq(out[1].next_run_at_ms, T0 + expect[i]);
		free(out);
	}
	/* a full re-read keeps the hold */
	v = calloc(2, sizeof *v);
	v[0] = due_job("1", JOB_METRICS, T0 - 1000);
	v[1] = due_job("2", JOB_METRICS, T0 - 1000);
	sq_known_replace(&k, v, 2);
	ck_assert_uint_eq(sq_known_due(&k, ids, 1, T0, &out), 1);
	free(out);
	/* a later due time than the hold wins; a run that ends well lifts it */
	struct sti_due d = due_job("1", JOB_METRICS, T0 + 300000);
	sq_known_set(&k, d.id, &d);
	n = sq_known_due(&k, ids, 1, INT64_MAX, &out);
	ck_assert_int_eq(out[1].next_run_at_ms, T0 + 300000);
	free(out);
	d = due_job("1", JOB_METRICS, T0 - 1000);
	sq_known_set(&k, d.id, &d);
	sq_known_ended(&k, "c:1:metrics", false, T0);
	ck_assert_uint_eq(sq_known_due(&k, ids, 1, T0, &out), 2);
	free(out);
	sq_known_done(&k);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("test_schedq");
	TCase *tc = tcase_create("schedq");
	tcase_add_test(tc, next_tick_is_fixed_rate);
	tcase_add_test(tc, metrics_first_and_fresh_counts);
	tcase_add_test(tc, read_elsewhere_counts_as_read);
	tcase_add_test(tc, once_waits_then_names);
	tcase_add_test(tc, once_waits_for_a_lease_then_names_it);
	tcase_add_test(tc, known_jobs_follow_their_reads);
	tcase_add_test(tc, db_errors_back_off);
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
