/*
 * rep_raw: the report's event-derived numbers computed from raw rows, the
 * way report_build did before the prepared aggregates (issue 13): every
 * engagement and slice in memory, grouped per account. The equivalence
 * tests build the same campaign both ways and compare the rendered outputs.
 * Test code only (linked into every test program); test threads only.
 */
#ifndef LW_REP_RAW_H
#define LW_REP_RAW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/campaign.h"
#include "model/event.h"
#include "model/prep.h"
#include "model/report.h"

struct store;

/* One engagement document as a raw row (strings owned). */
struct raw_eng {
	char tweet_id[LW_ID_MAX];
	char user_id[LW_ID_MAX];
	enum lw_action action;
	char *handle, *name, *evidence;
	int64_t followers;
	bool verified;
	enum lw_bucket bucket;
	int importance;
	int64_t created_at_ms; /* 0 when the provider gave none */
	int64_t first_seen_at_ms;
};

/* One metric slice as a raw row (deltas in report order, has[] per metric). */
struct raw_slice {
	char tweet_id[LW_ID_MAX];
	int64_t seq;
	int64_t at_ms;
	struct rep_values deltas;
};

/* The campaign's settings and tweets, plus every raw row. */
struct raw_input {
	struct rep_input in;
	struct raw_eng *eng;
	size_t neng;
	struct raw_slice *slices;
	size_t nslices;
};

/* Frees what x owns and zeroes it. */
void raw_input_done(struct raw_input *x);

/* Appends an engagement row (strings copied). */
void raw_add_eng(struct raw_input *x, const struct raw_eng *e);

/* Loads the campaign whose id or name is key (settings and tweets through
 * store_report_load) and every stored engagement and slice of it (through
 * the store's scans) into *x. 0, 1 no such campaign, -1 with a cause. */
int raw_input_load(struct store *s, const char *key, struct raw_input *x, char **cause);

/* Builds the prepared summary of x in memory into *out (caller calls
 * prep_summary_done) through the production model: each row becomes a
 * change-log record (prep_eng_from, prep_slice_from), the state applies
 * those first seen (taken) at or before cutoff_ms, of listed tweets only
 * when listed_only, and the top engagers get their name and evidence from
 * their best row, as prep_fill_details reads them. */
void raw_summary(
    const struct raw_input *x, int64_t cutoff_ms, bool listed_only, struct prep_summary *out);

/* Builds the report of x the old way into *out (caller calls report_done):
 * only engagements first seen and slices taken at or before cutoff_ms, on
 * listed tweets, count; at most top engagers. */
void raw_report_build(
    const struct raw_input *x, int64_t cutoff_ms, int64_t now_ms, size_t top, struct report *out);

/* Renders every format of r (Markdown, JSON, HTML, each CSV table) into
 * one string (caller frees). */
char *raw_render_all(const struct report *r);

#endif
