/* SPDX-License-Identifier: GPL-2.0-or-later */
/* audit_record.h -- findings back into the audit trail */
#ifndef DROPEXEC_AUDIT_RECORD_H
#define DROPEXEC_AUDIT_RECORD_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "report/finding.h"
#include "report/sink.h"
#include "util/queue.h"
#include "util/settings.h"
#include "util/stats.h"

/* Raw bytes of one value at most (encoded, hex doubles them). */
#define AUDIT_PATH_MAX_BYTES	3000
#define AUDIT_EXE_MAX_BYTES	1024
/* an execution's command line: at most this many bytes, and only what
 * room AUDIT_MSG_BUDGET leaves after path, comm and exe */
#define AUDIT_CMD_MAX_BYTES	1024
#define AUDIT_MSG_BUDGET	7600

/*
 * The message of a finding's audit record: "op=dropped_executable
 * sig_id=TRC-1022 ..." with every value that a container can choose
 * encoded as auparse expects (quoted, or hex when it holds a space,
 * quote, '=', a control or a non-ASCII byte), so that no name can add a
 * field. A malloc'd string that fits an audit user message.
 */
char *audit_finding_message(const struct finding *f);

/* Encode NAME=VALUE as above; VALUE is cut to MAX bytes. */
char *audit_encode_field(const char *name, const char *value, size_t max);

/* Sends messages from its own thread: the kernel's ACK can take time. */
struct audit_sender {
	struct queue q;
	pthread_t thread;
	bool started;
	int type;		/* AUDIT_USER or AUDIT_ANOM_MK_EXEC */
	int fd;
	struct stats *stats;
};

int audit_sender_start(struct audit_sender *s, size_t cap, int type,
		       struct stats *stats);
/* Queue MSG (taken over); never waits. Counts a drop when full (-1). */
int audit_sender_submit(struct audit_sender *s, char *msg);
void audit_sender_set_type(struct audit_sender *s, int type);
/* Send what is queued, then stop the thread. */
void audit_sender_stop(struct audit_sender *s);

/* The sink that queues each finding's audit record for SENDER, when the
 * configuration's audit_record is on. */
struct audit_sink {
	struct sink base;
	struct audit_sender *sender;
	bool enabled;
};

void audit_sink_init(struct audit_sink *as, struct audit_sender *sender,
		     const struct config *cfg);

#endif
