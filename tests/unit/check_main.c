/* check_main.c -- runs every unit test suite of dropexec */
#include "suites.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *test_mkdtemp(void)
{
	const char *base = getenv("TMPDIR");
	char *tmpl;

	if (!base || !*base)
		base = "/tmp";
	ck_assert_int_ne(asprintf(&tmpl, "%s/dropexec-test.XXXXXX", base), -1);
	ck_assert_msg(mkdtemp(tmpl) != NULL, "mkdtemp(%s): %s", tmpl,
		      strerror(errno));
	return tmpl;
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void test_rmtree(const char *dir)
{
	if (dir)
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

char *test_write_file(const char *dir, const char *name, const void *data,
		      size_t len, mode_t mode)
{
	const char *p = data;
	char *path;
	int fd;

	ck_assert_int_ne(asprintf(&path, "%s/%s", dir, name), -1);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_msg(fd >= 0, "open(%s): %s", path, strerror(errno));
	while (len) {
		ssize_t n = write(fd, p, len);

		ck_assert_msg(n > 0, "write(%s): %s", path, strerror(errno));
		p += n;
		len -= (size_t)n;
	}
	ck_assert_int_eq(fchmod(fd, mode), 0);
	ck_assert_int_eq(close(fd), 0);
	return path;
}

char *test_read_file(const char *path, size_t *len)
{
	struct stat st;
	size_t got = 0;
	char *buf;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_msg(fd >= 0, "open(%s): %s", path, strerror(errno));
	ck_assert_int_eq(fstat(fd, &st), 0);
	buf = malloc((size_t)st.st_size + 1);
	ck_assert_ptr_nonnull(buf);
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		ck_assert_msg(n > 0, "read(%s): %s", path, strerror(errno));
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	if (len)
		*len = got;
	return buf;
}

int main(void)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(record_suite());
	srunner_add_suite(sr, scope_suite());
	srunner_add_suite(sr, classify_suite());
	srunner_add_suite(sr, encoding_suite());
	srunner_add_suite(sr, config_suite());
	srunner_add_suite(sr, queue_suite());
	srunner_add_suite(sr, inspect_suite());
	srunner_add_suite(sr, fstype_suite());
	srunner_add_suite(sr, jsonlog_suite());
	srunner_add_suite(sr, malformed_suite());
	srunner_add_suite(sr, meta_suite());
	srunner_add_suite(sr, sha256_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
