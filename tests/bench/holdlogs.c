/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * holdlogs -- N log files held open for writing and appended to slowly
 * (tests/bench/watch.sh). Built with cc -static.
 *
 *   holdlogs DIR N SECONDS INTERVAL_MS
 *
 * Opens DIR/log0 .. DIR/log(N-1) for appending, then for SECONDS appends
 * one line to one file every INTERVAL_MS / N ms (each file gets a line
 * every INTERVAL_MS), and closes them all at the end.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec gap, end, now;
	long n, i, k = 0, interval;
	char path[4096], line[64];
	int *fds;

	if (argc != 5)
		return 2;
	n = atol(argv[2]);
	interval = atol(argv[4]);
	if (n <= 0 || interval <= 0)
		return 2;
	fds = calloc((size_t)n, sizeof(*fds));
	if (!fds)
		return 1;
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/log%ld", argv[1], i);
		fds[i] = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);
		if (fds[i] < 0) {
			perror(path);
			return 1;
		}
	}
	gap.tv_sec = interval / n / 1000;
	gap.tv_nsec = (interval * 1000000L / n) % 1000000000L;
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += atol(argv[3]);
	do {
		int len = snprintf(line, sizeof(line), "line %ld\n", k);

		if (write(fds[k % n], line, (size_t)len) != len)
			return 1;
		k++;
		nanosleep(&gap, NULL);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec < end.tv_sec ||
		 (now.tv_sec == end.tv_sec && now.tv_nsec < end.tv_nsec));
	for (i = 0; i < n; i++)
		close(fds[i]);
	printf("%ld lines\n", k);
	return 0;
}
