/*
 * Unit tests of theme files (console/theme.c read with the shared YAML
 * reader): the shipped themes/NAME.theme files match the built-in copies, a file may
 * name only some roles, and errors come as FILE:LINE:COL with a
 * did-you-mean for roles, colours and attributes. No curses is started.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "console/theme.h"

/* Returns a new path to a file under the source tree. */
static char *
src_path(const char *rel)
{
	const char *dir = getenv("LAUNCHWATCH_SRCDIR");
	return xasprintf("%s/%s", dir != NULL && dir[0] != '\0' ? dir : ".", rel);
}

/* Parses text as theme t.theme; asserts it fails with exactly want. */
static void
parse_fails(const char *text, const char *want)
{
	struct theme t;
	char *cause = NULL;
	ck_assert_int_eq(theme_parse("t.theme", text, strlen(text), &t, &cause), -1);
	ck_assert_ptr_nonnull(cause);
	ck_assert_str_eq(cause, want);
	free(cause);
}

/* Each shipped theme file reads the same as its built-in copy. */
START_TEST(test_files_match_builtins)
{
	const char *const *names = theme_builtin_names();
	char *dir = src_path("themes");
	for (size_t i = 0; names[i] != NULL; i++) {
		struct theme from_file, built_in;
		char *path = xasprintf("%s/%s.theme", dir, names[i]), *text = NULL, *cause = NULL;
		size_t len = 0;
		ck_assert_int_eq(file_read_all(path, &text, &len, &cause), 0);
		ck_assert_msg(theme_parse(names[i], text, len, &from_file, &cause) == 0, "%s: %s",
		    path, cause ? cause : "");
		unsetenv("LAUNCHWATCH_THEMES");
		setenv("XDG_DATA_HOME", "/nonexistent", 1);
		ck_assert_int_eq(theme_load(names[i], &built_in, &cause), 0);
		for (int r = 0; r < T__COUNT; r++) {
			ck_assert_msg(from_file.style[r].fg == built_in.style[r].fg &&
			                  from_file.style[r].bg == built_in.style[r].bg &&
			                  from_file.style[r].attrs == built_in.style[r].attrs,
			    "%s: role %s differs", names[i], theme_role_name((enum theme_role)r));
		}
		free(text);
		free(path);
	}
	free(dir);
}
END_TEST

/* A partial theme keeps the default for the roles it leaves out. */
START_TEST(test_partial_and_empty)
{
	struct theme t;
	char *cause = NULL;
	static const char text[] = "# only two roles\n"
	                           "title: \"red:default underline reverse\"\n"
	                           "investor:   33:bright-blue\n";
	ck_assert_int_eq(theme_parse("p", text, strlen(text), &t, &cause), 0);
	ck_assert_str_eq(t.name, "p");
	ck_assert_int_eq(t.style[T_TITLE].fg, 1);
	ck_assert_int_eq(t.style[T_TITLE].bg, -1);
	ck_assert_int_eq(t.style[T_TITLE].attrs, THEME_UNDERLINE | THEME_REVERSE);
	ck_assert_int_eq(t.style[T_BK_INVESTOR].fg, 33);
	ck_assert_int_eq(t.style[T_BK_INVESTOR].bg, 12);
	ck_assert_int_eq(t.style[T_BK_INVESTOR].attrs, 0);
	ck_assert_int_eq(t.style[T_HEADER].fg, 0); /* black:cyan, from the default */
	ck_assert_int_eq(t.style[T_HEADER].bg, 6);
	/* An empty file, or one of comments only, is the default theme. */
	ck_assert_int_eq(theme_parse("e", "", 0, &t, &cause), 0);
	ck_assert_int_eq(t.style[T_TITLE].fg, 15);
	ck_assert_int_eq(theme_parse("c", "# nothing\n", 10, &t, &cause), 0);
	ck_assert_int_eq(t.style[T_TITLE].attrs, THEME_BOLD);
}
END_TEST

/* Errors name the place and suggest the closest known word. */
START_TEST(test_errors)
{
	parse_fails(
	    "titel: red:default\n", "t.theme:1:1: unknown role 'titel' (did you mean 'title'?)");
	parse_fails(
	    "normal: default:default\nzebra: red:default\n", "t.theme:2:1: unknown role 'zebra'");
	parse_fails("title: brigth-white:default bold\n",
	    "t.theme:1:8: title: unknown colour 'brigth-white' (did you mean 'bright-white'?)");
	parse_fails("ok: green:pink\n", "t.theme:1:5: ok: unknown colour 'pink' (a name such as "
	                                "bright-white, or a number from 0 to 255)");
	parse_fails("ok: 256:default\n", "t.theme:1:5: ok: unknown colour '256' (a name such as "
	                                 "bright-white, or a number from 0 to 255)");
	parse_fails("warn: yellow:default blod\n",
	    "t.theme:1:7: warn: unknown attribute 'blod' (did you mean 'bold'?)");
	parse_fails("warn: yellow:default italic\n",
	    "t.theme:1:7: warn: unknown attribute 'italic' (bold, reverse or underline)");
	parse_fails("dim: grey\n", "t.theme:1:6: dim must be FG:BG colours, then any of bold, "
	                           "reverse and underline (such as cyan:default bold), got 'grey'");
	parse_fails("dim: [grey, default]\nkey:\n",
	    "t.theme:1:6: dim must be colours such as cyan:default bold, got a list\n"
	    "t.theme:2:5: key must be colours such as cyan:default bold, got nothing");
	parse_fails("ok: green:default\nok: red:default\n",
	    "t.theme:2:1: duplicate key 'ok' (first at line 1)");
	parse_fails("- normal\n", "t.theme:1:1: a theme must be a mapping of role: colours (such "
	                          "as title: bright-white:default bold), got a list");
	/* The old line format is not a mapping: the reader says so. */
	parse_fails("normal default:default\ntitle  bright-white:default bold\n",
	    "t.theme:1:1: a theme must be a mapping of role: colours (such as title: "
	    "bright-white:default bold), got 'normal default:default title  "
	    "bright-white:default bold'");
	parse_fails("title: &t red:default\nok: *t\n",
	    "t.theme:2:5: YAML aliases (*t) are not supported; write the value out");
	parse_fails("title: {fg: red\n",
	    "t.theme:2:1: YAML syntax error: did not find expected ',' or '}' (while parsing a "
	    "flow mapping at line 1, column 8)");
}
END_TEST

/* theme_load reads NAME.theme from $LAUNCHWATCH_THEMES and names the file
 * in its errors. */
START_TEST(test_load_from_dir)
{
	char *dir = xasprintf("/tmp/lw_theme_%d", (int)getpid());
	char *cause = NULL, *path = xasprintf("%s/mine.theme", dir);
	struct theme t;
	ck_assert_int_eq(mkdir_p(dir, &cause), 0);
	ck_assert_int_eq(file_write_atomic(path, "ok: 46:default bold\n", 20, &cause), 0);
	setenv("LAUNCHWATCH_THEMES", dir, 1);
	ck_assert_int_eq(theme_load("mine", &t, &cause), 0);
	ck_assert_str_eq(t.name, "mine");
	ck_assert_int_eq(t.style[T_OK].fg, 46);
	ck_assert_int_eq(t.style[T_OK].attrs, THEME_BOLD);
	ck_assert_int_eq(
	    file_write_atomic(path, "ok: 46:default\nwrn: red:default\n", 32, &cause), 0);
	ck_assert_int_eq(theme_load("mine", &t, &cause), -1);
	char *want = xasprintf("%s:2:1: unknown role 'wrn' (did you mean 'warn'?)", path);
	ck_assert_str_eq(cause, want);
	free(want);
	free(cause);
	cause = NULL;
	ck_assert_int_eq(theme_load("nosuch", &t, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "no theme 'nosuch'"));
	free(cause);
	unlink(path);
	rmdir(dir);
	unsetenv("LAUNCHWATCH_THEMES");
	free(path);
	free(dir);
}
END_TEST

static Suite *
theme_suite(void)
{
	Suite *s = suite_create("theme");
	TCase *tc = tcase_create("theme");
	tcase_add_test(tc, test_files_match_builtins);
	tcase_add_test(tc, test_partial_and_empty);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_load_from_dir);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(theme_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
