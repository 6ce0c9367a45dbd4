/*
 * prep_summary: the prepared summary a state derives (include/model/prep.h):
 * totals and series from the tweets, unique accounts and the top engagers
 * from the account table, the additive counters as kept, and the details of
 * top engagers. Model code; one owner thread per state.
 */
#include "model/prep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/util.h"
#include "model/farm.h"
#include "prep_internal.h"

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
	d->name = prep_clean(name, 120);
	d->evidence = prep_clean(evidence, PREP_EVIDENCE_MAX);
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
	int c = strcmp(prep_arena_at(p, x->handle), prep_arena_at(p, y->handle));
	return c ? c : strcmp(prep_arena_at(p, x->id), prep_arena_at(p, y->id));
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
		snprintf(t->user_id, sizeof t->user_id, "%s", prep_arena_at(p, a->id));
		snprintf(t->best_tweet, sizeof t->best_tweet, "%s", p->tweets[a->best_tweet].id);
		t->best_action = a->best_action;
		t->handle = xstrdup(prep_arena_at(p, a->handle));
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

/* ---- farm rules that read the whole campaign ---- */

/* Orders (text, tweet) pairs. */
static int
cmp_text_tweet(const void *x, const void *y)
{
	const uint32_t *a = x, *b = y;
	if (a[0] != b[0])
		return a[0] < b[0] ? -1 : 1;
	return a[1] < b[1] ? -1 : a[1] > b[1];
}

/* Returns the repeated-text flag of account a (FR_REPEATED_TEXT): a text
 * of its replies or quotes is posted by FARM_TEXT_ACCOUNTS accounts or more
 * (the state's text table), or by a itself on FARM_TEXT_TWEETS tweets or
 * more. Depends only on the set of pairs, not on the order they came in. */
static uint16_t
repeated_of(const struct prep *p, const struct acct *a)
{
	uint32_t stack[64][2], (*v)[2] = stack;
	size_t n = 0;
	for (uint32_t k = 0; k < a->npairs; k++) {
		uint32_t h = a->pairs[k].text;
		if (h == 0)
			continue;
		if (prep_text_accounts(p, h) >= FARM_TEXT_ACCOUNTS) {
			if (v != stack)
				free(v);
			return 1u << FR_REPEATED_TEXT;
		}
		if (n == 64 && v == stack) {
			v = xcalloc(a->npairs, sizeof *v);
			memcpy(v, stack, sizeof stack);
		}
		v[n][0] = h;
		v[n++][1] = a->pairs[k].tweet;
	}
	if (n >= FARM_TEXT_TWEETS) /* else no text can be on enough tweets */
		qsort(v, n, sizeof *v, cmp_text_tweet);
	size_t tweets = 0;
	bool hit = false;
	for (size_t i = 0; n >= FARM_TEXT_TWEETS && i < n && !hit; i++) {
		bool same = i > 0 && v[i][0] == v[i - 1][0];
		tweets = same ? tweets + (v[i][1] != v[i - 1][1]) : 1;
		hit = tweets >= FARM_TEXT_TWEETS;
	}
	if (v != stack)
		free(v);
	return hit ? 1u << FR_REPEATED_TEXT : 0;
}

/* Returns the burst flag of account a (FR_BURST), from all its pairs'
 * times (every one of them, so the answer does not depend on their order). */
static uint16_t
burst_of(const struct acct *a)
{
	size_t timed = 0;
	for (uint32_t k = 0; k < a->npairs; k++)
		timed += a->pairs[k].at_s != 0;
	if (timed < FARM_BURST_TWEETS)
		return 0; /* most accounts: no copy, no sort */
	uint32_t at_stack[64], tw_stack[64], *at = at_stack, *tw = tw_stack;
	if (a->npairs > 64) {
		at = xcalloc(a->npairs, sizeof *at);
		tw = xcalloc(a->npairs, sizeof *tw);
	}
	size_t n = 0;
	for (uint32_t k = 0; k < a->npairs; k++)
		if (a->pairs[k].at_s) {
			at[n] = a->pairs[k].at_s;
			tw[n++] = a->pairs[k].tweet;
		}
	bool hit = n >= FARM_BURST_TWEETS && farm_burst(at, tw, n);
	if (at != at_stack) {
		free(at);
		free(tw);
	}
	return hit ? (uint16_t)(1u << FR_BURST) : 0;
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
	/* each tweet's minutes, in its category's list and in the list of all */
	const struct minutes **mins = xcalloc(2 * p->ntweets + 1, sizeof *mins);
	size_t nmins[CAT__COUNT] = {0}, off[CAT__COUNT] = {0};
	for (size_t i = 0; i < p->ntweets; i++)
		nmins[p->tweets[i].category]++;
	for (int c = 1; c < CAT__COUNT; c++)
		off[c] = off[c - 1] + nmins[c - 1];
	for (size_t i = 0; i < p->ntweets; i++) {
		mins[off[p->tweets[i].category]++] = &p->tweets[i].mins;
		mins[p->ntweets + i] = &p->tweets[i].mins;
	}
	for (int c = 0, at = 0; c < CAT__COUNT; at += (int)nmins[c], c++)
		minutes_sum(&s->mins[c], mins + at, nmins[c]);
	minutes_sum(&s->mins[CAT__COUNT], mins + p->ntweets, p->ntweets);
	for (int c = 0; c <= CAT__COUNT; c++) /* what the tweets folded, and the rest */
		minutes_coarsen(&s->mins[c]);
	free(mins);
	for (size_t i = 0; i < p->ntweets; i++) {
		const struct tweet *t = &p->tweets[i];
		struct prep_tweet_sum *o = &s->tweets[i];
		snprintf(o->id, sizeof o->id, "%s", t->id);
		o->category = t->category;
		o->slices = prep_seqset_count(&t->seqs);
		memcpy(o->eng, t->eng, sizeof o->eng);
		for (int m = 0; m < PREP_METRICS; m++) {
			o->total[m] = series_total(&t->m[m]);
			s->total[t->category][m] += o->total[m];
			s->total[CAT__COUNT][m] += o->total[m];
			series_merge(&s->hours[t->category][m], &t->m[m]);
			series_merge(&s->hours[CAT__COUNT][m], &t->m[m]);
		}
		series_merge(&s->slice_hours, &t->nsl);
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
	s->tweet_uniq = true;
	s->has_farm = true;
	for (size_t i = 0; i < p->naccts; i++) {
		struct acct *a = &p->accts[i];
		if (a->best_tweet == NO_TWEET)
			continue;
		s->unique_accounts++;
		s->uniq[a->best_bucket]++;
		int score = farm_score(
		    (uint16_t)((a->has_farm ? a->farm : 0) | repeated_of(p, a) | burst_of(a)));
		s->farm[a->best_bucket][score]++;
		s->farm_unknown += !a->has_farm;
		unsigned mask = 0;
		for (uint32_t k = 0; k < a->npairs; k++)
			mask |= 1u << a->pairs[k].action;
		for (int act = 0; act < ACT__COUNT; act++)
			if (mask & (1u << act))
				s->uniq_act[act][a->best_bucket]++;
		/* per tweet: once per tweet it engaged, once per pair (each pair
		 * is one action on one tweet) */
		for (uint32_t k = 0; k < a->npairs; k++) {
			const struct pair *pk = &a->pairs[k];
			if (pk->tweet >= s->ntweets)
				continue;
			struct prep_tweet_sum *ts = &s->tweets[pk->tweet];
			bool again = false;
			for (uint32_t j = 0; j < k && !again; j++)
				again = a->pairs[j].tweet == pk->tweet;
			if (!again) {
				ts->uniq[a->best_bucket]++;
				ts->farm[score]++;
			}
			ts->uniq_act[pk->action][a->best_bucket]++;
		}
		heap_offer(p, heap, &nheap, a);
	}
	build_top(p, heap, nheap, s);
}

/* ---- likely farmed, from a summary ---- */

bool
prep_has_farm(const struct prep_summary *s)
{
	return s->has_farm && s->farm_unknown < s->unique_accounts;
}

int64_t
prep_farmed(const struct prep_summary *s, int b, int threshold)
{
	if (!s->has_farm)
		return 0;
	int64_t n = 0;
	for (int k = 0; k < BK__COUNT; k++)
		if (b == BK__COUNT || b == k)
			n += farm_count_at(s->farm[k], threshold);
	return n;
}

int64_t
prep_tweet_farmed(const struct prep_summary *s, size_t i, int threshold, int64_t *farmed)
{
	int64_t n = 0;
	*farmed = 0;
	if (i >= s->ntweets)
		return 0;
	for (int b = 0; b < BK__COUNT; b++)
		n += s->tweets[i].uniq[b];
	if (s->has_farm)
		*farmed = farm_count_at(s->tweets[i].farm, threshold);
	return n;
}

int64_t
prep_views_excl_farm(
    const struct prep_summary *s, const char *tweet_id, int64_t views, int threshold)
{
	int i = prep_summary_tweet(s, tweet_id);
	int64_t farmed, n = i >= 0 ? prep_tweet_farmed(s, (size_t)i, threshold, &farmed) : 0;
	if (n <= 0 || views <= 0)
		return views;
	return (int64_t)((double)views * (double)(n - farmed) / (double)n);
}
