/*
 * aggregator: keeps each active campaign's prepared aggregates current
 * (docs/architecture.md, "Prepared aggregates and the change log"). One
 * thread per engine. Per campaign it takes the lease in the head document,
 * loads the persisted parts (summary, tweets, account chunks), replays the
 * change log from the oldest of them, then follows the log: woken by the
 * writer after each append, polling `seq+1` by `_id` for other engines'
 * writes. It writes the summary at most once per summary_ms when something
 * changed, the tweet documents and account chunks every persist_ms, and
 * everything when flushed or stopped. A campaign without a head (a database
 * from the previous release) is rebuilt from its stored events first; a
 * head that asks for a recovery (a dead engine) makes it look for writes
 * the log missed. The functions below may be called from any thread.
 */
#ifndef LW_AGGREGATOR_H
#define LW_AGGREGATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct writer;
struct aggregator;

/* How an aggregator runs; zeroed fields take the defaults. */
struct aggregator_opts {
	struct store *store;   /* borrowed */
	struct writer *writer; /* appends recovered entries; borrowed; NULL: none */
	const char *owner;     /* the engine's owner id (copied) */
	int64_t poll_ms;       /* 1000: the log is read this often without a wake */
	int64_t summary_ms;    /* 1000: summaries are written at most this often */
	int64_t persist_ms;    /* 15000: tweets and account chunks this often */
	int64_t lease_ms;      /* 60000: the lease on each campaign's aggregates */
	/* log lines (level "info", "warn", "error"); called on the aggregator
	 * thread; NULL: none */
	void (*log)(void *arg, const char *level, const char *campaign_id, const char *msg);
	void *log_arg;
};

/* Starts the aggregator thread. 0 with *out set, or -1 with a cause. */
int aggregator_start(const struct aggregator_opts *o, struct aggregator **out, char **cause);

/* Sets the campaigns to aggregate (copied): others are written out and
 * let go. */
void aggregator_set_campaigns(struct aggregator *a, const char *const *ids, size_t n);

/* Tells the aggregator that campaign_id's log grew up to seq (wakes it). */
void aggregator_notify(struct aggregator *a, const char *campaign_id, int64_t seq);

/* Waits until campaign_id's aggregates cover its whole log (as found when
 * called) and every part is written; NULL: every campaign. 0, or -1 with a
 * cause (timeout after timeout_ms, a database error, the campaign is not
 * aggregated here). */
int aggregator_flush(
    struct aggregator *a, const char *campaign_id, int64_t timeout_ms, char **cause);

/* Stops the thread after writing everything and giving the leases back,
 * then frees a; NULL is a no-op. */
void aggregator_free(struct aggregator *a);

#endif
