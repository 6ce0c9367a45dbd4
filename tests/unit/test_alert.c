/*
 * test_alert: the pure alert model: rules (watched handles, importance,
 * buckets, actions, categories, the sentiment hook), fingerprints and quiet
 * window slots, the dedupe decision over an injected clock, digest timing and
 * retry backoff, candidates from change-log records completed by their
 * stored engagement. No I/O.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/alert.h"
#include "model/prep.h"
#include "output/notify_format.h"
#include "config/config.h"
#include "base/util.h"

static const char *const yaml =
    "campaigns:\n"
    "  - name: Acme L2 mainnet launch\n"
    "    window: {start: 2026-12-01T14:00:00Z, duration: 7d}\n"
    "    tweets:\n"
    "      main: [https://x.com/acme/status/1861111111111111111]\n"
    "      influencer: [1861111111111111112]\n"
    "      investor: [1861111111111111113]\n"
    "    alerts:\n"
    "      min_importance: 70\n"
    "      buckets: [investor, founder]\n"
    "      actions: [retweet, quote]\n"
    "      categories: [main, influencer]\n"
    "      watch: [\"@A16Z\", paradigm]\n"
    "      slack_webhook: env:LW_T_SLACK\n"
    "      email: {to: [team@acme.example], smtp_url: \"smtp://127.0.0.1:25\", user: "
    "alerts@acme.example, password: env:LW_T_PW}\n"
    "      quiet_window: 30m\n";

/* Loads the test campaign into a (caller calls alert_campaign_done). */
static void
load(struct alert_campaign *a, const char *text)
{
	struct cfg_file *f = NULL;
	char *cause = NULL;
	ck_assert_msg(config_load_string("t.yaml", text, strlen(text), &f, &cause) == 0, "%s",
	    cause ? cause : "");
	alert_campaign_init(a, "acme-l2-mainnet-launch-0badf00d", &f->campaigns[0]);
	config_free(f);
}

/* Fills a candidate with fixed strings (caller calls alert_candidate_done). */
static void
cand(struct alert_candidate *c, const char *handle, enum lw_bucket b, int imp, enum lw_action act,
    const char *tweet)
{
	memset(c, 0, sizeof *c);
	snprintf(c->campaign_id, sizeof c->campaign_id, "acme-l2-mainnet-launch-0badf00d");
	snprintf(c->tweet_id, sizeof c->tweet_id, "%s", tweet);
	snprintf(c->user_id, sizeof c->user_id, "4242");
	c->category = -1;
	c->handle = xstrdup(handle);
	c->name = xstrdup("Some One");
	c->evidence = xstrdup("");
	c->text = xstrdup("");
	c->bucket = b;
	c->importance = imp;
	c->action = act;
	c->event_ms = 1767225600000LL;
}

START_TEST(test_campaign_compiles)
{
	struct alert_campaign a;
	load(&a, yaml);
	ck_assert_int_eq(a.rules.min_importance, 70);
	ck_assert_uint_eq(a.rules.buckets, (1u << BK_INVESTOR) | (1u << BK_FOUNDER));
	ck_assert_uint_eq(a.rules.actions, (1u << ACT_RETWEET) | (1u << ACT_QUOTE));
	ck_assert_uint_eq(a.rules.categories, (1u << CAT_MAIN) | (1u << CAT_INFLUENCER));
	ck_assert_uint_eq(a.rules.nwatch, 2);
	ck_assert_str_eq(a.rules.watch[0], "a16z");
	ck_assert_int_eq(a.rules.quiet_window_ms, 1800000);
	ck_assert(alert_campaign_has_channel(&a, ALERT_SLACK));
	ck_assert(alert_campaign_has_channel(&a, ALERT_EMAIL));
	ck_assert_str_eq(a.slack_ref, "env:LW_T_SLACK");
	ck_assert_str_eq(a.smtp_password_ref, "env:LW_T_PW");
	ck_assert_uint_eq(a.ntweets, 3);
	ck_assert_int_eq(alert_campaign_tweet(&a, "1861111111111111113")->category, CAT_INVESTOR);
	ck_assert_ptr_null(alert_campaign_tweet(&a, "1"));
	uint64_t h = a.channels_hash;
	alert_campaign_done(&a);

	/* a different password reference changes the channels hash; no alerts
	 * section means no channel and the defaults */
	char *other = xstrdup(yaml);
	char *p = strstr(other, "LW_T_PW");
	p[5] = 'X';
	load(&a, other);
	ck_assert_uint_ne(a.channels_hash, h);
	alert_campaign_done(&a);
	free(other);
	load(&a, "campaigns:\n  - name: Bare\n    window: {start: 2026-12-01T14:00:00Z, "
	         "duration: 1d}\n    tweets: {main: [1861111111111111199]}\n");
	ck_assert(!alert_campaign_has_channel(&a, ALERT_SLACK));
	ck_assert(!alert_campaign_has_channel(&a, ALERT_EMAIL));
	ck_assert_int_eq(a.rules.min_importance, 70);
	ck_assert_uint_eq(a.rules.buckets, 0);
	ck_assert_int_eq(a.rules.quiet_window_ms, 1800000);
	alert_campaign_done(&a);
}
END_TEST

START_TEST(test_rules_table)
{
	static const struct {
		const char *handle;
		enum lw_bucket bucket;
		int importance;
		enum lw_action action;
		const char *tweet;
		enum alert_verdict want;
	} cases[] = {
	    {"jane", BK_INVESTOR, 82, ACT_QUOTE, "1861111111111111111", ALERT_MATCH_RULES},
	    {"jane", BK_FOUNDER, 70, ACT_RETWEET, "1861111111111111112", ALERT_MATCH_RULES},
	    {"jane", BK_INVESTOR, 69, ACT_QUOTE, "1861111111111111111", ALERT_SKIP_IMPORTANCE},
	    {"jane", BK_MEDIA, 95, ACT_QUOTE, "1861111111111111111", ALERT_SKIP_BUCKET},
	    {"jane", BK_INVESTOR, 95, ACT_REPLY, "1861111111111111111", ALERT_SKIP_ACTION},
	    {"jane", BK_INVESTOR, 95, ACT_QUOTE, "1861111111111111113", ALERT_SKIP_CATEGORY},
	    {"jane", BK_INVESTOR, 95, ACT_QUOTE, "999", ALERT_SKIP_CATEGORY},
	    /* watched handles alert whatever the other rules say (any case) */
	    {"a16z", BK_OTHER, 1, ACT_REPLY, "1861111111111111113", ALERT_MATCH_WATCHED},
	    {"Paradigm", BK_OTHER, 0, ACT_REPLY, "999", ALERT_MATCH_WATCHED},
	    {"paradigm2", BK_OTHER, 0, ACT_REPLY, "999", ALERT_SKIP_IMPORTANCE},
	};
	struct alert_campaign a;
	load(&a, yaml);
	for (size_t i = 0; i < LW_ARRAY_LEN(cases); i++) {
		struct alert_candidate c;
		cand(&c, cases[i].handle, cases[i].bucket, cases[i].importance, cases[i].action,
		    cases[i].tweet);
		enum alert_verdict v = alert_match(&a, &c);
		ck_assert_msg(v == cases[i].want, "case %zu: got %s want %s", i,
		    alert_verdict_name(v), alert_verdict_name(cases[i].want));
		ck_assert_int_eq(alert_verdict_alerts(v),
		    cases[i].want == ALERT_MATCH_RULES || cases[i].want == ALERT_MATCH_WATCHED);
		ck_assert_int_eq(c.watched, cases[i].want == ALERT_MATCH_WATCHED);
		alert_candidate_done(&c);
	}
	/* empty lists mean all */
	a.rules.buckets = a.rules.actions = a.rules.categories = 0;
	struct alert_candidate c;
	cand(&c, "x", BK_OTHER, 70, ACT_REPLY, "999");
	ck_assert_int_eq(alert_match(&a, &c), ALERT_MATCH_RULES);
	alert_candidate_done(&c);
	alert_campaign_done(&a);
}
END_TEST

START_TEST(test_sentiment_hook)
{
	struct alert_campaign a;
	load(&a, yaml);
	struct alert_candidate c;
	cand(&c, "jane", BK_INVESTOR, 90, ACT_QUOTE, "1861111111111111111");
	/* disarmed: a scored, very negative engagement still alerts */
	c.has_sentiment = true;
	c.sentiment = -0.9;
	ck_assert_int_eq(alert_match(&a, &c), ALERT_MATCH_RULES);
	a.rules.has_min_sentiment = true;
	a.rules.min_sentiment = -0.5;
	ck_assert_int_eq(alert_match(&a, &c), ALERT_SKIP_SENTIMENT);
	c.sentiment = -0.5;
	ck_assert_int_eq(alert_match(&a, &c), ALERT_MATCH_RULES);
	/* nobody scored it yet: not held back */
	c.has_sentiment = false;
	c.sentiment = -1;
	ck_assert_int_eq(alert_match(&a, &c), ALERT_MATCH_RULES);
	/* watched handles bypass the threshold too */
	free(c.handle);
	c.handle = xstrdup("a16z");
	c.has_sentiment = true;
	ck_assert_int_eq(alert_match(&a, &c), ALERT_MATCH_WATCHED);
	alert_candidate_done(&c);
	alert_campaign_done(&a);
}
END_TEST

START_TEST(test_farm_skip)
{
	struct alert_campaign a;
	load(&a, yaml);
	ck_assert_int_eq(a.rules.farm_threshold, FARM_THRESHOLD_DEFAULT);
	struct alert_candidate c;
	cand(&c, "jane", BK_INVESTOR, 90, ACT_QUOTE, "1861111111111111111");
	c.farm_score = -1; /* a record without farm data */
	ck_assert_int_eq(alert_match(&a, &c), ALERT_MATCH_RULES);
	c.farm_score = 59;
	ck_assert_int_eq(alert_match(&a, &c), ALERT_MATCH_RULES);
	c.farm_score = 60;
	ck_assert_int_eq(alert_match(&a, &c), ALERT_SKIP_FARM);
	ck_assert_str_eq(alert_verdict_name(ALERT_SKIP_FARM), "farm");
	a.rules.farm_threshold = 0; /* farm.threshold: 0 turns the signal off */
	ck_assert_int_eq(alert_match(&a, &c), ALERT_MATCH_RULES);
	a.rules.farm_threshold = 60;
	free(c.handle); /* watched: always alerts */
	c.handle = xstrdup("a16z");
	ck_assert_int_eq(alert_match(&a, &c), ALERT_MATCH_WATCHED);
	alert_candidate_done(&c);
	/* from a change-log record: the static score of its farm reasons */
	struct prep_eng r;
	memset(&r, 0, sizeof r);
	snprintf(r.tweet_id, sizeof r.tweet_id, "1861111111111111111");
	snprintf(r.user_id, sizeof r.user_id, "7");
	r.bucket = BK_INVESTOR;
	r.importance = 90;
	r.handle = (char *)"farmer";
	r.has_farm = true;
	r.farm_reasons =
	    (1u << FR_NEW_ACCOUNT) | (1u << FR_DEFAULT_AVATAR) | (1u << FR_TEMPLATE_BIO);
	alert_candidate_from_record(&c, a.id, &r);
	ck_assert_int_eq(c.farm_score, 70);
	ck_assert_int_eq(alert_match(&a, &c), ALERT_SKIP_FARM);
	alert_candidate_done(&c);
	r.has_farm = false;
	alert_candidate_from_record(&c, a.id, &r);
	ck_assert_int_eq(c.farm_score, -1);
	alert_candidate_done(&c);
	alert_campaign_done(&a);
}
END_TEST

START_TEST(test_negative_sentiment)
{
	/* alerts.negative_sentiment: a reply or quote scored at or below it
	 * alerts whatever the other rules say; a retweet never does */
	struct alert_campaign a;
	const char *at = strstr(yaml, "      quiet_window: 30m\n");
	char *text =
	    xasprintf("%.*s      negative_sentiment: -0.5\n%s", (int)(at - yaml), yaml, at);
	load(&a, text);
	ck_assert(a.rules.has_negative_sentiment);
	ck_assert_double_eq(a.rules.negative_sentiment, -0.5);
	struct alert_candidate c;
	cand(&c, "nobody", BK_OTHER, 5, ACT_REPLY, "1861111111111111111");
	ck_assert(alert_wants_score(&a.rules, &c));
	ck_assert_int_eq(alert_match(&a, &c), ALERT_SKIP_IMPORTANCE); /* not scored yet */
	c.has_sentiment = true;
	c.sentiment = -0.49;
	ck_assert_int_eq(alert_match(&a, &c), ALERT_SKIP_IMPORTANCE);
	c.sentiment = -0.5;
	ck_assert_int_eq(alert_match(&a, &c), ALERT_MATCH_NEGATIVE);
	ck_assert(alert_verdict_alerts(ALERT_MATCH_NEGATIVE));
	ck_assert_str_eq(alert_verdict_name(ALERT_MATCH_NEGATIVE), "negative");
	c.action = ACT_RETWEET;
	ck_assert(!alert_wants_score(&a.rules, &c));
	ck_assert_int_eq(alert_match(&a, &c), ALERT_SKIP_IMPORTANCE);
	/* with min_sentiment above it too, the negative key still wins */
	c.action = ACT_QUOTE;
	a.rules.has_min_sentiment = true;
	a.rules.min_sentiment = 0;
	ck_assert_int_eq(alert_match(&a, &c), ALERT_MATCH_NEGATIVE);
	/* a likely-farmed account's hostile reply does not alert (noise) */
	c.farm_score = 90;
	ck_assert_int_eq(alert_match(&a, &c), ALERT_SKIP_IMPORTANCE);
	alert_candidate_done(&c);
	alert_campaign_done(&a);
	free(text);
}
END_TEST

START_TEST(test_sentiment_key)
{
	/* alerts.min_sentiment in the campaign file arms the rule */
	struct alert_campaign a;
	const char *at = strstr(yaml, "      quiet_window: 30m\n");
	char *text = xasprintf("%.*s      min_sentiment: -0.25\n%s", (int)(at - yaml), yaml, at);
	load(&a, text);
	ck_assert(a.rules.has_min_sentiment);
	ck_assert_double_eq(a.rules.min_sentiment, -0.25);
	struct alert_candidate c;
	cand(&c, "jane", BK_INVESTOR, 90, ACT_QUOTE, "1861111111111111111");
	c.has_sentiment = true;
	c.sentiment = -0.3;
	ck_assert_int_eq(alert_match(&a, &c), ALERT_SKIP_SENTIMENT);
	ck_assert_str_eq(alert_verdict_name(ALERT_SKIP_SENTIMENT), "sentiment");
	c.sentiment = 0.8;
	ck_assert_int_eq(alert_match(&a, &c), ALERT_MATCH_RULES);
	c.has_sentiment = false; /* unscored: the rule waits for a scorer */
	ck_assert_int_eq(alert_match(&a, &c), ALERT_MATCH_RULES);
	/* the other rules still come first */
	c.has_sentiment = true;
	c.sentiment = -0.9;
	c.importance = 10;
	ck_assert_int_eq(alert_match(&a, &c), ALERT_SKIP_IMPORTANCE);
	alert_candidate_done(&c);
	alert_campaign_done(&a);
	free(text);
	/* without the key the rule is off */
	load(&a, yaml);
	ck_assert(!a.rules.has_min_sentiment);
	alert_campaign_done(&a);
}
END_TEST

START_TEST(test_candidate_sanitized)
{
	struct lw_engagement e;
	memset(&e, 0, sizeof e);
	snprintf(e.campaign_id, sizeof e.campaign_id, "camp-00000001");
	snprintf(e.tweet_id, sizeof e.tweet_id, "1861111111111111111");
	snprintf(e.user.id, sizeof e.user.id, "77");
	e.user.handle = xstrdup("evil\x1b[31m");
	e.user.name = xstrdup("Eve\r\nBcc: victim@example.com\x1b]0;title\x07");
	e.evidence = xstrdup("bio: 'vc'");
	e.text = xstrdup("line1\nline2");
	char *refs[] = {(char *)"100", (char *)"200"};
	e.ref_ids = refs;
	e.nref = 2;
	e.category = CAT_MAIN;
	e.action = ACT_REPLY;
	struct alert_candidate c;
	alert_candidate_from_engagement(&c, &e, 5000);
	ck_assert_str_eq(c.handle, "evil");
	ck_assert_ptr_null(strpbrk(c.name, "\r\n\x1b\x07"));
	ck_assert_ptr_nonnull(strstr(c.name, "Eve"));
	ck_assert_str_eq(c.text, "line1 line2");
	ck_assert_str_eq(c.ref_id, "200");
	ck_assert_int_eq(c.event_ms, 5000); /* no first_seen_at, no created_at */
	struct alert_candidate d;
	alert_candidate_copy(&d, &c);
	ck_assert_str_eq(d.name, c.name);
	ck_assert_ptr_ne(d.name, c.name);
	alert_candidate_done(&d);
	alert_candidate_done(&c);
	e.first_seen_at_ms = 7000;
	e.created_at_ms = 6000;
	alert_candidate_from_engagement(&c, &e, 5000);
	ck_assert_int_eq(c.event_ms, 7000);
	alert_candidate_done(&c);
	/* a handle spoofed with a right-to-left override and zero-width
	 * characters reaches Slack and email as what it really is */
	free(e.user.handle);
	free(e.user.name);
	e.user.handle = xstrdup("vitalik\xe2\x80\xae"
	                        "etub");
	e.user.name = xstrdup("Vi\xe2\x80\x8bta\xef\xbb\xbflik B\xcc\xb6\xcc\xb6\xcc\xb6\xcc\xb6");
	alert_candidate_from_engagement(&c, &e, 5000);
	ck_assert_str_eq(c.handle, "vitaliketub");
	ck_assert_str_eq(c.name, "Vitalik B\xcc\xb6\xcc\xb6");
	struct alert_campaign a;
	load(&a, yaml);
	const struct alert_candidate *one[] = {&c};
	char *slack = notify_slack_payload(&a, one, 1, NULL);
	ck_assert_ptr_null(strstr(slack, "\xe2\x80\xae"));
	ck_assert_ptr_nonnull(strstr(slack, "vitaliketub"));
	char *subject = NULL, *body = NULL;
	notify_mail_text(&a, one, 1, NULL, &subject, &body);
	ck_assert_ptr_null(strstr(subject, "\xe2\x80"));
	ck_assert_ptr_null(strstr(body, "\xe2\x80"));
	free(subject);
	free(body);
	free(slack);
	alert_campaign_done(&a);
	alert_candidate_done(&c);
	e.ref_ids = NULL;
	e.nref = 0;
	lw_user_done(&e.user);
	free(e.evidence);
	free(e.text);
}
END_TEST

START_TEST(test_candidate_from_record_and_details)
{
	/* a change-log record: what the rules need, matched without a read */
	struct prep_eng r;
	memset(&r, 0, sizeof r);
	snprintf(r.tweet_id, sizeof r.tweet_id, "1861111111111111111");
	snprintf(r.user_id, sizeof r.user_id, "4242");
	r.action = ACT_QUOTE;
	r.bucket = BK_INVESTOR;
	r.category = CAT_MAIN;
	r.importance = 90;
	r.followers = 12000;
	r.at_ms = 1767225500000LL;
	r.first_seen_at_ms = 1767225600000LL;
	r.handle = xstrdup("jane\x1b[31m");
	r.name = xstrdup("Jane");
	r.snippet = xstrdup("short\nsnippet");
	struct alert_candidate c;
	alert_candidate_from_record(&c, "acme-l2-mainnet-launch-0badf00d", &r);
	ck_assert_str_eq(c.campaign_id, "acme-l2-mainnet-launch-0badf00d");
	ck_assert_str_eq(c.tweet_id, "1861111111111111111");
	ck_assert_str_eq(c.user_id, "4242");
	ck_assert_str_eq(c.handle, "jane");
	ck_assert_str_eq(c.text, "short snippet");
	ck_assert_str_eq(c.evidence, "");
	ck_assert_str_eq(c.ref_id, "");
	ck_assert_int_eq(c.category, CAT_MAIN);
	ck_assert_int_eq(c.action, ACT_QUOTE);
	ck_assert_int_eq(c.bucket, BK_INVESTOR);
	ck_assert_int_eq(c.importance, 90);
	ck_assert_int_eq(c.followers, 12000);
	ck_assert_int_eq(c.event_ms, r.first_seen_at_ms); /* the slot of the stored time */
	ck_assert(!c.has_sentiment);
	ck_assert_int_eq(c.log_seq, 0);
	struct alert_campaign a;
	load(&a, yaml);
	ck_assert_int_eq(alert_match(&a, &c), ALERT_MATCH_RULES);
	char fp[ALERT_ID_MAX];
	alert_fingerprint(&c, ALERT_SLACK, alert_slot(c.event_ms, 1800000), fp);
	ck_assert_str_eq(fp, "acme-l2-mainnet-launch-0badf00d:1861111111111111111:4242:quote:slack:"
	                     "981792");

	/* the stored engagement adds what a message needs; the identity stays */
	struct lw_engagement e;
	memset(&e, 0, sizeof e);
	snprintf(e.campaign_id, sizeof e.campaign_id, "acme-l2-mainnet-launch-0badf00d");
	snprintf(e.tweet_id, sizeof e.tweet_id, "1861111111111111111");
	snprintf(e.user.id, sizeof e.user.id, "4242");
	e.user.name = xstrdup("Jane Partner\r\nat Fund");
	e.evidence = xstrdup("bio: 'partner'");
	e.text = xstrdup("the whole quote, longer than any snippet");
	char *refs[] = {(char *)"100", (char *)"200"};
	e.ref_ids = refs;
	e.nref = 2;
	e.first_seen_at_ms = 1;
	e.has_sentiment = true;
	e.sentiment = -0.9;
	alert_candidate_add_details(&c, &e);
	ck_assert_str_eq(c.name, "Jane Partner  at Fund");
	ck_assert_str_eq(c.evidence, "bio: 'partner'");
	ck_assert_str_eq(c.text, "the whole quote, longer than any snippet");
	ck_assert_str_eq(c.ref_id, "200");
	ck_assert_int_eq(c.event_ms, r.first_seen_at_ms);
	ck_assert_str_eq(c.handle, "jane");
	ck_assert(c.has_sentiment);
	/* the sentiment it brings is matched like any other */
	a.rules.has_min_sentiment = true;
	a.rules.min_sentiment = -0.5;
	ck_assert_int_eq(alert_match(&a, &c), ALERT_SKIP_SENTIMENT);
	/* a record of an unknown category and no first_seen_at */
	alert_candidate_done(&c);
	r.category = 255;
	r.first_seen_at_ms = 0;
	alert_candidate_from_record(&c, "acme-l2-mainnet-launch-0badf00d", &r);
	ck_assert_int_eq(c.event_ms, r.at_ms);
	ck_assert_int_eq(alert_match(&a, &c), ALERT_MATCH_RULES); /* category from the tweet */
	ck_assert_int_eq(c.category, CAT_MAIN);
	alert_candidate_done(&c);
	alert_campaign_done(&a);
	e.ref_ids = NULL;
	e.nref = 0;
	lw_engagement_done(&e);
	prep_eng_done(&r);
}
END_TEST

START_TEST(test_fingerprints)
{
	struct alert_candidate c;
	char a[ALERT_ID_MAX], b[ALERT_ID_MAX];
	cand(&c, "jane", BK_INVESTOR, 90, ACT_QUOTE, "1861111111111111111");
	int64_t q = 1800000;
	int64_t slot = alert_slot(c.event_ms, q);
	ck_assert_int_eq(slot, 1767225600000LL / q);
	alert_fingerprint(&c, ALERT_SLACK, slot, a);
	char want[ALERT_ID_MAX];
	snprintf(want, sizeof want,
	    "acme-l2-mainnet-launch-0badf00d:1861111111111111111:4242:quote:slack:%lld",
	    (long long)slot);
	ck_assert_str_eq(a, want);
	/* deterministic */
	alert_fingerprint(&c, ALERT_SLACK, slot, b);
	ck_assert_str_eq(a, b);
	/* every part counts */
	alert_fingerprint(&c, ALERT_EMAIL, slot, b);
	ck_assert_str_ne(a, b);
	alert_fingerprint(&c, ALERT_SLACK, slot + 1, b);
	ck_assert_str_ne(a, b);
	c.action = ACT_RETWEET;
	alert_fingerprint(&c, ALERT_SLACK, slot, b);
	ck_assert_str_ne(a, b);
	c.action = ACT_QUOTE;
	snprintf(c.user_id, sizeof c.user_id, "4243");
	alert_fingerprint(&c, ALERT_SLACK, slot, b);
	ck_assert_str_ne(a, b);
	/* slots: floor division, window 0 means one slot */
	ck_assert_int_eq(alert_slot(0, q), 0);
	ck_assert_int_eq(alert_slot(q - 1, q), 0);
	ck_assert_int_eq(alert_slot(q, q), 1);
	ck_assert_int_eq(alert_slot(-1, q), -1);
	ck_assert_int_eq(alert_slot(123456789, 0), 0);
	alert_candidate_done(&c);
}
END_TEST

/* The injected clock of the quiet-window test. */
static int64_t fake_now;

static int64_t
fake_clock(void)
{
	return fake_now;
}

START_TEST(test_quiet_window_on_injected_clock)
{
	int64_t q = 30 * 60 * 1000;
	int64_t sent[8];
	size_t nsent = 0;
	clock_set(fake_clock);
	/* one fingerprint seen every 7 minutes for 2 hours: an alert goes out
	 * only when the previous one is at least a quiet window old */
	int64_t start = 1767225600000LL + 29 * 60 * 1000; /* just before a slot edge */
	int alerts = 0;
	int64_t last = -1;
	for (fake_now = start; fake_now < start + 2 * 3600 * 1000; fake_now += 7 * 60 * 1000) {
		if (alert_should_send(sent, nsent, clock_now_ms(), q)) {
			if (last >= 0)
				ck_assert_int_ge(clock_now_ms() - last, q);
			last = clock_now_ms();
			ck_assert_uint_lt(nsent, LW_ARRAY_LEN(sent));
			sent[nsent++] = clock_now_ms();
			alerts++;
		}
	}
	/* 0, 35, 70, 105 minutes */
	ck_assert_int_eq(alerts, 4);
	/* an earlier event in the next slot still suppresses (sliding window,
	 * not only the fixed slot) */
	int64_t e1 = start + 60 * 1000;
	ck_assert_int_ne(alert_slot(e1, q), alert_slot(start, q));
	ck_assert(!alert_should_send(&start, 1, e1, q));
	/* window 0: once ever */
	ck_assert(!alert_should_send(&start, 1, start + 86400000LL * 30, 0));
	ck_assert(alert_should_send(NULL, 0, start, 0));
	clock_set(NULL);
}
END_TEST

START_TEST(test_group_due_and_backoff)
{
	/* first group: group wait after the oldest pending alert */
	ck_assert_int_eq(alert_group_due(1000, 0, 5000, 60000), 6000);
	/* later groups: not before the interval since the previous message */
	ck_assert_int_eq(alert_group_due(1000, 900, 5000, 60000), 60900);
	ck_assert_int_eq(alert_group_due(100000, 900, 5000, 60000), 105000);
	/* backoff doubles, caps, and jitters within [d/2, d] */
	for (uint64_t rnd = 0; rnd < 50; rnd += 7) {
		int64_t d1 = alert_backoff_ms(1, -1, 2000, 300000, rnd);
		int64_t d3 = alert_backoff_ms(3, -1, 2000, 300000, rnd * 1000003);
		int64_t d20 = alert_backoff_ms(20, -1, 2000, 300000, rnd * 7919);
		ck_assert(d1 >= 1000 && d1 <= 2000);
		ck_assert(d3 >= 4000 && d3 <= 8000);
		ck_assert(d20 >= 150000 && d20 <= 300000);
	}
	/* Retry-After of a 429 is honoured when longer */
	ck_assert_int_eq(alert_backoff_ms(1, 30, 2000, 300000, 0), 30000);
	ck_assert_int_le(alert_backoff_ms(1, 0, 2000, 300000, 5), 2000);
	ck_assert_str_eq(alert_channel_name(ALERT_SLACK), "slack");
	ck_assert_str_eq(alert_channel_name(ALERT_EMAIL), "email");
}
END_TEST

START_TEST(test_engagement_key)
{
	/* the engagements _id (DESIGN.md section 4) the poll and the sentiment
	 * lookup find an engagement by */
	char *k = lw_engagement_key("acme-1a2b3c4d", "1861111111111111111", "42", ACT_QUOTE);
	ck_assert_str_eq(k, "acme-1a2b3c4d:1861111111111111111:42:quote");
	free(k);
	k = lw_engagement_key("c", "1", "2", ACT_RETWEET);
	ck_assert_str_eq(k, "c:1:2:retweet");
	free(k);
}
END_TEST

START_TEST(test_delivery_status)
{
	/* the one table between enum alert_delivery and alerts_sent.status */
	static const struct {
		const char *stored;
		enum alert_delivery d;
		const char *why;   /* NULL: none */
		const char *shown; /* as the alerts pane shows it */
	} cases[] = {
	    {"", ALERT_SENT, NULL, "sent"},
	    {"sent", ALERT_SENT, NULL, "sent"},
	    {"pending", ALERT_PENDING, NULL, "pending"},
	    {"failed", ALERT_FAILED, NULL, "failed"},
	    {"failed: HTTP 500", ALERT_FAILED, "HTTP 500", "failed: HTTP 500"},
	    {"failed:timeout", ALERT_FAILED, "timeout", "failed: timeout"},
	};
	for (size_t i = 0; i < LW_ARRAY_LEN(cases); i++) {
		char *junk = xstrdup("junk"), *why = junk, buf[64];
		enum alert_delivery d = alert_delivery_parse(cases[i].stored, &why);
		ck_assert_ptr_ne(why, junk); /* an output: whatever was there is not kept */
		free(junk);
		ck_assert_int_eq(d, cases[i].d);
		if (cases[i].why)
			ck_assert_str_eq(why, cases[i].why);
		else
			ck_assert_ptr_null(why);
		ck_assert_str_eq(alert_delivery_format(d, why, buf, sizeof buf), cases[i].shown);
		free(why);
	}
	ck_assert_int_eq(alert_delivery_parse(NULL, NULL), ALERT_SENT);
	ck_assert_str_eq(alert_delivery_name(ALERT_FAILED), "failed");
	ck_assert_str_eq(alert_delivery_name(ALERT__DELIVERIES), "?");
}
END_TEST

/* From settings split into a display name and an address. */
START_TEST(test_from_split)
{
	static const struct {
		const char *spec, *name, *addr;
	} ok[] = {
	    {"alerts@acme.example", "", "alerts@acme.example"},
	    {"Acme alerts <alerts@acme.example>", "Acme alerts", "alerts@acme.example"},
	    {"\"Acme, Inc.\"  <a@b.example>", "Acme, Inc.", "a@b.example"},
	    {"<a@b.example>", "", "a@b.example"},
	    {"\xc3\x89quipe\xe2\x80\xae Caf\xc3\xa9 <a@b.example>", "\xc3\x89quipe Caf\xc3\xa9",
	        "a@b.example"},
	};
	for (size_t i = 0; i < LW_ARRAY_LEN(ok); i++) {
		char *name = NULL, *addr = NULL;
		ck_assert_msg(alert_from_split(ok[i].spec, &name, &addr) == 0, "%s", ok[i].spec);
		ck_assert_str_eq(name, ok[i].name);
		ck_assert_str_eq(addr, ok[i].addr);
		free(name);
		free(addr);
	}
	static const char *const bad[] = {"", "Acme alerts", "Acme <a@b.example", "a@b.example>",
	    "A <a@b.example> x", "A <<a@b.example>", "A <>"};
	for (size_t i = 0; i < LW_ARRAY_LEN(bad); i++) {
		char *name = NULL, *addr = NULL;
		ck_assert_msg(
		    alert_from_split(bad[i], &name, &addr) == -1, "accepted '%s'", bad[i]);
		ck_assert(name == NULL && addr == NULL);
	}
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("alert");
	TCase *tc = tcase_create("model");
	tcase_add_test(tc, test_campaign_compiles);
	tcase_add_test(tc, test_rules_table);
	tcase_add_test(tc, test_sentiment_hook);
	tcase_add_test(tc, test_farm_skip);
	tcase_add_test(tc, test_sentiment_key);
	tcase_add_test(tc, test_negative_sentiment);
	tcase_add_test(tc, test_candidate_sanitized);
	tcase_add_test(tc, test_from_split);
	tcase_add_test(tc, test_candidate_from_record_and_details);
	tcase_add_test(tc, test_fingerprints);
	tcase_add_test(tc, test_quiet_window_on_injected_clock);
	tcase_add_test(tc, test_group_due_and_backoff);
	tcase_add_test(tc, test_delivery_status);
	tcase_add_test(tc, test_engagement_key);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
