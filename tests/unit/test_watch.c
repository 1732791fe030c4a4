/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_watch.c -- files held open for writing (check/watch.c)
 *
 * The list with the clock passed in, and who holds a file, read from a
 * fake procfs (fdinfo files, ns/pid files) and from this process's own
 * /proc entries.
 */
#include "testlib.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check/watch.h"

static struct watch_entry entry(uint64_t ino, uint64_t due)
{
	struct watch_entry e;

	memset(&e, 0, sizeof(e));
	e.c = candidate_new();
	ck_assert_ptr_nonnull(e.c);
	e.c->op = FILE_OP_OPEN;
	e.st_dev = 42;
	e.st_ino = ino;
	e.due_ms = due;
	return e;
}

/* 5 ms doubling, never more than two seconds: a long-held file costs
 * one look every two seconds. */
/* H's file still held open for writing, as procfs alone tells it: by
 * H's own descriptor, else by a process of its namespace (the two
 * questions the check asks, when the kernel cannot say). */
static bool still_held(struct watch *w, const char *proc,
		       struct watch_holder *h)
{
	return watch_holder_writes(proc, h) || watch_inheritor(w, proc, h);
}

START_TEST(test_backoff_bounded)
{
	static const uint64_t want[] = { 5, 10, 20, 40, 80, 160, 320, 640,
					 1280, 2000, 2000 };
	unsigned int i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_uint_eq(watch_backoff_ms(i), want[i]);
	ck_assert_uint_eq(watch_backoff_ms(~0U), WATCH_LOOK_MAX_MS);
}
END_TEST

/* A full list refuses, and the candidate stays the caller's. */
/* Polls fall on one tick (multiples of the interval), never after the
 * next read; the interval grows with the list, within its bounds. */
START_TEST(test_poll_ticks)
{
	struct watch w;

	ck_assert_int_eq(watch_init(&w, 2000), 0);
	ck_assert_uint_eq(watch_poll_ms(&w), WATCH_POLL_MIN_MS);
	ck_assert_uint_eq(watch_next_poll(&w, 1001, 5000), 1050);
	ck_assert_uint_eq(watch_next_poll(&w, 1049, 5000), 1050);
	ck_assert_uint_eq(watch_next_poll(&w, 1050, 5000), 1100);
	ck_assert_uint_eq(watch_next_poll(&w, 1001, 1020), 1020);
	w.count = 200;
	ck_assert_uint_eq(watch_poll_ms(&w), 200);
	w.count = 2000;
	ck_assert_uint_eq(watch_poll_ms(&w), WATCH_POLL_MAX_MS);
	w.count = 0;
	watch_free(&w);
}
END_TEST

START_TEST(test_full_refuses)
{
	struct watch w;
	struct watch_entry a = entry(1, 10), b = entry(2, 10);

	ck_assert_int_eq(watch_init(&w, 1), 0);
	ck_assert_int_eq(watch_add(&w, &a), 0);
	ck_assert_int_eq(watch_add(&w, &b), -1);
	candidate_free(b.c);
	watch_free(&w);
}
END_TEST

/* Nothing is due before its time; all are taken on the last look. */
START_TEST(test_due_by_injected_clock)
{
	struct watch_entry out[3];
	struct watch w;
	struct watch_entry a = entry(1, 100), b = entry(2, 50);
	size_t n;

	ck_assert_int_eq(watch_init(&w, 4), 0);
	ck_assert_int_eq(watch_next_ms(&w, 0), -1);
	watch_add(&w, &a);
	watch_add(&w, &b);
	ck_assert_int_eq(watch_next_ms(&w, 20), 30);
	ck_assert_uint_eq(watch_take_due(&w, 49, false, out), 0);
	n = watch_take_due(&w, 50, false, out);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(out[0].st_ino, 2);
	candidate_free(out[0].c);
	ck_assert_int_eq(watch_next_ms(&w, 200), 0);
	n = watch_take_due(&w, 0, true, out);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(w.count, 0);
	candidate_free(out[0].c);
	watch_free(&w);
}
END_TEST

START_TEST(test_take_file)
{
	struct watch_entry out;
	struct watch w;
	struct watch_entry a = entry(7, 100);

	ck_assert_int_eq(watch_init(&w, 4), 0);
	watch_add(&w, &a);
	ck_assert(!watch_take_file(&w, 42, 8, &out));
	ck_assert(!watch_take_file(&w, 43, 7, &out));
	ck_assert(watch_take_file(&w, 42, 7, &out));
	ck_assert_uint_eq(w.count, 0);
	candidate_free(out.c);
	watch_free(&w);
}
END_TEST

/* fdinfo says who writes: flags, inode, mount. */
START_TEST(test_fd_writes_reads_fdinfo)
{
	char *base = test_mkdtemp();
	uint64_t ino;
	int mnt;

	test_fake_fdinfo(base, 10, 3,
			 "pos:\t0\nflags:\t0100001\nmnt_id:\t26\nino:\t777\n");
	test_fake_fdinfo(base, 10, 4,
			 "pos:\t0\nflags:\t0100000\nmnt_id:\t26\nino:\t777\n");
	test_fake_fdinfo(base, 10, 5,
			 "pos:\t0\nflags:\t02\nmnt_id:\t26\nino:\t777\n");
	ck_assert(watch_fd_writes(base, 10, 3, 777, 26, &ino, &mnt));
	ck_assert_uint_eq(ino, 777);
	ck_assert_int_eq(mnt, 26);
	ck_assert(watch_fd_writes(base, 10, 3, 0, -1, NULL, NULL));
	ck_assert(!watch_fd_writes(base, 10, 3, 778, 26, NULL, NULL));
	ck_assert(!watch_fd_writes(base, 10, 3, 777, 27, NULL, NULL));
	/* read-only: not a writer */
	ck_assert(!watch_fd_writes(base, 10, 4, 777, 26, NULL, NULL));
	/* O_RDWR is */
	ck_assert(watch_fd_writes(base, 10, 5, 777, 26, NULL, NULL));
	/* closed, no such process */
	ck_assert(!watch_fd_writes(base, 10, 6, 777, 26, NULL, NULL));
	ck_assert(!watch_fd_writes(base, 11, 3, 777, 26, NULL, NULL));
	ck_assert(!watch_fd_writes(base, 10, -1, 777, 26, NULL, NULL));
	test_rmtree(base);
	free(base);
}
END_TEST

/* Bad input: fdinfo without the fields, with garbage, or huge. */
START_TEST(test_fd_writes_bad_fdinfo)
{
	char *base = test_mkdtemp();
	char big[4096];

	test_fake_fdinfo(base, 10, 3, "flags:\t0100001\n");	/* no ino */
	test_fake_fdinfo(base, 10, 4, "ino:\t777\n");		/* no flags */
	test_fake_fdinfo(base, 10, 5, "flags:\tzz\nino:\t777\n");
	test_fake_fdinfo(base, 10, 6, "flags:\t01\nino:\t-1\n");
	test_fake_fdinfo(base, 10, 7,
			 "flags:\t01\nino:\t99999999999999999999999\n");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	test_fake_fdinfo(base, 10, 8, big);
	test_fake_fdinfo(base, 10, 9, "");
	ck_assert(!watch_fd_writes(base, 10, 3, 0, -1, NULL, NULL));
	ck_assert(!watch_fd_writes(base, 10, 4, 0, -1, NULL, NULL));
	ck_assert(!watch_fd_writes(base, 10, 5, 0, -1, NULL, NULL));
	ck_assert(!watch_fd_writes(base, 10, 6, 0, -1, NULL, NULL));
	ck_assert(!watch_fd_writes(base, 10, 7, 0, -1, NULL, NULL));
	ck_assert(!watch_fd_writes(base, 10, 8, 0, -1, NULL, NULL));
	ck_assert(!watch_fd_writes(base, 10, 9, 0, -1, NULL, NULL));
	test_rmtree(base);
	free(base);
}
END_TEST

/* fdinfo of a descriptor open for writing (O_WRONLY) on inode 777. */
#define WRITES_777	"flags:\t0100001\nmnt_id:\t26\nino:\t777\n"

/*
 * A fake procfs in a fresh directory (*BASE) with the files of two pid
 * namespaces (*NS_A, *NS_B), whose inodes stand for them, and W, a list
 * of one entry: what a search for a file's holder runs on.
 */
static void two_namespaces(char **base, char **ns_a, char **ns_b,
			   struct watch *w)
{
	*base = test_mkdtemp();
	*ns_a = test_write_file(*base, "ns-a", "", 0, 0444);
	*ns_b = test_write_file(*base, "ns-b", "", 0, 0444);
	ck_assert_int_eq(watch_init(w, 1), 0);
}

/* Free what two_namespaces() made, the fake procfs removed. */
static void two_namespaces_free(char *base, char *ns_a, char *ns_b,
				struct watch *w)
{
	watch_free(w);
	free(ns_a);
	free(ns_b);
	test_rmtree(base);
	free(base);
}

/* H: the writer, pid 10 in the namespace of NS_FILE, which held inode
 * 777 of mount 26 open for writing as descriptor 3. */
static void writer_of_777(struct watch_holder *h, const char *base,
			  const char *ns_file)
{
	memset(h, 0, sizeof(*h));
	h->pid = 10;
	h->fd = 3;
	h->ino = 777;
	h->mnt_id = 26;
	h->pidns = test_fake_pidns(base, 10, ns_file);
}

/*
 * The writer closed its descriptor, a child that inherited it still
 * writes: found by a search of the writer's pid namespace, and only
 * there (a process of another namespace writing the same inode is not
 * the container's).
 */
START_TEST(test_inheritor_found_in_namespace)
{
	char *base, *ns_a, *ns_b;
	struct watch_holder h;
	struct watch w;

	two_namespaces(&base, &ns_a, &ns_b, &w);
	writer_of_777(&h, base, ns_a);
	ck_assert_uint_ne(h.pidns, 0);
	ck_assert_uint_eq(watch_pidns_of(base, 10), h.pidns);
	test_fake_pidns(base, 20, ns_b);
	test_fake_fdinfo(base, 20, 5, WRITES_777);
	/* nobody of the namespace holds it */
	ck_assert(!still_held(&w, base, &h));
	/* a child in it does, as descriptor 1 */
	test_fake_pidns(base, 11, ns_a);
	test_fake_fdinfo(base, 11, 0,
			 "flags:\t0100000\nmnt_id:\t26\nino:\t777\n");
	test_fake_fdinfo(base, 11, 1, WRITES_777);
	ck_assert(still_held(&w, base, &h));
	ck_assert_int_eq(h.pid, 11);
	ck_assert_int_eq(h.fd, 1);
	/* next time it is asked first */
	ck_assert(still_held(&w, base, &h));
	two_namespaces_free(base, ns_a, ns_b, &w);
}
END_TEST

/*
 * Within a batch, one search of a namespace answers for every file of
 * it; a holder it found that has let go since makes a new search; a
 * namespace of its own is searched on its own; after the batch, each
 * question searches again.
 */
START_TEST(test_batch_searches_once)
{
	char *base, *ns_a, *ns_b;
	struct watch_holder h1, h2, h3, hb;
	struct watch w;
	uint64_t ns;

	two_namespaces(&base, &ns_a, &ns_b, &w);
	ns = test_fake_pidns(base, 10, ns_a);
	test_fake_pidns(base, 11, ns_a);
	test_fake_pidns(base, 12, ns_a);
	test_fake_pidns(base, 20, ns_b);
	/* 11 holds inode 777, 12 inode 778 for writing; 20, in another
	 * namespace, inode 779 */
	test_fake_fdinfo(base, 11, 4, "flags:\t01\nmnt_id:\t26\nino:\t777\n");
	test_fake_fdinfo(base, 12, 5, "flags:\t02\nmnt_id:\t26\nino:\t778\n");
	test_fake_fdinfo(base, 12, 6, "flags:\t00\nmnt_id:\t26\nino:\t780\n");
	test_fake_fdinfo(base, 20, 3, "flags:\t01\nmnt_id:\t26\nino:\t779\n");
	memset(&h1, 0, sizeof(h1));
	h1.pid = 10;		/* the writer, which closed it */
	h1.fd = 3;
	h1.mnt_id = -1;
	h1.pidns = ns;
	h2 = h3 = h1;
	h1.ino = 777;
	h2.ino = 778;
	h3.ino = 780;		/* held read-only: nobody writes it */

	watch_batch_begin(&w);
	ck_assert(still_held(&w, base, &h1));
	ck_assert_int_eq(h1.pid, 11);
	ck_assert_int_eq(h1.fd, 4);
	ck_assert(still_held(&w, base, &h2));
	ck_assert_int_eq(h2.pid, 12);
	ck_assert_int_eq(h2.fd, 5);
	ck_assert(!still_held(&w, base, &h3));
	ck_assert_uint_eq(w.searches, 1);
	/* another namespace: a search of its own */
	memset(&hb, 0, sizeof(hb));
	hb.pid = 21;
	hb.fd = 3;
	hb.mnt_id = -1;
	hb.ino = 779;
	hb.pidns = watch_pidns_of(base, 20);
	ck_assert(still_held(&w, base, &hb));
	ck_assert_int_eq(hb.pid, 20);
	ck_assert_uint_eq(w.searches, 2);
	/* 11 lets go: asked directly, then the namespace again */
	test_fake_fdinfo_close(base, 11, 4);
	h1.pid = 10;
	h1.fd = 3;
	ck_assert(!still_held(&w, base, &h1));
	ck_assert_uint_eq(w.searches, 3);
	/* ... and that search answers the rest of the batch */
	h2.pid = 10;
	h2.fd = 3;
	ck_assert(still_held(&w, base, &h2));
	ck_assert_int_eq(h2.pid, 12);
	ck_assert_uint_eq(w.searches, 3);
	watch_batch_end(&w);

	/* no batch: every question searches */
	h2.pid = 10;
	h2.fd = 3;
	ck_assert(still_held(&w, base, &h2));
	ck_assert(!still_held(&w, base, &h3));
	ck_assert_uint_eq(w.searches, 5);
	/* a new batch does not reuse the last one's search */
	watch_batch_begin(&w);
	test_fake_fdinfo(base, 11, 7, "flags:\t01\nmnt_id:\t26\nino:\t780\n");
	h3.pid = 10;
	h3.fd = 3;
	ck_assert(still_held(&w, base, &h3));
	ck_assert_int_eq(h3.pid, 11);
	ck_assert_int_eq(h3.fd, 7);
	ck_assert_uint_eq(w.searches, 6);
	watch_batch_end(&w);
	two_namespaces_free(base, ns_a, ns_b, &w);
}
END_TEST

/* This process's own descriptors, through the real /proc. */
START_TEST(test_real_proc)
{
	char *dir = test_mkdtemp();
	char *path = test_write_file(dir, "f", "x", 1, 0644);
	struct watch_holder h;
	struct watch w;
	struct stat st;
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	int ro = open(path, O_RDONLY | O_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_ge(ro, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert(watch_fd_writes("/proc", getpid(), fd, st.st_ino, -1, NULL,
				  NULL));
	ck_assert(!watch_fd_writes("/proc", getpid(), ro, st.st_ino, -1,
				   NULL, NULL));
	ck_assert_int_eq(watch_init(&w, 1), 0);
	memset(&h, 0, sizeof(h));
	h.pid = getpid();
	h.fd = ro;		/* not the writer: found by the search */
	h.ino = st.st_ino;
	h.mnt_id = -1;
	h.pidns = watch_pidns_of("/proc", getpid());
	ck_assert(still_held(&w, "/proc", &h));
	ck_assert_int_eq(h.fd, fd);
	close(fd);
	ck_assert(!still_held(&w, "/proc", &h));
	close(ro);
	watch_free(&w);
	free(path);
	test_rmtree(dir);
	free(dir);
}
END_TEST

/* N processes from pid FIRST on, in the namespace of NS_FILE, holding
 * nothing (their /proc entries: a pid/ns link, an empty fdinfo). */
static void fake_many(const char *base, int first, int n, const char *ns_file)
{
	char path[512];
	int i;

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%d", base, first + i);
		ck_assert_int_eq(mkdir(path, 0755), 0);
		snprintf(path, sizeof(path), "%s/%d/ns", base, first + i);
		ck_assert_int_eq(mkdir(path, 0755), 0);
		snprintf(path, sizeof(path), "%s/%d/ns/pid", base, first + i);
		ck_assert_int_eq(symlink(ns_file, path), 0);
		snprintf(path, sizeof(path), "%s/%d/fdinfo", base, first + i);
		ck_assert_int_eq(mkdir(path, 0755), 0);
	}
}

/* Is H's file held, asked in a batch and outside one? Both must agree. */
static bool held_both_ways(struct watch *w, const char *base,
			   const struct watch_holder *h0, struct watch_holder *h)
{
	struct watch_holder hb = *h0;
	bool in_batch, alone;

	*h = *h0;
	alone = watch_inheritor(w, base, h);
	watch_batch_begin(w);
	in_batch = watch_inheritor(w, base, &hb);
	watch_batch_end(w);
	ck_assert_int_eq(alone, in_batch);
	ck_assert_int_eq(h->pid, hb.pid);
	return alone;
}

/*
 * The bounds of a search, attacked: processes of other namespaces do not
 * count against the namespace's bound (a host with more processes than
 * the bound hid a container's holder behind them); a namespace with more
 * processes than a search reads cannot say "nobody holds it", so the
 * file counts as held and stays watched.
 */
START_TEST(test_search_bounds)
{
	char *base, *ns_a, *ns_b;
	struct watch_holder h0, h;
	struct watch w;

	two_namespaces(&base, &ns_a, &ns_b, &w);
	writer_of_777(&h0, base, ns_a);
	/* more processes of another namespace than the bound, then the
	 * holder in the writer's */
	fake_many(base, 100000, WATCH_SEARCH_PROCS_MAX + 100, ns_b);
	test_fake_pidns(base, 900000, ns_a);
	test_fake_fdinfo(base, 900000, 1, WRITES_777);
	ck_assert(held_both_ways(&w, base, &h0, &h));
	ck_assert_int_eq(h.pid, 900000);
	ck_assert_uint_eq(w.searches_cut, 0);
	/* no holder now, and more processes of the namespace than a
	 * search reads: held, not let go */
	test_fake_fdinfo_close(base, 900000, 1);
	ck_assert(!held_both_ways(&w, base, &h0, &h));
	fake_many(base, 200000, WATCH_SEARCH_PROCS_MAX + 1, ns_a);
	ck_assert(held_both_ways(&w, base, &h0, &h));
	ck_assert_int_eq(h.pid, 10);	/* nobody made up */
	ck_assert_uint_ge(w.searches_cut, 1);
	two_namespaces_free(base, ns_a, ns_b, &w);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("watch");
	TCase *tc = tcase_create("watch");

	tcase_add_test(tc, test_backoff_bounded);
	tcase_add_test(tc, test_poll_ticks);
	tcase_add_test(tc, test_full_refuses);
	tcase_add_test(tc, test_due_by_injected_clock);
	tcase_add_test(tc, test_take_file);
	tcase_add_test(tc, test_fd_writes_reads_fdinfo);
	tcase_add_test(tc, test_fd_writes_bad_fdinfo);
	tcase_add_test(tc, test_inheritor_found_in_namespace);
	tcase_add_test(tc, test_batch_searches_once);
	tcase_add_test(tc, test_real_proc);
	suite_add_tcase(s, tc);
	/* thousands of fake /proc entries */
	tc = tcase_create("bounds");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_search_bounds);
	suite_add_tcase(s, tc);
	return s;
}
