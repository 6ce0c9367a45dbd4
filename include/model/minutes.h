/*
 * minutes: metric deltas per absolute minute (ms / MINUTE_MS, UTC) kept
 * sparse, one sorted row of MINUTES_W values per minute that holds data, so
 * a 7-day campaign costs what its metric slices cost, not 10080 minutes per
 * series; the chart resolutions (1, 5, 15 minutes, hour, day) those rows
 * are summed into; the automatic choice of one for a span and a width; and
 * a compact binary encoding. Model code: no I/O; any thread, one owner per
 * value.
 */
#ifndef LW_MINUTES_H
#define LW_MINUTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"
#include "model/series.h"

#define MINUTE_MS 60000LL
#define MINUTES_W 6 /* values per row: the six metrics (PREP_METRICS) */
/* minutes_coarsen keeps rows per minute within this span before the
 * newest, and sums older ones per quarter hour (MINUTES_COARSE minutes) */
#define MINUTES_FINE_MIN (60 * 60)
#define MINUTES_COARSE   15

/* The deltas of one minute. */
struct minute_row {
	int64_t min;
	int64_t d[MINUTES_W];
};

/* Rows sorted by minute, each minute once; zero-initialize to start. */
struct minutes {
	struct minute_row *r;
	size_t n, cap;
	int64_t coarse_to; /* minutes_coarsen: rows before this minute are per quarter */
	bool coarse;       /* ... and it has run */
};

/* A chart's time resolution; RES_AUTO picks one with res_pick. */
enum res { RES_AUTO, RES_1M, RES_5M, RES_15M, RES_HOUR, RES_DAY, RES__COUNT };

/* Returns "auto", "1-min", "5-min", "15-min", "hour" or "day". */
const char *res_name(enum res r);
/* Sets *r to the resolution named s (as res_name writes it); false when
 * none is. */
bool res_parse(const char *s, enum res *r);
/* Returns the length of r's bucket in ms (0 for RES_AUTO). */
int64_t res_unit_ms(enum res r);
/* Returns r unless it is RES_AUTO, else the finest resolution whose buckets
 * from from_ms to to_ms (inclusive ends) number at most width (day when
 * none does). */
enum res res_pick(enum res r, int64_t from_ms, int64_t to_ms, size_t width);

/* Returns the absolute minute that holds ms (floors negative times too). */
int64_t minutes_of(int64_t ms);
/* Adds the MINUTES_W deltas d to minute min (all zero changes nothing). */
void minutes_add(struct minutes *s, int64_t min, const int64_t d[MINUTES_W]);
/* Adds every row of src to dst. */
void minutes_merge(struct minutes *dst, const struct minutes *src);
/* Adds every row of the n values src[] to dst at once (one sort, so
 * summing many tweets' rows stays O(rows log rows)). */
void minutes_sum(struct minutes *dst, const struct minutes *const *src, size_t n);
/* Makes dst (uninitialized) a copy of src. */
void minutes_copy(struct minutes *dst, const struct minutes *src);
/* Frees the rows and zeroes s. */
void minutes_done(struct minutes *s);
/* Sums the rows more than MINUTES_FINE_MIN minutes before s's newest row
 * into rows per quarter hour (at its first minute), and keeps them so as
 * later rows arrive; the result depends only on the rows added, not on
 * their order or on when this ran. */
void minutes_coarsen(struct minutes *s);
/* Replaces s with the hourly values of h[0..MINUTES_W), each hour's at its
 * first minute: how data stored before minutes were kept is read. */
void minutes_from_hours(struct minutes *s, const struct series h[MINUTES_W]);
/* Returns the sum of column col over every row. */
int64_t minutes_total(const struct minutes *s, int col);
/* Returns the minute of the first row (0 when empty). */
int64_t minutes_first(const struct minutes *s);

/* Writes column col of s per bucket of unit_ms (a multiple of a minute,
 * aligned to the epoch: UTC days for a day) for the last max buckets up to
 * the one holding to_ms (or the last row, when later) into out, cumulative
 * (counting everything before the first bucket as its starting value) or
 * per bucket; returns how many were written and sets *first_ms (when not
 * NULL) to the first one's start. */
size_t minutes_out(const struct minutes *s, int col, int64_t unit_ms, bool cumulative,
    int64_t to_ms, double *out, size_t max, int64_t *first_ms);

/* Appends s to b (the row count, then per row its minute as a varint gap
 * from the previous one and its values as signed varints). */
void minutes_encode(struct sbuf *b, const struct minutes *s);
/* Reads rows written by minutes_encode into *s (which it replaces); sets
 * r->bad on malformed input. */
void minutes_decode(struct bytes_r *r, struct minutes *s);

#endif
