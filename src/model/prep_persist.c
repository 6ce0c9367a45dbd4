/*
 * prep_persist: a state's persisted parts (include/model/prep.h): account
 * chunks and tweet documents encoded and loaded back, and a summary loaded
 * as the starting point of a replay. Model code; one owner thread per state.
 */
#include "model/prep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "prep_internal.h"

/* ---- persistence ---- */

void
prep_chunk_encode(struct prep *p, unsigned k, struct sbuf *b)
{
	size_t n = 0;
	for (size_t i = 0; i < p->naccts; i++)
		n += prep_chunk_of(prep_arena_at(p, p->accts[i].id)) == k;
	bytes_put_uvar(b, CHUNK_MAGIC);
	bytes_put_uvar(b, k);
	bytes_put_uvar(b, n);
	for (size_t i = 0; i < p->naccts; i++) {
		const struct acct *a = &p->accts[i];
		if (prep_chunk_of(prep_arena_at(p, a->id)) != k)
			continue;
		bytes_put_str(b, prep_arena_at(p, a->id), LW_ID_MAX - 1);
		bytes_put_str(b, prep_arena_at(p, a->handle), PREP_HANDLE_MAX);
		bytes_put_svar(b, a->followers);
		bytes_put_svar(b, a->first_at);
		bytes_put_uvar(b, a->best_tweet);
		bytes_put_u8(b, a->best_action);
		bytes_put_u8(b, a->best_imp);
		bytes_put_u8(b, a->best_bucket);
		bytes_put_u8(b, a->verified);
		bytes_put_u8(b, a->has_farm);
		bytes_put_uvar(b, a->farm);
		bytes_put_uvar(b, a->npairs);
		for (uint32_t j = 0; j < a->npairs; j++) {
			bytes_put_uvar(b, a->pairs[j].tweet);
			bytes_put_u8(b, a->pairs[j].action);
			bytes_put_u8(b, a->pairs[j].bucket);
			bytes_put_uvar(b, a->pairs[j].seq);
			bytes_put_uvar(b, a->pairs[j].at_s);
			bytes_put_uvar(b, a->pairs[j].text);
		}
	}
	p->chunk_dirty[k] = false;
}

/* Merges one account read from a chunk into p (its pairs name tweets of p). */
static void
load_account(struct prep *p, const struct prep_account *x)
{
	struct acct *a = prep_acct_find(p, x->user_id, true);
	for (size_t j = 0; j < x->npairs; j++) {
		const struct prep_account_pair *y = &x->pairs[j];
		struct pair *q = prep_pair_find(a, (uint16_t)y->tweet, y->action);
		if (q == NULL)
			q = prep_pair_add(p, a, (uint16_t)y->tweet, y->action, y->bucket, y->seq);
		else if (q->seq > y->seq)
			q->seq = y->seq;
		prep_pair_farm(p, a, q, y->at_s, y->text);
	}
	if (x->best_tweet >= 0 &&
	    prep_better(p, a, x->best_importance, (uint16_t)x->best_tweet, x->best_action)) {
		a->best_tweet = (uint16_t)x->best_tweet;
		a->best_action = x->best_action;
		a->best_imp = x->best_importance;
		a->best_bucket = x->best_bucket;
		a->followers = x->followers;
		a->verified = x->verified;
		a->has_farm = x->has_farm;
		a->farm = x->farm_reasons;
		a->handle = prep_arena_add(p, x->handle);
	}
	if (x->first_at_ms < a->first_at)
		a->first_at = x->first_at_ms;
}

int
prep_load_chunk(struct prep *p, const void *data, size_t len, char **cause)
{
	struct bytes_r r;
	uint64_t n;
	bool v2;
	bool ok = prep_chunk_open(&r, data, len, &n, &v2);
	for (uint64_t i = 0; ok && i < n; i++) {
		struct prep_account x;
		ok = prep_chunk_next(&r, len, v2, &x);
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
	series_encode(b, &t->nsl);
	minutes_encode(b, &t->mins);
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
	if (r.bad || (magic != TWEET_MAGIC && magic != TWEET_MAGIC_V2 && magic != TWEET_MAGIC_V1) ||
	    !id[0] || nextra > len || seqs.prefix < 0)
		return set_cause(cause, "a tweet document of %s is malformed", p->campaign_id);
	seqs.extra = xcalloc(nextra ? nextra : 1, sizeof *seqs.extra);
	for (uint64_t k = 0; k < nextra; k++)
		seqs.extra[seqs.nextra++] = (int64_t)bytes_get_uvar(&r);
	struct series m[PREP_METRICS], nsl = {0};
	struct minutes mins = {0};
	memset(m, 0, sizeof m);
	for (int k = 0; k < PREP_METRICS; k++)
		series_decode(&r, &m[k]);
	if (magic != TWEET_MAGIC_V1)
		series_decode(&r, &nsl);
	else /* written before slices were counted per hour: the hours with data */
		for (int k = 0; k < PREP_METRICS; k++)
			series_mark(&nsl, &m[k]);
	if (magic == TWEET_MAGIC)
		minutes_decode(&r, &mins);
	else /* written before minutes were kept: each hour at its first minute */
		minutes_from_hours(&mins, m);
	minutes_coarsen(&mins);
	int rc = 0;
	if (!bytes_r_done(&r)) {
		rc = set_cause(cause, "a tweet document of %s is malformed", p->campaign_id);
	} else {
		size_t ti = prep_tweet_index(p, id, cat);
		struct tweet *t = &p->tweets[ti];
		if (prep_seqset_count(&t->seqs) == 0) { /* the usual case: a fresh load */
			free(t->seqs.extra);
			t->seqs = seqs;
			seqs.extra = NULL;
			for (int k = 0; k < PREP_METRICS; k++) {
				series_done(&t->m[k]);
				t->m[k] = m[k];
				memset(&m[k], 0, sizeof m[k]);
			}
			series_done(&t->nsl);
			t->nsl = nsl;
			memset(&nsl, 0, sizeof nsl);
			minutes_done(&t->mins);
			t->mins = mins;
			memset(&mins, 0, sizeof mins);
		} else if (prep_seqset_count(&seqs) > 0) {
			rc =
			    set_cause(cause, "tweet %s of %s was loaded twice", id, p->campaign_id);
		}
		t->dirty = false;
	}
	free(seqs.extra);
	for (int k = 0; k < PREP_METRICS; k++)
		series_done(&m[k]);
	series_done(&nsl);
	minutes_done(&mins);
	return rc;
}

int
prep_load_summary(struct prep *p, const struct prep_summary *s, char **cause)
{
	if (p->ntweets || p->naccts)
		return set_cause(cause, "the summary of %s must be loaded first", p->campaign_id);
	for (size_t i = 0; i < s->ntweets; i++) {
		size_t ti = prep_tweet_index(p, s->tweets[i].id, s->tweets[i].category);
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
