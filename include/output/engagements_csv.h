/*
 * engagements_csv: the engagement table of a report, ID-engagements.csv
 * (docs/reports.md): one row per engagement document (tweet, account id,
 * handle, name, action, bucket, importance, followers, verified, first seen,
 * created, evidence), RFC 4180 with CRLF like the other tables, text
 * sanitized and guarded against spreadsheet formulas. Written as a stream:
 * each row goes to a temporary file as it comes and the file is renamed
 * into place at the end, so a million rows take the memory of one. Files
 * only (report_data.c feeds the rows); any thread, one table per caller.
 */
#ifndef LW_ENGAGEMENTS_CSV_H
#define LW_ENGAGEMENTS_CSV_H

#include <stdbool.h>
#include <stdint.h>

#include "base/util.h"
#include "model/event.h"

/* The table's header row (with its CRLF). */
extern const char engcsv_header[];

/* Appends e as one row (with its CRLF) to b. */
void engcsv_row(struct sbuf *b, const struct lw_engagement *e);

/* A table being written (to NAME.tmp, renamed on close). */
struct engcsv;

/* Starts dir/CAMPAIGN_ID-engagements.csv (dir is created when needed) with
 * its header. Caller finishes it with engcsv_close or engcsv_abort. 0, or
 * -1 with a cause. */
int engcsv_open(const char *dir, const char *campaign_id, struct engcsv **out, char **cause);

/* Starts dir/name (dir is created when needed), a streamed file of any
 * table (the engagers' CSV and JSON files too) that begins with head. Caller
 * finishes it with engcsv_close or engcsv_abort. 0, or -1 with a cause. */
int engcsv_open_file(
    const char *dir, const char *name, const char *head, struct engcsv **out, char **cause);

/* Appends text; a row counts in engcsv_rows when row is true. 0, or -1. */
int engcsv_add_text(struct engcsv *w, const char *text, bool row, char **cause);

/* Appends one row. 0, or -1 with a cause. */
int engcsv_add(struct engcsv *w, const struct lw_engagement *e, char **cause);

/* Returns the rows written so far. */
int64_t engcsv_rows(const struct engcsv *w);

/* Flushes and syncs the file, renames it into place, sets *path (caller
 * frees) and frees w (also on failure). 0, or -1 with a cause. */
int engcsv_close(struct engcsv *w, char **path, char **cause);

/* Drops a table being written (removes its temporary file) and frees w;
 * NULL is a no-op. */
void engcsv_abort(struct engcsv *w);

#endif
