/*
 * alertlog: the alert worker's place in each campaign's change log
 * (src/engine/alertlog_internal.h, docs/alerts.md): the start (saved
 * position, lookback), the next entry and the saved position, every read and
 * write by `_id`. Worker thread only.
 */
#include "alertlog_internal.h"

#include <stdlib.h>
#include <string.h>

#include "store/store_changes.h"
#include "store/store_prepared.h"

/* Reads the time entry seq of campaign_id was written into *at_ms (an entry
 * that is not there counts as older than any). 0 or -1. */
static int
entry_at(struct store *s, const char *campaign_id, int64_t seq, int64_t *at_ms, char **cause)
{
	struct change_entry e;
	int rc = stc_get(s, campaign_id, seq, &e, cause);
	if (rc < 0)
		return -1;
	*at_ms = rc == 0 ? e.at_ms : INT64_MIN;
	change_entry_done(&e);
	return 0;
}

/* Finds in campaign_id's log the last entry older than cutoff_ms, given
 * that entry from (>= 1) exists and is older: the head by `_id` probes,
 * then a binary search over (from, head]. 0 or -1. */
static int
last_older(struct store *s, const char *campaign_id, int64_t from, int64_t cutoff_ms, int64_t *out,
    char **cause)
{
	int64_t head;
	if (stc_head(s, campaign_id, from, &head, cause) != 0)
		return -1;
	/* entries are written in time order: find the first at >= cutoff in
	 * (from, head + 1) */
	int64_t lo = from + 1, hi = head + 1;
	while (lo < hi) {
		int64_t mid = lo + (hi - lo) / 2, at;
		if (entry_at(s, campaign_id, mid, &at, cause) != 0)
			return -1;
		if (at < cutoff_ms)
			lo = mid + 1;
		else
			hi = mid;
	}
	*out = lo - 1;
	return 0;
}

int
alertlog_start(struct alertlog *l, struct store *s, const char *campaign_id, int64_t now_ms,
    int64_t lookback_ms, char **cause)
{
	int64_t pos = 0, at;
	int rc = stp_position_get(s, campaign_id, ALERTLOG_CONSUMER, &pos, cause);
	if (rc < 0)
		return -1;
	bool have = rc == 0;
	int64_t start = pos;
	if (entry_at(s, campaign_id, pos + 1, &at, cause) != 0)
		return -1;
	if (at != INT64_MIN && at < now_ms - lookback_ms &&
	    last_older(s, campaign_id, pos + 1, now_ms - lookback_ms, &start, cause) != 0)
		return -1;
	if ((!have || start != pos) &&
	    stp_position_put(s, campaign_id, ALERTLOG_CONSUMER, start, cause) != 0)
		return -1;
	l->started = true;
	l->more = true;
	l->pos = l->saved = start;
	if (l->hint < start)
		l->hint = start;
	l->failing = false;
	return 0;
}

int
alertlog_next(struct alertlog *l, struct store *s, const char *campaign_id,
    struct change_entry *out, char **cause)
{
	return stc_get(s, campaign_id, l->pos + 1, out, cause);
}

int
alertlog_save(struct alertlog *l, struct store *s, const char *campaign_id, int64_t done,
    int64_t now_ms, int64_t every_ms, bool force, char **cause)
{
	if (!l->started || done <= l->saved || (!force && now_ms < l->save_at_ms))
		return 0;
	l->save_at_ms = now_ms + every_ms;
	if (stp_position_put(s, campaign_id, ALERTLOG_CONSUMER, done, cause) != 0)
		return -1;
	l->saved = done;
	return 0;
}
