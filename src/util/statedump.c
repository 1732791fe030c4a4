/* SPDX-License-Identifier: GPL-2.0-or-later */
/* statedump.c -- what the plugin is doing, on SIGUSR1 */
#include "util/statedump.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libaudit.h>

#include "util/log.h"
#include "util/readfile.h"
#include "util/runfile.h"

#define V(f) ((unsigned long long)atomic_load(&v->stats->f))

/* A growing text buffer; a failed allocation makes the result NULL. */
struct text {
	char *s;
	size_t len, cap;
	bool failed;
};

__attribute__((format(printf, 2, 3)))
static void add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->s ? t->s + t->len : NULL,
			      t->s ? t->cap - t->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			t->failed = true;
			return;
		}
		if (t->s && t->len + (size_t)n < t->cap) {
			t->len += (size_t)n;
			return;
		}
		{
			size_t cap = t->cap ? t->cap : 1024;
			char *grown;

			while (cap <= t->len + (size_t)n)
				cap *= 2;
			grown = realloc(t->s, cap);
			if (!grown) {
				t->failed = true;
				return;
			}
			t->s = grown;
			t->cap = cap;
		}
	}
}

/* Losses of any kind: what was dropped or could not be used or written. */
static unsigned long long lost(const struct state_view *v)
{
	return V(queue_dropped) + V(pending_dropped) + V(audit_dropped) +
	       V(malformed) + V(json_errors) + V(audit_errors) +
	       V(lost_serials) + V(intake_dropped);
}

/* An ISO 8601 UTC time, or "-" for none. */
static void iso_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (!t || !gmtime_r(&t, &tm) ||
	    !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, len, "-");
}

/* The counters of stats_format() ("a=1 b=2"), one "a = 1" line each, so
 * that a counter added to struct stats shows up here by itself. */
static void add_counters(struct text *t, const struct stats *stats)
{
	char line[2048], *p, *save = NULL;

	stats_format(stats, line, sizeof(line));
	for (p = strtok_r(line, " ", &save); p;
	     p = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(p, '=');

		if (!eq)
			continue;
		*eq = '\0';
		add(t, "%s = %s\n", p, eq + 1);
	}
}

/* "[recent]": one line per decision kept, oldest first:
 * "decision = SERIAL WHAT CONTAINER NAME" (util/recent.h). */
static void add_recent(struct text *t, struct recent *r)
{
	struct recent_entry *e = malloc(RECENT_MAX * sizeof(*e));
	char name[2 * RECENT_PATH_MAX + 3];
	size_t i, n;

	add(t, "[recent]\n");
	if (!e) {
		t->failed = true;
		return;
	}
	n = recent_copy(r, e);
	for (i = 0; i < n; i++) {
		recent_encode_name(e[i].path, name, sizeof(name));
		add(t, "decision = %llu %s %s %s\n",
		    (unsigned long long)e[i].serial, e[i].what,
		    e[i].container[0] ? e[i].container : "-", name);
	}
	free(e);
}

char *state_format(const struct state_view *v)
{
	const struct config *c = v->cfg;
	struct text t = { 0 };
	char now[32], err_at[32];

	iso_time(v->now, now, sizeof(now));
	iso_time(v->last_error_time, err_at, sizeof(err_at));
	add(&t, "# audisp-dropexec state, written on SIGUSR1\n");
	add(&t, "[process]\n");
	add(&t, "pid = %d\n", (int)v->pid);
	add(&t, "version = %s\n", PACKAGE_VERSION);
	add(&t, "time = %s\n", now);
	add(&t, "uptime_seconds = %llu\n", (unsigned long long)v->uptime_s);
	if (v->start) {
		add(&t, "starts = %llu\n", v->start->starts);
		add(&t, "previous_pid = %d\n", (int)v->start->previous_pid);
		add(&t, "previous_stop = %s\n",
		    !v->start->previous_pid ? "clean" :
		    v->start->previous_unclean ? "unclean" : "running");
	}

	add(&t, "[config]\n");
	add(&t, "file = %s\n", v->config_file ? v->config_file : "-");
	if (c) {
		add(&t, "scope = %s\n",
		    c->scope == SCOPE_ALL ? "all" : "container");
		add(&t, "json_log = %s\n",
		    c->json_log && *c->json_log ? c->json_log : "-");
		add(&t, "audit_record = %s\n", c->audit_record ? "yes" : "no");
		add(&t, "audit_record_type = %s\n",
		    c->audit_record_type == AUDIT_ANOM_MK_EXEC ?
		    "ANOM_MK_EXEC" : "USER");
		add(&t, "stats_interval = %u\n", c->stats_interval);
		add(&t, "state_file = %s\n",
		    c->state_file && *c->state_file ? c->state_file : "-");
		add(&t, "scan_interval = %u\n", c->scan_interval);
		add(&t, "scan_at_start = %s\n", c->scan_at_start ? "yes" : "no");
		add(&t, "scan_on_loss = %s\n", c->scan_on_loss ? "yes" : "no");
	}

	add(&t, "[queues]\n");
	add(&t, "check_queue = %zu\n", v->check_queue);
	add(&t, "check_queue_capacity = %zu\n", v->check_queue_cap);
	add(&t, "audit_queue = %zu\n", v->audit_queue);
	add(&t, "audit_queue_capacity = %zu\n", v->audit_queue_cap);
	add(&t, "pending = %zu\n", v->pending);
	add(&t, "pending_capacity = %zu\n", v->pending_cap);

	add(&t, "[losses]\n");
	add(&t, "queue_dropped = %llu\n", V(queue_dropped));
	add(&t, "pending_dropped = %llu\n", V(pending_dropped));
	add(&t, "audit_dropped = %llu\n", V(audit_dropped));
	add(&t, "malformed = %llu\n", V(malformed));
	add(&t, "json_errors = %llu\n", V(json_errors));
	add(&t, "audit_errors = %llu\n", V(audit_errors));
	add(&t, "lost_serials = %llu\n", V(lost_serials));
	add(&t, "intake_dropped = %llu\n", V(intake_dropped));
	add(&t, "total = %llu\n", lost(v));

	add(&t, "[scan]\n");
	add(&t, "running = %s\n", v->scan_running ? "yes" : "no");
	add(&t, "rounds = %llu\n", v->scan_rounds);
	add(&t, "last_round_files = %llu\n", v->scan_last_files);
	add(&t, "last_round_wall_ms = %llu\n",
	    (unsigned long long)v->scan_last_wall_ms);
	add(&t, "last_round_work_ms = %llu\n",
	    (unsigned long long)v->scan_last_work_ms);

	add(&t, "[counters]\n");
	add_counters(&t, v->stats);

	add(&t, "[errors]\n");
	add(&t, "count = %lu\n", v->errors);
	add(&t, "last_error_time = %s\n", err_at);
	add(&t, "last_error = %s\n",
	    v->last_error && *v->last_error ? v->last_error : "-");
	add_recent(&t, v->recent);
	if (t.failed) {
		free(t.s);
		return NULL;
	}
	return t.s;
}

void state_summary(const struct state_view *v, char *buf, size_t len)
{
	snprintf(buf, len,
		 "state: uptime=%llus check_queue=%zu/%zu audit_queue=%zu/%zu "
		 "pending=%zu/%zu events=%llu findings=%llu lost=%llu "
		 "(queue_dropped=%llu pending_dropped=%llu audit_dropped=%llu "
		 "malformed=%llu lost_serials=%llu intake_dropped=%llu) "
		 "errors=%lu%s%s",
		 (unsigned long long)v->uptime_s, v->check_queue,
		 v->check_queue_cap, v->audit_queue, v->audit_queue_cap,
		 v->pending, v->pending_cap, V(events), V(findings), lost(v),
		 V(queue_dropped), V(pending_dropped), V(audit_dropped),
		 V(malformed), V(lost_serials), V(intake_dropped), v->errors,
		 v->last_error && *v->last_error ? " last_error: " : "",
		 v->last_error ? v->last_error : "");
}

unsigned long long state_file_starts(const char *path)
{
	unsigned long long n = 0;
	char *text, *p;

	if (!path || !*path)
		return 0;
	text = read_file_bounded(path, 65536, NULL);
	if (!text)
		return 0;
	p = strstr(text, "\nstarts = ");
	if (p && sscanf(p, "\nstarts = %llu", &n) != 1)
		n = 0;
	free(text);
	return n;
}

int state_dump(const struct state_view *v, const char *path)
{
	char line[1024];
	char *text;
	int rc = 0;

	state_summary(v, line, sizeof(line));
	log_msg(LOG_INFO, "%s", line);
	if (!path || !*path)
		return 0;
	text = state_format(v);
	if (!text || runfile_replace(path, text, strlen(text), 0600)) {
		/* kept as the last error: the next dump tells */
		log_msg(LOG_WARNING, "state file %s: %s", path,
			text ? strerror(errno) : "out of memory");
		rc = -1;
	}
	free(text);
	return rc;
}
