/*
 * cmd_sim: `launchwatch sim`, the simulated twitterapi.io as a process. Parses
 * the options, starts the server (src/sim/sim.c), prints "listening on
 * http://127.0.0.1:PORT" as the first line of stdout, then waits for SIGTERM
 * or SIGINT and stops cleanly. Main thread only.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/cmd_util.h"
#include "sim/sim.h"
#include "base/util.h"

static const char sim_usage[] =
    "usage: launchwatch sim [--port N] [--seed S] [--tweets N] [--rate R] [--key K]\n"
    "                       [--fault-429-every N] [--fault-5xx-every N]\n"
    "                       [--fault-malformed-every N] [--credits N]\n"
    "                       [--expire-cursors-every SECS] [--overlap N]\n"
    "                       [--phantom-next-page] [--short-pages] [--frozen]\n"
    "                       [--head-start SECS] [--accounts N] [--farm SHARE]\n\n"
    "Serves a synthetic, seeded launch on 127.0.0.1 with twitterapi.io's endpoints,\n"
    "page sizes and shapes. The first line of output is 'listening on URL'; point\n"
    "TWITTERAPI_BASE_URL at it. Test endpoints: GET /_sim/stats, GET /_sim/truth,\n"
    "POST /_sim/advance?secs=N, POST /_sim/credits?add=N, POST /_sim/reset-stats.\n"
    "SIGTERM or SIGINT stops it. See docs/provider.md.\n\n"
    "  --port N                  port (0: a free one; default 0)\n"
    "  --seed S                  seed of the synthetic launch (default 1)\n"
    "  --tweets N                launch tweets (default 3)\n"
    "  --rate R                  engagements per minute per tweet (default 30)\n"
    "  --key K                   require X-API-Key: K (else 401)\n"
    "  --fault-429-every N       every Nth request: 429 with Retry-After: 1\n"
    "  --fault-5xx-every N       every Nth request: 500\n"
    "  --fault-malformed-every N every Nth request: truncated JSON (HTTP 200)\n"
    "  --credits N               credit budget, then 402 (default unlimited)\n"
    "  --expire-cursors-every S  reject cursors older than S seconds (HTTP 400)\n"
    "  --overlap N               repeat N items across page boundaries (0-19)\n"
    "  --phantom-next-page       last page says has_next_page; the next is empty\n"
    "  --short-pages             replies/retweeters pages sometimes come up short\n"
    "  --frozen                  time moves only by POST /_sim/advance\n"
    "  --head-start SECS         launch tweets were posted SECS before start (600)\n"
    "  --accounts N              size of the account pool (default 5003)\n"
    "  --farm SHARE              farm mode: this share (0..0.9) of the pool are farm\n"
    "                            accounts (young, default avatars, template bios, the\n"
    "                            same replies, bursts); /_sim/truth marks them\n";

/* Parses a whole number in [lo, hi] for option name; 0 or -1 (message printed). */
static int
parse_num(const char *name, const char *v, long long lo, long long hi, long long *out)
{
	char *end = NULL;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (*v == '\0' || *end != '\0' || errno != 0 || n < lo || n > hi) {
		cmd_error("sim", "--%s wants a whole number from %lld to %lld", name, lo, hi);
		return -1;
	}
	*out = n;
	return 0;
}

enum {
	O_PORT = 256,
	O_SEED,
	O_TWEETS,
	O_RATE,
	O_KEY,
	O_F429,
	O_F5XX,
	O_FMAL,
	O_CREDITS,
	O_EXPIRE,
	O_OVERLAP,
	O_PHANTOM,
	O_SHORT,
	O_FROZEN,
	O_HEAD,
	O_ACCOUNTS,
	O_FARM,
};

static const struct option sim_options[] = {
    {"port", required_argument, NULL, O_PORT},
    {"seed", required_argument, NULL, O_SEED},
    {"tweets", required_argument, NULL, O_TWEETS},
    {"rate", required_argument, NULL, O_RATE},
    {"key", required_argument, NULL, O_KEY},
    {"fault-429-every", required_argument, NULL, O_F429},
    {"fault-5xx-every", required_argument, NULL, O_F5XX},
    {"fault-malformed-every", required_argument, NULL, O_FMAL},
    {"credits", required_argument, NULL, O_CREDITS},
    {"expire-cursors-every", required_argument, NULL, O_EXPIRE},
    {"overlap", required_argument, NULL, O_OVERLAP},
    {"phantom-next-page", no_argument, NULL, O_PHANTOM},
    {"short-pages", no_argument, NULL, O_SHORT},
    {"frozen", no_argument, NULL, O_FROZEN},
    {"head-start", required_argument, NULL, O_HEAD},
    {"accounts", required_argument, NULL, O_ACCOUNTS},
    {"farm", required_argument, NULL, O_FARM},
    CMD_OPTION_HELP,
    CMD_OPTION_END,
};

/* Returns the long name of the option whose value is c. */
static const char *
option_name(int c)
{
	for (size_t i = 0; sim_options[i].name != NULL; i++)
		if (sim_options[i].val == c)
			return sim_options[i].name;
	return "?";
}

/* Applies one parsed option to o; 0, or -1 after printing why. */
static int
apply_option(struct sim_opts *o, int c, const char *name, const char *v)
{
	long long n = 0;
	char *end = NULL;
	switch (c) {
	case O_RATE:
		o->rate = strtod(v, &end);
		if (*v == '\0' || *end != '\0' || !(o->rate >= 0) || o->rate > 1e6) {
			cmd_error("sim", "--rate wants a number >= 0");
			return -1;
		}
		return 0;
	case O_FARM:
		o->farm_share = strtod(v, &end);
		if (*v == '\0' || *end != '\0' || !(o->farm_share >= 0) || o->farm_share > 0.9) {
			cmd_error("sim", "--farm wants a share between 0 and 0.9");
			return -1;
		}
		return 0;
	case O_KEY:
		o->key = v;
		return 0;
	case O_PHANTOM:
		o->phantom_next_page = true;
		return 0;
	case O_SHORT:
		o->short_pages = true;
		return 0;
	case O_FROZEN:
		o->frozen = true;
		return 0;
	default:
		break;
	}
	/* the numeric options: one row each */
	static const struct {
		int opt;
		long long lo, hi;
	} ranges[] = {
	    {O_PORT, 0, 65535},
	    {O_SEED, 0, LLONG_MAX},
	    {O_TWEETS, 1, 100000},
	    {O_F429, 0, INT_MAX},
	    {O_F5XX, 0, INT_MAX},
	    {O_FMAL, 0, INT_MAX},
	    {O_CREDITS, 0, LLONG_MAX / 2},
	    {O_EXPIRE, 0, INT_MAX},
	    {O_OVERLAP, 0, 19},
	    {O_HEAD, 0, 365 * 86400},
	    {O_ACCOUNTS, 17, 1000000},
	};
	for (size_t i = 0; i < LW_ARRAY_LEN(ranges); i++) {
		if (ranges[i].opt != c)
			continue;
		if (parse_num(name, v, ranges[i].lo, ranges[i].hi, &n) != 0)
			return -1;
		if (c == O_PORT)
			o->port = (int)n;
		else if (c == O_SEED)
			o->seed = (uint64_t)n;
		else if (c == O_TWEETS)
			o->tweets = (int)n;
		else if (c == O_F429)
			o->fault_429_every = (int)n;
		else if (c == O_F5XX)
			o->fault_5xx_every = (int)n;
		else if (c == O_FMAL)
			o->fault_malformed_every = (int)n;
		else if (c == O_CREDITS)
			o->credits = n;
		else if (c == O_EXPIRE)
			o->expire_cursors_s = (int)n;
		else if (c == O_OVERLAP)
			o->overlap = (int)n;
		else if (c == O_HEAD)
			o->head_start_s = (int)n;
		else
			o->accounts = (int)n;
		return 0;
	}
	return -1;
}

int
cmd_sim(int argc, char **argv)
{
	struct cmd_opts co = {.prog = "sim", .usage = sim_usage, .longopts = sim_options};
	struct sim_opts o;
	sigset_t set;
	int c, sig = 0;
	char *cause = NULL;

	sim_opts_init(&o);
	while ((c = cmd_getopt(&co, argc, argv)) != -1) {
		if (c == CMD_OPT_DONE)
			return co.status;
		if (apply_option(&o, c, option_name(c), optarg) != 0) {
			fputs(sim_usage, stderr);
			return LW_EXIT_USAGE;
		}
	}
	if (cmd_operands(&co, argc, argv, 0, 0) != 0)
		return LW_EXIT_USAGE;

	/* block the stop signals before the server threads exist; wait for them below */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct sim *s = sim_start(&o, &cause);
	if (s == NULL) {
		cmd_error("sim", "%s", cause);
		free(cause);
		return LW_EXIT_UNAVAILABLE;
	}
	printf("listening on http://127.0.0.1:%d\n", sim_port(s));
	for (int i = 0; sim_tweet_id(s, i) != NULL; i++)
		printf("tweet %d: https://x.com/i/status/%s\n", i + 1, sim_tweet_id(s, i));
	fflush(stdout);
	while (sigwait(&set, &sig) != 0)
		;
	sim_free(s);
	fprintf(stderr, "launchwatch sim: stopped (%s)\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
	return LW_EXIT_OK;
}
