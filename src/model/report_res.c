/*
 * report_res: the report's metric deltas per minute (kept only when its
 * data span short enough to be drawn by the minute) and the points its
 * over-time charts draw, at the resolution the console's rule picks for
 * the report's window: the finest of 1, 5, 15 minutes, hour and day whose
 * steps fit the chart (include/model/report.h). Pure; any thread.
 */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "model/report.h"

/* The summary's metric (struct lw_metrics order) of each report metric
 * (report.c has the same table for the hourly points). */
static const int minute_metric[RM__COUNT] = {4, 0, 1, 2, 3, 5};

/* The longest span whose minutes a report keeps: beyond it no chart steps
 * finer than an hour fit REPORT_CHART_STEPS. */
#define MINUTES_SPAN_MS (REPORT_CHART_STEPS * 15 * MINUTE_MS)

/* Fills the running totals of n points (metrics and engagements). */
static void
running(struct rep_point *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (int m = 0; m < RM__COUNT; m++)
			p[i].cum[m] = (i ? p[i - 1].cum[m] : 0) + p[i].delta[m];
		p[i].cum_engagements = (i ? p[i - 1].cum_engagements : 0) + p[i].engagements;
	}
}

struct rep_point *
report_minute_points(const struct prep_summary *s, size_t *np)
{
	const struct minutes *m = &s->mins[CAT__COUNT];
	*np = 0;
	if (m->n == 0 || (m->r[m->n - 1].min - m->r[0].min) * MINUTE_MS > MINUTES_SPAN_MS)
		return NULL;
	struct rep_point *p = xcalloc(m->n, sizeof *p);
	for (size_t i = 0; i < m->n; i++) {
		p[i].t_ms = m->r[i].min * MINUTE_MS;
		for (int k = 0; k < RM__COUNT; k++)
			p[i].delta[k] = m->r[i].d[minute_metric[k]];
	}
	running(p, m->n);
	*np = m->n;
	return p;
}

/* Returns a copy of n points (never NULL). */
static struct rep_point *
copy_points(const struct rep_point *p, size_t n, size_t *np)
{
	struct rep_point *c = xcalloc(n + 1, sizeof *c);
	if (n)
		memcpy(c, p, n * sizeof *c);
	*np = n;
	return c;
}

struct rep_point *
report_chart_points(const struct report *r, size_t width, enum res *res, size_t *np)
{
	const struct rep_point *src = r->nminutes ? r->minutes : r->hourly;
	size_t ns = r->nminutes ? r->nminutes : r->nhourly;
	*res = RES_HOUR;
	if (ns == 0)
		return copy_points(NULL, 0, np);
	int64_t from = src[0].t_ms, to = r->generated_at_ms;
	if (r->window_end_ms > 0 && r->window_end_ms < to)
		to = r->window_end_ms; /* over: its window, not the days since */
	if (src[ns - 1].t_ms > to)
		to = src[ns - 1].t_ms;
	*res = res_pick(RES_AUTO, from, to, width);
	if (*res < RES_HOUR && r->nminutes == 0)
		*res = RES_HOUR; /* no minutes kept (a report frozen before them) */
	if (*res == RES_HOUR)
		return copy_points(r->hourly, r->nhourly, np);
	if (*res == RES_DAY)
		return copy_points(r->daily, r->ndaily, np);
	/* every step from the first to the last, so a quiet step shows flat */
	int64_t unit = res_unit_ms(*res), first = from / unit, last = to / unit;
	size_t n = (size_t)(last - first + 1);
	struct rep_point *p = xcalloc(n, sizeof *p);
	for (size_t i = 0; i < n; i++)
		p[i].t_ms = (first + (int64_t)i) * unit;
	for (size_t i = 0; i < r->nminutes; i++) {
		struct rep_point *b = &p[r->minutes[i].t_ms / unit - first];
		for (int k = 0; k < RM__COUNT; k++)
			b->delta[k] += r->minutes[i].delta[k];
	}
	running(p, n);
	*np = n;
	return p;
}
