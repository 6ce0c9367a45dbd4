/*
 * rep_raw: the old raw-row report (tests/support/rep_raw.h): the grouping code
 * report_build ran before issue 13, kept as the reference the prepared path
 * must equal. Test threads only.
 */
#include "rep_raw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "base/util.h"
#include "model/prep.h"
#include "output/report_write.h"
#include "store/store_events.h"
#include "store/store_report.h"

#define HOUR_MS 3600000LL
#define DAY_MS  86400000LL

void
raw_input_done(struct raw_input *x)
{
	rep_input_done(&x->in);
	for (size_t i = 0; i < x->neng; i++) {
		free(x->eng[i].handle);
		free(x->eng[i].name);
		free(x->eng[i].evidence);
	}
	free(x->eng);
	free(x->slices);
	memset(x, 0, sizeof *x);
}

void
raw_add_eng(struct raw_input *x, const struct raw_eng *e)
{
	x->eng = xreallocarray(x->eng, x->neng + 1, sizeof *x->eng);
	struct raw_eng *r = &x->eng[x->neng++];
	*r = *e;
	r->handle = xstrdup(e->handle ? e->handle : "");
	r->name = xstrdup(e->name ? e->name : "");
	r->evidence = xstrdup(e->evidence ? e->evidence : "");
}

/* Keeps one stored engagement as a row. */
static int
load_eng(const struct lw_engagement *e, void *arg)
{
	struct raw_eng r = {0};
	snprintf(r.tweet_id, sizeof r.tweet_id, "%s", e->tweet_id);
	snprintf(r.user_id, sizeof r.user_id, "%s", e->user.id);
	r.action = e->action;
	r.handle = e->user.handle;
	r.name = e->user.name;
	r.evidence = e->evidence;
	r.followers = e->user.followers;
	r.verified = e->user.verified;
	r.bucket = e->bucket;
	r.importance = e->importance;
	r.created_at_ms = e->created_at_ms;
	r.first_seen_at_ms = e->first_seen_at_ms;
	raw_add_eng(arg, &r);
	return 0;
}

/* Keeps one stored slice as a row. */
static int
load_slice(const struct lw_slice *sl, void *arg)
{
	struct raw_input *x = arg;
	x->slices = xreallocarray(x->slices, x->nslices + 1, sizeof *x->slices);
	struct raw_slice *r = &x->slices[x->nslices++];
	memset(r, 0, sizeof *r);
	snprintf(r->tweet_id, sizeof r->tweet_id, "%s", sl->tweet_id);
	r->seq = sl->seq;
	r->at_ms = sl->at_ms;
	const struct lw_metrics *d = &sl->deltas;
	const int64_t v[RM__COUNT] = {
	    d->views, d->likes, d->retweets, d->replies, d->quotes, d->bookmarks};
	for (int m = 0; m < RM__COUNT; m++) {
		r->deltas.v[m] = v[m];
		r->deltas.has[m] = true;
	}
	return 0;
}

int
raw_input_load(struct store *s, const char *key, struct raw_input *x, char **cause)
{
	struct campaign c;
	memset(x, 0, sizeof *x);
	int rc = store_report_load(s, key, &c, &x->in, cause);
	if (rc != 0)
		return rc;
	campaign_done(&c);
	if (ste_scan_engagements(s, x->in.campaign_id, 0, load_eng, x, cause) != 0 ||
	    ste_scan_slices(s, x->in.campaign_id, load_slice, x, cause) != 0) {
		raw_input_done(x);
		return -1;
	}
	return 0;
}

/* Returns the category of listed tweet tweet_id (main when unlisted). */
static int
category_of(const struct rep_input *in, const char *tweet_id)
{
	for (size_t i = 0; i < in->ntweets; i++)
		if (strcmp(in->tweets[i].tweet_id, tweet_id) == 0)
			return (int)in->tweets[i].category;
	return CAT_MAIN;
}

/* Returns the row of x that is engagement (tweet, user, action), or NULL. */
static const struct raw_eng *
find_row(const struct raw_input *x, const char *tweet_id, const char *user_id, int action)
{
	for (size_t i = 0; i < x->neng; i++)
		if ((int)x->eng[i].action == action && strcmp(x->eng[i].tweet_id, tweet_id) == 0 &&
		    strcmp(x->eng[i].user_id, user_id) == 0)
			return &x->eng[i];
	return NULL;
}

static long tweet_index(const struct rep_input *in, const char *tweet_id);

void
raw_summary(
    const struct raw_input *x, int64_t cutoff_ms, bool listed_only, struct prep_summary *out)
{
	struct prep *p = prep_new(x->in.campaign_id);
	for (size_t i = 0; i < x->neng; i++) {
		const struct raw_eng *r = &x->eng[i];
		if (r->first_seen_at_ms > cutoff_ms ||
		    (listed_only && tweet_index(&x->in, r->tweet_id) < 0))
			continue;
		struct lw_engagement e;
		memset(&e, 0, sizeof e);
		snprintf(e.campaign_id, sizeof e.campaign_id, "%s", x->in.campaign_id);
		snprintf(e.tweet_id, sizeof e.tweet_id, "%s", r->tweet_id);
		snprintf(e.user.id, sizeof e.user.id, "%s", r->user_id);
		e.category = category_of(&x->in, r->tweet_id);
		e.action = r->action;
		e.bucket = r->bucket;
		e.importance = r->importance;
		e.user.handle = r->handle;
		e.user.name = r->name;
		e.user.followers = r->followers;
		e.user.verified = r->verified;
		e.created_at_ms = r->created_at_ms;
		e.first_seen_at_ms = r->first_seen_at_ms;
		struct prep_eng rec;
		prep_eng_from(&rec, &e);
		prep_apply_eng(p, &rec, (uint64_t)i + 1);
		prep_set_seq(p, (uint64_t)i + 1);
		prep_eng_done(&rec);
	}
	for (size_t i = 0; i < x->nslices; i++) {
		const struct raw_slice *r = &x->slices[i];
		if (r->at_ms > cutoff_ms || (listed_only && tweet_index(&x->in, r->tweet_id) < 0))
			continue;
		struct lw_slice sl;
		memset(&sl, 0, sizeof sl);
		snprintf(sl.tweet_id, sizeof sl.tweet_id, "%s", r->tweet_id);
		sl.category = category_of(&x->in, r->tweet_id);
		sl.seq = r->seq;
		sl.at_ms = r->at_ms;
		const struct rep_values *d = &r->deltas;
		sl.deltas.views = d->has[RM_VIEWS] ? d->v[RM_VIEWS] : 0;
		sl.deltas.likes = d->has[RM_LIKES] ? d->v[RM_LIKES] : 0;
		sl.deltas.retweets = d->has[RM_RETWEETS] ? d->v[RM_RETWEETS] : 0;
		sl.deltas.replies = d->has[RM_REPLIES] ? d->v[RM_REPLIES] : 0;
		sl.deltas.quotes = d->has[RM_QUOTES] ? d->v[RM_QUOTES] : 0;
		sl.deltas.bookmarks = d->has[RM_BOOKMARKS] ? d->v[RM_BOOKMARKS] : 0;
		struct prep_slice rec;
		prep_slice_from(&rec, &sl);
		prep_apply_slice(p, &rec);
	}
	/* the details of top engagers, from their best rows */
	prep_summary_build(p, 0, out);
	prep_summary_done(out);
	const char **users, **tweets;
	const uint8_t *actions;
	size_t n = prep_details_missing(p, &users, &tweets, &actions);
	char **u = xcalloc(n + 1, sizeof *u), **t = xcalloc(n + 1, sizeof *t);
	int *a = xcalloc(n + 1, sizeof *a);
	for (size_t i = 0; i < n; i++) {
		u[i] = xstrdup(users[i]);
		t[i] = xstrdup(tweets[i]);
		a[i] = actions[i];
	}
	for (size_t i = 0; i < n; i++) {
		const struct raw_eng *r = find_row(x, t[i], u[i], a[i]);
		prep_set_details(p, u[i], r ? r->name : "", r ? r->evidence : "");
		free(u[i]);
		free(t[i]);
	}
	free(u);
	free(t);
	free(a);
	prep_summary_build(p, 0, out);
	prep_free(p);
}

/* Returns a sanitized copy of s of at most max bytes. */
static char *
clean(const char *s, size_t max)
{
	return text_sanitize(s ? s : "", s ? strlen(s) : 0, max);
}

/* Returns the index of tweet_id among the listed tweets, or -1. */
static long
tweet_index(const struct rep_input *in, const char *tweet_id)
{
	for (size_t i = 0; i < in->ntweets; i++)
		if (strcmp(in->tweets[i].tweet_id, tweet_id) == 0)
			return (long)i;
	return -1;
}

/* Orders engagements by user id, then importance (highest first), tweet id
 * and action, so each account's first entry is its most important one. */
static int
cmp_eng_user(const void *a, const void *b)
{
	const struct raw_eng *x = *(const struct raw_eng *const *)a;
	const struct raw_eng *y = *(const struct raw_eng *const *)b;
	int c = strcmp(x->user_id, y->user_id);
	if (c)
		return c;
	if (x->importance != y->importance)
		return x->importance > y->importance ? -1 : 1;
	if ((c = strcmp(x->tweet_id, y->tweet_id)) != 0)
		return c;
	return (int)x->action - (int)y->action;
}

/* Orders engagers by importance, followers (highest first), handle, id. */
static int
cmp_engager(const void *a, const void *b)
{
	const struct rep_engager *x = a, *y = b;
	if (x->importance != y->importance)
		return x->importance > y->importance ? -1 : 1;
	if (x->followers != y->followers)
		return x->followers > y->followers ? -1 : 1;
	int c = strcmp(x->handle, y->handle);
	return c ? c : strcmp(x->user_id, y->user_id);
}

/* Groups the counted engagements by account: the bucket counts, the unique
 * total and the top list. */
static void
build_engagers(struct report *r, const struct raw_eng **ev, size_t n, size_t top)
{
	struct rep_engager *all = xcalloc(n + 1, sizeof *all);
	size_t nall = 0;
	qsort(ev, n, sizeof *ev, cmp_eng_user);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && strcmp(ev[j]->user_id, ev[i]->user_id) == 0)
			j++;
		const struct raw_eng *best = ev[i];
		struct rep_engager g = {0};
		snprintf(g.user_id, sizeof g.user_id, "%s", best->user_id);
		g.followers = best->followers;
		g.verified = best->verified;
		g.bucket = best->bucket;
		g.importance = best->importance;
		for (size_t k = i; k < j; k++) {
			g.actions[ev[k]->action]++;
			bool seen = false;
			for (size_t q = i; q < k && !seen; q++)
				seen = strcmp(ev[q]->tweet_id, ev[k]->tweet_id) == 0;
			if (!seen)
				g.ntweets++;
		}
		r->bucket_accounts[g.bucket]++;
		r->unique_accounts++;
		g.handle = clean(best->handle, 64);
		g.name = clean(best->name, 120);
		g.evidence = clean(best->evidence, 240);
		all[nall++] = g;
		i = j;
	}
	qsort(all, nall, sizeof *all, cmp_engager);
	r->ntop = nall < top ? nall : top;
	for (size_t i = r->ntop; i < nall; i++) {
		free(all[i].handle);
		free(all[i].name);
		free(all[i].evidence);
	}
	r->top = all;
}

/* Returns the start of the period of length len that holds t. */
static int64_t
period_start(int64_t t, int64_t len)
{
	int64_t q = t / len;
	if (t % len < 0)
		q--;
	return q * len;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* Returns the point whose start is t (it exists). */
static struct rep_point *
find_point(struct rep_point *p, size_t n, int64_t t)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (p[mid].t_ms < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return &p[lo];
}

/* Returns when an engagement happened: created_at, else first seen. */
static int64_t
eng_time(const struct raw_eng *e)
{
	return e->created_at_ms > 0 ? e->created_at_ms : e->first_seen_at_ms;
}

/* Builds the sparse series of periods of length len that hold a slice or an
 * engagement, with deltas, new engagements and running totals. */
static struct rep_point *
build_series(const struct raw_slice **sv, size_t ns, const struct raw_eng **ev, size_t ne,
    int64_t len, size_t *np)
{
	int64_t *keys = xcalloc(ns + ne + 1, sizeof *keys);
	size_t nk = 0, n = 0;
	for (size_t i = 0; i < ns; i++)
		keys[nk++] = period_start(sv[i]->at_ms, len);
	for (size_t i = 0; i < ne; i++)
		keys[nk++] = period_start(eng_time(ev[i]), len);
	qsort(keys, nk, sizeof *keys, cmp_i64);
	struct rep_point *p = xcalloc(nk + 1, sizeof *p);
	for (size_t i = 0; i < nk; i++)
		if (n == 0 || p[n - 1].t_ms != keys[i])
			p[n++].t_ms = keys[i];
	free(keys);
	for (size_t i = 0; i < ns; i++) {
		struct rep_point *pt = find_point(p, n, period_start(sv[i]->at_ms, len));
		for (int m = 0; m < RM__COUNT; m++)
			if (sv[i]->deltas.has[m])
				pt->delta[m] += sv[i]->deltas.v[m];
	}
	for (size_t i = 0; i < ne; i++)
		find_point(p, n, period_start(eng_time(ev[i]), len))->engagements++;
	for (size_t i = 0; i < n; i++) {
		for (int m = 0; m < RM__COUNT; m++)
			p[i].cum[m] = (i ? p[i - 1].cum[m] : 0) + p[i].delta[m];
		p[i].cum_engagements = (i ? p[i - 1].cum_engagements : 0) + p[i].engagements;
	}
	*np = n;
	return p;
}

void
raw_report_build(
    const struct raw_input *x, int64_t cutoff_ms, int64_t now_ms, size_t top, struct report *r)
{
	/* the parts that do not come from events (tweets, sums, CPM) are the
	 * production code's; everything events give is recomputed below */
	struct prep_summary none;
	memset(&none, 0, sizeof none);
	report_build(&x->in, &none, now_ms, top, r);
	free(r->top);
	free(r->hourly);
	free(r->daily);
	r->top = NULL;
	r->ntop = 0;
	const struct rep_input *in = &x->in;
	const struct raw_eng **ev = xcalloc(x->neng + 1, sizeof *ev);
	const struct raw_slice **sv = xcalloc(x->nslices + 1, sizeof *sv);
	size_t ne = 0, ns = 0;
	for (size_t i = 0; i < x->neng; i++) {
		const struct raw_eng *e = &x->eng[i];
		long ti = tweet_index(in, e->tweet_id);
		if (ti < 0 || e->first_seen_at_ms > cutoff_ms ||
		    (unsigned)e->action >= ACT__COUNT || (unsigned)e->bucket >= BK__COUNT)
			continue;
		ev[ne++] = e;
		r->tweets[ti].engagements[e->action]++;
		r->engagements++;
		r->engagements_by_action[e->action]++;
		r->bucket_engagements[e->bucket]++;
	}
	for (size_t i = 0; i < x->nslices; i++)
		if (x->slices[i].at_ms <= cutoff_ms && tweet_index(in, x->slices[i].tweet_id) >= 0)
			sv[ns++] = &x->slices[i];
	r->hourly = build_series(sv, ns, ev, ne, HOUR_MS, &r->nhourly);
	r->daily = build_series(sv, ns, ev, ne, DAY_MS, &r->ndaily);
	/* per minute: the minutes where a slice changed something, kept when
	 * they span at most REPORT_CHART_STEPS quarter hours */
	free(r->minutes);
	size_t nz = 0;
	for (size_t i = 0; i < ns; i++) {
		bool any = false;
		for (int m = 0; m < RM__COUNT; m++)
			any |= sv[i]->deltas.has[m] && sv[i]->deltas.v[m] != 0;
		if (any)
			sv[nz++] = sv[i];
	}
	r->minutes = build_series(sv, nz, NULL, 0, 60000LL, &r->nminutes);
	if (r->nminutes == 0 || r->minutes[r->nminutes - 1].t_ms - r->minutes[0].t_ms >
	                            REPORT_CHART_STEPS * 15 * 60000LL) {
		free(r->minutes);
		r->minutes = NULL;
		r->nminutes = 0;
	}
	build_engagers(r, ev, ne, top);
	free(ev);
	free(sv);
}

char *
raw_render_all(const struct report *r)
{
	struct sbuf b;
	sbuf_init(&b);
	char *v[3] = {report_render_md(r), report_render_json(r), report_render_html(r)};
	for (int i = 0; i < 3; i++) {
		sbuf_printf(&b, "%s\n", v[i]);
		free(v[i]);
	}
	for (int t = 0; t < RC__COUNT; t++) {
		char *csv = report_render_csv(r, (enum report_csv_table)t);
		sbuf_printf(&b, "%s\n", csv);
		free(csv);
	}
	return sbuf_take(&b);
}
