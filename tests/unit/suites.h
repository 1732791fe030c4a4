/* suites.h -- the Check suites of dropexec's unit tests, and shared helpers */
#ifndef DROPEXEC_TEST_SUITES_H
#define DROPEXEC_TEST_SUITES_H

#include <stddef.h>
#include <sys/types.h>
#include <check.h>

#ifndef FIXTURE_DIR
#error "FIXTURE_DIR must name tests/fixtures"
#endif

Suite *record_suite(void);
Suite *scope_suite(void);
Suite *classify_suite(void);
Suite *encoding_suite(void);
Suite *config_suite(void);
Suite *queue_suite(void);
Suite *inspect_suite(void);
Suite *fstype_suite(void);
Suite *jsonlog_suite(void);
Suite *malformed_suite(void);
Suite *meta_suite(void);
Suite *sha256_suite(void);

/*
 * Helpers shared by the suites (check_main.c). They abort the test with
 * a Check failure when the system refuses, so callers need no checks.
 */

/* A fresh private directory under $TMPDIR or /tmp (malloc'd path). */
char *test_mkdtemp(void);
/* Remove DIR and everything below it (best effort). */
void test_rmtree(const char *dir);
/* Write LEN bytes to DIR/NAME with MODE; returns the malloc'd path. */
char *test_write_file(const char *dir, const char *name, const void *data,
		      size_t len, mode_t mode);
/* The whole file PATH (malloc'd, NUL added); its size in *LEN if given. */
char *test_read_file(const char *path, size_t *len);

#endif
