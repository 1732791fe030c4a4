/* SPDX-License-Identifier: GPL-2.0-or-later */
/* prefilter.c -- a look at each raw record before auparse */
#include "intake/prefilter.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <libaudit.h>

#include "intake/rawevent.h"
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
	return p->hold && p->hold((pid_t)pid, p->arg) ? PREFILTER_HOLD
						      : PREFILTER_KEEP;
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


/* The stamp "msg=audit(SEC.MILLI:SERIAL):" of H, and its node, with the
 * decision STATE on its event (PREFILTER_HOLD: held as PENDING). */
static void remember_last(struct prefilter *p, const struct raw_header *h,
			  uint8_t state, int pending)
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
	p->last_state = state;
	p->last_pending = pending;
}

/*
 * Is LINE a record of the event of the record before (same node, same
 * stamp)? Most records are: their decision is taken again without
 * reading the header in full. Records of auditd's own are never. Gives
 * the record's type name (*TYPE, *TYPE_LEN).
 */
static bool same_event_as_last(const struct prefilter *p, const char *line,
			       size_t len, const char **type,
			       size_t *type_len)
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
	*type = q + 5;
	*type_len = (size_t)(sp - *type);
	sp++;
	return (size_t)(end - sp) >= p->last_stamp_len &&
	       !memcmp(sp, p->last_stamp, p->last_stamp_len);
}

/*
 * Does auparse read the header of LINE (HDR_LEN bytes, to the "):" of its
 * stamp; a node of NODE_LEN bytes; seconds SEC) as raw_header_parse()
 * does? It splits a copy of the first 80 bytes (340 after node=) at
 * spaces, and the reader hands it a space for a NUL; an empty node is
 * no node to it; it refuses seconds near LONG_MAX. Otherwise the record
 * may be no record or another event's to auparse.
 */
static bool auparse_header(const char *line, size_t hdr_len,
			   bool empty_node, uint64_t sec)
{
	size_t window = line[0] == 'n' ? 340 : 80;

	return hdr_len <= window && !empty_node && sec <= LONG_MAX / 2 &&
	       !memchr(line, '\0', hdr_len);
}

/*
 * The stamp auparse finds in LINE (LEN bytes), as extract_timestamp() of
 * libauparse finds it (a lax reading: any third token with a '(' will
 * do; a NUL is the space the reader hands it). Returns 0, or -1 when
 * auparse reads no record there.
 */
static int auparse_stamp(const char *line, size_t len, uint64_t *sec,
			 unsigned int *milli, uint32_t *serial)
{
	char tmp[341], *tok, *save, *p, *e;
	size_t n = line[0] == 'n' ? 340 : 80, i;
	unsigned long v;

	if (n > len)
		n = len;
	for (i = 0; i < n; i++)
		tmp[i] = line[i] ? line[i] : ' ';
	tmp[n] = '\0';
	tok = strtok_r(tmp, " ", &save);
	if (!tok)
		return -1;
	if (*tok == 'n' && strnlen(tok, 8) > 5)
		(void)strtok_r(NULL, " ", &save);
	tok = strtok_r(NULL, " ", &save);
	if (!tok || strnlen(tok, 20) <= 18)
		return -1;
	p = tok[9] == '(' ? tok + 9 : strchr(tok, '(');
	if (!p)
		return -1;
	p++;
	e = strchr(p, ')');
	if (e)
		*e = '\0';
	errno = 0;
	v = strtoul(p, NULL, 10);
	if (errno || v > LONG_MAX / 2)
		return -1;
	*sec = v;
	*milli = 0;
	*serial = 0;
	if ((e = strchr(p, '.'))) {
		v = strtoul(e + 1, NULL, 10);
		if (errno || v > 999)
			return -1;
		*milli = (unsigned int)v;
		p = e + 1;
	}
	if ((e = strchr(p, ':'))) {
		v = strtoul(e + 1, NULL, 10);
		if (errno)
			return -1;
		*serial = (uint32_t)v;
	}
	return 0;
}

/*
 * LINE is a record auparse may read otherwise than the prefilter: held
 * events go on undecided, and an event with the stamp auparse finds in it
 * is not held later (auparse may count the record as that event's).
 */
static void taint(struct prefilter *p, const char *line, size_t len)
{
	struct prefilter_taint *t;
	uint64_t sec;
	unsigned int milli;
	uint32_t serial;

	prefilter_release(p);
	if (auparse_stamp(line, len, &sec, &milli, &serial))
		return;
	t = &p->tainted[p->ntainted++ % PREFILTER_TAINTED];
	t->used = true;
	t->serial = serial;
	t->sec = sec;
	t->milli = milli;
}

/* Was H's stamp found by auparse in a record the prefilter read
 * otherwise (taint())? */
static bool tainted(const struct prefilter *p, const struct raw_header *h)
{
	size_t i;

	for (i = 0; i < PREFILTER_TAINTED; i++)
		if (p->tainted[i].used && p->tainted[i].serial == h->serial &&
		    p->tainted[i].sec == h->sec &&
		    p->tainted[i].milli == h->milli)
			return true;
	return false;
}

static bool is_daemon(const struct raw_header *h)
{
	return h->type_len > 7 && !memcmp(h->type, "DAEMON_", 7);
}

/* The held event with H's stamp and node (hash NODE), or -1. */
static int pending_find(const struct prefilter *p, const struct raw_header *h,
			uint32_t node)
{
	int i;

	for (i = 0; i < PREFILTER_PENDING; i++) {
		const struct prefilter_pending *e = &p->pending[i];

		if (e->used && e->serial == h->serial && e->node == node &&
		    e->sec == h->sec && e->milli == h->milli)
			return i;
	}
	return -1;
}

/* Hold the event H begins (its slot SLOT); its index, or -1 when full. */
static int pending_new(struct prefilter *p, const struct raw_header *h,
		       uint32_t node, struct prefilter_event *slot)
{
	int i;

	for (i = 0; i < PREFILTER_PENDING; i++) {
		struct prefilter_pending *e = &p->pending[i];

		if (e->used)
			continue;
		e->used = true;
		e->serial = h->serial;
		e->node = node;
		e->sec = h->sec;
		e->milli = h->milli;
		e->begun = p->first_records;
		e->slot = slot;
		p->npending++;
		return i;
	}
	return -1;
}

/* Held event I is decided (KEEP) or let go undecided (KEEP too): its
 * waiting records and its later ones follow. */
static void pending_end(struct prefilter *p, int i, bool keep)
{
	struct prefilter_pending *e = &p->pending[i];
	struct prefilter_event *slot = e->slot;
	size_t k;

	for (k = 0; k < p->nheld; k++)
		if (p->held[k].tag == i)
			p->held[k].tag = keep ? HELD_KEEP : HELD_DROP;
	if (slot->state == PREFILTER_HOLD && slot->serial == e->serial &&
	    slot->node == e->node && slot->sec == e->sec &&
	    slot->milli == e->milli)
		slot->state = keep ? PREFILTER_KEEP : PREFILTER_DONE;
	if (p->last_stamp_len && p->last_state == PREFILTER_HOLD &&
	    p->last_pending == i)
		p->last_state = keep ? PREFILTER_KEEP : PREFILTER_DONE;
	e->used = false;
	p->npending--;
}

/* Hand on the waiting records, up to the first of an event still held. */
static void drain(struct prefilter *p)
{
	size_t k, run_off = 0, run_len = 0, shift;

	for (k = 0; k < p->nheld && p->held[k].tag < 0; k++) {
		const struct prefilter_held *h = &p->held[k];

		if (h->tag == HELD_KEEP) {
			if (!run_len)
				run_off = h->off;
			if (run_off + run_len == h->off) {
				run_len += h->len;
				continue;
			}
			p->out(p->held_buf + run_off, run_len, p->arg);
			run_off = h->off;
			run_len = h->len;
		}
	}
	if (run_len)
		p->out(p->held_buf + run_off, run_len, p->arg);
	if (k == p->nheld) {
		p->nheld = 0;
		p->held_len = 0;
		return;
	}
	if (!k)
		return;
	shift = p->held[k].off;
	memmove(p->held_buf, p->held_buf + shift, p->held_len - shift);
	p->held_len -= shift;
	memmove(p->held, p->held + k, (p->nheld - k) * sizeof(*p->held));
	p->nheld -= k;
	for (k = 0; k < p->nheld; k++)
		p->held[k].off -= shift;
}

void prefilter_release(struct prefilter *p)
{
	int i;

	if (!p->nheld)
		return;
	for (i = 0; i < PREFILTER_PENDING; i++)
		if (p->pending[i].used)
			pending_end(p, i, true);
	drain(p);
}

/* Held events that can no longer wait for their end: H is a second or
 * more newer (auparse times them out), or too many events begun since.
 * Returns whether any was let go. */
static bool release_old(struct prefilter *p, const struct raw_header *h)
{
	bool any = false;
	int i;

	for (i = 0; i < PREFILTER_PENDING; i++) {
		const struct prefilter_pending *e = &p->pending[i];

		if (e->used && (h->sec > e->sec ||
				p->first_records - e->begun >
					PREFILTER_HOLD_EVENTS)) {
			pending_end(p, i, true);
			any = true;
		}
	}
	if (any)
		drain(p);
	return any;
}

/* Held event I is complete: DECIDE reads its records. */
static void pending_decide(struct prefilter *p, int i)
{
	struct prefilter_line lines[PREFILTER_HELD_RECORDS];
	size_t k, n = 0;
	bool keep;

	for (k = 0; k < p->nheld; k++) {
		const struct prefilter_held *h = &p->held[k];

		if (h->tag != i)
			continue;
		lines[n].text = p->held_buf + h->off;
		lines[n].len = h->len;
		/* without its '\n' (the last record of the input may
		 * have none) */
		if (lines[n].len && lines[n].text[lines[n].len - 1] == '\n')
			lines[n].len--;
		n++;
	}
	keep = p->decide(lines, n, p->arg);
	pending_end(p, i, keep);
	drain(p);
}

/*
 * The decision on the record LINE (LEN bytes, no '\n'): PREFILTER_KEEP,
 * _DROP, or _HOLD (*PENDING: the held event, *ENDS: the record ends it
 * as auparse sees it).
 */
static uint8_t classify(struct prefilter *p, const char *line, size_t len,
			int *pending, bool *ends)
{
	struct raw_header h;
	struct prefilter_event *e;
	const char *type;
	size_t type_len;
	uint64_t lost;
	uint32_t node;
	uint8_t state;
	bool hdr_ok, released = false;
	int i;

	*ends = false;
	*pending = -1;
	if (!p->enabled)
		return PREFILTER_KEEP;
	if (same_event_as_last(p, line, len, &type, &type_len)) {
		if (p->last_state == PREFILTER_HOLD) {
			if (!auparse_header(line, (size_t)(type + type_len + 1 -
							  line) +
						  p->last_stamp_len, false,
					    0)) {
				taint(p, line, len);
				return PREFILTER_KEEP;
			}
			*pending = p->last_pending;
			*ends = raw_type_ends_event(raw_record_type(type,
								type_len));
		}
		if (p->last_state != PREFILTER_DONE)
			return p->last_state;
		/* the EOE after a dropped event; anything else is read in
		 * full below */
		if (raw_record_type(type, type_len) == AUDIT_EOE)
			return PREFILTER_DROP;
	}
	p->last_stamp_len = 0;
	if (raw_header_parse(line, len, &h)) {
		/* auparse may read it as a record of some event */
		taint(p, line, len);
		return PREFILTER_KEEP;
	}
	/* auditd's own records (DAEMON_*) are numbered on their own */
	if (!is_daemon(&h)) {
		lost = serials_see(&p->serials, h.node, h.node_len, h.serial);
		if (lost && p->stats)
			atomic_fetch_add(&p->stats->lost_serials, lost);
	} else {
		prefilter_release(p);
	}
	hdr_ok = auparse_header(line, (size_t)(h.body - line),
				h.node && !h.node_len, h.sec);
	if (!hdr_ok)
		taint(p, line, len);
	node = node_hash(h.node, h.node_len);
	if (p->npending) {
		released = release_old(p, &h);
		i = pending_find(p, &h, node);
		if (i >= 0) {
			*pending = i;
			*ends = raw_type_ends_event(raw_record_type(h.type,
								h.type_len));
			remember_last(p, &h, PREFILTER_HOLD, i);
			return PREFILTER_HOLD;
		}
	}
	e = &p->recent[h.serial & (PREFILTER_RECENT - 1)];
	if (e->state && e->serial == h.serial && e->node == node &&
	    e->sec == h.sec && e->milli == h.milli) {
		if (e->state == PREFILTER_DONE) {
			/* auparse took the event as complete: an EOE it
			 * would eat, anything else it makes a new event of */
			if (raw_record_type(h.type, h.type_len) == AUDIT_EOE)
				return PREFILTER_DROP;
			e->state = PREFILTER_KEEP;
		}
		state = e->state == PREFILTER_DROP ? PREFILTER_DROP
						   : PREFILTER_KEEP;
		remember_last(p, &h, state, -1);
		return state;
	}
	/* the first record of an event */
	p->first_records++;
	e->serial = h.serial;
	e->node = node;
	e->sec = h.sec;
	e->milli = h.milli;
	state = decide_first(p, &h);
	/* A record that let held events go is handed on with its event:
	 * auparse ends the events it was given when it sees a newer one,
	 * and had this one been held and dropped, the late records of
	 * those would have joined them, not made events of their own. */
	if (state == PREFILTER_HOLD && (!hdr_ok || tainted(p, &h) ||
					released))
		state = PREFILTER_KEEP;
	if (state == PREFILTER_HOLD) {
		i = pending_new(p, &h, node, e);
		if (i < 0) {
			state = PREFILTER_KEEP;
		} else {
			*pending = i;
			*ends = raw_type_ends_event(raw_record_type(h.type,
								h.type_len));
		}
	}
	e->state = state;
	if (state == PREFILTER_DROP && p->stats)
		atomic_fetch_add(&p->stats->events, 1);
	remember_last(p, &h, state, *pending);
	return state;
}

/* Room for one more waiting record of LEN bytes? */
static bool held_room(struct prefilter *p, size_t len)
{
	return p->nheld < PREFILTER_HELD_RECORDS &&
	       p->held_len + len <= PREFILTER_HELD_BYTES;
}

/*
 * The record BUF (LEN bytes, '\n' included) goes behind the waiting ones:
 * one of held event PENDING (ENDS: its last), or one to hand on
 * (PENDING < 0). With no room, every held event is let go first.
 */
static void enqueue(struct prefilter *p, const char *buf, size_t len,
		    int pending, bool ends)
{
	struct prefilter_held *h;

	if (!held_room(p, len)) {
		prefilter_release(p);	/* PENDING too: handed on */
		p->out(buf, len, p->arg);
		return;
	}
	memcpy(p->held_buf + p->held_len, buf, len);
	h = &p->held[p->nheld++];
	h->off = p->held_len;
	h->len = len;
	h->tag = pending >= 0 ? pending : HELD_KEEP;
	p->held_len += len;
	if (pending >= 0 && ends)
		pending_decide(p, pending);
}

/* The record LINE (LEN bytes, '\n' included when NL) alone. */
static void dispatch(struct prefilter *p, const char *line, size_t len,
		     bool nl)
{
	int pending;
	bool ends;
	uint8_t st = classify(p, line, len - (nl ? 1 : 0), &pending, &ends);

	if (st == PREFILTER_DROP)
		return;
	if (st == PREFILTER_KEEP && !p->nheld)
		p->out(line, len, p->arg);
	else
		enqueue(p, line, len, st == PREFILTER_HOLD ? pending : -1,
			ends);
}

int prefilter_init(struct prefilter *p, prefilter_out_fn out,
		   prefilter_pid_fn drop_pid, void *arg, struct stats *stats,
		   pid_t self_pid)
{
	memset(p, 0, sizeof(*p));
	p->carry = malloc(PREFILTER_LINE_MAX);
	p->held_buf = malloc(PREFILTER_HELD_BYTES);
	p->held = malloc(PREFILTER_HELD_RECORDS * sizeof(*p->held));
	if (!p->carry || !p->held_buf || !p->held) {
		prefilter_destroy(p);
		return -1;
	}
	p->out = out;
	p->drop_pid = drop_pid;
	p->arg = arg;
	p->stats = stats;
	p->self_pid = self_pid;
	p->enabled = true;
	serials_init(&p->serials);
	return 0;
}

void prefilter_set_hold(struct prefilter *p, prefilter_hold_fn hold,
			prefilter_decide_fn decide)
{
	prefilter_release(p);
	p->hold = decide ? hold : NULL;
	p->decide = decide;
}

void prefilter_destroy(struct prefilter *p)
{
	free(p->carry);
	free(p->held_buf);
	free(p->held);
	p->carry = NULL;
	p->held_buf = NULL;
	p->held = NULL;
}

/* The record in the carry buffer is complete (NL: with its '\n'). */
static void carry_done(struct prefilter *p, bool nl)
{
	size_t len = p->carry_len;

	p->carry_len = 0;
	dispatch(p, p->carry, len, nl);
}

/* Add [S, E) to the record being carried; over-long: hand it all on,
 * after what waits (held events are let go: it is read by none). */
static void carry_add(struct prefilter *p, const char *s, const char *e)
{
	size_t n = (size_t)(e - s);

	if (p->carry_len + n > PREFILTER_LINE_MAX) {
		prefilter_release(p);
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
	int pending;
	bool ends;
	uint8_t st;

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
		st = classify(p, s, (size_t)(nl - s), &pending, &ends);
		if (st == PREFILTER_KEEP && !p->nheld) {
			if (!run)
				run = s;
		} else {
			/* nothing waits while a run is gathered */
			if (run) {
				p->out(run, (size_t)(s - run), p->arg);
				run = NULL;
			}
			if (st != PREFILTER_DROP)
				enqueue(p, s, (size_t)(nl + 1 - s),
					st == PREFILTER_HOLD ? pending : -1,
					ends);
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
	prefilter_release(p);
	/* no more input: what is still awaited never comes */
	lost = serials_finish(&p->serials);
	if (lost && p->stats)
		atomic_fetch_add(&p->stats->lost_serials, lost);
}
