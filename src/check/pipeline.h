/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pipeline.h -- the check of one candidate, step by step
 *
 * check_candidate() takes a candidate from the reader and decides:
 *
 *   1. a rename of a file still pending?      -> carried on under the new name
 *   2. where to look: the writer's root, its parent's, the overlay mount
 *   3. a device no mount table names, or a file system that must never
 *      be read (scope/fstype.h, scope/mounts.h)?                 -> skip
 *   4. an open: who holds the file open for writing (check/watch.h),
 *      asked before its content is read
 *   5. the worker (check/probe.h) opens it safely in that root
 *      (check/safeopen.h) and reads its head, within a deadline -> or gone
 *   6. really on a /dev/shm or /run/shm mount?                   -> excluded
 *   7. still held open for writing (and not for watch_report_after_ms)?
 *      -> watched, judged again later on its final content
 *   8. written since the open (ctime)? recent content for a rename/link
 *      (or a name given to a file that had none)?       -> or retry
 *   9. the ELF header (check/classify.h)              -> retry while short
 *  10. still growing?                                 -> settle, look again
 *  11. the worker: libmagic on a bounded copy, sha256 (check/hash.h),
 *      within a deadline (missed: reported as the header says);
 *      renamed away already?                          -> wait for the rename
 *  12. allowed (check/allow.h)? already reported (check/dedupe.h)?
 *  13. one struct finding to every sink (report/sink.h)
 *
 * An execution (FILE_OP_EXEC) takes its own way: check/execcheck.h.
 *
 * Candidates that need another look wait on the pending list
 * (check/pending.h), files held open for writing on the watch list
 * (check/watch.h); a file still short or not an executable when
 * its last writer closes it is given up then. Everything runs in the inspector's thread; time is
 * passed in, so tests drive it.
 */
#ifndef DROPEXEC_PIPELINE_H
#define DROPEXEC_PIPELINE_H

#include <stdbool.h>
#include <stdint.h>

#include "candidate.h"
#include "check/classify.h"
#include "check/dedupe.h"
#include "check/pending.h"
#include "check/probe.h"
#include "check/watch.h"
#include "report/sink.h"
#include "scope/fstype.h"
#include "scope/meta.h"
#include "scope/scope.h"
#include "util/recent.h"
#include "util/settings.h"
#include "util/stats.h"

enum check_outcome {
	CHECK_FINDING = 0,	/* reported */
	CHECK_NOT_EXEC,		/* a file, but not a kind we report */
	CHECK_RETRY,		/* kept on the pending list for later */
	CHECK_STILL_SHORT,	/* gave up waiting for content */
	CHECK_UNREACHABLE,	/* gone, replaced, not regular, remote */
	CHECK_DUPLICATE,	/* this content was already reported */
	CHECK_ERROR,		/* libmagic failed */
	CHECK_EXCLUDED,		/* on /dev/shm or /run/shm */
	CHECK_ALLOWED,		/* matched an [allow] list: counted */
	CHECK_MERGED,		/* a rename carried into a pending check */
	CHECK_WATCHED,		/* held open for writing: on the watch list */
};

/* Everything a check needs; owned by one thread. */
struct check_prep;

struct checker {
	struct config cfg;
	struct classifier cl;
	struct dedupe dd;
	struct scope_ctx scope;
	struct fstype_cache fstypes;
	struct meta_cache meta;
	struct pending pending;
	struct watch watch;		/* files held open for writing */
	struct prober probe;		/* the worker that touches files */
	struct report *report;		/* NULL: findings go nowhere */
	struct stats *stats;
	struct recent *recent;		/* decisions kept, or NULL */
	/* the last parent asked about, for the rest of its batch */
	struct {
		uint64_t batch;		/* 0: none */
		pid_t pid;
		int rc;
		char id[CONTAINER_ID_LEN + 1];
	} parent;
	/* the last writer's pid namespace asked, for the rest of its
	 * batch (a device's class is never kept so: see device_class()) */
	struct {
		uint64_t batch;		/* 0: none */
		pid_t pid;
		uint64_t ns;
	} pidns;
	/* a run of opens read in one round trip (check_candidates()):
	 * PROBE_BATCH_MAX of each */
	struct check_prep *preps;
	struct probe_opened *looked;
	uint64_t last_deadline_log_ms;
	uint64_t last_watch_full_log_ms;
	uint64_t last_lease_log_ms;	/* the same, for lease_blocked */
	/* the worker's last look had the kernel's answer whether anyone
	 * writes its file (a read lease): the next first look asks it
	 * alone, not the writer's fdinfo before it */
	bool leases_answer;
	uint64_t lease_wait_ms;	/* a file a lease keeps out: looked at
				 * again so long (check/leasewait.h) */
	bool final;			/* the last look: nothing is kept */
};

/*
 * Set up CK with a copy of CFG (libmagic is loaded here, before any
 * thread starts). PROC and MOUNTINFO are NULL for the real ones.
 */
int checker_init(struct checker *ck, const struct config *cfg,
		 struct stats *stats, struct report *report,
		 const char *proc, const char *mountinfo);
void checker_free(struct checker *ck);

/* Use NEXT (taken over) from now on; queue and table sizes and the
 * libmagic limits stay as they were at start. */
void checker_configure(struct checker *ck, struct config *next);

/*
 * Check candidate C (taken over) at monotonic time NOW_MS. On CHECK_RETRY
 * and CHECK_MERGED it lives on in the pending list; otherwise it is
 * freed.
 */
enum check_outcome check_candidate(struct checker *ck, struct candidate *c,
				   uint64_t now_ms);

/*
 * Check the N candidates of CS (taken over) at NOW_MS, as
 * check_candidate() does each, as one batch: they were all taken off the
 * queue before the first is checked, so one search of a pid namespace
 * for the holders of their files answers for all (check/watch.h).
 */
void check_candidates(struct checker *ck, struct candidate **cs, size_t n,
		      uint64_t now_ms);

/* Look again at the pending candidates and watched files that are due
 * (FINAL: all of them, and for the last time: an executable still held
 * open is reported then). */
void check_run_pending(struct checker *ck, uint64_t now_ms, bool final);

/* Let go of what the checker holds only to remember it (the mount tables
 * of ended containers, see fstype.h), once unused long enough. Cheap:
 * called on every turn of the checker's loop. */
void check_expire(struct checker *ck, uint64_t now_ms);

/* Milliseconds until a pending candidate or a watched file is due (0:
 * now), or -1 when there is none. */
int check_next_ms(const struct checker *ck, uint64_t now_ms);

/* OUT as one word, as the state file lists it ("finding", ...). */
const char *check_outcome_name(enum check_outcome out);

/* A live process of C's container (the one the reader saw, else its
 * first process by the runtime's state), whose root stands in for C's
 * process once it is gone; 0 when none is known. */
pid_t checker_root_pid(struct checker *ck, const struct candidate *c);

/*
 * The end of C's check: counted under COUNTER (NULL: none, or counted
 * by the caller), kept among the recent decisions (util/recent.h) as
 * OUT, C freed. Returns OUT.
 */
enum check_outcome checker_end(struct checker *ck, struct candidate *c,
			       atomic_uint_fast64_t *counter,
			       enum check_outcome out);

#endif
