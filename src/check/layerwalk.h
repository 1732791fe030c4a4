/* SPDX-License-Identifier: GPL-2.0-or-later */
/* layerwalk.h -- a walk of one container's upper layer, as the host sees it
 *
 * Contract:
 *  - Every name is looked up from its parent directory's descriptor with
 *    openat2(O_PATH, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
 *    RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV): a symlink is never
 *    followed, a mount point below the layer (another file system) is
 *    never entered, and nothing is opened for reading but directories:
 *    a device, a FIFO or a socket is only fstat()ed through O_PATH.
 *  - It yields regular files, one per call, with their stat and their
 *    path as the container sees it: "/" + the path below the layer's
 *    root, raw bytes (a name may hold a newline or any byte but '/').
 *  - Skipped and counted: overlay whiteouts (character devices 0/0, and
 *    empty files marked with an overlay.whiteout xattr), symlinks,
 *    devices, FIFOs, sockets, mount points, directories more than
 *    LAYERWALK_DEPTH_MAX deep or whose path would not fit in PATH_MAX.
 *  - Resumable and bounded by its caller: layerwalk_next() looks at one
 *    directory entry per call; the open directories are kept in between
 *    (at most LAYERWALK_DEPTH_MAX descriptors).
 *  - No global state; one walk per layer, owned by one thread.
 */
#ifndef DROPEXEC_LAYERWALK_H
#define DROPEXEC_LAYERWALK_H

#include <dirent.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#define LAYERWALK_DEPTH_MAX	128

/* What one call found. */
enum layerwalk_step {
	LAYERWALK_DONE = 0,	/* the whole layer was walked */
	LAYERWALK_FILE,		/* a regular file: see struct layerwalk_file */
	LAYERWALK_OTHER,	/* a directory entered or left, or an entry
				 * skipped (counted) */
};

struct layerwalk_counts {
	unsigned long long files, dirs, whiteouts, symlinks, special,
			   mounts, too_deep, errors;
};

struct layerwalk {
	int root_fd;			/* the layer's root directory */
	dev_t dev;			/* its device: the walk stays there */
	DIR *stack[LAYERWALK_DEPTH_MAX + 1];
	size_t stack_len[LAYERWALK_DEPTH_MAX + 1]; /* path length per dir */
	size_t depth;			/* open directories */
	char path[PATH_MAX];		/* the current entry, "/a/b" */
	struct layerwalk_counts n;
};

/* A regular file found. FD is an O_PATH descriptor the caller closes;
 * PATH is valid until the next call. */
struct layerwalk_file {
	int fd;
	struct stat st;
	const char *path;
};

/*
 * Start a walk of the directory ROOT (a host path: an overlay upperdir),
 * opened O_DIRECTORY | O_NOFOLLOW. Returns 0, or -errno (nothing to
 * free then).
 */
int layerwalk_open(struct layerwalk *w, const char *root);

/* Look at the next entry; see enum layerwalk_step. */
enum layerwalk_step layerwalk_next(struct layerwalk *w,
				   struct layerwalk_file *out);

/* Close what the walk holds (at any point). */
void layerwalk_close(struct layerwalk *w);

/*
 * Open PATH (as the walk gives it: "/a/b") below the directory ROOT_FD
 * with the walk's rules (no symlink, no mount point, never above ROOT_FD)
 * as O_PATH. Returns the descriptor or -1.
 */
int layerwalk_lookup(int root_fd, const char *path);

#endif
