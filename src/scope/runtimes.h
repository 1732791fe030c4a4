/* SPDX-License-Identifier: GPL-2.0-or-later */
/* runtimes.h -- running containers, as their runtimes' own state says
 *
 * Every runtime keeps, for each running container, a small directory on a
 * tmpfs that names the container, its first process and its root file
 * system. That state, written by the runtime (root, or the user of a
 * rootless runtime), is what attribution trusts; nothing a container
 * controls (comm, exe, its cgroup, the names of its directories) is.
 *
 *   containerd, and Docker, CRI, k3s, RKE2 and microk8s through it:
 *     STATE/io.containerd.runtime.v2.task/NAMESPACE/ID/init.pid
 *     .../config.json (root.path: the root file system; annotations)
 *     (namespace "moby" is Docker's)
 *   runc (podman, CRI-O, Docker's own copy): ROOT/ID/state.json
 *     (init_process_pid, init_process_start, config.rootfs)
 *   crun: ROOT/ID/status (pid, rootfs)
 *   rootless runtimes: the same below /run/user/UID/{runc,crun}; a
 *     container found there counts only when its first process lives in
 *     a user namespace owned by UID (a user cannot claim root's
 *     containers, or another user's)
 *
 * Contract:
 *  - The index is read again at most every RUNTIMES_RESCAN_MS when a
 *    lookup misses, and every RUNTIMES_TTL_MS in any case; a container
 *    whose first process is gone is left out.
 *  - Files are opened below the state directory without following a
 *    symbolic link, non-blocking, regular files only, size-bounded.
 *    A root directory not owned by root (or, below /run/user/UID, by
 *    UID) is ignored.
 *  - No global state: one index per thread (the reader's and the
 *    check's scope each hold one).
 */
#ifndef DROPEXEC_RUNTIMES_H
#define DROPEXEC_RUNTIMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "candidate.h"
#include "scope/mounts.h"

#define RUNTIMES_MAX		1024	/* containers indexed */
#define RUNTIMES_ROOTS_MAX	16	/* directories of each kind */
#define RUNTIMES_RESCAN_MS	250
#define RUNTIMES_TTL_MS		2000

/* One running container. */
struct runtime_container {
	char id[CONTAINER_ID_LEN + 1];
	char runtime[16];	/* docker, containerd, podman, runc, crun */
	char ns[64];		/* containerd namespace, or "" */
	pid_t init_pid;		/* its first process */
	unsigned long long mntns; /* inode of that process's mount ns */
	uid_t owner;		/* 0, or the user of a rootless runtime */
	char *rootfs;		/* host path of its root file system */
	char *bundle;		/* directory of its OCI config.json, or NULL */
	char *storage;		/* containers-storage graph root, or NULL */
	char *upper;		/* upper directory of its root, or NULL */
	/* the first process's mount table, read when a device is asked,
	 * kept across rescans for RUNTIMES_TTL_MS */
	struct mount_table *mounts;
	uint64_t mounts_ms;
	/* the state file parsed (runc, crun: state; containerd: the
	 * bundle's config.json), to parse it again only when it changed */
	unsigned long long start;	/* runc's init_process_start, or 0 */
	dev_t state_dev;
	ino_t state_ino;
	long long state_mtime_ns;
	off_t state_size;
};

/* Where runtimes keep their state (settings.c fills it; tests: fixtures). */
struct runtime_roots {
	char *containerd[RUNTIMES_ROOTS_MAX];	/* containerd state dirs */
	size_t ncontainerd;
	char *oci[RUNTIMES_ROOTS_MAX];		/* runc / crun roots */
	size_t noci;
	char *user_run;		/* "/run/user": rootless runtimes below
				 * UID/runc, UID/crun; NULL: none */
};

struct runtime_index {
	char *proc;		/* procfs root */
	char *prefix;		/* "" or a fixture tree holding the roots */
	struct runtime_roots roots;
	struct runtime_container *c;
	size_t count;
	uint64_t loaded_ms;	/* 0: never */
	struct runtime_container *old;	/* the last scan's, during a scan */
	size_t old_count;
	uint64_t scans;		/* how often the state was read */
};

/* The default roots: containerd, k3s/RKE2, microk8s, Docker's own
 * containerd, runc, crun, /run/user. */
int runtime_roots_default(struct runtime_roots *r);
/* Add DIR (a copy) to a list of roots; -1 when full or out of memory. */
int runtime_roots_add(char **list, size_t *n, const char *dir);
void runtime_roots_free(struct runtime_roots *r);
int runtime_roots_copy(struct runtime_roots *dst,
		       const struct runtime_roots *src);

struct config;
/* The roots [runtimes] of CFG names: containerd_state and Docker's own
 * containerd below docker_exec_root, oci_state, /run/user if rootless. */
int runtime_roots_from_config(struct runtime_roots *r,
			      const struct config *cfg);

int runtimes_init(struct runtime_index *ri, const char *proc);
/* Use ROOTS (copied) from now on; PREFIX: "" or a fixture tree. */
int runtimes_configure(struct runtime_index *ri,
		       const struct runtime_roots *roots, const char *prefix);
void runtimes_free(struct runtime_index *ri);

/* Read the state again now. */
void runtimes_rescan(struct runtime_index *ri, uint64_t now);

/* The container whose first process has mount namespace MNTNS. */
const struct runtime_container *runtimes_by_mntns(struct runtime_index *ri,
						  unsigned long long mntns,
						  uint64_t now);
/* The container whose root file system is mounted at MOUNTPOINT. */
const struct runtime_container *runtimes_by_rootfs(struct runtime_index *ri,
						   const char *mountpoint,
						   uint64_t now);
/* The container with ID. */
const struct runtime_container *runtimes_by_id(struct runtime_index *ri,
					       const char *id, uint64_t now);
/*
 * The container whose first process has device MAJOR:MINOR mounted at
 * the deepest mount point above PATH (a volume, a tmpfs, its root), as
 * its own mount table says (read once per RUNTIMES_TTL_MS). The first
 * such container, in index order:
 * two containers that mount the same volume at the same place cannot be
 * told apart this way (the check then opens the name in the container's
 * root and keeps the file only when its inode is the audited one).
 */
const struct runtime_container *runtimes_by_device(struct runtime_index *ri,
						   unsigned int major,
						   unsigned int minor,
						   const char *path,
						   uint64_t now);
/* Is device MAJOR:MINOR the root mount of container RC? */
bool runtimes_is_root_device(struct runtime_index *ri,
			     const struct runtime_container *rc,
			     unsigned int major, unsigned int minor);

/* A container id or containerd name as runtimes allow it:
 * [A-Za-z0-9][A-Za-z0-9_.-]*, at most CONTAINER_ID_LEN bytes. */
bool runtime_id_valid(const char *s, size_t len);

/* Parsers of the state files (fuzzed). 0 when the fields were found;
 * *ROOTFS is malloc'd. START: 0 when the file gives none. */
int runtime_parse_runc_state(const char *text, pid_t *pid,
			     unsigned long long *start, char **rootfs);
int runtime_parse_crun_status(const char *text, pid_t *pid, char **rootfs);
int runtime_parse_oci_root(const char *text, char **root_path);

/*
 * A containers-storage overlay root "GRAPH/overlay/LAYER/merged" (LAYER:
 * 64 hex digits): its graph root and upper directory "GRAPH/overlay/
 * LAYER/diff", malloc'd. -1 when ROOTFS is not one.
 */
int runtime_storage_of(const char *rootfs, char **graph, char **upper);

#endif
