/*
 * ingest_walk: the list walks of the ingest engine (include/engine/ingest.h):
 * building a page's engagements, storing each page with the walk's
 * checkpoint through the writer, resuming a walk in progress, going on
 * below what a walk stored when the provider refuses its cursor, and the
 * skip when a fresh count did not move. Worker threads only; each walk
 * belongs to the worker that claimed its job.
 */
#include "engine/ingest.h"

#include <stdlib.h>
#include <string.h>

#include "engine/writer.h"
#include "model/farm.h"
#include "ingest_internal.h"
#include "store/store_ingest.h"
#include "base/util.h"
#include "provider/xapi.h"

#define WALK_RESTARTS 4   /* refused cursors one run starts over from, then a failed attempt */
#define RETRY_MIN_MS  100 /* the shortest retry of a walk with a live cursor */

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
			if (t) {
				e->text = xstrdup(t->text ? t->text : "");
				snprintf(e->lang, sizeof e->lang, "%s", t->lang);
			}
			e->has_farm = true;
			e->farm_reasons = farm_static(
			    u, t && t->created_at_ms > 0 ? t->created_at_ms : clock_now_ms());
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

/* Fetches one page of the job's list: below untilTime until_s when > 0
 * (replies and quotes; retweeters have no time filter). */
static int
fetch_page(struct xapi *x, const struct job *j, const char *cursor, int64_t until_s,
    struct xapi_page *p, struct xapi_result *res)
{
	if (j->kind == JOB_RETWEETS)
		return xapi_retweeters(x, j->tweet_id, cursor, p, res);
	if (j->kind == JOB_REPLIES)
		return xapi_replies_range(x, j->tweet_id, cursor, 0, until_s, p, res);
	return xapi_quotes_range(x, j->tweet_id, cursor, 0, until_s, p, res);
}

/* Reads the tweet's count for the job's kind from its baseline (-1 when
 * unknown), when that reading was taken, and whether the tweet is gone.
 * 0 or -1. */
static int
walk_count(struct ingest *ing, const struct job *j, int64_t *count, int64_t *read_at_ms,
    bool *missing, char **cause)
{
	struct sti_baseline b;
	const char *id = j->tweet_id;
	if (sti_baselines_get(ing->s, j->campaign_id, &id, 1, &b, cause) != 0)
		return -1;
	*missing = b.missing;
	*count = -1;
	*read_at_ms = b.metrics_at_ms;
	if (b.known)
		*count = j->kind == JOB_RETWEETS  ? b.m.retweets
		         : j->kind == JOB_REPLIES ? b.m.replies
		                                  : b.m.quotes;
	return 0;
}

/* Returns a copy of v[0..n). */
static char **
strv_copy(char *const *v, size_t n)
{
	char **c = xcalloc(n ? n : 1, sizeof *c);
	for (size_t i = 0; i < n; i++)
		c[i] = xstrdup(v[i]);
	return c;
}

/* One walk of a job's list in progress. */
struct walk {
	struct ingest *ing;
	struct xapi *x;
	struct job *j;
	enum tweet_category cat;
	struct ing_outcome *o;
	int64_t run_count; /* the count this run read before its first request */
	char **top;        /* ids of the walk's first page: its watermark when done */
	size_t ntop;
	int64_t count;    /* the count the walk covers */
	int64_t floor_ms; /* the oldest created_at it stored (replies, quotes) */
	int64_t until_s;  /* its query's untilTime; 0 none */
	bool backfill;    /* down to the end (else down to the job's watermark) */
	bool reached;     /* it stopped at the watermark */
	enum xapi_stop stop;
};

/* Forgets the walk's position (its top, floor and time filter). */
static void
walk_forget(struct walk *wk)
{
	strv_free(wk->top, wk->ntop);
	wk->top = NULL;
	wk->ntop = 0;
	wk->floor_ms = 0;
	wk->until_s = 0;
}

/* Returns how long a retry of the walk may wait so its cursor, received at
 * cursor_at_ms, is still alive: half the learned lifetime less its age (at
 * least RETRY_MIN_MS); 0 when no lifetime is known or there is no cursor. */
static int64_t
retry_window(const struct walk *wk, const char *cursor, int64_t cursor_at_ms)
{
	int64_t life = ingest_cursor_life(wk->ing);
	if (wk->j->cursor_life_ms > 0 && (life == 0 || wk->j->cursor_life_ms < life))
		life = wk->j->cursor_life_ms;
	if (life <= 0 || cursor == NULL || *cursor == '\0' || cursor_at_ms <= 0)
		return 0;
	int64_t left = life / 2 - (clock_now_ms() - cursor_at_ms);
	return left > RETRY_MIN_MS ? left : RETRY_MIN_MS;
}

/* Returns true when a cursor received at cursor_at_ms is at least as old as
 * one the provider refused before (so asking with it would be wasted). */
static bool
cursor_stale(const struct walk *wk, const char *cursor, int64_t cursor_at_ms)
{
	int64_t life = ingest_cursor_life(wk->ing);
	if (wk->j->cursor_life_ms > 0 && (life == 0 || wk->j->cursor_life_ms < life))
		life = wk->j->cursor_life_ms;
	return life > 0 && cursor && *cursor && cursor_at_ms > 0 &&
	       clock_now_ms() - cursor_at_ms >= life;
}

/* Records that the provider refused the walk's cursor (or that it was too
 * old to try) at age_ms, and starts the walk over: below the oldest item it
 * stored (untilTime; replies and quotes), else from page one with a new top.
 * The new position is saved. 0, or -1 with the outcome recorded. */
static int
walk_restart(struct walk *wk, struct xapi_walk *w, int64_t age_ms, const char *why, bool *first)
{
	struct job *j = wk->j;
	char *cause = NULL;
	if (age_ms > 0) {
		ingest_cursor_refused(wk->ing, age_ms);
		if (j->cursor_life_ms == 0 || age_ms < j->cursor_life_ms)
			j->cursor_life_ms = age_ms;
	}
	wk->o->restarts++;
	bool below = j->kind != JOB_RETWEETS && wk->floor_ms > 0;
	if (below)
		wk->until_s = wk->floor_ms / 1000 + 1; /* untilTime is exclusive */
	ing_logf(wk->ing->log, "warn", j->id, "cursor %s after %lld ms (%s); %s", why,
	    (long long)age_ms, wk->o->restarts > 1 ? "again" : "first time",
	    below ? "going on below what this walk stored" : "starting over from page one");
	xapi_walk_done(w);
	xapi_walk_init(w, "", 0);
	if (!below) {
		/* everything from the new page one down is walked again: its
		 * first page is the walk's new top */
		walk_forget(wk);
		*first = true;
		return 0;
	}
	struct job_walkpos p = {.cursor = "",
	    .top = wk->top,
	    .ntop = wk->ntop,
	    .count = wk->count,
	    .floor_ms = wk->floor_ms,
	    .until_s = wk->until_s};
	if (jobs_walk_save(wk->ing->jobs, j, &p, clock_now_ms(), &cause) != 0) {
		ing_db_failed(wk->ing, j, wk->o, cause);
		return -1;
	}
	return 0;
}

/* Lowers the walk's floor to the oldest created_at on page p (tweets only). */
static void
walk_floor(struct walk *wk, const struct xapi_page *p)
{
	for (size_t i = 0; p->tweets && i < p->n_tweets; i++) {
		int64_t t = p->tweets[i].created_at_ms;
		if (t > 0 && (wk->floor_ms == 0 || t < wk->floor_ms))
			wk->floor_ms = t;
	}
}

/* Walks pages from cursor (received at cursor_at_ms; "" for page one of the
 * walk's query) down to the job's watermark, or the end for a backfill;
 * first: the first page gives the walk its top. Each page is stored with
 * the walk's checkpoint; the last one's completes the walk (its top becomes
 * the watermark). Returns 0 when the walk completed, -1 when it ended
 * otherwise (outcome recorded). */
static int
walk_pages(struct walk *wk, const char *cursor, int64_t cursor_at_ms, bool first)
{
	struct ingest *ing = wk->ing;
	struct job *j = wk->j;
	struct ing_outcome *o = wk->o;
	struct xapi_walk w;
	char *cause = NULL;
	int rc = -1;
	xapi_walk_init(&w, cursor, 0);
	for (;;) {
		struct xapi_page page = {0};
		struct xapi_result res = {0};
		if (ing->should_stop && ing->should_stop(ing->stop_arg, j->campaign_id)) {
			/* the last page's checkpoint is stored: it resumes there */
			o->st = ING_RELEASED;
			o->next_ms = clock_now_ms();
			if (jobs_release(
			        ing->jobs, j, o->requests, o->credits, clock_now_ms(), &cause) != 0)
				ing_db_failed(ing, j, o, cause);
			break;
		}
		int64_t blocked = ing_gate_check(ing, wk->x, &o->requests);
		if (blocked > 0) {
			ing_gate_blocked(ing, j, blocked, o->requests, o->credits, o);
			break;
		}
		if (o->restarts < WALK_RESTARTS && cursor_stale(wk, w.cursor, cursor_at_ms)) {
			if (walk_restart(wk, &w, clock_now_ms() - cursor_at_ms, "too old to try",
			        &first) != 0)
				break;
			cursor_at_ms = 0;
			continue;
		}
		int64_t asked = clock_now_ms();
		int frc = fetch_page(wk->x, j, w.cursor, wk->until_s, &page, &res);
		o->requests += res.requests;
		o->credits += res.credits;
		if (frc != 0 && res.cls == XAPI_CURSOR && w.cursor[0] != '\0' &&
		    o->restarts < WALK_RESTARTS) {
			xapi_result_done(&res);
			xapi_page_done(&page);
			if (walk_restart(wk, &w, cursor_at_ms > 0 ? asked - cursor_at_ms : 0,
			        "refused", &first) != 0)
				break;
			cursor_at_ms = 0;
			continue;
		}
		if (frc != 0) {
			/* a failure after progress is the first of a new series */
			if (o->pages > 0)
				j->attempts = 0;
			ing_call_failed(ing, j, &res, o->requests, o->credits,
			    retry_window(wk, w.cursor, cursor_at_ms), o);
			xapi_result_done(&res);
			xapi_page_done(&page);
			break;
		}
		xapi_result_done(&res);
		o->pages++;
		int64_t now = clock_now_ms();
		if (first) {
			walk_forget(wk);
			wk->top = xcalloc(JOB_WATERMARK_N, sizeof *wk->top);
			for (size_t i = 0; i < page_items(&page) && wk->ntop < JOB_WATERMARK_N; i++)
				wk->top[wk->ntop++] = xstrdup(page_item_id(&page, i));
			wk->count = wk->run_count;
		}
		walk_floor(wk, &page);
		wk->reached = !wk->backfill && page_reaches(&page, j->watermark, j->nwatermark);
		bool more = xapi_walk_feed(&w, &page);
		bool complete = wk->reached || !more;
		/* the checkpoint goes with the page, in the same group write */
		struct job_walkpos p = {.cursor = complete ? "" : w.cursor,
		    .cursor_at_ms = now,
		    .top = wk->top,
		    .ntop = wk->ntop,
		    .count = wk->count,
		    .floor_ms = wk->floor_ms,
		    .until_s = wk->until_s,
		    .complete = complete};
		struct sti_job_update ck;
		jobs_walk_prepare(j, &p, now, &ck);
		int src = store_page(ing, j, wk->cat, &page, &ck, &o->new_engagements, &cause);
		xapi_page_done(&page);
		if (src != 0) {
			ing_db_failed(ing, j, o, cause);
			break;
		}
		jobs_walk_applied(j, &p, now);
		cursor_at_ms = now;
		first = false;
		if (complete) {
			wk->stop = w.stop;
			rc = 0;
			break;
		}
	}
	xapi_walk_done(&w);
	return rc;
}

/* Takes over the walk a job has in progress, if any: its top, count, floor
 * and time filter (a backfill of the previous release kept its top as the
 * watermark). Returns true when there is one. */
static bool
walk_adopt(struct walk *wk)
{
	struct job *j = wk->j;
	if (j->nwalk_top > 0) {
		wk->top = strv_copy(j->walk_top, j->nwalk_top);
		wk->ntop = j->nwalk_top;
		wk->count = j->walk_count;
		wk->floor_ms = j->walk_floor_ms;
		wk->until_s = j->walk_until_s;
		return true;
	}
	if (!j->backfill_done && j->cursor && *j->cursor && j->nwatermark > 0) {
		wk->top = strv_copy(j->watermark, j->nwatermark);
		wk->ntop = j->nwatermark;
		wk->count = j->walked_count;
		return true;
	}
	return false;
}

void
ingest_walk(struct ingest *ing, struct xapi *x, struct job *j, enum tweet_category cat,
    int64_t cadence_s, int64_t fresh_after_ms, struct ing_outcome *o)
{
	char *cause = NULL;
	int64_t count, read_at;
	bool missing;
	memset(o, 0, sizeof *o);

	if (walk_count(ing, j, &count, &read_at, &missing, &cause) != 0) {
		ing_db_failed(ing, j, o, cause);
		return;
	}
	int64_t now = clock_now_ms();
	if (missing) {
		o->st = ING_MISSING;
		o->next_ms = INT64_MAX;
		if (jobs_missing(ing->jobs, j, now, &cause) != 0)
			ing_db_failed(ing, j, o, cause);
		return;
	}
	/* only a count read in this cycle may say that nothing moved */
	bool fresh = count >= 0 && read_at >= fresh_after_ms;
	o->stale_count = !fresh;
	struct walk wk = {.ing = ing, .x = x, .j = j, .cat = cat, .o = o, .run_count = count};
	bool resume = walk_adopt(&wk);
	if (!resume && fresh &&
	    ((j->backfill_done && count == j->walked_count) || (!j->backfill_done && count == 0))) {
		struct job_result r = {.walked_count = count};
		o->st = ING_SKIPPED;
		o->next_ms = jobs_next_run(j, cadence_s, now);
		if (jobs_finish(ing->jobs, j, &r, cadence_s, now, &cause) != 0)
			ing_db_failed(ing, j, o, cause);
		return;
	}
	const char *how = j->backfill_done ? "delta" : "backfill";
	if (resume) {
		wk.backfill = !j->backfill_done;
		ing_logf(ing->log, "info", j->id, "%s resumed at its saved %s",
		    wk.backfill ? "backfill" : "delta walk",
		    j->cursor && *j->cursor ? "cursor" : "position");
		if (walk_pages(&wk, j->cursor ? j->cursor : "", j->cursor_at_ms, false) != 0)
			goto out;
		how = wk.backfill ? "backfill resumed" : "delta resumed";
	}
	/* a new walk from page one, or after a resumed one whose count is not
	 * the one read now: what came in since it began */
	if (!resume || !(fresh && count == wk.count)) {
		walk_forget(&wk);
		wk.backfill = !j->backfill_done;
		if (walk_pages(&wk, "", 0, true) != 0)
			goto out;
		if (resume)
			how = strcmp(how, "backfill resumed") == 0 ? "backfill resumed + delta"
			                                           : "delta resumed + delta";
	}
	struct job_result r = {.requests = o->requests, .credits = o->credits, .walked_count = -1};
	now = clock_now_ms();
	o->st = ING_OK;
	o->next_ms = jobs_next_run(j, cadence_s, now);
	if (jobs_finish(ing->jobs, j, &r, cadence_s, now, &cause) != 0)
		ing_db_failed(ing, j, o, cause);
	else if (o->pages > 0)
		ing_logf(ing->log, "info", j->id, "%s: %d pages, %zu new, %d restarts, stop: %s",
		    how, o->pages, o->new_engagements, o->restarts,
		    wk.reached ? "watermark" : xapi_stop_name(wk.stop));
out:
	strv_free(wk.top, wk.ntop);
}
