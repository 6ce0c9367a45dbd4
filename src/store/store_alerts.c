/*
 * store_alerts: alerts_sent, the alert log, the sentiment hook and
 * worker_log lines for the alert worker. Every query stays inside
 * ../shared/mongo-subset.md; hot-path lookups are by `_id`. Any thread
 * (each call pops a pooled client).
 */
#include "store/store_alerts.h"

#include <inttypes.h>
#include <mongoc/mongoc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "base/text.h"
#include "base/util.h"

/* What fill_record builds one bulk from. */
struct record_arg {
	const struct alert_candidate *const *v;
	size_t n;
	enum alert_channel ch;
	int64_t sent_at_ms;
	int64_t quiet_ms;
};

/* Appends one $setOnInsert upsert per alert (a replay inserts nothing). */
static void
fill_record(struct st_batch *bulk, const void *p)
{
	const struct record_arg *a = p;
	for (size_t i = 0; i < a->n; i++) {
		const struct alert_candidate *c = a->v[i];
		char id[ALERT_ID_MAX];
		int64_t slot = alert_slot(c->event_ms, a->quiet_ms);
		alert_fingerprint(c, a->ch, slot, id);
		bson_t upd = BSON_INITIALIZER, ins;
		BSON_APPEND_DOCUMENT_BEGIN(&upd, "$setOnInsert", &ins);
		BSON_APPEND_UTF8(&ins, "campaign_id", c->campaign_id);
		BSON_APPEND_UTF8(&ins, "user_id", c->user_id);
		BSON_APPEND_UTF8(&ins, "handle", c->handle != NULL ? c->handle : "");
		BSON_APPEND_UTF8(&ins, "bucket", bucket_name(c->bucket));
		BSON_APPEND_INT32(&ins, "importance", c->importance);
		BSON_APPEND_UTF8(&ins, "action", action_name(c->action));
		BSON_APPEND_UTF8(&ins, "tweet_id", c->tweet_id);
		BSON_APPEND_UTF8(&ins, "channel", alert_channel_name(a->ch));
		BSON_APPEND_INT64(&ins, "slot", slot);
		BSON_APPEND_DATE_TIME(&ins, "event_at", c->event_ms);
		BSON_APPEND_DATE_TIME(&ins, "sent_at", a->sent_at_ms);
		if (a->n > 1)
			BSON_APPEND_INT32(&ins, "digest_of", (int32_t)a->n);
		else
			BSON_APPEND_NULL(&ins, "digest_of");
		bson_append_document_end(&upd, &ins);
		bson_t *opts = BCON_NEW("upsert", BCON_BOOL(true));
		st_batch_update_id(bulk, id, &upd, opts);
		bson_destroy(opts);
		bson_destroy(&upd);
	}
}

int
store_alerts_record(struct store *s, const struct alert_candidate *const *v, size_t n,
    enum alert_channel ch, int64_t sent_at_ms, int64_t quiet_window_ms, char **cause)
{
	if (n == 0)
		return 0;
	struct record_arg a = {v, n, ch, sent_at_ms, quiet_window_ms};
	return st_bulk(s, "alerts_sent", "recording sent alerts", fill_record, &a, cause);
}

int
store_alerts_prior(struct store *s, const struct alert_candidate *c, enum alert_channel ch,
    int64_t quiet_window_ms, int64_t prior[3], size_t *n, char **cause)
{
	int64_t slot = alert_slot(c->event_ms, quiet_window_ms);
	*n = 0;
	for (int64_t d = -1; d <= 1; d++) {
		char id[ALERT_ID_MAX];
		bson_t doc;
		if (quiet_window_ms <= 0 && d != 0)
			continue; /* one slot only */
		alert_fingerprint(c, ch, slot + d, id);
		bson_t *filter = st_id_sel(s, id);
		int rc = st_find_one(s, "alerts_sent", filter, &doc, cause);
		bson_destroy(filter);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			prior[(*n)++] = st_get_int(&doc, "event_at", c->event_ms);
			bson_destroy(&doc);
		}
	}
	return 0;
}

/* Copies the string at path of doc into buf (size bytes), sanitized. */
static void
get_into(const bson_t *doc, const char *path, char *buf, size_t size)
{
	char *v = st_get_str(doc, path);
	char *t = text_sanitize(v, strlen(v), size - 1);
	snprintf(buf, size, "%s", t);
	free(t);
	free(v);
}

/* Runs find(filter, opts) on collection, calling each() per document;
 * retried once after a lost connection (each() must then start over, so it
 * is told the attempt number). 0 or -1. */
static int
find_each(struct store *s, const char *collection, const bson_t *filter, const bson_t *opts,
    void (*each)(const bson_t *, void *, int), void *arg, const char *what, char **cause)
{
	bson_error_t err;
	mongoc_client_t *client;
	const bson_t *doc;
	bool bad = false;
	for (int attempt = 0; attempt < 2; attempt++) {
		mongoc_collection_t *coll = st_coll(s, collection, &client);
		mongoc_cursor_t *cur = mongoc_collection_find_with_opts(coll, filter, opts, NULL);
		each(NULL, arg, attempt); /* start (over) */
		while (mongoc_cursor_next(cur, &doc))
			each(doc, arg, attempt);
		bad = mongoc_cursor_error(cur, &err);
		mongoc_cursor_destroy(cur);
		st_coll_done(s, coll, client);
		if (!bad || !st_retryable(&err))
			break;
	}
	return bad ? st_fail(s, cause, what, &err) : 0;
}

/* The growing result of store_alerts_recent. */
struct recent_arg {
	struct alert_log_entry *v;
	size_t n;
};

/* Adds one alerts_sent document to the result (NULL: start over). */
static void
each_recent(const bson_t *doc, void *p, int attempt)
{
	struct recent_arg *r = p;
	(void)attempt;
	if (doc == NULL) {
		r->n = 0;
		return;
	}
	r->v = xreallocarray(r->v, r->n + 1, sizeof *r->v);
	struct alert_log_entry *e = &r->v[r->n++];
	memset(e, 0, sizeof *e);
	get_into(doc, "_id", e->id, sizeof e->id);
	get_into(doc, "campaign_id", e->campaign_id, sizeof e->campaign_id);
	get_into(doc, "tweet_id", e->tweet_id, sizeof e->tweet_id);
	get_into(doc, "user_id", e->user_id, sizeof e->user_id);
	get_into(doc, "handle", e->handle, sizeof e->handle);
	get_into(doc, "bucket", e->bucket, sizeof e->bucket);
	get_into(doc, "action", e->action, sizeof e->action);
	get_into(doc, "channel", e->channel, sizeof e->channel);
	e->importance = (int)st_get_int(doc, "importance", 0);
	e->slot = st_get_int(doc, "slot", 0);
	e->event_at_ms = st_get_int(doc, "event_at", 0);
	e->sent_at_ms = st_get_int(doc, "sent_at", 0);
	e->digest_of = (int)st_get_int(doc, "digest_of", 1);
}

int
store_alerts_recent(struct store *s, const char *campaign_id, size_t limit,
    struct alert_log_entry **out, size_t *n, char **cause)
{
	struct recent_arg r = {NULL, 0};
	bson_t filter = BSON_INITIALIZER;
	if (campaign_id != NULL)
		BSON_APPEND_UTF8(&filter, "campaign_id", campaign_id);
	bson_t *opts = BCON_NEW("sort", "{", "sent_at", BCON_INT32(-1), "_id", BCON_INT32(1), "}",
	    "limit", BCON_INT64((int64_t)limit));
	int rc = find_each(
	    s, "alerts_sent", &filter, opts, each_recent, &r, "reading the alert log", cause);
	bson_destroy(opts);
	bson_destroy(&filter);
	if (rc != 0) {
		free(r.v);
		return -1;
	}
	*out = r.v;
	*n = r.n;
	return 0;
}

/* Returns the engagements `_id` of the engagement c stands for (caller frees). */
static char *
engagement_id(const struct alert_candidate *c)
{
	return lw_engagement_key(c->campaign_id, c->tweet_id, c->user_id, c->action);
}

/* The update of store_alerts_set_sentiment. */
struct sentiment_arg {
	const char *id;
	double value;
};

/* Appends the $set of one sentiment. */
static void
fill_sentiment(struct st_batch *bulk, const void *p)
{
	const struct sentiment_arg *a = p;
	bson_t *upd = BCON_NEW("$set", "{", "sentiment", BCON_DOUBLE(a->value), "}");
	st_batch_update_id(bulk, a->id, upd, NULL);
	bson_destroy(upd);
}

int
store_alerts_set_sentiment(
    struct store *s, const struct alert_candidate *c, double value, char **cause)
{
	char *id = engagement_id(c);
	struct sentiment_arg a = {id, value};
	int rc = st_bulk(s, "engagements", "setting a sentiment", fill_sentiment, &a, cause);
	free(id);
	return rc;
}

int
store_alerts_log(
    struct store *s, const char *level, const char *message, int64_t at_ms, char **cause)
{
	bson_t doc = BSON_INITIALIZER;
	BSON_APPEND_DATE_TIME(&doc, "at", at_ms);
	BSON_APPEND_UTF8(&doc, "owner", "alerts");
	BSON_APPEND_UTF8(&doc, "job", "alerts");
	BSON_APPEND_UTF8(&doc, "level", level);
	BSON_APPEND_UTF8(&doc, "message", message);
	int rc = st_log_insert(s, &doc, cause);
	bson_destroy(&doc);
	return rc;
}
