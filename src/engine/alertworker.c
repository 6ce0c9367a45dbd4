/*
 * alertworker: the alert worker thread (docs/alerts.md): wake-ups, the
 * campaigns it follows, the records of their change-log entries, rules,
 * engagement details, dedupe, positions and the status snapshot. The
 * reading side (where a log is read from, entries, saved positions) is
 * alertlog.c and the sending side (digests, sends, retries, the alerts_sent
 * log) is alertsend.c, both driven from here. Wake-ups, settings updates
 * and status reads take the mutex from any thread; everything else runs on
 * the worker (or on the owner driving alertworker_run_once) and is not
 * shared.
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
#include "model/prep.h"
#include "store/store_alerts.h"
#include "store/store_events.h"
#include "base/text.h"
#include "base/util.h"
#include "alertlog_internal.h"
#include "alertsend_internal.h"

#define SEEN_KEEP_MS     3600000LL  /* memory of sends beyond the quiet window */
#define ONCE_KEEP_MS     86400000LL /* memory of sends with a quiet window of 0 */
#define IDLE_DEADLINE_MS 60000      /* when nothing else is due */
#define SAVE_EVERY_MS    1000       /* a campaign's position is saved at most this often */
#define TURN_ENTRIES     64         /* change-log entries read per campaign per turn */
#define TURN_RECORDS     2000       /* ... and engagement records */
#define RETRY_MS         5000       /* a log that failed to read is tried again after this */
#define HOLD_RETRY_MS    500        /* an entry held for the scorer is read again after this */

/* A campaign the worker knows. */
struct wcamp {
	struct alert_campaign a;
	bool pinned; /* set through alertworker_set_campaign: not reloaded */
	struct alertlog log;
	struct chan ch[ALERT__CHANNELS];
};

/* A wake-up: campaign_id's log grew to seq. */
struct hint {
	char campaign_id[CAMPAIGN_ID_MAX];
	int64_t seq;
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
	struct hint *hints;
	size_t nhints;
	struct alert_campaign *updates;
	bool *update_pinned;
	size_t nupdates;
	bool stop;
	bool kicked;
	struct alertworker_status snap;

	/* worker only */
	struct wcamp *camps;
	size_t ncamps;
	struct seen *seen;
	size_t nseen;
	struct alert_counters cnt;
	struct alertsend send; /* the sending side */
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
	o->sentiment_hold_ms = 30000;
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
    {"LAUNCHWATCH_SENTIMENT_HOLD_MS", offsetof(struct alertworker_opts, sentiment_hold_ms), 0},
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
	free(w->hints);
	for (size_t i = 0; i < w->nupdates; i++)
		alert_campaign_done(&w->updates[i]);
	free(w->updates);
	free(w->update_pinned);
	for (size_t i = 0; i < w->ncamps; i++) {
		alert_campaign_done(&w->camps[i].a);
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

void
alertworker_notify(struct alertworker *w, const char *campaign_id, int64_t seq)
{
	pthread_mutex_lock(&w->mu);
	size_t i = 0;
	while (i < w->nhints && strcmp(w->hints[i].campaign_id, campaign_id) != 0)
		i++;
	if (i == w->nhints) {
		w->hints = xreallocarray(w->hints, w->nhints + 1, sizeof *w->hints);
		snprintf(
		    w->hints[i].campaign_id, sizeof w->hints[i].campaign_id, "%s", campaign_id);
		w->hints[i].seq = 0;
		w->nhints++;
	}
	if (seq > w->hints[i].seq)
		w->hints[i].seq = seq;
	w->kicked = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->mu);
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

/* Returns true when campaign wc has a channel to send on (only then is its
 * log followed: a campaign without one would pass entries it never alerts). */
static bool
camp_alerts(const struct wcamp *wc)
{
	for (int k = 0; k < ALERT__CHANNELS; k++)
		if (alert_campaign_has_channel(&wc->a, (enum alert_channel)k))
			return true;
	return false;
}

/* Completes c from its stored engagement (one `_id` read); without it (not
 * readable now) c keeps what its record holds. */
static void
add_details(struct alertworker *w, struct wcamp *wc, struct alert_candidate *c)
{
	struct lw_engagement e;
	char *cause = NULL;
	int rc = ste_engagement_get(
	    w->o.store, c->campaign_id, c->tweet_id, c->user_id, c->action, &e, &cause);
	if (rc == 0) {
		alert_candidate_add_details(c, &e);
		lw_engagement_done(&e);
	} else if (rc < 0) {
		wlog(w, "warn",
		    "campaign %s: reading an engagement's details: %s (alerting with what the "
		    "change log holds)",
		    wc->a.id, cause);
		free(cause);
	}
}

/* Matches one candidate of campaign wc (completing it from its stored
 * engagement when the rules pass) and queues it on each configured channel
 * it is due on. */
static void
process(struct alertworker *w, struct wcamp *wc, struct alert_candidate *c, int64_t now)
{
	w->cnt.evaluated++;
	/* a reply or quote may still alert on its score (negative_sentiment) */
	if (!alert_verdict_alerts(alert_match(&wc->a, c)) &&
	    !(wc->a.rules.has_negative_sentiment && alert_wants_score(&wc->a.rules, c))) {
		w->cnt.skipped++;
		return;
	}
	add_details(w, wc, c);
	if (!alert_verdict_alerts(alert_match(&wc->a, c))) { /* its sentiment */
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

/* A change-log entry handed to take_entry. */
struct take_ctx {
	struct alertworker *w;
	struct wcamp *wc;
	int64_t now;
};

/* Hands the engagement records of entry e to process (an alertlog_take_fn),
 * or holds the entry back while the scorer is running, the entry is
 * younger than sentiment_hold_ms and one of its records awaits a score. */
static int
take_entry(void *arg, const struct change_entry *e, size_t *records)
{
	struct take_ctx *t = arg;
	struct alertworker *w = t->w;
	struct wcamp *wc = t->wc;
	struct prep_eng *v = NULL;
	struct prep_slice *sl = NULL;
	size_t n = 0, ns = 0;
	char *cause = NULL;
	*records = 0;
	if (prep_items_decode(e->items, e->len, &v, &n, &sl, &ns, &cause) != 0) {
		wlog(w, "warn", "campaign %s: change-log entry %lld is unreadable: %s (skipped)",
		    wc->a.id, (long long)e->seq, cause);
		free(cause);
		return 0;
	}
	bool hold = false;
	if (w->o.scoring != NULL && t->now - e->at_ms < w->o.sentiment_hold_ms &&
	    w->o.scoring(w->o.scoring_arg, wc->a.id)) {
		for (size_t i = 0; !hold && i < n; i++) {
			struct alert_candidate c;
			alert_candidate_from_record(&c, wc->a.id, &v[i]);
			hold = alertlog_awaits_score(w->o.store, &wc->a, &c);
			alert_candidate_done(&c);
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (!hold) {
			struct alert_candidate c;
			alert_candidate_from_record(&c, wc->a.id, &v[i]);
			c.log_seq = e->seq;
			process(w, wc, &c, t->now);
			alert_candidate_done(&c);
		}
		prep_eng_done(&v[i]);
	}
	free(v);
	free(sl);
	if (hold) {
		w->cnt.held++;
		return 1;
	}
	*records = n;
	return 0;
}

/* Notes a failed read of campaign wc's log (reported once until a read
 * works again); the log is tried again after RETRY_MS. */
static void
follow_failed(struct alertworker *w, struct wcamp *wc, const char *what, char *cause, int64_t now)
{
	if (!wc->log.failing)
		wlog(w, "warn", "campaign %s: %s: %s (retrying)", wc->a.id, what, cause);
	free(cause);
	wc->log.failing = true;
	wc->log.next_poll_ms = now + RETRY_MS;
}

/* Reads campaign wc's change log past its position when it grew, is due a
 * poll or is catching up, at most a turn's worth (alertlog_follow). Returns
 * true when more may be waiting. */
static bool
follow(struct alertworker *w, struct wcamp *wc, int64_t now)
{
	struct alertlog *l = &wc->log;
	char *cause = NULL;
	if (l->failing && now < l->next_poll_ms)
		return false;
	if (!l->started &&
	    alertlog_start(l, w->o.store, wc->a.id, now, w->o.lookback_ms, &cause) != 0) {
		follow_failed(w, wc, "finding its place in the change log", cause, now);
		return false;
	}
	struct take_ctx t = {w, wc, now};
	int rc = alertlog_follow(l, w->o.store, wc->a.id, now, w->o.poll_interval_ms, HOLD_RETRY_MS,
	    TURN_ENTRIES, TURN_RECORDS, take_entry, &t, &cause);
	if (rc < 0) {
		follow_failed(w, wc, "reading the change log", cause, now);
		return false;
	}
	return rc == 1;
}

/* Saves campaign wc's position up to the entry before its oldest unsent
 * alert (at most every SAVE_EVERY_MS; always when force). Returns when the
 * next save is due (INT64_MAX when none is owed). */
static int64_t
save_position(struct alertworker *w, struct wcamp *wc, int64_t now, bool force)
{
	struct alertlog *l = &wc->log;
	int64_t done = l->pos;
	for (int k = 0; k < ALERT__CHANNELS; k++) {
		int64_t low = alertsend_oldest_seq(&wc->ch[k]);
		if (low != INT64_MAX && low - 1 < done)
			done = low - 1;
	}
	char *cause = NULL;
	if (alertlog_save(l, w->o.store, wc->a.id, done, now, SAVE_EVERY_MS, force, &cause) != 0) {
		wlog(w, "warn", "campaign %s: saving its change-log position: %s (will retry)",
		    wc->a.id, cause);
		free(cause);
	}
	return l->started && done > l->saved ? l->save_at_ms : INT64_MAX;
}

/* Takes the wake-ups: each campaign's newest announced seq (loading a
 * campaign not known yet). */
static void
take_hints(struct alertworker *w, struct hint *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct wcamp *wc = camp_find(w, v[i].campaign_id);
		if (wc == NULL && w->o.store != NULL)
			wc = camp_load(w, v[i].campaign_id);
		if (wc != NULL && v[i].seq > wc->log.hint)
			wc->log.hint = v[i].seq;
	}
	free(v);
}

/* Copies counters and channel states into the snapshot status readers see. */
static void
publish(struct alertworker *w, int64_t now)
{
	struct alertworker_status s;
	memset(&s, 0, sizeof s);
	s.evaluated = w->cnt.evaluated;
	s.matched = w->cnt.matched;
	s.skipped = w->cnt.skipped;
	s.suppressed = w->cnt.suppressed;
	s.duplicates = w->cnt.duplicates;
	s.sent_alerts = w->cnt.sent_alerts;
	s.sent_messages = w->cnt.sent_messages;
	s.retries = w->cnt.retries;
	s.failed = w->cnt.failed;
	s.log_errors = w->cnt.log_errors;
	s.held = w->cnt.held;
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
	alertworker_status_done(&w->snap);
	w->snap = s;
	pthread_mutex_unlock(&w->mu);
}

int64_t
alertworker_run_once(struct alertworker *w)
{
	int64_t now = clock_now_ms();
	pthread_mutex_lock(&w->mu);
	struct hint *hints = w->hints;
	size_t nhints = w->nhints;
	struct alert_campaign *up = w->updates;
	bool *pinned = w->update_pinned;
	size_t nup = w->nupdates;
	w->hints = NULL;
	w->nhints = 0;
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
	take_hints(w, hints, nhints);

	int64_t next = now + IDLE_DEADLINE_MS;
	if (w->o.store != NULL && w->next_refresh_ms < next)
		next = w->next_refresh_ms;
	for (size_t i = 0; w->o.store != NULL && i < w->ncamps; i++) {
		struct wcamp *wc = &w->camps[i];
		if (!camp_alerts(wc)) {
			wc->log.started = false; /* a later start checks the lookback again */
			continue;
		}
		if (follow(w, wc, now))
			next = now;
		if ((w->o.poll_interval_ms > 0 || wc->log.failing || wc->log.held_until_ms > 0) &&
		    wc->log.next_poll_ms < next)
			next = wc->log.next_poll_ms;
	}
	for (size_t i = 0; i < w->ncamps; i++)
		for (int k = 0; k < ALERT__CHANNELS; k++) {
			int64_t d = alertsend_deliver(&w->send, &w->camps[i].a, &w->camps[i].ch[k],
			    (enum alert_channel)k, now);
			if (d < next)
				next = d;
		}
	for (size_t i = 0; w->o.store != NULL && i < w->ncamps; i++) {
		int64_t d = save_position(w, &w->camps[i], clock_now_ms(), false);
		if (d < next)
			next = d;
	}
	seen_prune(w, now);
	publish(w, now);
	return next;
}

/* The worker thread: run, then sleep until the next deadline, a wake-up or
 * a kick (in short steps, so an injected clock is followed too). */
static void *
worker_main(void *arg)
{
	struct alertworker *w = arg;
	pthread_mutex_lock(&w->mu);
	while (!w->stop) {
		pthread_mutex_unlock(&w->mu);
		int64_t next = alertworker_run_once(w);
		pthread_mutex_lock(&w->mu);
		if (w->stop || w->kicked || w->nhints > 0 || w->nupdates > 0) {
			w->kicked = false;
			continue;
		}
		int64_t wait = next - clock_now_ms();
		wait = wait < 1 ? 1 : wait > 250 ? 250 : wait;
		struct timespec ts = clock_deadline(CLOCK_MONOTONIC, wait);
		while (!w->stop && !w->kicked && w->nhints == 0 && w->nupdates == 0)
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
alertworker_request_stop(struct alertworker *w)
{
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->mu);
}

void
alertworker_stop(struct alertworker *w)
{
	if (w->started) {
		pthread_mutex_lock(&w->mu);
		w->stop = true;
		pthread_cond_signal(&w->cond);
		pthread_mutex_unlock(&w->mu);
		pthread_join(w->thread, NULL);
		w->started = false;
	}
	for (size_t i = 0; w->o.store != NULL && i < w->ncamps; i++)
		save_position(w, &w->camps[i], clock_now_ms(), true);
}

void
alertworker_status(struct alertworker *w, struct alertworker_status *out)
{
	pthread_mutex_lock(&w->mu);
	*out = w->snap;
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
