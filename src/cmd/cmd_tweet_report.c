/*
 * cmd_tweet_report: `launchwatch tweet-report URL`, a one-off report on one
 * tweet: its metrics, then one walk of its retweeters, replies and quotes
 * (the xapi paging guards), every engager classified by the engine's own
 * page builder and rules (ingest_page_engagements, cmd_rules_load), printed
 * by bucket with importance and evidence, and the top accounts. Nothing is
 * stored. All provider text goes through text_sanitize. Main thread only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/classify.h"
#include "cmd/cmd.h"
#include "cmd/cmd_util.h"
#include "engine/ingest.h"
#include "engine/jobs.h"
#include "base/text.h"
#include "model/tweetlink.h"
#include "base/util.h"
#include "provider/xapi.h"

#define TR_RATE_WAITS 5   /* 429s waited out per request before giving up */
#define TR_BIO_MAX    160 /* bytes of a bio printed */
#define TR_TEXT_MAX   120 /* bytes of a reply or quote printed */

static const char tr_usage[] =
    "usage: launchwatch tweet-report URL|ID [--max-pages N] [--top N] [--rules FILE]\n\n"
    "Fetches one tweet's metrics and walks its retweeters, replies and quotes once,\n"
    "classifies every engager with the same rules and formula as `launchwatch run`\n"
    "(docs/scoring.md) and prints: the metrics, the engagers by bucket with importance\n"
    "and evidence, and the top accounts. Nothing is stored.\n\n"
    "  --max-pages N   at most N pages per list (default: every page)\n"
    "  --top N         accounts in the top list (default 10)\n"
    "  --rules FILE    classifier rules (default: DATA/rules.yaml when present, else\n"
    "                  the built-in rules)\n\n"
    "Environment: TWITTERAPI_BASE_URL, TWITTERAPI_KEY or TWITTERAPI_KEY_FILE, LAUNCHWATCH_QPS.\n"
    "Exit status: 0 ok, 1 auth, bad response or missing tweet, 64 usage, 65 bad rules,\n"
    "69 transient, 75 credits or rate limit (the engagers walked so far are printed).\n";

/* The lists walked, in order, with the job kind whose engagements they give. */
static const struct {
	const char *name;
	enum job_kind kind;
} tr_lists[] = {{"retweeters", JOB_RETWEETS}, {"replies", JOB_REPLIES}, {"quotes", JOB_QUOTES}};

/* Everything the report collects. */
struct tr {
	struct xapi *x;
	const struct classify_rules *rules;
	char id[TWEET_ID_MAX + 1];
	int max_pages;
	struct lw_engagement *eng; /* one per account x action */
	size_t neng;
	int pages[LW_ARRAY_LEN(tr_lists)];
	bool cut[LW_ARRAY_LEN(tr_lists)]; /* stopped at --max-pages */
	int64_t requests;
	int64_t credits;
};

/* One account in the report: its best engagement and every action. */
struct tr_acct {
	const struct lw_engagement *best;
	unsigned actions; /* bit per enum lw_action */
};

/* Prints a failed call's class and message to stderr. */
static void
print_error(const char *what, const struct xapi_result *r)
{
	fprintf(stderr, "launchwatch tweet-report: %s: %s (http %ld): ", what,
	    xapi_policy_of(r->cls)->name, r->http_status);
	cmd_put_safe(stderr, r->message, 300);
	fputc('\n', stderr);
}

/* Returns true (after waiting) when a failed call may be tried again: a
 * rate limit, at most TR_RATE_WAITS times in a row. */
static bool
wait_rate_limit(const struct xapi_result *res, int *waits)
{
	if (res->cls != XAPI_RATE_LIMIT || *waits >= TR_RATE_WAITS)
		return false;
	cmd_nap_ms(xapi_delay_ms(res->cls, ++*waits, res->retry_after_s, 0, xapi_rand()));
	return true;
}

/* Adds a page's engagements, merging an account's later replies or quotes
 * into its first engagement of the same action (moves v's contents). */
static void
tr_add(struct tr *t, struct lw_engagement *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct lw_engagement *e = NULL;
		for (size_t k = 0; k < t->neng && e == NULL; k++)
			if (t->eng[k].action == v[i].action &&
			    strcmp(t->eng[k].user.id, v[i].user.id) == 0)
				e = &t->eng[k];
		if (e == NULL) {
			t->eng = xreallocarray(t->eng, t->neng + 1, sizeof *t->eng);
			t->eng[t->neng++] = v[i];
			continue;
		}
		e->ref_ids = xreallocarray(e->ref_ids, e->nref + v[i].nref, sizeof *e->ref_ids);
		for (size_t r = 0; r < v[i].nref; r++)
			e->ref_ids[e->nref++] = v[i].ref_ids[r];
		v[i].nref = 0;
		lw_engagement_done(&v[i]);
	}
}

/* Fetches one page of list li. */
static int
tr_fetch(struct tr *t, size_t li, const char *cursor, struct xapi_page *p, struct xapi_result *r)
{
	if (tr_lists[li].kind == JOB_RETWEETS)
		return xapi_retweeters(t->x, t->id, cursor, p, r);
	if (tr_lists[li].kind == JOB_REPLIES)
		return xapi_replies(t->x, t->id, cursor, 0, p, r);
	return xapi_quotes(t->x, t->id, cursor, 0, p, r);
}

/* Walks list li once. Returns 0, or the exit status of a failure. */
static int
tr_walk(struct tr *t, size_t li)
{
	struct xapi_walk w;
	int rc = LW_EXIT_OK, waits = 0;
	bool reset = false;
	xapi_walk_init(&w, "", t->max_pages);
	for (;;) {
		struct xapi_page page;
		struct xapi_result res;
		memset(&page, 0, sizeof page);
		int ok = tr_fetch(t, li, w.cursor, &page, &res);
		t->requests += res.requests;
		t->credits += res.credits;
		if (ok != 0) {
			xapi_page_done(&page);
			if (wait_rate_limit(&res, &waits)) {
				xapi_result_done(&res);
				continue;
			}
			if (res.cls == XAPI_CURSOR && !reset) {
				/* a rejected cursor: walk again from page 1 (merging keeps
				 * the counts exact) */
				reset = true;
				free(w.cursor);
				w.cursor = xstrdup("");
				xapi_result_done(&res);
				continue;
			}
			print_error(tr_lists[li].name, &res);
			rc = xapi_class_exit(res.cls);
			xapi_result_done(&res);
			break;
		}
		waits = 0;
		bool more = xapi_walk_feed(&w, &page);
		size_t n;
		struct lw_engagement *v = ingest_page_engagements(
		    t->rules, "", t->id, tr_lists[li].kind, CAT_MAIN, &page, &n);
		tr_add(t, v, n);
		free(v);
		xapi_page_done(&page);
		xapi_result_done(&res);
		if (!more)
			break;
	}
	t->pages[li] = w.pages;
	t->cut[li] = w.stop == XAPI_STOP_MAX_PAGES;
	xapi_walk_done(&w);
	return rc;
}

/* Orders accounts by importance (highest first), then handle. */
static int
acct_cmp(const void *a, const void *b)
{
	const struct tr_acct *x = a, *y = b;
	if (x->best->importance != y->best->importance)
		return y->best->importance - x->best->importance;
	return strcmp(x->best->user.handle ? x->best->user.handle : "",
	    y->best->user.handle ? y->best->user.handle : "");
}

/* Groups the engagements by account into a new sorted array of *n. */
static struct tr_acct *
tr_accounts(const struct tr *t, size_t *n)
{
	struct tr_acct *v = xcalloc(t->neng ? t->neng : 1, sizeof *v);
	size_t count = 0;
	for (size_t i = 0; i < t->neng; i++) {
		const struct lw_engagement *e = &t->eng[i];
		struct tr_acct *a = NULL;
		for (size_t k = 0; k < count && a == NULL; k++)
			if (strcmp(v[k].best->user.id, e->user.id) == 0)
				a = &v[k];
		if (a == NULL) {
			a = &v[count++];
			a->best = e;
		} else if (e->importance > a->best->importance) {
			a->best = e;
		}
		a->actions |= 1u << e->action;
	}
	qsort(v, count, sizeof *v, acct_cmp);
	*n = count;
	return v;
}

/* Prints an account's actions as "retweet,reply". */
static void
put_actions(unsigned actions)
{
	const char *sep = "";
	for (int a = 0; a < ACT__COUNT; a++)
		if (actions & (1u << a)) {
			printf("%s%s", sep, action_name((enum lw_action)a));
			sep = ",";
		}
}

/* Prints one account line (and its bio and words on the next lines). */
static void
put_account(const struct tr_acct *a, const struct tr *t, bool details)
{
	const struct lw_user *u = &a->best->user;
	printf("  %3d  @", a->best->importance);
	cmd_put_safe(stdout, u->handle, 60);
	fputs("  ", stdout);
	cmd_put_safe(stdout, u->name, 60);
	printf("  (%lld followers%s)  ", (long long)u->followers, u->verified ? ", verified" : "");
	put_actions(a->actions);
	if (!details) {
		printf("  %s\n", bucket_name(a->best->bucket));
		return;
	}
	putchar('\n');
	if (a->best->evidence && *a->best->evidence) {
		fputs("       evidence: ", stdout);
		cmd_put_safe(stdout, a->best->evidence, 200);
		putchar('\n');
	}
	if (u->bio && *u->bio) {
		fputs("       bio: ", stdout);
		cmd_put_safe(stdout, u->bio, TR_BIO_MAX);
		putchar('\n');
	}
	for (size_t i = 0; i < t->neng; i++) {
		const struct lw_engagement *e = &t->eng[i];
		if (e->text == NULL || strcmp(e->user.id, u->id) != 0)
			continue;
		printf("       %s: ", action_name(e->action));
		cmd_put_safe(stdout, e->text, TR_TEXT_MAX);
		putchar('\n');
	}
}

/* Prints the whole report. */
static void
tr_print(const struct tr *t, const struct lw_tweet *tw, int top)
{
	char when[40] = "?";
	size_t per_action[ACT__COUNT] = {0}, nacct;
	if (tw->created_at_ms > 0)
		xapi_format_time(tw->created_at_ms, when, sizeof when);
	printf("tweet %s by @", tw->id);
	cmd_put_safe(stdout, tw->author.handle, 60);
	fputs(" (", stdout);
	cmd_put_safe(stdout, tw->author.name, 60);
	printf("), posted %s\n  ", when);
	cmd_put_safe(stdout, tw->text, 280);
	printf("\nmetrics: likes=%lld retweets=%lld replies=%lld quotes=%lld views=%lld "
	       "bookmarks=%lld\n",
	    (long long)tw->metrics.likes, (long long)tw->metrics.retweets,
	    (long long)tw->metrics.replies, (long long)tw->metrics.quotes,
	    (long long)tw->metrics.views, (long long)tw->metrics.bookmarks);
	fputs("walked:", stdout);
	for (size_t li = 0; li < LW_ARRAY_LEN(tr_lists); li++)
		printf(" %s %d page%s%s%s", tr_lists[li].name, t->pages[li],
		    t->pages[li] == 1 ? "" : "s", t->cut[li] ? " (page limit; more exist)" : "",
		    li + 1 < LW_ARRAY_LEN(tr_lists) ? "," : "");
	printf("; requests=%lld credits=%lld\n", (long long)t->requests, (long long)t->credits);
	for (size_t i = 0; i < t->neng; i++)
		per_action[t->eng[i].action]++;
	struct tr_acct *acc = tr_accounts(t, &nacct);
	printf("engagements: retweet=%zu reply=%zu quote=%zu; accounts=%zu\n",
	    per_action[ACT_RETWEET], per_action[ACT_REPLY], per_action[ACT_QUOTE], nacct);
	fputs("rules: ", stdout);
	cmd_put_safe(stdout, classify_rules_source(t->rules), 200);
	printf(", importance formula v%d (docs/scoring.md)\n", CLASSIFY_FORMULA_VERSION);

	for (int b = 0; b < BK__COUNT; b++) {
		size_t nb = 0;
		for (size_t i = 0; i < nacct; i++)
			nb += acc[i].best->bucket == (enum lw_bucket)b;
		printf("\n%s: %zu account%s\n", bucket_name((enum lw_bucket)b), nb,
		    nb == 1 ? "" : "s");
		for (size_t i = 0; i < nacct; i++)
			if (acc[i].best->bucket == (enum lw_bucket)b)
				put_account(&acc[i], t, true);
	}
	printf("\ntop accounts:\n");
	for (size_t i = 0; i < nacct && i < (size_t)top; i++)
		put_account(&acc[i], t, false);
	free(acc);
}

/* Fetches the tweet (waiting out rate limits). 0, or an exit status. */
static int
tr_get_tweet(struct tr *t, struct xapi_tweets *out)
{
	const char *ids[1] = {t->id};
	int waits = 0;
	for (;;) {
		struct xapi_result res;
		int ok = xapi_get_tweets(t->x, ids, 1, out, &res);
		t->requests += res.requests;
		t->credits += res.credits;
		if (ok == 0) {
			xapi_result_done(&res);
			break;
		}
		if (wait_rate_limit(&res, &waits)) {
			xapi_result_done(&res);
			continue;
		}
		print_error("metrics", &res);
		int rc = xapi_class_exit(res.cls);
		xapi_result_done(&res);
		return rc;
	}
	if (out->n == 0) {
		fprintf(stderr,
		    "launchwatch tweet-report: tweet %s is missing (deleted, protected or "
		    "unknown)\n",
		    t->id);
		return LW_EXIT_ERROR;
	}
	return LW_EXIT_OK;
}

/* Parses a whole number in [1, hi] for opt; 0 or -1 (message printed). */
static int
tr_number(const char *opt, const char *v, int hi, int *out)
{
	if (!str_is_digits(v) || strlen(v) > 6 || atoi(v) < 1 || atoi(v) > hi) {
		cmd_error("tweet-report", "%s wants a whole number from 1 to %d", opt, hi);
		return -1;
	}
	*out = atoi(v);
	return 0;
}

int
cmd_tweet_report(int argc, char **argv)
{
	static const struct option longopts[] = {{"max-pages", required_argument, NULL, 'm'},
	    {"top", required_argument, NULL, 't'}, {"rules", required_argument, NULL, 'r'},
	    CMD_OPTION_HELP, CMD_OPTION_END};
	struct cmd_opts o = {.prog = "tweet-report", .usage = tr_usage, .longopts = longopts};
	struct tr t;
	struct xapi_config cfg;
	struct xapi_tweets tw;
	struct classify_rules *rules = NULL;
	const char *rules_path = NULL;
	char *cause = NULL;
	int top = 10, c, rc;

	memset(&t, 0, sizeof t);
	memset(&tw, 0, sizeof tw);
	while ((c = cmd_getopt(&o, argc, argv)) != -1) {
		if (c == CMD_OPT_DONE)
			return o.status;
		if ((c == 'm' && tr_number("--max-pages", optarg, 100000, &t.max_pages) != 0) ||
		    (c == 't' && tr_number("--top", optarg, 10000, &top) != 0))
			return LW_EXIT_USAGE;
		if (c == 'r')
			rules_path = optarg;
	}
	if (cmd_operands(&o, argc, argv, 1, 1) != 0)
		return LW_EXIT_USAGE;
	if (tweetlink_parse(argv[optind], t.id, &cause) != 0) {
		char *why = text_sanitize(cause, strlen(cause), 300);
		cmd_error("tweet-report", "%s", why);
		free(why);
		free(cause);
		return LW_EXIT_USAGE;
	}
	if (cmd_rules_load("tweet-report", rules_path, &rules) != 0)
		return LW_EXIT_DATAERR;
	xapi_config_init(&cfg);
	if (xapi_config_from_env(&cfg, &cause) != 0) {
		cmd_error("tweet-report", "%s", cause);
		free(cause);
		xapi_config_done(&cfg);
		classify_rules_free(rules);
		return LW_EXIT_USAGE;
	}
	t.x = xapi_new(&cfg);
	xapi_config_done(&cfg);
	t.rules = rules;

	rc = tr_get_tweet(&t, &tw);
	if (rc == LW_EXIT_OK) {
		for (size_t li = 0; li < LW_ARRAY_LEN(tr_lists) && rc == LW_EXIT_OK; li++)
			rc = tr_walk(&t, li);
		if (rc != LW_EXIT_OK)
			fprintf(stderr, "launchwatch tweet-report: the walk stopped early; the "
			                "report below is incomplete\n");
		tr_print(&t, &tw.tweets[0], top);
	}
	for (size_t i = 0; i < t.neng; i++)
		lw_engagement_done(&t.eng[i]);
	free(t.eng);
	xapi_tweets_done(&tw);
	xapi_free(t.x);
	classify_rules_free(rules);
	return rc;
}
