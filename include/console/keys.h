/*
 * keys: the console's key table (key, help text, handler); `?` renders the
 * same table, so the help never disagrees with the bindings. UI thread only.
 */
#ifndef LW_KEYS_H
#define LW_KEYS_H

#include <stddef.h>

#include "console/keycode.h"
#include "console/ui_state.h"

/* One binding. */
struct key_binding {
	int key;           /* a character or a KEY_CODE_ */
	const char *label; /* as shown in the help, e.g. "Tab" */
	const char *help;
	void (*fn)(struct ui *u, int key);
};

/* Returns the key table and its length (borrowed, static). */
const struct key_binding *keys_table(size_t *n);

/* Mouse events, as ui.c translates them from curses. */
enum key_mouse { MOUSE_CLICK, MOUSE_WHEEL_UP, MOUSE_WHEEL_DOWN };

/* Handles a mouse event at cell (x, y): a click focuses the pane under it
 * (and selects the feed or tweets row clicked); the wheel scrolls the pane
 * under it, the feed when it is over none. Returns 1 when it changed
 * anything. Curses-free. */
int keys_mouse(struct ui *u, enum key_mouse ev, int x, int y);

/* Handles one key on the campaign, overview, profile or bucket screens
 * (dialogs take keys first, in ui.c). Returns 1 when the key was bound. */
int keys_handle(struct ui *u, int key);

#endif
