/* SPDX-License-Identifier: GPL-2.0-or-later */
/* allow.h -- known-good activity, from the [allow] lists of the configuration
 *
 * A confirmed drop is suppressed (and counted, not lost) when the writer's
 * executable, the file's path, the container's image or its name matches
 * one of the fnmatch(3) globs of allow_exe, allow_path, allow_image or
 * allow_container. allow_path matches only a plain name: the path as the
 * writer named it when it holds no ".", ".." or "//" and no symlink leads
 * through it inside the container (PATH_PLAIN, checked by the worker);
 * otherwise a name such as /opt/ok/../../tmp/x or /opt/ok/link/x, where
 * link points elsewhere, would carry any file into an allowed path.
 */
#ifndef DROPEXEC_ALLOW_H
#define DROPEXEC_ALLOW_H

#include <stdbool.h>

#include "candidate.h"
#include "scope/meta.h"
#include "util/settings.h"

/* Is candidate C (in the container of META, which may be NULL) allowed?
 * PATH_PLAIN: see above. */
bool allow_match(const struct config *cfg, const struct candidate *c,
		 const struct container_meta *meta, bool path_plain);

#endif
