/*
 * tui_support: what the console's screen tests share: a devdb and a work
 * directory per test (tui_setup seeds two campaigns, tui_setup_empty
 * none), the console run in tmux (a socket of its own per start, killed at
 * teardown), reading its screen and sending it keys, and requests to its
 * JSON endpoint. Names start with tui_ (this file is linked into every
 * test program). Test threads only.
 */
#ifndef LW_TUI_SUPPORT_H
#define LW_TUI_SUPPORT_H

#include <check.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "model/agg.h"
#include "model/campaign.h"
#include "model/event.h"

struct store;

#define TUI_WAIT_MS 20000 /* the usual wait for the screen */

extern struct tu_devdb *tui_db;       /* the test's devdb */
extern char *tui_workdir;             /* the test's work directory */
extern char tui_sock[64];             /* the tmux socket of the last start */
extern char tui_cid[CAMPAIGN_ID_MAX]; /* the seeded campaign "Acme launch" */
extern int64_t tui_t0;                /* its window start */
extern char tui_args[256];            /* options after the binary, e.g. --http ADDR */
extern const char *tui_uri;           /* the console's MONGODB_URI when not the devdb's own */
extern const char *const tui_tids[3]; /* its tweets: main, influencer, investor */

/* Runs a shell command and returns its exit status. */
int tui_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Returns the screen of the test's tmux session (caller frees). */
char *tui_screen(void);
/* Returns the screen with its colours and attributes as escape sequences
 * (capture-pane -e; caller frees). */
char *tui_screen_escapes(void);
/* Waits up to wait_ms until the screen shows want (or not, when absent is
 * true); returns the screen then (caller frees) or fails the test with the
 * last screen. */
char *tui_wait_screen_ms(const char *want, bool absent, int wait_ms);
/* tui_wait_screen_ms with the usual wait. */
char *tui_wait_screen(const char *want, bool absent);
/* Asserts the screen shows want within the wait. */
void tui_expect(const char *want);
/* Sends keys (tmux key names, e.g. "Tab" or "C-u"). */
void tui_keys(const char *k);
/* Types text literally. */
void tui_type(const char *text);
/* Starts the console in a w x h tmux session (see tui_support.c). */
void tui_start_ui(int w, int h, bool with_key, const char *extra);
/* Returns the pid of the console started last (a process named launchwatch
 * under the tmux pane), failing the test when there is none. */
int tui_ui_pid(void);
/* Returns true while process pid runs (false once it is gone or a zombie). */
bool tui_pid_alive(int pid);
/* Sends key to the console and returns the milliseconds until its process
 * has exited (polled every 2 ms; fails the test after wait_ms). */
int64_t tui_quit_ms(const char *key, int wait_ms);
/* Writes the test campaigns and their data through the store API. */
void tui_seed(void);
/* Fixtures: a devdb with the seeded campaigns, or without any. */
void tui_setup(void);
void tui_setup_empty(void);
/* Ends the test's tmux server and removes its socket. */
void tui_teardown_tmux(void);
/* Ends the tmux server, the devdb and the work directory. */
void tui_teardown(void);

/* One HTTP answer. */
struct tui_resp {
	long status;
	char *body;
	char etag[64];
	json_t *json; /* the parsed body, or NULL */
};

/* Requests path from the endpoint on port with an optional extra header and
 * method (NULL: GET); fails the test when nothing answers. */
void tui_http(
    int port, const char *path, const char *header, const char *method, struct tui_resp *r);
/* Frees an answer. */
void tui_resp_done(struct tui_resp *r);
/* Returns a free loopback TCP port. */
int tui_free_port(void);

/* What the database holds for a campaign, read directly. */
struct tui_truth {
	struct lw_engagement *eng; /* sorted newest first_seen_at first */
	size_t neng;
	int64_t all[M__COUNT], cat[CAT__COUNT][M__COUNT];
	int64_t events[ACT__COUNT];
};

/* Reads the truth of campaign id from the database (a scan of its
 * engagements and slices). */
void tui_truth_load(struct store *st, const char *id, struct tui_truth *t);
/* Frees a truth. */
void tui_truth_done(struct tui_truth *t);

/* Runs suite s (taken) when tmux is installed; returns main's exit status. */
int tui_run(Suite *s);

#endif
