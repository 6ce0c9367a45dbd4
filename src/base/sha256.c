/*
 * sha256: SHA-256 through libsodium's crypto_hash_sha256 (the hand-written
 * FIPS 180-4 code it replaces is gone). Pure; any thread, one context per
 * caller.
 */
#include "base/sha256.h"

#include <sodium/core.h>
#include <sodium/utils.h>
#include <stdlib.h>

/* Initialises libsodium once (it picks its implementations); aborts when
 * it cannot, which only happens without a random source. */
static void
sodium_ready(void)
{
	if (sodium_init() < 0)
		abort();
}

void
sha256_init(struct sha256 *ctx)
{
	sodium_ready();
	crypto_hash_sha256_init(&ctx->st);
}

void
sha256_update(struct sha256 *ctx, const void *p, size_t n)
{
	crypto_hash_sha256_update(&ctx->st, p, n);
}

void
sha256_final(struct sha256 *ctx, uint8_t out[SHA256_DIGEST_LEN])
{
	crypto_hash_sha256_final(&ctx->st, out);
}

void
sha256_to_hex(const uint8_t d[SHA256_DIGEST_LEN], char hex[SHA256_HEX_LEN])
{
	sodium_bin2hex(hex, SHA256_HEX_LEN, d, SHA256_DIGEST_LEN);
}

void
sha256_hex(const void *p, size_t n, char hex[SHA256_HEX_LEN])
{
	uint8_t d[SHA256_DIGEST_LEN];
	sodium_ready();
	crypto_hash_sha256(d, p, n);
	sha256_to_hex(d, hex);
}
