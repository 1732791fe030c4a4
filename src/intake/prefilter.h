/* SPDX-License-Identifier: GPL-2.0-or-later */
/* prefilter.h -- a look at each raw record before auparse
 *
 * Most events auditd sends can never become a candidate: another call,
 * a failed one, a record that is not part of a syscall event, a host
 * process the scope verdict cache already knows. Parsing them with
 * auparse costs more than all the rest of the reader, so this module
 * splits the stream into records, reads each record's header
 *
 *   [node=NODE ]type=TYPE msg=audit(SEC.MILLI:SERIAL): FIELDS[\x1d ENRICHED]
 *
 * and, for the first record of an event, decides from it alone:
 *  - not a SYSCALL record (auparse would give an event that does not
 *    start with SYSCALL, which record_extract() ignores): dropped;
 *  - a SYSCALL record of a call the reader does not watch, or with
 *    success=no, or of the plugin itself, or whose pid the caller's
 *    DROP_PID says is a known host process: dropped;
 *  - anything else, and anything it cannot read: handed on.
 * Every later record of the event follows that decision.
 *
 * An event it would hand on can instead be held (the caller's HOLD says
 * when: a writer not known to be in a container, when only containers
 * count): its records, and every record after them in the stream, wait
 * in order until the event is complete as auparse sees it (a record of a
 * type that ends an event: PROCTITLE, EOE, ...). Then the caller's
 * DECIDE reads the event's raw records and keeps or drops it whole
 * (of a dropped event, a later EOE is dropped too; any other record of
 * its stamp is handed on: auparse would make a new event of it).
 * A held event is handed on undecided (as if never held) when it cannot
 * be decided safely: a later record whose header cannot be read, or that
 * auparse may read otherwise (a NUL in it, longer than auparse looks),
 * one of auditd's own, a record a second or more newer than the event
 * (auparse would time the event out), an over-long record, too many
 * records or events waiting, the input idle (prefilter_release()) or
 * ended. An event is not held either when auparse found its stamp in
 * such a record (it may count that record as the event's). What is
 * handed on is always the stream less whole dropped events, in order.
 *
 * Only the
 * record's real header and the kernel's own fields count: a SYSCALL
 * record's values never hold a space (the kernel quotes them without one
 * or hex-encodes them), so a field is a space-separated token of the
 * text before the ENRICHED part; no text inside a USER record's msg='...'
 * can pass for a header or a field.
 *
 * It also follows the serial numbers of all records but auditd's own
 * (DAEMON_*) in a serial tracker (intake/serials.h) and adds serials
 * found lost to stats->lost_serials.
 *
 * No global state; one prefilter per stream.
 */
#ifndef DROPEXEC_PREFILTER_H
#define DROPEXEC_PREFILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "intake/serials.h"
#include "util/stats.h"

/* Bytes handed on (whole records, '\n' included). */
typedef void (*prefilter_out_fn)(const char *buf, size_t len, void *arg);
/* True when the writer PID is known to be out of scope (no /proc read:
 * a cached verdict only). */
typedef bool (*prefilter_pid_fn)(pid_t pid, void *arg);

/* Is an event of writer PID, whose first record is to be handed on,
 * held instead? */
typedef bool (*prefilter_hold_fn)(pid_t pid, void *arg);
/* A raw record: LEN bytes at TEXT, no '\n'. */
struct prefilter_line {
	const char *text;
	size_t len;
};
/* The decision on a complete held event, its N records in order: true
 * hands it on, false drops it (the callee counts what it drops). */
typedef bool (*prefilter_decide_fn)(const struct prefilter_line *lines,
				    size_t n, void *arg);

/* A record longer than this is handed on unread. */
#define PREFILTER_LINE_MAX	(64 * 1024)
/* Events whose decision is remembered (by serial, a power of two). */
#define PREFILTER_RECENT	1024

/* The decision taken on an event's first record. */
struct prefilter_event {
	uint32_t serial;
	uint32_t node;		/* hash of the node name */
	uint64_t sec;
	unsigned int milli;
	uint8_t state;		/* 0 free, PREFILTER_KEEP, _DROP, _HOLD, _DONE */
};

#define PREFILTER_KEEP	1
#define PREFILTER_DROP	2
#define PREFILTER_HOLD	3
/* dropped once complete: a later EOE is dropped too, any other record of
 * its stamp handed on (auparse would make a new event of it) */
#define PREFILTER_DONE	4

/* Events held at once; bytes and records held; events begun after a held
 * one before it is handed on undecided. */
#define PREFILTER_PENDING	16
#define PREFILTER_HELD_BYTES	(256 * 1024)
#define PREFILTER_HELD_RECORDS	512
#define PREFILTER_HOLD_EVENTS	64

/* Stamps auparse found in records the prefilter read otherwise. */
#define PREFILTER_TAINTED	16

struct prefilter_taint {
	bool used;
	uint32_t serial;
	uint64_t sec;
	unsigned int milli;
};

/* A held event. */
struct prefilter_pending {
	bool used;
	uint32_t serial;
	uint32_t node;
	uint64_t sec;
	unsigned int milli;
	uint64_t begun;		/* events begun before it (first_records) */
	struct prefilter_event *slot;
};

/* A record waiting: its bytes in held_buf, '\n' included. */
#define HELD_KEEP	(-1)
#define HELD_DROP	(-2)
struct prefilter_held {
	size_t off;
	size_t len;
	int tag;		/* HELD_KEEP, HELD_DROP, or a pending index */
};

/* Which calls of one architecture are watched, by number. */
#define PREFILTER_ARCHES	4
#define PREFILTER_SYSCALLS	1024

struct prefilter_arch {
	uint32_t arch;		/* AUDIT_ARCH_* value, 0: slot free */
	/* 0 not looked up yet, 1 watched, 2 not watched */
	uint8_t watched[PREFILTER_SYSCALLS];
};

struct prefilter {
	prefilter_out_fn out;
	prefilter_pid_fn drop_pid;	/* may be NULL */
	void *arg;
	struct stats *stats;		/* may be NULL */
	pid_t self_pid;
	bool enabled;			/* false: every record handed on */

	char *carry;			/* a record begun in the last feed */
	size_t carry_len;
	bool passing;			/* inside an over-long record */

	/* the record before: its node and stamp, and the decision */
	char last_node[64];
	size_t last_node_len;
	char last_stamp[64];
	size_t last_stamp_len;		/* 0: none */
	uint8_t last_state;		/* PREFILTER_KEEP, _DROP, _HOLD, _DONE */
	int last_pending;		/* _HOLD: the pending index */

	/* held events, and the records waiting behind the first of them */
	prefilter_hold_fn hold;		/* NULL: nothing is held */
	prefilter_decide_fn decide;
	struct prefilter_pending pending[PREFILTER_PENDING];
	size_t npending;
	struct prefilter_held *held;
	size_t nheld;
	char *held_buf;
	size_t held_len;
	uint64_t first_records;		/* events begun so far */
	struct prefilter_taint tainted[PREFILTER_TAINTED];
	size_t ntainted;

	struct prefilter_event recent[PREFILTER_RECENT];
	struct prefilter_arch arches[PREFILTER_ARCHES];
	struct serial_tracker serials;
};

/* What a record's header says. Spans point into the record. */
struct raw_header {
	const char *node;
	size_t node_len;
	const char *type;
	size_t type_len;
	uint64_t sec;
	unsigned int milli;
	uint32_t serial;
	const char *body;	/* from the space after "):" */
	size_t body_len;	/* to the end (ENRICHED part included) */
};

/*
 * Read the header of the record LINE (LEN bytes, no '\n'). Returns 0 when
 * it has the form above, -1 otherwise.
 */
int raw_header_parse(const char *line, size_t len, struct raw_header *h);

/*
 * Value of kernel field NAME in BODY (BODY_LEN bytes): the first token
 * "NAME=VALUE" between spaces. Returns its length, *VAL its start, or -1.
 */
ssize_t raw_field(const char *body, size_t body_len, const char *name,
		  const char **val);

int prefilter_init(struct prefilter *p, prefilter_out_fn out,
		   prefilter_pid_fn drop_pid, void *arg, struct stats *stats,
		   pid_t self_pid);
void prefilter_destroy(struct prefilter *p);

/* Hold events HOLD says to hold, and decide them with DECIDE (both with
 * the ARG of prefilter_init()). Without it nothing is held. */
void prefilter_set_hold(struct prefilter *p, prefilter_hold_fn hold,
			prefilter_decide_fn decide);

/* LEN bytes of the stream; kept records go to OUT, whole. */
void prefilter_feed(struct prefilter *p, const char *buf, size_t len);
/* The input is idle: every held event is handed on undecided, with what
 * waits behind it (auparse then completes it as it would have). */
void prefilter_release(struct prefilter *p);
/* End of input: held events are handed on undecided, a last record
 * without '\n' is decided and handed on; serials still awaited count as
 * lost. */
void prefilter_flush(struct prefilter *p);

#endif
