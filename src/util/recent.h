/* SPDX-License-Identifier: GPL-2.0-or-later */
/* recent.h -- the last decisions on files, for the state dump
 *
 * "Why was this file not reported?" The counters say how many files took
 * each way out; this ring says which: the last RECENT_MAX decisions that
 * ended a candidate without a finding, or with one, each with the audit
 * serial of its event, the container and the file's name. The state file
 * (util/statedump.h) lists them on SIGUSR1, oldest first.
 *
 * What is kept: every outcome of the check (a finding, a duplicate, an
 * allowed file, a file that is no executable, unreachable, excluded...)
 * and the out-of-scope decisions that were not certain: a write whose
 * writer was gone when the reader looked, placed by its parent or its
 * device. A write by a live host process is not kept: on a busy host
 * those would push everything else out within a second.
 *
 * Names are kept as the process gave them (cut at RECENT_PATH_MAX) and
 * encoded when listed (recent_encode_name()), so that no name can add a
 * line or a field to the state file. Safe to call from every thread (one
 * mutex, held for a copy).
 */
#ifndef DROPEXEC_RECENT_H
#define DROPEXEC_RECENT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define RECENT_MAX		256
#define RECENT_PATH_MAX		240
#define RECENT_WHAT_MAX		40

struct recent_entry {
	uint64_t serial;
	char what[RECENT_WHAT_MAX];	/* "finding", "unreachable", ... */
	char container[13];		/* short id, "" when none */
	char path[RECENT_PATH_MAX];
};

struct recent {
	pthread_mutex_t lock;
	struct recent_entry *v;
	size_t next, count;
};

int recent_init(struct recent *r);
void recent_free(struct recent *r);

/* Keep one decision: WHAT happened to the file PATH (NULL: none known)
 * of CONTAINER (NULL or "": none) written in event SERIAL. R may be
 * NULL (nothing kept). */
void recent_note(struct recent *r, uint64_t serial, const char *container,
		 const char *path, const char *what);

/* Copy the kept decisions, oldest first, into OUT (room for RECENT_MAX);
 * returns how many. */
size_t recent_copy(struct recent *r, struct recent_entry *out);

/*
 * NAME as one token of the state file, in BUF (LEN bytes): "quoted" when
 * it is printable ASCII without '"', else hex as auditd writes such
 * names; "-" for an empty one.
 */
void recent_encode_name(const char *name, char *buf, size_t len);

#endif
