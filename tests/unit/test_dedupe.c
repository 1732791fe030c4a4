/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_dedupe.c -- the set of file contents already reported */
#include "testlib.h"

#include <stdint.h>

#include "check/dedupe.h"

static struct dedupe_key key_n(uint64_t n)
{
	struct dedupe_key k = {
		.dev = 0x2d, .ino = 1000 + n, .size = 4096 + n,
		.mtime_sec = 1700000000 + (int64_t)n, .mtime_nsec = 5,
	};

	return k;
}

START_TEST(test_dedupe_second_sight_is_duplicate)
{
	struct dedupe d;
	struct dedupe_key k = key_n(1);

	ck_assert_int_eq(dedupe_init(&d, 16), 0);
	ck_assert(!dedupe_seen(&d, &k));
	ck_assert(dedupe_seen(&d, &k));
	ck_assert(dedupe_seen(&d, &k));
	dedupe_free(&d);
}
END_TEST

/* The same inode rewritten (new size or mtime) is new content. */
START_TEST(test_dedupe_changed_content_is_new)
{
	struct dedupe d;
	struct dedupe_key k = key_n(7), other;

	ck_assert_int_eq(dedupe_init(&d, 16), 0);
	ck_assert(!dedupe_seen(&d, &k));

	other = k;
	other.size++;
	ck_assert(!dedupe_seen(&d, &other));
	other = k;
	other.mtime_sec++;
	ck_assert(!dedupe_seen(&d, &other));
	other = k;
	other.mtime_nsec++;
	ck_assert(!dedupe_seen(&d, &other));
	other = k;
	other.dev++;
	ck_assert(!dedupe_seen(&d, &other));
	other = k;
	other.ino++;
	ck_assert(!dedupe_seen(&d, &other));

	ck_assert(dedupe_seen(&d, &k));
	dedupe_free(&d);
}
END_TEST

/* Once full, the oldest keys are forgotten and the newest kept. */
START_TEST(test_dedupe_eviction_keeps_newest)
{
	static const size_t caps[] = { 1, 16, 1000, 4096 };
	size_t cap = caps[_i], i;
	struct dedupe d;

	ck_assert_int_eq(dedupe_init(&d, cap), 0);
	for (i = 0; i < 3 * cap; i++) {
		struct dedupe_key k = key_n(i);

		ck_assert_msg(!dedupe_seen(&d, &k), "key %zu new", i);
	}
	/* The last CAP inserted are remembered. */
	for (i = 2 * cap; i < 3 * cap; i++) {
		struct dedupe_key k = key_n(i);

		ck_assert_msg(dedupe_seen(&d, &k), "key %zu kept (cap %zu)",
			      i, cap);
	}
	/* The oldest are not; each miss inserts it, evicting the next
	 * oldest of the kept ones. */
	for (i = 0; i < cap; i++) {
		struct dedupe_key k = key_n(i);

		ck_assert_msg(!dedupe_seen(&d, &k), "key %zu evicted", i);
	}
	for (i = 0; i < cap; i++) {
		struct dedupe_key k = key_n(i);

		ck_assert_msg(dedupe_seen(&d, &k), "key %zu re-added", i);
	}
	for (i = 2 * cap; i < 3 * cap; i++) {
		struct dedupe_key k = key_n(i);

		ck_assert_msg(!dedupe_seen(&d, &k), "key %zu evicted now", i);
	}
	dedupe_free(&d);
}
END_TEST

/* A reported finding is found again by its sha256, else by its key;
 * the newest report of the content wins; the ring forgets the oldest. */
START_TEST(test_dedupe_reports)
{
	struct dedupe d;
	struct dedupe_key k = key_n(1), k2 = key_n(2);
	struct dedupe_report *r;
	const char *sha = "aa34567890123456789012345678901234567890123456789012345678901234";
	size_t i;

	ck_assert_int_eq(dedupe_init(&d, 4), 0);
	ck_assert_ptr_null(dedupe_find_report(&d, &k, sha, "c1"));
	dedupe_note_report(&d, &k, sha, "c1", 77, "/tmp/drop", false);
	/* another container's report of it is not this one's */
	ck_assert_ptr_null(dedupe_find_report(&d, &k2, sha, "c2"));
	ck_assert_ptr_null(dedupe_find_report(&d, &k2, sha, NULL));
	/* the same content elsewhere (another inode): by sha256 */
	r = dedupe_find_report(&d, &k2, sha, "c1");
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->serial, 77);
	ck_assert_str_eq(r->path, "/tmp/drop");
	ck_assert(!r->ran);
	r->ran = true;
	ck_assert(dedupe_find_report(&d, &k2, sha, "c1")->ran);
	/* no sha256: by key */
	ck_assert_ptr_nonnull(dedupe_find_report(&d, &k, "", "c1"));
	ck_assert_ptr_null(dedupe_find_report(&d, &k2, NULL, "c1"));
	/* a short or absent sha256 is not kept as one */
	dedupe_note_report(&d, &k2, "abc", "c1", 78, NULL, false);
	ck_assert_ptr_null(dedupe_find_report(&d, &k2, "abc", "c1"));
	ck_assert_uint_eq(dedupe_find_report(&d, &k2, NULL, "c1")->serial, 78);
	for (i = 0; i < 4; i++) {
		struct dedupe_key kn = key_n(10 + i);

		dedupe_note_report(&d, &kn, NULL, "c1", 100 + i, "/x", false);
	}
	ck_assert_ptr_null(dedupe_find_report(&d, &k, sha, "c1"));
	dedupe_free(&d);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("dedupe");
	TCase *td = tcase_create("dedupe");

	tcase_add_test(td, test_dedupe_second_sight_is_duplicate);
	tcase_add_test(td, test_dedupe_changed_content_is_new);
	tcase_add_loop_test(td, test_dedupe_eviction_keeps_newest, 0, 4);
	tcase_add_test(td, test_dedupe_reports);
	suite_add_tcase(s, td);
	return s;
}
