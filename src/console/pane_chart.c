/*
 * pane_chart: the cumulative chart of one metric or the four engagement
 * counts together, per hour or per day, for all tweets, one category or one
 * tweet, in braille (block or ASCII as fallbacks) with labelled axes. The
 * summary holds the series of all tweets and of each category; a tweet's
 * own is read on demand ("loading..." until it arrives). Curses-free; UI
 * thread.
 */
#include <stdio.h>
#include <stdlib.h>

#include "base/fmt.h"
#include "console/pane.h"

/* Returns the series of metric m in the scope u shows: the summary's for
 * all tweets or a category, a tweet's own (read on demand). */
static const struct series *
scope_hours(struct ui *u, struct agg_campaign *c, int m)
{
	if (u->scope >= 4 && (size_t)(u->scope - 4) < c->ntweets)
		return &c->tweets[u->scope - 4].m[m];
	if (u->scope >= 1 && u->scope <= 3)
		return &c->sum.hours[u->scope - 1][m];
	return &c->sum.hours[CAT__COUNT][m];
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
	snprintf(title, sizeof title, "Cumulative %s, %s, per %s",
	    several ? "likes/RTs/replies/quotes" : agg_metric_name((enum agg_metric)u->metric), sc,
	    u->daily ? "day" : "hour");
	draw_box(g, r, focus ? T_BORDER_FOCUS : T_BORDER, title, T_TITLE);
	struct draw_rect in = {r.x + 1, r.y + 1, r.w - 2, r.h - 2};
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
	size_t max = (size_t)(in.w > 0 ? in.w * 2 : 2);
	max = max > 2000 ? 2000 : max;
	struct draw_series s[4] = {{NULL, 0, T_SERIES1}};
	double *buf[4] = {0};
	int64_t first = 0;
	for (int i = 0; i < nm; i++) {
		buf[i] = calloc(max, sizeof *buf[i]);
		size_t n = series_out(
		    scope_hours(u, c, metrics[i]), u->daily, true, u->now_ms, buf[i], max, &first);
		s[i] = (struct draw_series){buf[i], n, (enum theme_role)(T_SERIES1 + metrics[i])};
	}
	int lh = several ? 1 : 0;
	char left[32], right[32], total[16];
	if (u->daily)
		fmt_day(first, left, sizeof left);
	else
		fmt_hour(first, left, sizeof left);
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
