/*
 * Tests of the one CSV cell writer (base/csv.h) that the console's exports
 * and the reports share: every text cell quoted with its quotes doubled,
 * and a cell that a spreadsheet would run as a formula (= + - @, a tab, a
 * carriage return) opened with an apostrophe.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "base/csv.h"
#include "base/util.h"

/* Returns s as one cell (caller frees). */
static char *
cell(const char *s)
{
	struct sbuf b;
	sbuf_init(&b);
	csv_text(&b, s);
	return sbuf_take(&b);
}

START_TEST(test_cells)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"plain", "\"plain\""}, {"", "\"\""}, {"a,b \"q\"\nc", "\"a,b \"\"q\"\"\nc\""},
	    {"=cmd|' /C calc'!A0", "\"'=cmd|' /C calc'!A0\""}, {"+1+1", "\"'+1+1\""},
	    {"-2", "\"'-2\""}, {"@SUM(A1)", "\"'@SUM(A1)\""}, {"\t=1", "\"'\t=1\""},
	    {"\r=1", "\"'\r=1\""}, {"a=1", "\"a=1\""}, /* only the first character counts */
	};
	for (size_t i = 0; i < LW_ARRAY_LEN(cases); i++) {
		char *c = cell(cases[i].in);
		ck_assert_str_eq(c, cases[i].out);
		free(c);
	}
	char *c = cell(NULL);
	ck_assert_str_eq(c, "\"\"");
	free(c);
	struct sbuf b;
	sbuf_init(&b);
	csv_field(&b, "x", false);
	csv_field(&b, "=y", true);
	ck_assert_str_eq(b.s, "\"x\",\"'=y\"\n");
	sbuf_done(&b);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("csv");
	TCase *tc = tcase_create("csv");
	tcase_add_test(tc, test_cells);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
