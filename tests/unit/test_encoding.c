/* test_encoding.c -- audit value decoding, UTF-8, hex, JSON and audit
 * output of findings */
#include "suites.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <json-c/json.h>
#include <auparse.h>
#include <libaudit.h>

#include "report/audit_record.h"
#include "candidate.h"
#include "check/classify.h"
#include "report/finding.h"
#include "util/textenc.h"

/* --- audit_value_decode --------------------------------------------------- */

/* The JSON line of a finding that knows only its event. */
static char *json_line_of(const struct candidate *c)
{
	struct finding f = { .c = c };

	return finding_json_line(&f);
}

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

START_TEST(test_decode_quoted)
{
	char *v = audit_value_decode("\"/tmp/dropped\"");

	ck_assert_str_eq(v, "/tmp/dropped");
	free(v);
	v = audit_value_decode("\"\"");
	ck_assert_str_eq(v, "");
	free(v);
}
END_TEST

START_TEST(test_decode_hex)
{
	char *v = audit_value_decode("2F746D702F612062");

	ck_assert_str_eq(v, "/tmp/a b");
	free(v);
	/* bytes that are not UTF-8 come through untouched */
	v = audit_value_decode("2FFF1D0A22");
	ck_assert_str_eq(v, "/\xff\x1d\n\"");
	free(v);
}
END_TEST

START_TEST(test_decode_rejects)
{
	/* (null) and (none) are absent values */
	ck_assert_ptr_null(audit_value_decode("(null)"));
	ck_assert_ptr_null(audit_value_decode("(none)"));
	ck_assert_ptr_null(audit_value_decode(""));
	ck_assert_ptr_null(audit_value_decode(NULL));
	/* odd number of hex digits */
	ck_assert_ptr_null(audit_value_decode("2F7"));
	/* not hex */
	ck_assert_ptr_null(audit_value_decode("2G"));
	ck_assert_ptr_null(audit_value_decode("\"unterminated"));
	/* an embedded NUL would cut the name short: refuse it */
	ck_assert_ptr_null(audit_value_decode("2F00"));
	ck_assert_ptr_null(audit_value_decode("2F746D70002F78"));
}
END_TEST

/* --- UTF-8 ---------------------------------------------------------------- */

static const struct {
	const char *s;
	size_t len;
	bool valid;
	const char *what;
} utf8_cases[] = {
	{ "plain /tmp/x", 12, true, "ASCII" },
	{ "caf\xc3\xa9", 5, true, "2-byte" },
	{ "\xe2\x82\xac", 3, true, "3-byte euro sign" },
	{ "\xf0\x9f\x98\x80", 4, true, "4-byte emoji" },
	{ "\xf4\x8f\xbf\xbf", 4, true, "U+10FFFF" },
	{ "\xef\xbf\xbd", 3, true, "U+FFFD" },
	{ "\xc0\xaf", 2, false, "overlong 2-byte '/'" },
	{ "\xc1\xbf", 2, false, "overlong 2-byte" },
	{ "\xe0\x80\xaf", 3, false, "overlong 3-byte '/'" },
	{ "\xf0\x80\x80\xaf", 4, false, "overlong 4-byte '/'" },
	{ "\xed\xa0\x80", 3, false, "high surrogate" },
	{ "\xed\xbf\xbf", 3, false, "low surrogate" },
	{ "\xf4\x90\x80\x80", 4, false, "above U+10FFFF" },
	{ "\xf5\x80\x80\x80", 4, false, "F5 lead" },
	{ "\xff", 1, false, "FF" },
	{ "\x80", 1, false, "lone continuation" },
	{ "ab\xc3", 3, false, "truncated 2-byte at end" },
	{ "\xe2\x82", 2, false, "truncated 3-byte" },
	{ "\xf0\x9f\x98", 3, false, "truncated 4-byte" },
	{ "\xe2\x82x", 3, false, "3-byte with ASCII inside" },
};

START_TEST(test_utf8_valid_table)
{
	ck_assert_msg(utf8_valid(utf8_cases[_i].s, utf8_cases[_i].len) ==
		      utf8_cases[_i].valid, "%s: expected %s",
		      utf8_cases[_i].what,
		      utf8_cases[_i].valid ? "valid" : "invalid");
}
END_TEST

/* The length argument is honoured: a prefix can be valid when the whole
 * is not, and a valid sequence cut by LEN is not. */
START_TEST(test_utf8_valid_uses_len)
{
	ck_assert(utf8_valid("ok\xff", 2));
	ck_assert(!utf8_valid("\xe2\x82\xac", 2));
	ck_assert(utf8_valid("", 0));
}
END_TEST

START_TEST(test_utf8_sanitize)
{
	char *s;

	s = utf8_sanitize("a\xff" "b", 3);
	ck_assert_str_eq(s, "a\xef\xbf\xbd" "b");
	free(s);

	/* each bad byte becomes one U+FFFD, good sequences stay */
	s = utf8_sanitize("\xe2\x82" "\xc3\xa9", 4);
	ck_assert_str_eq(s, "\xef\xbf\xbd\xef\xbf\xbd\xc3\xa9");
	free(s);

	s = utf8_sanitize("\xc0\xaf", 2);
	ck_assert_str_eq(s, "\xef\xbf\xbd\xef\xbf\xbd");
	free(s);

	s = utf8_sanitize("\xf0\x9f\x98\x80 ok", 7);
	ck_assert_str_eq(s, "\xf0\x9f\x98\x80 ok");
	free(s);
}
END_TEST

/* Whatever comes in, the output is valid UTF-8. */
START_TEST(test_utf8_sanitize_table_is_valid)
{
	char *s = utf8_sanitize(utf8_cases[_i].s, utf8_cases[_i].len);

	ck_assert_ptr_nonnull(s);
	ck_assert_msg(utf8_valid(s, strlen(s)), "%s", utf8_cases[_i].what);
	if (utf8_cases[_i].valid)
		ck_assert_mem_eq(s, utf8_cases[_i].s, utf8_cases[_i].len);
	else
		ck_assert_ptr_nonnull(strstr(s, "\xef\xbf\xbd"));
	free(s);
}
END_TEST

START_TEST(test_hex_encode)
{
	static const unsigned char in[] = { 0x00, 0x1d, 0xff, 'A', 0x0a };
	char *h = hex_encode(in, sizeof(in));

	ck_assert_str_eq(h, "001DFF410A");
	free(h);
	h = hex_encode(in, 0);
	ck_assert_str_eq(h, "");
	free(h);
}
END_TEST

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

static const char podman_id[] =
	"c194a736a9b1c1deea3d1943ee7feb36110c5b55532300329845ba56b47a412c";

static struct candidate *make_candidate(const char *path)
{
	struct candidate *c = candidate_new();

	ck_assert_ptr_nonnull(c);
	c->serial = 1234567890123ULL;
	c->sec = 1795481314;
	c->milli = 100;
	c->op = FILE_OP_OPEN;
	snprintf(c->syscall, sizeof(c->syscall), "openat");
	c->syscall_nr = 257;
	snprintf(c->arch, sizeof(c->arch), "x86_64");
	c->arch_code = 0xc000003e;
	c->success = true;
	c->exit = 4;
	c->fd = 4;
	c->pid = 2843;
	c->ppid = 2832;
	c->uid = 0;
	c->gid = 0;
	c->euid = 0;
	c->auid = 4294967295LL;
	c->ses = 4294967295LL;
	c->comm = strdup("cp");
	c->exe = strdup("/bin/busybox");
	c->cwd = strdup("/");
	c->path = strdup(path);
	c->has_inode = true;
	c->inode = 1073288;
	c->dev_major = 0;
	c->dev_minor = 0x28;
	c->mode = 0100755;
	c->paths[0].item = 1;
	c->paths[0].name = strdup(path);
	snprintf(c->paths[0].nametype, sizeof(c->paths[0].nametype),
		 "CREATE");
	c->paths[0].has_inode = true;
	c->paths[0].inode = 1073288;
	c->paths[0].dev_minor = 0x28;
	c->paths[0].mode = 0100755;
	c->npaths = 1;
	memcpy(c->container.id, podman_id, CONTAINER_ID_LEN);
	snprintf(c->container.runtime, sizeof(c->container.runtime),
		 "podman");
	c->container.source = SCOPE_SRC_PID;
	c->container.in_container = true;
	c->records = strdup("type=SYSCALL msg=audit(1795481314.100:319): "
			    "arch=c000003e syscall=257 success=yes\n"
			    "type=CWD msg=audit(1795481314.100:319): "
			    "cwd=\"/\"");
	return c;
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

START_TEST(test_json_sigmetadata)
{
	struct candidate *c = make_candidate("/tmp/dropped");
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
	struct candidate *c = make_candidate("/tmp/dropped");
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
	ck_assert_str_eq(jstr(j, "Event.container.id"), podman_id);
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

START_TEST(test_json_hostile_valid_path)
{
	const char *path = hostile_valid[_i];
	struct candidate *c = make_candidate(path);
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
	struct candidate *c = make_candidate(path);
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
	c = make_candidate(path);
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

/* --- audit records -------------------------------------------------------- */

START_TEST(test_audit_encode_field)
{
	char *f;

	f = audit_encode_field("path", "/tmp/x", 100);
	ck_assert_str_eq(f, "path=\"/tmp/x\"");
	free(f);
	f = audit_encode_field("path", "/tmp/a b", 100);
	ck_assert_str_eq(f, "path=2F746D702F612062");
	free(f);
	f = audit_encode_field("comm", "a=b", 100);
	ck_assert_str_eq(f, "comm=613D62");
	free(f);
	f = audit_encode_field("comm", "it's", 100);
	ck_assert_str_eq(f, "comm=69742773");
	free(f);
	f = audit_encode_field("exe", "caf\xc3\xa9", 100);
	ck_assert_str_eq(f, "exe=636166C3A9");
	free(f);
	f = audit_encode_field("path", "x\x1d", 100);
	ck_assert_str_eq(f, "path=781D");
	free(f);
	f = audit_encode_field("path", "", 100);
	ck_assert_str_eq(f, "path=?");
	free(f);
	f = audit_encode_field("path", NULL, 100);
	ck_assert_str_eq(f, "path=?");
	free(f);
	/* cut to MAX bytes */
	f = audit_encode_field("path", "/tmp/abcdef", 6);
	ck_assert_str_eq(f, "path=\"/tmp/a\"");
	free(f);
	f = audit_encode_field("path", "/tmp/ abcdef", 6);
	ck_assert_str_eq(f, "path=2F746D702F20");
	free(f);
}
END_TEST

static const char *const message_fields[] = {
	"op", "sig_id", "severity", "technique", "path", "kind", "serial",
	"arch", "syscall", "pid", "ppid", "uid", "auid", "ses", "comm", "exe",
	"container_id", "runtime",
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
	struct candidate *c = make_candidate("/tmp/dropped");
	struct classification cls = { .kind = KIND_ELF_EXEC };
	char *msg = audit_message_of(c, &cls), *v;

	ck_assert_ptr_nonnull(msg);
	ck_assert_msg(!strncmp(msg, "op=dropped_executable sig_id=TRC-1022",
			       37), "message starts with: %.60s", msg);
	check_tokens(msg);
	v = message_value(msg, "path");
	ck_assert_str_eq(v, "\"/tmp/dropped\"");
	free(v);
	v = message_value(msg, "exe");
	ck_assert_str_eq(v, "\"/bin/busybox\"");
	free(v);
	v = message_value(msg, "comm");
	ck_assert_str_eq(v, "\"cp\"");
	free(v);
	v = message_value(msg, "container_id");
	ck_assert_str_eq(v, podman_id);
	free(v);
	v = message_value(msg, "uid");
	ck_assert_str_eq(v, "0");
	free(v);
	v = message_value(msg, "pid");
	ck_assert_str_eq(v, "2843");
	free(v);
	v = message_value(msg, "kind");
	ck_assert_str_eq(v, "elf-exec");
	free(v);
	v = message_value(msg, "serial");
	ck_assert_str_eq(v, "1234567890123");
	free(v);
	free(msg);
	candidate_free(c);
}
END_TEST

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
	struct candidate *benign = make_candidate("/tmp/dropped");
	struct candidate *c = make_candidate(path);
	struct classification cls = { .kind = KIND_ELF_EXEC };
	char *good, *msg, *v, *decoded;

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
	v = message_value(msg, "path");
	ck_assert_msg(is_upper_hex(v), "path not hex: %s", v);
	decoded = audit_value_decode(v);
	ck_assert_str_eq(decoded, path);
	free(decoded);
	free(v);
	v = message_value(msg, "exe");
	ck_assert_msg(is_upper_hex(v), "exe not hex: %s", v);
	decoded = audit_value_decode(v);
	ck_assert_str_eq(decoded, path);
	free(decoded);
	free(v);
	v = message_value(msg, "comm");
	decoded = audit_value_decode(v);
	ck_assert_str_eq(decoded, path + 5);
	free(decoded);
	free(v);
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
	c = make_candidate(path);
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
	struct candidate *c = make_candidate(path);
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

Suite *encoding_suite(void)
{
	Suite *s = suite_create("encoding");
	TCase *tv = tcase_create("decode");
	TCase *tu = tcase_create("utf8");
	TCase *tj = tcase_create("json");
	TCase *ta = tcase_create("audit");

	tcase_add_test(tv, test_decode_quoted);
	tcase_add_test(tv, test_decode_hex);
	tcase_add_test(tv, test_decode_rejects);
	suite_add_tcase(s, tv);

	tcase_add_loop_test(tu, test_utf8_valid_table, 0,
			    sizeof(utf8_cases) / sizeof(utf8_cases[0]));
	tcase_add_test(tu, test_utf8_valid_uses_len);
	tcase_add_test(tu, test_utf8_sanitize);
	tcase_add_loop_test(tu, test_utf8_sanitize_table_is_valid, 0,
			    sizeof(utf8_cases) / sizeof(utf8_cases[0]));
	tcase_add_test(tu, test_hex_encode);
	suite_add_tcase(s, tu);

	tcase_add_test(tj, test_json_sigmetadata);
	tcase_add_test(tj, test_json_event_fields);
	tcase_add_loop_test(tj, test_json_hostile_valid_path, 0,
			    sizeof(hostile_valid) / sizeof(hostile_valid[0]));
	tcase_add_loop_test(tj, test_json_hostile_invalid_path, 0,
			    sizeof(hostile_invalid) /
			    sizeof(hostile_invalid[0]));
	tcase_add_test(tj, test_json_long_path);
	tcase_add_test(tj, test_json_add_bytes);
	suite_add_tcase(s, tj);

	tcase_add_test(ta, test_audit_encode_field);
	tcase_add_test(ta, test_audit_message_benign);
	tcase_add_loop_test(ta, test_audit_message_hostile, 0,
			    sizeof(hostile_any) / sizeof(hostile_any[0]));
	tcase_add_test(ta, test_audit_message_long_path);
	tcase_add_loop_test(ta, test_audit_message_auparse_roundtrip, 0, 3);
	suite_add_tcase(s, ta);
	return s;
}
