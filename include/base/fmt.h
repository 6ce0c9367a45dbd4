/*
 * fmt: short human formats for the console and the JSON endpoint: counts
 * ("999", "12.3k", "1.2M"), durations ("3d 4h"), window countdowns ("ends in
 * 3d 4h"), clock times and percentages. Pure; any thread. Every function
 * writes a NUL-terminated string into buf (truncated to len) and returns buf.
 */
#ifndef LW_FMT_H
#define LW_FMT_H

#include <stddef.h>
#include <stdint.h>

/* Formats a count with at most 3 significant digits and a k/M/B/T suffix:
 * 999, 1.2k, 12.3k, 123k, 1.2M; negative numbers keep their sign. */
char *fmt_count(int64_t v, char *buf, size_t len);

/* Formats a duration in seconds as its two largest units: "3d 4h", "4h 5m",
 * "5m 6s", "45s" (negative durations print as "0s"). */
char *fmt_duration(int64_t secs, char *buf, size_t len);

/* Formats where now_ms stands in a window: "starts in 3d 4h", "ends in 4h 5m"
 * or "completed" (start and end in milliseconds since the epoch). */
char *fmt_window(int64_t start_ms, int64_t end_ms, int64_t now_ms, char *buf, size_t len);

/* Formats how long ago ms was at now_ms: "now", "12s ago", "3m ago", "2h ago". */
char *fmt_ago(int64_t ms, int64_t now_ms, char *buf, size_t len);

/* Formats a UTC clock time "HH:MM:SS" (ms since the epoch). */
char *fmt_clock(int64_t ms, char *buf, size_t len);

/* Formats a UTC date and minute "MM-DD HH:MM" (ms since the epoch). */
char *fmt_minute(int64_t ms, char *buf, size_t len);

/* Formats a UTC date and hour "MM-DD HH:00" (ms since the epoch). */
char *fmt_hour(int64_t ms, char *buf, size_t len);

/* Formats a UTC day "YYYY-MM-DD" (ms since the epoch). */
char *fmt_day(int64_t ms, char *buf, size_t len);

/* Formats part/whole as a percentage with one decimal ("12.3%"; "0.0%" when
 * whole is 0). */
char *fmt_percent(int64_t part, int64_t whole, char *buf, size_t len);

#endif
