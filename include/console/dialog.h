/*
 * dialog: the add-campaign form, the edit-tweets form and the settings form
 * (validated by the same loader as YAML files, writing nothing on error), the filter prompt
 * and yes/no confirmations. A dialog knows nothing of struct ui: a key that
 * finishes it fills a struct dialog_result (a command for the reader, a
 * message, a filter), which the console carries out (console/dispatch.h).
 * Input handling and drawing are curses-free (keys arrive as code points or
 * KEY_CODE_ values, drawing goes to a draw_grid). UI thread only.
 */
#ifndef LW_DIALOG_H
#define LW_DIALOG_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "console/draw.h"
#include "console/form_settings.h"
#include "engine/reader.h"
#include "model/agg.h"

struct dialog;

/* What a finished dialog asks for (dialog_key fills it). The caller owns f
 * and message. */
struct dialog_result {
	bool post; /* run cmd on campaign cid with f through the reader */
	enum reader_cmd cmd;
	char cid[64];
	struct cfg_file *f; /* the validated campaign file, or NULL */
	char *message;      /* a status message to show, or NULL */
	bool show_closeout; /* follow the close-out of cid */
	bool filter;        /* set the feed's filter to filt, written filter_text */
	struct agg_filter filt;
	char filter_text[128];
};

/* Opens the add-campaign form (window starting now_ms). */
struct dialog *dialog_add_campaign(int64_t now_ms);
/* Opens the edit-tweets form of campaign c (borrowed for the call): one
 * field of links per category, prefilled with its listed tweets; saving
 * validates them with the campaign-file loader and posts READER_TWEETS. Returns
 * NULL when a category's links do not fit in a field (then nothing opens). */
struct dialog *dialog_edit_tweets(const struct agg_campaign *c);
/* Opens the settings form of campaign c (borrowed for the call): CPM
 * benchmarks and spend per category, cadences, alert rules and channels,
 * prefilled with its stored settings; saving validates them with the
 * campaign-file loader and posts READER_SETTINGS. Returns NULL when c's
 * settings were not read yet. */
struct dialog *dialog_edit_settings(const struct agg_campaign *c);
/* Opens the filter prompt with the current text. */
struct dialog *dialog_filter(const char *current);
/* Opens a confirmation: on yes, asks to run cmd on campaign cid (and, for
 * READER_CLOSE, to follow its close-out). */
struct dialog *dialog_confirm(const char *question, enum reader_cmd cmd, const char *cid);
/* Frees a dialog; NULL is a no-op. */
void dialog_free(struct dialog *d);

/* Handles one key; returns true when the dialog is finished (then the
 * caller frees it and carries out *res, which is cleared first). */
bool dialog_key(struct dialog *d, int key, struct dialog_result *res);

/* Draws the dialog centred in g. */
void dialog_draw(struct dialog *d, struct draw_grid *g);

/* Builds campaign-file YAML of one campaign from form fields (exposed for
 * tests): returns a new string. Links are separated by spaces, commas or
 * newlines; settings holds SF__COUNT texts (console/form_settings.h) or is
 * NULL for none. When not NULL, head_lines gets the line of name, client,
 * start, duration and the three link lists (0: not written) and lines
 * that of each settings field. */
char *dialog_form_yaml(const char *name, const char *client, const char *start,
    const char *duration, const char *const links[CAT__COUNT], const char *const *settings,
    int head_lines[7], int lines[SF__COUNT]);

/* Parses a filter such as "bucket=investor,founder action=reply
 * cat=main min=50" into *f; "" clears. 0 or -1 with a cause. */
int ui_filter_parse(const char *text, struct agg_filter *f, char **cause);

#endif
