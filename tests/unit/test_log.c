/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_log.c -- syslog, stderr copies and the last error (util/log.c) */
#include "testlib.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/log.h"

static void setup(void)
{
	log_set_stderr_level(-1);
	log_reset_last_error();
}

START_TEST(test_last_error_kept)
{
	char buf[LOG_LAST_ERROR_MAX];
	time_t when = 0, before = time(NULL);
	int prio = 0;

	ck_assert_uint_eq(log_last_error(buf, sizeof(buf), &when, &prio), 0);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(when, 0);

	log_msg(LOG_INFO, "started (config %s)", "/x");
	log_msg(LOG_NOTICE, "reloaded");
	ck_assert_uint_eq(log_last_error(buf, sizeof(buf), NULL, NULL), 0);

	log_msg(LOG_ERR, "JSON log %s: cannot open: %s", "/l", "EACCES");
	log_msg(LOG_INFO, "stats: events=1");
	ck_assert_uint_eq(log_last_error(buf, sizeof(buf), &when, &prio), 1);
	ck_assert_str_eq(buf, "JSON log /l: cannot open: EACCES");
	ck_assert_int_ge(when, before);
	ck_assert_int_eq(prio, LOG_ERR);

	log_msg(LOG_WARNING, "candidates dropped under load");
	ck_assert_uint_eq(log_last_error(buf, sizeof(buf), NULL, &prio), 2);
	ck_assert_str_eq(buf, "candidates dropped under load");
	ck_assert_int_eq(prio, LOG_WARNING);

	log_reset_last_error();
	ck_assert_uint_eq(log_last_error(buf, sizeof(buf), &when, NULL), 0);
	ck_assert_str_eq(buf, "");
}
END_TEST

/* A long message is cut to the buffer, never overrun. */
START_TEST(test_last_error_cut)
{
	char big[3000], small[16];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_msg(LOG_ERR, "%s", big);
	ck_assert_uint_eq(log_last_error(small, sizeof(small), NULL, NULL), 1);
	ck_assert_str_eq(small, "aaaaaaaaaaaaaaa");
}
END_TEST

/* Run FN with stderr sent to a file; return what it wrote. */
static char *capture_stderr(void (*fn)(void))
{
	char *dir = test_mkdtemp(), *path, *text;
	int fd, saved;

	ck_assert_int_ge(asprintf(&path, "%s/err", dir), 0);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	fflush(stderr);
	saved = dup(2);
	ck_assert_int_eq(dup2(fd, 2), 2);
	fn();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fd);
	text = test_read_file(path, NULL);
	test_rmtree(dir);
	free(dir);
	free(path);
	return text;
}

static void some_messages(void)
{
	log_msg(LOG_INFO, "an info");
	log_msg(LOG_WARNING, "a warning");
	log_msg(LOG_ERR, "an error");
}

/* Warnings and errors reach stderr at level LOG_WARNING, everything at
 * LOG_DEBUG (by hand), nothing at -1. */
START_TEST(test_stderr_levels)
{
	char *text;

	log_set_stderr_level(LOG_WARNING);
	text = capture_stderr(some_messages);
	ck_assert_str_eq(text, "audisp-dropexec: a warning\n"
			 "audisp-dropexec: an error\n");
	free(text);

	log_set_stderr_level(LOG_DEBUG);
	text = capture_stderr(some_messages);
	ck_assert_ptr_nonnull(strstr(text, "an info\n"));
	ck_assert_ptr_nonnull(strstr(text, "an error\n"));
	free(text);

	log_set_stderr_level(-1);
	text = capture_stderr(some_messages);
	ck_assert_str_eq(text, "");
	free(text);
}
END_TEST

static void init_by_hand(void)
{
	log_init(true);
	log_msg(LOG_INFO, "an info");
}

static void init_as_plugin(void)
{
	log_init(false);
	log_msg(LOG_INFO, "an info");
	log_msg(LOG_ERR, "an error");
}

/* log_init: stderr a file (as under "auditd -n"): errors there, and
 * everything when run by hand or when nothing listens on /dev/log. */
START_TEST(test_init_stderr_file)
{
	char *text;
	bool syslog_up = log_syslog_reachable("/dev/log");

	text = capture_stderr(init_by_hand);
	ck_assert_str_eq(text, "audisp-dropexec: an info\n");
	free(text);

	text = capture_stderr(init_as_plugin);
	if (syslog_up)
		ck_assert_str_eq(text, "audisp-dropexec: an error\n");
	else
		ck_assert_str_eq(text, "audisp-dropexec: an info\n"
				 "audisp-dropexec: an error\n");
	free(text);
	log_set_stderr_level(-1);
}
END_TEST

/* stderr /dev/null (auditd as a daemon): no copies at all. */
START_TEST(test_init_stderr_devnull)
{
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC), saved;

	ck_assert_int_ge(null, 0);
	ck_assert(!log_fd_is_read(null));
	fflush(stderr);
	saved = dup(2);
	ck_assert_int_eq(dup2(null, 2), 2);
	log_init(true);
	ck_assert_int_eq(log_stderr_level(), -1);
	log_init(false);
	ck_assert_int_eq(log_stderr_level(), -1);
	dup2(saved, 2);
	close(saved);
	close(null);
	/* a closed descriptor is not read either */
	ck_assert(!log_fd_is_read(1000));
}
END_TEST

START_TEST(test_syslog_reachable)
{
	char *dir = test_mkdtemp(), *path;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	ck_assert_int_ge(asprintf(&path, "%s/log", dir), 0);
	ck_assert(!log_syslog_reachable(path));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert(log_syslog_reachable(path));
	close(fd);
	/* the socket file stays, no one listens: not reachable */
	ck_assert(!log_syslog_reachable(path));
	test_rmtree(dir);
	free(dir);
	free(path);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tl = tcase_create("last_error");
	TCase *ts = tcase_create("stderr");

	tcase_add_checked_fixture(tl, setup, NULL);
	tcase_add_test(tl, test_last_error_kept);
	tcase_add_test(tl, test_last_error_cut);
	suite_add_tcase(s, tl);
	tcase_add_checked_fixture(ts, setup, NULL);
	tcase_add_test(ts, test_stderr_levels);
	tcase_add_test(ts, test_init_stderr_file);
	tcase_add_test(ts, test_init_stderr_devnull);
	tcase_add_test(ts, test_syslog_reachable);
	suite_add_tcase(s, ts);
	return s;
}
