/*
 * store_alerts: the alert worker's database code (DESIGN.md section 4):
 * alerts_sent (written only after a successful send, keyed by the
 * deterministic fingerprint `_id`, so a replay changes nothing), the alert log
 * the UI's alerts pane reads, the sentiment hook, and worker_log lines. New
 * engagements come from the change log (store_changes.h) and their documents
 * by `_id` (store_events.h). Every function is thread-safe like the store
 * (each call pops a pooled client); lookups on the hot path are by `_id` only.
 */
#ifndef LW_STORE_ALERTS_H
#define LW_STORE_ALERTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/alert.h"
#include "model/event.h"
#include "store/store.h"

/* Records that the n alerts of v went out on channel ch at sent_at_ms, in
 * one idempotent bulk ($setOnInsert by fingerprint `_id`, slot of each
 * alert's event time in quiet_window_ms); digest_of is n when n > 1. 0 or -1. */
int store_alerts_record(struct store *s, const struct alert_candidate *const *v, size_t n,
    enum alert_channel ch, int64_t sent_at_ms, int64_t quiet_window_ms, char **cause);

/* Reads the event times of the sends of c's fingerprint on channel ch in the
 * slots next to c's (slot - 1, slot, slot + 1) into prior[0..*n) (room for
 * 3), by `_id` lookups. 0 or -1. */
int store_alerts_prior(struct store *s, const struct alert_candidate *c, enum alert_channel ch,
    int64_t quiet_window_ms, int64_t prior[3], size_t *n, char **cause);

/* One alerts_sent document, for the alerts pane. */
struct alert_log_entry {
	char id[ALERT_ID_MAX];
	char campaign_id[CAMPAIGN_ID_MAX];
	char tweet_id[LW_ID_MAX];
	char user_id[LW_ID_MAX];
	char handle[64]; /* sanitized */
	char bucket[16];
	char action[16];
	char channel[8];
	int importance;
	int64_t slot;
	int64_t event_at_ms;
	int64_t sent_at_ms;
	int digest_of; /* alerts in the message; 1 when sent alone */
};

/* Reads the newest limit alerts_sent documents of campaign_id (all
 * campaigns when NULL), newest first, into a new array (caller frees). */
int store_alerts_recent(struct store *s, const char *campaign_id, size_t limit,
    struct alert_log_entry **out, size_t *n, char **cause);

/* Sets engagements.sentiment of the engagement c stands for (what an
 * external scorer does; used by tests). 0 or -1. */
int store_alerts_set_sentiment(
    struct store *s, const struct alert_candidate *c, double value, char **cause);

/* Appends a worker_log line (job "alerts") at at_ms. 0 or -1. */
int store_alerts_log(
    struct store *s, const char *level, const char *message, int64_t at_ms, char **cause);

#endif
