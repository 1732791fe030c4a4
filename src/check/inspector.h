/* inspector.h -- the thread that checks candidates and reports findings */
#ifndef DROPEXEC_INSPECTOR_H
#define DROPEXEC_INSPECTOR_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "report/audit_record.h"
#include "candidate.h"
#include "check/classify.h"
#include "util/settings.h"
#include "check/dedupe.h"
#include "scope/fstype.h"
#include "scope/meta.h"
#include "report/jsonlog.h"
#include "util/queue.h"
#include "scope/scope.h"
#include "util/stats.h"

enum check_outcome {
	CHECK_FINDING = 0,	/* reported */
	CHECK_NOT_EXEC,		/* a file, but not a kind we report */
	CHECK_RETRY,		/* still empty or short: look again later */
	CHECK_STILL_SHORT,	/* gave up waiting for content */
	CHECK_UNREACHABLE,	/* gone, replaced, not regular, remote */
	CHECK_DUPLICATE,	/* this content was already reported */
	CHECK_ERROR,		/* libmagic failed */
	CHECK_EXCLUDED,		/* on /dev/shm or /run/shm */
	CHECK_ALLOWED,		/* matched an [allow] list: counted */
};

struct inspector {
	struct queue q;			/* candidates from the reader */
	pthread_t thread;
	bool started;

	/* owned by the inspector thread */
	struct config cfg;
	struct classifier cl;
	struct dedupe dd;
	struct scope_ctx scope;
	struct fstype_cache fstypes;
	struct meta_cache meta;
	struct jsonlog log;
	struct candidate **pending;	/* short files waiting for content */
	size_t npending;
	uint64_t last_stats_ms;
	uint64_t last_drop_warn_ms;
	unsigned long long reported_drops;

	struct audit_sender *sender;	/* NULL: no audit records */
	struct stats *stats;

	/* handed over by other threads */
	pthread_mutex_t lock;
	struct config *next_cfg;
	atomic_bool reopen_log;
};

/*
 * Set up (libmagic is loaded here, before any thread starts). CFG is
 * copied. PROC and MOUNTINFO are normally NULL (the real ones).
 */
int inspector_init(struct inspector *in, const struct config *cfg,
		   struct stats *stats, struct audit_sender *sender,
		   const char *proc, const char *mountinfo);
int inspector_start(struct inspector *in);

/* From the reader: queue C without waiting; false (and C freed, the
 * drop counted) when the queue is full. */
bool inspector_submit(struct inspector *in, struct candidate *c);

/* From the signal handling thread: a new config (taken over) and a
 * request to reopen the JSON log. */
void inspector_set_config(struct inspector *in, struct config *cfg);
void inspector_reopen_log(struct inspector *in);

/* Check what is queued and pending one last time, then stop. */
void inspector_stop(struct inspector *in);
void inspector_free(struct inspector *in);

/*
 * Check candidate C now (the thread's work, callable from tests).
 * NOW_MS is the monotonic time. On CHECK_RETRY C was kept for later;
 * on every other outcome C is freed.
 */
enum check_outcome inspector_check(struct inspector *in,
				   struct candidate *c, uint64_t now_ms);

/* Run the rechecks that are due (FINAL: all of them, last chance). */
void inspector_run_pending(struct inspector *in, uint64_t now_ms,
			   bool final);

#endif
