/*
 * sentiment: the sentiment supervisor (include/engine/sentiment.h,
 * docs/alerts.md section 9): the scorer process and its restarts, the
 * campaigns it follows with their leases, each change-log entry's replies
 * and quotes scored and counted once. Its own thread; notify, scoring and
 * status from any thread.
 */
#include "engine/sentiment.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base/text.h"
#include "base/util.h"
#include "engine/heartbeat.h"
#include "model/prep.h"
#include "model/sentiment.h"
#include "store/store_events.h"
#include "store/store_ingest.h"
#include "store/store_sentiment.h"
#include "alertlog_internal.h"
#include "scorer_internal.h"

#define MAX_CAMPS      256   /* campaigns followed (and wake-ups remembered) */
#define TURN_ENTRIES   32    /* change-log entries read per campaign per turn */
#define TURN_RECORDS   2000  /* ... and engagement records */
#define HOLD_MS        1000  /* an entry the scorer failed on is tried again after this */
#define LEASE_RETRY_MS 10000 /* a campaign another live engine scores is looked at again */
#define SAVE_EVERY_MS  5000  /* a position moved by entries without replies is saved */

/* What the supervisor is doing (its thread only). */
struct sstate {
	const char *state;    /* "starting", "up", "down" (static) */
	char scorer[32];      /* "vader" once it said hello */
	char version[32];     /* "3.3.2" */
	int64_t restarts;     /* scorer starts after the first */
	uint64_t scored;      /* engagements scored */
	uint64_t not_scored;  /* looked at, language unreadable */
	char last_error[200]; /* "" when none */
};

/* One followed campaign. */
struct scamp {
	char id[CAMPAIGN_ID_MAX];
	bool loaded;          /* st holds the stored document and the lease is ours */
	int64_t retry_ms;     /* not loaded: when the lease is tried again */
	struct sent_state st; /* the sums and position as stored (plus unsaved position) */
	int64_t saved_seq;    /* the seq of the last write */
	int64_t save_at_ms;   /* a moved position is saved from then on */
	struct alertlog log;  /* the place in the change log */
};

struct sentiment {
	struct sentiment_opts o;
	char owner[128];
	char *cmd;

	pthread_mutex_t mu;
	pthread_cond_t cond;
	/* guarded by mu */
	struct {
		char id[CAMPAIGN_ID_MAX];
		int64_t seq;
	} hints[MAX_CAMPS];
	size_t nhints;
	bool stop;
	bool started; /* the thread runs (set by the owner) */

	/* supervisor thread only */
	char noted[160]; /* the state line last written to the heartbeat */
	struct scorer sc;
	bool ever_started;
	int64_t restart_at_ms;
	int64_t backoff_ms;
	struct sstate cnt;
	struct scamp *camps;
	size_t ncamps;
	int64_t next_refresh_ms;
	pthread_t thread;
};

void
sentiment_opts_init(struct sentiment_opts *o)
{
	memset(o, 0, sizeof *o);
	o->start_timeout_ms = 20000;
	o->answer_timeout_ms = 10000;
	o->restart_base_ms = 1000;
	o->restart_cap_ms = 60000;
	o->poll_ms = 2000;
	o->lease_ms = 60000;
	o->refresh_ms = 30000;
}

bool
sentiment_enabled_by_env(bool *bad, char **cause)
{
	static const char *const on[] = {"1", "yes", "true", "on"};
	static const char *const off[] = {"", "0", "no", "false", "off"};
	const char *v = getenv("LAUNCHWATCH_SENTIMENT");
	*bad = false;
	if (v == NULL)
		return false;
	for (size_t i = 0; i < LW_ARRAY_LEN(on); i++)
		if (strcasecmp(v, on[i]) == 0)
			return true;
	for (size_t i = 0; i < LW_ARRAY_LEN(off); i++)
		if (strcasecmp(v, off[i]) == 0)
			return false;
	*bad = true;
	set_cause(cause, "LAUNCHWATCH_SENTIMENT must be 1 or 0 (yes/no, true/false, on/off)");
	return false;
}

/* Reports a notable event through the log hook. */
static void __attribute__((format(printf, 3, 4)))
slog(struct sentiment *s, const char *level, const char *fmt, ...)
{
	if (s->o.log == NULL)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	char *clean = text_sanitize(msg, strlen(msg), 1000);
	s->o.log(s->o.log_arg, level, clean);
	free(clean);
	free(msg);
}

/* ---- the scorer process ------------------------------------------------ */

/* Logs one line of the scorer's stderr. */
static void
stderr_line(void *arg, const char *line)
{
	slog(arg, "warn", "sentiment scorer: %s", line);
}

/* Notes that the scorer failed (why) and stops it; the next start waits
 * the backoff, doubled per failure in a row. */
static void
scorer_failed(struct sentiment *s, const char *why, int64_t now)
{
	scorer_drain_stderr(&s->sc, stderr_line, s);
	scorer_stop(&s->sc);
	s->backoff_ms = s->backoff_ms <= 0
	                    ? s->o.restart_base_ms
	                    : (s->backoff_ms * 2 > s->o.restart_cap_ms ? s->o.restart_cap_ms
	                                                               : s->backoff_ms * 2);
	s->restart_at_ms = now + s->backoff_ms;
	snprintf(s->cnt.last_error, sizeof s->cnt.last_error, "%s", why);
	s->cnt.state = "down";
	slog(s, "warn", "sentiment: scorer down, restarting in %lld ms: %s",
	    (long long)s->backoff_ms, why);
}

/* Makes sure the scorer runs, starting it when its backoff passed. Returns
 * true when it is up. */
static bool
scorer_up(struct sentiment *s, int64_t now)
{
	if (s->sc.pid > 0 && scorer_running(&s->sc))
		return true;
	if (s->sc.pid > 0 || s->sc.fd >= 0)
		scorer_failed(s, "the scorer exited", now);
	if (now < s->restart_at_ms)
		return false;
	char *cause = NULL;
	if (s->ever_started)
		s->cnt.restarts++;
	s->ever_started = true;
	if (scorer_start(&s->sc, s->cmd, s->o.start_timeout_ms, &cause) != 0) {
		s->sc.fd = s->sc.err_fd = -1;
		scorer_failed(s, cause, clock_now_ms());
		free(cause);
		return false;
	}
	snprintf(s->cnt.scorer, sizeof s->cnt.scorer, "%s", s->sc.scorer);
	snprintf(s->cnt.version, sizeof s->cnt.version, "%s", s->sc.version);
	s->cnt.state = "up";
	slog(s, "info", "sentiment: scorer %s %s up (pid %ld)", s->sc.scorer, s->sc.version,
	    (long)s->sc.pid);
	return true;
}

/* ---- campaigns --------------------------------------------------------- */

/* Returns campaign id's entry, adding it when new and there is room (NULL
 * when full). */
static struct scamp *
camp_of(struct sentiment *s, const char *id)
{
	for (size_t i = 0; i < s->ncamps; i++)
		if (strcmp(s->camps[i].id, id) == 0)
			return &s->camps[i];
	if (s->ncamps >= MAX_CAMPS)
		return NULL;
	s->camps = xreallocarray(s->camps, s->ncamps + 1, sizeof *s->camps);
	struct scamp *c = &s->camps[s->ncamps++];
	memset(c, 0, sizeof *c);
	snprintf(c->id, sizeof c->id, "%s", id);
	return c;
}

/* Follows every active campaign of the store. */
static void
camps_refresh(struct sentiment *s)
{
	struct campaign *v = NULL;
	size_t n = 0;
	char *cause = NULL;
	if (store_campaign_list(s->o.store, &v, &n, &cause) != 0) {
		slog(s, "warn", "sentiment: reading the campaigns: %s", cause);
		free(cause);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (v[i].status == CS_ACTIVE)
			camp_of(s, v[i].id);
		campaign_done(&v[i]);
	}
	free(v);
}

/* Returns true when owner (another engine) has a live heartbeat at now. */
static bool
owner_alive(struct sentiment *s, const char *owner, int64_t now)
{
	struct sti_heartbeat *v = NULL;
	size_t n = 0;
	char *cause = NULL, host[64] = "";
	if (sti_heartbeat_list(s->o.store, &v, &n, &cause) != 0) {
		free(cause);
		return true; /* unknown: wait for the lease */
	}
	gethostname(host, sizeof host - 1);
	bool alive = false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].owner, owner) == 0)
			alive = heartbeat_alive(&v[i], host, now);
	free(v);
	return alive;
}

/* Writes c's document (sums, position, a renewed lease). 0 or -1 (then c
 * is read again from the store before it goes on). */
static int
camp_save(struct sentiment *s, struct scamp *c, int64_t now)
{
	char *cause = NULL;
	c->st.lease_until_ms = now + s->o.lease_ms;
	c->st.updated_at_ms = now;
	if (sts_put(s->o.store, c->id, &c->st, &cause) != 0) {
		slog(s, "warn", "campaign %s: saving the sentiment sums: %s (read again)", c->id,
		    cause);
		free(cause);
		sent_state_done(&c->st);
		c->loaded = false;
		c->retry_ms = now + HOLD_MS;
		return -1;
	}
	c->saved_seq = c->st.seq;
	c->save_at_ms = now + SAVE_EVERY_MS;
	return 0;
}

/* Returns true when c's lease is still ours; when another engine took it
 * (a race of two claims on MongoDB, or a takeover after this engine
 * stalled past the lease), lets c go without writing. */
static bool
lease_kept(struct sentiment *s, struct scamp *c, int64_t now)
{
	struct sent_state st;
	char *cause = NULL;
	int rc = sts_get(s->o.store, c->id, &st, &cause);
	free(cause);
	bool ours = rc != 0 || st.owner[0] == '\0' || strcmp(st.owner, s->owner) == 0;
	sent_state_done(&st);
	if (!ours) {
		slog(s, "info", "campaign %s: another engine scores it now", c->id);
		sent_state_done(&c->st);
		c->loaded = false;
		c->retry_ms = now + LEASE_RETRY_MS;
	}
	return ours;
}

/* Reads c's document and takes its lease when it is free, expired, ours or
 * its owner is dead. Returns true when c is ours. */
static bool
camp_load(struct sentiment *s, struct scamp *c, int64_t now)
{
	if (c->loaded)
		return true;
	if (now < c->retry_ms)
		return false;
	char *cause = NULL;
	struct sent_state st;
	if (sts_get(s->o.store, c->id, &st, &cause) < 0) {
		slog(s, "warn", "campaign %s: reading the sentiment sums: %s", c->id, cause);
		free(cause);
		c->retry_ms = now + HOLD_MS;
		return false;
	}
	if (st.owner[0] && strcmp(st.owner, s->owner) != 0 && st.lease_until_ms > now &&
	    owner_alive(s, st.owner, now)) {
		sent_state_done(&st);
		c->retry_ms = now + LEASE_RETRY_MS;
		return false;
	}
	snprintf(st.owner, sizeof st.owner, "%s", s->owner);
	snprintf(st.state, sizeof st.state, "%s", s->noted);
	c->st = st;
	c->loaded = true;
	if (camp_save(s, c, now) != 0)
		return false;
	memset(&c->log, 0, sizeof c->log);
	c->log.started = true;
	c->log.more = true;
	c->log.pos = c->log.saved = c->log.hint = c->st.seq;
	return true;
}

/* One look to count once the entry is done. */
struct look {
	char tweet_id[LW_ID_MAX];
	enum lw_bucket bucket;
	struct scorer_answer a;
};

/* An entry handed to score_entry. */
struct score_ctx {
	struct sentiment *s;
	struct scamp *c;
	int64_t now;
};

/* Scores the replies and quotes of one record r of entry seq not counted
 * yet, appending the look to *v. 0, or -1 when the scorer failed (the
 * entry is held). */
static int
score_record(struct score_ctx *x, const struct prep_eng *r, int64_t seq, struct look **v, size_t *n)
{
	struct sentiment *s = x->s;
	struct lw_engagement e;
	char *cause = NULL;
	int rc = ste_engagement_get(
	    s->o.store, x->c->id, r->tweet_id, r->user_id, (enum lw_action)r->action, &e, &cause);
	if (rc != 0) {
		if (rc < 0)
			slog(s, "warn", "campaign %s: reading a reply: %s", x->c->id, cause);
		free(cause);
		return rc < 0 ? -1 : 0;
	}
	/* counted by a saved entry: a recovered entry listing it again */
	if (e.sentiment_at_ms > 0 && e.sentiment_seq > 0 && e.sentiment_seq <= x->c->saved_seq) {
		lw_engagement_done(&e);
		return 0;
	}
	struct scorer_answer a;
	if (scorer_ask(&s->sc, e.text ? e.text : "", e.lang, s->o.answer_timeout_ms, &a, &cause) !=
	    0) {
		scorer_failed(s, cause, clock_now_ms());
		free(cause);
		lw_engagement_done(&e);
		return -1;
	}
	s->backoff_ms = 0; /* it answers: the next failure restarts it after the base delay */
	struct sts_score sc = {a.scored, a.score, s->sc.scorer, s->sc.version, seq, x->now};
	if (sts_score_put(s->o.store, x->c->id, r->tweet_id, r->user_id, e.action, &sc, &cause) !=
	    0) {
		slog(s, "warn", "campaign %s: storing a score: %s", x->c->id, cause);
		free(cause);
		lw_engagement_done(&e);
		return -1;
	}
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	struct look *l = &(*v)[(*n)++];
	snprintf(l->tweet_id, sizeof l->tweet_id, "%s", r->tweet_id);
	l->bucket = e.bucket;
	l->a = a;
	lw_engagement_done(&e);
	return 0;
}

/* Scores entry e's new replies and quotes, then counts them and moves the
 * position in one write (an alertlog_take_fn); holds the entry when the
 * scorer or the store failed. */
static int
score_entry(void *arg, const struct change_entry *e, size_t *records)
{
	struct score_ctx *x = arg;
	struct prep_eng *v = NULL;
	struct prep_slice *sl = NULL;
	size_t n = 0, ns = 0, nl = 0;
	struct look *looks = NULL;
	char *cause = NULL;
	int rc = 0;
	*records = 0;
	if (prep_items_decode(e->items, e->len, &v, &n, &sl, &ns, &cause) != 0) {
		slog(x->s, "warn", "campaign %s: change-log entry %lld is unreadable: %s (skipped)",
		    x->c->id, (long long)e->seq, cause);
		free(cause);
		n = 0;
	}
	bool replies = false;
	for (size_t i = 0; i < n; i++) {
		if (rc == 0 && (v[i].action == ACT_REPLY || v[i].action == ACT_QUOTE)) {
			replies = true;
			rc = score_record(x, &v[i], e->seq, &looks, &nl);
		}
		prep_eng_done(&v[i]);
	}
	free(v);
	free(sl);
	if (rc == 0) {
		for (size_t i = 0; i < nl; i++) {
			sent_state_add(&x->c->st, looks[i].tweet_id, looks[i].bucket,
			    looks[i].a.scored, looks[i].a.score);
			if (looks[i].a.scored)
				x->s->cnt.scored++;
			else
				x->s->cnt.not_scored++;
		}
		if (nl > 0) {
			snprintf(x->c->st.scorer, sizeof x->c->st.scorer, "%s", x->s->sc.scorer);
			snprintf(x->c->st.version, sizeof x->c->st.version, "%s", x->s->sc.version);
		}
		x->c->st.seq = e->seq;
		if (replies && camp_save(x->s, x->c, x->now) != 0)
			rc = -1;
	}
	free(looks);
	*records = n;
	return rc == 0 ? 0 : 1;
}

/* Follows campaign c's log for a turn. Returns true when more may be
 * waiting. */
static bool
camp_follow(struct sentiment *s, struct scamp *c, int64_t now)
{
	if (!camp_load(s, c, now))
		return false;
	if (c->log.failing && now < c->log.next_poll_ms)
		return false;
	char *cause = NULL;
	struct score_ctx x = {s, c, now};
	int rc = alertlog_follow(&c->log, s->o.store, c->id, now, s->o.poll_ms, HOLD_MS,
	    TURN_ENTRIES, TURN_RECORDS, score_entry, &x, &cause);
	if (rc < 0) {
		if (!c->log.failing)
			slog(s, "warn", "campaign %s: reading the change log: %s (retrying)", c->id,
			    cause);
		free(cause);
		c->log.failing = true;
		c->log.next_poll_ms = now + HOLD_MS;
		return false;
	}
	bool renew = c->loaded && now >= c->st.lease_until_ms - s->o.lease_ms / 2;
	if (renew && !lease_kept(s, c, now))
		return false;
	if (c->loaded && (c->st.seq > c->saved_seq || renew) && now >= c->save_at_ms)
		camp_save(s, c, now);
	return rc == 1;
}

/* ---- the thread -------------------------------------------------------- */

/* Writes the state line into the engine's heartbeat when it changed, for
 * `launchwatch status` and /healthz (a failure is tried at the next turn). */
static void
note_state(struct sentiment *s)
{
	char line[160];
	if (strcmp(s->cnt.state, "up") == 0 && s->cnt.restarts > 0)
		snprintf(line, sizeof line, "sentiment: %s %s scoring (restarted %lld time%s)",
		    s->cnt.scorer, s->cnt.version, (long long)s->cnt.restarts,
		    s->cnt.restarts == 1 ? "" : "s");
	else if (strcmp(s->cnt.state, "up") == 0)
		snprintf(
		    line, sizeof line, "sentiment: %s %s scoring", s->cnt.scorer, s->cnt.version);
	else if (strcmp(s->cnt.state, "down") == 0)
		snprintf(line, sizeof line, "sentiment: scorer down, restarting (%.100s)",
		    s->cnt.last_error);
	else
		snprintf(line, sizeof line, "sentiment: scorer starting");
	char *cause = NULL;
	if (strcmp(line, s->noted) == 0)
		return;
	if (sti_heartbeat_sentiment(s->o.store, s->owner, line, &cause) == 0)
		snprintf(s->noted, sizeof s->noted, "%s", line);
	free(cause);
	/* and in each campaign's document, for the console's jobs screen */
	int64_t now = clock_now_ms();
	for (size_t i = 0; i < s->ncamps; i++) {
		struct scamp *c = &s->camps[i];
		if (c->loaded && strcmp(c->st.state, line) != 0) {
			snprintf(c->st.state, sizeof c->st.state, "%s", line);
			camp_save(s, c, now);
		}
	}
}

/* Does one turn: wake-ups, the campaign list, the scorer, each campaign's
 * log. Returns the time of the next deadline. */
static int64_t
turn(struct sentiment *s)
{
	int64_t now = clock_now_ms();
	pthread_mutex_lock(&s->mu);
	size_t nh = s->nhints;
	__typeof__(s->hints[0]) hints[MAX_CAMPS];
	memcpy(hints, s->hints, nh * sizeof hints[0]);
	s->nhints = 0;
	pthread_mutex_unlock(&s->mu);
	if (now >= s->next_refresh_ms) {
		camps_refresh(s);
		s->next_refresh_ms = now + s->o.refresh_ms;
	}
	for (size_t i = 0; i < nh; i++) {
		struct scamp *c = camp_of(s, hints[i].id);
		if (c != NULL && hints[i].seq > c->log.hint)
			c->log.hint = hints[i].seq;
	}
	int64_t next = now + 1000;
	if (scorer_up(s, now)) {
		for (size_t i = 0; i < s->ncamps && s->sc.pid > 0; i++) {
			if (camp_follow(s, &s->camps[i], now))
				next = now;
			if (s->camps[i].log.next_poll_ms < next)
				next = s->camps[i].log.next_poll_ms;
		}
	} else if (s->restart_at_ms < next) {
		next = s->restart_at_ms;
	}
	scorer_drain_stderr(&s->sc, stderr_line, s);
	note_state(s);
	return next;
}

/* The supervisor thread: a turn, then a sleep until the next deadline or
 * a wake-up (at most 250 ms). */
static void *
thread_main(void *arg)
{
	struct sentiment *s = arg;
	pthread_mutex_lock(&s->mu);
	while (!s->stop) {
		pthread_mutex_unlock(&s->mu);
		int64_t next = turn(s);
		pthread_mutex_lock(&s->mu);
		if (s->stop || s->nhints > 0)
			continue;
		int64_t wait = next - clock_now_ms();
		wait = wait < 1 ? 1 : wait > 250 ? 250 : wait;
		struct timespec ts = clock_deadline(CLOCK_MONOTONIC, wait);
		while (!s->stop && s->nhints == 0)
			if (pthread_cond_timedwait(&s->cond, &s->mu, &ts) == ETIMEDOUT)
				break;
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

struct sentiment *
sentiment_new(const struct sentiment_opts *o)
{
	struct sentiment *s = xcalloc(1, sizeof *s);
	s->o = *o;
	snprintf(s->owner, sizeof s->owner, "%s", o->owner ? o->owner : "sentiment");
	s->o.owner = s->owner;
	s->cmd = scorer_command(o->cmd);
	s->o.cmd = NULL;
	s->sc.fd = s->sc.err_fd = -1;
	s->cnt.state = "starting";
	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cond, &ca);
	pthread_condattr_destroy(&ca);
	return s;
}

int
sentiment_start(struct sentiment *s, char **cause)
{
	if (s->started)
		return 0;
	s->stop = false;
	int rc = pthread_create(&s->thread, NULL, thread_main, s);
	if (rc != 0)
		return set_cause(cause, "cannot start the sentiment supervisor: %s", strerror(rc));
	pthread_mutex_lock(&s->mu);
	s->started = true;
	pthread_mutex_unlock(&s->mu);
	return 0;
}

void
sentiment_request_stop(struct sentiment *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	s->stop = true;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->mu);
}

void
sentiment_stop(struct sentiment *s)
{
	if (s == NULL)
		return;
	if (s->started) {
		sentiment_request_stop(s);
		pthread_join(s->thread, NULL);
		pthread_mutex_lock(&s->mu);
		s->started = false;
		pthread_mutex_unlock(&s->mu);
	}
	scorer_stop(&s->sc);
	if (s->ever_started)
		slog(s, "info",
		    "sentiment: stopped; %llu replies and quotes scored, %llu not scored, %lld "
		    "scorer restarts",
		    (unsigned long long)s->cnt.scored, (unsigned long long)s->cnt.not_scored,
		    (long long)s->cnt.restarts);
	s->ever_started = false;
	int64_t now = clock_now_ms();
	for (size_t i = 0; i < s->ncamps; i++) {
		struct scamp *c = &s->camps[i];
		if (!c->loaded)
			continue;
		c->st.owner[0] = '\0'; /* the lease goes back with the last position */
		snprintf(c->st.state, sizeof c->st.state, "sentiment: stopped with its engine");
		char *cause = NULL;
		c->st.updated_at_ms = now;
		if (sts_put(s->o.store, c->id, &c->st, &cause) != 0)
			free(cause);
		sent_state_done(&c->st);
		c->loaded = false;
	}
}

void
sentiment_free(struct sentiment *s)
{
	if (s == NULL)
		return;
	sentiment_stop(s);
	for (size_t i = 0; i < s->ncamps; i++)
		sent_state_done(&s->camps[i].st);
	free(s->camps);
	free(s->cmd);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cond);
	free(s);
}

void
sentiment_notify(struct sentiment *s, const char *campaign_id, int64_t seq)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	size_t i = 0;
	while (i < s->nhints && strcmp(s->hints[i].id, campaign_id) != 0)
		i++;
	if (i == s->nhints && s->nhints < MAX_CAMPS) {
		snprintf(s->hints[i].id, sizeof s->hints[i].id, "%s", campaign_id);
		s->hints[i].seq = 0;
		s->nhints++;
	}
	if (i < s->nhints && seq > s->hints[i].seq)
		s->hints[i].seq = seq;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->mu);
}

bool
sentiment_scoring(void *arg, const char *campaign_id)
{
	struct sentiment *s = arg;
	(void)campaign_id; /* every active campaign is scored (here or by its lease's owner) */
	if (s == NULL)
		return false;
	pthread_mutex_lock(&s->mu);
	bool yes = s->started && !s->stop;
	pthread_mutex_unlock(&s->mu);
	return yes;
}
