/* SPDX-License-Identifier: GPL-2.0-or-later */
/* log.c -- messages to syslog, and to stderr where someone reads it
 *
 * See log.h for where the copies on stderr go and why. A message is
 * formatted once, then written to syslog, to stderr if its priority asks
 * for it, and kept as the last error if it is a warning or worse.
 */
#include "util/log.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#define LOG_LINE_MAX	2048

static struct {
	pthread_mutex_t lock;
	int stderr_level;		/* -1: nothing to stderr */
	char last_error[LOG_LAST_ERROR_MAX];
	time_t last_error_time;
	int last_error_prio;
	unsigned long errors;
} lg = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.stderr_level = -1,
};

/* SRC into DST of LEN (> 0) bytes, cut if longer. */
static void copy_cut(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

bool log_syslog_reachable(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	bool ok;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return false;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

bool log_fd_is_read(int fd)
{
	struct stat st, null;

	if (fstat(fd, &st) < 0)
		return false;
	if (!S_ISCHR(st.st_mode))
		return true;
	if (stat("/dev/null", &null) == 0 && S_ISCHR(null.st_mode))
		return st.st_rdev != null.st_rdev;
	return st.st_rdev != makedev(1, 3);
}

void log_init(bool by_hand)
{
	int level;

	openlog("audisp-dropexec", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	if (by_hand || !log_syslog_reachable(_PATH_LOG))
		level = log_fd_is_read(STDERR_FILENO) ? LOG_DEBUG : -1;
	else
		level = log_fd_is_read(STDERR_FILENO) ? LOG_WARNING : -1;
	log_set_stderr_level(level);
	log_reset_last_error();
}

void log_set_stderr_level(int stderr_level)
{
	pthread_mutex_lock(&lg.lock);
	lg.stderr_level = stderr_level;
	pthread_mutex_unlock(&lg.lock);
}

int log_stderr_level(void)
{
	int level;

	pthread_mutex_lock(&lg.lock);
	level = lg.stderr_level;
	pthread_mutex_unlock(&lg.lock);
	return level;
}

void log_msg(int prio, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	bool to_stderr;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	syslog(prio, "%s", line);

	pthread_mutex_lock(&lg.lock);
	to_stderr = lg.stderr_level >= 0 && prio <= lg.stderr_level;
	if (prio <= LOG_WARNING) {
		copy_cut(lg.last_error, sizeof(lg.last_error), line);
		lg.last_error_time = time(NULL);
		lg.last_error_prio = prio;
		lg.errors++;
	}
	pthread_mutex_unlock(&lg.lock);
	/* One write per line: lines of threads do not interleave. */
	if (to_stderr)
		fprintf(stderr, "audisp-dropexec: %s\n", line);
}

unsigned long log_last_error(char *buf, size_t len, time_t *when, int *prio)
{
	unsigned long n;

	pthread_mutex_lock(&lg.lock);
	if (len)
		copy_cut(buf, len, lg.last_error);
	if (when)
		*when = lg.last_error_time;
	if (prio)
		*prio = lg.last_error_prio;
	n = lg.errors;
	pthread_mutex_unlock(&lg.lock);
	return n;
}

void log_reset_last_error(void)
{
	pthread_mutex_lock(&lg.lock);
	lg.last_error[0] = '\0';
	lg.last_error_time = 0;
	lg.last_error_prio = 0;
	lg.errors = 0;
	pthread_mutex_unlock(&lg.lock);
}
