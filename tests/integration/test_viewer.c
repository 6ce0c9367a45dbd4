/*
 * A viewer console beside `launchwatch run`, split from test_tui.c: the
 * real launchwatch binary runs in tmux (tests/support/tui_support.c) without
 * an engine, beside a run following the simulator, behind a proxy that
 * records the database commands it sends (tests/support/mon_support.c): new
 * engagements reach its feed through the change log within a poll, every
 * read of prepared data is an `_id` lookup, no raw engagement is read, and
 * at idle it reads its log about once a second. LW_TUI_VERBOSE=1 prints
 * what it measured.
 */
#include <check.h>
#include <unistd.h>
#include <signal.h>
#include <jansson.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "base/timestr.h"
#include "base/util.h"
#include "model/prep.h"
#include "config/config.h"
#include "engine/prep_io.h"
#include "sim/sim.h"
#include "store/store.h"
#include "store/store_changes.h"
#include "testutil.h"
#include "tui_support.h"
#include "mon_support.h"

/* ---- a viewer console beside `launchwatch run` ---- */

/* Starts `launchwatch run --for secs` on the test's database against the
 * simulator on sim_port (its output in tui_workdir/run.log); returns its pid. */
static pid_t
start_run(int sim_port, int secs)
{
	const char *bin = getenv("LAUNCHWATCH_BIN");
	char *log = xasprintf("%s/run.log", tui_workdir),
	     *url = xasprintf("http://127.0.0.1:%d", sim_port);
	char *for_s = xasprintf("%d", secs);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		setenv("MONGODB_URI", tui_db->uri, 1);
		setenv("LAUNCHWATCH_DB", "tuitest", 1);
		setenv("TWITTERAPI_KEY", "viewer-test-key", 1);
		setenv("TWITTERAPI_BASE_URL", url, 1);
		setenv("XDG_DATA_HOME", tui_workdir, 1);
		execl(bin, bin, "run", "--for", for_s, (char *)NULL);
		_exit(127);
	}
	free(log);
	free(url);
	free(for_s);
	return pid;
}

/* Returns the last 3000 bytes of the run's output (for a failure's
 * message; caller frees). */
static char *
run_log_tail(void)
{
	char *log = xasprintf("%s/run.log", tui_workdir), *text = NULL, *cause = NULL;
	size_t len = 0;
	if (file_read_all(log, &text, &len, &cause) != 0) {
		free(log);
		return cause;
	}
	free(log);
	char *tail = xstrdup(len > 3000 ? text + len - 3000 : text);
	free(text);
	return tail;
}

/* Returns the engagements entry seq of campaign id lists as strings
 * "user_id tweet_id action" (NULL when it lists none) and sets *present to
 * whether the entry exists (a metrics entry lists slices only); caller
 * frees each and the array. */
static char **
entry_keys(struct store *st, const char *id, int64_t seq, size_t *n, bool *present)
{
	struct change_entry e;
	char *cause = NULL;
	*n = 0;
	int rc = stc_get(st, id, seq, &e, &cause);
	ck_assert_msg(rc >= 0, "%s", cause);
	*present = rc == 0;
	if (rc == 1)
		return NULL;
	struct prep_eng *ev;
	struct prep_slice *sv;
	size_t ne, ns;
	ck_assert_msg(
	    prep_items_decode(e.items, e.len, &ev, &ne, &sv, &ns, &cause) == 0, "%s", cause);
	char **k = ne ? xcalloc(ne, sizeof *k) : NULL;
	for (size_t i = 0; i < ne; i++) {
		k[(*n)++] = xasprintf("%s %s %s", ev[i].user_id, ev[i].tweet_id,
		    action_name((enum lw_action)ev[i].action));
		prep_eng_done(&ev[i]);
	}
	free(ev);
	free(sv);
	change_entry_done(&e);
	return k;
}

/* Returns true when every key of k[0..n) is among the engagers of answer j. */
static bool
engagers_hold(json_t *j, char **k, size_t n)
{
	json_t *el = json_object_get(j, "engagers"), *e;
	size_t found = 0, i;
	for (size_t x = 0; x < n; x++) {
		bool hit = false;
		json_array_foreach(el, i, e)
		{
			char *key =
			    xasprintf("%s %s %s", json_string_value(json_object_get(e, "user_id")),
			        json_string_value(json_object_get(e, "tweet_id")),
			        json_string_value(json_object_get(e, "action")));
			hit |= strcmp(key, k[x]) == 0;
			free(key);
		}
		found += hit;
	}
	return found == n;
}

/* What a console asked of the database since a mark. */
struct asked {
	size_t log_reads;     /* of changes, by _id */
	size_t summary_reads; /* of aggregates, by _id */
	size_t small_reads;   /* of campaigns, worker_state, alerts_sent, tweets */
};

/* Checks every command since mark: the prepared data and metric slices
 * are read by _id only, the raw engagements not at all, nothing is
 * written, and what else is read are the console's small reads; counts
 * them into *a. */
static void
check_reads(struct mon *m, size_t mark, struct asked *a)
{
	static const char *const by_id[] = {"changes", "aggregates", "metric_slices"};
	static const char *const small[] = {"campaigns", "worker_state", "alerts_sent", "tweets"};
	struct mon_counts c, all;
	memset(a, 0, sizeof *a);
	mon_count(m, mark, "engagements", &c);
	ck_assert_msg(c.commands == 0, "the viewer asked engagements %zu times: %s", c.commands,
	    c.first_scan);
	for (size_t k = 0; k < LW_ARRAY_LEN(by_id); k++) {
		mon_count(m, mark, by_id[k], &c);
		ck_assert_msg(c.scans == 0, "not an _id lookup: %s", c.first_scan);
		ck_assert_msg(c.commands == c.id_reads, "%zu commands on %s, %zu _id reads",
		    c.commands, by_id[k], c.id_reads);
		a->log_reads += k == 0 ? c.id_reads : 0;
		a->summary_reads += k == 1 ? c.id_reads : 0;
	}
	size_t small_scans = 0;
	for (size_t k = 0; k < LW_ARRAY_LEN(small); k++) {
		mon_count(m, mark, small[k], &c);
		small_scans += c.scans;
		a->small_reads += c.reads;
	}
	mon_count(m, mark, NULL, &all);
	ck_assert_msg(all.commands == all.reads, "the viewer wrote: %zu commands, %zu reads",
	    all.commands, all.reads);
	ck_assert_msg(
	    all.scans == small_scans, "a scan beside the small reads: %s", all.first_scan);
}

/* A console that runs no engine, beside `launchwatch run` following the
 * simulator: its first frame comes from the prepared summary, a new
 * entry's engagements reach its feed through the change log within a poll
 * (its JSON endpoint, built from the same model, shows which), and
 * every read of the prepared data is an _id lookup (the devdb answers
 * those from its index) while no raw engagement is read at all; at idle it
 * costs about one _id read per second. The database's commands are seen
 * on the wire, through a proxy in front of the devdb. */
START_TEST(test_viewer_follows_the_log)
{
	struct sim_opts so;
	sim_opts_init(&so);
	so.tweets = 2;
	so.rate = 60;
	char *cause = NULL;
	struct sim *sim = sim_start(&so, &cause);
	ck_assert_msg(sim != NULL, "%s", cause);
	struct store *st = NULL;
	ck_assert(store_open(tui_db->uri, "tuitest", &st, &cause) == 0);
	char start[32];
	timestr_format_time(clock_now_ms() / 1000 - 3600, start, sizeof start);
	char *yaml =
	    xasprintf("campaigns:\n  - name: Viewer launch\n"
	              "    window: {start: %s, duration: 1d}\n"
	              "    tweets: {main: [%s], influencer: [%s]}\n"
	              "    cadence: {metrics: 2s, retweets: 2s, replies: 2s, quotes: 2s}\n",
	        start, sim_tweet_id(sim, 0), sim_tweet_id(sim, 1));
	struct cfg_file *f = NULL;
	ck_assert_msg(config_load_string("t", yaml, strlen(yaml), &f, &cause) == 0, "%s", cause);
	free(yaml);
	struct store_upsert_result res;
	ck_assert(store_campaign_upsert(st, &f->campaigns[0], clock_now_ms(), &res, &cause) == 0);
	config_free(f);
	char vid[CAMPAIGN_ID_MAX];
	snprintf(vid, sizeof vid, "%s", res.id);
	pid_t run = start_run(sim_port(sim), 150);

	/* the engine prepared the campaign's aggregates */
	int64_t engagements = 0;
	for (int waited = 0; waited < 60000 && engagements == 0; waited += 200) {
		struct prep_summary sum;
		if (prep_read_summary(st, vid, &sum, NULL, &cause) == 0) {
			engagements = sum.engagements;
			prep_summary_done(&sum);
		}
		free(cause);
		cause = NULL;
		usleep(200 * 1000);
	}
	if (engagements == 0)
		ck_abort_msg(
		    "no prepared summary with engagements after 60 s; the run printed:\n%s",
		    run_log_tail());

	/* the viewer: no engine of its own (its key file does not exist); its
	 * model also answers on the JSON endpoint, which shows exactly which
	 * engagements its feed holds */
	struct mon *mon = mon_start(tui_db->uri);
	tui_uri = mon_uri(mon);
	int port = tui_free_port();
	snprintf(tui_args, sizeof tui_args, "--http 127.0.0.1:%d", port);
	int64_t t = clock_now_ms();
	tui_start_ui(140, 44, false, "TWITTERAPI_KEY_FILE=/nonexistent/launchwatch-key");
	char *s;
	int64_t first_frame = 0;
	for (int waited = 0; waited < TUI_WAIT_MS && first_frame == 0; waited += 20) {
		s = tui_screen();
		if (strstr(s, "[1/1] Viewer launch") && strstr(s, "accounts ") &&
		    strstr(s, "Engagers (live)") && !strstr(s, "no engagements yet") &&
		    !strstr(s, "loading..."))
			first_frame = clock_now_ms() - t;
		free(s);
		usleep(20 * 1000);
	}
	ck_assert_msg(first_frame > 0, "no complete first frame");
	free(tui_wait_screen("engine off", false));
	/* settle (the tweets table's series read on demand), then watch */
	sleep(3);
	size_t mark = mon_mark(mon); /* what the start read is not counted */
	int64_t t_mark = clock_now_ms();
	int64_t head = 0;
	ck_assert(stc_head(st, vid, 0, &head, &cause) == 0);
	int64_t t_head = head;
	/* the next entry with engagements the run writes reaches the feed */
	int64_t seen_at = 0, shown_ms = -1;
	char **k = NULL;
	size_t nk = 0;
	for (int waited = 0; waited < 60000 && nk == 0; waited += 20) {
		for (;;) {
			bool present = false;
			k = entry_keys(st, vid, head + 1, &nk, &present);
			if (!present)
				break; /* not written yet */
			head++;
			if (nk > 0) {
				seen_at = clock_now_ms();
				break;
			}
		}
		if (nk == 0)
			usleep(20 * 1000);
	}
	if (nk == 0) {
		int64_t now_head = -1;
		int st_run = 0;
		bool alive = waitpid(run, &st_run, WNOHANG) == 0;
		if (stc_head(st, vid, 0, &now_head, &cause) != 0)
			free(cause);
		ck_abort_msg("the run wrote no new engagements in 60 s (the log's head was %lld at "
		             "the mark, %lld now, %lld read; the run %s); the run printed:\n%s",
		    (long long)t_head, (long long)now_head, (long long)head,
		    alive ? "is running" : "has ended", run_log_tail());
	}
	char *epath = xasprintf("/api/campaigns/%s/engagers?limit=1000", vid);
	for (int waited = 0; waited < TUI_WAIT_MS && shown_ms < 0; waited += 50) {
		struct tui_resp r;
		tui_http(port, epath, NULL, NULL, &r);
		if (r.status == 200 && r.json && engagers_hold(r.json, k, nk))
			shown_ms = clock_now_ms() - seen_at;
		tui_resp_done(&r);
		usleep(50 * 1000);
	}
	free(epath);
	ck_assert_msg(
	    shown_ms >= 0, "entry %lld's engagements never reached the feed", (long long)head);
	/* one poll (a second), and the endpoint's snapshot (half a second) */
	ck_assert_msg(shown_ms < 3000, "the feed held them after %lld ms", (long long)shown_ms);
	for (size_t i = 0; i < nk; i++)
		free(k[i]);
	free(k);
	sleep(2);
	int64_t span = clock_now_ms() - t_mark;
	struct asked busy, idle;
	check_reads(mon, mark, &busy);
	ck_assert_uint_gt(busy.log_reads, 0);

	/* idle: the run stops, nothing new arrives */
	kill(run, SIGTERM);
	int status;
	ck_assert_int_eq(waitpid(run, &status, 0), run);
	sleep(3);
	mark = mon_mark(mon);
	int64_t idle_mark = clock_now_ms();
	sleep(6);
	int64_t idle_span = clock_now_ms() - idle_mark;
	check_reads(mon, mark, &idle);
	/* one campaign, read once per second: its log's next entry (at most;
	 * a loaded machine or a server's pause may stretch a poll) */
	double per_s = (double)idle.log_reads * 1000.0 / (double)idle_span;
	ck_assert_msg(
	    idle.log_reads >= 1 && per_s <= 2.0, "%.1f log reads per second at idle", per_s);
	ck_assert_uint_le(idle.summary_reads, 2);
	if (getenv("LW_TUI_VERBOSE"))
		fprintf(stderr,
		    "viewer: first frame %lld ms after start; a new entry's engagements in the "
		    "feed "
		    "%lld ms after the entry; while the run wrote (%lld ms): %zu log, %zu summary, "
		    "%zu small reads; idle (%lld ms): %zu log, %zu summary, %zu small reads\n",
		    (long long)first_frame, (long long)shown_ms, (long long)span, busy.log_reads,
		    busy.summary_reads, busy.small_reads, (long long)idle_span, idle.log_reads,
		    idle.summary_reads, idle.small_reads);
	tui_keys("q");
	tui_expect("UI-EXITED 0");
	tui_teardown_tmux();
	tui_uri = NULL;
	mon_free(mon);
	store_free(st);
	sim_free(sim);
}
END_TEST

static Suite *
viewer_suite(void)
{
	Suite *s = suite_create("viewer");
	TCase *tv = tcase_create("viewer");
	tcase_add_checked_fixture(tv, tui_setup_empty, tui_teardown);
	tcase_set_timeout(tv, 240);
	tcase_add_test(tv, test_viewer_follows_the_log);
	suite_add_tcase(s, tv);
	return s;
}

int
main(void)
{
	return tui_run(viewer_suite());
}
