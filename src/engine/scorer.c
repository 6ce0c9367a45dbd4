/*
 * scorer: the sentiment scorer process (src/engine/scorer_internal.h): a
 * child on a socket pair speaking JSON lines (tools/sentiment). Sockets,
 * not pipes, so a write to a dead scorer fails with EPIPE instead of
 * raising SIGPIPE (MSG_NOSIGNAL). Supervisor thread only.
 */
#include "scorer_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/util.h"

extern char **environ;

#define LINE_MAX_BYTES 65536 /* a longer line is not an answer */

char *
scorer_command(const char *cmd)
{
	if (cmd != NULL && cmd[0] != '\0')
		return xstrdup(cmd);
	const char *env = getenv("LAUNCHWATCH_SENTIMENT_CMD");
	if (env != NULL && env[0] != '\0')
		return xstrdup(env);
	char exe[PATH_MAX];
	ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (k <= 0)
		return xstrdup("launchwatch-sentiment");
	exe[k] = '\0';
	char *slash = strrchr(exe, '/');
	if (slash != NULL)
		*slash = '\0';
	return xasprintf("'%s/launchwatch-sentiment'", exe);
}

/* Reads what the scorer wrote on fd into the growing line buffer. Returns
 * bytes read, 0 at its end, -1 when nothing was there (EAGAIN) or on error. */
static ssize_t
fill(int fd, char **buf, size_t *len, size_t *cap)
{
	if (*cap - *len < 4096) {
		*cap = *cap ? *cap * 2 : 8192;
		*buf = xreallocarray(*buf, *cap, 1);
	}
	ssize_t n = read(fd, *buf + *len, *cap - *len - 1);
	if (n > 0)
		*len += (size_t)n;
	return n;
}

/* Takes the first whole line out of the buffer into a new string (NULL
 * when none is whole yet). */
static char *
take_line(char **buf, size_t *len)
{
	char *nl = *len ? memchr(*buf, '\n', *len) : NULL;
	if (nl == NULL)
		return NULL;
	size_t n = (size_t)(nl - *buf);
	char *line = xmalloc(n + 1);
	memcpy(line, *buf, n);
	line[n] = '\0';
	memmove(*buf, nl + 1, *len - n - 1);
	*len -= n + 1;
	return line;
}

/* Reads the scorer's next stdout line within timeout_ms into a new string.
 * 0, or -1 with a cause. */
static int
read_line(struct scorer *sc, int64_t timeout_ms, char **out, char **cause)
{
	int64_t until = clock_now_ms() + timeout_ms;
	for (;;) {
		*out = take_line(&sc->buf, &sc->len);
		if (*out != NULL)
			return 0;
		if (sc->len > LINE_MAX_BYTES)
			return set_cause(
			    cause, "the scorer wrote a line over %d bytes", LINE_MAX_BYTES);
		int64_t left = until - clock_now_ms();
		if (left <= 0)
			return set_cause(cause, "the scorer did not answer within %lld ms",
			    (long long)timeout_ms);
		struct pollfd p = {.fd = sc->fd, .events = POLLIN};
		int r = poll(&p, 1, (int)(left > 1000 ? 1000 : left));
		if (r < 0 && errno != EINTR)
			return set_cause(cause, "waiting for the scorer: %s", strerror(errno));
		if (r <= 0)
			continue;
		ssize_t n = fill(sc->fd, &sc->buf, &sc->len, &sc->cap);
		if (n == 0)
			return set_cause(cause, "the scorer exited");
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return set_cause(cause, "reading the scorer: %s", strerror(errno));
	}
}

/* Copies the string member key of o into buf ("" when absent). */
static void
str_member(json_t *o, const char *key, char *buf, size_t size)
{
	const char *v = json_string_value(json_object_get(o, key));
	snprintf(buf, size, "%s", v ? v : "");
}

int
scorer_start(struct scorer *sc, const char *cmd, int64_t timeout_ms, char **cause)
{
	int io[2], er[2];
	memset(sc, 0, sizeof *sc);
	sc->fd = sc->err_fd = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, io) != 0)
		return set_cause(cause, "socketpair: %s", strerror(errno));
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, er) != 0) {
		close(io[0]);
		close(io[1]);
		return set_cause(cause, "socketpair: %s", strerror(errno));
	}
	char *script = xasprintf("exec %s", cmd);
	char *argv[] = {(char *)"sh", (char *)"-c", script, NULL};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, io[1], 0);
	posix_spawn_file_actions_adddup2(&fa, io[1], 1);
	posix_spawn_file_actions_adddup2(&fa, er[1], 2);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	posix_spawnattr_init(&at);
	/* its own process group: a terminal's ^C reaches the engine, which
	 * stops it; default signal actions, whatever this process blocks */
	sigset_t none, all;
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(
	    &at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
	pid_t pid;
	int rc = posix_spawn(&pid, "/bin/sh", &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	free(script);
	close(io[1]);
	close(er[1]);
	if (rc != 0) {
		close(io[0]);
		close(er[0]);
		return set_cause(cause, "starting the scorer: %s", strerror(rc));
	}
	sc->pid = pid;
	sc->fd = io[0];
	sc->err_fd = er[0];
	fcntl(sc->fd, F_SETFL, fcntl(sc->fd, F_GETFL) | O_NONBLOCK);
	fcntl(sc->err_fd, F_SETFL, fcntl(sc->err_fd, F_GETFL) | O_NONBLOCK);
	char *line = NULL;
	if (read_line(sc, timeout_ms, &line, cause) != 0) {
		scorer_stop(sc);
		return -1;
	}
	json_t *o = json_loads(line, 0, NULL);
	free(line);
	if (!json_is_object(o) || !json_is_string(json_object_get(o, "scorer"))) {
		json_decref(o);
		scorer_stop(sc);
		return set_cause(cause, "the scorer's first line is not its hello");
	}
	str_member(o, "scorer", sc->scorer, sizeof sc->scorer);
	str_member(o, "version", sc->version, sizeof sc->version);
	json_decref(o);
	return 0;
}

int
scorer_ask(struct scorer *sc, const char *text, const char *lang, int64_t timeout_ms,
    struct scorer_answer *out, char **cause)
{
	uint64_t id = ++sc->next_id;
	json_t *req = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "text", text ? text : "",
	    "lang", lang ? lang : "");
	char *body = req ? json_dumps(req, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
	json_decref(req);
	if (body == NULL)
		return set_cause(cause, "a request could not be encoded");
	char *msg = xasprintf("%s\n", body);
	free(body);
	size_t n = strlen(msg), off = 0;
	int64_t until = clock_now_ms() + timeout_ms;
	while (off < n) {
		ssize_t w = send(sc->fd, msg + off, n - off, MSG_NOSIGNAL);
		if (w > 0) {
			off += (size_t)w;
			continue;
		}
		if (w < 0 && errno != EAGAIN && errno != EINTR) {
			free(msg);
			return set_cause(cause, "writing to the scorer: %s", strerror(errno));
		}
		struct pollfd p = {.fd = sc->fd, .events = POLLOUT};
		if (clock_now_ms() >= until || poll(&p, 1, 100) < 0) {
			free(msg);
			return set_cause(cause, "the scorer does not read its requests");
		}
	}
	free(msg);
	char *line = NULL;
	if (read_line(sc, until - clock_now_ms() > 0 ? until - clock_now_ms() : 1, &line, cause) !=
	    0)
		return -1;
	json_t *o = json_loads(line, 0, NULL);
	free(line);
	json_t *jid = json_object_get(o, "id");
	json_t *js = json_object_get(o, "score");
	int rc = 0;
	if (!json_is_integer(jid) || (uint64_t)json_integer_value(jid) != id)
		rc = set_cause(cause, "the scorer answered another request");
	else if (json_is_number(js) && json_number_value(js) >= -1 && json_number_value(js) <= 1)
		*out = (struct scorer_answer){true, json_number_value(js)};
	else if (json_is_string(json_object_get(o, "not_scored")))
		*out = (struct scorer_answer){false, 0};
	else
		rc = set_cause(cause, "the scorer's answer holds no score");
	json_decref(o);
	return rc;
}

void
scorer_drain_stderr(struct scorer *sc, void (*fn)(void *arg, const char *line), void *arg)
{
	if (sc->err_fd < 0)
		return;
	while (fill(sc->err_fd, &sc->ebuf, &sc->elen, &sc->ecap) > 0)
		;
	char *line;
	while ((line = take_line(&sc->ebuf, &sc->elen)) != NULL) {
		if (line[0] != '\0')
			fn(arg, line);
		free(line);
	}
	if (sc->elen > LINE_MAX_BYTES)
		sc->elen = 0;
}

bool
scorer_running(struct scorer *sc)
{
	if (sc->pid <= 0)
		return false;
	int st;
	if (waitpid(sc->pid, &st, WNOHANG) == sc->pid) {
		sc->pid = 0;
		return false;
	}
	return true;
}

void
scorer_stop(struct scorer *sc)
{
	if (sc->fd >= 0)
		close(sc->fd); /* its stdin ends: it exits by itself */
	if (sc->pid > 0) {
		int st;
		kill(sc->pid, SIGTERM);
		for (int i = 0; i < 50 && waitpid(sc->pid, &st, WNOHANG) == 0; i++)
			usleep(10000);
		if (waitpid(sc->pid, &st, WNOHANG) == 0) {
			kill(sc->pid, SIGKILL);
			waitpid(sc->pid, &st, 0);
		}
	}
	if (sc->err_fd >= 0)
		close(sc->err_fd);
	free(sc->buf);
	free(sc->ebuf);
	memset(sc, 0, sizeof *sc);
	sc->fd = sc->err_fd = -1;
}
