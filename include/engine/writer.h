/*
 * writer: the engine's one writer of engagement pages and change-log
 * entries, a group commit (docs/architecture.md, "Prepared aggregates and
 * the change log"). Workers hand it a page and wait; its thread takes every
 * page that is waiting and writes them together: one unordered insert of
 * the engagement documents (a duplicate key is a known engagement), the
 * updates of the known ones, one change-log entry per campaign listing what
 * the insert stored, then the pages' job checkpoints in one bulk. Change-log
 * seqs are allocated here, per campaign, after one probe of the log's head;
 * an `_id` taken by another engine means probe again and retry. After each
 * group it tells the aggregator (opts.appended). Any thread may call the
 * functions below.
 */
#ifndef LW_WRITER_H
#define LW_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/event.h"
#include "model/prep.h"
#include "store/store_changes.h"
#include "store/store_ingest.h"

struct store;
struct writer;

/* How a writer runs; zeroed fields take the defaults. */
struct writer_opts {
	struct store *store; /* borrowed */
	const char *owner;   /* the engine's owner id (copied into every entry) */
	size_t max_docs;     /* engagement documents per group: 1000 */
	/* Called on the writer's thread after campaign_id's log grew to seq. */
	void (*appended)(void *arg, const char *campaign_id, int64_t seq);
	void *arg;
};

/* Starts the writer's thread. 0 with *out set, or -1 with a cause. */
int writer_start(const struct writer_opts *o, struct writer **out, char **cause);

/* Stops the thread (pages already handed over are written first) and
 * frees w; NULL is a no-op. */
void writer_free(struct writer *w);

/* One page of a list job for writer_put_page. */
struct writer_page {
	const char *campaign_id;
	const struct lw_engagement *eng; /* the page's engagements (borrowed) */
	size_t n;
	int64_t now_ms; /* first_seen_at of the new ones, last_seen_at of the known */
	size_t above;   /* known engagements among eng[0..above) are updated (last_seen_at,
	                     ref_ids); the rest is the overlap with the last complete walk */
	bool *is_new;   /* out: n flags, set for the engagements this page stored first */
	/* the job's checkpoint, written in the same group (NULL: none) */
	const char *job_id;
	const struct sti_job_update *checkpoint;
};

/* Stores page pg and waits until all of it is written; with w NULL it is
 * written directly on s. 0, or -1 with a cause (then nothing of the page
 * may be taken as written: it is walked again, and what was stored is
 * found as known). */
int writer_put_page(struct writer *w, struct store *s, struct writer_page *pg, char **cause);

/* Returns true when every entry the writer owes is written (false after a
 * database error left some to retry: the engine then keeps its heartbeat at
 * stop, so the next start looks for them). */
bool writer_clean(struct writer *w);

/* Appends one change-log entry of kind for campaign_id holding e[0..ne)
 * and s[0..ns) (an observation's new slices, recovered items). With w NULL
 * it is written directly on s (probing the head). 0 or -1. */
int writer_append(struct writer *w, struct store *s, const char *campaign_id, enum change_kind kind,
    const struct prep_eng *e, size_t ne, const struct prep_slice *sv, size_t ns, char **cause);

#endif
