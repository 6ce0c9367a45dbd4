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

static Suite *
make_suite(void)
{
	Suite *s = suite_create("test_ingest");
	TCase *tc = tcase_create("engine");
	tcase_set_timeout(tc, 100);
	tcase_add_test(tc, exact_with_overlap_phantom_and_expiry);
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
