/*
 * sha256: a small SHA-256 (FIPS 180-4) for the audit archive's manifest.
 * Pure; any thread, one context per caller.
 */
#ifndef LW_SHA256_H
#define LW_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_LEN 32
#define SHA256_HEX_LEN    65 /* 64 hex digits and a NUL */

/* A running hash; embed it and sha256_init() it. */
struct sha256 {
	uint32_t h[8];
	uint64_t nbytes;
	uint8_t buf[64];
	size_t nbuf;
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
