/*
 * scheduler: the engine's threads. One scheduler thread refreshes campaigns
 * (activation at window start, the close-out at window end), lists due jobs
 * into the in-memory queue (schedq.c) and beats the heartbeat; worker
 * threads take jobs from the queue, claim them and run them through ingest;
 * a watchdog thread logs database calls that keep waiting. Everything
 * shared is guarded by sc->mu; the database and the provider are never
 * called with it held. sched_request_stop only stores an atomic flag.
 */
#include "engine/scheduler.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/aggregator.h"
#include "engine/closeout.h"
#include "engine/credits.h"
#include "engine/finalrefresh.h"
#include "engine/ingest.h"
#include "engine/jobs.h"
#include "engine/writer.h"
#include "scheduler_internal.h"
#include "store/store.h"
#include "base/text.h"
#include "base/timestr.h"
#include "base/util.h"

#define RESCAN_MS     300000 /* all of worker_state is listed again at most this often */
#define CAMPAIGNS_MS  5000   /* the campaigns (a scan of whole documents) are re-read this often */
#define FLUSH_WAIT_MS 60000  /* the prepared aggregates catch up at the end within this */
#define SLOW_DB_MS    3000   /* a database call waiting this long is logged */
#define SLOW_AGAIN_MS 10000  /* and again this often while it keeps waiting */

void
sched_opts_init(struct sched_opts *o)
{
	memset(o, 0, sizeof *o);
	o->workers = 4;
	o->refresh_ms = 2000;
	o->once_wait_ms = 20000;
	o->once_tries = 8;
	o->final_wait_ms = 10000;
	o->final_tries = 3;
	o->final_fail_streak = 3;
	o->final_budget_ms = 600000;
	o->close_retry_ms = 60000;
}

/* Returns the monotonic-free wall clock (the engine's clock). */
static int64_t
now_ms(void)
{
	return clock_now_ms();
}

/* ---- campaigns ---- */

/* Re-reads the campaigns, activates scheduled ones whose window started and
 * marks ended ones closing. Returns 0 or -1. */
static int
refresh_campaigns(struct sched *sc, char **cause)
{
	struct campaign *v;
	size_t n;
	if (store_campaign_list(sc->s, &v, &n, cause) != 0)
		return -1;
	int64_t now = now_ms();
	for (size_t i = 0; i < n; i++) {
		struct campaign *c = &v[i];
		bool open = now >= c->cfg.start_s * 1000 && now < c->cfg.end_s * 1000 &&
		            c->close_requested_at_ms == 0;
		if (c->status == CS_SCHEDULED && open) {
			char *why = NULL;
			if (store_campaign_set_status(sc->s, c->id, CS_ACTIVE, now, &why) == 0) {
				c->status = CS_ACTIVE;
				ing_logf(sc->log, "info", NULL,
				    "campaign %s: window started; active", c->id);
			} else {
				ing_logf(sc->log, "error", NULL, "campaign %s: %s", c->id, why);
			}
			free(why);
		}
	}
	/* what decides which jobs exist: the campaigns, their state and tweets */
	uint64_t sig = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++) {
		int64_t parts[4] = {(int64_t)v[i].status, v[i].updated_at_ms,
		    v[i].close_requested_at_ms, (int64_t)v[i].cfg.ntweets};
		sig = (sig ^ hash_fnv1a(v[i].id, strlen(v[i].id))) * 1099511628211ULL;
		sig = (sig ^ hash_fnv1a(parts, sizeof parts)) * 1099511628211ULL;
	}
	pthread_mutex_lock(&sc->mu);
	sq_set_camps(&sc->sq, v, n, now);
	sc->camps_sig = sig;
	pthread_mutex_unlock(&sc->mu);
	if (sc->agg) {
		/* every campaign whose log may still grow */
		const char **ids = xcalloc(n ? n : 1, sizeof *ids);
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			if (v[i].status != CS_COMPLETED || v[i].closeout_pending)
				ids[k++] = v[i].id;
		aggregator_set_campaigns(sc->agg, ids, k);
		free(ids);
	}
	free(v);
	return 0;
}

/* Closes campaign c out: its final refresh through this engine's jobs and
 * ingest settings, then closeout_run (freeze, CPM, archive, report files),
 * with the engine's progress hook; logs how it went. 0, or -1 when it
 * failed (it is tried again later). Scheduler thread (or sched_start's and
 * sched_wait's). */
static int
close_out(struct sched *sc, const struct campaign *c)
{
	struct final_refresh fr = {.s = sc->s,
	    .jobs = sc->jobs,
	    .ing = &sc->ing,
	    .log = sc->log,
	    .xcfg = sc->o.xcfg,
	    .stop = &sc->stop,
	    .hb = &sc->hb,
	    .beat_ms = HEARTBEAT_MS,
	    .wait_ms = sc->o.final_wait_ms,
	    .tries = sc->o.final_tries,
	    .fail_streak = sc->o.final_fail_streak,
	    .budget_ms = sc->o.final_budget_ms};
	struct closeout_hooks hooks = {
	    .progress = sc->o.closeout_progress, .arg = sc->o.closeout_progress_arg};
	struct closeout_opts opts = {.refresh = &fr, .write_reports = true, .aggregator = sc->agg};
	struct closeout_result res;
	char *cause = NULL;
	/* the scheduler already ran the campaign's last due jobs; a failure
	 * here leaves it unfrozen (or frozen and not yet archived), and the
	 * next try (or engine start) finishes it */
	int rc = closeout_run(sc->s, c->id, &hooks, &opts, &res, &cause);
	if (rc == 0) {
		ing_logf(sc->log, "info", NULL, "campaign %s: close-out %s%s%s%s", c->id,
		    res.already_done ? "already done" : "finished; archive ",
		    res.already_done ? "" : res.archive_dir, res.archived ? ", signed by " : "",
		    res.archived ? res.manifest.signing_key : "");
	} else {
		ing_logf(sc->log, "error", NULL,
		    "campaign %s: close-out failed: %s; it is tried again later", c->id, cause);
		if (sc->o.closeout_progress) {
			char *msg = xasprintf("close-out failed: %s", cause);
			sc->o.closeout_progress(msg, sc->o.closeout_progress_arg);
			free(msg);
		}
	}
	free(cause);
	return rc;
}

/* Closes out the closing campaigns that have no job in flight. */
static void
run_closeouts(struct sched *sc)
{
	int64_t now = now_ms();
	for (;;) {
		struct campaign copy;
		bool found = false;
		pthread_mutex_lock(&sc->mu);
		for (size_t i = 0; i < sc->sq.ncamps && !found; i++) {
			struct sq_camp *c = &sc->sq.camps[i];
			if (!c->closing || c->hooked || c->inflight > 0 || c->hook_after_ms > now)
				continue;
			c->hooked = true;
			found = true;
			/* a shallow copy is enough: the close-out runs on this
			 * thread, which is the only one that replaces sc->camps */
			copy = c->c;
		}
		pthread_mutex_unlock(&sc->mu);
		if (!found)
			return;
		ing_logf(sc->log, "info", NULL, "campaign %s: window ended or close requested; %s",
		    copy.id,
		    sc->o.closeout ? "handed to the report job" : "left for the report job");
		if (sc->o.closeout && close_out(sc, &copy) != 0) {
			/* failed: close it out again later (the campaign may have
			 * been re-read meanwhile; find it by id) */
			pthread_mutex_lock(&sc->mu);
			struct sq_camp *c = sq_camp_find(&sc->sq, copy.id);
			if (c) {
				c->hooked = false;
				c->hook_after_ms = now_ms() + sc->o.close_retry_ms;
			}
			pthread_mutex_unlock(&sc->mu);
		}
	}
}

/* Returns true when d was snoozed on credits (blocked_by, or the reason
 * an earlier release wrote). */
static bool
on_credits(const struct sti_due *d)
{
	const char *name = xapi_class_name(XAPI_CREDITS);
	size_t len = strlen(name);
	return d->state == JST_BLOCKED &&
	       (strcmp(d->blocked_by, name) == 0 ||
	           (d->blocked_by[0] == '\0' && strncmp(d->last_error, name, len) == 0 &&
	               d->last_error[len] == ':'));
}

/* Returns true when d waits out a backoff (a retry, or a snooze other than
 * credits) that ends after now. */
static bool
in_backoff(const struct sti_due *d, int64_t now)
{
	return (d->state == JST_RETRY || (d->state == JST_BLOCKED && !on_credits(d))) &&
	       d->next_run_at_ms > now;
}

/* Lists the jobs of runnable campaigns (every one when all, else the due
 * ones, plus those snoozed on credits while the gate may let them go) and
 * queues them. --once (all): every job is forced, a backoff is waited for
 * when it ends within the bounded wait, else noted. The credits gate is
 * seeded from jobs an earlier process snoozed on credits. 0 or -1. */
/* Lists the jobs of campaigns ids[0..n) due at until (all with INT64_MAX)
 * into a new array, as sti_jobs_due does. Outside --once the list comes
 * from memory: the whole of worker_state is read again only every
 * RESCAN_MS, or when the campaigns changed; in between, each job a worker
 * finished is read back by _id. Scheduler thread (sq's mutex not held). */
static int
list_jobs(struct sched *sc, const char *const *ids, size_t n, int64_t until, struct sti_due **out,
    size_t *nout, char **cause)
{
	if (sc->o.once)
		return sti_jobs_due(sc->s, ids, n, until, out, nout, cause);
	int64_t now = now_ms();
	pthread_mutex_lock(&sc->mu);
	uint64_t sig = sc->camps_sig;
	struct stale *stale = sc->stale;
	size_t nstale = sc->nstale;
	sc->stale = NULL;
	sc->nstale = 0;
	pthread_mutex_unlock(&sc->mu);
	int rc = 0;
	for (size_t i = 0; i < nstale; i++)
		sq_known_ended(&sc->known, stale[i].id, stale[i].db_error, now);
	if (now >= sc->next_rescan_ms || sig != sc->known_sig) {
		struct sti_due *all;
		size_t nall;
		rc = sti_jobs_due(sc->s, ids, n, INT64_MAX, &all, &nall, cause);
		if (rc == 0) {
			sq_known_replace(&sc->known, all, nall);
			sc->known_sig = sig;
			sc->next_rescan_ms = now + RESCAN_MS;
		}
	} else {
		for (size_t i = 0; rc == 0 && i < nstale; i++) {
			struct sti_due d;
			int got = sti_job_due_get(sc->s, stale[i].id, &d, cause);
			if (got < 0)
				rc = -1;
			else
				sq_known_set(&sc->known, stale[i].id, got == 0 ? &d : NULL);
		}
		if (rc != 0)
			sc->next_rescan_ms = 0; /* read everything again next time */
	}
	free(stale);
	if (rc != 0)
		return -1;
	*nout = sq_known_due(&sc->known, ids, n, until, out);
	return 0;
}

static int
load_jobs(struct sched *sc, bool all, char **cause)
{
	const char **ids;
	size_t n = 0;
	struct sti_due *due;
	size_t ndue;
	int64_t now = now_ms(), next_check;
	pthread_mutex_lock(&sc->mu);
	ids = xcalloc(sc->sq.ncamps ? sc->sq.ncamps : 1, sizeof *ids);
	for (size_t i = 0; i < sc->sq.ncamps; i++)
		if (sc->sq.camps[i].runnable)
			ids[n++] = sc->sq.camps[i].c.id;
	int credits_jobs = sc->credits_jobs;
	pthread_mutex_unlock(&sc->mu);
	struct credits_gate *gate = ingest_gate(&sc->ing);
	bool closed = credits_gate_closed(gate, &next_check, NULL);
	/* jobs snoozed on credits run when the gate may let them go, whatever
	 * their stored time */
	if (credits_jobs > 0 && (!closed || now >= next_check))
		all = true;
	/* ids stay valid: only this thread replaces the campaigns */
	int rc = list_jobs(sc, ids, n, all ? INT64_MAX : now, &due, &ndue, cause);
	free(ids);
	if (rc != 0)
		return -1;
	int64_t last_credits = 0;
	size_t k = 0;
	credits_jobs = 0;
	for (size_t i = 0; i < ndue; i++) {
		/* what earlier engines learned about the provider's cursors */
		if (due[i].cursor_life_ms > 0)
			ingest_cursor_refused(&sc->ing, due[i].cursor_life_ms);
		if (on_credits(&due[i])) {
			credits_jobs++;
			if (due[i].blocked_at_ms > last_credits)
				last_credits = due[i].blocked_at_ms;
		} else if (!sc->o.once && all && due[i].next_run_at_ms > now) {
			continue; /* listed for the credits only */
		}
		due[k++] = due[i];
	}
	if (credits_jobs > 0)
		credits_gate_seed(gate, last_credits > 0 ? last_credits : now);
	pthread_mutex_lock(&sc->mu);
	sc->credits_jobs = credits_jobs;
	if (sc->o.once) {
		for (int pass = 0; pass < 2; pass++) /* metrics first */
			for (size_t i = 0; i < k; i++) {
				struct sti_due *d = &due[i];
				if ((d->kind == JOB_METRICS) != (pass == 0))
					continue;
				struct sq_item p = {
				    .force = true, .fresh_after_ms = sc->started_ms};
				if (in_backoff(d, now)) {
					if (d->next_run_at_ms - now > sc->o.once_wait_ms) {
						char at[32];
						timestr_format_time(
						    d->next_run_at_ms / 1000, at, sizeof at);
						sc->sq.st.jobs_blocked++;
						sq_note(&sc->sq, d->id,
						    "a backoff until %s outlasts the wait: %s", at,
						    d->last_error);
						continue;
					}
					p.not_before_ms = d->next_run_at_ms;
				}
				sq_enqueue(&sc->sq, d, &p);
			}
	} else {
		sq_enqueue_due(&sc->sq, due, k, all, -1);
	}
	pthread_cond_broadcast(&sc->cv);
	pthread_mutex_unlock(&sc->mu);
	free(due);
	return 0;
}

/* Writes the engine's heartbeat. */
static void
beat(struct sched *sc)
{
	heartbeat_beat(sc->log, sc->s, &sc->hb);
}

/* ---- workers ---- */

/* Tells ingest whether a walk of campaign_id must stop after its page. */
static bool
should_stop(void *arg, const char *campaign_id)
{
	struct sched *sc = arg;
	if (atomic_load(&sc->stop))
		return true;
	pthread_mutex_lock(&sc->mu);
	struct sq_camp *c = sq_camp_find(&sc->sq, campaign_id);
	bool stop = c == NULL || !c->runnable;
	pthread_mutex_unlock(&sc->mu);
	return stop;
}

/* The watchdog thread: logs a database call that has been waiting longer
 * than SLOW_DB_MS (to the log file only: worker_log is in the database that
 * is slow), again every SLOW_AGAIN_MS, and how long it took once it
 * answered. */
static void *
watch_main(void *arg)
{
	struct sched *sc = arg;
	struct store_call seen = {0};
	int64_t logged_at = 0;
	pthread_mutex_lock(&sc->mu);
	while (!sc->finished && !atomic_load(&sc->stop)) {
		sched_wait_ms(sc, TICK_MS);
		pthread_mutex_unlock(&sc->mu);
		struct store_call c;
		int64_t now = now_ms();
		bool busy = store_oldest_call(sc->s, &c) && now - c.since_ms >= SLOW_DB_MS;
		bool same = busy && seen.since_ms == c.since_ms && strcmp(seen.what, c.what) == 0;
		if (seen.since_ms && !same) {
			ing_logf(sc->log, "info", NULL, "database answered %s after %.1f s",
			    seen.what, (double)(now - seen.since_ms) / 1000.0);
			seen.since_ms = 0;
		}
		if (busy && (!same || now - logged_at >= SLOW_AGAIN_MS)) {
			ing_log_local(sc->log, "warn", "database slow: %s waiting for %.1f s",
			    c.what, (double)(now - c.since_ms) / 1000.0);
			seen = c;
			logged_at = now;
		}
		pthread_mutex_lock(&sc->mu);
	}
	pthread_mutex_unlock(&sc->mu);
	return NULL;
}

/* The scheduler thread: refresh, close-outs, due jobs, heartbeat, deadline. */
static void *
sched_main(void *arg)
{
	struct sched *sc = arg;
	int64_t next_refresh = now_ms() + sc->o.refresh_ms;
	int64_t next_camps = now_ms() + CAMPAIGNS_MS;
	int64_t next_beat = now_ms() + HEARTBEAT_MS;
	int64_t deadline = sc->o.for_ms > 0 ? sc->started_ms + sc->o.for_ms : 0;
	pthread_mutex_lock(&sc->mu);
	while (!sc->finished) {
		if (atomic_load(&sc->stop))
			break;
		int64_t now = now_ms();
		atomic_store(&sc->loop_at_ms, now);
		if (atomic_exchange(&sc->refresh_soon, false))
			next_refresh = next_camps = now;
		if (deadline > 0 && now >= deadline) {
			ing_logf(sc->log, "info", NULL, "--for elapsed; stopping");
			atomic_store(&sc->stop, true);
			break;
		}
		if (now >= next_refresh || now >= next_beat) {
			pthread_mutex_unlock(&sc->mu);
			char *cause = NULL;
			if (now >= next_refresh) {
				/* the campaigns less often: their list is a scan */
				bool camps = now >= next_camps;
				if ((camps && refresh_campaigns(sc, &cause) != 0) ||
				    (!sc->o.once && load_jobs(sc, false, &cause) != 0))
					ing_logf(sc->log, "error", NULL, "%s", cause);
				free(cause);
				if (camps) {
					run_closeouts(sc);
					next_camps = now_ms() + CAMPAIGNS_MS;
				}
				next_refresh = now_ms() + sc->o.refresh_ms;
			}
			if (now >= next_beat) {
				beat(sc);
				next_beat = now_ms() + HEARTBEAT_MS;
			}
			pthread_mutex_lock(&sc->mu);
			continue;
		}
		sched_wait_ms(sc, TICK_MS);
	}
	pthread_cond_broadcast(&sc->cv);
	pthread_mutex_unlock(&sc->mu);
	return NULL;
}

/* ---- lifecycle ---- */

struct sched *
sched_new(struct store *s, const struct sched_opts *o)
{
	struct sched *sc = xcalloc(1, sizeof *sc);
	sc->s = s;
	sc->o = *o;
	if (sc->o.workers < 1)
		sc->o.workers = 1;
	if (sc->o.refresh_ms <= 0)
		sc->o.refresh_ms = 2000;
	if (sc->o.final_tries < 1)
		sc->o.final_tries = 1;
	if (sc->o.final_fail_streak < 1)
		sc->o.final_fail_streak = 1;
	if (sc->o.final_budget_ms <= 0)
		sc->o.final_budget_ms = 600000;
	if (sc->o.close_retry_ms <= 0)
		sc->o.close_retry_ms = 60000;
	gethostname(sc->host, sizeof sc->host - 1);
	sc->started_ms = now_ms();
	snprintf(sc->owner, sizeof sc->owner, "%s:%ld:%lld", sc->host, (long)getpid(),
	    (long long)sc->started_ms);
	snprintf(sc->hb.owner, sizeof sc->hb.owner, "%s", sc->owner);
	snprintf(sc->hb.host, sizeof sc->hb.host, "%s", sc->host);
	snprintf(sc->hb.mode, sizeof sc->hb.mode, "%s", o->console ? "tui" : "run");
	sc->hb.pid = (long)getpid();
	sc->hb.started_at_ms = sc->started_ms;
	sc->jobs = jobs_new(s, sc->owner);
	sc->log = ing_log_new(o->log, s, sc->owner);
	sc->ing.s = s;
	sc->ing.jobs = sc->jobs;
	sc->ing.rules = o->rules;
	sc->ing.log = sc->log;
	sc->ing.credits_recheck_ms =
	    o->xcfg && o->xcfg->credits_recheck_ms > 0 ? o->xcfg->credits_recheck_ms : 300000;
	sc->ing.should_stop = should_stop;
	sc->ing.stop_arg = sc;
	ingest_init(&sc->ing);
	if (sc->o.once_wait_ms <= 0)
		sc->o.once_wait_ms = 20000;
	sq_init(&sc->sq, sc->o.once, sc->o.once_wait_ms, sc->o.once_tries);
	pthread_mutex_init(&sc->mu, NULL);
	pthread_cond_init(&sc->cv, NULL);
	atomic_init(&sc->stop, false);
	return sc;
}

void
sched_set_prepared(struct sched *sc, struct writer *w, struct aggregator *a)
{
	sc->writer = w;
	sc->agg = a;
	sc->ing.writer = w;
}

const char *
sched_owner(const struct sched *sc)
{
	return sc->owner;
}

int
sched_begin(struct sched *sc, char **cause)
{
	if (sc->begun)
		return 0;
	struct sti_heartbeat other;
	int rc = heartbeat_find_runner(sc->s, sc->owner, &other, cause);
	if (rc < 0)
		return -1;
	/* FerretDB's updates are not atomic, so two engines could both claim a
	 * job: one engine per FerretDB, however it is reached */
	bool ferret = sc->o.embedded || store_is_ferretdb(sc->s);
	/* a console beside a running engine is a window onto it (a dropped SSH
	 * session must not stop ingest); beside another console's engine it
	 * runs its own on MongoDB (they share the jobs) */
	bool service = rc > 0 && strcmp(other.mode, "tui") != 0;
	if (rc > 0 && sc->o.console && (ferret || service)) {
		set_cause(cause,
		    "attached to the engine of %s (pid %ld on %s): quitting leaves it polling",
		    service ? "launchwatch run" : "another console", other.pid, other.host);
		return 1;
	}
	if (rc > 0 && ferret) {
		set_cause(cause,
		    "another launchwatch (pid %ld on %s, %s) is running jobs on this %s (%s); "
		    "stop it first, or use MongoDB to run several (docs/operations.md)",
		    other.pid, other.host, other.mode,
		    sc->o.embedded ? "embedded database" : "FerretDB", store_describe(sc->s));
		return 1;
	}
	beat(sc);
	sc->begun = true;
	return 0;
}

int
sched_start(struct sched *sc, char **cause)
{
	int rc = sched_begin(sc, cause);
	if (rc != 0)
		return rc;
	if (refresh_campaigns(sc, cause) != 0)
		return -1;
	const char **ids = xcalloc(sc->sq.ncamps ? sc->sq.ncamps : 1, sizeof *ids);
	size_t n = 0;
	for (size_t i = 0; i < sc->sq.ncamps; i++)
		if (sc->sq.camps[i].runnable)
			ids[n++] = sc->sq.camps[i].c.id;
	rc = sti_jobs_unstop(sc->s, ids, n, now_ms(), cause);
	free(ids);
	/* every job at the first look: --once runs them all, and a running
	 * engine learns which wait on credits */
	if (rc != 0 || load_jobs(sc, true, cause) != 0)
		return -1;
	run_closeouts(sc);
	ing_logf(sc->log, "info", NULL, "engine %s started: %d workers, %zu jobs %s", sc->owner,
	    sc->o.workers, sc->sq.nq, sc->o.once ? "to bring current (--once)" : "due");
	sc->workers = xcalloc((size_t)sc->o.workers, sizeof *sc->workers);
	if (pthread_create(&sc->sched_thread, NULL, sched_main, sc) != 0)
		return set_cause(cause, "cannot start the scheduler thread");
	sc->started = true;
	if (pthread_create(&sc->watch_thread, NULL, watch_main, sc) == 0)
		sc->watching = true;
	for (int i = 0; i < sc->o.workers; i++) {
		if (pthread_create(&sc->workers[i], NULL, sched_worker_main, sc) != 0)
			break;
		sc->nworkers++;
	}
	return 0;
}

void
sched_set_rules(struct sched *sc, const struct classify_rules *rules)
{
	sc->ing.rules = rules;
}

void
sched_refresh_soon(struct sched *sc)
{
	atomic_store(&sc->refresh_soon, true);
}

int64_t
sched_loop_at(struct sched *sc)
{
	return atomic_load(&sc->loop_at_ms);
}

void
sched_request_stop(struct sched *sc)
{
	atomic_store(&sc->stop, true);
}

bool
sched_stopping(struct sched *sc)
{
	return atomic_load(&sc->stop);
}

int
sched_wait(struct sched *sc, struct sched_stats *st)
{
	if (sc->started) {
		for (int i = 0; i < sc->nworkers; i++)
			pthread_join(sc->workers[i], NULL);
		pthread_mutex_lock(&sc->mu);
		sc->finished = true;
		pthread_cond_broadcast(&sc->cv);
		pthread_mutex_unlock(&sc->mu);
		pthread_join(sc->sched_thread, NULL);
		if (sc->watching)
			pthread_join(sc->watch_thread, NULL);
		sc->watching = false;
		sc->started = false;
		run_closeouts(sc);
		char *cause = NULL;
		/* the prepared aggregates cover everything this engine wrote */
		if (sc->agg && aggregator_flush(sc->agg, NULL, FLUSH_WAIT_MS, &cause) != 0) {
			ing_logf(sc->log, "warn", NULL, "%s", cause);
			free(cause);
			cause = NULL;
		}
		/* a heartbeat left behind makes the next start look for writes
		 * whose change-log entries could not be written */
		if (sc->writer && !writer_clean(sc->writer))
			ing_logf(sc->log, "warn", NULL,
			    "some change-log entries could not be written; the next start "
			    "recovers them");
		else
			sc->hb_drop = true; /* sched_drop_heartbeat, once the aggregator let go */
		free(cause);
		struct sched_stats *t = &sc->sq.st;
		if (sc->sq.nnotes > SQ_NOTES_MAX)
			sbuf_printf(&sc->sq.notes, "and %zu more\n", sc->sq.nnotes - SQ_NOTES_MAX);
		t->notes = sc->sq.nnotes ? sc->sq.notes.s : NULL;
		ing_logf(sc->log, "info", NULL,
		    "engine stopped: %zu ok (%zu skipped, %zu counts read by another engine), %zu "
		    "blocked, %zu held, %zu failed, %zu missing; %lld requests, %zu new "
		    "engagements, %zu slices, %zu restarts",
		    t->jobs_ok, t->jobs_skipped, t->metrics_elsewhere, t->jobs_blocked,
		    t->jobs_held, t->jobs_failed, t->jobs_missing, (long long)t->requests,
		    t->new_engagements, t->slices, t->restarts);
		for (const char *l = t->notes; l && *l;) {
			const char *e = strchr(l, '\n');
			int len = e ? (int)(e - l) : (int)strlen(l);
			ing_logf(sc->log, "warn", NULL, "not brought current: %.*s", len, l);
			l = e ? e + 1 : l + len;
		}
	} else if (sc->begun) {
		/* begun but never started (a later start-up step failed): the
		 * heartbeat goes, or this live process would look like an engine */
		sc->hb_drop = true;
	}
	if (st)
		*st = sc->sq.st;
	if (sc->sq.st.jobs_failed > 0)
		return 1;
	if (sc->sq.st.jobs_blocked > 0 || sc->sq.st.jobs_held > 0)
		return 75;
	return 0;
}

void
sched_drop_heartbeat(struct sched *sc)
{
	if (sc == NULL || !sc->hb_drop)
		return;
	char *cause = NULL;
	if (sti_heartbeat_delete(sc->s, sc->owner, &cause) != 0)
		ing_logf(sc->log, "warn", NULL, "%s", cause);
	free(cause);
	sc->hb_drop = false;
}

void
sched_free(struct sched *sc)
{
	if (sc == NULL)
		return;
	sq_done(&sc->sq);
	free(sc->workers);
	sq_known_done(&sc->known);
	free(sc->stale);
	ingest_done(&sc->ing);
	ing_log_free(sc->log);
	jobs_free(sc->jobs);
	pthread_cond_destroy(&sc->cv);
	pthread_mutex_destroy(&sc->mu);
	free(sc);
}
