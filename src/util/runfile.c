/* SPDX-License-Identifier: GPL-2.0-or-later */
/* runfile.c -- small files under /run: the pid file and the state dump */
#include "util/runfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Write all of DATA to FD, going on after EINTR and short writes. */
static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int runfile_replace(const char *path, const char *data, size_t len,
		    mode_t mode)
{
	char *tmp;
	int fd, err;

	if (asprintf(&tmp, "%s.XXXXXX", path) < 0) {
		errno = ENOMEM;
		return -1;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		free(tmp);
		errno = err;
		return -1;
	}
	if (fchmod(fd, mode) || write_all(fd, data, len)) {
		err = errno;
		close(fd);
		goto fail;
	}
	if (close(fd) || rename(tmp, path)) {
		err = errno;
		goto fail;
	}
	free(tmp);
	return 0;
fail:
	unlink(tmp);
	free(tmp);
	errno = err;
	return -1;
}

int pidfile_write(const char *path, pid_t pid)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d\n", (int)pid);

	return runfile_replace(path, buf, (size_t)n, 0644);
}

pid_t pidfile_read(const char *path)
{
	char buf[32];
	ssize_t n;
	long v;
	char *end;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n') || v <= 0 ||
	    v > 0x3fffffff)
		return -1;
	return (pid_t)v;
}

int pidfile_remove(const char *path, pid_t pid)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (pidfile_read(path) != pid)
		return -1;
	return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
}
