/*
 * Unit tests of the prepared aggregates (model/prep, model/series,
 * base/bytes): the binary forms round-trip and refuse malformed input; a
 * state built from the change log equals one built in any other order, one
 * rebuilt from the stored events, and one reloaded from persisted parts
 * written at different seqs and replayed (the crash protocol); its account
 * rules are those of the raw-row report (rep_raw.c, report_build's before
 * the prepared aggregates).
 */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "model/prep.h"
#include "model/report.h"
#include "model/series.h"
#include "rep_raw.h"
#include "testutil.h"

/* A small deterministic generator. */
static uint64_t rng_state;
static uint64_t
rng(void)
{
	return tu_rand(&rng_state);
}

START_TEST(test_bytes_round_trip_and_truncation)
{
	struct sbuf b;
	sbuf_init(&b);
	static const int64_t sv[] = {0, 1, -1, 63, -64, 64, INT64_MAX, INT64_MIN, 1765000000000LL};
	for (size_t i = 0; i < sizeof sv / sizeof sv[0]; i++)
		bytes_put_svar(&b, sv[i]);
	bytes_put_uvar(&b, UINT64_MAX);
	bytes_put_u8(&b, 7);
	bytes_put_str(&b, "h\xc3\xa9llo", 2); /* cut before the two-byte sequence */
	bytes_put_str(&b, NULL, 10);
	bytes_put_str(&b, "abc", 10);
	struct bytes_r r;
	bytes_r_init(&r, b.s, b.len);
	for (size_t i = 0; i < sizeof sv / sizeof sv[0]; i++)
		ck_assert_int_eq(bytes_get_svar(&r), sv[i]);
	ck_assert(bytes_get_uvar(&r) == UINT64_MAX);
	ck_assert_int_eq(bytes_get_u8(&r), 7);
	char *s = bytes_get_str(&r);
	ck_assert_str_eq(s, "h");
	free(s);
	s = bytes_get_str(&r);
	ck_assert_str_eq(s, "");
	free(s);
	char small[3];
	bytes_get_strbuf(&r, small, sizeof small);
	ck_assert_str_eq(small, "ab");
	ck_assert(bytes_r_done(&r));
	/* every truncation is refused without reading past the end */
	for (size_t len = 0; len < b.len; len++) {
		bytes_r_init(&r, b.s, len);
		for (int i = 0; i < 16; i++)
			(void)bytes_get_svar(&r);
		s = bytes_get_str(&r);
		free(s);
		ck_assert(!bytes_r_done(&r));
	}
	sbuf_done(&b);
}
END_TEST

START_TEST(test_series_encode_and_views)
{
	struct series s = {0}, t = {0};
	series_add(&s, 100, 5);
	series_add(&s, 98, 2);
	series_add(&s, 103, -1);
	series_add(&s, 101, 0);
	ck_assert_int_eq(series_total(&s), 6);
	ck_assert_int_eq(series_sum(&s, 99 * SERIES_HOUR_MS, 101 * SERIES_HOUR_MS), 5);
	struct sbuf b;
	sbuf_init(&b);
	series_encode(&b, &s);
	struct bytes_r r;
	bytes_r_init(&r, b.s, b.len);
	series_decode(&r, &t);
	ck_assert(bytes_r_done(&r));
	ck_assert(series_equal(&s, &t));
	double out[8];
	int64_t first;
	size_t n = series_out(&s, false, true, 103 * SERIES_HOUR_MS, out, 4, &first);
	ck_assert_uint_eq(n, 4); /* hours 100..103, with hour 98 counted before */
	ck_assert_int_eq(first, 100 * SERIES_HOUR_MS);
	ck_assert(out[0] == 7 && out[1] == 7 && out[2] == 7 && out[3] == 6);
	series_add(&t, 98, -2);
	ck_assert(!series_equal(&s, &t));
	series_done(&s);
	series_done(&t);
	sbuf_done(&b);
}
END_TEST

#define NT 9   /* tweets */
#define NU 150 /* accounts */

static const char *
tweet_of(int i)
{
	static char ids[NT][24];
	snprintf(ids[i], sizeof ids[i], "18611111111111111%02d", i * 7 % 100);
	return ids[i];
}

/* One generated change-log entry. */
struct entry {
	struct prep_eng *e;
	size_t ne;
	struct prep_slice *s;
	size_t ns;
};

/* Generates a campaign's worth of entries: engagements (some accounts on
 * many tweets, profiles that change between engagements) and slices. */
static struct entry *
gen(size_t *n_out, uint64_t seed)
{
	rng_state = seed;
	size_t n = 60;
	struct entry *v = calloc(n, sizeof *v);
	int64_t t0 = 1765000000000LL, sliceseq[NT] = {0};
	bool used[NT][NU][ACT__COUNT];
	memset(used, 0, sizeof used);
	for (size_t k = 0; k < n; k++) {
		struct entry *x = &v[k];
		x->e = calloc(30, sizeof *x->e);
		x->s = calloc(NT, sizeof *x->s);
		int tw = (int)(rng() % NT), act = (int)(rng() % ACT__COUNT);
		for (int i = 0; i < 30; i++) {
			int u = (int)(rng() % NU);
			if (used[tw][u][act])
				continue;
			used[tw][u][act] = true;
			struct prep_eng *r = &x->e[x->ne++];
			snprintf(r->tweet_id, sizeof r->tweet_id, "%.23s", tweet_of(tw));
			snprintf(r->user_id, sizeof r->user_id, "%d", 900000 + u);
			r->action = (uint8_t)act;
			r->bucket = (uint8_t)(rng() % BK__COUNT);
			r->category = (uint8_t)(tw % CAT__COUNT);
			r->importance = (uint8_t)(rng() % 4 * 25); /* many ties */
			r->verified = rng() % 2;
			r->followers = (int64_t)(rng() % 3) * 1000;
			r->at_ms = t0 + (int64_t)(rng() % (48 * 3600)) * 1000;
			r->first_seen_at_ms = r->at_ms + 5000;
			r->handle = malloc(16);
			snprintf(r->handle, 16, "user%d", u % 40); /* shared handles: ties */
			r->name = strdup("Some Name");
			r->snippet = strdup(act == ACT_RETWEET ? "" : "congrats");
		}
		for (int t = 0; t < NT; t++)
			if (rng() % 3 == 0) {
				struct prep_slice *s = &x->s[x->ns++];
				snprintf(s->tweet_id, sizeof s->tweet_id, "%.23s", tweet_of(t));
				s->category = (uint8_t)(t % CAT__COUNT);
				s->seq = ++sliceseq[t];
				s->at_ms = t0 + (int64_t)k * 600000;
				for (int m = 0; m < PREP_METRICS; m++)
					s->d[m] = (int64_t)(rng() % 500) - 20;
			}
	}
	*n_out = n;
	return v;
}

static void
gen_free(struct entry *v, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		for (size_t i = 0; i < v[k].ne; i++)
			prep_eng_done(&v[k].e[i]);
		free(v[k].e);
		free(v[k].s);
	}
	free(v);
}

/* Applies entries [from, to) with their seqs (index + 1). */
static void
apply_range(struct prep *p, const struct entry *v, size_t from, size_t to)
{
	for (size_t k = from; k < to; k++) {
		for (size_t i = 0; i < v[k].ne; i++)
			prep_apply_eng(p, &v[k].e[i], k + 1);
		for (size_t i = 0; i < v[k].ns; i++)
			prep_apply_slice(p, &v[k].s[i]);
		prep_set_seq(p, k + 1);
	}
}

/* Returns the digest of p's summary (caller frees). */
static char *
digest(struct prep *p)
{
	struct prep_summary s;
	prep_summary_build(p, 0, &s);
	char *d = prep_summary_digest(&s);
	prep_summary_done(&s);
	return d;
}

/* Fails with the first line where two digests differ. */
static void
same_digest(const char *got, const char *want)
{
	tu_same_text("digests", got, want);
}

START_TEST(test_order_independent_and_idempotent)
{
	size_t n;
	struct entry *v = gen(&n, 0x1234567 + (uint64_t)_i);
	struct prep *live = prep_new("c1");
	apply_range(live, v, 0, n);
	char *want = digest(live);

	/* a rebuild: every record once, in a shuffled order, seq 0 */
	size_t total = 0;
	for (size_t k = 0; k < n; k++)
		total += v[k].ne;
	const struct prep_eng **all = calloc(total, sizeof *all);
	size_t m = 0;
	for (size_t k = 0; k < n; k++)
		for (size_t i = 0; i < v[k].ne; i++)
			all[m++] = &v[k].e[i];
	for (size_t i = m; i > 1; i--) {
		size_t j = rng() % i;
		const struct prep_eng *t = all[i - 1];
		all[i - 1] = all[j];
		all[j] = t;
	}
	struct prep *re = prep_new("c1");
	for (size_t k = n; k-- > 0;)
		for (size_t i = 0; i < v[k].ns; i++)
			prep_apply_slice(re, &v[k].s[i]);
	for (size_t i = 0; i < m; i++)
		ck_assert(prep_apply_eng(re, all[i], 0));
	prep_set_seq(re, n);
	char *got = digest(re);
	same_digest(got, want);
	free(got);

	/* replays and duplicated (recovered) entries change nothing */
	apply_range(live, v, n / 3, n);
	for (size_t i = 0; i < m; i++)
		ck_assert(!prep_apply_eng(re, all[i], n + 1));
	got = digest(live);
	same_digest(got, want);
	free(got);
	got = digest(re);
	same_digest(got, want);
	free(got);
	size_t accounts, engagements;
	prep_counts(live, &accounts, &engagements);
	ck_assert_uint_eq(engagements, m);
	free(all);
	free(want);
	prep_free(live);
	prep_free(re);
	gen_free(v, n);
}
END_TEST

/* A persisted part and the seq it was written at. */
struct part {
	struct sbuf b;
	size_t seq;
	bool is_summary, is_tweet, written;
};

START_TEST(test_crash_replay_equals_live)
{
	size_t n;
	struct entry *v = gen(&n, 0xabcdef + (uint64_t)_i);
	struct prep *live = prep_new("c1");
	struct part sum = {0}, tweets[NT + 1], chunks[PREP_CHUNKS];
	memset(tweets, 0, sizeof tweets);
	memset(chunks, 0, sizeof chunks);
	size_t crash = n / 2 + rng() % (n / 2);
	/* checkpoints at random moments; each writes a random subset of the
	 * dirty parts, as a checkpoint that a kill interrupted would */
	for (size_t k = 0; k < crash; k++) {
		apply_range(live, v, k, k + 1);
		if (rng() % 4)
			continue;
		if (rng() % 2) {
			struct prep_summary s;
			prep_summary_build(live, 0, &s);
			sbuf_done(&sum.b);
			sbuf_init(&sum.b);
			prep_summary_encode(&sum.b, &s);
			sum.seq = k + 1;
			sum.written = true;
			prep_summary_done(&s);
		}
		if (!sum.written)
			continue; /* the summary always goes first */
		for (size_t t = 0; t < prep_ntweets(live) && t <= NT; t++)
			if (prep_tweet_dirty(live, t) && rng() % 2) {
				sbuf_done(&tweets[t].b);
				sbuf_init(&tweets[t].b);
				prep_tweet_encode(live, t, &tweets[t].b);
				tweets[t].seq = k + 1;
				tweets[t].written = true;
			}
		for (unsigned c = 0; c < PREP_CHUNKS; c++)
			if (prep_chunk_dirty(live, c) && rng() % 2 && sum.seq == k + 1) {
				sbuf_done(&chunks[c].b);
				sbuf_init(&chunks[c].b);
				prep_chunk_encode(live, c, &chunks[c].b);
				chunks[c].seq = k + 1;
				chunks[c].written = true;
			}
	}
	/* the kill: reload what was persisted and replay from the oldest part */
	struct prep *back = prep_new("c1");
	size_t from = 0;
	char *cause = NULL;
	if (sum.written) {
		struct prep_summary s;
		ck_assert_msg(
		    prep_summary_decode(sum.b.s, sum.b.len, &s, &cause) == 0, "%s", cause);
		ck_assert_int_eq(prep_load_summary(back, &s, &cause), 0);
		prep_summary_done(&s);
		from = sum.seq;
		for (size_t t = 0; t <= NT; t++)
			if (tweets[t].written) {
				ck_assert_msg(prep_load_tweet(back, tweets[t].b.s, tweets[t].b.len,
				                  &cause) == 0,
				    "%s", cause);
				from = tweets[t].seq < from ? tweets[t].seq : from;
			}
		/* a part never written is older than everything: replay all */
		for (size_t t = 0; t < prep_ntweets(back); t++)
			if (!tweets[t].written)
				from = 0;
		for (unsigned c = 0; c < PREP_CHUNKS; c++) {
			if (chunks[c].written) {
				ck_assert_msg(prep_load_chunk(back, chunks[c].b.s, chunks[c].b.len,
				                  &cause) == 0,
				    "%s", cause);
				from = chunks[c].seq < from ? chunks[c].seq : from;
			} else {
				from = 0;
			}
		}
	}
	apply_range(back, v, from, n);
	apply_range(live, v, crash, n);
	char *want = digest(live), *got = digest(back);
	same_digest(got, want);
	free(want);
	free(got);
	sbuf_done(&sum.b);
	for (size_t t = 0; t <= NT; t++)
		sbuf_done(&tweets[t].b);
	for (unsigned c = 0; c < PREP_CHUNKS; c++)
		sbuf_done(&chunks[c].b);
	prep_free(live);
	prep_free(back);
	gen_free(v, n);
}
END_TEST

/* Asserts the per-tweet unique accounts of s equal a brute-force count
 * over the records of v[0..n): each account once per tweet (and once per
 * action on it), in the bucket of its best engagement (most important,
 * then smallest tweet id, then smallest action). */
static void
check_tweet_uniq(const struct entry *v, size_t n, const struct prep_summary *s)
{
	const struct prep_eng **all = NULL;
	size_t na = 0;
	for (size_t k = 0; k < n; k++)
		for (size_t i = 0; i < v[k].ne; i++) {
			all = xreallocarray(all, na + 1, sizeof *all);
			all[na++] = &v[k].e[i];
		}
	ck_assert(s->tweet_uniq);
	for (size_t t = 0; t < s->ntweets; t++) {
		const struct prep_tweet_sum *ts = &s->tweets[t];
		int64_t want[BK__COUNT] = {0}, want_act[ACT__COUNT][BK__COUNT] = {{0}};
		for (size_t i = 0; i < na; i++) {
			const struct prep_eng *e = all[i];
			if (strcmp(e->tweet_id, ts->id) != 0)
				continue;
			bool first_user = true, first_pair = true; /* the first record of each */
			for (size_t j = 0; j < i; j++)
				if (strcmp(all[j]->user_id, e->user_id) == 0 &&
				    strcmp(all[j]->tweet_id, ts->id) == 0) {
					first_user = false;
					first_pair = first_pair && all[j]->action != e->action;
				}
			const struct prep_eng *best = NULL;
			for (size_t j = 0; j < na; j++) {
				const struct prep_eng *o = all[j];
				if (strcmp(o->user_id, e->user_id) != 0)
					continue;
				int c = best == NULL ? -1
				        : o->importance != best->importance
				            ? (o->importance > best->importance ? -1 : 1)
				        : strcmp(o->tweet_id, best->tweet_id) != 0
				            ? strcmp(o->tweet_id, best->tweet_id)
				            : (int)o->action - (int)best->action;
				if (c < 0)
					best = o;
			}
			if (first_user)
				want[best->bucket]++;
			if (first_pair)
				want_act[e->action][best->bucket]++;
		}
		for (int b = 0; b < BK__COUNT; b++) {
			ck_assert_int_eq(ts->uniq[b], want[b]);
			for (int a = 0; a < ACT__COUNT; a++)
				ck_assert_int_eq(ts->uniq_act[a][b], want_act[a][b]);
		}
	}
	free(all);
}

START_TEST(test_same_rules_as_report)
{
	size_t n;
	struct entry *v = gen(&n, 0x5151);
	struct prep *p = prep_new("c1");
	apply_range(p, v, 0, n);
	struct raw_input x;
	memset(&x, 0, sizeof x);
	struct rep_input *in = &x.in;
	snprintf(in->campaign_id, sizeof in->campaign_id, "c1");
	in->name = strdup("c");
	in->client = strdup("");
	in->tweets = calloc(NT, sizeof *in->tweets);
	for (int t = 0; t < NT; t++) {
		struct rep_in_tweet *w = &in->tweets[in->ntweets++];
		snprintf(w->tweet_id, sizeof w->tweet_id, "%.23s", tweet_of(t));
		w->category = (enum tweet_category)(t % CAT__COUNT);
		w->url = strdup("");
		w->author = strdup("");
	}
	for (size_t k = 0; k < n; k++)
		for (size_t i = 0; i < v[k].ne; i++) {
			const struct prep_eng *r = &v[k].e[i];
			struct raw_eng w = {0};
			snprintf(w.tweet_id, sizeof w.tweet_id, "%s", r->tweet_id);
			snprintf(w.user_id, sizeof w.user_id, "%s", r->user_id);
			w.action = (enum lw_action)r->action;
			w.handle = r->handle;
			w.name = r->name;
			w.evidence = (char *)"";
			w.followers = r->followers;
			w.verified = r->verified;
			w.bucket = (enum lw_bucket)r->bucket;
			w.importance = r->importance;
			w.first_seen_at_ms = r->first_seen_at_ms;
			w.created_at_ms = r->at_ms;
			raw_add_eng(&x, &w);
		}
	struct report rep;
	raw_report_build(&x, INT64_MAX, 0, PREP_TOP_MAX, &rep);
	struct prep_summary s;
	prep_summary_build(p, 0, &s);
	ck_assert_int_eq(s.unique_accounts, rep.unique_accounts);
	ck_assert_int_eq(s.engagements, rep.engagements);
	for (int b = 0; b < BK__COUNT; b++) {
		ck_assert_int_eq(s.uniq[b], rep.bucket_accounts[b]);
		ck_assert_int_eq(s.eng_bucket[b], rep.bucket_engagements[b]);
	}
	for (int a = 0; a < ACT__COUNT; a++)
		ck_assert_int_eq(s.eng_action[a], rep.engagements_by_action[a]);
	check_tweet_uniq(v, n, &s);
	ck_assert_uint_eq(s.ntop, rep.ntop);
	for (size_t i = 0; i < s.ntop; i++) {
		ck_assert_str_eq(s.top[i].user_id, rep.top[i].user_id);
		ck_assert_int_eq(s.top[i].importance, rep.top[i].importance);
		ck_assert_int_eq(s.top[i].followers, rep.top[i].followers);
		ck_assert_int_eq(s.top[i].bucket, rep.top[i].bucket);
		ck_assert_int_eq(s.top[i].ntweets, rep.top[i].ntweets);
		for (int a = 0; a < ACT__COUNT; a++)
			ck_assert_int_eq(s.top[i].actions[a], rep.top[i].actions[a]);
	}
	prep_summary_done(&s);
	report_done(&rep);
	raw_input_done(&x);
	prep_free(p);
	gen_free(v, n);
}
END_TEST

START_TEST(test_codecs_round_trip_and_refuse_garbage)
{
	size_t n;
	struct entry *v = gen(&n, 0x77);
	struct sbuf b;
	sbuf_init(&b);
	prep_items_encode(&b, v[3].e, v[3].ne, v[3].s, v[3].ns);
	struct prep_eng *e;
	struct prep_slice *s;
	size_t ne, ns;
	char *cause = NULL;
	ck_assert_msg(prep_items_decode(b.s, b.len, &e, &ne, &s, &ns, &cause) == 0, "%s", cause);
	ck_assert_uint_eq(ne, v[3].ne);
	ck_assert_uint_eq(ns, v[3].ns);
	for (size_t i = 0; i < ne; i++) {
		ck_assert_str_eq(e[i].user_id, v[3].e[i].user_id);
		ck_assert_str_eq(e[i].handle, v[3].e[i].handle);
		ck_assert_int_eq(e[i].at_ms, v[3].e[i].at_ms);
		ck_assert_int_eq(e[i].followers, v[3].e[i].followers);
		prep_eng_done(&e[i]);
	}
	for (size_t i = 0; i < ns; i++)
		ck_assert(memcmp(&s[i], &v[3].s[i], sizeof s[i]) == 0);
	free(e);
	free(s);
	for (size_t len = 0; len < b.len; len++) {
		ck_assert_int_eq(prep_items_decode(b.s, len, &e, &ne, &s, &ns, &cause), -1);
		free(cause);
		cause = NULL;
	}
	sbuf_done(&b);

	struct prep *p = prep_new("c1");
	apply_range(p, v, 0, n);
	struct prep_summary sum, back;
	prep_summary_build(p, 42, &sum);
	sbuf_init(&b);
	prep_summary_encode(&b, &sum);
	ck_assert_msg(prep_summary_decode(b.s, b.len, &back, &cause) == 0, "%s", cause);
	char *d1 = prep_summary_digest(&sum), *d2 = prep_summary_digest(&back);
	ck_assert_str_eq(d1, d2);
	ck_assert_int_eq(back.seq, (int64_t)n);
	/* the newest engagements, newest first, as many as the summary keeps */
	ck_assert_uint_eq(back.nlatest, PREP_LATEST_MAX);
	for (size_t i = 1; i < back.nlatest; i++)
		ck_assert_int_lt(prep_eng_newer(&back.latest[i - 1], &back.latest[i]), 0);
	free(d1);
	free(d2);
	prep_summary_done(&back);
	ck_assert(sum.tweet_uniq && sum.ntweets > 0 && sum.has_farm);
	/* summaries of older releases still read: "LWS4" (no farm data at its
	 * end: this one has no newest engagements, whose records changed too,
	 * and zero farm counts, so its farm tail is 2 + BK__COUNT + ntweets zero
	 * bytes) says it has no farm data */
	struct prep_eng *keep_latest = sum.latest;
	size_t keep_nlatest = sum.nlatest;
	int64_t keep_farm[BK__COUNT][FARM_SCORES];
	memcpy(keep_farm, sum.farm, sizeof keep_farm);
	int64_t *keep_tfarm = xcalloc(sum.ntweets, sizeof sum.tweets[0].farm);
	for (size_t i = 0; i < sum.ntweets; i++) {
		memcpy(keep_tfarm + i * FARM_SCORES, sum.tweets[i].farm, sizeof sum.tweets[i].farm);
		memset(sum.tweets[i].farm, 0, sizeof sum.tweets[i].farm);
	}
	memset(sum.farm, 0, sizeof sum.farm);
	int64_t keep_unknown = sum.farm_unknown;
	sum.farm_unknown = 0;
	sum.latest = NULL;
	sum.nlatest = 0;
	sbuf_done(&b);
	sbuf_init(&b);
	prep_summary_encode(&b, &sum);
	size_t farm_tail = 2 + BK__COUNT + sum.ntweets;
	for (size_t i = b.len - farm_tail + 1; i < b.len; i++)
		ck_assert_int_eq(b.s[i], 0);
	ck_assert_uint_eq((unsigned char)b.s[0], 0x80 | ('5' & 0x7f)); /* "LWS5", low bits first */
	b.s[0] = (char)(0x80 | '4');
	b.len -= farm_tail;
	ck_assert_msg(prep_summary_decode(b.s, b.len, &back, &cause) == 0, "%s", cause);
	ck_assert(!back.has_farm && back.tweet_uniq);
	ck_assert_int_eq(back.unique_accounts, sum.unique_accounts);
	prep_summary_done(&back);
	sum.latest = keep_latest;
	sum.nlatest = keep_nlatest;
	memcpy(sum.farm, keep_farm, sizeof keep_farm);
	for (size_t i = 0; i < sum.ntweets; i++)
		memcpy(sum.tweets[i].farm, keep_tfarm + i * FARM_SCORES, sizeof sum.tweets[i].farm);
	free(keep_tfarm);
	sum.farm_unknown = keep_unknown;
	/* ... and "LWS3" (no per-tweet accounts either) says it has none */
	struct sbuf tail;
	sbuf_init(&tail);
	for (size_t i = 0; i < sum.ntweets; i++)
		for (int k = 0; k < BK__COUNT * (1 + ACT__COUNT); k++)
			bytes_put_svar(
			    &tail, k < BK__COUNT
			               ? sum.tweets[i].uniq[k]
			               : sum.tweets[i].uniq_act[k / BK__COUNT - 1][k % BK__COUNT]);
	ck_assert_uint_gt(b.len, tail.len);
	ck_assert(memcmp(b.s + b.len - tail.len, tail.s, tail.len) == 0);
	char *v2 = xmalloc(b.len);
	memcpy(v2, b.s, b.len - tail.len);
	v2[0] = (char)(0x80 | '3');
	ck_assert_msg(prep_summary_decode(v2, b.len - tail.len, &back, &cause) == 0, "%s", cause);
	ck_assert(!back.tweet_uniq);
	ck_assert_int_eq(back.unique_accounts, sum.unique_accounts);
	ck_assert_int_eq(back.tweets[0].uniq[0] + back.tweets[0].uniq[1], 0);
	prep_summary_done(&back);
	free(v2);
	sbuf_done(&tail);
	sbuf_done(&b);
	sbuf_init(&b);
	prep_summary_encode(&b, &sum);
	for (size_t len = 0; len < b.len; len += 1 + len / 8) {
		ck_assert_int_eq(prep_summary_decode(b.s, len, &back, &cause), -1);
		free(cause);
		cause = NULL;
	}
	/* details of top engagers: missing until the engine sets them */
	const char **users, **tweets;
	const uint8_t *acts;
	size_t miss = prep_details_missing(p, &users, &tweets, &acts);
	ck_assert_uint_eq(miss, sum.ntop);
	prep_set_details(p, users[0], "Real \x1b[31mName", "bio: vc");
	char *first = strdup(users[0]);
	prep_summary_done(&sum);
	prep_summary_build(p, 43, &sum);
	ck_assert_str_eq(sum.top[0].user_id, first);
	ck_assert(sum.top[0].has_details);
	ck_assert_ptr_null(strchr(sum.top[0].name, '\x1b'));
	ck_assert_str_eq(sum.top[0].evidence, "bio: vc");
	ck_assert_uint_eq(prep_details_missing(p, &users, &tweets, &acts), sum.ntop - 1);
	free(first);
	prep_summary_done(&sum);
	sbuf_done(&b);
	prep_free(p);
	gen_free(v, n);
}
END_TEST

/* One account read out of its chunk has the pairs, best engagement and
 * first time the state holds; a tweet's own series equals what its slices
 * added. */
START_TEST(test_chunk_find_and_tweet_series)
{
	size_t n;
	struct entry *v = gen(&n, 0x99);
	struct prep *p = prep_new("c1");
	apply_range(p, v, 0, n);
	struct prep_summary sum;
	prep_summary_build(p, 42, &sum);
	/* the most active account, counted from the entries */
	int pairs[NU] = {0};
	for (size_t k = 0; k < n; k++)
		for (size_t i = 0; i < v[k].ne; i++)
			pairs[atoi(v[k].e[i].user_id) - 900000]++;
	int u = 0;
	for (int i = 1; i < NU; i++)
		if (pairs[i] > pairs[u])
			u = i;
	char uid[16];
	snprintf(uid, sizeof uid, "%d", 900000 + u);
	struct sbuf b;
	sbuf_init(&b);
	prep_chunk_encode(p, prep_chunk_of(uid), &b);
	struct prep_account a;
	char *cause = NULL;
	ck_assert_int_eq(prep_chunk_find(b.s, b.len, uid, &a, &cause), 0);
	ck_assert_str_eq(a.user_id, uid);
	ck_assert_uint_eq(a.npairs, (size_t)pairs[u]);
	int best_imp = -1;
	int64_t first = INT64_MAX;
	for (size_t k = 0; k < n; k++)
		for (size_t i = 0; i < v[k].ne; i++) {
			const struct prep_eng *e = &v[k].e[i];
			if (strcmp(e->user_id, uid) != 0)
				continue;
			best_imp = e->importance > best_imp ? e->importance : best_imp;
			first = e->at_ms < first ? e->at_ms : first;
			bool listed = false; /* the pair is there, naming the summary's tweet */
			for (size_t j = 0; j < a.npairs; j++)
				listed |=
				    a.pairs[j].action == e->action &&
				    strcmp(sum.tweets[a.pairs[j].tweet].id, e->tweet_id) == 0 &&
				    a.pairs[j].seq == k + 1;
			ck_assert_msg(
			    listed, "pair %s/%d of %s missing", e->tweet_id, e->action, uid);
		}
	ck_assert_int_eq(a.best_importance, best_imp);
	ck_assert_int_eq(a.first_at_ms, first);
	ck_assert_int_ge(a.best_tweet, 0);
	prep_account_done(&a);
	ck_assert_int_eq(prep_chunk_find(b.s, b.len, "123", &a, &cause), 1);
	for (size_t len = 0; len < b.len; len += 1 + len / 4) {
		int rc = prep_chunk_find(b.s, len, uid, &a, &cause);
		ck_assert_int_ne(rc, 1); /* a cut chunk is malformed, never "absent" */
		if (rc == 0)
			prep_account_done(&a); /* the account came before the cut */
		free(cause);
		cause = NULL;
	}
	sbuf_done(&b);
	/* each tweet's series adds up to the summary's totals */
	for (size_t i = 0; i < prep_ntweets(p); i++) {
		const struct series *m = prep_tweet_series(p, i);
		ck_assert_ptr_nonnull(m);
		for (int k = 0; k < PREP_METRICS; k++)
			ck_assert_int_eq(series_total(&m[k]), sum.tweets[i].total[k]);
	}
	ck_assert_ptr_null(prep_tweet_series(p, prep_ntweets(p)));
	prep_summary_done(&sum);
	prep_free(p);
	gen_free(v, n);
}
END_TEST

/* Each tweet's minutes hold its slices' deltas at their minute, sum per
 * category into the summary's, and add up to the totals at every
 * resolution; a tweet document stored before minutes were kept ("LWT2")
 * is read with each hour's deltas at its first minute, and written again
 * in the current form. */
START_TEST(test_minutes_of_tweets_and_old_documents)
{
	size_t n;
	struct entry *v = gen(&n, 0x4242);
	struct prep *p = prep_new("c1");
	apply_range(p, v, 0, n);
	struct prep_summary sum;
	prep_summary_build(p, 42, &sum);
	int64_t want[CAT__COUNT + 1][PREP_METRICS];
	memset(want, 0, sizeof want);
	for (size_t i = 0; i < prep_ntweets(p); i++) {
		const struct minutes *mm = prep_tweet_minutes(p, i);
		ck_assert_ptr_nonnull(mm);
		for (int k = 0; k < PREP_METRICS; k++) {
			ck_assert_int_eq(minutes_total(mm, k), sum.tweets[i].total[k]);
			want[sum.tweets[i].category][k] += sum.tweets[i].total[k];
			want[CAT__COUNT][k] += sum.tweets[i].total[k];
		}
	}
	double out[2000];
	for (int c = 0; c <= CAT__COUNT; c++)
		for (int k = 0; k < PREP_METRICS; k++) {
			ck_assert_int_eq(want[c][k], sum.total[c][k]);
			for (int r = RES_1M; r < RES__COUNT; r++) {
				size_t got = minutes_out(&sum.mins[c], k, res_unit_ms((enum res)r),
				    true, 1765000000000LL, out, 2000, NULL);
				ck_assert_int_eq(got ? (int64_t)out[got - 1] : 0, want[c][k]);
			}
		}
	/* entries 10 minutes apart: a row per entry with slices, for all tweets */
	size_t with = 0;
	for (size_t k = 0; k < n; k++)
		with += v[k].ns > 0;
	ck_assert_uint_eq(sum.mins[CAT__COUNT].n, with);
	/* an LWT2 document of tweet 0: no minutes in it */
	struct sbuf b;
	sbuf_init(&b);
	bytes_put_uvar(&b, 0x4c575432u);
	bytes_put_str(&b, prep_tweet_id(p, 0), LW_ID_MAX - 1);
	bytes_put_u8(&b, sum.tweets[0].category);
	bytes_put_uvar(&b, (uint64_t)sum.tweets[0].slices);
	bytes_put_uvar(&b, 0);
	const struct series *hs = prep_tweet_series(p, 0);
	for (int k = 0; k < PREP_METRICS; k++)
		series_encode(&b, &hs[k]);
	struct series nsl = {0};
	series_add(&nsl, series_hour_of(1765000000000LL), 1);
	series_encode(&b, &nsl);
	series_done(&nsl);
	struct prep *q = prep_new("c1");
	char *cause = NULL;
	ck_assert_msg(prep_load_tweet(q, b.s, b.len, &cause) == 0, "%s", cause);
	const struct minutes *old = prep_tweet_minutes(q, 0);
	for (int k = 0; k < PREP_METRICS; k++)
		ck_assert_int_eq(minutes_total(old, k), sum.tweets[0].total[k]);
	for (size_t i = 0; i < old->n; i++)
		ck_assert_int_eq(old->r[i].min % 60, 0);
	/* written again: the current form, read back the same */
	sbuf_done(&b);
	sbuf_init(&b);
	prep_tweet_encode(q, 0, &b);
	struct prep *q2 = prep_new("c1");
	ck_assert_msg(prep_load_tweet(q2, b.s, b.len, &cause) == 0, "%s", cause);
	ck_assert_uint_eq(prep_tweet_minutes(q2, 0)->n, old->n);
	ck_assert(memcmp(prep_tweet_minutes(q2, 0)->r, old->r, old->n * sizeof *old->r) == 0);
	prep_free(q2);
	prep_free(q);
	sbuf_done(&b);
	prep_summary_done(&sum);
	prep_free(p);
	gen_free(v, n);
}
END_TEST

static Suite *
prep_suite(void)
{
	Suite *s = suite_create("prep");
	TCase *tc = tcase_create("prep");
	tcase_add_test(tc, test_bytes_round_trip_and_truncation);
	tcase_add_test(tc, test_series_encode_and_views);
	tcase_add_loop_test(tc, test_order_independent_and_idempotent, 0, 5);
	tcase_add_loop_test(tc, test_crash_replay_equals_live, 0, 40);
	tcase_add_test(tc, test_same_rules_as_report);
	tcase_add_test(tc, test_codecs_round_trip_and_refuse_garbage);
	tcase_add_test(tc, test_chunk_find_and_tweet_series);
	tcase_add_test(tc, test_minutes_of_tweets_and_old_documents);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(prep_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
