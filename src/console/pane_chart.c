/*
 * pane_chart: the cumulative chart of one metric or the four engagement
 * counts together, per 1, 5 or 15 minutes, hour or day (chosen by key, or
 * automatically: the finest whose steps from the first data to now, or to
 * the campaign's end, fit the chart's width), for all tweets, one category
 * or one tweet, in braille (block or ASCII as fallbacks) with labelled
 * axes. The summary holds the per-minute deltas of all tweets and of each
 * category; a tweet's own is read on demand ("loading..." until it
 * arrives). Curses-free; UI thread.
 */
#include <stdio.h>
#include <stdlib.h>

#include "base/fmt.h"
#include "console/pane.h"

/* Returns the per-minute deltas of the scope u shows: the summary's for
 * all tweets or a category, a tweet's own (read on demand). */
static const struct minutes *
scope_minutes(struct ui *u, struct agg_campaign *c)
{
	if (u->scope >= 4 && (size_t)(u->scope - 4) < c->ntweets)
		return &c->tweets[u->scope - 4].mins;
	if (u->scope >= 1 && u->scope <= 3)
		return &c->sum.mins[u->scope - 1];
	return &c->sum.mins[CAT__COUNT];
}

enum res
pane_chart_res(const struct agg_campaign *c, const struct minutes *m, enum res chosen,
    int64_t now_ms, size_t width, int64_t *to_ms)
{
	int64_t to = now_ms;
	if (c->end_ms > 0 && c->end_ms < to)
		to = c->end_ms; /* over: its window, not the days since */
	if (m->n > 0 && m->r[m->n - 1].min * MINUTE_MS > to)
		to = m->r[m->n - 1].min * MINUTE_MS;
	int64_t from = m->n > 0 ? minutes_first(m) * MINUTE_MS : to;
	*to_ms = to;
	return res_pick(chosen, from, to, width);
}

/* Writes why the scope u shows has nothing to draw yet into buf (false
 * when it has). */
static bool
scope_waits(struct ui *u, struct agg_campaign *c, char *buf, size_t len)
{
	if (pane_not_ready(c, buf, len))
		return true;
	if (u->scope < 4 || (size_t)(u->scope - 4) >= c->ntweets)
		return false;
	enum agg_load l = c->tweets[u->scope - 4].load;
	if (l == AGG_LOAD_READY)
		return false;
	snprintf(buf, len, "%s",
	    l == AGG_LOAD_FAILED ? "this tweet's series could not be read"
	                         : "loading this tweet's series...");
	return true;
}

/* Writes the name of u's scope into buf. */
static void
scope_name(struct ui *u, struct agg_campaign *c, char *buf, size_t len)
{
	if (u->scope >= 4 && (size_t)(u->scope - 4) < c->ntweets)
		snprintf(buf, len, "tweet #%d (%s)", u->scope - 3,
		    category_name((enum tweet_category)c->tweets[u->scope - 4].category));
	else if (u->scope >= 1 && u->scope <= 3)
		snprintf(buf, len, "%s tweets", category_name((enum tweet_category)(u->scope - 1)));
	else
		snprintf(buf, len, "all tweets");
}

void
pane_chart_draw(struct ui *u, struct draw_grid *g, struct draw_rect r, bool focus)
{
	struct agg_campaign *c = ui_campaign(u);
	if (c == NULL)
		return;
	char sc[64], title[160];
	scope_name(u, c, sc, sizeof sc);
	bool several = u->metric >= M__COUNT;
	struct draw_rect in = {r.x + 1, r.y + 1, r.w - 2, r.h - 2};
	size_t max = (size_t)(in.w > 0 ? in.w * 2 : 2);
	max = max > 2000 ? 2000 : max;
	const struct minutes *mins = scope_minutes(u, c);
	int64_t to = u->now_ms;
	enum res res = pane_chart_res(c, mins, u->res, u->now_ms, max, &to);
	snprintf(title, sizeof title, "Cumulative %s, %s, %s%s",
	    several ? "likes/RTs/replies/quotes" : agg_metric_name((enum agg_metric)u->metric), sc,
	    res_name(res), u->res == RES_AUTO ? " (auto)" : "");
	draw_box(g, r, focus ? T_BORDER_FOCUS : T_BORDER, title, T_TITLE);
	char why[256];
	if (scope_waits(u, c, why, sizeof why)) {
		draw_text(g, in.x + 1, in.y, in.w - 1, T_DIM, why);
		return;
	}
	if (in.h < 4 || in.w < 12)
		return;
	int metrics[4], nm = 0;
	if (several) {
		for (int m = M_LIKES; m <= M_QUOTES; m++)
			metrics[nm++] = m;
	} else {
		metrics[nm++] = u->metric;
	}
	struct draw_series s[4] = {{NULL, 0, T_SERIES1}};
	double *buf[4] = {0};
	int64_t first = 0;
	for (int i = 0; i < nm; i++) {
		buf[i] = calloc(max, sizeof *buf[i]);
		size_t n =
		    minutes_out(mins, metrics[i], res_unit_ms(res), true, to, buf[i], max, &first);
		s[i] = (struct draw_series){buf[i], n, (enum theme_role)(T_SERIES1 + metrics[i])};
	}
	int lh = several ? 1 : 0;
	char left[32], right[32], total[16];
	if (res == RES_DAY)
		fmt_day(first, left, sizeof left);
	else if (res == RES_HOUR)
		fmt_hour(first, left, sizeof left);
	else
		fmt_minute(first, left, sizeof left);
	snprintf(right, sizeof right, "now %s",
	    fmt_count(s[0].n ? (int64_t)s[0].v[s[0].n - 1] : 0, total, sizeof total));
	enum draw_chart_style style = g->ascii ? DRAW_ASCII : DRAW_BRAILLE;
	draw_line_chart(g, (struct draw_rect){in.x, in.y + lh, in.w, in.h - lh}, s, (size_t)nm,
	    style, left, several ? NULL : right);
	if (several) {
		int x = in.x;
		for (int i = 0; i < nm; i++) {
			char lab[48], v[16];
			snprintf(lab, sizeof lab, "%s %s  ",
			    agg_metric_name((enum agg_metric)metrics[i]),
			    fmt_count(s[i].n ? (int64_t)s[i].v[s[i].n - 1] : 0, v, sizeof v));
			x += draw_text(g, x, in.y, in.x + in.w - x, s[i].role, lab);
		}
	}
	for (int i = 0; i < nm; i++)
		free(buf[i]);
}
