/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mounts.h -- mount tables read with libmount, and the file systems never read
 *
 * Contract:
 *  - A mount table is the whole of one mountinfo file (/proc/PID/mountinfo
 *    or a fixture), however long: libmount reads it line by line with no
 *    size limit, so a mount listed after a million bytes of other mounts
 *    is found like the first one. Lines libmount cannot parse are skipped
 *    and counted, never guessed at.
 *  - Each entry keeps the device, file system type, mount point and root
 *    (unescaped: "\040" is a space), and for overlay mounts the upperdir,
 *    lowerdir and workdir of the superblock options, the lowerdir also
 *    split into its layers. Those come from libmount's unescaped option
 *    string: a ',' or '"' inside a layer path (the kernel writes "\054";
 *    no runtime makes such paths) reads as option syntax and cuts the
 *    value.
 *  - Lookups by device: every mount, or the overlay mounts only (where a
 *    container's root lives). A device the table does not list is
 *    MOUNT_DEV_UNKNOWN, distinct from a readable one.
 *  - One list, built from <linux/magic.h>, of the file systems that are
 *    never read (network and user-space file systems, whose server may
 *    never answer): by type name as mountinfo spells it, and by the
 *    magic number statfs(2) gives.
 *  - No global state: a table belongs to its caller (one per thread); it
 *    keeps the libmount table it was read into, whose strings it lends
 *    (no copy of every line), until mounts_free().
 */
#ifndef DROPEXEC_MOUNTS_H
#define DROPEXEC_MOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

struct libmnt_table;

/* One line of mountinfo. Strings belong to the table (and stay valid
 * until mounts_free()); the overlay fields are NULL for any other type,
 * and when the option is absent. */
struct mount_entry {
	unsigned int major, minor;
	const char *fstype;	/* "ext4", "overlay", "fuse.sshfs", ... */
	const char *mountpoint;
	const char *root;	/* the directory of the file system mounted */
	const char *upperdir;
	const char *lowerdir;	/* as the option says: "a:b", "\" escapes */
	const char *workdir;
	char **lowers;		/* lowerdir split into layers, top first */
	size_t nlowers;
	bool never_read;	/* mount_type_never_read(fstype) */
};

/* An overlay mount, as attribution uses it: where a container's root is
 * mounted. MOUNTPOINT and MOUNT point into the table. */
struct overlay_mount {
	unsigned int major, minor;
	const char *mountpoint;
	const struct mount_entry *mount;
};

struct mount_table {
	struct mount_entry *e;		/* every mount, in file order */
	size_t count;
	struct overlay_mount *overlays;	/* the overlay mounts only */
	size_t overlay_count;
	size_t skipped;			/* lines libmount refused */
	struct libmnt_table *lm;	/* holds the strings of E */
};

/* What may be done with a file on a device. */
enum mount_dev_class {
	MOUNT_DEV_UNKNOWN = -1,		/* not in the table */
	MOUNT_DEV_READABLE = 0,		/* a local file system */
	MOUNT_DEV_NEVER_READ = 1,	/* network or user-space: never touch */
	MOUNT_DEV_PSEUDO = 2,		/* proc, sysfs, cgroup...: no drop */
};

/*
 * Read the mountinfo file PATH into T (which is overwritten, not freed).
 * Returns 0, or -errno when the file cannot be opened or read (then T is
 * empty).
 */
int mounts_parse_file(struct mount_table *t, const char *path);

/* The same from LEN bytes of mountinfo TEXT (tests, fuzzing). */
int mounts_parse_text(struct mount_table *t, const char *text, size_t len);

/* Free what T holds and leave it empty; T itself is the caller's. */
void mounts_free(struct mount_table *t);

/* The first mount of device MAJOR:MINOR, or NULL. */
const struct mount_entry *mounts_find(const struct mount_table *t,
				      unsigned int major, unsigned int minor);

/* The first overlay mount of device MAJOR:MINOR, or NULL. */
const struct overlay_mount *mounts_find_overlay(const struct mount_table *t,
						unsigned int major,
						unsigned int minor);

/*
 * May files on device MAJOR:MINOR be read? A device mounted several times
 * (bind mounts) is never read when any of its mounts says so.
 */
enum mount_dev_class mounts_dev_class(const struct mount_table *t,
				      unsigned int major, unsigned int minor);

/*
 * A mountinfo file held open to learn when its mounts change. The kernel
 * tells a change of a real /proc/PID/mountinfo (a mount, an umount, a
 * propagation into that namespace) by poll() on the descriptor:
 * POLLPRI|POLLERR, once per change. A plain file (a test's fixture)
 * counts as changed when its size or mtime do (rewritten in place; not
 * its ctime or its name: an unlink, the process of a /proc/PID file
 * exiting, changes no mount). Whatever cannot be
 * asked counts as a change. Open the watch before reading the table: a
 * change while it is read then shows at the next question.
 */
struct mount_watch {
	int fd;			/* -1: nothing held */
	bool on_proc;		/* procfs': poll() alone tells */
	struct stat st;		/* when opened (a plain file's change) */
};

/* W holds nothing. */
void mount_watch_init(struct mount_watch *w);
/* Hold PATH in W (W must hold nothing); 0, or -errno. */
int mount_watch_open(struct mount_watch *w, const char *path);
/* Has W's table changed since it was opened (or the last true answer)?
 * True when W holds nothing. */
bool mount_watch_changed(const struct mount_watch *w);
/* Let go of what W holds. */
void mount_watch_close(struct mount_watch *w);

/*
 * Is FSTYPE, a type as mountinfo spells it ("nfs4", "fuse.sshfs"), a file
 * system that is never read? The one answer used everywhere.
 */
bool mount_type_never_read(const char *fstype);
/* Is FSTYPE a kernel file system where no file of a process's choosing
 * is created (proc, sysfs, cgroup, ...)? */
bool mount_type_pseudo(const char *fstype);

/* The same for the f_type of statfs(2) (FUSE_SUPER_MAGIC, ...). */
bool mount_magic_never_read(unsigned long f_type);

/* The never-read list itself (tests and documentation read it): one row
 * per file system, with the type names mountinfo uses for it (NULL-ended;
 * "x.*" stands for any subtype "x.y") and its magic numbers (0-ended). */
struct never_read_fs {
	const char *what;
	const char *names[7];
	unsigned long magics[3];
};

extern const struct never_read_fs mount_never_read_list[];
extern const size_t mount_never_read_count;

#endif
