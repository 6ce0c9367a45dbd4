/*
 * test_closeout_sim: the close-out's final refresh against the simulator,
 * with the real binary and a real devdb (tests/support/ing_support.c): a close
 * picks up what arrived after the last regular run (equal to /_sim/truth at
 * close time), then the frozen totals, a later report and the simulator's
 * request counter stay put while the launch keeps growing; a provider that
 * fails during the refresh does not block the close-out (it freezes what is
 * stored and says so); a SIGKILL in the middle of the refresh and a restart
 * finish the close-out exactly once; a job leased by another worker is
 * waited for, never walked twice at once. Main thread only, except the
 * helper thread that holds a lease (it polls the log, never sleeps blind).
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "al_support.h"
#include "engine/engine.h"
#include "ing_support.h"
#include "engine/jobs.h"
#include "model/report.h"
#include "sim/sim.h"
#include "store/store.h"
#include "store/store_ingest.h"
#include "store/store_report.h"
#include "testutil.h"
#include "base/util.h"
#include "provider/xapi.h"

/* Runs the binary with args and env; returns the exit status. */
static int
run_bin(const char *const *env, const char *const *args, char **err_out)
{
	struct tu_run r;
	tu_run(&r, env, 90000, args);
	int st = r.status;
	if (st != 0 && st != 75)
		fprintf(stderr, "launchwatch %s: %d\n%s\n%s\n", args[0], st, r.out, r.err);
	if (err_out)
		*err_out = xstrdup(r.err);
	tu_run_done(&r);
	return st;
}

/* Runs `launchwatch run --once` (every job, due or not). */
static int
run_once(const char *const *env)
{
	const char *args[] = {"run", "--once", "--workers", "3", NULL};
	return run_bin(env, args, NULL);
}

/* `launchwatch campaign close ID`. */
static void
close_campaign(struct ing_world *w, const char *const *env)
{
	const char *args[] = {"campaign", "close", w->campaign_id, NULL};
	ck_assert_int_eq(run_bin(env, args, NULL), 0);
}

/* Writes `launchwatch report ID --format json` into the world's dir and
 * returns the file's bytes (caller frees). */
static char *
report_json(struct ing_world *w, const char *const *env)
{
	char *out = xasprintf("%s/report", w->dir), *err = NULL;
	const char *args[] = {"report", w->campaign_id, "--format", "json", "--out", out, NULL};
	ck_assert_int_eq(run_bin(env, args, &err), 0);
	ck_assert_msg(strstr(err, "final report") != NULL, "%s", err);
	free(err);
	char *path = xasprintf("%s/%s.json", out, w->campaign_id), *text = NULL, *cause = NULL;
	size_t len;
	ck_assert_msg(file_read_all(path, &text, &len, &cause) == 0, "%s", cause);
	free(path);
	free(out);
	return text;
}

/* Returns the simulator's provider request counter. */
static int64_t
sim_requests(struct ing_world *w)
{
	json_t *st = ing_sim_call(w, "GET", "/_sim/stats");
	int64_t n = json_integer_value(json_object_get(st, "provider_requests"));
	json_decref(st);
	return n;
}

/* The truth's totals: engagements and the sums of the tweets' counts. */
struct totals {
	int64_t engagements;
	int64_t m[RM__COUNT];
};

/* Sums /_sim/truth. */
static void
truth_totals(struct ing_world *w, struct totals *t)
{
	json_t *truth = ing_sim_call(w, "GET", "/_sim/truth");
	json_t *tw = json_object_get(truth, "tweets");
	memset(t, 0, sizeof *t);
	t->engagements = (int64_t)json_array_size(json_object_get(truth, "engagements"));
	for (size_t i = 0; i < json_array_size(tw); i++)
		for (int m = 0; m < RM__COUNT; m++)
			t->m[m] += ing_jint2(
			    json_array_get(tw, i), "metrics", rep_metric_name((enum rep_metric)m));
	json_decref(truth);
}

/* Reads the totals of a JSON report. */
static void
report_totals(const char *text, struct totals *t, json_t **refresh)
{
	json_t *j = json_loads(text, 0, NULL);
	ck_assert_ptr_nonnull(j);
	ck_assert(json_is_true(json_object_get(j, "final")));
	t->engagements = ing_jint2(j, "engagements", "total");
	json_t *m = json_object_get(json_object_get(j, "overall"), "metrics");
	for (int i = 0; i < RM__COUNT; i++)
		t->m[i] =
		    json_integer_value(json_object_get(m, rep_metric_name((enum rep_metric)i)));
	*refresh = json_incref(json_object_get(j, "final_refresh"));
	json_decref(j);
}

/* Returns the stored frozen report (caller frees); asserts it is completed. */
static char *
frozen(struct ing_world *w)
{
	struct store_closeout sc;
	char *cause = NULL;
	ck_assert_msg(store_closeout_get(w->s, w->campaign_id, &sc, &cause) == 0, "%s", cause);
	ck_assert_int_eq(sc.status, CS_COMPLETED);
	ck_assert(sc.archived);
	ck_assert_ptr_nonnull(sc.frozen_json);
	char *f = xstrdup(sc.frozen_json);
	store_closeout_done(&sc);
	return f;
}

/* Returns the number of archives recorded for the world's campaign. */
static int64_t
archives(struct ing_world *w)
{
	char *cause = NULL;
	int64_t n = store_count(w->s, "archives", w->campaign_id, &cause);
	ck_assert_msg(n >= 0, "%s", cause);
	return n;
}

/* Returns the run log's text (DATA/run.log; caller frees). */
static char *
run_log(struct ing_world *w)
{
	char *p = xasprintf("%s/launchwatch/run.log", w->dir), *text = NULL, *cause = NULL;
	size_t len;
	if (file_read_all(p, &text, &len, &cause) != 0) {
		free(cause);
		text = xstrdup("");
	}
	free(p);
	return text;
}

/* The shared start: the simulator world, a backfill, then the launch grows
 * past what is stored. */
static void
start(struct ing_world *w, struct sim_opts *o, const char *const *env)
{
	ing_world_start(w, o, "25");
	ck_assert_int_eq(run_once(env ? env : w->env), 0);
	ing_check_exact(w);
	struct totals before, after;
	truth_totals(w, &before);
	ing_advance(w, 300);
	truth_totals(w, &after);
	/* something arrived after the last regular run */
	ck_assert_int_gt(after.engagements, before.engagements);
	ck_assert_int_gt(after.m[RM_VIEWS], before.m[RM_VIEWS]);
}

START_TEST(final_refresh_then_frozen)
{
	struct ing_world w;
	struct sim_opts o;
	sim_opts_init(&o);
	o.seed = 7;
	start(&w, &o, NULL);
	int64_t req0 = sim_requests(&w);
	struct totals truth, rep;
	truth_totals(&w, &truth);

	close_campaign(&w, w.env);
	ck_assert_int_eq(run_once(w.env), 0);
	/* the final refresh read the metrics and walked the lists: the stored
	 * data equals the truth at close time, and so does the frozen report */
	ck_assert_int_gt(sim_requests(&w), req0);
	ing_check_exact(&w);
	char *rep1 = report_json(&w, w.env);
	json_t *fr = NULL;
	report_totals(rep1, &rep, &fr);
	ck_assert_int_eq(rep.engagements, truth.engagements);
	for (int m = 0; m < RM__COUNT; m++)
		ck_assert_int_eq(rep.m[m], truth.m[m]);
	ck_assert(json_is_true(json_object_get(fr, "complete")));
	ck_assert_int_eq(json_integer_value(json_object_get(fr, "jobs")), NTWEETS * 4);
	ck_assert_int_eq(json_integer_value(json_object_get(fr, "failed")), 0);
	ck_assert_int_gt(json_integer_value(json_object_get(fr, "requests")), 0);
	json_decref(fr);
	char *frozen1 = frozen(&w);
	ck_assert_int_eq(archives(&w), 1);
	int64_t req1 = sim_requests(&w);

	/* the launch keeps growing; the engine runs again, once and on its
	 * schedule: nothing is asked of the provider, nothing changes */
	ing_advance(&w, 600);
	ck_assert_int_eq(run_once(w.env), 0);
	const char *forargs[] = {"run", "--for", "3", NULL};
	ck_assert_int_eq(run_bin(w.env, forargs, NULL), 0);
	ck_assert_int_eq(sim_requests(&w), req1);
	char *frozen2 = frozen(&w);
	ck_assert_str_eq(frozen1, frozen2);
	char *rep2 = report_json(&w, w.env);
	ck_assert_str_eq(rep1, rep2);
	struct totals later;
	truth_totals(&w, &later);
	ck_assert_int_gt(later.engagements, rep.engagements);
	ck_assert_int_eq(archives(&w), 1);
	char *log = run_log(&w);
	ck_assert_ptr_nonnull(strstr(log, "final refresh complete"));
	free(log);
	free(frozen1);
	free(frozen2);
	free(rep1);
	free(rep2);
	ing_world_stop(&w);
}
END_TEST

START_TEST(provider_failure_does_not_block)
{
	struct ing_world w;
	struct sim_opts o;
	sim_opts_init(&o);
	o.seed = 8;
	o.key = "right-key";
	/* the world's environment plus a key */
	const char *good[8], *bad[8];
	ing_world_start(&w, &o, "25");
	for (int i = 0; i < 5; i++)
		good[i] = bad[i] = w.env[i];
	good[5] = "TWITTERAPI_KEY=right-key";
	bad[5] = "TWITTERAPI_KEY=wrong-key";
	good[6] = bad[6] = NULL;
	ck_assert_int_eq(run_once(good), 0);
	ing_check_exact(&w);
	struct totals stored, truth, rep;
	truth_totals(&w, &stored); /* what the database holds now */
	ing_advance(&w, 300);
	truth_totals(&w, &truth);
	ck_assert_int_gt(truth.engagements, stored.engagements);

	/* the key is rejected during the final refresh: the close-out still
	 * finishes, with what was stored, and says so */
	close_campaign(&w, bad);
	int64_t req0 = sim_requests(&w);
	ck_assert_int_eq(run_once(bad), 0);
	char *rep1 = report_json(&w, good);
	json_t *fr = NULL;
	report_totals(rep1, &rep, &fr);
	ck_assert_int_eq(rep.engagements, stored.engagements);
	for (int m = 0; m < RM__COUNT; m++)
		ck_assert_int_eq(rep.m[m], stored.m[m]);
	ck_assert(json_is_false(json_object_get(fr, "complete")));
	ck_assert_int_eq(json_integer_value(json_object_get(fr, "failed")), NTWEETS * 4);
	const char *note = json_string_value(json_object_get(fr, "note"));
	ck_assert_msg(strstr(note, "auth") && strstr(note, "not tried"), "%s", note);
	ck_assert_msg(strstr(note, "wrong-key") == NULL && strstr(note, "right-key") == NULL,
	    "a key in the note: %s", note);
	/* one metrics request failed; after three failed jobs in a row the
	 * walks were not tried */
	ck_assert_int_eq(sim_requests(&w) - req0, 1);
	json_decref(fr);
	char *log = run_log(&w);
	ck_assert_ptr_nonnull(strstr(log, "final refresh INCOMPLETE"));
	free(log);
	/* the Markdown report says so too */
	char *dir = xasprintf("%s/md", w.dir);
	const char *args[] = {"report", w.campaign_id, "--format", "md", "--out", dir, NULL};
	ck_assert_int_eq(run_bin(good, args, NULL), 0);
	char *p = xasprintf("%s/%s.md", dir, w.campaign_id), *md = NULL, *cause = NULL;
	size_t len;
	ck_assert_int_eq(file_read_all(p, &md, &len, &cause), 0);
	ck_assert_ptr_nonnull(strstr(md, "Final refresh INCOMPLETE"));
	free(md);
	free(p);
	free(dir);

	/* frozen means frozen, with a good key too */
	ck_assert_int_eq(run_once(good), 0);
	char *rep2 = report_json(&w, good);
	ck_assert_str_eq(rep1, rep2);
	ck_assert_int_eq(archives(&w), 1);
	free(rep1);
	free(rep2);
	ing_world_stop(&w);
}
END_TEST

/* The child's progress hook: dies at the walk of tweet 1's replies, with
 * the metrics read and some walks done, and that job's lease taken. */
static void
die_at_walk(const char *message, void *arg)
{
	const char *target = arg;
	if (strstr(message, target))
		raise(SIGKILL);
}

/* The child, this program executed again (`--child-engine URI BASE DIR
 * TARGET`: a fork alone would run the engine in a copy of a process whose
 * simulator threads may hold the allocator's locks): an in-process engine
 * (as `run --once`) that closes the campaign out and is killed in the
 * middle of the final refresh. */
static int
child_engine(const char *uri, const char *base, const char *dir, const char *target)
{
	struct store *s = NULL;
	struct engine *e = NULL;
	char *cause = NULL;
	setenv("TWITTERAPI_BASE_URL", base, 1);
	if (store_open(uri, "launchwatch", &s, &cause) != 0)
		_exit(2);
	struct engine_opts eo = {.once = true,
	    .workers = 2,
	    .no_alerts = true,
	    .closeout_progress = die_at_walk,
	    .closeout_progress_arg = (void *)target};
	setenv("XDG_DATA_HOME", dir, 1);
	if (engine_start(s, &eo, &e, &cause) != 0)
		_exit(3);
	_exit(4); /* never reached: the hook kills first */
}

START_TEST(sigkill_during_final_refresh)
{
	struct ing_world w;
	struct sim_opts o;
	sim_opts_init(&o);
	o.seed = 9;
	start(&w, &o, NULL);
	close_campaign(&w, w.env);
	char *target = xasprintf("walking the replies of tweet %s", sim_tweet_id(w.sim, 1));
	int64_t req0 = sim_requests(&w);
	char exe[] = "/proc/self/exe", flag[] = "--child-engine";
	char *const args[] = {exe, flag, w.db->uri, w.base, w.dir, target, NULL};
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		execv(args[0], args);
		_exit(127);
	}
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "child status %d", st);
	free(target);
	/* it died mid-refresh: requests went out, nothing is frozen, and the
	 * job it was about to walk is leased by the dead engine */
	ck_assert_int_gt(sim_requests(&w), req0);
	struct store_closeout sc;
	char *cause = NULL;
	ck_assert_int_eq(store_closeout_get(w.s, w.campaign_id, &sc, &cause), 0);
	ck_assert_int_eq(sc.frozen_at_ms, 0);
	ck_assert_int_ne(sc.status, CS_COMPLETED);
	store_closeout_done(&sc);
	char *jid = xasprintf("%s:%s:replies", w.campaign_id, sim_tweet_id(w.sim, 1));
	struct sti_job_state js;
	ck_assert_int_eq(sti_job_peek(w.s, jid, &js, &cause), 0);
	ck_assert_int_gt(js.lease_until_ms, clock_now_ms());
	free(js.last_error);

	/* the launch grew meanwhile; the restart frees the dead engine's
	 * leases, refreshes again and freezes once */
	ing_advance(&w, 60);
	struct totals truth, rep;
	truth_totals(&w, &truth);
	ck_assert_int_eq(run_once(w.env), 0);
	ing_check_exact(&w);
	char *rep1 = report_json(&w, w.env);
	json_t *fr = NULL;
	report_totals(rep1, &rep, &fr);
	ck_assert_int_eq(rep.engagements, truth.engagements);
	for (int m = 0; m < RM__COUNT; m++)
		ck_assert_int_eq(rep.m[m], truth.m[m]);
	ck_assert(json_is_true(json_object_get(fr, "complete")));
	json_decref(fr);
	ck_assert_int_eq(archives(&w), 1);
	ck_assert_int_eq(sti_job_peek(w.s, jid, &js, &cause), 0);
	ck_assert_int_eq(js.lease_until_ms, 0);
	free(js.last_error);
	free(jid);
	/* and once more: already done */
	int64_t req1 = sim_requests(&w);
	ck_assert_int_eq(run_once(w.env), 0);
	ck_assert_int_eq(sim_requests(&w), req1);
	char *rep2 = report_json(&w, w.env);
	ck_assert_str_eq(rep1, rep2);
	ck_assert_int_eq(archives(&w), 1);
	free(rep1);
	free(rep2);
	ing_world_stop(&w);
}
END_TEST

/* Holds a job's lease as another engine would, until the close-out's
 * refresh says it waits for it. */
struct holder {
	struct ing_world *w;
	struct jobs *jobs;
	struct job job;
	int released; /* 1 released after the wait was logged, -1 gave up */
};

/* The holder thread: polls the run log (deadline 60 s) for the wait, then
 * records the job as done, as the other engine would when it finishes. */
static void *
holder_main(void *arg)
{
	struct holder *h = arg;
	char *cause = NULL;
	int64_t deadline = clock_mono_ms() + 60000;
	h->released = -1;
	while (clock_mono_ms() < deadline) {
		char *log = run_log(h->w);
		bool seen = strstr(log, "waiting for the lease held by other-engine") != NULL;
		free(log);
		if (seen) {
			struct job_result r = {.walked_count = -1};
			if (jobs_finish(h->jobs, &h->job, &r, 1, clock_now_ms(), &cause) == 0)
				h->released = 1;
			free(cause);
			break;
		}
		usleep(50 * 1000); /* polling another process, with a deadline */
	}
	return NULL;
}

START_TEST(leased_job_is_waited_for)
{
	struct ing_world w;
	struct sim_opts o;
	sim_opts_init(&o);
	o.seed = 10;
	start(&w, &o, NULL);
	struct totals truth;
	truth_totals(&w, &truth);
	/* another engine holds the retweets job of tweet 0 */
	struct holder h = {.w = &w};
	char *cause = NULL;
	h.jobs = jobs_new(w.s, "other-engine");
	char *jid = xasprintf("%s:%s:retweets", w.campaign_id, sim_tweet_id(w.sim, 0));
	ck_assert_int_eq(jobs_claim(h.jobs, jid, clock_now_ms(), true, &h.job, &cause), 0);
	close_campaign(&w, w.env);
	pthread_t t;
	ck_assert_int_eq(pthread_create(&t, NULL, holder_main, &h), 0);
	ck_assert_int_eq(run_once(w.env), 0);
	pthread_join(t, NULL);
	ck_assert_int_eq(h.released, 1);
	/* it waited, then walked the job itself after the other let go */
	ing_check_exact(&w);
	char *rep1 = report_json(&w, w.env);
	struct totals rep;
	json_t *fr = NULL;
	report_totals(rep1, &rep, &fr);
	ck_assert_int_eq(rep.engagements, truth.engagements);
	ck_assert(json_is_true(json_object_get(fr, "complete")));
	json_decref(fr);
	free(rep1);
	job_done(&h.job);
	jobs_free(h.jobs);
	free(jid);
	ing_world_stop(&w);
}
END_TEST

/* A close-out that fails (its archive directory cannot be made) is handed
 * over again by the running engine and finishes once the cause is gone. */
START_TEST(failed_closeout_is_retried)
{
	struct ing_world w;
	struct sim_opts o;
	sim_opts_init(&o);
	o.seed = 9;
	start(&w, &o, NULL);
	close_campaign(&w, w.env);
	char *blocker = tu_write_file(w.dir, "blocker", "a file where a directory should be");
	char *arch = xasprintf("LAUNCHWATCH_ARCHIVE_DIR=%s/archives", blocker);
	const char *env[10];
	int n = 0;
	for (; w.env[n]; n++)
		env[n] = w.env[n];
	env[n++] = arch;
	env[n++] = "LAUNCHWATCH_CLOSE_RETRY_MS=300";
	env[n] = NULL;
	char *out = xasprintf("%s/run.out", w.dir);
	const char *args[] = {"run", "--for", "60", NULL};
	pid_t pid = al_spawn(env, args, out);
	/* wait for the first failure, then take the obstacle away */
	bool failed = false;
	for (int i = 0; i < 600 && !failed; i++) {
		char *log = run_log(&w);
		failed = strstr(log, "close-out failed") != NULL;
		free(log);
		if (!failed)
			usleep(100 * 1000);
	}
	ck_assert_msg(failed, "the close-out never failed");
	ck_assert_int_eq(archives(&w), 0);
	ck_assert_int_eq(unlink(blocker), 0);
	for (int i = 0; i < 600 && archives(&w) == 0; i++)
		usleep(100 * 1000);
	ck_assert_int_eq(archives(&w), 1);
	ck_assert_int_eq(al_reap(pid, SIGTERM, 20000), 0);
	char *log = run_log(&w);
	ck_assert_ptr_nonnull(strstr(log, "close-out finished"));
	/* the log names the public key that signed the archive, never the
	 * secret one (made in the engine's data directory, mode 0600) */
	ck_assert_msg(strstr(log, ", signed by ed25519:") != NULL, "%s", log);
	char *keypath = xasprintf("%s/launchwatch/archive-signing.key", w.dir), *secret = NULL,
	     *why = NULL;
	size_t klen;
	ck_assert_msg(file_read_all(keypath, &secret, &klen, &why) == 0, "%s", why);
	secret[strcspn(secret, "\n")] = '\0';
	ck_assert_int_eq(strlen(secret), 64);
	ck_assert_ptr_null(strstr(log, secret));
	free(secret);
	free(keypath);
	free(log);
	free(out);
	free(arch);
	free(blocker);
	ing_world_stop(&w);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("test_closeout_sim");
	TCase *tc = tcase_create("final refresh");
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, final_refresh_then_frozen);
	tcase_add_test(tc, provider_failure_does_not_block);
	tcase_add_test(tc, sigkill_during_final_refresh);
	tcase_add_test(tc, leased_job_is_waited_for);
	tcase_add_test(tc, failed_closeout_is_retried);
	suite_add_tcase(s, tc);
	return s;
}

int
main(int argc, char **argv)
{
	if (argc == 6 && strcmp(argv[1], "--child-engine") == 0)
		return child_engine(argv[2], argv[3], argv[4], argv[5]);
	SRunner *sr = srunner_create(make_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
