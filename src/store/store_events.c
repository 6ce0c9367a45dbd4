/*
 * store_events: stored engagements and metric slices read one by one
 * (include/store/store_events.h), and the conversions from their documents
 * that every reader of them shares (store_internal.h). Any thread.
 */
#include "store/store_events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "model/campaign.h"
#include "model/farm.h"
#include "store_internal.h"

/* Reads a category name field (-1 when absent or unknown). */
static int
get_category(const bson_t *doc)
{
	char *v = st_get_str(doc, "category");
	enum tweet_category c;
	int r = category_parse(v, &c) == 0 ? (int)c : -1;
	free(v);
	return r;
}

/* Reads a boolean field (false when absent). */
static bool
get_bool(const bson_t *doc, const char *path)
{
	bson_iter_t it, d;
	return bson_iter_init(&it, doc) && bson_iter_find_descendant(&it, path, &d) &&
	       BSON_ITER_HOLDS_BOOL(&d) && bson_iter_bool(&d);
}

/* Reads farm_reasons (rule names; unknown names skipped) into e when the
 * document has them. */
static void
get_farm(const bson_t *doc, struct lw_engagement *e)
{
	bson_iter_t it, arr;
	if (!bson_iter_init_find(&it, doc, "farm_reasons") || !BSON_ITER_HOLDS_ARRAY(&it) ||
	    !bson_iter_recurse(&it, &arr))
		return;
	e->has_farm = true;
	while (bson_iter_next(&arr)) {
		enum farm_rule r;
		if (BSON_ITER_HOLDS_UTF8(&arr) &&
		    farm_rule_parse(bson_iter_utf8(&arr, NULL), &r) == 0)
			e->farm_reasons |= (uint16_t)(1u << r);
	}
}

int
st_engagement_from_bson(const bson_t *doc, struct lw_engagement *e)
{
	memset(e, 0, sizeof *e);
	st_get_strbuf(doc, "campaign_id", e->campaign_id, sizeof e->campaign_id);
	st_get_strbuf(doc, "tweet_id", e->tweet_id, sizeof e->tweet_id);
	st_get_strbuf(doc, "user_id", e->user.id, sizeof e->user.id);
	e->category = get_category(doc);
	char *v = st_get_str(doc, "action");
	int bad = action_parse(v, &e->action);
	free(v);
	v = st_get_str(doc, "bucket");
	bad |= bucket_parse(v, &e->bucket);
	free(v);
	e->user.handle = st_get_str(doc, "user.handle");
	e->user.name = st_get_str(doc, "user.name");
	e->user.bio = st_get_str(doc, "user.bio");
	e->user.followers = st_get_int(doc, "user.followers", 0);
	e->user.following = st_get_int(doc, "user.following", 0);
	e->user.verified = get_bool(doc, "user.verified");
	e->user.created_at_ms = st_get_int(doc, "user.created_at", 0);
	bson_iter_t av;
	if (bson_iter_init(&av, doc) &&
	    bson_iter_find_descendant(&av, "user.default_avatar", &av) && BSON_ITER_HOLDS_BOOL(&av))
		e->user.avatar = bson_iter_bool(&av) ? AV_DEFAULT : AV_CUSTOM;
	e->importance = (int)st_get_int(doc, "importance", 0);
	get_farm(doc, e);
	e->evidence = st_get_text(doc, "evidence");
	char *text = st_get_str(doc, "text");
	e->text = *text ? text : NULL;
	if (e->text == NULL)
		free(text);
	e->ref_ids = st_get_str_array(doc, "ref_ids", &e->nref);
	e->created_at_ms = st_get_int(doc, "created_at", 0);
	e->first_seen_at_ms = st_get_int(doc, "first_seen_at", 0);
	e->last_seen_at_ms = st_get_int(doc, "last_seen_at", 0);
	bson_iter_t it;
	if (bson_iter_init_find(&it, doc, "sentiment") && BSON_ITER_HOLDS_NUMBER(&it)) {
		e->has_sentiment = true;
		e->sentiment = bson_iter_as_double(&it);
	}
	e->sentiment_at_ms = st_get_int(doc, "sentiment_at", 0);
	st_get_strbuf(doc, "lang", e->lang, sizeof e->lang);
	e->sentiment_seq = st_get_int(doc, "sentiment_by.seq", 0);
	if (bad)
		lw_engagement_done(e);
	return bad ? -1 : 0;
}

void
st_slice_from_bson(const bson_t *doc, struct lw_slice *sl)
{
	memset(sl, 0, sizeof *sl);
	st_get_strbuf(doc, "campaign_id", sl->campaign_id, sizeof sl->campaign_id);
	st_get_strbuf(doc, "tweet_id", sl->tweet_id, sizeof sl->tweet_id);
	sl->category = get_category(doc);
	sl->seq = st_get_int(doc, "seq", 0);
	if (sl->seq == 0) { /* the _id ends in ":seq" */
		char *id = st_get_str(doc, "_id");
		const char *colon = strrchr(id, ':');
		sl->seq = colon ? strtoll(colon + 1, NULL, 10) : 0;
		free(id);
	}
	sl->at_ms = st_get_int(doc, "at", 0);
	sl->deltas.likes = st_get_int(doc, "deltas.likes", 0);
	sl->deltas.retweets = st_get_int(doc, "deltas.retweets", 0);
	sl->deltas.replies = st_get_int(doc, "deltas.replies", 0);
	sl->deltas.quotes = st_get_int(doc, "deltas.quotes", 0);
	sl->deltas.views = st_get_int(doc, "deltas.views", 0);
	sl->deltas.bookmarks = st_get_int(doc, "deltas.bookmarks", 0);
}

int
ste_engagement_get(struct store *s, const char *campaign_id, const char *tweet_id,
    const char *user_id, enum lw_action action, struct lw_engagement *out, char **cause)
{
	char *id = lw_engagement_key(campaign_id, tweet_id, user_id, action);
	bson_t doc;
	int rc = st_find_id(s, "engagements", id, &doc, cause);
	free(id);
	memset(out, 0, sizeof *out);
	if (rc != 0)
		return rc;
	if (st_engagement_from_bson(&doc, out) != 0)
		rc = 1; /* unreadable: as good as absent */
	bson_destroy(&doc);
	return rc;
}

int
ste_slice_get(struct store *s, const char *campaign_id, const char *tweet_id, int64_t seq,
    struct lw_slice *out, char **cause)
{
	char id[CAMPAIGN_ID_MAX + LW_ID_MAX + 24];
	snprintf(id, sizeof id, "%s:%s:%lld", campaign_id, tweet_id, (long long)seq);
	bson_t doc;
	int rc = st_find_id(s, "metric_slices", id, &doc, cause);
	memset(out, 0, sizeof *out);
	if (rc == 0) {
		st_slice_from_bson(&doc, out);
		bson_destroy(&doc);
	}
	return rc;
}

struct scan_eng {
	int (*fn)(const struct lw_engagement *, void *);
	void *arg;
	bool stopped;
};

/* Converts one engagements document and hands it on. */
static void
scan_eng_one(const bson_t *doc, void *p)
{
	struct scan_eng *x = p;
	struct lw_engagement e;
	if (x->stopped || st_engagement_from_bson(doc, &e) != 0)
		return;
	if (x->fn(&e, x->arg) != 0)
		x->stopped = true;
	lw_engagement_done(&e);
}

int
ste_scan_engagements(struct store *s, const char *campaign_id, int64_t since_ms,
    int (*fn)(const struct lw_engagement *e, void *arg), void *arg, char **cause)
{
	struct scan_eng x = {fn, arg, false};
	bson_t *f = bson_new();
	BSON_APPEND_UTF8(f, "campaign_id", campaign_id);
	if (since_ms > 0) {
		bson_t sub;
		BSON_APPEND_DOCUMENT_BEGIN(f, "first_seen_at", &sub);
		BSON_APPEND_DATE_TIME(&sub, "$gte", since_ms);
		bson_append_document_end(f, &sub);
	}
	int rc = st_scan(s, "engagements", f, NULL, scan_eng_one, &x, cause);
	bson_destroy(f);
	return rc;
}

struct scan_slice {
	int (*fn)(const struct lw_slice *, void *);
	void *arg;
	bool stopped;
};

/* Converts one metric_slices document and hands it on. */
static void
scan_slice_one(const bson_t *doc, void *p)
{
	struct scan_slice *x = p;
	struct lw_slice sl;
	if (x->stopped)
		return;
	st_slice_from_bson(doc, &sl);
	if (x->fn(&sl, x->arg) != 0)
		x->stopped = true;
}

int
ste_scan_slices(struct store *s, const char *campaign_id,
    int (*fn)(const struct lw_slice *sl, void *arg), void *arg, char **cause)
{
	struct scan_slice x = {fn, arg, false};
	bson_t *f = BCON_NEW("campaign_id", BCON_UTF8(campaign_id));
	int rc = st_scan(s, "metric_slices", f, NULL, scan_slice_one, &x, cause);
	bson_destroy(f);
	return rc;
}
