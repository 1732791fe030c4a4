/* SPDX-License-Identifier: GPL-2.0-or-later */
/* safeopen.h -- open a file named by a container, inside that container */
#ifndef DROPEXEC_SAFEOPEN_H
#define DROPEXEC_SAFEOPEN_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "candidate.h"
#include "check/classify.h"

enum inspect_status {
	INSPECT_OK = 0,
	INSPECT_GONE,		/* no way left to reach the file */
	INSPECT_REPLACED,	/* the name now holds another file */
	INSPECT_NOT_REGULAR,	/* FIFO, device, socket, directory */
	INSPECT_REMOTE,		/* FUSE, NFS, SMB: never read */
	INSPECT_LEASED,		/* found, but another process's lease
				 * keeps it from being opened (a write
				 * lease: the open would wait
				 * lease-break-time); OUT->st and
				 * OUT->lease_path_fd are set */
};

/* How the file was reached. */
enum inspect_via {
	VIA_NONE = 0,
	VIA_WRITER_FD,		/* /proc/PID/fd/N of the writer */
	VIA_PROC_ROOT,		/* /proc/PID/root of the writer (or parent) */
	VIA_MOUNT_ROOT,		/* the container's overlay mount */
	VIA_EXE,		/* /proc/PID/exe of the process running it */
};

/*
 * Whether anyone holds the file open for writing, when it was opened: a
 * descriptor or a shared writable mapping, of any process in any
 * namespace. The kernel counts an inode's writers and refuses a read
 * lease (fcntl(2) F_SETLEASE, F_RDLCK) with EAGAIN while there are any;
 * the lease, when granted, is let go at once. Unknown when no lease can
 * be had: fs.leases-enable = 0, a file system without leases, a file of
 * another owner without CAP_LEASE.
 */
enum inspect_writers {
	INSPECT_WRITERS_UNKNOWN = 0,
	INSPECT_WRITERS_NONE,
	INSPECT_WRITERS_SOME,	/* or a lease of another process */
};

struct file_check {
	int fd;			/* read-only, regular, or -1 */
	struct stat st;
	unsigned char head[CLASSIFY_HEAD_LEN];
	size_t head_len;
	enum inspect_via via;
	enum inspect_writers writers;	/* asked before the head is read */
	bool leased;		/* FD holds the read lease that said so */
	bool on_overlay;	/* FD is a file of an overlay mount */
	/* INSPECT_LEASED: the file's vetted O_PATH descriptor, kept for a
	 * waiter (check/leasewait.h) until inspect_close() */
	bool has_lease_path;
	int lease_path_fd;
	/* inspect_open_in()'s UPPER and MOUNT_ROOT, kept for the look */
	const char *upper, *mount_root;
};

/*
 * Where to look for candidate C. PROC is the procfs root; PARENT_SAME_ROOT
 * says the writer's parent is in the same container (its root may serve
 * when the writer is gone); MOUNT_ROOT is the host path of the
 * container's overlay mount, or NULL. Never follows a
 * name outside the container's root, never opens anything but a regular
 * file whose device and inode are the ones the audit record gave, never
 * blocks. On INSPECT_OK, OUT->fd is open, OUT->head holds at most
 * CLASSIFY_HEAD_LEN bytes from offset 0 and OUT->writers says whether
 * the file was held open for writing just before they were read. When
 * it was not, OUT->fd still holds the read lease that said so: a writer's
 * open waits for it (one with O_NONBLOCK fails with EWOULDBLOCK) until
 * inspect_unlease() or inspect_close(), which the caller calls at once
 * (it saves a system call on a file closed right after the look). The
 * caller ignores SIGIO (a lease broken while it is held sends it).
 */
enum inspect_status inspect_open(const char *proc, const struct candidate *c,
				 bool parent_same_root, const char *mount_root,
				 struct file_check *out);

/*
 * The roots opened for a run of looks, so that each is opened once for
 * its files, not once for each: the writers' (/proc/PID/root, kept by
 * the writer's pid), the writers found gone (no /proc/PID: not asked
 * again), and the last container mount root (by its host path; -1 when
 * it is gone, the container removed). Pass the
 * same one to inspect_open_in() for the files of one run (a few
 * milliseconds: a pid is not reused so soon), then inspect_roots_close().
 * Zeroed: empty.
 */
#define INSPECT_ROOTS_MAX	4
struct inspect_roots {
	size_t n, ngone;
	pid_t pid[INSPECT_ROOTS_MAX];
	int fd[INSPECT_ROOTS_MAX];
	pid_t gone[INSPECT_ROOTS_MAX];
	bool has_mount;
	int mount_fd;
	char mount_path[PATH_MAX];
};

void inspect_roots_close(struct inspect_roots *r);

/*
 * inspect_open(), the writer's root taken from ROOTS (or opened, and
 * kept there). UPPER, when not NULL, is the host path of the upper
 * directory of the overlay the file is on: OUT->writers is then asked
 * of the file there, not of the overlay's (see inspect_upper_writers()).
 */
enum inspect_status inspect_open_in(const char *proc,
				    const struct candidate *c,
				    bool parent_same_root,
				    const char *mount_root,
				    const char *upper,
				    struct inspect_roots *roots,
				    struct file_check *out);

/*
 * Whether anyone writes the overlay file FC (open, FC->on_overlay),
 * asked of its file in the overlay's upper directory UPPER. A shared
 * writable mapping holds the upper file, not the overlay's: once the
 * descriptor that made it is closed, the overlay's file has no writer the
 * kernel counts and its own lease is granted. The upper file is found by
 * the name the kernel gives FC in the container (below MOUNT_ROOT when
 * FC was reached through it), walked below UPPER without following a
 * symlink, and asked only when fstat says it is FC's file (size, times,
 * mode, links: its inode number is another once copied up from a lower
 * layer). UNKNOWN when it cannot be found so; no lease is kept.
 */
enum inspect_writers inspect_upper_writers(const struct file_check *fc,
					   const char *upper,
					   const char *mount_root);

/*
 * The program candidate C (an execution) runs: /proc/PID/exe of the
 * process, which reaches the file even once it is deleted or renamed,
 * and follows no name. INSPECT_REPLACED when the process runs another
 * file by now (a later exec); as inspect_open() otherwise.
 */
enum inspect_status inspect_open_exe(const char *proc,
				     const struct candidate *c,
				     struct file_check *out);

/*
 * The name the kernel gives the open file FC (readlink of its descriptor),
 * as seen from the root of the mount namespace it was reached in (for a
 * container's process: its own "/"). " (deleted)" is not trusted: a file
 * can be named so. Returns the length, or -1.
 */
ssize_t inspect_fd_name(const struct file_check *fc, char *buf, size_t len);

/*
 * Turn PATH_FD, a vetted O_PATH descriptor of the regular file of ST, into
 * a read-only one that never blocks. The reads through it leave the
 * file's access time as it was (O_NOATIME), which an investigator reads
 * to know whether the file was read or run, when the file is the
 * plugin's own uid's (a rootful container's); another's (a rootless
 * container's) would need CAP_FOWNER, and is read the usual way.
 */
int inspect_reopen(int path_fd, const struct stat *st);

/* Let go of FC's lease (inspect_open()), keeping the file open. */
void inspect_unlease(struct file_check *fc);
void inspect_close(struct file_check *fc);

/* Does C's name still lead (inside its root) to the file of ST? */
bool inspect_name_is(const char *proc, const struct candidate *c,
		     bool parent_same_root, const char *mount_root,
		     const struct stat *st);

/*
 * Is C's name the plain name of the file of ST: no ".", "..", or "//" in
 * it, and no symlink on the way (walked inside the root without following
 * one)? What the [allow] path lists match (check/allow.h).
 */
bool inspect_name_is_plain(const char *proc, const struct candidate *c,
			   bool parent_same_root, const char *mount_root,
			   const struct stat *st);

/*
 * Is the checked file FC on the mount of DIR (e.g. "/dev/shm") as seen
 * in C's root (the writer's, its parent's, or MOUNT_ROOT), and is DIR
 * there a tmpfs mount point (not merely a directory of that name)? False
 * when that cannot be told.
 */
bool inspect_on_mount_of(const char *proc, const struct candidate *c,
			 bool parent_same_root, const char *mount_root,
			 const struct file_check *fc, const char *dir);
const char *inspect_status_name(enum inspect_status st);
const char *inspect_via_name(enum inspect_via via);

/* Resolve PATH below the directory ROOT_FD (never above it) as O_PATH. */
int open_in_root(int root_fd, const char *path);

#endif
