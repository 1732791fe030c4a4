/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz-config.h -- what configure would define, for the fuzz build */
#define _GNU_SOURCE 1
#define PACKAGE "dropexec"
#define PACKAGE_NAME "dropexec"
#define PACKAGE_VERSION "fuzz"
#define PACKAGE_STRING "dropexec fuzz"
#define VERSION "fuzz"
#define HAVE_LINUX_OPENAT2_H 1
#define SYSCONFDIR "/etc"
