/*
 * store_changes: the `changes` collection, the per-campaign change log
 * (docs/architecture.md, "Prepared aggregates and the change log"). Entry
 * `_id` = "<campaign_id>:<seq>", seq 1, 2, 3 ... dense per campaign; an entry
 * is written after what it describes was stored, so readers trust it. Every
 * read is by `_id`. Thread-safe like the store.
 */
#ifndef LW_STORE_CHANGES_H
#define LW_STORE_CHANGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/campaign.h"
#include "store/store.h"

/* What an entry holds. */
enum change_kind {
	CHK_ENGAGEMENTS, /* new engagement documents of one write */
	CHK_SLICES,      /* new metric slices of one observation */
	CHK_RECOVERED,   /* stored after a crash without an entry, found again */
	CHK__COUNT
};

/* Returns "engagements", "slices" or "recovered". */
const char *change_kind_name(enum change_kind k);

/* One change-log entry. */
struct change_entry {
	char campaign_id[CAMPAIGN_ID_MAX];
	int64_t seq;
	int64_t at_ms;
	enum change_kind kind;
	char owner[128]; /* the engine that wrote it */
	int64_t n;       /* items */
	void *items;     /* prep_items_encode's bytes (owned when read) */
	size_t len;
};

/* Frees what e owns (the items when read) and zeroes it. */
void change_entry_done(struct change_entry *e);

/* Inserts v[0..n) in order (one ordered insert). Sets *inserted to how many
 * went in: fewer than n when v[*inserted]'s _id was taken (another engine
 * wrote that seq: re-probe the head and retry the rest). 0, or -1 with a
 * cause on any other error. */
int stc_append(
    struct store *s, const struct change_entry *v, size_t n, size_t *inserted, char **cause);

/* Reads entry campaign_id:seq into *out (caller calls change_entry_done).
 * 0 found, 1 absent, -1 on error with a cause. */
int stc_get(
    struct store *s, const char *campaign_id, int64_t seq, struct change_entry *out, char **cause);

/* Finds the highest seq of campaign_id's log (0 when empty) by `_id` probes
 * from hint (a seq known to exist, or 0): one read when nothing was added
 * since, O(log n) otherwise. 0, or -1 with a cause. */
int stc_head(struct store *s, const char *campaign_id, int64_t hint, int64_t *head, char **cause);

#endif
