/*
 * alertsend_internal: the sending side of the alert worker (alertsend.c),
 * private to src/engine/: each campaign channel's pending alerts, the
 * message in flight and its retries, the alerts_sent writes still owed, and
 * the oldest change-log entry whose alerts are not sent yet.
 * alertworker.c owns the channels and drives them; nothing here calls back
 * into the worker. Worker thread only.
 */
#ifndef LW_ALERTSEND_INTERNAL_H
#define LW_ALERTSEND_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/notify.h"
#include "model/alert.h"

struct store;

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

/* Counters kept by the worker; the sending side adds to sent_alerts,
 * sent_messages, retries, failed and log_errors. */
struct alert_counters {
	uint64_t evaluated, matched, skipped, suppressed, duplicates, sent_alerts, sent_messages,
	    retries, failed, log_errors, held;
};

/* What the sending side of one worker uses: its settings (copied from the
 * worker's alertworker_opts), its sender and the worker's counters. */
struct alertsend {
	struct store *store;        /* borrowed; NULL: no alerts_sent log, no worker_log */
	struct notify *notify;      /* owned by the worker */
	struct alert_counters *cnt; /* the worker's */
	int64_t group_wait_ms;
	int64_t group_interval_ms;
	int64_t retry_base_ms;
	int64_t retry_cap_ms;
	int max_attempts;
	void (*log)(void *arg, const char *level, const char *message); /* may be NULL */
	void *log_arg;
	void (*after_send)(void *arg, const char *campaign_id, enum alert_channel ch, size_t n);
	void *hook_arg;
};

/* Reports a notable event (level "info", "warn" or "error") through the log
 * hook and worker_log, sanitized; used by the whole worker. */
void alertsend_vlog(const struct alertsend *s, const char *level, const char *fmt, va_list ap);
/* Frees what a channel holds and zeroes it. */
void alertsend_chan_done(struct chan *ch);
/* Returns the lowest change-log seq among the channel's alerts not sent
 * yet (pending or in flight), INT64_MAX when there is none: the worker's
 * position must stay before it. */
int64_t alertsend_oldest_seq(const struct chan *cs);
/* Retries the channel's owed alerts_sent writes, starts its next message
 * when its group is due and tries the message in flight when its retry time
 * came; cs is channel ch of campaign a. Returns the channel's next deadline
 * (INT64_MAX when none). */
int64_t alertsend_deliver(struct alertsend *s, const struct alert_campaign *a, struct chan *cs,
    enum alert_channel ch, int64_t now);

#endif
