/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_cgroup.c -- libFuzzer target: /proc/PID/cgroup text, which a
 * container with CAP_SYS_ADMIN can shape, to cgroup_find_container().
 * A container named must carry a 64-digit lower-case hex id. */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scope/scope.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct container_ref ref;
	char *text = malloc(size + 1);
	size_t i;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(&ref, 0, sizeof(ref));
	if (cgroup_find_container(text, &ref)) {
		if (!ref.in_container || strlen(ref.id) != CONTAINER_ID_LEN)
			abort();
		for (i = 0; i < CONTAINER_ID_LEN; i++)
			if (!isxdigit((unsigned char)ref.id[i]) ||
			    isupper((unsigned char)ref.id[i]))
				abort();
		if (!memchr(ref.runtime, '\0', sizeof(ref.runtime)))
			abort();
	}
	free(text);
	return 0;
}
