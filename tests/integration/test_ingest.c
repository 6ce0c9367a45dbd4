/*
 * test_ingest: exactness of the ingest engine: after `run --once` at several
 * points, with overlapping pages, phantom next pages and expiring cursors, the
 * engagements equal /_sim/truth and every tweet's metric slices add up.
 * Runs the real binary against a real devdb and the in-process simulator;
 * main thread only (the simulator serves on its own threads).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ing_support.h"
#include "sim/sim.h"
#include "store/store_report.h"
#include "testutil.h"
#include "base/util.h"

START_TEST(exact_with_overlap_phantom_and_expiry)
{
	struct ing_world w;
	struct sim_opts o;
	sim_opts_init(&o);
	o.seed = 7;
	o.overlap = 3;
	o.phantom_next_page = true;
	o.expire_cursors_s = 20;
	ing_world_start(&w, &o, "50");
	size_t prev = 0;
	for (int round = 0; round < 4; round++) {
		ck_assert_int_eq(ing_run_once(&w, 60000), 0);
		size_t n = ing_check_exact(&w);
		ing_check_prepared(&w);
		ck_assert_uint_gt(n, prev); /* the simulator kept adding engagements */
		prev = n;
		ing_advance(&w, 40 + 15 * round);
	}
	ing_world_stop(&w);
}
END_TEST

/* campaign rebuild, and a database of the previous release (no change log,
 * no prepared aggregates) upgraded by the engine at its next start */
START_TEST(rebuild_and_upgrade)
{
	struct ing_world w;
	struct sim_opts o;
	sim_opts_init(&o);
	o.seed = 11;
	ing_world_start(&w, &o, "50");
	ck_assert_int_eq(ing_run_once(&w, 60000), 0);
	int64_t uniq = ing_check_prepared(&w);

	struct tu_run r;
	const char *args[] = {"campaign", "rebuild", w.campaign_id, NULL};
	tu_run(&r, w.env, 60000, args);
	ck_assert_msg(r.status == 0, "rebuild: %d %s", r.status, r.err);
	ck_assert_ptr_nonnull(strstr(r.out, "prepared aggregates rebuilt"));
	ck_assert_ptr_nonnull(strstr(r.err, "engagements read"));
	tu_run_done(&r);
	ck_assert_int_eq(ing_check_prepared(&w), uniq);

	/* the previous release had neither collection */
	char *reply = NULL, *cause = NULL;
	ck_assert_msg(
	    store_report_test_command(w.s, "{\"drop\": \"aggregates\"}", &reply, &cause) == 0, "%s",
	    cause);
	free(reply);
	ck_assert_msg(
	    store_report_test_command(w.s, "{\"drop\": \"changes\"}", &reply, &cause) == 0, "%s",
	    cause);
	free(reply);
	ing_advance(&w, 30);
	ck_assert_int_eq(ing_run_once(&w, 60000), 0);
	ing_check_exact(&w);
	ck_assert_int_ge(ing_check_prepared(&w), uniq);
	char *path = xasprintf("%s/launchwatch/run.log", w.dir), *log = NULL;
	size_t len;
	ck_assert_msg(file_read_all(path, &log, &len, &cause) == 0, "%s", cause);
	ck_assert_ptr_nonnull(strstr(log, "rebuilding them from the stored events"));
	free(log);
	free(path);
	ing_world_stop(&w);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("test_ingest");
	TCase *tc = tcase_create("engine");
	tcase_set_timeout(tc, 100);
	tcase_add_test(tc, exact_with_overlap_phantom_and_expiry);
	tcase_add_test(tc, rebuild_and_upgrade);
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
