/*
 * test_cli_rules: `launchwatch rules eval` as a user runs it: the binary on
 * a labelled file of its own, with the built-in rules and with a rules file
 * that fixes a miss, its exit statuses (64 usage, 65 a bad line named by
 * file, line and field or bad rules, 66 an unreadable file) and the
 * repository's labelled set. No server is started (XDG_DATA_HOME points at
 * an empty directory so no user rules.yaml is read).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "base/util.h"

/* A labelled file of six accounts: four right under the built-in rules. */
static const char labelled[] = "# a team's own accounts\n"
                               "buckets\thandle\tname\tbio\n"
                               "investor\tjane\tJane\tGeneral Partner at Acme Ventures\n"
                               "other\tbob\tBob\tNot a VC. Investing in myself.\n"
                               "media\tlena\tLena\tJournalistin beim Handelsblatt\n"
                               "founder,developer\tkai\tKai\tCTO at a bank\n"
                               "ai\tzed\tZed\tZig and evals\n"
                               "investor\tpat\tPat\tPartner at Fjord Capital\n";

/* A rules file that teaches the two misses. */
static const char rules[] = "buckets:\n"
                            "  investor:\n"
                            "    words:\n"
                            "      partner: 1\n"
                            "  ai:\n"
                            "    words:\n"
                            "      evals: 3\n";

/* Runs `launchwatch rules ARGS...` with an empty data directory into *r. */
static void
run_rules(struct tu_run *r, const char *dir, const char *const *args)
{
	char *xdg = xasprintf("XDG_DATA_HOME=%s", dir);
	const char *env[] = {xdg, NULL};
	tu_run(r, env, 30000, args);
	free(xdg);
}

START_TEST(test_eval_user_file)
{
	char *dir = tu_tempdir();
	char *file = tu_write_file(dir, "mine.tsv", labelled);
	char *rfile = tu_write_file(dir, "rules.yaml", rules);
	struct tu_run r;
	run_rules(&r, dir, (const char *const[]){"rules", "eval", file, NULL});
	ck_assert_msg(r.status == 0, "%d: %s", r.status, r.err);
	char *want = xasprintf("%s:7: @zed: got other, want ai\n"
	                       "%s:8: @pat: got other, want investor\n"
	                       "rules: built-in\n"
	                       "accounts 6, correct 4, accuracy 66.6 %%\n"
	                       "investor  precision 100.0 %% (1/1), recall 50.0 %% (1/2)\n",
	    file, file);
	ck_assert_msg(strncmp(r.out, want, strlen(want)) == 0, "%s", r.out);
	ck_assert_ptr_nonnull(strstr(r.out, "\nexpected \\ got  investor   founder        ai "
	                                    "developer     media     other\n"
	                                    "investor               1         0         0         "
	                                    "0         0         1\n"));
	free(want);
	tu_run_done(&r);
	/* The team's rules file fixes both, wherever --rules stands. */
	run_rules(&r, dir, (const char *const[]){"rules", "eval", file, "--rules", rfile, NULL});
	ck_assert_msg(r.status == 0, "%d: %s", r.status, r.err);
	want = xasprintf("rules: %s\naccounts 6, correct 6, accuracy 100.0 %%\n", rfile);
	ck_assert_msg(strncmp(r.out, want, strlen(want)) == 0, "%s", r.out);
	free(want);
	tu_run_done(&r);
	free(rfile);
	free(file);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_eval_errors)
{
	char *dir = tu_tempdir();
	char *bad = tu_write_file(dir, "bad.tsv", "investor\ta\tA\tVC\nvcs\tb\tB\tVC\n");
	char *badrules = tu_write_file(dir, "r.yaml", "buckets:\n  investors: {}\n");
	char *good = tu_write_file(dir, "good.tsv", "investor\ta\tA\tVC\n");
	char *missing = xasprintf("%s/none.tsv", dir);
	struct tu_run r;
	run_rules(&r, dir, (const char *const[]){"rules", "eval", bad, NULL});
	ck_assert_int_eq(r.status, 65);
	char *want =
	    xasprintf("launchwatch rules eval: %s:2: field buckets: unknown bucket 'vcs'", bad);
	ck_assert_msg(strncmp(r.err, want, strlen(want)) == 0, "%s", r.err);
	ck_assert_str_eq(r.out, "");
	free(want);
	tu_run_done(&r);
	run_rules(&r, dir, (const char *const[]){"rules", "eval", missing, NULL});
	ck_assert_int_eq(r.status, 66);
	ck_assert_ptr_nonnull(strstr(r.err, "none.tsv"));
	tu_run_done(&r);
	run_rules(&r, dir, (const char *const[]){"rules", "eval", good, "--rules", badrules, NULL});
	ck_assert_int_eq(r.status, 65);
	ck_assert_ptr_nonnull(strstr(r.err, "r.yaml:2:3: unknown bucket 'investors'"));
	tu_run_done(&r);
	run_rules(&r, dir, (const char *const[]){"rules", "check", good, NULL});
	ck_assert_int_eq(r.status, 64);
	ck_assert_ptr_nonnull(strstr(r.err, "unknown command 'check'"));
	tu_run_done(&r);
	run_rules(&r, dir, (const char *const[]){"rules", "eval", NULL});
	ck_assert_int_eq(r.status, 64);
	tu_run_done(&r);
	run_rules(&r, dir, (const char *const[]){"rules", "--help", NULL});
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "usage: launchwatch rules eval FILE [--rules RULES]"));
	tu_run_done(&r);
	free(missing);
	free(good);
	free(badrules);
	free(bad);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_eval_repository_set)
{
	const char *src = getenv("LAUNCHWATCH_SRCDIR");
	char *path = xasprintf("%s/tests/data/bios.tsv", src != NULL && src[0] ? src : ".");
	char *dir = tu_tempdir();
	struct tu_run r;
	run_rules(&r, dir, (const char *const[]){"rules", "eval", path, NULL});
	ck_assert_msg(r.status == 0, "%d: %s", r.status, r.err);
	/* The same figures as test_classify_eval (docs/scoring.md section 6). */
	ck_assert_ptr_nonnull(strstr(r.out, "rules: built-in\naccounts 428, correct "));
	tu_run_done(&r);
	tu_rmtree(dir);
	free(dir);
	free(path);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("cli_rules");
	TCase *tc = tcase_create("eval");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_eval_user_file);
	tcase_add_test(tc, test_eval_errors);
	tcase_add_test(tc, test_eval_repository_set);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
