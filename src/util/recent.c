/* SPDX-License-Identifier: GPL-2.0-or-later */
/* recent.c -- the last decisions on files, for the state dump */
#include "util/recent.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int recent_init(struct recent *r)
{
	memset(r, 0, sizeof(*r));
	r->v = calloc(RECENT_MAX, sizeof(*r->v));
	if (!r->v)
		return -1;
	if (pthread_mutex_init(&r->lock, NULL)) {
		free(r->v);
		r->v = NULL;
		return -1;
	}
	return 0;
}

void recent_free(struct recent *r)
{
	if (!r->v)
		return;
	pthread_mutex_destroy(&r->lock);
	free(r->v);
	r->v = NULL;
}

void recent_note(struct recent *r, uint64_t serial, const char *container,
		 const char *path, const char *what)
{
	struct recent_entry *e;

	if (!r || !r->v)
		return;
	pthread_mutex_lock(&r->lock);
	e = &r->v[r->next];
	e->serial = serial;
	snprintf(e->what, sizeof(e->what), "%s", what ? what : "-");
	snprintf(e->container, sizeof(e->container), "%.12s",
		 container ? container : "");
	snprintf(e->path, sizeof(e->path), "%s", path ? path : "");
	r->next = (r->next + 1) % RECENT_MAX;
	if (r->count < RECENT_MAX)
		r->count++;
	pthread_mutex_unlock(&r->lock);
}

size_t recent_copy(struct recent *r, struct recent_entry *out)
{
	size_t i, n, first;

	if (!r || !r->v)
		return 0;
	pthread_mutex_lock(&r->lock);
	n = r->count;
	first = (r->next + RECENT_MAX - n) % RECENT_MAX;
	for (i = 0; i < n; i++)
		out[i] = r->v[(first + i) % RECENT_MAX];
	pthread_mutex_unlock(&r->lock);
	return n;
}

void recent_encode_name(const char *name, char *buf, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	bool plain = true;
	size_t o = 0;

	if (!len)
		return;
	if (!name || !*name) {
		snprintf(buf, len, "-");
		return;
	}
	for (p = (const unsigned char *)name; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f || *p == '"')
			plain = false;
	if (plain) {
		snprintf(buf, len, "\"%s\"", name);
		return;
	}
	for (p = (const unsigned char *)name; *p && o + 2 < len; p++) {
		buf[o++] = hex[*p >> 4];
		buf[o++] = hex[*p & 15];
	}
	buf[o] = '\0';
}
