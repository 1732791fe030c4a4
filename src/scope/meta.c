/* SPDX-License-Identifier: GPL-2.0-or-later */
/* meta.c -- container name, image and pod from the runtime's state on disk */
#include "scope/meta.h"
#include "util/readfile.h"

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
	if (!out->id[0] && id && strlen(id) == CONTAINER_ID_LEN)
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
					 uint64_t now)
{
	struct container_meta m;
	struct meta_entry *e;
	char layer[CONTAINER_ID_LEN + 1];
	const char *rt;
	int rc = -1;

	memset(&m, 0, sizeof(m));
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
		if (!strcmp(rt, "podman"))
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
