/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pending.c -- candidates waiting for another look, by due time */
#include "check/pending.h"

#include <stdlib.h>
#include <string.h>

int pending_init(struct pending *p, size_t cap)
{
	memset(p, 0, sizeof(*p));
	p->v = calloc(cap ? cap : 1, sizeof(*p->v));
	if (!p->v)
		return -1;
	p->cap = cap;
	return 0;
}

void pending_free(struct pending *p)
{
	size_t i;

	for (i = 0; i < p->count; i++)
		candidate_free(p->v[i]);
	free(p->v);
	memset(p, 0, sizeof(*p));
}

bool pending_full(const struct pending *p)
{
	return p->count >= p->cap;
}

int pending_add(struct pending *p, struct candidate *c, uint64_t due_ms)
{
	if (pending_full(p))
		return -1;
	c->due_ms = due_ms;
	p->v[p->count++] = c;
	return 0;
}

uint64_t pending_backoff_ms(unsigned int attempts)
{
	uint64_t delay = (uint64_t)PENDING_RETRY_FIRST_MS <<
			 (attempts < 6 ? attempts : 6);

	return delay > PENDING_RETRY_MAX_MS ? PENDING_RETRY_MAX_MS : delay;
}

size_t pending_take_due(struct pending *p, uint64_t now, bool all,
			struct candidate **out)
{
	size_t i, keep = 0, n = 0;

	for (i = 0; i < p->count; i++) {
		if (all || p->v[i]->due_ms <= now)
			out[n++] = p->v[i];
		else
			p->v[keep++] = p->v[i];
	}
	p->count = keep;
	return n;
}

int pending_next_ms(const struct pending *p, uint64_t now)
{
	uint64_t soonest = UINT64_MAX;
	size_t i;

	for (i = 0; i < p->count; i++)
		if (p->v[i]->due_ms < soonest)
			soonest = p->v[i]->due_ms;
	if (soonest == UINT64_MAX)
		return -1;
	if (soonest <= now)
		return 0;
	return soonest - now > INT32_MAX ? INT32_MAX : (int)(soonest - now);
}

struct candidate *pending_take_open_of(struct pending *p,
				       unsigned int dev_major,
				       unsigned int dev_minor, uint64_t inode)
{
	size_t i;

	for (i = 0; i < p->count; i++) {
		struct candidate *c = p->v[i];

		if (c->op == FILE_OP_OPEN && c->has_inode &&
		    c->inode == inode && c->dev_major == dev_major &&
		    c->dev_minor == dev_minor) {
			p->v[i] = p->v[--p->count];
			return c;
		}
	}
	return NULL;
}
