/*
 * The chart's time resolution on screen (tests/support/tui_support.c runs
 * the real binary in tmux against a devdb): a launch two hours old whose
 * views came in four bursts 30 minutes apart is drawn per minute (or 5
 * minutes) on its own, "(auto)" in the chart's title, and its braille
 * curve shows the four steps as flat runs with rises between them; per
 * hour (the h key) the same data has no such steps; w cycles the
 * resolutions; a narrower chart picks a coarser one; the choice is
 * remembered for the next start.
 */
#include <check.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "base/timestr.h"
#include "base/util.h"
#include "config/config.h"
#include "engine/prep_io.h"
#include "model/campaign.h"
#include "seed_support.h"
#include "store/store.h"
#include "testutil.h"
#include "tui_support.h"

#define TID "1861111111111111122"

/* Seeds "Two hour launch": one tweet, views in four bursts of 1000 (at 10,
 * 40, 70 and 100 minutes), a trickle of 1 view a minute between them. */
static void
seed_launch(void)
{
	struct store *s = NULL;
	char *cause = NULL;
	ck_assert_msg(store_open(tui_db->uri, "tuitest", &s, &cause) == 0, "%s", cause);
	int64_t now = clock_now_ms();
	tui_t0 = now - 2 * 3600 * 1000LL - 5 * 60000LL;
	char start[32];
	timestr_format_time(tui_t0 / 1000, start, sizeof start);
	char *yaml = xasprintf("campaigns:\n  - name: Two hour launch\n"
	                       "    window: {start: %s, duration: 7d}\n"
	                       "    tweets: {main: [%s]}\n",
	    start, TID);
	struct cfg_file *f = NULL;
	ck_assert_msg(config_load_string("t", yaml, strlen(yaml), &f, &cause) == 0, "%s", cause);
	free(yaml);
	struct store_upsert_result res;
	ck_assert(store_campaign_upsert(s, &f->campaigns[0], now, &res, &cause) == 0);
	snprintf(tui_cid, sizeof tui_cid, "%s", res.id);
	config_free(f);
	struct lw_slice sl[110];
	size_t n = 0;
	for (int t = 5; t <= 114; t++) {
		struct lw_slice *x = &sl[n];
		memset(x, 0, sizeof *x);
		snprintf(x->campaign_id, sizeof x->campaign_id, "%s", tui_cid);
		snprintf(x->tweet_id, sizeof x->tweet_id, "%s", TID);
		x->category = CAT_MAIN;
		x->seq = (int64_t)++n;
		x->at_ms = tui_t0 + t * 60000LL + 1000;
		x->deltas.views = t == 10 || t == 40 || t == 70 || t == 100 ? 1000 : 1;
	}
	ck_assert_msg(seed_slices(s, sl, n, &cause) == 0, "%s", cause);
	ck_assert_msg(prep_rebuild(s, tui_cid, NULL, NULL, &cause) == 0, "%s", cause);
	store_free(s);
}

static void
setup(void)
{
	tui_setup_empty();
	seed_launch();
}

/* Returns how many flat runs of at least 4 columns, each higher than the
 * one before, the braille curve of the chart box titled "Cumulative" has
 * on screen s (its height per column: the top dot's row in dot units). */
static int
steps_on_screen(const char *s)
{
	wchar_t lines[60][400];
	int nl = 0;
	for (const char *p = s; *p && nl < 60; nl++) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char *one = xstrndup(p, len);
		size_t w = mbstowcs(lines[nl], one, 399);
		lines[nl][w == (size_t)-1 ? 0 : w] = 0;
		free(one);
		p = e ? e + 1 : p + len;
	}
	int top = -1, x0 = -1, x1 = -1;
	for (int y = 0; y < nl && top < 0; y++) {
		wchar_t *t = wcsstr(lines[y], L"Cumulative");
		if (!t)
			continue;
		top = y;
		for (x0 = (int)(t - lines[y]); x0 > 0 && lines[y][x0] != L'\x250c'; x0--)
			;
		for (x1 = (int)(t - lines[y]); lines[y][x1] && lines[y][x1] != L'\x2510'; x1++)
			;
	}
	ck_assert_int_ge(top, 0);
	int height[400], ncol = 0;
	for (int x = x0 + 1; x < x1 && ncol < 400; x++) {
		int h = -1;
		for (int y = top + 1; y < nl && h < 0; y++) {
			if ((int)wcslen(lines[y]) <= x || lines[y][x0] == L'\x2514')
				break;
			wchar_t c = lines[y][x];
			if (c > 0x2800 && c <= 0x28ff) {
				unsigned bits = (unsigned)(c - 0x2800);
				int r = bits & 0x09 ? 0 : bits & 0x12 ? 1 : bits & 0x24 ? 2 : 3;
				h = 1000 - (y * 4 + r); /* higher on screen: larger */
			}
		}
		if (h >= 0)
			height[ncol++] = h;
	}
	int runs = 0, last = -1;
	for (int i = 0; i < ncol;) {
		int j = i;
		while (j < ncol && height[j] == height[i])
			j++;
		if (j - i >= 4 && height[i] > last) {
			runs++;
			last = height[i];
		}
		i = j;
	}
	return runs;
}

START_TEST(test_two_hour_launch_has_steps)
{
	setlocale(LC_ALL, "C.UTF-8");
	tui_start_ui(160, 48, true, NULL);
	char *s = tui_wait_screen("Cumulative views, all tweets, 1-min (auto)", false);
	free(s);
	s = tui_wait_screen("now 4.1k", false); /* the whole launch arrived */
	int auto_steps = steps_on_screen(s);
	ck_assert_msg(auto_steps >= 4, "%d steps per minute:\n%s", auto_steps, s);
	free(s);
	tui_keys("h");
	s = tui_wait_screen("Cumulative views, all tweets, hour", false);
	int hour_steps = steps_on_screen(s);
	ck_assert_msg(hour_steps < 4, "%d steps per hour:\n%s", hour_steps, s);
	free(s);
	tui_keys("w"); /* hour -> day -> auto -> 1 -> 5 */
	tui_expect("all tweets, day");
	tui_keys("w");
	tui_expect("1-min (auto)");
	tui_keys("w");
	tui_keys("w");
	s = tui_wait_screen("Cumulative views, all tweets, 5-min", false);
	ck_assert_ptr_null(strstr(s, "5-min (auto)"));
	ck_assert_int_ge(steps_on_screen(s), 4); /* 30 minutes apart: still steps */
	free(s);
	/* a narrow terminal: two hours no longer fit per minute */
	for (int i = 0; i < 4; i++) /* 15 -> hour -> day -> auto */
		tui_keys("w");
	tui_expect("1-min (auto)");
	tui_sh("tmux -L %s resize-window -t ui -x 80 -y 30 >/dev/null 2>&1", tui_sock);
	tui_expect("all tweets, 5-min"); /* the title is cut before "(auto)" */
	/* a choice is remembered for the next start */
	tui_keys("w");
	tui_expect("chart resolution: 1-min");
	tui_keys("q");
	tui_expect("UI-EXITED 0");
	char *path = xasprintf("%s/config/launchwatch/console.conf", tui_workdir), *text = NULL;
	ck_assert_int_eq(file_read_all(path, &text, NULL, NULL), 0);
	ck_assert_msg(strstr(text, "chart=1-min\n") != NULL, "%s", text);
	free(text);
	free(path);
	tui_teardown_tmux();
	tui_start_ui(160, 48, true, NULL);
	s = tui_wait_screen("Cumulative views, all tweets, 1-min", false);
	ck_assert_ptr_null(strstr(s, "1-min (auto)"));
	free(s);
	tui_keys("q");
	tui_expect("UI-EXITED 0");
}
END_TEST

static Suite *
res_suite(void)
{
	Suite *s = suite_create("tui_res");
	TCase *tc = tcase_create("tmux");
	tcase_add_checked_fixture(tc, setup, tui_teardown);
	tcase_set_timeout(tc, 150);
	tcase_add_test(tc, test_two_hour_launch_has_steps);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tui_run(res_suite());
}
