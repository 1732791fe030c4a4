/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stats.c -- counters of what was seen, checked, reported and dropped */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "util/stats.h"

void stats_reset(struct stats *s)
{
	memset(s, 0, sizeof(*s));
}

#define V(f) ((unsigned long long)atomic_load(&s->f))

void stats_format(const struct stats *s, char *buf, size_t len)
{
	snprintf(buf, len,
		 "events=%llu candidates=%llu out_of_scope=%llu "
		 "malformed=%llu queue_dropped=%llu pending_dropped=%llu "
		 "checked=%llu unreachable=%llu deadline_missed=%llu "
		 "not_executable=%llu "
		 "still_short=%llu unmodified=%llu duplicates=%llu allowed=%llu "
		 "findings=%llu "
		 "json_errors=%llu audit_sent=%llu audit_errors=%llu "
		 "audit_dropped=%llu intake_dropped=%llu "
		 "intake_dropped_bytes=%llu intake_peak=%llu "
		 "lost_serials=%llu watched=%llu watch_full=%llu watch_looks=%llu "
		 "watch_unseen_writer=%llu lease_blocked=%llu exec_checked=%llu exec_findings=%llu scan_passes=%llu "
		 "scan_files=%llu scan_findings=%llu scan_truncated=%llu",
		 V(events), V(candidates), V(out_of_scope), V(malformed),
		 V(queue_dropped), V(pending_dropped), V(checked),
		 V(unreachable), V(deadline_missed), V(not_executable), V(still_short),
		 V(unmodified), V(duplicates), V(allowed), V(findings), V(json_errors), V(audit_sent),
		 V(audit_errors), V(audit_dropped), V(intake_dropped),
		 V(intake_dropped_bytes), V(intake_peak), V(lost_serials),
		 V(watched), V(watch_full), V(watch_looks),
		 V(watch_unseen_writer), V(lease_blocked), V(exec_checked), V(exec_findings),
		 V(scan_passes), V(scan_files), V(scan_findings),
		 V(scan_truncated));
}
