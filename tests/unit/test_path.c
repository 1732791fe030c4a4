/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_path.c -- absolute paths as text (util/path.c) */
#include "testlib.h"

#include <stdio.h>

#include "util/path.h"

/* ".", ".." and "//" collapse; ".." above "/" stays at "/". */
START_TEST(test_path_normalize)
{
	static const char *cases[][2] = {
		{ "/a/./b/../c", "/a/c" },
		{ "//a//b/", "/a/b" },
		{ "/..", "/" },
		{ "/../../x", "/x" },
		{ "/a/b/..", "/a" },
		{ "/tmp/..x", "/tmp/..x" },
		{ "/tmp/x.", "/tmp/x." },
		{ "/", "/" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[64];

		snprintf(buf, sizeof(buf), "%s", cases[i][0]);
		path_normalize(buf);
		ck_assert_str_eq(buf, cases[i][1]);
	}
}
END_TEST

/* A relative path is left as it is. */
START_TEST(test_path_normalize_relative)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "a/../b//c");
	path_normalize(buf);
	ck_assert_str_eq(buf, "a/../b//c");
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("path");
	TCase *tn = tcase_create("normalize");

	tcase_add_test(tn, test_path_normalize);
	tcase_add_test(tn, test_path_normalize_relative);
	suite_add_tcase(s, tn);
	return s;
}
