/*
 * archive: writes gzip-compressed NDJSON files (zlib deflate with a gzip
 * wrapper and a zero mtime, so equal input gives equal bytes) while hashing
 * the compressed bytes, writes the manifest atomically, and verifies an
 * archive by recomputing every hash and count. Files only; any thread, one
 * archive per caller.
 */
#include "output/archive.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (s == NULL)
		abort(); /* only fails when out of memory */
	char *text = xasprintf("%s\n", s);
	free(s);
	char *path = xasprintf("%s/%s", dir, ARCHIVE_MANIFEST);
	int rc = mkdir_p(dir, cause) == 0 ? file_write_atomic(path, text, strlen(text), cause) : -1;
	free(path);
	free(text);
	return rc;
}

/* Returns true when name is a plain file name (no directory parts). */
static bool
plain_name(const char *name)
{
	return *name && strchr(name, '/') == NULL && strcmp(name, ".") != 0 &&
	       strcmp(name, "..") != 0;
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
	rc = 0;
fail:
	json_decref(j);
	free(path);
	return rc;
}

/* Hashes the file at path and counts the lines of its gzip content; 0, or
 * -1 with a cause when it cannot be read or decompressed. */
static int
scan_file(const char *path, char hex[SHA256_HEX_LEN], int64_t *bytes, int64_t *lines, char **cause)
{
	unsigned char buf[16384];
	struct sha256 sha;
	uint8_t d[SHA256_DIGEST_LEN];
	ssize_t n;
	*bytes = *lines = 0;
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

int
archive_verify(const char *dir, char **report, char **cause)
{
	struct archive_manifest m;
	struct sbuf b;
	int bad = 0;
	*report = NULL;
	if (archive_read_manifest(dir, &m, cause) != 0)
		return -1;
	sbuf_init(&b);
	sbuf_addstr(&b, "");
	for (size_t i = 0; i < m.nfiles; i++) {
		const struct archive_file_info *f = &m.files[i];
		char *path = xasprintf("%s/%s", dir, f->name);
		char hex[SHA256_HEX_LEN], *why = NULL;
		int64_t bytes, lines;
		if (scan_file(path, hex, &bytes, &lines, &why) != 0) {
			sbuf_printf(&b, "FAILED %s: %s\n", f->name, why);
			bad = 1;
		} else if (strcmp(hex, f->sha256) != 0) {
			sbuf_printf(&b, "FAILED %s: sha256 %s does not match the manifest's %s",
			    f->name, hex, f->sha256);
			if (lines != f->documents)
				sbuf_printf(&b, "; %lld documents, the manifest says %lld",
				    (long long)lines, (long long)f->documents);
			sbuf_addstr(&b, "\n");
			bad = 1;
		} else if (lines != f->documents) {
			sbuf_printf(&b, "FAILED %s: %lld documents, the manifest says %lld\n",
			    f->name, (long long)lines, (long long)f->documents);
			bad = 1;
		} else {
			sbuf_printf(&b, "ok     %s: %lld documents, sha256 %s\n", f->name,
			    (long long)lines, hex);
		}
		free(why);
		free(path);
	}
	*report = sbuf_take(&b);
	return bad;
}
