/*
 * manifest: what an audit archive's manifest.json holds (the data files with
 * their document counts and sha256 sums, the report files with their sha256
 * sums, the public key that signed it), as plain data: output/archive.c writes
 * and verifies it, the store records it in the archives collection
 * (DESIGN.md section 4). Any thread, one owner at a time.
 */
#ifndef LW_MANIFEST_H
#define LW_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/sha256.h"
#include "model/campaign.h"

#define ARCHIVE_FORMAT      "launchwatch-archive/1"
#define ARCHIVE_MANIFEST    "manifest.json"
#define ARCHIVE_SIGNATURE   "manifest.sig"
#define ARCHIVE_REPORTS     "report" /* the report folder inside an archive */
#define ARCHIVE_MAX_FILES   8
#define ARCHIVE_MAX_REPORTS 32
#define ARCHIVE_KEY_LEN     73 /* "ed25519:", 64 hex digits and a NUL */

/* One archived file as the manifest lists it. */
struct archive_file_info {
	char name[128];      /* e.g. "engagements.ndjson.gz", "report/ID.html" */
	char collection[32]; /* e.g. "engagements"; "" for a report file */
	int64_t documents;   /* lines of NDJSON; 0 for a report file */
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
	/* the files of the report folder, by name; has_reports is false in a
	 * manifest from before they were covered */
	struct archive_file_info reports[ARCHIVE_MAX_REPORTS];
	size_t nreports;
	bool has_reports;
	char signing_key[ARCHIVE_KEY_LEN]; /* "ed25519:HEX"; "" when unsigned */
};

#endif
