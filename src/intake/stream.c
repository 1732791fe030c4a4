/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stream.c -- from the intake buffer into the reader, with the signals
 *
 * The intake thread (intake/intake.c) reads auditd's stream (stdin, or a
 * file with -i) into its buffer; this loop, in the main thread, waits for
 * data with the signals let in, hands the buffered bytes to the reader,
 * completes events whose EOE never came when input is idle, and reports
 * (rate-limited) records the intake had to drop and serials that never
 * came (counted by the reader's prefilter, intake/prefilter.c).
 */
#include "intake/stream.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>

#include "util/log.h"
#include "util/timeutil.h"

#define IDLE_NS		200000000L
/* Bytes handed to the reader between two looks at the signal flags. */
#define DRAIN_STEP	(1024 * 1024)
/* At most one warning about dropped records this often. */
#define LOSS_REPORT_MS	10000

/* Feed up to MAX buffered bytes to the reader; true if more is left. */
static bool drain(struct intake *in, struct reader *r, size_t max)
{
	const char *p;
	size_t n, done = 0;

	while (done < max && (n = intake_peek(in, &p)) > 0) {
		if (n > max - done)
			n = max - done;
		reader_feed(r, p, n);
		intake_consume(in, n);
		done += n;
	}
	return intake_used(in) > 0;
}

/* What was reported of the losses, and when. */
struct loss_report {
	uint64_t dropped;	/* intake_dropped */
	uint64_t serials;	/* lost_serials */
	uint64_t last_ms;
};

/*
 * Warn when the intake dropped records, or serials went missing from
 * auditd's stream, since the last warning: at most every LOSS_REPORT_MS
 * (unless FORCE), with the totals since start.
 */
static void report_losses(const struct stats *s, struct loss_report *r,
			  bool force)
{
	uint64_t dropped = atomic_load(&s->intake_dropped);
	uint64_t serials = atomic_load(&s->lost_serials);
	uint64_t now;

	if (dropped == r->dropped && serials == r->serials)
		return;
	now = now_ms();
	if (!force && r->last_ms && now - r->last_ms < LOSS_REPORT_MS)
		return;
	if (dropped != r->dropped)
		log_msg(LOG_WARNING, "intake buffer full: %llu records (%llu "
			"bytes) of auditd's stream dropped since start; raise "
			"[limits] intake_buffer_bytes",
			(unsigned long long)dropped,
			(unsigned long long)atomic_load(
				&s->intake_dropped_bytes));
	if (serials != r->serials)
		log_msg(LOG_WARNING, "%llu audit events never reached the "
			"plugin (%llu since start: gaps in the serial "
			"numbers); auditd's plugin queue (q_depth) or the "
			"kernel backlog dropped them",
			(unsigned long long)(serials - r->serials),
			(unsigned long long)serials);
	r->dropped = dropped;
	r->serials = serials;
	r->last_ms = now;
}

int stream_run(struct intake *in, struct reader *r,
	       const struct stream_signals *sig)
{
	struct pollfd pfd = { .fd = intake_wake_fd(in), .events = POLLIN };
	const struct timespec idle = { .tv_sec = 0, .tv_nsec = IDLE_NS };
	const struct timespec now = { 0, 0 };
	struct loss_report losses = { 0, 0, 0 };
	bool more = false;
	int rc = 0;

	while (!*sig->stop) {
		int p;

		if (*sig->reload) {
			*sig->reload = 0;
			sig->on_reload(sig->arg);
		}
		p = ppoll(&pfd, 1, more ? &now : &idle, sig->wait_mask);
		if (p < 0) {
			if (errno == EINTR)
				continue;
			log_msg(LOG_ERR, "poll: %s", strerror(errno));
			rc = -1;
			break;
		}
		if (p == 0 && !more) {
			reader_idle(r);
			continue;
		}
		if (p > 0)
			intake_clear_wake(in);
		more = drain(in, r, DRAIN_STEP);
		if (sig->stats)
			report_losses(sig->stats, &losses, false);
		if (intake_finished(in))
			break;
	}
	/* Stop or end of input: no more reading, but what is buffered is
	 * parsed. */
	intake_stop(in);
	while (drain(in, r, DRAIN_STEP))
		;
	reader_finish(r);
	if (sig->stats)
		report_losses(sig->stats, &losses, true);
	if (intake_error(in)) {
		log_msg(LOG_ERR, "read: %s", strerror(intake_error(in)));
		rc = -1;
	}
	return rc;
}
