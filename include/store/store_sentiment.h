/*
 * store_sentiment: what the sentiment supervisor (engine/sentiment.c)
 * stores, every write by `_id` (docs/alerts.md section 9): one engagement's
 * score (`sentiment`, `sentiment_by` {scorer, version, seq}, `sentiment_at`)
 * and the campaign's sentiment document in `aggregates`, `<cid>:sentiment`:
 * the position in the change log, the supervisor's lease and the sums
 * (model/sentiment.h), written in one update. Thread-safe like the store.
 */
#ifndef LW_STORE_SENTIMENT_H
#define LW_STORE_SENTIMENT_H

#include <stdbool.h>
#include <stdint.h>

#include "model/event.h"
#include "model/sentiment.h"
#include "store/store.h"

/* Reads campaign_id's sentiment document into *out (caller calls
 * sent_state_done). 0 found, 1 absent (out zeroed), -1 on error. */
int sts_get(struct store *s, const char *campaign_id, struct sent_state *out, char **cause);

/* Writes campaign_id's whole sentiment document from st (position, lease,
 * sums) in one update. 0 or -1. */
int sts_put(struct store *s, const char *campaign_id, const struct sent_state *st, char **cause);

/* One look of the scorer at one engagement. */
struct sts_score {
	bool scored;         /* false: not scored (language) */
	double score;        /* -1..1 when scored */
	const char *scorer;  /* "vader" */
	const char *version; /* "3.3.2" */
	int64_t seq;         /* the change-log entry it was counted from */
	int64_t at_ms;
};

/* Stores sc on engagement campaign_id:tweet_id:user_id:action. 0 or -1. */
int sts_score_put(struct store *s, const char *campaign_id, const char *tweet_id,
    const char *user_id, enum lw_action action, const struct sts_score *sc, char **cause);

#endif
