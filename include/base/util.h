/*
 * util: allocation that aborts on failure, growable string buffers, error
 * causes and the process clock. Pure helpers, safe to call from any thread.
 */
#ifndef LW_UTIL_H
#define LW_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define LW_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Exit statuses shared by every subcommand (sysexits.h values). */
enum lw_exit {
	LW_EXIT_OK = 0,
	LW_EXIT_ERROR = 1,
	LW_EXIT_USAGE = 64,       /* bad command line */
	LW_EXIT_DATAERR = 65,     /* bad input file */
	LW_EXIT_NOINPUT = 66,     /* input file missing or unreadable */
	LW_EXIT_UNAVAILABLE = 69, /* database or provider unreachable */
	LW_EXIT_SOFTWARE = 70,    /* internal error */
	LW_EXIT_TEMPFAIL = 75,    /* blocked for now (credits, rate limit) */
};

/* Allocates n bytes or aborts. */
void *xmalloc(size_t n);
/* Allocates n zeroed elements of size sz or aborts. */
void *xcalloc(size_t n, size_t sz);
/* Resizes p to n elements of size sz or aborts (overflow-checked). */
void *xreallocarray(void *p, size_t n, size_t sz);
/* Duplicates s (NULL gives NULL) or aborts. */
char *xstrdup(const char *s);
/* Duplicates at most n bytes of s, always NUL-terminated, or aborts. */
char *xstrndup(const char *s, size_t n);
/* Formats into a new string or aborts. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Formats a va_list into a new string or aborts. */
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Replaces *cause (if cause is not NULL) with a formatted message; returns -1. */
int set_cause(char **cause, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A growable NUL-terminated byte buffer; embed and sbuf_init() it. */
struct sbuf {
	char *s;
	size_t len;
	size_t cap;
};

/* Prepares an empty buffer (s is "" after the first append). */
void sbuf_init(struct sbuf *b);
/* Frees the buffer's memory and empties it. */
void sbuf_done(struct sbuf *b);
/* Appends n bytes of p. */
void sbuf_add(struct sbuf *b, const void *p, size_t n);
/* Appends a NUL-terminated string. */
void sbuf_addstr(struct sbuf *b, const char *s);
/* Appends a formatted string. */
void sbuf_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns the contents (caller owns them, never NULL) and empties b. */
char *sbuf_take(struct sbuf *b);

/* Returns the current time in milliseconds since the epoch (injectable). */
int64_t clock_now_ms(void);
/* Replaces the clock for tests; NULL restores the real clock. */
void clock_set(int64_t (*fn)(void));

/* Returns the time of clock clk (CLOCK_REALTIME or CLOCK_MONOTONIC) ms
 * milliseconds from now: a pthread_cond_timedwait deadline. */
struct timespec clock_deadline(clockid_t clk, int64_t ms);
/* Returns a monotonic clock in milliseconds (for timeouts, never dates). */
int64_t clock_mono_ms(void);

/* Returns the index of s in the n names of v, or -1 (for name tables). */
int str_index(const char *const *v, size_t n, const char *s);

/* Returns a 64-bit FNV-1a hash of n bytes (stable across runs and hosts). */
uint64_t hash_fnv1a(const void *p, size_t n);

/* Returns true when s is 1 or more ASCII digits and nothing else. */
bool str_is_digits(const char *s);
/* Reads environment variable name as whole milliseconds from min to max
 * into *out (unset or empty: *out unchanged). 0, or -1 with a cause naming
 * the variable. */
int env_ms(const char *name, int64_t min, int64_t max, int64_t *out, char **cause);

/* Returns true when s starts with prefix. */
bool str_has_prefix(const char *s, const char *prefix);

/* Reads a whole file into a new NUL-terminated buffer; 0 or -1 with cause. */
int file_read_all(const char *path, char **out, size_t *len, char **cause);

/* Writes data to path atomically (temporary file, fsync, rename); 0 or -1. */
int file_write_atomic(const char *path, const void *data, size_t len, char **cause);

/* Creates a directory and its parents (mode 0700); 0 or -1 with cause. */
int mkdir_p(const char *path, char **cause);

/* Returns launchwatch's data directory ($XDG_DATA_HOME/launchwatch or
 * ~/.local/share/launchwatch) as a new string. */
char *lw_data_dir(void);
/* Returns launchwatch's configuration directory ($XDG_CONFIG_HOME/launchwatch
 * or ~/.config/launchwatch) as a new string. */
char *lw_config_dir(void);

#endif
