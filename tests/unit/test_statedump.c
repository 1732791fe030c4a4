/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_statedump.c -- the SIGUSR1 state dump (util/statedump.c) */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/log.h"
#include "util/settings.h"
#include "util/statedump.h"
#include "util/stats.h"

static struct stats st;
static struct config cfg;

static void setup(void)
{
	stats_reset(&st);
	config_defaults(&cfg);
	log_set_stderr_level(-1);
	log_reset_last_error();
}

static void teardown(void)
{
	config_free(&cfg);
}

static struct state_view view(void)
{
	struct state_view v = {
		.pid = 321,
		.uptime_s = 3725,
		.now = 1764633600,	/* 2025-12-02T00:00:00Z */
		.config_file = "/etc/audit/dropexec.conf",
		.cfg = &cfg,
		.stats = &st,
		.check_queue = 3, .check_queue_cap = 8192,
		.audit_queue = 1, .audit_queue_cap = 8192,
		.pending = 2, .pending_cap = 4096,
		.errors = 4,
		.last_error = "JSON log /x: cannot open: Permission denied",
		.last_error_time = 1764633000,
	};

	return v;
}

/* "KEY = VALUE\n" is a line of TEXT. */
static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line))) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
		p++;
	}
	return false;
}

#define CK_LINE(text, line) \
	ck_assert_msg(has_line(text, line), "no line '%s' in:\n%s", line, text)

START_TEST(test_state_format)
{
	struct state_view v = view();
	char *text;

	atomic_store(&st.events, 1000);
	atomic_store(&st.findings, 7);
	atomic_store(&st.queue_dropped, 5);
	atomic_store(&st.pending_dropped, 1);
	atomic_store(&st.audit_dropped, 2);
	atomic_store(&st.malformed, 3);
	free(cfg.json_log);
	cfg.json_log = strdup("/var/log/dropexec/findings.jsonl");
	cfg.scope = SCOPE_ALL;
	text = state_format(&v);
	ck_assert_ptr_nonnull(text);
	CK_LINE(text, "[process]");
	CK_LINE(text, "pid = 321");
	CK_LINE(text, "uptime_seconds = 3725");
	CK_LINE(text, "time = 2025-12-02T00:00:00Z");
	CK_LINE(text, "file = /etc/audit/dropexec.conf");
	CK_LINE(text, "scope = all");
	CK_LINE(text, "json_log = /var/log/dropexec/findings.jsonl");
	CK_LINE(text, "audit_record = yes");
	CK_LINE(text, "audit_record_type = USER");
	CK_LINE(text, "check_queue = 3");
	CK_LINE(text, "check_queue_capacity = 8192");
	CK_LINE(text, "audit_queue = 1");
	CK_LINE(text, "pending = 2");
	CK_LINE(text, "pending_capacity = 4096");
	CK_LINE(text, "[losses]");
	CK_LINE(text, "queue_dropped = 5");
	CK_LINE(text, "pending_dropped = 1");
	CK_LINE(text, "audit_dropped = 2");
	CK_LINE(text, "malformed = 3");
	CK_LINE(text, "total = 11");
	/* every counter of stats_format(), one per line */
	CK_LINE(text, "[counters]");
	CK_LINE(text, "events = 1000");
	CK_LINE(text, "findings = 7");
	CK_LINE(text, "checked = 0");
	CK_LINE(text, "count = 4");
	CK_LINE(text, "last_error_time = 2025-12-01T23:50:00Z");
	CK_LINE(text, "last_error = JSON log /x: cannot open: "
		"Permission denied");
	free(text);
}
END_TEST

/* Nothing set yet: "-" rather than empty values. */
START_TEST(test_state_format_empty)
{
	struct state_view v = view();
	char *text;

	v.last_error = "";
	v.last_error_time = 0;
	v.errors = 0;
	free(cfg.json_log);
	cfg.json_log = strdup("");
	text = state_format(&v);
	ck_assert_ptr_nonnull(text);
	CK_LINE(text, "json_log = -");
	CK_LINE(text, "last_error = -");
	CK_LINE(text, "last_error_time = -");
	CK_LINE(text, "total = 0");
	free(text);
}
END_TEST

START_TEST(test_state_summary)
{
	struct state_view v = view();
	char buf[1024];

	atomic_store(&st.events, 12);
	atomic_store(&st.queue_dropped, 1);
	state_summary(&v, buf, sizeof(buf));
	ck_assert_msg(strstr(buf, "state: uptime=3725s check_queue=3/8192 "
			     "audit_queue=1/8192 pending=2/4096 events=12 "),
		      "%s", buf);
	ck_assert_msg(strstr(buf, " lost=1 (queue_dropped=1 "), "%s", buf);
	ck_assert_msg(strstr(buf, "errors=4 last_error: JSON log /x"), "%s",
		      buf);
}
END_TEST

/* state_dump writes the file whole with mode 0600 and replaces it. */
/*
 * The recent decisions: oldest first, the last RECENT_MAX only, and a
 * name that holds a newline, a space or a quote cannot add a line or a
 * field to the file (it is written as hex, as auditd writes such names).
 */
START_TEST(test_state_recent_decisions)
{
	struct state_view v = view();
	struct recent rc;
	char *text, *p;
	unsigned int i, lines = 0;

	ck_assert_int_eq(recent_init(&rc), 0);
	v.recent = &rc;
	text = state_format(&v);
	CK_LINE(text, "[recent]");
	ck_assert_ptr_null(strstr(text, "decision = "));
	free(text);

	recent_note(&rc, 7, "0123456789abcdef", "/tmp/a b", "finding");
	recent_note(&rc, 8, NULL, "/tmp/x\ndecision = 1 finding - \"/etc\"",
		    "out-of-scope:writer-gone");
	recent_note(&rc, 9, "", "/tmp/plain", "unreachable");
	text = state_format(&v);
	CK_LINE(text, "decision = 7 finding 0123456789ab 2F746D702F612062");
	CK_LINE(text, "decision = 9 unreachable - \"/tmp/plain\"");
	ck_assert_ptr_nonnull(strstr(text, "decision = 8 "
				     "out-of-scope:writer-gone - 2F746D70"));
	ck_assert_ptr_null(strstr(text, "\ndecision = 1 "));
	free(text);

	for (i = 0; i < RECENT_MAX + 5; i++)
		recent_note(&rc, 100 + i, NULL, "/tmp/f", "excluded");
	text = state_format(&v);
	for (p = text; (p = strstr(p, "\ndecision = ")); p++)
		lines++;
	ck_assert_uint_eq(lines, RECENT_MAX);
	ck_assert_ptr_null(strstr(text, "decision = 104 "));
	CK_LINE(text, "decision = 105 excluded - \"/tmp/f\"");
	free(text);
	recent_free(&rc);
	/* no ring: nothing listed, nothing kept */
	recent_note(NULL, 1, NULL, "/tmp/f", "finding");
}
END_TEST

START_TEST(test_state_dump_file)
{
	struct state_view v = view();
	char *dir = test_mkdtemp(), *path, *text;
	struct stat sb;

	ck_assert_int_ge(asprintf(&path, "%s/x.state", dir), 0);
	ck_assert_int_eq(state_dump(&v, path), 0);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 07777, 0600);
	atomic_store(&st.findings, 9);
	ck_assert_int_eq(state_dump(&v, path), 0);
	text = test_read_file(path, NULL);
	CK_LINE(text, "findings = 9");
	free(text);
	/* no state file: syslog only, no error */
	ck_assert_int_eq(state_dump(&v, NULL), 0);
	ck_assert_int_eq(state_dump(&v, ""), 0);
	free(path);

	/* a file that cannot be written is an error, kept as the last one */
	ck_assert_int_ge(asprintf(&path, "%s/missing/x.state", dir), 0);
	ck_assert_int_eq(state_dump(&v, path), -1);
	{
		char last[LOG_LAST_ERROR_MAX];

		ck_assert_uint_eq(log_last_error(last, sizeof(last), NULL,
						 NULL), 1);
		ck_assert_ptr_nonnull(strstr(last, "missing/x.state"));
	}
	free(path);
	test_rmtree(dir);
	free(dir);
}
END_TEST

/* Restarts and losses: the start info, the events never seen, the scan. */
START_TEST(test_state_restarts_and_losses)
{
	struct start_info si = { .starts = 3, .previous_pid = 4711,
				 .previous_unclean = true };
	struct state_view v = view();
	char *text, *dir = test_mkdtemp(), *path;
	char buf[1024];

	v.start = &si;
	v.scan_running = true;
	v.scan_rounds = 4;
	v.scan_last_files = 1234;
	atomic_store(&st.lost_serials, 5);
	atomic_store(&st.intake_dropped, 2);
	text = state_format(&v);
	ck_assert_ptr_nonnull(text);
	CK_LINE(text, "starts = 3");
	CK_LINE(text, "previous_pid = 4711");
	CK_LINE(text, "previous_stop = unclean");
	CK_LINE(text, "lost_serials = 5");
	CK_LINE(text, "intake_dropped = 2");
	CK_LINE(text, "total = 7");
	CK_LINE(text, "[scan]");
	CK_LINE(text, "running = yes");
	CK_LINE(text, "rounds = 4");
	CK_LINE(text, "last_round_files = 1234");
	CK_LINE(text, "scan_interval = 900");
	state_summary(&v, buf, sizeof(buf));
	ck_assert_msg(strstr(buf, " lost=7 "), "%s", buf);
	ck_assert_msg(strstr(buf, "lost_serials=5 intake_dropped=2"), "%s",
		      buf);

	/* the next process counts on from the file this one wrote */
	ck_assert_int_ge(asprintf(&path, "%s/x.state", dir), 0);
	ck_assert_int_eq(state_file_starts(path), 0);
	ck_assert_int_eq(state_dump(&v, path), 0);
	ck_assert_int_eq(state_file_starts(path), 3);
	free(test_write_file(dir, "bad.state", "[process]\nstarts = x\n",
			     21, 0600));
	free(path);
	ck_assert_int_ge(asprintf(&path, "%s/bad.state", dir), 0);
	ck_assert_int_eq(state_file_starts(path), 0);
	ck_assert_int_eq(state_file_starts(NULL), 0);
	free(path);
	free(text);
	test_rmtree(dir);
	free(dir);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("statedump");
	TCase *tc = tcase_create("dump");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_state_format);
	tcase_add_test(tc, test_state_format_empty);
	tcase_add_test(tc, test_state_summary);
	tcase_add_test(tc, test_state_recent_decisions);
	tcase_add_test(tc, test_state_dump_file);
	tcase_add_test(tc, test_state_restarts_and_losses);
	suite_add_tcase(s, tc);
	return s;
}
