/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_mountinfo.c -- libFuzzer target: /proc/PID/mountinfo text (a
 * container with CAP_SYS_ADMIN chooses its mount points, and so what a
 * line holds) to the mount table (libmount), the runtime guessed from a
 * mount point, and the class of a device (readable, never read, kernel
 * file system).
 *
 * Everything that names the parser is in mountinfo_one() below: moving
 * to another mountinfo parser means rewriting that function only. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scope/mounts.h"
#include "scope/scope.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A device the seeds use (the podman overlay root of the fixtures). */
#define SEED_MAJOR	0
#define SEED_MINOR	40

/* --- the parser under test ----------------------------------------------- */
/* Every entry is found again by its device; the class of a device is one
 * of the three; overlay fields are strings or NULL; a runtime guessed
 * from a mount point is a terminated string. */
static void mountinfo_one(const char *text, size_t len)
{
	struct mount_table t;
	size_t i, j;

	if (mounts_parse_text(&t, text, len))
		return;
	for (i = 0; i < t.count; i++) {
		const struct mount_entry *e = &t.e[i];
		enum mount_dev_class cls;

		if (!mounts_find(&t, e->major, e->minor))
			abort();
		cls = mounts_dev_class(&t, e->major, e->minor);
		if (cls != MOUNT_DEV_READABLE && cls != MOUNT_DEV_NEVER_READ &&
		    cls != MOUNT_DEV_PSEUDO)
			abort();
		if (cls == MOUNT_DEV_PSEUDO && !mount_type_pseudo(e->fstype))
			abort();
		if (e->never_read != mount_type_never_read(e->fstype))
			abort();
		for (j = 0; j < e->nlowers; j++)
			if (!e->lowers[j])
				abort();
		(void)strlen(e->mountpoint);
	}
	for (i = 0; i < t.overlay_count; i++) {
		const struct overlay_mount *m = &t.overlays[i];
		const struct overlay_mount *found;
		struct container_ref ref;

		found = mounts_find_overlay(&t, m->major, m->minor);
		if (!found || found->major != m->major ||
		    found->minor != m->minor)
			abort();
		memset(&ref, 0, sizeof(ref));
		mountpoint_container(m->mountpoint, &ref);
		if (!memchr(ref.id, '\0', sizeof(ref.id)) ||
		    !memchr(ref.runtime, '\0', sizeof(ref.runtime)))
			abort();
	}
	(void)mounts_dev_class(&t, SEED_MAJOR, SEED_MINOR);
	mounts_free(&t);
}
/* ------------------------------------------------------------------------- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	mountinfo_one(text, size);
	free(text);
	return 0;
}
