/* SPDX-License-Identifier: GPL-2.0-or-later */
/* readfile.c -- read a small file whole, with a size bound */
#include "util/readfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

char *read_file_bounded(const char *path, size_t max, int *err)
{
	size_t cap = 4096, len = 0;
	char *buf;
	int fd, dummy;

	if (!err)
		err = &dummy;
	*err = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		*err = errno;
		return NULL;
	}
	buf = malloc(cap + 1);
	if (!buf) {
		*err = ENOMEM;
		close(fd);
		return NULL;
	}
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *grown;

			if (cap >= max)
				break;
			cap = cap * 2 < max ? cap * 2 : max;
			grown = realloc(buf, cap + 1);
			if (!grown)
				break;
			buf = grown;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*err = errno;
			close(fd);
			free(buf);
			return NULL;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}
