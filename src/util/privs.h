/* SPDX-License-Identifier: GPL-2.0-or-later */
/* privs.h -- keep only the capabilities the plugin needs */
#ifndef DROPEXEC_PRIVS_H
#define DROPEXEC_PRIVS_H

/*
 * Drop every capability but CAP_AUDIT_WRITE (findings into the audit
 * trail), CAP_DAC_READ_SEARCH (read a dropped file whatever its mode),
 * CAP_LEASE (ask whether a file of another owner is held open for
 * writing, check/safeopen.h) and CAP_SYS_PTRACE (reach /proc/PID/root
 * and /proc/PID/fd of processes in other user namespaces or that are not
 * dumpable), from the permitted,
 * effective, inheritable and bounding sets. Does nothing when not root.
 * Returns 0, or -1 when the capabilities could not be changed.
 */
int privs_drop(void);

#endif
