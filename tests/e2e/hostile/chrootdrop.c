/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * chrootdrop.c -- write a file from inside a chroot whose new root does
 * not hold the program's own binary (test b of tests/e2e/hostile.sh).
 *
 *   chrootdrop [-u MOUNTPOINT] NEWROOT SOURCE DEST
 *
 * Opens SOURCE, chroot()s into NEWROOT (CAP_SYS_CHROOT, which podman
 * grants by default), then copies SOURCE to DEST (a name inside the new
 * root). Executed under the name "runc:[2:INIT]" it has that comm.
 * With -u, it first detaches MOUNTPOINT (umount2 MNT_DETACH, which needs
 * CAP_SYS_ADMIN): when MOUNTPOINT is a bind mount of the program's own
 * file, its exe is then the root of a mount that is attached nowhere,
 * and audit prints it as exe="/", as it does for runc's setup process.
 * (A binary merely outside the new root still shows its path.)
 */
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char buf[65536];
	ssize_t n;
	int in, out;

	if (argc == 6 && !strcmp(argv[1], "-u")) {
		if (umount2(argv[2], MNT_DETACH)) {
			perror(argv[2]);
			return 1;
		}
		argv += 2;
		argc -= 2;
	}
	if (argc != 4) {
		fprintf(stderr, "usage: chrootdrop [-u MOUNTPOINT] NEWROOT SOURCE DEST\n");
		return 2;
	}
	in = open(argv[2], O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		perror(argv[2]);
		return 1;
	}
	if (chroot(argv[1]) || chdir("/")) {
		perror(argv[1]);
		return 1;
	}
	out = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (out < 0) {
		perror(argv[3]);
		return 1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			perror(argv[3]);
			return 1;
		}
	if (n < 0 || close(out)) {
		perror(argv[3]);
		return 1;
	}
	/* stay a moment: the plugin may look at the writer while it lives */
	sleep(1);
	return 0;
}
