/*
 * main: the table of subcommands: parses the top-level command line (--help,
 * --version, the console's options) and hands the rest to a subcommand,
 * which reads its own options (cmd/cmd_util.h). Main thread only.
 */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "base/util.h"

#ifndef LW_VERSION
#define LW_VERSION "0.1.0"
#endif

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
    {"tui", cmd_tui, "interactive console (the default)"},
    {"campaign", cmd_campaign, "add, list, show, pause, resume or close campaigns"},
    {"sim", cmd_sim, "built-in simulated twitterapi.io for demos and tests"},
    {"api", cmd_api, "debug calls to the provider: get-tweet, walk, balance, user"},
    {"run", cmd_run, "headless: scheduler, workers, alerts, reports; no curses"},
    {"tweet-report", cmd_tweet_report, "single-tweet report with the same classifier"},
    {"alerts", cmd_alerts, "send a test alert through each configured channel"},
    {"report", cmd_report, "write a campaign report (md, csv, json or html)"},
    {"archive", cmd_archive, "verify an audit archive's counts and sha256 sums"},
    {"status", cmd_status, "how it is doing: database, engines, jobs, lag; exit 0, 1 or 69"},
    {"rules", cmd_rules, "rules eval FILE: the classifier's accuracy on labelled bios"},
    {"db", cmd_db, "db init [--shard]: create the collections and indexes; shard them"},
};

static void
usage(FILE *f)
{
	fputs("usage: launchwatch [COMMAND] [ARGS...]\n\n"
	      "Watches product-launch campaigns on X live.\n\ncommands:\n",
	    f);
	for (size_t i = 0; i < LW_ARRAY_LEN(commands); i++)
		fprintf(f, "  %-13s %s\n", commands[i].name, commands[i].summary);
	fputs("\nEvery command has --help. Environment: MONGODB_URI (unset: embedded devdb),\n"
	      "LAUNCHWATCH_DB, TWITTERAPI_KEY or TWITTERAPI_KEY_FILE, TWITTERAPI_BASE_URL,\n"
	      "LAUNCHWATCH_QPS, XDG_DATA_HOME. See launchwatch(1).\n",
	    f);
}

int
main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	if (argc < 2) /* the console, with argv[0] as its name */
		return cmd_tui(argc, argv);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return LW_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("launchwatch %s\n", LW_VERSION);
		return LW_EXIT_OK;
	}
	if (argv[1][0] == '-' &&
	    argv[1][1] == '-') /* `launchwatch --theme X`: the console's options */
		return cmd_tui(argc, argv);
	for (size_t i = 0; i < LW_ARRAY_LEN(commands); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "launchwatch: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return LW_EXIT_USAGE;
}
