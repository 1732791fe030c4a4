/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fstype.c -- which devices hold file systems that must never be read */
#include "scope/fstype.h"

#include <stdio.h>
#include <string.h>

#include "util/timeutil.h"

void fstype_cache_init(struct fstype_cache *fc)
{
	size_t i;

	memset(fc, 0, sizeof(*fc));
	for (i = 0; i < FSTYPE_NS_MAX; i++)
		mount_watch_init(&fc->t[i].w);
}

void fstype_cache_free(struct fstype_cache *fc)
{
	size_t i;

	for (i = 0; i < FSTYPE_NS_MAX; i++)
		mount_watch_close(&fc->t[i].w);
	fstype_cache_init(fc);
}

/* Close table TI and forget every answer it gave. */
static void drop_table(struct fstype_cache *fc, int ti)
{
	size_t i, keep = 0;

	mount_watch_close(&fc->t[ti].w);
	memset(&fc->t[ti], 0, sizeof(fc->t[ti]));
	mount_watch_init(&fc->t[ti].w);
	for (i = 0; i < fc->count; i++)
		if (fc->e[i].table != ti)
			fc->e[keep++] = fc->e[i];
	fc->count = keep;
}

unsigned int fstype_cache_expire(struct fstype_cache *fc, uint64_t now)
{
	unsigned int n = 0;
	int i;

	for (i = 0; i < FSTYPE_NS_MAX; i++) {
		if (fc->t[i].w.fd < 0 ||
		    fc->t[i].used_ms + FSTYPE_IDLE_MS > now)
			continue;
		drop_table(fc, i);
		n++;
	}
	return n;
}

/*
 * Open PROC/PID/mountinfo and hold it: in the slot of its mount
 * namespace when one is held (its answers stay, unless that table had
 * changed), else in a free slot or the least recently used one. Returns
 * the slot, or -1.
 */
static int hold_table(struct fstype_cache *fc, const char *proc, pid_t pid)
{
	struct stat ns1, ns2;
	struct mount_watch w;
	char path[128], nspath[128];
	bool has_ns;
	int ti = -1;
	size_t i;

	snprintf(path, sizeof(path), "%s/%d/mountinfo", proc, (int)pid);
	snprintf(nspath, sizeof(nspath), "%s/%d/ns/mnt", proc, (int)pid);
	has_ns = stat(nspath, &ns1) == 0;
	if (mount_watch_open(&w, path))
		return -1;
	/* the same process's namespace: not a pid reused in between */
	if (has_ns && (stat(nspath, &ns2) || ns2.st_ino != ns1.st_ino ||
		       ns2.st_dev != ns1.st_dev)) {
		mount_watch_close(&w);
		return -1;
	}
	for (i = 0; has_ns && i < FSTYPE_NS_MAX; i++) {
		struct fstype_table *t = &fc->t[i];

		if (t->w.fd < 0 || !t->has_ns || t->ns_ino != ns1.st_ino ||
		    t->ns_dev != ns1.st_dev)
			continue;
		/* FD was opened before this look: a change after it
		 * shows on FD from now on */
		if (mount_watch_changed(&t->w)) {
			drop_table(fc, i);
			fc->rereads++;
		} else {
			mount_watch_close(&t->w);
		}
		ti = i;
		break;
	}
	for (i = 0; ti < 0 && i < FSTYPE_NS_MAX; i++)
		if (fc->t[i].w.fd < 0)
			ti = i;
	if (ti < 0) {
		ti = 0;
		for (i = 1; i < FSTYPE_NS_MAX; i++)
			if (fc->t[i].used < fc->t[ti].used)
				ti = i;
		drop_table(fc, ti);
	}
	fc->t[ti].w = w;
	fc->t[ti].has_ns = has_ns;
	fc->t[ti].ns_dev = has_ns ? ns1.st_dev : 0;
	fc->t[ti].ns_ino = has_ns ? ns1.st_ino : 0;
	fc->t[ti].asked = fc->pin;	/* read now */
	fc->t[ti].used = fc->tick;
	fc->t[ti].used_ms = now_ms();
	return ti;
}

/* Remember that table TI says device MAJOR:MINOR is of class CLS, the
 * oldest answer out when full. */
static void remember(struct fstype_cache *fc, int ti, unsigned int major,
		     unsigned int minor, enum mount_dev_class cls)
{
	if (fc->count == FSTYPE_CACHE_SIZE) {
		memmove(&fc->e[0], &fc->e[1],
			(FSTYPE_CACHE_SIZE - 1) * sizeof(fc->e[0]));
		fc->count--;
	}
	fc->e[fc->count].major = major;
	fc->e[fc->count].minor = minor;
	fc->e[fc->count].cls = cls;
	fc->e[fc->count].table = ti;
	fc->count++;
}

void fstype_cache_pin(struct fstype_cache *fc)
{
	fc->pin = ++fc->pins;
}

void fstype_cache_unpin(struct fstype_cache *fc)
{
	fc->pin = 0;
}

enum mount_dev_class fstype_dev_class(struct fstype_cache *fc,
				      const char *proc, pid_t pid,
				      unsigned int major, unsigned int minor)
{
	enum mount_dev_class c;
	struct mount_table t;
	char path[64];
	size_t i = 0;
	int ti;

	fc->tick++;
	fstype_cache_expire(fc, now_ms());
	while (i < fc->count) {
		if (fc->e[i].major != major || fc->e[i].minor != minor) {
			i++;
			continue;
		}
		ti = fc->e[i].table;
		if (!(fc->pin && fc->t[ti].asked == fc->pin) &&
		    mount_watch_changed(&fc->t[ti].w)) {
			drop_table(fc, ti);	/* E is compacted */
			fc->rereads++;
			i = 0;
			continue;
		}
		fc->t[ti].asked = fc->pin;
		fc->t[ti].used = fc->tick;
		fc->t[ti].used_ms = now_ms();
		return fc->e[i].cls;
	}
	if (pid <= 0)
		return MOUNT_DEV_UNKNOWN;
	ti = hold_table(fc, proc, pid);
	if (ti < 0)
		return MOUNT_DEV_UNKNOWN;	/* gone */
	/* read what the held descriptor's process sees */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fc->t[ti].w.fd);
	if (mounts_parse_file(&t, path))
		return MOUNT_DEV_UNKNOWN;	/* gone, or out of memory */
	c = mounts_dev_class(&t, major, minor);
	mounts_free(&t);
	if (c != MOUNT_DEV_UNKNOWN)
		remember(fc, ti, major, minor, c);
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
