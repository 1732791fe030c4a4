/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_mounts.c -- mount tables (libmount) and file systems never read */
#include "testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/magic.h>

#include "util/settings.h"
#include "scope/fstype.h"
#include "scope/mounts.h"
#include "scope/scope.h"
#include "check/inspector.h"
#include "util/stats.h"
#include "util/timeutil.h"

/*
 * tests/fixtures/mountinfo-container: /proc/PID/mountinfo as a process in
 * a podman container sees it (overlay root 0:40), with, mounted into the
 * container: fuse.sshfs at /mnt/s 0:55, nfs4 at /mnt/n 0:60, cifs at
 * "/mnt/my share" 0:61, xfs at "/mnt/plain dir" 0:62, fuseblk 8:17, 9p
 * 0:63, virtiofs 0:64, btrfs 0:65, ceph 0:66, tmpfs at "/mnt/weird - name"
 * 0:67 and one nfs device 0:68 mounted twice.
 */
#define MOUNTINFO_CONTAINER	FIXTURE_DIR "/mountinfo-container"
#define MOUNTINFO_HOST		FIXTURE_DIR "/mountinfo"

/* --- mount_type_never_read --------------------------------------------- */

static const struct {
	const char *type;
	bool remote;
} types[] = {
	{ "fuse", true },
	{ "fuse.sshfs", true },
	{ "fuse.rclone", true },
	{ "fuse.overlay", true },	/* fuse-overlayfs: a FUSE daemon */
	{ "fuseblk", true },
	{ "nfs", true },
	{ "nfs4", true },
	{ "cifs", true },
	{ "smb3", true },
	{ "smbfs", true },
	{ "9p", true },
	{ "ceph", true },
	{ "virtiofs", true },
	{ "glusterfs", true },
	{ "ext4", false },
	{ "overlay", false },
	{ "tmpfs", false },
	{ "xfs", false },
	{ "btrfs", false },
	{ "proc", false },
	{ "devtmpfs", false },
	{ "", false },
	{ "fus", false },		/* prefixes of remote names are not */
	{ "nfsd", false },		/* the nfsd control fs is local */
	{ "fuseX", false },
	{ "NFS", false },		/* mountinfo spells types in lower case */
};

START_TEST(test_is_remote)
{
	ck_assert_msg(mount_type_never_read(types[_i].type) == types[_i].remote,
		      "mount_type_never_read(\"%s\") should be %s",
		      types[_i].type,
		      types[_i].remote ? "true" : "false");
}
END_TEST

/* --- mounts_dev_class on mountinfo text ------------------------------------ */

/* The class of device MAJOR:MINOR in mountinfo TEXT: 1 never read, 0
 * readable, -1 not listed. */
static int fstype_lookup_text(const char *text, unsigned int major,
			      unsigned int minor)
{
	struct mount_table t;
	int c;

	ck_assert_int_eq(mounts_parse_text(&t, text, strlen(text)), 0);
	c = mounts_dev_class(&t, major, minor);
	mounts_free(&t);
	return c;
}

static const struct {
	unsigned int major, minor;
	int expect;
	const char *what;
} devices[] = {
	{ 0, 40, 0, "overlay root" },
	{ 0, 50, 2, "proc: a kernel file system, no drop" },
	{ 0, 52, 0, "tmpfs /dev/shm" },
	{ 254, 0, 0, "ext4 bind mounts" },
	{ 0, 55, 1, "fuse.sshfs /mnt/s" },
	{ 0, 60, 1, "nfs4 /mnt/n" },
	{ 0, 61, 1, "cifs at a mount point with \\040" },
	{ 0, 62, 0, "xfs at a mount point with \\040" },
	{ 8, 17, 1, "fuseblk" },
	{ 0, 63, 1, "9p" },
	{ 0, 64, 1, "virtiofs" },
	{ 0, 65, 0, "btrfs" },
	{ 0, 66, 1, "ceph" },
	{ 0, 67, 0, "tmpfs at \"weird\\040-\\040name\"" },
	{ 0, 68, 1, "nfs mounted twice" },
	{ 0, 99, -1, "a device that is not mounted" },
	{ 55, 0, -1, "major and minor swapped" },
	{ 0, 5, -1, "a prefix of 0:55" },
	{ 0, 555, -1, "0:55 with a digit more" },
};

START_TEST(test_lookup_container_mountinfo)
{
	char *text = test_read_file(MOUNTINFO_CONTAINER, NULL);

	ck_assert_msg(fstype_lookup_text(text, devices[_i].major,
					 devices[_i].minor) ==
		      devices[_i].expect, "%u:%u (%s) should give %d",
		      devices[_i].major, devices[_i].minor, devices[_i].what,
		      devices[_i].expect);
	free(text);
}
END_TEST

START_TEST(test_lookup_host_mountinfo)
{
	char *text = test_read_file(MOUNTINFO_HOST, NULL);

	ck_assert_int_eq(fstype_lookup_text(text, 254, 0), 0);	/* ext4 */
	ck_assert_int_eq(fstype_lookup_text(text, 0, 40), 0);	/* overlay */
	ck_assert_int_eq(fstype_lookup_text(text, 0, 47), 0);	/* \040 */
	ck_assert_int_eq(fstype_lookup_text(text, 0, 48), 1);	/* fuse.overlay */
	ck_assert_int_eq(fstype_lookup_text(text, 0, 49), 1);	/* nfs4 */
	ck_assert_int_eq(fstype_lookup_text(text, 0, 23), 0);	/* tmpfs */
	ck_assert_int_eq(fstype_lookup_text(text, 9, 9), -1);
	free(text);
}
END_TEST

/* A device listed as local and as remote (bind mounts of one device
 * under two types cannot happen, but a hostile text can say so): remote
 * wins, whatever the order. */
START_TEST(test_lookup_remote_wins)
{
	static const char local_first[] =
		"1 0 0:70 / /a rw - ext4 /dev/x rw\n"
		"2 0 0:70 / /b rw - fuse.sshfs u@h:/ rw\n";
	static const char remote_first[] =
		"2 0 0:70 / /b rw - fuse.sshfs u@h:/ rw\n"
		"1 0 0:70 / /a rw - ext4 /dev/x rw\n";

	ck_assert_int_eq(fstype_lookup_text(local_first, 0, 70), 1);
	ck_assert_int_eq(fstype_lookup_text(remote_first, 0, 70), 1);
}
END_TEST

/* Text that is not mountinfo: never a crash, never a wrong "yes". */
START_TEST(test_lookup_garbage)
{
	static const char *const texts[] = {
		"",
		"\n\n\n",
		"garbage\n",
		"1 0 0:70\n",				/* no separator */
		"1 0 0:70 / /a rw -\n",			/* no type */
		"1 0 0:70 / /a rw - \n",
		"- fuse 0:70\n",
		"1 0 zz:70 / /a rw - fuse x rw\n",
		/* Cut after its type: the cut a bounded read of mountinfo
		 * made. libmount refuses a line without source and options,
		 * so the device is not listed (-1, not 1 as when the file
		 * was read in pieces); mountinfo is now read whole and ends
		 * in complete lines. */
		"1 0 0:70 / /a rw - fuse",
		"1 0 0:70 / /a rw - fuse x rw",		/* no newline */
		"1 0 0:70 / /a rw - "
		"fuseeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"
		"eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"
		" x rw\n",				/* a type longer than 63 */
	};
	static const int expect[] = { -1, -1, -1, -1, -1, -1, -1, -1, -1, 1,
				      0 };
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		ck_assert_msg(fstype_lookup_text(texts[i], 0, 70) == expect[i],
			      "text %zu: got %d, expected %d", i,
			      fstype_lookup_text(texts[i], 0, 70), expect[i]);
}
END_TEST

/* A long mountinfo (thousands of mounts, as on a busy Kubernetes node):
 * the device at its end is still found. */
START_TEST(test_lookup_long_text)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	unsigned int i;

	ck_assert_ptr_nonnull(f);
	for (i = 0; i < 5000; i++)
		fprintf(f, "%u 1 0:%u / /var/lib/kubelet/pods/%08u/volumes "
			"rw,relatime - tmpfs tmpfs rw,size=1024k\n", 100 + i,
			1000 + i, i);
	fprintf(f, "9999 1 0:999999 / /mnt/far rw - nfs4 srv:/x rw\n");
	fclose(f);
	ck_assert_int_eq(fstype_lookup_text(text, 0, 999999), 1);
	ck_assert_int_eq(fstype_lookup_text(text, 0, 5999), 0);
	ck_assert_int_eq(fstype_lookup_text(text, 0, 6000), -1);
	free(text);
}
END_TEST

/* --- fstype_dev_is_remote: the writer's mountinfo, cached ----------------- */

#define PID_FAKE	200

/* A fake procfs with PID_FAKE/mountinfo = the container fixture. */
static char *fake_proc(char **mountinfo_path)
{
	char *proc = test_mkdtemp(), *sub, *text;
	size_t len;

	ck_assert_int_ne(asprintf(&sub, "%s/%d", proc, PID_FAKE), -1);
	ck_assert_int_eq(mkdir(sub, 0755), 0);
	text = test_read_file(MOUNTINFO_CONTAINER, &len);
	*mountinfo_path = test_write_file(sub, "mountinfo", text, len, 0444);
	free(text);
	free(sub);
	return proc;
}

START_TEST(test_dev_is_remote_fake_proc)
{
	struct fstype_cache fc;
	char *mi, *proc = fake_proc(&mi);

	fstype_cache_init(&fc);
	ck_assert(fstype_dev_is_remote(&fc, proc, PID_FAKE, 0, 55));
	ck_assert(fstype_dev_is_remote(&fc, proc, PID_FAKE, 0, 60));
	ck_assert(fstype_dev_is_remote(&fc, proc, PID_FAKE, 0, 61));
	ck_assert(!fstype_dev_is_remote(&fc, proc, PID_FAKE, 0, 40));
	ck_assert(!fstype_dev_is_remote(&fc, proc, PID_FAKE, 254, 0));
	/* unknown device, unknown process: not remote (and no crash) */
	ck_assert(!fstype_dev_is_remote(&fc, proc, PID_FAKE, 0, 99));
	ck_assert(!fstype_dev_is_remote(&fc, proc, 201, 0, 64));
	ck_assert(!fstype_dev_is_remote(&fc, proc, -1, 0, 64));
	/* and once known, by its own process */
	ck_assert(fstype_dev_is_remote(&fc, proc, PID_FAKE, 0, 64));
	test_rmtree(proc);
	free(mi);
	free(proc);
}
END_TEST

/* The answer is remembered: once the process is gone (its mountinfo
 * with it), the device is still known to be remote, or local. */
START_TEST(test_dev_is_remote_cached)
{
	struct fstype_cache fc;
	char *mi, *proc = fake_proc(&mi);

	fstype_cache_init(&fc);
	ck_assert(fstype_dev_is_remote(&fc, proc, PID_FAKE, 0, 55));
	ck_assert(!fstype_dev_is_remote(&fc, proc, PID_FAKE, 0, 40));
	ck_assert_int_eq(unlink(mi), 0);
	ck_assert(fstype_dev_is_remote(&fc, proc, PID_FAKE, 0, 55));
	ck_assert(!fstype_dev_is_remote(&fc, proc, PID_FAKE, 0, 40));
	/* and for another pid of the same host: devices are host-wide */
	ck_assert(fstype_dev_is_remote(&fc, proc, 4711, 0, 55));
	/* never looked at before, now unreadable: unknown */
	ck_assert(!fstype_dev_is_remote(&fc, proc, PID_FAKE, 0, 60));
	test_rmtree(proc);
	free(mi);
	free(proc);
}
END_TEST

/* An unknown device is not cached as "local": asked again once the
 * mount shows up (a share mounted after the first look). */
START_TEST(test_dev_unknown_not_cached)
{
	static const char later[] =
		"1 0 0:40 / / rw - overlay overlay rw\n"
		"2 1 0:99 / /mnt/late rw - fuse.sshfs u@h:/ rw\n";
	struct fstype_cache fc;
	char *mi, *proc = fake_proc(&mi), *dir, *p2;

	fstype_cache_init(&fc);
	ck_assert(!fstype_dev_is_remote(&fc, proc, PID_FAKE, 0, 99));
	ck_assert_int_ne(asprintf(&dir, "%s/%d", proc, PID_FAKE), -1);
	ck_assert_int_eq(unlink(mi), 0);
	p2 = test_write_file(dir, "mountinfo", later, strlen(later), 0444);
	ck_assert(fstype_dev_is_remote(&fc, proc, PID_FAKE, 0, 99));
	test_rmtree(proc);
	free(p2);
	free(dir);
	free(mi);
	free(proc);
}
END_TEST

/* A device number given to a new mount (an anonymous 0:N, free again
 * once its overlay is gone: a rootless container's fuse-overlayfs root
 * on a gone podman overlay's number) is answered for by the new table,
 * not by what the old mount was; so the check reads that root through
 * its upper directory (check/pipeline.c: upper_view), never the FUSE
 * server. */
START_TEST(test_dev_number_reused)
{
	static const char fuse_now[] =
		"1 0 0:40 / / rw - fuse.fuse-overlayfs fuse-overlayfs rw\n";
	struct fstype_cache fc;
	char *mi, *proc = fake_proc(&mi);
	FILE *f;

	fstype_cache_init(&fc);
	ck_assert_int_eq(fstype_dev_class(&fc, proc, PID_FAKE, 0, 40),
			 MOUNT_DEV_READABLE);
	/* the same table, changed in place (as the kernel's is) */
	f = fopen(mi, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(fuse_now, f) < 0, 0);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(fstype_dev_class(&fc, proc, PID_FAKE, 0, 40),
			 MOUNT_DEV_NEVER_READ);
	/* the writer gone: the answer of the table it left */
	ck_assert_int_eq(fstype_dev_class(&fc, proc, 4711, 0, 40),
			 MOUNT_DEV_NEVER_READ);
	fstype_cache_free(&fc);
	test_rmtree(proc);
	free(mi);
	free(proc);
}
END_TEST

/* More devices than the cache holds: the oldest are forgotten, answers
 * stay right, nothing overflows. */
START_TEST(test_dev_cache_wraps)
{
	struct fstype_cache fc;
	char *proc = test_mkdtemp(), *dir, *text = NULL, *mi;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	unsigned int i;

	ck_assert_ptr_nonnull(f);
	for (i = 0; i < 3 * FSTYPE_CACHE_SIZE; i++)
		fprintf(f, "%u 1 0:%u / /m/%u rw - %s x rw\n", 10 + i, 100 + i,
			i, i % 2 ? "nfs" : "ext4");
	fclose(f);
	ck_assert_int_ne(asprintf(&dir, "%s/%d", proc, PID_FAKE), -1);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	mi = test_write_file(dir, "mountinfo", text, len, 0444);
	fstype_cache_init(&fc);
	for (i = 0; i < 3 * FSTYPE_CACHE_SIZE; i++)
		ck_assert(fstype_dev_is_remote(&fc, proc, PID_FAKE, 0,
					       100 + i) == (i % 2 == 1));
	ck_assert_uint_le(fc.count, FSTYPE_CACHE_SIZE);
	/* the most recent ones answer without the file */
	ck_assert_int_eq(unlink(mi), 0);
	ck_assert(fstype_dev_is_remote(&fc, proc, PID_FAKE, 0,
				       100 + 3 * FSTYPE_CACHE_SIZE - 1));
	test_rmtree(proc);
	free(mi);
	free(dir);
	free(text);
	free(proc);
}
END_TEST

/* The real procfs: this process's own root device is not remote unless
 * its mountinfo says so. */
START_TEST(test_dev_is_remote_real_proc)
{
	struct fstype_cache fc;
	struct stat st;
	char *text = test_read_file("/proc/self/mountinfo", NULL);
	int expect;

	ck_assert_int_eq(stat("/proc/self/mountinfo", &st), 0);
	ck_assert_int_eq(stat("/", &st), 0);
	expect = fstype_lookup_text(text, major(st.st_dev), minor(st.st_dev));
	fstype_cache_init(&fc);
	ck_assert(fstype_dev_is_remote(&fc, "/proc", getpid(),
				       major(st.st_dev), minor(st.st_dev)) ==
		  (expect == 1));
	free(text);
}
END_TEST

/* --- the inspector never resolves a name on a remote device ----------------- */

/*
 * A fake procfs: PID_FAKE's root is a directory holding an ELF at
 * /tmp/drop, and its mountinfo says the device of that directory is
 * TYPE. The candidate is the write of /tmp/drop.
 */
static enum check_outcome check_on_fstype(const char *type)
{
	struct inspector in;
	struct config cfg;
	struct stats st;
	struct candidate *c;
	struct stat fst;
	enum check_outcome out;
	char *base = test_mkdtemp(), *pdir, *root, *tmp, *file, *mi, *text;
	unsigned char elf[4096];
	int fd;

	ck_assert_int_ne(asprintf(&pdir, "%s/%d", base, PID_FAKE), -1);
	ck_assert_int_ne(asprintf(&root, "%s/root", base), -1);
	ck_assert_int_ne(asprintf(&tmp, "%s/root/tmp", base), -1);
	ck_assert_int_eq(mkdir(pdir, 0755), 0);
	ck_assert_int_eq(mkdir(root, 0755), 0);
	ck_assert_int_eq(mkdir(tmp, 0755), 0);
	ck_assert_int_ne(asprintf(&file, "%s/root", pdir), -1);
	ck_assert_int_eq(symlink(root, file), 0);
	free(file);
	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(read(fd, elf, sizeof(elf)), (ssize_t)sizeof(elf));
	close(fd);
	file = test_write_file(tmp, "drop", elf, sizeof(elf), 0755);
	ck_assert_int_eq(stat(file, &fst), 0);
	ck_assert_int_ne(asprintf(&text,
		"1 0 %u:%u / / rw,relatime - %s src rw\n",
		major(fst.st_dev), minor(fst.st_dev), type), -1);
	mi = test_write_file(pdir, "mountinfo", text, strlen(text), 0444);

	config_defaults(&cfg);
	free(cfg.json_log);
	cfg.json_log = NULL;
	cfg.audit_record = false;
	cfg.sha256_max = 0;
	stats_reset(&st);
	ck_assert_int_eq(inspector_init(&in, &cfg, &st, NULL, base,
					MOUNTINFO_HOST), 0);
	c = candidate_new();
	ck_assert_ptr_nonnull(c);
	c->pid = PID_FAKE;
	c->ppid = PID_FAKE + 1;
	c->path = strdup("/tmp/drop");
	c->op = FILE_OP_OPEN;
	c->new_content = true;
	c->has_inode = true;
	c->inode = fst.st_ino;
	c->dev_major = major(fst.st_dev);
	c->dev_minor = minor(fst.st_dev);
	c->mode = fst.st_mode;
	c->sec = (uint64_t)time(NULL);
	c->container.in_container = true;
	c->container.source = SCOPE_SRC_PID;
	c->first_seen_ms = 0;
	out = inspector_check(&in, c, 0);
	if (out == CHECK_UNREACHABLE)
		ck_assert_uint_eq(atomic_load(&st.unreachable), 1);
	inspector_free(&in);
	config_free(&cfg);
	test_rmtree(base);
	free(mi);
	free(text);
	free(file);
	free(tmp);
	free(root);
	free(pdir);
	free(base);
	return out;
}

static const char *const remote_types[] = {
	"fuse.sshfs", "fuse", "fuseblk", "nfs", "nfs4", "cifs", "smb3", "9p",
	"ceph", "virtiofs",
};

/* The same file, reachable and an ELF: on a remote device it is never
 * looked at... */
START_TEST(test_inspector_refuses_remote)
{
	ck_assert_int_eq(check_on_fstype(remote_types[_i]), CHECK_UNREACHABLE);
}
END_TEST

/* ...while on a local one it is (the control: the file itself is fine). */
START_TEST(test_inspector_checks_local)
{
	enum check_outcome out = check_on_fstype("ext4");

	ck_assert_msg(out == CHECK_FINDING || out == CHECK_RETRY,
		      "a local ELF gave outcome %d", out);
}
END_TEST

/* --- the mount table (mounts.h) --------------------------------------------- */

/* Parse the NUL-terminated mountinfo TEXT into T, which must succeed. */
static void parse_ok(struct mount_table *t, const char *text)
{
	ck_assert_int_eq(mounts_parse_text(t, text, strlen(text)), 0);
}

/* Every field of the fixture's overlay and plain mounts. */
START_TEST(test_table_fields)
{
	struct mount_table t;
	const struct mount_entry *e;

	ck_assert_int_eq(mounts_parse_file(&t, MOUNTINFO_CONTAINER), 0);
	ck_assert_uint_eq(t.count, 20);
	ck_assert_uint_eq(t.skipped, 0);
	ck_assert_uint_eq(t.overlay_count, 1);
	e = mounts_find(&t, 254, 0);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->fstype, "ext4");
	ck_assert_str_eq(e->mountpoint, "/data");
	ck_assert_str_eq(e->root, "/var/lib/containers/storage/volumes/data/"
			 "_data");
	ck_assert(!e->never_read);
	ck_assert_ptr_null(e->upperdir);
	ck_assert_ptr_null(e->lowerdir);
	ck_assert_ptr_null(e->workdir);
	ck_assert_ptr_null(e->lowers);
	/* the first of the two mounts of 0:68 */
	e = mounts_find(&t, 0, 68);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->root, "/sub");
	ck_assert_str_eq(e->mountpoint, "/mnt/nfsdup");
	ck_assert(e->never_read);
	ck_assert_ptr_eq(mounts_find_overlay(&t, 0, 40)->mount,
			 mounts_find(&t, 0, 40));
	ck_assert_str_eq(mounts_find_overlay(&t, 0, 40)->mountpoint, "/");
	ck_assert_ptr_null(mounts_find(&t, 0, 99));
	ck_assert_ptr_null(mounts_find_overlay(&t, 0, 55));
	mounts_free(&t);
	ck_assert_uint_eq(t.count, 0);
	ck_assert_ptr_null(t.e);
	ck_assert_ptr_null(t.overlays);
}
END_TEST

/* A mount whose type is a FUSE subtype: named, and never read. */
START_TEST(test_table_fuse_sshfs)
{
	struct mount_table t;
	const struct mount_entry *e;

	parse_ok(&t, "30 1 0:77 / /home/u/remote rw,nosuid,nodev,relatime "
		 "shared:9 - fuse.sshfs u@host:/srv rw,user_id=0,group_id=0\n");
	e = mounts_find(&t, 0, 77);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->fstype, "fuse.sshfs");
	ck_assert_str_eq(e->mountpoint, "/home/u/remote");
	ck_assert(e->never_read);
	ck_assert_int_eq(mounts_dev_class(&t, 0, 77), MOUNT_DEV_NEVER_READ);
	ck_assert_ptr_null(mounts_find_overlay(&t, 0, 77));
	mounts_free(&t);
}
END_TEST

/* The kernel writes space, tab, newline and backslash in octal: mount
 * points and roots come back as they are on disk. */
START_TEST(test_table_octal_escapes)
{
	struct mount_table t;

	parse_ok(&t,
		 "40 1 0:80 / /mnt/my\\040share rw - ext4 /dev/a rw\n"
		 "41 1 0:81 /a\\011b /mnt/tab\\011x rw - ext4 /dev/b rw\n"
		 "42 1 0:82 / /mnt/nl\\012y rw - ext4 /dev/c rw\n"
		 "43 1 0:83 / /mnt/back\\134slash rw - ext4 /dev/d rw\n"
		 "44 1 0:84 / /mnt/weird\\040-\\040name rw - nfs s:/e rw\n"
		 "45 1 0:85 / /var/lib/containers/storage/overlay/0a/my\\040"
		 "merged rw - overlay overlay rw,lowerdir=/l,upperdir=/u,"
		 "workdir=/w\n");
	ck_assert_str_eq(mounts_find(&t, 0, 80)->mountpoint, "/mnt/my share");
	ck_assert_str_eq(mounts_find(&t, 0, 81)->mountpoint, "/mnt/tab\tx");
	ck_assert_str_eq(mounts_find(&t, 0, 81)->root, "/a\tb");
	ck_assert_str_eq(mounts_find(&t, 0, 82)->mountpoint, "/mnt/nl\ny");
	ck_assert_str_eq(mounts_find(&t, 0, 83)->mountpoint,
			 "/mnt/back\\slash");
	/* " - " in a mount point is no separator: the type is nfs */
	ck_assert_str_eq(mounts_find(&t, 0, 84)->mountpoint,
			 "/mnt/weird - name");
	ck_assert_str_eq(mounts_find(&t, 0, 84)->fstype, "nfs");
	ck_assert_int_eq(mounts_dev_class(&t, 0, 84), MOUNT_DEV_NEVER_READ);
	ck_assert_str_eq(mounts_find_overlay(&t, 0, 85)->mountpoint,
			 "/var/lib/containers/storage/overlay/0a/my merged");
	mounts_free(&t);
}
END_TEST

/* upperdir, lowerdir and workdir from the superblock options; lowerdir
 * split into layers as the kernel splits it. */
START_TEST(test_table_overlay_dirs)
{
	struct mount_table t;
	const struct mount_entry *e;

	ck_assert_int_eq(mounts_parse_file(&t, MOUNTINFO_HOST), 0);
	ck_assert_uint_eq(t.overlay_count, 4);
	e = mounts_find_overlay(&t, 0, 45)->mount;
	ck_assert_str_eq(e->upperdir, "/var/lib/docker/overlay2/9a8b7c6d5e4f3a"
			 "2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b/"
			 "diff");
	ck_assert_str_eq(e->workdir, "/var/lib/docker/overlay2/9a8b7c6d5e4f3a"
			 "2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b/"
			 "work");
	ck_assert_str_eq(e->lowerdir, "/var/lib/docker/overlay2/l/AAAA:"
			 "/var/lib/docker/overlay2/l/BBBB");
	ck_assert_uint_eq(e->nlowers, 2);
	ck_assert_str_eq(e->lowers[0], "/var/lib/docker/overlay2/l/AAAA");
	ck_assert_str_eq(e->lowers[1], "/var/lib/docker/overlay2/l/BBBB");
	ck_assert_ptr_null(e->lowers[2]);
	e = mounts_find_overlay(&t, 0, 47)->mount;
	ck_assert_str_eq(e->upperdir, "/b");
	ck_assert_str_eq(e->workdir, "/c");
	ck_assert_uint_eq(e->nlowers, 1);
	ck_assert_str_eq(e->lowers[0], "/a");
	/* fuse-overlayfs is no overlay mount, and has no layers here */
	ck_assert_ptr_null(mounts_find(&t, 0, 48)->upperdir);
	mounts_free(&t);

	/*
	 * As Linux 6.x shows a lowerdir of "/x/l 1", "/x/l:2" (mounted as
	 * "l\:2") and "/x/l3": space and backslash in octal; then a
	 * data-only layer after "::"; then a read-only overlay (no upper).
	 */
	parse_ok(&t,
		 "48 26 0:39 / /x/m rw,relatime - overlay overlay rw,"
		 "lowerdir=/x/l\\0401:/x/l\\134:2:/x/l3,upperdir=/x/up\\040"
		 "dir,workdir=/x/work,uuid=on\n"
		 "49 26 0:40 / /y/m rw - overlay overlay rw,"
		 "lowerdir=/y/a:/y/b::/y/data\n");
	e = mounts_find(&t, 0, 39);
	ck_assert_str_eq(e->lowerdir, "/x/l 1:/x/l\\:2:/x/l3");
	ck_assert_uint_eq(e->nlowers, 3);
	ck_assert_str_eq(e->lowers[0], "/x/l 1");
	ck_assert_str_eq(e->lowers[1], "/x/l:2");
	ck_assert_str_eq(e->lowers[2], "/x/l3");
	ck_assert_str_eq(e->upperdir, "/x/up dir");
	ck_assert_str_eq(e->workdir, "/x/work");
	e = mounts_find(&t, 0, 40);
	ck_assert_uint_eq(e->nlowers, 3);
	ck_assert_str_eq(e->lowers[2], "/y/data");
	ck_assert_ptr_null(e->upperdir);
	ck_assert_ptr_null(e->workdir);
	mounts_free(&t);
}
END_TEST

/* Write a mountinfo of more than 1 MiB of other mounts, then LAST. */
static char *write_big_mountinfo(const char *dir, const char *name,
				 const char *last, size_t *len)
{
	char *text = NULL, *path;
	FILE *f = open_memstream(&text, len);
	unsigned int i;

	ck_assert_ptr_nonnull(f);
	for (i = 0; *len < 3 * 1024 * 1024 / 2; i++) {
		fprintf(f, "%u 1 0:%u / /var/lib/kubelet/pods/%08u-aaaa-bbbb-"
			"cccc-dddddddddddd/volumes/kubernetes.io~projected/"
			"kube-api-access rw,relatime - tmpfs tmpfs rw,"
			"size=1024k\n", 100 + i, 1000 + i, i);
		fflush(f);
	}
	fputs(last, f);
	fclose(f);
	ck_assert_uint_gt(*len, 1024 * 1024);
	path = test_write_file(dir, name, text, *len, 0444);
	free(text);
	return path;
}

/* A container with CAP_SYS_ADMIN can make mountinfo longer than any
 * buffer: the overlay mount at its end is still found, by the table and
 * by attribution. */
START_TEST(test_table_bigger_than_1mib)
{
	static const char last[] =
		"99999 1 0:4242 / /var/lib/containers/storage/overlay/"
		"c763968e354a09d517c4c8d45dbaf25ad370243044697fe68ec32f25bd1827c4"
		"/merged rw - overlay overlay rw,lowerdir=/l,upperdir=/u,"
		"workdir=/w\n";
	struct mount_table t;
	struct scope_ctx sc;
	const struct overlay_mount *m;
	char *dir = test_mkdtemp(), *path;
	size_t len = 0;

	path = write_big_mountinfo(dir, "mountinfo", last, &len);
	ck_assert_int_eq(mounts_parse_file(&t, path), 0);
	ck_assert_uint_gt(t.count, 5000);
	ck_assert_uint_eq(t.skipped, 0);
	m = mounts_find_overlay(&t, 0, 4242);
	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(m->mount->upperdir, "/u");
	mounts_free(&t);

	ck_assert_int_eq(scope_init(&sc, FIXTURE_DIR "/proc", path), 0);
	m = scope_find_mount(&sc, 0, 4242);
	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(m->mountpoint, "/var/lib/containers/storage/overlay/"
			 "c763968e354a09d517c4c8d45dbaf25ad370243044697fe68ec3"
			 "2f25bd1827c4/merged");
	ck_assert_ptr_null(scope_find_mount(&sc, 0, 1000));	/* tmpfs */
	scope_free(&sc);
	test_rmtree(dir);
	free(path);
	free(dir);
}
END_TEST

/* Rewrite the mountinfo file DIR/mountinfo in place with TEXT, as a
 * mount changes the kernel's. */
static void replace_mountinfo(const char *dir, const char *text)
{
	free(test_write_file(dir, "mountinfo", text, strlen(text), 0644));
}

/*
 * A container's first write, its writer and the writer's parent gone by
 * the time the reader looks (cp in "sh -c 'cp ...'", the parent cached
 * as a host process), is placed by the overlay mount of its device. The
 * container was started a moment ago: the host's table read before its
 * mount does not list it, and the table read again at once does. A
 * removed container's overlay is not answered from the old table either
 * (its device number is the next container's soon).
 */
START_TEST(test_new_overlay_seen_at_once)
{
	static const char before[] =
		"1 0 8:1 / / rw - ext4 /dev/sda1 rw\n";
	static const char after[] =
		"1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
		"2 1 0:4300 / /var/lib/containers/storage/overlay/"
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
		"/merged rw - overlay overlay rw,lowerdir=/l,upperdir=/u,"
		"workdir=/w\n";
	char *dir = test_mkdtemp(), *path;
	struct candidate c;
	struct scope_ctx sc;

	path = test_write_file(dir, "mountinfo", before, strlen(before), 0644);
	ck_assert_int_eq(scope_init(&sc, FIXTURE_DIR "/proc", path), 0);
	ck_assert_ptr_null(scope_find_mount(&sc, 0, 4300));
	replace_mountinfo(dir, after);
	ck_assert_ptr_nonnull(scope_find_mount(&sc, 0, 4300));

	/* through attribution: both processes gone (no such pids) */
	replace_mountinfo(dir, before);
	ck_assert_ptr_null(scope_find_mount(&sc, 0, 4300));
	replace_mountinfo(dir, after);
	memset(&c, 0, sizeof(c));
	c.pid = 999991;
	c.ppid = 999992;
	c.has_inode = true;
	c.dev_major = 0;
	c.dev_minor = 4300;
	c.inode = 12;
	scope_decide(&sc, &c);
	ck_assert(c.container.in_container);
	ck_assert_int_eq(c.container.source, SCOPE_SRC_MOUNT);
	scope_free(&sc);
	test_rmtree(dir);
	free(path);
	free(dir);
}
END_TEST

/*
 * The host's table is asked whether it changed once for a run of events:
 * not again for an event that came before the last question (a mount
 * made since cannot be the one its call used), again for one that came
 * after it, and always when the time is not given.
 */
START_TEST(test_table_asked_once_per_event_time)
{
	static const char before[] = "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n";
	static const char after[] =
		"1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
		"2 1 0:4301 / /var/lib/docker/overlay2/abc/merged rw - overlay "
		"overlay rw,lowerdir=/l,upperdir=/u,workdir=/w\n";
	char *dir = test_mkdtemp(), *path;
	struct scope_ctx sc;
	uint64_t old = now_ms() - 5000;

	path = test_write_file(dir, "mountinfo", before, strlen(before), 0644);
	ck_assert_int_eq(scope_init(&sc, FIXTURE_DIR "/proc", path), 0);
	scope_set_event_time(&sc, old);
	ck_assert_ptr_null(scope_find_mount(&sc, 0, 4301));	/* read */
	replace_mountinfo(dir, after);
	/* asked after the event: answered from the table as it is */
	ck_assert_ptr_null(scope_find_mount(&sc, 0, 4301));
	/* an event of now: asked, read again */
	usleep(2000);	/* the question before is a ms older */
	scope_set_event_time(&sc, now_ms());
	ck_assert_ptr_nonnull(scope_find_mount(&sc, 0, 4301));
	/* no stamp: always asked */
	replace_mountinfo(dir, before);
	scope_set_event_time(&sc, 0);
	ck_assert_ptr_null(scope_find_mount(&sc, 0, 4301));
	scope_free(&sc);
	test_rmtree(dir);
	free(path);
	free(dir);
}
END_TEST

/* The writer's mountinfo, longer than 1 MiB, with a FUSE mount last. */
START_TEST(test_dev_remote_bigger_than_1mib)
{
	static const char last[] =
		"99999 1 0:4243 / /mnt/s rw - fuse.sshfs u@h:/ rw,user_id=0\n";
	struct fstype_cache fc;
	char *proc = test_mkdtemp(), *dir, *path;
	size_t len = 0;

	ck_assert_int_ne(asprintf(&dir, "%s/%d", proc, PID_FAKE), -1);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	path = write_big_mountinfo(dir, "mountinfo", last, &len);
	fstype_cache_init(&fc);
	ck_assert_int_eq(fstype_dev_class(&fc, proc, PID_FAKE, 0, 4243),
			 MOUNT_DEV_NEVER_READ);
	ck_assert(fstype_dev_is_remote(&fc, proc, PID_FAKE, 0, 4243));
	ck_assert(!fstype_dev_is_remote(&fc, proc, PID_FAKE, 0, 1000));
	test_rmtree(proc);
	free(path);
	free(dir);
	free(proc);
}
END_TEST

/* "Not listed" is its own answer, apart from "readable", for a table and
 * for the writer's cache; it is not remembered. */
START_TEST(test_dev_unknown_distinct)
{
	struct mount_table t;
	struct fstype_cache fc;
	char *mi, *proc = fake_proc(&mi);

	parse_ok(&t, "1 0 0:40 / / rw - overlay overlay rw\n");
	ck_assert_int_eq(mounts_dev_class(&t, 0, 40), MOUNT_DEV_READABLE);
	ck_assert_int_eq(mounts_dev_class(&t, 0, 41), MOUNT_DEV_UNKNOWN);
	mounts_free(&t);
	ck_assert_int_eq(mounts_dev_class(&t, 0, 40), MOUNT_DEV_UNKNOWN);

	fstype_cache_init(&fc);
	ck_assert_int_eq(fstype_dev_class(&fc, proc, PID_FAKE, 0, 40),
			 MOUNT_DEV_READABLE);
	ck_assert_int_eq(fstype_dev_class(&fc, proc, PID_FAKE, 0, 99),
			 MOUNT_DEV_UNKNOWN);
	ck_assert_int_eq(fstype_dev_class(&fc, proc, 4711, 0, 60),
			 MOUNT_DEV_UNKNOWN);		/* no such process */
	ck_assert_int_eq(fstype_dev_class(&fc, proc, 0, 0, 60),
			 MOUNT_DEV_UNKNOWN);
	ck_assert_uint_eq(fc.count, 1);
	/* today an unknown device is read; see fstype_dev_is_remote() */
	ck_assert(!fstype_dev_is_remote(&fc, proc, PID_FAKE, 0, 99));
	test_rmtree(proc);
	free(mi);
	free(proc);
}
END_TEST

/* Lines libmount refuses are skipped and counted; no file is no table. */
START_TEST(test_table_refused_lines)
{
	struct mount_table t;
	char *dir;

	parse_ok(&t, "# a comment\n"
		 "1 0 0:70 / /a rw - ext4 /dev/x rw\n"
		 "2 0 0:71\n"
		 "3 0 zz:72 / /c rw - fuse x rw\n"
		 "4 0 0:73 / /d rw - nfs s:/e rw\n");
	ck_assert_uint_eq(t.count, 2);
	ck_assert_uint_eq(t.skipped, 3);
	ck_assert_int_eq(mounts_dev_class(&t, 0, 70), MOUNT_DEV_READABLE);
	ck_assert_int_eq(mounts_dev_class(&t, 0, 71), MOUNT_DEV_UNKNOWN);
	ck_assert_int_eq(mounts_dev_class(&t, 0, 73), MOUNT_DEV_NEVER_READ);
	mounts_free(&t);

	dir = test_mkdtemp();
	ck_assert_int_eq(mounts_parse_file(&t, dir), -EISDIR);
	ck_assert_uint_eq(t.count, 0);
	test_rmtree(dir);
	free(dir);
	ck_assert_int_eq(mounts_parse_file(&t, "/nonexistent/mountinfo"),
			 -ENOENT);
	ck_assert_uint_eq(t.count, 0);
	ck_assert_int_eq(mounts_parse_text(&t, "\n", 1), 0);
	ck_assert_uint_eq(t.count, 0);
	mounts_free(&t);
}
END_TEST

/* This process's own mountinfo: the device of "/" is listed. */
START_TEST(test_table_real_proc)
{
	struct mount_table t;
	struct stat st;

	ck_assert_int_eq(stat("/", &st), 0);
	ck_assert_int_eq(mounts_parse_file(&t, "/proc/self/mountinfo"), 0);
	ck_assert_uint_gt(t.count, 0);
	ck_assert_ptr_nonnull(mounts_find(&t, major(st.st_dev),
					  minor(st.st_dev)));
	mounts_free(&t);
}
END_TEST

/* --- the never-read list ---------------------------------------------------- */

/* Every row: a name, and each of its names and magic numbers answers
 * "never read" (a "x.*" name for any subtype of x). */
START_TEST(test_never_read_list_rows)
{
	const struct never_read_fs *r = &mount_never_read_list[_i];
	size_t j;

	ck_assert_ptr_nonnull(r->what);
	ck_assert_ptr_nonnull(r->names[0]);
	ck_assert_uint_ne(r->magics[0], 0);
	for (j = 0; r->names[j]; j++) {
		size_t len = strlen(r->names[j]);
		char sub[64];

		if (len > 2 && !strcmp(r->names[j] + len - 2, ".*")) {
			snprintf(sub, sizeof(sub), "%.*ssomething",
				 (int)(len - 1), r->names[j]);
			ck_assert_msg(mount_type_never_read(sub), "%s", sub);
			snprintf(sub, sizeof(sub), "%.*s", (int)(len - 2),
				 r->names[j]);
			ck_assert_msg(mount_type_never_read(sub), "%s", sub);
		} else {
			ck_assert_msg(mount_type_never_read(r->names[j]),
				      "%s", r->names[j]);
		}
	}
	for (j = 0; r->magics[j]; j++)
		ck_assert_msg(mount_magic_never_read(r->magics[j]),
			      "%s: %#lx", r->what, r->magics[j]);
}
END_TEST

/* The two lists that existed before (the types of fstype.c, the magic
 * numbers of the check's statfs) are both in it, with Ceph and 9p. */
START_TEST(test_never_read_superset)
{
	static const char *const names[] = {
		"fuse", "fuseblk", "nfs", "nfs4", "cifs", "smb3", "smbfs",
		"9p", "ceph", "glusterfs", "afs", "ncpfs", "virtiofs",
		"fuse.sshfs", "fuse.glusterfs", "fuse.ceph-fuse", "coda",
	};
	static const unsigned long magics[] = {
		FUSE_SUPER_MAGIC, NFS_SUPER_MAGIC, CIFS_SUPER_MAGIC,
		SMB2_SUPER_MAGIC, SMB_SUPER_MAGIC, CEPH_SUPER_MAGIC,
		V9FS_MAGIC, AFS_SUPER_MAGIC, AFS_FS_MAGIC, CODA_SUPER_MAGIC,
		NCP_SUPER_MAGIC,
	};
	static const unsigned long local[] = {
		EXT4_SUPER_MAGIC, XFS_SUPER_MAGIC, BTRFS_SUPER_MAGIC,
		TMPFS_MAGIC, OVERLAYFS_SUPER_MAGIC, PROC_SUPER_MAGIC,
		SYSFS_MAGIC, SQUASHFS_MAGIC, 0,
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		ck_assert_msg(mount_type_never_read(names[i]), "%s", names[i]);
	for (i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
		ck_assert_msg(mount_magic_never_read(magics[i]), "%#lx",
			      magics[i]);
	for (i = 0; i < sizeof(local) / sizeof(local[0]); i++)
		ck_assert_msg(!mount_magic_never_read(local[i]), "%#lx",
			      local[i]);
	ck_assert(!mount_type_never_read(NULL));
	ck_assert(!mount_type_never_read("overlay"));
	ck_assert(!mount_type_never_read("nfsd"));
	ck_assert(!mount_type_never_read("cephfs-ish"));
	ck_assert(!mount_type_never_read("9"));
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("mounts");
	TCase *tt = tcase_create("types");
	TCase *tl = tcase_create("lookup");
	TCase *tc = tcase_create("cache");
	TCase *ti = tcase_create("inspector");
	TCase *tm = tcase_create("table");

	tcase_add_loop_test(tt, test_is_remote, 0,
			    sizeof(types) / sizeof(types[0]));
	suite_add_tcase(s, tt);

	tcase_add_loop_test(tl, test_lookup_container_mountinfo, 0,
			    sizeof(devices) / sizeof(devices[0]));
	tcase_add_test(tl, test_lookup_host_mountinfo);
	tcase_add_test(tl, test_lookup_remote_wins);
	tcase_add_test(tl, test_lookup_garbage);
	tcase_add_test(tl, test_lookup_long_text);
	suite_add_tcase(s, tl);

	/* test_dev_cache_wraps parses a 768-line mountinfo 768 times:
	 * seconds under AddressSanitizer */
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_dev_is_remote_fake_proc);
	tcase_add_test(tc, test_dev_is_remote_cached);
	tcase_add_test(tc, test_dev_unknown_not_cached);
	tcase_add_test(tc, test_dev_number_reused);
	tcase_add_test(tc, test_dev_cache_wraps);
	tcase_add_test(tc, test_dev_is_remote_real_proc);
	suite_add_tcase(s, tc);

	tcase_set_timeout(ti, 30);
	tcase_add_loop_test(ti, test_inspector_refuses_remote, 0,
			    sizeof(remote_types) / sizeof(remote_types[0]));
	tcase_add_test(ti, test_inspector_checks_local);
	suite_add_tcase(s, ti);

	tcase_set_timeout(tm, 30);
	tcase_add_test(tm, test_table_fields);
	tcase_add_test(tm, test_table_fuse_sshfs);
	tcase_add_test(tm, test_table_octal_escapes);
	tcase_add_test(tm, test_table_overlay_dirs);
	tcase_add_test(tm, test_table_bigger_than_1mib);
	tcase_add_test(tm, test_new_overlay_seen_at_once);
	tcase_add_test(tm, test_table_asked_once_per_event_time);
	tcase_add_test(tm, test_dev_remote_bigger_than_1mib);
	tcase_add_test(tm, test_dev_unknown_distinct);
	tcase_add_test(tm, test_table_refused_lines);
	tcase_add_test(tm, test_table_real_proc);
	tcase_add_loop_test(tm, test_never_read_list_rows, 0,
			    (int)mount_never_read_count);
	tcase_add_test(tm, test_never_read_superset);
	suite_add_tcase(s, tm);
	return s;
}
