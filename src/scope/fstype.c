/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fstype.c -- which devices hold file systems that must never be read */
#include "scope/fstype.h"

#include <stdio.h>
#include <string.h>

void fstype_cache_init(struct fstype_cache *fc)
{
	memset(fc, 0, sizeof(*fc));
}

void fstype_cache_free(struct fstype_cache *fc)
{
	(void)fc;
}

/* Remember that device MAJOR:MINOR is (not) REMOTE, the oldest out. */
static void remember(struct fstype_cache *fc, unsigned int major,
		     unsigned int minor, enum mount_dev_class cls)
{
	fc->e[fc->next].major = major;
	fc->e[fc->next].minor = minor;
	fc->e[fc->next].cls = cls;
	fc->next = (fc->next + 1) % FSTYPE_CACHE_SIZE;
	if (fc->count < FSTYPE_CACHE_SIZE)
		fc->count++;
}

enum mount_dev_class fstype_dev_class(struct fstype_cache *fc,
				      const char *proc, pid_t pid,
				      unsigned int major, unsigned int minor)
{
	enum mount_dev_class c;
	struct mount_table t;
	char path[128];
	size_t i;

	for (i = 0; i < fc->count; i++)
		if (fc->e[i].major == major && fc->e[i].minor == minor)
			return fc->e[i].cls;
	if (pid <= 0)
		return MOUNT_DEV_UNKNOWN;
	snprintf(path, sizeof(path), "%s/%d/mountinfo", proc, (int)pid);
	if (mounts_parse_file(&t, path))
		return MOUNT_DEV_UNKNOWN;	/* gone, or out of memory */
	c = mounts_dev_class(&t, major, minor);
	mounts_free(&t);
	if (c != MOUNT_DEV_UNKNOWN)
		remember(fc, major, minor, c);
	return c;
}

bool fstype_dev_is_remote(struct fstype_cache *fc, const char *proc,
			  pid_t pid, unsigned int major, unsigned int minor)
{
	switch (fstype_dev_class(fc, proc, pid, major, minor)) {
	case MOUNT_DEV_NEVER_READ:
		return true;
	case MOUNT_DEV_READABLE:
	case MOUNT_DEV_PSEUDO:
	case MOUNT_DEV_UNKNOWN:
		break;
	}
	/* unknown: not known to be remote (the check refuses unknown
	 * devices itself: see device_readable() in check/pipeline.c) */
	return false;
}
