/*
 * store_heartbeats: the heartbeats collection (one document per engine that
 * runs jobs) and the worker_log: capped where the server can (then it drops
 * the oldest lines), else a plain collection trimmed here to the newest
 * ST_LOG_DOCS lines (store_server.c says which). Any thread.
 */
#include "store/store_ingest.h"

#include <mongoc/mongoc.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "base/util.h"

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
sti_heartbeat_sentiment(struct store *s, const char *owner, const char *line, char **cause)
{
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(owner));
	bson_t *upd = BCON_NEW("$set", "{", "sentiment", BCON_UTF8(line), "}");
	int rc =
	    st_update_where(s, "heartbeats", sel, upd, false, "noting the sentiment state", cause);
	bson_destroy(sel);
	bson_destroy(upd);
	return rc;
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
		st_get_strbuf(doc, "sentiment", h->sentiment, sizeof h->sentiment);
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

/* Reads the time of the oldest of the newest keep lines into *at: 0 when
 * found, 1 when there are fewer than keep lines, -1 on error. */
static int
log_cut_time(struct store *s, int64_t keep, int64_t *at, bson_error_t *err)
{
	const bson_t *doc;
	mongoc_client_t *client;
	int rc = 1;
	bson_t filter = BSON_INITIALIZER;
	bson_t *opts =
	    BCON_NEW("sort", "{", "at", BCON_INT32(-1), "}", "projection", "{", "at", BCON_INT32(1),
	        "}", "skip", BCON_INT64(keep > 1 ? keep - 1 : 0), "limit", BCON_INT64(1));
	mongoc_collection_t *coll = st_coll(s, "worker_log", &client);
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(coll, &filter, opts, NULL);
	if (mongoc_cursor_next(cur, &doc)) {
		bson_iter_t it;
		*at = bson_iter_init_find(&it, doc, "at") && BSON_ITER_HOLDS_DATE_TIME(&it)
		          ? bson_iter_date_time(&it)
		          : 0;
		rc = 0;
	} else if (mongoc_cursor_error(cur, err)) {
		rc = -1;
	}
	mongoc_cursor_destroy(cur);
	st_coll_done(s, coll, client);
	bson_destroy(opts);
	return rc;
}

/* Deletes the documents matching the filter in the arg. */
static bool
delete_many_op(mongoc_collection_t *coll, void *p, bson_error_t *err)
{
	return mongoc_collection_delete_many(coll, p, NULL, NULL, err);
}

int
sti_log_trim(struct store *s, int64_t keep, char **cause)
{
	bson_error_t err;
	int64_t at = 0;
	if (s->server->capped)
		return 0; /* the server drops the oldest lines itself */
	int rc = log_cut_time(s, keep, &at, &err);
	if (rc != 0)
		return rc < 0 ? st_fail(s, cause, "reading the worker log", &err) : 0;
	/* older lines of that same millisecond stay: a few more than keep may */
	bson_t *older = BCON_NEW("at", "{", "$lt", BCON_DATE_TIME(at), "}");
	rc = st_with_coll(s, "worker_log", "trimming the worker log", delete_many_op, older, cause);
	bson_destroy(older);
	return rc;
}

int
st_log_insert(struct store *s, const bson_t *line, char **cause)
{
	if (st_with_coll(
	        s, "worker_log", "writing the worker log", insert_op, (void *)line, cause) != 0)
		return -1;
	/* the first line of each process and every ST_LOG_TRIM_EVERY-th after */
	if (!s->server->capped && atomic_fetch_add(&s->log_lines, 1) % ST_LOG_TRIM_EVERY == 0)
		return sti_log_trim(s, ST_LOG_DOCS, cause);
	return 0;
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
	int rc = st_log_insert(s, &doc, cause);
	bson_destroy(&doc);
	return rc;
}

int64_t
sti_log_count(struct store *s, const char *job, const char *level, int64_t since_ms, char **cause)
{
	bson_error_t err;
	bson_t filter = BSON_INITIALIZER, at;
	mongoc_client_t *client;
	BSON_APPEND_UTF8(&filter, "job", job);
	BSON_APPEND_UTF8(&filter, "level", level);
	BSON_APPEND_DOCUMENT_BEGIN(&filter, "at", &at);
	BSON_APPEND_DATE_TIME(&at, "$gte", since_ms);
	bson_append_document_end(&filter, &at);
	mongoc_collection_t *coll = st_coll(s, "worker_log", &client);
	int64_t n = mongoc_collection_count_documents(coll, &filter, NULL, NULL, NULL, &err);
	st_coll_done(s, coll, client);
	bson_destroy(&filter);
	if (n < 0)
		st_fail(s, cause, "counting worker_log lines", &err);
	return n;
}
