/* SPDX-License-Identifier: GPL-2.0-or-later */
/* intake.c -- a thread that only moves auditd's bytes into a bounded buffer */
#include "intake/intake.h"

#include <errno.h>
#include <poll.h>
#include <time.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <unistd.h>

static void kick(int fd)
{
	uint64_t one = 1;
	ssize_t n;

	do
		n = write(fd, &one, sizeof(one));
	while (n < 0 && errno == EINTR);
}

static void drain_fd(int fd)
{
	uint64_t v;
	ssize_t n;

	do
		n = read(fd, &v, sizeof(v));
	while (n < 0 && errno == EINTR);
}

int intake_init(struct intake *in, int fd, size_t size, bool lossless,
		struct stats *stats)
{
	memset(in, 0, sizeof(*in));
	in->in_fd = fd;
	in->wake_fd = in->space_fd = in->stop_fd = -1;
	in->lossless = lossless;
	in->stats = stats;
	if (size < INTAKE_MIN_BYTES || size > INTAKE_MAX_BYTES) {
		errno = EINVAL;
		return -1;
	}
	in->size = size;
	in->ring = malloc(size);
	in->stage = malloc(INTAKE_READ_CHUNK);
	in->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	in->space_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	in->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!in->ring || !in->stage || in->wake_fd < 0 || in->space_fd < 0 ||
	    in->stop_fd < 0) {
		int err = errno ? errno : ENOMEM;

		intake_destroy(in);
		errno = err;
		return -1;
	}
	return 0;
}

void intake_destroy(struct intake *in)
{
	intake_stop(in);
	free(in->ring);
	free(in->stage);
	in->ring = in->stage = NULL;
	if (in->wake_fd >= 0)
		close(in->wake_fd);
	if (in->space_fd >= 0)
		close(in->space_fd);
	if (in->stop_fd >= 0)
		close(in->stop_fd);
	in->wake_fd = in->space_fd = in->stop_fd = -1;
}

int intake_wake_fd(const struct intake *in)
{
	return in->wake_fd;
}

void intake_clear_wake(struct intake *in)
{
	drain_fd(in->wake_fd);
}

size_t intake_used(struct intake *in)
{
	return (size_t)(atomic_load(&in->head) - atomic_load(&in->tail));
}

bool intake_finished(struct intake *in)
{
	return atomic_load(&in->done) && intake_used(in) == 0;
}

int intake_error(struct intake *in)
{
	return atomic_load(&in->error);
}

size_t intake_peek(struct intake *in, const char **p)
{
	uint64_t head = atomic_load_explicit(&in->head, memory_order_acquire);
	uint64_t tail = atomic_load_explicit(&in->tail, memory_order_relaxed);
	size_t used = (size_t)(head - tail), off = (size_t)(tail % in->size);
	size_t run = in->size - off;

	*p = in->ring + off;
	return used < run ? used : run;
}

void intake_consume(struct intake *in, size_t n)
{
	/* seq_cst on both sides: the producer sets want_space, then reads
	 * tail; we write tail, then read want_space. One of the two sees
	 * the other. */
	atomic_fetch_add(&in->tail, n);
	if (atomic_load(&in->want_space))
		kick(in->space_fd);
}

/* Copy N bytes at the ring's head (the caller checked the room). */
static void ring_put(struct intake *in, const char *data, size_t n)
{
	uint64_t head = atomic_load_explicit(&in->head, memory_order_relaxed);
	size_t off = (size_t)(head % in->size), first = in->size - off;
	uint64_t used;

	if (first > n)
		first = n;
	memcpy(in->ring + off, data, first);
	memcpy(in->ring, data + first, n - first);
	atomic_store_explicit(&in->head, head + n, memory_order_release);
	used = head + n - atomic_load(&in->tail);
	if (in->stats && used > atomic_load(&in->stats->intake_peak))
		atomic_store(&in->stats->intake_peak, used);
	kick(in->wake_fd);
}

static size_t ring_room(struct intake *in)
{
	return in->size - (size_t)(atomic_load(&in->head) -
				   atomic_load(&in->tail));
}

/* Lossless: wait until the consumer made room or we are told to stop. */
static int wait_room(struct intake *in, size_t n)
{
	struct pollfd p[2] = {
		{ .fd = in->space_fd, .events = POLLIN },
		{ .fd = in->stop_fd, .events = POLLIN },
	};
	int rc = 0;

	atomic_store(&in->want_space, true);
	while (ring_room(in) < n) {
		if (poll(p, 2, -1) < 0 && errno != EINTR) {
			rc = -1;
			break;
		}
		if (p[1].revents) {
			rc = -1;
			break;
		}
		if (p[0].revents)
			drain_fd(in->space_fd);
	}
	atomic_store(&in->want_space, false);
	return rc;
}

/* N bytes of whole lines into the ring: all, or (live) the lines that
 * fit, the rest dropped and counted. */
static int put_lines(struct intake *in, const char *data, size_t n)
{
	size_t room = ring_room(in), fit = 0, i, lines = 0;
	const char *nl;

	if (n <= room) {
		ring_put(in, data, n);
		return 0;
	}
	if (in->lossless) {
		if (wait_room(in, n))
			return -1;
		ring_put(in, data, n);
		return 0;
	}
	nl = room ? memrchr(data, '\n', room) : NULL;
	if (nl) {
		fit = (size_t)(nl - data) + 1;
		ring_put(in, data, fit);
	}
	for (i = fit; i < n; i++)
		lines += data[i] == '\n';
	if (data[n - 1] != '\n')
		lines++;
	if (in->stats) {
		atomic_fetch_add(&in->stats->intake_dropped, lines);
		atomic_fetch_add(&in->stats->intake_dropped_bytes, n - fit);
	}
	return 0;
}

/* Pass the stage's whole lines on; at EOF, or when one line fills the
 * stage, everything in it. */
static int commit(struct intake *in, bool eof)
{
	size_t whole;
	const char *nl;
	int rc;

	if (!in->stage_len)
		return 0;
	nl = memrchr(in->stage, '\n', in->stage_len);
	if (eof)
		whole = in->stage_len;
	else if (nl)
		whole = (size_t)(nl - in->stage) + 1;
	else if (in->stage_len == INTAKE_READ_CHUNK)
		whole = in->stage_len;	/* one line fills the stage */
	else
		return 0;
	rc = put_lines(in, in->stage, whole);
	memmove(in->stage, in->stage + whole, in->stage_len - whole);
	in->stage_len -= whole;
	return rc;
}

int intake_fill(struct intake *in, const char *buf, size_t len, bool eof)
{
	while (len) {
		size_t n = INTAKE_READ_CHUNK - in->stage_len;

		if (n > len)
			n = len;
		memcpy(in->stage + in->stage_len, buf, n);
		in->stage_len += n;
		buf += n;
		len -= n;
		if (commit(in, false))
			return -1;
	}
	return eof ? commit(in, true) : 0;
}

long intake_gather_next(long prev_ns, size_t n)
{
	if (n >= INTAKE_READ_CHUNK / 2)
		return 0;		/* a burst: read on at once */
	if (n < INTAKE_GATHER_BUSY)
		return INTAKE_GATHER_NS;
	if (prev_ns < INTAKE_GATHER_NS)
		prev_ns = INTAKE_GATHER_NS;
	/* under a quarter of the buffer came: room for a longer pause */
	if (n < INTAKE_READ_CHUNK / 4)
		prev_ns *= 2;
	return prev_ns > INTAKE_GATHER_MAX_NS ? INTAKE_GATHER_MAX_NS : prev_ns;
}

/* The thread: read, pass whole lines on, nothing else. */
static void *intake_main(void *arg)
{
	struct intake *in = arg;
	struct pollfd p[2] = {
		{ .fd = in->in_fd, .events = POLLIN },
		{ .fd = in->stop_fd, .events = POLLIN },
	};

	prctl(PR_SET_NAME, "dropexec-intake");
	for (;;) {
		ssize_t n;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			atomic_store(&in->error, errno);
			break;
		}
		if (p[1].revents)
			break;
		n = read(in->in_fd, in->stage + in->stage_len,
			 INTAKE_READ_CHUNK - in->stage_len);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			atomic_store(&in->error, errno);
			break;
		}
		if (n == 0) {
			commit(in, true);
			break;
		}
		in->stage_len += (size_t)n;
		if (commit(in, false))
			break;
		/* auditd writes record by record: a short read is followed
		 * by more within microseconds. Letting them gather for a
		 * moment costs one wake-up for many records instead of one
		 * each; the socket holds far more than auditd can write in
		 * that time. */
		if (!in->lossless) {
			in->gather_ns = intake_gather_next(in->gather_ns,
							   (size_t)n);
			if (in->gather_ns) {
				const struct timespec gather = {
					0, in->gather_ns
				};

				nanosleep(&gather, NULL);
			}
		}
	}
	atomic_store(&in->done, true);
	kick(in->wake_fd);
	return NULL;
}

int intake_start(struct intake *in)
{
	sigset_t all, old;
	int rc;

	/* Signals belong to the main thread, which waits for them. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&in->thread, NULL, intake_main, in);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		errno = rc;
		return -1;
	}
	in->running = true;
	return 0;
}

void intake_stop(struct intake *in)
{
	if (!in->running)
		return;
	kick(in->stop_fd);
	pthread_join(in->thread, NULL);
	in->running = false;
}
