/*
 * classify_eval: measures a rules table against a labelled set of accounts
 * (the format of tests/data/bios.tsv, docs/scoring.md section 6): accuracy,
 * investor precision and recall, the confusion matrix and the misses. Used
 * by `launchwatch rules eval` and by the unit test over the built-in rules.
 * Pure: it reads text given to it; any thread.
 */
#ifndef LW_CLASSIFY_EVAL_H
#define LW_CLASSIFY_EVAL_H

#include <stddef.h>

#include "model/classify.h"

/* The result of one evaluation; free with classify_eval_done. */
struct classify_eval {
	int n;                            /* accounts */
	int correct;                      /* the bucket was acceptable */
	int matrix[BK__COUNT][BK__COUNT]; /* [expected][got] */
	int predicted[BK__COUNT];         /* accounts put in each bucket */
	int true_pos[BK__COUNT];          /* ... where that was acceptable */
	int labelled[BK__COUNT];          /* accounts for which it was acceptable */
	char *misses;                     /* owned: one line per miss */
};

/* Classifies every account of the labelled set text (len bytes, read from
 * a file called name) with rules r into *out. Returns 0, or -1 with *cause
 * (caller frees) naming the file, the line and the field at fault. */
int classify_eval_text(const struct classify_rules *r, const char *name, const char *text,
    size_t len, struct classify_eval *out, char **cause);

/* Returns a new text of the figures and the confusion matrix (rows the
 * expected bucket, the first acceptable one unless the bucket got was
 * acceptable; columns the bucket got). Caller frees. */
char *classify_eval_report(const struct classify_eval *e);

/* Frees what classify_eval_text put in e. */
void classify_eval_done(struct classify_eval *e);

#endif
