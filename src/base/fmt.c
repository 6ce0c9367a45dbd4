/*
 * fmt: short human formats for counts, durations, countdowns, clock times and
 * percentages. Pure (UTC only, no locale); any thread.
 */
#include "base/fmt.h"

#include <inttypes.h>
#include <stdio.h>
#include <time.h>

/* Suffixes of fmt_count, each 1000 times the previous. */
static const char count_suffix[] = {'k', 'M', 'B', 'T'};

char *
fmt_count(int64_t v, char *buf, size_t len)
{
	const char *sign = v < 0 ? "-" : "";
	uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	if (a < 1000) {
		snprintf(buf, len, "%s%" PRIu64, sign, a);
		return buf;
	}
	double x = (double)a;
	size_t i = 0;
	x /= 1000.0;
	/* move up a unit when rounding would print 1000 */
	while (i + 1 < sizeof count_suffix && x >= 999.5) {
		x /= 1000.0;
		i++;
	}
	if (x < 99.95)
		snprintf(buf, len, "%s%.1f%c", sign, x, count_suffix[i]);
	else
		snprintf(buf, len, "%s%.0f%c", sign, x, count_suffix[i]);
	return buf;
}

/* Units of fmt_duration, largest first. */
static const struct {
	int64_t secs;
	char name;
} duration_units[] = {{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};

char *
fmt_duration(int64_t secs, char *buf, size_t len)
{
	if (secs < 0)
		secs = 0;
	for (size_t i = 0; i < sizeof duration_units / sizeof duration_units[0]; i++) {
		int64_t u = duration_units[i].secs;
		if (secs < u && u > 1)
			continue;
		int64_t a = secs / u;
		if (i + 1 < sizeof duration_units / sizeof duration_units[0]) {
			int64_t b = (secs % u) / duration_units[i + 1].secs;
			if (b > 0) {
				snprintf(buf, len, "%" PRId64 "%c %" PRId64 "%c", a,
				    duration_units[i].name, b, duration_units[i + 1].name);
				return buf;
			}
		}
		snprintf(buf, len, "%" PRId64 "%c", a, duration_units[i].name);
		return buf;
	}
	snprintf(buf, len, "0s");
	return buf;
}

char *
fmt_window(int64_t start_ms, int64_t end_ms, int64_t now_ms, char *buf, size_t len)
{
	char d[32];
	if (now_ms < start_ms)
		snprintf(buf, len, "starts in %s",
		    fmt_duration((start_ms - now_ms + 999) / 1000, d, sizeof d));
	else if (now_ms < end_ms)
		snprintf(buf, len, "ends in %s",
		    fmt_duration((end_ms - now_ms + 999) / 1000, d, sizeof d));
	else
		snprintf(buf, len, "completed");
	return buf;
}

char *
fmt_ago(int64_t ms, int64_t now_ms, char *buf, size_t len)
{
	int64_t s = (now_ms - ms) / 1000;
	if (s < 1) {
		snprintf(buf, len, "now");
		return buf;
	}
	for (size_t i = 0; i < sizeof duration_units / sizeof duration_units[0]; i++)
		if (s >= duration_units[i].secs) {
			snprintf(buf, len, "%" PRId64 "%c ago", s / duration_units[i].secs,
			    duration_units[i].name);
			break;
		}
	return buf;
}

/* Splits ms since the epoch into UTC calendar fields. */
static void
utc_tm(int64_t ms, struct tm *tm)
{
	time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	gmtime_r(&t, tm);
}

char *
fmt_clock(int64_t ms, char *buf, size_t len)
{
	struct tm tm;
	utc_tm(ms, &tm);
	snprintf(buf, len, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
	return buf;
}

char *
fmt_minute(int64_t ms, char *buf, size_t len)
{
	struct tm tm;
	utc_tm(ms, &tm);
	snprintf(buf, len, "%02d-%02d %02d:%02d", tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
	return buf;
}

char *
fmt_hour(int64_t ms, char *buf, size_t len)
{
	struct tm tm;
	utc_tm(ms, &tm);
	snprintf(buf, len, "%02d-%02d %02d:00", tm.tm_mon + 1, tm.tm_mday, tm.tm_hour);
	return buf;
}

char *
fmt_day(int64_t ms, char *buf, size_t len)
{
	struct tm tm;
	utc_tm(ms, &tm);
	snprintf(buf, len, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	return buf;
}

char *
fmt_percent(int64_t part, int64_t whole, char *buf, size_t len)
{
	double p = whole > 0 ? 100.0 * (double)part / (double)whole : 0.0;
	snprintf(buf, len, "%.1f%%", p);
	return buf;
}
