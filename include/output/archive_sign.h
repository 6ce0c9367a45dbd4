/*
 * archive_sign: the Ed25519 key that signs audit archives (libsodium) and
 * the signature file next to manifest.json. The secret key lives in
 * DATA_DIR/archive-signing.key (mode 0600, created on the first close-out,
 * never logged, never stored in the database); its public half is written
 * into each manifest and signature as "ed25519:HEX". Files only; any
 * thread, one key per caller.
 */
#ifndef LW_ARCHIVE_SIGN_H
#define LW_ARCHIVE_SIGN_H

#include <jansson.h>
#include <stdbool.h>

#include "model/manifest.h"

#define ARCHIVE_KEY_FILE   "archive-signing.key"
#define ARCHIVE_SIG_FORMAT "launchwatch-signature/1"

/* A loaded signing key; archive_key_wipe() clears it. */
struct archive_key {
	unsigned char sk[64];             /* libsodium's secret key (seed + public key) */
	char public_key[ARCHIVE_KEY_LEN]; /* "ed25519:HEX" */
};

/* Returns the key's path: DATA_DIR/archive-signing.key (new string). */
char *archive_key_default_path(void);

/* Loads the key at path into *k; when it does not exist and create is set,
 * makes a new one there first (mode 0600, its folder created) and sets
 * *created. Returns 0, 1 when it does not exist and create is not set, or
 * -1 with a cause (also when the file is readable by group or others). */
int archive_key_load(
    const char *path, bool create, struct archive_key *k, bool *created, char **cause);

/* Clears the secret half of *k from memory. */
void archive_key_wipe(struct archive_key *k);

/* Signs dir/manifest.json as it is on disk with k and writes
 * dir/manifest.sig atomically. Returns 0, or -1 with a cause. */
int archive_sign_manifest(const char *dir, const struct archive_key *k, char **cause);

/* Checks dir/manifest.sig against the bytes of dir/manifest.json and copies
 * the signing public key into signer. Returns 0 when the signature is good,
 * 1 when there is no signature file, 2 when the signature does not match or
 * the signature file is malformed (*why, new string), -1 on a read error
 * (*why). */
int archive_check_signature(const char *dir, char signer[ARCHIVE_KEY_LEN], char **why);

/* Writes j (takes it) as indented JSON with a final newline to dir/name
 * atomically (dir is created when needed): the manifest and its signature.
 * Returns 0, or -1 with a cause. */
int archive_json_write(const char *dir, const char *name, json_t *j, char **cause);

/* Writes key (HEX or "ed25519:HEX", any case) as "ed25519:hex" into out;
 * returns 0, or -1 when it is not 64 hex digits. */
int archive_key_normalize(const char *key, char out[ARCHIVE_KEY_LEN]);

#endif
