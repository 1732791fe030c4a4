/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_finding.c -- a finding as one line of JSON (report/finding.c) */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <json-c/json.h>

#include "candidate.h"
#include "check/classify.h"
#include "report/finding.h"
#include "util/textenc.h"

/* --- JSON findings -------------------------------------------------------- */

static const char *jstr(json_object *root, const char *path)
{
	char buf[256], *save = NULL, *tok;
	json_object *o = root;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok;
	     tok = strtok_r(NULL, ".", &save)) {
		if (!json_object_object_get_ex(o, tok, &o))
			return NULL;
	}
	return o ? json_object_get_string(o) : NULL;
}

static json_object *jget(json_object *root, const char *path)
{
	char buf[256], *save = NULL, *tok;
	json_object *o = root;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok;
	     tok = strtok_r(NULL, ".", &save)) {
		if (!json_object_object_get_ex(o, tok, &o))
			return NULL;
	}
	return o;
}

/* Parse LINE as one JSON object, checking it is one valid UTF-8 line. */
static json_object *parse_line(const char *line)
{
	json_object *j;

	ck_assert_ptr_nonnull(line);
	ck_assert_msg(utf8_valid(line, strlen(line)),
		      "JSON line is not valid UTF-8");
	ck_assert_msg(!strchr(line, '\n') && !strchr(line, '\r'),
		      "JSON line holds a raw line break");
	j = json_tokener_parse(line);
	ck_assert_msg(j != NULL, "not JSON: %.200s", line);
	ck_assert(json_object_is_type(j, json_type_object));
	return j;
}

/* The JSON line of a finding that knows only its event. */
static char *json_line_of(const struct candidate *c)
{
	struct finding f = { .c = c };

	return finding_json_line(&f);
}

START_TEST(test_json_sigmetadata)
{
	struct candidate *c = test_candidate("/tmp/dropped");
	char *line = json_line_of(c);
	json_object *j = parse_line(line), *sev;

	ck_assert_str_eq(jstr(j, "SigMetadata.ID"), "TRC-1022");
	ck_assert_str_eq(jstr(j, "SigMetadata.Version"), "1");
	ck_assert_str_eq(jstr(j, "SigMetadata.Name"),
			 "New executable dropped");
	ck_assert_str_eq(jstr(j, "SigMetadata.EventName"),
			 "dropped_executable");
	ck_assert_ptr_nonnull(jstr(j, "SigMetadata.Description"));
	ck_assert_ptr_nonnull(strstr(jstr(j, "SigMetadata.Description"),
				     "container"));
	sev = jget(j, "SigMetadata.Properties.Severity");
	ck_assert_ptr_nonnull(sev);
	ck_assert(json_object_is_type(sev, json_type_int));
	ck_assert_int_eq(json_object_get_int(sev), 2);
	ck_assert_str_eq(jstr(j, "SigMetadata.Properties.Category"),
			 "defense-evasion");
	ck_assert_str_eq(jstr(j, "SigMetadata.Properties.Technique"),
			 "Masquerading");
	ck_assert_str_eq(jstr(j, "SigMetadata.Properties.Kubernetes_Technique"),
			 "");
	ck_assert_str_eq(jstr(j, "SigMetadata.Properties.id"),
			 "attack-pattern--"
			 "42e8de7b-37b2-4258-905a-6897815e58e0");
	ck_assert_str_eq(jstr(j, "SigMetadata.Properties.external_id"),
			 "T1036");
	json_object_put(j);
	free(line);
	candidate_free(c);
}
END_TEST

START_TEST(test_json_event_fields)
{
	struct candidate *c = test_candidate("/tmp/dropped");
	struct classification cls = { .kind = KIND_ELF_EXEC };
	struct stat st;
	struct finding f = { .c = c, .checked = true,
			     .checked_via = "writer_fd", .typed = true };
	json_object *j, *serial, *recs;
	char *line;

	memset(&st, 0, sizeof(st));
	st.st_size = 1234567;
	st.st_mode = S_IFREG | 0755;
	st.st_ino = 1073288;
	snprintf(cls.mime, sizeof(cls.mime), "application/x-executable");
	snprintf(cls.description, sizeof(cls.description),
		 "ELF 64-bit LSB executable, x86-64");
	f.st = st;
	f.cls = cls;
	line = finding_json_line(&f);
	j = parse_line(line);

	serial = jget(j, "Event.serial");
	ck_assert_ptr_nonnull(serial);
	ck_assert_uint_eq(json_object_get_uint64(serial), 1234567890123ULL);
	ck_assert_str_eq(jstr(j, "Event.container.id"), TEST_PODMAN_ID);
	ck_assert_str_eq(jstr(j, "Event.container.runtime"), "podman");
	ck_assert_str_eq(jstr(j, "Event.syscall"), "openat");
	ck_assert_str_eq(jstr(j, "Event.comm"), "cp");
	ck_assert_str_eq(jstr(j, "Event.exe"), "/bin/busybox");
	ck_assert_str_eq(jstr(j, "Event.cwd"), "/");
	ck_assert_int_eq(json_object_get_int(jget(j, "Event.pid")), 2843);
	ck_assert_int_eq(json_object_get_int(jget(j, "Event.ppid")), 2832);
	ck_assert_ptr_nonnull(jstr(j, "Event.timestamp"));
	ck_assert_str_eq(jstr(j, "Event.timestamp"),
			 "2026-11-24T00:48:34.100Z");
	ck_assert_str_eq(jstr(j, "Event.file.mime_type"),
			 "application/x-executable");
	ck_assert_int_eq(json_object_get_int64(jget(j, "Event.file.size")),
			 1234567);
	ck_assert_str_eq(jstr(j, "Event.file.type"), "elf-exec");
	recs = jget(j, "Event.records");
	ck_assert_ptr_nonnull(recs);
	ck_assert_int_eq(json_object_array_length(recs), 2);
	ck_assert_str_eq(jstr(j, "Data.path"), "/tmp/dropped");
	ck_assert_ptr_null(jget(j, "Data.path_hex"));
	json_object_put(j);
	free(line);
	candidate_free(c);
}
END_TEST

/* Hostile names a container can choose, all valid UTF-8. */
static const char *const hostile_valid[] = {
	"/tmp/a b",
	"/tmp/quote\"d",
	"/tmp/it's",
	"/tmp/x=y path=/etc/shadow",
	"/tmp/line\nbreak",
	"/tmp/gs\x1dsep",
	"/tmp/back\\slash",
	"/tmp/caf\xc3\xa9 \xf0\x9f\x98\x80",
	"/tmp/\"}, \"Data\": {\"path\": \"/fake\"",
};

/* Event.hostName names the host that made the finding (a fleet's SIEM
 * tells hosts apart by it); Event.node only when audit gave a node. */
START_TEST(test_json_host_name)
{
	struct candidate *c = test_candidate("/tmp/dropped");
	struct finding f = { .c = c, .hostname = "web-01.example" };
	json_object *j;
	char *line;

	line = finding_json_line(&f);
	j = parse_line(line);
	ck_assert_str_eq(jstr(j, "Event.hostName"), "web-01.example");
	ck_assert_ptr_null(jget(j, "Event.node"));
	json_object_put(j);
	free(line);

	free(c->node);
	c->node = strdup("node-7");
	f.hostname = NULL;
	line = finding_json_line(&f);
	j = parse_line(line);
	ck_assert_ptr_null(jget(j, "Event.hostName"));
	ck_assert_str_eq(jstr(j, "Event.node"), "node-7");
	json_object_put(j);
	free(line);
	candidate_free(c);
}
END_TEST

START_TEST(test_json_hostile_valid_path)
{
	const char *path = hostile_valid[_i];
	struct candidate *c = test_candidate(path);
	char *line = json_line_of(c);
	json_object *j = parse_line(line);

	ck_assert_str_eq(jstr(j, "Data.path"), path);
	ck_assert_ptr_null(jget(j, "Data.path_hex"));
	ck_assert_str_eq(jstr(j, "Event.file.path"), path);
	json_object_put(j);
	free(line);
	candidate_free(c);
}
END_TEST

static const char *const hostile_invalid[] = {
	"/tmp/\xff\xfe",
	"/tmp/latin1-caf\xe9",
	"/tmp/overlong\xc0\xaf..",
	"/tmp/surrogate\xed\xa0\x80",
	"/tmp/cut\xe2\x82",
};

START_TEST(test_json_hostile_invalid_path)
{
	const char *path = hostile_invalid[_i];
	struct candidate *c = test_candidate(path);
	char *line, *hex;
	const char *shown;
	json_object *j;

	free(c->comm);
	c->comm = strdup("c\xffp");
	line = json_line_of(c);
	j = parse_line(line);
	hex = hex_encode((const unsigned char *)path, strlen(path));

	/* the exact bytes, in hex, and a readable approximation */
	ck_assert_str_eq(jstr(j, "Data.path_hex"), hex);
	shown = jstr(j, "Data.path");
	ck_assert_ptr_nonnull(shown);
	ck_assert(utf8_valid(shown, strlen(shown)));
	ck_assert_ptr_nonnull(strstr(shown, "\xef\xbf\xbd"));
	ck_assert(!strncmp(shown, "/tmp/", 5));
	ck_assert_str_eq(jstr(j, "Event.file.path_hex"), hex);
	ck_assert_str_eq(jstr(j, "Event.comm_hex"), "63FF70");
	json_object_put(j);
	free(hex);
	free(line);
	candidate_free(c);
}
END_TEST

START_TEST(test_json_long_path)
{
	char path[4096];
	struct candidate *c;
	json_object *j;
	char *line;

	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	c = test_candidate(path);
	line = json_line_of(c);
	j = parse_line(line);
	ck_assert_uint_eq(strlen(jstr(j, "Data.path")), 4095);
	ck_assert_str_eq(jstr(j, "Data.path"), path);
	json_object_put(j);
	free(line);
	candidate_free(c);
}
END_TEST

START_TEST(test_json_add_bytes)
{
	json_object *o = json_object_new_object(), *v;

	json_add_bytes(o, "ok", "/tmp/x");
	json_add_bytes(o, "bad", "a\xff");
	json_add_bytes(o, "none", NULL);
	ck_assert_str_eq(jstr(o, "ok"), "/tmp/x");
	ck_assert_ptr_null(jget(o, "ok_hex"));
	ck_assert_str_eq(jstr(o, "bad"), "a\xef\xbf\xbd");
	ck_assert_str_eq(jstr(o, "bad_hex"), "61FF");
	ck_assert(json_object_object_get_ex(o, "none", &v));
	ck_assert_ptr_null(v);		/* JSON null */
	json_object_put(o);
}
END_TEST

/* An execution that ran a reported drop: detected_by exec, executed,
 * the drop's serial and path, the command line (bytes rule). A write
 * finding has none of these. */
START_TEST(test_json_exec)
{
	struct candidate *c = test_candidate("/tmp/run me");
	char *line;
	json_object *j, *v;

	line = json_line_of(c);
	j = parse_line(line);
	ck_assert_ptr_null(jget(j, "Data.drop_serial"));
	ck_assert_ptr_null(jget(j, "Data.cmdline"));
	ck_assert_str_eq(jstr(j, "Data.detected_by"), "write");
	json_object_put(j);
	free(line);

	c->op = FILE_OP_EXEC;
	c->executed = true;
	c->drop_serial = 319;
	c->drop_path = strdup("/tmp/dropped");
	c->cmdline = strdup("/tmp/run me \"a\xff\n");
	c->argc = 3;
	line = json_line_of(c);
	j = parse_line(line);
	ck_assert_str_eq(jstr(j, "Data.detected_by"), "exec");
	ck_assert_str_eq(jstr(j, "Data.executed"), "true");
	v = jget(j, "Data.drop_serial");
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(json_object_get_uint64(v), 319);
	ck_assert_str_eq(jstr(j, "Data.drop_path"), "/tmp/dropped");
	ck_assert_str_eq(jstr(j, "Data.cmdline_hex"),
			 "2F746D702F72756E206D65202261FF0A");
	ck_assert_str_eq(jstr(j, "Event.cmdline_hex"),
			 "2F746D702F72756E206D65202261FF0A");
	ck_assert_int_eq(json_object_get_int(jget(j, "Event.argc")), 3);
	json_object_put(j);
	free(line);
	candidate_free(c);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("finding");
	TCase *tj = tcase_create("json");

	tcase_add_test(tj, test_json_sigmetadata);
	tcase_add_test(tj, test_json_event_fields);
	tcase_add_loop_test(tj, test_json_hostile_valid_path, 0,
			    sizeof(hostile_valid) / sizeof(hostile_valid[0]));
	tcase_add_loop_test(tj, test_json_hostile_invalid_path, 0,
			    sizeof(hostile_invalid) /
			    sizeof(hostile_invalid[0]));
	tcase_add_test(tj, test_json_long_path);
	tcase_add_test(tj, test_json_add_bytes);
	tcase_add_test(tj, test_json_host_name);
	tcase_add_test(tj, test_json_exec);
	suite_add_tcase(s, tj);
	return s;
}
