/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_intake.c -- the intake: a thread that only moves bytes into a ring */
#include "testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "intake/intake.h"
#include "util/stats.h"

#define MIB	(1024 * 1024)

/* Everything the ring holds now, appended to OUT (consumed). */
static size_t take_all(struct intake *in, char *out, size_t cap)
{
	const char *p;
	size_t n, got = 0;

	while ((n = intake_peek(in, &p)) > 0) {
		ck_assert_uint_le(got + n, cap);
		memcpy(out + got, p, n);
		intake_consume(in, n);
		got += n;
	}
	return got;
}

/* "record NNNNNN xxxx...\n" lines of LEN bytes each, N of them. */
static char *make_lines(size_t n, size_t len)
{
	char *buf = malloc(n * len);
	size_t i;

	ck_assert_ptr_nonnull(buf);
	memset(buf, 'x', n * len);
	for (i = 0; i < n; i++) {
		char head[32];
		int h = snprintf(head, sizeof(head), "record %06zu ", i);

		memcpy(buf + i * len, head, (size_t)h);
		buf[i * len + len - 1] = '\n';
	}
	return buf;
}

START_TEST(test_intake_size_range)
{
	struct intake in;

	ck_assert_int_eq(intake_init(&in, 0, INTAKE_MIN_BYTES - 1, false,
				     NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(intake_init(&in, 0, (size_t)INTAKE_MAX_BYTES + 1,
				     false, NULL), -1);
	ck_assert_int_eq(intake_init(&in, 0, INTAKE_MIN_BYTES, false, NULL),
			 0);
	intake_destroy(&in);
	intake_destroy(&in);	/* twice is harmless */
}
END_TEST

/* Only whole lines reach the ring; a partial one waits for its end, or
 * for the end of input. */
START_TEST(test_intake_whole_lines_only)
{
	struct intake in;
	struct stats st;
	char out[256];
	const char *p;

	stats_reset(&st);
	ck_assert_int_eq(intake_init(&in, -1, MIB, false, &st), 0);
	ck_assert_int_eq(intake_fill(&in, "type=SYSCALL a\ntype=PA", 22,
				     false), 0);
	ck_assert_uint_eq(intake_peek(&in, &p), 15);
	ck_assert_int_eq(memcmp(p, "type=SYSCALL a\n", 15), 0);
	intake_consume(&in, 15);
	ck_assert_uint_eq(intake_peek(&in, &p), 0);

	ck_assert_int_eq(intake_fill(&in, "TH b\ntype=EOE", 13, false), 0);
	ck_assert_uint_eq(take_all(&in, out, sizeof(out)), 12);
	ck_assert_int_eq(memcmp(out, "type=PATH b\n", 12), 0);

	/* end of input: the last partial line is passed on */
	ck_assert_int_eq(intake_fill(&in, "", 0, true), 0);
	ck_assert_uint_eq(take_all(&in, out, sizeof(out)), 8);
	ck_assert_int_eq(memcmp(out, "type=EOE", 8), 0);
	ck_assert_uint_eq(atomic_load(&st.intake_dropped), 0);
	intake_destroy(&in);
}
END_TEST

/* Live, a full ring drops whole lines, counts them, and takes lines
 * again once the consumer made room. */
START_TEST(test_intake_full_drops_whole_lines_and_counts)
{
	struct intake in;
	struct stats st;
	const size_t len = 100, n = 3 * MIB / 100;
	char *lines = make_lines(n, len), *out = malloc(4 * MIB);
	size_t got, i;

	stats_reset(&st);
	ck_assert_int_eq(intake_init(&in, -1, MIB, false, &st), 0);
	ck_assert_int_eq(intake_fill(&in, lines, n * len, false), 0);
	/* the ring holds the lines that fitted, whole */
	ck_assert_uint_le(intake_used(&in), MIB);
	ck_assert_uint_eq(intake_used(&in) % len, 0);
	ck_assert_uint_gt(intake_used(&in), MIB - INTAKE_READ_CHUNK);
	ck_assert_uint_eq(atomic_load(&st.intake_dropped),
			  n - intake_used(&in) / len);
	ck_assert_uint_eq(atomic_load(&st.intake_dropped_bytes),
			  n * len - intake_used(&in));
	ck_assert_uint_eq(atomic_load(&st.intake_peak), intake_used(&in));

	/* what is in the ring is a prefix of the input */
	got = take_all(&in, out, 4 * MIB);
	ck_assert_int_eq(memcmp(out, lines, got), 0);

	/* room again: lines are taken, nothing more dropped */
	{
		uint64_t dropped = atomic_load(&st.intake_dropped);

		ck_assert_int_eq(intake_fill(&in, lines, 10 * len, false), 0);
		ck_assert_uint_eq(intake_used(&in), 10 * len);
		ck_assert_uint_eq(atomic_load(&st.intake_dropped), dropped);
	}
	for (i = 0; i < 10; i++)
		ck_assert_uint_eq(take_all(&in, out, 4 * MIB) > 0, i == 0);
	free(out);
	free(lines);
	intake_destroy(&in);
}
END_TEST

/* The ring wraps around without losing or reordering a byte. */
START_TEST(test_intake_wraparound_keeps_order)
{
	struct intake in;
	struct stats st;
	const size_t len = 333, n = 20000;
	char *lines = make_lines(n, len), *out = malloc(n * len);
	size_t fed = 0, got = 0;

	stats_reset(&st);
	ck_assert_int_eq(intake_init(&in, -1, MIB, false, &st), 0);
	while (fed < n * len) {
		size_t step = n * len - fed < 100000 ? n * len - fed : 100000;

		ck_assert_int_eq(intake_fill(&in, lines + fed, step, false), 0);
		fed += step;
		got += take_all(&in, out + got, n * len - got);
	}
	ck_assert_int_eq(intake_fill(&in, "", 0, true), 0);
	got += take_all(&in, out + got, n * len - got);
	ck_assert_uint_eq(got, n * len);
	ck_assert_int_eq(memcmp(out, lines, got), 0);
	ck_assert_uint_eq(atomic_load(&st.intake_dropped), 0);
	free(out);
	free(lines);
	intake_destroy(&in);
}
END_TEST

/* A line longer than the read buffer is passed on in pieces. */
START_TEST(test_intake_overlong_line_passed_on)
{
	struct intake in;
	const size_t len = 3 * INTAKE_READ_CHUNK + 17;
	char *line = malloc(len), *out = malloc(len);

	memset(line, 'a', len);
	line[len - 1] = '\n';
	ck_assert_int_eq(intake_init(&in, -1, MIB, false, NULL), 0);
	ck_assert_int_eq(intake_fill(&in, line, len, false), 0);
	ck_assert_uint_eq(take_all(&in, out, len), len);
	ck_assert_int_eq(memcmp(out, line, len), 0);
	free(line);
	free(out);
	intake_destroy(&in);
}
END_TEST

struct writer {
	int fd;
	const char *data;
	size_t len;
};

static void *write_all(void *arg)
{
	struct writer *w = arg;
	size_t off = 0;

	while (off < w->len) {
		ssize_t n = write(w->fd, w->data + off, w->len - off);

		if (n <= 0)
			break;
		off += (size_t)n;
	}
	close(w->fd);
	return NULL;
}

/* Drain IN as the main loop does, until the input ended. */
static size_t consume_until_finished(struct intake *in, char *out,
				     size_t cap)
{
	struct pollfd p = { .fd = intake_wake_fd(in), .events = POLLIN };
	size_t got = 0;

	while (!intake_finished(in)) {
		ck_assert_int_ge(poll(&p, 1, 5000), 1);
		intake_clear_wake(in);
		got += take_all(in, out + got, cap - got);
	}
	return got;
}

/* The thread reads a pipe to its end; every byte arrives, in order. */
/* The pause after a read: 1 ms after a record or two, doubling while
 * reads bring several, never above the bound, none after a long read;
 * back to 1 ms when the stream calms down. */
START_TEST(test_intake_gather_adapts)
{
	long g = 0;
	int i;

	ck_assert_int_eq(intake_gather_next(0, 300), INTAKE_GATHER_NS);
	ck_assert_int_eq(intake_gather_next(INTAKE_GATHER_MAX_NS, 300),
			 INTAKE_GATHER_NS);
	g = intake_gather_next(INTAKE_GATHER_NS, 8192);
	ck_assert_int_eq(g, 2 * INTAKE_GATHER_NS);
	for (i = 0; i < 10; i++)
		g = intake_gather_next(g, 8192);
	ck_assert_int_eq(g, INTAKE_GATHER_MAX_NS);
	/* a quarter of the buffer or more: the pause holds */
	ck_assert_int_eq(intake_gather_next(2 * INTAKE_GATHER_NS,
					    INTAKE_READ_CHUNK / 4),
			 2 * INTAKE_GATHER_NS);
	ck_assert_int_eq(intake_gather_next(g, INTAKE_READ_CHUNK / 2), 0);
	ck_assert_int_eq(intake_gather_next(0, INTAKE_READ_CHUNK / 2 - 1),
			 INTAKE_GATHER_NS);
	ck_assert_int_eq(intake_gather_next(0, INTAKE_GATHER_BUSY),
			 2 * INTAKE_GATHER_NS);
}
END_TEST

START_TEST(test_intake_thread_reads_to_eof)
{
	struct intake in;
	struct stats st;
	const size_t len = 150, n = 20000;
	char *lines = make_lines(n, len), *out = malloc(n * len);
	struct writer w;
	pthread_t t;
	int fds[2];

	stats_reset(&st);
	ck_assert_int_eq(pipe(fds), 0);
	w = (struct writer){ .fd = fds[1], .data = lines, .len = n * len };
	ck_assert_int_eq(intake_init(&in, fds[0], 8 * MIB, false, &st), 0);
	ck_assert_int_eq(intake_start(&in), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, write_all, &w), 0);
	ck_assert_uint_eq(consume_until_finished(&in, out, n * len), n * len);
	ck_assert_int_eq(memcmp(out, lines, n * len), 0);
	ck_assert_int_eq(intake_error(&in), 0);
	pthread_join(t, NULL);
	intake_destroy(&in);
	close(fds[0]);
	free(out);
	free(lines);
}
END_TEST

/* Reading a file (lossless) waits for room instead of dropping, even
 * with a ring much smaller than the input. */
START_TEST(test_intake_lossless_waits_for_room)
{
	struct intake in;
	struct stats st;
	const size_t len = 200, n = 5 * MIB / 200;
	char *lines = make_lines(n, len), *out = malloc(n * len);
	char *dir = test_mkdtemp();
	char *path = test_write_file(dir, "audit.log", lines, n * len, 0600);
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	stats_reset(&st);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(intake_init(&in, fd, MIB, true, &st), 0);
	ck_assert_int_eq(intake_start(&in), 0);
	usleep(100000);		/* let it fill the ring and wait */
	ck_assert_uint_eq(consume_until_finished(&in, out, n * len), n * len);
	ck_assert_int_eq(memcmp(out, lines, n * len), 0);
	ck_assert_uint_eq(atomic_load(&st.intake_dropped), 0);
	intake_destroy(&in);
	close(fd);
	test_rmtree(dir);
	free(dir);
	free(path);
	free(out);
	free(lines);
}
END_TEST

/* Stopping a thread that waits for input returns at once; what it had
 * buffered stays for the consumer. */
START_TEST(test_intake_stop_while_idle_keeps_buffer)
{
	struct intake in;
	struct timespec t0, t1;
	char out[64];
	int fds[2];

	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_eq(intake_init(&in, fds[0], MIB, false, NULL), 0);
	ck_assert_int_eq(intake_start(&in), 0);
	ck_assert_int_eq(write(fds[1], "type=EOE x\n", 11), 11);
	while (intake_used(&in) < 11)
		usleep(1000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	intake_stop(&in);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_int_lt(t1.tv_sec - t0.tv_sec, 2);
	ck_assert_uint_eq(take_all(&in, out, sizeof(out)), 11);
	intake_stop(&in);	/* twice is harmless */
	intake_destroy(&in);
	close(fds[0]);
	close(fds[1]);
}
END_TEST

/* Signals stay with the main thread: the intake thread blocks them. */
START_TEST(test_intake_thread_blocks_signals)
{
	struct intake in;
	char path[128], line[256];
	unsigned long long blk = 0;
	pid_t self = getpid();
	int fds[2], found = 0;
	FILE *f;

	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_eq(intake_init(&in, fds[0], MIB, false, NULL), 0);
	ck_assert_int_eq(intake_start(&in), 0);
	/* the thread is the task that is not us */
	{
		char tasks[64];
		FILE *ls;
		char cmd[96];

		snprintf(tasks, sizeof(tasks), "/proc/%d/task", (int)self);
		snprintf(cmd, sizeof(cmd), "ls %s", tasks);
		ls = popen(cmd, "r");
		ck_assert_ptr_nonnull(ls);
		while (fgets(line, sizeof(line), ls)) {
			int tid = atoi(line);

			if (tid == (int)self)
				continue;
			snprintf(path, sizeof(path), "%s/%d/status", tasks,
				 tid);
			f = fopen(path, "r");
			if (!f)
				continue;
			while (fgets(line, sizeof(line), f))
				if (sscanf(line, "SigBlk: %llx", &blk) == 1)
					found = 1;
			fclose(f);
		}
		pclose(ls);
	}
	ck_assert(found);
	ck_assert(blk & (1ULL << (SIGTERM - 1)));
	ck_assert(blk & (1ULL << (SIGHUP - 1)));
	ck_assert(blk & (1ULL << (SIGINT - 1)));
	intake_destroy(&in);
	close(fds[0]);
	close(fds[1]);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("intake");
	TCase *ring = tcase_create("ring");
	TCase *thread = tcase_create("thread");

	tcase_add_test(ring, test_intake_size_range);
	tcase_add_test(ring, test_intake_whole_lines_only);
	tcase_add_test(ring, test_intake_full_drops_whole_lines_and_counts);
	tcase_add_test(ring, test_intake_wraparound_keeps_order);
	tcase_add_test(ring, test_intake_overlong_line_passed_on);
	tcase_add_test(ring, test_intake_gather_adapts);
	tcase_add_test(thread, test_intake_thread_reads_to_eof);
	tcase_add_test(thread, test_intake_lossless_waits_for_room);
	tcase_add_test(thread, test_intake_stop_while_idle_keeps_buffer);
	tcase_add_test(thread, test_intake_thread_blocks_signals);
	tcase_set_timeout(thread, 30);
	suite_add_tcase(s, ring);
	suite_add_tcase(s, thread);
	return s;
}
