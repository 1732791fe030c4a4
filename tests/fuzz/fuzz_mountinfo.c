/* fuzz_mountinfo.c -- libFuzzer target: /proc/PID/mountinfo text (a
 * container with CAP_SYS_ADMIN chooses its mount points, and so what a
 * line holds) to the overlay mount table, the runtime guessed from a
 * mount point, and the remote file system lookup by device.
 *
 * Everything that names the parser is in mountinfo_one() below: moving
 * to another mountinfo parser means rewriting that function only. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scope/fstype.h"
#include "scope/scope.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A device the seeds use (the podman overlay root of the fixtures). */
#define SEED_MAJOR	0
#define SEED_MINOR	40

/* Device numbers as the parser gave them must find their own entry;
 * fstype_lookup_text() answers 1, 0 or -1 and nothing else. */
static void lookup_remote(const char *text, unsigned int major,
			  unsigned int minor)
{
	int r = fstype_lookup_text(text, major, minor);

	if (r < -1 || r > 1)
		abort();
}

/* --- the parser under test ----------------------------------------------- */
static void mountinfo_one(const char *text)
{
	struct mount_table t;
	size_t i;

	if (mount_table_parse(&t, text))
		return;
	for (i = 0; i < t.count; i++) {
		const struct overlay_mount *m = &t.m[i];
		const struct overlay_mount *found;
		struct container_ref ref;

		found = mount_table_find(&t, m->major, m->minor);
		if (!found || found->major != m->major ||
		    found->minor != m->minor)
			abort();
		memset(&ref, 0, sizeof(ref));
		mountpoint_container(m->mountpoint, &ref);
		if (!memchr(ref.id, '\0', sizeof(ref.id)) ||
		    !memchr(ref.runtime, '\0', sizeof(ref.runtime)))
			abort();
		lookup_remote(text, m->major, m->minor);
	}
	mount_table_free(&t);
	lookup_remote(text, SEED_MAJOR, SEED_MINOR);
}
/* ------------------------------------------------------------------------- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	mountinfo_one(text);
	free(text);
	return 0;
}
