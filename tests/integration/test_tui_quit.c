/*
 * Quitting the console (tests/support/tui_support.c runs the real binary in
 * tmux): the time from the q key to the exit of the console's process,
 * polled in /proc, with the engine busy on the simulated demo and the
 * embedded database the console started itself, which must be stopped
 * too. The console counts from the key: its threads get 350 ms to stop and
 * the process leaves by 420 ms (src/cmd/tui.c); the test allows the 500 ms
 * a user may wait, the 80 ms beyond covering the tmux client that carries
 * the key (a fork and exec, measured here) and a loaded machine. The case
 * with the database down is in test_tui.c.
 */
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "base/util.h"
#include "testutil.h"
#include "tui_support.h"

#define QUIT_MAX_MS 500

static void
setup(void)
{
	tui_args[0] = '\0';
	tui_uri = ""; /* no MONGODB_URI: the console starts the embedded devdb */
	tui_db = NULL;
	tui_workdir = tu_tempdir();
}

/* Returns true when no devdb serves the work directory (its lock is free). */
static bool
devdb_gone(void)
{
	char *lock = xasprintf("%s/launchwatch/devdb/devdb.lock", tui_workdir);
	int fd = open(lock, O_RDONLY | O_CLOEXEC);
	free(lock);
	if (fd < 0)
		return true;
	bool free_now = flock(fd, LOCK_EX | LOCK_NB) == 0;
	close(fd);
	return free_now;
}

static void
teardown(void)
{
	tui_teardown_tmux();
	/* a failed case may have left its devdb: stop it */
	char *pidf = xasprintf("%s/launchwatch/devdb/devdb.pid", tui_workdir), *text = NULL;
	if (!devdb_gone() && file_read_all(pidf, &text, NULL, NULL) == 0 && atoi(text) > 0)
		kill(atoi(text), SIGKILL);
	free(text);
	free(pidf);
	tu_rmtree(tui_workdir);
	free(tui_workdir);
}

/* Quits with q and checks the time to the process's exit, its status and
 * that the devdb it started is stopped within a second of it. */
static void
quit_and_check(const char *when)
{
	int64_t ms = tui_quit_ms("q", 10000);
	fprintf(stderr, "quit %s: %lld ms\n", when, (long long)ms);
	ck_assert_msg(ms < QUIT_MAX_MS, "quit %s took %lld ms", when, (long long)ms);
	tui_expect("UI-EXITED 0");
	int64_t t0 = clock_mono_ms();
	while (!devdb_gone() && clock_mono_ms() - t0 < 1000)
		usleep(5 * 1000);
	ck_assert_msg(devdb_gone(), "the devdb still runs a second after the console left");
	tui_teardown_tmux();
}

/* Three starts on one data directory, quit at different moments of the
 * engine's work; each start also finds the devdb the last one stopped gone
 * and the one demo campaign again. */
START_TEST(test_quit_busy_with_embedded_devdb)
{
	tui_start_ui(120, 40, false, NULL);
	tui_expect("[1/1] Demo launch (simulated)");
	/* jobs have run: "ok, last success ..." or, when the row is tight, "ok ..." */
	free(tui_wait_screen("): ok", false));
	quit_and_check("after the first jobs");

	tui_start_ui(120, 40, false, NULL);
	tui_expect("[1/1] Demo launch (simulated)"); /* the engine is starting its jobs */
	quit_and_check("at start");

	tui_start_ui(120, 40, false, NULL);
	tui_expect("[1/1] Demo launch (simulated)");
	free(tui_wait_screen("): ok", false));
	quit_and_check("on a restarted demo");
}
END_TEST

static Suite *
quit_suite(void)
{
	Suite *s = suite_create("tui_quit");
	TCase *tc = tcase_create("tmux");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 150);
	tcase_add_test(tc, test_quit_busy_with_embedded_devdb);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tui_run(quit_suite());
}
