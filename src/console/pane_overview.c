/*
 * pane_overview: the campaigns overview, one line per campaign: status,
 * window countdown, engaged accounts, views, CPM savings so far and a
 * sparkline of views per hour. Curses-free; UI thread.
 */
#include <stdio.h>

#include "base/fmt.h"
#include "console/pane.h"

void
pane_overview_draw(struct ui *u, struct draw_grid *g, struct draw_rect r)
{
	draw_box(g, r, T_BORDER_FOCUS, "Campaigns (Enter opens, 1-9 jumps)", T_TITLE);
	int x0 = r.x + 2, w = r.w - 4;
	draw_text(g, x0, r.y + 1, w, T_DIM,
	    " # name                        status     window              accounts    views   "
	    "savings  views per hour");
	for (size_t i = 0; i < u->agg->ncampaigns && (int)i < r.h - 3; i++) {
		struct agg_campaign *c = u->agg->campaigns[i];
		int y = r.y + 2 + (int)i;
		bool sel = i == u->overview_sel;
		enum theme_role base = sel ? T_SELECTED : T_NORMAL;
		if (sel)
			draw_fill(g, (struct draw_rect){x0, y, w, 1}, ' ', T_SELECTED);
		char win[48], a[16], v[16], line[256], sav[24] = "-";
		struct agg_cpm cpm;
		agg_cpm_farm(c, ui_farm_excluded(u, c), &cpm); /* CPM savings so far */
		if (cpm.has_paid && c->prep == AGG_PREP_READY)
			snprintf(sav, sizeof sav, "%s$%.0f", cpm.savings_usd < 0 ? "-" : "",
			    cpm.savings_usd < 0 ? -cpm.savings_usd : cpm.savings_usd);
		fmt_window(c->start_ms, c->end_ms, u->now_ms, win, sizeof win);
		snprintf(line, sizeof line, "%2zu ", i + 1);
		draw_text(g, x0, y, 3, base, line);
		draw_text(g, x0 + 3, y, 28, base, c->name);
		snprintf(line, sizeof line, "%-10s %-18s %9s %8s %9s",
		    campaign_status_name(c->status), win,
		    c->prep == AGG_PREP_READY ? fmt_count(agg_unique_total(c), a, sizeof a) : "...",
		    c->prep == AGG_PREP_READY
		        ? fmt_count(c->sum.total[CAT__COUNT][M_VIEWS], v, sizeof v)
		        : "...",
		    sav);
		int x = x0 + 32;
		x += draw_text(g, x, y, x0 + w - x, base, line) + 2;
		if (x < x0 + w) {
			double buf[48];
			size_t n = series_out(&c->sum.hours[CAT__COUNT][M_VIEWS], false, false,
			    u->now_ms, buf, 24, NULL);
			draw_sparkline(
			    g, x, y, x0 + w - x < 24 ? x0 + w - x : 24, buf, n, T_SERIES5);
		}
	}
}
