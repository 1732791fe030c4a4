/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_layerwalk.c -- the walk of an upper layer (check/layerwalk.c)
 *
 * A temporary directory stands in for an overlay upperdir. The attacks: a
 * symlink to a host ELF or a host directory, whiteouts, FIFOs, devices and
 * sockets, a tree deeper than the bound, names with newlines and bytes
 * that are not UTF-8, a mount point below the layer.
 */
#include "testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "check/layerwalk.h"

/* Walk DIR to the end; the files' paths, one per line, in *PATHS (sorted
 * order not guaranteed); returns the counts. */
static struct layerwalk_counts walk_all(const char *dir, char **paths,
					size_t *steps)
{
	struct layerwalk w;
	struct layerwalk_file f;
	enum layerwalk_step st;
	size_t len = 0, n = 0;
	char *out = calloc(1, 1);

	ck_assert_int_eq(layerwalk_open(&w, dir), 0);
	while ((st = layerwalk_next(&w, &f)) != LAYERWALK_DONE) {
		n++;
		ck_assert_msg(n < 1000000, "the walk does not end");
		if (st != LAYERWALK_FILE)
			continue;
		ck_assert(S_ISREG(f.st.st_mode));
		ck_assert_int_ge(f.fd, 0);
		out = realloc(out, len + strlen(f.path) + 2);
		len += (size_t)sprintf(out + len, "%s\n", f.path);
		close(f.fd);
	}
	layerwalk_close(&w);
	if (paths)
		*paths = out;
	else
		free(out);
	if (steps)
		*steps = n;
	return w.n;
}

static bool has_path(const char *paths, const char *p)
{
	size_t len = strlen(p);
	const char *s = paths;

	while ((s = strstr(s, p))) {
		if ((s == paths || s[-1] == '\n') && s[len] == '\n')
			return true;
		s++;
	}
	return false;
}

static char *sub(const char *dir, const char *name)
{
	char *p;

	ck_assert_int_ne(asprintf(&p, "%s/%s", dir, name), -1);
	return p;
}

/* Files in nested directories come out with the container's paths. */
START_TEST(test_walk_paths)
{
	char *dir = test_mkdtemp(), *p, *paths;
	struct layerwalk_counts n;

	p = sub(dir, "usr");
	ck_assert_int_eq(mkdir(p, 0755), 0);
	free(p);
	p = sub(dir, "usr/bin");
	ck_assert_int_eq(mkdir(p, 0755), 0);
	free(p);
	free(test_write_file(dir, "usr/bin/tool", "x", 1, 0755));
	free(test_write_file(dir, "top", "y", 1, 0644));
	n = walk_all(dir, &paths, NULL);
	ck_assert_msg(has_path(paths, "/usr/bin/tool"), "%s", paths);
	ck_assert_msg(has_path(paths, "/top"), "%s", paths);
	ck_assert_int_eq(n.files, 2);
	ck_assert_int_eq(n.dirs, 2);
	free(paths);
	test_rmtree(dir);
	free(dir);
}
END_TEST

/* A symlink to a host ELF, to a host file and to a host directory: none
 * is followed, each is counted. */
START_TEST(test_walk_never_follows_symlinks)
{
	char *dir = test_mkdtemp(), *p, *paths;
	struct layerwalk_counts n;

	p = sub(dir, "ls-link");
	ck_assert_int_eq(symlink("/proc/self/exe", p), 0);
	free(p);
	p = sub(dir, "shadow-link");
	ck_assert_int_eq(symlink("/etc/shadow", p), 0);
	free(p);
	p = sub(dir, "bin-link");
	ck_assert_int_eq(symlink("/usr/bin", p), 0);
	free(p);
	p = sub(dir, "rel-link");
	ck_assert_int_eq(symlink("../../../../../../../usr/bin", p), 0);
	free(p);
	n = walk_all(dir, &paths, NULL);
	ck_assert_msg(!*paths, "files through symlinks: %s", paths);
	ck_assert_int_eq(n.files, 0);
	ck_assert_int_eq(n.dirs, 0);
	ck_assert_int_eq(n.symlinks, 4);
	free(paths);
	test_rmtree(dir);
	free(dir);
}
END_TEST

/* FIFOs and sockets are skipped without being opened (a FIFO open for
 * reading would block the walk). */
START_TEST(test_walk_skips_fifo_and_socket)
{
	char *dir = test_mkdtemp(), *p, *paths;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct layerwalk_counts n;
	int sock;

	p = sub(dir, "fifo");
	ck_assert_int_eq(mkfifo(p, 0644), 0);
	free(p);
	p = sub(dir, "sock");
	ck_assert_uint_lt(strlen(p), sizeof(sa.sun_path));
	strcpy(sa.sun_path, p);
	sock = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(sock, 0);
	ck_assert_int_eq(bind(sock, (struct sockaddr *)&sa, sizeof(sa)), 0);
	free(p);
	free(test_write_file(dir, "file", "z", 1, 0644));
	n = walk_all(dir, &paths, NULL);
	ck_assert_msg(!strcmp(paths, "/file\n"), "%s", paths);
	ck_assert_int_eq(n.special, 2);
	close(sock);
	free(paths);
	test_rmtree(dir);
	free(dir);
}
END_TEST

/* Whiteouts (0/0 character devices, as overlayfs makes them) and other
 * devices: never a file, never opened. Needs CAP_MKNOD. */
START_TEST(test_walk_skips_whiteouts_and_devices)
{
	char *dir = test_mkdtemp(), *p, *paths;
	struct layerwalk_counts n;

	p = sub(dir, "whiteout");
	if (mknod(p, S_IFCHR | 0, makedev(0, 0)) < 0) {
		int err = errno;

		test_rmtree(dir);
		test_skip("mknod of a whiteout: %s (needs root)",
			  strerror(err));
	}
	free(p);
	p = sub(dir, "null");
	ck_assert_int_eq(mknod(p, S_IFCHR | 0666, makedev(1, 3)), 0);
	free(p);
	p = sub(dir, "loop");
	ck_assert_int_eq(mknod(p, S_IFBLK | 0600, makedev(7, 0)), 0);
	free(p);
	n = walk_all(dir, &paths, NULL);
	ck_assert_msg(!*paths, "%s", paths);
	ck_assert_int_eq(n.whiteouts, 1);
	ck_assert_int_eq(n.special, 2);
	free(paths);
	test_rmtree(dir);
	free(dir);
}
END_TEST

/* An empty file marked as a whiteout by an xattr ("xwhiteout"). */
START_TEST(test_walk_skips_xattr_whiteout)
{
	char *dir = test_mkdtemp(), *p, *paths;
	struct layerwalk_counts n;

	p = test_write_file(dir, "gone", "", 0, 0644);
	if (setxattr(p, "trusted.overlay.whiteout", "", 0, 0) < 0 &&
	    setxattr(p, "user.overlay.whiteout", "", 0, 0) < 0) {
		int err = errno;

		test_rmtree(dir);
		test_skip("no overlay.whiteout xattr on %s: %s", p,
			  strerror(err));
	}
	free(p);
	n = walk_all(dir, &paths, NULL);
	ck_assert_msg(!*paths, "%s", paths);
	ck_assert_int_eq(n.whiteouts, 1);
	free(paths);
	test_rmtree(dir);
	free(dir);
}
END_TEST

/* Names with a newline, bytes that are not UTF-8, spaces: kept raw. */
START_TEST(test_walk_hostile_names)
{
	char *dir = test_mkdtemp(), *p, *paths;
	struct layerwalk_counts n;

	p = sub(dir, "new\nline");
	ck_assert_int_eq(mkdir(p, 0755), 0);
	free(p);
	free(test_write_file(dir, "new\nline/x\xff\xfe y", "a", 1, 0644));
	free(test_write_file(dir, "-rf", "b", 1, 0644));
	n = walk_all(dir, &paths, NULL);
	ck_assert_msg(strstr(paths, "/new\nline/x\xff\xfe y\n"), "%s", paths);
	ck_assert_msg(has_path(paths, "/-rf"), "%s", paths);
	ck_assert_int_eq(n.files, 2);
	free(paths);
	test_rmtree(dir);
	free(dir);
}
END_TEST

/* A tree deeper than LAYERWALK_DEPTH_MAX: the walk ends, the depth is
 * bounded, what is too deep is counted. */
START_TEST(test_walk_deep_tree)
{
	char *dir = test_mkdtemp(), *paths;
	size_t i, steps;
	struct layerwalk_counts n;
	int fd = open(dir, O_RDONLY | O_DIRECTORY), next;

	ck_assert_int_ge(fd, 0);
	for (i = 0; i < LAYERWALK_DEPTH_MAX + 20; i++) {
		ck_assert_int_eq(mkdirat(fd, "d", 0755), 0);
		next = openat(fd, "d", O_RDONLY | O_DIRECTORY);
		ck_assert_int_ge(next, 0);
		if (i == 10) {
			int f = openat(next, "shallow", O_WRONLY | O_CREAT,
				       0644);

			ck_assert_int_ge(f, 0);
			close(f);
		}
		close(fd);
		fd = next;
	}
	close(fd);
	n = walk_all(dir, &paths, &steps);
	ck_assert_int_eq(n.files, 1);
	ck_assert_uint_le(n.dirs, LAYERWALK_DEPTH_MAX);
	ck_assert_int_eq(n.too_deep, 1);
	ck_assert_uint_lt(steps, 4 * (LAYERWALK_DEPTH_MAX + 20));
	free(paths);
	test_rmtree(dir);
	free(dir);
}
END_TEST

/* A file system mounted below the layer is not entered. Needs root. */
START_TEST(test_walk_does_not_cross_mounts)
{
	char *dir = test_mkdtemp(), *p, *paths;
	struct layerwalk_counts n;

	p = sub(dir, "mnt");
	ck_assert_int_eq(mkdir(p, 0755), 0);
	if (mount("tmpfs", p, "tmpfs", 0, "size=64k") < 0) {
		int err = errno;

		test_rmtree(dir);
		test_skip("mount of a tmpfs: %s (needs root)", strerror(err));
	}
	free(test_write_file(p, "inside", "\x7f" "ELF", 4, 0755));
	n = walk_all(dir, &paths, NULL);
	umount2(p, MNT_DETACH);
	ck_assert_msg(!*paths, "%s", paths);
	ck_assert_int_eq(n.mounts, 1);
	free(p);
	free(paths);
	test_rmtree(dir);
	free(dir);
}
END_TEST

/* Walking one entry at a time: a directory of many entries gives one
 * step per entry, so a caller can stop anywhere and go on later. */
START_TEST(test_walk_is_resumable)
{
	char *dir = test_mkdtemp(), name[32];
	struct layerwalk w;
	struct layerwalk_file f;
	size_t i, files = 0, steps = 0;
	enum layerwalk_step st;

	for (i = 0; i < 500; i++) {
		snprintf(name, sizeof(name), "f%zu", i);
		free(test_write_file(dir, name, "x", 1, 0644));
	}
	ck_assert_int_eq(layerwalk_open(&w, dir), 0);
	while ((st = layerwalk_next(&w, &f)) != LAYERWALK_DONE) {
		steps++;
		if (st == LAYERWALK_FILE) {
			files++;
			close(f.fd);
		}
	}
	layerwalk_close(&w);
	ck_assert_int_eq(files, 500);
	ck_assert_uint_le(steps, 503);
	test_rmtree(dir);
	free(dir);
}
END_TEST

/* Lookups with the walk's rules: a symlink on the way fails. */
START_TEST(test_lookup_no_symlinks)
{
	char *dir = test_mkdtemp(), *p;
	int root, fd;

	p = sub(dir, "real");
	ck_assert_int_eq(mkdir(p, 0755), 0);
	free(p);
	free(test_write_file(dir, "real/f", "x", 1, 0644));
	p = sub(dir, "link");
	ck_assert_int_eq(symlink("real", p), 0);
	free(p);
	root = open(dir, O_PATH | O_DIRECTORY);
	ck_assert_int_ge(root, 0);
	fd = layerwalk_lookup(root, "/real/f");
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_lt(layerwalk_lookup(root, "/link/f"), 0);
	ck_assert_int_lt(layerwalk_lookup(root, "/../etc/passwd"), 0);
	close(root);
	test_rmtree(dir);
	free(dir);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("layerwalk");
	TCase *tc = tcase_create("walk");

	tcase_add_test(tc, test_walk_paths);
	tcase_add_test(tc, test_walk_never_follows_symlinks);
	tcase_add_test(tc, test_walk_skips_fifo_and_socket);
	tcase_add_test(tc, test_walk_skips_whiteouts_and_devices);
	tcase_add_test(tc, test_walk_skips_xattr_whiteout);
	tcase_add_test(tc, test_walk_hostile_names);
	tcase_add_test(tc, test_walk_deep_tree);
	tcase_add_test(tc, test_walk_does_not_cross_mounts);
	tcase_add_test(tc, test_walk_is_resumable);
	tcase_add_test(tc, test_lookup_no_symlinks);
	suite_add_tcase(s, tc);
	return s;
}
