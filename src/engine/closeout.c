/*
 * closeout: the close-out job and reports on demand. Write order, so that a
 * crash at any point and a rerun finish exactly once: (1) the final refresh
 * and model (from the prepared summary, flushed or caught up), nothing
 * written; (2) one write puts frozen, status completed, completed_at and
 * closeout{frozen_at, archive_dir} on the campaign, only if it has no
 * closeout.frozen_at yet; (3) the archive files (each a temporary file
 * renamed into place, the big ones streamed in the server's order); (4) the
 * report files with the engagement table; (5) manifest.json over both,
 * signed into manifest.sig with the data directory's key (made on the first
 * close-out), rewritten whole on a rerun; (6) the archives record, upserted
 * by a deterministic _id; (7) closeout.state "done". Runs on its caller's
 * thread.
 */
#include "engine/closeout.h"
#include "engine/aggregator.h"
#include "engine/report_data.h"
#include "output/archive_sign.h"
#include "output/report_write.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store_report.h"
#include "base/util.h"

#define FLUSH_WAIT_MS   120000 /* the prepared aggregates catch up before a freeze */
#define CURRENT_WAIT_MS 90000  /* another engine's aggregator, or its lease, before a freeze */
#define PROGRESS_DOCS   50000  /* archived documents between progress lines */

static const char *const step_names[CO__COUNT] = {
    "refreshed", "built", "frozen", "archive-file", "reports", "manifest", "recorded", "done"};

/* What is archived: one file per collection, with the time field that
 * decides whether a document came before the freeze, and whether it is
 * small enough to sort by _id (the big ones stream in the server's order:
 * FerretDB sorts in memory). */
static const struct archive_spec {
	const char *collection;
	const char *file;
	const char *time_field;
	bool by_id;
} archive_specs[] = {
    {"campaigns", "campaign.ndjson.gz", NULL, true},
    {"tweets", "tweets.ndjson.gz", NULL, true},
    {"engagements", "engagements.ndjson.gz", "first_seen_at", false},
    {"metric_slices", "metric_slices.ndjson.gz", "at", false},
};

const char *
closeout_step_name(enum closeout_step s)
{
	return (unsigned)s < CO__COUNT ? step_names[s] : "?";
}

bool
closeout_due(const struct campaign *c, int64_t now_ms)
{
	if (c->status == CS_COMPLETED)
		return false;
	return c->close_requested_at_ms > 0 || now_ms >= c->cfg.end_s * 1000;
}

char *
closeout_default_archive_root(void)
{
	const char *env = getenv("LAUNCHWATCH_ARCHIVE_DIR");
	if (env && *env)
		return xstrdup(env);
	char *data = lw_data_dir();
	char *root = xasprintf("%s/archives", data);
	free(data);
	return root;
}

/* Calls the step hook; -1 with a cause when it asks to stop. */
static int
step(const struct closeout_hooks *h, enum closeout_step s, const char *detail, char **cause)
{
	if (h && h->step && h->step(s, detail, h->arg) != 0)
		return set_cause(cause, "close-out stopped after step %s%s%s", step_names[s],
		    detail ? " " : "", detail ? detail : "");
	return 0;
}

/* Reports "what subject" as progress through the hook, if any. */
static void
progress(const struct closeout_hooks *h, const char *what, const char *subject)
{
	if (h == NULL || h->progress == NULL)
		return;
	char *msg = xasprintf("%s %s", what, subject);
	h->progress(msg, h->arg);
	free(msg);
}

/* One archive file being written, with its progress. */
struct archive_run {
	struct archive_gz *g;
	const struct closeout_hooks *h;
	const char *collection;
	int64_t n;
	struct report_table *table; /* the engagement table filled on the way, or NULL */
};

/* Appends one archived document to the open gzip file; says how far it got
 * every PROGRESS_DOCS documents. */
static int
add_doc(const char *json, size_t len, void *arg, char **cause)
{
	struct archive_run *a = arg;
	if (archive_gz_add(a->g, json, len, cause) != 0)
		return -1;
	if (++a->n % PROGRESS_DOCS == 0 && a->h && a->h->progress) {
		char *msg =
		    xasprintf("archiving %s: %lld documents", a->collection, (long long)a->n);
		a->h->progress(msg, a->h->arg);
		free(msg);
	}
	return 0;
}

/* Hands one archived engagement to the engagement table. */
static int
add_row(const struct lw_engagement *e, void *arg, char **cause)
{
	return report_table_add(((struct archive_run *)arg)->table, e, cause);
}

/* Writes the archive files of campaign id (documents up to cutoff_ms) into
 * dir; the engagements walk fills table too (when not NULL), so a million
 * engagements are read once. */
static int
write_archive(struct store *s, const char *id, int64_t cutoff_ms, const char *dir,
    const struct closeout_hooks *h, struct report_table *table, struct archive_manifest *m,
    char **cause)
{
	memset(m, 0, sizeof *m);
	snprintf(m->campaign_id, sizeof m->campaign_id, "%s", id);
	m->cutoff_ms = cutoff_ms;
	m->created_at_ms = clock_now_ms();
	for (size_t i = 0; i < LW_ARRAY_LEN(archive_specs); i++) {
		const struct archive_spec *a = &archive_specs[i];
		struct archive_run run = {.h = h, .collection = a->collection, .table = table};
		progress(h, "archiving", a->collection);
		if (archive_gz_open(dir, a->file, a->collection, &run.g, cause) != 0)
			return -1;
		int rc = table && strcmp(a->collection, "engagements") == 0
		             ? store_report_dump_engagements(
		                   s, id, cutoff_ms, add_doc, add_row, &run, cause)
		             : store_report_dump(s, a->collection, id, a->time_field, cutoff_ms,
		                   a->by_id, add_doc, &run, cause);
		if (rc != 0) {
			archive_gz_abort(run.g);
			return -1;
		}
		if (archive_gz_close(run.g, &m->files[m->nfiles++], cause) != 0)
			return -1;
		if (run.n >= PROGRESS_DOCS && h && h->progress) {
			char *msg = xasprintf(
			    "archived %s: %lld documents", a->collection, (long long)run.n);
			h->progress(msg, h->arg);
			free(msg);
		}
		if (step(h, CO_ARCHIVE_FILE, a->file, cause) != 0)
			return -1;
	}
	return 0;
}

/* Hashes the report folder into m, writes and signs the manifest of dir
 * with the key at key_path (made when missing; its public half is printed
 * as progress), and records the archive. */
static int
seal_archive(struct store *s, const char *dir, const char *key_path, const struct closeout_hooks *h,
    struct archive_manifest *m, char **cause)
{
	struct archive_key k;
	bool created;
	char *def = key_path ? NULL : archive_key_default_path();
	const char *path = key_path ? key_path : def;
	int rc = archive_hash_reports(dir, m, cause);
	if (rc == 0)
		rc = archive_key_load(path, true, &k, &created, cause) == 0 ? 0 : -1;
	if (rc == 0) {
		if (created)
			progress(h, "made the archive signing key", path);
		snprintf(m->signing_key, sizeof m->signing_key, "%s", k.public_key);
		rc = archive_write_manifest(dir, m, cause);
		if (rc == 0)
			rc = archive_sign_manifest(dir, &k, cause);
		archive_key_wipe(&k);
	}
	free(def);
	if (rc != 0)
		return -1;
	progress(h, "archive manifest signed by", m->signing_key);
	if (step(h, CO_MANIFEST, NULL, cause) != 0)
		return -1;
	if (store_archive_record(s, m, dir, cause) != 0 || step(h, CO_RECORDED, NULL, cause) != 0)
		return -1;
	return 0;
}

/* Passes a progress line to the hooks. */
static void
hook_progress(const char *msg, void *arg)
{
	const struct closeout_hooks *h = arg;
	if (h && h->progress)
		h->progress(msg, h->arg);
}

/* Reads the frozen report into *r (caller calls report_done). 0 or -1. */
static int
frozen_model(const char *frozen_json, struct report *r, char **cause)
{
	json_error_t jerr;
	memset(r, 0, sizeof *r);
	json_t *j = json_loads(frozen_json, 0, &jerr);
	if (j == NULL)
		return set_cause(cause, "the frozen report does not parse: %s", jerr.text);
	int rc = report_from_json(j, r, cause);
	json_decref(j);
	return rc;
}

/* Writes the final report r in every format into dir, and puts the
 * engagement table the archive filled in place (takes table). */
static int
write_reports(const struct report *r, const char *dir, struct report_table *table, char **cause)
{
	char **paths = NULL, *path = NULL;
	size_t npaths = 0;
	int64_t rows;
	int rc = 0;
	for (int f = 0; f < RF__COUNT && rc == 0; f++)
		rc = report_write(r, (enum report_format)f, dir, &paths, &npaths, cause);
	if (rc == 0)
		rc = report_table_close(table, &path, &rows, cause);
	else
		report_table_abort(table);
	free(path);
	for (size_t i = 0; i < npaths; i++)
		free(paths[i]);
	free(paths);
	return rc;
}

/* Refreshes, builds and freezes campaign id (steps 1 and 2). */
static int
freeze(struct store *s, const char *id, const struct closeout_hooks *h,
    const struct closeout_opts *o, const char *root, struct closeout_result *res, char **cause)
{
	struct campaign c;
	struct rep_input in;
	struct prep_summary sum;
	struct report r;
	struct rep_refresh fr;
	memset(&fr, 0, sizeof fr);
	int rc = store_campaign_get(s, id, &c, cause);
	if (rc != 0)
		return rc == 1 ? set_cause(cause, "no campaign with id %s", id) : -1;
	if (h && h->final_refresh) {
		progress(h, "final metrics reading and delta walk of", id);
		rc = h->final_refresh(s, &c, h->arg, &fr, cause);
	} else if (o && o->refresh) {
		progress(h, "final metrics reading and delta walk of", id);
		rc = final_refresh_run(
		    o->refresh, &c, h ? h->progress : NULL, h ? h->arg : NULL, &fr, cause);
	}
	campaign_done(&c);
	if (rc != 0 || step(h, CO_REFRESHED, NULL, cause) != 0) {
		free(fr.note);
		return -1;
	}
	if (fr.ran && !fr.complete)
		progress(h, "final refresh incomplete; freezing what is stored:", fr.note);
	/* the prepared aggregates take in everything the refresh stored */
	if (o && o->aggregator && aggregator_flush(o->aggregator, id, FLUSH_WAIT_MS, cause) != 0) {
		free(fr.note);
		return -1;
	}
	progress(h, "freezing the totals of", id);
	if ((rc = store_report_load(s, id, &c, &in, cause)) != 0) {
		free(fr.note);
		return rc == 1 ? set_cause(cause, "no campaign with id %s", id) : -1;
	}
	/* the flushed summary, or one caught up here when no engine of ours
	 * aggregates the campaign; never one that lags the log */
	struct report_data_opts ro = {.progress = hook_progress,
	    .arg = (void *)h,
	    .need_current = true,
	    .wait_ms = CURRENT_WAIT_MS};
	struct report_data_info info;
	if (report_data_summary(s, &in, &ro, &sum, &info, cause) != 0) {
		free(fr.note);
		rep_input_done(&in);
		campaign_done(&c);
		return -1;
	}
	int64_t now = clock_now_ms();
	size_t top = o && o->top ? o->top : REPORT_TOP_DEFAULT;
	report_build(&in, &sum, now, top < PREP_TOP_MAX ? top : PREP_TOP_MAX, &r);
	r.log_head = info.head;
	report_data_sentiment(s, c.id, &r);
	r.final = true;
	r.status = CS_COMPLETED;
	r.refresh = fr; /* moved: report_done frees the note */
	json_t *j = report_to_json(&r);
	char *text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
	json_decref(j);
	report_done(&r);
	prep_summary_done(&sum);
	rep_input_done(&in);
	campaign_done(&c);
	if (text == NULL)
		abort(); /* only fails when out of memory */
	char stamp[32];
	time_t t = (time_t)(now / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	char *dir = xasprintf("%s/%s-%s", root, id, stamp);
	rc = step(h, CO_BUILT, NULL, cause);
	if (rc == 0)
		rc = store_closeout_freeze(s, id, text, now, dir, cause);
	res->froze = rc == 0;
	free(text);
	free(dir);
	if (rc < 0)
		return -1;
	return step(h, CO_FROZEN, NULL, cause);
}

int
closeout_run(struct store *s, const char *id, const struct closeout_hooks *h,
    const struct closeout_opts *o, struct closeout_result *res, char **cause)
{
	struct store_closeout st;
	char *root =
	    o && o->archive_root ? xstrdup(o->archive_root) : closeout_default_archive_root();
	int rc;
	memset(res, 0, sizeof *res);
	if ((rc = store_closeout_get(s, id, &st, cause)) != 0) {
		free(root);
		return rc == 1 ? set_cause(cause, "no campaign with id %s", id) : -1;
	}
	if (st.frozen_at_ms == 0) {
		store_closeout_done(&st);
		if (freeze(s, id, h, o, root, res, cause) != 0)
			goto fail;
		if (store_closeout_get(s, id, &st, cause) != 0)
			goto fail;
	}
	snprintf(res->archive_dir, sizeof res->archive_dir, "%s", st.archive_dir);
	if (st.archived) {
		res->already_done = !res->froze;
		store_closeout_done(&st);
		free(root);
		return 0;
	}
	if (st.frozen_json == NULL || !*st.archive_dir) {
		set_cause(cause, "campaign %s has a close-out record without frozen totals", id);
		store_closeout_done(&st);
		goto fail;
	}
	/* the report folder's engagement table is filled while the archive
	 * walks the engagements: everything first seen up to the freeze */
	struct report fin;
	struct report_table *table = NULL;
	char *rdir = xasprintf("%s/report", st.archive_dir);
	bool reports = o && o->write_reports;
	rc = reports ? frozen_model(st.frozen_json, &fin, cause) : 0;
	if (rc == 0 && reports)
		rc = report_table_open(
		    &fin, st.frozen_at_ms, rdir, hook_progress, (void *)h, &table, cause);
	if (rc == 0)
		rc = write_archive(
		    s, id, st.frozen_at_ms, st.archive_dir, h, table, &res->manifest, cause);
	if (rc == 0 && reports) {
		progress(h, "writing the final report into the report folder of", st.archive_dir);
		rc = write_reports(&fin, rdir, table, cause);
		table = NULL;
		if (rc == 0)
			rc = step(h, CO_REPORTS, NULL, cause);
	}
	if (rc == 0)
		rc = seal_archive(
		    s, st.archive_dir, o ? o->signing_key : NULL, h, &res->manifest, cause);
	report_table_abort(table);
	if (reports)
		report_done(&fin);
	free(rdir);
	store_closeout_done(&st);
	if (rc != 0)
		goto fail;
	res->archived = true;
	if (store_closeout_finish(s, id, clock_now_ms(), cause) != 0 ||
	    step(h, CO_DONE, NULL, cause) != 0)
		goto fail;
	progress(h, "close-out finished:", id);
	free(root);
	return 0;
fail:
	free(root);
	return -1;
}

int
closeout_report(
    struct store *s, const char *key, int64_t now_ms, size_t top, struct report *out, char **cause)
{
	return report_data_get(s, key, now_ms, top, NULL, out, NULL, cause);
}
