/*
 * closeout: the close-out job of a campaign (DESIGN.md section 5: final
 * metrics, freeze, CPM savings, archive, completed) and the report of a
 * campaign at any time (live, or final from campaigns.frozen). Runs on the
 * thread that calls it (the scheduler's at window end, or the main thread of
 * a command); it waits on the database and the file system.
 */
#ifndef LW_CLOSEOUT_H
#define LW_CLOSEOUT_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/finalrefresh.h"

struct aggregator;

#include "output/archive.h"
#include "model/campaign.h"
#include "model/report.h"
#include "store/store.h"

/* The points between the close-out's writes, in order; the step hook is
 * called at each (tests kill or fail the job there). */
enum closeout_step {
	CO_REFRESHED,    /* the final metrics reading and delta walk are done */
	CO_BUILT,        /* the final model is computed, nothing written yet */
	CO_FROZEN,       /* frozen + completed written (one write) */
	CO_ARCHIVE_FILE, /* one archive file is in place (detail: its name) */
	CO_REPORTS,      /* the final report files are written */
	CO_MANIFEST,     /* manifest.json (covering the reports) and manifest.sig are in place */
	CO_RECORDED,     /* the archives document is written */
	CO_DONE,         /* closeout.state is "done" */
	CO__COUNT
};

/* Returns the step's name ("refreshed", "built", ...). */
const char *closeout_step_name(enum closeout_step s);

struct closeout_hooks {
	/* Replaces the final refresh of closeout_opts.refresh (tests): the
	 * last metrics reading of every tweet and one last delta walk. Fills
	 * *out (closeout_run frees out->note), which goes into the frozen
	 * report; -1 with a cause leaves the campaign unfrozen for a rerun.
	 * NULL: the engine's refresh, if any. */
	int (*final_refresh)(struct store *s, const struct campaign *c, void *arg,
	    struct rep_refresh *out, char **cause);
	/* Called after each step; a non-zero return stops the job there as a
	 * failure (for tests). NULL for none. */
	int (*step)(enum closeout_step step, const char *detail, void *arg);
	/* Progress lines for the console ("archiving engagements ...", and the
	 * final refresh's); NULL for none. */
	void (*progress)(const char *message, void *arg);
	void *arg;
};

struct closeout_opts {
	/* The engine's final refresh (final_refresh_run), run before the
	 * freeze: a provider failure is no error there, it makes the report's
	 * final_refresh incomplete and names the jobs, and the close-out goes
	 * on and freezes what is stored; a stop or a database failure leaves
	 * the campaign unfrozen for a rerun. NULL: no refresh (a command run
	 * without an engine). */
	const struct final_refresh *refresh;
	/* The engine's aggregator, flushed after the final refresh so the
	 * frozen report covers everything stored; NULL: none running here. */
	struct aggregator *aggregator;
	const char *archive_root; /* NULL: closeout_default_archive_root() */
	const char
	    *signing_key;   /* the archive signing key's file; NULL: archive_key_default_path() */
	bool write_reports; /* also write md, csv, json and html into DIR/report */
	size_t top;         /* top engagers to list; 0 means REPORT_TOP_DEFAULT */
};

struct closeout_result {
	bool froze;        /* this run wrote the frozen totals and completed */
	bool archived;     /* this run wrote the archive */
	bool already_done; /* nothing was left to do */
	char archive_dir[PATH_MAX];
	struct archive_manifest manifest; /* when archived */
};

/* Closes campaign_id out, or finishes a close-out that was interrupted: the
 * final refresh, the frozen totals with CPM, completed (written once, in one
 * write, never again on a rerun), then the audit archive and its record.
 * Safe to rerun at any point; a finished one is a no-op. hooks and opts may
 * be NULL. Returns 0, or -1 with a cause. */
int closeout_run(struct store *s, const char *campaign_id, const struct closeout_hooks *hooks,
    const struct closeout_opts *opts, struct closeout_result *res, char **cause);

/* Returns true when campaign c should be closed out at now_ms: not completed,
 * and its window has ended or a close-out was requested. (A completed
 * campaign whose archive is unfinished is finished by closeout_run too.) */
bool closeout_due(const struct campaign *c, int64_t now_ms);

/* Returns the archive root: $LAUNCHWATCH_ARCHIVE_DIR, else DATA_DIR/archives
 * (new string). */
char *closeout_default_archive_root(void);

/* Builds the report of the campaign whose id or name is key into *out
 * (caller calls report_done): from campaigns.frozen once it is frozen (the
 * same bytes every time), else live at now_ms from its prepared aggregates
 * (report_data_get without progress). Returns 0, 1 when there is no such
 * campaign, or -1 with a cause. */
int closeout_report(
    struct store *s, const char *key, int64_t now_ms, size_t top, struct report *out, char **cause);

#endif
