/*
 * report_data: what reports and the close-out read (docs/reports.md, "Where
 * the numbers come from"): a campaign's settings and tweets documents and
 * its prepared summary (model/prep.h), caught up with the change log here
 * when no engine aggregates the campaign; the report of a campaign at any
 * time (frozen, or live from those); and the one table that streams raw
 * events, the engagement table (ID-engagements.csv). Runs on its caller's
 * thread (a command's main thread, or the scheduler's in a close-out) and
 * waits on the database.
 */
#ifndef LW_REPORT_DATA_H
#define LW_REPORT_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/prep.h"
#include "model/report.h"

struct store;

/* Receives one progress line ("catching up with the change log of ID: 1,200
 * of 4,000 entries", "writing ID-engagements.csv: 150,000 rows"); called on
 * the caller's thread. */
typedef void (*report_progress_fn)(const char *msg, void *arg);

/* How the numbers of a report were obtained. */
enum report_how {
	RH_CURRENT,   /* the stored summary covers the campaign's whole change log */
	RH_ENGINE,    /* it lags, but an engine aggregates the campaign: used as it is */
	RH_CAUGHT_UP, /* it lagged and no engine aggregated it: caught up here */
	RH_REBUILT,   /* there were no prepared aggregates (a previous release): rebuilt */
	RH_FROZEN,    /* a completed campaign: campaigns.frozen */
	RH__COUNT
};

struct report_data_opts {
	report_progress_fn progress; /* NULL: none */
	void *arg;
	/* A close-out: never use a summary that lags the log; wait up to
	 * wait_ms for the engine that aggregates the campaign to reach the
	 * log's head (or for its lease to expire, then catch up here). */
	bool need_current;
	int64_t wait_ms;
	const char *owner; /* the lease owner of a catch-up; NULL: "report:HOST:PID" */
};

struct report_data_info {
	enum report_how how;
	bool persisted; /* the caught-up aggregates were written back (the lease was free) */
	/* the campaign dropped tweets that have data: the numbers come from the
	 * report's own aggregates of its listed tweets (listed), recomputed
	 * from the stored events this time (scanned: the first report after
	 * the drop, or after a dropped tweet was listed again) */
	bool listed;
	bool scanned;
	int64_t seq;          /* the change-log entry the numbers cover */
	int64_t head;         /* the log's head when it was read */
	char aggregator[128]; /* RH_ENGINE: the engine holding the lease */
};

/* The generation of a report's own prepared state of a campaign's listed
 * tweets (report_data_info.listed). */
#define REPORT_DATA_LISTED_GEN (-1)

/* Returns a short phrase for how ("current", "caught up", ...). */
const char *report_how_name(enum report_how how);

/* Copies campaign cid's sentiment sums (`<cid>:sentiment`, one `_id`
 * read) into r, after its tweets were set; none when no scorer ran or the
 * read failed. */
void report_data_sentiment(struct store *s, const char *cid, struct report *r);

/* Reads the prepared summary of in's campaign into *out (caller calls
 * prep_summary_done): the stored one (two `_id` reads and one probe of the
 * log) when it covers the change log or an engine aggregates the campaign;
 * else it catches up from the log in memory (prep_load, prep_replay) and,
 * when it can take the aggregator lease, writes the result back; a
 * campaign without prepared aggregates is rebuilt from its events first
 * (prep_rebuild, with progress). When the summary holds data of tweets the
 * campaign no longer lists, the numbers come from the report's own prepared
 * state of the listed tweets, caught up with the log and written back (the
 * first time, and after a dropped tweet is listed again, recomputed from
 * the stored events: a scan). o may be NULL. 0, or -1 with a cause. */
int report_data_summary(struct store *s, const struct rep_input *in,
    const struct report_data_opts *o, struct prep_summary *out, struct report_data_info *info,
    char **cause);

/* Builds the report of the campaign whose id or name is key into *out
 * (caller calls report_done): from campaigns.frozen once it is frozen (the
 * same bytes every time), else live at now_ms from the settings, the tweets
 * documents and report_data_summary. o and info may be NULL. Returns 0, 1
 * when there is no such campaign, or -1 with a cause. */
int report_data_get(struct store *s, const char *key, int64_t now_ms, size_t top,
    const struct report_data_opts *o, struct report *out, struct report_data_info *info,
    char **cause);

/* Writes dir/ID-engagements.csv: one row per engagement document of r's
 * campaign on one of r's tweets, first seen at or before cutoff_ms, streamed
 * from the store in its own order (no sort) with bounded memory; progress
 * every 50,000 rows. Sets *path (caller frees) and *rows. 0, or -1 with a
 * cause (nothing is left behind then). */
int report_data_engagements(struct store *s, const struct report *r, int64_t cutoff_ms,
    const char *dir, report_progress_fn progress, void *arg, char **path, int64_t *rows,
    char **cause);

/* An engagement table being written: report_data_engagements streams one;
 * the close-out fills one while it archives the engagements (one walk). */
struct report_table;

/* Starts dir/ID-engagements.csv for r's campaign: rows of r's tweets first
 * seen at or before cutoff_ms, progress every 50,000 rows. 0, or -1. */
int report_table_open(const struct report *r, int64_t cutoff_ms, const char *dir,
    report_progress_fn progress, void *arg, struct report_table **out, char **cause);

/* Adds e as a row when it belongs in the table. 0, or -1 with a cause. */
int report_table_add(struct report_table *t, const struct lw_engagement *e, char **cause);

/* Puts the table in place, sets *path (caller frees) and *rows, frees t.
 * 0, or -1 with a cause (then nothing is left behind). */
int report_table_close(struct report_table *t, char **path, int64_t *rows, char **cause);

/* Drops a table being written and frees t; NULL is a no-op. */
void report_table_abort(struct report_table *t);

/* Which files of the full engagers table to write. */
struct report_engagers_want {
	bool csv;  /* ID-engagers.csv */
	bool json; /* ID-engagers.json */
	bool xlsx; /* ID.xlsx: the report's tables and the engagers sheet */
};

/* Writes every engaged account of r's campaign (one row each; rows add up
 * to the report's unique accounts) into the files want names in dir, in
 * one pass over the campaign's prepared account chunks of the generation
 * the report was built from (listed: its state of the listed tweets;
 * docs/reports.md, "The engagers table"), one chunk in memory at a time,
 * progress every 50,000 rows. Appends the paths to *paths (a growing array
 * of *npaths strings the caller frees) and sets *rows. 0, or -1 with a
 * cause (the files not yet in place are removed). */
int report_data_engagers(struct store *s, const struct report *r, bool listed, const char *dir,
    const struct report_engagers_want *want, report_progress_fn progress, void *arg, char ***paths,
    size_t *npaths, int64_t *rows, char **cause);

#endif
