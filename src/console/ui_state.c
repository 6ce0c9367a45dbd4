/*
 * ui_state: the helpers of struct ui (console/ui_state.h): prepare and free
 * it, the current campaign, the status message, the close-out screen and
 * the queue of campaign commands. Curses-free; UI thread
 * only (or any thread owning its own ui, as in tests and the benchmark).
 */
#include "console/ui_state.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/dialog.h"
#include "base/util.h"

void
ui_init(struct ui *u, struct agg *agg)
{
	memset(u, 0, sizeof *u);
	u->agg = agg;
	u->metric = M_VIEWS;
	u->pie_action = -1;
	u->dirty = true;
	u->db_ok = true;
	snprintf(u->theme_name, sizeof u->theme_name, "default");
}

void
ui_done(struct ui *u)
{
	while (u->cmds) {
		struct ui_cmd *c = u->cmds;
		u->cmds = c->next;
		config_free(c->f);
		free(c->path);
		free(c);
	}
	dialog_free(u->dialog);
	agg_profile_free(u->profile);
	reader_closeout_free(u->closeout);
	free(u->message);
	free(u->db_status);
	free(u->feed_perm);
	memset(u, 0, sizeof *u);
}

struct agg_campaign *
ui_campaign(struct ui *u)
{
	if (u->agg == NULL || u->agg->ncampaigns == 0)
		return NULL;
	if (u->cur >= u->agg->ncampaigns)
		u->cur = u->agg->ncampaigns - 1;
	return u->agg->campaigns[u->cur];
}

/* Returns when campaign c last stored an engagement (0: never seen). */
static int64_t
last_activity(const struct agg_campaign *c)
{
	int64_t t = 0;
	for (size_t i = 0; i < c->nfeed; i++)
		if (c->feed[i].first_seen_at_ms > t)
			t = c->feed[i].first_seen_at_ms;
	return t;
}

void
ui_pick_campaign(struct ui *u)
{
	struct agg *a = u->agg;
	if (!u->pick_pending || a == NULL || a->ncampaigns == 0)
		return;
	if (u->pick_by_ms == 0)
		u->pick_by_ms = u->now_ms + UI_PICK_WAIT_MS;
	bool all = true;
	for (size_t i = 0; i < a->ncampaigns; i++)
		all &= a->campaigns[i]->known && a->campaigns[i]->prep != AGG_PREP_LOADING;
	if (!all && u->now_ms < u->pick_by_ms)
		return;
	long best = -1;
	int64_t best_t = -1;
	for (size_t i = 0; i < a->ncampaigns; i++) {
		const struct agg_campaign *c = a->campaigns[i];
		if (c->status == CS_COMPLETED)
			continue;
		if (u->pick_cid[0] && strcmp(c->id, u->pick_cid) == 0) {
			best = (long)i;
			break;
		}
		int64_t t = last_activity(c);
		if (t > best_t) {
			best = (long)i;
			best_t = t;
		}
	}
	u->pick_pending = false;
	if (best >= 0 && (size_t)best != u->cur) {
		u->cur = (size_t)best;
		u->dirty = true;
	}
}

void
ui_set_sim_tweets(struct ui *u, const char *const *ids, size_t n)
{
	u->nsim_tweets = 0;
	u->sim_tweets_text[0] = '\0';
	for (size_t i = 0; i < n && i < UI_SIM_TWEETS; i++) {
		snprintf(u->sim_tweets[u->nsim_tweets++], LW_ID_MAX, "%s", ids[i]);
		size_t at = strlen(u->sim_tweets_text);
		snprintf(u->sim_tweets_text + at, sizeof u->sim_tweets_text - at, "%s%s",
		    i ? ", " : "", ids[i]);
	}
}

size_t
ui_sim_unknown(const struct ui *u, const struct agg_campaign *c)
{
	if (!u->simulated || u->nsim_tweets == 0 || c == NULL)
		return 0;
	size_t unknown = 0;
	for (size_t i = 0; i < c->ntweets; i++) {
		bool known = !c->tweets[i].listed;
		for (size_t k = 0; !known && k < u->nsim_tweets; k++)
			known = strcmp(c->tweets[i].id, u->sim_tweets[k]) == 0;
		unknown += !known;
	}
	return unknown;
}

bool
ui_sim_note(const struct ui *u, const struct agg_campaign *c, char *buf, size_t len)
{
	size_t unknown = ui_sim_unknown(u, c);
	if (unknown == 0)
		return false;
	snprintf(buf, len,
	    "SIMULATED DATA (no TWITTERAPI_KEY): the simulator knows only the demo's tweets %s; "
	    "%zu of this campaign's tweets read as missing (i: jobs)",
	    u->sim_tweets_text, unknown);
	return true;
}

void
ui_message(struct ui *u, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(u->message);
	u->message = xvasprintf(fmt, ap);
	va_end(ap);
	u->message_ms = u->now_ms;
	u->dirty = true;
}

void
ui_open_profile(struct ui *u, struct agg_profile *p, const char *tweet_id, enum lw_action action)
{
	agg_profile_free(u->profile);
	u->profile = p;
	u->profile_asked = true;
	snprintf(u->profile_tweet, sizeof u->profile_tweet, "%s", tweet_id ? tweet_id : "");
	u->profile_action = action;
	u->profile_back = u->screen == S_PROFILE ? u->profile_back : u->screen;
	u->profile_off = 0;
	u->screen = S_PROFILE;
	u->dirty = true;
}

void
ui_show_closeout(struct ui *u, const char *cid)
{
	snprintf(u->closeout_cid, sizeof u->closeout_cid, "%s", cid);
	u->screen = S_CLOSEOUT;
	u->zoom = false;
	u->dirty = true;
}

/* Appends c to u's queue (takes it). */
static void
queue_cmd(struct ui *u, struct ui_cmd *c)
{
	struct ui_cmd **p = &u->cmds;
	while (*p)
		p = &(*p)->next;
	*p = c;
}

void
ui_post(struct ui *u, enum reader_cmd cmd, const char *cid, struct cfg_file *f)
{
	struct ui_cmd *c = xcalloc(1, sizeof *c);
	c->cmd = cmd;
	snprintf(c->cid, sizeof c->cid, "%s", cid ? cid : "");
	c->f = f;
	queue_cmd(u, c);
}

void
ui_post_export(struct ui *u, const char *cid, const struct agg_filter *flt, const char *path)
{
	struct ui_cmd *c = xcalloc(1, sizeof *c);
	c->cmd = READER_EXPORT;
	snprintf(c->cid, sizeof c->cid, "%s", cid);
	c->filter = *flt;
	c->path = xstrdup(path);
	queue_cmd(u, c);
}

bool
ui_farm_excluded(const struct ui *u, const struct agg_campaign *c)
{
	return c != NULL && prep_has_farm(&c->sum) && c->cfg.farm.threshold > 0 &&
	       (c->cfg.farm.exclude != u->farm_flip);
}
