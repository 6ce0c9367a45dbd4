/*
 * store_jobview: a read-only view of a campaign's worker_state documents
 * (state, attempts, blocked_until, last_error, request and credit totals) for
 * tests, benchmarks and operators. It never writes. Thread-safe like the
 * store (each call pops a pooled client).
 */
#ifndef LW_STORE_JOBVIEW_H
#define LW_STORE_JOBVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/job.h"
#include "store/store.h"

/* One job as stored. */
struct stj_job {
	char id[JOB_ID_MAX];
	char tweet_id[LW_ID_MAX];
	enum job_kind kind; /* JOB_METRICS when the stored kind is unknown */
	enum job_state state;
	int attempts;
	int64_t next_run_at_ms;   /* 0 when absent */
	int64_t blocked_until_ms; /* 0 when absent or null */
	int64_t last_success_ms;  /* 0 when never */
	bool backfill_done;
	int64_t requests; /* totals over the job's life */
	int64_t credits;
	char *last_error;    /* owned; "" when none */
	char blocked_by[16]; /* the class of a snooze ("credits", "rate_limit"); "" none */
};

/* Lists campaign_id's jobs (sorted by _id) into a new array; free it with
 * stj_jobs_free. 0 or -1 with a cause. */
int stj_jobs_list(
    struct store *s, const char *campaign_id, struct stj_job **out, size_t *n, char **cause);

/* Frees v[0..n) and v; NULL is a no-op. */
void stj_jobs_free(struct stj_job *v, size_t n);

/* Returns why job j is held back, or NULL when it is not: "blocked:
 * credits", "blocked: rate_limit" (a snooze; an earlier release's reason
 * read from last_error), "retry" (a failed attempt's backoff), "stopped". */
const char *stj_job_held_back(const struct stj_job *j, char *buf, size_t size);

/* Writes one line saying what holds jobs v[0..n) back into buf ("ok", or
 * counts per reason: "3 blocked: credits; 1 retry"). Pure. */
void stj_jobs_summary(const struct stj_job *v, size_t n, char *buf, size_t size);

#endif
