/*
 * schedq: the scheduler's in-memory state (include/engine/schedq.h):
 * campaigns, the queue, the jobs in flight, this engine's metrics readings,
 * the totals and the notes of `run --once`. No I/O; the scheduler's mutex
 * guards every call.
 */
#include "engine/schedq.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timestr.h"

void
sq_init(struct schedq *q, bool once, int64_t wait_ms, int tries)
{
	memset(q, 0, sizeof *q);
	q->once = once;
	q->wait_ms = wait_ms;
	q->tries = tries > 0 ? tries : 1;
	sbuf_init(&q->notes);
}

void
sq_done(struct schedq *q)
{
	for (size_t i = 0; i < q->ncamps; i++)
		campaign_done(&q->camps[i].c);
	free(q->camps);
	free(q->q);
	free(q->inflight);
	free(q->reads);
	sbuf_done(&q->notes);
	memset(q, 0, sizeof *q);
}

struct sq_camp *
sq_camp_find(struct schedq *q, const char *id)
{
	for (size_t i = 0; i < q->ncamps; i++)
		if (strcmp(q->camps[i].c.id, id) == 0)
			return &q->camps[i];
	return NULL;
}

const struct cfg_tweet *
sq_camp_tweet(const struct sq_camp *c, const char *tweet_id)
{
	for (size_t i = 0; i < c->c.cfg.ntweets; i++)
		if (strcmp(c->c.cfg.tweets[i].id, tweet_id) == 0)
			return &c->c.cfg.tweets[i];
	return NULL;
}

/* Returns true when id is queued or in flight. */
static bool
known_job(const struct schedq *q, const char *id)
{
	for (size_t i = 0; i < q->nq; i++)
		if (strcmp(q->q[i].d.id, id) == 0)
			return true;
	for (size_t i = 0; i < q->ninflight; i++)
		if (strcmp(q->inflight[i], id) == 0)
			return true;
	return false;
}

/* Removes queue entry i. */
static void
dequeue_at(struct schedq *q, size_t i)
{
	memmove(&q->q[i], &q->q[i + 1], (q->nq - i - 1) * sizeof *q->q);
	q->nq--;
}

/* Drops queued jobs of campaigns that are no longer runnable. */
static void
drop_unrunnable(struct schedq *q)
{
	for (size_t i = 0; i < q->nq;) {
		struct sq_camp *c = sq_camp_find(q, q->q[i].d.campaign_id);
		if (c == NULL || !c->runnable || !sq_camp_tweet(c, q->q[i].d.tweet_id)) {
			if (c && q->q[i].d.kind == JOB_METRICS)
				c->metrics--;
			dequeue_at(q, i);
			continue;
		}
		i++;
	}
}

void
sq_set_camps(struct schedq *q, struct campaign *v, size_t n, int64_t now_ms)
{
	struct sq_camp *nc = xcalloc(n ? n : 1, sizeof *nc);
	for (size_t i = 0; i < n; i++) {
		struct sq_camp *old = sq_camp_find(q, v[i].id);
		nc[i].c = v[i];
		if (old) {
			nc[i].hooked = old->hooked;
			nc[i].hook_after_ms = old->hook_after_ms;
			nc[i].inflight = old->inflight;
			nc[i].metrics = old->metrics;
		}
		bool ended = now_ms >= v[i].cfg.end_s * 1000 || v[i].close_requested_at_ms != 0;
		/* frozen but not archived yet (a crash or a failure between the
		 * two): the report job still has to finish it */
		bool pending = v[i].status == CS_COMPLETED && v[i].closeout_pending;
		nc[i].closing = (ended && v[i].status != CS_COMPLETED) || pending;
		nc[i].runnable = v[i].status == CS_ACTIVE && !ended;
		if (v[i].status == CS_COMPLETED && !pending)
			nc[i].hooked = true;
	}
	for (size_t i = 0; i < q->ncamps; i++)
		campaign_done(&q->camps[i].c);
	free(q->camps);
	q->camps = nc;
	q->ncamps = n;
	drop_unrunnable(q);
}

bool
sq_enqueue(struct schedq *q, const struct sti_due *d, const struct sq_item *proto)
{
	struct sq_camp *c = sq_camp_find(q, d->campaign_id);
	if (c == NULL || !c->runnable || !sq_camp_tweet(c, d->tweet_id) || known_job(q, d->id))
		return false;
	q->q = xreallocarray(q->q, q->nq + 1, sizeof *q->q);
	struct sq_item *it = &q->q[q->nq++];
	*it = *proto;
	it->d = *d;
	if (d->kind == JOB_METRICS)
		c->metrics++;
	return true;
}

/* Writes the metrics job of d's tweet into *m. */
static void
metrics_job_of(const struct sti_due *d, struct sti_due *m)
{
	memset(m, 0, sizeof *m);
	snprintf(m->id, sizeof m->id, "%s:%s:%s", d->campaign_id, d->tweet_id,
	    job_kind_name(JOB_METRICS));
	snprintf(m->campaign_id, sizeof m->campaign_id, "%s", d->campaign_id);
	snprintf(m->tweet_id, sizeof m->tweet_id, "%s", d->tweet_id);
	m->kind = JOB_METRICS;
	m->state = JST_IDLE;
}

void
sq_enqueue_due(
    struct schedq *q, const struct sti_due *d, size_t n, bool force, int64_t fresh_after_ms)
{
	for (int pass = 0; pass < 2; pass++) /* metrics first */
		for (size_t i = 0; i < n; i++) {
			if ((d[i].kind == JOB_METRICS) != (pass == 0))
				continue;
			struct sq_item p = {.force = force,
			    .fresh_after_ms =
			        fresh_after_ms >= 0 ? fresh_after_ms : d[i].next_run_at_ms};
			if (pass == 1) {
				/* no skip against an older count: the tweet's metrics
				 * are read in this cycle first */
				struct sti_due m;
				metrics_job_of(&d[i], &m);
				if (!known_job(q, m.id) && sq_read_at(q, d[i].campaign_id,
				                               d[i].tweet_id) < p.fresh_after_ms) {
					struct sq_item mp = {
					    .force = true, .fresh_after_ms = p.fresh_after_ms};
					sq_enqueue(q, &m, &mp);
				}
			}
			sq_enqueue(q, &d[i], &p);
		}
}

bool
sq_take(struct schedq *q, struct sq_take *t, int64_t now_ms, int64_t *wake)
{
	*wake = INT64_MAX;
	for (size_t i = 0; i < q->nq; i++) {
		struct sq_item *it = &q->q[i];
		struct sq_camp *c = sq_camp_find(q, it->d.campaign_id);
		if (c == NULL || !c->runnable)
			continue;
		if (it->not_before_ms > now_ms) {
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
		for (size_t k = i; k < q->nq && t->n < (metrics ? XAPI_MAX_IDS : 1);) {
			struct sq_item *x = &q->q[k];
			if (x->not_before_ms > now_ms || x->d.kind != kind ||
			    strcmp(x->d.campaign_id, c->c.id) != 0) {
				k++;
				continue;
			}
			const struct cfg_tweet *tw = sq_camp_tweet(c, x->d.tweet_id);
			t->cats[t->n] = tw ? tw->category : CAT_MAIN;
			t->it[t->n++] = *x;
			q->inflight =
			    xreallocarray(q->inflight, q->ninflight + 1, sizeof *q->inflight);
			snprintf(q->inflight[q->ninflight++], JOB_ID_MAX, "%s", x->d.id);
			c->inflight++;
			dequeue_at(q, k);
		}
		return true;
	}
	return false;
}

/* Takes it out of the jobs in flight. */
static void
landed(struct schedq *q, const struct sq_item *it)
{
	for (size_t i = 0; i < q->ninflight; i++)
		if (strcmp(q->inflight[i], it->d.id) == 0) {
			memmove(&q->inflight[i], &q->inflight[i + 1],
			    (q->ninflight - i - 1) * sizeof *q->inflight);
			q->ninflight--;
			break;
		}
	struct sq_camp *c = sq_camp_find(q, it->d.campaign_id);
	if (c) {
		c->inflight--;
		if (it->d.kind == JOB_METRICS)
			c->metrics--;
	}
}

void
sq_note(struct schedq *q, const char *id, const char *fmt, ...)
{
	if (!q->once)
		return;
	if (q->nnotes++ >= SQ_NOTES_MAX)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *why = xvasprintf(fmt, ap);
	va_end(ap);
	sbuf_printf(&q->notes, "%s: %s\n", id, why);
	free(why);
	q->st.notes = q->notes.s;
}

/* Writes a time of day "HH:MM:SSZ" of ms into buf. */
static const char *
clock_of(int64_t ms, char *buf, size_t size)
{
	char full[32];
	timestr_format_time(ms / 1000, full, sizeof full);
	snprintf(buf, size, "%s", strlen(full) > 11 ? full + 11 : full);
	return buf;
}

/* Remembers that this engine read the metrics of it's tweet at now_ms. */
static void
remember_read(struct schedq *q, const struct sq_item *it, int64_t now_ms)
{
	char key[sizeof q->reads->key];
	snprintf(key, sizeof key, "%s:%s", it->d.campaign_id, it->d.tweet_id);
	for (size_t i = 0; i < q->nreads; i++)
		if (strcmp(q->reads[i].key, key) == 0) {
			q->reads[i].at_ms = now_ms;
			return;
		}
	q->reads = xreallocarray(q->reads, q->nreads + 1, sizeof *q->reads);
	snprintf(q->reads[q->nreads].key, sizeof q->reads->key, "%s", key);
	q->reads[q->nreads++].at_ms = now_ms;
}

int64_t
sq_read_at(const struct schedq *q, const char *campaign_id, const char *tweet_id)
{
	size_t lc = strlen(campaign_id);
	for (size_t i = 0; i < q->nreads; i++)
		if (strncmp(q->reads[i].key, campaign_id, lc) == 0 && q->reads[i].key[lc] == ':' &&
		    strcmp(q->reads[i].key + lc + 1, tweet_id) == 0)
			return q->reads[i].at_ms;
	return 0;
}

void
sq_finish(struct schedq *q, const struct sq_item *it, const struct ing_outcome *o,
    bool credits_empty, int64_t now_ms)
{
	landed(q, it);
	struct sched_stats *st = &q->st;
	st->requests += o->requests;
	st->credits += o->credits;
	st->pages += (size_t)o->pages;
	st->new_engagements += o->new_engagements;
	st->slices += o->slices;
	st->restarts += (size_t)o->restarts;
	if (it->d.kind == JOB_METRICS && o->st == ING_OK)
		remember_read(q, it, now_ms);
	bool progress = o->st == ING_OK || o->st == ING_SKIPPED || o->pages > 0;
	int stalls = progress ? 0 : it->stalls + 1;
	bool waits = o->st == ING_RETRY || o->st == ING_BLOCKED;
	if (q->once && o->st == ING_BLOCKED && o->cls == XAPI_CREDITS && credits_empty)
		waits = false; /* a balance check found none in this run */
	if (q->once && stalls >= q->tries)
		waits = false;
	if (waits && o->next_ms - now_ms <= q->wait_ms) {
		struct sq_item p = *it;
		p.not_before_ms = o->next_ms;
		p.runs = it->runs + 1;
		p.stalls = stalls;
		if (sq_enqueue(q, &it->d, &p))
			return;
	}
	char at[32];
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
		sq_note(q, it->d.id, "blocked until %s: %s", clock_of(o->next_ms, at, sizeof at),
		    o->why);
		break;
	case ING_RELEASED:
		break;
	case ING_RETRY:
	case ING_STOPPED:
	case ING_DBERROR:
		st->jobs_failed++;
		sq_note(q, it->d.id, "%s after %d run%s: %s", ing_status_name(o->st), it->runs + 1,
		    it->runs ? "s" : "", o->why);
		break;
	}
}

void
sq_read_elsewhere(struct schedq *q, const struct sq_item *it, int64_t read_at_ms)
{
	landed(q, it);
	remember_read(q, it, read_at_ms);
	q->st.jobs_ok++;
	q->st.metrics_elsewhere++;
}

void
sq_unclaimed(struct schedq *q, const struct sq_item *it, const char *held_by,
    int64_t lease_until_ms, int64_t now_ms)
{
	landed(q, it);
	if (!q->once || held_by == NULL || *held_by == '\0')
		return;
	int64_t since = it->held_since_ms ? it->held_since_ms : now_ms;
	if (now_ms - since < q->wait_ms) {
		struct sq_item p = *it;
		p.held_since_ms = since;
		p.not_before_ms = now_ms + 1000;
		if (sq_enqueue(q, &it->d, &p))
			return;
	}
	char at[32];
	q->st.jobs_held++;
	sq_note(q, it->d.id, "held by %s (lease until %s)", held_by,
	    clock_of(lease_until_ms, at, sizeof at));
}

bool
sq_idle(const struct schedq *q)
{
	return q->nq == 0 && q->ninflight == 0;
}

/* ---- the listed jobs ---- */

void
sq_known_replace(struct sq_known *k, struct sti_due *v, size_t n)
{
	free(k->v);
	k->v = v;
	k->n = n;
}

void
sq_known_set(struct sq_known *k, const char *id, const struct sti_due *d)
{
	size_t i = 0;
	while (i < k->n && strcmp(k->v[i].id, id) != 0)
		i++;
	if (d == NULL) {
		if (i < k->n)
			k->v[i] = k->v[--k->n];
		return;
	}
	if (i == k->n) {
		k->v = xreallocarray(k->v, k->n + 1, sizeof *k->v);
		k->n++;
	}
	k->v[i] = *d;
}

/* Orders due jobs by due time, then id. */
static int
cmp_due(const void *a, const void *b)
{
	const struct sti_due *x = a, *y = b;
	if (x->next_run_at_ms != y->next_run_at_ms)
		return x->next_run_at_ms < y->next_run_at_ms ? -1 : 1;
	return strcmp(x->id, y->id);
}

size_t
sq_known_due(
    const struct sq_known *k, const char *const *ids, size_t n, int64_t until, struct sti_due **out)
{
	struct sti_due *v = xcalloc(k->n ? k->n : 1, sizeof *v);
	size_t m = 0;
	for (size_t i = 0; i < k->n; i++) {
		bool listed = false;
		for (size_t c = 0; c < n && !listed; c++)
			listed = strcmp(k->v[i].campaign_id, ids[c]) == 0;
		if (!listed)
			continue;
		struct sti_due d = k->v[i];
		for (size_t h = 0; h < k->nholds; h++)
			if (k->holds[h].until_ms > d.next_run_at_ms &&
			    strcmp(k->holds[h].id, d.id) == 0)
				d.next_run_at_ms = k->holds[h].until_ms;
		if (d.next_run_at_ms <= until)
			v[m++] = d;
	}
	qsort(v, m, sizeof *v, cmp_due);
	*out = v;
	return m;
}

void
sq_known_ended(struct sq_known *k, const char *id, bool db_error, int64_t now_ms)
{
	size_t i = 0;
	while (i < k->nholds && strcmp(k->holds[i].id, id) != 0)
		i++;
	if (!db_error) {
		if (i < k->nholds)
			k->holds[i] = k->holds[--k->nholds];
		return;
	}
	if (i == k->nholds) {
		k->holds = xreallocarray(k->holds, k->nholds + 1, sizeof *k->holds);
		memset(&k->holds[i], 0, sizeof k->holds[i]);
		snprintf(k->holds[i].id, sizeof k->holds[i].id, "%s", id);
		k->nholds++;
	}
	struct sq_hold *h = &k->holds[i];
	int64_t wait = SQ_HOLD_MIN_MS;
	for (int f = 0; f < h->fails && wait < SQ_HOLD_MAX_MS; f++)
		wait *= 2;
	h->fails++;
	h->until_ms = now_ms + (wait < SQ_HOLD_MAX_MS ? wait : SQ_HOLD_MAX_MS);
}

void
sq_known_done(struct sq_known *k)
{
	free(k->v);
	k->v = NULL;
	k->n = 0;
	free(k->holds);
	k->holds = NULL;
	k->nholds = 0;
}
