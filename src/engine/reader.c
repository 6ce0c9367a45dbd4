/*
 * reader: the console's database thread (include/engine/reader.h says what
 * it reads and what it hands the console). The thread runs the posted
 * commands first, then the profile and series requests, then polls every
 * POLL_MS: every LIST_EVERY-th poll the campaign list, each campaign's
 * prepared data (reader_prepared.c: summary and change log, by `_id`),
 * every DETAIL_EVERY-th poll the alerts and, when the change log moved since
 * they were last read (or every JOBS_IDLE_EVERY-th poll), the job states and
 * authors (worker_state and tweets are read by a scan, so an idle console
 * reads them seldom), and the watched close-out. What the UI thread takes lives under mu; the
 * campaigns' read positions are the thread's own.
 */
#include "engine/reader.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "config/config.h"
#include "engine/feed_export.h"
#include "engine/queue.h"
#include "store/store.h"
#include "store/store_agg.h"
#include "store/store_sentiment.h"
#include "reader_closeout_internal.h"
#include "reader_prepared_internal.h"

#define POLL_MS         1000 /* the database thread polls this often */
#define LIST_EVERY      2    /* the campaign list (and the close-out) every Nth poll */
#define DETAIL_EVERY    6    /* alerts every Nth poll; jobs and authors then too when */
#define JOBS_IDLE_EVERY 60   /* the log moved since, else every Nth poll (they are scans) */
#define COMPLETED_EVERY 10   /* a completed campaign's log every Nth poll */

/* A command for the database thread. */
struct reader_cmdq {
	enum reader_cmd cmd;
	char cid[64];
	struct cfg_file *f;
	struct agg_filter filter; /* READER_EXPORT's */
	char *path;               /* READER_EXPORT's file (owned) */
	struct reader_cmdq *next;
};

/* A tweet whose own series the UI asked for. */
struct reader_ask {
	char cid[64];
	char tweet_id[LW_ID_MAX];
};

/* The profile the UI asked for. */
struct reader_want_profile {
	bool asked;
	char cid[64];
	char user_id[LW_ID_MAX];
	char tweet_id[LW_ID_MAX];
	enum lw_action action;
};

/* A listed campaign (database thread only). */
struct reader_camp {
	struct rp_camp *rp;
	bool completed; /* its log no longer grows */
	bool polled;    /* read at least once */
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
	/* database thread only: the log moved since jobs were read, and when */
	bool moved;
	unsigned jobs_read_poll;
	char *msg;
	bool ok;
	char *status;
	char watch[64];                   /* the campaign whose close-out the UI shows, or "" */
	struct reader_closeout *closeout; /* its state as read, taken by the UI */
	struct reader_feed *feeds;        /* prepared data read, per campaign */
	size_t nfeeds;
	struct agg_profile *profile; /* the profile asked for, as read */
	/* requests, under mu */
	struct reader_want_profile want;
	struct reader_ask *asks;
	size_t nasks;
	/* database thread only */
	struct reader_camp *cs; /* the campaigns of the last list */
	size_t ncs;
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

/* Reads stored campaign cid into *cur (the caller frees it) for an edit;
 * -1 with a cause when it is gone or completed (the cause then ends with
 * frozen, what the completion froze). */
static int
editable(struct reader *r, const char *cid, struct campaign *cur, const char *frozen, char **cause)
{
	int found = store_campaign_get(r->s, cid, cur, cause);
	if (found != 0)
		return found < 0 ? -1 : set_cause(cause, "campaign %s is gone", cid);
	if (cur->status == CS_COMPLETED) {
		campaign_done(cur);
		return set_cause(cause, "%s is completed; %s", cid, frozen);
	}
	return 0;
}

/* Replaces the tweets of campaign c->cid with those of c->f, keeping every
 * other setting as stored; a bare id of a tweet already listed keeps its
 * stored link. Dropped tweets keep their stored data (database thread). */
static int
set_tweets(struct reader *r, struct reader_cmdq *c, int64_t now, char **cause)
{
	struct campaign cur;
	if (editable(r, c->cid, &cur, "its tweets are frozen", cause) != 0)
		return -1;
	int rc = -1;
	struct cfg_campaign *nc = &c->f->campaigns[0];
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

/* Replaces the cadence, alerts and CPM of campaign c->cid with those of
 * c->f, keeping every other setting as stored (database thread). */
static int
set_settings(struct reader *r, struct reader_cmdq *c, int64_t now, char **cause)
{
	struct campaign cur;
	if (editable(r, c->cid, &cur, "its report is frozen", cause) != 0)
		return -1;
	int rc = -1;
	struct cfg_campaign *nc = &c->f->campaigns[0];
	/* swap the alerts: each struct frees the one it ends up holding */
	struct cfg_alerts a = cur.cfg.alerts;
	cur.cfg.alerts = nc->alerts;
	nc->alerts = a;
	cur.cfg.cadence = nc->cadence;
	cur.cfg.cpm = nc->cpm;
	struct store_upsert_result res;
	if (store_campaign_upsert(r->s, &cur.cfg, now, &res, cause) != 0)
		goto fail;
	say(r, xasprintf("settings of \"%s\" saved", cur.cfg.name));
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
	} else if (c->cmd == READER_SETTINGS) {
		rc = set_settings(r, c, now, &cause);
	} else if (c->cmd == READER_EXPORT) {
		int64_t rows = 0;
		rc = feed_export(r->s, c->cid, &c->filter, c->path, &rows, &cause);
		if (rc == 0)
			say(r,
			    xasprintf("exported %lld engagements to %s", (long long)rows, c->path));
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
	free(c->path);
	free(c);
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
	if (d->sent)
		sent_state_done(d->sent);
	free(d->sent);
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

/* Publishes what was read of one campaign's prepared data (moves what f
 * holds) and wakes the UI when there is anything. */
static void
publish_feed(struct reader *r, struct reader_feed *f)
{
	if (!f->preparing && !f->summary && !f->neng && !f->nseries) {
		reader_feed_done(f);
		return;
	}
	pthread_mutex_lock(&r->mu);
	struct reader_feed *d = NULL;
	for (size_t i = 0; i < r->nfeeds && !d; i++)
		if (strcmp(r->feeds[i].cid, f->cid) == 0)
			d = &r->feeds[i];
	if (d == NULL) {
		r->feeds = xreallocarray(r->feeds, r->nfeeds + 1, sizeof *r->feeds);
		d = &r->feeds[r->nfeeds++];
		memset(d, 0, sizeof *d);
		snprintf(d->cid, sizeof d->cid, "%s", f->cid);
	}
	reader_feed_merge(d, f);
	pthread_mutex_unlock(&r->mu);
	wake_ui(r);
}

/* Returns the reader's state of campaign cid, adding it (database thread). */
static struct rp_camp *
camp_of(struct reader *r, const char *cid)
{
	for (size_t i = 0; i < r->ncs; i++)
		if (strcmp(rp_cid(r->cs[i].rp), cid) == 0)
			return r->cs[i].rp;
	r->cs = xreallocarray(r->cs, r->ncs + 1, sizeof *r->cs);
	r->cs[r->ncs] = (struct reader_camp){rp_new(cid), false, false};
	return r->cs[r->ncs++].rp;
}

/* Keeps the states of the campaigns in camps[0..n) only, in their order
 * (database thread). */
static void
camps_sync(struct reader *r, const struct campaign *camps, size_t n)
{
	struct reader_camp *v = xcalloc(n ? n : 1, sizeof *v);
	for (size_t i = 0; i < n; i++) {
		v[i].rp = camp_of(r, camps[i].id);
		for (size_t k = 0; k < r->ncs; k++)
			if (r->cs[k].rp == v[i].rp)
				v[i].polled = r->cs[k].polled;
		v[i].completed = camps[i].status == CS_COMPLETED;
	}
	for (size_t k = 0; k < r->ncs; k++) {
		bool kept = false;
		for (size_t i = 0; i < n && !kept; i++)
			kept = v[i].rp == r->cs[k].rp;
		if (!kept)
			rp_free(r->cs[k].rp);
	}
	free(r->cs);
	r->cs = v;
	r->ncs = n;
}

/* Reads and publishes the campaign list. 0, or -1 (the health says why). */
static int
list_campaigns(struct reader *r)
{
	char *cause = NULL;
	struct campaign *camps = NULL;
	size_t n = 0;
	if (store_campaign_list(r->s, &camps, &n, &cause) != 0) {
		set_health(r, false, cause);
		wake_ui(r);
		return -1;
	}
	camps_sync(r, camps, n);
	/* the campaigns first, so names and windows show before their numbers */
	pthread_mutex_lock(&r->mu);
	camps_free(r->camps, r->ncamps);
	r->camps = camps;
	r->ncamps = n;
	r->have_camps = true;
	pthread_mutex_unlock(&r->mu);
	wake_ui(r);
	return 0;
}

/* Reads each campaign's alerts and, with jobs, its job states and authors,
 * and publishes them. */
static void
read_details(struct reader *r, bool jobs)
{
	char *cause = NULL;
	size_t n = r->ncs;
	struct reader_detail *dets = xcalloc(n ? n : 1, sizeof *dets);
	for (size_t i = 0; i < n; i++) {
		struct reader_detail *d = &dets[i];
		snprintf(d->cid, sizeof d->cid, "%s", rp_cid(r->cs[i].rp));
		d->has_jobs = jobs;
		if ((jobs && store_agg_jobs(r->s, d->cid, &d->rows, &d->nrows, &cause) != 0) ||
		    store_agg_alerts(r->s, d->cid, 200, &d->alerts, &d->nalerts, &cause) != 0 ||
		    (jobs && store_agg_authors(
		                 r->s, d->cid, &d->tids, &d->handles, &d->nauth, &cause) != 0)) {
			d->has_jobs = d->has_jobs && d->rows != NULL;
			free(cause);
			cause = NULL;
		}
		/* the sentiment sums: one `_id` read (docs/alerts.md section 9) */
		struct sent_state st;
		int rc = sts_get(r->s, d->cid, &st, &cause);
		d->has_sent = rc >= 0;
		if (rc == 0) {
			d->sent = xmalloc(sizeof *d->sent);
			*d->sent = st;
		}
		free(cause);
		cause = NULL;
	}
	pthread_mutex_lock(&r->mu);
	details_free(r->details, r->ndetails);
	r->details = dets;
	r->ndetails = n;
	pthread_mutex_unlock(&r->mu);
}

/* Poll number `poll`: the campaign list (when list), each campaign's
 * prepared data, the details (every DETAIL_EVERY-th). */
static void
poll_once(struct reader *r, unsigned poll, bool list)
{
	if (list && list_campaigns(r) != 0)
		return;
	bool failed = false;
	int64_t now = clock_now_ms();
	for (size_t i = 0; i < r->ncs; i++) {
		/* a completed campaign's log no longer grows: look now and then */
		if (r->cs[i].completed && r->cs[i].polled && poll % COMPLETED_EVERY != 0)
			continue;
		r->cs[i].polled = true;
		struct reader_feed f;
		memset(&f, 0, sizeof f);
		snprintf(f.cid, sizeof f.cid, "%s", rp_cid(r->cs[i].rp));
		char *cause = NULL;
		if (rp_poll(r->s, r->cs[i].rp, now, &f, &cause) != 0) {
			set_health(r, false, cause);
			failed = true;
		}
		if (f.neng > 0 || f.summary != NULL)
			r->moved = true; /* jobs ran: their states changed */
		publish_feed(r, &f);
	}
	if (poll % DETAIL_EVERY == 0) {
		bool jobs = r->moved || r->jobs_read_poll == 0 ||
		            poll - r->jobs_read_poll >= JOBS_IDLE_EVERY;
		read_details(r, jobs);
		if (jobs) {
			r->moved = false;
			r->jobs_read_poll = poll ? poll : 1;
		}
	}
	pthread_mutex_lock(&r->mu);
	if (!failed) {
		r->ok = true;
		free(r->status);
		r->status = NULL;
	}
	pthread_mutex_unlock(&r->mu);
	wake_ui(r);
}

/* Reads the profile the UI asked for (w) and publishes it. */
static void
read_profile(struct reader *r, const struct reader_want_profile *w)
{
	char *cause = NULL;
	struct agg_profile *p = NULL;
	if (rp_profile(r->s, camp_of(r, w->cid), w->user_id, w->tweet_id, w->action, &p, &cause) !=
	    0) {
		p = agg_profile_new(w->cid, w->user_id);
		p->state = AGG_LOAD_FAILED;
		p->why = cause ? cause : xstrdup("unknown error");
	}
	pthread_mutex_lock(&r->mu);
	agg_profile_free(r->profile);
	r->profile = p;
	pthread_mutex_unlock(&r->mu);
	wake_ui(r);
}

/* Reads the series the UI asked for (a) and publishes it. */
static void
read_series(struct reader *r, const struct reader_ask *a)
{
	struct reader_feed f;
	memset(&f, 0, sizeof f);
	snprintf(f.cid, sizeof f.cid, "%s", a->cid);
	char *cause = NULL;
	if (rp_series(r->s, camp_of(r, a->cid), a->tweet_id, &f, &cause) != 0)
		free(cause); /* the pane shows it could not be read; asked again later */
	publish_feed(r, &f);
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
	bool list = true;
	pthread_mutex_lock(&r->mu);
	while (!r->stop) {
		struct reader_cmdq *c = r->cmds;
		if (c) {
			r->cmds = c->next;
			pthread_mutex_unlock(&r->mu);
			run_cmd(r, c);
			cmd_free(c);
			next = 0;    /* show the effect at once, */
			list = true; /* with the campaign list read again */
			pthread_mutex_lock(&r->mu);
			continue;
		}
		if (r->want.asked) {
			struct reader_want_profile w = r->want;
			r->want.asked = false;
			pthread_mutex_unlock(&r->mu);
			read_profile(r, &w);
			pthread_mutex_lock(&r->mu);
			continue;
		}
		if (r->nasks > 0) {
			struct reader_ask a = r->asks[0];
			memmove(r->asks, r->asks + 1, --r->nasks * sizeof *r->asks);
			pthread_mutex_unlock(&r->mu);
			read_series(r, &a);
			pthread_mutex_lock(&r->mu);
			continue;
		}
		if (clock_now_ms() >= next) {
			if (next == 0)
				next = clock_now_ms(); /* the first, or after a command */
			unsigned poll = polls++;
			list |= poll % LIST_EVERY == 0;
			pthread_mutex_unlock(&r->mu);
			poll_once(r, poll, list);
			if (list)
				read_closeout(r);
			list = false;
			/* fixed rate: a slow poll does not stretch the period */
			int64_t now = clock_now_ms();
			next = next + POLL_MS > now ? next + POLL_MS : now + POLL_MS / 4;
			pthread_mutex_lock(&r->mu);
			continue;
		}
		int64_t wait = next - clock_now_ms();
		wait = wait > 200 ? 200 : wait < 1 ? 1 : wait;
		struct timespec ts = clock_deadline(CLOCK_REALTIME, wait);
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
	for (size_t i = 0; i < r->nfeeds; i++)
		reader_feed_done(&r->feeds[i]);
	free(r->feeds);
	agg_profile_free(r->profile);
	free(r->asks);
	for (size_t i = 0; i < r->ncs; i++)
		rp_free(r->cs[i].rp);
	free(r->cs);
	reader_closeout_free(r->closeout);
	free(r->msg);
	free(r->status);
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->cv);
	free(r);
}

/* Queues command c for the database thread (takes it). */
static void
post(struct reader *r, struct reader_cmdq *c)
{
	pthread_mutex_lock(&r->mu);
	struct reader_cmdq **p = &r->cmds;
	while (*p)
		p = &(*p)->next;
	*p = c;
	pthread_cond_signal(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

void
reader_post(struct reader *r, enum reader_cmd cmd, const char *cid, struct cfg_file *f)
{
	struct reader_cmdq *c = xcalloc(1, sizeof *c);
	c->cmd = cmd;
	snprintf(c->cid, sizeof c->cid, "%s", cid ? cid : "");
	c->f = f;
	post(r, c);
}

void
reader_post_export(
    struct reader *r, const char *cid, const struct agg_filter *flt, const char *path)
{
	struct reader_cmdq *c = xcalloc(1, sizeof *c);
	c->cmd = READER_EXPORT;
	snprintf(c->cid, sizeof c->cid, "%s", cid);
	c->filter = *flt;
	c->path = xstrdup(path);
	post(r, c);
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
reader_profile(struct reader *r, const char *cid, const char *user_id, const char *tweet_id,
    enum lw_action action)
{
	pthread_mutex_lock(&r->mu);
	r->want.asked = true;
	snprintf(r->want.cid, sizeof r->want.cid, "%s", cid);
	snprintf(r->want.user_id, sizeof r->want.user_id, "%s", user_id);
	snprintf(r->want.tweet_id, sizeof r->want.tweet_id, "%s", tweet_id ? tweet_id : "");
	r->want.action = action;
	pthread_cond_signal(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

void
reader_series(struct reader *r, const char *cid, const char *tweet_id)
{
	pthread_mutex_lock(&r->mu);
	bool queued = false;
	for (size_t i = 0; i < r->nasks && !queued; i++)
		queued =
		    strcmp(r->asks[i].cid, cid) == 0 && strcmp(r->asks[i].tweet_id, tweet_id) == 0;
	if (!queued) {
		r->asks = xreallocarray(r->asks, r->nasks + 1, sizeof *r->asks);
		struct reader_ask *a = &r->asks[r->nasks++];
		snprintf(a->cid, sizeof a->cid, "%s", cid);
		snprintf(a->tweet_id, sizeof a->tweet_id, "%s", tweet_id);
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
	n->feeds = r->feeds;
	n->nfeeds = r->nfeeds;
	r->feeds = NULL;
	r->nfeeds = 0;
	n->profile = r->profile;
	r->profile = NULL;
	pthread_mutex_unlock(&r->mu);
	/* a database call that keeps waiting is shown while it waits */
	struct store_call slow;
	if (n->db_ok && n->db_status == NULL && store_oldest_call(r->s, &slow) &&
	    clock_now_ms() - slow.since_ms >= 3000)
		n->db_status = xasprintf("slow: %s waiting %lld s", slow.what,
		    (long long)(clock_now_ms() - slow.since_ms) / 1000);
}

void
reader_news_done(struct reader_news *n)
{
	camps_free(n->camps, n->ncamps);
	details_free(n->details, n->ndetails);
	free(n->message);
	reader_closeout_free(n->closeout);
	free(n->db_status);
	for (size_t i = 0; i < n->nfeeds; i++)
		reader_feed_done(&n->feeds[i]);
	free(n->feeds);
	agg_profile_free(n->profile);
	memset(n, 0, sizeof *n);
}
