/* SPDX-License-Identifier: GPL-2.0-or-later */
/* inspector.c -- the thread that checks candidates */
#include "check/inspector.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/prctl.h>

#include "util/log.h"
#include "util/timeutil.h"

#define DROP_WARN_MS	60000
#define IDLE_WAIT_MS	1000

int inspector_init(struct inspector *in, const struct config *cfg,
		   struct stats *stats, struct report *report,
		   const char *proc, const char *mountinfo)
{
	memset(in, 0, sizeof(*in));
	in->stats = stats;
	pthread_mutex_init(&in->lock, NULL);
	atomic_init(&in->reopen_log, false);
	atomic_init(&in->dump_state, false);
	if (queue_init(&in->q, cfg->queue_size) ||
	    checker_init(&in->ck, cfg, stats, report, proc, mountinfo))
		return -1;
	/* the host's mount table, as the checks read it */
	return scan_init(&in->scan, in->ck.scope.mountinfo);
}

bool inspector_submit(struct inspector *in, struct candidate *c)
{
	c->first_seen_ms = c->arrived_ms = now_ms();
	/*
	 * Executions take at most half of the queue: a container that runs
	 * programs in a tight loop must not crowd out the writes of
	 * others. Lost executions are counted as queue_dropped.
	 */
	if (c->op == FILE_OP_EXEC && queue_length(&in->q) >= in->q.cap / 2) {
		atomic_fetch_add(&in->stats->queue_dropped, 1);
		candidate_free(c);
		return false;
	}
	if (queue_push(&in->q, c) == 0)
		return true;
	atomic_fetch_add(&in->stats->queue_dropped, 1);
	candidate_free(c);
	return false;
}

void inspector_set_config(struct inspector *in, struct config *cfg)
{
	struct config *old;

	pthread_mutex_lock(&in->lock);
	old = in->next_cfg;
	in->next_cfg = cfg;
	pthread_mutex_unlock(&in->lock);
	if (old) {
		config_free(old);
		free(old);
	}
}

void inspector_reopen_log(struct inspector *in)
{
	atomic_store(&in->reopen_log, true);
}

void inspector_set_dump(struct inspector *in,
			void (*fn)(struct inspector *in, void *arg),
			void *arg)
{
	in->on_dump = fn;
	in->dump_arg = arg;
}

void inspector_request_dump(struct inspector *in)
{
	atomic_store(&in->dump_state, true);
}

void inspector_request_scan(struct inspector *in)
{
	scan_request(&in->scan);
}

/* Apply what other threads handed over, in the inspector's own thread. */
static void apply_updates(struct inspector *in)
{
	struct config *next;

	pthread_mutex_lock(&in->lock);
	next = in->next_cfg;
	in->next_cfg = NULL;
	pthread_mutex_unlock(&in->lock);
	if (next)
		checker_configure(&in->ck, next);
	if (atomic_exchange(&in->reopen_log, false) && in->ck.report)
		report_reopen(in->ck.report);
	if (atomic_exchange(&in->dump_state, false) && in->on_dump)
		in->on_dump(in, in->dump_arg);
}

enum check_outcome inspector_check(struct inspector *in,
				   struct candidate *c, uint64_t now)
{
	return check_candidate(&in->ck, c, now);
}

void inspector_run_pending(struct inspector *in, uint64_t now, bool final)
{
	check_run_pending(&in->ck, now, final);
}

/* Drops under load once a minute at most; the counters every
 * stats_interval seconds. */
static void periodic_reports(struct inspector *in, uint64_t now)
{
	unsigned long long drops;
	char buf[768];

	drops = atomic_load(&in->stats->queue_dropped) +
		atomic_load(&in->stats->pending_dropped) +
		atomic_load(&in->stats->audit_dropped);
	if (drops != in->reported_drops &&
	    (!in->last_drop_warn_ms ||
	     now - in->last_drop_warn_ms >= DROP_WARN_MS)) {
		in->last_drop_warn_ms = now;
		in->reported_drops = drops;
		stats_format(in->stats, buf, sizeof(buf));
		log_msg(LOG_WARNING, "candidates dropped under load: %s", buf);
	}
	if (in->ck.cfg.stats_interval &&
	    now - in->last_stats_ms >= in->ck.cfg.stats_interval * 1000ULL) {
		in->last_stats_ms = now;
		stats_format(in->stats, buf, sizeof(buf));
		log_msg(LOG_INFO, "stats: %s", buf);
	}
}

void inspector_set_gather(struct inspector *in, unsigned long ns)
{
	in->gather_ns = ns;
}

/*
 * Take a batch off the queue into CS (room for INSPECT_BATCH_MAX),
 * waiting at most WAIT ms for the first; live, a first one that finds
 * the queue short lets the others gather for a moment. Returns how many.
 */
static size_t take_batch(struct inspector *in, int wait,
			 struct candidate **cs, bool *closed)
{
	size_t n = 0;

	cs[0] = queue_pop(&in->q, wait, closed);
	if (!cs[0])
		return 0;
	n = 1;
	if (in->gather_ns && !*closed &&
	    queue_length(&in->q) < INSPECT_BATCH_MIN) {
		const struct timespec gather = { 0, (long)in->gather_ns };

		nanosleep(&gather, NULL);
	}
	while (n < INSPECT_BATCH_MAX &&
	       (cs[n] = queue_pop(&in->q, 0, closed)))
		n++;
	return n;
}

static void *inspector_main(void *arg)
{
	struct inspector *in = arg;
	struct candidate *cs[INSPECT_BATCH_MAX];
	bool closed = false;

	prctl(PR_SET_NAME, "dropexec-check");
	in->last_stats_ms = now_ms();
	for (;;) {
		uint64_t now = now_ms();
		int wait = check_next_ms(&in->ck, now);
		size_t n;

		apply_updates(in);
		if (scan_busy(&in->scan))
			wait = 0;	/* a slice is due: do not sleep */
		n = take_batch(in, wait < 0 ? IDLE_WAIT_MS : wait, cs,
			       &closed);
		/* a reload that came while waiting applies to them too */
		apply_updates(in);
		now = now_ms();
		if (n)
			check_candidates(&in->ck, cs, n, now);
		check_run_pending(&in->ck, now, false);
		check_expire(&in->ck, now);
		if (!closed)
			scan_tick(&in->scan, &in->ck, now,
				  queue_length(&in->q) == 0);
		periodic_reports(in, now);
		if (closed)
			break;
	}
	/* Input ended: give the files still short one last look. */
	check_run_pending(&in->ck, now_ms(), true);
	return NULL;
}

int inspector_start(struct inspector *in)
{
	if (pthread_create(&in->thread, NULL, inspector_main, in))
		return -1;
	in->started = true;
	return 0;
}

void inspector_stop(struct inspector *in)
{
	queue_close(&in->q);
	if (in->started)
		pthread_join(in->thread, NULL);
	in->started = false;
}

void inspector_free(struct inspector *in)
{
	if (in->q.slots) {
		bool closed;
		struct candidate *c;

		while ((c = queue_pop(&in->q, 0, &closed)))
			candidate_free(c);
		queue_destroy(&in->q);
	}
	inspector_set_config(in, NULL);
	scan_free(&in->scan);
	checker_free(&in->ck);
	pthread_mutex_destroy(&in->lock);
}
