/*
 * mon_support: command monitoring for tests that must show what a process
 * asks the database (an alert worker in the test, or a `launchwatch run`
 * child): a TCP proxy in front of the devdb that forwards every byte both
 * ways and records each command a client sends (MongoDB wire protocol,
 * OP_MSG) with its collection and whether its filter is exactly `{_id:
 * value}`, the only filter FerretDB answers without a full scan (on another
 * server also `{_id: value, campaign_id: value}`, the store's filter for a
 * sharded cluster, answered from the _id index); on
 * request it loses one reply (a write that landed, its answer dropped). Names
 * start with mon_ (this file is linked into every test program). Test
 * threads only, except the proxy's own threads.
 */
#ifndef LW_MON_SUPPORT_H
#define LW_MON_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>

struct mon;

/* Starts a proxy on 127.0.0.1 (free port) in front of the server of
 * upstream_uri ("mongodb://HOST:PORT/..."); aborts the test on failure. */
struct mon *mon_start(const char *upstream_uri);
/* Returns the URI that reaches the server through the proxy (borrowed). */
const char *mon_uri(struct mon *m);
/* Returns how many commands were recorded so far (a mark for mon_count). */
size_t mon_mark(struct mon *m);

/* What the commands since a mark did to one collection. */
struct mon_counts {
	size_t commands;      /* commands on it (any kind) */
	size_t reads;         /* find, aggregate, count, distinct */
	size_t id_reads;      /* reads by _id alone (see above) */
	size_t scans;         /* reads, updates or deletes with any other filter */
	char first_scan[512]; /* the first scan's command, as relaxed JSON ("" when none) */
};

/* Counts the commands recorded from mark on that name collection (NULL:
 * every collection) into out. */
void mon_count(struct mon *m, size_t mark, const char *collection, struct mon_counts *out);

/* Arms a one-shot fault: the next client message whose bytes contain
 * needle reaches the server, but its reply does not reach the client: the
 * proxy closes that connection instead (a write that landed and whose
 * answer was lost, as in a failover). */
void mon_drop_reply_once(struct mon *m, const char *needle);
/* Returns how many replies the fault dropped so far. */
size_t mon_dropped(struct mon *m);

/* Stops the proxy (open connections are closed) and frees m; NULL is a
 * no-op. */
void mon_free(struct mon *m);

#endif
