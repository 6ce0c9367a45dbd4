/*
 * test_config: the campaign file loader on valid files (every parsed field,
 * the defaults, campaigns.example.yaml) and on broken ones under
 * tests/data/config/ (each asserting the exact "FILE:LINE:COL: message"
 * text). Runs in the test program's main thread; files are found under $LAUNCHWATCH_SRCDIR or ".".
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "base/timestr.h"
#include "config/config.h"
#include "model/campaign.h"
#include "base/util.h"

/* Returns the source tree's top directory. */
static const char *
srcdir(void)
{
	const char *d = getenv("LAUNCHWATCH_SRCDIR");
	return d != NULL && *d != '\0' ? d : ".";
}

/* Returns text with every "{F}" replaced by file (caller frees). */
static char *
expand(const char *text, const char *file)
{
	struct sbuf b;
	const char *p;
	sbuf_init(&b);
	sbuf_add(&b, "", 0);
	while ((p = strstr(text, "{F}")) != NULL) {
		sbuf_add(&b, text, (size_t)(p - text));
		sbuf_addstr(&b, file);
		text = p + 3;
	}
	sbuf_addstr(&b, text);
	return sbuf_take(&b);
}

/* Loads YAML text named "t.yaml", expecting success. */
static struct cfg_file *
load_ok(const char *text)
{
	struct cfg_file *f = NULL;
	char *cause = NULL;
	int rc = config_load_string("t.yaml", text, strlen(text), &f, &cause);
	ck_assert_msg(rc == 0, "load failed: %s", cause ? cause : "?");
	ck_assert_ptr_nonnull(f);
	return f;
}

/* Loads YAML text named "t.yaml", expecting success, and frees it. */
static void
cfg_file_free_ok(const char *text)
{
	config_free(load_ok(text));
}

/* Loads YAML text named "t.yaml", expecting exactly the error text want. */
static void
load_fails(const char *text, const char *want)
{
	struct cfg_file *f = (struct cfg_file *)1;
	char *cause = NULL;
	int rc = config_load_string("t.yaml", text, strlen(text), &f, &cause);
	ck_assert_int_eq(rc, -1);
	ck_assert_ptr_null(f);
	ck_assert_ptr_nonnull(cause);
	ck_assert_str_eq(cause, want);
	free(cause);
}

#define MINIMAL                                                                                    \
	"campaigns:\n"                                                                             \
	"  - name: Solo\n"                                                                         \
	"    window: {start: 2026-12-01T14:00:00Z, duration: 2h}\n"                                \
	"    tweets:\n"                                                                            \
	"      investor: [\"https://x.com/i/web/status/42?s=20\"]\n"

START_TEST(test_example_file)
{
	char *path = xasprintf("%s/campaigns.example.yaml", srcdir());
	struct cfg_file *f = NULL;
	char *cause = NULL;
	char buf[32];
	int rc = config_load_file(path, &f, &cause);
	ck_assert_msg(rc == 0, "%s", cause ? cause : "?");
	ck_assert_str_eq(f->path, path);
	ck_assert_uint_eq(f->ncampaigns, 2);

	const struct cfg_campaign *c = &f->campaigns[0];
	ck_assert_str_eq(c->name, "Acme L2 mainnet launch");
	ck_assert_int_eq(c->line, 12);
	ck_assert_str_eq(c->client.name, "Acme Labs");
	ck_assert_str_eq(c->client.contact, "ops@acme.example");
	ck_assert_str_eq(c->client.notes, "Launch week, EU and US time zones");
	ck_assert_str_eq(c->client.logo, "https://acme.example/logo.png");
	ck_assert_str_eq(c->client.accent, "#0a7f6f");
	timestr_format_time(c->start_s, buf, sizeof buf);
	ck_assert_str_eq(buf, "2026-12-01T14:00:00Z");
	ck_assert_int_eq(c->end_s - c->start_s, 7 * 86400);
	ck_assert_uint_eq(c->ntweets, 4);
	ck_assert_str_eq(c->tweets[0].id, "1861111111111111111");
	ck_assert_int_eq(c->tweets[0].category, CAT_MAIN);
	ck_assert_str_eq(c->tweets[0].url, "https://x.com/acme/status/1861111111111111111");
	ck_assert_int_eq(c->tweets[0].line, 24);
	ck_assert_int_eq(c->tweets[0].column, 11);
	ck_assert_str_eq(c->tweets[1].id, "1861111111111111112");
	ck_assert_int_eq(c->tweets[1].category, CAT_INFLUENCER);
	ck_assert_str_eq(c->tweets[2].id, "1861111111111111114");
	ck_assert_int_eq(c->tweets[2].category, CAT_INFLUENCER);
	ck_assert_str_eq(c->tweets[3].id, "1861111111111111113");
	ck_assert_int_eq(c->tweets[3].category, CAT_INVESTOR);
	ck_assert_str_eq(c->tweets[3].url, "1861111111111111113");
	ck_assert_int_eq(c->cadence.metrics, 300);
	ck_assert_int_eq(c->cadence.retweets, 600);
	ck_assert_int_eq(c->cadence.replies, 600);
	ck_assert_int_eq(c->cadence.quotes, 600);
	ck_assert_int_eq(c->alerts.min_importance, 70);
	ck_assert_uint_eq(c->alerts.nbuckets, 2);
	ck_assert_str_eq(c->alerts.buckets[0], "investor");
	ck_assert_str_eq(c->alerts.buckets[1], "founder");
	ck_assert_uint_eq(c->alerts.nactions, 2);
	ck_assert_str_eq(c->alerts.actions[1], "quote");
	ck_assert_uint_eq(c->alerts.ncategories, 2);
	ck_assert_str_eq(c->alerts.categories[1], "influencer");
	ck_assert_uint_eq(c->alerts.nwatch, 2);
	ck_assert_str_eq(c->alerts.watch[0], "a16z");
	ck_assert_str_eq(c->alerts.watch[1], "paradigm");
	ck_assert_str_eq(c->alerts.slack_webhook_ref, "env:SLACK_WEBHOOK_URL");
	ck_assert(c->alerts.has_email);
	ck_assert_uint_eq(c->alerts.email.nto, 1);
	ck_assert_str_eq(c->alerts.email.to[0], "team@acme.example");
	ck_assert_str_eq(c->alerts.email.smtp_url, "smtps://smtp.example:465");
	ck_assert_str_eq(c->alerts.email.user, "alerts@acme.example");
	ck_assert_str_eq(c->alerts.email.password_ref, "env:SMTP_PASSWORD");
	ck_assert_str_eq(c->alerts.email.from, "Acme alerts <alerts@acme.example>");
	ck_assert_int_eq(c->alerts.quiet_window_s, 1800);
	ck_assert(c->alerts.has_min_sentiment);
	ck_assert_double_eq(c->alerts.min_sentiment, -0.5);
	ck_assert(c->alerts.has_negative_sentiment);
	ck_assert_double_eq(c->alerts.negative_sentiment, -0.6);
	for (int i = 0; i < CAT__COUNT; i++) {
		ck_assert(c->cpm.has_benchmark[i]);
		ck_assert(c->cpm.has_spend[i]);
	}
	ck_assert_double_eq(c->cpm.benchmark_usd[CAT_MAIN], 6.0);
	ck_assert_double_eq(c->cpm.benchmark_usd[CAT_INFLUENCER], 14.0);
	ck_assert_double_eq(c->cpm.spend_usd[CAT_INFLUENCER], 12000.0);
	ck_assert_double_eq(c->cpm.spend_usd[CAT_MAIN], 0.0);
	ck_assert_int_eq(c->farm.threshold, 60);
	ck_assert(!c->farm.exclude);

	c = &f->campaigns[1];
	ck_assert_str_eq(c->name, "Acme token generation event");
	ck_assert_str_eq(c->client.notes, "");
	timestr_format_time(c->start_s, buf, sizeof buf);
	ck_assert_str_eq(buf, "2027-01-15T14:30:00Z");
	timestr_format_time(c->end_s, buf, sizeof buf);
	ck_assert_str_eq(buf, "2027-01-18T14:30:00Z");
	ck_assert_uint_eq(c->ntweets, 1);
	ck_assert_str_eq(c->tweets[0].id, "1871111111111111111");
	ck_assert_int_eq(c->cadence.metrics, 120);
	ck_assert_int_eq(c->cadence.quotes, 900);
	ck_assert_int_eq(c->alerts.min_importance, 80);
	ck_assert_uint_eq(c->alerts.nbuckets, 3);
	ck_assert_uint_eq(c->alerts.nactions, 0);
	ck_assert_uint_eq(c->alerts.ncategories, 0);
	ck_assert_str_eq(c->alerts.watch[0], "paradigm");
	ck_assert_str_eq(c->alerts.slack_webhook_ref, "file:/etc/launchwatch/slack-webhook");
	ck_assert(!c->alerts.has_email);
	ck_assert_int_eq(c->alerts.quiet_window_s, 3600);
	ck_assert(!c->alerts.has_min_sentiment);
	ck_assert(c->cpm.has_benchmark[CAT_MAIN]);
	ck_assert(!c->cpm.has_benchmark[CAT_INFLUENCER]);
	ck_assert_double_eq(c->cpm.benchmark_usd[CAT_MAIN], 6.5);
	ck_assert_double_eq(c->cpm.spend_usd[CAT_MAIN], 2500.0);
	ck_assert(!c->cpm.has_spend[CAT_INVESTOR]);
	ck_assert_int_eq(c->farm.threshold, 50);
	ck_assert(c->farm.exclude);

	config_free(f);
	free(path);
}
END_TEST

/* The campaign file example of DESIGN.md section 3, verbatim. */
static const char design_example[] =
    "campaigns:\n"
    "  - name: Acme L2 mainnet launch          # unique; re-adding the same name updates it\n"
    "    client: {name: Acme Labs, contact: ops@acme.example, notes: \"\"}\n"
    "    window: {start: 2026-12-01T14:00:00Z, end: 2026-12-08T14:00:00Z}   # or duration: 7d\n"
    "    tweets:\n"
    "      main:       [https://x.com/acme/status/1861111111111111111]\n"
    "      influencer: [https://twitter.com/kol/status/1861111111111111112]\n"
    "      investor:   [1861111111111111113]                # bare ids are fine\n"
    "    cadence: {metrics: 5m, retweets: 10m, replies: 10m, quotes: 10m}   # seconds allowed: 2s\n"
    "    alerts:\n"
    "      min_importance: 70\n"
    "      buckets: [investor, founder]\n"
    "      watch: [\"@a16z\", \"@paradigm\"]                   # always alert on these handles\n"
    "      slack_webhook: env:SLACK_WEBHOOK_URL\n"
    "      email: {to: [team@acme.example], smtp_url: \"smtps://smtp.example:465\",\n"
    "              user: alerts@acme.example, password: env:SMTP_PASSWORD}\n"
    "      quiet_window: 30m                               # no repeat of the same alert inside "
    "it\n"
    "    cpm: {benchmark_usd: {main: 6.0, influencer: 14.0, investor: 14.0}, spend_usd: "
    "{influencer: 12000}}\n";

START_TEST(test_design_example)
{
	struct cfg_file *f = load_ok(design_example);
	const struct cfg_campaign *c = &f->campaigns[0];
	ck_assert_uint_eq(f->ncampaigns, 1);
	ck_assert_str_eq(c->name, "Acme L2 mainnet launch");
	ck_assert_str_eq(c->client.notes, "");
	ck_assert_int_eq(c->end_s - c->start_s, 7 * 86400);
	ck_assert_uint_eq(c->ntweets, 3);
	ck_assert_str_eq(c->tweets[2].id, "1861111111111111113");
	ck_assert_int_eq(c->tweets[2].category, CAT_INVESTOR);
	ck_assert_str_eq(c->alerts.watch[1], "paradigm");
	ck_assert_str_eq(c->alerts.email.password_ref, "env:SMTP_PASSWORD");
	ck_assert(c->cpm.has_spend[CAT_INFLUENCER]);
	ck_assert(!c->cpm.has_spend[CAT_MAIN]);
	ck_assert_double_eq(c->cpm.spend_usd[CAT_INFLUENCER], 12000.0);
	config_free(f);
}
END_TEST

START_TEST(test_defaults)
{
	struct cfg_file *f = load_ok(MINIMAL);
	const struct cfg_campaign *c = &f->campaigns[0];
	ck_assert_str_eq(f->path, "t.yaml");
	ck_assert_uint_eq(f->ncampaigns, 1);
	ck_assert_str_eq(c->name, "Solo");
	ck_assert_int_eq(c->line, 2);
	ck_assert_str_eq(c->client.name, "");
	ck_assert_str_eq(c->client.contact, "");
	ck_assert_str_eq(c->client.notes, "");
	ck_assert_int_eq(c->start_s, 1796133600);
	ck_assert_int_eq(c->end_s, 1796133600 + 7200);
	ck_assert_uint_eq(c->ntweets, 1);
	ck_assert_str_eq(c->tweets[0].id, "42");
	ck_assert_int_eq(c->tweets[0].category, CAT_INVESTOR);
	ck_assert_str_eq(c->tweets[0].url, "https://x.com/i/web/status/42?s=20");
	ck_assert_int_eq(c->tweets[0].line, 5);
	ck_assert_int_eq(c->tweets[0].column, 18);
	ck_assert_int_eq(c->cadence.metrics, 300);
	ck_assert_int_eq(c->cadence.retweets, 600);
	ck_assert_int_eq(c->cadence.replies, 600);
	ck_assert_int_eq(c->cadence.quotes, 600);
	ck_assert_int_eq(c->alerts.min_importance, 70);
	ck_assert_uint_eq(c->alerts.nbuckets, 0);
	ck_assert_uint_eq(c->alerts.nactions, 0);
	ck_assert_uint_eq(c->alerts.ncategories, 0);
	ck_assert_uint_eq(c->alerts.nwatch, 0);
	ck_assert_str_eq(c->alerts.slack_webhook_ref, "");
	ck_assert(!c->alerts.has_email);
	ck_assert_uint_eq(c->alerts.email.nto, 0);
	ck_assert_str_eq(c->alerts.email.smtp_url, "");
	ck_assert_str_eq(c->alerts.email.user, "");
	ck_assert_str_eq(c->alerts.email.password_ref, "");
	ck_assert_int_eq(c->alerts.quiet_window_s, 1800);
	ck_assert(!c->alerts.has_min_sentiment); /* the sentiment rule is off */
	for (int i = 0; i < CAT__COUNT; i++) {
		ck_assert(!c->cpm.has_benchmark[i]);
		ck_assert(!c->cpm.has_spend[i]);
	}
	config_free(f);
}
END_TEST

START_TEST(test_values)
{
	struct cfg_file *f =
	    load_ok("campaigns:\n"
	            "- name: \"Ünïcode launch\"\n"
	            "  client:\n"
	            "    name: Acme\n"
	            "    notes:\n"
	            "  window:\n"
	            "    start: 2026-12-01 15:00:00.250+01:00\n"
	            "    end: 2026-12-01t14:30:00z\n"
	            "  tweets:\n"
	            "    main:\n"
	            "      - https://mobile.twitter.com/Acme/statuses/7/photo/1\n"
	            "      - 8\n"
	            "    influencer: ~\n"
	            "  cadence: {metrics: 1s, retweets: 1h30m, replies: 2d, quotes: 90s}\n"
	            "  alerts:\n"
	            "    min_importance: 0\n"
	            "    watch: [\"@Paradigm\", a16z, A_b_1]\n"
	            "    quiet_window: 0\n"
	            "    min_sentiment: -1\n"
	            "    email:\n"
	            "      to: [a@b.example, c.d+e@f.example]\n"
	            "      smtp_url: smtp://mail.example\n"
	            "      password: file:/run/secrets/smtp\n"
	            "      from: \"\\\"Acme Ops\\\" <ops@acme.example>\"\n"
	            "  cpm: {benchmark_usd: {investor: 1.5e1}, spend_usd: {investor: \"3\"}}\n");
	const struct cfg_campaign *c = &f->campaigns[0];
	ck_assert_str_eq(c->name, "Ünïcode launch");
	ck_assert_str_eq(c->client.notes, "");
	ck_assert_int_eq(c->start_s, 1796133600);
	ck_assert_int_eq(c->end_s, 1796135400);
	ck_assert_uint_eq(c->ntweets, 2);
	ck_assert_str_eq(c->tweets[0].id, "7");
	ck_assert_str_eq(c->tweets[1].id, "8");
	ck_assert_int_eq(c->cadence.metrics, 1);
	ck_assert_int_eq(c->cadence.retweets, 5400);
	ck_assert_int_eq(c->cadence.replies, 172800);
	ck_assert_int_eq(c->cadence.quotes, 90);
	ck_assert_int_eq(c->alerts.min_importance, 0);
	ck_assert_str_eq(c->alerts.email.from, "\"Acme Ops\" <ops@acme.example>");
	ck_assert(c->alerts.has_min_sentiment);
	ck_assert_double_eq(c->alerts.min_sentiment, -1.0);
	ck_assert_uint_eq(c->alerts.nwatch, 3);
	ck_assert_str_eq(c->alerts.watch[0], "paradigm");
	ck_assert_str_eq(c->alerts.watch[1], "a16z");
	ck_assert_str_eq(c->alerts.watch[2], "a_b_1");
	ck_assert_int_eq(c->alerts.quiet_window_s, 0);
	ck_assert(c->alerts.has_email);
	ck_assert_uint_eq(c->alerts.email.nto, 2);
	ck_assert_str_eq(c->alerts.email.to[1], "c.d+e@f.example");
	ck_assert_str_eq(c->alerts.email.password_ref, "file:/run/secrets/smtp");
	ck_assert_str_eq(c->alerts.email.user, "");
	ck_assert_double_eq(c->cpm.benchmark_usd[CAT_INVESTOR], 15.0);
	ck_assert_double_eq(c->cpm.spend_usd[CAT_INVESTOR], 3.0);
	ck_assert(c->cpm.has_spend[CAT_INVESTOR]);
	config_free(f);
}
END_TEST

/* Broken files under tests/data/config/ and the exact errors each gives. */
static const struct {
	const char *file;
	const char *want; /* "{F}" stands for the file's path */
} broken[] = {
    {"bad-alert-lists.yaml",
        "{F}:6:17: alerts.buckets must list bucket names (investor, founder, ai, developer, media, "
        "other), got 'investors'\n"
        "{F}:6:37: alerts.buckets lists 'founder' twice\n"
        "{F}:7:17: alerts.actions must list actions (retweet, reply, quote), got 'like'\n"
        "{F}:8:26: alerts.categories must list categories (main, influencer, investor), got 'kol'\n"
        "{F}:9:24: alerts.watch must list X handles of 1 to 15 letters, digits or _, got "
        "'@this_handle_is_too_long'\n"
        "{F}:9:52: alerts.watch lists 'a16z' twice"},
    {"bad-alias.yaml", "{F}:6:13: YAML aliases (*w) are not supported; write the value out"},
    {"bad-campaign-scalar.yaml",
        "{F}:2:5: each campaign must be a mapping with name, window and tweets, got 'Acme'"},
    {"bad-campaigns-empty.yaml", "{F}:1:12: campaigns must list at least one campaign"},
    {"bad-cpm.yaml",
        "{F}:6:29: cpm.benchmark_usd.main must be a non-negative number, got '-6'\n"
        "{F}:6:45: cpm.benchmark_usd.influencer must be a non-negative number, got 'lots'\n"
        "{F}:6:51: unknown key 'investr' in cpm.benchmark_usd (did you mean 'investor'?)\n"
        "{F}:7:25: cpm.spend_usd.main must be a non-negative number, got '.nan'"},
    {"bad-farm.yaml", "{F}:9:18: farm.threshold must be an integer from 0 to 100, got '101'\n"
                      "{F}:13:21: farm.exclude must be true or false, got 'yes'\n"
                      "{F}:13:26: unknown key 'treshold' in farm (did you mean 'threshold'?)"},
    {"bad-duplicate-key.yaml", "{F}:5:5: duplicate key 'name' (first at line 2)"},
    {"bad-duplicate-name.yaml", "{F}:5:11: campaign name 'Acme' is already used at line 2"},
    {"bad-duplicate-tweet.yaml",
        "{F}:9:11: tweet 1861111111111111111 is already listed at line 6 (main)"},
    {"bad-duration.yaml",
        "{F}:6:16: cadence.metrics: unknown unit 'x' in duration '5x' (use s, m, h or d)\n"
        "{F}:7:17: cadence.retweets must be at least 1s, got '0s'\n"
        "{F}:8:16: cadence.replies: duration '-10m' is negative\n"
        "{F}:9:15: cadence.quotes: duration '10' needs a unit (s, m, h or d)"},
    {"bad-email-missing.yaml",
        "{F}:7:9: missing required key 'to' in alerts.email (a list of recipient addresses)\n"
        "{F}:7:9: missing required key 'smtp_url' in alerts.email (smtp:// or smtps:// server "
        "URL)"},
    {"bad-email.yaml", "{F}:7:14: alerts.email.to must list email addresses such as "
                       "team@acme.example, got 'team-at-acme.example'\n"
                       "{F}:8:19: alerts.email.smtp_url must start with smtp:// or smtps:// and "
                       "name a host, as in smtps://smtp.example:465"},
    {"bad-empty.yaml", "{F}:1:1: the file is empty; it needs a 'campaigns:' list"},
    {"bad-end-and-duration.yaml", "{F}:6:17: window has both end and duration; give only one"},
    {"bad-end-before-start.yaml", "{F}:5:12: window.end must be after window.start"},
    {"bad-min-importance.yaml",
        "{F}:9:23: alerts.min_importance must be an integer from 0 to 100, got 'abc'"},
    {"bad-min-sentiment.yaml",
        "{F}:9:22: alerts.min_sentiment must be a number from -1 to 1, got '1.5'\n"
        "{F}:13:29: alerts.min_sentiment must be a number from -1 to 1, got 'positive'\n"
        "{F}:13:39: unknown key 'min_sentimnet' in alerts (did you mean 'min_sentiment'?)"},
    {"bad-negative-sentiment.yaml",
        "{F}:9:27: alerts.negative_sentiment must be a number from -1 to 1, got '-1.5'\n"
        "{F}:13:34: alerts.negative_sentiment must be a number from -1 to 1, got 'awful'"},
    {"bad-missing-name.yaml",
        "{F}:2:5: missing required key 'name' in campaign (the campaign's unique name)"},
    {"bad-no-end.yaml", "{F}:4:7: window needs end or duration (such as duration: 7d)"},
    {"bad-no-tweets.yaml", "{F}:5:7: campaign lists no tweets; add at least one under tweets.main, "
                           "tweets.influencer or tweets.investor"},
    {"bad-not-mapping.yaml",
        "{F}:1:1: the file must be a mapping with a 'campaigns:' list, got a list"},
    {"bad-secret-literal.yaml", "{F}:6:22: alerts.slack_webhook must be a reference such as "
                                "env:SLACK_WEBHOOK_URL or file:/path, not a literal secret\n"
                                "{F}:10:19: alerts.email.password must be a reference such as "
                                "env:SMTP_PASSWORD or file:/path, not a literal secret"},
    {"bad-syntax.yaml", "{F}:4:11: YAML syntax error: did not find expected ',' or '}' (while "
                        "parsing a flow mapping at line 3, column 13)"},
    {"bad-time.yaml", "{F}:3:21: window.start: day 29 is out of range for 2026-02 in time "
                      "'2026-02-29T14:00:00Z'\n"
                      "{F}:3:48: window.end: time '2026-12-01' has no time of day (such as "
                      "2026-12-01T00:00:00Z)"},
    {"bad-top-unknown-key.yaml",
        "{F}:1:1: unknown key 'campaign' at the top level (did you mean 'campaigns'?)"},
    {"bad-tweet-host.yaml",
        "{F}:6:11: tweets.main: host 'example.com' is not x.com or twitter.com\n"
        "{F}:7:11: tweets.main: a profile link, not a tweet link (expected /<user>/status/<id>)\n"
        "{F}:8:11: tweets.main: tweet id '123abc' is not 1 to 19 digits"},
    {"bad-two-documents.yaml",
        "{F}:5:1: the file holds more than one YAML document; use one 'campaigns:' list"},
    {"bad-type-list.yaml", "{F}:6:16: alerts.buckets must be a list, got a mapping\n"
                           "{F}:7:14: alerts.watch must be a list, got '@a16z'"},
    {"bad-type-scalar.yaml",
        "{F}:2:11: name must be a string, got a list\n"
        "{F}:3:13: client must be a mapping, got 'Acme Labs'\n"
        "{F}:6:30: alerts.min_importance must be an integer from 0 to 100, got a mapping"},
    {"bad-unknown-key.yaml", "{F}:4:5: unknown key 'clinet' in campaign (did you mean 'client'?)"},
};

START_TEST(test_broken_file)
{
	char *path = xasprintf("%s/tests/data/config/%s", srcdir(), broken[_i].file);
	char *want = expand(broken[_i].want, path);
	struct cfg_file *f = (struct cfg_file *)1;
	char *cause = NULL;
	ck_assert_int_eq(config_load_file(path, &f, &cause), -1);
	ck_assert_ptr_null(f);
	ck_assert_ptr_nonnull(cause);
	ck_assert_str_eq(cause, want);
	free(cause);
	free(want);
	free(path);
}
END_TEST

START_TEST(test_broken_strings)
{
	/* Errors in several campaigns come out in file order. */
	load_fails("campaigns:\n"
	           "  - name: A\n"
	           "    window: {start: 2026-12-01T14:00:00Z, duration: 0s}\n"
	           "    tweets: {main: [1]}\n"
	           "  - name: \"\"\n"
	           "    window: {start: 2026-13-01T14:00:00Z, end: 2026-12-01T14:00:00Z}\n"
	           "    tweets: {main: [1], investor: [{id: 2}]}\n"
	           "    alerts: {min_importance: 101, email: {to: [], smtp_url: smtp://h}}\n",
	    "t.yaml:3:53: window.duration must be at least 1s, got '0s'\n"
	    "t.yaml:5:11: name must not be empty\n"
	    "t.yaml:6:21: window.start: month 13 is out of range in time "
	    "'2026-13-01T14:00:00Z'\n"
	    "t.yaml:7:36: tweets.investor items must be tweet links or ids, got a mapping\n"
	    "t.yaml:8:30: alerts.min_importance must be an integer from 0 to 100, got '101'\n"
	    "t.yaml:8:47: alerts.email.to must list at least one address");
	/* A secret with a bad env: name is refused without echoing it. */
	load_fails(MINIMAL "    alerts: {slack_webhook: \"env:1SECRET\"}\n",
	    "t.yaml:6:29: alerts.slack_webhook must name an environment variable after env: "
	    "(letters, digits and _, not starting with a digit)");
	/* A file: secret with a '..' segment is refused, one with dots in a
	 * name is not. */
	load_fails(MINIMAL "    alerts: {slack_webhook: \"file:/run/secrets/../../etc/shadow\"}\n",
	    "t.yaml:6:29: alerts.slack_webhook must not name a path with a '..' segment after "
	    "file: (give the file's own path)");
	cfg_file_free_ok(MINIMAL "    alerts: {slack_webhook: \"file:/run/secrets/..hook..\"}\n");
	/* A list item holding a NUL (a YAML \\0 escape) is refused, not cut short. */
	load_fails("campaigns:\n"
	           "  - name: A\n"
	           "    window: {start: 2026-12-01T14:00:00Z, duration: 2h}\n"
	           "    tweets: {main: [\"1\\0https://x.com/a/status/2\"]}\n",
	    "t.yaml:4:21: tweets.main items must not contain a NUL character");
	load_fails(MINIMAL "    alerts: {watch: [\"@acme\\0@other\"]}\n",
	    "t.yaml:6:22: alerts.watch items must not contain a NUL character");
	/* Credentials inside smtp_url are refused. */
	load_fails(MINIMAL "    alerts:\n"
	                   "      email: {to: [a@b.example], smtp_url: \"smtps://u:pw@h:465\"}\n",
	    "t.yaml:7:44: alerts.email.smtp_url must not hold a user or password; use "
	    "alerts.email.user and alerts.email.password");
	/* alerts.email.from must be an address or "Name <address>". */
	load_fails(MINIMAL
	    "    alerts:\n"
	    "      email: {to: [a@b.example], smtp_url: smtp://h, from: \"Acme <nope>\"}\n",
	    "t.yaml:7:60: alerts.email.from must be an address or 'Name <address>' such as "
	    "'Acme alerts <alerts@acme.example>', got 'Acme <nope>'");
	/* Invalid UTF-8 is a syntax error at its position. */
	load_fails("campaigns:\n  - name: \xff\n",
	    "t.yaml:2:11: YAML syntax error: invalid leading UTF-8 octet");
	/* A tab where YAML wants spaces. */
	load_fails("campaigns:\n\t- name: A\n",
	    "t.yaml:2:1: YAML syntax error: found character that cannot start any token "
	    "(while scanning for the next token at line 2, column 1)");
	/* Keys that are not names. */
	load_fails("? [a]\n: b\n",
	    "t.yaml:1:1: missing required key 'campaigns' at the top level (a list of campaigns)\n"
	    "t.yaml:1:3: keys must be plain names, not lists");
	/* Unknown keys far from any known one get no suggestion. */
	load_fails(MINIMAL "    zzzzzz: 1\n", "t.yaml:6:5: unknown key 'zzzzzz' in campaign");
	/* A key path written flat is not a key. */
	load_fails(MINIMAL "    alerts.min_importance: 5\n",
	    "t.yaml:6:5: unknown key 'alerts.min_importance' in campaign");
	/* Empty input. */
	load_fails("", "t.yaml:1:1: the file is empty; it needs a 'campaigns:' list");
	load_fails("---\n", "t.yaml:1:1: the file is empty; it needs a 'campaigns:' list");
}
END_TEST

START_TEST(test_error_cap)
{
	struct sbuf b;
	struct cfg_file *f = NULL;
	char *cause = NULL;
	size_t lines = 1;
	sbuf_init(&b);
	sbuf_addstr(&b, MINIMAL);
	for (int i = 0; i < 25; i++)
		sbuf_printf(&b, "    bogus_%02d: 1\n", i);
	ck_assert_int_eq(config_load_string("t.yaml", b.s, b.len, &f, &cause), -1);
	ck_assert_ptr_null(f);
	for (const char *p = cause; *p; p++)
		lines += *p == '\n';
	ck_assert_uint_eq(lines, 21);
	ck_assert_ptr_nonnull(strstr(cause, "t.yaml:6:5: unknown key 'bogus_00' in campaign\n"));
	ck_assert_ptr_nonnull(strstr(cause, "t.yaml:25:5: unknown key 'bogus_19' in campaign\n"));
	ck_assert_ptr_null(strstr(cause, "bogus_20"));
	ck_assert_ptr_nonnull(strstr(cause, "\nt.yaml: 5 more errors not shown"));
	free(cause);
	sbuf_done(&b);
}
END_TEST

START_TEST(test_client_branding)
{
	/* a logo file is embedded as a data: URI; an https URL stays a URL */
	char *dir = tu_tempdir();
	char *png = tu_write_file(dir, "logo.png", "\x89PNG\r\n\x1a\nrest");
	char *txt = tu_write_file(dir, "logo.txt", "not an image");
	char *text =
	    xasprintf(MINIMAL "    client: {name: Acme, logo: \"%s\", accent: \"#0A7f6f\"}\n", png);
	struct cfg_file *f = load_ok(text);
	ck_assert_str_eq(f->campaigns[0].client.logo, "data:image/png;base64,iVBORw0KGgpyZXN0");
	ck_assert_str_eq(f->campaigns[0].client.accent, "#0A7f6f");
	ck_assert(campaign_logo_ok(f->campaigns[0].client.logo));
	config_free(f);
	free(text);
	f = load_ok(MINIMAL "    client: {logo: \"https://acme.example/logo.png\"}\n");
	ck_assert_str_eq(f->campaigns[0].client.logo, "https://acme.example/logo.png");
	ck_assert_str_eq(f->campaigns[0].client.accent, "");
	config_free(f);
	/* each mistake is named with its key */
	load_fails(MINIMAL "    client: {accent: teal}\n",
	    "t.yaml:6:22: client.accent must be a colour written #rrggbb, such as #0a66c2");
	load_fails(MINIMAL "    client: {logo: \"http://acme.example/l.png\"}\n",
	    "t.yaml:6:20: client.logo must be an https:// URL (no spaces, quotes or angle "
	    "brackets) or the path of a PNG, JPEG, GIF or SVG file");
	text = xasprintf(MINIMAL "    client: {logo: \"%s\"}\n", txt);
	char *want = xasprintf(
	    "t.yaml:6:20: client.logo: the logo file %s is not a PNG, JPEG, GIF or SVG image", txt);
	load_fails(text, want);
	free(want);
	free(text);
	load_fails(MINIMAL "    client: {logo: /nonexistent/logo.png}\n",
	    "t.yaml:6:20: client.logo: cannot read the logo file: /nonexistent/logo.png: No such "
	    "file or directory");
	tu_rmtree(dir);
	free(dir);
	free(png);
	free(txt);
}
END_TEST

START_TEST(test_missing_file)
{
	struct cfg_file *f = (struct cfg_file *)1;
	char *cause = NULL;
	ck_assert_int_eq(config_load_file("/nonexistent/campaigns.yaml", &f, &cause), -1);
	ck_assert_ptr_null(f);
	ck_assert_str_eq(cause, "/nonexistent/campaigns.yaml: No such file or directory");
	free(cause);
	config_free(NULL);
}
END_TEST

#define LOOP(tc, fn, table) tcase_add_loop_test(tc, fn, 0, (int)(sizeof table / sizeof table[0]))

/* Builds the suite. */
static Suite *
config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *load = tcase_create("load");

	tcase_add_test(load, test_example_file);
	tcase_add_test(load, test_design_example);
	tcase_add_test(load, test_defaults);
	tcase_add_test(load, test_values);
	LOOP(load, test_broken_file, broken);
	tcase_add_test(load, test_broken_strings);
	tcase_add_test(load, test_error_cap);
	tcase_add_test(load, test_missing_file);
	tcase_add_test(load, test_client_branding);
	suite_add_tcase(s, load);
	return s;
}

/* Runs the suite; exits non-zero when a check failed. */
int
main(void)
{
	SRunner *sr = srunner_create(config_suite());
	int failed;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
