/* SPDX-License-Identifier: GPL-2.0-or-later */
/* statedump.h -- what the plugin is doing, on SIGUSR1
 *
 * As audisp-remote and fapolicyd do: on SIGUSR1 the plugin writes its
 * state to a file (state_file, /run/audisp-dropexec.state by default,
 * mode 0600, replaced whole: util/runfile.h) and one summary line to
 * syslog. The inspector's thread gathers a struct state_view and calls
 * state_dump(); nothing here touches the thread reading auditd's stream.
 *
 * The file is "key = value" lines, in sections marked "[name]": the
 * process (and how many times it started since boot, whether the one
 * before stopped cleanly), the configuration in force, the queues, the
 * losses (events auditd or the plugin lost, candidates dropped), every
 * counter of struct stats (util/stats.h), the last warning or error
 * that was logged, and the last decisions on files (util/recent.h).
 */
#ifndef DROPEXEC_STATEDUMP_H
#define DROPEXEC_STATEDUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "util/recent.h"
#include "util/settings.h"
#include "util/stats.h"

/* How this process started (main.c, at start). */
struct start_info {
	unsigned long long starts;	/* since boot: the state file in /run
					 * counts them; 1 = the first */
	pid_t previous_pid;		/* the pid file held it at start; 0 */
	bool previous_unclean;		/* that process ended without
					 * removing the pid file */
};

struct state_view {
	pid_t pid;
	uint64_t uptime_s;
	time_t now;			/* wall clock, for the file's reader */
	const char *config_file;
	const struct config *cfg;	/* the configuration in force */
	const struct stats *stats;
	size_t check_queue, check_queue_cap;	/* candidates to check */
	size_t audit_queue, audit_queue_cap;	/* records to send */
	size_t pending, pending_cap;		/* files to look at again */
	unsigned long errors;		/* warnings and errors logged */
	const char *last_error;		/* the last of them, or "" */
	time_t last_error_time;
	const struct start_info *start;	/* NULL: not known */
	bool scan_running;		/* a scan round is under way */
	unsigned long long scan_rounds;	/* rounds that walked every layer */
	/* the last of them: wall and work milliseconds, regular files */
	uint64_t scan_last_wall_ms, scan_last_work_ms;
	unsigned long long scan_last_files;
	struct recent *recent;		/* NULL: none kept */
};

/* The "starts" a state file at PATH left by an earlier process holds
 * (0 when there is none). */
unsigned long long state_file_starts(const char *path);

/* The state file's text (malloc'd), or NULL when out of memory. */
char *state_format(const struct state_view *v);

/* The syslog line: "state: uptime=... check_queue=N/CAP ... lost=N". */
void state_summary(const struct state_view *v, char *buf, size_t len);

/*
 * Write V to PATH (when PATH is set) and its summary to syslog. Returns 0,
 * or -1 when the file could not be written (said in syslog).
 */
int state_dump(const struct state_view *v, const char *path);

#endif
