/*
 * store_jobs: the worker_state collection of the ingest engine: listing due
 * jobs, claiming one (one findAndModify on MongoDB, read-test-lease by _id
 * on FerretDB), reading and updating its state, freeing the leases of a
 * dead engine and restarting stopped jobs. Every query stays inside
 * ../shared/mongo-subset.md; every write goes through the store's write
 * lock. Any thread.
 */
#include "store/store_ingest.h"

#include <mongoc/mongoc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_internal.h"
#include "base/util.h"

/* Appends an array of strings as a BSON array value under key. */
static void
append_ids(bson_t *b, const char *key, const char *const *ids, size_t n)
{
	st_append_str_array(b, key, (char *const *)ids, n);
}

/* Appends {$in: ids} filter for campaign_id. */
static void
append_campaign_in(bson_t *filter, const char *const *ids, size_t n)
{
	bson_t in;
	BSON_APPEND_DOCUMENT_BEGIN(filter, "campaign_id", &in);
	append_ids(&in, "$in", ids, n);
	bson_append_document_end(filter, &in);
}

/* Appends state: {$nin: [stopped, missing]} (job_state_runnable). */
static void
append_state_runnable(bson_t *filter)
{
	const char *const off[] = {job_state_name(JST_STOPPED), job_state_name(JST_MISSING)};
	bson_t sub;
	BSON_APPEND_DOCUMENT_BEGIN(filter, "state", &sub);
	append_ids(&sub, "$nin", off, 2);
	bson_append_document_end(filter, &sub);
}

enum job_state
st_get_job_state(const bson_t *doc)
{
	char name[16];
	enum job_state st = JST_NEW;
	st_get_strbuf(doc, "state", name, sizeof name);
	job_state_parse(name, &st);
	return st;
}

int
st_get_job_kind(const bson_t *doc, enum job_kind *out)
{
	char name[16];
	st_get_strbuf(doc, "kind", name, sizeof name);
	return job_kind_parse(name, out);
}
/* Reads a worker_state document of kind k into *d. */
static void
due_from_bson(const bson_t *doc, enum job_kind k, struct sti_due *d)
{
	memset(d, 0, sizeof *d);
	st_get_strbuf(doc, "_id", d->id, sizeof d->id);
	st_get_strbuf(doc, "campaign_id", d->campaign_id, sizeof d->campaign_id);
	st_get_strbuf(doc, "tweet_id", d->tweet_id, sizeof d->tweet_id);
	d->kind = k;
	d->next_run_at_ms = st_get_int(doc, "next_run_at", 0);
	d->state = st_get_job_state(doc);
	d->blocked_until_ms = st_get_int(doc, "blocked_until", 0);
	d->blocked_at_ms = st_get_int(doc, "blocked_at", 0);
	st_get_strbuf(doc, "blocked_by", d->blocked_by, sizeof d->blocked_by);
	st_get_strbuf(doc, "lease_owner", d->lease_owner, sizeof d->lease_owner);
	d->lease_until_ms = st_get_int(doc, "lease_until", 0);
	st_get_strbuf(doc, "last_error", d->last_error, sizeof d->last_error);
	d->cursor_life_ms = st_get_int(doc, "cursor_life", 0);
}

int
sti_job_due_get(struct store *s, const char *id, struct sti_due *out, char **cause)
{
	bson_t doc;
	int rc = st_find_id(s, "worker_state", id, &doc, cause);
	if (rc != 0)
		return rc;
	enum job_kind k;
	if (st_get_job_kind(&doc, &k) != 0) {
		rc = 1;
	} else {
		due_from_bson(&doc, k, out);
		if (!job_state_runnable(out->state))
			rc = 1;
	}
	bson_destroy(&doc);
	return rc;
}

int
sti_jobs_due(struct store *s, const char *const *ids, size_t n, int64_t now_ms,
    struct sti_due **out, size_t *nout, char **cause)
{
	bson_error_t err;
	const bson_t *doc;
	mongoc_client_t *client;
	struct sti_due *v = NULL;
	size_t count = 0;
	bool bad = false;
	*out = NULL;
	*nout = 0;
	if (n == 0)
		return 0;
	bson_t filter = BSON_INITIALIZER, sub;
	append_campaign_in(&filter, ids, n);
	append_state_runnable(&filter);
	if (now_ms < INT64_MAX) {
		BSON_APPEND_DOCUMENT_BEGIN(&filter, "next_run_at", &sub);
		BSON_APPEND_DATE_TIME(&sub, "$lte", now_ms);
		bson_append_document_end(&filter, &sub);
	}
	bson_t *opts = BCON_NEW("sort", "{", "next_run_at", BCON_INT32(1), "_id", BCON_INT32(1),
	    "}", "projection", "{", "campaign_id", BCON_INT32(1), "tweet_id", BCON_INT32(1), "kind",
	    BCON_INT32(1), "next_run_at", BCON_INT32(1), "state", BCON_INT32(1), "blocked_until",
	    BCON_INT32(1), "blocked_at", BCON_INT32(1), "blocked_by", BCON_INT32(1), "lease_owner",
	    BCON_INT32(1), "lease_until", BCON_INT32(1), "last_error", BCON_INT32(1), "cursor_life",
	    BCON_INT32(1), "}");
	for (int attempt = 0; attempt < 2; attempt++) {
		mongoc_collection_t *coll = st_coll(s, "worker_state", &client);
		mongoc_cursor_t *cur = mongoc_collection_find_with_opts(coll, &filter, opts, NULL);
		while (mongoc_cursor_next(cur, &doc)) {
			enum job_kind k;
			if (st_get_job_kind(doc, &k) != 0)
				continue;
			v = xreallocarray(v, count + 1, sizeof *v);
			due_from_bson(doc, k, &v[count++]);
		}
		bad = mongoc_cursor_error(cur, &err);
		mongoc_cursor_destroy(cur);
		st_coll_done(s, coll, client);
		if (!bad || !st_retryable(&err))
			break;
		count = 0;
	}
	bson_destroy(opts);
	bson_destroy(&filter);
	if (bad) {
		free(v);
		return st_fail(s, cause, "listing due jobs", &err);
	}
	*out = v;
	*nout = count;
	return 0;
}

/* Fills a job from its worker_state document. */
static void
job_from_bson(const bson_t *doc, struct job *j)
{
	memset(j, 0, sizeof *j);
	st_get_strbuf(doc, "_id", j->id, sizeof j->id);
	st_get_strbuf(doc, "campaign_id", j->campaign_id, sizeof j->campaign_id);
	st_get_strbuf(doc, "tweet_id", j->tweet_id, sizeof j->tweet_id);
	if (st_get_job_kind(doc, &j->kind) != 0)
		j->kind = JOB_METRICS;
	j->cursor = st_get_str(doc, "cursor");
	bson_iter_t it;
	j->backfill_done = bson_iter_init_find(&it, doc, "backfill_done") &&
	                   BSON_ITER_HOLDS_BOOL(&it) && bson_iter_bool(&it);
	j->watermark = st_get_str_array(doc, "watermark", &j->nwatermark);
	j->walked_count = st_get_int(doc, "walked_count", -1);
	j->attempts = (int)st_get_int(doc, "attempts", 0);
	j->lease_until_ms = st_get_int(doc, "lease_until", 0);
	j->state = st_get_job_state(doc);
	j->next_run_at_ms = st_get_int(doc, "next_run_at", 0);
	j->due_ms = st_get_int(doc, "due_at", 0);
	j->walk_top = st_get_str_array(doc, "walk_top", &j->nwalk_top);
	j->walk_count = st_get_int(doc, "walk_count", -1);
	j->walk_floor_ms = st_get_int(doc, "walk_floor", 0);
	j->walk_until_s = st_get_int(doc, "walk_until", 0);
	j->cursor_at_ms = st_get_int(doc, "cursor_at", 0);
	j->cursor_life_ms = st_get_int(doc, "cursor_life", 0);
}

struct claim_arg {
	const bson_t *filter, *update;
	bson_t reply;
	bool have_reply;
};

/* Runs the claim's findAndModify. */
static bool
claim_op(mongoc_collection_t *coll, void *p, bson_error_t *err)
{
	struct claim_arg *a = p;
	if (a->have_reply)
		bson_destroy(&a->reply);
	mongoc_find_and_modify_opts_t *o = mongoc_find_and_modify_opts_new();
	/* the document as it was when claimed (struct job's contract, and what
	 * the FerretDB shape reads): its state decides the next tick */
	mongoc_find_and_modify_opts_set_update(o, a->update);
	bool ok = mongoc_collection_find_and_modify_with_opts(coll, a->filter, o, &a->reply, err);
	a->have_reply = true;
	mongoc_find_and_modify_opts_destroy(o);
	return ok;
}

/* Returns true when owner may claim the job document at now_ms: the test of
 * the findAndModify filter in sti_job_claim, in C. */
static bool
claimable(const bson_t *doc, const char *owner, int64_t now_ms, bool ignore_due)
{
	char lease_owner[256];
	bson_iter_t it;
	if (!job_state_runnable(st_get_job_state(doc)))
		return false;
	if (!ignore_due &&
	    (!bson_iter_init_find(&it, doc, "next_run_at") || !BSON_ITER_HOLDS_DATE_TIME(&it) ||
	        bson_iter_date_time(&it) > now_ms))
		return false;
	if (!bson_iter_init_find(&it, doc, "lease_until") || BSON_ITER_HOLDS_NULL(&it))
		return true;
	if (BSON_ITER_HOLDS_DATE_TIME(&it) && bson_iter_date_time(&it) < now_ms)
		return true;
	st_get_strbuf(doc, "lease_owner", lease_owner, sizeof lease_owner);
	return strcmp(lease_owner, owner) == 0;
}

/* The claim on FerretDB: any filter but {_id: value} scans the whole
 * collection there, and its updates are not atomic anyway, so the job is
 * read by _id, tested in C and leased by _id. The caller holds the process's
 * claim mutex, and only one process runs jobs on the embedded database. */
static int
claim_by_id(struct store *s, const char *id, const bson_t *update, const char *owner,
    int64_t now_ms, bool ignore_due, struct job *out, char **cause)
{
	bson_t *sel = st_id_sel(s, id);
	bson_t doc;
	int rc = st_find_one(s, "worker_state", sel, &doc, cause);
	if (rc == 0) {
		if (!claimable(&doc, owner, now_ms, ignore_due))
			rc = 1;
		else if ((rc = st_update_where(
		              s, "worker_state", sel, update, false, "claiming a job", cause)) == 0)
			job_from_bson(&doc, out);
		bson_destroy(&doc);
	}
	bson_destroy(sel);
	return rc;
}

int
sti_job_claim(struct store *s, const char *id, const char *owner, int64_t now_ms,
    int64_t lease_until_ms, bool ignore_due, struct job *out, char **cause)
{
	if (s->ferretdb) {
		bson_t *update = BCON_NEW("$set", "{", "lease_owner", BCON_UTF8(owner),
		    "lease_until", BCON_DATE_TIME(lease_until_ms), "state",
		    BCON_UTF8(job_state_name(JST_RUNNING)), "}");
		int rc = claim_by_id(s, id, update, owner, now_ms, ignore_due, out, cause);
		bson_destroy(update);
		return rc;
	}
	bson_t filter = BSON_INITIALIZER, sub, arr, alt;
	BSON_APPEND_UTF8(&filter, "_id", id);
	st_append_campaign_of(s, &filter, id);
	append_state_runnable(&filter);
	if (!ignore_due) {
		BSON_APPEND_DOCUMENT_BEGIN(&filter, "next_run_at", &sub);
		BSON_APPEND_DATE_TIME(&sub, "$lte", now_ms);
		bson_append_document_end(&filter, &sub);
	}
	BSON_APPEND_ARRAY_BEGIN(&filter, "$or", &arr);
	BSON_APPEND_DOCUMENT_BEGIN(&arr, "0", &alt);
	BSON_APPEND_NULL(&alt, "lease_until");
	bson_append_document_end(&arr, &alt);
	BSON_APPEND_DOCUMENT_BEGIN(&arr, "1", &alt);
	BSON_APPEND_DOCUMENT_BEGIN(&alt, "lease_until", &sub);
	BSON_APPEND_DATE_TIME(&sub, "$lt", now_ms);
	bson_append_document_end(&alt, &sub);
	bson_append_document_end(&arr, &alt);
	BSON_APPEND_DOCUMENT_BEGIN(&arr, "2", &alt);
	BSON_APPEND_UTF8(&alt, "lease_owner", owner);
	bson_append_document_end(&arr, &alt);
	bson_append_array_end(&filter, &arr);
	bson_t *update = BCON_NEW("$set", "{", "lease_owner", BCON_UTF8(owner), "lease_until",
	    BCON_DATE_TIME(lease_until_ms), "state", BCON_UTF8(job_state_name(JST_RUNNING)), "}");
	struct claim_arg a = {.filter = &filter, .update = update};
	int rc = st_with_coll(s, "worker_state", "claiming a job", claim_op, &a, cause);
	if (rc == 0) {
		bson_iter_t it;
		rc = 1;
		if (bson_iter_init_find(&it, &a.reply, "value") && BSON_ITER_HOLDS_DOCUMENT(&it)) {
			const uint8_t *data;
			uint32_t len;
			bson_t doc;
			bson_iter_document(&it, &len, &data);
			if (bson_init_static(&doc, data, len)) {
				job_from_bson(&doc, out);
				rc = 0;
			}
		}
	}
	if (a.have_reply)
		bson_destroy(&a.reply);
	bson_destroy(update);
	bson_destroy(&filter);
	return rc;
}

int
sti_job_peek(struct store *s, const char *id, struct sti_job_state *out, char **cause)
{
	bson_t doc;
	memset(out, 0, sizeof *out);
	int rc = st_find_id(s, "worker_state", id, &doc, cause);
	if (rc != 0)
		return rc;
	out->state = st_get_job_state(&doc);
	st_get_strbuf(&doc, "lease_owner", out->lease_owner, sizeof out->lease_owner);
	out->lease_until_ms = st_get_int(&doc, "lease_until", 0);
	out->last_error = st_get_str(&doc, "last_error");
	bson_destroy(&doc);
	return 0;
}

/* Builds the update document of u into upd (initialized here); op, when
 * not NULL, is stored as inc_op beside the counters it adds. */
static void
job_update_doc(const struct sti_job_update *u, int64_t now_ms, const char *op, bson_t *upd)
{
	bson_t set, inc;
	bson_init(upd);
	BSON_APPEND_DOCUMENT_BEGIN(upd, "$set", &set);
	BSON_APPEND_DATE_TIME(&set, "updated_at", now_ms);
	if (u->set_state)
		BSON_APPEND_UTF8(&set, "state", job_state_name(u->state));
	if (u->next_run_at_ms >= 0)
		BSON_APPEND_DATE_TIME(&set, "next_run_at", u->next_run_at_ms);
	if (u->lease_until_ms == 0) {
		BSON_APPEND_NULL(&set, "lease_owner");
		BSON_APPEND_NULL(&set, "lease_until");
	} else if (u->lease_until_ms > 0) {
		BSON_APPEND_DATE_TIME(&set, "lease_until", u->lease_until_ms);
	}
	if (u->set_cursor) {
		if (u->cursor && *u->cursor)
			BSON_APPEND_UTF8(&set, "cursor", u->cursor);
		else
			BSON_APPEND_NULL(&set, "cursor");
		if (u->cursor_at_ms > 0)
			BSON_APPEND_DATE_TIME(&set, "cursor_at", u->cursor_at_ms);
		else
			BSON_APPEND_NULL(&set, "cursor_at");
	}
	if (u->cursor_life_ms > 0)
		BSON_APPEND_INT64(&set, "cursor_life", u->cursor_life_ms);
	if (u->due_ms > 0)
		BSON_APPEND_DATE_TIME(&set, "due_at", u->due_ms);
	if (u->set_walk) {
		if (u->walk_top && u->nwalk_top > 0) {
			st_append_str_array(&set, "walk_top", u->walk_top, u->nwalk_top);
			BSON_APPEND_INT64(&set, "walk_count", u->walk_count);
			BSON_APPEND_INT64(&set, "walk_floor", u->walk_floor_ms);
			BSON_APPEND_INT64(&set, "walk_until", u->walk_until_s);
		} else {
			BSON_APPEND_NULL(&set, "walk_top");
			BSON_APPEND_NULL(&set, "walk_count");
			BSON_APPEND_NULL(&set, "walk_floor");
			BSON_APPEND_NULL(&set, "walk_until");
		}
	}
	if (u->set_watermark)
		st_append_str_array(&set, "watermark", u->watermark, u->nwatermark);
	if (u->backfill_done >= 0)
		BSON_APPEND_BOOL(&set, "backfill_done", u->backfill_done != 0);
	if (u->set_walked_count)
		BSON_APPEND_INT64(&set, "walked_count", u->walked_count);
	if (u->set_error) {
		if (u->error)
			BSON_APPEND_UTF8(&set, "last_error", u->error);
		else
			BSON_APPEND_NULL(&set, "last_error");
	}
	if (u->attempts >= 0)
		BSON_APPEND_INT32(&set, "attempts", u->attempts);
	if (u->set_blocked) {
		if (u->blocked_until_ms > 0) {
			BSON_APPEND_DATE_TIME(&set, "blocked_until", u->blocked_until_ms);
			BSON_APPEND_DATE_TIME(&set, "blocked_at", now_ms);
		} else {
			BSON_APPEND_NULL(&set, "blocked_until");
			BSON_APPEND_NULL(&set, "blocked_at");
		}
		if (u->blocked_by && u->blocked_until_ms > 0)
			BSON_APPEND_UTF8(&set, "blocked_by", u->blocked_by);
		else
			BSON_APPEND_NULL(&set, "blocked_by");
	}
	if (u->last_success_ms > 0)
		BSON_APPEND_DATE_TIME(&set, "last_success_at", u->last_success_ms);
	if (op)
		BSON_APPEND_UTF8(&set, "inc_op", op);
	bson_append_document_end(upd, &set);
	if (u->add_requests || u->add_credits) {
		BSON_APPEND_DOCUMENT_BEGIN(upd, "$inc", &inc);
		BSON_APPEND_INT64(&inc, "requests", u->add_requests);
		BSON_APPEND_INT64(&inc, "credits", u->add_credits);
		bson_append_document_end(upd, &inc);
	}
}

struct job_update_arg {
	bson_t *sel;
	const bson_t *update;
	const char *op; /* the update's inc_op marker; NULL: it adds nothing */
	int calls;
};

/* Runs the update of a job; when it adds to the counters and this is the
 * retry after a dropped connection, first reads whether the first try
 * landed (its inc_op marker is stored), so requests and credits are never
 * added twice. */
static bool
job_update_op(mongoc_collection_t *coll, void *p, bson_error_t *err)
{
	struct job_update_arg *a = p;
	if (a->op && a->calls++ > 0) {
		const bson_t *doc;
		bson_t *opts = BCON_NEW("projection", "{", "inc_op", BCON_INT32(1), "}");
		mongoc_cursor_t *cur = mongoc_collection_find_with_opts(coll, a->sel, opts, NULL);
		bool landed = false;
		if (mongoc_cursor_next(cur, &doc)) {
			char *op = st_get_str(doc, "inc_op");
			landed = strcmp(op, a->op) == 0;
			free(op);
		}
		bool bad = mongoc_cursor_error(cur, err);
		mongoc_cursor_destroy(cur);
		bson_destroy(opts);
		if (bad)
			return false;
		if (landed)
			return true;
	}
	return mongoc_collection_update_one(coll, a->sel, a->update, NULL, NULL, err);
}

static int64_t inc_op_started_ms;
static atomic_uint_fast64_t inc_op_seq;

/* Records when this process made its first inc_op marker. */
static void
inc_op_start(void)
{
	inc_op_started_ms = clock_now_ms();
}

/* Writes a new inc_op marker into buf: this process and a sequence
 * number, unique to one update. */
static void
next_inc_op(char *buf, size_t size)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, inc_op_start);
	snprintf(buf, size, "%ld:%lld:%llu", (long)getpid(), (long long)inc_op_started_ms,
	    (unsigned long long)atomic_fetch_add(&inc_op_seq, 1) + 1);
}

int
sti_job_update(
    struct store *s, const char *id, const struct sti_job_update *u, int64_t now_ms, char **cause)
{
	char op[64];
	bson_t upd;
	struct job_update_arg a = {.sel = st_id_sel(s, id), .update = &upd};
	if (u->add_requests || u->add_credits) {
		/* $inc is not idempotent: the marker lets a retry see that
		 * the first try landed (the lease owner is the only writer) */
		next_inc_op(op, sizeof op);
		a.op = op;
	}
	job_update_doc(u, now_ms, a.op, &upd);
	int rc = st_with_coll(s, "worker_state", "updating a job", job_update_op, &a, cause);
	bson_destroy(a.sel);
	bson_destroy(&upd);
	return rc;
}

struct updates_arg {
	const char *const *ids;
	const struct sti_job_update *const *u;
	size_t n;
	int64_t now_ms;
};

/* Adds each job update to the batch. */
static void
fill_updates(struct st_batch *b, const void *p)
{
	const struct updates_arg *a = p;
	for (size_t i = 0; i < a->n; i++) {
		bson_t upd;
		job_update_doc(a->u[i], a->now_ms, NULL, &upd);
		st_batch_update_id(b, a->ids[i], &upd, NULL);
		bson_destroy(&upd);
	}
}

int
sti_jobs_update_many(struct store *s, const char *const *ids, const struct sti_job_update *const *u,
    size_t n, int64_t now_ms, char **cause)
{
	struct updates_arg a = {ids, u, n, now_ms};
	for (size_t i = 0; i < n; i++)
		if (u[i]->add_requests || u[i]->add_credits)
			return set_cause(cause,
			    "job %s: counters are added by sti_job_update only "
			    "(a retried bulk would add them twice)",
			    ids[i]);
	return n ? st_bulk(s, "worker_state", "updating jobs", fill_updates, &a, cause) : 0;
}

int
sti_jobs_release_owner(
    struct store *s, const char *owner, const char *const *ids, size_t n, char **cause)
{
	if (n == 0)
		return 0;
	bson_t sel = BSON_INITIALIZER;
	append_campaign_in(&sel, ids, n);
	BSON_APPEND_UTF8(&sel, "lease_owner", owner);
	bson_t *upd =
	    BCON_NEW("$set", "{", "lease_owner", BCON_NULL, "lease_until", BCON_NULL, "}");
	int rc = st_update_where(s, "worker_state", &sel, upd, true, "releasing leases", cause);
	bson_destroy(&sel);
	bson_destroy(upd);
	return rc;
}

int
sti_jobs_unstop(struct store *s, const char *const *ids, size_t n, int64_t now_ms, char **cause)
{
	if (n == 0)
		return 0;
	bson_t sel = BSON_INITIALIZER;
	append_campaign_in(&sel, ids, n);
	BSON_APPEND_UTF8(&sel, "state", job_state_name(JST_STOPPED));
	bson_t *upd = BCON_NEW("$set", "{", "state", BCON_UTF8(job_state_name(JST_IDLE)),
	    "next_run_at", BCON_DATE_TIME(now_ms), "}");
	int rc =
	    st_update_where(s, "worker_state", &sel, upd, true, "restarting stopped jobs", cause);
	bson_destroy(&sel);
	bson_destroy(upd);
	return rc;
}
