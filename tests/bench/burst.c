/* SPDX-License-Identifier: GPL-2.0-or-later */
/* burst.c -- runs in a container (built -static): drop NEXEC executables
 * and write NFILES ordinary files as fast as it can.
 *
 * usage: burst NEXEC NFILES DIR ELF [GAP_US]
 *   Writes DIR/eI (a copy of ELF, mode 0755, one write) for I < NEXEC,
 *   and DIR/tJ (200 bytes of text) for J < NFILES, interleaved evenly.
 *   GAP_US > 0 sleeps that long after each executable (latency.sh).
 * Prints "start SEC.NSEC" and "end SEC.NSEC" (CLOCK_REALTIME) and, with
 * GAP_US, "drop I SEC.NSEC" after each executable is written. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void stamp(const char *what, long i)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (i >= 0)
		printf("%s %ld %lld.%09ld\n", what, i, (long long)ts.tv_sec,
		       ts.tv_nsec);
	else
		printf("%s %lld.%09ld\n", what, (long long)ts.tv_sec,
		       ts.tv_nsec);
}

static int put(const char *path, const void *buf, size_t len, mode_t mode)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, mode);

	if (fd < 0) {
		perror(path);
		return -1;
	}
	if (write(fd, buf, len) != (ssize_t)len) {
		perror(path);
		close(fd);
		return -1;
	}
	return close(fd);
}

int main(int argc, char **argv)
{
	char path[4096], text[200];
	static char elf[1 << 20];
	long nexec, nfiles, i, j = 0, gap = 0;
	ssize_t elen;
	int fd;

	if (argc < 5) {
		fprintf(stderr, "usage: %s NEXEC NFILES DIR ELF [GAP_US]\n",
			argv[0]);
		return 2;
	}
	nexec = atol(argv[1]);
	nfiles = atol(argv[2]);
	if (argc > 5)
		gap = atol(argv[5]);
	fd = open(argv[4], O_RDONLY);
	if (fd < 0 || (elen = read(fd, elf, sizeof(elf))) <= 0) {
		perror(argv[4]);
		return 1;
	}
	close(fd);
	memset(text, 'a', sizeof(text));
	memcpy(text, "plain text, not a program\n", 26);
	text[sizeof(text) - 1] = '\n';
	setvbuf(stdout, NULL, _IOLBF, 0);
	stamp("start", -1);
	for (i = 0; i < nexec || j < nfiles; i++) {
		/* the text files due by now */
		long upto = nexec ? (i + 1) * nfiles / nexec : nfiles;

		if (i < nexec) {
			snprintf(path, sizeof(path), "%s/e%ld", argv[3], i);
			if (put(path, elf, (size_t)elen, 0755))
				return 1;
			if (gap) {
				stamp("drop", i);
				usleep((useconds_t)gap);
			}
		}
		for (; j < nfiles && (j < upto || i >= nexec); j++) {
			snprintf(path, sizeof(path), "%s/t%ld", argv[3], j);
			if (put(path, text, sizeof(text), 0644))
				return 1;
		}
	}
	stamp("end", -1);
	return 0;
}
