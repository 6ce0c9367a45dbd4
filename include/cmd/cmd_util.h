/*
 * cmd_util: what every subcommand does the same way: reading its command
 * line with getopt_long (--help and -h on each, one wording for usage
 * errors, exit status 64), opening and closing the store, finding a
 * campaign by id or name, printing external text safely and finding the
 * classifier rules (--rules FILE, else DATA/rules.yaml, else the built-in
 * rules, so `run` and `tweet-report` always agree). Main thread only: it
 * prints to stdout and stderr and uses getopt's globals.
 */
#ifndef LW_CMD_UTIL_H
#define LW_CMD_UTIL_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model/campaign.h"
#include "model/classify.h"

struct devdb;
struct store;

/* The help row every longopts table carries. */
#define CMD_OPTION_HELP                                                                            \
	{                                                                                          \
		"help", no_argument, NULL, 'h'                                                     \
	}
/* The row that ends a longopts table. */
#define CMD_OPTION_END                                                                             \
	{                                                                                          \
		NULL, 0, NULL, 0                                                                   \
	}

/* cmd_getopt's answer when the command is done: --help was printed, or a
 * usage error was (status says which). */
#define CMD_OPT_DONE (-2)

/* How one subcommand reads its command line. */
struct cmd_opts {
	const char *prog;              /* "run", "campaign add": messages start "launchwatch run: ";
	                    * NULL for the console ("launchwatch: ") */
	const char *usage;             /* usage text ending in a newline: stdout for --help,
	                    * stderr after a usage error */
	const char *help;              /* printed after the usage by --help, or NULL */
	const char *shortopts;         /* getopt's letters without 'h'; NULL is none */
	const struct option *longopts; /* with CMD_OPTION_HELP, ending with CMD_OPTION_END;
	                                * NULL is --help alone */
	bool in_order;                 /* options stop at the first operand (a command's verb) */
	int status;                    /* the exit status once cmd_getopt returned CMD_OPT_DONE */
	/* cmd_getopt's own */
	bool started;
	char optstring[40];
};

/* Returns the next option of argv (argv[0] is the command's name) as
 * getopt_long does, or -1 when the options end (optind is then the first
 * operand). --help and -h print the usage (and help) to stdout; an unknown
 * option or one without its value prints "launchwatch PROG: unknown option
 * '--x'" or "option '--x' needs a value" and the usage to stderr; both
 * return CMD_OPT_DONE with o->status set to 0 or LW_EXIT_USAGE. */
int cmd_getopt(struct cmd_opts *o, int argc, char **argv);

/* Checks that from min to max operands follow the options: returns 0, or
 * LW_EXIT_USAGE after printing the usage (and "unexpected argument 'X'"
 * when there are too many). */
int cmd_operands(const struct cmd_opts *o, int argc, char **argv, int min, int max);

/* Reads a command line with no option but --help and from min to max
 * operands (from argv[optind] on). Returns -1 to go on, else the exit status
 * to return: 0 after --help, LW_EXIT_USAGE after a usage error. */
int cmd_plain_args(struct cmd_opts *o, int argc, char **argv, int min, int max);

/* Prints a usage error: "launchwatch PROG: message" and the usage, to
 * stderr; returns LW_EXIT_USAGE. */
int cmd_usage_error(const struct cmd_opts *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prints "launchwatch PROG: message" (or "launchwatch: message" when prog
 * is NULL) and a newline to stderr. */
void cmd_error(const char *prog, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints at most max bytes of external text s (NULL is "") to f with control
 * and escape sequences removed (text_sanitize). */
void cmd_put_safe(FILE *f, const char *s, size_t max);

/* Opens the store (MONGODB_URI, else the embedded devdb) into *s and *dd;
 * returns 0, or LW_EXIT_UNAVAILABLE after printing why (cmd_error). */
int cmd_store_open(const char *prog, struct store **s, struct devdb **dd);

/* Closes what cmd_store_open opened; NULLs are fine. */
void cmd_store_close(struct store *s, struct devdb *dd);

/* Prints that no campaign has id or name key (sanitized). */
void cmd_no_campaign(const char *key);

/* Loads the campaign with id or name key into *c (free with campaign_done);
 * returns 0, LW_EXIT_ERROR when there is none (cmd_no_campaign) or
 * LW_EXIT_UNAVAILABLE on a database error, both printed. */
int cmd_campaign_get(struct store *s, const char *key, struct campaign *c);

/* Sleeps ms milliseconds. */
void cmd_nap_ms(int64_t ms);

/* A progress line on stderr: rewritten in place on a terminal, one plain
 * line per message otherwise. */
struct cmd_progress {
	bool tty;
	bool open; /* a line is on the terminal without its newline */
};

/* Starts p (a terminal or not: isatty of stderr). */
void cmd_progress_init(struct cmd_progress *p);

/* Shows msg (sanitized) as p's progress line; arg is the struct
 * cmd_progress (the shape of report_progress_fn and of the engine's
 * close-out progress, which calls it on the scheduler thread). */
void cmd_progress_show(const char *msg, void *arg);

/* Ends p's line on a terminal (a newline when one is open). */
void cmd_progress_end(struct cmd_progress *p);

/* Loads the rules from path (may be NULL), DATA/rules.yaml or the built-in
 * table into *out (caller frees with classify_rules_free). On a bad file
 * prints "launchwatch PROG: FILE:LINE:COL: message" lines to stderr and
 * returns -1. */
int cmd_rules_load(const char *prog, const char *path, struct classify_rules **out);

struct jsonapi;
/* Starts the JSON endpoint on spec (ADDR:PORT) with the token from the
 * environment into *out; returns 0, or the exit status (64 a bad address
 * or token, 69 a loopback port that cannot be bound) after a message. */
int cmd_http_start(const char *prog, const char *spec, struct jsonapi **out);

/* Returns how often /healthz and /metrics are read again:
 * LAUNCHWATCH_HEALTH_MS (100 to 3600000), else HEALTH_PUB_MS. */
int64_t cmd_health_every_ms(void);

#endif
