/*
 * dispatch: the console's handlers and the reader meet struct ui here
 * (console/dispatch.h), so that neither the key table nor the dialogs call
 * back into the loop. Curses-free; UI thread only.
 */
#include "console/dispatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "console/dialog.h"
#include "console/keys.h"
#include "console/pane.h"

/* Carries out what a finished dialog asks for. Takes res's file and
 * message. */
static void
apply_result(struct ui *u, struct dialog_result *res)
{
	if (res->message) {
		ui_message(u, "%s", res->message);
		free(res->message);
		res->message = NULL;
	}
	if (res->filter) {
		u->filter = res->filt;
		snprintf(u->filter_text, sizeof u->filter_text, "%s", res->filter_text);
		u->feed_off = u->feed_sel = 0;
		u->drill = false; /* the user's own filter stays after Esc */
	}
	if (res->post) {
		ui_post(u, res->cmd, res->cid, res->f);
		res->f = NULL;
	}
	if (res->show_closeout)
		ui_show_closeout(u, res->cid);
}

unsigned
dispatch_key(struct ui *u, int key)
{
	if (u->dialog) {
		struct dialog_result res;
		if (dialog_key(u->dialog, key, &res)) {
			dialog_free(u->dialog);
			u->dialog = NULL;
			apply_result(u, &res);
		}
		return KR_HANDLED | KR_REDRAW;
	}
	if (u->help) {
		u->help = false;
		return KR_HANDLED | KR_REDRAW;
	}
	if (key == '\n')
		key = KEY_CODE_ENTER;
	unsigned r = keys_handle(u, key);
	if (!(r & KR_HANDLED) && key < 0x80 && key >= 0x20)
		ui_message(u, "key '%c' does nothing here; ? shows the keys", key);
	else if (u->message && !(r & KR_KEEP_MESSAGE))
		u->message[0] = '\0';
	return r;
}

/* Asks r for the own series of the tweets the current campaign's chart
 * and tweets table show and that are not read yet. */
static void
ask_series(struct ui *u, struct reader *r)
{
	struct agg_campaign *c = ui_campaign(u);
	if (c == NULL || c->prep != AGG_PREP_READY)
		return;
	if (u->scope >= 4 && agg_tweet_ask(c, (size_t)(u->scope - 4)))
		reader_series(r, c->id, c->tweets[u->scope - 4].id);
	size_t first, n;
	pane_tweets_rows(u, c, &first, &n);
	for (size_t i = first; i < first + n; i++)
		if (agg_tweet_ask(c, i))
			reader_series(r, c->id, c->tweets[i].id);
}

void
dispatch_commands(struct ui *u, struct reader *r)
{
	while (u->cmds) {
		struct ui_cmd *c = u->cmds;
		u->cmds = c->next;
		if (r && c->cmd == READER_EXPORT) {
			reader_post_export(r, c->cid, &c->filter, c->path);
		} else if (r) {
			reader_post(r, c->cmd, c->cid, c->f);
		} else {
			config_free(c->f);
			ui_message(u, "no database connection");
		}
		free(c->path);
		free(c);
	}
	if (u->profile_asked && u->profile) {
		u->profile_asked = false;
		if (r) {
			reader_profile(r, u->profile->cid, u->profile->user_id, u->profile_tweet,
			    u->profile_action);
		} else {
			u->profile->state = AGG_LOAD_FAILED;
			u->profile->why = xstrdup("no database connection");
		}
	}
	if (r == NULL)
		return;
	reader_watch(r, u->screen == S_CLOSEOUT ? u->closeout_cid : "");
	ask_series(u, r);
}

/* Applies what the reader read of one campaign's prepared data (moves what
 * f holds); a scrolled feed of the current campaign stays on its row. */
static void
apply_feed(struct ui *u, struct reader_feed *f)
{
	struct agg_campaign *c = agg_campaign(u->agg, f->cid);
	bool held = c && c == ui_campaign(u) && u->feed_off > 0;
	uint64_t key = 0;
	if (held) {
		long i = pane_feed_row(u, c, u->feed_off, 0);
		held = i >= 0;
		key = held ? agg_eng_key(&c->feed[i]) : 0;
	}
	if (f->preparing)
		agg_set_preparing(u->agg, f->cid);
	if (f->summary)
		agg_set_summary(u->agg, f->cid, f->summary);
	if (f->neng)
		agg_feed_add(u->agg, f->cid, f->eng, f->neng);
	for (size_t i = 0; i < f->nseries; i++) {
		if (f->series[i].ok)
			agg_set_tweet_minutes(
			    u->agg, f->cid, f->series[i].tweet_id, &f->series[i].mins);
		agg_set_tweet_series(
		    u->agg, f->cid, f->series[i].tweet_id, f->series[i].m, f->series[i].ok);
	}
	c = agg_campaign(u->agg, f->cid);
	long at = held ? agg_feed_find(c, key) : -1;
	if (at >= 0)
		u->feed_off = pane_feed_position(u, c, (size_t)at);
	u->dirty = true;
}

/* Takes profile p when it is the one S_PROFILE waits for (else frees it). */
static void
apply_profile(struct ui *u, struct agg_profile *p)
{
	struct agg_profile *o = u->profile;
	if (o == NULL || strcmp(o->cid, p->cid) != 0 || strcmp(o->user_id, p->user_id) != 0) {
		agg_profile_free(p);
		return;
	}
	if (p->handle == NULL) { /* nothing stored answered: keep what the row said */
		p->handle = o->handle;
		p->name = o->name;
		o->handle = o->name = NULL;
	}
	agg_profile_free(o);
	u->profile = p;
	u->dirty = true;
}

void
dispatch_news(struct ui *u, struct reader_news *n)
{
	for (size_t i = 0; n->have_camps && i < n->ncamps; i++)
		agg_set_campaign(u->agg, &n->camps[i]);
	if (n->have_camps)
		u->dirty = true;
	for (size_t i = 0; i < n->ndetails; i++) {
		struct reader_detail *d = &n->details[i];
		for (size_t k = 0; k < d->nauth; k++)
			agg_set_author(u->agg, d->cid, d->tids[k], d->handles[k]);
		if (d->has_jobs)
			agg_set_jobs(u->agg, d->cid, d->rows, d->nrows);
		agg_set_alerts(u->agg, d->cid, d->alerts, d->nalerts);
		d->alerts = NULL; /* the agg holds them now */
		d->nalerts = 0;
		if (d->has_sent)
			agg_set_sentiment(u->agg, d->cid, d->sent);
		d->sent = NULL;
		u->dirty = true;
	}
	for (size_t i = 0; i < n->nfeeds; i++)
		apply_feed(u, &n->feeds[i]);
	if (n->profile) {
		apply_profile(u, n->profile);
		n->profile = NULL;
	}
	if (n->closeout) {
		reader_closeout_free(u->closeout);
		u->closeout = n->closeout;
		n->closeout = NULL;
		u->dirty = true;
	}
	if (n->message)
		ui_message(u, "%s", n->message);
	if (u->db_ok != n->db_ok || !n->db_status != !u->db_status ||
	    (n->db_status && strcmp(n->db_status, u->db_status) != 0)) {
		u->db_ok = n->db_ok;
		free(u->db_status);
		u->db_status = n->db_status;
		n->db_status = NULL;
		u->dirty = true;
	}
}

void
dispatch_take(struct ui *u, struct reader *r)
{
	if (r == NULL)
		return;
	struct reader_news n;
	reader_take(r, &n);
	dispatch_news(u, &n);
	reader_news_done(&n);
	ui_pick_campaign(u);
}
