/*
 * cmd_report: `launchwatch report ID [--format md|csv|json|html] [--out DIR]`
 * and `launchwatch archive verify DIR`. Main thread only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
