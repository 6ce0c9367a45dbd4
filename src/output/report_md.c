/*
 * report_md: renders a report model as Markdown, readable in a terminal
 * and in a chat. Pure; any thread, one report per call.
 */
#include "output/report_write.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timestr.h"
#include "base/util.h"
#include "report_cells_internal.h"

/* ---- Markdown ----------------------------------------------------------- */

/* Appends s with Markdown's table and emphasis characters escaped. */
static void
md_esc(struct sbuf *b, const char *s)
{
	for (; *s; s++) {
		if (strchr("\\|*_`<>[]#", *s))
			sbuf_addstr(b, "\\");
		sbuf_add(b, s, 1);
	}
}

/* Appends one Markdown table header with its separator row. */
static void
md_header(struct sbuf *b, const char *const *cols, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sbuf_printf(b, "| %s ", cols[i]);
	sbuf_addstr(b, "|\n");
	for (size_t i = 0; i < n; i++)
		sbuf_addstr(b, i == 0 ? "|---" : "|--:");
	sbuf_addstr(b, "|\n");
}

/* Appends the CPM table rows (also used for the summary): views partial
 * only when some tweet of s has no view count, paid equivalent and savings
 * when some category could not be priced; a spend not set is n/a. */
static void
md_cpm_row(struct sbuf *b, const char *label, const struct rep_cpm *c, const struct rep_sum *s)
{
	sbuf_printf(b, "| %s | ", label);
	cell_opt_int(b, c->has_views, c->views);
	if (c->has_views && s->nmissing[RM_VIEWS] > 0)
		sbuf_addstr(b, " (partial)");
	sbuf_addstr(b, " | ");
	cell_opt_usd(b, c->has_benchmark, c->benchmark_usd);
	sbuf_addstr(b, " | ");
	cell_opt_usd(b, c->has_paid, c->paid_equivalent_usd);
	if (c->has_paid && c->partial)
		sbuf_addstr(b, " (partial)");
	sbuf_addstr(b, " | ");
	if (c->has_spend)
		cell_usd(b, c->spend_usd);
	else
		sbuf_addstr(b, "n/a (none set)");
	sbuf_addstr(b, " | ");
	cell_opt_usd(b, c->has_savings, c->savings_usd);
	if (c->has_savings && c->partial)
		sbuf_addstr(b, " (partial)");
	sbuf_addstr(b, " | ");
	if (c->has_ecpm && c->has_spend)
		cell_usd(b, c->effective_cpm_usd);
	else
		sbuf_addstr(b, !c->has_spend ? "n/a" : c->has_views ? "n/a (0 views)" : "missing");
	sbuf_addstr(b, " |\n");
}

/* Appends one sentiment row: label, then the sums' cells. */
static void
md_sent_row(struct sbuf *b, const char *label, const struct sent_sums *s)
{
	char cells[CELL_SENT_COLS][24];
	cell_sentiment(s, cells);
	sbuf_printf(b, "| %s", label);
	for (int k = 0; k < CELL_SENT_COLS; k++)
		sbuf_printf(b, " | %s", cells[k]);
	sbuf_addstr(b, " |\n");
}

/* Appends the sentiment section: per audience and per tweet, or why not. */
static void
md_sentiment(struct sbuf *b, const struct report *r)
{
	char note[320];
	sbuf_addstr(b, "## Sentiment of replies and quotes\n\n");
	md_esc(b, cell_sentiment_note(r, note, sizeof note));
	sbuf_addstr(b, "\n\n");
	if (!r->has_sentiment)
		return;
	const char *cols[1 + CELL_SENT_COLS] = {"audience / tweet"};
	for (int k = 0; k < CELL_SENT_COLS; k++)
		cols[k + 1] = cell_sent_cols[k];
	md_header(b, cols, LW_ARRAY_LEN(cols));
	for (int k = 0; k < BK__COUNT; k++)
		md_sent_row(b, bucket_name((enum lw_bucket)k), &r->sentiment_bucket[k]);
	md_sent_row(b, "**total**", &r->sentiment_all);
	for (size_t i = 0; i < r->ntweets; i++)
		md_sent_row(b, r->tweets[i].tweet_id, &r->tweets[i].sentiment);
	sbuf_addstr(b, "\n");
}

char *
report_render_md(const struct report *r)
{
	struct sbuf b;
	sbuf_init(&b);
	sbuf_addstr(&b, "# Campaign report: ");
	md_esc(&b, r->name);
	sbuf_addstr(&b, "\n\n");
	if (r->final) {
		sbuf_addstr(&b, "**Final report.** Numbers frozen at close-out, ");
		cell_time(&b, r->generated_at_ms);
		sbuf_addstr(&b, ".\n\n");
		char *fr = report_refresh_text(r);
		if (fr) {
			sbuf_addstr(&b, r->refresh.complete ? "" : "> **");
			md_esc(&b, fr);
			sbuf_addstr(&b, r->refresh.complete ? "\n\n" : "**\n\n");
		}
		free(fr);
	} else {
		sbuf_addstr(&b, "> **LIVE, NOT FINAL.** Generated ");
		cell_time(&b, r->generated_at_ms);
		sbuf_addstr(
		    &b, "; the numbers keep changing until the campaign is closed out.\n\n");
	}
	char *lag = report_log_text(r);
	if (lag) {
		sbuf_addstr(&b, "> ");
		md_esc(&b, lag);
		sbuf_addstr(&b, "\n\n");
		free(lag);
	}
	char *farm = report_farm_text(r);
	if (farm) { /* likely farmed: the sentence, then per bucket and per tweet */
		md_esc(&b, farm);
		sbuf_addstr(&b, "\n\n- Per bucket:");
		for (int k = 0; k < BK__COUNT; k++)
			sbuf_printf(&b, "%s %s %lld of %lld", k ? "," : "",
			    bucket_name((enum lw_bucket)k), (long long)r->farm.bucket[k],
			    (long long)r->bucket_accounts[k]);
		sbuf_addstr(&b, "\n- Per tweet:");
		for (size_t i = 0; i < r->ntweets; i++)
			sbuf_printf(&b, "%s #%zu %lld of %lld", i ? "," : "", i + 1,
			    (long long)r->tweets[i].farm_likely,
			    (long long)r->tweets[i].farm_accounts);
		sbuf_addstr(&b, "\n\n");
		free(farm);
	}
	sbuf_addstr(&b, "- Client: ");
	md_esc(&b, *r->client ? r->client : "(none)");
	sbuf_printf(&b, "\n- Campaign id: `%s`\n- Status: %s\n- Window: ", r->campaign_id,
	    campaign_status_name(r->status));
	cell_time(&b, r->window_start_ms);
	sbuf_addstr(&b, " to ");
	cell_time(&b, r->window_end_ms);
	sbuf_printf(&b, "\n- Report schema: %s, CPM formula version %d\n\n", REPORT_SCHEMA,
	    r->formula_version);

	sbuf_addstr(&b, "## Totals\n\n");
	static const char *const tcols[] = {"metric", "main", "influencer", "investor", "overall"};
	md_header(&b, tcols, LW_ARRAY_LEN(tcols));
	for (int m = 0; m < RM__COUNT; m++) {
		sbuf_printf(&b, "| %s ", rep_metric_name((enum rep_metric)m));
		for (int c = 0; c < CAT__COUNT; c++) {
			sbuf_addstr(&b, "| ");
			cell_sum(&b, &r->cat[c], m);
			sbuf_addstr(&b, " ");
		}
		sbuf_addstr(&b, "| ");
		cell_sum(&b, &r->all, m);
		sbuf_addstr(&b, " |\n");
	}
	sbuf_printf(&b, "| tweets | %lld | %lld | %lld | %lld |\n\n", (long long)r->cat[0].ntweets,
	    (long long)r->cat[1].ntweets, (long long)r->cat[2].ntweets, (long long)r->all.ntweets);

	sbuf_printf(&b, "## CPM savings (formula version %d)\n\n", r->formula_version);
	static const char *const ccols[] = {"category", "views", "benchmark CPM", "paid equivalent",
	    "spend", "savings", "effective CPM"};
	md_header(&b, ccols, LW_ARRAY_LEN(ccols));
	for (int c = 0; c < CAT__COUNT; c++)
		md_cpm_row(&b, category_name((enum tweet_category)c), &r->cpm[c], &r->cat[c]);
	md_cpm_row(&b, "**overall**", &r->cpm_all, &r->all);
	sbuf_addstr(&b, "\nFormula: paid equivalent = views / 1000 x benchmark CPM per category; "
	                "savings = paid equivalent - spend; effective CPM = spend / (views / "
	                "1000). Missing views are shown as missing, never as zero; \"partial\" "
	                "views mean some tweets had no view count and only the known views "
	                "count; a \"partial\" paid equivalent or savings leaves out a category "
	                "that could not be priced.\n\n");

	sbuf_addstr(&b, "## Tweets\n\n");
	static const char *const wcols[] = {"tweet", "category", "author", "views", "likes",
	    "retweets", "replies", "quotes", "bookmarks", "engagers (rt/reply/quote)"};
	md_header(&b, wcols, LW_ARRAY_LEN(wcols));
	for (size_t i = 0; i < r->ntweets; i++) {
		const struct rep_tweet_row *t = &r->tweets[i];
		sbuf_printf(&b, "| %s%s | %s | ", t->tweet_id,
		    t->missing ? " (deleted or protected)" : "", category_name(t->category));
		md_esc(&b, *t->author ? t->author : "?");
		for (int m = 0; m < RM__COUNT; m++) {
			sbuf_addstr(&b, " | ");
			cell_opt_int(&b, t->m.has[m], t->m.v[m]);
		}
		sbuf_printf(&b, " | %lld/%lld/%lld |\n", (long long)t->engagements[0],
		    (long long)t->engagements[1], (long long)t->engagements[2]);
	}

	sbuf_addstr(&b, "\n## Engaged accounts by bucket\n\n");
	static const char *const bcols[] = {"bucket", "unique accounts", "share", "engagements"};
	md_header(&b, bcols, LW_ARRAY_LEN(bcols));
	for (int k = 0; k < BK__COUNT; k++) {
		double share = r->unique_accounts ? 100.0 * (double)r->bucket_accounts[k] /
		                                        (double)r->unique_accounts
		                                  : 0.0;
		sbuf_printf(&b, "| %s | ", bucket_name((enum lw_bucket)k));
		cell_int(&b, r->bucket_accounts[k]);
		sbuf_printf(&b, " | %.1f%% | ", share);
		cell_int(&b, r->bucket_engagements[k]);
		sbuf_addstr(&b, " |\n");
	}
	sbuf_addstr(&b, "| **total** | ");
	cell_int(&b, r->unique_accounts);
	sbuf_addstr(&b, " | 100% | ");
	cell_int(&b, r->engagements);
	sbuf_addstr(&b, " |\n\n");
	md_sentiment(&b, r);

	sbuf_addstr(&b, "## Top engagers by importance\n\n");
	static const char *const ecols[] = {
	    "#", "account", "bucket", "importance", "followers", "actions", "evidence"};
	md_header(&b, ecols, LW_ARRAY_LEN(ecols));
	for (size_t i = 0; i < r->ntop; i++) {
		const struct rep_engager *e = &r->top[i];
		sbuf_printf(&b, "| %zu | @", i + 1);
		md_esc(&b, e->handle);
		if (*e->name) {
			sbuf_addstr(&b, " (");
			md_esc(&b, e->name);
			sbuf_addstr(&b, ")");
		}
		sbuf_printf(&b, "%s | %s | %d | ", e->verified ? " [verified]" : "",
		    bucket_name(e->bucket), e->importance);
		cell_int(&b, e->followers);
		sbuf_addstr(&b, " | ");
		cell_actions(&b, e->actions);
		sbuf_addstr(&b, " | ");
		md_esc(&b, *e->evidence ? e->evidence : "-");
		sbuf_addstr(&b, " |\n");
	}
	if (r->ntop == 0)
		sbuf_addstr(&b, "| - | no engagers yet | | | | | |\n");

	sbuf_addstr(&b, "\n## Engagement over time (per day, UTC)\n\n");
	static const char *const dcols[] = {"day", "views", "likes", "retweets", "replies",
	    "quotes", "bookmarks", "new engagements", "total views"};
	md_header(&b, dcols, LW_ARRAY_LEN(dcols));
	for (size_t i = 0; i < r->ndaily; i++) {
		const struct rep_point *p = &r->daily[i];
		char day[40];
		timestr_format_time(p->t_ms / 1000, day, sizeof day);
		sbuf_printf(&b, "| %.10s", day);
		for (int m = 0; m < RM__COUNT; m++) {
			sbuf_addstr(&b, " | +");
			cell_int(&b, p->delta[m]);
		}
		sbuf_addstr(&b, " | +");
		cell_int(&b, p->engagements);
		sbuf_addstr(&b, " | ");
		cell_int(&b, p->cum[RM_VIEWS]);
		sbuf_addstr(&b, " |\n");
	}
	if (r->ndaily == 0)
		sbuf_addstr(&b, "| - | no observations yet | | | | | | | |\n");
	sbuf_printf(&b, "\n_%s report generated by launchwatch, %s._\n",
	    r->final ? "Final" : "Live", cell_marker(r));
	return sbuf_take(&b);
}
