/*
 * Unit tests of model/minutes: sparse per-minute rows, the chart
 * resolutions summed from them (deltas add up exactly to the total at
 * every resolution), the automatic choice of a resolution for a span and a
 * width, and the binary form (round trip, refusal of cut input).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "model/minutes.h"
#include "testutil.h"

static uint64_t rng_state;

/* A launch's first two hours: a slice every minute or two, growing then
 * settling, starting at a minute that is not on an hour. */
static void
launch(struct minutes *m, struct series h[MINUTES_W], int64_t t0)
{
	rng_state = 0x5eed;
	for (int64_t t = 0; t < 120; t += 1 + (int64_t)(tu_rand(&rng_state) % 2)) {
		int64_t d[MINUTES_W];
		for (int k = 0; k < MINUTES_W; k++)
			d[k] = (t < 30 ? t * 10 : 300 - t) + k - (int64_t)(tu_rand(&rng_state) % 7);
		int64_t ms = t0 + t * MINUTE_MS + (int64_t)(tu_rand(&rng_state) % 60000);
		minutes_add(m, minutes_of(ms), d);
		for (int k = 0; k < MINUTES_W; k++)
			series_add(&h[k], series_hour_of(ms), d[k]);
	}
}

START_TEST(test_resolutions_add_up)
{
	int64_t t0 = 1765000000000LL + 17 * MINUTE_MS;
	struct minutes m = {0};
	struct series h[MINUTES_W];
	memset(h, 0, sizeof h);
	launch(&m, h, t0);
	ck_assert_uint_gt(m.n, 60);
	for (size_t i = 1; i < m.n; i++)
		ck_assert_int_lt(m.r[i - 1].min, m.r[i].min);
	int64_t now = t0 + 125 * MINUTE_MS;
	double out[400];
	for (int col = 0; col < MINUTES_W; col++) {
		int64_t total = minutes_total(&m, col);
		ck_assert_int_eq(total, series_total(&h[col]));
		for (int r = RES_1M; r < RES__COUNT; r++) {
			int64_t unit = res_unit_ms((enum res)r), first = 0;
			size_t n = minutes_out(&m, col, unit, true, now, out, 400, &first);
			ck_assert_uint_ge(n, 1);
			ck_assert_int_eq((int64_t)out[n - 1], total);
			ck_assert_int_eq(first % unit, 0);
			/* per bucket: the buckets sum to the total too */
			size_t n2 = minutes_out(&m, col, unit, false, now, out, 400, NULL);
			ck_assert_uint_eq(n2, n);
			double sum = 0;
			for (size_t i = 0; i < n2; i++)
				sum += out[i];
			ck_assert_int_eq((int64_t)sum, total);
		}
		/* hourly, the same values as the hourly series */
		double hv[8];
		size_t nh = series_out(&h[col], false, false, now, hv, 8, NULL);
		size_t nm = minutes_out(&m, col, SERIES_HOUR_MS, false, now, out, 8, NULL);
		ck_assert_uint_eq(nh, nm);
		for (size_t i = 0; i < nh; i++)
			ck_assert_int_eq((int64_t)hv[i], (int64_t)out[i]);
	}
	/* a 2-hour launch per minute has its shape: 100+ steps, not one */
	size_t n = minutes_out(&m, 0, MINUTE_MS, true, now, out, 400, NULL);
	ck_assert_uint_ge(n, 120);
	int steps = 0;
	for (size_t i = 1; i < n; i++)
		steps += out[i] != out[i - 1];
	ck_assert_int_ge(steps, 60);
	/* the last max buckets: what came before is the starting value */
	int64_t first = 0;
	size_t n3 = minutes_out(&m, 0, MINUTE_MS, true, now, out, 10, &first);
	ck_assert_uint_eq(n3, 10);
	ck_assert_int_eq((int64_t)out[9], minutes_total(&m, 0));
	ck_assert_int_eq(first, (minutes_of(now) - 9) * MINUTE_MS);
	/* read from hours: the same totals, each hour at its first minute */
	struct minutes fh = {0};
	minutes_from_hours(&fh, h);
	ck_assert_uint_le(fh.n, 3);
	for (int col = 0; col < MINUTES_W; col++)
		ck_assert_int_eq(minutes_total(&fh, col), minutes_total(&m, col));
	for (size_t i = 0; i < fh.n; i++)
		ck_assert_int_eq(fh.r[i].min % 60, 0);
	/* merging: order-independent sums */
	struct minutes a = {0}, b = {0};
	minutes_merge(&a, &m);
	minutes_merge(&a, &fh);
	minutes_merge(&b, &fh);
	minutes_merge(&b, &m);
	ck_assert_uint_eq(a.n, b.n);
	ck_assert(memcmp(a.r, b.r, a.n * sizeof *a.r) == 0);
	for (int col = 0; col < MINUTES_W; col++)
		ck_assert_int_eq(minutes_total(&a, col), 2 * minutes_total(&m, col));
	minutes_done(&a);
	minutes_done(&b);
	minutes_done(&fh);
	minutes_done(&m);
	for (int k = 0; k < MINUTES_W; k++)
		series_done(&h[k]);
}
END_TEST

START_TEST(test_auto_resolution)
{
	int64_t t0 = 1765000000000LL;
	/* 2 hours on a 160-point chart: per minute */
	ck_assert_int_eq(res_pick(RES_AUTO, t0, t0 + 2 * SERIES_HOUR_MS, 160), RES_1M);
	/* 2 hours on 60 points: 5 minutes; 10 hours on 60: 15 minutes */
	ck_assert_int_eq(res_pick(RES_AUTO, t0, t0 + 2 * SERIES_HOUR_MS, 60), RES_5M);
	ck_assert_int_eq(res_pick(RES_AUTO, t0, t0 + 10 * SERIES_HOUR_MS, 60), RES_15M);
	/* 7 days: hourly on 400 points, daily on 160 */
	ck_assert_int_eq(res_pick(RES_AUTO, t0, t0 + 7 * 24 * SERIES_HOUR_MS, 400), RES_HOUR);
	ck_assert_int_eq(res_pick(RES_AUTO, t0, t0 + 7 * 24 * SERIES_HOUR_MS, 160), RES_DAY);
	/* an empty or inverted span: the finest */
	ck_assert_int_eq(res_pick(RES_AUTO, t0, t0, 10), RES_1M);
	ck_assert_int_eq(res_pick(RES_AUTO, t0, t0 - 5, 10), RES_1M);
	/* a chosen resolution stays */
	ck_assert_int_eq(res_pick(RES_15M, t0, t0 + 2 * SERIES_HOUR_MS, 160), RES_15M);
	ck_assert_str_eq(res_name(RES_5M), "5-min");
	ck_assert_str_eq(res_name(RES_AUTO), "auto");
	ck_assert_int_eq(res_unit_ms(RES_DAY), 24 * SERIES_HOUR_MS);
}
END_TEST

START_TEST(test_encode_round_trip)
{
	struct minutes m = {0}, back = {0};
	struct series h[MINUTES_W];
	memset(h, 0, sizeof h);
	launch(&m, h, -5 * MINUTE_MS); /* negative minutes too */
	struct sbuf b;
	sbuf_init(&b);
	minutes_encode(&b, &m);
	struct bytes_r r;
	bytes_r_init(&r, b.s, b.len);
	minutes_decode(&r, &back);
	ck_assert(bytes_r_done(&r));
	ck_assert_uint_eq(back.n, m.n);
	ck_assert(memcmp(back.r, m.r, m.n * sizeof *m.r) == 0);
	for (size_t len = 0; len < b.len; len += 1 + len / 16) {
		bytes_r_init(&r, b.s, len);
		minutes_decode(&r, &back);
		ck_assert(r.bad || !bytes_r_done(&r) || len == b.len);
	}
	minutes_done(&back);
	minutes_done(&m);
	sbuf_done(&b);
	for (int k = 0; k < MINUTES_W; k++)
		series_done(&h[k]);
}
END_TEST

/* Rows older than MINUTES_FINE_MIN before the newest fold per quarter
 * hour: the same rows whatever the order they came in, the totals exact,
 * the newest span still per minute, and a copy or a decode folds on. */
START_TEST(test_coarsen_order_independent)
{
	enum { N = 5 * 24 * 12 }; /* five days of 5-minute slices, 7 s late each */
	int64_t mins[N];
	for (int i = 0; i < N; i++)
		mins[i] = 29000000 + i * 5;
	struct minutes a = {0}, b = {0};
	int64_t want[MINUTES_W] = {0};
	for (int i = 0; i < N; i++) {
		int64_t d[MINUTES_W] = {i % 7 + 1, 1, 0, -1, 100 + i, 2};
		minutes_add(&a, mins[i], d);
		minutes_coarsen(&a);
		for (int k = 0; k < MINUTES_W; k++)
			want[k] += d[k];
	}
	rng_state = 99; /* the same slices shuffled, folded once at the end */
	int order[N];
	for (int i = 0; i < N; i++)
		order[i] = i;
	for (int i = N - 1; i > 0; i--) {
		int j = (int)(tu_rand(&rng_state) % (uint64_t)(i + 1)), t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (int k = 0; k < N; k++) {
		int i = order[k];
		int64_t d[MINUTES_W] = {i % 7 + 1, 1, 0, -1, 100 + i, 2};
		minutes_add(&b, mins[i], d);
		if (k % 97 == 0)
			minutes_coarsen(&b);
	}
	minutes_coarsen(&b);
	ck_assert_uint_eq(a.n, b.n);
	ck_assert(memcmp(a.r, b.r, a.n * sizeof *a.r) == 0);
	for (int k = 0; k < MINUTES_W; k++)
		ck_assert_int_eq(minutes_total(&a, k), want[k]);
	int64_t newest = mins[N - 1], fine = 0;
	for (size_t i = 0; i < a.n; i++) {
		if (a.r[i].min >= newest - MINUTES_FINE_MIN)
			fine++;
		else
			ck_assert_int_eq(a.r[i].min % MINUTES_COARSE, 0);
	}
	ck_assert_int_ge(fine, MINUTES_FINE_MIN / 5 - 1); /* every 5-minute slice */
	/* the rest per quarter */
	ck_assert_uint_le(
	    a.n, MINUTES_FINE_MIN / 5 + 2 + (N * 5 - MINUTES_FINE_MIN) / MINUTES_COARSE);
	/* an old slice arriving late folds into its quarter */
	int64_t late[MINUTES_W] = {1, 0, 0, 0, 0, 0};
	size_t n = a.n;
	minutes_add(&a, mins[3] + 2, late);
	ck_assert_uint_eq(a.n, n);
	ck_assert_int_eq(minutes_total(&a, 0), want[0] + 1);
	minutes_done(&a);
	minutes_done(&b);
}
END_TEST

static Suite *
minutes_suite(void)
{
	Suite *s = suite_create("minutes");
	TCase *tc = tcase_create("minutes");
	tcase_add_test(tc, test_resolutions_add_up);
	tcase_add_test(tc, test_auto_resolution);
	tcase_add_test(tc, test_encode_round_trip);
	tcase_add_test(tc, test_coarsen_order_independent);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(minutes_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
