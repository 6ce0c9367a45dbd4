/*
 * test_farm: the farm / bot rules of model/farm.c, one by one (account age,
 * follow ratio, default avatar, handle digits, empty, template and emoji
 * bios), the score as the capped sum of visible weights, the reasons text,
 * the normalized reply-text hash and the burst rule; and the prepared
 * state's cross-account rules (repeated text, bursts) giving the same
 * histogram whatever the order of the records, through a summary round
 * trip, with an older summary reading as "no farm data". No I/O.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/util.h"
#include "model/farm.h"
#include "model/prep.h"

#define DAY     86400000LL
#define NOW     1767225600000LL /* 2026-01-01T00:00:00Z */
#define MASK(r) ((uint16_t)(1u << (r)))

/* Fills a plain, genuine-looking user (strings borrowed from literals). */
static struct lw_user
user(const char *handle, const char *bio)
{
	struct lw_user u;
	memset(&u, 0, sizeof u);
	snprintf(u.id, sizeof u.id, "42");
	u.handle = (char *)handle;
	u.name = (char *)"Someone";
	u.bio = (char *)bio;
	u.followers = 800;
	u.following = 300;
	u.created_at_ms = NOW - 2000 * DAY;
	u.avatar = AV_CUSTOM;
	return u;
}

START_TEST(test_genuine_account_scores_zero)
{
	struct lw_user u = user("alice", "rust engineer, building things");
	ck_assert_uint_eq(farm_static(&u, NOW), 0);
	ck_assert_int_eq(farm_score(0), 0);
	ck_assert(!farm_likely(0, FARM_THRESHOLD_DEFAULT));
}
END_TEST

START_TEST(test_account_age)
{
	struct lw_user u = user("alice", "dev");
	u.created_at_ms = NOW - 29 * DAY;
	ck_assert_uint_eq(farm_static(&u, NOW), MASK(FR_NEW_ACCOUNT));
	u.created_at_ms = NOW - 30 * DAY;
	ck_assert_uint_eq(farm_static(&u, NOW), MASK(FR_YOUNG_ACCOUNT));
	u.created_at_ms = NOW - 179 * DAY;
	ck_assert_uint_eq(farm_static(&u, NOW), MASK(FR_YOUNG_ACCOUNT));
	u.created_at_ms = NOW - 180 * DAY;
	ck_assert_uint_eq(farm_static(&u, NOW), 0);
	u.created_at_ms = NOW + DAY; /* made after it engaged: clock skew, counts as new */
	ck_assert_uint_eq(farm_static(&u, NOW), MASK(FR_NEW_ACCOUNT));
	u.created_at_ms = 0; /* missing: no signal */
	ck_assert_uint_eq(farm_static(&u, NOW), 0);
	u.created_at_ms = NOW - DAY;
	ck_assert_uint_eq(farm_static(&u, 0), 0); /* engagement time unknown */
}
END_TEST

START_TEST(test_follow_ratio)
{
	struct lw_user u = user("alice", "dev");
	u.followers = 19;
	u.following = 200;
	ck_assert_uint_eq(farm_static(&u, NOW), MASK(FR_FOLLOW_RATIO));
	u.followers = 20; /* a tenth exactly: not below */
	ck_assert_uint_eq(farm_static(&u, NOW), 0);
	u.followers = 0;
	u.following = 199; /* follows too few to mean anything */
	ck_assert_uint_eq(farm_static(&u, NOW), 0);
}
END_TEST

START_TEST(test_avatar_and_handle_digits)
{
	struct lw_user u = user("alice", "dev");
	u.avatar = AV_DEFAULT;
	ck_assert_uint_eq(farm_static(&u, NOW), MASK(FR_DEFAULT_AVATAR));
	u.avatar = AV_UNKNOWN;
	ck_assert_uint_eq(farm_static(&u, NOW), 0);
	static const struct {
		const char *h;
		bool hit;
	} hs[] = {{"bob1234", true}, {"bob123", false}, {"b1o2b3x4y5z6", true},
	    {"b1o2b3x4y5", false}, {"12345", true}, {"", false}, {"satoshi_2009", true}};
	for (size_t i = 0; i < LW_ARRAY_LEN(hs); i++) {
		struct lw_user v = user(hs[i].h, "dev");
		ck_assert_msg(
		    (farm_static(&v, NOW) == MASK(FR_HANDLE_DIGITS)) == hs[i].hit, "%s", hs[i].h);
	}
}
END_TEST

START_TEST(test_bios)
{
	static const struct {
		const char *bio;
		uint16_t mask;
	} bs[] = {
	    {"", MASK(FR_EMPTY_BIO)},
	    {"  \n ", MASK(FR_EMPTY_BIO)},
	    {"Airdrop hunter | follow back 100%", MASK(FR_TEMPLATE_BIO)},
	    {"DM FOR PROMO", MASK(FR_TEMPLATE_BIO)},
	    {"giveaways & memes", MASK(FR_TEMPLATE_BIO)},
	    {"crypto #IFB", MASK(FR_TEMPLATE_BIO)},
	    {"F4F", MASK(FR_TEMPLATE_BIO)},
	    {"f4fun", 0}, /* a word boundary, not a prefix */
	    {"🚀🚀🚀", MASK(FR_EMOJI_BIO)},
	    {"💎 🙌 ✨", MASK(FR_EMOJI_BIO)},
	    {"🚀 building rockets", 0},
	    {"素晴らしい", 0}, /* letters of another script are words */
	    {"—", 0},          /* punctuation only is not emoji */
	    {"Partner at Paradigm", 0},
	};
	for (size_t i = 0; i < LW_ARRAY_LEN(bs); i++) {
		struct lw_user u = user("alice", bs[i].bio);
		ck_assert_msg(farm_static(&u, NOW) == bs[i].mask, "bio '%s': %u", bs[i].bio,
		    (unsigned)farm_static(&u, NOW));
	}
}
END_TEST

START_TEST(test_score_reasons_and_rule_table)
{
	/* a typical farm: new, default avatar, digits, template bio */
	struct lw_user u = user("kenji48213_77", "Airdrop hunter 🪂 | follow back 100%");
	u.created_at_ms = NOW - 5 * DAY;
	u.avatar = AV_DEFAULT;
	u.followers = 3;
	u.following = 1500;
	uint16_t m = farm_static(&u, NOW);
	ck_assert_uint_eq(m, MASK(FR_NEW_ACCOUNT) | MASK(FR_FOLLOW_RATIO) |
	                         MASK(FR_DEFAULT_AVATAR) | MASK(FR_HANDLE_DIGITS) |
	                         MASK(FR_TEMPLATE_BIO));
	ck_assert_int_eq(farm_score(m), 25 + 15 + 20 + 10 + 25);
	ck_assert(farm_likely(farm_score(m), FARM_THRESHOLD_DEFAULT));
	ck_assert_int_eq(farm_score(0xffff), 100); /* capped */
	char buf[256];
	farm_reasons_text(MASK(FR_NEW_ACCOUNT) | MASK(FR_BURST), buf, sizeof buf);
	ck_assert_str_eq(buf, "new_account +25, burst +20");
	farm_reasons_text(0, buf, sizeof buf);
	ck_assert_str_eq(buf, "");
	farm_reasons_text(0xffff, buf, 20); /* cut, still terminated */
	ck_assert_uint_lt(strlen(buf), 20);
	for (int r = 0; r < FR__COUNT; r++) {
		enum farm_rule back;
		ck_assert_int_eq(farm_rule_parse(farm_rule((enum farm_rule)r)->name, &back), 0);
		ck_assert_int_eq(back, r);
		ck_assert_int_gt(farm_rule((enum farm_rule)r)->weight, 0);
		/* no one rule alone makes an account likely farmed */
		ck_assert_int_lt(farm_rule((enum farm_rule)r)->weight, FARM_THRESHOLD_DEFAULT);
	}
	enum farm_rule x;
	ck_assert_int_eq(farm_rule_parse("nope", &x), -1);
	ck_assert(!farm_likely(100, 0)); /* threshold 0: off */
	int64_t hist[FARM_SCORES] = {0};
	hist[0] = 5;
	hist[59] = 2;
	hist[60] = 3;
	hist[100] = 1;
	ck_assert_int_eq(farm_count_at(hist, 60), 4);
	ck_assert_int_eq(farm_count_at(hist, 0), 0);
	ck_assert_int_eq(farm_count_at(hist, 1), 6);
}
END_TEST

START_TEST(test_text_hash)
{
	uint32_t a = farm_text_hash("Great project! Strong team 🚀");
	ck_assert_uint_ne(a, 0);
	ck_assert_uint_eq(farm_text_hash("@acme great   PROJECT, strong team 🚀!!"), a);
	ck_assert_uint_eq(
	    farm_text_hash("@acme @bob Great project strong team 🚀 https://t.co/x"), a);
	ck_assert_uint_ne(farm_text_hash("Great project! Strong team 🚀 2"), a);
	ck_assert_uint_eq(farm_text_hash("gm"), 0); /* too short to mean anything */
	ck_assert_uint_eq(farm_text_hash("@acme 🔥🔥"), 0);
	ck_assert_uint_eq(farm_text_hash(NULL), 0);
	ck_assert_uint_eq(farm_text_hash(""), 0);
}
END_TEST

START_TEST(test_burst)
{
	uint32_t at[] = {1000, 1030, 1059, 5000};
	uint32_t tw[] = {0, 1, 2, 0};
	ck_assert(farm_burst(at, tw, 4));
	uint32_t at2[] = {1000, 1030, 1061};
	ck_assert(!farm_burst(at2, tw, 3)); /* 61 s apart */
	uint32_t tw2[] = {0, 0, 1};
	ck_assert(!farm_burst(at, tw2, 3)); /* two tweets only */
	uint32_t at3[] = {1059, 0, 1000, 1030};
	uint32_t tw3[] = {2, 3, 0, 1};
	ck_assert(farm_burst(at3, tw3, 4)); /* any order; unknown times skipped */
	ck_assert(!farm_burst(at, tw, 0));
	/* a heavy account: 200 engagements an hour apart, then three tweets
	 * within a minute; every entry counts, in any order */
	uint32_t bat[203], btw[203];
	for (uint32_t i = 0; i < 200; i++) {
		bat[i] = 100000 + i * 3600;
		btw[i] = i;
	}
	for (uint32_t i = 0; i < 3; i++) {
		bat[200 + i] = 2000000 + i * 20;
		btw[200 + i] = 500 + i;
	}
	ck_assert(farm_burst(bat, btw, 203));
	ck_assert(!farm_burst(bat, btw, 202));
	uint32_t t0 = bat[0], w0 = btw[0]; /* the burst first */
	bat[0] = bat[202];
	btw[0] = btw[202];
	bat[202] = t0;
	btw[202] = w0;
	ck_assert(farm_burst(bat, btw, 203));
}
END_TEST

/* Fills record r of account uid on tweet tid. */
static void
rec(struct prep_eng *r, const char *tid, const char *uid, enum lw_action act, int64_t at_ms,
    uint16_t farm, const char *text)
{
	memset(r, 0, sizeof *r);
	snprintf(r->tweet_id, sizeof r->tweet_id, "%s", tid);
	snprintf(r->user_id, sizeof r->user_id, "%s", uid);
	r->action = (uint8_t)act;
	r->bucket = BK_OTHER;
	r->importance = 10;
	r->at_ms = at_ms;
	r->first_seen_at_ms = at_ms + 5000;
	r->handle = xstrdup(uid);
	r->name = xstrdup("");
	r->snippet = xstrdup(text ? text : "");
	r->has_farm = true;
	r->farm_reasons = farm;
	r->text_hash = act == ACT_RETWEET ? 0 : farm_text_hash(text);
}

#define NREC 12

/* The records of a small campaign: u1..u3 post one template text (repeated
 * across accounts), u4 replies to three tweets within a minute (a burst), u5
 * is genuine, u6 is statically farmed (new + avatar + template bio). */
static void
campaign(struct prep_eng *v)
{
	const char *tpl = "Amazing project, LFG! Airdrop when?";
	uint16_t weak = MASK(FR_DEFAULT_AVATAR) | MASK(FR_HANDLE_DIGITS) | MASK(FR_EMPTY_BIO);
	rec(&v[0], "100", "u1", ACT_REPLY, NOW, weak, tpl);
	rec(&v[1], "100", "u2", ACT_REPLY, NOW + 1000, weak, tpl);
	rec(&v[2], "101", "u3", ACT_REPLY, NOW + 900000, weak, tpl);
	rec(&v[3], "100", "u4", ACT_REPLY, NOW + 2000000, weak, "first thoughts on the launch");
	rec(&v[4], "101", "u4", ACT_REPLY, NOW + 2010000, weak, "second thoughts on the launch");
	rec(&v[5], "102", "u4", ACT_QUOTE, NOW + 2040000, weak, "third thoughts on the launch");
	rec(&v[6], "100", "u5", ACT_RETWEET, NOW, 0, NULL);
	rec(&v[7], "101", "u5", ACT_REPLY, NOW, MASK(FR_HANDLE_DIGITS), "really like the docs");
	rec(&v[8], "102", "u6", ACT_RETWEET, NOW,
	    MASK(FR_NEW_ACCOUNT) | MASK(FR_DEFAULT_AVATAR) | MASK(FR_TEMPLATE_BIO), NULL);
	rec(&v[9], "100", "u7", ACT_REPLY, NOW, weak, "Amazing project, LFG! Airdrop when?!");
	rec(&v[10], "102", "u5", ACT_RETWEET, NOW, 0, NULL);
	rec(&v[11], "102", "u8", ACT_RETWEET, NOW, 0, NULL);
	v[11].has_farm = false; /* a record of an older release */
}

START_TEST(test_cross_rules_order_independent)
{
	struct prep_eng v[NREC];
	campaign(v);
	char *first = NULL;
	uint64_t state = 7;
	for (int round = 0; round < 6; round++) {
		struct prep *p = prep_new("c1");
		size_t idx[NREC];
		for (size_t i = 0; i < NREC; i++)
			idx[i] = i;
		for (size_t i = NREC - 1; round > 0 && i > 0; i--) { /* a shuffle per round */
			state = state * 6364136223846793005ULL + 1442695040888963407ULL;
			size_t j = (size_t)(state >> 33) % (i + 1), t = idx[i];
			idx[i] = idx[j];
			idx[j] = t;
		}
		for (size_t i = 0; i < NREC; i++)
			prep_apply_eng(p, &v[idx[i]], (uint64_t)(i + 1));
		prep_set_seq(p, NREC);
		struct prep_summary s;
		prep_summary_build(p, NOW, &s);
		ck_assert(s.has_farm);
		/* u1..u3 and u7: repeated text (4 accounts); u4: burst; both with weak
		 * static signals (40) make 60; u6 is 70 statically; u5 0; u8 unknown 0 */
		int64_t likely = farm_count_at(s.farm[BK_OTHER], FARM_THRESHOLD_DEFAULT);
		ck_assert_int_eq(likely, 6);
		ck_assert_int_eq(s.farm[BK_OTHER][60], 5);
		ck_assert_int_eq(s.farm[BK_OTHER][70], 1);
		/* u5's static signals are its best engagement's (tweet 100, none) */
		ck_assert_int_eq(s.farm[BK_OTHER][0], 2);
		ck_assert_int_eq(s.farm_unknown, 1);
		int t100 = prep_summary_tweet(&s, "100");
		ck_assert_int_ge(t100, 0);
		/* tweet 100: u1 u2 u4 u7 likely, u5 not */
		ck_assert_int_eq(farm_count_at(s.tweets[t100].farm, 60), 4);
		ck_assert_int_eq(farm_count_at(s.tweets[t100].farm, 1), 4); /* u5 scores 0 */
		ck_assert_int_eq(s.tweets[t100].uniq[BK_OTHER], 5);
		char *d = prep_summary_digest(&s);
		if (first == NULL)
			first = d;
		else {
			ck_assert_str_eq(d, first);
			free(d);
		}
		/* the summary round-trips */
		struct sbuf b;
		sbuf_init(&b);
		prep_summary_encode(&b, &s);
		struct prep_summary back;
		char *cause = NULL;
		ck_assert_int_eq(prep_summary_decode(b.s, b.len, &back, &cause), 0);
		char *d2 = prep_summary_digest(&back);
		ck_assert_str_eq(d2, first);
		size_t with_farm = 0; /* the newest engagements keep their farm data */
		for (size_t i = 0; i < back.nlatest; i++)
			with_farm += back.latest[i].has_farm;
		ck_assert_uint_eq(back.nlatest, NREC);
		ck_assert_uint_eq(with_farm, NREC - 1);
		free(d2);
		prep_summary_done(&back);
		/* and the account chunks reload to the same state */
		struct prep *q = prep_new("c1");
		ck_assert_int_eq(prep_load_summary(q, &s, &cause), 0);
		for (unsigned k = 0; k < PREP_CHUNKS; k++) {
			struct sbuf c;
			sbuf_init(&c);
			prep_chunk_encode(p, k, &c);
			ck_assert_int_eq(prep_load_chunk(q, c.s, c.len, &cause), 0);
			sbuf_done(&c);
		}
		struct prep_summary s2;
		prep_summary_build(q, NOW, &s2);
		char *d3 = prep_summary_digest(&s2);
		ck_assert_str_eq(d3, first);
		free(d3);
		prep_summary_done(&s2);
		prep_free(q);
		sbuf_done(&b);
		prep_summary_done(&s);
		prep_free(p);
	}
	free(first);
	for (size_t i = 0; i < NREC; i++)
		prep_eng_done(&v[i]);
}
END_TEST

/* An account with many replies (more than the stack buffers hold): one
 * text on three tweets makes it repeated, distinct texts do not, whatever
 * the order. */
START_TEST(test_heavy_account_repeated_text)
{
	for (int with_repeat = 0; with_repeat < 2; with_repeat++)
		for (int reversed = 0; reversed < 2; reversed++) {
			struct prep *p = prep_new("c1");
			enum { N = 80 };
			for (int k = 0; k < N; k++) {
				int i = reversed ? N - 1 - k : k;
				char tid[24], text[64];
				snprintf(tid, sizeof tid, "%d", 1000 + i);
				if (with_repeat && i >= N - 3)
					snprintf(
					    text, sizeof text, "the very same reply every time");
				else
					snprintf(
					    text, sizeof text, "a reply of its own, number %d", i);
				struct prep_eng r;
				/* an hour apart: no burst */
				rec(&r, tid, "heavy", ACT_REPLY, NOW + (int64_t)i * 3600000, 0,
				    text);
				prep_apply_eng(p, &r, (uint64_t)(k + 1));
				prep_eng_done(&r);
			}
			prep_set_seq(p, N);
			struct prep_summary s;
			prep_summary_build(p, NOW, &s);
			ck_assert_int_eq(s.farm[BK_OTHER][with_repeat ? 20 : 0], 1);
			prep_summary_done(&s);
			prep_free(p);
		}
}
END_TEST

START_TEST(test_records_keep_farm_data)
{
	struct prep_eng v[NREC];
	campaign(v);
	struct sbuf b;
	sbuf_init(&b);
	prep_items_encode(&b, v, NREC, NULL, 0);
	struct prep_eng *e;
	struct prep_slice *sl;
	size_t ne, ns;
	char *cause = NULL;
	ck_assert_int_eq(prep_items_decode(b.s, b.len, &e, &ne, &sl, &ns, &cause), 0);
	ck_assert_uint_eq(ne, NREC);
	for (size_t i = 0; i < NREC; i++) {
		ck_assert_int_eq(e[i].has_farm, v[i].has_farm);
		ck_assert_uint_eq(e[i].farm_reasons, v[i].farm_reasons);
		ck_assert_uint_eq(e[i].text_hash, v[i].text_hash);
		prep_eng_done(&e[i]);
	}
	free(e);
	free(sl);
	sbuf_done(&b);
	for (size_t i = 0; i < NREC; i++)
		prep_eng_done(&v[i]);
}
END_TEST

START_TEST(test_engagement_to_record)
{
	struct lw_engagement e;
	memset(&e, 0, sizeof e);
	snprintf(e.tweet_id, sizeof e.tweet_id, "100");
	snprintf(e.user.id, sizeof e.user.id, "7");
	e.action = ACT_REPLY;
	e.text = (char *)"@acme Great project! Strong team 🚀";
	e.has_farm = true;
	e.farm_reasons = MASK(FR_EMPTY_BIO) | MASK(FR_BURST); /* cross bits never stored */
	struct prep_eng r;
	prep_eng_from(&r, &e);
	ck_assert(r.has_farm);
	ck_assert_uint_eq(r.farm_reasons, MASK(FR_EMPTY_BIO));
	ck_assert_uint_eq(r.text_hash, farm_text_hash("Great project strong team 🚀"));
	prep_eng_done(&r);
	e.action = ACT_RETWEET;
	prep_eng_from(&r, &e);
	ck_assert_uint_eq(r.text_hash, 0);
	prep_eng_done(&r);
}
END_TEST

static Suite *
farm_suite(void)
{
	Suite *s = suite_create("farm");
	TCase *tc = tcase_create("rules");
	tcase_add_test(tc, test_genuine_account_scores_zero);
	tcase_add_test(tc, test_account_age);
	tcase_add_test(tc, test_follow_ratio);
	tcase_add_test(tc, test_avatar_and_handle_digits);
	tcase_add_test(tc, test_bios);
	tcase_add_test(tc, test_score_reasons_and_rule_table);
	tcase_add_test(tc, test_text_hash);
	tcase_add_test(tc, test_burst);
	suite_add_tcase(s, tc);
	tc = tcase_create("prepared");
	tcase_add_test(tc, test_cross_rules_order_independent);
	tcase_add_test(tc, test_heavy_account_repeated_text);
	tcase_add_test(tc, test_records_keep_farm_data);
	tcase_add_test(tc, test_engagement_to_record);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	int failed;
	SRunner *sr = srunner_create(farm_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
