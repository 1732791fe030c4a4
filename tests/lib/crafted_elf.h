/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crafted_elf.h -- write a sparse ELF made to keep libmagic busy; shared by
 * the unit tests of the probe (tests/unit/test_probe.c) and the attack of
 * tests/e2e/hostile.sh (tests/e2e/hostile/crafted.c).
 *
 * A 64-bit ET_EXEC x86-64 header whose NSEC section headers (at offset
 * 4096) are all SHT_NOTE at offset 65536 with sh_size SECMB MiB; the file
 * is made 65536 + SECMB MiB + 4096 bytes long with ftruncate, so it is
 * sparse: a few KB on disk. libmagic's ELF reader walks the notes of every
 * section with pread(), which a bound on the bytes it reads from the start
 * does not limit: libmagic 5.44 took tens of seconds on NSEC = SECMB = 60.
 */
#ifndef DROPEXEC_TESTS_CRAFTED_ELF_H
#define DROPEXEC_TESTS_CRAFTED_ELF_H

#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CRAFTED_ELF_SHOFF	4096
#define CRAFTED_ELF_NOTES_AT	65536

/* Write the crafted file to FD (empty, open for writing). 0, or -1 with
 * errno set (EINVAL when NSEC headers do not fit before the notes). */
static inline int crafted_elf_write(int fd, unsigned int nsec,
				    unsigned int secmb)
{
	size_t len = CRAFTED_ELF_SHOFF + (size_t)nsec * sizeof(Elf64_Shdr);
	unsigned char *buf;
	Elf64_Ehdr *eh;
	Elf64_Phdr *ph;
	unsigned int i;
	int rc = 0;

	if (len > CRAFTED_ELF_NOTES_AT || nsec > UINT16_MAX) {
		errno = EINVAL;
		return -1;
	}
	buf = calloc(1, len);
	if (!buf)
		return -1;
	eh = (Elf64_Ehdr *)buf;
	ph = (Elf64_Phdr *)(buf + sizeof(*eh));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = 0x401000;
	eh->e_phoff = sizeof(*eh);
	eh->e_shoff = CRAFTED_ELF_SHOFF;
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 1;
	eh->e_shentsize = sizeof(Elf64_Shdr);
	eh->e_shnum = (uint16_t)nsec;
	ph->p_type = PT_LOAD;
	ph->p_flags = PF_R | PF_X;
	ph->p_vaddr = 0x400000;
	ph->p_filesz = 4096;
	ph->p_memsz = 4096;
	for (i = 0; i < nsec; i++) {
		Elf64_Shdr *sh = (Elf64_Shdr *)(buf + CRAFTED_ELF_SHOFF) + i;

		sh->sh_type = SHT_NOTE;
		sh->sh_offset = CRAFTED_ELF_NOTES_AT;
		sh->sh_size = (uint64_t)secmb << 20;
		sh->sh_addralign = 4;
	}
	if (write(fd, buf, len) != (ssize_t)len ||
	    ftruncate(fd, CRAFTED_ELF_NOTES_AT + ((off_t)secmb << 20) + 4096))
		rc = -1;
	free(buf);
	return rc;
}

#endif
