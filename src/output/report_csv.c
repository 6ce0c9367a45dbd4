/*
 * report_csv: renders a report model as CSV tables (RFC 4180, CRLF), one
 * per file. Pure; any thread, one report per call.
 */
#include "output/report_write.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "report_cells_internal.h"

/* ---- CSV ---------------------------------------------------------------- */

/* Appends ",n", or "," alone when missing. */
static void
csv_int(struct sbuf *b, bool has, int64_t v)
{
	sbuf_addstr(b, ",");
	if (has)
		sbuf_printf(b, "%lld", (long long)v);
}

/* Appends ",x.xx" (full precision to the cent), or "," alone when missing. */
static void
csv_usd(struct sbuf *b, bool has, double v)
{
	sbuf_addstr(b, ",");
	if (has)
		sbuf_printf(b, "%.6f", v);
}

/* Appends one CSV row of a series. */
static void
csv_series(struct sbuf *b, const struct rep_point *p, size_t n)
{
	sbuf_addstr(b, "period_start");
	for (int m = 0; m < RM__COUNT; m++)
		sbuf_printf(b, ",%s_delta", rep_metric_name((enum rep_metric)m));
	for (int m = 0; m < RM__COUNT; m++)
		sbuf_printf(b, ",%s_cumulative", rep_metric_name((enum rep_metric)m));
	sbuf_addstr(b, ",engagements,engagements_cumulative\r\n");
	for (size_t i = 0; i < n; i++) {
		cell_csv_time(b, p[i].t_ms);
		for (int m = 0; m < RM__COUNT; m++)
			csv_int(b, true, p[i].delta[m]);
		for (int m = 0; m < RM__COUNT; m++)
			csv_int(b, true, p[i].cum[m]);
		csv_int(b, true, p[i].engagements);
		csv_int(b, true, p[i].cum_engagements);
		sbuf_addstr(b, "\r\n");
	}
}

/* Appends one CSV row of a CPM table; excl says whether its views leave
 * likely-farmed accounts out. */
static void
csv_cpm(struct sbuf *b, const char *label, const struct rep_cpm *c, bool excl)
{
	sbuf_addstr(b, label);
	csv_int(b, c->has_views, c->views);
	sbuf_printf(b, ",%s", c->partial ? "true" : "false");
	csv_usd(b, c->has_benchmark, c->benchmark_usd);
	csv_usd(b, c->has_spend, c->spend_usd);
	csv_usd(b, c->has_paid, c->paid_equivalent_usd);
	csv_usd(b, c->has_savings, c->savings_usd);
	csv_usd(b, c->has_ecpm, c->effective_cpm_usd);
	sbuf_printf(b, ",%s\r\n", excl ? "true" : "false");
}

/* Appends one CSV row of a sum over tweets. */
static void
csv_sum(struct sbuf *b, const char *label, const struct rep_sum *s)
{
	sbuf_printf(b, "%s,%lld", label, (long long)s->ntweets);
	for (int m = 0; m < RM__COUNT; m++)
		csv_int(b, s->m.has[m], s->m.v[m]);
	for (int m = 0; m < RM__COUNT; m++)
		csv_int(b, true, s->nmissing[m]);
	sbuf_addstr(b, "\r\n");
}

char *
report_render_csv(const struct report *r, enum report_csv_table t)
{
	struct sbuf b;
	sbuf_init(&b);
	switch (t) {
	case RC_SUMMARY:
		sbuf_addstr(&b, "campaign_id,name,client,status,marker,window_start,window_end,"
		                "generated_at,schema,formula_version,formula,unique_accounts,"
		                "engagements,change_log_seq,change_log_head\r\n");
		csv_text(&b, r->campaign_id);
		sbuf_addstr(&b, ",");
		csv_text(&b, r->name);
		sbuf_addstr(&b, ",");
		csv_text(&b, r->client);
		sbuf_printf(&b, ",%s,%s,", campaign_status_name(r->status), cell_marker(r));
		cell_csv_time(&b, r->window_start_ms);
		sbuf_addstr(&b, ",");
		cell_csv_time(&b, r->window_end_ms);
		sbuf_addstr(&b, ",");
		cell_csv_time(&b, r->generated_at_ms);
		sbuf_printf(&b, ",%s,%d,", REPORT_SCHEMA, r->formula_version);
		csv_text(&b, REPORT_CPM_FORMULA);
		sbuf_printf(
		    &b, ",%lld,%lld", (long long)r->unique_accounts, (long long)r->engagements);
		csv_int(&b, r->log_head > 0, r->log_seq);
		csv_int(&b, r->log_head > 0, r->log_head);
		sbuf_addstr(&b, "\r\n");
		break;
	case RC_CATEGORIES:
		sbuf_addstr(&b, "category,tweets");
		for (int m = 0; m < RM__COUNT; m++)
			sbuf_printf(&b, ",%s", rep_metric_name((enum rep_metric)m));
		for (int m = 0; m < RM__COUNT; m++)
			sbuf_printf(&b, ",%s_missing_tweets", rep_metric_name((enum rep_metric)m));
		sbuf_addstr(&b, "\r\n");
		for (int c = 0; c < CAT__COUNT; c++)
			csv_sum(&b, category_name((enum tweet_category)c), &r->cat[c]);
		csv_sum(&b, "overall", &r->all);
		break;
	case RC_CPM:
		sbuf_addstr(&b, "category,views,views_partial,benchmark_cpm_usd,spend_usd,"
		                "paid_equivalent_usd,savings_usd,effective_cpm_usd,"
		                "likely_farmed_excluded\r\n");
		for (int c = 0; c < CAT__COUNT; c++)
			csv_cpm(&b, category_name((enum tweet_category)c), &r->cpm[c],
			    r->farm.cpm_excludes);
		csv_cpm(&b, "overall", &r->cpm_all, r->farm.cpm_excludes);
		break;
	case RC_TWEETS:
		sbuf_addstr(&b, "tweet_id,category,url,author,missing");
		for (int m = 0; m < RM__COUNT; m++)
			sbuf_printf(&b, ",%s", rep_metric_name((enum rep_metric)m));
		sbuf_addstr(&b, ",retweet_engagements,reply_engagements,quote_engagements,"
		                "farm_accounts,likely_farmed\r\n");
		for (size_t i = 0; i < r->ntweets; i++) {
			const struct rep_tweet_row *w = &r->tweets[i];
			csv_text(&b, w->tweet_id);
			sbuf_printf(&b, ",%s,", category_name(w->category));
			csv_text(&b, w->url);
			sbuf_addstr(&b, ",");
			csv_text(&b, w->author);
			sbuf_printf(&b, ",%s", w->missing ? "true" : "false");
			for (int m = 0; m < RM__COUNT; m++)
				csv_int(&b, w->m.has[m], w->m.v[m]);
			for (int a = 0; a < ACT__COUNT; a++)
				csv_int(&b, true, w->engagements[a]);
			csv_int(&b, r->farm.has, w->farm_accounts); /* empty without farm data */
			csv_int(&b, r->farm.has, w->farm_likely);
			sbuf_addstr(&b, "\r\n");
		}
		break;
	case RC_BUCKETS:
		sbuf_addstr(&b, "bucket,unique_accounts,engagements,likely_farmed\r\n");
		for (int k = 0; k < BK__COUNT; k++) {
			sbuf_printf(&b, "%s,%lld,%lld", bucket_name((enum lw_bucket)k),
			    (long long)r->bucket_accounts[k], (long long)r->bucket_engagements[k]);
			csv_int(&b, r->farm.has, r->farm.bucket[k]);
			sbuf_addstr(&b, "\r\n");
		}
		sbuf_printf(&b, "total,%lld,%lld", (long long)r->unique_accounts,
		    (long long)r->engagements);
		csv_int(&b, r->farm.has, r->farm.likely);
		sbuf_addstr(&b, "\r\n");
		break;
	case RC_TOP_ENGAGERS:
		sbuf_addstr(&b, "rank,user_id,handle,name,verified,followers,bucket,importance,"
		                "retweets,replies,quotes,tweets,evidence\r\n");
		for (size_t i = 0; i < r->ntop; i++) {
			const struct rep_engager *e = &r->top[i];
			sbuf_printf(&b, "%zu,", i + 1);
			csv_text(&b, e->user_id);
			sbuf_addstr(&b, ",");
			csv_text(&b, e->handle);
			sbuf_addstr(&b, ",");
			csv_text(&b, e->name);
			sbuf_printf(&b, ",%s,%lld,%s,%d,%lld,%lld,%lld,%lld,",
			    e->verified ? "true" : "false", (long long)e->followers,
			    bucket_name(e->bucket), e->importance, (long long)e->actions[0],
			    (long long)e->actions[1], (long long)e->actions[2],
			    (long long)e->ntweets);
			csv_text(&b, e->evidence);
			sbuf_addstr(&b, "\r\n");
		}
		break;
	case RC_HOURLY:
		csv_series(&b, r->hourly, r->nhourly);
		break;
	case RC_DAILY:
	default:
		csv_series(&b, r->daily, r->ndaily);
		break;
	}
	return sbuf_take(&b);
}
