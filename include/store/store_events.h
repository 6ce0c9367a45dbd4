/*
 * store_events: reading stored engagements and metric slices one by one:
 * a single document by its `_id`, and a campaign's documents streamed in
 * the server's natural order (no sort: a sort of a million documents is
 * done in memory on FerretDB) for rebuilds, recoveries, exports and the
 * archive. Thread-safe like the store.
 */
#ifndef LW_STORE_EVENTS_H
#define LW_STORE_EVENTS_H

#include <stdint.h>

#include "model/event.h"
#include "store/store.h"

/* Reads engagement campaign_id:tweet_id:user_id:action into *out (caller
 * calls lw_engagement_done). 0 found, 1 absent, -1 on error with a cause. */
int ste_engagement_get(struct store *s, const char *campaign_id, const char *tweet_id,
    const char *user_id, enum lw_action action, struct lw_engagement *out, char **cause);

/* Reads metric slice campaign_id:tweet_id:seq into *out. 0, 1 absent, -1. */
int ste_slice_get(struct store *s, const char *campaign_id, const char *tweet_id, int64_t seq,
    struct lw_slice *out, char **cause);

/* Calls fn for every engagement of campaign_id first seen at or after
 * since_ms (0: all), in no particular order; e is borrowed for the call.
 * fn returns non-zero to stop. 0, or -1 with a cause. */
int ste_scan_engagements(struct store *s, const char *campaign_id, int64_t since_ms,
    int (*fn)(const struct lw_engagement *e, void *arg), void *arg, char **cause);

/* Calls fn for every metric slice of campaign_id, in no particular order. */
int ste_scan_slices(struct store *s, const char *campaign_id,
    int (*fn)(const struct lw_slice *sl, void *arg), void *arg, char **cause);

#endif
