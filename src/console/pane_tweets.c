/*
 * pane_tweets: every tracked tweet with its category, author, counts (as
 * of the summary), change in views over the last hour (from the tweet's
 * own series, read on demand for the rows shown), credits, the mean
 * sentiment of its scored replies and quotes (model/sentiment.h; "not
 * scored" when no scorer ran) and job state (backfilling, ok, blocked
 * until, error). Curses-free; UI thread.
 */
#include <stdio.h>
#include <string.h>

#include "base/fmt.h"
#include "console/pane.h"

/* Writes the most telling state of a tweet's four jobs into buf and
 * returns the role to show it in. */
static enum theme_role
job_summary(const struct agg_tweet *t, char *buf, size_t len)
{
	static const int rank[JS__COUNT] = {
	    0, 2, 1, 3, 4}; /* error > blocked > backfill > ok > new */
	const struct agg_job *worst = &t->job[0];
	for (int k = 1; k < JOB__COUNT; k++)
		if (rank[t->job[k].state] > rank[worst->state])
			worst = &t->job[k];
	char c[16];
	switch (worst->state) {
	case JS_BLOCKED:
		if (worst->blocked_until_ms)
			snprintf(buf, len, "blocked until %s",
			    fmt_clock(worst->blocked_until_ms, c, sizeof c));
		else
			snprintf(buf, len, "blocked %s", worst->why ? worst->why : "");
		return T_WARN;
	case JS_ERROR:
		snprintf(buf, len, "error %s", worst->why ? worst->why : "");
		return T_ERROR;
	default:
		snprintf(buf, len, "%s", agg_job_state_name(worst->state));
		return worst->state == JS_OK ? T_OK : T_DIM;
	}
}

/* Returns the first tweet shown in a table of rows rows: the selection
 * stays in view. */
static size_t
first_row(const struct ui *u, int rows)
{
	return u->tweets_sel >= (size_t)rows && rows > 0 ? u->tweets_sel - (size_t)rows + 1 : 0;
}

void
pane_tweets_rows(const struct ui *u, const struct agg_campaign *c, size_t *first, size_t *n)
{
	const struct draw_rect *r = &u->pane_rect[P_TWEETS];
	int rows = r->w > 0 ? r->h - 3 : 0;
	*first = rows > 0 ? first_row(u, rows) : 0;
	*n = 0;
	if (rows > 0 && *first < c->ntweets)
		*n = c->ntweets - *first < (size_t)rows ? c->ntweets - *first : (size_t)rows;
}

/* Writes the likely-farmed share of tweet id's engaged accounts ("-" when
 * the summary has no farm data or the signal is off). */
static void
farm_cell(const struct agg_campaign *c, const char *id, char *buf, size_t len)
{
	int i = prep_summary_tweet(&c->sum, id);
	int64_t farmed,
	    n = i >= 0 ? prep_tweet_farmed(&c->sum, (size_t)i, c->cfg.farm.threshold, &farmed) : 0;
	if (!prep_has_farm(&c->sum) || c->cfg.farm.threshold <= 0 || n <= 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.0f%%", 100.0 * (double)farmed / (double)n);
}

void
pane_tweets_draw(struct ui *u, struct draw_grid *g, struct draw_rect r, bool focus)
{
	struct agg_campaign *c = ui_campaign(u);
	char title[160] = "Tweets";
	struct agg_cpm cpm;
	if (c)
		agg_cpm_farm(c, ui_farm_excluded(u, c), &cpm);
	if (c && (cpm.has_paid || cpm.has_spend)) /* the settings' CPM, live */
		snprintf(title, sizeof title,
		    "Tweets  CPM so far%s: paid equivalent $%.2f, spend $%.2f, savings %s$%.2f",
		    cpm.farm_excluded ? " (likely farmed left out)" : "", cpm.paid_usd,
		    cpm.spend_usd, cpm.savings_usd < 0 ? "-" : "",
		    cpm.savings_usd < 0 ? -cpm.savings_usd : cpm.savings_usd);
	else if (c && c->known)
		snprintf(title, sizeof title, "Tweets  (no CPM benchmark or spend set: E)");
	draw_box(g, r, focus ? T_BORDER_FOCUS : T_BORDER, title, T_TITLE);
	if (c == NULL)
		return;
	int x0 = r.x + 1, w = r.w - 2, y = r.y + 1;
	static const struct {
		const char *name;
		int width;
	} cols[] = {{"#", 3}, {"category", 11}, {"author", 14}, {"views", 7}, {"likes", 7},
	    {"RTs", 6}, {"replies", 7}, {"quotes", 6}, {"+1h views", 9}, {"credits", 7},
	    {"farmed", 6}, {"sentiment", 11}};
	int x = x0;
	for (size_t i = 0; i < sizeof cols / sizeof cols[0] && x < x0 + w; i++) {
		int cw = cols[i].width < x0 + w - x ? cols[i].width : x0 + w - x;
		if (i >= 3)
			draw_text_right(g, x, y, cw, T_DIM, cols[i].name);
		else
			draw_text(g, x, y, cw, T_DIM, cols[i].name);
		x += cols[i].width + 1;
	}
	if (x < x0 + w)
		draw_text(g, x, y, x0 + w - x, T_DIM, "jobs");
	int rows = r.h - 3;
	size_t first = first_row(u, rows);
	for (int i = 0; i < rows && first + (size_t)i < c->ntweets; i++) {
		size_t ti = first + (size_t)i;
		const struct agg_tweet *t = &c->tweets[ti];
		int yy = y + 1 + i;
		bool sel = focus && ti == u->tweets_sel;
		enum theme_role base = sel ? T_SELECTED : T_NORMAL;
		if (sel)
			draw_fill(g, (struct draw_rect){x0, yy, w, 1}, ' ', T_SELECTED);
		char v[12][24];
		snprintf(v[0], 24, "%zu", ti + 1);
		snprintf(v[1], 24, "%s", category_name((enum tweet_category)t->category));
		snprintf(v[2], 24, "%s%s", t->author ? "@" : "", t->author ? t->author : "?");
		/* no zeros as final before the tweet's first metrics reading, no
		 * count below zero */
		const struct agg_job *mj = &t->job[JOB_METRICS];
		bool unread = c->status == CS_ACTIVE && t->listed && mj->last_success_ms == 0 &&
		              mj->why == NULL && t->total[M_VIEWS] == 0 && t->total[M_LIKES] == 0;
		static const enum agg_metric shown[5] = {
		    M_VIEWS, M_LIKES, M_RETWEETS, M_REPLIES, M_QUOTES};
		for (int k = 0; k < 5; k++) {
			int64_t n = t->total[shown[k]];
			if (unread)
				snprintf(v[3 + k], 24, "...");
			else
				fmt_count(n < 0 ? 0 : n, v[3 + k], 24);
		}
		char d[16];
		if (t->load == AGG_LOAD_READY)
			snprintf(v[8], 24, "+%s",
			    fmt_count(series_sum(&t->m[M_VIEWS], u->now_ms - SERIES_HOUR_MS + 1,
			                  u->now_ms + 1),
			        d, sizeof d));
		else
			snprintf(v[8], 24, "%s", t->load == AGG_LOAD_FAILED ? "?" : "...");
		int64_t credits = 0;
		for (int k = 0; k < JOB__COUNT; k++)
			credits += t->job[k].credits;
		fmt_count(credits, v[9], 24);
		farm_cell(c, t->id, v[10], 24);
		const struct sent_sums *ss = c->sent ? sent_state_tweet(c->sent, t->id) : NULL;
		if (c->sent == NULL || (ss != NULL && ss->count == 0))
			snprintf(v[11], 24, "not scored");
		else if (ss == NULL)
			snprintf(v[11], 24, "-");
		else
			sent_sums_text(ss, v[11], 24);
		x = x0;
		for (size_t k = 0; k < 12 && x < x0 + w; k++) {
			int cw = cols[k].width < x0 + w - x ? cols[k].width : x0 + w - x;
			if (k >= 3)
				draw_text_right(g, x, yy, cw, base, v[k]);
			else
				draw_text(g, x, yy, cw, base, v[k]);
			x += cols[k].width + 1;
		}
		char js[160];
		enum theme_role jr = job_summary(t, js, sizeof js);
		if (x < x0 + w)
			draw_text(g, x, yy, x0 + w - x, sel ? base : jr, js);
	}
}
