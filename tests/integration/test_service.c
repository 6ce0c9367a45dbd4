/*
 * test_service: `launchwatch run` as a systemd notify service (issue 19),
 * driven through the sd_notify protocol on a datagram socket of the test's
 * own (NOTIFY_SOCKET), as systemd would: READY=1 after start-up, WATCHDOG=1
 * at half the configured WATCHDOG_USEC while the engine works, STOPPING=1
 * on SIGTERM, then a clean exit; its log lines go to the journal (stderr,
 * JOURNAL_STREAM) with a level prefix and no timestamps. The real binary, a real devdb and the
 * simulator; main thread only.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "al_support.h"
#include <jansson.h>

#include "base/util.h"
#include "net/http.h"
#include "ing_support.h"

/* One datagram received by the fake systemd. */
struct note {
	char text[512];
	int64_t at_ns;
};

/* Receives datagrams on fd into v (up to max) until one contains want or
 * timeout_ms passes; returns how many v holds. */
static size_t
recv_until(int fd, struct note *v, size_t n, size_t max, const char *want, int timeout_ms)
{
	int64_t end = al_mono_ns() + (int64_t)timeout_ms * 1000000LL;
	while (n < max && al_mono_ns() < end) {
		struct timeval tv = {.tv_sec = 0, .tv_usec = 100000};
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		ssize_t got = recv(fd, v[n].text, sizeof v[n].text - 1, 0);
		if (got <= 0)
			continue;
		v[n].text[got] = '\0';
		v[n].at_ns = al_mono_ns();
		if (strstr(v[n++].text, want))
			break;
	}
	return n;
}

/* Returns the index of the first note from `from` on that holds what, or -1. */
static int
find_note(const struct note *v, size_t n, size_t from, const char *what)
{
	for (size_t i = from; i < n; i++)
		if (strstr(v[i].text, what))
			return (int)i;
	return -1;
}

START_TEST(notify_ready_watchdog_stopping)
{
	struct ing_world w;
	struct sim_opts o;
	sim_opts_init(&o);
	ing_world_start(&w, &o, "50");
	ing_campaign_add_cadence(&w, NTWEETS, "1m");

	char *path = xasprintf("%s/notify.sock", w.dir);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	ck_assert_uint_lt(strlen(path), sizeof sa.sun_path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);

	char sock_env[400], log[300];
	snprintf(sock_env, sizeof sock_env, "NOTIFY_SOCKET=%s", path);
	snprintf(log, sizeof log, "%s/run.out", w.dir);
	ing_env_add(&w, sock_env);
	ing_env_add(&w, "WATCHDOG_USEC=400000"); /* pings every 200 ms */
	/* stderr is "the journal": the log lines come there with a level
	 * prefix and no timestamps of their own */
	char journal_env[128];
	struct stat lst;
	FILE *lf = fopen(log, "w");
	ck_assert_ptr_nonnull(lf);
	fclose(lf);
	ck_assert_int_eq(stat(log, &lst), 0);
	snprintf(journal_env, sizeof journal_env, "JOURNAL_STREAM=%llu:%llu",
	    (unsigned long long)lst.st_dev, (unsigned long long)lst.st_ino);
	ing_env_add(&w, journal_env);
	static const char *const args[] = {"run", "--workers", "2", NULL};
	pid_t pid = al_spawn(w.env, args, log);

	enum { MAXN = 200 };
	struct note *v = calloc(MAXN, sizeof *v);
	size_t n = recv_until(fd, v, 0, MAXN, "READY=1", 30000);
	int ready = find_note(v, n, 0, "READY=1");
	ck_assert_msg(ready >= 0, "no READY=1 within 30 s (%zu notes)", n);
	ck_assert_ptr_nonnull(strstr(v[ready].text, "STATUS="));
	/* the watchdog: at least 5 pings over about a second and a half, none
	 * more than the interval apart */
	int pings = 0;
	int64_t last = v[ready].at_ns, gap = 0;
	while (pings < 6) {
		size_t before = n;
		n = recv_until(fd, v, n, MAXN, "WATCHDOG=1", 5000);
		int k = find_note(v, n, before, "WATCHDOG=1");
		ck_assert_msg(k >= 0, "no WATCHDOG=1 within 5 s after %d pings", pings);
		if (v[k].at_ns - last > gap)
			gap = v[k].at_ns - last;
		last = v[k].at_ns;
		pings++;
	}
	ck_assert_msg(
	    gap < 400 * 1000000LL, "longest gap between pings %lld ms", (long long)(gap / 1000000));
	/* SIGTERM: STOPPING=1, then a clean exit */
	kill(pid, SIGTERM);
	size_t before = n;
	n = recv_until(fd, v, n, MAXN, "STOPPING=1", 20000);
	ck_assert_msg(find_note(v, n, before, "STOPPING=1") >= 0, "no STOPPING=1 after SIGTERM");
	int st = al_reap(pid, 0, 30000);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "run exited with status %d", st);
	/* the log went to the journal: "<6>info  engine ..." lines, no
	 * timestamps, and no run.log in the data directory */
	char *text = NULL;
	size_t len = 0;
	char *cause = NULL;
	ck_assert_msg(file_read_all(log, &text, &len, &cause) == 0, "%s", cause);
	ck_assert_msg(strstr(text, "\n<6>info ") || strncmp(text, "<6>info ", 8) == 0,
	    "no journal lines in: %.400s", text);
	ck_assert_msg(strstr(text, "Z info") == NULL, "a timestamped line: %.400s", text);
	char *runlog = xasprintf("%s/launchwatch/run.log", w.dir);
	ck_assert_msg(access(runlog, F_OK) != 0, "%s was written", runlog);
	free(runlog);
	free(text);
	printf("notify: READY=1, %d pings (longest gap %lld ms), STOPPING=1, exit 0\n", pings,
	    (long long)(gap / 1000000));
	close(fd);
	unlink(path);
	free(path);
	free(v);
	ing_world_stop(&w);
}
END_TEST

/* Without NOTIFY_SOCKET nothing is sent and nothing changes: the run
 * behaves as from a shell (covered by every other suite); here, that a
 * WATCHDOG_USEC alone starts nothing and the run still stops cleanly. */
START_TEST(no_notify_socket_is_a_plain_run)
{
	struct ing_world w;
	struct sim_opts o;
	sim_opts_init(&o);
	ing_world_start(&w, &o, "50");
	ing_campaign_add_cadence(&w, NTWEETS, "1m");
	ing_env_add(&w, "WATCHDOG_USEC=400000");
	struct tu_run r;
	ck_assert_int_eq(ing_run_once_r(&w, 60000, &r), 0);
	tu_run_done(&r);
	ing_world_stop(&w);
}
END_TEST

/* Runs `launchwatch status --json` in w's environment; returns the exit
 * status and the parsed object in *out (caller decrefs). */
static int
status_json(struct ing_world *w, json_t **out)
{
	static const char *const args[] = {"status", "--json", NULL};
	struct tu_run r;
	tu_run(&r, w->env, 60000, args);
	json_error_t err;
	*out = json_loads(r.out, 0, &err);
	ck_assert_msg(
	    *out != NULL, "status --json printed no JSON (%s): %s %s", err.text, r.out, r.err);
	int st = r.status;
	tu_run_done(&r);
	return st;
}

/* `launchwatch status`: 1 while an active campaign has no engine, 0 once
 * an engine runs and the jobs are current (with the stored engagements),
 * 1 again when it stopped, 69 when the database cannot be reached. */
START_TEST(status_exit_codes)
{
	struct ing_world w;
	struct sim_opts o;
	sim_opts_init(&o);
	ing_world_start(&w, &o, "50");
	ing_campaign_add_cadence(&w, NTWEETS, "1m");
	json_t *j = NULL;
	ck_assert_int_eq(status_json(&w, &j), 1);
	ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "degraded");
	ck_assert_ptr_nonnull(
	    strstr(json_string_value(json_object_get(j, "reason")), "no engine is running"));
	json_decref(j);

	char log[300];
	snprintf(log, sizeof log, "%s/run.out", w.dir);
	static const char *const args[] = {"run", "--workers", "2", NULL};
	pid_t pid = al_spawn(w.env, args, log);
	/* poll until the engine's heartbeat shows and it has read the counts */
	int st = -1;
	int64_t end = al_mono_ns() + 60LL * 1000000000LL;
	while (al_mono_ns() < end) {
		st = status_json(&w, &j);
		json_t *c0 = json_array_get(json_object_get(j, "campaigns"), 0);
		if (st == 0 && json_integer_value(
		                   json_object_get(json_object_get(c0, "requests"), "metrics")) > 0)
			break;
		json_decref(j);
		j = NULL;
		usleep(200000);
	}
	ck_assert_msg(st == 0, "status never became 0 with an engine running (last %d)", st);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "engines_running")), 1);
	json_t *c = json_array_get(json_object_get(j, "campaigns"), 0);
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(json_string_value(json_object_get(c, "id")), w.campaign_id);
	ck_assert(json_is_true(json_object_get(c, "runnable")));
	ck_assert_int_eq(json_integer_value(json_object_get(c, "held")), 0);
	ck_assert_int_gt(
	    json_integer_value(json_object_get(json_object_get(c, "requests"), "metrics")), 0);
	json_decref(j);
	/* the text form says the same in words */
	static const char *const text_args[] = {"status", NULL};
	struct tu_run r;
	tu_run(&r, w.env, 60000, text_args);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "launchwatch: ok (exit 0)"));
	ck_assert_ptr_nonnull(strstr(r.out, "engines: 1 running"));
	ck_assert_ptr_nonnull(strstr(r.out, w.campaign_id));
	tu_run_done(&r);

	/* stopped: degraded again (no engine for an active campaign) */
	int ex = al_reap(pid, SIGTERM, 30000);
	ck_assert_msg(WIFEXITED(ex) && WEXITSTATUS(ex) == 0, "run exited with %d", ex);
	ck_assert_int_eq(status_json(&w, &j), 1);
	json_decref(j);

	/* the database unreachable: 69 */
	const char *down[] = {"MONGODB_URI=mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=300",
	    "LAUNCHWATCH_DB=launchwatch", NULL};
	tu_run(&r, down, 60000, text_args);
	ck_assert_int_eq(r.status, 69);
	ck_assert_ptr_nonnull(strstr(r.out, "the database cannot be reached"));
	tu_run_done(&r);
	ing_world_stop(&w);
}
END_TEST

/* GETs url (with the bearer token when token is not NULL); returns the
 * status and the body in *body (caller frees). */
static long
get(const char *url, const char *token, char **body)
{
	struct http_client *h = http_client_new();
	struct http_response resp;
	char *cause = NULL, auth[128];
	const char *headers[2] = {NULL, NULL};
	if (token) {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
		headers[0] = auth;
	}
	/* not listening yet: status 0 (the caller polls) */
	(void)http_request(h, "GET", url, headers, &resp, &cause);
	free(cause);
	long st = resp.status;
	*body = xstrdup(resp.body);
	http_response_done(&resp);
	http_client_free(h);
	return st;
}

/* `run --http`: /healthz and /metrics from loopback without the token
 * (the campaigns still need it), kept current while the engine works. */
START_TEST(healthz_and_metrics)
{
	struct ing_world w;
	struct sim_opts o;
	sim_opts_init(&o);
	ing_world_start(&w, &o, "50");
	ing_campaign_add_cadence(&w, NTWEETS, "1m");
	static const char token[] = "0123456789abcdef-test-token";
	int port = al_free_port();
	char http[64], tok_env[80], log[300];
	snprintf(http, sizeof http, "127.0.0.1:%d", port);
	snprintf(tok_env, sizeof tok_env, "LAUNCHWATCH_HTTP_TOKEN=%s", token);
	snprintf(log, sizeof log, "%s/run.out", w.dir);
	ing_env_add(&w, tok_env);
	ing_env_add(&w, "LAUNCHWATCH_HEALTH_MS=200");
	const char *const args[] = {"run", "--workers", "2", "--http", http, NULL};
	pid_t pid = al_spawn(w.env, args, log);

	char *url = xasprintf("http://%s/metrics", http), *body = xstrdup("");
	long st = 0;
	bool up = false;
	int64_t end = al_mono_ns() + 60LL * 1000000000LL;
	while (!up && al_mono_ns() < end) {
		free(body);
		st = get(url, NULL, &body);
		up = st == 200 && strstr(body, "\nlaunchwatch_up 1\n") != NULL;
		if (!up)
			usleep(100000);
	}
	ck_assert_msg(up, "/metrics never said up (last status %ld)", st);
	ck_assert_ptr_nonnull(strstr(body, "# TYPE launchwatch_jobs gauge\n"));
	ck_assert_ptr_nonnull(strstr(body, "launchwatch_engines_running 1\n"));
	char *want = xasprintf("launchwatch_jobs{campaign=\"%s\",state=\"idle\"}", w.campaign_id);
	ck_assert_msg(strstr(body, want), "no %s in:\n%s", want, body);
	free(want);
	free(body);
	free(url);
	url = xasprintf("http://%s/healthz", http);
	ck_assert_int_eq(get(url, NULL, &body), 200);
	json_t *j = json_loads(body, 0, NULL);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "ok");
	json_decref(j);
	free(body);
	free(url);
	/* the campaigns still need the token */
	url = xasprintf("http://%s/api/campaigns", http);
	ck_assert_int_eq(get(url, NULL, &body), 401);
	free(body);
	ck_assert_int_eq(get(url, token, &body), 200);
	free(body);
	free(url);
	int ex = al_reap(pid, SIGTERM, 30000);
	ck_assert_msg(WIFEXITED(ex) && WEXITSTATUS(ex) == 0, "run exited with %d", ex);
	ing_world_stop(&w);
}
END_TEST

/* Returns the provider requests of the first campaign as status --json
 * reports them (metrics and list jobs together). */
static int64_t
requests_now(struct ing_world *w)
{
	json_t *j = NULL;
	(void)status_json(w, &j);
	json_t *rq =
	    json_object_get(json_array_get(json_object_get(j, "campaigns"), 0), "requests");
	int64_t n = 0;
	const char *k;
	json_t *v;
	json_object_foreach(rq, k, v) n += json_integer_value(v);
	json_decref(j);
	return n;
}

/* A console beside a running `launchwatch run` attaches to it (says so,
 * runs no engine), and killing the console's tmux session, as a dropped
 * SSH session would, leaves the engine polling; the end state is exact. */
START_TEST(console_attaches_to_run)
{
	struct ing_world w;
	struct sim_opts o;
	sim_opts_init(&o);
	ing_world_start(&w, &o, "50");
	ing_campaign_add_cadence(&w, NTWEETS, "2s");
	char log[300];
	snprintf(log, sizeof log, "%s/run.out", w.dir);
	static const char *const args[] = {"run", "--workers", "2", NULL};
	pid_t pid = al_spawn(w.env, args, log);
	int64_t end = al_mono_ns() + 60LL * 1000000000LL;
	json_t *j = NULL;
	int st = -1;
	while (al_mono_ns() < end) {
		st = status_json(&w, &j);
		bool up = json_integer_value(json_object_get(j, "engines_running")) == 1;
		json_decref(j);
		if (up)
			break;
		usleep(100000);
	}

	/* the console, in a tmux session of its own, with the same database */
	char sock[64];
	snprintf(sock, sizeof sock, "lwsvc-%d", (int)getpid());
	struct sbuf cmd;
	sbuf_init(&cmd);
	sbuf_printf(&cmd, "tmux -L %s new-session -d -x 160 -y 40 \"env", sock);
	for (size_t i = 0; w.env[i]; i++)
		sbuf_printf(&cmd, " '%s'", w.env[i]);
	sbuf_printf(&cmd,
	    " TWITTERAPI_KEY=test-key LANG=C.UTF-8 TERM=xterm-256color '%s' 2>'%s/tui.err'; sleep "
	    "30\"",
	    getenv("LAUNCHWATCH_BIN"), w.dir);
	ck_assert_int_eq(system(cmd.s), 0);
	sbuf_done(&cmd);
	char *cap = xasprintf("tmux -L %s capture-pane -p -J", sock);
	bool attached = false;
	char *screen = NULL;
	for (end = al_mono_ns() + 30LL * 1000000000LL; !attached && al_mono_ns() < end;) {
		free(screen);
		FILE *f = popen(cap, "r");
		ck_assert_ptr_nonnull(f);
		struct sbuf b;
		sbuf_init(&b);
		char buf[4096];
		size_t n;
		while ((n = fread(buf, 1, sizeof buf, f)) > 0)
			sbuf_add(&b, buf, n);
		pclose(f);
		screen = sbuf_take(&b);
		attached = screen && strstr(screen, "attached to the engine of launchwatch run");
		if (!attached)
			usleep(100000);
	}
	ck_assert_msg(attached, "the console never said it is attached:\n%s", screen ? screen : "");
	free(screen);
	free(cap);
	/* one engine still: the console started none */
	ck_assert_int_eq(status_json(&w, &j), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "engines_running")), 1);
	json_decref(j);

	/* the SSH session drops: the console's tmux server is killed */
	int64_t before = requests_now(&w);
	char *kill_cmd = xasprintf("tmux -L %s kill-server", sock);
	ck_assert_int_eq(system(kill_cmd), 0);
	free(kill_cmd);
	ing_advance(&w, 600); /* new engagements to ingest */
	int64_t after = before;
	for (end = al_mono_ns() + 30LL * 1000000000LL; after <= before && al_mono_ns() < end;) {
		usleep(200000);
		after = requests_now(&w);
	}
	ck_assert_msg(kill(pid, 0) == 0, "the engine died with the console");
	ck_assert_msg(after > before, "no request after the console went: %lld", (long long)after);
	int ex = al_reap(pid, SIGTERM, 30000);
	ck_assert_msg(WIFEXITED(ex) && WEXITSTATUS(ex) == 0, "run exited with %d", ex);
	/* exact: one more pass brings everything the simulator holds */
	ck_assert_int_eq(ing_run_once(&w, 120000), 0);
	ing_check_exact(&w);
	printf("attach: the console said it is attached; %lld requests before it went, %lld "
	       "after; exact\n",
	    (long long)before, (long long)after);
	ing_world_stop(&w);
	(void)st;
}
END_TEST

/* Returns true when the file at path contains what. */
static bool
file_has(const char *path, const char *what)
{
	char *text = NULL, *cause = NULL;
	size_t len = 0;
	if (file_read_all(path, &text, &len, &cause) != 0) {
		free(cause);
		return false;
	}
	bool has = strstr(text, what) != NULL;
	free(text);
	return has;
}

/* SIGHUP: a bad rules file is logged naming it and changes nothing (the
 * engine goes on); a good one is taken. */
START_TEST(sighup_reloads_rules)
{
	struct ing_world w;
	struct sim_opts o;
	sim_opts_init(&o);
	ing_world_start(&w, &o, "50");
	ing_campaign_add_cadence(&w, NTWEETS, "1m");
	char *rules = tu_write_file(
	    w.dir, "rules.yaml", "buckets:\n  developer:\n    words:\n      rustacean: 3\n");
	char *log = xasprintf("%s/run.log", w.dir), *out = xasprintf("%s/run.out", w.dir);
	const char *const args[] = {"run", "--workers", "2", "--rules", rules, "--log", log, NULL};
	pid_t pid = al_spawn(w.env, args, out);
	int64_t end = al_mono_ns() + 30LL * 1000000000LL;
	while (!file_has(log, " started: ") && al_mono_ns() < end)
		usleep(50000);
	free(
	    tu_write_file(w.dir, "rules.yaml", "buckets:\n  investors:\n    words:\n      x: 1\n"));
	kill(pid, SIGHUP);
	while (!file_has(log, "reload: the rules are unchanged") && al_mono_ns() < end)
		usleep(50000);
	ck_assert_msg(
	    file_has(log, "reload: the rules are unchanged"), "no reload refusal in the log");
	ck_assert_msg(file_has(log, "rules.yaml"), "the refusal does not name the file");
	ck_assert_int_eq(kill(pid, 0), 0);
	free(tu_write_file(
	    w.dir, "rules.yaml", "buckets:\n  developer:\n    words:\n      rustacean: 4\n"));
	kill(pid, SIGHUP);
	while (!file_has(log, "reload: rules from") && al_mono_ns() < end)
		usleep(50000);
	ck_assert_msg(file_has(log, "reload: rules from"), "no reload in the log");
	int ex = al_reap(pid, SIGTERM, 30000);
	ck_assert_msg(WIFEXITED(ex) && WEXITSTATUS(ex) == 0, "run exited with %d", ex);
	free(rules);
	free(log);
	free(out);
	ing_world_stop(&w);
}
END_TEST

static Suite *
service_suite(void)
{
	Suite *s = suite_create("test_service");
	TCase *tc = tcase_create("notify");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, notify_ready_watchdog_stopping);
	tcase_add_test(tc, no_notify_socket_is_a_plain_run);
	tcase_add_test(tc, status_exit_codes);
	tcase_add_test(tc, healthz_and_metrics);
	tcase_add_test(tc, console_attaches_to_run);
	tcase_add_test(tc, sighup_reloads_rules);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(service_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
