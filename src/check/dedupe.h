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

/* A finding that was reported: what a later execution of the same
 * content is linked to (check/execcheck.h). */
struct dedupe_report {
	struct dedupe_key key;
	char sha256[65];	/* "" when the finding had none */
	char container[65];	/* the container's id, "" when none */
	uint64_t serial;	/* audit serial of its event */
	char *path;
	bool ran;		/* a finding already says that it ran */
};

/* A bounded set: once full, the oldest key is forgotten. The reports
 * are a ring of their own, of the same size. */
struct dedupe {
	struct dedupe_key *ring;	/* insertion order */
	uint32_t *table;		/* open addressing: ring index + 1 */
	size_t cap, tcap, next, count;
	struct dedupe_report *reports;
	size_t rnext, rcount;
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

/*
 * Remember a reported finding: the key of its file, its sha256 (or "" /
 * NULL), its CONTAINER's id (or NULL), its event's SERIAL and PATH; RAN
 * when it says the file ran.
 */
void dedupe_note_report(struct dedupe *d, const struct dedupe_key *k,
			const char *sha256, const char *container,
			uint64_t serial, const char *path, bool ran);

/*
 * The remembered report of the same content in the same CONTAINER (NULL
 * or "": a report of no container): the same sha256 when SHA256 is given
 * (not ""), else the same key. NULL when there is none (never reported,
 * or forgotten). The entry may be changed (its RAN flag) until the next
 * dedupe_note_report().
 */
struct dedupe_report *dedupe_find_report(struct dedupe *d,
					 const struct dedupe_key *k,
					 const char *sha256,
					 const char *container);

#endif
