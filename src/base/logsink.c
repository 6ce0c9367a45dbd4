/*
 * logsink: rotated log files and journal lines behind a stdio FILE
 * (include/base/logsink.h), made with glibc's fopencookie. The cookie's
 * write function is called with whole lines (the FILE is line-buffered with
 * a buffer longer than any log line) under the FILE's own lock.
 */
#include "base/logsink.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"

#define SINK_BUF 65536

struct sink {
	char *path; /* NULL: the journal on stderr */
	int64_t max;
	int64_t size;
	FILE *f;
};

/* Opens (appending) the file of k and learns its size; 0 or -1. */
static int
sink_open(struct sink *k)
{
	k->f = fopen(k->path, "a");
	if (k->f == NULL)
		return -1;
	struct stat st;
	k->size = fstat(fileno(k->f), &st) == 0 ? (int64_t)st.st_size : 0;
	return 0;
}

/* Moves the full file aside to path.1 and starts a new one; on failure
 * the old file is kept and grows. */
static void
sink_rotate(struct sink *k)
{
	char *old = xasprintf("%s.1", k->path);
	fclose(k->f);
	k->f = NULL;
	(void)rename(k->path, old); /* cannot rotate: the same file grows */
	free(old);
	if (sink_open(k) != 0)
		k->f = NULL;
}

/* Writes whole lines to the file, rotating first when they would pass max. */
static ssize_t
file_write(void *cookie, const char *data, size_t len)
{
	struct sink *k = cookie;
	if (k->max > 0 && k->size > 0 && k->size + (int64_t)len > k->max)
		sink_rotate(k);
	if (k->f == NULL && sink_open(k) != 0)
		return (ssize_t)len; /* the log is gone: drop lines, never block the engine */
	size_t put = fwrite(data, 1, len, k->f);
	fflush(k->f);
	k->size += (int64_t)put;
	return (ssize_t)len;
}

char *
logsink_journal_line(const char *line, size_t len, char *out, size_t size)
{
	static const struct {
		const char *word;
		const char *prefix;
	} levels[] = {{"error", "<3>"}, {"warn", "<4>"}, {"info", "<6>"}, {"debug", "<7>"}};
	const char *p = line, *end = line + len;
	/* "2026-12-07T03:30:00.123Z " */
	if (len > 25 && line[4] == '-' && line[10] == 'T' && line[23] == 'Z' && line[24] == ' ')
		p = line + 25;
	const char *prefix = "<6>";
	for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
		size_t n = strlen(levels[i].word);
		if ((size_t)(end - p) > n && strncmp(p, levels[i].word, n) == 0 && p[n] == ' ') {
			prefix = levels[i].prefix;
			break;
		}
	}
	snprintf(out, size, "%s%.*s", prefix, (int)(end - p), p);
	return out;
}

/* Writes each line to stderr in its journal form. */
static ssize_t
journal_write(void *cookie, const char *data, size_t len)
{
	(void)cookie;
	char out[SINK_BUF + 8];
	for (size_t off = 0; off < len;) {
		const char *nl = memchr(data + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (data + off)) + 1 : len - off;
		logsink_journal_line(data + off, n, out, sizeof out);
		fputs(out, stderr);
		off += n;
	}
	fflush(stderr);
	return (ssize_t)len;
}

/* Frees the cookie when the FILE is closed. */
static int
sink_close(void *cookie)
{
	struct sink *k = cookie;
	if (k->f)
		fclose(k->f);
	free(k->path);
	free(k);
	return 0;
}

/* Wraps k in a line-buffered FILE with the write function w. */
static FILE *
sink_stream(struct sink *k, cookie_write_function_t *w)
{
	cookie_io_functions_t io = {.write = w, .close = sink_close};
	FILE *f = fopencookie(k, "a", io);
	if (f == NULL) {
		sink_close(k);
		return NULL;
	}
	setvbuf(f, NULL, _IOLBF, SINK_BUF);
	return f;
}

FILE *
logsink_file(const char *path, int64_t max_bytes, char **cause)
{
	struct sink *k = xcalloc(1, sizeof *k);
	k->path = xstrdup(path);
	k->max = max_bytes;
	if (sink_open(k) != 0) {
		set_cause(cause, "cannot open the log %s: %s", path, strerror(errno));
		sink_close(k);
		return NULL;
	}
	return sink_stream(k, file_write);
}

FILE *
logsink_journal(void)
{
	struct sink *k = xcalloc(1, sizeof *k);
	return sink_stream(k, journal_write);
}
