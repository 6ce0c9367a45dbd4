/*
 * Unit tests of SHA-256 (libsodium behind base/sha256.h) against the FIPS 180-4 / NIST
 * example vectors, and of incremental hashing in odd-sized pieces.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "base/sha256.h"
#include "base/util.h"

static const struct {
	const char *msg;
	const char *hex;
} vectors[] = {
    {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqr"
     "lmnopqrsmnopqrstnopqrstu",
        "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
};

START_TEST(test_fips_vectors)
{
	char hex[SHA256_HEX_LEN];
	sha256_hex(vectors[_i].msg, strlen(vectors[_i].msg), hex);
	ck_assert_str_eq(hex, vectors[_i].hex);
}
END_TEST

START_TEST(test_million_a)
{
	struct sha256 ctx;
	uint8_t d[SHA256_DIGEST_LEN];
	char hex[SHA256_HEX_LEN], chunk[1000];
	memset(chunk, 'a', sizeof chunk);
	sha256_init(&ctx);
	for (int i = 0; i < 1000; i++)
		sha256_update(&ctx, chunk, sizeof chunk);
	sha256_final(&ctx, d);
	sha256_to_hex(d, hex);
	ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
END_TEST

/* Every split of a message into pieces gives the one-shot digest, including
 * lengths around the 55/56/64-byte padding edges. */
START_TEST(test_incremental_splits)
{
	unsigned char msg[200];
	for (size_t i = 0; i < sizeof msg; i++)
		msg[i] = (unsigned char)(i * 7 + 3);
	static const size_t lens[] = {0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 200};
	for (size_t l = 0; l < LW_ARRAY_LEN(lens); l++) {
		char want[SHA256_HEX_LEN], got[SHA256_HEX_LEN];
		sha256_hex(msg, lens[l], want);
		for (size_t piece = 1; piece <= 70; piece += 3) {
			struct sha256 ctx;
			uint8_t d[SHA256_DIGEST_LEN];
			sha256_init(&ctx);
			for (size_t off = 0; off < lens[l]; off += piece)
				sha256_update(
				    &ctx, msg + off, lens[l] - off < piece ? lens[l] - off : piece);
			sha256_final(&ctx, d);
			sha256_to_hex(d, got);
			ck_assert_msg(strcmp(want, got) == 0, "len %zu piece %zu", lens[l], piece);
		}
	}
	/* different inputs differ (one changed bit) */
	char a[SHA256_HEX_LEN], b[SHA256_HEX_LEN];
	sha256_hex(msg, 100, a);
	msg[50] ^= 1;
	sha256_hex(msg, 100, b);
	ck_assert_str_ne(a, b);
}
END_TEST

static Suite *
sha256_suite(void)
{
	Suite *s = suite_create("sha256");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, test_fips_vectors, 0, (int)LW_ARRAY_LEN(vectors));
	tcase_add_test(tc, test_million_a);
	tcase_add_test(tc, test_incremental_splits);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(sha256_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
