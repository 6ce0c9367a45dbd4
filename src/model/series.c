/*
 * series: hourly values, their views and their encoding
 * (include/model/series.h). Pure; any thread.
 */
#include "model/series.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

#define SERIES_MAX_HOURS (24 * 366 * 20) /* a decoded series may span 20 years */

int64_t
series_hour_of(int64_t ms)
{
	return ms >= 0 ? ms / SERIES_HOUR_MS : (ms - SERIES_HOUR_MS + 1) / SERIES_HOUR_MS;
}

void
series_add(struct series *s, int64_t h, int64_t d)
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
			s->cap = (int32_t)(i + 1 > 2 * (int64_t)s->cap ? i + 1 + 24
			                                               : 2 * (int64_t)s->cap);
			s->v = xreallocarray(s->v, (size_t)s->cap, sizeof *s->v);
		}
		memset(s->v + s->n, 0, (size_t)(i + 1 - s->n) * sizeof *s->v);
		s->n = (int32_t)(i + 1);
	}
	s->v[i] += d;
}

void
series_merge(struct series *dst, const struct series *src)
{
	for (int32_t i = 0; i < src->n; i++)
		series_add(dst, src->base + i, src->v[i]);
}

void
series_copy(struct series *dst, const struct series *src)
{
	memset(dst, 0, sizeof *dst);
	series_merge(dst, src);
}

void
series_done(struct series *s)
{
	free(s->v);
	memset(s, 0, sizeof *s);
}

int64_t
series_sum(const struct series *s, int64_t from_ms, int64_t to_ms)
{
	int64_t sum = 0, a = series_hour_of(from_ms), b = series_hour_of(to_ms - 1);
	for (int32_t i = 0; i < s->n; i++)
		if (s->base + i >= a && s->base + i <= b)
			sum += s->v[i];
	return sum;
}

int64_t
series_total(const struct series *s)
{
	int64_t sum = 0;
	for (int32_t i = 0; i < s->n; i++)
		sum += s->v[i];
	return sum;
}

int64_t
series_at(const struct series *s, int64_t h)
{
	return h >= s->base && h < s->base + s->n ? s->v[h - s->base] : 0;
}

/* Returns the value of hour h (0 outside the series). */
static int64_t
at(const struct series *s, int64_t h)
{
	return series_at(s, h);
}

bool
series_equal(const struct series *a, const struct series *b)
{
	int64_t lo = a->n ? a->base : b->base, hi = lo;
	if (a->n && b->n) {
		lo = a->base < b->base ? a->base : b->base;
		hi = a->base + a->n > b->base + b->n ? a->base + a->n : b->base + b->n;
	} else if (a->n) {
		hi = a->base + a->n;
	} else if (b->n) {
		lo = b->base;
		hi = b->base + b->n;
	}
	for (int64_t h = lo; h < hi; h++)
		if (at(a, h) != at(b, h))
			return false;
	return true;
}

void
series_mark(struct series *dst, const struct series *src)
{
	for (int32_t i = 0; i < src->n; i++)
		if (src->v[i] != 0 && at(dst, src->base + i) == 0)
			series_add(dst, src->base + i, 1);
}

size_t
series_out(const struct series *s, bool daily, bool cumulative, int64_t now_ms, double *out,
    size_t max, int64_t *first_ms)
{
	int64_t unit = daily ? 24 : 1; /* in hours */
	int64_t last = series_hour_of(now_ms) / unit;
	if (s->n > 0 && (s->base + s->n - 1) / unit > last)
		last = (s->base + s->n - 1) / unit;
	int64_t first = s->n > 0 ? s->base / unit : last;
	if (last - first + 1 > (int64_t)max)
		first = last - (int64_t)max + 1;
	int64_t acc = 0;
	size_t n = 0;
	for (int32_t i = 0; i < s->n; i++)
		if ((s->base + i) / unit < first && cumulative)
			acc += s->v[i];
	for (int64_t k = first; k <= last && n < max; k++) {
		int64_t sum = 0;
		for (int64_t h = k * unit; h < (k + 1) * unit; h++)
			sum += at(s, h);
		acc = cumulative ? acc + sum : sum;
		out[n++] = (double)acc;
	}
	if (first_ms)
		*first_ms = first * unit * SERIES_HOUR_MS;
	return n;
}

void
series_encode(struct sbuf *b, const struct series *s)
{
	int32_t lo = 0, hi = s->n;
	while (lo < hi && s->v[lo] == 0)
		lo++;
	while (hi > lo && s->v[hi - 1] == 0)
		hi--;
	bytes_put_svar(b, lo < hi ? s->base + lo : 0);
	bytes_put_uvar(b, (uint64_t)(hi - lo));
	for (int32_t i = lo; i < hi; i++)
		bytes_put_svar(b, s->v[i]);
}

void
series_decode(struct bytes_r *r, struct series *s)
{
	series_done(s);
	int64_t base = bytes_get_svar(r);
	uint64_t n = bytes_get_uvar(r);
	if (r->bad || n > SERIES_MAX_HOURS || n > r->len - r->off) {
		r->bad = true;
		return;
	}
	for (uint64_t i = 0; i < n && !r->bad; i++)
		series_add(s, base + (int64_t)i, bytes_get_svar(r));
}
