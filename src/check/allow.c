/* SPDX-License-Identifier: GPL-2.0-or-later */
/* allow.c -- known-good activity, from the [allow] lists of the configuration */
#include "check/allow.h"

bool allow_match(const struct config *cfg, const struct candidate *c,
		 const struct container_meta *meta, bool path_plain)
{
	return strlist_match(&cfg->allow_exe, c->exe) ||
	       (path_plain && strlist_match(&cfg->allow_path, c->path)) ||
	       (meta && strlist_match(&cfg->allow_image, meta->image)) ||
	       (meta && strlist_match(&cfg->allow_container, meta->name));
}
