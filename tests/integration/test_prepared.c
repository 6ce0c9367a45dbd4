/*
 * test_prepared: the change log and the prepared aggregates on a real devdb,
 * in process: several worker threads hand pages to the group-commit writer
 * while the aggregator follows the log; two writers on two connections (as
 * two engines would be) append to one campaign's log at once and keep it
 * dense; a page written twice is logged once; after a flush the summary
 * equals a recomputation from the stored events.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "engine/aggregator.h"
#include "engine/prep_io.h"
#include "engine/writer.h"
#include "model/prep.h"
#include "store/store.h"
#include "store/store_changes.h"
#include "store/store_events.h"
#include "store/store_prepared.h"
#include "testutil.h"

#define CID      "launch-0000abcd"
#define TWEETS   5
#define PER_PAGE 20

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

/* Opens a store on the test database (a second call is a second engine's
 * connection pool). */
static struct store *
open_store(void)
{
	struct store *s = NULL;
	char *cause = NULL;
	ck_assert_msg(store_open(db->uri, "preptest", &s, &cause) == 0, "%s", cause);
	return s;
}

/* Fills page p (PER_PAGE engagements of tweet p % TWEETS, accounts that
 * repeat across pages) into v. */
static void
make_page(int p, struct lw_engagement *v)
{
	for (int i = 0; i < PER_PAGE; i++) {
		struct lw_engagement *e = &v[i];
		memset(e, 0, sizeof *e);
		snprintf(e->campaign_id, sizeof e->campaign_id, "%s", CID);
		snprintf(e->tweet_id, sizeof e->tweet_id, "186100000000000000%d", p % TWEETS);
		e->category = p % TWEETS % 3;
		e->action = (enum lw_action)(p / TWEETS % ACT__COUNT);
		snprintf(e->user.id, sizeof e->user.id, "%d", 5000 + (p / 15) * PER_PAGE + i);
		e->user.handle = xasprintf("u%d", i);
		e->user.name = xstrdup("Name");
		e->user.bio = xstrdup("bio");
		e->user.followers = i * 10;
		e->bucket = (enum lw_bucket)(i % BK__COUNT);
		e->importance = (i * 7) % 100;
		e->evidence = xstrdup("");
		e->created_at_ms = 1765000000000LL + (int64_t)p * 60000 + i;
	}
}

struct worker {
	struct writer *w;
	struct store *s;
	int first, step, pages;
	int64_t stored;
};

/* Writes pages first, first + step, ... through the writer. */
static void *
worker_main(void *arg)
{
	struct worker *k = arg;
	struct lw_engagement v[PER_PAGE];
	for (int p = k->first; p < k->pages; p += k->step) {
		make_page(p, v);
		bool is_new[PER_PAGE];
		struct writer_page pg = {.campaign_id = CID,
		    .eng = v,
		    .n = PER_PAGE,
		    .now_ms = clock_now_ms(),
		    .above = PER_PAGE,
		    .is_new = is_new};
		char *cause = NULL;
		ck_assert_msg(writer_put_page(k->w, k->s, &pg, &cause) == 0, "%s", cause);
		for (int i = 0; i < PER_PAGE; i++) {
			k->stored += is_new[i];
			lw_engagement_done(&v[i]);
		}
	}
	return NULL;
}

/* Applies a stored engagement to a recomputation. */
static int
re_eng(const struct lw_engagement *e, void *arg)
{
	struct prep_eng r;
	prep_eng_from(&r, e);
	prep_apply_eng(arg, &r, 0);
	prep_eng_done(&r);
	return 0;
}

/* Asserts the stored summary equals a recomputation of the stored events
 * and counts n engagements. */
static void
check_summary(struct store *s, int64_t n)
{
	struct prep_summary have, want;
	char *cause = NULL;
	ck_assert_msg(prep_read_summary(s, CID, &have, NULL, &cause) == 0, "%s", cause);
	struct prep *p = prep_new(CID);
	ck_assert(ste_scan_engagements(s, CID, 0, re_eng, p, &cause) == 0);
	prep_summary_build(p, 0, &want);
	char *a = prep_summary_digest(&have), *b = prep_summary_digest(&want);
	ck_assert_msg(strcmp(a, b) == 0, "summary differs from a recomputation");
	ck_assert_int_eq(have.engagements, n);
	free(a);
	free(b);
	prep_summary_done(&have);
	prep_summary_done(&want);
	prep_free(p);
}

/* Returns how many engagements the log's entries list, checking it is
 * dense from 1 to its head. */
static int64_t
log_items(struct store *s)
{
	int64_t head, items = 0;
	char *cause = NULL;
	ck_assert_msg(stc_head(s, CID, 0, &head, &cause) == 0, "%s", cause);
	for (int64_t q = 1; q <= head; q++) {
		struct change_entry e;
		ck_assert_msg(
		    stc_get(s, CID, q, &e, &cause) == 0, "entry %lld missing", (long long)q);
		items += e.n;
		change_entry_done(&e);
	}
	struct change_entry e;
	ck_assert_int_eq(stc_get(s, CID, head + 1, &e, &cause), 1);
	return items;
}

START_TEST(writers_and_aggregator)
{
	struct store *s1 = open_store(), *s2 = open_store();
	char *cause = NULL;
	ck_assert(stp_head_create(s1, CID, clock_now_ms(), &cause) == 0);
	struct writer *w1, *w2;
	struct writer_opts o1 = {.store = s1, .owner = "engine-1"},
	                   o2 = {.store = s2, .owner = "engine-2"};
	ck_assert(writer_start(&o1, &w1, &cause) == 0);
	ck_assert(writer_start(&o2, &w2, &cause) == 0);
	struct aggregator *agg;
	struct aggregator_opts ao = {.store = s1, .owner = "engine-1", .poll_ms = 100};
	ck_assert(aggregator_start(&ao, &agg, &cause) == 0);
	const char *ids[] = {CID};
	aggregator_set_campaigns(agg, ids, 1);

	/* four threads per writer; the two writers share every page, so each
	 * page is written twice and must be stored and logged once */
	enum { PAGES = 90, THREADS = 4 };
	pthread_t th[2 * THREADS];
	struct worker k[2 * THREADS];
	for (int i = 0; i < 2 * THREADS; i++) {
		k[i] = (struct worker){.w = i < THREADS ? w1 : w2,
		    .s = i < THREADS ? s1 : s2,
		    .first = i % THREADS,
		    .step = THREADS,
		    .pages = PAGES};
		pthread_create(&th[i], NULL, worker_main, &k[i]);
	}
	int64_t stored = 0;
	for (int i = 0; i < 2 * THREADS; i++) {
		pthread_join(th[i], NULL);
		stored += k[i].stored;
	}
	writer_free(w1);
	writer_free(w2);
	ck_assert_int_gt(stored, 0);
	ck_assert_int_eq(log_items(s1), stored); /* each new engagement logged once */
	ck_assert_msg(aggregator_flush(agg, CID, 60000, &cause) == 0, "%s", cause);
	check_summary(s1, stored);

	/* a restart: a new aggregator loads the parts and replays nothing new */
	aggregator_free(agg);
	ck_assert(aggregator_start(&ao, &agg, &cause) == 0);
	aggregator_set_campaigns(agg, ids, 1);
	ck_assert(aggregator_flush(agg, CID, 60000, &cause) == 0);
	check_summary(s1, stored);
	aggregator_free(agg);
	store_free(s1);
	store_free(s2);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("prepared");
	TCase *tc = tcase_create("devdb");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, writers_and_aggregator);
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
