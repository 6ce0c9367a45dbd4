/*
 * cmd_rules: `launchwatch rules eval FILE [--rules RULES]`: classifies every
 * account of a labelled file (docs/scoring.md section 6) with the rules
 * `run` would use (cmd_rules_load) and prints each miss, the accuracy, the
 * precision and recall per bucket and the confusion matrix, so a team can
 * tune its rules file with numbers. Nothing is stored and no server is
 * needed. Main thread only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/classify.h"
#include "model/classify_eval.h"
#include "cmd/cmd.h"
#include "cmd/cmd_util.h"
#include "base/util.h"

static const char rules_usage[] =
    "usage: launchwatch rules eval FILE [--rules RULES]\n\n"
    "Classifies every account of FILE, a labelled set (one account per line:\n"
    "acceptable buckets separated by commas, handle, name and bio, separated by\n"
    "tabs; '#' starts a comment; docs/scoring.md section 6), with the rules\n"
    "`launchwatch run` uses, and prints each miss (FILE:LINE, the bucket got and\n"
    "its evidence), the accuracy, precision and recall per bucket and the\n"
    "confusion matrix.\n\n"
    "  --rules RULES   classifier rules (default: DATA/rules.yaml when present, else\n"
    "                  the built-in rules)\n\n"
    "Exit status: 0 ok, 64 usage, 65 bad rules or a bad line in FILE (named by\n"
    "line and field), 66 FILE unreadable.\n";

/* Evaluates the labelled file path with the rules at rules_path (NULL: the
 * default lookup); returns the exit status. */
static int
rules_eval(const char *path, const char *rules_path)
{
	char *text = NULL, *cause = NULL;
	size_t len;
	struct classify_rules *r = NULL;
	if (file_read_all(path, &text, &len, &cause) != 0) {
		cmd_error("rules eval", "%s", cause);
		free(cause);
		return LW_EXIT_NOINPUT;
	}
	if (cmd_rules_load("rules eval", rules_path, &r) != 0) {
		free(text);
		return LW_EXIT_DATAERR;
	}
	struct classify_eval e;
	int rc = LW_EXIT_OK;
	if (classify_eval_text(r, path, text, len, &e, &cause) != 0) {
		cmd_error("rules eval", "%s", cause);
		free(cause);
		rc = LW_EXIT_DATAERR;
	} else {
		char *rep = classify_eval_report(&e);
		fputs(e.misses, stdout);
		fputs("rules: ", stdout);
		cmd_put_safe(stdout, classify_rules_source(r), 300);
		printf("\n%s", rep);
		free(rep);
		classify_eval_done(&e);
	}
	classify_rules_free(r);
	free(text);
	return rc;
}

int
cmd_rules(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"rules", required_argument, NULL, 'r'}, CMD_OPTION_HELP, CMD_OPTION_END};
	struct cmd_opts o = {.prog = "rules", .usage = rules_usage, .in_order = true};
	int rc;
	if ((rc = cmd_plain_args(&o, argc, argv, 1, 4)) >= 0)
		return rc;
	if (strcmp(argv[optind], "eval") != 0)
		return cmd_usage_error(&o, "unknown command '%s'", argv[optind]);
	argc -= optind;
	argv += optind;
	o = (struct cmd_opts){.prog = "rules eval", .usage = rules_usage, .longopts = longopts};
	const char *rules_path = NULL;
	int c;
	while ((c = cmd_getopt(&o, argc, argv)) != -1) {
		if (c == CMD_OPT_DONE)
			return o.status;
		if (c == 'r')
			rules_path = optarg;
	}
	if ((rc = cmd_operands(&o, argc, argv, 1, 1)) != 0)
		return rc;
	return rules_eval(argv[optind], rules_path);
}
