/*
 * Screen tests of the console: the real launchwatch binary runs in tmux (a
 * socket of its own per test, killed at the end; tests/support/tui_support.c)
 * against a devdb holding data written through the store API, its
 * prepared aggregates built with prep_rebuild as `campaign rebuild` does;
 * the tests read the screen with capture-pane and drive it with send-keys.
 * They check that the panes show the numbers the database holds, that each
 * key does what `?` says, that the add and edit forms write campaigns and
 * reject a bad link with its reason, that resizing 80x24 <-> 220x60 keeps a
 * sane layout, that a hostile profile shows as plain text, colours, the
 * mouse, the close-out screen, and that a first run without a key shows
 * the simulated demo. The JSON endpoint's cases are in test_tui_http.c, a
 * viewer console beside `launchwatch run` in test_viewer.c. Waits poll the
 * screen with generous limits; nothing asserts a tight time.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "model/event.h"
#include "store/store.h"
#include "store/store_report.h"
#include "seed_support.h"
#include "testutil.h"
#include "base/timestr.h"
#include "base/util.h"
#include "tui_support.h"

START_TEST(test_panes_show_database_numbers)
{
	tui_start_ui(140, 44, true, NULL);
	char *s;
	tui_expect("views 12.3k");
	tui_expect("provider: twitterapi.io, key set"); /* before any job reported */
	tui_expect("Acme launch - Acme Labs");
	tui_expect("accounts 12");
	/* the breakdown: 5 investors of 12 */
	tui_expect("5  41.7%");
	tui_expect("3  25.0%");
	/* the tweets table: views of tweet 1, the feed: a handle, the alert
	 * (the alerts pane is read beside the summary: it may come a poll later) */
	tui_expect("failed: HTTP 500");
	s = tui_wait_screen("@acct10", false);
	ck_assert_ptr_nonnull(strstr(s, "10.0k"));
	ck_assert_ptr_nonnull(strstr(s, "failed: HTTP 500"));
	ck_assert_ptr_nonnull(strstr(s, "Alerts: 0 sent, 0 pending, 1 failed"));
	ck_assert_ptr_nonnull(strstr(s, "now 12.3k")); /* the chart's last value */
	free(s);
	tui_keys("q");
	tui_expect("UI-EXITED 0");
}
END_TEST

/* With the database gone, q still ends the process within 0.5 s: the
 * threads' calls that cannot answer are left behind after 350 ms (before,
 * about 26 s on this machine, then 5 s; test_tui_quit.c explains the
 * margin). */
START_TEST(test_quit_with_database_down)
{
	if (!tu_backend_can_restart("test_quit_with_database_down"))
		return;
	tui_start_ui(120, 40, true, NULL);
	tui_expect("Acme launch - Acme Labs");
	tu_devdb_stop(tui_db);
	/* the database thread's next poll is waiting on the dead server (a
	 * MongoDB server is given 30 s to come back: an election) */
	free(tui_wait_screen_ms("db DOWN", false, 60000));
	int64_t ms = tui_quit_ms("q", 10000);
	fprintf(stderr, "quit with the database down: %lld ms\n", (long long)ms);
	ck_assert_msg(ms < 500, "quit took %lld ms", (long long)ms);
	tui_expect("UI-EXITED 0");
}
END_TEST

/* The theme's colours reach the terminal: the investor bucket in colour
 * 214, the selected feed row black on cyan (both only colour in the default
 * theme); with NO_COLOR no colour at all. */
START_TEST(test_colours)
{
	tui_start_ui(140, 44, true, NULL);
	tui_expect("accounts 12");
	free(tui_wait_screen("@acct10", false));
	char *s = tui_screen_escapes();
	ck_assert_msg(strstr(s, "38;5;214m") != NULL, "no investor colour:\n%s", s);
	ck_assert_msg(strstr(s, "\033[30m\033[46m") != NULL, "no black-on-cyan selection:\n%s", s);
	free(s);
	tui_keys("q");
	tui_expect("UI-EXITED 0");
	tui_teardown_tmux();

	tui_start_ui(140, 44, true, "NO_COLOR=1");
	tui_expect("accounts 12");
	free(tui_wait_screen("@acct10", false));
	s = tui_screen_escapes();
	ck_assert_msg(strstr(s, "38;5;") == NULL && strstr(s, "\033[46m") == NULL &&
	                  strstr(s, "\033[36m") == NULL,
	    "colour despite NO_COLOR:\n%s", s);
	ck_assert_ptr_nonnull(strstr(s, "\033[7m")); /* the mono theme's reverse selection */
	free(s);
	tui_keys("q");
	tui_expect("UI-EXITED 0");
}
END_TEST

START_TEST(test_hostile_profile_is_plain_text)
{
	tui_start_ui(120, 40, true, NULL);
	char *s = tui_wait_screen("@acct11", false);
	ck_assert_ptr_nonnull(strstr(s, "EvilRed"));
	free(s);
	tui_keys("Enter"); /* the newest row is selected: the hostile account */
	s = tui_wait_screen("bio here", false); /* its documents are read on demand */
	ck_assert_ptr_nonnull(strstr(s, "Profile (Esc back)"));
	ck_assert_ptr_nonnull(strstr(s, "@acct11  EvilRed"));
	ck_assert_ptr_null(strstr(s, "pwned"));
	/* the account's URL and how its importance adds up */
	ck_assert_ptr_nonnull(strstr(s, "https://x.com/acct11"));
	ck_assert_ptr_nonnull(strstr(s, "importance 61 = followers 30 + verified 0 + other"));
	free(s);
	/* nothing changed the window title or cleared the screen */
	char *cmd = xasprintf("tmux -L %s display -p -t ui '#{pane_title}'", tui_sock);
	FILE *p = popen(cmd, "r");
	char title[256] = "";
	ck_assert_ptr_nonnull(fgets(title, sizeof title, p));
	pclose(p);
	free(cmd);
	ck_assert_ptr_null(strstr(title, "pwned"));
	/* and no escape sequence other than colours reached the terminal */
	cmd = xasprintf(
	    "tmux -L %s capture-pane -p -e -t ui | grep -q \"$(printf '\\033]')\"", tui_sock);
	ck_assert_int_ne(system(cmd), 0); /* grep found no OSC */
	free(cmd);
	tui_keys("Escape");
	tui_expect("Engagers (live)");
}
END_TEST

START_TEST(test_keys_do_what_help_says)
{
	tui_start_ui(140, 44, true, NULL);
	tui_expect("views 12.3k");
	tui_keys("?");
	free(tui_wait_screen("Keys (any key closes)", false));
	static const char *const helps[] = {"add a campaign", "edit the campaign's tweets",
	    "edit the campaign's settings",
	    "close out the campaign now (asks first), then its progress", "pause or resume",
	    "focus the next pane", "filter the feed", "chart per day", "chart resolution: auto",
	    "export the focused view as CSV", "campaigns overview", "zoom the focused pane"};
	/* tmux may show the box before every line of it arrived: wait for each */
	for (size_t i = 0; i < sizeof helps / sizeof helps[0]; i++)
		free(tui_wait_screen(helps[i], false));
	char *s = tui_screen();
	for (size_t i = 0; i < sizeof helps / sizeof helps[0]; i++)
		ck_assert_msg(strstr(s, helps[i]) != NULL, "help lacks %s", helps[i]);
	free(s);
	tui_keys("Space");
	free(tui_wait_screen("Keys (any key closes)", true));
	tui_keys("m"); /* metric: views -> bookmarks */
	tui_expect("Cumulative bookmarks, all tweets, ");
	tui_keys("m");
	tui_expect("Cumulative likes/RTs/replies/quotes");
	tui_keys("d");
	tui_expect("all tweets, day");
	tui_keys("h");
	tui_expect("all tweets, hour");
	tui_keys("w"); /* resolutions cycle: hour -> day -> auto */
	tui_expect("chart resolution: day");
	tui_keys("w");
	tui_expect("chart resolution: auto");
	tui_expect(" (auto)");
	tui_keys("s");
	tui_expect("main tweets");
	tui_keys("v");
	tui_expect("Unique accounts by bucket (retweet)");
	tui_keys("/");
	tui_expect("Filter the feed");
	tui_type("bucket=founder");
	tui_keys("Enter");
	s = tui_wait_screen("filter: bucket=founder", false);
	ck_assert_ptr_null(strstr(s, "@acct00")); /* an investor */
	ck_assert_ptr_nonnull(strstr(s, "@acct05"));
	free(s);
	tui_keys("x"); /* focus is the feed: export its filtered rows */
	s = tui_wait_screen("exported ", false);
	free(s);
	char *cmd =
	    xasprintf("test $(cat %s/launchwatch-*-engagers-*.csv | wc -l) -eq 4", tui_workdir);
	ck_assert_int_eq(system(cmd), 0); /* a header and three founders */
	free(cmd);
	/* Enter on a tweet drills into it: its engagers, its chart; Esc returns */
	tui_keys("Tab");
	tui_keys("Tab");
	tui_keys("Tab");
	tui_keys("Enter");
	s = tui_wait_screen("filter: tweet=", false);
	free(s);
	tui_expect(", tweet #1 (");
	/* and its bucket breakdown (v chose retweets above): accounts 0 and 6,
	 * an investor and a founder, retweeted tweet #1 */
	s = tui_wait_screen("Unique accounts by bucket, tweet #1 (retweet)", false);
	if (!strstr(s, " 1  50.0%"))
		fprintf(stderr, "%s", s);
	ck_assert_msg(strstr(s, " 1  50.0%"), "no breakdown of tweet #1 (screen on stderr)");
	free(s);
	tui_keys("b"); /* the bucket screen leads with the tweet's accounts */
	s = tui_wait_screen("its unique accounts by bucket", false);
	ck_assert_ptr_nonnull(strstr(s, "tweet #1"));
	free(s);
	tui_keys("b"); /* back */
	tui_expect("Unique accounts by bucket, tweet #1");
	tui_keys("Escape");
	tui_expect("Unique accounts by bucket (retweet)");
	s = tui_wait_screen("filter: ", true);
	ck_assert_ptr_nonnull(strstr(s, ", all tweets, "));
	ck_assert_ptr_nonnull(strstr(s, " (auto)")); /* the choice stays */
	free(s);
	tui_keys("Tab");
	tui_keys("Tab"); /* back to the feed */
	tui_keys("Tab");
	tui_keys("z");
	s = tui_wait_screen("Engagers", true); /* the chart fills the screen */
	ck_assert_ptr_nonnull(strstr(s, "Cumulative"));
	free(s);
	tui_keys("z");
	tui_expect("Engagers");
	tui_keys("o");
	tui_expect("Campaigns (Enter opens, 1-9 jumps)");
	tui_expect("Second launch");
	tui_keys("Escape");
	tui_keys("2");
	tui_expect("[2/2] Second launch");
	tui_keys("[");
	tui_expect("[1/2] Acme launch");
	tui_keys("b");
	tui_expect("Events per bucket per day");
	tui_keys("Escape");
	tui_keys("t");
	tui_expect("theme: light");
	tui_keys("p");
	tui_expect(" paused ");
	tui_keys("p");
	tui_expect(" active ");
	tui_keys("c");
	tui_expect("Close out \"Acme launch\" now?");
	tui_keys("y");
	tui_expect("close-out of");
	tui_keys("q");
	tui_expect("UI-EXITED 0");
}
END_TEST

START_TEST(test_add_form)
{
	tui_start_ui(120, 40, true, NULL);
	tui_expect("views 12.3k");
	tui_keys("a");
	tui_expect("Add a campaign");
	tui_type("Form launch");
	tui_keys("Tab");
	tui_type("Form Client");
	tui_keys("Tab Tab Tab"); /* start and duration keep their defaults */
	tui_type("https://example.com/acme/status/123");
	/* up past the name wraps to the last field, where Enter saves */
	tui_keys("Up Up Up Up Up Enter");
	char *s = tui_wait_screen("form:", false);
	ck_assert_msg(strstr(s, "example.com") != NULL, "no reason shown:\n%s", s);
	free(s);
	/* nothing was written */
	struct store *st = NULL;
	char *cause = NULL;
	ck_assert(store_open(tui_db->uri, "tuitest", &st, &cause) == 0);
	struct campaign *list = NULL;
	size_t n = 0;
	ck_assert(store_campaign_list(st, &list, &n, &cause) == 0);
	ck_assert_uint_eq(n, 2);
	for (size_t i = 0; i < n; i++)
		campaign_done(&list[i]);
	free(list);
	/* fix the link: the cursor is on the field the reason names */
	tui_keys("C-u");
	tui_type("https://x.com/acme/status/1861111111111111555");
	tui_keys("C-s"); /* saves from any field (XON/XOFF is off: it reaches the form) */
	tui_expect("campaign \"Form launch\" added");
	struct campaign c;
	ck_assert_int_eq(store_campaign_get(st, "Form launch", &c, &cause), 0);
	ck_assert_str_eq(c.cfg.client.name, "Form Client");
	ck_assert_uint_eq(c.cfg.ntweets, 1);
	ck_assert_str_eq(c.cfg.tweets[0].id, "1861111111111111555");
	campaign_done(&c);
	store_free(st);
	tui_expect("/3]");
}
END_TEST

/* Returns true when screen s is a sane w x h layout: no line wider than w,
 * at most h lines, the header, the status line and the main panes present
 * (and the alerts pane when big). */
static bool
layout_ok(const char *s, int w, int h, bool big)
{
	int lines = 0;
	for (const char *l = s; *l;) {
		const char *e = strchr(l, '\n');
		size_t len = e ? (size_t)(e - l) : strlen(l);
		/* count columns: UTF-8 continuation bytes do not add one */
		int cols = 0;
		for (size_t i = 0; i < len; i++)
			cols += ((unsigned char)l[i] & 0xc0) != 0x80;
		if (cols > w)
			return false;
		lines++;
		l = e ? e + 1 : l + len;
	}
	static const char *const need[] = {
	    "launchwatch  [1/2] Acme launch", "? help", "Engagers", "Cumulative", "Tweets"};
	for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
		if (strstr(s, need[i]) == NULL)
			return false;
	return lines <= h && (!big || strstr(s, "Alerts:") != NULL);
}

/* Asserts the screen settles into a sane w x h layout within the wait. */
static void
assert_layout(int w, int h, bool big)
{
	char *s = NULL;
	for (int waited = 0; waited < TUI_WAIT_MS; waited += 100) {
		free(s);
		s = tui_screen();
		if (layout_ok(s, w, h, big)) {
			free(s);
			return;
		}
		usleep(100 * 1000);
	}
	fprintf(stderr, "---- screen ----\n%s----\n", s);
	free(s);
	ck_abort_msg("no sane %dx%d layout (screen on stderr)", w, h);
}

START_TEST(test_resize_keeps_layout)
{
	tui_start_ui(80, 24, true, NULL);
	tui_expect("views 12.3k");
	assert_layout(80, 24, false);
	tui_sh("tmux -L %s resize-window -t ui -x 220 -y 60", tui_sock);
	tui_expect("Alerts:");
	assert_layout(220, 60, true);
	tui_sh("tmux -L %s resize-window -t ui -x 80 -y 24", tui_sock);
	free(tui_wait_screen("Alerts:", true));
	assert_layout(80, 24, false);
	tui_sh("tmux -L %s resize-window -t ui -x 40 -y 10", tui_sock);
	tui_expect("terminal too small");
	tui_sh("tmux -L %s resize-window -t ui -x 120 -y 40", tui_sock);
	assert_layout(120, 40, true);
}
END_TEST

START_TEST(test_first_run_demo)
{
	tui_start_ui(120, 40, false, NULL);
	char *s = tui_wait_screen("SIMULATED DATA", false);
	ck_assert_ptr_nonnull(strstr(s, "TWITTERAPI_KEY"));
	free(s);
	/* the header names the provider from the start, and its health once a job reports */
	tui_expect("provider: simulator (127.0.0.1:");
	tui_keys("3");
	tui_expect("[3/3] Demo launch (simulated)");
	s = tui_wait_screen("): ok", false); /* "ok, last success ..." or, when tight, "ok ..." */
	ck_assert_msg(strstr(s, "provider: simulator (127.0.0.1:") != NULL, "%s", s);
	free(s);
	tui_keys("o");
	tui_expect("Demo launch (simulated)");
	tui_keys("q");
	tui_expect("UI-EXITED 0");
}
END_TEST

START_TEST(test_edit_tweets_form)
{
	tui_start_ui(120, 40, true, NULL);
	tui_expect("views 12.3k");
	tui_keys("e");
	char *s = tui_wait_screen("their stored engagements are kept", false);
	ck_assert_ptr_nonnull(strstr(s, "Edit tweets"));
	ck_assert_ptr_nonnull(strstr(s, tui_tids[0])); /* prefilled with the listed tweets */
	ck_assert_ptr_nonnull(strstr(s, tui_tids[2]));
	free(s);
	/* a bad link: the loader's reason, nothing written */
	tui_keys("Tab");
	tui_type(" https://example.com/kol/status/5");
	tui_keys("Tab Enter");
	s = tui_wait_screen("form:", false);
	ck_assert_msg(strstr(s, "example.com") != NULL, "no reason shown:\n%s", s);
	free(s);
	struct store *st = NULL;
	char *cause = NULL;
	ck_assert(store_open(tui_db->uri, "tuitest", &st, &cause) == 0);
	struct campaign c;
	ck_assert_int_eq(store_campaign_get(st, tui_cid, &c, &cause), 0);
	ck_assert_uint_eq(c.cfg.ntweets, 3);
	campaign_done(&c);
	/* add an influencer tweet, remove the investor one (the cursor is on
	 * the influencer links, the field the reason names) */
	tui_keys("C-u");
	char *text = xasprintf("%s https://x.com/kol/status/1861111111111111444", tui_tids[1]);
	tui_type(text);
	free(text);
	tui_keys("Tab C-u Enter");
	tui_expect("saved: 1 added, 1 removed");
	ck_assert_int_eq(store_campaign_get(st, tui_cid, &c, &cause), 0);
	ck_assert_uint_eq(c.cfg.ntweets, 3);
	bool seen[3] = {false, false, false};
	for (size_t i = 0; i < c.cfg.ntweets; i++) {
		const struct cfg_tweet *t = &c.cfg.tweets[i];
		ck_assert_str_ne(t->id, tui_tids[2]);
		if (strcmp(t->id, tui_tids[0]) == 0)
			seen[0] = t->category == CAT_MAIN;
		if (strcmp(t->id, tui_tids[1]) == 0)
			seen[1] = t->category == CAT_INFLUENCER;
		if (strcmp(t->id, "1861111111111111444") == 0)
			seen[2] =
			    t->category == CAT_INFLUENCER &&
			    strcmp(t->url, "https://x.com/kol/status/1861111111111111444") == 0;
	}
	ck_assert_msg(seen[0] && seen[1] && seen[2], "tweets after the edit are wrong");
	ck_assert_str_eq(c.cfg.name, "Acme launch"); /* the other settings stay */
	ck_assert_str_eq(c.cfg.client.name, "Acme Labs");
	ck_assert_int_eq(c.cfg.start_s, tui_t0 / 1000);
	campaign_done(&c);
	/* the removed tweet's engagements are still stored */
	struct tui_truth t;
	tui_truth_load(st, tui_cid, &t);
	size_t of_removed = 0;
	for (size_t i = 0; i < t.neng; i++)
		of_removed += strcmp(t.eng[i].tweet_id, tui_tids[2]) == 0;
	ck_assert_uint_eq(of_removed, 4);
	tui_truth_done(&t);
	store_free(st);
	/* the form opens again with the new list */
	tui_keys("e");
	s = tui_wait_screen("1861111111111111444", false);
	free(s);
	tui_keys("Escape");
	free(tui_wait_screen("Edit tweets", true));
	tui_keys("q");
	tui_expect("UI-EXITED 0");
}
END_TEST

START_TEST(test_closeout_progress)
{
	/* the provider refuses every connection: the close-out's final refresh
	 * gives up after its retries (docs/reports.md) and freezes what is stored */
	char *extra = xasprintf(
	    "LAUNCHWATCH_ARCHIVE_DIR='%s/archives' TWITTERAPI_BASE_URL=http://127.0.0.1:9",
	    tui_workdir);
	tui_start_ui(120, 40, true, extra);
	free(extra);
	tui_expect("views 12.3k");
	/* the close-out reads the prepared aggregates: log what the seed
	 * stored, as the engine's writer logs what it stores */
	struct store *ls = NULL;
	char *why = NULL;
	ck_assert(store_open(tui_db->uri, "tuitest", &ls, &why) == 0);
	ck_assert_msg(seed_log_stored(ls, tui_cid, &why) == 0, "%s", why);
	store_free(ls);
	tui_keys("c");
	tui_expect("Close out \"Acme launch\" now?");
	tui_keys("y");
	/* the close-out screen follows the report job through to its summary */
	tui_expect("Close-out of \"Acme launch\" (Esc back)");
	tui_expect("[x] close-out requested");
	char *s = tui_wait_screen_ms("[x] audit archive and reports", false, 60000);
	free(s);
	s = tui_wait_screen("unique accounts 12: investor 5, founder 3", false);
	ck_assert_ptr_nonnull(strstr(s, "[x] final refresh, freeze, CPM"));
	ck_assert_ptr_nonnull(strstr(s, "views 12.3k"));
	ck_assert_ptr_nonnull(strstr(s, "engagements 12: retweet 6, reply 6, quote 0"));
	ck_assert_ptr_nonnull(strstr(s, "Final report"));
	free(s);
	/* what the screen says is what the database holds */
	struct store *st = NULL;
	char *cause = NULL;
	ck_assert(store_open(tui_db->uri, "tuitest", &st, &cause) == 0);
	struct store_closeout co;
	ck_assert_int_eq(store_closeout_get(st, tui_cid, &co, &cause), 0);
	ck_assert(co.archived);
	ck_assert_int_eq(co.status, CS_COMPLETED);
	ck_assert_ptr_nonnull(co.frozen_json);
	char *dir = xasprintf("%s/archives", tui_workdir);
	ck_assert_msg(str_has_prefix(co.archive_dir, dir), "%s", co.archive_dir);
	free(dir);
	s = tui_screen();
	ck_assert_msg(strstr(s, co.archive_dir) != NULL, "archive dir not shown:\n%s", s);
	free(s);
	store_closeout_done(&co);
	store_free(st);
	/* back, and c on the completed campaign shows its close-out again */
	tui_keys("Escape");
	s = tui_wait_screen(" completed  report frozen", false);
	ck_assert_msg(strstr(s, "closing") == NULL, "still closing after the close-out:\n%s", s);
	free(s);
	tui_keys("c");
	tui_expect("unique accounts 12: investor 5");
	tui_keys("q");
	tui_expect("UI-EXITED 0");
}
END_TEST

/* Sends an SGR mouse event: button b (0 left, 64 wheel up, 65 wheel down)
 * pressed and released at cell (x, y), 0-based. */
static void
mouse(int b, int x, int y)
{
	tui_sh("tmux -L %s send-keys -t ui -l \"$(printf '\\033[<%d;%d;%dM')\"", tui_sock, b, x + 1,
	    y + 1);
	if (b < 64)
		tui_sh("tmux -L %s send-keys -t ui -l \"$(printf '\\033[<%d;%d;%dm')\"", tui_sock,
		    b, x + 1, y + 1);
}

START_TEST(test_mouse)
{
	tui_start_ui(140, 44, true, NULL);
	tui_expect("views 12.3k");
	tui_expect("@acct11");
	/* the wheel over the feed scrolls it back and holds it */
	mouse(65, 10, 8);
	char *s = tui_wait_screen("Engagers (paused, g: live)", false);
	ck_assert_ptr_null(strstr(s, "@acct11"));
	ck_assert_ptr_nonnull(strstr(s, "@acct08"));
	free(s);
	mouse(64, 10, 8);
	tui_expect("Engagers (live)");
	tui_expect("@acct11");
	/* a click on a tweets row focuses that pane: x exports the tweets */
	mouse(0, 5, 40);
	tui_keys("x");
	free(tui_wait_screen("exported ", false));
	char *cmd = xasprintf("ls %s/launchwatch-*-tweets-*.csv >/dev/null 2>&1", tui_workdir);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	/* a click on the third feed row selects it: Enter opens that profile */
	mouse(0, 20, 6); /* the feed's titles are on row 3 */
	tui_keys("Enter");
	s = tui_wait_screen("Profile (Esc back)", false);
	ck_assert_msg(strstr(s, "@acct09") != NULL, "%s", s);
	free(s);
	tui_keys("Escape q");
	tui_expect("UI-EXITED 0");
}
END_TEST

static Suite *
tui_suite(void)
{
	Suite *s = suite_create("tui");
	TCase *tc = tcase_create("tmux");
	tcase_add_checked_fixture(tc, tui_setup, tui_teardown);
	tcase_set_timeout(tc, 150);
	tcase_add_test(tc, test_panes_show_database_numbers);
	tcase_add_test(tc, test_quit_with_database_down);
	tcase_add_test(tc, test_hostile_profile_is_plain_text);
	tcase_add_test(tc, test_colours);
	tcase_add_test(tc, test_keys_do_what_help_says);
	tcase_add_test(tc, test_add_form);
	tcase_add_test(tc, test_resize_keeps_layout);
	tcase_add_test(tc, test_first_run_demo);
	tcase_add_test(tc, test_edit_tweets_form);
	tcase_add_test(tc, test_closeout_progress);
	tcase_add_test(tc, test_mouse);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tui_run(tui_suite());
}
