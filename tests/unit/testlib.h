/* SPDX-License-Identifier: GPL-2.0-or-later */
/* testlib.h -- what every unit test program of dropexec shares
 *
 * There is one test program per module (tests/unit/<module>, built from
 * tests/unit/test_<module>.c). Each defines one Check suite, test_suite();
 * the main() of testlib.c runs it, every test in a process of its own,
 * and writes the results as TAP for automake's TAP driver:
 *
 *   ok N - tcase:test                  passed
 *   ok N - tcase:test # SKIP reason    could not run here (test_skip())
 *   not ok N - tcase:test              failed, the reason follows as "# ..."
 *
 * A test that cannot run (not root, a kernel feature missing) calls
 * test_skip() and is counted as skipped, never as passed.
 *
 * The helpers below abort the test with a Check failure when the system
 * refuses, so callers need no checks of their own.
 */
#ifndef DROPEXEC_TESTLIB_H
#define DROPEXEC_TESTLIB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <check.h>

#include "candidate.h"
#include "util/settings.h"

struct inspector;
struct reader;
struct stats;

#ifndef FIXTURE_DIR
#error "FIXTURE_DIR must name tests/fixtures"
#endif

/* The suite of this test program (defined once per program). */
Suite *test_suite(void);

/*
 * End the running test as skipped, for the reason given (printf format).
 * For what this machine lacks, never for what the code does wrong.
 */
void test_skip(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

/* A fresh private directory under $TMPDIR or /tmp (malloc'd path). */
char *test_mkdtemp(void);
/* Remove DIR and everything below it (best effort). */
void test_rmtree(const char *dir);
/* Write LEN bytes to DIR/NAME with MODE; returns the malloc'd path. */
char *test_write_file(const char *dir, const char *name, const void *data,
		      size_t len, mode_t mode);
/* The whole file PATH (malloc'd, NUL added); its size in *LEN if given. */
char *test_read_file(const char *path, size_t *len);

/*
 * A fresh private directory for each test of a case: made by
 * test_tmpdir_setup() and removed by test_tmpdir_teardown(), the case's
 * fixture (tcase_add_*_fixture()).
 */
extern char *test_tmpdir;
void test_tmpdir_setup(void);
void test_tmpdir_teardown(void);
/* TEXT as dropexec.conf in test_tmpdir, loaded strictly: config_load(). */
int test_config_load_text(const char *text, struct config *cfg,
			  struct config_errors *errs);

/*
 * A fake procfs in a fresh directory (returned, malloc'd): PID/root is a
 * symlink to BASE/root, which holds an empty tmp/. *ROOT gets BASE/root
 * and *PID_DIR (when not NULL) BASE/PID, both malloc'd.
 */
char *test_fake_proc(pid_t pid, char **root, char **pid_dir);

/*
 * In the fake procfs BASE: PID's fdinfo/FD, holding TEXT as procfs
 * describes a descriptor ("flags:", "mnt_id:", "ino:" lines).
 */
void test_fake_fdinfo(const char *base, pid_t pid, int fd, const char *text);
/* PID's fdinfo/FD gone from the fake procfs BASE (the descriptor closed). */
void test_fake_fdinfo_close(const char *base, pid_t pid, int fd);
/*
 * In the fake procfs BASE: PID's ns/pid, a symlink to NS_FILE, whose
 * inode stands for the pid namespace; that inode is returned.
 */
uint64_t test_fake_pidns(const char *base, pid_t pid, const char *ns_file);

/*
 * The plugin's reader RD and inspector IN, counting in ST, on the fixture
 * procfs of test_scope.c (tests/fixtures/proc, mountinfo), in scope MODE
 * with a queue of QUEUE_SIZE; no JSON log, no audit records. The
 * inspector's thread is not started: what the reader queues stays in
 * IN->q. The plugin's own pid is 1. Undo with reader_destroy(), then
 * inspector_free().
 */
void test_reader_init(struct reader *rd, struct inspector *in,
		      struct stats *st, enum scope_mode mode,
		      size_t queue_size);

/* The podman container of tests/fixtures (podman-drops.log, proc/4242). */
#define TEST_PODMAN_ID \
	"c194a736a9b1c1deea3d1943ee7feb36110c5b55532300329845ba56b47a412c"

/*
 * A complete candidate for PATH: busybox cp (pid 2843) in the podman
 * container opening it with openat, as audit event 319 of the fixture
 * reports it. Free with candidate_free().
 */
struct candidate *test_candidate(const char *path);

/* Programs built from more than one file: the other file's test cases. */
void record_malformed_tcases(Suite *s);	/* test_record_malformed.c */
void record_names_tcases(Suite *s);	/* test_record_names.c */

#endif
