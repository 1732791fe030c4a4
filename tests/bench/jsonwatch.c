/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jsonwatch.c -- note when each line of a growing file is written.
 *
 * usage: jsonwatch FILE
 * Waits on inotify (IN_MODIFY) for FILE (which must exist), and for each
 * complete line appended prints "REALTIME_NS LINE_NUMBER" as soon as it
 * sees it. Runs until killed (SIGTERM). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static char buf[1 << 16], ev[4096];
	unsigned long line = 0;
	int fd, in;

	if (argc != 2) {
		fprintf(stderr, "usage: %s FILE\n", argv[0]);
		return 2;
	}
	in = inotify_init1(IN_CLOEXEC);
	if (in < 0 || inotify_add_watch(in, argv[1], IN_MODIFY) < 0) {
		perror(argv[1]);
		return 1;
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (;;) {
		struct timespec ts;
		ssize_t n, i;

		/* drain what is there, then wait for more */
		while ((n = read(fd, buf, sizeof(buf))) > 0) {
			clock_gettime(CLOCK_REALTIME, &ts);
			for (i = 0; i < n; i++)
				if (buf[i] == '\n')
					printf("%lld%09ld %lu\n",
					       (long long)ts.tv_sec, ts.tv_nsec,
					       ++line);
		}
		if (read(in, ev, sizeof(ev)) < 0)
			return 1;
	}
}
