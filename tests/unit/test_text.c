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

/* Spoofing strings seen in handles and names, and what is shown of them. */
static const struct {
	const char *in, *want;
} spoofs[] = {
    /* RLO makes "@vitalik\u202Eetub" display as "@vitalikbute" */
    {"@vitalik\xe2\x80\xae"
     "etub",
        "@vitaliketub"},
    /* LRE/RLE/PDF, LRO, isolates and marks around a handle */
    {"\xe2\x80\xaa@a16z\xe2\x80\xac\xe2\x80\xad", "@a16z"},
    {"\xe2\x81\xa6@paradigm\xe2\x81\xa9\xe2\x81\xa7x\xe2\x81\xa8", "@paradigmx"},
    {"\xe2\x80\x8e@sequoia\xe2\x80\x8f\xd8\x9c", "@sequoia"},
    /* zero-width space, non-joiner, joiner, word joiner, BOM inside a handle */
    {"vi\xe2\x80\x8bta\xe2\x80\x8cli\xe2\x80\x8dk", "vitalik"},
    {"\xef\xbb\xbf"
     "cz\xe2\x81\xa0_binance",
        "cz_binance"},
    /* soft hyphen, invisible times, Hangul filler */
    {"el\xc2\xadon\xe2\x81\xa2mu\xe3\x85\xa4sk", "elonmusk"},
    /* zalgo: ten combining marks on one letter keep two */
    {"Z\xcc\xb6\xcc\xb6\xcc\xb6\xcc\xb6\xcc\xb6\xcc\xb6\xcc\xb6\xcc\xb6\xcc\xb6\xcc\xb6"
     "a",
        "Z\xcc\xb6\xcc\xb6"
        "a"},
    /* an invisible character between marks does not restart the count */
    {"e\xcc\x81\xe2\x80\x8b\xcc\x81\xcc\x81", "e\xcc\x81\xcc\x81"},
    /* real text keeps its marks: e + acute (NFD), Vietnamese e + dot + circumflex */
    {"Jose\xcc\x81 Vie\xcc\xa3\xcc\x82t", "Jose\xcc\x81 Vie\xcc\xa3\xcc\x82t"},
    /* a joiner inside an emoji sequence (family, rainbow flag) stays */
    {"\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7",
        "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7"},
    {"\xf0\x9f\x8f\xb3\xef\xb8\x8f\xe2\x80\x8d\xf0\x9f\x8c\x88",
        "\xf0\x9f\x8f\xb3\xef\xb8\x8f\xe2\x80\x8d\xf0\x9f\x8c\x88"},
    /* ... but not after or before a letter */
    {"\xf0\x9f\x91\xa8\xe2\x80\x8dx", "\xf0\x9f\x91\xa8x"},
    {"a\xe2\x80\x8d\xf0\x9f\x91\xa8", "a\xf0\x9f\x91\xa8"},
    {"\xf0\x9f\x91\xa8\xe2\x80\x8d", "\xf0\x9f\x91\xa8"},
    /* Arabic and Hebrew text itself is kept (only the controls go) */
    {"\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85 \xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d",
        "\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85 \xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d"},
};

START_TEST(test_sanitize_spoofing)
{
	for (size_t i = 0; i < sizeof spoofs / sizeof spoofs[0]; i++) {
		char *out = text_sanitize(spoofs[i].in, strlen(spoofs[i].in), 200);
		ck_assert_msg(strcmp(out, spoofs[i].want) == 0, "case %zu: got '%s' want '%s'", i,
		    out, spoofs[i].want);
		free(out);
	}
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
	tcase_add_test(tc, test_sanitize_spoofing);
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
