/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rawevent.h -- an event's raw records as record_decide() reads them
 *
 * The records of one event, as auditd sent them, read the way libauparse
 * reads them, so that record_decide() (intake/record.h) gives the verdict
 * it would give on auparse's view of the same records, without auparse:
 *
 *  - a record's type is the value of its "type" field, the first field
 *    (the second after node=), as audit_name_to_msg_type() names it;
 *  - a record is cut at the ENRICHED separator (0x1d); a NUL is a space
 *    (the reader hands auparse the same);
 *  - its fields are the space-separated tokens NAME=VALUE (split at the
 *    first '='), with auparse's rules: a token without '=' or with an
 *    empty value is none; "msg=audit(" is none, "msg='" is skipped; a
 *    name loses a leading '('; a value loses a trailing ':', then ',',
 *    then '\'', then ')' (not of "(none)" or "(null)");
 *  - "key" fields are left out (record_decide() never reads them);
 *  - only SYSCALL, CWD, OPENAT2 and PATH records are split into fields:
 *    the others are read for their type alone;
 *  - its timestamp is the first record's stamp (the node name left out).
 *
 * Where auparse would go on to another record (find_field of a name the
 * record does not hold) the source gives up: raw_event_unsure() is then
 * true, and the caller must let auparse decide.
 *
 * No global state; one raw_event per user, reused from event to event.
 */
#ifndef DROPEXEC_RAWEVENT_H
#define DROPEXEC_RAWEVENT_H

#include <stdbool.h>
#include <stddef.h>

#include "intake/record.h"

/* Records of one event read at most (more: unsure). */
#define RAW_EVENT_RECORDS	64

struct raw_field {
	const char *name;
	const char *val;
};

struct raw_record_view {
	int type;
	size_t first;		/* its fields: f[first, first + nfields) */
	size_t nfields;
};

struct raw_event {
	char *buf;		/* NUL-separated copies of the records */
	size_t cap;
	size_t used;
	struct raw_field *f;
	size_t nf, fcap;
	struct raw_record_view rec[RAW_EVENT_RECORDS];
	size_t nrec;
	size_t cur_rec, cur_field;
	bool unsure;
	bool fixed;		/* raw_event_source() was called */
	au_event_t stamp;	/* the first record's (no host) */
};

void raw_event_init(struct raw_event *ev);
void raw_event_free(struct raw_event *ev);

/* Start an empty event. */
void raw_event_reset(struct raw_event *ev);

/* Add the record LINE (LEN bytes, no '\n'). Returns 0, or -1 when it
 * cannot be read (no memory, too many records): the event is then
 * unsure. */
int raw_event_add(struct raw_event *ev, const char *line, size_t len);

/* The event as record_decide() reads it; no record can be added after. */
struct event_source raw_event_source(struct raw_event *ev);

/* Did reading the event go where auparse's reading would differ? */
bool raw_event_unsure(const struct raw_event *ev);

/* The type number of a record type name (TYPE, LEN bytes) as auparse
 * gives it: audit_name_to_msg_type(), -1 when unknown. */
int raw_type_number(const char *type, size_t len);

/* The type auparse gives a record whose header names type T (LEN
 * bytes): its "type" field, cut of trailing punctuation as auparse cuts
 * it (a record with node= and an empty node has it first all the same). */
int raw_record_type(const char *t, size_t len);

/* Does auparse take an event as complete once a record of type TYPE is
 * its last (an end of event, or a record that is an event alone)? */
bool raw_type_ends_event(int type);

#endif
