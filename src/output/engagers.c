/*
 * engagers: the full engagers table's rows (CSV and JSON) and the XLSX
 * workbook (include/output/engagers.h). The workbook's table sheets are the
 * report's CSV tables read back cell by cell (so the two formats never
 * disagree); the engagers sheet gets one row per call, in constant-memory
 * mode. Files only; any thread, one workbook per caller.
 */
#include "output/engagers.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "output/report_write.h"
#include "report_cells_internal.h"

const char engagers_csv_header[] = "user_id,handle,bucket,importance,followers,verified,"
                                   "first_engaged_at,retweets,replies,quotes,tweets\r\n";

/* The engagers sheet's header, the CSV header's names. */
static const char *const sheet_header[] = {"user_id", "handle", "bucket", "importance", "followers",
    "verified", "first_engaged_at", "retweets", "replies", "quotes", "tweets"};

void
engagers_csv_row(struct sbuf *b, const struct rep_account_row *a)
{
	csv_field(b, a->user_id, false);
	csv_field(b, a->handle, false);
	sbuf_printf(b, "%s,%d,%lld,%s,", bucket_name(a->bucket), a->importance,
	    (long long)a->followers, a->verified ? "true" : "false");
	if (a->first_at_ms > 0)
		cell_csv_time(b, a->first_at_ms);
	sbuf_printf(b, ",%lld,%lld,%lld,%lld\r\n", (long long)a->actions[ACT_RETWEET],
	    (long long)a->actions[ACT_REPLY], (long long)a->actions[ACT_QUOTE],
	    (long long)a->ntweets);
}

void
engagers_json_row(struct sbuf *b, const struct rep_account_row *a)
{
	char when[40] = "";
	if (a->first_at_ms > 0) {
		struct sbuf t;
		sbuf_init(&t);
		cell_csv_time(&t, a->first_at_ms);
		snprintf(when, sizeof when, "%s", t.s);
		sbuf_done(&t);
	}
	json_t *o = json_pack("{s:s, s:s, s:s, s:i, s:I, s:b, s:o, s:I, s:I, s:I, s:I}", "user_id",
	    a->user_id, "handle", a->handle, "bucket", bucket_name(a->bucket), "importance",
	    a->importance, "followers", (json_int_t)a->followers, "verified", a->verified,
	    "first_engaged_at", *when ? json_string(when) : json_null(), "retweets",
	    (json_int_t)a->actions[ACT_RETWEET], "replies", (json_int_t)a->actions[ACT_REPLY],
	    "quotes", (json_int_t)a->actions[ACT_QUOTE], "tweets", (json_int_t)a->ntweets);
	char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	sbuf_addstr(b, s ? s : "null");
	free(s);
	json_decref(o);
}

/* ---- XLSX --------------------------------------------------------------- */

struct report_xlsx {
	char *path, *tmp;
	lxw_workbook *wb;
	lxw_worksheet *engagers;
	lxw_row_t row;
};

/* Writes one CSV cell (quoted: text, without the formula guard; else a
 * number, a boolean or text) at (row, col). */
static void
put_cell(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *v, bool quoted)
{
	char *end = NULL;
	if (quoted) {
		worksheet_write_string(
		    ws, row, col, v[0] == '\'' && csv_is_formula(v + 1) ? v + 1 : v, NULL);
	} else if (*v == '\0') {
		return;
	} else if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0) {
		worksheet_write_boolean(ws, row, col, v[0] == 't', NULL);
	} else {
		double d = strtod(v, &end);
		if (end && *end == '\0')
			worksheet_write_number(ws, row, col, d, NULL);
		else
			worksheet_write_string(ws, row, col, v, NULL);
	}
}

/* Writes one RFC 4180 table (CRLF records, quoted text) into ws. */
static void
put_csv(lxw_worksheet *ws, const char *csv)
{
	struct sbuf cell;
	sbuf_init(&cell);
	lxw_row_t row = 0;
	lxw_col_t col = 0;
	const char *p = csv;
	while (*p) {
		bool quoted = false;
		cell.len = 0;
		sbuf_addstr(&cell, "");
		if (*p == '"') {
			quoted = true;
			for (p++; *p && !(*p == '"' && p[1] != '"'); p++) {
				if (*p == '"')
					p++;
				sbuf_add(&cell, p, 1);
			}
			if (*p == '"')
				p++;
		}
		size_t n = strcspn(p, ",\r\n");
		sbuf_add(&cell, p, n);
		p += n;
		put_cell(ws, row, col, cell.s, quoted);
		if (*p == ',') {
			p++;
			col++;
			continue;
		}
		p += strspn(p, "\r\n") > 2 ? 2 : strspn(p, "\r\n");
		row++;
		col = 0;
	}
	sbuf_done(&cell);
}

int
report_xlsx_open(const struct report *r, const char *dir, struct report_xlsx **out, char **cause)
{
	*out = NULL;
	if (mkdir_p(dir, cause) != 0)
		return -1;
	struct report_xlsx *x = xcalloc(1, sizeof *x);
	x->path = xasprintf("%s/%s.xlsx", dir, r->campaign_id);
	x->tmp = xasprintf("%s.tmp", x->path);
	lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = (char *)dir};
	x->wb = workbook_new_opt(x->tmp, &opt);
	if (x->wb == NULL) {
		set_cause(cause, "%s: cannot start the workbook", x->tmp);
		report_xlsx_abort(x);
		return -1;
	}
	for (int t = 0; t < RC__COUNT; t++) {
		lxw_worksheet *ws =
		    workbook_add_worksheet(x->wb, report_csv_table_name((enum report_csv_table)t));
		worksheet_set_column(ws, 0, 15, 16, NULL);
		char *csv = report_render_csv(r, (enum report_csv_table)t);
		put_csv(ws, csv);
		free(csv);
	}
	x->engagers = workbook_add_worksheet(x->wb, "engagers");
	worksheet_set_column(x->engagers, 0, 10, 16, NULL);
	for (size_t c = 0; c < LW_ARRAY_LEN(sheet_header); c++)
		worksheet_write_string(x->engagers, 0, (lxw_col_t)c, sheet_header[c], NULL);
	x->row = 1;
	*out = x;
	return 0;
}

int
report_xlsx_engager(struct report_xlsx *x, const struct rep_account_row *a, char **cause)
{
	lxw_worksheet *ws = x->engagers;
	lxw_row_t r = x->row++;
	if (r >= LXW_ROW_MAX)
		return set_cause(cause, "%s: more than %u engagers do not fit in a sheet", x->path,
		    (unsigned)LXW_ROW_MAX - 1);
	struct sbuf t;
	sbuf_init(&t);
	if (a->first_at_ms > 0)
		cell_csv_time(&t, a->first_at_ms);
	double nums[] = {(double)a->actions[ACT_RETWEET], (double)a->actions[ACT_REPLY],
	    (double)a->actions[ACT_QUOTE], (double)a->ntweets};
	worksheet_write_string(ws, r, 0, a->user_id, NULL);
	put_cell(ws, r, 1, a->handle, true);
	worksheet_write_string(ws, r, 2, bucket_name(a->bucket), NULL);
	worksheet_write_number(ws, r, 3, a->importance, NULL);
	worksheet_write_number(ws, r, 4, (double)a->followers, NULL);
	worksheet_write_boolean(ws, r, 5, a->verified, NULL);
	if (t.s)
		worksheet_write_string(ws, r, 6, t.s, NULL);
	for (size_t i = 0; i < LW_ARRAY_LEN(nums); i++)
		worksheet_write_number(ws, r, (lxw_col_t)(7 + i), nums[i], NULL);
	sbuf_done(&t);
	return 0;
}

void
report_xlsx_abort(struct report_xlsx *x)
{
	if (x == NULL)
		return;
	if (x->wb)
		workbook_close(x->wb);
	unlink(x->tmp);
	free(x->path);
	free(x->tmp);
	free(x);
}

int
report_xlsx_close(struct report_xlsx *x, char **path, char **cause)
{
	*path = NULL;
	lxw_error e = workbook_close(x->wb);
	x->wb = NULL;
	if (e != LXW_NO_ERROR) {
		set_cause(cause, "%s: %s", x->tmp, lxw_strerror(e));
		report_xlsx_abort(x);
		return -1;
	}
	if (rename(x->tmp, x->path) != 0) {
		set_cause(cause, "%s: %s", x->path, strerror(errno));
		report_xlsx_abort(x);
		return -1;
	}
	*path = x->path;
	x->path = NULL;
	free(x->tmp);
	free(x);
	return 0;
}
