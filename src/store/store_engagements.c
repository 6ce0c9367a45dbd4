/*
 * store_engagements: the ingest writer's engagements writes by the
 * deterministic _id campaign:tweet:user:action (new ones inserted in bulk,
 * telling which were new; known ones updated) and the stored keys tests
 * compare with the truth. Any thread.
 */
#include "store/store_ingest.h"

#include <mongoc/mongoc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "base/util.h"
#include "model/farm.h"

/* Compares two strings for qsort. */
static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct keys_arg {
	struct sti_eng_key *v;
	size_t n;
};

/* Adds one engagement's key. */
static void
key_one(const bson_t *doc, void *p)
{
	struct keys_arg *a = p;
	size_t nref;
	char **refs = st_get_str_array(doc, "ref_ids", &nref);
	struct sbuf b;
	sbuf_init(&b);
	if (nref > 1)
		qsort(refs, nref, sizeof *refs, cmp_str);
	for (size_t i = 0; i < nref; i++) {
		sbuf_printf(&b, "%s%s", i ? "," : "", refs[i]);
		free(refs[i]);
	}
	free(refs);
	a->v = xreallocarray(a->v, a->n + 1, sizeof *a->v);
	a->v[a->n].id = st_get_str(doc, "_id");
	a->v[a->n].ref_ids = sbuf_take(&b);
	a->n++;
}

/* Orders keys by id. */
static int
cmp_key(const void *a, const void *b)
{
	return strcmp(((const struct sti_eng_key *)a)->id, ((const struct sti_eng_key *)b)->id);
}

int
sti_engagements_keys(
    struct store *s, const char *campaign_id, struct sti_eng_key **out, size_t *n, char **cause)
{
	struct keys_arg a = {0};
	bson_t *filter = BCON_NEW("campaign_id", BCON_UTF8(campaign_id));
	int rc = st_scan(s, "engagements", filter, NULL, key_one, &a, cause);
	bson_destroy(filter);
	if (a.n > 1)
		qsort(a.v, a.n, sizeof *a.v, cmp_key);
	*out = a.v;
	*n = a.n;
	return rc;
}

/* ---- inserts of new engagements, updates of known ones ---- */

/* Appends farm_score and farm_reasons (the rule names) of a reasons mask. */
static void
append_farm(bson_t *b, uint16_t reasons)
{
	BSON_APPEND_INT32(b, "farm_score", farm_score(reasons));
	bson_t arr;
	BSON_APPEND_ARRAY_BEGIN(b, "farm_reasons", &arr);
	for (int r = 0, i = 0; r < FR__COUNT; r++)
		if (reasons & (1u << r)) {
			char k[16];
			snprintf(k, sizeof k, "%d", i++);
			BSON_APPEND_UTF8(&arr, k, farm_rule((enum farm_rule)r)->name);
		}
	bson_append_array_end(b, &arr);
}

/* Builds the document a new engagement e is stored as. */
static bson_t *
engagement_doc(const struct lw_engagement *e, const char *id, int64_t now_ms)
{
	bson_t *d = bson_new();
	BSON_APPEND_UTF8(d, "_id", id);
	BSON_APPEND_UTF8(d, "campaign_id", e->campaign_id);
	BSON_APPEND_UTF8(d, "tweet_id", e->tweet_id);
	BSON_APPEND_UTF8(d, "user_id", e->user.id);
	BSON_APPEND_UTF8(d, "action", action_name(e->action));
	BSON_APPEND_UTF8(d, "category", category_name((enum tweet_category)e->category));
	BSON_APPEND_DATE_TIME(d, "first_seen_at", now_ms);
	BSON_APPEND_NULL(d, "sentiment");
	if (e->created_at_ms > 0)
		BSON_APPEND_DATE_TIME(d, "created_at", e->created_at_ms);
	else
		BSON_APPEND_NULL(d, "created_at");
	st_append_str_array(d, "ref_ids", e->ref_ids, e->nref);
	st_append_user(d, "user", &e->user);
	BSON_APPEND_UTF8(d, "bucket", bucket_name(e->bucket));
	BSON_APPEND_INT32(d, "importance", e->importance);
	BSON_APPEND_UTF8(d, "evidence", e->evidence ? e->evidence : "");
	if (e->has_farm)
		append_farm(d, e->farm_reasons);
	if (e->text)
		BSON_APPEND_UTF8(d, "text", e->text);
	if (e->lang[0])
		BSON_APPEND_UTF8(d, "lang", e->lang);
	BSON_APPEND_DATE_TIME(d, "last_seen_at", now_ms);
	return d;
}

struct ins_arg {
	const struct lw_engagement *e;
	size_t n;
	int64_t now_ms;
	bool *is_new;
	char other[256]; /* the first error other than a duplicate key */
};

/* Runs one unordered insert and marks which documents went in. */
static bool
ins_op(mongoc_collection_t *coll, void *p, bson_error_t *err)
{
	struct ins_arg *a = p;
	bson_t **docs = xcalloc(a->n ? a->n : 1, sizeof *docs);
	for (size_t i = 0; i < a->n; i++) {
		char *id = lw_engagement_key(
		    a->e[i].campaign_id, a->e[i].tweet_id, a->e[i].user.id, a->e[i].action);
		docs[i] = engagement_doc(&a->e[i], id, a->now_ms);
		free(id);
		a->is_new[i] = true;
	}
	bson_t reply;
	bson_t *opts = BCON_NEW("ordered", BCON_BOOL(false));
	bool ok =
	    mongoc_collection_insert_many(coll, (const bson_t **)docs, a->n, opts, &reply, err);
	a->other[0] = '\0';
	if (!ok) {
		/* a duplicate key is a known engagement; anything else fails */
		bson_iter_t it, arr;
		bool only_dups = bson_iter_init_find(&it, &reply, "writeErrors") &&
		                 BSON_ITER_HOLDS_ARRAY(&it) && bson_iter_recurse(&it, &arr);
		bool any = false;
		while (only_dups && bson_iter_next(&arr)) {
			bson_t we;
			const uint8_t *data;
			uint32_t len;
			if (!BSON_ITER_HOLDS_DOCUMENT(&arr))
				continue;
			bson_iter_document(&arr, &len, &data);
			if (!bson_init_static(&we, data, len))
				continue;
			int64_t idx = st_get_int(&we, "index", -1),
			        code = st_get_int(&we, "code", 0);
			any = true;
			if (code == 11000 && idx >= 0 && (size_t)idx < a->n) {
				a->is_new[idx] = false;
			} else {
				only_dups = false;
				char *msg = st_get_str(&we, "errmsg");
				snprintf(a->other, sizeof a->other, "%s", msg);
				free(msg);
			}
		}
		bool concern = bson_iter_init_find(&it, &reply, "writeConcernErrors") &&
		               BSON_ITER_HOLDS_ARRAY(&it) && bson_iter_recurse(&it, &arr) &&
		               bson_iter_next(&arr);
		ok = only_dups && any && !concern;
		if (!ok)
			for (size_t i = 0; i < a->n; i++)
				a->is_new[i] = false;
	}
	bson_destroy(&reply);
	bson_destroy(opts);
	for (size_t i = 0; i < a->n; i++)
		bson_destroy(docs[i]);
	free(docs);
	return ok;
}

int
sti_engagements_insert(struct store *s, const struct lw_engagement *e, size_t n, int64_t now_ms,
    bool *is_new, char **cause)
{
	if (n == 0)
		return 0;
	struct ins_arg a = {.e = e, .n = n, .now_ms = now_ms, .is_new = is_new};
	return st_with_coll(s, "engagements", "writing engagements", ins_op, &a, cause);
}

struct touch_arg {
	const struct lw_engagement *const *e;
	size_t n;
	int64_t now_ms;
};

/* Adds the update of each known engagement: seen now, its references. */
static void
fill_touch(struct st_batch *b, const void *p)
{
	const struct touch_arg *a = p;
	for (size_t i = 0; i < a->n; i++) {
		const struct lw_engagement *e = a->e[i];
		char *id = lw_engagement_key(e->campaign_id, e->tweet_id, e->user.id, e->action);
		bson_t upd = BSON_INITIALIZER, set, add, each;
		BSON_APPEND_DOCUMENT_BEGIN(&upd, "$set", &set);
		BSON_APPEND_DATE_TIME(&set, "last_seen_at", a->now_ms);
		bson_append_document_end(&upd, &set);
		if (e->nref > 0) {
			BSON_APPEND_DOCUMENT_BEGIN(&upd, "$addToSet", &add);
			BSON_APPEND_DOCUMENT_BEGIN(&add, "ref_ids", &each);
			st_append_str_array(&each, "$each", e->ref_ids, e->nref);
			bson_append_document_end(&add, &each);
			bson_append_document_end(&upd, &add);
		}
		st_batch_update_id(b, id, &upd, NULL);
		bson_destroy(&upd);
		free(id);
	}
}

int
sti_engagements_touch(
    struct store *s, const struct lw_engagement *const *e, size_t n, int64_t now_ms, char **cause)
{
	struct touch_arg a = {e, n, now_ms};
	return n ? st_bulk(s, "engagements", "updating engagements", fill_touch, &a, cause) : 0;
}
