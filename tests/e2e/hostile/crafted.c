/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crafted.c -- write a sparse ELF made to keep libmagic busy (test a of
 * tests/e2e/hostile.sh).
 *
 *   crafted PATH
 *
 * A 64-bit ET_EXEC x86-64 header whose 60 section headers (at offset
 * 4096) are all SHT_NOTE at offset 65536 with sh_size 60 MiB; the file is
 * made 60 MiB long with ftruncate, so it is sparse: a few KB on disk.
 * libmagic's ELF reader walks the notes of every section with pread(),
 * which a bound on the bytes it reads from the start does not limit:
 * libmagic 5.44 took tens of seconds on it.
 */
#include <elf.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define NSEC 60
#define SECMB 60

int main(int argc, char **argv)
{
	static unsigned char buf[4096 + NSEC * sizeof(Elf64_Shdr)];
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	Elf64_Phdr *ph = (Elf64_Phdr *)(buf + sizeof(*eh));
	int fd, i;

	if (argc != 2) {
		fprintf(stderr, "usage: crafted PATH\n");
		return 2;
	}
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = 0x401000;
	eh->e_phoff = sizeof(*eh);
	eh->e_shoff = 4096;
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 1;
	eh->e_shentsize = sizeof(Elf64_Shdr);
	eh->e_shnum = NSEC;
	ph->p_type = PT_LOAD;
	ph->p_flags = PF_R | PF_X;
	ph->p_vaddr = 0x400000;
	ph->p_filesz = 4096;
	ph->p_memsz = 4096;
	for (i = 0; i < NSEC; i++) {
		Elf64_Shdr *sh = (Elf64_Shdr *)(buf + 4096) + i;

		sh->sh_type = SHT_NOTE;
		sh->sh_offset = 65536;
		sh->sh_size = (uint64_t)SECMB << 20;
		sh->sh_addralign = 4;
	}
	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (fd < 0 || write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf) ||
	    ftruncate(fd, 65536 + ((off_t)SECMB << 20) + 4096) || close(fd)) {
		perror(argv[1]);
		return 1;
	}
	return 0;
}
