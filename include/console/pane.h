/*
 * pane: what the panes (src/console/pane_*.c) draw and answer. Each draws
 * struct ui into a rectangle of a draw_grid; curses-free, UI thread only
 * (or any thread owning its own ui, as in tests and the benchmark).
 */
#ifndef LW_PANE_H
#define LW_PANE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "console/draw.h"
#include "console/ui_state.h"

/* Renders the whole frame of u into g (sized by the caller). Curses-free. */
void ui_render(struct ui *u, struct draw_grid *g);

/* Pane bodies (src/console/pane_*.c), each drawing into r of g. Curses-free. */
void pane_header_draw(struct ui *u, struct draw_grid *g, struct draw_rect r);
void pane_feed_draw(struct ui *u, struct draw_grid *g, struct draw_rect r, bool focus);
void pane_chart_draw(struct ui *u, struct draw_grid *g, struct draw_rect r, bool focus);
/* Returns the resolution the chart of campaign c uses for minutes m: chosen
 * unless it is RES_AUTO, else the finest whose steps from m's first minute
 * to now (the campaign's end once it is over; the last data when later)
 * fit width; sets *to_ms to that end. */
enum res pane_chart_res(const struct agg_campaign *c, const struct minutes *m, enum res chosen,
    int64_t now_ms, size_t width, int64_t *to_ms);
void pane_pie_draw(struct ui *u, struct draw_grid *g, struct draw_rect r, bool focus);
void pane_tweets_draw(struct ui *u, struct draw_grid *g, struct draw_rect r, bool focus);
void pane_alerts_draw(struct ui *u, struct draw_grid *g, struct draw_rect r, bool focus);
void pane_overview_draw(struct ui *u, struct draw_grid *g, struct draw_rect r);
void pane_profile_draw(struct ui *u, struct draw_grid *g, struct draw_rect r);
void pane_buckets_draw(struct ui *u, struct draw_grid *g, struct draw_rect r);
void pane_help_draw(struct ui *u, struct draw_grid *g, struct draw_rect r);
void pane_closeout_draw(struct ui *u, struct draw_grid *g, struct draw_rect r);
void pane_top_draw(struct ui *u, struct draw_grid *g, struct draw_rect r);
void pane_jobs_draw(struct ui *u, struct draw_grid *g, struct draw_rect r);

/* Returns the index in c->feed of feed row `row` counted from the newest
 * that passes the filter (after skipping `off` rows), or -1. */
long pane_feed_row(struct ui *u, struct agg_campaign *c, size_t off, size_t row);

/* Returns how many rows passing the filter come before c->feed[i]. */
size_t pane_feed_position(struct ui *u, struct agg_campaign *c, size_t i);

/* Returns how many of c's feed rows pass the filter. */
size_t pane_feed_count(struct ui *u, struct agg_campaign *c);

/* Sets *first and *n to the tweets the tweets pane showed in its last
 * frame (n 0 when it was not drawn). */
void pane_tweets_rows(const struct ui *u, const struct agg_campaign *c, size_t *first, size_t *n);

/* Points *uniq and *uniq_act at the unique accounts per bucket (and per
 * action) the bucket panes show for c: those of the tweet u is drilled
 * into (returns true), else the campaign's (returns false). why gets ""
 * or why the tweet's cannot be shown. */
bool pane_drill_uniq(struct ui *u, const struct agg_campaign *c, const int64_t **uniq,
    const int64_t (**uniq_act)[BK__COUNT], char *why, size_t len);

/* Writes the prepared state of c ("loading...", "preparing...") into buf
 * and returns true when c has no summary to show yet, or only zeros before
 * its first complete read (agg_loading). */
bool pane_not_ready(const struct agg_campaign *c, char *buf, size_t len);

/* Writes the focused view of u as CSV to a new file in dir and sets *path
 * (caller frees). Returns 0 (written), 1 (the engagers' export is queued
 * for the reader, which says when it is written) or -1 with a cause. */
int ui_export_csv(struct ui *u, const char *dir, char **path, char **cause);

#endif
