/*
 * Unit tests of text: the one UTF-8 decoder (valid characters of every
 * length, and each kind of invalid input giving U+FFFD and one byte), the
 * encoder it mirrors, and text_sanitize's use of it.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "base/util.h"

START_TEST(test_decode_valid)
{
	static const struct {
		const char *s;
		uint32_t cp;
		size_t len;
	} cases[] = {
	    {"A", 'A', 1},
	    {"\x7f", 0x7f, 1},
	    {"\xc2\x80", 0x80, 2},
	    {"\xc3\xa9t\xc3\xa9", 0xe9, 2},
	    {"\xe2\x80\xa6", 0x2026, 3},
	    {"\xef\xbf\xbd", 0xfffd, 3},
	    {"\xf0\x9f\x9a\x80", 0x1f680, 4},
	    {"\xf4\x8f\xbf\xbf", 0x10ffff, 4},
	};
	for (size_t i = 0; i < LW_ARRAY_LEN(cases); i++) {
		uint32_t cp = 0;
		size_t n = text_utf8_decode(cases[i].s, strlen(cases[i].s), &cp);
		ck_assert_msg(n == cases[i].len && cp == cases[i].cp, "case %zu: %zu U+%04X", i, n,
		    (unsigned)cp);
		char u[4];
		ck_assert_uint_eq(text_utf8_encode(cp, u), n);
		ck_assert_int_eq(memcmp(u, cases[i].s, n), 0);
	}
}
END_TEST

START_TEST(test_decode_invalid)
{
	static const struct {
		const char *s;
		size_t avail;
	} cases[] = {
	    {"\x80", 1},             /* a stray continuation byte */
	    {"\277A", 2},            /* another, before an A */
	    {"\xc0\x80", 2},         /* overlong NUL */
	    {"\xe0\x80\xaf", 3},     /* overlong '/' */
	    {"\xed\xa0\x80", 3},     /* a surrogate */
	    {"\xf4\x90\x80\x80", 4}, /* past U+10FFFF */
	    {"\xf8\x88\x80\x80", 4}, /* a five-byte lead */
	    {"\xff", 1},             /* never a UTF-8 byte */
	    {"\xe2\x82", 2},         /* truncated by the string's end */
	    {"\xe2\x82\xac", 2},     /* truncated by len */
	    {"\303A", 2},            /* a lead byte without its continuation */
	};
	for (size_t i = 0; i < LW_ARRAY_LEN(cases); i++) {
		uint32_t cp = 0;
		size_t n = text_utf8_decode(cases[i].s, cases[i].avail, &cp);
		ck_assert_msg(
		    n == 1 && cp == TEXT_REPLACEMENT, "case %zu: %zu U+%04X", i, n, (unsigned)cp);
	}
}
END_TEST

START_TEST(test_sanitize_replacement)
{
	/* an invalid byte becomes U+FFFD; a real U+FFFD stays one; the valid
	 * characters around them are kept whole */
	const char in[] = "a\xff"
	                  "b\xef\xbf\xbd"
	                  "c\xe2\x82"
	                  "\xc3\xa9";
	char *out = text_sanitize(in, strlen(in), 100);
	ck_assert_str_eq(out, "a\xef\xbf\xbd"
	                      "b\xef\xbf\xbd"
	                      "c\xef\xbf\xbd\xef\xbf\xbd"
	                      "\xc3\xa9");
	free(out);
	/* a multibyte character is never cut by max_bytes */
	out = text_sanitize("ab\xe2\x80\xa6", 5, 4);
	ck_assert_str_eq(out, "ab");
	free(out);
}
END_TEST

static Suite *
text_suite(void)
{
	Suite *s = suite_create("text");
	TCase *tc = tcase_create("utf8");
	tcase_add_test(tc, test_decode_valid);
	tcase_add_test(tc, test_decode_invalid);
	tcase_add_test(tc, test_sanitize_replacement);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(text_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
