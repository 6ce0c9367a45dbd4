/*
 * agg_feed: the engagement rows of the console's model (include/model/
 * agg.h): how rows merge into a feed (the newest engagements, each once,
 * newest first, bounded; also the reader's buffer) and the profile of one
 * account. Model code: no
 * curses, no I/O; one owner thread per model or profile.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "base/util.h"
#include "model/agg.h"

/* Returns a sanitized copy of s cut to max bytes ("" for NULL). */
static char *
clean(const char *s, size_t max)
{
	return text_sanitize(s ? s : "", s ? strlen(s) : 0, max);
}

uint64_t
agg_eng_key(const struct prep_eng *e)
{
	uint64_t h = hash_fnv1a(e->tweet_id, strlen(e->tweet_id));
	h = (h ^ hash_fnv1a(e->user_id, strlen(e->user_id))) * 1099511628211ULL;
	return (h ^ e->action) * 1099511628211ULL;
}

/* Returns true when a and b are the same engagement. */
static bool
same_eng(const struct prep_eng *a, const struct prep_eng *b)
{
	return a->action == b->action && strcmp(a->user_id, b->user_id) == 0 &&
	       strcmp(a->tweet_id, b->tweet_id) == 0;
}

/* An open-addressing set of rows by key, for one merge. */
struct keyset {
	size_t *slot; /* row index + 1 */
	size_t cap;
};

/* Returns the row of v that is the engagement e (by the set), or -1. */
static long
keyset_find(const struct keyset *ks, const struct prep_eng *v, const struct prep_eng *e)
{
	size_t s = (size_t)agg_eng_key(e) & (ks->cap - 1);
	for (; ks->slot[s]; s = (s + 1) & (ks->cap - 1))
		if (same_eng(&v[ks->slot[s] - 1], e))
			return (long)ks->slot[s] - 1;
	return -1;
}

/* Adds row i of v to the set. */
static void
keyset_add(struct keyset *ks, const struct prep_eng *v, size_t i)
{
	size_t s = (size_t)agg_eng_key(&v[i]) & (ks->cap - 1);
	while (ks->slot[s])
		s = (s + 1) & (ks->cap - 1);
	ks->slot[s] = i + 1;
}

/* qsort adapter of prep_eng_newer. */
static int
newest_first(const void *a, const void *b)
{
	return prep_eng_newer(a, b);
}

/* Orders keys. */
static int
key_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

size_t
agg_eng_merge(
    struct prep_eng **v, size_t *n, size_t *cap, struct prep_eng *add, size_t nadd, size_t max)
{
	struct keyset ks = {NULL, 16};
	while (ks.cap < 2 * (*n + nadd))
		ks.cap *= 2;
	ks.slot = xcalloc(ks.cap, sizeof *ks.slot);
	size_t had = *n;
	uint64_t *old = xcalloc(had ? had : 1, sizeof *old);
	for (size_t i = 0; i < had; i++) {
		keyset_add(&ks, *v, i);
		old[i] = agg_eng_key(&(*v)[i]);
	}
	bool grew = false;
	for (size_t i = 0; i < nadd; i++) {
		if (keyset_find(&ks, *v, &add[i]) >= 0) {
			prep_eng_done(&add[i]);
			continue;
		}
		if (*n == *cap) {
			*cap = *cap ? 2 * *cap : 64;
			*v = xreallocarray(*v, *cap, sizeof **v);
		}
		(*v)[*n] = add[i];
		memset(&add[i], 0, sizeof add[i]);
		keyset_add(&ks, *v, (*n)++);
		grew = true;
	}
	free(ks.slot);
	size_t kept = 0;
	if (grew) {
		qsort(*v, *n, sizeof **v, newest_first);
		while (*n > max)
			prep_eng_done(&(*v)[--*n]);
		/* the new rows still there */
		qsort(old, had, sizeof *old, key_cmp);
		for (size_t i = 0; i < *n; i++) {
			uint64_t k = agg_eng_key(&(*v)[i]);
			kept += bsearch(&k, old, had, sizeof *old, key_cmp) == NULL;
		}
	}
	free(old);
	return kept;
}

long
agg_feed_find(const struct agg_campaign *c, uint64_t key)
{
	for (size_t i = 0; i < c->nfeed; i++)
		if (agg_eng_key(&c->feed[i]) == key)
			return (long)i;
	return -1;
}

/* ---- profiles ---- */

struct agg_profile *
agg_profile_new(const char *cid, const char *user_id)
{
	struct agg_profile *p = xcalloc(1, sizeof *p);
	snprintf(p->cid, sizeof p->cid, "%s", cid);
	snprintf(p->user_id, sizeof p->user_id, "%s", user_id);
	p->state = AGG_LOAD_ASKED;
	p->bio = xstrdup("");
	return p;
}

struct agg_profile *
agg_profile_from_eng(const char *cid, const struct prep_eng *e)
{
	struct agg_profile *p = agg_profile_new(cid, e->user_id);
	p->handle = clean(e->handle, PREP_HANDLE_MAX);
	p->name = clean(e->name, 128);
	p->followers = e->followers;
	p->verified = e->verified;
	p->bucket = e->bucket;
	p->importance = e->importance;
	return p;
}

struct agg_profile *
agg_profile_from_top(const char *cid, const struct prep_top *t)
{
	struct agg_profile *p = agg_profile_new(cid, t->user_id);
	p->handle = clean(t->handle, PREP_HANDLE_MAX);
	p->name = clean(t->name, 128);
	p->followers = t->followers;
	p->verified = t->verified;
	p->bucket = t->bucket;
	p->importance = t->importance;
	for (int k = 0; k < ACT__COUNT; k++)
		p->total += (size_t)t->actions[k];
	return p;
}

void
agg_profile_set_user(struct agg_profile *p, const struct lw_engagement *e)
{
	free(p->handle);
	free(p->name);
	free(p->bio);
	p->handle = clean(e->user.handle, PREP_HANDLE_MAX);
	p->name = clean(e->user.name, 128);
	p->bio = clean(e->user.bio, 240);
	p->followers = e->user.followers;
	p->following = e->user.following;
	p->verified = e->user.verified;
	p->has_farm = e->has_farm;
	p->farm_reasons = e->farm_reasons;
}

void
agg_profile_add(struct agg_profile *p, const struct lw_engagement *e)
{
	p->eng = xreallocarray(p->eng, p->neng + 1, sizeof *p->eng);
	struct agg_profile_eng x = {
	    .at_ms = e->created_at_ms > 0 ? e->created_at_ms : e->first_seen_at_ms,
	    .action = (uint8_t)e->action,
	    .bucket = (uint8_t)e->bucket,
	    .importance = (uint8_t)(e->importance < 0     ? 0
	                            : e->importance > 100 ? 100
	                                                  : e->importance),
	    .text = clean(e->action == ACT_RETWEET ? NULL : e->text, PREP_SNIPPET_MAX)};
	snprintf(x.tweet_id, sizeof x.tweet_id, "%s", e->tweet_id);
	size_t i = p->neng++;
	while (i > 0 && p->eng[i - 1].at_ms < x.at_ms) {
		p->eng[i] = p->eng[i - 1];
		i--;
	}
	p->eng[i] = x;
}

void
agg_profile_free(struct agg_profile *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->neng; i++)
		free(p->eng[i].text);
	free(p->eng);
	free(p->why);
	free(p->handle);
	free(p->name);
	free(p->bio);
	free(p);
}
