/*
 * store: the mongoc client pool behind launchwatch's MongoDB collections
 * (DESIGN.md section 4), the schema (collections and indexes, created at
 * open) and the helpers the store's files share through store_internal.h
 * (bson readers, bulk writes of at most ST_BULK_MAX updates, the write lock).
 * Each collection's code is in its own file (store_campaigns.c,
 * store_jobs.c, store_tweets.c, store_engagements.c, store_heartbeats.c,
 * store_agg.c, store_alerts.c, store_report.c); the command monitoring is
 * in store_monitor.c, the filters by _id in store_filter.c, `db init` in
 * store_shard.c. Any thread may call any function: each call pops a pooled
 * client and pushes it back, and operations that a restarted server
 * interrupts are retried once.
 */
#include "store/store.h"

#include <inttypes.h>
#include <mongoc/mongoc.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "base/util.h"

/* Collections and their indexes, created at start (idempotent). */
struct index_spec {
	const char *name;
	const char *keys[3]; /* field names, ascending */
	bool unique;
};

static const struct collection_spec {
	const char *name;
	bool capped;
	struct index_spec indexes[2];
} collections[] = {
    {"campaigns", false, {{"name_unique", {"name"}, true}}},
    {"tweets", false, {{"campaign_tweet", {"campaign_id", "tweet_id"}, false}}},
    {"engagements", false,
        {{"campaign_seen", {"campaign_id", "first_seen_at"}, false},
            {"campaign_user", {"campaign_id", "user_id"}, false}}},
    {"metric_slices", false, {{"campaign_at", {"campaign_id", "at"}, false}}},
    {"worker_state", false, {{"campaign_due", {"campaign_id", "next_run_at"}, false}}},
    {"alerts_sent", false, {{"campaign_sent", {"campaign_id", "sent_at"}, false}}},
    {"archives", false, {{"campaign", {"campaign_id"}, false}}},
    {"worker_log", true, {{"at", {"at"}, false}}},
    {"changes", false, {{NULL}}},
    {"aggregates", false, {{NULL}}},
};

/* serverSelectionTimeoutMS unless the URI sets it: for the first contact
 * (a dead server is named quickly), then on MongoDB (longer than a replica
 * set's election, ~10-12 s, with room for a slow one). */
#define ST_SELECT_FIRST_MS   3000
#define ST_SELECT_MONGODB_MS 30000

#define WORKER_LOG_BYTES (16 * 1024 * 1024)

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

/* Drops the driver's own log lines: they would land on the console's screen,
 * and every failure they describe reaches the caller as an error anyway. */
static void
quiet_log(mongoc_log_level_t level, const char *domain, const char *message, void *data)
{
	(void)level;
	(void)domain;
	(void)message;
	(void)data;
}

/* Initializes the driver once per process and cleans it up at exit. */
static void
store_init_driver(void)
{
	mongoc_log_set_handler(quiet_log, NULL);
	mongoc_init();
	atexit(mongoc_cleanup);
}

/* Fills *cause with "database S: what: message" and returns -1. */
int
st_fail(const struct store *s, char **cause, const char *what, const bson_error_t *e)
{
	return set_cause(cause, "database %s: %s: %s", s ? s->describe : "?", what,
	    e && e->message[0] ? e->message : "unknown error");
}

/* Returns true when an error means the connection was lost or no server was
 * dropped, so one retry may succeed against a restarted server. */
bool
st_retryable(const bson_error_t *e)
{
	/* a failed server selection already waited its whole timeout */
	return e->domain == MONGOC_ERROR_STREAM;
}

/* Builds "host:port,.../db" (or "mongodb+srv://HOST/db") from the URI for
 * messages. */
static char *
describe_uri(const mongoc_uri_t *uri, const char *dbname)
{
	struct sbuf b;
	sbuf_init(&b);
	if (mongoc_uri_get_srv_hostname(uri) != NULL)
		sbuf_printf(&b, "mongodb+srv://%s", mongoc_uri_get_srv_hostname(uri));
	for (const mongoc_host_list_t *h = mongoc_uri_get_hosts(uri); h && b.len == 0; h = h->next)
		sbuf_printf(&b, "%s%s", b.len ? "," : "", h->host_and_port);
	if (b.len == 0)
		sbuf_addstr(&b, "(no hosts)");
	sbuf_printf(&b, "/%s", dbname);
	return sbuf_take(&b);
}

static int store_ensure_schema(struct store *s, char **cause);

/* Asks the server what it is (buildInfo, once) and sets s->server and the
 * query shapes. */
static void
probe_server(struct store *s)
{
	bson_t *cmd = BCON_NEW("buildInfo", BCON_INT32(1));
	bson_t reply;
	bson_error_t err;
	bool ok = st_command(s, cmd, &reply, &err) == 0;
	s->server = st_server_kind_of(ok ? &reply : NULL);
	s->ferretdb = s->server->id_scans;
	bson_destroy(&reply); /* initialized by the driver even on error */
	bson_destroy(cmd);
}

/* Creates the client pool of s from s->uri with command monitoring; 0, or
 * -1 with a cause (a failed SRV lookup is named). */
static int
make_pool(struct store *s, char **cause)
{
	bson_error_t err;
	s->pool = mongoc_client_pool_new_with_error(s->uri, &err);
	if (s->pool == NULL) {
		const char *srv = mongoc_uri_get_srv_hostname(s->uri);
		if (srv != NULL)
			return set_cause(cause, "database %s: the DNS lookup of %s failed: %s",
			    s->describe, srv, err.message);
		return set_cause(cause, "database %s: cannot create a client pool: %s", s->describe,
		    err.message);
	}
	mongoc_client_pool_set_error_api(s->pool, MONGOC_ERROR_API_VERSION_2);
	st_monitor_attach(s);
	return 0;
}

int
store_open(const char *uristr, const char *dbname, struct store **out, char **cause)
{
	bson_error_t err;
	struct store *s = NULL;
	pthread_once(&init_once, store_init_driver);
	*out = NULL;

	mongoc_uri_t *uri = mongoc_uri_new_with_error(uristr, &err);
	if (uri == NULL) {
		/* the parser's message may quote the URI, which may hold a password */
		if (strchr(uristr, '@') == NULL)
			return set_cause(
			    cause, "MONGODB_URI is not a valid MongoDB URI: %s", err.message);
		return set_cause(cause, "MONGODB_URI is not a valid MongoDB URI");
	}
	/* a dead server is reported within seconds; the pool waits longer
	 * once the server is known to be MongoDB (below) */
	bool own_timeout =
	    mongoc_uri_get_option_as_int32(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS, 0) == 0;
	if (own_timeout)
		mongoc_uri_set_option_as_int32(
		    uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS, ST_SELECT_FIRST_MS);
	if (mongoc_uri_get_option_as_int32(uri, MONGOC_URI_CONNECTTIMEOUTMS, 0) == 0)
		mongoc_uri_set_option_as_int32(uri, MONGOC_URI_CONNECTTIMEOUTMS, 2000);
	if (mongoc_uri_get_option_as_int32(uri, MONGOC_URI_SOCKETTIMEOUTMS, 0) == 0)
		mongoc_uri_set_option_as_int32(uri, MONGOC_URI_SOCKETTIMEOUTMS, 60000);
	if (mongoc_uri_get_appname(uri) == NULL)
		mongoc_uri_set_appname(uri, "launchwatch");

	s = xcalloc(1, sizeof *s);
	pthread_mutex_init(&s->calls_mu, NULL);
	s->uri = uri;
	s->dbname = xstrdup(dbname && *dbname ? dbname : "launchwatch");
	s->describe = describe_uri(uri, s->dbname);
	if (make_pool(s, cause) != 0 || store_ping(s, cause) != 0)
		goto fail;
	probe_server(s);
	if (own_timeout && !s->ferretdb) {
		/* MongoDB: ride out a replica set's election (docs/operations.md,
		 * "Running at scale"); FerretDB has none */
		mongoc_client_pool_destroy(s->pool);
		s->pool = NULL;
		mongoc_uri_set_option_as_int32(
		    s->uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS, ST_SELECT_MONGODB_MS);
		if (make_pool(s, cause) != 0)
			goto fail;
	}
	if (store_ensure_schema(s, cause) != 0)
		goto fail;
	*out = s;
	return 0;
fail:
	store_free(s);
	return -1;
}

void
st_note(struct store *s, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	s->notes = xreallocarray(s->notes, s->nnotes + 1, sizeof *s->notes);
	s->notes[s->nnotes++] = msg;
}

const char *const *
store_schema_notes(const struct store *s, size_t *n)
{
	*n = s->nnotes;
	return (const char *const *)s->notes;
}

void
store_free(struct store *s)
{
	if (s == NULL)
		return;
	if (s->pool)
		mongoc_client_pool_destroy(s->pool);
	mongoc_uri_destroy(s->uri);
	pthread_mutex_destroy(&s->calls_mu);
	free(s->dbname);
	free(s->describe);
	for (size_t i = 0; i < s->nnotes; i++)
		free(s->notes[i]);
	free(s->notes);
	free(s);
}

const char *
store_describe(const struct store *s)
{
	return s->describe;
}

/* Runs a command on the database; retried once after a lost connection. */
int
st_command(struct store *s, const bson_t *cmd, bson_t *reply, bson_error_t *err)
{
	for (int attempt = 0;; attempt++) {
		mongoc_client_t *c = mongoc_client_pool_pop(s->pool);
		bool ok = mongoc_client_command_simple(c, s->dbname, cmd, NULL, reply, err);
		mongoc_client_pool_push(s->pool, c);
		if (ok)
			return 0;
		if (attempt > 0 || !st_retryable(err))
			return -1;
		if (reply)
			bson_destroy(reply);
	}
}

int
store_ping(struct store *s, char **cause)
{
	bson_error_t err;
	bson_t *cmd = BCON_NEW("ping", BCON_INT32(1));
	int rc = st_command(s, cmd, NULL, &err);
	bson_destroy(cmd);
	if (rc != 0)
		return set_cause(
		    cause, "cannot reach the database at %s: %s", s->describe, err.message);
	return 0;
}

/* Creates one collection; an existing one is fine. */
static int
create_collection(struct store *s, const struct collection_spec *spec, char **cause)
{
	bson_error_t err;
	bson_t cmd = BSON_INITIALIZER;
	BSON_APPEND_UTF8(&cmd, "create", spec->name);
	/* a server that cannot cap gets a plain one, trimmed by st_log_insert */
	if (spec->capped && s->server->capped) {
		BSON_APPEND_BOOL(&cmd, "capped", true);
		BSON_APPEND_INT64(&cmd, "size", WORKER_LOG_BYTES);
		BSON_APPEND_INT64(&cmd, "max", ST_LOG_DOCS);
	}
	int rc = st_command(s, &cmd, NULL, &err);
	bson_destroy(&cmd);
	if (rc != 0 && err.code != 48 /* NamespaceExists */) {
		char *what = xasprintf("creating collection %s", spec->name);
		st_fail(s, cause, what, &err);
		free(what);
		return -1;
	}
	return 0;
}

/* Creates one index of a collection (a no-op when it exists). FerretDB v1
 * mishandles several indexes in one createIndexes command, so each gets its
 * own. */
static int
create_index(struct store *s, const char *collection, const struct index_spec *ix, char **cause)
{
	bson_error_t err;
	bson_t cmd = BSON_INITIALIZER, arr, idx, keys;
	BSON_APPEND_UTF8(&cmd, "createIndexes", collection);
	BSON_APPEND_ARRAY_BEGIN(&cmd, "indexes", &arr);
	BSON_APPEND_DOCUMENT_BEGIN(&arr, "0", &idx);
	BSON_APPEND_DOCUMENT_BEGIN(&idx, "key", &keys);
	for (size_t j = 0; j < LW_ARRAY_LEN(ix->keys) && ix->keys[j]; j++)
		BSON_APPEND_INT32(&keys, ix->keys[j], 1);
	bson_append_document_end(&idx, &keys);
	BSON_APPEND_UTF8(&idx, "name", ix->name);
	if (ix->unique)
		BSON_APPEND_BOOL(&idx, "unique", true);
	bson_append_document_end(&arr, &idx);
	bson_append_array_end(&cmd, &arr);
	int rc = st_command(s, &cmd, NULL, &err);
	bson_destroy(&cmd);
	if (rc != 0 && (err.code == 85 || err.code == 86)) {
		/* the same keys under another name (85), or another index under
		 * this name (86): the operator's, kept as it is */
		st_note(s, "index %s of %s not created: %s", ix->name, collection, err.message);
		return 0;
	}
	if (rc != 0) {
		char *what = xasprintf("creating index %s of %s", ix->name, collection);
		st_fail(s, cause, what, &err);
		free(what);
		return -1;
	}
	return 0;
}

/* Returns true when name is in the NULL-terminated list v. */
static bool
in_list(char **v, const char *name)
{
	for (; v && *v; v++)
		if (strcmp(*v, name) == 0)
			return true;
	return false;
}

static int
store_ensure_schema(struct store *s, char **cause)
{
	bson_error_t err;
	mongoc_client_t *client = mongoc_client_pool_pop(s->pool);
	mongoc_database_t *db = mongoc_client_get_database(client, s->dbname);
	char **have = mongoc_database_get_collection_names_with_opts(db, NULL, &err);
	mongoc_database_destroy(db);
	mongoc_client_pool_push(s->pool, client);
	if (have == NULL)
		return st_fail(s, cause, "listing collections", &err);
	for (size_t i = 0; i < LW_ARRAY_LEN(collections); i++) {
		const struct collection_spec *c = &collections[i];
		if (!in_list(have, c->name) && create_collection(s, c, cause) != 0) {
			bson_strfreev(have);
			return -1;
		}
		for (size_t j = 0; j < LW_ARRAY_LEN(c->indexes) && c->indexes[j].name; j++)
			if (create_index(s, c->name, &c->indexes[j], cause) != 0) {
				bson_strfreev(have);
				return -1;
			}
	}
	bson_strfreev(have);
	return 0;
}

/* Pops a client and returns the named collection (release with st_coll_done). */
mongoc_collection_t *
st_coll(struct store *s, const char *name, mongoc_client_t **client)
{
	*client = mongoc_client_pool_pop(s->pool);
	return mongoc_client_get_collection(*client, s->dbname, name);
}

/* Destroys the collection handle and pushes its client back. */
void
st_coll_done(struct store *s, mongoc_collection_t *coll, mongoc_client_t *client)
{
	mongoc_collection_destroy(coll);
	mongoc_client_pool_push(s->pool, client);
}

int64_t
store_count(struct store *s, const char *collection, const char *campaign_id, char **cause)
{
	bson_error_t err;
	bson_t filter = BSON_INITIALIZER;
	mongoc_client_t *client;
	int64_t n = -1;
	if (campaign_id)
		BSON_APPEND_UTF8(&filter, "campaign_id", campaign_id);
	for (int attempt = 0; attempt < 2; attempt++) {
		mongoc_collection_t *coll = st_coll(s, collection, &client);
		n = mongoc_collection_count_documents(coll, &filter, NULL, NULL, NULL, &err);
		st_coll_done(s, coll, client);
		if (n >= 0 || !st_retryable(&err))
			break;
	}
	bson_destroy(&filter);
	if (n < 0) {
		char *what = xasprintf("counting %s", collection);
		st_fail(s, cause, what, &err);
		free(what);
	}
	return n;
}

int
store_index_names(struct store *s, const char *collection, char ***names, char **cause)
{
	bson_error_t err;
	const bson_t *doc;
	mongoc_client_t *client;
	size_t n = 0;
	char **v = xcalloc(1, sizeof *v);
	mongoc_collection_t *coll = st_coll(s, collection, &client);
	mongoc_cursor_t *cur = mongoc_collection_find_indexes_with_opts(coll, NULL);
	while (mongoc_cursor_next(cur, &doc)) {
		bson_iter_t it;
		if (bson_iter_init_find(&it, doc, "name") && BSON_ITER_HOLDS_UTF8(&it)) {
			v = xreallocarray(v, n + 2, sizeof *v);
			v[n++] = xstrdup(bson_iter_utf8(&it, NULL));
			v[n] = NULL;
		}
	}
	bool bad = mongoc_cursor_error(cur, &err);
	mongoc_cursor_destroy(cur);
	st_coll_done(s, coll, client);
	if (bad) {
		for (size_t i = 0; i < n; i++)
			free(v[i]);
		free(v);
		return st_fail(s, cause, "listing indexes", &err);
	}
	*names = v;
	return 0;
}

void
st_append_user(bson_t *b, const char *key, const struct lw_user *u)
{
	bson_t sub;
	BSON_APPEND_DOCUMENT_BEGIN(b, key, &sub);
	BSON_APPEND_UTF8(&sub, "handle", u->handle ? u->handle : "");
	BSON_APPEND_UTF8(&sub, "name", u->name ? u->name : "");
	BSON_APPEND_UTF8(&sub, "bio", u->bio ? u->bio : "");
	BSON_APPEND_INT64(&sub, "followers", u->followers);
	BSON_APPEND_INT64(&sub, "following", u->following);
	BSON_APPEND_BOOL(&sub, "verified", u->verified);
	if (u->created_at_ms > 0)
		BSON_APPEND_DATE_TIME(&sub, "created_at", u->created_at_ms);
	if (u->avatar != AV_UNKNOWN)
		BSON_APPEND_BOOL(&sub, "default_avatar", u->avatar == AV_DEFAULT);
	bson_append_document_end(b, &sub);
}

/* Appends an array of strings. */
void
st_append_str_array(bson_t *b, const char *key, char *const *v, size_t n)
{
	bson_t arr;
	BSON_APPEND_ARRAY_BEGIN(b, key, &arr);
	for (size_t i = 0; i < n; i++) {
		char k[16];
		const char *kp;
		bson_uint32_to_string((uint32_t)i, &kp, k, sizeof k);
		BSON_APPEND_UTF8(&arr, kp, v[i]);
	}
	bson_append_array_end(b, &arr);
}

/* Reads a string at a dotted path of doc into a new string ("" if absent). */
char *
st_get_str(const bson_t *doc, const char *path)
{
	bson_iter_t it, d;
	if (bson_iter_init(&it, doc) && bson_iter_find_descendant(&it, path, &d) &&
	    BSON_ITER_HOLDS_UTF8(&d))
		return xstrdup(bson_iter_utf8(&d, NULL));
	return xstrdup("");
}

/* Reads a string, or an array of strings joined by ", ", at a dotted path
 * of doc into a new string ("" when absent). */
char *
st_get_text(const bson_t *doc, const char *path)
{
	bson_iter_t it, d, a;
	if (!bson_iter_init(&it, doc) || !bson_iter_find_descendant(&it, path, &d))
		return xstrdup("");
	if (BSON_ITER_HOLDS_UTF8(&d))
		return xstrdup(bson_iter_utf8(&d, NULL));
	struct sbuf b;
	sbuf_init(&b);
	sbuf_addstr(&b, "");
	if (BSON_ITER_HOLDS_ARRAY(&d) && bson_iter_recurse(&d, &a))
		while (bson_iter_next(&a))
			if (BSON_ITER_HOLDS_UTF8(&a))
				sbuf_printf(
				    &b, "%s%s", b.len ? ", " : "", bson_iter_utf8(&a, NULL));
	return sbuf_take(&b);
}

/* Reads an integer, date or double at a dotted path (def if absent). */
int64_t
st_get_int(const bson_t *doc, const char *path, int64_t def)
{
	bson_iter_t it, d;
	if (!bson_iter_init(&it, doc) || !bson_iter_find_descendant(&it, path, &d))
		return def;
	if (BSON_ITER_HOLDS_DATE_TIME(&d))
		return bson_iter_date_time(&d);
	if (BSON_ITER_HOLDS_NUMBER(&d))
		return bson_iter_as_int64(&d);
	return def;
}

/* Reads an array of strings at a dotted path into a new array. */
char **
st_get_str_array(const bson_t *doc, const char *path, size_t *n)
{
	bson_iter_t it, d, a;
	char **v = NULL;
	*n = 0;
	if (!bson_iter_init(&it, doc) || !bson_iter_find_descendant(&it, path, &d) ||
	    !BSON_ITER_HOLDS_ARRAY(&d) || !bson_iter_recurse(&d, &a))
		return NULL;
	while (bson_iter_next(&a)) {
		if (!BSON_ITER_HOLDS_UTF8(&a))
			continue;
		v = xreallocarray(v, *n + 1, sizeof *v);
		v[(*n)++] = xstrdup(bson_iter_utf8(&a, NULL));
	}
	return v;
}

/* Finds one document of a collection by filter into *out (caller destroys).
 * Returns 0 when found, 1 when not, -1 on error. */
int
st_find_one(
    struct store *s, const char *collection, const bson_t *filter, bson_t *out, char **cause)
{
	bson_error_t err;
	const bson_t *doc;
	mongoc_client_t *client;
	int rc = 1;
	for (int attempt = 0; attempt < 2; attempt++) {
		mongoc_collection_t *coll = st_coll(s, collection, &client);
		mongoc_cursor_t *cur = mongoc_collection_find_with_opts(coll, filter, NULL, NULL);
		rc = 1;
		if (mongoc_cursor_next(cur, &doc)) {
			bson_copy_to(doc, out);
			rc = 0;
		} else if (mongoc_cursor_error(cur, &err)) {
			rc = -1;
		}
		mongoc_cursor_destroy(cur);
		st_coll_done(s, coll, client);
		if (rc != -1 || !st_retryable(&err))
			break;
	}
	if (rc == -1) {
		char *what = xasprintf("reading %s", collection);
		st_fail(s, cause, what, &err);
		free(what);
	}
	return rc;
}

int
st_find_id(struct store *s, const char *collection, const char *id, bson_t *out, char **cause)
{
	bson_t *sel = st_id_sel(s, id);
	int rc = st_find_one(s, collection, sel, out, cause);
	bson_destroy(sel);
	return rc;
}

struct st_batch {
	const struct store *s;
	mongoc_collection_t *coll;
	mongoc_bulk_operation_t *bulk; /* NULL until the first write after a flush */
	size_t n;                      /* writes in bulk */
	bool failed;
	bson_error_t err;
};

/* Executes the pending writes of b, if any, as one command. */
static void
st_batch_flush(struct st_batch *b)
{
	if (b->bulk == NULL)
		return;
	if (!b->failed) {
		bson_t reply;
		if (!mongoc_bulk_operation_execute(b->bulk, &reply, &b->err))
			b->failed = true;
		bson_destroy(&reply);
	}
	mongoc_bulk_operation_destroy(b->bulk);
	b->bulk = NULL;
	b->n = 0;
}

void
st_batch_update_one(struct st_batch *b, const bson_t *sel, const bson_t *upd, const bson_t *opts)
{
	if (b->failed)
		return;
	if (b->bulk == NULL)
		b->bulk = mongoc_collection_create_bulk_operation_with_opts(b->coll, NULL);
	mongoc_bulk_operation_update_one_with_opts(b->bulk, sel, upd, opts, NULL);
	if (++b->n >= ST_BULK_MAX)
		st_batch_flush(b);
}

void
st_batch_update_id(struct st_batch *b, const char *id, const bson_t *upd, const bson_t *opts)
{
	bson_t *sel = st_id_sel(b->s, id);
	st_batch_update_one(b, sel, upd, opts);
	bson_destroy(sel);
}

int
st_bulk(struct store *s, const char *collection, const char *what,
    void (*fill)(struct st_batch *, const void *), const void *arg, char **cause)
{
	mongoc_client_t *client;
	struct st_batch b;
	memset(&b, 0, sizeof b);
	for (int attempt = 0; attempt < 2; attempt++) {
		memset(&b, 0, sizeof b);
		b.s = s;
		b.coll = st_coll(s, collection, &client);
		fill(&b, arg);
		st_batch_flush(&b);
		st_coll_done(s, b.coll, client);
		if (!b.failed || !st_retryable(&b.err))
			break;
	}
	if (b.failed)
		return st_fail(s, cause, what, &b.err);
	return 0;
}

/* Every write of the ingest engine goes through this lock: FerretDB v1
 * (SQLite) takes one writer at a time, and concurrent upserts that match
 * existing documents from several connections were seen to wedge it for
 * good. */
static pthread_mutex_t write_mu = PTHREAD_MUTEX_INITIALIZER;

void
st_write_lock(void)
{
	pthread_mutex_lock(&write_mu);
}

void
st_write_unlock(void)
{
	pthread_mutex_unlock(&write_mu);
}

/* Runs one command-like operation on a collection with one retry after a
 * dropped connection: op returns true on success. */
int
st_with_coll(struct store *s, const char *collection, const char *what,
    bool (*op)(mongoc_collection_t *, void *, bson_error_t *), void *arg, char **cause)
{
	bson_error_t err;
	mongoc_client_t *client;
	bool ok = false;
	st_write_lock();
	for (int attempt = 0; attempt < 2 && !ok; attempt++) {
		mongoc_collection_t *coll = st_coll(s, collection, &client);
		ok = op(coll, arg, &err);
		st_coll_done(s, coll, client);
		if (!ok && !st_retryable(&err))
			break;
	}
	st_write_unlock();
	return ok ? 0 : st_fail(s, cause, what, &err);
}

/* Copies the string at path into a fixed buffer. */
void
st_get_strbuf(const bson_t *doc, const char *path, char *buf, size_t size)
{
	char *v = st_get_str(doc, path);
	snprintf(buf, size, "%s", v);
	free(v);
}

struct update_arg {
	const bson_t *sel, *update;
	bool many;
};

/* Runs update_one or update_many. */
static bool
update_op(mongoc_collection_t *coll, void *p, bson_error_t *err)
{
	struct update_arg *a = p;
	if (a->many)
		return mongoc_collection_update_many(coll, a->sel, a->update, NULL, NULL, err);
	return mongoc_collection_update_one(coll, a->sel, a->update, NULL, NULL, err);
}

/* Reads every document of collection matching filter, calling fn on each;
 * 0 or -1. */
int
st_scan(struct store *s, const char *collection, const bson_t *filter, const bson_t *opts,
    void (*fn)(const bson_t *, void *), void *arg, char **cause)
{
	bson_error_t err;
	const bson_t *doc;
	mongoc_client_t *client;
	mongoc_collection_t *coll = st_coll(s, collection, &client);
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(coll, filter, opts, NULL);
	while (mongoc_cursor_next(cur, &doc))
		fn(doc, arg);
	bool bad = mongoc_cursor_error(cur, &err);
	mongoc_cursor_destroy(cur);
	st_coll_done(s, coll, client);
	return bad ? st_fail(s, cause, "reading", &err) : 0;
}

/* Applies update to the documents of collection matching sel. */
int
st_update_where(struct store *s, const char *collection, const bson_t *sel, const bson_t *update,
    bool many, const char *what, char **cause)
{
	struct update_arg a = {.sel = sel, .update = update, .many = many};
	return st_with_coll(s, collection, what, update_op, &a, cause);
}

struct id_write {
	const struct store *s;
	const char *id;
	const bson_t *doc; /* an update, or the replacement */
	int kind;          /* 0 upsert, 1 replace, 2 delete */
};

/* Runs one write of a document by _id. */
static bool
id_write_op(mongoc_collection_t *coll, void *p, bson_error_t *err)
{
	struct id_write *a = p;
	bson_t *sel = st_id_sel(a->s, a->id);
	bson_t *opts = BCON_NEW("upsert", BCON_BOOL(true));
	bool ok;
	if (a->kind == 0)
		ok = mongoc_collection_update_one(coll, sel, a->doc, opts, NULL, err);
	else if (a->kind == 1)
		ok = mongoc_collection_replace_one(coll, sel, a->doc, opts, NULL, err);
	else
		ok = mongoc_collection_delete_one(coll, sel, NULL, NULL, err);
	bson_destroy(opts);
	bson_destroy(sel);
	return ok;
}

int
st_upsert_id(struct store *s, const char *collection, const char *id, const bson_t *update,
    const char *what, char **cause)
{
	struct id_write a = {s, id, update, 0};
	return st_with_coll(s, collection, what, id_write_op, &a, cause);
}

int
st_replace_id(struct store *s, const char *collection, const char *id, const bson_t *doc,
    const char *what, char **cause)
{
	struct id_write a = {s, id, doc, 1};
	return st_with_coll(s, collection, what, id_write_op, &a, cause);
}

int
st_delete_id(
    struct store *s, const char *collection, const char *id, const char *what, char **cause)
{
	struct id_write a = {s, id, NULL, 2};
	return st_with_coll(s, collection, what, id_write_op, &a, cause);
}
