/* SPDX-License-Identifier: GPL-2.0-or-later */
/* log.c -- errors to syslog, and to stderr when run by hand */
#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>

static bool log_stderr;

void log_init(bool to_stderr)
{
	log_stderr = to_stderr;
	openlog("audisp-dropexec", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_msg(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsyslog(prio, fmt, ap);
	va_end(ap);
	if (log_stderr) {
		va_start(ap, fmt);
		fputs("audisp-dropexec: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		va_end(ap);
	}
}
