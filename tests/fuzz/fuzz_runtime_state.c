/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_runtime_state.c -- libFuzzer target: a container runtime's state
 * JSON (written by the runtime, but holding names, labels and
 * annotations the container's owner chose) to the metadata parsers.
 *
 * The first byte picks the parser (its value modulo 4):
 *   '0' podman containers.json, matched by container id
 *   '1' podman containers.json, matched by layer id
 *   '2' docker config.v2.json
 *   '3' OCI config.json annotations (containerd CRI, CRI-O)
 * and the rest is the file's text. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scope/meta.h"

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
	switch (data[0] % 4) {
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
