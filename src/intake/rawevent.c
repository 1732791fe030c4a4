/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rawevent.c -- an event's raw records as record_decide() reads them */
#include "intake/rawevent.h"

#include "intake/prefilter.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <libaudit.h>

void raw_event_init(struct raw_event *ev)
{
	memset(ev, 0, sizeof(*ev));
}

void raw_event_free(struct raw_event *ev)
{
	free(ev->buf);
	free(ev->f);
	raw_event_init(ev);
}

void raw_event_reset(struct raw_event *ev)
{
	ev->used = 0;
	ev->nf = 0;
	ev->nrec = 0;
	ev->cur_rec = ev->cur_field = 0;
	ev->unsure = false;
	ev->fixed = false;
}

bool raw_event_unsure(const struct raw_event *ev)
{
	return ev->unsure;
}

int raw_type_number(const char *type, size_t len)
{
	char name[64];

	/* the types of a syscall event, without a table walk */
	switch (len) {
	case 3:
		if (!memcmp(type, "CWD", 3))
			return AUDIT_CWD;
		if (!memcmp(type, "EOE", 3))
			return AUDIT_EOE;
		break;
	case 4:
		if (!memcmp(type, "PATH", 4))
			return AUDIT_PATH;
		break;
	case 6:
		if (!memcmp(type, "EXECVE", 6))
			return AUDIT_EXECVE;
		break;
	case 7:
		if (!memcmp(type, "SYSCALL", 7))
			return AUDIT_SYSCALL;
		if (!memcmp(type, "OPENAT2", 7))
			return AUDIT_OPENAT2;
		break;
	case 9:
		if (!memcmp(type, "PROCTITLE", 9))
			return AUDIT_PROCTITLE;
		break;
	}
	if (len >= sizeof(name))
		return -1;
	memcpy(name, type, len);
	name[len] = '\0';
	return audit_name_to_msg_type(name);
}

int raw_record_type(const char *t, size_t len)
{
	if (len && t[len - 1] == ':')
		len--;
	if (len && t[len - 1] == ',')
		len--;
	if (len && t[len - 1] == '\'')
		len--;
	if (len && t[len - 1] == ')')
		len--;
	return raw_type_number(t, len);
}

bool raw_type_ends_event(int type)
{
	/* au_check_events() of libauparse */
	return type == AUDIT_PROCTITLE || type == AUDIT_EOE ||
	       type < AUDIT_FIRST_EVENT || type >= AUDIT_FIRST_ANOM_MSG ||
	       type == AUDIT_KERNEL ||
	       (type >= AUDIT_MAC_UNLBL_ALLOW &&
		type <= AUDIT_MAC_CALIPSO_DEL);
}

/* Room for N more bytes in the text buffer. Field pointers are offsets
 * until the event is complete (see fix_pointers()). */
static int buf_reserve(struct raw_event *ev, size_t n)
{
	size_t cap = ev->cap ? ev->cap : 4096;
	char *p;

	if (ev->used + n <= ev->cap)
		return 0;
	while (cap < ev->used + n)
		cap *= 2;
	p = realloc(ev->buf, cap);
	if (!p)
		return -1;
	ev->buf = p;
	ev->cap = cap;
	return 0;
}

static int field_add(struct raw_event *ev, size_t name, size_t val)
{
	if (ev->nf == ev->fcap) {
		size_t cap = ev->fcap ? ev->fcap * 2 : 128;
		struct raw_field *f = realloc(ev->f, cap * sizeof(*f));

		if (!f)
			return -1;
		ev->f = f;
		ev->fcap = cap;
	}
	/* offsets into buf, made pointers once the buffer stops moving */
	ev->f[ev->nf].name = (const char *)(uintptr_t)name;
	ev->f[ev->nf].val = (const char *)(uintptr_t)val;
	ev->nf++;
	return 0;
}

/* Does a record of TYPE need its fields (record_decide() reads them)? */
static bool fields_read(int type)
{
	return type == AUDIT_SYSCALL || type == AUDIT_CWD ||
	       type == AUDIT_PATH || type == AUDIT_OPENAT2;
}

/*
 * Split the record copied at BUF + START (NUL-terminated, LEN bytes) into
 * fields as parse_up_record() of libauparse does (its type was taken
 * from the header); returns -1 without memory.
 */
static int split_fields(struct raw_event *ev, size_t start, size_t len)
{
	char *s = ev->buf + start, *end = s + len, *tok, *sp, *eq, *name;
	char *val;
	size_t vlen;

	while (s < end) {
		if (*s == ' ') {
			s++;
			continue;
		}
		tok = s;
		sp = memchr(s, ' ', (size_t)(end - s));
		if (!sp)
			sp = end;
		*sp = '\0';
		s = sp + 1;
		eq = memchr(tok, '=', (size_t)(sp - tok));
		if (!eq)
			continue;
		if (tok[0] == 'm' && !strncmp(tok, "msg=", 4)) {
			if (tok[4] == 'a')
				continue;
			if (tok[4] == '\'') {
				tok += 5;
				eq = memchr(tok, '=', (size_t)(sp - tok));
				if (!eq)
					continue;
			}
		}
		*eq = '\0';
		val = eq + 1;
		name = tok[0] == '(' ? tok + 1 : tok;
		vlen = (size_t)(sp - val);
		if (!vlen)
			continue;
		if (val[vlen - 1] == ':')
			val[--vlen] = '\0';
		if (vlen && val[vlen - 1] == ',')
			val[--vlen] = '\0';
		if (vlen && val[vlen - 1] == '\'')
			val[--vlen] = '\0';
		if (vlen && val[vlen - 1] == ')' && strcmp(val, "(none)") &&
		    strcmp(val, "(null)"))
			val[--vlen] = '\0';
		if (name[0] == 'k' && !strcmp(name, "key"))
			continue;	/* never read; auparse may split it */
		if (field_add(ev, (size_t)(name - ev->buf),
			      (size_t)(val - ev->buf)))
			return -1;
	}
	return 0;
}

int raw_event_add(struct raw_event *ev, const char *line, size_t len)
{
	const char *x1d;
	struct raw_record_view *r;
	struct raw_header h;
	size_t start;
	char *d, *nul;
	int type;

	if (ev->unsure)
		return -1;
	if (ev->fixed || ev->nrec == RAW_EVENT_RECORDS)
		goto unsure;
	/* auparse's type: the "type" field, first (or after node=), which
	 * is the header's: the prefilter read the header already */
	if (raw_header_parse(line, len, &h))
		goto unsure;
	type = raw_record_type(h.type, h.type_len);
	if (!ev->nrec) {
		memset(&ev->stamp, 0, sizeof(ev->stamp));
		ev->stamp.sec = (time_t)h.sec;
		ev->stamp.milli = h.milli;
		ev->stamp.serial = h.serial;
	}
	r = &ev->rec[ev->nrec];
	r->type = type;
	r->first = ev->nf;
	r->nfields = 0;
	if (!fields_read(type)) {
		ev->nrec++;	/* its fields are never read */
		return 0;
	}
	x1d = memchr(line, 0x1d, len);
	if (x1d)
		len = (size_t)(x1d - line);
	if (buf_reserve(ev, len + 1))
		goto unsure;
	start = ev->used;
	d = ev->buf + start;
	memcpy(d, line, len);
	d[len] = '\0';
	/* the reader hands auparse a space for a NUL */
	for (nul = d; (nul = memchr(nul, '\0', (size_t)(d + len - nul)));)
		*nul++ = ' ';
	ev->used += len + 1;
	if (split_fields(ev, start, len))
		goto unsure;
	r->nfields = ev->nf - r->first;
	ev->nrec++;
	return 0;
unsure:
	ev->unsure = true;
	return -1;
}

/* The field offsets become pointers (the buffer no longer moves). */
static void fix_pointers(struct raw_event *ev)
{
	size_t i;

	for (i = 0; i < ev->nf; i++) {
		ev->f[i].name = ev->buf + (uintptr_t)ev->f[i].name;
		ev->f[i].val = ev->buf + (uintptr_t)ev->f[i].val;
	}
}

static int rs_first_record(void *ctx)
{
	struct raw_event *ev = ctx;

	ev->cur_rec = 0;
	ev->cur_field = 0;
	return ev->nrec > 0;
}

static int rs_next_record(void *ctx)
{
	struct raw_event *ev = ctx;

	if (ev->cur_rec + 1 >= ev->nrec)
		return 0;
	ev->cur_rec++;
	ev->cur_field = 0;
	return 1;
}

static int rs_get_type(void *ctx)
{
	struct raw_event *ev = ctx;

	return ev->cur_rec < ev->nrec ? ev->rec[ev->cur_rec].type : 0;
}

static const char *rs_record_text(void *ctx)
{
	(void)ctx;
	return NULL;
}

/* As auparse: 1 on any record, with fields or none. */
static int rs_first_field(void *ctx)
{
	struct raw_event *ev = ctx;

	ev->cur_field = 0;
	return ev->cur_rec < ev->nrec;
}

static int rs_next_field(void *ctx)
{
	struct raw_event *ev = ctx;

	if (ev->cur_rec >= ev->nrec ||
	    ev->cur_field + 1 >= ev->rec[ev->cur_rec].nfields)
		return 0;
	ev->cur_field++;
	return 1;
}

static const struct raw_field *cur(const struct raw_event *ev)
{
	const struct raw_record_view *r;

	if (ev->cur_rec >= ev->nrec)
		return NULL;
	r = &ev->rec[ev->cur_rec];
	if (ev->cur_field >= r->nfields)
		return NULL;
	return &ev->f[r->first + ev->cur_field];
}

static const char *rs_field_name(void *ctx)
{
	const struct raw_field *f = cur(ctx);

	return f ? f->name : NULL;
}

static const char *rs_field_str(void *ctx)
{
	const struct raw_field *f = cur(ctx);

	return f ? f->val : NULL;
}

/* The field NAME from the current one on, in this record only: auparse
 * would go on into the next records, which is never a kernel record's
 * case; then the event is unsure. */
static const char *rs_find_field(void *ctx, const char *name)
{
	struct raw_event *ev = ctx;
	const struct raw_record_view *r;

	if (ev->cur_rec >= ev->nrec)
		return NULL;
	r = &ev->rec[ev->cur_rec];
	for (; ev->cur_field < r->nfields; ev->cur_field++)
		if (!strcmp(ev->f[r->first + ev->cur_field].name, name))
			return ev->f[r->first + ev->cur_field].val;
	ev->unsure = true;
	if (r->nfields)
		ev->cur_field = r->nfields - 1;
	return NULL;
}

static const au_event_t *rs_timestamp(void *ctx)
{
	struct raw_event *ev = ctx;

	return ev->nrec ? &ev->stamp : NULL;
}

static const struct event_source_ops raw_ops = {
	.first_record = rs_first_record,
	.next_record = rs_next_record,
	.get_type = rs_get_type,
	.record_text = rs_record_text,
	.first_field = rs_first_field,
	.next_field = rs_next_field,
	.field_name = rs_field_name,
	.field_str = rs_field_str,
	.find_field = rs_find_field,
	.timestamp = rs_timestamp,
};

struct event_source raw_event_source(struct raw_event *ev)
{
	struct event_source src = { &raw_ops, ev };

	if (!ev->fixed)
		fix_pointers(ev);
	ev->fixed = true;
	ev->cur_rec = ev->cur_field = 0;
	return src;
}
