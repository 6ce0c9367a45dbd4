/*
 * series: values per absolute hour (ms / SERIES_HOUR_MS, UTC), stored as a
 * dense array from the first hour with data to the last, with sums,
 * cumulative and per-bucket views per hour or per UTC day, and a compact
 * binary encoding. Model code: no I/O; any thread, one owner per series.
 */
#ifndef LW_SERIES_H
#define LW_SERIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"

#define SERIES_HOUR_MS 3600000LL

/* Values per absolute hour, from hour base on; zero-initialize to start. */
struct series {
	int64_t base;
	int32_t n;
	int32_t cap;
	int64_t *v;
};

/* Returns the absolute hour that holds ms (floors negative times too). */
int64_t series_hour_of(int64_t ms);
/* Adds d to hour h, growing the series either way (0 changes nothing). */
void series_add(struct series *s, int64_t h, int64_t d);
/* Adds every value of src to dst. */
void series_merge(struct series *dst, const struct series *src);
/* Makes dst (uninitialized) a copy of src. */
void series_copy(struct series *dst, const struct series *src);
/* Frees the values and zeroes s. */
void series_done(struct series *s);
/* Returns the sum of s over [from_ms, to_ms) at hour granularity. */
int64_t series_sum(const struct series *s, int64_t from_ms, int64_t to_ms);
/* Returns the value of hour h (0 outside the series). */
int64_t series_at(const struct series *s, int64_t h);
/* Returns the sum of every value. */
int64_t series_total(const struct series *s);
/* Returns true when a and b hold the same value for every hour. */
bool series_equal(const struct series *a, const struct series *b);
/* Sets dst to 1 at every hour where src is nonzero and dst is zero (marks
 * the hours that hold data, for series written before they were counted). */
void series_mark(struct series *dst, const struct series *src);

/* Writes the values of s per hour (or per UTC day when daily) for the last
 * max buckets up to now_ms into out, cumulative (counting everything before
 * the first bucket as its starting value) or per bucket; returns how many
 * were written and sets *first_ms (when not NULL) to the first one's start. */
size_t series_out(const struct series *s, bool daily, bool cumulative, int64_t now_ms, double *out,
    size_t max, int64_t *first_ms);

/* Appends s to b (base, count, then the values as signed varints, trailing
 * and leading zero hours dropped). */
void series_encode(struct sbuf *b, const struct series *s);
/* Reads a series written by series_encode into *s (which it replaces);
 * sets r->bad on malformed input. */
void series_decode(struct bytes_r *r, struct series *s);

#endif
