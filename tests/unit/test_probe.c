/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_probe.c -- file access in a worker process with a deadline
 * (check/probe.c)
 */
#include "testlib.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "check/probe.h"
#include "util/timeutil.h"
#include "../lib/crafted_elf.h"

#define PID_FAKE	400

static struct {
	char *base, *root;
	struct classifier cl;
	struct prober pr;
} fx;

static void setup(void)
{
	memset(&fx, 0, sizeof(fx));
	fx.base = test_fake_proc(PID_FAKE, &fx.root, NULL);
	ck_assert_int_eq(classifier_init(&fx.cl, 1024 * 1024), 0);
	ck_assert_int_eq(probe_start(&fx.pr, fx.base, &fx.cl, 2000), 0);
}

static void teardown(void)
{
	probe_stop(&fx.pr);
	classifier_free(&fx.cl);
	test_rmtree(fx.base);
	free(fx.base);
	free(fx.root);
}

/* The candidate of PID_FAKE for the file NAME below its root. */
static struct candidate *cand(const char *name)
{
	struct candidate *c = candidate_new();
	struct stat st;
	char *path;

	ck_assert_int_ne(asprintf(&path, "%s%s", fx.root, name), -1);
	ck_assert_int_eq(stat(path, &st), 0);
	free(path);
	c->pid = PID_FAKE;
	c->path = strdup(name);
	c->has_inode = true;
	c->inode = st.st_ino;
	c->dev_major = major(st.st_dev);
	c->dev_minor = minor(st.st_dev);
	return c;
}

static void put_elf(const char *name)
{
	size_t len;
	char *elf = test_read_file("/proc/self/exe", &len);

	free(test_write_file(fx.root, name, elf, len, 0755));
	free(elf);
}

/* The crafted ELF of tests/lib/crafted_elf.h at NAME in the root. */
static void put_crafted(const char *name, unsigned int nsec,
			unsigned int secmb)
{
	char *path;
	int fd;

	ck_assert_int_ne(asprintf(&path, "%s%s", fx.root, name), -1);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(crafted_elf_write(fd, nsec, secmb), 0);
	close(fd);
	free(path);
}

/* Found, read, classified and hashed, all in the worker. */
START_TEST(test_open_classify)
{
	struct candidate *c;
	struct probe_opened op;
	struct probe_classified pc;
	unsigned int kind;

	put_elf("/tmp/drop");
	c = cand("/tmp/drop");
	ck_assert_int_eq(probe_open(&fx.pr, c, false, NULL, &op), PROBE_OK);
	ck_assert_int_eq(op.status, INSPECT_OK);
	ck_assert_int_eq(op.via, VIA_PROC_ROOT);
	ck_assert_uint_eq(op.st.st_ino, c->inode);
	ck_assert_int_eq(classify_head(op.head, op.head_len,
				       (unsigned long long)op.st.st_size,
				       &kind), HEAD_CANDIDATE);
	ck_assert_int_eq(probe_classify(&fx.pr, kind, DEFAULT_TYPES,
					16 << 20, true, &pc), PROBE_OK);
	ck_assert_int_eq(pc.rc, 0);
	ck_assert_int_eq(pc.sha_rc, 0);
	ck_assert_uint_eq(strlen(pc.sha256), 64);
	ck_assert(pc.name_is);
	probe_done(&fx.pr);
	ck_assert_uint_eq(fx.pr.replaced, 0);
	candidate_free(c);
}
END_TEST

/* A name that leads nowhere: the worker says so, and stays. */
START_TEST(test_open_gone)
{
	struct candidate *c;
	struct probe_opened op;
	char *path;

	put_elf("/tmp/gone");
	c = cand("/tmp/gone");
	ck_assert_int_ne(asprintf(&path, "%s/tmp/gone", fx.root), -1);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(probe_open(&fx.pr, c, false, NULL, &op), PROBE_OK);
	ck_assert_int_ne(op.status, INSPECT_OK);
	ck_assert_uint_eq(fx.pr.replaced, 0);
	free(path);
	candidate_free(c);
}
END_TEST

/*
 * probe_open_head(): a file whose head is no executable (text, empty,
 * gone) is closed by the worker at once, so nothing is left to close; an
 * ELF stays open for libmagic.
 */
START_TEST(test_open_head_closes_plain_files)
{
	struct candidate *c;
	struct probe_opened op;
	struct probe_classified pc;
	unsigned int kind;
	int i;

	free(test_write_file(fx.root, "tmp/text", "x\n", 2, 0644));
	free(test_write_file(fx.root, "tmp/empty", "", 0, 0644));
	put_elf("/tmp/elf");
	for (i = 0; i < 3; i++) {
		c = cand(i == 1 ? "/tmp/empty" : "/tmp/text");
		ck_assert_int_eq(probe_open_head(&fx.pr, c, false, NULL, NULL, &op),
				 PROBE_OK);
		ck_assert_int_eq(op.status, INSPECT_OK);
		ck_assert(op.closed);
		ck_assert(!fx.pr.holds_file);
		probe_done(&fx.pr);	/* nothing to send */
		ck_assert(!fx.pr.closing);
		candidate_free(c);
	}
	c = cand("/tmp/elf");
	ck_assert_int_eq(probe_open_head(&fx.pr, c, false, NULL, NULL, &op),
			 PROBE_OK);
	ck_assert(!op.closed);
	ck_assert(fx.pr.holds_file);
	ck_assert_int_eq(classify_head(op.head, op.head_len,
				       (unsigned long long)op.st.st_size,
				       &kind), HEAD_CANDIDATE);
	ck_assert_int_eq(probe_classify(&fx.pr, kind, DEFAULT_TYPES,
					16 << 20, false, &pc), PROBE_OK);
	ck_assert_int_eq(pc.rc, 0);
	probe_done(&fx.pr);
	ck_assert(fx.pr.closing);
	candidate_free(c);
	/* a name that leads nowhere: nothing held either */
	c = cand("/tmp/text");
	free(c->path);
	c->path = strdup("/tmp/none");
	ck_assert_int_eq(probe_open_head(&fx.pr, c, false, NULL, NULL, &op),
			 PROBE_OK);
	ck_assert_int_ne(op.status, INSPECT_OK);
	ck_assert(op.closed);
	ck_assert(!fx.pr.holds_file);
	ck_assert_uint_eq(fx.pr.replaced, 0);
	candidate_free(c);
}
END_TEST

/*
 * The attack: libmagic given free rein over a crafted sparse ELF (limits
 * raised to libmagic's own, 64 MiB of copy) reads section after section.
 * The deadline ends it: the worker is replaced, and the next file is
 * checked by the new one.
 */
START_TEST(test_deadline_replaces_worker)
{
	struct candidate *c, *d;
	struct probe_opened op;
	struct probe_classified pc;
	size_t max;
	unsigned int kind;

	/* the worker is forked with the classifier as it is now */
	probe_stop(&fx.pr);
	fx.cl.bytes_max = 64 << 20;
	max = 64 << 20;
	magic_setparam(fx.cl.magic, MAGIC_PARAM_BYTES_MAX, &max);
	max = 32768;
	magic_setparam(fx.cl.magic, MAGIC_PARAM_ELF_SHNUM_MAX, &max);
	ck_assert_int_eq(probe_start(&fx.pr, fx.base, &fx.cl, 200), 0);

	put_crafted("/tmp/evil", 60, 60);
	c = cand("/tmp/evil");
	ck_assert_int_eq(probe_open(&fx.pr, c, false, NULL, &op), PROBE_OK);
	ck_assert_int_eq(op.status, INSPECT_OK);
	ck_assert_int_eq(classify_head(op.head, op.head_len,
				       (unsigned long long)op.st.st_size,
				       &kind), HEAD_CANDIDATE);
	ck_assert_int_eq(probe_classify(&fx.pr, kind, DEFAULT_TYPES, 0,
					false, &pc), PROBE_TIMEOUT);
	ck_assert_uint_eq(fx.pr.replaced, 1);

	put_elf("/tmp/next");
	d = cand("/tmp/next");
	ck_assert_int_eq(probe_open(&fx.pr, d, false, NULL, &op), PROBE_OK);
	ck_assert_int_eq(op.status, INSPECT_OK);
	candidate_free(c);
	candidate_free(d);
}
END_TEST

/* The same crafted file under the shipped limits: libmagic sees a bounded
 * copy, answers well within the deadline, and calls it an executable. */
START_TEST(test_crafted_elf_bounded)
{
	struct candidate *c;
	struct probe_opened op;
	struct probe_classified pc;
	unsigned int kind;

	put_crafted("/tmp/evil", 60, 60);
	c = cand("/tmp/evil");
	ck_assert_int_eq(probe_open(&fx.pr, c, false, NULL, &op), PROBE_OK);
	ck_assert_int_eq(classify_head(op.head, op.head_len,
				       (unsigned long long)op.st.st_size,
				       &kind), HEAD_CANDIDATE);
	ck_assert_int_eq(probe_classify(&fx.pr, kind, DEFAULT_TYPES,
					16 << 20, false, &pc), PROBE_OK);
	ck_assert_int_eq(pc.rc, 0);
	ck_assert_str_eq(pc.cls.mime, "application/x-executable");
	ck_assert_uint_eq(fx.pr.replaced, 0);
	candidate_free(c);
}
END_TEST

/* A worker that dies (a crash in libmagic, say) is started anew. */
START_TEST(test_dead_worker_replaced)
{
	struct candidate *c;
	struct probe_opened op;
	enum probe_result r;

	put_elf("/tmp/drop");
	c = cand("/tmp/drop");
	ck_assert_int_eq(kill(fx.pr.pid, SIGKILL), 0);
	r = probe_open(&fx.pr, c, false, NULL, &op);
	ck_assert(r == PROBE_FAILED || r == PROBE_OK);
	if (r == PROBE_FAILED)
		ck_assert_int_eq(probe_open(&fx.pr, c, false, NULL, &op),
				 PROBE_OK);
	ck_assert_int_eq(op.status, INSPECT_OK);
	candidate_free(c);
}
END_TEST

/* The worker holds nothing of the plugin's: standard streams on
 * /dev/null (never auditd's socket), its own socket, nothing else. */
START_TEST(test_worker_descriptors)
{
	struct dirent *e;
	char dir[64], link[64 + 256 + 2], target[256];
	DIR *d;
	int n = 0;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)fx.pr.pid);
	/* a check done, then a question answered: the file is closed */
	{
		struct candidate *c;
		struct probe_opened op;
		char *path;

		put_elf("/tmp/drop");
		c = cand("/tmp/drop");
		ck_assert_int_eq(probe_open(&fx.pr, c, false, NULL, &op),
				 PROBE_OK);
		probe_done(&fx.pr);
		ck_assert_int_ne(asprintf(&path, "%s/tmp/drop", fx.root), -1);
		ck_assert_int_eq(unlink(path), 0);
		free(path);
		ck_assert_int_eq(probe_open(&fx.pr, c, false, NULL, &op),
				 PROBE_OK);
		ck_assert_int_ne(op.status, INSPECT_OK);
		candidate_free(c);
	}
	d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d))) {
		ssize_t len;
		int fd;

		if (e->d_name[0] == '.')
			continue;
		fd = atoi(e->d_name);
		snprintf(link, sizeof(link), "%s/%s", dir, e->d_name);
		len = readlink(link, target, sizeof(target) - 1);
		ck_assert_int_gt(len, 0);
		target[len] = '\0';
		if (fd <= 2)
			ck_assert_str_eq(target, "/dev/null");
		else if (fd == 3)
			ck_assert_ptr_nonnull(strstr(target, "socket:"));
		else
			ck_assert_msg(0, "worker holds fd %d: %s", fd, target);
		n++;
	}
	closedir(d);
	ck_assert_int_eq(n, 4);
}
END_TEST

/*
 * The next question to a worker still busy with the last file: a FUSE
 * file's close sends FLUSH, and a server that hangs never answers it.
 * A stopped worker stands in for one stuck in that close. The deadline
 * is the closed file's, not the next candidate's: the next file is
 * asked of a new worker and found (without the close awaited apart,
 * B's open timed out and B was lost as unreachable).
 */
static void stuck_close(bool done)
{
	struct candidate *a, *b;
	struct probe_opened op;
	struct probe_classified pc;
	atomic_uint_fast64_t missed = 0;
	unsigned int kind;

	probe_stop(&fx.pr);
	ck_assert_int_eq(probe_start(&fx.pr, fx.base, &fx.cl, 200), 0);
	fx.pr.missed = &missed;
	put_elf("/tmp/a");
	put_elf("/tmp/b");
	a = cand("/tmp/a");
	b = cand("/tmp/b");
	ck_assert_int_eq(probe_open(&fx.pr, a, false, NULL, &op), PROBE_OK);
	ck_assert_int_eq(op.status, INSPECT_OK);
	if (!done) {
		/* classified, then left open (as conclude() does) */
		ck_assert_int_eq(classify_head(op.head, op.head_len,
					       (unsigned long long)op.st.st_size,
					       &kind), HEAD_CANDIDATE);
		ck_assert_int_eq(probe_classify(&fx.pr, kind, DEFAULT_TYPES,
						0, false, &pc), PROBE_OK);
	}
	ck_assert_int_eq(kill(fx.pr.pid, SIGSTOP), 0);
	if (done)
		probe_done(&fx.pr);
	ck_assert_int_eq(probe_open(&fx.pr, b, false, NULL, &op), PROBE_OK);
	ck_assert_int_eq(op.status, INSPECT_OK);
	ck_assert_uint_eq(op.st.st_ino, b->inode);
	ck_assert_uint_eq(fx.pr.replaced, 1);
	ck_assert_uint_eq(fx.pr.close_deadlines, 1);
	ck_assert_uint_eq(atomic_load(&missed), 1);	/* counted */
	candidate_free(a);
	candidate_free(b);
}

START_TEST(test_stuck_close_after_done)
{
	stuck_close(true);
}
END_TEST

START_TEST(test_stuck_close_before_open)
{
	stuck_close(false);
}
END_TEST

/*
 * A name the reader could not place (relative to a directory descriptor
 * whose directory is gone, or none at all): the file is reached through
 * the writer's descriptor, and its name is what that descriptor says,
 * verified inside the writer's root. This process is the writer, through
 * the real /proc.
 */
/* DIR/payload (malloc'd in *PATH) opened for writing by this process,
 * as the candidate C of that open: its descriptor, device and inode. */
static int open_as_writer(const char *dir, char **path, struct candidate *c)
{
	struct stat st;
	int fd;

	*path = test_write_file(dir, "payload", "\177ELF", 4, 0755);
	fd = open(*path, O_WRONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	c->pid = getpid();
	c->fd = fd;
	c->has_inode = true;
	c->inode = st.st_ino;
	c->dev_major = major(st.st_dev);
	c->dev_minor = minor(st.st_dev);
	return fd;
}

/* open_as_writer(), C named by its whole path, and PR a worker on the
 * real /proc: this process is the writer. Returns the descriptor. */
static int writer_named_probe(const char *dir, char **path,
			      struct candidate *c, struct prober *pr)
{
	int fd = open_as_writer(dir, path, c);

	c->path = strdup(*path);
	ck_assert_int_eq(probe_start(pr, "/proc", &fx.cl, 2000), 0);
	return fd;
}

/* Rename DIR to DIR.moved: *MOVED and *WANT (its payload) malloc'd. */
static void move_dir(const char *dir, char **moved, char **want)
{
	ck_assert_int_ne(asprintf(moved, "%s.moved", dir), -1);
	ck_assert_int_eq(rename(dir, *moved), 0);
	ck_assert_int_ne(asprintf(want, "%s/payload", *moved), -1);
}

/* What open_as_writer() and move_dir() made, removed and freed. */
static void writer_test_free(struct candidate *c, char *dir, char *moved,
			     char *path, char *want)
{
	candidate_free(c);
	test_rmtree(moved);
	free(dir);
	free(moved);
	free(path);
	free(want);
}

START_TEST(test_name_through_writer_fd)
{
	char *dir = test_mkdtemp(), *moved, *path, *want;
	struct probe_opened *op = malloc(sizeof(*op));
	struct candidate *c = candidate_new();
	struct prober pr;
	int fd;

	ck_assert_ptr_nonnull(op);
	fd = open_as_writer(dir, &path, c);
	/* the directory renamed away after the open */
	move_dir(dir, &moved, &want);
	c->path = strdup("payload");
	c->name_unresolved = true;
	ck_assert_int_eq(probe_start(&pr, "/proc", &fx.cl, 2000), 0);
	ck_assert_int_eq(probe_open(&pr, c, false, NULL, op), PROBE_OK);
	ck_assert_int_eq(op->status, INSPECT_OK);
	ck_assert_int_eq(op->via, VIA_WRITER_FD);
	ck_assert_str_eq(op->name, want);
	/* no name at all: the same */
	free(c->path);
	c->path = NULL;
	ck_assert_int_eq(probe_open(&pr, c, false, NULL, op), PROBE_OK);
	ck_assert_str_eq(op->name, want);
	/* unlinked: no name to give */
	ck_assert_int_eq(unlink(want), 0);
	ck_assert_int_eq(probe_open(&pr, c, false, NULL, op), PROBE_OK);
	ck_assert_int_eq(op->status, INSPECT_OK);
	ck_assert_str_eq(op->name, "");
	/* the descriptor now another file (dev/inode differ): refused, and
	 * the unresolved name is never followed */
	close(fd);
	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	ck_assert_int_eq(fd, c->fd);
	ck_assert_int_eq(probe_open(&pr, c, false, NULL, op), PROBE_OK);
	ck_assert_int_ne(op->status, INSPECT_OK);
	close(fd);
	probe_stop(&pr);
	writer_test_free(c, dir, moved, path, want);
	free(op);
}
END_TEST

/*
 * A resolved name goes stale when a directory above the file is renamed
 * after the open (the reader placed the name before the rename): a look
 * through the writer's descriptor gives the name the descriptor has now,
 * so that the last look, once the writer has closed it, finds the file
 * by name. A name that still leads to the file is kept as it is.
 */
START_TEST(test_stale_name_refreshed)
{
	char *dir = test_mkdtemp(), *moved, *path, *want;
	struct probe_opened *op = malloc(sizeof(*op));
	struct candidate *c = candidate_new();
	struct prober pr;
	int fd;

	ck_assert_ptr_nonnull(op);
	fd = writer_named_probe(dir, &path, c, &pr);
	/* the name still leads to the file: nothing to change */
	ck_assert_int_eq(probe_open(&pr, c, false, NULL, op), PROBE_OK);
	ck_assert_int_eq(op->via, VIA_WRITER_FD);
	ck_assert_str_eq(op->name, "");
	/* the directory renamed away after the open */
	move_dir(dir, &moved, &want);
	ck_assert_int_eq(probe_open(&pr, c, false, NULL, op), PROBE_OK);
	ck_assert_int_eq(op->status, INSPECT_OK);
	ck_assert_int_eq(op->via, VIA_WRITER_FD);
	ck_assert_str_eq(op->name, want);
	close(fd);
	probe_stop(&pr);
	writer_test_free(c, dir, moved, path, want);
	free(op);
}
END_TEST

/*
 * probe_look_heads(): several files in one round trip, each answered as
 * probe_open_head() answers it (but closed, an ELF's too).
 */
START_TEST(test_look_heads_batch)
{
	static const char *const names[] = {
		"/tmp/t1", "/tmp/elf", "/tmp/none", "/tmp/empty", "/tmp/t2",
	};
	struct probe_look looks[5];
	struct probe_opened *got = calloc(5, sizeof(*got));
	struct probe_opened one;
	enum probe_result res[5];
	struct candidate *c[5];
	unsigned int kind;
	size_t i;

	ck_assert_ptr_nonnull(got);
	free(test_write_file(fx.root, "tmp/t1", "one\n", 4, 0644));
	free(test_write_file(fx.root, "tmp/t2", "two\n", 4, 0644));
	free(test_write_file(fx.root, "tmp/empty", "", 0, 0644));
	free(test_write_file(fx.root, "tmp/none", "x", 1, 0644));
	put_elf("/tmp/elf");
	for (i = 0; i < 5; i++) {
		c[i] = cand(names[i]);
		looks[i].c = c[i];
		looks[i].parent_same = false;
		looks[i].mount_root = NULL;
		looks[i].writer_closed = false;
	}
	free(c[2]->path);
	c[2]->path = strdup("/tmp/elsewhere");	/* leads nowhere */
	probe_look_heads(&fx.pr, looks, 5, got, res);
	for (i = 0; i < 5; i++) {
		ck_assert_int_eq(res[i], PROBE_OK);
		ck_assert(got[i].closed);
		ck_assert_int_eq(probe_open_head(&fx.pr, c[i], false, NULL,
						 NULL, &one), PROBE_OK);
		ck_assert_int_eq(got[i].status, one.status);
		if (one.status != INSPECT_OK)
			continue;
		ck_assert_uint_eq(got[i].st.st_ino, c[i]->inode);
		ck_assert_uint_eq(got[i].head_len, one.head_len);
		ck_assert_mem_eq(got[i].head, one.head, one.head_len);
		probe_done(&fx.pr);
	}
	ck_assert_int_ne(got[2].status, INSPECT_OK);
	ck_assert_int_eq(classify_head(got[1].head, got[1].head_len,
				       (unsigned long long)got[1].st.st_size,
				       &kind), HEAD_CANDIDATE);
	ck_assert(!fx.pr.holds_file);
	ck_assert_uint_eq(fx.pr.replaced, 0);
	for (i = 0; i < 5; i++)
		candidate_free(c[i]);
	free(got);
}
END_TEST

/*
 * A worker that does not get on with a batch (stopped: one stuck in the
 * kernel on a FUSE file) costs one deadline: the file it is at times
 * out, the files after it are left to be asked again, and the next
 * question goes to a new worker.
 */
START_TEST(test_look_heads_stuck_worker)
{
	struct probe_look looks[3];
	struct probe_opened *got = calloc(3, sizeof(*got));
	struct probe_opened one;
	enum probe_result res[3];
	struct candidate *c[3];
	uint64_t t0, took;
	size_t i;

	ck_assert_ptr_nonnull(got);
	probe_stop(&fx.pr);
	ck_assert_int_eq(probe_start(&fx.pr, fx.base, &fx.cl, 200), 0);
	put_elf("/tmp/a");
	for (i = 0; i < 3; i++) {
		c[i] = cand("/tmp/a");
		looks[i].c = c[i];
		looks[i].parent_same = false;
		looks[i].mount_root = NULL;
		looks[i].writer_closed = false;
	}
	ck_assert_int_eq(kill(fx.pr.pid, SIGSTOP), 0);
	t0 = now_ms();
	probe_look_heads(&fx.pr, looks, 3, got, res);
	took = now_ms() - t0;
	ck_assert_int_eq(res[0], PROBE_TIMEOUT);
	ck_assert_int_eq(res[1], PROBE_NOT_ASKED);
	ck_assert_int_eq(res[2], PROBE_NOT_ASKED);
	ck_assert_uint_ge(took, 200);
	ck_assert_uint_lt(took, 500);	/* one deadline, not three */
	ck_assert_uint_eq(fx.pr.replaced, 1);
	ck_assert_int_eq(probe_open_head(&fx.pr, c[1], false, NULL, NULL, &one),
			 PROBE_OK);
	ck_assert_int_eq(one.status, INSPECT_OK);
	probe_done(&fx.pr);
	probe_look_heads(&fx.pr, looks, 3, got, res);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(res[i], PROBE_OK);
	for (i = 0; i < 3; i++)
		candidate_free(c[i]);
	free(got);
}
END_TEST

/*
 * A look whose writer is known to have let go of the file does not try
 * the writer's descriptor (one failed open of /proc/PID/fd/N less per
 * file); the file is found by its name. Through the real /proc: this
 * process is the writer, and still holds it.
 */
START_TEST(test_look_heads_writer_closed)
{
	char *dir = test_mkdtemp(), *path;
	struct probe_opened *got = calloc(2, sizeof(*got));
	struct candidate *c = candidate_new();
	struct probe_look looks[2];
	enum probe_result res[2];
	struct prober pr;
	int fd;

	ck_assert_ptr_nonnull(got);
	fd = writer_named_probe(dir, &path, c, &pr);
	looks[0].c = c;
	looks[0].parent_same = false;
	looks[0].mount_root = NULL;
	looks[0].writer_closed = false;
	looks[1] = looks[0];
	looks[1].writer_closed = true;
	probe_look_heads(&pr, looks, 2, got, res);
	ck_assert_int_eq(res[0], PROBE_OK);
	ck_assert_int_eq(res[1], PROBE_OK);
	ck_assert_int_eq(got[0].status, INSPECT_OK);
	ck_assert_int_eq(got[0].via, VIA_WRITER_FD);
	ck_assert_int_eq(got[1].status, INSPECT_OK);
	ck_assert_int_eq(got[1].via, VIA_PROC_ROOT);
	ck_assert_uint_eq(got[1].st.st_ino, c->inode);
	close(fd);
	probe_stop(&pr);
	candidate_free(c);
	test_rmtree(dir);
	free(dir);
	free(path);
	free(got);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("probe");
	TCase *tc = tcase_create("probe");

	tcase_set_timeout(tc, 30);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_open_classify);
	tcase_add_test(tc, test_open_gone);
	tcase_add_test(tc, test_open_head_closes_plain_files);
	tcase_add_test(tc, test_crafted_elf_bounded);
	tcase_add_test(tc, test_deadline_replaces_worker);
	tcase_add_test(tc, test_dead_worker_replaced);
	tcase_add_test(tc, test_worker_descriptors);
	tcase_add_test(tc, test_stuck_close_after_done);
	tcase_add_test(tc, test_stuck_close_before_open);
	tcase_add_test(tc, test_name_through_writer_fd);
	tcase_add_test(tc, test_stale_name_refreshed);
	tcase_add_test(tc, test_look_heads_batch);
	tcase_add_test(tc, test_look_heads_stuck_worker);
	tcase_add_test(tc, test_look_heads_writer_closed);
	suite_add_tcase(s, tc);
	return s;
}
