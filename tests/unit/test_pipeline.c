/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_pipeline.c -- the check of one candidate, step by step
 * (check/pipeline.c, check/inspector.c)
 *
 * A fake procfs holds a writer whose root is a private directory; files
 * are written there and their candidates checked with the clock passed
 * in, so retries and waits need no sleeping.
 */
#include "testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "check/inspector.h"
#include "check/pipeline.h"
#include "report/sink.h"

#define PID_FAKE	300
#define T0		100000	/* monotonic ms of the first look */
#define DEV_PROC_MINOR	9998	/* the writer's proc mount */
#define DEV_NOWHERE	9999	/* a device no mount table names */

/* A sink that keeps what it is given. */
struct kept {
	struct sink base;
	int count;
	char path[256], old_path[256], sha256[65];
	unsigned int kind;
	bool checked;
	long long size;
	/* the last finding's */
	enum file_op op;
	bool executed;
	uint64_t drop_serial;
	char drop_path[256], via[32];
};

/* Run once by the next finding, then cleared (what changes between two
 * files of one batch). */
static void (*on_next_finding)(void);

static int keep_emit(struct sink *sk, const struct finding *f)
{
	struct kept *k = (struct kept *)sk;
	void (*hook)(void) = on_next_finding;

	on_next_finding = NULL;
	if (hook)
		hook();
	k->count++;
	snprintf(k->path, sizeof(k->path), "%s", f->c->path);
	snprintf(k->old_path, sizeof(k->old_path), "%s",
		 f->c->old_path ? f->c->old_path : "");
	snprintf(k->sha256, sizeof(k->sha256), "%s", f->sha256);
	k->kind = f->typed ? f->cls.kind : 0;
	k->checked = f->checked;
	k->size = (long long)f->st.st_size;
	k->op = f->c->op;
	k->executed = f->c->executed;
	k->drop_serial = f->c->drop_serial;
	snprintf(k->drop_path, sizeof(k->drop_path), "%s",
		 f->c->drop_path ? f->c->drop_path : "");
	snprintf(k->via, sizeof(k->via), "%s",
		 f->checked_via ? f->checked_via : "");
	return 0;
}

#define WRITER_FDS	16

static struct {
	char *base, *root;
	struct kept kept;
	struct report report;
	struct inspector in;
	struct config cfg;
	struct stats st;
	/* writing()'s descriptors, by the writer's descriptor number: the
	 * file held open for writing as the kernel counts it (-1: none) */
	int writer_fd[WRITER_FDS];
} fx;

static void setup(void)
{
	char *pdir;

	memset(&fx, 0, sizeof(fx));
	for (int i = 0; i < WRITER_FDS; i++)
		fx.writer_fd[i] = -1;
	fx.base = test_fake_proc(PID_FAKE, &fx.root, &pdir);
	/* the writer's mount table: its root's device, and a proc mount */
	{
		struct stat st;
		char *text;

		ck_assert_int_eq(stat(fx.root, &st), 0);
		ck_assert_int_ne(asprintf(&text,
			"1 0 %u:%u / / rw,relatime - ext4 /dev/root rw\n"
			"2 1 0:%u / /proc rw,relatime - proc proc rw\n",
			major(st.st_dev), minor(st.st_dev), DEV_PROC_MINOR),
			-1);
		free(test_write_file(pdir, "mountinfo", text, strlen(text),
				     0444));
		free(text);
	}
	free(pdir);

	fx.kept.base.name = "kept";
	fx.kept.base.emit = keep_emit;
	report_init(&fx.report);
	report_add(&fx.report, &fx.kept.base);
	config_defaults(&fx.cfg);
	stats_reset(&fx.st);
	ck_assert_int_eq(inspector_init(&fx.in, &fx.cfg, &fx.st, &fx.report,
					fx.base, FIXTURE_DIR "/mountinfo"), 0);
}

static void teardown(void)
{
	for (int i = 0; i < WRITER_FDS; i++)
		if (fx.writer_fd[i] >= 0)
			close(fx.writer_fd[i]);
	inspector_free(&fx.in);
	config_free(&fx.cfg);
	test_rmtree(fx.base);
	free(fx.base);
	free(fx.root);
}

/* Write NAME (below the container's root) with LEN bytes of DATA, its
 * mtime a second in the past (not growing any more). */
static void put(const char *name, const void *data, size_t len)
{
	struct timespec ts[2];
	char *path;
	int fd;

	ck_assert_int_ne(asprintf(&path, "%s%s", fx.root, name), -1);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	ck_assert_int_ge(fd, 0);
	if (len)
		ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	clock_gettime(CLOCK_REALTIME, &ts[0]);
	ts[0].tv_sec -= 1;
	ts[1] = ts[0];
	ck_assert_int_eq(futimens(fd, ts), 0);
	close(fd);
	free(path);
}

/* This test program's own ELF image, as a payload. */
static unsigned char *elf(size_t *len)
{
	return (unsigned char *)test_read_file("/proc/self/exe", len);
}

/* The candidate of a container process that created NAME with OP. */
static struct candidate *cand(const char *name, enum file_op op)
{
	struct candidate *c = candidate_new();
	struct stat st;
	char *path;

	ck_assert_int_ne(asprintf(&path, "%s%s", fx.root, name), -1);
	ck_assert_int_eq(stat(path, &st), 0);
	free(path);
	c->pid = PID_FAKE;
	c->path = strdup(name);
	c->exe = strdup("/bin/busybox");
	c->op = op;
	c->new_content = true;
	c->has_inode = true;
	c->inode = st.st_ino;
	c->dev_major = major(st.st_dev);
	c->dev_minor = minor(st.st_dev);
	c->mode = st.st_mode;
	c->sec = (uint64_t)time(NULL) - 2;
	c->container.in_container = true;
	c->container.source = SCOPE_SRC_PID;
	c->first_seen_ms = T0;
	return c;
}

START_TEST(test_elf_reported_once)
{
	size_t len;
	unsigned char *p = elf(&len);

	put("/tmp/drop", p, len);
	ck_assert_int_eq(inspector_check(&fx.in, cand("/tmp/drop",
				FILE_OP_OPEN), T0), CHECK_FINDING);
	ck_assert_int_eq(fx.kept.count, 1);
	ck_assert_str_eq(fx.kept.path, "/tmp/drop");
	ck_assert(fx.kept.checked);
	ck_assert(fx.kept.kind & (KIND_ELF_EXEC | KIND_ELF_PIE));
	ck_assert_uint_eq(strlen(fx.kept.sha256), 64);
	/* the same content again: a duplicate, not a second finding */
	ck_assert_int_eq(inspector_check(&fx.in, cand("/tmp/drop",
				FILE_OP_OPEN), T0 + 1), CHECK_DUPLICATE);
	ck_assert_int_eq(fx.kept.count, 1);
	ck_assert_uint_eq(atomic_load(&fx.st.duplicates), 1);
	free(p);
}
END_TEST

/* Empty at the first look: kept, and reported once the content came,
 * at the time the retry was due and not before. */
START_TEST(test_retry_until_content)
{
	size_t len;
	unsigned char *p = elf(&len);

	put("/tmp/late", NULL, 0);
	ck_assert_int_eq(inspector_check(&fx.in, cand("/tmp/late",
				FILE_OP_OPEN), T0), CHECK_RETRY);
	ck_assert_uint_eq(fx.in.ck.pending.count, 1);
	put("/tmp/late", p, len);
	inspector_run_pending(&fx.in, T0 + pending_backoff_ms(0) - 1, false);
	ck_assert_int_eq(fx.kept.count, 0);
	inspector_run_pending(&fx.in, T0 + pending_backoff_ms(0), false);
	ck_assert_int_eq(fx.kept.count, 1);
	ck_assert_uint_eq(fx.in.ck.pending.count, 0);
	free(p);
}
END_TEST

/* Still empty once recheck_ms has passed: given up, and counted. */
START_TEST(test_still_short_gives_up)
{
	put("/tmp/empty", NULL, 0);
	ck_assert_int_eq(inspector_check(&fx.in, cand("/tmp/empty",
				FILE_OP_OPEN), T0), CHECK_RETRY);
	inspector_run_pending(&fx.in, T0 + fx.cfg.recheck_ms, false);
	ck_assert_uint_eq(fx.in.ck.pending.count, 0);
	ck_assert_uint_eq(atomic_load(&fx.st.still_short), 1);
	ck_assert_int_eq(fx.kept.count, 0);
}
END_TEST

START_TEST(test_text_not_reported)
{
	put("/tmp/notes.txt", "hello, world\n", 13);
	ck_assert_int_eq(inspector_check(&fx.in, cand("/tmp/notes.txt",
				FILE_OP_OPEN), T0), CHECK_NOT_EXEC);
	ck_assert_uint_eq(atomic_load(&fx.st.not_executable), 1);
	ck_assert_int_eq(fx.kept.count, 0);
}
END_TEST

/* Every way a check ends is kept among the recent decisions, with the
 * event's serial and the file's name: the state file says which file
 * took which way (util/recent.h). */
START_TEST(test_decisions_kept)
{
	struct recent_entry e[RECENT_MAX];
	struct recent rc;
	struct candidate *c;
	size_t len;
	unsigned char *p = elf(&len);

	ck_assert_int_eq(recent_init(&rc), 0);
	fx.in.ck.recent = &rc;
	put("/tmp/notes.txt", "hello, world\n", 13);
	put("/tmp/drop", p, len);
	c = cand("/tmp/notes.txt", FILE_OP_OPEN);
	c->serial = 41;
	ck_assert_int_eq(inspector_check(&fx.in, c, T0), CHECK_NOT_EXEC);
	c = cand("/tmp/drop", FILE_OP_OPEN);
	c->serial = 42;
	ck_assert_int_eq(inspector_check(&fx.in, c, T0), CHECK_FINDING);
	c = cand("/tmp/drop", FILE_OP_OPEN);
	c->serial = 43;
	ck_assert_int_eq(inspector_check(&fx.in, c, T0 + 1), CHECK_DUPLICATE);
	ck_assert_uint_eq(recent_copy(&rc, e), 3);
	ck_assert_uint_eq(e[0].serial, 41);
	ck_assert_str_eq(e[0].what, "not-executable");
	ck_assert_str_eq(e[0].path, "/tmp/notes.txt");
	ck_assert_uint_eq(e[1].serial, 42);
	ck_assert_str_eq(e[1].what, "finding");
	ck_assert_uint_eq(e[2].serial, 43);
	ck_assert_str_eq(e[2].what, "duplicate");
	fx.in.ck.recent = NULL;
	recent_free(&rc);
	free(p);
}
END_TEST

/* An allowed path is counted, not reported, and not remembered. */
START_TEST(test_allowed_counted)
{
	struct config *next = malloc(sizeof(*next));
	size_t len;
	unsigned char *p = elf(&len);

	ck_assert_ptr_nonnull(next);
	config_defaults(next);
	ck_assert_int_eq(strlist_parse("/tmp/ok-*", &next->allow_path), 0);
	checker_configure(&fx.in.ck, next);
	put("/tmp/ok-tool", p, len);
	ck_assert_int_eq(inspector_check(&fx.in, cand("/tmp/ok-tool",
				FILE_OP_OPEN), T0), CHECK_ALLOWED);
	ck_assert_uint_eq(atomic_load(&fx.st.allowed), 1);
	ck_assert_int_eq(fx.kept.count, 0);
	free(p);
}
END_TEST

/* The writer still holds NAME open as descriptor FD (a symlink in the
 * fake procfs, as /proc/PID/fd/FD is a link to the open file). */
static void hold_open(const char *name, int fd)
{
	char *dir, *link, *target;

	ck_assert_int_ne(asprintf(&dir, "%s/%d/fd", fx.base, PID_FAKE), -1);
	ck_assert_int_ne(asprintf(&link, "%s/%d", dir, fd), -1);
	ck_assert_int_ne(asprintf(&target, "%s%s", fx.root, name), -1);
	mkdir(dir, 0755);
	ck_assert_int_eq(symlink(target, link), 0);
	free(dir);
	free(link);
	free(target);
}

/*
 * The attack on the allow lists: allow_path takes every name below
 * /opt/ok, and the drop is named /opt/ok/../../tmp/x or /opt/ok/link/y
 * (link -> /tmp). Only the plain name of a file inside the allowed
 * directory is allowed.
 */
START_TEST(test_allow_path_escapes)
{
	struct config *next = malloc(sizeof(*next));
	size_t len;
	unsigned char *p = elf(&len);
	char *dir, *link;

	ck_assert_ptr_nonnull(next);
	config_defaults(next);
	ck_assert_int_eq(strlist_parse("/opt/ok/*", &next->allow_path), 0);
	checker_configure(&fx.in.ck, next);
	ck_assert_int_ne(asprintf(&dir, "%s/opt", fx.root), -1);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	free(dir);
	ck_assert_int_ne(asprintf(&dir, "%s/opt/ok", fx.root), -1);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	ck_assert_int_ne(asprintf(&link, "%s/link", dir), -1);
	ck_assert_int_eq(symlink("/tmp", link), 0);

	put("/tmp/x", p, len);
	put("/tmp/y", p, len);	/* another file: not a duplicate */
	put("/opt/ok/tool", p, len);
	{
		struct candidate *c = cand("/tmp/x", FILE_OP_OPEN);

		free(c->path);
		c->path = strdup("/opt/ok/../../tmp/x");
		ck_assert_int_eq(inspector_check(&fx.in, c, T0),
				 CHECK_FINDING);
		c = cand("/tmp/y", FILE_OP_OPEN);
		free(c->path);
		c->path = strdup("/opt/ok/link/y");
		ck_assert_int_eq(inspector_check(&fx.in, c, T0),
				 CHECK_FINDING);
		ck_assert_int_eq(fx.kept.count, 2);
		/* the real thing, for contrast */
		ck_assert_int_eq(inspector_check(&fx.in,
				cand("/opt/ok/tool", FILE_OP_OPEN), T0),
				CHECK_ALLOWED);
	}
	free(dir);
	free(link);
	free(p);
}
END_TEST

/*
 * An ELF written as TMP by descriptor 3 of the writer, which holds it
 * open, and renamed to FINAL before the check: the open's candidate.
 */
static struct candidate *open_renamed_away(const char *tmp, const char *final)
{
	struct candidate *c;
	char *from, *to;
	size_t len;
	unsigned char *p = elf(&len);

	put(tmp, p, len);
	c = cand(tmp, FILE_OP_OPEN);
	c->fd = 3;
	ck_assert_int_ne(asprintf(&from, "%s%s", fx.root, tmp), -1);
	ck_assert_int_ne(asprintf(&to, "%s%s", fx.root, final), -1);
	ck_assert_int_eq(rename(from, to), 0);
	hold_open(final, 3);
	free(from);
	free(to);
	free(p);
	return c;
}

/* Written under a temporary name and renamed before the check: held for
 * the rename, then reported once under the final name. */
START_TEST(test_rename_into_place)
{
	struct candidate *open_c = open_renamed_away("/tmp/x.part", "/tmp/x");

	ck_assert_int_eq(inspector_check(&fx.in, open_c, T0), CHECK_RETRY);
	ck_assert_int_eq(fx.kept.count, 0);
	ck_assert_int_eq(inspector_check(&fx.in, cand("/tmp/x",
				FILE_OP_RENAME), T0 + 1), CHECK_FINDING);
	ck_assert_int_eq(fx.kept.count, 1);
	ck_assert_str_eq(fx.kept.path, "/tmp/x");
	ck_assert_str_eq(fx.kept.old_path, "/tmp/x.part");
}
END_TEST

/*
 * test_rename_into_place with the open and its rename in one batch: the
 * rename is checked after the open (which waits for it), not read in the
 * open's round trip, so it is carried over to the open: one finding,
 * under the final name, with the temporary one.
 */
START_TEST(test_batch_rename_after_open)
{
	struct candidate *cs[3];

	put("/tmp/t", "text\n", 5);
	cs[0] = cand("/tmp/t", FILE_OP_OPEN);
	cs[1] = open_renamed_away("/tmp/x.part", "/tmp/x");
	cs[2] = cand("/tmp/x", FILE_OP_RENAME);
	check_candidates(&fx.in.ck, cs, 3, T0);
	ck_assert_int_eq(fx.kept.count, 1);
	ck_assert_str_eq(fx.kept.path, "/tmp/x");
	ck_assert_str_eq(fx.kept.old_path, "/tmp/x.part");
}
END_TEST

/* A rename that never comes: reported as it is when the wait is over. */
START_TEST(test_rename_never_comes)
{
	struct candidate *open_c = open_renamed_away("/tmp/y.part", "/tmp/y");

	ck_assert_int_eq(inspector_check(&fx.in, open_c, T0), CHECK_RETRY);
	inspector_run_pending(&fx.in, T0 + 1000, false);
	ck_assert_int_eq(fx.kept.count, 1);
	ck_assert_str_eq(fx.kept.path, "/tmp/y.part");
}
END_TEST

/* A write to a kernel file system (a runtime's setup writes /proc/sys)
 * is no drop, whatever the writer calls itself: let go by the device,
 * without touching the file. */
START_TEST(test_kernel_fs_excluded)
{
	size_t len;
	unsigned char *p = elf(&len);
	struct candidate *c;

	put("/tmp/ping_group_range", p, len);
	c = cand("/tmp/ping_group_range", FILE_OP_OPEN);
	free(c->comm);
	c->comm = strdup("runc:[2:INIT]");
	c->dev_major = 0;
	c->dev_minor = DEV_PROC_MINOR;
	ck_assert_int_eq(inspector_check(&fx.in, c, T0), CHECK_EXCLUDED);
	ck_assert_uint_eq(atomic_load(&fx.st.checked), 0);
	ck_assert_int_eq(fx.kept.count, 0);
	free(p);
}
END_TEST

/* A device no mount table names (a mount only a gone process saw, a FUSE
 * mount pushed out of sight) is never touched: fail closed. */
START_TEST(test_unknown_device_not_touched)
{
	size_t len;
	unsigned char *p = elf(&len);
	struct candidate *c;

	put("/tmp/hidden", p, len);
	c = cand("/tmp/hidden", FILE_OP_OPEN);
	c->dev_major = 0;
	c->dev_minor = DEV_NOWHERE;
	ck_assert_int_eq(inspector_check(&fx.in, c, T0), CHECK_UNREACHABLE);
	ck_assert_uint_eq(atomic_load(&fx.st.checked), 0);
	ck_assert_uint_eq(atomic_load(&fx.st.unreachable), 1);
	free(p);
}
END_TEST

/* The last look at stop reports what is held, without waiting. */
START_TEST(test_final_look)
{
	size_t len;
	unsigned char *p = elf(&len);

	put("/tmp/late2", NULL, 0);
	ck_assert_int_eq(inspector_check(&fx.in, cand("/tmp/late2",
				FILE_OP_OPEN), T0), CHECK_RETRY);
	put("/tmp/late2", p, len);
	inspector_run_pending(&fx.in, T0 + 1, true);
	ck_assert_int_eq(fx.kept.count, 1);
	ck_assert_uint_eq(fx.in.ck.pending.count, 0);
	free(p);
}
END_TEST

/* The process of the fake procfs runs NAME (below the root): its
 * /proc/PID/exe. */
static void runs(const char *name)
{
	char *exe, *target;

	ck_assert_int_ne(asprintf(&exe, "%s/%d/exe", fx.base, PID_FAKE), -1);
	ck_assert_int_ne(asprintf(&target, "%s%s", fx.root, name), -1);
	unlink(exe);
	ck_assert_int_eq(symlink(target, exe), 0);
	free(exe);
	free(target);
}

/* A reported drop that runs: one finding that says so, linked to the
 * drop by its serial; a second run is a duplicate. */
START_TEST(test_exec_of_reported_drop)
{
	struct candidate *c;
	size_t len;
	unsigned char *p = elf(&len);

	put("/tmp/dx", p, len);
	c = cand("/tmp/dx", FILE_OP_OPEN);
	c->serial = 4100;
	ck_assert_int_eq(inspector_check(&fx.in, c, T0), CHECK_FINDING);
	ck_assert_int_eq(fx.kept.count, 1);
	ck_assert(!fx.kept.executed);

	runs("/tmp/dx");
	c = cand("/tmp/dx", FILE_OP_EXEC);
	c->serial = 4107;
	ck_assert_int_eq(inspector_check(&fx.in, c, T0 + 5), CHECK_FINDING);
	ck_assert_int_eq(fx.kept.count, 2);
	ck_assert_int_eq(fx.kept.op, FILE_OP_EXEC);
	ck_assert(fx.kept.executed);
	ck_assert_uint_eq(fx.kept.drop_serial, 4100);
	ck_assert_str_eq(fx.kept.drop_path, "/tmp/dx");
	ck_assert_str_eq(fx.kept.via, "exe");
	ck_assert_uint_eq(atomic_load(&fx.st.exec_checked), 1);
	ck_assert_uint_eq(atomic_load(&fx.st.exec_findings), 1);

	c = cand("/tmp/dx", FILE_OP_EXEC);
	ck_assert_int_eq(inspector_check(&fx.in, c, T0 + 6), CHECK_DUPLICATE);
	ck_assert_int_eq(fx.kept.count, 2);
	free(p);
}
END_TEST

/* A file that ran and was never reported (its write unseen) is reported
 * now; its write check later is a duplicate. */
START_TEST(test_exec_of_unseen_drop)
{
	struct candidate *c;
	size_t len;
	unsigned char *p = elf(&len);

	put("/tmp/ux", p, len);
	runs("/tmp/ux");
	c = cand("/tmp/ux", FILE_OP_EXEC);
	ck_assert_int_eq(inspector_check(&fx.in, c, T0), CHECK_FINDING);
	ck_assert_int_eq(fx.kept.count, 1);
	ck_assert(fx.kept.executed);
	ck_assert_uint_eq(fx.kept.drop_serial, 0);
	ck_assert_int_eq(inspector_check(&fx.in, cand("/tmp/ux", FILE_OP_OPEN),
					 T0 + 1), CHECK_DUPLICATE);
	ck_assert_int_eq(fx.kept.count, 1);
	free(p);
}
END_TEST

/* Executions of a host process, or of a file that is not an
 * executable, make no finding; the latter counts as looked at. */
START_TEST(test_exec_not_reported)
{
	struct candidate *c;

	put("/tmp/script", "echo hi\n", 8);
	runs("/tmp/script");
	c = cand("/tmp/script", FILE_OP_EXEC);
	c->container.in_container = false;
	ck_assert_int_eq(inspector_check(&fx.in, c, T0), CHECK_EXCLUDED);
	ck_assert_uint_eq(atomic_load(&fx.st.exec_checked), 0);
	c = cand("/tmp/script", FILE_OP_EXEC);
	ck_assert_int_eq(inspector_check(&fx.in, c, T0), CHECK_NOT_EXEC);
	ck_assert_uint_eq(atomic_load(&fx.st.exec_checked), 1);
	ck_assert_int_eq(fx.kept.count, 0);
}
END_TEST

/* The process runs another file by now (a later exec): its exe is not
 * taken for the audited one; the name is. */
START_TEST(test_exec_process_moved_on)
{
	struct candidate *c;
	size_t len;
	unsigned char *p = elf(&len);

	put("/tmp/first", p, len);
	put("/tmp/other", "#!/bin/sh\n", 10);
	runs("/tmp/other");
	c = cand("/tmp/first", FILE_OP_EXEC);
	ck_assert_int_eq(inspector_check(&fx.in, c, T0), CHECK_FINDING);
	ck_assert_str_eq(fx.kept.path, "/tmp/first");
	ck_assert_str_eq(fx.kept.via, "proc-root");
	free(p);
}
END_TEST

/* An execution waits behind a write check of the same file that is
 * still pending, so that the drop is reported first. */
START_TEST(test_exec_waits_for_write_check)
{
	struct candidate *c;
	size_t len;
	unsigned char *p = elf(&len);

	put("/tmp/slow", NULL, 0);
	c = cand("/tmp/slow", FILE_OP_OPEN);
	c->serial = 900;
	ck_assert_int_eq(inspector_check(&fx.in, c, T0), CHECK_RETRY);
	put("/tmp/slow", p, len);
	runs("/tmp/slow");
	c = cand("/tmp/slow", FILE_OP_EXEC);
	c->serial = 901;
	ck_assert_int_eq(inspector_check(&fx.in, c, T0 + 1), CHECK_RETRY);
	ck_assert_int_eq(fx.kept.count, 0);
	inspector_run_pending(&fx.in, T0 + 1000, false);
	ck_assert_int_eq(fx.kept.count, 2);
	ck_assert_int_eq(fx.kept.op, FILE_OP_EXEC);
	ck_assert_uint_eq(fx.kept.drop_serial, 900);
	free(p);
}
END_TEST

/* A host process (a runtime) whose child, in the container's cgroup,
 * executes the parent's own program again (runc init): not reported.
 * The same program with a parent in the container is. */
START_TEST(test_exec_runtime_reexec)
{
	struct candidate *c;
	char *dir, *link, *target;
	size_t len;
	unsigned char *p = elf(&len);
	const char *cg = "0::/user.slice/runtime.scope\n";

	put("/tmp/runtime", p, len);
	runs("/tmp/runtime");
	ck_assert_int_ne(asprintf(&dir, "%s/%d", fx.base, PID_FAKE + 1), -1);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	free(test_write_file(dir, "cgroup", cg, strlen(cg), 0444));
	ck_assert_int_ne(asprintf(&link, "%s/root", dir), -1);
	ck_assert_int_eq(symlink("/", link), 0);
	free(link);
	ck_assert_int_ne(asprintf(&link, "%s/exe", dir), -1);
	ck_assert_int_ne(asprintf(&target, "%s/tmp/runtime", fx.root), -1);
	ck_assert_int_eq(symlink(target, link), 0);
	c = cand("/tmp/runtime", FILE_OP_EXEC);
	c->ppid = PID_FAKE + 1;
	ck_assert_int_eq(inspector_check(&fx.in, c, T0), CHECK_EXCLUDED);
	ck_assert_int_eq(fx.kept.count, 0);

	/* the parent in a container */
	free(link);
	ck_assert_int_ne(asprintf(&link, "%s/cgroup", dir), -1);
	unlink(link);
	free(link);
	cg = "0::/machine.slice/libpod-" TEST_PODMAN_ID ".scope\n";
	free(test_write_file(dir, "cgroup", cg, strlen(cg), 0444));
	ck_assert_int_ne(asprintf(&link, "%s/exe", dir), -1);
	c = cand("/tmp/runtime", FILE_OP_EXEC);
	c->ppid = PID_FAKE + 1;
	ck_assert_int_eq(inspector_check(&fx.in, c, T0 + 1), CHECK_FINDING);
	free(link);
	free(target);
	free(dir);
	free(p);
}
END_TEST

/* Write the fake process's mountinfo: TEXT. */
static void proc_mountinfo(const char *text)
{
	char *pdir, *path;

	ck_assert_int_ne(asprintf(&pdir, "%s/%d", fx.base, PID_FAKE), -1);
	ck_assert_int_ne(asprintf(&path, "%s/mountinfo", pdir), -1);
	unlink(path);
	free(test_write_file(pdir, "mountinfo", text, strlen(text), 0444));
	free(path);
	free(pdir);
}

/*
 * A container just started: the host's mount table does not list its
 * overlay yet, the process's own does, with its layers: a program of a
 * lower layer is the image's. (In this fake procfs the kernel names the
 * file by its host path, so the lower layer is "/".) Without that line
 * the same file is on "another device" and reported.
 */
START_TEST(test_exec_overlay_of_the_process)
{
	struct candidate *c;
	struct stat st;
	char *upper, *text, *path;
	size_t len;
	unsigned char *p = elf(&len);

	put("/tmp/tool", p, len);
	ck_assert_int_ne(asprintf(&path, "%s/tmp/tool", fx.root), -1);
	ck_assert_int_eq(stat(path, &st), 0);
	free(path);
	ck_assert_int_ne(asprintf(&upper, "%s/upper", fx.base), -1);
	ck_assert_int_eq(mkdir(upper, 0755), 0);
	ck_assert_int_ne(asprintf(&text,
		"1 0 %u:%u / / rw,relatime - overlay overlay rw,lowerdir=/,"
		"upperdir=%s,workdir=%s\n",
		major(st.st_dev), minor(st.st_dev), upper, upper), -1);
	proc_mountinfo(text);
	free(text);

	runs("/tmp/tool");
	c = cand("/tmp/tool", FILE_OP_EXEC);
	ck_assert_int_eq(inspector_check(&fx.in, c, T0), CHECK_NOT_EXEC);
	ck_assert_uint_eq(atomic_load(&fx.st.exec_checked), 1);
	ck_assert_int_eq(fx.kept.count, 0);

	ck_assert_int_ne(asprintf(&text,
		"1 0 %u:%u / / rw,relatime - ext4 /dev/root rw\n",
		major(st.st_dev), minor(st.st_dev)), -1);
	proc_mountinfo(text);
	free(text);
	c = cand("/tmp/tool", FILE_OP_EXEC);
	ck_assert_int_eq(inspector_check(&fx.in, c, T0 + 1), CHECK_FINDING);
	free(upper);
	free(p);
}
END_TEST

/* Executions never take the second half of the queue: the writes of
 * other containers keep their room. Counted as queue_dropped. */
START_TEST(test_exec_half_queue)
{
	struct inspector in;
	struct config cfg;
	struct stats st;
	int i, queued = 0;

	config_defaults(&cfg);
	cfg.queue_size = 8;
	stats_reset(&st);
	ck_assert_int_eq(inspector_init(&in, &cfg, &st, NULL, fx.base,
					FIXTURE_DIR "/mountinfo"), 0);
	for (i = 0; i < 8; i++) {
		struct candidate *c = candidate_new();

		c->op = FILE_OP_EXEC;
		queued += inspector_submit(&in, c);
	}
	ck_assert_int_eq(queued, 4);
	ck_assert_uint_eq(atomic_load(&st.queue_dropped), 4);
	for (i = 0; i < 4; i++) {
		struct candidate *c = candidate_new();

		c->op = FILE_OP_OPEN;
		ck_assert(inspector_submit(&in, c));
	}
	inspector_free(&in);
	config_free(&cfg);
}
END_TEST

/* --- files held open for writing (check/watch.h) ------------------------- */

/* The writer holds NAME open for writing as descriptor FD: /proc/PID/fd/FD
 * and its fdinfo, as procfs shows them, and as the kernel counts the
 * file's writers (this process holds it open for writing). */
static void writing(const char *name, int fd)
{
	char *text, *path;
	struct stat st;

	ck_assert(fd >= 0 && fd < WRITER_FDS && fx.writer_fd[fd] < 0);
	hold_open(name, fd);
	ck_assert_int_ne(asprintf(&path, "%s%s", fx.root, name), -1);
	ck_assert_int_eq(stat(path, &st), 0);
	fx.writer_fd[fd] = open(path, O_WRONLY | O_CLOEXEC);
	ck_assert_int_ge(fx.writer_fd[fd], 0);
	ck_assert_int_ne(asprintf(&text, "pos:\t0\nflags:\t0100001\n"
				  "mnt_id:\t26\nino:\t%llu\n",
				  (unsigned long long)st.st_ino), -1);
	test_fake_fdinfo(fx.base, PID_FAKE, fd, text);
	free(text);
	free(path);
}

/* The writer closed descriptor FD. */
static void closed(int fd)
{
	char *p;

	test_fake_fdinfo_close(fx.base, PID_FAKE, fd);
	if (fd >= 0 && fd < WRITER_FDS && fx.writer_fd[fd] >= 0) {
		close(fx.writer_fd[fd]);
		fx.writer_fd[fd] = -1;
	}
	ck_assert_int_ne(asprintf(&p, "%s/%d/fd/%d", fx.base, PID_FAKE, fd),
			 -1);
	ck_assert_int_eq(unlink(p), 0);
	free(p);
}

/* Write NAME in place (same inode), as the writer does. */
static void rewrite(const char *name, const void *data, size_t len)
{
	put(name, data, len);
}

/* Run the watch up to AT, look by look, as the inspector's loop does. */
static void run_until(uint64_t from, uint64_t at)
{
	uint64_t t = from;

	while (t <= at) {
		int next = check_next_ms(&fx.in.ck, t);

		inspector_run_pending(&fx.in, t, false);
		if (next < 0)
			break;
		t += next > 0 ? (uint64_t)next : 1;
	}
}

/* NAME written with LEN bytes of DATA and held open for writing as
 * descriptor FD: the check of its open watches it. */
static void watched(const char *name, const void *data, size_t len, int fd)
{
	struct candidate *c;

	put(name, data, len);
	writing(name, fd);
	c = cand(name, FILE_OP_OPEN);
	c->fd = fd;
	ck_assert_int_eq(inspector_check(&fx.in, c, T0), CHECK_WATCHED);
}

/*
 * Text first, the ELF only seconds later, while the writer holds the
 * file: watched, not given up, and reported once it is closed, with the
 * size of the whole content.
 */
START_TEST(test_watch_content_arrives_later)
{
	size_t len;
	unsigned char *p = elf(&len);

	watched("/tmp/later", "#notes\n", 7, 3);
	ck_assert_uint_eq(atomic_load(&fx.st.watched), 1);
	run_until(T0, T0 + 5000);
	ck_assert_int_eq(fx.kept.count, 0);
	ck_assert_uint_eq(fx.in.ck.watch.count, 1);
	rewrite("/tmp/later", p, len);
	run_until(T0 + 5000, T0 + 7000);
	/* still held: not judged on what may be a part */
	ck_assert_int_eq(fx.kept.count, 0);
	closed(3);
	run_until(T0 + 7000, T0 + 9000);
	ck_assert_int_eq(fx.kept.count, 1);
	ck_assert_str_eq(fx.kept.path, "/tmp/later");
	ck_assert_int_eq(fx.kept.size, (long long)len);
	ck_assert_uint_eq(fx.in.ck.watch.count, 0);
	/* the backoff bounds the looks: one every two seconds at most */
	ck_assert_uint_le(fx.in.ck.watch.looks, 20);
	free(p);
}
END_TEST

/* A slow writer: the header and part of the body, then the rest. The
 * finding is made on the complete file. */
START_TEST(test_watch_slow_writer_whole_file)
{
	size_t len;
	unsigned char *p = elf(&len);

	watched("/tmp/slow", p, len / 2, 4);
	run_until(T0, T0 + 3000);
	ck_assert_int_eq(fx.kept.count, 0);
	rewrite("/tmp/slow", p, len);
	closed(4);
	run_until(T0 + 3000, T0 + 6000);
	ck_assert_int_eq(fx.kept.count, 1);
	ck_assert_int_eq(fx.kept.size, (long long)len);
	free(p);
}
END_TEST

/* Never closed: an executable held open is reported after
 * watch_report_after_ms, once; a text file held open is not. */
START_TEST(test_watch_report_after_bound)
{
	size_t len;
	unsigned char *p = elf(&len);
	uint64_t bound = fx.cfg.watch_report_after_ms;

	watched("/tmp/kept-open", p, len, 5);
	watched("/tmp/log", "line\n", 5, 6);
	run_until(T0, T0 + bound - 1);
	ck_assert_int_eq(fx.kept.count, 0);
	run_until(T0 + bound - 1, T0 + bound + 3000);
	ck_assert_int_eq(fx.kept.count, 1);
	ck_assert_str_eq(fx.kept.path, "/tmp/kept-open");
	/* the log stays watched, at one look every two seconds */
	ck_assert_uint_eq(fx.in.ck.watch.count, 1);
	run_until(T0 + bound + 3000, T0 + bound + 60000);
	ck_assert_int_eq(fx.kept.count, 1);
	ck_assert_uint_le(fx.in.ck.watch.looks, 2 * 20 + 32);
	free(p);
}
END_TEST

/* More files held open than the list holds: counted, and each judged as
 * if closed. */
START_TEST(test_watch_full_counted)
{
	struct candidate *c;

	fx.in.ck.watch.cap = 1;
	put("/tmp/a.log", "a\n", 2);
	put("/tmp/b.log", "b\n", 2);
	writing("/tmp/a.log", 7);
	writing("/tmp/b.log", 8);
	c = cand("/tmp/a.log", FILE_OP_OPEN);
	c->fd = 7;
	ck_assert_int_eq(inspector_check(&fx.in, c, T0), CHECK_WATCHED);
	c = cand("/tmp/b.log", FILE_OP_OPEN);
	c->fd = 8;
	ck_assert_int_eq(inspector_check(&fx.in, c, T0), CHECK_NOT_EXEC);
	ck_assert_uint_eq(atomic_load(&fx.st.watch_full), 1);
	ck_assert_uint_eq(atomic_load(&fx.st.watched), 1);
}
END_TEST

/* Can this process take a read lease on NAME (fs.leases-enable)? */
static bool leases_work(const char *name)
{
	char *path;
	bool ok;
	int fd;

	ck_assert_int_ne(asprintf(&path, "%s%s", fx.root, name), -1);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ok = fcntl(fd, F_SETLEASE, F_RDLCK) == 0 ||
	     errno == EAGAIN;
	if (ok)
		fcntl(fd, F_SETLEASE, F_UNLCK);
	close(fd);
	free(path);
	if (!ok)
		fprintf(stderr, "# skipped: no read lease on %s (%s)\n", name,
			strerror(errno));
	return ok;
}

/* NAME, empty, below the writer's root, and the writer and a child of it
 * (PID_FAKE + 1) in one pid namespace; returns NAME's inode. */
static uint64_t with_child(const char *name)
{
	struct stat st;
	char *ns, *path;

	put(name, NULL, 0);
	ns = test_write_file(fx.base, "ns-pid", "", 0, 0444);
	ck_assert_int_ne(asprintf(&path, "%s%s", fx.root, name), -1);
	ck_assert_int_eq(stat(path, &st), 0);
	test_fake_pidns(fx.base, PID_FAKE, ns);
	test_fake_pidns(fx.base, PID_FAKE + 1, ns);
	free(ns);
	free(path);
	return st.st_ino;
}

/* PID holds inode INO open for writing as descriptor FD (its fdinfo). */
static void fd_writes(int pid, int fd, uint64_t ino)
{
	char *text;

	ck_assert_int_ne(asprintf(&text, "flags:\t0100001\nmnt_id:\t26\n"
				  "ino:\t%llu\n", (unsigned long long)ino),
			 -1);
	test_fake_fdinfo(fx.base, pid, fd, text);
	free(text);
}

/* NAME held open for writing by this process (FLAGS: O_WRONLY, or O_RDWR
 * for a shared writable mapping), as the kernel counts the file's writers
 * (the worker asks them with a lease, check/safeopen.h): the descriptor. */
static int kernel_writer(const char *name, int flags)
{
	char *path;
	int fd;

	ck_assert_int_ne(asprintf(&path, "%s%s", fx.root, name), -1);
	fd = open(path, flags | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	free(path);
	return fd;
}

/*
 * The writer's open of NAME as descriptor 3, checked while the child
 * holds NAME as its descriptor 1 (in procfs, and as the kernel counts
 * writers): NAME, written by then, stays watched while the child holds
 * it and is reported once the child lets go.
 */
static void watched_until_child_closes(const char *name)
{
	size_t len;
	unsigned char *p = elf(&len);
	struct candidate *c;
	int held = kernel_writer(name, O_WRONLY);

	c = cand(name, FILE_OP_OPEN);
	c->fd = 3;
	ck_assert_int_eq(inspector_check(&fx.in, c, T0), CHECK_WATCHED);
	rewrite(name, p, len);
	run_until(T0, T0 + 3000);
	ck_assert_int_eq(fx.kept.count, 0);
	test_fake_fdinfo_close(fx.base, PID_FAKE + 1, 1);
	close(held);
	run_until(T0 + 3000, T0 + 5000);
	ck_assert_int_eq(fx.kept.count, 1);
	free(p);
}

/* The writer closed its descriptor before the first look; a child that
 * inherited it (same pid namespace) still writes: watched. */
START_TEST(test_watch_inheritor)
{
	fd_writes(PID_FAKE + 1, 1, with_child("/tmp/inh"));
	watched_until_child_closes("/tmp/inh");
}
END_TEST

/*
 * The writer forked a child that keeps the file open for writing, closed
 * its own descriptor and opened another file on the same number: the
 * descriptor names another file now, and the child, found by a search
 * for the file itself, keeps it watched until it lets go.
 */
START_TEST(test_watch_fd_reused)
{
	uint64_t ino = with_child("/tmp/reused");

	/* the writer's descriptor 3: another file; the child's 1: this one */
	fd_writes(PID_FAKE, 3, ino + 1000);
	fd_writes(PID_FAKE + 1, 1, ino);
	watched_until_child_closes("/tmp/reused");
}
END_TEST

/*
 * The writer closed its descriptor, and no descriptor of its namespace
 * holds the file: a shared writable mapping does (or a process of another
 * pid namespace), which only the kernel's count of writers shows. The
 * file stays watched while the mapping lasts, its content at the first
 * look (zeros) is not the verdict, and the ELF written through the
 * mapping is reported once it is gone. Without the lease the first look
 * judges the zeros.
 */
START_TEST(test_watch_writer_no_search_finds)
{
	size_t len;
	unsigned char *p = elf(&len);
	unsigned char *zeros = calloc(1, len);
	struct candidate *c;
	unsigned char *m;
	int fd;

	ck_assert_ptr_nonnull(zeros);
	with_child("/tmp/mapped");
	put("/tmp/mapped", zeros, len);
	fd = kernel_writer("/tmp/mapped", O_RDWR);
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ck_assert_ptr_ne(m, MAP_FAILED);
	close(fd);

	c = cand("/tmp/mapped", FILE_OP_OPEN);
	c->fd = 3;
	if (!leases_work("/tmp/mapped")) {
		munmap(m, len);
		free(p);
		free(zeros);
		candidate_free(c);
		return;		/* fs.leases-enable = 0: nothing to ask */
	}
	ck_assert_int_eq(inspector_check(&fx.in, c, T0), CHECK_WATCHED);
	ck_assert_uint_eq(atomic_load(&fx.st.watch_unseen_writer), 1);
	run_until(T0, T0 + 3000);
	ck_assert_int_eq(fx.kept.count, 0);
	memcpy(m, p, len);
	munmap(m, len);
	run_until(T0 + 3000, T0 + 6000);
	ck_assert_int_eq(fx.kept.count, 1);
	ck_assert_int_eq(fx.kept.size, (long long)len);
	ck_assert_uint_eq(fx.in.ck.watch.count, 0);
	free(p);
	free(zeros);
}
END_TEST

/* Nobody holds the file, as the kernel says: no search of the writer's
 * namespace is made for an inheritor. */
START_TEST(test_no_search_when_no_writer)
{
	struct candidate *c;

	with_child("/tmp/done");
	put("/tmp/done", "text\n", 5);
	if (!leases_work("/tmp/done"))
		return;
	c = cand("/tmp/done", FILE_OP_OPEN);
	c->fd = 3;
	ck_assert_int_eq(inspector_check(&fx.in, c, T0), CHECK_NOT_EXEC);
	ck_assert_uint_eq(fx.in.ck.watch.searches, 0);
}
END_TEST

/* A write lease on NAME, held by this process on a read-only descriptor
 * (as a container process holds one on the file it dropped): every
 * other open fails (O_NONBLOCK) or waits. -1 where leases are off. */
static int write_lease(const char *name)
{
	char *path;
	int fd;

	signal(SIGIO, SIG_IGN);		/* the worker's open breaks it */
	ck_assert_int_ne(asprintf(&path, "%s%s", fx.root, name), -1);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	free(path);
	if (fcntl(fd, F_SETLEASE, F_WRLCK) < 0) {
		fprintf(stderr, "# skipped: no write lease (%s)\n",
			strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* An ELF dropped as NAME and kept from every other open by this
 * process's write lease, its open checked once: looked at again, not
 * judged. The lease's descriptor, or -1 where leases are off. */
static int leased_elf_checked(const char *name)
{
	size_t len;
	unsigned char *p = elf(&len);
	int lease;

	put(name, p, len);
	free(p);
	lease = write_lease(name);
	if (lease >= 0)
		ck_assert_int_eq(inspector_check(&fx.in,
						 cand(name, FILE_OP_OPEN), T0),
				 CHECK_RETRY);
	return lease;
}

/*
 * An ELF dropped, closed, and kept from every other open by a write
 * lease: the look finds the file but cannot open it. Not a verdict: it
 * is counted and looked at again, and reported once the lease is gone
 * (within recheck_ms). Without the retry it ended unreachable.
 */
START_TEST(test_lease_kept_from_file)
{
	int lease = leased_elf_checked("/tmp/leased");

	if (lease < 0)
		return;
	ck_assert_uint_ge(atomic_load(&fx.st.lease_blocked), 1);
	ck_assert_uint_eq(atomic_load(&fx.st.unreachable), 0);
	close(lease);
	run_until(T0, T0 + fx.cfg.recheck_ms);
	ck_assert_int_eq(fx.kept.count, 1);
	ck_assert_str_eq(fx.kept.path, "/tmp/leased");
}
END_TEST

/* A lease never let go: looked at again past recheck_ms, as long as
 * the worker's waiter may wait for it (check/leasewait.h), then
 * unreachable, and counted as a blocked look, never a silent "not
 * executable". (Here the clock is the test's: the waiter's real wait
 * has hardly begun.) */
START_TEST(test_lease_never_let_go)
{
	int lease = leased_elf_checked("/tmp/leased-long");

	if (lease < 0)
		return;
	ck_assert_uint_gt(fx.in.ck.lease_wait_ms, fx.cfg.recheck_ms);
	run_until(T0, T0 + fx.cfg.recheck_ms + 1000);
	ck_assert_uint_eq(atomic_load(&fx.st.unreachable), 0);
	run_until(T0 + fx.cfg.recheck_ms + 1000,
		  T0 + fx.in.ck.lease_wait_ms + 1000);
	ck_assert_int_eq(fx.kept.count, 0);
	ck_assert_uint_eq(atomic_load(&fx.st.unreachable), 1);
	ck_assert_uint_eq(atomic_load(&fx.st.not_executable), 0);
	ck_assert_uint_ge(atomic_load(&fx.st.lease_blocked), 2);
	close(lease);
}
END_TEST

/* Set NAME's mtime SEC seconds back (its ctime becomes now). */
static void mtime_back(const char *name, time_t sec)
{
	struct timespec ts[2];
	char *path;

	ck_assert_int_ne(asprintf(&path, "%s%s", fx.root, name), -1);
	clock_gettime(CLOCK_REALTIME, &ts[0]);
	ts[0].tv_sec -= sec;
	ts[1] = ts[0];
	ck_assert_int_eq(utimensat(AT_FDCWD, path, ts, 0), 0);
	free(path);
}

/* An image binary rewritten in place (no O_TRUNC) and its mtime set back
 * an hour: modified by its ctime, which cannot be set back. */
START_TEST(test_rewrite_in_place_mtime_back)
{
	size_t len;
	unsigned char *p = elf(&len);
	struct candidate *c;

	put("/tmp/image-bin", p, len);
	c = cand("/tmp/image-bin", FILE_OP_OPEN);
	c->new_content = false;
	mtime_back("/tmp/image-bin", 3600);
	ck_assert_int_eq(inspector_check(&fx.in, c, T0), CHECK_FINDING);
	ck_assert_int_eq(fx.kept.count, 1);
	free(p);
}
END_TEST

/* An existing file opened for writing and not written since: no finding
 * (its ctime is older than the open). */
START_TEST(test_open_not_written)
{
	size_t len;
	unsigned char *p = elf(&len);
	struct candidate *c;

	put("/tmp/untouched", p, len);
	c = cand("/tmp/untouched", FILE_OP_OPEN);
	c->new_content = false;
	c->sec = (uint64_t)time(NULL) + 2;	/* opened after the write */
	ck_assert_int_eq(inspector_check(&fx.in, c, T0), CHECK_RETRY);
	inspector_run_pending(&fx.in, T0 + fx.cfg.recheck_ms, false);
	ck_assert_int_eq(fx.kept.count, 0);
	ck_assert_uint_eq(atomic_load(&fx.st.unmodified), 1);
	free(p);
}
END_TEST

/*
 * An O_TMPFILE file written now and linked into place a minute later:
 * its content is old when the link comes, but the file had no name
 * before. Known from its watched open. Its writer still holds it at the
 * link, and may write on through the same descriptor with no audit
 * event: watched under the link's name, and reported once closed.
 */
START_TEST(test_tmpfile_linked_later)
{
	size_t len;
	unsigned char *p = elf(&len);
	struct candidate *c;

	put("/tmp/anon", p, len);
	writing("/tmp/anon", 3);
	c = cand("/tmp/anon", FILE_OP_OPEN);
	c->fd = 3;
	c->tmpfile = true;
	ck_assert_int_eq(inspector_check(&fx.in, c, T0), CHECK_WATCHED);
	/* no name: not reported after the bound either */
	run_until(T0, T0 + fx.cfg.watch_report_after_ms + 2000);
	ck_assert_int_eq(fx.kept.count, 0);
	mtime_back("/tmp/anon", 120);
	c = cand("/tmp/anon", FILE_OP_LINK);
	c->old_path = strdup("/tmp/elsewhere");
	c->sec = (uint64_t)time(NULL);
	ck_assert_int_eq(inspector_check(&fx.in, c,
			T0 + fx.cfg.watch_report_after_ms + 2001),
			CHECK_WATCHED);
	ck_assert_int_eq(fx.kept.count, 0);
	closed(3);
	run_until(T0 + fx.cfg.watch_report_after_ms + 2001,
		  T0 + fx.cfg.watch_report_after_ms + 6000);
	ck_assert_int_eq(fx.kept.count, 1);
	ck_assert_str_eq(fx.kept.path, "/tmp/anon");
	ck_assert_uint_eq(fx.in.ck.watch.count, 0);
	free(p);
}
END_TEST

/* A link from a descriptor (/proc/self/fd/N, AT_EMPTY_PATH) that gives
 * the file its only name is a new file; an image binary linked through a
 * descriptor keeps its old name too, and is no drop. */
START_TEST(test_link_from_descriptor)
{
	size_t len;
	unsigned char *p = elf(&len);
	struct candidate *c;
	char *a, *b;

	put("/tmp/fd-linked", p, len);
	mtime_back("/tmp/fd-linked", 3600);
	c = cand("/tmp/fd-linked", FILE_OP_LINK);
	c->old_path = strdup("/proc/self/fd/3");
	ck_assert_int_eq(inspector_check(&fx.in, c, T0), CHECK_FINDING);

	put("/tmp/img", "\177ELF", 4);
	mtime_back("/tmp/img", 3600);
	ck_assert_int_ne(asprintf(&a, "%s/tmp/img", fx.root), -1);
	ck_assert_int_ne(asprintf(&b, "%s/tmp/img-link", fx.root), -1);
	ck_assert_int_eq(link(a, b), 0);
	c = cand("/tmp/img-link", FILE_OP_LINK);
	c->old_path = strdup("/proc/1/fd/4");
	ck_assert_int_eq(inspector_check(&fx.in, c, T0), CHECK_NOT_EXEC);
	c = cand("/tmp/img-link", FILE_OP_LINK);
	c->old_path = strdup("/proc/self/fd/x4");
	ck_assert_int_eq(inspector_check(&fx.in, c, T0), CHECK_NOT_EXEC);
	ck_assert_int_eq(fx.kept.count, 1);
	free(a);
	free(b);
	free(p);
}
END_TEST

/* A file whose name merely begins with "memfd:" is a file like any
 * other for the check. */
START_TEST(test_memfd_name_checked)
{
	size_t len;
	unsigned char *p = elf(&len);

	put("/tmp/memfd:payload", p, len);
	ck_assert_int_eq(inspector_check(&fx.in, cand("/tmp/memfd:payload",
				FILE_OP_OPEN), T0), CHECK_FINDING);
	free(p);
}
END_TEST

/*
 * A reported file rewritten in place: other content, the same size, its
 * mtime set back to what it was. A new finding, not a duplicate of the
 * first.
 */
START_TEST(test_rewrite_same_size_same_mtime)
{
	size_t len;
	unsigned char *p = elf(&len);
	struct timespec ts[2];
	struct candidate *c;
	struct stat st;
	char *path;

	put("/tmp/twice", p, len);
	ck_assert_int_eq(inspector_check(&fx.in, cand("/tmp/twice",
				FILE_OP_OPEN), T0), CHECK_FINDING);
	ck_assert_int_ne(asprintf(&path, "%s/tmp/twice", fx.root), -1);
	ck_assert_int_eq(stat(path, &st), 0);
	p[len - 1] ^= 0x5a;
	put("/tmp/twice", p, len);
	ts[0] = st.st_atim;
	ts[1] = st.st_mtim;
	ck_assert_int_eq(utimensat(AT_FDCWD, path, ts, 0), 0);
	c = cand("/tmp/twice", FILE_OP_OPEN);
	c->new_content = false;
	ck_assert_int_eq(inspector_check(&fx.in, c, T0 + 1), CHECK_FINDING);
	ck_assert_int_eq(fx.kept.count, 2);
	free(path);
	free(p);
}
END_TEST

/* A slow writer still writing when the bound is reached is judged once
 * it stops (or at twice the bound), not on a part. */
START_TEST(test_watch_bound_waits_for_settled)
{
	size_t len;
	unsigned char *p = elf(&len);
	uint64_t bound = fx.cfg.watch_report_after_ms, t;
	size_t part = len / 4;

	watched("/tmp/slow2", p, part, 9);
	run_until(T0, T0 + bound - 1);
	/* written at every look past the bound: not judged on a part */
	for (t = T0 + bound; t < T0 + bound + 3000; t += 100) {
		part = part + 1000 < len ? part + 1000 : len;
		put("/tmp/slow2", p, part);
		run_until(t, t + 99);
	}
	ck_assert_int_eq(fx.kept.count, 0);
	put("/tmp/slow2", p, len);
	run_until(T0 + bound + 3000, T0 + bound + 9000);
	ck_assert_int_eq(fx.kept.count, 1);
	ck_assert_int_eq(fx.kept.size, (long long)len);
	free(p);
}
END_TEST

/* One that never stops writing is judged at twice the bound. */
START_TEST(test_watch_never_settles)
{
	size_t len;
	unsigned char *p = elf(&len);
	uint64_t bound = fx.cfg.watch_report_after_ms, t;
	size_t part = len / 2;

	watched("/tmp/busy", p, part, 10);
	for (t = T0; t < T0 + 2 * bound + 2000 && !fx.kept.count; t += 50) {
		part = part + 1 < len ? part + 1 : len / 2;
		put("/tmp/busy", p, part);
		run_until(t, t + 49);
	}
	ck_assert_int_eq(fx.kept.count, 1);
	ck_assert_uint_ge(t, T0 + 2 * bound);
	free(p);
}
END_TEST

/* The writer's device is a proc mount from now on (the number a tmpfs
 * had, taken by a kernel file system after an umount). */
static void root_device_is_proc(void)
{
	struct stat st;
	char *text, *path;
	FILE *f;

	ck_assert_int_eq(stat(fx.root, &st), 0);
	ck_assert_int_ne(asprintf(&text,
		"1 0 %u:%u / / rw,relatime - proc proc rw\n",
		major(st.st_dev), minor(st.st_dev)), -1);
	/* in place, as /proc/PID/mountinfo stays one file while its
	 * table changes (a held one tells it by poll(); a plain file by
	 * its size and times) */
	ck_assert_int_ne(asprintf(&path, "%s/%d/mountinfo", fx.base,
				  PID_FAKE), -1);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	free(path);
	free(text);
}

/*
 * A run of opens is read in one round trip to the worker: text files
 * are judged from that look, an ELF among them is read again and
 * reported, a rename in the run is checked on its own after the opens
 * before it, and the worker holds no file afterwards.
 */
START_TEST(test_batch_of_opens)
{
	struct candidate *cs[6];
	size_t len;
	unsigned char *p = elf(&len);

	put("/tmp/t1", "text\n", 5);
	put("/tmp/t2", "more text\n", 10);
	put("/tmp/t3", "", 0);
	put("/tmp/elf", p, len);
	cs[0] = cand("/tmp/t1", FILE_OP_OPEN);
	cs[1] = cand("/tmp/elf", FILE_OP_OPEN);
	cs[2] = cand("/tmp/t2", FILE_OP_OPEN);
	cs[3] = cand("/tmp/t3", FILE_OP_OPEN);
	cs[4] = cand("/tmp/t1", FILE_OP_RENAME);
	cs[5] = cand("/tmp/t2", FILE_OP_OPEN);
	check_candidates(&fx.in.ck, cs, 6, T0);
	ck_assert_int_eq(fx.kept.count, 1);
	ck_assert_str_eq(fx.kept.path, "/tmp/elf");
	ck_assert(fx.kept.kind & (KIND_ELF_EXEC | KIND_ELF_PIE));
	ck_assert_uint_eq(atomic_load(&fx.st.checked), 6);
	ck_assert_uint_eq(atomic_load(&fx.st.unreachable), 0);
	ck_assert(!fx.in.ck.probe.holds_file);
	ck_assert_uint_eq(fx.in.ck.probe.replaced, 0);
	free(p);
}
END_TEST

/*
 * Two files of one batch, the writer's mount table changed between them:
 * the second is judged by the table as it is now, never by the class the
 * first was given. A class remembered for the batch let a container
 * that can mount swap a device number's file system (tmpfs -> FUSE, or
 * a kernel file system -> tmpfs) between two files.
 */
START_TEST(test_batch_mount_change)
{
	struct candidate *cs[2];
	size_t len;
	unsigned char *p = elf(&len);

	put("/tmp/a", p, len);
	p[len - 1] ^= 1;
	put("/tmp/b", p, len);
	cs[0] = cand("/tmp/a", FILE_OP_OPEN);
	cs[1] = cand("/tmp/b", FILE_OP_OPEN);
	on_next_finding = root_device_is_proc;
	check_candidates(&fx.in.ck, cs, 2, T0);
	ck_assert_int_eq(fx.kept.count, 1);
	ck_assert_str_eq(fx.kept.path, "/tmp/a");
	ck_assert_uint_eq(atomic_load(&fx.st.out_of_scope), 1);
	free(p);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("pipeline");
	TCase *tc = tcase_create("pipeline");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_elf_reported_once);
	tcase_add_test(tc, test_retry_until_content);
	tcase_add_test(tc, test_still_short_gives_up);
	tcase_add_test(tc, test_text_not_reported);
	tcase_add_test(tc, test_decisions_kept);
	tcase_add_test(tc, test_allowed_counted);
	tcase_add_test(tc, test_allow_path_escapes);
	tcase_add_test(tc, test_rename_into_place);
	tcase_add_test(tc, test_rename_never_comes);
	tcase_add_test(tc, test_final_look);
	tcase_add_test(tc, test_kernel_fs_excluded);
	tcase_add_test(tc, test_unknown_device_not_touched);
	tcase_add_test(tc, test_exec_of_reported_drop);
	tcase_add_test(tc, test_exec_of_unseen_drop);
	tcase_add_test(tc, test_exec_not_reported);
	tcase_add_test(tc, test_exec_process_moved_on);
	tcase_add_test(tc, test_exec_waits_for_write_check);
	tcase_add_test(tc, test_exec_half_queue);
	tcase_add_test(tc, test_exec_runtime_reexec);
	tcase_add_test(tc, test_exec_overlay_of_the_process);
	tcase_add_test(tc, test_watch_content_arrives_later);
	tcase_add_test(tc, test_watch_slow_writer_whole_file);
	tcase_add_test(tc, test_watch_report_after_bound);
	tcase_add_test(tc, test_watch_full_counted);
	tcase_add_test(tc, test_watch_inheritor);
	tcase_add_test(tc, test_watch_writer_no_search_finds);
	tcase_add_test(tc, test_no_search_when_no_writer);
	tcase_add_test(tc, test_lease_kept_from_file);
	tcase_add_test(tc, test_lease_never_let_go);
	tcase_add_test(tc, test_watch_fd_reused);
	tcase_add_test(tc, test_rewrite_in_place_mtime_back);
	tcase_add_test(tc, test_open_not_written);
	tcase_add_test(tc, test_tmpfile_linked_later);
	tcase_add_test(tc, test_link_from_descriptor);
	tcase_add_test(tc, test_memfd_name_checked);
	tcase_add_test(tc, test_rewrite_same_size_same_mtime);
	tcase_add_test(tc, test_watch_bound_waits_for_settled);
	tcase_add_test(tc, test_watch_never_settles);
	tcase_add_test(tc, test_batch_mount_change);
	tcase_add_test(tc, test_batch_of_opens);
	tcase_add_test(tc, test_batch_rename_after_open);
	suite_add_tcase(s, tc);
	return s;
}
