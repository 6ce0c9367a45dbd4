/*
 * alertworker: the alert worker thread (docs/alerts.md): inbox of offered
 * engagements, the watermark poll, campaigns, rules, dedupe and the status
 * snapshot; the sending side (digests, sends, retries, the alerts_sent log)
 * is alertsend.c, which this file drives. Offers, settings updates and
 * status reads take the mutex from any thread; everything else runs on the
 * worker (or on the owner driving alertworker_run_once) and is not shared.
 */
#include "engine/alertworker.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/notify.h"
#include "store/store_alerts.h"
#include "base/text.h"
#include "base/util.h"
#include "provider/xapi.h"
#include "alertsend_internal.h"

#define POLL_PAGE        500        /* engagements read per poll query */
#define SEEN_KEEP_MS     3600000LL  /* memory of sends beyond the quiet window */
#define ONCE_KEEP_MS     86400000LL /* memory of sends with a quiet window of 0 */
#define IDLE_DEADLINE_MS 60000      /* when nothing else is due */
#define POLL_SETTLE_MS   60000      /* each poll re-reads this far behind its watermark */

/* An engagement the poll already handed on, kept while it lies inside the
 * settle window behind the watermark. */
struct polled {
	char id[ALERT_ID_MAX]; /* the engagement's _id */
	int64_t first_seen_ms;
};

/* A campaign the worker knows. */
struct wcamp {
	struct alert_campaign a;
	bool pinned; /* set through alertworker_set_campaign: not reloaded */
	bool mark_set;
	struct alert_watermark mark;
	struct polled *polled; /* sorted by id */
	size_t npolled;
	bool poll_failing;
	struct chan ch[ALERT__CHANNELS];
};

/* A fingerprint sent or queued by this process. */
struct seen {
	char id[ALERT_ID_MAX];
	int64_t event_ms;
	int64_t expires_ms;
};

struct alertworker {
	struct alertworker_opts o;

	pthread_mutex_t mu;
	pthread_cond_t cond;
	/* guarded by mu */
	struct alert_candidate *inbox;
	size_t ninbox;
	struct alert_campaign *updates;
	bool *update_pinned;
	size_t nupdates;
	bool stop;
	bool kicked;
	uint64_t refused;
	struct alertworker_status snap;

	/* worker only */
	struct wcamp *camps;
	size_t ncamps;
	struct seen *seen;
	size_t nseen;
	struct alert_counters cnt;
	struct alertsend send; /* the sending side */
	int64_t next_poll_ms;
	int64_t next_refresh_ms;
	pthread_t thread;
	bool started;
};

void
alertworker_opts_init(struct alertworker_opts *o)
{
	memset(o, 0, sizeof *o);
	o->group_wait_ms = 5000;
	o->group_interval_ms = 60000;
	o->poll_interval_ms = 5000;
	o->lookback_ms = 6 * 3600 * 1000LL;
	o->refresh_ms = 60000;
	o->poll_all_active = true;
	o->retry_base_ms = 2000;
	o->retry_cap_ms = 300000;
	o->max_attempts = 50;
	o->connect_ms = 5000;
	o->total_ms = 20000;
	o->inbox_max = 100000;
}

/* The timing variables of alertworker_opts_from_env and the fields they set. */
static const struct {
	const char *name;
	size_t off;
	int64_t min;
} env_knobs[] = {
    {"LAUNCHWATCH_ALERT_GROUP_WAIT_MS", offsetof(struct alertworker_opts, group_wait_ms), 0},
    {"LAUNCHWATCH_ALERT_GROUP_INTERVAL_MS", offsetof(struct alertworker_opts, group_interval_ms),
        0},
    {"LAUNCHWATCH_ALERT_POLL_MS", offsetof(struct alertworker_opts, poll_interval_ms), 100},
};

int
alertworker_opts_from_env(struct alertworker_opts *o, char **cause)
{
	for (size_t i = 0; i < LW_ARRAY_LEN(env_knobs); i++)
		if (env_ms(env_knobs[i].name, env_knobs[i].min, 86400000,
		        (int64_t *)((char *)o + env_knobs[i].off), cause) != 0)
			return -1;
	return 0;
}

/* Reports a notable event through the log hook and worker_log. */
static void __attribute__((format(printf, 3, 4)))
wlog(struct alertworker *w, const char *level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	alertsend_vlog(&w->send, level, fmt, ap);
	va_end(ap);
}

struct alertworker *
alertworker_new(const struct alertworker_opts *o)
{
	struct alertworker *w = xcalloc(1, sizeof *w);
	pthread_condattr_t ca;
	w->o = *o;
	pthread_mutex_init(&w->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cond, &ca);
	pthread_condattr_destroy(&ca);
	w->send = (struct alertsend){.store = o->store,
	    .notify = notify_new(),
	    .cnt = &w->cnt,
	    .group_wait_ms = o->group_wait_ms,
	    .group_interval_ms = o->group_interval_ms,
	    .retry_base_ms = o->retry_base_ms,
	    .retry_cap_ms = o->retry_cap_ms,
	    .max_attempts = o->max_attempts,
	    .log = o->log,
	    .log_arg = o->log_arg,
	    .after_send = o->after_send,
	    .hook_arg = o->hook_arg};
	notify_set_timeouts(w->send.notify, o->connect_ms, o->total_ms);
	return w;
}

void
alertworker_free(struct alertworker *w)
{
	if (w == NULL)
		return;
	alertworker_stop(w);
	for (size_t i = 0; i < w->ninbox; i++)
		alert_candidate_done(&w->inbox[i]);
	free(w->inbox);
	for (size_t i = 0; i < w->nupdates; i++)
		alert_campaign_done(&w->updates[i]);
	free(w->updates);
	free(w->update_pinned);
	for (size_t i = 0; i < w->ncamps; i++) {
		alert_campaign_done(&w->camps[i].a);
		free(w->camps[i].polled);
		for (int c = 0; c < ALERT__CHANNELS; c++)
			alertsend_chan_done(&w->camps[i].ch[c]);
	}
	free(w->camps);
	free(w->seen);
	alertworker_status_done(&w->snap);
	notify_free(w->send.notify);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->mu);
	free(w);
}

/* Queues a settings update for the worker (takes ownership of a). */
static void
queue_update(struct alertworker *w, struct alert_campaign *a, bool pinned)
{
	pthread_mutex_lock(&w->mu);
	w->updates = xreallocarray(w->updates, w->nupdates + 1, sizeof *w->updates);
	w->update_pinned = xreallocarray(w->update_pinned, w->nupdates + 1, sizeof(bool));
	w->updates[w->nupdates] = *a;
	w->update_pinned[w->nupdates++] = pinned;
	w->kicked = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->mu);
}

void
alertworker_set_campaign(struct alertworker *w, const char *id, const struct cfg_campaign *c)
{
	struct alert_campaign a;
	alert_campaign_init(&a, id, c);
	queue_update(w, &a, true);
}

size_t
alertworker_offer(struct alertworker *w, const struct lw_engagement *e, size_t n)
{
	int64_t now = clock_now_ms();
	struct alert_candidate *v = xcalloc(n + 1, sizeof *v);
	for (size_t i = 0; i < n; i++)
		alert_candidate_from_engagement(&v[i], &e[i], now);
	pthread_mutex_lock(&w->mu);
	size_t room = w->ninbox < w->o.inbox_max ? w->o.inbox_max - w->ninbox : 0;
	size_t take = n < room ? n : room;
	w->inbox = xreallocarray(w->inbox, w->ninbox + take + 1, sizeof *w->inbox);
	memcpy(w->inbox + w->ninbox, v, take * sizeof *v);
	w->ninbox += take;
	w->refused += n - take;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->mu);
	for (size_t i = take; i < n; i++)
		alert_candidate_done(&v[i]);
	free(v);
	return take;
}

size_t
alertworker_offer_batch(struct alertworker *w, const struct event_batch *b)
{
	return b != NULL && b->neng > 0 ? alertworker_offer(w, b->eng, b->neng) : 0;
}

void
alertworker_kick(struct alertworker *w)
{
	pthread_mutex_lock(&w->mu);
	w->kicked = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->mu);
}

/* ---- campaigns -------------------------------------------------------- */

/* Returns the known campaign id, or NULL. */
static struct wcamp *
camp_find(struct alertworker *w, const char *id)
{
	for (size_t i = 0; i < w->ncamps; i++)
		if (strcmp(w->camps[i].a.id, id) == 0)
			return &w->camps[i];
	return NULL;
}

/* Installs settings a (taking ownership) for its campaign; a channel stopped
 * by a permanent failure starts again when its settings changed. */
static struct wcamp *
camp_install(struct alertworker *w, struct alert_campaign *a, bool pinned)
{
	struct wcamp *wc = camp_find(w, a->id);
	if (wc == NULL) {
		w->camps = xreallocarray(w->camps, w->ncamps + 1, sizeof *w->camps);
		wc = &w->camps[w->ncamps++];
		memset(wc, 0, sizeof *wc);
	} else {
		if (wc->pinned && !pinned) { /* pinned settings win over the store */
			alert_campaign_done(a);
			return wc;
		}
		for (int c = 0; c < ALERT__CHANNELS; c++)
			if (wc->ch[c].broken && wc->ch[c].broken_hash != a->channels_hash) {
				wc->ch[c].broken = false;
				wc->ch[c].last_error[0] = '\0';
				wlog(w, "info", "campaign %s: %s settings changed; sending again",
				    a->id, alert_channel_name((enum alert_channel)c));
			}
		alert_campaign_done(&wc->a);
	}
	wc->a = *a;
	wc->pinned = wc->pinned || pinned;
	return wc;
}

/* Loads campaign id from the store; returns it or NULL. */
static struct wcamp *
camp_load(struct alertworker *w, const char *id)
{
	struct campaign c;
	char *cause = NULL;
	if (w->o.store == NULL)
		return NULL;
	int rc = store_campaign_get(w->o.store, id, &c, &cause);
	if (rc != 0) {
		if (rc < 0)
			wlog(w, "warn", "loading campaign %s: %s", id, cause);
		free(cause);
		return NULL;
	}
	struct alert_campaign a;
	alert_campaign_init(&a, c.id, &c.cfg);
	campaign_done(&c);
	return camp_install(w, &a, false);
}

/* Reloads stored campaigns and adds the active ones not known yet. */
static void
camps_refresh(struct alertworker *w)
{
	struct campaign *v = NULL;
	size_t n = 0;
	char *cause = NULL;
	if (store_campaign_list(w->o.store, &v, &n, &cause) != 0) {
		wlog(w, "warn", "reloading campaigns: %s", cause);
		free(cause);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct wcamp *wc = camp_find(w, v[i].id);
		if ((wc != NULL && !wc->pinned) ||
		    (wc == NULL && w->o.poll_all_active && v[i].status == CS_ACTIVE)) {
			struct alert_campaign a;
			alert_campaign_init(&a, v[i].id, &v[i].cfg);
			camp_install(w, &a, false);
		}
		campaign_done(&v[i]);
	}
	free(v);
}

/* ---- dedupe memory ---------------------------------------------------- */

/* Collects the event times of this process's sends of c on ch in the slots
 * next to c's; returns how many. */
static size_t
seen_prior(struct alertworker *w, const struct alert_candidate *c, enum alert_channel ch,
    int64_t quiet_ms, int64_t *prior, size_t max)
{
	size_t n = 0;
	int64_t slot = alert_slot(c->event_ms, quiet_ms);
	for (int64_t d = quiet_ms > 0 ? -1 : 0; d <= (quiet_ms > 0 ? 1 : 0); d++) {
		char id[ALERT_ID_MAX];
		alert_fingerprint(c, ch, slot + d, id);
		for (size_t i = 0; i < w->nseen && n < max; i++)
			if (strcmp(w->seen[i].id, id) == 0)
				prior[n++] = w->seen[i].event_ms;
	}
	return n;
}

/* Remembers a send (or a queued send) of c on ch. */
static void
seen_add(struct alertworker *w, const struct alert_candidate *c, enum alert_channel ch,
    int64_t quiet_ms, int64_t now)
{
	w->seen = xreallocarray(w->seen, w->nseen + 1, sizeof *w->seen);
	struct seen *s = &w->seen[w->nseen++];
	alert_fingerprint(c, ch, alert_slot(c->event_ms, quiet_ms), s->id);
	s->event_ms = c->event_ms;
	s->expires_ms = now + (quiet_ms > 0 ? quiet_ms + SEEN_KEEP_MS : ONCE_KEEP_MS);
}

/* Forgets sends whose quiet window is long over (alerts_sent still has them). */
static void
seen_prune(struct alertworker *w, int64_t now)
{
	size_t j = 0;
	for (size_t i = 0; i < w->nseen; i++)
		if (w->seen[i].expires_ms > now)
			w->seen[j++] = w->seen[i];
	w->nseen = j;
}

/* ---- the pipeline ----------------------------------------------------- */

/* Decides whether c goes out on channel ch: memory first, then alerts_sent
 * (a database error lets it through: a repeat beats a drop). */
static bool
dedupe_ok(
    struct alertworker *w, struct wcamp *wc, const struct alert_candidate *c, enum alert_channel ch)
{
	int64_t prior[16];
	int64_t quiet = wc->a.rules.quiet_window_ms;
	size_t n = seen_prior(w, c, ch, quiet, prior, LW_ARRAY_LEN(prior));
	if (!alert_should_send(prior, n, c->event_ms, quiet)) {
		w->cnt.duplicates++;
		return false;
	}
	if (w->o.store == NULL)
		return true;
	char *cause = NULL;
	if (store_alerts_prior(w->o.store, c, ch, quiet, prior, &n, &cause) != 0) {
		wlog(w, "warn", "campaign %s: reading alerts_sent: %s (sending anyway)", wc->a.id,
		    cause);
		free(cause);
		return true;
	}
	if (!alert_should_send(prior, n, c->event_ms, quiet)) {
		w->cnt.suppressed++;
		return false;
	}
	return true;
}

/* Matches one candidate and queues it on each configured channel it is due on. */
static void
process(struct alertworker *w, struct alert_candidate *c, int64_t now)
{
	w->cnt.offered++;
	struct wcamp *wc = camp_find(w, c->campaign_id);
	if (wc == NULL)
		wc = camp_load(w, c->campaign_id);
	if (wc == NULL) {
		w->cnt.skipped++;
		return;
	}
	if (wc->a.rules.has_min_sentiment && !c->has_sentiment && w->o.store != NULL) {
		char *cause = NULL;
		if (store_alerts_sentiment(
		        w->o.store, c, &c->has_sentiment, &c->sentiment, &cause) < 0)
			free(cause); /* unscored is the safe reading: it alerts */
	}
	if (!alert_verdict_alerts(alert_match(&wc->a, c))) {
		w->cnt.skipped++;
		return;
	}
	w->cnt.matched++;
	for (int k = 0; k < ALERT__CHANNELS; k++) {
		enum alert_channel ch = (enum alert_channel)k;
		struct chan *cs = &wc->ch[k];
		if (!alert_campaign_has_channel(&wc->a, ch))
			continue;
		if (cs->broken) {
			w->cnt.failed++;
			continue;
		}
		if (!dedupe_ok(w, wc, c, ch))
			continue;
		cs->pending = xreallocarray(cs->pending, cs->npending + 1, sizeof *cs->pending);
		alert_candidate_copy(&cs->pending[cs->npending].c, c);
		cs->pending[cs->npending++].arrived_ms = now;
		seen_add(w, c, ch, wc->a.rules.quiet_window_ms, now);
	}
}

/* Compares polled entries by id. */
static int
cmp_polled(const void *a, const void *b)
{
	return strcmp(((const struct polled *)a)->id, ((const struct polled *)b)->id);
}

/* Returns true when the poll already handed on the engagement with _id id. */
static bool
polled_has(const struct wcamp *wc, const char *id)
{
	struct polled key = {.first_seen_ms = 0};
	snprintf(key.id, sizeof key.id, "%s", id);
	return wc->npolled > 0 &&
	       bsearch(&key, wc->polled, wc->npolled, sizeof key, cmp_polled) != NULL;
}

/* Forgets polled engagements that fell out of the settle window. */
static void
polled_prune(struct wcamp *wc, int64_t from_ms)
{
	size_t j = 0;
	for (size_t i = 0; i < wc->npolled; i++)
		if (wc->polled[i].first_seen_ms >= from_ms)
			wc->polled[j++] = wc->polled[i];
	wc->npolled = j;
}

/* Reads engagements past each campaign's watermark and processes them. The
 * read starts POLL_SETTLE_MS behind the watermark: an ingest worker stamps
 * first_seen_at before its write lands (and a page is written in several
 * bulks, another process's clock may lag), so an engagement can appear
 * behind a watermark that already passed it. What the poll handed on before
 * is skipped by _id, so the overlap neither repeats nor recounts anything. */
static void
poll_all(struct alertworker *w, int64_t now)
{
	for (size_t i = 0; i < w->ncamps; i++) {
		struct wcamp *wc = &w->camps[i];
		if (!wc->mark_set) {
			wc->mark.first_seen_ms = now - w->o.lookback_ms;
			wc->mark.last_id[0] = '\0';
			wc->mark_set = true;
		}
		int64_t from = wc->mark.first_seen_ms - POLL_SETTLE_MS;
		if (from < now - w->o.lookback_ms)
			from = now - w->o.lookback_ms;
		polled_prune(wc, from);
		struct alert_watermark cur = {.first_seen_ms = from - 1};
		cur.last_id[0] = '\0';
		for (;;) {
			struct alert_candidate *v = NULL;
			size_t n = 0;
			char *cause = NULL;
			if (store_alerts_poll(
			        w->o.store, wc->a.id, &cur, POLL_PAGE, &v, &n, &cause) != 0) {
				if (!wc->poll_failing)
					wlog(w, "warn", "campaign %s: %s", wc->a.id, cause);
				wc->poll_failing = true;
				free(cause);
				break;
			}
			wc->poll_failing = false;
			char id[CAMPAIGN_ID_MAX];
			snprintf(id, sizeof id, "%s", wc->a.id);
			size_t np = wc->npolled;
			for (size_t j = 0; j < n; j++) {
				char *key = lw_engagement_key(
				    v[j].campaign_id, v[j].tweet_id, v[j].user_id, v[j].action);
				char eid[ALERT_ID_MAX];
				snprintf(eid, sizeof eid, "%s", key);
				free(key);
				if (!polled_has(wc, eid)) {
					wc->polled = xreallocarray(
					    wc->polled, wc->npolled + 1, sizeof *wc->polled);
					struct polled *p = &wc->polled[wc->npolled++];
					snprintf(p->id, sizeof p->id, "%s", eid);
					p->first_seen_ms = v[j].event_ms;
					process(w, &v[j], now);
					wc = camp_find(w, id); /* process may grow the array */
				}
				alert_candidate_done(&v[j]);
			}
			free(v);
			if (wc == NULL)
				break;
			if (wc->npolled > np)
				qsort(wc->polled, wc->npolled, sizeof *wc->polled, cmp_polled);
			if (cur.first_seen_ms > wc->mark.first_seen_ms ||
			    (cur.first_seen_ms == wc->mark.first_seen_ms &&
			        strcmp(cur.last_id, wc->mark.last_id) > 0))
				wc->mark = cur;
			if (n < POLL_PAGE)
				break;
		}
	}
}

/* Copies counters and channel states into the snapshot status readers see. */
static void
publish(struct alertworker *w, int64_t now)
{
	struct alertworker_status s;
	memset(&s, 0, sizeof s);
	s.offered = w->cnt.offered;
	s.matched = w->cnt.matched;
	s.skipped = w->cnt.skipped;
	s.suppressed = w->cnt.suppressed;
	s.duplicates = w->cnt.duplicates;
	s.sent_alerts = w->cnt.sent_alerts;
	s.sent_messages = w->cnt.sent_messages;
	s.retries = w->cnt.retries;
	s.failed = w->cnt.failed;
	s.log_errors = w->cnt.log_errors;
	s.channels = xcalloc(w->ncamps * ALERT__CHANNELS + 1, sizeof *s.channels);
	for (size_t i = 0; i < w->ncamps; i++) {
		for (int k = 0; k < ALERT__CHANNELS; k++) {
			const struct chan *cs = &w->camps[i].ch[k];
			if (!alert_campaign_has_channel(&w->camps[i].a, (enum alert_channel)k))
				continue;
			struct alertworker_channel *c = &s.channels[s.nchannels++];
			snprintf(c->campaign_id, sizeof c->campaign_id, "%s", w->camps[i].a.id);
			c->ch = (enum alert_channel)k;
			c->state = cs->broken         ? "failing"
			           : cs->attempts > 0 ? "retrying"
			           : cs->npending > 0 ? "waiting"
			                              : "ok";
			c->pending = cs->npending;
			c->in_flight = cs->nmsg;
			c->attempts = cs->attempts;
			c->next_try_ms = cs->attempts > 0 ? cs->next_try_ms : 0;
			c->last_sent_ms = cs->last_sent_ms;
			snprintf(c->last_error, sizeof c->last_error, "%s", cs->last_error);
			s.pending += cs->npending + cs->nmsg;
		}
	}
	(void)now;
	pthread_mutex_lock(&w->mu);
	s.refused = w->refused;
	alertworker_status_done(&w->snap);
	w->snap = s;
	pthread_mutex_unlock(&w->mu);
}

int64_t
alertworker_run_once(struct alertworker *w)
{
	int64_t now = clock_now_ms();
	pthread_mutex_lock(&w->mu);
	struct alert_candidate *in = w->inbox;
	size_t nin = w->ninbox;
	struct alert_campaign *up = w->updates;
	bool *pinned = w->update_pinned;
	size_t nup = w->nupdates;
	w->inbox = NULL;
	w->ninbox = 0;
	w->updates = NULL;
	w->update_pinned = NULL;
	w->nupdates = 0;
	pthread_mutex_unlock(&w->mu);

	for (size_t i = 0; i < nup; i++)
		camp_install(w, &up[i], pinned[i]);
	free(up);
	free(pinned);
	if (w->o.store != NULL && now >= w->next_refresh_ms) {
		camps_refresh(w);
		w->next_refresh_ms = now + w->o.refresh_ms;
	}
	for (size_t i = 0; i < nin; i++) {
		process(w, &in[i], now);
		alert_candidate_done(&in[i]);
	}
	free(in);
	if (w->o.store != NULL && w->o.poll_interval_ms > 0 && now >= w->next_poll_ms) {
		poll_all(w, now);
		w->next_poll_ms = now + w->o.poll_interval_ms;
	}

	int64_t next = now + IDLE_DEADLINE_MS;
	if (w->o.store != NULL && w->o.poll_interval_ms > 0 && w->next_poll_ms < next)
		next = w->next_poll_ms;
	if (w->o.store != NULL && w->next_refresh_ms < next)
		next = w->next_refresh_ms;
	for (size_t i = 0; i < w->ncamps; i++)
		for (int k = 0; k < ALERT__CHANNELS; k++) {
			int64_t d = alertsend_deliver(&w->send, &w->camps[i].a, &w->camps[i].ch[k],
			    (enum alert_channel)k, now);
			if (d < next)
				next = d;
		}
	seen_prune(w, now);
	publish(w, now);
	return next;
}

/* The worker thread: run, then sleep until the next deadline, an offer or a
 * kick (in short steps, so an injected clock is followed too). */
static void *
worker_main(void *arg)
{
	struct alertworker *w = arg;
	pthread_mutex_lock(&w->mu);
	while (!w->stop) {
		pthread_mutex_unlock(&w->mu);
		int64_t next = alertworker_run_once(w);
		pthread_mutex_lock(&w->mu);
		if (w->stop || w->kicked || w->ninbox > 0 || w->nupdates > 0) {
			w->kicked = false;
			continue;
		}
		int64_t wait = next - clock_now_ms();
		wait = wait < 1 ? 1 : wait > 250 ? 250 : wait;
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += wait / 1000;
		ts.tv_nsec += (long)(wait % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		while (!w->stop && !w->kicked && w->ninbox == 0 && w->nupdates == 0)
			if (pthread_cond_timedwait(&w->cond, &w->mu, &ts) == ETIMEDOUT)
				break;
		w->kicked = false;
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

int
alertworker_start(struct alertworker *w, char **cause)
{
	if (w->started)
		return 0;
	w->stop = false;
	int rc = pthread_create(&w->thread, NULL, worker_main, w);
	if (rc != 0)
		return set_cause(cause, "cannot start the alert worker: %s", strerror(rc));
	w->started = true;
	return 0;
}

void
alertworker_stop(struct alertworker *w)
{
	if (!w->started)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	w->started = false;
}

void
alertworker_status(struct alertworker *w, struct alertworker_status *out)
{
	pthread_mutex_lock(&w->mu);
	*out = w->snap;
	out->refused = w->refused;
	out->channels = xcalloc(w->snap.nchannels + 1, sizeof *out->channels);
	if (w->snap.nchannels > 0)
		memcpy(out->channels, w->snap.channels, w->snap.nchannels * sizeof *out->channels);
	pthread_mutex_unlock(&w->mu);
}

void
alertworker_status_done(struct alertworker_status *s)
{
	free(s->channels);
	memset(s, 0, sizeof *s);
}
