/* SPDX-License-Identifier: GPL-2.0-or-later */
/* log.h -- errors to syslog, and to stderr when run by hand */
#ifndef DROPEXEC_LOG_H
#define DROPEXEC_LOG_H

#include <stdbool.h>
#include <syslog.h>

/* Send messages to stderr as well as syslog (for -i and --check-config). */
void log_init(bool to_stderr);
void log_msg(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
