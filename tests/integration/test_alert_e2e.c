/*
 * test_alert_e2e: the alert worker end to end, following the change log on
 * a real devdb. On an injected clock against the Slack receiver: 500, 500,
 * 429 then 200 (backoff and Retry-After, status for the UI, the position
 * held before an unsent alert) and 404 (reported once, the channel stops
 * until its settings change); entries written without a wake-up (another
 * process) found by the poll, the sentiment hook through the stored
 * engagement, a repeated record; where a first start begins (a binary
 * search over the lookback) and a resumed one skips. Every worker reaches
 * the database through the recording proxy of mon_support: none reads
 * `engagements` by anything but `_id`. Simulator engagements and a SIGKILL
 * are test_alert_sim.c; the real `launchwatch run` is test_alert_engine.c.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "al_support.h"
#include "alw_support.h"
#include "model/alert.h"
#include "engine/alertworker.h"
#include "config/config.h"
#include "mon_support.h"
#include "store/store.h"
#include "store/store_alerts.h"
#include "testutil.h"
#include "base/util.h"
#include "seed_support.h"

#define T0      1767225600000LL /* 2026-01-01T00:00:00Z */
#define HOUR_MS 3600000LL

static int64_t fake_now;

/* The injected clock. */
static int64_t
fake_clock(void)
{
	return fake_now;
}

/* Fills a plain engagement (caller calls lw_engagement_done). */
static void
eng(struct lw_engagement *e, const char *camp, const char *tweet, const char *uid,
    const char *handle, enum lw_bucket b, int imp, int64_t seen)
{
	memset(e, 0, sizeof *e);
	snprintf(e->campaign_id, sizeof e->campaign_id, "%s", camp);
	snprintf(e->tweet_id, sizeof e->tweet_id, "%s", tweet);
	snprintf(e->user.id, sizeof e->user.id, "%s", uid);
	e->user.handle = xstrdup(handle);
	e->user.name = xstrdup(handle);
	e->user.bio = xstrdup("");
	e->category = CAT_MAIN;
	e->action = ACT_RETWEET;
	e->bucket = b;
	e->importance = imp;
	e->evidence = xstrdup("");
	e->first_seen_at_ms = seen;
}

static const char *const retry_yaml =
    "campaigns:\n"
    "  - name: Retry launch\n"
    "    window: {start: 2025-12-01T00:00:00Z, duration: 60d}\n"
    "    tweets: {main: [1861111111111111111]}\n"
    "    alerts: {min_importance: 70, buckets: [investor], slack_webhook: env:LW_E_HOOK, "
    "quiet_window: 30m}\n";

START_TEST(test_worker_retry_backoff_and_status)
{
	static const int script[] = {500, 500, 429};
	struct alw_fix x;
	alw_fix_start(&x, "retry", script, 3, 30, "/hook/secret");
	struct store *s = x.s;
	struct al_slack *r = x.r;
	fake_now = T0;
	clock_set(fake_clock);
	struct alertworker_opts o;
	alertworker_opts_init(&o);
	o.store = s;
	o.poll_interval_ms = 0; /* wake-ups only */
	struct alertworker *w = alertworker_new(&o);
	struct cfg_file *f = alw_load_yaml(retry_yaml);
	alertworker_set_campaign(w, "retry-1", &f->campaigns[0]);

	struct lw_engagement e[2];
	eng(&e[0], "retry-1", "1861111111111111111", "11", "vc_one", BK_INVESTOR, 90, T0);
	eng(&e[1], "retry-1", "1861111111111111111", "12", "dev_two", BK_DEVELOPER, 95, T0);
	int64_t seq = alw_log_engagements(s, "retry-1", e, 2, CHK_ENGAGEMENTS);
	ck_assert_int_eq(seq, 1);
	alertworker_notify(w, "retry-1", seq);
	alertworker_run_once(w);
	struct alertworker_status st;
	alertworker_status(w, &st);
	ck_assert_uint_eq(st.evaluated, 2);
	ck_assert_uint_eq(st.matched, 1);
	ck_assert_uint_eq(st.skipped, 1);
	ck_assert_uint_eq(st.nchannels, 1);
	ck_assert_str_eq(st.channels[0].state, "waiting"); /* group wait */
	alertworker_status_done(&st);
	ck_assert_uint_eq(al_slack_requests(r), 0);
	/* the entry's alert is not sent: the position stays before it */
	ck_assert_int_eq(alw_position(s, "retry-1"), 0);

	/* group wait over: 500 */
	fake_now += o.group_wait_ms;
	alertworker_run_once(w);
	ck_assert_uint_eq(al_slack_requests(r), 1);
	alertworker_status(w, &st);
	ck_assert_str_eq(st.channels[0].state, "retrying");
	ck_assert_int_eq(st.channels[0].attempts, 1);
	ck_assert_int_ge(st.channels[0].next_try_ms, fake_now + o.retry_base_ms / 2);
	ck_assert_int_le(st.channels[0].next_try_ms, fake_now + o.retry_base_ms);
	ck_assert_ptr_nonnull(strstr(st.channels[0].last_error, "500"));
	ck_assert_ptr_null(strstr(st.channels[0].last_error, "secret"));
	ck_assert_uint_eq(st.pending, 1);
	int64_t next = st.channels[0].next_try_ms;
	alertworker_status_done(&st);
	ck_assert_int_eq(alw_position(s, "retry-1"), 0); /* retrying: still held */
	/* not before its time */
	fake_now = next - 1;
	alertworker_run_once(w);
	ck_assert_uint_eq(al_slack_requests(r), 1);
	/* second try: 500 again, backoff doubles */
	fake_now = next;
	alertworker_run_once(w);
	ck_assert_uint_eq(al_slack_requests(r), 2);
	alertworker_status(w, &st);
	ck_assert_int_eq(st.channels[0].attempts, 2);
	ck_assert_int_ge(st.channels[0].next_try_ms, fake_now + o.retry_base_ms);
	next = st.channels[0].next_try_ms;
	alertworker_status_done(&st);
	/* third: 429 with Retry-After: 30 */
	fake_now = next;
	alertworker_run_once(w);
	ck_assert_uint_eq(al_slack_requests(r), 3);
	alertworker_status(w, &st);
	ck_assert_int_eq(st.channels[0].attempts, 3);
	ck_assert_int_ge(st.channels[0].next_try_ms, fake_now + 30000);
	next = st.channels[0].next_try_ms;
	ck_assert_uint_eq(st.retries, 3);
	alertworker_status_done(&st);
	fake_now = next;
	alertworker_run_once(w);
	ck_assert_uint_eq(al_slack_count(r), 1);
	alertworker_status(w, &st);
	ck_assert_str_eq(st.channels[0].state, "ok");
	ck_assert_uint_eq(st.sent_alerts, 1);
	ck_assert_uint_eq(st.sent_messages, 1);
	ck_assert_uint_eq(st.pending, 0);
	ck_assert_int_eq(st.channels[0].last_sent_ms, fake_now);
	alertworker_status_done(&st);
	char *body = al_slack_body(r, 0, NULL);
	ck_assert_ptr_nonnull(strstr(body, "@vc_one"));
	ck_assert_ptr_null(strstr(body, "dev_two"));
	free(body);
	ck_assert_int_eq(alw_position(s, "retry-1"), 1); /* sent and logged */

	/* the same engagement again (a recovered entry), within the quiet
	 * window: nothing */
	seq = alw_log_engagements(s, "retry-1", e, 1, CHK_RECOVERED);
	alertworker_notify(w, "retry-1", seq);
	fake_now += 10 * 60 * 1000;
	alertworker_run_once(w);
	fake_now += 10 * 60 * 1000;
	alertworker_run_once(w);
	ck_assert_uint_eq(al_slack_requests(r), 4);
	alertworker_status(w, &st);
	ck_assert_uint_eq(st.duplicates, 1);
	ck_assert_uint_eq(st.evaluated, 3);
	alertworker_status_done(&st);
	alertworker_free(w);
	ck_assert_int_eq(alw_position(s, "retry-1"), 2);
	alw_assert_no_scan(x.mon, 0);
	for (int i = 0; i < 2; i++)
		lw_engagement_done(&e[i]);
	config_free(f);
	alw_fix_done(&x);
}
END_TEST

START_TEST(test_worker_permanent_failure_reported_once)
{
	static const int script[] = {404};
	struct alw_fix x;
	alw_fix_start(&x, "broken", script, 1, 0, "/hook/wrong");
	struct store *s = x.s;
	struct al_slack *r = x.r;
	setenv("LW_E_HOOK2", x.url, 1);
	fake_now = T0;
	clock_set(fake_clock);
	struct alertworker_opts o;
	alertworker_opts_init(&o);
	o.store = s;
	o.poll_interval_ms = 0;
	struct alertworker *w = alertworker_new(&o);
	struct cfg_file *f = alw_load_yaml(retry_yaml);
	alertworker_set_campaign(w, "retry-1", &f->campaigns[0]);
	struct lw_engagement e[3];
	eng(&e[0], "retry-1", "1861111111111111111", "21", "vc_a", BK_INVESTOR, 90, T0);
	eng(&e[1], "retry-1", "1861111111111111111", "22", "vc_b", BK_INVESTOR, 90, T0 + 1);
	eng(&e[2], "retry-1", "1861111111111111111", "23", "vc_c", BK_INVESTOR, 90, T0 + 2);
	alertworker_notify(w, "retry-1", alw_log_engagements(s, "retry-1", e, 1, CHK_ENGAGEMENTS));
	alertworker_run_once(w);
	fake_now += o.group_wait_ms;
	alertworker_run_once(w);
	ck_assert_uint_eq(al_slack_requests(r), 1);
	struct alertworker_status st;
	alertworker_status(w, &st);
	ck_assert_str_eq(st.channels[0].state, "failing");
	ck_assert_ptr_nonnull(strstr(st.channels[0].last_error, "404"));
	ck_assert_uint_eq(st.failed, 1);
	alertworker_status_done(&st);
	/* failed is final: the position moves on */
	ck_assert_int_eq(alw_position(s, "retry-1"), 1);
	/* later alerts on the broken channel are counted, not sent, not retried */
	alertworker_notify(
	    w, "retry-1", alw_log_engagements(s, "retry-1", e + 1, 1, CHK_ENGAGEMENTS));
	for (int i = 0; i < 5; i++) {
		fake_now += 600000;
		alertworker_run_once(w);
	}
	ck_assert_uint_eq(al_slack_requests(r), 1);
	alertworker_status(w, &st);
	ck_assert_uint_eq(st.failed, 2);
	ck_assert_uint_eq(st.retries, 0);
	alertworker_status_done(&st);
	/* fixing the settings (another reference) starts the channel again */
	const char *at = strstr(retry_yaml, "LW_E_HOOK");
	char *fixed = xasprintf("%.*sLW_E_HOOK2%s", (int)(at - retry_yaml), retry_yaml, at + 9);
	config_free(f);
	f = alw_load_yaml(fixed);
	alertworker_set_campaign(w, "retry-1", &f->campaigns[0]);
	alertworker_notify(
	    w, "retry-1", alw_log_engagements(s, "retry-1", e + 2, 1, CHK_ENGAGEMENTS));
	alertworker_run_once(w);
	fake_now += o.group_wait_ms;
	alertworker_run_once(w);
	ck_assert_uint_eq(al_slack_requests(r), 2);
	ck_assert_uint_eq(al_slack_count(r), 1);
	alertworker_status(w, &st);
	ck_assert_str_eq(st.channels[0].state, "ok");
	ck_assert_str_eq(st.channels[0].last_error, "");
	ck_assert_uint_eq(st.sent_alerts, 1);
	alertworker_status_done(&st);
	char *body = al_slack_body(r, 0, NULL);
	ck_assert_ptr_nonnull(strstr(body, "@vc_c"));
	free(body);
	free(fixed);
	for (int i = 0; i < 3; i++)
		lw_engagement_done(&e[i]);
	alertworker_free(w);
	ck_assert_int_eq(alw_position(s, "retry-1"), 3);
	config_free(f);
	unsetenv("LW_E_HOOK2");
	alw_fix_done(&x);
}
END_TEST

static const char *const scored_yaml =
    "campaigns:\n"
    "  - name: Scored launch\n"
    "    window: {start: 2025-12-01T00:00:00Z, duration: 60d}\n"
    "    tweets: {main: [1861111111111111111]}\n"
    "    alerts: {min_importance: 70, buckets: [investor], watch: [\"@loud_fan\"],\n"
    "             min_sentiment: -0.5, slack_webhook: env:LW_E_HOOK, quiet_window: 30m}\n";

START_TEST(test_log_written_elsewhere)
{
	struct alw_fix x;
	alw_fix_start(&x, "elsewhere", NULL, 0, 0, "/services/T/B/else");
	struct mon *mon = x.mon;
	struct store *mine = x.s;       /* the worker's */
	struct store *other = x.direct; /* "another process" */
	struct al_slack *r = x.r;
	char *cause = NULL;
	struct cfg_file *f = alw_load_yaml(scored_yaml);
	struct store_upsert_result up;
	ck_assert_int_eq(store_campaign_upsert(other, &f->campaigns[0], T0, &up, &cause), 0);
	fake_now = T0 + 60000;
	clock_set(fake_clock);
	struct alertworker_opts o;
	alertworker_opts_init(&o);
	o.store = mine;
	o.group_wait_ms = 0;
	o.group_interval_ms = 0;
	o.poll_interval_ms = 1000;
	struct alertworker *w = alertworker_new(&o);
	alertworker_set_campaign(w, up.id, &f->campaigns[0]);
	alertworker_run_once(w); /* an empty log: starts at 0 */
	ck_assert_int_eq(alw_position(other, up.id), 0);

	/* another process stores three engagements and logs them; a scorer
	 * rated two of them hostile before the alert worker saw them */
	struct lw_engagement e[3];
	eng(&e[0], up.id, "1861111111111111111", "71", "vc_plain", BK_INVESTOR, 90, T0 + 10000);
	eng(&e[1], up.id, "1861111111111111111", "72", "vc_hostile", BK_INVESTOR, 90, T0 + 11000);
	eng(&e[2], up.id, "1861111111111111111", "73", "loud_fan", BK_OTHER, 5, T0 + 12000);
	e[0].action = ACT_REPLY;
	free(e[0].evidence);
	e[0].evidence = xstrdup("bio: 'general partner'");
	e[0].text = xstrdup("Congrats on the mainnet launch, the whole reply");
	e[0].ref_ids = xcalloc(1, sizeof *e[0].ref_ids);
	e[0].ref_ids[0] = xstrdup("1999999999999999999");
	e[0].nref = 1;
	ck_assert_int_eq(seed_engagements_absent(other, e, 3, &cause), 0);
	for (int i = 1; i < 3; i++) {
		struct alert_candidate c;
		alert_candidate_from_engagement(&c, &e[i], fake_now);
		ck_assert_int_eq(store_alerts_set_sentiment(other, &c, -0.9, &cause), 0);
		alert_candidate_done(&c);
	}
	ck_assert_int_eq(alw_log_engagements(other, up.id, e, 3, CHK_ENGAGEMENTS), 1);
	/* no wake-up: the next poll finds it */
	alertworker_run_once(w);
	ck_assert_uint_eq(al_slack_count(r), 0);
	fake_now += o.poll_interval_ms;
	alertworker_run_once(w);
	ck_assert_uint_eq(al_slack_count(r), 1);
	char *body = al_slack_body(r, 0, NULL);
	ck_assert_ptr_nonnull(strstr(body, "@vc_plain"));
	ck_assert_ptr_nonnull(strstr(body, "@loud_fan")); /* watched: alerts whatever its score */
	ck_assert_ptr_null(strstr(body, "vc_hostile"));   /* scored below min_sentiment */
	/* the details came from the stored engagement, not the log's record */
	ck_assert_ptr_nonnull(strstr(body, "general partner"));
	ck_assert_ptr_nonnull(strstr(body, "the whole reply"));
	ck_assert_ptr_nonnull(strstr(body, "1999999999999999999"));
	free(body);
	struct alertworker_status st;
	alertworker_status(w, &st);
	ck_assert_uint_eq(st.evaluated, 3);
	ck_assert_uint_eq(st.matched, 2);
	ck_assert_uint_eq(st.skipped, 1);
	alertworker_status_done(&st);

	/* a recovered entry repeating one of them: a duplicate, not an alert */
	ck_assert_int_eq(alw_log_engagements(other, up.id, e, 1, CHK_RECOVERED), 2);
	fake_now += o.poll_interval_ms;
	alertworker_run_once(w);
	alertworker_status(w, &st);
	ck_assert_uint_eq(st.duplicates, 1);
	alertworker_status_done(&st);
	ck_assert_uint_eq(al_slack_requests(r), 1);

	/* an idle minute: one `_id` read of seq+1 per poll, nothing else on
	 * the log or the events */
	size_t mark = mon_mark(mon);
	for (int i = 0; i < 60; i++) {
		fake_now += 1000;
		alertworker_run_once(w);
	}
	struct mon_counts ch, en, all;
	mon_count(mon, mark, "changes", &ch);
	mon_count(mon, mark, "engagements", &en);
	mon_count(mon, mark, NULL, &all);
	ck_assert_uint_eq(ch.reads, ch.id_reads);
	ck_assert_uint_ge(ch.reads, 55);
	ck_assert_uint_le(ch.reads, 61);
	ck_assert_uint_eq(en.commands, 0);
	if (getenv("AL_E2E_VERBOSE"))
		fprintf(stderr, "idle minute at a 1 s poll: %zu commands, %zu on the log\n",
		    all.commands, ch.commands);
	alertworker_free(w);
	ck_assert_int_eq(alw_position(other, up.id), 2);

	/* a restart from the saved position reads nothing again */
	mark = mon_mark(mon);
	w = alertworker_new(&o);
	alertworker_set_campaign(w, up.id, &f->campaigns[0]);
	alertworker_run_once(w);
	alertworker_status(w, &st);
	ck_assert_uint_eq(st.evaluated, 0);
	alertworker_status_done(&st);
	alertworker_free(w);
	mon_count(mon, mark, "engagements", &en);
	ck_assert_uint_eq(en.commands, 0);
	ck_assert_uint_eq(al_slack_requests(r), 1);
	alw_assert_no_scan(mon, 0);
	/* the monitor does see a scan when there is one */
	mark = mon_mark(mon);
	ck_assert_int_eq(store_count(mine, "engagements", up.id, &cause), 3);
	mon_count(mon, mark, "engagements", &en);
	ck_assert_uint_eq(en.scans, 1);

	for (int i = 0; i < 3; i++)
		lw_engagement_done(&e[i]);
	config_free(f);
	alw_fix_done(&x);
}
END_TEST

START_TEST(test_first_start_lookback)
{
	struct alw_fix x;
	alw_fix_start(&x, "lookback", NULL, 0, 0, "/services/T/B/back");
	struct mon *mon = x.mon;
	struct store *s = x.s;
	struct al_slack *r = x.r;
	struct cfg_file *f = alw_load_yaml(retry_yaml);
	clock_set(fake_clock);
	/* eleven entries, one an hour, each with one matching engagement */
	struct lw_engagement e[13];
	for (int k = 0; k < 13; k++) {
		char uid[16], handle[16];
		snprintf(uid, sizeof uid, "%d", 500 + k);
		snprintf(handle, sizeof handle, "vc_h%02d", k);
		eng(&e[k], "back-1", "1861111111111111111", uid, handle, BK_INVESTOR, 90,
		    T0 + k * HOUR_MS);
	}
	for (int k = 0; k < 11; k++) {
		fake_now = T0 + k * HOUR_MS;
		ck_assert_int_eq(
		    alw_log_engagements(s, "back-1", &e[k], 1, CHK_ENGAGEMENTS), k + 1);
	}
	/* first start at 10 h 1 min, lookback 6 h: from the entry of hour 5 */
	fake_now = T0 + 10 * HOUR_MS + 60000;
	struct alertworker_opts o;
	alertworker_opts_init(&o);
	o.store = s;
	o.group_wait_ms = 0;
	o.group_interval_ms = 0;
	o.poll_interval_ms = 0;
	size_t mark = mon_mark(mon);
	struct alertworker *w = alertworker_new(&o);
	alertworker_set_campaign(w, "back-1", &f->campaigns[0]);
	alertworker_run_once(w);
	struct mon_counts ch;
	mon_count(mon, mark, "changes", &ch);
	/* the head by doubling and bisection, the lookback by bisection, the
	 * six entries: about 2 log2(11) + log2(11) + 6 reads, never a scan */
	ck_assert_uint_le(ch.reads, 20);
	ck_assert_uint_eq(ch.reads, ch.id_reads);
	ck_assert_uint_eq(al_slack_count(r), 1);
	char *body = al_slack_body(r, 0, NULL);
	for (int k = 0; k < 11; k++) {
		char want[32];
		snprintf(want, sizeof want, "@vc_h%02d", k);
		ck_assert_msg((strstr(body, want) != NULL) == (k >= 5), "hour %d: %s", k, body);
	}
	free(body);
	alertworker_free(w);
	ck_assert_int_eq(alw_position(s, "back-1"), 11);

	/* resumed after a long stop: entries older than the lookback are
	 * skipped, the saved position notwithstanding */
	fake_now = T0 + 11 * HOUR_MS;
	ck_assert_int_eq(alw_log_engagements(s, "back-1", &e[11], 1, CHK_ENGAGEMENTS), 12);
	fake_now = T0 + 19 * HOUR_MS;
	ck_assert_int_eq(alw_log_engagements(s, "back-1", &e[12], 1, CHK_ENGAGEMENTS), 13);
	fake_now = T0 + 20 * HOUR_MS;
	w = alertworker_new(&o);
	alertworker_set_campaign(w, "back-1", &f->campaigns[0]);
	alertworker_run_once(w);
	ck_assert_uint_eq(al_slack_count(r), 2);
	body = al_slack_body(r, 1, NULL);
	ck_assert_ptr_null(strstr(body, "@vc_h11"));
	ck_assert_ptr_nonnull(strstr(body, "@vc_h12"));
	free(body);
	alertworker_free(w);
	ck_assert_int_eq(alw_position(s, "back-1"), 13);
	alw_assert_no_scan(mon, 0);
	for (int k = 0; k < 13; k++)
		lw_engagement_done(&e[k]);
	config_free(f);
	alw_fix_done(&x);
}
END_TEST

START_TEST(test_opts_from_env)
{
	struct alertworker_opts o;
	char *cause = NULL;
	alertworker_opts_init(&o);
	setenv("LAUNCHWATCH_ALERT_GROUP_WAIT_MS", "1500", 1);
	setenv("LAUNCHWATCH_ALERT_GROUP_INTERVAL_MS", "0", 1);
	setenv("LAUNCHWATCH_ALERT_POLL_MS", "", 1); /* empty: the default */
	ck_assert_int_eq(alertworker_opts_from_env(&o, &cause), 0);
	ck_assert_int_eq(o.group_wait_ms, 1500);
	ck_assert_int_eq(o.group_interval_ms, 0);
	ck_assert_int_eq(o.poll_interval_ms, 5000);
	static const char *const bad[] = {"50", "-1", "5s", "99999999999"};
	for (size_t i = 0; i < LW_ARRAY_LEN(bad); i++) {
		setenv("LAUNCHWATCH_ALERT_POLL_MS", bad[i], 1);
		ck_assert_int_eq(alertworker_opts_from_env(&o, &cause), -1);
		ck_assert_str_eq(cause, "LAUNCHWATCH_ALERT_POLL_MS must be a whole number of "
		                        "milliseconds from 100 to 86400000");
		free(cause);
		cause = NULL;
	}
	ck_assert_int_eq(o.poll_interval_ms, 5000); /* a bad value changes nothing */
	unsetenv("LAUNCHWATCH_ALERT_GROUP_WAIT_MS");
	unsetenv("LAUNCHWATCH_ALERT_GROUP_INTERVAL_MS");
	unsetenv("LAUNCHWATCH_ALERT_POLL_MS");
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("alert_e2e");
	TCase *tc = tcase_create("worker");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_worker_retry_backoff_and_status);
	tcase_add_test(tc, test_worker_permanent_failure_reported_once);
	tcase_add_test(tc, test_log_written_elsewhere);
	tcase_add_test(tc, test_first_start_lookback);
	tcase_add_test(tc, test_opts_from_env);
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
