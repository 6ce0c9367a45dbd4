/*
 * pane_export: the focused view as CSV (feed: every stored engagement
 * passing the filter, streamed by the reader (engine/feed_export.h); chart: the cumulative series; breakdown: unique
 * accounts per bucket and action; tweets: the table; alerts: the list; the
 * top engagers screen: its list), the rest from the summary, cells through
 * the one guarded writer (base/csv.h). Writes one file; UI thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/csv.h"
#include "base/fmt.h"
#include "console/pane.h"
#include "base/util.h"

/* Writes the top engagers of the summary. */
static void
export_top(struct agg_campaign *c, struct sbuf *b)
{
	sbuf_addstr(b, "rank,user_id,handle,name,bucket,importance,followers,verified,retweets,"
	               "replies,quotes,tweets\n");
	for (size_t i = 0; i < c->sum.ntop; i++) {
		const struct prep_top *t = &c->sum.top[i];
		sbuf_printf(b, "%zu,%s,", i + 1, t->user_id);
		csv_field(b, t->handle, false);
		csv_field(b, t->name, false);
		sbuf_printf(b, "%s,%d,%lld,%d,%lld,%lld,%lld,%lld\n",
		    bucket_name((enum lw_bucket)t->bucket), t->importance, (long long)t->followers,
		    t->verified, (long long)t->actions[ACT_RETWEET],
		    (long long)t->actions[ACT_REPLY], (long long)t->actions[ACT_QUOTE],
		    (long long)t->ntweets);
	}
}

/* Writes the cumulative series of every metric for all tweets, at the
 * resolution the chart shows (its width decides "auto"). */
static void
export_chart(struct ui *u, struct agg_campaign *c, struct sbuf *b)
{
	enum { MAXB = 24 * 60 };
	double *v[M__COUNT];
	size_t n = 0;
	int64_t first = 0, to = u->now_ms;
	const struct minutes *mins = &c->sum.mins[CAT__COUNT];
	int w = u->pane_rect[P_CHART].w > 2 ? (u->pane_rect[P_CHART].w - 2) * 2 : 160;
	enum res res = pane_chart_res(c, mins, u->res, u->now_ms, (size_t)w, &to);
	int64_t unit = res_unit_ms(res);
	sbuf_addstr(b, res_name(res));
	for (int m = 0; m < M__COUNT; m++) {
		v[m] = xcalloc(MAXB, sizeof *v[m]);
		n = minutes_out(mins, m, unit, true, to, v[m], MAXB, &first);
		sbuf_printf(b, ",%s", agg_metric_name((enum agg_metric)m));
	}
	sbuf_addstr(b, "\n");
	for (size_t i = 0; i < n; i++) {
		char d[16], t[16];
		int64_t at = first + (int64_t)i * unit;
		sbuf_printf(b, "%sT%sZ", fmt_day(at, d, sizeof d), fmt_clock(at, t, sizeof t));
		for (int m = 0; m < M__COUNT; m++)
			sbuf_printf(b, ",%.0f", v[m][i]);
		sbuf_addstr(b, "\n");
	}
	for (int m = 0; m < M__COUNT; m++)
		free(v[m]);
}

/* Writes unique accounts per bucket, all actions and each. */
static void
export_pie(struct agg_campaign *c, struct sbuf *b)
{
	sbuf_addstr(b, "bucket,accounts,retweet,reply,quote\n");
	for (int k = 0; k < BK__COUNT; k++)
		sbuf_printf(b, "%s,%lld,%lld,%lld,%lld\n", bucket_name((enum lw_bucket)k),
		    (long long)c->sum.uniq[k], (long long)c->sum.uniq_act[ACT_RETWEET][k],
		    (long long)c->sum.uniq_act[ACT_REPLY][k],
		    (long long)c->sum.uniq_act[ACT_QUOTE][k]);
}

/* Writes the tweets table. */
static void
export_tweets(struct agg_campaign *c, struct sbuf *b)
{
	sbuf_addstr(b, "tweet_id,category,author,likes,retweets,replies,quotes,views,bookmarks,"
	               "retweeters,repliers,quoters\n");
	for (size_t i = 0; i < c->ntweets; i++) {
		const struct agg_tweet *t = &c->tweets[i];
		sbuf_printf(b, "%s,%s,", t->id, category_name((enum tweet_category)t->category));
		csv_field(b, t->author ? t->author : "", false);
		for (int m = 0; m < M__COUNT; m++)
			sbuf_printf(b, "%lld,", (long long)t->total[m]);
		sbuf_printf(b, "%lld,%lld,%lld\n", (long long)t->eng[0], (long long)t->eng[1],
		    (long long)t->eng[2]);
	}
}

/* Writes the alerts. */
static void
export_alerts(struct agg_campaign *c, struct sbuf *b)
{
	sbuf_addstr(b, "at_ms,channel,handle,action,tweet_id,status\n");
	for (size_t i = 0; i < c->nalerts; i++) {
		const struct agg_alert *a = &c->alerts[i];
		char st[160];
		sbuf_printf(b, "%lld,", (long long)a->at_ms);
		csv_field(b, a->channel, false);
		csv_field(b, a->handle, false);
		sbuf_printf(b, "%s,%s,", action_name((enum lw_action)a->action), a->tweet_id);
		csv_field(b, alert_delivery_format(a->status, a->why, st, sizeof st), true);
	}
}

int
ui_export_csv(struct ui *u, const char *dir, char **path, char **cause)
{
	struct agg_campaign *c = ui_campaign(u);
	if (c == NULL)
		return set_cause(cause, "no campaign to export");
	static const char *const pane_names[P__COUNT] = {
	    "engagers", "chart", "buckets", "tweets", "alerts"};
	struct sbuf b;
	sbuf_init(&b);
	const char *what = pane_names[u->focus];
	if (u->screen == S_PROFILE || u->screen == S_BUCKETS || u->screen == S_OVERVIEW ||
	    u->screen == S_CLOSEOUT)
		what = "engagers";
	if (u->screen == S_TOP)
		what = "top";
	char stamp[48], d[16], t[16];
	fmt_day(u->now_ms, d, sizeof d);
	fmt_clock(u->now_ms, t, sizeof t);
	snprintf(stamp, sizeof stamp, "%s-%c%c%c%c%c%c", d, t[0], t[1], t[3], t[4], t[6], t[7]);
	char *p = xasprintf("%s/launchwatch-%s-%s-%s.csv", dir, c->id, what, stamp);
	if (u->screen != S_TOP && strcmp(what, "engagers") == 0) {
		/* every stored row, not the feed's newest: streamed by the reader */
		ui_post_export(u, c->id, &u->filter, p);
		sbuf_done(&b);
		*path = p;
		return 1;
	}
	if (u->screen == S_TOP)
		export_top(c, &b);
	else if (u->focus == P_CHART)
		export_chart(u, c, &b);
	else if (u->focus == P_PIE)
		export_pie(c, &b);
	else if (u->focus == P_TWEETS)
		export_tweets(c, &b);
	else
		export_alerts(c, &b);
	int rc = file_write_atomic(p, b.s ? b.s : "", b.len, cause);
	sbuf_done(&b);
	if (rc != 0) {
		free(p);
		return -1;
	}
	*path = p;
	return 0;
}
