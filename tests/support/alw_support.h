/*
 * alw_support: worlds for the alert worker's tests: a devdb behind the
 * recording proxy of mon_support, a store through the proxy (the workers')
 * and one straight to the devdb, a Slack receiver, engagements stored and
 * logged as the engine's writer does, the worker's saved position, and the
 * check that nothing read the events or the log but by `_id`. Names start
 * with alw_ (this file is linked into every test program). Test threads
 * only.
 */
#ifndef LW_ALW_SUPPORT_H
#define LW_ALW_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#include "model/event.h"
#include "store/store_changes.h"

struct cfg_file;
struct mon;
struct store;
struct tu_devdb;
struct al_slack;

/* One alert worker test's world. */
struct alw_fix {
	struct tu_devdb *db;
	struct mon *mon;
	struct store *s;      /* through the proxy */
	struct store *direct; /* straight to the devdb */
	struct al_slack *r;
	char *url; /* the receiver's URL, also in $LW_E_HOOK */
};

/* Starts a world on database dbname with a receiver answering statuses
 * script[0..n) first (429 with Retry-After: retry_after_s), at URL path;
 * aborts the test on failure. */
void alw_fix_start(struct alw_fix *x, const char *dbname, const int *script, size_t n,
    int retry_after_s, const char *path);
/* Stops everything (and an injected clock). */
void alw_fix_done(struct alw_fix *x);

/* Opens a store on database dbname at uri (aborts the test on failure). */
struct store *alw_open_store(const char *uri, const char *dbname);
/* Loads campaign files from YAML text (caller frees with config_free). */
struct cfg_file *alw_load_yaml(const char *text);

/* Stores e[0..n) where absent (as a page's insert would) and appends one
 * change-log entry of kind listing them, as the engine's writer does, at
 * clock_now_ms(); returns the entry's seq. */
int64_t alw_log_engagements(struct store *s, const char *campaign_id, const struct lw_engagement *e,
    size_t n, enum change_kind kind);

/* Returns the alert worker's saved position in campaign_id's log, -1 when
 * there is none. */
int64_t alw_position(struct store *s, const char *campaign_id);

/* Asserts that the commands the proxy saw from mark on read `engagements`,
 * the change log and `aggregates` only by `_id`. */
void alw_assert_no_scan(struct mon *m, size_t mark);

#endif
