/*
 * Unit tests of the signed audit archive on a temporary folder: the signing
 * key (made once with mode 0600, loaded again to the same public key,
 * refused when others can read it), a signed manifest covering the data and
 * report files that verifies, and each tampering archive verify must name:
 * a changed data file, a changed report file, an added file, a re-hashed
 * manifest (the signature no longer matches), a manifest signed by another
 * key, and an unsigned archive (fails unless allowed).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output/archive.h"
#include "output/archive_sign.h"
#include "base/util.h"

static char tmpl[] = "/tmp/lw-archsig-XXXXXX";
static char *tmp, *dir, *keypath;

static void
setup(void)
{
	snprintf(tmpl, sizeof tmpl, "/tmp/lw-archsig-XXXXXX");
	tmp = mkdtemp(tmpl);
	ck_assert_ptr_nonnull(tmp);
	dir = xasprintf("%s/arch", tmp);
	keypath = xasprintf("%s/data/%s", tmp, ARCHIVE_KEY_FILE);
}

static void
teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", tmp);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	free(dir);
	free(keypath);
}

/* Writes len bytes to dir/name. */
static void
put_n(const char *name, const char *data, size_t len)
{
	char *cause = NULL, *path = xasprintf("%s/%s", dir, name);
	ck_assert_msg(file_write_atomic(path, data, len, &cause) == 0, "%s", cause);
	free(path);
}

/* Writes text to dir/name. */
static void
put(const char *name, const char *text)
{
	put_n(name, text, strlen(text));
}

/* Reads dir/name into a new buffer and its length into *len. */
static char *
get(const char *name, size_t *len)
{
	char *cause = NULL, *data = NULL, *path = xasprintf("%s/%s", dir, name);
	ck_assert_msg(file_read_all(path, &data, len, &cause) == 0, "%s", cause);
	free(path);
	return data;
}

/* Builds a signed archive: one data file of two documents and two report
 * files, manifest and signature by the key at keypath (made here). */
static void
build(struct archive_key *k)
{
	struct archive_gz *g;
	struct archive_manifest m;
	char *cause = NULL;
	bool created;
	memset(&m, 0, sizeof m);
	snprintf(m.campaign_id, sizeof m.campaign_id, "acme-1234abcd");
	m.created_at_ms = 1700000000000;
	m.cutoff_ms = 1700000000000;
	ck_assert_int_eq(archive_gz_open(dir, "tweets.ndjson.gz", "tweets", &g, &cause), 0);
	ck_assert_int_eq(archive_gz_add(g, "{\"a\":1}", 7, &cause), 0);
	ck_assert_int_eq(archive_gz_add(g, "{\"a\":2}", 7, &cause), 0);
	ck_assert_int_eq(archive_gz_close(g, &m.files[m.nfiles++], &cause), 0);
	char *rdir = xasprintf("%s/%s", dir, ARCHIVE_REPORTS);
	ck_assert_int_eq(mkdir_p(rdir, &cause), 0);
	free(rdir);
	put("report/acme.html", "<html>views 1,050</html>\n");
	put("report/acme.md", "# Final report\n");
	ck_assert_int_eq(archive_hash_reports(dir, &m, &cause), 0);
	ck_assert_int_eq(m.nreports, 2);
	ck_assert_str_eq(m.reports[0].name, "report/acme.html");
	ck_assert_int_eq(archive_key_load(keypath, true, k, &created, &cause), 0);
	snprintf(m.signing_key, sizeof m.signing_key, "%s", k->public_key);
	ck_assert_int_eq(archive_write_manifest(dir, &m, &cause), 0);
	ck_assert_int_eq(archive_sign_manifest(dir, k, &cause), 0);
}

/* Verifies dir with o; checks the result and that the report holds want
 * (when not NULL); returns the report (caller frees). */
static char *
verify(const struct archive_verify_opts *o, int rc, const char *want)
{
	char *report = NULL, *cause = NULL;
	int got = archive_verify(dir, o, &report, &cause);
	ck_assert_msg(
	    got == rc, "verify returned %d, wanted %d: %s", got, rc, report ? report : cause);
	if (want != NULL)
		ck_assert_msg(strstr(report, want) != NULL, "no '%s' in:\n%s", want, report);
	return report;
}

START_TEST(test_key_made_once_private_and_stable)
{
	struct archive_key k, again;
	char *cause = NULL;
	bool created;
	ck_assert_int_eq(archive_key_load(keypath, false, &k, &created, &cause), 1);
	ck_assert_int_eq(archive_key_load(keypath, true, &k, &created, &cause), 0);
	ck_assert(created);
	struct stat st;
	ck_assert_int_eq(stat(keypath, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(strlen(k.public_key), ARCHIVE_KEY_LEN - 1);
	ck_assert(str_has_prefix(k.public_key, "ed25519:"));
	ck_assert_int_eq(archive_key_load(keypath, true, &again, &created, &cause), 0);
	ck_assert(!created);
	ck_assert_str_eq(k.public_key, again.public_key);
	/* the file holds the secret seed, not the public key */
	char *data = NULL;
	size_t len;
	ck_assert_int_eq(file_read_all(keypath, &data, &len, &cause), 0);
	ck_assert_ptr_null(strstr(data, k.public_key + strlen("ed25519:")));
	free(data);
	/* a key others can read is refused */
	ck_assert_int_eq(chmod(keypath, 0644), 0);
	ck_assert_int_eq(archive_key_load(keypath, false, &again, NULL, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "readable by others"));
	free(cause);
	archive_key_wipe(&k);
	archive_key_wipe(&again);
	/* normalizing a key given on a command line */
	char out[ARCHIVE_KEY_LEN];
	ck_assert_int_eq(archive_key_normalize(k.public_key + 8, out), 0);
	ck_assert_str_eq(out, k.public_key);
	ck_assert_int_eq(archive_key_normalize("ed25519:abc", out), -1);
}
END_TEST

START_TEST(test_signed_archive_verifies)
{
	struct archive_key k;
	build(&k);
	struct archive_verify_opts o = {.expect_key = k.public_key, .expect_from = "test"};
	char *r = verify(&o, 0, "signature good, signed by ");
	ck_assert_ptr_nonnull(strstr(r, k.public_key));
	ck_assert_ptr_nonnull(strstr(r, "ok     report/acme.html: sha256 "));
	ck_assert_ptr_nonnull(strstr(r, "ok     tweets.ndjson.gz: 2 documents"));
	ck_assert_ptr_null(strstr(r, "FAILED"));
	free(r);
	/* without an expected key it passes and says so */
	r = verify(NULL, 0, "no key to compare it with was given");
	free(r);
	struct archive_manifest m;
	char *cause = NULL;
	ck_assert_int_eq(archive_read_manifest(dir, &m, &cause), 0);
	ck_assert(m.has_reports);
	ck_assert_int_eq(m.nreports, 2);
	ck_assert_str_eq(m.signing_key, k.public_key);
	archive_key_wipe(&k);
}
END_TEST

START_TEST(test_changed_files_are_named)
{
	struct archive_key k;
	build(&k);
	struct archive_verify_opts o = {.expect_key = k.public_key};
	/* (a) a changed data file */
	size_t len;
	char *saved = get("tweets.ndjson.gz", &len);
	put("tweets.ndjson.gz", "not gzip\n");
	char *r = verify(&o, 1, "FAILED tweets.ndjson.gz:");
	free(r);
	put_n("tweets.ndjson.gz", saved, len);
	free(saved);
	/* (b) a changed report file */
	put("report/acme.html", "<html>views 9,999</html>\n");
	r = verify(&o, 1, "FAILED report/acme.html: sha256 ");
	ck_assert_ptr_nonnull(strstr(r, "ok     manifest.json: signature good"));
	free(r);
	put("report/acme.html", "<html>views 1,050</html>\n");
	/* a removed report file, then an added one */
	char *md = get("report/acme.md", &len);
	char *p = xasprintf("%s/report/acme.md", dir);
	ck_assert_int_eq(unlink(p), 0);
	r = verify(&o, 1, "FAILED report/acme.md:");
	free(r);
	put("report/acme.md", md);
	free(md);
	free(p);
	put("report/extra.csv", "a,b\n");
	r = verify(&o, 1, "FAILED report/extra.csv: not in the manifest");
	free(r);
	p = xasprintf("%s/report/extra.csv", dir);
	ck_assert_int_eq(unlink(p), 0);
	free(p);
	r = verify(&o, 0, NULL);
	free(r);
	archive_key_wipe(&k);
}
END_TEST

START_TEST(test_rehashed_manifest_fails_the_signature)
{
	struct archive_key k;
	build(&k);
	struct archive_verify_opts o = {.expect_key = k.public_key};
	/* change a report and recompute its sha256 in the manifest */
	put("report/acme.html", "<html>views 9,999</html>\n");
	struct archive_manifest m;
	char *cause = NULL;
	ck_assert_int_eq(archive_read_manifest(dir, &m, &cause), 0);
	ck_assert_int_eq(archive_hash_reports(dir, &m, &cause), 0);
	ck_assert_int_eq(archive_write_manifest(dir, &m, &cause), 0);
	char *r = verify(&o, 1, "FAILED manifest.json: the signature by ed25519:");
	ck_assert_ptr_nonnull(strstr(r, "does not match"));
	ck_assert_ptr_nonnull(strstr(r, k.public_key));
	ck_assert_ptr_nonnull(strstr(r, "ok     report/acme.html")); /* the hashes agree now */
	free(r);
	/* re-signed with another key: the signature is good, the signer is not */
	struct archive_key other;
	char *otherpath = xasprintf("%s/other.key", tmp);
	ck_assert_int_eq(archive_key_load(otherpath, true, &other, NULL, &cause), 0);
	snprintf(m.signing_key, sizeof m.signing_key, "%s", other.public_key);
	ck_assert_int_eq(archive_write_manifest(dir, &m, &cause), 0);
	ck_assert_int_eq(archive_sign_manifest(dir, &other, &cause), 0);
	r = verify(&o, 1, "FAILED manifest.json: signed by ed25519:");
	ck_assert_ptr_nonnull(strstr(r, other.public_key));
	free(r);
	r = verify(NULL, 0, other.public_key); /* no expectation: it names the signer */
	free(r);
	/* a signature file swapped in from another signer than the manifest names */
	snprintf(m.signing_key, sizeof m.signing_key, "%s", k.public_key);
	ck_assert_int_eq(archive_write_manifest(dir, &m, &cause), 0);
	ck_assert_int_eq(archive_sign_manifest(dir, &other, &cause), 0);
	r = verify(NULL, 1, "but the manifest names");
	free(r);
	free(otherpath);
	archive_key_wipe(&k);
	archive_key_wipe(&other);
}
END_TEST

START_TEST(test_unsigned_archive)
{
	struct archive_key k;
	build(&k);
	char *p = xasprintf("%s/%s", dir, ARCHIVE_SIGNATURE);
	ck_assert_int_eq(unlink(p), 0);
	char *r = verify(NULL, 1, "FAILED manifest.json: UNSIGNED");
	free(r);
	struct archive_verify_opts o = {.allow_unsigned = true};
	r = verify(&o, 0, "UNSIGNED");
	ck_assert_ptr_nonnull(strstr(r, "accepted by --allow-unsigned"));
	free(r);
	/* a malformed signature file is no signature */
	put(ARCHIVE_SIGNATURE, "{\"format\": \"launchwatch-signature/1\"}\n");
	r = verify(&o, 1, "FAILED manifest.json: manifest.sig is not a");
	free(r);
	free(p);
	archive_key_wipe(&k);
}
END_TEST

static Suite *
archive_sign_suite(void)
{
	Suite *s = suite_create("archive_sign");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_key_made_once_private_and_stable);
	tcase_add_test(tc, test_signed_archive_verifies);
	tcase_add_test(tc, test_changed_files_are_named);
	tcase_add_test(tc, test_rehashed_manifest_fails_the_signature);
	tcase_add_test(tc, test_unsigned_archive);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(archive_sign_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
