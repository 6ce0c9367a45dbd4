/*
 * Tests of what the console remembers between runs (console/prefs.h): the
 * file's parsing (unknown keys and unsafe values ignored), its round trip
 * through $XDG_CONFIG_HOME written atomically, and the campaign the console
 * opens at start (ui_pick_campaign): the one viewed last while it is open,
 * else the open campaign with the newest stored engagement, never before
 * the campaigns' summaries arrived (or the wait ran out), and never over
 * the user's own choice.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "console/dispatch.h"
#include "console/prefs.h"
#include "console/ui_state.h"
#include "model/agg.h"
#include "model/campaign.h"

START_TEST(test_parse_and_format)
{
	static const char text[] = "# comment\ntheme=light\r\nunknown=1\ncampaign=acme-launch-"
	                           "0badf00d\nbroken line\n";
	struct prefs p;
	prefs_parse(&p, text, strlen(text));
	ck_assert_str_eq(p.theme, "light");
	ck_assert_str_eq(p.campaign, "acme-launch-0badf00d");
	/* values that are not plain names are dropped, not passed on */
	static const char bad[] = "theme=../../etc/passwd\ncampaign=a b\ntheme=\x1b[31m\n";
	prefs_parse(&p, bad, strlen(bad));
	ck_assert_str_eq(p.theme, "");
	ck_assert_str_eq(p.campaign, "");
	/* a value as long as its field is refused rather than cut */
	char longv[80];
	memset(longv, 'a', sizeof longv);
	char *t = xasprintf("campaign=%.*s\n", 64, longv);
	prefs_parse(&p, t, strlen(t));
	ck_assert_str_eq(p.campaign, "");
	free(t);
	/* the round trip */
	struct prefs q = {
	    .theme = "mono", .campaign = "demo-launch-simulated-7cc7fa9c", .chart = "15-min"};
	char *f = prefs_format(&q);
	prefs_parse(&p, f, strlen(f));
	ck_assert_str_eq(p.theme, "mono");
	ck_assert_str_eq(p.chart, "15-min");
	enum res res = RES_AUTO;
	ck_assert(res_parse(p.chart, &res));
	ck_assert_int_eq(res, RES_15M);
	ck_assert(!res_parse("2-min", &res));
	ck_assert(!res_parse(NULL, &res));
	ck_assert_str_eq(p.campaign, q.campaign);
	free(f);
}
END_TEST

START_TEST(test_save_load_xdg)
{
	char dir[] = "/tmp/lw-prefs-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	setenv("XDG_CONFIG_HOME", dir, 1);
	struct prefs p;
	prefs_load(&p); /* absent: empty */
	ck_assert_str_eq(p.theme, "");
	struct prefs q = {.theme = "light", .campaign = "acme-1"};
	char *cause = NULL;
	ck_assert_msg(prefs_save(&q, &cause) == 0, "%s", cause);
	char *path = prefs_path(), *xdg_path = xasprintf("%s/launchwatch/console.conf", dir);
	ck_assert_str_eq(path, xdg_path); /* the XDG place */
	free(xdg_path);
	prefs_load(&p);
	ck_assert_str_eq(p.theme, "light");
	ck_assert_str_eq(p.campaign, "acme-1");
	/* written by rename: no temporary file is left beside it */
	char *cmd = xasprintf("test $(ls -A '%s/launchwatch' | wc -l) -eq 1", dir);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	/* without XDG_CONFIG_HOME it is ~/.config */
	unsetenv("XDG_CONFIG_HOME");
	setenv("HOME", dir, 1);
	char *home_path = prefs_path();
	char *want = xasprintf("%s/.config/launchwatch/console.conf", dir);
	ck_assert_str_eq(home_path, want);
	free(want);
	free(home_path);
	cmd = xasprintf("rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	free(path);
}
END_TEST

/* Adds campaign id (status st) to a with one feed row stored at seen_ms
 * (none when 0), its summary applied or not. */
static void
add_campaign(struct agg *a, const char *id, enum campaign_status st, int64_t seen_ms, bool ready)
{
	struct campaign c;
	memset(&c, 0, sizeof c);
	snprintf(c.id, sizeof c.id, "%s", id);
	c.status = st;
	c.cfg.name = (char *)id;
	agg_set_campaign(a, &c);
	struct agg_campaign *ac = agg_campaign(a, id);
	if (seen_ms > 0) {
		struct prep_eng e;
		memset(&e, 0, sizeof e);
		snprintf(e.tweet_id, sizeof e.tweet_id, "1");
		snprintf(e.user_id, sizeof e.user_id, "2");
		e.at_ms = e.first_seen_at_ms = seen_ms;
		e.handle = e.name = e.snippet = (char *)"";
		agg_feed_add(a, id, &e, 1);
	}
	ac->prep = ready ? AGG_PREP_READY : AGG_PREP_LOADING;
}

START_TEST(test_pick_live_campaign)
{
	struct agg *a = agg_new();
	add_campaign(a, "dead-demo", CS_COMPLETED, 9000, true); /* newest, but completed */
	add_campaign(a, "quiet", CS_ACTIVE, 1000, true);
	add_campaign(a, "live", CS_ACTIVE, 5000, false);
	struct ui u;
	ui_init(&u, a);
	u.pick_pending = true;
	u.now_ms = 100000;
	ui_pick_campaign(&u); /* "live" has no summary yet: wait */
	ck_assert(u.pick_pending);
	ck_assert_uint_eq(u.cur, 0);
	agg_campaign(a, "live")->prep = AGG_PREP_READY;
	ui_pick_campaign(&u);
	ck_assert(!u.pick_pending);
	ck_assert_str_eq(ui_campaign(&u)->id, "live");
	ui_done(&u);

	/* the one viewed last wins while it is open; a summary that never
	 * comes stops the wait after UI_PICK_WAIT_MS */
	ui_init(&u, a);
	agg_campaign(a, "live")->prep = AGG_PREP_LOADING;
	u.pick_pending = true;
	snprintf(u.pick_cid, sizeof u.pick_cid, "quiet");
	u.now_ms = 100000;
	ui_pick_campaign(&u);
	ck_assert(u.pick_pending);
	u.now_ms += UI_PICK_WAIT_MS;
	ui_pick_campaign(&u);
	ck_assert_str_eq(ui_campaign(&u)->id, "quiet");
	ui_done(&u);

	/* a remembered campaign that was completed since: the live one */
	ui_init(&u, a);
	agg_campaign(a, "live")->prep = AGG_PREP_READY;
	u.pick_pending = true;
	snprintf(u.pick_cid, sizeof u.pick_cid, "dead-demo");
	ui_pick_campaign(&u);
	ck_assert_str_eq(ui_campaign(&u)->id, "live");
	ui_done(&u);

	/* the user's choice before the pick stands */
	ui_init(&u, a);
	agg_campaign(a, "live")->prep = AGG_PREP_LOADING;
	u.pick_pending = true;
	u.now_ms = 100000;
	dispatch_key(&u, '2');
	agg_campaign(a, "live")->prep = AGG_PREP_READY;
	ui_pick_campaign(&u);
	ck_assert_str_eq(ui_campaign(&u)->id, "quiet");
	ui_done(&u);
	agg_free(a);
}
END_TEST

static Suite *
prefs_suite(void)
{
	Suite *s = suite_create("prefs");
	TCase *tc = tcase_create("prefs");
	tcase_add_test(tc, test_parse_and_format);
	tcase_add_test(tc, test_save_load_xdg);
	tcase_add_test(tc, test_pick_live_campaign);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(prefs_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
