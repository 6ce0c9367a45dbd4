/*
 * Screen tests of the console: the real launchwatch binary runs in tmux (a
 * socket of its own per test, killed at the end) against a devdb holding
 * data written here through the store API; the tests read the screen with
 * capture-pane and drive it with send-keys. They check that the panes show
 * the numbers the database holds, that each key does what `?` says, that the
 * add form creates a campaign and rejects a bad link with its reason, that
 * resizing 80x24 <-> 220x60 keeps a sane layout, that a hostile profile shows
 * as plain text, and that a first run without a key shows the simulated demo.
 * The "http" case runs the console with --http and checks that the JSON
 * endpoint answers what the database holds (read back directly here), with
 * ETag/304, 404 and 400 JSON errors, live updates, answers from its cache
 * while the database is down, and that a non-loopback bind needs a token.
 * The "viewer" case runs a console without an engine beside `launchwatch
 * run` (following the simulator) behind a proxy that records the
 * database commands it sends: new engagements reach its feed through the
 * change log within a poll, every read of prepared data is an `_id`
 * lookup and no raw engagement is read. The seeded campaigns' prepared
 * aggregates are built with prep_rebuild, as `campaign rebuild` does.
 * Waits poll the screen with generous limits; only the viewer's latency
 * (a poll) has a bound, a loose one.
 */
#include <arpa/inet.h>
#include <check.h>
#include <curl/curl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config/config.h"
#include "model/event.h"
#include "api/jsonapi.h"
#include "engine/prep_io.h"
#include "model/agg.h"
#include "engine/writer.h"
#include "store/store.h"
#include "sim/sim.h"
#include "store/store_changes.h"
#include "store/store_events.h"
#include "store/store_report.h"
#include "testutil.h"
#include "base/timestr.h"
#include "base/util.h"
#include "seed_support.h"
#include "tui_support.h"
#include "wire_proxy.h"

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
	/* the tweets table: views of tweet 1, the feed: a handle, the alert */
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

/* With the database gone, q still ends the process promptly: shutting
 * down waits at most UI_EXIT_WAIT_S for calls that cannot answer (before,
 * about 26 s on this machine, past this wait). */
START_TEST(test_quit_with_database_down)
{
	tui_start_ui(120, 40, true, NULL);
	tui_expect("Acme launch - Acme Labs");
	tu_devdb_stop(tui_db);
	usleep(2500 * 1000); /* let the database thread's next poll start */
	tui_keys("q");
	tui_expect("UI-EXITED 0");
}
END_TEST

/* Returns the screen with its colours and attributes as escape sequences
 * (capture-pane -e; caller frees). */
static char *
screen_escapes(void)
{
	char *cmd = xasprintf("tmux -L %s capture-pane -p -e -t ui 2>/dev/null", tui_sock);
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

/* The theme's colours reach the terminal: the investor bucket in colour
 * 214, the selected feed row black on cyan (both only colour in the default
 * theme); with NO_COLOR no colour at all. */
START_TEST(test_colours)
{
	tui_start_ui(140, 44, true, NULL);
	tui_expect("accounts 12");
	free(tui_wait_screen("@acct10", false));
	char *s = screen_escapes();
	ck_assert_msg(strstr(s, "38;5;214m") != NULL, "no investor colour:\n%s", s);
	ck_assert_msg(strstr(s, "\033[30m\033[46m") != NULL, "no black-on-cyan selection:\n%s", s);
	free(s);
	tui_keys("q");
	tui_expect("UI-EXITED 0");
	tui_teardown_tmux();

	tui_start_ui(140, 44, true, "NO_COLOR=1");
	tui_expect("accounts 12");
	free(tui_wait_screen("@acct10", false));
	s = screen_escapes();
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
	    "close out the campaign now (asks first), then its progress", "pause or resume",
	    "focus the next pane", "filter the feed", "chart per day",
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
	tui_expect("Cumulative bookmarks, all tweets, per hour");
	tui_keys("m");
	tui_expect("Cumulative likes/RTs/replies/quotes");
	tui_keys("d");
	tui_expect("per day");
	tui_keys("h");
	tui_expect("per hour");
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
	tui_keys("Tab Tab Tab Tab Enter"); /* Enter on the last field saves */
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
	/* fix the link: back up to the main links field */
	tui_keys("Up Up Up Up C-u");
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
	s = tui_wait_screen("ok, last success", false);
	ck_assert_msg(strstr(s, "provider: simulator (127.0.0.1:") != NULL, "%s", s);
	free(s);
	tui_keys("o");
	tui_expect("Demo launch (simulated)");
	tui_keys("q");
	tui_expect("UI-EXITED 0");
}
END_TEST

/* ---- the read-only JSON endpoint (--http) ---- */

/* What the database holds for the test campaign, read directly. */
struct truth {
	struct lw_engagement *eng; /* sorted newest first_seen_at first */
	size_t neng;
	int64_t all[M__COUNT], cat[CAT__COUNT][M__COUNT];
	int64_t events[ACT__COUNT];
};

/* Collects one stored engagement into the truth in arg. */
static int
truth_eng(const struct lw_engagement *e, void *arg)
{
	struct truth *t = arg;
	t->eng = xreallocarray(t->eng, t->neng + 1, sizeof *t->eng);
	struct lw_engagement *d = &t->eng[t->neng++];
	*d = *e;
	lw_user_copy(&d->user, &e->user);
	d->evidence = xstrdup(e->evidence ? e->evidence : "");
	d->text = e->text ? xstrdup(e->text) : NULL;
	d->ref_ids = NULL;
	d->nref = 0;
	t->events[e->action]++;
	return 0;
}

/* Adds one stored metric slice to the truth in arg. */
static int
truth_slice(const struct lw_slice *sl, void *arg)
{
	struct truth *t = arg;
	const struct lw_metrics *d = &sl->deltas;
	const int64_t v[M__COUNT] = {
	    d->likes, d->retweets, d->replies, d->quotes, d->views, d->bookmarks};
	for (int m = 0; m < M__COUNT; m++) {
		t->all[m] += v[m];
		t->cat[sl->category][m] += v[m];
	}
	return 0;
}

/* Orders engagements newest first. */
static int
cmp_newest(const void *x, const void *y)
{
	const struct lw_engagement *a = x, *b = y;
	return a->first_seen_at_ms < b->first_seen_at_ms   ? 1
	       : a->first_seen_at_ms > b->first_seen_at_ms ? -1
	                                                   : 0;
}

/* Reads the truth of campaign id from the database. */
static void
truth_load(struct store *st, const char *id, struct truth *t)
{
	char *cause = NULL;
	memset(t, 0, sizeof *t);
	ck_assert_msg(ste_scan_engagements(st, id, 0, truth_eng, t, &cause) == 0, "%s", cause);
	ck_assert_msg(ste_scan_slices(st, id, truth_slice, t, &cause) == 0, "%s", cause);
	qsort(t->eng, t->neng, sizeof *t->eng, cmp_newest);
}

/* Frees a truth. */
static void
truth_done(struct truth *t)
{
	for (size_t i = 0; i < t->neng; i++)
		lw_engagement_done(&t->eng[i]);
	free(t->eng);
}

/* Returns the integer at a dotted path of o ("a.b.c"), failing when absent. */
static json_int_t
jint(json_t *o, const char *path)
{
	char *copy = xstrdup(path), *save = NULL;
	json_t *v = o;
	for (char *k = strtok_r(copy, ".", &save); k && v; k = strtok_r(NULL, ".", &save))
		v = json_object_get(v, k);
	ck_assert_msg(json_is_integer(v), "no integer at %s", path);
	free(copy);
	return json_integer_value(v);
}

/* Polls GET path until its JSON satisfies ok (or fails the test). */
static void
http_wait(int port, const char *path, bool (*ok)(json_t *), struct tui_resp *r)
{
	for (int waited = 0; waited < TUI_WAIT_MS; waited += 200) {
		tui_http(port, path, NULL, NULL, r);
		if (r->status == 200 && r->json && ok(r->json))
			return;
		tui_resp_done(r);
		usleep(200 * 1000);
	}
	tui_http(port, path, NULL, NULL, r);
	ck_abort_msg("%s never showed the expected data: %ld %s", path, r->status, r->body);
}

/* The campaign list holds both seeded campaigns, the first one complete. */
static bool
list_loaded(json_t *j)
{
	json_t *l = json_object_get(j, "campaigns"), *c;
	size_t i;
	if (json_array_size(l) != 2)
		return false;
	json_array_foreach(l, i,
	    c) if (strcmp(json_string_value(json_object_get(c, "id")), tui_cid) ==
	           0) return json_integer_value(json_object_get(c, "unique_accounts")) == 12 &&
	    json_integer_value(json_object_get(c, "views")) == 12345;
	return false;
}

/* The aggregates show the 13th account written during the test. */
static bool
has_13(json_t *j)
{
	json_t *u = json_object_get(j, "unique_accounts");
	return json_integer_value(json_object_get(u, "total")) == 13;
}

/* Frees a devdb handle whose process and directory belong to another. */
static void
tu_devdb_free_handle(struct tu_devdb *d)
{
	free(d->dir);
	free(d->uri);
	free(d);
}

/* Asserts GET path answers status with a JSON error whose message holds want. */
static void
expect_error(int port, const char *path, long status, const char *want)
{
	struct tui_resp r;
	tui_http(port, path, NULL, NULL, &r);
	ck_assert_msg(r.status == status, "%s: %ld %s", path, r.status, r.body);
	ck_assert_msg(r.json != NULL, "%s: not JSON: %s", path, r.body);
	ck_assert_ptr_nonnull(json_string_value(json_object_get(r.json, "error")));
	const char *m = json_string_value(json_object_get(r.json, "message"));
	ck_assert_msg(m && strstr(m, want), "%s: message lacks '%s': %s", path, want, r.body);
	tui_resp_done(&r);
}

START_TEST(test_http_matches_database)
{
	int port = tui_free_port();
	snprintf(tui_args, sizeof tui_args, "--http 127.0.0.1:%d", port);
	tui_start_ui(120, 40, true, NULL);
	char *want = xasprintf("JSON on http://127.0.0.1:%d/api/campaigns", port);
	tui_expect(want);
	free(want);
	struct tui_resp r;
	http_wait(port, "/api/campaigns", list_loaded, &r);

	/* the list equals the campaigns collection */
	struct store *st = NULL;
	char *cause = NULL;
	ck_assert(store_open(tui_db->uri, "tuitest", &st, &cause) == 0);
	struct campaign *list = NULL;
	size_t n = 0;
	ck_assert(store_campaign_list(st, &list, &n, &cause) == 0);
	json_t *jl = json_object_get(r.json, "campaigns");
	ck_assert_uint_eq(json_array_size(jl), n);
	for (size_t i = 0; i < n; i++) {
		json_t *found = NULL, *c;
		size_t k;
		json_array_foreach(jl, k, c) if (strcmp(json_string_value(json_object_get(c, "id")),
		                                     list[i].id) == 0) found = c;
		ck_assert_msg(found != NULL, "%s missing", list[i].id);
		ck_assert_str_eq(
		    json_string_value(json_object_get(found, "name")), list[i].cfg.name);
		ck_assert_str_eq(json_string_value(json_object_get(found, "status")),
		    campaign_status_name(list[i].status));
		ck_assert_int_eq(json_integer_value(json_object_get(found, "tweets")),
		    (json_int_t)list[i].cfg.ntweets);
		campaign_done(&list[i]);
	}
	free(list);
	ck_assert(r.etag[0] == '"');
	tui_resp_done(&r);

	/* the aggregates equal sums over the stored rows */
	struct truth t;
	truth_load(st, tui_cid, &t);
	ck_assert_uint_eq(t.neng, 12);
	char *path = xasprintf("/api/campaigns/%s/aggregates", tui_cid);
	tui_http(port, path, NULL, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(r.json);
	for (int m = 0; m < M__COUNT; m++) {
		char k[64];
		snprintf(k, sizeof k, "totals.all.%s", agg_metric_name((enum agg_metric)m));
		ck_assert_int_eq(jint(r.json, k), t.all[m]);
		for (int c = 0; c < CAT__COUNT; c++) {
			snprintf(k, sizeof k, "totals.%s.%s", category_name((enum tweet_category)c),
			    agg_metric_name((enum agg_metric)m));
			ck_assert_int_eq(jint(r.json, k), t.cat[c][m]);
		}
	}
	ck_assert_int_eq(jint(r.json, "totals.all.views"), 12345);
	int64_t by_bucket[BK__COUNT] = {0};
	for (size_t i = 0; i < t.neng; i++)
		by_bucket[t.eng[i].bucket]++; /* one engagement per seeded account */
	for (int b = 0; b < BK__COUNT; b++) {
		char k[64];
		snprintf(
		    k, sizeof k, "unique_accounts.by_bucket.%s", bucket_name((enum lw_bucket)b));
		ck_assert_int_eq(jint(r.json, k), by_bucket[b]);
	}
	ck_assert_int_eq(jint(r.json, "unique_accounts.total"), (json_int_t)t.neng);
	for (int a = 0; a < ACT__COUNT; a++) {
		char k[64];
		snprintf(k, sizeof k, "events.%s", action_name((enum lw_action)a));
		ck_assert_int_eq(jint(r.json, k), t.events[a]);
	}
	json_t *views =
	    json_object_get(json_object_get(json_object_get(r.json, "hourly"), "all"), "views");
	ck_assert_int_eq(
	    json_integer_value(json_array_get(views, json_array_size(views) - 1)), 12345);
	ck_assert_uint_eq(json_array_size(json_object_get(r.json, "tweets")), 3);
	ck_assert_uint_eq(json_array_size(json_object_get(r.json, "top_engagers")), 12);
	ck_assert_int_eq(jint(r.json, "alerts.failed"), 1);

	/* ETag and If-None-Match */
	char etag[64], *inm;
	snprintf(etag, sizeof etag, "%s", r.etag);
	ck_assert_msg(etag[0] == '"', "no ETag");
	tui_resp_done(&r);
	inm = xasprintf("If-None-Match: %s", etag);
	tui_http(port, path, inm, NULL, &r);
	ck_assert_int_eq(r.status, 304);
	ck_assert_str_eq(r.body, "");
	ck_assert_str_eq(r.etag, etag);
	tui_resp_done(&r);
	tui_http(port, path, "If-None-Match: \"something-else\"", NULL, &r);
	ck_assert_int_eq(r.status, 200);
	tui_resp_done(&r);

	/* the engagers: the stored engagements, newest first */
	char *epath = xasprintf("/api/campaigns/%s/engagers", tui_cid);
	tui_http(port, epath, NULL, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	json_t *el = json_object_get(r.json, "engagers");
	ck_assert_uint_eq(json_array_size(el), t.neng);
	for (size_t i = 0; i < t.neng; i++) {
		json_t *e = json_array_get(el, i);
		const struct lw_engagement *d = &t.eng[i];
		ck_assert_str_eq(json_string_value(json_object_get(e, "handle")), d->user.handle);
		ck_assert_str_eq(json_string_value(json_object_get(e, "user_id")), d->user.id);
		ck_assert_str_eq(
		    json_string_value(json_object_get(e, "bucket")), bucket_name(d->bucket));
		ck_assert_str_eq(
		    json_string_value(json_object_get(e, "action")), action_name(d->action));
		ck_assert_str_eq(json_string_value(json_object_get(e, "tweet_id")), d->tweet_id);
		ck_assert_int_eq(
		    json_integer_value(json_object_get(e, "importance")), d->importance);
		ck_assert_int_eq(
		    json_integer_value(json_object_get(e, "followers")), d->user.followers);
	}
	/* the hostile name arrives without its escape sequences */
	ck_assert_str_eq(
	    json_string_value(json_object_get(json_array_get(el, 0), "name")), "EvilRed");
	tui_resp_done(&r);
	char *q = xasprintf("%s?limit=2&bucket=investor", epath);
	tui_http(port, q, NULL, NULL, &r);
	free(q);
	ck_assert_int_eq(r.status, 200);
	el = json_object_get(r.json, "engagers");
	ck_assert_uint_eq(json_array_size(el), 2);
	size_t k = 0;
	for (size_t i = 0; i < t.neng && k < 2; i++)
		if (t.eng[i].bucket == BK_INVESTOR)
			ck_assert_str_eq(
			    json_string_value(json_object_get(json_array_get(el, k++), "handle")),
			    t.eng[i].user.handle);
	tui_resp_done(&r);

	/* bad ids, bad paths and bad parameters: JSON errors */
	expect_error(port, "/api/campaigns/no-such-id/aggregates", 404, "no campaign with id");
	expect_error(port, "/api/campaigns/no-such-id/engagers", 404, "no campaign with id");
	q = xasprintf("/api/campaigns/%s/everything", tui_cid);
	expect_error(port, q, 404, "no such endpoint");
	free(q);
	expect_error(port, "/metrics", 404, "no such endpoint");
	static const char *const bad_limits[] = {"0", "abc", "1001", "-5", "99999999999"};
	for (size_t i = 0; i < LW_ARRAY_LEN(bad_limits); i++) {
		q = xasprintf("%s?limit=%s", epath, bad_limits[i]);
		expect_error(port, q, 400, "limit must be");
		free(q);
	}
	q = xasprintf("%s?bucket=whales", epath);
	expect_error(port, q, 400, "bucket must be one of");
	free(q);
	tui_http(port, path, NULL, "POST", &r);
	ck_assert_int_eq(r.status, 405);
	tui_resp_done(&r);

	/* a new stored engagement shows up with a new ETag */
	struct lw_engagement e;
	memset(&e, 0, sizeof e);
	snprintf(e.campaign_id, sizeof e.campaign_id, "%s", tui_cid);
	snprintf(e.tweet_id, sizeof e.tweet_id, "%s", tui_tids[0]);
	e.action = ACT_QUOTE;
	snprintf(e.user.id, sizeof e.user.id, "7100");
	e.user.handle = xstrdup("newcomer");
	e.user.name = xstrdup("New Comer");
	e.user.bio = xstrdup("press");
	e.bucket = BK_MEDIA;
	e.importance = 40;
	/* stored as the engine stores it: the document, then its change-log
	 * entry, which the console's engine aggregates and its reader follows */
	bool is_new = false;
	struct writer_page pg = {.campaign_id = tui_cid,
	    .eng = &e,
	    .n = 1,
	    .now_ms = clock_now_ms(),
	    .above = 1,
	    .is_new = &is_new};
	ck_assert_msg(writer_put_page(NULL, st, &pg, &cause) == 0, "%s", cause);
	ck_assert(is_new);
	lw_engagement_done(&e);
	http_wait(port, path, has_13, &r);
	ck_assert_str_ne(r.etag, etag);
	ck_assert_int_eq(jint(r.json, "unique_accounts.by_bucket.media"), 1);
	snprintf(etag, sizeof etag, "%s", r.etag);
	tui_resp_done(&r);
	free(inm);
	store_free(st);
	truth_done(&t);

	/* the database goes away: the endpoint keeps answering from its cache */
	tu_devdb_stop(tui_db);
	inm = xasprintf("If-None-Match: %s", etag);
	tui_http(port, path, inm, NULL, &r);
	ck_assert_int_eq(r.status, 304);
	tui_resp_done(&r);
	tui_http(port, path, NULL, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.etag, etag);
	ck_assert_int_eq(jint(r.json, "unique_accounts.total"), 13);
	tui_resp_done(&r);
	free(inm);
	free(path);
	free(epath);
	/* the database comes back on the same port, so quitting does not wait
	 * for the database thread's call to time out */
	struct tu_devdb *again = tu_devdb_start(tui_db->dir, tui_db->port);
	tui_db->pid = again->pid;
	again->pid = 0;
	tu_devdb_free_handle(again);
	tui_keys("q");
	tui_expect("UI-EXITED 0");
}
END_TEST

START_TEST(test_http_token)
{
	int port = tui_free_port();
	char *addr = xasprintf("0.0.0.0:%d", port), *uri = xasprintf("MONGODB_URI=%s", tui_db->uri);
	/* without a token a non-loopback bind is refused before anything starts */
	const char *const args[] = {"tui", "--http", addr, NULL};
	const char *const env[] = {
	    uri, "LAUNCHWATCH_HTTP_TOKEN=", "LAUNCHWATCH_HTTP_TOKEN_FILE=", NULL};
	struct tu_run rr;
	tu_run(&rr, env, 20000, args);
	ck_assert_int_eq(rr.status, 64);
	ck_assert_msg(
	    strstr(rr.err, "not a loopback address") && strstr(rr.err, "LAUNCHWATCH_HTTP_TOKEN"),
	    "%s", rr.err);
	tu_run_done(&rr);
	const char *const env_short[] = {uri, "LAUNCHWATCH_HTTP_TOKEN=short-one", NULL};
	tu_run(&rr, env_short, 20000, args);
	ck_assert_int_eq(rr.status, 64);
	ck_assert_msg(
	    strstr(rr.err, "shorter than 16") && !strstr(rr.err, "short-one"), "%s", rr.err);
	tu_run_done(&rr);

	/* with a token from a file it serves, to requests that carry it */
	const char *token = "s3cret-token-for-the-test-0123456789";
	char *tf = xasprintf("%s\n", token);
	char *tpath = tu_write_file(tui_workdir, "token", tf);
	free(tf);
	char *extra = xasprintf("LAUNCHWATCH_HTTP_TOKEN_FILE='%s'", tpath);
	snprintf(tui_args, sizeof tui_args, "--http %s", addr);
	tui_start_ui(120, 40, true, extra);
	free(extra);
	tui_expect("views 12.3k");
	char *want = xasprintf("JSON on http://0.0.0.0:%d/api/campaigns", port);
	char *s = tui_wait_screen(want, false);
	ck_assert_ptr_null(strstr(s, token));
	free(s);
	free(want);
	struct tui_resp r;
	tui_http(port, "/api/campaigns", NULL, NULL, &r);
	ck_assert_int_eq(r.status, 401);
	ck_assert_ptr_nonnull(json_object_get(r.json, "error"));
	tui_resp_done(&r);
	tui_http(port, "/api/campaigns",
	    "Authorization: Bearer s3cret-token-for-the-test-0123456788", NULL, &r);
	ck_assert_int_eq(r.status, 401);
	tui_resp_done(&r);
	char *auth = xasprintf("Authorization: Bearer %s", token);
	tui_http(port, "/api/campaigns", auth, NULL, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(json_object_get(r.json, "campaigns"));
	tui_resp_done(&r);
	free(auth);
	tui_keys("q");
	tui_expect("UI-EXITED 0");
	/* nothing wrote the token to the console's stderr */
	char *cmd = xasprintf("grep -q '%s' '%s/stderr'", token, tui_workdir);
	ck_assert_int_ne(system(cmd), 0);
	free(cmd);
	free(tpath);
	free(addr);
	free(uri);
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
	/* add an influencer tweet, remove the investor one */
	tui_keys("Up C-u");
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
	struct truth t;
	truth_load(st, tui_cid, &t);
	size_t of_removed = 0;
	for (size_t i = 0; i < t.neng; i++)
		of_removed += strcmp(t.eng[i].tweet_id, tui_tids[2]) == 0;
	ck_assert_uint_eq(of_removed, 4);
	truth_done(&t);
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
	tui_expect(" completed ");
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
	mouse(0, 20, 5);
	tui_keys("Enter");
	s = tui_wait_screen("Profile (Esc back)", false);
	ck_assert_msg(strstr(s, "@acct09") != NULL, "%s", s);
	free(s);
	tui_keys("Escape q");
	tui_expect("UI-EXITED 0");
}
END_TEST

/* Addresses: loopback or not, and what is refused. */
START_TEST(test_http_addr_parse)
{
	char host[64], *cause = NULL;
	int port = -1;
	bool lo = false;
	ck_assert_int_eq(
	    jsonapi_parse_addr("127.0.0.1:8080", host, sizeof host, &port, &lo, &cause), 0);
	ck_assert(lo && port == 8080 && strcmp(host, "127.0.0.1") == 0);
	ck_assert_int_eq(jsonapi_parse_addr("9000", host, sizeof host, &port, &lo, &cause), 0);
	ck_assert(lo && port == 9000);
	ck_assert_int_eq(
	    jsonapi_parse_addr("localhost:1", host, sizeof host, &port, &lo, &cause), 0);
	ck_assert(lo);
	ck_assert_int_eq(jsonapi_parse_addr("[::1]:80", host, sizeof host, &port, &lo, &cause), 0);
	ck_assert(lo && strcmp(host, "::1") == 0);
	ck_assert_int_eq(
	    jsonapi_parse_addr("10.1.2.3:80", host, sizeof host, &port, &lo, &cause), 0);
	ck_assert(!lo);
	ck_assert_int_eq(jsonapi_parse_addr("[::]:80", host, sizeof host, &port, &lo, &cause), 0);
	ck_assert(!lo);
	static const char *const bad[] = {"", "127.0.0.1:", "127.0.0.1:70000", "example.com:80",
	    "127.0.0.1:80x", "::1:80", "[::1]80"};
	for (size_t i = 0; i < LW_ARRAY_LEN(bad); i++) {
		ck_assert_msg(
		    jsonapi_parse_addr(bad[i], host, sizeof host, &port, &lo, &cause) == -1,
		    "%s accepted", bad[i]);
		ck_assert_ptr_nonnull(cause);
		free(cause);
		cause = NULL;
	}
	/* refused without a token, before binding anything */
	struct jsonapi *j = jsonapi_start("0.0.0.0:0", NULL, &cause);
	ck_assert_ptr_null(j);
	ck_assert_ptr_nonnull(strstr(cause, "LAUNCHWATCH_HTTP_TOKEN"));
	free(cause);
}
END_TEST

/* ---- a viewer console beside `launchwatch run` ---- */

/* Starts `launchwatch run --for secs` on the test's database against the
 * simulator on sim_port (its output in tui_workdir/run.log); returns its pid. */
static pid_t
start_run(int sim_port, int secs)
{
	const char *bin = getenv("LAUNCHWATCH_BIN");
	char *log = xasprintf("%s/run.log", tui_workdir),
	     *url = xasprintf("http://127.0.0.1:%d", sim_port);
	char *for_s = xasprintf("%d", secs);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		setenv("MONGODB_URI", tui_db->uri, 1);
		setenv("LAUNCHWATCH_DB", "tuitest", 1);
		setenv("TWITTERAPI_KEY", "viewer-test-key", 1);
		setenv("TWITTERAPI_BASE_URL", url, 1);
		setenv("XDG_DATA_HOME", tui_workdir, 1);
		execl(bin, bin, "run", "--for", for_s, (char *)NULL);
		_exit(127);
	}
	free(log);
	free(url);
	free(for_s);
	return pid;
}

/* Returns the engagements entry seq of campaign id lists as strings
 * "user_id tweet_id action" (NULL when it is absent or lists none); caller
 * frees each and the array. */
static char **
entry_keys(struct store *st, const char *id, int64_t seq, size_t *n)
{
	struct change_entry e;
	char *cause = NULL;
	*n = 0;
	int rc = stc_get(st, id, seq, &e, &cause);
	ck_assert_msg(rc >= 0, "%s", cause);
	if (rc == 1)
		return NULL;
	struct prep_eng *ev;
	struct prep_slice *sv;
	size_t ne, ns;
	ck_assert_msg(
	    prep_items_decode(e.items, e.len, &ev, &ne, &sv, &ns, &cause) == 0, "%s", cause);
	char **k = ne ? xcalloc(ne, sizeof *k) : NULL;
	for (size_t i = 0; i < ne; i++) {
		k[(*n)++] = xasprintf("%s %s %s", ev[i].user_id, ev[i].tweet_id,
		    action_name((enum lw_action)ev[i].action));
		prep_eng_done(&ev[i]);
	}
	free(ev);
	free(sv);
	change_entry_done(&e);
	return k;
}

/* Returns true when every key of k[0..n) is among the engagers of answer j. */
static bool
engagers_hold(json_t *j, char **k, size_t n)
{
	json_t *el = json_object_get(j, "engagers"), *e;
	size_t found = 0, i;
	for (size_t x = 0; x < n; x++) {
		bool hit = false;
		json_array_foreach(el, i, e)
		{
			char *key =
			    xasprintf("%s %s %s", json_string_value(json_object_get(e, "user_id")),
			        json_string_value(json_object_get(e, "tweet_id")),
			        json_string_value(json_object_get(e, "action")));
			hit |= strcmp(key, k[x]) == 0;
			free(key);
		}
		found += hit;
	}
	return found == n;
}

/* What a console asked of the database in a span of time. */
struct asked {
	size_t log_reads;     /* finds on changes */
	size_t summary_reads; /* finds on aggregates */
	size_t small_reads;   /* campaigns, worker_state, alerts_sent, tweets */
	size_t other;         /* hello, getMore, endSessions, ... */
};

/* Checks every command of v[0..n): the prepared data and the raw events
 * are read by _id only, the raw engagements not at all, nothing is
 * written; counts them into *a. */
static void
check_reads(const struct wire_cmd *v, size_t n, struct asked *a)
{
	static const char *const by_id[] = {"changes", "aggregates", "metric_slices"};
	static const char *const small[] = {"campaigns", "worker_state", "alerts_sent", "tweets"};
	static const char *const writes[] = {
	    "insert", "update", "delete", "findAndModify", "createIndexes"};
	memset(a, 0, sizeof *a);
	for (size_t i = 0; i < n; i++) {
		const struct wire_cmd *c = &v[i];
		for (size_t k = 0; k < LW_ARRAY_LEN(writes); k++)
			ck_assert_msg(strcmp(c->name, writes[k]) != 0, "the viewer wrote: %s %s",
			    c->name, c->coll);
		ck_assert_msg(strcmp(c->coll, "engagements") != 0,
		    "the viewer read engagements: %s %s", c->name, c->filter);
		bool keyed = false, listed = false;
		for (size_t k = 0; k < LW_ARRAY_LEN(by_id); k++)
			keyed |= strcmp(c->coll, by_id[k]) == 0;
		for (size_t k = 0; k < LW_ARRAY_LEN(small); k++)
			listed |= strcmp(c->coll, small[k]) == 0;
		if (keyed) {
			ck_assert_msg(strcmp(c->name, "find") == 0 && c->id_only,
			    "not an _id lookup: %s %s %s", c->name, c->coll, c->filter);
			a->log_reads += strcmp(c->coll, "changes") == 0;
			a->summary_reads += strcmp(c->coll, "aggregates") == 0;
		} else if (listed) {
			ck_assert_msg(strcmp(c->name, "find") == 0, "%s %s", c->name, c->coll);
			a->small_reads++;
		} else {
			ck_assert_msg(c->coll[0] == '\0' || strcmp(c->name, "getMore") == 0,
			    "unexpected: %s %s %s", c->name, c->coll, c->filter);
			a->other++;
		}
	}
}

/* A console that runs no engine, beside `launchwatch run` following the
 * simulator: its first frame comes from the prepared summary, a new
 * entry's engagements reach its feed through the change log within a poll
 * (its JSON endpoint, built from the same model, shows which), and
 * every read of the prepared data is an _id lookup (the devdb answers
 * those from its index) while no raw engagement is read at all; at idle it
 * costs about one _id read per second. The database's commands are seen
 * on the wire, through a proxy in front of the devdb. */
START_TEST(test_viewer_follows_the_log)
{
	struct sim_opts so;
	sim_opts_init(&so);
	so.tweets = 2;
	so.rate = 60;
	char *cause = NULL;
	struct sim *sim = sim_start(&so, &cause);
	ck_assert_msg(sim != NULL, "%s", cause);
	struct store *st = NULL;
	ck_assert(store_open(tui_db->uri, "tuitest", &st, &cause) == 0);
	char start[32];
	timestr_format_time(clock_now_ms() / 1000 - 3600, start, sizeof start);
	char *yaml =
	    xasprintf("campaigns:\n  - name: Viewer launch\n"
	              "    window: {start: %s, duration: 1d}\n"
	              "    tweets: {main: [%s], influencer: [%s]}\n"
	              "    cadence: {metrics: 2s, retweets: 2s, replies: 2s, quotes: 2s}\n",
	        start, sim_tweet_id(sim, 0), sim_tweet_id(sim, 1));
	struct cfg_file *f = NULL;
	ck_assert_msg(config_load_string("t", yaml, strlen(yaml), &f, &cause) == 0, "%s", cause);
	free(yaml);
	struct store_upsert_result res;
	ck_assert(store_campaign_upsert(st, &f->campaigns[0], clock_now_ms(), &res, &cause) == 0);
	config_free(f);
	char vid[CAMPAIGN_ID_MAX];
	snprintf(vid, sizeof vid, "%s", res.id);
	pid_t run = start_run(sim_port(sim), 150);

	/* the engine prepared the campaign's aggregates */
	int64_t engagements = 0;
	for (int waited = 0; waited < 60000 && engagements == 0; waited += 200) {
		struct prep_summary sum;
		if (prep_read_summary(st, vid, &sum, NULL, &cause) == 0) {
			engagements = sum.engagements;
			prep_summary_done(&sum);
		}
		free(cause);
		cause = NULL;
		usleep(200 * 1000);
	}
	ck_assert_msg(engagements > 0, "no prepared summary with engagements after 60 s");

	/* the viewer: no engine of its own (its key file does not exist); its
	 * model also answers on the JSON endpoint, which shows exactly which
	 * engagements its feed holds */
	struct wire_proxy *px = wire_proxy_start(tui_db->port);
	char *uri = xasprintf("mongodb://127.0.0.1:%d/", wire_proxy_port(px));
	tui_uri = uri;
	int port = tui_free_port();
	snprintf(tui_args, sizeof tui_args, "--http 127.0.0.1:%d", port);
	int64_t t = clock_now_ms();
	tui_start_ui(140, 44, false, "TWITTERAPI_KEY_FILE=/nonexistent/launchwatch-key");
	char *s;
	int64_t first_frame = 0;
	for (int waited = 0; waited < TUI_WAIT_MS && first_frame == 0; waited += 20) {
		s = tui_screen();
		if (strstr(s, "[1/1] Viewer launch") && strstr(s, "accounts ") &&
		    strstr(s, "Engagers (live)") && !strstr(s, "no engagements yet") &&
		    !strstr(s, "loading..."))
			first_frame = clock_now_ms() - t;
		free(s);
		usleep(20 * 1000);
	}
	ck_assert_msg(first_frame > 0, "no complete first frame");
	free(tui_wait_screen("engine off", false));
	/* settle (the tweets table's series read on demand), then watch */
	sleep(3);
	struct wire_cmd *v;
	size_t n = wire_proxy_take(px, &v); /* what the start read: not counted */
	wire_cmds_free(v, n);
	int64_t mark = clock_now_ms();
	int64_t head = 0;
	ck_assert(stc_head(st, vid, 0, &head, &cause) == 0);
	/* the next entry with engagements the run writes reaches the feed */
	int64_t seen_at = 0, shown_ms = -1;
	char **k = NULL;
	size_t nk = 0;
	for (int waited = 0; waited < 60000 && nk == 0; waited += 20) {
		for (;;) {
			k = entry_keys(st, vid, head + 1, &nk);
			if (k == NULL && nk == 0)
				break; /* absent: not written yet */
			head++;
			if (nk > 0) {
				seen_at = clock_now_ms();
				break;
			}
		}
		if (nk == 0)
			usleep(20 * 1000);
	}
	ck_assert_msg(nk > 0, "the run wrote no new engagements in 60 s");
	char *epath = xasprintf("/api/campaigns/%s/engagers?limit=1000", vid);
	for (int waited = 0; waited < TUI_WAIT_MS && shown_ms < 0; waited += 50) {
		struct tui_resp r;
		tui_http(port, epath, NULL, NULL, &r);
		if (r.status == 200 && r.json && engagers_hold(r.json, k, nk))
			shown_ms = clock_now_ms() - seen_at;
		tui_resp_done(&r);
		usleep(50 * 1000);
	}
	free(epath);
	ck_assert_msg(
	    shown_ms >= 0, "entry %lld's engagements never reached the feed", (long long)head);
	/* one poll (a second), and the endpoint's snapshot (half a second) */
	ck_assert_msg(shown_ms < 3000, "the feed held them after %lld ms", (long long)shown_ms);
	for (size_t i = 0; i < nk; i++)
		free(k[i]);
	free(k);
	sleep(2);
	n = wire_proxy_take(px, &v);
	int64_t span = clock_now_ms() - mark;
	char *want = xasprintf(":%lld\"", (long long)head);
	int64_t read_ms = -1;
	for (size_t i = 0; i < n && read_ms < 0; i++)
		if (strcmp(v[i].coll, "changes") == 0 && strstr(v[i].filter, want))
			read_ms = v[i].at_ms - seen_at;
	free(want);

	struct asked busy, idle;
	check_reads(v, n, &busy);
	wire_cmds_free(v, n);
	ck_assert_uint_gt(busy.log_reads, 0);

	/* idle: the run stops, nothing new arrives */
	kill(run, SIGTERM);
	int status;
	ck_assert_int_eq(waitpid(run, &status, 0), run);
	sleep(3);
	n = wire_proxy_take(px, &v);
	wire_cmds_free(v, n);
	int64_t idle_mark = clock_now_ms();
	sleep(6);
	n = wire_proxy_take(px, &v);
	int64_t idle_span = clock_now_ms() - idle_mark;
	check_reads(v, n, &idle);
	wire_cmds_free(v, n);
	/* one campaign, read once per second: its log's next entry */
	double per_s = (double)idle.log_reads * 1000.0 / (double)idle_span;
	ck_assert_msg(per_s >= 0.5 && per_s <= 2.0, "%.1f log reads per second at idle", per_s);
	ck_assert_uint_le(idle.summary_reads, 2);
	if (getenv("LW_TUI_VERBOSE"))
		fprintf(stderr,
		    "viewer: first frame %lld ms after start; a new entry's engagements in the "
		    "feed "
		    "%lld ms after the entry (read by the console after %lld ms); while the run "
		    "wrote (%lld ms): %zu log, %zu summary, %zu small reads; idle (%lld ms): %zu "
		    "log, %zu summary, %zu small reads, %zu other commands\n",
		    (long long)first_frame, (long long)shown_ms, (long long)read_ms,
		    (long long)span, busy.log_reads, busy.summary_reads, busy.small_reads,
		    (long long)idle_span, idle.log_reads, idle.summary_reads, idle.small_reads,
		    idle.other);
	tui_keys("q");
	tui_expect("UI-EXITED 0");
	tui_teardown_tmux();
	wire_proxy_free(px);
	tui_uri = NULL;
	free(uri);
	store_free(st);
	sim_free(sim);
}
END_TEST

static void
setup_none(void)
{
}

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
	TCase *th = tcase_create("http");
	tcase_add_checked_fixture(th, tui_setup, tui_teardown);
	tcase_set_timeout(th, 120);
	tcase_add_test(th, test_http_matches_database);
	tcase_add_test(th, test_http_token);
	suite_add_tcase(s, th);
	TCase *tv = tcase_create("viewer");
	tcase_add_checked_fixture(tv, tui_setup_empty, tui_teardown);
	tcase_set_timeout(tv, 240);
	tcase_add_test(tv, test_viewer_follows_the_log);
	suite_add_tcase(s, tv);
	TCase *pure = tcase_create("http-model");
	tcase_add_checked_fixture(pure, setup_none, setup_none);
	tcase_add_test(pure, test_http_addr_parse);
	suite_add_tcase(s, pure);
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
