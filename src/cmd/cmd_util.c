/*
 * cmd_util: the commands' shared helpers (include/cmd/cmd_util.h): the
 * getopt_long convention, usage errors, the store, campaign lookup, safe
 * printing and the rules lookup. Main thread only.
 */
#include "cmd/cmd_util.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api/jsonapi.h"
#include "cmd/health_pub.h"
#include "base/text.h"
#include "base/util.h"
#include "engine/engine.h"
#include "store/devdb.h"
#include "store/store.h"

/* Prints "launchwatch PROG: " (or "launchwatch: ") and the message to stderr. */
static void
verror(const char *prog, const char *fmt, va_list ap)
{
	fprintf(stderr, "launchwatch%s%s: ", prog ? " " : "", prog ? prog : "");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
cmd_error(const char *prog, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verror(prog, fmt, ap);
	va_end(ap);
}

int
cmd_usage_error(const struct cmd_opts *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verror(o->prog, fmt, ap);
	va_end(ap);
	fputs(o->usage, stderr);
	return LW_EXIT_USAGE;
}

/* The --help of a command that has no other option. */
static const struct option help_only[] = {CMD_OPTION_HELP, CMD_OPTION_END};

/* Writes into buf how the option getopt just refused was written: "--for"
 * (without any "=value") or "-x". */
static const char *
refused_option(char **argv, char *buf, size_t len)
{
	const char *a = optind > 0 ? argv[optind - 1] : NULL;
	if (a != NULL && strncmp(a, "--", 2) == 0)
		snprintf(buf, len, "%.*s", (int)strcspn(a, "="), a);
	else if (optopt != 0)
		snprintf(buf, len, "-%c", optopt);
	else
		snprintf(buf, len, "%s", a != NULL ? a : "?");
	return buf;
}

int
cmd_getopt(struct cmd_opts *o, int argc, char **argv)
{
	char bad[64];
	int c;
	if (!o->started) {
		/* optind 0 makes glibc start over, also after an earlier command */
		optind = 0;
		opterr = 0;
		snprintf(o->optstring, sizeof o->optstring, "%s:%sh", o->in_order ? "+" : "",
		    o->shortopts ? o->shortopts : "");
		o->started = true;
	}
	c = getopt_long(argc, argv, o->optstring, o->longopts ? o->longopts : help_only, NULL);
	if (c == 'h') {
		fputs(o->usage, stdout);
		if (o->help != NULL)
			printf("\n%s\n", o->help);
		o->status = LW_EXIT_OK;
		return CMD_OPT_DONE;
	}
	if (c == '?' || c == ':') {
		o->status = cmd_usage_error(o,
		    c == '?' ? "unknown option '%s'" : "option '%s' needs a value",
		    refused_option(argv, bad, sizeof bad));
		return CMD_OPT_DONE;
	}
	return c;
}

int
cmd_operands(const struct cmd_opts *o, int argc, char **argv, int min, int max)
{
	int n = argc - optind;
	if (n > max)
		return cmd_usage_error(o, "unexpected argument '%s'", argv[optind + max]);
	if (n < min) {
		fputs(o->usage, stderr);
		return LW_EXIT_USAGE;
	}
	return 0;
}

int
cmd_plain_args(struct cmd_opts *o, int argc, char **argv, int min, int max)
{
	while (cmd_getopt(o, argc, argv) != -1)
		return o->status; /* with no options, only --help and errors come back */
	return cmd_operands(o, argc, argv, min, max) != 0 ? LW_EXIT_USAGE : -1;
}

void
cmd_put_safe(FILE *f, const char *s, size_t max)
{
	char *t = text_sanitize(s != NULL ? s : "", s != NULL ? strlen(s) : 0, max);
	fputs(t, f);
	free(t);
}

int
cmd_store_open(const char *prog, struct store **s, struct devdb **dd)
{
	char *cause = NULL;
	if (lw_store_open(s, dd, &cause) != 0) {
		cmd_error(prog, "%s", cause);
		free(cause);
		return LW_EXIT_UNAVAILABLE;
	}
	size_t n;
	const char *const *notes = store_schema_notes(*s, &n);
	for (size_t i = 0; i < n; i++)
		cmd_error(prog, "note: %s (kept)", notes[i]);
	return 0;
}

void
cmd_store_close(struct store *s, struct devdb *dd)
{
	store_free(s);
	devdb_release(dd);
}

void
cmd_no_campaign(const char *key)
{
	char *k = text_sanitize(key, strlen(key), 200);
	cmd_error(NULL, "no campaign with id or name '%s' (see: launchwatch campaign list)", k);
	free(k);
}

int
cmd_campaign_get(struct store *s, const char *key, struct campaign *c)
{
	char *cause = NULL;
	int rc = store_campaign_get(s, key, c, &cause);
	if (rc == 0)
		return 0;
	if (rc == 1) {
		cmd_no_campaign(key);
		return LW_EXIT_ERROR;
	}
	cmd_error(NULL, "%s", cause);
	free(cause);
	return LW_EXIT_UNAVAILABLE;
}

void
cmd_nap_ms(int64_t ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
	nanosleep(&ts, NULL);
}

void
cmd_progress_init(struct cmd_progress *p)
{
	p->tty = isatty(STDERR_FILENO) == 1;
	p->open = false;
}

void
cmd_progress_show(const char *msg, void *arg)
{
	struct cmd_progress *p = arg;
	flockfile(stderr);
	if (p->tty) {
		fputs("\r", stderr);
		cmd_put_safe(stderr, msg, 200);
		fputs("\033[K", stderr);
		p->open = true;
	} else {
		cmd_put_safe(stderr, msg, 400);
		fputs("\n", stderr);
	}
	fflush(stderr);
	funlockfile(stderr);
}

void
cmd_progress_end(struct cmd_progress *p)
{
	flockfile(stderr);
	if (p->open)
		fputs("\n", stderr);
	p->open = false;
	funlockfile(stderr);
}

int
cmd_rules_load(const char *prog, const char *path, struct classify_rules **out)
{
	char *cause = NULL;
	int rc = engine_load_rules(path, out, &cause);
	if (rc != 0)
		cmd_error(prog, "%s", cause);
	free(cause);
	return rc;
}

int
cmd_http_start(const char *prog, const char *spec, struct jsonapi **out)
{
	char host[64], *token = NULL, *cause = NULL;
	int port;
	bool loopback;
	*out = NULL;
	if (jsonapi_parse_addr(spec, host, sizeof host, &port, &loopback, &cause) != 0 ||
	    jsonapi_token_from_env(&token, &cause) != 0) {
		cmd_error(prog, "%s", cause);
		free(cause);
		return LW_EXIT_USAGE;
	}
	*out = jsonapi_start(spec, token, NULL, &cause);
	free(token);
	if (*out == NULL) {
		cmd_error(prog, "%s", cause);
		free(cause);
		return loopback ? LW_EXIT_UNAVAILABLE : LW_EXIT_USAGE;
	}
	return 0;
}

int64_t
cmd_health_every_ms(void)
{
	int64_t ms = HEALTH_PUB_MS;
	char *cause = NULL;
	if (env_ms("LAUNCHWATCH_HEALTH_MS", 100, 3600000, &ms, &cause) != 0) {
		cmd_error(NULL, "%s; using %d", cause, HEALTH_PUB_MS);
		free(cause);
		ms = HEALTH_PUB_MS;
	}
	return ms;
}
