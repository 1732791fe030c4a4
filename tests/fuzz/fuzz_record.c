/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_record.c -- libFuzzer target: audit record text to candidates
 * (directly and through the prefilter), then to the JSON finding and the
 * audit message built from them; and the prefilter holding events for
 * the raw decision (intake/rawevent.h) must give the same candidates
 * and counts of candidates, out-of-scope, malformed events and lost
 * serials as the prefilter without it. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/audit_record.h"
#include "report/finding.h"
#include "intake/prefilter.h"
#include "intake/rawevent.h"
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

/* What a run gave: the candidates' serials and paths, one a line. */
struct seen {
	char *keys;
	size_t len;
};

static void seen_add(struct candidate *c, void *arg)
{
	struct seen *s = arg;
	const char *path = c->path ? c->path : "-";
	size_t n = strlen(path) + 24;
	char *k = realloc(s->keys, s->len + n + 1);

	if (!k)
		abort();
	s->keys = k;
	s->len += (size_t)snprintf(k + s->len, n + 1, "%llu %s\n",
				   (unsigned long long)c->serial, path);
	candidate_free(c);
}

/* Filters that decide from the parsed fields alone. */
static bool keep_pid3(pid_t pid, void *arg)
{
	(void)arg;
	return pid % 3 != 0;
}

static bool keep_even_minor(struct candidate *c, void *arg)
{
	(void)arg;
	return c->dev_minor % 2 == 0;
}

struct holder {
	struct record_reader *rr;
	struct raw_event raw;
};

static bool hold_all(pid_t pid, void *arg)
{
	(void)pid;
	(void)arg;
	return true;
}

static bool decide_raw(const struct prefilter_line *lines, size_t n,
		       void *arg)
{
	struct holder *h = arg;
	struct event_source src;
	enum record_verdict v;
	size_t i;

	raw_event_reset(&h->raw);
	for (i = 0; i < n; i++)
		if (raw_event_add(&h->raw, lines[i].text, lines[i].len))
			return true;
	src = raw_event_source(&h->raw);
	v = record_decide(&src, h->rr->self_pid, &h->rr->filters);
	if (raw_event_unsure(&h->raw) || v == RECORD_CANDIDATE)
		return true;
	record_count(h->rr->stats, v);
	return false;
}

static void to_holder(const char *buf, size_t len, void *arg)
{
	struct holder *h = arg;

	record_reader_feed(h->rr, buf, len);
}

/* DATA through the prefilter (cut at CUT) to auparse, events held and
 * decided from their raw records when HOLD; counts in *ST. */
static void run_filtered(const uint8_t *data, size_t size, size_t cut,
			 bool hold, struct seen *out, struct stats *st)
{
	struct record_reader rr;
	struct prefilter pf;
	struct holder h;

	stats_reset(st);
	if (record_reader_init(&rr, seen_add, out, st, 1))
		abort();
	rr.filters.keep = keep_pid3;
	rr.filters.keep_file = keep_even_minor;
	rr.filters.fd_path = fake_fd_path;
	h.rr = &rr;
	raw_event_init(&h.raw);
	if (prefilter_init(&pf, to_holder, odd_host, &h, st, 1))
		abort();
	if (hold)
		prefilter_set_hold(&pf, hold_all, decide_raw);
	prefilter_feed(&pf, (const char *)data, cut);
	prefilter_feed(&pf, (const char *)data + cut, size - cut);
	prefilter_flush(&pf);
	prefilter_destroy(&pf);
	record_reader_flush(&rr);
	record_reader_destroy(&rr);
	raw_event_free(&h.raw);
}

/*
 * Do two events of DATA take the same slot of the prefilter's table of
 * recent decisions (serials equal modulo PREFILTER_RECENT, stamps or
 * nodes apart)? The prefilter then takes the later for the earlier, held
 * or not, in ways that differ (never in the kernel's stream).
 */
static bool slots_shared(const uint8_t *data, size_t size)
{
	static struct {
		bool used;
		uint32_t serial;
		uint64_t sec;
		unsigned int milli;
		size_t node_len;
		char node[16];
	} slot[PREFILTER_RECENT];
	const char *p = (const char *)data, *end = p + size, *nl;
	struct raw_header h;

	memset(slot, 0, sizeof(slot));
	for (; p < end; p = nl + 1) {
		size_t i, nlen;

		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		if (raw_header_parse(p, (size_t)(nl - p), &h))
			continue;
		i = h.serial & (PREFILTER_RECENT - 1);
		nlen = h.node_len;
		if (nlen > sizeof(slot[i].node))
			nlen = sizeof(slot[i].node);
		if (slot[i].used &&
		    (slot[i].serial != h.serial || slot[i].sec != h.sec ||
		     slot[i].milli != h.milli || slot[i].node_len != nlen ||
		     (nlen && memcmp(slot[i].node, h.node, nlen))))
			return true;
		slot[i].used = true;
		slot[i].serial = h.serial;
		slot[i].sec = h.sec;
		slot[i].milli = h.milli;
		slot[i].node_len = nlen;
		if (nlen)
			memcpy(slot[i].node, h.node, nlen);
	}
	return false;
}

static int line_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines of S sorted, in place: auparse hands complete events on in
 * the order of their stamps among those it holds, and a dropped event
 * is one it does not hold, so only the set of candidates must match. */
static void sort_lines(struct seen *s)
{
	char **v, *copy, *p, *q;
	size_t n = 0, i, len = 0;

	if (!s->len)
		return;
	for (i = 0; i < s->len; i++)
		n += s->keys[i] == '\n';
	v = malloc(n * sizeof(*v));
	copy = malloc(s->len + 1);
	if (!v || !copy)
		abort();
	memcpy(copy, s->keys, s->len);
	copy[s->len] = '\0';
	for (i = 0, p = copy; i < n && (q = strchr(p, '\n')); p = q + 1) {
		*q = '\0';
		v[i++] = p;
	}
	qsort(v, i, sizeof(*v), line_cmp);
	for (n = i, i = 0; i < n; i++) {
		size_t l = strlen(v[i]);

		memcpy(s->keys + len, v[i], l);
		len += l;
		s->keys[len++] = '\n';
	}
	free(v);
	free(copy);
}

/* Held and decided from the raw records, or not: the same outcome. */
static void same_with_raw_decision(const uint8_t *data, size_t size,
				   size_t cut)
{
	struct seen a = { NULL, 0 }, b = { NULL, 0 };
	struct stats sa, sb;

	if (slots_shared(data, size))
		return;

	run_filtered(data, size, cut, false, &a, &sa);
	run_filtered(data, size, cut, true, &b, &sb);
	sort_lines(&a);
	sort_lines(&b);
	/* not the count of events: a stamp that comes again after its
	 * event ended (never in the kernel's stream) leaves records that
	 * auparse counts as events of their own, held or not, but not
	 * always as many */
	if (atomic_load(&sa.candidates) != atomic_load(&sb.candidates) ||
	    atomic_load(&sa.out_of_scope) != atomic_load(&sb.out_of_scope) ||
	    atomic_load(&sa.malformed) != atomic_load(&sb.malformed) ||
	    atomic_load(&sa.lost_serials) != atomic_load(&sb.lost_serials) ||
	    a.len != b.len || (a.len && memcmp(a.keys, b.keys, a.len)))
		abort();
	free(a.keys);
	free(b.keys);
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

	same_with_raw_decision(data, size, size ? data[0] % (size + 1) : 0);

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
