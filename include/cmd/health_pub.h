/*
 * health_pub: keeps the JSON endpoint's /healthz and /metrics current: a
 * thread reads the installation's health (engine/health_collect.h) every
 * LAUNCHWATCH_HEALTH_MS (default 15000) and publishes it
 * (jsonapi_publish_health), so a scrape costs the database nothing.
 * health_pub_start/health_pub_stop belong to one owner thread.
 */
#ifndef LW_HEALTH_PUB_H
#define LW_HEALTH_PUB_H

#include <stdint.h>

struct store;
struct jsonapi;
struct health_pub;

#define HEALTH_PUB_MS 15000 /* how often the health is read again */

/* Starts publishing the health of s into api (both borrowed until
 * health_pub_stop) every every_ms. Returns NULL when the thread cannot
 * start. */
struct health_pub *health_pub_start(struct store *s, struct jsonapi *api, int64_t every_ms);

/* Stops the thread (waits for a read in progress) and frees p; NULL is a
 * no-op. */
void health_pub_stop(struct health_pub *p);

#endif
