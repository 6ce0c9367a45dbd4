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
};

/* Frees what j owns and zeroes it. */
void job_done(struct job *j);

#endif
