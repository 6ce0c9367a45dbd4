/*
 * reader_prepared: the reader's view of one campaign's prepared aggregates
 * (src/engine/reader_prepared_internal.h): its summary, the change log
 * followed by `_id` from the newest entry read, a scratch state holding
 * the tweets whose own series the console asked for, and the profile
 * reads. Every read is by `_id`. The reader's database thread only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "engine/prep_io.h"
#include "reader_prepared_internal.h"
#include "store/store_changes.h"
#include "store/store_events.h"
#include "store/store_prepared.h"

#define RP_BACKLOG     32   /* log entries before the head read at start, for the feed */
#define RP_ENTRIES_MAX 200  /* log entries read per poll */
#define RP_LAG_MAX     2000 /* further behind than this: skip to the head */
#define RP_SUMMARY_MS  1000 /* the summary is read again at most this often */
#define RP_WAIT_MAX_MS 8000 /* ... and at least this often while the log is ahead */
#define RP_CATCHUP_MAX 1000 /* metric slices read by _id after a tweet's part */

struct rp_camp {
	char cid[64];
	bool ready;              /* a summary was read */
	int64_t gen;             /* its generation */
	int64_t sum_seq;         /* the change-log seq it covers */
	int64_t log_seq;         /* the newest change-log entry read */
	int64_t sum_next_ms;     /* when the summary may be read again */
	int64_t sum_wait_ms;     /* how long after that */
	char (*tids)[LW_ID_MAX]; /* the summary's tweets, in its order */
	size_t ntids;
	struct prep *scratch;      /* tweets whose own series was asked for */
	char (*loaded)[LW_ID_MAX]; /* ... their ids */
	size_t nloaded;
};

struct rp_camp *
rp_new(const char *cid)
{
	struct rp_camp *c = xcalloc(1, sizeof *c);
	snprintf(c->cid, sizeof c->cid, "%s", cid);
	c->sum_wait_ms = RP_SUMMARY_MS;
	return c;
}

void
rp_free(struct rp_camp *c)
{
	if (c == NULL)
		return;
	free(c->tids);
	prep_free(c->scratch);
	free(c->loaded);
	free(c);
}

const char *
rp_cid(const struct rp_camp *c)
{
	return c->cid;
}

/* Frees a series array's values. */
static void
series_free(struct reader_series *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (int m = 0; m < M__COUNT; m++)
			series_done(&v[i].m[m]);
		minutes_done(&v[i].mins);
	}
	free(v);
}

void
reader_feed_done(struct reader_feed *f)
{
	if (f->summary)
		prep_summary_done(f->summary);
	free(f->summary);
	for (size_t i = 0; i < f->neng; i++)
		prep_eng_done(&f->eng[i]);
	free(f->eng);
	series_free(f->series, f->nseries);
	memset(f, 0, sizeof *f);
}

/* Returns f's series entry of tweet_id, adding an empty one. */
static struct reader_series *
series_slot(struct reader_feed *f, const char *tweet_id)
{
	for (size_t i = 0; i < f->nseries; i++)
		if (strcmp(f->series[i].tweet_id, tweet_id) == 0) {
			for (int m = 0; m < M__COUNT; m++)
				series_done(&f->series[i].m[m]);
			minutes_done(&f->series[i].mins);
			return &f->series[i];
		}
	f->series = xreallocarray(f->series, f->nseries + 1, sizeof *f->series);
	struct reader_series *x = &f->series[f->nseries++];
	memset(x, 0, sizeof *x);
	snprintf(x->tweet_id, sizeof x->tweet_id, "%s", tweet_id);
	return x;
}

void
reader_feed_merge(struct reader_feed *dst, struct reader_feed *src)
{
	dst->preparing = src->preparing;
	if (src->summary) {
		if (dst->summary)
			prep_summary_done(dst->summary);
		free(dst->summary);
		dst->summary = src->summary;
		src->summary = NULL;
	}
	agg_eng_merge(&dst->eng, &dst->neng, &dst->capeng, src->eng, src->neng, AGG_FEED_MAX);
	src->neng = 0;
	for (size_t i = 0; i < src->nseries; i++) {
		struct reader_series *x = series_slot(dst, src->series[i].tweet_id);
		*x = src->series[i];
		memset(src->series[i].m, 0, sizeof src->series[i].m);
		memset(&src->series[i].mins, 0, sizeof src->series[i].mins);
	}
	reader_feed_done(src);
}

/* ---- the summary and the log ---- */

/* Keeps summary s (read from generation gen) and hands it to f. */
static void
take_summary(struct rp_camp *c, struct prep_summary *s, int64_t gen, struct reader_feed *f)
{
	c->ready = true;
	c->gen = gen;
	c->sum_seq = s->seq;
	free(c->tids);
	c->tids = xcalloc(s->ntweets ? s->ntweets : 1, sizeof *c->tids);
	c->ntids = s->ntweets;
	for (size_t i = 0; i < s->ntweets; i++)
		snprintf(c->tids[i], sizeof c->tids[i], "%s", s->tweets[i].id);
	if (f->summary)
		prep_summary_done(f->summary);
	else
		f->summary = xcalloc(1, sizeof *f->summary);
	*f->summary = *s;
	memset(s, 0, sizeof *s);
	f->preparing = false;
}

/* Returns the index of tweet_id in c's scratch state when its series was
 * asked for (-2 when asked for but holding no slice yet), else -1. */
static long
loaded_index(const struct rp_camp *c, const char *tweet_id)
{
	bool asked = false;
	for (size_t i = 0; i < c->nloaded && !asked; i++)
		asked = strcmp(c->loaded[i], tweet_id) == 0;
	if (!asked)
		return -1;
	for (size_t i = 0; i < prep_ntweets(c->scratch); i++)
		if (strcmp(prep_tweet_id(c->scratch, i), tweet_id) == 0)
			return (long)i;
	return -2;
}

/* Hands a copy of tweet_id's own series (empty when it has no slice) to f. */
static void
give_series(const struct rp_camp *c, const char *tweet_id, struct reader_feed *f)
{
	struct reader_series *x = series_slot(f, tweet_id);
	x->ok = true;
	long i = loaded_index(c, tweet_id);
	const struct series *m = i >= 0 ? prep_tweet_series(c->scratch, (size_t)i) : NULL;
	for (int k = 0; m && k < M__COUNT; k++)
		series_merge(&x->m[k], &m[k]);
	if (i >= 0)
		minutes_merge(&x->mins, prep_tweet_minutes(c->scratch, (size_t)i));
}

/* Applies one change-log entry: its engagement records to f's feed, its
 * slices to the tweets whose series was asked for. 0, or -1 when it is
 * malformed. */
static int
apply_entry(struct rp_camp *c, const struct change_entry *e, struct reader_feed *f, char **cause)
{
	struct prep_eng *ev;
	struct prep_slice *sv;
	size_t ne, ns;
	if (prep_items_decode(e->items, e->len, &ev, &ne, &sv, &ns, cause) != 0)
		return -1;
	agg_eng_merge(&f->eng, &f->neng, &f->capeng, ev, ne, AGG_FEED_MAX);
	free(ev);
	for (size_t i = 0; i < ns; i++)
		if (loaded_index(c, sv[i].tweet_id) != -1 && prep_apply_slice(c->scratch, &sv[i]))
			give_series(c, sv[i].tweet_id, f);
	free(sv);
	return 0;
}

/* Reads the summary (and the log's starting point) of a campaign that
 * has none yet. 0 (f says whether it is still preparing), or -1. */
static int
first_summary(
    struct store *s, struct rp_camp *c, int64_t now_ms, struct reader_feed *f, char **cause)
{
	struct prep_summary sum;
	int64_t gen = 0, head = 0;
	int rc = prep_read_summary(s, c->cid, &sum, &gen, cause);
	if (rc < 0)
		return -1;
	if (rc == 1) {
		f->preparing = true;
		return 0;
	}
	if (stc_head(s, c->cid, sum.seq, &head, cause) != 0) {
		prep_summary_done(&sum);
		return -1;
	}
	take_summary(c, &sum, gen, f);
	/* the entries the summary does not cover yet feed the feed (a few) */
	c->log_seq = head - RP_BACKLOG > c->sum_seq ? head - RP_BACKLOG : c->sum_seq;
	if (c->log_seq > head)
		c->log_seq = head;
	c->sum_next_ms = now_ms + RP_SUMMARY_MS;
	return 0;
}

/* Reads the summary again when the log moved past it and it is due. */
static int
again_summary(
    struct store *s, struct rp_camp *c, int64_t now_ms, struct reader_feed *f, char **cause)
{
	if (c->log_seq <= c->sum_seq || now_ms < c->sum_next_ms)
		return 0;
	struct prep_summary sum;
	int64_t gen = 0;
	int rc = prep_read_summary(s, c->cid, &sum, &gen, cause);
	if (rc < 0)
		return -1;
	bool moved = rc == 0 && (sum.seq != c->sum_seq || gen != c->gen);
	if (moved)
		take_summary(c, &sum, gen, f);
	else if (rc == 0)
		prep_summary_done(&sum);
	/* a rebuild in progress (rc 1) or an aggregator behind: wait longer */
	c->sum_wait_ms =
	    moved ? RP_SUMMARY_MS
	          : (c->sum_wait_ms * 2 > RP_WAIT_MAX_MS ? RP_WAIT_MAX_MS : c->sum_wait_ms * 2);
	c->sum_next_ms = now_ms + c->sum_wait_ms;
	return 0;
}

int
rp_poll(struct store *s, struct rp_camp *c, int64_t now_ms, struct reader_feed *f, char **cause)
{
	if (!c->ready && first_summary(s, c, now_ms, f, cause) != 0)
		return -1;
	if (!c->ready)
		return 0; /* still preparing */
	size_t k = 0;
	for (; k < RP_ENTRIES_MAX; k++) {
		struct change_entry e;
		int rc = stc_get(s, c->cid, c->log_seq + 1, &e, cause);
		if (rc < 0)
			return -1;
		if (rc == 1)
			break;
		rc = apply_entry(c, &e, f, cause);
		change_entry_done(&e);
		c->log_seq++; /* a malformed entry is said once, not read forever */
		if (rc != 0)
			return -1;
	}
	if (k == RP_ENTRIES_MAX) {
		/* far behind (a database that was away, a flood): the summary's
		 * newest engagements stand in for what is skipped */
		int64_t head;
		if (stc_head(s, c->cid, c->log_seq, &head, cause) != 0)
			return -1;
		if (head - c->log_seq > RP_LAG_MAX)
			c->log_seq = head - RP_BACKLOG;
		c->sum_next_ms = 0;
	}
	return again_summary(s, c, now_ms, f, cause);
}

/* ---- on demand ---- */

int
rp_series(
    struct store *s, struct rp_camp *c, const char *tweet_id, struct reader_feed *f, char **cause)
{
	if (loaded_index(c, tweet_id) != -1) {
		give_series(c, tweet_id, f);
		return 0;
	}
	if (!c->ready) {
		series_slot(f, tweet_id)->ok = false;
		return set_cause(cause, "campaign %s has no prepared aggregates yet", c->cid);
	}
	if (c->scratch == NULL)
		c->scratch = prep_new(c->cid);
	void *data = NULL;
	size_t len = 0;
	int64_t seq;
	int rc = stp_part_get(s, c->cid, c->gen, STP_TWEET, tweet_id, &seq, &data, &len, cause);
	if (rc == 0)
		rc = prep_load_tweet(c->scratch, data, len, cause);
	free(data);
	if (rc < 0) {
		series_slot(f, tweet_id)->ok = false;
		return -1;
	}
	c->loaded = xreallocarray(c->loaded, c->nloaded + 1, sizeof *c->loaded);
	snprintf(c->loaded[c->nloaded++], sizeof c->loaded[0], "%s", tweet_id);
	/* the part is written every few seconds: its newer slices by _id */
	long i = loaded_index(c, tweet_id);
	int64_t next = i >= 0 ? prep_tweet_next_slice(c->scratch, (size_t)i) : 1;
	for (int k = 0; k < RP_CATCHUP_MAX; k++, next++) {
		struct lw_slice sl;
		rc = ste_slice_get(s, c->cid, tweet_id, next, &sl, cause);
		if (rc != 0)
			break;
		struct prep_slice r;
		prep_slice_from(&r, &sl);
		prep_apply_slice(c->scratch, &r);
	}
	give_series(c, tweet_id, f);
	return rc < 0 ? -1 : 0;
}

/* One engagement to read for a profile. */
struct want {
	const char *tweet_id;
	uint8_t action;
	uint32_t seq;
};

/* Orders wanted engagements most recently stored first. */
static int
want_newest(const void *a, const void *b)
{
	const struct want *x = a, *y = b;
	return x->seq < y->seq ? 1 : x->seq > y->seq ? -1 : 0;
}

int
rp_profile(struct store *s, struct rp_camp *c, const char *user_id, const char *tweet_id,
    enum lw_action action, struct agg_profile **out, char **cause)
{
	struct agg_profile *p = agg_profile_new(c->cid, user_id);
	struct prep_account acct;
	memset(&acct, 0, sizeof acct);
	int found = 1;
	if (c->ready) {
		char key[16];
		snprintf(key, sizeof key, "%u", prep_chunk_of(user_id));
		void *data = NULL;
		size_t len = 0;
		int64_t seq;
		int rc = stp_part_get(s, c->cid, c->gen, STP_CHUNK, key, &seq, &data, &len, cause);
		if (rc == 0)
			found = prep_chunk_find(data, len, user_id, &acct, cause);
		free(data);
		if (rc < 0 || found < 0) {
			agg_profile_free(p);
			return -1;
		}
	}
	/* the account's engagements the chunk names, and the row asked from
	 * (an account newer than its chunk's last write has only that) */
	struct want *w = xcalloc(acct.npairs + 1, sizeof *w);
	size_t nw = 0;
	bool has_row = false;
	for (size_t i = 0; i < acct.npairs; i++) {
		const struct prep_account_pair *q = &acct.pairs[i];
		if (q->tweet >= c->ntids)
			continue; /* a tweet newer than the summary read */
		w[nw++] = (struct want){c->tids[q->tweet], q->action, q->seq};
		has_row |= q->action == action && strcmp(c->tids[q->tweet], tweet_id) == 0;
	}
	if (!has_row && tweet_id && *tweet_id)
		w[nw++] = (struct want){tweet_id, (uint8_t)action, UINT32_MAX};
	qsort(w, nw, sizeof *w, want_newest);
	p->total = acct.npairs + !has_row;
	if (found == 0) {
		free(p->handle);
		p->handle = xstrdup(acct.handle);
		p->followers = acct.followers;
		p->verified = acct.verified;
		p->bucket = acct.best_bucket;
		p->importance = acct.best_importance;
		p->first_at_ms = acct.first_at_ms;
	}
	int rc = 0;
	int64_t newest_seen = INT64_MIN;
	for (size_t i = 0; i < nw && i < AGG_PROFILE_MAX && rc >= 0; i++) {
		struct lw_engagement e;
		rc = ste_engagement_get(
		    s, c->cid, w[i].tweet_id, user_id, (enum lw_action)w[i].action, &e, cause);
		if (rc != 0)
			continue; /* 1: gone (a tweet's data removed by hand) */
		agg_profile_add(p, &e);
		if (e.last_seen_at_ms > newest_seen) { /* the newest profile text */
			newest_seen = e.last_seen_at_ms;
			agg_profile_set_user(p, &e);
		}
		if (found != 0 && e.importance >= p->importance) {
			p->importance = (uint8_t)e.importance;
			p->bucket = (uint8_t)e.bucket;
		}
		lw_engagement_done(&e);
	}
	free(w);
	prep_account_done(&acct);
	if (rc < 0) {
		agg_profile_free(p);
		return -1;
	}
	p->state = AGG_LOAD_READY;
	*out = p;
	return 0;
}
