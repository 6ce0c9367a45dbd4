/*
 * archive: writes gzip-compressed NDJSON files (zlib deflate with a gzip
 * wrapper and a zero mtime, so equal input gives equal bytes) while hashing
 * the compressed bytes, hashes the report folder, writes the manifest
 * atomically, and verifies an archive: every hash and count, no file added,
 * and the manifest's signature (archive_sign.c) and signer. Files only; any
 * thread, one archive per caller.
 */
#include "output/archive.h"
#include "output/archive_sign.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "base/timestr.h"
#include "base/util.h"

struct archive_gz {
	char *path;
	char *tmp;
	char name[64];
	char collection[32];
	int fd;
	z_stream z;
	struct sha256 sha;
	int64_t documents;
	int64_t bytes;
};

/* Writes all n bytes to fd; 0 or -1 with errno set. */
static int
write_all(int fd, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
archive_gz_open(const char *dir, const char *name, const char *collection, struct archive_gz **out,
    char **cause)
{
	*out = NULL;
	if (strlen(name) >= sizeof((struct archive_gz *)0)->name ||
	    strlen(collection) >= sizeof((struct archive_gz *)0)->collection)
		return set_cause(cause, "archive file name too long: %s", name);
	if (mkdir_p(dir, cause) != 0)
		return -1;
	struct archive_gz *g = xcalloc(1, sizeof *g);
	snprintf(g->name, sizeof g->name, "%s", name);
	snprintf(g->collection, sizeof g->collection, "%s", collection);
	g->path = xasprintf("%s/%s", dir, name);
	g->tmp = xasprintf("%s.tmp", g->path);
	g->fd = open(g->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (g->fd < 0) {
		set_cause(cause, "%s: %s", g->tmp, strerror(errno));
		free(g->path);
		free(g->tmp);
		free(g);
		return -1;
	}
	/* windowBits 15 + 16: a gzip wrapper with mtime 0 and no file name */
	if (deflateInit2(&g->z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort(); /* only fails when out of memory or on a bad argument */
	sha256_init(&g->sha);
	*out = g;
	return 0;
}

/* Runs deflate over the pending input with flush and writes what comes out. */
static int
gz_pump(struct archive_gz *g, int flush, char **cause)
{
	unsigned char buf[16384];
	int zr;
	do {
		g->z.next_out = buf;
		g->z.avail_out = sizeof buf;
		zr = deflate(&g->z, flush);
		if (zr == Z_STREAM_ERROR)
			return set_cause(cause, "%s: compression failed", g->tmp);
		size_t n = sizeof buf - g->z.avail_out;
		if (n > 0) {
			if (write_all(g->fd, buf, n) != 0)
				return set_cause(cause, "%s: %s", g->tmp, strerror(errno));
			sha256_update(&g->sha, buf, n);
			g->bytes += (int64_t)n;
		}
	} while (g->z.avail_out == 0 || (flush == Z_FINISH && zr != Z_STREAM_END));
	return 0;
}

int
archive_gz_add(struct archive_gz *g, const char *json, size_t len, char **cause)
{
	static const char nl = '\n';
	if (memchr(json, '\n', len) != NULL)
		return set_cause(cause, "%s: a document holds a raw newline", g->name);
	g->z.next_in = (unsigned char *)json;
	g->z.avail_in = (uInt)len;
	if (gz_pump(g, Z_NO_FLUSH, cause) != 0)
		return -1;
	g->z.next_in = (unsigned char *)&nl;
	g->z.avail_in = 1;
	if (gz_pump(g, Z_NO_FLUSH, cause) != 0)
		return -1;
	g->documents++;
	return 0;
}

void
archive_gz_abort(struct archive_gz *g)
{
	if (g == NULL)
		return;
	deflateEnd(&g->z);
	if (g->fd >= 0)
		close(g->fd);
	unlink(g->tmp);
	free(g->path);
	free(g->tmp);
	free(g);
}

int
archive_gz_close(struct archive_gz *g, struct archive_file_info *info, char **cause)
{
	uint8_t d[SHA256_DIGEST_LEN];
	g->z.next_in = NULL;
	g->z.avail_in = 0;
	if (gz_pump(g, Z_FINISH, cause) != 0)
		goto fail;
	if (fsync(g->fd) != 0 || close(g->fd) != 0) {
		g->fd = -1;
		set_cause(cause, "%s: %s", g->tmp, strerror(errno));
		goto fail;
	}
	g->fd = -1;
	if (rename(g->tmp, g->path) != 0) {
		set_cause(cause, "%s: %s", g->path, strerror(errno));
		goto fail;
	}
	memset(info, 0, sizeof *info);
	snprintf(info->name, sizeof info->name, "%s", g->name);
	snprintf(info->collection, sizeof info->collection, "%s", g->collection);
	info->documents = g->documents;
	info->bytes = g->bytes;
	sha256_final(&g->sha, d);
	sha256_to_hex(d, info->sha256);
	deflateEnd(&g->z);
	free(g->path);
	free(g->tmp);
	free(g);
	return 0;
fail:
	archive_gz_abort(g);
	return -1;
}

int
archive_write_manifest(const char *dir, const struct archive_manifest *m, char **cause)
{
	char created[40], cutoff[40];
	timestr_format_time(m->created_at_ms / 1000, created, sizeof created);
	timestr_format_time(m->cutoff_ms / 1000, cutoff, sizeof cutoff);
	json_t *files = json_array();
	for (size_t i = 0; i < m->nfiles; i++) {
		const struct archive_file_info *f = &m->files[i];
		json_array_append_new(
		    files, json_pack("{s:s, s:s, s:I, s:I, s:s}", "name", f->name, "collection",
		               f->collection, "documents", (json_int_t)f->documents, "bytes",
		               (json_int_t)f->bytes, "sha256", f->sha256));
	}
	json_t *j = json_pack("{s:s, s:s, s:I, s:s, s:I, s:s, s:o}", "format", ARCHIVE_FORMAT,
	    "campaign_id", m->campaign_id, "created_at_ms", (json_int_t)m->created_at_ms,
	    "created_at", created, "cutoff_ms", (json_int_t)m->cutoff_ms, "cutoff", cutoff, "files",
	    files);
	if (m->has_reports) {
		json_t *reports = json_array();
		for (size_t i = 0; i < m->nreports; i++)
			json_array_append_new(reports,
			    json_pack("{s:s, s:I, s:s}", "name", m->reports[i].name, "bytes",
			        (json_int_t)m->reports[i].bytes, "sha256", m->reports[i].sha256));
		json_object_set_new(j, "reports", reports);
	}
	if (*m->signing_key)
		json_object_set_new(j, "signing_key", json_string(m->signing_key));
	return archive_json_write(dir, ARCHIVE_MANIFEST, j, cause);
}

/* Returns true when name is a plain file name (no directory parts). */
static bool
plain_name(const char *name)
{
	return *name && strchr(name, '/') == NULL && strcmp(name, ".") != 0 &&
	       strcmp(name, "..") != 0;
}

/* Returns true when name is "report/" and a plain file name. */
static bool
report_name(const char *name)
{
	size_t n = strlen(ARCHIVE_REPORTS);
	return strncmp(name, ARCHIVE_REPORTS, n) == 0 && name[n] == '/' && plain_name(name + n + 1);
}

/* Reads the manifest's "reports" array into m (none in an older manifest);
 * 0, or -1 with a cause naming path. */
static int
read_reports(json_t *j, const char *path, struct archive_manifest *m, char **cause)
{
	const char *key = json_string_value(json_object_get(j, "signing_key"));
	if (key != NULL && strlen(key) < sizeof m->signing_key)
		snprintf(m->signing_key, sizeof m->signing_key, "%s", key);
	json_t *reports = json_object_get(j, "reports");
	if (reports == NULL)
		return 0;
	if (!json_is_array(reports) || json_array_size(reports) > ARCHIVE_MAX_REPORTS)
		return set_cause(cause, "%s: the reports list is malformed", path);
	m->has_reports = true;
	for (size_t i = 0; i < json_array_size(reports); i++) {
		json_t *f = json_array_get(reports, i);
		struct archive_file_info *fi = &m->reports[m->nreports++];
		const char *name = json_string_value(json_object_get(f, "name"));
		const char *sha = json_string_value(json_object_get(f, "sha256"));
		if (name == NULL || !report_name(name) || strlen(name) >= sizeof fi->name ||
		    sha == NULL || strlen(sha) != 64)
			return set_cause(cause, "%s: report entry %zu is malformed", path, i + 1);
		snprintf(fi->name, sizeof fi->name, "%s", name);
		snprintf(fi->sha256, sizeof fi->sha256, "%s", sha);
		fi->bytes = json_integer_value(json_object_get(f, "bytes"));
	}
	return 0;
}

int
archive_read_manifest(const char *dir, struct archive_manifest *m, char **cause)
{
	json_error_t jerr;
	char *path = xasprintf("%s/%s", dir, ARCHIVE_MANIFEST);
	json_t *j = json_load_file(path, 0, &jerr);
	int rc = -1;
	memset(m, 0, sizeof *m);
	if (j == NULL) {
		set_cause(cause, "%s: %s", path, jerr.text);
		goto fail;
	}
	const char *fmt = json_string_value(json_object_get(j, "format"));
	const char *cid = json_string_value(json_object_get(j, "campaign_id"));
	json_t *files = json_object_get(j, "files");
	if (fmt == NULL || strcmp(fmt, ARCHIVE_FORMAT) != 0 || cid == NULL ||
	    !json_is_array(files) || json_array_size(files) > ARCHIVE_MAX_FILES) {
		set_cause(cause, "%s: not a %s manifest", path, ARCHIVE_FORMAT);
		goto fail;
	}
	snprintf(m->campaign_id, sizeof m->campaign_id, "%s", cid);
	m->created_at_ms = json_integer_value(json_object_get(j, "created_at_ms"));
	m->cutoff_ms = json_integer_value(json_object_get(j, "cutoff_ms"));
	for (size_t i = 0; i < json_array_size(files); i++) {
		json_t *f = json_array_get(files, i);
		struct archive_file_info *fi = &m->files[m->nfiles++];
		const char *name = json_string_value(json_object_get(f, "name"));
		const char *coll = json_string_value(json_object_get(f, "collection"));
		const char *sha = json_string_value(json_object_get(f, "sha256"));
		if (name == NULL || !plain_name(name) || strlen(name) >= sizeof fi->name ||
		    coll == NULL || strlen(coll) >= sizeof fi->collection || sha == NULL ||
		    strlen(sha) != 64 || !json_is_integer(json_object_get(f, "documents"))) {
			set_cause(cause, "%s: file entry %zu is malformed", path, i + 1);
			goto fail;
		}
		snprintf(fi->name, sizeof fi->name, "%s", name);
		snprintf(fi->collection, sizeof fi->collection, "%s", coll);
		snprintf(fi->sha256, sizeof fi->sha256, "%s", sha);
		fi->documents = json_integer_value(json_object_get(f, "documents"));
		fi->bytes = json_integer_value(json_object_get(f, "bytes"));
	}
	rc = read_reports(j, path, m, cause);
fail:
	json_decref(j);
	free(path);
	return rc;
}

/* Hashes the file at path into hex and its size into *bytes; 0, or -1 with
 * a cause when it cannot be read. */
static int
hash_file(const char *path, char hex[SHA256_HEX_LEN], int64_t *bytes, char **cause)
{
	unsigned char buf[16384];
	struct sha256 sha;
	uint8_t d[SHA256_DIGEST_LEN];
	ssize_t n;
	*bytes = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return set_cause(cause, "%s", strerror(errno));
	sha256_init(&sha);
	while ((n = read(fd, buf, sizeof buf)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			set_cause(cause, "%s", strerror(errno));
			close(fd);
			return -1;
		}
		sha256_update(&sha, buf, (size_t)n);
		*bytes += n;
	}
	close(fd);
	sha256_final(&sha, d);
	sha256_to_hex(d, hex);
	return 0;
}

/* Hashes the file at path and counts the lines of its gzip content; 0, or
 * -1 with a cause when it cannot be read or decompressed. */
static int
scan_file(const char *path, char hex[SHA256_HEX_LEN], int64_t *bytes, int64_t *lines, char **cause)
{
	unsigned char buf[16384];
	*lines = 0;
	if (hash_file(path, hex, bytes, cause) != 0)
		return -1;
	gzFile gz = gzopen(path, "rb");
	if (gz == NULL)
		return set_cause(cause, "cannot open for decompression");
	int got;
	while ((got = gzread(gz, buf, sizeof buf)) > 0)
		for (int i = 0; i < got; i++)
			*lines += buf[i] == '\n';
	int errnum = Z_OK;
	const char *msg = got < 0 ? gzerror(gz, &errnum) : NULL;
	if (got < 0)
		set_cause(cause, "cannot decompress: %s", msg ? msg : "corrupt data");
	gzclose(gz);
	return got < 0 ? -1 : 0;
}

/* Orders file names for qsort. */
static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists the regular files of folder dir (new sorted array of new strings,
 * *n of them; none when dir does not exist). */
static char **
list_files(const char *dir, size_t *n)
{
	char **names = NULL;
	size_t cap = 0;
	*n = 0;
	DIR *d = opendir(dir);
	if (d == NULL)
		return NULL;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		struct stat st;
		char *path = xasprintf("%s/%s", dir, e->d_name);
		bool file = lstat(path, &st) == 0 && S_ISREG(st.st_mode);
		free(path);
		if (!file)
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			names = xreallocarray(names, cap, sizeof *names);
		}
		names[(*n)++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (*n > 1)
		qsort(names, *n, sizeof *names, cmp_names);
	return names;
}

/* Frees what list_files returned. */
static void
free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int
archive_hash_reports(const char *dir, struct archive_manifest *m, char **cause)
{
	char *rdir = xasprintf("%s/%s", dir, ARCHIVE_REPORTS);
	size_t n;
	char **names = list_files(rdir, &n);
	int rc = 0;
	m->nreports = 0;
	m->has_reports = true;
	if (n > ARCHIVE_MAX_REPORTS)
		rc = set_cause(
		    cause, "%s: %zu files, at most %d are archived", rdir, n, ARCHIVE_MAX_REPORTS);
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct archive_file_info *f = &m->reports[m->nreports++];
		memset(f, 0, sizeof *f);
		if (strlen(ARCHIVE_REPORTS) + 1 + strlen(names[i]) >= sizeof f->name) {
			rc = set_cause(cause, "%s/%s: file name too long", rdir, names[i]);
			break;
		}
		snprintf(f->name, sizeof f->name, "%s/%s", ARCHIVE_REPORTS, names[i]);
		char *path = xasprintf("%s/%s", rdir, names[i]), *why = NULL;
		if (hash_file(path, f->sha256, &f->bytes, &why) != 0) {
			set_cause(cause, "%s: %s", path, why);
			free(why);
			rc = -1;
		}
		free(path);
	}
	free_names(names, n);
	free(rdir);
	return rc;
}

/* Checks the data files of m in dir into b; returns how many failed. */
static int
verify_data(const char *dir, const struct archive_manifest *m, struct sbuf *b)
{
	int bad = 0;
	for (size_t i = 0; i < m->nfiles; i++) {
		const struct archive_file_info *f = &m->files[i];
		char *path = xasprintf("%s/%s", dir, f->name);
		char hex[SHA256_HEX_LEN], *why = NULL;
		int64_t bytes, lines;
		if (scan_file(path, hex, &bytes, &lines, &why) != 0) {
			sbuf_printf(b, "FAILED %s: %s\n", f->name, why);
			bad++;
		} else if (strcmp(hex, f->sha256) != 0) {
			sbuf_printf(b, "FAILED %s: sha256 %s does not match the manifest's %s",
			    f->name, hex, f->sha256);
			if (lines != f->documents)
				sbuf_printf(b, "; %lld documents, the manifest says %lld",
				    (long long)lines, (long long)f->documents);
			sbuf_addstr(b, "\n");
			bad++;
		} else if (lines != f->documents) {
			sbuf_printf(b, "FAILED %s: %lld documents, the manifest says %lld\n",
			    f->name, (long long)lines, (long long)f->documents);
			bad++;
		} else {
			sbuf_printf(b, "ok     %s: %lld documents, sha256 %s\n", f->name,
			    (long long)lines, hex);
		}
		free(why);
		free(path);
	}
	return bad;
}

/* Checks the report files of m in dir into b; returns how many failed. */
static int
verify_reports(const char *dir, const struct archive_manifest *m, struct sbuf *b)
{
	int bad = 0;
	for (size_t i = 0; i < m->nreports; i++) {
		const struct archive_file_info *f = &m->reports[i];
		char *path = xasprintf("%s/%s", dir, f->name);
		char hex[SHA256_HEX_LEN], *why = NULL;
		int64_t bytes;
		if (hash_file(path, hex, &bytes, &why) != 0) {
			sbuf_printf(b, "FAILED %s: %s\n", f->name, why);
			bad++;
		} else if (strcmp(hex, f->sha256) != 0) {
			sbuf_printf(b, "FAILED %s: sha256 %s does not match the manifest's %s\n",
			    f->name, hex, f->sha256);
			bad++;
		} else {
			sbuf_printf(b, "ok     %s: sha256 %s\n", f->name, hex);
		}
		free(why);
		free(path);
	}
	return bad;
}

/* Returns true when name (relative to the archive) is listed in m or is the
 * manifest or its signature. */
static bool
listed(const struct archive_manifest *m, const char *name)
{
	if (strcmp(name, ARCHIVE_MANIFEST) == 0 || strcmp(name, ARCHIVE_SIGNATURE) == 0)
		return true;
	for (size_t i = 0; i < m->nfiles; i++)
		if (strcmp(m->files[i].name, name) == 0)
			return true;
	for (size_t i = 0; i < m->nreports; i++)
		if (strcmp(m->reports[i].name, name) == 0)
			return true;
	return false;
}

/* Names into b every file of dir and of its report folder that m does not
 * list (an added file); returns how many. */
static int
verify_extra(const char *dir, const struct archive_manifest *m, struct sbuf *b)
{
	int bad = 0;
	for (int pass = 0; pass < 2; pass++) {
		char *sub = pass ? xasprintf("%s/%s", dir, ARCHIVE_REPORTS) : xstrdup(dir);
		size_t n;
		char **names = list_files(sub, &n);
		for (size_t i = 0; i < n; i++) {
			char *name = pass ? xasprintf("%s/%s", ARCHIVE_REPORTS, names[i])
			                  : xstrdup(names[i]);
			if (!listed(m, name)) {
				sbuf_printf(b, "FAILED %s: not in the manifest\n", name);
				bad++;
			}
			free(name);
		}
		free_names(names, n);
		free(sub);
	}
	return bad;
}

/* Checks the manifest's signature and signer into b; returns 1 when it
 * fails (unsigned counts unless o->allow_unsigned), else 0. */
static int
verify_signature(const char *dir, const struct archive_manifest *m,
    const struct archive_verify_opts *o, struct sbuf *b)
{
	char signer[ARCHIVE_KEY_LEN], *why = NULL;
	int rc = archive_check_signature(dir, signer, &why);
	if (rc == 1) {
		sbuf_printf(b, "%s %s: UNSIGNED (no %s: an archive from before signing)%s\n",
		    o->allow_unsigned ? "ok    " : "FAILED", ARCHIVE_MANIFEST, ARCHIVE_SIGNATURE,
		    o->allow_unsigned ? "; accepted by --allow-unsigned" : "");
		return o->allow_unsigned ? 0 : 1;
	}
	if (rc != 0) {
		sbuf_printf(b, "FAILED %s: %s\n", ARCHIVE_MANIFEST, why);
		free(why);
		return 1;
	}
	if (strcmp(m->signing_key, signer) != 0) {
		sbuf_printf(b, "FAILED %s: signed by %s, but the manifest names %s\n",
		    ARCHIVE_MANIFEST, signer, *m->signing_key ? m->signing_key : "no key");
		return 1;
	}
	if (o->expect_key && strcmp(o->expect_key, signer) != 0) {
		sbuf_printf(b, "FAILED %s: signed by %s, not by %s (%s)\n", ARCHIVE_MANIFEST,
		    signer, o->expect_key, o->expect_from ? o->expect_from : "the expected key");
		return 1;
	}
	sbuf_printf(b, "ok     %s: signature good, signed by %s (%s)\n", ARCHIVE_MANIFEST, signer,
	    o->expect_key ? (o->expect_from ? o->expect_from : "the expected key")
	                  : "no key to compare it with was given");
	return 0;
}

int
archive_verify(const char *dir, const struct archive_verify_opts *o, char **report, char **cause)
{
	static const struct archive_verify_opts none = {0};
	struct archive_manifest *m = xcalloc(1, sizeof *m);
	struct sbuf b;
	*report = NULL;
	if (o == NULL)
		o = &none;
	if (archive_read_manifest(dir, m, cause) != 0) {
		free(m);
		return -1;
	}
	sbuf_init(&b);
	sbuf_addstr(&b, "");
	int bad = verify_data(dir, m, &b);
	bad += verify_reports(dir, m, &b);
	if (m->has_reports) /* older manifests did not cover the report folder */
		bad += verify_extra(dir, m, &b);
	bad += verify_signature(dir, m, o, &b);
	free(m);
	*report = sbuf_take(&b);
	return bad ? 1 : 0;
}
