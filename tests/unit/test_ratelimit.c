/*
 * test_ratelimit: the token bucket on an injected clock whose sleep advances
 * the time, so rates are checked exactly and instantly; plus one short run of
 * real threads sharing a bucket. Runs in the test program's main thread
 * (the last test starts and joins its own threads).
 */
#include <check.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "net/ratelimit.h"
#include "base/util.h"

/* A fake clock: now advances only by sleeping. */
struct fake {
	int64_t now;
	int64_t slept;
	int sleeps;
};

/* Returns the fake time. */
static int64_t
fake_now(void *arg)
{
	return ((struct fake *)arg)->now;
}

/* Advances the fake time by ms. */
static void
fake_sleep(void *arg, int64_t ms)
{
	struct fake *f = arg;
	f->now += ms;
	f->slept += ms;
	f->sleeps++;
}

START_TEST(test_rate_is_held)
{
	struct fake f = {.now = 1000};
	struct ratelimit_clock clk = {fake_now, fake_sleep, &f};
	struct ratelimit *rl = ratelimit_new(5, 1, &clk);
	for (int i = 0; i < 21; i++)
		ck_assert_int_eq(ratelimit_acquire(rl, 0), 0);
	/* first token is free, the next 20 come 200 ms apart */
	ck_assert_int_eq(f.now - 1000, 4000);
	ck_assert_double_eq(ratelimit_qps(rl), 5);
	ratelimit_free(rl);
}
END_TEST

START_TEST(test_fractional_rate)
{
	struct fake f = {.now = 0};
	struct ratelimit_clock clk = {fake_now, fake_sleep, &f};
	struct ratelimit *rl = ratelimit_new(0.2, 1, &clk); /* one request every 5 s */
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(ratelimit_acquire(rl, 0), 0);
	ck_assert_int_eq(f.now, 15000);
	ratelimit_free(rl);
}
END_TEST

START_TEST(test_idle_time_refills_up_to_burst)
{
	struct fake f = {.now = 0};
	struct ratelimit_clock clk = {fake_now, fake_sleep, &f};
	struct ratelimit *rl = ratelimit_new(2, 3, &clk);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(ratelimit_acquire(rl, 0), 0);
	ck_assert_int_eq(f.slept, 0); /* the burst */
	f.now += 60000;               /* a long idle refills only up to the burst */
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(ratelimit_acquire(rl, 0), 0);
	ck_assert_int_eq(f.slept, 500);
	ratelimit_free(rl);
}
END_TEST

START_TEST(test_deadline_refuses_without_taking)
{
	struct fake f = {.now = 0};
	struct ratelimit_clock clk = {fake_now, fake_sleep, &f};
	struct ratelimit *rl = ratelimit_new(1, 1, &clk);
	ck_assert_int_eq(ratelimit_acquire(rl, 1), 0);    /* free token */
	ck_assert_int_eq(ratelimit_acquire(rl, 500), -1); /* due at 1000 > 500 */
	ck_assert_int_eq(f.slept, 0);
	ck_assert_int_eq(ratelimit_acquire(rl, 1000), 0); /* due exactly at the deadline */
	ck_assert_int_eq(f.now, 1000);
	ck_assert_int_eq(ratelimit_acquire(rl, 0), 0); /* no deadline */
	ck_assert_int_eq(f.now, 2000);
	ratelimit_free(rl);
}
END_TEST

START_TEST(test_unlimited_and_parse)
{
	struct fake f = {.now = 0};
	struct ratelimit_clock clk = {fake_now, fake_sleep, &f};
	struct ratelimit *rl = ratelimit_new(0, 1, &clk);
	for (int i = 0; i < 1000; i++)
		ck_assert_int_eq(ratelimit_acquire(rl, 1), 0);
	ck_assert_int_eq(f.slept, 0);
	ratelimit_free(rl);
	ratelimit_free(NULL);

	double q = 0;
	char *cause = NULL;
	ck_assert_int_eq(ratelimit_parse_qps("3", &q, &cause), 0);
	ck_assert_double_eq(q, 3);
	ck_assert_int_eq(ratelimit_parse_qps("0.5", &q, &cause), 0);
	ck_assert_double_eq(q, 0.5);
	static const char *const bad[] = {"", "0", "-1", "abc", "3x", "nan", "inf", "1e9"};
	for (size_t i = 0; i < LW_ARRAY_LEN(bad); i++) {
		ck_assert_int_eq(ratelimit_parse_qps(bad[i], &q, &cause), -1);
		ck_assert_ptr_nonnull(cause);
		free(cause);
		cause = NULL;
	}
	ck_assert_ptr_nonnull(ratelimit_global());
	ck_assert_ptr_eq(ratelimit_global(), ratelimit_global());
}
END_TEST

/* Takes 5 tokens from the shared bucket in arg. */
static void *
taker(void *arg)
{
	for (int i = 0; i < 5; i++)
		ratelimit_acquire(arg, 0);
	return NULL;
}

START_TEST(test_threads_share_one_bucket)
{
	struct timespec a, b;
	struct ratelimit *rl = ratelimit_new(50, 1, NULL);
	pthread_t th[4];
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, taker, rl);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	int64_t ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	/* 20 tokens at 50/s: at least 19 intervals of 20 ms, whatever the threads */
	ck_assert_int_ge(ms, 370);
	ratelimit_free(rl);
}
END_TEST

/* Builds the suite. */
static Suite *
ratelimit_suite(void)
{
	Suite *s = suite_create("ratelimit");
	TCase *tc = tcase_create("bucket");
	tcase_add_test(tc, test_rate_is_held);
	tcase_add_test(tc, test_fractional_rate);
	tcase_add_test(tc, test_idle_time_refills_up_to_burst);
	tcase_add_test(tc, test_deadline_refuses_without_taking);
	tcase_add_test(tc, test_unlimited_and_parse);
	tcase_add_test(tc, test_threads_share_one_bucket);
	suite_add_tcase(s, tc);
	return s;
}

/* Runs the suite; exits non-zero when a check failed. */
int
main(void)
{
	SRunner *sr = srunner_create(ratelimit_suite());
	int failed;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
