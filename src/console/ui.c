/*
 * ui: the console's curses loop and its database thread.
 *
 * Threads. The UI thread (ui_main) is the only one that calls curses. It
 * polls stdin and the queue's wake pipe with a short tick, drains a capped
 * number of batches into the aggregates (agg_apply), takes the snapshots
 * the database thread published (campaigns, jobs, alerts, authors, command
 * results, the close-out state) under a mutex, handles keys and mouse
 * events, renders the frame into a draw_grid (curses-free panes) and copies
 * the changed cells to the terminal. With --http it also builds the JSON
 * endpoint's snapshots from the aggregates and publishes them (jsonapi.h).
 *
 * The database thread (ui_db) does every read and write: at start it loads
 * each campaign's engagements and slices (the rebuild) and then polls past
 * per-campaign watermarks (minus an overlap; agg_apply skips what it has)
 * so writes by another process (`launchwatch run`) appear too; it runs the
 * campaign commands the keys and the forms post (add, edit tweets, pause,
 * resume, close); while the close-out screen is open it also reads that
 * campaign's close-out state and final report summary.
 * Rows reach the UI as event batches on the same queue that an in-process
 * engine pushes to, so a slow or dead database never freezes the screen.
 */
#include "console/ui.h"

#include <curses.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "console/dialog.h"
#include "api/jsonapi.h"
#include "console/keys.h"
#include "base/fmt.h"
#include "engine/queue.h"
#include "model/report.h"
#include "store/store.h"
#include "store/store_report.h"
#include "store/store_agg.h"
#include "console/theme.h"
#include "base/util.h"

#define TICK_MS          250    /* the loop wakes at least this often */
#define POLL_MS          2000   /* the database thread polls this often */
#define DETAIL_EVERY     3      /* jobs, alerts and authors every Nth poll */
#define OVERLAP_MS       120000 /* polls re-read this much before the watermark */
#define BATCHES_PER_TICK 256
#define DRAIN_BUDGET_MS  15 /* at most this long applying batches per loop */
#define LOAD_BATCH       2000
#define API_EVERY_MS     500 /* the JSON endpoint's snapshot is rebuilt at most this often */

/* A command for the database thread. */
struct ui_cmdq {
	enum ui_cmd cmd;
	char cid[64];
	struct cfg_file *f;
	struct ui_cmdq *next;
};

/* One campaign's details as published by the database thread. */
struct ui_snap {
	char cid[64];
	struct agg_jobrow *rows;
	size_t nrows;
	struct agg_alert *alerts;
	size_t nalerts;
	char **tids, **handles;
	size_t nauth;
};

/* Per-campaign watermarks (database thread only). */
struct ui_wm {
	char cid[64];
	int64_t eng, slice;
	bool loaded;
};

struct ui_db {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
	struct store *s;
	struct queue *q;
	struct ui_cmdq *cmds; /* under mu */
	/* published under mu, taken by the UI thread */
	struct campaign *camps;
	size_t ncamps;
	bool have_camps;
	struct ui_snap *snaps;
	size_t nsnaps;
	char *msg;
	bool ok;
	char *status;
	char watch[64];               /* the campaign whose close-out the UI shows, or "" */
	struct ui_closeout *closeout; /* its state as read, taken by the UI */
	/* database thread only */
	struct ui_wm *wms;
	size_t nwms;
	int64_t max_seen; /* the watermark the current load advanced to */
	int64_t max_at;
};

static volatile sig_atomic_t got_stop;

/* Notes a stop signal for the loop. */
static void
on_stop(int sig)
{
	(void)sig;
	got_stop = 1;
}

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
static void
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

/* ---- exit watch ---- */

/* After the terminal is restored, shutting down waits for the database
 * thread and the engine; with a database that does not answer that could
 * take a minute, so a watch leaves the process after UI_EXIT_WAIT_S. Work
 * in flight is safe to drop: every write is idempotent and resumes at the
 * next start (docs/architecture.md). */
static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t th;
	bool started, done;
	int rc;
} exit_watch = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

/* The watch thread: waits for ui_exit_watch_end or the deadline. */
static void *
exit_watch_main(void *arg)
{
	(void)arg;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += UI_EXIT_WAIT_S;
	pthread_mutex_lock(&exit_watch.mu);
	while (!exit_watch.done)
		if (pthread_cond_timedwait(&exit_watch.cv, &exit_watch.mu, &ts) == ETIMEDOUT)
			break;
	if (!exit_watch.done) {
		static const char msg[] =
		    "launchwatch: the database or the provider did not answer while shutting "
		    "down; leaving without waiting (work in flight resumes at the next start)\n";
		ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
		(void)w;
		_exit(exit_watch.rc);
	}
	pthread_mutex_unlock(&exit_watch.mu);
	return NULL;
}

/* Starts the exit watch (main thread, after endwin). */
static void
exit_watch_start(int rc)
{
	exit_watch.rc = rc;
	exit_watch.done = false;
	exit_watch.started = pthread_create(&exit_watch.th, NULL, exit_watch_main, NULL) == 0;
}

void
ui_exit_watch_end(void)
{
	if (!exit_watch.started)
		return;
	pthread_mutex_lock(&exit_watch.mu);
	exit_watch.done = true;
	pthread_cond_signal(&exit_watch.cv);
	pthread_mutex_unlock(&exit_watch.mu);
	pthread_join(exit_watch.th, NULL);
	exit_watch.started = false;
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

void
ui_show_closeout(struct ui *u, const char *cid)
{
	snprintf(u->closeout_cid, sizeof u->closeout_cid, "%s", cid);
	u->screen = S_CLOSEOUT;
	u->zoom = false;
	u->dirty = true;
	if (u->db == NULL)
		return;
	pthread_mutex_lock(&u->db->mu);
	snprintf(u->db->watch, sizeof u->db->watch, "%s", cid);
	pthread_cond_signal(&u->db->cv);
	pthread_mutex_unlock(&u->db->mu);
}

void
ui_post(struct ui *u, enum ui_cmd cmd, const char *cid, struct cfg_file *f)
{
	if (u->db == NULL) {
		config_free(f);
		ui_message(u, "no database connection");
		return;
	}
	struct ui_cmdq *c = xcalloc(1, sizeof *c);
	c->cmd = cmd;
	snprintf(c->cid, sizeof c->cid, "%s", cid ? cid : "");
	c->f = f;
	pthread_mutex_lock(&u->db->mu);
	struct ui_cmdq **p = &u->db->cmds;
	while (*p)
		p = &(*p)->next;
	*p = c;
	pthread_cond_signal(&u->db->cv);
	pthread_mutex_unlock(&u->db->mu);
}

/* Takes what the database thread published into the model (UI thread). */
static void
take_snapshots(struct ui *u)
{
	struct ui_db *d = u->db;
	pthread_mutex_lock(&d->mu);
	if (d->have_camps) {
		for (size_t i = 0; i < d->ncamps; i++)
			agg_set_campaign(u->agg, &d->camps[i]);
		d->have_camps = false;
		u->dirty = true;
	}
	for (size_t i = 0; i < d->nsnaps; i++) {
		struct ui_snap *s = &d->snaps[i];
		for (size_t k = 0; k < s->nauth; k++)
			agg_set_author(u->agg, s->cid, s->tids[k], s->handles[k]);
		agg_set_jobs(u->agg, s->cid, s->rows, s->nrows);
		agg_set_alerts(u->agg, s->cid, s->alerts, s->nalerts);
		s->alerts = NULL;
		s->nalerts = 0;
		snap_done(s);
		u->dirty = true;
	}
	free(d->snaps);
	d->snaps = NULL;
	d->nsnaps = 0;
	snprintf(d->watch, sizeof d->watch, "%s", u->screen == S_CLOSEOUT ? u->closeout_cid : "");
	if (d->closeout) {
		ui_closeout_free(u->closeout);
		u->closeout = d->closeout;
		d->closeout = NULL;
		u->dirty = true;
	}
	if (d->msg) {
		ui_message(u, "%s", d->msg);
		free(d->msg);
		d->msg = NULL;
	}
	if (u->db_ok != d->ok ||
	    (d->status && (!u->db_status || strcmp(d->status, u->db_status)))) {
		u->db_ok = d->ok;
		free(u->db_status);
		u->db_status = d->status ? xstrdup(d->status) : NULL;
		u->dirty = true;
	}
	pthread_mutex_unlock(&d->mu);
}

/* Starts the database thread on s and q. */
static struct ui_db *
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
static void
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

/* curses key codes and what the key table calls them. */
static const struct {
	int curses;
	int code;
} key_map[] = {
    {KEY_UP, KEY_CODE_UP},
    {KEY_DOWN, KEY_CODE_DOWN},
    {KEY_PPAGE, KEY_CODE_PGUP},
    {KEY_NPAGE, KEY_CODE_PGDN},
    {KEY_BTAB, KEY_CODE_BTAB},
    {KEY_HOME, KEY_CODE_HOME},
    {KEY_END, KEY_CODE_END},
    {KEY_BACKSPACE, KEY_CODE_BACKSPACE},
    {KEY_ENTER, KEY_CODE_ENTER},
    {KEY_LEFT, KEY_CODE_LEFT},
    {KEY_RIGHT, KEY_CODE_RIGHT},
};

/* Routes one key: dialogs first, then help, then the key table. */
static void
handle_key(struct ui *u, int key)
{
	if (u->dialog) {
		if (dialog_key(u->dialog, u, key)) {
			dialog_free(u->dialog);
			u->dialog = NULL;
		}
		return;
	}
	if (u->help) {
		u->help = false;
		u->dirty = true;
		return;
	}
	if (key == '\n')
		key = KEY_CODE_ENTER;
	if (keys_handle(u, key) == 0 && key < 0x80 && key >= 0x20)
		ui_message(u, "key '%c' does nothing here; ? shows the keys", key);
	else if (u->message && key != 'x' && key != 't' && key != 'e' && key != 'p')
		u->message[0] = '\0';
}

/* Copies the cells of g that differ from prev to the screen. */
static void
blit(struct draw_grid *g, struct draw_grid *prev, bool all)
{
	for (int y = 0; y < g->h; y++)
		for (int x = 0; x < g->w; x++) {
			struct draw_cell *c = draw_at(g, x, y), *p = draw_at(prev, x, y);
			if (!all && p && p->ch == c->ch && p->role == c->role &&
			    p->width == c->width)
				continue;
			if (c->width == 0)
				continue;
			wchar_t wc[2] = {(wchar_t)c->ch, 0};
			cchar_t cc;
			/* setcchar takes the colour pair apart from the attributes:
			 * a pair left in attrs with pair 0 is dropped */
			attr_t a = (attr_t)theme_attr((enum theme_role)c->role);
			setcchar(&cc, wc, a & ~A_COLOR, (short)PAIR_NUMBER(a), NULL);
			mvadd_wch(y, x, &cc);
		}
	memcpy(prev->cells, g->cells, (size_t)g->w * (size_t)g->h * sizeof *g->cells);
}

int
ui_main(const struct ui_opts *o, struct store *s, struct queue *q, bool simulated)
{
	struct theme th;
	char *cause = NULL;
	const char *tname = o->theme ? o->theme : "default";
	if (theme_load(tname, &th, &cause) != 0) {
		fprintf(stderr, "launchwatch: %s\n", cause);
		free(cause);
		return LW_EXIT_USAGE;
	}
	struct agg *agg = agg_new();
	struct ui u;
	ui_init(&u, agg);
	snprintf(u.theme_name, sizeof u.theme_name, "%s", tname);
	u.simulated = simulated;
	u.now_ms = clock_now_ms();
	u.db_describe = xstrdup(store_describe(s));

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* the engine (scheduler, workers, alerts, close-out) is started by
	 * cmd_tui before this loop and pushes its batches to q; the database
	 * thread below also polls, which covers another process's engine */
	u.engine_status = o->engine_status;
	u.provider = o->provider;
	if (o->engine_status)
		ui_message(&u, "%s", o->engine_status);

	u.db = db_start(s, q);
	initscr();
	cbreak();
	/* Ctrl-S saves in the forms: take it from the terminal's XON/XOFF flow
	 * control, which would freeze the output until Ctrl-Q */
	struct termios tio;
	if (tcgetattr(STDIN_FILENO, &tio) == 0) {
		tio.c_iflag &= ~(tcflag_t)(IXON | IXOFF);
		if (tcsetattr(STDIN_FILENO, TCSANOW, &tio) == 0)
			def_prog_mode();
	}
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	/* clicks focus panes, the wheel scrolls (Shift keeps the terminal's own
	 * selection); LAUNCHWATCH_NO_MOUSE=1 leaves the mouse to the terminal */
	const char *nomouse = getenv("LAUNCHWATCH_NO_MOUSE");
	if (!(nomouse && *nomouse && strcmp(nomouse, "0") != 0)) {
		mousemask(
		    BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
		mouseinterval(0);
	}
	theme_apply(&th);
	bool ascii = o->ascii || MB_CUR_MAX == 1;
	u.ascii = ascii;
	struct draw_grid *g = draw_grid_new(COLS, LINES, ascii);
	struct draw_grid *prev = draw_grid_new(COLS, LINES, ascii);
	bool all = true;
	int64_t last_draw = 0, last_api = 0;
	struct jsonapi_snap *api_snap = NULL; /* the last one published (our reference) */
	while (!u.quit && !got_stop) {
		struct pollfd pf[2] = {{0, POLLIN, 0}, {queue_wake_fd(q), POLLIN, 0}};
		poll(pf, 2, TICK_MS);
		u.now_ms = clock_now_ms();
		queue_drain_wake(q);
		struct agg_campaign *c = ui_campaign(&u);
		size_t before = c ? c->neng : 0;
		/* drain within a time budget so keys stay quick during a flood */
		int64_t budget_end = clock_now_ms() + DRAIN_BUDGET_MS;
		for (int i = 0; i < BATCHES_PER_TICK && clock_now_ms() < budget_end; i++) {
			struct event_batch *b = queue_pop(q);
			if (b == NULL)
				break;
			agg_apply(agg, b);
			event_batch_free(b);
			u.dirty = true;
		}
		if (queue_length(q) > 0)
			queue_push(q, xcalloc(1, sizeof(struct event_batch))); /* come back soon */
		take_snapshots(&u);
		/* the JSON endpoint answers from immutable snapshots built here, on
		 * the agg's thread; its own threads never touch agg or the database */
		if (o->api && u.now_ms - last_api >= API_EVERY_MS &&
		    (api_snap == NULL || jsonapi_snap_stale(api_snap, agg, u.now_ms))) {
			struct jsonapi_snap *next = jsonapi_snap_build(agg, api_snap, u.now_ms);
			jsonapi_publish(o->api, jsonapi_snap_ref(next));
			jsonapi_snap_unref(api_snap);
			api_snap = next;
			last_api = u.now_ms;
		}
		/* keep the feed still while the user reads it */
		c = ui_campaign(&u);
		if (c && c == ui_campaign(&u) && u.feed_off > 0 && c->neng > before)
			u.feed_off += pane_feed_count_new(&u, c, before);
		wint_t wch;
		int r;
		while ((r = get_wch(&wch)) != ERR) {
			int key = (int)wch;
			if (r == KEY_CODE_YES) {
				if (wch == KEY_MOUSE) {
					MEVENT me;
					if (getmouse(&me) == OK && !u.dialog && !u.help) {
						if (me.bstate & BUTTON4_PRESSED)
							keys_mouse(&u, MOUSE_WHEEL_UP, me.x, me.y);
						else if (me.bstate & BUTTON5_PRESSED)
							keys_mouse(
							    &u, MOUSE_WHEEL_DOWN, me.x, me.y);
						else if (me.bstate &
						         (BUTTON1_PRESSED | BUTTON1_CLICKED))
							keys_mouse(&u, MOUSE_CLICK, me.x, me.y);
					}
					continue;
				}
				if (wch == KEY_RESIZE) {
					draw_grid_resize(g, COLS, LINES);
					draw_grid_resize(prev, COLS, LINES);
					clearok(stdscr, TRUE);
					all = true;
					u.dirty = true;
					continue;
				}
				for (size_t k = 0; k < LW_ARRAY_LEN(key_map); k++)
					if (key_map[k].curses == (int)wch)
						key = key_map[k].code;
			}
			handle_key(&u, key);
			if (key == 't')
				all = true;
		}
		if (u.dirty || u.now_ms - last_draw >= 1000) {
			ui_render(&u, g);
			blit(g, prev, all);
			refresh();
			all = false;
			u.dirty = false;
			last_draw = u.now_ms;
		}
	}
	endwin();
	exit_watch_start(LW_EXIT_OK);
	jsonapi_snap_unref(api_snap);
	db_stop(u.db);
	u.db = NULL;
	draw_grid_free(g);
	draw_grid_free(prev);
	ui_done(&u);
	agg_free(agg);
	return LW_EXIT_OK;
}
