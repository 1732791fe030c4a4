/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stats.h -- counters of what was seen, checked, reported and dropped */
#ifndef DROPEXEC_STATS_H
#define DROPEXEC_STATS_H

#include <stdatomic.h>
#include <stdint.h>

struct stats {
	atomic_uint_fast64_t events;		/* complete events parsed */
	atomic_uint_fast64_t candidates;	/* writes worth a look */
	atomic_uint_fast64_t out_of_scope;	/* host writes, excluded paths */
	atomic_uint_fast64_t malformed;		/* events that could not be used */
	atomic_uint_fast64_t queue_dropped;	/* candidate queue was full */
	atomic_uint_fast64_t pending_dropped;	/* recheck list was full */
	atomic_uint_fast64_t checked;		/* files opened and read */
	atomic_uint_fast64_t unreachable;	/* gone, replaced, not regular */
	atomic_uint_fast64_t deadline_missed;	/* a file access ran out of time */
	atomic_uint_fast64_t not_executable;
	atomic_uint_fast64_t still_short;	/* empty after the recheck wait */
	atomic_uint_fast64_t unmodified;	/* opened for writing, not written */
	atomic_uint_fast64_t duplicates;
	atomic_uint_fast64_t allowed;		/* suppressed by [allow] */
	atomic_uint_fast64_t findings;
	atomic_uint_fast64_t json_errors;
	atomic_uint_fast64_t audit_sent;
	atomic_uint_fast64_t audit_errors;
	atomic_uint_fast64_t audit_dropped;	/* sender queue was full */
	/* intake (intake/intake.c): records and bytes of auditd's stream
	 * dropped because the intake buffer was full, and the most bytes
	 * it ever held */
	atomic_uint_fast64_t intake_dropped;
	atomic_uint_fast64_t intake_dropped_bytes;
	atomic_uint_fast64_t intake_peak;
	/* audit serial numbers that never reached the plugin (gaps in the
	 * stream: auditd's plugin queue or the kernel dropped them) */
	atomic_uint_fast64_t lost_serials;
	/* files held open for writing, watched until their last writer
	 * closes them; watches the bounded list could not take */
	atomic_uint_fast64_t watched;
	atomic_uint_fast64_t watch_full;
	atomic_uint_fast64_t watch_looks;	/* looks again at watched files */
	/* looks that found a file held open for writing by what no search
	 * of descriptors finds: a shared writable mapping, a process of
	 * another pid namespace (check/safeopen.h, writers) */
	atomic_uint_fast64_t watch_unseen_writer;
	/* looks a lease of another process kept from a file they found
	 * (check/safeopen.h, INSPECT_LEASED) */
	atomic_uint_fast64_t lease_blocked;
	/* executions of files that are not part of the image */
	atomic_uint_fast64_t exec_checked;
	atomic_uint_fast64_t exec_findings;
	/* scans of the containers' writable layers */
	atomic_uint_fast64_t scan_passes;
	atomic_uint_fast64_t scan_files;
	atomic_uint_fast64_t scan_findings;
	atomic_uint_fast64_t scan_truncated;	/* a pass hit its bound */
};

void stats_reset(struct stats *s);
/* One line "events=N candidates=N ..." for syslog. */
void stats_format(const struct stats *s, char *buf, size_t len);

#endif
