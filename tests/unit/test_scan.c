/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_scan.c -- the scan of the containers' writable layers (check/scan.c)
 *
 * A mount table written for the test names an overlay mount of a
 * containerd container whose upperdir and lowerdir are temporary
 * directories; the scan walks them with the real worker and libmagic and
 * reports into a sink that keeps what it is given. Time is passed in.
 */
#include "testlib.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check/pipeline.h"
#include "check/scan.h"
#include "report/sink.h"

#define CID	"74ae4b3d184392ca547578cb529ae782c5a12850eed15d578f56d3712f7b5ec3"
#define CID2	"cb78a2b95d46e8ee8846b0f2eb0f30536dafe28d05382c781dd77595f2b067d8"
#define TASKS	"/run/containerd/io.containerd.runtime.v2.task/k8s.io/"
#define T0	1000000

struct kept {
	struct sink base;
	int count;
	char paths[8192];
	char last_id[CONTAINER_ID_LEN + 1];
	char last_runtime[16];
	enum file_op last_op;
	uint64_t last_serial;
};

static int keep_emit(struct sink *sk, const struct finding *f)
{
	struct kept *k = (struct kept *)sk;
	size_t len = strlen(k->paths);

	k->count++;
	snprintf(k->paths + len, sizeof(k->paths) - len, "%s\n", f->c->path);
	snprintf(k->last_id, sizeof(k->last_id), "%s", f->c->container.id);
	snprintf(k->last_runtime, sizeof(k->last_runtime), "%s",
		 f->c->container.runtime);
	k->last_op = f->c->op;
	k->last_serial = f->c->serial;
	return 0;
}

static struct {
	char *dir, *upper, *lower, *mountinfo;
	struct kept kept;
	struct report report;
	struct checker ck;
	struct config cfg;
	struct stats st;
	struct scan sc;
	bool started;
} fx;

static char *sub(const char *dir, const char *name)
{
	char *p;

	ck_assert_int_ne(asprintf(&p, "%s/%s", dir, name), -1);
	return p;
}

static void mkdirs(const char *base, const char *rel)
{
	char *p = sub(base, rel);

	ck_assert_int_eq(mkdir(p, 0755), 0);
	free(p);
}

/* The mount table: the host's root, the container's overlay, and EXTRA
 * lines. */
static void write_mountinfo(const char *extra)
{
	char *text;

	ck_assert_int_ne(asprintf(&text,
		"1 0 8:1 / / rw,relatime - ext4 /dev/sda1 rw\n"
		"2 1 0:99 / " TASKS CID "/rootfs rw,relatime - overlay overlay "
		"rw,lowerdir=%s,upperdir=%s,workdir=%s/work\n%s",
		fx.lower, fx.upper, fx.dir, extra ? extra : ""), -1);
	free(test_write_file(fx.dir, "mountinfo", text, strlen(text), 0644));
	free(text);
}

static void setup(void)
{
	memset(&fx, 0, sizeof(fx));
	fx.dir = test_mkdtemp();
	fx.upper = sub(fx.dir, "upper");
	fx.lower = sub(fx.dir, "lower");
	fx.mountinfo = sub(fx.dir, "mountinfo");
	mkdirs(fx.dir, "upper");
	mkdirs(fx.dir, "lower");
	mkdirs(fx.dir, "work");
	write_mountinfo(NULL);
	fx.kept.base.name = "kept";
	fx.kept.base.emit = keep_emit;
	report_init(&fx.report);
	report_add(&fx.report, &fx.kept.base);
	config_defaults(&fx.cfg);
	fx.cfg.scan_at_start = false;
	fx.cfg.scan_interval = 0;
	stats_reset(&fx.st);
}

/* The checker and the scan, once the test has set fx.cfg. */
static void start(void)
{
	ck_assert_int_eq(checker_init(&fx.ck, &fx.cfg, &fx.st, &fx.report,
				      NULL, fx.mountinfo), 0);
	ck_assert_int_eq(scan_init(&fx.sc, fx.ck.scope.mountinfo), 0);
	fx.sc.settle_ms = 0;
	fx.started = true;
}

static void teardown(void)
{
	if (fx.started) {
		scan_free(&fx.sc);
		checker_free(&fx.ck);
	}
	config_free(&fx.cfg);
	test_rmtree(fx.dir);
	free(fx.dir);
	free(fx.upper);
	free(fx.lower);
	free(fx.mountinfo);
}

/* This test program's own ELF image. */
static char *elf(size_t *len)
{
	return test_read_file("/proc/self/exe", len);
}

/* DIR/NAME holding this program's ELF image (and EXTRA bytes more). */
static void put_elf(const char *dir, const char *name, size_t extra)
{
	size_t len;
	char *data = elf(&len);

	data = realloc(data, len + extra);
	memset(data + len, 'x', extra);
	free(test_write_file(dir, name, data, len + extra, 0755));
	free(data);
}

/* Tick until the pass under way ends (at most LIMIT ticks). */
static void run_pass(uint64_t *now, int limit)
{
	int i;

	scan_tick(&fx.sc, &fx.ck, *now, true);
	for (i = 0; fx.sc.in_pass && i < limit; i++) {
		*now += 1;
		scan_tick(&fx.sc, &fx.ck, *now, true);
	}
	ck_assert_msg(!fx.sc.in_pass, "the pass did not end in %d ticks",
		      limit);
}

static bool found(const char *path)
{
	char line[512];

	snprintf(line, sizeof(line), "%s\n", path);
	return strstr(fx.kept.paths, line) != NULL;
}

/* A drop in the upper layer: reported once, at the container's path,
 * with the container's id, detected_by scan, no audit serial. */
START_TEST(test_scan_reports_drop_once)
{
	uint64_t now = T0;

	mkdirs(fx.upper, "tmp");
	put_elf(fx.upper, "tmp/x", 0);
	free(test_write_file(fx.upper, "tmp/notes.txt", "hello\n", 6, 0644));
	start();
	scan_request(&fx.sc);
	run_pass(&now, 1000);
	ck_assert_int_eq(fx.kept.count, 1);
	ck_assert_msg(found("/tmp/x"), "%s", fx.kept.paths);
	ck_assert_str_eq(fx.kept.last_id, CID);
	ck_assert_str_eq(fx.kept.last_runtime, "containerd");
	ck_assert_int_eq(fx.kept.last_op, FILE_OP_SCAN);
	ck_assert_int_eq(fx.kept.last_serial, 0);
	ck_assert_str_eq(file_op_detected_by(fx.kept.last_op), "scan");
	ck_assert_int_eq(atomic_load(&fx.st.scan_findings), 1);
	ck_assert_int_eq(atomic_load(&fx.st.scan_passes), 1);

	/* nothing changed: nothing read again, nothing reported */
	scan_request(&fx.sc);
	run_pass(&now, 1000);
	ck_assert_int_eq(fx.kept.count, 1);
	ck_assert_int_eq(atomic_load(&fx.st.duplicates), 0);

	/* its ctime changes (chmod): read again, a duplicate */
	{
		char *p = sub(fx.upper, "tmp/x");

		ck_assert_int_eq(chmod(p, 0700), 0);
		free(p);
	}
	scan_request(&fx.sc);
	run_pass(&now, 1000);
	ck_assert_int_eq(fx.kept.count, 1);
	ck_assert_int_eq(atomic_load(&fx.st.duplicates), 1);
}
END_TEST

/* A hard link of a reported file is the same file: one finding. */
START_TEST(test_scan_hard_link_is_one_file)
{
	char *a, *b;

	mkdirs(fx.upper, "tmp");
	put_elf(fx.upper, "tmp/a", 0);
	a = sub(fx.upper, "tmp/a");
	b = sub(fx.upper, "tmp/b");
	ck_assert_int_eq(link(a, b), 0);
	start();
	ck_assert_int_eq(scan_run_once(&fx.sc, &fx.ck), 1);
	ck_assert_int_eq(fx.kept.count, 1);
	free(a);
	free(b);
}
END_TEST

/* Symlinks in the upper layer to a host ELF and to a host directory of
 * ELFs are never followed. */
START_TEST(test_scan_never_follows_symlinks)
{
	char *p;

	mkdirs(fx.upper, "tmp");
	p = sub(fx.upper, "tmp/ls-link");
	ck_assert_int_eq(symlink("/proc/self/exe", p), 0);
	free(p);
	p = sub(fx.upper, "tmp/shadow");
	ck_assert_int_eq(symlink("/etc/shadow", p), 0);
	free(p);
	p = sub(fx.upper, "usr");
	ck_assert_int_eq(symlink("/usr", p), 0);
	free(p);
	start();
	ck_assert_int_eq(scan_run_once(&fx.sc, &fx.ck), 0);
	ck_assert_int_eq(fx.kept.count, 0);
}
END_TEST

/* An image file copied up unchanged (chmod, touch) is not a drop; one
 * whose bytes changed is. */
START_TEST(test_scan_image_file_copied_up)
{
	mkdirs(fx.lower, "bin");
	mkdirs(fx.upper, "bin");
	put_elf(fx.lower, "bin/same", 0);
	put_elf(fx.upper, "bin/same", 0);
	put_elf(fx.lower, "bin/changed", 0);
	put_elf(fx.upper, "bin/changed", 7);
	start();
	ck_assert_int_eq(scan_run_once(&fx.sc, &fx.ck), 1);
	ck_assert_msg(found("/bin/changed"), "%s", fx.kept.paths);
	ck_assert_msg(!found("/bin/same"), "%s", fx.kept.paths);
}
END_TEST

/* An upperdir on a file system of the never-read list (FUSE: rootless
 * fuse-overlayfs, sshfs) is not walked, even when it holds an ELF. */
START_TEST(test_scan_never_reads_fuse_upperdir)
{
	char *fuse = sub(fx.dir, "fuse"), *extra;

	mkdirs(fx.dir, "fuse");
	mkdirs(fuse, "upper");
	put_elf(fuse, "upper/evil", 0);
	ck_assert_int_ne(asprintf(&extra,
		"3 1 0:98 / %s rw - fuse.sshfs host:/x rw\n"
		"4 1 0:97 / " TASKS CID2 "/rootfs rw - overlay overlay "
		"rw,lowerdir=%s,upperdir=%s/upper,workdir=%s/work\n",
		fuse, fx.lower, fuse, fuse), -1);
	write_mountinfo(extra);
	free(extra);
	mkdirs(fx.upper, "tmp");
	put_elf(fx.upper, "tmp/x", 0);
	start();
	ck_assert_int_eq(scan_run_once(&fx.sc, &fx.ck), 1);
	ck_assert_msg(found("/tmp/x"), "%s", fx.kept.paths);
	ck_assert_msg(!found("/evil"), "%s", fx.kept.paths);
	free(fuse);
}
END_TEST

/* An overlay mount that belongs to no container (no id in its path or in
 * a runtime's state) is not walked. */
START_TEST(test_scan_only_containers)
{
	char *extra;

	ck_assert_int_ne(asprintf(&extra,
		"3 1 0:98 / /mnt/build rw - overlay overlay "
		"rw,lowerdir=%s,upperdir=%s,workdir=%s/work\n",
		fx.lower, fx.upper, fx.dir), -1);
	/* only the container-less mount */
	{
		char *text;

		ck_assert_int_ne(asprintf(&text,
			"1 0 8:1 / / rw - ext4 /dev/sda1 rw\n%s", extra), -1);
		free(test_write_file(fx.dir, "mountinfo", text, strlen(text),
				     0644));
		free(text);
	}
	free(extra);
	put_elf(fx.upper, "x", 0);
	start();
	ck_assert_int_eq(scan_run_once(&fx.sc, &fx.ck), 0);
}
END_TEST

/* Many files: a tick does one slice, not the pass; with candidates
 * queued, no slice until SCAN_STARVE_MS passed. */
START_TEST(test_scan_runs_in_slices)
{
	char name[32];
	uint64_t now = T0, files;
	int i;

	mkdirs(fx.upper, "many");
	for (i = 0; i < 3000; i++) {
		snprintf(name, sizeof(name), "many/f%d", i);
		free(test_write_file(fx.upper, name, "data", 4, 0644));
	}
	put_elf(fx.upper, "many/zz", 0);
	start();
	scan_request(&fx.sc);
	scan_tick(&fx.sc, &fx.ck, now, true);
	ck_assert(fx.sc.in_pass);
	files = atomic_load(&fx.st.scan_files);
	ck_assert_uint_le(files, SCAN_SLICE_ENTRIES);
	/* a candidate is queued: the scan waits its turn */
	scan_tick(&fx.sc, &fx.ck, now + 1, false);
	ck_assert_uint_eq(atomic_load(&fx.st.scan_files), files);
	scan_tick(&fx.sc, &fx.ck, now + SCAN_STARVE_MS + 10, false);
	ck_assert_uint_gt(atomic_load(&fx.st.scan_files), files);
	now += SCAN_STARVE_MS + 10;
	run_pass(&now, 100000);
	ck_assert_int_eq(fx.kept.count, 1);
	ck_assert_int_eq(atomic_load(&fx.st.scan_files), 3001);
}
END_TEST

/* A pass over its max_files is cut short, counted, and the next pass
 * goes on from there: the file at the end is found once. */
START_TEST(test_scan_truncated_pass_goes_on)
{
	char name[32];
	uint64_t now = T0;
	int i;

	mkdirs(fx.upper, "many");
	for (i = 0; i < 500; i++) {
		snprintf(name, sizeof(name), "many/f%d", i);
		free(test_write_file(fx.upper, name, "data", 4, 0644));
	}
	put_elf(fx.upper, "many/zz", 0);
	fx.cfg.scan_max_files = 100;
	start();
	for (i = 0; i < 20 && !fx.kept.count; i++) {
		scan_request(&fx.sc);
		run_pass(&now, 1000);
	}
	ck_assert_int_eq(fx.kept.count, 1);
	ck_assert_uint_ge(atomic_load(&fx.st.scan_truncated), 4);
	ck_assert_uint_ge(atomic_load(&fx.st.scan_passes), 5);
	/* the walk went on rather than starting over each time */
	ck_assert_uint_le(atomic_load(&fx.st.scan_files), 501 + 100);
}
END_TEST

/* Triggers: the start, the interval, and lost events. */
START_TEST(test_scan_triggers)
{
	uint64_t now = T0;

	mkdirs(fx.upper, "tmp");
	fx.cfg.scan_at_start = true;
	fx.cfg.scan_interval = 60;
	start();
	run_pass(&now, 100);
	ck_assert_int_eq(atomic_load(&fx.st.scan_passes), 1);
	scan_tick(&fx.sc, &fx.ck, now + 1000, true);
	ck_assert_int_eq(atomic_load(&fx.st.scan_passes), 1);
	now += 60000;
	run_pass(&now, 100);
	ck_assert_int_eq(atomic_load(&fx.st.scan_passes), 2);

	/* no more interval (a reload): only the losses below start passes */
	fx.ck.cfg.scan_interval = 0;
	/* the reader saw a gap in the serials: a pass, and the drop made
	 * while events were lost is found */
	put_elf(fx.upper, "tmp/while-lost", 0);
	atomic_store(&fx.st.lost_serials, 3);
	now += 10;
	run_pass(&now, 100);
	ck_assert_int_eq(atomic_load(&fx.st.scan_passes), 3);
	ck_assert_msg(found("/tmp/while-lost"), "%s", fx.kept.paths);
	/* the intake dropped records: another pass, after the gap */
	atomic_store(&fx.st.intake_dropped, 1);
	now += SCAN_LOSS_GAP_MS;
	run_pass(&now, 100);
	ck_assert_int_eq(atomic_load(&fx.st.scan_passes), 4);
	/* nothing more lost: no pass */
	now += SCAN_LOSS_GAP_MS;
	scan_tick(&fx.sc, &fx.ck, now, true);
	ck_assert_int_eq(atomic_load(&fx.st.scan_passes), 4);
}
END_TEST

/* A pass that leaves the new ELF tmp/NAME too new to judge; *NOW then
 * holds the time of the settle pass it asked for. */
static void leave_too_new(const char *name, uint64_t *now)
{
	char rel[64];

	mkdirs(fx.upper, "tmp");
	snprintf(rel, sizeof(rel), "tmp/%s", name);
	put_elf(fx.upper, rel, 0);
	start();
	fx.sc.settle_ms = 3600 * 1000;
	scan_request(&fx.sc);
	run_pass(now, 100);
	ck_assert_int_eq(fx.kept.count, 0);
	ck_assert_uint_gt(fx.sc.settle_at_ms, 0);
	*now = fx.sc.settle_at_ms;
}

/* A file changed within the settle time is left to the live check and
 * looked at by a pass soon after. */
START_TEST(test_scan_settles_new_files)
{
	uint64_t now = T0;

	leave_too_new("fresh", &now);
	/* the settle pass takes the file as it is, however new */
	run_pass(&now, 100);
	ck_assert_int_eq(fx.kept.count, 1);
	ck_assert_int_eq(atomic_load(&fx.st.scan_passes), 2);

	/* a file written all the time (a log) does not chain settle passes
	 * without end */
	free(test_write_file(fx.upper, "tmp/log", "line\n", 5, 0644));
	scan_request(&fx.sc);
	run_pass(&now, 100);
	ck_assert_uint_gt(fx.sc.settle_at_ms, 0);
	now = fx.sc.settle_at_ms;
	free(test_write_file(fx.upper, "tmp/log", "line\nline\n", 10, 0644));
	run_pass(&now, 100);
	ck_assert_int_eq(atomic_load(&fx.st.scan_passes), 4);
	ck_assert_uint_eq(fx.sc.settle_at_ms, 0);
}
END_TEST

/* The settle pass takes as they are only the files an earlier pass saw
 * too new: a file that appeared since (a drop being written as the pass
 * walks) is still the live check's first, and looked at by one pass
 * more. */
START_TEST(test_scan_settle_pass_leaves_newer_files)
{
	uint64_t now = T0;
	char name[32];
	int i;

	leave_too_new("first", &now);
	put_elf(fx.upper, "tmp/second", 0);
	run_pass(&now, 100);
	ck_assert_int_eq(fx.kept.count, 1);
	ck_assert_msg(found("/tmp/first"), "%s", fx.kept.paths);
	ck_assert_uint_gt(fx.sc.settle_at_ms, 0);
	now = fx.sc.settle_at_ms;
	run_pass(&now, 100);
	ck_assert_int_eq(fx.kept.count, 2);
	ck_assert_msg(found("/tmp/second"), "%s", fx.kept.paths);
	ck_assert_uint_eq(fx.sc.settle_at_ms, 0);
	ck_assert_int_eq(atomic_load(&fx.st.scan_passes), 3);

	/* a new file before every settle pass: the chain ends */
	scan_request(&fx.sc);
	for (i = 0; i <= SCAN_SETTLE_CHAIN; i++) {
		snprintf(name, sizeof(name), "tmp/chain%d", i);
		put_elf(fx.upper, name, 0);
		run_pass(&now, 100);
		if (!fx.sc.settle_at_ms)
			break;
		now = fx.sc.settle_at_ms;
	}
	ck_assert_int_eq(i, SCAN_SETTLE_CHAIN);
	ck_assert_int_eq(atomic_load(&fx.st.scan_passes),
			 3 + 1 + SCAN_SETTLE_CHAIN);
}
END_TEST

/* A hostile name is reported as its raw bytes, as the container sees
 * it. */
START_TEST(test_scan_hostile_name)
{
	mkdirs(fx.upper, "a\nb");
	put_elf(fx.upper, "a\nb/\xff\xfe", 0);
	start();
	ck_assert_int_eq(scan_run_once(&fx.sc, &fx.ck), 1);
	ck_assert_msg(found("/a\nb/\xff\xfe"), "%s", fx.kept.paths);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("scan");
	TCase *tc = tcase_create("scan");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_scan_reports_drop_once);
	tcase_add_test(tc, test_scan_hard_link_is_one_file);
	tcase_add_test(tc, test_scan_never_follows_symlinks);
	tcase_add_test(tc, test_scan_image_file_copied_up);
	tcase_add_test(tc, test_scan_never_reads_fuse_upperdir);
	tcase_add_test(tc, test_scan_only_containers);
	tcase_add_test(tc, test_scan_runs_in_slices);
	tcase_add_test(tc, test_scan_truncated_pass_goes_on);
	tcase_add_test(tc, test_scan_triggers);
	tcase_add_test(tc, test_scan_settles_new_files);
	tcase_add_test(tc, test_scan_settle_pass_leaves_newer_files);
	tcase_add_test(tc, test_scan_hostile_name);
	suite_add_tcase(s, tc);
	return s;
}
