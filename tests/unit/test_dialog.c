/*
 * Tests of the edit-tweets form (dialog_edit_tweets) without a terminal: it
 * is prefilled with the campaign's listed tweets only, refuses to open when
 * a list would not fit in its field (a cut list would drop tweets on save),
 * shows the loader's reason for a bad link and stays open, and says that
 * removed tweets keep their stored engagements.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/agg.h"
#include "model/campaign.h"
#include "config/config.h"
#include "console/dialog.h"
#include "console/form_settings.h"
#include "console/keys.h"
#include "console/ui_state.h"
#include "base/util.h"

/* Applies a campaign with n main tweets (ids from base on) and the YAML
 * lines extra (or NULL) to a. */
static void
set_campaign_with(struct agg *a, int n, long long base, const char *extra)
{
	struct sbuf y;
	sbuf_init(&y);
	sbuf_addstr(&y, "campaigns:\n  - name: Edit me\n    window: {start: 2026-12-01T14:00:00Z, "
	                "duration: 7d}\n    tweets:\n      main: [");
	for (int i = 0; i < n; i++)
		sbuf_printf(&y, "%s\"%lld\"", i ? ", " : "", base + i);
	sbuf_addstr(&y, "]\n");
	if (extra)
		sbuf_addstr(&y, extra);
	struct cfg_file *f = NULL;
	char *cause = NULL;
	ck_assert_msg(config_load_string("t", y.s, y.len, &f, &cause) == 0, "%s", cause);
	sbuf_done(&y);
	struct campaign c;
	memset(&c, 0, sizeof c);
	snprintf(c.id, sizeof c.id, "edit-me-0001");
	c.status = CS_ACTIVE;
	c.cfg = f->campaigns[0]; /* borrowed for the call */
	agg_set_campaign(a, &c);
	config_free(f);
}

/* Returns the text of every row of the dialog drawn on a 120x40 grid. */
static char *
drawn(struct dialog *d)
{
	struct draw_grid *g = draw_grid_new(120, 40, true);
	dialog_draw(d, g);
	struct sbuf b;
	sbuf_init(&b);
	for (int y = 0; y < 40; y++) {
		char *row = draw_row_text(g, y);
		sbuf_printf(&b, "%s\n", row);
		free(row);
	}
	draw_grid_free(g);
	return sbuf_take(&b);
}

/* Applies a campaign with n main tweets (ids from base on) to a. */
static void
set_campaign(struct agg *a, int n, long long base)
{
	set_campaign_with(a, n, base, NULL);
}

/* Types text into d, one key a character. */
static void
type(struct dialog *d, const char *text)
{
	struct dialog_result res;
	for (const char *p = text; *p; p++)
		ck_assert(!dialog_key(d, (unsigned char)*p, &res));
}

/* Moves d's cursor to the field labelled label (from the first field). */
static void
go_to(struct dialog *d, const char *label)
{
	struct dialog_result res;
	for (int i = 0; i < SF__COUNT + 7; i++) {
		char *s = drawn(d);
		/* the current field's label is drawn, then its text with a cursor */
		bool here = false;
		for (char *l = strtok(s, "\n"); l && !here; l = strtok(NULL, "\n"))
			here =
			    strstr(l, label) && strchr(l, '_') && strstr(l, label) < strchr(l, '_');
		free(s);
		if (here)
			return;
		dialog_key(d, KEY_CODE_TAB, &res);
	}
	ck_abort_msg("no field %s", label);
}

START_TEST(test_prefill_listed_only)
{
	struct agg *a = agg_new();
	set_campaign(a, 3, 1861111111111111100LL);
	set_campaign(a, 2, 1861111111111111100LL); /* the third was removed */
	struct agg_campaign *c = agg_campaign(a, "edit-me-0001");
	ck_assert_uint_eq(c->ntweets, 3);
	struct dialog *d = dialog_edit_tweets(c);
	ck_assert_ptr_nonnull(d);
	char *s = drawn(d);
	ck_assert_ptr_nonnull(strstr(s, "1861111111111111100 1861111111111111101"));
	ck_assert_ptr_null(strstr(s, "1861111111111111102"));
	ck_assert_ptr_nonnull(strstr(s, "their stored engagements are kept"));
	free(s);
	/* a bad link: the loader's reason, and the form stays open */
	struct dialog_result res;
	dialog_key(d, KEY_CODE_TAB, &res);
	const char *bad = "https://example.com/x/status/1";
	for (const char *p = bad; *p; p++)
		dialog_key(d, *p, &res);
	ck_assert(!dialog_key(d, 19, &res)); /* Ctrl-S */
	s = drawn(d);
	ck_assert_msg(strstr(s, "form:") && strstr(s, "example.com"), "%s", s);
	free(s);
	dialog_free(d);
	agg_free(a);
}
END_TEST

START_TEST(test_refuses_lists_that_do_not_fit)
{
	struct agg *a = agg_new();
	set_campaign(a, 150, 1861111111111110000LL); /* 150 ids of 19 digits: > 2048 bytes */
	struct agg_campaign *c = agg_campaign(a, "edit-me-0001");
	ck_assert_ptr_null(dialog_edit_tweets(c));
	/* the key says why instead of opening a cut list */
	struct ui u;
	ui_init(&u, a);
	keys_handle(&u, 'e');
	ck_assert_ptr_null(u.dialog);
	ck_assert_ptr_nonnull(strstr(u.message, "too many tweets to edit here"));
	ui_done(&u);
	agg_free(a);
}
END_TEST

#define SETTINGS                                                                                   \
	"    cpm: {benchmark_usd: {influencer: 14}, spend_usd: {influencer: 12345.678}}\n"         \
	"    cadence: {metrics: 2m}\n"                                                             \
	"    alerts:\n"                                                                            \
	"      min_importance: 60\n"                                                               \
	"      buckets: [investor]\n"                                                              \
	"      email: {to: [team@acme.example], smtp_url: \"smtps://smtp.example:465\",\n"         \
	"              user: alerts@acme.example, password: env:SMTP_PASSWORD}\n"

/* The settings form starts from the stored settings, names every key a
 * user sets by hand, and shows secrets only as references. */
START_TEST(test_settings_prefilled)
{
	struct agg *a = agg_new();
	set_campaign_with(a, 2, 1861111111111111100LL, SETTINGS);
	struct agg_campaign *c = agg_campaign(a, "edit-me-0001");
	struct dialog *d = dialog_edit_settings(c);
	ck_assert_ptr_nonnull(d);
	char *text = drawn(d);
	static const char *const want[][2] = {{"CPM benchmark infl. $", "14"},
	    {"Spend influencer $", "12345.678"}, {"Cadence metrics", "2m"},
	    {"Cadence retweets", "10m"}, {"Alert min importance", "60"},
	    {"Alert buckets", "investor"}, {"Email to", "team@acme.example"},
	    {"SMTP password env:/file:", "env:SMTP_PASSWORD"}, {"Alert quiet window", "30m"},
	    {"Slack webhook env:/file:", "|"}};
	for (size_t i = 0; i < LW_ARRAY_LEN(want); i++) {
		const char *l = strstr(text, want[i][0]);
		ck_assert_msg(l != NULL, "no %s", want[i][0]);
		size_t n = strcspn(l, "\n");
		char *v = strstr(l + strlen(want[i][0]), want[i][1]);
		ck_assert_msg(v && v < l + n, "%s is not %s", want[i][0], want[i][1]);
		/* nothing else between the label and its value */
		for (const char *p = l + strlen(want[i][0]); p < v; p++)
			ck_assert_msg(*p == ' ', "%s is not %s", want[i][0], want[i][1]);
	}
	free(text);
	dialog_free(d);
	agg_free(a);
}
END_TEST

/* A bad value gives the loader's message naming its key, the cursor on
 * that field, and nothing posted; a fixed one posts READER_SETTINGS with
 * the settings the loader read. */
START_TEST(test_settings_validated_by_loader)
{
	struct agg *a = agg_new();
	set_campaign_with(a, 2, 1861111111111111100LL, SETTINGS);
	struct agg_campaign *c = agg_campaign(a, "edit-me-0001");
	struct dialog *d = dialog_edit_settings(c);
	struct dialog_result res;
	type(d, "abc"); /* the first field: CPM benchmark main */
	go_to(d, "Slack webhook");
	type(d, "https://hooks.slack.com/services/T0/B0/SECRETVALUE");
	ck_assert(!dialog_key(d, 19, &res));
	ck_assert(!res.post);
	char *s = drawn(d);
	static const char *const want[] = {
	    "form:", /* the loader's own reasons, each naming its key */
	    "cpm.benchmark_usd.main must be a non-negative number, got 'abc'",
	    "alerts.slack_webhook must be a reference such as", "not a literal secret"};
	for (size_t i = 0; i < LW_ARRAY_LEN(want); i++) {
		if (strstr(s, want[i]) == NULL)
			fprintf(stderr, "%s", s);
		ck_assert_msg(strstr(s, want[i]), "no %s", want[i]);
	}
	/* the literal is in its field as typed, never in a reason */
	const char *why = strstr(s, "alerts.slack_webhook");
	ck_assert_ptr_null(strstr(why, "SECRETVALUE"));
	free(s);
	/* the cursor is on the first field named: Ctrl-U clears it */
	dialog_key(d, 21, &res);
	type(d, "6.5");
	go_to(d, "Slack webhook");
	dialog_key(d, 21, &res);
	type(d, "env:SLACK_WEBHOOK_URL");
	go_to(d, "Cadence quotes");
	dialog_key(d, 21, &res);
	type(d, "30s");
	go_to(d, "Alert negative sentiment"); /* the last field: the sentiment alert */
	type(d, "-0.6");
	if (!dialog_key(d, 19, &res)) {
		char *e = drawn(d);
		fprintf(stderr, "%s", e);
		free(e);
		ck_abort_msg("the fixed settings did not save");
	}
	ck_assert(res.post);
	ck_assert_int_eq(res.cmd, READER_SETTINGS);
	ck_assert_str_eq(res.cid, "edit-me-0001");
	const struct cfg_campaign *nc = &res.f->campaigns[0];
	ck_assert(nc->cpm.has_benchmark[CAT_MAIN]);
	ck_assert_double_eq(nc->cpm.benchmark_usd[CAT_MAIN], 6.5);
	ck_assert_double_eq(nc->cpm.benchmark_usd[CAT_INFLUENCER], 14);
	ck_assert_double_eq(nc->cpm.spend_usd[CAT_INFLUENCER], 12345.678); /* as stored */
	ck_assert(!nc->cpm.has_spend[CAT_MAIN]);
	ck_assert_int_eq(nc->cadence.metrics, 120);
	ck_assert_int_eq(nc->cadence.quotes, 30);
	ck_assert_int_eq(nc->alerts.min_importance, 60);
	ck_assert_str_eq(nc->alerts.slack_webhook_ref, "env:SLACK_WEBHOOK_URL");
	ck_assert(nc->alerts.has_negative_sentiment);
	ck_assert_double_eq(nc->alerts.negative_sentiment, -0.6);
	ck_assert(nc->alerts.has_email);
	ck_assert_str_eq(nc->alerts.email.password_ref, "env:SMTP_PASSWORD");
	config_free(res.f);
	free(res.message);
	dialog_free(d);
	agg_free(a);
}
END_TEST

/* The add form carries the settings too, starting at the loader's
 * defaults. */
START_TEST(test_add_form_has_settings)
{
	struct dialog *d = dialog_add_campaign(1796133600000LL);
	struct dialog_result res;
	type(d, "With spend");
	go_to(d, "Main links");
	type(d, "1861111111111111999");
	go_to(d, "Spend main $");
	type(d, "5000");
	go_to(d, "Email to");
	type(d, "team@acme.example"); /* an email needs its server */
	ck_assert(!dialog_key(d, 19, &res));
	char *s = drawn(d);
	ck_assert_msg(strstr(s, "alerts.email") && strstr(s, "smtp_url"), "%s", s);
	free(s);
	dialog_key(d, 21, &res); /* the cursor went to the email's key: cleared */
	ck_assert(dialog_key(d, 19, &res));
	ck_assert_int_eq(res.cmd, READER_UPSERT);
	const struct cfg_campaign *nc = &res.f->campaigns[0];
	ck_assert_double_eq(nc->cpm.spend_usd[CAT_MAIN], 5000);
	ck_assert_int_eq(nc->cadence.metrics, 300);
	ck_assert_int_eq(nc->alerts.min_importance, 70);
	ck_assert_uint_eq(nc->alerts.nbuckets, 2);
	ck_assert(!nc->alerts.has_email);
	config_free(res.f);
	free(res.message);
	dialog_free(d);
}
END_TEST

static Suite *
dialog_suite(void)
{
	Suite *s = suite_create("dialog");
	TCase *tc = tcase_create("edit");
	tcase_add_test(tc, test_prefill_listed_only);
	tcase_add_test(tc, test_refuses_lists_that_do_not_fit);
	tcase_add_test(tc, test_settings_prefilled);
	tcase_add_test(tc, test_settings_validated_by_loader);
	tcase_add_test(tc, test_add_form_has_settings);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(dialog_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
