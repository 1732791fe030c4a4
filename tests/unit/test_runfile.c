/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_runfile.c -- the pid file and whole-file replacement (util/runfile.c) */
#include "testlib.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/runfile.h"

static char *dir;

static void setup(void)
{
	dir = test_mkdtemp();
}

static void teardown(void)
{
	test_rmtree(dir);
	free(dir);
	dir = NULL;
}

static char *in_dir(const char *name)
{
	char *p;

	ck_assert_int_ge(asprintf(&p, "%s/%s", dir, name), 0);
	return p;
}

/* How many entries DIR holds (no temporary file may be left over). */
static int entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

START_TEST(test_pidfile_write_read_remove)
{
	char *p = in_dir("x.pid"), *text;
	struct stat st;

	ck_assert_int_eq(pidfile_write(p, 4242), 0);
	text = test_read_file(p, NULL);
	ck_assert_str_eq(text, "4242\n");
	free(text);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0644);
	ck_assert_int_eq(pidfile_read(p), 4242);
	ck_assert_int_eq(entries(), 1);

	/* another instance's file stays */
	ck_assert_int_eq(pidfile_remove(p, 4243), -1);
	ck_assert_int_eq(access(p, F_OK), 0);
	ck_assert_int_eq(pidfile_remove(p, 4242), 0);
	ck_assert_int_eq(access(p, F_OK), -1);
	/* already gone is no error */
	ck_assert_int_eq(pidfile_remove(p, 4242), 0);
	ck_assert_int_eq(pidfile_read(p), -1);
	free(p);
}
END_TEST

/* A stale file is replaced; a symlink planted at the path is replaced
 * too, and its target left alone. */
START_TEST(test_pidfile_never_follows)
{
	char *p = in_dir("x.pid"), *victim = in_dir("victim"), *text;
	struct stat st;

	free(test_write_file(dir, "x.pid", "99999\n", 6, 0600));
	ck_assert_int_eq(pidfile_write(p, 100), 0);
	ck_assert_int_eq(pidfile_read(p), 100);
	ck_assert_int_eq(unlink(p), 0);

	free(test_write_file(dir, "victim", "keep\n", 5, 0600));
	ck_assert_int_eq(symlink(victim, p), 0);
	/* a symlink is not read as a pid file */
	ck_assert_int_eq(pidfile_read(p), -1);
	ck_assert_int_eq(pidfile_write(p, 101), 0);
	ck_assert_int_eq(lstat(p, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_eq(pidfile_read(p), 101);
	text = test_read_file(victim, NULL);
	ck_assert_str_eq(text, "keep\n");
	free(text);
	free(victim);
	free(p);
}
END_TEST

START_TEST(test_pidfile_read_rejects_junk)
{
	char *p = in_dir("x.pid");

	free(test_write_file(dir, "x.pid", "12ab\n", 5, 0600));
	ck_assert_int_eq(pidfile_read(p), -1);
	free(test_write_file(dir, "x.pid", "", 0, 0600));
	ck_assert_int_eq(pidfile_read(p), -1);
	free(test_write_file(dir, "x.pid", "-5\n", 3, 0600));
	ck_assert_int_eq(pidfile_read(p), -1);
	free(test_write_file(dir, "x.pid", "77", 2, 0600));
	ck_assert_int_eq(pidfile_read(p), 77);
	free(p);
}
END_TEST

START_TEST(test_replace_mode_and_content)
{
	char *p = in_dir("state"), *text;
	struct stat st;

	ck_assert_int_eq(runfile_replace(p, "one\n", 4, 0600), 0);
	ck_assert_int_eq(runfile_replace(p, "two\n", 4, 0600), 0);
	text = test_read_file(p, NULL);
	ck_assert_str_eq(text, "two\n");
	free(text);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(entries(), 1);
	free(p);
}
END_TEST

/* A directory that cannot take the file: an error, nothing left over. */
START_TEST(test_replace_fails_cleanly)
{
	char *sub = in_dir("sub"), *p;

	ck_assert_int_eq(mkdir(sub, 0700), 0);
	ck_assert_int_ge(asprintf(&p, "%s/missing/state", dir), 0);
	errno = 0;
	ck_assert_int_eq(runfile_replace(p, "x", 1, 0600), -1);
	ck_assert_int_eq(errno, ENOENT);
	free(p);
	/* renaming over a directory fails after the temporary was made */
	errno = 0;
	ck_assert_int_eq(runfile_replace(sub, "x", 1, 0600), -1);
	ck_assert_int_eq(errno, EISDIR);
	ck_assert_int_eq(entries(), 1);
	free(sub);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("runfile");
	TCase *tp = tcase_create("pidfile");
	TCase *tr = tcase_create("replace");

	tcase_add_checked_fixture(tp, setup, teardown);
	tcase_add_test(tp, test_pidfile_write_read_remove);
	tcase_add_test(tp, test_pidfile_never_follows);
	tcase_add_test(tp, test_pidfile_read_rejects_junk);
	suite_add_tcase(s, tp);
	tcase_add_checked_fixture(tr, setup, teardown);
	tcase_add_test(tr, test_replace_mode_and_content);
	tcase_add_test(tr, test_replace_fails_cleanly);
	suite_add_tcase(s, tr);
	return s;
}
