/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * latewrite -- drops an executable the way that escapes one look after
 * the open (tests/e2e/content.sh). Built with gcc -static.
 *
 *   latewrite later   PATH PAYLOAD SEC  text first, the ELF SEC s later
 *                                       (pwrite at offset 0)
 *   latewrite zeros   PATH PAYLOAD SEC  ftruncate to the size (zeros), SEC
 *                                       s later the body, the header last
 *   latewrite mmap    PATH PAYLOAD SEC  ftruncate, mmap, SEC s later the
 *                                       content through the mapping
 *   latewrite mapclose PATH PAYLOAD SEC as mmap, but a line of text
 *                                       written first and the descriptor
 *                                       closed as soon as the mapping is
 *                                       made
 *   latewrite bytes   PATH PAYLOAD SEC  the first 64 bytes one at a time,
 *                                       then the rest in pieces, over SEC s
 *   latewrite existing PATH PAYLOAD SEC an existing file opened for writing
 *                                       (no O_TRUNC), written SEC s later
 *   latewrite inplace PATH PAYLOAD      an existing binary rewritten in
 *                                       place, its mtime set back after
 *   latewrite tmpfile DIR PATH PAYLOAD HOW
 *                                       O_TMPFILE in DIR, written, mtime set
 *                                       back ten minutes, then linked as
 *                                       PATH (HOW: procfd or emptypath)
 *   latewrite lease   PATH PAYLOAD SEC  written under a write lease, then
 *                                       closed, the lease moved to a
 *                                       read-only descriptor and held SEC
 *                                       s (taken again whenever the kernel
 *                                       has removed it): nobody else can
 *                                       open it meanwhile
 *   latewrite leasereset PATH PAYLOAD SEC
 *                                       as lease, but let go and taken
 *                                       anew whenever a break is pending,
 *                                       which restarts lease-break-time:
 *                                       no open with O_NONBLOCK ever
 *                                       gets in
 *   latewrite tmpfilelate DIR PATH PAYLOAD SEC
 *                                       O_TMPFILE in DIR, a line of text
 *                                       written, linked as PATH, the ELF
 *                                       written SEC s after the link
 *   latewrite dangling LINK PAYLOAD     created through the dangling
 *                                       symlink LINK
 *   latewrite dirfd DIR NAME PAYLOAD    openat(open(DIR), NAME), DIR
 *                                       renamed away before the write
 *   latewrite dirmove DIR NAME PAYLOAD  open(DIR/NAME) by its whole name,
 *                                       DIR renamed away before the write
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>

static void die(const char *what)
{
	fprintf(stderr, "latewrite: %s: %s\n", what, strerror(errno));
	exit(1);
}

static unsigned char *slurp(const char *path, size_t *len)
{
	struct stat st;
	unsigned char *buf;
	size_t got = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) < 0)
		die(path);
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf)
		die("malloc");
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, st.st_size - got);

		if (n <= 0)
			die("read");
		got += n;
	}
	close(fd);
	*len = got;
	return buf;
}

static void put_all(int fd, const unsigned char *p, size_t len, off_t off)
{
	while (len) {
		ssize_t n = pwrite(fd, p, len, off);

		if (n <= 0)
			die("pwrite");
		p += n;
		off += n;
		len -= n;
	}
}

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void set_mtime_back(int fd, time_t sec)
{
	struct timespec ts[2];

	clock_gettime(CLOCK_REALTIME, &ts[0]);
	ts[0].tv_sec -= sec;
	ts[1] = ts[0];
	if (futimens(fd, ts) < 0)
		die("futimens");
}

int main(int argc, char **argv)
{
	unsigned char *p;
	size_t len;
	long sec;
	int fd;

	if (argc < 4)
		return 2;
	if (!strcmp(argv[1], "tmpfile") || !strcmp(argv[1], "dirfd")) {
		if (argc < 5 + !strcmp(argv[1], "tmpfile") - 1)
			return 2;
	}
	if (!strcmp(argv[1], "tmpfile")) {
		char self[64];

		if (argc < 6)
			return 2;
		p = slurp(argv[4], &len);
		fd = open(argv[2], O_TMPFILE | O_WRONLY, 0755);
		if (fd < 0)
			die("open O_TMPFILE");
		put_all(fd, p, len, 0);
		fchmod(fd, 0755);
		set_mtime_back(fd, 600);
		nap_ms(1500);
		if (!strcmp(argv[5], "emptypath")) {
			if (linkat(fd, "", AT_FDCWD, argv[3], AT_EMPTY_PATH) < 0)
				die("linkat AT_EMPTY_PATH");
		} else {
			snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
			if (linkat(AT_FDCWD, self, AT_FDCWD, argv[3],
				   AT_SYMLINK_FOLLOW) < 0)
				die("linkat /proc/self/fd");
		}
		nap_ms(1500);
		close(fd);
		return 0;
	}
	if (!strcmp(argv[1], "tmpfilelate")) {
		static const char text[] = "# nothing to see here\n";
		char self[64];

		if (argc < 6)
			return 2;
		p = slurp(argv[4], &len);
		fd = open(argv[2], O_TMPFILE | O_WRONLY, 0755);
		if (fd < 0)
			die("open O_TMPFILE");
		put_all(fd, (const unsigned char *)text, sizeof(text) - 1, 0);
		fchmod(fd, 0755);
		snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
		if (linkat(AT_FDCWD, self, AT_FDCWD, argv[3],
			   AT_SYMLINK_FOLLOW) < 0)
			die("linkat /proc/self/fd");
		nap_ms(atol(argv[5]) * 1000);
		put_all(fd, p, len, 0);
		close(fd);
		return 0;
	}
	if (!strcmp(argv[1], "dirfd") || !strcmp(argv[1], "dirmove")) {
		char moved[4096], whole[4096];
		int dfd;

		if (argc < 5)
			return 2;
		p = slurp(argv[4], &len);
		if (!strcmp(argv[1], "dirmove")) {
			snprintf(whole, sizeof(whole), "%s/%s", argv[2],
				 argv[3]);
			fd = open(whole, O_CREAT | O_WRONLY | O_TRUNC, 0755);
			if (fd < 0)
				die(whole);
		} else {
			dfd = open(argv[2], O_RDONLY | O_DIRECTORY);
			if (dfd < 0)
				die(argv[2]);
			fd = openat(dfd, argv[3], O_CREAT | O_WRONLY | O_TRUNC,
				    0755);
			if (fd < 0)
				die("openat");
		}
		snprintf(moved, sizeof(moved), "%s.moved", argv[2]);
		if (rename(argv[2], moved) < 0)
			die("rename");
		put_all(fd, p, len, 0);
		nap_ms(1500);
		close(fd);
		return 0;
	}
	if (!strcmp(argv[1], "dangling")) {
		p = slurp(argv[3], &len);
		fd = open(argv[2], O_CREAT | O_WRONLY, 0755);
		if (fd < 0)
			die("open through the symlink");
		put_all(fd, p, len, 0);
		nap_ms(1500);
		close(fd);
		return 0;
	}
	p = slurp(argv[3], &len);
	if (!strcmp(argv[1], "lease") || !strcmp(argv[1], "leasereset")) {
		bool reset = !strcmp(argv[1], "leasereset");
		struct timespec t0, t;
		int rfd, l;

		if (argc < 5)
			return 2;
		fd = open(argv[2], O_CREAT | O_WRONLY | O_TRUNC, 0755);
		if (fd < 0)
			die(argv[2]);
		/* before the content: no open by another finds it unleased;
		 * a broken lease sends SIGIO, and is taken again once the
		 * kernel has removed it (lease-break-time) */
		signal(SIGIO, SIG_IGN);
		if (fcntl(fd, F_SETLEASE, F_WRLCK) < 0)
			die("F_SETLEASE F_WRLCK");
		put_all(fd, p, len, 0);
		/* the writer's descriptor closed, the lease moved to a
		 * read-only one: a look after the close finds it leased */
		fcntl(fd, F_SETLEASE, F_UNLCK);
		rfd = open(argv[2], O_RDONLY);
		if (rfd < 0)
			die(argv[2]);
		close(fd);
		fd = rfd;
		if (fcntl(fd, F_SETLEASE, F_WRLCK) < 0)
			die("F_SETLEASE F_WRLCK (read-only)");
		clock_gettime(CLOCK_MONOTONIC, &t0);
		do {
			l = fcntl(fd, F_GETLEASE);
			if (reset && l != F_WRLCK && l != F_UNLCK) {
				fcntl(fd, F_SETLEASE, F_UNLCK);
				l = F_UNLCK;
			}
			if (l == F_UNLCK)
				fcntl(fd, F_SETLEASE, F_WRLCK);
			nap_ms(1);
			clock_gettime(CLOCK_MONOTONIC, &t);
		} while (t.tv_sec - t0.tv_sec < atol(argv[4]));
		close(fd);
		return 0;
	}
	if (!strcmp(argv[1], "inplace")) {
		fd = open(argv[2], O_WRONLY);
		if (fd < 0)
			die(argv[2]);
		put_all(fd, p, len, 0);
		if (ftruncate(fd, len) < 0)
			die("ftruncate");
		set_mtime_back(fd, 86400 * 365);
		close(fd);
		return 0;
	}
	if (argc < 5)
		return 2;
	sec = atol(argv[4]);
	if (!strcmp(argv[1], "existing"))
		fd = open(argv[2], O_WRONLY);
	else
		fd = open(argv[2], O_CREAT | O_WRONLY | O_TRUNC, 0755);
	if (!strcmp(argv[1], "mmap") || !strcmp(argv[1], "mapclose")) {
		close(fd);
		fd = open(argv[2], O_RDWR);
	}
	if (fd < 0)
		die(argv[2]);
	if (!strcmp(argv[1], "later")) {
		static const char text[] = "# nothing to see here\n";

		put_all(fd, (const unsigned char *)text, sizeof(text) - 1, 0);
		nap_ms(sec * 1000);
		put_all(fd, p, len, 0);
	} else if (!strcmp(argv[1], "zeros")) {
		if (ftruncate(fd, len) < 0)
			die("ftruncate");
		nap_ms(sec * 1000);
		put_all(fd, p + 64, len - 64, 64);
		put_all(fd, p, 64, 0);
	} else if (!strcmp(argv[1], "mmap") || !strcmp(argv[1], "mapclose")) {
		unsigned char *m;

		if (ftruncate(fd, len) < 0)
			die("ftruncate");
		/* a head that is plainly no executable's: judged final at
		 * once unless the mapping is seen to write the file */
		if (!strcmp(argv[1], "mapclose")) {
			static const char text[] = "# nothing to see here\n";

			put_all(fd, (const unsigned char *)text,
				sizeof(text) - 1, 0);
		}
		m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (m == MAP_FAILED)
			die("mmap");
		/* no descriptor left: only the mapping can write */
		if (!strcmp(argv[1], "mapclose")) {
			close(fd);
			fd = -1;
		}
		nap_ms(sec * 1000);
		memcpy(m, p, len);
		if (msync(m, len, MS_SYNC) < 0)
			die("msync");
		munmap(m, len);
	} else if (!strcmp(argv[1], "bytes")) {
		size_t i, piece = (len - 64) / 20 + 1;

		for (i = 0; i < 64; i++) {
			put_all(fd, p + i, 1, i);
			nap_ms(10);
		}
		for (i = 64; i < len; i += piece) {
			put_all(fd, p + i, i + piece > len ? len - i : piece, i);
			nap_ms(sec * 1000 / 20);
		}
	} else if (!strcmp(argv[1], "existing")) {
		nap_ms(sec * 1000);
		put_all(fd, p, len, 0);
		if (ftruncate(fd, len) < 0)
			die("ftruncate");
	} else {
		return 2;
	}
	if (fd >= 0)
		close(fd);
	return 0;
}
