/*
 * testutil: support for the Check programs: temporary directories, a real
 * devdb process per test program, and running the launchwatch binary.
 */
#ifndef LW_TESTUTIL_H
#define LW_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Creates a fresh temporary directory and returns its path (caller frees). */
char *tu_tempdir(void);

/* Removes a directory tree (best effort). */
void tu_rmtree(const char *path);

/* A devdb process started by a test. */
struct tu_devdb {
	pid_t pid;
	char *dir;
	char *uri;
	int port;
};

/* Starts bin/launchwatch-devdb (path from $LAUNCHWATCH_DEVDB) on a free port
 * (or on port when it is not 0) over dir (a new temp dir when NULL); aborts
 * the test on failure. */
struct tu_devdb *tu_devdb_start(const char *dir, int port);
/* Stops the process (SIGTERM, then waits); keeps the data directory. */
void tu_devdb_stop(struct tu_devdb *d);
/* Stops it if running, removes its directory and frees d. */
void tu_devdb_free(struct tu_devdb *d);

/* Result of running the launchwatch binary. */
struct tu_run {
	int status; /* exit status, or 128+signal */
	char *out;  /* stdout */
	char *err;  /* stderr */
	int64_t ms; /* wall time */
};

/* Runs $LAUNCHWATCH_BIN with args (NULL-terminated) and the extra environment
 * entries in env ("NAME=value", NULL-terminated, may be NULL), feeding no
 * stdin; kills it after timeout_ms. */
void tu_run(struct tu_run *r, const char *const *env, int timeout_ms, const char *const *args);
/* Frees what tu_run allocated. */
void tu_run_done(struct tu_run *r);

/* Writes text into dir/name and returns the new path (caller frees). */
char *tu_write_file(const char *dir, const char *name, const char *text);

/* Returns the next value of the xorshift generator whose state is *state
 * (never 0): deterministic test data. */
uint64_t tu_rand(uint64_t *state);

/* Fails the test at the first line where got and want differ, showing
 * both lines; what names them ("renders", "digests"). */
void tu_same_text(const char *what, const char *got, const char *want);

#endif
