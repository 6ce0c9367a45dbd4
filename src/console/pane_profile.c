/*
 * pane_profile: one account's profile (handle, name, followers, bucket,
 * sanitized bio, its URL on x.com, how its importance adds up) and its
 * engagements in the campaign, newest first, as the
 * reader read them on demand (its account chunk and up to AGG_PROFILE_MAX
 * of its engagement documents); what the row it was opened from knows
 * shows at once, with "loading..." until the rest arrives. Curses-free; UI
 * thread.
 */
#include <stdio.h>

#include "base/fmt.h"
#include "console/pane.h"
#include "model/classify.h"
#include "model/farm.h"

/* Draws on row *y how the best engagement's importance adds up (docs/
 * scoring.md): followers, verification, bucket weight, action, category. */
static void
profile_terms(
    struct agg_campaign *c, const struct agg_profile *p, struct draw_grid *g, int x0, int *y, int w)
{
	const struct agg_profile_eng *best = NULL;
	for (size_t i = 0; i < p->neng; i++)
		if (best == NULL || p->eng[i].importance > best->importance)
			best = &p->eng[i];
	if (best == NULL)
		return;
	int ti = c ? agg_tweet_index(c, best->tweet_id) : -1;
	enum tweet_category cat = ti >= 0 ? (enum tweet_category)c->tweets[ti].category : CAT_MAIN;
	struct importance_terms t;
	classify_importance_terms(
	    best->importance, p->followers, p->verified, (enum lw_action)best->action, cat, &t);
	draw_textf(g, x0, (*y)++, w, T_NORMAL,
	    "importance %d = followers %d + verified %d + %s %d + %s %d + %s tweet %d%s",
	    best->importance, t.followers, t.verified, bucket_name((enum lw_bucket)best->bucket),
	    t.bucket, action_name((enum lw_action)best->action), t.action, category_name(cat),
	    t.category, t.capped ? " (capped to 0..100)" : "");
}

void
pane_profile_draw(struct ui *u, struct draw_grid *g, struct draw_rect r)
{
	struct agg_campaign *c = ui_campaign(u);
	const struct agg_profile *p = u->profile;
	draw_box(g, r, T_BORDER_FOCUS, "Profile (Esc back)", T_TITLE);
	if (p == NULL)
		return;
	int x0 = r.x + 2, w = r.w - 4, y = r.y + 1, end = r.y + r.h - 1;
	char f[16], fo[16], when[32];
	draw_textf(g, x0, y++, w, T_TITLE, "@%s  %s%s", p->handle ? p->handle : "",
	    p->name ? p->name : "", p->verified ? "  (verified)" : "");
	if (p->state == AGG_LOAD_READY)
		draw_textf(g, x0, y++, w, T_NORMAL, "followers %s  following %s  id %s",
		    fmt_count(p->followers, f, sizeof f), fmt_count(p->following, fo, sizeof fo),
		    p->user_id);
	else
		draw_textf(g, x0, y++, w, T_NORMAL, "followers %s  id %s",
		    fmt_count(p->followers, f, sizeof f), p->user_id);
	char n[64] = "";
	if (p->total)
		snprintf(n, sizeof n, ", %zu engagement%s in this campaign", p->total,
		    p->total == 1 ? "" : "s");
	draw_textf(g, x0, y++, w, (enum theme_role)(T_BK_INVESTOR + p->bucket),
	    "%s, importance up to %d%s", bucket_name((enum lw_bucket)p->bucket), p->importance, n);
	if (p->first_at_ms > 0)
		draw_textf(g, x0, y++, w, T_DIM, "first engaged %s %s",
		    fmt_day(p->first_at_ms, when, sizeof when),
		    fmt_clock(p->first_at_ms, f, sizeof f));
	if (p->state == AGG_LOAD_ASKED) {
		draw_text(g, x0, y + 1, w, T_DIM, "loading...");
		return;
	}
	if (p->state == AGG_LOAD_FAILED) {
		draw_textf(
		    g, x0, y + 1, w, T_ERROR, "could not be read: %s", p->why ? p->why : "?");
		return;
	}
	draw_text(g, x0, y++, w, T_DIM, p->bio);
	if (p->handle && *p->handle)
		draw_textf(g, x0, y++, w, T_NORMAL, "https://x.com/%s", p->handle);
	profile_terms(c, p, g, x0, &y, w);
	if (p->has_farm && c && c->cfg.farm.threshold > 0) { /* docs/scoring.md section 7 */
		char why[200];
		int score = farm_score(p->farm_reasons);
		farm_reasons_text(p->farm_reasons, why, sizeof why);
		draw_textf(g, x0, y++, w,
		    farm_likely(score, c->cfg.farm.threshold) ? T_ERROR : T_DIM,
		    "farm score %d%s%s%s (its own rules; repeated replies and bursts count in the "
		    "shares)",
		    score, why[0] ? " = " : "", why,
		    farm_likely(score, c->cfg.farm.threshold) ? ": likely farmed" : "");
	}
	y++;
	if (p->total > p->neng && y < end)
		draw_textf(g, x0, y++, w, T_DIM,
		    "the %zu most recently stored of %zu engagements:", p->neng, p->total);
	for (size_t i = u->profile_off; i < p->neng && y < end; i++) {
		const struct agg_profile_eng *en = &p->eng[i];
		char t[16], d[16];
		int ti = c ? agg_tweet_index(c, en->tweet_id) : -1;
		int cat = ti >= 0 ? c->tweets[ti].category : CAT_MAIN;
		draw_textf(g, x0, y++, w, T_NORMAL, "%s %s  %-7s tweet #%d (%s)  importance %d  %s",
		    fmt_day(en->at_ms, d, sizeof d), fmt_clock(en->at_ms, t, sizeof t),
		    action_name((enum lw_action)en->action), ti + 1,
		    category_name((enum tweet_category)cat), en->importance, en->text);
	}
}
