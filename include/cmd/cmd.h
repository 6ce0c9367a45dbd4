/*
 * cmd: the subcommands of the launchwatch binary. Each takes the arguments
 * after its own name (argv[0] is the subcommand name) and returns an exit
 * status from enum lw_exit. Called on the main thread only.
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

/* Commands that land with later work are weak: the binary links without
 * them and main() reports a missing one instead of running it. */
/* launchwatch run [--once] [--for SECS]: headless scheduler and workers. */
int cmd_run(int argc, char **argv) __attribute__((weak));
/* launchwatch tweet-report URL: one tweet's metrics and engagers. */
int cmd_tweet_report(int argc, char **argv) __attribute__((weak));
/* launchwatch alerts test ID: a test alert through each channel. */
int cmd_alerts(int argc, char **argv) __attribute__((weak));
/* launchwatch report ID [--format md|csv|json|html] [--out DIR]. */
int cmd_report(int argc, char **argv) __attribute__((weak));
/* launchwatch archive verify DIR. */
int cmd_archive(int argc, char **argv) __attribute__((weak));

#endif
