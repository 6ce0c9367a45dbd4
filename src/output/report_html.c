/*
 * report_html: renders a report model as one self-contained HTML file
 * with inline CSS and SVG charts, no scripts and no external references.
 * Pure; any thread, one report per call.
 */
#include "output/report_write.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timestr.h"
#include "base/util.h"
#include "report_cells_internal.h"
#include "report_html_internal.h"

/* Series colours, by metric, then one per bucket (also used in the CSS). */
static const char *const metric_colour[RM__COUNT] = {
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};
static const char *const bucket_colour[BK__COUNT] = {
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#7f7f7f"};

/* ---- HTML --------------------------------------------------------------- */

/* Appends the contents of an sbuf-built cell, escaped. */
static void
html_cell(struct sbuf *b, const char *tag, const char *text)
{
	sbuf_printf(b, "<%s>", tag);
	cell_html(b, text);
	sbuf_printf(b, "</%s>", tag);
}

/* Chart geometry (SVG user units). */
#define CH_W  1000.0
#define CH_H  300.0
#define CH_L  70.0 /* left margin for the y labels */
#define CH_R  20.0
#define CH_T  20.0
#define CH_B  40.0
#define CH_PW (CH_W - CH_L - CH_R)
#define CH_PH (CH_H - CH_T - CH_B)

/* Returns a round upper bound for an axis whose largest value is v. */
static double
nice_max(double v)
{
	if (v <= 0)
		return 1;
	double p = pow(10, floor(log10(v)));
	static const double steps[] = {1, 2, 2.5, 5, 10};
	for (size_t i = 0; i < LW_ARRAY_LEN(steps); i++)
		if (steps[i] * p >= v)
			return steps[i] * p;
	return 10 * p;
}

/* Opens an SVG chart with a title, axes and y labels for 0..ymax. */
static void
svg_open(struct sbuf *b, const char *id, const char *title, double ymax)
{
	sbuf_printf(b,
	    "<figure><figcaption>%s</figcaption>\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "id=\"%s\" class=\"chart\" viewBox=\"0 0 %.0f %.0f\" width=\"100%%\" "
	    "preserveAspectRatio=\"xMidYMid meet\" role=\"img\" aria-label=\"%s\">\n",
	    title, id, CH_W, CH_H, title);
	sbuf_printf(b, "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"#ffffff\"/>\n",
	    CH_W, CH_H);
	for (int i = 0; i <= 4; i++) {
		double y = CH_T + CH_PH - CH_PH * i / 4.0;
		struct sbuf lab;
		sbuf_init(&lab);
		cell_int(&lab, (int64_t)llround(ymax * i / 4.0));
		sbuf_printf(b,
		    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#dddddd\"/>"
		    "<text x=\"%.1f\" y=\"%.1f\" class=\"yl\">%s</text>\n",
		    CH_L, y, CH_L + CH_PW, y, CH_L - 6, y + 4, lab.s);
		sbuf_done(&lab);
	}
	sbuf_printf(b,
	    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333333\"/>\n", CH_L,
	    CH_T + CH_PH, CH_L + CH_PW, CH_T + CH_PH);
}

/* Closes a chart and appends its legend. */
static void
svg_close(struct sbuf *b, const char *const *names, const char *const *colours, size_t n)
{
	sbuf_addstr(b, "</svg>\n<p class=\"legend\">");
	for (size_t i = 0; i < n; i++)
		sbuf_printf(
		    b, "<span><i style=\"background:%s\"></i>%s</span> ", colours[i], names[i]);
	sbuf_addstr(b, "</p></figure>\n");
}

/* Appends a line chart of the cumulative series of the metrics in ms (n of
 * them); each point is a circle carrying data-metric, data-t and data-v. */
static void
svg_lines(struct sbuf *b, const char *id, const char *title, const struct rep_point *p, size_t np,
    const int *ms, size_t n)
{
	const char *names[RM__COUNT], *colours[RM__COUNT];
	double vmax = 0;
	for (size_t k = 0; k < n; k++)
		for (size_t i = 0; i < np; i++)
			vmax = fmax(vmax, (double)p[i].cum[ms[k]]);
	double ymax = nice_max(vmax);
	svg_open(b, id, title, ymax);
	if (np == 0) {
		sbuf_printf(b,
		    "<text x=\"%.1f\" y=\"%.1f\" class=\"empty\">no observations yet</text>\n",
		    CH_L + CH_PW / 2, CH_T + CH_PH / 2);
	} else {
		double t0 = (double)p[0].t_ms, t1 = (double)p[np - 1].t_ms;
		char a[40], z[40];
		timestr_format_time(p[0].t_ms / 1000, a, sizeof a);
		timestr_format_time(p[np - 1].t_ms / 1000, z, sizeof z);
		sbuf_printf(b,
		    "<text x=\"%.1f\" y=\"%.1f\" class=\"xl xs\">%.10s "
		    "%.5s</text><text x=\"%.1f\" y=\"%.1f\" class=\"xl xe\">%.10s %.5s</text>\n",
		    CH_L, CH_H - 12, a, a + 11, CH_L + CH_PW, CH_H - 12, z, z + 11);
		for (size_t k = 0; k < n; k++) {
			int m = ms[k];
			sbuf_printf(b,
			    "<g class=\"series\" data-metric=\"%s\">\n<polyline fill=\"none\" "
			    "stroke=\"%s\" stroke-width=\"2\" points=\"",
			    rep_metric_name((enum rep_metric)m), metric_colour[m]);
			for (size_t i = 0; i < np; i++) {
				double x = t1 > t0
				               ? CH_L + CH_PW * ((double)p[i].t_ms - t0) / (t1 - t0)
				               : CH_L + CH_PW / 2;
				double y = CH_T + CH_PH - CH_PH * (double)p[i].cum[m] / ymax;
				sbuf_printf(b, "%s%.1f,%.1f", i ? " " : "", x, y);
			}
			sbuf_addstr(b, "\"/>\n");
			for (size_t i = 0; i < np; i++) {
				double x = t1 > t0
				               ? CH_L + CH_PW * ((double)p[i].t_ms - t0) / (t1 - t0)
				               : CH_L + CH_PW / 2;
				double y = CH_T + CH_PH - CH_PH * (double)p[i].cum[m] / ymax;
				char when[40];
				timestr_format_time(p[i].t_ms / 1000, when, sizeof when);
				sbuf_printf(b,
				    "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\" "
				    "data-metric=\"%s\" "
				    "data-t=\"%lld\" data-v=\"%lld\"><title>%s %s: "
				    "%lld</title></circle>\n",
				    x, y, metric_colour[m], rep_metric_name((enum rep_metric)m),
				    (long long)p[i].t_ms, (long long)p[i].cum[m], when,
				    rep_metric_name((enum rep_metric)m), (long long)p[i].cum[m]);
			}
			sbuf_addstr(b, "</g>\n");
		}
	}
	for (size_t k = 0; k < n; k++) {
		names[k] = rep_metric_name((enum rep_metric)ms[k]);
		colours[k] = metric_colour[ms[k]];
	}
	svg_close(b, names, colours, n);
}

/* Appends the pie of unique accounts per bucket; each slice carries
 * data-bucket and data-v. */
static void
svg_pie(struct sbuf *b, const struct report *r)
{
	const double cx = 130, cy = 130, rad = 110;
	const char *names[BK__COUNT];
	sbuf_addstr(b, "<figure><figcaption>Unique engaged accounts by audience</figcaption>\n"
	               "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"chart-buckets\" "
	               "class=\"chart\" viewBox=\"0 0 260 260\" width=\"100%\" "
	               "role=\"img\" aria-label=\"Unique engaged accounts by audience\">\n");
	double total = (double)r->unique_accounts, angle = -M_PI / 2;
	if (total <= 0)
		sbuf_printf(b,
		    "<circle cx=\"%.0f\" cy=\"%.0f\" r=\"%.0f\" fill=\"#eeeeee\"/>"
		    "<text x=\"%.0f\" y=\"%.0f\" class=\"empty\">no engaged accounts yet</text>\n",
		    cx, cy, rad, cx, cy);
	for (int k = 0; k < BK__COUNT; k++) {
		double v = (double)r->bucket_accounts[k];
		names[k] = bucket_name((enum lw_bucket)k);
		if (v <= 0)
			continue;
		if (v >= total) {
			sbuf_printf(b,
			    "<circle cx=\"%.0f\" cy=\"%.0f\" r=\"%.0f\" fill=\"%s\" "
			    "data-bucket=\"%s\" "
			    "data-v=\"%lld\"><title>%s: %lld</title></circle>\n",
			    cx, cy, rad, bucket_colour[k], names[k],
			    (long long)r->bucket_accounts[k], names[k],
			    (long long)r->bucket_accounts[k]);
			continue;
		}
		double sweep = 2 * M_PI * v / total;
		double x0 = cx + rad * cos(angle), y0 = cy + rad * sin(angle);
		double x1 = cx + rad * cos(angle + sweep), y1 = cy + rad * sin(angle + sweep);
		sbuf_printf(b,
		    "<path d=\"M%.1f,%.1f L%.1f,%.1f A%.0f,%.0f 0 %d 1 %.1f,%.1f Z\" fill=\"%s\" "
		    "stroke=\"#ffffff\" data-bucket=\"%s\" data-v=\"%lld\"><title>%s: %lld</title>"
		    "</path>\n",
		    cx, cy, x0, y0, rad, rad, sweep > M_PI ? 1 : 0, x1, y1, bucket_colour[k],
		    names[k], (long long)r->bucket_accounts[k], names[k],
		    (long long)r->bucket_accounts[k]);
		angle += sweep;
	}
	sbuf_addstr(b, "</svg>\n<p class=\"legend\">");
	for (int k = 0; k < BK__COUNT; k++) {
		sbuf_printf(
		    b, "<span><i style=\"background:%s\"></i>%s (", bucket_colour[k], names[k]);
		cell_int(b, r->bucket_accounts[k]);
		sbuf_addstr(b, ")</span> ");
	}
	sbuf_addstr(b, "</p></figure>\n");
}

/* Appends grouped bars per category of the metrics in ms (n of them); each
 * bar carries data-category, data-metric and data-v; a missing value gets
 * no bar and a "missing" label. */
static void
svg_bars(struct sbuf *b, const char *id, const char *title, const struct report *r, const int *ms,
    size_t n)
{
	const char *names[RM__COUNT], *colours[RM__COUNT];
	double vmax = 0;
	for (int c = 0; c < CAT__COUNT; c++)
		for (size_t k = 0; k < n; k++)
			vmax = fmax(vmax, (double)r->cat[c].m.v[ms[k]]);
	double ymax = nice_max(vmax);
	svg_open(b, id, title, ymax);
	double group = CH_PW / CAT__COUNT, bw = (group - 20) / (double)n;
	for (int c = 0; c < CAT__COUNT; c++) {
		double gx = CH_L + group * c + 10;
		sbuf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" class=\"xl\">%s</text>\n",
		    gx + group / 2 - 10, CH_H - 12, category_name((enum tweet_category)c));
		for (size_t k = 0; k < n; k++) {
			int m = ms[k];
			const struct rep_sum *s = &r->cat[c];
			double x = gx + bw * (double)k;
			if (!s->m.has[m]) {
				sbuf_printf(b,
				    "<text x=\"%.1f\" y=\"%.1f\" class=\"missing\" "
				    "data-category=\"%s\" "
				    "data-metric=\"%s\">missing</text>\n",
				    x + bw / 2, CH_T + CH_PH - 4,
				    category_name((enum tweet_category)c),
				    rep_metric_name((enum rep_metric)m));
				continue;
			}
			double h = CH_PH * (double)s->m.v[m] / ymax;
			sbuf_printf(b,
			    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
			    "fill=\"%s\" "
			    "data-category=\"%s\" data-metric=\"%s\" data-v=\"%lld\"><title>%s %s: "
			    "%lld</title></rect>\n",
			    x, CH_T + CH_PH - h, bw - 2, h, metric_colour[m],
			    category_name((enum tweet_category)c),
			    rep_metric_name((enum rep_metric)m), (long long)s->m.v[m],
			    category_name((enum tweet_category)c),
			    rep_metric_name((enum rep_metric)m), (long long)s->m.v[m]);
		}
	}
	for (size_t k = 0; k < n; k++) {
		names[k] = rep_metric_name((enum rep_metric)ms[k]);
		colours[k] = metric_colour[ms[k]];
	}
	svg_close(b, names, colours, n);
}

/* Appends one HTML table cell holding a sbuf-formatted value. */
static void
html_num_cell(struct sbuf *b, struct sbuf *tmp)
{
	sbuf_addstr(b, "<td class=\"n\">");
	cell_html(b, tmp->len ? tmp->s : "");
	sbuf_addstr(b, "</td>");
	sbuf_done(tmp);
	sbuf_init(tmp);
}

/* Appends a number cell of tmp's text, or "n/a" when there is no value. */
static void
html_na_cell(struct sbuf *b, struct sbuf *tmp, bool has)
{
	if (!has)
		sbuf_addstr(tmp, "n/a");
	html_num_cell(b, tmp);
}

/* Appends one sentiment row: a header cell label, then the sums' cells. */
static void
html_sent_row(struct sbuf *b, const char *label, const struct sent_sums *s)
{
	char cells[CELL_SENT_COLS][24];
	cell_sentiment(s, cells);
	html_cell(b, "th", label);
	for (int k = 0; k < CELL_SENT_COLS; k++) {
		sbuf_addstr(b, "<td class=\"n\">");
		cell_html(b, cells[k]);
		sbuf_addstr(b, "</td>");
	}
}

/* Appends the sentiment section: per audience and per tweet, or why not. */
static void
html_sentiment(struct sbuf *b, const struct report *r)
{
	char note[320];
	sbuf_addstr(b, "<section>\n<h2>Sentiment of replies and quotes</h2>\n");
	html_cell(b, "p", cell_sentiment_note(r, note, sizeof note));
	if (r->has_sentiment) {
		sbuf_addstr(b, "\n<table id=\"sentiment\">\n<thead><tr><th>audience / tweet</th>");
		for (int k = 0; k < CELL_SENT_COLS; k++)
			sbuf_printf(b, "<th class=\"n\">%s</th>", cell_sent_cols[k]);
		sbuf_addstr(b, "</tr></thead>\n<tbody>\n");
		for (int k = 0; k <= BK__COUNT; k++) {
			sbuf_addstr(b, "<tr>");
			html_sent_row(b, k < BK__COUNT ? bucket_name((enum lw_bucket)k) : "total",
			    k < BK__COUNT ? &r->sentiment_bucket[k] : &r->sentiment_all);
			sbuf_addstr(b, "</tr>\n");
		}
		for (size_t i = 0; i < r->ntweets; i++) {
			sbuf_addstr(b, "<tr>");
			html_sent_row(b, r->tweets[i].tweet_id, &r->tweets[i].sentiment);
			sbuf_addstr(b, "</tr>\n");
		}
		sbuf_addstr(b, "</tbody></table>");
	}
	sbuf_addstr(b, "\n</section>\n");
}

/* Appends the tweets table: each tweet linked, its author and category,
 * and its counts. */
static void
html_tweets(struct sbuf *b, const struct report *r)
{
	struct sbuf t;
	sbuf_init(&t);
	sbuf_addstr(b,
	    "<section>\n<h2>Tweets</h2>\n<table id=\"tweets\">\n<thead><tr><th>tweet</th>"
	    "<th>category</th>");
	for (int m = 0; m < RM__COUNT; m++) {
		sbuf_addstr(b, "<th class=\"n\">");
		cell_html(b, rep_metric_name((enum rep_metric)m));
		sbuf_addstr(b, "</th>");
	}
	if (r->farm.has) /* only with farm data, so other reports keep their look */
		sbuf_addstr(b, "<th class=\"n\">likely farmed</th>");
	sbuf_addstr(b, "</tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < r->ntweets; i++) {
		const struct rep_tweet_row *w = &r->tweets[i];
		char *text =
		    *w->author ? xasprintf("@%s", w->author) : xasprintf("tweet %s", w->tweet_id);
		sbuf_addstr(b, "<tr><td>");
		html_tweet_link(b, w->tweet_id, text);
		free(text);
		if (w->missing)
			sbuf_addstr(b, " (deleted or protected)");
		sbuf_printf(b, "</td><td>%s</td>", category_name(w->category));
		for (int m = 0; m < RM__COUNT; m++) {
			if (w->m.has[m])
				cell_int(&t, w->m.v[m]);
			html_na_cell(b, &t, w->m.has[m]);
		}
		if (r->farm.has) {
			sbuf_printf(&t, "%lld of %lld", (long long)w->farm_likely,
			    (long long)w->farm_accounts);
			html_num_cell(b, &t);
		}
		sbuf_addstr(b, "</tr>\n");
	}
	sbuf_addstr(b, "</tbody></table>\n</section>\n");
	sbuf_done(&t);
}

/* Appends the totals table per category and overall. */
static void
html_totals(struct sbuf *b, const struct report *r)
{
	struct sbuf t;
	sbuf_init(&t);
	sbuf_addstr(b, "<section>\n<h2>Totals by category</h2>\n<table id=\"totals\">\n"
	               "<thead><tr><th>metric</th>");
	for (int c = 0; c < CAT__COUNT; c++)
		sbuf_printf(b, "<th class=\"n\">%s</th>", category_name((enum tweet_category)c));
	sbuf_addstr(b, "<th class=\"n\">overall</th></tr></thead>\n<tbody>\n");
	for (int m = 0; m < RM__COUNT; m++) {
		sbuf_addstr(b, "<tr>");
		html_cell(b, "th", rep_metric_name((enum rep_metric)m));
		for (int c = 0; c <= CAT__COUNT; c++) {
			const struct rep_sum *s = c < CAT__COUNT ? &r->cat[c] : &r->all;
			if (s->m.has[m])
				cell_sum(&t, s, m);
			html_na_cell(b, &t, s->m.has[m]);
		}
		sbuf_addstr(b, "</tr>\n");
	}
	sbuf_addstr(b, "</tbody></table>\n</section>\n");
	sbuf_done(&t);
}

char *
report_render_html(const struct report *r)
{
	struct sbuf b, t;
	sbuf_init(&b);
	sbuf_init(&t);
	sbuf_addstr(&b,
	    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
	    "<title>");
	cell_html(&b, r->name);
	sbuf_printf(&b, " - launch report (%s)</title>\n", cell_marker(r));
	html_style(&b, r);
	sbuf_addstr(&b, "</head>\n<body>\n");
	html_cover(&b, r);
	html_totals(&b, r);
	html_cpm(&b, r);
	sbuf_addstr(&b, "<section id=\"charts\">\n<h2>Over time</h2>\n");
	static const int views_only[] = {RM_VIEWS};
	static const int eng_metrics[] = {
	    RM_LIKES, RM_RETWEETS, RM_REPLIES, RM_QUOTES, RM_BOOKMARKS};
	enum res res;
	size_t np;
	struct rep_point *pts = report_chart_points(r, REPORT_CHART_STEPS, &res, &np);
	char vt[96], et[128];
	snprintf(vt, sizeof vt, "Cumulative views over time (per %s, UTC)", res_name(res));
	snprintf(et, sizeof et, "Cumulative likes, retweets, replies, quotes, bookmarks (per %s)",
	    res_name(res));
	svg_lines(&b, "chart-views", vt, pts, np, views_only, 1);
	svg_lines(&b, "chart-engagement", et, pts, np, eng_metrics, LW_ARRAY_LEN(eng_metrics));
	free(pts);
	sbuf_addstr(&b, "<h2>By audience and category</h2>\n<div class=\"pair\">\n");
	svg_pie(&b, r);
	svg_bars(&b, "chart-cat-views", "Views by category", r, views_only, 1);
	sbuf_addstr(&b, "</div>\n");
	svg_bars(&b, "chart-cat-engagement", "Engagement by category", r, eng_metrics,
	    LW_ARRAY_LEN(eng_metrics));
	sbuf_addstr(&b, "</section>\n");
	html_tweets(&b, r);

	sbuf_printf(&b,
	    "<section>\n<h2>Engaged accounts by audience</h2>\n<table id=\"buckets\">\n"
	    "<thead><tr><th>audience</th><th class=\"n\">unique accounts</th>"
	    "<th class=\"n\">retweets, replies and quotes</th>%s</tr></thead>\n<tbody>\n",
	    r->farm.has ? "<th class=\"n\">likely farmed</th>" : "");
	for (int k = 0; k <= BK__COUNT; k++) {
		sbuf_printf(&b, "<tr><th>%s</th>",
		    k < BK__COUNT ? bucket_name((enum lw_bucket)k) : "total");
		cell_int(&t, k < BK__COUNT ? r->bucket_accounts[k] : r->unique_accounts);
		html_num_cell(&b, &t);
		cell_int(&t, k < BK__COUNT ? r->bucket_engagements[k] : r->engagements);
		html_num_cell(&b, &t);
		if (r->farm.has) {
			cell_int(&t, k < BK__COUNT ? r->farm.bucket[k] : r->farm.likely);
			html_num_cell(&b, &t);
		}
		sbuf_addstr(&b, "</tr>\n");
	}
	sbuf_addstr(&b, "</tbody></table>\n</section>\n");
	html_sentiment(&b, r);

	sbuf_addstr(&b, "<section>\n<h2>Top engagers</h2>\n<table id=\"top\">\n<thead><tr>"
	                "<th class=\"n\">#</th><th>account</th><th>audience</th>"
	                "<th class=\"n\">importance</th><th class=\"n\">followers</th>"
	                "<th>actions</th><th>why this audience</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < r->ntop; i++) {
		const struct rep_engager *e = &r->top[i];
		sbuf_printf(&b, "<tr><td class=\"n\">%zu</td><td>@", i + 1);
		cell_html(&b, e->handle);
		if (*e->name) {
			sbuf_addstr(&b, " (");
			cell_html(&b, e->name);
			sbuf_addstr(&b, ")");
		}
		sbuf_printf(&b, "%s</td><td>%s</td><td class=\"n\">%d</td>",
		    e->verified ? " &#10003;" : "", bucket_name(e->bucket), e->importance);
		cell_int(&t, e->followers);
		html_num_cell(&b, &t);
		cell_actions(&t, e->actions);
		sbuf_addstr(&b, "<td>");
		cell_html(&b, t.s ? t.s : "");
		sbuf_addstr(&b, "</td>");
		sbuf_done(&t);
		sbuf_init(&t);
		html_cell(&b, "td", *e->evidence ? e->evidence : "-");
		sbuf_addstr(&b, "</tr>\n");
	}
	sbuf_addstr(&b, "</tbody></table>\n</section>\n");
	html_appendix(&b, r);
	sbuf_addstr(&b, "</body>\n</html>\n");
	sbuf_done(&t);
	return sbuf_take(&b);
}
