/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_record_names.c -- names as the writer meant them: relative to a
 * directory descriptor, through a dangling symlink, O_TMPFILE, the open
 * flags (intake/record.c) */
#include "testlib.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "candidate.h"
#include "intake/record.h"
#include "util/stats.h"

#define WRITER	4242

/* The writer's descriptor table while it lives: fd -> target. */
static const struct {
	int fd;
	const char *target;
} fds[] = {
	{ 3, "/srv/app" },
	{ 4, "/srv/old" },
	{ 5, "/srv/new/" },
	{ 6, "/srv/gone (deleted)" },
	{ 7, "socket:[1234]" },
	{ 9, "/tmp/target" },
};
static bool writer_alive;
static unsigned int fd_path_calls;

static char *fake_fd_path(pid_t pid, int fd, void *arg)
{
	size_t i;

	(void)arg;
	fd_path_calls++;
	if (!writer_alive || pid != WRITER)
		return NULL;
	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i].fd == fd)
			return strdup(fds[i].target);
	return NULL;
}

static struct candidate *got;
static unsigned int ngot;

static void collect(struct candidate *c, void *arg)
{
	(void)arg;
	ngot++;
	if (got)
		candidate_free(got);
	got = c;
}

static void setup(void)
{
	got = NULL;
	ngot = 0;
	writer_alive = true;
	fd_path_calls = 0;
}

static void teardown(void)
{
	candidate_free(got);
	got = NULL;
}

/* Feed one event: SYSCALL of ARCH/NR with a0..a3 and EXIT, a CWD of
 * /root, then the PATH records PATHS ("name=... nametype=..." parts). */
static void feed_event(const char *arch, int nr, const char *a0,
		       const char *a1, const char *a2, const char *a3,
		       int exit_, const char *const *paths, size_t npaths)
{
	struct record_reader r;
	struct stats st;
	char *text, *p;
	size_t i;
	FILE *f;
	size_t len;

	f = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(f);
	fprintf(f, "type=SYSCALL msg=audit(1800000000.100:500): arch=%s "
		"syscall=%d success=yes exit=%d a0=%s a1=%s a2=%s a3=%s "
		"items=%zu ppid=1 pid=%d auid=0 uid=0 gid=0 euid=0 suid=0 "
		"fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 comm=\"w\" "
		"exe=\"/bin/w\" key=\"dropped_executable\"\n"
		"type=CWD msg=audit(1800000000.100:500): cwd=\"/root\"\n",
		arch, nr, exit_, a0, a1, a2, a3, npaths, WRITER);
	for (i = 0; i < npaths; i++)
		fprintf(f, "type=PATH msg=audit(1800000000.100:500): "
			"item=%zu %s ouid=0 ogid=0 rdev=00:00 cap_fp=0 "
			"cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0\n",
			i, paths[i]);
	fprintf(f, "type=EOE msg=audit(1800000000.100:500): \n");
	fclose(f);
	stats_reset(&st);
	ck_assert_int_eq(record_reader_init(&r, collect, NULL, &st, 1), 0);
	r.filters.fd_path = fake_fd_path;
	for (p = text; *p; p++)
		;
	record_reader_feed(&r, text, (size_t)(p - text));
	record_reader_flush(&r);
	record_reader_destroy(&r);
	free(text);
}

#define PARENT(n)	"name=\"" n "\" inode=10 dev=fe:00 mode=040755 " \
			"nametype=PARENT"
#define CREATE(n)	"name=\"" n "\" inode=11 dev=fe:00 mode=0100755 " \
			"nametype=CREATE"
#define NORMAL(n)	"name=\"" n "\" inode=12 dev=fe:00 mode=0100755 " \
			"nametype=NORMAL"
#define DELETE(n)	"name=\"" n "\" inode=12 dev=fe:00 mode=0100755 " \
			"nametype=DELETE"

static const char *const create_rel[] = { PARENT("/"), CREATE("rel") };
#define NPATHS(a)	(sizeof(a) / sizeof((a)[0]))

/* openat(3, "rel"): joined with the directory of descriptor 3, not with
 * the working directory. */
START_TEST(test_openat_dirfd)
{
	feed_event("c000003e", 257, "3", "55d0", "241", "1ed", 5,
		   create_rel, NPATHS(create_rel));
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got->path, "/srv/app/rel");
	ck_assert_int_eq(got->dirfd, 3);
	ck_assert(!got->name_unresolved);
	ck_assert_int_eq(got->fd, 5);
	ck_assert_uint_eq(got->open_flags, O_WRONLY | O_CREAT | O_TRUNC);
	ck_assert(!got->tmpfile);
	ck_assert_uint_eq(fd_path_calls, 1);
}
END_TEST

/* The descriptor is gone: no path is invented; the name stays relative,
 * marked, with the pid and fd the check can use. */
START_TEST(test_openat_dirfd_gone)
{
	writer_alive = false;
	feed_event("c000003e", 257, "3", "55d0", "241", "1ed", 5,
		   create_rel, NPATHS(create_rel));
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got->path, "rel");
	ck_assert(got->name_unresolved);
	ck_assert_int_eq(got->dirfd, 3);
	ck_assert_int_eq(got->fd, 5);
	ck_assert_int_eq(got->pid, WRITER);
}
END_TEST

/* A deleted directory or a descriptor that is no directory gives no
 * place either. */
START_TEST(test_openat_dirfd_unusable)
{
	feed_event("c000003e", 257, "6", "55d0", "241", "1ed", 5,
		   create_rel, NPATHS(create_rel));
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got->path, "rel");
	ck_assert(got->name_unresolved);
	feed_event("c000003e", 257, "7", "55d0", "241", "1ed", 5,
		   create_rel, NPATHS(create_rel));
	ck_assert_str_eq(got->path, "rel");
	ck_assert(got->name_unresolved);
}
END_TEST

/* AT_FDCWD, 64- and 32-bit: the working directory, no /proc read. */
START_TEST(test_openat_cwd)
{
	feed_event("c000003e", 257, "ffffffffffffff9c", "55d0", "241", "1ed",
		   5, create_rel, NPATHS(create_rel));
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got->path, "/root/rel");
	ck_assert_int_eq(got->dirfd, AT_FDCWD);
	ck_assert(!got->name_unresolved);
	/* i386 openat is 295 */
	feed_event("40000003", 295, "ffffff9c", "55d0", "241", "1ed", 5,
		   create_rel, NPATHS(create_rel));
	ck_assert_str_eq(got->path, "/root/rel");
	ck_assert_int_eq(got->dirfd, AT_FDCWD);
	ck_assert_uint_eq(fd_path_calls, 0);
}
END_TEST

/* An absolute name ignores the descriptor (no /proc read). */
START_TEST(test_openat_absolute)
{
	static const char *const abs_[] = { PARENT("/tmp/"), CREATE("/tmp/x") };

	feed_event("c000003e", 257, "3", "55d0", "241", "1ed", 5,
		   abs_, NPATHS(abs_));
	ck_assert_str_eq(got->path, "/tmp/x");
	ck_assert(!got->name_unresolved);
	ck_assert_uint_eq(fd_path_calls, 0);
}
END_TEST

/* openat2 (437): dirfd in a0; its flags are behind a pointer. */
START_TEST(test_openat2_dirfd)
{
	feed_event("c000003e", 437, "3", "55d0", "7ffc0000", "18", 5,
		   create_rel, NPATHS(create_rel));
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got->path, "/srv/app/rel");
	ck_assert_uint_eq(got->open_flags, 0);
}
END_TEST

/* renameat(4, "old", 5, "new"): each name against its own descriptor. */
START_TEST(test_renameat_dirfds)
{
	static const char *const ren[] = {
		PARENT("/"), PARENT("/"), DELETE("old"), CREATE("new"),
	};

	feed_event("c000003e", 264, "4", "55d0", "5", "55e0", 0, ren,
		   NPATHS(ren));
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got->path, "/srv/new/new");
	ck_assert_str_eq(got->old_path, "/srv/old/old");
	ck_assert_int_eq(got->dirfd, 5);
	/* renameat2 (316) the same; the source's descriptor gone */
	feed_event("c000003e", 316, "8", "55d0", "5", "55e0", 0, ren,
		   NPATHS(ren));
	ck_assert_str_eq(got->path, "/srv/new/new");
	ck_assert_str_eq(got->old_path, "old");
}
END_TEST

/* linkat(4, "old", 3, "new") */
START_TEST(test_linkat_dirfds)
{
	static const char *const lnk[] = {
		NORMAL("old"), PARENT("/"), CREATE("new"),
	};

	feed_event("c000003e", 265, "4", "55d0", "3", "55e0", 0, lnk,
		   NPATHS(lnk));
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got->path, "/srv/app/new");
	ck_assert_str_eq(got->old_path, "/srv/old/old");
}
END_TEST

/* A create through a dangling symlink (as this kernel records it: the
 * link's directory is the only name, the file a (null) CREATE item; an
 * inode-less (null) CREATE comes first). The candidate takes the file's
 * inode, keeps the fd, and its name is what the writer's descriptor
 * gives. */
static const char *const dangling[] = {
	PARENT("/tmp/"),
	"name=(null) inode=10 dev=fe:00 mode=040755 nametype=PARENT",
	"name=(null) nametype=CREATE",
	"name=(null) inode=10 dev=fe:00 mode=040755 nametype=PARENT",
	"name=(null) inode=99 dev=fe:00 mode=0100755 nametype=CREATE",
};

START_TEST(test_dangling_symlink)
{
	feed_event("c000003e", 257, "ffffff9c", "55d0", "80041", "1ed", 9,
		   dangling, NPATHS(dangling));
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got->path, "/tmp/target");
	ck_assert(!got->name_unresolved);
	ck_assert(got->has_inode);
	ck_assert_uint_eq(got->inode, 99);
	ck_assert_uint_eq(got->mode, 0100755);
	ck_assert_int_eq(got->fd, 9);
	ck_assert(got->new_content);
}
END_TEST

/* The same with the writer gone: the name it knows (the directory's),
 * marked unresolved. */
START_TEST(test_dangling_symlink_gone)
{
	writer_alive = false;
	feed_event("c000003e", 257, "ffffff9c", "55d0", "80041", "1ed", 9,
		   dangling, NPATHS(dangling));
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got->path, "/tmp/");
	ck_assert(got->name_unresolved);
	ck_assert_uint_eq(got->inode, 99);
	ck_assert_int_eq(got->fd, 9);
}
END_TEST

/* The same in a container, on overlayfs (recorded in tests/e2e/content.sh
 * k): the layers add nameless PARENT and inode-less CREATE items, eight
 * in all, before the file's own CREATE item (on the overlay's device,
 * the named directory's; the upper layer's copy comes before it). */
static const char *const dangling_overlay[] = {
	"name=\"/tmp/\" inode=1253950 dev=00:28 mode=041777 nametype=PARENT",
	"name=(null) inode=1253950 dev=00:28 mode=041777 nametype=PARENT",
	"name=(null) nametype=CREATE",
	"name=(null) inode=1255782 dev=fe:00 mode=041777 nametype=PARENT",
	"name=(null) nametype=CREATE",
	"name=(null) inode=1255782 dev=fe:00 mode=041777 nametype=PARENT",
	"name=(null) inode=1255784 dev=fe:00 mode=0100755 nametype=CREATE",
	"name=(null) inode=1253950 dev=00:28 mode=041777 nametype=PARENT",
	"name=(null) inode=1255784 dev=00:28 mode=0100755 nametype=CREATE",
};

START_TEST(test_dangling_symlink_overlay)
{
	feed_event("c000003e", 257, "ffffff9c", "55d0", "41", "1ed", 9,
		   dangling_overlay, NPATHS(dangling_overlay));
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got->path, "/tmp/target");
	ck_assert(!got->name_unresolved);
	ck_assert(got->has_inode);
	ck_assert_uint_eq(got->inode, 1255784);
	ck_assert_uint_eq(got->dev_major, 0);
	ck_assert_uint_eq(got->dev_minor, 0x28);
	ck_assert_int_eq(got->fd, 9);
	ck_assert(got->new_content);
}
END_TEST

/* A kernel that names the link itself (a symlink NORMAL item). */
START_TEST(test_dangling_symlink_named_link)
{
	static const char *const named[] = {
		PARENT("/tmp/"),
		"name=\"/tmp/link\" inode=20 dev=fe:00 mode=0120777 "
		"nametype=NORMAL",
		"name=(null) inode=99 dev=fe:00 mode=0100755 nametype=CREATE",
	};

	writer_alive = false;
	feed_event("c000003e", 257, "ffffff9c", "55d0", "241", "1ed", 9,
		   named, NPATHS(named));
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got->path, "/tmp/link");
	ck_assert(got->name_unresolved);
	ck_assert_uint_eq(got->inode, 99);
}
END_TEST

/* Without a descriptor (a failed fd, a rename) nothing is guessed. */
START_TEST(test_nameless_rename_ignored)
{
	static const char *const ren[] = {
		PARENT("/tmp/"),
		"name=(null) inode=99 dev=fe:00 mode=0100755 nametype=CREATE",
	};

	feed_event("c000003e", 82, "55d0", "55e0", "0", "0", 0,
		   ren, NPATHS(ren));
	ck_assert_ptr_null(got);
}
END_TEST

/* An open of an existing symlink's target (no nameless CREATE) is what
 * it was: not a regular file by its item, ignored. */
START_TEST(test_symlink_no_create)
{
	static const char *const link_only[] = {
		"name=\"/tmp/link\" inode=20 dev=fe:00 mode=0120777 "
		"nametype=NORMAL",
	};

	feed_event("c000003e", 2, "55d0", "1", "0", "0", 9,
		   link_only, NPATHS(link_only));
	ck_assert_ptr_null(got);
}
END_TEST

/* open(2) and creat(2): the flags are recorded. */
START_TEST(test_open_flags)
{
	static const char *const abs_[] = { PARENT("/tmp/"), CREATE("/tmp/x") };

	feed_event("c000003e", 2, "55d0", "441", "1ed", "0", 5,
		   abs_, NPATHS(abs_));
	ck_assert_ptr_nonnull(got);
	ck_assert_uint_eq(got->open_flags, O_WRONLY | O_CREAT | O_APPEND);
	ck_assert_int_eq(got->dirfd, AT_FDCWD);
	feed_event("c000003e", 85, "55d0", "1ed", "0", "0", 5,
		   abs_, NPATHS(abs_));
	ck_assert_uint_eq(got->open_flags, O_WRONLY | O_CREAT | O_TRUNC);
}
END_TEST

/* O_TMPFILE: a new file without a name; the record names the directory.
 * Not ignored for the directory's mode; marked. */
START_TEST(test_tmpfile)
{
	static const char *const dir[] = {
		"name=\"/tmp\" inode=2 dev=fe:00 mode=041777 "
		"nametype=NORMAL",
	};
	char flags[32];

	snprintf(flags, sizeof(flags), "%x", O_TMPFILE | O_WRONLY);
	feed_event("c000003e", 257, "ffffff9c", "55d0", flags, "1ed", 5,
		   dir, NPATHS(dir));
	ck_assert_ptr_nonnull(got);
	ck_assert(got->tmpfile);
	ck_assert(got->new_content);
	ck_assert_str_eq(got->path, "/tmp");
	ck_assert(!got->has_inode);
	ck_assert_int_eq(got->fd, 5);
	ck_assert_uint_eq(got->open_flags, (unsigned int)(O_TMPFILE |
							  O_WRONLY));
	/* O_DIRECTORY alone is no O_TMPFILE */
	snprintf(flags, sizeof(flags), "%x", O_DIRECTORY | O_WRONLY);
	candidate_free(got);
	got = NULL;
	feed_event("c000003e", 257, "ffffff9c", "55d0", flags, "1ed", 5,
		   dir, NPATHS(dir));
	ck_assert_ptr_null(got);
}
END_TEST

/* A name that looks like a memfd's is an ordinary name here. */
START_TEST(test_memfd_like_name)
{
	static const char *const m[] = { PARENT("/"), CREATE("memfd:x") };

	writer_alive = false;
	feed_event("c000003e", 257, "3", "55d0", "241", "1ed", 5, m,
		   NPATHS(m));
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got->path, "memfd:x");
	ck_assert(got->name_unresolved);
}
END_TEST

/* --- real records: tests/fixtures/names/names.log ------------------------ */

/* The writer of names.log (see tests/fixtures/names/capture.sh) and its
 * descriptors as they were. */
#define NAMES_PID	966

static char *names_fd_path(pid_t pid, int fd, void *arg)
{
	(void)arg;
	if (!writer_alive || pid != NAMES_PID)
		return NULL;
	switch (fd) {
	case 3:
		return strdup("/tmp/names/sub");
	case 6:
		return strdup("/tmp/names/target");
	case 7:
		return strdup("/tmp/names/#10997691 (deleted)");
	}
	return NULL;
}

#define NAMES_MAX	16
static struct candidate *names[NAMES_MAX];
static size_t nnames;

static void names_collect(struct candidate *c, void *arg)
{
	(void)arg;
	if (nnames < NAMES_MAX)
		names[nnames++] = c;
	else
		candidate_free(c);
}

static void feed_names(void)
{
	struct record_reader r;
	struct stats st;
	size_t len;
	char *text = test_read_file(FIXTURE_DIR "/names/names.log", &len);

	nnames = 0;
	stats_reset(&st);
	ck_assert_int_eq(record_reader_init(&r, names_collect, NULL, &st, 1),
			 0);
	r.filters.fd_path = names_fd_path;
	record_reader_feed(&r, text, len);
	record_reader_flush(&r);
	record_reader_destroy(&r);
	free(text);
}

/* The candidate of serial SERIAL. */
static struct candidate *names_serial(uint64_t serial)
{
	size_t i;

	for (i = 0; i < nnames; i++)
		if (names[i]->serial == serial)
			return names[i];
	ck_abort_msg("no candidate of serial %llu",
		     (unsigned long long)serial);
	return NULL;
}

static void names_free(void)
{
	while (nnames)
		candidate_free(names[--nnames]);
}

START_TEST(test_fixture_names)
{
	struct candidate *c;

	feed_names();
	/* openat(sub, "rel1") */
	c = names_serial(758579);
	ck_assert_str_eq(c->path, "/tmp/names/sub/rel1");
	ck_assert_int_eq(c->dirfd, 3);
	ck_assert_uint_eq(c->open_flags, 0x80241);
	/* openat2(sub, "rel2"): flags from the OPENAT2 record */
	c = names_serial(758580);
	ck_assert_str_eq(c->path, "/tmp/names/sub/rel2");
	ck_assert_uint_eq(c->open_flags, O_WRONLY | O_CREAT);
	/* renameat(sub, "rel1", sub, "rel3") */
	c = names_serial(758581);
	ck_assert_str_eq(c->path, "/tmp/names/sub/rel3");
	ck_assert_str_eq(c->old_path, "/tmp/names/sub/rel1");
	/* linkat(sub, "rel3", sub, "rel4") */
	c = names_serial(758582);
	ck_assert_str_eq(c->path, "/tmp/names/sub/rel4");
	ck_assert_str_eq(c->old_path, "/tmp/names/sub/rel3");
	/* open("link" -> missing "target", O_CREAT) */
	c = names_serial(758583);
	ck_assert_str_eq(c->path, "/tmp/names/target");
	ck_assert_uint_eq(c->inode, 10997689);
	ck_assert_int_eq(c->fd, 6);
	/* open(dir, O_TMPFILE): the file's inode under the directory's
	 * name */
	c = names_serial(758584);
	ck_assert(c->tmpfile);
	ck_assert_str_eq(c->path, "/tmp/names");
	ck_assert_uint_eq(c->inode, 10997691);
	ck_assert_int_eq(c->fd, 7);
	/* linkat(tmpfd, "", AT_FDCWD, "named", AT_EMPTY_PATH) */
	c = names_serial(758585);
	ck_assert_int_eq(c->op, FILE_OP_LINK);
	ck_assert_str_eq(c->path, "/tmp/names/named");
	ck_assert_uint_eq(c->inode, 10997691);
	/* an ordinary file named memfd:x */
	c = names_serial(758586);
	ck_assert_str_eq(c->path, "/tmp/names/memfd:x");
	/* a real memfd, opened through /proc: on the memfd device */
	c = names_serial(758587);
	ck_assert_uint_eq(c->dev_major, 0);
	ck_assert_uint_eq(c->dev_minor, 1);
	names_free();
}
END_TEST

/* The writer gone: no invented directory. */
START_TEST(test_fixture_names_gone)
{
	struct candidate *c;

	writer_alive = false;
	feed_names();
	c = names_serial(758579);
	ck_assert_str_eq(c->path, "rel1");
	ck_assert(c->name_unresolved);
	c = names_serial(758583);
	ck_assert_str_eq(c->path, "/tmp/names/");
	ck_assert(c->name_unresolved);
	ck_assert_uint_eq(c->inode, 10997689);
	names_free();
}
END_TEST

void record_names_tcases(Suite *s)
{
	TCase *tc = tcase_create("names");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_openat_dirfd);
	tcase_add_test(tc, test_openat_dirfd_gone);
	tcase_add_test(tc, test_openat_dirfd_unusable);
	tcase_add_test(tc, test_openat_cwd);
	tcase_add_test(tc, test_openat_absolute);
	tcase_add_test(tc, test_openat2_dirfd);
	tcase_add_test(tc, test_renameat_dirfds);
	tcase_add_test(tc, test_linkat_dirfds);
	tcase_add_test(tc, test_dangling_symlink);
	tcase_add_test(tc, test_dangling_symlink_gone);
	tcase_add_test(tc, test_dangling_symlink_overlay);
	tcase_add_test(tc, test_dangling_symlink_named_link);
	tcase_add_test(tc, test_nameless_rename_ignored);
	tcase_add_test(tc, test_fixture_names);
	tcase_add_test(tc, test_fixture_names_gone);
	tcase_add_test(tc, test_symlink_no_create);
	tcase_add_test(tc, test_open_flags);
	tcase_add_test(tc, test_tmpfile);
	tcase_add_test(tc, test_memfd_like_name);
	suite_add_tcase(s, tc);
}
