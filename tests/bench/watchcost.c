/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * watchcost -- the watch list's own cost, without auditd
 * (tests/bench/watch.sh --direct). Built against the build tree's
 * libdropexec.a.
 *
 *   watchcost PID CID N SECONDS WATCH_MAX
 *
 * PID (in container CID, full id) holds /tmp/logs/log0 .. log(N-1) open
 * for writing as descriptors 3 .. N+2 (holdlogs.c). One open candidate
 * per file, as the reader makes them, goes to a checker with the real
 * /proc and mount tables; then the inspector's loop runs for SECONDS.
 * Prints one line: files watched, looks again, searches for an
 * inheritor, and the CPU seconds of the checking thread and of its
 * worker process over the loop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "check/pipeline.h"
#include "util/timeutil.h"

static int findings;

static int count_emit(struct sink *s, const struct finding *f)
{
	(void)s;
	(void)f;
	findings++;
	return 0;
}

/* User + system CPU seconds of process PID. */
static double cpu_of(pid_t pid)
{
	char buf[512], path[64], *p;
	unsigned long u = 0, s = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')))
		sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
		       "%lu %lu", &u, &s);
	fclose(f);
	return (double)(u + s) / (double)sysconf(_SC_CLK_TCK);
}

static double self_cpu(void)
{
	struct rusage r;

	getrusage(RUSAGE_SELF, &r);
	return (double)r.ru_utime.tv_sec + (double)r.ru_stime.tv_sec +
	       ((double)r.ru_utime.tv_usec + (double)r.ru_stime.tv_usec) / 1e6;
}

static struct candidate *open_of(pid_t pid, const char *cid, int i)
{
	struct candidate *c = candidate_new();
	char name[64], path[256];
	struct timespec ts;
	struct stat st;

	snprintf(name, sizeof(name), "/tmp/logs/log%d", i);
	snprintf(path, sizeof(path), "/proc/%d/root%s", (int)pid, name);
	if (!c || stat(path, &st) < 0) {
		fprintf(stderr, "watchcost: %s missing\n", path);
		exit(1);
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	c->pid = pid;
	c->ppid = 1;
	c->fd = 3 + i;
	c->path = strdup(name);
	c->comm = strdup("holdlogs");
	c->exe = strdup("/bin/holdlogs");
	c->op = FILE_OP_OPEN;
	c->new_content = true;
	c->has_inode = true;
	c->inode = st.st_ino;
	c->dev_major = major(st.st_dev);
	c->dev_minor = minor(st.st_dev);
	c->mode = st.st_mode;
	c->sec = (uint64_t)ts.tv_sec;
	c->milli = (unsigned int)(ts.tv_nsec / 1000000);
	c->first_seen_ms = now_ms();
	c->container.in_container = true;
	c->container.source = SCOPE_SRC_PID;
	snprintf(c->container.id, sizeof(c->container.id), "%s", cid);
	snprintf(c->container.runtime, sizeof(c->container.runtime), "podman");
	return c;
}

int main(int argc, char **argv)
{
	struct sink sink = { .name = "count", .emit = count_emit };
	double self0, worker0, self1, worker1;
	struct report report;
	struct checker ck;
	struct config cfg;
	struct stats st;
	uint64_t end;
	pid_t pid;
	int i, n, secs;

	if (argc != 6)
		return 2;
	pid = (pid_t)atoi(argv[1]);
	n = atoi(argv[3]);
	secs = atoi(argv[4]);
	config_defaults(&cfg);
	cfg.watch_max = (unsigned int)atoi(argv[5]);
	stats_reset(&st);
	report_init(&report);
	report_add(&report, &sink);
	if (checker_init(&ck, &cfg, &st, &report, NULL, NULL))
		return 1;
	for (i = 0; i < n; i++)
		check_candidate(&ck, open_of(pid, argv[2], i), now_ms());
	self0 = self_cpu();
	worker0 = cpu_of(ck.probe.pid);
	end = now_ms() + (uint64_t)secs * 1000;
	while (now_ms() < end) {
		int wait = check_next_ms(&ck, now_ms());

		if (wait < 0 || wait > 100)
			wait = 100;
		usleep((useconds_t)wait * 1000);
		check_run_pending(&ck, now_ms(), false);
	}
	self1 = self_cpu();
	worker1 = cpu_of(ck.probe.pid);
	printf("watched=%llu looks=%llu searches=%llu findings=%d "
	       "checker_cpu=%.2f worker_cpu=%.2f\n",
	       (unsigned long long)st.watched,
	       (unsigned long long)st.watch_looks, ck.watch.searches,
	       findings, self1 - self0, worker1 - worker0);
	checker_free(&ck);
	config_free(&cfg);
	return 0;
}
