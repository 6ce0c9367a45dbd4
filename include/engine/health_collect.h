/*
 * health_collect: reads an installation's health (model/health.h) from the
 * database: a ping, the heartbeats, each campaign's worker_state documents
 * and prepared summary, and the alert worker's error lines. Read-only;
 * any thread (the store is thread-safe).
 */
#ifndef LW_HEALTH_COLLECT_H
#define LW_HEALTH_COLLECT_H

#include "model/health.h"

struct store;

/* Fills h (zeroed first; health_done frees it) from s at now_ms. A
 * database that does not answer the ping leaves db_ok false; a later read
 * that fails sets read_error. Never fails otherwise. */
void health_collect(struct store *s, int64_t now_ms, struct health *h);

#endif
