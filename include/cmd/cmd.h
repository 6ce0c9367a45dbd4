/*
 * cmd: the subcommands of the launchwatch binary. Each takes the arguments
 * from its own name on (argv[0] is the subcommand name), reads them with
 * cmd_getopt (cmd/cmd_util.h: --help on each) and returns an exit status
 * from enum lw_exit. Called on the main thread only.
 */
#ifndef LW_CMD_H
#define LW_CMD_H

/* launchwatch campaign add|list|show|pause|resume|close ... */
int cmd_campaign(int argc, char **argv);
/* launchwatch [tui]: the interactive console. */
int cmd_tui(int argc, char **argv);
/* launchwatch sim [options]: the built-in simulated twitterapi.io. */
int cmd_sim(int argc, char **argv);
/* launchwatch api get-tweet|walk|balance|user ...: provider debug calls. */
int cmd_api(int argc, char **argv);
/* launchwatch run [--once] [--for SECS]: headless scheduler and workers. */
int cmd_run(int argc, char **argv);
/* launchwatch tweet-report URL: one tweet's metrics and engagers. */
int cmd_tweet_report(int argc, char **argv);
/* launchwatch alerts test ID: a test alert through each channel. */
int cmd_alerts(int argc, char **argv);
/* launchwatch report ID [--format md|csv|json|html] [--out DIR]. */
int cmd_report(int argc, char **argv);
/* launchwatch archive verify DIR. */
int cmd_archive(int argc, char **argv);
/* launchwatch db init [--shard]. */
int cmd_db(int argc, char **argv);
/* launchwatch rules eval FILE [--rules RULES]: the rules against labelled
 * accounts. */
int cmd_rules(int argc, char **argv);
/* launchwatch status [--json]: the installation's health; exit 0, 1 or 69. */
int cmd_status(int argc, char **argv);

#endif
