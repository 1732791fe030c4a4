/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sink.h -- where findings go: a small interface, and the list of sinks
 *
 * The check hands every confirmed drop, as one struct finding, to
 * report_emit(), which gives it to each sink in turn: the JSON log
 * (report/jsonlog.c) and the audit record (report/audit_record.c). All
 * calls come from the inspector's thread; a sink never waits on the
 * kernel or the network there (the audit record is queued for its own
 * thread).
 */
#ifndef DROPEXEC_SINK_H
#define DROPEXEC_SINK_H

#include <stddef.h>

#include "report/finding.h"
#include "util/settings.h"

struct sink {
	const char *name;
	/* Write or queue F; 0, or -1 when it was lost (counted by the
	 * sink in the stats). */
	int (*emit)(struct sink *sk, const struct finding *f);
	/* A new configuration (SIGHUP): paths, on/off, record type. */
	void (*configure)(struct sink *sk, const struct config *cfg);
	/* Close and reopen files (log rotation); may be NULL. */
	void (*reopen)(struct sink *sk);
};

#define REPORT_MAX_SINKS	4

struct report {
	struct sink *sink[REPORT_MAX_SINKS];
	size_t count;
};

void report_init(struct report *r);
/* Add SK (owned by the caller, outliving R); -1 when R is full. */
int report_add(struct report *r, struct sink *sk);
/* F to every sink; returns how many lost it. */
int report_emit(struct report *r, const struct finding *f);
void report_configure(struct report *r, const struct config *cfg);
void report_reopen(struct report *r);

#endif
