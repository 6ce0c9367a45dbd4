/*
 * yamlread_internal: what the reader's two files (yamlread.c, yamlkeys.c)
 * share beside the public headers. Same rules as yamlread.h.
 */
#ifndef LW_YAMLREAD_INTERNAL_H
#define LW_YAMLREAD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/yamlread.h"

/* Returns the key node of pair i of a mapping. */
const struct yr_node *yr_pair_key(struct yr_doc *d, const struct yr_node *map, size_t i);
/* Returns the value node of pair i of a mapping. */
const struct yr_node *yr_pair_value(struct yr_doc *d, const struct yr_node *map, size_t i);
/* Returns true (after reporting it) when key i of map is not a plain name
 * or repeats an earlier key. */
bool yr_bad_key(struct yr_doc *d, const struct yr_node *map, size_t i);
/* Returns true when scalar node n holds exactly the string s (no NUL). */
bool yr_text_is(const struct yr_node *n, const char *s);
/* Parses v as a decimal integer in lo..hi into *out; false if it is not. */
bool yr_int_parse(const char *v, int64_t lo, int64_t hi, int64_t *out);
/* Returns what an integer in lo..hi must be: "an integer from 0 to 100", or
 * "1" when lo is hi. Caller frees. */
char *yr_int_what(int64_t lo, int64_t hi);

#endif
