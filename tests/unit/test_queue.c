/*
 * Tests of the worker-to-UI queue: FIFO order, the wake pipe, and several
 * producer threads with one consumer losing nothing.
 */
#include <check.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "engine/queue.h"
#include "base/util.h"

#define PRODUCERS    4
#define PER_PRODUCER 2000

static struct event_batch *
batch(int n)
{
	struct event_batch *b = xcalloc(1, sizeof *b);
	b->nslices = 1;
	b->slices = xcalloc(1, sizeof *b->slices);
	b->slices[0].seq = n;
	return b;
}

START_TEST(test_fifo_and_wake)
{
	struct queue *q = queue_new();
	struct pollfd p = {.fd = queue_wake_fd(q), .events = POLLIN};
	ck_assert_int_eq(poll(&p, 1, 0), 0);
	ck_assert_ptr_null(queue_pop(q));
	for (int i = 0; i < 3; i++)
		queue_push(q, batch(i));
	ck_assert_int_eq(poll(&p, 1, 0), 1);
	ck_assert_uint_eq(queue_length(q), 3);
	queue_drain_wake(q);
	ck_assert_int_eq(poll(&p, 1, 0), 0);
	for (int i = 0; i < 3; i++) {
		struct event_batch *b = queue_pop(q);
		ck_assert_ptr_nonnull(b);
		ck_assert_int_eq(b->slices[0].seq, i);
		event_batch_free(b);
	}
	ck_assert_ptr_null(queue_pop(q));
	queue_push(q, batch(9)); /* freed with the queue */
	queue_free(q);
	queue_free(NULL);
}
END_TEST

static void *
producer(void *arg)
{
	struct queue *q = arg;
	for (int i = 0; i < PER_PRODUCER; i++)
		queue_push(q, batch(i));
	return NULL;
}

START_TEST(test_threads_lose_nothing)
{
	struct queue *q = queue_new();
	pthread_t t[PRODUCERS];
	long long sum = 0, count = 0;
	for (int i = 0; i < PRODUCERS; i++)
		pthread_create(&t[i], NULL, producer, q);
	while (count < PRODUCERS * PER_PRODUCER) {
		struct pollfd p = {.fd = queue_wake_fd(q), .events = POLLIN};
		poll(&p, 1, 100);
		queue_drain_wake(q);
		struct event_batch *b;
		while ((b = queue_pop(q)) != NULL) {
			sum += b->slices[0].seq;
			count++;
			event_batch_free(b);
		}
	}
	for (int i = 0; i < PRODUCERS; i++)
		pthread_join(t[i], NULL);
	ck_assert_int_eq(count, PRODUCERS * PER_PRODUCER);
	ck_assert_int_eq(sum, (long long)PRODUCERS * PER_PRODUCER * (PER_PRODUCER - 1) / 2);
	ck_assert_ptr_null(queue_pop(q));
	queue_free(q);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("queue");
	TCase *tc = tcase_create("queue");
	tcase_add_test(tc, test_fifo_and_wake);
	tcase_add_test(tc, test_threads_lose_nothing);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
