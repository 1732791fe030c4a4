/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_runtime_state.c -- libFuzzer target: a container runtime's state
 * JSON (written by the runtime, but holding names, labels and
 * annotations the container's owner chose) to the metadata parsers.
 *
 * The first byte picks the parser (its value modulo 8):
 *   '0' podman containers.json, matched by container id
 *   '1' podman containers.json, matched by layer id
 *   '2' docker config.v2.json
 *   '3' OCI config.json annotations (containerd CRI, CRI-O)
 *   '4' runc state.json (scope/runtimes.h)
 *   '5' crun status
 *   '6' OCI config.json root.path
 *   '7' a root file system path: containers-storage graph and upper dir
 * and the rest is the file's text. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scope/meta.h"
#include "scope/runtimes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A container id and a layer id of tests/fixtures/meta's containers.json,
 * so that the seeds reach the code behind a match. */
#define PODMAN_ID \
	"7d5efe932229c062e579d15d49d90e2f18151bf5a8be7e574a231ca78a263013"
#define PODMAN_LAYER \
	"41783dcf00146931d4015509a36aabc728ae47b6504c25fd87ecb3cd5f317b1e"

static void check_string(const char *s)
{
	if (s && !*s)
		abort();	/* set_once() never keeps an empty string */
}

/* The state parsers of runtimes.c: what they return is whole. */
static void runtime_state(int which, const char *text)
{
	unsigned long long start;
	char *a = NULL, *b = NULL;
	pid_t pid = 0;
	int rc;

	switch (which) {
	case 4:
		rc = runtime_parse_runc_state(text, &pid, &start, &a);
		break;
	case 5:
		rc = runtime_parse_crun_status(text, &pid, &a);
		break;
	case 6:
		rc = runtime_parse_oci_root(text, &a);
		break;
	default:
		rc = runtime_storage_of(text, &a, &b);
		if (!rc && (!b || strncmp(a, b, strlen(a))))
			abort();	/* the upper dir is below the graph */
		break;
	}
	if ((rc == 0) != (a != NULL) || (which < 6 && !rc && pid <= 0))
		abort();
	if (which < 6 && a && a[0] != '/')
		abort();
	free(a);
	free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct container_meta m;
	char *text;
	int rc;

	if (size < 1)
		return 0;
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	memset(&m, 0, sizeof(m));
	if (data[0] % 8 >= 4) {
		runtime_state(data[0] % 8, text);
		free(text);
		return 0;
	}
	switch (data[0] % 8) {
	case 0:
		rc = meta_parse_podman(text, PODMAN_ID, NULL, &m);
		break;
	case 1:
		rc = meta_parse_podman(text, NULL, PODMAN_LAYER, &m);
		break;
	case 2:
		rc = meta_parse_docker(text, &m);
		break;
	default:
		rc = meta_parse_oci_annotations(text, &m);
		break;
	}
	if (rc != 0 && rc != -1)
		abort();
	if (!memchr(m.id, '\0', sizeof(m.id)) ||
	    !memchr(m.runtime, '\0', sizeof(m.runtime)))
		abort();
	check_string(m.name);
	check_string(m.image);
	check_string(m.pod_name);
	check_string(m.pod_namespace);
	check_string(m.pod_uid);
	container_meta_clear(&m);
	free(text);
	return 0;
}
