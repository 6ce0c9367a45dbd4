/*
 * store_agg: the console's reads (engagements and slices past a watermark,
 * worker_state, alerts_sent, tweet authors). Thread-safe like the store;
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

/* Builds {campaign_id: id, field: {$gte: since}} (no time part when 0). */
static bson_t *
since_filter(const char *campaign_id, const char *field, int64_t since_ms)
{
	bson_t *f = bson_new();
	BSON_APPEND_UTF8(f, "campaign_id", campaign_id);
	if (since_ms > 0) {
		bson_t sub;
		BSON_APPEND_DOCUMENT_BEGIN(f, field, &sub);
		BSON_APPEND_DATE_TIME(&sub, "$gte", since_ms);
		bson_append_document_end(f, &sub);
	}
	return f;
}

struct eng_ctx {
	store_agg_eng_fn fn;
	void *arg;
};

/* Converts one engagements document and hands it on. */
static int
eng_row(const bson_t *doc, void *arg)
{
	struct eng_ctx *x = arg;
	struct lw_engagement e;
	if (st_engagement_from_bson(doc, &e) != 0)
		return 0;
	int rc = x->fn(&e, x->arg);
	lw_engagement_done(&e);
	return rc;
}

int
store_agg_each_engagement(struct store *s, const char *campaign_id, int64_t since_ms,
    store_agg_eng_fn fn, void *arg, char **cause)
{
	struct eng_ctx x = {fn, arg};
	bson_t *f = since_filter(campaign_id, "first_seen_at", since_ms);
	bson_t *opts =
	    BCON_NEW("sort", "{", "first_seen_at", BCON_INT32(1), "_id", BCON_INT32(1), "}");
	int rc = each_doc(s, "engagements", f, opts, eng_row, &x, cause);
	bson_destroy(f);
	bson_destroy(opts);
	return rc;
}

struct slice_ctx {
	store_agg_slice_fn fn;
	void *arg;
};

/* Converts one metric_slices document and hands it on. */
static int
slice_row(const bson_t *doc, void *arg)
{
	struct slice_ctx *x = arg;
	struct lw_slice sl;
	st_slice_from_bson(doc, &sl);
	return x->fn(&sl, x->arg);
}

int
store_agg_each_slice(struct store *s, const char *campaign_id, int64_t since_ms,
    store_agg_slice_fn fn, void *arg, char **cause)
{
	struct slice_ctx x = {fn, arg};
	bson_t *f = since_filter(campaign_id, "at", since_ms);
	bson_t *opts = BCON_NEW("sort", "{", "at", BCON_INT32(1), "_id", BCON_INT32(1), "}");
	int rc = each_doc(s, "metric_slices", f, opts, slice_row, &x, cause);
	bson_destroy(f);
	bson_destroy(opts);
	return rc;
}

struct load_ctx {
	struct event_batch *b;
	size_t max;
	void (*push)(struct event_batch *, void *);
	void *arg;
};

/* Hands the batch being filled on, if it holds anything. */
static void
load_flush(struct load_ctx *x)
{
	if (x->b && (x->b->neng || x->b->nslices))
		x->push(x->b, x->arg);
	else
		event_batch_free(x->b);
	x->b = NULL;
}

/* Returns the batch being filled, starting a new one when needed. */
static struct event_batch *
load_batch(struct load_ctx *x)
{
	if (x->b && x->b->neng + x->b->nslices >= x->max)
		load_flush(x);
	if (x->b == NULL)
		x->b = xcalloc(1, sizeof *x->b);
	return x->b;
}

/* Deep-copies one engagement into the current batch. */
static int
load_eng(const struct lw_engagement *e, void *arg)
{
	struct event_batch *b = load_batch(arg);
	b->eng = xreallocarray(b->eng, b->neng + 1, sizeof *b->eng);
	struct lw_engagement *d = &b->eng[b->neng++];
	*d = *e;
	lw_user_copy(&d->user, &e->user);
	d->evidence = xstrdup(e->evidence);
	d->text = xstrdup(e->text);
	d->ref_ids = e->nref ? xcalloc(e->nref, sizeof *d->ref_ids) : NULL;
	for (size_t i = 0; i < e->nref; i++)
		d->ref_ids[i] = xstrdup(e->ref_ids[i]);
	return 0;
}

/* Copies one slice into the current batch. */
static int
load_slice(const struct lw_slice *sl, void *arg)
{
	struct event_batch *b = load_batch(arg);
	b->slices = xreallocarray(b->slices, b->nslices + 1, sizeof *b->slices);
	b->slices[b->nslices++] = *sl;
	return 0;
}

int
store_agg_load(struct store *s, const char *campaign_id, int64_t eng_since_ms,
    int64_t slice_since_ms, size_t batch_max, void (*push)(struct event_batch *b, void *arg),
    void *arg, char **cause)
{
	struct load_ctx x = {NULL, batch_max ? batch_max : 1000, push, arg};
	int rc = store_agg_each_engagement(s, campaign_id, eng_since_ms, load_eng, &x, cause);
	if (rc == 0)
		rc = store_agg_each_slice(s, campaign_id, slice_since_ms, load_slice, &x, cause);
	load_flush(&x);
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
