/* SPDX-License-Identifier: GPL-2.0-or-later */
/* leasewait.c -- wait out another process's write lease on a file, in a
 * process of its own */
#include "check/leasewait.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "util/readfile.h"

#define LEASE_BREAK_DEFAULT_S	45
#define LEASE_MARGIN_S		5

unsigned int lease_break_time_s(void)
{
	char *text = read_file_bounded("/proc/sys/fs/lease-break-time", 32,
				       NULL);
	long v = text ? strtol(text, NULL, 10) : 0;

	free(text);
	return v > 0 && v < 86400 ? (unsigned int)v : LEASE_BREAK_DEFAULT_S;
}

void lease_waiters_init(struct lease_waiters *lw)
{
	memset(lw, 0, sizeof(*lw));
	lw->wait_s = lease_break_time_s() + LEASE_MARGIN_S;
}

static void on_alarm(int sig)
{
	(void)sig;	/* only to end open() or pause() */
}

/* The waiter: PATH_FD is all it keeps. Its open waits for the lease,
 * at most WAIT_S seconds (SIGALRM, no SA_RESTART: EINTR), then keeps the
 * file open for LEASE_HOLD_S. */
static void __attribute__((noreturn)) waiter_main(int path_fd,
						   unsigned int wait_s)
{
	struct sigaction sa;
	char self[64];
	int fd;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, "dropexec-lease");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	if (path_fd > 0)
		close_range(0, (unsigned int)path_fd - 1, 0);
	close_range((unsigned int)path_fd + 1, ~0U, 0);
	snprintf(self, sizeof(self), "/proc/self/fd/%d", path_fd);
	alarm(wait_s);
	fd = open(self, O_RDONLY | O_NOCTTY | O_CLOEXEC);
	if (fd >= 0) {
		alarm(LEASE_HOLD_S);
		pause();
	}
	_exit(fd >= 0 ? 0 : 1);
}

void lease_waiters_reap(struct lease_waiters *lw, bool all)
{
	size_t i;

	for (i = 0; i < LEASE_WAITERS_MAX; i++) {
		if (!lw->pid[i])
			continue;
		if (all)
			kill(lw->pid[i], SIGKILL);
		if (waitpid(lw->pid[i], NULL, all ? 0 : WNOHANG) != 0)
			lw->pid[i] = 0;
	}
}

bool lease_wait(struct lease_waiters *lw, int path_fd, const struct stat *st)
{
	size_t i, slot = LEASE_WAITERS_MAX;
	pid_t pid;

	lease_waiters_reap(lw, false);
	for (i = 0; i < LEASE_WAITERS_MAX; i++) {
		if (!lw->pid[i]) {
			if (slot == LEASE_WAITERS_MAX)
				slot = i;
		} else if (lw->dev[i] == st->st_dev &&
			   lw->ino[i] == st->st_ino) {
			return true;
		}
	}
	if (slot == LEASE_WAITERS_MAX) {
		lw->full++;
		return false;
	}
	pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0)
		waiter_main(path_fd, lw->wait_s);
	lw->pid[slot] = pid;
	lw->dev[slot] = st->st_dev;
	lw->ino[slot] = st->st_ino;
	lw->started++;
	return true;
}
