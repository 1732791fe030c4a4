/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mounts.c -- mount tables read with libmount, and the file systems never read */
#include "scope/mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <libmount.h>

/*
 * Magic numbers of never-read file systems that <linux/magic.h> does not
 * export; the values are those of the kernel's own sources.
 */
#define GFS2_SUPER_MAGIC	0x01161970UL	/* fs/gfs2: GFS2_MAGIC */
#define ORANGEFS_SUPER_MAGIC	0x20030528UL	/* fs/orangefs */
#define LUSTRE_SUPER_MAGIC	0x0BD00BD0UL	/* lustre: LL_SUPER_MAGIC */

/*
 * Network and user-space file systems: a stat, an open or a read of a file
 * on one of these can wait for a server, or for a daemon that a container
 * runs, for as long as it likes. Mountinfo names (and subtypes: "fuse.*")
 * and statfs magic numbers of each.
 */
const struct never_read_fs mount_never_read_list[] = {
	{ "FUSE (sshfs, rclone, fuse-overlayfs, GlusterFS, ntfs-3g...)",
	  { "fuse", "fuse.*", "fuseblk", "fuseblk.*", "glusterfs", NULL },
	  { FUSE_SUPER_MAGIC, 0 } },
	{ "virtiofs (a FUSE server on the hypervisor)",
	  { "virtiofs", NULL }, { FUSE_SUPER_MAGIC, 0 } },
	{ "NFS", { "nfs", "nfs4", NULL }, { NFS_SUPER_MAGIC, 0 } },
	{ "SMB/CIFS", { "cifs", "smb3", NULL },
	  { CIFS_SUPER_MAGIC, SMB2_SUPER_MAGIC, 0 } },
	{ "SMB (smbfs, before Linux 2.6.37)", { "smbfs", NULL },
	  { SMB_SUPER_MAGIC, 0 } },
	{ "Ceph", { "ceph", NULL }, { CEPH_SUPER_MAGIC, 0 } },
	{ "9p (Plan 9, virtio and WSL shares)", { "9p", NULL },
	  { V9FS_MAGIC, 0 } },
	{ "AFS (kAFS and OpenAFS)", { "afs", NULL },
	  { AFS_FS_MAGIC, AFS_SUPER_MAGIC, 0 } },
	{ "Coda", { "coda", NULL }, { CODA_SUPER_MAGIC, 0 } },
	{ "NCP (NetWare)", { "ncpfs", "ncp", NULL }, { NCP_SUPER_MAGIC, 0 } },
	{ "OCFS2 (cluster locks over the network)", { "ocfs2", NULL },
	  { OCFS2_SUPER_MAGIC, 0 } },
	{ "GFS2 (cluster locks over the network)", { "gfs2", NULL },
	  { GFS2_SUPER_MAGIC, 0 } },
	{ "OrangeFS", { "pvfs2", "orangefs", NULL },
	  { ORANGEFS_SUPER_MAGIC, 0 } },
	{ "Lustre", { "lustre", NULL }, { LUSTRE_SUPER_MAGIC, 0 } },
};

const size_t mount_never_read_count =
	sizeof(mount_never_read_list) / sizeof(mount_never_read_list[0]);

/* Does type T match NAME of the list ("x.*": "x." and any subtype)? */
static bool type_matches(const char *t, const char *name)
{
	size_t len = strlen(name);

	if (len >= 2 && !strcmp(name + len - 2, ".*"))
		return !strncmp(t, name, len - 1);
	return !strcmp(t, name);
}

bool mount_type_never_read(const char *fstype)
{
	size_t i, j;

	if (!fstype)
		return false;
	for (i = 0; i < mount_never_read_count; i++)
		for (j = 0; mount_never_read_list[i].names[j]; j++)
			if (type_matches(fstype,
					 mount_never_read_list[i].names[j]))
				return true;
	return false;
}

bool mount_magic_never_read(unsigned long f_type)
{
	size_t i, j;

	for (i = 0; i < mount_never_read_count; i++)
		for (j = 0; mount_never_read_list[i].magics[j]; j++)
			if (mount_never_read_list[i].magics[j] == f_type)
				return true;
	return false;
}

/*
 * Kernel file systems on which no process creates a regular file of its
 * choosing: what a write there changes is the kernel's state (a container
 * runtime's setup writes /proc/sys, cgroup limits, ...), never a drop.
 */
static const char *const pseudo_types[] = {
	"proc", "sysfs", "cgroup", "cgroup2", "securityfs", "debugfs",
	"tracefs", "bpf", "configfs", "pstore", "efivarfs", "selinuxfs",
	"fusectl", "binfmt_misc", "nsfs", "devpts", "mqueue",
};

bool mount_type_pseudo(const char *fstype)
{
	size_t i;

	if (!fstype)
		return false;
	for (i = 0; i < sizeof(pseudo_types) / sizeof(pseudo_types[0]); i++)
		if (!strcmp(fstype, pseudo_types[i]))
			return true;
	return false;
}

/* --- the table ------------------------------------------------------------ */

static void entry_free(struct mount_entry *e)
{
	size_t i;

	/* Only an overlay's own options are copies: the rest is libmount's. */
	free((char *)e->upperdir);
	free((char *)e->lowerdir);
	free((char *)e->workdir);
	for (i = 0; i < e->nlowers; i++)
		free(e->lowers[i]);
	free(e->lowers);
}

void mounts_free(struct mount_table *t)
{
	size_t i;

	for (i = 0; i < t->count; i++)
		entry_free(&t->e[i]);
	free(t->e);
	free(t->overlays);
	mnt_unref_table(t->lm);
	memset(t, 0, sizeof(*t));
}

/*
 * Split an overlay lowerdir option into its layers, as the kernel does: an
 * unescaped ':' separates two layers ("::" the data-only ones), '\' makes
 * the next character plain. Returns the layers (NULL-ended) or NULL.
 */
static char **split_layers(const char *s, size_t *n)
{
	size_t len = strlen(s), max = 1, k = 0, i;
	char **v, *cur;

	*n = 0;
	for (i = 0; i < len; i++)
		if (s[i] == ':')
			max++;
	v = calloc(max + 1, sizeof(*v));
	cur = malloc(len + 1);
	if (!v || !cur)
		goto fail;
	for (i = 0; i <= len; i++) {
		if (s[i] == '\\' && i + 1 < len) {
			cur[k++] = s[++i];
			continue;
		}
		if (s[i] == '\\')
			continue;		/* a final '\' escapes nothing */
		if (s[i] != ':' && s[i] != '\0') {
			cur[k++] = s[i];
			continue;
		}
		if (!k)
			continue;		/* "::" or an empty option */
		v[*n] = strndup(cur, k);
		if (!v[*n])
			goto fail;
		(*n)++;
		k = 0;
	}
	free(cur);
	return v;
fail:
	for (i = 0; v && i < *n; i++)
		free(v[i]);
	free(v);
	free(cur);
	*n = 0;
	return NULL;
}

/*
 * Copy superblock option NAME of OPTS into *OUT (NULL when absent).
 * Returns 0 or -ENOMEM.
 */
static int copy_option(const char *opts, const char *name, const char **out)
{
	char *value = NULL;
	size_t len = 0;

	*out = NULL;
	if (!opts || mnt_optstr_get_option(opts, name, &value, &len) != 0)
		return 0;
	*out = value ? strndup(value, len) : strdup("");
	return *out ? 0 : -ENOMEM;
}

/* Fill E from libmount's FS. Returns 0, 1 (not usable: skip) or -ENOMEM. */
static int entry_from_fs(struct mount_entry *e, struct libmnt_fs *fs)
{
	const char *opts;
	dev_t dev = mnt_fs_get_devno(fs);
	int err = 0;

	memset(e, 0, sizeof(*e));
	e->fstype = mnt_fs_get_fstype(fs);
	e->mountpoint = mnt_fs_get_target(fs);
	e->root = mnt_fs_get_root(fs);
	if (!e->fstype || !e->mountpoint || !e->root)
		return 1;
	e->major = major(dev);
	e->minor = minor(dev);
	e->never_read = mount_type_never_read(e->fstype);
	if (strcmp(e->fstype, "overlay"))
		return 0;
	opts = mnt_fs_get_fs_options(fs);
	err = copy_option(opts, "upperdir", &e->upperdir);
	if (!err)
		err = copy_option(opts, "lowerdir", &e->lowerdir);
	if (!err)
		err = copy_option(opts, "workdir", &e->workdir);
	if (!err && e->lowerdir) {
		e->lowers = split_layers(e->lowerdir, &e->nlowers);
		if (!e->lowers)
			err = -ENOMEM;
	}
	if (err)
		entry_free(e);
	return err;
}

/* libmount's parser calls this for each line it refuses: skip the line. */
static int note_skipped(struct libmnt_table *tb, const char *filename,
			int line)
{
	struct mount_table *t = mnt_table_get_userdata(tb);

	(void)filename;
	(void)line;
	if (t)
		t->skipped++;
	return 1;
}

/*
 * libmount decides the format of a file from its first line: position F
 * at the first line that reads as mountinfo ("ID PARENT ..."), so that a
 * text starting with anything else is not taken for an fstab. The
 * kernel's files start there already. Returns 0, 1 (no such line) or
 * -errno.
 */
static int seek_first_mountinfo_line(FILE *f, size_t *skipped)
{
	unsigned int id, parent;
	char *line = NULL;
	size_t cap = 0;
	off_t at;
	int rc;

	for (;;) {
		at = ftello(f);
		errno = 0;
		if (getline(&line, &cap, f) < 0) {
			rc = !ferror(f) ? 1 : errno ? -errno : -EIO;
			break;
		}
		if (sscanf(line, "%u %u", &id, &parent) == 2) {
			rc = fseeko(f, at, SEEK_SET) ? -errno : 0;
			break;
		}
		if (line[strspn(line, " \t\r\n")])
			(*skipped)++;
	}
	free(line);
	return rc;
}

/* Read the stream F (NAME for libmount's messages) into T. */
static int parse_stream(struct mount_table *t, FILE *f, const char *name)
{
	struct libmnt_table *tb = NULL;
	struct libmnt_iter *it = NULL;
	struct libmnt_fs *fs;
	size_t n, i;
	int rc;

	memset(t, 0, sizeof(*t));
	rc = seek_first_mountinfo_line(f, &t->skipped);
	if (rc)
		return rc > 0 ? 0 : rc;
	tb = t->lm = mnt_new_table();
	it = mnt_new_iter(MNT_ITER_FORWARD);
	if (!tb || !it) {
		rc = -ENOMEM;
		goto out;
	}
	mnt_table_set_userdata(tb, t);
	mnt_table_set_parser_errcb(tb, note_skipped);
	rc = mnt_table_parse_stream(tb, f, name);
	if (!rc && ferror(f))
		rc = -EIO;
	if (rc)
		goto out;
	n = (size_t)mnt_table_get_nents(tb);
	t->e = calloc(n ? n : 1, sizeof(*t->e));
	if (!t->e) {
		rc = -ENOMEM;
		goto out;
	}
	while (mnt_table_next_fs(tb, it, &fs) == 0 && t->count < n) {
		rc = entry_from_fs(&t->e[t->count], fs);
		if (rc < 0)
			goto out;
		if (rc > 0)
			t->skipped++;
		else
			t->count++;
	}
	rc = 0;
	for (i = 0; i < t->count; i++)
		if (!strcmp(t->e[i].fstype, "overlay"))
			t->overlay_count++;
	t->overlays = calloc(t->overlay_count ? t->overlay_count : 1,
			     sizeof(*t->overlays));
	if (!t->overlays) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0, n = 0; i < t->count; i++) {
		if (strcmp(t->e[i].fstype, "overlay"))
			continue;
		t->overlays[n].major = t->e[i].major;
		t->overlays[n].minor = t->e[i].minor;
		t->overlays[n].mountpoint = t->e[i].mountpoint;
		t->overlays[n].mount = &t->e[i];
		n++;
	}
out:
	mnt_free_iter(it);
	if (rc)
		mounts_free(t);
	return rc;
}

int mounts_parse_file(struct mount_table *t, const char *path)
{
	FILE *f;
	int rc;

	memset(t, 0, sizeof(*t));
	f = fopen(path, "re");
	if (!f)
		return -errno;
	rc = parse_stream(t, f, path);
	fclose(f);
	return rc;
}

int mounts_parse_text(struct mount_table *t, const char *text, size_t len)
{
	FILE *f;
	int rc;

	memset(t, 0, sizeof(*t));
	if (!len)
		return 0;
	/* "r" never writes: the cast only satisfies fmemopen's prototype */
	f = fmemopen((void *)text, len, "r");
	if (!f)
		return -errno;
	rc = parse_stream(t, f, "mountinfo text");
	fclose(f);
	return rc;
}

const struct mount_entry *mounts_find(const struct mount_table *t,
				      unsigned int major, unsigned int minor)
{
	size_t i;

	for (i = 0; i < t->count; i++)
		if (t->e[i].major == major && t->e[i].minor == minor)
			return &t->e[i];
	return NULL;
}

const struct overlay_mount *mounts_find_overlay(const struct mount_table *t,
						unsigned int major,
						unsigned int minor)
{
	size_t i;

	for (i = 0; i < t->overlay_count; i++)
		if (t->overlays[i].major == major &&
		    t->overlays[i].minor == minor)
			return &t->overlays[i];
	return NULL;
}

enum mount_dev_class mounts_dev_class(const struct mount_table *t,
				      unsigned int major, unsigned int minor)
{
	enum mount_dev_class c = MOUNT_DEV_UNKNOWN;
	size_t i;

	for (i = 0; i < t->count; i++) {
		if (t->e[i].major != major || t->e[i].minor != minor)
			continue;
		if (t->e[i].never_read)
			return MOUNT_DEV_NEVER_READ;
		if (c == MOUNT_DEV_UNKNOWN && mount_type_pseudo(t->e[i].fstype))
			c = MOUNT_DEV_PSEUDO;
		else
			c = MOUNT_DEV_READABLE;
	}
	return c;
}

void mount_watch_init(struct mount_watch *w)
{
	memset(w, 0, sizeof(*w));
	w->fd = -1;
}

int mount_watch_open(struct mount_watch *w, const char *path)
{
	struct statfs sfs;
	int err;

	mount_watch_init(w);
	w->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (w->fd < 0)
		return -errno;
	if (fstat(w->fd, &w->st)) {
		err = -errno;
		mount_watch_close(w);
		return err;
	}
	w->on_proc = fstatfs(w->fd, &sfs) == 0 &&
		     sfs.f_type == PROC_SUPER_MAGIC;
	return 0;
}

bool mount_watch_changed(const struct mount_watch *w)
{
	struct pollfd p = { .fd = w->fd, .events = POLLPRI };
	struct stat st;

	if (w->fd < 0 || poll(&p, 1, 0) < 0 ||
	    (p.revents & (POLLPRI | POLLERR | POLLNVAL)))
		return true;
	if (w->on_proc)
		return false;
	if (fstat(w->fd, &st))
		return true;
	return S_ISREG(st.st_mode) &&
	       (st.st_ino != w->st.st_ino || st.st_dev != w->st.st_dev ||
		st.st_size != w->st.st_size ||
		st.st_mtim.tv_sec != w->st.st_mtim.tv_sec ||
		st.st_mtim.tv_nsec != w->st.st_mtim.tv_nsec);
}

void mount_watch_close(struct mount_watch *w)
{
	if (w->fd >= 0)
		close(w->fd);
	mount_watch_init(w);
}
