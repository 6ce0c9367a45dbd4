/*
 * pane_profile: one account's profile (handle, name, followers, bucket,
 * sanitized bio) and its own timeline: every engagement on every tweet of
 * the campaign, newest first. Curses-free; UI thread.
 */
#include <stdio.h>

#include "base/fmt.h"
#include "console/pane.h"

void
pane_profile_draw(struct ui *u, struct draw_grid *g, struct draw_rect r)
{
	struct agg_campaign *c = ui_campaign(u);
	draw_box(g, r, T_BORDER_FOCUS, "Profile (Esc back)", T_TITLE);
	if (c == NULL || u->profile_user >= u->agg->nusers)
		return;
	const struct agg_user *us = &u->agg->users[u->profile_user];
	const struct agg_cu *cu = agg_cu_find(c, u->profile_user);
	int x0 = r.x + 2, w = r.w - 4, y = r.y + 1;
	char f[16], fo[16];
	draw_textf(g, x0, y++, w, T_TITLE, "@%s  %s%s", us->handle, us->name,
	    us->verified ? "  (verified)" : "");
	draw_textf(g, x0, y++, w, T_NORMAL, "followers %s  following %s  id %llu",
	    fmt_count(us->followers, f, sizeof f), fmt_count(us->following, fo, sizeof fo),
	    (unsigned long long)us->id);
	if (cu)
		draw_textf(g, x0, y++, w, (enum theme_role)(T_BK_INVESTOR + cu->bucket),
		    "%s, importance up to %d, %u engagements in this campaign",
		    bucket_name((enum lw_bucket)cu->bucket), cu->importance, cu->n);
	draw_text(g, x0, y++, w, T_DIM, us->bio);
	y++;
	if (cu == NULL)
		return;
	size_t skip = u->profile_off;
	for (uint32_t e = cu->last; e != AGG_NONE && y < r.y + r.h - 1; e = c->eng[e].prev) {
		if (skip > 0) {
			skip--;
			continue;
		}
		const struct agg_eng *en = &c->eng[e];
		char t[16], d[16];
		draw_textf(g, x0, y++, w, T_NORMAL, "%s %s  %-7s tweet #%d (%s)  importance %d  %s",
		    fmt_day(en->at_ms, d, sizeof d), fmt_clock(en->at_ms, t, sizeof t),
		    action_name((enum lw_action)en->action), en->tweet + 1,
		    category_name((enum tweet_category)en->category), en->importance,
		    agg_eng_text(u->agg, en));
	}
}
