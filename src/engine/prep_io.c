/*
 * prep_io: prepared aggregates between the store and memory
 * (include/engine/prep_io.h): summary reads, state loads and log replays,
 * part writes, rebuilds from stored events, top engagers' details. Any
 * thread, one owner per struct prep.
 */
#include "engine/prep_io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "engine/writer.h"
#include "store/store_changes.h"
#include "store/store_events.h"
#include "store/store_prepared.h"

int
prep_read_summary_head(struct store *s, const char *campaign_id, struct prep_summary *out,
    struct stp_head *h, char **cause)
{
	memset(out, 0, sizeof *out);
	memset(h, 0, sizeof *h);
	int rc = stp_head_get(s, campaign_id, h, cause);
	if (rc != 0) {
		memset(h, 0, sizeof *h);
		return rc;
	}
	void *data;
	size_t len;
	int64_t seq;
	rc = stp_part_get(s, campaign_id, h->gen, STP_SUMMARY, NULL, &seq, &data, &len, cause);
	if (rc != 0)
		return rc;
	rc = prep_summary_decode(data, len, out, cause);
	free(data);
	return rc;
}

int
prep_read_summary(
    struct store *s, const char *campaign_id, struct prep_summary *out, int64_t *gen, char **cause)
{
	struct stp_head h;
	int rc = prep_read_summary_head(s, campaign_id, out, &h, cause);
	if (rc == 0 && gen)
		*gen = h.gen;
	return rc;
}

/* Loads one part of generation gen with fn; sets *missing when absent and
 * lowers *from to its seq. 0 or -1. */
static int
load_part(struct store *s, const char *cid, int64_t gen, enum stp_part part, const char *key,
    struct prep *p, int (*fn)(struct prep *, const void *, size_t, char **), int64_t *from,
    bool *missing, char **cause)
{
	void *data;
	size_t len;
	int64_t seq;
	int rc = stp_part_get(s, cid, gen, part, key, &seq, &data, &len, cause);
	if (rc < 0)
		return -1;
	if (rc == 1) {
		*missing = true;
		*from = 0;
		return 0;
	}
	rc = fn(p, data, len, cause);
	free(data);
	if (seq < *from)
		*from = seq;
	return rc;
}

int
prep_load(
    struct store *s, const char *campaign_id, int64_t gen, struct prep_loaded *out, char **cause)
{
	memset(out, 0, sizeof *out);
	out->p = prep_new(campaign_id);
	out->gen = gen;
	out->had_head = true;
	void *data;
	size_t len;
	int64_t seq;
	int rc = stp_part_get(s, campaign_id, gen, STP_SUMMARY, NULL, &seq, &data, &len, cause);
	if (rc < 0)
		return -1;
	if (rc == 1)
		return 0; /* nothing persisted: replay the whole log */
	struct prep_summary sum;
	rc = prep_summary_decode(data, len, &sum, cause);
	free(data);
	if (rc != 0)
		return -1;
	rc = prep_load_summary(out->p, &sum, cause);
	out->from = sum.seq;
	bool missing = false;
	for (size_t i = 0; rc == 0 && i < sum.ntweets; i++)
		rc = load_part(s, campaign_id, gen, STP_TWEET, sum.tweets[i].id, out->p,
		    prep_load_tweet, &out->from, &missing, cause);
	for (unsigned k = 0; rc == 0 && k < PREP_CHUNKS; k++) {
		char key[16];
		snprintf(key, sizeof key, "%u", k);
		rc = load_part(s, campaign_id, gen, STP_CHUNK, key, out->p, prep_load_chunk,
		    &out->from, &missing, cause);
	}
	prep_summary_done(&sum);
	out->all_parts = !missing;
	if (missing)
		out->from = 0;
	return rc;
}

int
prep_replay(struct store *s, const char *campaign_id, struct prep *p, int64_t from, size_t max,
    int64_t *last, char **cause)
{
	return prep_replay_only(s, campaign_id, p, from, max, NULL, NULL, last, cause);
}

int
prep_replay_only(struct store *s, const char *campaign_id, struct prep *p, int64_t from, size_t max,
    bool (*keep)(const char *tweet_id, void *arg), void *arg, int64_t *last, char **cause)
{
	*last = from;
	for (size_t k = 0; max == 0 || k < max; k++) {
		struct change_entry e;
		int rc = stc_get(s, campaign_id, *last + 1, &e, cause);
		if (rc == 1)
			return 0;
		if (rc < 0)
			return -1;
		struct prep_eng *ev;
		struct prep_slice *sv;
		size_t ne, ns;
		if (prep_items_decode(e.items, e.len, &ev, &ne, &sv, &ns, cause) != 0) {
			char *why = cause ? *cause : NULL;
			if (cause)
				*cause = NULL;
			set_cause(cause, "change-log entry %s:%lld: %s", campaign_id,
			    (long long)e.seq, why ? why : "malformed");
			free(why);
			change_entry_done(&e);
			return -1;
		}
		for (size_t i = 0; i < ne; i++) {
			if (keep == NULL || keep(ev[i].tweet_id, arg))
				prep_apply_eng(p, &ev[i], (uint64_t)e.seq);
			prep_eng_done(&ev[i]);
		}
		for (size_t i = 0; i < ns; i++)
			if (keep == NULL || keep(sv[i].tweet_id, arg))
				prep_apply_slice(p, &sv[i]);
		free(ev);
		free(sv);
		prep_set_seq(p, (uint64_t)e.seq);
		*last = e.seq;
		change_entry_done(&e);
	}
	return 0;
}

int
prep_fill_details(struct store *s, const char *campaign_id, struct prep *p, char **cause)
{
	const char **users, **tweets;
	const uint8_t *actions;
	size_t n = prep_details_missing(p, &users, &tweets, &actions);
	/* copy: prep_set_details may not change the lists, but keep it plain */
	for (size_t i = 0; i < n; i++) {
		struct lw_engagement e;
		int rc = ste_engagement_get(
		    s, campaign_id, tweets[i], users[i], (enum lw_action)actions[i], &e, cause);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			prep_set_details(p, users[i], e.user.name, e.evidence);
			lw_engagement_done(&e);
		} else {
			prep_set_details(p, users[i], "", ""); /* gone: do not ask again */
		}
	}
	return 0;
}

int
prep_build_summary(struct store *s, const char *campaign_id, struct prep *p, int64_t now_ms,
    struct prep_summary *out, char **cause)
{
	const char **users, **tweets;
	const uint8_t *actions;
	/* the top list is known once built: then its missing details are read */
	prep_summary_build(p, now_ms, out);
	if (prep_details_missing(p, &users, &tweets, &actions) == 0)
		return 0;
	prep_summary_done(out);
	if (prep_fill_details(s, campaign_id, p, cause) != 0)
		return -1;
	prep_summary_build(p, now_ms, out);
	return 0;
}

int
prep_persist_summary(struct store *s, const char *campaign_id, int64_t gen, struct prep *p,
    int64_t now_ms, char **cause)
{
	struct prep_summary sum;
	if (prep_build_summary(s, campaign_id, p, now_ms, &sum, cause) != 0)
		return -1;
	struct sbuf b;
	sbuf_init(&b);
	prep_summary_encode(&b, &sum);
	int rc = stp_part_put(s, campaign_id, gen, STP_SUMMARY, NULL, sum.seq, b.s, b.len, cause);
	sbuf_done(&b);
	prep_summary_done(&sum);
	return rc;
}

int
prep_persist(struct store *s, const char *campaign_id, int64_t gen, struct prep *p, bool all,
    int64_t now_ms, char **cause)
{
	/* the summary first: it holds the tweet table the chunks refer to */
	if (prep_persist_summary(s, campaign_id, gen, p, now_ms, cause) != 0)
		return -1;
	int64_t seq = (int64_t)prep_seq(p);
	struct sbuf b;
	sbuf_init(&b);
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < prep_ntweets(p); i++) {
		if (!all && !prep_tweet_dirty(p, i))
			continue;
		b.len = 0;
		prep_tweet_encode(p, i, &b);
		rc = stp_part_put(
		    s, campaign_id, gen, STP_TWEET, prep_tweet_id(p, i), seq, b.s, b.len, cause);
	}
	for (unsigned k = 0; rc == 0 && k < PREP_CHUNKS; k++) {
		if (!all && !prep_chunk_dirty(p, k))
			continue;
		char key[16];
		snprintf(key, sizeof key, "%u", k);
		b.len = 0;
		prep_chunk_encode(p, k, &b);
		rc = stp_part_put(s, campaign_id, gen, STP_CHUNK, key, seq, b.s, b.len, cause);
	}
	sbuf_done(&b);
	return rc;
}

int
prep_drop_generation(struct store *s, const char *campaign_id, int64_t gen, char **cause)
{
	void *data;
	size_t len;
	int64_t seq;
	int rc = stp_part_get(s, campaign_id, gen, STP_SUMMARY, NULL, &seq, &data, &len, cause);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		struct prep_summary sum;
		if (prep_summary_decode(data, len, &sum, NULL) == 0) {
			for (size_t i = 0; rc == 0 && i < sum.ntweets; i++)
				rc = stp_part_delete(
				    s, campaign_id, gen, STP_TWEET, sum.tweets[i].id, cause);
			prep_summary_done(&sum);
		}
		free(data);
	}
	for (unsigned k = 0; rc == 0 && k < PREP_CHUNKS; k++) {
		char key[16];
		snprintf(key, sizeof key, "%u", k);
		rc = stp_part_delete(s, campaign_id, gen, STP_CHUNK, key, cause);
	}
	if (rc == 0)
		rc = stp_part_delete(s, campaign_id, gen, STP_SUMMARY, NULL, cause);
	return rc < 0 ? -1 : 0;
}

/* ---- recovery after a dead engine ---- */

#define RECOVER_MAX 20000 /* recovered items per change-log entry */

struct recovery {
	struct prep *p;
	struct prep_eng *e;
	size_t ne, cap;
};

/* Keeps a stored engagement the state does not know. */
static int
recover_eng(const struct lw_engagement *e, void *arg)
{
	struct recovery *r = arg;
	if (prep_knows_eng(r->p, e->tweet_id, e->user.id, e->action))
		return 0;
	if (r->ne == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->e = xreallocarray(r->e, r->cap, sizeof *r->e);
	}
	prep_eng_from(&r->e[r->ne++], e);
	return r->ne >= RECOVER_MAX;
}

int
prep_recover(struct store *s, struct writer *w, const char *campaign_id, struct prep *p,
    int64_t since_ms, size_t *neng, size_t *nslices, bool *done, char **cause)
{
	struct recovery r = {.p = p};
	int rc = ste_scan_engagements(s, campaign_id, since_ms, recover_eng, &r, cause);
	struct prep_slice *sv = NULL;
	size_t ns = 0;
	for (size_t i = 0; rc == 0 && i < prep_ntweets(p); i++) {
		int64_t next = prep_tweet_next_slice(p, i);
		for (;; next++) {
			struct lw_slice sl;
			int g =
			    ste_slice_get(s, campaign_id, prep_tweet_id(p, i), next, &sl, cause);
			if (g < 0)
				rc = -1;
			if (g != 0)
				break;
			sv = xreallocarray(sv, ns + 1, sizeof *sv);
			prep_slice_from(&sv[ns++], &sl);
		}
	}
	if (rc == 0 && (r.ne || ns))
		rc = writer_append(w, s, campaign_id, CHK_RECOVERED, r.e, r.ne, sv, ns, cause);
	if (rc == 0)
		rc = stp_recover_done(s, campaign_id, since_ms, cause);
	*neng = r.ne;
	*nslices = ns;
	*done = rc == 0 && r.ne < RECOVER_MAX;
	for (size_t i = 0; i < r.ne; i++)
		prep_eng_done(&r.e[i]);
	free(r.e);
	free(sv);
	return rc;
}

/* ---- rebuild ---- */

struct rebuild_arg {
	struct prep *p;
	prep_progress_fn progress;
	void *arg;
	int64_t n;
};

/* Applies one stored engagement. */
static int
rebuild_eng(const struct lw_engagement *e, void *p)
{
	struct rebuild_arg *a = p;
	struct prep_eng r;
	prep_eng_from(&r, e);
	prep_apply_eng(a->p, &r, 0);
	prep_eng_done(&r);
	if (++a->n % 20000 == 0 && a->progress)
		a->progress(a->arg, "engagements", a->n);
	return 0;
}

/* Applies one stored slice. */
static int
rebuild_slice(const struct lw_slice *sl, void *p)
{
	struct rebuild_arg *a = p;
	struct prep_slice r;
	prep_slice_from(&r, sl);
	prep_apply_slice(a->p, &r);
	if (++a->n % 20000 == 0 && a->progress)
		a->progress(a->arg, "metric slices", a->n);
	return 0;
}

int
prep_rebuild(
    struct store *s, const char *campaign_id, prep_progress_fn progress, void *arg, char **cause)
{
	struct stp_head h;
	int64_t head = 0, now = clock_now_ms();
	int rc = stp_head_get(s, campaign_id, &h, cause);
	if (rc < 0)
		return -1;
	int64_t old = rc == 0 ? h.gen : 0;
	/* the log's head first: every event it covers is stored already, and
	 * what comes later is applied again from the log (idempotent) */
	if (stc_head(s, campaign_id, 0, &head, cause) != 0)
		return -1;
	struct rebuild_arg a = {.p = prep_new(campaign_id), .progress = progress, .arg = arg};
	rc = ste_scan_engagements(s, campaign_id, 0, rebuild_eng, &a, cause);
	if (rc == 0 && progress)
		progress(arg, "engagements", a.n);
	int64_t neng = a.n;
	a.n = 0;
	if (rc == 0)
		rc = ste_scan_slices(s, campaign_id, rebuild_slice, &a, cause);
	if (rc == 0 && progress)
		progress(arg, "metric slices", a.n);
	(void)neng;
	prep_set_seq(a.p, (uint64_t)head);
	int64_t gen = old + 1;
	if (rc == 0)
		rc = prep_persist(s, campaign_id, gen, a.p, true, now, cause);
	if (rc == 0)
		rc = stp_head_switch(s, campaign_id, gen, now, cause);
	if (rc == 0 && old > 0)
		rc = prep_drop_generation(s, campaign_id, old, cause);
	prep_free(a.p);
	return rc;
}
