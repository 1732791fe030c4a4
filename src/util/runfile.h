/* SPDX-License-Identifier: GPL-2.0-or-later */
/* runfile.h -- small files under /run: the pid file and the state dump
 *
 * Both are written whole into a new temporary file next to the target
 * (mkostemp: O_CREAT|O_EXCL, so nothing planted there is followed or
 * reused) and renamed over it: a reader sees the old file or the new one,
 * never half of one, and a symlink at the target is replaced, not
 * followed. Called from the main thread (pid file) and the inspector's
 * thread (state dump), never from the one reading auditd's stream.
 */
#ifndef DROPEXEC_RUNFILE_H
#define DROPEXEC_RUNFILE_H

#include <stddef.h>
#include <sys/types.h>

/* Replace PATH by a file of MODE holding LEN bytes of DATA; 0, or -1 with
 * errno set (nothing is left behind then). */
int runfile_replace(const char *path, const char *data, size_t len,
		    mode_t mode);

/* Write PID and a newline to PATH (mode 0644) as above. */
int pidfile_write(const char *path, pid_t pid);

/* The pid held by PATH (not followed if a symlink), or -1. */
pid_t pidfile_read(const char *path);

/* Remove PATH when it still holds PID (a later instance may own it by
 * now); 0 when removed or already gone, -1 otherwise. */
int pidfile_remove(const char *path, pid_t pid);

#endif
