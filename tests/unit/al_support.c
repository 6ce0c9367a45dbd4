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

#include "testutil.h"
#include "util.h"

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
