/*
 * pane_layout: the console's frame without curses: the layout of the
 * campaign screen from 80x24 to very large terminals (every pane can be
 * zoomed), the other screens, the status line and the help overlay. UI
 * thread only (or any thread owning its own ui, as in tests and the
 * benchmark).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/dialog.h"
#include "base/fmt.h"
#include "console/keys.h"
#include "console/pane.h"

#define MESSAGE_MS 8000 /* how long a status message stays on the bottom line */
#include "base/util.h"

#define MIN_W 60
#define MIN_H 16

/* Draws the bottom line: a message younger than MESSAGE_MS, else the main
 * key hints. */
static void
draw_status(struct ui *u, struct draw_grid *g, int y)
{
	draw_fill(g, (struct draw_rect){0, y, g->w, 1}, ' ', T_STATUS);
	if (u->message && *u->message && u->now_ms - u->message_ms < MESSAGE_MS) {
		draw_text(g, 1, y, g->w - 2, T_STATUS, u->message);
		return;
	}
	draw_text(g, 1, y, g->w - 2, T_STATUS,
	    "? help  q quit  i jobs  a add  Tab focus  z zoom  / filter  h/d hour/day  m metric  "
	    "s scope  o overview  x export");
}

/* Draws the simulated-data banner on row y, in the fullest wording that
 * fits: that a simulator feeds the demo, or which tweets it knows when the
 * campaign lists others. */
static void
draw_banner(struct ui *u, struct draw_grid *g, int y)
{
	char note[512], mid[160], brief[96];
	size_t unknown = ui_sim_unknown(u, ui_campaign(u));
	const char *v[3] = {
	    "SIMULATED DATA: no TWITTERAPI_KEY is set, so a built-in simulator feeds this demo. "
	    "Set TWITTERAPI_KEY (or TWITTERAPI_KEY_FILE) to watch real launches.",
	    "SIMULATED DATA from a built-in simulator: set TWITTERAPI_KEY (or "
	    "TWITTERAPI_KEY_FILE) to watch real launches.",
	    "SIMULATED DATA: set TWITTERAPI_KEY to watch real launches"};
	if (unknown > 0) {
		ui_sim_note(u, ui_campaign(u), note, sizeof note);
		snprintf(mid, sizeof mid,
		    "SIMULATED DATA (no TWITTERAPI_KEY): %zu of this campaign's tweets are unknown "
		    "to the simulator (i: jobs)",
		    unknown);
		snprintf(brief, sizeof brief,
		    "SIMULATED DATA: %zu tweet%s unknown to the simulator (i: jobs)", unknown,
		    unknown == 1 ? "" : "s");
		v[0] = note;
		v[1] = mid;
		v[2] = brief;
	}
	int k = 0;
	while (k < 2 && draw_text_width(v[k]) > g->w - 2)
		k++;
	draw_fill(g, (struct draw_rect){0, y, g->w, 1}, ' ', T_BANNER);
	draw_text(g, 1, y, g->w - 2, T_BANNER, v[k]);
}

/* Draws focusable pane p in r. */
static void
draw_pane(struct ui *u, struct draw_grid *g, enum pane_id p, struct draw_rect r)
{
	bool focus = u->focus == p;
	static void (*const fns[P__COUNT])(
	    struct ui *, struct draw_grid *, struct draw_rect, bool) = {
	    pane_feed_draw, pane_chart_draw, pane_pie_draw, pane_tweets_draw, pane_alerts_draw};
	if (r.w >= 10 && r.h >= 3) {
		fns[p](u, g, r, focus);
		u->pane_rect[p] = r; /* where a mouse click finds it */
	}
}

/* Lays out the campaign screen's panes in body. */
static void
layout_campaign(struct ui *u, struct draw_grid *g, struct draw_rect body)
{
	if (u->zoom) {
		draw_pane(u, g, u->focus, body);
		return;
	}
	struct agg_campaign *c = ui_campaign(u);
	int nt = c ? (int)c->ntweets : 0;
	int th = nt + 3;
	int maxth = body.h / 3 > 5 ? body.h / 3 : 5;
	th = th < 5 ? 5 : th > maxth ? maxth : th;
	int upper = body.h - th;
	int lw = body.w >= 160 ? body.w * 45 / 100 : body.w / 2;
	struct draw_rect feed = {body.x, body.y, lw, upper};
	int rw = body.w - lw;
	int ch = upper * 55 / 100;
	struct draw_rect chart = {body.x + lw, body.y, rw, ch};
	struct draw_rect pie = {body.x + lw, body.y + ch, rw, upper - ch};
	struct draw_rect bottom = {body.x, body.y + upper, body.w, th};
	draw_pane(u, g, P_FEED, feed);
	draw_pane(u, g, P_CHART, chart);
	if (body.w >= 120) {
		int aw = body.w * 30 / 100;
		draw_pane(u, g, P_PIE, pie);
		draw_pane(
		    u, g, P_TWEETS, (struct draw_rect){bottom.x, bottom.y, bottom.w - aw, th});
		draw_pane(
		    u, g, P_ALERTS, (struct draw_rect){bottom.x + bottom.w - aw, bottom.y, aw, th});
	} else {
		/* narrow: the alerts share the breakdown's place while focused */
		draw_pane(u, g, u->focus == P_ALERTS ? P_ALERTS : P_PIE, pie);
		draw_pane(u, g, P_TWEETS, bottom);
	}
}

void
ui_render(struct ui *u, struct draw_grid *g)
{
	draw_clear(g);
	memset(u->pane_rect, 0, sizeof u->pane_rect);
	if (g->w < MIN_W || g->h < MIN_H) {
		draw_textf(g, 0, 0, g->w, T_WARN, "terminal too small: %dx%d, need %dx%d", g->w,
		    g->h, MIN_W, MIN_H);
		draw_text(g, 0, 1, g->w, T_NORMAL, "q quits");
		return;
	}
	int top = 2;
	pane_header_draw(u, g, (struct draw_rect){0, 0, g->w, 2});
	if (u->simulated)
		draw_banner(u, g, top++);
	struct draw_rect body = {0, top, g->w, g->h - top - 1};
	static void (*const screens[S__COUNT])(struct ui *, struct draw_grid *,
	    struct draw_rect) = {NULL, pane_overview_draw, pane_profile_draw, pane_buckets_draw,
	    pane_closeout_draw, pane_top_draw, pane_jobs_draw};
	if (u->screen == S_CAMPAIGN) {
		if (ui_campaign(u) == NULL)
			draw_text(g, 2, body.y + 1, g->w - 4, T_DIM,
			    "No campaigns yet. Press a to add one, or run: launchwatch campaign "
			    "add "
			    "FILE.yaml");
		else
			layout_campaign(u, g, body);
	} else {
		screens[u->screen](u, g, body);
	}
	draw_status(u, g, g->h - 1);
	if (u->help)
		pane_help_draw(u, g, (struct draw_rect){0, 0, g->w, g->h});
	if (u->dialog)
		dialog_draw(u->dialog, g);
}

void
pane_help_draw(struct ui *u, struct draw_grid *g, struct draw_rect r)
{
	(void)u;
	size_t n;
	const struct key_binding *k = keys_table(&n);
	/* as many columns as the height needs, so every key is always listed */
	int rows = r.h - 2 > 1 ? r.h - 2 : 1;
	int ncols = ((int)n + rows - 1) / rows;
	int per = ((int)n + ncols - 1) / ncols;
	int w = ncols == 1 ? (r.w < 76 ? r.w : 76) : r.w;
	int h = per + 2;
	struct draw_rect box = {r.x + (r.w - w) / 2, r.y + (r.h - h) / 2, w, h};
	draw_fill(g, box, ' ', T_NORMAL);
	draw_box(g, box, T_BORDER_FOCUS, "Keys (any key closes)", T_TITLE);
	int cw = (w - 2) / ncols;
	for (size_t i = 0; i < n; i++) {
		int col = (int)i / per, row = (int)i % per;
		int x = box.x + 1 + col * cw, y = box.y + 1 + row;
		int lw = cw >= 30 ? 8 : 6;
		draw_text(g, x + 1, y, lw, T_KEY, k[i].label);
		draw_text(g, x + 1 + lw, y, cw - lw - 2, T_NORMAL, k[i].help);
	}
}
