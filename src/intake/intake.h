/* SPDX-License-Identifier: GPL-2.0-or-later */
/* intake.h -- a thread that only moves auditd's bytes into a bounded buffer
 *
 * auditd writes to all its plugins from one thread over a blocking socket:
 * while a plugin does not read, auditd's queue to the plugins fills, and
 * past q_depth auditd drops events that no plugin ever sees. The intake
 * keeps auditd from waiting on us: its thread does nothing but read()
 * standard input into a ring buffer of whole lines (records), and the
 * reader (intake/reader.c) parses from the ring in the main thread.
 *
 * Contract:
 *   - One producer (the intake thread, or intake_fill() in a test) and
 *     one consumer (intake_peek()/intake_consume()); no lock, two
 *     counters that only grow.
 *   - The ring holds whole lines only: a record is never cut. A line
 *     longer than the read buffer (64 KiB, far above auditd's 8970-byte
 *     records) is passed on in pieces.
 *   - Live (lossless = false), lines that do not fit are dropped and
 *     counted (stats->intake_dropped records, intake_dropped_bytes): a
 *     burst costs records, never a stall of auditd. Reading a file
 *     (lossless = true) waits for room instead.
 *   - Live, after a short read (under half the read buffer) the thread
 *     lets the next records gather before it reads again: auditd writes
 *     record by record, and one wake-up of both threads per record cost
 *     more CPU than parsing it. The pause is INTAKE_GATHER_NS (4 ms)
 *     after a read of a record or two; while reads keep bringing several
 *     records (a busy stream) it doubles, up to INTAKE_GATHER_MAX_NS
 *     (8 ms; intake_gather_next()): fewer wake-ups per event, and at most
 *     a quarter of the read buffer waits in the socket. A long read goes
 *     on at once, so a burst is read at full speed. Events that come one
 *     at a time, about a millisecond apart (a cp per file), are where
 *     the pause pays: 1 ms let each wake every thread once.
 *   - The thread runs with every signal blocked; signals stay with the
 *     main thread, which waits on intake_wake_fd() (readable when data,
 *     end of input or a read error arrived).
 *   - End of input or a read error ends the thread; intake_stop() ends it
 *     early. What is in the ring stays for the consumer to drain.
 */
#ifndef DROPEXEC_INTAKE_H
#define DROPEXEC_INTAKE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/settings.h"	/* INTAKE_MIN_BYTES, INTAKE_MAX_BYTES */
#include "util/stats.h"

#define INTAKE_READ_CHUNK	(64 * 1024)
/* Live input: after a short read, the records that follow gather this
 * long before the next read (one wake-up for many records)... */
#define INTAKE_GATHER_NS	4000000L
/* ... up to this long while the stream is busy */
#define INTAKE_GATHER_MAX_NS	8000000L
/* a read of at least this much is a busy stream (several records) */
#define INTAKE_GATHER_BUSY	2048

struct intake {
	char *ring;
	size_t size;
	_Atomic uint64_t head;		/* bytes ever written (producer) */
	_Atomic uint64_t tail;		/* bytes ever consumed (consumer) */
	_Atomic bool done;		/* end of input or error: no more */
	_Atomic int error;		/* errno of a failed read, or 0 */
	_Atomic bool want_space;	/* lossless producer waits for room */

	int in_fd;
	int wake_fd;			/* eventfd: consumer's wake-up */
	int space_fd;			/* eventfd: room again (lossless) */
	int stop_fd;			/* eventfd: producer, stop */
	bool lossless;
	struct stats *stats;

	long gather_ns;			/* the last pause (live) */
	/* the producer's read buffer: a partial line waits here */
	char *stage;
	size_t stage_len;

	pthread_t thread;
	bool running;
};

/* The pause before the next read after a read of N bytes, when the
 * last pause was PREV_NS: 0 (read on) after a long read. */
long intake_gather_next(long prev_ns, size_t n);

/*
 * Set up an intake of SIZE bytes (INTAKE_MIN_BYTES..INTAKE_MAX_BYTES)
 * reading FD. LOSSLESS: wait for room rather than drop (a file). Returns
 * 0, or -1 with errno set.
 */
int intake_init(struct intake *in, int fd, size_t size, bool lossless,
		struct stats *stats);
/* Start the thread (every signal blocked in it). */
int intake_start(struct intake *in);
/* Stop reading (if still running) and join the thread; the ring keeps
 * what it holds. Safe to call twice. */
void intake_stop(struct intake *in);
void intake_destroy(struct intake *in);

/* Readable when there is data or the input ended: poll it, then call
 * intake_clear_wake() before draining. */
int intake_wake_fd(const struct intake *in);
void intake_clear_wake(struct intake *in);

/* The next contiguous run of buffered bytes (whole lines, except at the
 * ring's wrap point); 0 when empty. */
size_t intake_peek(struct intake *in, const char **p);
/* Give N bytes of the last intake_peek() back to the ring. */
void intake_consume(struct intake *in, size_t n);
/* Bytes buffered now. */
size_t intake_used(struct intake *in);

/* The input ended (or failed) and the ring is empty. */
bool intake_finished(struct intake *in);
/* errno of the read that failed, or 0. */
int intake_error(struct intake *in);

/*
 * The producer's step, without the thread (tests): LEN bytes of input
 * into the stage, whole lines from it into the ring (dropped and counted
 * when they do not fit, unless lossless). LEN may be 0 with EOF set: the
 * last partial line is passed on. Returns 0, or -1 when stopped while
 * waiting for room.
 */
int intake_fill(struct intake *in, const char *buf, size_t len, bool eof);

#endif
