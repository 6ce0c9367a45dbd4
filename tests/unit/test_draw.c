/*
 * Unit tests of the curses-free draw layer: text cut to width with wide
 * characters and emoji, controls kept out of cells, frames, sparklines, the
 * line chart's axes in braille, block and ASCII, and the breakdown bar.
 */
#include <check.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "console/draw.h"

/* Returns row y of g with trailing spaces removed (caller frees). */
static char *
row(const struct draw_grid *g, int y)
{
	char *s = draw_row_text(g, y);
	size_t n = strlen(s);
	while (n > 0 && s[n - 1] == ' ')
		s[--n] = '\0';
	return s;
}

/* Asserts that row y of g reads want. */
static void
assert_row(const struct draw_grid *g, int y, const char *want)
{
	char *s = row(g, y);
	ck_assert_str_eq(s, want);
	free(s);
}

START_TEST(test_width_and_cut)
{
	ck_assert_int_eq(draw_text_width("abc"), 3);
	ck_assert_int_eq(draw_text_width("日本語"), 6);
	ck_assert_int_eq(draw_text_width("😀x"), 3);
	ck_assert_int_eq(draw_text_width("e\xcc\x81"), 1); /* e + combining acute */
	ck_assert_int_eq(draw_text_width("a\x1b[2Jb"), 5);

	struct draw_grid *g = draw_grid_new(12, 6, false);
	ck_assert_int_eq(draw_text(g, 0, 0, 5, T_NORMAL, "hello world"), 5);
	assert_row(g, 0, "hell…");
	draw_text(g, 0, 1, 5, T_NORMAL, "日本語");
	assert_row(g, 1, "日本…");
	draw_text(g, 0, 2, 4, T_NORMAL, "日本語");
	assert_row(g, 2, "日 …"); /* the second wide character would split */
	draw_text(g, 0, 3, 6, T_NORMAL, "😀😀😀");
	assert_row(g, 3, "😀😀😀");
	ck_assert_int_eq(draw_at(g, 1, 3)->width, 0);
	ck_assert_int_eq(draw_at(g, 0, 3)->width, 2);
	/* a hostile string: no control character ever reaches a cell */
	draw_text(g, 0, 4, 12, T_NORMAL, "\x1b]0;pwned\x07\x1b[2Jx\r\n");
	for (int x = 0; x < g->w; x++)
		ck_assert_uint_ge(draw_at(g, x, 4)->ch, 0x20);
	assert_row(g, 4, "]0;pwned[2Jx");
	/* overwriting half of a wide character blanks its other half */
	draw_put(g, 1, 3, 'z', T_NORMAL);
	assert_row(g, 3, " z😀😀");
	draw_grid_free(g);

	struct draw_grid *a = draw_grid_new(8, 1, true);
	draw_text(a, 0, 0, 8, T_NORMAL, "héllo wörld");
	assert_row(a, 0, "h?llo w~");
	draw_grid_free(a);
}
END_TEST

START_TEST(test_box_and_sparkline)
{
	struct draw_grid *g = draw_grid_new(10, 4, false);
	draw_box(g, (struct draw_rect){0, 0, 10, 3}, T_BORDER, "Feed", T_TITLE);
	assert_row(g, 0, "┌ Feed ──┐");
	assert_row(g, 1, "│        │");
	assert_row(g, 2, "└────────┘");
	double v[8] = {0, 1, 2, 3, 4, 5, 6, 7};
	draw_sparkline(g, 0, 3, 8, v, 8, T_SERIES1);
	assert_row(g, 3, "▁▂▃▄▅▆▇█");
	ck_assert_int_eq(draw_at(g, 0, 3)->role, T_SERIES1);
	draw_grid_free(g);

	struct draw_grid *a = draw_grid_new(10, 4, true);
	draw_box(a, (struct draw_rect){0, 0, 10, 3}, T_BORDER, "Feed", T_TITLE);
	assert_row(a, 0, "+ Feed --+");
	double w[12] = {5, 5, 5, 5, 0, 1, 2, 3, 4, 5, 6, 7};
	draw_sparkline(a, 0, 3, 8, w, 12, T_SERIES1); /* only the last 8 */
	assert_row(a, 3, "_.:-=+*#");
	draw_grid_free(a);
}
END_TEST

START_TEST(test_line_chart_axes)
{
	double v[40];
	for (int i = 0; i < 40; i++)
		v[i] = 12345.0 * i / 39;
	struct draw_series s = {v, 40, T_SERIES1};
	static const enum draw_chart_style styles[] = {DRAW_BRAILLE, DRAW_BLOCK, DRAW_ASCII};
	for (size_t k = 0; k < 3; k++) {
		struct draw_grid *g = draw_grid_new(40, 10, false);
		draw_line_chart(
		    g, (struct draw_rect){0, 0, 40, 10}, &s, 1, styles[k], "12-01 14:00", "15:00");
		char *top = row(g, 0), *mid = row(g, 3), *bot = row(g, 7), *xl = row(g, 9);
		ck_assert_msg(strncmp(top, "12.3k", 5) == 0, "top label: %s", top);
		ck_assert_msg(strncmp(mid, " 6.2k", 5) == 0, "middle label: %s", mid);
		ck_assert_msg(strncmp(bot, "    0", 5) == 0, "bottom label: %s", bot);
		ck_assert_ptr_nonnull(strstr(xl, "12-01 14:00"));
		ck_assert_ptr_nonnull(strstr(xl, "15:00"));
		/* the plotted line reaches the top right and the bottom left */
		struct draw_cell *tr = draw_at(g, 39, 0), *bl = draw_at(g, 6, 7);
		ck_assert_int_eq(tr->role, T_SERIES1);
		if (styles[k] != DRAW_BLOCK) /* a zero-height column draws nothing */
			ck_assert_int_eq(bl->role, T_SERIES1);
		if (styles[k] == DRAW_BRAILLE)
			ck_assert(tr->ch >= 0x2800 && tr->ch <= 0x28ff);
		else if (styles[k] == DRAW_ASCII)
			ck_assert_uint_eq(tr->ch, '*');
		else
			ck_assert_uint_eq(tr->ch, 0x2588);
		free(top);
		free(mid);
		free(bot);
		free(xl);
		draw_grid_free(g);
	}
	/* an ASCII grid forces the ASCII style whatever is asked */
	struct draw_grid *a = draw_grid_new(30, 8, true);
	draw_line_chart(a, (struct draw_rect){0, 0, 30, 8}, &s, 1, DRAW_BRAILLE, NULL, NULL);
	for (int y = 0; y < 8; y++)
		for (int x = 0; x < 30; x++)
			ck_assert_uint_lt(draw_at(a, x, y)->ch, 0x80);
	draw_grid_free(a);
}
END_TEST

START_TEST(test_breakdown)
{
	struct draw_part p[3] = {
	    {"investor", 3, T_BK_INVESTOR}, {"founder", 1, T_BK_FOUNDER}, {"other", 0, T_BK_OTHER}};
	struct draw_grid *g = draw_grid_new(32, 4, false);
	draw_breakdown(g, (struct draw_rect){0, 0, 32, 4}, p, 3);
	int inv = 0, fou = 0;
	for (int x = 0; x < 32; x++) {
		inv += draw_at(g, x, 0)->role == T_BK_INVESTOR;
		fou += draw_at(g, x, 0)->role == T_BK_FOUNDER;
	}
	ck_assert_int_eq(inv, 24);
	ck_assert_int_eq(fou, 8);
	assert_row(g, 1, "■ investor              3  75.0%");
	assert_row(g, 2, "■ founder               1  25.0%");
	assert_row(g, 3, "■ other                 0   0.0%");
	draw_grid_free(g);

	struct draw_grid *a = draw_grid_new(32, 2, true);
	draw_breakdown(a, (struct draw_rect){0, 0, 32, 2}, p, 3);
	char *r0 = row(a, 0);
	ck_assert_str_eq(r0, "IIIIIIIIIIIIIIIIIIIIIIIIFFFFFFFF");
	free(r0);
	draw_grid_free(a);
}
END_TEST

static Suite *
draw_suite(void)
{
	Suite *s = suite_create("draw");
	TCase *tc = tcase_create("draw");
	tcase_add_test(tc, test_width_and_cut);
	tcase_add_test(tc, test_box_and_sparkline);
	tcase_add_test(tc, test_line_chart_axes);
	tcase_add_test(tc, test_breakdown);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	SRunner *sr = srunner_create(draw_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
