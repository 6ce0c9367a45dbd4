/*
 * store_prepared: the `aggregates` collection, the prepared aggregates of
 * each campaign (docs/architecture.md, "Prepared aggregates and the change
 * log"), every document read and written by `_id`:
 *   <cid>                 the head: the generation readers use, the
 *                         aggregator's lease, a pending crash recovery
 *   <cid>:<gen>:s         the summary (prep_summary_encode's bytes + seq)
 *   <cid>:<gen>:t:<tweet> one tweet's metric series (prep_tweet_encode)
 *   <cid>:<gen>:a:<k>     account chunk k (prep_chunk_encode)
 *   <cid>:alerts          the alert worker's position in the change log
 * The bytes are opaque here (model/prep.h owns their format). Thread-safe
 * like the store.
 */
#ifndef LW_STORE_PREPARED_H
#define LW_STORE_PREPARED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/campaign.h"
#include "store/store.h"

/* A campaign's head document. */
struct stp_head {
	int64_t gen;             /* the generation readers use (>= 1) */
	char owner[128];         /* the aggregator's lease owner, "" when none */
	int64_t lease_until_ms;  /* 0 when free */
	int64_t recover_from_ms; /* > 0: re-read writes since then (a dead engine) */
	int64_t updated_at_ms;
};

/* Reads campaign_id's head. 0 found, 1 absent, -1 on error with a cause. */
int stp_head_get(struct store *s, const char *campaign_id, struct stp_head *out, char **cause);

/* Creates campaign_id's head (generation 1, nothing prepared yet: a new
 * campaign) unless it exists. 0 or -1. */
int stp_head_create(struct store *s, const char *campaign_id, int64_t now_ms, char **cause);

/* Takes (or renews) the aggregator lease of campaign_id for owner until
 * lease_until_ms when it is free, expired or already owner's, creating the
 * head (generation 1) when absent. 0 taken (fills *out), 1 held by a live
 * owner, -1 on error. On FerretDB the test is done in C under the store's
 * write lock (its updates are not atomic); on MongoDB by findAndModify. */
int stp_head_claim(struct store *s, const char *campaign_id, const char *owner, int64_t now_ms,
    int64_t lease_until_ms, struct stp_head *out, char **cause);

/* Gives the lease back when owner holds it. 0 or -1. */
int stp_head_release(struct store *s, const char *campaign_id, const char *owner, char **cause);

/* Switches the head to generation gen (a rebuild's last write). 0 or -1. */
int stp_head_switch(
    struct store *s, const char *campaign_id, int64_t gen, int64_t now_ms, char **cause);

/* Asks for a crash recovery of campaign_id's writes since since_ms (kept
 * as the minimum of every request until the aggregator clears it); a
 * campaign without a head (rebuilt anyway) is left alone. */
int stp_recover_request(struct store *s, const char *campaign_id, int64_t since_ms, char **cause);
/* Clears the recovery request when it is still since_ms. 0 or -1. */
int stp_recover_done(struct store *s, const char *campaign_id, int64_t since_ms, char **cause);

/* Which part of a generation. */
enum stp_part { STP_SUMMARY, STP_TWEET, STP_CHUNK };

/* Writes (upserts) one part of generation gen: the summary (key NULL), a
 * tweet (key = tweet id) or a chunk (key = its number), holding bytes
 * data[0..len) and the change-log seq it covers. 0 or -1. */
int stp_part_put(struct store *s, const char *campaign_id, int64_t gen, enum stp_part part,
    const char *key, int64_t seq, const void *data, size_t len, char **cause);

/* Reads one part into a new buffer *data (caller frees) with its seq.
 * 0 found, 1 absent, -1 on error. */
int stp_part_get(struct store *s, const char *campaign_id, int64_t gen, enum stp_part part,
    const char *key, int64_t *seq, void **data, size_t *len, char **cause);

/* Deletes one part (absent is fine). 0 or -1. */
int stp_part_delete(struct store *s, const char *campaign_id, int64_t gen, enum stp_part part,
    const char *key, char **cause);

/* Reads (1 when absent, seq 0) and writes a consumer's position in the
 * change log (consumer: "alerts"). */
int stp_position_get(
    struct store *s, const char *campaign_id, const char *consumer, int64_t *seq, char **cause);
int stp_position_put(
    struct store *s, const char *campaign_id, const char *consumer, int64_t seq, char **cause);

#endif
