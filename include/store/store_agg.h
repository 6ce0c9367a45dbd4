/*
 * store_agg: the console's small reads of each campaign, every few polls:
 * its worker_state rows, its alerts and its tweets' authors (its prepared
 * summary and change log are read through engine/prep_io.h and
 * store/store_changes.h, by `_id`). Read-only. Thread-safe like the store;
 * the console calls it from its database thread only, never from the UI
 * thread.
 */
#ifndef LW_STORE_AGG_H
#define LW_STORE_AGG_H

#include <stddef.h>
#include <stdint.h>

#include "model/agg.h"
#include "store/store.h"

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
