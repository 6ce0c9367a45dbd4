/*
 * test_alert_engine: alerts through the real engine. `launchwatch run`,
 * SIGKILLed and restarted, against the Slack receiver and the aiosmtpd
 * server: every matching stored engagement is listed once per channel,
 * only the message in flight at the kill repeats, nothing else is listed,
 * bursts come as digests, alerts_sent holds one document per matching
 * engagement and channel, the saved change-log position never passes an
 * entry whose alerts are not all sent and logged, and in the steady state
 * the engine reads `engagements` by `_id` only (the recording proxy of
 * mon_support). And an alert worker in this process beside `launchwatch
 * run --once` processes SIGKILLed at random moments: every matching
 * engagement they stored (recovered ones included) alerts exactly once,
 * and the worker never reads `engagements` but by `_id`.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <strings.h>
#include <unistd.h>

#include <mongoc/mongoc.h>

#include "al_support.h"
#include "model/alert.h"
#include "model/campaign.h"
#include "engine/alertworker.h"
#include "config/config.h"
#include "ing_support.h"
#include "model/prep.h"
#include "mon_support.h"
#include "sim/sim.h"
#include "store/store.h"
#include "store/store_alerts.h"
#include "store/store_changes.h"
#include "store/store_events.h"
#include "store/store_prepared.h"
#include "testutil.h"
#include "base/util.h"

/* ---- the real engine: `launchwatch run`, SIGKILLed and restarted ---- */

#define EN_MIN_IMPORTANCE 40

/* The engine test's rules, restated independently of alert.c: the watched
 * handle, or important enough and an investor or founder. */
static bool
en_expect(const struct alert_candidate *c, const char *watched)
{
	if (strcasecmp(c->handle, watched) == 0)
		return true;
	return c->importance >= EN_MIN_IMPORTANCE &&
	       (c->bucket == BK_INVESTOR || c->bucket == BK_FOUNDER);
}

/* Returns "HANDLE|TWEET|ACTION", the key receivers' items are parsed into
 * (caller frees). */
static char *
en_key(const struct alert_candidate *c)
{
	return xasprintf("%s|%s|%s", c->handle, c->tweet_id, action_name(c->action));
}

/* Collects one stored engagement as a candidate. */
static int
en_one(const struct lw_engagement *e, void *arg)
{
	struct alert_candidate **v = ((void **)arg)[0];
	size_t *n = ((void **)arg)[1];
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	alert_candidate_from_engagement(&(*v)[(*n)++], e, 0);
	return 0;
}

/* Reads every stored engagement of campaign camp, straight from
 * `engagements` (caller frees each with alert_candidate_done, then v). */
static struct alert_candidate *
en_engagements(struct store *s, const char *camp, size_t *n)
{
	struct alert_candidate *all = NULL;
	char *cause = NULL;
	void *arg[2] = {&all, n};
	*n = 0;
	ck_assert_msg(
	    ste_scan_engagements(s, camp, 0, en_one, arg, &cause) == 0, "%s", cause ? cause : "");
	return all;
}

/* Frees what en_engagements returned. */
static void
en_free(struct alert_candidate *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		alert_candidate_done(&v[i]);
	free(v);
}

/* Returns how many engagements of v alert under the rules. */
static size_t
en_nexp(const struct alert_candidate *v, size_t n, const char *watched)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += en_expect(&v[i], watched);
	return k;
}

/* Every message a receiver got, parsed. */
struct en_msgs {
	struct al_msg *m;
	size_t n;
	int alerts; /* sum of the messages' alert counts */
};

/* Parses every message of one channel (ch 0 Slack, 1 email) into out. */
static void
en_collect(struct al_slack *r, struct al_smtpd *d, int ch, struct en_msgs *out)
{
	memset(out, 0, sizeof *out);
	for (size_t i = 0;; i++) {
		struct al_msg m;
		if (!(ch == 0 ? al_slack_msg(r, i, &m) : al_smtpd_msg(d, i, &m)))
			break;
		out->m = xreallocarray(out->m, out->n + 1, sizeof *out->m);
		out->m[out->n++] = m;
		out->alerts += m.n;
	}
}

/* Frees what en_collect filled. */
static void
en_msgs_done(struct en_msgs *e)
{
	for (size_t i = 0; i < e->n; i++)
		al_msg_done(&e->m[i]);
	free(e->m);
	memset(e, 0, sizeof *e);
}

/* Returns how often key is listed over messages [from, to) of e. */
static int
en_listed(const struct en_msgs *e, const char *key, size_t from, size_t to)
{
	int k = 0;
	for (size_t i = from; i < to && i < e->n; i++)
		for (size_t j = 0; j < e->m[i].nitems; j++)
			k += strcmp(e->m[i].items[j], key) == 0;
	return k;
}

/* Returns the alerts the receivers announced so far: Slack in [0], email in [1]. */
static void
en_sums(struct al_slack *r, struct al_smtpd *d, int sums[2])
{
	for (int ch = 0; ch < 2; ch++) {
		struct en_msgs e;
		en_collect(r, d, ch, &e);
		sums[ch] = e.alerts;
		en_msgs_done(&e);
	}
}

/* Prints the alert worker's worker_log lines and the run's output, to tell
 * why a wait failed. */
static void
en_dump(struct ing_world *w, const char *out)
{
	mongoc_client_t *cl = mongoc_client_new(w->db->uri);
	mongoc_collection_t *coll = mongoc_client_get_collection(cl, "launchwatch", "worker_log");
	bson_t *filter = BCON_NEW("job", BCON_UTF8("alerts"));
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(coll, filter, NULL, NULL);
	const bson_t *doc;
	while (mongoc_cursor_next(cur, &doc)) {
		char *j = bson_as_relaxed_extended_json(doc, NULL);
		fprintf(stderr, "worker_log: %s\n", j);
		bson_free(j);
	}
	mongoc_cursor_destroy(cur);
	bson_destroy(filter);
	mongoc_collection_destroy(coll);
	mongoc_client_destroy(cl);
	char *text = NULL;
	size_t len = 0;
	FILE *f = fopen(out, "r");
	if (f != NULL) {
		char buf[4096];
		size_t k;
		struct sbuf b;
		sbuf_init(&b);
		while ((k = fread(buf, 1, sizeof buf, f)) > 0)
			sbuf_add(&b, buf, k);
		fclose(f);
		len = b.len;
		text = sbuf_take(&b);
	}
	fprintf(stderr, "run output (%zu bytes):\n%s\n", len, text ? text : "");
	free(text);
}

/* Waits until every matching stored engagement is in alerts_sent on both
 * channels and the receivers stayed quiet for a while; returns the number
 * of matching engagements. */
static size_t
en_settle(struct ing_world *w, struct al_slack *r, struct al_smtpd *d, const char *watched,
    const char *out)
{
	int64_t end = al_mono_ns() + 90 * 1000000000LL;
	int stable = 0, last[2] = {-1, -1};
	size_t nexp = 0;
	while (al_mono_ns() < end && stable < 8) {
		size_t n;
		char *cause = NULL;
		struct alert_candidate *v = en_engagements(w->s, w->campaign_id, &n);
		nexp = en_nexp(v, n, watched);
		en_free(v, n);
		int64_t logged = store_count(w->s, "alerts_sent", w->campaign_id, &cause);
		int sums[2];
		en_sums(r, d, sums);
		bool done = logged == 2 * (int64_t)nexp && sums[0] >= (int)nexp &&
		            sums[1] >= (int)nexp && sums[0] == last[0] && sums[1] == last[1];
		stable = done ? stable + 1 : 0;
		last[0] = sums[0];
		last[1] = sums[1];
		free(cause);
		usleep(250 * 1000);
	}
	if (stable < 8)
		en_dump(w, out);
	ck_assert_msg(stable >= 8, "alerts did not settle: %zu expected", nexp);
	return nexp;
}

/* Returns the alert worker's saved position in camp's log (0 when none). */
static int64_t
en_position(struct store *s, const char *camp)
{
	int64_t seq = 0;
	char *cause = NULL;
	ck_assert_msg(
	    stp_position_get(s, camp, "alerts", &seq, &cause) >= 0, "%s", cause ? cause : "");
	return seq;
}

/* Returns the head of camp's change log. */
static int64_t
en_head(struct store *s, const char *camp)
{
	int64_t head = 0;
	char *cause = NULL;
	ck_assert_msg(stc_head(s, camp, 0, &head, &cause) == 0, "%s", cause ? cause : "");
	return head;
}

/* Returns how many alerts_sent documents of log[0..n) are engagement c's
 * on channel ch ("slack", "email"). */
static int
en_logged(
    const struct alert_log_entry *log, size_t n, const struct alert_candidate *c, const char *ch)
{
	int k = 0;
	for (size_t j = 0; j < n; j++)
		k += strcmp(log[j].user_id, c->user_id) == 0 &&
		     strcmp(log[j].tweet_id, c->tweet_id) == 0 &&
		     strcmp(log[j].action, action_name(c->action)) == 0 &&
		     strcmp(log[j].channel, ch) == 0;
	return k;
}

/* Asserts that every matching engagement record of camp's change-log
 * entries up to the alert worker's saved position is in alerts_sent on
 * each of the nch channels chans: the position never passes an alert that
 * is not sent and logged. Returns the position. */
static int64_t
en_check_position(
    struct store *s, const char *camp, const char *watched, const char *const *chans, size_t nch)
{
	int64_t pos = en_position(s, camp);
	struct alert_log_entry *log = NULL;
	size_t nlog = 0;
	char *cause = NULL;
	ck_assert_int_eq(store_alerts_recent(s, camp, 100000, &log, &nlog, &cause), 0);
	for (int64_t seq = 1; seq <= pos; seq++) {
		struct change_entry e;
		ck_assert_int_eq(stc_get(s, camp, seq, &e, &cause), 0);
		struct prep_eng *v = NULL;
		struct prep_slice *sl = NULL;
		size_t n = 0, ns = 0;
		ck_assert_int_eq(prep_items_decode(e.items, e.len, &v, &n, &sl, &ns, &cause), 0);
		for (size_t i = 0; i < n; i++) {
			struct alert_candidate c;
			alert_candidate_from_record(&c, camp, &v[i]);
			for (size_t k = 0; k < nch && en_expect(&c, watched); k++)
				ck_assert_msg(en_logged(log, nlog, &c, chans[k]) == 1,
				    "entry %lld (position %lld): @%s on %s not logged",
				    (long long)seq, (long long)pos, c.handle, chans[k]);
			alert_candidate_done(&c);
			prep_eng_done(&v[i]);
		}
		free(v);
		free(sl);
		change_entry_done(&e);
	}
	free(log);
	return pos;
}

START_TEST(test_engine_run_sigkill_restart)
{
	struct ing_world w;
	struct sim_opts so;
	sim_opts_init(&so);
	so.seed = 11;
	so.rate = 1; /* a few matches per digest: every item is listed */
	ing_world_start(&w, &so, "25");
	/* the first backfill, by another process: the alerts come from the
	 * database, as for any engagement another process wrote */
	ck_assert_int_eq(ing_run_once(&w, 60000), 0);
	size_t n0;
	struct alert_candidate *v0 = en_engagements(w.s, w.campaign_id, &n0);
	ck_assert_uint_gt(n0, 20);
	char watched[64] = "";
	for (size_t i = 0; i < n0 && watched[0] == '\0'; i++)
		if (!en_expect(&v0[i], "") && v0[i].handle[0] != '\0')
			snprintf(watched, sizeof watched, "%s", v0[i].handle);
	ck_assert(watched[0] != '\0');
	size_t nexp0 = en_nexp(v0, n0, watched);
	ck_assert_uint_gt(nexp0, 1);
	ck_assert_uint_lt(nexp0, n0);
	en_free(v0, n0);

	/* the campaign's alert rules, pointing at the loopback receivers */
	struct al_slack *r = al_slack_start(NULL, 0, 0);
	struct al_smtpd *d = al_smtpd_start("alerts@acme.example", "pw-RUN-31");
	struct sbuf b;
	sbuf_init(&b);
	sbuf_printf(&b,
	    "campaigns:\n  - name: Ingest test\n"
	    "    window: {start: 2020-01-01T00:00:00Z, duration: 20000d}\n"
	    "    tweets: {main: [%s, %s, %s]}\n"
	    "    cadence: {metrics: 1s, retweets: 1s, replies: 1s, quotes: 1s}\n"
	    "    alerts:\n"
	    "      min_importance: %d\n"
	    "      buckets: [investor, founder]\n"
	    "      watch: [\"@%s\"]\n"
	    "      slack_webhook: env:LW_E_HOOK\n"
	    "      email: {to: [team@acme.example], smtp_url: \"smtp://127.0.0.1:%d\", "
	    "user: alerts@acme.example, password: env:LW_E_PW}\n"
	    "      quiet_window: 30m\n",
	    sim_tweet_id(w.sim, 0), sim_tweet_id(w.sim, 1), sim_tweet_id(w.sim, 2),
	    EN_MIN_IMPORTANCE, watched, d->port);
	char *yaml = tu_write_file(w.dir, "alerts.yaml", b.s);
	sbuf_done(&b);
	const char *add[] = {"campaign", "add", yaml, NULL};
	struct tu_run tr;
	tu_run(&tr, w.env, 30000, add);
	ck_assert_msg(tr.status == 0, "campaign add: %s", tr.err);
	tu_run_done(&tr);

	char *hook =
	    xasprintf("LW_E_HOOK=http://127.0.0.1:%d/services/T/B/runSECRET", al_slack_port(r));
	struct mon *mon = mon_start(w.db->uri); /* what `run` asks the database */
	char *via = xasprintf("MONGODB_URI=%s", mon_uri(mon));
	const char *env[] = {via, w.env[1], w.env[2], w.env[3], w.env[4], hook, "LW_E_PW=pw-RUN-31",
	    "LAUNCHWATCH_ALERT_GROUP_WAIT_MS=1500", "LAUNCHWATCH_ALERT_GROUP_INTERVAL_MS=3000",
	    "LAUNCHWATCH_ALERT_POLL_MS=500", NULL};
	const char *args[] = {"run", "--workers", "3", NULL};
	char *out = xasprintf("%s/run.out", w.dir);

	/* 1: `launchwatch run` alerts on everything stored so far */
	pid_t pid = al_spawn(env, args, out);
	int64_t end = al_mono_ns() + 60 * 1000000000LL;
	int sums[2] = {0, 0};
	while (al_mono_ns() < end && (sums[0] < (int)nexp0 || sums[1] < (int)nexp0)) {
		usleep(100 * 1000);
		en_sums(r, d, sums);
	}
	if (sums[0] < (int)nexp0 || sums[1] < (int)nexp0)
		en_dump(&w, out);
	ck_assert_msg(sums[0] >= (int)nexp0 && sums[1] >= (int)nexp0,
	    "the first alerts did not arrive: %d slack, %d email (%d files) of %zu", sums[0],
	    sums[1], al_smtpd_count(d), nexp0);

	/* 2: the launch grows; the next Slack message arrives but its answer is
	 * held back, and the process is SIGKILLed meanwhile: delivered, never
	 * logged in alerts_sent (the email of the same burst may not be out) */
	size_t before = al_slack_requests(r);
	al_slack_hold(r, true);
	for (int i = 0; i < 8 && al_slack_requests(r) == before; i++) {
		ing_advance(&w, 120);
		for (int k = 0; k < 400 && al_slack_requests(r) == before; k++)
			usleep(20 * 1000);
	}
	ck_assert_uint_gt(al_slack_requests(r), before);
	kill(pid, SIGKILL);
	int st = al_reap(pid, 0, 10000);
	ck_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	al_slack_hold(r, false);
	size_t slack_at_kill = al_slack_count(r);
	size_t email_at_kill = (size_t)al_smtpd_count(d);
	/* the killed run's saved position covers only entries whose alerts
	 * all went out and were logged (the held message's were not) */
	static const char *const both[] = {"slack", "email"};
	int64_t pos_at_kill = en_check_position(w.s, w.campaign_id, watched, both, 2);
	ck_assert_int_lt(pos_at_kill, en_head(w.s, w.campaign_id));

	/* 3: restart; the launch grows twice more while it runs */
	pid = al_spawn(env, args, out);
	en_settle(&w, r, d, watched, out);
	for (int i = 0; i < 2; i++) {
		ing_advance(&w, 180);
		usleep(1500 * 1000);
	}
	size_t nexp = en_settle(&w, r, d, watched, out);
	/* the steady state: an idle engine reads the events by `_id` only (the
	 * restart's crash recovery, which may scan, is over) */
	size_t mark = mon_mark(mon);
	sleep(6);
	struct mon_counts en, all;
	mon_count(mon, mark, "engagements", &en);
	mon_count(mon, mark, NULL, &all);
	ck_assert_msg(en.scans == 0, "an idle engine scanned engagements: %s", en.first_scan);
	if (getenv("AL_E2E_VERBOSE"))
		fprintf(stderr, "idle engine: %zu commands in 6 s (%zu on engagements)\n",
		    all.commands, en.commands);
	st = al_reap(pid, SIGTERM, 30000);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "run after SIGTERM: status %d", st);
	/* stopped cleanly with nothing pending: the whole log is evaluated */
	ck_assert_int_eq(
	    en_check_position(w.s, w.campaign_id, watched, both, 2), en_head(w.s, w.campaign_id));
	ck_assert_int_gt(en_position(w.s, w.campaign_id), pos_at_kill);

	/* 4: compare what the receivers got with the stored engagements */
	size_t n;
	struct alert_candidate *v = en_engagements(w.s, w.campaign_id, &n);
	ck_assert_uint_eq(en_nexp(v, n, watched), nexp);
	ck_assert_uint_gt(nexp, nexp0);
	const size_t at_kill[2] = {slack_at_kill, email_at_kill};
	for (int ch = 0; ch < 2; ch++) {
		struct en_msgs e;
		en_collect(r, d, ch, &e);
		bool digest = false;
		size_t listed = 0, repeated = 0;
		for (size_t i = 0; i < e.n; i++) {
			ck_assert_uint_eq(e.m[i].nitems, (size_t)e.m[i].n); /* all listed */
			digest |= e.m[i].n > 1;
			listed += e.m[i].nitems;
		}
		ck_assert_msg(digest, "%s: no burst became a digest", ch ? "email" : "slack");
		for (size_t i = 0; i < n; i++) {
			char *key = en_key(&v[i]);
			int k = en_listed(&e, key, 0, e.n);
			if (!en_expect(&v[i], watched)) {
				ck_assert_msg(k == 0, "%s alerted without matching", key);
			} else {
				ck_assert_msg(k == 1 || k == 2, "%s listed %d times", key, k);
				if (k == 2) {
					/* only the message in flight at the kill repeats:
					 * once up to it, once after the restart */
					ck_assert_int_eq(
					    en_listed(&e, key, at_kill[ch] - 1, at_kill[ch]), 1);
					ck_assert_int_eq(en_listed(&e, key, 0, at_kill[ch]), 1);
					repeated++;
				}
			}
			free(key);
		}
		/* nothing listed that is not a stored engagement */
		ck_assert_uint_eq(listed, nexp + repeated);
		ck_assert_int_eq(e.alerts, (int)(nexp + repeated));
		/* the held Slack message is the one repeat; the email of that
		 * burst went out once, after the restart, unless it beat the kill */
		if (ch == 0)
			ck_assert_int_eq((int)repeated, e.m[at_kill[ch] - 1].n);
		else if (repeated > 0)
			ck_assert_uint_le(repeated, (size_t)e.m[at_kill[ch] - 1].n);
		if (getenv("AL_E2E_VERBOSE"))
			fprintf(stderr,
			    "engine e2e %s: %zu engagements, %zu match, %zu messages, "
			    "%zu repeated after the kill\n",
			    ch ? "email" : "slack", n, nexp, e.n, repeated);
		en_msgs_done(&e);
	}
	/* alerts_sent: one document per matching engagement and channel */
	struct alert_log_entry *log = NULL;
	size_t nlog = 0;
	char *cause = NULL;
	ck_assert_int_eq(store_alerts_recent(w.s, w.campaign_id, 100000, &log, &nlog, &cause), 0);
	ck_assert_uint_eq(nlog, 2 * nexp);
	for (size_t i = 0; i < n; i++) {
		if (!en_expect(&v[i], watched))
			continue;
		int per[2] = {0, 0};
		for (size_t j = 0; j < nlog; j++)
			if (strcmp(log[j].user_id, v[i].user_id) == 0 &&
			    strcmp(log[j].tweet_id, v[i].tweet_id) == 0 &&
			    strcmp(log[j].action, action_name(v[i].action)) == 0)
				per[strcmp(log[j].channel, "email") == 0]++;
		ck_assert_int_eq(per[0], 1);
		ck_assert_int_eq(per[1], 1);
	}
	free(log);
	en_free(v, n);
	free(out);
	free(hook);
	free(via);
	free(yaml);
	mon_free(mon);
	al_smtpd_free(d);
	al_slack_free(r);
	ing_world_stop(&w);
}
END_TEST

/* Waits until every matching stored engagement is in alerts_sent (Slack
 * only) and the receiver stayed quiet for a while; returns their number. */
static size_t
en_settle_slack(struct ing_world *w, struct al_slack *r, const char *watched)
{
	int64_t end = al_mono_ns() + 90 * 1000000000LL;
	int stable = 0;
	size_t last = (size_t)-1, nexp = 0;
	while (al_mono_ns() < end && stable < 8) {
		size_t n;
		char *cause = NULL;
		struct alert_candidate *v = en_engagements(w->s, w->campaign_id, &n);
		nexp = en_nexp(v, n, watched);
		en_free(v, n);
		int64_t logged = store_count(w->s, "alerts_sent", w->campaign_id, &cause);
		size_t got = al_slack_count(r);
		stable = logged == (int64_t)nexp && got == last ? stable + 1 : 0;
		last = got;
		free(cause);
		usleep(500 * 1000);
	}
	ck_assert_msg(stable >= 8, "alerts did not settle: %zu expected", nexp);
	return nexp;
}

START_TEST(test_worker_beside_killed_runs)
{
	struct ing_world w;
	struct sim_opts so;
	sim_opts_init(&so);
	so.seed = 23;
	so.rate = 1;                    /* a few matches per digest: every item is listed */
	ing_world_start(&w, &so, "25"); /* its campaign has no alert channel */
	struct mon *mon = mon_start(w.db->uri);
	struct store *ws = NULL;
	char *cause = NULL;
	ck_assert_int_eq(store_open(mon_uri(mon), "launchwatch", &ws, &cause), 0);
	struct al_slack *r = al_slack_start(NULL, 0, 0);
	char *url = xasprintf("http://127.0.0.1:%d/services/T/B/beside", al_slack_port(r));
	setenv("LW_E_HOOK", url, 1);
	/* the first backfill; the worker starts after it (from the lookback) */
	ck_assert_int_eq(ing_run_once(&w, 60000), 0);
	size_t n0;
	struct alert_candidate *v0 = en_engagements(w.s, w.campaign_id, &n0);
	char watched[64] = "";
	for (size_t i = 0; i < n0 && watched[0] == '\0'; i++)
		if (!en_expect(&v0[i], "") && v0[i].handle[0] != '\0')
			snprintf(watched, sizeof watched, "%s", v0[i].handle);
	ck_assert(watched[0] != '\0');
	en_free(v0, n0);
	/* this process's worker alerts for the campaign (settings pinned here;
	 * the stored campaign has no channel, so the runs' own workers send
	 * nothing) */
	char *yaml = xasprintf("campaigns:\n  - name: Ingest test\n"
	                       "    window: {start: 2020-01-01T00:00:00Z, duration: 20000d}\n"
	                       "    tweets: {main: [%s, %s, %s]}\n"
	                       "    alerts: {min_importance: %d, buckets: [investor, founder],\n"
	                       "             watch: [\"@%s\"], slack_webhook: env:LW_E_HOOK}\n",
	    sim_tweet_id(w.sim, 0), sim_tweet_id(w.sim, 1), sim_tweet_id(w.sim, 2),
	    EN_MIN_IMPORTANCE, watched);
	struct cfg_file *f = NULL;
	ck_assert_msg(config_load_string("beside.yaml", yaml, strlen(yaml), &f, &cause) == 0, "%s",
	    cause ? cause : "");
	struct alertworker_opts o;
	alertworker_opts_init(&o); /* the default 5 s poll */
	o.store = ws;
	o.group_wait_ms = 500;
	o.group_interval_ms = 0;
	struct alertworker *aw = alertworker_new(&o);
	alertworker_set_campaign(aw, w.campaign_id, &f->campaigns[0]);
	ck_assert_int_eq(alertworker_start(aw, &cause), 0);

	/* `run --once` processes write the launch, some SIGKILLed at random
	 * moments (an interrupted write is recovered by the next run and
	 * logged as a `recovered` entry); the launch grows meanwhile */
	srand(4242u);
	int kills = 0;
	for (int i = 0; i < 8; i++) {
		ing_advance(&w, 45);
		int st = ing_run_once(&w, 40 + rand() % 400);
		kills += st == -1;
	}
	ck_assert_int_eq(ing_run_once(&w, 60000), 0);
	size_t nexp = en_settle_slack(&w, r, watched);
	ck_assert_uint_gt(nexp, 2);

	/* an idle minute of the worker, from a third of one: only `_id` reads
	 * of seq+1 (one per poll) and the campaign list once a minute */
	size_t mark = mon_mark(mon);
	sleep(20);
	struct mon_counts ch, en, all;
	mon_count(mon, mark, "changes", &ch);
	mon_count(mon, mark, "engagements", &en);
	mon_count(mon, mark, NULL, &all);
	ck_assert_uint_eq(ch.reads, ch.id_reads);
	ck_assert_uint_le(ch.reads, 5);
	ck_assert_uint_eq(en.commands, 0);
	if (getenv("AL_E2E_VERBOSE")) {
		int64_t head = en_head(w.s, w.campaign_id), recovered = 0;
		for (int64_t seq = 1; seq <= head; seq++) {
			struct change_entry ce;
			ck_assert_int_eq(stc_get(w.s, w.campaign_id, seq, &ce, &cause), 0);
			recovered += ce.kind == CHK_RECOVERED;
			change_entry_done(&ce);
		}
		fprintf(stderr,
		    "worker beside runs: %d of 9 runs killed, %lld of %lld entries recovered; "
		    "idle 20 s: %zu commands, %zu reads of the log\n",
		    kills, (long long)recovered, (long long)head, all.commands, ch.reads);
	}
	alertworker_free(aw);
	/* everything evaluated; nothing read `engagements` but by `_id` */
	static const char *const slack[] = {"slack"};
	ck_assert_int_eq(
	    en_check_position(w.s, w.campaign_id, watched, slack, 1), en_head(w.s, w.campaign_id));
	struct mon_counts total;
	mon_count(mon, 0, "engagements", &total);
	ck_assert_msg(total.scans == 0, "the worker scanned engagements: %s", total.first_scan);
	ck_assert_uint_gt(total.id_reads, 0);

	/* each matching engagement listed exactly once, nothing else */
	size_t n;
	struct alert_candidate *v = en_engagements(w.s, w.campaign_id, &n);
	struct en_msgs e;
	memset(&e, 0, sizeof e);
	for (struct al_msg m; al_slack_msg(r, e.n, &m);) {
		e.m = xreallocarray(e.m, e.n + 1, sizeof *e.m);
		e.m[e.n++] = m;
		e.alerts += m.n;
	}
	size_t listed = 0;
	for (size_t i = 0; i < e.n; i++) {
		ck_assert_uint_eq(e.m[i].nitems, (size_t)e.m[i].n); /* all listed */
		listed += e.m[i].nitems;
	}
	for (size_t i = 0; i < n; i++) {
		char *key = en_key(&v[i]);
		int k = en_listed(&e, key, 0, e.n);
		ck_assert_msg(
		    k == (en_expect(&v[i], watched) ? 1 : 0), "%s listed %d times", key, k);
		free(key);
	}
	ck_assert_uint_eq(listed, nexp);
	en_msgs_done(&e);
	en_free(v, n);
	config_free(f);
	free(yaml);
	free(url);
	unsetenv("LW_E_HOOK");
	store_free(ws);
	mon_free(mon);
	al_slack_free(r);
	ing_world_stop(&w);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("alert_engine");
	TCase *tc = tcase_create("engine");
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, test_engine_run_sigkill_restart);
	tcase_add_test(tc, test_worker_beside_killed_runs);
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
