/* SPDX-License-Identifier: GPL-2.0-or-later */
/* inspector.h -- the thread that checks candidates
 *
 * The reader queues candidates here without ever waiting
 * (inspector_submit); the inspector's thread takes them in batches of
 * at most INSPECT_BATCH_MAX through the check pipeline
 * (check/pipeline.h: check_candidates()). Live (inspector_set_gather()),
 * after waking up to a queue of fewer than INSPECT_BATCH_MIN it lets
 * candidates gather for that long first: a burst then costs one
 * wake-up and one search of the writers' namespace for holders of the
 * files, not one each, and files written and closed at once are closed
 * by their first look. It runs the looks that are
 * due on the pending list, and applies what other threads hand over: a
 * reloaded configuration, a request to reopen the logs or to dump its
 * state (SIGUSR1). Between candidates it scans the containers' writable
 * layers in slices (check/scan.h). Findings leave through the report
 * (report/sink.h).
 */
#ifndef DROPEXEC_INSPECTOR_H
#define DROPEXEC_INSPECTOR_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "candidate.h"
#include "check/pipeline.h"
#include "check/scan.h"
#include "report/sink.h"
#include "util/queue.h"
#include "util/settings.h"
#include "util/stats.h"

#define INSPECT_BATCH_MAX	64	/* candidates checked as one batch */
#define INSPECT_BATCH_MIN	16	/* this many queued: no gathering */

struct inspector {
	struct queue q;			/* candidates from the reader */
	unsigned long gather_ns;	/* 0: none (a file, the tests) */
	pthread_t thread;
	bool started;

	struct checker ck;		/* owned by the inspector's thread */
	struct scan scan;		/* the writable layers, in slices */
	struct stats *stats;
	uint64_t last_stats_ms;
	uint64_t last_drop_warn_ms;
	unsigned long long reported_drops;

	/* handed over by other threads */
	pthread_mutex_t lock;
	struct config *next_cfg;
	atomic_bool reopen_log;
	atomic_bool dump_state;

	/* the state dump, called in the inspector's thread */
	void (*on_dump)(struct inspector *in, void *arg);
	void *dump_arg;
};

/*
 * Set up (libmagic is loaded here, before any thread starts). CFG is
 * copied. REPORT receives the findings (NULL: none). PROC and MOUNTINFO
 * are normally NULL (the real ones).
 */
int inspector_init(struct inspector *in, const struct config *cfg,
		   struct stats *stats, struct report *report,
		   const char *proc, const char *mountinfo);
/* Let candidates gather for NS nanoseconds after a wake-up (before
 * inspector_start()); 0, the default, for none. */
void inspector_set_gather(struct inspector *in, unsigned long ns);
int inspector_start(struct inspector *in);

/* From the reader: queue C without waiting; false (and C freed, the
 * drop counted) when the queue is full, or for an execution when it is
 * half full (room is kept for writes). */
bool inspector_submit(struct inspector *in, struct candidate *c);

/* From the signal handling thread: a new config (taken over) and a
 * request to reopen the JSON log. */
void inspector_set_config(struct inspector *in, struct config *cfg);
void inspector_reopen_log(struct inspector *in);

/*
 * Call FN(IN, ARG) in the inspector's thread whenever a dump is
 * requested; set before inspector_start(). inspector_request_dump() only
 * sets a lock-free flag, so a signal handler may call it; the dump
 * follows within a second (the inspector's longest wait).
 */
void inspector_set_dump(struct inspector *in,
			void (*fn)(struct inspector *in, void *arg),
			void *arg);
void inspector_request_dump(struct inspector *in);
/* A scan of the writable layers soon (SIGUSR2); signal-safe, as above. */
void inspector_request_scan(struct inspector *in);

/* Check what is queued and pending one last time, then stop. */
void inspector_stop(struct inspector *in);
void inspector_free(struct inspector *in);

/* The thread's work, callable from tests: see check_candidate() and
 * check_run_pending(). */
enum check_outcome inspector_check(struct inspector *in,
				   struct candidate *c, uint64_t now_ms);
void inspector_run_pending(struct inspector *in, uint64_t now_ms,
			   bool final);

#endif
