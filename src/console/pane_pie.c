/*
 * pane_pie: unique engaged accounts by bucket (deduped per campaign) as a
 * proportional bar with a legend of counts and percentages, for all actions
 * or one; drilled into a tweet, that tweet's accounts (from the prepared
 * summary's per-tweet counts). Curses-free; UI thread.
 */
#include <stdio.h>

#include "console/pane.h"

bool
pane_drill_uniq(struct ui *u, const struct agg_campaign *c, const int64_t **uniq,
    const int64_t (**uniq_act)[BK__COUNT], char *why, size_t len)
{
	*uniq = c->sum.uniq;
	*uniq_act = c->sum.uniq_act;
	why[0] = '\0';
	if (!u->filter.tweet_id[0]) /* drilled in, or tweet= typed in the filter */
		return false;
	int ti = prep_summary_tweet(&c->sum, u->filter.tweet_id);
	static const int64_t none[BK__COUNT], none_act[ACT__COUNT][BK__COUNT];
	if (!c->sum.tweet_uniq)
		snprintf(why, len,
		    "this tweet's accounts are not prepared (a summary of an older release: "
		    "launchwatch campaign rebuild %s)",
		    c->id);
	*uniq = ti >= 0 && c->sum.tweet_uniq ? c->sum.tweets[ti].uniq : none;
	*uniq_act = ti >= 0 && c->sum.tweet_uniq ? c->sum.tweets[ti].uniq_act : none_act;
	return true;
}

void
pane_pie_draw(struct ui *u, struct draw_grid *g, struct draw_rect r, bool focus)
{
	struct agg_campaign *c = ui_campaign(u);
	char title[160], why[256];
	const int64_t *uniq = NULL;
	const int64_t(*uniq_act)[BK__COUNT] = NULL;
	bool drill = c && pane_drill_uniq(u, c, &uniq, &uniq_act, why, sizeof why);
	/* drilled into a tweet: that tweet's accounts (Esc: every tweet's) */
	char of[32] = "";
	if (drill)
		snprintf(of, sizeof of, ", tweet #%d", agg_tweet_index(c, u->filter.tweet_id) + 1);
	/* likely farmed: the share, and whether the bars leave them out (the
	 * campaign's all-actions view only: the summary counts farmed accounts
	 * per bucket, not per action or per tweet and bucket) */
	char farm[64] = "";
	bool excl = c && !drill && u->pie_action < 0 && ui_farm_excluded(u, c);
	if (c && prep_has_farm(&c->sum) && c->cfg.farm.threshold > 0 &&
	    c->sum.unique_accounts > 0) {
		int64_t f = prep_farmed(&c->sum, BK__COUNT, c->cfg.farm.threshold);
		if (excl)
			snprintf(farm, sizeof farm, ", %lld likely farmed left out", (long long)f);
		else
			snprintf(farm, sizeof farm, ", %.0f%% likely farmed",
			    100.0 * (double)f / (double)c->sum.unique_accounts);
	}
	snprintf(title, sizeof title, "Unique accounts by bucket%s (%s%s)", of,
	    u->pie_action < 0 ? "all actions" : action_name((enum lw_action)u->pie_action), farm);
	draw_box(g, r, focus ? T_BORDER_FOCUS : T_BORDER, title, T_TITLE);
	if (c == NULL)
		return;
	if (pane_not_ready(c, why, sizeof why) || why[0]) {
		draw_text(g, r.x + 2, r.y + 1, r.w - 4, T_DIM, why);
		return;
	}
	struct draw_part p[BK__COUNT];
	for (int b = 0; b < BK__COUNT; b++)
		p[b] = (struct draw_part){bucket_name((enum lw_bucket)b),
		    (u->pie_action < 0 ? uniq[b] : uniq_act[u->pie_action][b]) -
		        (excl ? prep_farmed(&c->sum, b, c->cfg.farm.threshold) : 0),
		    (enum theme_role)(T_BK_INVESTOR + b)};
	draw_breakdown(g, (struct draw_rect){r.x + 2, r.y + 1, r.w - 4, r.h - 2}, p, BK__COUNT);
}
