/* SPDX-License-Identifier: GPL-2.0-or-later */
/* serials.c -- gaps in the audit serial numbers: events that never came */
#include "intake/serials.h"

#include <string.h>

#define WORDS	(SERIAL_WINDOW / 64)

static bool bit_get(const struct serial_node *n, uint32_t s)
{
	uint32_t b = s % SERIAL_WINDOW;

	return n->seen[b / 64] >> (b % 64) & 1;
}

static void bit_set(struct serial_node *n, uint32_t s)
{
	uint32_t b = s % SERIAL_WINDOW;

	n->seen[b / 64] |= (uint64_t)1 << (b % 64);
}

static void bit_clear(struct serial_node *n, uint32_t s)
{
	uint32_t b = s % SERIAL_WINDOW;

	n->seen[b / 64] &= ~((uint64_t)1 << (b % 64));
}

/* Numbering starts at SERIAL: what came before it is not ours to miss. */
static void node_start(struct serial_node *n, uint32_t serial)
{
	n->high = serial;
	memset(n->seen, 0xff, sizeof(n->seen));
}

/* The node called NODE, taking the least recently used slot for a new
 * one (its numbering then starts afresh). *FRESH tells which. */
static struct serial_node *node_get(struct serial_tracker *t,
				    const char *node, size_t len, bool *fresh)
{
	struct serial_node *n, *oldest = &t->nodes[0];
	size_t i;

	if (len > SERIAL_NODE_MAX)
		len = SERIAL_NODE_MAX;
	*fresh = false;
	n = t->last;	/* most records are of the node before */
	if (n && n->name_len == len && !memcmp(n->name, node, len)) {
		n->last_use = ++t->tick;
		return n;
	}
	for (i = 0; i < SERIAL_NODES; i++) {
		n = &t->nodes[i];
		if (n->used && n->name_len == len &&
		    !memcmp(n->name, node, len))
			goto found;
		if (!n->used || (oldest->used &&
				 n->last_use < oldest->last_use))
			oldest = n;
	}
	n = oldest;
	memset(n, 0, sizeof(*n));
	n->used = true;
	n->name_len = len;
	memcpy(n->name, node, len);
	*fresh = true;
found:
	n->last_use = ++t->tick;
	t->last = n;
	return n;
}

/* Move the newest serial of N up by D (<= SERIAL_WINDOW): each serial
 * that leaves the window unseen is lost. */
static uint64_t advance_small(struct serial_node *n, uint32_t d)
{
	uint64_t lost = 0;
	uint32_t i;

	for (i = 1; i <= d; i++) {
		uint32_t s = n->high + i;	/* takes the slot of... */
		uint32_t gone = s - SERIAL_WINDOW;	/* ...this one */

		if (!bit_get(n, gone) && gone != 0)
			lost++;
		bit_clear(n, s);
		if (s == 0)	/* some kernels skip 0: never waited for */
			bit_set(n, s);
	}
	n->high += d;
	return lost;
}

/* Move the newest serial of N up by D (> SERIAL_WINDOW): the whole window
 * leaves, and so do the serials between it and the new one. */
static uint64_t advance_far(struct serial_node *n, uint32_t d)
{
	uint32_t first = n->high + 1, last = n->high + d - SERIAL_WINDOW;
	uint64_t lost = 0;
	size_t w;

	for (w = 0; w < WORDS; w++)
		lost += (uint64_t)(64 - __builtin_popcountll(n->seen[w]));
	/* serial 0 of the old window was never waited for */
	if ((uint32_t)(0 - (n->high - SERIAL_WINDOW + 1)) < SERIAL_WINDOW &&
	    !bit_get(n, 0))
		lost--;
	/* (high, high + d - WINDOW]: never came, all gone */
	lost += d - SERIAL_WINDOW;
	if ((uint32_t)(0 - first) <= last - first)
		lost--;
	n->high += d;
	memset(n->seen, 0, sizeof(n->seen));
	if ((uint32_t)(n->high - 0) < SERIAL_WINDOW)
		bit_set(n, 0);
	return lost;
}

void serials_init(struct serial_tracker *t)
{
	memset(t, 0, sizeof(*t));
}

uint64_t serials_see(struct serial_tracker *t, const char *node,
		     size_t node_len, uint32_t serial)
{
	struct serial_node *n;
	uint64_t lost = 0;
	uint32_t d;
	bool fresh;

	n = node_get(t, node_len ? node : "", node_len, &fresh);
	if (fresh) {
		node_start(n, serial);
		return 0;
	}
	d = serial - n->high;
	if (d == 0)
		return 0;
	if (d < 0x80000000u) {		/* ahead of the newest */
		lost = d <= SERIAL_WINDOW ? advance_small(n, d)
					  : advance_far(n, d);
		bit_set(n, serial);
	} else if (n->high - serial < SERIAL_WINDOW) {
		bit_set(n, serial);	/* late, still in the window */
	} else if (n->high - serial > SERIAL_RESET) {
		node_start(n, serial);	/* the node's kernel started anew */
	}
	/* otherwise late beyond the window: already counted */
	t->lost += lost;
	return lost;
}

uint64_t serials_finish(struct serial_tracker *t)
{
	uint64_t lost = 0, total;
	size_t i, w;

	for (i = 0; i < SERIAL_NODES; i++) {
		struct serial_node *n = &t->nodes[i];

		if (!n->used)
			continue;
		for (w = 0; w < WORDS; w++)
			lost += (uint64_t)(64 - __builtin_popcountll(n->seen[w]));
	}
	total = t->lost + lost;
	serials_init(t);
	t->lost = total;
	return lost;
}
