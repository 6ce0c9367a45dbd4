/*
 * archive_sign: the archive signing key (an Ed25519 seed in hex, one line,
 * in DATA_DIR/archive-signing.key with mode 0600) and manifest.sig, a small
 * JSON file holding the detached libsodium signature of manifest.json's
 * exact bytes and the public key that made it. The secret key never leaves
 * this file's functions: no log line, no cause and no database field holds
 * it. Files only; any thread, one key per caller.
 */
#include "output/archive_sign.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"

#define KEY_PREFIX "ed25519:"

char *
archive_key_default_path(void)
{
	char *data = lw_data_dir();
	char *path = xasprintf("%s/%s", data, ARCHIVE_KEY_FILE);
	free(data);
	return path;
}

/* Fills k->public_key from the public half of k->sk. */
static void
set_public(struct archive_key *k)
{
	memcpy(k->public_key, KEY_PREFIX, strlen(KEY_PREFIX));
	sodium_bin2hex(k->public_key + strlen(KEY_PREFIX), ARCHIVE_KEY_LEN - strlen(KEY_PREFIX),
	    k->sk + crypto_sign_SEEDBYTES, crypto_sign_PUBLICKEYBYTES);
}

/* Makes a new key at path (mode 0600, O_EXCL: never over an existing one). */
static int
create_key(const char *path, char **cause)
{
	unsigned char seed[crypto_sign_SEEDBYTES];
	char hex[2 * crypto_sign_SEEDBYTES + 2];
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	if (slash != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir_p(dir, cause) != 0) {
			free(dir);
			return -1;
		}
	}
	free(dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return set_cause(cause, "%s: %s", path, strerror(errno));
	randombytes_buf(seed, sizeof seed);
	sodium_bin2hex(hex, sizeof hex - 1, seed, sizeof seed);
	strcat(hex, "\n");
	size_t n = strlen(hex);
	int rc =
	    fchmod(fd, 0600) == 0 && write(fd, hex, n) == (ssize_t)n && fsync(fd) == 0 ? 0 : -1;
	if (rc != 0)
		set_cause(cause, "%s: %s", path, strerror(errno));
	close(fd);
	if (rc != 0)
		unlink(path);
	sodium_memzero(seed, sizeof seed);
	sodium_memzero(hex, sizeof hex);
	return rc;
}

int
archive_key_load(const char *path, bool create, struct archive_key *k, bool *created, char **cause)
{
	unsigned char seed[crypto_sign_SEEDBYTES], pk[crypto_sign_PUBLICKEYBYTES];
	char hex[2 * crypto_sign_SEEDBYTES + 2];
	struct stat st;
	memset(k, 0, sizeof *k);
	if (created)
		*created = false;
	if (sodium_init() < 0)
		return set_cause(cause, "libsodium cannot start");
	if (stat(path, &st) != 0) {
		if (errno != ENOENT)
			return set_cause(cause, "%s: %s", path, strerror(errno));
		if (!create)
			return 1;
		if (create_key(path, cause) != 0)
			return -1;
		if (created)
			*created = true;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return set_cause(cause, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || (st.st_mode & 077) != 0) {
		close(fd);
		return set_cause(cause,
		    "%s: the archive signing key is readable by others (chmod 600 it, or move it "
		    "away to make a new one)",
		    path);
	}
	ssize_t n = read(fd, hex, sizeof hex);
	close(fd);
	size_t got = 0;
	int rc = n >= 2 * crypto_sign_SEEDBYTES &&
	                 sodium_hex2bin(seed, sizeof seed, hex, (size_t)n, "\n", &got, NULL) == 0 &&
	                 got == sizeof seed
	             ? 0
	             : -1;
	if (rc == 0)
		crypto_sign_seed_keypair(pk, k->sk, seed);
	sodium_memzero(seed, sizeof seed);
	sodium_memzero(hex, sizeof hex);
	if (rc != 0)
		return set_cause(cause, "%s: not an archive signing key (64 hex digits)", path);
	set_public(k);
	return 0;
}

void
archive_key_wipe(struct archive_key *k)
{
	sodium_memzero(k->sk, sizeof k->sk);
}

int
archive_key_normalize(const char *key, char out[ARCHIVE_KEY_LEN])
{
	if (strncasecmp(key, KEY_PREFIX, strlen(KEY_PREFIX)) == 0)
		key += strlen(KEY_PREFIX);
	if (strlen(key) != 2 * crypto_sign_PUBLICKEYBYTES)
		return -1;
	char *p = out + strlen(KEY_PREFIX);
	memcpy(out, KEY_PREFIX, strlen(KEY_PREFIX));
	for (; *key; key++) {
		if (!isxdigit((unsigned char)*key))
			return -1;
		*p++ = (char)tolower((unsigned char)*key);
	}
	*p = '\0';
	return 0;
}

int
archive_sign_manifest(const char *dir, const struct archive_key *k, char **cause)
{
	unsigned char sig[crypto_sign_BYTES];
	char sighex[2 * crypto_sign_BYTES + 1];
	char *path = xasprintf("%s/%s", dir, ARCHIVE_MANIFEST), *data = NULL;
	size_t len;
	int rc = file_read_all(path, &data, &len, cause);
	free(path);
	if (rc != 0)
		return -1;
	crypto_sign_detached(sig, NULL, (const unsigned char *)data, len, k->sk);
	free(data);
	sodium_bin2hex(sighex, sizeof sighex, sig, sizeof sig);
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s}", "format", ARCHIVE_SIG_FORMAT,
	    "algorithm", "ed25519", "signed_file", ARCHIVE_MANIFEST, "public_key", k->public_key,
	    "signature", sighex);
	return archive_json_write(dir, ARCHIVE_SIGNATURE, j, cause);
}

int
archive_json_write(const char *dir, const char *name, json_t *j, char **cause)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (s == NULL)
		abort(); /* only fails when out of memory */
	char *text = xasprintf("%s\n", s);
	free(s);
	char *path = xasprintf("%s/%s", dir, name);
	int rc = mkdir_p(dir, cause) == 0 ? file_write_atomic(path, text, strlen(text), cause) : -1;
	free(path);
	free(text);
	return rc;
}

/* Reads manifest.sig's public key and signature into pk and sig; 0, or -1
 * with *why when it is malformed. */
static int
read_signature(const char *path, char signer[ARCHIVE_KEY_LEN], unsigned char *pk,
    unsigned char *sig, char **why)
{
	json_error_t jerr;
	json_t *j = json_load_file(path, 0, &jerr);
	if (j == NULL)
		return set_cause(why, "%s does not parse: %s", ARCHIVE_SIGNATURE, jerr.text);
	const char *fmt = json_string_value(json_object_get(j, "format"));
	const char *alg = json_string_value(json_object_get(j, "algorithm"));
	const char *key = json_string_value(json_object_get(j, "public_key"));
	const char *hex = json_string_value(json_object_get(j, "signature"));
	size_t got = 0, gotsig = 0;
	int rc = fmt && strcmp(fmt, ARCHIVE_SIG_FORMAT) == 0 && alg &&
	                 strcmp(alg, "ed25519") == 0 && key &&
	                 archive_key_normalize(key, signer) == 0 && hex &&
	                 sodium_hex2bin(pk, crypto_sign_PUBLICKEYBYTES, signer + strlen(KEY_PREFIX),
	                     2 * crypto_sign_PUBLICKEYBYTES, NULL, &got, NULL) == 0 &&
	                 got == crypto_sign_PUBLICKEYBYTES &&
	                 sodium_hex2bin(
	                     sig, crypto_sign_BYTES, hex, strlen(hex), NULL, &gotsig, NULL) == 0 &&
	                 gotsig == crypto_sign_BYTES
	             ? 0
	             : -1;
	json_decref(j);
	if (rc != 0)
		return set_cause(
		    why, "%s is not a %s signature", ARCHIVE_SIGNATURE, ARCHIVE_SIG_FORMAT);
	return 0;
}

int
archive_check_signature(const char *dir, char signer[ARCHIVE_KEY_LEN], char **why)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES], sig[crypto_sign_BYTES];
	struct stat st;
	*signer = '\0';
	if (sodium_init() < 0)
		return set_cause(why, "libsodium cannot start");
	char *spath = xasprintf("%s/%s", dir, ARCHIVE_SIGNATURE);
	if (stat(spath, &st) != 0 && errno == ENOENT) {
		free(spath);
		return 1;
	}
	int rc = read_signature(spath, signer, pk, sig, why);
	free(spath);
	if (rc != 0)
		return 2;
	char *mpath = xasprintf("%s/%s", dir, ARCHIVE_MANIFEST), *data = NULL;
	size_t len;
	rc = file_read_all(mpath, &data, &len, why);
	free(mpath);
	if (rc != 0)
		return -1;
	rc = crypto_sign_verify_detached(sig, (const unsigned char *)data, len, pk);
	free(data);
	if (rc != 0) {
		set_cause(why,
		    "the signature by %s does not match (the manifest was changed after it was "
		    "signed)",
		    signer);
		return 2;
	}
	return 0;
}
