/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_reader.c -- the reader's routing: what is let go early, what is
 * dropped and counted, what is queued for the check (intake/reader.c) */
#include "testlib.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "candidate.h"
#include "check/inspector.h"
#include "intake/reader.h"
#include "util/queue.h"
#include "util/settings.h"
#include "util/stats.h"

/*
 * The fixture procfs of test_scope.c (tests/fixtures/proc): 4242 is a
 * podman container process, 4243 a host shell, every other pid is gone.
 * The inspector is set up but its thread is never started: what the
 * reader queues stays in in.q, to be popped here.
 */
#define PID_PODMAN	4242
#define PID_HOST	4243
#define PID_GONE	4244

static struct stats st;
static struct inspector in;
static struct reader rd;

/* A reader and an inspector (queue of QUEUE_SIZE) in scope MODE. */
static void setup_mode(enum scope_mode mode, size_t queue_size)
{
	test_reader_init(&rd, &in, &st, mode, queue_size);
}

static void setup_container(void)
{
	setup_mode(SCOPE_CONTAINER, 16);
}

static void setup_all(void)
{
	setup_mode(SCOPE_ALL, 16);
}

static void teardown(void)
{
	reader_destroy(&rd);
	inspector_free(&in);
}

/* The write of PATH by PID (parent PPID), a device no overlay has. */
static struct candidate *cand(pid_t pid, pid_t ppid, const char *path)
{
	struct candidate *c = candidate_new();

	ck_assert_ptr_nonnull(c);
	c->pid = pid;
	c->ppid = ppid;
	c->path = strdup(path);
	ck_assert_ptr_nonnull(c->path);
	c->has_inode = true;
	c->inode = 1073288;
	c->dev_major = 0xfe;
	c->dev_minor = 0;
	return c;
}

/* What the reader queued for the check, or NULL. */
static struct candidate *queued(void)
{
	bool closed;

	return queue_pop(&in.q, 0, &closed);
}

/* --- reader_route -------------------------------------------------------- */

/* A memfd is no file anyone can run from disk: dropped, counted. It is
 * told by its device, the kernel's memfd mount. */
START_TEST(test_memfd_dropped)
{
	struct candidate *c = cand(PID_PODMAN, PID_HOST,
				   "/proc/self/fd/4");

	rd.memfd_known = true;
	rd.memfd_major = 0;
	rd.memfd_minor = 1;
	c->dev_major = 0;
	c->dev_minor = 1;
	ck_assert(!reader_route(&rd, c));
	ck_assert_uint_eq(atomic_load(&st.candidates), 1);
	ck_assert_uint_eq(atomic_load(&st.out_of_scope), 1);
	ck_assert_uint_eq(queue_length(&in.q), 0);
}
END_TEST

/* A name that begins with "memfd:" (a relative name left unresolved, or
 * one without a working directory) is anyone's to choose: queued. */
START_TEST(test_memfd_name_queued)
{
	struct candidate *c = cand(PID_PODMAN, PID_HOST, "memfd:payload");
	struct candidate *got;

	c->name_unresolved = true;
	ck_assert(reader_route(&rd, c));
	ck_assert_uint_eq(atomic_load(&st.out_of_scope), 0);
	got = queued();
	ck_assert_ptr_eq(got, c);
	candidate_free(got);
}
END_TEST

/* The memfd device the reader learnt is the one a memfd really has. */
START_TEST(test_memfd_device_learnt)
{
	struct stat sb;
	int fd = memfd_create("test", MFD_CLOEXEC);

	if (fd < 0)
		test_skip("memfd_create: %s", strerror(errno));
	ck_assert_int_eq(fstat(fd, &sb), 0);
	close(fd);
	ck_assert(rd.memfd_known);
	ck_assert_uint_eq(rd.memfd_major, major(sb.st_dev));
	ck_assert_uint_eq(rd.memfd_minor, minor(sb.st_dev));
}
END_TEST

/* scope = all: a host write is queued for the check, unattributed. */
START_TEST(test_all_queues_host_write)
{
	struct candidate *c = cand(PID_HOST, 1, "/tmp/dropped"), *got;

	ck_assert(reader_route(&rd, c));
	ck_assert_uint_eq(atomic_load(&st.candidates), 1);
	ck_assert_uint_eq(atomic_load(&st.out_of_scope), 0);
	ck_assert_uint_eq(queue_length(&in.q), 1);
	got = queued();
	ck_assert_ptr_eq(got, c);
	ck_assert(!got->container.in_container);
	ck_assert_ptr_null(got->shm_dir);
	candidate_free(got);
}
END_TEST

/* scope = container: a host write is dropped and counted... */
START_TEST(test_container_drops_host_write)
{
	ck_assert(!reader_route(&rd, cand(PID_HOST, 1, "/tmp/dropped")));
	ck_assert_uint_eq(atomic_load(&st.candidates), 1);
	ck_assert_uint_eq(atomic_load(&st.out_of_scope), 1);
	ck_assert_uint_eq(queue_length(&in.q), 0);
}
END_TEST

/* ...and a container's write is attributed, then queued. */
START_TEST(test_container_queues_container_write)
{
	struct candidate *c = cand(PID_PODMAN, PID_HOST, "/tmp/dropped");
	struct candidate *got;

	ck_assert(reader_route(&rd, c));
	ck_assert_uint_eq(atomic_load(&st.out_of_scope), 0);
	got = queued();
	ck_assert_ptr_eq(got, c);
	ck_assert(got->container.in_container);
	ck_assert_int_eq(got->container.source, SCOPE_SRC_PID);
	ck_assert_str_eq(got->container.id, TEST_PODMAN_ID);
	ck_assert_str_eq(got->container.runtime, "podman");
	candidate_free(got);
}
END_TEST

/* A name below /dev/shm is queued with its mount noted, for the check
 * to confirm the file is really there. */
START_TEST(test_shm_dir_noted)
{
	struct candidate *got;

	ck_assert(reader_route(&rd, cand(PID_PODMAN, PID_HOST,
					 "/dev/shm/x")));
	got = queued();
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got->shm_dir, "/dev/shm");
	candidate_free(got);
}
END_TEST

/* The reader never waits: with the check's queue full, the candidate is
 * dropped and counted. */
START_TEST(test_queue_full_dropped)
{
	size_t i;

	teardown();
	setup_mode(SCOPE_ALL, 2);
	for (i = 0; i < 2; i++)
		ck_assert(reader_route(&rd, cand(PID_HOST, 1, "/tmp/x")));
	ck_assert(!reader_route(&rd, cand(PID_HOST, 1, "/tmp/x")));
	ck_assert_uint_eq(atomic_load(&st.queue_dropped), 1);
	ck_assert_uint_eq(queue_length(&in.q), 2);
}
END_TEST

/* A write leaves its writer's verdict cached for a moment; an execution
 * leaves none, for the process nor its parent: a shell that leaves its
 * cgroup right after running a program is judged afresh on its write. */
START_TEST(test_exec_leaves_no_verdict)
{
	struct candidate *c, *got;
	const struct pid_verdict *v =
		&rd.scope.pids[PID_PODMAN % PID_CACHE_SIZE];

	ck_assert(reader_route(&rd, cand(PID_PODMAN, PID_HOST, "/tmp/w")));
	ck_assert_int_eq(v->pid, PID_PODMAN);
	candidate_free(queued());
	scope_forget_pid(&rd.scope, PID_PODMAN);
	ck_assert_int_eq(v->pid, 0);

	c = cand(PID_PODMAN, PID_HOST, "/tmp/x");
	c->op = FILE_OP_EXEC;
	ck_assert(reader_route(&rd, c));
	ck_assert_int_ne(v->pid, PID_PODMAN);
	ck_assert_int_ne(rd.scope.pids[PID_HOST % PID_CACHE_SIZE].pid,
			 PID_HOST);
	got = queued();
	ck_assert_ptr_eq(got, c);
	ck_assert_str_eq(got->container.id, TEST_PODMAN_ID);
	candidate_free(got);
}
END_TEST

/* --- reader_keep_pid ----------------------------------------------------- */

/* scope = container: a live host process is let go at once; a container
 * process, and one that is gone (it cannot be told), are kept. */
START_TEST(test_keep_pid_container)
{
	ck_assert(!reader_keep_pid(&rd, PID_HOST));
	ck_assert(reader_keep_pid(&rd, PID_PODMAN));
	ck_assert(reader_keep_pid(&rd, PID_GONE));
}
END_TEST

/* scope = all keeps everyone, also after a reload switched to it. */
START_TEST(test_keep_pid_all)
{
	ck_assert(reader_keep_pid(&rd, PID_HOST));
	ck_assert(reader_keep_pid(&rd, PID_PODMAN));
	reader_set_mode(&rd, SCOPE_CONTAINER);
	ck_assert(!reader_keep_pid(&rd, PID_HOST));
	reader_set_mode(&rd, SCOPE_ALL);
	ck_assert(reader_keep_pid(&rd, PID_HOST));
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("reader");
	TCase *tc = tcase_create("scope-container");
	TCase *ta = tcase_create("scope-all");

	tcase_add_checked_fixture(tc, setup_container, teardown);
	tcase_add_test(tc, test_memfd_dropped);
	tcase_add_test(tc, test_memfd_name_queued);
	tcase_add_test(tc, test_memfd_device_learnt);
	tcase_add_test(tc, test_container_drops_host_write);
	tcase_add_test(tc, test_container_queues_container_write);
	tcase_add_test(tc, test_exec_leaves_no_verdict);
	tcase_add_test(tc, test_keep_pid_container);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(ta, setup_all, teardown);
	tcase_add_test(ta, test_memfd_dropped);
	tcase_add_test(ta, test_all_queues_host_write);
	tcase_add_test(ta, test_shm_dir_noted);
	tcase_add_test(ta, test_queue_full_dropped);
	tcase_add_test(ta, test_keep_pid_all);
	suite_add_tcase(s, ta);
	return s;
}
