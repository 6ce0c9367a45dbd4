/*
 * The console's exports (tests/support/tui_support.c runs the real binary
 * in tmux): x on the engagers feed writes every stored engagement of the
 * campaign, streamed from the database by the reader (not the feed's
 * newest rows), with a reply's text that a spreadsheet would run as a
 * formula written as guarded text. Also the feed's column titles and its
 * two orders (engagement time, r: arrival).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "engine/prep_io.h"
#include "model/event.h"
#include "seed_support.h"
#include "store/store.h"
#include "testutil.h"
#include "tui_support.h"

#define EXTRA 300 /* beyond the 12 seeded: more than the feed and its first screen hold */

/* Adds EXTRA replies to the seeded campaign, the last one's text a formula,
 * and prepares its aggregates again. */
static void
seed_more(void)
{
	struct store *s = NULL;
	char *cause = NULL;
	ck_assert(store_open(tui_db->uri, "tuitest", &s, &cause) == 0);
	struct lw_engagement *e = xcalloc(EXTRA, sizeof *e);
	for (int i = 0; i < EXTRA; i++) {
		snprintf(e[i].campaign_id, sizeof e[i].campaign_id, "%s", tui_cid);
		snprintf(e[i].tweet_id, sizeof e[i].tweet_id, "%s", tui_tids[0]);
		e[i].action = ACT_REPLY;
		snprintf(e[i].user.id, sizeof e[i].user.id, "%d", 90000 + i);
		e[i].user.handle = xasprintf("bulk%03d", i);
		e[i].user.name = xasprintf("Bulk %d", i);
		e[i].user.bio = xstrdup("");
		e[i].user.followers = 10 + i;
		e[i].bucket = BK_OTHER;
		e[i].importance = 10;
		e[i].text = xstrdup(i == EXTRA - 1 ? "=cmd|' /C calc'!A0" : "nice");
		e[i].first_seen_at_ms = tui_t0 + 7200000LL + i * 1000LL;
	}
	ck_assert_msg(seed_engagements(s, e, EXTRA, &cause) == 0, "%s", cause);
	for (int i = 0; i < EXTRA; i++)
		lw_engagement_done(&e[i]);
	free(e);
	ck_assert_msg(prep_rebuild(s, tui_cid, NULL, NULL, &cause) == 0, "%s", cause);
	store_free(s);
}

START_TEST(test_feed_export_every_row_guarded)
{
	seed_more();
	tui_start_ui(120, 40, true, NULL);
	tui_expect("accounts 312");
	tui_keys("x"); /* the feed has the focus */
	char *want = xasprintf("exported %d engagements to ", 12 + EXTRA);
	free(tui_wait_screen(want, false));
	free(want);
	char *cmd = xasprintf(
	    "test $(cat %s/launchwatch-*-engagers-*.csv | wc -l) -eq %d", tui_workdir, 13 + EXTRA);
	ck_assert_int_eq(system(cmd), 0); /* a header and every row */
	free(cmd);
	/* the formula is text for a spreadsheet; the hostile name is plain */
	cmd = xasprintf("grep -qF '\"'\"'\"'=cmd|'\"'\"' /C calc'\"'\"'!A0\"' "
	                "%s/launchwatch-*-engagers-*.csv",
	    tui_workdir);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	cmd =
	    xasprintf("grep -q \"$(printf '\\033')\" %s/launchwatch-*-engagers-*.csv", tui_workdir);
	ck_assert_int_ne(system(cmd), 0);
	free(cmd);
	tui_keys("q");
	tui_expect("UI-EXITED 0");
}
END_TEST

/* The feed under column titles, by when people engaged; r orders it by
 * arrival: an engagement stored last but made hours ago moves to the top. */
START_TEST(test_feed_order_and_titles)
{
	struct store *s = NULL;
	char *cause = NULL;
	ck_assert(store_open(tui_db->uri, "tuitest", &s, &cause) == 0);
	struct lw_engagement e;
	memset(&e, 0, sizeof e);
	snprintf(e.campaign_id, sizeof e.campaign_id, "%s", tui_cid);
	snprintf(e.tweet_id, sizeof e.tweet_id, "%s", tui_tids[1]);
	e.action = ACT_QUOTE;
	snprintf(e.user.id, sizeof e.user.id, "88888");
	e.user.handle = xstrdup("latecomer");
	e.user.name = xstrdup("Late Comer");
	e.user.bio = xstrdup("");
	e.bucket = BK_OTHER;
	e.importance = 20;
	e.text = xstrdup("found it late");
	e.created_at_ms = tui_t0 + 60000;            /* engaged near the start */
	e.first_seen_at_ms = clock_now_ms() + 60000; /* stored after everyone */
	ck_assert_msg(seed_engagements(s, &e, 1, &cause) == 0, "%s", cause);
	lw_engagement_done(&e);
	ck_assert_msg(prep_rebuild(s, tui_cid, NULL, NULL, &cause) == 0, "%s", cause);
	store_free(s);

	tui_start_ui(140, 44, true, NULL);
	tui_expect("accounts 13");
	char *sc = tui_wait_screen("@acct11", false);
	ck_assert_ptr_nonnull(strstr(sc, "engaged  act   account"));
	ck_assert_ptr_nonnull(strstr(sc, "name: reply or quote text"));
	/* by engagement time the newest engagement (acct11) leads */
	const char *first = strstr(sc, "@acct11"), *late = strstr(sc, "@latecomer");
	ck_assert(first != NULL && (late == NULL || first < late));
	free(sc);
	tui_keys("r");
	sc = tui_wait_screen("Engagers (live) by arrival (r)", false);
	ck_assert_ptr_nonnull(strstr(sc, "stored   act   account"));
	first = strstr(sc, "@latecomer");
	const char *eleven = strstr(sc, "@acct11");
	ck_assert_msg(first != NULL && eleven != NULL && first < eleven, "%s", sc);
	free(sc);
	tui_keys("r");
	tui_expect("feed by engagement time");
	tui_keys("q");
	tui_expect("UI-EXITED 0");
}
END_TEST

static Suite *
export_suite(void)
{
	Suite *s = suite_create("tui_export");
	TCase *tc = tcase_create("export");
	tcase_add_checked_fixture(tc, tui_setup, tui_teardown);
	tcase_set_timeout(tc, 150);
	tcase_add_test(tc, test_feed_export_every_row_guarded);
	tcase_add_test(tc, test_feed_order_and_titles);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tui_run(export_suite());
}
