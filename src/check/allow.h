/* SPDX-License-Identifier: GPL-2.0-or-later */
/* allow.h -- known-good activity, from the [allow] lists of the configuration
 *
 * A confirmed drop is suppressed (and counted, not lost) when the writer's
 * executable, the file's path, the container's image or its name matches
 * one of the fnmatch(3) globs of allow_exe, allow_path, allow_image or
 * allow_container.
 */
#ifndef DROPEXEC_ALLOW_H
#define DROPEXEC_ALLOW_H

#include <stdbool.h>

#include "candidate.h"
#include "scope/meta.h"
#include "util/settings.h"

/* Is candidate C (in the container of META, which may be NULL) allowed? */
bool allow_match(const struct config *cfg, const struct candidate *c,
		 const struct container_meta *meta);

#endif
