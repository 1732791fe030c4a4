/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_config.c -- libFuzzer target: the INI text of the configuration
 * file to config_load() and back to nothing (config_free(),
 * config_errors_free()). The file is root's, but --check-config is
 * meant to say what is wrong with any text, never to crash on it.
 *
 * config_load() opens a path (O_NOFOLLOW, a regular file), so each input
 * is written to one temporary file, removed at exit. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char conf_path[4096];
static int conf_fd = -1;

static void remove_conf(void)
{
	if (conf_path[0])
		unlink(conf_path);
}

/* The temporary file, created on first use in $TMPDIR, else in /dev/shm
 * (rewriting a file on a disk file system costs a flush each time), else
 * in /tmp. */
static int conf_file(void)
{
	const char *dir = getenv("TMPDIR");

	if (conf_fd >= 0)
		return conf_fd;
	if (!dir || !*dir)
		dir = access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm";
	snprintf(conf_path, sizeof(conf_path), "%s/dropexec-fuzz-conf.XXXXXX",
		 dir);
	conf_fd = mkstemp(conf_path);
	if (conf_fd < 0) {
		perror("fuzz_config: mkstemp");
		abort();
	}
	atexit(remove_conf);
	return conf_fd;
}

static void write_all(int fd, const uint8_t *data, size_t size)
{
	size_t off = 0;

	if (ftruncate(fd, 0))
		abort();
	while (off < size) {
		ssize_t n = pwrite(fd, data + off, size - off, (off_t)off);

		if (n <= 0)
			abort();
		off += (size_t)n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg, copy;
	struct config_errors errs = { 0 };
	size_t i;
	int rc;

	write_all(conf_file(), data, size);
	rc = config_load(conf_path, &cfg, &errs, false);
	/* valid exactly when there is nothing to report */
	if ((rc == 0) != (errs.count == 0))
		abort();
	for (i = 0; i < errs.count; i++)
		if (!errs.msg[i])
			abort();
	/* a reload keeps a copy of the running settings */
	if (config_copy(&copy, &cfg))
		abort();
	config_free(&copy);
	config_free(&cfg);
	config_errors_free(&errs);
	return 0;
}
