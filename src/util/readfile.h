/* SPDX-License-Identifier: GPL-2.0-or-later */
/* readfile.h -- read a small file whole, with a size bound */
#ifndef DROPEXEC_READFILE_H
#define DROPEXEC_READFILE_H

#include <stddef.h>

/*
 * Read at most MAX bytes of PATH (procfs files, runtime state) into a
 * malloc'd NUL-terminated buffer. Never blocks on a FIFO. Returns NULL
 * with *ERR (when not NULL) set to the errno on failure.
 */
char *read_file_bounded(const char *path, size_t max, int *err);

#endif
