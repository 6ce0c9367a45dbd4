/*
 * ui_state: struct ui, the console's whole state: the model (agg), what the
 * user looks at (screen, focused pane, zoom, chart metric and scope,
 * filters, scroll positions, the profile shown), the dialogs and the
 * campaign commands waiting for the loop to hand them to the reader; and
 * its helpers. It
 * holds no curses types, so the panes (src/console/pane_*.c) draw it into a
 * draw_grid without a terminal and Check and the benchmark can render
 * frames. Nothing here calls back into the loop: what a handler cannot do
 * on struct ui it returns as a reaction (console/keys.h) or queues here.
 * UI thread only (or any thread owning its own ui, as in tests and the
 * benchmark).
 */
#ifndef LW_UI_STATE_H
#define LW_UI_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/agg.h"
#include "config/config.h"
#include "console/draw.h"
#include "engine/reader.h"

struct dialog;

/* A campaign command queued by ui_post, waiting for the loop to hand it to
 * the reader. */
struct ui_cmd {
	enum reader_cmd cmd;
	char cid[64];
	struct cfg_file *f;       /* owned, or NULL */
	struct agg_filter filter; /* READER_EXPORT's */
	char *path;               /* READER_EXPORT's file (owned), or NULL */
	struct ui_cmd *next;
};

/* The panes of the campaign screen, in Tab order. */
enum pane_id { P_FEED, P_CHART, P_PIE, P_TWEETS, P_ALERTS, P__COUNT };

/* Full screens. */
enum ui_screen {
	S_CAMPAIGN,
	S_OVERVIEW,
	S_PROFILE,
	S_BUCKETS,
	S_CLOSEOUT,
	S_TOP,
	S_JOBS,
	S__COUNT
};

#define UI_SIM_TWEETS 3 /* the simulator's tweets the demo lists */

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
	enum res res;   /* the chart's time resolution (RES_AUTO: from the span and width) */
	int metric;     /* 0..M__COUNT-1, or M__COUNT for several */
	int scope;      /* SCOPE_ALL, category + 1, or 4 + tweet index */
	int pie_action; /* -1 all actions, else enum lw_action */
	bool farm_flip; /* f: the opposite of the campaign's farm.exclude (ui_farm_excluded) */
	struct agg_filter filter;
	char filter_text[128];
	bool drill;        /* Enter on a tweet set the feed's filter and the chart's scope to it */
	size_t feed_off;   /* rows scrolled back from the newest; 0 follows live */
	bool feed_arrival; /* the feed in the order rows were stored, not engaged */
	size_t *feed_perm; /* that order: indices into the feed (owned), for... */
	size_t feed_perm_n;
	uint64_t feed_perm_ver;  /* ... this version ... */
	const void *feed_perm_c; /* ... of this campaign */
	size_t feed_sel;         /* selected row on screen */
	size_t tweets_sel;
	size_t alerts_off;
	size_t top_sel;                /* selected row of S_TOP */
	struct agg_profile *profile;   /* what S_PROFILE shows (owned), or NULL */
	bool profile_asked;            /* ... still to be asked of the reader */
	char profile_tweet[LW_ID_MAX]; /* the engagement it was opened from */
	enum lw_action profile_action;
	enum ui_screen profile_back; /* the screen Esc goes back to */
	size_t profile_off;
	size_t overview_sel;
	int64_t now_ms;
	bool ascii;
	char theme_name[32];
	bool simulated;                            /* the built-in simulator feeds the demo */
	char sim_tweets[UI_SIM_TWEETS][LW_ID_MAX]; /* the tweets it knows */
	size_t nsim_tweets;
	char sim_tweets_text[UI_SIM_TWEETS * LW_ID_MAX + 8]; /* them, ", " between */
	size_t jobs_off;                                     /* lines scrolled on S_JOBS */
	char *message;                                       /* one-line status message (owned) */
	const char *engine_status; /* engine running, viewer, or why off (borrowed) */
	const char *provider;      /* which provider, and whether a key is set (borrowed) */
	int64_t message_ms;
	bool dirty;
	struct dialog *dialog;                /* the open form or confirm dialog, or NULL */
	struct draw_rect pane_rect[P__COUNT]; /* where each pane was last drawn (w 0: not shown) */
	char closeout_cid[64];                /* the campaign S_CLOSEOUT shows */
	struct reader_closeout *closeout;     /* its state as last read (owned), or NULL */
	struct ui_cmd *cmds;                  /* queued for the reader, oldest first (owned) */
	/* database health as the reader last saw it */
	bool db_ok;
	char *db_status; /* owned */
	/* the campaign to open at start (ui_pick_campaign): the one viewed
	 * last, else the live one; the user's own choice ends the pick */
	bool pick_pending;
	char pick_cid[64];  /* remembered, or "" */
	int64_t pick_by_ms; /* pick with what is known by then; 0 until campaigns arrive */
};

/* Prepares u over agg (borrowed), with nothing open. */
void ui_init(struct ui *u, struct agg *agg);
/* Frees what u owns (not the agg). */
void ui_done(struct ui *u);

/* Returns the current campaign, or NULL when there is none (borrowed). */
struct agg_campaign *ui_campaign(struct ui *u);
/* Returns true when the pie and the CPM figures leave likely-farmed
 * accounts out for c: its farm.exclude, flipped by the f key, and only
 * when its summary has farm data and the signal is on. */
bool ui_farm_excluded(const struct ui *u, const struct agg_campaign *c);

/* While a start pick is pending, opens the campaign viewed last (when it
 * is still open) or else the live one, the open campaign whose newest
 * engagement was stored last, once every campaign's summary arrived (or
 * UI_PICK_WAIT_MS after the first campaigns did). */
void ui_pick_campaign(struct ui *u);
#define UI_PICK_WAIT_MS 2000

/* Notes that the simulator knows only tweets ids[0..n) (copied, at most
 * UI_SIM_TWEETS). */
void ui_set_sim_tweets(struct ui *u, const char *const *ids, size_t n);
/* Returns how many of c's listed tweets the simulator feeding the demo
 * does not know (0 when no simulator feeds it or c is NULL). */
size_t ui_sim_unknown(const struct ui *u, const struct agg_campaign *c);
/* Writes into buf what the console says when the simulator feeds campaign
 * c but c lists tweets it does not know (they read as missing); returns
 * false, buf untouched, when there is nothing to say. */
bool ui_sim_note(const struct ui *u, const struct agg_campaign *c, char *buf, size_t len);

/* Sets the status message (formatted). */
void ui_message(struct ui *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Opens the profile screen on p (takes it; loading), opened from its
 * engagement (tweet_id, action); the loop asks the reader for the rest. */
void ui_open_profile(
    struct ui *u, struct agg_profile *p, const char *tweet_id, enum lw_action action);

/* Queues the export of every stored engagement of campaign cid passing
 * flt to path (copied), as READER_EXPORT. */
void ui_post_export(struct ui *u, const char *cid, const struct agg_filter *flt, const char *path);

/* Opens the close-out screen of campaign cid; the loop has the reader read
 * its progress while the screen is open. */
void ui_show_closeout(struct ui *u, const char *cid);

/* Queues campaign command cmd (engine/reader.h) for the loop to hand to the
 * reader; the result comes back as a status message. Any of cid or f may be
 * NULL (takes ownership of f). */
void ui_post(struct ui *u, enum reader_cmd cmd, const char *cid, struct cfg_file *f);

#endif
