/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_scope.c -- container attribution: cgroups, mounts, fallbacks */
#include "testlib.h"

#include <fcntl.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "candidate.h"
#include "intake/record.h"
#include "scope/scope.h"

/*
 * Fixtures (tests/fixtures):
 *   proc/4242/cgroup  podman container process (cgroup v1 hybrid, cgroupfs)
 *   proc/4243/cgroup  host shell in a login session
 *   proc/4245/cgroup  docker container (cgroup v2, systemd driver)
 *   every other pid   gone
 *   mountinfo         overlay roots: podman 0:40 (dev 00:28 of
 *                     podman-drops.log), docker overlay2 0:45, containerd
 *                     0:46, a mount point with "\040" 0:47; and other mounts
 */
#define PID_PODMAN	4242
#define PID_HOST	4243
#define PID_DOCKER	4245
#define PID_GONE	4244
#define PID_GONE2	4250

static const char podman_id[] =
	"c194a736a9b1c1deea3d1943ee7feb36110c5b55532300329845ba56b47a412c";
static const char docker_id[] =
	"3f4e8a1c2b7d9e0f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f";
static const char cid[] =
	"5e2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c";

/* --- cgroup_find_container ------------------------------------------------ */

#define ID64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const struct {
	const char *what;
	const char *text;
	const char *runtime;	/* NULL: not a container */
} cgroups[] = {
	{ "podman v1 unified line", "0::/libpod_parent/libpod-" ID64 "\n",
	  "podman" },
	{ "podman v1 pids", "8:pids:/libpod_parent/libpod-" ID64 "\n",
	  "podman" },
	{ "podman systemd", "0::/machine.slice/libpod-" ID64
	  ".scope/container\n", "podman" },
	{ "podman conmon", "0::/machine.slice/libpod-conmon-" ID64
	  ".scope\n", NULL },
	{ "docker v1", "12:memory:/docker/" ID64 "\n", "docker" },
	{ "docker v1 name=systemd", "1:name=systemd:/docker/" ID64,
	  "docker" },
	{ "docker systemd v2", "0::/system.slice/docker-" ID64 ".scope\n",
	  "docker" },
	{ "containerd CRI systemd",
	  "0::/kubepods.slice/kubepods-burstable.slice/"
	  "kubepods-burstable-pod9e1f6a4c_2b3d_4e5f_8a9b_0c1d2e3f4a5b.slice/"
	  "cri-containerd-" ID64 ".scope\n", "containerd" },
	{ "kubepods cgroupfs",
	  "0::/kubepods/besteffort/pod9e1f6a4c-2b3d-4e5f-8a9b-0c1d2e3f4a5b/"
	  ID64 "\n", "containerd" },
	{ "CRI-O", "0::/kubepods.slice/kubepods-besteffort.slice/"
	  "kubepods-besteffort-pod1234.slice/crio-" ID64 ".scope\n",
	  "cri-o" },
	{ "CRI-O conmon", "0::/kubepods.slice/kubepods-besteffort.slice/"
	  "kubepods-besteffort-pod1234.slice/crio-conmon-" ID64 ".scope\n",
	  NULL },
	{ "host init", "0::/init.scope\n", NULL },
	{ "host user session",
	  "0::/user.slice/user-1000.slice/session-2.scope\n", NULL },
	{ "host root", "0::/\n", NULL },
	{ "host v1 hybrid",
	  "9:name=systemd:/system.slice/ssh.service\n4:memory:/\n0::/\n",
	  NULL },
	{ "docker service itself",
	  "0::/system.slice/docker.service\n", NULL },
	{ "uppercase hex", "0::/system.slice/docker-"
	  "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"
	  ".scope\n", NULL },
	{ "63 hex digits", "0::/system.slice/docker-"
	  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde"
	  ".scope\n", NULL },
	{ "65 hex digits", "0::/system.slice/docker-" ID64 "0.scope\n",
	  NULL },
	{ "32 hex digits", "4:memory:/process_api/"
	  "90ec1c5bb0ce337bbbc0a7d8716cddc3\n", NULL },
	{ "no path field", "garbage without colons\n", NULL },
	{ "empty", "", NULL },
};

START_TEST(test_cgroup_layouts)
{
	struct container_ref ref;
	bool found;

	memset(&ref, 0, sizeof(ref));
	found = cgroup_find_container(cgroups[_i].text, &ref);
	if (!cgroups[_i].runtime) {
		ck_assert_msg(!found, "%s: taken for a container (%s %s)",
			      cgroups[_i].what, ref.runtime, ref.id);
		return;
	}
	ck_assert_msg(found, "%s: container not found", cgroups[_i].what);
	ck_assert_str_eq(ref.id, ID64);
	ck_assert_msg(!strcmp(ref.runtime, cgroups[_i].runtime),
		      "%s: runtime %s, expected %s", cgroups[_i].what,
		      ref.runtime, cgroups[_i].runtime);
	ck_assert(ref.in_container);
}
END_TEST

/* A container line anywhere in a multi-line v1 file is found. */
START_TEST(test_cgroup_container_on_later_line)
{
	struct container_ref ref;

	memset(&ref, 0, sizeof(ref));
	ck_assert(cgroup_find_container("9:name=systemd:/\n8:pids:/\n"
					"4:memory:/docker/" ID64 "\n0::/\n",
					&ref));
	ck_assert_str_eq(ref.id, ID64);
	ck_assert_str_eq(ref.runtime, "docker");
}
END_TEST

/* --- paths ---------------------------------------------------------------- */

START_TEST(test_path_excluded)
{
	ck_assert(path_is_excluded("memfd:payload"));
	ck_assert(path_is_excluded("memfd: (deleted)"));
	ck_assert(path_is_excluded("/dev/shm/x"));
	ck_assert(path_is_excluded("/dev/shm/sub/dir/x"));
	ck_assert(path_is_excluded("/run/shm/x"));

	ck_assert(!path_is_excluded("/dev/shmx"));
	ck_assert(!path_is_excluded("/dev/shm"));
	ck_assert(!path_is_excluded("/run/shmem/x"));
	ck_assert(!path_is_excluded("/tmp/x"));
	ck_assert(!path_is_excluded("/tmp/memfd:x"));
	ck_assert(!path_is_excluded("/tmp/dev/shm/x"));
	ck_assert(!path_is_excluded("dev/shm/x"));
	ck_assert(!path_is_excluded(""));
}
END_TEST

/* ".." and "//" must not hide a file from, or push one into, the
 * shared-memory exclusion. */
START_TEST(test_shm_dir_normalised)
{
	ck_assert_str_eq(path_shm_dir("/dev/shm/x"), "/dev/shm");
	ck_assert_str_eq(path_shm_dir("/run/shm/a/b"), "/run/shm");
	ck_assert_str_eq(path_shm_dir("//dev//shm/./x"), "/dev/shm");
	ck_assert_str_eq(path_shm_dir("/tmp/../dev/shm/x"), "/dev/shm");
	ck_assert_ptr_null(path_shm_dir("/dev/shm/../tmp/evil"));
	ck_assert_ptr_null(path_shm_dir("/dev/shm/../../tmp/evil"));
	ck_assert_ptr_null(path_shm_dir("/dev/shm"));
	ck_assert_ptr_null(path_shm_dir("/tmp/x"));
}
END_TEST

/* --- mountinfo ------------------------------------------------------------ */

static char *read_mountinfo(void)
{
	return test_read_file(FIXTURE_DIR "/mountinfo", NULL);
}

/* Parse the NUL-terminated mountinfo TEXT into T (mounts.h). */
static int parse_text(struct mount_table *t, const char *text)
{
	return mounts_parse_text(t, text, strlen(text));
}

START_TEST(test_mount_table_overlays_only)
{
	struct mount_table t;
	const struct overlay_mount *m;
	char *text = read_mountinfo();

	ck_assert_int_eq(parse_text(&t, text), 0);
	/* podman, docker, containerd, "my merged": not ext4, proc, tmpfs,
	 * nfs, nor fuse.overlay */
	ck_assert_uint_eq(t.overlay_count, 4);

	m = mounts_find_overlay(&t, 0, 40);
	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(m->mountpoint,
			 "/var/lib/containers/storage/overlay/c763968e354a09"
			 "d517c4c8d45dbaf25ad370243044697fe68ec32f25bd1827c4/"
			 "merged");
	m = mounts_find_overlay(&t, 0, 47);
	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(m->mountpoint,
			 "/var/lib/containers/storage/overlay/0123abcd/"
			 "my merged");
	ck_assert_ptr_null(mounts_find_overlay(&t, 254, 0));	/* ext4 */
	ck_assert_ptr_null(mounts_find_overlay(&t, 0, 23));	/* tmpfs */
	ck_assert_ptr_null(mounts_find_overlay(&t, 0, 48));	/* fuse */
	ck_assert_ptr_null(mounts_find_overlay(&t, 0, 99));
	mounts_free(&t);
	ck_assert_uint_eq(t.overlay_count, 0);
	free(text);
}
END_TEST

START_TEST(test_mount_table_odd_input)
{
	struct mount_table t;

	ck_assert_int_eq(parse_text(&t, ""), 0);
	ck_assert_uint_eq(t.overlay_count, 0);
	mounts_free(&t);
	ck_assert_int_eq(parse_text(&t, "garbage\n\n1 2 3\n"
				    "1 2 x:y / /m rw - overlay o rw\n"
				    "7 1 0:50 / /ok rw - overlay o rw"),
			 0);
	ck_assert_uint_eq(t.overlay_count, 1);	/* the last, unterminated */
	ck_assert_ptr_nonnull(mounts_find_overlay(&t, 0, 50));
	ck_assert_str_eq(mounts_find_overlay(&t, 0, 50)->mountpoint, "/ok");
	mounts_free(&t);
}
END_TEST

START_TEST(test_mountpoint_container)
{
	struct container_ref ref;
	char mp[256];

	memset(&ref, 0, sizeof(ref));
	mountpoint_container("/var/lib/docker/overlay2/9a8b7c6d5e4f3a2b1c0d9e8f"
			     "7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b/merged",
			     &ref);
	ck_assert(ref.in_container);
	ck_assert_int_eq(ref.source, SCOPE_SRC_MOUNT);
	ck_assert_str_eq(ref.runtime, "docker");
	/* overlay2 dirs are layer ids, not container ids */
	ck_assert_str_eq(ref.id, "");

	memset(&ref, 0, sizeof(ref));
	snprintf(mp, sizeof(mp), "/run/containerd/io.containerd.runtime.v2."
		 "task/k8s.io/%s/rootfs", cid);
	mountpoint_container(mp, &ref);
	ck_assert(ref.in_container);
	ck_assert_int_eq(ref.source, SCOPE_SRC_MOUNT);
	ck_assert_str_eq(ref.runtime, "containerd");
	ck_assert_str_eq(ref.id, cid);

	/* a container named by hand ("ctr run IMAGE mytask"): its name is
	 * its id */
	memset(&ref, 0, sizeof(ref));
	mountpoint_container("/run/containerd/io.containerd.runtime.v2.task/"
			     "default/my-task.1/rootfs", &ref);
	ck_assert_str_eq(ref.runtime, "containerd");
	ck_assert_str_eq(ref.id, "my-task.1");

	/* what no runtime accepts as a name gives no id */
	memset(&ref, 0, sizeof(ref));
	mountpoint_container("/run/containerd/io.containerd.runtime.v2.task/"
			     "default/-x\"y/rootfs", &ref);
	ck_assert_str_eq(ref.runtime, "containerd");
	ck_assert_str_eq(ref.id, "");
}
END_TEST

/* --- scope_lookup_pid / scope_decide on the fixture procfs ---------------- */

static struct scope_ctx sc;

static void scope_setup(void)
{
	ck_assert_int_eq(scope_init(&sc, FIXTURE_DIR "/proc",
				    FIXTURE_DIR "/mountinfo"), 0);
}

static void scope_teardown(void)
{
	scope_free(&sc);
}

static struct candidate *cand(pid_t pid, pid_t ppid, unsigned int major,
			      unsigned int minor)
{
	struct candidate *c = candidate_new();

	ck_assert_ptr_nonnull(c);
	c->pid = pid;
	c->ppid = ppid;
	c->has_inode = true;
	c->inode = 1073288;
	c->dev_major = major;
	c->dev_minor = minor;
	c->path = strdup("/tmp/dropped");
	return c;
}

START_TEST(test_lookup_pid)
{
	struct container_ref ref;

	memset(&ref, 0, sizeof(ref));
	ck_assert_int_eq(scope_lookup_pid(&sc, PID_PODMAN, &ref), 1);
	ck_assert_str_eq(ref.id, podman_id);
	ck_assert_str_eq(ref.runtime, "podman");

	memset(&ref, 0, sizeof(ref));
	ck_assert_int_eq(scope_lookup_pid(&sc, PID_DOCKER, &ref), 1);
	ck_assert_str_eq(ref.id, docker_id);
	ck_assert_str_eq(ref.runtime, "docker");

	memset(&ref, 0, sizeof(ref));
	ck_assert_int_eq(scope_lookup_pid(&sc, PID_HOST, &ref), 0);
	ck_assert(!ref.in_container);
	ck_assert_int_eq(scope_lookup_pid(&sc, PID_GONE, &ref), -1);
	ck_assert_int_eq(scope_lookup_pid(&sc, 0, &ref), -1);
	ck_assert_int_eq(scope_lookup_pid(&sc, -1, &ref), -1);
}
END_TEST

START_TEST(test_decide_live_container_pid)
{
	struct candidate *c = cand(PID_PODMAN, PID_HOST, 0, 0x28);

	scope_decide(&sc, c);
	ck_assert(c->container.in_container);
	ck_assert_int_eq(c->container.source, SCOPE_SRC_PID);
	ck_assert_str_eq(c->container.id, podman_id);
	ck_assert_str_eq(c->container.runtime, "podman");
	candidate_free(c);
}
END_TEST

/* A live host process is on the host, whatever its device. */
START_TEST(test_decide_host_pid)
{
	struct candidate *c = cand(PID_HOST, 1, 0, 0x28);

	scope_decide(&sc, c);
	ck_assert(!c->container.in_container);
	ck_assert_str_eq(c->container.id, "");
	candidate_free(c);
}
END_TEST

/* A short-lived writer (cp) is gone; its parent shell is not. */
START_TEST(test_decide_parent_in_container)
{
	struct candidate *c = cand(PID_GONE, PID_PODMAN, 254, 0);

	scope_decide(&sc, c);
	ck_assert(c->container.in_container);
	ck_assert_int_eq(c->container.source, SCOPE_SRC_PPID);
	ck_assert_str_eq(c->container.id, podman_id);
	candidate_free(c);
}
END_TEST

/* Both gone: the PATH device names the container's overlay root.
 * Audit's dev=00:28 is hex; mountinfo says 0:40. */
START_TEST(test_decide_both_gone_overlay_mount)
{
	struct candidate *c = cand(PID_GONE, PID_GONE2, 0x00, 0x28);

	scope_decide(&sc, c);
	ck_assert(c->container.in_container);
	ck_assert_int_eq(c->container.source, SCOPE_SRC_MOUNT);
	candidate_free(c);

	c = cand(PID_GONE, PID_GONE2, 0x00, 0x2d);	/* 0:45 docker */
	scope_decide(&sc, c);
	ck_assert(c->container.in_container);
	ck_assert_int_eq(c->container.source, SCOPE_SRC_MOUNT);
	ck_assert_str_eq(c->container.runtime, "docker");
	candidate_free(c);
}
END_TEST

START_TEST(test_decide_both_gone_unknown_dev)
{
	struct candidate *c = cand(PID_GONE, PID_GONE2, 0xfe, 0x00);

	scope_decide(&sc, c);
	ck_assert(!c->container.in_container);
	ck_assert_int_eq(c->container.source, SCOPE_SRC_NONE);
	candidate_free(c);

	/* without an inode the device means nothing */
	c = cand(PID_GONE, PID_GONE2, 0x00, 0x28);
	c->has_inode = false;
	scope_decide(&sc, c);
	ck_assert(!c->container.in_container);
	candidate_free(c);
}
END_TEST

/* A stale attribution on the candidate is not kept. */
START_TEST(test_decide_resets_previous)
{
	struct candidate *c = cand(PID_HOST, 1, 0, 0x28);

	c->container.in_container = true;
	c->container.source = SCOPE_SRC_PID;
	memcpy(c->container.id, docker_id, CONTAINER_ID_LEN);
	scope_decide(&sc, c);
	ck_assert(!c->container.in_container);
	ck_assert_str_eq(c->container.id, "");
	candidate_free(c);
}
END_TEST

/* --- the root file system decides with the cgroup -------------------------- */

#define CLAIMED_ID \
	"1111111111111111111111111111111111111111111111111111111111111111"

/*
 * A procfs tree: pid 1 (root H; "self", the plugin, is pid 1 here), 77 (root C, cgroup of no container,
 * mount namespace of its own), 78 (root C, but the cgroup of container
 * CLAIMED_ID, whose runc state says its root is B), 79 (root B, cgroup of
 * CLAIMED_ID: the real thing), 80 (root C, init's mount namespace: a
 * chroot), 81 (the host's root, init's cgroup).
 */
static struct {
	char *base, *proc;
	struct scope_ctx sc;
} rt;

static void mk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void mk(const char *fmt, ...)
{
	char *path;
	va_list ap;

	va_start(ap, fmt);
	ck_assert_int_ne(vasprintf(&path, fmt, ap), -1);
	va_end(ap);
	ck_assert_msg(mkdir(path, 0755) == 0, "mkdir %s", path);
	free(path);
}

static void ln(const char *target, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void ln(const char *target, const char *fmt, ...)
{
	char *path;
	va_list ap;

	va_start(ap, fmt);
	ck_assert_int_ne(vasprintf(&path, fmt, ap), -1);
	va_end(ap);
	ck_assert_int_eq(symlink(target, path), 0);
	free(path);
}

static void pid_dir(int pid, const char *root, const char *cgroup,
		    const char *mntns)
{
	char *dir, *target;

	ck_assert_int_ne(asprintf(&dir, "%s/%d", rt.proc, pid), -1);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	free(test_write_file(dir, "cgroup", cgroup, strlen(cgroup), 0444));
	mk("%s/ns", dir);
	ck_assert_int_ne(asprintf(&target, "%s/%s", rt.base, root), -1);
	ln(target, "%s/root", dir);
	free(target);
	ck_assert_int_ne(asprintf(&target, "%s/%s", rt.base, mntns), -1);
	ln(target, "%s/ns/mnt", dir);
	free(target);
	free(dir);
}

static void root_setup(void)
{
	char *state;

	rt.base = test_mkdtemp();
	ck_assert_int_ne(asprintf(&rt.proc, "%s/proc", rt.base), -1);
	mk("%s", rt.proc);
	mk("%s/H", rt.base);
	mk("%s/B", rt.base);
	mk("%s/C", rt.base);
	free(test_write_file(rt.base, "mntns-host", "", 0, 0444));
	free(test_write_file(rt.base, "mntns-c", "", 0, 0444));
	pid_dir(1, "H", "0::/init.scope\n", "mntns-host");
	ln("1", "%s/self", rt.proc);	/* the plugin is a host process */
	pid_dir(77, "C", "0::/\n", "mntns-c");
	pid_dir(78, "C", "0::/machine.slice/libpod-" CLAIMED_ID ".scope\n",
		"mntns-c");
	pid_dir(79, "B", "0::/machine.slice/libpod-" CLAIMED_ID ".scope\n",
		"mntns-c");
	pid_dir(80, "C", "0::/user.slice\n", "mntns-host");
	pid_dir(81, "H", "0::/user.slice\n", "mntns-host");
	mk("%s/run", rt.base);
	mk("%s/run/runc", rt.base);
	mk("%s/run/runc/" CLAIMED_ID, rt.base);
	ck_assert_int_ne(asprintf(&state, "%s/run/runc/" CLAIMED_ID,
				  rt.base), -1);
	{
		static const char json[] =
			"{\"id\":\"x\",\"config\":{\"rootfs\":\"/B\"}}";

		free(test_write_file(state, "state.json", json,
				     sizeof(json) - 1, 0444));
	}
	free(state);
	ck_assert_int_eq(scope_init(&rt.sc, rt.proc, FIXTURE_DIR "/mountinfo"),
			 0);
	ck_assert(rt.sc.host_known);
	ck_assert_int_eq(scope_set_state_root(&rt.sc, rt.base), 0);
}

static void root_teardown(void)
{
	scope_free(&rt.sc);
	test_rmtree(rt.base);
	free(rt.base);
	free(rt.proc);
}

/* The attack: leave the container's cgroup for the root cgroup. The root
 * file system still says "container". */
START_TEST(test_root_cgroup_does_not_hide)
{
	struct container_ref ref;

	memset(&ref, 0, sizeof(ref));
	ck_assert_int_eq(scope_lookup_pid(&rt.sc, 77, &ref), 1);
	ck_assert(ref.in_container);
	ck_assert_int_eq(ref.source, SCOPE_SRC_ROOT);
	ck_assert_str_eq(ref.runtime, "unknown");
	ck_assert_str_eq(ref.id, "");
	/* a host process stays one */
	memset(&ref, 0, sizeof(ref));
	ck_assert_int_eq(scope_lookup_pid(&rt.sc, 81, &ref), 0);
}
END_TEST

/* A chroot on the host: another root, init's mount namespace. */
START_TEST(test_chroot_labelled)
{
	struct container_ref ref;

	memset(&ref, 0, sizeof(ref));
	ck_assert_int_eq(scope_lookup_pid(&rt.sc, 80, &ref), 1);
	ck_assert_int_eq(ref.source, SCOPE_SRC_ROOT);
	ck_assert_str_eq(ref.runtime, "chroot");
}
END_TEST

/* The attack: join another container's cgroup. Its runtime's state names
 * another root: the finding does not name the victim. */
START_TEST(test_joined_cgroup_not_trusted)
{
	struct container_ref ref;

	memset(&ref, 0, sizeof(ref));
	ck_assert_int_eq(scope_lookup_pid(&rt.sc, 78, &ref), 1);
	ck_assert_int_eq(ref.source, SCOPE_SRC_ROOT);
	ck_assert_str_eq(ref.id, "");
	ck_assert_str_eq(ref.cgroup_claim, CLAIMED_ID);
	/* the container's own process is attributed to it */
	memset(&ref, 0, sizeof(ref));
	ck_assert_int_eq(scope_lookup_pid(&rt.sc, 79, &ref), 1);
	ck_assert_str_eq(ref.id, CLAIMED_ID);
	ck_assert_str_eq(ref.runtime, "podman");
	ck_assert_str_eq(ref.cgroup_claim, "");
}
END_TEST

/* containerd's state of a container named by hand ("ctr run IMAGE
 * myname"): its first process PID, mount namespace MNTNS */
static void ctr_task(int pid, const char *name, const char *mntns)
{
	char *dir, *text;

	pid_dir(pid, "C2", "0::/default/myname\n", mntns);
	ck_assert_int_ne(asprintf(&dir, "%s/run/containerd/io.containerd."
				  "runtime.v2.task/default/%s", rt.base, name),
			 -1);
	{
		char *cmd;

		ck_assert_int_ne(asprintf(&cmd, "mkdir -p '%s'", dir), -1);
		ck_assert_int_eq(system(cmd), 0);
		free(cmd);
	}
	ck_assert_int_ne(asprintf(&text, "%d\n", pid), -1);
	free(test_write_file(dir, "init.pid", text, strlen(text), 0644));
	free(text);
	free(dir);
}

/* A containerd container with a plain name: its cgroup names no known
 * runtime, its root is not the host's; containerd's state names the
 * container whose first process has the writer's mount namespace. */
START_TEST(test_root_named_by_runtime_state)
{
	struct container_ref ref;

	if (geteuid() != 0)
		test_skip("needs root (state directories owned by root)");
	mk("%s/C2", rt.base);
	free(test_write_file(rt.base, "mntns-ctr", "", 0, 0444));
	ctr_task(90, "myname", "mntns-ctr");
	pid_dir(91, "C2", "0::/default/myname\n", "mntns-ctr");
	memset(&ref, 0, sizeof(ref));
	ck_assert_int_eq(scope_lookup_pid(&rt.sc, 91, &ref), 1);
	ck_assert_int_eq(ref.source, SCOPE_SRC_ROOT);
	ck_assert_str_eq(ref.id, "myname");
	ck_assert_str_eq(ref.runtime, "containerd");
	ck_assert_int_eq(ref.root_pid, 90);
	/* another mount namespace with the same cgroup is not that
	 * container (a cgroup is no proof): unknown, with a stable id */
	memset(&ref, 0, sizeof(ref));
	ck_assert_int_eq(scope_lookup_pid(&rt.sc, 77, &ref), 1);
	ck_assert_str_eq(ref.runtime, "unknown");
	ck_assert_str_eq(ref.id, "");
	ck_assert(ref.mntns != 0);
	container_stable_id(&ref);
	ck_assert_int_eq(strncmp(ref.id, "mntns-", 6), 0);
}
END_TEST

/* The race: a writer that has just exited (a zombie) still shows its
 * cgroup, which names nothing, but no root any more. It is gone, not a
 * host process: its parent decides. */
START_TEST(test_exited_writer_not_host)
{
	struct candidate *c;

	pid_dir(92, "nonexistent", "0::/default/myname\n", "mntns-c");
	c = test_candidate("/tmp/x");
	c->pid = 92;
	c->ppid = 77;		/* root C, no cgroup: a container */
	scope_decide(&rt.sc, c);
	ck_assert(c->container.in_container);
	ck_assert_int_eq(c->container.source, SCOPE_SRC_ROOT);
	candidate_free(c);
}
END_TEST

/* A short-lived writer into a volume, gone with its parent: the running
 * container whose own mount table has the file's device above its name */
START_TEST(test_decide_gone_writer_in_volume)
{
	struct candidate *c;
	char *dir;
	static const char mi[] =
		"71 48 0:39 / / rw - overlay overlay rw\n"
		"72 71 254:1 /srv/vol /data rw - ext4 /dev/vda rw\n";

	if (geteuid() != 0)
		test_skip("needs root (state directories owned by root)");
	mk("%s/C2", rt.base);
	free(test_write_file(rt.base, "mntns-ctr", "", 0, 0444));
	ctr_task(90, "myname", "mntns-ctr");
	ck_assert_int_ne(asprintf(&dir, "%s/90", rt.proc), -1);
	free(test_write_file(dir, "mountinfo", mi, sizeof(mi) - 1, 0444));
	free(dir);

	c = test_candidate("/data/x");
	c->pid = 9991;
	c->ppid = 9992;
	c->dev_major = 254;
	c->dev_minor = 1;
	scope_decide(&rt.sc, c);
	ck_assert(c->container.in_container);
	ck_assert_int_eq(c->container.source, SCOPE_SRC_MOUNT);
	ck_assert_str_eq(c->container.id, "myname");
	ck_assert_int_eq(c->container.root_pid, 90);
	/* beside the volume: the host's */
	free(c->path);
	c->path = strdup("/srv/vol/x");
	scope_decide(&rt.sc, c);
	ck_assert(!c->container.in_container);
	/* before the names are made (the reader decides scope first): the
	 * file's PATH item, against the CWD record */
	free(c->path);
	c->path = NULL;
	c->npaths = 1;
	free(c->paths[0].name);
	c->paths[0].name = strdup("x");
	c->paths[0].has_inode = true;
	c->paths[0].inode = c->inode;
	c->paths[0].dev_major = 254;
	c->paths[0].dev_minor = 1;
	free(c->cwd);
	c->cwd = strdup("/data");
	c->dirfd = AT_FDCWD;
	scope_decide(&rt.sc, c);
	ck_assert(c->container.in_container);
	ck_assert_str_eq(c->container.id, "myname");
	candidate_free(c);
}
END_TEST

/* The parent's comm and exe: read once per pid_ttl_ms, again after
 * scope_forget_pid() (an execution), every time without a ttl. */
START_TEST(test_parent_read_once)
{
	char *base = test_mkdtemp();
	struct scope_ctx ps;
	struct candidate *c;
	char *dir, *exe;
	int i;

	ck_assert_int_ne(asprintf(&dir, "%s/77", base), -1);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	free(test_write_file(dir, "comm", "sh\n", 3, 0644));
	ck_assert_int_ne(asprintf(&exe, "%s/exe", dir), -1);
	ck_assert_int_eq(symlink("/bin/sh", exe), 0);
	ck_assert_int_eq(scope_init(&ps, base, FIXTURE_DIR "/mountinfo"), 0);
	static const char *const comm[] = { "sh\n", "awk\n", "ls\n", "cp\n" };
	static const char *const want[] = { "sh", "sh", "awk", "awk", "ls",
					     "cp" };
	/* steps: ttl, ttl (changed: cached), forgotten, ttl, no ttl (each
	 * time read) */
	for (i = 0; i < 6; i++) {
		ps.pid_ttl_ms = i >= 4 ? 0 : 60000;
		if (i == 2)
			scope_forget_pid(&ps, 77);
		c = cand(PID_PODMAN, 77, 0, 0x28);
		scope_read_parent(&ps, c);
		ck_assert_str_eq(c->parent_comm, want[i]);
		ck_assert_str_eq(c->parent_exe, "/bin/sh");
		candidate_free(c);
		if (i < 4 && i % 2 == 0)
			free(test_write_file(dir, "comm", comm[i / 2 + 1],
					     strlen(comm[i / 2 + 1]), 0644));
		if (i == 4)
			free(test_write_file(dir, "comm", comm[3], 3, 0644));
	}
	/* gone: nothing, and nothing kept */
	ps.pid_ttl_ms = 60000;
	c = cand(PID_PODMAN, 78, 0, 0x28);
	scope_read_parent(&ps, c);
	ck_assert_ptr_null(c->parent_comm);
	ck_assert_ptr_null(c->parent_exe);
	candidate_free(c);
	scope_free(&ps);
	free(exe);
	free(dir);
	test_rmtree(base);
	free(base);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("scope");
	TCase *tc = tcase_create("cgroup");
	TCase *tm = tcase_create("mounts");
	TCase *td = tcase_create("decide");

	tcase_add_loop_test(tc, test_cgroup_layouts, 0,
			    sizeof(cgroups) / sizeof(cgroups[0]));
	tcase_add_test(tc, test_cgroup_container_on_later_line);
	tcase_add_test(tc, test_path_excluded);
	tcase_add_test(tc, test_shm_dir_normalised);
	suite_add_tcase(s, tc);

	tcase_add_test(tm, test_mount_table_overlays_only);
	tcase_add_test(tm, test_mount_table_odd_input);
	tcase_add_test(tm, test_mountpoint_container);
	suite_add_tcase(s, tm);

	tcase_add_checked_fixture(td, scope_setup, scope_teardown);
	tcase_add_test(td, test_lookup_pid);
	tcase_add_test(td, test_decide_live_container_pid);
	tcase_add_test(td, test_decide_host_pid);
	tcase_add_test(td, test_decide_parent_in_container);
	tcase_add_test(td, test_decide_both_gone_overlay_mount);
	tcase_add_test(td, test_decide_both_gone_unknown_dev);
	tcase_add_test(td, test_decide_resets_previous);
	tcase_add_test(td, test_parent_read_once);
	suite_add_tcase(s, td);

	{
		TCase *tr = tcase_create("root");

		tcase_add_checked_fixture(tr, root_setup, root_teardown);
		tcase_add_test(tr, test_root_cgroup_does_not_hide);
		tcase_add_test(tr, test_chroot_labelled);
		tcase_add_test(tr, test_joined_cgroup_not_trusted);
		tcase_add_test(tr, test_root_named_by_runtime_state);
		tcase_add_test(tr, test_decide_gone_writer_in_volume);
		tcase_add_test(tr, test_exited_writer_not_host);
		suite_add_tcase(s, tr);
	}
	return s;
}
