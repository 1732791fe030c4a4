/* SPDX-License-Identifier: GPL-2.0-or-later */
/* meta.h -- container name, image and pod from the runtime's state on disk */
#ifndef DROPEXEC_META_H
#define DROPEXEC_META_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "candidate.h"
#include "scope/runtimes.h"

#define META_CACHE_SIZE	64

/* What a runtime's files tell about one container. Strings may be NULL. */
struct container_meta {
	char id[CONTAINER_ID_LEN + 1];
	char runtime[16];
	char *name;
	char *image;
	char *pod_name;
	char *pod_namespace;
	char *pod_uid;
};

/* Where each runtime keeps its state (tests point these at fixtures). */
struct meta_roots {
	char *containers_storage;	/* /var/lib/containers/storage */
	char *containers_run;		/* /run/containers/storage */
	char *docker;			/* /var/lib/docker */
	char *containerd_tasks;		/* /run/containerd/io.containerd.runtime.v2.task */
};

struct meta_entry {
	struct container_meta m;
	bool found;
	uint64_t loaded_ms;
};

/* A small cache: a container's files are read once per TTL, and an entry
 * whose container is gone is forgotten when its TTL runs out. */
struct meta_cache {
	struct meta_roots roots;
	struct meta_entry e[META_CACHE_SIZE];
	size_t next;
};

/* ROOT_PREFIX: NULL for the real paths, or a directory that holds them
 * (tests: a fixture tree with var/lib/docker/... below it). */
int meta_cache_init(struct meta_cache *mc, const char *root_prefix);
struct config;
/* Docker's and containers-storage's directories as CFG's [runtimes]
 * names them (the prefix of meta_cache_init() stays). */
int meta_cache_configure(struct meta_cache *mc, const struct config *cfg);
void meta_cache_free(struct meta_cache *mc);

/*
 * Fill C->container's id/runtime when only the overlay mount point is
 * known (podman and CRI-O keep the layer id in the path; Docker's
 * overlay2 cache id maps to the container in its layerdb), then look the
 * container up. RC, when not NULL, is the container as its runtime's
 * state names it (runtimes.h): its OCI bundle's annotations and its
 * containers-storage graph root (a rootless user's) are read too.
 * Returns the cached metadata (owned by the cache, valid until the next
 * call) or NULL.
 */
const struct container_meta *meta_lookup(struct meta_cache *mc,
					 struct container_ref *ref,
					 const char *mountpoint,
					 const struct runtime_container *rc,
					 uint64_t now_ms);

/* The container whose Docker overlay2 mount has cache id CACHE_ID, by
 * DOCKER/image/overlay2/layerdb/mounts/ID/mount-id; 0 when found. */
int meta_docker_container_of_cache(const char *docker, const char *cache_id,
				   char *id, size_t idlen);

/* Parsers, one per layout; each fills OUT from the file text. 0 = found. */
int meta_parse_podman(const char *containers_json, const char *id,
		      const char *layer, struct container_meta *out);
int meta_parse_docker(const char *config_v2_json, struct container_meta *out);
int meta_parse_oci_annotations(const char *config_json,
			       struct container_meta *out);

void container_meta_clear(struct container_meta *m);

#endif
