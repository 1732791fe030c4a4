/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_allow.c -- the [allow] lists (check/allow.c) */
#include "testlib.h"

#include <stdlib.h>
#include <string.h>

#include "check/allow.h"

static void set_list(struct strlist *l, const char *globs)
{
	strlist_free(l);
	ck_assert_int_eq(strlist_parse(globs, l), 0);
}

/* Each list matches its own field, by fnmatch(3) glob. */
START_TEST(test_each_list)
{
	struct candidate *c = test_candidate("/usr/local/bin/tool");
	struct container_meta m;
	struct config cfg;

	config_defaults(&cfg);
	memset(&m, 0, sizeof(m));
	m.name = strdup("ci-runner-7");
	m.image = strdup("docker.io/library/golang:1.22");
	ck_assert(!allow_match(&cfg, c, &m, true));

	set_list(&cfg.allow_exe, "/usr/bin/apt*");
	ck_assert(!allow_match(&cfg, c, &m, true));
	set_list(&cfg.allow_exe, "/bin/busy*");
	ck_assert(allow_match(&cfg, c, &m, true));
	strlist_free(&cfg.allow_exe);

	set_list(&cfg.allow_path, "/usr/local/bin/*");
	ck_assert(allow_match(&cfg, c, &m, true));
	/* a name with "..", "//" or a symlink on the way never matches */
	ck_assert(!allow_match(&cfg, c, &m, false));
	strlist_free(&cfg.allow_path);

	set_list(&cfg.allow_image, "*/golang:*");
	ck_assert(allow_match(&cfg, c, &m, true));
	/* no container metadata: image and name lists cannot match */
	ck_assert(!allow_match(&cfg, c, NULL, true));
	strlist_free(&cfg.allow_image);

	set_list(&cfg.allow_container, "ci-runner-*");
	ck_assert(allow_match(&cfg, c, &m, true));
	ck_assert(!allow_match(&cfg, c, NULL, true));

	container_meta_clear(&m);
	config_free(&cfg);
	candidate_free(c);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("allow");
	TCase *tc = tcase_create("allow");

	tcase_add_test(tc, test_each_list);
	suite_add_tcase(s, tc);
	return s;
}
