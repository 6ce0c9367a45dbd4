/*
 * minutes: sparse per-minute metric deltas, the chart resolutions they are
 * summed into and their encoding (include/model/minutes.h). Pure; any
 * thread.
 */
#include "model/minutes.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

#define DAY_MS (24 * SERIES_HOUR_MS)
/* minutes_sum adds into a dense array when the rows span at most this */
#define DENSE_MAX_MIN (60 * 24 * 60)

/* Each resolution's name and bucket length, in enum res order. */
static const struct {
	const char *name;
	int64_t unit_ms;
} resolutions[RES__COUNT] = {
    {"auto", 0},
    {"1-min", MINUTE_MS},
    {"5-min", 5 * MINUTE_MS},
    {"15-min", 15 * MINUTE_MS},
    {"hour", SERIES_HOUR_MS},
    {"day", DAY_MS},
};

const char *
res_name(enum res r)
{
	return r >= 0 && r < RES__COUNT ? resolutions[r].name : "?";
}

bool
res_parse(const char *s, enum res *r)
{
	for (int k = 0; s && k < RES__COUNT; k++)
		if (strcmp(s, resolutions[k].name) == 0) {
			*r = (enum res)k;
			return true;
		}
	return false;
}

int64_t
res_unit_ms(enum res r)
{
	return r >= 0 && r < RES__COUNT ? resolutions[r].unit_ms : 0;
}

/* Returns the bucket of unit that holds ms (floored). */
static int64_t
bucket_of(int64_t ms, int64_t unit)
{
	return ms >= 0 ? ms / unit : (ms - unit + 1) / unit;
}

enum res
res_pick(enum res r, int64_t from_ms, int64_t to_ms, size_t width)
{
	if (r > RES_AUTO && r < RES__COUNT)
		return r;
	if (to_ms < from_ms)
		to_ms = from_ms;
	for (int k = RES_1M; k < RES_DAY; k++) {
		int64_t u = resolutions[k].unit_ms;
		if (bucket_of(to_ms, u) - bucket_of(from_ms, u) + 1 <= (int64_t)width)
			return (enum res)k;
	}
	return RES_DAY;
}

int64_t
minutes_of(int64_t ms)
{
	return bucket_of(ms, MINUTE_MS);
}

/* Returns the index of the first row of s at or after minute min. */
static size_t
lower(const struct minutes *s, int64_t min)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->r[mid].min < min)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void
minutes_add(struct minutes *s, int64_t min, const int64_t d[MINUTES_W])
{
	bool any = false;
	for (int k = 0; k < MINUTES_W; k++)
		any |= d[k] != 0;
	if (!any)
		return;
	if (s->coarse && min < s->coarse_to)
		min = bucket_of(min, MINUTES_COARSE) * MINUTES_COARSE;
	/* slices come in time order: the usual row is the last or a new one */
	size_t i = s->n > 0 && s->r[s->n - 1].min < min ? s->n : lower(s, min);
	if (i == s->n || s->r[i].min != min) {
		if (s->n == s->cap) {
			s->cap += s->cap / 4 + 16; /* a quarter: at most that much unused */
			s->r = xreallocarray(s->r, s->cap, sizeof *s->r);
		}
		memmove(s->r + i + 1, s->r + i, (s->n - i) * sizeof *s->r);
		memset(&s->r[i], 0, sizeof s->r[i]);
		s->r[i].min = min;
		s->n++;
	}
	for (int k = 0; k < MINUTES_W; k++)
		s->r[i].d[k] += d[k];
}

void
minutes_merge(struct minutes *dst, const struct minutes *src)
{
	minutes_sum(dst, &src, 1);
}

/* Orders rows by minute. */
static int
cmp_row(const void *a, const void *b)
{
	int64_t x = ((const struct minute_row *)a)->min, y = ((const struct minute_row *)b)->min;
	return (x > y) - (x < y);
}

/* Sums rows into dst through a dense array over [lo, hi] (minutes). */
static void
sum_dense(struct minutes *dst, const struct minutes *const *src, size_t n, int64_t lo, int64_t hi)
{
	size_t span = (size_t)(hi - lo + 1), rows = 0;
	int64_t(*acc)[MINUTES_W] = xcalloc(span, sizeof *acc);
	bool *has = xcalloc(span, sizeof *has);
	for (size_t i = 0; i <= n; i++) {
		const struct minutes *x = i < n ? src[i] : dst;
		for (size_t k = 0; k < x->n; k++) {
			size_t at = (size_t)(x->r[k].min - lo);
			rows += !has[at];
			has[at] = true;
			for (int c = 0; c < MINUTES_W; c++)
				acc[at][c] += x->r[k].d[c];
		}
	}
	struct minute_row *out = xcalloc(rows ? rows : 1, sizeof *out);
	size_t w = 0;
	for (size_t at = 0; at < span; at++)
		if (has[at]) {
			out[w].min = lo + (int64_t)at;
			memcpy(out[w++].d, acc[at], sizeof acc[at]);
		}
	free(acc);
	free(has);
	free(dst->r);
	dst->r = out;
	dst->n = w;
	dst->cap = rows ? rows : 1;
}

void
minutes_sum(struct minutes *dst, const struct minutes *const *src, size_t n)
{
	size_t total = dst->n;
	int64_t lo = dst->n ? dst->r[0].min : INT64_MAX;
	int64_t hi = dst->n ? dst->r[dst->n - 1].min : INT64_MIN;
	for (size_t i = 0; i < n; i++) {
		total += src[i]->n;
		if (src[i]->n) {
			lo = src[i]->r[0].min < lo ? src[i]->r[0].min : lo;
			hi = src[i]->r[src[i]->n - 1].min > hi ? src[i]->r[src[i]->n - 1].min : hi;
		}
	}
	if (total == dst->n)
		return;
	if (hi - lo < DENSE_MAX_MIN) {
		sum_dense(dst, src, n, lo, hi);
		return;
	}
	struct minute_row *all = xcalloc(total, sizeof *all);
	size_t k = dst->n;
	if (dst->n)
		memcpy(all, dst->r, dst->n * sizeof *all);
	for (size_t i = 0; i < n; i++) {
		if (src[i]->n)
			memcpy(all + k, src[i]->r, src[i]->n * sizeof *all);
		k += src[i]->n;
	}
	qsort(all, total, sizeof *all, cmp_row);
	size_t w = 0;
	for (size_t i = 0; i < total; i++) {
		if (w > 0 && all[w - 1].min == all[i].min) {
			for (int c = 0; c < MINUTES_W; c++)
				all[w - 1].d[c] += all[i].d[c];
		} else {
			all[w++] = all[i];
		}
	}
	free(dst->r);
	dst->r = all;
	dst->n = w;
	dst->cap = total;
}

void
minutes_coarsen(struct minutes *s)
{
	if (s->n == 0)
		return;
	int64_t to =
	    bucket_of(s->r[s->n - 1].min - MINUTES_FINE_MIN, MINUTES_COARSE) * MINUTES_COARSE;
	if (s->coarse && to <= s->coarse_to)
		return;
	/* rows [a, b) are per minute and now too old: fold them per quarter */
	size_t a = s->coarse ? lower(s, s->coarse_to) : 0, b = lower(s, to), w = a;
	for (size_t i = a; i < b; i++) {
		int64_t q = bucket_of(s->r[i].min, MINUTES_COARSE) * MINUTES_COARSE;
		if (w > a && s->r[w - 1].min == q) {
			for (int c = 0; c < MINUTES_W; c++)
				s->r[w - 1].d[c] += s->r[i].d[c];
		} else {
			s->r[w] = s->r[i];
			s->r[w++].min = q;
		}
	}
	memmove(s->r + w, s->r + b, (s->n - b) * sizeof *s->r);
	s->n -= b - w;
	s->coarse = true;
	s->coarse_to = to;
	if (s->cap > s->n + s->n / 2 + 64) { /* give back what folding freed */
		s->cap = s->n + s->n / 4 + 16;
		s->r = xreallocarray(s->r, s->cap, sizeof *s->r);
	}
}

void
minutes_copy(struct minutes *dst, const struct minutes *src)
{
	memset(dst, 0, sizeof *dst);
	dst->coarse = src->coarse;
	dst->coarse_to = src->coarse_to;
	if (src->n == 0)
		return;
	dst->r = xcalloc(src->n, sizeof *dst->r);
	memcpy(dst->r, src->r, src->n * sizeof *dst->r);
	dst->n = dst->cap = src->n;
}

void
minutes_done(struct minutes *s)
{
	free(s->r);
	memset(s, 0, sizeof *s);
}

void
minutes_from_hours(struct minutes *s, const struct series h[MINUTES_W])
{
	minutes_done(s);
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	for (int k = 0; k < MINUTES_W; k++)
		if (h[k].n > 0) {
			lo = h[k].base < lo ? h[k].base : lo;
			hi = h[k].base + h[k].n > hi ? h[k].base + h[k].n : hi;
		}
	for (int64_t hour = lo; hour < hi; hour++) {
		int64_t d[MINUTES_W];
		for (int k = 0; k < MINUTES_W; k++)
			d[k] = series_at(&h[k], hour);
		minutes_add(s, hour * (SERIES_HOUR_MS / MINUTE_MS), d);
	}
}

int64_t
minutes_total(const struct minutes *s, int col)
{
	int64_t t = 0;
	for (size_t i = 0; i < s->n; i++)
		t += s->r[i].d[col];
	return t;
}

int64_t
minutes_first(const struct minutes *s)
{
	return s->n ? s->r[0].min : 0;
}

size_t
minutes_out(const struct minutes *s, int col, int64_t unit_ms, bool cumulative, int64_t to_ms,
    double *out, size_t max, int64_t *first_ms)
{
	if (max == 0)
		return 0;
	int64_t last = bucket_of(to_ms, unit_ms);
	if (s->n > 0 && bucket_of(s->r[s->n - 1].min * MINUTE_MS, unit_ms) > last)
		last = bucket_of(s->r[s->n - 1].min * MINUTE_MS, unit_ms);
	int64_t first = s->n > 0 ? bucket_of(s->r[0].min * MINUTE_MS, unit_ms) : last;
	if (first > last)
		first = last;
	if (last - first + 1 > (int64_t)max)
		first = last - (int64_t)max + 1;
	size_t n = (size_t)(last - first + 1);
	int64_t *sum = xcalloc(n, sizeof *sum);
	int64_t acc = 0;
	for (size_t i = 0; i < s->n; i++) {
		int64_t k = bucket_of(s->r[i].min * MINUTE_MS, unit_ms);
		if (k < first)
			acc += cumulative ? s->r[i].d[col] : 0;
		else
			sum[k - first] += s->r[i].d[col];
	}
	for (size_t i = 0; i < n; i++) {
		acc = cumulative ? acc + sum[i] : sum[i];
		out[i] = (double)acc;
	}
	free(sum);
	if (first_ms)
		*first_ms = first * unit_ms;
	return n;
}

void
minutes_encode(struct sbuf *b, const struct minutes *s)
{
	bytes_put_uvar(b, s->n);
	int64_t prev = 0;
	for (size_t i = 0; i < s->n; i++) {
		bytes_put_svar(b, s->r[i].min - prev);
		prev = s->r[i].min;
		for (int k = 0; k < MINUTES_W; k++)
			bytes_put_svar(b, s->r[i].d[k]);
	}
}

void
minutes_decode(struct bytes_r *r, struct minutes *s)
{
	minutes_done(s);
	uint64_t n = bytes_get_uvar(r);
	/* each row takes at least 1 + MINUTES_W bytes */
	if (r->bad || n > (r->len - r->off) / (1 + MINUTES_W)) {
		r->bad = true;
		return;
	}
	int64_t prev = 0;
	for (uint64_t i = 0; i < n && !r->bad; i++) {
		int64_t min = prev + bytes_get_svar(r), d[MINUTES_W];
		for (int k = 0; k < MINUTES_W; k++)
			d[k] = bytes_get_svar(r);
		if (i > 0 && min <= prev)
			r->bad = true;
		else
			minutes_add(s, min, d);
		prev = min;
	}
}
