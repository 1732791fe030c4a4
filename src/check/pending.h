/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pending.h -- candidates waiting for another look, by due time
 *
 * The check keeps a candidate for later when its file is still short or
 * unwritten (retry with a growing delay), still growing (settle), or
 * confirmed but already renamed away (waiting for the rename). This list
 * holds them with the time they are due. Time is passed in by the caller
 * (monotonic milliseconds), so tests drive it without sleeping.
 */
#ifndef DROPEXEC_PENDING_H
#define DROPEXEC_PENDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "candidate.h"

#define PENDING_RETRY_FIRST_MS	5
#define PENDING_RETRY_MAX_MS	250

struct pending {
	struct candidate **v;
	size_t count, cap;
};

int pending_init(struct pending *p, size_t cap);
/* Free the list and every candidate still on it. */
void pending_free(struct pending *p);

/* Keep C until DUE_MS; -1 (C not taken) when the list is full. */
int pending_add(struct pending *p, struct candidate *c, uint64_t due_ms);
bool pending_full(const struct pending *p);

/* The delay before look number ATTEMPTS + 1: 5 ms doubling to 250 ms. */
uint64_t pending_backoff_ms(unsigned int attempts);

/*
 * Move the candidates due at NOW (all of them when ALL) into OUT, which
 * has room for p->count entries, in the order they were added; returns
 * how many.
 */
size_t pending_take_due(struct pending *p, uint64_t now, bool all,
			struct candidate **out);

/* Milliseconds until the next one is due (0: now), or -1 when empty. */
int pending_next_ms(const struct pending *p, uint64_t now);

/* The first open of the file DEV_MAJOR:DEV_MINOR/INODE on the list, taken
 * off it, or NULL. */
struct candidate *pending_take_open_of(struct pending *p,
				       unsigned int dev_major,
				       unsigned int dev_minor, uint64_t inode);

#endif
