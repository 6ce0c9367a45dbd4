/*
 * prep_io: moving a campaign's prepared aggregates (model/prep.h) between
 * the store and memory: read the current summary (what readers need), load
 * the whole state and replay the change log (what the aggregator and a
 * report without a running aggregator need), write it as parts, rebuild it
 * from the stored events, and fill in the details of top engagers. Every
 * read is by `_id` except a rebuild's and a recovery's scans. Any thread,
 * one owner per struct prep.
 */
#ifndef LW_PREP_IO_H
#define LW_PREP_IO_H

#include <stdbool.h>
#include <stdint.h>

#include "model/prep.h"

struct store;

/* Reads campaign_id's current summary into *out (caller calls
 * prep_summary_done) and its generation into *gen (when not NULL): two
 * `_id` reads. 0, 1 when the campaign has no prepared aggregates yet, -1 on
 * error with a cause. */
int prep_read_summary(
    struct store *s, const char *campaign_id, struct prep_summary *out, int64_t *gen, char **cause);

struct stp_head;

/* As prep_read_summary, filling *head (the generation and the aggregator's
 * lease) too: the same two `_id` reads. 0; 1 when the campaign has no head
 * (*head zeroed) or its head names no summary yet (*head filled); -1. */
int prep_read_summary_head(struct store *s, const char *campaign_id, struct prep_summary *out,
    struct stp_head *head, char **cause);

/* A loaded state and where its log replay starts. */
struct prep_loaded {
	struct prep *p; /* owned by the caller (prep_free) */
	int64_t gen;    /* the generation it came from */
	int64_t from;   /* the oldest seq among the loaded parts: replay from from + 1 */
	bool had_head;  /* the campaign has a head (false: never prepared) */
	bool all_parts; /* every tweet and chunk part was found */
};

/* Loads campaign_id's persisted state of generation gen (the summary, each
 * tweet's document, every account chunk). 0, or -1 with a cause. */
int prep_load(
    struct store *s, const char *campaign_id, int64_t gen, struct prep_loaded *out, char **cause);

/* Applies change-log entries from + 1, from + 2, ... up to the first absent
 * one (at most max entries; 0: no limit) to p; sets *last to the last seq
 * applied (from when none). 0, or -1 with a cause (a malformed entry is an
 * error: it would be skipped otherwise). */
int prep_replay(struct store *s, const char *campaign_id, struct prep *p, int64_t from, size_t max,
    int64_t *last, char **cause);

/* As prep_replay, applying only the records whose tweet keep accepts (keep
 * NULL: all of them). */
int prep_replay_only(struct store *s, const char *campaign_id, struct prep *p, int64_t from,
    size_t max, bool (*keep)(const char *tweet_id, void *arg), void *arg, int64_t *last,
    char **cause);

/* Reads the name and evidence of top engagers whose details are missing
 * (one `_id` read each). 0 or -1. */
int prep_fill_details(struct store *s, const char *campaign_id, struct prep *p, char **cause);

/* Builds p's summary at now_ms into *out (caller calls prep_summary_done)
 * with the name and evidence of every top engager: those not known yet are
 * read from their best engagement (one `_id` read each) and the summary is
 * built again. 0 or -1 (then *out holds nothing). */
int prep_build_summary(struct store *s, const char *campaign_id, struct prep *p, int64_t now_ms,
    struct prep_summary *out, char **cause);

/* Writes p's parts under generation gen: the summary (built at now_ms),
 * then every tweet and chunk that changed (all of them when all). 0 or -1. */
int prep_persist(struct store *s, const char *campaign_id, int64_t gen, struct prep *p, bool all,
    int64_t now_ms, char **cause);

/* Writes only the summary. 0 or -1. */
int prep_persist_summary(struct store *s, const char *campaign_id, int64_t gen, struct prep *p,
    int64_t now_ms, char **cause);

/* Deletes generation gen's parts (its summary lists its tweets). 0 or -1. */
int prep_drop_generation(struct store *s, const char *campaign_id, int64_t gen, char **cause);

struct writer;

/* Looks for writes of a dead engine that no change-log entry describes:
 * campaign_id's engagements first seen since since_ms (a scan, only after
 * an unclean stop) and each tweet's slices past the last one p applied (by
 * `_id`); appends what p does not know as a "recovered" entry (through w,
 * or directly when w is NULL), which every reader applies like any other,
 * and clears the head's request. Sets *neng and *nslices to what it found
 * and *done unless more remain (at most 20,000 engagements per entry: call
 * it again). 0, or -1 with a cause. */
int prep_recover(struct store *s, struct writer *w, const char *campaign_id, struct prep *p,
    int64_t since_ms, size_t *neng, size_t *nslices, bool *done, char **cause);

/* Progress of a rebuild: events read so far (engagements, then slices). */
typedef void (*prep_progress_fn)(void *arg, const char *what, int64_t done);

/* Recomputes campaign_id's prepared aggregates from its stored engagements
 * and slices (streamed, bounded memory), writes them as a new generation
 * covering the log as it was when the rebuild started, switches the head to
 * it and deletes the old generation. Safe to interrupt and run again. 0, or
 * -1 with a cause. */
int prep_rebuild(
    struct store *s, const char *campaign_id, prep_progress_fn progress, void *arg, char **cause);

#endif
