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

struct scope_ctx {
	char *proc;
	char *mountinfo;
	struct mount_table mounts;
	uint64_t mounts_loaded_ms;
	/* 0: no cache. A busy host process writing many files costs one
	 * read per PID_TTL instead of one per write. */
	unsigned int pid_ttl_ms;
	struct pid_verdict pids[PID_CACHE_SIZE];
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
void scope_free(struct scope_ctx *s);

/*
 * Read /proc/PID/cgroup. Returns 1 when PID is in a container (OUT
 * filled), 0 when it is a host process, -1 when the process is gone.
 */
int scope_lookup_pid(struct scope_ctx *s, pid_t pid,
		     struct container_ref *out);

/* The overlay mount with device MAJOR:MINOR, reloading mountinfo at most
 * every 100 ms when it is not known yet. Valid until a later call
 * reloads the table; its MOUNT member has the upperdir and lowerdir. */
const struct overlay_mount *scope_find_mount(struct scope_ctx *s,
					     unsigned int major,
					     unsigned int minor);

/*
 * Attribute candidate C: its writer's cgroup, else its parent's, else the
 * overlay mount of its PATH device. Sets C->container.
 */
void scope_decide(struct scope_ctx *s, struct candidate *c);

/* Note the parent's comm and exe while it lives (C->parent_comm/exe). */
void scope_read_parent(struct scope_ctx *s, struct candidate *c);

#endif
