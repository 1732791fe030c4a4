/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jsonlog.c -- the findings log, one JSON object per line */
#include "report/jsonlog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "report/finding.h"
#include "util/log.h"
#include "util/timeutil.h"

#define ERROR_INTERVAL_MS	60000

void jsonlog_init(struct jsonlog *l)
{
	memset(l, 0, sizeof(*l));
	l->fd = -1;
}

void jsonlog_close(struct jsonlog *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}

int jsonlog_set_path(struct jsonlog *l, const char *path)
{
	jsonlog_close(l);
	free(l->path);
	l->path = path && *path ? strdup(path) : NULL;
	return 0;
}

void jsonlog_reopen(struct jsonlog *l)
{
	jsonlog_close(l);
}

static void report(struct jsonlog *l, const char *what, int err)
{
	uint64_t now = now_ms();

	l->failed++;
	if (l->last_error_ms && now - l->last_error_ms < ERROR_INTERVAL_MS)
		return;
	l->last_error_ms = now;
	log_msg(LOG_ERR, "JSON log %s: %s: %s (%llu findings not written so "
		"far; they still go to the audit trail)", l->path, what,
		strerror(err), l->failed);
}

/* Create the log's directory (one level) when it is missing. */
static void make_parent(const char *path)
{
	char *dir = strdup(path), *slash;

	if (!dir)
		return;
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		mkdir(dir, 0750);
	}
	free(dir);
}

static int open_log(struct jsonlog *l)
{
	int flags = O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW |
		    O_NOCTTY | O_NONBLOCK;

	l->fd = open(l->path, flags, 0600);
	if (l->fd < 0 && errno == ENOENT) {
		make_parent(l->path);
		l->fd = open(l->path, flags, 0600);
	}
	if (l->fd < 0) {
		report(l, "cannot open", errno);
		return -1;
	}
	return 0;
}

int jsonlog_write(struct jsonlog *l, const char *line)
{
	struct iovec iov[3];
	struct stat st;
	size_t len = strlen(line), total, k = 0;
	ssize_t n;

	if (!l->path)
		return 0;
	if (l->fd >= 0 && fstat(l->fd, &st) == 0 && st.st_nlink == 0) {
		/* removed under us: findings would go to a file no one sees */
		log_msg(LOG_WARNING, "JSON log %s was removed: creating it "
			"again", l->path);
		jsonlog_close(l);
	}
	if (l->fd < 0 && open_log(l))
		return -1;
	/* End a line that a failed write left unfinished. */
	if (l->broken) {
		iov[k].iov_base = (void *)"\n";
		iov[k++].iov_len = 1;
	}
	iov[k].iov_base = (void *)line;
	iov[k++].iov_len = len;
	iov[k].iov_base = (void *)"\n";
	iov[k++].iov_len = 1;
	total = len + k - 1;
	do
		n = writev(l->fd, iov, (int)k);
	while (n < 0 && errno == EINTR);
	if (n > 0 && (size_t)n < total)
		/* only the newline that ended the old line went out: the
		 * file ends at a line boundary again */
		l->broken = !(k == 3 && n == 1);
	if (n == (ssize_t)total) {
		l->broken = false;
		if (l->failed && l->last_error_ms) {
			log_msg(LOG_NOTICE, "JSON log %s: writing again",
				l->path);
			l->last_error_ms = 0;
			l->failed = 0;
		}
		return 0;
	}
	report(l, n < 0 ? "write failed" : "short write",
	       n < 0 ? errno : ENOSPC);
	/* Reopen next time: the file may have been removed or the disk
	 * may have room again. */
	jsonlog_close(l);
	return -1;
}

/* This host's name into JS->hostname ("" when it has none). */
static void jsonlog_sink_hostname(struct jsonlog_sink *js)
{
	if (gethostname(js->hostname, sizeof(js->hostname)))
		js->hostname[0] = '\0';
	js->hostname[sizeof(js->hostname) - 1] = '\0';
}

static int jsonlog_sink_emit(struct sink *sk, const struct finding *f)
{
	struct jsonlog_sink *js = (struct jsonlog_sink *)sk;
	struct finding named = *f;
	char *line;
	int rc;

	named.hostname = js->hostname;
	line = finding_json_line(&named);
	rc = line ? jsonlog_write(&js->log, line) : -1;

	free(line);
	if (rc)
		atomic_fetch_add(&js->stats->json_errors, 1);
	return rc;
}

static void jsonlog_sink_configure(struct sink *sk, const struct config *cfg)
{
	struct jsonlog_sink *js = (struct jsonlog_sink *)sk;

	jsonlog_set_path(&js->log, cfg->json_log);
	jsonlog_sink_hostname(js);
}

static void jsonlog_sink_reopen(struct sink *sk)
{
	jsonlog_reopen(&((struct jsonlog_sink *)sk)->log);
}

void jsonlog_sink_init(struct jsonlog_sink *js, const struct config *cfg,
		       struct stats *stats)
{
	memset(js, 0, sizeof(*js));
	js->base.name = "json";
	js->base.emit = jsonlog_sink_emit;
	js->base.configure = jsonlog_sink_configure;
	js->base.reopen = jsonlog_sink_reopen;
	js->stats = stats;
	jsonlog_init(&js->log);
	jsonlog_set_path(&js->log, cfg->json_log);
	jsonlog_sink_hostname(js);
}

void jsonlog_sink_close(struct jsonlog_sink *js)
{
	jsonlog_close(&js->log);
	jsonlog_set_path(&js->log, NULL);
}
