/*
 * Tests of the campaign model: deterministic ids, initial status, the
 * settings fingerprint and status names.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "model/campaign.h"
#include "model/job.h"
#include "base/util.h"

static const struct {
	const char *name;
	const char *prefix;
} ids[] = {
    {"Acme L2 mainnet launch", "acme-l2-mainnet-launch-"},
    {"Acme token generation event", "acme-token-generation-"},
    {"  ***  ", "campaign-"},
    {"Ünïcode Launch 🚀", "n-code-launch-"},
    {"supercalifragilisticexpialidocious", "supercalifragilisticexpi-"},
    {"a:b/c", "a-b-c-"},
};

START_TEST(test_ids)
{
	char id[CAMPAIGN_ID_MAX], again[CAMPAIGN_ID_MAX];
	campaign_make_id(ids[_i].name, id);
	campaign_make_id(ids[_i].name, again);
	ck_assert_str_eq(id, again);
	ck_assert_msg(str_has_prefix(id, ids[_i].prefix), "%s -> %s", ids[_i].name, id);
	ck_assert_uint_eq(strlen(id), strlen(ids[_i].prefix) + 8);
	ck_assert_ptr_null(strchr(id, ':'));
	ck_assert_uint_le(strlen(id), 33);
}
END_TEST

START_TEST(test_ids_differ_by_exact_name)
{
	char a[CAMPAIGN_ID_MAX], b[CAMPAIGN_ID_MAX];
	campaign_make_id("Acme launch", a);
	campaign_make_id("acme launch", b);
	ck_assert_str_ne(a, b);
}
END_TEST

START_TEST(test_status_and_hash)
{
	struct cfg_campaign c;
	memset(&c, 0, sizeof c);
	c.name = xstrdup("x");
	c.start_s = 1000;
	c.end_s = 2000;
	ck_assert_int_eq(campaign_initial_status(&c, 999999), CS_SCHEDULED);
	ck_assert_int_eq(campaign_initial_status(&c, 1000000), CS_ACTIVE);
	char *h1 = campaign_settings_hash(&c);
	c.end_s = 2001;
	char *h2 = campaign_settings_hash(&c);
	c.end_s = 2000;
	char *h3 = campaign_settings_hash(&c);
	ck_assert_str_ne(h1, h2);
	ck_assert_str_eq(h1, h3);
	free(h1);
	free(h2);
	free(h3);
	for (int i = 0; i < CS__COUNT; i++) {
		enum campaign_status s;
		ck_assert_int_eq(campaign_status_parse(campaign_status_name(i), &s), 0);
		ck_assert_int_eq(s, i);
	}
	ck_assert_str_eq(job_kind_name(JOB_QUOTES), "quotes");
	cfg_campaign_done(&c);
}
END_TEST

START_TEST(test_settings_copy_is_deep)
{
	/* every key of the example file, copied: the same settings, owned apart */
	struct cfg_file *f = NULL;
	char *cause = NULL;
	const char *dir = getenv("LAUNCHWATCH_SRCDIR");
	char *path = xasprintf("%s/campaigns.example.yaml", dir && *dir ? dir : ".");
	ck_assert_msg(config_load_file(path, &f, &cause) == 0, "%s", cause);
	free(path);
	ck_assert_uint_gt(f->ncampaigns, 0);
	for (size_t i = 0; i < f->ncampaigns; i++) {
		struct cfg_campaign copy;
		cfg_campaign_copy(&copy, &f->campaigns[i]);
		char *h1 = campaign_settings_hash(&f->campaigns[i]);
		cfg_campaign_done(&f->campaigns[i]); /* the copy owns nothing of it */
		char *h2 = campaign_settings_hash(&copy);
		ck_assert_str_eq(h1, h2);
		f->campaigns[i] = copy;
		free(h1);
		free(h2);
	}
	config_free(f);
}
END_TEST

START_TEST(test_job_state_and_kind_names)
{
	/* the one table between enum job_state and worker_state.state */
	static const char *const stored[JST__COUNT] = {
	    "new", "idle", "running", "retry", "blocked", "stopped", "missing"};
	for (int i = 0; i < JST__COUNT; i++) {
		enum job_state st = JST__COUNT;
		ck_assert_str_eq(job_state_name((enum job_state)i), stored[i]);
		ck_assert_int_eq(job_state_parse(stored[i], &st), 0);
		ck_assert_int_eq(st, i);
		ck_assert(job_state_runnable(st) == (st != JST_STOPPED && st != JST_MISSING));
	}
	enum job_state st = JST_IDLE;
	ck_assert_int_eq(job_state_parse("backfilling", &st), -1);
	ck_assert_int_eq(job_state_parse("", &st), -1);
	ck_assert_int_eq(st, JST_IDLE);
	ck_assert_str_eq(job_state_name(JST__COUNT), "?");
	for (int k = 0; k < JOB__COUNT; k++) {
		enum job_kind kind = JOB__COUNT;
		ck_assert_int_eq(job_kind_parse(job_kind_name((enum job_kind)k), &kind), 0);
		ck_assert_int_eq(kind, k);
	}
	enum job_kind kind = JOB_REPLIES;
	ck_assert_int_eq(job_kind_parse("likes", &kind), -1);
	ck_assert_int_eq(kind, JOB_REPLIES);
}
END_TEST

START_TEST(test_job_cadence)
{
	struct campaign c;
	memset(&c, 0, sizeof c);
	c.cfg.cadence = (struct cfg_cadence){.metrics = 300, .retweets = 600, .replies = 2};
	ck_assert_int_eq(job_cadence_s(&c, JOB_METRICS), 300);
	ck_assert_int_eq(job_cadence_s(&c, JOB_RETWEETS), 600);
	ck_assert_int_eq(job_cadence_s(&c, JOB_REPLIES), 2);
	ck_assert_int_eq(job_cadence_s(&c, JOB_QUOTES), 1); /* unset: at least 1 s */
}
END_TEST

START_TEST(test_categories)
{
	enum tweet_category c;
	for (int i = 0; i < CAT__COUNT; i++) {
		ck_assert_int_eq(category_parse(category_name((enum tweet_category)i), &c), 0);
		ck_assert_int_eq(c, i);
	}
	ck_assert_str_eq(category_name(CAT_MAIN), "main");
	ck_assert_str_eq(category_name(CAT_INFLUENCER), "influencer");
	ck_assert_str_eq(category_name(CAT_INVESTOR), "investor");
	ck_assert_str_eq(category_name(CAT__COUNT), "?");
	ck_assert_int_eq(category_parse("Main", &c), -1);
	ck_assert_int_eq(category_parse("", &c), -1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("campaign");
	TCase *tc = tcase_create("campaign");
	tcase_add_loop_test(tc, test_ids, 0, (int)LW_ARRAY_LEN(ids));
	tcase_add_test(tc, test_ids_differ_by_exact_name);
	tcase_add_test(tc, test_status_and_hash);
	tcase_add_test(tc, test_settings_copy_is_deep);
	tcase_add_test(tc, test_job_state_and_kind_names);
	tcase_add_test(tc, test_job_cadence);
	tcase_add_test(tc, test_categories);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
