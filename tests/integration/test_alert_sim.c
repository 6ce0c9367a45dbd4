/*
 * test_alert_sim: the alert worker on engagements from the simulator (xapi
 * client, classifier), stored and logged in a real devdb, alerted by a
 * worker in a child process that is SIGKILLed between a send and its
 * alerts_sent write, and by a restarted worker from the saved position:
 * every matching engagement alerts, only the crash message repeats, nothing
 * that does not match alerts, bursts become digests, a restart that lost
 * its position sends nothing again, and the quiet window holds; every
 * worker reads `engagements` and the log by `_id` only (the recording proxy
 * of mon_support). And `launchwatch alerts test` against both receivers.
 * (Moved out of test_alert_e2e.c.)
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
#include "model/classify.h"
#include "model/prep.h"
#include "config/config.h"
#include "mon_support.h"
#include "net/ratelimit.h"
#include "sim/sim.h"
#include "store/store.h"
#include "store/store_alerts.h"
#include "store/store_report.h"
#include "testutil.h"
#include "base/util.h"
#include "provider/xapi.h"
#include "seed_support.h"

#define T0 1767225600000LL /* 2026-01-01T00:00:00Z */

static int64_t fake_now;

/* The injected clock. */
static int64_t
fake_clock(void)
{
	return fake_now;
}

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
	Suite *s = suite_create("alert_sim");
	TCase *tc = tcase_create("sim");
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
