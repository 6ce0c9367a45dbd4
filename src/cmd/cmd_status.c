/*
 * cmd_status: `launchwatch status [--json]`: one screen (or one JSON
 * object) saying how the installation is doing, with an exit code a
 * monitor can use (model/health.h): 0 current, 1 degraded, 69 the database
 * or the provider unreachable. Read-only. Main thread only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/cmd_util.h"
#include "engine/health_collect.h"
#include "model/health.h"
#include "store/devdb.h"
#include "store/store.h"
#include "base/util.h"

static const char status_usage[] =
    "usage: launchwatch status [--json]\n"
    "\n"
    "Says how launchwatch is doing on the database of MONGODB_URI (unset: the\n"
    "embedded devdb) and LAUNCHWATCH_DB: the database, the engines running, and per\n"
    "campaign its jobs (held back: blocked, retrying or stopped; late: more than 5\n"
    "minutes past due), ingest lag, requests and credits, engagements stored, and\n"
    "the alert errors of the last hour. Read-only.\n"
    "  --json   one JSON object instead of text\n"
    "Exit status: 0 current, 1 degraded (jobs held back or late, alerts failing,\n"
    "active campaigns and no engine), 69 the database or the provider cannot be\n"
    "reached, 64 usage.\n";

static const struct option status_longopts[] = {
    {"json", no_argument, NULL, 'j'},
    CMD_OPTION_HELP,
    CMD_OPTION_END,
};

/* Prints h as text or JSON and returns its verdict. */
static int
print_health(const struct health *h, bool json)
{
	struct sbuf b;
	char why[320];
	sbuf_init(&b);
	if (json)
		health_json(h, &b);
	else
		health_text(h, &b);
	fputs(b.s ? b.s : "", stdout);
	sbuf_done(&b);
	return (int)health_judge(h, why, sizeof why);
}

int
cmd_status(int argc, char **argv)
{
	struct cmd_opts o = {.prog = "status", .usage = status_usage, .longopts = status_longopts};
	bool json = false;
	int c, rc;
	while ((c = cmd_getopt(&o, argc, argv)) != -1) {
		if (c == CMD_OPT_DONE)
			return o.status;
		if (c == 'j')
			json = true;
	}
	if ((rc = cmd_operands(&o, argc, argv, 0, 0)) != 0)
		return rc;
	struct store *s = NULL;
	struct devdb *dd = NULL;
	char *cause = NULL;
	struct health h;
	if (lw_store_open(&s, &dd, &cause) != 0) {
		/* the verdict says it in the chosen form */
		memset(&h, 0, sizeof h);
		h.at_ms = clock_now_ms();
		snprintf(h.db_error, sizeof h.db_error, "%s", cause ? cause : "?");
		free(cause);
		rc = print_health(&h, json);
		return rc;
	}
	health_collect(s, clock_now_ms(), &h);
	rc = print_health(&h, json);
	health_done(&h);
	cmd_store_close(s, dd);
	return rc;
}
