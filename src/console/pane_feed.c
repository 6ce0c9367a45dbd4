/*
 * pane_feed: the engager feed, newest first: time, action, handle and name,
 * bucket (coloured), importance, followers, the tweet and its category and
 * a snippet; filtered by bucket, action, category and minimum importance,
 * scrolled without jumping while the user reads. Curses-free; UI thread.
 */
#include <stdio.h>
#include <string.h>

#include "base/fmt.h"
#include "console/pane.h"

/* Short action names for narrow columns. */
static const char *const act_short[ACT__COUNT] = {"RT", "reply", "quote"};

uint32_t
pane_feed_row(struct ui *u, struct agg_campaign *c, size_t off, size_t row)
{
	size_t want = off + row, seen = 0;
	for (size_t i = c->neng; i-- > 0;) {
		if (!agg_filter_match(&u->filter, &c->eng[i]))
			continue;
		if (seen++ == want)
			return (uint32_t)i;
	}
	return AGG_NONE;
}

size_t
pane_feed_count_new(struct ui *u, struct agg_campaign *c, size_t from)
{
	size_t n = 0;
	for (size_t i = from; i < c->neng; i++)
		n += agg_filter_match(&u->filter, &c->eng[i]);
	return n;
}

void
pane_feed_draw(struct ui *u, struct draw_grid *g, struct draw_rect r, bool focus)
{
	struct agg_campaign *c = ui_campaign(u);
	char title[200];
	snprintf(title, sizeof title, "Engagers %s%s%s",
	    u->feed_off ? "(paused, g: live) " : "(live) ", u->filter_text[0] ? "filter: " : "",
	    u->filter_text);
	draw_box(g, r, focus ? T_BORDER_FOCUS : T_BORDER, title, T_TITLE);
	if (c == NULL)
		return;
	int rows = r.h - 2, x0 = r.x + 1, w = r.w - 2;
	if (c->neng == 0) {
		draw_text(g, x0 + 1, r.y + 1, w - 1, T_DIM, "no engagements yet");
		return;
	}
	for (int i = 0; i < rows; i++) {
		uint32_t e = pane_feed_row(u, c, u->feed_off, (size_t)i);
		if (e == AGG_NONE)
			break;
		const struct agg_eng *en = &c->eng[e];
		const struct agg_user *us = &u->agg->users[en->user];
		int y = r.y + 1 + i, x = x0;
		bool sel = focus && (size_t)i == u->feed_sel;
		enum theme_role base = sel ? T_SELECTED : T_NORMAL;
		if (sel)
			draw_fill(g, (struct draw_rect){x0, y, w, 1}, ' ', T_SELECTED);
		char t[16], f[16], h[80];
		int end = x0 + w;
		/* optional columns go first as the pane narrows; the name keeps the rest */
		if (w >= 50) {
			fmt_clock(en->at_ms, t, sizeof t);
			x += draw_text(g, x, y, 8, sel ? base : T_DIM, t) + 1;
		}
		draw_text(g, x, y, 5, sel ? base : (enum theme_role)(T_ACT_RETWEET + en->action),
		    act_short[en->action]);
		x += 6;
		snprintf(h, sizeof h, "@%s", us->handle);
		int hw = w >= 90 ? 18 : 13;
		draw_text(g, x, y, hw, base, h);
		x += hw + 1;
		draw_text(g, x, y, 9, sel ? base : (enum theme_role)(T_BK_INVESTOR + en->bucket),
		    bucket_name((enum lw_bucket)en->bucket));
		x += 10;
		draw_textf(g, x, y, 3, base, "%3d", en->importance);
		x += 4;
		if (w >= 75) {
			draw_text_right(g, x, y, 6, base, fmt_count(us->followers, f, sizeof f));
			x += 7;
		}
		if (w >= 85) {
			draw_textf(g, x, y, 6, sel ? base : T_DIM, "%.3s#%d",
			    category_name((enum tweet_category)en->category), en->tweet + 1);
			x += 7;
		}
		const char *snip = agg_eng_text(u->agg, en);
		char rest[400];
		snprintf(rest, sizeof rest, "%s%s%s", us->name, *snip ? ": " : "", snip);
		if (x < end)
			draw_text(g, x, y, end - x, sel ? base : T_DIM, rest);
	}
}
