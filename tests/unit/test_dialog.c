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
#include "console/keys.h"
#include "console/ui_state.h"
#include "base/util.h"

/* Applies a campaign with n main tweets (ids from base on) to a. */
static void
set_campaign(struct agg *a, int n, long long base)
{
	struct sbuf y;
	sbuf_init(&y);
	sbuf_addstr(&y, "campaigns:\n  - name: Edit me\n    window: {start: 2026-12-01T14:00:00Z, "
	                "duration: 7d}\n    tweets:\n      main: [");
	for (int i = 0; i < n; i++)
		sbuf_printf(&y, "%s\"%lld\"", i ? ", " : "", base + i);
	sbuf_addstr(&y, "]\n");
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

static Suite *
dialog_suite(void)
{
	Suite *s = suite_create("dialog");
	TCase *tc = tcase_create("edit");
	tcase_add_test(tc, test_prefill_listed_only);
	tcase_add_test(tc, test_refuses_lists_that_do_not_fit);
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
