/* SPDX-License-Identifier: GPL-2.0-or-later */
/* classify.h -- is this file an executable? ELF header first, then libmagic */
#ifndef DROPEXEC_CLASSIFY_H
#define DROPEXEC_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <elf.h>
#include <magic.h>

#include "report/finding.h"
#include "util/settings.h"

/* Bytes of a file's head the checks look at. */
#define CLASSIFY_HEAD_LEN	4096
/* Below this many bytes (e_ident, e_type, e_machine) an ELF header
 * cannot be judged yet. */
#define ELF_MIN_HEADER		offsetof(Elf32_Ehdr, e_version)

enum head_verdict {
	HEAD_NOT_EXEC = 0,	/* final: nothing we report */
	HEAD_SHORT,		/* empty, or the start of a header: look again */
	HEAD_CANDIDATE,		/* looks like KIND: confirm with libmagic */
};

/* libmagic's ELF limits (its defaults: 2048, 32768, 256). */
#define CLASSIFY_ELF_PHNUM_MAX	128
#define CLASSIFY_ELF_SHNUM_MAX	1024
#define CLASSIFY_ELF_NOTES_MAX	64

/* One per thread (or process): a magic_t must not be shared. */
struct classifier {
	magic_t magic;
	unsigned int bytes_max;	/* libmagic sees at most this much */
	int copy_fd;		/* memory file holding that bounded copy */
};

/*
 * Judge the first LEN bytes of a file of FILE_SIZE bytes on their own.
 * Returns the verdict and sets *KIND to the kind the header claims.
 */
enum head_verdict classify_head(const unsigned char *head, size_t len,
				unsigned long long file_size,
				unsigned int *kind);

/* The kind a libmagic MIME type stands for (KIND_NONE if none). */
unsigned int classify_mime_kind(const char *mime);

/* Load libmagic's database; BYTES_MAX caps what libmagic reads. */
int classifier_init(struct classifier *cl, unsigned int bytes_max);
void classifier_free(struct classifier *cl);

/*
 * Confirm with libmagic on the open regular file FD whose head is HEAD.
 * libmagic reads a copy of the file's first bytes_max bytes, never the
 * file itself, so its work is bounded whatever the file claims.
 * Fills OUT (kind, MIME type, description). Returns 0 when libmagic
 * agrees that the file is of a kind in TYPES, 1 when it does not, -1 on
 * a libmagic error.
 */
int classify_confirm(struct classifier *cl, int fd, unsigned int head_kind,
		     unsigned int types, struct classification *out);

#endif
