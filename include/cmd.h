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

#endif
