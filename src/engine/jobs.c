/*
 * jobs: leases on worker_state documents and the outcomes a job records
 * (done, retry, snooze, stop, missing, release). The database code is in
 * src/store/store_jobs.c; this file owns the claim mutex (FerretDB updates are
 * not atomic, so one process claims one job at a time) and the rules for
 * which fields each outcome sets. Any worker thread.
 */
#include "engine/jobs.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_ingest.h"
#include "base/util.h"

struct jobs {
	struct store *s;
	char *owner;
	pthread_mutex_t claim_mu;
};

struct jobs *
jobs_new(struct store *s, const char *owner)
{
	struct jobs *j = xcalloc(1, sizeof *j);
	j->s = s;
	j->owner = xstrdup(owner);
	pthread_mutex_init(&j->claim_mu, NULL);
	return j;
}

void
jobs_free(struct jobs *j)
{
	if (j == NULL)
		return;
	pthread_mutex_destroy(&j->claim_mu);
	free(j->owner);
	free(j);
}

const char *
jobs_owner(const struct jobs *j)
{
	return j->owner;
}

int
jobs_claim(
    struct jobs *j, const char *id, int64_t now_ms, bool ignore_due, struct job *out, char **cause)
{
	pthread_mutex_lock(&j->claim_mu);
	int rc = sti_job_claim(
	    j->s, id, j->owner, now_ms, now_ms + JOB_LEASE_MS, ignore_due, out, cause);
	pthread_mutex_unlock(&j->claim_mu);
	if (rc == 0)
		out->lease_until_ms = now_ms + JOB_LEASE_MS;
	return rc;
}

/* Returns an update that keeps every field. */
static struct sti_job_update
keep_all(void)
{
	struct sti_job_update u;
	memset(&u, 0, sizeof u);
	u.next_run_at_ms = -1;
	u.lease_until_ms = -1;
	u.backfill_done = -1;
	u.attempts = -1;
	return u;
}

void
jobs_checkpoint_prepare(struct job *job, const char *cursor, char *const *wm, size_t nwm,
    int64_t walked_count, int64_t now_ms, struct sti_job_update *u)
{
	*u = keep_all();
	u->lease_until_ms = now_ms + JOB_LEASE_MS;
	if (cursor) {
		u->set_cursor = true;
		u->cursor = cursor;
	}
	if (wm) {
		u->set_watermark = true;
		u->watermark = wm;
		u->nwatermark = nwm;
	}
	if (walked_count >= 0) {
		u->set_walked_count = true;
		u->walked_count = walked_count;
	}
	(void)job;
}

int
jobs_checkpoint(struct jobs *j, struct job *job, const char *cursor, char *const *wm, size_t nwm,
    int64_t walked_count, int64_t now_ms, char **cause)
{
	struct sti_job_update u;
	jobs_checkpoint_prepare(job, cursor, wm, nwm, walked_count, now_ms, &u);
	if (sti_job_update(j->s, job->id, &u, now_ms, cause) != 0)
		return -1;
	job->lease_until_ms = u.lease_until_ms;
	return 0;
}

int
jobs_backfilled(struct jobs *j, struct job *job, int64_t now_ms, char **cause)
{
	struct sti_job_update u = keep_all();
	u.lease_until_ms = now_ms + JOB_LEASE_MS;
	u.set_cursor = true;
	u.cursor = "";
	u.backfill_done = 1;
	if (sti_job_update(j->s, job->id, &u, now_ms, cause) != 0)
		return -1;
	job->lease_until_ms = u.lease_until_ms;
	job->backfill_done = true;
	return 0;
}

int
jobs_finish(struct jobs *j, const struct job *job, const struct job_result *r, int64_t cadence_s,
    int64_t now_ms, char **cause)
{
	struct sti_job_update u = keep_all();
	u.set_state = true;
	u.state = JST_IDLE;
	u.next_run_at_ms = now_ms + (cadence_s > 0 ? cadence_s : 1) * 1000;
	u.lease_until_ms = 0;
	u.set_error = true;
	u.attempts = 0;
	u.set_blocked = true;
	u.last_success_ms = now_ms;
	u.add_requests = r->requests;
	u.add_credits = r->credits;
	if (r->walk) {
		u.set_cursor = true;
		u.backfill_done = 1;
		if (r->watermark) {
			u.set_watermark = true;
			u.watermark = r->watermark;
			u.nwatermark = r->nwatermark;
		}
		if (r->walked_count >= 0) {
			u.set_walked_count = true;
			u.walked_count = r->walked_count;
		}
	} else if (r->walked_count >= 0) {
		u.set_walked_count = true;
		u.walked_count = r->walked_count;
	}
	return sti_job_update(j->s, job->id, &u, now_ms, cause);
}

int
jobs_retry(struct jobs *j, const struct job *job, const char *error, int64_t delay_ms,
    int64_t requests, int64_t credits, int64_t now_ms, char **cause)
{
	struct sti_job_update u = keep_all();
	u.set_state = true;
	u.state = JST_RETRY;
	u.next_run_at_ms = now_ms + delay_ms;
	u.lease_until_ms = 0;
	u.set_error = true;
	u.error = error;
	u.attempts = job->attempts + 1;
	u.add_requests = requests;
	u.add_credits = credits;
	return sti_job_update(j->s, job->id, &u, now_ms, cause);
}

int
jobs_snooze(struct jobs *j, const struct job *job, const char *error, int64_t delay_ms,
    int64_t requests, int64_t credits, int64_t now_ms, char **cause)
{
	struct sti_job_update u = keep_all();
	u.set_state = true;
	u.state = JST_BLOCKED;
	u.next_run_at_ms = now_ms + delay_ms;
	u.lease_until_ms = 0;
	u.set_error = true;
	u.error = error;
	u.set_blocked = true;
	u.blocked_until_ms = now_ms + delay_ms;
	u.add_requests = requests;
	u.add_credits = credits;
	return sti_job_update(j->s, job->id, &u, now_ms, cause);
}

int
jobs_stop(struct jobs *j, const struct job *job, const char *error, int64_t requests,
    int64_t credits, int64_t now_ms, char **cause)
{
	struct sti_job_update u = keep_all();
	u.set_state = true;
	u.state = JST_STOPPED;
	u.lease_until_ms = 0;
	u.set_error = true;
	u.error = error;
	u.add_requests = requests;
	u.add_credits = credits;
	return sti_job_update(j->s, job->id, &u, now_ms, cause);
}

int
jobs_missing(struct jobs *j, const struct job *job, int64_t now_ms, char **cause)
{
	struct sti_job_update u = keep_all();
	u.set_state = true;
	u.state = JST_MISSING;
	u.lease_until_ms = 0;
	u.set_error = true;
	u.error = "the tweet is missing (deleted or protected)";
	return sti_job_update(j->s, job->id, &u, now_ms, cause);
}

int
jobs_release(struct jobs *j, const struct job *job, int64_t requests, int64_t credits,
    int64_t now_ms, char **cause)
{
	struct sti_job_update u = keep_all();
	u.set_state = true;
	u.state = JST_IDLE;
	u.next_run_at_ms = now_ms;
	u.lease_until_ms = 0;
	u.add_requests = requests;
	u.add_credits = credits;
	return sti_job_update(j->s, job->id, &u, now_ms, cause);
}
