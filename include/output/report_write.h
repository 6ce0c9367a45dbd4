/*
 * report_write: the output formats of a report: Markdown (report_md.c), CSV
 * tables (report_csv.c), JSON (report_json.c) and one self-contained HTML
 * file (report_html.c), each rendered as a string, and the writer that puts
 * a format's files atomically into a directory (report_write.c). Rendering is
 * pure; any thread, one report per call (docs/reports.md).
 */
#ifndef LW_REPORT_WRITE_H
#define LW_REPORT_WRITE_H

#include <stddef.h>

#include "model/report.h"

/* The output formats. */
enum report_format { RF_MD, RF_CSV, RF_JSON, RF_HTML, RF__COUNT };

/* Returns "md", "csv", "json" or "html". */
const char *report_format_name(enum report_format f);
/* Parses a format name; 0 or -1. */
int report_format_parse(const char *s, enum report_format *out);

/* Returns the Markdown report as a new string (readable in a terminal and
 * in a chat). Caller frees. */
char *report_render_md(const struct report *r);
/* Returns the JSON report (report_to_json, indented) as a new string. */
char *report_render_json(const struct report *r);
/* Returns the HTML report as a new string: one self-contained, well-formed
 * file with inline CSS and SVG charts and no external references. */
char *report_render_html(const struct report *r);

/* The CSV tables, one file each. */
enum report_csv_table {
	RC_SUMMARY,
	RC_CATEGORIES,
	RC_CPM,
	RC_TWEETS,
	RC_BUCKETS,
	RC_TOP_ENGAGERS,
	RC_HOURLY,
	RC_DAILY,
	RC__COUNT
};
/* Returns the table's file-name part ("summary", "cpm", ...). */
const char *report_csv_table_name(enum report_csv_table t);
/* Returns one CSV table (RFC 4180, header row first) as a new string. */
char *report_render_csv(const struct report *r, enum report_csv_table t);

/* Writes the report in format f into dir (created when needed), each file
 * atomically: ID.md, ID.json, ID.html, or ID-TABLE.csv per table. Appends the
 * new paths to *paths (a growing array of *npaths strings the caller frees).
 * Returns 0, or -1 with a cause. */
int report_write(const struct report *r, enum report_format f, const char *dir, char ***paths,
    size_t *npaths, char **cause);

#endif
