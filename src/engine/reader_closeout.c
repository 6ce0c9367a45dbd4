/*
 * reader_closeout: what the reader reads for the close-out screen (engine/
 * reader.h, struct reader_closeout): a campaign's close-out state and the
 * summary lines of its frozen report. The reader's database thread only.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fmt.h"
#include "base/util.h"
#include "config/config.h"
#include "model/report.h"
#include "reader_closeout_internal.h"
#include "store/store.h"
#include "store/store_report.h"

/* Appends a formatted summary line to co. */
static void summary_add(struct reader_closeout *co, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
summary_add(struct reader_closeout *co, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	co->summary = xreallocarray(co->summary, co->nsummary + 1, sizeof *co->summary);
	co->summary[co->nsummary++] = xvasprintf(fmt, ap);
	va_end(ap);
}

/* Returns "$1234.56" or "n/a" in buf. */
static const char *
usd(bool has, double v, char *buf, size_t len)
{
	if (has)
		snprintf(buf, len, "%s$%.2f", v < 0 ? "-" : "", v < 0 ? -v : v);
	else
		snprintf(buf, len, "n/a");
	return buf;
}

/* Writes the summary lines of the final report r into co. */
static void
closeout_summary(struct reader_closeout *co, const struct report *r)
{
	char a[16], b[16], c[16], d[16], e[16], f[16];
	const int64_t *m = r->all.m.v;
	summary_add(co, "views %s  likes %s  retweets %s  replies %s  quotes %s  bookmarks %s",
	    fmt_count(m[RM_VIEWS], a, sizeof a), fmt_count(m[RM_LIKES], b, sizeof b),
	    fmt_count(m[RM_RETWEETS], c, sizeof c), fmt_count(m[RM_REPLIES], d, sizeof d),
	    fmt_count(m[RM_QUOTES], e, sizeof e), fmt_count(m[RM_BOOKMARKS], f, sizeof f));
	struct sbuf s;
	sbuf_init(&s);
	sbuf_printf(&s, "unique accounts %" PRId64 ":", r->unique_accounts);
	for (int k = 0; k < BK__COUNT; k++)
		sbuf_printf(&s, "%s %s %" PRId64, k ? "," : "", bucket_name((enum lw_bucket)k),
		    r->bucket_accounts[k]);
	summary_add(co, "%s", s.s);
	sbuf_done(&s);
	summary_add(co,
	    "engagements %" PRId64 ": retweet %" PRId64 ", reply %" PRId64 ", quote %" PRId64,
	    r->engagements, r->engagements_by_action[ACT_RETWEET],
	    r->engagements_by_action[ACT_REPLY], r->engagements_by_action[ACT_QUOTE]);
	const struct rep_cpm *p = &r->cpm_all;
	summary_add(co, "CPM: paid equivalent %s, spend %s, savings %s, effective CPM %s",
	    usd(p->has_paid, p->paid_equivalent_usd, a, sizeof a),
	    usd(p->has_spend, p->spend_usd, b, sizeof b),
	    usd(p->has_savings, p->savings_usd, c, sizeof c),
	    usd(p->has_ecpm, p->effective_cpm_usd, d, sizeof d));
	for (int k = 0; k < CAT__COUNT; k++) {
		p = &r->cpm[k];
		if (!p->has_benchmark && !p->has_spend)
			continue;
		summary_add(co, "  %-10s views %s, paid equivalent %s, spend %s, savings %s",
		    category_name((enum tweet_category)k), fmt_count(p->views, a, sizeof a),
		    usd(p->has_paid, p->paid_equivalent_usd, b, sizeof b),
		    usd(p->has_spend, p->spend_usd, c, sizeof c),
		    usd(p->has_savings, p->savings_usd, d, sizeof d));
	}
	if (r->ntop > 0)
		summary_add(co, "top engager: @%s (%s, importance %d)", r->top[0].handle,
		    bucket_name(r->top[0].bucket), r->top[0].importance);
}

void
reader_closeout_free(struct reader_closeout *c)
{
	if (c == NULL)
		return;
	free(c->archive_dir);
	for (size_t i = 0; i < c->nsummary; i++)
		free(c->summary[i]);
	free(c->summary);
	free(c->error);
	free(c);
}

struct reader_closeout *
reader_closeout_read(struct store *s, const char *cid)
{
	struct reader_closeout *co = xcalloc(1, sizeof *co);
	snprintf(co->cid, sizeof co->cid, "%s", cid);
	co->read_ms = clock_now_ms();
	co->archive_dir = xstrdup("");
	char *cause = NULL;
	struct campaign c;
	struct store_closeout st;
	int rc = store_campaign_get(s, cid, &c, &cause);
	if (rc == 0) {
		co->requested_ms = c.close_requested_at_ms;
		co->completed = c.status == CS_COMPLETED;
		campaign_done(&c);
		rc = store_closeout_get(s, cid, &st, &cause);
	}
	if (rc == 1)
		co->error = xasprintf("no campaign %s", cid);
	else if (rc < 0)
		co->error = cause ? cause : xstrdup("unknown error");
	else {
		co->frozen_ms = st.frozen_at_ms;
		co->archived = st.archived;
		free(co->archive_dir);
		co->archive_dir = xstrdup(st.archive_dir ? st.archive_dir : "");
		json_t *j = st.frozen_json ? json_loads(st.frozen_json, 0, NULL) : NULL;
		struct report rep;
		if (j && report_from_json(j, &rep, &cause) == 0) {
			closeout_summary(co, &rep);
			report_done(&rep);
		} else if (j) {
			co->error = cause;
		}
		json_decref(j);
		store_closeout_done(&st);
	}
	return co;
}
