/*
 * seed_support: writes engagements, metric slices and alerts_sent rows into
 * a test database in the shape of DESIGN.md section 4, for tests that need
 * stored data without running the engine. Engagements go through the
 * ingest engine's own writer; the rest are documents built here and sent as
 * database commands. Names start with seed_ (this file is linked into every
 * test program). Test threads only.
 */
#ifndef LW_SEED_SUPPORT_H
#define LW_SEED_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#include "model/event.h"

struct store;

/* Inserts e[0..n) with the ingest writer's insert (sti_engagements_insert),
 * each as first seen at its own first_seen_at_ms (idempotent). 0 or -1. */
int seed_engagements(struct store *s, const struct lw_engagement *e, size_t n, char **cause);

/* Inserts e[0..n) where absent, as seed_engagements: a stored engagement
 * is never changed, as a replay of the same page would not change it. */
int seed_engagements_absent(struct store *s, const struct lw_engagement *e, size_t n, char **cause);

/* Inserts-or-keeps the metric slices sl[0..n) by their _id
 * campaign:tweet:seq (idempotent). 0 or -1. */
int seed_slices(struct store *s, const struct lw_slice *sl, size_t n, char **cause);

/* Appends one change-log entry ("recovered") listing every engagement and
 * metric slice of campaign_id stored so far, as the engine's writer logs
 * what it stores, so the prepared aggregates (and reports) see documents a
 * test inserted directly. Listing a known one again changes nothing (the
 * aggregates are idempotent). 0 or -1. */
int seed_log_stored(struct store *s, const char *campaign_id, char **cause);

/* Writes one alerts_sent row with a status as the database holds it
 * ("sent", "pending" or "failed: why"), sent at at_ms. 0 or -1. */
int seed_alert(struct store *s, const char *campaign_id, const char *user_id, const char *handle,
    enum lw_action action, const char *tweet_id, const char *channel, const char *status,
    int64_t at_ms, char **cause);

#endif
