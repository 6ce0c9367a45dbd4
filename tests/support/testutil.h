/*
 * testutil: support for the Check programs: temporary directories, a real
 * database server per test (devdb, mongo-java-server or a given one), and
 * running the launchwatch binary.
 */
#ifndef LW_TESTUTIL_H
#define LW_TESTUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Creates a fresh temporary directory and returns its path (caller frees). */
char *tu_tempdir(void);

/* Removes a directory tree (best effort). */
void tu_rmtree(const char *path);

/* The database server of the database-backed tests, chosen by the
 * environment, one per tu_devdb_start:
 * - LW_TEST_MONGODB_URI=URI: that server, which must be disposable (each
 *   start drops every database but admin, config and local);
 * - else LW_TEST_BACKEND=mongo-java: a new mongo-java-server (in memory,
 *   empty) from the jar named by $LW_MONGOJAVA_JAR (make test-mongo);
 * - else (LW_TEST_BACKEND unset or "devdb"): a new launchwatch-devdb. */
enum tu_backend { TU_DEVDB, TU_MONGO_JAVA, TU_GIVEN };

/* Returns the backend the environment chooses (aborts on an unknown name). */
enum tu_backend tu_backend(void);
/* Returns the backend's name for messages ("devdb", "mongo-java", "given"). */
const char *tu_backend_name(void);
/* Returns true when the tests can stop and restart their database server
 * (not a given one); else prints "NAME: skipped on BACKEND: WHY" once. */
bool tu_backend_can_restart(const char *name);

/* A database server started (or, for a given one, named) by a test. */
struct tu_devdb {
	pid_t pid; /* 0 when the server is not the test's own */
	int in_fd; /* mongo-java: its stdin, whose end stops it; else -1 */
	char *dir; /* devdb: its data; mongo-java: a scratch directory */
	char *uri;
	int port;
};

/* Starts the chosen backend's server on a free port (or on port when it is
 * not 0; a restarted mongo-java-server is empty) over dir (devdb's data; a
 * new temp dir when NULL); aborts the test on failure. */
struct tu_devdb *tu_devdb_start(const char *dir, int port);
/* Stops the process (SIGTERM, then waits); keeps the data directory; a
 * given server is left alone. */
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
