/*
 * manifest: what an audit archive's manifest.json holds (the files, their
 * document counts and sha256 sums), as plain data: output/archive.c writes
 * and verifies it, the store records it in the archives collection
 * (DESIGN.md section 4). Any thread, one owner at a time.
 */
#ifndef LW_MANIFEST_H
#define LW_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "base/sha256.h"
#include "model/campaign.h"

#define ARCHIVE_FORMAT    "launchwatch-archive/1"
#define ARCHIVE_MANIFEST  "manifest.json"
#define ARCHIVE_MAX_FILES 8

/* One archived file as the manifest lists it. */
struct archive_file_info {
	char name[64];       /* e.g. "engagements.ndjson.gz" */
	char collection[32]; /* e.g. "engagements" */
	int64_t documents;   /* lines of NDJSON */
	int64_t bytes;       /* size of the compressed file */
	char sha256[SHA256_HEX_LEN];
};

/* What manifest.json holds. */
struct archive_manifest {
	char campaign_id[CAMPAIGN_ID_MAX];
	int64_t created_at_ms;
	int64_t cutoff_ms; /* documents first seen or taken after it are not included */
	struct archive_file_info files[ARCHIVE_MAX_FILES];
	size_t nfiles;
};

#endif
