/*
 * report_html_cover: the client-facing frame of the HTML report (see
 * report_html_internal.h): the stylesheet for screen and print, the first
 * screen with the client's branding and the headline numbers, the CPM
 * section (only when CPM values were set) and the appendix with the run
 * details. Pure; any thread, one report per call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_cells_internal.h"
#include "report_html_internal.h"

/* The default accent when the campaign sets none. */
#define ACCENT_DEFAULT "#1f4e79"

static const char style_screen[] =
    "*{box-sizing:border-box}"
    "body{font-family:system-ui,'Segoe UI',Roboto,Helvetica,Arial,'DejaVu Sans',sans-serif;"
    "margin:0 auto;max-width:1100px;color:#1d1d1f;background:#fff;padding:24px;"
    "font-size:15px;line-height:1.4}"
    "h1{font-size:30px;margin:4px 0}h2{font-size:20px;margin:28px 0 8px;"
    "border-bottom:2px solid var(--accent);padding-bottom:4px}"
    "a{color:var(--accent)}"
    ".cover{border-top:8px solid var(--accent);padding-top:16px}"
    ".brand{display:flex;align-items:center;gap:16px}"
    ".brand img{max-height:64px;max-width:220px}"
    ".client{font-size:16px;color:#555;margin:0;text-transform:uppercase;letter-spacing:1px}"
    ".period{color:#555;margin:4px 0 12px}"
    ".banner{padding:8px 12px;border-radius:4px;font-weight:bold;margin:8px 0}"
    ".live{background:#fff3cd;border:2px solid #d39e00}"
    ".final{background:#e6f4ea;border:2px solid #2e7d32}"
    ".tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(200px,1fr));gap:12px;"
    "margin:16px 0}"
    ".tile{border:1px solid #ddd;border-left:6px solid var(--accent);border-radius:6px;"
    "padding:12px 16px}"
    ".tile .v{font-size:28px;font-weight:bold;display:block}"
    ".tile .k{color:#555;font-size:13px;text-transform:uppercase;letter-spacing:.5px}"
    ".tile .s{color:#666;font-size:12px;display:block}"
    ".cols{display:grid;grid-template-columns:1fr 1fr;gap:24px}"
    ".mix{list-style:none;padding:0;margin:0}.mix li{display:grid;align-items:center;"
    "grid-template-columns:7em 1fr 5em;gap:8px;margin:6px 0}"
    ".mix b{display:block;height:12px;background:var(--accent);min-width:2px}"
    ".mix span.n{text-align:right;font-variant-numeric:tabular-nums}"
    "table{border-collapse:collapse;margin:8px 0;width:100%;font-size:14px}"
    "td,th{border-bottom:1px solid #ddd;padding:5px 8px;text-align:left;vertical-align:top;"
    "overflow-wrap:anywhere}"
    "thead th{background:#f4f6f8}tbody "
    "th{font-weight:600}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;"
    "white-space:nowrap}"
    "figure{margin:12px 0;width:100%}figcaption{font-weight:bold;margin-bottom:4px}"
    "svg.chart{width:100%;height:auto;display:block}"
    ".pair{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,2fr);gap:24px;"
    "align-items:start}.pair svg#chart-buckets{max-width:300px}"
    "svg text{font-size:12px;fill:#333}svg text.yl{text-anchor:end}"
    "svg text.xl{text-anchor:middle}svg text.xs{text-anchor:start}svg text.xe{text-anchor:end}"
    "svg text.empty,svg text.missing{text-anchor:middle;"
    "fill:#a00}.legend span{margin-right:12px;white-space:nowrap}"
    ".legend i{display:inline-block;width:10px;height:10px;margin-right:4px}"
    ".note{color:#555;font-size:13px}"
    ".appendix{margin-top:36px;color:#444;font-size:13px}"
    ".appendix table{width:auto}.appendix td{border:none;padding:2px 12px 2px 0}";

/* Print: A4 or Letter (the page's own size), the first screen alone on
 * page one, no section split across pages where it fits. */
static const char style_print[] = "@page{margin:14mm}"
                                  "@media print{body{max-width:none;padding:0;font-size:11pt}"
                                  "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
                                  ".cover{break-after:page}h2{break-after:avoid}"
                                  "figure,tr,.tile,.mix{break-inside:avoid}"
                                  "thead{display:table-header-group}"
                                  ".appendix{break-before:page}a{text-decoration:none}}";

void
html_style(struct sbuf *b, const struct report *r)
{
	const char *accent = *r->client_accent ? r->client_accent : ACCENT_DEFAULT;
	sbuf_printf(
	    b, "<style>:root{--accent:%s}%s%s</style>\n", accent, style_screen, style_print);
}

void
html_tweet_link(struct sbuf *b, const char *tweet_id, const char *text)
{
	sbuf_addstr(b, "<a href=\"https://x.com/i/web/status/");
	cell_html(b, tweet_id);
	sbuf_addstr(b, "\">");
	cell_html(b, text);
	sbuf_addstr(b, "</a>");
}

/* Appends one headline tile: a label, a value and a small note. */
static void
tile(struct sbuf *b, const char *id, const char *label, const char *value, const char *note)
{
	sbuf_printf(b, "<div class=\"tile\" id=\"%s\"><span class=\"k\">", id);
	cell_html(b, label);
	sbuf_addstr(b, "</span><span class=\"v\">");
	cell_html(b, value);
	sbuf_addstr(b, "</span><span class=\"s\">");
	cell_html(b, note);
	sbuf_addstr(b, "</span></div>\n");
}

/* Appends the headline tiles: views, engagements, engaged accounts and,
 * when CPM values were set, the savings. */
static void
tiles(struct sbuf *b, const struct report *r)
{
	struct sbuf v, n;
	sbuf_init(&v);
	sbuf_init(&n);
	sbuf_addstr(b, "<div class=\"tiles\" id=\"headline\">\n");
	if (r->all.m.has[RM_VIEWS])
		cell_int(&v, r->all.m.v[RM_VIEWS]);
	else
		sbuf_addstr(&v, "n/a");
	if (r->all.m.has[RM_VIEWS] && r->all.nmissing[RM_VIEWS] > 0)
		sbuf_printf(&n, "%lld of %lld tweets without a view count",
		    (long long)r->all.nmissing[RM_VIEWS], (long long)r->all.ntweets);
	else
		sbuf_printf(&n, "across %lld tweet%s", (long long)r->all.ntweets,
		    r->all.ntweets == 1 ? "" : "s");
	tile(b, "h-views", "Views", v.s ? v.s : "", n.s ? n.s : "");
	sbuf_done(&v);
	sbuf_done(&n);
	sbuf_init(&v);
	int64_t eng = 0;
	for (int m = RM_LIKES; m < RM__COUNT; m++)
		eng += r->all.m.has[m] ? r->all.m.v[m] : 0;
	cell_int(&v, eng);
	tile(b, "h-engagements", "Engagements", v.s, "likes, retweets, replies, quotes, bookmarks");
	sbuf_done(&v);
	sbuf_init(&v);
	cell_int(&v, r->unique_accounts);
	tile(b, "h-accounts", "Engaged accounts", v.s,
	    "unique accounts that retweeted, replied or quoted");
	sbuf_done(&v);
	if (cell_cpm_set(r) && r->cpm_all.has_savings) {
		sbuf_init(&v);
		cell_usd(&v, r->cpm_all.savings_usd);
		tile(b, "h-savings", "CPM savings", v.s,
		    r->cpm_all.partial ? "versus paid media (some categories not priced)"
		                       : "versus paid media at the benchmark CPM");
		sbuf_done(&v);
	}
	sbuf_addstr(b, "</div>\n");
}

/* Appends the unique engaged accounts by bucket as bars, largest first. */
static void
audience(struct sbuf *b, const struct report *r)
{
	int order[BK__COUNT];
	for (int k = 0; k < BK__COUNT; k++)
		order[k] = k;
	for (int i = 1; i < BK__COUNT; i++) /* insertion sort, stable */
		for (int j = i;
		     j > 0 && r->bucket_accounts[order[j]] > r->bucket_accounts[order[j - 1]];
		     j--) {
			int t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	sbuf_addstr(
	    b, "<div><h3>Engaged accounts by audience</h3>\n<ul class=\"mix\" id=\"h-buckets\">\n");
	for (int i = 0; i < BK__COUNT; i++) {
		int k = order[i];
		int64_t n = r->bucket_accounts[k];
		int pct = r->unique_accounts > 0 ? (int)(100 * n / r->unique_accounts) : 0;
		sbuf_printf(b,
		    "<li data-bucket=\"%s\"><span>%s</span><span><b style=\"width:%d%%\"></b>"
		    "</span>",
		    bucket_name((enum lw_bucket)k), bucket_name((enum lw_bucket)k), pct);
		sbuf_addstr(b, "<span class=\"n\">");
		cell_int(b, n);
		sbuf_addstr(b, "</span></li>\n");
	}
	sbuf_addstr(b, "</ul></div>\n");
}

/* Appends the five top engagers. */
static void
top_five(struct sbuf *b, const struct report *r)
{
	sbuf_addstr(b, "<div><h3>Top engagers</h3>\n");
	if (r->ntop == 0) {
		sbuf_addstr(b, "<p class=\"note\">No engaged accounts yet.</p></div>\n");
		return;
	}
	sbuf_addstr(b, "<table id=\"h-top\"><thead><tr><th>account</th><th>audience</th>"
	               "<th class=\"n\">followers</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < r->ntop && i < 5; i++) {
		const struct rep_engager *e = &r->top[i];
		sbuf_addstr(b, "<tr><td>@");
		cell_html(b, e->handle);
		if (*e->name) {
			sbuf_addstr(b, " <span class=\"note\">");
			cell_html(b, e->name);
			sbuf_addstr(b, "</span>");
		}
		sbuf_printf(b, "</td><td>%s</td><td class=\"n\">", bucket_name(e->bucket));
		cell_int(b, e->followers);
		sbuf_addstr(b, "</td></tr>\n");
	}
	sbuf_addstr(b, "</tbody></table></div>\n");
}

void
html_cover(struct sbuf *b, const struct report *r)
{
	struct sbuf t;
	sbuf_init(&t);
	sbuf_addstr(b, "<section class=\"cover\">\n<div class=\"brand\">");
	if (*r->client_logo) {
		sbuf_addstr(b, "<img id=\"logo\" alt=\"");
		cell_html(b, *r->client ? r->client : "client");
		sbuf_addstr(b, " logo\" src=\"");
		cell_html(b, r->client_logo);
		sbuf_addstr(b, "\"/>");
	}
	sbuf_addstr(b, "<div>");
	if (*r->client) {
		sbuf_addstr(b, "<p class=\"client\" id=\"client\">");
		cell_html(b, r->client);
		sbuf_addstr(b, "</p>");
	}
	sbuf_addstr(b, "<h1>");
	cell_html(b, r->name);
	sbuf_addstr(b, "</h1></div></div>\n<p class=\"period\">Launch report, ");
	cell_time(&t, r->window_start_ms);
	sbuf_addstr(&t, " to ");
	cell_time(&t, r->window_end_ms);
	cell_html(b, t.s);
	sbuf_addstr(b, "</p>\n");
	sbuf_done(&t);
	sbuf_init(&t);
	cell_time(&t, r->generated_at_ms);
	if (r->final)
		sbuf_printf(b,
		    "<p class=\"banner final\" id=\"marker\" data-final=\"true\">Final report: "
		    "numbers frozen at the close of the campaign, %s.</p>\n",
		    t.s);
	else
		sbuf_printf(b,
		    "<p class=\"banner live\" id=\"marker\" data-final=\"false\">LIVE, NOT FINAL: "
		    "generated %s; the numbers keep changing until the campaign closes.</p>\n",
		    t.s);
	sbuf_done(&t);
	tiles(b, r);
	sbuf_addstr(b, "<div class=\"cols\">\n");
	audience(b, r);
	top_five(b, r);
	sbuf_addstr(b, "</div>\n</section>\n");
}

/* Appends a dollar cell, or "n/a" when there is no value. */
static void
usd_cell(struct sbuf *b, bool has, double v, bool partial)
{
	sbuf_addstr(b, "<td class=\"n\">");
	if (has)
		cell_usd(b, v);
	else
		sbuf_addstr(b, "n/a");
	if (has && partial)
		sbuf_addstr(b, " (partial)");
	sbuf_addstr(b, "</td>");
}

/* Appends one CPM row: views partial only when some tweet's views are
 * missing; paid equivalent and savings partial when some category could
 * not be priced. */
static void
cpm_row(struct sbuf *b, const char *label, const struct rep_cpm *c, const struct rep_sum *s)
{
	sbuf_addstr(b, "<tr><th>");
	cell_html(b, label);
	sbuf_addstr(b, "</th><td class=\"n\">");
	if (c->has_views)
		cell_int(b, c->views);
	else
		sbuf_addstr(b, "n/a");
	if (c->has_views && s->nmissing[RM_VIEWS] > 0)
		sbuf_addstr(b, " (partial)");
	sbuf_addstr(b, "</td>");
	usd_cell(b, c->has_benchmark, c->benchmark_usd, false);
	usd_cell(b, c->has_paid, c->paid_equivalent_usd, c->partial);
	usd_cell(b, c->has_spend, c->spend_usd, false);
	usd_cell(b, c->has_savings, c->savings_usd, c->partial);
	usd_cell(b, c->has_ecpm && c->has_spend, c->effective_cpm_usd, false);
	sbuf_addstr(b, "</tr>\n");
}

void
html_cpm(struct sbuf *b, const struct report *r)
{
	if (!cell_cpm_set(r))
		return;
	sbuf_addstr(b, "<section id=\"cpm-section\">\n<h2>CPM savings</h2>\n<table id=\"cpm\">\n"
	               "<thead><tr><th>category</th><th class=\"n\">views</th>"
	               "<th class=\"n\">benchmark CPM</th><th class=\"n\">paid equivalent</th>"
	               "<th class=\"n\">spend</th><th class=\"n\">savings</th>"
	               "<th class=\"n\">effective CPM</th></tr></thead>\n<tbody>\n");
	for (int c = 0; c < CAT__COUNT; c++)
		cpm_row(b, category_name((enum tweet_category)c), &r->cpm[c], &r->cat[c]);
	cpm_row(b, "overall", &r->cpm_all, &r->all);
	sbuf_addstr(b, "</tbody></table>\n<p class=\"note\">Paid equivalent = views / 1,000 "
	               "&#215; benchmark CPM; savings = paid equivalent &#8722; spend; effective "
	               "CPM = spend / (views / 1,000). n/a: no value was set or no view count "
	               "is known.</p>\n</section>\n");
}

void
html_appendix(struct sbuf *b, const struct report *r)
{
	struct sbuf t;
	sbuf_init(&t);
	sbuf_addstr(b, "<section class=\"appendix\" id=\"appendix\">\n<h2>Appendix: run "
	               "details</h2>\n<table class=\"meta\">\n<tr><td>Campaign id</td>");
	sbuf_addstr(b, "<td>");
	cell_html(b, r->campaign_id);
	sbuf_printf(b, "</td></tr>\n<tr><td>Status</td><td>%s (%s)</td></tr>\n",
	    campaign_status_name(r->status), cell_marker(r));
	cell_time(&t, r->generated_at_ms);
	sbuf_printf(b, "<tr><td>Generated</td><td>%s</td></tr>\n", t.s);
	sbuf_printf(b, "<tr><td>Schema</td><td>%s, CPM formula version %d</td></tr>\n</table>\n",
	    REPORT_SCHEMA, r->formula_version);
	sbuf_done(&t);
	char *fr = report_refresh_text(r);
	if (fr) {
		sbuf_printf(b, "<p class=\"banner %s\" id=\"final-refresh\" data-complete=\"%s\">",
		    r->refresh.complete ? "final" : "live", r->refresh.complete ? "true" : "false");
		cell_html(b, fr);
		sbuf_addstr(b, "</p>\n");
		free(fr);
	}
	char *lag = report_log_text(r);
	if (lag) {
		sbuf_printf(b,
		    "<p class=\"banner live\" id=\"change-log\" data-seq=\"%lld\" "
		    "data-head=\"%lld\">",
		    (long long)r->log_seq, (long long)r->log_head);
		cell_html(b, lag);
		sbuf_addstr(b, "</p>\n");
		free(lag);
	}
	char *farm = report_farm_text(r);
	if (farm) { /* likely farmed: only reports with farm data (their look is unchanged) */
		sbuf_printf(b,
		    "<p class=\"note\" id=\"farm\" data-likely=\"%lld\" data-excluded=\"%s\">",
		    (long long)r->farm.likely, r->farm.cpm_excludes ? "true" : "false");
		cell_html(b, farm);
		sbuf_addstr(b, " Per bucket:");
		for (int k = 0; k < BK__COUNT; k++) {
			char part[80];
			snprintf(part, sizeof part, "%s %s %lld of %lld", k ? "," : "",
			    bucket_name((enum lw_bucket)k), (long long)r->farm.bucket[k],
			    (long long)r->bucket_accounts[k]);
			cell_html(b, part);
		}
		sbuf_addstr(b, "</p>\n");
		free(farm);
	}
	sbuf_printf(b, "<p class=\"note\">Generated by launchwatch (%s; %s).</p>\n</section>\n",
	    REPORT_SCHEMA, cell_marker(r));
}
