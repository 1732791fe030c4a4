/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_safeopen.c -- opening a file a container named, inside that container */
#include "testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>

#include "candidate.h"
#include "check/classify.h"
#include "check/safeopen.h"
#include "util/privs.h"

/*
 * A fake procfs and a fake container:
 *
 *   BASE/proc/100/root  -> BASE/root    the writer's root (a symlink here;
 *                                       inspect_open() opens it with
 *                                       O_PATH|O_DIRECTORY, which follows it
 *                                       as it follows the real magic link)
 *   BASE/proc/100/fd/N  -> a file       the writer's descriptors
 *   BASE/root/{tmp,etc,dev}             the container's file system
 *
 * The host file the container tries to make us read is the real
 * /etc/passwd; a candidate "pointing at the host" carries its device and
 * inode, so that only a resolution that left the container's root could
 * ever reach it and pass the device/inode check.
 */
#define PID_W		100	/* the writer */
#define PID_PARENT	50	/* its parent */
#define HOST_FILE	"/etc/passwd"
#define ELF_SRC		"/proc/self/exe"

struct fake {
	char *base, *proc, *root;
};

static char *join(const char *a, const char *b)
{
	char *out;

	ck_assert_int_ne(asprintf(&out, "%s/%s", a, b), -1);
	return out;
}

static void mkdir_p(const char *base, const char *rel)
{
	char *p = join(base, rel);

	ck_assert_msg(mkdir(p, 0755) == 0 || errno == EEXIST, "mkdir(%s): %s",
		      p, strerror(errno));
	free(p);
}

static void symlink_at(const char *target, const char *base, const char *rel)
{
	char *p = join(base, rel);

	ck_assert_msg(symlink(target, p) == 0, "symlink(%s, %s): %s", target,
		      p, strerror(errno));
	free(p);
}

/* The fake procfs with PID_W whose root is the fake container. */
static void fake_init(struct fake *f, bool with_pid)
{
	char *pid_dir;

	f->base = test_mkdtemp();
	f->proc = join(f->base, "proc");
	f->root = join(f->base, "root");
	ck_assert_int_eq(mkdir(f->proc, 0755), 0);
	ck_assert_int_eq(mkdir(f->root, 0755), 0);
	mkdir_p(f->root, "tmp");
	mkdir_p(f->root, "etc");
	mkdir_p(f->root, "dev");
	if (with_pid) {
		ck_assert_int_ne(asprintf(&pid_dir, "%s/%d", f->proc, PID_W),
				 -1);
		ck_assert_int_eq(mkdir(pid_dir, 0755), 0);
		symlink_at(f->root, pid_dir, "root");
		mkdir_p(pid_dir, "fd");
		free(pid_dir);
	}
}

static void fake_free(struct fake *f)
{
	test_rmtree(f->base);
	free(f->base);
	free(f->proc);
	free(f->root);
}

/* BASE/proc/PID/fd/N -> TARGET */
static void fake_fd(const struct fake *f, pid_t pid, int n, const char *target)
{
	char *p;

	ck_assert_int_ne(asprintf(&p, "%s/%d/fd/%d", f->proc, (int)pid, n),
			 -1);
	unlink(p);
	ck_assert_msg(symlink(target, p) == 0, "symlink %s: %s", p,
		      strerror(errno));
	free(p);
}

/* The first LEN bytes of an ELF file (this test program). */
static unsigned char *elf_head(size_t len)
{
	unsigned char *buf = malloc(len);
	size_t got = 0;
	int fd = open(ELF_SRC, O_RDONLY | O_CLOEXEC);

	ck_assert_ptr_nonnull(buf);
	ck_assert_int_ge(fd, 0);
	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);

		ck_assert_int_gt(n, 0);
		got += (size_t)n;
	}
	close(fd);
	ck_assert(!memcmp(buf, "\x7f" "ELF", 4));
	return buf;
}

/* A container file REL (below the root) holding an ELF head of LEN. */
static char *put_elf(const struct fake *f, const char *rel, size_t len)
{
	unsigned char *head = elf_head(len);
	char *p = test_write_file(f->root, rel, head, len, 0755);

	free(head);
	return p;
}

/*
 * A candidate of PID naming PATH (as the process sees it), with FD as
 * the open's descriptor (or -1), and the device and inode of the real
 * file INODE_OF (NULL: no inode in the record).
 */
static struct candidate *cand(pid_t pid, const char *path, int fd,
			      const char *inode_of)
{
	struct candidate *c = candidate_new();
	struct stat st;

	ck_assert_ptr_nonnull(c);
	c->pid = pid;
	c->ppid = PID_PARENT;
	c->path = strdup(path);
	ck_assert_ptr_nonnull(c->path);
	c->fd = fd;
	c->op = FILE_OP_OPEN;
	c->container.in_container = true;
	if (inode_of) {
		ck_assert_msg(stat(inode_of, &st) == 0, "stat(%s): %s",
			      inode_of, strerror(errno));
		c->has_inode = true;
		c->inode = st.st_ino;
		c->dev_major = major(st.st_dev);
		c->dev_minor = minor(st.st_dev);
		c->mode = st.st_mode;
	}
	return c;
}

/* The file FC reached is the file at PATH (same device and inode). */
static void assert_same_file(const struct file_check *fc, const char *path)
{
	struct stat st;

	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(fc->st.st_ino, st.st_ino);
	ck_assert_uint_eq(fc->st.st_dev, st.st_dev);
}

/* C must not reach anything: no descriptor, and never the host file. */
static enum inspect_status expect_not_ok(const char *proc,
					 const struct candidate *c,
					 bool parent_same_root,
					 const char *mount_root)
{
	struct file_check fc;
	struct stat host;
	enum inspect_status st;

	st = inspect_open(proc, c, parent_same_root, mount_root, &fc);
	ck_assert_int_eq(stat(HOST_FILE, &host), 0);
	ck_assert_msg(st != INSPECT_OK, "%s reached %s (inode %llu) via %s",
		      c->path, HOST_FILE, (unsigned long long)fc.st.st_ino,
		      inspect_via_name(fc.via));
	ck_assert_int_eq(fc.fd, -1);
	ck_assert_uint_eq(fc.head_len, 0);
	inspect_close(&fc);
	return st;
}

static double elapsed_s(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/*
 * Root only: a private mount namespace for this test (Check forks each
 * test, so nothing mounted here outlives it). False when not possible.
 */
static bool private_mounts(void)
{
	if (geteuid() != 0)
		return false;
	if (unshare(CLONE_NEWNS) < 0)
		return false;
	return mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0;
}

/* --- the normal cases ------------------------------------------------------ */

/* A regular file in the container's root is reached by its name. */
START_TEST(test_regular_file_by_name)
{
	struct fake f;
	struct file_check fc;
	struct candidate *c;
	unsigned char *want = elf_head(4096);
	char *file;

	fake_init(&f, true);
	file = put_elf(&f, "tmp/drop", 4096);
	c = cand(PID_W, "/tmp/drop", -1, file);
	ck_assert_int_eq(inspect_open(f.proc, c, false, NULL, &fc), INSPECT_OK);
	ck_assert_int_eq(fc.via, VIA_PROC_ROOT);
	ck_assert_str_eq(inspect_via_name(fc.via), "proc-root");
	ck_assert_int_ge(fc.fd, 0);
	ck_assert(S_ISREG(fc.st.st_mode));
	assert_same_file(&fc, file);
	ck_assert_uint_eq(fc.head_len, 4096);
	ck_assert(!memcmp(fc.head, want, 4096));
	/* the descriptor is read-only, and not inherited by children */
	ck_assert_int_eq(fcntl(fc.fd, F_GETFL) & O_ACCMODE, O_RDONLY);
	ck_assert(fcntl(fc.fd, F_GETFD) & FD_CLOEXEC);
	inspect_close(&fc);
	ck_assert_int_eq(fc.fd, -1);
	candidate_free(c);
	free(file);
	free(want);
	fake_free(&f);
}
END_TEST

/* Set FILE's access time to 1 s after the epoch (older than its
 * mtime: a read would change it where the mount keeps access times). */
static void age_atime(const char *file)
{
	struct timespec t[2] = { { 1, 0 }, { 0, UTIME_OMIT } };

	ck_assert_int_eq(utimensat(AT_FDCWD, file, t, 0), 0);
}

static time_t atime_of(const char *file)
{
	struct stat st;

	ck_assert_int_eq(stat(file, &st), 0);
	return st.st_atim.tv_sec;
}

/*
 * The look leaves a dropped file's access time as it was: the
 * investigator reads there whether the file was read or run, and the
 * look, a read of the whole file, would otherwise set it to the time of
 * the check. A file of another owner (a rootless container's) is still
 * looked at, without O_NOATIME (which needs CAP_FOWNER for it).
 */
START_TEST(test_look_keeps_atime)
{
	struct fake f;
	struct file_check fc;
	struct candidate *c;
	char buf[4096], *file;
	int fd;

	fake_init(&f, true);
	file = put_elf(&f, "tmp/drop", 3 * sizeof(buf));
	/* does this mount keep access times? a plain read says */
	age_atime(file);
	fd = open(file, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_gt(read(fd, buf, sizeof(buf)), 0);
	close(fd);
	if (atime_of(file) == 1)
		test_skip("the file system of %s keeps no access times", file);

	age_atime(file);
	c = cand(PID_W, "/tmp/drop", -1, file);
	ck_assert_int_eq(inspect_open(f.proc, c, false, NULL, &fc), INSPECT_OK);
	while (read(fc.fd, buf, sizeof(buf)) > 0)
		;
	inspect_close(&fc);
	ck_assert_int_eq(atime_of(file), 1);

	if (geteuid() == 0) {
		struct stat mine;
		int pfd, rfd;

		/* with the plugin's capabilities (no CAP_FOWNER), another's
		 * file is still read; so is one given away between the
		 * fstat and the reopen */
		ck_assert_int_eq(stat(file, &mine), 0);
		ck_assert_int_eq(chown(file, 12345, 12345), 0);
		ck_assert_int_eq(privs_drop(), 0);
		ck_assert_int_eq(inspect_open(f.proc, c, false, NULL, &fc),
				 INSPECT_OK);
		ck_assert_uint_gt(fc.head_len, 0);
		inspect_close(&fc);
		pfd = open(file, O_PATH | O_CLOEXEC);
		ck_assert_int_ge(pfd, 0);
		rfd = inspect_reopen(pfd, &mine);
		ck_assert_int_ge(rfd, 0);
		close(rfd);
		close(pfd);
	}
	candidate_free(c);
	free(file);
	fake_free(&f);
}
END_TEST

/* The writers of FILE as inspect_open() reports them (candidate of
 * PID_W naming REL in F's root). */
static enum inspect_writers writers_now(const struct fake *f, const char *rel,
					const char *file)
{
	struct file_check fc;
	struct candidate *c = cand(PID_W, rel, -1, file);
	enum inspect_writers w;

	ck_assert_int_eq(inspect_open(f->proc, c, false, NULL, &fc),
			 INSPECT_OK);
	w = fc.writers;
	inspect_close(&fc);
	candidate_free(c);
	return w;
}

/*
 * Whether anyone holds the file open for writing, as the kernel counts
 * it: a descriptor open for writing, or a shared writable mapping whose
 * descriptor is closed (which no search of descriptors finds); not a
 * read-only descriptor or mapping. Unknown only where no lease is to be
 * had (fs.leases-enable = 0).
 */
START_TEST(test_writers_counted_by_kernel)
{
	struct fake f;
	char *file;
	void *m;
	int fd;

	fake_init(&f, true);
	file = put_elf(&f, "tmp/held", 4096);
	if (writers_now(&f, "/tmp/held", file) == INSPECT_WRITERS_UNKNOWN) {
		fprintf(stderr, "# skipped: no read lease here\n");
		goto out;
	}
	ck_assert_int_eq(writers_now(&f, "/tmp/held", file),
			 INSPECT_WRITERS_NONE);
	fd = open(file, O_WRONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(writers_now(&f, "/tmp/held", file),
			 INSPECT_WRITERS_SOME);
	close(fd);
	ck_assert_int_eq(writers_now(&f, "/tmp/held", file),
			 INSPECT_WRITERS_NONE);

	fd = open(file, O_RDWR | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ck_assert_ptr_ne(m, MAP_FAILED);
	close(fd);
	ck_assert_int_eq(writers_now(&f, "/tmp/held", file),
			 INSPECT_WRITERS_SOME);
	munmap(m, 4096);

	fd = open(file, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	ck_assert_ptr_ne(m, MAP_FAILED);
	ck_assert_int_eq(writers_now(&f, "/tmp/held", file),
			 INSPECT_WRITERS_NONE);
	munmap(m, 4096);
	close(fd);
out:
	free(file);
	fake_free(&f);
}
END_TEST

/*
 * A shared writable mapping of an overlay's file whose descriptor is
 * closed: the kernel counts it on the file of the overlay's upper
 * directory, not on the overlay's, so the overlay's own lease says nobody
 * writes. Asked in the upper directory, the file is held until the
 * mapping goes. A file of that name that is not the overlay's (another
 * directory given as the upper one) is not asked: unknown.
 */
START_TEST(test_overlay_mapping_seen_in_upper)
{
	char *lower, *upper, *work, *other, *opts, *file;
	struct file_check fc;
	struct candidate *c;
	struct fake f;
	void *m;
	int fd;

	if (!private_mounts())
		test_skip("needs root and a mount namespace of its own");
	/* no writer's root: the file is reached from the host through the
	 * overlay's mount point, as when the writer is gone (the name the
	 * kernel gives it here is the host's, as it is then) */
	fake_init(&f, false);
	lower = join(f.base, "lower");
	upper = join(f.base, "upper");
	work = join(f.base, "work");
	other = join(f.base, "other");
	ck_assert_int_eq(mkdir(lower, 0755), 0);
	ck_assert_int_eq(mkdir(upper, 0755), 0);
	ck_assert_int_eq(mkdir(work, 0755), 0);
	ck_assert_int_ne(asprintf(&opts, "lowerdir=%s,upperdir=%s,workdir=%s",
				  lower, upper, work), -1);
	if (mount("overlay", f.root, "overlay", 0, opts) < 0)
		test_skip("no overlay mount here: %s", strerror(errno));
	mkdir_p(f.root, "tmp");
	file = test_write_file(f.root, "tmp/mapped", "# text\n", 7, 0755);
	fd = open(file, O_RDWR | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, 4096), 0);
	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ck_assert_ptr_ne(m, MAP_FAILED);
	close(fd);
	c = cand(PID_W, "/tmp/mapped", -1, file);

	ck_assert_int_eq(inspect_open_in(f.proc, c, false, f.root, NULL, NULL,
					 &fc), INSPECT_OK);
	ck_assert(fc.on_overlay);
	ck_assert_int_eq(fc.via, VIA_MOUNT_ROOT);
	if (fc.writers == INSPECT_WRITERS_UNKNOWN)
		test_skip("no read lease here");
	ck_assert_int_eq(fc.writers, INSPECT_WRITERS_NONE);	/* blind */
	inspect_close(&fc);

	ck_assert_int_eq(inspect_open_in(f.proc, c, false, f.root, upper, NULL,
					 &fc), INSPECT_OK);
	ck_assert_int_eq(fc.writers, INSPECT_WRITERS_SOME);
	ck_assert(!fc.leased);
	ck_assert_uint_eq(fc.head_len, 4096);
	inspect_close(&fc);

	/* another directory with a file of that name is not the upper */
	ck_assert_int_eq(mkdir(other, 0755), 0);
	mkdir_p(other, "tmp");
	free(test_write_file(other, "tmp/mapped", "# text\n", 7, 0755));
	ck_assert_int_eq(inspect_open_in(f.proc, c, false, f.root, other, NULL,
					 &fc), INSPECT_OK);
	ck_assert_int_eq(fc.writers, INSPECT_WRITERS_UNKNOWN);
	inspect_close(&fc);

	munmap(m, 4096);
	ck_assert_int_eq(inspect_open_in(f.proc, c, false, f.root, upper, NULL,
					 &fc), INSPECT_OK);
	ck_assert_int_eq(fc.writers, INSPECT_WRITERS_NONE);
	inspect_close(&fc);

	candidate_free(c);
	umount2(f.root, MNT_DETACH);
	free(file);
	free(opts);
	free(lower);
	free(upper);
	free(work);
	free(other);
	fake_free(&f);
}
END_TEST

/*
 * A write lease of another process (here this one, on another
 * descriptor) keeps every open from the file: the look finds it, says
 * INSPECT_LEASED with what it is (st), at once (never waiting
 * lease-break-time), and tries no other way to it; once the lease is
 * gone the file is read.
 */
START_TEST(test_write_lease_said)
{
	struct fake f;
	struct file_check fc;
	struct candidate *c;
	struct timespec t0;
	char *file;
	int fd;

	signal(SIGIO, SIG_IGN);		/* the look breaks the lease */
	fake_init(&f, true);
	file = put_elf(&f, "tmp/leased", 4096);
	fd = open(file, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	if (fcntl(fd, F_SETLEASE, F_WRLCK) < 0) {
		fprintf(stderr, "# skipped: no write lease here\n");
		goto out;
	}
	c = cand(PID_W, "/tmp/leased", -1, file);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(inspect_open(f.proc, c, false, NULL, &fc),
			 INSPECT_LEASED);
	ck_assert_str_eq(inspect_status_name(INSPECT_LEASED), "leased");
	ck_assert(elapsed_s(&t0) < 1.0);
	ck_assert_int_eq(fc.fd, -1);
	assert_same_file(&fc, file);
	fcntl(fd, F_SETLEASE, F_UNLCK);
	ck_assert_int_eq(inspect_open(f.proc, c, false, NULL, &fc),
			 INSPECT_OK);
	inspect_close(&fc);
	candidate_free(c);
out:
	close(fd);
	free(file);
	fake_free(&f);
}
END_TEST

/* Only a bounded head is read, whatever the file's size. */
START_TEST(test_head_is_bounded)
{
	struct fake f;
	struct file_check fc;
	struct candidate *c;
	char *file;

	fake_init(&f, true);
	file = put_elf(&f, "tmp/big", 3 * CLASSIFY_HEAD_LEN + 17);
	c = cand(PID_W, "/tmp/big", -1, file);
	ck_assert_int_eq(inspect_open(f.proc, c, false, NULL, &fc), INSPECT_OK);
	ck_assert_uint_eq(fc.head_len, CLASSIFY_HEAD_LEN);
	ck_assert_int_eq(fc.st.st_size, 3 * CLASSIFY_HEAD_LEN + 17);
	inspect_close(&fc);
	candidate_free(c);
	free(file);

	/* and a short one gives what is there */
	file = put_elf(&f, "tmp/small", 10);
	c = cand(PID_W, "/tmp/small", -1, file);
	ck_assert_int_eq(inspect_open(f.proc, c, false, NULL, &fc), INSPECT_OK);
	ck_assert_uint_eq(fc.head_len, 10);
	inspect_close(&fc);
	candidate_free(c);
	free(file);
	fake_free(&f);
}
END_TEST

/* A symlink inside the container is resolved in the container: the
 * container's own /etc/passwd is reached, never the host's. */
START_TEST(test_symlink_resolved_in_root)
{
	static const char mine[] = "root:x:0:0:container:/root:/bin/sh\n";
	struct fake f;
	struct file_check fc;
	struct candidate *c;
	char *file;

	fake_init(&f, true);
	file = test_write_file(f.root, "etc/passwd", mine, strlen(mine), 0644);
	symlink_at("/etc/passwd", f.root, "tmp/evil");
	c = cand(PID_W, "/tmp/evil", -1, file);
	ck_assert_int_eq(inspect_open(f.proc, c, false, NULL, &fc), INSPECT_OK);
	assert_same_file(&fc, file);
	ck_assert_uint_eq(fc.head_len, strlen(mine));
	ck_assert(!memcmp(fc.head, mine, strlen(mine)));
	inspect_close(&fc);
	candidate_free(c);

	/* without an inode in the record, too */
	c = cand(PID_W, "/tmp/evil", -1, NULL);
	ck_assert_int_eq(inspect_open(f.proc, c, false, NULL, &fc), INSPECT_OK);
	assert_same_file(&fc, file);
	inspect_close(&fc);
	candidate_free(c);
	free(file);
	fake_free(&f);
}
END_TEST

/* --- names that try to leave the container --------------------------------- */

/*
 * Each name below, resolved as the host would resolve it (plain open()
 * from the container's root directory, or following the symlink), ends
 * at the host's /etc/passwd. Inside the container's root they must not.
 */
static const struct {
	const char *what;
	const char *name;	/* as the container names it */
	const char *link;	/* symlink created in the root, or NULL */
	const char *target;
} escapes[] = {
	{ "absolute symlink", "/tmp/evil", "tmp/evil", "/etc/passwd" },
	{ "relative symlink climbing", "/tmp/up", "tmp/up",
	  "../../../../../../../../etc/passwd" },
	{ "symlink in an earlier component", "/tmp/d/passwd", "tmp/d",
	  "/etc" },
	{ "relative symlink directory", "/tmp/rd/passwd", "tmp/rd",
	  "../../../../../../../etc" },
	{ "dot-dot in the name", "/tmp/../../../../etc/passwd", NULL, NULL },
	{ "dot-dot after a directory", "/tmp/../../../../../../etc/passwd",
	  NULL, NULL },
	{ "chain of symlinks", "/tmp/c1", "tmp/c1", "c2" },
	{ "root symlink", "/r/etc/passwd", "r", "/" },
	{ "dot-dot symlink", "/tmp/dd/etc/passwd", "tmp/dd",
	  "../../../../../../.." },
	{ "/proc/self/root as a plain symlink", "/proc/etc/passwd", "proc",
	  "/proc/self/root" },
};

static void make_escape(const struct fake *f, size_t i)
{
	if (escapes[i].link)
		symlink_at(escapes[i].target, f->root, escapes[i].link);
	if (!strcmp(escapes[i].link ? escapes[i].link : "", "tmp/c1"))
		symlink_at("../../../../../../../etc/passwd", f->root, "tmp/c2");
}

/* The writer's root: the host file is never reached. */
START_TEST(test_escape_proc_root)
{
	struct fake f;
	struct candidate *c;

	fake_init(&f, true);
	make_escape(&f, (size_t)_i);
	/* with the host file's device and inode in the record */
	c = cand(PID_W, escapes[_i].name, -1, HOST_FILE);
	expect_not_ok(f.proc, c, false, NULL);
	candidate_free(c);
	/* and without any (nothing to compare with: only the resolution
	 * protects) */
	c = cand(PID_W, escapes[_i].name, -1, NULL);
	expect_not_ok(f.proc, c, false, NULL);
	candidate_free(c);
	fake_free(&f);
}
END_TEST

/* The writer is gone: the overlay mount root must hold as well. */
START_TEST(test_escape_mount_root)
{
	struct fake f;
	struct candidate *c;

	fake_init(&f, false);
	make_escape(&f, (size_t)_i);
	c = cand(PID_W, escapes[_i].name, -1, HOST_FILE);
	expect_not_ok(f.proc, c, true, f.root);
	candidate_free(c);
	c = cand(PID_W, escapes[_i].name, -1, NULL);
	expect_not_ok(f.proc, c, true, f.root);
	candidate_free(c);
	fake_free(&f);
}
END_TEST

/* The parent's root (the writer gone, the parent in the same
 * container): the same. */
START_TEST(test_escape_parent_root)
{
	struct fake f;
	struct candidate *c;
	char *pdir;

	fake_init(&f, false);
	ck_assert_int_ne(asprintf(&pdir, "%s/%d", f.proc, PID_PARENT), -1);
	ck_assert_int_eq(mkdir(pdir, 0755), 0);
	symlink_at(f.root, pdir, "root");
	make_escape(&f, (size_t)_i);
	c = cand(PID_W, escapes[_i].name, -1, HOST_FILE);
	expect_not_ok(f.proc, c, true, NULL);
	candidate_free(c);
	c = cand(PID_W, escapes[_i].name, -1, NULL);
	expect_not_ok(f.proc, c, true, NULL);
	candidate_free(c);
	free(pdir);
	fake_free(&f);
}
END_TEST

/*
 * Magic links: with the real /proc mounted in the container (as every
 * container has it), /proc/self/root and /proc/self/fd/N jump out of
 * any root. Root only (a bind mount in a private mount namespace).
 */
START_TEST(test_magic_links)
{
	static const char *const names[] = {
		"/proc/self/root/etc/passwd",
		"/proc/1/root/etc/passwd",
		"/proc/thread-self/root/etc/passwd",
		"/tmp/ml/etc/passwd",		/* tmp/ml -> /proc/self/root */
		"/tmp/mf",			/* tmp/mf -> /proc/self/fd/N */
		NULL,				/* /proc/self/fd/N itself */
	};
	struct fake f;
	struct candidate *c;
	char *proc_in_root, target[64], direct[64];
	int host_fd;
	size_t i;

	if (!private_mounts())
		test_skip("needs root (a private mount namespace)");
	fake_init(&f, true);
	proc_in_root = join(f.root, "proc");
	ck_assert_int_eq(mkdir(proc_in_root, 0755), 0);
	ck_assert_msg(mount("/proc", proc_in_root, NULL, MS_BIND | MS_REC,
			    NULL) == 0, "bind mount /proc: %s",
		      strerror(errno));
	/* this process holds the host file open: a magic link to it */
	host_fd = open(HOST_FILE, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(host_fd, 0);
	snprintf(target, sizeof(target), "/proc/self/fd/%d", host_fd);
	snprintf(direct, sizeof(direct), "/proc/self/fd/%d", host_fd);
	symlink_at("/proc/self/root", f.root, "tmp/ml");
	symlink_at(target, f.root, "tmp/mf");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		c = cand(PID_W, names[i] ? names[i] : direct, -1, HOST_FILE);
		expect_not_ok(f.proc, c, false, NULL);
		expect_not_ok(f.proc, c, false, f.root);
		candidate_free(c);
		c = cand(PID_W, names[i] ? names[i] : direct, -1, NULL);
		expect_not_ok(f.proc, c, false, f.root);
		candidate_free(c);
	}
	/* the container's own files under /proc stay reachable by plain
	 * names: the bind mount works, only the jumps are refused */
	c = cand(PID_W, "/proc/self/stat", -1, "/proc/self/stat");
	c->has_inode = false;
	{
		struct file_check fc;

		ck_assert_int_eq(inspect_open(f.proc, c, false, NULL, &fc),
				 INSPECT_OK);
		inspect_close(&fc);
	}
	candidate_free(c);
	close(host_fd);
	umount2(proc_in_root, MNT_DETACH);
	free(proc_in_root);
	fake_free(&f);
}
END_TEST

/* --- the file changed after the write -------------------------------------- */

/* The name now holds another file than the one written: REPLACED. */
START_TEST(test_swapped_file_replaced)
{
	struct fake f;
	struct candidate *c;
	char *a, *b, *keep, *a2;

	fake_init(&f, true);
	a = put_elf(&f, "tmp/a", 4096);
	b = put_elf(&f, "tmp/b", 4096);
	/* keep A's inode alive (its number must not be reused) */
	keep = join(f.root, "keep-a");
	ck_assert_int_eq(link(a, keep), 0);
	c = cand(PID_W, "/tmp/a", -1, a);
	ck_assert_int_eq(rename(b, a), 0);
	ck_assert_int_eq(expect_not_ok(f.proc, c, false, NULL),
			 INSPECT_REPLACED);
	/* and with the overlay mount as the last resort: the same */
	ck_assert_int_eq(expect_not_ok(f.proc, c, false, f.root),
			 INSPECT_REPLACED);
	candidate_free(c);

	/* swapped for a symlink to the host file */
	a2 = join(f.root, "tmp/a");
	ck_assert_int_eq(unlink(a2), 0);
	ck_assert_int_eq(symlink(HOST_FILE, a2), 0);
	c = cand(PID_W, "/tmp/a", -1, keep);
	ck_assert_int_ne(expect_not_ok(f.proc, c, false, NULL), INSPECT_OK);
	candidate_free(c);
	free(a2);
	free(a);
	free(b);
	free(keep);
	fake_free(&f);
}
END_TEST

/* --- not regular files: refused at once, never opened for reading ---------- */

static void expect_not_regular_fast(const char *proc, const struct candidate *c,
				    const char *mount_root)
{
	struct timespec t0;
	struct file_check fc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	alarm(5);		/* a blocking open fails the test */
	ck_assert_int_eq(inspect_open(proc, c, false, mount_root, &fc),
			 INSPECT_NOT_REGULAR);
	alarm(0);
	ck_assert_int_eq(fc.fd, -1);
	ck_assert_msg(elapsed_s(&t0) < 1.0, "inspect_open took %.2f s",
		      elapsed_s(&t0));
}

START_TEST(test_fifo)
{
	struct fake f;
	struct candidate *c;
	char *fifo;

	fake_init(&f, true);
	fifo = join(f.root, "tmp/ff");
	ck_assert_int_eq(mkfifo(fifo, 0644), 0);
	c = cand(PID_W, "/tmp/ff", -1, fifo);
	expect_not_regular_fast(f.proc, c, NULL);
	candidate_free(c);
	/* with no inode to compare, by name */
	c = cand(PID_W, "/tmp/ff", -1, NULL);
	expect_not_regular_fast(f.proc, c, NULL);
	candidate_free(c);
	/* through the writer's descriptor */
	fake_fd(&f, PID_W, 3, fifo);
	c = cand(PID_W, "/tmp/ff", 3, fifo);
	expect_not_regular_fast(f.proc, c, NULL);
	candidate_free(c);
	/* through the overlay mount, the writer gone */
	c = cand(4242, "/tmp/ff", -1, fifo);
	expect_not_regular_fast(f.proc, c, f.root);
	candidate_free(c);
	free(fifo);
	fake_free(&f);
}
END_TEST

START_TEST(test_unix_socket)
{
	struct sockaddr_un sa;
	struct fake f;
	struct candidate *c;
	char *sock;
	int s;

	fake_init(&f, true);
	sock = join(f.root, "tmp/sock");
	ck_assert_uint_lt(strlen(sock), sizeof(sa.sun_path));
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, sock, strlen(sock));
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(s, 0);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(s, 1), 0);
	c = cand(PID_W, "/tmp/sock", -1, sock);
	expect_not_regular_fast(f.proc, c, NULL);
	candidate_free(c);
	c = cand(PID_W, "/tmp/sock", -1, NULL);
	expect_not_regular_fast(f.proc, c, NULL);
	candidate_free(c);
	close(s);
	free(sock);
	fake_free(&f);
}
END_TEST

START_TEST(test_device_node)
{
	struct fake f;
	struct candidate *c;
	char *dev;

	if (geteuid() != 0)
		test_skip("needs root (mknod)");
	fake_init(&f, true);
	dev = join(f.root, "dev/null");
	ck_assert_int_eq(mknod(dev, S_IFCHR | 0666, makedev(1, 3)), 0);
	c = cand(PID_W, "/dev/null", -1, dev);
	expect_not_regular_fast(f.proc, c, NULL);
	candidate_free(c);
	c = cand(PID_W, "/dev/null", -1, NULL);
	expect_not_regular_fast(f.proc, c, NULL);
	candidate_free(c);
	/* a terminal-like device by the writer's descriptor */
	fake_fd(&f, PID_W, 3, "/dev/null");
	c = cand(PID_W, "/dev/null", 3, "/dev/null");
	expect_not_regular_fast(f.proc, c, NULL);
	candidate_free(c);
	free(dev);
	fake_free(&f);
}
END_TEST

START_TEST(test_directory)
{
	struct fake f;
	struct candidate *c;
	char *dir;

	fake_init(&f, true);
	mkdir_p(f.root, "tmp/dir");
	dir = join(f.root, "tmp/dir");
	c = cand(PID_W, "/tmp/dir", -1, dir);
	expect_not_regular_fast(f.proc, c, NULL);
	candidate_free(c);
	c = cand(PID_W, "/tmp/dir", -1, NULL);
	expect_not_regular_fast(f.proc, c, f.root);
	candidate_free(c);
	free(dir);
	fake_free(&f);
}
END_TEST

/* --- a huge sparse file ----------------------------------------------------- */

START_TEST(test_sparse_10g)
{
	const off_t size = (off_t)10 << 30;
	struct classification cls;
	struct classifier cl;
	struct timespec t0;
	struct file_check fc;
	struct fake f;
	struct candidate *c;
	unsigned int kind;
	double secs;
	char *file;
	int fd, rc;

	fake_init(&f, true);
	file = put_elf(&f, "tmp/sparse", 4096);
	fd = open(file, O_WRONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	if (ftruncate(fd, size) < 0) {
		int err = errno;

		close(fd);
		free(file);
		fake_free(&f);
		test_skip("no 10 GiB sparse file here: ftruncate: %s",
			  strerror(err));
	}
	close(fd);
	ck_assert_int_eq(classifier_init(&cl, 1024 * 1024), 0);
	c = cand(PID_W, "/tmp/sparse", -1, file);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(inspect_open(f.proc, c, false, NULL, &fc), INSPECT_OK);
	ck_assert_int_eq(fc.st.st_size, size);
	ck_assert_uint_le(fc.head_len, CLASSIFY_HEAD_LEN);
	ck_assert_uint_eq(fc.head_len, 4096);
	ck_assert_int_eq(classify_head(fc.head, fc.head_len,
				       (unsigned long long)fc.st.st_size,
				       &kind), HEAD_CANDIDATE);
	rc = classify_confirm(&cl, fc.fd, kind, DEFAULT_TYPES, &cls);
	secs = elapsed_s(&t0);
	ck_assert_msg(rc == 0 || rc == 1, "classify_confirm: %d", rc);
	ck_assert_msg(secs < 5.0, "inspect+classify of a 10 GiB sparse file "
		      "took %.2f s", secs);
	fprintf(stderr, "# sparse 10 GiB: %.3f s, %s (%d)\n", secs, cls.mime,
		rc);
	inspect_close(&fc);
	candidate_free(c);
	classifier_free(&cl);
	free(file);
	fake_free(&f);
}
END_TEST

/* --- the writer's descriptors ----------------------------------------------- */

/* The file was unlinked after the write: only the writer's descriptor
 * reaches it. */
START_TEST(test_writer_fd_unlinked)
{
	struct fake f;
	struct file_check fc;
	struct candidate *c;
	unsigned char *want = elf_head(4096);
	char *file, self[64];
	int held;

	fake_init(&f, true);
	file = put_elf(&f, "tmp/gone", 4096);
	c = cand(PID_W, "/tmp/gone", 3, file);
	held = open(file, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(held, 0);
	ck_assert_int_eq(unlink(file), 0);
	snprintf(self, sizeof(self), "/proc/self/fd/%d", held);
	fake_fd(&f, PID_W, 3, self);
	ck_assert_int_eq(inspect_open(f.proc, c, false, f.root, &fc),
			 INSPECT_OK);
	ck_assert_int_eq(fc.via, VIA_WRITER_FD);
	ck_assert_str_eq(inspect_via_name(fc.via), "writer-fd");
	ck_assert_uint_eq(fc.st.st_nlink, 0);
	ck_assert_uint_eq(fc.head_len, 4096);
	ck_assert(!memcmp(fc.head, want, 4096));
	inspect_close(&fc);
	candidate_free(c);
	close(held);
	free(file);
	free(want);
	fake_free(&f);
}
END_TEST

/* The descriptor number now holds another file: go by the name. */
START_TEST(test_writer_fd_reused)
{
	struct fake f;
	struct file_check fc;
	struct candidate *c;
	char *file, *other;

	fake_init(&f, true);
	file = put_elf(&f, "tmp/drop", 4096);
	other = test_write_file(f.root, "tmp/other", "other", 5, 0644);
	fake_fd(&f, PID_W, 3, other);
	c = cand(PID_W, "/tmp/drop", 3, file);
	ck_assert_int_eq(inspect_open(f.proc, c, false, NULL, &fc), INSPECT_OK);
	ck_assert_int_eq(fc.via, VIA_PROC_ROOT);
	assert_same_file(&fc, file);
	inspect_close(&fc);

	/* reused for the host file: still the name, never the host file */
	fake_fd(&f, PID_W, 3, HOST_FILE);
	ck_assert_int_eq(inspect_open(f.proc, c, false, NULL, &fc), INSPECT_OK);
	ck_assert_int_eq(fc.via, VIA_PROC_ROOT);
	assert_same_file(&fc, file);
	inspect_close(&fc);
	candidate_free(c);
	free(file);
	free(other);
	fake_free(&f);
}
END_TEST

/* The writer's descriptor comes first, even while the name works: it
 * follows no name at all. */
START_TEST(test_writer_fd_first)
{
	struct fake f;
	struct file_check fc;
	struct candidate *c;
	char *file;

	fake_init(&f, true);
	file = put_elf(&f, "tmp/drop", 4096);
	fake_fd(&f, PID_W, 3, file);
	c = cand(PID_W, "/tmp/drop", 3, file);
	ck_assert_int_eq(inspect_open(f.proc, c, false, f.root, &fc),
			 INSPECT_OK);
	ck_assert_int_eq(fc.via, VIA_WRITER_FD);
	assert_same_file(&fc, file);
	inspect_close(&fc);
	candidate_free(c);
	free(file);
	fake_free(&f);
}
END_TEST

/* Without an inode in the record the descriptor scan cannot tell the
 * file; the descriptor the open returned still reaches it. */
START_TEST(test_writer_fd_no_inode)
{
	struct fake f;
	struct file_check fc;
	struct candidate *c;
	char *file, self[64];
	int held;

	fake_init(&f, true);
	file = put_elf(&f, "tmp/gone", 4096);
	held = open(file, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(held, 0);
	ck_assert_int_eq(unlink(file), 0);
	snprintf(self, sizeof(self), "/proc/self/fd/%d", held);
	fake_fd(&f, PID_W, 3, self);
	c = cand(PID_W, "/tmp/gone", 3, NULL);
	ck_assert_int_eq(inspect_open(f.proc, c, false, f.root, &fc),
			 INSPECT_OK);
	ck_assert_int_eq(fc.via, VIA_WRITER_FD);
	ck_assert_uint_eq(fc.head_len, 4096);
	inspect_close(&fc);
	candidate_free(c);
	close(held);
	free(file);
	fake_free(&f);
}
END_TEST

/* The writer moved the descriptor (3 to 1) and the name is gone: the
 * scan of the writer's descriptors finds the file. A FIFO among them
 * does not block the scan. */
START_TEST(test_writer_fd_scan)
{
	struct fake f;
	struct file_check fc;
	struct candidate *c;
	char *file, *fifo, self[64];
	int held;

	fake_init(&f, true);
	file = put_elf(&f, "tmp/moved", 4096);
	fifo = join(f.root, "tmp/pipe");
	ck_assert_int_eq(mkfifo(fifo, 0644), 0);
	c = cand(PID_W, "/tmp/moved", 3, file);
	held = open(file, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(held, 0);
	ck_assert_int_eq(unlink(file), 0);
	snprintf(self, sizeof(self), "/proc/self/fd/%d", held);
	fake_fd(&f, PID_W, 0, fifo);
	fake_fd(&f, PID_W, 1, self);
	fake_fd(&f, PID_W, 2, "/dev/null");
	fake_fd(&f, PID_W, 7, "/nonexistent/dangling");
	alarm(5);
	ck_assert_int_eq(inspect_open(f.proc, c, false, NULL, &fc), INSPECT_OK);
	alarm(0);
	ck_assert_int_eq(fc.via, VIA_WRITER_FD);
	ck_assert_uint_eq(fc.head_len, 4096);
	inspect_close(&fc);
	candidate_free(c);

	/* without an inode in the record the scan cannot tell: gone */
	c = cand(PID_W, "/tmp/moved", 3, NULL);
	ck_assert_int_eq(inspect_open(f.proc, c, false, NULL, &fc),
			 INSPECT_GONE);
	candidate_free(c);
	close(held);
	free(fifo);
	free(file);
	fake_free(&f);
}
END_TEST

/* The parent in the same container holds the file (the writer is gone). */
START_TEST(test_parent_fd_scan)
{
	struct fake f;
	struct file_check fc;
	struct candidate *c;
	char *file, *pdir, self[64];
	int held;

	fake_init(&f, false);
	file = put_elf(&f, "tmp/kept", 4096);
	c = cand(PID_W, "/tmp/kept", 3, file);
	held = open(file, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(held, 0);
	ck_assert_int_eq(unlink(file), 0);
	ck_assert_int_ne(asprintf(&pdir, "%s/%d", f.proc, PID_PARENT), -1);
	ck_assert_int_eq(mkdir(pdir, 0755), 0);
	mkdir_p(pdir, "fd");
	snprintf(self, sizeof(self), "/proc/self/fd/%d", held);
	fake_fd(&f, PID_PARENT, 5, self);
	/* only when the parent is in the same container */
	ck_assert_int_eq(inspect_open(f.proc, c, false, NULL, &fc),
			 INSPECT_GONE);
	ck_assert_int_eq(inspect_open(f.proc, c, true, NULL, &fc), INSPECT_OK);
	ck_assert_int_eq(fc.via, VIA_WRITER_FD);
	inspect_close(&fc);
	candidate_free(c);
	close(held);
	free(pdir);
	free(file);
	fake_free(&f);
}
END_TEST

/* --- fallbacks when the writer is gone -------------------------------------- */

START_TEST(test_pid_gone_mount_root)
{
	struct fake f;
	struct file_check fc;
	struct candidate *c;
	char *file;

	fake_init(&f, false);
	file = put_elf(&f, "tmp/drop", 4096);
	c = cand(PID_W, "/tmp/drop", 3, file);
	ck_assert_int_eq(inspect_open(f.proc, c, false, NULL, &fc),
			 INSPECT_GONE);
	ck_assert_int_eq(fc.fd, -1);
	ck_assert_int_eq(inspect_open(f.proc, c, false, f.root, &fc),
			 INSPECT_OK);
	ck_assert_int_eq(fc.via, VIA_MOUNT_ROOT);
	ck_assert_str_eq(inspect_via_name(fc.via), "mount-root");
	assert_same_file(&fc, file);
	ck_assert_uint_eq(fc.head_len, 4096);
	inspect_close(&fc);
	candidate_free(c);
	free(file);
	fake_free(&f);
}
END_TEST

START_TEST(test_pid_gone_parent_root)
{
	struct fake f;
	struct file_check fc;
	struct candidate *c;
	char *file, *pdir;

	fake_init(&f, false);
	file = put_elf(&f, "tmp/drop", 4096);
	ck_assert_int_ne(asprintf(&pdir, "%s/%d", f.proc, PID_PARENT), -1);
	ck_assert_int_eq(mkdir(pdir, 0755), 0);
	symlink_at(f.root, pdir, "root");
	c = cand(PID_W, "/tmp/drop", -1, file);
	/* the parent's root only when it is in the same container */
	ck_assert_int_eq(inspect_open(f.proc, c, false, NULL, &fc),
			 INSPECT_GONE);
	ck_assert_int_eq(inspect_open(f.proc, c, true, NULL, &fc), INSPECT_OK);
	ck_assert_int_eq(fc.via, VIA_PROC_ROOT);
	assert_same_file(&fc, file);
	inspect_close(&fc);
	candidate_free(c);
	free(pdir);
	free(file);
	fake_free(&f);
}
END_TEST

/* One look of a run at FILE (a candidate of PID_W for PATH, the writer
 * gone) with MOUNT_ROOT and ROOTS: WANT, and when found, FILE itself. */
static void look_in_run(const struct fake *f, const char *path,
			const char *file, const char *mount_root,
			struct inspect_roots *roots, enum inspect_status want)
{
	struct candidate *c = cand(PID_W, path, 3, file);
	struct file_check fc;

	ck_assert_int_eq(inspect_open_in(f->proc, c, true, mount_root, NULL,
					 roots, &fc), want);
	if (want == INSPECT_OK) {
		ck_assert_int_eq(fc.via, VIA_MOUNT_ROOT);
		assert_same_file(&fc, file);
	}
	inspect_close(&fc);
	candidate_free(c);
}

/* A run of looks whose writer is gone: the writer is asked once, the
 * mount root opened once for the files of its mount, and a file of
 * another mount is never looked for in the one kept. */
START_TEST(test_run_keeps_gone_writer_and_mount)
{
	struct inspect_roots roots = { 0 };
	struct fake f, g;
	char *a, *b, *other, *gone;
	int kept;

	fake_init(&f, false);
	fake_init(&g, false);
	a = put_elf(&f, "tmp/a", 4096);
	b = put_elf(&f, "tmp/b", 4096);
	other = put_elf(&g, "tmp/c", 4096);
	look_in_run(&f, "/tmp/a", a, f.root, &roots, INSPECT_OK);
	ck_assert_uint_eq(roots.ngone, 2);	/* the writer, its parent */
	ck_assert_int_eq(roots.gone[0], PID_W);
	ck_assert_int_eq(roots.gone[1], PID_PARENT);
	ck_assert(roots.has_mount);
	kept = roots.mount_fd;
	look_in_run(&f, "/tmp/b", b, f.root, &roots, INSPECT_OK);
	ck_assert_uint_eq(roots.ngone, 2);
	ck_assert_int_eq(roots.mount_fd, kept);
	/* a removed container's mount root: its absence kept too */
	gone = join(f.base, "removed");
	look_in_run(&f, "/tmp/a", a, gone, &roots, INSPECT_GONE);
	ck_assert_int_eq(roots.mount_fd, -1);
	look_in_run(&f, "/tmp/b", b, gone, &roots, INSPECT_GONE);
	/* another container's mount: its own root, not the one kept */
	look_in_run(&g, "/tmp/a", a, g.root, &roots, INSPECT_GONE);
	look_in_run(&g, "/tmp/c", other, g.root, &roots, INSPECT_OK);
	ck_assert_str_eq(roots.mount_path, g.root);
	inspect_roots_close(&roots);
	ck_assert_uint_eq(roots.ngone, 0);
	ck_assert(!roots.has_mount);
	free(a);
	free(b);
	free(other);
	free(gone);
	fake_free(&f);
	fake_free(&g);
}
END_TEST

/* Writers gone one after the other (a subshell or a cp per file), their
 * parent in the same container: the parent's root is opened once for
 * the run, and still only when the parent is in the same container. */
START_TEST(test_run_keeps_parent_root)
{
	struct inspect_roots roots = { 0 };
	struct file_check fc;
	struct candidate *c;
	struct fake f;
	char *file, *pdir;
	int i;

	fake_init(&f, false);
	file = put_elf(&f, "tmp/drop", 4096);
	ck_assert_int_ne(asprintf(&pdir, "%s/%d", f.proc, PID_PARENT), -1);
	ck_assert_int_eq(mkdir(pdir, 0755), 0);
	symlink_at(f.root, pdir, "root");
	for (i = 0; i < 3; i++) {
		c = cand(PID_W + 1 + i, "/tmp/drop", -1, file);
		ck_assert_int_eq(inspect_open_in(f.proc, c, true, NULL, NULL,
						 &roots, &fc), INSPECT_OK);
		ck_assert_int_eq(fc.via, VIA_PROC_ROOT);
		assert_same_file(&fc, file);
		inspect_close(&fc);
		ck_assert_int_eq(inspect_open_in(f.proc, c, false, NULL, NULL,
						 &roots, &fc), INSPECT_GONE);
		inspect_close(&fc);
		candidate_free(c);
	}
	ck_assert_uint_eq(roots.n, 1);
	ck_assert_int_eq(roots.pid[0], PID_PARENT);
	inspect_roots_close(&roots);
	free(pdir);
	free(file);
	fake_free(&f);
}
END_TEST

/* A name relative to a directory descriptor cannot be placed: nothing is
 * resolved, in particular not against our own working directory. */
START_TEST(test_relative_name_not_resolved)
{
	struct fake f;
	struct file_check fc;
	struct candidate *c;
	char *cwd_file, *in_root, *old_cwd;

	fake_init(&f, true);
	old_cwd = getcwd(NULL, 0);
	ck_assert_ptr_nonnull(old_cwd);
	cwd_file = put_elf(&f, "tmp/x", 4096);
	in_root = put_elf(&f, "x", 4096);
	ck_assert_int_eq(chdir(f.root), 0);
	c = cand(PID_W, "x", -1, in_root);
	ck_assert_int_eq(inspect_open(f.proc, c, true, f.root, &fc),
			 INSPECT_GONE);
	ck_assert_int_eq(fc.fd, -1);
	candidate_free(c);
	ck_assert_int_eq(chdir(f.base), 0);
	c = cand(PID_W, "root/tmp/x", -1, cwd_file);
	ck_assert_int_eq(inspect_open(f.proc, c, true, f.root, &fc),
			 INSPECT_GONE);
	candidate_free(c);
	ck_assert_int_eq(chdir(old_cwd), 0);
	free(old_cwd);
	free(cwd_file);
	free(in_root);
	fake_free(&f);
}
END_TEST

/* Nothing at all: gone, not a crash. */
START_TEST(test_nothing_reachable)
{
	struct fake f;
	struct file_check fc;
	struct candidate *c;

	fake_init(&f, false);
	c = cand(PID_W, "/tmp/none", 3, NULL);
	ck_assert_int_eq(inspect_open(f.proc, c, true, NULL, &fc),
			 INSPECT_GONE);
	ck_assert_int_eq(inspect_open(f.proc, c, true, "/nonexistent/root",
				      &fc), INSPECT_GONE);
	ck_assert_int_eq(inspect_open("/nonexistent/proc", c, true, f.root,
				      &fc), INSPECT_GONE);
	candidate_free(c);
	fake_free(&f);
}
END_TEST

/* --- inspect_on_mount_of ---------------------------------------------------- */

/*
 * The attack: a directory named /dev/shm (or /run/shm) on the container's
 * own root file system is no shared memory, though the file is on the
 * same device as the directory: a drop there is not excluded. (A real
 * tmpfs mounted there: see test_on_mount_symlink_elsewhere.)
 */
START_TEST(test_on_mount_plain_dir_is_not_shm)
{
	struct fake f;
	struct file_check fc;
	struct candidate *c;
	char *file;

	fake_init(&f, true);
	mkdir_p(f.root, "dev/shm");
	file = put_elf(&f, "dev/shm/s", 4096);
	c = cand(PID_W, "/dev/shm/s", -1, file);
	ck_assert_int_eq(inspect_open(f.proc, c, false, NULL, &fc), INSPECT_OK);
	ck_assert(!inspect_on_mount_of(f.proc, c, false, NULL, &fc,
				       "/dev/shm"));
	/* no way to tell (no root at all): false */
	ck_assert(!inspect_on_mount_of("/nonexistent", c, false, NULL, &fc,
				       "/dev/shm"));
	/* a directory that is not there: false */
	ck_assert(!inspect_on_mount_of(f.proc, c, false, NULL, &fc,
				       "/run/shm"));
	inspect_close(&fc);
	candidate_free(c);
	free(file);
	fake_free(&f);
}
END_TEST

/* /dev/shm is a tmpfs of its own; a file reached through a symlink below
 * it (/dev/shm/l -> /tmp) lives elsewhere and is not excluded. */
START_TEST(test_on_mount_symlink_elsewhere)
{
	struct fake f;
	struct file_check fc, fs;
	struct candidate *c, *cs;
	char *shm, *file, *infile;

	if (!private_mounts())
		test_skip("needs root (a private mount namespace)");
	fake_init(&f, true);
	mkdir_p(f.root, "dev/shm");
	shm = join(f.root, "dev/shm");
	ck_assert_msg(mount("tmpfs", shm, "tmpfs", 0, "size=1m") == 0,
		      "mount tmpfs: %s", strerror(errno));
	symlink_at("/tmp", shm, "l");
	file = put_elf(&f, "tmp/f", 4096);
	c = cand(PID_W, "/dev/shm/l/f", -1, file);
	ck_assert_int_eq(inspect_open(f.proc, c, false, NULL, &fc), INSPECT_OK);
	assert_same_file(&fc, file);
	ck_assert(!inspect_on_mount_of(f.proc, c, false, NULL, &fc,
				       "/dev/shm"));
	ck_assert(!inspect_on_mount_of(f.proc, c, false, f.root, &fc,
				       "/dev/shm"));

	/* a file really on the tmpfs is */
	infile = put_elf(&f, "dev/shm/real", 4096);
	cs = cand(PID_W, "/dev/shm/real", -1, infile);
	ck_assert_int_eq(inspect_open(f.proc, cs, false, NULL, &fs), INSPECT_OK);
	ck_assert(inspect_on_mount_of(f.proc, cs, false, NULL, &fs,
				      "/dev/shm"));
	/* also by the overlay mount when the writer is gone */
	cs->pid = 4242;
	ck_assert(inspect_on_mount_of(f.proc, cs, false, f.root, &fs,
				      "/dev/shm"));
	inspect_close(&fs);
	inspect_close(&fc);
	candidate_free(c);
	candidate_free(cs);
	umount2(shm, MNT_DETACH);
	free(shm);
	free(file);
	free(infile);
	fake_free(&f);
}
END_TEST

/*
 * The container's /dev/shm is a symlink that climbs out of its root
 * (to the host's /dev/shm): the check must look at the container's own
 * name, which leads nowhere, not at the host's tmpfs. FC is made to
 * claim the host /dev/shm's device, so an escape would answer "true".
 */
START_TEST(test_on_mount_dir_symlink_escape)
{
	struct fake f;
	struct file_check fc;
	struct candidate *c;
	struct stat host, rootst;
	char *file;

	fake_init(&f, true);
	if (stat("/dev/shm", &host) < 0 || !S_ISDIR(host.st_mode) ||
	    stat(f.root, &rootst) < 0 || rootst.st_dev == host.st_dev) {
		fake_free(&f);
		test_skip("no host /dev/shm on a device of its own");
	}
	symlink_at("../../../../../../../../dev/shm", f.root, "dev/shm");
	symlink_at("/proc/self/root/dev/shm", f.root, "dev/shm2");
	file = put_elf(&f, "tmp/f", 4096);
	c = cand(PID_W, "/tmp/f", -1, file);
	ck_assert_int_eq(inspect_open(f.proc, c, false, NULL, &fc), INSPECT_OK);
	fc.st.st_dev = host.st_dev;
	ck_assert(!inspect_on_mount_of(f.proc, c, false, NULL, &fc,
				       "/dev/shm"));
	ck_assert(!inspect_on_mount_of(f.proc, c, false, f.root, &fc,
				       "/dev/shm"));
	ck_assert(!inspect_on_mount_of(f.proc, c, false, NULL, &fc,
				       "/dev/shm2"));
	inspect_close(&fc);
	candidate_free(c);
	free(file);
	fake_free(&f);
}
END_TEST

/* --- names ------------------------------------------------------------------ */

START_TEST(test_names)
{
	ck_assert_str_eq(inspect_status_name(INSPECT_OK), "ok");
	ck_assert_str_eq(inspect_status_name(INSPECT_GONE), "gone");
	ck_assert_str_eq(inspect_status_name(INSPECT_REPLACED), "replaced");
	ck_assert_str_eq(inspect_status_name(INSPECT_NOT_REGULAR),
			 "not-regular");
	ck_assert_str_eq(inspect_status_name(INSPECT_REMOTE), "remote");
	ck_assert_str_eq(inspect_status_name((enum inspect_status)99),
			 "unknown");
	ck_assert_str_eq(inspect_via_name(VIA_NONE), "none");
	ck_assert_str_eq(inspect_via_name((enum inspect_via)99), "none");
}
END_TEST

/* open_in_root() itself: never above the root. */
START_TEST(test_open_in_root)
{
	struct fake f;
	struct stat st, host;
	int root, fd;

	fake_init(&f, false);
	symlink_at("/etc/passwd", f.root, "tmp/evil");
	root = open(f.root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(root, 0);
	ck_assert_int_eq(stat(HOST_FILE, &host), 0);
	fd = open_in_root(root, "/tmp/evil");
	ck_assert_int_lt(fd, 0);
	fd = open_in_root(root, "../../../../etc/passwd");
	ck_assert_int_lt(fd, 0);
	/* ".." at the root stays at the root */
	fd = open_in_root(root, "/../../tmp");
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	close(fd);
	fd = open_in_root(root, "/../..");
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	{
		struct stat rs;

		ck_assert_int_eq(stat(f.root, &rs), 0);
		ck_assert_uint_eq(st.st_ino, rs.st_ino);
	}
	close(fd);
	/* O_PATH: the file is not opened for reading or writing */
	fd = open_in_root(root, "/tmp");
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fcntl(fd, F_GETFL) & O_PATH, O_PATH);
	close(fd);
	close(root);
	fake_free(&f);
}
END_TEST

/* --- inspect_name_is --------------------------------------------------------- */

/* The name still leads to the file, inside the container's root only. */
START_TEST(test_name_is)
{
	struct fake f;
	struct candidate *c;
	struct stat st, host;
	char *file;

	fake_init(&f, true);
	file = put_elf(&f, "tmp/drop", 4096);
	ck_assert_int_eq(stat(file, &st), 0);
	ck_assert_int_eq(stat(HOST_FILE, &host), 0);
	c = cand(PID_W, "/tmp/drop", -1, file);
	ck_assert(inspect_name_is(f.proc, c, false, NULL, &st));
	ck_assert(!inspect_name_is(f.proc, c, false, NULL, &host));
	candidate_free(c);
	/* a name that escapes never matches the host file */
	make_escape(&f, (size_t)_i);
	c = cand(PID_W, escapes[_i].name, -1, HOST_FILE);
	ck_assert(!inspect_name_is(f.proc, c, false, NULL, &host));
	ck_assert(!inspect_name_is(f.proc, c, false, f.root, &host));
	candidate_free(c);
	/* nor does a relative one, against our working directory */
	c = cand(PID_W, "etc/passwd", -1, HOST_FILE);
	ck_assert_int_eq(chdir("/"), 0);
	ck_assert(!inspect_name_is(f.proc, c, false, f.root, &host));
	candidate_free(c);
	free(file);
	fake_free(&f);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("safeopen");
	TCase *tn = tcase_create("normal");
	TCase *te = tcase_create("escape");
	TCase *tr = tcase_create("not-regular");
	TCase *tw = tcase_create("writer-fd");
	TCase *tg = tcase_create("gone");
	TCase *tm = tcase_create("on-mount");
	size_t nesc = sizeof(escapes) / sizeof(escapes[0]);

	tcase_add_test(tn, test_regular_file_by_name);
	tcase_add_test(tn, test_head_is_bounded);
	tcase_add_test(tn, test_look_keeps_atime);
	tcase_add_test(tn, test_writers_counted_by_kernel);
	tcase_add_test(tn, test_write_lease_said);
	tcase_add_test(tn, test_overlay_mapping_seen_in_upper);
	tcase_add_test(tn, test_symlink_resolved_in_root);
	tcase_add_test(tn, test_swapped_file_replaced);
	tcase_add_test(tn, test_names);
	tcase_add_test(tn, test_open_in_root);
	suite_add_tcase(s, tn);

	tcase_add_loop_test(te, test_escape_proc_root, 0, (int)nesc);
	tcase_add_loop_test(te, test_escape_mount_root, 0, (int)nesc);
	tcase_add_loop_test(te, test_escape_parent_root, 0, (int)nesc);
	tcase_add_test(te, test_magic_links);
	tcase_add_loop_test(te, test_name_is, 0, (int)nesc);
	suite_add_tcase(s, te);

	tcase_set_timeout(tr, 30);
	tcase_add_test(tr, test_fifo);
	tcase_add_test(tr, test_unix_socket);
	tcase_add_test(tr, test_device_node);
	tcase_add_test(tr, test_directory);
	tcase_add_test(tr, test_sparse_10g);
	suite_add_tcase(s, tr);

	tcase_add_test(tw, test_writer_fd_unlinked);
	tcase_add_test(tw, test_writer_fd_first);
	tcase_add_test(tw, test_writer_fd_no_inode);
	tcase_add_test(tw, test_writer_fd_reused);
	tcase_add_test(tw, test_writer_fd_scan);
	tcase_add_test(tw, test_parent_fd_scan);
	suite_add_tcase(s, tw);

	tcase_add_test(tg, test_pid_gone_mount_root);
	tcase_add_test(tg, test_run_keeps_gone_writer_and_mount);
	tcase_add_test(tg, test_run_keeps_parent_root);
	tcase_add_test(tg, test_pid_gone_parent_root);
	tcase_add_test(tg, test_relative_name_not_resolved);
	tcase_add_test(tg, test_nothing_reachable);
	suite_add_tcase(s, tg);

	tcase_add_test(tm, test_on_mount_plain_dir_is_not_shm);
	tcase_add_test(tm, test_on_mount_symlink_elsewhere);
	tcase_add_test(tm, test_on_mount_dir_symlink_escape);
	suite_add_tcase(s, tm);
	return s;
}
