/*
 * ingest: the work of one claimed metrics job (the metrics call with its
 * slices and baselines), the outcomes a failed call or a closed credits
 * gate record, the state every worker shares (credits gate, learned cursor
 * lifetime) and the engine's logger. The list walks are in
 * src/engine/ingest_walk.c. Worker threads only; each brings its own xapi
 * client, and everything in struct ingest is shared and thread-safe.
 */
#include "engine/ingest.h"
#include "engine/writer.h"
#include "ingest_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/credits.h"
#include "store/store_events.h"
#include "store/store_ingest.h"
#include "base/text.h"
#include "base/util.h"
#include "provider/xapi.h"

#define LOG_LINE_MAX 1024

/* ---- logger ---- */

struct ing_log {
	FILE *f;
	struct store *s;
	char *owner;
	pthread_mutex_t mu;
};

struct ing_log *
ing_log_new(FILE *f, struct store *s, const char *owner)
{
	struct ing_log *l = xcalloc(1, sizeof *l);
	l->f = f;
	l->s = s;
	l->owner = xstrdup(owner ? owner : "");
	pthread_mutex_init(&l->mu, NULL);
	return l;
}

void
ing_log_free(struct ing_log *l)
{
	if (l == NULL)
		return;
	pthread_mutex_destroy(&l->mu);
	free(l->owner);
	free(l);
}

/* Writes one line to the log file, if any. */
static void
log_file(struct ing_log *l, const char *level, const char *job, const char *msg, int64_t now)
{
	if (l->f == NULL)
		return;
	char when[32];
	time_t t = (time_t)(now / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
	pthread_mutex_lock(&l->mu);
	fprintf(l->f, "%s.%03dZ %-5s %s%s%s\n", when, (int)(now % 1000), level, job ? job : "",
	    job ? ": " : "", msg);
	fflush(l->f);
	pthread_mutex_unlock(&l->mu);
}

void
ing_log_local(struct ing_log *l, const char *level, const char *fmt, ...)
{
	if (l == NULL)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *raw = xvasprintf(fmt, ap);
	va_end(ap);
	char *msg = text_sanitize(raw, strlen(raw), LOG_LINE_MAX);
	free(raw);
	log_file(l, level, NULL, msg, clock_now_ms());
	free(msg);
}

void
ing_logf(struct ing_log *l, const char *level, const char *job, const char *fmt, ...)
{
	if (l == NULL)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *raw = xvasprintf(fmt, ap);
	va_end(ap);
	char *msg = text_sanitize(raw, strlen(raw), LOG_LINE_MAX);
	free(raw);
	int64_t now = clock_now_ms();
	log_file(l, level, job, msg, now);
	if (l->s) {
		char *cause = NULL;
		if (sti_log(l->s, l->owner, job, level, msg, now, &cause) != 0 && l->f) {
			pthread_mutex_lock(&l->mu);
			fprintf(l->f, "(worker_log: %s)\n", cause);
			pthread_mutex_unlock(&l->mu);
		}
		free(cause);
	}
	free(msg);
}

/* ---- shared state ---- */

/* What every worker of an engine shares. */
struct ing_shared {
	pthread_mutex_t mu;
	struct credits_gate *gate;
	int64_t cursor_life_ms; /* 0: no cursor refused yet */
};

void
ingest_init(struct ingest *ing)
{
	struct ing_shared *sh = xcalloc(1, sizeof *sh);
	pthread_mutex_init(&sh->mu, NULL);
	sh->gate = credits_gate_new(ing->credits_recheck_ms);
	ing->sh = sh;
}

void
ingest_done(struct ingest *ing)
{
	struct ing_shared *sh = ing->sh;
	if (sh == NULL)
		return;
	credits_gate_free(sh->gate);
	pthread_mutex_destroy(&sh->mu);
	free(sh);
	ing->sh = NULL;
}

struct credits_gate *
ingest_gate(const struct ingest *ing)
{
	return ing->sh->gate;
}

int64_t
ingest_cursor_life(const struct ingest *ing)
{
	pthread_mutex_lock(&ing->sh->mu);
	int64_t v = ing->sh->cursor_life_ms;
	pthread_mutex_unlock(&ing->sh->mu);
	return v;
}

void
ingest_cursor_refused(struct ingest *ing, int64_t age_ms)
{
	if (age_ms <= 0)
		return;
	pthread_mutex_lock(&ing->sh->mu);
	if (ing->sh->cursor_life_ms == 0 || age_ms < ing->sh->cursor_life_ms)
		ing->sh->cursor_life_ms = age_ms;
	pthread_mutex_unlock(&ing->sh->mu);
}

int64_t
ing_gate_check(struct ingest *ing, struct xapi *x, int64_t *requests)
{
	struct credits_check c;
	credits_gate_check(ing->sh->gate, x, clock_now_ms(), &c);
	*requests += c.requests;
	if (c.opened_with > 0)
		ing_logf(ing->log, "info", NULL, "credits are back (%lld); resuming",
		    (long long)c.opened_with);
	else if (c.requests > 0)
		ing_logf(ing->log, "warn", NULL, "balance check: %s; next check in %lld s",
		    c.error ? c.error : "still no credits",
		    (long long)((c.blocked_until_ms - clock_now_ms() + 999) / 1000));
	free(c.error);
	return c.blocked_until_ms;
}

/* ---- outcomes ---- */

static const char *const status_names[] = {
    "ok", "skipped", "blocked", "retry", "stopped", "missing", "released", "db-error"};

const char *
ing_status_name(enum ing_status st)
{
	return status_names[st];
}

void
ing_db_failed(struct ingest *ing, const struct job *j, struct ing_outcome *o, char *cause)
{
	ing_logf(ing->log, "error", j->id, "%s", cause ? cause : "database error");
	snprintf(o->why, sizeof o->why, "%s", cause ? cause : "database error");
	free(cause);
	o->st = ING_DBERROR;
	o->next_ms = clock_now_ms() + JOB_LEASE_MS;
}

void
ing_call_failed(struct ingest *ing, const struct job *j, const struct xapi_result *res,
    int64_t requests, int64_t credits, int64_t max_delay_ms, struct ing_outcome *o)
{
	const struct xapi_policy *p = xapi_policy_of(res->cls);
	int64_t now = clock_now_ms();
	char *cause = NULL;
	int rc;
	char *msg = xasprintf("%s: %s", p->name, res->message ? res->message : "error");
	o->cls = res->cls;
	snprintf(o->why, sizeof o->why, "%s", msg);
	if (p->action == XAPI_DO_SNOOZE) {
		int64_t delay;
		if (res->cls == XAPI_CREDITS) {
			credits_gate_close(ing->sh->gate, now);
			delay = ing->credits_recheck_ms;
		} else {
			delay = xapi_delay_ms(res->cls, 1, res->retry_after_s, 0, xapi_rand());
		}
		rc = jobs_snooze(ing->jobs, j, msg, p->name, delay, requests, credits, now, &cause);
		o->st = ING_BLOCKED;
		o->next_ms = now + delay;
		ing_logf(ing->log, "warn", j->id, "%s; snoozed %lld ms", msg, (long long)delay);
	} else if (p->action == XAPI_DO_STOP) {
		rc = jobs_stop(ing->jobs, j, msg, requests, credits, now, &cause);
		o->st = ING_STOPPED;
		o->next_ms = INT64_MAX;
		ing_logf(ing->log, "error", j->id, "%s; job stopped", msg);
	} else {
		int64_t delay = xapi_delay_ms(res->cls, j->attempts + 1, -1, 0, xapi_rand());
		if (max_delay_ms > 0 && delay > max_delay_ms)
			delay = max_delay_ms;
		rc = jobs_retry(ing->jobs, j, msg, delay, requests, credits, now, &cause);
		o->st = ING_RETRY;
		o->next_ms = now + delay;
		ing_logf(ing->log, "warn", j->id, "%s%s%s; retry in %lld ms", msg,
		    res->body_head ? "; body: " : "", res->body_head ? res->body_head : "",
		    (long long)delay);
	}
	if (rc != 0)
		ing_db_failed(ing, j, o, cause);
	else
		free(cause);
	free(msg);
}

void
ing_gate_blocked(struct ingest *ing, const struct job *j, int64_t until_ms, int64_t requests,
    int64_t credits, struct ing_outcome *o)
{
	int64_t now = clock_now_ms();
	char *cause = NULL;
	int64_t delay = until_ms > now ? until_ms - now : 1000;
	o->st = ING_BLOCKED;
	o->cls = XAPI_CREDITS;
	o->next_ms = now + delay;
	o->requests = requests;
	o->credits = credits;
	snprintf(o->why, sizeof o->why, "credits: out of credits; waiting for the balance check");
	if (jobs_snooze(ing->jobs, j, "credits: out of credits; waiting for the balance check",
	        xapi_class_name(XAPI_CREDITS), delay, requests, credits, now, &cause) != 0)
		ing_db_failed(ing, j, o, cause);
}

/* ---- metrics ---- */

/* Returns field i of m (likes, retweets, replies, quotes, views, bookmarks). */
static int64_t *
mfield(struct lw_metrics *m, int i)
{
	int64_t *v[6] = {
	    &m->likes, &m->retweets, &m->replies, &m->quotes, &m->views, &m->bookmarks};
	return v[i];
}

/* Returns true when a and b hold the same counts. */
static bool
metrics_equal(const struct lw_metrics *a, const struct lw_metrics *b)
{
	return memcmp(a, b, sizeof *a) == 0;
}

/* Sets d = a - b field by field. */
static void
metrics_sub(const struct lw_metrics *a, const struct lw_metrics *b, struct lw_metrics *d)
{
	struct lw_metrics x = *a, y = *b;
	for (int i = 0; i < 6; i++)
		*mfield(d, i) = *mfield(&x, i) - *mfield(&y, i);
}

/* Writes one tweet's observation c (baseline b) following the protocol in
 * store_ingest.h; *slices gets what was written. 0 or -1. */
static int
observe_dup(struct ingest *ing, const char *campaign_id, enum tweet_category cat,
    struct sti_baseline *b, const struct lw_metrics *c, int64_t now, struct sti_slice *written,
    size_t *nwritten, struct prep_slice **adopted, size_t *nadopted, char **cause)
{
	/* Slice b->seq + 1 was stored by a run that died before the baseline:
	 * adopt its counts, then write the rest as the next slice. The adopted
	 * slice goes into this observation's change-log entry too (that run
	 * may have died before writing its own). */
	for (int round = 0; round < 8; round++) {
		struct lw_metrics stored;
		int rc =
		    sti_slice_counts(ing->s, campaign_id, b->tweet_id, b->seq + 1, &stored, cause);
		if (rc != 0)
			return rc < 0 ? -1 : set_cause(cause, "a metric slice vanished");
		struct lw_slice old;
		rc = ste_slice_get(ing->s, campaign_id, b->tweet_id, b->seq + 1, &old, cause);
		if (rc != 0)
			return rc < 0 ? -1 : set_cause(cause, "a metric slice vanished");
		*adopted = xreallocarray(*adopted, *nadopted + 1, sizeof **adopted);
		prep_slice_from(&(*adopted)[(*nadopted)++], &old);
		b->m = stored;
		b->seq++;
		if (metrics_equal(c, &b->m))
			return 0;
		struct sti_slice sl;
		memset(&sl, 0, sizeof sl);
		snprintf(sl.sl.campaign_id, sizeof sl.sl.campaign_id, "%s", campaign_id);
		snprintf(sl.sl.tweet_id, sizeof sl.sl.tweet_id, "%s", b->tweet_id);
		sl.sl.category = (int)cat;
		sl.sl.seq = b->seq + 1;
		sl.sl.at_ms = now;
		metrics_sub(c, &b->m, &sl.sl.deltas);
		sl.counts = *c;
		bool dup = false;
		if (sti_slices_insert(ing->s, &sl, 1, &dup, cause) != 0)
			return -1;
		if (!dup) {
			b->m = *c;
			b->seq++;
			written[(*nwritten)++] = sl;
			return 0;
		}
	}
	return set_cause(cause, "metric slices of tweet %s keep colliding", b->tweet_id);
}

void
ingest_metrics(struct ingest *ing, struct xapi *x, const char *campaign_id, struct job *j,
    const enum tweet_category *cats, size_t n, int64_t cadence_s, struct ing_outcome *out)
{
	struct xapi_tweets tw = {0};
	struct xapi_result res = {0};
	char *cause = NULL;
	int64_t requests = 0;
	const char **ids = xcalloc(n, sizeof *ids);
	struct sti_baseline *b = xcalloc(n, sizeof *b);
	struct sti_slice *sl = xcalloc(n, sizeof *sl);
	struct sti_slice *written = xcalloc(n, sizeof *written);
	struct sti_baseline_set *set = xcalloc(n, sizeof *set);
	const struct lw_tweet **found = xcalloc(n, sizeof *found);
	bool *dup = xcalloc(n, sizeof *dup);
	bool *fresh = xcalloc(n, sizeof *fresh); /* no baseline before this call */
	struct prep_slice *logv = NULL; /* what this observation's change-log entry lists */
	size_t nsl = 0, nwritten = 0, nset = 0, nlog = 0;
	memset(out, 0, n * sizeof *out);
	for (size_t i = 0; i < n; i++)
		ids[i] = j[i].tweet_id;

	int64_t blocked = ing_gate_check(ing, x, &requests);
	if (blocked > 0) {
		for (size_t i = 0; i < n; i++)
			ing_gate_blocked(ing, &j[i], blocked, i == 0 ? requests : 0, 0, &out[i]);
		goto out;
	}
	int rc = xapi_get_tweets(x, ids, n, &tw, &res);
	requests += res.requests;
	out[0].requests = requests;
	out[0].credits = res.credits;
	if (rc != 0) {
		for (size_t i = 0; i < n; i++)
			ing_call_failed(ing, &j[i], &res, i == 0 ? requests : 0,
			    i == 0 ? res.credits : 0, 0, &out[i]);
		goto out;
	}
	int64_t now = clock_now_ms();
	if (sti_baselines_get(ing->s, campaign_id, ids, n, b, &cause) != 0) {
		for (size_t i = 0; i < n; i++)
			ing_db_failed(ing, &j[i], &out[i], i == 0 ? cause : NULL);
		cause = NULL;
		goto out;
	}
	/* a tweet seen for the first time starts from zero: its first slice
	 * holds everything it gathered before monitoring began, so a tweet's
	 * slices always add up to its latest counts */
	for (size_t i = 0; i < n; i++) {
		if (b[i].known)
			continue;
		fresh[i] = true;
		b[i].known = true;
		b[i].seq = 0;
		memset(&b[i].m, 0, sizeof b[i].m);
	}
	/* pass 1: the slices of tweets whose counts moved */
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < tw.n && found[i] == NULL; k++)
			if (strcmp(tw.tweets[k].id, ids[i]) == 0)
				found[i] = &tw.tweets[k];
		if (found[i] == NULL)
			continue;
		struct lw_metrics c = found[i]->metrics;
		for (int f = 0; f < 6; f++) /* a count the provider left out keeps its value */
			if (*mfield(&c, f) < 0)
				*mfield(&c, f) = b[i].known ? *mfield(&b[i].m, f) : 0;
		if (b[i].known && !metrics_equal(&c, &b[i].m)) {
			struct sti_slice *s = &sl[nsl++];
			snprintf(s->sl.campaign_id, sizeof s->sl.campaign_id, "%s", campaign_id);
			snprintf(s->sl.tweet_id, sizeof s->sl.tweet_id, "%s", ids[i]);
			s->sl.category = (int)cats[i];
			s->sl.seq = b[i].seq + 1;
			s->sl.at_ms = now;
			metrics_sub(&c, &b[i].m, &s->sl.deltas);
			s->counts = c;
		}
		set[nset].campaign_id = campaign_id;
		set[nset].tweet_id = ids[i];
		set[nset].t = found[i];
		set[nset].m = c;
		set[nset].seq = b[i].known ? b[i].seq + (metrics_equal(&c, &b[i].m) ? 0 : 1) : 0;
		set[nset].first = fresh[i];
		nset++;
	}
	if (sti_slices_insert(ing->s, sl, nsl, dup, &cause) != 0)
		goto dbfail;
	for (size_t k = 0; k < nsl; k++) {
		if (!dup[k]) {
			written[nwritten++] = sl[k];
			continue;
		}
		for (size_t i = 0; i < n; i++) {
			if (strcmp(ids[i], sl[k].sl.tweet_id) != 0)
				continue;
			if (observe_dup(ing, campaign_id, cats[i], &b[i], &sl[k].counts, now,
			        written, &nwritten, &logv, &nlog, &cause) != 0)
				goto dbfail;
			for (size_t m = 0; m < nset; m++)
				if (set[m].tweet_id == ids[i])
					set[m].seq = b[i].seq;
		}
	}
	/* the slices are stored: log them, then the baselines */
	logv = xreallocarray(logv, nlog + nwritten + 1, sizeof *logv);
	for (size_t k = 0; k < nwritten; k++)
		prep_slice_from(&logv[nlog++], &written[k].sl);
	if (nlog > 0 && writer_append(ing->writer, ing->s, campaign_id, CHK_SLICES, NULL, 0, logv,
	                    nlog, &cause) != 0)
		goto dbfail;
	if (sti_baselines_set(ing->s, set, nset, now, &cause) != 0)
		goto dbfail;
	for (size_t i = 0; i < n; i++) {
		struct job_result r = {.walked_count = -1};
		if (found[i] == NULL) {
			out[i].st = ING_MISSING;
			out[i].next_ms = INT64_MAX;
			ing_logf(ing->log, "warn", j[i].id, "tweet %s is missing; not polled again",
			    ids[i]);
			if (sti_tweet_set_missing(ing->s, campaign_id, ids[i], now, &cause) != 0 ||
			    jobs_missing(ing->jobs, &j[i], now, &cause) != 0)
				ing_db_failed(ing, &j[i], &out[i], cause), cause = NULL;
			continue;
		}
		r.requests = out[i].requests;
		r.credits = out[i].credits;
		out[i].st = ING_OK;
		out[i].next_ms = jobs_next_run(&j[i], cadence_s, now);
		if (jobs_finish(ing->jobs, &j[i], &r, cadence_s, now, &cause) != 0)
			ing_db_failed(ing, &j[i], &out[i], cause), cause = NULL;
	}
	for (size_t k = 0; k < nwritten; k++)
		for (size_t i = 0; i < n; i++)
			if (strcmp(written[k].sl.tweet_id, ids[i]) == 0)
				out[i].slices++;
	goto out;
dbfail:
	for (size_t i = 0; i < n; i++)
		ing_db_failed(ing, &j[i], &out[i], i == 0 ? cause : NULL);
	cause = NULL;
out:
	xapi_tweets_done(&tw);
	xapi_result_done(&res);
	free(cause);
	free(ids);
	free(b);
	free(sl);
	free(written);
	free(set);
	free(found);
	free(dup);
	free(fresh);
	free(logv);
}
