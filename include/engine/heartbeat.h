/*
 * heartbeat: every engine that runs jobs keeps one heartbeats document
 * (_id = its owner "host:pid:start") and beats it every HEARTBEAT_MS; one
 * older than HEARTBEAT_STALE_MS, or whose pid is gone on the same host, is
 * dead: its document is removed and its leases freed by the next engine
 * that looks. On the embedded database only one live engine runs jobs
 * (docs/operations.md). Any thread.
 */
#ifndef LW_HEARTBEAT_H
#define LW_HEARTBEAT_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store_ingest.h"

struct store;
struct ing_log;

#define HEARTBEAT_MS       5000  /* a running engine beats this often */
#define HEARTBEAT_STALE_MS 30000 /* a heartbeat older than this is dead */

/* Writes the engine's heartbeat h (borrowed) on s with beat_at now; a
 * failure is logged on l as a warning (the next beat tries again). Any
 * thread. */
void heartbeat_beat(struct ing_log *l, struct store *s, const struct sti_heartbeat *h);

/* Returns true when heartbeat h belongs to a live engine at now (host:
 * this machine's name, to test the pid of an engine on it). */
bool heartbeat_alive(const struct sti_heartbeat *h, const char *host, int64_t now);

/* Looks for another live engine on s (not owner): returns 1 and fills
 * *other when there is one, 0 when none, -1 on error. Heartbeats of dead
 * engines (stale, or a pid gone on this host) are removed and their leases
 * freed. sched_start uses it: on the embedded database a second engine
 * does not start, and the console then attaches as a viewer. */
int heartbeat_find_runner(
    struct store *s, const char *owner, struct sti_heartbeat *other, char **cause);

#endif
