/* SPDX-License-Identifier: GPL-2.0-or-later */
/* serials.h -- gaps in the audit serial numbers: events that never came
 *
 * The kernel numbers audit events with a 32-bit serial that wraps (and
 * may skip 0); each node of an aggregated stream (name_format adds
 * node=) has its own numbering. auditd hands events on as they complete,
 * not always in serial order, and drops whole events when its queue to
 * the plugins is full: nothing tells a plugin but the gap.
 *
 * A serial counts as lost once the stream has moved SERIAL_WINDOW past it
 * and it never came. A serial far behind the newest (more than
 * SERIAL_RESET) means the node's kernel started again: its numbering is
 * taken up afresh, nothing counted. Records auditd makes itself
 * (DAEMON_*) have numbers of their own: callers do not pass them here.
 *
 * No global state: one tracker per stream, reset with serials_init().
 */
#ifndef DROPEXEC_SERIALS_H
#define DROPEXEC_SERIALS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SERIAL_WINDOW	4096u		/* serials of reordering tolerated */
#define SERIAL_RESET	(1u << 20)	/* further back: a new numbering */
#define SERIAL_NODES	8		/* nodes followed at once */
#define SERIAL_NODE_MAX	64		/* bytes of a node name compared */

struct serial_node {
	bool used;
	size_t name_len;
	char name[SERIAL_NODE_MAX];
	uint32_t high;			/* the newest serial seen */
	/* bit s % SERIAL_WINDOW: serial s of (high - WINDOW, high] came */
	uint64_t seen[SERIAL_WINDOW / 64];
	uint64_t last_use;
};

struct serial_tracker {
	struct serial_node nodes[SERIAL_NODES];
	struct serial_node *last;	/* the node of the last call */
	uint64_t tick;
	uint64_t lost;			/* serials found lost so far */
};

void serials_init(struct serial_tracker *t);

/*
 * Serial SERIAL of node NODE (NODE_LEN bytes; 0 for a stream without
 * node names) arrived. Returns how many serials this showed to be lost
 * (also added to t->lost).
 */
uint64_t serials_see(struct serial_tracker *t, const char *node,
		     size_t node_len, uint32_t serial);

/*
 * End of input: the serials still awaited within each node's window will
 * never come. Returns how many (also added to t->lost); the tracker then
 * starts afresh.
 */
uint64_t serials_finish(struct serial_tracker *t);

#endif
