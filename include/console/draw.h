/*
 * draw: a curses-free grid of cells that panes paint into and that the UI
 * thread copies to the terminal (ui.c), so every chart, table and cut of text
 * can be tested with Check and timed without a terminal. Cells hold one
 * Unicode character, its width (wcwidth: 2 for wide characters and emoji, 0
 * for the cell a wide character covers) and a theme role. Text is decoded as
 * UTF-8; control characters never reach a cell. Any thread, one owner per
 * grid.
 */
#ifndef LW_DRAW_H
#define LW_DRAW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "console/theme.h"

struct draw_cell {
	uint32_t ch;   /* code point; ' ' when empty */
	uint8_t role;  /* enum theme_role */
	uint8_t width; /* 1, 2 for a wide character, 0 for the cell it covers */
};

struct draw_grid {
	int w, h;
	bool ascii; /* draw with ASCII only (no braille, blocks or box lines) */
	struct draw_cell *cells;
};

struct draw_rect {
	int x, y, w, h;
};

enum draw_chart_style { DRAW_BRAILLE, DRAW_BLOCK, DRAW_ASCII };

/* One line of a chart: n values (borrowed for the call). */
struct draw_series {
	const double *v;
	size_t n;
	enum theme_role role;
};

/* One part of a breakdown (label borrowed for the call). */
struct draw_part {
	const char *label;
	int64_t count;
	enum theme_role role;
};

/* Creates a blank w x h grid (caller frees with draw_grid_free). */
struct draw_grid *draw_grid_new(int w, int h, bool ascii);
/* Frees a grid; NULL is a no-op. */
void draw_grid_free(struct draw_grid *g);
/* Changes the size and blanks every cell. */
void draw_grid_resize(struct draw_grid *g, int w, int h);
/* Blanks every cell (space, T_NORMAL). */
void draw_clear(struct draw_grid *g);
/* Returns the cell at x, y, or NULL outside the grid (borrowed). */
struct draw_cell *draw_at(struct draw_grid *g, int x, int y);
/* Puts one narrow character at x, y (ignored outside the grid). */
void draw_put(struct draw_grid *g, int x, int y, uint32_t ch, enum theme_role role);
/* Fills r with ch. */
void draw_fill(struct draw_grid *g, struct draw_rect r, uint32_t ch, enum theme_role role);

/* Returns the terminal columns the UTF-8 text s needs (controls count 0). */
int draw_text_width(const char *s);
/* Writes s at x, y in at most maxw columns; text that does not fit is cut
 * and ends with an ellipsis, a wide character is never split. Returns the
 * columns used. */
int draw_text(struct draw_grid *g, int x, int y, int maxw, enum theme_role role, const char *s);
/* Returns how many bytes of text the next line of it wrapped at spaces to
 * at most width bytes takes (a word longer than half the width is cut,
 * never inside a UTF-8 sequence); the caller skips the spaces after it. */
size_t draw_wrap_len(const char *text, size_t width);
/* As draw_text with printf formatting. */
int draw_textf(struct draw_grid *g, int x, int y, int maxw, enum theme_role role, const char *fmt,
    ...) __attribute__((format(printf, 6, 7)));
/* As draw_text, right-aligned to end at column x + maxw. */
int draw_text_right(
    struct draw_grid *g, int x, int y, int maxw, enum theme_role role, const char *s);

/* Draws a frame around r with an optional title on its top edge. */
void draw_box(struct draw_grid *g, struct draw_rect r, enum theme_role role, const char *title,
    enum theme_role title_role);

/* Draws the last values (at most w) of v as a one-row sparkline at x, y. */
void draw_sparkline(
    struct draw_grid *g, int x, int y, int w, const double *v, size_t n, enum theme_role role);

/* Draws a line chart of the series in r with a labelled y axis (0, middle
 * and maximum, as 12.3k) and x-axis labels left and right (either may be
 * NULL). Values are scaled to the largest in any series. */
void draw_line_chart(struct draw_grid *g, struct draw_rect r, const struct draw_series *s,
    size_t ns, enum draw_chart_style style, const char *xleft, const char *xright);

/* Draws a proportional bar over the first row of r and a legend below it:
 * one line per part with its count and percentage of the total. */
void draw_breakdown(struct draw_grid *g, struct draw_rect r, const struct draw_part *p, size_t n);

/* Returns row y as UTF-8 text (caller frees), for tests and dumps. */
char *draw_row_text(const struct draw_grid *g, int y);

/* Returns the columns of code point cp: 0 for controls and combining marks,
 * 2 for wide ones, else 1. */
int draw_cp_width(uint32_t cp);

#endif
