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
jobs_walk_prepare(
    const struct job *job, const struct job_walkpos *p, int64_t now_ms, struct sti_job_update *u)
{
	*u = keep_all();
	u->lease_until_ms = now_ms + JOB_LEASE_MS;
	u->cursor_life_ms = job->cursor_life_ms;
	u->set_cursor = true;
	u->set_walk = true;
	if (p->complete) {
		/* the walk's top is what the next delta walks down to */
		u->cursor = NULL;
		u->set_watermark = true;
		u->watermark = p->top;
		u->nwatermark = p->ntop;
		u->set_walked_count = p->count >= 0;
		u->walked_count = p->count;
		u->backfill_done = 1;
		return;
	}
	u->cursor = p->cursor;
	u->cursor_at_ms = p->cursor && *p->cursor ? p->cursor_at_ms : 0;
	u->walk_top = p->top;
	u->nwalk_top = p->ntop;
	u->walk_count = p->count;
	u->walk_floor_ms = p->floor_ms;
	u->walk_until_s = p->until_s;
}

/* Returns a copy of the string array v[0..n). */
static char **
strv_copy(char *const *v, size_t n)
{
	char **c = n ? xcalloc(n, sizeof *c) : NULL;
	for (size_t i = 0; i < n; i++)
		c[i] = xstrdup(v[i]);
	return c;
}

/* Frees the string array v[0..n). */
static void
strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
jobs_walk_applied(struct job *job, const struct job_walkpos *p, int64_t now_ms)
{
	/* p may point into job (its walk_top): copy before freeing */
	char **top = strv_copy(p->top, p->ntop);
	size_t ntop = p->ntop;
	char *cursor = p->complete ? NULL : xstrdup(p->cursor ? p->cursor : "");
	job->lease_until_ms = now_ms + JOB_LEASE_MS;
	free(job->cursor);
	job->cursor = cursor;
	strv_free(job->walk_top, job->nwalk_top);
	job->walk_top = NULL;
	job->nwalk_top = 0;
	if (p->complete) {
		strv_free(job->watermark, job->nwatermark);
		job->watermark = top;
		job->nwatermark = ntop;
		if (p->count >= 0)
			job->walked_count = p->count;
		job->backfill_done = true;
		job->walk_count = -1;
		job->walk_floor_ms = 0;
		job->walk_until_s = 0;
		job->cursor_at_ms = 0;
		return;
	}
	job->walk_top = top;
	job->nwalk_top = ntop;
	job->walk_count = p->count;
	job->walk_floor_ms = p->floor_ms;
	job->walk_until_s = p->until_s;
	job->cursor_at_ms = p->cursor && *p->cursor ? p->cursor_at_ms : 0;
}

int
jobs_walk_save(
    struct jobs *j, struct job *job, const struct job_walkpos *p, int64_t now_ms, char **cause)
{
	struct sti_job_update u;
	jobs_walk_prepare(job, p, now_ms, &u);
	if (sti_job_update(j->s, job->id, &u, now_ms, cause) != 0)
		return -1;
	jobs_walk_applied(job, p, now_ms);
	return 0;
}

int64_t
jobs_next_run(const struct job *job, int64_t cadence_s, int64_t now_ms)
{
	/* the tick this run belonged to: its stored one, else the due time of
	 * a job that was waiting for its turn (a backoff is not a tick) */
	int64_t due = job->due_ms;
	if (due <= 0 && (job->state == JST_NEW || job->state == JST_IDLE))
		due = job->next_run_at_ms;
	return job_next_tick(due, cadence_s, now_ms);
}

int
jobs_finish(struct jobs *j, const struct job *job, const struct job_result *r, int64_t cadence_s,
    int64_t now_ms, char **cause)
{
	struct sti_job_update u = keep_all();
	u.set_state = true;
	u.state = JST_IDLE;
	u.next_run_at_ms = jobs_next_run(job, cadence_s, now_ms);
	u.due_ms = u.next_run_at_ms;
	u.lease_until_ms = 0;
	u.set_error = true;
	u.attempts = 0;
	u.set_blocked = true;
	u.last_success_ms = now_ms;
	u.add_requests = r->requests;
	u.add_credits = r->credits;
	if (r->walk) {
		u.set_cursor = true;
		u.set_walk = true;
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
jobs_snooze(struct jobs *j, const struct job *job, const char *error, const char *by,
    int64_t delay_ms, int64_t requests, int64_t credits, int64_t now_ms, char **cause)
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
	u.blocked_by = by;
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
