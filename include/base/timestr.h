/*
 * timestr: durations and RFC 3339 times in the text the campaign file uses,
 * parsed and formatted. Pure; any thread.
 */
#ifndef LW_TIMESTR_H
#define LW_TIMESTR_H

#include <stddef.h>
#include <stdint.h>

/* Parses a duration such as "90s", "5m", "2h", "7d" (also "1h30m"); returns
 * 0 and the seconds, or -1 with a cause. */
int timestr_parse_duration(const char *s, int64_t *seconds, char **cause);

/* Parses an RFC 3339 time ("2026-12-01T14:00:00Z", offsets, fractions);
 * returns 0 and unix seconds, or -1 with a cause. */
int timestr_parse_time(const char *s, int64_t *unix_s, char **cause);

/* Formats unix seconds as RFC 3339 UTC into buf (at least 21 bytes). */
void timestr_format_time(int64_t unix_s, char *buf, size_t len);

/* Formats seconds as the shortest duration text ("90s", "5m", "7d"). */
void timestr_format_duration(int64_t seconds, char *buf, size_t len);

#endif
