// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * selfcopy -- drop a copy of itself, execute it; the copy may delete
 * itself at once (tests/e2e/exec.sh, built with gcc -static).
 *
 *   selfcopy DEST keep|unlink SECONDS
 *     copy /proc/self/exe to DEST (a name, or "hex:" and its bytes in
 *     hex), close it, execute it. The copy deletes DEST at once when
 *     told "unlink", then stays alive SECONDS (the time a real payload
 *     runs) and exits 0.
 * Exit status: 0, or 1 with a message on a failed call.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static char *dest_name(const char *arg)
{
	size_t n, i;
	char *out;

	if (strncmp(arg, "hex:", 4))
		return strdup(arg);
	arg += 4;
	n = strlen(arg) / 2;
	out = calloc(1, n + 1);
	for (i = 0; out && i < n; i++) {
		unsigned int b;

		if (sscanf(arg + 2 * i, "%2x", &b) != 1)
			return NULL;
		out[i] = (char)b;
	}
	return out;
}

int main(int argc, char **argv)
{
	static char buf[1 << 16];
	char *dest, *args[5];
	ssize_t n;
	int in, out;

	if (argc == 4 && !strcmp(argv[1], "--ran")) {
		/* the copy: argv[0] is its own name */
		if (!strcmp(argv[2], "unlink") && unlink(argv[0]))
			die("unlink");
		sleep((unsigned int)atoi(argv[3]));
		return 0;
	}
	if (argc != 4) {
		fprintf(stderr, "usage: selfcopy DEST keep|unlink SECONDS\n");
		return 2;
	}
	dest = dest_name(argv[1]);
	if (!dest)
		die("name");
	in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	out = open(dest, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (in < 0 || out < 0)
		die("open");
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			die("write");
	if (n < 0 || close(out) || close(in))
		die("copy");
	args[0] = dest;
	args[1] = "--ran";
	args[2] = argv[2];
	args[3] = argv[3];
	args[4] = NULL;
	execv(dest, args);
	die("execv");
	return 1;
}
