/*
 * ratelimit: a token bucket that keeps the request rate of every worker
 * together under a ceiling (LAUNCHWATCH_QPS). One bucket is shared by all
 * threads; acquire is thread-safe and blocks (by sleeping) until the caller's
 * turn or refuses when that turn would fall after its deadline. The clock and
 * the sleep are injectable so tests run without waiting.
 */
#ifndef LW_RATELIMIT_H
#define LW_RATELIMIT_H

#include <stdint.h>

struct ratelimit;

/* Clock and sleep used by a bucket; both get the arg given at creation. */
struct ratelimit_clock {
	int64_t (*now_ms)(void *arg);            /* monotonic milliseconds */
	void (*sleep_ms)(void *arg, int64_t ms); /* sleeps ms milliseconds */
	void *arg;
};

/* Returns a new bucket allowing qps requests per second (fractions allowed,
 * values <= 0 mean unlimited) with a burst of burst requests (at least 1);
 * clock may be NULL for the real monotonic clock (copied). Caller frees. */
struct ratelimit *ratelimit_new(double qps, double burst, const struct ratelimit_clock *clock);
/* Frees rl; NULL is a no-op. Caller ensures no thread is inside acquire. */
void ratelimit_free(struct ratelimit *rl);

/* Takes one token, sleeping until it is due; returns 0, or -1 without
 * taking anything when the token would be due after deadline_ms (on the
 * bucket's clock; a deadline <= 0 means no deadline). Any thread. */
int ratelimit_acquire(struct ratelimit *rl, int64_t deadline_ms);

/* Returns the bucket's clock now, in milliseconds. */
int64_t ratelimit_now_ms(struct ratelimit *rl);

/* Returns the configured rate in requests per second (<= 0: unlimited). */
double ratelimit_qps(const struct ratelimit *rl);

/* Parses a QPS value ("3", "0.5"); 0 or -1 with cause. */
int ratelimit_parse_qps(const char *s, double *out, char **cause);

/* Returns the process-wide bucket built from LAUNCHWATCH_QPS (default 3;
 * an invalid value falls back to 3). Created once, never freed. */
struct ratelimit *ratelimit_global(void);

#endif
