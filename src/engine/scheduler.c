/*
 * scheduler: the engine's threads. One scheduler thread refreshes campaigns
 * (activation at window start, the close-out at window end), lists due jobs into
 * an in-memory queue and beats the heartbeat; worker threads take jobs from
 * the queue, claim them and run them through ingest. Everything shared is
 * guarded by sc->mu; the database and the provider are never called with it
 * held. sched_request_stop only stores an atomic flag.
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
#include "engine/finalrefresh.h"
#include "engine/ingest.h"
#include "engine/jobs.h"
#include "engine/writer.h"
#include "store/store.h"
#include "base/text.h"
#include "base/util.h"

#define TICK_MS       100   /* longest wait before a thread rechecks the stop flag */
#define FLUSH_WAIT_MS 60000 /* the prepared aggregates catch up at the end within this */

/* The scheduler's view of one campaign. */
struct camp {
	struct campaign c;
	bool runnable;         /* active with its window open */
	bool closing;          /* window ended or close requested */
	bool hooked;           /* closed out (or left for a report job) */
	int64_t hook_after_ms; /* a failed close-out is tried again then */
	int inflight;          /* jobs running now */
	int metrics;           /* metrics jobs queued or running */
};

/* A due job waiting in memory. */
struct item {
	struct sti_due d;
	int64_t not_before_ms;
	int runs; /* runs in this process (--once) */
};

struct sched {
	struct store *s;
	struct sched_opts o;
	char owner[128];
	char host[64];
	int64_t started_ms;
	struct sti_heartbeat hb; /* the engine's heartbeat document, less beat_at */
	struct jobs *jobs;
	struct ing_log *log;
	struct ingest ing;
	struct aggregator *agg; /* borrowed; NULL: none */
	struct writer *writer;  /* borrowed; NULL: pages are written directly */

	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct camp *camps;
	size_t ncamps;
	struct item *q;
	size_t nq;
	char (*inflight)[JOB_ID_MAX];
	size_t ninflight;
	bool finished;
	struct sched_stats st;

	atomic_bool stop;
	pthread_t sched_thread;
	pthread_t *workers;
	int nworkers;
	bool started;
};

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

/* Adds ms to a timespec of CLOCK_REALTIME for pthread_cond_timedwait. */
static void
wait_ms(struct sched *sc, int64_t ms)
{
	struct timespec ts;
	if (ms > TICK_MS)
		ms = TICK_MS;
	if (ms < 1)
		ms = 1;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_cond_timedwait(&sc->cv, &sc->mu, &ts);
}

/* Returns the campaign with id (caller holds mu), or NULL. */
static struct camp *
camp_find(struct sched *sc, const char *id)
{
	for (size_t i = 0; i < sc->ncamps; i++)
		if (strcmp(sc->camps[i].c.id, id) == 0)
			return &sc->camps[i];
	return NULL;
}

/* Returns campaign c's entry for tweet_id, or NULL when c does not list it
 * (a tweet removed from the campaign keeps its stored data and jobs, but
 * is not polled any more). */
static const struct cfg_tweet *
camp_tweet(const struct camp *c, const char *tweet_id)
{
	for (size_t i = 0; i < c->c.cfg.ntweets; i++)
		if (strcmp(c->c.cfg.tweets[i].id, tweet_id) == 0)
			return &c->c.cfg.tweets[i];
	return NULL;
}

/* Returns the category of tweet_id in campaign c. */
static enum tweet_category
camp_category(const struct camp *c, const char *tweet_id)
{
	const struct cfg_tweet *t = camp_tweet(c, tweet_id);
	return t ? t->category : CAT_MAIN;
}

/* Returns true when id is queued or in flight (caller holds mu). */
static bool
known_job(struct sched *sc, const char *id)
{
	for (size_t i = 0; i < sc->nq; i++)
		if (strcmp(sc->q[i].d.id, id) == 0)
			return true;
	for (size_t i = 0; i < sc->ninflight; i++)
		if (strcmp(sc->inflight[i], id) == 0)
			return true;
	return false;
}

/* Appends a due job to the queue (caller holds mu). */
static void
enqueue(struct sched *sc, const struct sti_due *d, int64_t not_before, int runs)
{
	struct camp *c = camp_find(sc, d->campaign_id);
	if (c == NULL || !c->runnable || !camp_tweet(c, d->tweet_id) || known_job(sc, d->id))
		return;
	sc->q = xreallocarray(sc->q, sc->nq + 1, sizeof *sc->q);
	struct item *it = &sc->q[sc->nq++];
	it->d = *d;
	it->not_before_ms = not_before;
	it->runs = runs;
	if (d->kind == JOB_METRICS)
		c->metrics++;
}

/* Removes queue entry i (caller holds mu). */
static void
dequeue_at(struct sched *sc, size_t i)
{
	memmove(&sc->q[i], &sc->q[i + 1], (sc->nq - i - 1) * sizeof *sc->q);
	sc->nq--;
}

/* Drops queued jobs of campaigns that are no longer runnable (caller holds mu). */
static void
drop_unrunnable(struct sched *sc)
{
	for (size_t i = 0; i < sc->nq;) {
		struct camp *c = camp_find(sc, sc->q[i].d.campaign_id);
		if (c == NULL || !c->runnable || !camp_tweet(c, sc->q[i].d.tweet_id)) {
			if (c && sc->q[i].d.kind == JOB_METRICS)
				c->metrics--;
			dequeue_at(sc, i);
			continue;
		}
		i++;
	}
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
	pthread_mutex_lock(&sc->mu);
	struct camp *nc = xcalloc(n ? n : 1, sizeof *nc);
	for (size_t i = 0; i < n; i++) {
		struct camp *old = camp_find(sc, v[i].id);
		nc[i].c = v[i];
		if (old) {
			nc[i].hooked = old->hooked;
			nc[i].hook_after_ms = old->hook_after_ms;
			nc[i].inflight = old->inflight;
			nc[i].metrics = old->metrics;
		}
		bool ended = now >= v[i].cfg.end_s * 1000 || v[i].close_requested_at_ms != 0;
		/* frozen but not archived yet (a crash or a failure between the
		 * two): the report job still has to finish it */
		bool pending = v[i].status == CS_COMPLETED && v[i].closeout_pending;
		nc[i].closing = (ended && v[i].status != CS_COMPLETED) || pending;
		nc[i].runnable = v[i].status == CS_ACTIVE && !ended;
		if (v[i].status == CS_COMPLETED && !pending)
			nc[i].hooked = true;
	}
	for (size_t i = 0; i < sc->ncamps; i++)
		campaign_done(&sc->camps[i].c);
	free(sc->camps);
	sc->camps = nc;
	sc->ncamps = n;
	drop_unrunnable(sc);
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
		ing_logf(sc->log, "info", NULL, "campaign %s: close-out %s%s", c->id,
		    res.already_done ? "already done" : "finished; archive ",
		    res.already_done ? "" : res.archive_dir);
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
		for (size_t i = 0; i < sc->ncamps && !found; i++) {
			struct camp *c = &sc->camps[i];
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
			struct camp *c = camp_find(sc, copy.id);
			if (c) {
				c->hooked = false;
				c->hook_after_ms = now_ms() + sc->o.close_retry_ms;
			}
			pthread_mutex_unlock(&sc->mu);
		}
	}
}

/* Lists due jobs of runnable campaigns into the queue. 0 or -1. */
static int
load_due(struct sched *sc, char **cause)
{
	const char **ids;
	size_t n = 0;
	struct sti_due *due;
	size_t ndue;
	pthread_mutex_lock(&sc->mu);
	ids = xcalloc(sc->ncamps ? sc->ncamps : 1, sizeof *ids);
	for (size_t i = 0; i < sc->ncamps; i++)
		if (sc->camps[i].runnable)
			ids[n++] = sc->camps[i].c.id;
	pthread_mutex_unlock(&sc->mu);
	/* ids stay valid: only this thread replaces sc->camps */
	int rc = sti_jobs_due(sc->s, ids, n, now_ms(), &due, &ndue, cause);
	free(ids);
	if (rc != 0)
		return -1;
	pthread_mutex_lock(&sc->mu);
	for (int pass = 0; pass < 2; pass++) /* metrics first */
		for (size_t i = 0; i < ndue; i++)
			if ((due[i].kind == JOB_METRICS) == (pass == 0))
				enqueue(sc, &due[i], 0, 0);
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
	struct camp *c = camp_find(sc, campaign_id);
	bool stop = c == NULL || !c->runnable;
	pthread_mutex_unlock(&sc->mu);
	return stop;
}

/* What a worker took from the queue. */
struct take {
	struct item it[XAPI_MAX_IDS];
	size_t n;
	enum tweet_category cats[XAPI_MAX_IDS];
	int64_t cadence_s;
};

/* Takes the next runnable work off the queue (caller holds mu): a batch of
 * up to 100 metrics jobs of one campaign, or one list job of a campaign
 * with no metrics job pending. Returns false when nothing is ready; then
 * *wake is when the earliest item becomes ready. */
static bool
take_work(struct sched *sc, struct take *t, int64_t now, int64_t *wake)
{
	*wake = now + TICK_MS;
	for (size_t i = 0; i < sc->nq; i++) {
		struct item *it = &sc->q[i];
		struct camp *c = camp_find(sc, it->d.campaign_id);
		if (c == NULL || !c->runnable)
			continue;
		if (it->not_before_ms > now) {
			if (it->not_before_ms < *wake)
				*wake = it->not_before_ms;
			continue;
		}
		enum job_kind kind = it->d.kind; /* it moves as items are dequeued */
		bool metrics = kind == JOB_METRICS;
		if (!metrics && c->metrics > 0)
			continue;
		t->n = 0;
		t->cadence_s = job_cadence_s(&c->c, kind);
		for (size_t k = i; k < sc->nq && t->n < (metrics ? XAPI_MAX_IDS : 1);) {
			struct item *x = &sc->q[k];
			if (x->not_before_ms > now || x->d.kind != kind ||
			    strcmp(x->d.campaign_id, c->c.id) != 0) {
				k++;
				continue;
			}
			t->cats[t->n] = camp_category(c, x->d.tweet_id);
			t->it[t->n++] = *x;
			sc->inflight =
			    xreallocarray(sc->inflight, sc->ninflight + 1, sizeof *sc->inflight);
			snprintf(sc->inflight[sc->ninflight++], JOB_ID_MAX, "%s", x->d.id);
			c->inflight++;
			dequeue_at(sc, k);
		}
		return true;
	}
	return false;
}

/* Records the end of one taken job (caller holds mu). */
static void
finish_item(struct sched *sc, const struct item *it, const struct ing_outcome *o, bool claimed)
{
	struct camp *c = camp_find(sc, it->d.campaign_id);
	for (size_t i = 0; i < sc->ninflight; i++)
		if (strcmp(sc->inflight[i], it->d.id) == 0) {
			memmove(&sc->inflight[i], &sc->inflight[i + 1],
			    (sc->ninflight - i - 1) * sizeof *sc->inflight);
			sc->ninflight--;
			break;
		}
	if (c) {
		c->inflight--;
		if (it->d.kind == JOB_METRICS)
			c->metrics--;
	}
	struct sched_stats *st = &sc->st;
	st->requests += o->requests;
	st->credits += o->credits;
	st->pages += (size_t)o->pages;
	st->new_engagements += o->new_engagements;
	st->slices += o->slices;
	if (!claimed)
		return;
	int64_t now = now_ms();
	bool again = sc->o.once && !atomic_load(&sc->stop) && it->runs + 1 < sc->o.once_tries &&
	             (o->st == ING_RETRY || (o->st == ING_BLOCKED && o->cls != XAPI_CREDITS)) &&
	             o->next_ms - now <= sc->o.once_wait_ms;
	if (again) {
		enqueue(sc, &it->d, o->next_ms, it->runs + 1);
		return;
	}
	switch (o->st) {
	case ING_OK:
		st->jobs_ok++;
		break;
	case ING_SKIPPED:
		st->jobs_ok++;
		st->jobs_skipped++;
		break;
	case ING_MISSING:
		st->jobs_missing++;
		break;
	case ING_BLOCKED:
		st->jobs_blocked++;
		break;
	case ING_RELEASED:
		break;
	case ING_RETRY:
	case ING_STOPPED:
	case ING_DBERROR:
		st->jobs_failed++;
		break;
	}
}

/* Claims the taken jobs; unclaimable ones are dropped. Returns how many
 * were claimed into jobs[] (claimed[i] tells which items). */
static size_t
claim_taken(struct sched *sc, struct take *t, struct job *jobs, bool *claimed, size_t *map)
{
	size_t n = 0;
	for (size_t i = 0; i < t->n; i++) {
		char *cause = NULL;
		claimed[i] = false;
		int rc = jobs_claim(sc->jobs, t->it[i].d.id, now_ms(), false, &jobs[n], &cause);
		if (rc == 0) {
			claimed[i] = true;
			map[n++] = i;
		} else if (rc < 0) {
			ing_logf(sc->log, "error", t->it[i].d.id, "claim: %s", cause);
			pthread_mutex_lock(&sc->mu);
			sc->st.jobs_failed++;
			pthread_mutex_unlock(&sc->mu);
		}
		free(cause);
	}
	return n;
}

/* A worker thread: takes, claims, runs and records jobs until the end. */
static void *
worker_main(void *arg)
{
	struct sched *sc = arg;
	struct xapi *x = xapi_new(sc->o.xcfg);
	struct take *t = xcalloc(1, sizeof *t);
	struct job *jobs = xcalloc(XAPI_MAX_IDS, sizeof *jobs);
	struct ing_outcome *out = xcalloc(XAPI_MAX_IDS, sizeof *out);
	bool claimed[XAPI_MAX_IDS];
	size_t map[XAPI_MAX_IDS];
	pthread_mutex_lock(&sc->mu);
	for (;;) {
		if (atomic_load(&sc->stop) || sc->finished)
			break;
		int64_t wake;
		if (!take_work(sc, t, now_ms(), &wake)) {
			if (sc->o.once && sc->nq == 0 && sc->ninflight == 0) {
				sc->finished = true;
				pthread_cond_broadcast(&sc->cv);
				break;
			}
			wait_ms(sc, wake - now_ms());
			continue;
		}
		pthread_mutex_unlock(&sc->mu);
		size_t n = claim_taken(sc, t, jobs, claimed, map);
		enum tweet_category cats[XAPI_MAX_IDS];
		for (size_t k = 0; k < n; k++)
			cats[k] = t->cats[map[k]];
		memset(out, 0, XAPI_MAX_IDS * sizeof *out);
		if (n > 0 && t->it[0].d.kind == JOB_METRICS)
			ingest_metrics(
			    &sc->ing, x, t->it[0].d.campaign_id, jobs, cats, n, t->cadence_s, out);
		else if (n > 0)
			ingest_walk(&sc->ing, x, &jobs[0], cats[0], t->cadence_s, &out[0]);
		pthread_mutex_lock(&sc->mu);
		size_t k = 0;
		for (size_t i = 0; i < t->n; i++) {
			struct ing_outcome none;
			memset(&none, 0, sizeof none);
			finish_item(sc, &t->it[i], claimed[i] ? &out[k] : &none, claimed[i]);
			if (claimed[i])
				k++;
		}
		pthread_cond_broadcast(&sc->cv);
		pthread_mutex_unlock(&sc->mu);
		for (size_t i = 0; i < n; i++)
			job_done(&jobs[i]);
		pthread_mutex_lock(&sc->mu);
	}
	pthread_mutex_unlock(&sc->mu);
	free(out);
	free(jobs);
	free(t);
	xapi_free(x);
	return NULL;
}

/* The scheduler thread: refresh, close-outs, due jobs, heartbeat, deadline. */
static void *
sched_main(void *arg)
{
	struct sched *sc = arg;
	int64_t next_refresh = now_ms() + sc->o.refresh_ms;
	int64_t next_beat = now_ms() + HEARTBEAT_MS;
	int64_t deadline = sc->o.for_ms > 0 ? sc->started_ms + sc->o.for_ms : 0;
	pthread_mutex_lock(&sc->mu);
	while (!sc->finished) {
		if (atomic_load(&sc->stop))
			break;
		int64_t now = now_ms();
		if (deadline > 0 && now >= deadline) {
			ing_logf(sc->log, "info", NULL, "--for elapsed; stopping");
			atomic_store(&sc->stop, true);
			break;
		}
		if (now >= next_refresh || now >= next_beat) {
			pthread_mutex_unlock(&sc->mu);
			char *cause = NULL;
			if (now >= next_refresh) {
				if (refresh_campaigns(sc, &cause) != 0 ||
				    (!sc->o.once && load_due(sc, &cause) != 0))
					ing_logf(sc->log, "error", NULL, "%s", cause);
				free(cause);
				run_closeouts(sc);
				next_refresh = now_ms() + sc->o.refresh_ms;
			}
			if (now >= next_beat) {
				beat(sc);
				next_beat = now_ms() + HEARTBEAT_MS;
			}
			pthread_mutex_lock(&sc->mu);
			continue;
		}
		wait_ms(sc, TICK_MS);
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
	snprintf(sc->hb.mode, sizeof sc->hb.mode, "%s", "run");
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
sched_start(struct sched *sc, char **cause)
{
	struct sti_heartbeat other;
	int rc = heartbeat_find_runner(sc->s, sc->owner, &other, cause);
	if (rc < 0)
		return -1;
	if (rc > 0 && sc->o.embedded) {
		set_cause(cause,
		    "another launchwatch (pid %ld on %s, %s) is running jobs on the embedded "
		    "database; stop it first, or use MongoDB to run several (docs/operations.md)",
		    other.pid, other.host, other.mode);
		return 1;
	}
	beat(sc);
	if (refresh_campaigns(sc, cause) != 0)
		return -1;
	const char **ids = xcalloc(sc->ncamps ? sc->ncamps : 1, sizeof *ids);
	size_t n = 0;
	for (size_t i = 0; i < sc->ncamps; i++)
		if (sc->camps[i].runnable)
			ids[n++] = sc->camps[i].c.id;
	rc = sti_jobs_unstop(sc->s, ids, n, now_ms(), cause);
	free(ids);
	if (rc != 0 || load_due(sc, cause) != 0)
		return -1;
	run_closeouts(sc);
	ing_logf(sc->log, "info", NULL, "engine %s started: %d workers, %zu jobs due%s", sc->owner,
	    sc->o.workers, sc->nq, sc->o.once ? " (--once)" : "");
	sc->workers = xcalloc((size_t)sc->o.workers, sizeof *sc->workers);
	if (pthread_create(&sc->sched_thread, NULL, sched_main, sc) != 0)
		return set_cause(cause, "cannot start the scheduler thread");
	sc->started = true;
	for (int i = 0; i < sc->o.workers; i++) {
		if (pthread_create(&sc->workers[i], NULL, worker_main, sc) != 0)
			break;
		sc->nworkers++;
	}
	return 0;
}

void
sched_request_stop(struct sched *sc)
{
	atomic_store(&sc->stop, true);
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
		else if (sti_heartbeat_delete(sc->s, sc->owner, &cause) != 0)
			ing_logf(sc->log, "warn", NULL, "%s", cause);
		free(cause);
		ing_logf(sc->log, "info", NULL,
		    "engine stopped: %zu ok (%zu skipped), %zu blocked, %zu failed, %zu missing; "
		    "%lld requests, %zu new engagements, %zu slices",
		    sc->st.jobs_ok, sc->st.jobs_skipped, sc->st.jobs_blocked, sc->st.jobs_failed,
		    sc->st.jobs_missing, (long long)sc->st.requests, sc->st.new_engagements,
		    sc->st.slices);
	}
	if (st)
		*st = sc->st;
	if (sc->st.jobs_failed > 0)
		return 1;
	if (sc->st.jobs_blocked > 0)
		return 75;
	return 0;
}

void
sched_free(struct sched *sc)
{
	if (sc == NULL)
		return;
	for (size_t i = 0; i < sc->ncamps; i++)
		campaign_done(&sc->camps[i].c);
	free(sc->camps);
	free(sc->q);
	free(sc->inflight);
	free(sc->workers);
	ingest_done(&sc->ing);
	ing_log_free(sc->log);
	jobs_free(sc->jobs);
	pthread_cond_destroy(&sc->cv);
	pthread_mutex_destroy(&sc->mu);
	free(sc);
}
