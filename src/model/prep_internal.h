/*
 * prep_internal: what the files of prep (src/model/prep.c, prep_chunk.c)
 * share beyond include/model/prep.h: the magic numbers of the persisted
 * parts, the "no tweet" index and the reader of an account chunk. Only src/model/prep*.c include it. Pure.
 */
#ifndef LW_PREP_INTERNAL_H
#define LW_PREP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"
#include "model/prep.h"

#define CHUNK_MAGIC 0x4c574131u /* "LWA1": an account chunk */
#define TWEET_MAGIC 0x4c575431u /* "LWT1": a tweet document */
#define NO_TWEET    UINT16_MAX  /* an account's best engagement when it has none */

/* Starts reading account chunk data[0..len) with r: its header, and the
 * number of accounts into *n. false when the header is malformed. */
bool prep_chunk_open(struct bytes_r *r, const void *data, size_t len, uint64_t *n);
/* Reads the chunk's next account into *a (caller calls prep_account_done
 * when it returns true); len bounds its counts. false when malformed. */
bool prep_chunk_next(struct bytes_r *r, size_t len, struct prep_account *a);

#endif
