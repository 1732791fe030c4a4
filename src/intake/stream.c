/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stream.c -- read auditd's stream (stdin, or a file with -i) into the reader */
#include "intake/stream.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"

#define READ_CHUNK	(64 * 1024)
#define IDLE_NS		200000000L

int stream_run(int fd, struct reader *r, const struct stream_signals *sig)
{
	char *buf = malloc(READ_CHUNK);
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	const struct timespec idle = { .tv_sec = 0, .tv_nsec = IDLE_NS };
	int rc = 0;

	if (!buf)
		return -1;
	while (!*sig->stop) {
		ssize_t n;
		int p;

		if (*sig->reload) {
			*sig->reload = 0;
			sig->on_reload(sig->arg);
		}
		p = ppoll(&pfd, 1, &idle, sig->wait_mask);
		if (p < 0) {
			if (errno == EINTR)
				continue;
			log_msg(LOG_ERR, "poll: %s", strerror(errno));
			rc = -1;
			break;
		}
		if (p == 0) {
			reader_idle(r);
			continue;
		}
		n = read(fd, buf, READ_CHUNK);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			log_msg(LOG_ERR, "read: %s", strerror(errno));
			rc = -1;
			break;
		}
		if (n == 0)
			break;
		reader_feed(r, buf, (size_t)n);
	}
	free(buf);
	return rc;
}
