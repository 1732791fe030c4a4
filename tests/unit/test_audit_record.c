/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_audit_record.c -- a finding as an audit USER message, as ausearch
 * reads it back (report/audit_record.c) */
#include "testlib.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <auparse.h>
#include <libaudit.h>

#include "candidate.h"
#include "check/classify.h"
#include "report/audit_record.h"
#include "util/textenc.h"

/* --- audit records -------------------------------------------------------- */

/* The audit message of a finding of type CLS (NULL: unknown). */
static char *audit_message_of(const struct candidate *c,
			      const struct classification *cls)
{
	struct finding f = { .c = c };

	if (cls) {
		f.typed = true;
		f.cls = *cls;
	}
	return audit_finding_message(&f);
}

/* A field's value, quoted when it may be, else in hex; ? when empty. */
static const struct {
	const char *name, *value;
	size_t max;
	const char *want;
} encoded[] = {
	{ "path", "/tmp/x", 100, "path=\"/tmp/x\"" },
	{ "path", "/tmp/a b", 100, "path=2F746D702F612062" },
	{ "comm", "a=b", 100, "comm=613D62" },
	{ "comm", "it's", 100, "comm=69742773" },
	{ "exe", "caf\xc3\xa9", 100, "exe=636166C3A9" },
	{ "path", "x\x1d", 100, "path=781D" },
	{ "path", "", 100, "path=?" },
	{ "path", NULL, 100, "path=?" },
	/* cut to MAX bytes */
	{ "path", "/tmp/abcdef", 6, "path=\"/tmp/a\"" },
	{ "path", "/tmp/ abcdef", 6, "path=2F746D702F20" },
};

START_TEST(test_audit_encode_field)
{
	size_t i;

	for (i = 0; i < sizeof(encoded) / sizeof(encoded[0]); i++) {
		char *f = audit_encode_field(encoded[i].name, encoded[i].value,
					     encoded[i].max);

		ck_assert_str_eq(f, encoded[i].want);
		free(f);
	}
}
END_TEST

static const char *const message_fields[] = {
	"op", "sig_id", "severity", "technique", "path", "kind", "serial",
	"arch", "syscall", "pid", "ppid", "uid", "auid", "ses", "comm", "exe",
	"container_id", "runtime", "detected_by", "executed", "drop_serial",
	"cmd",
};

static bool is_message_field(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(message_fields) / sizeof(message_fields[0]);
	     i++)
		if (strlen(message_fields[i]) == len &&
		    !memcmp(message_fields[i], name, len))
			return true;
	return false;
}

/* Check every token is NAME=VALUE with a known NAME; count them. */
static size_t check_tokens(const char *msg)
{
	char *copy = strdup(msg), *save = NULL, *tok;
	size_t n = 0;

	for (tok = strtok_r(copy, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');

		ck_assert_msg(eq != NULL, "token without '=': %s", tok);
		ck_assert_msg(is_message_field(tok, (size_t)(eq - tok)),
			      "unexpected field in message: %s", tok);
		ck_assert_msg(!strchr(eq + 1, '='),
			      "second '=' in token: %s", tok);
		ck_assert_msg(!strchr(eq + 1, '\''),
			      "quote in token: %s", tok);
		n++;
	}
	free(copy);
	return n;
}

/* The value of field NAME in MSG (malloc'd), or NULL. */
static char *message_value(const char *msg, const char *name)
{
	char *copy = strdup(msg), *save = NULL, *tok, *out = NULL;
	size_t nl = strlen(name);

	for (tok = strtok_r(copy, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save))
		if (!strncmp(tok, name, nl) && tok[nl] == '=' && !out)
			out = strdup(tok + nl + 1);
	free(copy);
	return out;
}

static bool is_upper_hex(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s) || islower((unsigned char)*s))
			return false;
	return true;
}

START_TEST(test_audit_message_benign)
{
	static const struct {
		const char *name, *want;
	} fields[] = {
		{ "path", "\"/tmp/dropped\"" },
		{ "exe", "\"/bin/busybox\"" },
		{ "comm", "\"cp\"" },
		{ "container_id", TEST_PODMAN_ID },
		{ "uid", "0" },
		{ "pid", "2843" },
		{ "kind", "elf-exec" },
		{ "serial", "1234567890123" },
	};
	struct candidate *c = test_candidate("/tmp/dropped");
	struct classification cls = { .kind = KIND_ELF_EXEC };
	char *msg = audit_message_of(c, &cls);
	size_t i;

	ck_assert_ptr_nonnull(msg);
	ck_assert_msg(!strncmp(msg, "op=dropped_executable sig_id=TRC-1022",
			       37), "message starts with: %.60s", msg);
	check_tokens(msg);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		char *v = message_value(msg, fields[i].name);

		ck_assert_msg(v && !strcmp(v, fields[i].want),
			      "%s is %s, expected %s", fields[i].name,
			      v ? v : "missing", fields[i].want);
		free(v);
	}
	free(msg);
	candidate_free(c);
}
END_TEST

/* Field NAME of MSG decodes to WANT; when HEX, it is in uppercase hex. */
static void check_decoded(const char *msg, const char *name,
			  const char *want, bool hex)
{
	char *v = message_value(msg, name), *decoded;

	if (hex)
		ck_assert_msg(is_upper_hex(v), "%s not hex: %s", name, v);
	decoded = audit_value_decode(v);
	ck_assert_str_eq(decoded, want);
	free(decoded);
	free(v);
}

static const char *const hostile_any[] = {
	"/tmp/a b",
	"/tmp/quote\"d",
	"/tmp/it's",
	"/tmp/x=y uid=0 path=/etc/shadow",
	"/tmp/line\nbreak",
	"/tmp/gs\x1dsep",
	"/tmp/back\\slash",
	"/tmp/caf\xc3\xa9",
	"/tmp/\xff\xfe",
	"/tmp/' res=success '",
};

START_TEST(test_audit_message_hostile)
{
	const char *path = hostile_any[_i];
	struct candidate *benign = test_candidate("/tmp/dropped");
	struct candidate *c = test_candidate(path);
	struct classification cls = { .kind = KIND_ELF_EXEC };
	char *good, *msg;

	free(c->comm);
	c->comm = strdup(path + 5);	/* same hostile bytes in comm */
	free(c->exe);
	c->exe = strdup(path);		/* and in exe */
	good = audit_message_of(benign, &cls);
	msg = audit_message_of(c, &cls);
	ck_assert_ptr_nonnull(msg);
	ck_assert(!strncmp(msg, "op=dropped_executable sig_id=TRC-1022 ",
			   38));
	ck_assert_msg(!strchr(msg, '\n') && !strchr(msg, '\x1d') &&
		      !strchr(msg, '\''), "raw separator in: %s", msg);
	ck_assert_uint_eq(check_tokens(msg), check_tokens(good));

	/* each hostile value is uppercase hex of the exact bytes */
	check_decoded(msg, "path", path, true);
	check_decoded(msg, "exe", path, true);
	check_decoded(msg, "comm", path + 5, false);
	free(good);
	free(msg);
	candidate_free(benign);
	candidate_free(c);
}
END_TEST

START_TEST(test_audit_message_long_path)
{
	char path[4097];
	struct candidate *c;
	char *msg, *v, *decoded;

	memset(path, 'b', sizeof(path) - 1);
	path[0] = '/';
	path[100] = ' ';	/* forces hex: the worst case, twice the size */
	path[sizeof(path) - 1] = '\0';
	c = test_candidate(path);
	free(c->exe);
	c->exe = strdup(path);
	msg = audit_message_of(c, NULL);
	ck_assert_ptr_nonnull(msg);
	ck_assert_uint_lt(strlen(msg), 8900);
	/* libaudit refuses longer user messages */
	ck_assert_uint_lt(strlen(msg), MAX_AUDIT_MESSAGE_LENGTH - 100);
	check_tokens(msg);
	v = message_value(msg, "path");
	decoded = audit_value_decode(v);
	ck_assert_ptr_nonnull(decoded);
	/* a prefix of the name is kept */
	ck_assert(strlen(decoded) > 1000);
	ck_assert(!strncmp(decoded, path, strlen(decoded)));
	free(decoded);
	free(v);
	free(msg);
	candidate_free(c);
}
END_TEST

/*
 * What ausearch -i sees: put the message into a USER record the way
 * libaudit sends it, parse it with auparse and read the fields back.
 */
START_TEST(test_audit_message_auparse_roundtrip)
{
	static const char *const paths[] = {
		"/tmp/a b",
		"/tmp/x' res=failed uid=1000 exe='/bin/evil",
		"/tmp/q\"uote=d",
	};
	const char *path = paths[_i];
	struct candidate *c = test_candidate(path);
	struct classification cls = { .kind = KIND_ELF_PIE };
	char *msg, *rec;
	auparse_state_t *au;
	int npath = 0, nexe = 0, nres = 0;

	free(c->exe);
	c->exe = strdup("/usr/bin/my tool");
	msg = audit_message_of(c, &cls);
	ck_assert_ptr_nonnull(msg);
	ck_assert_int_ne(asprintf(&rec, "type=USER msg=audit(1795481314.200:"
				  "900): pid=1 uid=0 auid=4294967295 "
				  "ses=4294967295 subj=unconfined msg='%s "
				  "exe=\"/usr/sbin/audisp-dropexec\" "
				  "hostname=? addr=? terminal=? res=success'"
				  "\n", msg), -1);
	au = auparse_init(AUSOURCE_BUFFER, rec);
	ck_assert_ptr_nonnull(au);
	ck_assert_int_eq(auparse_next_event(au), 1);
	ck_assert_int_eq(auparse_get_type(au), AUDIT_USER);
	ck_assert_int_gt(auparse_first_field(au), 0);
	do {
		const char *n = auparse_get_field_name(au);

		if (!strcmp(n, "path")) {
			npath++;
			ck_assert_str_eq(auparse_interpret_field(au), path);
		} else if (!strcmp(n, "exe")) {
			/* the writer's exe comes first (ausearch -x) */
			if (!nexe++)
				ck_assert_str_eq(auparse_interpret_field(au),
						 "/usr/bin/my tool");
		} else if (!strcmp(n, "res")) {
			nres++;
			ck_assert_str_eq(auparse_get_field_str(au), "success");
		} else if (!strcmp(n, "op")) {
			ck_assert_str_eq(auparse_get_field_str(au),
					 "dropped_executable");
		}
	} while (auparse_next_field(au) > 0);
	ck_assert_int_eq(npath, 1);
	ck_assert_int_eq(nexe, 2);
	ck_assert_int_eq(nres, 1);
	auparse_destroy(au);
	free(rec);
	free(msg);
	candidate_free(c);
}
END_TEST

/*
 * An execution's finding: detected_by=exec executed=yes, drop_serial=,
 * and its command line as cmd=, which ausearch -i decodes; a command
 * line that tries to add fields adds none. With the longest path and
 * exe, the command line is cut to what room is left.
 */
START_TEST(test_audit_message_exec)
{
	struct candidate *c = test_candidate("/tmp/x");
	struct classification cls = { .kind = KIND_ELF_EXEC };
	char *msg, *rec, path[4097];
	auparse_state_t *au;
	int ncmd = 0, nres = 0, nserial = 0;

	c->op = FILE_OP_EXEC;
	c->executed = true;
	c->drop_serial = 4242;
	c->cmdline = strdup("/tmp/x ' res=failed drop_serial=1 a\x1d\n");
	msg = audit_message_of(c, &cls);
	ck_assert_ptr_nonnull(msg);
	ck_assert_ptr_nonnull(strstr(msg, " detected_by=exec executed=yes "
				     "drop_serial=4242 cmd="));
	check_tokens(msg);
	ck_assert_int_ne(asprintf(&rec, "type=USER msg=audit(1795481314.200:"
				  "901): pid=1 uid=0 auid=4294967295 "
				  "ses=4294967295 subj=unconfined msg='%s "
				  "exe=\"/usr/sbin/audisp-dropexec\" "
				  "hostname=? addr=? terminal=? res=success'"
				  "\n", msg), -1);
	au = auparse_init(AUSOURCE_BUFFER, rec);
	ck_assert_ptr_nonnull(au);
	ck_assert_int_eq(auparse_next_event(au), 1);
	ck_assert_int_gt(auparse_first_field(au), 0);
	do {
		const char *n = auparse_get_field_name(au);

		if (!strcmp(n, "cmd")) {
			ncmd++;
			/* ausearch prints control bytes escaped */
			ck_assert(!strncmp(auparse_interpret_field(au),
					   c->cmdline, 35));
		} else if (!strcmp(n, "res")) {
			nres++;
		} else if (!strcmp(n, "drop_serial")) {
			nserial++;
			ck_assert_str_eq(auparse_get_field_str(au), "4242");
		}
	} while (auparse_next_field(au) > 0);
	ck_assert_int_eq(ncmd, 1);
	ck_assert_int_eq(nres, 1);
	ck_assert_int_eq(nserial, 1);
	auparse_destroy(au);
	free(rec);
	free(msg);

	memset(path, 'b', sizeof(path) - 1);
	path[0] = '/';
	path[100] = ' ';
	path[sizeof(path) - 1] = '\0';
	free(c->path);
	c->path = strdup(path);
	free(c->exe);
	c->exe = strdup(path);
	free(c->cmdline);
	c->cmdline = strdup(path);
	msg = audit_message_of(c, &cls);
	ck_assert_ptr_nonnull(msg);
	ck_assert_uint_lt(strlen(msg), MAX_AUDIT_MESSAGE_LENGTH - 100);
	check_tokens(msg);
	free(msg);
	candidate_free(c);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("audit_record");
	TCase *ta = tcase_create("audit");

	tcase_add_test(ta, test_audit_encode_field);
	tcase_add_test(ta, test_audit_message_benign);
	tcase_add_loop_test(ta, test_audit_message_hostile, 0,
			    sizeof(hostile_any) / sizeof(hostile_any[0]));
	tcase_add_test(ta, test_audit_message_long_path);
	tcase_add_loop_test(ta, test_audit_message_auparse_roundtrip, 0, 3);
	tcase_add_test(ta, test_audit_message_exec);
	suite_add_tcase(s, ta);
	return s;
}
