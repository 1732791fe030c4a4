/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fileloop.c -- the file operations whose audit cost rules-overhead.sh
 * measures.
 *
 * usage: fileloop OP N DIR
 *   create  N times: open(O_CREAT|O_EXCL|O_WRONLY) a new file, write 512
 *           bytes, close (the files are removed afterwards, untimed)
 *   rename  N times: rename a file to a new name
 *   openr   N times: open an existing file read-only, close
 *   other   N times: lseek and fstat (2N system calls that no
 *           rule names; the time is per system call)
 *   getppid N times: getppid, the cheapest system call, named by no rule
 *           (what the audit framework adds to any call, undiluted)
 *   read1   N times: pread of 1 byte of a file (named by no rule)
 * Prints "OP N wall_ns_per_op cpu_ns_per_op". The CPU time is the
 * thread's own (CLOCK_THREAD_CPUTIME_ID), user and system, read around the
 * loop only: time spent waiting for a CPU that another process holds is
 * not counted, which is what makes ratios of a few per cent measurable on
 * a shared machine. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

int main(int argc, char **argv)
{
	static char data[512];
	char a[4096], b[4096];
	double w0, c0, w1, c1;
	long i, n;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: %s create|rename|openr|other|getppid|read1 N DIR\n", argv[0]);
		return 2;
	}
	n = atol(argv[2]);
	memset(data, 'x', sizeof(data));
	snprintf(a, sizeof(a), "%s/r0", argv[3]);
	if (strcmp(argv[1], "create") && strcmp(argv[1], "getppid")) {
		fd = open(a, O_CREAT | O_WRONLY | O_TRUNC, 0644);
		if (fd < 0 || write(fd, "x", 1) != 1)
			die(a);
		close(fd);
	}
	w0 = now_ns(CLOCK_MONOTONIC);
	c0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	if (!strcmp(argv[1], "create")) {
		for (i = 0; i < n; i++) {
			snprintf(b, sizeof(b), "%s/f%ld", argv[3], i);
			fd = open(b, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
			if (fd < 0)
				die(b);
			if (write(fd, data, sizeof(data)) != sizeof(data))
				die("write");
			close(fd);
		}
	} else if (!strcmp(argv[1], "rename")) {
		for (i = 0; i < n; i++) {
			snprintf(b, sizeof(b), "%s/r%ld", argv[3], i + 1);
			if (rename(a, b))
				die("rename");
			memcpy(a, b, sizeof(a));
		}
	} else if (!strcmp(argv[1], "openr")) {
		for (i = 0; i < n; i++) {
			fd = open(a, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				die(a);
			close(fd);
		}
	} else if (!strcmp(argv[1], "other")) {
		/* system calls no rule names: lseek, fstat */
		struct stat st;

		fd = open(a, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			die(a);
		for (i = 0; i < n; i++) {
			if (lseek(fd, 0, SEEK_SET) != 0 || fstat(fd, &st))
				die("lseek/fstat");
		}
		close(fd);
		n *= 2;
	} else if (!strcmp(argv[1], "getppid")) {
		/* the system call itself, not a cached value of the library */
		for (i = 0; i < n; i++)
			if (syscall(SYS_getppid) <= 0)
				die("getppid");
	} else if (!strcmp(argv[1], "read1")) {
		char c;

		fd = open(a, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			die(a);
		for (i = 0; i < n; i++)
			if (pread(fd, &c, 1, 0) != 1)
				die("pread");
		close(fd);
	} else {
		fprintf(stderr, "unknown operation %s\n", argv[1]);
		return 2;
	}
	c1 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	w1 = now_ns(CLOCK_MONOTONIC);
	printf("%s %ld %.0f %.0f\n", argv[1], n, (w1 - w0) / n, (c1 - c0) / n);
	/* untimed clean-up */
	if (!strcmp(argv[1], "create")) {
		for (i = 0; i < n; i++) {
			snprintf(b, sizeof(b), "%s/f%ld", argv[3], i);
			unlink(b);
		}
	} else {
		unlink(a);
	}
	return 0;
}
