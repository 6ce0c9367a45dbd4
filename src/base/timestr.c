/*
 * timestr: durations ("90s", "5m", "1h30m") and RFC 3339 times as the
 * campaign file writes them, parsed into seconds and formatted back. Pure;
 * any thread.
 */
#include "base/timestr.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "base/util.h"

#define TS_QUOTE_MAX    60         /* bytes of a value quoted in a message */
#define TS_DURATION_MAX 3153600000 /* 36500 days, in seconds */

/* Duration units, largest first; a duration uses each at most once, in order. */
static const struct {
	char unit;
	int64_t seconds;
} dur_units[] = {{'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}};

/* Parses "90s", "5m", "2h", "7d", "1h30m" or "0" into seconds. */
int
timestr_parse_duration(const char *s, int64_t *seconds, char **cause)
{
	int64_t total = 0;
	size_t last = 0; /* units allowed from this index on */
	const char *p = s;
	char *q = NULL;

	if (s == NULL || *s == '\0')
		return set_cause(cause, "empty duration; use a number and a unit such as 90s, 5m, "
		                        "2h or 7d");
	q = text_quote(s, strlen(s), TS_QUOTE_MAX);
	if (*s == '-') {
		set_cause(cause, "duration '%s' is negative", q);
		goto fail;
	}
	if (strcmp(s, "0") == 0) {
		*seconds = 0;
		free(q);
		return 0;
	}
	while (*p != '\0') {
		int64_t v = 0;
		size_t u;
		if (*p < '0' || *p > '9') {
			set_cause(cause,
			    "duration '%s' must be numbers with units such as 90s, 5m, 2h, 7d or "
			    "1h30m",
			    q);
			goto fail;
		}
		for (; *p >= '0' && *p <= '9'; p++) {
			if (v > TS_DURATION_MAX) {
				set_cause(cause, "duration '%s' is too long (at most 36500d)", q);
				goto fail;
			}
			v = v * 10 + (*p - '0');
		}
		if (*p == '\0') {
			set_cause(cause, "duration '%s' needs a unit (s, m, h or d)", q);
			goto fail;
		}
		if (*p == '.' || *p == ',') {
			set_cause(cause,
			    "duration '%s' has a fraction; use a smaller unit, as in 90m", q);
			goto fail;
		}
		for (u = 0; u < LW_ARRAY_LEN(dur_units); u++)
			if (dur_units[u].unit == *p)
				break;
		if (u == LW_ARRAY_LEN(dur_units)) {
			size_t n = 0;
			while (isalpha((unsigned char)p[n]))
				n++;
			if (n == 0)
				set_cause(cause,
				    "duration '%s' must be numbers with units such as 90s, 5m, 2h, "
				    "7d or "
				    "1h30m",
				    q);
			else
				set_cause(cause,
				    "unknown unit '%.*s' in duration '%s' (use s, m, h or d)",
				    (int)(n > 10 ? 10 : n), p, q);
			goto fail;
		}
		if (u < last) {
			set_cause(cause,
			    "duration '%s' must give units from largest to smallest, each once (as "
			    "in "
			    "1h30m)",
			    q);
			goto fail;
		}
		last = u + 1;
		if (v > TS_DURATION_MAX / dur_units[u].seconds ||
		    total + v * dur_units[u].seconds > TS_DURATION_MAX) {
			set_cause(cause, "duration '%s' is too long (at most 36500d)", q);
			goto fail;
		}
		total += v * dur_units[u].seconds;
		p++;
	}
	*seconds = total;
	free(q);
	return 0;
fail:
	free(q);
	return -1;
}

/* Returns the days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* Turns days since 1970-01-01 into a proleptic Gregorian date. */
static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	const unsigned doe = (unsigned)(z - era * 146097);
	const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* Returns the number of days in month m of year y. */
static unsigned
days_in_month(int64_t y, unsigned m)
{
	static const unsigned mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : mdays[m - 1];
}

/* Reads exactly n digits at *p into *v and advances *p; false if not digits. */
static bool
time_digits(const char **p, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return false;
		*v = *v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	return true;
}

/* Parses an RFC 3339 time into unix seconds. */
int
timestr_parse_time(const char *s, int64_t *unix_s, char **cause)
{
	const char *p = s;
	int year, mon, day, hour, min, sec, oh = 0, om = 0, sign = 0;
	char *q = NULL;

	if (s == NULL || *s == '\0')
		return set_cause(cause, "empty time; use RFC 3339 such as 2026-12-01T14:00:00Z");
	q = text_quote(s, strlen(s), TS_QUOTE_MAX);
	if (!time_digits(&p, 4, &year) || *p++ != '-' || !time_digits(&p, 2, &mon) || *p++ != '-' ||
	    !time_digits(&p, 2, &day))
		goto shape;
	if (*p == '\0') {
		set_cause(cause, "time '%s' has no time of day (such as %sT00:00:00Z)", q, q);
		goto fail;
	}
	if (*p != 'T' && *p != 't' && *p != ' ')
		goto shape;
	p++;
	if (!time_digits(&p, 2, &hour) || *p++ != ':' || !time_digits(&p, 2, &min) || *p++ != ':' ||
	    !time_digits(&p, 2, &sec))
		goto shape;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			goto shape;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == '\0') {
		set_cause(
		    cause, "time '%s' has no time zone; add Z or an offset such as +01:00", q);
		goto fail;
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		sign = *p++ == '+' ? 1 : -1;
		if (!time_digits(&p, 2, &oh) || *p++ != ':' || !time_digits(&p, 2, &om))
			goto shape;
	} else
		goto shape;
	if (*p != '\0')
		goto shape;

	if (mon < 1 || mon > 12) {
		set_cause(cause, "month %02d is out of range in time '%s'", mon, q);
		goto fail;
	}
	if (day < 1 || (unsigned)day > days_in_month(year, (unsigned)mon)) {
		set_cause(cause, "day %02d is out of range for %04d-%02d in time '%s'", day, year,
		    mon, q);
		goto fail;
	}
	const struct {
		const char *what;
		int v, max;
	} ranges[] = {{"hour", hour, 23}, {"minute", min, 59}, {"second", sec, 60},
	    {"offset hour", oh, 23}, {"offset minute", om, 59}};
	for (size_t i = 0; i < LW_ARRAY_LEN(ranges); i++)
		if (ranges[i].v > ranges[i].max) {
			set_cause(cause, "%s %02d is out of range in time '%s'", ranges[i].what,
			    ranges[i].v, q);
			goto fail;
		}
	*unix_s = days_from_civil(year, (unsigned)mon, (unsigned)day) * 86400 + hour * 3600 +
	          min * 60 + sec - sign * (oh * 3600 + om * 60);
	free(q);
	return 0;
shape:
	set_cause(cause, "time '%s' is not RFC 3339 (such as 2026-12-01T14:00:00Z)", q);
fail:
	free(q);
	return -1;
}

/* Formats unix seconds as "YYYY-MM-DDTHH:MM:SSZ". */
void
timestr_format_time(int64_t unix_s, char *buf, size_t len)
{
	int64_t days = unix_s / 86400, rem = unix_s % 86400, y;
	unsigned m, d;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	snprintf(buf, len, "%04lld-%02u-%02uT%02d:%02d:%02dZ", (long long)y, m, d,
	    (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
}

/* Formats seconds as the shortest text timestr_parse_duration reads back. */
void
timestr_format_duration(int64_t seconds, char *buf, size_t len)
{
	char single[32] = "", mixed[64];
	size_t off = 0;
	const char *sign = seconds < 0 ? "-" : "";
	uint64_t v = seconds < 0 ? (uint64_t)0 - (uint64_t)seconds : (uint64_t)seconds;

	if (v == 0) {
		snprintf(buf, len, "0s");
		return;
	}
	for (size_t u = 0; u < LW_ARRAY_LEN(dur_units); u++)
		if (v % (uint64_t)dur_units[u].seconds == 0) {
			snprintf(single, sizeof single, "%llu%c",
			    (unsigned long long)(v / (uint64_t)dur_units[u].seconds),
			    dur_units[u].unit);
			break;
		}
	mixed[0] = '\0';
	for (size_t u = 0; u < LW_ARRAY_LEN(dur_units); u++) {
		uint64_t n = v / (uint64_t)dur_units[u].seconds;
		v %= (uint64_t)dur_units[u].seconds;
		if (n != 0)
			off += (size_t)snprintf(mixed + off, sizeof mixed - off, "%llu%c",
			    (unsigned long long)n, dur_units[u].unit);
	}
	snprintf(buf, len, "%s%s", sign, strlen(mixed) < strlen(single) ? mixed : single);
}
