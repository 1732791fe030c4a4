/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pipeline.c -- the check of one candidate, step by step */
#include "check/pipeline.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/sysmacros.h>

#include "check/allow.h"
#include "check/execcheck.h"
#include "check/leasewait.h"
#include "check/probe.h"
#include "check/safeopen.h"
#include "report/finding.h"
#include "util/log.h"
#include "util/timeutil.h"

#define RECENT_MS	60000	/* content this new counts as dropped */
#define SETTLE_MS	20	/* look again this soon while a file grows */
#define RENAME_WAIT_MS	250	/* wait this long for a rename into place */

/* Where C's name is resolved (see safeopen.h). */
struct lookup {
	const char *mount_root;	/* the container's overlay mount, "/", or
				 * the root of its first process */
	bool parent_same;	/* the writer's parent is in its container */
	const char *upper;	/* the upper directory of the overlay the
				 * file is on, when it may be mapped for
				 * writing (may_be_mapped()), or NULL */
	pid_t root_pid;		/* that first process, or 0 */
	char root_buf[64];	/* "/proc/PID/root" */
};

static enum check_outcome check_one(struct checker *ck, struct candidate *c,
				    uint64_t now,
				    const struct watch_entry *prev);

/* What a check knows before it reads the file (check_prepare()). */
struct check_prep {
	struct lookup lk;
	struct candidate view;		/* upper_view()'s, when REACH is it */
	const struct candidate *reach;	/* the file as the worker is asked */
	struct watch_entry we;
	enum mount_dev_class dev_class;	/* the device's, as asked then */
	bool held;
	bool writer_closed;		/* see held_before_read() */
	bool ask_writers;		/* ... and held_after_read() */
	bool writer_asked;		/* ... the writer's fdinfo before */
	char upper[PATH_MAX];		/* overlay_upper_view()'s root */
};

int checker_init(struct checker *ck, const struct config *cfg,
		 struct stats *stats, struct report *report,
		 const char *proc, const char *mountinfo)
{
	memset(ck, 0, sizeof(*ck));
	fstype_cache_init(&ck->fstypes);	/* checker_free() closes it */
	ck->stats = stats;
	ck->report = report;
	if (config_copy(&ck->cfg, cfg))
		return -1;
	if (pending_init(&ck->pending, cfg->pending_max))
		return -1;
	if (watch_init(&ck->watch, cfg->watch_max))
		return -1;
	if (dedupe_init(&ck->dd, cfg->dedupe_size))
		return -1;
	/* a waiter's wait (check/leasewait.h), and the time it keeps the
	 * file open for the look after it */
	ck->lease_wait_ms = ((uint64_t)lease_break_time_s() + 5 +
			     LEASE_HOLD_S) * 1000;
	ck->preps = calloc(PROBE_BATCH_MAX, sizeof(*ck->preps));
	ck->looked = calloc(PROBE_BATCH_MAX, sizeof(*ck->looked));
	if (!ck->preps || !ck->looked)
		return -1;
	if (scope_init(&ck->scope, proc, mountinfo) ||
	    scope_configure(&ck->scope, cfg))
		return -1;
	if (meta_cache_init(&ck->meta, NULL) ||
	    meta_cache_configure(&ck->meta, cfg))
		return -1;
	if (classifier_init(&ck->cl, cfg->magic_bytes_max)) {
		log_msg(LOG_ERR, "cannot load the libmagic database");
		return -1;
	}
	/* after libmagic is loaded: the worker uses its copy */
	if (probe_start(&ck->probe, ck->scope.proc, &ck->cl,
			cfg->check_timeout_ms)) {
		log_msg(LOG_ERR, "cannot start the file check worker");
		return -1;
	}
	ck->probe.missed = &ck->stats->deadline_missed;
	return 0;
}

void checker_free(struct checker *ck)
{
	probe_stop(&ck->probe);
	free(ck->preps);
	free(ck->looked);
	pending_free(&ck->pending);
	watch_free(&ck->watch);
	dedupe_free(&ck->dd);
	scope_free(&ck->scope);
	fstype_cache_free(&ck->fstypes);
	meta_cache_free(&ck->meta);
	classifier_free(&ck->cl);
	config_free(&ck->cfg);
}

void checker_configure(struct checker *ck, struct config *next)
{
	struct config old = ck->cfg;

	ck->cfg = *next;
	ck->cfg.queue_size = old.queue_size;
	ck->cfg.pending_max = old.pending_max;
	ck->cfg.watch_max = old.watch_max;
	ck->cfg.dedupe_size = old.dedupe_size;
	ck->cfg.magic_bytes_max = old.magic_bytes_max;
	config_free(&old);
	ck->probe.timeout_ms = ck->cfg.check_timeout_ms;
	free(next);
	if (ck->report)
		report_configure(ck->report, &ck->cfg);
}

/* Hand finding F of C to every sink. */
static void report_finding(struct checker *ck, const struct finding *f)
{
	struct dedupe_key key;

	atomic_fetch_add(&ck->stats->findings, 1);
	if (ck->report)
		report_emit(ck->report, f);
	/* what a later execution of the file is linked to */
	dedupe_key_of(&f->st, &key);
	dedupe_note_report(&ck->dd, &key, f->sha256, f->c->container.id,
			   f->c->serial, f->c->path, f->c->executed);
}

/*
 * The last steps for a confirmed executable: report it once, unless it
 * is allowed or a duplicate. Frees C (and F, which C holds).
 */
static enum check_outcome conclude(struct checker *ck, struct candidate *c,
				   uint64_t now)
{
	struct finding *f = c->held;
	const struct overlay_mount *m = NULL;
	struct dedupe_key key;
	enum check_outcome out;

	f->c = c;
	f->meta = NULL;
	if (c->container.in_container) {
		const struct runtime_container *rc = NULL;

		/* a container that started just before its write may have
		 * had no state yet when the reader asked: ask again now */
		if (!c->container.id[0] && c->container.mntns) {
			rc = runtimes_by_mntns(&ck->scope.rt,
					       c->container.mntns, now_ms());
			if (rc) {
				snprintf(c->container.id,
					 sizeof(c->container.id), "%s", rc->id);
				snprintf(c->container.runtime,
					 sizeof(c->container.runtime), "%s",
					 rc->runtime);
			}
		}
		if (!c->container.id[0] && c->has_inode)
			m = scope_find_mount(&ck->scope, c->dev_major,
					     c->dev_minor);
		if (c->container.id[0] && !rc)
			rc = runtimes_by_id(&ck->scope.rt, c->container.id,
					    now_ms());
		f->meta = meta_lookup(&ck->meta, &c->container,
				      m ? m->mountpoint : NULL, rc, now);
		/* no runtime knows it: still a finding, with a stable id */
		container_stable_id(&c->container);
	}
	/* Allowed content is not remembered: moved or linked out of an
	 * allowed path, it is reported then. */
	if (allow_match(&ck->cfg, c, f->meta, f->path_plain))
		return checker_end(ck, c, &ck->stats->allowed, CHECK_ALLOWED);
	dedupe_key_of(&f->st, &key);
	dedupe_key_digest(&key, f->sha256);
	if (dedupe_seen(&ck->dd, &key)) {
		atomic_fetch_add(&ck->stats->duplicates, 1);
		out = CHECK_DUPLICATE;
	} else {
		report_finding(ck, f);
		out = CHECK_FINDING;
	}
	return checker_end(ck, c, NULL, out);
}

pid_t checker_root_pid(struct checker *ck, const struct candidate *c)
{
	const struct runtime_container *rc;

	if (c->container.root_pid > 0)
		return c->container.root_pid;
	if (!c->container.id[0])
		return 0;
	rc = runtimes_by_id(&ck->scope.rt, c->container.id, now_ms());
	return rc ? rc->init_pid : 0;
}

/* The container of PPID (its id), or NULL when it is on the host or
 * gone. Asked once per batch of candidates and parent: the candidates
 * of a batch are judged at one moment. */
static const char *parent_container(struct checker *ck, pid_t ppid)
{
	struct container_ref pr;

	if (!ck->watch.batch || ck->parent.batch != ck->watch.batch ||
	    ck->parent.pid != ppid) {
		memset(&pr, 0, sizeof(pr));
		ck->parent.rc = scope_lookup_pid(&ck->scope, ppid, &pr);
		snprintf(ck->parent.id, sizeof(ck->parent.id), "%s", pr.id);
		ck->parent.pid = ppid;
		ck->parent.batch = ck->watch.batch;
	}
	return ck->parent.rc == 1 ? ck->parent.id : NULL;
}

/*
 * Can C's open have given its file a shared writable mapping? That takes
 * a descriptor open for reading and writing: an open for writing only
 * (O_WRONLY, creat) cannot have made one. A rename or a link is not
 * asked either: a mapping of its file was made from a read-write open,
 * which is an audited event of its own, and that open's check watches
 * the file while the mapping lasts (a mapping made later takes another
 * open). An open that raises no audit event (io_uring) is the class the
 * check of executions and the scan of the layers are for.
 */
static bool may_be_mapped(const struct candidate *c)
{
	return c->op == FILE_OP_OPEN &&
	       (c->open_flags & O_ACCMODE) != O_WRONLY;
}

static void choose_lookup(struct checker *ck, const struct candidate *c,
			  struct lookup *lk)
{
	const struct overlay_mount *m;

	lk->mount_root = NULL;
	lk->parent_same = false;
	lk->upper = NULL;
	lk->root_pid = 0;
	if (c->container.in_container && c->has_inode) {
		m = scope_find_mount(&ck->scope, c->dev_major, c->dev_minor);
		if (m)
			lk->mount_root = m->mountpoint;
		/* a mapping writes the overlay's upper file, which the
		 * overlay's own lease does not see (safeopen.h) */
		if (m && m->mount && m->mount->upperdir && may_be_mapped(c))
			lk->upper = m->mount->upperdir;
	} else if (!c->container.in_container) {
		lk->mount_root = "/";	/* scope = all: a host write */
	}
	/* A volume, a tmpfs, a root only the container's processes see:
	 * its first process's root stands in for a writer that is gone. */
	if (c->container.in_container)
		lk->root_pid = checker_root_pid(ck, c);
	if (!lk->mount_root && lk->root_pid > 0) {
		snprintf(lk->root_buf, sizeof(lk->root_buf), "%s/%d/root",
			 ck->scope.proc, (int)lk->root_pid);
		lk->mount_root = lk->root_buf;
	}
	if (c->container.source == SCOPE_SRC_PPID) {
		lk->parent_same = true;
	} else if (c->container.in_container && c->ppid > 0) {
		const char *id = parent_container(ck, c->ppid);

		lk->parent_same = id && !strcmp(id, c->container.id);
	}
}

/* Give the pending or watched open H the name the rename C gave it (C
 * is freed). */
static void carry_rename(struct candidate *h, struct candidate *c)
{
	free(h->old_path);
	h->old_path = h->path;		/* the temporary name */
	/* a look through the writer's descriptor may have taken the new
	 * name already (see probe.c, name_stale()): the rename says the
	 * one it came from */
	if (h->old_path && c->path && c->old_path &&
	    !strcmp(h->old_path, c->path)) {
		free(h->old_path);
		h->old_path = c->old_path;
		c->old_path = NULL;
	}
	h->path = c->path;
	c->path = NULL;
	h->rename_serial = c->serial;
	free(h->rename_records);
	h->rename_records = c->records;
	c->records = NULL;
	candidate_free(c);
}

/*
 * A rename of a file whose open is still pending (held for its rename,
 * or waiting for content) or watched (still held open for writing): the
 * check goes on under the name the rename gave, so the file is reported
 * once, there. Returns true when C was carried over (and freed); *OUT
 * says what became of the check.
 */
static bool merge_rename(struct checker *ck, struct candidate *c,
			 uint64_t now, enum check_outcome *out)
{
	struct watch_entry we;
	struct candidate *h;
	uint64_t due;

	if (c->op != FILE_OP_RENAME || !c->has_inode)
		return false;
	h = pending_take_open_of(&ck->pending, c->dev_major, c->dev_minor,
				 c->inode);
	if (!h) {
		if (!watch_take_file(&ck->watch,
				     makedev(c->dev_major, c->dev_minor),
				     c->inode, &we))
			return false;
		carry_rename(we.c, c);
		watch_add(&ck->watch, &we);	/* room: just taken */
		*out = CHECK_MERGED;
		return true;
	}
	carry_rename(h, c);
	if (h->held) {
		struct lookup lk;

		/* the allow lists look at the new name: is it plain? */
		choose_lookup(ck, h, &lk);
		probe_name_plain(&ck->probe, h, lk.parent_same, lk.mount_root,
				 &h->held->st, &h->held->path_plain);
		*out = conclude(ck, h, now);
	} else {
		due = h->due_ms;
		pending_add(&ck->pending, h, due);	/* room: just taken */
		*out = CHECK_MERGED;
	}
	return true;
}

/*
 * retry_or_end() within WINDOW_MS of C's first sight instead of
 * recheck_ms; past recheck_ms, once a second.
 */
static enum check_outcome retry_within(struct checker *ck,
				       struct candidate *c, uint64_t now,
				       uint64_t window_ms,
				       atomic_uint_fast64_t *counter,
				       enum check_outcome out)
{
	uint64_t delay = pending_backoff_ms(c->attempts);

	if (now - c->first_seen_ms >= window_ms)
		return checker_end(ck, c, counter, out);
	if (now - c->first_seen_ms >= ck->cfg.recheck_ms)
		delay = 1000;
	if (pending_add(&ck->pending, c, now + delay))
		return checker_end(ck, c, &ck->stats->pending_dropped,
				   CHECK_STILL_SHORT);
	c->attempts++;
	return CHECK_RETRY;
}

/* Keep C for another look, with a growing delay, until recheck_ms has
 * passed; then it ends as OUT, counted under COUNTER. */
static enum check_outcome retry_or_end(struct checker *ck,
				       struct candidate *c, uint64_t now,
				       atomic_uint_fast64_t *counter,
				       enum check_outcome out)
{
	return retry_within(ck, c, now, ck->cfg.recheck_ms, counter, out);
}

/* retry_or_end() of a file not (yet) to be judged. UNWRITTEN: an existing
 * file not yet written since it was opened, rather than a short one. */
static enum check_outcome schedule_retry(struct checker *ck,
					 struct candidate *c, uint64_t now,
					 bool unwritten)
{
	if (unwritten)
		return retry_or_end(ck, c, now, &ck->stats->unmodified,
				    CHECK_NOT_EXEC);
	return retry_or_end(ck, c, now, &ck->stats->still_short,
			    CHECK_STILL_SHORT);
}

static uint64_t ts_ms(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000 + (uint64_t)ts->tv_nsec / 1000000;
}

/*
 * Was the file's content changed at or after the audited call? By its
 * ctime, which a write sets and user space cannot set back (utimensat
 * sets mtime to any value, and ctime to now).
 */
static bool written_since(const struct stat *st, const struct candidate *c)
{
	return ts_ms(&st->st_ctim) >= c->sec * 1000 + c->milli;
}

/*
 * Is the content of a renamed or linked file recent (written at most
 * RECENT_MS before the call)? By its mtime: the rename or link itself
 * sets the ctime, so ctime cannot tell a download moved into place from
 * an image binary moved. mtime can be set back, but content written by
 * a container process was opened for writing first, and that open is
 * checked on its own by ctime.
 */
static bool content_recent(const struct stat *st, const struct candidate *c)
{
	return ts_ms(&st->st_mtim) + RECENT_MS >= c->sec * 1000 + c->milli;
}

/* Was the file modified less than SETTLE_MS ago (wall clock)? */
static bool still_growing(const struct stat *st)
{
	struct timespec now;
	int64_t age_ms;

	clock_gettime(CLOCK_REALTIME, &now);
	age_ms = (int64_t)(now.tv_sec - st->st_mtim.tv_sec) * 1000 +
		 (now.tv_nsec - st->st_mtim.tv_nsec) / 1000000;
	return age_ms >= 0 && age_ms < SETTLE_MS;
}

/* Could a file whose header says KIND be of a type we report? */
static bool kind_wanted(unsigned int kind, unsigned int types)
{
	/* PIE or library is settled by libmagic, which sees the dynamic
	 * section. */
	if (kind & (KIND_ELF_PIE | KIND_ELF_SHARED))
		return types & (KIND_ELF_PIE | KIND_ELF_SHARED);
	return kind & types;
}

/*
 * What may be done with a file on C's device, by the first mount table
 * that names it: the writer's, its parent's when that root is used, or
 * the host's (the overlay of a container whose processes are gone). Only
 * MOUNT_DEV_READABLE is touched: never a file system that can block
 * (FUSE, NFS, ...: scope/mounts.h), and never a device no table names,
 * a mount only a gone process saw (fail closed). A kernel file system
 * (proc, sysfs, cgroup) holds no drop: a container runtime's setup writes
 * go there, told apart by where they go, not by the name a process gives
 * itself.
 */
static enum mount_dev_class device_class_of(struct checker *ck,
					   const struct candidate *c,
					   const struct lookup *lk)
{
	enum mount_dev_class cls;

	cls = fstype_dev_class(&ck->fstypes, ck->scope.proc, c->pid,
			       c->dev_major, c->dev_minor);
	if (cls == MOUNT_DEV_UNKNOWN && lk->parent_same)
		cls = fstype_dev_class(&ck->fstypes, ck->scope.proc, c->ppid,
				       c->dev_major, c->dev_minor);
	if (cls == MOUNT_DEV_UNKNOWN && lk->root_pid > 0)
		cls = fstype_dev_class(&ck->fstypes, ck->scope.proc,
				       lk->root_pid, c->dev_major,
				       c->dev_minor);
	if (cls == MOUNT_DEV_UNKNOWN)
		cls = scope_host_dev_class(&ck->scope, c->dev_major,
					   c->dev_minor);
	return cls;
}

/*
 * device_class_of() for each candidate, never remembered past the
 * fstype cache: an answer holds only while its mount table is unchanged
 * (scope/fstype.h), and a container that can mount changes it between
 * two files of one batch (a pseudo file system's device number taken by
 * a tmpfs, a tmpfs's by FUSE). A remembered answer costs one poll().
 */
static enum mount_dev_class device_class(struct checker *ck,
					const struct candidate *c,
					const struct lookup *lk)
{
	if (!c->has_inode)
		return MOUNT_DEV_READABLE;	/* the writer's descriptor */
	return device_class_of(ck, c, lk);
}

/* The pid namespace of PID (watch_pidns_of()), once per batch. */
static uint64_t pidns_of(struct checker *ck, pid_t pid)
{
	if (!ck->watch.batch || ck->pidns.batch != ck->watch.batch ||
	    ck->pidns.pid != pid) {
		ck->pidns.ns = watch_pidns_of(ck->scope.proc, pid);
		ck->pidns.batch = ck->watch.batch;
		ck->pidns.pid = pid;
	}
	return ck->pidns.ns;
}

/* VIEW: a shallow copy of C that reaches its file by C's name below
 * UPPER, a host directory that holds what the container wrote, on the
 * host file system that holds it, with the inode number the audit record
 * gave; LK set to look there. False when that file system is not one to
 * read. */
static bool view_through_upper(struct checker *ck, const struct candidate *c,
			       const char *upper, struct candidate *view,
			       struct lookup *lk)
{
	const struct mount_entry *host;

	host = scope_host_mount_of(&ck->scope, upper);
	if (!host || host->never_read || mount_type_pseudo(host->fstype))
		return false;
	*view = *c;
	view->pid = 0;
	view->ppid = 0;
	view->fd = -1;
	view->dev_major = host->major;
	view->dev_minor = host->minor;
	lk->mount_root = upper;
	lk->parent_same = false;
	lk->upper = NULL;	/* the file is read there */
	lk->root_pid = 0;
	return true;
}

/* Can C's file be looked for through an upper directory: a container's
 * file, named by an absolute name, with its inode in the record? */
static bool viewable(const struct candidate *c)
{
	return c->container.in_container && c->has_inode && c->path &&
	       c->path[0] == '/';
}

/*
 * A file on a FUSE file system that is the root of a container whose
 * runtime state names a containers-storage upper directory (rootless
 * podman on fuse-overlayfs): the FUSE server is never asked (it may hang,
 * and the kernel refuses the host's root in a user's FUSE mount anyway).
 * The file is looked for by its name in that upper directory, where
 * fuse-overlayfs keeps every file the container wrote
 * (view_through_upper()). Fills VIEW and LK.
 */
static bool upper_view(struct checker *ck, const struct candidate *c,
		       struct candidate *view, struct lookup *lk)
{
	const struct runtime_container *rc;

	if (!viewable(c) || !c->container.id[0])
		return false;
	rc = runtimes_by_id(&ck->scope.rt, c->container.id, now_ms());
	if (!rc) {
		/* the reader knew it: a container started within the last
		 * rescan interval; read the state now (FUSE roots only) */
		runtimes_rescan(&ck->scope.rt, now_ms());
		rc = runtimes_by_id(&ck->scope.rt, c->container.id, now_ms());
	}
	if (!rc || !rc->upper ||
	    !runtimes_is_root_device(&ck->scope.rt, rc, c->dev_major,
				     c->dev_minor))
		return false;
	return view_through_upper(ck, c, rc->upper, view, lk);
}

/*
 * A file on an overlay mount (a container's root) that a lease keeps
 * from being opened: the lease is on the overlay's file, not on the file
 * of the overlay's upper directory, where a file the container wrote is
 * (view_through_upper(); the host mount table names the directory, kept
 * in P->upper). Fills P->view and LK.
 */
static bool overlay_upper_view(struct checker *ck, const struct candidate *c,
			       struct check_prep *p, struct lookup *lk)
{
	const struct overlay_mount *m;

	if (!viewable(c))
		return false;
	m = scope_find_mount(&ck->scope, c->dev_major, c->dev_minor);
	if (!m || !m->mount || !m->mount->upperdir ||
	    snprintf(p->upper, sizeof(p->upper), "%s", m->mount->upperdir) >=
		    (int)sizeof(p->upper))
		return false;
	return view_through_upper(ck, c, p->upper, &p->view, lk);
}

/* A lease kept a look from C's file: counted, and said in syslog at most
 * once a minute. */
static void lease_blocked(struct checker *ck, const struct candidate *c)
{
	uint64_t now = now_ms();

	atomic_fetch_add(&ck->stats->lease_blocked, 1);
	if (ck->last_lease_log_ms && now - ck->last_lease_log_ms < 60000)
		return;
	ck->last_lease_log_ms = now;
	log_msg(LOG_WARNING, "a lease of another process keeps a file of "
		"container %.12s from being read (lease_blocked); it is "
		"read through the overlay's upper directory where there "
		"is one, else waited for as a reader does (at most "
		"lease-break-time)", c->container.id[0] ?
		c->container.id : "-");
}

const char *check_outcome_name(enum check_outcome out)
{
	switch (out) {
	case CHECK_FINDING:	return "finding";
	case CHECK_NOT_EXEC:	return "not-executable";
	case CHECK_RETRY:	return "retry";
	case CHECK_STILL_SHORT:	return "still-short";
	case CHECK_UNREACHABLE:	return "unreachable";
	case CHECK_DUPLICATE:	return "duplicate";
	case CHECK_ERROR:	return "error";
	case CHECK_EXCLUDED:	return "excluded";
	case CHECK_ALLOWED:	return "allowed";
	case CHECK_MERGED:	return "merged";
	case CHECK_WATCHED:	return "watched";
	}
	return "?";
}

enum check_outcome checker_end(struct checker *ck, struct candidate *c,
			       atomic_uint_fast64_t *counter,
			       enum check_outcome out)
{
	if (counter)
		atomic_fetch_add(counter, 1);
	recent_note(ck->recent, c->serial, c->container.id, c->path,
		    check_outcome_name(out));
	candidate_free(c);
	return out;
}

/* Hold what the check found (the open file OP, its type CLS, the digest
 * of PC or none when libmagic ran out of time) in C->held. */
static int hold_finding(struct checker *ck, struct candidate *c,
			const struct probe_opened *op,
			const struct classification *cls,
			const struct probe_classified *pc)
{
	struct finding *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->checked = true;
	f->st = op->st;
	f->checked_via = inspect_via_name(op->via);
	f->typed = true;
	f->cls = *cls;
	if (!ck->cfg.sha256_max)
		f->sha256_skipped = "disabled";
	else if (!pc)
		f->sha256_skipped = "deadline missed";
	else if (pc->sha_rc == 0)
		memcpy(f->sha256, pc->sha256, sizeof(f->sha256));
	else if (pc->sha_rc == 1)
		f->sha256_skipped = "larger than sha256_max_bytes";
	else
		f->sha256_skipped = "read error";
	f->path_plain = pc && pc->name_plain;
	free(c->held);
	c->held = f;
	return 0;
}

/* A step that touches the file missed its deadline: counted, and said in
 * syslog at most once a minute. */
static void deadline_missed(struct checker *ck, const struct candidate *c,
			    const char *step)
{
	uint64_t now = now_ms();

	atomic_fetch_add(&ck->stats->deadline_missed, 1);
	if (ck->last_deadline_log_ms &&
	    now - ck->last_deadline_log_ms < 60000)
		return;
	ck->last_deadline_log_ms = now;
	log_msg(LOG_WARNING, "%s of a file of pid %d (device %u:%u) took "
		"more than %u ms: worker replaced", step, (int)c->pid,
		c->dev_major, c->dev_minor, ck->cfg.check_timeout_ms);
}

/* The watch list had no room: counted, and said in syslog at most once
 * a minute. */
static void watch_full(struct checker *ck)
{
	uint64_t now = now_ms();

	atomic_fetch_add(&ck->stats->watch_full, 1);
	if (ck->last_watch_full_log_ms &&
	    now - ck->last_watch_full_log_ms < 60000)
		return;
	ck->last_watch_full_log_ms = now;
	log_msg(LOG_WARNING, "watch list full (watch_max = %u): a file held "
		"open for writing is judged on its content now, not when "
		"it is closed", ck->cfg.watch_max);
}

/*
 * Before C's content is read: is its file held open for writing by the
 * writer's descriptor (or, for a watched file, by the holder found
 * before)? Asked first, so that content read after a "no" is final.
 * WE is the watch state to use (PREV's, or a new one for C's first
 * look). Pure procfs reads (check/watch.h): the file itself is not
 * touched. *WRITER_CLOSED: the look need not try the writer's
 * descriptor first: asked, it holds no file for writing; or not asked
 * (*WRITER_ASKED false: the kernel answers for a first look, see below),
 * and most writers have closed it (a descriptor number reused by the
 * writer's next open would cost the look three system calls for
 * nothing), while a file the writer still holds is found all the same,
 * by its name or among the writer's descriptors (check/safeopen.h).
 * *ASK_WRITERS: not held that way; whether anyone else holds it is left
 * to held_after_read().
 */
static bool held_before_read(struct checker *ck, struct candidate *c,
			     const struct watch_entry *prev,
			     const struct lookup *lk, uint64_t now,
			     struct watch_entry *we, bool *writer_closed,
			     bool *ask_writers, bool *writer_asked)
{
	const char *proc = ck->scope.proc;
	uint64_t ino;
	int mnt;

	*writer_closed = false;
	*ask_writers = false;
	*writer_asked = true;
	if (prev) {
		*we = *prev;
		we->c = c;
		if (watch_holder_writes(proc, &we->h))
			return true;
		*ask_writers = we->h.ino != 0;
		return false;
	}
	memset(we, 0, sizeof(*we));
	we->c = c;
	we->since_ms = now;
	we->h.pid = c->pid;
	we->h.fd = c->fd;
	we->h.mnt_id = -1;
	/* a link too: it may name a file its writer still holds (an
	 * O_TMPFILE written on through the same descriptor after the link,
	 * with no audit event) */
	if ((c->op != FILE_OP_OPEN && c->op != FILE_OP_LINK) ||
	    !ck->cfg.watch_max || ck->final)
		return false;
	/* The kernel says at the look whether anyone writes the file: most
	 * writers have closed it by then, and the answer "nobody" needs no
	 * procfs question at all. The writer's descriptor is asked after a
	 * "someone" (held_after_read()). Where the last look had no answer
	 * (leases off), it is asked first, as before leases were asked. */
	if (ck->leases_answer) {
		we->h.ino = c->has_inode ? c->inode : 0;
		*ask_writers = true;
		*writer_asked = false;
		*writer_closed = true;
		return false;
	}
	we->h.pidns = pidns_of(ck, c->pid);
	if (!we->h.pidns && lk->parent_same)
		we->h.pidns = pidns_of(ck, c->ppid);
	if (watch_fd_writes(proc, c->pid, c->fd, 0, -1, &ino, &mnt)) {
		we->h.ino = ino;
		we->h.mnt_id = mnt;
		return true;
	}
	/* the writer closed it: a child that inherited the descriptor? */
	*writer_closed = true;
	we->h.ino = c->has_inode ? c->inode : 0;
	*ask_writers = true;
	return false;
}

/*
 * After the look at WE's file found no descriptor of the writer (or of
 * the holder found before) on it: is it held open for writing all the
 * same? OP->writers is the kernel's answer, asked by the worker just
 * before it read the head (check/safeopen.h): nobody at all, whoever and
 * wherever it is, makes the content read final with no search; someone
 * (the writer, a child that inherited the descriptor, a shared writable
 * mapping, a process of a pid namespace of its own) keeps it held. Who,
 * is asked only then, to know whose exit to wait for: the writer's own
 * descriptor when held_before_read() left it to the kernel (!WRITER_ASKED),
 * then the writer's namespace is searched. Where the kernel cannot say,
 * the search alone decides, as it did before leases were asked; after a
 * look that asked nobody first, the file is looked at again (the
 * content read may be a part of what a writer that closed it since
 * wrote).
 */
static bool held_after_read(struct checker *ck, struct watch_entry *we,
			    const struct probe_opened *op,
			    const struct lookup *lk, bool writer_asked)
{
	const struct candidate *c = we->c;
	bool found;
	int mnt;

	if (op->writers == INSPECT_WRITERS_NONE)
		return false;
	if (!we->h.ino)		/* the record gave none: the file found */
		we->h.ino = (uint64_t)op->st.st_ino;
	if (!writer_asked) {
		if (watch_fd_writes(ck->scope.proc, we->h.pid, we->h.fd,
				    we->h.ino, -1, NULL, &mnt)) {
			we->h.mnt_id = mnt;
			return true;
		}
		we->h.pidns = pidns_of(ck, c->pid);
		if (!we->h.pidns && lk->parent_same)
			we->h.pidns = pidns_of(ck, c->ppid);
	}
	found = watch_inheritor(&ck->watch, ck->scope.proc, &we->h);
	if (!found && !writer_asked &&
	    op->writers == INSPECT_WRITERS_UNKNOWN)
		return true;	/* looked at again, the holder asked first */
	if (op->writers == INSPECT_WRITERS_SOME && !found) {
		/* held by no descriptor a search finds: the watch waits
		 * for the writer's exit (the holder in WE), and each look
		 * asks the kernel again */
		atomic_fetch_add(&ck->stats->watch_unseen_writer, 1);
		return true;
	}
	return found;
}

/*
 * Keep watching the file of WE (C's, held open for writing) after this
 * look, which found it as OP says. False when the list has no room:
 * then C is judged now, as if its writer had closed it.
 */
static bool keep_watching(struct checker *ck, struct watch_entry *we,
			  const struct probe_opened *op, bool first,
			  uint64_t now)
{
	we->st_dev = op->st.st_dev;
	we->st_ino = op->st.st_ino;
	we->size = (long long)op->st.st_size;
	we->ctime_ns = (int64_t)op->st.st_ctim.tv_sec * 1000000000 +
		       op->st.st_ctim.tv_nsec;
	we->nameless = op->st.st_nlink == 0 || we->c->tmpfile;
	we->read_ms = now + watch_backoff_ms(we->looks);
	we->due_ms = watch_next_poll(&ck->watch, now, we->read_ms);
	we->looks++;
	if (watch_add(&ck->watch, we)) {
		watch_full(ck);
		return false;
	}
	if (first)
		atomic_fetch_add(&ck->stats->watched, 1);
	return true;
}

/*
 * C's file was found, but a lease keeps it from being opened and there
 * is no other way to it. Watched on while its writer holds it open
 * (HELD; a lease goes with its descriptor), else looked at again until
 * a waiter of the worker's has had its time (check/leasewait.h: the
 * holder cannot keep it out longer than lease-break-time); then
 * unreachable.
 */
static enum check_outcome kept_from_file(struct checker *ck,
					 struct candidate *c, uint64_t now,
					 bool held, struct watch_entry *we,
					 const struct probe_opened *op,
					 bool first)
{
	if (ck->final)
		return checker_end(ck, c, &ck->stats->unreachable,
				   CHECK_UNREACHABLE);
	if (held && keep_watching(ck, we, op, first, now))
		return CHECK_WATCHED;
	return retry_within(ck, c, now, ck->lease_wait_ms,
			    &ck->stats->unreachable, CHECK_UNREACHABLE);
}

/* Is OLD the name of a descriptor (/proc/self/fd/N, /proc/PID/fd/N) or
 * no name at all (linkat with AT_EMPTY_PATH)? */
static bool name_of_descriptor(const char *old)
{
	const char *p;

	if (!old || !old[0])
		return true;
	if (strncmp(old, "/proc/", 6))
		return false;
	p = old + 6;
	if (!strncmp(p, "self/", 5))
		p += 5;
	else if (!strncmp(p, "thread-self/", 12))
		p += 12;
	else {
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
		if (*p++ != '/')
			return false;
	}
	if (strncmp(p, "fd/", 3) || !p[3])
		return false;
	for (p += 3; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

/*
 * Does the link C give a name to a file that had none (an O_TMPFILE
 * file, or one whose links were all gone)? Then it is a new file, how
 * old its content may be. Known from the watched open of the file (an
 * O_TMPFILE open, or seen with no link), or from the call itself: a
 * source named by a descriptor, and the new name the file's only one
 * (ST: the file now).
 */
static bool link_names_nameless(struct checker *ck, struct candidate *c,
				const struct stat *st)
{
	struct watch_entry we;

	if (c->op != FILE_OP_LINK)
		return false;
	if (watch_take_file(&ck->watch, st->st_dev, st->st_ino, &we)) {
		if (we.nameless || we.c->tmpfile) {
			candidate_free(we.c);
			return true;
		}
		watch_add(&ck->watch, &we);	/* room: just taken */
	}
	return name_of_descriptor(c->old_path) && st->st_nlink == 1;
}

/*
 * All of C's check that comes before its file is read: an execution's
 * whole check, a rename carried over to its open, the device's class,
 * and whether the file is held open for writing (asked before the read,
 * so that content read after a "no" is final). True when the file is to
 * be read, with P filled; otherwise *OUT is the outcome. PREV: see
 * check_one().
 */
static bool check_prepare(struct checker *ck, struct candidate *c,
			  uint64_t now, const struct watch_entry *prev,
			  struct check_prep *p, enum check_outcome *out)
{
	/* the host's mount table answers for this event from now on (a
	 * batch's later events came later: their time holds for this one) */
	scope_set_event_time(&ck->scope, c->arrived_ms);
	if (c->op == FILE_OP_EXEC) {
		*out = exec_check(ck, c, now);	/* check/execcheck.h */
		return false;
	}
	if (!prev && merge_rename(ck, c, now, out))
		return false;

	p->reach = c;
	choose_lookup(ck, c, &p->lk);
	/* Never touch a file on FUSE, NFS, SMB... or on a device no mount
	 * table names: see device_class(); a rootless container's FUSE
	 * root is read through its upper directory instead (upper_view).
	 * Asked again at every look: the answer is cached, and a watched
	 * file may be one read through the upper directory. */
	p->dev_class = device_class(ck, c, &p->lk);
	switch (p->dev_class) {
	case MOUNT_DEV_READABLE:
		break;
	case MOUNT_DEV_PSEUDO:
		*out = checker_end(ck, c, &ck->stats->out_of_scope,
				   CHECK_EXCLUDED);
		return false;
	case MOUNT_DEV_NEVER_READ:
		if (upper_view(ck, c, &p->view, &p->lk)) {
			p->reach = &p->view;
			break;
		}
		/* fall through */
	default:
		*out = checker_end(ck, c, &ck->stats->unreachable,
				   CHECK_UNREACHABLE);
		return false;
	}
	p->held = held_before_read(ck, c, prev, &p->lk, now, &p->we,
				   &p->writer_closed, &p->ask_writers,
				   &p->writer_asked);
	if (prev) {
		ck->watch.looks++;
		atomic_fetch_add(&ck->stats->watch_looks, 1);
	}
	return true;
}

/*
 * The rest of C's check once check_prepare() said to read the file:
 * LOOKED and LOOKED_R are what probe_look_heads() found, or NULL (then
 * the worker is asked now).
 */
static enum check_outcome check_look(struct checker *ck, struct candidate *c,
				     uint64_t now,
				     const struct watch_entry *prev,
				     struct check_prep *p,
				     const struct probe_opened *looked,
				     enum probe_result looked_r)
{
	struct probe_classified pc;
	struct classification cls;
	struct probe_opened op;
	struct watch_entry we = p->we;
	enum probe_result pr;
	struct lookup lk = p->lk;
	enum head_verdict hv;
	unsigned int kind;
	bool held = p->held, watching = false;

	/* a file the batch found that may be reported or watched: if the
	 * mount table changed since the batch was prepared (another file
	 * system now has the device's number), it is checked anew, by the
	 * table as it is now; otherwise, a head that may be an
	 * executable's is read again, and kept open for libmagic (the
	 * batch closed it). What else the batch found (text, a short head,
	 * a file gone) is judged from its look: its verdict does not hang
	 * on the class. */
	if (looked && looked_r == PROBE_OK && looked->status == INSPECT_OK) {
		bool exe = classify_head(looked->head, looked->head_len,
					 (unsigned long long)looked->st.st_size,
					 &kind) == HEAD_CANDIDATE;

		if ((held || exe) &&
		    device_class(ck, c, &lk) != p->dev_class)
			return check_one(ck, c, now, prev);
		if (exe)
			looked = NULL;
	}
	if (looked && looked_r != PROBE_NOT_ASKED) {
		op = *looked;
		pr = looked_r;
	} else {
		pr = probe_open_head(&ck->probe, p->reach, lk.parent_same,
				     lk.mount_root, lk.upper, &op);
	}
	/* a lease is on the overlay's file, not on its upper layer's */
	if (pr == PROBE_OK && op.status == INSPECT_LEASED) {
		lease_blocked(ck, c);
		if (p->reach == c && overlay_upper_view(ck, c, p, &lk)) {
			p->reach = &p->view;
			pr = probe_open_head(&ck->probe, p->reach,
					     lk.parent_same, lk.mount_root,
					     lk.upper, &op);
		}
	}
	if (pr == PROBE_TIMEOUT)
		deadline_missed(ck, c, "finding and reading");
	if (pr == PROBE_OK && op.status == INSPECT_LEASED)
		return kept_from_file(ck, c, now, held, &we, &op, !prev);
	if (pr != PROBE_OK || op.status != INSPECT_OK)
		return checker_end(ck, c, &ck->stats->unreachable,
				   CHECK_UNREACHABLE);
	/* read through an upper directory: the file as the container
	 * (its records, the scan of its layers) names it, on its device */
	if (p->reach == &p->view)
		op.st.st_dev = makedev(c->dev_major, c->dev_minor);
	if (!prev)
		atomic_fetch_add(&ck->stats->checked, 1);
	ck->leases_answer = op.writers != INSPECT_WRITERS_UNKNOWN;
	/* a name the reader could not place, as the writer's descriptor
	 * gives it (verified inside the root by the worker) */
	if (op.name[0]) {
		char *name = strdup(op.name);

		if (name) {
			free(c->path);
			c->path = name;
			c->name_unresolved = false;
		}
	}

	/* Shared memory is excluded, as in Tracee: but only a file that is
	 * really on such a mount, not one reached through a symlink below
	 * it or in a directory of that name. */
	if (c->shm_dir && op.on_shm) {
		probe_done(&ck->probe);
		return checker_end(ck, c, &ck->stats->out_of_scope,
				   CHECK_EXCLUDED);
	}

	/*
	 * Held open for writing (by the writer, a process that inherited
	 * its descriptor, a mapping; the writer's descriptor must be this
	 * file): its content may change yet, so it is judged when the last
	 * writer closes it. Held longer than watch_report_after_ms, it is
	 * judged now as well, and an executable reported; a file with no
	 * name (O_TMPFILE) waits for the link that names it.
	 */
	if (held && !prev && we.h.pid == c->pid && we.h.fd == c->fd &&
	    we.h.ino != (uint64_t)op.st.st_ino && op.via != VIA_WRITER_FD) {
		/* the descriptor is another file now: a process that
		 * inherited it before may still write this one */
		we.h.ino = (uint64_t)op.st.st_ino;
		we.h.mnt_id = -1;
		held = held_after_read(ck, &we, &op, &lk, true);
	} else if (p->ask_writers) {
		held = held_after_read(ck, &we, &op, &lk, p->writer_asked);
	}
	if (held) {
		uint64_t held_ms = now - we.since_ms;
		int64_t ctime_ns = (int64_t)op.st.st_ctim.tv_sec * 1000000000 +
				   op.st.st_ctim.tv_nsec;
		/* unchanged since the last look: not being written now */
		bool settled = prev && prev->size == (long long)op.st.st_size &&
			       prev->ctime_ns == ctime_ns;
		/* past the bound, and settled (a slow writer is not judged
		 * on a part) or past twice the bound (one that never stops
		 * is judged all the same) */
		bool bound = ck->final ||
			(held_ms >= ck->cfg.watch_report_after_ms &&
			 (settled ||
			  held_ms >= 2ULL * ck->cfg.watch_report_after_ms));

		/* no name yet: an O_TMPFILE, or all links gone */
		bool nameless = op.st.st_nlink == 0 || c->tmpfile;

		if (nameless && ck->final) {
			/* never named: nothing the container sees */
			probe_done(&ck->probe);
			return checker_end(ck, c, &ck->stats->unreachable,
					   CHECK_UNREACHABLE);
		}
		if ((!bound || nameless) && !ck->final) {
			probe_done(&ck->probe);
			if (keep_watching(ck, &we, &op, !prev, now))
				return CHECK_WATCHED;
		} else {
			watching = !ck->final;
		}
	}

/* What to do with a file not (yet) of interest: watched on, or given up
 * as BY says. */
#define NOT_YET(by) do {						\
		probe_done(&ck->probe);					\
		if (watching && keep_watching(ck, &we, &op, false, now)) \
			return CHECK_WATCHED;				\
		return (by);						\
	} while (0)

	/*
	 * An existing file opened for writing (no O_CREAT of a new name, no
	 * O_TRUNC) holds new content only once it has been written: its
	 * ctime then is no older than the open. Until then it is an
	 * existing file, e.g. an image binary opened read-write.
	 */
	if (c->op == FILE_OP_OPEN && !c->new_content &&
	    !written_since(&op.st, c))
		NOT_YET(schedule_retry(ck, c, now, true));
	/*
	 * A rename or link gives a file a new name: it is a drop when its
	 * content is recent (a download moved into place), not when a
	 * binary of the image is moved or linked; and when the file had
	 * no name before (an O_TMPFILE linked into place).
	 */
	if (c->op != FILE_OP_OPEN && !link_names_nameless(ck, c, &op.st) &&
	    !content_recent(&op.st, c)) {
		probe_done(&ck->probe);
		return checker_end(ck, c, &ck->stats->unmodified,
				   CHECK_NOT_EXEC);
	}

	hv = classify_head(op.head, op.head_len,
			   (unsigned long long)op.st.st_size, &kind);
	if (hv == HEAD_SHORT)
		NOT_YET(schedule_retry(ck, c, now, false));
	if (hv == HEAD_NOT_EXEC || !kind_wanted(kind, ck->cfg.types))
		NOT_YET(checker_end(ck, c, &ck->stats->not_executable,
				    CHECK_NOT_EXEC));

	/*
	 * A file written to in the last SETTLE_MS may still grow: look
	 * again shortly, so that the finding (size, type, digest) describes
	 * the whole file and a later rename of it is a duplicate, not a
	 * second finding. Past the recheck time it is reported as it is.
	 */
	if (!watching && still_growing(&op.st) &&
	    now - c->first_seen_ms < ck->cfg.recheck_ms &&
	    !pending_add(&ck->pending, c, now + SETTLE_MS)) {
		probe_done(&ck->probe);
		return CHECK_RETRY;
	}

	pr = probe_classify(&ck->probe, kind, ck->cfg.types,
			    ck->cfg.sha256_max, c->op == FILE_OP_OPEN, &pc);
	if (pr == PROBE_TIMEOUT) {
		/*
		 * libmagic (or the read under it) gave no answer in time:
		 * the header said it is an executable of a kind we report,
		 * and a file that stalls the check is no reason to stay
		 * quiet. Reported as the header says.
		 */
		deadline_missed(ck, c, "libmagic and the sha256");
		memset(&cls, 0, sizeof(cls));
		cls.kind = kind;
		snprintf(cls.description, sizeof(cls.description),
			 "no answer from libmagic within %u ms",
			 ck->cfg.check_timeout_ms);
		if (hold_finding(ck, c, &op, &cls, NULL))
			return checker_end(ck, c, NULL, CHECK_ERROR);
		return conclude(ck, c, now);
	}
	if (pr != PROBE_OK || pc.rc < 0)
		return checker_end(ck, c, &ck->stats->not_executable,
				   CHECK_ERROR);
	if (pc.rc > 0)
		NOT_YET(checker_end(ck, c, &ck->stats->not_executable,
				    CHECK_NOT_EXEC));
#undef NOT_YET
	if (hold_finding(ck, c, &op, &pc.cls, &pc))
		return checker_end(ck, c, NULL, CHECK_ERROR);

	/*
	 * Written under one name and already moved away (a download
	 * renamed into place): wait a little for the rename, which is
	 * then reported as the file's name. See merge_rename().
	 */
	if (c->op == FILE_OP_OPEN && !pc.name_is &&
	    now - c->first_seen_ms < ck->cfg.recheck_ms &&
	    !pending_full(&ck->pending)) {
		pending_add(&ck->pending, c, now + RENAME_WAIT_MS);
		return CHECK_RETRY;
	}
	return conclude(ck, c, now);
}

/*
 * Check C; PREV is its watch state when it comes off the watch list,
 * NULL on its first look.
 */
static enum check_outcome check_one(struct checker *ck, struct candidate *c,
				    uint64_t now,
				    const struct watch_entry *prev)
{
	struct check_prep p;
	enum check_outcome out;

	if (!check_prepare(ck, c, now, prev, &p, &out))
		return out;
	return check_look(ck, c, now, prev, &p, NULL, PROBE_NOT_ASKED);
}

enum check_outcome check_candidate(struct checker *ck, struct candidate *c,
				   uint64_t now)
{
	return check_one(ck, c, now, NULL);
}

/*
 * The opens CS[0..N-1] (N at most PROBE_BATCH_MAX), each prepared, then
 * their files read in one round trip to the worker (probe_look_heads()),
 * then each judged, in order. Opens only: an open's preparation asks
 * nothing that another open's check changes.
 */
static void check_opens(struct checker *ck, struct candidate **cs, size_t n,
			uint64_t now)
{
	struct probe_opened *looked = ck->looked;
	enum probe_result res[PROBE_BATCH_MAX];
	struct probe_look looks[PROBE_BATCH_MAX];
	size_t slot[PROBE_BATCH_MAX];
	struct check_prep *p = ck->preps;
	enum check_outcome out;
	size_t i, m = 0;

	/* prepared back to back: a mount table is asked once whether it
	 * changed (a file the batch finds worth it is asked again in
	 * check_look()) */
	fstype_cache_pin(&ck->fstypes);
	for (i = 0; i < n; i++) {
		slot[i] = SIZE_MAX;
		if (!check_prepare(ck, cs[i], now, NULL, &p[i], &out))
			continue;
		looks[m].c = p[i].reach;
		looks[m].parent_same = p[i].lk.parent_same;
		looks[m].mount_root = p[i].lk.mount_root;
		looks[m].upper = p[i].lk.upper;
		/* nobody holds it: the writer's descriptor is not tried */
		looks[m].writer_closed = p[i].writer_closed && !p[i].held;
		slot[i] = m++;
	}
	fstype_cache_unpin(&ck->fstypes);
	if (m > 1)
		probe_look_heads(&ck->probe, looks, m, looked, res);
	for (i = 0; i < n; i++) {
		if (slot[i] == SIZE_MAX)
			continue;
		if (m > 1)
			check_look(ck, cs[i], now, NULL, &p[i],
				   &looked[slot[i]], res[slot[i]]);
		else
			check_look(ck, cs[i], now, NULL, &p[i], NULL,
				   PROBE_NOT_ASKED);
	}
}

void check_candidates(struct checker *ck, struct candidate **cs, size_t n,
		      uint64_t now)
{
	size_t i = 0, k;

	watch_batch_begin(&ck->watch);
	while (i < n) {
		/* a run of opens is read in one round trip; anything else
		 * (a rename may carry over to an open checked before it)
		 * is checked on its own, in order */
		for (k = 0; i + k < n && k < PROBE_BATCH_MAX &&
			    cs[i + k]->op == FILE_OP_OPEN; k++)
			;
		if (k > 1 && ck->looked && ck->preps) {
			check_opens(ck, cs + i, k, now);
			i += k;
		} else {
			check_one(ck, cs[i], now, NULL);
			i++;
		}
	}
	watch_batch_end(&ck->watch);
}

/* The looks due at NOW (all when FINAL); see check_run_pending(). */
static void run_pending(struct checker *ck, uint64_t now, bool final)
{
	struct watch_entry *wdue;
	struct candidate **due;
	size_t i, n;

	ck->final = final;
	if (ck->watch.count) {
		wdue = malloc(ck->watch.count * sizeof(*wdue));
		if (wdue) {
			n = watch_take_due(&ck->watch, now, final, wdue);
			for (i = 0; i < n; i++) {
				struct watch_entry *e = &wdue[i];

				/* not time to read it again: its holder still
				 * alive? (a close is seen at the next read; an
				 * exit, which can take the container and the
				 * file with it, now) */
				if (!final && now < e->read_ms &&
				    watch_holder_alive(ck->scope.proc, &e->h)) {
					e->due_ms = watch_next_poll(&ck->watch,
								    now,
								    e->read_ms);
					watch_add(&ck->watch, e); /* room */
					continue;
				}
				check_one(ck, e->c, now, e);
			}
			free(wdue);
		}
	}
	if (!ck->pending.count) {
		ck->final = false;
		return;
	}
	due = malloc(ck->pending.count * sizeof(*due));
	if (!due) {
		ck->final = false;
		return;
	}
	n = pending_take_due(&ck->pending, now, final, due);
	for (i = 0; i < n; i++) {
		if (final) {
			/* last look: no more retries */
			due[i]->first_seen_ms = now - ck->cfg.recheck_ms;
		}
		if (due[i]->held)	/* no rename came: report as it is */
			conclude(ck, due[i], now);
		else
			check_candidate(ck, due[i], now);
	}
	free(due);
	ck->final = false;
}

void check_expire(struct checker *ck, uint64_t now)
{
	fstype_cache_expire(&ck->fstypes, now);
}

void check_run_pending(struct checker *ck, uint64_t now, bool final)
{
	/* every call looked at again was made before now */
	watch_batch_begin(&ck->watch);
	run_pending(ck, now, final);
	watch_batch_end(&ck->watch);
}

int check_next_ms(const struct checker *ck, uint64_t now)
{
	int p = pending_next_ms(&ck->pending, now);
	int w = watch_next_ms(&ck->watch, now);

	if (p < 0)
		return w;
	if (w < 0)
		return p;
	return p < w ? p : w;
}
