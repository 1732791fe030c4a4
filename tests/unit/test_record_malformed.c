/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_record_malformed.c -- hostile and broken record streams: no crash, and the
 * detection keeps working afterwards */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "candidate.h"
#include "intake/record.h"
#include "util/stats.h"

#define NOT_ME		1
#define MAX_COLLECT	512

struct collected {
	struct candidate *c[MAX_COLLECT];
	size_t n, dropped;
};

static void collect(struct candidate *c, void *arg)
{
	struct collected *col = arg;

	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_nonnull(c->path);
	if (col->n < MAX_COLLECT) {
		col->c[col->n++] = c;
	} else {
		col->dropped++;
		candidate_free(c);
	}
}

static void collected_free(struct collected *col)
{
	size_t i;

	for (i = 0; i < col->n; i++)
		candidate_free(col->c[i]);
	col->n = 0;
}

static size_t count_serial(const struct collected *col, uint64_t serial)
{
	size_t i, n = 0;

	for (i = 0; i < col->n; i++)
		if (col->c[i]->serial == serial)
			n++;
	return n;
}

static struct candidate *by_serial(const struct collected *col,
				   uint64_t serial)
{
	size_t i;

	for (i = 0; i < col->n; i++)
		if (col->c[i]->serial == serial)
			return col->c[i];
	return NULL;
}

/* One reader for a whole stream, fed piece by piece. */
struct stream {
	struct record_reader r;
	struct collected col;
	struct stats st;
};

static void stream_open(struct stream *s)
{
	memset(&s->col, 0, sizeof(s->col));
	stats_reset(&s->st);
	ck_assert_int_eq(record_reader_init(&s->r, collect, &s->col, &s->st,
					    NOT_ME), 0);
}

static void stream_feed(struct stream *s, const char *buf, size_t len)
{
	size_t off, chunk = 65536;	/* as auditd's socket hands it over */

	for (off = 0; off < len; off += chunk)
		record_reader_feed(&s->r, buf + off,
				   len - off < chunk ? len - off : chunk);
}

static void stream_feed_str(struct stream *s, const char *text)
{
	stream_feed(s, text, strlen(text));
}

static void stream_close(struct stream *s)
{
	record_reader_flush(&s->r);
	record_reader_destroy(&s->r);
}

/* --- events -------------------------------------------------------------- */

struct ev {
	unsigned int serial;
	const char *arch, *syscall, *exit, *pid, *items;
	const char *name, *dev, *mode, *inode;
	bool eoe;
};

static struct ev ev_default(unsigned int serial)
{
	struct ev e = {
		.serial = serial, .arch = "c000003e", .syscall = "257",
		.exit = "3", .pid = "4321", .items = "2",
		.name = "\"/tmp/x\"", .dev = "00:28", .mode = "0100755",
		.inode = "99", .eoe = true,
	};

	return e;
}

/* A RAW-format openat(O_WRONLY|O_CREAT|O_TRUNC) event. */
static char *ev_text(const struct ev *e)
{
	char *out, eoe[80] = "";

	if (e->eoe)
		snprintf(eoe, sizeof(eoe),
			 "type=EOE msg=audit(1700000000.250:%u): \n",
			 e->serial);
	ck_assert_int_ne(asprintf(&out,
		"type=SYSCALL msg=audit(1700000000.250:%u): arch=%s "
		"syscall=%s success=yes exit=%s a0=ffffff9c a1=7ffd52ac29b0 "
		"a2=241 a3=1ed items=%s ppid=1200 pid=%s auid=1000 uid=0 "
		"gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) "
		"ses=7 comm=\"cp\" exe=\"/bin/busybox\" subj=unconfined "
		"key=\"dropped_executable\"\n"
		"type=CWD msg=audit(1700000000.250:%u): cwd=\"/\"\n"
		"type=PATH msg=audit(1700000000.250:%u): item=0 name=\"/tmp/\" "
		"inode=2 dev=00:28 mode=041777 ouid=0 ogid=0 rdev=00:00 "
		"nametype=PARENT cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 "
		"cap_frootid=0\n"
		"type=PATH msg=audit(1700000000.250:%u): item=1 name=%s "
		"inode=%s dev=%s mode=%s ouid=0 ogid=0 rdev=00:00 "
		"nametype=CREATE cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 "
		"cap_frootid=0\n"
		"type=PROCTITLE msg=audit(1700000000.250:%u): "
		"proctitle=6370002F746D702F78\n%s",
		e->serial, e->arch, e->syscall, e->exit, e->items, e->pid,
		e->serial, e->serial, e->serial, e->name, e->inode, e->dev,
		e->mode, e->serial, eoe), -1);
	return out;
}

static void feed_ev(struct stream *s, const struct ev *e)
{
	char *t = ev_text(e);

	stream_feed_str(s, t);
	free(t);
}

/* The proof that the reader still works: a good event with its own
 * name yields exactly its candidate. */
#define GOOD_SERIAL	90000
static void feed_good(struct stream *s)
{
	struct ev e = ev_default(GOOD_SERIAL);

	e.name = "\"/tmp/still-detected\"";
	feed_ev(s, &e);
}

static void expect_good(const struct stream *s)
{
	struct candidate *c = by_serial(&s->col, GOOD_SERIAL);

	ck_assert_msg(c != NULL, "the valid event after the garbage gave no "
		      "candidate");
	ck_assert_uint_eq(count_serial(&s->col, GOOD_SERIAL), 1);
	ck_assert_str_eq(c->path, "/tmp/still-detected");
	ck_assert_int_eq(c->pid, 4321);
	ck_assert_uint_eq(c->inode, 99);
	ck_assert_str_eq(c->comm, "cp");
}

/* --- sizes ---------------------------------------------------------------- */

/* One line of 1 MiB without a newline-free break, then a good event. */
START_TEST(test_one_mib_line)
{
	struct stream s;
	size_t len = 1 << 20;
	char *big = malloc(len + 1);

	ck_assert_ptr_nonnull(big);
	memset(big, 'A', len);
	big[len - 1] = '\n';
	stream_open(&s);
	stream_feed(&s, big, len);
	feed_good(&s);
	stream_close(&s);
	expect_good(&s);
	ck_assert_uint_eq(s.col.n, 1);
	collected_free(&s.col);
	free(big);
}
END_TEST

/* A SYSCALL record of 1 MiB (a huge field list): no crash, and the
 * stream goes on. */
START_TEST(test_one_mib_record)
{
	struct stream s;
	char *text = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	fputs("type=SYSCALL msg=audit(1700000000.100:77): arch=c000003e "
	      "syscall=257 success=yes exit=3 a0=ffffff9c a1=1 a2=241 a3=0 "
	      "items=2 ppid=1 pid=77 uid=0 comm=\"x\" exe=\"/x\"", f);
	for (i = 0; len < (1 << 20); i++) {
		fprintf(f, " f%zu=%zu", i, i);
		fflush(f);
	}
	fputs("\ntype=PATH msg=audit(1700000000.100:77): item=1 "
	      "name=\"/tmp/huge\" inode=5 dev=00:28 mode=0100755 "
	      "nametype=CREATE\ntype=EOE msg=audit(1700000000.100:77): \n",
	      f);
	fclose(f);
	stream_open(&s);
	stream_feed(&s, text, len);
	feed_good(&s);
	stream_close(&s);
	expect_good(&s);
	/* the huge one may or may not be a candidate; if it is, its raw
	 * text is bounded */
	if (by_serial(&s.col, 77)) {
		ck_assert_str_eq(by_serial(&s.col, 77)->path, "/tmp/huge");
		ck_assert_uint_le(strlen(by_serial(&s.col, 77)->records),
				  CANDIDATE_MAX_RECORDS);
	}
	collected_free(&s.col);
	free(text);
}
END_TEST

/* 100 000 tiny garbage lines, then a good event. */
START_TEST(test_100k_garbage_lines)
{
	static const char *const junk[] = {
		"x\n", "\n", "type=\n", "=\n", "type=SYSCALL\n", "msg=\n",
		"type=PATH msg=audit(\n", ")\n", "\x1d\n", "\xff\xfe\n",
	};
	struct stream s;
	char *text, *p;
	size_t i, total = 0;

	for (i = 0; i < 100000; i++)
		total += strlen(junk[i % 10]);
	text = malloc(total);
	ck_assert_ptr_nonnull(text);
	for (p = text, i = 0; i < 100000; i++) {
		size_t l = strlen(junk[i % 10]);

		memcpy(p, junk[i % 10], l);
		p += l;
	}
	stream_open(&s);
	stream_feed(&s, text, total);
	feed_good(&s);
	stream_close(&s);
	expect_good(&s);
	ck_assert_uint_eq(s.col.n, 1);
	collected_free(&s.col);
	free(text);
}
END_TEST

/* --- bytes ---------------------------------------------------------------- */

/* NUL bytes inside a record's values (name, comm) and between records. */
START_TEST(test_nul_in_values)
{
	struct stream s;
	struct ev e = ev_default(700);
	char *t = ev_text(&e), *name;
	size_t len = strlen(t);

	/* a NUL in the middle of the quoted name and one in the comm */
	name = strstr(t, "name=\"/tmp/x\"");
	ck_assert_ptr_nonnull(name);
	name[10] = '\0';		/* name="/tm\0/x" */
	name = strstr(t, "comm=\"cp\"");
	ck_assert_ptr_nonnull(name);
	name[6] = '\0';
	stream_open(&s);
	stream_feed(&s, t, len);
	stream_feed(&s, "\0\0\0\0\n\0", 6);
	feed_good(&s);
	stream_close(&s);
	expect_good(&s);
	/* event 700 is mangled: whatever comes of it names /tm... */
	if (by_serial(&s.col, 700))
		ck_assert(!strncmp(by_serial(&s.col, 700)->path, "/tm", 3));
	collected_free(&s.col);
	free(t);
}
END_TEST

/*
 * Records of unknown types, alone and inside an event. A newer kernel's
 * auxiliary record of a syscall event has a type in 1300-1499, shown as
 * UNKNOWN[N] by an older auditd: the event stays whole. (A type outside
 * that range, or one auparse cannot parse, ends the event early in
 * libauparse 3.0.9 itself; auditd never writes such records into a
 * syscall event, so that is not tested here.)
 */
START_TEST(test_unknown_record_types)
{
	struct stream s;
	struct ev e = ev_default(710);
	char *t = ev_text(&e), *mixed;
	char *cwd = strstr(t, "type=CWD");

	ck_assert_ptr_nonnull(cwd);
	ck_assert_int_ne(asprintf(&mixed, "%.*s"
		"type=UNKNOWN[1399] msg=audit(1700000000.250:710): foo=bar\n"
		"type=UNKNOWN[1450] msg=audit(1700000000.250:710): x=y\n"
		"%s", (int)(cwd - t), t, cwd), -1);
	stream_open(&s);
	stream_feed_str(&s,
		"type=UNKNOWN[9999] msg=audit(1700000000.100:704): a=b\n"
		"type=FOOBAR msg=audit(1700000000.100:704): a=b\n"
		"type=UNKNOWN[1999] msg=audit(1700000000.100:705): a=b\n"
		"type=WHATEVER msg=audit(1700000000.100:706): \n"
		"type=UNKNOWN[0] msg=audit(1700000000.100:707): x\n");
	stream_feed_str(&s, mixed);
	feed_good(&s);
	stream_close(&s);
	expect_good(&s);
	/* unknown records in a good event do not spoil it */
	ck_assert_ptr_nonnull(by_serial(&s.col, 710));
	ck_assert_str_eq(by_serial(&s.col, 710)->path, "/tmp/x");
	ck_assert_uint_eq(atomic_load(&s.st.malformed), 0);
	collected_free(&s.col);
	free(mixed);
	free(t);
}
END_TEST

/* --- ordering ------------------------------------------------------------- */

/* Serials out of order, and the same serial twice: each complete event
 * counts once, with its own name; nothing is mixed up. */
START_TEST(test_out_of_order_and_duplicate_serials)
{
	static const unsigned int order[] = { 730, 720, 725, 720, 740 };
	struct stream s;
	size_t i;
	char names[5][32];

	stream_open(&s);
	for (i = 0; i < 5; i++) {
		struct ev e = ev_default(order[i]);

		snprintf(names[i], sizeof(names[i]), "\"/tmp/o%zu\"", i);
		e.name = names[i];
		feed_ev(&s, &e);
	}
	feed_good(&s);
	stream_close(&s);
	expect_good(&s);
	ck_assert_uint_eq(count_serial(&s.col, 730), 1);
	ck_assert_uint_eq(count_serial(&s.col, 725), 1);
	ck_assert_uint_eq(count_serial(&s.col, 740), 1);
	ck_assert_uint_ge(count_serial(&s.col, 720), 1);
	ck_assert_uint_le(count_serial(&s.col, 720), 2);
	ck_assert_str_eq(by_serial(&s.col, 730)->path, "/tmp/o0");
	ck_assert_str_eq(by_serial(&s.col, 725)->path, "/tmp/o2");
	ck_assert_str_eq(by_serial(&s.col, 740)->path, "/tmp/o4");
	for (i = 0; i < s.col.n; i++)
		if (s.col.c[i]->serial == 720)
			ck_assert(!strcmp(s.col.c[i]->path, "/tmp/o1") ||
				  !strcmp(s.col.c[i]->path, "/tmp/o3"));
	collected_free(&s.col);
}
END_TEST

/* Two events whose records interleave (as they do from two CPUs). */
START_TEST(test_interleaved_events)
{
	struct stream s;
	struct ev a = ev_default(750), b = ev_default(751);
	char *ta, *tb, *la[8], *lb[8], *save;
	size_t na = 0, nb = 0, i;

	a.name = "\"/tmp/ia\"";
	b.name = "\"/tmp/ib\"";
	a.pid = "1111";
	b.pid = "2222";
	ta = ev_text(&a);
	tb = ev_text(&b);
	for (la[na] = strtok_r(ta, "\n", &save); la[na] && na < 7;
	     la[++na] = strtok_r(NULL, "\n", &save))
		;
	for (lb[nb] = strtok_r(tb, "\n", &save); lb[nb] && nb < 7;
	     lb[++nb] = strtok_r(NULL, "\n", &save))
		;
	ck_assert_uint_eq(na, nb);
	stream_open(&s);
	for (i = 0; i < na; i++) {
		stream_feed_str(&s, la[i]);
		stream_feed_str(&s, "\n");
		stream_feed_str(&s, lb[i]);
		stream_feed_str(&s, "\n");
	}
	feed_good(&s);
	stream_close(&s);
	expect_good(&s);
	ck_assert_ptr_nonnull(by_serial(&s.col, 750));
	ck_assert_ptr_nonnull(by_serial(&s.col, 751));
	ck_assert_str_eq(by_serial(&s.col, 750)->path, "/tmp/ia");
	ck_assert_int_eq(by_serial(&s.col, 750)->pid, 1111);
	ck_assert_str_eq(by_serial(&s.col, 751)->path, "/tmp/ib");
	ck_assert_int_eq(by_serial(&s.col, 751)->pid, 2222);
	collected_free(&s.col);
	free(ta);
	free(tb);
}
END_TEST

/* Events that never get their EOE (or PROCTITLE), followed by others:
 * the later events are not lost or merged into the open one. */
START_TEST(test_missing_eoe_then_others)
{
	struct stream s;
	struct ev open_ev = ev_default(760);
	char *t, *pt;
	unsigned int serial;

	open_ev.name = "\"/tmp/no-eoe\"";
	open_ev.eoe = false;
	t = ev_text(&open_ev);
	pt = strstr(t, "type=PROCTITLE");
	ck_assert_ptr_nonnull(pt);
	*pt = '\0';			/* no PROCTITLE either */
	stream_open(&s);
	stream_feed_str(&s, t);
	for (serial = 761; serial < 771; serial++) {
		struct ev e = ev_default(serial);

		feed_ev(&s, &e);
	}
	record_reader_age(&s.r);
	feed_good(&s);
	stream_close(&s);
	expect_good(&s);
	for (serial = 761; serial < 771; serial++) {
		ck_assert_msg(count_serial(&s.col, serial) == 1,
			      "event %u: %zu candidates", serial,
			      count_serial(&s.col, serial));
		ck_assert_str_eq(by_serial(&s.col, serial)->path, "/tmp/x");
	}
	/* the open one comes out at most once, by the end, as itself */
	ck_assert_uint_le(count_serial(&s.col, 760), 1);
	if (by_serial(&s.col, 760))
		ck_assert_str_eq(by_serial(&s.col, 760)->path, "/tmp/no-eoe");
	collected_free(&s.col);
	free(t);
}
END_TEST

/* A PATH or CWD record with no SYSCALL before it, and an EOE alone. */
START_TEST(test_orphan_records)
{
	struct stream s;

	stream_open(&s);
	stream_feed_str(&s,
		"type=PATH msg=audit(1700000000.300:780): item=0 "
		"name=\"/tmp/orphan\" inode=5 dev=00:28 mode=0100755 "
		"nametype=CREATE\n"
		"type=EOE msg=audit(1700000000.300:780): \n"
		"type=CWD msg=audit(1700000000.300:781): cwd=\"/\"\n"
		"type=EOE msg=audit(1700000000.300:782): \n"
		"type=EOE msg=audit(1700000000.300:782): \n");
	feed_good(&s);
	stream_close(&s);
	expect_good(&s);
	ck_assert_uint_eq(s.col.n, 1);
	collected_free(&s.col);
}
END_TEST

/* --- absurd values -------------------------------------------------------- */

static const struct {
	const char *what;
	const char *arch, *syscall, *exit, *pid, *items;
	const char *name, *dev, *mode;
	int malformed;		/* 1: counted as malformed, 0: not, -1: either */
	int candidate;		/* 1: a candidate, 0: none, -1: either */
} absurd[] = {
	{ "pid=-1", NULL, NULL, NULL, "-1", NULL, NULL, NULL, NULL, 1, 0 },
	{ "pid=99999999999", NULL, NULL, NULL, "99999999999", NULL, NULL, NULL,
	  NULL, 1, 0 },
	{ "pid=2147483648", NULL, NULL, NULL, "2147483648", NULL, NULL, NULL,
	  NULL, 1, 0 },
	{ "pid=0x10", NULL, NULL, NULL, "0x10", NULL, NULL, NULL, NULL, 1,
	  0 },
	{ "pid empty", NULL, NULL, NULL, "", NULL, NULL, NULL, NULL, 1, 0 },
	{ "exit=garbage", NULL, NULL, "garbage", NULL, NULL, NULL, NULL, NULL,
	  1, 0 },
	{ "exit=99999999999999999999", NULL, NULL, "99999999999999999999",
	  NULL, NULL, NULL, NULL, NULL, 1, 0 },
	{ "arch=zz", "zz", NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1, 0 },
	{ "arch=ffffffffffffffffff", "ffffffffffffffffff", NULL, NULL, NULL,
	  NULL, NULL, NULL, NULL, 1, 0 },
	{ "arch unknown to libaudit", "deadbeef", NULL, NULL, NULL, NULL,
	  NULL, NULL, NULL, 1, 0 },
	{ "syscall=999999", NULL, "999999", NULL, NULL, NULL, NULL, NULL, NULL,
	  1, 0 },
	{ "syscall=-1", NULL, "-1", NULL, NULL, NULL, NULL, NULL, NULL, 1,
	  0 },
	{ "syscall=abc", NULL, "abc", NULL, NULL, NULL, NULL, NULL, NULL, 1,
	  0 },
	/* the count of items is not trusted: the PATH records are */
	{ "items=100000", NULL, NULL, NULL, NULL, "100000", NULL, NULL, NULL,
	  0, 1 },
	{ "items=-5", NULL, NULL, NULL, NULL, "-5", NULL, NULL, NULL, 0, 1 },
	{ "dev=zz:zz", NULL, NULL, NULL, NULL, NULL, NULL, "zz:zz", NULL, 1,
	  0 },
	/* auparse drops an empty field: as if there were no dev=, the
	 * candidate has device 0:0, which no file matches */
	{ "dev=", NULL, NULL, NULL, NULL, NULL, NULL, "", NULL, -1, -1 },
	/* an unreadable mode is no mode: the inspector checks the file's
	 * type itself */
	{ "mode=999999999", NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	  "999999999", 0, 1 },
	{ "mode=7777777777777777777777", NULL, NULL, NULL, NULL, NULL, NULL,
	  NULL, "7777777777777777777777", 0, 1 },
	/* a name that does not decode is no name: nothing to check */
	{ "name of odd-length hex", NULL, NULL, NULL, NULL, NULL,
	  "2F746D702F78F", NULL, NULL, -1, 0 },
	{ "name of non-hex", NULL, NULL, NULL, NULL, NULL, "2F746D70ZZ", NULL,
	  NULL, -1, 0 },
	{ "name with a NUL byte in hex", NULL, NULL, NULL, NULL, NULL,
	  "2F746D70002F78", NULL, NULL, -1, 0 },
	{ "name unterminated quote", NULL, NULL, NULL, NULL, NULL,
	  "\"/tmp/x", NULL, NULL, -1, 0 },
	/* an empty name is the cwd: no file can match the PATH's inode */
	{ "name empty quotes", NULL, NULL, NULL, NULL, NULL, "\"\"", NULL,
	  NULL, -1, -1 },
};

START_TEST(test_absurd_values)
{
	struct stream s;
	struct ev e = ev_default(800);
	struct candidate *c;

	if (absurd[_i].arch)
		e.arch = absurd[_i].arch;
	if (absurd[_i].syscall)
		e.syscall = absurd[_i].syscall;
	if (absurd[_i].exit)
		e.exit = absurd[_i].exit;
	if (absurd[_i].pid)
		e.pid = absurd[_i].pid;
	if (absurd[_i].items)
		e.items = absurd[_i].items;
	if (absurd[_i].name)
		e.name = absurd[_i].name;
	if (absurd[_i].dev)
		e.dev = absurd[_i].dev;
	if (absurd[_i].mode)
		e.mode = absurd[_i].mode;
	stream_open(&s);
	feed_ev(&s, &e);
	feed_good(&s);
	stream_close(&s);
	expect_good(&s);
	c = by_serial(&s.col, 800);
	ck_assert_msg(absurd[_i].candidate < 0 ||
		      (c != NULL) == (absurd[_i].candidate == 1),
		      "%s: %s candidate", absurd[_i].what,
		      c ? "a" : "no");
	if (absurd[_i].malformed >= 0)
		ck_assert_msg(atomic_load(&s.st.malformed) ==
			      (unsigned)absurd[_i].malformed,
			      "%s: malformed=%llu", absurd[_i].what,
			      (unsigned long long)atomic_load(&s.st.malformed));
	if (c && absurd[_i].candidate == 1) {
		ck_assert_str_eq(c->path, "/tmp/x");
		ck_assert(c->pid > 0);
		ck_assert(!c->mode || c->mode <= 0177777);
	}
	collected_free(&s.col);
}
END_TEST

/* Everything above in one stream, then a good event: still detected,
 * and every unusable watched event counted. */
START_TEST(test_all_garbage_then_good)
{
	struct stream s;
	size_t i, expect_malformed = 0, big = 1 << 20;
	char *line = malloc(big);

	ck_assert_ptr_nonnull(line);
	memset(line, 'z', big);
	line[big - 1] = '\n';
	stream_open(&s);
	stream_feed(&s, line, big);
	for (i = 0; i < 20000; i++)
		stream_feed_str(&s, i % 2 ? "garbage\n" : "\0\n");
	for (i = 0; i < sizeof(absurd) / sizeof(absurd[0]); i++) {
		struct ev e = ev_default(1000 + (unsigned int)i);

		if (absurd[i].arch)
			e.arch = absurd[i].arch;
		if (absurd[i].syscall)
			e.syscall = absurd[i].syscall;
		if (absurd[i].exit)
			e.exit = absurd[i].exit;
		if (absurd[i].pid)
			e.pid = absurd[i].pid;
		if (absurd[i].items)
			e.items = absurd[i].items;
		if (absurd[i].name)
			e.name = absurd[i].name;
		if (absurd[i].dev)
			e.dev = absurd[i].dev;
		if (absurd[i].mode)
			e.mode = absurd[i].mode;
		e.eoe = i % 3 != 0;	/* some without EOE */
		feed_ev(&s, &e);
		if (absurd[i].malformed == 1)
			expect_malformed++;
	}
	stream_feed_str(&s, "type=SYSCALL msg=audit(1700000000.250:1500): \n");
	stream_feed(&s, "\0\0\xff\n", 4);
	feed_good(&s);
	stream_close(&s);
	expect_good(&s);
	ck_assert_uint_ge(atomic_load(&s.st.malformed), expect_malformed);
	for (i = 0; i < s.col.n; i++)
		ck_assert(s.col.c[i]->serial == GOOD_SERIAL ||
			  !absurd[s.col.c[i]->serial - 1000].malformed ||
			  absurd[s.col.c[i]->serial - 1000].malformed == -1);
	collected_free(&s.col);
	free(line);
}
END_TEST

/* Many good events after garbage: none is lost. */
START_TEST(test_keeps_detecting_under_volume)
{
	struct stream s;
	unsigned int i;

	stream_open(&s);
	for (i = 0; i < 400; i++) {
		struct ev e = ev_default(2000 + i);

		if (i % 4 == 1)
			stream_feed_str(&s, "type=PATH msg=audit(x): \n\n");
		if (i % 4 == 2)
			e.pid = "-7";	/* malformed */
		feed_ev(&s, &e);
	}
	feed_good(&s);
	stream_close(&s);
	expect_good(&s);
	ck_assert_uint_eq(s.col.n, 300 + 1);
	ck_assert_uint_eq(atomic_load(&s.st.malformed), 100);
	collected_free(&s.col);
}
END_TEST

/* The record program's suite (test_record.c) runs these too. */
void record_malformed_tcases(Suite *s)
{
	TCase *tz = tcase_create("sizes");
	TCase *tb = tcase_create("bytes");
	TCase *to = tcase_create("ordering");
	TCase *tv = tcase_create("values");

	tcase_set_timeout(tz, 120);
	tcase_add_test(tz, test_one_mib_line);
	tcase_add_test(tz, test_one_mib_record);
	tcase_add_test(tz, test_100k_garbage_lines);
	tcase_add_test(tz, test_all_garbage_then_good);
	tcase_add_test(tz, test_keeps_detecting_under_volume);
	suite_add_tcase(s, tz);

	tcase_add_test(tb, test_nul_in_values);
	tcase_add_test(tb, test_unknown_record_types);
	suite_add_tcase(s, tb);

	tcase_set_timeout(to, 30);
	tcase_add_test(to, test_out_of_order_and_duplicate_serials);
	tcase_add_test(to, test_interleaved_events);
	tcase_add_test(to, test_missing_eoe_then_others);
	tcase_add_test(to, test_orphan_records);
	suite_add_tcase(s, to);

	tcase_add_loop_test(tv, test_absurd_values, 0,
			    sizeof(absurd) / sizeof(absurd[0]));
	suite_add_tcase(s, tv);
}
