/*
 * al_support: the Slack receiver (libmicrohttpd, its own threads, state under
 * a mutex) and the SMTP server launcher used by the alert tests.
 */
#include "al_support.h"

#include <check.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sys/stat.h>

#include "testutil.h"
#include "base/util.h"

extern char **environ;

struct al_req {
	char *path;
	char *body;
	int status;
	int64_t at_ns;
};

struct al_slack {
	struct MHD_Daemon *d;
	int port;
	int *statuses;
	size_t nstatuses;
	int retry_after_s;
	pthread_mutex_t mu;
	struct al_req *reqs;
	size_t nreqs;
	bool hold; /* requests wait for their answer while set */
};

int64_t
al_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Per-connection upload buffer. */
struct al_conn {
	struct sbuf body;
};

/* Answers one request once its body has arrived. */
static enum MHD_Result
al_answer(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
    const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct al_slack *r = cls;
	struct al_conn *c = *con_cls;
	(void)version;
	(void)method;
	if (c == NULL) {
		c = xcalloc(1, sizeof *c);
		sbuf_init(&c->body);
		sbuf_addstr(&c->body, "");
		*con_cls = c;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		sbuf_add(&c->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	pthread_mutex_lock(&r->mu);
	size_t i = r->nreqs;
	int status = i < r->nstatuses ? r->statuses[i] : 200;
	r->reqs = xreallocarray(r->reqs, r->nreqs + 1, sizeof *r->reqs);
	r->reqs[r->nreqs++] =
	    (struct al_req){xstrdup(url), xstrdup(c->body.s), status, al_mono_ns()};
	while (r->hold) {
		pthread_mutex_unlock(&r->mu);
		usleep(2000);
		pthread_mutex_lock(&r->mu);
	}
	pthread_mutex_unlock(&r->mu);
	const char *text = status == 200 ? "ok" : status == 404 ? "no_service" : "server_error";
	struct MHD_Response *resp =
	    MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
	if (status == 429) {
		char ra[16];
		snprintf(ra, sizeof ra, "%d", r->retry_after_s);
		MHD_add_response_header(resp, "Retry-After", ra);
	}
	enum MHD_Result ret = MHD_queue_response(conn, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* Frees a connection's upload buffer. */
static void
al_done(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode t)
{
	struct al_conn *c = *con_cls;
	(void)cls;
	(void)conn;
	(void)t;
	if (c != NULL) {
		sbuf_done(&c->body);
		free(c);
		*con_cls = NULL;
	}
}

struct al_slack *
al_slack_start(const int *statuses, size_t n, int retry_after_s)
{
	struct al_slack *r = xcalloc(1, sizeof *r);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	r->statuses = xcalloc(n + 1, sizeof *r->statuses);
	if (n > 0)
		memcpy(r->statuses, statuses, n * sizeof *statuses);
	r->nstatuses = n;
	r->retry_after_s = retry_after_s;
	pthread_mutex_init(&r->mu, NULL);
	r->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
	    al_answer, r, MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_NOTIFY_COMPLETED, al_done, r,
	    MHD_OPTION_END);
	ck_assert_msg(r->d != NULL, "cannot start the Slack receiver");
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(r->d, MHD_DAEMON_INFO_BIND_PORT);
	r->port = info->port;
	return r;
}

void
al_slack_hold(struct al_slack *r, bool hold)
{
	pthread_mutex_lock(&r->mu);
	r->hold = hold;
	pthread_mutex_unlock(&r->mu);
}

int
al_slack_port(struct al_slack *r)
{
	return r->port;
}

size_t
al_slack_count(struct al_slack *r)
{
	size_t n = 0;
	pthread_mutex_lock(&r->mu);
	for (size_t i = 0; i < r->nreqs; i++)
		n += r->reqs[i].status == 200;
	pthread_mutex_unlock(&r->mu);
	return n;
}

size_t
al_slack_requests(struct al_slack *r)
{
	pthread_mutex_lock(&r->mu);
	size_t n = r->nreqs;
	pthread_mutex_unlock(&r->mu);
	return n;
}

char *
al_slack_body(struct al_slack *r, size_t i, int64_t *at_ns)
{
	char *out = NULL;
	pthread_mutex_lock(&r->mu);
	for (size_t j = 0, k = 0; j < r->nreqs; j++) {
		if (r->reqs[j].status != 200)
			continue;
		if (k++ == i) {
			out = xstrdup(r->reqs[j].body);
			if (at_ns != NULL)
				*at_ns = r->reqs[j].at_ns;
			break;
		}
	}
	pthread_mutex_unlock(&r->mu);
	return out;
}

char *
al_slack_path(struct al_slack *r, size_t i)
{
	pthread_mutex_lock(&r->mu);
	char *out = i < r->nreqs ? xstrdup(r->reqs[i].path) : NULL;
	pthread_mutex_unlock(&r->mu);
	return out;
}

size_t
al_slack_wait(struct al_slack *r, size_t want, int timeout_ms)
{
	int64_t end = al_mono_ns() + (int64_t)timeout_ms * 1000000LL;
	size_t n;
	while ((n = al_slack_count(r)) < want && al_mono_ns() < end)
		usleep(2000);
	return n;
}

void
al_slack_free(struct al_slack *r)
{
	if (r == NULL)
		return;
	MHD_stop_daemon(r->d);
	for (size_t i = 0; i < r->nreqs; i++) {
		free(r->reqs[i].path);
		free(r->reqs[i].body);
	}
	free(r->reqs);
	free(r->statuses);
	pthread_mutex_destroy(&r->mu);
	free(r);
}

int
al_free_port(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof sa;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

struct al_smtpd *
al_smtpd_start(const char *user, const char *password)
{
	struct al_smtpd *d = xcalloc(1, sizeof *d);
	const char *src = getenv("LAUNCHWATCH_SRCDIR");
	char *script = xasprintf("%s/tests/al_smtpd.py", src != NULL ? src : ".");
	char port[16];
	int out[2];
	posix_spawn_file_actions_t fa;
	d->dir = tu_tempdir();
	d->port = al_free_port();
	snprintf(port, sizeof port, "%d", d->port);
	ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	char *argv[] = {
	    (char *)"/usr/bin/python3", script, port, d->dir, (char *)user, (char *)password, NULL};
	if (user == NULL)
		argv[4] = NULL;
	int rc = posix_spawn(&d->pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(out[1]);
	free(script);
	ck_assert_msg(rc == 0, "cannot start al_smtpd.py: %s", strerror(rc));
	char buf[64] = "";
	size_t got = 0;
	int64_t end = al_mono_ns() + 20000000000LL;
	while (strstr(buf, "READY\n") == NULL && al_mono_ns() < end && got < sizeof buf - 1) {
		struct pollfd p = {out[0], POLLIN, 0};
		if (poll(&p, 1, 200) <= 0)
			continue;
		ssize_t k = read(out[0], buf + got, sizeof buf - 1 - got);
		if (k <= 0)
			break;
		got += (size_t)k;
		buf[got] = '\0';
	}
	close(out[0]);
	ck_assert_msg(strstr(buf, "READY") != NULL, "al_smtpd.py did not start");
	return d;
}

int
al_smtpd_count(struct al_smtpd *d)
{
	int n = 0;
	for (;; n++) {
		char *p = xasprintf("%s/%d.json", d->dir, n + 1);
		int ok = access(p, F_OK) == 0;
		free(p);
		if (!ok)
			return n;
	}
}

void
al_smtpd_free(struct al_smtpd *d)
{
	if (d == NULL)
		return;
	if (d->pid > 0) {
		int st;
		kill(d->pid, SIGTERM);
		for (int i = 0; i < 100 && waitpid(d->pid, &st, WNOHANG) == 0; i++)
			usleep(50000);
		if (waitpid(d->pid, &st, WNOHANG) == 0) {
			kill(d->pid, SIGKILL);
			waitpid(d->pid, &st, 0);
		}
	}
	tu_rmtree(d->dir);
	free(d->dir);
	free(d);
}

/* ---- messages --------------------------------------------------------- */

static const char *const al_verbs[] = {"retweeted", "replied to", "quoted"};
static const char *const al_actions[] = {"retweet", "reply", "quote"};

/* Adds the item of one listed alert, found in text between p and end:
 * handle after "@" up to ")" or "|", the tweet after "/i/status/", the
 * action from its verb. */
static void
al_msg_item(struct al_msg *m, const char *p, const char *end)
{
	char *item = xstrndup(p, (size_t)(end - p));
	const char *h = strstr(item, "(@");
	if (h == NULL)
		h = strstr(item, "|@");
	const char *t = strstr(item, "/i/status/");
	int act = -1;
	const char *at = NULL;
	for (int k = 0; k < 3; k++) {
		char *pat = xasprintf("\n   %s the ", al_verbs[k]);
		const char *q = strstr(item, pat);
		if (q != NULL && (at == NULL || q < at)) {
			at = q;
			act = k;
		}
		free(pat);
	}
	ck_assert_msg(h != NULL && t != NULL && act >= 0, "unparsable alert item: %s", item);
	h += 2;
	t += strlen("/i/status/");
	size_t hl = strcspn(h, ")|>");
	size_t tl = strspn(t, "0123456789");
	m->items = xreallocarray(m->items, m->nitems + 1, sizeof *m->items);
	m->items[m->nitems++] = xasprintf("%.*s|%.*s|%s", (int)hl, h, (int)tl, t, al_actions[act]);
	free(item);
}

/* Parses a heading: "N important engagements on ..." (after Slack's "*" or
 * the email subject's "[launchwatch] ") announces N, anything else one. */
static int
al_heading_n(const char *head)
{
	const char *p = head + strspn(head, "*");
	if (strncmp(p, "[launchwatch] ", 14) == 0)
		p += 14;
	if (strstr(head, " important engagements on ") != NULL)
		return atoi(p);
	return 1;
}

/* Splits body into items that each start with mark. */
static void
al_msg_items(struct al_msg *m, const char *body, const char *mark)
{
	for (const char *p = strstr(body, mark); p != NULL;) {
		const char *next = strstr(p + strlen(mark), mark);
		al_msg_item(m, p, next != NULL ? next : p + strlen(p));
		p = next;
	}
}

bool
al_slack_msg(struct al_slack *r, size_t i, struct al_msg *m)
{
	memset(m, 0, sizeof *m);
	char *body = al_slack_body(r, i, &m->at_ns);
	if (body == NULL)
		return false;
	json_t *j = json_loads(body, 0, NULL);
	ck_assert_ptr_nonnull(j);
	const char *text = json_string_value(json_object_get(j, "text"));
	ck_assert_ptr_nonnull(text);
	m->n = al_heading_n(text);
	al_msg_items(m, text, "• *");
	json_decref(j);
	free(body);
	return true;
}

bool
al_smtpd_msg(struct al_smtpd *d, size_t i, struct al_msg *m)
{
	memset(m, 0, sizeof *m);
	char *path = xasprintf("%s/%zu.json", d->dir, i + 1);
	struct stat sb;
	if (stat(path, &sb) != 0) {
		free(path);
		return false;
	}
	json_error_t err;
	json_t *j = json_load_file(path, 0, &err);
	ck_assert_msg(j != NULL, "%s: %s", path, err.text);
	free(path);
	m->at_ns = (int64_t)sb.st_mtim.tv_sec * 1000000000LL + sb.st_mtim.tv_nsec;
	const char *subject = json_string_value(json_object_get(j, "subject"));
	const char *body = json_string_value(json_object_get(j, "body"));
	ck_assert_ptr_nonnull(subject);
	ck_assert_ptr_nonnull(body);
	m->n = al_heading_n(subject);
	al_msg_items(m, body, "\n- ");
	json_decref(j);
	return true;
}

void
al_msg_done(struct al_msg *m)
{
	for (size_t i = 0; i < m->nitems; i++)
		free(m->items[i]);
	free(m->items);
	memset(m, 0, sizeof *m);
}

/* ---- processes -------------------------------------------------------- */

pid_t
al_spawn(const char *const *env, const char *const *args, const char *log_path)
{
	const char *bin = getenv("LAUNCHWATCH_BIN");
	if (bin == NULL)
		bin = "bin/launchwatch";
	size_t nenv = 0, n = 0, nargs = 0;
	while (environ[nenv])
		nenv++;
	while (env != NULL && env[n])
		n++;
	while (args[nargs])
		nargs++;
	char **envp = xcalloc(nenv + n + 1, sizeof *envp);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		envp[k++] = (char *)env[i];
	for (size_t i = 0; i < nenv; i++) {
		bool shadowed = false;
		for (size_t j = 0; j < n && !shadowed; j++)
			shadowed = strncmp(environ[i], env[j], strcspn(env[j], "=") + 1) == 0;
		if (!shadowed)
			envp[k++] = environ[i];
	}
	char **argv = xcalloc(nargs + 2, sizeof *argv);
	argv[0] = (char *)bin;
	for (size_t i = 0; i < nargs; i++)
		argv[i + 1] = (char *)args[i];
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	pid_t pid;
	int rc = posix_spawn(&pid, bin, &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	free(envp);
	free(argv);
	ck_assert_msg(rc == 0, "cannot start %s: %s", bin, strerror(rc));
	return pid;
}

int
al_reap(pid_t pid, int sig, int timeout_ms)
{
	int st = 0;
	if (sig != 0)
		kill(pid, sig);
	int64_t end = al_mono_ns() + (int64_t)timeout_ms * 1000000LL;
	while (waitpid(pid, &st, WNOHANG) == 0) {
		if (al_mono_ns() >= end) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			break;
		}
		usleep(20000);
	}
	return st;
}
