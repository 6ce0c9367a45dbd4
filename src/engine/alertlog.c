/*
 * alertlog: the alert worker's place in each campaign's change log
 * (src/engine/alertlog_internal.h, docs/alerts.md): the start (saved
 * position, lookback), the next entries (alertlog_follow, shared with the
 * sentiment supervisor), whether a record waits for its sentiment score,
 * and the saved position, every read and write by `_id`. Its owner's
 * thread only.
 */
#include "alertlog_internal.h"

#include <stdlib.h>
#include <string.h>

#include "store/store_changes.h"
#include "store/store_events.h"
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
alertlog_follow(struct alertlog *l, struct store *s, const char *campaign_id, int64_t now_ms,
    int64_t poll_ms, int64_t hold_ms, size_t max_entries, size_t max_records, alertlog_take_fn take,
    void *arg, char **cause)
{
	if (now_ms < l->held_until_ms)
		return 0;
	/* a poll or a catch-up reads until an entry is missing; a wake-up
	 * reads up to the seq it announced */
	bool probe = l->more || l->failing || l->held_until_ms > 0 ||
	             (poll_ms > 0 && now_ms >= l->next_poll_ms);
	if (!probe && l->hint <= l->pos)
		return 0;
	size_t entries = 0, records = 0;
	l->more = false;
	l->held_until_ms = 0;
	for (;;) {
		if (entries >= max_entries || records >= max_records) {
			l->more = true;
			return 1;
		}
		if (!probe && l->pos >= l->hint)
			return 0;
		struct change_entry e;
		int rc = alertlog_next(l, s, campaign_id, &e, cause);
		if (rc < 0)
			return -1;
		l->failing = false;
		if (rc == 1)
			break;
		size_t n = 0;
		int64_t seq = e.seq;
		int held = take(arg, &e, &n);
		change_entry_done(&e);
		if (held) {
			l->held_until_ms = now_ms + (hold_ms > 0 ? hold_ms : 1);
			l->next_poll_ms = l->held_until_ms;
			return 0;
		}
		records += n;
		l->pos = seq;
		entries++;
	}
	l->hint = l->pos; /* what is not there yet comes with a later wake-up or poll */
	if (poll_ms > 0)
		l->next_poll_ms = now_ms + poll_ms;
	return 0;
}

bool
alertlog_awaits_score(struct store *s, const struct alert_campaign *a, struct alert_candidate *c)
{
	const struct alert_rules *r = &a->rules;
	if (!alert_wants_score(r, c) ||
	    (!r->has_negative_sentiment && !alert_verdict_alerts(alert_match(a, c))))
		return false;
	struct lw_engagement e;
	char *cause = NULL;
	int rc =
	    ste_engagement_get(s, c->campaign_id, c->tweet_id, c->user_id, c->action, &e, &cause);
	free(cause);
	if (rc != 0)
		return false;
	bool waits = e.sentiment_at_ms == 0;
	lw_engagement_done(&e);
	return waits;
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
