/* SPDX-License-Identifier: GPL-2.0-or-later */
/* classify.c -- is this file an executable? ELF header first, then libmagic */
#include "check/classify.h"

#include <elf.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

/* A field of an ELF header, read at its offset in the <elf.h> layout. */
#define EHDR_FIELD(h, is64, f, big) \
	((is64) ? get_uint((h) + offsetof(Elf64_Ehdr, f), \
			   sizeof(((Elf64_Ehdr *)0)->f), (big)) \
		: get_uint((h) + offsetof(Elf32_Ehdr, f), \
			   sizeof(((Elf32_Ehdr *)0)->f), (big)))

/* An unsigned N-byte field at P, in the file's byte order. */
static uint64_t get_uint(const unsigned char *p, size_t n, bool big)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)p[big ? i : n - 1 - i] << (8 * (n - 1 - i));
	return v;
}

/* ET_DYN: an interpreter makes it a program (PIE), none a library.
 * Returns KIND_NONE when the program headers lie beyond the head. */
static unsigned int dyn_kind(const unsigned char *h, size_t len, bool is64,
			     bool big)
{
	uint64_t phoff, i;
	unsigned int phentsize, phnum;

	if (len < (is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr)))
		return KIND_NONE;
	phoff = EHDR_FIELD(h, is64, e_phoff, big);
	phentsize = (unsigned int)EHDR_FIELD(h, is64, e_phentsize, big);
	phnum = (unsigned int)EHDR_FIELD(h, is64, e_phnum, big);
	/* p_type, the first field of a program header, is 4 bytes in both */
	if (phentsize < sizeof(Elf32_Word) || phoff >= len)
		return KIND_NONE;
	for (i = 0; i < phnum; i++) {
		uint64_t off = phoff + i * phentsize;

		if (off + sizeof(Elf32_Word) > len)
			return KIND_NONE;
		if (get_uint(h + off, sizeof(Elf32_Word), big) == PT_INTERP)
			return KIND_ELF_PIE;
	}
	return KIND_ELF_SHARED;
}

static bool is_prefix_of(const unsigned char *h, size_t len, const char *magic)
{
	return len <= strlen(magic) && memcmp(h, magic, len) == 0;
}

enum head_verdict classify_head(const unsigned char *h, size_t len,
				unsigned long long file_size,
				unsigned int *kind)
{
	static const unsigned char macho[][4] = {
		{ 0xfe, 0xed, 0xfa, 0xce }, { 0xfe, 0xed, 0xfa, 0xcf },
		{ 0xce, 0xfa, 0xed, 0xfe }, { 0xcf, 0xfa, 0xed, 0xfe },
		{ 0xca, 0xfe, 0xba, 0xbe },
	};
	size_t i;

	*kind = KIND_NONE;
	if (file_size == 0 || len == 0)
		return HEAD_SHORT;
	if (len < SELFMAG && is_prefix_of(h, len, ELFMAG))
		return HEAD_SHORT;
	if (len == 1 && (h[0] == '#' || h[0] == 'M'))
		return HEAD_SHORT;
	for (i = 0; i < sizeof(macho) / sizeof(macho[0]); i++)
		if (len < 4 && !memcmp(h, macho[i], len))
			return HEAD_SHORT;

	if (len >= SELFMAG && !memcmp(h, ELFMAG, SELFMAG)) {
		bool is64, big;
		unsigned int type;

		if (len < ELF_MIN_HEADER)
			return HEAD_SHORT;
		if ((h[EI_CLASS] != ELFCLASS32 && h[EI_CLASS] != ELFCLASS64) ||
		    (h[EI_DATA] != ELFDATA2LSB && h[EI_DATA] != ELFDATA2MSB))
			return HEAD_NOT_EXEC;
		is64 = h[EI_CLASS] == ELFCLASS64;
		big = h[EI_DATA] == ELFDATA2MSB;
		type = (unsigned int)EHDR_FIELD(h, is64, e_type, big);
		switch (type) {
		case ET_EXEC:
			*kind = KIND_ELF_EXEC;
			break;
		case ET_DYN:
			*kind = dyn_kind(h, len, is64, big);
			if (*kind == KIND_NONE)
				*kind = KIND_ELF_SHARED;
			break;
		case ET_REL:
			*kind = KIND_ELF_RELOC;
			break;
		case ET_CORE:
			*kind = KIND_ELF_CORE;
			break;
		default:
			return HEAD_NOT_EXEC;
		}
		return HEAD_CANDIDATE;
	}
	if (len >= 2 && h[0] == '#' && h[1] == '!') {
		*kind = KIND_SCRIPT;
		return HEAD_CANDIDATE;
	}
	if (len >= 2 && h[0] == 'M' && h[1] == 'Z') {
		*kind = KIND_PE;
		return HEAD_CANDIDATE;
	}
	for (i = 0; i < sizeof(macho) / sizeof(macho[0]); i++) {
		if (len >= 4 && !memcmp(h, macho[i], 4)) {
			*kind = KIND_MACHO;
			return HEAD_CANDIDATE;
		}
	}
	return HEAD_NOT_EXEC;
}

unsigned int classify_mime_kind(const char *mime)
{
	static const struct {
		const char *mime;
		unsigned int kind;
	} map[] = {
		{ "application/x-executable", KIND_ELF_EXEC },
		{ "application/x-pie-executable", KIND_ELF_PIE },
		{ "application/x-sharedlib", KIND_ELF_SHARED },
		{ "application/x-object", KIND_ELF_RELOC },
		{ "application/x-coredump", KIND_ELF_CORE },
		{ "application/vnd.microsoft.portable-executable", KIND_PE },
		{ "application/x-dosexec", KIND_PE },
		{ "application/x-mach-binary", KIND_MACHO },
	};
	size_t i;

	if (!mime)
		return KIND_NONE;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(mime, map[i].mime))
			return map[i].kind;
	if (!strncmp(mime, "text/", 5))
		return KIND_SCRIPT;	/* only for files starting with #! */
	return KIND_NONE;
}

int classifier_init(struct classifier *cl, unsigned int bytes_max)
{
	size_t max = bytes_max;

	cl->bytes_max = bytes_max;
	cl->copy_fd = -1;
	/* No decompression (it may run helper programs), no follow. */
	cl->magic = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS |
			       MAGIC_NO_CHECK_ENCODING);
	if (!cl->magic)
		return -1;
	if (magic_load(cl->magic, NULL) < 0) {
		magic_close(cl->magic);
		cl->magic = NULL;
		return -1;
	}
	magic_setparam(cl->magic, MAGIC_PARAM_BYTES_MAX, &max);
	/* libmagic follows ELF program headers, section headers and notes
	 * wherever they say they are: fewer than its defaults, and all of
	 * them within the bounded copy (classify_confirm). */
	max = CLASSIFY_ELF_PHNUM_MAX;
	magic_setparam(cl->magic, MAGIC_PARAM_ELF_PHNUM_MAX, &max);
	max = CLASSIFY_ELF_SHNUM_MAX;
	magic_setparam(cl->magic, MAGIC_PARAM_ELF_SHNUM_MAX, &max);
	max = CLASSIFY_ELF_NOTES_MAX;
	magic_setparam(cl->magic, MAGIC_PARAM_ELF_NOTES_MAX, &max);
	return 0;
}

/*
 * Copy at most cl->bytes_max bytes of FD, from offset 0, into the
 * classifier's memory file, and return that (positioned at 0), or -1.
 * libmagic then sees a file of bounded size: a crafted file whose ELF
 * headers point at gigabytes of sparse sections costs a bounded read,
 * not hours.
 */
static int bounded_copy(struct classifier *cl, int fd)
{
	char buf[65536];
	off_t off = 0;

	if (cl->copy_fd < 0)
		cl->copy_fd = memfd_create("dropexec-classify", MFD_CLOEXEC);
	if (cl->copy_fd < 0 || ftruncate(cl->copy_fd, 0) < 0)
		return -1;
	while ((size_t)off < cl->bytes_max) {
		size_t want = cl->bytes_max - (size_t)off;
		ssize_t n = pread(fd, buf, want < sizeof(buf) ? want : sizeof(buf),
				  off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		if (pwrite(cl->copy_fd, buf, (size_t)n, off) != n)
			return -1;
		off += n;
	}
	if (lseek(cl->copy_fd, 0, SEEK_SET) < 0)
		return -1;
	return cl->copy_fd;
}

void classifier_free(struct classifier *cl)
{
	if (cl->magic)
		magic_close(cl->magic);
	cl->magic = NULL;
	if (cl->copy_fd >= 0)
		close(cl->copy_fd);
	cl->copy_fd = -1;
}

static int magic_query(struct classifier *cl, int fd, int flags, char *out,
		       size_t outlen)
{
	const char *r;

	if (magic_setflags(cl->magic, flags | MAGIC_NO_CHECK_COMPRESS |
			   MAGIC_NO_CHECK_ENCODING) < 0)
		return -1;
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	r = magic_descriptor(cl->magic, fd);
	if (!r)
		return -1;
	snprintf(out, outlen, "%s", r);
	return 0;
}

int classify_confirm(struct classifier *cl, int fd, unsigned int head_kind,
		     unsigned int types, struct classification *out)
{
	unsigned int kind;

	memset(out, 0, sizeof(*out));
	if (!cl->magic)
		return -1;
	fd = bounded_copy(cl, fd);
	if (fd < 0)
		return -1;
	if (magic_query(cl, fd, MAGIC_MIME_TYPE, out->mime, sizeof(out->mime)))
		return -1;
	kind = classify_mime_kind(out->mime);
	/* A program header PT_INTERP in the head makes an ET_DYN a program
	 * (the kernel loads its interpreter and runs it). libmagic tells a
	 * PIE from a library by DF_1_PIE in the dynamic section, which the
	 * kernel never reads and a padded file puts beyond what libmagic
	 * may read: "shared library" then, and out of types that ask for
	 * programs only. The head's answer stands. */
	if (head_kind == KIND_ELF_PIE && kind == KIND_ELF_SHARED)
		kind = KIND_ELF_PIE;
	/* libmagic must agree on the family the header claimed. */
	if (head_kind & (KIND_ELF_EXEC | KIND_ELF_PIE | KIND_ELF_SHARED |
			 KIND_ELF_RELOC | KIND_ELF_CORE)) {
		if (!(kind & (KIND_ELF_EXEC | KIND_ELF_PIE | KIND_ELF_SHARED |
			      KIND_ELF_RELOC | KIND_ELF_CORE)))
			kind = KIND_NONE;
	} else if (kind != head_kind) {
		kind = KIND_NONE;
	}
	out->kind = kind;
	if (kind == KIND_NONE || !(kind & types))
		return 1;
	if (magic_query(cl, fd, MAGIC_NONE, out->description,
			sizeof(out->description)))
		snprintf(out->description, sizeof(out->description), "%s",
			 out->mime);
	return 0;
}
