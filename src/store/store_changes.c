/*
 * store_changes: the `changes` collection, the per-campaign change log
 * (include/store/store_changes.h). Appends are one ordered insert; every
 * read is one `_id` lookup, which FerretDB answers from its index. Any
 * thread.
 */
#include "store/store_changes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "store_internal.h"

#define COLL "changes"

static const char *const kind_names[CHK__COUNT] = {"engagements", "slices", "recovered"};

const char *
change_kind_name(enum change_kind k)
{
	return (unsigned)k < CHK__COUNT ? kind_names[k] : "engagements";
}

void
change_entry_done(struct change_entry *e)
{
	free(e->items);
	memset(e, 0, sizeof *e);
}

/* Writes entry id "campaign:seq" into buf. */
static void
entry_id(char *buf, size_t n, const char *campaign_id, int64_t seq)
{
	snprintf(buf, n, "%s:%lld", campaign_id, (long long)seq);
}

struct append_arg {
	const struct change_entry *v;
	size_t n;
	size_t inserted;
	bool dup; /* stopped at a taken _id */
};

/* Runs the ordered insert and reads how far it got. */
static bool
append_op(mongoc_collection_t *coll, void *p, bson_error_t *err)
{
	struct append_arg *a = p;
	bson_t **docs = xcalloc(a->n ? a->n : 1, sizeof *docs);
	for (size_t i = 0; i < a->n; i++) {
		const struct change_entry *e = &a->v[i];
		char id[CAMPAIGN_ID_MAX + 24];
		entry_id(id, sizeof id, e->campaign_id, e->seq);
		bson_t *d = bson_new();
		BSON_APPEND_UTF8(d, "_id", id);
		BSON_APPEND_UTF8(d, "campaign_id", e->campaign_id);
		BSON_APPEND_INT64(d, "seq", e->seq);
		BSON_APPEND_DATE_TIME(d, "at", e->at_ms);
		BSON_APPEND_UTF8(d, "kind", change_kind_name(e->kind));
		BSON_APPEND_UTF8(d, "owner", e->owner);
		BSON_APPEND_INT64(d, "n", e->n);
		BSON_APPEND_BINARY(d, "items", BSON_SUBTYPE_BINARY, e->items, (uint32_t)e->len);
		docs[i] = d;
	}
	bson_t reply;
	bson_t *opts = BCON_NEW("ordered", BCON_BOOL(true));
	bool ok =
	    mongoc_collection_insert_many(coll, (const bson_t **)docs, a->n, opts, &reply, err);
	a->inserted = (size_t)st_get_int(&reply, "insertedCount", ok ? (int64_t)a->n : 0);
	/* an ordered insert stops at its first error, so the documents before
	 * that error's index are the inserted ones (mongo-java-server counts
	 * the whole batch in insertedCount) */
	int64_t at = st_get_int(&reply, "writeErrors.0.index", -1);
	if (!ok && at >= 0 && (size_t)at < a->inserted)
		a->inserted = (size_t)at;
	if (!ok && err->code == 11000) {
		a->dup = true;
		ok = true; /* the caller re-probes and retries from inserted */
	}
	bson_destroy(&reply);
	bson_destroy(opts);
	for (size_t i = 0; i < a->n; i++)
		bson_destroy(docs[i]);
	free(docs);
	return ok;
}

int
stc_append(struct store *s, const struct change_entry *v, size_t n, size_t *inserted, char **cause)
{
	struct append_arg a = {.v = v, .n = n};
	*inserted = 0;
	if (n == 0)
		return 0;
	int rc = st_with_coll(s, COLL, "writing the change log", append_op, &a, cause);
	if (rc == 0)
		*inserted = a.dup ? a.inserted : n;
	return rc;
}

int
stc_get(
    struct store *s, const char *campaign_id, int64_t seq, struct change_entry *out, char **cause)
{
	char id[CAMPAIGN_ID_MAX + 24];
	entry_id(id, sizeof id, campaign_id, seq);
	memset(out, 0, sizeof *out);
	bson_t doc;
	int rc = st_find_id(s, COLL, id, &doc, cause);
	if (rc != 0)
		return rc;
	snprintf(out->campaign_id, sizeof out->campaign_id, "%s", campaign_id);
	out->seq = seq;
	out->at_ms = st_get_int(&doc, "at", 0);
	out->n = st_get_int(&doc, "n", 0);
	st_get_strbuf(&doc, "owner", out->owner, sizeof out->owner);
	char kind[16];
	st_get_strbuf(&doc, "kind", kind, sizeof kind);
	int k = str_index(kind_names, CHK__COUNT, kind);
	out->kind = k < 0 ? CHK_ENGAGEMENTS : (enum change_kind)k;
	bson_iter_t it;
	if (bson_iter_init_find(&it, &doc, "items") && BSON_ITER_HOLDS_BINARY(&it)) {
		bson_subtype_t sub;
		uint32_t len;
		const uint8_t *data;
		bson_iter_binary(&it, &sub, &len, &data);
		out->items = xmalloc(len ? len : 1);
		memcpy(out->items, data, len);
		out->len = len;
	}
	bson_destroy(&doc);
	return 0;
}

/* Returns 1 when campaign_id:seq exists, 0 when not, -1 on error. */
static int
exists(struct store *s, const char *campaign_id, int64_t seq, char **cause)
{
	char id[CAMPAIGN_ID_MAX + 24];
	entry_id(id, sizeof id, campaign_id, seq);
	bson_t doc;
	int rc = st_find_id(s, COLL, id, &doc, cause);
	if (rc == 0)
		bson_destroy(&doc);
	return rc == 0 ? 1 : rc == 1 ? 0 : -1;
}

int
stc_head(struct store *s, const char *campaign_id, int64_t hint, int64_t *head, char **cause)
{
	int64_t lo = hint > 0 ? hint : 0, step = 1, hi;
	if (lo > 0) {
		int e = exists(s, campaign_id, lo, cause);
		if (e < 0)
			return -1;
		if (e == 0)
			lo = 0; /* a hint from elsewhere that does not hold: probe from the start */
	}
	/* lo exists (or is 0); find an absent hi above it, doubling the step */
	for (;;) {
		int e = exists(s, campaign_id, lo + step, cause);
		if (e < 0)
			return -1;
		if (e == 0) {
			hi = lo + step;
			break;
		}
		lo += step;
		step *= 2;
	}
	/* the log is dense: the last existing seq is in [lo, hi) */
	while (hi - lo > 1) {
		int64_t mid = lo + (hi - lo) / 2;
		int e = exists(s, campaign_id, mid, cause);
		if (e < 0)
			return -1;
		if (e)
			lo = mid;
		else
			hi = mid;
	}
	*head = lo;
	return 0;
}
