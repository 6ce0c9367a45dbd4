/*
 * store_ingest: the ingest engine's MongoDB code: worker_state claims and
 * updates, engagements bulk upserts, metric slices and baselines (the
 * protocol is described in include/store/store_ingest.h), heartbeats and the
 * worker_log. Every query stays inside ../shared/mongo-subset.md. Any thread.
 */
#include "store/store_ingest.h"

#include <mongoc/mongoc.h>
#include <pthread.h>
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

/* Appends an array of strings as a BSON array value under key. */
static void
append_ids(bson_t *b, const char *key, const char *const *ids, size_t n)
{
	st_append_str_array(b, key, (char *const *)ids, n);
}

/* ---- worker_state ---- */

/* Appends {$in: ids} filter for campaign_id. */
static void
append_campaign_in(bson_t *filter, const char *const *ids, size_t n)
{
	bson_t in;
	BSON_APPEND_DOCUMENT_BEGIN(filter, "campaign_id", &in);
	append_ids(&in, "$in", ids, n);
	bson_append_document_end(filter, &in);
}

/* Appends state: {$nin: [stopped, missing]}. */
static void
append_state_runnable(bson_t *filter)
{
	static const char *const off[] = {"stopped", "missing"};
	bson_t sub;
	BSON_APPEND_DOCUMENT_BEGIN(filter, "state", &sub);
	append_ids(&sub, "$nin", off, 2);
	bson_append_document_end(filter, &sub);
}

/* Parses a job kind name; -1 when unknown. */
static int
kind_parse(const char *s)
{
	for (int k = 0; k < JOB__COUNT; k++)
		if (strcmp(s, job_kind_name((enum job_kind)k)) == 0)
			return k;
	return -1;
}

int
sti_jobs_due(struct store *s, const char *const *ids, size_t n, int64_t now_ms,
    struct sti_due **out, size_t *nout, char **cause)
{
	bson_error_t err;
	const bson_t *doc;
	mongoc_client_t *client;
	struct sti_due *v = NULL;
	size_t count = 0;
	bool bad = false;
	*out = NULL;
	*nout = 0;
	if (n == 0)
		return 0;
	bson_t filter = BSON_INITIALIZER, sub;
	append_campaign_in(&filter, ids, n);
	append_state_runnable(&filter);
	BSON_APPEND_DOCUMENT_BEGIN(&filter, "next_run_at", &sub);
	BSON_APPEND_DATE_TIME(&sub, "$lte", now_ms);
	bson_append_document_end(&filter, &sub);
	bson_t *opts = BCON_NEW("sort", "{", "next_run_at", BCON_INT32(1), "_id", BCON_INT32(1),
	    "}", "projection", "{", "campaign_id", BCON_INT32(1), "tweet_id", BCON_INT32(1), "kind",
	    BCON_INT32(1), "next_run_at", BCON_INT32(1), "}");
	for (int attempt = 0; attempt < 2; attempt++) {
		mongoc_collection_t *coll = st_coll(s, "worker_state", &client);
		mongoc_cursor_t *cur = mongoc_collection_find_with_opts(coll, &filter, opts, NULL);
		while (mongoc_cursor_next(cur, &doc)) {
			char kind[16];
			st_get_strbuf(doc, "kind", kind, sizeof kind);
			int k = kind_parse(kind);
			if (k < 0)
				continue;
			v = xreallocarray(v, count + 1, sizeof *v);
			struct sti_due *d = &v[count++];
			memset(d, 0, sizeof *d);
			st_get_strbuf(doc, "_id", d->id, sizeof d->id);
			st_get_strbuf(doc, "campaign_id", d->campaign_id, sizeof d->campaign_id);
			st_get_strbuf(doc, "tweet_id", d->tweet_id, sizeof d->tweet_id);
			d->kind = (enum job_kind)k;
			d->next_run_at_ms = st_get_int(doc, "next_run_at", 0);
		}
		bad = mongoc_cursor_error(cur, &err);
		mongoc_cursor_destroy(cur);
		st_coll_done(s, coll, client);
		if (!bad || !st_retryable(&err))
			break;
		count = 0;
	}
	bson_destroy(opts);
	bson_destroy(&filter);
	if (bad) {
		free(v);
		return st_fail(s, cause, "listing due jobs", &err);
	}
	*out = v;
	*nout = count;
	return 0;
}

/* Fills a job from its worker_state document. */
static void
job_from_bson(const bson_t *doc, struct job *j)
{
	char kind[16];
	memset(j, 0, sizeof *j);
	st_get_strbuf(doc, "_id", j->id, sizeof j->id);
	st_get_strbuf(doc, "campaign_id", j->campaign_id, sizeof j->campaign_id);
	st_get_strbuf(doc, "tweet_id", j->tweet_id, sizeof j->tweet_id);
	st_get_strbuf(doc, "kind", kind, sizeof kind);
	int k = kind_parse(kind);
	j->kind = k < 0 ? JOB_METRICS : (enum job_kind)k;
	j->cursor = st_get_str(doc, "cursor");
	bson_iter_t it;
	j->backfill_done = bson_iter_init_find(&it, doc, "backfill_done") &&
	                   BSON_ITER_HOLDS_BOOL(&it) && bson_iter_bool(&it);
	j->watermark = st_get_str_array(doc, "watermark", &j->nwatermark);
	j->walked_count = st_get_int(doc, "walked_count", -1);
	j->attempts = (int)st_get_int(doc, "attempts", 0);
	j->lease_until_ms = st_get_int(doc, "lease_until", 0);
}

struct claim_arg {
	const bson_t *filter, *update;
	bson_t reply;
	bool have_reply;
};

/* Runs the claim's findAndModify. */
static bool
claim_op(mongoc_collection_t *coll, void *p, bson_error_t *err)
{
	struct claim_arg *a = p;
	if (a->have_reply)
		bson_destroy(&a->reply);
	mongoc_find_and_modify_opts_t *o = mongoc_find_and_modify_opts_new();
	mongoc_find_and_modify_opts_set_update(o, a->update);
	mongoc_find_and_modify_opts_set_flags(o, MONGOC_FIND_AND_MODIFY_RETURN_NEW);
	bool ok = mongoc_collection_find_and_modify_with_opts(coll, a->filter, o, &a->reply, err);
	a->have_reply = true;
	mongoc_find_and_modify_opts_destroy(o);
	return ok;
}

/* Returns true when owner may claim the job document at now_ms: the test of
 * the findAndModify filter in sti_job_claim, in C. */
static bool
claimable(const bson_t *doc, const char *owner, int64_t now_ms, bool ignore_due)
{
	char state[16], lease_owner[256];
	bson_iter_t it;
	st_get_strbuf(doc, "state", state, sizeof state);
	if (strcmp(state, "stopped") == 0 || strcmp(state, "missing") == 0)
		return false;
	if (!ignore_due &&
	    (!bson_iter_init_find(&it, doc, "next_run_at") || !BSON_ITER_HOLDS_DATE_TIME(&it) ||
	        bson_iter_date_time(&it) > now_ms))
		return false;
	if (!bson_iter_init_find(&it, doc, "lease_until") || BSON_ITER_HOLDS_NULL(&it))
		return true;
	if (BSON_ITER_HOLDS_DATE_TIME(&it) && bson_iter_date_time(&it) < now_ms)
		return true;
	st_get_strbuf(doc, "lease_owner", lease_owner, sizeof lease_owner);
	return strcmp(lease_owner, owner) == 0;
}

/* The claim on FerretDB: any filter but {_id: value} scans the whole
 * collection there, and its updates are not atomic anyway, so the job is
 * read by _id, tested in C and leased by _id. The caller holds the process's
 * claim mutex, and only one process runs jobs on the embedded database. */
static int
claim_by_id(struct store *s, const char *id, const bson_t *update, const char *owner,
    int64_t now_ms, bool ignore_due, struct job *out, char **cause)
{
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(id));
	bson_t doc;
	int rc = st_find_one(s, "worker_state", sel, &doc, cause);
	if (rc == 0) {
		if (!claimable(&doc, owner, now_ms, ignore_due))
			rc = 1;
		else if ((rc = st_update_where(
		              s, "worker_state", sel, update, false, "claiming a job", cause)) == 0)
			job_from_bson(&doc, out);
		bson_destroy(&doc);
	}
	bson_destroy(sel);
	return rc;
}

int
sti_job_claim(struct store *s, const char *id, const char *owner, int64_t now_ms,
    int64_t lease_until_ms, bool ignore_due, struct job *out, char **cause)
{
	if (s->ferretdb) {
		bson_t *update =
		    BCON_NEW("$set", "{", "lease_owner", BCON_UTF8(owner), "lease_until",
		        BCON_DATE_TIME(lease_until_ms), "state", BCON_UTF8("running"), "}");
		int rc = claim_by_id(s, id, update, owner, now_ms, ignore_due, out, cause);
		bson_destroy(update);
		return rc;
	}
	bson_t filter = BSON_INITIALIZER, sub, arr, alt;
	BSON_APPEND_UTF8(&filter, "_id", id);
	append_state_runnable(&filter);
	if (!ignore_due) {
		BSON_APPEND_DOCUMENT_BEGIN(&filter, "next_run_at", &sub);
		BSON_APPEND_DATE_TIME(&sub, "$lte", now_ms);
		bson_append_document_end(&filter, &sub);
	}
	BSON_APPEND_ARRAY_BEGIN(&filter, "$or", &arr);
	BSON_APPEND_DOCUMENT_BEGIN(&arr, "0", &alt);
	BSON_APPEND_NULL(&alt, "lease_until");
	bson_append_document_end(&arr, &alt);
	BSON_APPEND_DOCUMENT_BEGIN(&arr, "1", &alt);
	BSON_APPEND_DOCUMENT_BEGIN(&alt, "lease_until", &sub);
	BSON_APPEND_DATE_TIME(&sub, "$lt", now_ms);
	bson_append_document_end(&alt, &sub);
	bson_append_document_end(&arr, &alt);
	BSON_APPEND_DOCUMENT_BEGIN(&arr, "2", &alt);
	BSON_APPEND_UTF8(&alt, "lease_owner", owner);
	bson_append_document_end(&arr, &alt);
	bson_append_array_end(&filter, &arr);
	bson_t *update = BCON_NEW("$set", "{", "lease_owner", BCON_UTF8(owner), "lease_until",
	    BCON_DATE_TIME(lease_until_ms), "state", BCON_UTF8("running"), "}");
	struct claim_arg a = {.filter = &filter, .update = update};
	int rc = st_with_coll(s, "worker_state", "claiming a job", claim_op, &a, cause);
	if (rc == 0) {
		bson_iter_t it;
		rc = 1;
		if (bson_iter_init_find(&it, &a.reply, "value") && BSON_ITER_HOLDS_DOCUMENT(&it)) {
			const uint8_t *data;
			uint32_t len;
			bson_t doc;
			bson_iter_document(&it, &len, &data);
			if (bson_init_static(&doc, data, len)) {
				job_from_bson(&doc, out);
				rc = 0;
			}
		}
	}
	if (a.have_reply)
		bson_destroy(&a.reply);
	bson_destroy(update);
	bson_destroy(&filter);
	return rc;
}

int
sti_job_peek(struct store *s, const char *id, struct sti_job_state *out, char **cause)
{
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(id));
	bson_t doc;
	memset(out, 0, sizeof *out);
	int rc = st_find_one(s, "worker_state", sel, &doc, cause);
	bson_destroy(sel);
	if (rc != 0)
		return rc;
	st_get_strbuf(&doc, "state", out->state, sizeof out->state);
	st_get_strbuf(&doc, "lease_owner", out->lease_owner, sizeof out->lease_owner);
	out->lease_until_ms = st_get_int(&doc, "lease_until", 0);
	out->last_error = st_get_str(&doc, "last_error");
	bson_destroy(&doc);
	return 0;
}

int
sti_job_update(
    struct store *s, const char *id, const struct sti_job_update *u, int64_t now_ms, char **cause)
{
	bson_t upd = BSON_INITIALIZER, set, inc;
	BSON_APPEND_DOCUMENT_BEGIN(&upd, "$set", &set);
	BSON_APPEND_DATE_TIME(&set, "updated_at", now_ms);
	if (u->state)
		BSON_APPEND_UTF8(&set, "state", u->state);
	if (u->next_run_at_ms >= 0)
		BSON_APPEND_DATE_TIME(&set, "next_run_at", u->next_run_at_ms);
	if (u->lease_until_ms == 0) {
		BSON_APPEND_NULL(&set, "lease_owner");
		BSON_APPEND_NULL(&set, "lease_until");
	} else if (u->lease_until_ms > 0) {
		BSON_APPEND_DATE_TIME(&set, "lease_until", u->lease_until_ms);
	}
	if (u->set_cursor) {
		if (u->cursor && *u->cursor)
			BSON_APPEND_UTF8(&set, "cursor", u->cursor);
		else
			BSON_APPEND_NULL(&set, "cursor");
	}
	if (u->set_watermark)
		st_append_str_array(&set, "watermark", u->watermark, u->nwatermark);
	if (u->backfill_done >= 0)
		BSON_APPEND_BOOL(&set, "backfill_done", u->backfill_done != 0);
	if (u->set_walked_count)
		BSON_APPEND_INT64(&set, "walked_count", u->walked_count);
	if (u->set_error) {
		if (u->error)
			BSON_APPEND_UTF8(&set, "last_error", u->error);
		else
			BSON_APPEND_NULL(&set, "last_error");
	}
	if (u->attempts >= 0)
		BSON_APPEND_INT32(&set, "attempts", u->attempts);
	if (u->set_blocked) {
		if (u->blocked_until_ms > 0)
			BSON_APPEND_DATE_TIME(&set, "blocked_until", u->blocked_until_ms);
		else
			BSON_APPEND_NULL(&set, "blocked_until");
	}
	if (u->last_success_ms > 0)
		BSON_APPEND_DATE_TIME(&set, "last_success_at", u->last_success_ms);
	bson_append_document_end(&upd, &set);
	if (u->add_requests || u->add_credits) {
		BSON_APPEND_DOCUMENT_BEGIN(&upd, "$inc", &inc);
		BSON_APPEND_INT64(&inc, "requests", u->add_requests);
		BSON_APPEND_INT64(&inc, "credits", u->add_credits);
		bson_append_document_end(&upd, &inc);
	}
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(id));
	int rc = st_update_where(s, "worker_state", sel, &upd, false, "updating a job", cause);
	bson_destroy(sel);
	bson_destroy(&upd);
	return rc;
}

int
sti_jobs_release_owner(struct store *s, const char *owner, char **cause)
{
	bson_t *sel = BCON_NEW("lease_owner", BCON_UTF8(owner));
	bson_t *upd =
	    BCON_NEW("$set", "{", "lease_owner", BCON_NULL, "lease_until", BCON_NULL, "}");
	int rc = st_update_where(s, "worker_state", sel, upd, true, "releasing leases", cause);
	bson_destroy(sel);
	bson_destroy(upd);
	return rc;
}

int
sti_jobs_unstop(struct store *s, const char *const *ids, size_t n, int64_t now_ms, char **cause)
{
	if (n == 0)
		return 0;
	bson_t sel = BSON_INITIALIZER;
	append_campaign_in(&sel, ids, n);
	BSON_APPEND_UTF8(&sel, "state", "stopped");
	bson_t *upd = BCON_NEW(
	    "$set", "{", "state", BCON_UTF8("idle"), "next_run_at", BCON_DATE_TIME(now_ms), "}");
	int rc =
	    st_update_where(s, "worker_state", &sel, upd, true, "restarting stopped jobs", cause);
	bson_destroy(&sel);
	bson_destroy(upd);
	return rc;
}

/* ---- tweets and metric slices ---- */

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
	bson_t *filter = BCON_NEW("_id", BCON_UTF8(id));
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
		sel = BCON_NEW("_id", BCON_UTF8(jid));
		upd = BCON_NEW("$set", "{", "state", BCON_UTF8("missing"), "last_error",
		    BCON_UTF8("the tweet is missing (deleted or protected)"), "updated_at",
		    BCON_DATE_TIME(now_ms), "}");
		rc = st_update_where(
		    s, "worker_state", sel, upd, false, "marking a job missing", cause);
		bson_destroy(sel);
		bson_destroy(upd);
		free(jid);
	}
	return rc;
}

/* ---- engagements ---- */

/* Writes the deterministic _id of an engagement. */
static char *
engagement_id(const struct lw_engagement *e)
{
	return xasprintf(
	    "%s:%s:%s:%s", e->campaign_id, e->tweet_id, e->user.id, action_name(e->action));
}

/* Appends the upsert of engagement e, whose _id is id, to bulk. */
static void
add_engagement(
    mongoc_bulk_operation_t *bulk, const struct lw_engagement *e, const char *id, int64_t now_ms)
{
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(id));
	bson_t upd = BSON_INITIALIZER, ins, set, sub, add, each;
	BSON_APPEND_DOCUMENT_BEGIN(&upd, "$setOnInsert", &ins);
	BSON_APPEND_UTF8(&ins, "campaign_id", e->campaign_id);
	BSON_APPEND_UTF8(&ins, "tweet_id", e->tweet_id);
	BSON_APPEND_UTF8(&ins, "user_id", e->user.id);
	BSON_APPEND_UTF8(&ins, "action", action_name(e->action));
	BSON_APPEND_UTF8(&ins, "category", category_name((enum tweet_category)e->category));
	BSON_APPEND_DATE_TIME(&ins, "first_seen_at", now_ms);
	BSON_APPEND_NULL(&ins, "sentiment");
	if (e->created_at_ms <= 0)
		BSON_APPEND_NULL(&ins, "created_at");
	if (e->nref == 0) /* no $addToSet with an empty $each: see docs/operations.md */
		st_append_str_array(&ins, "ref_ids", NULL, 0);
	bson_append_document_end(&upd, &ins);
	BSON_APPEND_DOCUMENT_BEGIN(&upd, "$set", &set);
	st_append_user(&set, "user", &e->user);
	BSON_APPEND_UTF8(&set, "bucket", bucket_name(e->bucket));
	BSON_APPEND_INT32(&set, "importance", e->importance);
	BSON_APPEND_UTF8(&set, "evidence", e->evidence ? e->evidence : "");
	if (e->text)
		BSON_APPEND_UTF8(&set, "text", e->text);
	BSON_APPEND_DATE_TIME(&set, "last_seen_at", now_ms);
	bson_append_document_end(&upd, &set);
	if (e->created_at_ms > 0) {
		BSON_APPEND_DOCUMENT_BEGIN(&upd, "$min", &sub);
		BSON_APPEND_DATE_TIME(&sub, "created_at", e->created_at_ms);
		bson_append_document_end(&upd, &sub);
	}
	if (e->nref > 0) {
		BSON_APPEND_DOCUMENT_BEGIN(&upd, "$addToSet", &add);
		BSON_APPEND_DOCUMENT_BEGIN(&add, "ref_ids", &each);
		st_append_str_array(&each, "$each", e->ref_ids, e->nref);
		bson_append_document_end(&add, &each);
		bson_append_document_end(&upd, &add);
	}
	bson_t *opts = BCON_NEW("upsert", BCON_BOOL(true));
	mongoc_bulk_operation_update_one_with_opts(bulk, sel, &upd, opts, NULL);
	bson_destroy(opts);
	bson_destroy(sel);
	bson_destroy(&upd);
}

struct eng_arg {
	const struct lw_engagement *e;
	char *const *ids; /* the _id of each of e[0..n) */
	size_t n;
	int64_t now_ms;
	bool *is_new;
};

/* Marks is_new for the first unmarked operation whose _id an "upserted"
 * entry names (a later one with the same _id matched what it inserted). The
 * entry's index cannot be trusted: FerretDB v1 numbers the upserted entries
 * 0, 1, ... instead of giving the operation's index. */
static void
mark_upserted(struct eng_arg *a, const bson_t *u)
{
	char *id = st_get_str(u, "_id");
	for (size_t i = 0; i < a->n; i++) {
		if (!a->is_new[i] && strcmp(a->ids[i], id) == 0) {
			a->is_new[i] = true;
			break;
		}
	}
	free(id);
}

/* Runs one engagements bulk (at most ST_BULK_MAX upserts) and reads
 * which operations inserted. */
static bool
eng_op(mongoc_collection_t *coll, void *p, bson_error_t *err)
{
	struct eng_arg *a = p;
	mongoc_bulk_operation_t *bulk =
	    mongoc_collection_create_bulk_operation_with_opts(coll, NULL);
	for (size_t i = 0; i < a->n; i++) {
		a->is_new[i] = false;
		add_engagement(bulk, &a->e[i], a->ids[i], a->now_ms);
	}
	bson_t reply;
	bool ok = mongoc_bulk_operation_execute(bulk, &reply, err) != 0;
	bson_iter_t it, arr;
	if (ok && bson_iter_init_find(&it, &reply, "upserted") && BSON_ITER_HOLDS_ARRAY(&it) &&
	    bson_iter_recurse(&it, &arr)) {
		while (bson_iter_next(&arr)) {
			bson_t u;
			const uint8_t *data;
			uint32_t len;
			if (!BSON_ITER_HOLDS_DOCUMENT(&arr))
				continue;
			bson_iter_document(&arr, &len, &data);
			if (bson_init_static(&u, data, len))
				mark_upserted(a, &u);
		}
	}
	bson_destroy(&reply);
	mongoc_bulk_operation_destroy(bulk);
	return ok;
}

int
sti_engagements_upsert(struct store *s, const struct lw_engagement *e, size_t n, int64_t now_ms,
    bool *is_new, char **cause)
{
	int rc = 0;
	char **ids = xcalloc(n ? n : 1, sizeof *ids);
	for (size_t i = 0; i < n; i++) {
		is_new[i] = false;
		ids[i] = engagement_id(&e[i]);
	}
	for (size_t off = 0; rc == 0 && off < n; off += ST_BULK_MAX) {
		struct eng_arg a = {.e = e + off,
		    .ids = ids + off,
		    .n = n - off < ST_BULK_MAX ? n - off : ST_BULK_MAX,
		    .now_ms = now_ms,
		    .is_new = is_new + off};
		rc = st_with_coll(s, "engagements", "writing engagements", eng_op, &a, cause);
	}
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	return rc;
}

/* Compares two strings for qsort. */
static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct keys_arg {
	struct sti_eng_key *v;
	size_t n;
};

/* Adds one engagement's key. */
static void
key_one(const bson_t *doc, void *p)
{
	struct keys_arg *a = p;
	size_t nref;
	char **refs = st_get_str_array(doc, "ref_ids", &nref);
	struct sbuf b;
	sbuf_init(&b);
	if (nref > 1)
		qsort(refs, nref, sizeof *refs, cmp_str);
	for (size_t i = 0; i < nref; i++) {
		sbuf_printf(&b, "%s%s", i ? "," : "", refs[i]);
		free(refs[i]);
	}
	free(refs);
	a->v = xreallocarray(a->v, a->n + 1, sizeof *a->v);
	a->v[a->n].id = st_get_str(doc, "_id");
	a->v[a->n].ref_ids = sbuf_take(&b);
	a->n++;
}

/* Orders keys by id. */
static int
cmp_key(const void *a, const void *b)
{
	return strcmp(((const struct sti_eng_key *)a)->id, ((const struct sti_eng_key *)b)->id);
}

int
sti_engagements_keys(
    struct store *s, const char *campaign_id, struct sti_eng_key **out, size_t *n, char **cause)
{
	struct keys_arg a = {0};
	bson_t *filter = BCON_NEW("campaign_id", BCON_UTF8(campaign_id));
	int rc = st_scan(s, "engagements", filter, NULL, key_one, &a, cause);
	bson_destroy(filter);
	if (a.n > 1)
		qsort(a.v, a.n, sizeof *a.v, cmp_key);
	*out = a.v;
	*n = a.n;
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

/* ---- heartbeats and worker_log ---- */

int
sti_heartbeat_beat(struct store *s, const struct sti_heartbeat *h, char **cause)
{
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(h->owner));
	bson_t *upd = BCON_NEW("$set", "{", "host", BCON_UTF8(h->host), "pid",
	    BCON_INT64((int64_t)h->pid), "started_at", BCON_DATE_TIME(h->started_at_ms), "beat_at",
	    BCON_DATE_TIME(h->beat_at_ms), "mode", BCON_UTF8(h->mode), "}");
	bson_t *opts = BCON_NEW("upsert", BCON_BOOL(true));
	bson_error_t err;
	mongoc_client_t *client;
	bool ok = false;
	st_write_lock();
	for (int attempt = 0; attempt < 2 && !ok; attempt++) {
		mongoc_collection_t *coll = st_coll(s, "heartbeats", &client);
		ok = mongoc_collection_update_one(coll, sel, upd, opts, NULL, &err);
		st_coll_done(s, coll, client);
		if (!ok && !st_retryable(&err))
			break;
	}
	st_write_unlock();
	bson_destroy(sel);
	bson_destroy(upd);
	bson_destroy(opts);
	return ok ? 0 : st_fail(s, cause, "writing the heartbeat", &err);
}

int
sti_heartbeat_list(struct store *s, struct sti_heartbeat **out, size_t *n, char **cause)
{
	bson_error_t err;
	const bson_t *doc;
	mongoc_client_t *client;
	struct sti_heartbeat *v = NULL;
	size_t count = 0;
	bson_t filter = BSON_INITIALIZER;
	mongoc_collection_t *coll = st_coll(s, "heartbeats", &client);
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(coll, &filter, NULL, NULL);
	while (mongoc_cursor_next(cur, &doc)) {
		v = xreallocarray(v, count + 1, sizeof *v);
		struct sti_heartbeat *h = &v[count++];
		memset(h, 0, sizeof *h);
		st_get_strbuf(doc, "_id", h->owner, sizeof h->owner);
		st_get_strbuf(doc, "host", h->host, sizeof h->host);
		st_get_strbuf(doc, "mode", h->mode, sizeof h->mode);
		h->pid = (long)st_get_int(doc, "pid", 0);
		h->started_at_ms = st_get_int(doc, "started_at", 0);
		h->beat_at_ms = st_get_int(doc, "beat_at", 0);
	}
	bool bad = mongoc_cursor_error(cur, &err);
	mongoc_cursor_destroy(cur);
	st_coll_done(s, coll, client);
	if (bad) {
		free(v);
		return st_fail(s, cause, "reading heartbeats", &err);
	}
	*out = v;
	*n = count;
	return 0;
}

/* Deletes the heartbeat whose _id is in the arg. */
static bool
delete_op(mongoc_collection_t *coll, void *p, bson_error_t *err)
{
	return mongoc_collection_delete_one(coll, p, NULL, NULL, err);
}

int
sti_heartbeat_delete(struct store *s, const char *owner, char **cause)
{
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(owner));
	int rc = st_with_coll(s, "heartbeats", "deleting a heartbeat", delete_op, sel, cause);
	bson_destroy(sel);
	return rc;
}

/* Inserts the document in the arg. */
static bool
insert_op(mongoc_collection_t *coll, void *p, bson_error_t *err)
{
	return mongoc_collection_insert_one(coll, p, NULL, NULL, err);
}

int
sti_log(struct store *s, const char *owner, const char *job, const char *level, const char *message,
    int64_t now_ms, char **cause)
{
	bson_t doc = BSON_INITIALIZER;
	BSON_APPEND_DATE_TIME(&doc, "at", now_ms);
	BSON_APPEND_UTF8(&doc, "owner", owner ? owner : "");
	if (job)
		BSON_APPEND_UTF8(&doc, "job", job);
	else
		BSON_APPEND_NULL(&doc, "job");
	BSON_APPEND_UTF8(&doc, "level", level);
	BSON_APPEND_UTF8(&doc, "message", message);
	int rc = st_with_coll(s, "worker_log", "writing the worker log", insert_op, &doc, cause);
	bson_destroy(&doc);
	return rc;
}
