/*
 * alertworker: the alert worker (docs/alerts.md). It follows each alerting
 * campaign's change log (store/store_changes.h) from its own position,
 * saved in `aggregates` as `<cid>:alerts`: woken by the engine's writer
 * after each append (alertworker_notify), and reading `seq+1` by `_id`
 * every poll interval for entries another process wrote. Each engagement
 * record of an entry is matched against its campaign's rules; one that
 * passes is completed from its stored engagement (one `_id` read),
 * deduplicated per channel and quiet window (memory, then alerts_sent),
 * grouped into one digest per campaign and channel (group wait, group
 * interval), sent through notify, and logged in alerts_sent only after a
 * successful send. The position moves past an entry only once every alert
 * it gave is sent (or dropped, skipped, given up): a restart reads the rest
 * again and alerts_sent drops what already went out. Failed sends are
 * retried with capped backoff; a permanent failure stops its channel, is
 * reported once, and clears when the channel's settings change. All times
 * come from clock_now_ms (injectable).
 *
 * Threads: alertworker_start runs the worker on its own thread; notify,
 * status, set_campaign and kick may be called from any thread. Without
 * start, the owner drives it with alertworker_run_once (tests, benchmarks);
 * never both.
 */
#ifndef LW_ALERTWORKER_H
#define LW_ALERTWORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/alert.h"
#include "store/store.h"

/* Settings; alertworker_opts_init sets the defaults noted here. */
struct alertworker_opts {
	struct store *store;       /* borrowed; required (NULL: nothing is read or sent) */
	int64_t group_wait_ms;     /* 5000: gather a burst before the first message */
	int64_t group_interval_ms; /* 60000: least time between two messages of a channel */
	int64_t poll_interval_ms;  /* 5000: each followed log's seq+1 is read this often
	                              without a wake-up; 0: wake-ups only */
	int64_t lookback_ms;       /* 6 h: entries older than this are never read; a
	                              campaign without a position starts there */
	int64_t refresh_ms;        /* 60000: reload campaign settings from the store */
	bool poll_all_active;      /* true: also follow every active campaign in the store */
	int64_t retry_base_ms;     /* 2000: first retry delay, doubled per attempt */
	int64_t retry_cap_ms;      /* 300000: longest retry delay */
	int max_attempts;          /* 50: a message is given up after this many tries */
	long connect_ms;           /* 5000: notify connect timeout */
	long total_ms;             /* 20000: notify total timeout */
	/* The sentiment scorer (docs/alerts.md section 9): while scoring(arg,
	 * campaign) says it runs, an entry whose replies or quotes a sentiment
	 * key could alert on is held until each is looked at, at most
	 * sentiment_hold_ms (30000; LAUNCHWATCH_SENTIMENT_HOLD_MS) after it was
	 * written. scoring may be NULL (never held); called on the worker
	 * thread, it must not block. */
	bool (*scoring)(void *arg, const char *campaign_id);
	void *scoring_arg;
	int64_t sentiment_hold_ms;
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
 * LAUNCHWATCH_ALERT_GROUP_WAIT_MS, LAUNCHWATCH_ALERT_GROUP_INTERVAL_MS,
 * LAUNCHWATCH_ALERT_POLL_MS (at least 100) and LAUNCHWATCH_SENTIMENT_HOLD_MS,
 * whole milliseconds; unset or
 * empty keeps o. 0, or -1 with a cause naming the variable. */
int alertworker_opts_from_env(struct alertworker_opts *o, char **cause);

struct alertworker;

/* Returns a new worker with a copy of o (the store stays borrowed). */
struct alertworker *alertworker_new(const struct alertworker_opts *o);
/* Starts the worker thread; 0 or -1 with a cause. */
int alertworker_start(struct alertworker *w, char **cause);
/* Asks the worker thread to stop without waiting for it (owner thread; not
 * async-signal-safe); alertworker_stop still joins it. */
void alertworker_request_stop(struct alertworker *w);
/* Stops and joins the worker thread (if started) and saves each campaign's
 * position; alerts not yet sent stay unsent (the position does not pass
 * their entries, so the next start reads them again). Owner thread. */
void alertworker_stop(struct alertworker *w);
/* Stops the worker and frees it; NULL is a no-op. */
void alertworker_free(struct alertworker *w);

/* Sets (or replaces) the settings of campaign id from c (copied; c is
 * borrowed); they win over the stored ones. Campaigns not set this way are
 * loaded from the store when their log grows (alertworker_notify) or, with
 * poll_all_active, when they are active. Any thread. */
void alertworker_set_campaign(struct alertworker *w, const char *id, const struct cfg_campaign *c);

/* Tells the worker that campaign_id's change log grew to seq (the engine's
 * writer calls it after each append): it reads the new entries now. Any
 * thread; never waits on the network or the database. */
void alertworker_notify(struct alertworker *w, const char *campaign_id, int64_t seq);

/* Wakes the worker thread to re-evaluate now. Any thread. */
void alertworker_kick(struct alertworker *w);

/* Does everything due at clock_now_ms(): reads the change logs that grew or
 * are due a poll, matches, dedupes, sends due groups and retries, writes
 * alerts_sent and the positions. Returns the clock time of the next
 * deadline. Owner thread only (not with start). */
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
	uint64_t evaluated;     /* engagement records read from the change logs */
	uint64_t matched;       /* records that passed the rules */
	uint64_t skipped;       /* candidates that did not */
	uint64_t suppressed;    /* matches held back by alerts_sent's quiet window (per channel) */
	uint64_t duplicates;    /* the same alert seen again in this process (a repeated record) */
	uint64_t sent_alerts;   /* alerts delivered (per channel) */
	uint64_t sent_messages; /* messages delivered (a digest counts once) */
	uint64_t retries;       /* failed tries that will be retried */
	uint64_t failed;        /* alerts given up or stopped by a permanent failure */
	uint64_t log_errors;    /* alerts_sent writes that failed (retried) */
	uint64_t held;          /* times an entry was held for the sentiment scorer */
	size_t pending;         /* alerts waiting or in flight */
	struct alertworker_channel *channels; /* owned; nchannels of them */
	size_t nchannels;
};

/* Copies the worker's status into out (caller calls alertworker_status_done). */
void alertworker_status(struct alertworker *w, struct alertworker_status *out);
/* Frees what a status owns. */
void alertworker_status_done(struct alertworker_status *s);

#endif
