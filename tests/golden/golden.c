/* SPDX-License-Identifier: GPL-2.0-or-later */
/* golden.c -- audit records in, what dropexec makes of them out
 *
 *   golden-findings LOG JSONL AUDIT
 *
 * Feeds the raw audit log LOG through the record reader (as auditd's
 * stream would come) and writes, for every candidate, the JSON finding
 * (one line to JSONL) and the audit record's message (one line to AUDIT)
 * that dropexec builds from the event alone: no file is opened, no
 * container looked up and the host is named "golden-host", so the output
 * depends on the records only and can be compared with the expected files
 * under tests/golden/expected.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intake/record.h"
#include "report/audit_record.h"
#include "report/finding.h"
#include "util/stats.h"

struct outputs {
	FILE *json, *audit;
	int failed;
};

static void emit(struct candidate *c, void *arg)
{
	struct outputs *o = arg;
	struct finding f = { .c = c, .hostname = "golden-host" };
	char *line = finding_json_line(&f);
	char *msg = audit_finding_message(&f);

	if (!line || !msg)
		o->failed = 1;
	else if (fprintf(o->json, "%s\n", line) < 0 ||
		 fprintf(o->audit, "%s\n", msg) < 0)
		o->failed = 1;
	free(line);
	free(msg);
	candidate_free(c);
}

int main(int argc, char **argv)
{
	struct record_reader rr;
	struct outputs o = { 0 };
	struct stats st;
	char buf[65536];
	size_t n;
	FILE *in;

	if (argc != 4) {
		fprintf(stderr, "usage: %s LOG JSONL AUDIT\n", argv[0]);
		return 2;
	}
	in = fopen(argv[1], "r");
	o.json = fopen(argv[2], "w");
	o.audit = fopen(argv[3], "w");
	if (!in || !o.json || !o.audit) {
		fprintf(stderr, "%s: %s\n", argv[0], strerror(errno));
		return 2;
	}
	stats_reset(&st);
	/* pid 1 as our own: no event of the logs comes from it */
	if (record_reader_init(&rr, emit, &o, &st, 1))
		return 2;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		record_reader_feed(&rr, buf, n);
	record_reader_flush(&rr);
	record_reader_destroy(&rr);
	fclose(in);
	if (fclose(o.json) || fclose(o.audit))
		o.failed = 1;
	return o.failed;
}
