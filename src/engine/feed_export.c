/*
 * feed_export: every engagement of a campaign that passes the feed's
 * filter, streamed into a CSV file (engine/feed_export.h); the reader's
 * database thread.
 */
#include "engine/feed_export.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/csv.h"
#include "base/text.h"
#include "base/timestr.h"
#include "base/util.h"
#include "model/prep.h"
#include "store/store_events.h"

#define FLUSH_BYTES (256 * 1024)

const char feed_export_header[] = "time,action,user_id,handle,name,bucket,importance,followers,"
                                  "tweet_id,category,text\n";

/* What the scan writes into. */
struct fx {
	const struct agg_filter *flt;
	FILE *f;
	struct sbuf b;
	int64_t rows;
	int err; /* errno of a failed write, 0 */
};

/* Appends a sanitized, guarded text cell of at most max bytes. */
static void
text_field(struct sbuf *b, const char *s, size_t max, bool last)
{
	char *t = text_sanitize(s ? s : "", s ? strlen(s) : 0, max);
	csv_field(b, t, last);
	free(t);
}

/* Writes one engagement when it passes the filter (a scan callback). */
static int
fx_row(const struct lw_engagement *e, void *arg)
{
	struct fx *x = arg;
	struct prep_eng p;
	prep_eng_from(&p, e);
	bool keep = agg_filter_match(x->flt, &p);
	prep_eng_done(&p);
	if (!keep)
		return 0;
	char when[40] = "";
	int64_t at = e->created_at_ms > 0 ? e->created_at_ms : e->first_seen_at_ms;
	if (at > 0)
		timestr_format_time(at / 1000, when, sizeof when);
	sbuf_printf(&x->b, "%s,%s,", when, action_name(e->action));
	text_field(&x->b, e->user.id, LW_ID_MAX, false);
	text_field(&x->b, e->user.handle, 64, false);
	text_field(&x->b, e->user.name, 120, false);
	sbuf_printf(&x->b, "%s,%d,%lld,", bucket_name(e->bucket), e->importance,
	    (long long)e->user.followers);
	text_field(&x->b, e->tweet_id, LW_ID_MAX, false);
	sbuf_printf(&x->b, "%s,", category_name((enum tweet_category)e->category));
	text_field(&x->b, e->text, 1000, true);
	x->rows++;
	if (x->b.len >= FLUSH_BYTES) {
		if (fwrite(x->b.s, 1, x->b.len, x->f) != x->b.len) {
			x->err = errno ? errno : EIO;
			return 1;
		}
		x->b.len = 0;
	}
	return 0;
}

int
feed_export(struct store *s, const char *cid, const struct agg_filter *flt, const char *path,
    int64_t *rows, char **cause)
{
	char *tmp = xasprintf("%s.tmp", path);
	struct fx x = {.flt = flt};
	*rows = 0;
	x.f = fopen(tmp, "we");
	if (x.f == NULL) {
		set_cause(cause, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	sbuf_init(&x.b);
	sbuf_addstr(&x.b, feed_export_header);
	int rc = ste_scan_engagements(s, cid, 0, fx_row, &x, cause);
	if (rc == 0 && x.err == 0 && x.b.len > 0 && fwrite(x.b.s, 1, x.b.len, x.f) != x.b.len)
		x.err = errno ? errno : EIO;
	if (rc == 0 && x.err == 0 && (fflush(x.f) != 0 || fsync(fileno(x.f)) != 0))
		x.err = errno ? errno : EIO;
	if (fclose(x.f) != 0 && rc == 0 && x.err == 0)
		x.err = errno ? errno : EIO;
	if (rc == 0 && x.err != 0)
		rc = set_cause(cause, "%s: %s", tmp, strerror(x.err));
	if (rc == 0 && rename(tmp, path) != 0)
		rc = set_cause(cause, "%s: %s", path, strerror(errno));
	if (rc != 0)
		unlink(tmp);
	else
		*rows = x.rows;
	sbuf_done(&x.b);
	free(tmp);
	return rc;
}
