/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_record.c -- from the audit record stream to candidates */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "candidate.h"
#include "intake/record.h"
#include "util/stats.h"

/*
 * tests/fixtures/podman-drops.log: real ENRICHED records of a podman+runc
 * container (see tests/fixtures/README.md). Serials:
 *   7       podman opens /dev/null for writing (char device)
 *   8-11    podman's own host writes (bolt_state.db, storage.lock)
 *   280     runc on the host writes its state file
 *   301-313 runc init in the container (comm "runc:[2:INIT]", exe "/")
 *   319     cp /bin/busybox /tmp/dropped
 *   320     echo hello > /tmp/text.txt
 *   321     cat /bin/busybox > /tmp/redir
 *   322     cp to /tmp/d/x.part, 323 mv to /tmp/d/x, 324 ln to /tmp/hard
 *   325     cd /tmp && cat ... > rel
 *   326     cp to /dev/shm/shm
 *   416     host cp to /tmp/hostdrop
 */
#define FIXTURE_LOG	FIXTURE_DIR "/podman-drops.log"
#define NOT_ME		1	/* init: never writes in these records */
#define MAX_COLLECT	256

struct collected {
	struct candidate *c[MAX_COLLECT];
	size_t n;
};

static void collect(struct candidate *c, void *arg)
{
	struct collected *col = arg;

	ck_assert_ptr_nonnull(c);
	if (col->n < MAX_COLLECT)
		col->c[col->n++] = c;
	else
		candidate_free(c);
}

static void collected_free(struct collected *col)
{
	size_t i;

	for (i = 0; i < col->n; i++)
		candidate_free(col->c[i]);
	col->n = 0;
}

/* Feed LEN bytes of TEXT in CHUNK-byte pieces, then flush. */
static void feed(const char *text, size_t len, size_t chunk, pid_t self,
		 struct collected *col, struct stats *st)
{
	struct record_reader r;
	size_t off;

	ck_assert_int_eq(record_reader_init(&r, collect, col, st, self), 0);
	for (off = 0; off < len; off += chunk)
		record_reader_feed(&r, text + off,
				   len - off < chunk ? len - off : chunk);
	record_reader_flush(&r);
	record_reader_destroy(&r);
}

static void feed_str(const char *text, pid_t self, struct collected *col,
		     struct stats *st)
{
	feed(text, strlen(text), strlen(text) + 1, self, col, st);
}

static char *fixture_log(size_t *len)
{
	return test_read_file(FIXTURE_LOG, len);
}

static void feed_fixture(size_t chunk, pid_t self, struct collected *col,
			 struct stats *st)
{
	size_t len;
	char *text = fixture_log(&len);

	feed(text, len, chunk, self, col, st);
	free(text);
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

/* --- the real records ----------------------------------------------------- */

/* The candidates of the whole fixture, read in one piece by someone not
 * in it: fed before each test of the "fixture" case, freed after. */
static struct collected fix;

static void fixture_setup(void)
{
	feed_fixture(1 << 20, NOT_ME, &fix, NULL);
}

static void fixture_teardown(void)
{
	collected_free(&fix);
}

/* The candidate of SERIAL in the fixture; the test fails without one. */
static struct candidate *fixture_serial(uint64_t serial)
{
	struct candidate *c = by_serial(&fix, serial);

	ck_assert_msg(c != NULL, "serial %llu is not a candidate",
		      (unsigned long long)serial);
	return c;
}

START_TEST(test_fixture_candidate_set)
{
	static const uint64_t expected[] = {
		8, 9, 10, 11, 280, 302, 319, 320, 321, 322, 323, 324, 325, 326,
		416,
	};
	struct collected col = { .n = 0 };
	struct stats st;
	size_t i;

	stats_reset(&st);
	feed_fixture(1 << 20, NOT_ME, &col, &st);
	for (i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
		ck_assert_msg(by_serial(&col, expected[i]) != NULL,
			      "serial %llu is not a candidate",
			      (unsigned long long)expected[i]);
	ck_assert_uint_eq(col.n, sizeof(expected) / sizeof(expected[0]));
	ck_assert_uint_eq(atomic_load(&st.events), 18);
	ck_assert_uint_eq(atomic_load(&st.malformed), 0);
	collected_free(&col);
}
END_TEST

START_TEST(test_fixture_319_cp_elf)
{
	struct candidate *c = fixture_serial(319);

	ck_assert_str_eq(c->path, "/tmp/dropped");
	ck_assert_ptr_null(c->old_path);
	ck_assert_int_eq(c->op, FILE_OP_OPEN);
	ck_assert_str_eq(c->syscall, "openat");
	ck_assert_int_eq(c->syscall_nr, 257);
	ck_assert_str_eq(c->arch, "x86_64");
	ck_assert_uint_eq(c->arch_code, 0xc000003e);
	ck_assert(c->success);
	ck_assert_int_eq(c->exit, 4);
	ck_assert_int_eq(c->fd, 4);
	ck_assert(c->has_inode);
	ck_assert_uint_eq(c->dev_major, 0x00);
	ck_assert_uint_eq(c->dev_minor, 0x28);
	ck_assert_uint_eq(c->inode, 1073288);
	ck_assert_uint_eq(c->mode, 0100755);
	ck_assert_str_eq(c->comm, "cp");
	ck_assert_str_eq(c->exe, "/bin/busybox");
	ck_assert_str_eq(c->cwd, "/");
	ck_assert_int_eq(c->pid, 2843);
	ck_assert_int_eq(c->ppid, 2832);
	ck_assert_int_eq(c->uid, 0);
	ck_assert_int_eq(c->auid, 4294967295LL);
	ck_assert_uint_eq(c->sec, 1795481314);
	ck_assert_uint_eq(c->milli, 100);
	/* the PATH items are kept for the finding, bounded */
	ck_assert_uint_ge(c->npaths, 2);
	ck_assert_uint_le(c->npaths, CANDIDATE_MAX_PATHS);
	ck_assert_str_eq(c->paths[1].name, "/tmp/dropped");
	ck_assert_str_eq(c->paths[1].nametype, "CREATE");
	/* and the raw lines of the event */
	ck_assert_ptr_nonnull(c->records);
	ck_assert_ptr_nonnull(strstr(c->records, "type=SYSCALL"));
	ck_assert_ptr_nonnull(strstr(c->records, "name=\"/tmp/dropped\""));
	ck_assert_ptr_null(strstr(c->records, "audit(1795481314.100:320)"));
}
END_TEST

/* Writes of files that turn out not to be executables are candidates
 * too: the inspector decides on content. */
START_TEST(test_fixture_text_and_redirect)
{
	struct candidate *c = fixture_serial(320);

	ck_assert_str_eq(c->path, "/tmp/text.txt");
	ck_assert_str_eq(c->comm, "sh");
	ck_assert_int_eq(c->fd, 3);
	ck_assert_uint_eq(c->inode, 1073289);
	c = fixture_serial(321);
	ck_assert_str_eq(c->path, "/tmp/redir");
	c = fixture_serial(322);
	ck_assert_str_eq(c->path, "/tmp/d/x.part");
}
END_TEST

START_TEST(test_fixture_323_rename)
{
	struct candidate *c = fixture_serial(323);

	ck_assert_int_eq(c->op, FILE_OP_RENAME);
	ck_assert_str_eq(c->syscall, "rename");
	ck_assert_str_eq(c->path, "/tmp/d/x");
	ck_assert_str_eq(c->old_path, "/tmp/d/x.part");
	/* the CREATE item's device (the overlay), not the DELETE's fe:00 */
	ck_assert_uint_eq(c->dev_major, 0x00);
	ck_assert_uint_eq(c->dev_minor, 0x28);
	ck_assert_uint_eq(c->inode, 1073292);
	ck_assert_int_eq(c->fd, -1);	/* a rename returns no descriptor */
	ck_assert_str_eq(c->comm, "mv");
}
END_TEST

START_TEST(test_fixture_324_link)
{
	struct candidate *c = fixture_serial(324);

	ck_assert_int_eq(c->op, FILE_OP_LINK);
	ck_assert_str_eq(c->syscall, "link");
	ck_assert_str_eq(c->path, "/tmp/hard");
	ck_assert_str_eq(c->old_path, "/tmp/d/x");
	ck_assert_uint_eq(c->inode, 1073292);
	ck_assert_uint_eq(c->dev_minor, 0x28);
	ck_assert_int_eq(c->fd, -1);
}
END_TEST

START_TEST(test_fixture_325_relative_name)
{
	struct candidate *c = fixture_serial(325);

	ck_assert_str_eq(c->cwd, "/tmp");
	ck_assert_str_eq(c->path, "/tmp/rel");
	ck_assert_uint_eq(c->inode, 1073293);
}
END_TEST

/* Scope filtering is not the reader's job: /dev/shm and host writes
 * come out as candidates, with what scope needs to decide. */
START_TEST(test_fixture_shm_and_host)
{
	struct candidate *c = fixture_serial(326);

	ck_assert_str_eq(c->path, "/dev/shm/shm");
	c = fixture_serial(416);
	ck_assert_str_eq(c->path, "/tmp/hostdrop");
	ck_assert_str_eq(c->exe, "/usr/bin/cp");
	ck_assert_uint_eq(c->dev_major, 0xfe);
	ck_assert_uint_eq(c->dev_minor, 0x00);
	ck_assert_int_eq(c->ppid, 2796);
}
END_TEST

/*
 * runc's init names itself "runc:[2:INIT]" and shows an exe of "/": any
 * process in a user namespace can show the same, so neither decides.
 * Its writes to /dev/null and its exec FIFO are no regular files; its
 * write to /proc/sys (302) is a candidate, which the check lets go by
 * the file system it is on (proc), not by the writer's name.
 */
START_TEST(test_fixture_runc_init_not_trusted)
{
	ck_assert_ptr_null(by_serial(&fix, 301));
	ck_assert_str_eq(fixture_serial(302)->path,
			 "/proc/sys/net/ipv4/ping_group_range");
	ck_assert_ptr_null(by_serial(&fix, 313));
	/* runc on the host (exe /usr/sbin/runc) is an ordinary writer */
	fixture_serial(280);
}
END_TEST

START_TEST(test_fixture_dev_null_ignored)
{
	size_t i;

	ck_assert_ptr_null(by_serial(&fix, 7));
	for (i = 0; i < fix.n; i++) {
		ck_assert_str_ne(fix.c[i]->path, "/dev/null");
		ck_assert(!fix.c[i]->mode || S_ISREG(fix.c[i]->mode));
	}
}
END_TEST

/* auditd hands over whatever read() returned: any split must work. */
START_TEST(test_fixture_any_chunking)
{
	static const size_t chunks[] = { 1, 7, 100, 4096 };
	struct collected bits = { .n = 0 };
	size_t i;

	feed_fixture(chunks[_i], NOT_ME, &bits, NULL);
	ck_assert_uint_eq(bits.n, fix.n);
	for (i = 0; i < fix.n; i++) {
		ck_assert_uint_eq(bits.c[i]->serial, fix.c[i]->serial);
		ck_assert_str_eq(bits.c[i]->path, fix.c[i]->path);
		ck_assert_uint_eq(bits.c[i]->inode, fix.c[i]->inode);
		ck_assert_str_eq(bits.c[i]->comm, fix.c[i]->comm);
		ck_assert_str_eq(bits.c[i]->records, fix.c[i]->records);
	}
	collected_free(&bits);
}
END_TEST

/* Our own writes (the JSON log) must not feed back. */
START_TEST(test_fixture_self_pid_ignored)
{
	struct collected col = { .n = 0 };

	feed_fixture(1 << 20, 2843, &col, NULL);	/* the cp of 319 */
	ck_assert_ptr_null(by_serial(&col, 319));
	ck_assert_ptr_nonnull(by_serial(&col, 322));
	ck_assert_uint_eq(col.n, 14);	/* 302, runc init, is one */
	collected_free(&col);
}
END_TEST

/* --- crafted events ------------------------------------------------------- */

struct ev {
	unsigned int serial;
	const char *arch, *syscall, *success, *exit;
	const char *a0, *a1, *a2;
	const char *pid;	/* whole "pid=N" text, "" for none */
	const char *comm, *exe, *cwd;
	const char *item, *name, *nametype, *mode, *dev;
	bool eoe;
};

static struct ev ev_default(void)
{
	struct ev e = {
		.serial = 500, .arch = "c000003e", .syscall = "257",
		.success = "yes", .exit = "3", .a0 = "ffffff9c",
		.a1 = "7ffd52ac29b0", .a2 = "241", .pid = "pid=1234",
		.comm = "\"cp\"", .exe = "\"/usr/bin/cp\"",
		.cwd = "\"/root\"", .item = "1", .name = "\"/tmp/x\"",
		.nametype = "CREATE", .mode = "0100755", .dev = "08:01",
		.eoe = true,
	};

	return e;
}

/* A RAW-format event (no ENRICHED part), as auditd writes it. */
static char *ev_text(const struct ev *e)
{
	char eoe[64] = "", *out;

	if (e->eoe)
		snprintf(eoe, sizeof(eoe),
			 "type=EOE msg=audit(1700000000.250:%u): \n",
			 e->serial);
	ck_assert_int_ne(asprintf(&out,
		"type=SYSCALL msg=audit(1700000000.250:%u): arch=%s "
		"syscall=%s success=%s exit=%s a0=%s a1=%s a2=%s a3=1ed "
		"items=2 ppid=1200 %s auid=1000 uid=1001 gid=1002 euid=0 "
		"suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=7 comm=%s "
		"exe=%s subj=unconfined key=\"dropped_executable\"\n"
		"type=CWD msg=audit(1700000000.250:%u): cwd=%s\n"
		"type=PATH msg=audit(1700000000.250:%u): item=0 name=\"/tmp/\" "
		"inode=2 dev=08:01 mode=041777 ouid=0 ogid=0 rdev=00:00 "
		"nametype=PARENT cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 "
		"cap_frootid=0\n"
		"type=PATH msg=audit(1700000000.250:%u): item=%s name=%s "
		"inode=99 dev=%s mode=%s ouid=0 ogid=0 rdev=00:00 "
		"nametype=%s cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 "
		"cap_frootid=0\n"
		"type=PROCTITLE msg=audit(1700000000.250:%u): "
		"proctitle=6370002F746D702F78\n%s",
		e->serial, e->arch, e->syscall, e->success, e->exit, e->a0,
		e->a1, e->a2, e->pid, e->comm, e->exe, e->serial, e->cwd,
		e->serial, e->serial, e->item, e->name, e->dev, e->mode,
		e->nametype, e->serial, eoe), -1);
	return out;
}

/* Feed one crafted event; returns how many candidates came out. */
static size_t run_ev(const struct ev *e, struct collected *col,
		     struct stats *st)
{
	char *text = ev_text(e);

	feed_str(text, NOT_ME, col, st);
	free(text);
	return col->n;
}

START_TEST(test_raw_event)
{
	struct ev e = ev_default();
	struct collected col = { .n = 0 };
	struct candidate *c;

	ck_assert_uint_eq(run_ev(&e, &col, NULL), 1);
	c = col.c[0];
	ck_assert_uint_eq(c->serial, 500);
	ck_assert_uint_eq(c->sec, 1700000000);
	ck_assert_uint_eq(c->milli, 250);
	ck_assert_str_eq(c->path, "/tmp/x");
	ck_assert_str_eq(c->syscall, "openat");
	ck_assert_str_eq(c->arch, "x86_64");
	ck_assert_int_eq(c->pid, 1234);
	ck_assert_int_eq(c->ppid, 1200);
	ck_assert_int_eq(c->uid, 1001);
	ck_assert_int_eq(c->gid, 1002);
	ck_assert_int_eq(c->euid, 0);
	ck_assert_int_eq(c->auid, 1000);
	ck_assert_int_eq(c->ses, 7);
	ck_assert_str_eq(c->comm, "cp");
	ck_assert_str_eq(c->exe, "/usr/bin/cp");
	ck_assert_str_eq(c->cwd, "/root");
	ck_assert_uint_eq(c->dev_major, 8);
	ck_assert_uint_eq(c->dev_minor, 1);
	ck_assert_uint_eq(c->inode, 99);
	ck_assert_int_eq(c->fd, 3);
	collected_free(&col);
}
END_TEST

/* An event without EOE completes at its PROCTITLE, or at the flush. */
START_TEST(test_raw_event_without_eoe)
{
	struct ev e = ev_default();
	struct collected col = { .n = 0 };

	e.eoe = false;
	ck_assert_uint_eq(run_ev(&e, &col, NULL), 1);
	ck_assert_str_eq(col.c[0]->path, "/tmp/x");
	collected_free(&col);
}
END_TEST

/*
 * An event that its PROCTITLE completes is emitted by the feed that
 * brings that record, not by a later one: the prefilter may hand on
 * nothing more for as long as the host's own events keep coming (each
 * dropped before auparse), and the check must not wait for the
 * container's next event, which may never come.
 */
START_TEST(test_event_emitted_without_next_record)
{
	struct ev e = ev_default();
	struct collected col = { .n = 0 };
	struct record_reader r;
	char *text;

	e.eoe = false;
	text = ev_text(&e);
	ck_assert_int_eq(record_reader_init(&r, collect, &col, NULL, NOT_ME),
			 0);
	record_reader_feed(&r, text, strlen(text));
	ck_assert_uint_eq(col.n, 1);
	ck_assert_str_eq(col.c[0]->path, "/tmp/x");
	record_reader_flush(&r);
	ck_assert_uint_eq(col.n, 1);
	record_reader_destroy(&r);
	collected_free(&col);
	free(text);
}
END_TEST

static const struct {
	const char *a2;
	bool write;
} open_flags[] = {
	{ "0", false },		/* O_RDONLY */
	{ "80000", false },	/* O_RDONLY|O_CLOEXEC */
	{ "8800", false },	/* O_RDONLY|O_NONBLOCK|O_LARGEFILE */
	{ "1", true },		/* O_WRONLY */
	{ "2", true },		/* O_RDWR */
	{ "241", true },	/* O_WRONLY|O_CREAT|O_TRUNC */
	{ "80042", true },	/* O_RDWR|O_CREAT|O_CLOEXEC */
	{ "c1", true },		/* O_WRONLY|O_CREAT|O_EXCL */
};

START_TEST(test_open_flags)
{
	struct ev e = ev_default();
	struct collected col = { .n = 0 };

	e.a2 = open_flags[_i].a2;
	e.nametype = "NORMAL";
	ck_assert_msg(run_ev(&e, &col, NULL) == (open_flags[_i].write ? 1 : 0),
		      "openat flags %s", open_flags[_i].a2);
	collected_free(&col);
}
END_TEST

/*
 * New content: a created, truncated, renamed or linked file. An existing
 * file merely opened for writing is flagged otherwise (it only counts
 * once written).
 */
static const struct {
	const char *syscall, *a2, *nametype;
	bool new_content;
} contents[] = {
	{ "257", "241", "CREATE", true },	/* O_CREAT|O_TRUNC, created */
	{ "257", "201", "NORMAL", true },	/* O_WRONLY|O_TRUNC */
	{ "257", "1", "NORMAL", false },	/* O_WRONLY, existing */
	{ "257", "42", "NORMAL", false },	/* O_RDWR|O_CREAT, existed */
	{ "257", "441", "NORMAL", false },	/* O_WRONLY|O_APPEND|O_CREAT */
	{ "85", "0", "NORMAL", true },		/* creat() truncates */
};

START_TEST(test_new_content)
{
	struct ev e = ev_default();
	struct collected col = { .n = 0 };

	e.syscall = contents[_i].syscall;
	e.a2 = contents[_i].a2;
	e.nametype = contents[_i].nametype;
	ck_assert_uint_eq(run_ev(&e, &col, NULL), 1);
	ck_assert_msg(col.c[0]->new_content == contents[_i].new_content,
		      "syscall %s flags %s %s", contents[_i].syscall,
		      contents[_i].a2, contents[_i].nametype);
	collected_free(&col);
}
END_TEST

START_TEST(test_fixture_new_content)
{
	ck_assert(fixture_serial(319)->new_content);	/* created */
	/* a rename or link places existing content: the inspector
	 * decides by the file's mtime, not by the record */
	ck_assert(!fixture_serial(323)->new_content);
	ck_assert_int_eq(fixture_serial(323)->op, FILE_OP_RENAME);
	ck_assert(!fixture_serial(324)->new_content);
	ck_assert_int_eq(fixture_serial(324)->op, FILE_OP_LINK);
	ck_assert(!fixture_serial(8)->new_content);	/* bolt_state.db */
}
END_TEST

/* open(2) has its flags in a1, not a2. */
START_TEST(test_open_flags_in_a1)
{
	struct ev e = ev_default();
	struct collected col = { .n = 0 };

	e.syscall = "2";
	e.a0 = "55d0c0de1000";
	e.a1 = "0";
	e.a2 = "241";
	ck_assert_uint_eq(run_ev(&e, &col, NULL), 0);
	e.a1 = "241";
	e.a2 = "0";
	ck_assert_uint_eq(run_ev(&e, &col, NULL), 1);
	ck_assert_str_eq(col.c[0]->syscall, "open");
	collected_free(&col);
}
END_TEST

START_TEST(test_failed_call_ignored)
{
	struct ev e = ev_default();
	struct collected col = { .n = 0 };
	struct stats st;

	stats_reset(&st);
	e.success = "no";
	e.exit = "-13";
	ck_assert_uint_eq(run_ev(&e, &col, &st), 0);
	ck_assert_uint_eq(atomic_load(&st.malformed), 0);
	ck_assert_uint_eq(atomic_load(&st.events), 1);
}
END_TEST

/* Calls that are not watched (here read(2)) are not candidates. */
START_TEST(test_other_syscall_ignored)
{
	struct ev e = ev_default();
	struct collected col = { .n = 0 };

	e.syscall = "0";
	ck_assert_uint_eq(run_ev(&e, &col, NULL), 0);
}
END_TEST

START_TEST(test_hex_name_decoded)
{
	struct ev e = ev_default();
	struct collected col = { .n = 0 };

	e.name = "2F746D702F612062";		/* "/tmp/a b" */
	e.comm = "6D7920636F6D6D";		/* "my comm" */
	e.cwd = "2F686F6D652F6D792064697222";	/* /home/my dir" */
	ck_assert_uint_eq(run_ev(&e, &col, NULL), 1);
	ck_assert_str_eq(col.c[0]->path, "/tmp/a b");
	ck_assert_str_eq(col.c[0]->comm, "my comm");
	ck_assert_str_eq(col.c[0]->cwd, "/home/my dir\"");
	collected_free(&col);
}
END_TEST

START_TEST(test_relative_hex_name_joined)
{
	struct ev e = ev_default();
	struct collected col = { .n = 0 };

	e.name = "6120FF";			/* "a \xff" */
	e.cwd = "\"/srv/\"";
	ck_assert_uint_eq(run_ev(&e, &col, NULL), 1);
	ck_assert_str_eq(col.c[0]->path, "/srv/a \xff");
	collected_free(&col);
}
END_TEST

/* A regular-file PATH is needed; devices, FIFOs and dirs never count. */
static const struct {
	const char *mode;
	bool candidate;
} modes[] = {
	{ "0100644", true },
	{ "020666", false },	/* char device: /dev/null */
	{ "060660", false },	/* block device */
	{ "010644", false },	/* FIFO */
	{ "0140777", false },	/* socket */
	{ "040755", false },	/* directory */
};

START_TEST(test_file_modes)
{
	struct ev e = ev_default();
	struct collected col = { .n = 0 };

	e.mode = modes[_i].mode;
	e.nametype = "NORMAL";
	e.name = "\"/dev/null\"";
	ck_assert_msg(run_ev(&e, &col, NULL) == (modes[_i].candidate ? 1 : 0),
		      "mode %s", modes[_i].mode);
	collected_free(&col);
}
END_TEST

/* A process showing runc's name, with any exe, is still seen. */
START_TEST(test_runc_name_with_real_exe)
{
	struct ev e = ev_default();
	struct collected col = { .n = 0 };

	/* the attack: a container process in a user namespace shows
	 * runc's comm and an exe of "/"; its write is a candidate */
	e.comm = "\"runc:[2:INIT]\"";
	e.exe = "\"/\"";
	ck_assert_uint_eq(run_ev(&e, &col, NULL), 1);
	e.exe = "\"/bin/busybox\"";
	ck_assert_uint_eq(run_ev(&e, &col, NULL), 2);
	collected_free(&col);
}
END_TEST

/* 32-bit programs on a 64-bit kernel: i386 numbers and names. */
START_TEST(test_i386_openat)
{
	struct ev e = ev_default();
	struct collected col = { .n = 0 };

	e.arch = "40000003";
	e.syscall = "295";		/* openat on i386 */
	ck_assert_uint_eq(run_ev(&e, &col, NULL), 1);
	ck_assert_str_eq(col.c[0]->syscall, "openat");
	ck_assert_str_eq(col.c[0]->arch, "i386");
	ck_assert_uint_eq(col.c[0]->arch_code, 0x40000003);
	ck_assert_int_eq(col.c[0]->syscall_nr, 295);
	ck_assert_str_eq(col.c[0]->path, "/tmp/x");
	collected_free(&col);

	/* 257 is not openat on i386 (it is remap_file_pages) */
	e.syscall = "257";
	ck_assert_uint_eq(run_ev(&e, &col, NULL), 0);
}
END_TEST

START_TEST(test_i386_creat)
{
	struct ev e = ev_default();
	struct collected col = { .n = 0 };

	e.arch = "40000003";
	e.syscall = "8";		/* creat: always for writing */
	e.a0 = "804a000";
	e.a1 = "1ed";
	e.a2 = "0";
	ck_assert_uint_eq(run_ev(&e, &col, NULL), 1);
	ck_assert_str_eq(col.c[0]->syscall, "creat");
	ck_assert_int_eq(col.c[0]->op, FILE_OP_OPEN);
	ck_assert_int_eq(col.c[0]->fd, 3);
	collected_free(&col);
}
END_TEST

/* --- malformed input ------------------------------------------------------ */

START_TEST(test_missing_pid_is_malformed)
{
	struct ev e = ev_default();
	struct collected col = { .n = 0 };
	struct stats st;

	stats_reset(&st);
	e.pid = "";
	ck_assert_uint_eq(run_ev(&e, &col, &st), 0);
	ck_assert_uint_eq(atomic_load(&st.malformed), 1);

	stats_reset(&st);
	e.pid = "pid=abc";
	ck_assert_uint_eq(run_ev(&e, &col, &st), 0);
	ck_assert_uint_eq(atomic_load(&st.malformed), 1);

	stats_reset(&st);
	e.pid = "pid=0";
	ck_assert_uint_eq(run_ev(&e, &col, &st), 0);
	ck_assert_uint_eq(atomic_load(&st.malformed), 1);
}
END_TEST

START_TEST(test_absurd_item_is_malformed)
{
	static const char *const items[] = {
		"99999", "-1", "18446744073709551617", "x",
	};
	struct ev e = ev_default();
	struct collected col = { .n = 0 };
	struct stats st;

	stats_reset(&st);
	e.item = items[_i];
	ck_assert_uint_eq(run_ev(&e, &col, &st), 0);
	ck_assert_uint_eq(atomic_load(&st.malformed), 1);
}
END_TEST

START_TEST(test_bad_arch_or_exit_is_malformed)
{
	struct ev e;
	struct collected col = { .n = 0 };
	struct stats st;

	stats_reset(&st);
	e = ev_default();
	e.arch = "zzzz";
	ck_assert_uint_eq(run_ev(&e, &col, &st), 0);
	e = ev_default();
	e.syscall = "99999999999";
	ck_assert_uint_eq(run_ev(&e, &col, &st), 0);
	e = ev_default();
	e.exit = "three";
	ck_assert_uint_eq(run_ev(&e, &col, &st), 0);
	e = ev_default();
	e.a2 = "notflags";
	ck_assert_uint_eq(run_ev(&e, &col, &st), 0);
	e = ev_default();
	e.dev = "0828";
	ck_assert_uint_eq(run_ev(&e, &col, &st), 0);
	ck_assert_uint_eq(atomic_load(&st.malformed), 5);
}
END_TEST

/* Garbage between events neither crashes nor hides the next event. */
START_TEST(test_garbage_lines)
{
	struct ev e = ev_default();
	struct collected col = { .n = 0 };
	char *good = ev_text(&e), *text;

	ck_assert_int_ne(asprintf(&text,
		"hello world\n"
		"\n"
		"type=\n"
		"type=SYSCALL\n"
		"type=SYSCALL msg=audit(\n"
		"type=SYSCALL msg=audit(1.2:3): \n"
		"type=PATH msg=audit(99.1:77): item=0 name=\"/x\"\n"
		"=====\n"
		"\x1d\x1d\x1d\n"
		"%s", good), -1);
	feed_str(text, NOT_ME, &col, NULL);
	ck_assert_ptr_nonnull(by_serial(&col, 500));
	ck_assert_str_eq(by_serial(&col, 500)->path, "/tmp/x");
	collected_free(&col);
	free(text);
	free(good);
}
END_TEST

/* The input ends in the middle of a record: no candidate from it. */
START_TEST(test_truncated_record)
{
	struct collected col = { .n = 0 };
	struct stats st;
	struct ev e = ev_default();
	char *text = ev_text(&e);
	char *cut = strstr(text, "name=\"/tmp/x");

	ck_assert_ptr_nonnull(cut);
	cut[9] = '\0';			/* ...name="/tmp */
	stats_reset(&st);
	feed_str(text, NOT_ME, &col, &st);
	ck_assert_uint_eq(col.n, 0);
	free(text);
}
END_TEST

/* Every prefix of a real event, fed and flushed: never a crash, never
 * a candidate with a path other than the real one. */
START_TEST(test_every_prefix)
{
	size_t len, cut;
	char *text = fixture_log(&len);
	char *start = strstr(text, "msg=audit(1795481314.104:323)");
	char *end = strstr(text, "msg=audit(1795481314.104:324)");

	ck_assert_ptr_nonnull(start);
	ck_assert_ptr_nonnull(end);
	start -= strlen("type=SYSCALL ");	/* the first line of 323 */
	end -= strlen("type=SYSCALL ");
	ck_assert(!strncmp(start, "type=SYSCALL ", 13));
	for (cut = 0; cut <= (size_t)(end - start); cut += 3) {
		struct collected col = { .n = 0 };
		size_t i;

		feed(start, cut, cut + 1, NOT_ME, &col, NULL);
		for (i = 0; i < col.n; i++)
			ck_assert_str_eq(col.c[i]->path, "/tmp/d/x");
		collected_free(&col);
	}
	free(text);
}
END_TEST

/*
 * NUL bytes inside a record neither end the line early nor derail the
 * stream: here one stands where the space before "pid=" was, so a reader
 * that stopped at the NUL would lose the pid and drop the event.
 */
START_TEST(test_nul_bytes)
{
	struct ev e = ev_default();
	struct collected col = { .n = 0 };
	char *first, *second, *buf, *sp;
	size_t l1, l2;

	first = ev_text(&e);
	e.serial = 501;
	e.name = "\"/tmp/second\"";
	second = ev_text(&e);
	l1 = strlen(first);
	l2 = strlen(second);
	buf = malloc(l1 + l2 + 4);
	ck_assert_ptr_nonnull(buf);
	memcpy(buf, first, l1);
	memcpy(buf + l1, "\0\0\n", 3);
	memcpy(buf + l1 + 3, second, l2);
	buf[l1 + 3 + l2] = '\0';
	sp = strstr(buf, " pid=1234");
	ck_assert_ptr_nonnull(sp);
	*sp = '\0';
	feed(buf, l1 + 3 + l2, l1 + 3 + l2, NOT_ME, &col, NULL);
	ck_assert_ptr_nonnull(by_serial(&col, 500));
	ck_assert_str_eq(by_serial(&col, 500)->path, "/tmp/x");
	ck_assert_int_eq(by_serial(&col, 500)->pid, 1234);
	ck_assert_str_eq(by_serial(&col, 500)->exe, "/usr/bin/cp");
	ck_assert_ptr_nonnull(by_serial(&col, 501));
	ck_assert_str_eq(by_serial(&col, 501)->path, "/tmp/second");
	collected_free(&col);
	free(buf);
	free(first);
	free(second);
}
END_TEST

/* Too many PATH items: the first ones are kept, no overflow. */
START_TEST(test_many_path_items)
{
	struct collected col = { .n = 0 };
	char *text = NULL, *line;
	size_t len = 0, i;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	fprintf(f, "type=SYSCALL msg=audit(1700000001.000:600): arch=c000003e "
		"syscall=257 success=yes exit=5 a0=ffffff9c a1=1 a2=241 "
		"a3=1ed items=40 ppid=1 pid=600 auid=0 uid=0 gid=0 euid=0 "
		"ses=1 comm=\"x\" exe=\"/x\"\n"
		"type=CWD msg=audit(1700000001.000:600): cwd=\"/\"\n");
	for (i = 0; i < 40; i++) {
		ck_assert_int_ne(asprintf(&line,
			"type=PATH msg=audit(1700000001.000:600): item=%zu "
			"name=\"/tmp/f%zu\" inode=%zu dev=00:28 mode=0100755 "
			"nametype=%s\n", i, i, 1000 + i,
			i == 0 ? "CREATE" : "PARENT"), -1);
		fputs(line, f);
		free(line);
	}
	fprintf(f, "type=EOE msg=audit(1700000001.000:600): \n");
	fclose(f);
	feed_str(text, NOT_ME, &col, NULL);
	ck_assert_uint_eq(col.n, 1);
	ck_assert_str_eq(col.c[0]->path, "/tmp/f0");
	ck_assert_uint_eq(col.c[0]->npaths, CANDIDATE_MAX_PATHS);
	ck_assert_uint_le(strlen(col.c[0]->records), CANDIDATE_MAX_RECORDS);
	collected_free(&col);
	free(text);
}
END_TEST

/* An execution: the program is item 0 (not the interpreters after it),
 * the command line comes from the EXECVE record, hex and split
 * arguments decoded. */
START_TEST(test_execve)
{
	struct collected col = { .n = 0 };
	struct candidate *c;
	const char *text =
		"type=SYSCALL msg=audit(1700000000.250:600): arch=c000003e "
		"syscall=59 success=yes exit=0 a0=55d0 a1=55e0 a2=55f0 a3=0 "
		"items=2 ppid=1200 pid=1300 auid=4294967295 uid=0 gid=0 "
		"euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) "
		"ses=4294967295 comm=\"x\" exe=\"/tmp/x\" subj=unconfined "
		"key=\"dropped_executable\"\n"
		"type=EXECVE msg=audit(1700000000.250:600): argc=4 a0=\"/tmp/x\" "
		"a1=\"-c\" a2=6120620A27 a3_len=6 a3[0]=\"abc\" a3[1]=\"def\"\n"
		"type=CWD msg=audit(1700000000.250:600): cwd=\"/\"\n"
		"type=PATH msg=audit(1700000000.250:600): item=0 name=\"/tmp/x\" "
		"inode=77 dev=00:33 mode=0100755 ouid=0 ogid=0 rdev=00:00 "
		"nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 "
		"cap_frootid=0\n"
		"type=PATH msg=audit(1700000000.250:600): item=1 "
		"name=\"/lib64/ld-linux-x86-64.so.2\" inode=88 dev=00:33 "
		"mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL "
		"cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0\n"
		"type=PROCTITLE msg=audit(1700000000.250:600): "
		"proctitle=2F746D702F78\n"
		"type=EOE msg=audit(1700000000.250:600): \n";

	feed_str(text, NOT_ME, &col, NULL);
	ck_assert_uint_eq(col.n, 1);
	c = col.c[0];
	ck_assert_int_eq(c->op, FILE_OP_EXEC);
	ck_assert_str_eq(c->syscall, "execve");
	ck_assert_str_eq(c->path, "/tmp/x");
	ck_assert_uint_eq(c->inode, 77);
	ck_assert_uint_eq(c->dev_major, 0);
	ck_assert_uint_eq(c->dev_minor, 0x33);
	ck_assert_int_eq(c->fd, -1);
	ck_assert_uint_eq(c->argc, 4);
	ck_assert_str_eq(c->cmdline, "/tmp/x -c a b\n' abcdef");
	ck_assert(!c->cmdline_cut);
	collected_free(&col);
}
END_TEST

/* A failed execution is no candidate. */
START_TEST(test_execve_failed)
{
	struct ev e = ev_default();
	struct collected col = { .n = 0 };

	e.syscall = "59";
	e.success = "no";
	e.exit = "-2";
	ck_assert_uint_eq(run_ev(&e, &col, NULL), 0);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("record");
	TCase *tf = tcase_create("fixture");
	TCase *tc = tcase_create("crafted");
	TCase *tm = tcase_create("malformed");

	tcase_set_timeout(tf, 30);
	tcase_add_checked_fixture(tf, fixture_setup, fixture_teardown);
	tcase_add_test(tf, test_fixture_candidate_set);
	tcase_add_test(tf, test_fixture_319_cp_elf);
	tcase_add_test(tf, test_fixture_text_and_redirect);
	tcase_add_test(tf, test_fixture_323_rename);
	tcase_add_test(tf, test_fixture_324_link);
	tcase_add_test(tf, test_fixture_325_relative_name);
	tcase_add_test(tf, test_fixture_shm_and_host);
	tcase_add_test(tf, test_fixture_runc_init_not_trusted);
	tcase_add_test(tf, test_fixture_dev_null_ignored);
	tcase_add_loop_test(tf, test_fixture_any_chunking, 0, 4);
	tcase_add_test(tf, test_fixture_self_pid_ignored);
	tcase_add_test(tf, test_fixture_new_content);
	suite_add_tcase(s, tf);

	tcase_add_test(tc, test_raw_event);
	tcase_add_test(tc, test_raw_event_without_eoe);
	tcase_add_test(tc, test_event_emitted_without_next_record);
	tcase_add_loop_test(tc, test_open_flags, 0,
			    sizeof(open_flags) / sizeof(open_flags[0]));
	tcase_add_test(tc, test_open_flags_in_a1);
	tcase_add_loop_test(tc, test_new_content, 0,
			    sizeof(contents) / sizeof(contents[0]));
	tcase_add_test(tc, test_failed_call_ignored);
	tcase_add_test(tc, test_other_syscall_ignored);
	tcase_add_test(tc, test_hex_name_decoded);
	tcase_add_test(tc, test_relative_hex_name_joined);
	tcase_add_loop_test(tc, test_file_modes, 0,
			    sizeof(modes) / sizeof(modes[0]));
	tcase_add_test(tc, test_runc_name_with_real_exe);
	tcase_add_test(tc, test_i386_openat);
	tcase_add_test(tc, test_i386_creat);
	tcase_add_test(tc, test_execve);
	tcase_add_test(tc, test_execve_failed);
	suite_add_tcase(s, tc);

	tcase_set_timeout(tm, 60);
	tcase_add_test(tm, test_missing_pid_is_malformed);
	tcase_add_loop_test(tm, test_absurd_item_is_malformed, 0, 4);
	tcase_add_test(tm, test_bad_arch_or_exit_is_malformed);
	tcase_add_test(tm, test_garbage_lines);
	tcase_add_test(tm, test_truncated_record);
	tcase_add_test(tm, test_every_prefix);
	tcase_add_test(tm, test_nul_bytes);
	tcase_add_test(tm, test_many_path_items);
	suite_add_tcase(s, tm);

	record_malformed_tcases(s);
	record_names_tcases(s);
	return s;
}
