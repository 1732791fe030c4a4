/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_sink.c -- where findings go (report/sink.c and the two sinks) */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/audit_record.h"
#include "report/jsonlog.h"
#include "report/sink.h"

/* A sink that counts what it is given. */
struct counting_sink {
	struct sink base;
	int emitted, configured, reopened;
	int fail;
};

static int count_emit(struct sink *sk, const struct finding *f)
{
	struct counting_sink *cs = (struct counting_sink *)sk;

	ck_assert_ptr_nonnull(f->c);
	cs->emitted++;
	return cs->fail ? -1 : 0;
}

static void count_configure(struct sink *sk, const struct config *cfg)
{
	(void)cfg;
	((struct counting_sink *)sk)->configured++;
}

static void count_reopen(struct sink *sk)
{
	((struct counting_sink *)sk)->reopened++;
}

/* Every sink gets every finding; the lost ones are counted; a sink
 * without reopen or configure is left alone. */
START_TEST(test_report_fans_out)
{
	struct counting_sink a = { .base = { "a", count_emit, count_configure,
					     count_reopen } };
	struct counting_sink b = { .base = { "b", count_emit, NULL, NULL },
				   .fail = 1 };
	struct candidate *c = test_candidate("/tmp/x");
	struct finding f = { .c = c };
	struct report r;
	struct config cfg;
	size_t i;

	report_init(&r);
	ck_assert_int_eq(report_add(&r, &a.base), 0);
	ck_assert_int_eq(report_add(&r, &b.base), 0);
	ck_assert_int_eq(report_emit(&r, &f), 1);
	ck_assert_int_eq(a.emitted, 1);
	ck_assert_int_eq(b.emitted, 1);
	config_defaults(&cfg);
	report_configure(&r, &cfg);
	report_reopen(&r);
	ck_assert_int_eq(a.configured, 1);
	ck_assert_int_eq(a.reopened, 1);
	config_free(&cfg);

	/* the list is bounded */
	for (i = r.count; i < REPORT_MAX_SINKS; i++)
		ck_assert_int_eq(report_add(&r, &a.base), 0);
	ck_assert_int_eq(report_add(&r, &a.base), -1);
	candidate_free(c);
}
END_TEST

static int count_lines(const char *text)
{
	int n = 0;

	for (; *text; text++)
		n += *text == '\n';
	return n;
}

/* The JSON sink writes one line per finding to the configured path, and
 * follows a new path on configure. */
START_TEST(test_jsonlog_sink)
{
	char *dir = test_mkdtemp(), *p1, *p2, *text;
	struct candidate *c = test_candidate("/tmp/dropped");
	struct finding f = { .c = c };
	struct jsonlog_sink js;
	struct config cfg;
	struct stats st;

	ck_assert_int_ne(asprintf(&p1, "%s/one.jsonl", dir), -1);
	ck_assert_int_ne(asprintf(&p2, "%s/two.jsonl", dir), -1);
	stats_reset(&st);
	config_defaults(&cfg);
	free(cfg.json_log);
	cfg.json_log = strdup(p1);
	jsonlog_sink_init(&js, &cfg, &st);
	ck_assert_int_eq(js.base.emit(&js.base, &f), 0);
	free(cfg.json_log);
	cfg.json_log = strdup(p2);
	js.base.configure(&js.base, &cfg);
	ck_assert_int_eq(js.base.emit(&js.base, &f), 0);
	ck_assert_int_eq(js.base.emit(&js.base, &f), 0);
	jsonlog_sink_close(&js);

	text = test_read_file(p1, NULL);
	ck_assert_ptr_nonnull(strstr(text, "\"path\":\"/tmp/dropped\""));
	ck_assert_ptr_eq(strchr(text, '\n'), text + strlen(text) - 1);
	free(text);
	text = test_read_file(p2, NULL);
	ck_assert_int_eq(count_lines(text), 2);
	free(text);
	ck_assert_uint_eq(atomic_load(&st.json_errors), 0);

	config_free(&cfg);
	candidate_free(c);
	test_rmtree(dir);
	free(dir);
	free(p1);
	free(p2);
}
END_TEST

/* The audit sink queues nothing when audit_record = no, and a finding it
 * cannot queue is counted as dropped, never waited for. */
START_TEST(test_audit_sink)
{
	struct candidate *c = test_candidate("/tmp/dropped");
	struct finding f = { .c = c };
	struct audit_sender sender;
	struct audit_sink as;
	struct config cfg;
	struct stats st;

	stats_reset(&st);
	memset(&sender, 0, sizeof(sender));	/* never started */
	sender.stats = &st;
	config_defaults(&cfg);
	cfg.audit_record = false;
	audit_sink_init(&as, &sender, &cfg);
	ck_assert_int_eq(as.base.emit(&as.base, &f), 0);
	ck_assert_uint_eq(atomic_load(&st.audit_dropped), 0);

	cfg.audit_record = true;
	as.base.configure(&as.base, &cfg);
	ck_assert_int_eq(as.base.emit(&as.base, &f), -1);
	ck_assert_uint_eq(atomic_load(&st.audit_dropped), 1);

	config_free(&cfg);
	candidate_free(c);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("sink");
	TCase *tc = tcase_create("sink");

	tcase_add_test(tc, test_report_fans_out);
	tcase_add_test(tc, test_jsonlog_sink);
	tcase_add_test(tc, test_audit_sink);
	suite_add_tcase(s, tc);
	return s;
}
