/*
 * alertworker_internal: the alert worker's state, shared by alertworker.c
 * and alertsend.c. Worker thread only, except the fields guarded by mu.
 */
#ifndef LW_ALERTWORKER_INTERNAL_H
#define LW_ALERTWORKER_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/alertworker.h"
#include "engine/notify.h"

/* An alert waiting for its channel's next message. */
struct pend {
	struct alert_candidate c;
	int64_t arrived_ms;
};

/* A delivered message whose alerts_sent documents are not written yet. */
struct unlogged {
	struct alert_candidate *v;
	size_t n;
	int64_t sent_ms;
};

/* One channel of one campaign. */
struct chan {
	struct pend *pending;
	size_t npending;
	struct alert_candidate *msg; /* the message in flight (frozen at its first try) */
	size_t nmsg;
	int attempts;
	int64_t next_try_ms;
	int64_t last_sent_ms;
	bool broken; /* permanent failure: stopped until the settings change */
	uint64_t broken_hash;
	char last_error[256];
	struct unlogged *unlogged;
	size_t nunlogged;
};

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

/* Counters kept by the worker. */
struct counters {
	uint64_t offered, matched, skipped, suppressed, duplicates, sent_alerts, sent_messages,
	    retries, failed, log_errors;
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
	struct counters cnt;
	struct notify *notify;
	int64_t next_poll_ms;
	int64_t next_refresh_ms;
	pthread_t thread;
	bool started;
};

/* Reports a notable event through the log hook and worker_log. */
void wlog(struct alertworker *w, const char *level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Frees what a channel holds. */
void chan_done(struct chan *ch);
/* Starts the next message of a channel when its group is due, and tries the
 * message in flight when its retry time came; returns the channel's next
 * deadline (INT64_MAX when none). */
int64_t deliver(struct alertworker *w, struct wcamp *wc, enum alert_channel ch, int64_t now);

#endif
