/*
 * aggregator: the engine's thread that keeps each campaign's prepared
 * aggregates current from the change log (include/engine/aggregator.h,
 * docs/architecture.md). Its per-campaign state belongs to the thread; the
 * mutex guards only the wanted campaign set, wake-ups and flush requests.
 */
#include "engine/aggregator.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/util.h"
#include "engine/prep_io.h"
#include "engine/writer.h"
#include "model/campaign.h"
#include "store/store_prepared.h"

#define REPLAY_STEP 2000 /* entries applied per campaign per turn */
#define RETRY_MS    5000 /* after a database error */

/* One campaign, aggregator thread only. */
struct agc {
	char id[CAMPAIGN_ID_MAX];
	struct prep *p;
	int64_t gen;
	bool leased, loaded;
	int64_t lease_until;
	int64_t applied;      /* the last change-log seq applied */
	int64_t recover_from; /* > 0: a recovery to run */
	bool rebuild;         /* the head was missing: rebuild from the events first */
	bool dirty;           /* changed since the summary was written */
	bool parts_dirty;     /* changed since the parts were written */
	int64_t summary_at, persist_at;
	int64_t retry_at; /* > now: wait after an error */
	bool wanted;
};

struct aggregator {
	struct aggregator_opts o;
	char owner[128];
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;      /* wakes the thread */
	pthread_cond_t done_cv; /* a flush finished */
	bool stop, woken;
	char (*want)[CAMPAIGN_ID_MAX]; /* under mu */
	size_t nwant;
	bool want_changed;
	uint64_t flush_asked, flush_done; /* tickets, under mu */
	int flush_rc;
	char *flush_cause;
	/* thread only */
	struct agc *c;
	size_t nc;
};

/* Logs a formatted line through the options' log function. */
static void alog(struct aggregator *a, const char *level, const char *cid, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void
alog(struct aggregator *a, const char *level, const char *cid, const char *fmt, ...)
{
	if (a->o.log == NULL)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	a->o.log(a->o.log_arg, level, cid, msg);
	free(msg);
}

/* Notes a failed step of c: logged, retried later. */
static void
failed(struct aggregator *a, struct agc *c, const char *what, char *cause)
{
	alog(
	    a, "error", c->id, "prepared aggregates: %s: %s (retrying)", what, cause ? cause : "?");
	free(cause);
	c->retry_at = clock_now_ms() + RETRY_MS;
}

/* Writes c out (summary and every changed part). 0 or -1. */
static int
write_out(struct aggregator *a, struct agc *c, bool all, char **cause)
{
	if (!c->loaded || (!c->dirty && !c->parts_dirty && !all))
		return 0;
	int64_t now = clock_now_ms();
	if (prep_persist(a->o.store, c->id, c->gen, c->p, all, now, cause) != 0)
		return -1;
	c->dirty = c->parts_dirty = false;
	c->summary_at = c->persist_at = now;
	return 0;
}

/* Lets go of c: writes it out, gives the lease back, frees the state. */
static void
agc_drop(struct aggregator *a, struct agc *c)
{
	char *cause = NULL;
	if (c->leased && write_out(a, c, false, &cause) != 0) {
		alog(a, "warn", c->id, "prepared aggregates not written at stop: %s",
		    cause ? cause : "?");
		free(cause);
		cause = NULL;
	}
	if (c->leased && stp_head_release(a->o.store, c->id, a->owner, &cause) != 0) {
		free(cause);
		cause = NULL;
	}
	prep_free(c->p);
	memset(c, 0, sizeof *c);
}

/* Makes the campaign list follow the wanted set. */
static void
sync_campaigns(struct aggregator *a, char (*want)[CAMPAIGN_ID_MAX], size_t nwant)
{
	for (size_t i = 0; i < a->nc; i++)
		a->c[i].wanted = false;
	for (size_t k = 0; k < nwant; k++) {
		size_t i = 0;
		while (i < a->nc && strcmp(a->c[i].id, want[k]) != 0)
			i++;
		if (i == a->nc) {
			a->c = xreallocarray(a->c, a->nc + 1, sizeof *a->c);
			memset(&a->c[a->nc], 0, sizeof *a->c);
			snprintf(a->c[a->nc].id, sizeof a->c[a->nc].id, "%s", want[k]);
			a->nc++;
		}
		a->c[i].wanted = true;
	}
	size_t kept = 0;
	for (size_t i = 0; i < a->nc; i++) {
		if (!a->c[i].wanted) {
			agc_drop(a, &a->c[i]);
			continue;
		}
		a->c[kept++] = a->c[i];
	}
	a->nc = kept;
}

/* Takes or renews c's lease; notices a new generation and a recovery
 * request. Returns 1 when another engine aggregates c, 0, or -1. */
static int
lease(struct aggregator *a, struct agc *c, int64_t now, char **cause)
{
	if (c->leased && now < c->lease_until - a->o.lease_ms / 2)
		return 0;
	struct stp_head h;
	bool existed = true;
	int rc = stp_head_get(a->o.store, c->id, &h, cause);
	if (rc < 0)
		return -1;
	existed = rc == 0;
	rc = stp_head_claim(a->o.store, c->id, a->owner, now, now + a->o.lease_ms, &h, cause);
	if (rc != 0) {
		c->leased = false;
		return rc;
	}
	c->leased = true;
	c->lease_until = now + a->o.lease_ms;
	if (!existed)
		c->rebuild = true; /* a campaign of the previous release */
	if (c->loaded && h.gen != c->gen) {
		alog(a, "info", c->id, "prepared aggregates were rebuilt; reloading");
		prep_free(c->p);
		c->p = NULL;
		c->loaded = false;
		/* what this thread wrote to the old generation since the switch */
		char *why = NULL;
		if (prep_drop_generation(a->o.store, c->id, c->gen, &why) != 0)
			free(why);
	}
	c->gen = h.gen;
	if (h.recover_from_ms > 0)
		c->recover_from = h.recover_from_ms;
	return 0;
}

/* Progress of a rebuild into the log. */
static void
rebuild_progress(void *arg, const char *what, int64_t done)
{
	void **v = arg;
	alog(v[0], "info", ((struct agc *)v[1])->id, "rebuilding prepared aggregates: %lld %s read",
	    (long long)done, what);
}

/* Loads c's state (rebuilding it first when the head was missing) and
 * replays the log. 0 or -1. */
static int
load(struct aggregator *a, struct agc *c, char **cause)
{
	if (c->rebuild) {
		alog(a, "info", c->id,
		    "no prepared aggregates yet: rebuilding them from the stored events");
		void *arg[2] = {a, c};
		if (prep_rebuild(a->o.store, c->id, rebuild_progress, arg, cause) != 0)
			return -1;
		c->rebuild = false;
		struct stp_head h;
		if (stp_head_get(a->o.store, c->id, &h, cause) != 0)
			return -1;
		c->gen = h.gen;
	}
	struct prep_loaded l;
	if (prep_load(a->o.store, c->id, c->gen, &l, cause) != 0) {
		prep_free(l.p);
		return -1;
	}
	int64_t last;
	if (prep_replay(a->o.store, c->id, l.p, l.from, 0, &last, cause) != 0) {
		prep_free(l.p);
		return -1;
	}
	c->p = l.p;
	c->applied = last;
	c->loaded = true;
	c->dirty = c->parts_dirty = true;
	c->summary_at = c->persist_at = 0;
	if (!l.all_parts)
		c->persist_at = 0; /* write every part soon */
	return 0;
}

/* Looks for writes of a dead engine that no change-log entry describes and
 * logs them (prep_recover). 0 or -1. */
static int
recover(struct aggregator *a, struct agc *c, char **cause)
{
	size_t ne, ns;
	bool done;
	if (prep_recover(
	        a->o.store, a->o.writer, c->id, c->p, c->recover_from, &ne, &ns, &done, cause) != 0)
		return -1;
	if (ne || ns)
		alog(a, "warn", c->id,
		    "recovered %zu engagements and %zu metric slices stored by an engine that "
		    "stopped before logging them",
		    ne, ns);
	if (done)
		c->recover_from = 0;
	return 0;
}

/* One turn for campaign c. Returns true when it still has work. */
static bool
step(struct aggregator *a, struct agc *c, bool flushing)
{
	int64_t now = clock_now_ms();
	char *cause = NULL;
	if (c->retry_at > now && !flushing)
		return false;
	c->retry_at = 0;
	int rc = lease(a, c, now, &cause);
	if (rc != 0) {
		if (rc < 0)
			failed(a, c, "taking the lease", cause);
		return false;
	}
	if (!c->loaded && load(a, c, &cause) != 0) {
		failed(a, c, "loading", cause);
		return false;
	}
	if (c->recover_from > 0 && recover(a, c, &cause) != 0) {
		failed(a, c, "recovering", cause);
		return false;
	}
	int64_t last;
	if (prep_replay(a->o.store, c->id, c->p, c->applied, REPLAY_STEP, &last, &cause) != 0) {
		failed(a, c, "reading the change log", cause);
		return false;
	}
	bool more = last - c->applied >= REPLAY_STEP;
	if (last != c->applied) {
		c->applied = last;
		c->dirty = c->parts_dirty = true;
	}
	now = clock_now_ms();
	if (flushing || (c->parts_dirty && now - c->persist_at >= a->o.persist_ms)) {
		if (write_out(a, c, false, &cause) != 0)
			failed(a, c, "writing", cause);
	} else if (c->dirty && now - c->summary_at >= a->o.summary_ms) {
		if (prep_persist_summary(a->o.store, c->id, c->gen, c->p, now, &cause) != 0) {
			failed(a, c, "writing the summary", cause);
		} else {
			c->dirty = false;
			c->summary_at = now;
		}
	}
	return more;
}

/* The thread. */
static void *
run(void *arg)
{
	struct aggregator *a = arg;
	pthread_mutex_lock(&a->mu);
	while (!a->stop) {
		bool flushing = a->flush_asked != a->flush_done;
		if (!a->woken && !flushing && !a->want_changed) {
			struct timespec ts = clock_deadline(CLOCK_REALTIME, a->o.poll_ms);
			pthread_cond_timedwait(&a->cv, &a->mu, &ts);
		}
		if (a->stop)
			break;
		a->woken = false;
		uint64_t ticket = a->flush_asked;
		flushing = ticket != a->flush_done;
		char(*want)[CAMPAIGN_ID_MAX] = NULL;
		size_t nwant = 0;
		bool changed = a->want_changed;
		if (changed) {
			nwant = a->nwant;
			want = xcalloc(nwant ? nwant : 1, sizeof *want);
			if (nwant > 0)
				memcpy(want, a->want, nwant * sizeof *want);
			a->want_changed = false;
		}
		pthread_mutex_unlock(&a->mu);

		if (changed)
			sync_campaigns(a, want, nwant);
		free(want);
		bool more;
		do {
			more = false;
			for (size_t i = 0; i < a->nc; i++)
				more |= step(a, &a->c[i], false);
		} while (more && !a->stop);
		int frc = 0;
		char *fcause = NULL;
		if (flushing) {
			/* one more turn that writes everything out */
			for (size_t i = 0; i < a->nc; i++) {
				struct agc *c = &a->c[i];
				while (step(a, c, true))
					;
				if (c->retry_at > 0 && frc == 0) {
					frc = -1;
					fcause =
					    xasprintf("campaign %s: the prepared aggregates could "
					              "not be brought up to date (see the log)",
					        c->id);
				}
			}
		}

		pthread_mutex_lock(&a->mu);
		if (flushing) {
			a->flush_done = ticket;
			a->flush_rc = frc;
			free(a->flush_cause);
			a->flush_cause = fcause;
			pthread_cond_broadcast(&a->done_cv);
		}
	}
	pthread_mutex_unlock(&a->mu);
	for (size_t i = 0; i < a->nc; i++)
		agc_drop(a, &a->c[i]);
	free(a->c);
	a->c = NULL;
	a->nc = 0;
	return NULL;
}

int
aggregator_start(const struct aggregator_opts *o, struct aggregator **out, char **cause)
{
	struct aggregator *a = xcalloc(1, sizeof *a);
	a->o = *o;
	snprintf(a->owner, sizeof a->owner, "%s", o->owner ? o->owner : "launchwatch");
	a->o.owner = a->owner;
	if (a->o.poll_ms <= 0)
		a->o.poll_ms = 1000;
	if (a->o.summary_ms <= 0)
		a->o.summary_ms = 1000;
	if (a->o.persist_ms <= 0)
		a->o.persist_ms = 15000;
	if (a->o.lease_ms <= 0)
		a->o.lease_ms = 60000;
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->cv, NULL);
	pthread_cond_init(&a->done_cv, NULL);
	int err = pthread_create(&a->th, NULL, run, a);
	if (err != 0) {
		pthread_mutex_destroy(&a->mu);
		pthread_cond_destroy(&a->cv);
		pthread_cond_destroy(&a->done_cv);
		free(a);
		return set_cause(cause, "cannot start the aggregator: %s", strerror(err));
	}
	*out = a;
	return 0;
}

void
aggregator_set_campaigns(struct aggregator *a, const char *const *ids, size_t n)
{
	pthread_mutex_lock(&a->mu);
	bool same = n == a->nwant;
	for (size_t i = 0; same && i < n; i++)
		same = strcmp(a->want[i], ids[i]) == 0;
	if (!same) {
		free(a->want);
		a->want = xcalloc(n ? n : 1, sizeof *a->want);
		for (size_t i = 0; i < n; i++)
			snprintf(a->want[i], sizeof a->want[i], "%s", ids[i]);
		a->nwant = n;
		a->want_changed = true;
		pthread_cond_signal(&a->cv);
	}
	pthread_mutex_unlock(&a->mu);
}

void
aggregator_notify(struct aggregator *a, const char *campaign_id, int64_t seq)
{
	(void)campaign_id;
	(void)seq;
	pthread_mutex_lock(&a->mu);
	a->woken = true;
	pthread_cond_signal(&a->cv);
	pthread_mutex_unlock(&a->mu);
}

int
aggregator_flush(struct aggregator *a, const char *campaign_id, int64_t timeout_ms, char **cause)
{
	(void)campaign_id; /* every campaign is brought up to date: simple and cheap */
	struct timespec ts = clock_deadline(CLOCK_REALTIME, timeout_ms);
	pthread_mutex_lock(&a->mu);
	uint64_t ticket = ++a->flush_asked;
	pthread_cond_signal(&a->cv);
	int rc = 0;
	while (a->flush_done < ticket && rc != ETIMEDOUT && !a->stop)
		rc = pthread_cond_timedwait(&a->done_cv, &a->mu, &ts);
	int out = 0;
	if (a->flush_done < ticket)
		out = set_cause(cause, "the prepared aggregates did not catch up within %lld s",
		    (long long)(timeout_ms / 1000));
	else if (a->flush_rc != 0)
		out = set_cause(cause, "%s", a->flush_cause ? a->flush_cause : "flush failed");
	pthread_mutex_unlock(&a->mu);
	return out;
}

void
aggregator_free(struct aggregator *a)
{
	if (a == NULL)
		return;
	pthread_mutex_lock(&a->mu);
	a->stop = true;
	pthread_cond_broadcast(&a->cv);
	pthread_cond_broadcast(&a->done_cv);
	pthread_mutex_unlock(&a->mu);
	pthread_join(a->th, NULL);
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->cv);
	pthread_cond_destroy(&a->done_cv);
	free(a->want);
	free(a->flush_cause);
	free(a);
}
