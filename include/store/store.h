/*
 * store: everything launchwatch keeps in MongoDB (DESIGN.md section 4), behind
 * a client pool. The only module that includes mongoc. Every function is
 * thread-safe: each call pops a pooled client and pushes it back. Errors come
 * back as a message that says what failed and never contains credentials.
 */
#ifndef LW_STORE_H
#define LW_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/campaign.h"

struct store;

/* Connects to uri (a mongodb:// or mongodb+srv:// URI; credentials never
 * appear in messages; a failed SRV lookup is named), checks the server
 * answers within about 3 seconds, and creates the collections and indexes
 * (idempotent; an index that exists under another name is kept and noted,
 * store_schema_notes). Unless the URI sets serverSelectionTimeoutMS, later
 * calls wait up to 30 s for a server on MongoDB (a replica set's election)
 * and 3 s on FerretDB. Returns 0, or -1 with a cause. Caller frees *out
 * with store_free. */
int store_open(const char *uri, const char *dbname, struct store **out, char **cause);

/* Returns what store_open found about the schema and left as it was, one sentence each ("index name_unique of campaigns not
 * created: Index already exists with a different name: name_1"), count in
 * *n; borrowed until s is freed. */
const char *const *store_schema_notes(const struct store *s, size_t *n);

/* Closes the pool; NULL is a no-op. */
void store_free(struct store *s);

/* Checks the server answers; 0 or -1 with a cause. */
int store_ping(struct store *s, char **cause);

/* Returns true when the server is FerretDB: then lookups on the hot path are
 * shaped as {_id: value}, the only filter it answers without a full scan
 * (docs/operations.md, "FerretDB v1 pitfalls"). */
bool store_is_ferretdb(const struct store *s);
/* Uses the MongoDB query shapes even on FerretDB (tests of both paths). */
void store_use_mongodb_shapes(struct store *s);
/* Returns what the server is, asked once at open: "MongoDB", "FerretDB" or
 * "mongo-java-server" (a server whose buildInfo names no build); static. */
const char *store_server_kind(const struct store *s);

/* What store_watch_commands calls: name is the command ("update"), command
 * the driver's bson_t of it as command monitoring shows it (a bulk's
 * documents as an array), both borrowed for the call. */
typedef void (*store_command_fn)(const char *name, const void *command, void *arg);
/* For tests: calls fn(name, command, arg) on the sending thread for every
 * command s sends from now on (libmongoc's command monitoring of the
 * pool); NULL stops. Call it while no other thread uses s. */
void store_watch_commands(struct store *s, store_command_fn fn, void *arg);

/* Returns "host:port[,host:port...]/dbname" for messages (no credentials);
 * borrowed for the life of s. */
const char *store_describe(const struct store *s);

/* A database command in flight (seen by the driver's command monitoring:
 * from its start until its reply, each getMore on its own). */
struct store_call {
	char what[64];    /* command and collection, "find worker_state" */
	int64_t since_ms; /* when it was sent */
};
/* Fills *c with the command of s that has been waiting longest and returns
 * true; false when none is in flight. Any thread; never blocks on the
 * database. */
bool store_oldest_call(struct store *s, struct store_call *c);

/* What store_campaign_upsert did. */
struct store_upsert_result {
	char id[CAMPAIGN_ID_MAX];
	bool created;          /* the campaign document was new */
	bool changed;          /* its settings differed from the stored ones */
	size_t tweets_added;   /* tweets not tracked before */
	size_t tweets_dropped; /* tweets no longer listed (their data is kept) */
};

/* Creates or updates the campaign named c->name: its tweets documents and
 * four worker_state checkpoints per tweet first, then the campaign document.
 * An unchanged campaign changes nothing; status and history survive an
 * update. Idempotent, so a retry after a failure completes it. */
int store_campaign_upsert(struct store *s, const struct cfg_campaign *c, int64_t now_ms,
    struct store_upsert_result *res, char **cause);

/* Loads the campaign whose id or exact name is key into *out (caller calls
 * campaign_done). Returns 0 when found, 1 when there is none, -1 on error. */
int store_campaign_get(struct store *s, const char *key, struct campaign *out, char **cause);

/* Loads every campaign, oldest first, into a new array (caller calls
 * campaign_done on each and frees the array). */
int store_campaign_list(struct store *s, struct campaign **out, size_t *n, char **cause);

/* Sets the status of campaign id (and completed_at when completed). */
int store_campaign_set_status(
    struct store *s, const char *id, enum campaign_status status, int64_t now_ms, char **cause);

/* Records that the user asked for campaign id to be closed out now. */
int store_campaign_request_close(struct store *s, const char *id, int64_t now_ms, char **cause);

/* Counts the documents of collection whose campaign_id is campaign_id (all
 * documents when campaign_id is NULL); -1 with a cause on error. */
int64_t store_count(struct store *s, const char *collection, const char *campaign_id, char **cause);

/* Returns the names of collection's indexes as a new NULL-terminated array
 * (caller frees each and the array). */
int store_index_names(struct store *s, const char *collection, char ***names, char **cause);

#endif
