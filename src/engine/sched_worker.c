/*
 * sched_worker: the scheduler's worker threads (scheduler_internal.h). Each
 * takes work from the in-memory queue under sc->mu, claims it in the
 * database and runs it through ingest without the lock, then records the
 * outcome under the lock again.
 */
#include <pthread.h>
#include <time.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "engine/credits.h"
#include "engine/ingest.h"
#include "engine/jobs.h"
#include "scheduler_internal.h"
#include "store/store.h"
#include "base/util.h"

/* Returns the engine's clock. */
static int64_t
now_ms(void)
{
	return clock_now_ms();
}

void
sched_wait_ms(struct sched *sc, int64_t ms)
{
	if (ms > TICK_MS)
		ms = TICK_MS;
	if (ms < 1)
		ms = 1;
	struct timespec ts = clock_deadline(CLOCK_REALTIME, ms);
	pthread_cond_timedwait(&sc->cv, &sc->mu, &ts);
}

/* Marks in elsewhere[] the forced metrics items of the batch t whose counts
 * another engine on the database has read since they were needed (the
 * stored reading's time at or after the item's fresh_after_ms), and hands
 * them to sq_read_elsewhere: several engines each queue the same forced
 * read before a list job; only the first needs to make it. FerretDB runs one
 * engine per database, so nothing is read there. */
static void
read_elsewhere(struct sched *sc, const struct sq_take *t, bool *elsewhere)
{
	const char *ids[XAPI_MAX_IDS];
	size_t idx[XAPI_MAX_IDS], k = 0;
	if (t->n == 0 || t->it[0].d.kind != JOB_METRICS || store_is_ferretdb(sc->s))
		return;
	for (size_t i = 0; i < t->n; i++)
		if (t->it[i].force && t->it[i].fresh_after_ms > 0) {
			idx[k] = i;
			ids[k++] = t->it[i].d.tweet_id;
		}
	if (k == 0)
		return;
	struct sti_baseline *b = xcalloc(k, sizeof *b);
	char *cause = NULL;
	if (sti_baselines_get(sc->s, t->it[0].d.campaign_id, ids, k, b, &cause) != 0) {
		ing_logf(sc->log, "warn", t->it[0].d.id, "reading fresh counts: %s", cause);
		free(cause);
		free(b);
		return; /* claimed and read as if nobody had */
	}
	pthread_mutex_lock(&sc->mu);
	for (size_t j = 0; j < k; j++) {
		const struct sq_item *it = &t->it[idx[j]];
		if (!b[j].known || b[j].metrics_at_ms < it->fresh_after_ms)
			continue;
		elsewhere[idx[j]] = true;
		sq_read_elsewhere(&sc->sq, it, b[j].metrics_at_ms);
	}
	pthread_mutex_unlock(&sc->mu);
	free(b);
}

/* Claims the taken jobs into jobs[] (claimed[i] tells which items, map[k]
 * which item jobs[k] is); an item that cannot be claimed is handed to
 * sq_unclaimed at once, with the owner of the lease that holds it. Returns
 * how many were claimed. */
static size_t
claim_taken(struct sched *sc, struct sq_take *t, struct job *jobs, bool *claimed, size_t *map)
{
	size_t n = 0;
	bool elsewhere[XAPI_MAX_IDS] = {false};
	read_elsewhere(sc, t, elsewhere);
	for (size_t i = 0; i < t->n; i++) {
		char *cause = NULL;
		const struct sq_item *it = &t->it[i];
		claimed[i] = false;
		if (elsewhere[i])
			continue;
		int rc = jobs_claim(
		    sc->jobs, it->d.id, now_ms(), it->force || sc->o.once, &jobs[n], &cause);
		if (rc == 0) {
			claimed[i] = true;
			map[n++] = i;
			free(cause);
			continue;
		}
		struct sti_job_state js;
		memset(&js, 0, sizeof js);
		if (rc < 0)
			ing_logf(sc->log, "error", it->d.id, "claim: %s", cause);
		else if (sti_job_peek(sc->s, it->d.id, &js, &cause) < 0)
			ing_logf(sc->log, "warn", it->d.id, "%s", cause);
		bool held = rc > 0 && js.lease_owner[0] && strcmp(js.lease_owner, sc->owner) != 0 &&
		            js.lease_until_ms > now_ms() && job_state_runnable(js.state);
		if (held && it->held_since_ms == 0)
			ing_logf(sc->log, "info", it->d.id, "waiting for the lease held by %s",
			    js.lease_owner);
		pthread_mutex_lock(&sc->mu);
		if (rc < 0) {
			struct ing_outcome o;
			memset(&o, 0, sizeof o);
			o.st = ING_DBERROR;
			snprintf(o.why, sizeof o.why, "claim: %s", cause ? cause : "?");
			sq_finish(&sc->sq, it, &o, false, now_ms());
		} else {
			sq_unclaimed(
			    &sc->sq, it, held ? js.lease_owner : NULL, js.lease_until_ms, now_ms());
		}
		pthread_mutex_unlock(&sc->mu);
		free(js.last_error);
		free(cause);
	}
	return n;
}

void *
sched_worker_main(void *arg)
{
	struct sched *sc = arg;
	struct xapi *x = xapi_new(sc->o.xcfg);
	struct sq_take *t = xcalloc(1, sizeof *t);
	struct job *jobs = xcalloc(XAPI_MAX_IDS, sizeof *jobs);
	struct ing_outcome *out = xcalloc(XAPI_MAX_IDS, sizeof *out);
	bool claimed[XAPI_MAX_IDS];
	size_t map[XAPI_MAX_IDS];
	struct credits_gate *gate = ingest_gate(&sc->ing);
	pthread_mutex_lock(&sc->mu);
	for (;;) {
		if (atomic_load(&sc->stop) || sc->finished)
			break;
		int64_t wake;
		if (!sq_take(&sc->sq, t, now_ms(), &wake)) {
			if (sc->o.once && sq_idle(&sc->sq)) {
				sc->finished = true;
				pthread_cond_broadcast(&sc->cv);
				break;
			}
			int64_t now = now_ms();
			sched_wait_ms(sc, wake > now + TICK_MS ? TICK_MS : wake - now);
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
			ingest_walk(&sc->ing, x, &jobs[0], cats[0], t->cadence_s,
			    t->it[map[0]].fresh_after_ms, &out[0]);
		int empty = 0;
		credits_gate_closed(gate, NULL, &empty);
		pthread_mutex_lock(&sc->mu);
		for (size_t k = 0; k < n; k++) {
			if (out[k].st == ING_BLOCKED && out[k].cls == XAPI_CREDITS)
				sc->credits_jobs++;
			sq_finish(&sc->sq, &t->it[map[k]], &out[k], empty > 0, now_ms());
			/* its worker_state changed: the next look reads it back */
			sc->stale = xreallocarray(sc->stale, sc->nstale + 1, sizeof *sc->stale);
			struct stale *done = &sc->stale[sc->nstale++];
			snprintf(done->id, sizeof done->id, "%s", t->it[map[k]].d.id);
			done->db_error = out[k].st == ING_DBERROR;
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
