/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_prefilter.c -- the look at raw records before auparse: what is
 * dropped, what is handed on, and that no text a process chose can pass
 * for a header or a kernel field (intake/prefilter.c) */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "candidate.h"
#include "intake/prefilter.h"
#include "intake/record.h"
#include "util/stats.h"

#define SELF_PID	77
#define HOST_PID	4243

static struct prefilter pf;
static struct stats st;
static char *got;
static size_t got_len;

static void collect(const char *buf, size_t len, void *arg)
{
	(void)arg;
	got = realloc(got, got_len + len + 1);
	ck_assert_ptr_nonnull(got);
	memcpy(got + got_len, buf, len);
	got_len += len;
	got[got_len] = '\0';
}

/* HOST_PID is a host process the cache knows. */
static bool host_pid(pid_t pid, void *arg)
{
	(void)arg;
	return pid == HOST_PID;
}

static void setup(void)
{
	stats_reset(&st);
	got = NULL;
	got_len = 0;
	ck_assert_int_eq(prefilter_init(&pf, collect, host_pid, NULL, &st,
					SELF_PID), 0);
}

static void teardown(void)
{
	prefilter_destroy(&pf);
	free(got);
}

/* An openat(2) by PID with success YES, its CWD, PATH, PROCTITLE, EOE. */
static char *event(unsigned int serial, const char *success, int nr,
		   int pid)
{
	char *s;

	ck_assert_int_ge(asprintf(&s,
		"type=SYSCALL msg=audit(1800000000.%03u:%u): arch=c000003e "
		"syscall=%d success=%s exit=3 a0=ffffff9c a1=55d0 a2=241 "
		"a3=1b6 items=2 ppid=%d pid=%d auid=0 uid=0 gid=0 euid=0 "
		"suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 "
		"comm=\"sh\" exe=\"/bin/sh\" key=\"dropped_executable\"\x1d"
		"ARCH=x86_64 SYSCALL=openat AUID=\"root\"\n"
		"type=CWD msg=audit(1800000000.%03u:%u): cwd=\"/tmp\"\n"
		"type=PATH msg=audit(1800000000.%03u:%u): item=0 "
		"name=\"/tmp/x\" inode=5 dev=00:2a mode=0100644 ouid=0 "
		"ogid=0 rdev=00:00 nametype=CREATE cap_fp=0 cap_fi=0 "
		"cap_fe=0 cap_fver=0 cap_frootid=0\n"
		"type=PROCTITLE msg=audit(1800000000.%03u:%u): "
		"proctitle=7368\n"
		"type=EOE msg=audit(1800000000.%03u:%u): \n",
		serial % 1000, serial, nr, success, pid + 1000, pid,
		serial % 1000, serial, serial % 1000, serial,
		serial % 1000, serial, serial % 1000, serial), 0);
	return s;
}

static void feed_str(const char *s)
{
	prefilter_feed(&pf, s, strlen(s));
}

/* --- the header ---------------------------------------------------------- */

START_TEST(test_header)
{
	const char *l = "node=web1 type=SYSCALL msg=audit(1795484395.620:221734)"
			": arch=c000003e syscall=44\x1d" "ARCH=x86_64";
	struct raw_header h;

	ck_assert_int_eq(raw_header_parse(l, strlen(l), &h), 0);
	ck_assert_uint_eq(h.node_len, 4);
	ck_assert(!memcmp(h.node, "web1", 4));
	ck_assert_uint_eq(h.type_len, 7);
	ck_assert_uint_eq(h.sec, 1795484395);
	ck_assert_uint_eq(h.milli, 620);
	ck_assert_uint_eq(h.serial, 221734);
	ck_assert_uint_eq(h.body_len, strlen(" arch=c000003e syscall=44\x1d"
					     "ARCH=x86_64"));
}
END_TEST

/* What is not a header exactly is no header. */
START_TEST(test_header_bad)
{
	static const char *const bad[] = {
		"",
		"type=SYSCALL",
		"type= msg=audit(1.2:3): x=1",
		" type=SYSCALL msg=audit(1.2:3): x=1",
		"type=SYSCALL msg=audit(1.2:3) x=1",
		"type=SYSCALL msg=audit(1.2:4294967296): x=1",
		"type=SYSCALL msg=audit(1.2:-3): x=1",
		"type=SYSCALL msg=audit(1.2345:3): x=1",
		"type=SYSCALL msg=audit(1:3): x=1",
		"node=x",
		"user text type=SYSCALL msg=audit(1.2:3): x=1",
	};
	struct raw_header h;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(raw_header_parse(bad[i], strlen(bad[i]), &h) < 0,
			      "parsed: %s", bad[i]);
	/* a NUL ends nothing: the header must still be exact */
	ck_assert_int_lt(raw_header_parse("type=SYSCALL msg=audit(1.2\0:3): "
					  "x=1", 31, &h), 0);
}
END_TEST

/* A kernel field is a whole token: ppid= is not pid=. */
START_TEST(test_field_token)
{
	const char *b = " arch=c000003e ppid=1 pid=42 comm=\"apid=9\"";
	const char *v;

	ck_assert_int_eq(raw_field(b, strlen(b), "pid", &v), 2);
	ck_assert(!memcmp(v, "42", 2));
	ck_assert_int_eq(raw_field(b, strlen(b), "id", &v), -1);
	ck_assert_int_eq(raw_field(b, strlen(b), "arch", &v), 8);
}
END_TEST

/* --- decisions ------------------------------------------------------------ */

/* A watched call of a process that cannot be told goes on, whole. */
START_TEST(test_keep_watched)
{
	char *e = event(100, "yes", 257, 5000);

	feed_str(e);
	ck_assert_str_eq(got, e);
	ck_assert_uint_eq(atomic_load(&st.events), 0);
	free(e);
}
END_TEST

/* Another call, a failed one, the plugin's own: every record dropped,
 * the event counted. */
START_TEST(test_drop_unwatched)
{
	char *a = event(100, "yes", 44, 5000);		/* sendto */
	char *b = event(101, "no", 257, 5000);
	char *c = event(102, "yes", 257, SELF_PID);
	char *d = event(103, "yes", 257, 5000);

	feed_str(a);
	feed_str(b);
	feed_str(c);
	feed_str(d);
	ck_assert_str_eq(got, d);
	ck_assert_uint_eq(atomic_load(&st.events), 3);
	ck_assert_uint_eq(atomic_load(&st.out_of_scope), 0);
	free(a);
	free(b);
	free(c);
	free(d);
}
END_TEST

/* A host process the cache knows: dropped, counted out of scope. */
START_TEST(test_drop_known_host)
{
	char *a = event(100, "yes", 257, HOST_PID);

	feed_str(a);
	ck_assert_ptr_null(got);
	ck_assert_uint_eq(atomic_load(&st.candidates), 1);
	ck_assert_uint_eq(atomic_load(&st.out_of_scope), 1);
	free(a);
}
END_TEST

/* An event that does not begin with SYSCALL cannot be a candidate. */
START_TEST(test_drop_not_syscall)
{
	feed_str("type=CONFIG_CHANGE msg=audit(1.100:5): auid=0 ses=1 "
		 "op=remove_rule key=\"x\" list=4 res=0\n"
		 "type=SYSCALL msg=audit(1.100:5): arch=c000003e "
		 "syscall=257 success=yes exit=3 a2=241 ppid=1 pid=5000\n"
		 "type=EOE msg=audit(1.100:5): \n");
	ck_assert_ptr_null(got);
	ck_assert_uint_eq(atomic_load(&st.events), 1);
}
END_TEST

/* A USER record (any container with CAP_AUDIT_WRITE can send one) whose
 * text imitates a header and fields: read by its real header, dropped,
 * and the real event with the serial it names is kept. */
START_TEST(test_hostile_user_text)
{
	char *e = event(78, "yes", 257, 5000);

	feed_str("type=USER msg=audit(1800000000.077:77): pid=5000 uid=0 "
		 "auid=0 ses=1 msg='x type=SYSCALL msg=audit(1800000000.078"
		 ":78): arch=c000003e syscall=44 success=no pid=4243 '\n");
	feed_str(e);
	ck_assert_str_eq(got, e);
	free(e);
}
END_TEST

/* Fields after the ENRICHED separator are auditd's interpretation: a pid
 * found only there does not count. */
START_TEST(test_enriched_not_kernel)
{
	const char *l = "type=SYSCALL msg=audit(1.100:5): arch=c000003e "
			"syscall=257 success=yes exit=3 ppid=1\x1d pid=4243 "
			"success=no\n";

	feed_str(l);
	ck_assert_str_eq(got, l);
}
END_TEST

/* Two nodes number their events on their own: the same serial is two
 * events. */
START_TEST(test_nodes_apart)
{
	char *a = event(100, "yes", 44, 5000), *b = event(100, "yes", 257, 5000);
	char *na, *nb, *p, *q;
	size_t i;

	/* "node=web1 " before each record of A, "node=web2 " of B */
	na = malloc(strlen(a) * 2);
	nb = malloc(strlen(b) * 2);
	ck_assert_ptr_nonnull(na);
	ck_assert_ptr_nonnull(nb);
	for (i = 0, p = a, q = na; i < 2; i++, p = b, q = nb) {
		bool start = true;

		for (; *p; p++) {
			if (start)
				q += sprintf(q, "node=web%zu ", i + 1);
			*q++ = *p;
			start = *p == '\n';
		}
		*q = '\0';
	}
	feed_str(na);
	feed_str(nb);
	ck_assert_str_eq(got, nb);
	free(a);
	free(b);
	free(na);
	free(nb);
}
END_TEST

/* A line that is no record (or that this module cannot read) is left to
 * auparse. */
START_TEST(test_unreadable_kept)
{
	const char *l = "garbage line\n"
			"type=SYSCALL msg=audit(1.100:5): arch=zz syscall=257 "
			"success=yes pid=4243\n"
			"type=SYSCALL msg=audit(1.100:6): arch=c000003e "
			"syscall=99999 success=yes pid=4243\n";

	feed_str(l);
	ck_assert_str_eq(got, l);
}
END_TEST

/* The stream cut anywhere gives the same result as whole. */
START_TEST(test_split_anywhere)
{
	char *a = event(100, "yes", 44, 5000), *b = event(101, "yes", 257, 5000);
	char *all, *want;
	size_t len, cut, cut2;

	ck_assert_int_ge(asprintf(&all, "%s%s%s", a, b, a), 0);
	len = strlen(all);
	ck_assert_int_ge(asprintf(&want, "%s", b), 0);
	for (cut = 0; cut <= len; cut += 7) {
		for (cut2 = cut; cut2 <= len; cut2 += 131) {
			teardown();
			setup();
			prefilter_feed(&pf, all, cut);
			prefilter_feed(&pf, all + cut, cut2 - cut);
			prefilter_feed(&pf, all + cut2, len - cut2);
			prefilter_flush(&pf);
			ck_assert_msg(got && !strcmp(got, want),
				      "cut at %zu, %zu", cut, cut2);
		}
	}
	free(a);
	free(b);
	free(all);
	free(want);
}
END_TEST

/* A record longer than the buffer is handed on as it is. */
START_TEST(test_long_record)
{
	size_t n = PREFILTER_LINE_MAX + 5000, i;
	char *l = malloc(n + 1);

	ck_assert_ptr_nonnull(l);
	memcpy(l, "type=USER msg=audit(1.1:1): ", 28);
	memset(l + 28, 'a', n - 29);
	l[n - 1] = '\n';
	l[n] = '\0';
	for (i = 0; i < n; i += 4096)
		prefilter_feed(&pf, l + i, n - i < 4096 ? n - i : 4096);
	ck_assert_uint_eq(got_len, n);
	ck_assert(!memcmp(got, l, n));
	free(l);
}
END_TEST

/* The last record without a '\n' is decided at the end. */
START_TEST(test_flush_last)
{
	const char *l = "type=SYSCALL msg=audit(1.100:5): arch=c000003e "
			"syscall=257 success=yes pid=5000";

	feed_str(l);
	ck_assert_ptr_null(got);
	prefilter_flush(&pf);
	ck_assert_str_eq(got, l);
}
END_TEST

/* --- serials --------------------------------------------------------------- */

/* Serials missing from the stream are counted, once the stream is well
 * past them, whether their events were kept or dropped; auditd's own
 * DAEMON_* numbering is not followed. */
START_TEST(test_lost_serials)
{
	unsigned int s;
	char *e;

	for (s = 1000; s < 1000 + 2 * SERIAL_WINDOW; s++) {
		if (s >= 1500 && s < 1510)
			continue;
		e = event(s, "yes", s % 2 ? 44 : 257, 5000);
		feed_str(e);
		free(e);
		/* auditd's own numbering, here ahead of the kernel's */
		if (s % 100 == 0)
			feed_str("type=DAEMON_ROTATE msg=audit(1.1:99999): "
				 "x=1\n");
	}
	ck_assert_uint_eq(atomic_load(&st.lost_serials), 10);
}
END_TEST

/* --- the same candidates with and without it ------------------------------ */

#define SEEN_MAX	512

struct seen {
	size_t n;
	char *key[SEEN_MAX];	/* "serial path" of each candidate */
};

static void seen_add(struct candidate *c, void *arg)
{
	struct seen *s = arg;

	if (s->n < SEEN_MAX)
		ck_assert_int_ge(asprintf(&s->key[s->n++], "%llu %s",
					  (unsigned long long)c->serial,
					  c->path), 0);
	candidate_free(c);
}

static void to_records(const char *buf, size_t len, void *arg)
{
	record_reader_feed(arg, buf, len);
}

/* The candidates of FILE, fed straight to auparse or through the
 * prefilter (in CHUNK-byte pieces). */
static void candidates_of(const char *file, bool pre, size_t chunk,
			  struct seen *out)
{
	struct record_reader rr;
	struct prefilter p2;
	struct stats s2;
	size_t len, off, n;
	char *text = test_read_file(file, &len);

	stats_reset(&s2);
	ck_assert_int_eq(record_reader_init(&rr, seen_add, out, &s2, 1), 0);
	ck_assert_int_eq(prefilter_init(&p2, to_records, NULL, &rr, &s2, 1),
			 0);
	for (off = 0; off < len; off += n) {
		n = len - off < chunk ? len - off : chunk;
		if (pre)
			prefilter_feed(&p2, text + off, n);
		else
			record_reader_feed(&rr, text + off, n);
	}
	if (pre)
		prefilter_flush(&p2);
	record_reader_flush(&rr);
	record_reader_destroy(&rr);
	prefilter_destroy(&p2);
	free(text);
}

/* Real records: the prefilter drops no event that makes a candidate. */
START_TEST(test_same_candidates)
{
	static const char *const files[] = {
		FIXTURE_DIR "/podman-drops.log",
		FIXTURE_DIR "/names/names.log",
	};
	static const size_t chunks[] = { 1 << 20, 4096, 333 };
	size_t f, k, i;

	for (f = 0; f < 2; f++) {
		struct seen plain = { 0 }, filtered;

		candidates_of(files[f], false, 1 << 20, &plain);
		ck_assert_uint_gt(plain.n, 5);
		for (k = 0; k < 3; k++) {
			memset(&filtered, 0, sizeof(filtered));
			candidates_of(files[f], true, chunks[k], &filtered);
			ck_assert_uint_eq(filtered.n, plain.n);
			for (i = 0; i < plain.n; i++) {
				ck_assert_str_eq(filtered.key[i],
						 plain.key[i]);
				free(filtered.key[i]);
			}
		}
		for (i = 0; i < plain.n; i++)
			free(plain.key[i]);
	}
}
END_TEST

/* --- held events ---------------------------------------------------------- */

#define DROP_PID	5000	/* the decision drops its events */
#define NOHOLD_PID	5001	/* events of this writer are never held */

static char *decided;		/* the records DECIDE was given */
static size_t ndecided;

static bool hold_all(pid_t pid, void *arg)
{
	(void)arg;
	return pid != NOHOLD_PID;
}

static bool decide_by_pid(const struct prefilter_line *lines, size_t n,
			  void *arg)
{
	size_t i, old = decided ? strlen(decided) : 0;

	(void)arg;
	ndecided++;
	for (i = 0; i < n; i++) {
		decided = realloc(decided, old + lines[i].len + 2);
		ck_assert_ptr_nonnull(decided);
		memcpy(decided + old, lines[i].text, lines[i].len);
		old += lines[i].len;
		decided[old++] = '\n';
		decided[old] = '\0';
	}
	return !strstr(lines[0].text, " pid=5000 ");
}

static void setup_hold(void)
{
	setup();
	decided = NULL;
	ndecided = 0;
	prefilter_set_hold(&pf, hold_all, decide_by_pid);
}

static void teardown_hold(void)
{
	teardown();
	free(decided);
}

/* The lines of TEXT that do not hold NEEDLE, in order. */
static char *without(const char *text, const char *needle)
{
	char *out = calloc(1, strlen(text) + 1);
	const char *p = text, *nl;

	ck_assert_ptr_nonnull(out);
	while ((nl = strchr(p, '\n'))) {
		if (!memmem(p, (size_t)(nl - p), needle, strlen(needle)))
			strncat(out, p, (size_t)(nl + 1 - p));
		p = nl + 1;
	}
	return out;
}

/* A held event is decided once complete (at PROCTITLE, as auparse), from
 * its records alone; dropped whole, its EOE too; kept whole. */
START_TEST(test_hold_decides)
{
	char *a = event(10, "yes", 257, DROP_PID);
	char *b = event(11, "yes", 257, 4000);
	char *want;

	feed_str(a);
	ck_assert_uint_eq(got_len, 0);
	ck_assert_uint_eq(ndecided, 1);
	/* SYSCALL, CWD, PATH, PROCTITLE: the EOE comes after the end */
	ck_assert_ptr_nonnull(strstr(decided, "type=PROCTITLE"));
	ck_assert_ptr_null(strstr(decided, "type=EOE"));
	feed_str(b);
	prefilter_flush(&pf);
	ck_assert_uint_eq(ndecided, 2);
	ck_assert_str_eq(got, b);
	/* the decision counts what it drops; the prefilter did not */
	ck_assert_uint_eq(atomic_load(&st.events), 0);
	want = without(decided, "msg=audit(1800000000.010:10)");
	ck_assert_ptr_nonnull(strstr(want, "pid=4000"));
	free(want);
	free(a);
	free(b);
}
END_TEST

/* After a dropped event, a record of its stamp other than EOE is handed
 * on, as auparse would make a new event of it; an EOE is not. */
START_TEST(test_hold_after_drop)
{
	char *a = event(12, "yes", 257, DROP_PID);
	const char *late = "type=PATH msg=audit(1800000000.012:12): item=5 "
			   "name=\"/x\" nametype=CREATE\n";
	const char *eoe = "type=EOE msg=audit(1800000000.012:12): \n";
	char *want;

	feed_str(a);
	feed_str(eoe);
	ck_assert_uint_eq(got_len, 0);
	feed_str(late);
	feed_str(eoe);
	prefilter_flush(&pf);
	ck_assert_int_ge(asprintf(&want, "%s%s", late, eoe), 0);
	ck_assert_str_eq(got, want);
	free(want);
	free(a);
}
END_TEST

/* Records of other events wait behind a held one, in order: what is
 * handed on is the stream less the dropped event, whatever the pieces. */
START_TEST(test_hold_interleaved)
{
	char *ev[3] = { event(20, "yes", 257, DROP_PID),
			event(21, "yes", 257, NOHOLD_PID),
			event(22, "yes", 257, 4000) };
	char *lines[3][8], *text = calloc(1, 8192), *want, *copy[3];
	size_t n[3] = { 0, 0, 0 }, k, e, chunk;

	ck_assert_ptr_nonnull(text);
	for (e = 0; e < 3; e++) {
		copy[e] = strdup(ev[e]);
		for (char *l = strtok(copy[e], "\n"); l;
		     l = strtok(NULL, "\n"))
			lines[e][n[e]++] = l;
	}
	for (k = 0; k < 5; k++)
		for (e = 0; e < 3; e++) {
			strcat(text, lines[e][k]);
			strcat(text, "\n");
		}
	want = without(text, "msg=audit(1800000000.020:20)");
	for (chunk = 1; chunk <= 4096; chunk *= 8) {
		size_t off, len = strlen(text), m;

		teardown_hold();
		setup_hold();
		for (off = 0; off < len; off += m) {
			m = len - off < chunk ? len - off : chunk;
			prefilter_feed(&pf, text + off, m);
		}
		prefilter_flush(&pf);
		ck_assert_str_eq(got, want);
		ck_assert_uint_eq(ndecided, 2);	/* 21 is not held */
	}
	for (e = 0; e < 3; e++) {
		free(ev[e]);
		free(copy[e]);
	}
	free(text);
	free(want);
}
END_TEST

/* An event that never ends is handed on undecided: when the input is
 * idle, at its end, or once too many events began after it. */
START_TEST(test_hold_released)
{
	char *a = event(30, "yes", 257, DROP_PID);
	char *b, *text;
	size_t i;

	*strstr(a, "type=PROCTITLE") = '\0';	/* SYSCALL, CWD, PATH */
	feed_str(a);
	ck_assert_uint_eq(got_len, 0);
	prefilter_release(&pf);
	ck_assert_str_eq(got, a);
	ck_assert_uint_eq(ndecided, 0);

	/* then its end: it goes on as it began */
	b = event(30, "yes", 257, DROP_PID);
	feed_str(strstr(b, "type=PROCTITLE"));
	ck_assert_str_eq(got, b);
	free(b);

	/* too many later events (never held: NOHOLD_PID) */
	free(got);
	got = NULL;
	got_len = 0;
	text = strdup("");
	b = event(31, "yes", 257, DROP_PID);
	*strstr(b, "type=PROCTITLE") = '\0';
	feed_str(b);
	for (i = 0; i <= PREFILTER_HOLD_EVENTS + 1; i++) {
		char *c = event((unsigned int)(40 + i), "yes", 257,
				NOHOLD_PID), *t;

		feed_str(c);
		ck_assert_int_ge(asprintf(&t, "%s%s", text, c), 0);
		free(text);
		free(c);
		text = t;
	}
	ck_assert_uint_eq(ndecided, 0);
	ck_assert_uint_eq(got_len, strlen(b) + strlen(text));
	ck_assert(!strncmp(got, b, strlen(b)));
	free(b);
	free(text);
	free(a);
}
END_TEST

/* A record a second newer than a held event: auparse would time the
 * event out, so it is handed on undecided. */
START_TEST(test_hold_newer_second)
{
	char *a = event(50, "yes", 257, DROP_PID);
	const char *later = "type=USER msg=audit(1800000001.000:51): "
			    "pid=1 msg='x'\n";

	*strstr(a, "type=PROCTITLE") = '\0';
	feed_str(a);
	feed_str(later);	/* itself dropped: no SYSCALL event */
	ck_assert_uint_eq(ndecided, 0);
	ck_assert_str_eq(got, a);
	free(a);
}
END_TEST

/*
 * On a fresh prefilter, a held event of SERIAL cut before its PROCTITLE,
 * then LEN bytes of NEXT, a record auparse may read as part of it: the
 * event goes on undecided, NEXT after it.
 */
static void undecided_before(unsigned int serial, const char *next,
			     size_t len)
{
	char *a = event(serial, "yes", 257, DROP_PID);

	teardown_hold();
	setup_hold();
	*strstr(a, "type=PROCTITLE") = '\0';
	feed_str(a);
	prefilter_feed(&pf, next, len);
	ck_assert_uint_eq(ndecided, 0);
	ck_assert_uint_eq(got_len, strlen(a) + len);
	free(a);
}

/* A record whose header cannot be read, or one of auditd's own, may be
 * part of a held event for auparse: the event is handed on undecided. */
START_TEST(test_hold_unreadable_releases)
{
	static const char *const odd[] = {
		"type=PATH  msg=audit(1800000000.060:60): item=1 dev=00:28\n",
		"type=DAEMON_ROTATE msg=audit(1800000000.060:60): x=1\n",
	};
	size_t i;

	for (i = 0; i < 2; i++)
		undecided_before(60, odd[i], strlen(odd[i]));
}
END_TEST

/* A NUL in a header, or a header longer than auparse looks: auparse may
 * read it as no record or another event's, so the held event goes on
 * undecided. */
START_TEST(test_hold_header_auparse_reads)
{
	static const char nul[] = "type=P\0ATH msg=audit(1800000000.065:65): "
				  "item=1 dev=00:28\n";
	char *longer;

	undecided_before(65, nul, sizeof(nul) - 1);
	ck_assert_int_ge(asprintf(&longer,
		"type=PROCTITLE%s msg=audit(1800000000.065:65)"
		": proctitle=7368\n",
		"XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"), 0);
	undecided_before(65, longer, strlen(longer));
	free(longer);
}
END_TEST

/* Gaps in the serials count the same whether events are held or not. */
START_TEST(test_hold_lost_serials)
{
	static const unsigned int serials[] = { 70, 71, 73, 74, 78 };
	uint64_t lost[2];
	size_t i, round;

	for (round = 0; round < 2; round++) {
		teardown_hold();
		setup_hold();
		if (round)
			prefilter_set_hold(&pf, NULL, NULL);
		for (i = 0; i < 5; i++) {
			char *e = event(serials[i], "yes", 257,
					i % 2 ? DROP_PID : 4000);

			feed_str(e);
			free(e);
		}
		prefilter_flush(&pf);
		lost[round] = atomic_load(&st.lost_serials);
	}
	ck_assert_uint_eq(lost[0], lost[1]);
	ck_assert_uint_eq(lost[0], 4);	/* 72, 75, 76, 77 */
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("prefilter");
	TCase *tc = tcase_create("prefilter"), *th;
	/* test_lost_serials feeds 8192 events: slow under the sanitizers */
	tcase_set_timeout(tc, 60);

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_header);
	tcase_add_test(tc, test_header_bad);
	tcase_add_test(tc, test_field_token);
	tcase_add_test(tc, test_keep_watched);
	tcase_add_test(tc, test_drop_unwatched);
	tcase_add_test(tc, test_drop_known_host);
	tcase_add_test(tc, test_drop_not_syscall);
	tcase_add_test(tc, test_hostile_user_text);
	tcase_add_test(tc, test_enriched_not_kernel);
	tcase_add_test(tc, test_nodes_apart);
	tcase_add_test(tc, test_unreadable_kept);
	tcase_add_test(tc, test_split_anywhere);
	tcase_add_test(tc, test_long_record);
	tcase_add_test(tc, test_flush_last);
	tcase_add_test(tc, test_lost_serials);
	tcase_add_test(tc, test_same_candidates);
	suite_add_tcase(s, tc);
	th = tcase_create("hold");
	tcase_add_checked_fixture(th, setup_hold, teardown_hold);
	tcase_add_test(th, test_hold_decides);
	tcase_add_test(th, test_hold_after_drop);
	tcase_add_test(th, test_hold_interleaved);
	tcase_add_test(th, test_hold_released);
	tcase_add_test(th, test_hold_newer_second);
	tcase_add_test(th, test_hold_unreadable_releases);
	tcase_add_test(th, test_hold_header_auparse_reads);
	tcase_add_test(th, test_hold_lost_serials);
	suite_add_tcase(s, th);
	return s;
}
