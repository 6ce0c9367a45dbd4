/*
 * What the console opens on (tests/support/tui_support.c runs the real
 * binary in tmux): one demo campaign, reused across starts, even beside
 * the completed demo and the time-stamped demo a previous release added
 * each start; the console opens on the live campaign, not the first one;
 * and it remembers the campaign viewed last and the theme in
 * $XDG_CONFIG_HOME/launchwatch/console.conf. A campaign of other tweets in
 * the demo says which tweets the simulator knows, and its jobs' reason,
 * cut in the panes at 80 columns, reads in full on the jobs screen (i).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/timestr.h"
#include "base/util.h"
#include "config/config.h"
#include "model/campaign.h"
#include "store/store.h"
#include "testutil.h"
#include "tui_support.h"

#define DEMO "Demo launch (simulated)"

/* Returns the number of stored campaigns. */
static size_t
campaign_count(struct store *st)
{
	struct campaign *v;
	size_t n;
	char *cause = NULL;
	ck_assert_msg(store_campaign_list(st, &v, &n, &cause) == 0, "%s", cause);
	for (size_t i = 0; i < n; i++)
		campaign_done(&v[i]);
	free(v);
	return n;
}

/* Adds or updates the one campaign of campaign file text y (taken). */
static void
upsert_yaml(struct store *st, char *y)
{
	char *cause = NULL;
	struct cfg_file *f = NULL;
	ck_assert_msg(config_load_string("t", y, strlen(y), &f, &cause) == 0, "%s", cause);
	free(y);
	struct store_upsert_result res;
	ck_assert(store_campaign_upsert(st, &f->campaigns[0], clock_now_ms(), &res, &cause) == 0);
	config_free(f);
}

START_TEST(test_one_demo_opens_on_live)
{
	tui_start_ui(120, 40, false, NULL);
	tui_expect("[1/1] " DEMO);
	tui_keys("q");
	tui_expect("UI-EXITED 0");
	tui_teardown_tmux();

	/* the demo as a previous release left it: completed, and a second demo
	 * named with its start time */
	struct store *st = NULL;
	char *cause = NULL;
	ck_assert(store_open(tui_db->uri, "tuitest", &st, &cause) == 0);
	struct campaign d;
	ck_assert_int_eq(store_campaign_get(st, DEMO, &d, &cause), 0);
	ck_assert_int_eq(d.cfg.ntweets, 3);
	ck_assert(store_campaign_set_status(st, d.id, CS_COMPLETED, clock_now_ms(), &cause) == 0);
	char start[32];
	timestr_format_time(clock_now_ms() / 1000 - 3600, start, sizeof start);
	char *y =
	    xasprintf("campaigns:\n  - name: \"" DEMO " 2026-12-06T22:00\"\n"
	              "    window: {start: \"%s\", duration: 2h}\n"
	              "    tweets: {main: [\"%s\"], influencer: [\"%s\"], investor: [\"%s\"]}\n",
	        start, d.cfg.tweets[0].id, d.cfg.tweets[1].id, d.cfg.tweets[2].id);
	campaign_done(&d);
	upsert_yaml(st, y);
	ck_assert_uint_eq(campaign_count(st), 2);

	/* twice: no third demo, and the console opens on the open one */
	for (int i = 0; i < 2; i++) {
		tui_start_ui(120, 40, false, NULL);
		tui_expect("/2] " DEMO " 2026-12-06T22:00");
		free(tui_wait_screen("SIMULATED DATA", false));
		tui_keys("q");
		tui_expect("UI-EXITED 0");
		tui_teardown_tmux();
		ck_assert_uint_eq(campaign_count(st), 2);
	}
	store_free(st);
}
END_TEST

START_TEST(test_demo_explains_other_tweets)
{
	/* a campaign of a tweet the simulator does not know */
	struct store *st = NULL;
	char *cause = NULL;
	ck_assert(store_open(tui_db->uri, "tuitest", &st, &cause) == 0);
	char start[32];
	timestr_format_time(clock_now_ms() / 1000 - 600, start, sizeof start);
	char *y = xasprintf("campaigns:\n  - name: Other launch\n"
	                    "    window: {start: \"%s\", duration: 1d}\n"
	                    "    tweets: {main: [\"1861111111111111111\"]}\n"
	                    "    cadence: {metrics: 2s, retweets: 2s, replies: 2s, quotes: 2s}\n",
	    start);
	upsert_yaml(st, y);
	store_free(st);

	tui_start_ui(80, 24, false, NULL);
	tui_expect("/2] "); /* the demo was added after it */
	tui_keys("1");
	tui_expect("[1/2] Other launch");
	/* the banner says how many tweets the simulator does not know in a
	 * wording that fits 80 columns (the jobs screen names its tweets); the
	 * status line says where */
	tui_expect("SIMULATED DATA: 1 tweet unknown to the simulator (i: jobs)");
	tui_expect("i jobs");
	tui_keys("i");
	/* job states are read every 6 s while some log moves (the demo's), else
	 * every 60 s: wait past that */
	char *s = tui_wait_screen_ms("the tweet is missing (deleted or protected)", false, 70000);
	ck_assert_ptr_nonnull(strstr(s, "Jobs, reasons in full"));
	ck_assert_msg(strstr(s, "tweets read as missing") != NULL, "%s", s);
	free(s);
	/* the panes at 80 columns cut it */
	tui_keys("Escape");
	s = tui_wait_screen("Engagers", false);
	ck_assert_msg(strstr(s, "the tweet is missing (deleted or protected)") == NULL,
	    "the reason was whole on the campaign screen:\n%s", s);
	free(s);
	tui_keys("q");
	tui_expect("UI-EXITED 0");
}
END_TEST

/* Copies row n (0-based) of screen s into buf. */
static void
screen_row(const char *s, int n, char *buf, size_t len)
{
	for (; n > 0 && s; n--) {
		s = strchr(s, '\n');
		s = s ? s + 1 : NULL;
	}
	size_t l = s ? strcspn(s, "\n") : 0;
	snprintf(buf, len, "%.*s", (int)l, s ? s : "");
}

/* Asserts the header's two rows and the banner of screen s end inside the
 * terminal (nothing cut with an ellipsis) and hold what matters. */
static void
expect_header_whole(const char *s)
{
	char row[1024];
	for (int i = 0; i < 3; i++) {
		screen_row(s, i, row, sizeof row);
		ck_assert_msg(strstr(row, "\u2026") == NULL, "row %d cut:\n%s", i, s);
	}
	screen_row(s, 0, row, sizeof row);
	ck_assert_msg(strstr(row, DEMO) && strstr(row, "active"), "%s", s);
	screen_row(s, 1, row, sizeof row);
	ck_assert_msg(strstr(row, "db ok"), "%s", s);
	screen_row(s, 2, row, sizeof row);
	ck_assert_msg(strstr(row, "SIMULATED DATA") && strstr(row, "TWITTERAPI_KEY"), "%s", s);
}

START_TEST(test_demo_loads_then_header_fits)
{
	tui_start_ui(120, 40, false, NULL);
	/* until the first complete read the numbers say they are loading: never
	 * a bare "accounts 0" or an empty pie shown as final */
	int64_t until = clock_now_ms() + 90000;
	bool saw_loading = false, done = false;
	char row[1024];
	while (!done && clock_now_ms() < until) {
		char *s = tui_screen();
		screen_row(s, 1, row, sizeof row);
		saw_loading = saw_loading || strstr(row, "loading") != NULL;
		ck_assert_msg(strstr(row, "accounts 0 ") == NULL, "zeros shown as final:\n%s", s);
		ck_assert_msg(strstr(s, "no engaged accounts yet") == NULL &&
		                  strstr(s, "no engagements yet") == NULL,
		    "an empty pane shown as final:\n%s", s);
		done = strstr(row, "accounts ") != NULL && strstr(row, "loading") == NULL;
		if (done)
			expect_header_whole(s);
		free(s);
		usleep(20000);
	}
	ck_assert_msg(saw_loading, "no loading indicator while the demo's data came in");
	ck_assert_msg(done, "the demo's first read did not complete");
	tui_sh("tmux -L %s resize-window -t ui -x 80 -y 24", tui_sock);
	char *s = tui_wait_screen("SIMULATED DATA: set TWITTERAPI_KEY", false);
	expect_header_whole(s);
	free(s);
	tui_keys("q");
	tui_expect("UI-EXITED 0");
}
END_TEST

/* Returns the theme name a status message "theme: NAME" shows after t. */
static char *
next_theme(void)
{
	tui_keys("t");
	char *s = tui_wait_screen("theme: ", false);
	char name[32] = "";
	ck_assert_int_eq(sscanf(strstr(s, "theme: "), "theme: %31s", name), 1);
	free(s);
	return xstrdup(name);
}

START_TEST(test_remembers_campaign_and_theme)
{
	tui_start_ui(120, 40, true, NULL);
	tui_expect("[1/2] Acme launch"); /* the live one: it has the newest engagement */
	tui_keys("2");
	tui_expect("[2/2] Second launch");
	char *first = next_theme();
	tui_keys("q");
	tui_expect("UI-EXITED 0");
	tui_teardown_tmux();
	char *path = xasprintf("%s/config/launchwatch/console.conf", tui_workdir), *text = NULL;
	ck_assert_int_eq(file_read_all(path, &text, NULL, NULL), 0);
	char *want = xasprintf("theme=%s\n", first);
	ck_assert_msg(strstr(text, want) != NULL, "%s", text);
	ck_assert_msg(strstr(text, "campaign=second-launch-") != NULL, "%s", text);
	free(want);
	free(text);
	free(path);

	/* the next start opens where the user left, in the theme chosen: the
	 * next t moves on from it */
	tui_start_ui(120, 40, true, NULL);
	tui_expect("[2/2] Second launch");
	char *second = next_theme();
	ck_assert_str_ne(first, second);
	free(first);
	free(second);
	tui_keys("q");
	tui_expect("UI-EXITED 0");
}
END_TEST

static Suite *
start_suite(void)
{
	Suite *s = suite_create("tui_start");
	TCase *tc = tcase_create("demo");
	tcase_add_checked_fixture(tc, tui_setup_empty, tui_teardown);
	tcase_set_timeout(tc, 150);
	tcase_add_test(tc, test_one_demo_opens_on_live);
	tcase_add_test(tc, test_demo_explains_other_tweets);
	tcase_add_test(tc, test_demo_loads_then_header_fits);
	suite_add_tcase(s, tc);
	tc = tcase_create("remember");
	tcase_add_checked_fixture(tc, tui_setup, tui_teardown);
	tcase_set_timeout(tc, 150);
	tcase_add_test(tc, test_remembers_campaign_and_theme);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tui_run(start_suite());
}
