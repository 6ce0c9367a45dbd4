/*
 * cmd_api: `launchwatch api`, debug calls to the provider (or the simulator)
 * that print pages, counts, credits and each error class. Every piece of
 * provider text is sanitized before it is printed; the key never is. Main
 * thread only.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/cmd_util.h"
#include "net/ratelimit.h"
#include "base/text.h"
#include "model/tweetlink.h"
#include "base/util.h"
#include "provider/xapi.h"

#define MAX_RATE_WAITS 5 /* 429s waited out per page before giving up */

static const char api_usage[] =
    "usage: launchwatch api get-tweet URL|ID...\n"
    "       launchwatch api walk retweeters|replies|quotes URL|ID [--max-pages N]\n"
    "                            [--since UNIX_SECONDS] [-v]\n"
    "       launchwatch api user HANDLE\n"
    "       launchwatch api balance\n\n"
    "Debug calls to twitterapi.io (TWITTERAPI_BASE_URL, TWITTERAPI_KEY or\n"
    "TWITTERAPI_KEY_FILE, LAUNCHWATCH_QPS). Prints every page, the items, requests,\n"
    "estimated credits and the error class of any failure (see docs/provider.md).\n"
    "Exit status: 0 ok, 1 auth or bad response, 69 transient, 75 credits or rate limit.\n";

/* Prints a failed result: class, HTTP status, Retry-After, message, body head. */
static void
print_error(const struct xapi_result *r)
{
	const struct xapi_policy *p = xapi_policy_of(r->cls);
	fprintf(stderr, "error: class=%s http=%ld", p->name, r->http_status);
	if (r->retry_after_s >= 0)
		fprintf(stderr, " retry_after=%ds", r->retry_after_s);
	fprintf(stderr, " requests=%d credits=%lld\n  ", r->requests, (long long)r->credits);
	cmd_put_safe(stderr, r->message, 400);
	fprintf(stderr, "\n  behaviour: %s\n", p->behaviour);
	if (r->body_head != NULL) {
		fputs("  body: ", stderr);
		cmd_put_safe(stderr, r->body_head, 400);
		fputc('\n', stderr);
	}
}

/* Turns a link or bare id into a tweet id; 0 or -1 (message printed). */
static int
tweet_id_arg(const char *s, char id[TWEET_ID_MAX + 1])
{
	char *cause = NULL;
	if (tweetlink_parse(s, id, &cause) == 0)
		return 0;
	char *why = text_sanitize(cause, strlen(cause), 300);
	cmd_error("api", "%s", why);
	free(why);
	free(cause);
	return -1;
}

/* Makes a client from the environment with the global rate limiter; NULL on error. */
static struct xapi *
client_from_env(void)
{
	struct xapi_config cfg;
	char *cause = NULL;
	xapi_config_init(&cfg);
	if (xapi_config_from_env(&cfg, &cause) != 0) {
		cmd_error("api", "%s", cause);
		free(cause);
		xapi_config_done(&cfg);
		return NULL;
	}
	struct xapi *x = xapi_new(&cfg);
	xapi_config_done(&cfg);
	return x;
}

/* Prints one user line. */
static void
print_user(const struct lw_user *u)
{
	printf("  @");
	cmd_put_safe(stdout, u->handle, 60);
	printf(" (%s) ", u->id);
	cmd_put_safe(stdout, u->name, 60);
	printf(" | %lld followers%s | ", (long long)u->followers, u->verified ? " | verified" : "");
	cmd_put_safe(stdout, u->bio, 100);
	putchar('\n');
}

/* Prints one tweet line (for replies, quotes and get-tweet). */
static void
print_tweet(const struct lw_tweet *t, bool full)
{
	char when[40] = "?";
	if (t->created_at_ms > 0)
		xapi_format_time(t->created_at_ms, when, sizeof when);
	printf("  %s @", t->id);
	cmd_put_safe(stdout, t->author.handle, 60);
	printf(" %s", when);
	if (t->in_reply_to_id[0] != '\0')
		printf(" in_reply_to=%s", t->in_reply_to_id);
	if (t->quoted_id[0] != '\0')
		printf(" quotes=%s", t->quoted_id);
	fputs(": ", stdout);
	cmd_put_safe(stdout, t->text, full ? 1000 : 100);
	putchar('\n');
	if (full)
		printf("    likes=%lld retweets=%lld replies=%lld quotes=%lld views=%lld "
		       "bookmarks=%lld\n",
		    (long long)t->metrics.likes, (long long)t->metrics.retweets,
		    (long long)t->metrics.replies, (long long)t->metrics.quotes,
		    (long long)t->metrics.views, (long long)t->metrics.bookmarks);
}

/* Reads the command line of a verb that takes no option but --help and
 * from min to max operands; returns -1 to go on, else the exit status. */
static int
verb_args(const char *prog, int argc, char **argv, int min, int max)
{
	struct cmd_opts o = {.prog = prog, .usage = api_usage};
	return cmd_plain_args(&o, argc, argv, min, max);
}

/* api get-tweet URL|ID...: metrics of up to 100 tweets in one request. */
static int
api_get_tweet(int argc, char **argv)
{
	char ids[XAPI_MAX_IDS][TWEET_ID_MAX + 1];
	const char *idp[XAPI_MAX_IDS];
	struct xapi_tweets out;
	struct xapi_result res;
	int rc = verb_args("api get-tweet", argc, argv, 1, XAPI_MAX_IDS);
	if (rc >= 0)
		return rc;
	int n = argc - optind;
	for (int i = 0; i < n; i++) {
		if (tweet_id_arg(argv[optind + i], ids[i]) != 0)
			return LW_EXIT_USAGE;
		idp[i] = ids[i];
	}
	struct xapi *x = client_from_env();
	if (x == NULL)
		return LW_EXIT_USAGE;
	rc = LW_EXIT_OK;
	if (xapi_get_tweets(x, idp, (size_t)n, &out, &res) != 0) {
		print_error(&res);
		rc = xapi_class_exit(res.cls);
	} else {
		printf("tweets: %zu found, %zu missing; requests=%d credits=%lld\n", out.n,
		    out.n_missing, res.requests, (long long)res.credits);
		for (size_t i = 0; i < out.n; i++)
			print_tweet(&out.tweets[i], true);
		for (size_t i = 0; i < out.n_missing; i++)
			printf("  missing: %s (deleted, protected or unknown)\n", out.missing[i]);
		xapi_tweets_done(&out);
	}
	xapi_result_done(&res);
	xapi_free(x);
	return rc;
}

/* Which list a walk reads. */
static const struct {
	const char *name;
	const char *noun;
} lists[] = {{"retweeters", "retweeters"}, {"replies", "replies"}, {"quotes", "quotes"}};

/* Fetches one page of list li. */
static int
fetch_page(struct xapi *x, size_t li, const char *id, const char *cursor, int64_t since,
    struct xapi_page *page, struct xapi_result *res)
{
	if (li == 0)
		return xapi_retweeters(x, id, cursor, page, res);
	if (li == 1)
		return xapi_replies(x, id, cursor, since, page, res);
	return xapi_quotes(x, id, cursor, since, page, res);
}

/* api walk LIST URL|ID [--max-pages N] [--since S] [-v]. */
static int
api_walk(int argc, char **argv)
{
	static const struct option opts[] = {{"max-pages", required_argument, NULL, 'm'},
	    {"since", required_argument, NULL, 's'}, {"verbose", no_argument, NULL, 'v'},
	    CMD_OPTION_HELP, CMD_OPTION_END};
	struct cmd_opts o = {
	    .prog = "api walk", .usage = api_usage, .shortopts = "v", .longopts = opts};
	int max_pages = 0, c;
	int64_t since = 0;
	bool verbose = false;
	char id[TWEET_ID_MAX + 1];

	while ((c = cmd_getopt(&o, argc, argv)) != -1) {
		if (c == CMD_OPT_DONE)
			return o.status;
		if (c == 'm' && str_is_digits(optarg) && strlen(optarg) < 7)
			max_pages = atoi(optarg);
		else if (c == 's' && str_is_digits(optarg) && strlen(optarg) < 12)
			since = atoll(optarg);
		else if (c == 'v')
			verbose = true;
		else
			return cmd_usage_error(
			    &o, "--%s wants a whole number", c == 'm' ? "max-pages" : "since");
	}
	if (cmd_operands(&o, argc, argv, 2, 2) != 0)
		return LW_EXIT_USAGE;
	size_t li = LW_ARRAY_LEN(lists);
	for (size_t i = 0; i < LW_ARRAY_LEN(lists); i++)
		if (strcmp(argv[optind], lists[i].name) == 0)
			li = i;
	if (li == LW_ARRAY_LEN(lists)) {
		fprintf(stderr, "launchwatch api walk: want retweeters, replies or quotes\n");
		return LW_EXIT_USAGE;
	}
	if (tweet_id_arg(argv[optind + 1], id) != 0)
		return LW_EXIT_USAGE;
	struct xapi *x = client_from_env();
	if (x == NULL)
		return LW_EXIT_USAGE;

	struct xapi_walk w;
	int rc = LW_EXIT_OK, requests = 0, waits = 0;
	int64_t credits = 0;
	bool cursor_reset = false;
	xapi_walk_init(&w, "", max_pages);
	for (;;) {
		struct xapi_page page;
		struct xapi_result res;
		int ok = fetch_page(x, li, id, w.cursor, since, &page, &res);
		requests += res.requests;
		credits += res.credits;
		if (ok != 0) {
			print_error(&res);
			if (res.cls == XAPI_RATE_LIMIT && waits < MAX_RATE_WAITS) {
				int64_t d = xapi_delay_ms(
				    res.cls, ++waits, res.retry_after_s, 0, xapi_rand());
				fprintf(
				    stderr, "  waiting %lld ms (no attempt spent)\n", (long long)d);
				xapi_result_done(&res);
				cmd_nap_ms(d);
				continue;
			}
			if (res.cls == XAPI_CURSOR && !cursor_reset) {
				fprintf(stderr,
				    "  resetting the cursor once and walking from page 1\n");
				cursor_reset = true;
				free(w.cursor);
				w.cursor = xstrdup("");
				xapi_result_done(&res);
				continue;
			}
			rc = xapi_class_exit(res.cls);
			xapi_result_done(&res);
			break;
		}
		waits = 0;
		size_t raw = page.n_users + page.n_tweets;
		bool more = xapi_walk_feed(&w, &page);
		printf("page %d: %zu %s (%zu new), has_next_page=%s, next_cursor=", w.pages, raw,
		    lists[li].noun, page.n_users + page.n_tweets,
		    page.has_next_page ? "yes" : "no");
		cmd_put_safe(stdout, *page.next_cursor ? page.next_cursor : "\"\"", 80);
		printf(", status=%s, requests=%d, credits=%lld\n",
		    page.had_status ? "yes" : "absent", res.requests, (long long)res.credits);
		if (verbose) {
			for (size_t i = 0; i < page.n_users; i++)
				print_user(&page.users[i]);
			for (size_t i = 0; i < page.n_tweets; i++)
				print_tweet(&page.tweets[i], false);
		}
		xapi_page_done(&page);
		xapi_result_done(&res);
		if (!more)
			break;
	}
	printf("walk: %d pages, %zu unique %s, %zu duplicates dropped, stopped: %s; "
	       "requests=%d credits=%lld\n",
	    w.pages, w.items, lists[li].noun, w.duplicates,
	    rc == LW_EXIT_OK ? xapi_stop_name(w.stop) : "error", requests, (long long)credits);
	xapi_walk_done(&w);
	xapi_free(x);
	return rc;
}

/* api user HANDLE. */
static int
api_user(int argc, char **argv)
{
	struct lw_user u;
	struct xapi_result res;
	int rc = verb_args("api user", argc, argv, 1, 1);
	if (rc >= 0)
		return rc;
	struct xapi *x = client_from_env();
	if (x == NULL)
		return LW_EXIT_USAGE;
	rc = LW_EXIT_OK;
	if (xapi_user_info(x, argv[optind], &u, &res) != 0) {
		print_error(&res);
		rc = xapi_class_exit(res.cls);
	} else {
		printf("user: requests=%d credits=%lld\n", res.requests, (long long)res.credits);
		print_user(&u);
		lw_user_done(&u);
	}
	xapi_result_done(&res);
	xapi_free(x);
	return rc;
}

/* api balance. */
static int
api_balance(int argc, char **argv)
{
	struct xapi_balance b;
	struct xapi_result res;
	int rc = verb_args("api balance", argc, argv, 0, 0);
	if (rc >= 0)
		return rc;
	struct xapi *x = client_from_env();
	if (x == NULL)
		return LW_EXIT_USAGE;
	rc = LW_EXIT_OK;
	if (xapi_balance(x, &b, &res) != 0) {
		print_error(&res);
		rc = xapi_class_exit(res.cls);
	} else {
		printf("balance: recharge_credits=%lld total_bonus_credits=%lld (about $%.2f)\n",
		    (long long)b.recharge_credits, (long long)b.bonus_credits,
		    (double)(b.recharge_credits + b.bonus_credits) / 100000.0);
	}
	xapi_result_done(&res);
	xapi_free(x);
	return rc;
}

/* The api subcommands. */
static const struct {
	const char *name;
	int (*fn)(int, char **);
} api_cmds[] = {
    {"get-tweet", api_get_tweet},
    {"walk", api_walk},
    {"user", api_user},
    {"balance", api_balance},
};

int
cmd_api(int argc, char **argv)
{
	struct cmd_opts o = {.prog = "api", .usage = api_usage, .in_order = true};
	int rc = cmd_plain_args(&o, argc, argv, 1, INT_MAX);
	if (rc >= 0)
		return rc;
	for (size_t i = 0; i < LW_ARRAY_LEN(api_cmds); i++)
		if (strcmp(argv[optind], api_cmds[i].name) == 0)
			return api_cmds[i].fn(argc - optind, argv + optind);
	return cmd_usage_error(&o, "unknown subcommand '%s'", argv[optind]);
}
