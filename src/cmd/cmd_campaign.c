/*
 * cmd_campaign: `launchwatch campaign add|list|show|pause|resume|close`.
 * Loads and validates campaign files before touching the database, so a bad
 * file writes nothing. Main thread only.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/campaign.h"
#include "engine/closeout.h"
#include "cmd/cmd.h"
#include "cmd/cmd_util.h"
#include "config/config.h"
#include "console/draw.h"
#include "store/devdb.h"
#include "store/store.h"
#include "store/store_report.h"
#include "base/text.h"
#include "base/timestr.h"
#include "base/util.h"

struct subcommand {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
	const char *help;
};

static int campaign_add(int argc, char **argv);
static int campaign_list(int argc, char **argv);
static int campaign_show(int argc, char **argv);
static int campaign_pause(int argc, char **argv);
static int campaign_resume(int argc, char **argv);
static int campaign_close(int argc, char **argv);

static const struct subcommand subcommands[] = {
    {"add", campaign_add, "add FILE.yaml",
        "create or update the campaigns in FILE (by name); prints ID<TAB>NAME for each"},
    {"list", campaign_list, "list", "one line per campaign: id, name, client, status, window"},
    {"show", campaign_show, "show ID|NAME",
        "every setting of one campaign (secrets as references)"},
    {"pause", campaign_pause, "pause ID|NAME", "stop polling a campaign, keeping all its data"},
    {"resume", campaign_resume, "resume ID|NAME", "resume polling a paused campaign"},
    {"close", campaign_close, "close ID|NAME", "ask the report job to close a campaign out now"},
    {"reopen", campaign_reopen_cmd, "reopen ID|NAME [--yes] [--note TEXT]",
        "reopen a completed campaign (asks to confirm; recorded in reopen_history)"},
};

/* Prints the usage of `launchwatch campaign` to f. */
static void
usage(FILE *f)
{
	fputs("usage: launchwatch campaign COMMAND [ARGS]\n\ncommands:\n", f);
	for (size_t i = 0; i < LW_ARRAY_LEN(subcommands); i++)
		fprintf(f, "  %-16s %s\n", subcommands[i].usage, subcommands[i].help);
	fputs("\nThe database is MONGODB_URI (database LAUNCHWATCH_DB), or the embedded devdb\n"
	      "under $XDG_DATA_HOME/launchwatch/devdb when MONGODB_URI is unset.\n"
	      "Exit status: 0 ok, 1 error, 64 usage, 65 bad campaign file, 66 file not\n"
	      "readable, 69 database unreachable.\n",
	    f);
}

int
cmd_campaign(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? LW_EXIT_USAGE : LW_EXIT_OK;
	}
	for (size_t i = 0; i < LW_ARRAY_LEN(subcommands); i++) {
		const struct subcommand *sc = &subcommands[i];
		if (strcmp(argv[1], sc->name) != 0)
			continue;
		if (argc > 2 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0)) {
			printf("usage: launchwatch campaign %s\n\n%s\n", sc->usage, sc->help);
			return LW_EXIT_OK;
		}
		return sc->fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "launchwatch campaign: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return LW_EXIT_USAGE;
}

/* Opens the store or prints why not; returns 0 or LW_EXIT_UNAVAILABLE. */
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

/* Closes what open_store opened. */
static void
close_store(struct store *s, struct devdb *dd)
{
	store_free(s);
	devdb_release(dd);
}

/* Checks that a subcommand got exactly want arguments after its name. */
static bool
want_args(int argc, char **argv, int want)
{
	if (argc == want + 1)
		return true;
	for (size_t i = 0; i < LW_ARRAY_LEN(subcommands); i++)
		if (strcmp(argv[0], subcommands[i].name) == 0)
			fprintf(stderr, "usage: launchwatch campaign %s\n", subcommands[i].usage);
	return false;
}

static int
campaign_add(int argc, char **argv)
{
	struct cfg_file *f = NULL;
	struct store *s = NULL;
	struct devdb *dd = NULL;
	char *cause = NULL;
	int rc;
	if (!want_args(argc, argv, 1))
		return LW_EXIT_USAGE;
	if (config_load_file(argv[1], &f, &cause) != 0) {
		fprintf(stderr, "%s\n", cause);
		/* a file that cannot be read has no line:col */
		rc =
		    strncmp(cause, argv[1], strlen(argv[1])) == 0 &&
		            cause[strlen(argv[1])] == ':' &&
		            (cause[strlen(argv[1]) + 1] >= '0' && cause[strlen(argv[1]) + 1] <= '9')
		        ? LW_EXIT_DATAERR
		        : LW_EXIT_NOINPUT;
		free(cause);
		return rc;
	}
	if ((rc = open_store(&s, &dd)) != 0)
		goto done;
	for (size_t i = 0; i < f->ncampaigns; i++) {
		struct store_upsert_result res;
		const struct cfg_campaign *c = &f->campaigns[i];
		if (store_campaign_upsert(s, c, clock_now_ms(), &res, &cause) != 0) {
			fprintf(stderr, "launchwatch: campaign '%s': %s\n", c->name, cause);
			rc = LW_EXIT_UNAVAILABLE;
			goto done;
		}
		char *name = text_sanitize(c->name, strlen(c->name), 200);
		printf("%s\t%s\n", res.id, name);
		fprintf(stderr, "%s: %s", res.id,
		    res.created   ? "created"
		    : res.changed ? "updated"
		                  : "unchanged");
		if (!res.created && (res.tweets_added || res.tweets_dropped))
			fprintf(stderr, " (%zu tweets added, %zu dropped; their data is kept)",
			    res.tweets_added, res.tweets_dropped);
		fputc('\n', stderr);
		free(name);
	}
	rc = LW_EXIT_OK;
done:
	free(cause);
	config_free(f);
	close_store(s, dd);
	return rc;
}

/* Prints at most width display columns of text, padded; wide characters
 * count two columns (draw_cp_width), and a cut text ends with '~'. */
static void
print_cell(const char *text, int width)
{
	char *t = text_sanitize(text ? text : "", strlen(text ? text : ""), 4 * (size_t)width);
	size_t len = strlen(t), i = 0, fit = 0;
	int cols = 0, fit_cols = 0;
	while (i < len) {
		uint32_t cp;
		size_t n = text_utf8_decode(t + i, len - i, &cp);
		int w = draw_cp_width(cp);
		if (cols + w > width)
			break;
		i += n;
		cols += w;
		if (cols <= width - 1) { /* still room for the '~' after it */
			fit = i;
			fit_cols = cols;
		}
	}
	if (i < len) { /* cut: keep what leaves one column for '~' */
		t[fit] = '~';
		t[fit + 1] = '\0';
		cols = fit_cols + 1;
	}
	printf("%s%*s", t, width - cols > 0 ? width - cols : 0, "");
	free(t);
}

static int
campaign_list(int argc, char **argv)
{
	struct store *s = NULL;
	struct devdb *dd = NULL;
	struct campaign *v = NULL;
	size_t n = 0;
	char *cause = NULL;
	int rc;
	if (!want_args(argc, argv, 0))
		return LW_EXIT_USAGE;
	if ((rc = open_store(&s, &dd)) != 0)
		return rc;
	if (store_campaign_list(s, &v, &n, &cause) != 0) {
		fprintf(stderr, "launchwatch: %s\n", cause);
		rc = LW_EXIT_UNAVAILABLE;
		goto done;
	}
	if (n == 0) {
		fputs(
		    "no campaigns yet; add one with: launchwatch campaign add FILE.yaml\n", stderr);
		goto done;
	}
	printf("%-33s %-28s %-16s %-9s %-35s %s\n", "ID", "NAME", "CLIENT", "STATUS",
	    "WINDOW (UTC)", "TWEETS main/infl/inv");
	for (size_t i = 0; i < n; i++) {
		const struct campaign *c = &v[i];
		char start[32], end[32];
		size_t per[CAT__COUNT] = {0};
		for (size_t t = 0; t < c->cfg.ntweets; t++)
			per[c->cfg.tweets[t].category]++;
		timestr_format_time(c->cfg.start_s, start, sizeof start);
		timestr_format_time(c->cfg.end_s, end, sizeof end);
		printf("%-33s ", c->id);
		print_cell(c->cfg.name, 28);
		putchar(' ');
		print_cell(c->cfg.client.name, 16);
		printf(" %-9s %.16s..%.16s  %zu/%zu/%zu\n", campaign_status_name(c->status), start,
		    end, per[CAT_MAIN], per[CAT_INFLUENCER], per[CAT_INVESTOR]);
	}
done:
	for (size_t i = 0; i < n; i++)
		campaign_done(&v[i]);
	free(v);
	free(cause);
	close_store(s, dd);
	return rc;
}

/* Loads the campaign named by key or prints why not; returns 0 or a status. */
static int
load_campaign(struct store *s, const char *key, struct campaign *c)
{
	char *cause = NULL;
	int rc = store_campaign_get(s, key, c, &cause);
	if (rc == 0)
		return 0;
	if (rc == 1) {
		char *k = text_sanitize(key, strlen(key), 200);
		fprintf(stderr,
		    "launchwatch: no campaign with id or name '%s' (see: launchwatch "
		    "campaign list)\n",
		    k);
		free(k);
		return LW_EXIT_ERROR;
	}
	fprintf(stderr, "launchwatch: %s\n", cause);
	free(cause);
	return LW_EXIT_UNAVAILABLE;
}

/* Prints one "key: value" line with the value sanitized. */
static void
show_line(const char *key, const char *value)
{
	char *v = text_sanitize(value ? value : "", strlen(value ? value : ""), 4096);
	printf("%-26s %s\n", key, v);
	free(v);
}

/* Prints a list of strings as one comma-separated line. */
static void
show_list(const char *key, char *const *v, size_t n, const char *empty)
{
	struct sbuf b;
	sbuf_init(&b);
	for (size_t i = 0; i < n; i++)
		sbuf_printf(&b, "%s%s", i ? ", " : "", v[i]);
	show_line(key, b.len ? b.s : empty);
	sbuf_done(&b);
}

static int
campaign_show(int argc, char **argv)
{
	struct store *s = NULL;
	struct devdb *dd = NULL;
	struct campaign c;
	char buf[64], buf2[64];
	int rc;
	if (!want_args(argc, argv, 1))
		return LW_EXIT_USAGE;
	if ((rc = open_store(&s, &dd)) != 0)
		return rc;
	if ((rc = load_campaign(s, argv[1], &c)) != 0)
		goto done;
	const struct cfg_campaign *k = &c.cfg;
	show_line("id", c.id);
	show_line("name", k->name);
	show_line("status", campaign_status_name(c.status));
	if (c.close_requested_at_ms) {
		timestr_format_time(c.close_requested_at_ms / 1000, buf, sizeof buf);
		show_line("close requested at", buf);
	}
	show_line("client.name", k->client.name);
	show_line("client.contact", k->client.contact);
	show_line("client.notes", k->client.notes);
	timestr_format_time(k->start_s, buf, sizeof buf);
	show_line("window.start", buf);
	timestr_format_time(k->end_s, buf, sizeof buf);
	show_line("window.end", buf);
	for (size_t i = 0; i < k->ntweets; i++) {
		char *key = xasprintf("tweets.%s", category_name(k->tweets[i].category));
		char *val = xasprintf("%s  %s", k->tweets[i].id, k->tweets[i].url);
		show_line(key, val);
		free(key);
		free(val);
	}
	static const char *const cad[] = {"metrics", "retweets", "replies", "quotes"};
	const int64_t cadv[] = {
	    k->cadence.metrics, k->cadence.retweets, k->cadence.replies, k->cadence.quotes};
	for (size_t i = 0; i < LW_ARRAY_LEN(cad); i++) {
		char key[32];
		snprintf(key, sizeof key, "cadence.%s", cad[i]);
		timestr_format_duration(cadv[i], buf, sizeof buf);
		show_line(key, buf);
	}
	const struct cfg_alerts *a = &k->alerts;
	snprintf(buf, sizeof buf, "%d", a->min_importance);
	show_line("alerts.min_importance", buf);
	show_list("alerts.buckets", a->buckets, a->nbuckets, "(none)");
	show_list("alerts.actions", a->actions, a->nactions, "(all)");
	show_list("alerts.categories", a->categories, a->ncategories, "(all)");
	show_list("alerts.watch", a->watch, a->nwatch, "(none)");
	show_line("alerts.slack_webhook", *a->slack_webhook_ref ? a->slack_webhook_ref : "(none)");
	if (a->has_email) {
		show_list("alerts.email.to", a->email.to, a->email.nto, "(none)");
		show_line("alerts.email.smtp_url", a->email.smtp_url);
		show_line("alerts.email.user", a->email.user);
		show_line("alerts.email.password",
		    *a->email.password_ref ? a->email.password_ref : "(none)");
	} else {
		show_line("alerts.email", "(none)");
	}
	timestr_format_duration(a->quiet_window_s, buf, sizeof buf);
	show_line("alerts.quiet_window", buf);
	if (a->has_min_sentiment)
		snprintf(buf, sizeof buf, "%g", a->min_sentiment);
	show_line("alerts.min_sentiment", a->has_min_sentiment ? buf : "(off)");
	for (int i = 0; i < CAT__COUNT; i++) {
		const char *cat = category_name((enum tweet_category)i);
		char key[48];
		snprintf(key, sizeof key, "cpm.%s", cat);
		if (c.cfg.cpm.has_benchmark[i])
			snprintf(buf, sizeof buf, "benchmark $%.2f", k->cpm.benchmark_usd[i]);
		else
			snprintf(buf, sizeof buf, "no benchmark");
		if (c.cfg.cpm.has_spend[i])
			snprintf(buf2, sizeof buf2, ", spend $%.2f", k->cpm.spend_usd[i]);
		else
			buf2[0] = '\0';
		char *val = xasprintf("%s%s", buf, buf2);
		show_line(key, val);
		free(val);
	}
	timestr_format_time(c.created_at_ms / 1000, buf, sizeof buf);
	show_line("created_at", buf);
	timestr_format_time(c.updated_at_ms / 1000, buf, sizeof buf);
	show_line("updated_at", buf);
	if (c.completed_at_ms) {
		timestr_format_time(c.completed_at_ms / 1000, buf, sizeof buf);
		show_line("completed_at", buf);
	}
	campaign_done(&c);
done:
	close_store(s, dd);
	return rc;
}

/* The verbs that change a campaign's status. */
enum verb { V_PAUSE, V_RESUME, V_CLOSE };

/* Applies a status verb to the campaign named argv[1]. */
static int
change_status(int argc, char **argv, enum verb verb)
{
	struct store *s = NULL;
	struct devdb *dd = NULL;
	struct campaign c;
	char *cause = NULL;
	int rc, loaded = 0;
	int64_t now = clock_now_ms();
	if (!want_args(argc, argv, 1))
		return LW_EXIT_USAGE;
	if ((rc = open_store(&s, &dd)) != 0)
		return rc;
	if ((rc = load_campaign(s, argv[1], &c)) != 0)
		goto done;
	loaded = 1;
	if (c.status == CS_COMPLETED) {
		fprintf(
		    stderr, "launchwatch: campaign %s is completed; its report is frozen\n", c.id);
		rc = LW_EXIT_ERROR;
		goto done;
	}
	int r = 0;
	const char *what = "";
	switch (verb) {
	case V_PAUSE:
		if (c.status == CS_PAUSED) {
			what = "was already paused";
			break;
		}
		r = store_campaign_set_status(s, c.id, CS_PAUSED, now, &cause);
		what = "paused";
		break;
	case V_RESUME:
		if (c.status != CS_PAUSED) {
			what = "is not paused";
			break;
		}
		r = store_campaign_set_status(
		    s, c.id, campaign_initial_status(&c.cfg, now), now, &cause);
		what = now < c.cfg.start_s * 1000 ? "resumed (scheduled)" : "resumed (active)";
		break;
	case V_CLOSE:
		r = store_campaign_request_close(s, c.id, now, &cause);
		what = "marked for close-out; the report job freezes it and writes the report";
		break;
	}
	if (r != 0) {
		fprintf(stderr, "launchwatch: %s\n", cause);
		rc = LW_EXIT_UNAVAILABLE;
		goto done;
	}
	printf("%s %s\n", c.id, what);
	rc = LW_EXIT_OK;
done:
	if (loaded)
		campaign_done(&c);
	free(cause);
	close_store(s, dd);
	return rc;
}

static int
campaign_pause(int argc, char **argv)
{
	return change_status(argc, argv, V_PAUSE);
}

static int
campaign_resume(int argc, char **argv)
{
	return change_status(argc, argv, V_RESUME);
}

static int
campaign_close(int argc, char **argv)
{
	return change_status(argc, argv, V_CLOSE);
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
			cmd_no_campaign(key);
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
