/*
 * The likely-farmed share in the real console (tests/support/tui_support.c
 * runs the binary in tmux against a devdb): a campaign of ten accounts, four
 * of them farmed by their static rules (new, default avatar, template bio),
 * prepared as `campaign rebuild` does. The pie's title shows the share (40 %)
 * and the tweets pane a "farmed" column; f leaves the four out of the pie
 * (other drops from 7 to 3) and says so, f again counts them in; the JSON
 * endpoint's aggregates carry the same counts; a farmed account's profile
 * names its rules and weights.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/timestr.h"
#include "base/util.h"
#include "config/config.h"
#include "engine/prep_io.h"
#include "model/farm.h"
#include "seed_support.h"
#include "store/store.h"
#include "testutil.h"
#include "tui_support.h"

static char farm_cid[CAMPAIGN_ID_MAX]; /* the seeded campaign */

/* Seeds "Farm launch": 3 investors and 7 others, 4 of the others farmed. */
static void
seed_farm(void)
{
	struct store *s = NULL;
	char *cause = NULL;
	ck_assert_msg(store_open(tui_db->uri, "tuitest", &s, &cause) == 0, "%s", cause);
	int64_t t0 = clock_now_ms() - 3 * 3600 * 1000LL;
	char start[32];
	timestr_format_time(t0 / 1000, start, sizeof start);
	char *yaml = xasprintf("campaigns:\n  - name: Farm launch\n"
	                       "    window: {start: %s, duration: 7d}\n"
	                       "    tweets: {main: [1861111111111111111]}\n"
	                       "    farm: {threshold: 60}\n",
	    start);
	struct cfg_file *f = NULL;
	ck_assert_msg(config_load_string("t", yaml, strlen(yaml), &f, &cause) == 0, "%s", cause);
	free(yaml);
	struct store_upsert_result res;
	ck_assert(store_campaign_upsert(s, &f->campaigns[0], clock_now_ms(), &res, &cause) == 0);
	snprintf(farm_cid, sizeof farm_cid, "%s", res.id);
	config_free(f);
	struct lw_engagement e[10];
	uint16_t farmed =
	    (1u << FR_NEW_ACCOUNT) | (1u << FR_DEFAULT_AVATAR) | (1u << FR_TEMPLATE_BIO);
	for (int i = 0; i < 10; i++) {
		memset(&e[i], 0, sizeof e[i]);
		snprintf(e[i].campaign_id, sizeof e[i].campaign_id, "%s", res.id);
		snprintf(e[i].tweet_id, sizeof e[i].tweet_id, "1861111111111111111");
		e[i].category = CAT_MAIN;
		e[i].action = ACT_RETWEET;
		snprintf(e[i].user.id, sizeof e[i].user.id, "%d", 8000 + i);
		e[i].user.handle = xasprintf("farm%02d", i);
		e[i].user.name = xasprintf("Account %d", i);
		e[i].user.bio = xstrdup(i < 3 ? "GP at a fund" : "just a bio");
		e[i].user.followers = 100;
		e[i].bucket = i < 3 ? BK_INVESTOR : BK_OTHER;
		e[i].importance = 40 + i;
		e[i].has_farm = true;
		e[i].farm_reasons = i >= 6 ? farmed : 0;
		e[i].first_seen_at_ms = t0 + i * 60000LL;
	}
	ck_assert_msg(seed_engagements(s, e, 10, &cause) == 0, "%s", cause);
	for (int i = 0; i < 10; i++)
		lw_engagement_done(&e[i]);
	ck_assert_msg(prep_rebuild(s, res.id, NULL, NULL, &cause) == 0, "%s", cause);
	store_free(s);
}

/* A devdb with the farm campaign only. */
static void
setup_farm(void)
{
	tui_setup_empty();
	seed_farm();
}

START_TEST(test_farm_share_and_toggle)
{
	int port = tui_free_port();
	snprintf(tui_args, sizeof tui_args, "--http 127.0.0.1:%d", port);
	tui_start_ui(140, 44, false, NULL);
	tui_expect("40% likely farmed");
	char *scr = tui_wait_screen("farmed", false);
	ck_assert_ptr_nonnull(strstr(scr, "40%")); /* the tweets pane's column */
	free(scr);
	tui_expect("7  70.0%"); /* other: 7 of 10 accounts */
	/* f: the four farmed accounts leave the pie */
	tui_keys("f");
	tui_expect("4 likely farmed left out");
	tui_expect("likely farmed (score >= 60) left out of the pie and CPM");
	tui_expect("3  50.0%"); /* other: 3 of 6 accounts left */
	/* f again: counted in */
	tui_keys("f");
	tui_expect("40% likely farmed");
	tui_expect("counted in the pie and CPM");
	tui_expect("7  70.0%");
	/* the JSON endpoint: the same counts */
	char *path = xasprintf("/api/campaigns/%s/aggregates", farm_cid);
	struct tui_resp r;
	json_t *lf = NULL;
	for (int waited = 0; waited < TUI_WAIT_MS && lf == NULL; waited += 200) {
		tui_http(port, path, NULL, NULL, &r);
		lf = r.json ? json_incref(json_object_get(r.json, "likely_farmed")) : NULL;
		if (lf == NULL) {
			tui_resp_done(&r);
			usleep(200 * 1000);
		}
	}
	ck_assert_msg(lf != NULL, "no likely_farmed in %s", path);
	ck_assert_int_eq(json_integer_value(json_object_get(lf, "total")), 4);
	ck_assert_int_eq(json_integer_value(json_object_get(lf, "threshold")), 60);
	ck_assert_int_eq(
	    json_integer_value(json_object_get(json_object_get(lf, "by_bucket"), "other")), 4);
	json_t *t0 = json_array_get(json_object_get(r.json, "tweets"), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(t0, "likely_farmed")), 4);
	json_decref(lf);
	tui_resp_done(&r);
	free(path);
	/* the newest row's profile (farm09) names its rules */
	tui_keys("Enter");
	tui_expect("Profile (Esc back)");
	tui_expect("farm score 70 = new_account +25, default_avatar +20, template_bio +25: "
	           "likely farmed");
	tui_keys("Escape");
	free(tui_wait_screen("Profile (Esc back)", true));
	/* the help lists the key */
	tui_keys("?");
	tui_expect("likely farmed: leave out of / count in the pie and CPM");
}
END_TEST

static Suite *
farm_suite(void)
{
	Suite *s = suite_create("tui_farm");
	TCase *tc = tcase_create("farm");
	tcase_add_checked_fixture(tc, setup_farm, tui_teardown);
	tcase_set_timeout(tc, 150);
	tcase_add_test(tc, test_farm_share_and_toggle);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tui_run(farm_suite());
}
