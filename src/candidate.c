/* SPDX-License-Identifier: GPL-2.0-or-later */
/* candidate.c -- allocation of candidates */
#include "candidate.h"

#include <fcntl.h>
#include <stdlib.h>

struct candidate *candidate_new(void)
{
	struct candidate *c = calloc(1, sizeof(*c));

	if (c) {
		c->fd = -1;
		c->dirfd = AT_FDCWD;
	}
	return c;
}

void candidate_free(struct candidate *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->npaths; i++)
		free(c->paths[i].name);
	free(c->node);
	free(c->comm);
	free(c->exe);
	free(c->cwd);
	free(c->path);
	free(c->old_path);
	free(c->records);
	free(c->rename_records);
	free(c->parent_comm);
	free(c->parent_exe);
	free(c->cmdline);
	free(c->drop_path);
	free(c->held);
	free(c);
}

const char *file_op_name(enum file_op op)
{
	switch (op) {
	case FILE_OP_OPEN:
		return "open";
	case FILE_OP_RENAME:
		return "rename";
	case FILE_OP_LINK:
		return "link";
	case FILE_OP_EXEC:
		return "exec";
	case FILE_OP_SCAN:
		return "scan";
	default:
		return "none";
	}
}

const char *file_op_detected_by(enum file_op op)
{
	return op == FILE_OP_OPEN ? "write" : file_op_name(op);
}

const char *scope_source_name(enum scope_source src)
{
	switch (src) {
	case SCOPE_SRC_PID:
		return "pid";
	case SCOPE_SRC_PPID:
		return "ppid";
	case SCOPE_SRC_MOUNT:
		return "mount";
	case SCOPE_SRC_ROOT:
		return "root";
	default:
		return "none";
	}
}
