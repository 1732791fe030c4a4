/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stream.h -- read auditd's stream (stdin, or a file with -i) into the reader */
#ifndef DROPEXEC_STREAM_H
#define DROPEXEC_STREAM_H

#include <signal.h>

#include "intake/reader.h"

/* What the stream loop asks of the signal handling between reads. */
struct stream_signals {
	const volatile sig_atomic_t *stop;	/* set: leave the loop */
	volatile sig_atomic_t *reload;		/* set: call on_reload */
	void (*on_reload)(void *arg);
	void *arg;
	const sigset_t *wait_mask;	/* signals let in while waiting */
};

/*
 * Read FD until end of input or *SIG->stop, feeding the reader; when the
 * input is idle for 200 ms, events whose EOE never came are completed.
 * Signals are let in only while waiting for input (ppoll), so none is
 * lost between a check of the flags and the wait. Returns 0 at end of
 * input or stop, -1 on a read error.
 */
int stream_run(int fd, struct reader *r, const struct stream_signals *sig);

#endif
