/*
 * test_sentiment_e2e: the sentiment service end to end (docs/alerts.md
 * section 9). The real `launchwatch run` with LAUNCHWATCH_SENTIMENT=1 runs
 * the real scorer (bin/launchwatch-sentiment, VADER in the venv of
 * scripts/install-deps.sh) on the simulator's replies and quotes, on the
 * backend the environment chooses (devdb or mongo-java): every reply and
 * quote is looked at, the strongly negative ones alert on the loopback
 * Slack receiver (alerts.negative_sentiment) once each and nothing else
 * alerts; the scorer SIGKILLed mid-run is restarted (worker_log says so)
 * and scoring resumes on the launch's new replies; the engine SIGKILLed
 * while it scores and restarted leaves per-tweet, per-bucket and total
 * sums in `<cid>:sentiment` equal to the stored scores (no score counted
 * twice or lost). A machine without the scorer's venv fails here, loudly.
 */
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mongoc/mongoc.h>

#include "al_support.h"
#include "alw_support.h"
#include "config/config.h"
#include "engine/alertworker.h"
#include "seed_support.h"
#include "base/util.h"
#include "ing_support.h"
#include "model/alert.h"
#include "model/sentiment.h"
#include "sim/sim.h"
#include "store/store.h"
#include "store/store_changes.h"
#include "store/store_events.h"
#include "store/store_sentiment.h"
#include "testutil.h"

#define NEGATIVE -0.5

/* Returns the scorer beside LAUNCHWATCH_BIN (caller frees). */
static char *
scorer_path(void)
{
	const char *bin = getenv("LAUNCHWATCH_BIN");
	char *dir = xstrdup(bin ? bin : "bin/launchwatch");
	char *slash = strrchr(dir, '/');
	char *p = slash ? (*slash = '\0', xasprintf("%s/launchwatch-sentiment", dir))
	                : xstrdup("launchwatch-sentiment");
	free(dir);
	return p;
}

/* Asserts the scorer runs here: its --check scores a sentence negative. */
static void
require_scorer(void)
{
	char *p = scorer_path();
	char *cmd = xasprintf("'%s' --check >/dev/null", p);
	int st = system(cmd);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "the sentiment scorer %s does not run (exit %d): run scripts/install-deps.sh, then "
	    "make",
	    p, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	free(cmd);
	free(p);
}

/* What the stored engagements say: sums recomputed from their scores. */
struct truth {
	struct sent_state st;
	size_t replies;  /* replies and quotes stored */
	size_t looked;   /* ... with sentiment_at */
	size_t negative; /* ... scored at or below NEGATIVE */
	char **neg_keys; /* "HANDLE|TWEET|ACTION" of those */
};

/* Adds one stored engagement to the truth. */
static int
truth_one(const struct lw_engagement *e, void *arg)
{
	struct truth *t = arg;
	if (e->action == ACT_RETWEET)
		return 0;
	t->replies++;
	if (e->sentiment_at_ms <= 0)
		return 0;
	t->looked++;
	sent_state_add(&t->st, e->tweet_id, e->bucket, e->has_sentiment, e->sentiment);
	if (e->has_sentiment && e->sentiment <= NEGATIVE) {
		t->neg_keys = xreallocarray(t->neg_keys, t->negative + 1, sizeof *t->neg_keys);
		t->neg_keys[t->negative++] =
		    xasprintf("%s|%s|%s", e->user.handle, e->tweet_id, action_name(e->action));
	}
	return 0;
}

/* Reads the truth of campaign camp straight from `engagements`. */
static void
truth_read(struct store *s, const char *camp, struct truth *t)
{
	char *cause = NULL;
	memset(t, 0, sizeof *t);
	ck_assert_msg(
	    ste_scan_engagements(s, camp, 0, truth_one, t, &cause) == 0, "%s", cause ? cause : "");
}

/* Frees a truth. */
static void
truth_done(struct truth *t)
{
	for (size_t i = 0; i < t->negative; i++)
		free(t->neg_keys[i]);
	free(t->neg_keys);
	sent_state_done(&t->st);
}

/* Asserts sums a and b are equal. */
static void
sums_eq(const struct sent_sums *a, const struct sent_sums *b, const char *what)
{
	ck_assert_msg(a->count == b->count && a->positive == b->positive &&
	                  a->neutral == b->neutral && a->negative == b->negative &&
	                  a->not_scored == b->not_scored && fabs(a->sum - b->sum) < 1e-9,
	    "%s: stored n=%lld sum=%.6f +%lld =%lld -%lld ns=%lld, engagements n=%lld sum=%.6f "
	    "+%lld =%lld -%lld ns=%lld",
	    what, (long long)a->count, a->sum, (long long)a->positive, (long long)a->neutral,
	    (long long)a->negative, (long long)a->not_scored, (long long)b->count, b->sum,
	    (long long)b->positive, (long long)b->neutral, (long long)b->negative,
	    (long long)b->not_scored);
}

/* Asserts the campaign's sentiment document equals the stored scores per
 * tweet, per bucket and in all; returns the replies and quotes looked at. */
static size_t
check_sums(struct store *s, const char *camp)
{
	struct truth t;
	struct sent_state st;
	char *cause = NULL;
	truth_read(s, camp, &t);
	ck_assert_msg(sts_get(s, camp, &st, &cause) == 0, "no sentiment document: %s",
	    cause ? cause : "absent");
	sums_eq(&st.total, &t.st.total, "total");
	for (int b = 0; b < BK__COUNT; b++)
		sums_eq(&st.bucket[b], &t.st.bucket[b], bucket_name((enum lw_bucket)b));
	ck_assert_uint_eq(st.ntweets, t.st.ntweets);
	for (size_t i = 0; i < t.st.ntweets; i++) {
		const struct sent_sums *x = sent_state_tweet(&st, t.st.tweets[i].tweet_id);
		ck_assert_msg(x != NULL, "tweet %s has no sums", t.st.tweets[i].tweet_id);
		sums_eq(x, &t.st.tweets[i].s, t.st.tweets[i].tweet_id);
	}
	ck_assert_str_eq(st.scorer, "vader");
	ck_assert_str_eq(st.version, "3.3.2");
	size_t looked = t.looked;
	sent_state_done(&st);
	truth_done(&t);
	return looked;
}

/* Waits until more than after replies and quotes are stored, every one was
 * looked at and the sentiment document covers the change log's head;
 * returns how many were looked at. */
static size_t
wait_scored(struct ing_world *w, size_t after, int timeout_s)
{
	int64_t end = al_mono_ns() + (int64_t)timeout_s * 1000000000LL;
	size_t looked = 0, replies = 0;
	int64_t seq = -1, head = -2;
	while (al_mono_ns() < end) {
		struct truth t;
		struct sent_state st;
		char *cause = NULL;
		truth_read(w->s, w->campaign_id, &t);
		looked = t.looked;
		replies = t.replies;
		truth_done(&t);
		ck_assert_int_eq(stc_head(w->s, w->campaign_id, 0, &head, &cause), 0);
		seq = sts_get(w->s, w->campaign_id, &st, &cause) == 0 ? st.seq : -1;
		sent_state_done(&st);
		free(cause);
		if (replies > after && looked == replies && seq == head)
			return looked;
		usleep(200 * 1000);
	}
	ck_abort_msg("scoring did not catch up: %zu of %zu replies and quotes looked at, "
	             "position %lld of %lld",
	    looked, replies, (long long)seq, (long long)head);
	return 0;
}

/* Returns the pid of the scorer child of pid (0 when none). */
static pid_t
scorer_child(pid_t pid)
{
	char dir[64], path[384];
	snprintf(dir, sizeof dir, "/proc/%d/task", (int)pid);
	DIR *d = opendir(dir);
	pid_t found = 0;
	struct dirent *de;
	while (d != NULL && found == 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s/children", dir, de->d_name);
		FILE *f = fopen(path, "r");
		int c = 0;
		while (f != NULL && found == 0 && fscanf(f, "%d", &c) == 1) {
			char cmd[256] = "";
			snprintf(path, sizeof path, "/proc/%d/cmdline", c);
			FILE *g = fopen(path, "r");
			size_t k = g ? fread(cmd, 1, sizeof cmd - 1, g) : 0;
			if (g)
				fclose(g);
			for (size_t i = 0; i < k; i++)
				if (cmd[i] == '\0')
					cmd[i] = ' ';
			if (strstr(cmd, "launchwatch-sentiment") != NULL)
				found = c;
		}
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
	return found;
}

/* Returns how many worker_log lines hold text. */
static int
log_lines(struct ing_world *w, const char *text)
{
	mongoc_client_t *cl = mongoc_client_new(w->db->uri);
	mongoc_collection_t *coll = mongoc_client_get_collection(cl, "launchwatch", "worker_log");
	bson_t filter = BSON_INITIALIZER;
	mongoc_cursor_t *cur = mongoc_collection_find_with_opts(coll, &filter, NULL, NULL);
	const bson_t *doc;
	int n = 0;
	while (mongoc_cursor_next(cur, &doc)) {
		char *j = bson_as_relaxed_extended_json(doc, NULL);
		n += strstr(j, text) != NULL;
		bson_free(j);
	}
	mongoc_cursor_destroy(cur);
	mongoc_collection_destroy(coll);
	mongoc_client_destroy(cl);
	return n;
}

/* Waits until Slack listed each negative reply or quote; then asserts each
 * is listed exactly once and nothing else is. */
static void
check_alerts(struct ing_world *w, struct al_slack *r)
{
	struct truth t;
	int64_t end = al_mono_ns() + 60 * 1000000000LL;
	int stable = 0;
	memset(&t, 0, sizeof t);
	/* the engine may still store (and score) a reply or two of the last
	 * growth: wait until the stored negatives and the listed alerts agree
	 * for 2 s (a repeat would come within the group wait, 0.5 s) */
	while (al_mono_ns() < end && stable < 8) {
		truth_done(&t);
		truth_read(w->s, w->campaign_id, &t);
		size_t listed = 0;
		struct al_msg m;
		for (size_t i = 0; al_slack_msg(r, i, &m); i++) {
			listed += m.nitems;
			al_msg_done(&m);
		}
		stable = listed == t.negative ? stable + 1 : 0;
		usleep(250 * 1000);
	}
	ck_assert_msg(t.negative > 0, "the simulator stored no strongly negative reply");
	size_t total = 0;
	struct al_msg m;
	for (size_t i = 0; al_slack_msg(r, i, &m); i++) {
		for (size_t j = 0; j < m.nitems; j++) {
			bool neg = false;
			for (size_t k = 0; k < t.negative && !neg; k++)
				neg = strcmp(m.items[j], t.neg_keys[k]) == 0;
			ck_assert_msg(neg, "alerted but not negative: %s", m.items[j]);
		}
		total += m.nitems;
		al_msg_done(&m);
	}
	ck_assert_uint_eq(total, t.negative);
	for (size_t k = 0; k < t.negative; k++) {
		int seen = 0;
		for (size_t i = 0; al_slack_msg(r, i, &m); i++) {
			for (size_t j = 0; j < m.nitems; j++)
				seen += strcmp(m.items[j], t.neg_keys[k]) == 0;
			al_msg_done(&m);
		}
		ck_assert_msg(seen == 1, "%s listed %d times", t.neg_keys[k], seen);
	}
	/* the message names the score */
	char *body = al_slack_body(r, 0, NULL);
	ck_assert_ptr_nonnull(strstr(body, "sentiment -0."));
	free(body);
	truth_done(&t);
}

START_TEST(test_negative_reply_alerts_end_to_end)
{
	require_scorer();
	struct ing_world w;
	struct sim_opts so;
	sim_opts_init(&so);
	so.seed = 23;
	so.rate = 2;
	ing_world_start(&w, &so, "25");
	/* the first backfill, by another process, before any scorer ran */
	ck_assert_int_eq(ing_run_once(&w, 60000), 0);

	struct al_slack *r = al_slack_start(NULL, 0, 0);
	struct sbuf b;
	sbuf_init(&b);
	/* no rule but the sentiment key can alert: importance 100 on retweets */
	sbuf_printf(&b,
	    "campaigns:\n  - name: Ingest test\n"
	    "    window: {start: 2020-01-01T00:00:00Z, duration: 20000d}\n"
	    "    tweets: {main: [%s, %s, %s]}\n"
	    "    cadence: {metrics: 1s, retweets: 1s, replies: 1s, quotes: 1s}\n"
	    "    alerts:\n"
	    "      min_importance: 100\n"
	    "      actions: [retweet]\n"
	    "      negative_sentiment: %g\n"
	    "      slack_webhook: env:LW_S_HOOK\n"
	    "      quiet_window: 30m\n",
	    sim_tweet_id(w.sim, 0), sim_tweet_id(w.sim, 1), sim_tweet_id(w.sim, 2), NEGATIVE);
	char *yaml = tu_write_file(w.dir, "sentiment.yaml", b.s);
	sbuf_done(&b);
	const char *add[] = {"campaign", "add", yaml, NULL};
	struct tu_run tr;
	tu_run(&tr, w.env, 30000, add);
	ck_assert_msg(tr.status == 0, "campaign add: %s", tr.err);
	tu_run_done(&tr);

	char *hook = xasprintf("LW_S_HOOK=http://127.0.0.1:%d/services/T/B/sx", al_slack_port(r));
	const char *env[] = {w.env[0], w.env[1], w.env[2], w.env[3], w.env[4], hook,
	    "LAUNCHWATCH_SENTIMENT=1", "LAUNCHWATCH_ALERT_GROUP_WAIT_MS=500",
	    "LAUNCHWATCH_ALERT_GROUP_INTERVAL_MS=1000", "LAUNCHWATCH_ALERT_POLL_MS=500", NULL};
	const char *args[] = {"run", "--workers", "3", NULL};
	char *out = xasprintf("%s/run.out", w.dir);

	/* 1: the run scores what the backfill stored and alerts on the
	 * negative ones; the alerts carry the scores */
	pid_t pid = al_spawn(env, args, out);
	size_t n1 = wait_scored(&w, 0, 60);
	ck_assert_uint_gt(n1, 5);
	check_sums(w.s, w.campaign_id);
	const char *status[] = {"status", NULL};
	tu_run(&tr, w.env, 30000, status);
	ck_assert_msg(strstr(tr.out, "    sentiment: vader 3.3.2 scoring\n") != NULL, "%s", tr.out);
	tu_run_done(&tr);
	struct sent_state st;
	char *cause = NULL;
	ck_assert_int_eq(sts_get(w.s, w.campaign_id, &st, &cause), 0);
	ck_assert_str_eq(st.state, "sentiment: vader 3.3.2 scoring"); /* the jobs screen's line */
	sent_state_done(&st);

	/* 2: the scorer is SIGKILLed; the supervisor says so, restarts it, and
	 * the launch's new replies are scored */
	pid_t sc = scorer_child(pid);
	ck_assert_msg(sc > 0, "no scorer process under launchwatch run");
	kill(sc, SIGKILL);
	ing_advance(&w, 240);
	int64_t end = al_mono_ns() + 30 * 1000000000LL;
	while (al_mono_ns() < end && log_lines(&w, "scorer down, restarting") == 0)
		usleep(100 * 1000);
	ck_assert_int_gt(log_lines(&w, "scorer down, restarting"), 0);
	size_t n2 = wait_scored(&w, n1, 60);
	ck_assert_uint_gt(n2, n1);
	pid_t sc2 = scorer_child(pid);
	ck_assert_msg(sc2 > 0 && sc2 != sc, "the scorer was not restarted");
	check_sums(w.s, w.campaign_id);
	check_alerts(&w, r);

	/* 3: the engine is SIGKILLed while the launch grows (it may be in the
	 * middle of an entry's scores), then restarted: nothing counted twice */
	for (int i = 0; i < 3; i++) {
		ing_advance(&w, 180);
		usleep((useconds_t)(300 + 400 * i) * 1000);
		kill(pid, SIGKILL);
		al_reap(pid, 0, 10000);
		pid = al_spawn(env, args, out);
	}
	size_t n3 = wait_scored(&w, n2, 90);
	ck_assert_uint_gt(n3, n2);
	check_sums(w.s, w.campaign_id);
	check_alerts(&w, r);
	al_reap(pid, SIGTERM, 20000);
	/* a clean stop gives the lease back */
	ck_assert_int_eq(sts_get(w.s, w.campaign_id, &st, &cause), 0);
	ck_assert_str_eq(st.owner, "");
	ck_assert_str_eq(st.state, "sentiment: stopped with its engine");
	/* the simulator's Russian, Japanese and French replies (lang from the
	 * provider, stored with the engagement) are not scored */
	ck_assert_int_gt(st.total.not_scored, 0);
	ck_assert_int_gt(st.total.negative, 0);
	ck_assert_int_gt(st.total.positive, 0);
	/* the report carries the same sums */
	const char *rep[] = {"report", w.campaign_id, "--format", "md", "--out", w.dir, NULL};
	tu_run(&tr, w.env, 60000, rep);
	ck_assert_msg(tr.status == 0, "report: %s", tr.err);
	tu_run_done(&tr);
	char *mdp = xasprintf("%s/%s.md", w.dir, w.campaign_id), *md = NULL;
	size_t mdlen = 0;
	ck_assert_int_eq(file_read_all(mdp, &md, &mdlen, NULL), 0);
	ck_assert_ptr_nonnull(strstr(md, "scored by vader 3.3.2"));
	char cells[96];
	double mean = st.total.sum / (double)st.total.count;
	snprintf(cells, sizeof cells, "| **total** | %lld | %+.2f | %lld | %lld | %lld | %lld |",
	    (long long)st.total.count, mean, (long long)st.total.positive,
	    (long long)st.total.neutral, (long long)st.total.negative,
	    (long long)st.total.not_scored);
	ck_assert_msg(strstr(md, cells) != NULL, "%s not in the report", cells);
	free(md);
	free(mdp);
	sent_state_done(&st);

	free(out);
	free(hook);
	free(yaml);
	al_slack_free(r);
	ing_world_stop(&w);
}
END_TEST

START_TEST(test_scorer_down_in_status)
{
	/* a scorer that cannot start: the engine runs on, and `launchwatch
	 * status` says so (degraded, exit 1) */
	struct ing_world w;
	struct sim_opts so;
	sim_opts_init(&so);
	so.seed = 5;
	ing_world_start(&w, &so, "25");
	const char *env[] = {w.env[0], w.env[1], w.env[2], w.env[3], w.env[4],
	    "LAUNCHWATCH_SENTIMENT=1", "LAUNCHWATCH_SENTIMENT_CMD=/bin/false", NULL};
	const char *args[] = {"run", NULL};
	char *out = xasprintf("%s/run.out", w.dir);
	pid_t pid = al_spawn(env, args, out);
	const char *status[] = {"status", NULL};
	struct tu_run tr = {0};
	int64_t end = al_mono_ns() + 30 * 1000000000LL;
	bool seen = false;
	while (!seen && al_mono_ns() < end) {
		tu_run(&tr, w.env, 30000, status);
		seen = strstr(tr.out, "sentiment: scorer down, restarting (the scorer exited)") !=
		       NULL;
		if (!seen) {
			tu_run_done(&tr);
			usleep(200 * 1000);
		}
	}
	ck_assert_msg(seen, "status never showed the scorer down");
	ck_assert_int_eq(tr.status, 1);
	ck_assert_ptr_nonnull(
	    strstr(tr.out, "launchwatch: degraded (exit 1): sentiment: scorer down"));
	tu_run_done(&tr);
	ck_assert_int_gt(log_lines(&w, "scorer down, restarting"), 0);
	int st = al_reap(pid, SIGTERM, 20000);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	free(out);
	ing_world_stop(&w);
}
END_TEST

/* ---- the alert worker's hold for a score, on an injected clock ---- */

#define T0 1767225600000LL /* 2026-01-01T00:00:00Z */

static int64_t fake_now;
static bool fake_scoring = true;

/* The injected clock. */
static int64_t
fake_clock(void)
{
	return fake_now;
}

/* The scoring callback: whether a supervisor runs. */
static bool
scoring(void *arg, const char *campaign_id)
{
	(void)arg;
	(void)campaign_id;
	return fake_scoring;
}

/* Fills a reply (caller calls lw_engagement_done). */
static void
reply(struct lw_engagement *e, const char *camp, const char *uid, const char *text)
{
	memset(e, 0, sizeof *e);
	snprintf(e->campaign_id, sizeof e->campaign_id, "%s", camp);
	snprintf(e->tweet_id, sizeof e->tweet_id, "1861111111111111111");
	snprintf(e->user.id, sizeof e->user.id, "%s", uid);
	e->user.handle = xasprintf("user%s", uid);
	e->user.name = xstrdup("A user");
	e->user.bio = xstrdup("");
	e->category = CAT_MAIN;
	e->action = ACT_REPLY;
	e->bucket = BK_OTHER;
	e->importance = 5;
	e->evidence = xstrdup("");
	e->text = xstrdup(text);
	e->first_seen_at_ms = fake_now;
}

/* Stores a score on engagement e as the supervisor does. */
static void
score(struct store *s, const struct lw_engagement *e, double v)
{
	char *cause = NULL;
	struct sts_score sc = {true, v, "vader", "3.3.2", 1, fake_now};
	ck_assert_msg(
	    sts_score_put(s, e->campaign_id, e->tweet_id, e->user.id, e->action, &sc, &cause) == 0,
	    "%s", cause ? cause : "");
}

START_TEST(test_alert_hold_is_bounded)
{
	struct alw_fix x;
	alw_fix_start(&x, "hold", NULL, 0, 0, "/services/T/B/hold");
	char *cause = NULL;
	struct cfg_file *f = alw_load_yaml(
	    "campaigns:\n"
	    "  - name: Held launch\n"
	    "    window: {start: 2025-12-01T00:00:00Z, duration: 60d}\n"
	    "    tweets: {main: [1861111111111111111]}\n"
	    "    alerts: {min_importance: 100, actions: [retweet], negative_sentiment: -0.5,\n"
	    "             slack_webhook: env:LW_E_HOOK, quiet_window: 30m}\n");
	struct store_upsert_result up;
	ck_assert_int_eq(store_campaign_upsert(x.direct, &f->campaigns[0], T0, &up, &cause), 0);
	fake_now = T0 + 60000;
	clock_set(fake_clock);
	fake_scoring = true;
	struct alertworker_opts o;
	alertworker_opts_init(&o);
	o.store = x.s;
	o.group_wait_ms = 0;
	o.group_interval_ms = 0;
	o.poll_interval_ms = 1000;
	o.scoring = scoring;
	ck_assert_int_eq(o.sentiment_hold_ms, 30000);
	struct alertworker *w = alertworker_new(&o);
	alertworker_set_campaign(w, up.id, &f->campaigns[0]);
	alertworker_run_once(w);
	struct lw_engagement e[3];
	reply(&e[0], up.id, "81", "This is a scam. Terrible, dishonest team, avoid!");
	reply(&e[1], up.id, "82", "Worst launch ever, total garbage and broken. Disgusting.");
	reply(&e[2], up.id, "83", "You lied to everyone. Pathetic rug pull, shame on you");

	/* 1: a reply not scored yet is held while the supervisor runs; its
	 * score comes 10 s later and it alerts */
	ck_assert_int_eq(alw_log_engagements(x.direct, up.id, &e[0], 1, CHK_ENGAGEMENTS), 1);
	for (int i = 0; i < 10; i++) {
		fake_now += 1000;
		alertworker_run_once(w);
	}
	ck_assert_uint_eq(al_slack_count(x.r), 0);
	ck_assert_int_eq(alw_position(x.s, up.id), 0);
	struct alertworker_status st;
	alertworker_status(w, &st);
	ck_assert_uint_ge(st.held, 10);
	ck_assert_uint_eq(st.evaluated, 0);
	alertworker_status_done(&st);
	score(x.direct, &e[0], -0.92);
	fake_now += 1000;
	alertworker_run_once(w);
	ck_assert_uint_eq(al_slack_count(x.r), 1);
	char *body = al_slack_body(x.r, 0, NULL);
	ck_assert_ptr_nonnull(strstr(body, "@user81"));
	ck_assert_ptr_nonnull(strstr(body, "sentiment -0.92"));
	free(body);
	fake_now += 1000;
	alertworker_run_once(w);
	ck_assert_int_eq(alw_position(x.s, up.id), 1);

	/* 2: a reply whose score never comes is held 30 s after its entry was
	 * written, never longer: then it is evaluated without a score (no
	 * alert) and the position passes it */
	int64_t logged = fake_now;
	ck_assert_int_eq(alw_log_engagements(x.direct, up.id, &e[1], 1, CHK_ENGAGEMENTS), 2);
	while (fake_now < logged + 29000) {
		fake_now += 1000;
		alertworker_run_once(w);
		ck_assert_int_eq(alw_position(x.s, up.id), 1);
	}
	fake_now = logged + 30000;
	alertworker_run_once(w);
	fake_now += 1000;
	alertworker_run_once(w);
	ck_assert_int_eq(alw_position(x.s, up.id), 2);
	ck_assert_uint_eq(al_slack_count(x.r), 1);
	score(x.direct, &e[1], -0.9); /* too late: a score does not recall or send an alert */

	/* 3: no supervisor running: nothing is held */
	fake_scoring = false;
	ck_assert_int_eq(alw_log_engagements(x.direct, up.id, &e[2], 1, CHK_ENGAGEMENTS), 3);
	fake_now += 1000;
	alertworker_run_once(w);
	fake_now += 1000;
	alertworker_run_once(w);
	ck_assert_int_eq(alw_position(x.s, up.id), 3);
	ck_assert_uint_eq(al_slack_count(x.r), 1);
	alw_assert_no_scan(x.mon, 0);

	for (int i = 0; i < 3; i++)
		lw_engagement_done(&e[i]);
	alertworker_free(w);
	config_free(f);
	alw_fix_done(&x);
}
END_TEST

START_TEST(test_scorer_protocol)
{
	/* the scorer itself, over its pipes: hello, scores, not scored, errors */
	require_scorer();
	char *p = scorer_path();
	char dir[] = "/tmp/lwsentXXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char *in = xasprintf("%s/in", dir), *outp = xasprintf("%s/out", dir);
	FILE *f = fopen(in, "w");
	fputs("{\"id\": 1, \"text\": \"This is a scam. Terrible, dishonest team, avoid!\", "
	      "\"lang\": \"en\"}\n"
	      "{\"id\": \"b\", \"text\": \"Love this, brilliant and exciting. Great job!\"}\n"
	      "{\"id\": 3, \"text\": \"Бомба! 🔥\", \"lang\": \"\"}\n"
	      "{\"id\": 4, \"text\": \"terrible\", \"lang\": \"fr\"}\n"
	      "{\"id\": 5, \"text\": \"素晴らしいローンチ\"}\n"
	      "not json\n",
	    f);
	fclose(f);
	char *cmd = xasprintf("'%s' <'%s' >'%s'", p, in, outp);
	ck_assert_int_eq(system(cmd), 0);
	char *text = NULL;
	size_t len = 0;
	ck_assert_int_eq(file_read_all(outp, &text, &len, NULL), 0);
	const char *want[] = {"{\"hello\": \"launchwatch-sentiment\", \"scorer\": \"vader\", "
	                      "\"version\": \"3.3.2\"}",
	    "{\"id\": 1, \"score\": -0.9184, \"scorer\": \"vader\", \"version\": \"3.3.2\"}",
	    "{\"id\": \"b\", \"score\": 0.9485, \"scorer\": \"vader\", \"version\": \"3.3.2\"}",
	    "{\"id\": 3, \"not_scored\": \"language\"}",
	    "{\"id\": 4, \"not_scored\": \"language\"}",
	    "{\"id\": 5, \"not_scored\": \"language\"}", "{\"error\": \"not JSON\"}"};
	char *save = NULL, *line = strtok_r(text, "\n", &save);
	for (size_t i = 0; i < LW_ARRAY_LEN(want); i++) {
		ck_assert_msg(line != NULL, "line %zu missing", i + 1);
		ck_assert_str_eq(line, want[i]);
		line = strtok_r(NULL, "\n", &save);
	}
	ck_assert_ptr_null(line);
	free(text);
	free(cmd);
	unlink(in);
	unlink(outp);
	rmdir(dir);
	free(in);
	free(outp);
	free(p);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sentiment_e2e");
	TCase *th = tcase_create("hold");
	tcase_set_timeout(th, 60);
	tcase_add_test(th, test_alert_hold_is_bounded);
	suite_add_tcase(s, th);
	TCase *tp = tcase_create("protocol");
	tcase_set_timeout(tp, 30);
	tcase_add_test(tp, test_scorer_protocol);
	suite_add_tcase(s, tp);
	TCase *tc = tcase_create("engine");
	tcase_set_timeout(tc, 400);
	tcase_add_test(tc, test_negative_reply_alerts_end_to_end);
	tcase_add_test(tc, test_scorer_down_in_status);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
