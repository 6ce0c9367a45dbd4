/*
 * tui_support: what the console's screen tests share (tests/support/
 * tui_support.h): the devdb and work directory of a test, the seeded
 * campaign, the console run in tmux (start, read the screen, send keys)
 * and HTTP requests to its JSON endpoint. Test threads only.
 */
#include "tui_support.h"

#include <arpa/inet.h>
#include <check.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/util.h"
#include "config/config.h"
#include "base/timestr.h"
#include "engine/prep_io.h"
#include "model/campaign.h"
#include "seed_support.h"
#include "store/store.h"
#include "store/store_events.h"
#include "testutil.h"

struct tu_devdb *tui_db;
char *tui_workdir;
char tui_sock[64];
static int tui_seq;
char tui_cid[CAMPAIGN_ID_MAX];
int64_t tui_t0;
char tui_args[256];  /* options after the binary, e.g. --http ADDR */
const char *tui_uri; /* the console's MONGODB_URI when not the devdb's own */

const char *const tui_tids[3] = {
    "1861111111111111111", "1861111111111111112", "1861111111111111113"};

/* Runs a shell command and returns its exit status. */
int
tui_sh(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *cmd = xvasprintf(fmt, ap);
	va_end(ap);
	int rc = system(cmd);
	free(cmd);
	return rc;
}

/* Returns the screen of the test's tmux session (caller frees). */
/* Returns the screen captured with capture-pane's flags (caller frees). */
static char *
capture(const char *flags)
{
	char *cmd = xasprintf("tmux -L %s capture-pane %s -t ui 2>/dev/null", tui_sock, flags);
	FILE *p = popen(cmd, "r");
	free(cmd);
	struct sbuf b;
	sbuf_init(&b);
	char buf[4096];
	size_t n;
	while (p && (n = fread(buf, 1, sizeof buf, p)) > 0)
		sbuf_add(&b, buf, n);
	if (p)
		pclose(p);
	return sbuf_take(&b);
}

char *
tui_screen(void)
{
	return capture("-p");
}

char *
tui_screen_escapes(void)
{
	return capture("-p -e");
}

/* Waits up to wait_ms until the screen shows want (or not, when absent is
 * true); returns the screen then (caller frees) or fails the test with the
 * last screen. */
char *
tui_wait_screen_ms(const char *want, bool absent, int wait_ms)
{
	char *s = NULL;
	for (int waited = 0; waited < wait_ms; waited += 100) {
		free(s);
		s = tui_screen();
		if ((strstr(s, want) != NULL) != absent)
			return s;
		usleep(100 * 1000);
	}
	fprintf(stderr, "---- screen ----\n%s----\n", s);
	ck_abort_msg("screen never %s \"%s\" (screen on stderr)", absent ? "lost" : "showed", want);
	return s;
}

/* wait_screen_ms with the usual wait. */
char *
tui_wait_screen(const char *want, bool absent)
{
	return tui_wait_screen_ms(want, absent, TUI_WAIT_MS);
}

/* Asserts the screen shows want within the wait. */
void
tui_expect(const char *want)
{
	free(tui_wait_screen(want, false));
}

/* Sends keys (tmux key names, e.g. "Tab" or "C-u"). */
void
tui_keys(const char *k)
{
	tui_sh("tmux -L %s send-keys -t ui %s", tui_sock, k);
}

/* Types text literally. */
void
tui_type(const char *text)
{
	char *cmd = xasprintf("tmux -L %s send-keys -t ui -l '%s'", tui_sock, text);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

/* Starts the console in a w x h tmux session; with_key false leaves the
 * provider key unset (first run). The session ends by itself (the console
 * is stopped after 120 s, the shell 10 s after it exits), so even a test
 * that fails before its teardown leaves nothing running for long. */
void
tui_start_ui(int w, int h, bool with_key, const char *extra)
{
	snprintf(tui_sock, sizeof tui_sock, "lwtest-%d-%d", (int)getpid(), tui_seq++);
	const char *bin = getenv("LAUNCHWATCH_BIN");
	ck_assert_msg(bin != NULL, "LAUNCHWATCH_BIN is not set");
	int rc =
	    tui_sh("tmux -L %s new-session -d -s ui -x %d -y %d \"env MONGODB_URI='%s' "
	           "LAUNCHWATCH_DB=tuitest %s LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color "
	           "XDG_DATA_HOME='%s' XDG_CONFIG_HOME='%s/config' LAUNCHWATCH_EXPORT_DIR='%s' "
	           "%s timeout --foreground -s TERM 120 '%s' %s "
	           "2>'%s/stderr'; echo UI-EXITED $?; sleep 10\"",
	        tui_sock, w, h, tui_uri ? tui_uri : tui_db->uri,
	        with_key ? "TWITTERAPI_KEY=test-key" : "", tui_workdir, tui_workdir, tui_workdir,
	        extra ? extra : "", bin, tui_args, tui_workdir);
	ck_assert_int_eq(rc, 0);
	tui_sh("tmux -L %s set-option -g window-size manual >/dev/null 2>&1", tui_sock);
}

/* Returns the first process named comm at or under pid (0 when none). */
static int
find_under(int pid, const char *comm)
{
	char *path = xasprintf("/proc/%d/comm", pid), *text = NULL;
	bool match = file_read_all(path, &text, NULL, NULL) == 0 &&
	             strncmp(text, comm, strlen(comm)) == 0 && text[strlen(comm)] == '\n';
	free(text);
	free(path);
	if (match)
		return pid;
	path = xasprintf("/proc/%d/task/%d/children", pid, pid);
	int found = 0;
	if (file_read_all(path, &text, NULL, NULL) == 0) {
		char *save = NULL;
		for (char *t = strtok_r(text, " \n", &save); t && !found;
		     t = strtok_r(NULL, " \n", &save))
			found = find_under(atoi(t), comm);
	}
	free(text);
	free(path);
	return found;
}

int
tui_ui_pid(void)
{
	int pid = 0;
	for (int waited = 0; pid == 0 && waited < TUI_WAIT_MS; waited += 50) {
		char *cmd = xasprintf("tmux -L %s display -p -t ui '#{pane_pid}'", tui_sock);
		FILE *p = popen(cmd, "r");
		char line[32] = "";
		if (p && fgets(line, sizeof line, p))
			pid = find_under(atoi(line), "launchwatch");
		if (p)
			pclose(p);
		free(cmd);
		if (pid == 0)
			usleep(50 * 1000);
	}
	ck_assert_msg(pid > 0, "no launchwatch process under the tmux pane");
	return pid;
}

bool
tui_pid_alive(int pid)
{
	char *path = xasprintf("/proc/%d/stat", pid), *text = NULL;
	bool alive = false;
	if (file_read_all(path, &text, NULL, NULL) == 0) {
		const char *rp = strrchr(text, ')'); /* the state follows the name */
		alive = rp && rp[1] == ' ' && rp[2] != 'Z' && rp[2] != 'X';
	}
	free(text);
	free(path);
	return alive;
}

int64_t
tui_quit_ms(const char *key, int wait_ms)
{
	int pid = tui_ui_pid();
	int64_t t0 = clock_mono_ms();
	tui_keys(key);
	while (tui_pid_alive(pid)) {
		ck_assert_msg(clock_mono_ms() - t0 < wait_ms,
		    "the console did not exit within %d ms", wait_ms);
		usleep(2 * 1000);
	}
	return clock_mono_ms() - t0;
}

/* Writes the test campaign and its data through the store API. */
void
tui_seed(void)
{
	struct store *s = NULL;
	char *cause = NULL;
	ck_assert_msg(store_open(tui_db->uri, "tuitest", &s, &cause) == 0, "%s", cause);
	tui_t0 = clock_now_ms() - 3 * 3600 * 1000LL;
	char start[32];
	timestr_format_time(tui_t0 / 1000, start, sizeof start);
	char *yaml = xasprintf("campaigns:\n  - name: Acme launch\n    client: {name: Acme Labs}\n"
	                       "    window: {start: %s, duration: 7d}\n    tweets:\n"
	                       "      main: [%s]\n      influencer: [%s]\n      investor: [%s]\n"
	                       "  - name: Second launch\n    window: {start: %s, duration: 1d}\n"
	                       "    tweets: {main: [1861111111111111199]}\n",
	    start, tui_tids[0], tui_tids[1], tui_tids[2], start);
	struct cfg_file *f = NULL;
	ck_assert_msg(config_load_string("t", yaml, strlen(yaml), &f, &cause) == 0, "%s", cause);
	free(yaml);
	struct store_upsert_result res;
	ck_assert(store_campaign_upsert(s, &f->campaigns[0], clock_now_ms(), &res, &cause) == 0);
	snprintf(tui_cid, sizeof tui_cid, "%s", res.id);
	ck_assert(store_campaign_upsert(s, &f->campaigns[1], clock_now_ms(), &res, &cause) == 0);
	config_free(f);

	/* 12 accounts: 5 investors, 3 founders, 4 other; account 11 is hostile */
	struct lw_engagement e[12];
	static const enum lw_bucket bk[12] = {BK_INVESTOR, BK_INVESTOR, BK_INVESTOR, BK_INVESTOR,
	    BK_INVESTOR, BK_FOUNDER, BK_FOUNDER, BK_FOUNDER, BK_OTHER, BK_OTHER, BK_OTHER,
	    BK_OTHER};
	for (int i = 0; i < 12; i++) {
		memset(&e[i], 0, sizeof e[i]);
		snprintf(e[i].campaign_id, sizeof e[i].campaign_id, "%s", tui_cid);
		snprintf(e[i].tweet_id, sizeof e[i].tweet_id, "%s", tui_tids[i % 3]);
		e[i].category = i % 3;
		e[i].action = i % 2 ? ACT_REPLY : ACT_RETWEET;
		snprintf(e[i].user.id, sizeof e[i].user.id, "%d", 7000 + i);
		e[i].user.handle = xasprintf("acct%02d", i);
		e[i].user.name = xasprintf("Person %d", i);
		e[i].user.bio = xstrdup("just a bio");
		e[i].user.followers = 1000 * (i + 1);
		e[i].bucket = bk[i];
		e[i].importance = 50 + i;
		e[i].text = e[i].action == ACT_REPLY ? xasprintf("congrats %d", i) : NULL;
		e[i].first_seen_at_ms = tui_t0 + i * 60000LL;
	}
	free(e[11].user.name);
	free(e[11].user.bio);
	e[11].user.name = xstrdup("\x1b]0;pwned\x07"
	                          "Evil\x1b[2J\x1b[31mRed");
	e[11].user.bio = xstrdup("\x1b[H\x1b[2Jbio\x1b]2;pwned-too\x07 here");
	e[11].first_seen_at_ms = clock_now_ms(); /* the newest: the first feed row */
	ck_assert_msg(seed_engagements(s, e, 12, &cause) == 0, "%s", cause);
	for (int i = 0; i < 12; i++)
		lw_engagement_done(&e[i]);

	/* views: 10000 + 2000 + 345 = 12345 over three tweets */
	struct lw_slice sl[3];
	static const int64_t views[3] = {10000, 2000, 345};
	for (int i = 0; i < 3; i++) {
		memset(&sl[i], 0, sizeof sl[i]);
		snprintf(sl[i].campaign_id, sizeof sl[i].campaign_id, "%s", tui_cid);
		snprintf(sl[i].tweet_id, sizeof sl[i].tweet_id, "%s", tui_tids[i]);
		sl[i].category = i;
		sl[i].seq = 1;
		sl[i].at_ms = tui_t0 + 3600000LL;
		sl[i].deltas = (struct lw_metrics){100 + i, 10, 5, 1, views[i], 0};
	}
	ck_assert_msg(seed_slices(s, sl, 3, &cause) == 0, "%s", cause);
	ck_assert(seed_alert(s, tui_cid, "7003", "acct03", ACT_REPLY, tui_tids[0], "slack",
	              "failed: HTTP 500", tui_t0 + 7200000LL, &cause) == 0);
	/* the raw documents were written as a previous release would have:
	 * prepare both campaigns' aggregates from them, as `campaign rebuild` does */
	ck_assert_msg(prep_rebuild(s, tui_cid, NULL, NULL, &cause) == 0, "%s", cause);
	ck_assert_msg(prep_rebuild(s, res.id, NULL, NULL, &cause) == 0, "%s", cause);
	store_free(s);
}

void
tui_setup(void)
{
	tui_args[0] = '\0';
	tui_uri = NULL;
	tui_db = tu_devdb_start(NULL, 0);
	tui_workdir = tu_tempdir();
	tui_seed();
}

/* A devdb without the seeded campaigns. */
void
tui_setup_empty(void)
{
	tui_args[0] = '\0';
	tui_uri = NULL;
	tui_db = tu_devdb_start(NULL, 0);
	tui_workdir = tu_tempdir();
}

/* Ends the test's tmux server and removes its socket. */
void
tui_teardown_tmux(void)
{
	tui_sh("tmux -L %s kill-server >/dev/null 2>&1", tui_sock);
	/* tmux may leave its socket file behind */
	const char *tmp = getenv("TMUX_TMPDIR");
	char *path =
	    xasprintf("%s/tmux-%d/%s", tmp && *tmp ? tmp : "/tmp", (int)getuid(), tui_sock);
	unlink(path);
	free(path);
}

void
tui_teardown(void)
{
	tui_teardown_tmux();
	tu_devdb_free(tui_db);
	tu_rmtree(tui_workdir);
	free(tui_workdir);
}

/* Collects a body. */
static size_t
on_body(char *p, size_t sz, size_t n, void *arg)
{
	sbuf_add(arg, p, sz * n);
	return sz * n;
}

/* Picks the ETag header. */
static size_t
on_header(char *p, size_t sz, size_t n, void *arg)
{
	struct tui_resp *r = arg;
	size_t len = sz * n;
	if (len > 5 && strncasecmp(p, "ETag:", 5) == 0) {
		const char *v = p + 5;
		while (*v == ' ')
			v++;
		size_t vl = (size_t)(p + len - v);
		while (vl > 0 && (v[vl - 1] == '\r' || v[vl - 1] == '\n'))
			vl--;
		snprintf(r->etag, sizeof r->etag, "%.*s", (int)vl, v);
	}
	return len;
}

/* Requests path from the endpoint on port with an optional extra header and
 * method (NULL: GET); fails the test when nothing answers. */
void
tui_http(int port, const char *path, const char *header, const char *method, struct tui_resp *r)
{
	memset(r, 0, sizeof *r);
	struct sbuf b;
	sbuf_init(&b);
	CURL *c = curl_easy_init();
	ck_assert_ptr_nonnull(c);
	char *url = xasprintf("http://127.0.0.1:%d%s", port, path);
	struct curl_slist *h = header ? curl_slist_append(NULL, header) : NULL;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	if (method)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	CURLcode rc = curl_easy_perform(c);
	ck_assert_msg(rc == CURLE_OK, "GET %s: %s", url, curl_easy_strerror(rc));
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	free(url);
	r->body = sbuf_take(&b);
	r->json = json_loads(r->body, 0, NULL);
}

/* Frees an answer. */
void
tui_resp_done(struct tui_resp *r)
{
	free(r->body);
	json_decref(r->json);
	memset(r, 0, sizeof *r);
}

/* Returns a free loopback TCP port. */
int
tui_free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	return ntohs(a.sin_port);
}

/* Collects one stored engagement into the truth in arg. */
static int
truth_eng(const struct lw_engagement *e, void *arg)
{
	struct tui_truth *t = arg;
	t->eng = xreallocarray(t->eng, t->neng + 1, sizeof *t->eng);
	struct lw_engagement *d = &t->eng[t->neng++];
	*d = *e;
	lw_user_copy(&d->user, &e->user);
	d->evidence = xstrdup(e->evidence ? e->evidence : "");
	d->text = e->text ? xstrdup(e->text) : NULL;
	d->ref_ids = NULL;
	d->nref = 0;
	t->events[e->action]++;
	return 0;
}

/* Adds one stored metric slice to the truth in arg. */
static int
truth_slice(const struct lw_slice *sl, void *arg)
{
	struct tui_truth *t = arg;
	const struct lw_metrics *d = &sl->deltas;
	const int64_t v[M__COUNT] = {
	    d->likes, d->retweets, d->replies, d->quotes, d->views, d->bookmarks};
	for (int m = 0; m < M__COUNT; m++) {
		t->all[m] += v[m];
		t->cat[sl->category][m] += v[m];
	}
	return 0;
}

/* Orders engagements newest first. */
static int
cmp_newest(const void *x, const void *y)
{
	const struct lw_engagement *a = x, *b = y;
	return a->first_seen_at_ms < b->first_seen_at_ms   ? 1
	       : a->first_seen_at_ms > b->first_seen_at_ms ? -1
	                                                   : 0;
}

/* Reads the truth of campaign id from the database. */
void
tui_truth_load(struct store *st, const char *id, struct tui_truth *t)
{
	char *cause = NULL;
	memset(t, 0, sizeof *t);
	ck_assert_msg(ste_scan_engagements(st, id, 0, truth_eng, t, &cause) == 0, "%s", cause);
	ck_assert_msg(ste_scan_slices(st, id, truth_slice, t, &cause) == 0, "%s", cause);
	qsort(t->eng, t->neng, sizeof *t->eng, cmp_newest);
}

/* Frees a truth. */
void
tui_truth_done(struct tui_truth *t)
{
	for (size_t i = 0; i < t->neng; i++)
		lw_engagement_done(&t->eng[i]);
	free(t->eng);
}

int
tui_run(Suite *s)
{
	if (system("tmux -V >/dev/null 2>&1") != 0) {
		fputs("tmux is not installed; the screen tests need it\n", stderr);
		return EXIT_FAILURE;
	}
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
