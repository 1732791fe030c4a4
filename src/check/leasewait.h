/* SPDX-License-Identifier: GPL-2.0-or-later */
/* leasewait.h -- wait out another process's write lease on a file, in a
 * process of its own
 *
 * A write lease keeps every other open of its file out. The look's open
 * (check/safeopen.h) has O_NONBLOCK: it fails with EWOULDBLOCK at once,
 * and starts a break of the lease (the holder gets SIGIO). An open
 * without O_NONBLOCK waits until the holder lets go, or until the kernel
 * takes the lease away, lease-break-time after the break began
 * (/proc/sys/fs/lease-break-time, 45 s by default). A holder that lets go
 * whenever a break is pending and takes the lease anew restarts that time
 * at once, which keeps every non-blocking open out for as long as it
 * likes (tests/e2e/content.sh (u)).
 *
 * A waiter is a process that opens the file without O_NONBLOCK and
 * waits, at most lease-break-time and a margin. While its open waits, the
 * kernel counts it as a reader of the file: the holder cannot take a
 * write lease back once it lets go, and a holder that never lets go loses
 * the lease when the time is up. The waiter then keeps the file open for
 * a few seconds, so that the next look gets in, and exits. A holder that
 * answers the break (a file server that flushes its cache and lets go)
 * is told of it by the kernel's SIGIO, as for any reader: nothing is
 * taken from it without notice.
 *
 * The waiters belong to the worker process (check/probe.h) that made
 * them, and die with it.
 */
#ifndef DROPEXEC_LEASEWAIT_H
#define DROPEXEC_LEASEWAIT_H

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

#define LEASE_WAITERS_MAX	8	/* files waited for at once */
#define LEASE_HOLD_S		5	/* a waiter keeps its file open so long */

struct lease_waiters {
	pid_t pid[LEASE_WAITERS_MAX];	/* 0: a free slot */
	dev_t dev[LEASE_WAITERS_MAX];
	ino_t ino[LEASE_WAITERS_MAX];
	unsigned int wait_s;		/* lease-break-time and a margin */
	unsigned long long started;	/* waiters made */
	unsigned long long full;	/* files no waiter was left for */
};

/* The kernel's lease-break-time in seconds (45 when it cannot be read). */
unsigned int lease_break_time_s(void);

/* No waiter yet; they wait lease_break_time_s() and 5 s. */
void lease_waiters_init(struct lease_waiters *lw);

/*
 * Wait out the lease on the file of the O_PATH descriptor PATH_FD (a
 * regular file, vetted; ST its fstat) in a new waiter, unless one waits
 * for that file already (true) or all LEASE_WAITERS_MAX slots are taken
 * (false, counted in FULL). Waiters that have ended are reaped first.
 */
bool lease_wait(struct lease_waiters *lw, int path_fd, const struct stat *st);

/* Reap the waiters that have ended; kill and reap the others when ALL. */
void lease_waiters_reap(struct lease_waiters *lw, bool all);

#endif
