/* SPDX-License-Identifier: GPL-2.0-or-later */
/* path.h -- absolute paths as text, without touching the file system */
#ifndef DROPEXEC_PATH_H
#define DROPEXEC_PATH_H

/*
 * Collapse ".", ".." and "//" of the absolute path P in place (".." above
 * "/" stays at "/", as the kernel resolves it). A relative P is left as it
 * is.
 */
void path_normalize(char *p);

#endif
