/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_fstype.c -- the class of a device, remembered no longer than the
 * mount it came from (scope/fstype.c)
 *
 * Fake /proc trees: PID/mountinfo and PID/ns/mnt are plain files. A
 * mount table that changes is the file rewritten in place (a real
 * mountinfo tells it by poll(): POLLPRI); another mount namespace is
 * another ns/mnt file (another inode).
 */
#include "testlib.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scope/fstype.h"
#include "util/timeutil.h"

#define PID_A	400
#define PID_B	401

#define ROOT_LINE \
	"20 1 0:40 / / rw,relatime - overlay overlay rw,lowerdir=/l," \
	"upperdir=/u,workdir=/w\n" \
	"21 20 0:50 / /proc rw - proc proc rw\n"
#define TMPFS_51	"30 20 0:51 / /mnt/f rw - tmpfs tmpfs rw\n"
#define FUSE_51		"31 20 0:51 / /mnt/f rw - fuse.fusehang fusehang rw\n"
#define OVERLAY_51 \
	"32 20 0:51 / /data rw - overlay overlay rw,lowerdir=/l2," \
	"upperdir=/u2,workdir=/w2\n"

static struct {
	char *base, *root;
	struct fstype_cache fc;
} fx;

/* PID's mountinfo says TEXT (rewritten in place: the same file, as the
 * one /proc/PID/mountinfo of a process stays while its table changes). */
static void table(pid_t pid, const char *text)
{
	char *dir;

	ck_assert_int_ne(asprintf(&dir, "%s/%d", fx.base, (int)pid), -1);
	mkdir(dir, 0755);
	free(test_write_file(dir, "mountinfo", text, strlen(text), 0644));
	free(dir);
}

/* PID is in mount namespace NS: PID/ns/mnt is the file BASE/ns-NS. */
static void in_ns(pid_t pid, int ns)
{
	char *dir, *nsdir, *target, *link;

	ck_assert_int_ne(asprintf(&dir, "%s/%d", fx.base, (int)pid), -1);
	ck_assert_int_ne(asprintf(&nsdir, "%s/ns", dir), -1);
	ck_assert_int_ne(asprintf(&target, "%s/ns-%d", fx.base, ns), -1);
	ck_assert_int_ne(asprintf(&link, "%s/mnt", nsdir), -1);
	mkdir(dir, 0755);
	mkdir(nsdir, 0755);
	if (access(target, F_OK))
		free(test_write_file(fx.base, strrchr(target, '/') + 1, "", 0,
				     0644));
	unlink(link);
	ck_assert_int_eq(symlink(target, link), 0);
	free(dir);
	free(nsdir);
	free(target);
	free(link);
}

/* PID exits: its /proc directory goes. */
static void gone(pid_t pid)
{
	char *dir;

	ck_assert_int_ne(asprintf(&dir, "%s/%d", fx.base, (int)pid), -1);
	test_rmtree(dir);
	free(dir);
}

/* Descriptors this process holds. */
static int count_fds(void)
{
	struct dirent *e;
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static enum mount_dev_class cls(pid_t pid, unsigned int minor)
{
	return fstype_dev_class(&fx.fc, fx.base, pid, 0, minor);
}

static void setup(void)
{
	memset(&fx, 0, sizeof(fx));
	fx.base = test_fake_proc(PID_A, &fx.root, NULL);
	fstype_cache_init(&fx.fc);
	in_ns(PID_A, 1);
}

static void teardown(void)
{
	fstype_cache_free(&fx.fc);
	test_rmtree(fx.base);
	free(fx.base);
	free(fx.root);
}

/* The answer of a table that has not changed is remembered. */
START_TEST(test_remembered)
{
	table(PID_A, ROOT_LINE FUSE_51);
	ck_assert_int_eq(cls(PID_A, 51), MOUNT_DEV_NEVER_READ);
	ck_assert_int_eq(cls(PID_A, 40), MOUNT_DEV_READABLE);
	ck_assert_int_eq(cls(PID_A, 50), MOUNT_DEV_PSEUDO);
	ck_assert_int_eq(cls(PID_A, 99), MOUNT_DEV_UNKNOWN);
	/* the writer exits: its table, unchanged, still answers (its
	 * mounts, and so their device numbers, live on with it) */
	gone(PID_A);
	ck_assert_int_eq(cls(PID_A, 51), MOUNT_DEV_NEVER_READ);
	ck_assert_int_eq(cls(PID_A, 40), MOUNT_DEV_READABLE);
}
END_TEST

/*
 * The attack, in one container with CAP_SYS_ADMIN: a tmpfs on /mnt/f
 * (0:51, readable), a write on it; umount, a FUSE mount: the kernel's
 * lowest free number, 0:51 again. The FUSE file must never be read.
 * Without the table's change noticed, the remembered "readable" sent the
 * check into the hung FUSE file.
 */
START_TEST(test_reuse_tmpfs_then_fuse)
{
	table(PID_A, ROOT_LINE TMPFS_51);
	ck_assert_int_eq(cls(PID_A, 51), MOUNT_DEV_READABLE);
	table(PID_A, ROOT_LINE FUSE_51);
	ck_assert_int_eq(cls(PID_A, 51), MOUNT_DEV_NEVER_READ);
}
END_TEST

/*
 * Pinned (candidates prepared back to back), a table is asked once
 * whether it changed; in the next pin, or unpinned, it is asked again.
 */
START_TEST(test_pinned)
{
	table(PID_A, ROOT_LINE TMPFS_51);
	fstype_cache_pin(&fx.fc);
	ck_assert_int_eq(cls(PID_A, 51), MOUNT_DEV_READABLE);
	table(PID_A, ROOT_LINE FUSE_51);
	ck_assert_int_eq(cls(PID_A, 51), MOUNT_DEV_READABLE);
	fstype_cache_pin(&fx.fc);
	ck_assert_int_eq(cls(PID_A, 51), MOUNT_DEV_NEVER_READ);
	table(PID_A, ROOT_LINE TMPFS_51);
	fstype_cache_unpin(&fx.fc);
	ck_assert_int_eq(cls(PID_A, 51), MOUNT_DEV_READABLE);
	table(PID_A, ROOT_LINE FUSE_51);
	ck_assert_int_eq(cls(PID_A, 51), MOUNT_DEV_NEVER_READ);
}
END_TEST

/* The other way round: a FUSE mount's number is an overlay's now; a
 * remembered "never read" lost the drop. */
START_TEST(test_reuse_fuse_then_overlay)
{
	table(PID_A, ROOT_LINE FUSE_51);
	ck_assert_int_eq(cls(PID_A, 51), MOUNT_DEV_NEVER_READ);
	table(PID_A, ROOT_LINE OVERLAY_51);
	ck_assert_int_eq(cls(PID_A, 51), MOUNT_DEV_READABLE);
}
END_TEST

/* Across containers: A's FUSE mount goes away (its container stops),
 * and container B, another mount namespace, gets 0:51 for an overlay. */
START_TEST(test_reuse_other_namespace)
{
	table(PID_A, ROOT_LINE FUSE_51);
	ck_assert_int_eq(cls(PID_A, 51), MOUNT_DEV_NEVER_READ);
	table(PID_A, ROOT_LINE);
	gone(PID_A);
	in_ns(PID_B, 2);
	table(PID_B, ROOT_LINE OVERLAY_51);
	ck_assert_int_eq(cls(PID_B, 51), MOUNT_DEV_READABLE);
	/* and back to FUSE in B */
	table(PID_B, ROOT_LINE FUSE_51);
	ck_assert_int_eq(cls(PID_B, 51), MOUNT_DEV_NEVER_READ);
}
END_TEST

/* Many writers of one namespace share one table; many namespaces hold
 * at most FSTYPE_NS_MAX descriptors, and all are closed at the end. */
START_TEST(test_bounded)
{
	int before, after, i;

	before = count_fds();
	table(PID_A, ROOT_LINE TMPFS_51);
	for (i = 0; i < 3 * FSTYPE_NS_MAX; i++) {
		pid_t pid = 1000 + i;

		in_ns(pid, 100 + i);
		table(pid, ROOT_LINE TMPFS_51);
		ck_assert_int_eq(cls(pid, 40 + (i % 2) * 11),
				 MOUNT_DEV_READABLE);
	}
	after = count_fds();
	ck_assert_int_le(after - before, FSTYPE_NS_MAX);
	fstype_cache_free(&fx.fc);
	ck_assert_int_eq(count_fds(), before);
	fstype_cache_init(&fx.fc);
}
END_TEST

/*
 * A table idle for FSTYPE_IDLE_MS is let go: it pins its mount namespace,
 * and with it the mounts of a container that has ended. One in use stays,
 * and a device it answered for is read anew after the expiry.
 */
START_TEST(test_idle_table_let_go)
{
	int before = count_fds();

	table(PID_A, ROOT_LINE FUSE_51);
	ck_assert_int_eq(cls(PID_A, 51), MOUNT_DEV_NEVER_READ);
	ck_assert_int_eq(count_fds(), before + 1);
	ck_assert_uint_eq(fstype_cache_expire(&fx.fc, now_ms()), 0);
	ck_assert_int_eq(count_fds(), before + 1);
	ck_assert_uint_eq(fstype_cache_expire(&fx.fc, now_ms() +
					      FSTYPE_IDLE_MS + 1), 1);
	ck_assert_int_eq(count_fds(), before);
	ck_assert_uint_eq(fx.fc.count, 0);
	/* asked again: read from the writer's table once more */
	table(PID_A, ROOT_LINE OVERLAY_51);
	ck_assert_int_eq(cls(PID_A, 51), MOUNT_DEV_READABLE);
	/* and the writer gone: nothing to ask, nothing made up */
	ck_assert_uint_eq(fstype_cache_expire(&fx.fc, now_ms() +
					      FSTYPE_IDLE_MS + 1), 1);
	gone(PID_A);
	ck_assert_int_eq(cls(PID_A, 51), MOUNT_DEV_UNKNOWN);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("fstype");
	TCase *tc = tcase_create("fstype");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_remembered);
	tcase_add_test(tc, test_reuse_tmpfs_then_fuse);
	tcase_add_test(tc, test_pinned);
	tcase_add_test(tc, test_reuse_fuse_then_overlay);
	tcase_add_test(tc, test_reuse_other_namespace);
	tcase_add_test(tc, test_bounded);
	tcase_add_test(tc, test_idle_table_let_go);
	suite_add_tcase(s, tc);
	return s;
}
