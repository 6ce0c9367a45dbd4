/*
 * alertlog_internal: the alert worker's reading side (alertlog.c), private
 * to src/engine/: one campaign's place in the change log, where it starts,
 * reading the next entry and saving the position the worker says is
 * evaluated. alertworker.c owns one per campaign and drives it; nothing
 * here calls back into the worker. Worker thread only.
 */
#ifndef LW_ALERTLOG_INTERNAL_H
#define LW_ALERTLOG_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store_changes.h"

#define ALERTLOG_CONSUMER "alerts" /* the position's name in store_prepared */

/* One campaign's place in its change log. */
struct alertlog {
	bool started;         /* the start was found (alertlog_start) */
	bool more;            /* entries may be waiting: read without waiting for a poll */
	int64_t pos;          /* the last entry read and handed on */
	int64_t saved;        /* the position last saved */
	int64_t hint;         /* the newest seq the writer announced */
	int64_t next_poll_ms; /* when seq+1 is read again without a wake-up */
	int64_t save_at_ms;   /* the next save may happen from then on */
	bool failing;         /* the last read failed (reported once) */
};

/* Finds where campaign_id's log is read from, at now_ms: the saved
 * position, moved forward past entries older than lookback_ms (a binary
 * search over seqs by `_id`, never a scan); without a position, the first
 * entry newer than lookback_ms. A start that is not the saved position is
 * saved at once. 0, or -1 with a cause (then l is unchanged). */
int alertlog_start(struct alertlog *l, struct store *s, const char *campaign_id, int64_t now_ms,
    int64_t lookback_ms, char **cause);

/* Reads entry pos+1 of campaign_id into *out (caller calls
 * change_entry_done, then sets l->pos once it is handed on). 0 found, 1 not
 * written yet, -1 on error with a cause. */
int alertlog_next(struct alertlog *l, struct store *s, const char *campaign_id,
    struct change_entry *out, char **cause);

/* Saves done as campaign_id's position when it is past the saved one and
 * a save is allowed at now_ms (always when force); the next save may come
 * every_ms later. 0 (also when nothing was due), or -1 with a cause. */
int alertlog_save(struct alertlog *l, struct store *s, const char *campaign_id, int64_t done,
    int64_t now_ms, int64_t every_ms, bool force, char **cause);

#endif
