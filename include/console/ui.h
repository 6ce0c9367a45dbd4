/*
 * ui: the live console. struct ui is the console's whole state: the model
 * (agg), what the user looks at (screen, focused pane, zoom, chart metric
 * and scope, filters, scroll positions) and the dialogs; it holds no curses
 * types, so the panes (src/console/pane_*.c) draw it into a draw_grid without a
 * terminal and Check and the benchmark can render frames. ui_main runs the
 * curses loop: only the UI thread calls curses, the reader's thread
 * (engine/reader.h) does all reads and writes (rebuild, polling past
 * watermarks, campaign commands) and hands rows over the queue, so the UI
 * never waits on the network or the database. Everything here is called on the UI thread only unless a
 * function says otherwise.
 */
#ifndef LW_UI_H
#define LW_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/agg.h"
#include "config/config.h"
#include "console/draw.h"
#include "engine/reader.h"

struct queue;
struct dialog;
struct jsonapi;

/* The panes of the campaign screen, in Tab order. */
enum pane_id { P_FEED, P_CHART, P_PIE, P_TWEETS, P_ALERTS, P__COUNT };

/* Full screens. */
enum ui_screen { S_CAMPAIGN, S_OVERVIEW, S_PROFILE, S_BUCKETS, S_CLOSEOUT, S__COUNT };

/* Chart scopes before the per-tweet ones: all tweets, then each category. */
#define SCOPE_ALL 0 /* 1..3: category 0..2; 4 + i: tweet i */

/* The chart's metric choices: each metric alone, then the four engagement
 * counts together. */
#define METRIC_CHOICES (M__COUNT + 1)

struct ui {
	struct agg *agg;
	size_t cur; /* index of the current campaign in agg->campaigns */
	enum ui_screen screen;
	enum pane_id focus;
	bool zoom;
	bool help;
	bool daily;
	int metric;     /* 0..M__COUNT-1, or M__COUNT for several */
	int scope;      /* SCOPE_ALL, category + 1, or 4 + tweet index */
	int pie_action; /* -1 all actions, else enum lw_action */
	struct agg_filter filter;
	char filter_text[128];
	size_t feed_off;  /* rows scrolled back from the newest; 0 follows live */
	size_t feed_sel;  /* selected row on screen */
	size_t feed_seen; /* engagements of the campaign when last drawn */
	size_t tweets_sel;
	size_t alerts_off;
	uint32_t profile_user; /* agg user index shown by S_PROFILE */
	size_t profile_off;
	size_t overview_sel;
	int64_t now_ms;
	bool ascii;
	char theme_name[32];
	bool simulated;            /* the built-in simulator feeds the demo */
	char *message;             /* one-line status message (owned) */
	const char *engine_status; /* engine running, viewer, or why off (borrowed) */
	const char *provider;      /* which provider, and whether a key is set (borrowed) */
	int64_t message_ms;
	bool quit;
	bool dirty;
	struct dialog *dialog;                /* the open form or confirm dialog, or NULL */
	struct draw_rect pane_rect[P__COUNT]; /* where each pane was last drawn (w 0: not shown) */
	char closeout_cid[64];                /* the campaign S_CLOSEOUT shows */
	struct reader_closeout *closeout;     /* its state as last read (owned), or NULL */
	struct reader *reader;                /* the database thread, or NULL (tests, bench) */
	/* database health as the reader last saw it */
	bool db_ok;
	char *db_status; /* owned */
};

/* Options of the console. */
struct ui_opts {
	const char *theme;         /* NULL: "default" */
	bool ascii;                /* force ASCII charts and frames */
	const char *engine_status; /* shown at start: engine running, viewer, or why off */
	struct jsonapi *api;       /* the --http endpoint to publish snapshots to, or NULL */
	const char *provider;      /* "simulator", "twitterapi.io, key set", ... (borrowed) */
};

/* Prepares u over agg (borrowed), with nothing open. */
void ui_init(struct ui *u, struct agg *agg);
/* Frees what u owns (not the agg). */
void ui_done(struct ui *u);

/* Returns the current campaign, or NULL when there is none (borrowed). */
struct agg_campaign *ui_campaign(struct ui *u);

/* Sets the status message (formatted). */
void ui_message(struct ui *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Renders the whole frame of u into g (sized by the caller). Curses-free. */
void ui_render(struct ui *u, struct draw_grid *g);

/* Pane bodies (src/console/pane_*.c), each drawing into r of g. Curses-free. */
void pane_header_draw(struct ui *u, struct draw_grid *g, struct draw_rect r);
void pane_feed_draw(struct ui *u, struct draw_grid *g, struct draw_rect r, bool focus);
void pane_chart_draw(struct ui *u, struct draw_grid *g, struct draw_rect r, bool focus);
void pane_pie_draw(struct ui *u, struct draw_grid *g, struct draw_rect r, bool focus);
void pane_tweets_draw(struct ui *u, struct draw_grid *g, struct draw_rect r, bool focus);
void pane_alerts_draw(struct ui *u, struct draw_grid *g, struct draw_rect r, bool focus);
void pane_overview_draw(struct ui *u, struct draw_grid *g, struct draw_rect r);
void pane_profile_draw(struct ui *u, struct draw_grid *g, struct draw_rect r);
void pane_buckets_draw(struct ui *u, struct draw_grid *g, struct draw_rect r);
void pane_help_draw(struct ui *u, struct draw_grid *g, struct draw_rect r);
void pane_closeout_draw(struct ui *u, struct draw_grid *g, struct draw_rect r);

/* Opens the close-out screen of campaign cid; the reader reads its
 * progress while the screen is open. */
void ui_show_closeout(struct ui *u, const char *cid);

/* Returns the engagement index of feed row `row` counted from the newest
 * that passes the filter (after skipping `off` rows), or AGG_NONE. */
uint32_t pane_feed_row(struct ui *u, struct agg_campaign *c, size_t off, size_t row);

/* Returns how many of c's engagements from index `from` on pass the filter. */
size_t pane_feed_count_new(struct ui *u, struct agg_campaign *c, size_t from);

/* Writes the focused view of u as CSV to a new file in dir and sets *path
 * (caller frees). 0 or -1 with a cause. */
int ui_export_csv(struct ui *u, const char *dir, char **path, char **cause);

/* Parses a filter such as "bucket=investor,founder action=reply
 * cat=main min=50" into *f; "" clears. 0 or -1 with a cause. */
int ui_filter_parse(const char *text, struct agg_filter *f, char **cause);

/* Runs the console until the user quits, showing what reader rd (borrowed;
 * started by the caller on the store and q) reads; q (borrowed) is the
 * queue the reader and any in-process engine push batches onto. Returns an
 * exit status. */
int ui_main(const struct ui_opts *o, struct reader *rd, struct queue *q, bool simulated);

/* Seconds the process may take to shut down after the console closed before
 * it leaves without waiting (a database or provider that does not answer). */
#define UI_EXIT_WAIT_S 5
/* Ends the exit watch that ui_main starts when it closes the terminal: call
 * it once everything is shut down (main thread). */
void ui_exit_watch_end(void);

/* Asks the reader to run a campaign command (engine/reader.h); the result
 * comes back as a status message. Any of cid or f may be NULL (takes
 * ownership of f). */
void ui_post(struct ui *u, enum reader_cmd cmd, const char *cid, struct cfg_file *f);

#endif
