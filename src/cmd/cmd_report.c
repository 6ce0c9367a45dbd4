/*
 * cmd_report: `launchwatch report ID [--format md|csv|json|html] [--out DIR]`
 * (the numbers from the prepared aggregates, caught up here when no engine
 * aggregates the campaign; the engagement table streamed with a progress
 * line), `launchwatch archive verify DIR` and `launchwatch archive key`.
 * Main thread only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "output/archive.h"
#include "output/archive_sign.h"
#include "output/report_write.h"
#include "engine/report_data.h"
#include "cmd/cmd.h"
#include "cmd/cmd_util.h"
#include "store/devdb.h"
#include "model/report.h"
#include "store/store.h"
#include "store/store_report.h"
#include "base/text.h"
#include "base/util.h"

static const char report_usage[] =
    "usage: launchwatch report ID|NAME [--format FORMATS] [--out DIR] [--top N]\n"
    "\n"
    "Writes the campaign's report into DIR (default: the current directory; a new\n"
    "DIR is created when its parent exists), each\n"
    "file atomically: ID.md, ID.json, ID.html, or one ID-TABLE.csv per table plus\n"
    "ID-engagements.csv, every engagement (streamed, with a progress line).\n"
    "csv and json also write every engaged account, one row each (ID-engagers.csv,\n"
    "ID-engagers.json, streamed); xlsx writes ID.xlsx, one sheet per table.\n"
    "FORMATS is md (the default), csv, json, html, xlsx, a comma-separated list, or\n"
    "all.\n"
    "--top N lists N top engagers (1 to 100, default 20).\n"
    "A campaign that is not completed is marked \"live, not final\"; a completed\n"
    "one is rendered from its frozen totals and never changes.\n"
    "Exit status: 0 ok, 1 error, 64 usage, 69 database unreachable.\n";

static const char archive_usage[] =
    "usage: launchwatch archive verify DIR [--key ed25519:HEX] [--allow-unsigned]\n"
    "       launchwatch archive key\n"
    "\n"
    "verify recomputes the sha256 (and the document count) of every data and\n"
    "report file listed in DIR/manifest.json, names each file that does not\n"
    "match or is not listed, and checks the manifest's Ed25519 signature\n"
    "(DIR/manifest.sig) and who made it: the key given by --key, else this\n"
    "machine's archive signing key when it has one; it names the signing key.\n"
    "An archive from before signing fails as UNSIGNED unless --allow-unsigned.\n"
    "key prints the public half of this machine's archive signing key\n"
    "(DATA_DIR/archive-signing.key, made by the first close-out).\n"
    "Exit status: 0 all match, 1 some do not (or unsigned), 64 usage, 66 no\n"
    "readable manifest (verify) or no signing key yet (key).\n";

/* Parses a FORMATS list into want[] and *xlsx; 0 or -1. */
static int
parse_formats(const char *list, bool want[RF__COUNT], bool *xlsx)
{
	char *copy = xstrdup(list), *save = NULL;
	int rc = 0;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		enum report_format f;
		if (strcmp(tok, "all") == 0) {
			for (int i = 0; i < RF__COUNT; i++)
				want[i] = true;
			*xlsx = true;
		} else if (strcmp(tok, "xlsx") == 0) {
			*xlsx = true;
		} else if (report_format_parse(tok, &f) == 0) {
			want[f] = true;
		} else {
			rc = -1;
		}
	}
	free(copy);
	return rc;
}

/* Checks the --out directory arg and returns it without trailing slashes
 * (caller frees): it must be a directory, or a new one whose parent exists
 * (created here); a missing parent is an error naming the path. NULL with
 * a message on stderr when it is not usable. */
static char *
out_dir(const char *arg)
{
	char *dir = xstrdup(*arg ? arg : ".");
	for (size_t n = strlen(dir); n > 1 && dir[n - 1] == '/'; n--)
		dir[n - 1] = '\0';
	struct stat st;
	const char *why = NULL;
	if (stat(dir, &st) == 0)
		why = S_ISDIR(st.st_mode) ? NULL : "not a directory";
	else if (errno != ENOENT || mkdir(dir, 0700) != 0)
		why = errno == ENOENT ? "its parent directory does not exist (create it first)"
		                      : strerror(errno);
	if (why == NULL)
		return dir;
	fprintf(stderr, "launchwatch: --out %s: %s\n", dir, why);
	free(dir);
	return NULL;
}

/* Streams the engagement table into dir (a final report's up to its
 * freeze) and records its path; prints why on failure. 0 or -1. */
static int
write_engagements(struct store *s, const struct report *r, const char *dir, struct cmd_progress *pg,
    char ***paths, size_t *npaths)
{
	char *path = NULL, *cause = NULL;
	int64_t rows;
	int rc = report_data_engagements(s, r, r->final ? r->generated_at_ms : INT64_MAX, dir,
	    cmd_progress_show, pg, &path, &rows, &cause);
	cmd_progress_end(pg);
	if (rc != 0) {
		fprintf(stderr, "launchwatch: writing the engagement table: %s\n", cause);
		free(cause);
		return -1;
	}
	*paths = xreallocarray(*paths, *npaths + 1, sizeof **paths);
	(*paths)[(*npaths)++] = path;
	return 0;
}

/* Says on stderr where the numbers came from when it was not simply the
 * stored summary (or the frozen report). */
static void
say_source(const struct report *r, const struct report_data_info *info)
{
	const char *id = r->campaign_id;
	if (info->how == RH_REBUILT)
		fprintf(stderr,
		    "%s: the prepared aggregates were rebuilt from the stored events first (a "
		    "database from the previous release)\n",
		    id);
	else if (info->how == RH_CAUGHT_UP)
		fprintf(stderr,
		    "%s: no engine was aggregating this campaign; its prepared aggregates were "
		    "caught up with the change log here (entry %lld)%s\n",
		    id, (long long)info->seq,
		    info->persisted ? " and stored, so the next report reads them directly" : "");
	else if (info->how == RH_ENGINE)
		fprintf(stderr,
		    "%s: the numbers cover the change log up to entry %lld of %lld; an engine is "
		    "still aggregating the rest\n",
		    id, (long long)info->seq, (long long)info->head);
	if (info->listed)
		fprintf(stderr,
		    "%s: the campaign no longer lists some tweets that have data; the numbers "
		    "count "
		    "its listed tweets only%s\n",
		    id,
		    info->scanned ? " (recomputed from their stored events this time, then kept)"
		                  : "");
}

int
cmd_report(int argc, char **argv)
{
	static const struct option longopts[] = {{"format", required_argument, NULL, 'f'},
	    {"out", required_argument, NULL, 'o'}, {"top", required_argument, NULL, 't'},
	    CMD_OPTION_HELP, CMD_OPTION_END};
	struct cmd_opts o = {.prog = "report", .usage = report_usage, .longopts = longopts};
	const char *key = NULL, *out_arg = ".", *formats = "md";
	bool want[RF__COUNT] = {false}, xlsx = false;
	long top = REPORT_TOP_DEFAULT;
	struct store *s = NULL;
	struct devdb *dd = NULL;
	struct report r = {0};
	char **paths = NULL, *cause = NULL, *out = NULL;
	size_t npaths = 0;
	int rc, c;
	while ((c = cmd_getopt(&o, argc, argv)) != -1) {
		if (c == CMD_OPT_DONE)
			return o.status;
		if (c == 'f')
			formats = optarg;
		else if (c == 'o')
			out_arg = optarg;
		else if ((top = strtol(optarg, NULL, 10)) <= 0 || top > PREP_TOP_MAX)
			return cmd_usage_error(&o,
			    "--top wants a whole number from 1 to %d (every engagement is in the "
			    "csv format's engagement table)",
			    PREP_TOP_MAX);
	}
	if ((rc = cmd_operands(&o, argc, argv, 1, 1)) != 0)
		return rc;
	key = argv[optind];
	if (parse_formats(formats, want, &xlsx) != 0)
		return cmd_usage_error(&o, "unknown report format in '%s'", formats);
	if ((out = out_dir(out_arg)) == NULL)
		return LW_EXIT_ERROR;
	if ((rc = cmd_store_open(NULL, &s, &dd)) != 0) {
		free(out);
		return rc;
	}
	struct cmd_progress pg;
	cmd_progress_init(&pg);
	struct report_data_opts ro = {.progress = cmd_progress_show, .arg = &pg};
	struct report_data_info info;
	int got = report_data_get(s, key, clock_now_ms(), (size_t)top, &ro, &r, &info, &cause);
	cmd_progress_end(&pg);
	if (got != 0) {
		if (got == 1)
			cmd_no_campaign(key);
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
	if (want[RF_CSV] && write_engagements(s, &r, out, &pg, &paths, &npaths) != 0) {
		rc = LW_EXIT_ERROR;
		goto done;
	}
	struct report_engagers_want ew = {.csv = want[RF_CSV], .json = want[RF_JSON], .xlsx = xlsx};
	if (ew.csv || ew.json || ew.xlsx) {
		int64_t rows;
		int erc = report_data_engagers(s, &r, info.listed, out, &ew, cmd_progress_show, &pg,
		    &paths, &npaths, &rows, &cause);
		cmd_progress_end(&pg);
		if (erc != 0) {
			fprintf(stderr, "launchwatch: writing the engagers: %s\n", cause);
			rc = LW_EXIT_ERROR;
			goto done;
		}
	}
	for (size_t i = 0; i < npaths; i++)
		printf("%s\n", paths[i]);
	fprintf(stderr, "%s: %s report (%s)\n", r.campaign_id,
	    r.final ? "final" : "live, not final", campaign_status_name(r.status));
	say_source(&r, &info);
	rc = LW_EXIT_OK;
done:
	for (size_t i = 0; i < npaths; i++)
		free(paths[i]);
	free(paths);
	free(cause);
	free(out);
	report_done(&r);
	cmd_store_close(s, dd);
	return rc;
}

/* `archive key`: prints this machine's public archive key. */
static int
archive_key_cmd(int argc, char **argv)
{
	struct cmd_opts o = {.prog = "archive key", .usage = archive_usage};
	struct archive_key k;
	char *cause = NULL;
	int rc;
	if ((rc = cmd_plain_args(&o, argc, argv, 0, 0)) >= 0)
		return rc;
	char *path = archive_key_default_path();
	rc = archive_key_load(path, false, &k, NULL, &cause);
	if (rc == 1)
		fprintf(stderr,
		    "launchwatch archive key: no key at %s yet (the first close-out makes it)\n",
		    path);
	else if (rc < 0)
		fprintf(stderr, "launchwatch archive key: %s\n", cause);
	else
		printf("%s\n", k.public_key);
	archive_key_wipe(&k);
	free(cause);
	free(path);
	return rc == 0 ? LW_EXIT_OK : rc == 1 ? LW_EXIT_NOINPUT : LW_EXIT_ERROR;
}

/* Sets o's expected key (copied into want) from --key, else from this
 * machine's key when it has one. 0, or LW_EXIT_USAGE or LW_EXIT_ERROR. */
static int
expected_key(const struct cmd_opts *co, const char *given, struct archive_verify_opts *o,
    char want[ARCHIVE_KEY_LEN])
{
	if (given != NULL) {
		if (archive_key_normalize(given, want) != 0)
			return cmd_usage_error(co, "--key wants ed25519:HEX (64 hex digits)");
		o->expect_key = want;
		o->expect_from = "the key given by --key";
		return 0;
	}
	struct archive_key k;
	char *path = archive_key_default_path(), *cause = NULL;
	int rc = archive_key_load(path, false, &k, NULL, &cause);
	free(path);
	if (rc < 0) {
		fprintf(stderr, "launchwatch archive verify: %s\n", cause);
		free(cause);
		return LW_EXIT_ERROR;
	}
	if (rc == 0) {
		snprintf(want, ARCHIVE_KEY_LEN, "%s", k.public_key);
		o->expect_key = want;
		o->expect_from = "this machine's archive signing key";
	}
	archive_key_wipe(&k);
	return 0;
}

int
cmd_archive(int argc, char **argv)
{
	static const struct option longopts[] = {{"key", required_argument, NULL, 'k'},
	    {"allow-unsigned", no_argument, NULL, 'u'}, CMD_OPTION_HELP, CMD_OPTION_END};
	struct cmd_opts o = {.prog = "archive", .usage = archive_usage, .in_order = true};
	struct archive_verify_opts vo = {0};
	char *report = NULL, *cause = NULL, want[ARCHIVE_KEY_LEN];
	const char *key = NULL;
	int rc, c;
	if ((rc = cmd_plain_args(&o, argc, argv, 1, argc)) >= 0)
		return rc;
	if (strcmp(argv[optind], "key") == 0)
		return archive_key_cmd(argc - optind, argv + optind);
	if (strcmp(argv[optind], "verify") != 0)
		return cmd_usage_error(&o, "unknown command '%s'", argv[optind]);
	/* the verb's command line: its options and one directory */
	argc -= optind;
	argv += optind;
	o = (struct cmd_opts){
	    .prog = "archive verify", .usage = archive_usage, .longopts = longopts};
	while ((c = cmd_getopt(&o, argc, argv)) != -1) {
		if (c == CMD_OPT_DONE)
			return o.status;
		if (c == 'k')
			key = optarg;
		else
			vo.allow_unsigned = true;
	}
	if ((rc = cmd_operands(&o, argc, argv, 1, 1)) != 0)
		return rc;
	const char *dir = argv[optind];
	if ((rc = expected_key(&o, key, &vo, want)) != 0)
		return rc;
	rc = archive_verify(dir, &vo, &report, &cause);
	if (rc < 0) {
		fprintf(stderr, "launchwatch: %s\n", cause);
		free(cause);
		return LW_EXIT_NOINPUT;
	}
	fputs(report, rc ? stderr : stdout);
	if (rc)
		fprintf(stderr, "archive %s: verification FAILED\n", dir);
	else
		printf("archive %s: all files match the signed manifest\n", dir);
	free(report);
	return rc ? LW_EXIT_ERROR : LW_EXIT_OK;
}
