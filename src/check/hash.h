/* hash.h -- SHA-256 (FIPS 180-4) of a dropped file */
#ifndef DROPEXEC_HASH_H
#define DROPEXEC_HASH_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t len;		/* bytes hashed */
	unsigned char buf[64];
	size_t nbuf;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
/* Writes 64 lowercase hex digits and a NUL into HEX. */
void sha256_final_hex(struct sha256 *s, char hex[65]);

/*
 * Hash the regular file open on FD from offset 0, if it holds at most
 * MAX bytes. Returns 0 with HEX filled, 1 when the file is larger than
 * MAX (or grew past it), -1 on a read error.
 */
int sha256_fd(int fd, uint64_t max, char hex[65]);

#endif
