/* SPDX-License-Identifier: GPL-2.0-or-later */
/* log.h -- messages to syslog, and to stderr where someone reads it
 *
 * Every message goes to syslog (facility daemon). A copy goes to stderr:
 *  - every message, when run by hand (-i, --check-config, a terminal)
 *    or when no syslog daemon listens on /dev/log;
 *  - warnings and errors, when stderr is open and is not /dev/null.
 *    auditd 3.0.9 hands its own stderr down to the plugins it starts,
 *    and that is /dev/null (measured with auditd -n too: tests/e2e/ops.sh),
 *    so under auditd syslog is the one channel; the copies serve runs by
 *    hand, under a supervisor, and a future auditd that keeps stderr.
 * The last warning or error is kept for the state dump (log_last_error).
 * Safe to call from every thread.
 */
#ifndef DROPEXEC_LOG_H
#define DROPEXEC_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <syslog.h>
#include <time.h>

/* Longest message kept as the last error (longer ones are cut). */
#define LOG_LAST_ERROR_MAX	512

/*
 * Open syslog and decide where the copies go (see above): BY_HAND sends
 * every message to stderr as well. Forgets the last error.
 */
void log_init(bool by_hand);

/* Send copies of messages at STDERR_LEVEL or more severe to stderr
 * (-1: none). log_init() chooses it; tests set it. */
void log_set_stderr_level(int stderr_level);
int log_stderr_level(void);

void log_msg(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The last message logged at LOG_WARNING or more severe, copied into BUF
 * (LEN bytes, cut if longer), with its time in *WHEN and its priority in
 * *PRIO when given. Returns how many such messages were logged since
 * log_init() or log_reset_last_error(), 0 when none (BUF is then "").
 */
unsigned long log_last_error(char *buf, size_t len, time_t *when, int *prio);
void log_reset_last_error(void);

/* Can a datagram be sent to the syslog socket PATH (normally /dev/log)? */
bool log_syslog_reachable(const char *path);
/* Is FD open, and not /dev/null? */
bool log_fd_is_read(int fd);

#endif
