/*
 * test_classify_eval: the built-in rules against the labelled set
 * tests/data/bios.tsv (docs/scoring.md section 6): accuracy >= 95 % and
 * investor precision >= 98 %, with the confusion matrix printed; the eval
 * file parser's errors name file, line and field; a few negation and
 * multilingual cases with their evidence; a rules file with UTF-8 keywords.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/rules_file.h"
#include "model/classify.h"
#include "model/classify_eval.h"
#include "base/util.h"

/* Returns a new path to a file under the source tree. */
static char *
src_path(const char *rel)
{
	const char *dir = getenv("LAUNCHWATCH_SRCDIR");
	return xasprintf("%s/%s", dir != NULL && dir[0] != '\0' ? dir : ".", rel);
}

START_TEST(test_eval_set)
{
	char *path = src_path("tests/data/bios.tsv");
	size_t len;
	char *text = NULL, *cause = NULL;
	ck_assert_msg(file_read_all(path, &text, &len, &cause) == 0, "%s", cause);
	struct classify_rules *r = classify_rules_default();
	struct classify_eval e;
	ck_assert_msg(classify_eval_text(r, "bios.tsv", text, len, &e, &cause) == 0, "%s", cause);
	char *rep = classify_eval_report(&e);
	printf("%s%s", e.misses, rep);
	fflush(stdout);
	ck_assert_int_ge(e.n, 400);
	/* The figures docs/scoring.md section 6 shows: change both together. */
	ck_assert_int_eq(e.n, 428);
	ck_assert_int_eq(e.correct, 422);
	ck_assert_int_eq(e.predicted[BK_INVESTOR], 75);
	ck_assert_int_eq(e.true_pos[BK_INVESTOR], 74);
	ck_assert_int_eq(e.labelled[BK_INVESTOR], 77);
	ck_assert_msg(e.correct * 100 >= e.n * 95, "accuracy %d/%d below 95 %%", e.correct, e.n);
	ck_assert_msg(e.true_pos[BK_INVESTOR] * 100 >= e.predicted[BK_INVESTOR] * 98,
	    "investor precision %d/%d below 98 %%", e.true_pos[BK_INVESTOR],
	    e.predicted[BK_INVESTOR]);
	ck_assert_int_gt(e.true_pos[BK_INVESTOR], 0);
	/* The matrix adds up to the accounts and its diagonal to the correct. */
	int sum = 0, diag = 0;
	for (int x = 0; x < BK__COUNT; x++)
		for (int y = 0; y < BK__COUNT; y++) {
			sum += e.matrix[x][y];
			diag += x == y ? e.matrix[x][y] : 0;
		}
	ck_assert_int_eq(sum, e.n);
	ck_assert_int_eq(diag, e.correct);
	free(rep);
	classify_eval_done(&e);
	classify_rules_free(r);
	free(text);
	free(path);
}
END_TEST

/* A labelled file that is broken, and the error it must give. */
static const struct {
	const char *text;
	const char *cause;
} broken[] = {
    {"investor\tx\tX\tVC\nfounders\ty\tY\tFounder\n",
        "t.tsv:2: field buckets: unknown bucket 'founders' (buckets: investor, founder, ai, "
        "developer, media, other, separated by commas)"},
    {"# c\n\ninvestor\tx\tVC\n",
        "t.tsv:3: expected 4 fields separated by tabs (buckets, handle, name, bio), got 3"},
    {"investor\tx\tX\tVC\textra\n",
        "t.tsv:1: expected 4 fields separated by tabs (buckets, handle, name, bio), got more"},
    {"investor,\tx\tX\tVC\n",
        "t.tsv:1: field buckets: unknown bucket '' (buckets: investor, founder, ai, developer, "
        "media, other, separated by commas)"},
    {"# only a comment\n", "t.tsv: no labelled accounts"},
};

START_TEST(test_eval_broken)
{
	struct classify_rules *r = classify_rules_default();
	struct classify_eval e;
	char *cause = NULL;
	ck_assert_int_eq(
	    classify_eval_text(r, "t.tsv", broken[_i].text, strlen(broken[_i].text), &e, &cause),
	    -1);
	ck_assert_str_eq(cause, broken[_i].cause);
	ck_assert_ptr_null(e.misses);
	free(cause);
	classify_rules_free(r);
}
END_TEST

START_TEST(test_eval_small)
{
	static const char text[] = "buckets\thandle\tname\tbio\r\n"
	                           "investor\ta\tA\tGeneral Partner at Acme Ventures\r\n"
	                           "other\tb\tB\tNot a VC\n"
	                           "founder, developer\tc\tC\tCTO at a bank\n"
	                           "investor\td\tD\tFounder of Acme\n"
	                           "media\te\tE\tInvestor\n";
	struct classify_rules *r = classify_rules_default();
	struct classify_eval e;
	char *cause = NULL;
	ck_assert_int_eq(classify_eval_text(r, "t.tsv", text, strlen(text), &e, &cause), 0);
	ck_assert_int_eq(e.n, 5);
	ck_assert_int_eq(e.correct, 3);
	ck_assert_int_eq(e.predicted[BK_INVESTOR], 2);
	ck_assert_int_eq(e.true_pos[BK_INVESTOR], 1);
	ck_assert_int_eq(e.labelled[BK_INVESTOR], 2);
	ck_assert_int_eq(e.matrix[BK_INVESTOR][BK_FOUNDER], 1);
	ck_assert_int_eq(e.matrix[BK_MEDIA][BK_INVESTOR], 1);
	ck_assert_str_eq(e.misses, "t.tsv:5: @d: got founder, want investor; bio: 'founder'\n"
	                           "t.tsv:6: @e: got investor, want media; bio: 'investor'\n");
	char *rep = classify_eval_report(&e);
	ck_assert_msg(strstr(rep, "accounts 5, correct 3, accuracy 60.0 %\n") == rep, "%s", rep);
	ck_assert_msg(
	    strstr(rep, "investor  precision 50.0 % (1/2), recall 50.0 % (1/2)\n"), "%s", rep);
	free(rep);
	classify_eval_done(&e);
	classify_rules_free(r);
}
END_TEST

/* One account and what the built-in rules make of it. */
static const struct {
	const char *name, *bio;
	enum lw_bucket want;
	const char *evidence;
} cases[] = {
    {"", "Not a VC. Founder of Acme.", BK_FOUNDER, "bio: 'founder'"},
    {"", "Investing in myself", BK_OTHER, ""},
    {"", "Ex-VC, now CEO", BK_FOUNDER, "bio: 'ceo'"},
    {"", "Former VC turned founder", BK_FOUNDER, "bio: 'founder'"},
    {"", "aspiring AI founder", BK_OTHER, ""},
    {"", "Not an angel investor", BK_OTHER, ""},
    {"", "Founder, backed by a16z and Sequoia", BK_FOUNDER, "bio: 'founder'"},
    {"", "Investor relations at Acme", BK_OTHER, ""},
    {"Lena", "Journalistin beim Handelsblatt", BK_MEDIA, "bio: 'journalistin'"},
    {"", "Gründerin von Acme", BK_FOUNDER, "bio: 'grunderin' (Gründerin)"},
    {"", "Ehemaliger Journalist, jetzt Imker", BK_OTHER, ""},
    {"", "Журналистка РБК", BK_MEDIA, "bio: 'журналистка' (Журналистка)"},
    {"", "日経新聞の記者。AI担当", BK_MEDIA, "bio: '記者', '新聞'"},
    {"", "元記者", BK_OTHER, ""},
    {"", "我不是投资人", BK_OTHER, ""},
    {"", "天使投资人，专注早期项目", BK_INVESTOR, "bio: '投资人'"},
    {"", "벤처캐피탈 심사역", BK_INVESTOR, "bio: '벤처캐피탈', '심사역'"},
    {"", "ＣＥＯ・起業家", BK_FOUNDER, "bio: 'ceo' (ＣＥＯ), '起業家'"},
    {"", "Yatırımcı değilim", BK_OTHER, ""},
    {"", "Vicino ai miei figli", BK_OTHER, ""},
    {"", "Periodista en El País", BK_MEDIA, "bio: 'periodista'"},
    {"", "CTO at a bank", BK_FOUNDER, "bio: 'cto'"},
    {"Ángel Martín", "Fotógrafo", BK_OTHER, ""},
    {"", "Not just a VC", BK_INVESTOR, "bio: 'vc'"},
    {"", "Machine learning engineer", BK_AI, "bio: 'machine learning'"},
    {"", "Deep learning researcher. Learning Rust.", BK_AI, "bio: 'deep learning'"},
    /* a brief word in a name counts only after clause punctuation */
    {"Ai Tanaka", "", BK_OTHER, ""},
    {"Park Ki-hoon", "", BK_OTHER, ""},
    {"Ai Nakamura | AI", "", BK_AI, "name: 'ai'"},
    {"Lp Nguyen", "LP in two funds", BK_INVESTOR, "bio: 'lp'"},
    /* the examples of docs/scoring.md section 2 */
    {"", "Ex-VC. Now a VC at Acme", BK_INVESTOR, "bio: 'vc'"},
    {"", "生成AI", BK_AI, "bio: 'ai'"},
    {"", "경제신문 기자입니다", BK_MEDIA, "bio: '기자'"},
    {"", "GRUNDERIN", BK_FOUNDER, "bio: 'grunderin'"},
    {"", "General, partner; VC", BK_INVESTOR, "bio: 'vc'"},
    {"", "General-Partner", BK_INVESTOR, "bio: 'general partner'"},
    {"", "said Thailand email aid vcard", BK_OTHER, ""},
    {"", "\x1b]0;x\x07Journalist\xe2\x80\xae", BK_MEDIA, "bio: 'journalist'"},
    {"", "Rédactrice \x1b[31men chef", BK_MEDIA, "bio: 'redactrice' (Rédactrice)"},
};

START_TEST(test_cases)
{
	struct classify_rules *r = classify_rules_default();
	struct lw_user u = {
	    .handle = (char *)"x", .name = (char *)cases[_i].name, .bio = (char *)cases[_i].bio};
	struct classification c;
	classify_user(r, &u, ACT_RETWEET, CAT_MAIN, &c);
	ck_assert_msg(c.bucket == cases[_i].want, "%s: got %s (%s)", cases[_i].bio,
	    bucket_name(c.bucket), c.evidence);
	ck_assert_str_eq(c.evidence, cases[_i].evidence);
	classification_done(&c);
	classify_rules_free(r);
}
END_TEST

START_TEST(test_load_utf8)
{
	static const char yaml[] = "base: empty\n"
	                           "buckets:\n"
	                           "  media:\n"
	                           "    words:\n"
	                           "      Redakteurin: 4\n"
	                           "      記者: 5\n"
	                           "      журналист: 5\n";
	struct classify_rules *r = NULL;
	char *cause = NULL;
	ck_assert_msg(
	    rules_file_load_string("u.yaml", yaml, strlen(yaml), &r, &cause) == 0, "%s", cause);
	struct lw_user u = {.handle = (char *)"x",
	    .name = (char *)"",
	    .bio = (char *)"REDAKTEURIN, 日経の記者, Журналист"};
	struct classification c;
	classify_user(r, &u, ACT_RETWEET, CAT_MAIN, &c);
	ck_assert_int_eq(c.bucket, BK_MEDIA);
	ck_assert_int_eq(c.score[BK_MEDIA], 14);
	ck_assert_str_eq(c.evidence, "bio: 'redakteurin', '記者', 'журналист' (Журналист)");
	classification_done(&c);
	classify_rules_free(r);
	/* The same word in another case or with other accents is a duplicate. */
	static const char dup[] = "buckets:\n"
	                          "  founder:\n"
	                          "    words:\n"
	                          "      Gründerin: 4\n"
	                          "      GRÜNDERIN: 4\n";
	ck_assert_int_eq(rules_file_load_string("d.yaml", dup, strlen(dup), &r, &cause), -1);
	ck_assert_msg(strstr(cause, "d.yaml:5:7: duplicate keyword 'GRÜNDERIN' in bucket 'founder' "
	                            "(first at line 4)") != NULL,
	    "%s", cause);
	free(cause);
}
END_TEST

static Suite *
eval_suite(void)
{
	Suite *s = suite_create("classify_eval");
	TCase *tc = tcase_create("eval");
	tcase_add_test(tc, test_eval_set);
	tcase_add_loop_test(tc, test_eval_broken, 0, (int)(sizeof broken / sizeof broken[0]));
	tcase_add_test(tc, test_eval_small);
	tcase_add_loop_test(tc, test_cases, 0, (int)(sizeof cases / sizeof cases[0]));
	tcase_add_test(tc, test_load_utf8);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(eval_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
