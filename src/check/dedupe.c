/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dedupe.c -- remember which file contents were already reported */
#include "check/dedupe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t key_hash(const struct dedupe_key *k)
{
	uint64_t h = 1469598103934665603ULL;
	const unsigned char *p = (const unsigned char *)k;
	size_t i;

	for (i = 0; i < sizeof(*k); i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

void dedupe_key_of(const struct stat *st, struct dedupe_key *k)
{
	/* zeroed whole: the hash reads the padding too */
	memset(k, 0, sizeof(*k));
	k->dev = st->st_dev;
	k->ino = st->st_ino;
	k->size = (uint64_t)st->st_size;
	k->mtime_sec = st->st_mtim.tv_sec;
	k->mtime_nsec = st->st_mtim.tv_nsec;
}

void dedupe_key_digest(struct dedupe_key *k, const char *sha256_hex)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 16; i++) {
		int c = (unsigned char)sha256_hex[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else
			return;		/* no digest (or not one) */
		v = v << 4 | (uint64_t)d;
	}
	k->digest = v;
}

int dedupe_init(struct dedupe *d, size_t cap)
{
	memset(d, 0, sizeof(*d));
	d->cap = cap ? cap : 1;
	d->tcap = 1;
	while (d->tcap < d->cap * 2)
		d->tcap <<= 1;
	d->ring = calloc(d->cap, sizeof(*d->ring));
	d->table = calloc(d->tcap, sizeof(*d->table));
	d->reports = calloc(d->cap, sizeof(*d->reports));
	if (!d->ring || !d->table || !d->reports) {
		dedupe_free(d);
		return -1;
	}
	return 0;
}

void dedupe_free(struct dedupe *d)
{
	size_t i;

	for (i = 0; d->reports && i < d->cap; i++)
		free(d->reports[i].path);
	free(d->reports);
	free(d->ring);
	free(d->table);
	d->reports = NULL;
	d->ring = NULL;
	d->table = NULL;
	d->rcount = d->rnext = 0;
}

void dedupe_note_report(struct dedupe *d, const struct dedupe_key *k,
			const char *sha256, const char *container,
			uint64_t serial, const char *path, bool ran)
{
	struct dedupe_report *r;

	if (!d->reports)
		return;
	r = &d->reports[d->rnext];
	free(r->path);
	memset(r, 0, sizeof(*r));
	r->key = *k;
	if (sha256 && strlen(sha256) == sizeof(r->sha256) - 1)
		memcpy(r->sha256, sha256, sizeof(r->sha256));
	if (container)
		snprintf(r->container, sizeof(r->container), "%s", container);
	r->serial = serial;
	r->path = path ? strdup(path) : NULL;
	r->ran = ran;
	d->rnext = (d->rnext + 1) % d->cap;
	if (d->rcount < d->cap)
		d->rcount++;
}

struct dedupe_report *dedupe_find_report(struct dedupe *d,
					 const struct dedupe_key *k,
					 const char *sha256,
					 const char *container)
{
	bool by_sha = sha256 && sha256[0];
	size_t i, idx;

	if (!container)
		container = "";

	/* newest first: the latest report of that content */
	for (i = 1; i <= d->rcount; i++) {
		idx = (d->rnext + d->cap - i) % d->cap;
		if (strcmp(d->reports[idx].container, container))
			continue;
		if (by_sha ? !strcmp(d->reports[idx].sha256, sha256) :
			     !memcmp(&d->reports[idx].key, k, sizeof(*k)))
			return &d->reports[idx];
	}
	return NULL;
}

static size_t find_slot(const struct dedupe *d, const struct dedupe_key *k,
			bool *found)
{
	size_t mask = d->tcap - 1, i = key_hash(k) & mask;

	*found = false;
	while (d->table[i]) {
		if (!memcmp(&d->ring[d->table[i] - 1], k, sizeof(*k))) {
			*found = true;
			return i;
		}
		i = (i + 1) & mask;
	}
	return i;
}

/* Remove ring entry IDX from the table, keeping probe chains intact. */
static void table_remove(struct dedupe *d, size_t idx)
{
	size_t mask = d->tcap - 1, i, j;
	bool found;

	i = find_slot(d, &d->ring[idx], &found);
	if (!found)
		return;
	d->table[i] = 0;
	for (j = (i + 1) & mask; d->table[j]; j = (j + 1) & mask) {
		uint32_t v = d->table[j];
		size_t slot;

		d->table[j] = 0;
		slot = find_slot(d, &d->ring[v - 1], &found);
		d->table[slot] = v;
	}
}

bool dedupe_seen(struct dedupe *d, const struct dedupe_key *key)
{
	struct dedupe_key k;
	size_t slot;
	bool found;

	memset(&k, 0, sizeof(k));
	k = *key;
	find_slot(d, &k, &found);
	if (found)
		return true;
	if (d->count == d->cap)
		table_remove(d, d->next);
	else
		d->count++;
	d->ring[d->next] = k;
	slot = find_slot(d, &k, &found);
	d->table[slot] = (uint32_t)(d->next + 1);
	d->next = (d->next + 1) % d->cap;
	return false;
}
