/*
 * store_sentiment: engagements' scores and the `<cid>:sentiment` document
 * of `aggregates` (include/store/store_sentiment.h), by `_id`. Any thread.
 */
#include "store/store_sentiment.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "store_internal.h"

#define COLL "aggregates"

/* The field names of one struct sent_sums, in the document. */
static const char *const SUM_KEYS[] = {"n", "sum", "pos", "neu", "neg", "ns"};

/* Appends s as a sub-document key of b. */
static void
sums_append(bson_t *b, const char *key, const struct sent_sums *s)
{
	bson_t sub;
	BSON_APPEND_DOCUMENT_BEGIN(b, key, &sub);
	BSON_APPEND_INT64(&sub, SUM_KEYS[0], s->count);
	BSON_APPEND_DOUBLE(&sub, SUM_KEYS[1], s->sum);
	BSON_APPEND_INT64(&sub, SUM_KEYS[2], s->positive);
	BSON_APPEND_INT64(&sub, SUM_KEYS[3], s->neutral);
	BSON_APPEND_INT64(&sub, SUM_KEYS[4], s->negative);
	BSON_APPEND_INT64(&sub, SUM_KEYS[5], s->not_scored);
	bson_append_document_end(b, &sub);
}

/* Reads the sums at path (a sub-document) of doc into *s. */
static void
sums_read(const bson_t *doc, const char *path, struct sent_sums *s)
{
	char p[96];
	bson_iter_t it;
	memset(s, 0, sizeof *s);
	snprintf(p, sizeof p, "%s.%s", path, SUM_KEYS[1]);
	if (bson_iter_init(&it, doc) && bson_iter_find_descendant(&it, p, &it) &&
	    BSON_ITER_HOLDS_NUMBER(&it))
		s->sum = bson_iter_as_double(&it);
	int64_t *ints[] = {
	    &s->count, NULL, &s->positive, &s->neutral, &s->negative, &s->not_scored};
	for (size_t k = 0; k < LW_ARRAY_LEN(ints); k++) {
		if (ints[k] == NULL)
			continue;
		snprintf(p, sizeof p, "%s.%s", path, SUM_KEYS[k]);
		*ints[k] = st_get_int(doc, p, 0);
	}
}

int
sts_get(struct store *s, const char *campaign_id, struct sent_state *out, char **cause)
{
	char id[CAMPAIGN_ID_MAX + 16], p[64];
	snprintf(id, sizeof id, "%s:sentiment", campaign_id);
	memset(out, 0, sizeof *out);
	bson_t doc;
	int rc = st_find_id(s, COLL, id, &doc, cause);
	if (rc != 0)
		return rc;
	out->seq = st_get_int(&doc, "seq", 0);
	st_get_strbuf(&doc, "lease_owner", out->owner, sizeof out->owner);
	out->lease_until_ms = st_get_int(&doc, "lease_until", 0);
	st_get_strbuf(&doc, "scorer", out->scorer, sizeof out->scorer);
	st_get_strbuf(&doc, "version", out->version, sizeof out->version);
	st_get_strbuf(&doc, "state", out->state, sizeof out->state);
	out->updated_at_ms = st_get_int(&doc, "updated_at", 0);
	sums_read(&doc, "total", &out->total);
	for (int b = 0; b < BK__COUNT; b++) {
		snprintf(p, sizeof p, "buckets.%s", bucket_name((enum lw_bucket)b));
		sums_read(&doc, p, &out->bucket[b]);
	}
	bson_iter_t it, arr;
	if (bson_iter_init_find(&it, &doc, "tweets") && BSON_ITER_HOLDS_ARRAY(&it) &&
	    bson_iter_recurse(&it, &arr)) {
		while (bson_iter_next(&arr)) {
			const uint8_t *data;
			uint32_t len;
			bson_t t;
			if (!BSON_ITER_HOLDS_DOCUMENT(&arr))
				continue;
			bson_iter_document(&arr, &len, &data);
			if (!bson_init_static(&t, data, len))
				continue;
			out->tweets =
			    xreallocarray(out->tweets, out->ntweets + 1, sizeof *out->tweets);
			struct sent_tweet *tw = &out->tweets[out->ntweets++];
			st_get_strbuf(&t, "id", tw->tweet_id, sizeof tw->tweet_id);
			sums_read(&t, "s", &tw->s);
		}
	}
	bson_destroy(&doc);
	return 0;
}

int
sts_put(struct store *s, const char *campaign_id, const struct sent_state *st, char **cause)
{
	char id[CAMPAIGN_ID_MAX + 16], key[24];
	snprintf(id, sizeof id, "%s:sentiment", campaign_id);
	bson_t *update = bson_new(), set, sub, arr;
	BSON_APPEND_DOCUMENT_BEGIN(update, "$set", &set);
	BSON_APPEND_UTF8(&set, "campaign_id", campaign_id);
	BSON_APPEND_INT64(&set, "seq", st->seq);
	if (st->owner[0]) {
		BSON_APPEND_UTF8(&set, "lease_owner", st->owner);
		BSON_APPEND_DATE_TIME(&set, "lease_until", st->lease_until_ms);
	} else {
		BSON_APPEND_NULL(&set, "lease_owner");
		BSON_APPEND_NULL(&set, "lease_until");
	}
	BSON_APPEND_UTF8(&set, "scorer", st->scorer);
	BSON_APPEND_UTF8(&set, "version", st->version);
	BSON_APPEND_UTF8(&set, "state", st->state);
	BSON_APPEND_DATE_TIME(&set, "updated_at", st->updated_at_ms);
	sums_append(&set, "total", &st->total);
	BSON_APPEND_DOCUMENT_BEGIN(&set, "buckets", &sub);
	for (int b = 0; b < BK__COUNT; b++)
		sums_append(&sub, bucket_name((enum lw_bucket)b), &st->bucket[b]);
	bson_append_document_end(&set, &sub);
	BSON_APPEND_ARRAY_BEGIN(&set, "tweets", &arr);
	for (size_t i = 0; i < st->ntweets; i++) {
		bson_t t;
		snprintf(key, sizeof key, "%zu", i);
		BSON_APPEND_DOCUMENT_BEGIN(&arr, key, &t);
		BSON_APPEND_UTF8(&t, "id", st->tweets[i].tweet_id);
		sums_append(&t, "s", &st->tweets[i].s);
		bson_append_document_end(&arr, &t);
	}
	bson_append_array_end(&set, &arr);
	bson_append_document_end(update, &set);
	int rc = st_upsert_id(s, COLL, id, update, "saving the sentiment sums", cause);
	bson_destroy(update);
	return rc;
}

/* The update of sts_score_put. */
struct score_arg {
	const char *id;
	const struct sts_score *sc;
};

/* Appends the $set of one score. */
static void
fill_score(struct st_batch *bulk, const void *p)
{
	const struct score_arg *a = p;
	bson_t *upd = bson_new(), set, by;
	BSON_APPEND_DOCUMENT_BEGIN(upd, "$set", &set);
	if (a->sc->scored)
		BSON_APPEND_DOUBLE(&set, "sentiment", a->sc->score);
	else
		BSON_APPEND_NULL(&set, "sentiment");
	BSON_APPEND_DOCUMENT_BEGIN(&set, "sentiment_by", &by);
	BSON_APPEND_UTF8(&by, "scorer", a->sc->scorer ? a->sc->scorer : "");
	BSON_APPEND_UTF8(&by, "version", a->sc->version ? a->sc->version : "");
	BSON_APPEND_INT64(&by, "seq", a->sc->seq);
	if (!a->sc->scored)
		BSON_APPEND_UTF8(&by, "not_scored", "language");
	bson_append_document_end(&set, &by);
	BSON_APPEND_DATE_TIME(&set, "sentiment_at", a->sc->at_ms);
	bson_append_document_end(upd, &set);
	st_batch_update_id(bulk, a->id, upd, NULL);
	bson_destroy(upd);
}

int
sts_score_put(struct store *s, const char *campaign_id, const char *tweet_id, const char *user_id,
    enum lw_action action, const struct sts_score *sc, char **cause)
{
	char *id = lw_engagement_key(campaign_id, tweet_id, user_id, action);
	struct score_arg a = {id, sc};
	int rc = st_bulk(s, "engagements", "storing a sentiment", fill_score, &a, cause);
	free(id);
	return rc;
}
