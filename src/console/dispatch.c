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

void
dispatch_commands(struct ui *u, struct reader *r)
{
	while (u->cmds) {
		struct ui_cmd *c = u->cmds;
		u->cmds = c->next;
		if (r) {
			reader_post(r, c->cmd, c->cid, c->f);
		} else {
			config_free(c->f);
			ui_message(u, "no database connection");
		}
		free(c);
	}
	if (r)
		reader_watch(r, u->screen == S_CLOSEOUT ? u->closeout_cid : "");
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
		agg_set_jobs(u->agg, d->cid, d->rows, d->nrows);
		agg_set_alerts(u->agg, d->cid, d->alerts, d->nalerts);
		d->alerts = NULL; /* the agg holds them now */
		d->nalerts = 0;
		u->dirty = true;
	}
	if (n->closeout) {
		reader_closeout_free(u->closeout);
		u->closeout = n->closeout;
		n->closeout = NULL;
		u->dirty = true;
	}
	if (n->message)
		ui_message(u, "%s", n->message);
	if (u->db_ok != n->db_ok ||
	    (n->db_status && (!u->db_status || strcmp(n->db_status, u->db_status) != 0))) {
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
}
