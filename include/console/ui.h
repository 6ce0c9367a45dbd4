/*
 * ui: the live console. ui_main runs the curses loop over struct ui
 * (console/ui_state.h): only the UI thread calls curses; the reader's
 * thread (engine/reader.h) does all reads and writes (rebuild, polling past
 * watermarks, campaign commands) and hands rows over the queue, so the UI
 * never waits on the network or the database. Everything here is called on
 * the UI thread only unless a function says otherwise.
 */
#ifndef LW_UI_H
#define LW_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "console/ui_state.h"

struct queue;
struct jsonapi;

/* Options of the console. */
struct ui_opts {
	const char *theme;         /* NULL: "default" */
	bool ascii;                /* force ASCII charts and frames */
	const char *engine_status; /* shown at start: engine running, viewer, or why off */
	struct jsonapi *api;       /* the --http endpoint to publish snapshots to, or NULL */
	const char *provider;      /* "simulator", "twitterapi.io, key set", ... (borrowed) */
	const char *sim_tweets[3]; /* the tweets the simulator knows (borrowed), or NULLs */
	int64_t *left_at_ms;       /* set to clock_mono_ms when the user quit, or NULL */
};

/* Runs the console until the user quits, showing what reader rd (borrowed;
 * started by the caller on the store and q) reads; q (borrowed) is the
 * queue the reader and any in-process engine push batches onto. Returns an
 * exit status. */
int ui_main(const struct ui_opts *o, struct reader *rd, struct queue *q, bool simulated);

#endif
