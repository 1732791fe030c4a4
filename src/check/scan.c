/* SPDX-License-Identifier: GPL-2.0-or-later */
/* scan.c -- a scan of the running containers' writable layers */
#include "check/scan.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>

#include "check/allow.h"
#include "check/pipeline.h"
#include "check/safeopen.h"
#include "report/finding.h"
#include "scope/mounts.h"
#include "scope/runtimes.h"
#include "util/log.h"
#include "util/timeutil.h"

#define CACHE_FIRST	4096
#define COMPARE_CHUNK	65536
#define LOG_GAP_MS	60000

/* --- the cache of files looked at ----------------------------------------- */

static size_t cache_hash(uint64_t dev, uint64_t ino, size_t cap)
{
	uint64_t h = (ino ^ (dev << 32) ^ (dev >> 32)) * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h >> 17) & (cap - 1);
}

/* The slot of (DEV, INO) in C, or the free slot where it would go. */
static struct scan_cache_entry *cache_slot(struct scan_cache *c,
					   uint64_t dev, uint64_t ino)
{
	size_t i = cache_hash(dev, ino, c->cap);

	while (c->e[i].round &&
	       (c->e[i].dev != dev || c->e[i].ino != ino))
		i = (i + 1) & (c->cap - 1);
	return &c->e[i];
}

/* Rebuild C with CAP slots, keeping the entries seen since KEEP_FROM. */
static int cache_rebuild(struct scan_cache *c, size_t cap, uint32_t keep_from)
{
	struct scan_cache old = *c;
	size_t i;

	c->e = calloc(cap, sizeof(*c->e));
	if (!c->e) {
		*c = old;
		return -1;
	}
	c->cap = cap;
	c->count = 0;
	for (i = 0; i < old.cap; i++) {
		if (!old.e[i].round || old.e[i].round < keep_from)
			continue;
		*cache_slot(c, old.e[i].dev, old.e[i].ino) = old.e[i];
		c->count++;
	}
	free(old.e);
	return 0;
}

bool scan_cache_seen(struct scan_cache *c, uint64_t dev, uint64_t ino,
		     int64_t ctime_sec, int64_t ctime_nsec, uint32_t round)
{
	struct scan_cache_entry *e;

	if (!c->cap)
		return false;
	e = cache_slot(c, dev, ino);
	if (!e->round || e->too_new || e->ctime_sec != ctime_sec ||
	    e->ctime_nsec != ctime_nsec)
		return false;
	e->round = round;
	return true;
}

/* The slot for (DEV, INO) in C, made room for; NULL when the cache is
 * full (SCAN_CACHE_MAX) or memory short. */
static struct scan_cache_entry *cache_claim(struct scan_cache *c,
					    uint64_t dev, uint64_t ino)
{
	struct scan_cache_entry *e;

	if (!c->cap && cache_rebuild(c, CACHE_FIRST, 0))
		return NULL;
	if ((c->count + 1) * 2 > c->cap) {
		if (c->cap >= SCAN_CACHE_MAX || cache_rebuild(c, c->cap * 2, 0))
			if ((c->count + 1) * 4 > c->cap * 3)
				return NULL;
	}
	e = cache_slot(c, dev, ino);
	if (!e->round)
		c->count++;
	e->dev = dev;
	e->ino = ino;
	return e;
}

/* Remember (DEV, INO, CTIME) as looked at in ROUND; when the cache is
 * full, the file is simply read again next time. */
static void cache_note(struct scan_cache *c, uint64_t dev, uint64_t ino,
		       int64_t ctime_sec, int64_t ctime_nsec, uint32_t round)
{
	struct scan_cache_entry *e = cache_claim(c, dev, ino);

	if (!e)
		return;
	e->ctime_sec = ctime_sec;
	e->ctime_nsec = ctime_nsec;
	e->round = round;
	e->too_new = false;
}

/* The file (DEV, INO) was changed within the settle time as round ROUND
 * saw it: was it so already in an earlier round? Notes it for ROUND
 * either way (scan_cache_seen() then takes it for changed). When the
 * cache is full the answer is yes: the file is taken as it is, as every
 * file was before a pass left any to the live check. */
static bool scan_cache_too_new(struct scan_cache *c, uint64_t dev, uint64_t ino,
			uint32_t round)
{
	struct scan_cache_entry *e = cache_claim(c, dev, ino);
	bool before;

	if (!e)
		return true;
	before = e->round && e->round != round && e->too_new;
	e->round = round;
	e->too_new = true;
	return before;
}

void scan_cache_prune(struct scan_cache *c, uint32_t keep_from)
{
	size_t cap = CACHE_FIRST;

	if (!c->cap)
		return;
	while (cap < SCAN_CACHE_MAX && cap < c->count * 4)
		cap *= 2;
	cache_rebuild(c, cap, keep_from);
}

void scan_cache_free(struct scan_cache *c)
{
	free(c->e);
	memset(c, 0, sizeof(*c));
}

/* --- targets: the containers' upper layers --------------------------------- */

static void target_free(struct scan_target *t)
{
	size_t i;

	free(t->upperdir);
	free(t->mountpoint);
	for (i = 0; i < t->nlowers; i++)
		free(t->lowers[i]);
	free(t->lowers);
	memset(t, 0, sizeof(*t));
}

static void targets_free(struct scan *s)
{
	size_t i;

	if (s->walk_open)
		layerwalk_close(&s->walk);
	s->walk_open = false;
	for (i = 0; i < s->nt; i++)
		target_free(&s->t[i]);
	free(s->t);
	s->t = NULL;
	s->nt = s->cur = 0;
}

/* The mount of T that holds the host path PATH: the longest mount point
 * that is PATH or a directory above it (the last mounted, on a tie). */
static const struct mount_entry *mount_of_path(const struct mount_table *t,
					       const char *path)
{
	const struct mount_entry *best = NULL;
	size_t i, len, best_len = 0;

	for (i = 0; i < t->count; i++) {
		const char *mp = t->e[i].mountpoint;

		len = strlen(mp);
		if (strcmp(mp, "/") &&
		    (strncmp(path, mp, len) || (path[len] && path[len] != '/')))
			continue;
		if (!strcmp(mp, "/"))
			len = 1;
		if (!best || len >= best_len) {
			best = &t->e[i];
			best_len = len;
		}
	}
	return best;
}

/* May the host path PATH be read (its file system is not one of the
 * never-read list)? */
static bool path_readable(const struct mount_table *t, const char *path)
{
	const struct mount_entry *m = mount_of_path(t, path);

	return m && !m->never_read;
}

/* Fill T from the overlay mount E; 1 when it is no container's. */
static int target_from(struct scan_target *t, const struct mount_entry *e,
		       const struct mount_table *tab, struct checker *ck,
		       uint64_t now)
{
	const struct runtime_container *rc;
	size_t i;

	memset(t, 0, sizeof(*t));
	mountpoint_container(e->mountpoint, &t->ref);
	rc = runtimes_by_rootfs(&ck->scope.rt, e->mountpoint, now);
	if (!t->ref.id[0] && rc) {
		snprintf(t->ref.id, sizeof(t->ref.id), "%s", rc->id);
		snprintf(t->ref.runtime, sizeof(t->ref.runtime), "%s",
			 rc->runtime);
	}
	meta_lookup(&ck->meta, &t->ref, e->mountpoint, rc, now);
	if (!t->ref.id[0])
		return 1;
	t->major = e->major;
	t->minor = e->minor;
	t->upperdir = strdup(e->upperdir);
	t->mountpoint = strdup(e->mountpoint);
	t->lowers = calloc(e->nlowers + 1, sizeof(*t->lowers));
	if (!t->upperdir || !t->mountpoint || !t->lowers)
		return -1;
	t->lowers_readable = true;
	for (i = 0; i < e->nlowers; i++) {
		t->lowers[i] = strdup(e->lowers[i]);
		if (!t->lowers[i])
			return -1;
		t->nlowers++;
		if (!path_readable(tab, e->lowers[i]))
			t->lowers_readable = false;
	}
	return 0;
}

/* Is UPPERDIR already a target (a mount listed twice)? */
static bool target_known(const struct scan *s, const char *upperdir)
{
	size_t i;

	for (i = 0; i < s->nt; i++)
		if (!strcmp(s->t[i].upperdir, upperdir))
			return true;
	return false;
}

/* Every container's upper layer, from the host's mount table. */
static int load_targets(struct scan *s, struct checker *ck, uint64_t now)
{
	struct mount_table tab;
	size_t i;
	int rc;

	targets_free(s);
	s->round_skipped = 0;
	rc = mounts_parse_file(&tab, s->mountinfo);
	if (rc) {
		log_msg(LOG_ERR, "scan: cannot read %s: %s", s->mountinfo,
			strerror(-rc));
		return -1;
	}
	s->t = calloc(tab.overlay_count ? tab.overlay_count : 1,
		      sizeof(*s->t));
	if (!s->t) {
		mounts_free(&tab);
		return -1;
	}
	for (i = 0; i < tab.overlay_count; i++) {
		const struct mount_entry *e = tab.overlays[i].mount;

		if (!e->upperdir || !*e->upperdir ||
		    !strcmp(e->mountpoint, "/") ||
		    target_known(s, e->upperdir))
			continue;
		if (!path_readable(&tab, e->upperdir)) {
			/* FUSE, NFS...: never read (scope/mounts.h) */
			s->round_skipped++;
			continue;
		}
		rc = target_from(&s->t[s->nt], e, &tab, ck, now);
		if (rc == 0)
			s->nt++;
		else
			target_free(&s->t[s->nt]);
	}
	mounts_free(&tab);
	return 0;
}

/* --- one file ------------------------------------------------------------- */

/* Could a file whose header says KIND be of a type we report? (As the
 * live check decides: PIE or library is settled by libmagic.) */
static bool kind_wanted(unsigned int kind, unsigned int types)
{
	if (kind & (KIND_ELF_PIE | KIND_ELF_SHARED))
		return types & (KIND_ELF_PIE | KIND_ELF_SHARED);
	return kind & types;
}

/* Do the open regular files A and B, both SIZE bytes, hold the same
 * bytes? */
static bool same_content(int a, int b, off_t size)
{
	static char ba[COMPARE_CHUNK], bb[COMPARE_CHUNK];
	off_t off = 0;

	while (off < size) {
		ssize_t na = pread(a, ba, sizeof(ba), off);
		ssize_t nb = pread(b, bb, sizeof(bb), off);

		if (na <= 0 || na != nb || memcmp(ba, bb, (size_t)na))
			return false;
		off += na;
	}
	return true;
}

/*
 * Is the upper file FD (of ST, at PATH) an image file copied up
 * unchanged: the same path in the first lower layer that has it is a
 * regular file with the same bytes? Files larger than MAX are not
 * compared (reported).
 */
static bool same_as_lower(const struct scan_target *t, const char *path,
			  int fd, const struct stat *st, unsigned long long max)
{
	struct stat lst;
	size_t i;
	bool same = false;
	int root, lfd, rfd;

	if (!t->lowers_readable || (unsigned long long)st->st_size > max)
		return false;
	for (i = 0; i < t->nlowers; i++) {
		root = open(t->lowers[i], O_PATH | O_DIRECTORY | O_NOFOLLOW |
			    O_CLOEXEC);
		if (root < 0)
			continue;
		lfd = layerwalk_lookup(root, path);
		close(root);
		if (lfd < 0) {
			if (errno == ENOENT)
				continue;	/* not in this layer */
			return false;
		}
		if (fstat(lfd, &lst) == 0 && S_ISREG(lst.st_mode) &&
		    lst.st_size == st->st_size) {
			rfd = inspect_reopen(lfd, &lst);
			if (rfd >= 0) {
				same = same_content(fd, rfd, st->st_size);
				close(rfd);
			}
		}
		close(lfd);
		return same;		/* the top layer with the name decides */
	}
	return false;
}

/*
 * The file's identity as the container sees it (and as the live check
 * reported it): the overlay's device, and the inode the overlay mount
 * gives PATH when that is the same file (same size and mtime); else the
 * upper inode, which the overlay shows for a file created in the
 * container when its layers share a file system.
 */
static void container_view(const struct scan_target *t, const char *path,
			   const struct stat *upper, struct stat *out)
{
	struct stat m;
	int root, fd;

	*out = *upper;
	out->st_dev = makedev(t->major, t->minor);
	if (!t->lowers_readable)
		return;		/* a lookup there could wait on a lower */
	root = open(t->mountpoint, O_PATH | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
	if (root < 0)
		return;
	fd = layerwalk_lookup(root, path);
	close(root);
	if (fd < 0)
		return;
	if (fstat(fd, &m) == 0 && S_ISREG(m.st_mode) &&
	    major(m.st_dev) == t->major && minor(m.st_dev) == t->minor &&
	    m.st_size == upper->st_size &&
	    m.st_mtim.tv_sec == upper->st_mtim.tv_sec &&
	    m.st_mtim.tv_nsec == upper->st_mtim.tv_nsec)
		*out = m;
	close(fd);
}

/* The candidate a scan finding describes: no audit event behind it. */
static struct candidate *scan_candidate(const struct scan_target *t,
					const char *path,
					const struct stat *st)
{
	struct candidate *c = candidate_new();
	struct timespec now;

	if (!c)
		return NULL;
	clock_gettime(CLOCK_REALTIME, &now);
	c->op = FILE_OP_SCAN;
	c->serial = 0;
	c->sec = (uint64_t)now.tv_sec;
	c->milli = (unsigned int)(now.tv_nsec / 1000000);
	c->success = true;
	c->uid = c->gid = c->euid = c->auid = c->ses = -1;
	c->path = strdup(path);
	c->has_inode = true;
	c->inode = st->st_ino;
	c->dev_major = major(st->st_dev);
	c->dev_minor = minor(st->st_dev);
	c->mode = st->st_mode;
	c->container = t->ref;
	if (!c->path) {
		candidate_free(c);
		return NULL;
	}
	return c;
}

/* Is the file DEV_MAJOR:DEV_MINOR/INO (as the container sees it) still in
 * the live check's hands, waiting for a look or watched while a writer
 * holds it? Then the live check reports it, with its audit event. */
static bool live_check_has(const struct checker *ck, unsigned int dev_major,
			   unsigned int dev_minor, uint64_t ino)
{
	size_t i;

	for (i = 0; i < ck->pending.count; i++) {
		const struct candidate *c = ck->pending.v[i];

		if (c->has_inode && c->inode == ino &&
		    c->dev_major == dev_major && c->dev_minor == dev_minor)
			return true;
	}
	for (i = 0; i < ck->watch.count; i++) {
		const struct watch_entry *e = &ck->watch.v[i];

		if (e->st_ino == ino &&
		    e->st_dev == makedev(dev_major, dev_minor))
			return true;
	}
	return false;
}

/* Report the confirmed file F (C holds it) once, unless allowed. */
static void conclude(struct scan *s, struct checker *ck,
		     const struct scan_target *t, struct candidate *c,
		     struct finding *f, uint64_t now)
{
	struct dedupe_key key;

	if (live_check_has(ck, major(f->st.st_dev), minor(f->st.st_dev),
			   f->st.st_ino))
		return;
	f->c = c;
	f->meta = meta_lookup(&ck->meta, &c->container, t->mountpoint,
			      runtimes_by_id(&ck->scope.rt, c->container.id,
					     now), now);
	/* the walk followed no symlink and the path holds no "." or "..":
	 * it is the file's plain name */
	f->path_plain = true;
	if (allow_match(&ck->cfg, c, f->meta, true)) {
		atomic_fetch_add(&ck->stats->allowed, 1);
		return;
	}
	/* the live check's key (pipeline.c: conclude), so that a file
	 * reported by either is not reported by the other */
	dedupe_key_of(&f->st, &key);
	dedupe_key_digest(&key, f->sha256);
	if (dedupe_seen(&ck->dd, &key)) {
		atomic_fetch_add(&ck->stats->duplicates, 1);
		return;
	}
	atomic_fetch_add(&ck->stats->findings, 1);
	atomic_fetch_add(&ck->stats->scan_findings, 1);
	s->found++;
	if (ck->report)
		report_emit(ck->report, f);
}

/* Confirm with the worker (libmagic, sha256, within its deadline) the
 * file on O_PATH descriptor FD whose header says KIND, then report it.
 * Returns false when the file could not be judged (look again later). */
static bool confirm(struct scan *s, struct checker *ck,
		    const struct scan_target *t, const struct layerwalk_file *lf,
		    int rfd, unsigned int kind, uint64_t now)
{
	struct candidate probe_c, *c;
	struct probe_classified pc;
	struct probe_opened op;
	struct finding f;
	enum probe_result pr;

	/* The worker reaches the file through the plugin's own descriptor
	 * (/proc/PID/fd/N): no name is resolved at all. */
	memset(&probe_c, 0, sizeof(probe_c));
	probe_c.pid = getpid();
	probe_c.fd = lf->fd;
	probe_c.dirfd = AT_FDCWD;
	probe_c.has_inode = true;
	probe_c.inode = lf->st.st_ino;
	probe_c.dev_major = major(lf->st.st_dev);
	probe_c.dev_minor = minor(lf->st.st_dev);
	pr = probe_open(&ck->probe, &probe_c, false, NULL, &op);
	if (pr != PROBE_OK || op.status != INSPECT_OK) {
		if (pr == PROBE_OK)
			probe_done(&ck->probe);
		else if (pr == PROBE_TIMEOUT)
			atomic_fetch_add(&ck->stats->deadline_missed, 1);
		return false;
	}
	memset(&f, 0, sizeof(f));
	f.checked = true;
	f.checked_via = "upper-layer";
	f.typed = true;
	pr = probe_classify(&ck->probe, kind, ck->cfg.types,
			    ck->cfg.sha256_max, false, &pc);
	if (pr == PROBE_TIMEOUT) {
		/* as the live check does: the header decides */
		atomic_fetch_add(&ck->stats->deadline_missed, 1);
		f.cls.kind = kind;
		snprintf(f.cls.description, sizeof(f.cls.description),
			 "no answer from libmagic within %u ms",
			 ck->cfg.check_timeout_ms);
		f.sha256_skipped = "deadline missed";
	} else if (pr != PROBE_OK || pc.rc < 0) {
		if (pr == PROBE_OK)
			probe_done(&ck->probe);
		return false;
	} else {
		probe_done(&ck->probe);
		if (pc.rc > 0) {
			atomic_fetch_add(&ck->stats->not_executable, 1);
			return true;
		}
		f.cls = pc.cls;
		if (!ck->cfg.sha256_max)
			f.sha256_skipped = "disabled";
		else if (pc.sha_rc == 0)
			memcpy(f.sha256, pc.sha256, sizeof(f.sha256));
		else if (pc.sha_rc == 1)
			f.sha256_skipped = "larger than sha256_max_bytes";
		else
			f.sha256_skipped = "read error";
	}
	if (same_as_lower(t, lf->path, rfd, &lf->st, ck->cfg.sha256_max))
		return true;	/* an image file, copied up unchanged */
	container_view(t, lf->path, &lf->st, &f.st);
	c = scan_candidate(t, lf->path, &f.st);
	if (!c)
		return false;
	conclude(s, ck, t, c, &f, now);
	candidate_free(c);
	return true;
}

/* Was ST's file changed less than MS ago (wall clock)? */
static bool changed_within(const struct stat *st, uint64_t ms)
{
	struct timespec now;
	int64_t age_ms;

	clock_gettime(CLOCK_REALTIME, &now);
	age_ms = (int64_t)(now.tv_sec - st->st_ctim.tv_sec) * 1000 +
		 (now.tv_nsec - st->st_ctim.tv_nsec) / 1000000;
	return age_ms < (int64_t)ms;
}

/* How recently changed a file is left for the live check (and later). */
static uint64_t settle_ms(const struct scan *s, const struct checker *ck)
{
	return s->settle_ms >= 0 ? (uint64_t)s->settle_ms :
	       ck->cfg.recheck_ms + 1000ULL;
}

/* Look at the regular file LF of target T. */
static void check_file(struct scan *s, struct checker *ck,
		       const struct scan_target *t,
		       const struct layerwalk_file *lf, uint64_t now)
{
	unsigned char head[CLASSIFY_HEAD_LEN];
	const struct stat *st = &lf->st;
	enum head_verdict hv;
	unsigned int kind = 0;
	bool judged = true;
	ssize_t n;
	int rfd;

	atomic_fetch_add(&ck->stats->scan_files, 1);
	if (scan_cache_seen(&s->cache, st->st_dev, st->st_ino,
			    st->st_ctim.tv_sec, st->st_ctim.tv_nsec,
			    s->round))
		return;
	/* Being written now: the live check has it first; look again in a
	 * pass soon. That pass takes as it is a file an earlier pass saw
	 * too new already: a file written all the time (a log) costs one
	 * read per two passes, not a pass every few seconds. A file that
	 * appeared since is left for one pass more, so that a pass walking
	 * by as a drop is written never reports it beside the live check. */
	if (!s->oneshot && settle_ms(s, ck) &&
	    changed_within(st, settle_ms(s, ck)) &&
	    !scan_cache_too_new(&s->cache, st->st_dev, st->st_ino,
				s->round)) {
		s->unsettled = true;
		return;
	}
	rfd = inspect_reopen(lf->fd, st);
	if (rfd < 0)
		return;
	do
		n = pread(rfd, head, sizeof(head), 0);
	while (n < 0 && errno == EINTR);
	if (n >= 0) {
		hv = classify_head(head, (size_t)n,
				   (unsigned long long)st->st_size, &kind);
		if (hv == HEAD_CANDIDATE && kind_wanted(kind, ck->cfg.types))
			judged = confirm(s, ck, t, lf, rfd, kind, now);
	}
	close(rfd);
	if (n >= 0 && judged)
		cache_note(&s->cache, st->st_dev, st->st_ino,
			   st->st_ctim.tv_sec, st->st_ctim.tv_nsec, s->round);
}

/* --- rounds, passes and slices --------------------------------------------- */

int scan_init(struct scan *s, const char *mountinfo)
{
	memset(s, 0, sizeof(*s));
	s->mountinfo = mountinfo ? mountinfo : "/proc/self/mountinfo";
	s->settle_ms = -1;
	atomic_init(&s->requested, false);
	return 0;
}

void scan_free(struct scan *s)
{
	targets_free(s);
	scan_cache_free(&s->cache);
}

void scan_request(struct scan *s)
{
	atomic_store(&s->requested, true);
}

bool scan_busy(const struct scan *s)
{
	return s->in_pass;
}

static const char *reason_name(enum scan_reason r)
{
	static const char *const names[] = {
		"start", "interval", "signal", "loss", "settle", "command",
	};

	return r <= SCAN_ONESHOT ? names[r] : "?";
}

/* A new round: every container's layer, from the start. */
static void begin_round(struct scan *s, struct checker *ck, uint64_t now)
{
	s->walking = load_targets(s, ck, now) == 0;
	s->round++;
	if (!s->round)
		s->round = 1;	/* 0 marks a free cache slot */
	s->unsettled = false;
	s->round_work_ms = 0;
	s->round_files = 0;
	s->round_started_ms = now;
}

/* The round walked every layer. */
static void end_round(struct scan *s, struct checker *ck, uint64_t now)
{
	s->rounds_done++;
	s->last_wall_ms = now - s->round_started_ms;
	s->last_work_ms = s->round_work_ms;
	s->last_files = s->round_files;
	if (!s->oneshot)
		log_msg(LOG_INFO, "scan (%s): %zu container layers (%zu on "
			"file systems never read, skipped), %llu files, %llu "
			"ms of work; %llu findings so far",
			reason_name(s->reason), s->nt, s->round_skipped,
			s->round_files, (unsigned long long)s->round_work_ms,
			s->found);
	targets_free(s);
	s->walking = false;
	scan_cache_prune(&s->cache, s->round);
	s->settle_chain = s->reason == SCAN_SETTLE ? s->settle_chain + 1 : 0;
	if (s->unsettled && !s->oneshot && s->settle_chain < SCAN_SETTLE_CHAIN)
		s->settle_at_ms = now + settle_ms(s, ck);
	if (s->again) {
		s->again = false;
		begin_round(s, ck, now);
		return;
	}
	s->in_pass = false;
}

/* A trigger: a pass begins (a round, or the rest of a paused one). A
 * trigger during a pass asks for one more round after it; a loss or a
 * request also while a round is paused (what it walked already may have
 * changed since). */
static void start_pass(struct scan *s, struct checker *ck, uint64_t now,
		       enum scan_reason reason)
{
	if (s->in_pass || (s->walking && reason != SCAN_INTERVAL &&
			   reason != SCAN_SETTLE))
		s->again = true;
	if (s->in_pass)
		return;
	atomic_fetch_add(&ck->stats->scan_passes, 1);
	s->in_pass = true;
	s->reason = reason;
	s->pass_entries = 0;
	s->pass_work_ms = 0;
	if (!s->walking)
		begin_round(s, ck, now);
	if (!s->walking)
		s->in_pass = false;	/* no mount table */
}

/* The pass used up its budget: counted, the walk goes on next time. */
static void cut_pass(struct scan *s, struct checker *ck)
{
	atomic_fetch_add(&ck->stats->scan_truncated, 1);
	s->in_pass = false;
	log_msg(LOG_INFO, "scan (%s): pass cut short after %llu entries and "
		"%llu ms of work; it goes on at the next pass",
		reason_name(s->reason), s->pass_entries,
		(unsigned long long)s->pass_work_ms);
}

/* Walk for at most one slice (ONESHOT: to the end). */
static void run_slice(struct scan *s, struct checker *ck, uint64_t now)
{
	uint64_t start = now_ms(), elapsed = 0;
	struct layerwalk_file lf;
	enum layerwalk_step step;
	unsigned int n = 0;
	int rc;

	while (s->in_pass) {
		s->round_work_ms += now_ms() - start - elapsed;
		elapsed = now_ms() - start;
		if (!s->oneshot) {
			if (n >= SCAN_SLICE_ENTRIES || elapsed >= SCAN_SLICE_MS)
				break;
			if ((ck->cfg.scan_max_files &&
			     s->pass_entries >= ck->cfg.scan_max_files) ||
			    (ck->cfg.scan_max_ms &&
			     s->pass_work_ms + elapsed >= ck->cfg.scan_max_ms)) {
				s->pass_work_ms += elapsed;
				cut_pass(s, ck);
				return;
			}
		}
		if (!s->walk_open) {
			if (s->cur >= s->nt) {
				end_round(s, ck, now_ms());
				continue;
			}
			rc = layerwalk_open(&s->walk, s->t[s->cur].upperdir);
			if (rc) {
				/* the container stopped meanwhile */
				s->cur++;
				continue;
			}
			s->walk_open = true;
		}
		n++;
		s->pass_entries++;
		step = layerwalk_next(&s->walk, &lf);
		if (step == LAYERWALK_DONE) {
			layerwalk_close(&s->walk);
			s->walk_open = false;
			s->cur++;
		} else if (step == LAYERWALK_FILE) {
			s->round_files++;
			check_file(s, ck, &s->t[s->cur], &lf, now);
			close(lf.fd);
		}
	}
	s->pass_work_ms += now_ms() - start;
}

/* Events lost since the last look: log them and start a round. */
static void note_losses(struct scan *s, struct checker *ck, uint64_t now)
{
	struct stats *st = ck->stats;
	unsigned long long lost =
		atomic_load(&st->lost_serials) +
		atomic_load(&st->intake_dropped) +
		atomic_load(&st->queue_dropped) +
		atomic_load(&st->pending_dropped);

	if (lost <= s->losses_seen)
		return;
	if (s->last_loss_round_ms && now - s->last_loss_round_ms <
	    SCAN_LOSS_GAP_MS)
		return;		/* counted; looked at again after the gap */
	if (!s->last_loss_log_ms || now - s->last_loss_log_ms >= LOG_GAP_MS) {
		s->last_loss_log_ms = now;
		log_msg(LOG_WARNING, "events lost: %llu since the last look "
			"(lost_serials=%llu intake_dropped=%llu "
			"queue_dropped=%llu pending_dropped=%llu)%s",
			lost - s->losses_seen,
			(unsigned long long)atomic_load(&st->lost_serials),
			(unsigned long long)atomic_load(&st->intake_dropped),
			(unsigned long long)atomic_load(&st->queue_dropped),
			(unsigned long long)atomic_load(&st->pending_dropped),
			ck->cfg.scan_on_loss ?
			": scanning the containers' writable layers" : "");
	}
	s->losses_seen = lost;
	s->last_loss_round_ms = now;
	if (ck->cfg.scan_on_loss)
		start_pass(s, ck, now, SCAN_LOSS);
}

void scan_tick(struct scan *s, struct checker *ck, uint64_t now,
	       bool queue_empty)
{
	uint64_t every = ck->cfg.scan_interval * 1000ULL;

	if (!s->start_done) {
		s->start_done = true;
		s->next_interval_ms = now + every;
		if (ck->cfg.scan_at_start)
			start_pass(s, ck, now, SCAN_START);
	}
	if (atomic_exchange(&s->requested, false))
		start_pass(s, ck, now, SCAN_SIGNAL);
	if (every && s->next_interval_ms > now + every)
		s->next_interval_ms = now + every;	/* a shorter reload */
	if (every && now >= s->next_interval_ms) {
		s->next_interval_ms = now + every;
		start_pass(s, ck, now, SCAN_INTERVAL);
	}
	note_losses(s, ck, now);
	if (s->settle_at_ms && now >= s->settle_at_ms) {
		s->settle_at_ms = 0;
		start_pass(s, ck, now, SCAN_SETTLE);
	}
	if (!s->in_pass)
		return;
	if (!queue_empty && now - s->last_slice_ms < SCAN_STARVE_MS)
		return;
	run_slice(s, ck, now);
	s->last_slice_ms = now;
}

long scan_run_once(struct scan *s, struct checker *ck)
{
	uint64_t now = now_ms();

	s->oneshot = true;
	s->start_done = true;
	start_pass(s, ck, now, SCAN_ONESHOT);
	if (!s->walking)
		return -1;
	while (s->in_pass)
		run_slice(s, ck, now_ms());
	return (long)s->found;
}
