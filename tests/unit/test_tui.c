/*
 * Screen tests of the console: the real launchwatch binary runs in tmux (a
 * socket of its own per test, killed at the end) against a devdb holding
 * data written here through the store API; the tests read the screen with
 * capture-pane and drive it with send-keys. They check that the panes show
 * the numbers the database holds, that each key does what `?` says, that the
 * add form creates a campaign and rejects a bad link with its reason, that
 * resizing 80x24 <-> 220x60 keeps a sane layout, that a hostile profile shows
 * as plain text, and that a first run without a key shows the simulated demo.
 * Waits poll the screen with generous limits; nothing asserts a tight time.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "store.h"
#include "store_agg.h"
#include "testutil.h"
#include "util.h"

#define WAIT_MS 20000

static struct tu_devdb *db;
static char *workdir;
static char sock[64];
static int tui_seq;
static char cid[CAMPAIGN_ID_MAX];
static int64_t t0;

static const char *const tids[3] = {
    "1861111111111111111", "1861111111111111112", "1861111111111111113"};

/* Runs a shell command and returns its exit status. */
static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int
sh(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *cmd = xvasprintf(fmt, ap);
	va_end(ap);
	int rc = system(cmd);
	free(cmd);
	return rc;
}

/* Returns the screen of the test's tmux session (caller frees). */
static char *
screen(void)
{
	char *cmd = xasprintf("tmux -L %s capture-pane -p -t ui 2>/dev/null", sock);
	FILE *p = popen(cmd, "r");
	free(cmd);
	struct sbuf b;
	sbuf_init(&b);
	char buf[4096];
	size_t n;
	while (p && (n = fread(buf, 1, sizeof buf, p)) > 0)
		sbuf_add(&b, buf, n);
	if (p)
		pclose(p);
	return sbuf_take(&b);
}

/* Waits until the screen shows want (or not, when absent is true); returns
 * the screen then (caller frees) or fails the test with the last screen. */
static char *
wait_screen(const char *want, bool absent)
{
	char *s = NULL;
	for (int waited = 0; waited < WAIT_MS; waited += 100) {
		free(s);
		s = screen();
		if ((strstr(s, want) != NULL) != absent)
			return s;
		usleep(100 * 1000);
	}
	fprintf(stderr, "---- screen ----\n%s----\n", s);
	ck_abort_msg("screen never %s \"%s\" (screen on stderr)", absent ? "lost" : "showed", want);
	return s;
}

/* Asserts the screen shows want within the wait. */
static void
expect(const char *want)
{
	free(wait_screen(want, false));
}

/* Sends keys (tmux key names, e.g. "Tab" or "C-u"). */
static void
keys(const char *k)
{
	sh("tmux -L %s send-keys -t ui %s", sock, k);
}

/* Types text literally. */
static void
type(const char *text)
{
	char *cmd = xasprintf("tmux -L %s send-keys -t ui -l '%s'", sock, text);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

/* Starts the console in a w x h tmux session; with_key false leaves the
 * provider key unset (first run). The session ends by itself (the console
 * is stopped after 120 s, the shell 10 s after it exits), so even a test
 * that fails before its teardown leaves nothing running for long. */
static void
start_ui(int w, int h, bool with_key, const char *extra)
{
	snprintf(sock, sizeof sock, "lwtest-%d-%d", (int)getpid(), tui_seq++);
	const char *bin = getenv("LAUNCHWATCH_BIN");
	ck_assert_msg(bin != NULL, "LAUNCHWATCH_BIN is not set");
	int rc = sh("tmux -L %s new-session -d -s ui -x %d -y %d \"env MONGODB_URI='%s' "
	            "LAUNCHWATCH_DB=tuitest %s LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color "
	            "XDG_DATA_HOME='%s' LAUNCHWATCH_EXPORT_DIR='%s' %s timeout --foreground -s "
	            "TERM 120 '%s' "
	            "2>'%s/stderr'; echo UI-EXITED $?; sleep 10\"",
	    sock, w, h, db->uri, with_key ? "TWITTERAPI_KEY=test-key" : "", workdir, workdir,
	    extra ? extra : "", bin, workdir);
	ck_assert_int_eq(rc, 0);
	sh("tmux -L %s set-option -g window-size manual >/dev/null 2>&1", sock);
}

/* Writes the test campaign and its data through the store API. */
static void
seed(void)
{
	struct store *s = NULL;
	char *cause = NULL;
	ck_assert_msg(store_open(db->uri, "tuitest", &s, &cause) == 0, "%s", cause);
	t0 = clock_now_ms() - 3 * 3600 * 1000LL;
	char start[32];
	config_format_time(t0 / 1000, start, sizeof start);
	char *yaml = xasprintf("campaigns:\n  - name: Acme launch\n    client: {name: Acme Labs}\n"
	                       "    window: {start: %s, duration: 7d}\n    tweets:\n"
	                       "      main: [%s]\n      influencer: [%s]\n      investor: [%s]\n"
	                       "  - name: Second launch\n    window: {start: %s, duration: 1d}\n"
	                       "    tweets: {main: [1861111111111111199]}\n",
	    start, tids[0], tids[1], tids[2], start);
	struct cfg_file *f = NULL;
	ck_assert_msg(config_load_string("t", yaml, strlen(yaml), &f, &cause) == 0, "%s", cause);
	free(yaml);
	struct store_upsert_result res;
	ck_assert(store_campaign_upsert(s, &f->campaigns[0], clock_now_ms(), &res, &cause) == 0);
	snprintf(cid, sizeof cid, "%s", res.id);
	ck_assert(store_campaign_upsert(s, &f->campaigns[1], clock_now_ms(), &res, &cause) == 0);
	config_free(f);

	/* 12 accounts: 5 investors, 3 founders, 4 other; account 11 is hostile */
	struct lw_engagement e[12];
	static const enum lw_bucket bk[12] = {BK_INVESTOR, BK_INVESTOR, BK_INVESTOR, BK_INVESTOR,
	    BK_INVESTOR, BK_FOUNDER, BK_FOUNDER, BK_FOUNDER, BK_OTHER, BK_OTHER, BK_OTHER,
	    BK_OTHER};
	for (int i = 0; i < 12; i++) {
		memset(&e[i], 0, sizeof e[i]);
		snprintf(e[i].campaign_id, sizeof e[i].campaign_id, "%s", cid);
		snprintf(e[i].tweet_id, sizeof e[i].tweet_id, "%s", tids[i % 3]);
		e[i].category = i % 3;
		e[i].action = i % 2 ? ACT_REPLY : ACT_RETWEET;
		snprintf(e[i].user.id, sizeof e[i].user.id, "%d", 7000 + i);
		e[i].user.handle = xasprintf("acct%02d", i);
		e[i].user.name = xasprintf("Person %d", i);
		e[i].user.bio = xstrdup("just a bio");
		e[i].user.followers = 1000 * (i + 1);
		e[i].bucket = bk[i];
		e[i].importance = 50 + i;
		e[i].text = e[i].action == ACT_REPLY ? xasprintf("congrats %d", i) : NULL;
		e[i].first_seen_at_ms = t0 + i * 60000LL;
	}
	free(e[11].user.name);
	free(e[11].user.bio);
	e[11].user.name = xstrdup("\x1b]0;pwned\x07"
	                          "Evil\x1b[2J\x1b[31mRed");
	e[11].user.bio = xstrdup("\x1b[H\x1b[2Jbio\x1b]2;pwned-too\x07 here");
	e[11].first_seen_at_ms = clock_now_ms(); /* the newest: the first feed row */
	ck_assert_msg(store_agg_put_engagements(s, e, 12, &cause) == 0, "%s", cause);
	for (int i = 0; i < 12; i++)
		lw_engagement_done(&e[i]);

	/* views: 10000 + 2000 + 345 = 12345 over three tweets */
	struct lw_slice sl[3];
	static const int64_t views[3] = {10000, 2000, 345};
	for (int i = 0; i < 3; i++) {
		memset(&sl[i], 0, sizeof sl[i]);
		snprintf(sl[i].campaign_id, sizeof sl[i].campaign_id, "%s", cid);
		snprintf(sl[i].tweet_id, sizeof sl[i].tweet_id, "%s", tids[i]);
		sl[i].category = i;
		sl[i].seq = 1;
		sl[i].at_ms = t0 + 3600000LL;
		sl[i].deltas = (struct lw_metrics){100 + i, 10, 5, 1, views[i], 0};
	}
	ck_assert_msg(store_agg_put_slices(s, sl, 3, &cause) == 0, "%s", cause);
	ck_assert(store_agg_put_alert(s, cid, "7003", "acct03", ACT_REPLY, tids[0], "slack",
	              "failed: HTTP 500", t0 + 7200000LL, &cause) == 0);
	store_free(s);
}

static void
setup(void)
{
	db = tu_devdb_start(NULL, 0);
	workdir = tu_tempdir();
	seed();
}

static void
teardown(void)
{
	sh("tmux -L %s kill-server >/dev/null 2>&1", sock);
	/* tmux may leave its socket file behind */
	const char *tmp = getenv("TMUX_TMPDIR");
	char *path = xasprintf("%s/tmux-%d/%s", tmp && *tmp ? tmp : "/tmp", (int)getuid(), sock);
	unlink(path);
	free(path);
	tu_devdb_free(db);
	tu_rmtree(workdir);
	free(workdir);
}

START_TEST(test_panes_show_database_numbers)
{
	start_ui(140, 44, true, NULL);
	char *s;
	expect("views 12.3k");
	expect("Acme launch - Acme Labs");
	expect("accounts 12");
	/* the breakdown: 5 investors of 12 */
	expect("5  41.7%");
	expect("3  25.0%");
	/* the tweets table: views of tweet 1, the feed: a handle, the alert */
	s = wait_screen("@acct10", false);
	ck_assert_ptr_nonnull(strstr(s, "10.0k"));
	ck_assert_ptr_nonnull(strstr(s, "failed: HTTP 500"));
	ck_assert_ptr_nonnull(strstr(s, "Alerts: 0 sent, 0 pending, 1 failed"));
	ck_assert_ptr_nonnull(strstr(s, "now 12.3k")); /* the chart's last value */
	free(s);
	keys("q");
	expect("UI-EXITED 0");
}
END_TEST

START_TEST(test_hostile_profile_is_plain_text)
{
	start_ui(120, 40, true, NULL);
	char *s = wait_screen("@acct11", false);
	ck_assert_ptr_nonnull(strstr(s, "EvilRed"));
	free(s);
	keys("Enter"); /* the newest row is selected: the hostile account */
	s = wait_screen("Profile (Esc back)", false);
	ck_assert_ptr_nonnull(strstr(s, "@acct11  EvilRed"));
	ck_assert_ptr_nonnull(strstr(s, "bio here"));
	ck_assert_ptr_null(strstr(s, "pwned"));
	free(s);
	/* nothing changed the window title or cleared the screen */
	char *cmd = xasprintf("tmux -L %s display -p -t ui '#{pane_title}'", sock);
	FILE *p = popen(cmd, "r");
	char title[256] = "";
	ck_assert_ptr_nonnull(fgets(title, sizeof title, p));
	pclose(p);
	free(cmd);
	ck_assert_ptr_null(strstr(title, "pwned"));
	/* and no escape sequence other than colours reached the terminal */
	cmd =
	    xasprintf("tmux -L %s capture-pane -p -e -t ui | grep -q \"$(printf '\\033]')\"", sock);
	ck_assert_int_ne(system(cmd), 0); /* grep found no OSC */
	free(cmd);
	keys("Escape");
	expect("Engagers (live)");
}
END_TEST

START_TEST(test_keys_do_what_help_says)
{
	start_ui(140, 44, true, NULL);
	expect("views 12.3k");
	keys("?");
	free(wait_screen("Keys (any key closes)", false));
	static const char *const helps[] = {"add a campaign", "close out the campaign",
	    "pause or resume", "focus the next pane", "filter the feed", "chart per day",
	    "export the focused view as CSV", "campaigns overview", "zoom the focused pane"};
	/* tmux may show the box before every line of it arrived: wait for each */
	for (size_t i = 0; i < sizeof helps / sizeof helps[0]; i++)
		free(wait_screen(helps[i], false));
	char *s = screen();
	for (size_t i = 0; i < sizeof helps / sizeof helps[0]; i++)
		ck_assert_msg(strstr(s, helps[i]) != NULL, "help lacks %s", helps[i]);
	free(s);
	keys("Space");
	free(wait_screen("Keys (any key closes)", true));
	keys("m"); /* metric: views -> bookmarks */
	expect("Cumulative bookmarks, all tweets, per hour");
	keys("m");
	expect("Cumulative likes/RTs/replies/quotes");
	keys("d");
	expect("per day");
	keys("h");
	expect("per hour");
	keys("s");
	expect("main tweets");
	keys("v");
	expect("Unique accounts by bucket (retweet)");
	keys("/");
	expect("Filter the feed");
	type("bucket=founder");
	keys("Enter");
	s = wait_screen("filter: bucket=founder", false);
	ck_assert_ptr_null(strstr(s, "@acct00")); /* an investor */
	ck_assert_ptr_nonnull(strstr(s, "@acct05"));
	free(s);
	keys("x"); /* focus is the feed: export its filtered rows */
	s = wait_screen("exported ", false);
	free(s);
	char *cmd = xasprintf("test $(cat %s/launchwatch-*-engagers-*.csv | wc -l) -eq 4", workdir);
	ck_assert_int_eq(system(cmd), 0); /* a header and three founders */
	free(cmd);
	keys("Tab");
	keys("z");
	s = wait_screen("Engagers", true); /* the chart fills the screen */
	ck_assert_ptr_nonnull(strstr(s, "Cumulative"));
	free(s);
	keys("z");
	expect("Engagers");
	keys("o");
	expect("Campaigns (Enter opens, 1-9 jumps)");
	expect("Second launch");
	keys("Escape");
	keys("2");
	expect("[2/2] Second launch");
	keys("[");
	expect("[1/2] Acme launch");
	keys("b");
	expect("Events per bucket per day");
	keys("Escape");
	keys("t");
	expect("theme: light");
	keys("p");
	expect(" paused ");
	keys("p");
	expect(" active ");
	keys("c");
	expect("Close out \"Acme launch\" now?");
	keys("y");
	expect("close-out of");
	keys("q");
	expect("UI-EXITED 0");
}
END_TEST

START_TEST(test_add_form)
{
	start_ui(120, 40, true, NULL);
	expect("views 12.3k");
	keys("a");
	expect("Add a campaign");
	type("Form launch");
	keys("Tab");
	type("Form Client");
	keys("Tab Tab Tab"); /* start and duration keep their defaults */
	type("https://example.com/acme/status/123");
	keys("Tab Tab Tab Tab Enter"); /* Enter on the last field saves */
	char *s = wait_screen("form:", false);
	ck_assert_msg(strstr(s, "example.com") != NULL, "no reason shown:\n%s", s);
	free(s);
	/* nothing was written */
	struct store *st = NULL;
	char *cause = NULL;
	ck_assert(store_open(db->uri, "tuitest", &st, &cause) == 0);
	struct campaign *list = NULL;
	size_t n = 0;
	ck_assert(store_campaign_list(st, &list, &n, &cause) == 0);
	ck_assert_uint_eq(n, 2);
	for (size_t i = 0; i < n; i++)
		campaign_done(&list[i]);
	free(list);
	/* fix the link: back up to the main links field */
	keys("Up Up Up Up C-u");
	type("https://x.com/acme/status/1861111111111111555");
	keys("Tab Tab Tab Tab Enter");
	expect("campaign \"Form launch\" added");
	struct campaign c;
	ck_assert_int_eq(store_campaign_get(st, "Form launch", &c, &cause), 0);
	ck_assert_str_eq(c.cfg.client.name, "Form Client");
	ck_assert_uint_eq(c.cfg.ntweets, 1);
	ck_assert_str_eq(c.cfg.tweets[0].id, "1861111111111111555");
	campaign_done(&c);
	store_free(st);
	expect("/3]");
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
	for (int waited = 0; waited < WAIT_MS; waited += 100) {
		free(s);
		s = screen();
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
	start_ui(80, 24, true, NULL);
	expect("views 12.3k");
	assert_layout(80, 24, false);
	sh("tmux -L %s resize-window -t ui -x 220 -y 60", sock);
	expect("Alerts:");
	assert_layout(220, 60, true);
	sh("tmux -L %s resize-window -t ui -x 80 -y 24", sock);
	free(wait_screen("Alerts:", true));
	assert_layout(80, 24, false);
	sh("tmux -L %s resize-window -t ui -x 40 -y 10", sock);
	expect("terminal too small");
	sh("tmux -L %s resize-window -t ui -x 120 -y 40", sock);
	assert_layout(120, 40, true);
}
END_TEST

START_TEST(test_first_run_demo)
{
	start_ui(120, 40, false, NULL);
	char *s = wait_screen("SIMULATED DATA", false);
	ck_assert_ptr_nonnull(strstr(s, "TWITTERAPI_KEY"));
	free(s);
	keys("o");
	expect("Demo launch (simulated)");
	keys("q");
	expect("UI-EXITED 0");
}
END_TEST

static Suite *
tui_suite(void)
{
	Suite *s = suite_create("tui");
	TCase *tc = tcase_create("tmux");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, test_panes_show_database_numbers);
	tcase_add_test(tc, test_hostile_profile_is_plain_text);
	tcase_add_test(tc, test_keys_do_what_help_says);
	tcase_add_test(tc, test_add_form);
	tcase_add_test(tc, test_resize_keeps_layout);
	tcase_add_test(tc, test_first_run_demo);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	if (system("tmux -V >/dev/null 2>&1") != 0) {
		fputs("tmux is not installed; the screen tests need it\n", stderr);
		return EXIT_FAILURE;
	}
	SRunner *sr = srunner_create(tui_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
