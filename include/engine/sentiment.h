/*
 * sentiment: the sentiment supervisor (docs/alerts.md section 9). One
 * thread that runs the scorer process (tools/sentiment, restarted with
 * backoff when it dies or hangs), follows each active campaign's change
 * log by `_id` (the alert worker's alertlog_follow) for new replies and
 * quotes, reads each one's text by `_id`, has it scored and stores the
 * score on the engagement; per campaign it keeps one `aggregates` document
 * `<cid>:sentiment` (store/store_sentiment.h) with its position, its lease
 * and the sums, written after the entry's scores in one update, so a crash
 * neither loses a score nor counts one twice. The engine never waits on
 * it: the writer's wake-up only records the newest seq per campaign.
 *
 * Its state line ("sentiment: vader 3.3.2 scoring", "sentiment: scorer
 * down, restarting (why)") goes into the engine's heartbeat (`launchwatch
 * status`) and each campaign's document (the console's jobs screen).
 *
 * Threads: sentiment_start runs the supervisor on its own thread;
 * sentiment_notify and sentiment_scoring may be called from any thread;
 * the rest from the owner's.
 */
#ifndef LW_SENTIMENT_H
#define LW_SENTIMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* Settings; sentiment_opts_init sets the defaults noted here. */
struct sentiment_opts {
	struct store *store;       /* borrowed; required */
	const char *owner;         /* borrowed: the lease owner (the engine's "host:pid:start") */
	const char *cmd;           /* NULL: $LAUNCHWATCH_SENTIMENT_CMD or beside the binary */
	int64_t start_timeout_ms;  /* 20000: the scorer's hello must come within it */
	int64_t answer_timeout_ms; /* 10000: one answer must come within it */
	int64_t restart_base_ms;   /* 1000: first restart delay, doubled per failure */
	int64_t restart_cap_ms;    /* 60000: longest restart delay */
	int64_t poll_ms;           /* 2000: each followed log's seq+1 is read this often */
	int64_t lease_ms;          /* 60000: a campaign's lease, renewed at half of it */
	int64_t refresh_ms;        /* 30000: the campaign list is read again this often */
	/* Called for notable events (level "info", "warn" or "error"), on the
	 * supervisor's thread. May be NULL. */
	void (*log)(void *arg, const char *level, const char *message);
	void *log_arg;
};

/* Sets the defaults above. */
void sentiment_opts_init(struct sentiment_opts *o);

/* Returns true when $LAUNCHWATCH_SENTIMENT asks for the supervisor ("1",
 * "yes", "true", "on"); "0", "no", "false", "off" or unset: off. Sets a
 * cause and returns false for anything else (*bad true). */
bool sentiment_enabled_by_env(bool *bad, char **cause);

struct sentiment;

/* Returns a new supervisor with a copy of o (store and owner borrowed). */
struct sentiment *sentiment_new(const struct sentiment_opts *o);
/* Starts its thread; 0 or -1 with a cause. */
int sentiment_start(struct sentiment *s, char **cause);
/* Asks the thread to stop without waiting. Any thread. */
void sentiment_request_stop(struct sentiment *s);
/* Stops and joins the thread, stops the scorer, gives the leases back
 * (the positions and sums are saved). Owner thread. */
void sentiment_stop(struct sentiment *s);
/* Stops and frees; NULL is a no-op. */
void sentiment_free(struct sentiment *s);

/* Tells the supervisor campaign_id's log grew to seq. Any thread; never
 * waits (a bounded table of the newest seq per campaign). */
void sentiment_notify(struct sentiment *s, const char *campaign_id, int64_t seq);

/* Returns true while the supervisor runs, its scorer up, starting or
 * restarting: campaign_id's replies and quotes will be scored (here, or by
 * the engine holding its lease), so the alert worker may hold entries for
 * them, for a bounded time. Any thread. */
bool sentiment_scoring(void *s, const char *campaign_id);

#endif
