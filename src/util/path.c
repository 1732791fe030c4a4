/* SPDX-License-Identifier: GPL-2.0-or-later */
/* path.c -- absolute paths as text, without touching the file system */
#include "util/path.h"

#include <string.h>

void path_normalize(char *p)
{
	char *out = p, *in = p;

	if (*p != '/')
		return;
	while (*in) {
		char *end;
		size_t len;

		while (*in == '/')
			in++;
		if (!*in)
			break;
		end = strchr(in, '/');
		len = end ? (size_t)(end - in) : strlen(in);
		if (len == 1 && in[0] == '.') {
			/* nothing */
		} else if (len == 2 && in[0] == '.' && in[1] == '.') {
			while (out > p && *--out != '/')
				;
		} else {
			*out++ = '/';
			memmove(out, in, len);
			out += len;
		}
		in += len;
	}
	if (out == p)
		*out++ = '/';
	*out = '\0';
}
