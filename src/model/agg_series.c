/*
 * agg_series: the hourly series of agg (struct agg_hours in
 * include/model/agg.h): adding a delta to an hour, sums over a span, and the
 * per-hour or per-day values and running totals the charts draw. Model code:
 * no curses, no I/O; the agg's owner thread.
 */
#include <stdlib.h>
#include <string.h>

#include "agg_internal.h"
#include "base/util.h"
#include "model/agg.h"

/* Floors ms to its absolute hour number. */
int64_t
agg_hour_of(int64_t ms)
{
	return ms >= 0 ? ms / AGG_HOUR_MS : (ms - AGG_HOUR_MS + 1) / AGG_HOUR_MS;
}

/* Adds d to the bucket of hour h, growing the series either way. */
void
agg_hours_add(struct agg_hours *s, int64_t h, int64_t d)
{
	if (d == 0)
		return;
	if (s->n == 0) {
		s->base = h;
	} else if (h < s->base) {
		int32_t shift = (int32_t)(s->base - h);
		if (s->n + shift > s->cap) {
			s->cap = (s->n + shift) * 2;
			s->v = xreallocarray(s->v, (size_t)s->cap, sizeof *s->v);
		}
		memmove(s->v + shift, s->v, (size_t)s->n * sizeof *s->v);
		memset(s->v, 0, (size_t)shift * sizeof *s->v);
		s->n += shift;
		s->base = h;
	}
	int64_t i = h - s->base;
	if (i >= s->n) {
		if (i >= s->cap) {
			s->cap = (int32_t)(i + 1 > 2 * s->cap ? i + 1 + 24 : 2 * s->cap);
			s->v = xreallocarray(s->v, (size_t)s->cap, sizeof *s->v);
		}
		memset(s->v + s->n, 0, (size_t)(i + 1 - s->n) * sizeof *s->v);
		s->n = (int32_t)(i + 1);
	}
	s->v[i] += d;
}

/* Frees a series. */
void
agg_hours_done(struct agg_hours *s)
{
	free(s->v);
	memset(s, 0, sizeof *s);
}

int64_t
agg_hours_sum(const struct agg_hours *h, int64_t from_ms, int64_t to_ms)
{
	int64_t sum = 0, a = agg_hour_of(from_ms), b = agg_hour_of(to_ms - 1);
	for (int32_t i = 0; i < h->n; i++)
		if (h->base + i >= a && h->base + i <= b)
			sum += h->v[i];
	return sum;
}

/* Shared body of agg_cumulative and agg_per_bucket. */
static size_t
series_out(const struct agg_hours *h, bool daily, bool cumulative, int64_t now_ms, double *out,
    size_t max, int64_t *first_ms)
{
	int64_t unit = daily ? 24 : 1; /* in hours */
	int64_t last = agg_hour_of(now_ms) / unit;
	if (h->n > 0 && (h->base + h->n - 1) / unit > last)
		last = (h->base + h->n - 1) / unit;
	int64_t first = h->n > 0 ? h->base / unit : last;
	if (last - first + 1 > (int64_t)max)
		first = last - (int64_t)max + 1;
	int64_t acc = 0;
	size_t n = 0;
	for (int32_t i = 0; i < h->n; i++)
		if ((h->base + i) / unit < first && cumulative)
			acc += h->v[i];
	for (int64_t b = first; b <= last && n < max; b++) {
		int64_t sum = 0;
		for (int64_t k = b * unit; k < (b + 1) * unit; k++)
			if (k >= h->base && k < h->base + h->n)
				sum += h->v[k - h->base];
		acc = cumulative ? acc + sum : sum;
		out[n++] = (double)acc;
	}
	if (first_ms)
		*first_ms = first * unit * AGG_HOUR_MS;
	return n;
}

size_t
agg_cumulative(const struct agg_hours *h, bool daily, int64_t now_ms, double *out, size_t max,
    int64_t *first_ms)
{
	return series_out(h, daily, true, now_ms, out, max, first_ms);
}

size_t
agg_per_bucket(const struct agg_hours *h, bool daily, int64_t now_ms, double *out, size_t max,
    int64_t *first_ms)
{
	return series_out(h, daily, false, now_ms, out, max, first_ms);
}
