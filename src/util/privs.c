/* SPDX-License-Identifier: GPL-2.0-or-later */
/* privs.c -- keep only the capabilities the plugin needs */
#include "util/privs.h"

#include <unistd.h>
#include <cap-ng.h>

#include "util/log.h"

int privs_drop(void)
{
	if (geteuid() != 0)
		return 0;
	capng_clear(CAPNG_SELECT_BOTH | CAPNG_SELECT_BOUNDS);
	if (capng_updatev(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED |
			  CAPNG_BOUNDING_SET, CAP_AUDIT_WRITE,
			  CAP_DAC_READ_SEARCH, CAP_LEASE, CAP_SYS_PTRACE,
			  -1) ||
	    capng_apply(CAPNG_SELECT_BOTH | CAPNG_SELECT_BOUNDS)) {
		log_msg(LOG_ERR, "cannot drop capabilities");
		return -1;
	}
	return 0;
}
