/*
 * test_ferret_bulk: regression tests of the engagements and baselines bulks
 * against a real devdb (FerretDB v1.24): replaying a bulk over documents that
 * already exist (what a restart after a crash does) must complete, keep every
 * engagement once and report exactly the inserted ones as new. FerretDB v1
 * wedged for good on one update command of 100 updates that match (the
 * known engagements' updates are sent 25 per command), and numbers its
 * "upserted" entries wrongly (docs/operations.md). Test thread only.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "store/store.h"
#include "store/store_ingest.h"
#include "testutil.h"
#include "base/util.h"

/* More than FerretDB's 100 pooled SQLite connections per database. */
#define FB_MANY 230

static struct tu_devdb *db;

static void
setup(void)
{
	db = tu_devdb_start(NULL, 0);
}

static void
teardown(void)
{
	tu_devdb_free(db);
}

/* Opens database dbname with a short socket timeout, so a wedged server
 * fails the test quickly instead of hanging it. */
static struct store *
fb_open(const char *dbname)
{
	struct store *s = NULL;
	char *cause = NULL;
	char *uri = xasprintf("%s?socketTimeoutMS=15000", db->uri);
	ck_assert_msg(store_open(uri, dbname, &s, &cause) == 0, "store_open: %s", cause);
	free(uri);
	return s;
}

static char fb_ref1[] = "9000000000000000001", fb_ref2[] = "9000000000000000002";
static char *fb_refs_a[] = {fb_ref1};
static char *fb_refs_ab[] = {fb_ref2, fb_ref1};

/* Fills e with engagement user uid (a retweet of tweet 100) with refs. */
static void
fb_eng(struct lw_engagement *e, int uid, char **refs, size_t nref)
{
	memset(e, 0, sizeof *e);
	snprintf(e->campaign_id, sizeof e->campaign_id, "fb-camp");
	snprintf(e->tweet_id, sizeof e->tweet_id, "100");
	snprintf(e->user.id, sizeof e->user.id, "%d", 5000 + uid);
	e->category = CAT_MAIN;
	e->action = ACT_RETWEET;
	e->user.handle = (char *)"h";
	e->user.name = (char *)"n";
	e->user.bio = (char *)"";
	e->user.followers = uid;
	e->bucket = BK_OTHER;
	e->evidence = (char *)"";
	e->created_at_ms = 1764500000000 + uid;
	e->ref_ids = refs;
	e->nref = nref;
}

/* Writes v[0..n) as the ingest writer does (one insert; the known ones
 * updated in commands of at most 25) and returns how many were new. */
static size_t
fb_upsert(struct store *s, const struct lw_engagement *v, size_t n, bool *is_new, int64_t now)
{
	char *cause = NULL;
	ck_assert_msg(sti_engagements_insert(s, v, n, now, is_new, &cause) == 0, "%s", cause);
	const struct lw_engagement **known = xcalloc(n ? n : 1, sizeof *known);
	size_t k = 0, nk = 0;
	for (size_t i = 0; i < n; i++) {
		k += is_new[i];
		if (!is_new[i])
			known[nk++] = &v[i];
	}
	ck_assert_msg(sti_engagements_touch(s, known, nk, now, &cause) == 0, "%s", cause);
	free(known);
	return k;
}

/* Asserts the stored engagements are users 0..n) once each, with refs. */
static void
fb_expect(struct store *s, size_t n, const char *refs)
{
	struct sti_eng_key *keys;
	size_t nkeys;
	char *cause = NULL;
	ck_assert_msg(sti_engagements_keys(s, "fb-camp", &keys, &nkeys, &cause) == 0, "%s", cause);
	ck_assert_uint_eq(nkeys, n);
	for (size_t i = 0; i < nkeys; i++) {
		char want[96];
		snprintf(want, sizeof want, "fb-camp:100:%zu:retweet", 5000 + i);
		ck_assert_str_eq(keys[i].id, want);
		ck_assert_str_eq(keys[i].ref_ids, refs);
		free(keys[i].id);
		free(keys[i].ref_ids);
	}
	free(keys);
}

START_TEST(replay_over_existing_completes)
{
	struct store *s = fb_open("fb_replay");
	struct lw_engagement *v = xcalloc(FB_MANY, sizeof *v);
	bool *is_new = xcalloc(FB_MANY, sizeof *is_new);
	for (int i = 0; i < FB_MANY; i++)
		fb_eng(&v[i], i, fb_refs_a, 1);
	ck_assert_uint_eq(fb_upsert(s, v, FB_MANY, is_new, 1764500000000), FB_MANY);
	/* the replay: every operation matches (this wedged FerretDB for good) */
	ck_assert_uint_eq(fb_upsert(s, v, FB_MANY, is_new, 1764500001000), 0);
	/* a new reference is added, and none is lost by an empty one */
	for (int i = 0; i < FB_MANY; i++)
		fb_eng(&v[i], i, fb_refs_ab, 2);
	ck_assert_uint_eq(fb_upsert(s, v, FB_MANY, is_new, 1764500002000), 0);
	for (int i = 0; i < FB_MANY; i++)
		fb_eng(&v[i], i, NULL, 0);
	ck_assert_uint_eq(fb_upsert(s, v, FB_MANY, is_new, 1764500003000), 0);
	fb_expect(s, FB_MANY, "9000000000000000001,9000000000000000002");
	/* the server still answers */
	char *cause = NULL;
	ck_assert_msg(store_ping(s, &cause) == 0, "%s", cause);
	free(is_new);
	free(v);
	store_free(s);
}
END_TEST

START_TEST(mixed_bulk_reports_exactly_the_new)
{
	struct store *s = fb_open("fb_mixed");
	struct lw_engagement *v = xcalloc(FB_MANY + 1, sizeof *v);
	bool *is_new = xcalloc(FB_MANY + 1, sizeof *is_new);
	/* every third one exists already */
	size_t nold = 0;
	for (int i = 0; i < FB_MANY; i += 3)
		fb_eng(&v[nold++], i, fb_refs_a, 1);
	ck_assert_uint_eq(fb_upsert(s, v, nold, is_new, 1764500000000), nold);
	for (int i = 0; i < FB_MANY; i++)
		fb_eng(&v[i], i, fb_refs_a, 1);
	/* and the last one is the first one again: it is not new twice */
	fb_eng(&v[FB_MANY], 1, fb_refs_a, 1);
	size_t k = fb_upsert(s, v, FB_MANY + 1, is_new, 1764500001000);
	ck_assert_uint_eq(k, FB_MANY - nold);
	for (int i = 0; i < FB_MANY; i++)
		ck_assert_msg(is_new[i] == (i % 3 != 0), "engagement %d: is_new %d", i, is_new[i]);
	ck_assert(!is_new[FB_MANY]);
	fb_expect(s, FB_MANY, "9000000000000000001");
	free(is_new);
	free(v);
	store_free(s);
}
END_TEST

START_TEST(baselines_over_many_tweets)
{
	struct store *s = fb_open("fb_baselines");
	struct sbuf b;
	sbuf_init(&b);
	sbuf_addstr(&b, "campaigns:\n  - name: Bulk test\n"
	                "    window: {start: 2020-01-01T00:00:00Z, duration: 20000d}\n"
	                "    tweets:\n      main: [");
	for (int i = 0; i < FB_MANY; i++)
		sbuf_printf(&b, "%s%d", i ? ", " : "", 1000000 + i);
	sbuf_addstr(&b, "]\n");
	struct cfg_file *f = NULL;
	struct store_upsert_result r;
	char *cause = NULL;
	ck_assert_msg(config_load_string("fb.yaml", b.s, b.len, &f, &cause) == 0, "%s", cause);
	ck_assert_msg(store_campaign_upsert(s, &f->campaigns[0], 1764500000000, &r, &cause) == 0,
	    "%s", cause);
	char **ids = xcalloc(FB_MANY, sizeof *ids);
	struct sti_baseline_set *v = xcalloc(FB_MANY, sizeof *v);
	struct sti_baseline *got = xcalloc(FB_MANY, sizeof *got);
	for (int round = 1; round <= 2; round++) {
		for (int i = 0; i < FB_MANY; i++) {
			if (round == 1)
				ids[i] = xasprintf("%d", 1000000 + i);
			v[i] = (struct sti_baseline_set){.campaign_id = r.id,
			    .tweet_id = ids[i],
			    .m = {.likes = i * round, .views = 10 * i},
			    .seq = round,
			    .first = round == 1};
		}
		ck_assert_msg(sti_baselines_set(s, v, FB_MANY, 1764500000000 + round, &cause) == 0,
		    "%s", cause);
	}
	ck_assert_msg(
	    sti_baselines_get(s, r.id, (const char *const *)ids, FB_MANY, got, &cause) == 0, "%s",
	    cause);
	for (int i = 0; i < FB_MANY; i++) {
		ck_assert(got[i].found && got[i].known && got[i].has_first);
		ck_assert_int_eq(got[i].seq, 2);
		ck_assert_int_eq(got[i].m.likes, 2 * i);
		/* the first baseline is the zero state the first slice counts from */
		ck_assert_int_eq(got[i].first.likes, 0);
		ck_assert_int_eq(got[i].first.views, 0);
		free(ids[i]);
	}
	free(got);
	free(v);
	free(ids);
	config_free(f);
	sbuf_done(&b);
	store_free(s);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("test_ferret_bulk");
	TCase *tc = tcase_create("bulk");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 80);
	tcase_add_test(tc, replay_over_existing_completes);
	tcase_add_test(tc, mixed_bulk_reports_exactly_the_new);
	tcase_add_test(tc, baselines_over_many_tweets);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(make_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
