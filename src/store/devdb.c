/*
 * devdb: starting, sharing and stopping the embedded database. Processes that
 * use one devdb directory hold a shared lock on DIR/users.lock; the server
 * holds an exclusive lock on DIR/devdb.lock while it runs and writes its URI
 * to DIR/devdb.uri. The last user out (the one that can take users.lock
 * exclusively) stops the server. Main thread only, except that one release
 * may run on another thread (the console's quit watch) when the main thread
 * no longer uses d.
 */
#include "store/devdb.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"

extern char **environ;

#define DEVDB_START_MS 20000 /* first start creates the SQLite files */

struct devdb {
	char *dir;
	int users_fd; /* shared lock on DIR/users.lock while we use the server */
	pid_t child;  /* the server when we started it, else 0 */
};

/* Returns true when some process holds DIR/devdb.lock (a server runs). */
static bool
server_running(const char *dir)
{
	char *path = xasprintf("%s/devdb.lock", dir);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return false;
	bool held = flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
	close(fd);
	return held;
}

/* Reads DIR/devdb.uri written by a running server (NULL if absent). */
static char *
read_uri_file(const char *dir)
{
	char *path = xasprintf("%s/devdb.uri", dir), *text = NULL;
	if (file_read_all(path, &text, NULL, NULL) != 0) {
		free(path);
		return NULL;
	}
	free(path);
	text[strcspn(text, "\r\n")] = '\0';
	if (!str_has_prefix(text, "mongodb://")) {
		free(text);
		return NULL;
	}
	return text;
}

/* Finds the devdb program: $LAUNCHWATCH_DEVDB, next to this executable, or
 * on PATH. Returns a new path or NULL. */
static char *
find_devdb_program(void)
{
	const char *env = getenv("LAUNCHWATCH_DEVDB");
	char self[PATH_MAX];
	if (env && *env)
		return access(env, X_OK) == 0 ? xstrdup(env) : NULL;
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			char *p = xasprintf("%s/launchwatch-devdb", self);
			if (access(p, X_OK) == 0)
				return p;
			free(p);
		}
	}
	const char *path = getenv("PATH");
	if (path == NULL)
		return NULL;
	char *copy = xstrdup(path), *save = NULL;
	for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		char *p = xasprintf("%s/launchwatch-devdb", d);
		if (access(p, X_OK) == 0) {
			free(copy);
			return p;
		}
		free(p);
	}
	free(copy);
	return NULL;
}

/* Starts the server for dir and reads its URI from the first line it prints.
 * Returns 0, 1 when another server won the race for dir, or -1. */
static int
start_server(struct devdb *d, const char *prog, char **uri, char **cause)
{
	int out[2];
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	char *logpath = xasprintf("%s/devdb.log", d->dir);
	char *argv[] = {(char *)prog, (char *)"--dir", d->dir, NULL};
	struct sbuf line;
	int rc = -1;

	if (pipe2(out, O_CLOEXEC) != 0) {
		free(logpath);
		return set_cause(cause, "devdb: pipe: %s", strerror(errno));
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, logpath, O_WRONLY | O_CREAT | O_APPEND, 0600);
	posix_spawnattr_init(&attr);
	/* its own session: a Ctrl-C in the console must not kill the database */
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
	int e = posix_spawn(&d->child, prog, &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(out[1]);
	if (e != 0) {
		close(out[0]);
		set_cause(cause, "cannot start %s: %s", prog, strerror(e));
		d->child = 0;
		free(logpath);
		return -1;
	}

	sbuf_init(&line);
	int64_t deadline = clock_mono_ms() + DEVDB_START_MS;
	for (;;) {
		struct pollfd p = {.fd = out[0], .events = POLLIN};
		int left = (int)(deadline - clock_mono_ms());
		char c;
		if (left <= 0) {
			set_cause(cause, "%s did not start within %d s (see %s)", prog,
			    DEVDB_START_MS / 1000, logpath);
			kill(d->child, SIGTERM);
			waitpid(d->child, NULL, 0);
			d->child = 0;
			break;
		}
		if (poll(&p, 1, left) <= 0)
			continue;
		ssize_t n = read(out[0], &c, 1);
		if (n == 1 && c != '\n') {
			sbuf_add(&line, &c, 1);
			continue;
		}
		if (n == 1 && str_has_prefix(line.s ? line.s : "", "mongodb://")) {
			*uri = sbuf_take(&line);
			rc = 0;
			break;
		}
		/* it exited: most likely another process started a server first */
		waitpid(d->child, NULL, 0);
		d->child = 0;
		rc = server_running(d->dir) ? 1 : -1;
		if (rc < 0)
			set_cause(cause, "%s exited at start (see %s)", prog, logpath);
		break;
	}
	sbuf_done(&line);
	close(out[0]);
	free(logpath);
	return rc;
}

int
devdb_ensure(const char *dir, char **uri, struct devdb **out, char **cause)
{
	struct devdb *d = xcalloc(1, sizeof *d);
	char *prog = NULL;
	d->dir = xstrdup(dir);
	d->users_fd = -1;
	*uri = NULL;
	if (mkdir_p(dir, cause) != 0)
		goto fail;
	char *users = xasprintf("%s/users.lock", dir);
	d->users_fd = open(users, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	free(users);
	if (d->users_fd < 0 || flock(d->users_fd, LOCK_SH) != 0) {
		set_cause(cause, "devdb: cannot lock %s/users.lock: %s", dir, strerror(errno));
		goto fail;
	}
	for (int tries = 0; tries < 3; tries++) {
		if (server_running(dir)) {
			/* the URI file appears right after the lock is taken */
			int64_t deadline = clock_mono_ms() + 5000;
			while ((*uri = read_uri_file(dir)) == NULL && clock_mono_ms() < deadline &&
			       server_running(dir))
				usleep(50 * 1000);
			if (*uri) {
				*out = d;
				return 0;
			}
			continue;
		}
		if (prog == NULL && (prog = find_devdb_program()) == NULL) {
			set_cause(cause,
			    "the embedded database program launchwatch-devdb was not found next to "
			    "launchwatch, in $LAUNCHWATCH_DEVDB or on PATH; build it with "
			    "'make devdb' (needs Go) or set MONGODB_URI to a MongoDB server");
			goto fail;
		}
		int rc = start_server(d, prog, uri, cause);
		if (rc == 0) {
			free(prog);
			*out = d;
			return 0;
		}
		if (rc < 0)
			goto fail;
	}
	set_cause(cause, "devdb: no server for %s after 3 tries (see %s/devdb.log)", dir, dir);
fail:
	free(prog);
	free(*uri);
	*uri = NULL;
	devdb_release(d);
	return -1;
}

/* Reads DIR/devdb.pid (0 when absent). */
static pid_t
read_pid_file(const char *dir)
{
	char *path = xasprintf("%s/devdb.pid", dir), *text = NULL;
	pid_t pid = 0;
	if (file_read_all(path, &text, NULL, NULL) == 0)
		pid = (pid_t)atol(text);
	free(text);
	free(path);
	return pid;
}

void
devdb_release(struct devdb *d)
{
	devdb_release_within(d, 10000);
}

void
devdb_release_within(struct devdb *d, int wait_ms)
{
	if (d == NULL)
		return;
	/* last user out stops the server; others keep it running */
	if (d->users_fd >= 0 && flock(d->users_fd, LOCK_EX | LOCK_NB) == 0) {
		pid_t pid = d->child ? d->child : read_pid_file(d->dir);
		if (pid > 0 && server_running(d->dir)) {
			kill(pid, SIGTERM);
			int64_t deadline = clock_mono_ms() + wait_ms;
			while (server_running(d->dir) && clock_mono_ms() < deadline) {
				if (d->child && waitpid(d->child, NULL, WNOHANG) == d->child)
					d->child = 0;
				usleep(5 * 1000);
			}
		}
		if (d->child)
			waitpid(d->child, NULL, WNOHANG);
	}
	if (d->users_fd >= 0)
		close(d->users_fd);
	free(d->dir);
	free(d);
}

int
lw_store_open(struct store **out, struct devdb **dd, char **cause)
{
	const char *uri = getenv("MONGODB_URI");
	const char *db = getenv("LAUNCHWATCH_DB");
	char *own_uri = NULL;
	*dd = NULL;
	if (db == NULL || *db == '\0')
		db = "launchwatch";
	if (uri == NULL || *uri == '\0') {
		char *data = lw_data_dir();
		char *dir = xasprintf("%s/devdb", data);
		free(data);
		int rc = devdb_ensure(dir, &own_uri, dd, cause);
		free(dir);
		if (rc != 0)
			return -1;
		uri = own_uri;
	}
	int rc = store_open(uri, db, out, cause);
	free(own_uri);
	if (rc != 0) {
		devdb_release(*dd);
		*dd = NULL;
	}
	return rc;
}
