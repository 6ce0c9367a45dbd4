/*
 * test_alert_e2e: the alert worker end to end, following the change log on
 * a real devdb. On an injected clock against the Slack receiver: 500, 500,
 * 429 then 200 (backoff and Retry-After, status for the UI, the position
 * held before an unsent alert) and 404 (reported once, the channel stops
 * until its settings change); entries written without a wake-up (another
 * process) found by the poll, the sentiment hook through the stored
 * engagement, a repeated record; where a first start begins (a binary
 * search over the lookback) and a resumed one skips. Then engagements from
 * the simulator (xapi client, classifier), stored and logged, alerted by a
 * worker in a child process that is SIGKILLed between a send and its
 * alerts_sent write, and by a restarted worker from the saved position:
 * every matching engagement alerts, only the crash message repeats, nothing
 * that does not match alerts, bursts become digests, a restart that lost
 * its position sends nothing again, and the quiet window holds. Every
 * worker reaches the database through the recording proxy of mon_support:
 * none reads `engagements` by anything but `_id`. The real `launchwatch
 * run` is test_alert_engine.c.
 */
#include <check.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <strings.h>
#include <unistd.h>

#include <jansson.h>

#include "al_support.h"
#include "alw_support.h"
#include "model/alert.h"
#include "engine/alertworker.h"
#include "engine/writer.h"
#include "model/campaign.h"
#include "model/classify.h"
#include "model/prep.h"
#include "config/config.h"
#include "mon_support.h"
#include "net/ratelimit.h"
#include "sim/sim.h"
#include "store/store.h"
#include "store/store_alerts.h"
#include "store/store_changes.h"
#include "store/store_prepared.h"
#include "store/store_report.h"
#include "testutil.h"
#include "base/util.h"
#include "provider/xapi.h"
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

/* ---- simulator, devdb, crash and restart ---- */

#define E2E_MIN_IMPORTANCE 40

/* Collects page 1 of retweeters, replies and quotes of each simulator tweet
 * as classified engagements of campaign camp, first seen at seen_ms. */
static struct lw_engagement *
collect(struct sim *sim, int ntweets, const char *camp, int64_t seen_ms, size_t *n)
{
	struct xapi_config cfg;
	xapi_config_init(&cfg);
	cfg.base_url = xasprintf("http://127.0.0.1:%d", sim_port(sim));
	struct ratelimit *rl = ratelimit_new(0, 1, NULL);
	cfg.rl = rl;
	struct xapi *x = xapi_new(&cfg);
	xapi_config_done(&cfg);
	struct classify_rules *rules = classify_rules_default();
	struct lw_engagement *v = NULL;
	*n = 0;
	for (int t = 0; t < ntweets; t++) {
		const char *tid = sim_tweet_id(sim, t);
		for (int k = 0; k < ACT__COUNT; k++) {
			struct xapi_page p;
			struct xapi_result res;
			memset(&p, 0, sizeof p);
			int rc = k == ACT_RETWEET ? xapi_retweeters(x, tid, "", &p, &res)
			         : k == ACT_REPLY ? xapi_replies(x, tid, "", 0, &p, &res)
			                          : xapi_quotes(x, tid, "", 0, &p, &res);
			ck_assert_msg(rc == 0, "sim call: %s", res.message ? res.message : "");
			size_t m = k == ACT_RETWEET ? p.n_users : p.n_tweets;
			for (size_t i = 0; i < m; i++) {
				const struct lw_user *u =
				    k == ACT_RETWEET ? &p.users[i] : &p.tweets[i].author;
				bool dup = false; /* one engagement per account x action x tweet */
				for (size_t j = 0; j < *n && !dup; j++)
					dup = strcmp(v[j].user.id, u->id) == 0 &&
					      strcmp(v[j].tweet_id, tid) == 0 &&
					      (int)v[j].action == k;
				if (dup)
					continue;
				struct classification c;
				classify_user(rules, u, (enum lw_action)k, CAT_MAIN, &c);
				v = xreallocarray(v, *n + 1, sizeof *v);
				struct lw_engagement *e = &v[(*n)++];
				memset(e, 0, sizeof *e);
				snprintf(e->campaign_id, sizeof e->campaign_id, "%s", camp);
				snprintf(e->tweet_id, sizeof e->tweet_id, "%s", tid);
				e->category = CAT_MAIN;
				e->action = (enum lw_action)k;
				lw_user_copy(&e->user, u);
				e->bucket = c.bucket;
				e->importance = c.importance;
				e->evidence = xstrdup(c.evidence);
				if (k != ACT_RETWEET) {
					e->text = xstrdup(p.tweets[i].text);
					e->ref_ids = xcalloc(1, sizeof *e->ref_ids);
					e->ref_ids[0] = xstrdup(p.tweets[i].id);
					e->nref = 1;
				}
				e->first_seen_at_ms = seen_ms + (int64_t)*n; /* distinct, ordered */
				classification_done(&c);
			}
			xapi_page_done(&p);
			xapi_result_done(&res);
		}
	}
	classify_rules_free(rules);
	xapi_free(x);
	ratelimit_free(rl);
	return v;
}

/* The rules, restated independently of alert.c: watched, or important
 * enough and an investor or founder. */
static bool
expect_alert(const struct lw_engagement *e, const char *watched)
{
	if (strcasecmp(e->user.handle, watched) == 0)
		return true;
	return e->importance >= E2E_MIN_IMPORTANCE &&
	       (e->bucket == BK_INVESTOR || e->bucket == BK_FOUNDER);
}

/* Counts, over every message the receiver accepted, how often engagement e
 * (handle, tweet, action) was listed, and adds each message's alert count to
 * *total. */
static int
times_listed(struct al_slack *r, const struct lw_engagement *e)
{
	static const char *const verbs[ACT__COUNT] = {"retweeted", "replied to", "quoted"};
	int n = 0;
	char *who = xasprintf("(<https://x.com/%s|@%s>)", e->user.handle, e->user.handle);
	char *tweet = xasprintf("https://x.com/i/status/%s|", e->tweet_id);
	for (size_t i = 0;; i++) {
		char *body = al_slack_body(r, i, NULL);
		if (body == NULL)
			break;
		json_t *j = json_loads(body, 0, NULL);
		ck_assert_ptr_nonnull(j);
		const char *text = json_string_value(json_object_get(j, "text"));
		/* items are the lines starting with a bullet, two lines each */
		for (const char *p = strstr(text, "• *"); p != NULL; p = strstr(p + 1, "• *")) {
			const char *end = strstr(p + 1, "• *");
			size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
			char *item = xstrndup(p, len);
			if (strstr(item, who) && strstr(item, tweet) &&
			    strstr(item, verbs[e->action]))
				n++;
			free(item);
		}
		json_decref(j);
		free(body);
	}
	free(who);
	free(tweet);
	return n;
}

/* Returns how many alerts the i-th accepted message announces (1, or N of a
 * digest "N important engagements"). */
static int
message_alerts(struct al_slack *r, size_t i)
{
	char *body = al_slack_body(r, i, NULL);
	ck_assert_ptr_nonnull(body);
	json_t *j = json_loads(body, 0, NULL);
	const char *text = json_string_value(json_object_get(j, "text"));
	int n = 1;
	if (strstr(text, " important engagements on ") != NULL)
		n = atoi(text + 1); /* "*N important ..." */
	json_decref(j);
	free(body);
	return n;
}

/* The child's pipes: to its own main thread, and to the parent. */

static int hook_self_fd = -1;
static int hook_parent_fd = -1;
static int hook_calls;

/* After the first successful send: lets the child log its second burst and
 * returns (that message gets logged). After the second: tells the parent
 * how many alerts went out and hangs, so the parent SIGKILLs us between the
 * send and its alerts_sent write. */
static void
crash_hook(void *arg, const char *campaign_id, enum alert_channel ch, size_t n)
{
	(void)arg;
	(void)campaign_id;
	(void)ch;
	char b = (char)(n > 255 ? 255 : n);
	if (++hook_calls == 1) {
		if (write(hook_self_fd, &b, 1) != 1)
			_exit(3);
		return;
	}
	if (write(hook_parent_fd, &b, 1) != 1)
		_exit(3);
	for (;;)
		pause();
}

/* The crashing child: its own store connection and worker thread, woken as
 * the engine's writer wakes it: for the first burst (logged by the parent
 * as entry 1), then for the second, which it logs itself (entry 2) once
 * the first one's message is out and logged. */
static void
child_run(const char *uri, const char *dbname, const char *camp, const struct lw_engagement *v,
    size_t n, int fd)
{
	struct store *s = NULL;
	char *cause = NULL;
	int self[2];
	if (store_open(uri, dbname, &s, &cause) != 0 || pipe(self) != 0)
		_exit(2);
	hook_self_fd = self[1];
	hook_parent_fd = fd;
	struct alertworker_opts o;
	alertworker_opts_init(&o);
	o.store = s;
	o.group_wait_ms = 300;
	o.group_interval_ms = 0;
	o.poll_interval_ms = 0; /* wake-ups only */
	o.after_send = crash_hook;
	struct alertworker *w = alertworker_new(&o);
	if (alertworker_start(w, &cause) != 0)
		_exit(2);
	alertworker_notify(w, camp, 1);
	char b;
	if (read(self[0], &b, 1) != 1)
		_exit(3);
	usleep(300 * 1000); /* let the first message's alerts_sent write and position land */
	struct prep_eng *r = xcalloc(n - n / 2 + 1, sizeof *r);
	for (size_t i = n / 2; i < n; i++)
		prep_eng_from(&r[i - n / 2], &v[i]);
	if (writer_append(NULL, s, camp, CHK_ENGAGEMENTS, r, n - n / 2, NULL, 0, &cause) != 0)
		_exit(4);
	alertworker_notify(w, camp, 2);
	for (;;)
		pause();
}

static void
drain(struct alertworker *w, struct al_slack *r)
{
	int64_t end = al_mono_ns() + 60000000000LL;
	size_t last = (size_t)-1;
	int stable = 0;
	while (al_mono_ns() < end && stable < 10) {
		alertworker_run_once(w);
		struct alertworker_status st;
		alertworker_status(w, &st);
		size_t now = al_slack_requests(r);
		stable = st.pending == 0 && now == last ? stable + 1 : 0;
		last = now;
		alertworker_status_done(&st);
		usleep(30 * 1000);
	}
	ck_assert_msg(stable >= 10, "the worker did not settle");
}

/* Forgets the alert worker's position in camp's log (as if it never ran). */
static void
forget_position(struct store *s, const char *camp)
{
	char *cmd = xasprintf(
	    "{\"delete\": \"aggregates\", \"deletes\": [{\"q\": {\"_id\": \"%s:alerts\"}, "
	    "\"limit\": 1}]}",
	    camp);
	char *reply = NULL, *cause = NULL;
	ck_assert_msg(store_report_test_command(s, cmd, &reply, &cause) == 0, "%s", cause);
	free(reply);
	free(cmd);
	ck_assert_int_eq(alw_position(s, camp), -1);
}

START_TEST(test_sim_crash_restart_exactly_once)
{
	struct alw_fix x; /* every worker goes through the proxy */
	alw_fix_start(&x, "e2e", NULL, 0, 0, "/services/T/B/tok");
	struct al_slack *r = x.r;
	struct sim_opts so;
	sim_opts_init(&so);
	so.frozen = true;
	so.start_ms = T0;
	so.seed = 7;
	so.tweets = 2;
	char *cause = NULL;
	struct sim *sim = sim_start(&so, &cause);
	ck_assert_msg(sim != NULL, "%s", cause);
	sim_advance(sim, 4 * 60 * 1000);

	/* engagements as the engine would see them, first seen just now */
	int64_t seen = clock_now_ms() - 60000;
	size_t n = 0;
	struct lw_engagement *v = collect(sim, 2, "pending", seen, &n);
	ck_assert_uint_gt(n, 20);
	/* watch one account the rules alone would not alert on */
	const char *watched = NULL;
	for (size_t i = 0; i < n && watched == NULL; i++)
		if (!expect_alert(&v[i], "") && v[i].user.handle[0] != '\0')
			watched = v[i].user.handle;
	ck_assert_ptr_nonnull(watched);
	char *yaml =
	    xasprintf("campaigns:\n"
	              "  - name: E2E launch\n"
	              "    window: {start: 2025-12-01T00:00:00Z, duration: 90d}\n"
	              "    tweets: {main: [%s, %s]}\n"
	              "    alerts: {min_importance: %d, buckets: [investor, founder], "
	              "watch: [\"@%s\"], slack_webhook: env:LW_E_HOOK, quiet_window: 30m}\n",
	        sim_tweet_id(sim, 0), sim_tweet_id(sim, 1), E2E_MIN_IMPORTANCE, watched);
	struct cfg_file *f = alw_load_yaml(yaml);
	struct store *s = x.direct;
	struct store_upsert_result up;
	ck_assert_msg(store_campaign_upsert(s, &f->campaigns[0], clock_now_ms(), &up, &cause) == 0,
	    "%s", cause);
	size_t nexp = 0;
	for (size_t i = 0; i < n; i++) {
		snprintf(v[i].campaign_id, sizeof v[i].campaign_id, "%s", up.id);
		nexp += expect_alert(&v[i], watched);
	}
	ck_assert_uint_gt(nexp, 2);
	ck_assert_uint_lt(nexp, n); /* some do not match */
	/* stored first (the engine's order); the first half logged as entry 1
	 * now, the second half by the child later as entry 2 */
	ck_assert_msg(seed_engagements_absent(s, v, n, &cause) == 0, "%s", cause);
	ck_assert_int_eq(alw_log_engagements(s, up.id, v, n / 2, CHK_ENGAGEMENTS), 1);

	/* 1: a worker in a child process, killed between send and log */
	int pfd[2];
	ck_assert_int_eq(pipe(pfd), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(pfd[0]);
		child_run(mon_uri(x.mon), "e2e", up.id, v, n, pfd[1]);
	}
	close(pfd[1]);
	struct pollfd pp = {pfd[0], POLLIN, 0};
	ck_assert_msg(poll(&pp, 1, 60000) == 1, "the child sent nothing");
	unsigned char first = 0;
	ck_assert_int_eq(read(pfd[0], &first, 1), 1);
	kill(pid, SIGKILL);
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	close(pfd[0]);
	ck_assert_uint_eq(al_slack_count(r), 2);
	int first_alerts = message_alerts(r, 0);
	int crash_alerts = message_alerts(r, 1);
	ck_assert_int_eq(crash_alerts, first);
	/* the first message was logged, the second (the crash) was not */
	ck_assert_int_eq(store_count(s, "alerts_sent", up.id, &cause), first_alerts);
	size_t nfirst = 0;
	for (size_t i = 0; i < n / 2; i++)
		nfirst += expect_alert(&v[i], watched);
	ck_assert_int_eq(first_alerts, (int)nfirst);
	ck_assert_int_eq(crash_alerts, (int)(nexp - nfirst));
	/* the position covers entry 1 (sent and logged), not entry 2 (sent,
	 * not logged: a restart must read it again) */
	ck_assert_int_eq(alw_position(s, up.id), 1);

	/* 2: restart: the worker finds the campaign (active) and resumes at
	 * entry 2 without a wake-up */
	struct alertworker_opts o;
	alertworker_opts_init(&o);
	o.store = x.s;
	o.group_wait_ms = 0;
	o.group_interval_ms = 0;
	o.poll_interval_ms = 100;
	struct alertworker *w = alertworker_new(&o);
	drain(w, r);
	struct alertworker_status ws;
	alertworker_status(w, &ws);
	ck_assert_uint_eq(ws.failed, 0);
	ck_assert_uint_eq(ws.evaluated, n - n / 2);
	ck_assert_uint_eq(ws.matched, nexp - nfirst);
	ck_assert_uint_eq(ws.skipped, (n - n / 2) - (nexp - nfirst));
	alertworker_status_done(&ws);
	alertworker_free(w);
	ck_assert_int_eq(alw_position(s, up.id), 2);

	/* every matching engagement listed; only the crash message's repeat */
	int total = 0;
	for (size_t i = 0; i < al_slack_count(r); i++)
		total += message_alerts(r, i);
	ck_assert_int_eq(total, (int)nexp + crash_alerts);
	bool digest = false;
	for (size_t i = 0; i < al_slack_count(r); i++)
		digest |= message_alerts(r, i) > 1;
	ck_assert_msg(digest, "no burst became a digest");
	size_t listed_twice = 0;
	for (size_t i = 0; i < n; i++) {
		int k = times_listed(r, &v[i]);
		if (!expect_alert(&v[i], watched)) {
			ck_assert_msg(k == 0, "@%s alerted without matching", v[i].user.handle);
			continue;
		}
		/* the first burst was logged before the crash: never repeated;
		 * digests list at most 20 alerts, the counts above cover the rest */
		ck_assert_int_le(k, i < n / 2 ? 1 : 2);
		listed_twice += k == 2;
	}
	ck_assert_uint_le(listed_twice, (size_t)crash_alerts);
	if (getenv("AL_E2E_VERBOSE"))
		fprintf(stderr,
		    "e2e: %zu engagements, %zu match; messages: %d logged, %d crashed, %zu in all; "
		    "%zu seen listed twice\n",
		    n, nexp, first_alerts, crash_alerts, al_slack_count(r), listed_twice);
	ck_assert_int_eq(store_count(s, "alerts_sent", up.id, &cause), (int64_t)nexp);
	struct alert_log_entry *log = NULL;
	size_t nlog = 0;
	ck_assert_int_eq(store_alerts_recent(s, up.id, 1000, &log, &nlog, &cause), 0);
	ck_assert_uint_eq(nlog, nexp);
	for (size_t i = 0; i < nlog; i++)
		ck_assert_str_eq(log[i].channel, "slack");
	free(log);

	/* 3: another restart sends nothing: from the saved position nothing is
	 * read; without it (lost), the lookback reads both entries again and
	 * alerts_sent suppresses every match */
	size_t before = al_slack_requests(r);
	w = alertworker_new(&o);
	drain(w, r);
	alertworker_status(w, &ws);
	ck_assert_uint_eq(ws.evaluated, 0);
	alertworker_status_done(&ws);
	alertworker_free(w);
	forget_position(s, up.id);
	w = alertworker_new(&o);
	drain(w, r);
	alertworker_status(w, &ws);
	ck_assert_uint_eq(al_slack_requests(r), before);
	ck_assert_uint_eq(ws.evaluated, n);
	ck_assert_uint_ge(ws.suppressed, nexp);
	alertworker_status_done(&ws);
	alertworker_free(w);
	ck_assert_int_eq(alw_position(s, up.id), 2);

	/* 4: the quiet window on an injected clock: the same fingerprint seen
	 * again 10 minutes later (a recovered entry) is held; 31 minutes later
	 * it alerts again */
	size_t m = 0;
	while (!expect_alert(&v[m], watched))
		m++;
	fake_now = v[m].first_seen_at_ms;
	clock_set(fake_clock);
	o.poll_interval_ms = 0;
	w = alertworker_new(&o);
	v[m].first_seen_at_ms += 10 * 60 * 1000;
	fake_now = v[m].first_seen_at_ms;
	alertworker_notify(w, up.id, alw_log_engagements(s, up.id, &v[m], 1, CHK_RECOVERED));
	alertworker_run_once(w);
	fake_now += 1000;
	alertworker_run_once(w);
	ck_assert_uint_eq(al_slack_requests(r), before);
	v[m].first_seen_at_ms += 21 * 60 * 1000;
	fake_now = v[m].first_seen_at_ms;
	alertworker_notify(w, up.id, alw_log_engagements(s, up.id, &v[m], 1, CHK_RECOVERED));
	alertworker_run_once(w);
	ck_assert_uint_eq(al_slack_requests(r), before + 1);
	ck_assert_int_eq(times_listed(r, &v[m]) >= 1, 1);
	ck_assert_int_eq(store_count(s, "alerts_sent", up.id, &cause), (int64_t)nexp + 1);
	alertworker_free(w);
	clock_set(NULL);
	ck_assert_int_eq(alw_position(s, up.id), 4);
	/* no worker ever read the events or the log by anything but `_id` */
	alw_assert_no_scan(x.mon, 0);
	for (size_t i = 0; i < n; i++)
		lw_engagement_done(&v[i]);
	free(v);
	free(yaml);
	config_free(f);
	sim_free(sim);
	alw_fix_done(&x);
}
END_TEST

START_TEST(test_cli_alerts_test)
{
	struct tu_devdb *db = tu_devdb_start(NULL, 0);
	struct al_slack *r = al_slack_start(NULL, 0, 0);
	struct al_smtpd *m = al_smtpd_start("alerts@acme.example", "pw-CLI-77");
	char *cause = NULL;
	char *yaml =
	    xasprintf("campaigns:\n"
	              "  - name: CLI launch\n"
	              "    window: {start: 2025-12-01T00:00:00Z, duration: 90d}\n"
	              "    tweets: {main: [1861111111111111111]}\n"
	              "    alerts:\n"
	              "      slack_webhook: env:LW_E_HOOK\n"
	              "      email: {to: [team@acme.example], smtp_url: \"smtp://127.0.0.1:%d\", "
	              "user: alerts@acme.example, password: env:LW_E_PW}\n",
	        m->port);
	struct cfg_file *f = alw_load_yaml(yaml);
	struct store *s = NULL;
	ck_assert_msg(store_open(db->uri, "launchwatch", &s, &cause) == 0, "%s", cause);
	struct store_upsert_result up;
	ck_assert_int_eq(
	    store_campaign_upsert(s, &f->campaigns[0], clock_now_ms(), &up, &cause), 0);
	char *e_uri = xasprintf("MONGODB_URI=%s", db->uri);
	char *e_hook =
	    xasprintf("LW_E_HOOK=http://127.0.0.1:%d/services/T/B/cliSECRET", al_slack_port(r));
	const char *env[] = {e_uri, e_hook, "LW_E_PW=pw-CLI-77", NULL};
	const char *args[] = {"alerts", "test", up.id, NULL};
	struct tu_run run;
	tu_run(&run, env, 60000, args);
	ck_assert_msg(run.status == 0, "exit %d: %s %s", run.status, run.out, run.err);
	ck_assert_ptr_nonnull(strstr(run.out, "slack: sent (HTTP 200"));
	ck_assert_ptr_nonnull(strstr(run.out, "email: sent (SMTP reply 250"));
	tu_run_done(&run);
	ck_assert_uint_eq(al_slack_count(r), 1);
	char *body = al_slack_body(r, 0, NULL);
	ck_assert_ptr_nonnull(strstr(body, "Test alert for CLI launch"));
	free(body);
	ck_assert_int_eq(al_smtpd_count(m), 1);
	/* a wrong password: reported, permanent, never printed */
	const char *env2[] = {e_uri, e_hook, "LW_E_PW=pw-WRONG-5", NULL};
	tu_run(&run, env2, 60000, args);
	ck_assert_int_eq(run.status, 1);
	ck_assert_ptr_nonnull(strstr(run.out, "email: failed (permanent)"));
	ck_assert_ptr_null(strstr(run.out, "pw-WRONG"));
	ck_assert_ptr_null(strstr(run.err, "pw-WRONG"));
	ck_assert_ptr_null(strstr(run.out, "cliSECRET"));
	tu_run_done(&run);
	ck_assert_int_eq(store_count(s, "alerts_sent", NULL, &cause), 0);
	free(e_uri);
	free(e_hook);
	free(yaml);
	config_free(f);
	store_free(s);
	al_smtpd_free(m);
	al_slack_free(r);
	tu_devdb_free(db);
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
	tc = tcase_create("sim");
	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, test_sim_crash_restart_exactly_once);
	tcase_add_test(tc, test_cli_alerts_test);
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
