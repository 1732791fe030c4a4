/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stream.h -- from the intake buffer into the reader, with the signals */
#ifndef DROPEXEC_STREAM_H
#define DROPEXEC_STREAM_H

#include <signal.h>

#include "intake/intake.h"
#include "intake/reader.h"
#include "util/stats.h"

/* What the stream loop asks of the signal handling between reads. */
struct stream_signals {
	const volatile sig_atomic_t *stop;	/* set: leave the loop */
	volatile sig_atomic_t *reload;		/* set: call on_reload */
	void (*on_reload)(void *arg);
	void *arg;
	const sigset_t *wait_mask;	/* signals let in while waiting */
	const struct stats *stats;	/* intake losses to report, or NULL */
};

/*
 * Feed what the running intake IN buffers to the reader until end of
 * input or *SIG->stop; when the input is idle for 200 ms, events whose
 * EOE never came are completed. Signals are let in only while waiting
 * (ppoll on the intake's wake-up descriptor), so none is lost between a
 * check of the flags and the wait. On the way out the intake is stopped,
 * what it holds is parsed and the reader finished (reader_finish()).
 * Records the intake dropped and serials that never came are reported in
 * syslog, at most every 10 s, and once more at the end. Returns 0 at end of input or stop, -1
 * on a read error.
 */
int stream_run(struct intake *in, struct reader *r,
	       const struct stream_signals *sig);

#endif
