/* SPDX-License-Identifier: GPL-2.0-or-later */
/* testlib.c -- main() of every unit test program, TAP output, helpers
 *
 * main() runs the program's suite with Check (CK_FORK as the environment
 * says, the default: each test in a child process) and prints one TAP
 * line per test. Check's results carry no test names, so Check also
 * writes its own TAP log to a temporary file, in the same order, from
 * which the names are taken. A failure whose message starts with
 * SKIP_MARK (test_skip()) is reported as a skip.
 */
#include "testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check/inspector.h"
#include "intake/reader.h"

#define SKIP_MARK	"SKIP: "

void test_skip(const char *fmt, ...)
{
	char reason[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	ck_abort_msg(SKIP_MARK "%s", reason);
	abort();	/* not reached: ck_abort_msg() does not return */
}

char *test_mkdtemp(void)
{
	const char *base = getenv("TMPDIR");
	char *tmpl;

	if (!base || !*base)
		base = "/tmp";
	ck_assert_int_ne(asprintf(&tmpl, "%s/dropexec-test.XXXXXX", base), -1);
	ck_assert_msg(mkdtemp(tmpl) != NULL, "mkdtemp(%s): %s", tmpl,
		      strerror(errno));
	return tmpl;
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void test_rmtree(const char *dir)
{
	if (dir)
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

char *test_write_file(const char *dir, const char *name, const void *data,
		      size_t len, mode_t mode)
{
	const char *p = data;
	char *path;
	int fd;

	ck_assert_int_ne(asprintf(&path, "%s/%s", dir, name), -1);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_msg(fd >= 0, "open(%s): %s", path, strerror(errno));
	while (len) {
		ssize_t n = write(fd, p, len);

		ck_assert_msg(n > 0, "write(%s): %s", path, strerror(errno));
		p += n;
		len -= (size_t)n;
	}
	ck_assert_int_eq(fchmod(fd, mode), 0);
	ck_assert_int_eq(close(fd), 0);
	return path;
}

char *test_fake_proc(pid_t pid, char **root, char **pid_dir)
{
	char *base = test_mkdtemp(), *pdir, *link, *tmp;

	ck_assert_int_ne(asprintf(&pdir, "%s/%d", base, (int)pid), -1);
	ck_assert_int_ne(asprintf(root, "%s/root", base), -1);
	ck_assert_int_ne(asprintf(&tmp, "%s/tmp", *root), -1);
	ck_assert_int_ne(asprintf(&link, "%s/root", pdir), -1);
	ck_assert_int_eq(mkdir(pdir, 0755), 0);
	ck_assert_int_eq(mkdir(*root, 0755), 0);
	ck_assert_int_eq(mkdir(tmp, 0755), 0);
	ck_assert_int_eq(symlink(*root, link), 0);
	free(link);
	free(tmp);
	if (pid_dir)
		*pid_dir = pdir;
	else
		free(pdir);
	return base;
}

/* BASE/PID/SUB, its directories made as needed (malloc'd path). */
static char *fake_pid_dir(const char *base, pid_t pid, const char *sub)
{
	char *dir;

	ck_assert_int_ne(asprintf(&dir, "%s/%d", base, (int)pid), -1);
	mkdir(dir, 0755);
	free(dir);
	ck_assert_int_ne(asprintf(&dir, "%s/%d/%s", base, (int)pid, sub), -1);
	mkdir(dir, 0755);
	return dir;
}

void test_fake_fdinfo(const char *base, pid_t pid, int fd, const char *text)
{
	char *dir = fake_pid_dir(base, pid, "fdinfo"), *name;

	ck_assert_int_ne(asprintf(&name, "%d", fd), -1);
	free(test_write_file(dir, name, text, strlen(text), 0444));
	free(dir);
	free(name);
}

void test_fake_fdinfo_close(const char *base, pid_t pid, int fd)
{
	char *name;

	ck_assert_int_ne(asprintf(&name, "%s/%d/fdinfo/%d", base, (int)pid,
				  fd), -1);
	ck_assert_int_eq(unlink(name), 0);
	free(name);
}

uint64_t test_fake_pidns(const char *base, pid_t pid, const char *ns_file)
{
	char *dir = fake_pid_dir(base, pid, "ns"), *link;
	struct stat st;

	ck_assert_int_ne(asprintf(&link, "%s/pid", dir), -1);
	ck_assert_int_eq(symlink(ns_file, link), 0);
	ck_assert_int_eq(stat(link, &st), 0);
	free(dir);
	free(link);
	return st.st_ino;
}

void test_reader_init(struct reader *rd, struct inspector *in,
		      struct stats *st, enum scope_mode mode,
		      size_t queue_size)
{
	struct config cfg;

	config_defaults(&cfg);
	free(cfg.json_log);
	cfg.json_log = NULL;
	cfg.audit_record = false;
	cfg.scope = mode;
	cfg.queue_size = queue_size;
	stats_reset(st);
	ck_assert_int_eq(inspector_init(in, &cfg, st, NULL,
					FIXTURE_DIR "/proc",
					FIXTURE_DIR "/mountinfo"), 0);
	config_free(&cfg);
	ck_assert_int_eq(reader_init(rd, in, mode, st, 1,
				     FIXTURE_DIR "/proc",
				     FIXTURE_DIR "/mountinfo"), 0);
}

char *test_tmpdir;

void test_tmpdir_setup(void)
{
	test_tmpdir = test_mkdtemp();
}

void test_tmpdir_teardown(void)
{
	test_rmtree(test_tmpdir);
	free(test_tmpdir);
	test_tmpdir = NULL;
}

int test_config_load_text(const char *text, struct config *cfg,
			  struct config_errors *errs)
{
	char *path = test_write_file(test_tmpdir, "dropexec.conf", text,
				     strlen(text), 0600);
	int rc = config_load(path, cfg, errs, true);

	free(path);
	return rc;
}

char *test_read_file(const char *path, size_t *len)
{
	struct stat st;
	size_t got = 0;
	char *buf;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_msg(fd >= 0, "open(%s): %s", path, strerror(errno));
	ck_assert_int_eq(fstat(fd, &st), 0);
	buf = malloc((size_t)st.st_size + 1);
	ck_assert_ptr_nonnull(buf);
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		ck_assert_msg(n > 0, "read(%s): %s", path, strerror(errno));
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	if (len)
		*len = got;
	return buf;
}

struct candidate *test_candidate(const char *path)
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
	memcpy(c->container.id, TEST_PODMAN_ID, CONTAINER_ID_LEN);
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

/* --- running the suite ---------------------------------------------------- */

/*
 * The name of each of the N tests, in the order of srunner_results(),
 * from Check's TAP log TAP: its line for test I is
 * "ok|not ok I - FILE:TCASE:TEST: MESSAGE" (a message may go on over
 * more lines). Names not found stay NULL.
 */
static char **test_names(const char *tap, TestResult **res, int n)
{
	char **names = calloc((size_t)n + 1, sizeof(*names));
	char *line = NULL, *p, *end, want[64];
	size_t cap = 0;
	int i = 0, k;
	FILE *f;

	if (!names)
		return NULL;
	f = fopen(tap, "re");
	if (!f)
		return names;
	while (i < n && getline(&line, &cap, f) > 0) {
		p = line;
		if (!strncmp(p, "not ", 4))
			p += 4;
		snprintf(want, sizeof(want), "ok %d - ", i + 1);
		if (strncmp(p, want, strlen(want)))
			continue;		/* a message's next line */
		k = snprintf(want, sizeof(want), ":%s:", tr_tcname(res[i]));
		p = k > 0 && (size_t)k < sizeof(want) ? strstr(p, want) : NULL;
		if (p) {
			p += k;
			end = strchr(p, ':');
			if (end)
				names[i] = strndup(p, (size_t)(end - p));
		}
		i++;
	}
	free(line);
	fclose(f);
	return names;
}

/* Print TEXT as TAP diagnostics, "# " before each of its lines. */
static void diag(const char *text)
{
	const char *nl;

	do {
		nl = strchr(text, '\n');
		printf("# %.*s\n", nl ? (int)(nl - text) : (int)strlen(text),
		       text);
		text = nl + 1;
	} while (nl && *text);
}

/* "tcase:test", and "[i]" after it for the runs of a loop test. */
static void print_label(TestResult **res, char **names, int n, int i,
			int iter)
{
	const char *name = names && names[i] ? names[i] : "?";
	bool loop = false;

	if (i + 1 < n && !strcmp(tr_tcname(res[i + 1]), tr_tcname(res[i])) &&
	    names && names[i + 1] && !strcmp(names[i + 1], name))
		loop = true;
	printf("%s:%s", tr_tcname(res[i]), name);
	if (loop || iter > 0)
		printf("[%d]", iter);
}

static const char *context_name(enum ck_result_ctx ctx)
{
	switch (ctx) {
	case CK_CTX_SETUP:
		return " (in the setup)";
	case CK_CTX_TEARDOWN:
		return " (in the teardown)";
	default:
		return "";
	}
}

/*
 * Run test_suite() and print TAP. Exit status 0 when nothing failed
 * (skips are not failures).
 */
int main(void)
{
	const char *base = getenv("TMPDIR");
	TestResult **res;
	SRunner *sr;
	char *tap, **names;
	int n, i, iter = 0, failed = 0, fd;

	if (!base || !*base)
		base = "/tmp";
	if (asprintf(&tap, "%s/dropexec-tap.XXXXXX", base) < 0)
		return EXIT_FAILURE;
	fd = mkstemp(tap);
	if (fd < 0) {
		printf("Bail out! mkstemp(%s): %s\n", tap, strerror(errno));
		return EXIT_FAILURE;
	}
	close(fd);

	sr = srunner_create(test_suite());
	srunner_set_tap(sr, tap);
	srunner_run_all(sr, CK_SILENT);
	n = srunner_ntests_run(sr);
	res = srunner_results(sr);
	names = test_names(tap, res, n);
	unlink(tap);
	free(tap);

	printf("1..%d\n", n);
	for (i = 0; i < n; i++) {
		const char *msg = tr_msg(res[i]);
		int type = tr_rtype(res[i]);

		if (i > 0 && names && names[i] && names[i - 1] &&
		    !strcmp(names[i], names[i - 1]) &&
		    !strcmp(tr_tcname(res[i]), tr_tcname(res[i - 1])))
			iter++;
		else
			iter = 0;
		if (type == CK_PASS) {
			printf("ok %d - ", i + 1);
			print_label(res, names, n, i, iter);
			printf("\n");
		} else if (type == CK_FAILURE && msg &&
			   !strncmp(msg, SKIP_MARK, strlen(SKIP_MARK))) {
			printf("ok %d - ", i + 1);
			print_label(res, names, n, i, iter);
			printf(" # SKIP ");
			for (msg += strlen(SKIP_MARK); *msg; msg++)
				putchar(*msg == '\n' ? ' ' : *msg);
			printf("\n");
		} else {
			char *why;

			failed++;
			printf("not ok %d - ", i + 1);
			print_label(res, names, n, i, iter);
			printf("\n");
			if (asprintf(&why, "%s:%d: %s%s",
				     tr_lfile(res[i]) ? tr_lfile(res[i]) : "?",
				     tr_lno(res[i]), msg ? msg : "",
				     context_name(tr_ctx(res[i]))) >= 0) {
				diag(why);
				free(why);
			}
		}
	}
	fflush(stdout);

	if (names)
		for (i = 0; i < n; i++)
			free(names[i]);
	free(names);
	free(res);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
