/*
 * sha256: SHA-256 for the audit archive's manifest and the JSON endpoint's
 * ETags, from libsodium (crypto_hash_sha256: a plain state struct, nothing
 * to free). Pure; any thread, one context per caller.
 */
#ifndef LW_SHA256_H
#define LW_SHA256_H

#include <sodium/crypto_hash_sha256.h>
#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_LEN 32
#define SHA256_HEX_LEN    65 /* 64 hex digits and a NUL */

/* A running hash; embed it and sha256_init() it (nothing to free). */
struct sha256 {
	crypto_hash_sha256_state st;
};

/* Starts a new hash in ctx. */
void sha256_init(struct sha256 *ctx);
/* Feeds n bytes at p into ctx. */
void sha256_update(struct sha256 *ctx, const void *p, size_t n);
/* Finishes ctx and writes the 32-byte digest into out (ctx is spent). */
void sha256_final(struct sha256 *ctx, uint8_t out[SHA256_DIGEST_LEN]);
/* Writes a digest as 64 lower-case hex digits and a NUL into hex. */
void sha256_to_hex(const uint8_t d[SHA256_DIGEST_LEN], char hex[SHA256_HEX_LEN]);
/* Hashes n bytes at p and writes the hex digest into hex. */
void sha256_hex(const void *p, size_t n, char hex[SHA256_HEX_LEN]);

#endif
