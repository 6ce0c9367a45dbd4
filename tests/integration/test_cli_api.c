/*
 * End-to-end tests of `launchwatch api` (the real binary) against the
 * simulator running in this process: a full walk with overlapping pages and
 * a phantom next page finds exactly the tweet's count, a wrong key is an
 * auth error that never echoes the key, and exhausted credits exit 75.
 * Also every command's command line (cmd_getopt): --help and -h, values
 * missing after an option, unknown options, extra operands, options after
 * the operands.
 */
#include <check.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim.h"
#include "testutil.h"
#include "base/util.h"

/* Starts a frozen simulator with the given key and credits. */
static struct sim *
start_sim(const char *key, int64_t credits)
{
	struct sim_opts o;
	char *cause = NULL;
	sim_opts_init(&o);
	o.frozen = true;
	o.overlap = 2;
	o.phantom_next_page = true;
	o.tweets = 1;
	o.key = key;
	o.credits = credits;
	struct sim *s = sim_start(&o, &cause);
	ck_assert_msg(s != NULL, "sim_start: %s", cause ? cause : "");
	return s;
}

/* Runs `launchwatch api ARGS` against s with TWITTERAPI_KEY=key. */
static void
run_api(struct tu_run *r, struct sim *s, const char *key, const char *const *args)
{
	char *base = xasprintf("TWITTERAPI_BASE_URL=http://127.0.0.1:%d", sim_port(s));
	char *k = xasprintf("TWITTERAPI_KEY=%s", key);
	const char *env[] = {base, k, "LAUNCHWATCH_QPS=50", "TWITTERAPI_KEY_FILE=", NULL};
	tu_run(r, env, 60000, args);
	free(base);
	free(k);
}

START_TEST(test_walk_matches_count)
{
	struct sim *s = start_sim(NULL, -1);
	struct tu_run r;
	const char *id = sim_tweet_id(s, 0);
	sim_advance(s, 30 * 60 * 1000); /* half an hour of engagement */
	char *url = xasprintf("https://x.com/acme/status/%s?s=20", id);
	const char *get[] = {"api", "get-tweet", url, NULL};
	run_api(&r, s, "any", get);
	ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
	const char *p = strstr(r.out, "retweets=");
	ck_assert_ptr_nonnull(p);
	long retweets = strtol(p + strlen("retweets="), NULL, 10);
	ck_assert_int_gt(retweets, 100); /* more than one page */
	tu_run_done(&r);

	const char *walk[] = {"api", "walk", "retweeters", id, NULL};
	run_api(&r, s, "any", walk);
	ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
	char *want = xasprintf("%ld unique retweeters", retweets);
	ck_assert_msg(strstr(r.out, want) != NULL, "want '%s' in:\n%s", want, r.out);
	ck_assert_ptr_nonnull(strstr(r.out, "duplicates dropped"));
	free(want);
	tu_run_done(&r);
	free(url);
	sim_free(s);
}
END_TEST

START_TEST(test_wrong_key_is_auth_and_secret)
{
	struct sim *s = start_sim("right-key-7f3a", -1);
	struct tu_run r;
	const char *get[] = {"api", "get-tweet", sim_tweet_id(s, 0), NULL};
	run_api(&r, s, "wrong-key-91c2", get);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strstr(r.err, "class=auth") != NULL, "%s", r.err);
	ck_assert_ptr_null(strstr(r.err, "wrong-key-91c2"));
	ck_assert_ptr_null(strstr(r.out, "wrong-key-91c2"));
	tu_run_done(&r);
	run_api(&r, s, "right-key-7f3a", get);
	ck_assert_int_eq(r.status, 0);
	tu_run_done(&r);
	sim_free(s);
}
END_TEST

START_TEST(test_credits_exhausted_exit_75)
{
	struct sim *s = start_sim(NULL, 0);
	struct tu_run r;
	const char *get[] = {"api", "get-tweet", sim_tweet_id(s, 0), NULL};
	run_api(&r, s, "any", get);
	ck_assert_int_eq(r.status, 75);
	ck_assert_msg(strstr(r.err, "class=credits") != NULL, "%s", r.err);
	tu_run_done(&r);
	sim_free(s);
}
END_TEST

/* One command line and what the binary must answer, before any database
 * or provider is touched (or, with nodb, when the store is reached: the
 * options were accepted and MONGODB_URI points nowhere, so exit 69). */
struct argv_case {
	const char *args[8];
	bool nodb;
	int status;
	const char *out; /* in stdout, or NULL */
	const char *err; /* in stderr, or NULL */
};

static const struct argv_case argv_cases[] = {
    /* an option that wants a value and is last */
    {{"report", "ID", "--format"}, false, 64, NULL,
        "launchwatch report: option '--format' needs a value\nusage: launchwatch report"},
    {{"report", "--top", "0", "ID"}, false, 64, NULL, "--top wants a whole number"},
    {{"report", "ID", "--format", "pdf"}, false, 64, NULL, "unknown report format in 'pdf'"},
    {{"report", "ID", "other"}, false, 64, NULL, "unexpected argument 'other'"},
    {{"report", "--bogus", "ID"}, false, 64, NULL, "unknown option '--bogus'"},
    {{"report"}, false, 64, NULL, "usage: launchwatch report ID|NAME"},
    /* options after the operand, --opt=value and -- are getopt_long's */
    {{"report", "ID", "--format=csv", "--top", "3"}, true, 69, NULL, NULL},
    {{"report", "--out", "/tmp", "--", "ID"}, true, 69, NULL, NULL},
    /* an --out whose parent is missing is named, and nothing is created */
    {{"report", "ID", "--out", "/nonexistent-lw/dir/"}, false, 1, NULL,
        "launchwatch: --out /nonexistent-lw/dir: its parent directory does not exist"},
    {{"campaign"}, false, 64, NULL, "usage: launchwatch campaign COMMAND"},
    {{"campaign", "bogus"}, false, 64, NULL, "launchwatch campaign: unknown command 'bogus'"},
    {{"campaign", "add"}, false, 64, NULL, "usage: launchwatch campaign add FILE.yaml\n"},
    {{"campaign", "add", "a.yaml", "b.yaml"}, false, 64, NULL, "unexpected argument 'b.yaml'"},
    {{"campaign", "show", "x", "--help"}, false, 0,
        "usage: launchwatch campaign show ID|NAME\n\nevery setting", NULL},
    {{"campaign", "reopen", "x", "--note"}, false, 64, NULL,
        "launchwatch campaign reopen: option '--note' needs a value"},
    {{"campaign", "list", "-x"}, false, 64, NULL, "unknown option '-x'"},
    {{"campaign", "pause", "ID"}, true, 69, NULL, NULL},
    {{"run", "--for"}, false, 64, NULL, "launchwatch run: option '--for' needs a value"},
    {{"run", "--for", "0"}, false, 64, NULL, "--for wants a whole number from 1 to"},
    {{"run", "--once", "--for", "5"}, false, 64, NULL, "--once and --for exclude each other"},
    {{"run", "now"}, false, 64, NULL, "launchwatch run: unexpected argument 'now'"},
    {{"tweet-report", "--max-pages"}, false, 64, NULL, "option '--max-pages' needs a value"},
    {{"tweet-report", "1", "2"}, false, 64, NULL, "unexpected argument '2'"},
    {{"alerts", "test"}, false, 64, NULL, "usage: launchwatch alerts test ID|NAME"},
    {{"alerts", "mail", "ID"}, false, 64, NULL, "launchwatch alerts: unknown command 'mail'"},
    {{"alerts", "test", "ID"}, true, 69, NULL, NULL},
    {{"archive", "verify"}, false, 64, NULL, "usage: launchwatch archive verify DIR"},
    {{"archive", "verify", "a", "b"}, false, 64, NULL, "unexpected argument 'b'"},
    {{"sim", "--port"}, false, 64, NULL, "launchwatch sim: option '--port' needs a value"},
    {{"sim", "--bogus"}, false, 64, NULL, "launchwatch sim: unknown option '--bogus'"},
    {{"api", "walk", "retweeters"}, false, 64, NULL, "usage: launchwatch api get-tweet"},
    {{"api", "nope"}, false, 64, NULL, "launchwatch api: unknown subcommand 'nope'"},
    {{"tui", "extra"}, false, 64, NULL, "launchwatch: unexpected argument 'extra'"},
    {{"--theme"}, false, 64, NULL, "launchwatch: option '--theme' needs a value"},
    {{"nope"}, false, 64, NULL, "launchwatch: unknown command 'nope'"},
    /* --help and -h on every command, on stdout with status 0 */
    {{"--help"}, false, 0, "  archive ", NULL},
    {{"tui", "--help"}, false, 0, "usage: launchwatch [tui]", NULL},
    {{"campaign", "-h"}, false, 0, "usage: launchwatch campaign COMMAND", NULL},
    {{"campaign", "reopen", "--help"}, false, 0, "usage: launchwatch campaign reopen", NULL},
    {{"sim", "-h"}, false, 0, "usage: launchwatch sim", NULL},
    {{"api", "--help"}, false, 0, "usage: launchwatch api", NULL},
    {{"api", "walk", "-h"}, false, 0, "usage: launchwatch api", NULL},
    {{"run", "-h"}, false, 0, "usage: launchwatch run", NULL},
    {{"tweet-report", "--help"}, false, 0, "usage: launchwatch tweet-report", NULL},
    {{"alerts", "--help"}, false, 0, "usage: launchwatch alerts", NULL},
    {{"alerts", "test", "-h"}, false, 0, "usage: launchwatch alerts", NULL},
    {{"report", "--help"}, false, 0, "usage: launchwatch report", NULL},
    {{"archive", "-h"}, false, 0, "usage: launchwatch archive", NULL},
    {{"archive", "verify", "--help"}, false, 0, "usage: launchwatch archive", NULL},
};

/* Each command reads its argv with getopt_long the same way (cmd_getopt). */
START_TEST(test_argv)
{
	const struct argv_case *c = &argv_cases[_i];
	const char *env[] = {"MONGODB_URI=mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=500",
	    "TWITTERAPI_KEY=", "TWITTERAPI_KEY_FILE=", NULL};
	struct tu_run r;
	tu_run(&r, c->nodb ? env : NULL, 30000, c->args);
	ck_assert_msg(r.status == c->status, "%s: status %d, want %d\n%s", c->args[0], r.status,
	    c->status, r.err);
	if (c->out != NULL)
		ck_assert_msg(
		    strstr(r.out, c->out) != NULL, "stdout lacks \"%s\":\n%s", c->out, r.out);
	if (c->err != NULL)
		ck_assert_msg(
		    strstr(r.err, c->err) != NULL, "stderr lacks \"%s\":\n%s", c->err, r.err);
	if (c->status == 64)
		ck_assert_str_eq(r.out, "");
	tu_run_done(&r);
}
END_TEST

/* Options may follow the operands: `api walk LIST ID --max-pages 1 -v`. */
START_TEST(test_options_after_operands)
{
	struct sim *s = start_sim(NULL, -1);
	struct tu_run r;
	const char *walk[] = {
	    "api", "walk", "retweeters", sim_tweet_id(s, 0), "--max-pages", "1", "-v", NULL};
	run_api(&r, s, "any", walk);
	ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
	ck_assert_ptr_nonnull(strstr(r.out, "page 1:"));
	ck_assert_ptr_null(strstr(r.out, "page 2:"));
	ck_assert_ptr_nonnull(strstr(r.out, "stopped: page limit reached"));
	tu_run_done(&r);
	sim_free(s);
}
END_TEST

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	Suite *su = suite_create("cli_api");
	TCase *tc = tcase_create("cli_api");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_walk_matches_count);
	tcase_add_test(tc, test_wrong_key_is_auth_and_secret);
	tcase_add_test(tc, test_credits_exhausted_exit_75);
	tcase_add_test(tc, test_options_after_operands);
	suite_add_tcase(su, tc);
	tc = tcase_create("argv");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_argv, 0, (int)LW_ARRAY_LEN(argv_cases));
	suite_add_tcase(su, tc);
	SRunner *sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
