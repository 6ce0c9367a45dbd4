/*
 * prep_internal: what the files of prep (src/model/prep.c, prep_chunk.c)
 * share beyond include/model/prep.h: the magic numbers of the persisted
 * parts, the "no tweet" index, the reader of an account chunk, the state's
 * structures and the helpers its files share. Only src/model/prep*.c
 * include it. Pure.
 */
#ifndef LW_PREP_INTERNAL_H
#define LW_PREP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"
#include "model/prep.h"
#include "model/minutes.h"
#include "model/series.h"

#define CHUNK_MAGIC    0x4c574132u /* "LWA2": an account chunk */
#define CHUNK_MAGIC_V1 0x4c574131u /* "LWA1": the same without farm data */
#define TWEET_MAGIC    0x4c575433u /* "LWT3": a tweet document */
#define TWEET_MAGIC_V2 0x4c575432u /* "LWT2": the same without deltas per minute */
#define TWEET_MAGIC_V1 0x4c575431u /* "LWT1": ... and without slices per hour */
#define NO_TWEET       UINT16_MAX  /* an account's best engagement when it has none */

/* Starts reading account chunk data[0..len) with r: its header, the number
 * of accounts into *n and whether it holds farm data (LWA2) into *v2. false
 * when the header is malformed. */
bool prep_chunk_open(struct bytes_r *r, const void *data, size_t len, uint64_t *n, bool *v2);
/* Reads the chunk's next account into *a (caller calls prep_account_done
 * when it returns true); len bounds its counts, v2 as prep_chunk_open said.
 * false when malformed. */
bool prep_chunk_next(struct bytes_r *r, size_t len, bool v2, struct prep_account *a);

/* One engagement of an account: which tweet, which action, and the seq of
 * the first log entry that held it (0: from a rebuild). */
struct pair {
	uint32_t seq;
	uint16_t tweet;
	uint8_t action;
	uint8_t bucket; /* the engagement's own bucket */
	uint32_t at_s;  /* replies and quotes: when posted (s); 0: unknown */
	uint32_t text;  /* farm_text_hash of its text; 0: none */
};

struct acct {
	uint32_t id;     /* offset of the user id in the arena */
	uint32_t handle; /* offset of the best engagement's handle */
	struct pair *pairs;
	uint32_t npairs, cap;
	int64_t followers; /* of the best engagement */
	int64_t first_at;  /* the earliest engagement time */
	uint16_t best_tweet;
	uint8_t best_action, best_imp, best_bucket;
	bool verified;
	bool has_farm; /* of the best engagement: farm data known */
	uint16_t farm; /* of the best engagement: static farm rules */
};

/* A tweet's metric slices applied: 1..prefix, and the seqs in extra. */
struct seqset {
	int64_t prefix;
	int64_t *extra; /* sorted, all > prefix + 1 */
	size_t nextra;
};

struct tweet {
	char id[LW_ID_MAX];
	uint8_t category;
	bool dirty;
	struct seqset seqs;
	struct series m[PREP_METRICS];
	struct series nsl;       /* metric slices applied per hour (their at) */
	struct minutes mins;     /* the same deltas per minute, sparse */
	int64_t eng[ACT__COUNT]; /* additive: engagement pairs per action */
};

/* Details of a top engager, read from its best engagement by the engine. */
struct detail {
	char user_id[LW_ID_MAX];
	char tweet_id[LW_ID_MAX];
	uint8_t action;
	char *name, *evidence;
	bool known;
};

struct prep {
	char campaign_id[48];
	uint64_t seq;    /* the last entry applied */
	int64_t counted; /* the additive counters cover entries up to this seq */

	struct tweet *tweets;
	size_t ntweets, captweets;

	struct acct *accts;
	size_t naccts, capaccts;
	uint32_t *map; /* open addressing: hash of the user id -> account + 1 */
	size_t mapcap;
	size_t npairs;
	char *arena; /* user ids and handles, NUL-separated */
	size_t narena, caparena;
	bool chunk_dirty[PREP_CHUNKS];

	/* additive counters (persisted in the summary) */
	struct series eng_hours;
	struct series bucket_hours[BK__COUNT];
	int64_t engagements;
	int64_t eng_action[ACT__COUNT];
	int64_t eng_bucket[BK__COUNT];

	/* text hash -> accounts that posted it (open addressing; key 0 empty),
	 * kept as pairs get their text, for the farm rule repeated_text */
	uint32_t *tx_key, *tx_cnt;
	size_t tx_cap, tx_n;

	struct prep_eng latest[PREP_LATEST_MAX]; /* newest first (additive: in the summary) */
	size_t nlatest;

	/* top engagers' details */
	struct detail *details;
	size_t ndetails, capdetails;
	const char *miss_user[PREP_TOP_MAX];
	const char *miss_tweet[PREP_TOP_MAX];
	uint8_t miss_action[PREP_TOP_MAX];
	size_t nmiss;
};

/* Returns a sanitized copy of s cut to max bytes ("" for NULL). */
char *prep_clean(const char *s, size_t max);
/* Returns the index of tweet id in p, adding it (with category) when new. */
size_t prep_tweet_index(struct prep *p, const char *id, uint8_t category);
/* Appends s to p's string arena; returns its offset. */
uint32_t prep_arena_add(struct prep *p, const char *s);
/* Returns the string at arena offset off. */
const char *prep_arena_at(const struct prep *p, uint32_t off);
/* Returns the account of user id, or NULL; with add, creates it. */
struct acct *prep_acct_find(struct prep *p, const char *id, bool add);
/* Returns true when (imp, tweet, action) is a better engagement than a's best. */
bool prep_better(
    const struct prep *p, const struct acct *a, int imp, uint16_t tweet, uint8_t action);
/* Returns the pair of a for (tweet, action), or NULL. */
struct pair *prep_pair_find(struct acct *a, uint16_t tweet, uint8_t action);
/* Adds a pair to a. */
struct pair *prep_pair_add(
    struct prep *p, struct acct *a, uint16_t tweet, uint8_t action, uint8_t bucket, uint32_t seq);
/* Sets pair q's (of account a) farm values (when it posted, its text's
 * hash) where it has none yet: every record of one pair carries the same, so
 * the order of records does not matter; a text new to a counts in the state's
 * text table. */
void prep_pair_farm(struct prep *p, struct acct *a, struct pair *q, uint32_t at_s, uint32_t text);
/* Returns how many accounts of p posted a reply or quote whose text hashes
 * to h (farm_text_hash). */
uint32_t prep_text_accounts(const struct prep *p, uint32_t h);
/* Returns how many slice seqs s holds. */
int64_t prep_seqset_count(const struct seqset *s);

#endif
