/*
 * store_jobview: reads a campaign's worker_state documents into plain
 * structs (include/store/store_jobview.h). One find per call, no writes; any
 * thread.
 */
#include "store/store_jobview.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "base/util.h"

/* Fills one job from its document. */
static void
job_from_doc(const bson_t *doc, struct stj_job *j)
{
	bson_iter_t it;
	memset(j, 0, sizeof *j);
	st_get_strbuf(doc, "_id", j->id, sizeof j->id);
	st_get_strbuf(doc, "tweet_id", j->tweet_id, sizeof j->tweet_id);
	if (st_get_job_kind(doc, &j->kind) != 0)
		j->kind = JOB_METRICS;
	j->state = st_get_job_state(doc);
	j->attempts = (int)st_get_int(doc, "attempts", 0);
	j->next_run_at_ms = st_get_int(doc, "next_run_at", 0);
	j->blocked_until_ms = st_get_int(doc, "blocked_until", 0);
	j->last_success_ms = st_get_int(doc, "last_success_at", 0);
	j->backfill_done = bson_iter_init_find(&it, doc, "backfill_done") &&
	                   BSON_ITER_HOLDS_BOOL(&it) && bson_iter_bool(&it);
	j->requests = st_get_int(doc, "requests", 0);
	j->credits = st_get_int(doc, "credits", 0);
	j->last_error = st_get_str(doc, "last_error");
	st_get_strbuf(doc, "blocked_by", j->blocked_by, sizeof j->blocked_by);
}

int
stj_jobs_list(
    struct store *s, const char *campaign_id, struct stj_job **out, size_t *n, char **cause)
{
	bson_error_t err;
	const bson_t *doc;
	mongoc_client_t *client;
	struct stj_job *v = NULL;
	size_t count = 0;
	bool bad = false;
	bson_t *filter = BCON_NEW("campaign_id", BCON_UTF8(campaign_id));
	bson_t *opts = BCON_NEW("sort", "{", "_id", BCON_INT32(1), "}");
	for (int attempt = 0; attempt < 2; attempt++) {
		mongoc_collection_t *coll = st_coll(s, "worker_state", &client);
		mongoc_cursor_t *cur = mongoc_collection_find_with_opts(coll, filter, opts, NULL);
		while (mongoc_cursor_next(cur, &doc)) {
			v = xreallocarray(v, count + 1, sizeof *v);
			job_from_doc(doc, &v[count++]);
		}
		bad = mongoc_cursor_error(cur, &err);
		mongoc_cursor_destroy(cur);
		st_coll_done(s, coll, client);
		if (!bad || !st_retryable(&err))
			break;
		stj_jobs_free(v, count);
		v = NULL;
		count = 0;
	}
	bson_destroy(opts);
	bson_destroy(filter);
	if (bad) {
		stj_jobs_free(v, count);
		return st_fail(s, cause, "listing jobs", &err);
	}
	*out = v;
	*n = count;
	return 0;
}

void
stj_jobs_free(struct stj_job *v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i].last_error);
	free(v);
}

const char *
stj_job_held_back(const struct stj_job *j, char *buf, size_t size)
{
	if (j->state == JST_RETRY)
		return "retry";
	if (j->state == JST_STOPPED)
		return "stopped";
	if (j->state != JST_BLOCKED)
		return NULL;
	const char *by = j->blocked_by;
	size_t len = strcspn(j->last_error, ":");
	if (*by == '\0' && j->last_error[len] == ':') /* an earlier release's reason */
		snprintf(buf, size, "blocked: %.*s", (int)len, j->last_error);
	else
		snprintf(buf, size, "blocked: %s", *by ? by : "?");
	return buf;
}

void
stj_jobs_summary(const struct stj_job *v, size_t n, char *buf, size_t size)
{
	char why[8][40];
	size_t count[8] = {0}, nwhy = 0;
	for (size_t i = 0; i < n; i++) {
		char tmp[40];
		const char *w = stj_job_held_back(&v[i], tmp, sizeof tmp);
		if (w == NULL)
			continue;
		size_t k = 0;
		while (k < nwhy && strcmp(why[k], w) != 0)
			k++;
		if (k == nwhy && nwhy < 8)
			snprintf(why[nwhy++], sizeof why[0], "%s", w);
		if (k < nwhy)
			count[k]++;
	}
	snprintf(buf, size, "%s", nwhy ? "" : "ok");
	for (size_t k = 0; k < nwhy; k++) {
		size_t len = strlen(buf);
		snprintf(buf + len, size - len, "%s%zu %s", k ? "; " : "", count[k], why[k]);
	}
}
