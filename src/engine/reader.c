/*
 * reader: the console's database thread (see include/engine/reader.h).
 */
#include "engine/reader.h"

#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fmt.h"
#include "engine/queue.h"
#include "model/report.h"
#include "store/store.h"
#include "store/store_report.h"
#include "store/store_agg.h"
#include "base/util.h"

#define POLL_MS      2000   /* the database thread polls this often */
#define DETAIL_EVERY 3      /* jobs, alerts and authors every Nth poll */
#define OVERLAP_MS   120000 /* polls re-read this much before the watermark */
#define LOAD_BATCH   2000

/* Per-campaign watermarks (database thread only). */
struct ui_wm {
	char cid[64];
	int64_t eng, slice;
	bool loaded;
};

/* Publishes a command result for the UI (database thread). */
static void
db_say(struct ui_db *d, char *msg)
{
	pthread_mutex_lock(&d->mu);
	free(d->msg);
	d->msg = msg;
	pthread_mutex_unlock(&d->mu);
	queue_push(d->q, xcalloc(1, sizeof(struct event_batch))); /* wake the UI */
}

/* Replaces the tweets of campaign c->cid with those of c->f, keeping every
 * other setting as stored; a bare id of a tweet already listed keeps its
 * stored link. Dropped tweets keep their stored data (database thread). */
static int
db_set_tweets(struct ui_db *d, struct ui_cmdq *c, int64_t now, char **cause)
{
	struct campaign cur;
	int found = store_campaign_get(d->s, c->cid, &cur, cause);
	if (found != 0)
		return found < 0 ? -1 : set_cause(cause, "campaign %s is gone", c->cid);
	int rc = -1;
	struct cfg_campaign *nc = &c->f->campaigns[0];
	if (cur.status == CS_COMPLETED) {
		set_cause(cause, "%s is completed; its tweets are frozen", c->cid);
		goto fail;
	}
	for (size_t i = 0; i < nc->ntweets; i++)
		for (size_t k = 0; k < cur.cfg.ntweets; k++)
			if (strcmp(nc->tweets[i].id, cur.cfg.tweets[k].id) == 0 &&
			    strcmp(nc->tweets[i].url, nc->tweets[i].id) == 0) {
				free(nc->tweets[i].url);
				nc->tweets[i].url = xstrdup(cur.cfg.tweets[k].url);
			}
	/* swap the lists: each struct frees the one it ends up holding */
	struct cfg_tweet *t = cur.cfg.tweets;
	size_t n = cur.cfg.ntweets;
	cur.cfg.tweets = nc->tweets;
	cur.cfg.ntweets = nc->ntweets;
	nc->tweets = t;
	nc->ntweets = n;
	struct store_upsert_result res;
	if (store_campaign_upsert(d->s, &cur.cfg, now, &res, cause) != 0)
		goto fail;
	db_say(d, xasprintf("tweets of \"%s\" saved: %zu added, %zu removed (their stored "
	                    "engagements are kept)",
	              cur.cfg.name, res.tweets_added, res.tweets_dropped));
	rc = 0;
fail:
	campaign_done(&cur);
	return rc;
}

/* Runs one campaign command against the store (database thread). */
static void
db_run(struct ui_db *d, struct ui_cmdq *c)
{
	char *cause = NULL;
	int64_t now = clock_now_ms();
	int rc = 0;
	if (c->cmd == UC_UPSERT) {
		struct store_upsert_result res;
		rc = store_campaign_upsert(d->s, &c->f->campaigns[0], now, &res, &cause);
		if (rc == 0)
			db_say(d, xasprintf("campaign \"%s\" %s (%s), %zu tweets added",
			              c->f->campaigns[0].name, res.created ? "added" : "updated",
			              res.id, res.tweets_added));
	} else if (c->cmd == UC_TWEETS) {
		rc = db_set_tweets(d, c, now, &cause);
	} else if (c->cmd == UC_CLOSE) {
		rc = store_campaign_request_close(d->s, c->cid, now, &cause);
		if (rc == 0)
			db_say(d, xasprintf("close-out of %s requested: the report job freezes it "
			                    "once the engine picks it up",
			              c->cid));
	} else {
		enum campaign_status st = c->cmd == UC_PAUSE ? CS_PAUSED : CS_ACTIVE;
		rc = store_campaign_set_status(d->s, c->cid, st, now, &cause);
		if (rc == 0)
			db_say(d,
			    xasprintf("%s %s", c->cid, c->cmd == UC_PAUSE ? "paused" : "resumed"));
	}
	if (rc != 0) {
		db_say(d, xasprintf("failed: %s", cause ? cause : "unknown error"));
		free(cause);
	}
}

/* Hands one loaded batch to the UI and advances the watermark. */
static void
db_push(struct event_batch *b, void *arg)
{
	struct ui_db *d = arg;
	for (size_t i = 0; i < b->neng; i++)
		if (b->eng[i].first_seen_at_ms > d->max_seen)
			d->max_seen = b->eng[i].first_seen_at_ms;
	for (size_t i = 0; i < b->nslices; i++)
		if (b->slices[i].at_ms > d->max_at)
			d->max_at = b->slices[i].at_ms;
	queue_push(d->q, b);
}

/* Returns the watermarks of campaign cid (database thread). */
static struct ui_wm *
db_wm(struct ui_db *d, const char *cid)
{
	for (size_t i = 0; i < d->nwms; i++)
		if (strcmp(d->wms[i].cid, cid) == 0)
			return &d->wms[i];
	d->wms = xreallocarray(d->wms, d->nwms + 1, sizeof *d->wms);
	struct ui_wm *w = &d->wms[d->nwms++];
	memset(w, 0, sizeof *w);
	snprintf(w->cid, sizeof w->cid, "%s", cid);
	return w;
}

/* Frees a snapshot's contents. */
void
snap_done(struct ui_snap *s)
{
	for (size_t i = 0; i < s->nrows; i++)
		free(s->rows[i].job.why);
	free(s->rows);
	for (size_t i = 0; i < s->nalerts; i++) {
		free(s->alerts[i].handle);
		free(s->alerts[i].channel);
		free(s->alerts[i].why);
	}
	free(s->alerts);
	for (size_t i = 0; i < s->nauth; i++) {
		free(s->tids[i]);
		free(s->handles[i]);
	}
	free(s->tids);
	free(s->handles);
}

/* Publishes the database's health. */
static void
db_health(struct ui_db *d, bool ok, char *status)
{
	pthread_mutex_lock(&d->mu);
	d->ok = ok;
	free(d->status);
	d->status = status;
	pthread_mutex_unlock(&d->mu);
}

/* One poll: campaigns, then new rows of each, then (sometimes) details. */
static void
db_poll(struct ui_db *d, bool details)
{
	char *cause = NULL;
	struct campaign *camps = NULL;
	size_t n = 0;
	if (store_campaign_list(d->s, &camps, &n, &cause) != 0) {
		db_health(d, false, cause);
		queue_push(d->q, xcalloc(1, sizeof(struct event_batch)));
		return;
	}
	/* the campaigns first, so names and windows show before their rows */
	struct campaign *mine = xcalloc(n ? n : 1, sizeof *mine);
	size_t nmine = 0;
	pthread_mutex_lock(&d->mu);
	for (size_t i = 0; i < d->ncamps; i++)
		campaign_done(&d->camps[i]);
	free(d->camps);
	d->camps = camps;
	d->ncamps = n;
	d->have_camps = true;
	for (size_t i = 0; i < n; i++)
		snprintf(mine[nmine++].id, sizeof mine[0].id, "%s", camps[i].id);
	pthread_mutex_unlock(&d->mu);
	queue_push(d->q, xcalloc(1, sizeof(struct event_batch)));
	camps = mine; /* from here on only the ids are read */
	bool failed = false;
	for (size_t i = 0; i < n; i++) {
		struct ui_wm *w = db_wm(d, camps[i].id);
		d->max_seen = w->eng;
		d->max_at = w->slice;
		int64_t es = w->loaded && w->eng > OVERLAP_MS ? w->eng - OVERLAP_MS : 0;
		int64_t ss = w->loaded && w->slice > OVERLAP_MS ? w->slice - OVERLAP_MS : 0;
		if (store_agg_load(d->s, camps[i].id, es, ss, LOAD_BATCH, db_push, d, &cause) !=
		    0) {
			db_health(d, false, cause);
			cause = NULL;
			failed = true;
			continue;
		}
		w->eng = d->max_seen;
		w->slice = d->max_at;
		w->loaded = true;
	}
	struct ui_snap *snaps = details ? xcalloc(n ? n : 1, sizeof *snaps) : NULL;
	for (size_t i = 0; details && i < n; i++) {
		struct ui_snap *s = &snaps[i];
		snprintf(s->cid, sizeof s->cid, "%s", camps[i].id);
		if (store_agg_jobs(d->s, s->cid, &s->rows, &s->nrows, &cause) != 0 ||
		    store_agg_alerts(d->s, s->cid, 200, &s->alerts, &s->nalerts, &cause) != 0 ||
		    store_agg_authors(d->s, s->cid, &s->tids, &s->handles, &s->nauth, &cause) !=
		        0) {
			free(cause);
			cause = NULL;
		}
	}
	free(mine);
	pthread_mutex_lock(&d->mu);
	if (details) {
		for (size_t i = 0; i < d->nsnaps; i++)
			snap_done(&d->snaps[i]);
		free(d->snaps);
		d->snaps = snaps;
		d->nsnaps = n;
	}
	if (!failed) {
		d->ok = true;
		free(d->status);
		d->status = NULL;
	}
	pthread_mutex_unlock(&d->mu);
	queue_push(d->q, xcalloc(1, sizeof(struct event_batch)));
}

/* Appends a formatted summary line to co. */
static void summary_add(struct ui_closeout *co, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
summary_add(struct ui_closeout *co, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	co->summary = xreallocarray(co->summary, co->nsummary + 1, sizeof *co->summary);
	co->summary[co->nsummary++] = xvasprintf(fmt, ap);
	va_end(ap);
}

/* Returns "$1234.56" or "n/a" in buf. */
static const char *
usd(bool has, double v, char *buf, size_t len)
{
	if (has)
		snprintf(buf, len, "%s$%.2f", v < 0 ? "-" : "", v < 0 ? -v : v);
	else
		snprintf(buf, len, "n/a");
	return buf;
}

/* Writes the summary lines of the final report r into co. */
static void
closeout_summary(struct ui_closeout *co, const struct report *r)
{
	char a[16], b[16], c[16], d[16], e[16], f[16];
	const int64_t *m = r->all.m.v;
	summary_add(co, "views %s  likes %s  retweets %s  replies %s  quotes %s  bookmarks %s",
	    fmt_count(m[RM_VIEWS], a, sizeof a), fmt_count(m[RM_LIKES], b, sizeof b),
	    fmt_count(m[RM_RETWEETS], c, sizeof c), fmt_count(m[RM_REPLIES], d, sizeof d),
	    fmt_count(m[RM_QUOTES], e, sizeof e), fmt_count(m[RM_BOOKMARKS], f, sizeof f));
	struct sbuf s;
	sbuf_init(&s);
	sbuf_printf(&s, "unique accounts %" PRId64 ":", r->unique_accounts);
	for (int k = 0; k < BK__COUNT; k++)
		sbuf_printf(&s, "%s %s %" PRId64, k ? "," : "", bucket_name((enum lw_bucket)k),
		    r->bucket_accounts[k]);
	summary_add(co, "%s", s.s);
	sbuf_done(&s);
	summary_add(co,
	    "engagements %" PRId64 ": retweet %" PRId64 ", reply %" PRId64 ", quote %" PRId64,
	    r->engagements, r->engagements_by_action[ACT_RETWEET],
	    r->engagements_by_action[ACT_REPLY], r->engagements_by_action[ACT_QUOTE]);
	const struct rep_cpm *p = &r->cpm_all;
	summary_add(co, "CPM: paid equivalent %s, spend %s, savings %s, effective CPM %s",
	    usd(p->has_paid, p->paid_equivalent_usd, a, sizeof a),
	    usd(p->has_spend, p->spend_usd, b, sizeof b),
	    usd(p->has_savings, p->savings_usd, c, sizeof c),
	    usd(p->has_ecpm, p->effective_cpm_usd, d, sizeof d));
	for (int k = 0; k < CAT__COUNT; k++) {
		p = &r->cpm[k];
		if (!p->has_benchmark && !p->has_spend)
			continue;
		summary_add(co, "  %-10s views %s, paid equivalent %s, spend %s, savings %s",
		    category_name((enum tweet_category)k), fmt_count(p->views, a, sizeof a),
		    usd(p->has_paid, p->paid_equivalent_usd, b, sizeof b),
		    usd(p->has_spend, p->spend_usd, c, sizeof c),
		    usd(p->has_savings, p->savings_usd, d, sizeof d));
	}
	if (r->ntop > 0)
		summary_add(co, "top engager: @%s (%s, importance %d)", r->top[0].handle,
		    bucket_name(r->top[0].bucket), r->top[0].importance);
}

/* Reads the close-out state of the watched campaign and publishes it
 * (database thread). */
static void
db_closeout(struct ui_db *d)
{
	char cid[64];
	pthread_mutex_lock(&d->mu);
	snprintf(cid, sizeof cid, "%s", d->watch);
	pthread_mutex_unlock(&d->mu);
	if (cid[0] == '\0')
		return;
	struct ui_closeout *co = xcalloc(1, sizeof *co);
	snprintf(co->cid, sizeof co->cid, "%s", cid);
	co->read_ms = clock_now_ms();
	co->archive_dir = xstrdup("");
	char *cause = NULL;
	struct campaign c;
	struct store_closeout st;
	int rc = store_campaign_get(d->s, cid, &c, &cause);
	if (rc == 0) {
		co->requested_ms = c.close_requested_at_ms;
		co->completed = c.status == CS_COMPLETED;
		campaign_done(&c);
		rc = store_closeout_get(d->s, cid, &st, &cause);
	}
	if (rc == 1)
		co->error = xasprintf("no campaign %s", cid);
	else if (rc < 0)
		co->error = cause ? cause : xstrdup("unknown error");
	else {
		co->frozen_ms = st.frozen_at_ms;
		co->archived = st.archived;
		free(co->archive_dir);
		co->archive_dir = xstrdup(st.archive_dir ? st.archive_dir : "");
		json_t *j = st.frozen_json ? json_loads(st.frozen_json, 0, NULL) : NULL;
		struct report r;
		if (j && report_from_json(j, &r, &cause) == 0) {
			closeout_summary(co, &r);
			report_done(&r);
		} else if (j) {
			co->error = cause;
		}
		json_decref(j);
		store_closeout_done(&st);
	}
	pthread_mutex_lock(&d->mu);
	ui_closeout_free(d->closeout);
	d->closeout = co;
	pthread_mutex_unlock(&d->mu);
	queue_push(d->q, xcalloc(1, sizeof(struct event_batch))); /* wake the UI */
}

/* The database thread's loop. */
static void *
db_main(void *arg)
{
	struct ui_db *d = arg;
	int64_t next = 0;
	unsigned polls = 0;
	pthread_mutex_lock(&d->mu);
	while (!d->stop) {
		struct ui_cmdq *c = d->cmds;
		if (c) {
			d->cmds = c->next;
			pthread_mutex_unlock(&d->mu);
			db_run(d, c);
			config_free(c->f);
			free(c);
			next = 0; /* show the effect at once */
			pthread_mutex_lock(&d->mu);
			continue;
		}
		if (clock_now_ms() >= next) {
			pthread_mutex_unlock(&d->mu);
			db_poll(d, polls++ % DETAIL_EVERY == 0);
			db_closeout(d);
			next = clock_now_ms() + POLL_MS;
			pthread_mutex_lock(&d->mu);
			continue;
		}
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 200 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&d->cv, &d->mu, &ts);
	}
	pthread_mutex_unlock(&d->mu);
	return NULL;
}

/* Starts the database thread on s and q. */
struct ui_db *
db_start(struct store *s, struct queue *q)
{
	struct ui_db *d = xcalloc(1, sizeof *d);
	d->s = s;
	d->q = q;
	d->ok = true;
	pthread_mutex_init(&d->mu, NULL);
	pthread_cond_init(&d->cv, NULL);
	if (pthread_create(&d->th, NULL, db_main, d) != 0)
		abort();
	return d;
}

/* Stops and frees the database thread. */
void
db_stop(struct ui_db *d)
{
	pthread_mutex_lock(&d->mu);
	d->stop = true;
	pthread_cond_signal(&d->cv);
	pthread_mutex_unlock(&d->mu);
	pthread_join(d->th, NULL);
	while (d->cmds) {
		struct ui_cmdq *c = d->cmds;
		d->cmds = c->next;
		config_free(c->f);
		free(c);
	}
	for (size_t i = 0; i < d->ncamps; i++)
		campaign_done(&d->camps[i]);
	free(d->camps);
	for (size_t i = 0; i < d->nsnaps; i++)
		snap_done(&d->snaps[i]);
	free(d->snaps);
	free(d->wms);
	ui_closeout_free(d->closeout);
	free(d->msg);
	free(d->status);
	pthread_mutex_destroy(&d->mu);
	pthread_cond_destroy(&d->cv);
	free(d);
}
