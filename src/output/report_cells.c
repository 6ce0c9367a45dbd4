/*
 * report_cells: the pieces of text the report renderers share (see
 * report_cells_internal.h). Pure; any thread.
 */
#include "output/report_write.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timestr.h"
#include "base/util.h"
#include "report_cells_internal.h"

/* ---- number formatting -------------------------------------------------- */

/* Appends n with thousands separators. */
void
cell_int(struct sbuf *b, int64_t n)
{
	char digits[32];
	int len = snprintf(digits, sizeof digits, "%lld", (long long)(n < 0 ? -n : n));
	if (n < 0)
		sbuf_addstr(b, "-");
	for (int i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			sbuf_addstr(b, ",");
		sbuf_add(b, &digits[i], 1);
	}
}

/* Appends an amount of US dollars as -$1,234.56. */
void
cell_usd(struct sbuf *b, double v)
{
	double cents = round(fabs(v) * 100.0);
	if (v < 0 && cents > 0)
		sbuf_addstr(b, "-");
	sbuf_addstr(b, "$");
	cell_int(b, (int64_t)(cents / 100.0));
	sbuf_printf(b, ".%02d", (int)fmod(cents, 100.0));
}

/* Appends a count, or "missing". */
void
cell_opt_int(struct sbuf *b, bool has, int64_t v)
{
	if (has)
		cell_int(b, v);
	else
		sbuf_addstr(b, "missing");
}

/* Appends a dollar amount, or "missing". */
void
cell_opt_usd(struct sbuf *b, bool has, double v)
{
	if (has)
		cell_usd(b, v);
	else
		sbuf_addstr(b, "missing");
}

/* Appends a time as "2026-12-01 14:00 UTC" (hour precision is enough). */
void
cell_time(struct sbuf *b, int64_t ms)
{
	char buf[40];
	timestr_format_time(ms / 1000, buf, sizeof buf);
	sbuf_printf(b, "%.10s %.5s UTC", buf, buf + 11);
}

/* Appends a value of a sum, with "(n missing)" when some tweets had none. */
void
cell_sum(struct sbuf *b, const struct rep_sum *s, int m)
{
	cell_opt_int(b, s->m.has[m], s->m.v[m]);
	if (s->m.has[m] && s->nmissing[m] > 0)
		sbuf_printf(b, " (%lld of %lld tweets missing)", (long long)s->nmissing[m],
		    (long long)s->ntweets);
}

/* Appends the actions of an engager as "retweet, reply x3". */
void
cell_actions(struct sbuf *b, const int64_t *actions)
{
	bool first = true;
	for (int a = 0; a < ACT__COUNT; a++) {
		if (actions[a] == 0)
			continue;
		sbuf_printf(b, "%s%s", first ? "" : ", ", action_name((enum lw_action)a));
		if (actions[a] > 1)
			sbuf_printf(b, " x%lld", (long long)actions[a]);
		first = false;
	}
}

/* Returns the marker line that says whether the numbers are final. */
const char *
cell_marker(const struct report *r)
{
	return r->final ? "final" : "live, not final";
}

/* Appends s with the five XML special characters escaped. */
void
cell_html(struct sbuf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			sbuf_addstr(b, "&amp;");
			break;
		case '<':
			sbuf_addstr(b, "&lt;");
			break;
		case '>':
			sbuf_addstr(b, "&gt;");
			break;
		case '"':
			sbuf_addstr(b, "&quot;");
			break;
		case '\'':
			sbuf_addstr(b, "&#39;");
			break;
		default:
			sbuf_add(b, s, 1);
		}
	}
}

/* Returns true when the campaign set a CPM benchmark or a spend. */
bool
cell_cpm_set(const struct report *r)
{
	for (int c = 0; c < CAT__COUNT; c++)
		if (r->cpm_settings.has_benchmark[c] || r->cpm_settings.has_spend[c])
			return true;
	return false;
}

/* ---- CSV ---------------------------------------------------------------- */

void
cell_csv_time(struct sbuf *b, int64_t ms)
{
	char buf[40];
	timestr_format_time(ms / 1000, buf, sizeof buf);
	sbuf_addstr(b, buf);
}

/* ---- sentiment ---------------------------------------------------------- */

const char *const cell_sent_cols[CELL_SENT_COLS] = {
    "scored", "mean", "positive", "neutral", "negative", "not scored"};

void
cell_sentiment(const struct sent_sums *s, char cells[CELL_SENT_COLS][24])
{
	double m;
	const int64_t v[] = {s->count, 0, s->positive, s->neutral, s->negative, s->not_scored};
	for (int k = 0; k < CELL_SENT_COLS; k++)
		snprintf(cells[k], 24, "%lld", (long long)v[k]);
	if (sent_sums_mean(s, &m))
		snprintf(cells[1], 24, "%+.2f", m);
	else
		snprintf(cells[1], 24, "-");
}

const char *
cell_sentiment_note(const struct report *r, char *buf, size_t size)
{
	if (!r->has_sentiment)
		snprintf(buf, size,
		    "Not scored: no sentiment scorer ran for this campaign "
		    "(LAUNCHWATCH_SENTIMENT=1 starts it).");
	else
		snprintf(buf, size,
		    "Replies and quotes scored by %s (the mean of its scores, -1 hostile to "
		    "+1 enthusiastic; positive from +0.05, negative from -0.05; 'not scored': a "
		    "language it cannot read).",
		    r->sentiment_by);
	return buf;
}
