/*
 * store_shard: `launchwatch db init [--shard]` (include/store/store_shard.h):
 * the schema listed, and on a mongos the per-campaign collections sharded on
 * {campaign_id: "hashed", _id: 1}. Any thread, like the store; meant for
 * one command.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_shard.h"
#include "store_internal.h"
#include "base/util.h"

/* The collections sharded on STORE_SHARD_KEY (every _id in them starts
 * with the campaign id). */
static const char *const shardable[] = {
    "engagements", "metric_slices", "worker_state", "alerts_sent", "aggregates", "changes"};

/* Returns true when the server is a mongos (isMaster says "isdbgrid"). */
static bool
is_mongos(struct store *s)
{
	bson_t *cmd = BCON_NEW("isMaster", BCON_INT32(1));
	bson_t reply;
	bson_error_t err;
	bool yes = false;
	if (st_command(s, cmd, &reply, &err) == 0) {
		char *msg = st_get_str(&reply, "msg");
		yes = strcmp(msg, "isdbgrid") == 0;
		free(msg);
	}
	bson_destroy(&reply);
	bson_destroy(cmd);
	return yes;
}

/* Reads one listCollections entry into *c (indexes listed). 0 or -1. */
static int
coll_info(struct store *s, const bson_t *doc, struct store_coll_info *c, char **cause)
{
	char **names;
	memset(c, 0, sizeof *c);
	st_get_strbuf(doc, "name", c->name, sizeof c->name);
	bson_iter_t it, d;
	c->capped = bson_iter_init(&it, doc) &&
	            bson_iter_find_descendant(&it, "options.capped", &d) && bson_iter_as_bool(&d);
	c->capped_bytes = st_get_int(doc, "options.size", 0);
	c->capped_docs = st_get_int(doc, "options.max", 0);
	c->shardable = str_index(shardable, LW_ARRAY_LEN(shardable), c->name) >= 0;
	if (store_index_names(s, c->name, &names, cause) != 0)
		return -1;
	struct sbuf b;
	sbuf_init(&b);
	sbuf_addstr(&b, "");
	for (char **p = names; *p; p++) {
		sbuf_printf(&b, "%s%s", p == names ? "" : ", ", *p);
		free(*p);
	}
	free(names);
	c->indexes = sbuf_take(&b);
	return 0;
}

/* Orders collections by name. */
static int
cmp_coll(const void *a, const void *b)
{
	return strcmp(
	    ((const struct store_coll_info *)a)->name, ((const struct store_coll_info *)b)->name);
}

/* Lists the database's collections into r. 0 or -1. */
static int
list_collections(struct store *s, struct store_db_report *r, char **cause)
{
	bson_error_t err;
	const bson_t *doc;
	int rc = 0;
	mongoc_client_t *client = mongoc_client_pool_pop(s->pool);
	mongoc_database_t *db = mongoc_client_get_database(client, s->dbname);
	mongoc_cursor_t *cur = mongoc_database_find_collections_with_opts(db, NULL);
	while (rc == 0 && mongoc_cursor_next(cur, &doc)) {
		r->v = xreallocarray(r->v, r->n + 1, sizeof *r->v);
		rc = coll_info(s, doc, &r->v[r->n++], cause);
	}
	if (rc == 0 && mongoc_cursor_error(cur, &err))
		rc = st_fail(s, cause, "listing collections", &err);
	mongoc_cursor_destroy(cur);
	mongoc_database_destroy(db);
	mongoc_client_pool_push(s->pool, client);
	if (r->n > 1)
		qsort(r->v, r->n, sizeof *r->v, cmp_coll);
	return rc;
}

/* Runs an admin command; 0, or -1 with the driver's error in *err. */
static int
admin_command(struct store *s, const bson_t *cmd, bson_error_t *err)
{
	mongoc_client_t *c = mongoc_client_pool_pop(s->pool);
	bool ok = mongoc_client_command_simple(c, "admin", cmd, NULL, NULL, err);
	mongoc_client_pool_push(s->pool, c);
	return ok ? 0 : -1;
}

/* Appends the shard key {campaign_id: "hashed", _id: 1} under key. */
static void
append_shard_key(bson_t *b, const char *key)
{
	bson_t k;
	BSON_APPEND_DOCUMENT_BEGIN(b, key, &k);
	BSON_APPEND_UTF8(&k, "campaign_id", "hashed");
	BSON_APPEND_INT32(&k, "_id", 1);
	bson_append_document_end(b, &k);
}

/* Shards collection c on the key: its index first (a compound hashed
 * index, MongoDB 4.4+), then shardCollection. One already sharded on
 * another key is kept and noted. 0 or -1. */
static int
shard_one(struct store *s, struct store_coll_info *c, char **cause)
{
	bson_error_t err;
	bson_t cmd = BSON_INITIALIZER, arr, idx;
	BSON_APPEND_UTF8(&cmd, "createIndexes", c->name);
	BSON_APPEND_ARRAY_BEGIN(&cmd, "indexes", &arr);
	BSON_APPEND_DOCUMENT_BEGIN(&arr, "0", &idx);
	append_shard_key(&idx, "key");
	BSON_APPEND_UTF8(&idx, "name", "shard_key");
	bson_append_document_end(&arr, &idx);
	bson_append_array_end(&cmd, &arr);
	int rc = st_command(s, &cmd, NULL, &err);
	bson_destroy(&cmd);
	if (rc != 0 && err.code != 85 && err.code != 86) {
		char *what = xasprintf("creating the shard key index of %s", c->name);
		st_fail(s, cause, what, &err);
		free(what);
		return -1;
	}
	char *ns = xasprintf("%s.%s", s->dbname, c->name);
	bson_init(&cmd);
	BSON_APPEND_UTF8(&cmd, "shardCollection", ns);
	append_shard_key(&cmd, "key");
	rc = admin_command(s, &cmd, &err);
	bson_destroy(&cmd);
	free(ns);
	if (rc == 0) {
		c->sharded = true;
		return 0;
	}
	if (strstr(err.message, "already") != NULL) {
		/* sharded before, on this key or another: kept as it is */
		c->shard_note = xasprintf("kept as it is: %s", err.message);
		return 0;
	}
	char *what = xasprintf("sharding %s", c->name);
	st_fail(s, cause, what, &err);
	free(what);
	return -1;
}

int
store_db_init(struct store *s, bool shard, struct store_db_report *r, char **cause)
{
	memset(r, 0, sizeof *r);
	r->ferretdb = s->ferretdb;
	r->mongos = !s->ferretdb && is_mongos(s);
	if (list_collections(s, r, cause) != 0)
		return -1;
	if (!shard || !r->mongos)
		return 0;
	bson_error_t err;
	bson_t *cmd = BCON_NEW("enableSharding", BCON_UTF8(s->dbname));
	int rc = admin_command(s, cmd, &err);
	bson_destroy(cmd);
	if (rc != 0 && strstr(err.message, "already") == NULL)
		return st_fail(s, cause, "enabling sharding", &err);
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].shardable && shard_one(s, &r->v[i], cause) != 0)
			return -1;
	return 0;
}

void
store_db_report_done(struct store_db_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].indexes);
		free(r->v[i].shard_note);
	}
	free(r->v);
	memset(r, 0, sizeof *r);
}
