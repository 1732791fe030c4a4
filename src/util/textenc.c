/* SPDX-License-Identifier: GPL-2.0-or-later */
/* textenc.c -- decoding audit values, UTF-8 checks, hex */
#include "util/textenc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

char *audit_value_decode(const char *raw)
{
	size_t len, i;
	char *out;

	if (!raw)
		return NULL;
	len = strlen(raw);
	if (len >= 2 && raw[0] == '"' && raw[len - 1] == '"')
		return strndup(raw + 1, len - 2);
	if (!strcmp(raw, "(null)") || !strcmp(raw, "(none)") || len == 0)
		return NULL;
	if (len % 2)
		return NULL;
	out = malloc(len / 2 + 1);
	if (!out)
		return NULL;
	for (i = 0; i < len; i += 2) {
		int hi = hexval(raw[i]), lo = hexval(raw[i + 1]);

		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
			free(out);
			return NULL;
		}
		out[i / 2] = (char)(hi << 4 | lo);
	}
	out[len / 2] = '\0';
	return out;
}

/* Length of the well-formed UTF-8 sequence at P (at most AVAIL), or 0. */
static size_t utf8_seq_len(const unsigned char *p, size_t avail)
{
	uint32_t cp;
	size_t n, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xC2 && p[0] <= 0xDF) {
		n = 2;
		cp = p[0] & 0x1F;
	} else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
		n = 3;
		cp = p[0] & 0x0F;
	} else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		n = 4;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	if (avail < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

bool utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;

	while (i < len) {
		n = utf8_seq_len(p + i, len - i);
		if (!n)
			return false;
		i += n;
	}
	return true;
}

char *utf8_sanitize(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	char *out = malloc(len * 3 + 1), *o = out;
	size_t i = 0, n;

	if (!out)
		return NULL;
	while (i < len) {
		n = utf8_seq_len(p + i, len - i);
		if (n) {
			memcpy(o, p + i, n);
			o += n;
			i += n;
		} else {
			memcpy(o, "\xEF\xBF\xBD", 3);	/* U+FFFD */
			o += 3;
			i++;
		}
	}
	*o = '\0';
	return out;
}

char *hex_encode(const unsigned char *p, size_t len)
{
	static const char digits[] = "0123456789ABCDEF";
	char *out = malloc(len * 2 + 1);
	size_t i;

	if (!out)
		return NULL;
	for (i = 0; i < len; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0xF];
	}
	out[2 * len] = '\0';
	return out;
}
