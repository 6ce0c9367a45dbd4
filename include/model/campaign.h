/*
 * campaign: a stored campaign (its settings as loaded from YAML plus what the
 * database adds: id, status, timestamps), deterministic ids, and the status
 * rules for pause, resume and close. Pure; any thread, one owner at a time.
 */
#ifndef LW_CAMPAIGN_H
#define LW_CAMPAIGN_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"

#define CAMPAIGN_ID_MAX 40 /* slug (up to 24) + '-' + 8 hex digits + NUL, with room */

enum campaign_status { CS_SCHEDULED, CS_ACTIVE, CS_PAUSED, CS_COMPLETED, CS__COUNT };

/* Job kinds, one worker_state document each per campaign x tweet. */
enum job_kind { JOB_METRICS, JOB_RETWEETS, JOB_REPLIES, JOB_QUOTES, JOB__COUNT };

struct campaign {
	char id[CAMPAIGN_ID_MAX];
	enum campaign_status status;
	int64_t created_at_ms;
	int64_t updated_at_ms;
	int64_t completed_at_ms;       /* 0 while not completed */
	int64_t close_requested_at_ms; /* 0 unless a close-out was requested */
	bool closeout_pending;         /* frozen, archive not written yet */
	struct cfg_campaign cfg;       /* owned */
};

/* Returns "scheduled", "active", "paused" or "completed". */
const char *campaign_status_name(enum campaign_status s);
/* Parses a status name; 0 or -1. */
int campaign_status_parse(const char *s, enum campaign_status *out);
/* Returns "metrics", "retweets", "replies" or "quotes". */
const char *job_kind_name(enum job_kind k);

/* Writes the deterministic id of the campaign called name into id: a slug of
 * the name (lower-case ASCII letters and digits, '-' between words, at most 24
 * characters) and 8 hex digits of a hash of the exact name. */
void campaign_make_id(const char *name, char id[CAMPAIGN_ID_MAX]);

/* Returns the status a new campaign gets at now_ms: scheduled before its
 * window starts, active from then on (the report job closes it at the end). */
enum campaign_status campaign_initial_status(const struct cfg_campaign *c, int64_t now_ms);

/* Returns a fingerprint of every setting in c (stable across runs), used to
 * tell an unchanged re-add from an update. Caller frees. */
char *campaign_settings_hash(const struct cfg_campaign *c);

/* Frees everything c owns (the same layout config_load_file builds). */
void config_campaign_done(struct cfg_campaign *c);

/* Frees what a stored campaign owns and zeroes it. */
void campaign_done(struct campaign *c);

#endif
