/*
 * prep_internal: what the files of prep (src/model/prep.c, prep_chunk.c)
 * share beyond include/model/prep.h: the magic numbers of the persisted
 * parts and the "no tweet" index. Only src/model/prep*.c include it. Pure.
 */
#ifndef LW_PREP_INTERNAL_H
#define LW_PREP_INTERNAL_H

#include <stdint.h>

#define CHUNK_MAGIC 0x4c574131u /* "LWA1": an account chunk */
#define TWEET_MAGIC 0x4c575431u /* "LWT1": a tweet document */
#define NO_TWEET    UINT16_MAX  /* an account's best engagement when it has none */

#endif
