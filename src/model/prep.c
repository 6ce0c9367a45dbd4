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

/* ---- records ---- */

/* Returns a sanitized copy of s cut to max bytes ("" for NULL). */
char *
prep_clean(const char *s, size_t max)
{
	return s ? text_sanitize(s, strlen(s), max) : xstrdup("");
}

/* Returns category as a record holds it: an unknown one (a document
 * without a category) counts as main, so the record stays decodable. */
static uint8_t
known_category(int category)
{
	return category >= 0 && category < CAT__COUNT ? (uint8_t)category : CAT_MAIN;
}

void
prep_eng_from(struct prep_eng *r, const struct lw_engagement *e)
{
	memset(r, 0, sizeof *r);
	snprintf(r->tweet_id, sizeof r->tweet_id, "%s", e->tweet_id);
	snprintf(r->user_id, sizeof r->user_id, "%s", e->user.id);
	r->action = (uint8_t)e->action;
	r->bucket = (uint8_t)e->bucket;
	r->category = known_category(e->category);
	r->importance = (uint8_t)(e->importance < 0     ? 0
	                          : e->importance > 100 ? 100
	                                                : e->importance);
	r->verified = e->user.verified;
	r->followers = e->user.followers;
	r->first_seen_at_ms = e->first_seen_at_ms;
	r->at_ms = e->created_at_ms > 0 ? e->created_at_ms : e->first_seen_at_ms;
	r->handle = prep_clean(e->user.handle, PREP_HANDLE_MAX);
	r->name = prep_clean(e->user.name, PREP_NAME_MAX);
	r->snippet = prep_clean(e->action == ACT_RETWEET ? NULL : e->text, PREP_SNIPPET_MAX);
	r->has_farm = e->has_farm;
	r->farm_reasons = e->farm_reasons & FARM_STATIC_MASK;
	r->text_hash = e->action == ACT_RETWEET ? 0 : farm_text_hash(e->text);
}

void
prep_slice_from(struct prep_slice *r, const struct lw_slice *s)
{
	memset(r, 0, sizeof *r);
	snprintf(r->tweet_id, sizeof r->tweet_id, "%s", s->tweet_id);
	r->category = known_category(s->category);
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
	series_done(&t->nsl);
	minutes_done(&t->mins);
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
	free(p->tx_key);
	free(p->tx_cnt);
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
size_t
prep_tweet_index(struct prep *p, const char *id, uint8_t category)
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
uint32_t
prep_arena_add(struct prep *p, const char *s)
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
const char *
prep_arena_at(const struct prep *p, uint32_t off)
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
		const char *id = prep_arena_at(p, p->accts[i].id);
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
		if (strcmp(prep_arena_at(p, a->id), id) == 0)
			return a;
		h = (h + 1) & (p->mapcap - 1);
	}
	return NULL;
}

/* Returns the account of user id, or NULL; with add, creates it. */
struct acct *
prep_acct_find(struct prep *p, const char *id, bool add)
{
	if (p->mapcap == 0 || (add && 2 * (p->naccts + 1) > p->mapcap))
		map_grow(p);
	size_t h = hash_fnv1a(id, strlen(id)) & (p->mapcap - 1);
	while (p->map[h]) {
		struct acct *a = &p->accts[p->map[h] - 1];
		if (strcmp(prep_arena_at(p, a->id), id) == 0)
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
	a->id = prep_arena_add(p, id);
	a->handle = prep_arena_add(p, "");
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
bool
prep_better(const struct prep *p, const struct acct *a, int imp, uint16_t tweet, uint8_t action)
{
	if (a->best_tweet == NO_TWEET || imp != a->best_imp)
		return a->best_tweet == NO_TWEET || imp > a->best_imp;
	int c = strcmp(p->tweets[tweet].id, p->tweets[a->best_tweet].id);
	if (c != 0)
		return c < 0;
	return action < a->best_action;
}

/* Returns the pair of a for (tweet, action), or NULL. */
struct pair *
prep_pair_find(struct acct *a, uint16_t tweet, uint8_t action)
{
	for (uint32_t i = 0; i < a->npairs; i++)
		if (a->pairs[i].tweet == tweet && a->pairs[i].action == action)
			return &a->pairs[i];
	return NULL;
}

/* Adds a pair to a. */
struct pair *
prep_pair_add(
    struct prep *p, struct acct *a, uint16_t tweet, uint8_t action, uint8_t bucket, uint32_t seq)
{
	if (a->npairs == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 2;
		a->pairs = xreallocarray(a->pairs, a->cap, sizeof *a->pairs);
	}
	struct pair *q = &a->pairs[a->npairs++];
	memset(q, 0, sizeof *q);
	q->tweet = tweet;
	q->action = action;
	q->bucket = bucket;
	q->seq = seq;
	p->npairs++;
	return q;
}

/* Returns the slot of text hash h in p's text table (its key or 0). */
static size_t
text_slot(const struct prep *p, uint32_t h)
{
	size_t i = (size_t)(h * 2654435761u) & (p->tx_cap - 1);
	while (p->tx_key[i] != 0 && p->tx_key[i] != h)
		i = (i + 1) & (p->tx_cap - 1);
	return i;
}

/* Counts one more account that posted text hash h. */
static void
text_count(struct prep *p, uint32_t h)
{
	if (2 * (p->tx_n + 1) > p->tx_cap) {
		uint32_t *ok = p->tx_key, *oc = p->tx_cnt;
		size_t ocap = p->tx_cap;
		p->tx_cap = ocap ? 2 * ocap : 1024;
		p->tx_key = xcalloc(p->tx_cap, sizeof *p->tx_key);
		p->tx_cnt = xcalloc(p->tx_cap, sizeof *p->tx_cnt);
		for (size_t i = 0; i < ocap; i++)
			if (ok[i]) {
				size_t j = text_slot(p, ok[i]);
				p->tx_key[j] = ok[i];
				p->tx_cnt[j] = oc[i];
			}
		free(ok);
		free(oc);
	}
	size_t i = text_slot(p, h);
	if (p->tx_key[i] == 0) {
		p->tx_key[i] = h;
		p->tx_n++;
	}
	p->tx_cnt[i]++;
}

uint32_t
prep_text_accounts(const struct prep *p, uint32_t h)
{
	if (p->tx_cap == 0 || h == 0)
		return 0;
	size_t i = text_slot(p, h);
	return p->tx_key[i] == h ? p->tx_cnt[i] : 0;
}

void
prep_pair_farm(struct prep *p, struct acct *a, struct pair *q, uint32_t at_s, uint32_t text)
{
	if (q->at_s == 0)
		q->at_s = at_s;
	if (q->text != 0 || text == 0)
		return;
	bool known = false; /* the account posted this text before: counted */
	for (uint32_t k = 0; k < a->npairs && !known; k++)
		known = a->pairs[k].text == text;
	q->text = text;
	if (!known)
		text_count(p, text);
}

/* Returns when record e was posted, in seconds, for the burst rule: replies
 * and quotes only (a retweet's time is when it was seen); 0 unknown. */
static uint32_t
posted_s(const struct prep_eng *e)
{
	if (e->action == ACT_RETWEET || e->at_ms <= 0 || e->at_ms / 1000 > UINT32_MAX)
		return 0;
	return (uint32_t)(e->at_ms / 1000);
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
	size_t ti = prep_tweet_index(p, e->tweet_id, e->category);
	if (ti >= NO_TWEET)
		return false; /* more tweets than a pair can name: never in practice */
	struct acct *a = prep_acct_find(p, e->user_id, true);
	struct pair *q = prep_pair_find(a, (uint16_t)ti, e->action);
	bool fresh;
	if (q == NULL) {
		q = prep_pair_add(p, a, (uint16_t)ti, e->action, e->bucket, (uint32_t)seq);
		fresh = true;
	} else if (q->seq > seq) {
		q->seq = (uint32_t)seq; /* an earlier entry held it too */
		fresh = true;
	} else {
		fresh = q->seq == seq && seq > 0 && (int64_t)seq > p->counted;
	}
	bool changed = fresh;
	if ((q->at_s == 0 && posted_s(e)) || (q->text == 0 && e->text_hash)) {
		prep_pair_farm(p, a, q, posted_s(e), e->text_hash);
		changed = true;
	}
	if (prep_better(p, a, e->importance, (uint16_t)ti, e->action)) {
		a->best_tweet = (uint16_t)ti;
		a->best_action = e->action;
		a->best_imp = e->importance;
		a->best_bucket = e->bucket;
		a->followers = e->followers;
		a->verified = e->verified;
		a->has_farm = e->has_farm;
		a->farm = e->farm_reasons;
		if (strcmp(prep_arena_at(p, a->handle), e->handle ? e->handle : "") != 0)
			a->handle = prep_arena_add(p, e->handle ? e->handle : "");
		changed = true;
	} else if (a->best_tweet == ti && a->best_action == e->action && !a->has_farm &&
	           e->has_farm) { /* the best's farm data, when an old part lacked it */
		a->has_farm = true;
		a->farm = e->farm_reasons;
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
		if (k > 0) {
			memmove(s->extra, s->extra + k, (s->nextra - k) * sizeof *s->extra);
			s->nextra -= k;
		}
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
int64_t
prep_seqset_count(const struct seqset *s)
{
	return s->prefix + (int64_t)s->nextra;
}

bool
prep_apply_slice(struct prep *p, const struct prep_slice *s)
{
	if (s->seq <= 0 || !s->tweet_id[0])
		return false;
	size_t ti = prep_tweet_index(p, s->tweet_id, s->category);
	struct tweet *t = &p->tweets[ti];
	if (seqset_has(&t->seqs, s->seq))
		return false;
	seqset_add(&t->seqs, s->seq);
	int64_t h = series_hour_of(s->at_ms);
	for (int m = 0; m < PREP_METRICS; m++)
		series_add(&t->m[m], h, s->d[m]);
	series_add(&t->nsl, h, 1);
	minutes_add(&t->mins, minutes_of(s->at_ms), s->d);
	minutes_coarsen(&t->mins);
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

const struct minutes *
prep_tweet_minutes(const struct prep *p, size_t i)
{
	return i < p->ntweets ? &p->tweets[i].mins : NULL;
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
	           p->mapcap * sizeof *p->map + p->caparena + 2 * p->tx_cap * sizeof *p->tx_key;
	for (size_t i = 0; i < p->naccts; i++)
		n += p->accts[i].cap * sizeof(struct pair);
	for (size_t i = 0; i < p->ntweets; i++)
		for (int m = 0; m <= PREP_METRICS; m++)
			n += (size_t)(m < PREP_METRICS ? p->tweets[i].m[m].cap
			                               : p->tweets[i].nsl.cap) *
			     sizeof(int64_t);
	for (size_t i = 0; i < p->ntweets; i++)
		n += p->tweets[i].mins.cap * sizeof(struct minute_row);
	return n;
}

void
prep_counts(const struct prep *p, size_t *accounts, size_t *engagements)
{
	*accounts = p->naccts;
	*engagements = p->npairs;
}
