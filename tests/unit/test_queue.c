/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_queue.c -- the bounded queue between the reader and the inspector */
#include "testlib.h"

#include <pthread.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "util/queue.h"

static long elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 +
	       (now.tv_nsec - start->tv_nsec) / 1000000;
}

#define ITEM(n)	((void *)(uintptr_t)(n))

/* The reader must never wait: a full queue refuses at once. */
START_TEST(test_queue_full_refuses_without_blocking)
{
	struct queue q;
	struct timespec t0;
	int i;

	ck_assert_int_eq(queue_init(&q, 4), 0);
	for (i = 1; i <= 4; i++)
		ck_assert_int_eq(queue_push(&q, ITEM(i)), 0);
	ck_assert_uint_eq(queue_length(&q), 4);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 1000; i++)
		ck_assert_int_eq(queue_push(&q, ITEM(99)), -1);
	ck_assert_int_lt(elapsed_ms(&t0), 500);
	ck_assert_uint_eq(queue_length(&q), 4);

	/* The refused item did not replace any queued one. */
	for (i = 1; i <= 4; i++)
		ck_assert_ptr_eq(queue_pop(&q, 0, NULL), ITEM(i));
	queue_destroy(&q);
}
END_TEST

START_TEST(test_queue_fifo_across_wraparound)
{
	struct queue q;
	uintptr_t next_in = 1, next_out = 1;
	int round, i;

	ck_assert_int_eq(queue_init(&q, 5), 0);
	/* Push 3, pop 2, many times: head and tail wrap around. */
	for (round = 0; round < 20; round++) {
		for (i = 0; i < 3 && queue_length(&q) < 5; i++)
			ck_assert_int_eq(queue_push(&q, ITEM(next_in++)), 0);
		for (i = 0; i < 2; i++)
			ck_assert_ptr_eq(queue_pop(&q, 0, NULL),
					 ITEM(next_out++));
	}
	while (queue_length(&q))
		ck_assert_ptr_eq(queue_pop(&q, 0, NULL), ITEM(next_out++));
	ck_assert_uint_eq(next_in, next_out);
	queue_destroy(&q);
}
END_TEST

START_TEST(test_queue_pop_times_out_on_empty)
{
	struct queue q;
	struct timespec t0;
	bool closed = true;
	long ms;

	ck_assert_int_eq(queue_init(&q, 2), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_ptr_null(queue_pop(&q, 120, &closed));
	ms = elapsed_ms(&t0);
	ck_assert_int_ge(ms, 100);
	ck_assert_int_lt(ms, 2000);
	ck_assert(!closed);		/* a timeout is not a close */

	/* timeout 0 polls */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_ptr_null(queue_pop(&q, 0, &closed));
	ck_assert_int_lt(elapsed_ms(&t0), 100);
	queue_destroy(&q);
}
END_TEST

START_TEST(test_queue_close_drains_then_reports_closed)
{
	struct queue q;
	struct timespec t0;
	bool closed = true;

	ck_assert_int_eq(queue_init(&q, 4), 0);
	ck_assert_int_eq(queue_push(&q, ITEM(1)), 0);
	ck_assert_int_eq(queue_push(&q, ITEM(2)), 0);
	queue_close(&q);
	ck_assert_int_eq(queue_push(&q, ITEM(3)), -1);

	/* What was queued before the close is still delivered. */
	ck_assert_ptr_eq(queue_pop(&q, -1, &closed), ITEM(1));
	ck_assert(!closed);
	ck_assert_ptr_eq(queue_pop(&q, -1, &closed), ITEM(2));
	ck_assert(!closed);

	/* Then an endless wait returns at once, saying closed. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_ptr_null(queue_pop(&q, -1, &closed));
	ck_assert(closed);
	ck_assert_int_lt(elapsed_ms(&t0), 500);
	queue_destroy(&q);
}
END_TEST

struct later {
	struct queue *q;
	int delay_ms;
	bool close;
};

static void *act_later(void *arg)
{
	struct later *l = arg;

	usleep((useconds_t)l->delay_ms * 1000);
	if (l->close)
		queue_close(l->q);
	else
		queue_push(l->q, ITEM(42));
	return NULL;
}

/* A waiting consumer is woken by a push, and by a close. */
START_TEST(test_queue_waiting_pop_is_woken)
{
	struct queue q;
	struct later l = { &q, 50, false };
	pthread_t t;
	bool closed = true;

	ck_assert_int_eq(queue_init(&q, 2), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, act_later, &l), 0);
	ck_assert_ptr_eq(queue_pop(&q, 3000, &closed), ITEM(42));
	ck_assert(!closed);
	pthread_join(t, NULL);

	l.close = true;
	ck_assert_int_eq(pthread_create(&t, NULL, act_later, &l), 0);
	ck_assert_ptr_null(queue_pop(&q, -1, &closed));
	ck_assert(closed);
	pthread_join(t, NULL);
	queue_destroy(&q);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("queue");
	TCase *tq = tcase_create("queue");

	tcase_add_test(tq, test_queue_full_refuses_without_blocking);
	tcase_add_test(tq, test_queue_fifo_across_wraparound);
	tcase_add_test(tq, test_queue_pop_times_out_on_empty);
	tcase_add_test(tq, test_queue_close_drains_then_reports_closed);
	tcase_add_test(tq, test_queue_waiting_pop_is_woken);
	suite_add_tcase(s, tq);
	return s;
}
