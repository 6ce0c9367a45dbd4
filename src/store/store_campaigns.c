/*
 * store_campaigns: the campaigns collection (DESIGN.md section 4): creating
 * or updating a campaign from its settings (with its tweets documents and
 * worker_state checkpoints first), reading one or all back, and status
 * changes. Any thread, like the rest of the store.
 */
#include "store/store.h"

#include <mongoc/mongoc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_prepared.h"
#include "store_internal.h"
#include "base/util.h"
#include "model/farm.h"

/* Appends the campaign's settings (everything the YAML says) to b. Secrets
 * appear only as their env:/file: references. */
static void
append_settings(bson_t *b, const struct cfg_campaign *c, const char *hash)
{
	bson_t sub, sub2, arr, t;
	BSON_APPEND_UTF8(b, "name", c->name);
	BSON_APPEND_DOCUMENT_BEGIN(b, "client", &sub);
	BSON_APPEND_UTF8(&sub, "name", c->client.name ? c->client.name : "");
	BSON_APPEND_UTF8(&sub, "contact", c->client.contact ? c->client.contact : "");
	BSON_APPEND_UTF8(&sub, "notes", c->client.notes ? c->client.notes : "");
	if (c->client.logo && *c->client.logo)
		BSON_APPEND_UTF8(&sub, "logo", c->client.logo);
	if (c->client.accent && *c->client.accent)
		BSON_APPEND_UTF8(&sub, "accent", c->client.accent);
	bson_append_document_end(b, &sub);
	BSON_APPEND_DOCUMENT_BEGIN(b, "window", &sub);
	BSON_APPEND_DATE_TIME(&sub, "start", c->start_s * 1000);
	BSON_APPEND_DATE_TIME(&sub, "end", c->end_s * 1000);
	bson_append_document_end(b, &sub);
	BSON_APPEND_ARRAY_BEGIN(b, "tweets", &arr);
	for (size_t i = 0; i < c->ntweets; i++) {
		char k[16];
		const char *kp;
		bson_uint32_to_string((uint32_t)i, &kp, k, sizeof k);
		BSON_APPEND_DOCUMENT_BEGIN(&arr, kp, &t);
		BSON_APPEND_UTF8(&t, "tweet_id", c->tweets[i].id);
		BSON_APPEND_UTF8(&t, "category", category_name(c->tweets[i].category));
		BSON_APPEND_UTF8(&t, "url", c->tweets[i].url ? c->tweets[i].url : c->tweets[i].id);
		bson_append_document_end(&arr, &t);
	}
	bson_append_array_end(b, &arr);
	BSON_APPEND_DOCUMENT_BEGIN(b, "cadence", &sub);
	BSON_APPEND_INT64(&sub, "metrics_s", c->cadence.metrics);
	BSON_APPEND_INT64(&sub, "retweets_s", c->cadence.retweets);
	BSON_APPEND_INT64(&sub, "replies_s", c->cadence.replies);
	BSON_APPEND_INT64(&sub, "quotes_s", c->cadence.quotes);
	bson_append_document_end(b, &sub);
	const struct cfg_alerts *a = &c->alerts;
	BSON_APPEND_DOCUMENT_BEGIN(b, "alerts", &sub);
	BSON_APPEND_INT32(&sub, "min_importance", a->min_importance);
	st_append_str_array(&sub, "buckets", a->buckets, a->nbuckets);
	st_append_str_array(&sub, "actions", a->actions, a->nactions);
	st_append_str_array(&sub, "categories", a->categories, a->ncategories);
	st_append_str_array(&sub, "watch", a->watch, a->nwatch);
	BSON_APPEND_UTF8(&sub, "slack_webhook", a->slack_webhook_ref ? a->slack_webhook_ref : "");
	if (a->has_email) {
		BSON_APPEND_DOCUMENT_BEGIN(&sub, "email", &sub2);
		st_append_str_array(&sub2, "to", a->email.to, a->email.nto);
		BSON_APPEND_UTF8(&sub2, "smtp_url", a->email.smtp_url ? a->email.smtp_url : "");
		BSON_APPEND_UTF8(&sub2, "user", a->email.user ? a->email.user : "");
		BSON_APPEND_UTF8(
		    &sub2, "password", a->email.password_ref ? a->email.password_ref : "");
		BSON_APPEND_UTF8(&sub2, "from", a->email.from ? a->email.from : "");
		bson_append_document_end(&sub, &sub2);
	} else {
		BSON_APPEND_NULL(&sub, "email");
	}
	BSON_APPEND_INT64(&sub, "quiet_window_s", a->quiet_window_s);
	if (a->has_min_sentiment)
		BSON_APPEND_DOUBLE(&sub, "min_sentiment", a->min_sentiment);
	else
		BSON_APPEND_NULL(&sub, "min_sentiment");
	if (a->has_negative_sentiment)
		BSON_APPEND_DOUBLE(&sub, "negative_sentiment", a->negative_sentiment);
	else
		BSON_APPEND_NULL(&sub, "negative_sentiment");
	bson_append_document_end(b, &sub);
	BSON_APPEND_DOCUMENT_BEGIN(b, "cpm", &sub);
	static const char *const which[2] = {"benchmark_usd", "spend_usd"};
	for (int w = 0; w < 2; w++) {
		BSON_APPEND_DOCUMENT_BEGIN(&sub, which[w], &sub2);
		for (int i = 0; i < CAT__COUNT; i++) {
			bool has = w ? c->cpm.has_spend[i] : c->cpm.has_benchmark[i];
			double v = w ? c->cpm.spend_usd[i] : c->cpm.benchmark_usd[i];
			if (has)
				BSON_APPEND_DOUBLE(&sub2, category_name((enum tweet_category)i), v);
		}
		bson_append_document_end(&sub, &sub2);
	}
	bson_append_document_end(b, &sub);
	BSON_APPEND_DOCUMENT_BEGIN(b, "farm", &sub);
	BSON_APPEND_INT32(&sub, "threshold", c->farm.threshold);
	BSON_APPEND_BOOL(&sub, "exclude", c->farm.exclude);
	bson_append_document_end(b, &sub);
	BSON_APPEND_UTF8(b, "settings_hash", hash);
}

/* Rebuilds a stored campaign from its document. */
static void
campaign_from_bson(const bson_t *doc, struct campaign *out)
{
	bson_iter_t it, d, arr;
	struct cfg_campaign *c = &out->cfg;
	memset(out, 0, sizeof *out);
	char *s = st_get_str(doc, "_id");
	snprintf(out->id, sizeof out->id, "%s", s);
	free(s);
	s = st_get_str(doc, "status");
	if (campaign_status_parse(s, &out->status) != 0)
		out->status = CS_SCHEDULED;
	free(s);
	out->created_at_ms = st_get_int(doc, "created_at", 0);
	out->updated_at_ms = st_get_int(doc, "updated_at", 0);
	out->completed_at_ms = st_get_int(doc, "completed_at", 0);
	out->close_requested_at_ms = st_get_int(doc, "close_requested_at", 0);
	char *co_state = st_get_str(doc, "closeout.state");
	out->closeout_pending = strcmp(co_state, "archiving") == 0;
	free(co_state);
	c->name = st_get_str(doc, "name");
	c->client.name = st_get_str(doc, "client.name");
	c->client.contact = st_get_str(doc, "client.contact");
	c->client.notes = st_get_str(doc, "client.notes");
	c->client.logo = st_get_str(doc, "client.logo");
	c->client.accent = st_get_str(doc, "client.accent");
	c->start_s = st_get_int(doc, "window.start", 0) / 1000;
	c->end_s = st_get_int(doc, "window.end", 0) / 1000;
	if (bson_iter_init(&it, doc) && bson_iter_find_descendant(&it, "tweets", &d) &&
	    BSON_ITER_HOLDS_ARRAY(&d) && bson_iter_recurse(&d, &arr)) {
		while (bson_iter_next(&arr)) {
			bson_t t;
			const uint8_t *data;
			uint32_t len;
			if (!BSON_ITER_HOLDS_DOCUMENT(&arr))
				continue;
			bson_iter_document(&arr, &len, &data);
			if (!bson_init_static(&t, data, len))
				continue;
			c->tweets = xreallocarray(c->tweets, c->ntweets + 1, sizeof *c->tweets);
			struct cfg_tweet *tw = &c->tweets[c->ntweets++];
			memset(tw, 0, sizeof *tw);
			char *id = st_get_str(&t, "tweet_id");
			snprintf(tw->id, sizeof tw->id, "%s", id);
			free(id);
			char *cat = st_get_str(&t, "category");
			if (category_parse(cat, &tw->category) != 0)
				tw->category = CAT_MAIN;
			free(cat);
			tw->url = st_get_str(&t, "url");
		}
	}
	c->cadence.metrics = st_get_int(doc, "cadence.metrics_s", 300);
	c->cadence.retweets = st_get_int(doc, "cadence.retweets_s", 600);
	c->cadence.replies = st_get_int(doc, "cadence.replies_s", 600);
	c->cadence.quotes = st_get_int(doc, "cadence.quotes_s", 600);
	c->farm.threshold = (int)st_get_int(doc, "farm.threshold", FARM_THRESHOLD_DEFAULT);
	c->farm.exclude = bson_iter_init(&it, doc) &&
	                  bson_iter_find_descendant(&it, "farm.exclude", &d) &&
	                  BSON_ITER_HOLDS_BOOL(&d) && bson_iter_bool(&d);
	struct cfg_alerts *a = &c->alerts;
	a->min_importance = (int)st_get_int(doc, "alerts.min_importance", 70);
	a->buckets = st_get_str_array(doc, "alerts.buckets", &a->nbuckets);
	a->actions = st_get_str_array(doc, "alerts.actions", &a->nactions);
	a->categories = st_get_str_array(doc, "alerts.categories", &a->ncategories);
	a->watch = st_get_str_array(doc, "alerts.watch", &a->nwatch);
	a->slack_webhook_ref = st_get_str(doc, "alerts.slack_webhook");
	a->quiet_window_s = st_get_int(doc, "alerts.quiet_window_s", 1800);
	if (bson_iter_init(&it, doc) &&
	    bson_iter_find_descendant(&it, "alerts.min_sentiment", &d) &&
	    BSON_ITER_HOLDS_NUMBER(&d)) {
		a->has_min_sentiment = true;
		a->min_sentiment = bson_iter_as_double(&d);
	}
	if (bson_iter_init(&it, doc) &&
	    bson_iter_find_descendant(&it, "alerts.negative_sentiment", &d) &&
	    BSON_ITER_HOLDS_NUMBER(&d)) {
		a->has_negative_sentiment = true;
		a->negative_sentiment = bson_iter_as_double(&d);
	}
	if (bson_iter_init(&it, doc) && bson_iter_find_descendant(&it, "alerts.email", &d) &&
	    BSON_ITER_HOLDS_DOCUMENT(&d)) {
		a->has_email = true;
		a->email.to = st_get_str_array(doc, "alerts.email.to", &a->email.nto);
		a->email.smtp_url = st_get_str(doc, "alerts.email.smtp_url");
		a->email.user = st_get_str(doc, "alerts.email.user");
		a->email.password_ref = st_get_str(doc, "alerts.email.password");
		a->email.from = st_get_str(doc, "alerts.email.from");
	}
	for (int i = 0; i < CAT__COUNT; i++) {
		char path[64];
		const char *cat = category_name((enum tweet_category)i);
		snprintf(path, sizeof path, "cpm.benchmark_usd.%s", cat);
		if (bson_iter_init(&it, doc) && bson_iter_find_descendant(&it, path, &d) &&
		    BSON_ITER_HOLDS_NUMBER(&d)) {
			c->cpm.has_benchmark[i] = true;
			c->cpm.benchmark_usd[i] = bson_iter_as_double(&d);
		}
		snprintf(path, sizeof path, "cpm.spend_usd.%s", cat);
		if (bson_iter_init(&it, doc) && bson_iter_find_descendant(&it, path, &d) &&
		    BSON_ITER_HOLDS_NUMBER(&d)) {
			c->cpm.has_spend[i] = true;
			c->cpm.spend_usd[i] = bson_iter_as_double(&d);
		}
	}
}

struct upsert_ctx {
	const char *id;
	const struct cfg_campaign *c;
	const struct campaign *old; /* NULL when new */
	bool changed;
	int64_t now_ms;
};

/* Returns true when the campaign old tracked tweet_id. */
static bool
old_has_tweet(const struct campaign *old, const char *tweet_id)
{
	for (size_t i = 0; old && i < old->cfg.ntweets; i++)
		if (strcmp(old->cfg.tweets[i].id, tweet_id) == 0)
			return true;
	return false;
}

/* Returns true when the new settings list tweet_id. */
static bool
cfg_has_tweet(const struct cfg_campaign *c, const char *tweet_id)
{
	for (size_t i = 0; i < c->ntweets; i++)
		if (strcmp(c->tweets[i].id, tweet_id) == 0)
			return true;
	return false;
}

/* Upserts the tweets documents of a campaign: new ones get empty fields,
 * every listed one gets its category and url, dropped ones are flagged. */
static void
fill_tweets(struct st_batch *bulk, const void *arg)
{
	const struct upsert_ctx *u = arg;
	for (size_t i = 0; i < u->c->ntweets; i++) {
		const struct cfg_tweet *t = &u->c->tweets[i];
		char *id = xasprintf("%s:%s", u->id, t->id);
		bson_t *sel = BCON_NEW("_id", BCON_UTF8(id));
		bson_t *upd = BCON_NEW("$setOnInsert", "{", "campaign_id", BCON_UTF8(u->id),
		    "tweet_id", BCON_UTF8(t->id), "author", BCON_NULL, "text", BCON_NULL,
		    "created_at", BCON_NULL, "metrics", BCON_NULL, "metrics_at", BCON_NULL,
		    "missing", BCON_BOOL(false), "added_at", BCON_DATE_TIME(u->now_ms), "}", "$set",
		    "{", "category", BCON_UTF8(category_name(t->category)), "url",
		    BCON_UTF8(t->url ? t->url : t->id), "dropped", BCON_BOOL(false), "}");
		bson_t *opts = BCON_NEW("upsert", BCON_BOOL(true));
		st_batch_update_one(bulk, sel, upd, opts);
		bson_destroy(sel);
		bson_destroy(upd);
		bson_destroy(opts);
		free(id);
	}
	for (size_t i = 0; u->old && i < u->old->cfg.ntweets; i++) {
		const char *tid = u->old->cfg.tweets[i].id;
		if (cfg_has_tweet(u->c, tid))
			continue;
		char *id = xasprintf("%s:%s", u->id, tid);
		bson_t *sel = BCON_NEW("_id", BCON_UTF8(id));
		bson_t *upd = BCON_NEW("$set", "{", "dropped", BCON_BOOL(true), "}");
		st_batch_update_one(bulk, sel, upd, NULL);
		bson_destroy(sel);
		bson_destroy(upd);
		free(id);
	}
}

/* Upserts four empty worker_state checkpoints per tweet; existing ones are
 * left exactly as they are. */
static void
fill_checkpoints(struct st_batch *bulk, const void *arg)
{
	const struct upsert_ctx *u = arg;
	for (size_t i = 0; i < u->c->ntweets; i++) {
		for (int k = 0; k < JOB__COUNT; k++) {
			const char *tid = u->c->tweets[i].id;
			char *id =
			    xasprintf("%s:%s:%s", u->id, tid, job_kind_name((enum job_kind)k));
			bson_t *upd = BCON_NEW("$setOnInsert", "{", "campaign_id", BCON_UTF8(u->id),
			    "tweet_id", BCON_UTF8(tid), "kind",
			    BCON_UTF8(job_kind_name((enum job_kind)k)), "state", BCON_UTF8("new"),
			    "next_run_at", BCON_DATE_TIME(u->now_ms), "lease_owner", BCON_NULL,
			    "lease_until", BCON_NULL, "cursor", BCON_NULL, "backfill_done",
			    BCON_BOOL(false), "watermark", BCON_NULL, "last_success_at", BCON_NULL,
			    "last_error", BCON_NULL, "attempts", BCON_INT32(0), "blocked_until",
			    BCON_NULL, "requests", BCON_INT64(0), "credits", BCON_INT64(0), "}");
			bson_t *opts = BCON_NEW("upsert", BCON_BOOL(true));
			st_batch_update_id(bulk, id, upd, opts);
			bson_destroy(upd);
			bson_destroy(opts);
			free(id);
		}
	}
}

/* Inserts a new campaign document or updates the settings of an existing one
 * (status, created_at and history are kept). */
static void
fill_campaign(struct st_batch *bulk, const void *arg)
{
	const struct upsert_ctx *u = arg;
	char *hash = campaign_settings_hash(u->c);
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(u->id));
	bson_t set = BSON_INITIALIZER, upd = BSON_INITIALIZER, ins;
	append_settings(&set, u->c, hash);
	BSON_APPEND_DATE_TIME(&set, "updated_at", u->now_ms);
	BSON_APPEND_DOCUMENT(&upd, "$set", &set);
	BSON_APPEND_DOCUMENT_BEGIN(&upd, "$setOnInsert", &ins);
	BSON_APPEND_UTF8(
	    &ins, "status", campaign_status_name(campaign_initial_status(u->c, u->now_ms)));
	BSON_APPEND_DATE_TIME(&ins, "created_at", u->now_ms);
	BSON_APPEND_NULL(&ins, "completed_at");
	BSON_APPEND_NULL(&ins, "close_requested_at");
	BSON_APPEND_NULL(&ins, "frozen");
	bson_append_document_end(&upd, &ins);
	bson_t *opts = BCON_NEW("upsert", BCON_BOOL(true));
	st_batch_update_one(bulk, sel, &upd, opts);
	bson_destroy(opts);
	bson_destroy(sel);
	bson_destroy(&set);
	bson_destroy(&upd);
	free(hash);
}

int
store_campaign_upsert(struct store *s, const struct cfg_campaign *c, int64_t now_ms,
    struct store_upsert_result *res, char **cause)
{
	struct campaign old;
	bson_t doc;
	struct upsert_ctx u = {.c = c, .now_ms = now_ms};
	int rc = -1;
	memset(res, 0, sizeof *res);
	campaign_make_id(c->name, res->id);
	u.id = res->id;

	bson_t *filter = BCON_NEW("_id", BCON_UTF8(res->id));
	int found = st_find_one(s, "campaigns", filter, &doc, cause);
	bson_destroy(filter);
	if (found < 0)
		return -1;
	char *hash = campaign_settings_hash(c);
	if (found == 0) {
		char *old_hash = st_get_str(&doc, "settings_hash");
		campaign_from_bson(&doc, &old);
		bson_destroy(&doc);
		u.old = &old;
		u.changed = strcmp(old_hash, hash) != 0;
		free(old_hash);
	} else {
		u.changed = true;
		res->created = true;
	}
	res->changed = u.changed;
	for (size_t i = 0; i < c->ntweets; i++)
		if (!old_has_tweet(u.old, c->tweets[i].id))
			res->tweets_added++;
	for (size_t i = 0; u.old && i < u.old->cfg.ntweets; i++)
		if (!cfg_has_tweet(c, u.old->cfg.tweets[i].id))
			res->tweets_dropped++;

	/* A new campaign's prepared aggregates start empty (a campaign without
	 * a head is one of the previous release, rebuilt from its events). */
	if (res->created && stp_head_create(s, res->id, now_ms, cause) != 0)
		goto fail;
	/* Checkpoints and tweets first, so a listed tweet always has them; their
	 * upserts leave existing documents as they are. */
	if (c->ntweets > 0 && st_bulk(s, "worker_state", "writing worker_state checkpoints",
	                          fill_checkpoints, &u, cause) != 0)
		goto fail;
	if (u.changed && st_bulk(s, "tweets", "writing tweets", fill_tweets, &u, cause) != 0)
		goto fail;
	if (u.changed &&
	    st_bulk(s, "campaigns", "writing the campaign", fill_campaign, &u, cause) != 0)
		goto fail;
	rc = 0;
fail:
	if (u.old)
		campaign_done(&old);
	free(hash);
	return rc;
}

int
store_campaign_get(struct store *s, const char *key, struct campaign *out, char **cause)
{
	bson_t doc;
	bson_t *filter = BCON_NEW("_id", BCON_UTF8(key));
	int rc = st_find_one(s, "campaigns", filter, &doc, cause);
	bson_destroy(filter);
	if (rc == 1) {
		filter = BCON_NEW("name", BCON_UTF8(key));
		rc = st_find_one(s, "campaigns", filter, &doc, cause);
		bson_destroy(filter);
	}
	if (rc != 0)
		return rc;
	campaign_from_bson(&doc, out);
	bson_destroy(&doc);
	return 0;
}

int
store_campaign_list(struct store *s, struct campaign **out, size_t *n, char **cause)
{
	bson_error_t err;
	const bson_t *doc;
	mongoc_client_t *client;
	struct campaign *v = NULL;
	size_t count = 0;
	bool bad = false;
	bson_t *opts =
	    BCON_NEW("sort", "{", "created_at", BCON_INT32(1), "_id", BCON_INT32(1), "}");
	bson_t filter = BSON_INITIALIZER;
	for (int attempt = 0; attempt < 2; attempt++) {
		mongoc_collection_t *coll = st_coll(s, "campaigns", &client);
		mongoc_cursor_t *cur = mongoc_collection_find_with_opts(coll, &filter, opts, NULL);
		while (mongoc_cursor_next(cur, &doc)) {
			v = xreallocarray(v, count + 1, sizeof *v);
			campaign_from_bson(doc, &v[count++]);
		}
		bad = mongoc_cursor_error(cur, &err);
		mongoc_cursor_destroy(cur);
		st_coll_done(s, coll, client);
		if (!bad || !st_retryable(&err))
			break;
		for (size_t i = 0; i < count; i++)
			campaign_done(&v[i]);
		count = 0;
	}
	bson_destroy(opts);
	if (bad) {
		for (size_t i = 0; i < count; i++)
			campaign_done(&v[i]);
		free(v);
		return st_fail(s, cause, "listing campaigns", &err);
	}
	*out = v;
	*n = count;
	return 0;
}

/* Applies update to the campaign document id; retried once. */
static int
update_campaign(
    struct store *s, const char *id, const bson_t *update, const char *what, char **cause)
{
	bson_error_t err;
	mongoc_client_t *client;
	bool ok = false;
	bson_t *sel = BCON_NEW("_id", BCON_UTF8(id));
	for (int attempt = 0; attempt < 2 && !ok; attempt++) {
		mongoc_collection_t *coll = st_coll(s, "campaigns", &client);
		ok = mongoc_collection_update_one(coll, sel, update, NULL, NULL, &err);
		st_coll_done(s, coll, client);
		if (!ok && !st_retryable(&err))
			break;
	}
	bson_destroy(sel);
	return ok ? 0 : st_fail(s, cause, what, &err);
}

int
store_campaign_set_status(
    struct store *s, const char *id, enum campaign_status status, int64_t now_ms, char **cause)
{
	bson_t *upd;
	if (status == CS_COMPLETED)
		upd = BCON_NEW("$set", "{", "status", BCON_UTF8(campaign_status_name(status)),
		    "updated_at", BCON_DATE_TIME(now_ms), "completed_at", BCON_DATE_TIME(now_ms),
		    "}");
	else
		upd = BCON_NEW("$set", "{", "status", BCON_UTF8(campaign_status_name(status)),
		    "updated_at", BCON_DATE_TIME(now_ms), "}");
	int rc = update_campaign(s, id, upd, "updating the campaign status", cause);
	bson_destroy(upd);
	return rc;
}

int
store_campaign_request_close(struct store *s, const char *id, int64_t now_ms, char **cause)
{
	bson_t *upd = BCON_NEW("$set", "{", "close_requested_at", BCON_DATE_TIME(now_ms),
	    "updated_at", BCON_DATE_TIME(now_ms), "}");
	int rc = update_campaign(s, id, upd, "requesting the close-out", cause);
	bson_destroy(upd);
	return rc;
}
