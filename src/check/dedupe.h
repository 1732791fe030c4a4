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
};

/* A bounded set: once full, the oldest key is forgotten. */
struct dedupe {
	struct dedupe_key *ring;	/* insertion order */
	uint32_t *table;		/* open addressing: ring index + 1 */
	size_t cap, tcap, next, count;
};

/* The key of a file's content as fstat() describes it. */
void dedupe_key_of(const struct stat *st, struct dedupe_key *k);

int dedupe_init(struct dedupe *d, size_t cap);
void dedupe_free(struct dedupe *d);

/* Add K; returns true if it was already there (a duplicate). */
bool dedupe_seen(struct dedupe *d, const struct dedupe_key *k);

#endif
