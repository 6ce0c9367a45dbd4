/*
 * seed_support: test data in the contract layout (tests/support/seed_support.h).
 * Documents are built with libbson and sent through the store's test
 * command hook in commands of at most 25 updates (docs/operations.md: larger
 * ones can wedge FerretDB v1). Test threads only.
 */
#include "seed_support.h"

#include <bson/bson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "engine/writer.h"
#include "model/campaign.h"
#include "model/prep.h"
#include "store/store_events.h"
#include "store/store_ingest.h"
#include "store/store_report.h"

#define SEED_BULK_MAX 25 /* updates per command, as the store sends them */

int
seed_engagements(struct store *s, const struct lw_engagement *e, size_t n, char **cause)
{
	bool *is_new = xcalloc(n ? n : 1, sizeof *is_new);
	int rc = 0;
	/* one call per run of equal first-seen times: the insert stamps a whole
	 * call with one time */
	for (size_t i = 0, k; rc == 0 && i < n; i += k) {
		for (k = 1; i + k < n && e[i + k].first_seen_at_ms == e[i].first_seen_at_ms; k++)
			;
		rc = sti_engagements_insert(s, e + i, k, e[i].first_seen_at_ms, is_new + i, cause);
	}
	free(is_new);
	return rc;
}

/* Sends cmd (a write command) and fails on a command or write error. */
static int
run_write(struct store *s, const bson_t *cmd, char **cause)
{
	char *json = bson_as_canonical_extended_json(cmd, NULL), *reply = NULL;
	int rc = store_report_test_command(s, json, &reply, cause);
	if (rc == 0 && strstr(reply, "\"writeErrors\"") != NULL)
		rc = set_cause(cause, "seeding failed: %s", reply);
	free(reply);
	bson_free(json);
	return rc;
}

/* Builds the update command of one upsert per item, keyed by the _id that
 * id_of returns (new string), with the update that upd_of fills, and sends
 * it in commands of at most SEED_BULK_MAX upserts. 0 or -1. */
static int
upsert_each(struct store *s, const char *collection, const void *v, size_t size, size_t n,
    char *(*id_of)(const void *), void (*upd_of)(const void *, bson_t *), char **cause)
{
	int rc = 0;
	for (size_t off = 0; rc == 0 && off < n; off += SEED_BULK_MAX) {
		bson_t cmd = BSON_INITIALIZER, arr, op, upd;
		BSON_APPEND_UTF8(&cmd, "update", collection);
		BSON_APPEND_ARRAY_BEGIN(&cmd, "updates", &arr);
		for (size_t i = off; i < n && i < off + SEED_BULK_MAX; i++) {
			const void *x = (const char *)v + i * size;
			char key[16];
			const char *kp;
			bson_uint32_to_string((uint32_t)(i - off), &kp, key, sizeof key);
			char *id = id_of(x);
			BSON_APPEND_DOCUMENT_BEGIN(&arr, kp, &op);
			bson_t *q = BCON_NEW("_id", BCON_UTF8(id));
			BSON_APPEND_DOCUMENT(&op, "q", q);
			bson_destroy(q);
			BSON_APPEND_DOCUMENT_BEGIN(&op, "u", &upd);
			upd_of(x, &upd);
			bson_append_document_end(&op, &upd);
			BSON_APPEND_BOOL(&op, "upsert", true);
			bson_append_document_end(&arr, &op);
			free(id);
		}
		bson_append_array_end(&cmd, &arr);
		rc = run_write(s, &cmd, cause);
		bson_destroy(&cmd);
	}
	return rc;
}

int
seed_engagements_absent(struct store *s, const struct lw_engagement *e, size_t n, char **cause)
{
	/* the ingest writer's insert never changes a stored engagement */
	return seed_engagements(s, e, n, cause);
}

/* Returns the _id of slice x. */
static char *
slice_id(const void *x)
{
	const struct lw_slice *sl = x;
	return xasprintf("%s:%s:%lld", sl->campaign_id, sl->tweet_id, (long long)sl->seq);
}

/* Fills the $setOnInsert of slice x. */
static void
slice_absent(const void *x, bson_t *upd)
{
	const struct lw_slice *sl = x;
	bson_t ins, d;
	BSON_APPEND_DOCUMENT_BEGIN(upd, "$setOnInsert", &ins);
	BSON_APPEND_UTF8(&ins, "campaign_id", sl->campaign_id);
	BSON_APPEND_UTF8(&ins, "tweet_id", sl->tweet_id);
	if ((unsigned)sl->category < CAT__COUNT)
		BSON_APPEND_UTF8(
		    &ins, "category", category_name((enum tweet_category)sl->category));
	BSON_APPEND_INT64(&ins, "seq", sl->seq);
	BSON_APPEND_DOCUMENT_BEGIN(&ins, "deltas", &d);
	BSON_APPEND_INT64(&d, "likes", sl->deltas.likes);
	BSON_APPEND_INT64(&d, "retweets", sl->deltas.retweets);
	BSON_APPEND_INT64(&d, "replies", sl->deltas.replies);
	BSON_APPEND_INT64(&d, "quotes", sl->deltas.quotes);
	BSON_APPEND_INT64(&d, "views", sl->deltas.views);
	BSON_APPEND_INT64(&d, "bookmarks", sl->deltas.bookmarks);
	bson_append_document_end(&ins, &d);
	BSON_APPEND_DATE_TIME(&ins, "at", sl->at_ms);
	BSON_APPEND_DATE_TIME(&ins, "hour", sl->at_ms - sl->at_ms % 3600000);
	BSON_APPEND_DATE_TIME(&ins, "day", sl->at_ms - sl->at_ms % 86400000);
	bson_append_document_end(upd, &ins);
}

int
seed_slices(struct store *s, const struct lw_slice *sl, size_t n, char **cause)
{
	return upsert_each(s, "metric_slices", sl, sizeof *sl, n, slice_id, slice_absent, cause);
}

int
seed_alert(struct store *s, const char *campaign_id, const char *user_id, const char *handle,
    enum lw_action action, const char *tweet_id, const char *channel, const char *status,
    int64_t at_ms, char **cause)
{
	char *id = xasprintf("%s:%s:%s:%s:%s:%lld", campaign_id, user_id, action_name(action),
	    tweet_id, channel, (long long)at_ms);
	bson_t *cmd = BCON_NEW("insert", BCON_UTF8("alerts_sent"), "documents", "[", "{", "_id",
	    BCON_UTF8(id), "campaign_id", BCON_UTF8(campaign_id), "user_id", BCON_UTF8(user_id),
	    "handle", BCON_UTF8(handle), "action", BCON_UTF8(action_name(action)), "tweet_id",
	    BCON_UTF8(tweet_id), "channel", BCON_UTF8(channel), "status", BCON_UTF8(status), "slot",
	    BCON_INT64(0), "sent_at", BCON_DATE_TIME(at_ms), "digest_of", BCON_NULL, "}", "]");
	int rc = run_write(s, cmd, cause);
	bson_destroy(cmd);
	free(id);
	return rc;
}

/* What seed_log_stored gathers. */
struct stored {
	struct prep_eng *e;
	size_t ne;
	struct prep_slice *s;
	size_t ns;
};

/* Keeps one stored engagement as a log record. */
static int
stored_eng(const struct lw_engagement *e, void *arg)
{
	struct stored *x = arg;
	x->e = xreallocarray(x->e, x->ne + 1, sizeof *x->e);
	prep_eng_from(&x->e[x->ne++], e);
	return 0;
}

/* Keeps one stored slice as a log record. */
static int
stored_slice(const struct lw_slice *sl, void *arg)
{
	struct stored *x = arg;
	x->s = xreallocarray(x->s, x->ns + 1, sizeof *x->s);
	prep_slice_from(&x->s[x->ns++], sl);
	return 0;
}

int
seed_log_stored(struct store *s, const char *campaign_id, char **cause)
{
	struct stored x = {0};
	int rc = ste_scan_engagements(s, campaign_id, 0, stored_eng, &x, cause);
	if (rc == 0)
		rc = ste_scan_slices(s, campaign_id, stored_slice, &x, cause);
	if (rc == 0)
		rc =
		    writer_append(NULL, s, campaign_id, CHK_RECOVERED, x.e, x.ne, x.s, x.ns, cause);
	for (size_t i = 0; i < x.ne; i++)
		prep_eng_done(&x.e[i]);
	free(x.e);
	free(x.s);
	return rc;
}
