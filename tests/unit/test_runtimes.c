/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_runtimes.c -- running containers by their runtimes' state files */
#include "testlib.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "scope/runtimes.h"
#include "scope/scope.h"

#define HEX_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HEX_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define LAYER "1e9fdbf97d9005ad387b6196ab647d93fe29f9a2cc69d538a90c9e161556a402"
#define T0 1000000ULL

/* --- the parsers ------------------------------------------------------------ */

START_TEST(test_parse_runc_state)
{
	unsigned long long start;
	char *rootfs;
	pid_t pid;

	ck_assert_int_eq(runtime_parse_runc_state(
		"{\"id\":\"x\",\"init_process_pid\":1425,"
		"\"init_process_start\":9876,\"config\":{\"rootfs\":"
		"\"/var/lib/containers/storage/overlay/" LAYER "/merged\"}}",
		&pid, &start, &rootfs), 0);
	ck_assert_int_eq(pid, 1425);
	ck_assert_uint_eq(start, 9876);
	ck_assert_str_eq(rootfs, "/var/lib/containers/storage/overlay/"
			 LAYER "/merged");
	free(rootfs);

	/* what no runtime writes is no container */
	static const char *const bad[] = {
		"", "[]", "null", "{\"init_process_pid\":1425}",
		"{\"init_process_pid\":-1,\"config\":{\"rootfs\":\"/r\"}}",
		"{\"init_process_pid\":0,\"config\":{\"rootfs\":\"/r\"}}",
		"{\"init_process_pid\":99999999999,\"config\":{\"rootfs\":\"/r\"}}",
		"{\"init_process_pid\":\"12\",\"config\":{\"rootfs\":\"/r\"}}",
		"{\"init_process_pid\":12,\"config\":{\"rootfs\":\"rel\"}}",
		"{\"init_process_pid\":12,\"config\":{\"rootfs\":7}}",
		"{\"init_process_pid\":12,\"config\":[]}",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(runtime_parse_runc_state(bad[i], &pid, &start,
						       &rootfs) == -1,
			      "accepted: %s", bad[i]);
		ck_assert_ptr_null(rootfs);
	}
}
END_TEST

START_TEST(test_parse_crun_and_oci)
{
	char *s;
	pid_t pid;

	ck_assert_int_eq(runtime_parse_crun_status(
		"{\"pid\":77,\"rootfs\":\"/r/merged\",\"bundle\":\"/b\"}",
		&pid, &s), 0);
	ck_assert_int_eq(pid, 77);
	ck_assert_str_eq(s, "/r/merged");
	free(s);
	ck_assert_int_eq(runtime_parse_crun_status("{\"pid\":77}", &pid, &s),
			 -1);

	ck_assert_int_eq(runtime_parse_oci_root(
		"{\"root\":{\"path\":\"rootfs\"}}", &s), 0);
	ck_assert_str_eq(s, "rootfs");
	free(s);
	/* a bundle's root may not climb out of the bundle */
	ck_assert_int_eq(runtime_parse_oci_root(
		"{\"root\":{\"path\":\"../../etc\"}}", &s), -1);
	ck_assert_int_eq(runtime_parse_oci_root("{\"root\":{}}", &s), -1);
	ck_assert_int_eq(runtime_parse_oci_root("\"x\"", &s), -1);
}
END_TEST

/* The files as the runtimes wrote them (tests/fixtures/runtimes) */
START_TEST(test_parse_fixtures)
{
	unsigned long long start;
	char *text, *s, *g, *u;
	pid_t pid;

	text = test_read_file(FIXTURE_DIR "/runtimes/run/runc/c0ab4b03b68eda9"
		"ecb6218cfa76a54f2308f8e99850a86c4773cb8a2dc67e785/state.json",
		NULL);
	ck_assert_int_eq(runtime_parse_runc_state(text, &pid, &start, &s), 0);
	ck_assert_int_eq(pid, 1425);
	ck_assert_uint_eq(start, 55123);
	ck_assert_int_eq(runtime_storage_of(s, &g, &u), 0);
	ck_assert_str_eq(g, "/home/u/.local/share/containers/storage");
	free(g);
	free(u);
	free(s);
	free(text);
	text = test_read_file(FIXTURE_DIR "/runtimes/run/crun/8bc65d18f092c4c"
		"9ab01c2b7d9e0f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9/status", NULL);
	ck_assert_int_eq(runtime_parse_crun_status(text, &pid, &s), 0);
	ck_assert_int_eq(pid, 22968);
	free(s);
	free(text);
	text = test_read_file(FIXTURE_DIR "/runtimes/run/containerd/io."
		"containerd.runtime.v2.task/default/myname/config.json", NULL);
	ck_assert_int_eq(runtime_parse_oci_root(text, &s), 0);
	ck_assert_str_eq(s, "rootfs");
	free(s);
	free(text);
}
END_TEST

START_TEST(test_storage_of)
{
	char *g, *u;

	ck_assert_int_eq(runtime_storage_of("/home/u/.local/share/containers/"
		"storage/overlay/" LAYER "/merged", &g, &u), 0);
	ck_assert_str_eq(g, "/home/u/.local/share/containers/storage");
	ck_assert_str_eq(u, "/home/u/.local/share/containers/storage/"
			 "overlay/" LAYER "/diff");
	free(g);
	free(u);
	static const char *const bad[] = {
		"/x/overlay/" LAYER "/merged/",
		"/x/overlay/" LAYER "/diff",
		"/x/overlay/1234/merged",
		"/x/overlay2/" LAYER "/merged",
		"/x/../overlay/" LAYER "/merged",
		"/overlay/" LAYER "/merged",
		"/x/overlay/" HEX_A "A/merged",
		"",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(runtime_storage_of(bad[i], &g, &u) == -1,
			      "accepted: %s", bad[i]);
		ck_assert_ptr_null(g);
		ck_assert_ptr_null(u);
	}
}
END_TEST

START_TEST(test_id_valid)
{
	ck_assert(runtime_id_valid("myname", 6));
	ck_assert(runtime_id_valid("my-task.1_x", 11));
	ck_assert(runtime_id_valid(HEX_A, 64));
	ck_assert(!runtime_id_valid(HEX_A "a", 65));
	ck_assert(!runtime_id_valid("", 0));
	ck_assert(!runtime_id_valid("..", 2));
	ck_assert(!runtime_id_valid("-x", 2));
	ck_assert(!runtime_id_valid("a b", 3));
	ck_assert(!runtime_id_valid("a/b", 3));
	ck_assert(!runtime_id_valid("a\"b", 3));
}
END_TEST

/* --- the index, on a fixture tree ------------------------------------------ */

static struct {
	char *base, *proc;
	struct runtime_index ri;
	struct runtime_roots roots;
} fx;

static void mkdirf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void mkdirf(const char *fmt, ...)
{
	char *path, *p;
	va_list ap;

	va_start(ap, fmt);
	ck_assert_int_ne(vasprintf(&path, fmt, ap), -1);
	va_end(ap);
	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	mkdir(path, 0755);
	free(path);
}

/* Write TEXT to BASE/REL (directories made). */
static void put(const char *rel, const char *text)
{
	char *dir, *slash, *path;

	ck_assert_int_ne(asprintf(&path, "%s/%s", fx.base, rel), -1);
	dir = strdup(path);
	slash = strrchr(dir, '/');
	*slash = '\0';
	mkdirf("%s", dir);
	free(test_write_file(dir, slash + 1, text, strlen(text), 0644));
	free(dir);
	free(path);
}

/* A process PID of the fixture procfs: mount namespace MNTNS (a file
 * name: the same name, the same namespace), start time START, user
 * namespace owned by USERNS_OWNER, mount table MOUNTINFO. */
static void proc_pid(int pid, const char *mntns, unsigned long long start,
		     uid_t userns_owner, const char *mountinfo)
{
	char rel[256], text[512], *target, *link;

	snprintf(rel, sizeof(rel), "ns-%s", mntns);
	ck_assert_int_ne(asprintf(&target, "%s/ns-%s", fx.base, mntns), -1);
	if (access(target, F_OK))
		put(rel, "");
	snprintf(rel, sizeof(rel), "proc/%d/stat", pid);
	snprintf(text, sizeof(text), "%d (sh) S 1 1 1 0 -1 4194560 100 0 0 0 "
		 "0 0 0 0 20 0 1 0 %llu 1000 100\n", pid, start);
	put(rel, text);
	snprintf(rel, sizeof(rel), "proc/%d/mountinfo", pid);
	put(rel, mountinfo ? mountinfo : "");
	snprintf(rel, sizeof(rel), "proc/%d/ns/user", pid);
	put(rel, "");
	ck_assert_int_ne(asprintf(&link, "%s/proc/%d/ns/user", fx.base, pid),
			 -1);
	ck_assert_int_eq(chown(link, userns_owner, userns_owner), 0);
	free(link);
	ck_assert_int_ne(asprintf(&link, "%s/proc/%d/ns/mnt", fx.base, pid),
			 -1);
	ck_assert_int_eq(symlink(target, link), 0);
	free(link);
	free(target);
}

static void fx_setup(void)
{
	if (geteuid() != 0)
		return;
	fx.base = test_mkdtemp();
	chmod(fx.base, 0755);
	ck_assert_int_ne(asprintf(&fx.proc, "%s/proc", fx.base), -1);
	mkdirf("%s", fx.proc);
	ck_assert_int_eq(runtimes_init(&fx.ri, fx.proc), 0);
	memset(&fx.roots, 0, sizeof(fx.roots));
	ck_assert_int_eq(runtime_roots_add(fx.roots.containerd,
		&fx.roots.ncontainerd, "/run/containerd"), 0);
	ck_assert_int_eq(runtime_roots_add(fx.roots.oci, &fx.roots.noci,
		"/run/runc"), 0);
	ck_assert_int_eq(runtime_roots_add(fx.roots.oci, &fx.roots.noci,
		"/run/crun"), 0);
	fx.roots.user_run = strdup("/run/user");
	ck_assert_int_eq(runtimes_configure(&fx.ri, &fx.roots, fx.base), 0);
}

static void fx_teardown(void)
{
	if (!fx.base)
		return;
	runtimes_free(&fx.ri);
	runtime_roots_free(&fx.roots);
	test_rmtree(fx.base);
	free(fx.base);
	free(fx.proc);
	memset(&fx, 0, sizeof(fx));
}

static void need_root(void)
{
	if (geteuid() != 0)
		test_skip("needs root (state directories owned by other users)");
}

static unsigned long long mntns_of(const char *name)
{
	char *path;
	struct stat st;

	ck_assert_int_ne(asprintf(&path, "%s/ns-%s", fx.base, name), -1);
	ck_assert_int_eq(stat(path, &st), 0);
	free(path);
	return (unsigned long long)st.st_ino;
}

#define TASKS "run/containerd/io.containerd.runtime.v2.task"

/* containerd: a container named by hand, and Docker's (namespace moby) */
START_TEST(test_containerd_tasks)
{
	const struct runtime_container *c;

	need_root();
	put(TASKS "/default/myname/init.pid", "301\n");
	put(TASKS "/default/myname/config.json",
	    "{\"root\":{\"path\":\"rootfs\"}}");
	proc_pid(301, "ctr", 0, 0, NULL);
	put(TASKS "/moby/" HEX_A "/init.pid", "302");
	put(TASKS "/moby/" HEX_A "/config.json",
	    "{\"root\":{\"path\":\"/var/lib/docker/overlay2/c1/merged\"}}");
	proc_pid(302, "dock", 0, 0, NULL);
	/* a task whose process is gone is not running */
	put(TASKS "/default/gone/init.pid", "303");

	c = runtimes_by_mntns(&fx.ri, mntns_of("ctr"), T0);
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->id, "myname");
	ck_assert_str_eq(c->runtime, "containerd");
	ck_assert_int_eq(c->init_pid, 301);
	ck_assert_str_eq(c->rootfs, "/run/containerd/io.containerd.runtime."
			 "v2.task/default/myname/rootfs");
	c = runtimes_by_rootfs(&fx.ri, "/var/lib/docker/overlay2/c1/merged",
			       T0);
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->id, HEX_A);
	ck_assert_str_eq(c->runtime, "docker");
	ck_assert_ptr_null(runtimes_by_id(&fx.ri, "gone", T0));
	ck_assert_uint_eq(fx.ri.count, 2);
}
END_TEST

/* podman rootful with runc, and crun's status file */
START_TEST(test_runc_and_crun)
{
	const struct runtime_container *c;

	need_root();
	put("run/runc/" HEX_A "/state.json",
	    "{\"init_process_pid\":401,\"init_process_start\":555,"
	    "\"config\":{\"rootfs\":\"/var/lib/containers/storage/overlay/"
	    LAYER "/merged\"}}");
	proc_pid(401, "pod", 555, 0, NULL);
	put("run/crun/" HEX_B "/status",
	    "{\"pid\":402,\"rootfs\":\"/srv/b/rootfs\"}");
	proc_pid(402, "crun", 0, 0, NULL);
	c = runtimes_by_id(&fx.ri, HEX_A, T0);
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->runtime, "podman");
	ck_assert_str_eq(c->storage, "/var/lib/containers/storage");
	ck_assert_str_eq(c->upper, "/var/lib/containers/storage/overlay/"
			 LAYER "/diff");
	c = runtimes_by_mntns(&fx.ri, mntns_of("crun"), T0);
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->id, HEX_B);
	ck_assert_str_eq(c->runtime, "crun");
	ck_assert_ptr_null(c->upper);
}
END_TEST

/* The attack: a pid the runtime recorded now belongs to another process
 * (the container died, the pid was reused): its start time differs. */
START_TEST(test_reused_pid_not_trusted)
{
	need_root();
	put("run/runc/" HEX_A "/state.json",
	    "{\"init_process_pid\":401,\"init_process_start\":555,"
	    "\"config\":{\"rootfs\":\"/r/merged\"}}");
	proc_pid(401, "other", 556, 0, NULL);
	ck_assert_ptr_null(runtimes_by_mntns(&fx.ri, mntns_of("other"), T0));
	ck_assert_ptr_null(runtimes_by_id(&fx.ri, HEX_A, T0));
}
END_TEST

/* The attack: a user writes a runtime state of their own that claims
 * another's process (root's container, or a process of someone else)
 * under a name of their choosing. A rootless container counts only when
 * its first process is in a user namespace the user owns. */
START_TEST(test_rootless_claim_checked)
{
	const struct runtime_container *c;
	char *dir;

	need_root();
	put("run/user/1234/runc/" HEX_A "/state.json",
	    "{\"init_process_pid\":501,\"config\":{\"rootfs\":"
	    "\"/home/u/.local/share/containers/storage/overlay/" LAYER
	    "/merged\"}}");
	put("run/user/1234/runc/fake/state.json",
	    "{\"init_process_pid\":502,\"config\":{\"rootfs\":\"/x\"}}");
	ck_assert_int_ne(asprintf(&dir, "%s/run/user/1234/runc", fx.base), -1);
	ck_assert_int_eq(chown(dir, 1234, 1234), 0);
	free(dir);
	proc_pid(501, "rl", 0, 1234, NULL);	/* the user's own */
	proc_pid(502, "victim", 0, 0, NULL);	/* root's */

	c = runtimes_by_mntns(&fx.ri, mntns_of("rl"), T0);
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->id, HEX_A);
	ck_assert_str_eq(c->runtime, "podman");
	ck_assert_uint_eq(c->owner, 1234);
	ck_assert_str_eq(c->storage,
			 "/home/u/.local/share/containers/storage");
	ck_assert_ptr_null(runtimes_by_mntns(&fx.ri, mntns_of("victim"), T0));
	ck_assert_ptr_null(runtimes_by_id(&fx.ri, "fake", T0));
}
END_TEST

/* The attack: a state directory others may write, or one that is not
 * root's (outside /run/user), is no runtime's. */
START_TEST(test_untrusted_root_ignored)
{
	char *dir;

	need_root();
	put("run/runc/" HEX_A "/state.json",
	    "{\"init_process_pid\":401,\"config\":{\"rootfs\":\"/r\"}}");
	proc_pid(401, "pod", 0, 0, NULL);
	ck_assert_int_ne(asprintf(&dir, "%s/run/runc", fx.base), -1);
	ck_assert_int_eq(chown(dir, 1234, 1234), 0);
	ck_assert_ptr_null(runtimes_by_id(&fx.ri, HEX_A, T0));
	ck_assert_int_eq(chown(dir, 0, 0), 0);
	ck_assert_int_eq(chmod(dir, 0777), 0);
	runtimes_rescan(&fx.ri, T0 + 10000);
	ck_assert_ptr_null(runtimes_by_id(&fx.ri, HEX_A, T0 + 10000));
	ck_assert_int_eq(chmod(dir, 0755), 0);
	runtimes_rescan(&fx.ri, T0 + 20000);
	ck_assert_ptr_nonnull(runtimes_by_id(&fx.ri, HEX_A, T0 + 20000));
	free(dir);
}
END_TEST

/* The attack: state files that are symlinks (to a file the plugin should
 * not read) or FIFOs (a read that never ends): skipped, never waited on. */
START_TEST(test_state_links_and_fifos_skipped)
{
	char *path;

	need_root();
	put("secret", "{\"init_process_pid\":401,\"config\":{\"rootfs\":"
	    "\"/r\"}}");
	mkdirf("%s/run/runc/" HEX_A, fx.base);
	ck_assert_int_ne(asprintf(&path, "%s/run/runc/" HEX_A "/state.json",
				  fx.base), -1);
	ck_assert_int_eq(symlink("../../../secret", path), 0);
	free(path);
	mkdirf("%s/" TASKS "/default/fifo", fx.base);
	ck_assert_int_ne(asprintf(&path, "%s/" TASKS "/default/fifo/init.pid",
				  fx.base), -1);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	free(path);
	/* a directory of the index that is a symlink is not followed */
	mkdirf("%s/elsewhere/" HEX_B, fx.base);
	put("elsewhere/" HEX_B "/state.json",
	    "{\"init_process_pid\":401,\"config\":{\"rootfs\":\"/r\"}}");
	ck_assert_int_ne(asprintf(&path, "%s/run/runc/" HEX_B, fx.base), -1);
	ck_assert_int_eq(symlink("../../elsewhere/" HEX_B, path), 0);
	free(path);
	proc_pid(401, "pod", 0, 0, NULL);
	ck_assert_ptr_null(runtimes_by_mntns(&fx.ri, mntns_of("pod"), T0));
	ck_assert_uint_eq(fx.ri.count, 0);
}
END_TEST

/* A volume (and a rootless root) by device, as the container's own
 * mount table has it */
START_TEST(test_by_device)
{
	const struct runtime_container *c;

	need_root();
	put("run/runc/" HEX_A "/state.json",
	    "{\"init_process_pid\":401,\"config\":{\"rootfs\":\"/r/merged\"}}");
	proc_pid(401, "pod", 0, 0,
		 "97 71 0:40 / / rw - fuse.fuse-overlayfs fuse-overlayfs rw\n"
		 "98 97 254:1 /srv/vol /data rw - ext4 /dev/vda rw\n"
		 "99 98 0:50 / /data/tmp rw - tmpfs tmpfs rw\n");
	c = runtimes_by_device(&fx.ri, 254, 1, "/data/x", T0);
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->id, HEX_A);
	ck_assert_ptr_nonnull(runtimes_by_device(&fx.ri, 254, 1, "/data", T0));
	/* a name beside the mount point, or below a deeper mount */
	ck_assert_ptr_null(runtimes_by_device(&fx.ri, 254, 1, "/datax/y", T0));
	ck_assert_ptr_null(runtimes_by_device(&fx.ri, 254, 1, "/data/tmp/y",
					      T0));
	ck_assert_ptr_nonnull(runtimes_by_device(&fx.ri, 0, 50, "/data/tmp/y",
						 T0));
	ck_assert_ptr_nonnull(runtimes_by_device(&fx.ri, 0, 40, "/bin/x", T0));
	ck_assert_ptr_null(runtimes_by_device(&fx.ri, 254, 1, "rel", T0));
	ck_assert(runtimes_is_root_device(&fx.ri, c, 0, 40));
	ck_assert(!runtimes_is_root_device(&fx.ri, c, 254, 1));
}
END_TEST

/* A rescan keeps the mount tables it read lately: a host process's
 * miss costs the state files, not every container's mountinfo. */
START_TEST(test_mounts_kept_across_rescans)
{
	need_root();
	put("run/runc/" HEX_A "/state.json",
	    "{\"init_process_pid\":401,\"config\":{\"rootfs\":\"/r\"}}");
	proc_pid(401, "pod", 0, 0, "98 97 254:1 /v /data rw - ext4 x rw\n");
	ck_assert_ptr_nonnull(runtimes_by_device(&fx.ri, 254, 1, "/data/x",
						 T0));
	put("proc/401/mountinfo", "98 97 254:2 /v /data rw - ext4 x rw\n");
	/* a miss rescans the state, keeping the table read at T0 */
	ck_assert_ptr_null(runtimes_by_device(&fx.ri, 254, 2, "/data/x",
					      T0 + RUNTIMES_RESCAN_MS + 1));
	ck_assert_ptr_nonnull(runtimes_by_device(&fx.ri, 254, 1, "/data/x",
						 T0 + RUNTIMES_RESCAN_MS + 2));
	/* once older than the TTL, the table is read again */
	ck_assert_ptr_nonnull(runtimes_by_device(&fx.ri, 254, 2, "/data/x",
						 T0 + 2 * RUNTIMES_TTL_MS));
}
END_TEST

/* A state file parsed once is taken over while it is unchanged; a new
 * one is parsed again. */
START_TEST(test_state_reparsed_when_changed)
{
	const struct runtime_container *c;

	need_root();
	put("run/runc/" HEX_A "/state.json",
	    "{\"init_process_pid\":401,\"config\":{\"rootfs\":\"/r\"}}");
	proc_pid(401, "a", 0, 0, NULL);
	proc_pid(4020, "b", 0, 0, NULL);
	c = runtimes_by_id(&fx.ri, HEX_A, T0);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->init_pid, 401);
	runtimes_rescan(&fx.ri, T0 + 1);
	c = runtimes_by_id(&fx.ri, HEX_A, T0 + 1);
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->rootfs, "/r");
	put("run/runc/" HEX_A "/state.json",
	    "{\"init_process_pid\":4020,\"config\":{\"rootfs\":\"/r2\"}}");
	runtimes_rescan(&fx.ri, T0 + 2);
	c = runtimes_by_id(&fx.ri, HEX_A, T0 + 2);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->init_pid, 4020);
	ck_assert_str_eq(c->rootfs, "/r2");
}
END_TEST

/* Rescans: at most every RUNTIMES_RESCAN_MS on a miss. */
START_TEST(test_rescan_bounded)
{
	uint64_t scans;

	need_root();
	ck_assert_ptr_null(runtimes_by_id(&fx.ri, "x", T0));
	scans = fx.ri.scans;
	ck_assert_ptr_null(runtimes_by_id(&fx.ri, "x", T0 + 1));
	ck_assert_ptr_null(runtimes_by_mntns(&fx.ri, 42, T0 + 2));
	ck_assert_uint_eq(fx.ri.scans, scans);
	ck_assert_ptr_null(runtimes_by_id(&fx.ri, "x",
					  T0 + RUNTIMES_RESCAN_MS + 1));
	ck_assert_uint_eq(fx.ri.scans, scans + 1);
}
END_TEST

/* --- stable ids when no runtime knows the container ------------------------ */

START_TEST(test_stable_id)
{
	struct container_ref r;

	memset(&r, 0, sizeof(r));
	snprintf(r.runtime, sizeof(r.runtime), "unknown");
	r.mntns = 4026532179ULL;
	container_stable_id(&r);
	ck_assert_str_eq(r.id, "mntns-4026532179");

	memset(&r, 0, sizeof(r));
	snprintf(r.runtime, sizeof(r.runtime), "chroot");
	r.mntns = 4026531841ULL;
	r.root_dev = 0xfe00;
	r.root_ino = 0x1234;
	container_stable_id(&r);
	ck_assert_str_eq(r.id, "root-fe00-1234");

	/* a known id stays */
	snprintf(r.id, sizeof(r.id), "myname");
	container_stable_id(&r);
	ck_assert_str_eq(r.id, "myname");
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("runtimes");
	TCase *tp = tcase_create("parse");
	TCase *ti = tcase_create("index");

	tcase_add_test(tp, test_parse_runc_state);
	tcase_add_test(tp, test_parse_crun_and_oci);
	tcase_add_test(tp, test_parse_fixtures);
	tcase_add_test(tp, test_storage_of);
	tcase_add_test(tp, test_id_valid);
	tcase_add_test(tp, test_stable_id);
	suite_add_tcase(s, tp);

	tcase_add_checked_fixture(ti, fx_setup, fx_teardown);
	tcase_add_test(ti, test_containerd_tasks);
	tcase_add_test(ti, test_runc_and_crun);
	tcase_add_test(ti, test_reused_pid_not_trusted);
	tcase_add_test(ti, test_rootless_claim_checked);
	tcase_add_test(ti, test_untrusted_root_ignored);
	tcase_add_test(ti, test_state_links_and_fifos_skipped);
	tcase_add_test(ti, test_by_device);
	tcase_add_test(ti, test_rescan_bounded);
	tcase_add_test(ti, test_mounts_kept_across_rescans);
	tcase_add_test(ti, test_state_reparsed_when_changed);
	suite_add_tcase(s, ti);
	return s;
}
