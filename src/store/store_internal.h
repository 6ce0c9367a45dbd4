/*
 * store_internal: what the store's source files (src/store/store*.c) share: the
 * pool and small helpers around mongoc and bson. Only src/store/store*.c include
 * this header (it includes mongoc); every helper is thread-safe like the
 * store itself.
 */
#ifndef LW_STORE_INTERNAL_H
#define LW_STORE_INTERNAL_H

#include <mongoc/mongoc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "model/event.h"
#include "model/job.h"
#include "store/store.h"

/* Commands in flight, at most one per thread (command monitoring runs on
 * the calling thread). */
#define ST_CALLS_MAX 128

/* One thread's command in flight. */
struct st_call {
	pthread_t thread;
	bool busy;
	int64_t since_ms;
	char what[64];
};

/* A kind of server and what the store does differently on it
 * (store_server.c). */
struct st_server_kind {
	const char *name;  /* "MongoDB", "FerretDB", "mongo-java-server" */
	const char *field; /* the buildInfo field that names it; NULL: none does */
	bool id_scans;     /* cheap lookups only for a filter of exactly {_id: value} */
	bool capped;       /* creates capped collections (the worker_log) */
};

/* The worker_log keeps about this many lines: the capped collection's
 * maximum, or what a plain one is trimmed to. */
#define ST_LOG_DOCS 100000
/* A plain worker_log is trimmed at a process's first line and every this
 * many lines after. */
#define ST_LOG_TRIM_EVERY 1000

struct store {
	mongoc_client_pool_t *pool;
	mongoc_uri_t *uri;
	char *dbname;
	char *describe;                      /* hosts and database, never credentials */
	const struct st_server_kind *server; /* asked once, at open */
	bool ferretdb; /* FerretDB's query shapes (its kind, unless a test says not) */
	atomic_uint_fast64_t log_lines; /* worker_log lines written by this process */
	char **notes;                   /* what store_open found about the schema and kept */
	size_t nnotes;
	store_command_fn watch; /* store_watch_commands; NULL: none */
	void *watch_arg;
	pthread_mutex_t calls_mu;
	struct st_call calls[ST_CALLS_MAX];
};

/* Adds a note about the schema (store_schema_notes). Called while one
 * thread owns s (store_open). */
void st_note(struct store *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Returns a new filter for the document _id = id of a per-campaign
 * collection (engagements, metric_slices, worker_state, alerts_sent,
 * aggregates, changes: every _id there starts with its campaign id, up to
 * the first ':' or the end): exactly {_id: id} on FerretDB, the only filter
 * it answers without a scan; {_id: id, campaign_id: CID} elsewhere, so a
 * sharded cluster sends the write to one shard (shard key {campaign_id:
 * "hashed", _id: 1}, docs/operations.md). Caller destroys it. */
bson_t *st_id_sel(const struct store *s, const char *id);

/* Appends campaign_id: the campaign part of id (as st_id_sel) to sel
 * unless the server is FerretDB. */
void st_append_campaign_of(const struct store *s, bson_t *sel, const char *id);

/* Sets the command monitoring callbacks of s->pool (the calls in flight,
 * store_watch_commands). */
void st_monitor_attach(struct store *s);

/* Fills *cause with "database HOSTS/DB: what: message" and returns -1. */
int st_fail(const struct store *s, char **cause, const char *what, const bson_error_t *e);

/* Returns true when an error means the connection dropped, so one retry may
 * succeed against a restarted server. */
bool st_retryable(const bson_error_t *e);

/* Returns the kind of server whose buildInfo reply is build_info (NULL: it
 * did not answer, taken for MongoDB); static. */
const struct st_server_kind *st_server_kind_of(const bson_t *build_info);

/* Appends a line to the worker_log and, where it is a plain collection,
 * trims it now and then (store_heartbeats.c). 0 or -1 with a cause. */
int st_log_insert(struct store *s, const bson_t *line, char **cause);

/* Runs a command on the store's database (reply may be NULL; when not, the
 * caller destroys it); retried once after a dropped connection. 0 or -1. */
int st_command(struct store *s, const bson_t *cmd, bson_t *reply, bson_error_t *err);

/* Pops a pooled client and returns the named collection (give both back
 * with st_coll_done). */
mongoc_collection_t *st_coll(struct store *s, const char *name, mongoc_client_t **client);

/* Destroys the collection handle and pushes its client back. */
void st_coll_done(struct store *s, mongoc_collection_t *coll, mongoc_client_t *client);

/* Finds one document by filter into *out (caller destroys it). Returns 0 when
 * found, 1 when not, -1 on error with a cause. */
int st_find_one(
    struct store *s, const char *collection, const bson_t *filter, bson_t *out, char **cause);

/* Finds the document with _id id (filtered as st_id_sel says) into *out
 * (caller destroys it): st_find_one's 0 found, 1 not, -1 with a cause. */
int st_find_id(struct store *s, const char *collection, const char *id, bson_t *out, char **cause);

/* Most updates per command: FerretDB v1 keeps one SQLite connection per
 * matching update until the command ends and has 100 per database, so
 * larger commands can wedge it (docs/operations.md). */
#define ST_BULK_MAX 25

/* Where a fill() callback of st_bulk adds its writes; every ST_BULK_MAX of
 * them go out as one command. */
struct st_batch;

/* Adds one updateOne (opts may be NULL) to the batch. */
void st_batch_update_one(
    struct st_batch *b, const bson_t *sel, const bson_t *upd, const bson_t *opts);

/* Adds one updateOne of the document _id = id of a per-campaign
 * collection, filtered as st_id_sel says (opts may be NULL). */
void st_batch_update_id(struct st_batch *b, const char *id, const bson_t *upd, const bson_t *opts);

/* Runs the writes that fill() adds on collection, in ordered commands of at
 * most ST_BULK_MAX updates; the whole run is retried once after a dropped
 * connection, so every write must be idempotent. 0 or -1 with a cause naming
 * what. */
int st_bulk(struct store *s, const char *collection, const char *what,
    void (*fill)(struct st_batch *, const void *), const void *arg, char **cause);

/* Reads a string at a dotted path into a new string ("" when absent). */
char *st_get_str(const bson_t *doc, const char *path);

/* Reads a string, or an array of strings joined by ", " (evidence written
 * as a list), at a dotted path into a new string ("" when absent). */
char *st_get_text(const bson_t *doc, const char *path);

/* Takes and gives back the one lock every write of the ingest engine goes
 * through (FerretDB v1 takes one writer at a time; docs/operations.md). */
void st_write_lock(void);
void st_write_unlock(void);

/* Runs op on collection under the write lock, retried once after a dropped
 * connection (op returns true on success). 0, or -1 with a cause naming
 * what. */
int st_with_coll(struct store *s, const char *collection, const char *what,
    bool (*op)(mongoc_collection_t *, void *, bson_error_t *), void *arg, char **cause);

/* Applies update to the first (or, when many, every) document of collection
 * matching sel, through st_with_coll. 0 or -1. */
int st_update_where(struct store *s, const char *collection, const bson_t *sel,
    const bson_t *update, bool many, const char *what, char **cause);

/* Calls fn on every document of collection matching filter (opts may be
 * NULL). 0 or -1 with a cause. */
int st_scan(struct store *s, const char *collection, const bson_t *filter, const bson_t *opts,
    void (*fn)(const bson_t *, void *), void *arg, char **cause);

/* Copies the string at a dotted path into buf of size bytes ("" when
 * absent; cut to fit). */
void st_get_strbuf(const bson_t *doc, const char *path, char *buf, size_t size);

/* Reads an integer, date or double at a dotted path (def when absent). */
int64_t st_get_int(const bson_t *doc, const char *path, int64_t def);

/* Reads an array of strings at a dotted path into a new array (count in *n). */
char **st_get_str_array(const bson_t *doc, const char *path, size_t *n);

/* Appends an array of n strings under key. */
void st_append_str_array(bson_t *b, const char *key, char *const *v, size_t n);

/* Reads worker_state.state of doc (JST_NEW when absent or unknown). */
enum job_state st_get_job_state(const bson_t *doc);

/* Reads worker_state.kind of doc into *out; 0, or -1 when absent or
 * unknown. */
int st_get_job_kind(const bson_t *doc, enum job_kind *out);

/* Reads an engagements document into *e (caller calls lw_engagement_done).
 * 0, or -1 (e zeroed) when its action or bucket is unreadable. */
int st_engagement_from_bson(const bson_t *doc, struct lw_engagement *e);

/* Reads a metric_slices document into *sl. */
void st_slice_from_bson(const bson_t *doc, struct lw_slice *sl);

/* Upserts the document _id = id of a per-campaign collection (filtered
 * as st_id_sel says) with update, through st_with_coll. 0 or -1 with a
 * cause naming what. */
int st_upsert_id(struct store *s, const char *collection, const char *id, const bson_t *update,
    const char *what, char **cause);

/* Replaces (or inserts) the document _id = id of a per-campaign
 * collection with doc (filtered as st_id_sel says). 0 or -1. */
int st_replace_id(struct store *s, const char *collection, const char *id, const bson_t *doc,
    const char *what, char **cause);

/* Deletes the document _id = id of a per-campaign collection (absent is
 * fine; filtered as st_id_sel says). 0 or -1. */
int st_delete_id(
    struct store *s, const char *collection, const char *id, const char *what, char **cause);

/* Appends an engagement's profile snapshot (handle, name, bio, followers,
 * following, verified) as a subdocument under key. */
void st_append_user(bson_t *b, const char *key, const struct lw_user *u);

#endif
