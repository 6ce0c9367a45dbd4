/*
 * test_ingest_crash: crash safety of the ingest engine: `run` SIGKILLed at random
 * moments (mid-backfill included) at least ten times and restarted; the end
 * state is still exact. The devdb keeps running through every kill, as a
 * MongoDB would (replays of bulks over existing documents once wedged
 * FerretDB v1; see "FerretDB v1 pitfalls" in docs/operations.md).
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
#include "base/util.h"

START_TEST(sigkill_at_random_moments)
{
	struct ing_world w;
	struct sim_opts o;
	sim_opts_init(&o);
	o.seed = 99;
	o.overlap = 2;
	o.phantom_next_page = true;
	o.expire_cursors_s = 30;
	o.rate = 60;
	ing_world_start(&w, &o, "25");
	/* LW_CRASH_SEED varies the kill moments when hunting for a bug */
	const char *seed = getenv("LW_CRASH_SEED");
	srand(seed ? (unsigned)strtoul(seed, NULL, 10) : 12345u);
	int kills = 0;
	/* kill at random moments until ten runs really died mid-way (the first
	 * ones are in the backfill); every third run the launch grows */
	for (int i = 0; i < 40 && kills < 10; i++) {
		int t = 100 + rand() % 900;
		int st = ing_run_once(&w, t);
		fprintf(stderr, "run %d: killed after %d ms: %s\n", i, t, st == -1 ? "yes" : "no");
		if (st == -1)
			kills++;
		if (i % 3 == 2)
			ing_advance(&w, 25);
	}
	ck_assert_int_ge(kills, 10);
	/* at least one kill hit a backfill after a saved page: it resumed */
	char *path = xasprintf("%s/launchwatch/run.log", w.dir), *log = NULL, *cause = NULL;
	size_t len;
	ck_assert_msg(file_read_all(path, &log, &len, &cause) == 0, "%s", cause);
	ck_assert_msg(strstr(log, "backfill resumed") != NULL, "no kill interrupted a backfill");
	free(log);
	free(path);
	ck_assert_int_eq(ing_run_once(&w, 60000), 0);
	ing_check_exact(&w);
	/* the prepared aggregates survived every kill: they equal a
	 * recomputation from the stored events */
	ck_assert_int_gt(ing_check_prepared(&w), 0);
	ing_advance(&w, 40);
	ck_assert_int_eq(ing_run_once(&w, 60000), 0);
	ing_check_exact(&w);
	ing_check_prepared(&w);
	ing_world_stop(&w);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("test_ingest_crash");
	TCase *tc = tcase_create("engine");
	tcase_set_timeout(tc, 150);
	tcase_add_test(tc, sigkill_at_random_moments);
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
