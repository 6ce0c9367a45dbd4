/*
 * alertlog_internal: the alert worker's reading side (alertlog.c), private
 * to src/engine/: one campaign's place in the change log, where it starts,
 * reading the next entries and saving the position the worker says is
 * evaluated. alertworker.c owns one per campaign and drives it; the
 * sentiment supervisor (sentiment.c) follows its logs with the same
 * alertlog_follow, keeping its position elsewhere. Nothing here calls back
 * into a worker but the take function it is given. Its owner's thread only.
 */
#ifndef LW_ALERTLOG_INTERNAL_H
#define LW_ALERTLOG_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "model/alert.h"
#include "store/store_changes.h"

#define ALERTLOG_CONSUMER "alerts" /* the position's name in store_prepared */

/* One campaign's place in its change log. */
struct alertlog {
	bool started;          /* the start was found (alertlog_start) */
	bool more;             /* entries may be waiting: read without waiting for a poll */
	int64_t pos;           /* the last entry read and handed on */
	int64_t saved;         /* the position last saved */
	int64_t hint;          /* the newest seq the writer announced */
	int64_t next_poll_ms;  /* when seq+1 is read again without a wake-up */
	int64_t save_at_ms;    /* the next save may happen from then on */
	bool failing;          /* the last read failed (reported once) */
	int64_t held_until_ms; /* an entry is held back (take said so): not read before then */
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

/* Takes one entry e (borrowed for the call): sets *records to the
 * engagement records it handed on and returns 0, or returns 1 to hold it
 * back (the position stays before it). */
typedef int (*alertlog_take_fn)(void *arg, const struct change_entry *e, size_t *records);

/* Reads campaign_id's entries past l->pos by `_id` and hands each to take,
 * when the log grew (l->hint), is due a poll (every poll_ms; 0: wake-ups
 * only) or is catching up, at most max_entries entries or max_records
 * records a turn; a held entry is read again from hold_ms later. Returns 1
 * when more may be waiting (a full turn), 0 when not (or held), -1 when a
 * read failed (cause; the caller sets l->failing and l->next_poll_ms). */
int alertlog_follow(struct alertlog *l, struct store *s, const char *campaign_id, int64_t now_ms,
    int64_t poll_ms, int64_t hold_ms, size_t max_entries, size_t max_records, alertlog_take_fn take,
    void *arg, char **cause);

/* Returns true when record c of campaign a waits for the sentiment
 * scorer: one of a's sentiment keys could alert on it, and its stored
 * engagement (one `_id` read) was not looked at yet. */
bool alertlog_awaits_score(
    struct store *s, const struct alert_campaign *a, struct alert_candidate *c);

/* Saves done as campaign_id's position when it is past the saved one and
 * a save is allowed at now_ms (always when force); the next save may come
 * every_ms later. 0 (also when nothing was due), or -1 with a cause. */
int alertlog_save(struct alertlog *l, struct store *s, const char *campaign_id, int64_t done,
    int64_t now_ms, int64_t every_ms, bool force, char **cause);

#endif
