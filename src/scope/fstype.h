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
 * writer's: a container sees its own mounts), what to remember (device
 * numbers are host-wide, so an answer outlives the process that gave it)
 * and what an unknown device means. That policy belongs to the check,
 * which keeps one cache per thread, and the check's code reaches it under
 * this name.
 */
#ifndef DROPEXEC_FSTYPE_H
#define DROPEXEC_FSTYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "scope/mounts.h"

#define FSTYPE_CACHE_SIZE	256
#define FSTYPE_NS_MAX		32

/* The last FSTYPE_CACHE_SIZE devices that a mountinfo named. */
struct fstype_cache {
	struct {
		unsigned int major, minor;
		enum mount_dev_class cls;
	} e[FSTYPE_CACHE_SIZE];
	size_t count, next;
};

void fstype_cache_init(struct fstype_cache *fc);
void fstype_cache_free(struct fstype_cache *fc);

/*
 * What may be done with device MAJOR:MINOR, from the cache or from
 * PROC/PID/mountinfo: MOUNT_DEV_UNKNOWN when that file cannot be read or
 * does not list the device (not remembered: the mount may come later).
 */
enum mount_dev_class fstype_dev_class(struct fstype_cache *fc,
				      const char *proc, pid_t pid,
				      unsigned int major, unsigned int minor);

/* Does the writer's table say device MAJOR:MINOR is never to be read?
 * (Unknown: false; the check's policy for those is its own.) */
bool fstype_dev_is_remote(struct fstype_cache *fc, const char *proc,
			  pid_t pid, unsigned int major, unsigned int minor);

#endif
