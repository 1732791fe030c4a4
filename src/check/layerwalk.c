/* SPDX-License-Identifier: GPL-2.0-or-later */
/* layerwalk.c -- a walk of one container's upper layer, as the host sees it */
#include "check/layerwalk.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#define WALK_RESOLVE	(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | \
			 RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV)

/* NAME below DIR_FD, with the walk's rules, as FLAGS. */
static int open_beneath(int dir_fd, const char *name, int flags)
{
	struct open_how how;

	memset(&how, 0, sizeof(how));
	how.flags = (unsigned long long)(flags | O_CLOEXEC);
	how.resolve = WALK_RESOLVE;
	return (int)syscall(SYS_openat2, dir_fd, name, &how, sizeof(how));
}

int layerwalk_lookup(int root_fd, const char *path)
{
	while (*path == '/')
		path++;
	return open_beneath(root_fd, *path ? path : ".", O_PATH);
}

int layerwalk_open(struct layerwalk *w, const char *root)
{
	struct stat st;
	int fd, err;

	memset(w, 0, sizeof(*w));
	w->root_fd = -1;
	fd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		err = errno;
		close(fd);
		return -err;
	}
	w->dev = st.st_dev;
	w->root_fd = fd;
	fd = dup(fd);
	w->stack[0] = fd >= 0 ? fdopendir(fd) : NULL;
	if (!w->stack[0]) {
		err = errno;
		if (fd >= 0)
			close(fd);
		close(w->root_fd);
		w->root_fd = -1;
		return -err;
	}
	w->depth = 1;
	w->stack_len[0] = 0;
	w->path[0] = '\0';
	return 0;
}

void layerwalk_close(struct layerwalk *w)
{
	while (w->depth)
		closedir(w->stack[--w->depth]);
	if (w->root_fd >= 0)
		close(w->root_fd);
	w->root_fd = -1;
}

/* Is the empty regular file on O_PATH descriptor FD an overlay whiteout
 * ("xwhiteout": an xattr rather than a 0/0 device)? */
static bool xattr_whiteout(int fd)
{
	static const char *const names[] = {
		"trusted.overlay.whiteout", "user.overlay.whiteout",
	};
	char self[64];
	size_t i;

	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (getxattr(self, names[i], NULL, 0) >= 0)
			return true;
	return false;
}

/* Enter the directory on O_PATH descriptor FD, whose path is w->path. */
static void enter_dir(struct layerwalk *w, int fd, size_t len)
{
	int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_NONBLOCK |
			 O_CLOEXEC);
	DIR *d;

	if (dfd < 0) {
		w->n.errors++;
		return;
	}
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		w->n.errors++;
		return;
	}
	w->stack[w->depth] = d;
	w->stack_len[w->depth] = len;
	w->depth++;
	w->n.dirs++;
}

/* Is D_TYPE one that is skipped without a look (never a file or a
 * directory, and never a whiteout)? Counted into W. */
static bool skip_by_type(struct layerwalk *w, unsigned char d_type)
{
	switch (d_type) {
	case DT_LNK:
		w->n.symlinks++;
		return true;
	case DT_FIFO:
	case DT_SOCK:
	case DT_BLK:
		w->n.special++;
		return true;
	default:
		return false;
	}
}

enum layerwalk_step layerwalk_next(struct layerwalk *w,
				   struct layerwalk_file *out)
{
	struct dirent *de;
	struct stat st;
	size_t base, nlen;
	DIR *d;
	int fd;

	if (!w->depth)
		return LAYERWALK_DONE;
	d = w->stack[w->depth - 1];
	base = w->stack_len[w->depth - 1];
	errno = 0;
	de = readdir(d);
	if (!de) {
		if (errno)
			w->n.errors++;
		closedir(d);
		w->depth--;
		if (w->depth)
			w->path[w->stack_len[w->depth - 1]] = '\0';
		return w->depth ? LAYERWALK_OTHER : LAYERWALK_DONE;
	}
	if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
		return LAYERWALK_OTHER;
	if (skip_by_type(w, de->d_type))
		return LAYERWALK_OTHER;
	nlen = strlen(de->d_name);
	if (base + 1 + nlen >= sizeof(w->path)) {
		w->n.too_deep++;
		return LAYERWALK_OTHER;
	}
	w->path[base] = '/';
	memcpy(w->path + base + 1, de->d_name, nlen + 1);

	fd = open_beneath(dirfd(d), de->d_name, O_PATH | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == EXDEV)
			w->n.mounts++;
		else if (errno == ELOOP)
			w->n.symlinks++;
		else
			w->n.errors++;
		w->path[base] = '\0';
		return LAYERWALK_OTHER;
	}
	if (fstat(fd, &st) < 0 || st.st_dev != w->dev) {
		/* another file system: a mount the lookup did not see */
		w->n.mounts++;
		goto skip;
	}
	if (S_ISDIR(st.st_mode)) {
		if (w->depth > LAYERWALK_DEPTH_MAX - 1) {
			w->n.too_deep++;
			goto skip;
		}
		enter_dir(w, fd, base + 1 + nlen);
		close(fd);
		if (w->stack_len[w->depth - 1] != base + 1 + nlen)
			w->path[base] = '\0';	/* not entered */
		return LAYERWALK_OTHER;
	}
	if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
		w->n.whiteouts++;
		goto skip;
	}
	if (S_ISLNK(st.st_mode)) {
		w->n.symlinks++;
		goto skip;
	}
	if (!S_ISREG(st.st_mode)) {
		w->n.special++;
		goto skip;
	}
	if (st.st_size == 0 && xattr_whiteout(fd)) {
		w->n.whiteouts++;
		goto skip;
	}
	w->n.files++;
	out->fd = fd;
	out->st = st;
	out->path = w->path;
	return LAYERWALK_FILE;
skip:
	close(fd);
	w->path[base] = '\0';
	return LAYERWALK_OTHER;
}
