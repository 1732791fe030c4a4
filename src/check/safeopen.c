/* SPDX-License-Identifier: GPL-2.0-or-later */
/* safeopen.c -- open a file named by a container, inside that container */
#include "check/safeopen.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

#include "scope/mounts.h"
#include "util/path.h"

#define SCAN_FDS_MAX	4096	/* descriptors looked at per process */

/* PATH below ROOT_FD as O_PATH, with extra RESOLVE_* flags. */
static int open_in_root_how(int root_fd, const char *path,
			    unsigned long long resolve)
{
	struct open_how how;

	memset(&how, 0, sizeof(how));
	how.flags = O_PATH | O_CLOEXEC;
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | resolve;
	return (int)syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
}

int open_in_root(int root_fd, const char *path)
{
	return open_in_root_how(root_fd, path, 0);
}

/* Does the O_PATH descriptor FD hold the file the audit record named?
 * *ON_OVERLAY: is it an overlay's? */
static enum inspect_status vet(int fd, const struct candidate *c,
			       struct stat *st, bool *on_overlay)
{
	struct statfs sfs;

	*on_overlay = false;
	if (fstat(fd, st) < 0)
		return INSPECT_GONE;
	if (c->has_inode &&
	    (st->st_ino != c->inode || major(st->st_dev) != c->dev_major ||
	     minor(st->st_dev) != c->dev_minor))
		return INSPECT_REPLACED;
	if (!S_ISREG(st->st_mode))
		return INSPECT_NOT_REGULAR;
	/* the same list as the mount table's (scope/mounts.h) */
	if (fstatfs(fd, &sfs) < 0)
		return INSPECT_OK;
	if (mount_magic_never_read((unsigned long)sfs.f_type))
		return INSPECT_REMOTE;
	*on_overlay = (unsigned long)sfs.f_type == OVERLAYFS_SUPER_MAGIC;
	return INSPECT_OK;
}

int inspect_reopen(int path_fd, const struct stat *st)
{
	char self[64];
	int flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	int fd;

	snprintf(self, sizeof(self), "/proc/self/fd/%d", path_fd);
	/* O_NOATIME is refused (EPERM) on another's file without
	 * CAP_FOWNER, which the plugin does not keep */
	if (st->st_uid == geteuid()) {
		fd = open(self, flags | O_NOATIME);
		/* a container that gives the file away after ST was taken
		 * must not keep the look out */
		if (fd >= 0 || errno != EPERM)
			return fd;
	}
	return open(self, flags);
}

/*
 * Is FD's file held open for writing (safeopen.h)? A read lease is
 * refused while it is. A lease granted stays on FD for the caller to let
 * go (inspect_unlease(), or the close).
 */
static enum inspect_writers writers_of(int fd)
{
	if (fcntl(fd, F_SETLEASE, F_RDLCK) == 0)
		return INSPECT_WRITERS_NONE;
	return errno == EAGAIN ? INSPECT_WRITERS_SOME :
				 INSPECT_WRITERS_UNKNOWN;
}

/* Is the file of A (an overlay's) the file of B (its upper file)? */
static bool same_upper_file(const struct stat *a, const struct stat *b)
{
	return S_ISREG(b->st_mode) && a->st_mode == b->st_mode &&
	       a->st_nlink == b->st_nlink && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	       a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/*
 * The name of FC's file below the overlay's root, from the name the
 * kernel gives it (NAME, PATH_MAX bytes): below MOUNT_ROOT (the overlay's
 * mount point on the host) when it was reached from the host through it,
 * else below the container's "/" (a name inside the container that
 * spells the host's mount point is not cut). NULL when there is none.
 */
static const char *name_in_overlay(const struct file_check *fc,
				   const char *mount_root, char *name)
{
	ssize_t n = inspect_fd_name(fc, name, PATH_MAX);
	size_t len = mount_root ? strlen(mount_root) : 0;

	if (n <= 1 || name[0] != '/' ||
	    ((size_t)n > 10 && !strcmp(name + n - 10, " (deleted)")))
		return NULL;
	if (fc->via != VIA_MOUNT_ROOT)
		return name + 1;
	while (len > 1 && mount_root[len - 1] == '/')
		len--;
	if (len > 1 && (strncmp(name, mount_root, len) || name[len] != '/'))
		return NULL;
	return name + len + (len > 1);
}

enum inspect_writers inspect_upper_writers(const struct file_check *fc,
					   const char *upper,
					   const char *mount_root)
{
	enum inspect_writers w = INSPECT_WRITERS_UNKNOWN;
	char name[PATH_MAX];
	struct open_how how;
	const char *rel;
	struct stat st;
	int dir, pfd, fd;

	if (!upper || fc->fd < 0)
		return w;
	rel = name_in_overlay(fc, mount_root, name);
	if (!rel || !*rel)
		return w;
	dir = open(upper, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return w;
	memset(&how, 0, sizeof(how));
	how.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
		      RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
	pfd = (int)syscall(SYS_openat2, dir, rel, &how, sizeof(how));
	close(dir);
	if (pfd < 0)
		return w;
	if (fstat(pfd, &st) == 0 && same_upper_file(&fc->st, &st)) {
		fd = inspect_reopen(pfd, &st);
		if (fd >= 0) {
			w = writers_of(fd);
			close(fd);	/* the lease goes with it */
		} else if (errno == EWOULDBLOCK) {
			w = INSPECT_WRITERS_SOME;	/* a write lease */
		}
	}
	close(pfd);
	return w;
}

static enum inspect_status try_path_fd(int path_fd, const struct candidate *c,
				       struct file_check *out,
				       enum inspect_via via)
{
	enum inspect_status st;
	ssize_t n;
	int err;

	st = vet(path_fd, c, &out->st, &out->on_overlay);
	if (st != INSPECT_OK) {
		close(path_fd);
		return st;
	}
	out->fd = inspect_reopen(path_fd, &out->st);
	err = errno;
	if (out->fd < 0 && err == EWOULDBLOCK) {
		/* O_NONBLOCK: a lease says so at once */
		out->lease_path_fd = path_fd;
		out->has_lease_path = true;
		return INSPECT_LEASED;
	}
	close(path_fd);
	if (out->fd < 0)
		return INSPECT_GONE;
	/* before the read: content read after a "none" is final (a
	 * writer would have to open it again, a new audit event) */
	out->via = via;
	if (out->on_overlay && out->upper) {
		out->writers = inspect_upper_writers(out, out->upper,
						     out->mount_root);
	} else {
		out->writers = writers_of(out->fd);
		out->leased = out->writers == INSPECT_WRITERS_NONE;
	}
	do
		n = pread(out->fd, out->head, sizeof(out->head), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		inspect_close(out);
		return INSPECT_GONE;
	}
	out->head_len = (size_t)n;
	return INSPECT_OK;
}

/*
 * Look through the descriptors of PID for the audited file: a shell moves
 * the descriptor an open returned (3 to 1), and a deleted or renamed file
 * is reachable no other way while it is held open.
 */
static enum inspect_status scan_fds(const char *proc, pid_t pid,
				    const struct candidate *c,
				    struct file_check *out)
{
	char dir[96], buf[96 + 256];
	struct dirent *de;
	int n = 0, fd;
	DIR *d;

	if (!c->has_inode || pid <= 0)
		return INSPECT_GONE;
	snprintf(dir, sizeof(dir), "%s/%d/fd", proc, (int)pid);
	d = opendir(dir);
	if (!d)
		return INSPECT_GONE;
	while ((de = readdir(d)) && n++ < SCAN_FDS_MAX) {
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		snprintf(buf, sizeof(buf), "%s/%s", dir, de->d_name);
		fd = open(buf, O_PATH | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (fstat(fd, &st) == 0 && st.st_ino == c->inode &&
		    major(st.st_dev) == c->dev_major &&
		    minor(st.st_dev) == c->dev_minor) {
			closedir(d);
			return try_path_fd(fd, c, out, VIA_WRITER_FD);
		}
		close(fd);
	}
	closedir(d);
	return INSPECT_GONE;
}

void inspect_roots_close(struct inspect_roots *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		close(r->fd[i]);
	if (r->has_mount && r->mount_fd >= 0)
		close(r->mount_fd);
	r->n = 0;
	r->ngone = 0;
	r->has_mount = false;
}

/* Was PID found gone earlier in the run of ROOTS? */
static bool pid_gone(const struct inspect_roots *roots, pid_t pid)
{
	size_t i;

	for (i = 0; roots && i < roots->ngone; i++)
		if (roots->gone[i] == pid)
			return true;
	return false;
}

/*
 * /proc/PID/root from ROOTS, or opened and kept there when there is room
 * (*OWNED then false, else the caller closes it); not asked again of a
 * PID found gone in the run, and a PID found gone now (ENOENT) is noted
 * so.
 */
static int proc_root(struct inspect_roots *roots, const char *proc,
		     pid_t pid, bool *owned)
{
	char buf[128];
	size_t i;
	int fd;

	*owned = true;
	for (i = 0; roots && i < roots->n; i++) {
		if (roots->pid[i] == pid) {
			*owned = false;
			return roots->fd[i];
		}
	}
	if (pid_gone(roots, pid)) {
		errno = ENOENT;
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s/%d/root", proc, (int)pid);
	fd = open(buf, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && roots &&
	    roots->ngone < INSPECT_ROOTS_MAX)
		roots->gone[roots->ngone++] = pid;
	if (fd >= 0 && roots && roots->n < INSPECT_ROOTS_MAX) {
		roots->pid[roots->n] = pid;
		roots->fd[roots->n++] = fd;
		*owned = false;
	}
	return fd;
}

/* The root C's name resolves in, the mount aside: the
 * writer's, or its parent's when it is in the same container; *OWNED when
 * the caller is to close it. */
static int root_of(struct inspect_roots *roots, const char *proc,
		   const struct candidate *c, bool parent_same_root,
		   bool *owned)
{
	int fd = proc_root(roots, proc, c->pid, owned);

	if (fd < 0 && parent_same_root && c->ppid > 0)
		fd = proc_root(roots, proc, c->ppid, owned);
	return fd;
}

/* The root C's names resolve in: the writer's, its parent's (when in the
 * same container), the mount; the caller closes it. */
static int open_root(const char *proc, const struct candidate *c,
		     bool parent_same_root, const char *mount_root)
{
	bool owned;
	int root = root_of(NULL, proc, c, parent_same_root, &owned);

	if (root < 0 && mount_root)
		root = open(mount_root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return root;
}

/* The container's mount root MOUNT_ROOT (a host path), kept in ROOTS for
 * the files of the same mount that follow in the run, and so is its
 * absence (a container removed: -1); *OWNED when the caller is to close
 * it. */
static int mount_root_of(struct inspect_roots *roots, const char *mount_root,
			 bool *owned)
{
	int fd;

	*owned = true;
	if (roots && roots->has_mount &&
	    !strcmp(roots->mount_path, mount_root)) {
		*owned = false;
		return roots->mount_fd;
	}
	fd = open(mount_root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if ((fd < 0 && errno != ENOENT) || !roots ||
	    strlen(mount_root) >= sizeof(roots->mount_path))
		return fd;
	if (roots->has_mount && roots->mount_fd >= 0)
		close(roots->mount_fd);
	strcpy(roots->mount_path, mount_root);
	roots->mount_fd = fd;
	roots->has_mount = true;
	*owned = false;
	return fd;
}

/* C's name looked at below ROOT (closed when OWNED), reached VIA. */
static enum inspect_status look_in(int root, bool owned,
				   const struct candidate *c,
				   struct file_check *out, enum inspect_via via)
{
	int fd = open_in_root(root, c->path);

	if (owned)
		close(root);
	return fd < 0 ? INSPECT_GONE : try_path_fd(fd, c, out, via);
}

/* Does R say what the file is (the look ends there), rather than that
 * this way did not reach it? A lease is on the file, whichever way it is
 * reached: the other ways would only break it again. */
static bool found(enum inspect_status r)
{
	return r == INSPECT_OK || r == INSPECT_NOT_REGULAR ||
	       r == INSPECT_REMOTE || r == INSPECT_LEASED;
}

enum inspect_status inspect_open(const char *proc, const struct candidate *c,
				 bool parent_same_root, const char *mount_root,
				 struct file_check *out)
{
	return inspect_open_in(proc, c, parent_same_root, mount_root, NULL,
			       NULL, out);
}

enum inspect_status inspect_open_in(const char *proc,
				    const struct candidate *c,
				    bool parent_same_root,
				    const char *mount_root,
				    const char *upper,
				    struct inspect_roots *roots,
				    struct file_check *out)
{
	enum inspect_status st = INSPECT_GONE, r;
	char buf[128];
	bool named, owned;
	int fd, root;

	memset(out, 0, sizeof(*out));
	out->fd = -1;
	out->upper = upper;
	out->mount_root = mount_root;

	/* 1. The writer's own descriptor reaches the file even after an
	 *    unlink or rename; opening it follows no name at all. */
	if (c->fd >= 0 && !pid_gone(roots, c->pid)) {
		snprintf(buf, sizeof(buf), "%s/%d/fd/%d", proc, (int)c->pid,
			 c->fd);
		fd = open(buf, O_PATH | O_CLOEXEC);
		if (fd >= 0) {
			r = try_path_fd(fd, c, out, VIA_WRITER_FD);
			if (found(r))
				return r;
			/* the descriptor number was reused: go by name */
		}
	}
	/* A relative name with a directory descriptor cannot be placed,
	 * nor one the reader could not resolve, nor the directory of an
	 * O_TMPFILE open. */
	named = c->path && c->path[0] == '/' && !c->name_unresolved &&
		!c->tmpfile;

	/* 2. The name, resolved inside the writer's root (or its parent's,
	 *    when the parent is in the same container). */
	root = named ? root_of(roots, proc, c, parent_same_root, &owned) : -1;
	if (root >= 0) {
		r = look_in(root, owned, c, out, VIA_PROC_ROOT);
		if (found(r))
			return r;
		st = r;
	}

	/* 3. Any descriptor of the writer, or of its parent in the same
	 *    container, that still holds the file. */
	r = pid_gone(roots, c->pid) ? INSPECT_GONE :
				      scan_fds(proc, c->pid, c, out);
	if (r != INSPECT_OK && parent_same_root && !pid_gone(roots, c->ppid))
		r = scan_fds(proc, c->ppid, c, out);
	if (found(r))
		return r;

	/* 4. The container's overlay mount, seen from the host. */
	root = named && mount_root ? mount_root_of(roots, mount_root, &owned) :
				     -1;
	if (root >= 0) {
		r = look_in(root, owned, c, out, VIA_MOUNT_ROOT);
		if (r == INSPECT_OK || st == INSPECT_GONE)
			st = r;
	}
	return st;
}

/* Does PATH lead, inside C's root, to the file of WANT? RESOLVE adds
 * RESOLVE_* flags to the walk. */
static bool name_leads_to(const char *proc, const struct candidate *c,
			  bool parent_same_root, const char *mount_root,
			  const char *path, unsigned long long resolve,
			  const struct stat *want)
{
	struct stat st;
	int root, fd;
	bool same;

	if (!path || path[0] != '/')
		return false;
	root = open_root(proc, c, parent_same_root, mount_root);
	if (root < 0)
		return false;
	fd = open_in_root_how(root, path, resolve);
	close(root);
	if (fd < 0)
		return false;
	same = fstat(fd, &st) == 0 && st.st_dev == want->st_dev &&
	       st.st_ino == want->st_ino;
	close(fd);
	return same;
}

bool inspect_name_is(const char *proc, const struct candidate *c,
		     bool parent_same_root, const char *mount_root,
		     const struct stat *want)
{
	return name_leads_to(proc, c, parent_same_root, mount_root, c->path,
			     0, want);
}

bool inspect_name_is_plain(const char *proc, const struct candidate *c,
			   bool parent_same_root, const char *mount_root,
			   const struct stat *want)
{
	char *norm;
	bool plain;

	if (!c->path || c->path[0] != '/')
		return false;
	norm = strdup(c->path);
	if (!norm)
		return false;
	path_normalize(norm);
	plain = !strcmp(norm, c->path) &&
		name_leads_to(proc, c, parent_same_root, mount_root, c->path,
			      RESOLVE_NO_SYMLINKS, want);
	free(norm);
	return plain;
}

bool inspect_on_mount_of(const char *proc, const struct candidate *c,
			 bool parent_same_root, const char *mount_root,
			 const struct file_check *fc, const char *dir)
{
	struct stat st, pst;
	struct statfs sfs;
	char parent[64];
	int root, fd, pfd;
	bool same;

	/* "/dev/shm" -> "/dev" */
	if (snprintf(parent, sizeof(parent), "%s", dir) >= (int)sizeof(parent) ||
	    !strrchr(parent, '/'))
		return false;
	*strrchr(parent, '/') = '\0';
	root = open_root(proc, c, parent_same_root, mount_root);
	if (root < 0)
		return false;
	fd = open_in_root(root, dir);
	pfd = open_in_root(root, parent[0] ? parent : "/");
	close(root);
	/*
	 * The file is on the mount of DIR, DIR is a mount point (not a
	 * directory of that name on the container's root file system: its
	 * device is not its parent's) and the mount is a tmpfs. A statfs of
	 * it cannot block: it is the device of the file, already vetted.
	 */
	same = fd >= 0 && pfd >= 0 &&
	       fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) &&
	       st.st_dev == fc->st.st_dev &&
	       fstat(pfd, &pst) == 0 && pst.st_dev != st.st_dev &&
	       fstatfs(fd, &sfs) == 0 &&
	       (unsigned long)sfs.f_type == TMPFS_MAGIC;
	if (fd >= 0)
		close(fd);
	if (pfd >= 0)
		close(pfd);
	return same;
}

enum inspect_status inspect_open_exe(const char *proc,
				     const struct candidate *c,
				     struct file_check *out)
{
	char buf[128];
	int fd;

	memset(out, 0, sizeof(*out));
	out->fd = -1;
	if (c->pid <= 0)
		return INSPECT_GONE;
	snprintf(buf, sizeof(buf), "%s/%d/exe", proc, (int)c->pid);
	/* O_PATH: the magic link is followed without touching the file */
	fd = open(buf, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return INSPECT_GONE;
	return try_path_fd(fd, c, out, VIA_EXE);
}

ssize_t inspect_fd_name(const struct file_check *fc, char *buf, size_t len)
{
	char self[64];
	ssize_t n;

	if (fc->fd < 0 || len < 2)
		return -1;
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fc->fd);
	n = readlink(self, buf, len - 1);
	if (n < 0 || (size_t)n >= len - 1)
		return -1;	/* cut: never a name that leads elsewhere */
	buf[n] = '\0';
	return n;
}

void inspect_unlease(struct file_check *fc)
{
	if (fc->leased && fc->fd >= 0)
		fcntl(fc->fd, F_SETLEASE, F_UNLCK);
	fc->leased = false;
}

void inspect_close(struct file_check *fc)
{
	if (fc->fd >= 0)
		close(fc->fd);	/* the lease goes with it */
	fc->fd = -1;
	fc->leased = false;
	if (fc->has_lease_path)
		close(fc->lease_path_fd);
	fc->has_lease_path = false;
}

const char *inspect_status_name(enum inspect_status st)
{
	switch (st) {
	case INSPECT_OK:
		return "ok";
	case INSPECT_GONE:
		return "gone";
	case INSPECT_REPLACED:
		return "replaced";
	case INSPECT_NOT_REGULAR:
		return "not-regular";
	case INSPECT_REMOTE:
		return "remote";
	case INSPECT_LEASED:
		return "leased";
	}
	return "unknown";
}

const char *inspect_via_name(enum inspect_via via)
{
	switch (via) {
	case VIA_WRITER_FD:
		return "writer-fd";
	case VIA_PROC_ROOT:
		return "proc-root";
	case VIA_MOUNT_ROOT:
		return "mount-root";
	case VIA_EXE:
		return "exe";
	default:
		return "none";
	}
}
