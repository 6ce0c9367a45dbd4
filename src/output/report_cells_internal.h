/*
 * report_cells: the pieces of text the report renderers share (numbers with
 * thousands separators, dollars, missing values, times, sums over tweets, an
 * engager's actions, the final/live marker, guarded CSV cells), private to
 * src/output/. Pure; any thread.
 */
#ifndef LW_REPORT_CELLS_INTERNAL_H
#define LW_REPORT_CELLS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "output/report_write.h"
#include "base/csv.h"
#include "base/util.h"

/* Appends n with thousands separators. */
void cell_int(struct sbuf *b, int64_t n);
/* Appends an amount of US dollars as -$1,234.56. */
void cell_usd(struct sbuf *b, double v);
/* Appends a count, or "missing". */
void cell_opt_int(struct sbuf *b, bool has, int64_t v);
/* Appends a dollar amount, or "missing". */
void cell_opt_usd(struct sbuf *b, bool has, double v);
/* Appends a time as "2026-12-01 14:00 UTC" (hour precision is enough). */
void cell_time(struct sbuf *b, int64_t ms);
/* Appends a value of a sum, with "(n missing)" when some tweets had none. */
void cell_sum(struct sbuf *b, const struct rep_sum *s, int m);
/* Appends the actions of an engager as "retweet, reply x3". */
void cell_actions(struct sbuf *b, const int64_t *actions);
/* Appends a CSV time cell in RFC 3339 (UTC, seconds). */
void cell_csv_time(struct sbuf *b, int64_t ms);
/* Appends s with the five XML special characters escaped. */
void cell_html(struct sbuf *b, const char *s);
/* Returns true when the campaign set a CPM benchmark or a spend. */
bool cell_cpm_set(const struct report *r);
/* Returns the marker that says whether the numbers are final ("final" or
 * "live, not final"; static). */
const char *cell_marker(const struct report *r);

/* The sentiment table's columns, and one row of sums s as their texts:
 * scored, mean ("-" when none), positive, neutral, negative, not scored. */
#define CELL_SENT_COLS 6
extern const char *const cell_sent_cols[CELL_SENT_COLS];
void cell_sentiment(const struct sent_sums *s, char cells[CELL_SENT_COLS][24]);
/* The sentence under the sentiment heading: who scored, or "not scored". */
const char *cell_sentiment_note(const struct report *r, char *buf, size_t size);

#endif
