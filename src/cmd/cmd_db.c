/*
 * cmd_db: `launchwatch db init [--shard]`: the collections and indexes that
 * every command creates on first use, listed, with the indexes kept under
 * other names reported; with --shard, against a mongos, the per-campaign
 * collections sharded on {campaign_id: "hashed", _id: 1}
 * (docs/operations.md, "Running at scale"). Main thread only.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/cmd_util.h"
#include "store/devdb.h"
#include "store/store.h"
#include "store/store_shard.h"
#include "base/util.h"

static const char db_usage[] =
    "usage: launchwatch db init [--shard]\n"
    "\n"
    "Creates launchwatch's collections and indexes in the database of MONGODB_URI\n"
    "(unset: the embedded devdb) and LAUNCHWATCH_DB, as every command does on first\n"
    "use, and lists them; worker_log is capped where the server supports it. An\n"
    "index that already exists under another name is reported and kept.\n"
    "--shard: on a sharded cluster (MONGODB_URI names a mongos), also shards\n"
    "engagements, metric_slices, worker_state, alerts_sent, aggregates and changes\n"
    "on " STORE_SHARD_KEY " (MongoDB 4.4 or newer).\n"
    "Exit status: 0 ok, 1 --shard against a server that is not a mongos, or an\n"
    "error, 64 usage, 69 database unreachable.\n";

static const struct option db_longopts[] = {
    {"shard", no_argument, NULL, 's'},
    CMD_OPTION_HELP,
    CMD_OPTION_END,
};

/* Prints one collection's line of the report. */
static void
print_coll(const struct store_coll_info *c)
{
	printf("%-15s", c->name);
	if (c->capped)
		printf(" capped (%" PRId64 " bytes, %" PRId64 " documents);", c->capped_bytes,
		    c->capped_docs);
	printf(" indexes: %s", c->indexes);
	if (c->sharded)
		printf("; sharded on %s", STORE_SHARD_KEY);
	if (c->shard_note)
		printf("; shard key %s", c->shard_note);
	putchar('\n');
}

/* Runs db init on the opened store; returns the exit status. */
static int
db_init(struct store *s, bool shard)
{
	struct store_db_report r;
	char *cause = NULL;
	int rc = store_db_init(s, shard, &r, &cause);
	/* the kind store_open found: FerretDB, MongoDB, mongo-java-server */
	printf("database %s: %s\n", store_describe(s),
	    r.mongos ? "MongoDB (mongos)" : store_server_kind(s));
	for (size_t i = 0; i < r.n; i++)
		print_coll(&r.v[i]);
	int status = LW_EXIT_OK;
	if (rc != 0) {
		cmd_error("db init", "%s", cause);
		status = LW_EXIT_ERROR;
	} else if (shard && !r.mongos) {
		cmd_error("db init",
		    "--shard: %s is not a mongos (the router of a sharded cluster): nothing was "
		    "sharded; the collections and indexes above are ready",
		    store_describe(s));
		status = LW_EXIT_ERROR;
	}
	free(cause);
	store_db_report_done(&r);
	return status;
}

int
cmd_db(int argc, char **argv)
{
	struct cmd_opts o = {.prog = "db", .usage = db_usage, .in_order = true};
	int rc;
	if ((rc = cmd_plain_args(&o, argc, argv, 1, 2)) >= 0)
		return rc;
	if (strcmp(argv[optind], "init") != 0)
		return cmd_usage_error(&o, "unknown command '%s'", argv[optind]);
	argc -= optind;
	argv += optind;
	o = (struct cmd_opts){.prog = "db init", .usage = db_usage, .longopts = db_longopts};
	bool shard = false;
	int c;
	while ((c = cmd_getopt(&o, argc, argv)) != -1) {
		if (c == CMD_OPT_DONE)
			return o.status;
		if (c == 's')
			shard = true;
	}
	if ((rc = cmd_operands(&o, argc, argv, 0, 0)) != 0)
		return rc;
	struct store *s;
	struct devdb *dd;
	if ((rc = cmd_store_open("db init", &s, &dd)) != 0)
		return rc;
	rc = db_init(s, shard);
	cmd_store_close(s, dd);
	return rc;
}
