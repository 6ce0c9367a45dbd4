/*
 * pane_feed: the engager feed under column titles, newest first by when
 * people engaged (r: by when rows were stored): time, action, handle and name,
 * bucket (coloured), importance, followers, the tweet and its category and
 * a snippet; filtered by bucket, action, category and minimum importance,
 * scrolled without jumping while the user reads. Its rows are the model's
 * feed (the summary's newest engagements, then the change log's). Curses-
 * free; UI thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fmt.h"
#include "base/util.h"
#include "console/pane.h"

/* Short action names for narrow columns. */
static const char *const act_short[ACT__COUNT] = {"RT", "reply", "quote"};

/* Orders feed indices newest stored first (then as the feed has them). */
static int
cmp_arrival(const void *x, const void *y, void *arg)
{
	const struct prep_eng *feed = arg;
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	int64_t ta = feed[a].first_seen_at_ms, tb = feed[b].first_seen_at_ms;
	if (ta != tb)
		return ta > tb ? -1 : 1;
	return a < b ? -1 : a > b;
}

/* Returns the index in c->feed of the row shown k-th before filtering: the
 * feed's own order (by when people engaged), or by arrival (sorted once
 * per version of the feed). */
static size_t
order_at(struct ui *u, struct agg_campaign *c, size_t k)
{
	if (!u->feed_arrival)
		return k;
	if (u->feed_perm_c != c || u->feed_perm_ver != c->version || u->feed_perm_n != c->nfeed) {
		u->feed_perm = xreallocarray(u->feed_perm, c->nfeed + 1, sizeof *u->feed_perm);
		for (size_t i = 0; i < c->nfeed; i++)
			u->feed_perm[i] = i;
		qsort_r(u->feed_perm, c->nfeed, sizeof *u->feed_perm, cmp_arrival, c->feed);
		u->feed_perm_c = c;
		u->feed_perm_ver = c->version;
		u->feed_perm_n = c->nfeed;
	}
	return u->feed_perm[k];
}

long
pane_feed_row(struct ui *u, struct agg_campaign *c, size_t off, size_t row)
{
	size_t want = off + row, seen = 0;
	for (size_t k = 0; k < c->nfeed; k++) {
		size_t i = order_at(u, c, k);
		if (!agg_filter_match(&u->filter, &c->feed[i]))
			continue;
		if (seen++ == want)
			return (long)i;
	}
	return -1;
}

size_t
pane_feed_position(struct ui *u, struct agg_campaign *c, size_t i)
{
	size_t n = 0;
	for (size_t k = 0; k < c->nfeed; k++) {
		size_t at = order_at(u, c, k);
		if (at == i)
			break;
		n += agg_filter_match(&u->filter, &c->feed[at]);
	}
	return n;
}

size_t
pane_feed_count(struct ui *u, struct agg_campaign *c)
{
	return pane_feed_position(u, c, c->nfeed);
}

bool
pane_not_ready(const struct agg_campaign *c, char *buf, size_t len)
{
	if (c->prep == AGG_PREP_READY &&
	    (!agg_loading(c) || agg_unique_total(c) > 0 || c->sum.total[CAT__COUNT][M_VIEWS] > 0))
		return false;
	if (c->prep != AGG_PREP_PREPARING) /* no zeros shown before the first complete read */
		snprintf(buf, len, "loading...");
	else
		snprintf(buf, len,
		    "preparing... (no prepared aggregates yet: a running engine builds them; for a "
		    "completed campaign of an older release run: launchwatch campaign rebuild %s)",
		    c->id);
	return true;
}

/* Draws the column titles on row y, with the widths the rows use. */
static void
feed_header(struct ui *u, struct draw_grid *g, int x0, int y, int w)
{
	int x = x0, end = x0 + w;
	if (w >= 50) {
		draw_text(g, x, y, 8, T_DIM, u->feed_arrival ? "stored" : "engaged");
		x += 9;
	}
	draw_text(g, x, y, 5, T_DIM, "act");
	x += 6;
	int hw = w >= 90 ? 18 : 13;
	draw_text(g, x, y, hw, T_DIM, "account");
	x += hw + 1;
	draw_text(g, x, y, 9, T_DIM, "bucket");
	x += 10;
	draw_text(g, x, y, 3, T_DIM, "imp");
	x += 4;
	if (w >= 75) {
		draw_text_right(g, x, y, 6, T_DIM, "follow");
		x += 7;
	}
	if (w >= 85) {
		draw_text(g, x, y, 6, T_DIM, "tweet");
		x += 7;
	}
	if (x < end)
		draw_text(g, x, y, end - x, T_DIM, "name: reply or quote text");
}

void
pane_feed_draw(struct ui *u, struct draw_grid *g, struct draw_rect r, bool focus)
{
	struct agg_campaign *c = ui_campaign(u);
	char title[200];
	snprintf(title, sizeof title, "Engagers %s%s%s%s",
	    u->feed_off ? "(paused, g: live) " : "(live) ",
	    u->feed_arrival ? "by arrival (r) " : "", u->filter_text[0] ? "filter: " : "",
	    u->filter_text);
	draw_box(g, r, focus ? T_BORDER_FOCUS : T_BORDER, title, T_TITLE);
	if (c == NULL)
		return;
	int rows = r.h - 2, x0 = r.x + 1, w = r.w - 2;
	char why[256];
	if (c->nfeed == 0) {
		bool waiting = pane_not_ready(c, why, sizeof why);
		draw_text(g, x0 + 1, r.y + 1, w - 1, T_DIM, waiting ? why : "no engagements yet");
		return;
	}
	feed_header(u, g, x0, r.y + 1, w);
	rows--;
	for (int i = 0; i < rows; i++) {
		long k = pane_feed_row(u, c, u->feed_off, (size_t)i);
		if (k < 0)
			break;
		const struct prep_eng *en = &c->feed[k];
		int y = r.y + 2 + i, x = x0;
		bool sel = focus && (size_t)i == u->feed_sel;
		enum theme_role base = sel ? T_SELECTED : T_NORMAL;
		if (sel)
			draw_fill(g, (struct draw_rect){x0, y, w, 1}, ' ', T_SELECTED);
		char t[16], f[16], h[80];
		int end = x0 + w;
		/* optional columns go first as the pane narrows; the name keeps the rest */
		if (w >= 50) {
			fmt_clock(u->feed_arrival ? en->first_seen_at_ms : en->at_ms, t, sizeof t);
			x += draw_text(g, x, y, 8, sel ? base : T_DIM, t) + 1;
		}
		draw_text(g, x, y, 5, sel ? base : (enum theme_role)(T_ACT_RETWEET + en->action),
		    act_short[en->action]);
		x += 6;
		snprintf(h, sizeof h, "@%s", en->handle);
		int hw = w >= 90 ? 18 : 13;
		draw_text(g, x, y, hw, base, h);
		x += hw + 1;
		draw_text(g, x, y, 9, sel ? base : (enum theme_role)(T_BK_INVESTOR + en->bucket),
		    bucket_name((enum lw_bucket)en->bucket));
		x += 10;
		draw_textf(g, x, y, 3, base, "%3d", en->importance);
		x += 4;
		if (w >= 75) {
			draw_text_right(g, x, y, 6, base, fmt_count(en->followers, f, sizeof f));
			x += 7;
		}
		if (w >= 85) {
			draw_textf(g, x, y, 6, sel ? base : T_DIM, "%.3s#%d",
			    category_name((enum tweet_category)en->category),
			    agg_tweet_index(c, en->tweet_id) + 1);
			x += 7;
		}
		char rest[400];
		snprintf(
		    rest, sizeof rest, "%s%s%s", en->name, *en->snippet ? ": " : "", en->snippet);
		if (x < end)
			draw_text(g, x, y, end - x, sel ? base : T_DIM, rest);
	}
}
