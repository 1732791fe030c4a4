/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hash.h -- SHA-256 of a dropped file, by OpenSSL's libcrypto (EVP)
 *
 * libcrypto is the FIPS-capable implementation of the hosts this runs on
 * (PCI DSS, STIG): with a FIPS provider configured, the digest comes from
 * it.
 */
#ifndef DROPEXEC_HASH_H
#define DROPEXEC_HASH_H

#include <stddef.h>
#include <stdint.h>

struct evp_md_ctx_st;

/* A running digest. Start from { 0 }; sha256_final_hex() releases it. */
struct sha256 {
	struct evp_md_ctx_st *ctx;
	uint64_t len;		/* bytes hashed */
	int failed;		/* libcrypto refused: no digest */
};

/* Start (or restart) S. */
void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
/*
 * Write 64 lowercase hex digits and a NUL into HEX and release S.
 * Returns 0, or -1 (HEX empty) when libcrypto failed.
 */
int sha256_final_hex(struct sha256 *s, char hex[65]);

/*
 * Hash the regular file open on FD from offset 0, if it holds at most
 * MAX bytes. Returns 0 with HEX filled, 1 when the file is larger than
 * MAX (or grew past it), -1 on a read or libcrypto error.
 */
int sha256_fd(int fd, uint64_t max, char hex[65]);

#endif
