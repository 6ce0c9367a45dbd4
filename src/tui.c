/*
 * tui: the interactive console. The panes, aggregates and hotkeys are built
 * in issue 5; until then this entry point says so instead of pretending.
 * Main thread only.
 */
#include <stdio.h>

#include "cmd.h"
#include "util.h"

int
cmd_tui(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("launchwatch: the interactive console is not built yet; use\n"
	      "  launchwatch campaign add FILE.yaml && launchwatch campaign list\n",
	    stderr);
	return LW_EXIT_ERROR;
}
