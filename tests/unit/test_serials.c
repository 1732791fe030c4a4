/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_serials.c -- gaps in the audit serials (intake/serials.c) */
#include "testlib.h"

#include <stdio.h>
#include <string.h>

#include "intake/serials.h"

static struct serial_tracker t;

static void setup(void)
{
	serials_init(&t);
}

/* Serials S..E (inclusive, wrapping) of the stream without node names. */
static uint64_t see_range(uint32_t s, uint32_t e)
{
	uint64_t lost = 0;
	uint32_t x = s;

	for (;;) {
		lost += serials_see(&t, NULL, 0, x);
		if (x == e)
			break;
		x++;
	}
	return lost;
}

/* An unbroken stream loses nothing, whatever the first serial. */
START_TEST(test_no_gap)
{
	ck_assert_uint_eq(see_range(221734, 221734 + 20000), 0);
	ck_assert_uint_eq(t.lost, 0);
}
END_TEST

/* A gap counts only once the stream is SERIAL_WINDOW past it. */
START_TEST(test_gap_counted_late)
{
	see_range(100, 200);
	/* 201..210 never come */
	ck_assert_uint_eq(see_range(211, 200 + SERIAL_WINDOW), 0);
	ck_assert_uint_eq(see_range(201 + SERIAL_WINDOW,
				    220 + SERIAL_WINDOW), 10);
	ck_assert_uint_eq(t.lost, 10);
}
END_TEST

/* Events that complete out of order are no loss. */
START_TEST(test_reordered)
{
	uint32_t s;

	see_range(1000, 1000);
	for (s = 1001; s < 1000 + 3 * SERIAL_WINDOW; s += 2) {
		serials_see(&t, NULL, 0, s + 1);
		serials_see(&t, NULL, 0, s);
	}
	/* a straggler 3000 behind */
	serials_see(&t, NULL, 0, 1000 + 3 * SERIAL_WINDOW + 1);
	serials_see(&t, NULL, 0, 1000 + 3 * SERIAL_WINDOW - 3000);
	see_range(1000 + 3 * SERIAL_WINDOW + 2, 1000 + 5 * SERIAL_WINDOW);
	ck_assert_uint_eq(t.lost, 0);
}
END_TEST

/* Duplicates (a record per event, many records) count once. */
START_TEST(test_duplicates)
{
	uint32_t s;

	for (s = 5; s < 5 + 2 * SERIAL_WINDOW; s++) {
		serials_see(&t, NULL, 0, s);
		serials_see(&t, NULL, 0, s);
		serials_see(&t, NULL, 0, s);
	}
	ck_assert_uint_eq(t.lost, 0);
}
END_TEST

/* A jump far ahead: everything between is lost (once the window
 * passes). */
START_TEST(test_far_jump)
{
	see_range(1, 50);
	serials_see(&t, NULL, 0, 50 + 100000);
	/* 51..(50 + 100000 - WINDOW) gone at once */
	ck_assert_uint_eq(t.lost, 100000 - SERIAL_WINDOW);
	see_range(50 + 100001, 50 + 100000 + SERIAL_WINDOW);
	ck_assert_uint_eq(t.lost, 99999);
}
END_TEST

/* The counter wraps at 2^32; serial 0, which some kernels skip, is not
 * counted as lost. */
START_TEST(test_wrap)
{
	ck_assert_uint_eq(see_range(0xffffffffu - 100, 0xffffffffu), 0);
	ck_assert_uint_eq(see_range(1, 2 * SERIAL_WINDOW), 0);
	ck_assert_uint_eq(t.lost, 0);
	/* and a real gap across the wrap */
	serials_init(&t);
	see_range(0xffffffffu - 100, 0xffffffffu - 10);
	see_range(11, 2 * SERIAL_WINDOW);
	ck_assert_uint_eq(t.lost, 10 + 10);
	/* a far jump across the wrap */
	serials_init(&t);
	see_range(0xffffffffu - 100, 0xffffffffu - 50);
	serials_see(&t, NULL, 0, 100000);
	see_range(100001, 100000 + SERIAL_WINDOW);
	ck_assert_uint_eq(t.lost, 50 + 99999);
}
END_TEST

/* Each node has its own numbering. */
START_TEST(test_nodes)
{
	uint32_t s;

	for (s = 1; s < 3 * SERIAL_WINDOW; s++) {
		serials_see(&t, "web1", 4, 500000 + s);
		serials_see(&t, "web2", 4, 7 + s);
		serials_see(&t, NULL, 0, 90000 + s);
	}
	ck_assert_uint_eq(t.lost, 0);
	/* web2 loses 5 */
	for (s = 3 * SERIAL_WINDOW + 5; s < 5 * SERIAL_WINDOW; s++)
		serials_see(&t, "web2", 4, 7 + s);
	ck_assert_uint_eq(t.lost, 5);
}
END_TEST

/* A serial far behind is a node that started again: no loss, and its new
 * numbering is followed. */
START_TEST(test_restart)
{
	see_range(900000000u, 900000000u + 100);
	ck_assert_uint_eq(see_range(1, 3 * SERIAL_WINDOW), 0);
	ck_assert_uint_eq(t.lost, 0);
	see_range(3 * SERIAL_WINDOW + 3, 5 * SERIAL_WINDOW);
	ck_assert_uint_eq(t.lost, 2);
}
END_TEST

/* More nodes than slots: the oldest is forgotten, nothing miscounted. */
START_TEST(test_many_nodes)
{
	char name[16];
	unsigned int i, s;

	for (s = 1; s < 100; s++) {
		for (i = 0; i < 3 * SERIAL_NODES; i++) {
			snprintf(name, sizeof(name), "n%u", i);
			serials_see(&t, name, strlen(name), s * 1000 + i);
		}
	}
	ck_assert_uint_eq(t.lost, 0);
}
END_TEST

/* At the end of input the serials still awaited are lost; serial 0 is
 * not awaited. */
START_TEST(test_finish)
{
	see_range(0xffffffffu - 10, 0xffffffffu - 5);
	see_range(3, 20);
	ck_assert_uint_eq(t.lost, 0);
	ck_assert_uint_eq(serials_finish(&t), 5 + 2);
	ck_assert_uint_eq(t.lost, 7);
	/* nothing awaited any more */
	ck_assert_uint_eq(serials_finish(&t), 0);
	ck_assert_uint_eq(t.lost, 7);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("serials");
	TCase *tc = tcase_create("serials");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_no_gap);
	tcase_add_test(tc, test_gap_counted_late);
	tcase_add_test(tc, test_reordered);
	tcase_add_test(tc, test_duplicates);
	tcase_add_test(tc, test_far_jump);
	tcase_add_test(tc, test_wrap);
	tcase_add_test(tc, test_nodes);
	tcase_add_test(tc, test_restart);
	tcase_add_test(tc, test_many_nodes);
	tcase_add_test(tc, test_finish);
	suite_add_tcase(s, tc);
	return s;
}
