/*
 * engagers: the full engagers table of a report (every engaged account,
 * one row each: docs/reports.md, "The engagers table") as CSV rows
 * (ID-engagers.csv, formula-guarded like every table) and JSON objects
 * (ID-engagers.json, a streamed array), and the XLSX workbook ID.xlsx: one
 * sheet per report table plus the engagers sheet, written row by row in
 * libxlsxwriter's constant-memory mode. Rows are rendered one at a time;
 * engine/report_data.c streams them from the store. Any thread, one
 * table or workbook per caller.
 */
#ifndef LW_ENGAGERS_H
#define LW_ENGAGERS_H

#include "base/util.h"
#include "model/report.h"

/* The CSV header row (with its CRLF). */
extern const char engagers_csv_header[];
/* Appends a as one CSV row (with its CRLF). */
void engagers_csv_row(struct sbuf *b, const struct rep_account_row *a);
/* Appends a as one compact JSON object (no separator). */
void engagers_json_row(struct sbuf *b, const struct rep_account_row *a);

/* A workbook being written (to NAME.tmp, renamed on close). */
struct report_xlsx;

/* Starts dir/ID.xlsx with one sheet per CSV table of r (numbers as
 * numbers, text as text, never a formula) and opens the "engagers" sheet
 * with its header row. 0, or -1 with a cause. */
int report_xlsx_open(
    const struct report *r, const char *dir, struct report_xlsx **out, char **cause);
/* Adds one row to the engagers sheet. 0, or -1 with a cause. */
int report_xlsx_engager(struct report_xlsx *x, const struct rep_account_row *a, char **cause);
/* Writes the workbook, renames it into place, sets *path (caller frees)
 * and frees x (also on failure). 0, or -1 with a cause. */
int report_xlsx_close(struct report_xlsx *x, char **path, char **cause);
/* Drops a workbook being written and frees x; NULL is a no-op. */
void report_xlsx_abort(struct report_xlsx *x);

#endif
