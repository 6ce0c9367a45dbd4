/*
 * health: how an installation is doing, as `launchwatch status`, /healthz
 * and /metrics tell it: the database (reachable, how long a call took), the
 * engines that run jobs (live heartbeats), and per campaign its jobs by
 * state, the ones held back or late, the ingest lag, requests and credits
 * by job kind, engagements stored, and alert send errors. The store fills
 * it (engine/health_collect.c); this file judges it and writes it as text,
 * JSON and the Prometheus text format. Pure; any thread, one owner.
 */
#ifndef LW_HEALTH_H
#define LW_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/util.h"
#include "model/campaign.h"
#include "model/job.h"

/* Exit codes of `launchwatch status` (and the /healthz verdict). */
enum health_verdict {
	HEALTH_OK = 0,       /* everything current */
	HEALTH_DEGRADED = 1, /* jobs blocked, failing or late; alerts failing; no engine */
	HEALTH_DOWN = 69     /* the database or the provider cannot be reached */
};

#define HEALTH_LATE_MS       (5 * 60 * 1000LL)  /* a job this far past its due time is late */
#define HEALTH_PROVIDER_MS   (15 * 60 * 1000LL) /* no success for this long: provider down */
#define HEALTH_ALERT_ERRS_MS (60 * 60 * 1000LL) /* alert errors counted over this window */

/* One campaign as seen by status. */
struct health_campaign {
	char id[CAMPAIGN_ID_MAX];
	char name[128];
	enum campaign_status status;
	bool runnable;                /* active and inside its window */
	size_t jobs[JST__COUNT];      /* jobs by state */
	size_t held;                  /* retry, blocked or stopped */
	size_t late;                  /* runnable, due more than HEALTH_LATE_MS ago */
	char held_why[160];           /* stj_jobs_summary's line ("ok" when none) */
	int64_t last_success_ms;      /* the newest success of any job; 0 never */
	int64_t lag_ms;               /* now - the oldest success among its runnable jobs (a job
	                                 never run counts from the campaign's start); -1 none */
	int64_t requests[JOB__COUNT]; /* totals by job kind */
	int64_t credits[JOB__COUNT];
	int64_t engagements; /* stored (the prepared summary); -1 unknown */
	int64_t views;       /* the latest total views; -1 unknown */
	int64_t alerts_sent; /* alerts_sent documents (one per alert and channel) */
};

/* The whole installation. */
struct health {
	int64_t at_ms;
	bool db_ok;
	int64_t db_ms;            /* the ping's round trip */
	char db_error[200];       /* when !db_ok */
	char db_kind[24];         /* "FerretDB", "MongoDB", "mongo-java-server" */
	size_t engines;           /* live heartbeats */
	char engine_desc[4][160]; /* the first few: "run on host (pid 12), up 3h" */
	int64_t alert_errors;     /* worker_log errors of the alert worker in the last hour */
	char sentiment[4][160];   /* the live engines' sentiment lines ("" none runs) */
	struct health_campaign *c;
	size_t n;
	char read_error[200]; /* a read after the ping failed; "" none */
};

/* Frees what h owns and zeroes it. */
void health_done(struct health *h);

/* Judges h: the verdict, and one line saying why into why (size bytes). */
enum health_verdict health_judge(const struct health *h, char *why, size_t size);

/* Appends the one-screen text of h to b. */
void health_text(const struct health *h, struct sbuf *b);

/* Appends h as one JSON object to b (verdict, reason, database, engines,
 * campaigns). */
void health_json(const struct health *h, struct sbuf *b);

/* Appends h in the Prometheus text format (version 0.0.4) to b. */
void health_prometheus(const struct health *h, struct sbuf *b);

#endif
