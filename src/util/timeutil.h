/* SPDX-License-Identifier: GPL-2.0-or-later */
/* timeutil.h -- monotonic milliseconds */
#ifndef DROPEXEC_TIMEUTIL_H
#define DROPEXEC_TIMEUTIL_H

#include <stdint.h>
#include <time.h>

static inline uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif
