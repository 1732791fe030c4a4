/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dedupe.h -- remember which file contents were already reported */
#ifndef DROPEXEC_DEDUPE_H
#define DROPEXEC_DEDUPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

struct dedupe_key {
	uint64_t dev, ino, size;
	int64_t mtime_sec, mtime_nsec;
	uint64_t digest;	/* first 64 bits of the sha256, 0: none */
};

/* A bounded set: once full, the oldest key is forgotten. */
struct dedupe {
	struct dedupe_key *ring;	/* insertion order */
	uint32_t *table;		/* open addressing: ring index + 1 */
	size_t cap, tcap, next, count;
};

/* The key of a file's content as fstat() describes it. */
void dedupe_key_of(const struct stat *st, struct dedupe_key *k);

/* Add the content's sha256 (64 hex digits; empty: none) to K: a file
 * rewritten in place with its size kept and its mtime set back is new
 * content all the same. */
void dedupe_key_digest(struct dedupe_key *k, const char *sha256_hex);

int dedupe_init(struct dedupe *d, size_t cap);
void dedupe_free(struct dedupe *d);

/* Add K; returns true if it was already there (a duplicate). */
bool dedupe_seen(struct dedupe *d, const struct dedupe_key *k);

#endif
