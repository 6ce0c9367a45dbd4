/*
 * agg_internal: what the files of agg (src/model/agg.c, agg_series.c) share
 * beyond include/model/agg.h: the hourly series primitives. Only
 * src/model/agg*.c include it. The agg's owner thread.
 */
#ifndef LW_AGG_INTERNAL_H
#define LW_AGG_INTERNAL_H

#include <stdint.h>

#include "model/agg.h"

/* Floors ms to its absolute hour number. */
int64_t agg_hour_of(int64_t ms);
/* Adds d to the bucket of hour h of s, growing the series either way. */
void agg_hours_add(struct agg_hours *s, int64_t h, int64_t d);
/* Frees a series and zeroes it. */
void agg_hours_done(struct agg_hours *s);

#endif
