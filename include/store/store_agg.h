/*
 * store_agg: what the console reads from the store to rebuild and refresh its
 * aggregates: a campaign's engagements and metric slices past a watermark,
 * its worker_state rows, its alerts and its tweets' authors. Read-only
 * (tests seed data with tests/unit/seed_support.h). Thread-safe like the
 * store; the console calls it from its database thread only, never from
 * the UI thread.
 */
#ifndef LW_STORE_AGG_H
#define LW_STORE_AGG_H

#include <stddef.h>
#include <stdint.h>

#include "model/agg.h"
#include "model/event.h"
#include "store/store.h"

/* Called once per row; e (or s) and its strings are borrowed for the call.
 * Return 0 to go on, non-zero to stop early. */
typedef int (*store_agg_eng_fn)(const struct lw_engagement *e, void *arg);
typedef int (*store_agg_slice_fn)(const struct lw_slice *s, void *arg);

/* Calls fn for each engagement of campaign_id with first_seen_at >= since_ms
 * (everything when since_ms is 0), oldest first. 0 or -1 with a cause. */
int store_agg_each_engagement(struct store *s, const char *campaign_id, int64_t since_ms,
    store_agg_eng_fn fn, void *arg, char **cause);

/* Calls fn for each metric slice of campaign_id with at >= since_ms, oldest
 * first. 0 or -1 with a cause. */
int store_agg_each_slice(struct store *s, const char *campaign_id, int64_t since_ms,
    store_agg_slice_fn fn, void *arg, char **cause);

/* Reads the engagements (first_seen_at >= eng_since_ms) and then the slices
 * (at >= slice_since_ms) of campaign_id into new event batches of at most
 * batch_max items each and hands every batch to push (which takes
 * ownership), for a rebuild (both 0) or a poll past watermarks. 0 or -1 with
 * a cause (batches pushed before an error stay pushed). */
int store_agg_load(struct store *s, const char *campaign_id, int64_t eng_since_ms,
    int64_t slice_since_ms, size_t batch_max, void (*push)(struct event_batch *b, void *arg),
    void *arg, char **cause);

/* Loads the worker_state rows of campaign_id into a new array (caller frees
 * each row's job.why and the array). 0 or -1 with a cause. */
int store_agg_jobs(
    struct store *s, const char *campaign_id, struct agg_jobrow **out, size_t *n, char **cause);

/* Loads the newest limit alerts_sent rows of campaign_id into a new array,
 * newest first (ownership passes to agg_set_alerts, or free the strings and
 * the array). 0 or -1 with a cause. */
int store_agg_alerts(struct store *s, const char *campaign_id, size_t limit, struct agg_alert **out,
    size_t *n, char **cause);

/* Loads the author handle of each tweet of campaign_id that has one:
 * parallel new arrays of tweet ids and handles (caller frees each string and
 * both arrays). 0 or -1 with a cause. */
int store_agg_authors(struct store *s, const char *campaign_id, char ***tweet_ids, char ***handles,
    size_t *n, char **cause);

#endif
