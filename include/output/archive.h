/*
 * archive: the audit archive of a closed campaign: one gzip-compressed NDJSON
 * file per collection plus a manifest.json with each file's document count
 * and sha256, and the check that recomputes both. Files only, no database
 * (store_report.c feeds the documents). Any thread, one archive per caller.
 */
#ifndef LW_ARCHIVE_H
#define LW_ARCHIVE_H

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

/* Writes dir/manifest.json atomically. Returns 0, or -1 with a cause. */
int archive_write_manifest(const char *dir, const struct archive_manifest *m, char **cause);

/* Reads dir/manifest.json into *m. Returns 0, or -1 with a cause. */
int archive_read_manifest(const char *dir, struct archive_manifest *m, char **cause);

/* Recomputes the sha256 and the document count of every file the manifest of
 * dir lists. Returns 0 when all match, 1 when some do not (*report names
 * each failing file and why), -1 when the manifest cannot be read (cause).
 * *report (new string, caller frees) has one line per file either way. */
int archive_verify(const char *dir, char **report, char **cause);

#endif
