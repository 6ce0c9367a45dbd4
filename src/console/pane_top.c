/*
 * pane_top: the top engagers screen: the summary's most important accounts
 * (importance, then followers), each with its bucket, followers and
 * engagements per action; Enter opens the selected one's profile.
 * Curses-free; UI thread.
 */
#include <stdio.h>

#include "base/fmt.h"
#include "console/pane.h"

void
pane_top_draw(struct ui *u, struct draw_grid *g, struct draw_rect r)
{
	struct agg_campaign *c = ui_campaign(u);
	draw_box(
	    g, r, T_BORDER_FOCUS, "Top engagers by importance (Enter: profile, Esc back)", T_TITLE);
	if (c == NULL)
		return;
	int x0 = r.x + 2, w = r.w - 4, y = r.y + 1;
	char why[256];
	if (pane_not_ready(c, why, sizeof why)) {
		draw_text(g, x0, y, w, T_DIM, why);
		return;
	}
	if (c->sum.ntop == 0) {
		draw_text(g, x0, y, w, T_DIM, "no engagements yet");
		return;
	}
	draw_text(g, x0, y++, w, T_DIM,
	    "  # handle              bucket     imp  followers   RTs replies quotes tweets  name");
	int rows = r.y + r.h - 1 - y;
	size_t sel = u->top_sel < c->sum.ntop ? u->top_sel : c->sum.ntop - 1;
	size_t first = rows > 0 && sel >= (size_t)rows ? sel - (size_t)rows + 1 : 0;
	for (size_t i = first; i < c->sum.ntop && y < r.y + r.h - 1; i++, y++) {
		const struct prep_top *t = &c->sum.top[i];
		bool on = i == sel;
		enum theme_role base = on ? T_SELECTED : T_NORMAL;
		if (on)
			draw_fill(g, (struct draw_rect){x0, y, w, 1}, ' ', T_SELECTED);
		char h[80], f[16], line[160];
		snprintf(h, sizeof h, "@%s", t->handle);
		draw_textf(g, x0, y, 4, base, "%3zu", i + 1);
		draw_text(g, x0 + 4, y, 19, base, h);
		draw_text(g, x0 + 24, y, 10,
		    on ? base : (enum theme_role)(T_BK_INVESTOR + t->bucket),
		    bucket_name((enum lw_bucket)t->bucket));
		snprintf(line, sizeof line, "%3d %10s %5lld %7lld %6lld %6lld  ", t->importance,
		    fmt_count(t->followers, f, sizeof f), (long long)t->actions[ACT_RETWEET],
		    (long long)t->actions[ACT_REPLY], (long long)t->actions[ACT_QUOTE],
		    (long long)t->ntweets);
		int x = x0 + 35;
		x += draw_text(g, x, y, x0 + w - x, base, line);
		if (x < x0 + w)
			draw_text(g, x, y, x0 + w - x, on ? base : T_DIM, t->name);
	}
}
