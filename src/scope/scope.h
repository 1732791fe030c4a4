/* SPDX-License-Identifier: GPL-2.0-or-later */
/* scope.h -- is a write inside a container, and which one? */
#ifndef DROPEXEC_SCOPE_H
#define DROPEXEC_SCOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "candidate.h"
#include "scope/mounts.h"
#include "scope/runtimes.h"

/*
 * Per-thread lookup state. PROC is the procfs root ("/proc"; tests point
 * it at a fixture tree) and MOUNTINFO the file listing host mounts, read
 * into MOUNTS (mounts.h) when a device is not known yet.
 */
#define PID_CACHE_SIZE	512

/* The verdict of one /proc/PID/cgroup read, kept for a short time. */
struct pid_verdict {
	pid_t pid;
	int rc;			/* as scope_lookup_pid() returns */
	struct container_ref ref;
	uint64_t when_ms;
};

/* The comm and exe of a writer's parent (scope_read_parent()), kept as
 * the verdicts are: a shell writing many files has them read once. */
#define PARENT_CACHE_SIZE	64

struct parent_info {
	pid_t pid;
	uint64_t when_ms;
	char *comm, *exe;	/* NULL: not read */
};

/* A container's root file system, by its runtime's state. */
#define ROOTFS_CACHE_SIZE	64

struct rootfs_entry {
	char id[CONTAINER_ID_LEN + 1];
	bool found;
	dev_t dev;
	ino_t ino;
	uint64_t when_ms;
};

struct scope_ctx {
	char *proc;
	char *mountinfo;
	char *state_root;	/* "" for the real /run; tests: a tree */
	/* the host's root and mount namespace (the plugin's own): a process
	 * with another root is in a container (or a chroot), whatever its
	 * cgroup says */
	bool host_known;
	dev_t host_root_dev;
	ino_t host_root_ino;
	ino_t host_mntns;
	struct rootfs_entry rootfs[ROOTFS_CACHE_SIZE];
	size_t rootfs_next;
	struct mount_table mounts;
	struct mount_watch mounts_watch;	/* MOUNTINFO, as MOUNTS read */
	uint64_t mounts_asked_ms;	/* MOUNTS_WATCH last asked */
	uint64_t event_ms;		/* scope_set_event_time() */
	/* running containers by their runtimes' state (runtimes.h) */
	struct runtime_index rt;
	/* 0: no cache. A busy host process writing many files costs one
	 * read per PID_TTL instead of one per write. */
	unsigned int pid_ttl_ms;
	struct pid_verdict pids[PID_CACHE_SIZE];
	struct parent_info parents[PARENT_CACHE_SIZE];
};

/*
 * Find a container in the text of a /proc/PID/cgroup file (cgroup v1 or
 * v2; docker, containerd/CRI, CRI-O and podman layouts). Fills OUT->id and
 * OUT->runtime and returns true when one is named.
 */
bool cgroup_find_container(const char *text, struct container_ref *out);

/* A memfd file's name as the kernel gives it ("memfd:NAME"). */
bool path_is_memfd(const char *path);

/* Paths never reported, as in Tracee: memfd:, /dev/shm/, /run/shm/.
 * PATH is compared as written: normalise it first. */
bool path_is_excluded(const char *path);

/* The shared-memory directory ("/dev/shm", "/run/shm") that the name
 * PATH points below once ".", ".." and "//" are removed, or NULL. */
const char *path_shm_dir(const char *path);

/* Guess the runtime (and container id where the path holds it) from an
 * overlay mount point. */
void mountpoint_container(const char *mountpoint, struct container_ref *out);

int scope_init(struct scope_ctx *s, const char *proc, const char *mountinfo);
/* Where runtime state is read (tests: a fixture tree holding run/...). */
int scope_set_state_root(struct scope_ctx *s, const char *root);
struct config;
/* The runtimes' state directories of CFG ([runtimes]); read at start. */
int scope_configure(struct scope_ctx *s, const struct config *cfg);
/* The runtimes' state directories ([runtimes] of the configuration). */
int scope_set_runtime_roots(struct scope_ctx *s,
			    const struct runtime_roots *roots);
void scope_free(struct scope_ctx *s);

/*
 * Is PID in a container, and which? Its cgroup says, cross-checked with
 * its root file system (/proc/PID/root against the host's, which is the
 * plugin's own):
 *  - a cgroup that names no container, but a root that is not the host's:
 *    in a container all the same (SCOPE_SRC_ROOT). The runtime whose
 *    state names a container with the writer's mount namespace gives id
 *    and runtime (runtimes.h: a rootless podman, a containerd container
 *    with a plain name); else runtime "chroot" when the mount namespace
 *    is the host's, "unknown" otherwise, and no id (the overlay mount of
 *    the file may name the container later; container_stable_id()
 *    otherwise);
 *  - a cgroup that names container X, whose runtime state (runc's
 *    state.json) gives a root file system that is not the writer's: the
 *    writer joined X's cgroup from elsewhere; attributed by its root, X
 *    kept in OUT->cgroup_claim.
 * Returns 1 when PID is in a container (OUT filled), 0 when it is a host
 * process, -1 when the process is gone.
 */
int scope_lookup_pid(struct scope_ctx *s, pid_t pid,
		     struct container_ref *out);

/* Forget the cached verdict on PID (scope_lookup_pid() reads its cgroup
 * and root again next time), and its comm and exe as a parent. */
void scope_forget_pid(struct scope_ctx *s, pid_t pid);

/* The verdict on PID that scope_lookup_pid() keeps (1, 0 or -1 as it
 * returns them), or -2 when none is kept: no /proc read. */
int scope_cached_pid(struct scope_ctx *s, pid_t pid);

/*
 * The answers that follow (scope_find_mount(), scope_host_dev_class(),
 * scope_host_mount_of()) are about an event that reached the plugin at
 * MS (monotonic milliseconds, now_ms(); its call had ended by then; 0:
 * answer as of now). The host's table is asked whether it changed unless
 * it was last asked after that: a table unchanged since the call ended
 * lists every mount the call could have used, and none that was gone by
 * then, so a run of events costs one question, not one each. (Not the
 * audit stamp: it is taken when the call starts, and a call can wait
 * long between its start and its walk of the name.)
 */
void scope_set_event_time(struct scope_ctx *s, uint64_t ms);

/* The overlay mount with device MAJOR:MINOR in the host's mountinfo,
 * read again whenever it changed (mount_watch): a container started a
 * moment ago is listed, one removed is not, even when its device number
 * is taken by the next. Valid until a later call reloads the table; its
 * MOUNT member has the upperdir and lowerdir. */
const struct overlay_mount *scope_find_mount(struct scope_ctx *s,
					     unsigned int major,
					     unsigned int minor);

/* What may be done with a file on device MAJOR:MINOR, by the host's mount
 * table (read again as scope_find_mount() does). MOUNT_DEV_UNKNOWN: a
 * mount only a container sees. */
enum mount_dev_class scope_host_dev_class(struct scope_ctx *s,
					  unsigned int major,
					  unsigned int minor);

/* The host's mount that holds the host path PATH (the deepest mount
 * point above it, by name alone: nothing on the way is touched), or
 * NULL. Valid until a later call reloads the table. */
const struct mount_entry *scope_host_mount_of(struct scope_ctx *s,
					      const char *path);

/*
 * Attribute candidate C: its writer's cgroup, else its parent's, else the
 * overlay mount of its PATH device (the container whose runtime state
 * names that mount as its root, else what the mount point says), else
 * the running container whose own mount table has that device mounted
 * above PATH (a volume, a tmpfs, a FUSE root of a rootless container:
 * the check then finds the file through that container's first process).
 * Sets C->container.
 */
void scope_decide(struct scope_ctx *s, struct candidate *c);

/*
 * An id for REF when no runtime named the container: "mntns-INODE" of
 * its mount namespace, or for a chroot "root-DEV-INODE" of its root
 * directory (hex). Stable while it runs. Leaves a known id alone.
 */
void container_stable_id(struct container_ref *ref);

/* Note the parent's comm and exe while it lives (C->parent_comm/exe);
 * with pid_ttl_ms, read once per that time and pid (an execution by the
 * parent, scope_forget_pid(), reads them again). */
void scope_read_parent(struct scope_ctx *s, struct candidate *c);

#endif
