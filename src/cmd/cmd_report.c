/*
 * cmd_report: `launchwatch report ID [--format md|csv|json|html] [--out DIR]`,
 * `launchwatch archive verify DIR`, and the `campaign reopen` subcommand
 * (campaign_reopen_cmd, wired into cmd_campaign's table). Main thread only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output/archive.h"
#include "output/report_write.h"
#include "engine/closeout.h"
#include "cmd/cmd.h"
#include "store/devdb.h"
#include "model/report.h"
#include "store/store.h"
#include "store/store_report.h"
#include "base/text.h"
#include "base/util.h"

static const char report_usage[] =
    "usage: launchwatch report ID|NAME [--format FORMATS] [--out DIR] [--top N]\n"
    "\n"
    "Writes the campaign's report into DIR (default: the current directory), each\n"
    "file atomically: ID.md, ID.json, ID.html, or one ID-TABLE.csv per table.\n"
    "FORMATS is md (the default), csv, json, html, a comma-separated list, or all.\n"
    "A campaign that is not completed is marked \"live, not final\"; a completed\n"
    "one is rendered from its frozen totals and never changes.\n"
    "Exit status: 0 ok, 1 error, 64 usage, 69 database unreachable.\n";

static const char archive_usage[] =
    "usage: launchwatch archive verify DIR\n"
    "\n"
    "Recomputes the sha256 and the document count of every file listed in\n"
    "DIR/manifest.json and names each file that does not match.\n"
    "Exit status: 0 all match, 1 some do not, 64 usage, 66 no readable manifest.\n";

/* Parses a FORMATS list into want[]; 0 or -1. */
static int
parse_formats(const char *list, bool want[RF__COUNT])
{
	char *copy = xstrdup(list), *save = NULL;
	int rc = 0;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		enum report_format f;
		if (strcmp(tok, "all") == 0) {
			for (int i = 0; i < RF__COUNT; i++)
				want[i] = true;
		} else if (report_format_parse(tok, &f) == 0) {
			want[f] = true;
		} else {
			rc = -1;
		}
	}
	free(copy);
	return rc;
}

/* Opens the store or prints why not; 0 or LW_EXIT_UNAVAILABLE. */
static int
open_store(struct store **s, struct devdb **dd)
{
	char *cause = NULL;
	if (lw_store_open(s, dd, &cause) != 0) {
		fprintf(stderr, "launchwatch: %s\n", cause);
		free(cause);
		return LW_EXIT_UNAVAILABLE;
	}
	return 0;
}

/* Prints that there is no campaign called key. */
static void
no_campaign(const char *key)
{
	char *k = text_sanitize(key, strlen(key), 200);
	fprintf(stderr,
	    "launchwatch: no campaign with id or name '%s' (see: launchwatch campaign list)\n", k);
	free(k);
}

int
cmd_report(int argc, char **argv)
{
	const char *key = NULL, *out = ".", *formats = "md";
	bool want[RF__COUNT] = {false};
	long top = REPORT_TOP_DEFAULT;
	struct store *s = NULL;
	struct devdb *dd = NULL;
	struct report r = {0};
	char **paths = NULL, *cause = NULL;
	size_t npaths = 0;
	int rc;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(report_usage, stdout);
			return LW_EXIT_OK;
		}
		if ((strcmp(a, "--format") == 0 || strcmp(a, "--out") == 0 ||
		        strcmp(a, "--top") == 0) &&
		    i + 1 < argc) {
			const char *v = argv[++i];
			if (a[2] == 'f')
				formats = v;
			else if (a[2] == 'o')
				out = v;
			else if ((top = strtol(v, NULL, 10)) <= 0 || top > 10000)
				goto usage;
		} else if (a[0] != '-' && key == NULL) {
			key = a;
		} else {
			goto usage;
		}
	}
	if (key == NULL || parse_formats(formats, want) != 0)
		goto usage;
	if ((rc = open_store(&s, &dd)) != 0)
		return rc;
	int got = closeout_report(s, key, clock_now_ms(), (size_t)top, &r, &cause);
	if (got != 0) {
		if (got == 1)
			no_campaign(key);
		else
			fprintf(stderr, "launchwatch: %s\n", cause);
		rc = got == 1 ? LW_EXIT_ERROR : LW_EXIT_UNAVAILABLE;
		goto done;
	}
	for (int f = 0; f < RF__COUNT; f++) {
		if (want[f] &&
		    report_write(&r, (enum report_format)f, out, &paths, &npaths, &cause) != 0) {
			fprintf(stderr, "launchwatch: writing the report: %s\n", cause);
			rc = LW_EXIT_ERROR;
			goto done;
		}
	}
	for (size_t i = 0; i < npaths; i++)
		printf("%s\n", paths[i]);
	fprintf(stderr, "%s: %s report (%s)\n", r.campaign_id,
	    r.final ? "final" : "live, not final", campaign_status_name(r.status));
	rc = LW_EXIT_OK;
done:
	for (size_t i = 0; i < npaths; i++)
		free(paths[i]);
	free(paths);
	free(cause);
	report_done(&r);
	store_free(s);
	devdb_release(dd);
	return rc;
usage:
	fputs(report_usage, stderr);
	return LW_EXIT_USAGE;
}

int
cmd_archive(int argc, char **argv)
{
	char *report = NULL, *cause = NULL;
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(archive_usage, stdout);
		return LW_EXIT_OK;
	}
	if (argc != 3 || strcmp(argv[1], "verify") != 0) {
		fputs(archive_usage, stderr);
		return LW_EXIT_USAGE;
	}
	int rc = archive_verify(argv[2], &report, &cause);
	if (rc < 0) {
		fprintf(stderr, "launchwatch: %s\n", cause);
		free(cause);
		return LW_EXIT_NOINPUT;
	}
	fputs(report, rc ? stderr : stdout);
	if (rc)
		fprintf(stderr, "archive %s: verification FAILED\n", argv[2]);
	else
		printf("archive %s: all files match the manifest\n", argv[2]);
	free(report);
	return rc ? LW_EXIT_ERROR : LW_EXIT_OK;
}

/* Asks on the terminal whether to reopen id; true on y or yes. */
static bool
confirm(const char *id)
{
	char line[64];
	fprintf(stderr,
	    "Reopen completed campaign %s? Its frozen report moves to reopen_history, its\n"
	    "archive stays, and it is polled again. [y/N] ",
	    id);
	fflush(stderr);
	if (fgets(line, sizeof line, stdin) == NULL)
		return false;
	line[strcspn(line, "\r\n")] = '\0';
	return strcmp(line, "y") == 0 || strcmp(line, "Y") == 0 || strcmp(line, "yes") == 0;
}

int
campaign_reopen_cmd(int argc, char **argv)
{
	const char *key = NULL, *note = "";
	bool yes = false;
	struct store *s = NULL;
	struct devdb *dd = NULL;
	struct campaign c;
	char *cause = NULL;
	int rc, loaded = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--yes") == 0 || strcmp(argv[i], "-y") == 0)
			yes = true;
		else if (strcmp(argv[i], "--note") == 0 && i + 1 < argc)
			note = argv[++i];
		else if (argv[i][0] != '-' && key == NULL)
			key = argv[i];
		else
			key = NULL, i = argc;
	}
	if (key == NULL) {
		fputs("usage: launchwatch campaign reopen ID|NAME [--yes] [--note TEXT]\n", stderr);
		return LW_EXIT_USAGE;
	}
	if ((rc = open_store(&s, &dd)) != 0)
		return rc;
	rc = store_campaign_get(s, key, &c, &cause);
	if (rc != 0) {
		if (rc == 1)
			no_campaign(key);
		else
			fprintf(stderr, "launchwatch: %s\n", cause);
		rc = rc == 1 ? LW_EXIT_ERROR : LW_EXIT_UNAVAILABLE;
		goto done;
	}
	loaded = 1;
	if (c.status != CS_COMPLETED) {
		fprintf(stderr,
		    "launchwatch: campaign %s is %s, not completed; nothing to reopen\n", c.id,
		    campaign_status_name(c.status));
		rc = LW_EXIT_ERROR;
		goto done;
	}
	if (!yes && !(isatty(0) && isatty(2))) {
		fprintf(
		    stderr, "launchwatch: reopening %s needs a confirmation: pass --yes\n", c.id);
		rc = LW_EXIT_USAGE;
		goto done;
	}
	if (!yes && !confirm(c.id)) {
		fputs("not reopened\n", stderr);
		rc = LW_EXIT_ERROR;
		goto done;
	}
	int64_t now = clock_now_ms();
	enum campaign_status st = campaign_initial_status(&c.cfg, now);
	char *n = text_sanitize(note, strlen(note), 500);
	int r = store_campaign_reopen(s, c.id, st, now, n, &cause);
	free(n);
	if (r < 0) {
		fprintf(stderr, "launchwatch: %s\n", cause);
		rc = LW_EXIT_UNAVAILABLE;
		goto done;
	}
	if (r == 1) {
		fprintf(stderr, "launchwatch: campaign %s was no longer completed\n", c.id);
		rc = LW_EXIT_ERROR;
		goto done;
	}
	printf("%s reopened (%s); recorded in reopen_history\n", c.id, campaign_status_name(st));
	if (now >= c.cfg.end_s * 1000)
		fprintf(stderr,
		    "note: its window has ended, so the report job closes it out again unless the\n"
		    "window is extended (campaign add with a later end)\n");
	rc = LW_EXIT_OK;
done:
	if (loaded)
		campaign_done(&c);
	free(cause);
	store_free(s);
	devdb_release(dd);
	return rc;
}
