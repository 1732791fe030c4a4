/* SPDX-License-Identifier: GPL-2.0-or-later */
/* renameflood.c -- runs in a container (built -static): rename one file
 * back and forth N times as fast as it can, then drop one executable.
 *
 * usage: renameflood N DIR ELF
 *   Renames DIR/a to DIR/b and back, N renames in all, then copies ELF to
 *   DIR/after-flood (mode 0755): the drop that must still be reported.
 * Prints "start SEC.NSEC" and "end SEC.NSEC" (CLOCK_REALTIME) around the
 * renames. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void stamp(const char *what)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	printf("%s %lld.%09ld\n", what, (long long)ts.tv_sec, ts.tv_nsec);
}

int main(int argc, char **argv)
{
	char a[4096], b[4096], dst[4096], buf[65536];
	long n, i;
	ssize_t r;
	int fd, in;

	if (argc != 4) {
		fprintf(stderr, "usage: %s N DIR ELF\n", argv[0]);
		return 2;
	}
	n = atol(argv[1]);
	snprintf(a, sizeof(a), "%s/a", argv[2]);
	snprintf(b, sizeof(b), "%s/b", argv[2]);
	snprintf(dst, sizeof(dst), "%s/after-flood", argv[2]);
	fd = open(a, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (fd < 0 || write(fd, "text\n", 5) != 5 || close(fd))
		return 1;
	stamp("start");
	for (i = 0; i < n; i++)
		if (rename(i % 2 ? b : a, i % 2 ? a : b))
			return 1;
	stamp("end");
	in = open(argv[3], O_RDONLY);
	fd = open(dst, O_CREAT | O_WRONLY | O_TRUNC, 0755);
	if (in < 0 || fd < 0)
		return 1;
	while ((r = read(in, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)r) != r)
			return 1;
	close(in);
	return close(fd) ? 1 : 0;
}
