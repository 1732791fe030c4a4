/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fstype.h -- which devices hold file systems that must never be read
 *
 * A file on FUSE, NFS, SMB, 9p, Ceph or any other file system of
 * mount_type_never_read() is never touched: even a stat of it can wait on
 * a server or a daemon that the container controls. The type of a device
 * is learnt from the writer's /proc/PID/mountinfo (read whole, with
 * libmount: see mounts.h) before any name on it is resolved, and
 * remembered.
 *
 * Why a cache of its own, apart from mounts.c: mounts.c knows what a
 * mountinfo file says; this file decides whose mountinfo to ask (the
 * writer's: a container sees its own mounts), what to remember and for
 * how long, and what an unknown device means. That policy belongs to the
 * check, which keeps one cache per thread, and the check's code reaches
 * it under this name.
 *
 * How long an answer holds. A device number names a superblock only while
 * that superblock lives: anonymous devices (major 0: overlay, tmpfs,
 * FUSE, ...) take the lowest free minor, so 0:51 is reused as soon as a
 * mount dies, and containers come and go all the time; a container with
 * CAP_SYS_ADMIN can do it on purpose (tmpfs, write, umount, FUSE: 0:51
 * again). A stale "readable" sends the check into a hung FUSE file; a
 * stale "never read" loses a drop. Expiry after a time does not help
 * against the purposeful reuse (it takes a millisecond); a cache keyed by
 * the mount namespace's inode alone does not either (the reuse can be in
 * the same namespace, and a namespace inode is itself reused).
 *
 * So every answer is tied to the mount table it was read from, and lives
 * exactly as long as that table is unchanged:
 *  - The table is kept open: the descriptor of /proc/PID/mountinfo holds
 *    a reference to its mount namespace, so the namespace (and its inode
 *    number, the key that lets the writers of one container share one
 *    table) cannot die and be reused while it is held.
 *  - The kernel tells a change of that namespace's mounts (a mount, an
 *    umount, a propagation) by poll() on the descriptor: POLLPRI|POLLERR.
 *    Before any remembered answer is used, its table is polled (no
 *    timeout); a changed table is dropped with all its answers, and the
 *    writer's table read anew.
 *  - While a table is unchanged, the mount it lists is still there, so
 *    its superblock and device number are too: the answer holds for
 *    every writer, even once the writer that gave it has exited.
 *  - A table that is a plain file (the tests' fake /proc, a fixture)
 *    counts as changed when its size, times or inode change.
 * At most FSTYPE_NS_MAX tables are held (one descriptor each), the one
 * used least recently goes first, and every descriptor is closed by
 * fstype_cache_free().
 *
 * Held no longer than FSTYPE_IDLE_MS after its last use. A held table
 * keeps its namespace, and every mount in it, alive after the container's
 * last process: an overlay, a volume's or a loop device's file system is
 * not shut down while the plugin holds the table, and the umount the
 * kernel left undone is done when the plugin lets go (at its exit, an
 * ext4 unmount with discard took over 8 s of it on this machine). So
 * fstype_cache_expire() drops the tables idle that long; an answer
 * dropped with them is read anew, from the writer's table, when needed. Cost, measured on this host's kernel (6.18): a
 * remembered device takes one poll() and one fstat() of the held table,
 * ~7.5 us (it was a bare array walk); a table read anew ~140 us for a
 * 20-line mountinfo, as before. A look-up per candidate, against a check
 * that costs hundreds of us in the worker: kept.
 */
#ifndef DROPEXEC_FSTYPE_H
#define DROPEXEC_FSTYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "scope/mounts.h"

#define FSTYPE_CACHE_SIZE	256	/* devices remembered */
#define FSTYPE_NS_MAX		32	/* mount tables held open */
#define FSTYPE_IDLE_MS		10000	/* ... at most this long unused */

/* One mount table held open, and what identifies it. */
struct fstype_table {
	struct mount_watch w;	/* /proc/PID/mountinfo; fd -1: free slot */
	bool has_ns;		/* NS_DEV/NS_INO are known */
	dev_t ns_dev;		/* of /proc/PID/ns/mnt */
	ino_t ns_ino;
	unsigned long long asked;	/* the pin it was last asked in */
	unsigned long long used;	/* last use, for the eviction */
	uint64_t used_ms;	/* last use, monotonic ms, for the expiry */
};

/* The last FSTYPE_CACHE_SIZE devices that a held mountinfo named. */
struct fstype_cache {
	struct {
		unsigned int major, minor;
		enum mount_dev_class cls;
		int table;	/* index in T */
	} e[FSTYPE_CACHE_SIZE];
	size_t count;
	struct fstype_table t[FSTYPE_NS_MAX];
	unsigned long long tick;
	unsigned long long rereads;	/* tables dropped on a change */
	unsigned long long pin;		/* fstype_cache_pin()'s, 0: none */
	unsigned long long pins;
};

/* Set up FC, holding nothing; fstype_cache_free() closes what it held. */
void fstype_cache_init(struct fstype_cache *fc);
void fstype_cache_free(struct fstype_cache *fc);

/* Close the tables unused since NOW_MS - FSTYPE_IDLE_MS (monotonic ms)
 * and forget their answers. Returns how many were closed. */
unsigned int fstype_cache_expire(struct fstype_cache *fc, uint64_t now_ms);

/*
 * Between fstype_cache_pin() and fstype_cache_unpin(), a held table is
 * asked at most once whether it changed: for candidates prepared back to
 * back before any of their files is read, where asking again for each
 * would only move the same race by microseconds. Asked again after
 * fstype_cache_unpin().
 */
void fstype_cache_pin(struct fstype_cache *fc);
void fstype_cache_unpin(struct fstype_cache *fc);

/*
 * What may be done with device MAJOR:MINOR: from a remembered answer whose
 * table has not changed since, else from PROC/PID/mountinfo (held open
 * from then on). MOUNT_DEV_UNKNOWN when that file cannot be read or does
 * not list the device (not remembered: the mount may come later).
 */
enum mount_dev_class fstype_dev_class(struct fstype_cache *fc,
				      const char *proc, pid_t pid,
				      unsigned int major, unsigned int minor);

/* Does the writer's table say device MAJOR:MINOR is never to be read?
 * (Unknown: false; the check's policy for those is its own.) */
bool fstype_dev_is_remote(struct fstype_cache *fc, const char *proc,
			  pid_t pid, unsigned int major, unsigned int minor);

#endif
