/*
 * keys: the console's key table (key, help text, handler); `?` renders the
 * same table, so the help never disagrees with the bindings. A handler
 * changes struct ui and returns a reaction (after htop's Htop_Reaction):
 * what the loop in ui.c has to do besides drawing what changed. Campaign
 * commands go onto struct ui's queue (ui_post), which the loop hands to
 * the reader. Curses-free; UI thread only.
 */
#ifndef LW_KEYS_H
#define LW_KEYS_H

#include <stddef.h>

#include "console/keycode.h"
#include "console/ui_state.h"

/* What a handler asks of the loop besides the state it changed: a set of
 * these flags. */
enum key_react {
	KR_NONE = 0,
	KR_HANDLED = 1 << 0,      /* the key or event is bound here */
	KR_REDRAW = 1 << 1,       /* draw the frame again */
	KR_QUIT = 1 << 2,         /* leave the console */
	KR_THEME = 1 << 3,        /* apply theme u->theme_name and repaint every cell */
	KR_KEEP_MESSAGE = 1 << 4, /* leave the status message (the handler reports there) */
};

/* One binding. */
struct key_binding {
	int key;           /* a character or a KEY_CODE_ */
	const char *label; /* as shown in the help, e.g. "Tab" */
	const char *help;
	unsigned (*fn)(struct ui *u, int key); /* returns enum key_react flags */
};

/* Returns the key table and its length (borrowed, static). */
const struct key_binding *keys_table(size_t *n);

/* Mouse events, as ui.c translates them from curses. */
enum key_mouse { MOUSE_CLICK, MOUSE_WHEEL_UP, MOUSE_WHEEL_DOWN };

/* Handles a mouse event at cell (x, y): a click focuses the pane under it
 * (and selects the feed or tweets row clicked); the wheel scrolls the pane
 * under it, the feed when it is over none. Returns KR_HANDLED | KR_REDRAW
 * when it changed anything, else 0. */
unsigned keys_mouse(struct ui *u, enum key_mouse ev, int x, int y);

/* Handles one key on the campaign, overview, profile or bucket screens
 * (dialogs and the help take keys first: dispatch_key). Returns the
 * handler's enum key_react flags with KR_HANDLED | KR_REDRAW when the key
 * is bound, else 0. */
unsigned keys_handle(struct ui *u, int key);

#endif
