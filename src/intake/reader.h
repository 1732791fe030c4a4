/* SPDX-License-Identifier: GPL-2.0-or-later */
/* reader.h -- the reader: auditd's records in, candidates for the check out
 *
 * Every record is looked at first by the prefilter (intake/prefilter.c),
 * which drops, without auparse, the events that can never be candidates
 * and follows the serial numbers for loss. When only containers count,
 * an event whose writer has no cached verdict is held until complete and
 * decided from its raw records (intake/rawevent.h) by the same code and
 * the same scope questions as below: the events that would be ignored,
 * malformed or out of scope are counted and dropped there, without
 * auparse; the others go on. Every complete event it keeps goes the same
 * way, in the reader's thread:
 *
 *   record_extract()      (intake/record.c)  records -> candidate
 *   reader_route()        this module:       in scope?
 *     scope_decide()      (scope/scope.c)    which container
 *   inspector_submit()    (check/inspector.c) the check queue, never waiting
 *
 * Nothing here waits on a file check or on the audit socket.
 */
#ifndef DROPEXEC_READER_H
#define DROPEXEC_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "candidate.h"
#include "check/inspector.h"
#include "intake/prefilter.h"
#include "intake/rawevent.h"
#include "intake/record.h"
#include "scope/scope.h"
#include "util/settings.h"
#include "util/stats.h"
#include "util/recent.h"

struct reader {
	struct prefilter pre;
	struct raw_event raw;		/* a held event being decided */
	struct record_reader records;
	struct scope_ctx scope;
	enum scope_mode mode;
	struct stats *stats;
	struct inspector *check;	/* where admitted candidates go */
	/* the device of the kernel's memfd mount (learnt at init from a
	 * memfd of our own; tests may set it) */
	bool memfd_known;
	unsigned int memfd_major, memfd_minor;
	/* out-of-scope decisions that were not certain (the writer was
	 * gone) are kept here for the state dump; NULL: none kept */
	struct recent *recent;
};

/*
 * Set up a reader that hands its candidates to CHECK. PROC and MOUNTINFO
 * are NULL for the real ones (tests: fixture trees). SELF_PID is the
 * plugin's own pid, whose writes are never candidates.
 */
int reader_init(struct reader *r, struct inspector *check,
		enum scope_mode mode, struct stats *stats, pid_t self_pid,
		const char *proc, const char *mountinfo);
void reader_destroy(struct reader *r);

/* Scope mode of a reloaded configuration. */
void reader_set_mode(struct reader *r, enum scope_mode mode);

/* LEN bytes of auditd's stream; complete events are routed at once. */
void reader_feed(struct reader *r, const char *buf, size_t len);
/* Input is idle: held events go on to auparse, which completes the
 * events whose EOE never came. */
void reader_idle(struct reader *r);
/* End of input: complete every event still open. */
void reader_finish(struct reader *r);

/*
 * Asked on the SYSCALL record, before CWD and PATH are read: false lets a
 * live host process go at once when only containers count.
 */
bool reader_keep_pid(struct reader *r, pid_t pid);

/*
 * Asked by the prefilter on the raw SYSCALL record: true when PID is
 * known (cached verdict, no /proc read) to be a host process and only
 * containers count.
 */
bool reader_known_host_pid(struct reader *r, pid_t pid);

/* Is C's file a memfd, by its device (the kernel's memfd mount)? A name
 * ("memfd:x") proves nothing: anyone can create such a file. */
bool reader_is_memfd(const struct reader *r, const struct candidate *c);

/*
 * The reader's decision on candidate C (taken over): memfd files and
 * (scope = container) host writes are dropped and counted; the rest is
 * attributed and queued for the check. Returns true when C was queued.
 */
bool reader_route(struct reader *r, struct candidate *c);

#endif
