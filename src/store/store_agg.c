/*
 * store_agg: the console's small reads of each campaign (worker_state,
 * alerts_sent, tweet authors); its prepared data comes from
 * engine/prep_io.h and store/store_changes.h. Thread-safe like the store;
 * called from the console's database thread.
 */
#include "store/store_agg.h"

#include <mongoc/mongoc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/campaign.h"
#include "store_internal.h"
#include "base/util.h"

/* Reads a boolean field (false when absent). */
static bool
get_bool(const bson_t *doc, const char *path)
{
	bson_iter_t it, d;
	return bson_iter_init(&it, doc) && bson_iter_find_descendant(&it, path, &d) &&
	       BSON_ITER_HOLDS_BOOL(&d) && bson_iter_bool(&d);
}

/* Runs find on collection with filter and opts, calling row for each doc. */
static int
each_doc(struct store *s, const char *collection, const bson_t *filter, const bson_t *opts,
    int (*row)(const bson_t *doc, void *arg), void *arg, char **cause)
{
	mongoc_client_t *client;
	bson_error_t err;
	const bson_t *doc;
	mongoc_collection_t *coll = st_coll(s, collection, &client);
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(coll, filter, opts, NULL);
	int rc = 0;
	while (mongoc_cursor_next(cur, &doc))
		if (row(doc, arg) != 0)
			break;
	if (mongoc_cursor_error(cur, &err)) {
		char *what = xasprintf("reading %s", collection);
		rc = st_fail(s, cause, what, &err);
		free(what);
	}
	mongoc_cursor_destroy(cur);
	st_coll_done(s, coll, client);
	return rc;
}

struct rows_ctx {
	struct agg_jobrow *rows;
	size_t n;
};

/* Converts one worker_state document into a row. */
static int
job_row(const bson_t *doc, void *arg)
{
	struct rows_ctx *x = arg;
	enum job_kind k;
	if (st_get_job_kind(doc, &k) != 0)
		return 0;
	x->rows = xreallocarray(x->rows, x->n + 1, sizeof *x->rows);
	struct agg_jobrow *r = &x->rows[x->n++];
	memset(r, 0, sizeof *r);
	st_get_strbuf(doc, "tweet_id", r->tweet_id, sizeof r->tweet_id);
	r->kind = k;
	r->job.state = agg_job_state_of(st_get_job_state(doc));
	int64_t now = clock_now_ms();
	r->job.blocked_until_ms = st_get_int(doc, "blocked_until", 0);
	if (r->job.blocked_until_ms > now)
		r->job.state = JS_BLOCKED;
	else if (r->job.state == JS_NEW && !get_bool(doc, "backfill_done") &&
	         st_get_int(doc, "requests", 0) > 0)
		r->job.state = JS_BACKFILL;
	r->job.last_success_ms = st_get_int(doc, "last_success_at", 0);
	r->job.requests = st_get_int(doc, "requests", 0);
	r->job.credits = st_get_int(doc, "credits", 0);
	char *why = st_get_str(doc, "last_error");
	if (*why) {
		r->job.why = why;
		if (r->job.state != JS_BLOCKED && r->job.last_success_ms == 0)
			r->job.state = JS_ERROR;
	} else {
		free(why);
	}
	return 0;
}

int
store_agg_jobs(
    struct store *s, const char *campaign_id, struct agg_jobrow **out, size_t *n, char **cause)
{
	struct rows_ctx x = {NULL, 0};
	bson_t *f = BCON_NEW("campaign_id", BCON_UTF8(campaign_id));
	int rc = each_doc(s, "worker_state", f, NULL, job_row, &x, cause);
	bson_destroy(f);
	if (rc != 0) {
		for (size_t i = 0; i < x.n; i++)
			free(x.rows[i].job.why);
		free(x.rows);
		return -1;
	}
	*out = x.rows;
	*n = x.n;
	return 0;
}

struct alerts_ctx {
	struct agg_alert *v;
	size_t n;
};

/* Converts one alerts_sent document. */
static int
alert_row(const bson_t *doc, void *arg)
{
	struct alerts_ctx *x = arg;
	x->v = xreallocarray(x->v, x->n + 1, sizeof *x->v);
	struct agg_alert *a = &x->v[x->n++];
	memset(a, 0, sizeof *a);
	a->at_ms = st_get_int(doc, "sent_at", 0);
	a->handle = st_get_str(doc, "handle");
	if (*a->handle == '\0') {
		free(a->handle);
		a->handle = st_get_str(doc, "user_id");
	}
	a->channel = st_get_str(doc, "channel");
	char *status = st_get_str(doc, "status");
	a->status = alert_delivery_parse(status, &a->why);
	free(status);
	char *act = st_get_str(doc, "action");
	enum lw_action ac = ACT_RETWEET;
	action_parse(act, &ac);
	a->action = (uint8_t)ac;
	free(act);
	st_get_strbuf(doc, "tweet_id", a->tweet_id, sizeof a->tweet_id);
	return 0;
}

int
store_agg_alerts(struct store *s, const char *campaign_id, size_t limit, struct agg_alert **out,
    size_t *n, char **cause)
{
	struct alerts_ctx x = {NULL, 0};
	bson_t *f = BCON_NEW("campaign_id", BCON_UTF8(campaign_id));
	bson_t *opts = BCON_NEW("sort", "{", "sent_at", BCON_INT32(-1), "_id", BCON_INT32(1), "}",
	    "limit", BCON_INT64((int64_t)limit));
	int rc = each_doc(s, "alerts_sent", f, opts, alert_row, &x, cause);
	bson_destroy(f);
	bson_destroy(opts);
	if (rc != 0) {
		for (size_t i = 0; i < x.n; i++) {
			free(x.v[i].handle);
			free(x.v[i].channel);
			free(x.v[i].why);
		}
		free(x.v);
		return -1;
	}
	*out = x.v;
	*n = x.n;
	return 0;
}

struct authors_ctx {
	char **ids, **handles;
	size_t n;
};

/* Collects one tweet's author handle (author.handle, author.userName or a
 * plain string). */
static int
author_row(const bson_t *doc, void *arg)
{
	struct authors_ctx *x = arg;
	static const char *const paths[] = {"author.handle", "author.userName", "author"};
	char *h = NULL;
	for (size_t i = 0; i < LW_ARRAY_LEN(paths) && (h == NULL || *h == '\0'); i++) {
		free(h);
		h = st_get_str(doc, paths[i]);
	}
	if (*h == '\0') {
		free(h);
		return 0;
	}
	x->ids = xreallocarray(x->ids, x->n + 1, sizeof *x->ids);
	x->handles = xreallocarray(x->handles, x->n + 1, sizeof *x->handles);
	x->ids[x->n] = st_get_str(doc, "tweet_id");
	x->handles[x->n++] = h;
	return 0;
}

int
store_agg_authors(struct store *s, const char *campaign_id, char ***tweet_ids, char ***handles,
    size_t *n, char **cause)
{
	struct authors_ctx x = {NULL, NULL, 0};
	bson_t *f = BCON_NEW("campaign_id", BCON_UTF8(campaign_id));
	int rc = each_doc(s, "tweets", f, NULL, author_row, &x, cause);
	bson_destroy(f);
	*tweet_ids = x.ids;
	*handles = x.handles;
	*n = x.n;
	if (rc != 0) {
		for (size_t i = 0; i < x.n; i++) {
			free(x.ids[i]);
			free(x.handles[i]);
		}
		free(x.ids);
		free(x.handles);
		*tweet_ids = *handles = NULL;
		*n = 0;
	}
	return rc;
}
