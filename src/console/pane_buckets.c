/*
 * pane_buckets: the bucket time series: events per bucket per day (or per
 * hour with h), newest first, with a sparkline per bucket, from the
 * summary, and each bucket's mean sentiment of its scored replies and
 * quotes (model/sentiment.h). Curses-free; UI thread.
 */
#include <stdio.h>

#include "base/fmt.h"
#include "console/pane.h"

#define BK_ROWS 64

void
pane_buckets_draw(struct ui *u, struct draw_grid *g, struct draw_rect r)
{
	struct agg_campaign *c = ui_campaign(u);
	draw_box(g, r, T_BORDER_FOCUS,
	    u->daily ? "Events per bucket per day (Esc back, h hourly)"
	             : "Events per bucket per hour (Esc back, d daily)",
	    T_TITLE);
	if (c == NULL)
		return;
	int x0 = r.x + 2, y = r.y + 1;
	char why[256];
	if (pane_not_ready(c, why, sizeof why)) {
		draw_text(g, x0, y, r.w - 4, T_DIM, why);
		return;
	}
	int64_t unit = (u->daily ? 24 : 1) * SERIES_HOUR_MS;
	/* one time range for every bucket: from the earliest event to now */
	int64_t lo = u->now_ms;
	int64_t hi = lo;
	for (int b = 0; b < BK__COUNT; b++) {
		const struct series *h = &c->sum.bucket_hours[b];
		if (h->n > 0 && h->base * SERIES_HOUR_MS < lo)
			lo = h->base * SERIES_HOUR_MS;
		if (h->n > 0 && (h->base + h->n) * SERIES_HOUR_MS > hi)
			hi = (h->base + h->n) * SERIES_HOUR_MS - 1;
	}
	lo -= lo % unit;
	size_t rows = (size_t)((hi - lo) / unit) + 1;
	if (rows > BK_ROWS)
		lo += (int64_t)(rows - BK_ROWS) * unit, rows = BK_ROWS;
	double v[BK__COUNT][BK_ROWS];
	draw_text(g, x0, y, 12, T_DIM, u->daily ? "day" : "hour");
	for (int b = 0; b < BK__COUNT; b++) {
		for (size_t k = 0; k < rows; k++)
			v[b][k] = (double)series_sum(&c->sum.bucket_hours[b],
			    lo + (int64_t)k * unit, lo + (int64_t)(k + 1) * unit);
		draw_text_right(g, x0 + 12 + b * 11, y, 10, (enum theme_role)(T_BK_INVESTOR + b),
		    bucket_name((enum lw_bucket)b));
	}
	y++;
	for (int b = 0; b < BK__COUNT; b++)
		draw_sparkline(
		    g, x0 + 12 + b * 11, y, 10, v[b], rows, (enum theme_role)(T_BK_INVESTOR + b));
	y++;
	/* likely farmed: each bucket's share of its unique accounts */
	if (prep_has_farm(&c->sum) && c->cfg.farm.threshold > 0) {
		draw_text(g, x0, y, 12, T_DIM, "farmed");
		for (int k = 0; k < BK__COUNT; k++) {
			char cell[24] = "-";
			int64_t f = prep_farmed(&c->sum, k, c->cfg.farm.threshold);
			if (c->sum.uniq[k] > 0)
				snprintf(cell, sizeof cell, "%.0f%%",
				    100.0 * (double)f / (double)c->sum.uniq[k]);
			draw_text_right(g, x0 + 12 + k * 11, y, 10, T_DIM, cell);
		}
		y++;
	}
	draw_text(g, x0, y, 12, T_DIM, "sentiment");
	for (int b = 0; b < BK__COUNT; b++) {
		double m;
		char s[16];
		if (c->sent != NULL && sent_sums_mean(&c->sent->bucket[b], &m))
			snprintf(s, sizeof s, "%+.2f", m);
		else
			snprintf(s, sizeof s, "%s", c->sent ? "-" : "not scored");
		draw_text_right(g, x0 + 12 + b * 11, y, 10, T_DIM, s);
	}
	y++;
	/* drilled into a tweet: its unique accounts per bucket first (the
	 * rows below count every tweet's events) */
	const int64_t *uniq;
	const int64_t(*uniq_act)[BK__COUNT];
	if (pane_drill_uniq(u, c, &uniq, &uniq_act, why, sizeof why)) {
		char lab[24], cnt[16];
		snprintf(lab, sizeof lab, "tweet #%d", agg_tweet_index(c, u->filter.tweet_id) + 1);
		draw_text(g, x0, y, 12, T_KEY, lab);
		if (why[0])
			draw_text(g, x0 + 12, y, r.w - 16, T_DIM, why);
		for (int b = 0; !why[0] && b < BK__COUNT; b++)
			draw_text_right(
			    g, x0 + 12 + b * 11, y, 10, T_KEY, fmt_count(uniq[b], cnt, sizeof cnt));
		y++;
		draw_text(g, x0, y++, r.w - 4, T_DIM,
		    "(its unique accounts by bucket; the rows below: events of every tweet)");
	}
	for (size_t i = 0; i < rows && y < r.y + r.h - 1; i++, y++) {
		size_t k = rows - 1 - i; /* newest first */
		int64_t at = lo + (int64_t)k * unit;
		char lab[24], cnt[16];
		if (u->daily)
			fmt_day(at, lab, sizeof lab);
		else
			fmt_hour(at, lab, sizeof lab);
		draw_text(g, x0, y, 12, T_NORMAL, lab);
		for (int b = 0; b < BK__COUNT; b++)
			draw_text_right(g, x0 + 12 + b * 11, y, 10, T_NORMAL,
			    fmt_count((int64_t)v[b][k], cnt, sizeof cnt));
	}
}
