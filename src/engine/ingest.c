/*
 * ingest: the work of one claimed job: the metrics call with its slices and
 * baselines, and the backfill / delta walks of retweeters, replies and
 * quotes with their pages handed to the writer, plus the process-wide credits gate and the
 * engine's logger. Worker threads only; each brings its own xapi client, and
 * everything in struct ingest is shared and thread-safe.
 */
#include "engine/ingest.h"
#include "engine/writer.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
	if (l->f) {
		char when[32];
		time_t t = (time_t)(now / 1000);
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
		pthread_mutex_lock(&l->mu);
		fprintf(l->f, "%s.%03dZ %-5s %s%s%s\n", when, (int)(now % 1000), level,
		    job ? job : "", job ? ": " : "", msg);
		fflush(l->f);
		pthread_mutex_unlock(&l->mu);
	}
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

/* ---- credits gate ---- */

/* Closed after a 402 until a balance poll finds credits again. */
struct gate {
	pthread_mutex_t mu;
	bool closed;
	int64_t until_ms; /* when the next balance poll may run */
};

void
ingest_init(struct ingest *ing)
{
	struct gate *g = xcalloc(1, sizeof *g);
	pthread_mutex_init(&g->mu, NULL);
	ing->gate = g;
}

void
ingest_done(struct ingest *ing)
{
	struct gate *g = ing->gate;
	if (g == NULL)
		return;
	pthread_mutex_destroy(&g->mu);
	free(g);
	ing->gate = NULL;
}

/* Closes the gate until now + the recheck delay. */
static void
gate_close(struct ingest *ing, int64_t now_ms)
{
	struct gate *g = ing->gate;
	pthread_mutex_lock(&g->mu);
	g->closed = true;
	g->until_ms = now_ms + ing->credits_recheck_ms;
	pthread_mutex_unlock(&g->mu);
}

/* Returns 0 when requests may go out, else the time until which the credits
 * are out. After the recheck time one caller polls the balance (free). */
static int64_t
gate_check(struct ingest *ing, struct xapi *x, int64_t now_ms, int64_t *requests)
{
	struct gate *g = ing->gate;
	int64_t blocked = 0;
	pthread_mutex_lock(&g->mu);
	if (g->closed && now_ms < g->until_ms) {
		blocked = g->until_ms;
	} else if (g->closed) {
		struct xapi_balance bal;
		struct xapi_result res;
		int rc = xapi_balance(x, &bal, &res);
		*requests += res.requests;
		if (rc == 0 && bal.recharge_credits + bal.bonus_credits > 0) {
			g->closed = false;
			ing_logf(ing->log, "info", NULL, "credits are back (%lld); resuming",
			    (long long)(bal.recharge_credits + bal.bonus_credits));
		} else {
			g->until_ms =
			    now_ms + (res.cls == XAPI_RATE_LIMIT ? 1000 : ing->credits_recheck_ms);
			blocked = g->until_ms;
		}
		xapi_result_done(&res);
	}
	pthread_mutex_unlock(&g->mu);
	return blocked;
}

/* ---- outcomes ---- */

static const char *const status_names[] = {
    "ok", "skipped", "blocked", "retry", "stopped", "missing", "released", "db-error"};

const char *
ing_status_name(enum ing_status st)
{
	return status_names[st];
}

/* Records a database failure: the job keeps its lease until it expires. */
static void
db_failed(struct ingest *ing, const struct job *j, struct ing_outcome *o, char *cause)
{
	ing_logf(ing->log, "error", j->id, "%s", cause ? cause : "database error");
	free(cause);
	o->st = ING_DBERROR;
	o->next_ms = clock_now_ms() + JOB_LEASE_MS;
}

/* Records the outcome of a failed provider call per the policy table. */
static void
call_failed(struct ingest *ing, const struct job *j, const struct xapi_result *res,
    int64_t requests, int64_t credits, struct ing_outcome *o)
{
	const struct xapi_policy *p = xapi_policy_of(res->cls);
	int64_t now = clock_now_ms();
	char *cause = NULL;
	int rc;
	char *msg = xasprintf("%s: %s", p->name, res->message ? res->message : "error");
	o->cls = res->cls;
	if (p->action == XAPI_DO_SNOOZE) {
		int64_t delay;
		if (res->cls == XAPI_CREDITS) {
			gate_close(ing, now);
			delay = ing->credits_recheck_ms;
		} else {
			delay = xapi_delay_ms(res->cls, 1, res->retry_after_s, 0, xapi_rand());
		}
		rc = jobs_snooze(ing->jobs, j, msg, delay, requests, credits, now, &cause);
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
		rc = jobs_retry(ing->jobs, j, msg, delay, requests, credits, now, &cause);
		o->st = ING_RETRY;
		o->next_ms = now + delay;
		ing_logf(ing->log, "warn", j->id, "%s%s%s; retry in %lld ms", msg,
		    res->body_head ? "; body: " : "", res->body_head ? res->body_head : "",
		    (long long)delay);
	}
	if (rc != 0)
		db_failed(ing, j, o, cause);
	else
		free(cause);
	free(msg);
}

/* Snoozes a job while the credits gate is closed (no request made). */
static void
gate_blocked(struct ingest *ing, const struct job *j, int64_t until_ms, int64_t requests,
    int64_t credits, struct ing_outcome *o)
{
	int64_t now = clock_now_ms();
	char *cause = NULL;
	int64_t delay = until_ms > now ? until_ms - now : 1000;
	o->st = ING_BLOCKED;
	o->cls = XAPI_CREDITS;
	o->next_ms = now + delay;
	if (jobs_snooze(ing->jobs, j, "credits: out of credits; waiting for the balance", delay,
	        requests, credits, now, &cause) != 0)
		db_failed(ing, j, o, cause);
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

	int64_t now = clock_now_ms();
	int64_t blocked = gate_check(ing, x, now, &requests);
	if (blocked > 0) {
		for (size_t i = 0; i < n; i++)
			gate_blocked(ing, &j[i], blocked, i == 0 ? requests : 0, 0, &out[i]);
		goto out;
	}
	int rc = xapi_get_tweets(x, ids, n, &tw, &res);
	requests += res.requests;
	out[0].requests = requests;
	out[0].credits = res.credits;
	if (rc != 0) {
		for (size_t i = 0; i < n; i++)
			call_failed(ing, &j[i], &res, i == 0 ? requests : 0,
			    i == 0 ? res.credits : 0, &out[i]);
		goto out;
	}
	now = clock_now_ms();
	if (sti_baselines_get(ing->s, campaign_id, ids, n, b, &cause) != 0) {
		for (size_t i = 0; i < n; i++)
			db_failed(ing, &j[i], &out[i], i == 0 ? cause : NULL);
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
				db_failed(ing, &j[i], &out[i], cause), cause = NULL;
			continue;
		}
		r.requests = out[i].requests;
		r.credits = out[i].credits;
		out[i].st = ING_OK;
		out[i].next_ms = now + cadence_s * 1000;
		if (jobs_finish(ing->jobs, &j[i], &r, cadence_s, now, &cause) != 0)
			db_failed(ing, &j[i], &out[i], cause), cause = NULL;
	}
	for (size_t k = 0; k < nwritten; k++)
		for (size_t i = 0; i < n; i++)
			if (strcmp(written[k].sl.tweet_id, ids[i]) == 0)
				out[i].slices++;
	goto out;
dbfail:
	for (size_t i = 0; i < n; i++)
		db_failed(ing, &j[i], &out[i], i == 0 ? cause : NULL);
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

/* ---- list walks ---- */

static const enum lw_action kind_action[JOB__COUNT] = {
    ACT_RETWEET, ACT_RETWEET, ACT_REPLY, ACT_QUOTE};

/* Returns the id of item i of a raw page (user id or tweet id). */
static const char *
page_item_id(const struct xapi_page *p, size_t i)
{
	return p->users ? p->users[i].id : p->tweets[i].id;
}

/* Returns the number of items of a page. */
static size_t
page_items(const struct xapi_page *p)
{
	return p->users ? p->n_users : p->n_tweets;
}

/* Returns true when the page holds an id of the watermark. */
static bool
page_reaches(const struct xapi_page *p, char *const *wm, size_t nwm)
{
	for (size_t i = 0; i < page_items(p); i++)
		for (size_t k = 0; k < nwm; k++)
			if (strcmp(page_item_id(p, i), wm[k]) == 0)
				return true;
	return false;
}

/* Frees a string array. */
static void
strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

struct lw_engagement *
ingest_page_engagements(const struct classify_rules *rules, const char *campaign_id,
    const char *tweet_id, enum job_kind kind, enum tweet_category cat, const struct xapi_page *p,
    size_t *n)
{
	enum lw_action act = kind_action[kind];
	size_t items = page_items(p), count = 0;
	struct lw_engagement *v = xcalloc(items ? items : 1, sizeof *v);
	for (size_t i = 0; i < items; i++) {
		const struct lw_user *u = p->users ? &p->users[i] : &p->tweets[i].author;
		const struct lw_tweet *t = p->users ? NULL : &p->tweets[i];
		if (u->id[0] == '\0')
			continue;
		struct lw_engagement *e = NULL;
		for (size_t k = 0; k < count && e == NULL; k++)
			if (strcmp(v[k].user.id, u->id) == 0)
				e = &v[k];
		if (e == NULL) {
			struct classification cl;
			e = &v[count++];
			snprintf(e->campaign_id, sizeof e->campaign_id, "%s", campaign_id);
			snprintf(e->tweet_id, sizeof e->tweet_id, "%s", tweet_id);
			e->category = (int)cat;
			e->action = act;
			lw_user_copy(&e->user, u);
			classify_user(rules, u, act, cat, &cl);
			e->bucket = cl.bucket;
			e->importance = cl.importance;
			e->evidence = cl.evidence;
			cl.evidence = NULL;
			classification_done(&cl);
			if (t)
				e->text = xstrdup(t->text ? t->text : "");
		}
		if (t) {
			e->ref_ids = xreallocarray(e->ref_ids, e->nref + 1, sizeof *e->ref_ids);
			e->ref_ids[e->nref++] = xstrdup(t->id);
			if (t->created_at_ms > 0 &&
			    (e->created_at_ms == 0 || t->created_at_ms < e->created_at_ms))
				e->created_at_ms = t->created_at_ms;
		}
	}
	*n = count;
	return v;
}

/* Returns how many of the page's engagements come from items before the
 * first item of the watermark wm (the overlap with the last complete walk
 * starts there); all of them when wm is empty. */
static size_t
engagements_above(
    const struct xapi_page *p, const struct lw_engagement *v, size_t n, char *const *wm, size_t nwm)
{
	size_t items = page_items(p), hit = items;
	for (size_t i = 0; i < items && hit == items; i++)
		for (size_t k = 0; k < nwm; k++)
			if (strcmp(page_item_id(p, i), wm[k]) == 0) {
				hit = i;
				break;
			}
	/* engagements are made in the order of their first item */
	size_t above = 0;
	for (size_t i = 0; i < hit; i++) {
		const struct lw_user *u = p->users ? &p->users[i] : &p->tweets[i].author;
		bool seen = false;
		for (size_t k = 0; k < above && !seen; k++)
			seen = strcmp(v[k].user.id, u->id) == 0;
		if (!seen && above < n && strcmp(v[above].user.id, u->id) == 0)
			above++;
	}
	return above;
}

/* Stores a page's engagements through the writer (new ones inserted, known
 * ones above the watermark updated, one change-log entry, which is how a
 * console learns of them) with the job's checkpoint u (NULL: none). 0 or
 * -1. */
static int
store_page(struct ingest *ing, struct job *j, enum tweet_category cat, const struct xapi_page *p,
    const struct sti_job_update *u, size_t *inserted, char **cause)
{
	size_t n;
	struct lw_engagement *v =
	    ingest_page_engagements(ing->rules, j->campaign_id, j->tweet_id, j->kind, cat, p, &n);
	bool *is_new = xcalloc(n ? n : 1, sizeof *is_new);
	int64_t now = clock_now_ms();
	struct writer_page pg = {.campaign_id = j->campaign_id,
	    .eng = v,
	    .n = n,
	    .now_ms = now,
	    .above = j->backfill_done ? engagements_above(p, v, n, j->watermark, j->nwatermark) : n,
	    .is_new = is_new,
	    .job_id = j->id,
	    .checkpoint = u};
	int rc = writer_put_page(ing->writer, ing->s, &pg, cause);
	if (rc == 0 && u)
		j->lease_until_ms = u->lease_until_ms;
	size_t nnew = 0;
	for (size_t i = 0; rc == 0 && i < n; i++)
		nnew += is_new[i];
	*inserted += nnew;
	for (size_t i = 0; i < n; i++)
		lw_engagement_done(&v[i]);
	free(v);
	free(is_new);
	return rc;
}

/* Fetches one page of the job's list. */
static int
fetch_page(struct xapi *x, const struct job *j, const char *cursor, struct xapi_page *p,
    struct xapi_result *res)
{
	if (j->kind == JOB_RETWEETS)
		return xapi_retweeters(x, j->tweet_id, cursor, p, res);
	if (j->kind == JOB_REPLIES)
		return xapi_replies(x, j->tweet_id, cursor, 0, p, res);
	return xapi_quotes(x, j->tweet_id, cursor, 0, p, res);
}

/* Returns the tweet's count for the job's kind from its baseline, -1 when
 * unknown; sets *missing. 0 or -1. */
static int
walk_count(struct ingest *ing, const struct job *j, int64_t *count, bool *missing, char **cause)
{
	struct sti_baseline b;
	const char *id = j->tweet_id;
	if (sti_baselines_get(ing->s, j->campaign_id, &id, 1, &b, cause) != 0)
		return -1;
	*missing = b.missing;
	*count = -1;
	if (b.known)
		*count = j->kind == JOB_RETWEETS  ? b.m.retweets
		         : j->kind == JOB_REPLIES ? b.m.replies
		                                  : b.m.quotes;
	return 0;
}

void
ingest_walk(struct ingest *ing, struct xapi *x, struct job *j, enum tweet_category cat,
    int64_t cadence_s, struct ing_outcome *o)
{
	char *cause = NULL;
	int64_t count;
	bool missing;
	struct xapi_walk w;
	char **wm = NULL;
	size_t nwm = 0;
	bool reset_done = false, reached = false, from_top = false, caught_up = false;
	memset(o, 0, sizeof *o);

	if (walk_count(ing, j, &count, &missing, &cause) != 0) {
		db_failed(ing, j, o, cause);
		return;
	}
	int64_t now = clock_now_ms();
	if (missing) {
		o->st = ING_MISSING;
		o->next_ms = INT64_MAX;
		if (jobs_missing(ing->jobs, j, now, &cause) != 0)
			db_failed(ing, j, o, cause);
		return;
	}
	bool resume = j->cursor && *j->cursor;
	if (count >= 0 && ((j->backfill_done && count == j->walked_count) ||
	                      (!j->backfill_done && !resume && count == 0))) {
		struct job_result r = {.walked_count = count};
		o->st = ING_SKIPPED;
		o->next_ms = now + cadence_s * 1000;
		if (jobs_finish(ing->jobs, j, &r, cadence_s, now, &cause) != 0)
			db_failed(ing, j, o, cause);
		return;
	}
	bool backfill = !j->backfill_done;
	if (backfill && resume)
		ing_logf(ing->log, "info", j->id, "backfill resumed at its saved cursor");
	xapi_walk_init(&w, backfill ? j->cursor : "", 0);
	bool first_page = w.cursor[0] == '\0';
	for (;;) {
		struct xapi_page page = {0};
		struct xapi_result res = {0};
		if (ing->should_stop && ing->should_stop(ing->stop_arg, j->campaign_id)) {
			o->st = ING_RELEASED;
			o->next_ms = clock_now_ms();
			if (jobs_release(
			        ing->jobs, j, o->requests, o->credits, clock_now_ms(), &cause) != 0)
				db_failed(ing, j, o, cause);
			goto out;
		}
		int64_t blocked = gate_check(ing, x, clock_now_ms(), &o->requests);
		if (blocked > 0) {
			gate_blocked(ing, j, blocked, o->requests, o->credits, o);
			goto out;
		}
		int rc = fetch_page(x, j, w.cursor, &page, &res);
		o->requests += res.requests;
		o->credits += res.credits;
		if (rc != 0 && res.cls == XAPI_CURSOR && !reset_done) {
			/* an expired or rejected cursor: walk again from page one */
			ing_logf(ing->log, "warn", j->id, "cursor rejected (%s); starting over",
			    res.message ? res.message : "?");
			reset_done = true;
			xapi_result_done(&res);
			xapi_page_done(&page);
			xapi_walk_done(&w);
			xapi_walk_init(&w, "", 0);
			first_page = true;
			if (backfill && jobs_checkpoint(ing->jobs, j, "", NULL, 0, -1,
			                    clock_now_ms(), &cause) != 0) {
				db_failed(ing, j, o, cause);
				goto out;
			}
			continue;
		}
		if (rc != 0) {
			call_failed(ing, j, &res, o->requests, o->credits, o);
			xapi_result_done(&res);
			xapi_page_done(&page);
			goto out;
		}
		xapi_result_done(&res);
		o->pages++;
		if (first_page) {
			strv_free(wm, nwm);
			nwm = 0;
			wm = xcalloc(JOB_WATERMARK_N, sizeof *wm);
			for (size_t i = 0; i < page_items(&page) && nwm < JOB_WATERMARK_N; i++)
				wm[nwm++] = xstrdup(page_item_id(&page, i));
		}
		if (!backfill)
			reached = page_reaches(&page, j->watermark, j->nwatermark);
		bool more = xapi_walk_feed(&w, &page);
		/* the checkpoint goes with the page, in the same group write */
		struct sti_job_update ck, *u = NULL;
		now = clock_now_ms();
		if (backfill) {
			/* the watermark and the count it covers go with the first
			 * page: a resumed backfill keeps both (newer items are above
			 * the watermark, for the next delta walk) */
			jobs_checkpoint_prepare(j, more ? w.cursor : "", first_page ? wm : NULL,
			    first_page ? nwm : 0, first_page ? count : -1, now, &ck);
			u = &ck;
		} else if (j->lease_until_ms - now < JOB_LEASE_MS / 2) {
			jobs_checkpoint_prepare(j, NULL, NULL, 0, -1, now, &ck);
			u = &ck;
		}
		rc = store_page(ing, j, cat, &page, u, &o->new_engagements, &cause);
		xapi_page_done(&page);
		if (rc != 0) {
			db_failed(ing, j, o, cause);
			goto out;
		}
		now = clock_now_ms();
		if (first_page)
			from_top = true;
		first_page = false;
		if (backfill && !more && !from_top) {
			/* a resumed backfill reached the end: what came in since its
			 * first page is above the stored watermark; walk down to it
			 * now, as a delta walk, so one run leaves the job complete */
			if (jobs_backfilled(ing->jobs, j, now, &cause) != 0) {
				db_failed(ing, j, o, cause);
				goto out;
			}
			backfill = false;
			caught_up = true;
			xapi_walk_done(&w);
			xapi_walk_init(&w, "", 0);
			first_page = true;
			continue;
		}
		if (reached || !more)
			break;
	}
	struct job_result r = {.requests = o->requests,
	    .credits = o->credits,
	    .walk = true,
	    .watermark = wm,
	    .nwatermark = nwm,
	    .walked_count = from_top ? count : -1};
	now = clock_now_ms();
	o->st = ING_OK;
	o->next_ms = now + cadence_s * 1000;
	if (jobs_finish(ing->jobs, j, &r, cadence_s, now, &cause) != 0)
		db_failed(ing, j, o, cause);
	else if (o->pages > 0)
		ing_logf(ing->log, "info", j->id, "%s: %d pages, %zu new, stop: %s",
		    caught_up  ? "backfill resumed + delta"
		    : backfill ? "backfill"
		               : "delta",
		    o->pages, o->new_engagements, reached ? "watermark" : xapi_stop_name(w.stop));
out:
	xapi_walk_done(&w);
	strv_free(wm, nwm);
}
