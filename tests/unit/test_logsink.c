/*
 * test_logsink: the engine's log stream (src/base/logsink.c): a file
 * rotated by size keeps whole lines in FILE and FILE.1, and the journal
 * form of a line drops its timestamp and carries its level's syslog prefix.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/logsink.h"
#include "base/util.h"
#include "testutil.h"

/* Returns the size of path, -1 when it does not exist. */
static long
size_of(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* Returns the number of lines in path that end with a newline and start
 * with "line ". */
static int
whole_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return 0;
	char buf[256];
	int n = 0;
	while (fgets(buf, sizeof buf, f))
		if (strncmp(buf, "line ", 5) == 0 && buf[strlen(buf) - 1] == '\n')
			n++;
	fclose(f);
	return n;
}

START_TEST(file_rotates_by_size)
{
	char *dir = tu_tempdir();
	char *path = xasprintf("%s/run.log", dir), *old = xasprintf("%s/run.log.1", dir);
	char *cause = NULL;
	FILE *f = logsink_file(path, 1000, &cause);
	ck_assert_msg(f != NULL, "%s", cause);
	/* 100 lines of 31 bytes: 3100 bytes through a 1000-byte limit */
	for (int i = 0; i < 100; i++) {
		fprintf(f, "line %03d xxxxxxxxxxxxxxxxxxxxx\n", i);
		fflush(f);
	}
	fclose(f);
	ck_assert_int_le(size_of(path), 1000);
	ck_assert_int_le(size_of(old), 1000);
	ck_assert_int_gt(size_of(old), 900);
	/* the newest lines are in the file, the ones before in .1, all whole */
	ck_assert_int_eq(whole_lines(path) * 31, size_of(path));
	ck_assert_int_eq(whole_lines(old) * 31, size_of(old));
	FILE *r = fopen(path, "r");
	char last[64] = "", buf[64];
	while (fgets(buf, sizeof buf, r))
		snprintf(last, sizeof last, "%s", buf);
	fclose(r);
	ck_assert_str_eq(last, "line 099 xxxxxxxxxxxxxxxxxxxxx\n");
	/* reopening appends to what is there */
	long before = size_of(path);
	f = logsink_file(path, 1000, &cause);
	fprintf(f, "line 100 xxxxxxxxxxxxxxxxxxxxx\n");
	fclose(f);
	ck_assert_int_eq(size_of(path), before + 31 > 1000 ? 31 : before + 31);
	/* a log that cannot be opened names its path */
	char *bad = xasprintf("%s/no/such/dir/run.log", dir);
	ck_assert_ptr_null(logsink_file(bad, 0, &cause));
	ck_assert_ptr_nonnull(strstr(cause, bad));
	free(cause);
	free(bad);
	free(path);
	free(old);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(journal_lines_carry_levels)
{
	char out[256];
	const char *l = "2026-12-07T03:30:00.123Z warn  c1:2:replies: page refused\n";
	ck_assert_str_eq(logsink_journal_line(l, strlen(l), out, sizeof out),
	    "<4>warn  c1:2:replies: page refused\n");
	l = "2026-12-07T03:30:00.123Z error cannot reach the database\n";
	ck_assert_str_eq(logsink_journal_line(l, strlen(l), out, sizeof out),
	    "<3>error cannot reach the database\n");
	l = "2026-12-07T03:30:00.123Z info  engine started\n";
	ck_assert_str_eq(
	    logsink_journal_line(l, strlen(l), out, sizeof out), "<6>info  engine started\n");
	/* a line of another shape keeps its text at level info */
	l = "(worker_log: timeout)\n";
	ck_assert_str_eq(
	    logsink_journal_line(l, strlen(l), out, sizeof out), "<6>(worker_log: timeout)\n");
}
END_TEST

static Suite *
logsink_suite(void)
{
	Suite *s = suite_create("test_logsink");
	TCase *tc = tcase_create("logsink");
	tcase_add_test(tc, file_rotates_by_size);
	tcase_add_test(tc, journal_lines_carry_levels);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(logsink_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
