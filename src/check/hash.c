/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hash.c -- SHA-256 of a dropped file, by OpenSSL's libcrypto (EVP) */
#include "check/hash.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <openssl/evp.h>

void sha256_init(struct sha256 *s)
{
	s->len = 0;
	s->failed = 0;
	if (!s->ctx)
		s->ctx = EVP_MD_CTX_new();
	if (!s->ctx || EVP_DigestInit_ex(s->ctx, EVP_sha256(), NULL) != 1)
		s->failed = 1;
}

void sha256_update(struct sha256 *s, const void *data, size_t len)
{
	if (s->failed || !len)
		return;
	if (EVP_DigestUpdate(s->ctx, data, len) != 1)
		s->failed = 1;
	s->len += len;
}

int sha256_final_hex(struct sha256 *s, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	int rc = -1;

	hex[0] = '\0';
	if (!s->failed && EVP_DigestFinal_ex(s->ctx, md, &mdlen) == 1 &&
	    mdlen == 32) {
		for (i = 0; i < mdlen; i++)
			snprintf(hex + 2 * i, 3, "%02x", md[i]);
		rc = 0;
	}
	EVP_MD_CTX_free(s->ctx);
	s->ctx = NULL;
	return rc;
}

int sha256_fd(int fd, uint64_t max, char hex[65])
{
	unsigned char buf[65536];
	struct sha256 s = { 0 };
	uint64_t off = 0;
	int rc = 0;

	sha256_init(&s);
	for (;;) {
		ssize_t n = pread(fd, buf, sizeof(buf), (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -1 : 0;
			break;
		}
		off += (uint64_t)n;
		if (off > max) {
			rc = 1;
			break;
		}
		sha256_update(&s, buf, (size_t)n);
	}
	if (sha256_final_hex(&s, hex) || rc) {
		hex[0] = '\0';
		return rc ? rc : -1;
	}
	return 0;
}
