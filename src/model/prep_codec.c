/*
 * prep_codec: the binary forms of the change log's items and of the
 * prepared summary, and the summary's canonical digest (include/model/
 * prep.h). Pure; any thread. Every decoder checks bounds and enum ranges and
 * returns nothing on malformed input.
 */
#include "model/prep.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"

#define ITEMS_MAGIC      0x4c574332u /* "LWC2" */
#define ITEMS_MAGIC_V1   0x4c574331u /* "LWC1": records without farm data */
#define SUMMARY_MAGIC    0x4c575335u /* "LWS5" */
#define SUMMARY_MAGIC_V4 0x4c575334u /* "LWS4": the same without farm data */
#define SUMMARY_MAGIC_V3 0x4c575333u /* "LWS3": ... and without the tweets' accounts */
#define SUMMARY_MAGIC_V2 0x4c575332u /* "LWS2": ... and without deltas per minute */
#define SUMMARY_MAGIC_V1 0x4c575331u /* "LWS1": ... and without slices per hour */

/* ---- change-log items ---- */

/* Appends one engagement record. */
static void
put_eng(struct sbuf *b, const struct prep_eng *r)
{
	bytes_put_str(b, r->tweet_id, LW_ID_MAX - 1);
	bytes_put_str(b, r->user_id, LW_ID_MAX - 1);
	bytes_put_u8(b, r->action);
	bytes_put_u8(b, r->bucket);
	bytes_put_u8(b, r->category);
	bytes_put_u8(b, r->importance);
	bytes_put_u8(b, r->verified);
	bytes_put_svar(b, r->followers);
	bytes_put_svar(b, r->at_ms);
	bytes_put_svar(b, r->first_seen_at_ms);
	bytes_put_str(b, r->handle, PREP_HANDLE_MAX);
	bytes_put_str(b, r->name, PREP_NAME_MAX);
	bytes_put_str(b, r->snippet, PREP_SNIPPET_MAX);
	bytes_put_u8(b, r->has_farm); /* since LWC2 */
	bytes_put_uvar(b, r->farm_reasons);
	bytes_put_uvar(b, r->text_hash);
}

void
prep_items_encode(
    struct sbuf *b, const struct prep_eng *e, size_t ne, const struct prep_slice *s, size_t ns)
{
	bytes_put_uvar(b, ITEMS_MAGIC);
	bytes_put_uvar(b, ne);
	for (size_t i = 0; i < ne; i++)
		put_eng(b, &e[i]);
	bytes_put_uvar(b, ns);
	for (size_t i = 0; i < ns; i++) {
		const struct prep_slice *r = &s[i];
		bytes_put_str(b, r->tweet_id, LW_ID_MAX - 1);
		bytes_put_u8(b, r->category);
		bytes_put_svar(b, r->seq);
		bytes_put_svar(b, r->at_ms);
		for (int m = 0; m < PREP_METRICS; m++)
			bytes_put_svar(b, r->d[m]);
	}
}

/* Reads one engagement record (with farm data when farm: LWC2, LWS5);
 * false when it is malformed. */
static bool
get_eng(struct bytes_r *r, struct prep_eng *e, bool farm)
{
	memset(e, 0, sizeof *e);
	bytes_get_strbuf(r, e->tweet_id, sizeof e->tweet_id);
	bytes_get_strbuf(r, e->user_id, sizeof e->user_id);
	e->action = bytes_get_u8(r);
	e->bucket = bytes_get_u8(r);
	e->category = bytes_get_u8(r);
	e->importance = bytes_get_u8(r);
	e->verified = bytes_get_u8(r) != 0;
	e->followers = bytes_get_svar(r);
	e->at_ms = bytes_get_svar(r);
	e->first_seen_at_ms = bytes_get_svar(r);
	e->handle = bytes_get_str(r);
	e->name = bytes_get_str(r);
	e->snippet = bytes_get_str(r);
	if (farm) {
		e->has_farm = bytes_get_u8(r) != 0;
		uint64_t fr = bytes_get_uvar(r), th = bytes_get_uvar(r);
		e->farm_reasons = (uint16_t)(fr & FARM_STATIC_MASK);
		e->text_hash = (uint32_t)th;
		r->bad = r->bad || fr > UINT16_MAX || th > UINT32_MAX;
	}
	return !r->bad && e->tweet_id[0] && e->user_id[0] && e->action < ACT__COUNT &&
	       e->bucket < BK__COUNT && e->category < CAT__COUNT && e->importance <= 100;
}

int
prep_items_decode(const void *p, size_t len, struct prep_eng **eo, size_t *neo,
    struct prep_slice **so, size_t *nso, char **cause)
{
	struct bytes_r r;
	bytes_r_init(&r, p, len);
	*eo = NULL;
	*so = NULL;
	*neo = *nso = 0;
	uint64_t magic = bytes_get_uvar(&r), ne = bytes_get_uvar(&r);
	if (r.bad || (magic != ITEMS_MAGIC && magic != ITEMS_MAGIC_V1) || ne > len)
		return set_cause(cause, "malformed change-log items");
	struct prep_eng *e = xcalloc(ne ? ne : 1, sizeof *e);
	struct prep_slice *s = NULL;
	size_t n = 0;
	bool ok = true;
	while (ok && n < ne) {
		ok = get_eng(&r, &e[n], magic == ITEMS_MAGIC);
		n++;
	}
	uint64_t ns = ok ? bytes_get_uvar(&r) : 0;
	ok = ok && !r.bad && ns <= len;
	if (ok) {
		s = xcalloc(ns ? ns : 1, sizeof *s);
		for (uint64_t i = 0; ok && i < ns; i++) {
			struct prep_slice *x = &s[i];
			bytes_get_strbuf(&r, x->tweet_id, sizeof x->tweet_id);
			x->category = bytes_get_u8(&r);
			x->seq = bytes_get_svar(&r);
			x->at_ms = bytes_get_svar(&r);
			for (int m = 0; m < PREP_METRICS; m++)
				x->d[m] = bytes_get_svar(&r);
			ok = !r.bad && x->tweet_id[0] && x->category < CAT__COUNT && x->seq > 0;
		}
	}
	if (!ok || !bytes_r_done(&r)) {
		for (size_t i = 0; i < n; i++)
			prep_eng_done(&e[i]);
		free(e);
		free(s);
		return set_cause(cause, "malformed change-log items");
	}
	*eo = e;
	*neo = (size_t)ne;
	*so = s;
	*nso = (size_t)ns;
	return 0;
}

/* ---- the summary ---- */

void
prep_summary_done(struct prep_summary *s)
{
	free(s->tweets);
	for (int c = 0; c <= CAT__COUNT; c++)
		for (int m = 0; m < PREP_METRICS; m++)
			series_done(&s->hours[c][m]);
	for (int c = 0; c <= CAT__COUNT; c++)
		minutes_done(&s->mins[c]);
	series_done(&s->slice_hours);
	series_done(&s->eng_hours);
	for (int b = 0; b < BK__COUNT; b++)
		series_done(&s->bucket_hours[b]);
	for (size_t i = 0; i < s->ntop; i++) {
		free(s->top[i].handle);
		free(s->top[i].name);
		free(s->top[i].evidence);
	}
	free(s->top);
	for (size_t i = 0; i < s->nlatest; i++)
		prep_eng_done(&s->latest[i]);
	free(s->latest);
	memset(s, 0, sizeof *s);
}

int
prep_summary_tweet(const struct prep_summary *s, const char *id)
{
	for (size_t i = 0; i < s->ntweets; i++)
		if (strcmp(s->tweets[i].id, id) == 0)
			return (int)i;
	return -1;
}

/* Appends n signed values. */
static void
put_svars(struct sbuf *b, const int64_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		bytes_put_svar(b, v[i]);
}

/* Reads n signed values. */
static void
get_svars(struct bytes_r *r, int64_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		v[i] = bytes_get_svar(r);
}

/* Appends a farm score histogram: its nonzero scores and counts. */
static void
put_hist(struct sbuf *b, const int64_t h[FARM_SCORES])
{
	uint64_t n = 0;
	for (int i = 0; i < FARM_SCORES; i++)
		n += h[i] != 0;
	bytes_put_uvar(b, n);
	for (int i = 0; i < FARM_SCORES; i++)
		if (h[i] != 0) {
			bytes_put_uvar(b, (uint64_t)i);
			bytes_put_svar(b, h[i]);
		}
}

/* Reads a histogram written by put_hist (h zeroed by the caller). */
static void
get_hist(struct bytes_r *r, int64_t h[FARM_SCORES])
{
	uint64_t n = bytes_get_uvar(r);
	if (n > FARM_SCORES)
		r->bad = true;
	for (uint64_t i = 0; i < n && !r->bad; i++) {
		uint64_t at = bytes_get_uvar(r);
		int64_t v = bytes_get_svar(r);
		if (at >= FARM_SCORES)
			r->bad = true;
		else
			h[at] = v;
	}
}

void
prep_summary_encode(struct sbuf *b, const struct prep_summary *s)
{
	bytes_put_uvar(b, SUMMARY_MAGIC);
	bytes_put_str(b, s->campaign_id, sizeof s->campaign_id - 1);
	bytes_put_svar(b, s->seq);
	bytes_put_svar(b, s->at_ms);
	bytes_put_uvar(b, s->ntweets);
	for (size_t i = 0; i < s->ntweets; i++) {
		const struct prep_tweet_sum *t = &s->tweets[i];
		bytes_put_str(b, t->id, LW_ID_MAX - 1);
		bytes_put_u8(b, t->category);
		put_svars(b, t->total, PREP_METRICS);
		put_svars(b, t->eng, ACT__COUNT);
		bytes_put_svar(b, t->slices);
	}
	for (int c = 0; c <= CAT__COUNT; c++) {
		put_svars(b, s->total[c], PREP_METRICS);
		for (int m = 0; m < PREP_METRICS; m++)
			series_encode(b, &s->hours[c][m]);
		minutes_encode(b, &s->mins[c]);
	}
	series_encode(b, &s->slice_hours);
	series_encode(b, &s->eng_hours);
	for (int k = 0; k < BK__COUNT; k++)
		series_encode(b, &s->bucket_hours[k]);
	bytes_put_svar(b, s->engagements);
	put_svars(b, s->eng_action, ACT__COUNT);
	put_svars(b, s->eng_bucket, BK__COUNT);
	bytes_put_svar(b, s->unique_accounts);
	put_svars(b, s->uniq, BK__COUNT);
	for (int a = 0; a < ACT__COUNT; a++)
		put_svars(b, s->uniq_act[a], BK__COUNT);
	bytes_put_uvar(b, s->ntop);
	for (size_t i = 0; i < s->ntop; i++) {
		const struct prep_top *t = &s->top[i];
		bytes_put_str(b, t->user_id, LW_ID_MAX - 1);
		bytes_put_str(b, t->handle, PREP_HANDLE_MAX);
		bytes_put_str(b, t->name, 120);
		bytes_put_str(b, t->evidence, PREP_EVIDENCE_MAX);
		bytes_put_u8(b, t->has_details);
		bytes_put_svar(b, t->followers);
		bytes_put_u8(b, t->verified);
		bytes_put_u8(b, t->bucket);
		bytes_put_u8(b, t->importance);
		put_svars(b, t->actions, ACT__COUNT);
		bytes_put_svar(b, t->ntweets);
		bytes_put_str(b, t->best_tweet, LW_ID_MAX - 1);
		bytes_put_u8(b, t->best_action);
	}
	bytes_put_uvar(b, s->nlatest);
	for (size_t i = 0; i < s->nlatest; i++)
		put_eng(b, &s->latest[i]);
	for (size_t i = 0; i < s->ntweets; i++) { /* since LWS4 */
		put_svars(b, s->tweets[i].uniq, BK__COUNT);
		for (int a = 0; a < ACT__COUNT; a++)
			put_svars(b, s->tweets[i].uniq_act[a], BK__COUNT);
	}
	/* since LWS5: farm scores, sparse */
	bytes_put_u8(b, s->has_farm);
	bytes_put_svar(b, s->farm_unknown);
	for (int k = 0; k < BK__COUNT; k++)
		put_hist(b, s->farm[k]);
	for (size_t i = 0; i < s->ntweets; i++)
		put_hist(b, s->tweets[i].farm);
}

int
prep_summary_decode(const void *p, size_t len, struct prep_summary *out, char **cause)
{
	struct prep_summary s;
	memset(&s, 0, sizeof s);
	memset(out, 0, sizeof *out);
	struct bytes_r r;
	bytes_r_init(&r, p, len);
	uint64_t magic = bytes_get_uvar(&r);
	bytes_get_strbuf(&r, s.campaign_id, sizeof s.campaign_id);
	s.seq = bytes_get_svar(&r);
	s.at_ms = bytes_get_svar(&r);
	uint64_t nt = bytes_get_uvar(&r);
	if (r.bad ||
	    (magic != SUMMARY_MAGIC && magic != SUMMARY_MAGIC_V4 && magic != SUMMARY_MAGIC_V3 &&
	        magic != SUMMARY_MAGIC_V2 && magic != SUMMARY_MAGIC_V1) ||
	    nt > len)
		return set_cause(cause, "malformed prepared summary");
	s.tweets = xcalloc(nt ? nt : 1, sizeof *s.tweets);
	for (uint64_t i = 0; i < nt && !r.bad; i++) {
		struct prep_tweet_sum *t = &s.tweets[s.ntweets++];
		bytes_get_strbuf(&r, t->id, sizeof t->id);
		t->category = bytes_get_u8(&r);
		get_svars(&r, t->total, PREP_METRICS);
		get_svars(&r, t->eng, ACT__COUNT);
		t->slices = bytes_get_svar(&r);
		if (t->category >= CAT__COUNT || !t->id[0])
			r.bad = true;
	}
	for (int c = 0; c <= CAT__COUNT && !r.bad; c++) {
		get_svars(&r, s.total[c], PREP_METRICS);
		for (int m = 0; m < PREP_METRICS; m++)
			series_decode(&r, &s.hours[c][m]);
		if (magic == SUMMARY_MAGIC || magic == SUMMARY_MAGIC_V4 ||
		    magic == SUMMARY_MAGIC_V3)
			minutes_decode(&r, &s.mins[c]);
		else /* written before minutes were kept: each hour at its first minute */
			minutes_from_hours(&s.mins[c], s.hours[c]);
	}
	if (magic != SUMMARY_MAGIC_V1)
		series_decode(&r, &s.slice_hours);
	else /* written before slices were counted per hour: the hours with data */
		for (int m = 0; m < PREP_METRICS; m++)
			series_mark(&s.slice_hours, &s.hours[CAT__COUNT][m]);
	series_decode(&r, &s.eng_hours);
	for (int k = 0; k < BK__COUNT; k++)
		series_decode(&r, &s.bucket_hours[k]);
	s.engagements = bytes_get_svar(&r);
	get_svars(&r, s.eng_action, ACT__COUNT);
	get_svars(&r, s.eng_bucket, BK__COUNT);
	s.unique_accounts = bytes_get_svar(&r);
	get_svars(&r, s.uniq, BK__COUNT);
	for (int a = 0; a < ACT__COUNT; a++)
		get_svars(&r, s.uniq_act[a], BK__COUNT);
	uint64_t ntop = bytes_get_uvar(&r);
	if (!r.bad && ntop <= PREP_TOP_MAX) {
		s.top = xcalloc(ntop ? ntop : 1, sizeof *s.top);
		for (uint64_t i = 0; i < ntop && !r.bad; i++) {
			struct prep_top *t = &s.top[s.ntop++];
			bytes_get_strbuf(&r, t->user_id, sizeof t->user_id);
			t->handle = bytes_get_str(&r);
			t->name = bytes_get_str(&r);
			t->evidence = bytes_get_str(&r);
			t->has_details = bytes_get_u8(&r) != 0;
			t->followers = bytes_get_svar(&r);
			t->verified = bytes_get_u8(&r) != 0;
			t->bucket = bytes_get_u8(&r);
			t->importance = bytes_get_u8(&r);
			get_svars(&r, t->actions, ACT__COUNT);
			t->ntweets = bytes_get_svar(&r);
			bytes_get_strbuf(&r, t->best_tweet, sizeof t->best_tweet);
			t->best_action = bytes_get_u8(&r);
			if (t->bucket >= BK__COUNT || t->best_action >= ACT__COUNT)
				r.bad = true;
		}
	} else {
		r.bad = true;
	}
	uint64_t nl = bytes_get_uvar(&r);
	if (!r.bad && nl <= PREP_LATEST_MAX) {
		s.latest = xcalloc(nl ? nl : 1, sizeof *s.latest);
		for (uint64_t i = 0; i < nl && !r.bad; i++)
			if (!get_eng(&r, &s.latest[s.nlatest++], magic == SUMMARY_MAGIC))
				r.bad = true;
	} else {
		r.bad = true;
	}
	s.tweet_uniq = magic == SUMMARY_MAGIC || magic == SUMMARY_MAGIC_V4;
	for (size_t i = 0; s.tweet_uniq && i < s.ntweets && !r.bad; i++) {
		get_svars(&r, s.tweets[i].uniq, BK__COUNT);
		for (int a = 0; a < ACT__COUNT; a++)
			get_svars(&r, s.tweets[i].uniq_act[a], BK__COUNT);
	}
	if (magic == SUMMARY_MAGIC && !r.bad) {
		s.has_farm = bytes_get_u8(&r) != 0;
		s.farm_unknown = bytes_get_svar(&r);
		for (int k = 0; k < BK__COUNT; k++)
			get_hist(&r, s.farm[k]);
		for (size_t i = 0; i < s.ntweets && !r.bad; i++)
			get_hist(&r, s.tweets[i].farm);
	}
	if (!bytes_r_done(&r)) {
		prep_summary_done(&s);
		return set_cause(cause, "malformed prepared summary");
	}
	*out = s;
	return 0;
}

/* Appends name and the nonzero hours of a series. */
static void
digest_series(struct sbuf *b, const char *name, const struct series *h)
{
	sbuf_printf(b, "%s:", name);
	for (int32_t i = 0; i < h->n; i++)
		if (h->v[i])
			sbuf_printf(b, " %" PRId64 "=%" PRId64, h->base + i, h->v[i]);
	sbuf_addstr(b, "\n");
}

/* Appends name and n values. */
static void
digest_vals(struct sbuf *b, const char *name, const int64_t *v, size_t n)
{
	sbuf_printf(b, "%s:", name);
	for (size_t i = 0; i < n; i++)
		sbuf_printf(b, " %" PRId64, v[i]);
	sbuf_addstr(b, "\n");
}

/* Orders tweet rows by id. */
static int
cmp_tweet_id(const void *a, const void *b)
{
	return strcmp((*(const struct prep_tweet_sum *const *)a)->id,
	    (*(const struct prep_tweet_sum *const *)b)->id);
}

char *
prep_summary_digest(const struct prep_summary *s)
{
	struct sbuf b;
	sbuf_init(&b);
	char name[96];
	/* tweets by id: their order in the summary is the order a state first
	 * saw them, which differs between a live state and a rebuild */
	const struct prep_tweet_sum **tw = xcalloc(s->ntweets ? s->ntweets : 1, sizeof *tw);
	for (size_t i = 0; i < s->ntweets; i++)
		tw[i] = &s->tweets[i];
	qsort(tw, s->ntweets, sizeof *tw, cmp_tweet_id);
	for (size_t i = 0; i < s->ntweets; i++) {
		const struct prep_tweet_sum *t = tw[i];
		snprintf(name, sizeof name, "tweet %s cat %d total", t->id, t->category);
		digest_vals(&b, name, t->total, PREP_METRICS);
		snprintf(name, sizeof name, "tweet %s eng", t->id);
		digest_vals(&b, name, t->eng, ACT__COUNT);
		sbuf_printf(&b, "tweet %s slices: %" PRId64 "\n", t->id, t->slices);
		snprintf(name, sizeof name, "tweet %s uniq", t->id);
		digest_vals(&b, name, t->uniq, BK__COUNT);
		for (int a = 0; a < ACT__COUNT; a++) {
			snprintf(name, sizeof name, "tweet %s uniq_act[%d]", t->id, a);
			digest_vals(&b, name, t->uniq_act[a], BK__COUNT);
		}
		snprintf(name, sizeof name, "tweet %s farm", t->id);
		digest_vals(&b, name, t->farm, FARM_SCORES);
	}
	free(tw);
	for (int c = 0; c <= CAT__COUNT; c++) {
		snprintf(name, sizeof name, "total[%d]", c);
		digest_vals(&b, name, s->total[c], PREP_METRICS);
		for (int m = 0; m < PREP_METRICS; m++) {
			snprintf(name, sizeof name, "hours[%d][%d]", c, m);
			digest_series(&b, name, &s->hours[c][m]);
		}
		sbuf_printf(&b, "mins[%d]:", c);
		for (size_t i = 0; i < s->mins[c].n; i++) {
			const struct minute_row *w = &s->mins[c].r[i];
			sbuf_printf(&b, " %" PRId64 "=", w->min);
			for (int m = 0; m < PREP_METRICS; m++)
				sbuf_printf(&b, "%s%" PRId64, m ? "," : "", w->d[m]);
		}
		sbuf_addstr(&b, "\n");
	}
	digest_series(&b, "slice_hours", &s->slice_hours);
	digest_series(&b, "eng_hours", &s->eng_hours);
	for (int k = 0; k < BK__COUNT; k++) {
		snprintf(name, sizeof name, "bucket_hours[%s]", bucket_name((enum lw_bucket)k));
		digest_series(&b, name, &s->bucket_hours[k]);
	}
	sbuf_printf(&b, "engagements: %" PRId64 "\n", s->engagements);
	digest_vals(&b, "eng_action", s->eng_action, ACT__COUNT);
	digest_vals(&b, "eng_bucket", s->eng_bucket, BK__COUNT);
	sbuf_printf(&b, "unique_accounts: %" PRId64 "\n", s->unique_accounts);
	digest_vals(&b, "uniq", s->uniq, BK__COUNT);
	for (int a = 0; a < ACT__COUNT; a++) {
		snprintf(name, sizeof name, "uniq_act[%s]", action_name((enum lw_action)a));
		digest_vals(&b, name, s->uniq_act[a], BK__COUNT);
	}
	sbuf_printf(&b, "farm: %d unknown %" PRId64 "\n", s->has_farm, s->farm_unknown);
	for (int k = 0; k < BK__COUNT; k++) {
		snprintf(name, sizeof name, "farm[%s]", bucket_name((enum lw_bucket)k));
		digest_vals(&b, name, s->farm[k], FARM_SCORES);
	}
	for (size_t i = 0; i < s->ntop; i++) {
		const struct prep_top *t = &s->top[i];
		sbuf_printf(&b,
		    "top %zu: %s @%s %s followers %" PRId64 " verified %d imp %d tweets %" PRId64
		    " best %s:%d actions %" PRId64 " %" PRId64 " %" PRId64 "\n",
		    i, t->user_id, t->handle, bucket_name((enum lw_bucket)t->bucket), t->followers,
		    t->verified, t->importance, t->ntweets, t->best_tweet, t->best_action,
		    t->actions[0], t->actions[1], t->actions[2]);
	}
	for (size_t i = 0; i < s->nlatest; i++) {
		const struct prep_eng *e = &s->latest[i];
		sbuf_printf(&b, "latest %zu: %s %s %d at %" PRId64 " seen %" PRId64 "\n", i,
		    e->tweet_id, e->user_id, e->action, e->at_ms, e->first_seen_at_ms);
	}
	return sbuf_take(&b);
}
