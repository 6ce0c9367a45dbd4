/*
 * reader: the console's database thread (include/engine/reader.h says what
 * it reads and what it hands the console). The thread runs the posted
 * commands first, then polls every POLL_MS: the campaign list, each
 * campaign's new rows (new_rows), every DETAIL_EVERY-th poll the job
 * states, alerts and authors, and the watched close-out. What the UI thread
 * takes lives under mu; the positions new_rows keeps are the thread's own.
 */
#include "engine/reader.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "config/config.h"
#include "engine/queue.h"
#include "store/store.h"
#include "store/store_agg.h"
#include "reader_closeout_internal.h"

#define POLL_MS      2000   /* the database thread polls this often */
#define DETAIL_EVERY 3      /* jobs, alerts and authors every Nth poll */
#define OVERLAP_MS   120000 /* polls re-read this much before the watermark */
#define LOAD_BATCH   2000

/* A command for the database thread. */
struct reader_cmdq {
	enum reader_cmd cmd;
	char cid[64];
	struct cfg_file *f;
	struct reader_cmdq *next;
};

/* How far new_rows has read one campaign (database thread only). */
struct reader_pos {
	char cid[64];
	int64_t eng, slice; /* the newest first_seen_at and slice at handed over */
	bool loaded;        /* the rebuild is done */
};

struct reader {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
	struct store *s;
	struct queue *q;
	struct reader_cmdq *cmds; /* under mu */
	/* published under mu, taken by the UI thread */
	struct campaign *camps;
	size_t ncamps;
	bool have_camps;
	struct reader_detail *details;
	size_t ndetails;
	char *msg;
	bool ok;
	char *status;
	char watch[64];                   /* the campaign whose close-out the UI shows, or "" */
	struct reader_closeout *closeout; /* its state as read, taken by the UI */
	/* database thread only */
	struct reader_pos *pos;
	size_t npos;
};

/* Wakes the UI thread with an empty batch. */
static void
wake_ui(struct reader *r)
{
	queue_push(r->q, xcalloc(1, sizeof(struct event_batch)));
}

/* Publishes a command result for the UI (database thread). */
static void
say(struct reader *r, char *msg)
{
	pthread_mutex_lock(&r->mu);
	free(r->msg);
	r->msg = msg;
	pthread_mutex_unlock(&r->mu);
	wake_ui(r);
}

/* Replaces the tweets of campaign c->cid with those of c->f, keeping every
 * other setting as stored; a bare id of a tweet already listed keeps its
 * stored link. Dropped tweets keep their stored data (database thread). */
static int
set_tweets(struct reader *r, struct reader_cmdq *c, int64_t now, char **cause)
{
	struct campaign cur;
	int found = store_campaign_get(r->s, c->cid, &cur, cause);
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
	if (store_campaign_upsert(r->s, &cur.cfg, now, &res, cause) != 0)
		goto fail;
	say(r, xasprintf("tweets of \"%s\" saved: %zu added, %zu removed (their stored "
	                 "engagements are kept)",
	           cur.cfg.name, res.tweets_added, res.tweets_dropped));
	rc = 0;
fail:
	campaign_done(&cur);
	return rc;
}

/* Runs one campaign command against the store (database thread). */
static void
run_cmd(struct reader *r, struct reader_cmdq *c)
{
	char *cause = NULL;
	int64_t now = clock_now_ms();
	int rc = 0;
	if (c->cmd == READER_UPSERT) {
		struct store_upsert_result res;
		rc = store_campaign_upsert(r->s, &c->f->campaigns[0], now, &res, &cause);
		if (rc == 0)
			say(r, xasprintf("campaign \"%s\" %s (%s), %zu tweets added",
			           c->f->campaigns[0].name, res.created ? "added" : "updated",
			           res.id, res.tweets_added));
	} else if (c->cmd == READER_TWEETS) {
		rc = set_tweets(r, c, now, &cause);
	} else if (c->cmd == READER_CLOSE) {
		rc = store_campaign_request_close(r->s, c->cid, now, &cause);
		if (rc == 0)
			say(r, xasprintf("close-out of %s requested: the report job freezes it "
			                 "once the engine picks it up",
			           c->cid));
	} else {
		enum campaign_status st = c->cmd == READER_PAUSE ? CS_PAUSED : CS_ACTIVE;
		rc = store_campaign_set_status(r->s, c->cid, st, now, &cause);
		if (rc == 0)
			say(r, xasprintf(
			           "%s %s", c->cid, c->cmd == READER_PAUSE ? "paused" : "resumed"));
	}
	if (rc != 0) {
		say(r, xasprintf("failed: %s", cause ? cause : "unknown error"));
		free(cause);
	}
}

/* Frees a command and its file. */
static void
cmd_free(struct reader_cmdq *c)
{
	config_free(c->f);
	free(c);
}

/* What one load of new_rows has handed over so far. */
struct load {
	struct queue *q;
	int64_t max_seen, max_at;
};

/* Hands one loaded batch to the UI and notes how far it reaches. */
static void
push_batch(struct event_batch *b, void *arg)
{
	struct load *l = arg;
	for (size_t i = 0; i < b->neng; i++)
		if (b->eng[i].first_seen_at_ms > l->max_seen)
			l->max_seen = b->eng[i].first_seen_at_ms;
	for (size_t i = 0; i < b->nslices; i++)
		if (b->slices[i].at_ms > l->max_at)
			l->max_at = b->slices[i].at_ms;
	queue_push(l->q, b);
}

/* Returns how far new_rows has read campaign cid (database thread). */
static struct reader_pos *
pos_of(struct reader *r, const char *cid)
{
	for (size_t i = 0; i < r->npos; i++)
		if (strcmp(r->pos[i].cid, cid) == 0)
			return &r->pos[i];
	r->pos = xreallocarray(r->pos, r->npos + 1, sizeof *r->pos);
	struct reader_pos *p = &r->pos[r->npos++];
	memset(p, 0, sizeof *p);
	snprintf(p->cid, sizeof p->cid, "%s", cid);
	return p;
}

/* Pushes the rows of campaign cid that the console has not been handed yet
 * onto the queue as event batches: at the first call every stored
 * engagement and slice (the rebuild), later those past the campaign's
 * watermarks minus OVERLAP_MS (agg_apply skips rows it holds). The only
 * place that knows how new rows are found (the change log of the next
 * issue replaces this body). 0 or -1 with a cause; batches pushed before an
 * error stay pushed (database thread). */
static int
new_rows(struct reader *r, const char *cid, char **cause)
{
	struct reader_pos *p = pos_of(r, cid);
	struct load l = {r->q, p->eng, p->slice};
	int64_t es = p->loaded && p->eng > OVERLAP_MS ? p->eng - OVERLAP_MS : 0;
	int64_t ss = p->loaded && p->slice > OVERLAP_MS ? p->slice - OVERLAP_MS : 0;
	if (store_agg_load(r->s, cid, es, ss, LOAD_BATCH, push_batch, &l, cause) != 0)
		return -1;
	p->eng = l.max_seen;
	p->slice = l.max_at;
	p->loaded = true;
	return 0;
}

/* Frees a detail's contents. */
static void
detail_done(struct reader_detail *d)
{
	for (size_t i = 0; i < d->nrows; i++)
		free(d->rows[i].job.why);
	free(d->rows);
	for (size_t i = 0; i < d->nalerts; i++) {
		free(d->alerts[i].handle);
		free(d->alerts[i].channel);
		free(d->alerts[i].why);
	}
	free(d->alerts);
	for (size_t i = 0; i < d->nauth; i++) {
		free(d->tids[i]);
		free(d->handles[i]);
	}
	free(d->tids);
	free(d->handles);
}

/* Frees n details and their array. */
static void
details_free(struct reader_detail *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		detail_done(&d[i]);
	free(d);
}

/* Frees n campaigns and their array. */
static void
camps_free(struct campaign *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		campaign_done(&c[i]);
	free(c);
}

/* Publishes the database's health. */
static void
set_health(struct reader *r, bool ok, char *status)
{
	pthread_mutex_lock(&r->mu);
	r->ok = ok;
	free(r->status);
	r->status = status;
	pthread_mutex_unlock(&r->mu);
}

/* One poll: campaigns, then new rows of each, then (sometimes) details. */
static void
poll_once(struct reader *r, bool details)
{
	char *cause = NULL;
	struct campaign *camps = NULL;
	size_t n = 0;
	if (store_campaign_list(r->s, &camps, &n, &cause) != 0) {
		set_health(r, false, cause);
		wake_ui(r);
		return;
	}
	/* the campaigns first, so names and windows show before their rows */
	struct campaign *mine = xcalloc(n ? n : 1, sizeof *mine);
	size_t nmine = 0;
	pthread_mutex_lock(&r->mu);
	camps_free(r->camps, r->ncamps);
	r->camps = camps;
	r->ncamps = n;
	r->have_camps = true;
	for (size_t i = 0; i < n; i++)
		snprintf(mine[nmine++].id, sizeof mine[0].id, "%s", camps[i].id);
	pthread_mutex_unlock(&r->mu);
	wake_ui(r);
	camps = mine; /* from here on only the ids are read */
	bool failed = false;
	for (size_t i = 0; i < n; i++) {
		if (new_rows(r, camps[i].id, &cause) != 0) {
			set_health(r, false, cause);
			cause = NULL;
			failed = true;
		}
	}
	struct reader_detail *dets = details ? xcalloc(n ? n : 1, sizeof *dets) : NULL;
	for (size_t i = 0; details && i < n; i++) {
		struct reader_detail *d = &dets[i];
		snprintf(d->cid, sizeof d->cid, "%s", camps[i].id);
		if (store_agg_jobs(r->s, d->cid, &d->rows, &d->nrows, &cause) != 0 ||
		    store_agg_alerts(r->s, d->cid, 200, &d->alerts, &d->nalerts, &cause) != 0 ||
		    store_agg_authors(r->s, d->cid, &d->tids, &d->handles, &d->nauth, &cause) !=
		        0) {
			free(cause);
			cause = NULL;
		}
	}
	free(mine);
	pthread_mutex_lock(&r->mu);
	if (details) {
		details_free(r->details, r->ndetails);
		r->details = dets;
		r->ndetails = n;
	}
	if (!failed) {
		r->ok = true;
		free(r->status);
		r->status = NULL;
	}
	pthread_mutex_unlock(&r->mu);
	wake_ui(r);
}

/* Reads the close-out state of the watched campaign and publishes it
 * (database thread). */
static void
read_closeout(struct reader *r)
{
	char cid[64];
	pthread_mutex_lock(&r->mu);
	snprintf(cid, sizeof cid, "%s", r->watch);
	pthread_mutex_unlock(&r->mu);
	if (cid[0] == '\0')
		return;
	struct reader_closeout *co = reader_closeout_read(r->s, cid);
	pthread_mutex_lock(&r->mu);
	reader_closeout_free(r->closeout);
	r->closeout = co;
	pthread_mutex_unlock(&r->mu);
	wake_ui(r);
}

/* The database thread's loop. */
static void *
reader_main(void *arg)
{
	struct reader *r = arg;
	int64_t next = 0;
	unsigned polls = 0;
	pthread_mutex_lock(&r->mu);
	while (!r->stop) {
		struct reader_cmdq *c = r->cmds;
		if (c) {
			r->cmds = c->next;
			pthread_mutex_unlock(&r->mu);
			run_cmd(r, c);
			cmd_free(c);
			next = 0; /* show the effect at once */
			pthread_mutex_lock(&r->mu);
			continue;
		}
		if (clock_now_ms() >= next) {
			pthread_mutex_unlock(&r->mu);
			poll_once(r, polls++ % DETAIL_EVERY == 0);
			read_closeout(r);
			next = clock_now_ms() + POLL_MS;
			pthread_mutex_lock(&r->mu);
			continue;
		}
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 200 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&r->cv, &r->mu, &ts);
	}
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

struct reader *
reader_start(struct store *s, struct queue *q)
{
	struct reader *r = xcalloc(1, sizeof *r);
	r->s = s;
	r->q = q;
	r->ok = true;
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	if (pthread_create(&r->th, NULL, reader_main, r) != 0)
		abort();
	return r;
}

void
reader_free(struct reader *r)
{
	if (r == NULL)
		return;
	pthread_mutex_lock(&r->mu);
	r->stop = true;
	pthread_cond_signal(&r->cv);
	pthread_mutex_unlock(&r->mu);
	pthread_join(r->th, NULL);
	while (r->cmds) {
		struct reader_cmdq *c = r->cmds;
		r->cmds = c->next;
		cmd_free(c);
	}
	camps_free(r->camps, r->ncamps);
	details_free(r->details, r->ndetails);
	free(r->pos);
	reader_closeout_free(r->closeout);
	free(r->msg);
	free(r->status);
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->cv);
	free(r);
}

void
reader_post(struct reader *r, enum reader_cmd cmd, const char *cid, struct cfg_file *f)
{
	struct reader_cmdq *c = xcalloc(1, sizeof *c);
	c->cmd = cmd;
	snprintf(c->cid, sizeof c->cid, "%s", cid ? cid : "");
	c->f = f;
	pthread_mutex_lock(&r->mu);
	struct reader_cmdq **p = &r->cmds;
	while (*p)
		p = &(*p)->next;
	*p = c;
	pthread_cond_signal(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

void
reader_watch(struct reader *r, const char *cid)
{
	pthread_mutex_lock(&r->mu);
	if (strcmp(r->watch, cid ? cid : "") != 0) {
		snprintf(r->watch, sizeof r->watch, "%s", cid ? cid : "");
		pthread_cond_signal(&r->cv);
	}
	pthread_mutex_unlock(&r->mu);
}

void
reader_take(struct reader *r, struct reader_news *n)
{
	memset(n, 0, sizeof *n);
	pthread_mutex_lock(&r->mu);
	if (r->have_camps) {
		n->have_camps = true;
		n->camps = r->camps;
		n->ncamps = r->ncamps;
		r->camps = NULL;
		r->ncamps = 0;
		r->have_camps = false;
	}
	n->details = r->details;
	n->ndetails = r->ndetails;
	r->details = NULL;
	r->ndetails = 0;
	n->message = r->msg;
	r->msg = NULL;
	n->closeout = r->closeout;
	r->closeout = NULL;
	n->db_ok = r->ok;
	n->db_status = r->status ? xstrdup(r->status) : NULL;
	pthread_mutex_unlock(&r->mu);
}

void
reader_news_done(struct reader_news *n)
{
	camps_free(n->camps, n->ncamps);
	details_free(n->details, n->ndetails);
	free(n->message);
	reader_closeout_free(n->closeout);
	free(n->db_status);
	memset(n, 0, sizeof *n);
}
