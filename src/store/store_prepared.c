/*
 * store_prepared: the `aggregates` collection, each campaign's prepared
 * aggregates by `_id` (include/store/store_prepared.h). The parts are opaque
 * bytes with the change-log seq they cover; the head holds the generation
 * and the aggregator's lease. Any thread.
 */
#include "store/store_prepared.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "store_internal.h"

#define COLL "aggregates"

/* Reads the head document into *out. */
static void
head_from_bson(const bson_t *doc, struct stp_head *out)
{
	memset(out, 0, sizeof *out);
	out->gen = st_get_int(doc, "gen", 1);
	st_get_strbuf(doc, "lease_owner", out->owner, sizeof out->owner);
	out->lease_until_ms = st_get_int(doc, "lease_until", 0);
	out->recover_from_ms = st_get_int(doc, "recover_from", 0);
	out->updated_at_ms = st_get_int(doc, "updated_at", 0);
	if (out->gen < 1)
		out->gen = 1;
}

int
stp_head_get(struct store *s, const char *campaign_id, struct stp_head *out, char **cause)
{
	bson_t doc;
	memset(out, 0, sizeof *out);
	int rc = st_find_id(s, COLL, campaign_id, &doc, cause);
	if (rc == 0) {
		head_from_bson(&doc, out);
		bson_destroy(&doc);
	}
	return rc;
}

/* Upserts the head of campaign_id with update. 0 or -1. */
static int
head_update(
    struct store *s, const char *campaign_id, const bson_t *update, const char *what, char **cause)
{
	return st_upsert_id(s, COLL, campaign_id, update, what, cause);
}

int
stp_head_create(struct store *s, const char *campaign_id, int64_t now_ms, char **cause)
{
	bson_t *update = BCON_NEW("$setOnInsert", "{", "campaign_id", BCON_UTF8(campaign_id), "gen",
	    BCON_INT64(1), "updated_at", BCON_DATE_TIME(now_ms), "}");
	int rc = head_update(s, campaign_id, update, "creating the aggregates", cause);
	bson_destroy(update);
	return rc;
}

int
stp_head_claim(struct store *s, const char *campaign_id, const char *owner, int64_t now_ms,
    int64_t lease_until_ms, struct stp_head *out, char **cause)
{
	/* read by _id, tested here, written by _id: FerretDB answers nothing
	 * else without a scan and its updates are not atomic anyway; one
	 * thread per engine claims (the aggregator), and several engines on
	 * one database need MongoDB, where a lost race only means two
	 * aggregators apply the same idempotent log for a moment */
	struct stp_head h;
	int rc = stp_head_get(s, campaign_id, &h, cause);
	if (rc < 0)
		return -1;
	if (rc == 0 && h.owner[0] && strcmp(h.owner, owner) != 0 && h.lease_until_ms > now_ms) {
		*out = h;
		return 1;
	}
	bson_t *update = BCON_NEW("$set", "{", "campaign_id", BCON_UTF8(campaign_id), "lease_owner",
	    BCON_UTF8(owner), "lease_until", BCON_DATE_TIME(lease_until_ms), "updated_at",
	    BCON_DATE_TIME(now_ms), "}", "$setOnInsert", "{", "gen", BCON_INT64(1), "}");
	rc = head_update(s, campaign_id, update, "claiming the aggregates", cause);
	bson_destroy(update);
	if (rc == 0) {
		if (h.gen < 1)
			h.gen = 1;
		snprintf(h.owner, sizeof h.owner, "%s", owner);
		h.lease_until_ms = lease_until_ms;
		*out = h;
	}
	return rc;
}

int
stp_head_release(struct store *s, const char *campaign_id, const char *owner, char **cause)
{
	struct stp_head h;
	int rc = stp_head_get(s, campaign_id, &h, cause);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (strcmp(h.owner, owner) != 0)
		return 0;
	bson_t *update =
	    BCON_NEW("$set", "{", "lease_owner", BCON_NULL, "lease_until", BCON_NULL, "}");
	rc = head_update(s, campaign_id, update, "releasing the aggregates", cause);
	bson_destroy(update);
	return rc;
}

int
stp_head_switch(struct store *s, const char *campaign_id, int64_t gen, int64_t now_ms, char **cause)
{
	bson_t *update = BCON_NEW("$set", "{", "campaign_id", BCON_UTF8(campaign_id), "gen",
	    BCON_INT64(gen), "updated_at", BCON_DATE_TIME(now_ms), "}");
	int rc = head_update(s, campaign_id, update, "switching the aggregates", cause);
	bson_destroy(update);
	return rc;
}

int
stp_recover_request(struct store *s, const char *campaign_id, int64_t since_ms, char **cause)
{
	/* no head: a campaign of the previous release, which is rebuilt from
	 * all its events anyway; creating a head here would stop that */
	bson_t *sel = st_id_sel(s, campaign_id);
	bson_t *update = BCON_NEW("$min", "{", "recover_from", BCON_DATE_TIME(since_ms), "}");
	int rc = st_update_where(s, COLL, sel, update, false, "asking for a recovery", cause);
	bson_destroy(update);
	bson_destroy(sel);
	return rc;
}

int
stp_recover_done(struct store *s, const char *campaign_id, int64_t since_ms, char **cause)
{
	struct stp_head h;
	int rc = stp_head_get(s, campaign_id, &h, cause);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (h.recover_from_ms != since_ms)
		return 0; /* an earlier request came in meanwhile: keep it */
	bson_t *update = BCON_NEW("$unset", "{", "recover_from", BCON_INT32(1), "}");
	rc = head_update(s, campaign_id, update, "clearing a recovery", cause);
	bson_destroy(update);
	return rc;
}

/* Writes the _id of a part into buf. */
static void
part_id(
    char *buf, size_t n, const char *campaign_id, int64_t gen, enum stp_part part, const char *key)
{
	if (part == STP_SUMMARY)
		snprintf(buf, n, "%s:%lld:s", campaign_id, (long long)gen);
	else
		snprintf(buf, n, "%s:%lld:%c:%s", campaign_id, (long long)gen,
		    part == STP_TWEET ? 't' : 'a', key ? key : "");
}

int
stp_part_put(struct store *s, const char *campaign_id, int64_t gen, enum stp_part part,
    const char *key, int64_t seq, const void *data, size_t len, char **cause)
{
	char id[CAMPAIGN_ID_MAX + 64];
	part_id(id, sizeof id, campaign_id, gen, part, key);
	bson_t doc = BSON_INITIALIZER;
	BSON_APPEND_UTF8(&doc, "campaign_id", campaign_id);
	BSON_APPEND_INT64(&doc, "gen", gen);
	BSON_APPEND_INT64(&doc, "seq", seq);
	BSON_APPEND_BINARY(&doc, "data", BSON_SUBTYPE_BINARY, data, (uint32_t)len);
	int rc = st_replace_id(s, COLL, id, &doc, "writing the aggregates", cause);
	bson_destroy(&doc);
	return rc;
}

int
stp_part_get(struct store *s, const char *campaign_id, int64_t gen, enum stp_part part,
    const char *key, int64_t *seq, void **data, size_t *len, char **cause)
{
	char id[CAMPAIGN_ID_MAX + 64];
	part_id(id, sizeof id, campaign_id, gen, part, key);
	*data = NULL;
	*len = 0;
	*seq = 0;
	bson_t doc;
	int rc = st_find_id(s, COLL, id, &doc, cause);
	if (rc != 0)
		return rc;
	*seq = st_get_int(&doc, "seq", 0);
	bson_iter_t it;
	if (bson_iter_init_find(&it, &doc, "data") && BSON_ITER_HOLDS_BINARY(&it)) {
		bson_subtype_t sub;
		uint32_t n;
		const uint8_t *p;
		bson_iter_binary(&it, &sub, &n, &p);
		*data = xmalloc(n ? n : 1);
		memcpy(*data, p, n);
		*len = n;
	} else {
		*data = xmalloc(1);
	}
	bson_destroy(&doc);
	return 0;
}

int
stp_part_delete(struct store *s, const char *campaign_id, int64_t gen, enum stp_part part,
    const char *key, char **cause)
{
	char id[CAMPAIGN_ID_MAX + 64];
	part_id(id, sizeof id, campaign_id, gen, part, key);
	return st_delete_id(s, COLL, id, "deleting old aggregates", cause);
}

int
stp_position_get(
    struct store *s, const char *campaign_id, const char *consumer, int64_t *seq, char **cause)
{
	char id[CAMPAIGN_ID_MAX + 32];
	snprintf(id, sizeof id, "%s:%s", campaign_id, consumer);
	*seq = 0;
	bson_t doc;
	int rc = st_find_id(s, COLL, id, &doc, cause);
	if (rc == 0) {
		*seq = st_get_int(&doc, "seq", 0);
		bson_destroy(&doc);
	}
	return rc;
}

int
stp_position_put(
    struct store *s, const char *campaign_id, const char *consumer, int64_t seq, char **cause)
{
	char id[CAMPAIGN_ID_MAX + 32];
	snprintf(id, sizeof id, "%s:%s", campaign_id, consumer);
	bson_t *update = BCON_NEW(
	    "$set", "{", "campaign_id", BCON_UTF8(campaign_id), "seq", BCON_INT64(seq), "}");
	int rc = st_upsert_id(s, COLL, id, update, "saving a change-log position", cause);
	bson_destroy(update);
	return rc;
}
