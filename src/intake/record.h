/* SPDX-License-Identifier: GPL-2.0-or-later */
/* record.h -- from auditd's record stream to candidates */
#ifndef DROPEXEC_RECORD_H
#define DROPEXEC_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <auparse.h>

#include "candidate.h"
#include "util/stats.h"

/* What became of one complete event. */
enum record_verdict {
	RECORD_IGNORED = 0,	/* not a successful file write we watch */
	RECORD_CANDIDATE,	/* *OUT holds a new candidate */
	RECORD_MALFORMED,	/* a watched call whose records do not add up */
	RECORD_FILTERED,	/* a watched call the process filter let go */
};

/*
 * Asked with the writer's pid as soon as the SYSCALL record shows a
 * watched, successful call, before CWD and PATH are read: false lets the
 * event go at once (a live host process when only containers count).
 */
typedef bool (*process_filter_fn)(pid_t pid, void *arg);

/*
 * The target of the writer's descriptor FD (readlink of /proc/PID/fd/FD,
 * malloc'd), or NULL when the writer or the descriptor is gone. Asked
 * only for the rare events that need it: a name relative to a directory
 * descriptor, a create through a dangling symlink.
 */
typedef char *(*fd_path_fn)(pid_t pid, int fd, void *arg);

/*
 * Asked once the writer (pid, ppid) and the written file (device, inode)
 * are known, before any name or string is made: false lets the event go
 * (out of scope). C is the candidate being made.
 */
typedef bool (*file_filter_fn)(struct candidate *c, void *arg);

/* What record_extract() asks its caller; each may be NULL. */
struct record_filters {
	process_filter_fn keep;
	file_filter_fn keep_file;
	fd_path_fn fd_path;	/* NULL: names stay unresolved */
	void *arg;
};

/*
 * Look at the event auparse is positioned on and make a candidate of it.
 * SELF_PID names our own process, whose writes (the JSON log) are never
 * candidates; FLT->keep is asked about the writer first, FLT->keep_file
 * once the file is known.
 *
 * Names are placed as the writer meant them: a relative name against the
 * directory descriptor of an *at call (dirfd, resolved through FLT->fd_path),
 * else against the CWD record. When the descriptor is gone the name stays
 * relative and c->name_unresolved is set; the check can still reach the
 * file through pid and fd. A create through a dangling symlink gives a
 * nameless PATH item: the candidate takes its inode and the name
 * FLT->fd_path gives for the returned descriptor (else the link's, unresolved). The
 * open flags go to c->open_flags (not for openat2: they are in a struct
 * the record does not show), O_TMPFILE to c->tmpfile (path: the
 * directory).
 */
enum record_verdict record_extract(auparse_state_t *au, pid_t self_pid,
				   const struct record_filters *flt,
				   struct candidate **out);

/*
 * Where an event's records and fields are read from: auparse, or the raw
 * records of intake/rawevent.h. Each call means what auparse's call of
 * the same name means on the event (strings valid while it is);
 * timestamp may be NULL (the event then has no serial and no time).
 */
struct event_source_ops {
	int (*first_record)(void *ctx);
	int (*next_record)(void *ctx);
	int (*get_type)(void *ctx);
	const char *(*record_text)(void *ctx);
	int (*first_field)(void *ctx);
	int (*next_field)(void *ctx);
	const char *(*field_name)(void *ctx);
	const char *(*field_str)(void *ctx);
	const char *(*find_field)(void *ctx, const char *name);
	const au_event_t *(*timestamp)(void *ctx);
};

struct event_source {
	const struct event_source_ops *ops;
	void *ctx;
};

/*
 * The verdict record_extract() would give the event SRC holds, without
 * making the candidate: the same reads and the same questions to FLT
 * (FLT->keep, FLT->keep_file), then RECORD_CANDIDATE as soon as the
 * writer and the file passed them.
 */
enum record_verdict record_decide(const struct event_source *src,
				  pid_t self_pid,
				  const struct record_filters *flt);

/* Count verdict V of one complete event in ST (events, and malformed,
 * or candidates and out_of_scope for RECORD_FILTERED); ST may be NULL. */
void record_count(struct stats *st, enum record_verdict v);

/* Is call NR of architecture ARCH (an AUDIT_ARCH_* value) one that
 * record_extract() makes candidates of? */
bool record_watched_call(uint32_t arch, int nr);

/* Called for each candidate; takes ownership of C. */
typedef void (*candidate_fn)(struct candidate *c, void *arg);

/* auparse fed with raw text, handing out candidates as events complete. */
struct record_reader {
	auparse_state_t *au;
	candidate_fn emit;
	void *arg;
	struct stats *stats;
	pid_t self_pid;
	struct record_filters filters;	/* none by default */
};

int record_reader_init(struct record_reader *r, candidate_fn emit, void *arg,
		       struct stats *stats, pid_t self_pid);
/* Feed LEN bytes of record text; complete events are handled at once. */
void record_reader_feed(struct record_reader *r, const char *buf, size_t len);
/* Complete events that are older than auparse's end-of-event timeout
 * (an event whose EOE never came); call it when input is idle. */
void record_reader_age(struct record_reader *r);
/* End of input: complete the events still open. */
void record_reader_flush(struct record_reader *r);
void record_reader_destroy(struct record_reader *r);

#endif
