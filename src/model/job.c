/*
 * job: the names of job states (the one table between enum job_state and
 * worker_state.state), parsing job kinds, and freeing a claimed job's
 * strings (include/model/job.h). Pure; any thread, one owner per job.
 */
#include "model/job.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

static const char *const state_names[JST__COUNT] = {
    "new", "idle", "running", "retry", "blocked", "stopped", "missing"};

const char *
job_state_name(enum job_state s)
{
	return (unsigned)s < JST__COUNT ? state_names[s] : "?";
}

int
job_state_parse(const char *s, enum job_state *out)
{
	int i = str_index(state_names, JST__COUNT, s);
	if (i >= 0)
		*out = (enum job_state)i;
	return i >= 0 ? 0 : -1;
}

bool
job_state_runnable(enum job_state s)
{
	return s != JST_STOPPED && s != JST_MISSING;
}

int
job_kind_parse(const char *s, enum job_kind *out)
{
	for (int k = 0; k < JOB__COUNT; k++)
		if (strcmp(s, job_kind_name((enum job_kind)k)) == 0) {
			*out = (enum job_kind)k;
			return 0;
		}
	return -1;
}

int64_t
job_cadence_s(const struct campaign *c, enum job_kind kind)
{
	const struct cfg_cadence *cd = &c->cfg.cadence;
	int64_t v[JOB__COUNT] = {cd->metrics, cd->retweets, cd->replies, cd->quotes};
	return (unsigned)kind < JOB__COUNT && v[kind] > 0 ? v[kind] : 1;
}

int64_t
job_next_tick(int64_t due_ms, int64_t cadence_s, int64_t now_ms)
{
	int64_t c = (cadence_s > 0 ? cadence_s : 1) * 1000;
	if (due_ms <= 0)
		return now_ms + c;
	if (due_ms > now_ms)
		return due_ms;
	return due_ms + ((now_ms - due_ms) / c + 1) * c;
}

void
job_done(struct job *j)
{
	free(j->cursor);
	for (size_t i = 0; i < j->nwatermark; i++)
		free(j->watermark[i]);
	free(j->watermark);
	for (size_t i = 0; i < j->nwalk_top; i++)
		free(j->walk_top[i]);
	free(j->walk_top);
	memset(j, 0, sizeof *j);
}
