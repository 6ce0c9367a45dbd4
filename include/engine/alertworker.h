/*
 * alertworker: the alert worker (docs/alerts.md). It takes candidate
 * engagements from two sources: batches offered by the ingest engine or the
 * UI (alertworker_offer, never blocking beyond a short mutex), and a poll of
 * `engagements` past a first_seen_at watermark for engagements another
 * process wrote. Each candidate is matched against its campaign's rules,
 * deduplicated per channel and quiet window (memory, then alerts_sent),
 * grouped into one digest per campaign and channel (group wait, group
 * interval), sent through notify, and logged in alerts_sent only after a
 * successful send. Failed sends are retried with capped backoff; a permanent
 * failure stops its channel, is reported once, and clears when the channel's
 * settings change. All times come from clock_now_ms (injectable).
 *
 * Threads: alertworker_start runs the worker on its own thread; offer,
 * status, add_campaign and kick may be called from any thread. Without
 * start, the owner drives it with alertworker_run_once (tests, benchmarks);
 * never both.
 */
#ifndef LW_ALERTWORKER_H
#define LW_ALERTWORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/alert.h"
#include "model/event.h"
#include "store/store.h"

/* Settings; alertworker_opts_init sets the defaults noted here. */
struct alertworker_opts {
	struct store *store;       /* borrowed; NULL: memory only (no log, no poll) */
	int64_t group_wait_ms;     /* 5000: gather a burst before the first message */
	int64_t group_interval_ms; /* 60000: least time between two messages of a channel */
	int64_t poll_interval_ms;  /* 5000; 0 turns polling off */
	int64_t lookback_ms;       /* 6 h: the first poll starts this far back */
	int64_t refresh_ms;        /* 60000: reload campaign settings from the store */
	bool poll_all_active;      /* true: also poll every active campaign in the store */
	int64_t retry_base_ms;     /* 2000: first retry delay, doubled per attempt */
	int64_t retry_cap_ms;      /* 300000: longest retry delay */
	int max_attempts;          /* 50: a message is given up after this many tries */
	long connect_ms;           /* 5000: notify connect timeout */
	long total_ms;             /* 20000: notify total timeout */
	size_t
	    inbox_max; /* 100000 candidates; beyond, offers are refused (polling recovers them) */
	/* Called for notable events (level "info", "warn" or "error"); the text
	 * is sanitized and holds no secret. May be NULL. Worker thread. */
	void (*log)(void *arg, const char *level, const char *message);
	void *log_arg;
	/* Test hook, called after a successful send and before alerts_sent is
	 * written (a crash here repeats that one message). May be NULL. */
	void (*after_send)(void *arg, const char *campaign_id, enum alert_channel ch, size_t n);
	void *hook_arg;
};

/* Sets the defaults above. */
void alertworker_opts_init(struct alertworker_opts *o);
/* Overrides the timings from the environment (docs/alerts.md):
 * LAUNCHWATCH_ALERT_GROUP_WAIT_MS, LAUNCHWATCH_ALERT_GROUP_INTERVAL_MS and
 * LAUNCHWATCH_ALERT_POLL_MS (at least 100), whole milliseconds; unset or
 * empty keeps o. 0, or -1 with a cause naming the variable. */
int alertworker_opts_from_env(struct alertworker_opts *o, char **cause);

struct alertworker;

/* Returns a new worker with a copy of o (the store stays borrowed). */
struct alertworker *alertworker_new(const struct alertworker_opts *o);
/* Starts the worker thread; 0 or -1 with a cause. */
int alertworker_start(struct alertworker *w, char **cause);
/* Stops and joins the worker thread (if started); messages not yet sent stay
 * unsent (their engagements are found again by the poll after a restart). */
void alertworker_stop(struct alertworker *w);
/* Stops the worker and frees it; NULL is a no-op. */
void alertworker_free(struct alertworker *w);

/* Sets (or replaces) the settings of campaign id from c (copied; c is
 * borrowed). Campaigns not set this way are loaded from the store when an
 * engagement of theirs arrives. Any thread. */
void alertworker_set_campaign(struct alertworker *w, const char *id, const struct cfg_campaign *c);

/* Offers the n new engagements of e (copied; e is borrowed) for alerting;
 * returns how many were queued (fewer only when the inbox is full). The
 * caller must have stored them first, so that a crash loses none. Any
 * thread; never waits on the network or the database. */
size_t alertworker_offer(struct alertworker *w, const struct lw_engagement *e, size_t n);
/* Offers the engagements of batch b (borrowed), as alertworker_offer. */
size_t alertworker_offer_batch(struct alertworker *w, const struct event_batch *b);

/* Wakes the worker thread to re-evaluate now. Any thread. */
void alertworker_kick(struct alertworker *w);

/* Does everything due at clock_now_ms(): takes the inbox, polls when due,
 * matches, dedupes, sends due groups and retries, writes the log. Returns
 * the clock time of the next deadline. Owner thread only (not with start). */
int64_t alertworker_run_once(struct alertworker *w);

/* The state of one campaign's channel, for the alerts pane. */
struct alertworker_channel {
	char campaign_id[CAMPAIGN_ID_MAX];
	enum alert_channel ch;
	const char *state;    /* "ok", "waiting" (group), "retrying" or "failing" (static) */
	size_t pending;       /* alerts waiting for the next message */
	size_t in_flight;     /* alerts in the message being sent or retried */
	int attempts;         /* failed tries of the message in flight */
	int64_t next_try_ms;  /* when it is tried again (0: not retrying) */
	int64_t last_sent_ms; /* 0 when nothing was sent */
	char last_error[256]; /* sanitized; "" when none */
};

/* Counters and channel states, copied out under the worker's lock. */
struct alertworker_status {
	uint64_t offered;       /* candidates taken (offers and polls) */
	uint64_t refused;       /* offers refused because the inbox was full */
	uint64_t matched;       /* candidates that passed the rules */
	uint64_t skipped;       /* candidates that did not */
	uint64_t suppressed;    /* matches held back by alerts_sent's quiet window (per channel) */
	uint64_t duplicates;    /* the same alert seen again in this process (offer and poll) */
	uint64_t sent_alerts;   /* alerts delivered (per channel) */
	uint64_t sent_messages; /* messages delivered (a digest counts once) */
	uint64_t retries;       /* failed tries that will be retried */
	uint64_t failed;        /* alerts given up or stopped by a permanent failure */
	uint64_t log_errors;    /* alerts_sent writes that failed (retried) */
	size_t pending;         /* alerts waiting or in flight */
	struct alertworker_channel *channels; /* owned; nchannels of them */
	size_t nchannels;
};

/* Copies the worker's status into out (caller calls alertworker_status_done). */
void alertworker_status(struct alertworker *w, struct alertworker_status *out);
/* Frees what a status owns. */
void alertworker_status_done(struct alertworker_status *s);

#endif
