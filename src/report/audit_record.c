/* SPDX-License-Identifier: GPL-2.0-or-later */
/* audit_record.c -- findings back into the audit trail */
#include "report/audit_record.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libaudit.h>
#include <sys/prctl.h>

#include "util/log.h"
#include "report/sigmeta.h"

/*
 * libaudit hex-encodes a value holding a space, a double quote, a control
 * or a non-ASCII byte. auparse would also end a field or a value at '=',
 * a single quote or a backslash in a user message: those go hex too.
 */
static bool needs_hex(const char *v, unsigned int len)
{
	return audit_value_needs_encoding(v, len) ||
	       memchr(v, '=', len) || memchr(v, '\'', len) ||
	       memchr(v, '\\', len);
}

char *audit_encode_field(const char *name, const char *value, size_t max)
{
	unsigned int len;
	char *cut, *out, *hex;

	if (!value || !*value) {
		if (asprintf(&out, "%s=?", name) < 0)
			return NULL;
		return out;
	}
	len = (unsigned int)strnlen(value, max);
	cut = strndup(value, len);
	if (!cut)
		return NULL;
	if (needs_hex(cut, len)) {
		hex = malloc(2 * (size_t)len + 1);
		if (!hex || !audit_encode_value(hex, cut, len) ||
		    asprintf(&out, "%s=%s", name, hex) < 0)
			out = NULL;
		free(hex);
	} else {
		out = audit_encode_nv_string(name, cut, len);
	}
	free(cut);
	return out;
}

char *audit_finding_message(const struct finding *f)
{
	const struct candidate *c = f->c;
	char *path, *comm, *exe, *cmd = NULL, *msg = NULL;
	char extra[64] = "";
	const char *cid = c->container.id[0] ? c->container.id : "?";
	const char *rt = c->container.runtime[0] ? c->container.runtime : "?";

	path = audit_encode_field("path", c->path, AUDIT_PATH_MAX_BYTES);
	comm = audit_encode_field("comm", c->comm, 64);
	exe = audit_encode_field("exe", c->exe, AUDIT_EXE_MAX_BYTES);
	/* an execution: its command line (cmd=, which ausearch -i decodes)
	 * and the serial of the drop it ran */
	if (c->op == FILE_OP_EXEC && c->cmdline && path && comm && exe) {
		/* what room the record has left, hex-encoded at worst */
		size_t used = strlen(path) + strlen(comm) + strlen(exe);
		size_t room = used < AUDIT_MSG_BUDGET ?
			      (AUDIT_MSG_BUDGET - used) / 2 : 0;

		if (room > AUDIT_CMD_MAX_BYTES)
			room = AUDIT_CMD_MAX_BYTES;
		if (room >= 16)
			cmd = audit_encode_field("cmd", c->cmdline, room);
	}
	if (c->drop_serial)
		snprintf(extra, sizeof(extra), " drop_serial=%llu",
			 (unsigned long long)c->drop_serial);
	/*
	 * exe= comes before the one libaudit appends (the plugin's own), so
	 * "ausearch -x" finds the writer; uid= makes "ausearch -ui" work.
	 */
	if (path && comm && exe &&
	    asprintf(&msg, "op=" SIG_EVENT_NAME " sig_id=" SIG_ID
		     " severity=%d technique=" SIG_EXTERNAL_ID " %s"
		     " kind=%s serial=%llu pid=%d ppid=%d"
		     " uid=%lld auid=%lld ses=%lld %s %s"
		     " container_id=%s runtime=%s detected_by=%s executed=%s"
		     "%s%s%s",
		     SIG_SEVERITY, path, exec_kind_name(f->typed ? f->cls.kind : 0),
		     (unsigned long long)c->serial,
		     (int)c->pid,
		     (int)c->ppid, c->uid, c->auid, c->ses, comm, exe, cid,
		     rt, file_op_detected_by(c->op),
		     c->executed ? "yes" : "no", extra, cmd ? " " : "",
		     cmd ? cmd : "") < 0)
		msg = NULL;
	free(cmd);
	free(path);
	free(comm);
	free(exe);
	return msg;
}

static void *sender_main(void *arg)
{
	struct audit_sender *s = arg;
	bool closed;

	prctl(PR_SET_NAME, "dropexec-send");

	for (;;) {
		char *msg = queue_pop(&s->q, -1, &closed);
		int rc;

		if (!msg) {
			if (closed)
				break;
			continue;
		}
		if (s->fd < 0)
			s->fd = audit_open();
		rc = s->fd >= 0 ?
			audit_log_user_message(s->fd, atomic_load(
				(_Atomic int *)&s->type), msg, NULL, NULL,
				NULL, 1) : -1;
		if (rc <= 0) {
			atomic_fetch_add(&s->stats->audit_errors, 1);
			log_msg(LOG_ERR, "cannot send finding to the audit "
				"trail: %s", msg);
			if (s->fd >= 0)
				audit_close(s->fd);
			s->fd = -1;
		} else {
			atomic_fetch_add(&s->stats->audit_sent, 1);
		}
		free(msg);
	}
	return NULL;
}

int audit_sender_start(struct audit_sender *s, size_t cap, int type,
		       struct stats *stats)
{
	memset(s, 0, sizeof(*s));
	s->type = type;
	s->stats = stats;
	s->fd = -1;
	if (queue_init(&s->q, cap))
		return -1;
	if (pthread_create(&s->thread, NULL, sender_main, s)) {
		queue_destroy(&s->q);
		return -1;
	}
	s->started = true;
	return 0;
}

void audit_sender_set_type(struct audit_sender *s, int type)
{
	atomic_store((_Atomic int *)&s->type, type);
}

int audit_sender_submit(struct audit_sender *s, char *msg)
{
	if (!msg)
		return -1;
	if (!s->started || queue_push(&s->q, msg)) {
		atomic_fetch_add(&s->stats->audit_dropped, 1);
		free(msg);
		return -1;
	}
	return 0;
}

void audit_sender_stop(struct audit_sender *s)
{
	if (!s->started)
		return;
	queue_close(&s->q);
	pthread_join(s->thread, NULL);
	queue_destroy(&s->q);
	if (s->fd >= 0)
		audit_close(s->fd);
	s->fd = -1;
	s->started = false;
}

/* The audit sink: findings queued for the sender thread. */
static int audit_sink_emit(struct sink *sk, const struct finding *f)
{
	struct audit_sink *as = (struct audit_sink *)sk;

	if (!as->enabled || !as->sender)
		return 0;
	return audit_sender_submit(as->sender, audit_finding_message(f));
}

static void audit_sink_configure(struct sink *sk, const struct config *cfg)
{
	struct audit_sink *as = (struct audit_sink *)sk;

	as->enabled = cfg->audit_record;
	if (as->sender)
		audit_sender_set_type(as->sender, cfg->audit_record_type);
}

void audit_sink_init(struct audit_sink *as, struct audit_sender *sender,
		     const struct config *cfg)
{
	memset(as, 0, sizeof(*as));
	as->base.name = "audit";
	as->base.emit = audit_sink_emit;
	as->base.configure = audit_sink_configure;
	as->sender = sender;
	as->enabled = cfg->audit_record;
}
