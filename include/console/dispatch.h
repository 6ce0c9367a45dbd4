/*
 * dispatch: what the loop in ui.c carries out between frames that needs no
 * terminal. A key goes to the open dialog, else closes the help, else goes
 * to the key table; what a finished dialog asks for (struct dialog_result)
 * is applied to struct ui. The campaign commands queued on struct ui go to
 * the reader, which is told which close-out the screen shows; what the
 * reader published goes into the model and struct ui. The reactions that
 * need the terminal (quit, theme, redraw) come back to the loop as enum
 * key_react flags. Curses-free; UI thread only.
 */
#ifndef LW_DISPATCH_H
#define LW_DISPATCH_H

#include "console/ui_state.h"
#include "engine/reader.h"

/* Routes one key (a code point or a KEY_CODE_): the open dialog takes it,
 * else it closes the help, else the key table handles it; an unbound
 * character says so on the status line, other keys clear the message
 * unless their handler keeps it. Returns enum key_react flags. */
unsigned dispatch_key(struct ui *u, int key);

/* Hands the commands queued on u to reader r (NULL: each is dropped with
 * "no database connection") and tells it which close-out u shows. */
void dispatch_commands(struct ui *u, struct reader *r);

/* Applies news n taken from a reader to u's model and state: campaigns,
 * job rows, alerts and authors to the agg, the close-out, the message and
 * the database's health to u. Moves out what u keeps; the caller still
 * frees n with reader_news_done. */
void dispatch_news(struct ui *u, struct reader_news *n);

/* Takes what reader r (NULL: nothing) published and applies it
 * (dispatch_news). */
void dispatch_take(struct ui *u, struct reader *r);

#endif
