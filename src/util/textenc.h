/* SPDX-License-Identifier: GPL-2.0-or-later */
/* textenc.h -- decoding audit values, UTF-8 checks, hex */
#ifndef DROPEXEC_TEXTENC_H
#define DROPEXEC_TEXTENC_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Decode a raw audit field value as the kernel wrote it: "quoted text",
 * an even-length uppercase hex string (used when the value holds spaces,
 * quotes, control or non-ASCII bytes), or (null)/(none).
 * Returns a malloc'd NUL-terminated string, or NULL for (null)/(none)
 * and for values that are not well formed (odd hex, embedded NUL, ...).
 */
char *audit_value_decode(const char *raw);

/* True when S[0..LEN) is well-formed UTF-8 (no overlongs, surrogates). */
bool utf8_valid(const char *s, size_t len);

/* A malloc'd copy of S where every byte that is not part of well-formed
 * UTF-8 is replaced by U+FFFD. */
char *utf8_sanitize(const char *s, size_t len);

/* A malloc'd uppercase hex encoding of LEN bytes. */
char *hex_encode(const unsigned char *p, size_t len);

#endif
