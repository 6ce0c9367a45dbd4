/*
 * store_shard: `launchwatch db init [--shard]` (docs/operations.md, "Running
 * at scale"): what the store created at open, and, against a mongos, the
 * per-campaign collections sharded on {campaign_id: "hashed", _id: 1}.
 * Thread-safe like the store; meant for one command on the main thread.
 */
#ifndef LW_STORE_SHARD_H
#define LW_STORE_SHARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* The shard key of the per-campaign collections, as docs show it. */
#define STORE_SHARD_KEY "{campaign_id: \"hashed\", _id: 1}"

/* One collection of the database as db init found it. */
struct store_coll_info {
	char name[64];
	bool capped;
	int64_t capped_bytes; /* when capped: its size and document limits */
	int64_t capped_docs;
	char *indexes;    /* index names joined by ", " (owned) */
	bool shardable;   /* one of the per-campaign collections */
	bool sharded;     /* sharded on the key by this run, or already */
	char *shard_note; /* why it was left as it was (owned; NULL: none) */
};

/* What store_db_init found and did. */
struct store_db_report {
	bool ferretdb;
	bool mongos;               /* the server is a sharded cluster's router */
	struct store_coll_info *v; /* sorted by name */
	size_t n;
};

/* Lists the collections of s's database (created by store_open) with their
 * indexes and capped limits into *r; with shard, and when the server is a
 * mongos, enables sharding on the database and shards each per-campaign
 * collection on STORE_SHARD_KEY (its index created first; one already
 * sharded on another key is kept and noted). Not a mongos: r->mongos is
 * false and nothing is sharded (the caller says so). 0, or -1 with a
 * cause; free *r with store_db_report_done either way. */
int store_db_init(struct store *s, bool shard, struct store_db_report *r, char **cause);

/* Frees what store_db_init put in r. */
void store_db_report_done(struct store_db_report *r);

#endif
