/* SPDX-License-Identifier: GPL-2.0-or-later */
/* finding.h -- a confirmed drop, as a TRC-1022 finding in JSON */
#ifndef DROPEXEC_FINDING_H
#define DROPEXEC_FINDING_H

#include <stdbool.h>
#include <sys/stat.h>
#include <json-c/json.h>

#include "candidate.h"
#include "scope/meta.h"
#include "util/settings.h"

/* A file's type, as the check's classifier (check/classify.h) found it. */
struct classification {
	unsigned int kind;	/* one enum exec_kind bit, or KIND_NONE */
	char mime[96];
	char description[512];
};

/*
 * A confirmed drop: the one description of what a check found, handed to
 * every sink (report/sink.h). The candidate stays owned by the check.
 */
struct finding {
	const struct candidate *c;		/* the triggering event */
	const struct container_meta *meta;	/* name, image, pod; or NULL */
	bool checked;			/* the file was opened: st, via */
	struct stat st;
	const char *checked_via;	/* how it was reached (safeopen.h) */
	bool typed;			/* cls holds the file's type */
	struct classification cls;
	char sha256[65];		/* hex; "" when not hashed */
	const char *sha256_skipped;	/* why there is none, or NULL */
	const char *hostname;		/* the host reporting it, or NULL */
	bool path_plain;		/* C's path is the file's plain name:
					 * no ".", "..", symlink on the way */
};

/*
 * The finding in Tracee's shape: SigMetadata, Event (the whole triggering
 * event) and Data.path. Event.hostName (Tracee's name) is F->hostname,
 * the host that made the finding; Event.node is the audit node name of
 * the event, when auditd's name_format adds one. Every byte string is valid UTF-8 in the output:
 * a value that is not is written with U+FFFD in place of each bad byte,
 * and its exact bytes are added in hex under the same key + "_hex"
 * (raw record lines, ASCII as auditd writes them, get U+FFFD only).
 */
json_object *finding_to_json(const struct finding *f);

/* One line of JSON text (malloc'd, no newline). */
char *finding_json_line(const struct finding *f);

/* Add a byte string under KEY following the rule above. */
void json_add_bytes(json_object *obj, const char *key, const char *value);

#endif
