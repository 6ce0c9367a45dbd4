/*
 * draw: the curses-free cell grid that panes paint into: text cut to width
 * with wide characters measured by wcwidth, frames, sparklines, braille,
 * block and ASCII line charts with labelled axes, and proportional
 * breakdowns. Pure apart from wcwidth's locale; any thread, one owner per
 * grid.
 */
#include "console/draw.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "base/fmt.h"
#include "base/text.h"
#include "base/util.h"

#define ELLIPSIS     0x2026u
#define BRAILLE_BASE 0x2800u
#define FULL_BLOCK   0x2588u

/* Frame characters: horizontal, vertical, four corners; Unicode then ASCII. */
static const uint32_t box_chars[2][6] = {
    {0x2500, 0x2502, 0x250c, 0x2510, 0x2514, 0x2518},
    {'-', '|', '+', '+', '+', '+'},
};

/* Eight levels of a sparkline or a block column, lowest first. */
static const uint32_t levels_uni[8] = {
    0x2581, 0x2582, 0x2583, 0x2584, 0x2585, 0x2586, 0x2587, 0x2588};
static const uint32_t levels_ascii[8] = {'_', '.', ':', '-', '=', '+', '*', '#'};

/* Braille dot bits by [row 0..3][column 0..1] inside one cell. */
static const uint8_t braille_bit[4][2] = {{0x01, 0x08}, {0x02, 0x10}, {0x04, 0x20}, {0x40, 0x80}};

struct draw_grid *
draw_grid_new(int w, int h, bool ascii)
{
	struct draw_grid *g = xcalloc(1, sizeof *g);
	g->ascii = ascii;
	draw_grid_resize(g, w, h);
	return g;
}

void
draw_grid_free(struct draw_grid *g)
{
	if (g == NULL)
		return;
	free(g->cells);
	free(g);
}

void
draw_grid_resize(struct draw_grid *g, int w, int h)
{
	g->w = w > 0 ? w : 0;
	g->h = h > 0 ? h : 0;
	g->cells = xreallocarray(g->cells, (size_t)g->w * (size_t)g->h + 1, sizeof *g->cells);
	draw_clear(g);
}

void
draw_clear(struct draw_grid *g)
{
	size_t n = (size_t)g->w * (size_t)g->h;
	for (size_t i = 0; i < n; i++)
		g->cells[i] = (struct draw_cell){' ', T_NORMAL, 1};
}

struct draw_cell *
draw_at(struct draw_grid *g, int x, int y)
{
	if (x < 0 || y < 0 || x >= g->w || y >= g->h)
		return NULL;
	return &g->cells[(size_t)y * (size_t)g->w + (size_t)x];
}

/* Blanks the other half of a wide character that x, y is part of. */
static void
unsplit(struct draw_grid *g, int x, int y)
{
	struct draw_cell *c = draw_at(g, x, y);
	if (c == NULL)
		return;
	if (c->width == 0) {
		struct draw_cell *l = draw_at(g, x - 1, y);
		if (l)
			*l = (struct draw_cell){' ', l->role, 1};
	} else if (c->width == 2) {
		struct draw_cell *r = draw_at(g, x + 1, y);
		if (r)
			*r = (struct draw_cell){' ', r->role, 1};
	}
}

void
draw_put(struct draw_grid *g, int x, int y, uint32_t ch, enum theme_role role)
{
	struct draw_cell *c = draw_at(g, x, y);
	if (c == NULL)
		return;
	unsplit(g, x, y);
	*c = (struct draw_cell){ch, (uint8_t)role, 1};
}

void
draw_fill(struct draw_grid *g, struct draw_rect r, uint32_t ch, enum theme_role role)
{
	for (int y = r.y; y < r.y + r.h; y++)
		for (int x = r.x; x < r.x + r.w; x++)
			draw_put(g, x, y, ch, role);
}

int
draw_cp_width(uint32_t cp)
{
	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
		return 0;
	int w = wcwidth((wchar_t)cp);
	if (w < 0)
		return cp < 0x80 ? 0 : 1; /* non-UTF-8 locale: count one column */
	return w > 2 ? 2 : w;
}

int
draw_text_width(const char *s)
{
	int w = 0;
	size_t len = strlen(s);
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		i += text_utf8_decode(s + i, len - i, &cp);
		w += draw_cp_width(cp);
	}
	return w;
}

int
draw_text(struct draw_grid *g, int x, int y, int maxw, enum theme_role role, const char *s)
{
	if (s == NULL || maxw <= 0)
		return 0;
	int total = draw_text_width(s);
	int room = total > maxw ? maxw - 1 : maxw; /* leave one column for the ellipsis */
	int used = 0;
	size_t len = strlen(s);
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		i += text_utf8_decode(s + i, len - i, &cp);
		int cw = draw_cp_width(cp);
		if (cw == 0)
			continue; /* controls and combining marks never reach a cell */
		if (used + cw > room)
			break;
		if (g->ascii && cp >= 0x80) {
			cp = '?';
			cw = 1;
		}
		draw_put(g, x + used, y, cp, role);
		if (cw == 2) {
			draw_put(g, x + used + 1, y, ' ', role);
			struct draw_cell *c = draw_at(g, x + used, y),
			                 *c2 = draw_at(g, x + used + 1, y);
			if (c && c2) {
				c->width = 2;
				c2->width = 0;
			} else if (c) {
				c->ch = ' '; /* the grid edge cuts it */
			}
		}
		used += cw;
	}
	if (total > maxw) {
		while (used < maxw - 1)
			draw_put(g, x + used++, y, ' ', role);
		draw_put(g, x + used++, y, g->ascii ? '~' : ELLIPSIS, role);
	}
	return used;
}

int
draw_textf(struct draw_grid *g, int x, int y, int maxw, enum theme_role role, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	int n = draw_text(g, x, y, maxw, role, s);
	free(s);
	return n;
}

int
draw_text_right(struct draw_grid *g, int x, int y, int maxw, enum theme_role role, const char *s)
{
	int w = draw_text_width(s);
	if (w >= maxw)
		return draw_text(g, x, y, maxw, role, s);
	return draw_text(g, x + maxw - w, y, w, role, s);
}

void
draw_box(struct draw_grid *g, struct draw_rect r, enum theme_role role, const char *title,
    enum theme_role title_role)
{
	if (r.w < 2 || r.h < 2)
		return;
	const uint32_t *b = box_chars[g->ascii ? 1 : 0];
	for (int x = r.x + 1; x < r.x + r.w - 1; x++) {
		draw_put(g, x, r.y, b[0], role);
		draw_put(g, x, r.y + r.h - 1, b[0], role);
	}
	for (int y = r.y + 1; y < r.y + r.h - 1; y++) {
		draw_put(g, r.x, y, b[1], role);
		draw_put(g, r.x + r.w - 1, y, b[1], role);
	}
	draw_put(g, r.x, r.y, b[2], role);
	draw_put(g, r.x + r.w - 1, r.y, b[3], role);
	draw_put(g, r.x, r.y + r.h - 1, b[4], role);
	draw_put(g, r.x + r.w - 1, r.y + r.h - 1, b[5], role);
	if (title && *title && r.w > 4) {
		draw_put(g, r.x + 1, r.y, ' ', title_role);
		int n = draw_text(g, r.x + 2, r.y, r.w - 4, title_role, title);
		draw_put(g, r.x + 2 + n, r.y, ' ', title_role);
	}
}

void
draw_sparkline(
    struct draw_grid *g, int x, int y, int w, const double *v, size_t n, enum theme_role role)
{
	if (w <= 0)
		return;
	size_t from = n > (size_t)w ? n - (size_t)w : 0;
	double lo = 0, hi = 0;
	for (size_t i = from; i < n; i++)
		hi = v[i] > hi ? v[i] : hi;
	const uint32_t *lv = g->ascii ? levels_ascii : levels_uni;
	for (size_t i = from; i < n; i++) {
		int k = hi > lo ? (int)lround((v[i] - lo) / (hi - lo) * 7.0) : 0;
		k = k < 0 ? 0 : k > 7 ? 7 : k;
		draw_put(g, x + (int)(i - from), y, lv[k], role);
	}
}

/* Returns the value of series s at column px of w columns (nearest sample). */
static double
sample_at(const struct draw_series *s, int px, int w)
{
	if (s->n == 0)
		return 0;
	if (s->n == 1 || w <= 1)
		return s->v[s->n - 1];
	size_t i = (size_t)llround((double)px * (double)(s->n - 1) / (double)(w - 1));
	return s->v[i < s->n ? i : s->n - 1];
}

/* Plots series into the plot area p with braille dots (2x4 per cell). */
static void
plot_braille(struct draw_grid *g, struct draw_rect p, const struct draw_series *s, double max)
{
	int pw = p.w * 2, ph = p.h * 4;
	int prev = -1;
	for (int px = 0; px < pw; px++) {
		double v = sample_at(s, px, pw);
		int py = max > 0 ? (int)lround(v / max * (ph - 1)) : 0;
		py = py < 0 ? 0 : py >= ph ? ph - 1 : py;
		int lo = prev < 0 ? py : (prev < py ? prev + 1 : py);
		int hi = prev < 0 ? py : (prev > py ? prev - 1 : py);
		if (lo > hi) {
			int t = lo;
			lo = hi;
			hi = t;
		}
		for (int yy = lo; yy <= hi; yy++) {
			int row = ph - 1 - yy; /* 0 at the top */
			struct draw_cell *c = draw_at(g, p.x + px / 2, p.y + row / 4);
			if (c == NULL)
				continue;
			uint32_t bits = (c->ch >= BRAILLE_BASE && c->ch <= BRAILLE_BASE + 0xff)
			                    ? c->ch - BRAILLE_BASE
			                    : 0;
			bits |= braille_bit[row % 4][px % 2];
			c->ch = BRAILLE_BASE + bits;
			c->role = (uint8_t)s->role;
			c->width = 1;
		}
		prev = py;
	}
}

/* Plots series into p as filled columns of eighth blocks. */
static void
plot_block(struct draw_grid *g, struct draw_rect p, const struct draw_series *s, double max)
{
	for (int cx = 0; cx < p.w; cx++) {
		double v = sample_at(s, cx, p.w);
		int eighths = max > 0 ? (int)lround(v / max * p.h * 8) : 0;
		for (int row = 0; row < p.h && eighths > 0; row++, eighths -= 8) {
			uint32_t ch = eighths >= 8 ? FULL_BLOCK : levels_uni[eighths - 1];
			draw_put(g, p.x + cx, p.y + p.h - 1 - row, ch, s->role);
		}
	}
}

/* Plots series into p with '*' points joined by '|'. */
static void
plot_ascii(struct draw_grid *g, struct draw_rect p, const struct draw_series *s, double max)
{
	int prev = -1;
	for (int cx = 0; cx < p.w; cx++) {
		double v = sample_at(s, cx, p.w);
		int row = max > 0 ? (int)lround(v / max * (p.h - 1)) : 0;
		row = row < 0 ? 0 : row >= p.h ? p.h - 1 : row;
		if (prev >= 0)
			for (int r = (prev < row ? prev : row) + 1; r < (prev < row ? row : prev);
			     r++)
				draw_put(g, p.x + cx, p.y + p.h - 1 - r, '|', s->role);
		draw_put(g, p.x + cx, p.y + p.h - 1 - row, '*', s->role);
		prev = row;
	}
}

void
draw_line_chart(struct draw_grid *g, struct draw_rect r, const struct draw_series *s, size_t ns,
    enum draw_chart_style style, const char *xleft, const char *xright)
{
	double max = 0;
	for (size_t i = 0; i < ns; i++)
		for (size_t j = 0; j < s[i].n; j++)
			max = s[i].v[j] > max ? s[i].v[j] : max;
	char top[16], mid[16], bot[16];
	fmt_count((int64_t)llround(max), top, sizeof top);
	fmt_count((int64_t)llround(max / 2), mid, sizeof mid);
	fmt_count(0, bot, sizeof bot);
	int lw = draw_text_width(top);
	lw = draw_text_width(mid) > lw ? draw_text_width(mid) : lw;
	if (r.h < 3 || r.w < lw + 4)
		return;
	struct draw_rect p = {r.x + lw + 1, r.y, r.w - lw - 1, r.h - 2};
	if (g->ascii)
		style = DRAW_ASCII;
	/* y axis with its three labels */
	for (int y = p.y; y < p.y + p.h; y++)
		draw_put(g, p.x - 1, y, g->ascii ? '|' : 0x2502, T_AXIS);
	if (max > 0)
		draw_text_right(g, r.x, p.y, lw, T_AXIS, top);
	if (p.h >= 3 && max > 0)
		draw_text_right(g, r.x, p.y + (p.h - 1) / 2, lw, T_AXIS, mid);
	draw_text_right(g, r.x, p.y + p.h - 1, lw, T_AXIS, bot);
	/* x axis and its labels */
	for (int x = p.x; x < p.x + p.w; x++)
		draw_put(g, x, p.y + p.h, g->ascii ? '-' : 0x2500, T_AXIS);
	draw_put(g, p.x - 1, p.y + p.h, g->ascii ? '+' : 0x2514, T_AXIS);
	if (xleft)
		draw_text(g, p.x, p.y + p.h + 1, p.w / 2, T_AXIS, xleft);
	if (xright)
		draw_text_right(g, p.x + p.w / 2, p.y + p.h + 1, p.w - p.w / 2, T_AXIS, xright);
	for (size_t i = 0; i < ns; i++) {
		if (style == DRAW_BRAILLE)
			plot_braille(g, p, &s[i], max);
		else if (style == DRAW_BLOCK)
			plot_block(g, p, &s[i], max);
		else
			plot_ascii(g, p, &s[i], max);
	}
}

void
draw_breakdown(struct draw_grid *g, struct draw_rect r, const struct draw_part *p, size_t n)
{
	if (r.w <= 0 || r.h <= 0)
		return;
	int64_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += p[i].count > 0 ? p[i].count : 0;
	/* the bar: cells by the largest remainder so they add up to r.w */
	int cells[16] = {0};
	double rem[16] = {0};
	int given = 0;
	size_t m = n < 16 ? n : 16;
	for (size_t i = 0; i < m && total > 0; i++) {
		double exact = (double)(p[i].count > 0 ? p[i].count : 0) * r.w / (double)total;
		cells[i] = (int)exact;
		rem[i] = exact - cells[i];
		given += cells[i];
	}
	while (total > 0 && given < r.w) {
		size_t best = 0;
		for (size_t i = 1; i < m; i++)
			if (rem[i] > rem[best])
				best = i;
		cells[best]++;
		rem[best] = -1;
		given++;
	}
	int x = r.x;
	for (size_t i = 0; i < m; i++)
		for (int k = 0; k < cells[i]; k++) {
			uint32_t ch = FULL_BLOCK;
			if (g->ascii) {
				ch = p[i].label && p[i].label[0] ? (uint32_t)(p[i].label[0] & 0x7f)
				                                 : '#';
				ch = ch >= 'a' && ch <= 'z' ? ch - 'a' + 'A' : ch;
			}
			draw_put(g, x++, r.y, ch, p[i].role);
		}
	if (total == 0)
		draw_text(g, r.x, r.y, r.w, T_DIM, "no engaged accounts yet");
	/* the legend */
	for (size_t i = 0; i < n && (int)i + 1 < r.h; i++) {
		int y = r.y + 1 + (int)i;
		char cnt[16], pct[16];
		draw_put(g, r.x, y, g->ascii ? '#' : 0x25a0, p[i].role);
		draw_text(g, r.x + 2, y, r.w - 2, p[i].role, p[i].label);
		int cw = r.w - 2 - 10 > 16 ? 16 : r.w - 12;
		if (cw < 14)
			continue;
		fmt_count(p[i].count, cnt, sizeof cnt);
		fmt_percent(p[i].count, total, pct, sizeof pct);
		char both[40];
		snprintf(both, sizeof both, "%7s %6s", cnt, pct);
		draw_text_right(g, r.x + 2, y, r.w - 2, T_NORMAL, both);
	}
}

char *
draw_row_text(const struct draw_grid *g, int y)
{
	struct sbuf b;
	sbuf_init(&b);
	for (int x = 0; x < g->w && y >= 0 && y < g->h; x++) {
		const struct draw_cell *c = &g->cells[(size_t)y * (size_t)g->w + (size_t)x];
		if (c->width == 0)
			continue;
		char u[4];
		size_t n = text_utf8_encode(c->ch, u);
		sbuf_add(&b, u, n);
	}
	return sbuf_take(&b);
}

size_t
draw_wrap_len(const char *text, size_t width)
{
	size_t n = strlen(text);
	if (n <= width)
		return n;
	n = width;
	/* back to the last space, and never inside a UTF-8 sequence */
	size_t sp = n;
	while (sp > 0 && text[sp] != ' ')
		sp--;
	if (sp > width / 2)
		n = sp;
	while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
		n--;
	return n;
}
