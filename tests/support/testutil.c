/*
 * testutil: temporary directories, the tests' database servers (devdb,
 * mongo-java-server or a given one; testutil.h says which when) and runs
 * of the real launchwatch binary for the Check programs. Test threads only.
 */
#include "testutil.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mongoc/mongoc.h>

#include "base/util.h"

extern char **environ;

char *
tu_tempdir(void)
{
	char *t = xstrdup("/tmp/lwtest.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(t));
	return t;
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void
tu_rmtree(const char *path)
{
	if (path != NULL)
		nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Reads one line from fd within timeout_ms into a new string (NULL on EOF). */
static char *
read_line(int fd, int timeout_ms)
{
	struct sbuf b;
	int64_t end = clock_mono_ms() + timeout_ms;
	sbuf_init(&b);
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int left = (int)(end - clock_mono_ms());
		char c;
		if (left <= 0 || poll(&p, 1, left) <= 0)
			break;
		if (read(fd, &c, 1) != 1)
			break;
		if (c == '\n')
			return sbuf_take(&b);
		sbuf_add(&b, &c, 1);
	}
	sbuf_done(&b);
	return NULL;
}

/* The backends by name (LW_TEST_BACKEND); a given URI is no name. */
static const struct {
	const char *name;
	enum tu_backend backend;
} backends[] = {{"devdb", TU_DEVDB}, {"mongo-java", TU_MONGO_JAVA}};

enum tu_backend
tu_backend(void)
{
	const char *uri = getenv("LW_TEST_MONGODB_URI");
	const char *name = getenv("LW_TEST_BACKEND");
	if (uri != NULL && *uri != '\0')
		return TU_GIVEN;
	if (name == NULL || *name == '\0')
		return TU_DEVDB;
	for (size_t i = 0; i < LW_ARRAY_LEN(backends); i++)
		if (strcmp(name, backends[i].name) == 0)
			return backends[i].backend;
	ck_abort_msg("LW_TEST_BACKEND=%s: not devdb or mongo-java", name);
	return TU_DEVDB;
}

const char *
tu_backend_name(void)
{
	enum tu_backend b = tu_backend();
	for (size_t i = 0; i < LW_ARRAY_LEN(backends); i++)
		if (backends[i].backend == b)
			return backends[i].name;
	return "given";
}

bool
tu_backend_can_restart(const char *name)
{
	if (tu_backend() != TU_GIVEN)
		return true;
	printf("%s: skipped on LW_TEST_MONGODB_URI: the test stops and restarts its "
	       "database server, and cannot stop one it did not start\n",
	    name);
	fflush(stdout);
	return false;
}

/* Starts argv with its stdout on a pipe (and, when in_fd is not NULL, its
 * stdin on another whose write end goes to *in_fd) and returns the first
 * line it prints within 30 s (NULL when none); the pid goes to *pid. */
static char *
spawn_server(char *const *argv, pid_t *pid, int *in_fd)
{
	int out[2], in[2] = {-1, -1};
	posix_spawn_file_actions_t fa;
	ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	if (in_fd != NULL) {
		ck_assert_int_eq(pipe2(in, O_CLOEXEC), 0);
		posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	}
	int rc = posix_spawnp(pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(out[1]);
	if (in_fd != NULL) {
		close(in[0]);
		*in_fd = in[1];
	}
	ck_assert_msg(rc == 0, "cannot start %s: %s", argv[0], strerror(rc));
	/* a restart on the same port may need the old socket to go away first */
	char *line = read_line(out[0], 30000);
	close(out[0]);
	return line;
}

/* Starts bin/launchwatch-devdb (path from $LAUNCHWATCH_DEVDB) over d->dir. */
static void
start_devdb(struct tu_devdb *d, const char *listen)
{
	const char *bin = getenv("LAUNCHWATCH_DEVDB");
	if (bin == NULL)
		bin = "bin/launchwatch-devdb";
	char *argv[] = {
	    (char *)bin, (char *)"--dir", d->dir, (char *)"--listen", (char *)listen, NULL};
	d->uri = spawn_server(argv, &d->pid, NULL);
	ck_assert_msg(d->uri != NULL, "devdb printed no URI");
}

/* Starts an empty mongo-java-server from $LW_MONGOJAVA_JAR (make test-mongo
 * builds it); it also stops when its stdin closes, so a test that dies
 * leaves no server behind. */
static void
start_mongo_java(struct tu_devdb *d, const char *listen)
{
	const char *jar = getenv("LW_MONGOJAVA_JAR");
	if (jar == NULL || *jar == '\0')
		jar = "tools/mongojava/target/launchwatch-mongojava.jar";
	ck_assert_msg(access(jar, R_OK) == 0,
	    "%s: missing (scripts/install-deps.sh or make test-mongo builds it)", jar);
	/* one collector thread and the quick compiler: a short-lived server */
	char *argv[] = {(char *)"java", (char *)"-XX:+UseSerialGC",
	    (char *)"-XX:TieredStopAtLevel=1", (char *)"-Xmx512m", (char *)"-jar", (char *)jar,
	    (char *)"--listen", (char *)listen, (char *)"--watch-stdin", NULL};
	d->uri = spawn_server(argv, &d->pid, &d->in_fd);
	ck_assert_msg(d->uri != NULL, "mongo-java-server printed no URI");
}

/* Names the given server and drops every database on it but admin, config
 * and local, so the test starts from nothing. */
static void
use_given(struct tu_devdb *d)
{
	bson_error_t err;
	d->uri = xstrdup(getenv("LW_TEST_MONGODB_URI"));
	mongoc_init();
	mongoc_client_t *c = mongoc_client_new(d->uri);
	ck_assert_msg(c != NULL, "LW_TEST_MONGODB_URI is not a valid URI");
	char **names = mongoc_client_get_database_names_with_opts(c, NULL, &err);
	ck_assert_msg(
	    names != NULL, "listing the databases of LW_TEST_MONGODB_URI: %s", err.message);
	for (char **n = names; *n; n++) {
		if (strcmp(*n, "admin") == 0 || strcmp(*n, "config") == 0 ||
		    strcmp(*n, "local") == 0)
			continue;
		mongoc_database_t *db = mongoc_client_get_database(c, *n);
		ck_assert_msg(mongoc_database_drop(db, &err), "dropping %s: %s", *n, err.message);
		mongoc_database_destroy(db);
	}
	bson_strfreev(names);
	mongoc_client_destroy(c);
}

struct tu_devdb *
tu_devdb_start(const char *dir, int port)
{
	struct tu_devdb *d = xcalloc(1, sizeof *d);
	char listen[64];
	d->in_fd = -1;
	d->dir = dir ? xstrdup(dir) : tu_tempdir();
	snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
	switch (tu_backend()) {
	case TU_DEVDB:
		start_devdb(d, listen);
		break;
	case TU_MONGO_JAVA:
		start_mongo_java(d, listen);
		break;
	case TU_GIVEN:
		use_given(d);
		break;
	}
	const char *colon = strrchr(d->uri, ':');
	d->port = colon ? atoi(colon + 1) : 0;
	return d;
}

void
tu_devdb_stop(struct tu_devdb *d)
{
	if (d == NULL || d->pid <= 0)
		return;
	kill(d->pid, SIGTERM);
	if (d->in_fd >= 0)
		close(d->in_fd);
	d->in_fd = -1;
	int st;
	for (int i = 0; i < 200; i++) {
		if (waitpid(d->pid, &st, WNOHANG) == d->pid) {
			d->pid = 0;
			return;
		}
		usleep(50 * 1000);
	}
	kill(d->pid, SIGKILL);
	waitpid(d->pid, &st, 0);
	d->pid = 0;
}

void
tu_devdb_free(struct tu_devdb *d)
{
	if (d == NULL)
		return;
	tu_devdb_stop(d);
	tu_rmtree(d->dir);
	free(d->dir);
	free(d->uri);
	free(d);
}

/* Drains fd into b while it has data; returns false at EOF. */
static int
drain(int fd, struct sbuf *b)
{
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof buf);
	if (n > 0)
		sbuf_add(b, buf, (size_t)n);
	return n > 0 || (n < 0 && errno == EINTR);
}

void
tu_run(struct tu_run *r, const char *const *env, int timeout_ms, const char *const *args)
{
	const char *bin = getenv("LAUNCHWATCH_BIN");
	int out[2], err[2], in;
	pid_t pid;
	size_t nenv = 0, nargs = 0, n = 0;
	posix_spawn_file_actions_t fa;
	struct sbuf bo, be;
	if (bin == NULL)
		bin = "bin/launchwatch";
	while (environ[nenv])
		nenv++;
	for (size_t i = 0; env && env[i]; i++)
		n++;
	char **envp = xcalloc(nenv + n + 1, sizeof *envp);
	size_t k = 0;
	for (size_t i = 0; env && env[i]; i++)
		envp[k++] = (char *)env[i];
	for (size_t i = 0; i < nenv; i++) {
		/* entries given by the test win ("NAME=" sets it empty) */
		int shadowed = 0;
		for (size_t j = 0; env && env[j]; j++) {
			size_t l = strcspn(env[j], "=") + 1;
			if (strncmp(environ[i], env[j], l) == 0)
				shadowed = 1;
		}
		if (!shadowed)
			envp[k++] = environ[i];
	}
	while (args[nargs])
		nargs++;
	char **argv = xcalloc(nargs + 2, sizeof *argv);
	argv[0] = (char *)bin;
	for (size_t i = 0; i < nargs; i++)
		argv[i + 1] = (char *)args[i];

	ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(err, O_CLOEXEC), 0);
	in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in, 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, err[1], 2);
	int64_t t0 = clock_mono_ms();
	int rc = posix_spawn(&pid, bin, &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	close(in);
	close(out[1]);
	close(err[1]);
	ck_assert_msg(rc == 0, "cannot start %s: %s", bin, strerror(rc));
	sbuf_init(&bo);
	sbuf_init(&be);
	sbuf_add(&bo, "", 0);
	sbuf_add(&be, "", 0);
	int open_out = 1, open_err = 1, killed = 0;
	while (open_out || open_err) {
		struct pollfd p[2] = {{.fd = open_out ? out[0] : -1, .events = POLLIN},
		    {.fd = open_err ? err[0] : -1, .events = POLLIN}};
		int left = (int)(t0 + timeout_ms - clock_mono_ms());
		if (left <= 0) {
			kill(pid, SIGKILL);
			killed = 1;
			break;
		}
		if (poll(p, 2, left) <= 0)
			continue;
		if (p[0].revents && !drain(out[0], &bo))
			open_out = 0;
		if (p[1].revents && !drain(err[0], &be))
			open_err = 0;
	}
	int st;
	waitpid(pid, &st, 0);
	r->ms = clock_mono_ms() - t0;
	close(out[0]);
	close(err[0]);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	if (killed)
		r->status = -1;
	r->out = sbuf_take(&bo);
	r->err = sbuf_take(&be);
	free(envp);
	free(argv);
}

void
tu_run_done(struct tu_run *r)
{
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof *r);
}

char *
tu_write_file(const char *dir, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return path;
}

uint64_t
tu_rand(uint64_t *state)
{
	uint64_t x = *state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *state = x;
}

void
tu_same_text(const char *what, const char *got, const char *want)
{
	size_t line = 1;
	const char *g = got, *w = want;
	while (*g && *g == *w) {
		line += *g == '\n';
		g++;
		w++;
	}
	if (*g == *w)
		return;
	while (g > got && g[-1] != '\n')
		g--, w--;
	ck_abort_msg("%s differ at line %zu:\n got: %.300s\nwant: %.300s", what, line, g, w);
}
