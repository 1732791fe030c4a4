/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_pending.c -- candidates waiting for another look (check/pending.c) */
#include "testlib.h"

#include <stdlib.h>

#include "check/pending.h"

static struct candidate *open_of(uint64_t inode)
{
	struct candidate *c = candidate_new();

	ck_assert_ptr_nonnull(c);
	c->op = FILE_OP_OPEN;
	c->has_inode = true;
	c->inode = inode;
	c->dev_major = 0;
	c->dev_minor = 42;
	return c;
}

/* 5 ms, doubling, never more than 250 ms. */
START_TEST(test_backoff)
{
	static const uint64_t want[] = { 5, 10, 20, 40, 80, 160, 250, 250 };
	unsigned int i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_uint_eq(pending_backoff_ms(i), want[i]);
	ck_assert_uint_eq(pending_backoff_ms(1000), PENDING_RETRY_MAX_MS);
}
END_TEST

/* A full list refuses, and the candidate stays the caller's. */
START_TEST(test_full_refuses)
{
	struct pending p;
	struct candidate *c = open_of(3);

	ck_assert_int_eq(pending_init(&p, 2), 0);
	ck_assert_int_eq(pending_add(&p, open_of(1), 10), 0);
	ck_assert(!pending_full(&p));
	ck_assert_int_eq(pending_add(&p, open_of(2), 10), 0);
	ck_assert(pending_full(&p));
	ck_assert_int_eq(pending_add(&p, c, 10), -1);
	candidate_free(c);
	pending_free(&p);
	ck_assert_uint_eq(p.count, 0);
}
END_TEST

/* Only what is due comes out, in the order it went in; the clock is
 * the caller's. */
START_TEST(test_take_due_by_injected_clock)
{
	struct candidate *out[4];
	struct pending p;
	size_t n;

	ck_assert_int_eq(pending_init(&p, 4), 0);
	pending_add(&p, open_of(1), 100);
	pending_add(&p, open_of(2), 300);
	pending_add(&p, open_of(3), 200);
	ck_assert_int_eq(pending_next_ms(&p, 50), 50);
	ck_assert_uint_eq(pending_take_due(&p, 99, false, out), 0);
	n = pending_take_due(&p, 200, false, out);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(out[0]->inode, 1);
	ck_assert_uint_eq(out[1]->inode, 3);
	ck_assert_uint_eq(out[0]->due_ms, 100);
	candidate_free(out[0]);
	candidate_free(out[1]);
	ck_assert_uint_eq(p.count, 1);
	ck_assert_int_eq(pending_next_ms(&p, 200), 100);
	ck_assert_int_eq(pending_next_ms(&p, 400), 0);
	pending_free(&p);
}
END_TEST

/* The last look takes everything, due or not. */
START_TEST(test_take_all)
{
	struct candidate *out[2];
	struct pending p;

	ck_assert_int_eq(pending_init(&p, 2), 0);
	ck_assert_int_eq(pending_next_ms(&p, 0), -1);
	pending_add(&p, open_of(1), 1000000);
	pending_add(&p, open_of(2), 5);
	ck_assert_uint_eq(pending_take_due(&p, 0, true, out), 2);
	ck_assert_uint_eq(p.count, 0);
	candidate_free(out[0]);
	candidate_free(out[1]);
	pending_free(&p);
}
END_TEST

/* A rename finds the open of its file (same device and inode) and takes
 * it off the list; a rename or another file's open is not it. */
START_TEST(test_take_open_of)
{
	struct candidate *ren = open_of(7), *got;
	struct pending p;

	ren->op = FILE_OP_RENAME;
	ck_assert_int_eq(pending_init(&p, 4), 0);
	pending_add(&p, ren, 10);
	pending_add(&p, open_of(8), 10);
	pending_add(&p, open_of(7), 10);
	ck_assert_ptr_null(pending_take_open_of(&p, 0, 43, 7));
	ck_assert_ptr_null(pending_take_open_of(&p, 0, 42, 9));
	got = pending_take_open_of(&p, 0, 42, 7);
	ck_assert_ptr_nonnull(got);
	ck_assert_int_eq(got->op, FILE_OP_OPEN);
	ck_assert_uint_eq(p.count, 2);
	ck_assert_ptr_null(pending_take_open_of(&p, 0, 42, 7));
	candidate_free(got);
	pending_free(&p);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("pending");
	TCase *tc = tcase_create("pending");

	tcase_add_test(tc, test_backoff);
	tcase_add_test(tc, test_full_refuses);
	tcase_add_test(tc, test_take_due_by_injected_clock);
	tcase_add_test(tc, test_take_all);
	tcase_add_test(tc, test_take_open_of);
	suite_add_tcase(s, tc);
	return s;
}
