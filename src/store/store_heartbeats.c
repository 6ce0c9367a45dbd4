/*
 * store_heartbeats: the heartbeats collection (one document per engine that
 * runs jobs) and the capped worker_log. Any thread.
 */
#include "store/store_ingest.h"

#include <mongoc/mongoc.h>
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
