/*
 * classify: puts an engaged account into a bucket (investor, founder, ai,
 * developer, media, other) from a rules table matched against its bio, name
 * and handle, keeps the matched words as evidence, and scores the engagement's
 * importance (0..100) with a versioned formula. docs/scoring.md documents the
 * rules, the rules file format and the formula; config/rules_file.h reads
 * that file through the builder calls below. Pure. A rules object is
 * immutable once built, so any number of threads may call classify_user on
 * the same rules concurrently; only its owner frees it, after every user is
 * done.
 */
#ifndef LW_CLASSIFY_H
#define LW_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/campaign.h"
#include "model/event.h"

/* Version of the importance formula; bump it whenever any number changes. */
#define CLASSIFY_FORMULA_VERSION 1
/* Version of the rules file format (the optional top-level `version` key). */
#define CLASSIFY_RULES_FORMAT 1

/* At most this many bytes of a bio, name or handle are scanned. */
#define CLASSIFY_BIO_MAX    2048
#define CLASSIFY_NAME_MAX   256
#define CLASSIFY_HANDLE_MAX 64

/* Limits that the rules loader enforces. */
#define CLASSIFY_WEIGHT_MAX     20  /* weight of one keyword or handle pattern */
#define CLASSIFY_IMPORTANCE_MAX 40  /* importance weight of one bucket */
#define CLASSIFY_MIN_SCORE_MAX  100 /* min_score */
#define CLASSIFY_PATTERN_MAX    64  /* bytes in one keyword or handle pattern */
#define CLASSIFY_RULES_MAX      2000

/* How a rule's pattern is matched (the rules file's keys words,
 * handle_suffix and handle_contains). */
enum classify_kind {
	RK_WORD,            /* whole words in bio or name ("general partner") */
	RK_HANDLE_SUFFIX,   /* the handle ends with it ("capital") */
	RK_HANDLE_CONTAINS, /* the handle contains it ("ventures") */
	RK__COUNT,
};

/* What became of a pattern given to classify_rules_put. */
enum classify_put {
	CLASSIFY_PUT_ADDED,      /* a new rule (or, from classify_pattern_check: valid) */
	CLASSIFY_PUT_REPLACED,   /* a built-in rule got the new weight (0 removes it) */
	CLASSIFY_PUT_TOO_LONG,   /* longer than CLASSIFY_PATTERN_MAX bytes */
	CLASSIFY_PUT_BAD_HANDLE, /* a handle pattern with other than ASCII letters, digits, '_' */
	CLASSIFY_PUT_EMPTY,      /* nothing to match: no ASCII letter or digit */
	CLASSIFY_PUT_DUPLICATE,  /* put before (from a file line) in the same bucket and kind */
	CLASSIFY_PUT_FULL,       /* CLASSIFY_RULES_MAX rules already */
};

/* One entry of a built-in rules table: the English keywords in
 * src/model/classify.c, titles and the other languages in
 * src/model/classify_lang.c. */
struct classify_default_rule {
	enum lw_bucket bucket;
	enum classify_kind kind;
	const char *pat;
	int weight;
};

/* The built-in rules for titles and languages other than English. */
extern const struct classify_default_rule classify_lang_rules[];
extern const size_t classify_lang_rules_len;

/* A rules table: opaque, immutable once it is built (classify_rules_default,
 * or classify_rules_new and the calls that change it). */
struct classify_rules;
struct classify_cues;

/* The verdict on one engagement; fill with classify_user, free with
 * classification_done. */
struct classification {
	enum lw_bucket bucket; /* highest score >= min_score, ties by enum order */
	int importance;        /* 0..100, formula CLASSIFY_FORMULA_VERSION */
	char *evidence;        /* owned; "" for other, e.g. "bio: 'vc'; handle: 'capital'" */
	int score[BK__COUNT];  /* rule points per bucket (score[BK_OTHER] is 0) */
};

/* Returns a new copy of the built-in rules; caller frees with
 * classify_rules_free. */
struct classify_rules *classify_rules_default(void);

/* Returns a new rules object called source (classify_rules_source): the
 * built-in rules, or none at all when empty, with the default min_score and
 * importance weights; caller frees with classify_rules_free. The
 * classify_rules_set_* and _put calls below change it until it is handed to
 * classify_user, after which it is immutable. */
struct classify_rules *classify_rules_new(const char *source, bool empty);

/* Sets the lowest score that puts an account in a bucket (1..100). */
void classify_rules_set_min_score(struct classify_rules *r, int min_score);

/* Sets bucket b's importance weight (formula term B, 0..40). */
void classify_rules_set_importance(struct classify_rules *r, enum lw_bucket b, int importance);

/* Checks the len bytes of pattern pat for kind: CLASSIFY_PUT_ADDED when it
 * may be put, else CLASSIFY_PUT_TOO_LONG, _BAD_HANDLE or _EMPTY. */
enum classify_put classify_pattern_check(enum classify_kind kind, const char *pat, size_t len);

/* Puts the rule "pattern pat (len bytes) of kind in bucket b weighs weight",
 * set at line of a rules file: a built-in rule with the same (normalized)
 * pattern is replaced, one put before is a duplicate (*first_line is set to
 * its line). Returns what became of it (see enum classify_put). */
enum classify_put classify_rules_put(struct classify_rules *r, enum lw_bucket b,
    enum classify_kind kind, const char *pat, size_t len, int weight, int line, int *first_line);

/* Returns r's negation and self-reference cues (model/classify_norm.h), the
 * built-in table until a rules file changes it with classify_cues_put and
 * classify_cues_remove; borrowed for the life of r, changed only while r is
 * built. */
struct classify_cues *classify_rules_cues(struct classify_rules *r);

/* Frees a rules object; NULL is a no-op. */
void classify_rules_free(struct classify_rules *r);

/* Returns where the rules came from ("built-in" or the file name); borrowed
 * for the life of r. */
const char *classify_rules_source(const struct classify_rules *r);

/* Classifies user u engaging through action on a tweet of category cat, and
 * fills *out (which the caller then owns and frees with classification_done).
 * Reads r and u only; safe to call concurrently. */
void classify_user(const struct classify_rules *r, const struct lw_user *u, enum lw_action action,
    enum tweet_category cat, struct classification *out);

/* Frees what classify_user put in c and zeroes it. */
void classification_done(struct classification *c);

/* Returns the importance (0..100) from the formula alone: followers on a log
 * scale, verification, the bucket's importance weight in r, the action and
 * the tweet's category. */
int classify_importance(const struct classify_rules *r, int64_t followers, bool verified,
    enum lw_bucket bucket, enum lw_action action, enum tweet_category cat);

/* The terms of one importance: those the formula fixes, and the bucket's
 * weight as it follows from a stored importance under any rules. */
struct importance_terms {
	int followers, verified, action, category; /* points */
	int bucket;                                /* importance less the others */
	bool capped; /* the formula's total was cut to 0..100, so bucket is off */
};

/* Fills *t with the terms of stored importance imp of an engagement through
 * action on a tweet of category cat by an account with followers and
 * verified. */
void classify_importance_terms(int imp, int64_t followers, bool verified, enum lw_action action,
    enum tweet_category cat, struct importance_terms *t);

/* Returns the follower points of the formula: floor(10 * log10(followers + 1))
 * - 10, clamped to 0..50, computed exactly in integers. */
int classify_follower_points(int64_t followers);

#endif
