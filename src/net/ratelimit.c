/*
 * ratelimit: a reservation-style token bucket. A caller reserves the next
 * slot under the mutex (the token count may go negative, which queues later
 * callers behind it) and then sleeps outside the mutex until its slot. Shared
 * by every worker thread; the global bucket is created once.
 */
#include "net/ratelimit.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "base/util.h"

#define DEFAULT_QPS 3.0

struct ratelimit {
	pthread_mutex_t mu;
	double qps;
	double burst;
	double tokens;   /* may be negative: slots already promised */
	int64_t last_ms; /* when tokens was last brought up to date */
	struct ratelimit_clock clock;
};

/* Returns CLOCK_MONOTONIC in milliseconds. */
static int64_t
real_now_ms(void *arg)
{
	(void)arg;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleeps ms milliseconds, resuming after signals. */
static void
real_sleep_ms(void *arg, int64_t ms)
{
	(void)arg;
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

struct ratelimit *
ratelimit_new(double qps, double burst, const struct ratelimit_clock *clock)
{
	struct ratelimit *rl = xcalloc(1, sizeof *rl);
	pthread_mutex_init(&rl->mu, NULL);
	rl->qps = qps;
	rl->burst = burst < 1 ? 1 : burst;
	rl->tokens = rl->burst;
	if (clock != NULL) {
		rl->clock = *clock;
	} else {
		rl->clock.now_ms = real_now_ms;
		rl->clock.sleep_ms = real_sleep_ms;
	}
	rl->last_ms = rl->clock.now_ms(rl->clock.arg);
	return rl;
}

void
ratelimit_free(struct ratelimit *rl)
{
	if (rl == NULL)
		return;
	pthread_mutex_destroy(&rl->mu);
	free(rl);
}

int
ratelimit_acquire(struct ratelimit *rl, int64_t deadline_ms)
{
	if (rl->qps <= 0)
		return 0;
	pthread_mutex_lock(&rl->mu);
	int64_t now = rl->clock.now_ms(rl->clock.arg);
	if (now > rl->last_ms) {
		rl->tokens += (double)(now - rl->last_ms) * rl->qps / 1000.0;
		if (rl->tokens > rl->burst)
			rl->tokens = rl->burst;
		rl->last_ms = now;
	}
	int64_t wait = 0;
	if (rl->tokens < 1.0)
		wait = (int64_t)ceil((1.0 - rl->tokens) * 1000.0 / rl->qps);
	if (deadline_ms > 0 && now + wait > deadline_ms) {
		pthread_mutex_unlock(&rl->mu);
		return -1;
	}
	rl->tokens -= 1.0;
	pthread_mutex_unlock(&rl->mu);
	if (wait > 0)
		rl->clock.sleep_ms(rl->clock.arg, wait);
	return 0;
}

int64_t
ratelimit_now_ms(struct ratelimit *rl)
{
	return rl->clock.now_ms(rl->clock.arg);
}

double
ratelimit_qps(const struct ratelimit *rl)
{
	return rl->qps;
}

int
ratelimit_parse_qps(const char *s, double *out, char **cause)
{
	char *end = NULL;
	errno = 0;
	double v = strtod(s, &end);
	if (s[0] == '\0' || errno != 0 || *end != '\0' || !isfinite(v) || v <= 0 || v > 10000)
		return set_cause(
		    cause, "invalid QPS '%s' (want a number above 0, e.g. 3 or 0.5)", s);
	*out = v;
	return 0;
}

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static struct ratelimit *global_rl;

/* Builds the global bucket from LAUNCHWATCH_QPS. */
static void
global_init(void)
{
	double qps = DEFAULT_QPS;
	const char *env = getenv("LAUNCHWATCH_QPS");
	char *cause = NULL;
	if (env != NULL && *env != '\0' && ratelimit_parse_qps(env, &qps, &cause) != 0) {
		qps = DEFAULT_QPS;
		free(cause);
	}
	global_rl = ratelimit_new(qps, 1, NULL);
}

struct ratelimit *
ratelimit_global(void)
{
	pthread_once(&global_once, global_init);
	return global_rl;
}
