/*
 * keys: the key table and its handlers; `?` renders the same table. Each
 * handler returns its reaction (keys.h). Curses-free; UI thread only.
 */
#include "console/keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/dialog.h"
#include "console/pane.h"
#include "console/theme.h"
#include "base/util.h"

static unsigned
k_quit(struct ui *u, int key)
{
	(void)u;
	(void)key;
	return KR_QUIT;
}

static unsigned
k_farm(struct ui *u, int key)
{
	(void)key;
	struct agg_campaign *c = ui_campaign(u);
	if (c == NULL)
		return KR_KEEP_MESSAGE;
	if (c->cfg.farm.threshold <= 0) {
		ui_message(u, "the farm signal is off (farm.threshold: 0)");
		return KR_KEEP_MESSAGE;
	}
	if (!prep_has_farm(&c->sum)) {
		ui_message(u, "no farm data: %s's engagements predate the farm signal", c->name);
		return KR_KEEP_MESSAGE;
	}
	u->farm_flip = !u->farm_flip;
	ui_message(u, "likely farmed (score >= %d) %s the pie and CPM", c->cfg.farm.threshold,
	    ui_farm_excluded(u, c) ? "left out of" : "counted in");
	return KR_KEEP_MESSAGE;
}

static unsigned
k_help(struct ui *u, int key)
{
	(void)key;
	u->help = true;
	return KR_NONE;
}

static unsigned
k_add(struct ui *u, int key)
{
	(void)key;
	dialog_free(u->dialog);
	u->dialog = dialog_add_campaign(u->now_ms);
	return KR_NONE;
}

static unsigned
k_edit(struct ui *u, int key)
{
	(void)key;
	struct agg_campaign *c = ui_campaign(u);
	if (c == NULL)
		return KR_KEEP_MESSAGE;
	if (!c->known) {
		ui_message(u, "%s is still loading", c->id);
		return KR_KEEP_MESSAGE;
	}
	if (c->status == CS_COMPLETED || c->close_requested_ms > 0) {
		ui_message(u, "%s is %s; its tweets are frozen", c->name,
		    c->status == CS_COMPLETED ? "completed" : "closing");
		return KR_KEEP_MESSAGE;
	}
	struct dialog *d = dialog_edit_tweets(c);
	if (d == NULL) {
		ui_message(u,
		    "%s has too many tweets to edit here: change its YAML and run "
		    "launchwatch campaign add FILE.yaml",
		    c->name);
		return KR_KEEP_MESSAGE;
	}
	dialog_free(u->dialog);
	u->dialog = d;
	return KR_KEEP_MESSAGE;
}

static unsigned
k_settings(struct ui *u, int key)
{
	(void)key;
	struct agg_campaign *c = ui_campaign(u);
	if (c == NULL)
		return KR_KEEP_MESSAGE;
	if (c->status == CS_COMPLETED) {
		ui_message(u, "%s is completed; its report is frozen", c->name);
		return KR_KEEP_MESSAGE;
	}
	struct dialog *d = c->known ? dialog_edit_settings(c) : NULL;
	if (d == NULL) {
		ui_message(u, "%s is still loading", c->id);
		return KR_KEEP_MESSAGE;
	}
	dialog_free(u->dialog);
	u->dialog = d;
	return KR_KEEP_MESSAGE;
}

static unsigned
k_close(struct ui *u, int key)
{
	(void)key;
	struct agg_campaign *c = ui_campaign(u);
	if (c == NULL)
		return KR_NONE;
	if (c->status == CS_COMPLETED || c->close_requested_ms > 0) {
		ui_show_closeout(u, c->id); /* already closing or closed: its progress and report */
		return KR_NONE;
	}
	char *q =
	    xasprintf("Close out \"%s\" now? The report job freezes its numbers. (y/n)", c->name);
	dialog_free(u->dialog);
	u->dialog = dialog_confirm(q, READER_CLOSE, c->id);
	free(q);
	return KR_NONE;
}

static unsigned
k_pause(struct ui *u, int key)
{
	(void)key;
	struct agg_campaign *c = ui_campaign(u);
	if (c == NULL)
		return KR_KEEP_MESSAGE;
	if (c->status == CS_COMPLETED) {
		ui_message(u, "%s is completed; it cannot be paused", c->name);
		return KR_KEEP_MESSAGE;
	}
	ui_post(u, c->status == CS_PAUSED ? READER_RESUME : READER_PAUSE, c->id, NULL);
	return KR_KEEP_MESSAGE;
}

static unsigned
k_focus(struct ui *u, int key)
{
	int step = key == KEY_CODE_BTAB ? P__COUNT - 1 : 1;
	u->focus = (enum pane_id)((u->focus + step) % P__COUNT);
	u->screen = S_CAMPAIGN;
	return KR_NONE;
}

/* Ends a tweet's drill-down: the feed's filter is cleared. */
static void
drill_end(struct ui *u)
{
	memset(&u->filter, 0, sizeof u->filter);
	u->filter_text[0] = '\0';
	u->drill = false;
}

static unsigned
k_campaign(struct ui *u, int key)
{
	size_t n = u->agg->ncampaigns;
	if (n == 0)
		return KR_NONE;
	if (key == '[')
		u->cur = (u->cur + n - 1) % n;
	else if (key == ']')
		u->cur = (u->cur + 1) % n;
	else if ((size_t)(key - '1') < n)
		u->cur = (size_t)(key - '1');
	else
		return KR_NONE;
	u->pick_pending = false; /* the user chose */
	u->feed_off = u->feed_sel = u->tweets_sel = u->top_sel = 0;
	u->scope = SCOPE_ALL;
	if (u->drill) /* another campaign's tweets: the drill-down ends */
		drill_end(u);
	if (u->screen == S_OVERVIEW || u->screen == S_PROFILE)
		u->screen = S_CAMPAIGN;
	return KR_NONE;
}

static unsigned
k_filter(struct ui *u, int key)
{
	(void)key;
	dialog_free(u->dialog);
	u->dialog = dialog_filter(u->filter_text);
	return KR_NONE;
}

static unsigned
k_hour_day(struct ui *u, int key)
{
	u->daily = key == 'd';
	u->res = u->daily ? RES_DAY : RES_HOUR;
	return KR_NONE;
}

static unsigned
k_resolution(struct ui *u, int key)
{
	(void)key;
	u->res = (enum res)((u->res + 1) % RES__COUNT);
	ui_message(u, "chart resolution: %s", res_name(u->res));
	return KR_KEEP_MESSAGE;
}

static unsigned
k_metric(struct ui *u, int key)
{
	(void)key;
	u->metric = (u->metric + 1) % METRIC_CHOICES;
	return KR_NONE;
}

static unsigned
k_scope(struct ui *u, int key)
{
	(void)key;
	struct agg_campaign *c = ui_campaign(u);
	int n = 4 + (c ? (int)c->ntweets : 0);
	u->scope = (u->scope + 1) % n;
	return KR_NONE;
}

static unsigned
k_action(struct ui *u, int key)
{
	(void)key;
	u->pie_action = u->pie_action + 1 >= ACT__COUNT ? -1 : u->pie_action + 1;
	return KR_NONE;
}

static unsigned
k_theme(struct ui *u, int key)
{
	(void)key;
	const char *const *names = theme_builtin_names();
	size_t i = 0;
	while (names[i] && strcmp(names[i], u->theme_name) != 0)
		i++;
	const char *next = names[i] && names[i + 1] ? names[i + 1] : names[0];
	struct theme t;
	char *cause = NULL;
	if (theme_load(next, &t, &cause) != 0) {
		ui_message(u, "%s", cause);
		free(cause);
		return KR_KEEP_MESSAGE;
	}
	snprintf(u->theme_name, sizeof u->theme_name, "%s", next);
	ui_message(u, "theme: %s", next);
	return KR_THEME | KR_KEEP_MESSAGE;
}

static unsigned
k_export(struct ui *u, int key)
{
	(void)key;
	char *path = NULL, *cause = NULL;
	const char *dir = getenv("LAUNCHWATCH_EXPORT_DIR");
	int rc = ui_export_csv(u, dir && *dir ? dir : ".", &path, &cause);
	if (rc == 0)
		ui_message(u, "exported %s", path);
	else if (rc == 1)
		ui_message(u, "exporting every engagement to %s ...", path);
	else
		ui_message(u, "export failed: %s", cause);
	free(path);
	free(cause);
	return KR_KEEP_MESSAGE;
}

static unsigned
k_zoom(struct ui *u, int key)
{
	(void)key;
	u->zoom = !u->zoom;
	u->screen = S_CAMPAIGN;
	return KR_NONE;
}

static unsigned
k_overview(struct ui *u, int key)
{
	(void)key;
	u->screen = u->screen == S_OVERVIEW ? S_CAMPAIGN : S_OVERVIEW;
	u->overview_sel = u->cur;
	return KR_NONE;
}

static unsigned
k_buckets(struct ui *u, int key)
{
	(void)key;
	u->screen = u->screen == S_BUCKETS ? S_CAMPAIGN : S_BUCKETS;
	if (u->screen == S_BUCKETS)
		u->daily = true;
	return KR_NONE;
}

static unsigned
k_order(struct ui *u, int key)
{
	(void)key;
	u->feed_arrival = !u->feed_arrival;
	u->feed_off = u->feed_sel = 0;
	ui_message(u, "feed by %s", u->feed_arrival ? "arrival (when stored)" : "engagement time");
	return KR_KEEP_MESSAGE;
}

static unsigned
k_jobs(struct ui *u, int key)
{
	(void)key;
	u->screen = u->screen == S_JOBS ? S_CAMPAIGN : S_JOBS;
	u->jobs_off = 0;
	return KR_NONE;
}

static unsigned
k_top(struct ui *u, int key)
{
	(void)key;
	u->screen = u->screen == S_TOP ? S_CAMPAIGN : S_TOP;
	return KR_NONE;
}

static unsigned
k_enter(struct ui *u, int key)
{
	(void)key;
	if (u->screen == S_OVERVIEW) {
		u->cur = u->overview_sel;
		u->pick_pending = false;
		u->screen = S_CAMPAIGN;
		return KR_NONE;
	}
	struct agg_campaign *c = ui_campaign(u);
	if (c && u->screen == S_TOP && u->top_sel < c->sum.ntop) {
		const struct prep_top *t = &c->sum.top[u->top_sel];
		ui_open_profile(u, agg_profile_from_top(c->id, t), t->best_tweet,
		    (enum lw_action)t->best_action);
		return KR_NONE;
	}
	if (c && u->screen == S_CAMPAIGN && u->focus == P_TWEETS && u->tweets_sel < c->ntweets) {
		/* drill down: that tweet's engagers in the feed, its own chart */
		const char *id = c->tweets[u->tweets_sel].id;
		memset(&u->filter, 0, sizeof u->filter);
		snprintf(u->filter.tweet_id, sizeof u->filter.tweet_id, "%s", id);
		snprintf(u->filter_text, sizeof u->filter_text, "tweet=%s", id);
		u->scope = 4 + (int)u->tweets_sel;
		u->feed_off = u->feed_sel = 0;
		u->drill = true;
		ui_message(u, "tweet #%zu: its engagers and its chart (Esc: every tweet)",
		    u->tweets_sel + 1);
		return KR_KEEP_MESSAGE;
	}
	if (c == NULL || u->screen != S_CAMPAIGN || u->focus != P_FEED)
		return KR_NONE;
	long e = pane_feed_row(u, c, u->feed_off, u->feed_sel);
	if (e < 0)
		return KR_NONE;
	const struct prep_eng *en = &c->feed[e];
	ui_open_profile(
	    u, agg_profile_from_eng(c->id, en), en->tweet_id, (enum lw_action)en->action);
	return KR_NONE;
}

static unsigned
k_back(struct ui *u, int key)
{
	(void)key;
	if (u->zoom && u->screen == S_CAMPAIGN)
		u->zoom = false;
	else if (u->drill && u->screen == S_CAMPAIGN) {
		/* out of a tweet's drill-down: every tweet again */
		drill_end(u);
		u->scope = SCOPE_ALL;
		u->feed_off = u->feed_sel = 0;
	}
	u->screen = u->screen == S_PROFILE && u->profile_back == S_TOP ? S_TOP : S_CAMPAIGN;
	return KR_NONE;
}

/* Moves the selection of the focused list by delta rows. */
static void
scroll_by(struct ui *u, long delta)
{
	struct agg_campaign *c = ui_campaign(u);
	if (c == NULL)
		return;
	if (u->screen == S_OVERVIEW) {
		long s = (long)u->overview_sel + delta;
		long n = (long)u->agg->ncampaigns;
		u->overview_sel = (size_t)(s < 0 ? 0 : s >= n ? n - 1 : s);
		return;
	}
	if (u->screen == S_PROFILE) {
		long s = (long)u->profile_off + delta;
		u->profile_off = (size_t)(s < 0 ? 0 : s);
		return;
	}
	if (u->screen == S_JOBS) {
		long s = (long)u->jobs_off + delta; /* the screen keeps it in range */
		u->jobs_off = (size_t)(s < 0 ? 0 : s);
		return;
	}
	if (u->screen == S_TOP) {
		long s = (long)u->top_sel + delta, n = (long)c->sum.ntop;
		u->top_sel = (size_t)(s < 0 ? 0 : s >= n ? (n > 0 ? n - 1 : 0) : s);
		return;
	}
	if (u->focus == P_TWEETS) {
		long s = (long)u->tweets_sel + delta, n = (long)c->ntweets;
		u->tweets_sel = (size_t)(s < 0 ? 0 : s >= n ? (n > 0 ? n - 1 : 0) : s);
	} else if (u->focus == P_ALERTS) {
		long s = (long)u->alerts_off + delta, n = (long)c->nalerts;
		u->alerts_off = (size_t)(s < 0 ? 0 : s >= n ? (n > 0 ? n - 1 : 0) : s);
	} else if (u->focus == P_FEED) {
		/* the selection moves within the first screenful, then the list scrolls */
		long sel = (long)u->feed_sel + delta, off = (long)u->feed_off;
		if (sel < 0) {
			off += sel;
			sel = 0;
		} else if (sel > 9) {
			off += sel - 9;
			sel = 9;
		}
		long total = (long)pane_feed_count(u, c);
		if (off + sel >= total) {
			off = total - sel - 1 > 0 ? total - sel - 1 : 0;
			if (off + sel >= total)
				sel = total > 0 ? total - 1 - off : 0;
		}
		u->feed_off = (size_t)(off < 0 ? 0 : off);
		u->feed_sel = (size_t)(sel < 0 ? 0 : sel);
	}
}

static unsigned
k_down(struct ui *u, int key)
{
	scroll_by(u, key == KEY_CODE_PGDN ? 10 : 1);
	return KR_NONE;
}

static unsigned
k_up(struct ui *u, int key)
{
	scroll_by(u, key == KEY_CODE_PGUP ? -10 : -1);
	return KR_NONE;
}

static unsigned
k_live(struct ui *u, int key)
{
	(void)key;
	u->feed_off = 0;
	u->feed_sel = 0;
	u->profile_off = 0;
	u->alerts_off = 0;
	return KR_NONE;
}

static const struct key_binding table[] = {
    {'?', "?", "show this help", k_help},
    {'q', "q", "quit", k_quit},
    {'a', "a", "add a campaign (form; validated like a YAML file)", k_add},
    {'e', "e", "edit the campaign's tweets (form; add or remove links)", k_edit},
    {'E', "E", "edit the campaign's settings: CPM and spend, cadences, alerts (form)", k_settings},
    {'c', "c", "close out the campaign now (asks first), then its progress and report", k_close},
    {'p', "p", "pause or resume the campaign", k_pause},
    {KEY_CODE_TAB, "Tab", "focus the next pane (Shift-Tab: previous)", k_focus},
    {KEY_CODE_BTAB, "S-Tab", "focus the previous pane", k_focus},
    {'1', "1-9", "switch to campaign 1-9", k_campaign},
    {'[', "[", "previous campaign", k_campaign},
    {']', "]", "next campaign", k_campaign},
    {'/', "/", "filter the feed: bucket= action= cat= min= tweet=", k_filter},
    {'h', "h", "chart per hour", k_hour_day},
    {'d', "d", "chart per day", k_hour_day},
    {'w', "w", "chart resolution: auto, 1, 5, 15 min, hour, day", k_resolution},
    {'m', "m", "chart metric: views, likes, ... or all four counts", k_metric},
    {'s', "s", "chart scope: all tweets, a category, one tweet", k_scope},
    {'v', "v", "breakdown by action: all, retweet, reply, quote", k_action},
    {'f', "f", "likely farmed: leave out of / count in the pie and CPM", k_farm},
    {'t', "t", "next theme (default, light, mono)", k_theme},
    {'x', "x", "export the focused view as CSV", k_export},
    {'z', "z", "zoom the focused pane full screen (again: back)", k_zoom},
    {'o', "o", "campaigns overview", k_overview},
    {'b', "b", "events per bucket per day", k_buckets},
    {'u', "u", "top engagers by importance", k_top},
    {'i', "i", "jobs of every tweet, with their whole error or block reason", k_jobs},
    {'r', "r", "feed order: engagement time or arrival", k_order},
    {KEY_CODE_ENTER, "Enter",
        "open the selected engager's profile, or drill into the selected tweet", k_enter},
    {KEY_CODE_ESC, "Esc", "back to the campaign screen", k_back},
    {'j', "j/Down", "move down (PgDn: a page)", k_down},
    {'k', "k/Up", "move up (PgUp: a page)", k_up},
    {'g', "g", "back to the newest (live)", k_live},
};

/* Returns the pane drawn at (x, y), or -1. */
static int
pane_at(const struct ui *u, int x, int y)
{
	for (int p = 0; p < P__COUNT; p++) {
		const struct draw_rect *r = &u->pane_rect[p];
		if (r->w > 0 && x >= r->x && x < r->x + r->w && y >= r->y && y < r->y + r->h)
			return p;
	}
	return -1;
}

unsigned
keys_mouse(struct ui *u, enum key_mouse ev, int x, int y)
{
	if (u->dialog || u->help)
		return KR_NONE;
	if (u->screen != S_CAMPAIGN) {
		if (ev == MOUSE_CLICK)
			return KR_NONE;
		scroll_by(u, ev == MOUSE_WHEEL_UP ? -3 : 3); /* overview and profile lists */
		return KR_HANDLED | KR_REDRAW;
	}
	int p = pane_at(u, x, y);
	if (ev != MOUSE_CLICK) {
		struct agg_campaign *c = ui_campaign(u);
		if (p == P_TWEETS || p == P_ALERTS) {
			enum pane_id keep = u->focus;
			u->focus = (enum pane_id)p;
			scroll_by(u, ev == MOUSE_WHEEL_UP ? -3 : 3);
			u->focus = keep;
		} else if (c) {
			/* the feed's view moves, its selection stays on the same line;
			 * scrolled back it holds still while new rows arrive (g: live) */
			long off = (long)u->feed_off + (ev == MOUSE_WHEEL_UP ? -3 : 3);
			long total = (long)pane_feed_count(u, c);
			off = off > total - 1 ? total - 1 : off;
			u->feed_off = (size_t)(off < 0 ? 0 : off);
			if (u->feed_off + u->feed_sel >= (size_t)total)
				u->feed_sel = 0;
		}
		return KR_HANDLED | KR_REDRAW;
	}
	if (p < 0)
		return KR_NONE;
	u->focus = (enum pane_id)p;
	const struct draw_rect *r = &u->pane_rect[p];
	int row = y - r->y - 1; /* inside the frame */
	struct agg_campaign *c = ui_campaign(u);
	if (c && p == P_FEED && row >= 1 && row < r->h - 2) {
		/* below the column titles */
		if (pane_feed_row(u, c, u->feed_off, (size_t)(row - 1)) >= 0)
			u->feed_sel = (size_t)(row - 1);
	} else if (c && p == P_TWEETS && row >= 1 && row < r->h - 2) {
		/* below the column titles; the table scrolls to keep the selection shown */
		size_t rows = (size_t)(r->h - 3);
		size_t first = u->tweets_sel >= rows && rows > 0 ? u->tweets_sel - rows + 1 : 0;
		if (first + (size_t)(row - 1) < c->ntweets)
			u->tweets_sel = first + (size_t)(row - 1);
	}
	return KR_HANDLED | KR_REDRAW;
}

const struct key_binding *
keys_table(size_t *n)
{
	*n = LW_ARRAY_LEN(table);
	return table;
}

/* Aliases: keys that act like another key of the table. */
static const struct {
	int key, as;
} aliases[] = {
    {KEY_CODE_DOWN, 'j'},
    {KEY_CODE_UP, 'k'},
    {KEY_CODE_PGDN, 'j'},
    {KEY_CODE_PGUP, 'k'},
    {'\n', KEY_CODE_ENTER},
    {KEY_CODE_HOME, 'g'},
};

unsigned
keys_handle(struct ui *u, int key)
{
	int look = key;
	for (size_t i = 0; i < LW_ARRAY_LEN(aliases); i++)
		if (aliases[i].key == key)
			look = aliases[i].as;
	if (look >= '2' && look <= '9')
		look = '1';
	for (size_t i = 0; i < LW_ARRAY_LEN(table); i++)
		if (table[i].key == look)
			return table[i].fn(u, key) | KR_HANDLED | KR_REDRAW;
	return KR_NONE;
}
