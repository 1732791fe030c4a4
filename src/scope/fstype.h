/* fstype.h -- which devices hold file systems that must never be read */
#ifndef DROPEXEC_FSTYPE_H
#define DROPEXEC_FSTYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define FSTYPE_CACHE_SIZE	256

/*
 * A file on FUSE, NFS, SMB, 9p or Ceph is never touched: even a stat of
 * it can wait on a server or a daemon that the container controls. The
 * type of a device is learnt from the writer's /proc/PID/mountinfo
 * before any name on it is resolved, and remembered.
 */
struct fstype_cache {
	struct {
		unsigned int major, minor;
		bool remote;
	} e[FSTYPE_CACHE_SIZE];
	size_t count, next;
};

void fstype_cache_init(struct fstype_cache *fc);

/* Is FSTYPE (mountinfo's file system type) one we never read? */
bool fstype_is_remote(const char *fstype);

/*
 * Is device MAJOR:MINOR a remote or user-space file system, going by the
 * mountinfo text TEXT (one of PID's)? Returns 1 yes, 0 no, -1 not listed.
 */
int fstype_lookup_text(const char *text, unsigned int major,
		       unsigned int minor);

/* The same, from the cache or from PROC/PID/mountinfo. Unknown: false. */
bool fstype_dev_is_remote(struct fstype_cache *fc, const char *proc,
			  pid_t pid, unsigned int major, unsigned int minor);

#endif
