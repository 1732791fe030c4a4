/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crafted.c -- write a sparse ELF made to keep libmagic busy (test a of
 * tests/e2e/hostile.sh): 60 SHT_NOTE sections of 60 MiB over a hole; the
 * file is described in tests/lib/crafted_elf.h.
 *
 *   crafted PATH
 */
#include <fcntl.h>
#include <stdio.h>

#include "../../lib/crafted_elf.h"

int main(int argc, char **argv)
{
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: crafted PATH\n");
		return 2;
	}
	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (fd < 0 || crafted_elf_write(fd, 60, 60) || close(fd)) {
		perror(argv[1]);
		return 1;
	}
	return 0;
}
