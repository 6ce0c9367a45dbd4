/*
 * The campaign settings form in the real console (tests/support/
 * tui_support.c runs the binary in tmux against a devdb seeded with "Acme
 * launch", 12.3k views of which 10k on its main tweet): E opens the
 * settings; a bad value gives the loader's reason naming its key and
 * changes nothing stored; a CPM benchmark and a spend set in the form show
 * at once in the Tweets pane and the overview and end in the close-out's
 * CPM line (no "effective CPM $0.00"); a literal secret is refused and
 * never stored, an env: reference is kept.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timestr.h"
#include "base/util.h"
#include "model/campaign.h"
#include "seed_support.h"
#include "testutil.h"
#include "store/store.h"
#include "store/store_ingest.h"
#include "tui_support.h"

/* Reads the stored settings of the seeded campaign into *c. */
static void
stored(struct store *st, struct campaign *c)
{
	char *cause = NULL;
	ck_assert_msg(store_campaign_get(st, tui_cid, c, &cause) == 0, "%s", cause);
}

START_TEST(test_settings_form_cpm_to_closeout)
{
	char *extra = xasprintf(
	    "LAUNCHWATCH_ARCHIVE_DIR='%s/archives' TWITTERAPI_BASE_URL=http://127.0.0.1:9",
	    tui_workdir);
	tui_start_ui(120, 40, true, extra);
	free(extra);
	tui_expect("views 12.3k");
	tui_expect("(no CPM benchmark or spend set: E)");
	struct store *st = NULL;
	char *cause = NULL;
	ck_assert(store_open(tui_db->uri, "tuitest", &st, &cause) == 0);
	struct campaign c;

	/* a bad value: the loader's reason, naming the key; nothing stored */
	tui_keys("E");
	tui_expect("Campaign settings");
	tui_type("ten"); /* the first field: the main tweets' CPM benchmark */
	tui_keys("C-s");
	tui_expect("cpm.benchmark_usd.main must be a non-negative number, got 'ten'");
	stored(st, &c);
	ck_assert(!c.cfg.cpm.has_benchmark[CAT_MAIN]);
	campaign_done(&c);

	/* a literal webhook is refused; the reason does not repeat it */
	tui_keys("C-u");
	tui_type("10");
	for (int i = 0; i < 17; i++) /* down to the Slack webhook */
		tui_keys("Down");
	tui_type("https://hooks.slack.com/services/T0/B0/XYZSECRET");
	tui_keys("C-s");
	char *s = tui_wait_screen("not a literal secret", false);
	ck_assert(strstr(strstr(s, "alerts.slack_webhook"), "XYZSECRET") == NULL);
	free(s);
	stored(st, &c);
	ck_assert_str_eq(c.cfg.alerts.slack_webhook_ref, "");
	campaign_done(&c);

	/* a reference instead, and spend on the main tweets: saved */
	tui_keys("C-u");
	tui_type("env:LW_TEST_SLACK_URL");
	for (int i = 0; i < 14; i++) /* up to the main tweets' spend */
		tui_keys("Up");
	tui_type("50");
	tui_keys("C-s");
	tui_expect("settings of \"Acme launch\" saved");
	stored(st, &c);
	ck_assert(c.cfg.cpm.has_benchmark[CAT_MAIN]);
	ck_assert_double_eq(c.cfg.cpm.benchmark_usd[CAT_MAIN], 10);
	ck_assert(c.cfg.cpm.has_spend[CAT_MAIN]);
	ck_assert_double_eq(c.cfg.cpm.spend_usd[CAT_MAIN], 50);
	ck_assert_str_eq(c.cfg.alerts.slack_webhook_ref, "env:LW_TEST_SLACK_URL");
	campaign_done(&c);

	/* at once in the panes that show it: Tweets and the overview */
	free(tui_wait_screen(
	    "CPM so far: paid equivalent $100.00, spend $50.00, savings $50.00", false));
	tui_keys("o");
	s = tui_wait_screen("savings", false);
	if (strstr(s, "12.3k       $50") == NULL)
		fprintf(stderr, "%s", s);
	ck_assert_msg(
	    strstr(s, "12.3k       $50"), "no savings in the overview (screen on stderr)");
	free(s);
	tui_keys("o");

	/* the close-out freezes the CPM the form set over the tweets' views:
	 * their baselines as the metrics job leaves them after the seed's
	 * slices (the report reads the tweets documents) */
	ck_assert_msg(seed_log_stored(st, tui_cid, &cause) == 0, "%s", cause);
	static const int64_t views[3] = {10000, 2000, 345};
	struct sti_baseline_set b[3];
	for (int i = 0; i < 3; i++)
		b[i] = (struct sti_baseline_set){.campaign_id = tui_cid,
		    .tweet_id = tui_tids[i],
		    .m = {100 + i, 10, 5, 1, views[i], 0},
		    .seq = 1,
		    .first = true};
	ck_assert_msg(sti_baselines_set(st, b, 3, clock_now_ms(), &cause) == 0, "%s", cause);
	tui_keys("c");
	tui_expect("Close out \"Acme launch\" now?");
	tui_keys("y");
	s = tui_wait_screen_ms("[x] audit archive and reports", false, 60000);
	free(s);
	s = tui_wait_screen("CPM: paid equivalent $100.00, spend $50.00, savings $50.00, "
	                    "effective CPM $4.05",
	    false);
	ck_assert(strstr(s, "effective CPM $0.00") == NULL);
	free(s);
	/* a completed campaign's settings are frozen */
	tui_keys("Escape");
	tui_expect(" completed  report frozen");
	tui_keys("E");
	tui_expect("its report is frozen");
	store_free(st);
	tui_keys("q");
	tui_expect("UI-EXITED 0");
}
END_TEST

static Suite *
forms_suite(void)
{
	Suite *s = suite_create("tui_forms");
	TCase *tc = tcase_create("settings");
	tcase_add_checked_fixture(tc, tui_setup, tui_teardown);
	tcase_set_timeout(tc, 150);
	tcase_add_test(tc, test_settings_form_cpm_to_closeout);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tui_run(forms_suite());
}
