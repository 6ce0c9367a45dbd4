/*
 * rules_file: loads a classifier rules file (docs/scoring.md) into a rules
 * table (model/classify.h). Pure apart from reading the file; any thread.
 */
#ifndef LW_RULES_FILE_H
#define LW_RULES_FILE_H

#include <stddef.h>

#include "model/classify.h"

/* Loads a YAML rules file (docs/scoring.md) on top of the built-in rules or,
 * with `base: empty`, on top of none. On any error returns -1 and sets *cause
 * to one "FILE:LINE:COL: message" line per error (newline separated) and
 * *out is untouched; on success *out is a new rules object the caller frees
 * with classify_rules_free. */
int rules_file_load(const char *path, struct classify_rules **out, char **cause);

/* As rules_file_load, for len bytes of YAML at text; name stands for FILE
 * in messages. */
int rules_file_load_string(
    const char *name, const char *text, size_t len, struct classify_rules **out, char **cause);

#endif
