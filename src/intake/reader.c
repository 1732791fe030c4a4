/* SPDX-License-Identifier: GPL-2.0-or-later */
/* reader.c -- the reader: auditd's records in, candidates for the check out */
#include "intake/reader.h"

#include <stdlib.h>
#include <string.h>

/* The reader remembers a pid's verdict this long (a busy host process
 * writing many files costs one /proc read per TTL). */
#define READER_PID_TTL_MS	250

static bool keep_pid(pid_t pid, void *arg)
{
	return reader_keep_pid(arg, pid);
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
	r->records.keep = keep_pid;
	return 0;
}

void reader_destroy(struct reader *r)
{
	record_reader_destroy(&r->records);
	scope_free(&r->scope);
}

void reader_set_mode(struct reader *r, enum scope_mode mode)
{
	r->mode = mode;
}

void reader_feed(struct reader *r, const char *buf, size_t len)
{
	record_reader_feed(&r->records, buf, len);
}

void reader_idle(struct reader *r)
{
	record_reader_age(&r->records);
}

void reader_finish(struct reader *r)
{
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

bool reader_route(struct reader *r, struct candidate *c)
{
	atomic_fetch_add(&r->stats->candidates, 1);
	if (path_is_memfd(c->path)) {
		atomic_fetch_add(&r->stats->out_of_scope, 1);
		candidate_free(c);
		return false;
	}
	/* A name below /dev/shm is let go once the check has seen that
	 * the file is really on that mount (not behind a symlink). */
	c->shm_dir = path_shm_dir(c->path);
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
