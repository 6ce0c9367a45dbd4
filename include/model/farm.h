/*
 * farm: the farm / bot signal (docs/scoring.md section 7). Each account gets
 * a farm score 0..100: the sum of the weights of the named rules it meets,
 * capped at 100. Static rules read one account as the provider describes it
 * (age at the engagement, followers/following, avatar, handle, bio) and are
 * computed at ingest; cross-account rules (repeated reply text, bursts) read
 * the whole campaign and are computed where the prepared state lives
 * (model/prep_summary.c), from values every record carries, so a replay or a
 * rebuild gives the same result. "Likely farmed" is a score at or above a
 * threshold (FARM_THRESHOLD_DEFAULT, `farm.threshold` in a campaign file).
 * Pure; every table is const; any thread.
 */
#ifndef LW_FARM_H
#define LW_FARM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/event.h"

#define FARM_SCORES            101 /* scores 0..100 */
#define FARM_THRESHOLD_DEFAULT 60
#define FARM_TEXT_MIN          12 /* bytes of normalized text a repeat needs */
#define FARM_TEXT_ACCOUNTS     3  /* accounts sharing a text make it repeated */
#define FARM_TEXT_TWEETS       3  /* ... or tweets one account posted it on */
#define FARM_BURST_S           60 /* a burst: this many seconds ... */
#define FARM_BURST_TWEETS      3  /* ... holding replies or quotes to this many tweets */

/* The rules, in the order of their bits in a reasons mask. */
enum farm_rule {
	FR_NEW_ACCOUNT,   /* created < 30 days before the engagement */
	FR_YOUNG_ACCOUNT, /* created 30..179 days before */
	FR_FOLLOW_RATIO,  /* follows >= 200, followers < a tenth of that */
	FR_DEFAULT_AVATAR,
	FR_HANDLE_DIGITS, /* 4+ trailing digits or 6+ digits */
	FR_EMPTY_BIO,
	FR_TEMPLATE_BIO, /* airdrop / follow back / giveaway / promo templates */
	FR_EMOJI_BIO,    /* emoji and symbols only */
	FR_REPEATED_TEXT,
	FR_BURST,
	FR__COUNT
};
#define FARM_STATIC_MASK ((uint16_t)((1u << FR_REPEATED_TEXT) - 1u))

/* One rule as docs/scoring.md and the console show it. */
struct farm_rule_def {
	const char *name; /* as stored in engagements.farm_reasons */
	int weight;
	const char *what; /* one line for people */
};

/* Returns rule r's definition (never NULL for r < FR__COUNT). */
const struct farm_rule_def *farm_rule(enum farm_rule r);
/* Parses a rule name; 0 or -1. */
int farm_rule_parse(const char *name, enum farm_rule *out);

/* Returns the static rules u meets (a mask of 1 << enum farm_rule) for an
 * engagement at at_ms (0: unknown, no age rule). u borrowed. */
uint16_t farm_static(const struct lw_user *u, int64_t at_ms);
/* Returns the score of a reasons mask: the sum of its rules' weights, at
 * most 100. */
int farm_score(uint16_t reasons);
/* Returns true when score counts as likely farmed at threshold. */
bool farm_likely(int score, int threshold);
/* Appends the reasons of mask as "name +weight, ..." into buf (size > 0);
 * "" when none. */
void farm_reasons_text(uint16_t reasons, char *buf, size_t size);

/* Returns the hash of a reply or quote text after normalization (ASCII
 * folded to lower case, @mentions and links dropped, punctuation and spaces
 * collapsed), or 0 when the normalized text is shorter than FARM_TEXT_MIN
 * bytes (too common to mean anything). */
uint32_t farm_text_hash(const char *text);
/* Returns true when the times at_s[0..n) of one account's replies and
 * quotes, on tweets tweet[0..n), hold FARM_BURST_TWEETS distinct tweets
 * within FARM_BURST_S seconds. Entries with at_s == 0 are unknown. */
bool farm_burst(const uint32_t *at_s, const uint32_t *tweet, size_t n);

/* Returns how many of the accounts counted in hist (accounts per score)
 * score at or above threshold. */
int64_t farm_count_at(const int64_t hist[FARM_SCORES], int threshold);

#endif
