/*
 * store_report: reads a campaign's settings and tweets documents for the
 * report model (its engagements and slices come from the prepared
 * aggregates), streams documents for the audit archive, and keeps the
 * close-out state (campaigns.frozen, status, completed_at, closeout,
 * reopen_history) and the archives collection. Reads only by campaign_id or
 * _id; the shapes are DESIGN.md section 4's. Thread-safe like the store.
 */
#include "store/store_report.h"

#include <mongoc/mongoc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "base/util.h"

typedef void (*doc_fn)(const bson_t *doc, void *arg);

/* Calls fn for every document of collection matching filter, sorted by _id
 * when by_id (a sort of the whole result: FerretDB does it in memory, so only
 * for small collections), else in the server's order; the whole walk is
 * retried once after a dropped connection when nothing was delivered yet.
 * Returns 0 or -1 with a cause. */
static int
each_doc(struct store *s, const char *collection, const bson_t *filter, bool by_id, doc_fn fn,
    void *arg, char **cause)
{
	bson_error_t err;
	const bson_t *doc;
	mongoc_client_t *client;
	bool bad = false;
	bson_t *opts = by_id ? BCON_NEW("sort", "{", "_id", BCON_INT32(1), "}") : bson_new();
	for (int attempt = 0; attempt < 2; attempt++) {
		size_t n = 0;
		mongoc_collection_t *coll = st_coll(s, collection, &client);
		mongoc_cursor_t *cur = mongoc_collection_find_with_opts(coll, filter, opts, NULL);
		while (mongoc_cursor_next(cur, &doc)) {
			fn(doc, arg);
			n++;
		}
		bad = mongoc_cursor_error(cur, &err);
		mongoc_cursor_destroy(cur);
		st_coll_done(s, coll, client);
		if (!bad || n > 0 || !st_retryable(&err))
			break;
	}
	bson_destroy(opts);
	if (bad) {
		char *what = xasprintf("reading %s", collection);
		st_fail(s, cause, what, &err);
		free(what);
		return -1;
	}
	return 0;
}

/* Finds the value at a dotted path; false when absent. */
static bool
find_path(const bson_t *doc, const char *path, bson_iter_t *out)
{
	bson_iter_t it;
	return bson_iter_init(&it, doc) && bson_iter_find_descendant(&it, path, out);
}

/* Reads a count at path that may be missing or null. */
static bool
get_count(const bson_t *doc, const char *path, int64_t *v)
{
	bson_iter_t d;
	*v = 0;
	if (!find_path(doc, path, &d) || !BSON_ITER_HOLDS_NUMBER(&d))
		return false;
	*v = bson_iter_as_int64(&d);
	return true;
}

/* Reads the six counts under prefix ("metrics" or "deltas"). */
static void
get_values(const bson_t *doc, const char *prefix, struct rep_values *v)
{
	for (int m = 0; m < RM__COUNT; m++) {
		char path[64];
		snprintf(path, sizeof path, "%s.%s", prefix, rep_metric_name((enum rep_metric)m));
		v->has[m] = get_count(doc, path, &v->v[m]);
	}
}

/* Copies a string field into a fixed buffer. */
static void
get_fixed(const bson_t *doc, const char *path, char *buf, size_t len)
{
	char *v = st_get_str(doc, path);
	snprintf(buf, len, "%s", v);
	free(v);
}

/* Fills the listed tweet row that a tweets document belongs to. */
static void
load_tweet(const bson_t *doc, void *arg)
{
	struct rep_input *in = arg;
	char tid[LW_ID_MAX];
	bson_iter_t d;
	get_fixed(doc, "tweet_id", tid, sizeof tid);
	for (size_t i = 0; i < in->ntweets; i++) {
		struct rep_in_tweet *t = &in->tweets[i];
		if (strcmp(t->tweet_id, tid) != 0)
			continue;
		free(t->author);
		if (find_path(doc, "author", &d) && BSON_ITER_HOLDS_DOCUMENT(&d)) {
			t->author = st_get_str(doc, "author.handle");
			if (!*t->author) {
				free(t->author);
				t->author = st_get_str(doc, "author.userName");
			}
		} else {
			t->author = st_get_str(doc, "author");
		}
		t->missing =
		    find_path(doc, "missing", &d) && BSON_ITER_HOLDS_BOOL(&d) && bson_iter_bool(&d);
		get_values(doc, "metrics", &t->metrics);
		t->metrics_at_ms = st_get_int(doc, "metrics_at", 0);
	}
}

int
store_report_load(
    struct store *s, const char *key, struct campaign *c, struct rep_input *in, char **cause)
{
	memset(in, 0, sizeof *in);
	int rc = store_campaign_get(s, key, c, cause);
	if (rc != 0)
		return rc;
	snprintf(in->campaign_id, sizeof in->campaign_id, "%s", c->id);
	in->name = xstrdup(c->cfg.name);
	in->client = xstrdup(c->cfg.client.name);
	in->client_logo = xstrdup(c->cfg.client.logo ? c->cfg.client.logo : "");
	in->client_accent = xstrdup(c->cfg.client.accent ? c->cfg.client.accent : "");
	in->window_start_ms = c->cfg.start_s * 1000;
	in->window_end_ms = c->cfg.end_s * 1000;
	in->status = c->status;
	in->cpm = c->cfg.cpm;
	in->farm = c->cfg.farm;
	in->ntweets = c->cfg.ntweets;
	in->tweets = xcalloc(in->ntweets + 1, sizeof *in->tweets);
	for (size_t i = 0; i < c->cfg.ntweets; i++) {
		struct rep_in_tweet *t = &in->tweets[i];
		snprintf(t->tweet_id, sizeof t->tweet_id, "%s", c->cfg.tweets[i].id);
		t->category = c->cfg.tweets[i].category;
		t->url = xstrdup(c->cfg.tweets[i].url ? c->cfg.tweets[i].url : t->tweet_id);
		t->author = xstrdup("");
	}
	bson_t *filter = BCON_NEW("campaign_id", BCON_UTF8(c->id));
	if (each_doc(s, "tweets", filter, true, load_tweet, in, cause) != 0) {
		bson_destroy(filter);
		rep_input_done(in);
		campaign_done(c);
		return -1;
	}
	bson_destroy(filter);
	return 0;
}

void
store_closeout_done(struct store_closeout *st)
{
	free(st->frozen_json);
	free(st->archive_dir);
	memset(st, 0, sizeof *st);
}

/* Returns the sub-document at path as relaxed extended JSON, or NULL. */
static char *
subdoc_json(const bson_t *doc, const char *path)
{
	bson_iter_t d;
	const uint8_t *data;
	uint32_t len;
	bson_t sub;
	if (!find_path(doc, path, &d) || !BSON_ITER_HOLDS_DOCUMENT(&d))
		return NULL;
	bson_iter_document(&d, &len, &data);
	if (!bson_init_static(&sub, data, len))
		return NULL;
	char *j = bson_as_relaxed_extended_json(&sub, NULL);
	char *out = xstrdup(j);
	bson_free(j);
	return out;
}

int
store_closeout_get(struct store *s, const char *id, struct store_closeout *out, char **cause)
{
	bson_t doc;
	bson_iter_t d, a;
	memset(out, 0, sizeof *out);
	bson_t *filter = BCON_NEW("_id", BCON_UTF8(id));
	int rc = st_find_one(s, "campaigns", filter, &doc, cause);
	bson_destroy(filter);
	if (rc != 0)
		return rc;
	char *st = st_get_str(&doc, "status");
	if (campaign_status_parse(st, &out->status) != 0)
		out->status = CS_SCHEDULED;
	free(st);
	out->completed_at_ms = st_get_int(&doc, "completed_at", 0);
	out->frozen_json = subdoc_json(&doc, "frozen");
	out->frozen_at_ms = st_get_int(&doc, "closeout.frozen_at", 0);
	out->archive_dir = st_get_str(&doc, "closeout.archive_dir");
	char *state = st_get_str(&doc, "closeout.state");
	out->archived = strcmp(state, "done") == 0;
	free(state);
	if (find_path(&doc, "reopen_history", &d) && BSON_ITER_HOLDS_ARRAY(&d) &&
	    bson_iter_recurse(&d, &a))
		while (bson_iter_next(&a))
			out->reopens++;
	bson_destroy(&doc);
	return 0;
}

/* Applies update to the campaign matching filter; sets *matched. */
static int
update_matching(struct store *s, const bson_t *filter, const bson_t *update, const char *what,
    bool *matched, char **cause)
{
	bson_error_t err;
	mongoc_client_t *client;
	bool ok = false;
	bson_t reply;
	*matched = false;
	for (int attempt = 0; attempt < 2 && !ok; attempt++) {
		mongoc_collection_t *coll = st_coll(s, "campaigns", &client);
		ok = mongoc_collection_update_one(coll, filter, update, NULL, &reply, &err);
		if (ok)
			*matched = st_get_int(&reply, "matchedCount", 0) > 0;
		bson_destroy(&reply);
		st_coll_done(s, coll, client);
		if (!ok && !st_retryable(&err))
			break;
	}
	return ok ? 0 : st_fail(s, cause, what, &err);
}

int
store_closeout_freeze(struct store *s, const char *id, const char *frozen_json,
    int64_t frozen_at_ms, const char *archive_dir, char **cause)
{
	bson_error_t err;
	bson_t frozen, upd = BSON_INITIALIZER, set, co;
	bool matched;
	if (!bson_init_from_json(&frozen, frozen_json, -1, &err))
		return set_cause(cause, "the frozen report is not valid JSON: %s", err.message);
	/* keyed on the close-out record, so a campaign that something else
	 * marked completed without freezing it still gets frozen, once */
	bson_t *filter = BCON_NEW(
	    "_id", BCON_UTF8(id), "closeout.frozen_at", "{", "$exists", BCON_BOOL(false), "}");
	BSON_APPEND_DOCUMENT_BEGIN(&upd, "$set", &set);
	BSON_APPEND_DOCUMENT(&set, "frozen", &frozen);
	BSON_APPEND_UTF8(&set, "status", campaign_status_name(CS_COMPLETED));
	BSON_APPEND_DATE_TIME(&set, "completed_at", frozen_at_ms);
	BSON_APPEND_DATE_TIME(&set, "updated_at", frozen_at_ms);
	BSON_APPEND_DOCUMENT_BEGIN(&set, "closeout", &co);
	BSON_APPEND_UTF8(&co, "state", "archiving");
	BSON_APPEND_DATE_TIME(&co, "frozen_at", frozen_at_ms);
	BSON_APPEND_UTF8(&co, "archive_dir", archive_dir);
	bson_append_document_end(&set, &co);
	bson_append_document_end(&upd, &set);
	int rc = update_matching(s, filter, &upd, "freezing the campaign", &matched, cause);
	bson_destroy(filter);
	bson_destroy(&upd);
	bson_destroy(&frozen);
	if (rc != 0)
		return -1;
	return matched ? 0 : 1;
}

int
store_closeout_finish(struct store *s, const char *id, int64_t now_ms, char **cause)
{
	bool matched;
	bson_t *filter = BCON_NEW("_id", BCON_UTF8(id));
	bson_t *upd = BCON_NEW("$set", "{", "closeout.state", BCON_UTF8("done"),
	    "closeout.archived_at", BCON_DATE_TIME(now_ms), "}");
	int rc = update_matching(s, filter, upd, "finishing the close-out", &matched, cause);
	bson_destroy(filter);
	bson_destroy(upd);
	return rc;
}

struct dump_ctx {
	const char *time_field;
	int64_t cutoff_ms;
	store_doc_fn fn;
	store_eng_fn eng; /* NULL: none */
	void *arg;
	int rc;
	char *cause;
};

/* Hands one document to the caller's function unless it is past the cutoff
 * or an earlier call failed. */
static void
dump_one(const bson_t *doc, void *arg)
{
	struct dump_ctx *d = arg;
	size_t len;
	if (d->rc != 0)
		return;
	if (d->time_field && st_get_int(doc, d->time_field, 0) > d->cutoff_ms)
		return;
	char *j = bson_as_relaxed_extended_json(doc, &len);
	d->rc = d->fn(j, len, d->arg, &d->cause);
	bson_free(j);
	struct lw_engagement e;
	if (d->rc == 0 && d->eng && st_engagement_from_bson(doc, &e) == 0) {
		d->rc = d->eng(&e, d->arg, &d->cause);
		lw_engagement_done(&e);
	}
}

/* Walks collection for store_report_dump (and eng, when not NULL). */
static int
dump(struct store *s, const char *collection, const char *campaign_id, const char *time_field,
    int64_t cutoff_ms, bool by_id, store_doc_fn fn, store_eng_fn eng, void *arg, char **cause)
{
	struct dump_ctx d = {time_field, cutoff_ms, fn, eng, arg, 0, NULL};
	bson_t *filter = strcmp(collection, "campaigns") == 0
	                     ? BCON_NEW("_id", BCON_UTF8(campaign_id))
	                     : BCON_NEW("campaign_id", BCON_UTF8(campaign_id));
	int rc = each_doc(s, collection, filter, by_id, dump_one, &d, cause);
	bson_destroy(filter);
	if (rc == 0 && d.rc != 0) {
		set_cause(cause, "%s", d.cause ? d.cause : "archiving failed");
		rc = -1;
	}
	free(d.cause);
	return rc;
}

int
store_report_dump(struct store *s, const char *collection, const char *campaign_id,
    const char *time_field, int64_t cutoff_ms, bool by_id, store_doc_fn fn, void *arg, char **cause)
{
	return dump(s, collection, campaign_id, time_field, cutoff_ms, by_id, fn, NULL, arg, cause);
}

int
store_report_dump_engagements(struct store *s, const char *campaign_id, int64_t cutoff_ms,
    store_doc_fn fn, store_eng_fn eng, void *arg, char **cause)
{
	return dump(
	    s, "engagements", campaign_id, "first_seen_at", cutoff_ms, false, fn, eng, arg, cause);
}

/* Adds the archive record's update to a bulk. */
static void
fill_archive(struct st_batch *bulk, const void *arg)
{
	const bson_t *const *v = arg;
	bson_t *opts = BCON_NEW("upsert", BCON_BOOL(true));
	st_batch_update_one(bulk, v[0], v[1], opts);
	bson_destroy(opts);
}

int
store_archive_record(
    struct store *s, const struct archive_manifest *m, const char *dir, char **cause)
{
	bson_t upd = BSON_INITIALIZER, set, arr, f;
	char *id = xasprintf("%s:%lld", m->campaign_id, (long long)m->cutoff_ms);
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(id));
	BSON_APPEND_DOCUMENT_BEGIN(&upd, "$set", &set);
	BSON_APPEND_UTF8(&set, "campaign_id", m->campaign_id);
	BSON_APPEND_UTF8(&set, "dir", dir);
	BSON_APPEND_UTF8(&set, "format", ARCHIVE_FORMAT);
	BSON_APPEND_DATE_TIME(&set, "created_at", m->created_at_ms);
	BSON_APPEND_DATE_TIME(&set, "cutoff", m->cutoff_ms);
	if (*m->signing_key) /* the public key: who signed the manifest */
		BSON_APPEND_UTF8(&set, "signing_key", m->signing_key);
	BSON_APPEND_ARRAY_BEGIN(&set, "files", &arr);
	for (size_t i = 0; i < m->nfiles; i++) {
		char k[16];
		const char *kp;
		bson_uint32_to_string((uint32_t)i, &kp, k, sizeof k);
		BSON_APPEND_DOCUMENT_BEGIN(&arr, kp, &f);
		BSON_APPEND_UTF8(&f, "name", m->files[i].name);
		BSON_APPEND_UTF8(&f, "collection", m->files[i].collection);
		BSON_APPEND_INT64(&f, "documents", m->files[i].documents);
		BSON_APPEND_INT64(&f, "bytes", m->files[i].bytes);
		BSON_APPEND_UTF8(&f, "sha256", m->files[i].sha256);
		bson_append_document_end(&arr, &f);
	}
	bson_append_array_end(&set, &arr);
	bson_append_document_end(&upd, &set);
	const bson_t *v[2] = {sel, &upd};
	int rc = st_bulk(s, "archives", "recording the archive", fill_archive, v, cause);
	bson_destroy(sel);
	bson_destroy(&upd);
	free(id);
	return rc;
}

int
store_campaign_reopen(struct store *s, const char *id, enum campaign_status new_status,
    int64_t now_ms, const char *note, char **cause)
{
	bson_t doc, upd = BSON_INITIALIZER, set, push, h;
	bson_iter_t d;
	bool matched;
	bson_t *filter = BCON_NEW("_id", BCON_UTF8(id));
	int rc = st_find_one(s, "campaigns", filter, &doc, cause);
	bson_destroy(filter);
	if (rc != 0)
		return rc;
	BSON_APPEND_DOCUMENT_BEGIN(&upd, "$set", &set);
	BSON_APPEND_UTF8(&set, "status", campaign_status_name(new_status));
	BSON_APPEND_DATE_TIME(&set, "updated_at", now_ms);
	BSON_APPEND_NULL(&set, "completed_at");
	BSON_APPEND_NULL(&set, "close_requested_at");
	BSON_APPEND_NULL(&set, "frozen");
	BSON_APPEND_NULL(&set, "closeout");
	bson_append_document_end(&upd, &set);
	BSON_APPEND_DOCUMENT_BEGIN(&upd, "$push", &push);
	BSON_APPEND_DOCUMENT_BEGIN(&push, "reopen_history", &h);
	BSON_APPEND_DATE_TIME(&h, "at", now_ms);
	BSON_APPEND_UTF8(&h, "note", note ? note : "");
	BSON_APPEND_UTF8(&h, "status_after", campaign_status_name(new_status));
	if (find_path(&doc, "completed_at", &d))
		BSON_APPEND_VALUE(&h, "previous_completed_at", bson_iter_value(&d));
	if (find_path(&doc, "closeout", &d))
		BSON_APPEND_VALUE(&h, "previous_closeout", bson_iter_value(&d));
	if (find_path(&doc, "frozen", &d))
		BSON_APPEND_VALUE(&h, "previous_frozen", bson_iter_value(&d));
	bson_append_document_end(&push, &h);
	bson_append_document_end(&upd, &push);
	filter =
	    BCON_NEW("_id", BCON_UTF8(id), "status", BCON_UTF8(campaign_status_name(CS_COMPLETED)));
	rc = update_matching(s, filter, &upd, "reopening the campaign", &matched, cause);
	bson_destroy(filter);
	bson_destroy(&upd);
	bson_destroy(&doc);
	if (rc != 0)
		return -1;
	return matched ? 0 : 1;
}

int
store_report_test_insert(struct store *s, const char *collection, const char *json, char **cause)
{
	bson_error_t err;
	mongoc_client_t *client;
	bson_t *doc = bson_new_from_json((const uint8_t *)json, -1, &err);
	if (doc == NULL)
		return set_cause(cause, "bad test document: %s", err.message);
	mongoc_collection_t *coll = st_coll(s, collection, &client);
	bool ok = mongoc_collection_insert_one(coll, doc, NULL, NULL, &err);
	st_coll_done(s, coll, client);
	bson_destroy(doc);
	return ok ? 0 : st_fail(s, cause, "inserting a test document", &err);
}

int
store_report_test_command(struct store *s, const char *json, char **reply, char **cause)
{
	bson_error_t err;
	bson_t r;
	*reply = NULL;
	bson_t *cmd = bson_new_from_json((const uint8_t *)json, -1, &err);
	if (cmd == NULL)
		return set_cause(cause, "bad test command: %s", err.message);
	int rc = st_command(s, cmd, &r, &err);
	bson_destroy(cmd);
	if (rc != 0) {
		bson_destroy(&r);
		return st_fail(s, cause, "running a test command", &err);
	}
	char *j = bson_as_relaxed_extended_json(&r, NULL);
	*reply = xstrdup(j);
	bson_free(j);
	bson_destroy(&r);
	return 0;
}
