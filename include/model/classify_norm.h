/*
 * classify_norm: the text side of the classifier (model/classify.h). It
 * turns a bio, a name or a rule pattern into the padded word form the rules
 * match (" w1 w2 "): UTF-8 decoded with base/text.h, Latin letters folded to
 * lower-case ASCII without accents, Greek and Cyrillic lower-cased, every
 * Han, kana and Hangul character a word of its own (so a phrase of them
 * matches inside text without spaces), clause punctuation kept as the word
 * "." and every other symbol a word break. It also owns the table of
 * negation and self-reference cues ("not a", "ex-", "investing in
 * myself"). Pure; any thread.
 */
#ifndef LW_CLASSIFY_NORM_H
#define LW_CLASSIFY_NORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Writes the n bytes at s into dst in padded word form and returns its
 * length; dst holds 3 * n + 4 bytes. off (NULL, or 3 * n + 4 entries) gets,
 * for each byte written, where in s its character starts (for the space
 * that ends a word: where that word ends). With clause false clause
 * punctuation is a plain break (patterns). */
size_t classify_norm(const char *s, size_t n, char *dst, uint32_t *off, bool clause);

/* Returns true when the n bytes at s hold a letter that the word form
 * folds from outside ASCII (an accent, a capital of another script). */
bool classify_norm_folds(const char *s, size_t n);

/* What a cue does to a rule match near it. */
enum cue_kind {
	CUE_BEFORE, /* negates a match up to two words after it ("not a", "ex-") */
	CUE_NEAR,   /* negates only the match right after it (one CJK character) */
	CUE_AFTER,  /* negates the match right before it ("in myself") */
	CUE_SKIP,   /* an article, not counted as a word between ("a", "an") */
	CUE_STOP,   /* ends the reach of a cue before it ("now", "turned") */
	CUE__COUNT,
};

#define CLASSIFY_CUE_MAX  64   /* bytes of a cue as written */
#define CLASSIFY_CUES_MAX 1000 /* cues of a rules object, built in and added */

/* What became of a cue given to classify_cues_put. */
enum cue_put {
	CUE_PUT_ADDED,     /* a new cue */
	CUE_PUT_KNOWN,     /* a built-in cue of the same kind: nothing to do */
	CUE_PUT_DUPLICATE, /* put before from the rules file (*first_line: where) */
	CUE_PUT_EMPTY,     /* no letter or digit to match */
	CUE_PUT_TOO_LONG,  /* longer than CLASSIFY_CUE_MAX bytes */
	CUE_PUT_FULL,      /* CLASSIFY_CUES_MAX cues already */
};

/* The cue table, normalized once; owned by the caller's rules object. */
struct classify_cues;

/* Returns the name of cue kind k as the rules file writes it ("before"). */
const char *classify_cue_kind_name(enum cue_kind k);

/* Returns the normalized built-in cue table; caller frees with
 * classify_cues_free. */
struct classify_cues *classify_cues_new(void);

/* Adds the cue "the n bytes at text, of kind k" put at line of a rules file
 * (0: built in); returns what became of it (enum cue_put). */
enum cue_put classify_cues_put(struct classify_cues *c, enum cue_kind k, const char *text, size_t n,
    int line, int *first_line);

/* Removes every built-in cue (of any kind) whose words are the n bytes at
 * text; returns how many it removed. */
size_t classify_cues_remove(struct classify_cues *c, const char *text, size_t n);

/* Frees a cue table; NULL is a no-op. */
void classify_cues_free(struct classify_cues *c);

/* Returns true when the match of len bytes at p in padded text t (tlen
 * bytes; t[p] is the space before the match) is negated or self-referent:
 * a cue within two words before it in the same clause, or right after it. */
bool classify_negated(
    const struct classify_cues *c, const char *t, size_t tlen, size_t p, size_t len);

#endif
