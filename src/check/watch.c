/* SPDX-License-Identifier: GPL-2.0-or-later */
/* watch.c -- files held open for writing, watched until their final content */
#include "check/watch.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

int watch_init(struct watch *w, size_t cap)
{
	memset(w, 0, sizeof(*w));
	w->v = calloc(cap ? cap : 1, sizeof(*w->v));
	w->ns_cache = calloc(WATCH_NS_CACHE, sizeof(*w->ns_cache));
	if (!w->v || !w->ns_cache) {
		free(w->v);
		free(w->ns_cache);
		return -1;
	}
	w->cap = cap;
	return 0;
}

void watch_free(struct watch *w)
{
	size_t i;

	for (i = 0; i < w->count; i++)
		candidate_free(w->v[i].c);
	for (i = 0; i < WATCH_SNAPS; i++)
		free(w->snaps[i].v);
	free(w->v);
	free(w->ns_cache);
	memset(w, 0, sizeof(*w));
}

void watch_batch_begin(struct watch *w)
{
	w->batch = ++w->batches;
	if (!w->batch)
		w->batch = w->batches = 1;
}

void watch_batch_end(struct watch *w)
{
	w->batch = 0;
}

int watch_add(struct watch *w, const struct watch_entry *e)
{
	if (w->count >= w->cap)
		return -1;
	w->v[w->count++] = *e;
	return 0;
}

uint64_t watch_backoff_ms(unsigned int looks)
{
	uint64_t delay = (uint64_t)WATCH_LOOK_FIRST_MS <<
			 (looks < 10 ? looks : 10);

	return delay > WATCH_LOOK_MAX_MS ? WATCH_LOOK_MAX_MS : delay;
}

bool watch_holder_alive(const char *proc, const struct watch_holder *h)
{
	char path[96];
	struct stat st;

	if (h->pid <= 0)
		return false;
	snprintf(path, sizeof(path), "%s/%d", proc, (int)h->pid);
	return stat(path, &st) == 0;
}

uint64_t watch_poll_ms(const struct watch *w)
{
	uint64_t ms = w->count;

	if (ms < WATCH_POLL_MIN_MS)
		return WATCH_POLL_MIN_MS;
	return ms > WATCH_POLL_MAX_MS ? WATCH_POLL_MAX_MS : ms;
}

uint64_t watch_next_poll(const struct watch *w, uint64_t now,
			 uint64_t read_ms)
{
	uint64_t poll = watch_poll_ms(w);
	uint64_t at = (now / poll + 1) * poll;

	return at < read_ms ? at : read_ms;
}

size_t watch_take_due(struct watch *w, uint64_t now, bool all,
		      struct watch_entry *out)
{
	size_t i, keep = 0, n = 0;

	for (i = 0; i < w->count; i++) {
		if (all || w->v[i].due_ms <= now)
			out[n++] = w->v[i];
		else
			w->v[keep++] = w->v[i];
	}
	w->count = keep;
	return n;
}

int watch_next_ms(const struct watch *w, uint64_t now)
{
	uint64_t soonest = UINT64_MAX;
	size_t i;

	for (i = 0; i < w->count; i++)
		if (w->v[i].due_ms < soonest)
			soonest = w->v[i].due_ms;
	if (soonest == UINT64_MAX)
		return -1;
	if (soonest <= now)
		return 0;
	return soonest - now > INT32_MAX ? INT32_MAX : (int)(soonest - now);
}

bool watch_take_file(struct watch *w, uint64_t dev, uint64_t ino,
		     struct watch_entry *out)
{
	size_t i;

	for (i = 0; i < w->count; i++) {
		if (w->v[i].st_dev == dev && w->v[i].st_ino == ino) {
			*out = w->v[i];
			w->v[i] = w->v[--w->count];
			return true;
		}
	}
	return false;
}

/* Parse the decimal (BASE 10) or octal (8) number after "KEY:\t" in the
 * fdinfo text BUF. */
static bool fdinfo_field(const char *buf, const char *key, int base,
			 unsigned long long *val)
{
	size_t klen = strlen(key);
	const char *p = buf;
	char *end;

	while (p && *p) {
		if (!strncmp(p, key, klen) && p[klen] == ':') {
			p += klen + 1;
			while (*p == ' ' || *p == '\t')
				p++;
			if (!isdigit((unsigned char)*p))
				return false;
			errno = 0;
			*val = strtoull(p, &end, base);
			return !errno && end != p;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return false;
}

/* Read PROC/PID/fdinfo/FD: is it open for writing, on which inode and
 * mount (-1: not said)? False when it cannot be read or parsed. */
static bool fdinfo_read(const char *proc, pid_t pid, int fd, bool *writes,
			uint64_t *ino, int *mnt_id)
{
	unsigned long long flags, fino, mnt;
	char path[128], buf[1024];
	ssize_t n;
	int f;

	if (pid <= 0 || fd < 0)
		return false;
	snprintf(path, sizeof(path), "%s/%d/fdinfo/%d", proc, (int)pid, fd);
	f = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (f < 0)
		return false;
	do
		n = read(f, buf, sizeof(buf) - 1);
	while (n < 0 && errno == EINTR);
	close(f);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	if (!fdinfo_field(buf, "flags", 8, &flags) ||
	    !fdinfo_field(buf, "ino", 10, &fino))
		return false;
	if (!fdinfo_field(buf, "mnt_id", 10, &mnt) || mnt > INT32_MAX)
		mnt = (unsigned long long)-1;
	*writes = (flags & O_ACCMODE) != O_RDONLY;
	*ino = fino;
	*mnt_id = mnt == (unsigned long long)-1 ? -1 : (int)mnt;
	return true;
}

/* Is a descriptor on INO, mount MNT, the file asked about (inode WANT_INO
 * unless 0, mount WANT_MNT unless -1)? */
static bool same_file(uint64_t ino, int mnt, uint64_t want_ino, int want_mnt)
{
	if (want_ino && ino != want_ino)
		return false;
	return want_mnt < 0 || mnt < 0 || mnt == want_mnt;
}

bool watch_fd_writes(const char *proc, pid_t pid, int fd, uint64_t ino,
		     int mnt_id, uint64_t *ino_out, int *mnt_out)
{
	uint64_t fino;
	bool writes;
	int mnt;

	if (!fdinfo_read(proc, pid, fd, &writes, &fino, &mnt))
		return false;
	if (ino_out)
		*ino_out = fino;
	if (mnt_out)
		*mnt_out = mnt;
	return writes && same_file(fino, mnt, ino, mnt_id);
}

uint64_t watch_pidns_of(const char *proc, pid_t pid)
{
	char path[128];
	struct stat st;

	if (pid <= 0)
		return 0;
	snprintf(path, sizeof(path), "%s/%d/ns/pid", proc, (int)pid);
	if (stat(path, &st) < 0)
		return 0;
	return (uint64_t)st.st_ino;
}

/* A decimal number that is all of NAME, or -1. */
static long name_number(const char *name)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)name[0]))
		return -1;
	errno = 0;
	v = strtol(name, &end, 10);
	if (errno || *end || v < 0 || v > INT32_MAX)
		return -1;
	return v;
}

/* Does PID hold a descriptor open for writing on H's file? 1 (H's pid
 * and fd are set to it), 0, or -1: more descriptors than a search reads,
 * none of those read. */
static int search_fds(const char *proc, pid_t pid, struct watch_holder *h)
{
	char dir[96];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%d/fdinfo", proc, (int)pid);
	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		long fd = name_number(de->d_name);

		if (fd < 0)
			continue;
		if (++n > WATCH_SEARCH_FDS_MAX) {
			closedir(d);
			return -1;
		}
		if (watch_fd_writes(proc, pid, (int)fd, h->ino, h->mnt_id,
				    NULL, NULL)) {
			closedir(d);
			h->pid = pid;
			h->fd = (int)fd;
			return 1;
		}
	}
	closedir(d);
	return 0;
}

/* The pid namespace of PID, whose /proc entry has inode D_INO, from W's
 * cache or read once. */
static uint64_t ns_of(struct watch *w, const char *proc, pid_t pid,
		      uint64_t d_ino)
{
	struct watch_ns_slot *s = &w->ns_cache[(size_t)pid % WATCH_NS_CACHE];

	if (s->pid == pid && s->d_ino == d_ino && d_ino)
		return s->ns;
	s->pid = pid;
	s->d_ino = d_ino;
	s->ns = watch_pidns_of(proc, pid);
	return s->ns;
}

/* Add PID's descriptors open for writing to S; false when S is full or
 * PID has more descriptors than a search reads (S is then incomplete). */
static bool snap_add_fds(const char *proc, pid_t pid, struct watch_snap *s)
{
	char dir[96];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%d/fdinfo", proc, (int)pid);
	d = opendir(dir);
	if (!d)
		return true;
	while ((de = readdir(d))) {
		long fd = name_number(de->d_name);
		struct watch_snap_fd *e;
		uint64_t ino;
		bool writes;
		int mnt;

		if (fd < 0)
			continue;
		if (++n > WATCH_SEARCH_FDS_MAX) {
			closedir(d);
			return false;
		}
		if (!fdinfo_read(proc, pid, (int)fd, &writes, &ino, &mnt) ||
		    !writes)
			continue;
		if (s->n == s->cap) {
			size_t cap = s->cap ? 2 * s->cap : 64;
			struct watch_snap_fd *v;

			if (cap > WATCH_SNAP_FDS_MAX ||
			    !(v = realloc(s->v, cap * sizeof(*v)))) {
				closedir(d);
				return false;
			}
			s->v = v;
			s->cap = cap;
		}
		e = &s->v[s->n++];
		e->ino = ino;
		e->mnt_id = mnt;
		e->pid = pid;
		e->fd = (int)fd;
	}
	closedir(d);
	return true;
}

/* Search namespace PIDNS once for this batch, into a slot of W; NULL
 * when /proc cannot be read. */
static struct watch_snap *snap_take(struct watch *w, const char *proc,
				    uint64_t pidns)
{
	struct watch_snap *s = NULL;
	struct dirent *de;
	unsigned int i;
	int n = 0, seen = 0;
	DIR *d;

	for (i = 0; i < WATCH_SNAPS; i++)
		if (w->snaps[i].pidns == pidns)
			s = &w->snaps[i];
	if (!s) {
		s = &w->snaps[w->next_snap];
		w->next_snap = (w->next_snap + 1) % WATCH_SNAPS;
	}
	s->pidns = 0;
	s->n = 0;
	d = opendir(proc);
	if (!d)
		return NULL;
	w->searches++;
	s->complete = true;
	while ((de = readdir(d))) {
		long pid = name_number(de->d_name);

		if (pid <= 0)
			continue;
		if (++seen > WATCH_SEARCH_PIDS_MAX) {
			s->complete = false;
			break;
		}
		if (ns_of(w, proc, (pid_t)pid, de->d_ino) != pidns)
			continue;
		if (++n > WATCH_SEARCH_PROCS_MAX ||
		    !snap_add_fds(proc, (pid_t)pid, s)) {
			s->complete = false;
			break;
		}
	}
	closedir(d);
	s->pidns = pidns;
	s->batch = w->batch;
	return s;
}

/* The first descriptor of S on H's file (H is set to it), if any. */
static bool snap_find(const struct watch_snap *s, struct watch_holder *h)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (!same_file(s->v[i].ino, s->v[i].mnt_id, h->ino, h->mnt_id))
			continue;
		h->pid = s->v[i].pid;
		h->fd = s->v[i].fd;
		return true;
	}
	return false;
}

/* H's file held, by this batch's search of its namespace? FRESH: a new
 * search, not the batch's last. -1: no complete search to tell. */
static int snap_held(struct watch *w, const char *proc,
		     struct watch_holder *h, bool fresh)
{
	struct watch_snap *s = NULL;
	unsigned int i;

	for (i = 0; i < WATCH_SNAPS && !fresh; i++)
		if (w->snaps[i].pidns == h->pidns &&
		    w->snaps[i].batch == w->batch)
			s = &w->snaps[i];
	if (!s)
		s = snap_take(w, proc, h->pidns);
	if (!s || !s->complete)
		return -1;
	return snap_find(s, h);
}

/* The search without a batch, or past a batch's bound: one pass that
 * stops at the first holder. 1 (H is set to it), 0 (none), or -1: a
 * bound of the search reached before a holder was found (watch.h). */
static int search_ns(struct watch *w, const char *proc,
		     struct watch_holder *h)
{
	struct dirent *de;
	int n = 0, seen = 0, r, rc = 0;
	DIR *d;

	d = opendir(proc);
	if (!d)
		return 0;
	w->searches++;
	while ((de = readdir(d))) {
		long pid = name_number(de->d_name);

		if (pid <= 0)
			continue;
		if (++seen > WATCH_SEARCH_PIDS_MAX) {
			rc = -1;
			break;
		}
		if (ns_of(w, proc, (pid_t)pid, de->d_ino) != h->pidns)
			continue;
		if (++n > WATCH_SEARCH_PROCS_MAX) {
			rc = -1;
			break;
		}
		r = search_fds(proc, (pid_t)pid, h);
		if (r > 0) {
			closedir(d);
			return 1;
		}
		if (r < 0)
			rc = -1;	/* and on: another may tell */
	}
	closedir(d);
	if (rc < 0)
		w->searches_cut++;
	return rc;
}

/* Held by a process of H's namespace (H's own descriptor is not asked
 * again)? */
static bool held_in_ns(struct watch *w, const char *proc,
		       struct watch_holder *h)
{
	struct watch_holder found;
	int r;

	/* a search cut short by a bound counts as held (watch.h) */
	if (!h->pidns)
		return false;
	if (!w->batch)
		return search_ns(w, proc, h) != 0;
	found = *h;
	r = snap_held(w, proc, &found, false);
	if (r < 0)
		return search_ns(w, proc, h) != 0;
	/* a holder of the batch's search may have let go since: it is
	 * asked, and when it has, the namespace is searched again */
	if (r && !watch_fd_writes(proc, found.pid, found.fd, found.ino,
				  found.mnt_id, NULL, NULL)) {
		found = *h;
		r = snap_held(w, proc, &found, true);
		if (r < 0)
			return search_ns(w, proc, h) != 0;
	}
	if (r)
		*h = found;
	return r;
}

bool watch_holder_writes(const char *proc, const struct watch_holder *h)
{
	return h->ino && watch_fd_writes(proc, h->pid, h->fd, h->ino,
					 h->mnt_id, NULL, NULL);
}

bool watch_inheritor(struct watch *w, const char *proc,
		     struct watch_holder *h)
{
	return h->ino && held_in_ns(w, proc, h);
}
