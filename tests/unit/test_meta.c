/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_meta.c -- container name, image and pod from the runtimes' state on
 * disk (tests/fixtures/meta), the metadata cache, and the [allow] lists */
#include "testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/settings.h"
#include "scope/meta.h"

#define META_DIR	FIXTURE_DIR "/meta"

/* The containers of tests/fixtures/meta (see its README.md). */
#define POD1	"7d5efe932229c062e579d15d49d90e2f18151bf5a8be7e574a231ca78a263013"
#define POD1_LAYER "9cb2294b46a60befa69f719b257594874d21664fc65225e106f6455ef48b7d81"
#define POD2	"c049d6e7f3cc04c1a8378ea6652fa040b9c06e7556d24b946f7b00975c9cdf1e"
#define POD2_LAYER "41783dcf00146931d4015509a36aabc728ae47b6504c25fd87ecb3cd5f317b1e"
#define POD3	"68818cb97660d0402bb8cb590693a83813d44d2bbfecce98c95341cb0dd342af"
#define POD3_LAYER "c9b0c1ddd1e6271e32e52e40baaa8698a5a707d9954a25b13d9c0849a6b7bcfd"
#define CRIO	"0f643c4f08753217c234bf62bfa875b5f0d93b3dfe523220c15df4a2897c6940"
#define CRIO_LAYER "302fe570bc33b8aa16e20eaa654e23098f749f4c42ec9d22f46b5952c78b08e2"
#define DOCKER_WEB "54d5bcc72b419c799957ad41205faee18554c2749c8785f57ff60e1dae0844af"
#define DOCKER_K8S "63e7e8f1788f8d3c7cdcc1375129fd9b108a89f64775a16065cd46c8ed4a713b"
#define DOCKER_IMG "9445b4624f4a8855f96afd205ce04c90d02c1e28263baea5e60d8a5138c84e69"
#define CTD	"cb78a2b95d46e8ee8846b0f2eb0f30536dafe28d05382c781dd77595f2b067d8"
#define CTD_SANDBOX "74ae4b3d184392ca547578cb529ae782c5a12850eed15d578f56d3712f7b5ec3"
#define UNKNOWN	"0000000000000000000000000000000000000000000000000000000000000bad"
#define UID_CTD	"3d601a78-80ba-4074-bb7a-a5ea0f797bc6"
#define UID_CRIO "903ab0dd-e39a-40b5-b18a-e0d810bee8f2"
#define UID_K8S	"d505ce2a-1eb1-4e7d-b4e5-f9496f664ee6"

#define PODMAN_JSON	"/var/lib/containers/storage/overlay-containers/containers.json"
#define DOCKER_JSON(id)	"/var/lib/docker/containers/" id "/config.v2.json"
#define CTD_JSON(id)	"/run/containerd/io.containerd.runtime.v2.task/k8s.io/" \
			id "/config.json"
#define CRIO_JSON(id)	"/run/containers/storage/overlay-containers/" id \
			"/userdata/config.json"
#define MOBY_JSON(id)	"/run/containerd/io.containerd.runtime.v2.task/moby/" \
			id "/config.json"

#define T0	1000000ULL	/* a "now" for the cache */
#define TTL	30000ULL	/* meta.c: META_TTL_MS */

static char *fixture(const char *rel)
{
	return test_read_file(rel, NULL);
}

/* NULL-safe string compare for the asserts. */
#define ck_assert_nstr_eq(got, want) do {				\
	const char *g_ = (got), *w_ = (want);				\
	if (!w_)							\
		ck_assert_msg(g_ == NULL, "'%s' is '%s', expected NULL", \
			      #got, g_);				\
	else								\
		ck_assert_msg(g_ && !strcmp(g_, w_),			\
			      "'%s' is '%s', expected '%s'", #got,	\
			      g_ ? g_ : "(null)", w_);			\
} while (0)

/* The fields of M (a struct container_meta) that name the container and
 * its pod, each as expected (NULL: absent). A macro, so that a failure
 * names the test's own line. */
#define ck_assert_meta(m, name_, image_, pod_name_, pod_ns_, pod_uid_) do { \
	ck_assert_nstr_eq((m).name, name_);				\
	ck_assert_nstr_eq((m).image, image_);				\
	ck_assert_nstr_eq((m).pod_name, pod_name_);			\
	ck_assert_nstr_eq((m).pod_namespace, pod_ns_);			\
	ck_assert_nstr_eq((m).pod_uid, pod_uid_);			\
} while (0)

/* ------------------------------------------------------------- podman */

START_TEST(test_podman_by_id)
{
	char *text = fixture(META_DIR PODMAN_JSON);
	struct container_meta m = { 0 };

	ck_assert_int_eq(meta_parse_podman(text, POD1, NULL, &m), 0);
	ck_assert_str_eq(m.id, POD1);
	ck_assert_meta(m, "web-frontend", "localhost/dropexec-e2e:latest",
		       NULL, NULL, NULL);
	container_meta_clear(&m);

	/* the second entry, which has more fields (big-data-*) */
	ck_assert_int_eq(meta_parse_podman(text, POD2, NULL, &m), 0);
	ck_assert_str_eq(m.id, POD2);
	ck_assert_nstr_eq(m.name, "db");
	ck_assert_nstr_eq(m.image, "docker.io/library/postgres:16");
	container_meta_clear(&m);
	free(text);
}
END_TEST

START_TEST(test_podman_by_layer)
{
	char *text = fixture(META_DIR PODMAN_JSON);
	struct container_meta m = { 0 };

	ck_assert_int_eq(meta_parse_podman(text, NULL, POD2_LAYER, &m), 0);
	ck_assert_str_eq(m.id, POD2);
	ck_assert_nstr_eq(m.name, "db");	/* names[0], not "db-alias" */
	ck_assert_nstr_eq(m.image, "docker.io/library/postgres:16");
	container_meta_clear(&m);

	ck_assert_int_eq(meta_parse_podman(text, "", POD1_LAYER, &m), 0);
	ck_assert_str_eq(m.id, POD1);
	ck_assert_nstr_eq(m.name, "web-frontend");
	container_meta_clear(&m);

	/* a container id is not a layer id, nor the other way round */
	ck_assert_int_eq(meta_parse_podman(text, NULL, POD1, &m), -1);
	ck_assert_int_eq(meta_parse_podman(text, POD1_LAYER, NULL, &m), -1);
	ck_assert_str_eq(m.id, "");
	ck_assert_ptr_null(m.name);
	free(text);
}
END_TEST

/* names[0] is the name, whatever the metadata says */
START_TEST(test_podman_name_from_names0)
{
	static const char text[] =
		"[{\"id\":\"" POD1 "\",\"names\":[\"first\",\"second\"],"
		"\"layer\":\"" POD1_LAYER "\",\"metadata\":"
		"\"{\\\"image-name\\\":\\\"localhost/img:1\\\","
		"\\\"name\\\":\\\"from-metadata\\\"}\"}]";
	struct container_meta m = { 0 };

	ck_assert_int_eq(meta_parse_podman(text, POD1, NULL, &m), 0);
	ck_assert_nstr_eq(m.name, "first");
	ck_assert_nstr_eq(m.image, "localhost/img:1");
	container_meta_clear(&m);
}
END_TEST

/* no metadata at all: the name still comes from names[0] */
START_TEST(test_podman_without_metadata)
{
	char *text = fixture(META_DIR PODMAN_JSON);
	struct container_meta m = { 0 };

	ck_assert_int_eq(meta_parse_podman(text, NULL, POD3_LAYER, &m), 0);
	ck_assert_str_eq(m.id, POD3);
	ck_assert_nstr_eq(m.name, "builder-scratch");
	ck_assert_nstr_eq(m.image, NULL);
	container_meta_clear(&m);
	free(text);
}
END_TEST

START_TEST(test_podman_not_found)
{
	char *text = fixture(META_DIR PODMAN_JSON);
	struct container_meta m = { 0 };

	ck_assert_int_eq(meta_parse_podman(text, UNKNOWN, NULL, &m), -1);
	ck_assert_int_eq(meta_parse_podman(text, NULL, UNKNOWN, &m), -1);
	ck_assert_int_eq(meta_parse_podman(text, NULL, NULL, &m), -1);
	ck_assert_int_eq(meta_parse_podman(text, "", "", &m), -1);
	/* a prefix of an id is not the id */
	ck_assert_int_eq(meta_parse_podman(text, "7d5efe932229", NULL, &m), -1);
	ck_assert_str_eq(m.id, "");
	ck_assert_ptr_null(m.name);
	ck_assert_ptr_null(m.image);
	free(text);
}
END_TEST

/* Broken files: -1, nothing filled, no crash (and no leak under ASan). */
static const char *bad_podman[] = {
	"",
	"not json",
	"[",
	"[{\"id\":\"" POD1 "\",\"names\":[\"x\"]",	/* truncated */
	"{}",						/* not an array */
	"{\"id\":\"" POD1 "\",\"names\":[\"x\"]}",	/* an object */
	"\"" POD1 "\"",
	"null",
	"[]",
	"[1,\"two\",null,[],{}]",			/* not containers */
	"[{\"names\":[\"x\"],\"layer\":\"" POD1_LAYER "\"}]",	/* no id */
	"[{\"id\":12345,\"names\":[\"x\"]}]",		/* id not a string */
	"[{\"id\":null,\"names\":[\"x\"]}]",
	"[{\"Id\":\"" POD1 "\",\"names\":[\"x\"]}]",	/* wrong key */
};

START_TEST(test_podman_malformed)
{
	struct container_meta m = { 0 };

	ck_assert_msg(meta_parse_podman(bad_podman[_i], POD1, POD1_LAYER,
					&m) == -1, "accepted: %s",
		      bad_podman[_i]);
	ck_assert_str_eq(m.id, "");
	ck_assert_ptr_null(m.name);
	ck_assert_ptr_null(m.image);
	container_meta_clear(&m);
}
END_TEST

/* The container is there but some of its fields are odd: found, with what
 * can be read, and no crash. */
static const char *odd_podman[] = {
	/* metadata is not JSON */
	"[{\"id\":\"" POD1 "\",\"names\":[\"n\"],\"metadata\":\"{bad\"}]",
	/* metadata is JSON but not an object */
	"[{\"id\":\"" POD1 "\",\"names\":[\"n\"],\"metadata\":\"[1,2]\"}]",
	/* metadata is an object, not a string */
	"[{\"id\":\"" POD1 "\",\"names\":[\"n\"],"
	"\"metadata\":{\"image-name\":\"x\"}}]",
	/* image-name is not a string */
	"[{\"id\":\"" POD1 "\",\"names\":[\"n\"],"
	"\"metadata\":\"{\\\"image-name\\\":42}\"}]",
	/* names is a string, empty, or holds null */
	"[{\"id\":\"" POD1 "\",\"names\":\"n\"}]",
	"[{\"id\":\"" POD1 "\",\"names\":[]}]",
	"[{\"id\":\"" POD1 "\",\"names\":[null]}]",
	"[{\"id\":\"" POD1 "\",\"names\":[\"\"]}]",
	"[{\"id\":\"" POD1 "\"}]",
};

START_TEST(test_podman_odd_fields)
{
	struct container_meta m = { 0 };

	ck_assert_int_eq(meta_parse_podman(odd_podman[_i], POD1, NULL, &m), 0);
	ck_assert_str_eq(m.id, POD1);
	ck_assert_ptr_null(m.image);
	/* a name is either the one of names[0] or none */
	if (m.name)
		ck_assert_str_eq(m.name, "n");
	container_meta_clear(&m);
}
END_TEST

/* ------------------------------------------------------------- docker */

START_TEST(test_docker_plain)
{
	char *text = fixture(META_DIR DOCKER_JSON(DOCKER_WEB));
	struct container_meta m = { 0 };

	ck_assert_int_eq(meta_parse_docker(text, &m), 0);
	ck_assert_str_eq(m.id, DOCKER_WEB);
	/* the name: "/web" without its '/'; the image: Config.Image, the
	 * name it was run with, not the top-level "Image", which is the
	 * image's sha256 */
	ck_assert_meta(m, "web", "nginx:1.25", NULL, NULL, NULL);
	container_meta_clear(&m);
	free(text);
}
END_TEST

/* a pod's container under docker (cri-dockerd): the kubelet's labels */
START_TEST(test_docker_pod_labels)
{
	char *text = fixture(META_DIR DOCKER_JSON(DOCKER_K8S));
	struct container_meta m = { 0 };

	ck_assert_int_eq(meta_parse_docker(text, &m), 0);
	ck_assert_str_eq(m.id, DOCKER_K8S);
	ck_assert_meta(m, "k8s_nginx_frontend-7f9c8d-4xk2p_default_"
		       UID_K8S "_1", "nginx@sha256:" DOCKER_IMG,
		       "frontend-7f9c8d-4xk2p", "default", UID_K8S);
	container_meta_clear(&m);
	free(text);
}
END_TEST

START_TEST(test_docker_name_forms)
{
	struct container_meta m = { 0 };

	/* only one leading '/' goes */
	ck_assert_int_eq(meta_parse_docker("{\"Name\":\"//x\"}", &m), 0);
	ck_assert_nstr_eq(m.name, "/x");
	container_meta_clear(&m);
	/* a name without one is kept as it is */
	ck_assert_int_eq(meta_parse_docker("{\"Name\":\"db\"}", &m), 0);
	ck_assert_nstr_eq(m.name, "db");
	container_meta_clear(&m);
	/* "/" alone is no name */
	ck_assert_int_eq(meta_parse_docker("{\"Name\":\"/\"}", &m), 0);
	ck_assert_nstr_eq(m.name, NULL);
	container_meta_clear(&m);
	/* an ID that is no full id is not copied */
	ck_assert_int_eq(meta_parse_docker("{\"ID\":\"54d5bcc72b41\","
					   "\"Name\":\"/web\"}", &m), 0);
	ck_assert_str_eq(m.id, "");
	ck_assert_nstr_eq(m.name, "web");
	container_meta_clear(&m);
}
END_TEST

static const char *bad_docker[] = {
	"", "not json", "{", "{\"ID\":", "[]", "[{\"Name\":\"/web\"}]",
	"\"/web\"", "null", "42",
};

START_TEST(test_docker_malformed)
{
	struct container_meta m = { 0 };

	ck_assert_msg(meta_parse_docker(bad_docker[_i], &m) == -1,
		      "accepted: %s", bad_docker[_i]);
	ck_assert_ptr_null(m.name);
	ck_assert_ptr_null(m.image);
	container_meta_clear(&m);
}
END_TEST

/* odd shapes inside a valid object: no crash, nothing made up */
static const char *odd_docker[] = {
	"{\"Name\":\"/web\"}",					/* no Config */
	"{\"Name\":\"/web\",\"Config\":null}",
	"{\"Name\":\"/web\",\"Config\":\"nginx\"}",
	"{\"Name\":\"/web\",\"Config\":{\"Image\":7,\"Labels\":null}}",
	"{\"Name\":\"/web\",\"Config\":{\"Labels\":[\"io.kubernetes.pod.name\"]}}",
	"{\"Name\":\"/web\",\"Config\":{\"Labels\":{\"io.kubernetes.pod.name\":1}}}",
};

START_TEST(test_docker_odd_fields)
{
	struct container_meta m = { 0 };

	(void)meta_parse_docker(odd_docker[_i], &m);
	ck_assert_nstr_eq(m.name, "web");
	ck_assert_ptr_null(m.image);
	ck_assert_ptr_null(m.pod_name);
	container_meta_clear(&m);
}
END_TEST

/* ---------------------------------------------------- OCI annotations */

START_TEST(test_oci_containerd_cri)
{
	char *text = fixture(META_DIR CTD_JSON(CTD));
	struct container_meta m = { 0 };

	ck_assert_int_eq(meta_parse_oci_annotations(text, &m), 0);
	ck_assert_meta(m, "worker", "registry.example.com/batch/worker:3.4",
		       "worker-5b7d9f-m2c8v", "jobs", UID_CTD);
	container_meta_clear(&m);
	free(text);
}
END_TEST

/* the pod's sandbox (pause) container has the pod but no container name */
START_TEST(test_oci_containerd_sandbox)
{
	char *text = fixture(META_DIR CTD_JSON(CTD_SANDBOX));
	struct container_meta m = { 0 };

	ck_assert_int_eq(meta_parse_oci_annotations(text, &m), 0);
	ck_assert_meta(m, NULL, NULL, "worker-5b7d9f-m2c8v", "jobs", UID_CTD);
	container_meta_clear(&m);
	free(text);
}
END_TEST

START_TEST(test_oci_crio)
{
	char *text = fixture(META_DIR CRIO_JSON(CRIO));
	struct container_meta m = { 0 };

	ck_assert_int_eq(meta_parse_oci_annotations(text, &m), 0);
	/* CRI-O writes both the kubelet's container name ("app") and its
	 * own k8s_... name: the kubelet's, as in the pod spec, is used;
	 * the image is ImageName, not Image (the image id) */
	ck_assert_meta(m, "app", "quay.io/acme/shop-api:2.1.0",
		       "shop-api-6d8f7c9b5-q7xzt", "shop", UID_CRIO);
	container_meta_clear(&m);
	free(text);
}
END_TEST

/* CRI-O's own annotations alone are enough */
START_TEST(test_oci_crio_own_annotations)
{
	static const char text[] =
		"{\"ociVersion\":\"1.0.2-dev\",\"annotations\":{"
		"\"io.kubernetes.cri-o.ContainerName\":\"k8s_app_p_ns_u_0\","
		"\"io.kubernetes.cri-o.ImageName\":\"quay.io/acme/app:1\","
		"\"io.kubernetes.cri-o.Image\":\"" DOCKER_IMG "\"}}";
	static const char image_only[] =
		"{\"annotations\":{\"io.kubernetes.cri-o.Image\":"
		"\"quay.io/acme/app@sha256:" DOCKER_IMG "\"}}";
	struct container_meta m = { 0 };

	ck_assert_int_eq(meta_parse_oci_annotations(text, &m), 0);
	ck_assert_nstr_eq(m.name, "k8s_app_p_ns_u_0");
	ck_assert_nstr_eq(m.image, "quay.io/acme/app:1");
	ck_assert_nstr_eq(m.pod_name, NULL);
	container_meta_clear(&m);

	ck_assert_int_eq(meta_parse_oci_annotations(image_only, &m), 0);
	ck_assert_nstr_eq(m.image, "quay.io/acme/app@sha256:" DOCKER_IMG);
	container_meta_clear(&m);
}
END_TEST

/* docker's bundle under containerd ("moby") has no CRI annotations */
START_TEST(test_oci_no_annotations)
{
	char *text = fixture(META_DIR MOBY_JSON(DOCKER_WEB));
	struct container_meta m = { 0 };

	ck_assert_int_eq(meta_parse_oci_annotations(text, &m), -1);
	ck_assert_ptr_null(m.name);
	ck_assert_ptr_null(m.image);
	container_meta_clear(&m);
	free(text);
}
END_TEST

static const char *bad_oci[] = {
	"", "not json", "{\"annotations\":", "[]", "null",
	"{}",
	"{\"annotations\":{}}",
	"{\"annotations\":null}",
	"{\"annotations\":\"io.kubernetes.cri.container-name\"}",
	"{\"annotations\":[\"io.kubernetes.cri.container-name\",\"x\"]}",
	"{\"annotations\":{\"org.opencontainers.image.title\":\"x\"}}",
	"{\"annotations\":{\"io.kubernetes.cri.container-name\":42,"
	"\"io.kubernetes.cri.image-name\":null,"
	"\"io.kubernetes.cri.sandbox-name\":\"\"}}",
	/* annotations only nested deeper do not count */
	"{\"process\":{\"annotations\":{\"io.kubernetes.cri.container-name\":"
	"\"x\"}}}",
};

START_TEST(test_oci_malformed)
{
	struct container_meta m = { 0 };

	ck_assert_msg(meta_parse_oci_annotations(bad_oci[_i], &m) == -1,
		      "accepted: %s", bad_oci[_i]);
	ck_assert_ptr_null(m.name);
	ck_assert_ptr_null(m.image);
	ck_assert_ptr_null(m.pod_name);
	container_meta_clear(&m);
}
END_TEST

/* ------------------------------------------------------------- lookup */

static struct container_ref ref_of(const char *id, const char *runtime)
{
	struct container_ref r;

	memset(&r, 0, sizeof(r));
	snprintf(r.id, sizeof(r.id), "%s", id);
	snprintf(r.runtime, sizeof(r.runtime), "%s", runtime);
	r.in_container = true;
	return r;
}

static const struct {
	const char *id;
	const char *runtime;
	const char *name;
	const char *image;
	const char *pod_name;
	const char *pod_namespace;
	const char *pod_uid;
} known[] = {
	{ POD1, "podman", "web-frontend", "localhost/dropexec-e2e:latest",
	  NULL, NULL, NULL },
	{ POD2, "podman", "db", "docker.io/library/postgres:16",
	  NULL, NULL, NULL },
	{ DOCKER_WEB, "docker", "web", "nginx:1.25", NULL, NULL, NULL },
	{ DOCKER_K8S, "docker",
	  "k8s_nginx_frontend-7f9c8d-4xk2p_default_" UID_K8S "_1",
	  "nginx@sha256:" DOCKER_IMG, "frontend-7f9c8d-4xk2p", "default",
	  UID_K8S },
	{ CTD, "containerd", "worker", "registry.example.com/batch/worker:3.4",
	  "worker-5b7d9f-m2c8v", "jobs", UID_CTD },
	{ CRIO, "cri-o", "app", "quay.io/acme/shop-api:2.1.0",
	  "shop-api-6d8f7c9b5-q7xzt", "shop", UID_CRIO },
};

START_TEST(test_lookup_each_runtime)
{
	struct meta_cache mc;
	struct container_ref r = ref_of(known[_i].id, known[_i].runtime);
	const struct container_meta *m;

	ck_assert_int_eq(meta_cache_init(&mc, META_DIR), 0);
	m = meta_lookup(&mc, &r, NULL, NULL, T0);
	ck_assert_msg(m != NULL, "%s %s not found", known[_i].runtime,
		      known[_i].id);
	ck_assert_str_eq(m->id, known[_i].id);
	ck_assert_str_eq(m->runtime, known[_i].runtime);
	ck_assert_meta(*m, known[_i].name, known[_i].image,
		       known[_i].pod_name, known[_i].pod_namespace,
		       known[_i].pod_uid);
	/* the ref is left as it was */
	ck_assert_str_eq(r.id, known[_i].id);
	ck_assert_str_eq(r.runtime, known[_i].runtime);
	meta_cache_free(&mc);
}
END_TEST

/* Runtime unknown (""), or named wrongly: every layout is tried. */
START_TEST(test_lookup_any_runtime)
{
	static const char *hints[] = { "", "podman", "docker", "containerd",
				       "cri-o", "rkt" };
	struct meta_cache mc;
	const struct container_meta *m;
	size_t h;

	for (h = 0; h < sizeof(hints) / sizeof(hints[0]); h++) {
		struct container_ref r = ref_of(known[_i].id, hints[h]);

		ck_assert_int_eq(meta_cache_init(&mc, META_DIR), 0);
		m = meta_lookup(&mc, &r, NULL, NULL, T0);
		ck_assert_msg(m != NULL, "%s not found with runtime '%s'",
			      known[_i].id, hints[h]);
		ck_assert_str_eq(m->id, known[_i].id);
		/* CRI-O's container is also in containers/storage's
		 * containers.json, where its name is the k8s_ one: which
		 * file answers depends on the order; the image agrees */
		if (strcmp(known[_i].id, CRIO))
			ck_assert_nstr_eq(m->name, known[_i].name);
		ck_assert_nstr_eq(m->image, known[_i].image);
		meta_cache_free(&mc);
	}
}
END_TEST

START_TEST(test_lookup_unknown)
{
	static const char *hints[] = { "", "podman", "docker", "containerd",
				       "cri-o" };
	struct meta_cache mc;
	size_t h;

	ck_assert_int_eq(meta_cache_init(&mc, META_DIR), 0);
	for (h = 0; h < sizeof(hints) / sizeof(hints[0]); h++) {
		struct container_ref r = ref_of(UNKNOWN, hints[h]);

		ck_assert_ptr_null(meta_lookup(&mc, &r, NULL, NULL, T0));
		/* and again, from the cache */
		ck_assert_ptr_null(meta_lookup(&mc, &r, NULL, NULL, T0 + 1));
		ck_assert_str_eq(r.id, UNKNOWN);
	}
	/* no id and no mount point: nothing to look up */
	{
		struct container_ref r = ref_of("", "podman");

		ck_assert_ptr_null(meta_lookup(&mc, &r, NULL, NULL, T0));
		ck_assert_str_eq(r.id, "");
	}
	meta_cache_free(&mc);
}
END_TEST

/* a tree without any runtime: nothing found, nothing breaks */
START_TEST(test_lookup_no_runtime_state)
{
	struct meta_cache mc;
	struct container_ref r = ref_of(POD1, "");

	ck_assert_int_eq(meta_cache_init(&mc, test_tmpdir), 0);
	ck_assert_ptr_null(meta_lookup(&mc, &r, NULL, NULL, T0));
	r = ref_of("", "");
	ck_assert_ptr_null(meta_lookup(&mc, &r,
		"/var/lib/containers/storage/overlay/" POD1_LAYER "/merged", NULL,
		T0));
	ck_assert_str_eq(r.id, "");
	meta_cache_free(&mc);
}
END_TEST

/* What MC finds for R by the overlay mount point of containers/storage
 * layer LAYER alone; the test fails when it finds nothing. */
static const struct container_meta *by_mountpoint(struct meta_cache *mc,
						  struct container_ref *r,
						  const char *layer)
{
	const struct container_meta *m;
	char mnt[256];

	snprintf(mnt, sizeof(mnt),
		 "/var/lib/containers/storage/overlay/%s/merged", layer);
	m = meta_lookup(mc, r, mnt, NULL, T0);
	ck_assert_msg(m != NULL, "nothing found for %s", mnt);
	return m;
}

/* Only the overlay mount point is known (the writer is gone): podman's
 * containers.json names the container whose layer it is. */
START_TEST(test_lookup_by_mountpoint)
{
	struct meta_cache mc;
	struct container_ref r = ref_of("", "");
	const struct container_meta *m;

	ck_assert_int_eq(meta_cache_init(&mc, META_DIR), 0);
	m = by_mountpoint(&mc, &r, POD2_LAYER);
	ck_assert_str_eq(r.id, POD2);
	ck_assert_str_eq(r.runtime, "podman");
	ck_assert_str_eq(m->id, POD2);
	ck_assert_nstr_eq(m->name, "db");
	ck_assert_nstr_eq(m->image, "docker.io/library/postgres:16");

	/* a runtime already known is kept */
	r = ref_of("", "podman");
	m = by_mountpoint(&mc, &r, POD1_LAYER);
	ck_assert_str_eq(r.id, POD1);
	ck_assert_str_eq(r.runtime, "podman");
	ck_assert_nstr_eq(m->name, "web-frontend");

	/* a container without metadata */
	r = ref_of("", "");
	m = by_mountpoint(&mc, &r, POD3_LAYER);
	ck_assert_str_eq(r.id, POD3);
	ck_assert_nstr_eq(m->name, "builder-scratch");
	meta_cache_free(&mc);
}
END_TEST

/* CRI-O keeps its containers in containers/storage too; its metadata
 * names the pod, which tells it from podman. */
START_TEST(test_lookup_by_mountpoint_crio)
{
	struct meta_cache mc;
	struct container_ref r = ref_of("", "");
	const struct container_meta *m;

	ck_assert_int_eq(meta_cache_init(&mc, META_DIR), 0);
	m = by_mountpoint(&mc, &r, CRIO_LAYER);
	ck_assert_str_eq(r.id, CRIO);
	ck_assert_str_eq(r.runtime, "cri-o");
	ck_assert_nstr_eq(m->image, "quay.io/acme/shop-api:2.1.0");
	ck_assert_ptr_nonnull(m->pod_name);
	meta_cache_free(&mc);
}
END_TEST

static const char *not_a_layer_mount[] = {
	"/var/lib/containers/storage/overlay/" POD1_LAYER "/diff",
	"/var/lib/containers/storage/overlay/" POD1_LAYER "/merged/sub",
	"/var/lib/containers/storage/overlay/" POD1_LAYER,
	"/var/lib/containers/storage/overlay/9cb2294b46a6/merged",
	"/var/lib/containers/storage/overlay/" POD1_LAYER "0/merged",
	"/var/lib/containers/storage/overlay/" UNKNOWN "/merged",
	/* docker's overlay2 directories are not containers/storage layers */
	"/var/lib/docker/overlay2/" POD1_LAYER "/merged",
	"/run/containerd/io.containerd.runtime.v2.task/k8s.io/" CTD "/rootfs",
	"",
	"/",
};

START_TEST(test_lookup_mountpoint_not_a_layer)
{
	struct meta_cache mc;
	struct container_ref r = ref_of("", "");

	ck_assert_int_eq(meta_cache_init(&mc, META_DIR), 0);
	ck_assert_ptr_null(meta_lookup(&mc, &r, not_a_layer_mount[_i], NULL, T0));
	ck_assert_str_eq(r.id, "");
	ck_assert_str_eq(r.runtime, "");
	meta_cache_free(&mc);
}
END_TEST

/* the id the scope found wins over a mount point */
START_TEST(test_lookup_id_wins_over_mountpoint)
{
	struct meta_cache mc;
	struct container_ref r = ref_of(POD1, "podman");
	const struct container_meta *m;

	ck_assert_int_eq(meta_cache_init(&mc, META_DIR), 0);
	m = by_mountpoint(&mc, &r, POD2_LAYER);
	ck_assert_str_eq(r.id, POD1);
	ck_assert_nstr_eq(m->name, "web-frontend");
	meta_cache_free(&mc);
}
END_TEST

/* -------------------------------------------------------------- cache */

/* Copy the fixture tree to DIR/state (the cache tests change it). */
static char *copy_root;
static size_t copy_skip;

static int copy_one(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	char *dst;

	(void)ftw;
	ck_assert_int_ne(asprintf(&dst, "%s%s", copy_root, path + copy_skip),
			 -1);
	if (flag == FTW_D) {
		ck_assert_msg(mkdir(dst, 0755) == 0 || errno == EEXIST,
			      "mkdir(%s): %s", dst, strerror(errno));
	} else if (flag == FTW_F) {
		size_t len;
		char *data = test_read_file(path, &len);
		char *slash = strrchr(dst, '/');
		char *made;

		*slash = '\0';
		made = test_write_file(dst, slash + 1, data, len,
				       st->st_mode & 0777);
		free(made);
		free(data);
	}
	free(dst);
	return 0;
}

static char *copy_fixture_tree(void)
{
	ck_assert_int_ne(asprintf(&copy_root, "%s/state.XXXXXX", test_tmpdir),
			 -1);
	ck_assert_ptr_nonnull(mkdtemp(copy_root));
	copy_skip = strlen(META_DIR);
	ck_assert_int_eq(nftw(META_DIR, copy_one, 16, FTW_PHYS), 0);
	return copy_root;
}

static void path_in(char *buf, size_t len, const char *root, const char *rel)
{
	snprintf(buf, len, "%s%s", root, rel);
}

START_TEST(test_cache_within_ttl)
{
	struct meta_cache mc;
	char *root = copy_fixture_tree(), path[1024], dir[1024];
	struct container_ref r;
	const struct container_meta *m;

	ck_assert_int_eq(meta_cache_init(&mc, root), 0);

	/* podman: the file goes away */
	r = ref_of(POD1, "podman");
	ck_assert_ptr_nonnull(meta_lookup(&mc, &r, NULL, NULL, T0));
	path_in(path, sizeof(path), root, PODMAN_JSON);
	ck_assert_int_eq(unlink(path), 0);
	m = meta_lookup(&mc, &r, NULL, NULL, T0 + 1);
	ck_assert_msg(m != NULL, "podman: not answered from the cache");
	ck_assert_nstr_eq(m->name, "web-frontend");
	m = meta_lookup(&mc, &r, NULL, NULL, T0 + TTL - 1);
	ck_assert_ptr_nonnull(m);
	ck_assert_nstr_eq(m->image, "localhost/dropexec-e2e:latest");

	/* docker: the container's directory is renamed */
	r = ref_of(DOCKER_K8S, "docker");
	m = meta_lookup(&mc, &r, NULL, NULL, T0);
	ck_assert_ptr_nonnull(m);
	path_in(path, sizeof(path), root,
		"/var/lib/docker/containers/" DOCKER_K8S);
	path_in(dir, sizeof(dir), root, "/var/lib/docker/containers/gone");
	ck_assert_int_eq(rename(path, dir), 0);
	m = meta_lookup(&mc, &r, NULL, NULL, T0 + 5000);
	ck_assert_msg(m != NULL, "docker: not answered from the cache");
	ck_assert_nstr_eq(m->pod_name, "frontend-7f9c8d-4xk2p");

	/* containerd and CRI-O: the bundle's config.json goes */
	r = ref_of(CTD, "containerd");
	ck_assert_ptr_nonnull(meta_lookup(&mc, &r, NULL, NULL, T0));
	path_in(path, sizeof(path), root, CTD_JSON(CTD));
	ck_assert_int_eq(unlink(path), 0);
	m = meta_lookup(&mc, &r, NULL, NULL, T0 + 10000);
	ck_assert_msg(m != NULL, "containerd: not answered from the cache");
	ck_assert_nstr_eq(m->name, "worker");

	r = ref_of(CRIO, "cri-o");
	ck_assert_ptr_nonnull(meta_lookup(&mc, &r, NULL, NULL, T0));
	path_in(path, sizeof(path), root, CRIO_JSON(CRIO));
	ck_assert_int_eq(unlink(path), 0);
	m = meta_lookup(&mc, &r, NULL, NULL, T0 + 10000);
	ck_assert_msg(m != NULL, "cri-o: not answered from the cache");
	ck_assert_nstr_eq(m->pod_namespace, "shop");

	meta_cache_free(&mc);
	free(root);
}
END_TEST

START_TEST(test_cache_after_ttl_forgets_gone)
{
	struct meta_cache mc;
	char *root = copy_fixture_tree(), path[1024];
	struct container_ref r;

	ck_assert_int_eq(meta_cache_init(&mc, root), 0);
	r = ref_of(POD1, "podman");
	ck_assert_ptr_nonnull(meta_lookup(&mc, &r, NULL, NULL, T0));
	r = ref_of(DOCKER_WEB, "docker");
	ck_assert_ptr_nonnull(meta_lookup(&mc, &r, NULL, NULL, T0));
	r = ref_of(CTD, "containerd");
	ck_assert_ptr_nonnull(meta_lookup(&mc, &r, NULL, NULL, T0));

	path_in(path, sizeof(path), root, PODMAN_JSON);
	ck_assert_int_eq(unlink(path), 0);
	path_in(path, sizeof(path), root, DOCKER_JSON(DOCKER_WEB));
	ck_assert_int_eq(unlink(path), 0);
	path_in(path, sizeof(path), root, CTD_JSON(CTD));
	ck_assert_int_eq(unlink(path), 0);

	r = ref_of(POD1, "podman");
	ck_assert_msg(meta_lookup(&mc, &r, NULL, NULL, T0 + TTL + 1000) == NULL,
		      "podman: a gone container is still known after the TTL");
	r = ref_of(DOCKER_WEB, "docker");
	ck_assert_msg(meta_lookup(&mc, &r, NULL, NULL, T0 + TTL + 1000) == NULL,
		      "docker: a gone container is still known after the TTL");
	r = ref_of(CTD, "containerd");
	ck_assert_msg(meta_lookup(&mc, &r, NULL, NULL, T0 + TTL + 1000) == NULL,
		      "containerd: a gone container is still known after the TTL");
	/* and it stays forgotten */
	r = ref_of(POD1, "podman");
	ck_assert_ptr_null(meta_lookup(&mc, &r, NULL, NULL, T0 + TTL + 1001));
	meta_cache_free(&mc);
	free(root);
}
END_TEST

/* after the TTL a container's files are read again: a change shows */
START_TEST(test_cache_after_ttl_rereads)
{
	static const char renamed[] =
		"[{\"id\":\"" POD1 "\",\"names\":[\"renamed\"],"
		"\"layer\":\"" POD1_LAYER "\",\"metadata\":"
		"\"{\\\"image-name\\\":\\\"localhost/other:2\\\"}\"}]";
	struct meta_cache mc;
	char *root = copy_fixture_tree(), path[1024], *made;
	struct container_ref r = ref_of(POD1, "podman");
	const struct container_meta *m;

	ck_assert_int_eq(meta_cache_init(&mc, root), 0);
	m = meta_lookup(&mc, &r, NULL, NULL, T0);
	ck_assert_nstr_eq(m ? m->name : NULL, "web-frontend");

	path_in(path, sizeof(path), root,
		"/var/lib/containers/storage/overlay-containers");
	made = test_write_file(path, "containers.json", renamed,
			       strlen(renamed), 0600);
	free(made);
	m = meta_lookup(&mc, &r, NULL, NULL, T0 + TTL - 1);
	ck_assert_nstr_eq(m ? m->name : NULL, "web-frontend");
	m = meta_lookup(&mc, &r, NULL, NULL, T0 + TTL + 1000);
	ck_assert_ptr_nonnull(m);
	ck_assert_nstr_eq(m->name, "renamed");
	ck_assert_nstr_eq(m->image, "localhost/other:2");
	meta_cache_free(&mc);
	free(root);
}
END_TEST

/* an unknown container that appears later is found once its miss has
 * expired (a container starts, its state is written a moment later) */
START_TEST(test_cache_miss_expires)
{
	struct meta_cache mc;
	char *root = copy_fixture_tree(), path[1024], away[1024];
	struct container_ref r = ref_of(DOCKER_WEB, "docker");

	path_in(path, sizeof(path), root, DOCKER_JSON(DOCKER_WEB));
	path_in(away, sizeof(away), root, "/config.v2.json.away");
	ck_assert_int_eq(rename(path, away), 0);
	/* the moby bundle would not answer anyway: no annotations */
	ck_assert_int_eq(meta_cache_init(&mc, root), 0);
	ck_assert_ptr_null(meta_lookup(&mc, &r, NULL, NULL, T0));
	ck_assert_int_eq(rename(away, path), 0);
	ck_assert_ptr_nonnull(meta_lookup(&mc, &r, NULL, NULL, T0 + TTL + 1000));
	meta_cache_free(&mc);
	free(root);
}
END_TEST

/* More containers than the cache holds: the oldest entries make room, an
 * evicted one is read again, and nothing breaks. */
START_TEST(test_cache_eviction)
{
	struct meta_cache mc;
	char *root = copy_fixture_tree(), path[1024], id[65];
	struct container_ref r = ref_of(POD1, "podman");
	const struct container_meta *m;
	unsigned int i;

	ck_assert_int_eq(meta_cache_init(&mc, root), 0);
	ck_assert_ptr_nonnull(meta_lookup(&mc, &r, NULL, NULL, T0));
	path_in(path, sizeof(path), root, PODMAN_JSON);
	ck_assert_int_eq(unlink(path), 0);
	for (i = 0; i < META_CACHE_SIZE; i++) {
		snprintf(id, sizeof(id), "%064x", i + 1);
		r = ref_of(id, "docker");
		ck_assert_ptr_null(meta_lookup(&mc, &r, NULL, NULL, T0 + 1));
	}
	/* POD1 was the oldest entry: it is gone from the cache, read
	 * again, and is no more */
	r = ref_of(POD1, "podman");
	m = meta_lookup(&mc, &r, NULL, NULL, T0 + 2);
	ck_assert_ptr_null(m);
	/* DOCKER_K8S, looked up now, is cached as usual */
	r = ref_of(DOCKER_K8S, "docker");
	ck_assert_ptr_nonnull(meta_lookup(&mc, &r, NULL, NULL, T0 + 3));
	meta_cache_free(&mc);
	free(root);
}
END_TEST

START_TEST(test_cache_free_twice_and_init_failure_free)
{
	struct meta_cache mc;

	ck_assert_int_eq(meta_cache_init(&mc, NULL), 0);
	/* the real paths, without a prefix */
	ck_assert_str_eq(mc.roots.docker, "/var/lib/docker");
	ck_assert_str_eq(mc.roots.containers_storage,
			 "/var/lib/containers/storage");
	ck_assert_str_eq(mc.roots.containers_run, "/run/containers/storage");
	ck_assert_str_eq(mc.roots.containerd_tasks,
			 "/run/containerd/io.containerd.runtime.v2.task");
	meta_cache_free(&mc);
	meta_cache_free(&mc);	/* harmless */

	ck_assert_int_eq(meta_cache_init(&mc, "/x"), 0);
	ck_assert_str_eq(mc.roots.docker, "/x/var/lib/docker");
	meta_cache_free(&mc);
}
END_TEST

/* --------------------------------------------------------- [allow] lists */

static void expect_list(const struct strlist *l, size_t n, ...)
{
	va_list ap;
	size_t i;

	ck_assert_uint_eq(l->n, n);
	va_start(ap, n);
	for (i = 0; i < n; i++)
		ck_assert_str_eq(l->v[i], va_arg(ap, const char *));
	va_end(ap);
}

START_TEST(test_strlist_parse)
{
	struct strlist l = { 0 };

	ck_assert_int_eq(strlist_parse("a,b", &l), 0);
	expect_list(&l, 2, "a", "b");
	ck_assert_int_eq(strlist_parse("  /bin/a , /usr/*/b\t\tc,,d ,", &l), 0);
	expect_list(&l, 4, "/bin/a", "/usr/*/b", "c", "d");
	ck_assert_int_eq(strlist_parse("one", &l), 0);	/* replaces */
	expect_list(&l, 1, "one");
	ck_assert_int_eq(strlist_parse("", &l), 0);
	expect_list(&l, 0);
	ck_assert_int_eq(strlist_parse(" , \t,", &l), 0);
	expect_list(&l, 0);
	strlist_free(&l);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_ptr_null(l.v);
	strlist_free(&l);
}
END_TEST

START_TEST(test_strlist_match)
{
	struct strlist l = { 0 };

	ck_assert_int_eq(strlist_parse("/tmp/allowed-*, /opt/app/bin/?ool, "
				       "localhost/dropexec-*, web-[0-9]", &l),
			 0);
	ck_assert(strlist_match(&l, "/tmp/allowed-1"));
	ck_assert(strlist_match(&l, "/tmp/allowed-"));
	ck_assert(!strlist_match(&l, "/tmp/notallowed-1"));
	ck_assert(!strlist_match(&l, "/tmp/allowed"));
	ck_assert(strlist_match(&l, "/opt/app/bin/tool"));
	ck_assert(!strlist_match(&l, "/opt/app/bin/tools"));
	ck_assert(strlist_match(&l, "localhost/dropexec-e2e:latest"));
	ck_assert(!strlist_match(&l, "docker.io/localhost/dropexec-e2e"));
	ck_assert(strlist_match(&l, "web-7"));
	ck_assert(!strlist_match(&l, "web-x"));
	ck_assert(!strlist_match(&l, ""));
	ck_assert(!strlist_match(&l, NULL));
	/* fnmatch() without FNM_PATHNAME: '*' also matches '/' */
	ck_assert(strlist_match(&l, "/tmp/allowed-dir/sub/x"));
	strlist_free(&l);
	/* an empty list matches nothing */
	ck_assert(!strlist_match(&l, "/tmp/allowed-1"));
	ck_assert(!strlist_match(&l, ""));
}
END_TEST

static const char *errs_text(const struct config_errors *e)
{
	static char buf[2048];
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < e->count && off < sizeof(buf); i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "[%s] ",
					e->msg[i]);
	return buf;
}

static const char allow_conf[] =
	"[detect]\n"
	"scope = container\n"
	"[allow]\n"
	"exe = /usr/bin/dpkg, /usr/bin/apt* /usr/lib/apt/methods/*\n"
	"path = /tmp/allowed-*,/var/cache/*\n"
	"image = localhost/dropexec-*   docker.io/library/golang:*\n"
	"container = web-frontend, ci-runner-*\n";

START_TEST(test_allow_section_parsed)
{
	struct config cfg;
	struct config_errors errs = { 0 };

	ck_assert_msg(test_config_load_text(allow_conf, &cfg, &errs) == 0, "%s",
		      errs_text(&errs));
	expect_list(&cfg.allow_exe, 3, "/usr/bin/dpkg", "/usr/bin/apt*",
		    "/usr/lib/apt/methods/*");
	expect_list(&cfg.allow_path, 2, "/tmp/allowed-*", "/var/cache/*");
	expect_list(&cfg.allow_image, 2, "localhost/dropexec-*",
		    "docker.io/library/golang:*");
	expect_list(&cfg.allow_container, 2, "web-frontend", "ci-runner-*");
	ck_assert(strlist_match(&cfg.allow_exe, "/usr/bin/apt-get"));
	ck_assert(strlist_match(&cfg.allow_path, "/tmp/allowed-1"));
	ck_assert(!strlist_match(&cfg.allow_path, "/tmp/notallowed-1"));
	ck_assert(strlist_match(&cfg.allow_image,
				"localhost/dropexec-e2e:latest"));
	ck_assert(strlist_match(&cfg.allow_container, "ci-runner-42"));
	ck_assert(!strlist_match(&cfg.allow_container, "web-frontend-2"));
	config_free(&cfg);
	config_errors_free(&errs);
}
END_TEST

START_TEST(test_allow_defaults_empty)
{
	struct config cfg;
	struct config_errors errs = { 0 };

	config_defaults(&cfg);
	ck_assert_uint_eq(cfg.allow_exe.n, 0);
	ck_assert_uint_eq(cfg.allow_path.n, 0);
	ck_assert_uint_eq(cfg.allow_image.n, 0);
	ck_assert_uint_eq(cfg.allow_container.n, 0);
	config_free(&cfg);
	/* an empty value is an empty list, not an error */
	ck_assert_msg(test_config_load_text("[allow]\nexe =\npath = \"\"\n",
					    &cfg, &errs) == 0, "%s",
		      errs_text(&errs));
	ck_assert_uint_eq(cfg.allow_exe.n, 0);
	ck_assert_uint_eq(cfg.allow_path.n, 0);
	ck_assert(!strlist_match(&cfg.allow_path, "/tmp/x"));
	config_free(&cfg);
	config_errors_free(&errs);
}
END_TEST

static const char *allow_keys[] = { "exe", "path", "image", "container" };

START_TEST(test_allow_unclosed_bracket)
{
	struct config cfg;
	struct config_errors errs = { 0 };
	char text[256], key[32];
	size_t i;
	bool named = false;

	snprintf(text, sizeof(text), "[allow]\n%s = /ok/[ab]*, /tmp/[abc\n",
		 allow_keys[_i]);
	snprintf(key, sizeof(key), "allow:%s", allow_keys[_i]);
	ck_assert_msg(test_config_load_text(text, &cfg, &errs) != 0,
		      "an unclosed '[' in %s is accepted", key);
	for (i = 0; i < errs.count; i++)
		if (strstr(errs.msg[i], key) && strstr(errs.msg[i], "/tmp/[abc"))
			named = true;
	ck_assert_msg(named, "no error names %s and the pattern: %s", key,
		      errs_text(&errs));
	/* the good pattern is not blamed */
	for (i = 0; i < errs.count; i++)
		ck_assert_msg(!strstr(errs.msg[i], "/ok/[ab]*"), "%s",
			      errs.msg[i]);
	config_free(&cfg);
	config_errors_free(&errs);
}
END_TEST

START_TEST(test_allow_brackets_closed_ok)
{
	struct config cfg;
	struct config_errors errs = { 0 };

	ck_assert_msg(test_config_load_text("[allow]\npath = /tmp/[ab]-[0-9]*, "
				"/tmp/[!x]y\n", &cfg, &errs) == 0, "%s",
		      errs_text(&errs));
	ck_assert(strlist_match(&cfg.allow_path, "/tmp/a-1"));
	ck_assert(strlist_match(&cfg.allow_path, "/tmp/zy"));
	ck_assert(!strlist_match(&cfg.allow_path, "/tmp/xy"));
	config_free(&cfg);
	config_errors_free(&errs);
}
END_TEST

START_TEST(test_allow_unknown_key)
{
	struct config cfg;
	struct config_errors errs = { 0 };
	size_t i;
	bool named = false;

	ck_assert_int_ne(test_config_load_text("[allow]\nuser = root\n", &cfg,
					       &errs), 0);
	for (i = 0; i < errs.count; i++)
		if (strstr(errs.msg[i], "allow:user"))
			named = true;
	ck_assert_msg(named, "%s", errs_text(&errs));
	config_free(&cfg);
	config_errors_free(&errs);
}
END_TEST

/* config_copy is deep: the copy lives on when the source is freed */
START_TEST(test_config_copy_deep)
{
	struct config src, dst;
	struct config_errors errs = { 0 };
	char *log_before;

	ck_assert_msg(test_config_load_text(allow_conf, &src, &errs) == 0, "%s",
		      errs_text(&errs));
	ck_assert_int_eq(config_copy(&dst, &src), 0);
	ck_assert_ptr_ne(dst.allow_path.v, src.allow_path.v);
	ck_assert_ptr_ne(dst.allow_path.v[0], src.allow_path.v[0]);
	ck_assert_ptr_ne(dst.allow_container.v, src.allow_container.v);
	ck_assert_ptr_ne(dst.json_log, src.json_log);
	log_before = strdup(src.json_log);
	ck_assert_ptr_nonnull(log_before);

	/* scribble over the source's strings, then free it */
	memset(src.allow_path.v[0], 'X', strlen(src.allow_path.v[0]));
	memset(src.allow_exe.v[0], 'X', strlen(src.allow_exe.v[0]));
	config_free(&src);

	ck_assert_uint_eq(dst.allow_exe.n, 3);
	ck_assert_uint_eq(dst.allow_path.n, 2);
	ck_assert_uint_eq(dst.allow_image.n, 2);
	ck_assert_uint_eq(dst.allow_container.n, 2);
	ck_assert(strlist_match(&dst.allow_path, "/tmp/allowed-1"));
	ck_assert(strlist_match(&dst.allow_exe, "/usr/bin/dpkg"));
	ck_assert(strlist_match(&dst.allow_image, "docker.io/library/golang:1.22"));
	ck_assert(strlist_match(&dst.allow_container, "web-frontend"));
	ck_assert_str_eq(dst.json_log, log_before);
	ck_assert_uint_eq(dst.types, KIND_ELF_EXEC | KIND_ELF_PIE |
			  KIND_ELF_SHARED);
	config_free(&dst);
	free(log_before);
	config_errors_free(&errs);
}
END_TEST

START_TEST(test_config_copy_empty_lists)
{
	struct config src, dst;

	config_defaults(&src);
	free(src.json_log);
	src.json_log = NULL;
	ck_assert_int_eq(config_copy(&dst, &src), 0);
	ck_assert_ptr_null(dst.json_log);
	ck_assert_uint_eq(dst.allow_exe.n, 0);
	ck_assert_ptr_null(dst.allow_exe.v);
	ck_assert(!strlist_match(&dst.allow_container, "x"));
	config_free(&src);
	config_free(&dst);
}
END_TEST

/* A short-lived docker exec writer, gone: only the overlay2 mount is
 * known; its cache id names the container in Docker's layerdb. */
#define DOCKER_CACHE \
	"e175cc9088ced1dcb1c58d955776fb096d3151bbe798e882e99e476858702357"
START_TEST(test_docker_by_cache_id)
{
	struct meta_cache mc;
	struct container_ref r;
	const struct container_meta *m;
	char id[CONTAINER_ID_LEN + 1];

	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(meta_cache_init(&mc, META_DIR), 0);
	m = meta_lookup(&mc, &r, META_DIR "/var/lib/docker/overlay2/"
			DOCKER_CACHE "/merged", NULL, T0);
	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(r.id, DOCKER_WEB);
	ck_assert_str_eq(r.runtime, "docker");
	ck_assert_str_eq(m->name, "web");
	/* the "-init" layer, another root, a name that is no id: none */
	ck_assert_int_eq(meta_docker_container_of_cache(mc.roots.docker,
		DOCKER_CACHE "-init", id, sizeof(id)), -1);
	ck_assert_int_eq(meta_docker_container_of_cache(mc.roots.docker,
		"../../x", id, sizeof(id)), -1);
	memset(&r, 0, sizeof(r));
	ck_assert_ptr_null(meta_lookup(&mc, &r, "/srv/docker/overlay2/"
				       DOCKER_CACHE "/merged", NULL, T0));
	meta_cache_free(&mc);
}
END_TEST

/* A rootless user's container: its containers-storage, from the runtime
 * state's root file system path (runtimes.h), names it. */
START_TEST(test_storage_hint)
{
	struct meta_cache mc;
	struct container_ref r = ref_of(POD1, "podman");
	struct runtime_container hint;
	const struct container_meta *m;

	ck_assert_int_eq(meta_cache_init(&mc, "/nonexistent"), 0);
	ck_assert_ptr_null(meta_lookup(&mc, &r, NULL, NULL, T0));
	memset(&hint, 0, sizeof(hint));
	snprintf(hint.id, sizeof(hint.id), "%s", POD1);
	hint.storage = (char *)META_DIR "/var/lib/containers/storage";
	m = meta_lookup(&mc, &r, NULL, &hint, T0 + 1000000);
	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_nonnull(m->name);
	meta_cache_free(&mc);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("meta");
	TCase *tp = tcase_create("parse");
	TCase *tl = tcase_create("lookup");
	TCase *tc = tcase_create("cache");
	TCase *ta = tcase_create("allow");

	tcase_add_test(tp, test_podman_by_id);
	tcase_add_test(tp, test_podman_by_layer);
	tcase_add_test(tp, test_podman_name_from_names0);
	tcase_add_test(tp, test_podman_without_metadata);
	tcase_add_test(tp, test_podman_not_found);
	tcase_add_loop_test(tp, test_podman_malformed, 0,
			    sizeof(bad_podman) / sizeof(bad_podman[0]));
	tcase_add_loop_test(tp, test_podman_odd_fields, 0,
			    sizeof(odd_podman) / sizeof(odd_podman[0]));
	tcase_add_test(tp, test_docker_plain);
	tcase_add_test(tp, test_docker_pod_labels);
	tcase_add_test(tp, test_docker_name_forms);
	tcase_add_loop_test(tp, test_docker_malformed, 0,
			    sizeof(bad_docker) / sizeof(bad_docker[0]));
	tcase_add_loop_test(tp, test_docker_odd_fields, 0,
			    sizeof(odd_docker) / sizeof(odd_docker[0]));
	tcase_add_test(tp, test_oci_containerd_cri);
	tcase_add_test(tp, test_oci_containerd_sandbox);
	tcase_add_test(tp, test_oci_crio);
	tcase_add_test(tp, test_oci_crio_own_annotations);
	tcase_add_test(tp, test_oci_no_annotations);
	tcase_add_loop_test(tp, test_oci_malformed, 0,
			    sizeof(bad_oci) / sizeof(bad_oci[0]));
	tcase_add_test(tp, test_docker_by_cache_id);
	tcase_add_test(tp, test_storage_hint);
	suite_add_tcase(s, tp);

	tcase_add_unchecked_fixture(tl, test_tmpdir_setup,
				    test_tmpdir_teardown);
	tcase_add_loop_test(tl, test_lookup_each_runtime, 0,
			    sizeof(known) / sizeof(known[0]));
	tcase_add_loop_test(tl, test_lookup_any_runtime, 0,
			    sizeof(known) / sizeof(known[0]));
	tcase_add_test(tl, test_lookup_unknown);
	tcase_add_test(tl, test_lookup_no_runtime_state);
	tcase_add_test(tl, test_lookup_by_mountpoint);
	tcase_add_test(tl, test_lookup_by_mountpoint_crio);
	tcase_add_loop_test(tl, test_lookup_mountpoint_not_a_layer, 0,
			    sizeof(not_a_layer_mount) /
			    sizeof(not_a_layer_mount[0]));
	tcase_add_test(tl, test_lookup_id_wins_over_mountpoint);
	suite_add_tcase(s, tl);

	/* unchecked: the directory goes even when a test fails; each test
	 * makes its own copy of the tree in it */
	tcase_add_unchecked_fixture(tc, test_tmpdir_setup,
				    test_tmpdir_teardown);
	tcase_add_test(tc, test_cache_within_ttl);
	tcase_add_test(tc, test_cache_after_ttl_forgets_gone);
	tcase_add_test(tc, test_cache_after_ttl_rereads);
	tcase_add_test(tc, test_cache_miss_expires);
	tcase_add_test(tc, test_cache_eviction);
	tcase_add_test(tc, test_cache_free_twice_and_init_failure_free);
	suite_add_tcase(s, tc);

	tcase_add_unchecked_fixture(ta, test_tmpdir_setup,
				    test_tmpdir_teardown);
	tcase_add_test(ta, test_strlist_parse);
	tcase_add_test(ta, test_strlist_match);
	tcase_add_test(ta, test_allow_section_parsed);
	tcase_add_test(ta, test_allow_defaults_empty);
	tcase_add_loop_test(ta, test_allow_unclosed_bracket, 0,
			    sizeof(allow_keys) / sizeof(allow_keys[0]));
	tcase_add_test(ta, test_allow_brackets_closed_ok);
	tcase_add_test(ta, test_allow_unknown_key);
	tcase_add_test(ta, test_config_copy_deep);
	tcase_add_test(ta, test_config_copy_empty_lists);
	suite_add_tcase(s, ta);
	return s;
}
