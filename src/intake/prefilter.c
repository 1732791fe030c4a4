/* SPDX-License-Identifier: GPL-2.0-or-later */
/* prefilter.c -- a look at each raw record before auparse */
#include "intake/prefilter.h"

#include <stdlib.h>
#include <string.h>

#include "intake/record.h"

/* Decimal digits at P (at most MAXDIG of them, no sign) into *OUT;
 * returns how many, or -1 for none or too many. */
static inline int read_digits(const char *p, const char *end, int maxdig,
			      uint64_t *out)
{
	uint64_t v = 0;
	int n = 0;

	while (p + n < end && (unsigned char)(p[n] - '0') <= 9) {
		if (n == maxdig)
			return -1;
		v = v * 10 + (uint64_t)(p[n] - '0');
		n++;
	}
	*out = v;
	return n ? n : -1;
}

int raw_header_parse(const char *line, size_t len, struct raw_header *h)
{
	const char *p = line, *end = line + len, *sp;
	uint64_t v;
	int n;

	h->node = NULL;
	h->node_len = 0;
	if (len > 5 && !memcmp(p, "node=", 5)) {
		p += 5;
		sp = memchr(p, ' ', (size_t)(end - p));
		if (!sp)
			return -1;
		h->node = p;
		h->node_len = (size_t)(sp - p);
		p = sp + 1;
	}
	if (end - p < 5 || memcmp(p, "type=", 5))
		return -1;
	p += 5;
	sp = memchr(p, ' ', (size_t)(end - p));
	if (!sp || sp == p)
		return -1;
	h->type = p;
	h->type_len = (size_t)(sp - p);
	p = sp + 1;
	if (end - p < 10 || memcmp(p, "msg=audit(", 10))
		return -1;
	p += 10;
	if ((n = read_digits(p, end, 19, &v)) < 0)
		return -1;
	h->sec = v;
	p += n;
	if (p >= end || *p++ != '.')
		return -1;
	if ((n = read_digits(p, end, 3, &v)) < 0)
		return -1;
	h->milli = (unsigned int)v;
	p += n;
	if (p >= end || *p++ != ':')
		return -1;
	if ((n = read_digits(p, end, 10, &v)) < 0 || v > UINT32_MAX)
		return -1;
	h->serial = (uint32_t)v;
	p += n;
	if (end - p < 2 || p[0] != ')' || p[1] != ':')
		return -1;
	/* the body keeps the space after the colon: every field, the first
	 * too, is preceded by one */
	h->body = p + 2;
	h->body_len = (size_t)(end - h->body);
	return 0;
}

/* The kernel's part of H's body: up to the ENRICHED part. */
static void body_kernel_part(struct raw_header *h)
{
	const char *x1d = memchr(h->body, 0x1d, h->body_len);

	if (x1d)
		h->body_len = (size_t)(x1d - h->body);
}

ssize_t raw_field(const char *body, size_t body_len, const char *name,
		  const char **val)
{
	const char *p = body, *end = body + body_len, *sp;
	size_t nlen = strlen(name);

	while (p < end) {
		sp = memchr(p, ' ', (size_t)(end - p));
		if (!sp)
			break;
		p = sp + 1;
		if ((size_t)(end - p) > nlen && p[nlen] == '=' &&
		    !memcmp(p, name, nlen)) {
			const char *v = p + nlen + 1, *e;

			e = memchr(v, ' ', (size_t)(end - v));
			*val = v;
			return (e ? e : end) - v;
		}
	}
	return -1;
}

/* A hex number of LEN bytes (the arch). */
static int hex_u32(const char *v, ssize_t len, uint32_t *out)
{
	uint64_t x = 0;
	ssize_t i;

	if (!v || len <= 0 || len > 8)
		return -1;
	for (i = 0; i < len; i++) {
		char c = v[i];
		unsigned int d;

		if (c >= '0' && c <= '9')
			d = (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned int)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned int)(c - 'A' + 10);
		else
			return -1;
		x = x * 16 + d;
	}
	*out = (uint32_t)x;
	return 0;
}

static int dec_u64(const char *v, ssize_t len, uint64_t *out)
{
	return v && len > 0 && read_digits(v, v + len, 19, out) == len ? 0 : -1;
}

/* Is call NR of ARCH one the reader watches? -1: cannot tell. */
static int watched(struct prefilter *p, uint32_t arch, uint64_t nr)
{
	struct prefilter_arch *a = NULL;
	size_t i;

	if (nr >= PREFILTER_SYSCALLS || arch == 0)
		return -1;
	for (i = 0; i < PREFILTER_ARCHES; i++) {
		if (p->arches[i].arch == arch) {
			a = &p->arches[i];
			break;
		}
		if (!p->arches[i].arch) {
			a = &p->arches[i];
			a->arch = arch;
			break;
		}
	}
	if (!a)
		return -1;
	if (!a->watched[nr])
		a->watched[nr] = record_watched_call(arch, (int)nr) ? 1 : 2;
	return a->watched[nr] == 1;
}

/* The SYSCALL fields the decision needs: [start, length) of each. */
struct first_fields {
	const char *arch, *syscall, *success, *pid;
	ssize_t arch_len, syscall_len, success_len, pid_len;
};

/* One pass over the kernel's fields: the first of each name counts. The
 * tokens are short: a loop over the bytes costs less than memchr calls. */
static void scan_first_fields(const char *body, size_t len,
			      struct first_fields *f)
{
	const char *p = body, *end = body + len, *name, *v;

	memset(f, 0, sizeof(*f));
	f->arch_len = f->syscall_len = f->success_len = f->pid_len = -1;
	while (p < end) {
		while (p < end && *p == ' ')
			p++;
		name = p;
		while (p < end && *p != '=' && *p != ' ')
			p++;
		if (p >= end || *p != '=') {
			continue;
		}
		v = ++p;
		while (p < end && *p != ' ')
			p++;
#define FIELD(NAME, M) \
		if ((size_t)(v - name) == sizeof(NAME) && \
		    !memcmp(name, NAME, sizeof(NAME) - 1) && f->M##_len < 0) { \
			f->M = v; \
			f->M##_len = p - v; \
		}
		FIELD("arch", arch)
		else FIELD("syscall", syscall)
		else FIELD("success", success)
		else FIELD("pid", pid)
#undef FIELD
		if (f->pid_len >= 0)	/* the last of them */
			break;
	}
}

/* The decision on an event from its first record. */
static uint8_t decide_first(struct prefilter *p, struct raw_header *h)
{
	struct first_fields f;
	uint32_t arch;
	uint64_t nr, pid;
	int w;

	if (h->type_len != 7 || memcmp(h->type, "SYSCALL", 7))
		return PREFILTER_DROP;
	body_kernel_part(h);
	scan_first_fields(h->body, h->body_len, &f);
	if (f.success_len < 0)
		return PREFILTER_KEEP;
	if (f.success_len != 3 || memcmp(f.success, "yes", 3))
		return PREFILTER_DROP;
	if (hex_u32(f.arch, f.arch_len, &arch))
		return PREFILTER_KEEP;
	if (dec_u64(f.syscall, f.syscall_len, &nr) || nr > UINT32_MAX)
		return PREFILTER_KEEP;
	w = watched(p, arch, nr);
	if (w == 0)
		return PREFILTER_DROP;
	if (w < 0)
		return PREFILTER_KEEP;
	if (dec_u64(f.pid, f.pid_len, &pid) || pid == 0 || pid > INT32_MAX)
		return PREFILTER_KEEP;
	if ((pid_t)pid == p->self_pid)
		return PREFILTER_DROP;
	if (p->drop_pid && p->drop_pid((pid_t)pid, p->arg)) {
		if (p->stats) {
			atomic_fetch_add(&p->stats->candidates, 1);
			atomic_fetch_add(&p->stats->out_of_scope, 1);
		}
		return PREFILTER_DROP;
	}
	return PREFILTER_KEEP;
}

/* FNV-1a of the node name. */
static uint32_t node_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/* The stamp "msg=audit(SEC.MILLI:SERIAL):" of H, and its node. */
static void remember_last(struct prefilter *p, const struct raw_header *h,
			  bool keep)
{
	const char *stamp = h->type + h->type_len + 1;
	size_t len = (size_t)(h->body - stamp);

	if (h->node_len > sizeof(p->last_node) ||
	    len > sizeof(p->last_stamp) ||
	    (h->type_len > 7 && !memcmp(h->type, "DAEMON_", 7))) {
		p->last_stamp_len = 0;
		return;
	}
	if (h->node_len)
		memcpy(p->last_node, h->node, h->node_len);
	p->last_node_len = h->node_len;
	memcpy(p->last_stamp, stamp, len);
	p->last_stamp_len = len;
	p->last_keep = keep;
}

/*
 * Is LINE a record of the event of the record before (same node, same
 * stamp)? Most records are: their decision is taken again without
 * reading the header in full. Records of auditd's own are never.
 */
static bool same_event_as_last(const struct prefilter *p, const char *line,
			       size_t len)
{
	const char *q = line, *end = line + len, *sp;

	if (!p->last_stamp_len)
		return false;
	if (p->last_node_len) {
		if (len < 5 + p->last_node_len + 1 || memcmp(q, "node=", 5) ||
		    memcmp(q + 5, p->last_node, p->last_node_len) ||
		    q[5 + p->last_node_len] != ' ')
			return false;
		q += 5 + p->last_node_len + 1;
	}
	if (end - q < 5 || memcmp(q, "type=", 5) ||
	    (end - q > 12 && !memcmp(q + 5, "DAEMON_", 7)))
		return false;
	sp = memchr(q + 5, ' ', (size_t)(end - q - 5));
	if (!sp || sp == q + 5)
		return false;
	sp++;
	return (size_t)(end - sp) >= p->last_stamp_len &&
	       !memcmp(sp, p->last_stamp, p->last_stamp_len);
}

/* Hand the record LINE (LEN bytes, no '\n') on? */
static bool keep_record(struct prefilter *p, const char *line, size_t len)
{
	struct raw_header h;
	struct prefilter_event *e;
	uint64_t lost;
	uint32_t node;

	if (!p->enabled)
		return true;
	if (same_event_as_last(p, line, len))
		return p->last_keep;
	p->last_stamp_len = 0;
	if (raw_header_parse(line, len, &h))
		return true;
	/* auditd's own records (DAEMON_*) are numbered on their own */
	if (h.type_len <= 7 || memcmp(h.type, "DAEMON_", 7)) {
		lost = serials_see(&p->serials, h.node, h.node_len, h.serial);
		if (lost && p->stats)
			atomic_fetch_add(&p->stats->lost_serials, lost);
	}
	node = node_hash(h.node, h.node_len);
	e = &p->recent[h.serial & (PREFILTER_RECENT - 1)];
	if (e->state && e->serial == h.serial && e->node == node &&
	    e->sec == h.sec && e->milli == h.milli) {
		remember_last(p, &h, e->state == PREFILTER_KEEP);
		return e->state == PREFILTER_KEEP;
	}
	/* the first record of an event */
	e->serial = h.serial;
	e->node = node;
	e->sec = h.sec;
	e->milli = h.milli;
	e->state = decide_first(p, &h);
	if (e->state == PREFILTER_DROP && p->stats)
		atomic_fetch_add(&p->stats->events, 1);
	remember_last(p, &h, e->state == PREFILTER_KEEP);
	return e->state == PREFILTER_KEEP;
}

int prefilter_init(struct prefilter *p, prefilter_out_fn out,
		   prefilter_pid_fn drop_pid, void *arg, struct stats *stats,
		   pid_t self_pid)
{
	memset(p, 0, sizeof(*p));
	p->carry = malloc(PREFILTER_LINE_MAX);
	if (!p->carry)
		return -1;
	p->out = out;
	p->drop_pid = drop_pid;
	p->arg = arg;
	p->stats = stats;
	p->self_pid = self_pid;
	p->enabled = true;
	serials_init(&p->serials);
	return 0;
}

void prefilter_destroy(struct prefilter *p)
{
	free(p->carry);
	p->carry = NULL;
}

/* The record in the carry buffer is complete (NL: with its '\n'). */
static void carry_done(struct prefilter *p, bool nl)
{
	size_t len = p->carry_len - (nl ? 1 : 0);

	if (keep_record(p, p->carry, len))
		p->out(p->carry, p->carry_len, p->arg);
	p->carry_len = 0;
}

/* Add [S, E) to the record being carried; over-long: hand it all on. */
static void carry_add(struct prefilter *p, const char *s, const char *e)
{
	size_t n = (size_t)(e - s);

	if (p->carry_len + n > PREFILTER_LINE_MAX) {
		p->out(p->carry, p->carry_len, p->arg);
		p->out(s, n, p->arg);
		p->carry_len = 0;
		p->passing = true;
		return;
	}
	memcpy(p->carry + p->carry_len, s, n);
	p->carry_len += n;
}

void prefilter_feed(struct prefilter *p, const char *buf, size_t len)
{
	const char *s = buf, *end = buf + len, *nl, *run = NULL;

	/* the end of a record begun in an earlier feed */
	if (s < end && (p->passing || p->carry_len)) {
		nl = memchr(s, '\n', (size_t)(end - s));
		if (p->passing) {
			const char *e = nl ? nl + 1 : end;

			p->out(s, (size_t)(e - s), p->arg);
			p->passing = !nl;
		} else {
			carry_add(p, s, nl ? nl + 1 : end);
			if (nl && !p->passing)
				carry_done(p, true);
			else if (nl)
				p->passing = false;
		}
		if (!nl)
			return;
		s = nl + 1;
	}
	while (s < end) {
		nl = memchr(s, '\n', (size_t)(end - s));
		if (!nl)
			break;
		if (keep_record(p, s, (size_t)(nl - s))) {
			if (!run)
				run = s;
		} else if (run) {
			p->out(run, (size_t)(s - run), p->arg);
			run = NULL;
		}
		s = nl + 1;
	}
	if (run)
		p->out(run, (size_t)(s - run), p->arg);
	if (s < end)
		carry_add(p, s, end);
}

void prefilter_flush(struct prefilter *p)
{
	uint64_t lost;

	if (p->carry_len && !p->passing)
		carry_done(p, false);
	p->carry_len = 0;
	p->passing = false;
	/* no more input: what is still awaited never comes */
	lost = serials_finish(&p->serials);
	if (lost && p->stats)
		atomic_fetch_add(&p->stats->lost_serials, lost);
}
