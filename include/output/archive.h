/*
 * archive: the audit archive of a closed campaign: one gzip-compressed NDJSON
 * file per collection, the report folder, a manifest.json with each data
 * file's document count and sha256 and each report file's sha256, signed in
 * manifest.sig (archive_sign.h), and the check that recomputes all of it and
 * checks the signature. Files only, no database
 * (store_report.c feeds the documents). Any thread, one archive per caller.
 */
#ifndef LW_ARCHIVE_H
#define LW_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/manifest.h"

/* A gzip NDJSON file being written (to NAME.tmp, renamed on close). */
struct archive_gz;

/* Starts dir/name (dir is created when needed). Caller finishes it with
 * archive_gz_close or archive_gz_abort. Returns 0, or -1 with a cause. */
int archive_gz_open(const char *dir, const char *name, const char *collection,
    struct archive_gz **out, char **cause);

/* Appends one document (len bytes of JSON, no newline) as one line. */
int archive_gz_add(struct archive_gz *g, const char *json, size_t len, char **cause);

/* Finishes the stream, syncs and renames the file into place, fills *info
 * and frees g (also on failure). Returns 0, or -1 with a cause. */
int archive_gz_close(struct archive_gz *g, struct archive_file_info *info, char **cause);

/* Drops a file being written (removes its temporary file) and frees g;
 * NULL is a no-op. */
void archive_gz_abort(struct archive_gz *g);

/* Hashes every file of dir/report (none when it does not exist) into
 * m->reports, sorted by name, and sets m->has_reports. Returns 0, or -1
 * with a cause (also when there are more than ARCHIVE_MAX_REPORTS). */
int archive_hash_reports(const char *dir, struct archive_manifest *m, char **cause);

/* Writes dir/manifest.json atomically. Returns 0, or -1 with a cause. */
int archive_write_manifest(const char *dir, const struct archive_manifest *m, char **cause);

/* Reads dir/manifest.json into *m. Returns 0, or -1 with a cause. */
int archive_read_manifest(const char *dir, struct archive_manifest *m, char **cause);

/* What archive_verify expects of the signature. */
struct archive_verify_opts {
	const char *expect_key;  /* "ed25519:hex" that must have signed; NULL: any */
	const char *expect_from; /* where expect_key came from, for the report */
	bool allow_unsigned;     /* an unsigned (older) archive passes */
};

/* Recomputes the sha256 and the document count of every data file and the
 * sha256 of every report file the manifest of dir lists, names files that
 * are there but not listed (manifests that cover the reports), and checks
 * manifest.sig against manifest.json and its signer against o (NULL: any
 * signer, unsigned fails). Returns 0 when all is well, 1 when something is
 * not (*report names each failing file and why), -1 when the manifest
 * cannot be read (cause). *report (new string, caller frees) has one line
 * per file and one for the signature either way. */
int archive_verify(
    const char *dir, const struct archive_verify_opts *o, char **report, char **cause);

#endif
