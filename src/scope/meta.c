/* SPDX-License-Identifier: GPL-2.0-or-later */
/* meta.c -- container name, image and pod from the runtime's state on disk */
#include "scope/meta.h"
#include "util/readfile.h"
#include "util/settings.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>

#define META_FILE_MAX	(16 * 1024 * 1024)
#define META_TTL_MS	30000	/* re-read a known container this often */
#define META_MISS_MS	2000	/* and an unknown one */

void container_meta_clear(struct container_meta *m)
{
	free(m->name);
	free(m->image);
	free(m->pod_name);
	free(m->pod_namespace);
	free(m->pod_uid);
	memset(m, 0, sizeof(*m));
}

static char *join(const char *prefix, const char *path)
{
	char *out;

	if (asprintf(&out, "%s%s", prefix ? prefix : "", path) < 0)
		return NULL;
	return out;
}

int meta_cache_init(struct meta_cache *mc, const char *prefix)
{
	memset(mc, 0, sizeof(*mc));
	mc->roots.containers_storage = join(prefix, "/var/lib/containers/storage");
	mc->roots.containers_run = join(prefix, "/run/containers/storage");
	mc->roots.docker = join(prefix, "/var/lib/docker");
	mc->roots.containerd_tasks =
		join(prefix, "/run/containerd/io.containerd.runtime.v2.task");
	return mc->roots.containers_storage && mc->roots.containers_run &&
	       mc->roots.docker && mc->roots.containerd_tasks ? 0 : -1;
}

/* Replace *DST by PREFIX + V (V kept when NULL or empty). */
static int set_root(char **dst, const char *prefix, const char *v)
{
	char *p;

	if (!v || !*v)
		return 0;
	p = join(prefix, v);
	if (!p)
		return -1;
	free(*dst);
	*dst = p;
	return 0;
}

int meta_cache_configure(struct meta_cache *mc, const struct config *cfg)
{
	return set_root(&mc->roots.docker, NULL, cfg->docker_root) ||
	       set_root(&mc->roots.containers_storage, NULL,
			cfg->containers_storage) ||
	       set_root(&mc->roots.containers_run, NULL, cfg->containers_run)
	       ? -1 : 0;
}

void meta_cache_free(struct meta_cache *mc)
{
	size_t i;

	for (i = 0; i < META_CACHE_SIZE; i++)
		container_meta_clear(&mc->e[i].m);
	free(mc->roots.containers_storage);
	free(mc->roots.containers_run);
	free(mc->roots.docker);
	free(mc->roots.containerd_tasks);
	memset(mc, 0, sizeof(*mc));
}

/* A state file of at most META_FILE_MAX bytes, NUL terminated. */
static char *read_file(const char *path)
{
	return read_file_bounded(path, META_FILE_MAX, NULL);
}

static const char *get_str(json_object *o, const char *key)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static void set_once(char **dst, const char *v)
{
	if (!*dst && v && *v)
		*dst = strdup(v);
}

static void set_id(struct container_meta *out, const char *id)
{
	if (!out->id[0] && id && strlen(id) == CONTAINER_ID_LEN &&
	    runtime_id_valid(id, CONTAINER_ID_LEN))
		snprintf(out->id, sizeof(out->id), "%s", id);
}

int meta_parse_podman(const char *text, const char *id, const char *layer,
		      struct container_meta *out)
{
	json_object *root = json_tokener_parse(text);
	size_t i, n;
	int rc = -1;

	if (!root || !json_object_is_type(root, json_type_array)) {
		json_object_put(root);
		return -1;
	}
	n = json_object_array_length(root);
	for (i = 0; i < n && rc; i++) {
		json_object *c = json_object_array_get_idx(root, i);
		json_object *names, *md = NULL;
		const char *cid = get_str(c, "id"), *lay = get_str(c, "layer");
		const char *mds;

		if (!cid || !((id && *id && !strcmp(cid, id)) ||
			      (layer && *layer && lay && !strcmp(lay, layer))))
			continue;
		set_id(out, cid);
		if (json_object_object_get_ex(c, "names", &names) &&
		    json_object_is_type(names, json_type_array) &&
		    json_object_array_length(names) > 0)
			set_once(&out->name, json_object_get_string(
				json_object_array_get_idx(names, 0)));
		mds = get_str(c, "metadata");
		if (mds)
			md = json_tokener_parse(mds);
		set_once(&out->image, get_str(md, "image-name"));
		set_once(&out->name, get_str(md, "name"));
		set_once(&out->pod_name, get_str(md, "pod-name"));
		json_object_put(md);
		rc = 0;
	}
	json_object_put(root);
	return rc;
}

int meta_parse_docker(const char *text, struct container_meta *out)
{
	json_object *root = json_tokener_parse(text), *cfg = NULL, *labels;
	const char *name;

	if (!root || !json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		return -1;
	}
	set_id(out, get_str(root, "ID"));
	name = get_str(root, "Name");
	if (name && *name == '/')
		name++;
	set_once(&out->name, name);
	if (json_object_object_get_ex(root, "Config", &cfg)) {
		set_once(&out->image, get_str(cfg, "Image"));
		if (json_object_object_get_ex(cfg, "Labels", &labels)) {
			set_once(&out->pod_name,
				 get_str(labels, "io.kubernetes.pod.name"));
			set_once(&out->pod_namespace, get_str(labels,
				 "io.kubernetes.pod.namespace"));
			set_once(&out->pod_uid,
				 get_str(labels, "io.kubernetes.pod.uid"));
		}
	}
	json_object_put(root);
	return 0;
}

int meta_parse_oci_annotations(const char *text, struct container_meta *out)
{
	json_object *root = json_tokener_parse(text), *a;

	if (!root || !json_object_object_get_ex(root, "annotations", &a)) {
		json_object_put(root);
		return -1;
	}
	/* containerd's CRI plugin */
	set_once(&out->name, get_str(a, "io.kubernetes.cri.container-name"));
	set_once(&out->image, get_str(a, "io.kubernetes.cri.image-name"));
	set_once(&out->pod_name, get_str(a, "io.kubernetes.cri.sandbox-name"));
	set_once(&out->pod_namespace,
		 get_str(a, "io.kubernetes.cri.sandbox-namespace"));
	set_once(&out->pod_uid, get_str(a, "io.kubernetes.cri.sandbox-uid"));
	/* CRI-O */
	set_once(&out->name, get_str(a, "io.kubernetes.container.name"));
	set_once(&out->name, get_str(a, "io.kubernetes.cri-o.ContainerName"));
	set_once(&out->image, get_str(a, "io.kubernetes.cri-o.ImageName"));
	set_once(&out->image, get_str(a, "io.kubernetes.cri-o.Image"));
	set_once(&out->pod_name, get_str(a, "io.kubernetes.pod.name"));
	set_once(&out->pod_namespace, get_str(a, "io.kubernetes.pod.namespace"));
	set_once(&out->pod_uid, get_str(a, "io.kubernetes.pod.uid"));
	json_object_put(root);
	return out->name || out->image || out->pod_name ? 0 : -1;
}

/* The layer id of a containers-storage overlay mount point, or NULL. */
static const char *layer_of(const char *mp, char *buf, size_t len)
{
	const char *p = strstr(mp, "/overlay/");
	size_t n;

	if (!p)
		return NULL;
	p += strlen("/overlay/");
	n = strcspn(p, "/");
	if (n != CONTAINER_ID_LEN || strcmp(p + n, "/merged") || n >= len)
		return NULL;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return buf;
}

static int load_podman(const struct meta_roots *r, const char *id,
		       const char *layer, struct container_meta *out)
{
	const char *roots[2] = { r->containers_storage, r->containers_run };
	char path[512];
	size_t i;

	for (i = 0; i < 2; i++) {
		char *text;
		int rc;

		snprintf(path, sizeof(path),
			 "%s/overlay-containers/containers.json", roots[i]);
		text = read_file(path);
		if (!text)
			continue;
		rc = meta_parse_podman(text, id, layer, out);
		free(text);
		if (!rc)
			return 0;
	}
	return -1;
}

static int load_crio(const struct meta_roots *r, const char *id,
		     struct container_meta *out)
{
	const char *roots[2] = { r->containers_run, r->containers_storage };
	char path[512];
	size_t i;

	for (i = 0; i < 2; i++) {
		char *text;
		int rc;

		snprintf(path, sizeof(path),
			 "%s/overlay-containers/%s/userdata/config.json",
			 roots[i], id);
		text = read_file(path);
		if (!text)
			continue;
		rc = meta_parse_oci_annotations(text, out);
		free(text);
		if (!rc)
			return 0;
	}
	return -1;
}

static int load_docker(const struct meta_roots *r, const char *id,
		       struct container_meta *out)
{
	char path[512], *text;
	int rc;

	snprintf(path, sizeof(path), "%s/containers/%s/config.v2.json",
		 r->docker, id);
	text = read_file(path);
	if (!text)
		return -1;
	rc = meta_parse_docker(text, out);
	free(text);
	return rc;
}

static int load_containerd(const struct meta_roots *r, const char *id,
			   struct container_meta *out)
{
	DIR *d = opendir(r->containerd_tasks);
	struct dirent *de;
	int rc = -1;

	if (!d)
		return -1;
	/* TASKS/NAMESPACE/ID/config.json: the OCI bundle */
	while (rc && (de = readdir(d))) {
		char path[768], *text;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/%s/config.json",
			 r->containerd_tasks, de->d_name, id);
		text = read_file(path);
		if (!text)
			continue;
		rc = meta_parse_oci_annotations(text, out);
		free(text);
	}
	closedir(d);
	return rc;
}

int meta_docker_container_of_cache(const char *docker, const char *cache_id,
				   char *id, size_t idlen)
{
	char path[768];
	struct dirent *de;
	int rc = -1;
	DIR *d;

	if (!runtime_id_valid(cache_id, strlen(cache_id)))
		return -1;
	snprintf(path, sizeof(path), "%s/image/overlay2/layerdb/mounts",
		 docker);
	d = opendir(path);
	if (!d)
		return -1;
	while (rc && (de = readdir(d))) {
		char *text;

		if (!runtime_id_valid(de->d_name, strlen(de->d_name)))
			continue;
		snprintf(path, sizeof(path),
			 "%s/image/overlay2/layerdb/mounts/%s/mount-id",
			 docker, de->d_name);
		text = read_file_bounded(path, 256, NULL);
		if (text && !strcmp(text, cache_id) &&
		    strlen(de->d_name) < idlen) {
			snprintf(id, idlen, "%s", de->d_name);
			rc = 0;
		}
		free(text);
	}
	closedir(d);
	return rc;
}

/* The cache id of a Docker overlay2 mount point DOCKER/overlay2/ID/merged. */
static const char *docker_cache_of(const char *docker, const char *mp,
				   char *buf, size_t len)
{
	size_t dl = strlen(docker), n;
	const char *p;

	if (strncmp(mp, docker, dl) || strncmp(mp + dl, "/overlay2/", 10))
		return NULL;
	p = mp + dl + 10;
	n = strcspn(p, "/");
	if (strcmp(p + n, "/merged") || n >= len)
		return NULL;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return buf;
}

/* Annotations of the OCI bundle DIR (containerd CRI, CRI-O). */
static int load_bundle(const char *prefix, const char *dir,
		       struct container_meta *out)
{
	char path[768], *text;
	int rc;

	snprintf(path, sizeof(path), "%s%s/config.json", prefix ? prefix : "",
		 dir);
	text = read_file(path);
	if (!text)
		return -1;
	rc = meta_parse_oci_annotations(text, out);
	free(text);
	return rc;
}

static struct meta_entry *cache_find(struct meta_cache *mc, const char *id)
{
	size_t i;

	for (i = 0; i < META_CACHE_SIZE; i++)
		if (mc->e[i].m.id[0] && !strcmp(mc->e[i].m.id, id))
			return &mc->e[i];
	return NULL;
}

const struct container_meta *meta_lookup(struct meta_cache *mc,
					 struct container_ref *ref,
					 const char *mountpoint,
					 const struct runtime_container *hint,
					 uint64_t now)
{
	struct container_meta m;
	struct meta_entry *e;
	char layer[CONTAINER_ID_LEN + 1];
	const char *rt;
	int rc = -1;

	memset(&m, 0, sizeof(m));
	/* Docker's overlay2 mount: its cache id names the container. */
	if (!ref->id[0] && mountpoint &&
	    docker_cache_of(mc->roots.docker, mountpoint, layer,
			    sizeof(layer)) &&
	    !meta_docker_container_of_cache(mc->roots.docker, layer, ref->id,
					    sizeof(ref->id)))
		snprintf(ref->runtime, sizeof(ref->runtime), "docker");
	/* Only a mount point: podman and CRI-O name the layer there. */
	if (!ref->id[0] && mountpoint &&
	    layer_of(mountpoint, layer, sizeof(layer)) &&
	    !load_podman(&mc->roots, NULL, layer, &m) && m.id[0]) {
		snprintf(ref->id, sizeof(ref->id), "%s", m.id);
		if (!ref->runtime[0])
			snprintf(ref->runtime, sizeof(ref->runtime), "%s",
				 m.pod_name ? "cri-o" : "podman");
	}
	if (!ref->id[0]) {
		container_meta_clear(&m);
		return NULL;
	}

	e = cache_find(mc, ref->id);
	if (e && now - e->loaded_ms < (e->found ? META_TTL_MS : META_MISS_MS)) {
		container_meta_clear(&m);
		return e->found ? &e->m : NULL;
	}

	if (!m.id[0]) {
		rt = ref->runtime;
		/* the runtime's own state first: a rootless user's storage,
		 * a bundle in a containerd state directory of its own */
		if (hint && !strcmp(hint->id, ref->id)) {
			if (hint->storage) {
				struct meta_roots r = mc->roots;

				r.containers_storage = hint->storage;
				rc = load_podman(&r, ref->id, NULL, &m);
			}
			if (rc && hint->bundle)
				rc = load_bundle(NULL, hint->bundle, &m);
		}
		if (!rc)
			;
		else if (!strcmp(rt, "podman"))
			rc = load_podman(&mc->roots, ref->id, NULL, &m);
		else if (!strcmp(rt, "cri-o"))
			rc = load_crio(&mc->roots, ref->id, &m);
		else if (!strcmp(rt, "docker"))
			rc = load_docker(&mc->roots, ref->id, &m);
		else if (!strcmp(rt, "containerd"))
			rc = load_containerd(&mc->roots, ref->id, &m);
		if (rc)
			rc = load_podman(&mc->roots, ref->id, NULL, &m) &&
			     load_crio(&mc->roots, ref->id, &m) &&
			     load_docker(&mc->roots, ref->id, &m) &&
			     load_containerd(&mc->roots, ref->id, &m);
	} else {
		rc = 0;
	}

	if (!e) {
		e = &mc->e[mc->next];
		mc->next = (mc->next + 1) % META_CACHE_SIZE;
	}
	container_meta_clear(&e->m);
	e->m = m;
	snprintf(e->m.id, sizeof(e->m.id), "%s", ref->id);
	snprintf(e->m.runtime, sizeof(e->m.runtime), "%s", ref->runtime);
	e->found = rc == 0;
	e->loaded_ms = now;
	return e->found ? &e->m : NULL;
}
