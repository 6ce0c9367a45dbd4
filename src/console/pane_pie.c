/*
 * pane_pie: unique engaged accounts by bucket (deduped per campaign) as a
 * proportional bar with a legend of counts and percentages, for all actions
 * or one. Curses-free; UI thread.
 */
#include <stdio.h>

#include "console/pane.h"

void
pane_pie_draw(struct ui *u, struct draw_grid *g, struct draw_rect r, bool focus)
{
	struct agg_campaign *c = ui_campaign(u);
	char title[96];
	snprintf(title, sizeof title, "Unique accounts by bucket (%s)",
	    u->pie_action < 0 ? "all actions" : action_name((enum lw_action)u->pie_action));
	draw_box(g, r, focus ? T_BORDER_FOCUS : T_BORDER, title, T_TITLE);
	if (c == NULL)
		return;
	char why[256];
	if (pane_not_ready(c, why, sizeof why)) {
		draw_text(g, r.x + 2, r.y + 1, r.w - 4, T_DIM, why);
		return;
	}
	struct draw_part p[BK__COUNT];
	for (int b = 0; b < BK__COUNT; b++)
		p[b] = (struct draw_part){bucket_name((enum lw_bucket)b),
		    u->pie_action < 0 ? c->sum.uniq[b] : c->sum.uniq_act[u->pie_action][b],
		    (enum theme_role)(T_BK_INVESTOR + b)};
	draw_breakdown(g, (struct draw_rect){r.x + 2, r.y + 1, r.w - 4, r.h - 2}, p, BK__COUNT);
}
