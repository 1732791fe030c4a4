/* test_fstype.c -- which devices hold file systems that are never read */
#include "testlib.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "util/settings.h"
#include "scope/fstype.h"
#include "check/inspector.h"
#include "util/stats.h"

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

/* --- fstype_is_remote ----------------------------------------------------- */

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
	ck_assert_msg(fstype_is_remote(types[_i].type) == types[_i].remote,
		      "fstype_is_remote(\"%s\") should be %s", types[_i].type,
		      types[_i].remote ? "true" : "false");
}
END_TEST

/* --- fstype_lookup_text --------------------------------------------------- */

static const struct {
	unsigned int major, minor;
	int expect;
	const char *what;
} devices[] = {
	{ 0, 40, 0, "overlay root" },
	{ 0, 50, 0, "proc" },
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
		"1 0 0:70 / /a rw - fuse",		/* no newline */
		"1 0 0:70 / /a rw - "
		"fuseeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"
		"eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"
		" x rw\n",				/* a type longer than 63 */
	};
	static const int expect[] = { -1, -1, -1, -1, -1, -1, -1, -1, 1, 0 };
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

Suite *test_suite(void)
{
	Suite *s = suite_create("fstype");
	TCase *tt = tcase_create("types");
	TCase *tl = tcase_create("lookup");
	TCase *tc = tcase_create("cache");
	TCase *ti = tcase_create("inspector");

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

	tcase_add_test(tc, test_dev_is_remote_fake_proc);
	tcase_add_test(tc, test_dev_is_remote_cached);
	tcase_add_test(tc, test_dev_unknown_not_cached);
	tcase_add_test(tc, test_dev_cache_wraps);
	tcase_add_test(tc, test_dev_is_remote_real_proc);
	suite_add_tcase(s, tc);

	tcase_set_timeout(ti, 30);
	tcase_add_loop_test(ti, test_inspector_refuses_remote, 0,
			    sizeof(remote_types) / sizeof(remote_types[0]));
	tcase_add_test(ti, test_inspector_checks_local);
	suite_add_tcase(s, ti);
	return s;
}
