/*
 * job: a job as the store reads it and the engine runs it: one worker_state
 * document (campaign x tweet x kind; DESIGN.md section 4). Plain data below
 * the engine, so the store can fill it without knowing the engine's lease
 * rules (include/engine/jobs.h). Any thread; a struct job belongs to the
 * thread that claimed it.
 */
#ifndef LW_JOB_H
#define LW_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/campaign.h"
#include "model/event.h"

#define JOB_ID_MAX (CAMPAIGN_ID_MAX + LW_ID_MAX + 16)

/* What a job is doing, as worker_state.state holds it: new (never run),
 * idle (done, waiting for its next run), running (leased), retry (failed,
 * runs again after a backoff), blocked (snoozed: rate limit or credits),
 * stopped (until the engine's next start) or missing (the tweet is gone). */
enum job_state {
	JST_NEW,
	JST_IDLE,
	JST_RUNNING,
	JST_RETRY,
	JST_BLOCKED,
	JST_STOPPED,
	JST_MISSING,
	JST__COUNT
};

/* Returns the stored name of s ("new", "idle", "running", ...; "?" when
 * out of range). */
const char *job_state_name(enum job_state s);
/* Parses a stored state name into *out; 0, or -1 when unknown. */
int job_state_parse(const char *s, enum job_state *out);
/* Returns true when a job in state s may be claimed (not stopped, not
 * missing). */
bool job_state_runnable(enum job_state s);

/* Parses a job kind name ("metrics", "retweets", ...; job_kind_name) into
 * *out; 0, or -1 when unknown. */
int job_kind_parse(const char *s, enum job_kind *out);

/* Returns the cadence in seconds of jobs of kind in campaign c (its
 * cadence setting, at least 1). */
int64_t job_cadence_s(const struct campaign *c, enum job_kind kind);

/* Returns the next run of a job of cadence_s whose run belonged to the tick
 * due_ms and ended at now_ms (fixed rate): the first due_ms + k * cadence
 * after now_ms, so missed ticks are skipped rather than piled up and the
 * phase never drifts by a run's length; due_ms itself when the run came
 * early (due_ms > now_ms); now_ms + cadence when due_ms is unknown (<= 0). */
int64_t job_next_tick(int64_t due_ms, int64_t cadence_s, int64_t now_ms);

/* A job as read from its worker_state document when it was claimed. */
struct job {
	char id[JOB_ID_MAX]; /* campaign_id:tweet_id:kind */
	char campaign_id[CAMPAIGN_ID_MAX];
	char tweet_id[LW_ID_MAX];
	enum job_kind kind;
	char *cursor;         /* saved backfill cursor; NULL or "" for page 1 */
	bool backfill_done;   /* the first full walk finished */
	char **watermark;     /* newest item ids of the last complete walk */
	size_t nwatermark;    /* (retweeter user ids, reply or quote tweet ids) */
	int64_t walked_count; /* the tweet's count the last complete walk saw; -1 none */
	int attempts;         /* failed attempts in a row */
	int64_t lease_until_ms;
	enum job_state state;   /* as stored when it was claimed */
	int64_t next_run_at_ms; /* as stored when it was claimed */
	int64_t due_ms;         /* the tick this run belongs to (job_next_tick); 0 unknown */
	/* the walk in progress, saved with every page so an interrupted walk
	 * resumes (none when nwalk_top is 0 and cursor is empty) */
	char **walk_top; /* ids of its first page: the next watermark */
	size_t nwalk_top;
	int64_t walk_count;     /* the count it covers (read before its first page); -1 none */
	int64_t walk_floor_ms;  /* the oldest created_at it stored (replies, quotes); 0 none */
	int64_t walk_until_s;   /* untilTime of its query after a restart below what is stored */
	int64_t cursor_at_ms;   /* when the saved cursor was received; 0 unknown */
	int64_t cursor_life_ms; /* the youngest age at which the provider refused one of
	                           this job's cursors (a learned upper bound of their
	                           lifetime); 0 unknown */
};

/* Frees what j owns and zeroes it. */
void job_done(struct job *j);

#endif
