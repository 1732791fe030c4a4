/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_rawevent.c -- an event decided from its raw records: the fields
 * read as libauparse reads them, hostile PATH text included, and the
 * reader's verdicts, candidates and counters the same with the raw
 * decision as without it (intake/rawevent.c, intake/reader.c) */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <auparse.h>
#include <libaudit.h>

#include "candidate.h"
#include "check/inspector.h"
#include "intake/rawevent.h"
#include "intake/reader.h"
#include "util/queue.h"
#include "util/settings.h"
#include "util/stats.h"

/* --- the fields, as auparse reads them ----------------------------------- */

/* Append "TYPE|name=val|..." of the current record of SRC (fields only of
 * the types the raw reading splits; "key" left out) to OUT. */
static void view_record(const struct event_source *src, char **out)
{
	int type = src->ops->get_type(src->ctx);
	char *line = NULL, *next;

	ck_assert_int_ge(asprintf(&line, "%d", type), 0);
	if ((type == AUDIT_SYSCALL || type == AUDIT_CWD ||
	     type == AUDIT_PATH || type == AUDIT_OPENAT2) &&
	    src->ops->first_field(src->ctx) > 0) {
		do {
			const char *n = src->ops->field_name(src->ctx);
			const char *v = src->ops->field_str(src->ctx);

			if (!n || !strcmp(n, "key"))
				continue;
			ck_assert_int_ge(asprintf(&next, "%s|%s=%s", line, n,
						  v ? v : "(NULL)"), 0);
			free(line);
			line = next;
		} while (src->ops->next_field(src->ctx) > 0);
	}
	ck_assert_int_ge(asprintf(&next, "%s%s\n", *out ? *out : "", line),
			 0);
	free(line);
	free(*out);
	*out = next;
}

/* Every record of the event SRC is on. */
static char *view_event(const struct event_source *src)
{
	char *out = NULL;

	if (src->ops->first_record(src->ctx) <= 0)
		return strdup("");
	do
		view_record(src, &out);
	while (src->ops->next_record(src->ctx) > 0);
	return out;
}

static const au_event_t *ts(void *ctx)
{
	return auparse_get_timestamp(ctx);
}

static int a_first_record(void *c)
{
	return auparse_first_record(c);
}
static int a_next_record(void *c)
{
	return auparse_next_record(c);
}
static int a_get_type(void *c)
{
	return auparse_get_type(c);
}
static int a_first_field(void *c)
{
	return auparse_first_field(c);
}
static int a_next_field(void *c)
{
	return auparse_next_field(c);
}
static const char *a_name(void *c)
{
	return auparse_get_field_name(c);
}
static const char *a_str(void *c)
{
	return auparse_get_field_str(c);
}

static const struct event_source_ops a_ops = {
	.first_record = a_first_record,
	.next_record = a_next_record,
	.get_type = a_get_type,
	.first_field = a_first_field,
	.next_field = a_next_field,
	.field_name = a_name,
	.field_str = a_str,
	.timestamp = ts,
};

/* auparse's view of TEXT, one event (records '\n'-terminated). */
static char *auparse_view(const char *text)
{
	auparse_state_t *au = auparse_init(AUSOURCE_BUFFER, text);
	struct event_source src = { &a_ops, au };
	char *v;

	ck_assert_ptr_nonnull(au);
	ck_assert_int_eq(auparse_next_event(au), 1);
	v = view_event(&src);
	auparse_destroy(au);
	return v;
}

/* The raw reading's view of TEXT. */
static char *raw_view(const char *text)
{
	struct raw_event ev;
	struct event_source src;
	const char *p = text, *nl;
	char *v;

	raw_event_init(&ev);
	raw_event_reset(&ev);
	while ((nl = strchr(p, '\n'))) {
		ck_assert_int_eq(raw_event_add(&ev, p, (size_t)(nl - p)), 0);
		p = nl + 1;
	}
	src = raw_event_source(&ev);
	v = view_event(&src);
	ck_assert(!raw_event_unsure(&ev));
	raw_event_free(&ev);
	return v;
}

#define HDR	"type=%s msg=audit(1800000000.001:7): "
#define SYSCALL_REC \
	"type=SYSCALL msg=audit(1800000000.001:7): arch=c000003e " \
	"syscall=257 success=yes exit=3 a0=ffffff9c a1=55d0 a2=241 " \
	"a3=1b6 items=2 ppid=9001 pid=9000 auid=0 uid=0 gid=0 euid=0 " \
	"suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 " \
	"comm=\"sh\" exe=\"/bin/sh\" key=\"k\"\x1d" \
	"ARCH=x86_64 SYSCALL=openat AUID=\"root\" dev=00:28\n"

/* PATH texts a process may shape (its name) or that are not the kernel's
 * at all: auparse and the raw reading must see the same fields. */
static const char *const path_bodies[] = {
	/* the kernel's */
	"item=0 name=\"/tmp/x\" inode=5 dev=fe:00 mode=0100644 ouid=0 "
	"ogid=0 rdev=00:00 nametype=CREATE cap_fp=0 cap_fi=0 cap_fe=0 "
	"cap_fver=0 cap_frootid=0",
	/* a hex name holding " dev=00:28 " */
	"item=0 name=2F746D702F612064657603D30303A323820 inode=5 "
	"dev=fe:00 mode=0100644 nametype=CREATE",
	/* a quoted name with a space (the kernel hex-encodes those) */
	"item=0 name=\"/tmp/a dev=00:28 b\" inode=5 dev=fe:00 "
	"mode=0100644 nametype=CREATE",
	"item=0 name=\"/tmp/a\" dev=00:28\" inode=5 dev=fe:00 "
	"mode=0100644 nametype=CREATE",
	/* no dev= at all; an empty one; a huge one */
	"item=0 name=\"/tmp/x\" inode=5 mode=0100644 nametype=CREATE",
	"item=0 name=\"/tmp/x\" inode=5 dev= mode=0100644 nametype=CREATE",
	"item=0 name=\"/tmp/x\" inode=5 dev=: mode=0100644 nametype=CREATE",
	"item=0 name=\"/tmp/x\" inode=99999999999999999999999 "
	"dev=ffffffffffffffffffffffff:fffffffffffffffff mode=0100644 "
	"nametype=CREATE",
	/* trailing punctuation auparse cuts; a name with '(' */
	"item=0 name=\"/tmp/x\" inode=5 dev=00:28) mode=0100644 "
	"nametype=CREATE",
	"item=0 name=\"/tmp/x\" inode=5 dev=00:28,') mode=0100644 "
	"nametype=CREATE",
	"item=0 name=\"/tmp/x\" inode=5 (dev=00:28 mode=0100644 "
	"nametype=CREATE",
	"item=0 name=(null) inode=5 dev=00:28 mode=0100644 "
	"nametype=CREATE",
	/* msg=' and msg=a... tokens, tokens without '=', double spaces */
	"item=0 msg='dev=00:28 name=\"/tmp/x\"  inode=5 dev=fe:00 "
	"junk mode=0100644 nametype=CREATE",
	"item=0 msg=audit(dev=00:28) name=\"/tmp/x\" inode=5 dev=fe:00 "
	"nametype=CREATE",
	/* two dev= (the last counts), '=' in a value, a key field */
	"item=0 name=\"/a=b\" inode=5 dev=00:28 dev=fe:00 mode=0100644 "
	"nametype=CREATE key=\"x\"",
	/* dev= after nametype, and in the ENRICHED part */
	"item=0 name=\"/tmp/x\" inode=5 nametype=CREATE dev=00:28",
	"item=0 name=\"/tmp/x\" inode=5 dev=fe:00 nametype=CREATE\x1d"
	"OUID=\"a dev=00:28\"",
};

START_TEST(test_fields_as_auparse)
{
	size_t i;

	for (i = 0; i < sizeof(path_bodies) / sizeof(path_bodies[0]); i++) {
		char *text, *a, *r;

		ck_assert_int_ge(asprintf(&text, SYSCALL_REC
					  HDR "cwd=\"/tmp\"\n"
					  HDR "%s\n"
					  HDR "proctitle=7368\n",
					  "CWD", "PATH", path_bodies[i],
					  "PROCTITLE"), 0);
		a = auparse_view(text);
		r = raw_view(text);
		if (strcmp(a, r))
			ck_abort_msg("case %zu:\nauparse:\n%s\nraw:\n%s", i,
				     a, r);
		free(a);
		free(r);
		free(text);
	}
}
END_TEST

/* A node name, an empty one, an odd type: the type is auparse's. */
START_TEST(test_headers_as_auparse)
{
	static const char *const texts[] = {
		"node=h1 " SYSCALL_REC
		"node=h1 type=PATH msg=audit(1800000000.001:7): item=0 "
		"name=\"/x\" dev=00:28 nametype=CREATE\n",
		"node=h1 type=UNKNOWN[1302] msg=audit(1800000000.001:7): "
		"item=0 name=\"/x\" dev=00:28 nametype=CREATE\n",
		"type=PATH: msg=audit(1800000000.001:7): item=0 "
		"name=\"/x\" dev=00:28 nametype=CREATE\n",
	};
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		char *a = auparse_view(texts[i]), *r = raw_view(texts[i]);

		if (strcmp(a, r))
			ck_abort_msg("case %zu:\nauparse:\n%s\nraw:\n%s", i,
				     a, r);
		free(a);
		free(r);
	}
}
END_TEST

/* The types auparse ends an event at. */
START_TEST(test_event_ends)
{
	ck_assert(raw_type_ends_event(AUDIT_PROCTITLE));
	ck_assert(raw_type_ends_event(AUDIT_EOE));
	ck_assert(raw_type_ends_event(AUDIT_USER));
	ck_assert(raw_type_ends_event(-1));
	ck_assert(!raw_type_ends_event(AUDIT_PATH));
	ck_assert(!raw_type_ends_event(AUDIT_SYSCALL));
	ck_assert_int_eq(raw_record_type("PATH:", 5), AUDIT_PATH);
	ck_assert_int_eq(raw_record_type("UNKNOWN[1327]", 13),
			 AUDIT_PROCTITLE);
	ck_assert_int_eq(raw_record_type("NOPE", 4), -1);
}
END_TEST

/* A CWD record without cwd=: auparse would read on into the next
 * records; the raw reading gives up (unsure). */
START_TEST(test_find_field_unsure)
{
	struct raw_event ev;
	struct event_source src;
	const char *l1 = "type=CWD msg=audit(1800000000.001:7): x=1";

	raw_event_init(&ev);
	raw_event_reset(&ev);
	ck_assert_int_eq(raw_event_add(&ev, l1, strlen(l1)), 0);
	src = raw_event_source(&ev);
	ck_assert_int_eq(src.ops->first_record(src.ctx), 1);
	ck_assert_ptr_null(src.ops->find_field(src.ctx, "cwd"));
	ck_assert(raw_event_unsure(&ev));
	/* nothing is added once it is read */
	ck_assert_int_eq(raw_event_add(&ev, l1, strlen(l1)), -1);
	raw_event_free(&ev);
}
END_TEST

/* --- the reader: the same with and without the raw decision ------------- */

/* The fixture procfs of test_scope.c (test_reader_init()): 4242 in a
 * podman container, 4243 a host shell; mountinfo: 00:28 is a podman
 * overlay. */

/* What one run gave: counters and the queued candidates. */
struct outcome {
	char counters[256];
	char *cands;
};

static void run_reader(const char *text, size_t len, enum scope_mode mode,
		       bool raw, size_t chunk, struct outcome *o)
{
	struct inspector in;
	struct reader rd;
	struct stats st;
	struct candidate *c;
	size_t off, n;
	bool closed;

	test_reader_init(&rd, &in, &st, mode, 4096);
	if (!raw)
		prefilter_set_hold(&rd.pre, NULL, NULL);
	for (off = 0; off < len; off += n) {
		n = len - off < chunk ? len - off : chunk;
		reader_feed(&rd, text + off, n);
	}
	reader_finish(&rd);
	snprintf(o->counters, sizeof(o->counters),
		 "events=%llu candidates=%llu out_of_scope=%llu "
		 "malformed=%llu lost_serials=%llu",
		 (unsigned long long)atomic_load(&st.events),
		 (unsigned long long)atomic_load(&st.candidates),
		 (unsigned long long)atomic_load(&st.out_of_scope),
		 (unsigned long long)atomic_load(&st.malformed),
		 (unsigned long long)atomic_load(&st.lost_serials));
	o->cands = strdup("");
	while ((c = queue_pop(&in.q, 0, &closed))) {
		char *next;

		ck_assert_int_ge(asprintf(&next, "%s%llu %d %s %s %s %d %s\n",
					  o->cands,
					  (unsigned long long)c->serial,
					  (int)c->pid,
					  c->path ? c->path : "-",
					  c->old_path ? c->old_path : "-",
					  c->container.id,
					  (int)c->container.source,
					  c->records ? "r" : "-"), 0);
		free(o->cands);
		o->cands = next;
		candidate_free(c);
	}
	reader_destroy(&rd);
	inspector_free(&in);
}

/* TEXT gives the same with the raw decision as without, in both scopes,
 * fed whole and in small pieces; returns the container scope's
 * candidates (malloc'd) for more checks. */
static char *same_outcome(const char *text, size_t len)
{
	static const size_t chunks[] = { 1 << 20, 97, 1 };
	static const enum scope_mode modes[] = { SCOPE_ALL, SCOPE_CONTAINER };
	struct outcome a, b;
	char *keep = NULL;
	size_t m, k;

	for (m = 0; m < 2; m++) {
		for (k = 0; k < 3; k++) {
			run_reader(text, len, modes[m], false, chunks[k], &a);
			run_reader(text, len, modes[m], true, chunks[k], &b);
			ck_assert_str_eq(a.counters, b.counters);
			ck_assert_str_eq(a.cands, b.cands);
			free(a.cands);
			if (modes[m] == SCOPE_CONTAINER && !keep)
				keep = b.cands;
			else
				free(b.cands);
		}
	}
	return keep;
}

START_TEST(test_fixture_logs)
{
	static const char *const files[] = {
		FIXTURE_DIR "/podman-drops.log",
		FIXTURE_DIR "/names/names.log",
		FIXTURE_DIR "/../golden/cases/hostile.log",
	};
	size_t i, len;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *text = test_read_file(files[i], &len);

		free(same_outcome(text, len));
		free(text);
	}
}
END_TEST

/* An openat by PID (parent PPID, flags A2) as serial SERIAL, its file
 * item BODY; EOE alone ends it (no PROCTITLE) when NO_PROCTITLE. */
static char *openat_event(unsigned int serial, int pid, int ppid,
		    const char *a2, const char *body, bool no_proctitle)
{
	unsigned int ms = serial % 1000;
	char *s, *pt = NULL;

	if (!no_proctitle)
		ck_assert_int_ge(asprintf(&pt,
			"type=PROCTITLE msg=audit(1800000000.%03u:%u): "
			"proctitle=7368\n", ms, serial), 0);
	ck_assert_int_ge(asprintf(&s,
		"type=SYSCALL msg=audit(1800000000.%03u:%u): arch=c000003e "
		"syscall=257 success=yes exit=3 a0=ffffff9c a1=55d0 a2=%s "
		"a3=1b6 items=2 ppid=%d pid=%d auid=0 uid=0 gid=0 euid=0 "
		"suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 "
		"comm=\"sh\" exe=\"/bin/sh\" key=\"dropped_executable\"\x1d"
		"ARCH=x86_64 SYSCALL=openat\n"
		"type=CWD msg=audit(1800000000.%03u:%u): cwd=\"/tmp\"\n"
		"type=PATH msg=audit(1800000000.%03u:%u): item=0 "
		"name=\"/tmp/\" inode=2 dev=fe:00 mode=040755 ouid=0 ogid=0 "
		"rdev=00:00 nametype=PARENT cap_fp=0 cap_fi=0 cap_fe=0 "
		"cap_fver=0 cap_frootid=0\n"
		"type=PATH msg=audit(1800000000.%03u:%u): %s\n"
		"%s"
		"type=EOE msg=audit(1800000000.%03u:%u): \n",
		ms, serial, a2, ppid, pid, ms, serial, ms, serial, ms, serial,
		body, pt ? pt : "", ms, serial), 0);
	free(pt);
	return s;
}

#define FILE_ITEM(DEV, NAME) \
	"item=1 name=" NAME " inode=77 dev=" DEV " mode=0100755 ouid=0 " \
	"ogid=0 rdev=00:00 nametype=CREATE cap_fp=0 cap_fi=0 cap_fe=0 " \
	"cap_fver=0 cap_frootid=0"

/* Crafted events: gone writers on host and overlay devices, live ones,
 * hostile names, odd dev= values, a read-only open, a malformed item,
 * interleaved records, an event without PROCTITLE, a NUL. */
START_TEST(test_crafted)
{
	struct {
		int pid, ppid;
		const char *a2, *body;
		bool no_proctitle;
	} ev[] = {
		{ 9000, 9001, "241", FILE_ITEM("fe:00", "\"/tmp/h\""), 0 },
		{ 9000, 9001, "241", FILE_ITEM("00:28", "\"/tmp/c\""), 0 },
		{ 9000, 9001, "241",
		  FILE_ITEM("fe:00", "\"/tmp/a dev=00:28 b\""), 0 },
		{ 9000, 9001, "241",
		  FILE_ITEM("fe:00", "2F746D702F61206465763D30303A3238"), 0 },
		{ 9000, 9001, "241", FILE_ITEM("00:28)", "\"/tmp/p\""), 0 },
		{ 9000, 9001, "241", FILE_ITEM("zz:1", "\"/tmp/m\""), 0 },
		{ 9000, 9001, "241",
		  FILE_ITEM("fffffffffffffffffff:1", "\"/tmp/m\""), 0 },
		{ 9000, 9001, "241",
		  "item=1 name=\"/tmp/n\" inode=77 mode=0100755 "
		  "nametype=CREATE", 0 },
		{ 9000, 9001, "0", FILE_ITEM("00:28", "\"/tmp/r\""), 0 },
		{ 4242, 9001, "241", FILE_ITEM("fe:00", "\"/tmp/k\""), 0 },
		{ 4243, 9001, "241", FILE_ITEM("00:28", "\"/tmp/q\""), 0 },
		{ 9000, 4242, "241", FILE_ITEM("fe:00", "\"/tmp/pp\""), 0 },
		{ 9000, 9001, "241", FILE_ITEM("00:28", "\"/tmp/e\""), 1 },
		{ 9000, 9001, "241", FILE_ITEM("fe:00", "\"/tmp/f\""), 1 },
		{ 1, 9001, "241", FILE_ITEM("00:28", "\"/tmp/self\""), 0 },
	};
	size_t n = sizeof(ev) / sizeof(ev[0]), i, len = 0;
	char *text = strdup(""), *next, *one, *cands, *a, *b, *nul;

	for (i = 0; i < n; i++) {
		one = openat_event((unsigned int)(100 + i), ev[i].pid,
				   ev[i].ppid, ev[i].a2, ev[i].body,
				   ev[i].no_proctitle);
		ck_assert_int_ge(asprintf(&next, "%s%s", text, one), 0);
		free(one);
		free(text);
		text = next;
	}
	/* two events whose records cross: 200 (overlay) and 201 (host) */
	a = openat_event(200, 9000, 9001, "241",
			 FILE_ITEM("00:28", "\"/tmp/x1\""), false);
	b = openat_event(201, 9000, 9001, "241",
			 FILE_ITEM("fe:00", "\"/tmp/x2\""), false);
	{
		char *la[8], *lb[8], *sa, *sb;
		size_t na = 0, nb = 0, k;

		for (sa = strtok(a, "\n"); sa && na < 8;
		     sa = strtok(NULL, "\n"))
			la[na++] = sa;
		for (sb = strtok(b, "\n"); sb && nb < 8;
		     sb = strtok(NULL, "\n"))
			lb[nb++] = sb;
		for (k = 0; k < na || k < nb; k++) {
			ck_assert_int_ge(asprintf(&next, "%s%s%s%s%s", text,
						  k < nb ? lb[k] : "",
						  k < nb ? "\n" : "",
						  k < na ? la[k] : "",
						  k < na ? "\n" : ""), 0);
			free(text);
			text = next;
		}
	}
	free(a);
	free(b);
	/* a NUL in the name of a PATH record of a host write */
	one = openat_event(300, 9000, 9001, "241",
			   FILE_ITEM("fe:00", "\"/tmp/z\""), false);
	ck_assert_int_ge(asprintf(&next, "%s%s", text, one), 0);
	free(one);
	free(text);
	text = next;
	len = strlen(text);
	nul = strstr(text, "\"/tmp/z\"");
	nul[3] = '\0';
	/* an event cut short by the end of input */
	one = openat_event(400, 9000, 9001, "241",
			   FILE_ITEM("00:28", "\"/tmp/l\""), true);
	*strstr(one, "type=EOE") = '\0';
	text = realloc(text, len + strlen(one) + 1);
	memcpy(text + len, one, strlen(one) + 1);
	len += strlen(one);
	free(one);

	cands = same_outcome(text, len);
	/* the container writes are all there */
	ck_assert_ptr_nonnull(strstr(cands, " /tmp/c "));
	ck_assert_ptr_nonnull(strstr(cands, " /tmp/p "));
	ck_assert_ptr_nonnull(strstr(cands, " /tmp/k "));
	ck_assert_ptr_nonnull(strstr(cands, " /tmp/pp "));
	ck_assert_ptr_nonnull(strstr(cands, " /tmp/e "));
	ck_assert_ptr_nonnull(strstr(cands, " /tmp/x1 "));
	ck_assert_ptr_nonnull(strstr(cands, " /tmp/l "));
	/* and no host write */
	ck_assert_ptr_null(strstr(cands, " /tmp/h "));
	ck_assert_ptr_null(strstr(cands, " /tmp/x2 "));
	ck_assert_ptr_null(strstr(cands, "dev=00:28"));
	free(cands);
	free(text);
}
END_TEST

/*
 * A record a second newer than a held event lets it go to auparse, which
 * ends it only when it sees a newer record: the record that let it go is
 * handed on too, never held and dropped. Event A (a gone writer on a
 * host device) is held; B, two seconds on, starts before A's other
 * records come; both ways give the same events and candidates.
 */
START_TEST(test_newer_second_releases)
{
	char *a, *b, *la[8], *lb[8], *sa, *sb, *text = strdup(""), *next;
	char *cands, *p;
	size_t na = 0, nb = 0, k;

	a = openat_event(500, 9000, 9001, "241",
			 FILE_ITEM("fe:00", "\"/tmp/ha\""), false);
	b = openat_event(501, 9000, 9001, "241",
			 FILE_ITEM("fe:00", "\"/tmp/hb\""), false);
	for (p = strstr(b, "1800000000."); p; p = strstr(p, "1800000000."))
		p[9] = '2';		/* 1800000002: two seconds on */
	for (sa = strtok(a, "\n"); sa && na < 8; sa = strtok(NULL, "\n"))
		la[na++] = sa;
	for (sb = strtok(b, "\n"); sb && nb < 8; sb = strtok(NULL, "\n"))
		lb[nb++] = sb;
	/* A's SYSCALL, B's SYSCALL, the rest of A, the rest of B */
	for (k = 0; k < na + nb; k++) {
		const char *line = k == 0 ? la[0] : k == 1 ? lb[0] :
				   k < na + 1 ? la[k - 1] : lb[k - na];

		ck_assert_int_ge(asprintf(&next, "%s%s\n", text, line), 0);
		free(text);
		text = next;
	}
	cands = same_outcome(text, strlen(text));
	free(cands);
	free(text);
	free(a);
	free(b);
}
END_TEST

/*
 * A write whose writer and parent are gone, on a device no container
 * has, is out of scope: a decision that was not certain, kept with the
 * event's serial and the name it gave (util/recent.h), whether the event
 * was decided from its raw records (held) or by auparse. A live host
 * process's write is not kept.
 */
START_TEST(test_unsure_out_of_scope_kept)
{
	char *gone = openat_event(600, 9000, 9001, "241",
				  FILE_ITEM("fe:00", "\"/tmp/gone\""), false);
	char *host = openat_event(601, 4243, 1, "241",
				  FILE_ITEM("fe:00", "\"/tmp/host\""), false);
	struct recent_entry e[RECENT_MAX];
	struct inspector in;
	struct reader rd;
	struct recent rc;
	struct stats st;
	int raw;

	for (raw = 0; raw <= 1; raw++) {
		ck_assert_int_eq(recent_init(&rc), 0);
		test_reader_init(&rd, &in, &st, SCOPE_CONTAINER, 16);
		if (!raw)
			prefilter_set_hold(&rd.pre, NULL, NULL);
		rd.recent = &rc;
		reader_feed(&rd, gone, strlen(gone));
		reader_feed(&rd, host, strlen(host));
		reader_finish(&rd);
		ck_assert_uint_eq(atomic_load(&st.out_of_scope), 2);
		ck_assert_uint_eq(recent_copy(&rc, e), 1);
		ck_assert_uint_eq(e[0].serial, 600);
		ck_assert_str_eq(e[0].what, "out-of-scope:writer-gone");
		ck_assert_str_eq(e[0].path, "/tmp/gone");
		reader_destroy(&rd);
		inspector_free(&in);
		recent_free(&rc);
	}
	free(gone);
	free(host);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("rawevent");
	TCase *tc = tcase_create("fields");
	TCase *tr = tcase_create("reader");

	tcase_add_test(tc, test_fields_as_auparse);
	tcase_add_test(tc, test_headers_as_auparse);
	tcase_add_test(tc, test_event_ends);
	tcase_add_test(tc, test_find_field_unsure);
	suite_add_tcase(s, tc);
	tcase_set_timeout(tr, 60);
	tcase_add_test(tr, test_fixture_logs);
	tcase_add_test(tr, test_crafted);
	tcase_add_test(tr, test_newer_second_releases);
	tcase_add_test(tr, test_unsure_out_of_scope_kept);
	suite_add_tcase(s, tr);
	return s;
}
