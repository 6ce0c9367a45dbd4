/*
 * cmd_campaign: `launchwatch campaign add|list|show|pause|resume|close|reopen`,
 * one verb per row of a table, each reading its command line with
 * cmd_getopt. Loads and validates campaign files before touching the
 * database, so a bad file writes nothing. Main thread only.
 */
#include <inttypes.h>
#include <limits.h>
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
#include "store/store_jobview.h"
#include "store/store_report.h"
#include "base/text.h"
#include "base/timestr.h"
#include "base/util.h"
#include "engine/prep_io.h"

struct subcommand;

/* A verb's command line, read with cmd_getopt. */
struct verb_args {
	struct cmd_opts o;
	char prog[32];   /* "campaign add" */
	char usage[160]; /* "usage: launchwatch campaign add FILE.yaml\n" */
};

/* One verb of `launchwatch campaign`. */
struct subcommand {
	const char *name;
	int (*fn)(const struct subcommand *sc, int argc, char **argv);
	const char *usage; /* after "launchwatch campaign " */
	const char *help;
};

static int campaign_add(const struct subcommand *sc, int argc, char **argv);
static int campaign_list(const struct subcommand *sc, int argc, char **argv);
static int campaign_show(const struct subcommand *sc, int argc, char **argv);
static int campaign_pause(const struct subcommand *sc, int argc, char **argv);
static int campaign_resume(const struct subcommand *sc, int argc, char **argv);
static int campaign_close(const struct subcommand *sc, int argc, char **argv);
static int campaign_reopen(const struct subcommand *sc, int argc, char **argv);
static int campaign_rebuild(const struct subcommand *sc, int argc, char **argv);

static const struct subcommand subcommands[] = {
    {"add", campaign_add, "add FILE.yaml",
        "create or update the campaigns in FILE (by name); prints ID<TAB>NAME for each"},
    {"list", campaign_list, "list",
        "one line per campaign: id, name, client, status, window, tweets, and what holds "
        "its jobs back (blocked on credits or a rate limit, retrying, stopped)"},
    {"show", campaign_show, "show ID|NAME",
        "every setting of one campaign (secrets as references), and each job that is "
        "blocked, retrying or stopped, with why and until when"},
    {"pause", campaign_pause, "pause ID|NAME", "stop polling a campaign, keeping all its data"},
    {"resume", campaign_resume, "resume ID|NAME", "resume polling a paused campaign"},
    {"close", campaign_close, "close ID|NAME", "ask the report job to close a campaign out now"},
    {"reopen", campaign_reopen, "reopen ID|NAME [--yes] [--note TEXT]",
        "reopen a completed campaign (asks to confirm; recorded in reopen_history)"},
    {"rebuild", campaign_rebuild, "rebuild ID|NAME",
        "recompute a campaign's prepared aggregates from its stored events (after an upgrade "
        "or an import); safe to interrupt and run again"},
};

/* Returns the usage of `launchwatch campaign` (caller frees). */
static char *
usage_text(void)
{
	struct sbuf b;
	sbuf_init(&b);
	sbuf_addstr(&b, "usage: launchwatch campaign COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < LW_ARRAY_LEN(subcommands); i++)
		sbuf_printf(&b, "  %-16s %s\n", subcommands[i].usage, subcommands[i].help);
	sbuf_addstr(&b,
	    "\nThe database is MONGODB_URI (database LAUNCHWATCH_DB), or the embedded devdb\n"
	    "under $XDG_DATA_HOME/launchwatch/devdb when MONGODB_URI is unset.\n"
	    "Exit status: 0 ok, 1 error, 64 usage, 65 bad campaign file, 66 file not\n"
	    "readable, 69 database unreachable.\n");
	return sbuf_take(&b);
}

int
cmd_campaign(int argc, char **argv)
{
	char *usage = usage_text();
	struct cmd_opts o = {.prog = "campaign", .usage = usage, .in_order = true};
	int rc = cmd_plain_args(&o, argc, argv, 1, INT_MAX);
	for (size_t i = 0; rc < 0 && i < LW_ARRAY_LEN(subcommands); i++)
		if (strcmp(argv[optind], subcommands[i].name) == 0)
			rc = subcommands[i].fn(&subcommands[i], argc - optind, argv + optind);
	if (rc < 0)
		rc = cmd_usage_error(&o, "unknown command '%s'", argv[optind]);
	free(usage);
	return rc;
}

/* Prepares va to read the command line of verb sc. */
static void
verb_init(const struct subcommand *sc, struct verb_args *va)
{
	memset(va, 0, sizeof *va);
	snprintf(va->prog, sizeof va->prog, "campaign %s", sc->name);
	snprintf(va->usage, sizeof va->usage, "usage: launchwatch campaign %s\n", sc->usage);
	va->o.prog = va->prog;
	va->o.usage = va->usage;
	va->o.help = sc->help;
}

/* Reads the command line of verb sc, which takes no option but --help and
 * exactly n operands; returns -1 to go on, else the exit status. */
static int
verb_args(const struct subcommand *sc, struct verb_args *va, int argc, char **argv, int n)
{
	verb_init(sc, va);
	return cmd_plain_args(&va->o, argc, argv, n, n);
}

static int
campaign_add(const struct subcommand *sc, int argc, char **argv)
{
	struct cfg_file *f = NULL;
	struct store *s = NULL;
	struct devdb *dd = NULL;
	struct verb_args va;
	char *cause = NULL;
	int rc;
	if ((rc = verb_args(sc, &va, argc, argv, 1)) >= 0)
		return rc;
	const char *path = argv[optind];
	if (config_load_file(path, &f, &cause) != 0) {
		fprintf(stderr, "%s\n", cause);
		/* a file that cannot be read has no line:col */
		rc = strncmp(cause, path, strlen(path)) == 0 && cause[strlen(path)] == ':' &&
		             (cause[strlen(path) + 1] >= '0' && cause[strlen(path) + 1] <= '9')
		         ? LW_EXIT_DATAERR
		         : LW_EXIT_NOINPUT;
		free(cause);
		return rc;
	}
	if ((rc = cmd_store_open(NULL, &s, &dd)) != 0)
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
	cmd_store_close(s, dd);
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

/* Writes what holds campaign id's jobs back into buf ("ok", "3 blocked:
 * credits", ...; "?" when they cannot be read). */
static void
cmd_jobs_summary(struct store *s, const char *id, char *buf, size_t size)
{
	struct stj_job *v = NULL;
	size_t n = 0;
	char *cause = NULL;
	if (stj_jobs_list(s, id, &v, &n, &cause) != 0) {
		snprintf(buf, size, "?");
		free(cause);
		return;
	}
	stj_jobs_summary(v, n, buf, size);
	stj_jobs_free(v, n);
}

static int
campaign_list(const struct subcommand *sc, int argc, char **argv)
{
	struct store *s = NULL;
	struct devdb *dd = NULL;
	struct campaign *v = NULL;
	struct verb_args va;
	size_t n = 0;
	char *cause = NULL;
	int rc;
	if ((rc = verb_args(sc, &va, argc, argv, 0)) >= 0)
		return rc;
	if ((rc = cmd_store_open(NULL, &s, &dd)) != 0)
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
	printf("%-33s %-28s %-16s %-9s %-35s %-20s %s\n", "ID", "NAME", "CLIENT", "STATUS",
	    "WINDOW (UTC)", "TWEETS main/infl/inv", "JOBS");
	for (size_t i = 0; i < n; i++) {
		const struct campaign *c = &v[i];
		char start[32], end[32], jobs[160], per_s[48];
		size_t per[CAT__COUNT] = {0};
		cmd_jobs_summary(s, c->id, jobs, sizeof jobs);
		for (size_t t = 0; t < c->cfg.ntweets; t++)
			per[c->cfg.tweets[t].category]++;
		timestr_format_time(c->cfg.start_s, start, sizeof start);
		timestr_format_time(c->cfg.end_s, end, sizeof end);
		printf("%-33s ", c->id);
		print_cell(c->cfg.name, 28);
		putchar(' ');
		print_cell(c->cfg.client.name, 16);
		snprintf(per_s, sizeof per_s, "%zu/%zu/%zu", per[CAT_MAIN], per[CAT_INFLUENCER],
		    per[CAT_INVESTOR]);
		printf(" %-9s %.16s..%.16s  %-20s %s\n", campaign_status_name(c->status), start,
		    end, per_s, jobs);
	}
done:
	for (size_t i = 0; i < n; i++)
		campaign_done(&v[i]);
	free(v);
	free(cause);
	cmd_store_close(s, dd);
	return rc;
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

/* Prints what holds campaign id's jobs back: a summary line, then one line
 * per job that is blocked, in a retry backoff or stopped (the first 20). */
static void
show_jobs(struct store *s, const char *id)
{
	struct stj_job *v = NULL;
	size_t n = 0, shown = 0;
	char *cause = NULL, line[160];
	if (stj_jobs_list(s, id, &v, &n, &cause) != 0) {
		show_line("jobs", cause);
		free(cause);
		return;
	}
	stj_jobs_summary(v, n, line, sizeof line);
	show_line("jobs", line);
	for (size_t i = 0; i < n; i++) {
		char why[40], until[32] = "";
		const char *w = stj_job_held_back(&v[i], why, sizeof why);
		if (w == NULL || shown++ >= 20)
			continue;
		int64_t t = v[i].state == JST_BLOCKED ? v[i].blocked_until_ms : v[i].next_run_at_ms;
		if (t > 0 && v[i].state != JST_STOPPED)
			timestr_format_time(t / 1000, until, sizeof until);
		char *val = xasprintf("%s  %s%s%s: %s", v[i].id, w, *until ? " until " : "", until,
		    *v[i].last_error ? v[i].last_error : "(no error)");
		show_line("jobs.blocked", val);
		free(val);
	}
	if (shown > 20) {
		snprintf(line, sizeof line, "and %zu more", shown - 20);
		show_line("jobs.blocked", line);
	}
	stj_jobs_free(v, n);
}

static int
campaign_show(const struct subcommand *sc, int argc, char **argv)
{
	struct store *s = NULL;
	struct devdb *dd = NULL;
	struct campaign c;
	struct verb_args va;
	char buf[64], buf2[64];
	int rc;
	if ((rc = verb_args(sc, &va, argc, argv, 1)) >= 0)
		return rc;
	if ((rc = cmd_store_open(NULL, &s, &dd)) != 0)
		return rc;
	if ((rc = cmd_campaign_get(s, argv[optind], &c)) != 0)
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
	if (k->client.logo && str_has_prefix(k->client.logo, "data:")) {
		char *what = xasprintf("embedded %.*s, %zu bytes as a data: URI",
		    (int)strcspn(k->client.logo + 5, ";"), k->client.logo + 5,
		    strlen(k->client.logo));
		show_line("client.logo", what);
		free(what);
	} else if (k->client.logo && *k->client.logo) {
		show_line("client.logo", k->client.logo);
	}
	if (k->client.accent && *k->client.accent)
		show_line("client.accent", k->client.accent);
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
		show_line("alerts.email.from", *a->email.from ? a->email.from : "(default)");
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
	if (a->has_negative_sentiment)
		snprintf(buf, sizeof buf, "%g", a->negative_sentiment);
	show_line("alerts.negative_sentiment", a->has_negative_sentiment ? buf : "(off)");
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
	show_jobs(s, c.id);
	campaign_done(&c);
done:
	cmd_store_close(s, dd);
	return rc;
}

/* The verbs that change a campaign's status. */
enum verb { V_PAUSE, V_RESUME, V_CLOSE };

/* Applies a status verb to the campaign named by the one operand. */
static int
change_status(const struct subcommand *sc, int argc, char **argv, enum verb verb)
{
	struct store *s = NULL;
	struct devdb *dd = NULL;
	struct campaign c;
	struct verb_args va;
	char *cause = NULL;
	int rc, loaded = 0;
	int64_t now = clock_now_ms();
	if ((rc = verb_args(sc, &va, argc, argv, 1)) >= 0)
		return rc;
	if ((rc = cmd_store_open(NULL, &s, &dd)) != 0)
		return rc;
	if ((rc = cmd_campaign_get(s, argv[optind], &c)) != 0)
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
	cmd_store_close(s, dd);
	return rc;
}

static int
campaign_pause(const struct subcommand *sc, int argc, char **argv)
{
	return change_status(sc, argc, argv, V_PAUSE);
}

static int
campaign_resume(const struct subcommand *sc, int argc, char **argv)
{
	return change_status(sc, argc, argv, V_RESUME);
}

static int
campaign_close(const struct subcommand *sc, int argc, char **argv)
{
	return change_status(sc, argc, argv, V_CLOSE);
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

static int
campaign_reopen(const struct subcommand *sc, int argc, char **argv)
{
	static const struct option longopts[] = {{"yes", no_argument, NULL, 'y'},
	    {"note", required_argument, NULL, 'n'}, CMD_OPTION_HELP, CMD_OPTION_END};
	const char *note = "";
	bool yes = false;
	struct store *s = NULL;
	struct devdb *dd = NULL;
	struct campaign c;
	struct verb_args va;
	char *cause = NULL;
	int rc, loaded = 0, opt;
	verb_init(sc, &va);
	va.o.shortopts = "y";
	va.o.longopts = longopts;
	while ((opt = cmd_getopt(&va.o, argc, argv)) != -1) {
		if (opt == CMD_OPT_DONE)
			return va.o.status;
		if (opt == 'y')
			yes = true;
		else
			note = optarg;
	}
	if (cmd_operands(&va.o, argc, argv, 1, 1) != 0)
		return LW_EXIT_USAGE;
	if ((rc = cmd_store_open(NULL, &s, &dd)) != 0)
		return rc;
	if ((rc = cmd_campaign_get(s, argv[optind], &c)) != 0)
		goto done;
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
	cmd_store_close(s, dd);
	return rc;
}

/* Where a rebuild's progress goes: one line rewritten in place on a
 * terminal, a line per step otherwise. */
struct rebuild_progress {
	const char *id;
	bool tty;
};

/* Shows how far a rebuild got. */
static void
rebuild_progress(void *arg, const char *what, int64_t done)
{
	const struct rebuild_progress *p = arg;
	if (p->tty)
		fprintf(stderr, "\rrebuilding %s: %lld %s read   ", p->id, (long long)done, what);
	else
		fprintf(stderr, "rebuilding %s: %lld %s read\n", p->id, (long long)done, what);
	fflush(stderr);
}

static int
campaign_rebuild(const struct subcommand *sc, int argc, char **argv)
{
	struct store *s = NULL;
	struct devdb *dd = NULL;
	struct campaign c;
	struct verb_args va;
	char *cause = NULL;
	int rc;
	if ((rc = verb_args(sc, &va, argc, argv, 1)) >= 0)
		return rc;
	if ((rc = cmd_store_open(NULL, &s, &dd)) != 0)
		return rc;
	if ((rc = cmd_campaign_get(s, argv[optind], &c)) != 0)
		goto done;
	struct rebuild_progress p = {.id = c.id, .tty = isatty(STDERR_FILENO)};
	int64_t t0 = clock_now_ms();
	if (prep_rebuild(s, c.id, rebuild_progress, &p, &cause) != 0) {
		if (p.tty)
			fputc('\n', stderr);
		fprintf(stderr,
		    "launchwatch: campaign rebuild %s: %s (nothing changed; run it again)\n", c.id,
		    cause);
		rc = LW_EXIT_UNAVAILABLE;
	} else {
		struct prep_summary sum;
		if (p.tty)
			fputc('\n', stderr);
		if (prep_read_summary(s, c.id, &sum, NULL, &cause) == 0) {
			printf("%s\tprepared aggregates rebuilt: %lld engagements, %lld unique "
			       "accounts, "
			       "%.1f s\n",
			    c.id, (long long)sum.engagements, (long long)sum.unique_accounts,
			    (double)(clock_now_ms() - t0) / 1000);
			prep_summary_done(&sum);
		}
	}
	campaign_done(&c);
done:
	free(cause);
	cmd_store_close(s, dd);
	return rc;
}
