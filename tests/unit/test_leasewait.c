/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_leasewait.c -- waiting out another process's write lease
 * (check/leasewait.c)
 *
 * The holder is a child process that takes write leases on files of a
 * private directory and keeps them the two ways an attacker can: taken
 * anew at once whenever a break is pending (which restarts
 * lease-break-time), or never let go.
 */
#include "testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "check/leasewait.h"

#define FILES_MAX	(LEASE_WAITERS_MAX + 1)

struct holder {
	pid_t pid;
	char *dir;
	char *path[FILES_MAX];
	size_t n;
};

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The holder's life: a write lease on each of H's files (on a read-only
 * descriptor, the content written before), kept (RESET: taken anew as
 * soon as a break is pending) until killed. */
static void __attribute__((noreturn)) holder_main(const struct holder *h,
						   bool reset, int ready)
{
	int fd[FILES_MAX];
	size_t i;

	signal(SIGIO, SIG_IGN);
	for (i = 0; i < h->n; i++) {
		fd[i] = open(h->path[i], O_RDONLY | O_CLOEXEC);
		if (fd[i] < 0 || fcntl(fd[i], F_SETLEASE, F_WRLCK) < 0)
			_exit(2);
	}
	if (write(ready, "x", 1) != 1)
		_exit(3);
	for (;;) {
		for (i = 0; reset && i < h->n; i++) {
			if (fcntl(fd[i], F_GETLEASE) != F_WRLCK) {
				fcntl(fd[i], F_SETLEASE, F_UNLCK);
				fcntl(fd[i], F_SETLEASE, F_WRLCK);
			}
		}
		usleep(1000);
	}
}

/* N files with some content, leased by a new holder (skipped where no
 * write lease can be had). */
static void holder_start(struct holder *h, size_t n, bool reset)
{
	char name[32], c;
	int p[2];
	size_t i;

	memset(h, 0, sizeof(*h));
	h->dir = test_mkdtemp();
	h->n = n;
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "f%zu", i);
		h->path[i] = test_write_file(h->dir, name, "\x7f" "ELF", 4,
					     0755);
	}
	ck_assert_int_eq(pipe(p), 0);
	h->pid = fork();
	ck_assert_int_ge(h->pid, 0);
	if (h->pid == 0) {
		close(p[0]);
		holder_main(h, reset, p[1]);
	}
	close(p[1]);
	if (read(p[0], &c, 1) != 1) {
		close(p[0]);
		waitpid(h->pid, NULL, 0);
		test_skip("no write lease can be had here");
	}
	close(p[0]);
}

static void holder_stop(struct holder *h)
{
	size_t i;

	kill(h->pid, SIGKILL);
	waitpid(h->pid, NULL, 0);
	for (i = 0; i < h->n; i++)
		free(h->path[i]);
	test_rmtree(h->dir);
	free(h->dir);
}

/* PATH as the look has it: an O_PATH descriptor and its fstat. */
static int path_fd(const char *path, struct stat *st)
{
	int fd = open(path, O_PATH | O_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, st), 0);
	return fd;
}

/* Does a non-blocking read-only open of PATH (the look's) get in within
 * SECONDS? */
static bool look_gets_in(const char *path, double seconds)
{
	double t0 = now_s();

	do {
		int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

		if (fd >= 0) {
			close(fd);
			return true;
		}
		ck_assert_int_eq(errno, EWOULDBLOCK);
		usleep(20000);
	} while (now_s() - t0 < seconds);
	return false;
}

/*
 * A holder that takes the lease anew whenever a break is pending keeps
 * every non-blocking open out (the attack); a waiter's open, pending in
 * the kernel, keeps it from taking the lease back: the look gets in at
 * once. A second question about the same file makes no second waiter.
 */
START_TEST(test_reset_holder_waited_out)
{
	struct lease_waiters lw;
	struct holder h;
	struct stat st;
	int fd;

	holder_start(&h, 1, true);
	ck_assert_msg(!look_gets_in(h.path[0], 1.0),
		      "the holder did not keep the look out");
	lease_waiters_init(&lw);
	fd = path_fd(h.path[0], &st);
	ck_assert(lease_wait(&lw, fd, &st));
	ck_assert(lease_wait(&lw, fd, &st));
	ck_assert_uint_eq(lw.started, 1);
	close(fd);
	ck_assert_msg(look_gets_in(h.path[0], 3.0),
		      "the waiter did not get the look in");
	lease_waiters_reap(&lw, true);
	ck_assert_int_eq(lw.pid[0], 0);
	holder_stop(&h);
}
END_TEST

/*
 * A holder that never lets go loses its lease when lease-break-time is
 * up; a waiter waits no longer than it was told (here one second: the
 * kernel's default is 45) and its slot is free again.
 */
START_TEST(test_waiter_bounded)
{
	struct lease_waiters lw;
	struct holder h;
	struct stat st;
	int fd, status = 0;
	double t0;

	holder_start(&h, 1, false);
	lease_waiters_init(&lw);
	ck_assert_uint_ge(lw.wait_s, lease_break_time_s());
	lw.wait_s = 1;
	fd = path_fd(h.path[0], &st);
	t0 = now_s();
	ck_assert(lease_wait(&lw, fd, &st));
	close(fd);
	ck_assert_int_eq(waitpid(lw.pid[0], &status, 0), lw.pid[0]);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	ck_assert_msg(now_s() - t0 < 5.0, "the waiter waited %.1f s",
		      now_s() - t0);
	lw.pid[0] = 0;
	holder_stop(&h);
}
END_TEST

/* No more than LEASE_WAITERS_MAX waiters: the next file is refused and
 * counted, and a slot freed takes it. */
START_TEST(test_waiters_bounded)
{
	struct lease_waiters lw;
	struct holder h;
	struct stat st;
	size_t i;
	int fd;

	holder_start(&h, FILES_MAX, false);
	lease_waiters_init(&lw);
	for (i = 0; i < LEASE_WAITERS_MAX; i++) {
		fd = path_fd(h.path[i], &st);
		ck_assert(lease_wait(&lw, fd, &st));
		close(fd);
	}
	fd = path_fd(h.path[LEASE_WAITERS_MAX], &st);
	ck_assert(!lease_wait(&lw, fd, &st));
	ck_assert_uint_eq(lw.full, 1);
	kill(lw.pid[3], SIGKILL);
	waitpid(lw.pid[3], NULL, 0);
	lw.pid[3] = 0;
	ck_assert(lease_wait(&lw, fd, &st));
	ck_assert_uint_eq(lw.started, LEASE_WAITERS_MAX + 1);
	close(fd);
	lease_waiters_reap(&lw, true);
	for (i = 0; i < LEASE_WAITERS_MAX; i++)
		ck_assert_int_eq(lw.pid[i], 0);
	holder_stop(&h);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("leasewait");
	TCase *tc = tcase_create("leasewait");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_reset_holder_waited_out);
	tcase_add_test(tc, test_waiter_bounded);
	tcase_add_test(tc, test_waiters_bounded);
	suite_add_tcase(s, tc);
	return s;
}
