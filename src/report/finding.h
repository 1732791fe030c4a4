/* finding.h -- a confirmed drop, as a TRC-1022 finding in JSON */
#ifndef DROPEXEC_FINDING_H
#define DROPEXEC_FINDING_H

#include <sys/stat.h>
#include <json-c/json.h>

#include "candidate.h"
#include "check/classify.h"
#include "scope/meta.h"

/* What the inspector learnt about the file. */
struct file_facts {
	const struct stat *st;
	const struct classification *cls;
	const char *checked_via;
	const struct container_meta *meta;	/* or NULL */
	const char *sha256;			/* hex, or NULL */
	const char *sha256_skipped;		/* why there is none */
};

/*
 * The finding in Tracee's shape: SigMetadata, Event (the whole triggering
 * event) and Data.path. Every byte string is valid UTF-8 in the output:
 * a value that is not is written with U+FFFD in place of each bad byte,
 * and its exact bytes are added in hex under the same key + "_hex"
 * (raw record lines, ASCII as auditd writes them, get U+FFFD only).
 */
json_object *finding_to_json(const struct candidate *c,
			     const struct file_facts *f);

/* One line of JSON text (malloc'd, no newline). */
char *finding_json_line(const struct candidate *c, const struct file_facts *f);

/* Add a byte string under KEY following the rule above. */
void json_add_bytes(json_object *obj, const char *key, const char *value);

#endif
