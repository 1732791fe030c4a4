/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_record.c -- libFuzzer target: audit record text to candidates
 * (directly and through the prefilter), then to the JSON finding and the
 * audit message built from them. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report/audit_record.h"
#include "report/finding.h"
#include "intake/prefilter.h"
#include "intake/record.h"
#include "scope/scope.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_candidate(struct candidate *c, void *arg)
{
	struct finding f = { .c = c, .typed = true, .checked_via = "fuzz" };
	char *line, *msg;

	(void)arg;
	f.cls.kind = KIND_ELF_EXEC;
	strcpy(f.cls.mime, "application/x-executable");
	(void)path_is_excluded(c->path);
	line = finding_json_line(&f);
	msg = audit_finding_message(&f);
	if (!line || !msg)
		abort();
	free(line);
	free(msg);
	candidate_free(c);
}

/* A writer whose descriptors all name one directory, but 13. */
static char *fake_fd_path(pid_t pid, int fd, void *arg)
{
	(void)arg;
	if (fd == 13)
		return NULL;
	return strdup(pid & 1 ? "/srv/dir" : "/srv/gone (deleted)");
}

static void to_reader(const char *buf, size_t len, void *arg)
{
	record_reader_feed(arg, buf, len);
}

/* Odd pids are known host processes. */
static bool odd_host(pid_t pid, void *arg)
{
	(void)arg;
	return pid & 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct prefilter pf;
	size_t cut;
	struct record_reader rr;
	struct stats st;
	struct container_ref ref;
	char *text;

	stats_reset(&st);
	if (record_reader_init(&rr, on_candidate, NULL, &st, 1))
		return 0;
	record_reader_feed(&rr, (const char *)data, size);
	record_reader_flush(&rr);
	record_reader_destroy(&rr);

	/* The same through the prefilter, cut in two, names resolved. */
	if (record_reader_init(&rr, on_candidate, NULL, &st, 1))
		return 0;
	rr.filters.fd_path = fake_fd_path;
	if (prefilter_init(&pf, to_reader, odd_host, &rr, &st, 1) == 0) {
		cut = size ? data[0] % (size + 1) : 0;
		prefilter_feed(&pf, (const char *)data, cut);
		prefilter_feed(&pf, (const char *)data + cut, size - cut);
		prefilter_flush(&pf);
		prefilter_destroy(&pf);
	}
	record_reader_flush(&rr);
	record_reader_destroy(&rr);

	/* The same bytes as a /proc/PID/cgroup file. */
	text = malloc(size + 1);
	if (text) {
		memcpy(text, data, size);
		text[size] = '\0';
		memset(&ref, 0, sizeof(ref));
		(void)cgroup_find_container(text, &ref);
		free(text);
	}
	return 0;
}
