/*
 * store_report: what the report and close-out need from MongoDB besides the
 * prepared aggregates: a campaign's settings and tweets documents for the
 * report model, the documents to archive, the close-out state on the
 * campaign document (frozen, completed_at, closeout), the archives
 * collection and the reopen history. Thread-safe like the store.
 */
#ifndef LW_STORE_REPORT_H
#define LW_STORE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/campaign.h"
#include "model/event.h"
#include "model/manifest.h"
#include "model/report.h"
#include "store/store.h"

/* Loads the campaign whose id or name is key into *c (caller calls
 * campaign_done) and its settings and listed tweets (with their tweets
 * documents: latest baselines, authors, missing) into *in (caller calls
 * rep_input_done). Returns 0, 1 when there is no such campaign, or -1. */
int store_report_load(
    struct store *s, const char *key, struct campaign *c, struct rep_input *in, char **cause);

/* The close-out state kept on a campaign document. */
struct store_closeout {
	enum campaign_status status;
	int64_t completed_at_ms;
	char *frozen_json;    /* campaigns.frozen as JSON text, NULL when none */
	int64_t frozen_at_ms; /* closeout.frozen_at, 0 when not frozen */
	char *archive_dir;    /* closeout.archive_dir, "" when none */
	bool archived;        /* closeout.state is "done" */
	int64_t reopens;      /* entries in reopen_history */
};

/* Reads the close-out state of campaign id into *out (caller calls
 * store_closeout_done). Returns 0, 1 when there is no such campaign, or -1. */
int store_closeout_get(struct store *s, const char *id, struct store_closeout *out, char **cause);

/* Frees what st owns and zeroes it. */
void store_closeout_done(struct store_closeout *st);

/* In one write, and only when campaign id has not been frozen yet (no
 * closeout.frozen_at): stores frozen_json as campaigns.frozen, sets status
 * completed, completed_at and closeout{state "archiving", frozen_at,
 * archive_dir}. Returns 0 when it wrote, 1 when it was already frozen
 * (nothing written), -1 on error. */
int store_closeout_freeze(struct store *s, const char *id, const char *frozen_json,
    int64_t frozen_at_ms, const char *archive_dir, char **cause);

/* Marks the close-out of campaign id finished (closeout.state "done"). */
int store_closeout_finish(struct store *s, const char *id, int64_t now_ms, char **cause);

/* Called with each document as one line of relaxed extended JSON (len bytes,
 * no newline); a non-zero return stops the walk. */
typedef int (*store_doc_fn)(const char *json, size_t len, void *arg, char **cause);

/* Calls fn for each document of collection belonging to campaign_id (for
 * "campaigns", the campaign document itself), streamed, in _id order when
 * by_id (a server-side sort: small collections only) or else in the
 * server's order, skipping those whose time_field (when not NULL) is later
 * than cutoff_ms. Returns 0 or -1. */
int store_report_dump(struct store *s, const char *collection, const char *campaign_id,
    const char *time_field, int64_t cutoff_ms, bool by_id, store_doc_fn fn, void *arg,
    char **cause);

/* Called with each engagements document as an engagement (borrowed for the
 * call); a non-zero return stops the walk. */
typedef int (*store_eng_fn)(const struct lw_engagement *e, void *arg, char **cause);

/* As store_report_dump of campaign_id's engagements in the server's order
 * (first seen at or before cutoff_ms), handing each document to eng as
 * well, right after fn (one walk for the archive and the engagement
 * table). Returns 0 or -1. */
int store_report_dump_engagements(struct store *s, const char *campaign_id, int64_t cutoff_ms,
    store_doc_fn fn, store_eng_fn eng, void *arg, char **cause);

/* Records an archive in the archives collection (_id CAMPAIGN:CUTOFF_MS, so
 * a rerun replaces its own record). */
int store_archive_record(
    struct store *s, const struct archive_manifest *m, const char *dir, char **cause);

/* Reopens completed campaign id: status becomes new_status, frozen,
 * completed_at and closeout are cleared, and an entry (time, note, the
 * previous completed_at, frozen report and archive) is appended to
 * reopen_history. Returns 0, 1 when it was not completed, or -1. */
int store_campaign_reopen(struct store *s, const char *id, enum campaign_status new_status,
    int64_t now_ms, const char *note, char **cause);

/* For tests: inserts one document given as extended JSON into collection. */
int store_report_test_insert(
    struct store *s, const char *collection, const char *json, char **cause);

/* For tests: runs a database command given as extended JSON and returns the
 * reply as relaxed extended JSON in *reply (caller frees). */
int store_report_test_command(struct store *s, const char *json, char **reply, char **cause);

#endif
