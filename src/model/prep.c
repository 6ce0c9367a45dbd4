/*
 * prep: the prepared-aggregate state of one campaign: the account table
 * with each account's engagement pairs, the tweet table with each tweet's
 * metric series, the additive counters, and the summary derived from them
 * (include/model/prep.h has the rules). Model code; one owner thread.
 */
#include "model/prep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/text.h"
#include "prep_internal.h"

/* One engagement of an account: which tweet, which action, and the seq of
 * the first log entry that held it (0: from a rebuild). */
struct pair {
	uint32_t seq;
	uint16_t tweet;
	uint8_t action;
	uint8_t bucket; /* the engagement's own bucket */
};

struct acct {
	uint32_t id;     /* offset of the user id in the arena */
	uint32_t handle; /* offset of the best engagement's handle */
	struct pair *pairs;
	uint32_t npairs, cap;
	int64_t followers; /* of the best engagement */
	int64_t first_at;  /* the earliest engagement time */
	uint16_t best_tweet;
	uint8_t best_action, best_imp, best_bucket;
	bool verified;
};

/* A tweet's metric slices applied: 1..prefix, and the seqs in extra. */
struct seqset {
	int64_t prefix;
	int64_t *extra; /* sorted, all > prefix + 1 */
	size_t nextra;
};

struct tweet {
	char id[LW_ID_MAX];
	uint8_t category;
	bool dirty;
	struct seqset seqs;
	struct series m[PREP_METRICS];
	int64_t eng[ACT__COUNT]; /* additive: engagement pairs per action */
};

/* Details of a top engager, read from its best engagement by the engine. */
struct detail {
	char user_id[LW_ID_MAX];
	char tweet_id[LW_ID_MAX];
	uint8_t action;
	char *name, *evidence;
	bool known;
};

struct prep {
	char campaign_id[48];
	uint64_t seq;    /* the last entry applied */
	int64_t counted; /* the additive counters cover entries up to this seq */

	struct tweet *tweets;
	size_t ntweets, captweets;

	struct acct *accts;
	size_t naccts, capaccts;
	uint32_t *map; /* open addressing: hash of the user id -> account + 1 */
	size_t mapcap;
	size_t npairs;
	char *arena; /* user ids and handles, NUL-separated */
	size_t narena, caparena;
	bool chunk_dirty[PREP_CHUNKS];

	/* additive counters (persisted in the summary) */
	struct series eng_hours;
	struct series bucket_hours[BK__COUNT];
	int64_t engagements;
	int64_t eng_action[ACT__COUNT];
	int64_t eng_bucket[BK__COUNT];

	struct prep_eng latest[PREP_LATEST_MAX]; /* newest first (additive: in the summary) */
	size_t nlatest;

	/* top engagers' details */
	struct detail *details;
	size_t ndetails, capdetails;
	const char *miss_user[PREP_TOP_MAX];
	const char *miss_tweet[PREP_TOP_MAX];
	uint8_t miss_action[PREP_TOP_MAX];
	size_t nmiss;
};

/* ---- records ---- */

/* Returns a sanitized copy of s cut to max bytes ("" for NULL). */
static char *
clean(const char *s, size_t max)
{
	return s ? text_sanitize(s, strlen(s), max) : xstrdup("");
}

void
prep_eng_from(struct prep_eng *r, const struct lw_engagement *e)
{
	memset(r, 0, sizeof *r);
	snprintf(r->tweet_id, sizeof r->tweet_id, "%s", e->tweet_id);
	snprintf(r->user_id, sizeof r->user_id, "%s", e->user.id);
	r->action = (uint8_t)e->action;
	r->bucket = (uint8_t)e->bucket;
	r->category = (uint8_t)e->category;
	r->importance = (uint8_t)(e->importance < 0     ? 0
	                          : e->importance > 100 ? 100
	                                                : e->importance);
	r->verified = e->user.verified;
	r->followers = e->user.followers;
	r->first_seen_at_ms = e->first_seen_at_ms;
	r->at_ms = e->created_at_ms > 0 ? e->created_at_ms : e->first_seen_at_ms;
	r->handle = clean(e->user.handle, PREP_HANDLE_MAX);
	r->name = clean(e->user.name, PREP_NAME_MAX);
	r->snippet = clean(e->action == ACT_RETWEET ? NULL : e->text, PREP_SNIPPET_MAX);
}

void
prep_slice_from(struct prep_slice *r, const struct lw_slice *s)
{
	memset(r, 0, sizeof *r);
	snprintf(r->tweet_id, sizeof r->tweet_id, "%s", s->tweet_id);
	r->category = (uint8_t)s->category;
	r->seq = s->seq;
	r->at_ms = s->at_ms;
	const struct lw_metrics *d = &s->deltas;
	const int64_t v[PREP_METRICS] = {
	    d->likes, d->retweets, d->replies, d->quotes, d->views, d->bookmarks};
	memcpy(r->d, v, sizeof r->d);
}

int
prep_eng_newer(const struct prep_eng *a, const struct prep_eng *b)
{
	if (a->at_ms != b->at_ms)
		return a->at_ms > b->at_ms ? -1 : 1;
	if (a->first_seen_at_ms != b->first_seen_at_ms)
		return a->first_seen_at_ms > b->first_seen_at_ms ? -1 : 1;
	int c = strcmp(a->tweet_id, b->tweet_id);
	if (c == 0)
		c = strcmp(a->user_id, b->user_id);
	return c ? c : (int)a->action - (int)b->action;
}

void
prep_eng_copy(struct prep_eng *dst, const struct prep_eng *src)
{
	*dst = *src;
	dst->handle = xstrdup(src->handle ? src->handle : "");
	dst->name = xstrdup(src->name ? src->name : "");
	dst->snippet = xstrdup(src->snippet ? src->snippet : "");
}

void
prep_eng_done(struct prep_eng *r)
{
	free(r->handle);
	free(r->name);
	free(r->snippet);
	memset(r, 0, sizeof *r);
}

/* ---- state ---- */

struct prep *
prep_new(const char *campaign_id)
{
	struct prep *p = xcalloc(1, sizeof *p);
	snprintf(p->campaign_id, sizeof p->campaign_id, "%s", campaign_id);
	p->counted = -1;
	return p;
}

/* Frees a tweet's memory. */
static void
tweet_done(struct tweet *t)
{
	free(t->seqs.extra);
	for (int m = 0; m < PREP_METRICS; m++)
		series_done(&t->m[m]);
}

void
prep_free(struct prep *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->ntweets; i++)
		tweet_done(&p->tweets[i]);
	free(p->tweets);
	for (size_t i = 0; i < p->naccts; i++)
		free(p->accts[i].pairs);
	free(p->accts);
	free(p->map);
	free(p->arena);
	series_done(&p->eng_hours);
	for (int b = 0; b < BK__COUNT; b++)
		series_done(&p->bucket_hours[b]);
	for (size_t i = 0; i < p->ndetails; i++) {
		free(p->details[i].name);
		free(p->details[i].evidence);
	}
	free(p->details);
	for (size_t i = 0; i < p->nlatest; i++)
		prep_eng_done(&p->latest[i]);
	free(p);
}

/* Returns the index of tweet id, adding it (with category) when new. */
static size_t
tweet_index(struct prep *p, const char *id, uint8_t category)
{
	for (size_t i = p->ntweets; i-- > 0;)
		if (strcmp(p->tweets[i].id, id) == 0)
			return i;
	if (p->ntweets == p->captweets) {
		p->captweets = p->captweets ? 2 * p->captweets : 16;
		p->tweets = xreallocarray(p->tweets, p->captweets, sizeof *p->tweets);
	}
	struct tweet *t = &p->tweets[p->ntweets];
	memset(t, 0, sizeof *t);
	snprintf(t->id, sizeof t->id, "%s", id);
	t->category = category < CAT__COUNT ? category : CAT_MAIN;
	t->dirty = true;
	return p->ntweets++;
}

/* Appends s to the arena; returns its offset. */
static uint32_t
arena_add(struct prep *p, const char *s)
{
	size_t n = strlen(s) + 1;
	if (p->narena + n > p->caparena) {
		p->caparena = (p->narena + n) * 2 + 1024;
		p->arena = xreallocarray(p->arena, p->caparena, 1);
	}
	memcpy(p->arena + p->narena, s, n);
	uint32_t off = (uint32_t)p->narena;
	p->narena += n;
	return off;
}

/* Returns the string at arena offset off. */
static const char *
arena_at(const struct prep *p, uint32_t off)
{
	return p->arena + off;
}

/* Rebuilds the account map at twice its size. */
static void
map_grow(struct prep *p)
{
	size_t cap = p->mapcap ? 2 * p->mapcap : 1024;
	uint32_t *map = xcalloc(cap, sizeof *map);
	for (size_t i = 0; i < p->naccts; i++) {
		const char *id = arena_at(p, p->accts[i].id);
		size_t h = hash_fnv1a(id, strlen(id)) & (cap - 1);
		while (map[h])
			h = (h + 1) & (cap - 1);
		map[h] = (uint32_t)i + 1;
	}
	free(p->map);
	p->map = map;
	p->mapcap = cap;
}

/* Returns the account of user id, or NULL (no change to the state). */
static const struct acct *
acct_lookup(const struct prep *p, const char *id)
{
	if (p->mapcap == 0)
		return NULL;
	size_t h = hash_fnv1a(id, strlen(id)) & (p->mapcap - 1);
	while (p->map[h]) {
		const struct acct *a = &p->accts[p->map[h] - 1];
		if (strcmp(arena_at(p, a->id), id) == 0)
			return a;
		h = (h + 1) & (p->mapcap - 1);
	}
	return NULL;
}

/* Returns the account of user id, or NULL; with add, creates it. */
static struct acct *
acct_find(struct prep *p, const char *id, bool add)
{
	if (p->mapcap == 0 || (add && 2 * (p->naccts + 1) > p->mapcap))
		map_grow(p);
	size_t h = hash_fnv1a(id, strlen(id)) & (p->mapcap - 1);
	while (p->map[h]) {
		struct acct *a = &p->accts[p->map[h] - 1];
		if (strcmp(arena_at(p, a->id), id) == 0)
			return a;
		h = (h + 1) & (p->mapcap - 1);
	}
	if (!add)
		return NULL;
	if (p->naccts == p->capaccts) {
		p->capaccts = p->capaccts ? 2 * p->capaccts : 1024;
		p->accts = xreallocarray(p->accts, p->capaccts, sizeof *p->accts);
	}
	struct acct *a = &p->accts[p->naccts];
	memset(a, 0, sizeof *a);
	a->id = arena_add(p, id);
	a->handle = arena_add(p, "");
	a->best_tweet = NO_TWEET;
	a->first_at = INT64_MAX;
	p->map[h] = (uint32_t)++p->naccts;
	return a;
}

unsigned
prep_chunk_of(const char *user_id)
{
	return (unsigned)(hash_fnv1a(user_id, strlen(user_id)) % PREP_CHUNKS);
}

/* Returns true when candidate (importance, tweet, action) is a better
 * engagement than a's current best. */
static bool
better(const struct prep *p, const struct acct *a, int imp, uint16_t tweet, uint8_t action)
{
	if (a->best_tweet == NO_TWEET || imp != a->best_imp)
		return a->best_tweet == NO_TWEET || imp > a->best_imp;
	int c = strcmp(p->tweets[tweet].id, p->tweets[a->best_tweet].id);
	if (c != 0)
		return c < 0;
	return action < a->best_action;
}

/* Returns the pair of a for (tweet, action), or NULL. */
static struct pair *
pair_find(struct acct *a, uint16_t tweet, uint8_t action)
{
	for (uint32_t i = 0; i < a->npairs; i++)
		if (a->pairs[i].tweet == tweet && a->pairs[i].action == action)
			return &a->pairs[i];
	return NULL;
}

/* Adds a pair to a. */
static struct pair *
pair_add(
    struct prep *p, struct acct *a, uint16_t tweet, uint8_t action, uint8_t bucket, uint32_t seq)
{
	if (a->npairs == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 2;
		a->pairs = xreallocarray(a->pairs, a->cap, sizeof *a->pairs);
	}
	struct pair *q = &a->pairs[a->npairs++];
	q->tweet = tweet;
	q->action = action;
	q->bucket = bucket;
	q->seq = seq;
	p->npairs++;
	return q;
}

/* Keeps e among the newest engagements when it is one of them. */
static void
latest_offer(struct prep *p, const struct prep_eng *e)
{
	size_t i = p->nlatest;
	if (i == PREP_LATEST_MAX) {
		if (prep_eng_newer(e, &p->latest[i - 1]) >= 0)
			return;
		prep_eng_done(&p->latest[--i]);
		p->nlatest--;
	}
	while (i > 0 && prep_eng_newer(e, &p->latest[i - 1]) < 0) {
		p->latest[i] = p->latest[i - 1];
		i--;
	}
	prep_eng_copy(&p->latest[i], e);
	p->nlatest++;
}

/* Counts a new engagement in the additive counters. */
static void
count_eng(struct prep *p, const struct prep_eng *e, size_t tweet)
{
	latest_offer(p, e);
	int64_t h = series_hour_of(e->at_ms);
	p->tweets[tweet].eng[e->action]++;
	series_add(&p->eng_hours, h, 1);
	series_add(&p->bucket_hours[e->bucket], h, 1);
	p->engagements++;
	p->eng_action[e->action]++;
	p->eng_bucket[e->bucket]++;
}

bool
prep_apply_eng(struct prep *p, const struct prep_eng *e, uint64_t seq)
{
	if (e->action >= ACT__COUNT || e->bucket >= BK__COUNT || !e->user_id[0] || !e->tweet_id[0])
		return false;
	size_t ti = tweet_index(p, e->tweet_id, e->category);
	if (ti >= NO_TWEET)
		return false; /* more tweets than a pair can name: never in practice */
	struct acct *a = acct_find(p, e->user_id, true);
	struct pair *q = pair_find(a, (uint16_t)ti, e->action);
	bool fresh;
	if (q == NULL) {
		q = pair_add(p, a, (uint16_t)ti, e->action, e->bucket, (uint32_t)seq);
		fresh = true;
	} else if (q->seq > seq) {
		q->seq = (uint32_t)seq; /* an earlier entry held it too */
		fresh = true;
	} else {
		fresh = q->seq == seq && seq > 0 && (int64_t)seq > p->counted;
	}
	bool changed = fresh;
	if (better(p, a, e->importance, (uint16_t)ti, e->action)) {
		a->best_tweet = (uint16_t)ti;
		a->best_action = e->action;
		a->best_imp = e->importance;
		a->best_bucket = e->bucket;
		a->followers = e->followers;
		a->verified = e->verified;
		if (strcmp(arena_at(p, a->handle), e->handle ? e->handle : "") != 0)
			a->handle = arena_add(p, e->handle ? e->handle : "");
		changed = true;
	}
	if (e->at_ms < a->first_at) {
		a->first_at = e->at_ms;
		changed = true;
	}
	if (changed)
		p->chunk_dirty[prep_chunk_of(e->user_id)] = true;
	if (fresh && (int64_t)seq > p->counted)
		count_eng(p, e, ti);
	return fresh;
}

bool
prep_knows_eng(
    const struct prep *p, const char *tweet_id, const char *user_id, enum lw_action action)
{
	const struct acct *a = acct_lookup(p, user_id);
	for (uint32_t i = 0; a && i < a->npairs; i++)
		if (a->pairs[i].action == action &&
		    strcmp(p->tweets[a->pairs[i].tweet].id, tweet_id) == 0)
			return true;
	return false;
}

int64_t
prep_tweet_next_slice(const struct prep *p, size_t i)
{
	return i < p->ntweets ? p->tweets[i].seqs.prefix + 1 : 1;
}

/* Returns true when seq is in the set. */
static bool
seqset_has(const struct seqset *s, int64_t seq)
{
	if (seq <= s->prefix)
		return true;
	for (size_t i = 0; i < s->nextra; i++)
		if (s->extra[i] == seq)
			return true;
	return false;
}

/* Adds seq to the set (absent). */
static void
seqset_add(struct seqset *s, int64_t seq)
{
	if (seq == s->prefix + 1) {
		s->prefix++;
		size_t k = 0;
		while (k < s->nextra && s->extra[k] == s->prefix + 1)
			s->prefix = s->extra[k++];
		memmove(s->extra, s->extra + k, (s->nextra - k) * sizeof *s->extra);
		s->nextra -= k;
		return;
	}
	size_t i = s->nextra;
	s->extra = xreallocarray(s->extra, s->nextra + 1, sizeof *s->extra);
	while (i > 0 && s->extra[i - 1] > seq) {
		s->extra[i] = s->extra[i - 1];
		i--;
	}
	s->extra[i] = seq;
	s->nextra++;
}

/* Returns how many seqs the set holds. */
static int64_t
seqset_count(const struct seqset *s)
{
	return s->prefix + (int64_t)s->nextra;
}

bool
prep_apply_slice(struct prep *p, const struct prep_slice *s)
{
	if (s->seq <= 0 || !s->tweet_id[0])
		return false;
	size_t ti = tweet_index(p, s->tweet_id, s->category);
	struct tweet *t = &p->tweets[ti];
	if (seqset_has(&t->seqs, s->seq))
		return false;
	seqset_add(&t->seqs, s->seq);
	int64_t h = series_hour_of(s->at_ms);
	for (int m = 0; m < PREP_METRICS; m++)
		series_add(&t->m[m], h, s->d[m]);
	t->dirty = true;
	return true;
}

void
prep_set_seq(struct prep *p, uint64_t seq)
{
	if (seq > p->seq)
		p->seq = seq;
	if ((int64_t)seq > p->counted)
		p->counted = (int64_t)seq;
}

uint64_t
prep_seq(const struct prep *p)
{
	return p->seq;
}

size_t
prep_ntweets(const struct prep *p)
{
	return p->ntweets;
}

const char *
prep_tweet_id(const struct prep *p, size_t i)
{
	return i < p->ntweets ? p->tweets[i].id : "";
}

const struct series *
prep_tweet_series(const struct prep *p, size_t i)
{
	return i < p->ntweets ? p->tweets[i].m : NULL;
}

bool
prep_tweet_dirty(const struct prep *p, size_t i)
{
	return i < p->ntweets && p->tweets[i].dirty;
}

bool
prep_chunk_dirty(const struct prep *p, unsigned k)
{
	return k < PREP_CHUNKS && p->chunk_dirty[k];
}

size_t
prep_memory(const struct prep *p)
{
	size_t n = sizeof *p + p->captweets * sizeof *p->tweets + p->capaccts * sizeof *p->accts +
	           p->mapcap * sizeof *p->map + p->caparena;
	for (size_t i = 0; i < p->naccts; i++)
		n += p->accts[i].cap * sizeof(struct pair);
	for (size_t i = 0; i < p->ntweets; i++)
		for (int m = 0; m < PREP_METRICS; m++)
			n += (size_t)p->tweets[i].m[m].cap * sizeof(int64_t);
	return n;
}

void
prep_counts(const struct prep *p, size_t *accounts, size_t *engagements)
{
	*accounts = p->naccts;
	*engagements = p->npairs;
}

/* ---- details of top engagers ---- */

/* Returns the detail record of user_id, or NULL. */
static struct detail *
detail_find(struct prep *p, const char *user_id)
{
	for (size_t i = 0; i < p->ndetails; i++)
		if (strcmp(p->details[i].user_id, user_id) == 0)
			return &p->details[i];
	return NULL;
}

void
prep_set_details(struct prep *p, const char *user_id, const char *name, const char *evidence)
{
	struct detail *d = detail_find(p, user_id);
	if (d == NULL)
		return; /* not a top engager (any more) */
	free(d->name);
	free(d->evidence);
	d->name = clean(name, 120);
	d->evidence = clean(evidence, PREP_EVIDENCE_MAX);
	d->known = true;
}

size_t
prep_details_missing(
    struct prep *p, const char ***user_ids, const char ***tweet_ids, const uint8_t **actions)
{
	p->nmiss = 0;
	for (size_t i = 0; i < p->ndetails && p->nmiss < PREP_TOP_MAX; i++)
		if (!p->details[i].known) {
			p->miss_user[p->nmiss] = p->details[i].user_id;
			p->miss_tweet[p->nmiss] = p->details[i].tweet_id;
			p->miss_action[p->nmiss++] = p->details[i].action;
		}
	*user_ids = p->miss_user;
	*tweet_ids = p->miss_tweet;
	*actions = p->miss_action;
	return p->nmiss;
}

/* ---- the summary ---- */

/* Orders accounts for the top list: importance, followers (highest first),
 * handle, user id. */
static int
top_cmp(const struct prep *p, const struct acct *x, const struct acct *y)
{
	if (x->best_imp != y->best_imp)
		return x->best_imp > y->best_imp ? -1 : 1;
	if (x->followers != y->followers)
		return x->followers > y->followers ? -1 : 1;
	int c = strcmp(arena_at(p, x->handle), arena_at(p, y->handle));
	return c ? c : strcmp(arena_at(p, x->id), arena_at(p, y->id));
}

/* qsort_r adapter of top_cmp over account pointers. */
static int
top_sort(const void *a, const void *b, void *p)
{
	return top_cmp(p, *(struct acct *const *)a, *(struct acct *const *)b);
}

/* Keeps the best PREP_TOP_MAX accounts in heap h (worst at h[0]). */
static void
heap_offer(const struct prep *p, struct acct **h, size_t *n, struct acct *a)
{
	if (*n < PREP_TOP_MAX) {
		size_t i = (*n)++;
		h[i] = a;
		while (i > 0 && top_cmp(p, h[(i - 1) / 2], h[i]) < 0) {
			struct acct *t = h[i];
			h[i] = h[(i - 1) / 2];
			h[(i - 1) / 2] = t;
			i = (i - 1) / 2;
		}
		return;
	}
	if (top_cmp(p, a, h[0]) >= 0)
		return; /* not better than the worst kept */
	h[0] = a;
	for (size_t i = 0;;) {
		size_t l = 2 * i + 1, r = l + 1, w = i;
		if (l < *n && top_cmp(p, h[l], h[w]) > 0)
			w = l;
		if (r < *n && top_cmp(p, h[r], h[w]) > 0)
			w = r;
		if (w == i)
			break;
		struct acct *t = h[i];
		h[i] = h[w];
		h[w] = t;
		i = w;
	}
}

/* Fills the top list of s from the heap, keeping known details. */
static void
build_top(struct prep *p, struct acct **h, size_t n, struct prep_summary *s)
{
	qsort_r(h, n, sizeof *h, top_sort, p);
	uint8_t *seen = xcalloc(p->ntweets ? p->ntweets : 1, 1);
	struct detail *old = p->details;
	size_t nold = p->ndetails;
	p->details = xcalloc(n ? n : 1, sizeof *p->details);
	p->ndetails = n;
	s->top = xcalloc(n ? n : 1, sizeof *s->top);
	s->ntop = n;
	for (size_t i = 0; i < n; i++) {
		const struct acct *a = h[i];
		struct prep_top *t = &s->top[i];
		struct detail *d = &p->details[i];
		snprintf(t->user_id, sizeof t->user_id, "%s", arena_at(p, a->id));
		snprintf(t->best_tweet, sizeof t->best_tweet, "%s", p->tweets[a->best_tweet].id);
		t->best_action = a->best_action;
		t->handle = xstrdup(arena_at(p, a->handle));
		t->followers = a->followers;
		t->verified = a->verified;
		t->bucket = a->best_bucket;
		t->importance = a->best_imp;
		for (uint32_t k = 0; k < a->npairs; k++) {
			t->actions[a->pairs[k].action]++;
			t->ntweets += !seen[a->pairs[k].tweet];
			seen[a->pairs[k].tweet] = 1;
		}
		for (uint32_t k = 0; k < a->npairs; k++)
			seen[a->pairs[k].tweet] = 0;
		snprintf(d->user_id, sizeof d->user_id, "%s", t->user_id);
		snprintf(d->tweet_id, sizeof d->tweet_id, "%s", t->best_tweet);
		d->action = t->best_action;
		for (size_t k = 0; k < nold; k++) {
			struct detail *o = &old[k];
			if (o->known && strcmp(o->user_id, d->user_id) == 0 &&
			    strcmp(o->tweet_id, d->tweet_id) == 0 && o->action == d->action) {
				d->name = o->name;
				d->evidence = o->evidence;
				d->known = true;
				o->name = o->evidence = NULL;
				break;
			}
		}
		t->has_details = d->known;
		t->name = xstrdup(d->known ? d->name : "");
		t->evidence = xstrdup(d->known ? d->evidence : "");
	}
	for (size_t k = 0; k < nold; k++) {
		free(old[k].name);
		free(old[k].evidence);
	}
	free(old);
	free(seen);
}

/* Copies a series. */
static void
series_copy(struct series *dst, const struct series *src)
{
	memset(dst, 0, sizeof *dst);
	series_merge(dst, src);
}

void
prep_summary_build(struct prep *p, int64_t at_ms, struct prep_summary *s)
{
	memset(s, 0, sizeof *s);
	snprintf(s->campaign_id, sizeof s->campaign_id, "%s", p->campaign_id);
	s->seq = (int64_t)p->seq;
	s->at_ms = at_ms;
	s->tweets = xcalloc(p->ntweets ? p->ntweets : 1, sizeof *s->tweets);
	s->ntweets = p->ntweets;
	for (size_t i = 0; i < p->ntweets; i++) {
		const struct tweet *t = &p->tweets[i];
		struct prep_tweet_sum *o = &s->tweets[i];
		snprintf(o->id, sizeof o->id, "%s", t->id);
		o->category = t->category;
		o->slices = seqset_count(&t->seqs);
		memcpy(o->eng, t->eng, sizeof o->eng);
		for (int m = 0; m < PREP_METRICS; m++) {
			o->total[m] = series_total(&t->m[m]);
			s->total[t->category][m] += o->total[m];
			s->total[CAT__COUNT][m] += o->total[m];
			series_merge(&s->hours[t->category][m], &t->m[m]);
			series_merge(&s->hours[CAT__COUNT][m], &t->m[m]);
		}
	}
	series_copy(&s->eng_hours, &p->eng_hours);
	for (int b = 0; b < BK__COUNT; b++)
		series_copy(&s->bucket_hours[b], &p->bucket_hours[b]);
	s->engagements = p->engagements;
	memcpy(s->eng_action, p->eng_action, sizeof s->eng_action);
	memcpy(s->eng_bucket, p->eng_bucket, sizeof s->eng_bucket);
	s->latest = xcalloc(p->nlatest ? p->nlatest : 1, sizeof *s->latest);
	for (size_t i = 0; i < p->nlatest; i++)
		prep_eng_copy(&s->latest[s->nlatest++], &p->latest[i]);

	struct acct *heap[PREP_TOP_MAX];
	size_t nheap = 0;
	for (size_t i = 0; i < p->naccts; i++) {
		struct acct *a = &p->accts[i];
		if (a->best_tweet == NO_TWEET)
			continue;
		s->unique_accounts++;
		s->uniq[a->best_bucket]++;
		unsigned mask = 0;
		for (uint32_t k = 0; k < a->npairs; k++)
			mask |= 1u << a->pairs[k].action;
		for (int act = 0; act < ACT__COUNT; act++)
			if (mask & (1u << act))
				s->uniq_act[act][a->best_bucket]++;
		heap_offer(p, heap, &nheap, a);
	}
	build_top(p, heap, nheap, s);
}

/* ---- persistence ---- */

void
prep_chunk_encode(struct prep *p, unsigned k, struct sbuf *b)
{
	size_t n = 0;
	for (size_t i = 0; i < p->naccts; i++)
		n += prep_chunk_of(arena_at(p, p->accts[i].id)) == k;
	bytes_put_uvar(b, CHUNK_MAGIC);
	bytes_put_uvar(b, k);
	bytes_put_uvar(b, n);
	for (size_t i = 0; i < p->naccts; i++) {
		const struct acct *a = &p->accts[i];
		if (prep_chunk_of(arena_at(p, a->id)) != k)
			continue;
		bytes_put_str(b, arena_at(p, a->id), LW_ID_MAX - 1);
		bytes_put_str(b, arena_at(p, a->handle), PREP_HANDLE_MAX);
		bytes_put_svar(b, a->followers);
		bytes_put_svar(b, a->first_at);
		bytes_put_uvar(b, a->best_tweet);
		bytes_put_u8(b, a->best_action);
		bytes_put_u8(b, a->best_imp);
		bytes_put_u8(b, a->best_bucket);
		bytes_put_u8(b, a->verified);
		bytes_put_uvar(b, a->npairs);
		for (uint32_t j = 0; j < a->npairs; j++) {
			bytes_put_uvar(b, a->pairs[j].tweet);
			bytes_put_u8(b, a->pairs[j].action);
			bytes_put_u8(b, a->pairs[j].bucket);
			bytes_put_uvar(b, a->pairs[j].seq);
		}
	}
	p->chunk_dirty[k] = false;
}

/* Merges one account read from a chunk into p (its pairs name tweets of p). */
static void
load_account(struct prep *p, const struct prep_account *x)
{
	struct acct *a = acct_find(p, x->user_id, true);
	for (size_t j = 0; j < x->npairs; j++) {
		const struct prep_account_pair *y = &x->pairs[j];
		struct pair *q = pair_find(a, (uint16_t)y->tweet, y->action);
		if (q == NULL)
			pair_add(p, a, (uint16_t)y->tweet, y->action, y->bucket, y->seq);
		else if (q->seq > y->seq)
			q->seq = y->seq;
	}
	if (x->best_tweet >= 0 &&
	    better(p, a, x->best_importance, (uint16_t)x->best_tweet, x->best_action)) {
		a->best_tweet = (uint16_t)x->best_tweet;
		a->best_action = x->best_action;
		a->best_imp = x->best_importance;
		a->best_bucket = x->best_bucket;
		a->followers = x->followers;
		a->verified = x->verified;
		a->handle = arena_add(p, x->handle);
	}
	if (x->first_at_ms < a->first_at)
		a->first_at = x->first_at_ms;
}

int
prep_load_chunk(struct prep *p, const void *data, size_t len, char **cause)
{
	struct bytes_r r;
	uint64_t n;
	bool ok = prep_chunk_open(&r, data, len, &n);
	for (uint64_t i = 0; ok && i < n; i++) {
		struct prep_account x;
		ok = prep_chunk_next(&r, len, &x);
		if (!ok)
			break;
		ok = x.best_tweet < 0 || (size_t)x.best_tweet < p->ntweets;
		for (size_t j = 0; ok && j < x.npairs; j++)
			ok = x.pairs[j].tweet < p->ntweets;
		if (ok)
			load_account(p, &x);
		prep_account_done(&x);
	}
	if (!ok || !bytes_r_done(&r))
		return set_cause(cause, "an account chunk of %s is malformed", p->campaign_id);
	return 0;
}

void
prep_tweet_encode(struct prep *p, size_t i, struct sbuf *b)
{
	struct tweet *t = &p->tweets[i];
	bytes_put_uvar(b, TWEET_MAGIC);
	bytes_put_str(b, t->id, LW_ID_MAX - 1);
	bytes_put_u8(b, t->category);
	bytes_put_uvar(b, (uint64_t)t->seqs.prefix);
	bytes_put_uvar(b, t->seqs.nextra);
	for (size_t k = 0; k < t->seqs.nextra; k++)
		bytes_put_uvar(b, (uint64_t)t->seqs.extra[k]);
	for (int m = 0; m < PREP_METRICS; m++)
		series_encode(b, &t->m[m]);
	t->dirty = false;
}

int
prep_load_tweet(struct prep *p, const void *data, size_t len, char **cause)
{
	struct bytes_r r;
	bytes_r_init(&r, data, len);
	char id[LW_ID_MAX];
	uint64_t magic = bytes_get_uvar(&r);
	bytes_get_strbuf(&r, id, sizeof id);
	uint8_t cat = bytes_get_u8(&r);
	struct seqset seqs = {0};
	seqs.prefix = (int64_t)bytes_get_uvar(&r);
	uint64_t nextra = bytes_get_uvar(&r);
	if (r.bad || magic != TWEET_MAGIC || !id[0] || nextra > len || seqs.prefix < 0)
		return set_cause(cause, "a tweet document of %s is malformed", p->campaign_id);
	seqs.extra = xcalloc(nextra ? nextra : 1, sizeof *seqs.extra);
	for (uint64_t k = 0; k < nextra; k++)
		seqs.extra[seqs.nextra++] = (int64_t)bytes_get_uvar(&r);
	struct series m[PREP_METRICS];
	memset(m, 0, sizeof m);
	for (int k = 0; k < PREP_METRICS; k++)
		series_decode(&r, &m[k]);
	int rc = 0;
	if (!bytes_r_done(&r)) {
		rc = set_cause(cause, "a tweet document of %s is malformed", p->campaign_id);
	} else {
		size_t ti = tweet_index(p, id, cat);
		struct tweet *t = &p->tweets[ti];
		if (seqset_count(&t->seqs) == 0) { /* the usual case: a fresh load */
			free(t->seqs.extra);
			t->seqs = seqs;
			seqs.extra = NULL;
			for (int k = 0; k < PREP_METRICS; k++) {
				series_done(&t->m[k]);
				t->m[k] = m[k];
				memset(&m[k], 0, sizeof m[k]);
			}
		} else if (seqset_count(&seqs) > 0) {
			rc =
			    set_cause(cause, "tweet %s of %s was loaded twice", id, p->campaign_id);
		}
		t->dirty = false;
	}
	free(seqs.extra);
	for (int k = 0; k < PREP_METRICS; k++)
		series_done(&m[k]);
	return rc;
}

int
prep_load_summary(struct prep *p, const struct prep_summary *s, char **cause)
{
	if (p->ntweets || p->naccts)
		return set_cause(cause, "the summary of %s must be loaded first", p->campaign_id);
	for (size_t i = 0; i < s->ntweets; i++) {
		size_t ti = tweet_index(p, s->tweets[i].id, s->tweets[i].category);
		memcpy(p->tweets[ti].eng, s->tweets[i].eng, sizeof p->tweets[ti].eng);
		p->tweets[ti].dirty = false;
	}
	series_copy(&p->eng_hours, &s->eng_hours);
	for (int b = 0; b < BK__COUNT; b++)
		series_copy(&p->bucket_hours[b], &s->bucket_hours[b]);
	p->engagements = s->engagements;
	memcpy(p->eng_action, s->eng_action, sizeof p->eng_action);
	memcpy(p->eng_bucket, s->eng_bucket, sizeof p->eng_bucket);
	for (size_t i = 0; i < s->nlatest && i < PREP_LATEST_MAX; i++)
		prep_eng_copy(&p->latest[p->nlatest++], &s->latest[i]);
	p->counted = s->seq;
	p->seq = (uint64_t)(s->seq > 0 ? s->seq : 0);
	/* keep the details the summary already had */
	p->details = xcalloc(s->ntop ? s->ntop : 1, sizeof *p->details);
	for (size_t i = 0; i < s->ntop; i++) {
		struct detail *d = &p->details[p->ndetails++];
		snprintf(d->user_id, sizeof d->user_id, "%s", s->top[i].user_id);
		snprintf(d->tweet_id, sizeof d->tweet_id, "%s", s->top[i].best_tweet);
		d->action = s->top[i].best_action;
		d->known = s->top[i].has_details;
		d->name = xstrdup(s->top[i].name ? s->top[i].name : "");
		d->evidence = xstrdup(s->top[i].evidence ? s->top[i].evidence : "");
	}
	return 0;
}
