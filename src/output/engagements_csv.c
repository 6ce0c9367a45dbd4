/*
 * engagements_csv: the streamed engagement table (include/output/
 * engagements_csv.h): rows rendered into a small buffer and written to a
 * temporary file, which is synced and renamed into place at the end. Files
 * only; any thread, one table per caller.
 */
#include "output/engagements_csv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/text.h"
#include "report_cells_internal.h"

#define FLUSH_BYTES 65536 /* rows are buffered up to this many bytes */

const char engcsv_header[] = "tweet_id,user_id,handle,name,action,bucket,importance,followers,"
                             "verified,first_seen_at,created_at,evidence\r\n";

/* Appends a sanitized, guarded text cell of at most max bytes. */
static void
text_cell(struct sbuf *b, const char *s, size_t max)
{
	char *t = text_sanitize(s ? s : "", s ? strlen(s) : 0, max);
	csv_text(b, t);
	free(t);
}

void
engcsv_row(struct sbuf *b, const struct lw_engagement *e)
{
	text_cell(b, e->tweet_id, LW_ID_MAX);
	sbuf_addstr(b, ",");
	text_cell(b, e->user.id, LW_ID_MAX);
	sbuf_addstr(b, ",");
	text_cell(b, e->user.handle, 64);
	sbuf_addstr(b, ",");
	text_cell(b, e->user.name, 120);
	sbuf_printf(b, ",%s,%s,%d,%lld,%s,", action_name(e->action), bucket_name(e->bucket),
	    e->importance, (long long)e->user.followers, e->user.verified ? "true" : "false");
	if (e->first_seen_at_ms > 0)
		cell_csv_time(b, e->first_seen_at_ms);
	sbuf_addstr(b, ",");
	if (e->created_at_ms > 0)
		cell_csv_time(b, e->created_at_ms);
	sbuf_addstr(b, ",");
	text_cell(b, e->evidence, 1000);
	sbuf_addstr(b, "\r\n");
}

struct engcsv {
	char *path, *tmp;
	FILE *f;
	struct sbuf buf;
	int64_t rows;
};

/* Writes the buffered rows out. 0, or -1 with a cause. */
static int
flush_buf(struct engcsv *w, char **cause)
{
	if (w->buf.len > 0 && fwrite(w->buf.s, 1, w->buf.len, w->f) != w->buf.len)
		return set_cause(cause, "%s: %s", w->tmp, strerror(errno));
	w->buf.len = 0;
	return 0;
}

int
engcsv_open(const char *dir, const char *campaign_id, struct engcsv **out, char **cause)
{
	char *name = xasprintf("%s-engagements.csv", campaign_id);
	int rc = engcsv_open_file(dir, name, engcsv_header, out, cause);
	free(name);
	return rc;
}

int
engcsv_open_file(
    const char *dir, const char *name, const char *head, struct engcsv **out, char **cause)
{
	*out = NULL;
	if (mkdir_p(dir, cause) != 0)
		return -1;
	struct engcsv *w = xcalloc(1, sizeof *w);
	w->path = xasprintf("%s/%s", dir, name);
	w->tmp = xasprintf("%s.tmp", w->path);
	w->f = fopen(w->tmp, "we");
	if (w->f == NULL) {
		set_cause(cause, "%s: %s", w->tmp, strerror(errno));
		free(w->path);
		free(w->tmp);
		free(w);
		return -1;
	}
	sbuf_init(&w->buf);
	sbuf_addstr(&w->buf, head);
	*out = w;
	return 0;
}

int
engcsv_add_text(struct engcsv *w, const char *text, bool row, char **cause)
{
	sbuf_addstr(&w->buf, text);
	w->rows += row;
	return w->buf.len >= FLUSH_BYTES ? flush_buf(w, cause) : 0;
}

int
engcsv_add(struct engcsv *w, const struct lw_engagement *e, char **cause)
{
	engcsv_row(&w->buf, e);
	w->rows++;
	return w->buf.len >= FLUSH_BYTES ? flush_buf(w, cause) : 0;
}

int64_t
engcsv_rows(const struct engcsv *w)
{
	return w->rows;
}

void
engcsv_abort(struct engcsv *w)
{
	if (w == NULL)
		return;
	if (w->f)
		fclose(w->f);
	unlink(w->tmp);
	sbuf_done(&w->buf);
	free(w->path);
	free(w->tmp);
	free(w);
}

int
engcsv_close(struct engcsv *w, char **path, char **cause)
{
	*path = NULL;
	if (flush_buf(w, cause) != 0)
		goto fail;
	if (fflush(w->f) != 0 || fsync(fileno(w->f)) != 0) {
		set_cause(cause, "%s: %s", w->tmp, strerror(errno));
		goto fail;
	}
	int rc = fclose(w->f);
	w->f = NULL;
	if (rc != 0 || rename(w->tmp, w->path) != 0) {
		set_cause(cause, "%s: %s", w->path, strerror(errno));
		goto fail;
	}
	*path = w->path;
	w->path = NULL;
	sbuf_done(&w->buf);
	free(w->tmp);
	free(w);
	return 0;
fail:
	engcsv_abort(w);
	return -1;
}
