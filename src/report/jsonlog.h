/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jsonlog.h -- the findings log, one JSON object per line */
#ifndef DROPEXEC_JSONLOG_H
#define DROPEXEC_JSONLOG_H

#include <stdbool.h>
#include <stdint.h>

#include "report/sink.h"
#include "util/settings.h"
#include "util/stats.h"

struct jsonlog {
	char *path;		/* NULL: no log */
	int fd;
	uint64_t last_error_ms;	/* errors are reported once a minute */
	unsigned long long failed;
	bool broken;		/* a short write left half a line */
};

void jsonlog_init(struct jsonlog *l);
/* Use PATH from now on (NULL or "" to stop logging); reopens. */
int jsonlog_set_path(struct jsonlog *l, const char *path);
/* Close and open again on the next write (log rotation). */
void jsonlog_reopen(struct jsonlog *l);
/*
 * Append LINE and a newline in one write. Opens the file (mode 0600,
 * creating its directory) when needed. Returns 0, or -1 when the line
 * could not be written; the error goes to syslog at most once a minute.
 */
int jsonlog_write(struct jsonlog *l, const char *line);
void jsonlog_close(struct jsonlog *l);

/* The sink that writes each finding as one line to the log at the
 * configuration's json_log (none when empty); lost lines are counted in
 * stats->json_errors. Each line names this host (Event.hostName), as
 * gethostname() gave it at start and at each reload. */
struct jsonlog_sink {
	struct sink base;
	struct jsonlog log;
	struct stats *stats;
	char hostname[256];
};

void jsonlog_sink_init(struct jsonlog_sink *js, const struct config *cfg,
		       struct stats *stats);
void jsonlog_sink_close(struct jsonlog_sink *js);

#endif
