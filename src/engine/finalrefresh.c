/*
 * finalrefresh: the close-out's final refresh (include/engine/finalrefresh.h):
 * one more metrics reading of every tweet of a closing campaign and one more
 * walk of each of its lists, through the ordinary job machinery (jobs_claim,
 * ingest_metrics, ingest_walk), with retries, a failure streak and a time
 * budget. Runs on its caller's thread (the scheduler's, at window end).
 */
#include "engine/finalrefresh.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/heartbeat.h"
#include "base/text.h"
#include "base/util.h"

#define TICK_MS 100 /* longest sleep before the stop flag is checked again */

enum fr_state { FR_PENDING, FR_DONE, FR_FAILED };

/* One job of the final refresh. */
struct fr_job {
	char id[JOB_ID_MAX];
	const char *tweet_id; /* borrowed from the campaign */
	enum job_kind kind;
	enum tweet_category cat;
	enum fr_state st;
	int runs;
	int64_t not_before_ms;
	bool waited; /* a lease held elsewhere was logged */
	char *error; /* FR_FAILED: why (owned) */
};

/* A final refresh in progress. */
struct fr {
	const struct final_refresh *env;
	const struct campaign *c;
	struct ingest ing; /* env->ing, stopping only when the engine stops */
	struct xapi *x;
	struct fr_job *v;
	size_t n;
	struct job *claimed; /* XAPI_MAX_IDS */
	struct ing_outcome *out;
	int64_t started_ms; /* the metrics phase reads every count after this */
	int64_t deadline_ms;
	int64_t next_beat_ms;
	int streak; /* jobs failed in a row */
	int64_t requests;
	void (*progress)(const char *, void *);
	void *progress_arg;
};

/* The final refresh's stop test: only a stop of the engine (the campaign is
 * closing, which stops the scheduler's own runs of its jobs). */
static bool
fr_should_stop(void *arg, const char *campaign_id)
{
	atomic_bool *stop = arg;
	(void)campaign_id;
	return atomic_load(stop);
}

/* Sends one progress line, if anyone listens. */
static void fr_progress(struct fr *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void
fr_progress(struct fr *f, const char *fmt, ...)
{
	if (f->progress == NULL)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	f->progress(msg, f->progress_arg);
	free(msg);
}

/* Beats the heartbeat when it is due (the refresh may outlast a beat). */
static void
fr_beat(struct fr *f)
{
	if (clock_now_ms() < f->next_beat_ms)
		return;
	heartbeat_beat(f->env->log, f->env->s, f->env->hb);
	f->next_beat_ms = clock_now_ms() + f->env->beat_ms;
}

/* Sleeps until until_ms or the engine's stop, beating the heartbeat. */
static void
fr_sleep(struct fr *f, int64_t until_ms)
{
	for (int64_t now = clock_now_ms(); now < until_ms && !atomic_load(f->env->stop);
	     now = clock_now_ms()) {
		int64_t ms = until_ms - now < TICK_MS ? until_ms - now : TICK_MS;
		struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)ms * 1000000L};
		nanosleep(&ts, NULL);
		fr_beat(f);
	}
}

/* Marks job j failed because of why (copied) and logs it. */
static void
fr_fail(struct fr *f, struct fr_job *j, const char *why)
{
	j->st = FR_FAILED;
	free(j->error);
	j->error = xstrdup(why && *why ? why : "failed");
	ing_logf(f->env->log, "warn", j->id, "final refresh: not refreshed: %s", j->error);
}

/* Looks at a job that could not be claimed: gone (done), stopped (failed),
 * or leased by another worker (waited for). 0, or -1 on a database error. */
static int
fr_unclaimable(struct fr *f, struct fr_job *j, char **cause)
{
	struct sti_job_state js;
	int rc = sti_job_peek(f->env->s, j->id, &js, cause);
	if (rc < 0)
		return -1;
	if (rc == 1) {
		fr_fail(f, j, "the job has no worker_state document");
	} else if (js.state == JST_MISSING) {
		j->st = FR_DONE; /* the tweet is gone: nothing left to read */
	} else if (js.state == JST_STOPPED) {
		char *why = xasprintf("stopped: %s", *js.last_error ? js.last_error : "(no error)");
		fr_fail(f, j, why);
		free(why);
	} else {
		/* another worker holds it: never walk it twice at once; look
		 * again in a second (its lease ends when it finishes or dies) */
		if (!j->waited)
			ing_logf(f->env->log, "info", j->id,
			    "final refresh: waiting for the lease held by %s", js.lease_owner);
		j->waited = true;
		j->not_before_ms = clock_now_ms() + 1000;
	}
	free(js.last_error);
	return 0;
}

/* Records the outcome o of a run of job j. 0, or -1 with a cause when the
 * database failed or the engine stops. */
static int
fr_outcome(struct fr *f, struct fr_job *j, const struct ing_outcome *o, char **cause)
{
	const struct final_refresh *env = f->env;
	int64_t now = clock_now_ms();
	f->requests += o->requests;
	j->runs++;
	switch (o->st) {
	case ING_OK:
	case ING_SKIPPED:
	case ING_MISSING:
		j->st = FR_DONE;
		f->streak = 0;
		return 0;
	case ING_RELEASED:
		return set_cause(cause, "the engine stopped during the final refresh");
	case ING_DBERROR:
		return set_cause(
		    cause, "the database failed during the final refresh of %s", j->id);
	case ING_BLOCKED:
	case ING_RETRY:
		if (j->runs < env->tries && !(o->st == ING_BLOCKED && o->cls == XAPI_CREDITS) &&
		    o->next_ms - now <= env->wait_ms && o->next_ms < f->deadline_ms) {
			j->not_before_ms = o->next_ms;
			return 0;
		}
		break;
	case ING_STOPPED:
		break;
	}
	/* given up: the job's own record holds the provider's message */
	struct sti_job_state js;
	if (sti_job_peek(env->s, j->id, &js, cause) < 0)
		return -1;
	char *why = xasprintf("%s after %d run%s: %s", ing_status_name(o->st), j->runs,
	    j->runs == 1 ? "" : "s", js.last_error && *js.last_error ? js.last_error : "?");
	free(js.last_error);
	fr_fail(f, j, why);
	free(why);
	if (++f->streak >= env->fail_streak) {
		char *rest =
		    xasprintf("not tried: the provider failed %d jobs in a row", f->streak);
		for (size_t i = 0; i < f->n; i++)
			if (f->v[i].st == FR_PENDING)
				fr_fail(f, &f->v[i], rest);
		free(rest);
	}
	return 0;
}

/* Runs the pending jobs of one phase (metrics, or the list walks) until each
 * is done or failed. 0, or -1 with a cause. */
static int
fr_phase(struct fr *f, bool metrics, char **cause)
{
	const struct final_refresh *env = f->env;
	size_t pick[XAPI_MAX_IDS], map[XAPI_MAX_IDS];
	enum tweet_category cats[XAPI_MAX_IDS];
	for (;;) {
		if (atomic_load(env->stop))
			return set_cause(cause, "the engine stopped during the final refresh");
		fr_beat(f);
		int64_t now = clock_now_ms(), wake = f->deadline_ms;
		size_t np = 0;
		bool pending = false;
		for (size_t i = 0; i < f->n; i++) {
			struct fr_job *j = &f->v[i];
			if (j->st != FR_PENDING || (j->kind == JOB_METRICS) != metrics)
				continue;
			if (now >= f->deadline_ms) {
				fr_fail(
				    f, j, "not finished within the final refresh's time budget");
				continue;
			}
			pending = true;
			if (j->not_before_ms > now) {
				if (j->not_before_ms < wake)
					wake = j->not_before_ms;
				continue;
			}
			if (np < (metrics ? XAPI_MAX_IDS : 1))
				pick[np++] = i;
		}
		if (!pending)
			return 0;
		if (np == 0) {
			fr_sleep(f, wake);
			continue;
		}
		size_t nc = 0;
		int rc = 0;
		for (size_t k = 0; k < np && rc == 0; k++) {
			struct fr_job *j = &f->v[pick[k]];
			rc = jobs_claim(
			    env->jobs, j->id, clock_now_ms(), true, &f->claimed[nc], cause);
			if (rc == 0) {
				cats[nc] = j->cat;
				map[nc++] = pick[k];
			} else if (rc == 1) {
				rc = fr_unclaimable(f, j, cause);
			}
		}
		if (rc < 0) {
			/* the leases of what was claimed run out by themselves */
			for (size_t k = 0; k < nc; k++)
				job_done(&f->claimed[k]);
			return -1;
		}
		if (nc == 0)
			continue;
		memset(f->out, 0, nc * sizeof *f->out);
		if (metrics) {
			fr_progress(f, "final refresh: reading the metrics of %zu tweets of %s", nc,
			    f->c->id);
			ingest_metrics(&f->ing, f->x, f->c->id, f->claimed, cats, nc,
			    job_cadence_s(f->c, JOB_METRICS), f->out);
		} else {
			const struct fr_job *j = &f->v[map[0]];
			fr_progress(f, "final refresh: walking the %s of tweet %s",
			    job_kind_name(j->kind), j->tweet_id);
			ingest_walk(&f->ing, f->x, &f->claimed[0], cats[0],
			    job_cadence_s(f->c, j->kind), f->started_ms, &f->out[0]);
		}
		for (size_t k = 0; k < nc && rc == 0; k++)
			rc = fr_outcome(f, &f->v[map[k]], &f->out[k], cause);
		for (size_t k = 0; k < nc; k++)
			job_done(&f->claimed[k]);
		if (rc < 0)
			return -1;
	}
}

int
final_refresh_run(const struct final_refresh *env, const struct campaign *c,
    void (*progress)(const char *message, void *arg), void *progress_arg, struct rep_refresh *out,
    char **cause)
{
	struct fr f;
	memset(out, 0, sizeof *out);
	memset(&f, 0, sizeof f);
	f.env = env;
	f.c = c;
	f.ing = *env->ing;
	f.ing.should_stop = fr_should_stop;
	f.ing.stop_arg = env->stop;
	f.progress = progress;
	f.progress_arg = progress_arg;
	f.started_ms = clock_now_ms();
	f.deadline_ms = f.started_ms + env->budget_ms;
	f.next_beat_ms = clock_now_ms() + env->beat_ms;
	f.n = c->cfg.ntweets * JOB__COUNT;
	f.v = xcalloc(f.n ? f.n : 1, sizeof *f.v);
	for (size_t i = 0; i < c->cfg.ntweets; i++)
		for (int k = 0; k < JOB__COUNT; k++) {
			struct fr_job *j = &f.v[i * JOB__COUNT + (size_t)k];
			j->tweet_id = c->cfg.tweets[i].id;
			j->kind = (enum job_kind)k;
			j->cat = c->cfg.tweets[i].category;
			snprintf(j->id, sizeof j->id, "%s:%s:%s", c->id, j->tweet_id,
			    job_kind_name(j->kind));
		}
	f.claimed = xcalloc(XAPI_MAX_IDS, sizeof *f.claimed);
	f.out = xcalloc(XAPI_MAX_IDS, sizeof *f.out);
	f.x = xapi_new(env->xcfg);
	ing_logf(env->log, "info", NULL, "campaign %s: final refresh of %zu tweets", c->id,
	    c->cfg.ntweets);
	/* metrics first, so the walks compare against fresh counts */
	int rc = fr_phase(&f, true, cause);
	if (rc == 0)
		rc = fr_phase(&f, false, cause);
	if (rc == 0) {
		struct sbuf note;
		sbuf_init(&note);
		out->ran = true;
		out->at_ms = clock_now_ms();
		out->jobs = (int64_t)f.n;
		out->requests = f.requests;
		for (size_t i = 0; i < f.n; i++) {
			if (f.v[i].st != FR_FAILED)
				continue;
			if (out->failed++ < 5)
				sbuf_printf(&note, "%s%s of %s: %s", note.len ? "; " : "",
				    job_kind_name(f.v[i].kind), f.v[i].tweet_id, f.v[i].error);
		}
		if (out->failed > 5)
			sbuf_printf(&note, "; and %lld more", (long long)out->failed - 5);
		out->complete = out->failed == 0;
		out->note = text_sanitize(note.len ? note.s : "", note.len, 2000);
		sbuf_done(&note);
		ing_logf(env->log, out->complete ? "info" : "warn", NULL,
		    "campaign %s: final refresh %s: %lld jobs, %lld not refreshed, %lld "
		    "requests%s%s",
		    c->id, out->complete ? "complete" : "INCOMPLETE", (long long)out->jobs,
		    (long long)out->failed, (long long)out->requests, *out->note ? "; " : "",
		    out->note);
	} else {
		ing_logf(env->log, "warn", NULL, "campaign %s: final refresh interrupted: %s",
		    c->id, *cause);
	}
	xapi_free(f.x);
	free(f.claimed);
	free(f.out);
	for (size_t i = 0; i < f.n; i++)
		free(f.v[i].error);
	free(f.v);
	return rc;
}
