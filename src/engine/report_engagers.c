/*
 * report_engagers: the full engagers table of a report (report_data.h,
 * report_data_engagers): the campaign's prepared account chunks read one
 * at a time by `_id` (PREP_CHUNKS reads, each chunk decoded one account at
 * a time), each account written as a row to the streamed CSV and JSON
 * files and the XLSX workbook's engagers sheet. Runs on its caller's
 * thread (a command's main thread) and waits on the database.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "engine/report_data.h"
#include "output/engagements_csv.h"
#include "output/engagers.h"
#include "store/store_prepared.h"

#define PROGRESS_ROWS 50000

/* The files being written and where the walk is. */
struct eg_walk {
	struct engcsv *csv, *json;
	struct report_xlsx *xlsx;
	struct sbuf row;
	int64_t rows;
	const char *cid;
	report_progress_fn progress;
	void *arg;
};

/* Writes one account to every open file. 0, or -1 with a cause. */
static int
eg_account(const struct prep_account *a, void *arg, char **cause)
{
	struct eg_walk *w = arg;
	struct rep_account_row r;
	report_account_row(a, &r);
	if (w->csv) {
		w->row.len = 0;
		engagers_csv_row(&w->row, &r);
		if (engcsv_add_text(w->csv, w->row.s, true, cause) != 0)
			return -1;
	}
	if (w->json) {
		w->row.len = 0;
		sbuf_addstr(&w->row, w->rows ? ",\n  " : "  ");
		engagers_json_row(&w->row, &r);
		if (engcsv_add_text(w->json, w->row.s, true, cause) != 0)
			return -1;
	}
	if (w->xlsx && report_xlsx_engager(w->xlsx, &r, cause) != 0)
		return -1;
	if (++w->rows % PROGRESS_ROWS == 0 && w->progress) {
		char *msg =
		    xasprintf("writing the engagers of %s: %lld rows", w->cid, (long long)w->rows);
		w->progress(msg, w->arg);
		free(msg);
	}
	return 0;
}

/* Walks the account chunks of generation gen. 0, or -1 with a cause. */
static int
eg_chunks(struct store *s, const char *cid, int64_t gen, struct eg_walk *w, char **cause)
{
	for (unsigned k = 0; k < PREP_CHUNKS; k++) {
		char key[16];
		void *data = NULL;
		size_t len = 0;
		int64_t seq;
		snprintf(key, sizeof key, "%u", k);
		int rc = stp_part_get(s, cid, gen, STP_CHUNK, key, &seq, &data, &len, cause);
		if (rc == 0)
			rc = prep_chunk_each(data, len, eg_account, w, cause);
		free(data);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* Opens the files want names. 0, or -1 with a cause. */
static int
eg_open(const struct report *r, const char *dir, const struct report_engagers_want *want,
    struct eg_walk *w, char **cause)
{
	char *name = xasprintf("%s-engagers.csv", r->campaign_id);
	int rc = want->csv ? engcsv_open_file(dir, name, engagers_csv_header, &w->csv, cause) : 0;
	free(name);
	name = xasprintf("%s-engagers.json", r->campaign_id);
	if (rc == 0 && want->json)
		rc = engcsv_open_file(dir, name, "[\n", &w->json, cause);
	free(name);
	if (rc == 0 && want->xlsx)
		rc = report_xlsx_open(r, dir, &w->xlsx, cause);
	return rc;
}

/* Records a path put in place (rc 0). Returns rc. */
static int
eg_keep(int rc, char *path, char ***paths, size_t *npaths)
{
	if (rc != 0)
		return -1;
	*paths = xreallocarray(*paths, *npaths + 1, sizeof **paths);
	(*paths)[(*npaths)++] = path;
	return 0;
}

int
report_data_engagers(struct store *s, const struct report *r, bool listed, const char *dir,
    const struct report_engagers_want *want, report_progress_fn progress, void *arg, char ***paths,
    size_t *npaths, int64_t *rows, char **cause)
{
	struct eg_walk w = {.cid = r->campaign_id, .progress = progress, .arg = arg};
	struct stp_head head = {.gen = REPORT_DATA_LISTED_GEN};
	char *path = NULL;
	int rc = listed ? 0 : stp_head_get(s, r->campaign_id, &head, cause);
	if (rc == 1)
		head.gen = 0; /* no prepared state: no engagers */
	rc = rc < 0 ? -1 : eg_open(r, dir, want, &w, cause);
	sbuf_init(&w.row);
	if (rc == 0 && head.gen != 0)
		rc = eg_chunks(s, r->campaign_id, head.gen, &w, cause);
	sbuf_done(&w.row);
	if (rc == 0 && w.json)
		rc = engcsv_add_text(w.json, "\n]\n", false, cause);
	if (rc == 0 && w.csv) {
		rc = engcsv_close(w.csv, &path, cause);
		w.csv = NULL;
		rc = eg_keep(rc, path, paths, npaths);
	}
	if (rc == 0 && w.json) {
		rc = engcsv_close(w.json, &path, cause);
		w.json = NULL;
		rc = eg_keep(rc, path, paths, npaths);
	}
	if (rc == 0 && w.xlsx) {
		rc = report_xlsx_close(w.xlsx, &path, cause);
		w.xlsx = NULL;
		rc = eg_keep(rc, path, paths, npaths);
	}
	engcsv_abort(w.csv);
	engcsv_abort(w.json);
	report_xlsx_abort(w.xlsx);
	*rows = w.rows;
	if (rc == 0 && progress) {
		char *msg = xasprintf(
		    "wrote the engagers of %s: %lld rows", r->campaign_id, (long long)w.rows);
		progress(msg, arg);
		free(msg);
	}
	return rc;
}
