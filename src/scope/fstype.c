/* fstype.c -- which devices hold file systems that must never be read */
#include "scope/fstype.h"
#include "util/readfile.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MOUNTINFO_MAX	(1024 * 1024)

void fstype_cache_init(struct fstype_cache *fc)
{
	memset(fc, 0, sizeof(*fc));
}

bool fstype_is_remote(const char *t)
{
	static const char *remote[] = {
		"fuse", "fuseblk", "nfs", "nfs4", "cifs", "smb3", "smbfs",
		"9p", "ceph", "glusterfs", "afs", "ncpfs", "virtiofs",
	};
	size_t i;

	if (!strncmp(t, "fuse.", 5))
		return true;
	for (i = 0; i < sizeof(remote) / sizeof(remote[0]); i++)
		if (!strcmp(t, remote[i]))
			return true;
	return false;
}

int fstype_lookup_text(const char *text, unsigned int major,
		       unsigned int minor)
{
	const char *line = text;
	int found = -1;

	while (line && *line) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		char *copy = strndup(line, len), *sep;
		unsigned int ma, mi;
		char type[64];

		line = eol ? eol + 1 : NULL;
		if (!copy)
			break;
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT ... - FSTYPE SOURCE ... */
		sep = strstr(copy, " - ");
		if (sep && sscanf(copy, "%*s %*s %u:%u", &ma, &mi) == 2 &&
		    ma == major && mi == minor &&
		    sscanf(sep + 3, "%63s", type) == 1) {
			found = fstype_is_remote(type) ? 1 : 0;
			if (found == 1) {
				free(copy);
				break;
			}
		}
		free(copy);
	}
	return found;
}

static char *read_mountinfo(const char *proc, pid_t pid)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%d/mountinfo", proc, (int)pid);
	return read_file_bounded(path, MOUNTINFO_MAX, NULL);
}

bool fstype_dev_is_remote(struct fstype_cache *fc, const char *proc,
			  pid_t pid, unsigned int major, unsigned int minor)
{
	char *text;
	size_t i;
	int r;

	for (i = 0; i < fc->count; i++)
		if (fc->e[i].major == major && fc->e[i].minor == minor)
			return fc->e[i].remote;
	text = read_mountinfo(proc, pid);
	if (!text)
		return false;
	r = fstype_lookup_text(text, major, minor);
	free(text);
	if (r < 0)
		return false;	/* not a mount of its: ask again next time */
	fc->e[fc->next].major = major;
	fc->e[fc->next].minor = minor;
	fc->e[fc->next].remote = r == 1;
	fc->next = (fc->next + 1) % FSTYPE_CACHE_SIZE;
	if (fc->count < FSTYPE_CACHE_SIZE)
		fc->count++;
	return r == 1;
}
