/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_jsonlog.c -- the findings log under faults: removed, full, unwritable */
#include "testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <json-c/json.h>

#include "report/jsonlog.h"
#include "util/log.h"

/* A finding-like JSON line of about LEN bytes, tagged with N. */
static char *json_line(unsigned int n, size_t len)
{
	char *pad, *out;

	if (len < 64)
		len = 64;
	pad = malloc(len - 40);
	ck_assert_ptr_nonnull(pad);
	memset(pad, 'x', len - 41);
	pad[len - 41] = '\0';
	ck_assert_int_ne(asprintf(&out, "{\"n\":%u,\"Data\":{\"path\":\"/%s\"}}",
				  n, pad), -1);
	free(pad);
	return out;
}

static char *path_in(const char *dir, const char *name)
{
	char *p;

	ck_assert_int_ne(asprintf(&p, "%s/%s", dir, name), -1);
	return p;
}

/* The "n" of a JSON line, or -1 when the line is not a JSON object. */
static int line_n(const char *line)
{
	json_object *o = json_tokener_parse(line), *n;
	int v = -1;

	if (o && json_object_is_type(o, json_type_object) &&
	    json_object_object_get_ex(o, "n", &n))
		v = json_object_get_int(n);
	json_object_put(o);
	return v;
}

/*
 * Read the log PATH: it must end with a newline; store the "n" of each
 * line in NS (-1 for a line that is not JSON), return the line count.
 */
static size_t read_lines(const char *path, int *ns, size_t max)
{
	size_t len, count = 0;
	char *text = test_read_file(path, &len), *line, *save = NULL;

	ck_assert_msg(len == 0 || text[len - 1] == '\n',
		      "%s does not end with a newline", path);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		ck_assert_uint_lt(count, max);
		ns[count++] = line_n(line);
	}
	free(text);
	return count;
}

/* The file holds exactly the lines N (in order), all valid JSON. */
static void expect_lines(const char *path, const int *want, size_t nwant)
{
	int got[64];
	size_t n = read_lines(path, got, 64), i;

	ck_assert_uint_eq(n, nwant);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(got[i], want[i]);
}

static int write_n(struct jsonlog *l, unsigned int n, size_t len)
{
	char *line = json_line(n, len);
	int rc = jsonlog_write(l, line);

	free(line);
	return rc;
}

/* Root only: a private mount namespace for this test (Check forks each
 * test, so its mounts go away with it). */
static bool private_mounts(void)
{
	if (geteuid() != 0)
		return false;
	if (unshare(CLONE_NEWNS) < 0)
		return false;
	return mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0;
}

/* --- normal use ---------------------------------------------------------- */

/* The directory is missing: it is created, the file too, mode 0600. */
START_TEST(test_creates_dir_and_file)
{
	static const int want[] = { 1, 2 };
	struct jsonlog l;
	struct stat st;
	char *dir = test_mkdtemp(), *sub = path_in(dir, "dropexec");
	char *log = path_in(sub, "findings.jsonl");

	umask(0);	/* the modes below are the plugin's, not the umask's */
	jsonlog_init(&l);
	ck_assert_int_eq(jsonlog_set_path(&l, log), 0);
	ck_assert_int_eq(write_n(&l, 1, 100), 0);
	ck_assert_int_eq(write_n(&l, 2, 100), 0);
	expect_lines(log, want, 2);
	ck_assert_int_eq(stat(log, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(stat(sub, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 0007, 0);	/* not world-readable */
	jsonlog_close(&l);
	jsonlog_set_path(&l, NULL);
	test_rmtree(dir);
	free(log);
	free(sub);
	free(dir);
}
END_TEST

/* An existing log is appended to, never truncated, and keeps its mode. */
START_TEST(test_appends)
{
	static const int want[] = { 7, 8, 9 };
	struct jsonlog l;
	struct stat st;
	char *dir = test_mkdtemp(), *first = json_line(7, 80), *withnl, *log;

	ck_assert_int_ne(asprintf(&withnl, "%s\n", first), -1);
	log = test_write_file(dir, "f.jsonl", withnl, strlen(withnl), 0640);
	jsonlog_init(&l);
	jsonlog_set_path(&l, log);
	ck_assert_int_eq(write_n(&l, 8, 80), 0);
	jsonlog_reopen(&l);
	ck_assert_int_eq(write_n(&l, 9, 80), 0);
	expect_lines(log, want, 3);
	ck_assert_int_eq(stat(log, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0640);
	jsonlog_close(&l);
	jsonlog_set_path(&l, NULL);
	test_rmtree(dir);
	free(log);
	free(withnl);
	free(first);
	free(dir);
}
END_TEST

/* No path: nothing is written, nothing fails. */
START_TEST(test_no_path_is_noop)
{
	struct jsonlog l;
	char *dir = test_mkdtemp(), *cwd = getcwd(NULL, 0);

	ck_assert_ptr_nonnull(cwd);
	ck_assert_int_eq(chdir(dir), 0);
	jsonlog_init(&l);
	ck_assert_int_eq(write_n(&l, 1, 100), 0);
	ck_assert_int_eq(jsonlog_set_path(&l, NULL), 0);
	ck_assert_ptr_null(l.path);
	ck_assert_int_eq(write_n(&l, 2, 100), 0);
	ck_assert_int_eq(jsonlog_set_path(&l, ""), 0);
	ck_assert_ptr_null(l.path);
	ck_assert_int_eq(write_n(&l, 3, 100), 0);
	ck_assert_int_eq(l.fd, -1);
	jsonlog_reopen(&l);
	jsonlog_close(&l);
	ck_assert_int_eq(rmdir(dir), 0);	/* nothing was created */
	ck_assert_int_eq(chdir(cwd), 0);
	free(cwd);
	free(dir);
}
END_TEST

/* logrotate moves the file away; after jsonlog_reopen() (SIGHUP) the
 * next line goes to a new file at the configured path. */
START_TEST(test_reopen_after_rename)
{
	static const int old_lines[] = { 1, 2 }, new_lines[] = { 3, 4 };
	struct jsonlog l;
	struct stat st;
	char *dir = test_mkdtemp(), *log = path_in(dir, "f.jsonl");
	char *rotated = path_in(dir, "f.jsonl.1");

	jsonlog_init(&l);
	jsonlog_set_path(&l, log);
	ck_assert_int_eq(write_n(&l, 1, 100), 0);
	ck_assert_int_eq(write_n(&l, 2, 100), 0);
	ck_assert_int_eq(rename(log, rotated), 0);
	jsonlog_reopen(&l);
	ck_assert_int_eq(write_n(&l, 3, 100), 0);
	ck_assert_int_eq(write_n(&l, 4, 100), 0);
	expect_lines(rotated, old_lines, 2);
	expect_lines(log, new_lines, 2);
	ck_assert_int_eq(stat(log, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	jsonlog_close(&l);
	jsonlog_set_path(&l, NULL);
	test_rmtree(dir);
	free(rotated);
	free(log);
	free(dir);
}
END_TEST

/* A new path (reload) takes effect at once. */
START_TEST(test_set_path_switches)
{
	static const int a_lines[] = { 1 }, b_lines[] = { 2 };
	struct jsonlog l;
	char *dir = test_mkdtemp(), *a = path_in(dir, "a"), *b = path_in(dir, "b");

	jsonlog_init(&l);
	jsonlog_set_path(&l, a);
	ck_assert_int_eq(write_n(&l, 1, 100), 0);
	jsonlog_set_path(&l, b);
	ck_assert_int_eq(write_n(&l, 2, 100), 0);
	expect_lines(a, a_lines, 1);
	expect_lines(b, b_lines, 1);
	jsonlog_close(&l);
	jsonlog_set_path(&l, NULL);
	test_rmtree(dir);
	free(a);
	free(b);
	free(dir);
}
END_TEST

/* --- faults -------------------------------------------------------------- */

/* The file is removed while open: the next write creates it again, and
 * that line is in the new file (not in the removed one no one sees). */
START_TEST(test_removed_file_recreated)
{
	static const int want[] = { 2, 3 };
	struct jsonlog l;
	char *dir = test_mkdtemp(), *log = path_in(dir, "f.jsonl");

	jsonlog_init(&l);
	jsonlog_set_path(&l, log);
	ck_assert_int_eq(write_n(&l, 1, 100), 0);
	ck_assert_int_eq(unlink(log), 0);
	ck_assert_int_eq(write_n(&l, 2, 100), 0);
	ck_assert_int_eq(write_n(&l, 3, 100), 0);
	expect_lines(log, want, 2);
	jsonlog_close(&l);
	jsonlog_set_path(&l, NULL);
	test_rmtree(dir);
	free(log);
	free(dir);
}
END_TEST

/* The directory is removed too: created again. */
START_TEST(test_removed_dir_recreated)
{
	static const int want[] = { 2 };
	struct jsonlog l;
	char *dir = test_mkdtemp(), *sub = path_in(dir, "d");
	char *log = path_in(sub, "f.jsonl");

	jsonlog_init(&l);
	jsonlog_set_path(&l, log);
	ck_assert_int_eq(write_n(&l, 1, 100), 0);
	ck_assert_int_eq(unlink(log), 0);
	ck_assert_int_eq(rmdir(sub), 0);
	ck_assert_int_eq(write_n(&l, 2, 100), 0);
	expect_lines(log, want, 1);
	jsonlog_close(&l);
	jsonlog_set_path(&l, NULL);
	test_rmtree(dir);
	free(log);
	free(sub);
	free(dir);
}
END_TEST

/* A symlink planted at the log's path is not followed: the target is
 * never written. */
START_TEST(test_symlink_not_followed)
{
	struct jsonlog l;
	char *dir = test_mkdtemp(), *log = path_in(dir, "f.jsonl");
	char *target = test_write_file(dir, "target", "keep\n", 5, 0644);
	char *text;
	size_t len;

	ck_assert_int_eq(symlink(target, log), 0);
	jsonlog_init(&l);
	jsonlog_set_path(&l, log);
	ck_assert_int_eq(write_n(&l, 1, 100), -1);
	ck_assert_uint_ge(l.failed, 1);
	text = test_read_file(target, &len);
	ck_assert_str_eq(text, "keep\n");
	free(text);
	/* the symlink replaced by a file: writing again */
	ck_assert_int_eq(unlink(log), 0);
	ck_assert_int_eq(write_n(&l, 2, 100), 0);
	jsonlog_close(&l);
	jsonlog_set_path(&l, NULL);
	test_rmtree(dir);
	free(target);
	free(log);
	free(dir);
}
END_TEST

/* A FIFO at the log's path (no reader): the write fails at once rather
 * than blocking the inspector. */
START_TEST(test_fifo_does_not_block)
{
	struct jsonlog l;
	char *dir = test_mkdtemp(), *log = path_in(dir, "f.jsonl");

	ck_assert_int_eq(mkfifo(log, 0600), 0);
	jsonlog_init(&l);
	jsonlog_set_path(&l, log);
	alarm(5);
	ck_assert_int_eq(write_n(&l, 1, 100), -1);
	alarm(0);
	jsonlog_close(&l);
	jsonlog_set_path(&l, NULL);
	test_rmtree(dir);
	free(log);
	free(dir);
}
END_TEST

/*
 * Unwritable, then writable again: -1 while the fault lasts, 0 after it,
 * with the line in the file. As root (which ignores permission bits) an
 * immutable file stands for the fault, on a tmpfs of the test's own so
 * that a failing test leaves no immutable file behind; otherwise a 0500
 * directory.
 */
START_TEST(test_unwritable_then_recovers)
{
	static const int want_root[] = { 0, 3 }, want_user[] = { 3 };
	bool root = private_mounts();
	struct jsonlog l;
	char *dir = test_mkdtemp(), *sub = path_in(dir, "d");
	char why[160] = "";
	char *log = path_in(sub, "f.jsonl");
	int fd = -1, flags = 0;

	if (root)
		ck_assert_int_eq(mount("tmpfs", dir, "tmpfs", 0, "size=64k"),
				 0);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	jsonlog_init(&l);
	jsonlog_set_path(&l, log);
	if (root) {
		char *first = json_line(0, 80), *withnl;

		ck_assert_int_ne(asprintf(&withnl, "%s\n", first), -1);
		free(test_write_file(sub, "f.jsonl", withnl, strlen(withnl),
				     0600));
		free(withnl);
		free(first);
		fd = open(log, O_RDONLY | O_CLOEXEC);
		ck_assert_int_ge(fd, 0);
		if (ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0 ||
		    (flags |= FS_IMMUTABLE_FL,
		     ioctl(fd, FS_IOC_SETFLAGS, &flags) < 0)) {
			snprintf(why, sizeof(why), "cannot make a file "
				 "immutable: %s", strerror(errno));
			goto out;
		}
	} else {
		ck_assert_int_eq(chmod(sub, 0500), 0);
	}
	ck_assert_int_eq(write_n(&l, 1, 100), -1);
	ck_assert_int_eq(write_n(&l, 2, 100), -1);
	ck_assert_uint_eq(l.failed, 2);
	ck_assert_int_eq(l.fd, -1);
	if (root) {
		flags &= ~FS_IMMUTABLE_FL;
		ck_assert_int_eq(ioctl(fd, FS_IOC_SETFLAGS, &flags), 0);
	} else {
		ck_assert_int_eq(chmod(sub, 0700), 0);
	}
	ck_assert_int_eq(write_n(&l, 3, 100), 0);
	ck_assert_uint_eq(l.failed, 0);		/* counting starts afresh */
	if (root)
		expect_lines(log, want_root, 2);
	else
		expect_lines(log, want_user, 1);
out:
	if (fd >= 0) {
		flags &= ~FS_IMMUTABLE_FL;
		ioctl(fd, FS_IOC_SETFLAGS, &flags);
		close(fd);
	}
	jsonlog_close(&l);
	jsonlog_set_path(&l, NULL);
	if (root)
		umount2(dir, MNT_DETACH);
	chmod(sub, 0700);
	test_rmtree(dir);
	free(log);
	free(sub);
	free(dir);
	if (*why)
		test_skip("%s", why);
}
END_TEST

/* A read-only file system (root only): the same. */
START_TEST(test_readonly_fs_then_recovers)
{
	static const int want[] = { 3 };
	struct jsonlog l;
	char *dir, *log;

	if (!private_mounts())
		test_skip("needs root (a private mount namespace)");
	dir = test_mkdtemp();
	log = path_in(dir, "f.jsonl");
	ck_assert_int_eq(mount("tmpfs", dir, "tmpfs", MS_RDONLY, "size=64k"),
			 0);
	jsonlog_init(&l);
	jsonlog_set_path(&l, log);
	ck_assert_int_eq(write_n(&l, 1, 100), -1);
	ck_assert_int_eq(write_n(&l, 2, 100), -1);
	ck_assert_int_eq(mount(NULL, dir, NULL, MS_REMOUNT, "size=64k"), 0);
	ck_assert_int_eq(write_n(&l, 3, 100), 0);
	expect_lines(log, want, 1);
	jsonlog_close(&l);
	jsonlog_set_path(&l, NULL);
	ck_assert_int_eq(umount2(dir, MNT_DETACH), 0);
	test_rmtree(dir);
	free(log);
	free(dir);
}
END_TEST

/*
 * Check a log written through a fault: it ends with a newline, every
 * line is either one of the lines written (valid JSON, in order) or one
 * unfinished line per fault, and the lines written after the fault are
 * intact on lines of their own. WANT_AFTER: the lines that must follow.
 */
static void expect_recovered(const char *log, const int *before,
			     size_t nbefore, const int *after, size_t nafter)
{
	int got[64];
	size_t n = read_lines(log, got, 64), i, broken = 0;

	ck_assert_uint_ge(n, nbefore + nafter);
	ck_assert_uint_le(n, nbefore + nafter + 1);
	for (i = 0; i < nbefore; i++)
		ck_assert_int_eq(got[i], before[i]);
	for (i = nbefore; i < n - nafter; i++) {
		ck_assert_msg(got[i] == -1, "line %zu: %d", i, got[i]);
		broken++;
	}
	for (i = 0; i < nafter; i++)
		ck_assert_msg(got[n - nafter + i] == after[i],
			      "line %zu after the fault is %d, expected %d "
			      "(a broken line was not terminated?)",
			      n - nafter + i, got[n - nafter + i], after[i]);
	ck_assert_uint_le(broken, 1);
}

/*
 * The file size limit (RLIMIT_FSIZE) cuts a write short as a full disk
 * does: half a line is written, then the write fails. The next line must
 * not be glued to that half: it starts on a line of its own.
 *
 * Check itself writes to a file between a test and the runner: no
 * ck_assert while the limit is low, only plain calls whose results are
 * checked once it is lifted.
 */
static void set_fsize(rlim_t cur)
{
	struct rlimit rl;

	getrlimit(RLIMIT_FSIZE, &rl);
	rl.rlim_cur = cur;
	setrlimit(RLIMIT_FSIZE, &rl);
}

static rlim_t fsize_max(void)
{
	struct rlimit rl;

	ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &rl), 0);
	return rl.rlim_max;
}

START_TEST(test_short_write_line_terminated)
{
	static const int before[] = { 1, 2 }, after[] = { 5, 6 };
	struct jsonlog l;
	struct stat st;
	char *dir = test_mkdtemp(), *log = path_in(dir, "f.jsonl");
	char *l3 = json_line(3, 500), *l4 = json_line(4, 500);
	rlim_t max = fsize_max(), limit;
	int rc3, rc4;
	off_t size;

	signal(SIGXFSZ, SIG_IGN);
	jsonlog_init(&l);
	jsonlog_set_path(&l, log);
	ck_assert_int_eq(write_n(&l, 1, 200), 0);
	ck_assert_int_eq(write_n(&l, 2, 200), 0);
	ck_assert_int_eq(stat(log, &st), 0);
	limit = (rlim_t)st.st_size + 100;	/* room for 100 more bytes */
	set_fsize(limit);
	rc3 = jsonlog_write(&l, l3);		/* 100 bytes of it */
	rc4 = jsonlog_write(&l, l4);		/* nothing */
	stat(log, &st);
	size = st.st_size;
	set_fsize(max);
	ck_assert_int_eq(rc3, -1);
	ck_assert_int_eq(rc4, -1);
	ck_assert_int_eq(size, (off_t)limit);
	ck_assert_int_eq(write_n(&l, 5, 500), 0);
	ck_assert_int_eq(write_n(&l, 6, 500), 0);
	expect_recovered(log, before, 2, after, 2);
	jsonlog_close(&l);
	jsonlog_set_path(&l, NULL);
	test_rmtree(dir);
	free(l3);
	free(l4);
	free(log);
	free(dir);
}
END_TEST

/* Cut short again and again, once right after the newline that ends
 * the first half line: still one line per finding after. */
START_TEST(test_short_write_twice)
{
	struct jsonlog l;
	struct stat st;
	char *dir = test_mkdtemp(), *log = path_in(dir, "f.jsonl");
	char *l2 = json_line(2, 300), *l3 = json_line(3, 300);
	char *l4 = json_line(4, 300);
	rlim_t max = fsize_max(), limit;
	int got[64], rc2, rc3, rc4;
	size_t n, i;

	signal(SIGXFSZ, SIG_IGN);
	jsonlog_init(&l);
	jsonlog_set_path(&l, log);
	ck_assert_int_eq(write_n(&l, 1, 200), 0);
	ck_assert_int_eq(stat(log, &st), 0);
	limit = (rlim_t)st.st_size + 50;
	set_fsize(limit);
	rc2 = jsonlog_write(&l, l2);
	/* one byte more: room for the newline that ends the half line */
	set_fsize(limit + 1);
	rc3 = jsonlog_write(&l, l3);
	set_fsize(limit + 41);
	rc4 = jsonlog_write(&l, l4);
	set_fsize(max);
	ck_assert_int_eq(rc2, -1);
	ck_assert_int_eq(rc3, -1);
	ck_assert_int_eq(rc4, -1);
	ck_assert_int_eq(write_n(&l, 9, 300), 0);
	/* the first line intact, the last one intact on its own line, and
	 * between them only unfinished lines (2, 3 and 4 failed and said
	 * so; none of them may swallow 9) */
	n = read_lines(log, got, 64);
	ck_assert_uint_ge(n, 2);
	ck_assert_int_eq(got[0], 1);
	ck_assert_int_eq(got[n - 1], 9);
	for (i = 1; i + 1 < n; i++)
		ck_assert_int_eq(got[i], -1);
	jsonlog_close(&l);
	jsonlog_set_path(&l, NULL);
	test_rmtree(dir);
	free(l2);
	free(l3);
	free(l4);
	free(log);
	free(dir);
}
END_TEST

/*
 * A full disk (root only): a 64 KiB tmpfs holds the log; another file
 * fills it. Writes fail (-1), the plugin keeps going; once space is
 * freed the next write succeeds and the file holds complete lines, the
 * last one being the new finding.
 */
START_TEST(test_disk_full_then_recovers)
{
	static const int before[] = { 1, 2, 3 }, after[] = { 20, 21 };
	struct jsonlog l;
	char *dir, *log, *filler, block[4096];
	int fd, i;
	ssize_t n;

	if (!private_mounts())
		test_skip("needs root (a private mount namespace)");
	dir = test_mkdtemp();
	ck_assert_int_eq(mount("tmpfs", dir, "tmpfs", 0, "size=64k,mode=0700"),
			 0);
	log = path_in(dir, "f.jsonl");
	filler = path_in(dir, "filler");
	jsonlog_init(&l);
	jsonlog_set_path(&l, log);
	/* three lines: the log's last page is partly used */
	for (i = 1; i <= 3; i++)
		ck_assert_int_eq(write_n(&l, (unsigned int)i, 700), 0);
	/* fill the rest */
	memset(block, 'f', sizeof(block));
	fd = open(filler, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	do
		n = write(fd, block, sizeof(block));
	while (n > 0);
	ck_assert_int_eq(errno, ENOSPC);
	close(fd);
	/* a long finding: part of it fits in the last page, then ENOSPC */
	ck_assert_int_eq(write_n(&l, 10, 3000), -1);
	for (i = 11; i < 15; i++)
		ck_assert_int_eq(write_n(&l, (unsigned int)i, 700), -1);
	ck_assert_uint_eq(l.failed, 5);
	/* space again */
	ck_assert_int_eq(unlink(filler), 0);
	ck_assert_int_eq(write_n(&l, 20, 700), 0);
	ck_assert_int_eq(write_n(&l, 21, 700), 0);
	ck_assert_uint_eq(l.failed, 0);
	expect_recovered(log, before, 3, after, 2);
	jsonlog_close(&l);
	jsonlog_set_path(&l, NULL);
	ck_assert_int_eq(umount2(dir, MNT_DETACH), 0);
	test_rmtree(dir);
	free(filler);
	free(log);
	free(dir);
}
END_TEST

/* Errors go to the log at most once a minute, however many writes fail;
 * recovering is told once. */
START_TEST(test_error_reported_once)
{
	struct jsonlog l;
	char *dir = test_mkdtemp(), *sub = path_in(dir, "d");
	char *log = path_in(sub, "f.jsonl"), *errpath = path_in(dir, "stderr");
	char *text, *p;
	int errfd, saved, i, count = 0;

	/* a file where the directory should be: open fails (ENOTDIR) for
	 * root as for anyone */
	free(test_write_file(dir, "d", "x", 1, 0600));
	errfd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_int_ge(errfd, 0);
	fflush(stderr);
	saved = dup(2);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_eq(dup2(errfd, 2), 2);
	log_init(true);
	jsonlog_init(&l);
	jsonlog_set_path(&l, log);
	for (i = 0; i < 20; i++)
		ck_assert_int_eq(write_n(&l, (unsigned int)i, 100), -1);
	ck_assert_uint_eq(l.failed, 20);
	ck_assert_int_eq(unlink(sub), 0);
	ck_assert_int_eq(write_n(&l, 99, 100), 0);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(errfd);
	log_init(false);
	text = test_read_file(errpath, NULL);
	for (p = text; (p = strstr(p, "cannot open")); p++)
		count++;
	ck_assert_msg(count == 1, "%d error messages for 20 failures:\n%s",
		      count, text);
	ck_assert_ptr_nonnull(strstr(text, "writing again"));
	free(text);
	jsonlog_close(&l);
	jsonlog_set_path(&l, NULL);
	test_rmtree(dir);
	free(errpath);
	free(log);
	free(sub);
	free(dir);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("jsonlog");
	TCase *tn = tcase_create("normal");
	TCase *tf = tcase_create("faults");

	tcase_add_test(tn, test_creates_dir_and_file);
	tcase_add_test(tn, test_appends);
	tcase_add_test(tn, test_no_path_is_noop);
	tcase_add_test(tn, test_reopen_after_rename);
	tcase_add_test(tn, test_set_path_switches);
	suite_add_tcase(s, tn);

	tcase_set_timeout(tf, 30);
	tcase_add_test(tf, test_removed_file_recreated);
	tcase_add_test(tf, test_removed_dir_recreated);
	tcase_add_test(tf, test_symlink_not_followed);
	tcase_add_test(tf, test_fifo_does_not_block);
	tcase_add_test(tf, test_unwritable_then_recovers);
	tcase_add_test(tf, test_readonly_fs_then_recovers);
	tcase_add_test(tf, test_short_write_line_terminated);
	tcase_add_test(tf, test_short_write_twice);
	tcase_add_test(tf, test_disk_full_then_recovers);
	tcase_add_test(tf, test_error_reported_once);
	suite_add_tcase(s, tf);
	return s;
}
