/*
 * store_tweets: the tweets baselines and the metric_slices of the ingest
 * engine (the crash-safe metrics protocol is described in
 * include/store/store_ingest.h), and marking a tweet missing. Every write
 * goes through the store's write lock; any thread.
 */
#include "store/store_ingest.h"

#include <mongoc/mongoc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "base/util.h"

#define HOUR_MS (3600LL * 1000)
#define DAY_MS  (24 * HOUR_MS)

/* Metric fields in struct lw_metrics order. */
static const char *const metric_names[6] = {
    "likes", "retweets", "replies", "quotes", "views", "bookmarks"};

/* Returns a pointer to field i of m. */
static int64_t *
metric_at(struct lw_metrics *m, int i)
{
	int64_t *v[6] = {
	    &m->likes, &m->retweets, &m->replies, &m->quotes, &m->views, &m->bookmarks};
	return v[i];
}

/* Appends m as a sub-document under key. */
static void
append_metrics(bson_t *b, const char *key, const struct lw_metrics *m)
{
	bson_t sub;
	struct lw_metrics c = *m;
	BSON_APPEND_DOCUMENT_BEGIN(b, key, &sub);
	for (int i = 0; i < 6; i++)
		BSON_APPEND_INT64(&sub, metric_names[i], *metric_at(&c, i));
	bson_append_document_end(b, &sub);
}

/* Reads a metrics sub-document at path into m; false when absent. */
static bool
read_metrics(const bson_t *doc, const char *path, struct lw_metrics *m)
{
	bson_iter_t it, d;
	if (!bson_iter_init(&it, doc) || !bson_iter_find_descendant(&it, path, &d) ||
	    !BSON_ITER_HOLDS_DOCUMENT(&d))
		return false;
	for (int i = 0; i < 6; i++) {
		char p[64];
		snprintf(p, sizeof p, "%s.%s", path, metric_names[i]);
		*metric_at(m, i) = st_get_int(doc, p, 0);
	}
	return true;
}

int
sti_baselines_get(struct store *s, const char *campaign_id, const char *const *ids, size_t n,
    struct sti_baseline *out, char **cause)
{
	bson_error_t err;
	const bson_t *doc;
	mongoc_client_t *client;
	bool bad = false;
	char **keys = xcalloc(n ? n : 1, sizeof *keys);
	for (size_t i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof out[i]);
		snprintf(out[i].tweet_id, sizeof out[i].tweet_id, "%s", ids[i]);
		keys[i] = xasprintf("%s:%s", campaign_id, ids[i]);
	}
	bson_t filter = BSON_INITIALIZER, in;
	if (n == 1) {
		/* exactly {_id: value}: FerretDB answers it without a full scan */
		BSON_APPEND_UTF8(&filter, "_id", keys[0]);
	} else {
		BSON_APPEND_DOCUMENT_BEGIN(&filter, "_id", &in);
		st_append_str_array(&in, "$in", keys, n);
		bson_append_document_end(&filter, &in);
	}
	for (int attempt = 0; attempt < 2; attempt++) {
		mongoc_collection_t *coll = st_coll(s, "tweets", &client);
		mongoc_cursor_t *cur = mongoc_collection_find_with_opts(coll, &filter, NULL, NULL);
		while (mongoc_cursor_next(cur, &doc)) {
			char tid[LW_ID_MAX];
			st_get_strbuf(doc, "tweet_id", tid, sizeof tid);
			for (size_t i = 0; i < n; i++) {
				if (strcmp(out[i].tweet_id, tid) != 0)
					continue;
				out[i].found = true;
				out[i].known = read_metrics(doc, "metrics", &out[i].m);
				out[i].seq = st_get_int(doc, "metrics_seq", 0);
				out[i].has_first =
				    read_metrics(doc, "metrics_first", &out[i].first);
				out[i].metrics_at_ms = st_get_int(doc, "metrics_at", 0);
				bson_iter_t it;
				out[i].missing = bson_iter_init_find(&it, doc, "missing") &&
				                 BSON_ITER_HOLDS_BOOL(&it) && bson_iter_bool(&it);
			}
		}
		bad = mongoc_cursor_error(cur, &err);
		mongoc_cursor_destroy(cur);
		st_coll_done(s, coll, client);
		if (!bad || !st_retryable(&err))
			break;
	}
	bson_destroy(&filter);
	for (size_t i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
	return bad ? st_fail(s, cause, "reading tweet baselines", &err) : 0;
}

/* Writes the _id of slice seq of a tweet into buf. */
static void
slice_id(const char *campaign_id, const char *tweet_id, int64_t seq, char *buf, size_t size)
{
	snprintf(buf, size, "%s:%s:%lld", campaign_id, tweet_id, (long long)seq);
}

struct slices_arg {
	const struct sti_slice *v;
	size_t n;
	bool *dup;
};

/* Inserts the slices unordered and records which ones were duplicates. */
static bool
slices_op(mongoc_collection_t *coll, void *p, bson_error_t *err)
{
	struct slices_arg *a = p;
	bson_t *opts = BCON_NEW("ordered", BCON_BOOL(false));
	mongoc_bulk_operation_t *bulk =
	    mongoc_collection_create_bulk_operation_with_opts(coll, opts);
	bson_destroy(opts);
	for (size_t i = 0; i < a->n; i++) {
		const struct sti_slice *x = &a->v[i];
		char id[JOB_ID_MAX + 24];
		slice_id(x->sl.campaign_id, x->sl.tweet_id, x->sl.seq, id, sizeof id);
		bson_t doc = BSON_INITIALIZER;
		BSON_APPEND_UTF8(&doc, "_id", id);
		BSON_APPEND_UTF8(&doc, "campaign_id", x->sl.campaign_id);
		BSON_APPEND_UTF8(&doc, "tweet_id", x->sl.tweet_id);
		BSON_APPEND_UTF8(
		    &doc, "category", category_name((enum tweet_category)x->sl.category));
		BSON_APPEND_INT64(&doc, "seq", x->sl.seq);
		append_metrics(&doc, "deltas", &x->sl.deltas);
		append_metrics(&doc, "counts", &x->counts);
		BSON_APPEND_DATE_TIME(&doc, "at", x->sl.at_ms);
		BSON_APPEND_DATE_TIME(&doc, "hour", x->sl.at_ms - x->sl.at_ms % HOUR_MS);
		BSON_APPEND_DATE_TIME(&doc, "day", x->sl.at_ms - x->sl.at_ms % DAY_MS);
		mongoc_bulk_operation_insert_with_opts(bulk, &doc, NULL, NULL);
		bson_destroy(&doc);
	}
	bson_t reply;
	bool ok = mongoc_bulk_operation_execute(bulk, &reply, err) != 0;
	bool only_dups = true;
	bson_iter_t it, arr;
	if (!ok && bson_iter_init_find(&it, &reply, "writeErrors") && BSON_ITER_HOLDS_ARRAY(&it) &&
	    bson_iter_recurse(&it, &arr)) {
		while (bson_iter_next(&arr)) {
			bson_t e;
			const uint8_t *data;
			uint32_t len;
			if (!BSON_ITER_HOLDS_DOCUMENT(&arr))
				continue;
			bson_iter_document(&arr, &len, &data);
			if (!bson_init_static(&e, data, len))
				continue;
			int64_t code = st_get_int(&e, "code", 0);
			int64_t idx = st_get_int(&e, "index", -1);
			if (code == 11000 && idx >= 0 && (size_t)idx < a->n)
				a->dup[idx] = true;
			else
				only_dups = false;
		}
		bson_iter_t wc;
		if (bson_iter_init_find(&wc, &reply, "writeConcernErrors") &&
		    BSON_ITER_HOLDS_ARRAY(&wc)) {
			uint32_t len;
			const uint8_t *data;
			bson_iter_array(&wc, &len, &data);
			if (len > 5)
				only_dups = false;
		}
		if (only_dups)
			ok = true;
	}
	bson_destroy(&reply);
	mongoc_bulk_operation_destroy(bulk);
	return ok;
}

int
sti_slices_insert(
    struct store *s, const struct sti_slice *slices, size_t n, bool *dup, char **cause)
{
	for (size_t i = 0; i < n; i++)
		dup[i] = false;
	if (n == 0)
		return 0;
	struct slices_arg a = {.v = slices, .n = n, .dup = dup};
	return st_with_coll(s, "metric_slices", "writing metric slices", slices_op, &a, cause);
}

int
sti_slice_counts(struct store *s, const char *campaign_id, const char *tweet_id, int64_t seq,
    struct lw_metrics *counts, char **cause)
{
	char id[JOB_ID_MAX + 24];
	bson_t doc;
	slice_id(campaign_id, tweet_id, seq, id, sizeof id);
	bson_t *filter = st_id_sel(s, id);
	int rc = st_find_one(s, "metric_slices", filter, &doc, cause);
	bson_destroy(filter);
	if (rc != 0)
		return rc;
	if (!read_metrics(&doc, "counts", counts))
		rc = set_cause(cause, "metric slice %s has no counts", id);
	bson_destroy(&doc);
	return rc;
}

struct baselines_arg {
	const struct sti_baseline_set *v;
	size_t n;
	int64_t now_ms;
};

/* Appends the author of t as a sub-document. */
static void
append_author(bson_t *b, const struct lw_user *u)
{
	bson_t sub;
	BSON_APPEND_DOCUMENT_BEGIN(b, "author", &sub);
	BSON_APPEND_UTF8(&sub, "user_id", u->id);
	BSON_APPEND_UTF8(&sub, "handle", u->handle ? u->handle : "");
	BSON_APPEND_UTF8(&sub, "name", u->name ? u->name : "");
	BSON_APPEND_INT64(&sub, "followers", u->followers);
	BSON_APPEND_BOOL(&sub, "verified", u->verified);
	bson_append_document_end(b, &sub);
}

/* Fills the bulk of baseline updates. */
static void
fill_baselines(struct st_batch *bulk, const void *p)
{
	const struct baselines_arg *a = p;
	for (size_t i = 0; i < a->n; i++) {
		const struct sti_baseline_set *x = &a->v[i];
		char *id = xasprintf("%s:%s", x->campaign_id, x->tweet_id);
		bson_t *sel = BCON_NEW("_id", BCON_UTF8(id));
		bson_t upd = BSON_INITIALIZER, set;
		BSON_APPEND_DOCUMENT_BEGIN(&upd, "$set", &set);
		append_metrics(&set, "metrics", &x->m);
		if (x->first) { /* the zero state the first slice counts from */
			struct lw_metrics zero = {0};
			append_metrics(&set, "metrics_first", &zero);
		}
		BSON_APPEND_INT64(&set, "metrics_seq", x->seq);
		BSON_APPEND_DATE_TIME(&set, "metrics_at", a->now_ms);
		BSON_APPEND_BOOL(&set, "missing", false);
		if (x->t) {
			append_author(&set, &x->t->author);
			BSON_APPEND_UTF8(&set, "text", x->t->text ? x->t->text : "");
			if (x->t->created_at_ms > 0)
				BSON_APPEND_DATE_TIME(&set, "created_at", x->t->created_at_ms);
		}
		bson_append_document_end(&upd, &set);
		st_batch_update_one(bulk, sel, &upd, NULL);
		bson_destroy(sel);
		bson_destroy(&upd);
		free(id);
	}
}

int
sti_baselines_set(
    struct store *s, const struct sti_baseline_set *v, size_t n, int64_t now_ms, char **cause)
{
	if (n == 0)
		return 0;
	/* st_bulk sends at most ST_BULK_MAX updates per command */
	struct baselines_arg a = {.v = v, .n = n, .now_ms = now_ms};
	st_write_lock();
	int rc = st_bulk(s, "tweets", "writing tweet baselines", fill_baselines, &a, cause);
	st_write_unlock();
	return rc;
}

int
sti_tweet_set_missing(
    struct store *s, const char *campaign_id, const char *tweet_id, int64_t now_ms, char **cause)
{
	char *id = xasprintf("%s:%s", campaign_id, tweet_id);
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(id));
	bson_t *upd = BCON_NEW(
	    "$set", "{", "missing", BCON_BOOL(true), "missing_at", BCON_DATE_TIME(now_ms), "}");
	int rc = st_update_where(s, "tweets", sel, upd, false, "marking a tweet missing", cause);
	bson_destroy(sel);
	bson_destroy(upd);
	free(id);
	for (int k = JOB_RETWEETS; rc == 0 && k < JOB__COUNT; k++) {
		char *jid =
		    xasprintf("%s:%s:%s", campaign_id, tweet_id, job_kind_name((enum job_kind)k));
		sel = st_id_sel(s, jid);
		upd = BCON_NEW("$set", "{", "state", BCON_UTF8(job_state_name(JST_MISSING)),
		    "last_error", BCON_UTF8("the tweet is missing (deleted or protected)"),
		    "updated_at", BCON_DATE_TIME(now_ms), "}");
		rc = st_update_where(
		    s, "worker_state", sel, upd, false, "marking a job missing", cause);
		bson_destroy(sel);
		bson_destroy(upd);
		free(jid);
	}
	return rc;
}

struct sum_arg {
	struct lw_metrics sum;
	size_t count;
};

/* Adds one slice's deltas. */
static void
sum_one(const bson_t *doc, void *p)
{
	struct sum_arg *a = p;
	struct lw_metrics d;
	if (!read_metrics(doc, "deltas", &d))
		return;
	for (int i = 0; i < 6; i++)
		*metric_at(&a->sum, i) += *metric_at(&d, i);
	a->count++;
}

int
sti_slices_sum(struct store *s, const char *campaign_id, const char *tweet_id,
    struct lw_metrics *sum, size_t *count, char **cause)
{
	struct sum_arg a;
	memset(&a, 0, sizeof a);
	bson_t *filter =
	    BCON_NEW("campaign_id", BCON_UTF8(campaign_id), "tweet_id", BCON_UTF8(tweet_id));
	int rc = st_scan(s, "metric_slices", filter, NULL, sum_one, &a, cause);
	bson_destroy(filter);
	*sum = a.sum;
	*count = a.count;
	return rc;
}
