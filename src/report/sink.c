/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sink.c -- where findings go: the list of sinks */
#include "report/sink.h"

#include <string.h>

void report_init(struct report *r)
{
	memset(r, 0, sizeof(*r));
}

int report_add(struct report *r, struct sink *sk)
{
	if (r->count >= REPORT_MAX_SINKS)
		return -1;
	r->sink[r->count++] = sk;
	return 0;
}

int report_emit(struct report *r, const struct finding *f)
{
	int lost = 0;
	size_t i;

	for (i = 0; i < r->count; i++)
		if (r->sink[i]->emit(r->sink[i], f))
			lost++;
	return lost;
}

void report_configure(struct report *r, const struct config *cfg)
{
	size_t i;

	for (i = 0; i < r->count; i++)
		if (r->sink[i]->configure)
			r->sink[i]->configure(r->sink[i], cfg);
}

void report_reopen(struct report *r)
{
	size_t i;

	for (i = 0; i < r->count; i++)
		if (r->sink[i]->reopen)
			r->sink[i]->reopen(r->sink[i]);
}
