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

/* The cue table, normalized once; owned by the caller's rules object. */
struct classify_cues;

/* Returns the normalized cue table; caller frees with classify_cues_free. */
struct classify_cues *classify_cues_new(void);

/* Frees a cue table; NULL is a no-op. */
void classify_cues_free(struct classify_cues *c);

/* Returns true when the match of len bytes at p in padded text t (tlen
 * bytes; t[p] is the space before the match) is negated or self-referent:
 * a cue within two words before it in the same clause, or right after it. */
bool classify_negated(
    const struct classify_cues *c, const char *t, size_t tlen, size_t p, size_t len);

#endif
