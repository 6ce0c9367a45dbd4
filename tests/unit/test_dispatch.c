/*
 * Tests of the console's dispatch without a terminal or a database: keys go
 * to the open dialog, else close the help, else reach the key table, and
 * come back as reactions (quit, theme, redraw) instead of calls into the
 * loop; what a finished dialog asks for lands on struct ui (a queued
 * command, the close-out screen, the filter, a message); queued commands
 * without a reader say so; what a reader published reaches the model and
 * struct ui exactly once (ownership moves, nothing is freed twice); a
 * scrolled feed holds its row as the change log's records arrive; a
 * profile opens loading and takes only its own answer.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "config/config.h"
#include "console/dispatch.h"
#include "console/draw.h"
#include "console/keys.h"
#include "console/pane.h"
#include "console/ui_state.h"
#include "engine/reader.h"
#include "model/agg.h"
#include "model/campaign.h"

#define CID "launch-0001"

/* Loads a one-campaign file with main tweets 1861111111111111100 and ...101
 * (caller frees). */
static struct cfg_file *
load_file(void)
{
	static const char y[] = "campaigns:\n  - name: Launch\n    window: {start: "
	                        "2026-12-01T14:00:00Z, duration: 7d}\n    tweets:\n      main: "
	                        "[\"1861111111111111100\", \"1861111111111111101\"]\n";
	struct cfg_file *f = NULL;
	char *cause = NULL;
	ck_assert_msg(config_load_string("t", y, strlen(y), &f, &cause) == 0, "%s", cause);
	return f;
}

/* Applies campaign CID (status st) to a. */
static void
set_campaign(struct agg *a, enum campaign_status st)
{
	struct cfg_file *f = load_file();
	struct campaign c;
	memset(&c, 0, sizeof c);
	snprintf(c.id, sizeof c.id, "%s", CID);
	c.status = st;
	c.cfg = f->campaigns[0]; /* borrowed for the call */
	agg_set_campaign(a, &c);
	config_free(f);
}

/* Sends each character of s as a key. */
static void
type(struct ui *u, const char *s)
{
	for (; *s; s++)
		dispatch_key(u, (unsigned char)*s);
}

START_TEST(test_reactions)
{
	struct agg *a = agg_new();
	set_campaign(a, CS_ACTIVE);
	struct ui u;
	ui_init(&u, a);
	/* quitting is a reaction, not a flag the loop has to look for */
	unsigned r = dispatch_key(&u, 'q');
	ck_assert(r & KR_QUIT);
	ck_assert(r & KR_HANDLED);
	/* an unbound character says so; the next bound key clears it */
	r = dispatch_key(&u, 'Z');
	ck_assert(!(r & (KR_HANDLED | KR_QUIT)));
	ck_assert_ptr_nonnull(strstr(u.message, "key 'Z' does nothing here"));
	r = dispatch_key(&u, 'm');
	ck_assert(r & KR_REDRAW);
	ck_assert_str_eq(u.message, "");
	/* a new theme is the loop's to apply; its message stays */
	r = dispatch_key(&u, 't');
	ck_assert(r & KR_THEME);
	ck_assert_str_eq(u.theme_name, "light");
	ck_assert_str_eq(u.message, "theme: light");
	/* the help takes the next key and only closes */
	dispatch_key(&u, '?');
	ck_assert(u.help);
	r = dispatch_key(&u, 'q');
	ck_assert(!u.help);
	ck_assert(!(r & KR_QUIT));
	ck_assert(r & KR_REDRAW);
	ui_done(&u);
	agg_free(a);
}
END_TEST

START_TEST(test_confirm_close_queues_and_follows)
{
	struct agg *a = agg_new();
	set_campaign(a, CS_ACTIVE);
	struct ui u;
	ui_init(&u, a);
	dispatch_key(&u, 'c');
	ck_assert_ptr_nonnull(u.dialog);
	ck_assert_ptr_null(u.cmds); /* nothing before the answer */
	dispatch_key(&u, 'y');
	ck_assert_ptr_null(u.dialog);
	ck_assert_ptr_nonnull(u.cmds);
	ck_assert_int_eq(u.cmds->cmd, READER_CLOSE);
	ck_assert_str_eq(u.cmds->cid, CID);
	ck_assert_ptr_null(u.cmds->next);
	ck_assert_int_eq(u.screen, S_CLOSEOUT);
	ck_assert_str_eq(u.closeout_cid, CID);
	/* without a reader the command is dropped with a reason */
	dispatch_commands(&u, NULL);
	ck_assert_ptr_null(u.cmds);
	ck_assert_str_eq(u.message, "no database connection");
	/* Esc leaves the close-out screen; n answers no */
	dispatch_key(&u, KEY_CODE_ESC);
	ck_assert_int_eq(u.screen, S_CAMPAIGN);
	dispatch_key(&u, 'c');
	dispatch_key(&u, 'n');
	ck_assert_ptr_null(u.dialog);
	ck_assert_ptr_null(u.cmds);
	ck_assert_int_eq(u.screen, S_CAMPAIGN);
	ui_done(&u);
	agg_free(a);
}
END_TEST

START_TEST(test_pause_and_add_queue_in_order)
{
	struct agg *a = agg_new();
	set_campaign(a, CS_PAUSED);
	struct ui u;
	ui_init(&u, a);
	ui_message(&u, "before");
	unsigned r = dispatch_key(&u, 'p');
	ck_assert(r & KR_KEEP_MESSAGE);
	ck_assert_str_eq(u.message, "before");
	/* the add form: name, then Tab to the main links, Ctrl-S saves */
	dispatch_key(&u, 'a');
	type(&u, "Second launch");
	for (int i = 0; i < 4; i++)
		dispatch_key(&u, KEY_CODE_TAB);
	type(&u, "https://x.com/acme/status/1861111111111111999");
	dispatch_key(&u, 19);
	ck_assert_ptr_null(u.dialog);
	ck_assert_str_eq(u.message, "adding campaign \"Second launch\"...");
	struct ui_cmd *c = u.cmds;
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->cmd, READER_RESUME); /* it was paused */
	ck_assert_str_eq(c->cid, CID);
	ck_assert_ptr_null(c->f);
	c = c->next;
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->cmd, READER_UPSERT);
	ck_assert_str_eq(c->cid, "");
	ck_assert_ptr_nonnull(c->f);
	ck_assert_str_eq(c->f->campaigns[0].name, "Second launch");
	ck_assert_str_eq(c->f->campaigns[0].tweets[0].id, "1861111111111111999");
	ck_assert_ptr_null(c->next);
	ui_done(&u); /* frees the queued file */
	agg_free(a);
}
END_TEST

START_TEST(test_filter_prompt)
{
	struct agg *a = agg_new();
	set_campaign(a, CS_ACTIVE);
	struct ui u;
	ui_init(&u, a);
	u.feed_off = 5;
	dispatch_key(&u, '/');
	type(&u, "bucket=nobody");
	dispatch_key(&u, KEY_CODE_ENTER);
	ck_assert_ptr_nonnull(u.dialog); /* a bad filter keeps the prompt open */
	ck_assert_uint_eq(u.filter.buckets, 0);
	dispatch_key(&u, 21); /* Ctrl-U clears the field */
	type(&u, "bucket=investor min=50");
	dispatch_key(&u, KEY_CODE_ENTER);
	ck_assert_ptr_null(u.dialog);
	ck_assert_uint_eq(u.filter.buckets, 1u << BK_INVESTOR);
	ck_assert_int_eq(u.filter.min_importance, 50);
	ck_assert_str_eq(u.filter_text, "bucket=investor min=50");
	ck_assert_uint_eq(u.feed_off, 0);
	ck_assert_ptr_null(u.cmds);
	ui_done(&u);
	agg_free(a);
}
END_TEST

/* Enter on a tweet drills into it: the feed keeps that tweet's engagers
 * (tweet= in the filter, also typed by hand), the chart shows that tweet;
 * Esc returns to every tweet. */
START_TEST(test_tweet_drill_down)
{
	struct agg *a = agg_new();
	set_campaign(a, CS_ACTIVE);
	struct ui u;
	ui_init(&u, a);
	ck_assert_uint_eq(ui_campaign(&u)->ntweets, 2);
	u.focus = P_TWEETS;
	u.tweets_sel = 1;
	u.feed_off = 3;
	dispatch_key(&u, KEY_CODE_ENTER);
	ck_assert(u.drill);
	ck_assert_str_eq(u.filter.tweet_id, "1861111111111111101");
	ck_assert_str_eq(u.filter_text, "tweet=1861111111111111101");
	ck_assert_int_eq(u.scope, 4 + 1);
	ck_assert_uint_eq(u.feed_off, 0);
	struct prep_eng e;
	memset(&e, 0, sizeof e);
	snprintf(e.tweet_id, sizeof e.tweet_id, "1861111111111111100");
	ck_assert(!agg_filter_match(&u.filter, &e));
	snprintf(e.tweet_id, sizeof e.tweet_id, "1861111111111111101");
	ck_assert(agg_filter_match(&u.filter, &e));
	dispatch_key(&u, KEY_CODE_ESC);
	ck_assert(!u.drill);
	ck_assert_str_eq(u.filter.tweet_id, "");
	ck_assert_str_eq(u.filter_text, "");
	ck_assert_int_eq(u.scope, SCOPE_ALL);
	/* typed by hand: an id, and a word that is none */
	dispatch_key(&u, '/');
	type(&u, "tweet=abc");
	dispatch_key(&u, KEY_CODE_ENTER);
	ck_assert_ptr_nonnull(u.dialog);
	dispatch_key(&u, 21);
	type(&u, "tweet=1861111111111111100 bucket=investor");
	dispatch_key(&u, KEY_CODE_ENTER);
	ck_assert_ptr_null(u.dialog);
	ck_assert_str_eq(u.filter.tweet_id, "1861111111111111100");
	ck_assert_uint_eq(u.filter.buckets, 1u << BK_INVESTOR);
	ui_done(&u);
	agg_free(a);
}
END_TEST

/* An empty alerts pane says why: the campaign's alert rule and channels,
 * or that it names no channel. */
START_TEST(test_alert_rule_described)
{
	struct agg *a = agg_new();
	set_campaign(a, CS_ACTIVE);
	struct agg_campaign *c = agg_campaign(a, CID);
	ck_assert_str_eq(c->alert_rule,
	    "no channel: the campaign names no Slack webhook or email (E: its settings)");
	static const char y[] =
	    "campaigns:\n  - name: Launch\n    window: {start: 2026-12-01T14:00:00Z, duration: "
	    "7d}\n"
	    "    tweets: {main: [\"1861111111111111100\"]}\n    alerts:\n      min_importance: 60\n"
	    "      buckets: [investor, founder]\n      watch: [\"@a\", \"@b\"]\n"
	    "      slack_webhook: env:HOOK\n";
	struct cfg_file *f = NULL;
	char *cause = NULL;
	ck_assert_msg(config_load_string("t", y, strlen(y), &f, &cause) == 0, "%s", cause);
	struct campaign cp;
	memset(&cp, 0, sizeof cp);
	snprintf(cp.id, sizeof cp.id, "%s", CID);
	cp.status = CS_ACTIVE;
	cp.cfg = f->campaigns[0];
	agg_set_campaign(a, &cp);
	config_free(f);
	ck_assert_str_eq(c->alert_rule,
	    "to Slack when importance >= 60 in investor, founder, or any of 2 watched accounts");
	/* wrapped for a narrow pane at spaces */
	ck_assert_uint_eq(
	    draw_wrap_len(c->alert_rule, 34), strlen("to Slack when importance >= 60 in"));
	ck_assert_uint_eq(draw_wrap_len("short", 34), 5);
	agg_free(a);
}
END_TEST

START_TEST(test_news_reach_model_and_state)
{
	struct agg *a = agg_new();
	struct ui u;
	ui_init(&u, a);
	struct reader_news n;
	memset(&n, 0, sizeof n);
	struct cfg_file *f = load_file();
	n.have_camps = true;
	n.ncamps = 1;
	n.camps = xcalloc(1, sizeof *n.camps);
	snprintf(n.camps[0].id, sizeof n.camps[0].id, "%s", CID);
	n.camps[0].status = CS_ACTIVE;
	n.camps[0].cfg = f->campaigns[0]; /* moved: the news owns it now */
	f->ncampaigns = 0;
	config_free(f);
	n.ndetails = 1;
	n.details = xcalloc(1, sizeof *n.details);
	struct reader_detail *d = &n.details[0];
	snprintf(d->cid, sizeof d->cid, "%s", CID);
	d->nalerts = 1;
	d->alerts = xcalloc(1, sizeof *d->alerts);
	d->alerts[0].at_ms = 1000;
	d->alerts[0].handle = xstrdup("a16z");
	d->alerts[0].channel = xstrdup("slack");
	d->nauth = 1;
	d->tids = xcalloc(1, sizeof *d->tids);
	d->handles = xcalloc(1, sizeof *d->handles);
	d->tids[0] = xstrdup("1861111111111111101");
	d->handles[0] = xstrdup("acme");
	n.message = xstrdup("campaign \"Launch\" added");
	n.closeout = xcalloc(1, sizeof *n.closeout);
	snprintf(n.closeout->cid, sizeof n.closeout->cid, "%s", CID);
	n.closeout->archive_dir = xstrdup("");
	n.db_ok = false;
	n.db_status = xstrdup("connection refused");
	u.dirty = false;
	dispatch_news(&u, &n);
	reader_news_done(&n); /* what moved is not freed twice */
	struct agg_campaign *c = agg_campaign(a, CID);
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->name, "Launch");
	ck_assert_uint_eq(c->nalerts, 1);
	ck_assert_str_eq(c->alerts[0].handle, "a16z");
	ck_assert_str_eq(c->tweets[1].author, "acme");
	ck_assert_str_eq(u.message, "campaign \"Launch\" added");
	ck_assert_ptr_nonnull(u.closeout);
	ck_assert_str_eq(u.closeout->cid, CID);
	ck_assert(!u.db_ok);
	ck_assert_str_eq(u.db_status, "connection refused");
	ck_assert(u.dirty);
	/* healthy again: the status goes */
	memset(&n, 0, sizeof n);
	n.db_ok = true;
	dispatch_news(&u, &n);
	reader_news_done(&n);
	ck_assert(u.db_ok);
	ck_assert_ptr_null(u.db_status);
	ui_done(&u);
	agg_free(a);
}
END_TEST

/* Returns feed record number i of CID (newer with i), from account i. */
static struct prep_eng
record(int i)
{
	struct prep_eng e;
	memset(&e, 0, sizeof e);
	snprintf(e.tweet_id, sizeof e.tweet_id, "1861111111111111100");
	snprintf(e.user_id, sizeof e.user_id, "%d", 7000 + i);
	e.action = ACT_REPLY;
	e.bucket = (uint8_t)(i % BK__COUNT);
	e.importance = 50;
	e.at_ms = e.first_seen_at_ms = 1796133600000LL + i * 1000LL;
	e.handle = xasprintf("acct%d", i);
	e.name = xstrdup("Name");
	e.snippet = xstrdup("hi");
	return e;
}

/* Returns news holding records [from, to) of CID (and a summary when
 * summary), as a reader hands them over. */
static void
feed_news(struct reader_news *n, int from, int to, bool summary)
{
	memset(n, 0, sizeof *n);
	n->db_ok = true;
	n->nfeeds = 1;
	n->feeds = xcalloc(1, sizeof *n->feeds);
	struct reader_feed *f = &n->feeds[0];
	snprintf(f->cid, sizeof f->cid, "%s", CID);
	if (summary)
		f->summary = xcalloc(1, sizeof *f->summary);
	f->neng = f->capeng = (size_t)(to - from);
	f->eng = xcalloc(f->capeng + 1, sizeof *f->eng);
	for (int i = from; i < to; i++)
		f->eng[to - 1 - i] = record(i);
}

START_TEST(test_feed_news_hold_scroll_and_profile)
{
	struct agg *a = agg_new();
	set_campaign(a, CS_ACTIVE);
	struct ui u;
	ui_init(&u, a);
	struct reader_news n;
	feed_news(&n, 0, 20, true);
	dispatch_news(&u, &n);
	reader_news_done(&n);
	struct agg_campaign *c = agg_campaign(a, CID);
	ck_assert_int_eq(c->prep, AGG_PREP_READY);
	ck_assert_uint_eq(c->nfeed, 20);
	ck_assert_str_eq(c->feed[0].handle, "acct19");
	/* scrolled back, the row at the top stays there as newer rows come */
	u.feed_off = 4;
	long top = pane_feed_row(&u, c, u.feed_off, 0);
	ck_assert_str_eq(c->feed[top].handle, "acct15");
	feed_news(&n, 20, 23, false);
	dispatch_news(&u, &n);
	reader_news_done(&n);
	ck_assert_uint_eq(c->nfeed, 23);
	ck_assert_uint_eq(u.feed_off, 7);
	ck_assert_str_eq(c->feed[pane_feed_row(&u, c, u.feed_off, 0)].handle, "acct15");
	/* following live, it moves with them */
	u.feed_off = 0;
	feed_news(&n, 23, 24, false);
	dispatch_news(&u, &n);
	reader_news_done(&n);
	ck_assert_uint_eq(u.feed_off, 0);
	ck_assert_str_eq(c->feed[0].handle, "acct23");

	/* Enter on the first row opens its profile, loading, and asks for it */
	u.feed_sel = 0;
	dispatch_key(&u, KEY_CODE_ENTER);
	ck_assert_int_eq(u.screen, S_PROFILE);
	ck_assert_ptr_nonnull(u.profile);
	ck_assert_int_eq(u.profile->state, AGG_LOAD_ASKED);
	ck_assert_str_eq(u.profile->handle, "acct23");
	ck_assert(u.profile_asked);
	ck_assert_str_eq(u.profile_tweet, "1861111111111111100");
	/* a profile of someone else is dropped; this one's replaces it */
	memset(&n, 0, sizeof n);
	n.db_ok = true;
	n.profile = agg_profile_new(CID, "1");
	dispatch_news(&u, &n);
	reader_news_done(&n);
	ck_assert_str_eq(u.profile->user_id, "7023");
	n.profile = agg_profile_new(CID, "7023");
	n.profile->state = AGG_LOAD_READY;
	n.profile->total = 4;
	dispatch_news(&u, &n);
	reader_news_done(&n);
	ck_assert_int_eq(u.profile->state, AGG_LOAD_READY);
	ck_assert_str_eq(u.profile->handle, "acct23"); /* kept: nothing stored said more */
	ck_assert_uint_eq(u.profile->total, 4);
	/* without a reader the profile says why it cannot load */
	dispatch_key(&u, KEY_CODE_ESC);
	dispatch_key(&u, KEY_CODE_ENTER);
	dispatch_commands(&u, NULL);
	ck_assert_int_eq(u.profile->state, AGG_LOAD_FAILED);
	ck_assert_str_eq(u.profile->why, "no database connection");
	ui_done(&u);
	agg_free(a);
}
END_TEST

/* Returns rows 0..2 of u drawn on a w x 30 grid, joined by newlines. */
static char *
header_rows(struct ui *u, int w)
{
	struct draw_grid *g = draw_grid_new(w, 30, false);
	ui_render(u, g);
	char *out = xstrdup("");
	for (int y = 0; y < 3; y++) {
		char *row = draw_row_text(g, y), *both = xasprintf("%s%s\n", out, row);
		free(row);
		free(out);
		out = both;
	}
	draw_grid_free(g);
	return out;
}

/* The header's two rows and the simulated-data banner fit 80 and 120
 * columns: the fullest wording that fits, nothing cut. */
START_TEST(test_header_fits)
{
	struct agg *a = agg_new();
	set_campaign(a, CS_ACTIVE);
	struct prep_summary sum;
	memset(&sum, 0, sizeof sum);
	sum.unique_accounts = 1234;
	sum.total[CAT__COUNT][M_VIEWS] = 78100;
	agg_set_summary(a, CID, &sum);
	struct ui u;
	ui_init(&u, a);
	u.db_ok = true;
	u.simulated = true;
	u.provider = "simulator (127.0.0.1:44007)";
	u.engine_status = "engine running: polling active campaigns in this console";
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1) { /* a campaign of tweets the simulator does not know */
			const char *ids[] = {"1861111111111111999"};
			ui_set_sim_tweets(&u, ids, 1);
		}
		for (int w = 80; w <= 120; w += 40) {
			char *s = header_rows(&u, w);
			ck_assert_msg(strstr(s, "\u2026") == NULL, "cut at %d columns:\n%s", w, s);
			ck_assert_msg(strstr(s, "Launch") && strstr(s, "loading: accounts 1.2k") &&
			                  strstr(s, "db ok") && strstr(s, "SIMULATED DATA"),
			    "%d columns:\n%s", w, s);
			if (w == 120)
				ck_assert_msg(
				    strstr(s, "provider: simulator (127.0.0.1:44007)"), "%s", s);
			if (pass == 1)
				ck_assert_msg(
				    strstr(s, "unknown to the simulator (i: jobs)"), "%s", s);
			free(s);
		}
	}
	ui_done(&u);
	agg_free(a);
}
END_TEST

static Suite *
dispatch_suite(void)
{
	Suite *s = suite_create("dispatch");
	TCase *tc = tcase_create("dispatch");
	tcase_add_test(tc, test_reactions);
	tcase_add_test(tc, test_confirm_close_queues_and_follows);
	tcase_add_test(tc, test_pause_and_add_queue_in_order);
	tcase_add_test(tc, test_filter_prompt);
	tcase_add_test(tc, test_tweet_drill_down);
	tcase_add_test(tc, test_alert_rule_described);
	tcase_add_test(tc, test_news_reach_model_and_state);
	tcase_add_test(tc, test_feed_news_hold_scroll_and_profile);
	tcase_add_test(tc, test_header_fits);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(dispatch_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
