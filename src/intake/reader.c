/* SPDX-License-Identifier: GPL-2.0-or-later */
/* reader.c -- the reader: auditd's records in, candidates for the check out */
#include "intake/reader.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

/* The reader remembers a pid's verdict this long (a busy host process
 * writing many files costs one /proc read per TTL). */
#define READER_PID_TTL_MS	250

static bool keep_pid(pid_t pid, void *arg)
{
	return reader_keep_pid(arg, pid);
}

/* readlink of /proc/PID/fd/FD, for the rare events whose name is
 * relative to a descriptor. */
static char *fd_path(pid_t pid, int fd, void *arg)
{
	struct reader *r = arg;
	char link[PATH_MAX], *out;
	ssize_t n;

	if (pid <= 0 || fd < 0 ||
	    snprintf(link, sizeof(link), "%s/%d/fd/%d", r->scope.proc,
		     (int)pid, fd) >= (int)sizeof(link))
		return NULL;
	out = malloc(PATH_MAX);
	if (!out)
		return NULL;
	n = readlink(link, out, PATH_MAX - 1);
	if (n <= 0) {
		free(out);
		return NULL;
	}
	out[n] = '\0';
	return out;
}

/* The device of the kernel's internal mount that holds memfd files. */
static bool memfd_device(unsigned int *major, unsigned int *minor)
{
	struct stat st;
	int fd = memfd_create("dropexec-probe", MFD_CLOEXEC);
	int rc;

	if (fd < 0)
		return false;
	rc = fstat(fd, &st);
	close(fd);
	if (rc)
		return false;
	*major = major(st.st_dev);
	*minor = minor(st.st_dev);
	return true;
}

/* The name the event gave C's file (its PATH item), or "". */
static const char *item_name(const struct candidate *c)
{
	size_t i;

	for (i = 0; i < c->npaths; i++)
		if (c->paths[i].name && c->paths[i].has_inode &&
		    c->paths[i].inode == c->inode &&
		    c->paths[i].dev_major == c->dev_major &&
		    c->paths[i].dev_minor == c->dev_minor)
			return c->paths[i].name;
	return "";
}

/* scope = container: the writer and its file decide, before the names
 * are made (the verdict stays in C for reader_route()). Out of scope
 * though the writer was gone when asked (placed by its parent or its
 * device, not by itself): a decision worth keeping (util/recent.h). */
static bool keep_file(struct candidate *c, void *arg)
{
	struct reader *r = arg;

	if (r->mode != SCOPE_CONTAINER)
		return true;
	scope_decide(&r->scope, c);
	if (c->container.in_container)
		return true;
	if (scope_cached_pid(&r->scope, c->pid) == -1)
		recent_note(r->recent, c->serial, NULL, item_name(c),
			    "out-of-scope:writer-gone");
	return false;
}

static bool known_host(pid_t pid, void *arg)
{
	return reader_known_host_pid(arg, pid);
}

/* Hold an event of PID the prefilter would hand on, to decide it from
 * its raw records? Only out-of-scope events are let go early, when only
 * containers count: not a writer known (cached) to be in a container,
 * whose events are nearly all candidates. */
static bool hold_event(pid_t pid, void *arg)
{
	struct reader *r = arg;

	return r->mode == SCOPE_CONTAINER &&
	       scope_cached_pid(&r->scope, pid) != 1;
}

/*
 * The verdict record_extract() would give the held event LINES, from its
 * raw records: an event that can be no candidate, or one out of scope,
 * is counted and dropped here; the rest goes to auparse, which decides
 * it again (the writer's and the device's verdicts are cached by then).
 */
static bool decide_event(const struct prefilter_line *lines, size_t n,
			 void *arg)
{
	struct reader *r = arg;
	struct event_source src;
	enum record_verdict v;
	size_t i;

	if (r->mode != SCOPE_CONTAINER)
		return true;
	raw_event_reset(&r->raw);
	for (i = 0; i < n; i++)
		if (raw_event_add(&r->raw, lines[i].text, lines[i].len))
			return true;
	src = raw_event_source(&r->raw);
	v = record_decide(&src, r->records.self_pid, &r->records.filters);
	if (raw_event_unsure(&r->raw) || v == RECORD_CANDIDATE)
		return true;
	record_count(r->stats, v);
	return false;
}

static void parse(const char *buf, size_t len, void *arg)
{
	struct reader *r = arg;

	record_reader_feed(&r->records, buf, len);
}

static void route(struct candidate *c, void *arg)
{
	reader_route(arg, c);
}

int reader_init(struct reader *r, struct inspector *check,
		enum scope_mode mode, struct stats *stats, pid_t self_pid,
		const char *proc, const char *mountinfo)
{
	memset(r, 0, sizeof(*r));
	r->check = check;
	r->mode = mode;
	r->stats = stats;
	if (scope_init(&r->scope, proc, mountinfo))
		return -1;
	r->scope.pid_ttl_ms = READER_PID_TTL_MS;
	if (record_reader_init(&r->records, route, r, stats, self_pid)) {
		scope_free(&r->scope);
		return -1;
	}
	r->records.filters.keep = keep_pid;
	r->records.filters.keep_file = keep_file;
	r->records.filters.fd_path = fd_path;
	r->records.filters.arg = r;
	r->memfd_known = memfd_device(&r->memfd_major, &r->memfd_minor);
	if (prefilter_init(&r->pre, parse, known_host, r, stats, self_pid)) {
		record_reader_destroy(&r->records);
		scope_free(&r->scope);
		return -1;
	}
	raw_event_init(&r->raw);
	prefilter_set_hold(&r->pre, hold_event, decide_event);
	return 0;
}

void reader_destroy(struct reader *r)
{
	prefilter_destroy(&r->pre);
	raw_event_free(&r->raw);
	record_reader_destroy(&r->records);
	scope_free(&r->scope);
}

void reader_set_mode(struct reader *r, enum scope_mode mode)
{
	r->mode = mode;
}

void reader_feed(struct reader *r, const char *buf, size_t len)
{
	prefilter_feed(&r->pre, buf, len);
}

void reader_idle(struct reader *r)
{
	prefilter_release(&r->pre);
	record_reader_age(&r->records);
}

void reader_finish(struct reader *r)
{
	prefilter_flush(&r->pre);
	record_reader_flush(&r->records);
}

bool reader_keep_pid(struct reader *r, pid_t pid)
{
	struct container_ref ref;

	if (r->mode != SCOPE_CONTAINER)
		return true;
	memset(&ref, 0, sizeof(ref));
	return scope_lookup_pid(&r->scope, pid, &ref) != 0;
}

bool reader_is_memfd(const struct reader *r, const struct candidate *c)
{
	return r->memfd_known && c->has_inode &&
	       c->dev_major == r->memfd_major &&
	       c->dev_minor == r->memfd_minor;
}

bool reader_known_host_pid(struct reader *r, pid_t pid)
{
	return r->mode == SCOPE_CONTAINER &&
	       scope_cached_pid(&r->scope, pid) == 0;
}

bool reader_route(struct reader *r, struct candidate *c)
{
	atomic_fetch_add(&r->stats->candidates, 1);
	if (reader_is_memfd(r, c)) {
		atomic_fetch_add(&r->stats->out_of_scope, 1);
		candidate_free(c);
		return false;
	}
	/* A name below /dev/shm is let go once the check has seen that
	 * the file is really on that mount (not behind a symlink). */
	c->shm_dir = path_shm_dir(c->path);
	/* decided already when the candidate was made (keep_file) */
	if (!c->container.in_container)
		scope_decide(&r->scope, c);
	if (c->op == FILE_OP_EXEC) {
		/* A process (or its shell) that leaves its cgroup right
		 * after an execution is judged afresh on its next write:
		 * executions must not pin a verdict in the cache. */
		scope_forget_pid(&r->scope, c->pid);
		scope_forget_pid(&r->scope, c->ppid);
	}
	if (r->mode == SCOPE_CONTAINER && !c->container.in_container) {
		atomic_fetch_add(&r->stats->out_of_scope, 1);
		candidate_free(c);
		return false;
	}
	if (c->container.in_container)
		scope_read_parent(&r->scope, c);
	return inspector_submit(r->check, c);
}
