/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pipeline.c -- the check of one candidate, step by step */
#include "check/pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check/allow.h"
#include "check/execcheck.h"
#include "check/probe.h"
#include "check/safeopen.h"
#include "report/finding.h"
#include "util/log.h"
#include "util/timeutil.h"

#define RECENT_MS	60000	/* content this new counts as dropped */
#define SETTLE_MS	20	/* look again this soon while a file grows */
#define RENAME_WAIT_MS	250	/* wait this long for a rename into place */

int checker_init(struct checker *ck, const struct config *cfg,
		 struct stats *stats, struct report *report,
		 const char *proc, const char *mountinfo)
{
	memset(ck, 0, sizeof(*ck));
	ck->stats = stats;
	ck->report = report;
	if (config_copy(&ck->cfg, cfg))
		return -1;
	if (pending_init(&ck->pending, cfg->pending_max))
		return -1;
	if (dedupe_init(&ck->dd, cfg->dedupe_size))
		return -1;
	if (scope_init(&ck->scope, proc, mountinfo))
		return -1;
	fstype_cache_init(&ck->fstypes);
	if (meta_cache_init(&ck->meta, NULL))
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
	return 0;
}

void checker_free(struct checker *ck)
{
	probe_stop(&ck->probe);
	pending_free(&ck->pending);
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
		if (!c->container.id[0] && c->has_inode)
			m = scope_find_mount(&ck->scope, c->dev_major,
					     c->dev_minor);
		f->meta = meta_lookup(&ck->meta, &c->container,
				      m ? m->mountpoint : NULL, now);
	}
	/* Allowed content is not remembered: moved or linked out of an
	 * allowed path, it is reported then. */
	if (allow_match(&ck->cfg, c, f->meta, f->path_plain)) {
		atomic_fetch_add(&ck->stats->allowed, 1);
		candidate_free(c);
		return CHECK_ALLOWED;
	}
	dedupe_key_of(&f->st, &key);
	if (dedupe_seen(&ck->dd, &key)) {
		atomic_fetch_add(&ck->stats->duplicates, 1);
		out = CHECK_DUPLICATE;
	} else {
		report_finding(ck, f);
		out = CHECK_FINDING;
	}
	candidate_free(c);
	return out;
}

/* Where C's name is resolved (see safeopen.h). */
struct lookup {
	const char *mount_root;	/* the container's overlay mount, or "/" */
	bool parent_same;	/* the writer's parent is in its container */
};

static void choose_lookup(struct checker *ck, const struct candidate *c,
			  struct lookup *lk)
{
	const struct overlay_mount *m;

	lk->mount_root = NULL;
	lk->parent_same = false;
	if (c->container.in_container && c->has_inode) {
		m = scope_find_mount(&ck->scope, c->dev_major, c->dev_minor);
		if (m)
			lk->mount_root = m->mountpoint;
	} else if (!c->container.in_container) {
		lk->mount_root = "/";	/* scope = all: a host write */
	}
	if (c->container.source == SCOPE_SRC_PPID) {
		lk->parent_same = true;
	} else if (c->container.in_container && c->ppid > 0) {
		struct container_ref pr;

		memset(&pr, 0, sizeof(pr));
		lk->parent_same =
			scope_lookup_pid(&ck->scope, c->ppid, &pr) == 1 &&
			!strcmp(pr.id, c->container.id);
	}
}

/*
 * A rename of a file whose open is still pending (held for its rename,
 * or waiting for content): the check goes on under the name the rename
 * gave, so the file is reported once, there. Returns true when C was
 * carried over (and freed); *OUT says what became of the check.
 */
static bool merge_rename(struct checker *ck, struct candidate *c,
			 uint64_t now, enum check_outcome *out)
{
	struct candidate *h;
	uint64_t due;

	if (c->op != FILE_OP_RENAME || !c->has_inode)
		return false;
	h = pending_take_open_of(&ck->pending, c->dev_major, c->dev_minor,
				 c->inode);
	if (!h)
		return false;
	free(h->old_path);
	h->old_path = h->path;		/* the temporary name */
	h->path = c->path;
	c->path = NULL;
	h->rename_serial = c->serial;
	free(h->rename_records);
	h->rename_records = c->records;
	c->records = NULL;
	candidate_free(c);
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

/* Keep C for another look, with a growing delay. UNWRITTEN: an existing
 * file not yet written since it was opened, rather than a short one. */
static enum check_outcome schedule_retry(struct checker *ck,
					 struct candidate *c, uint64_t now,
					 bool unwritten)
{
	if (now - c->first_seen_ms >= ck->cfg.recheck_ms) {
		atomic_fetch_add(unwritten ? &ck->stats->unmodified :
				 &ck->stats->still_short, 1);
		candidate_free(c);
		return unwritten ? CHECK_NOT_EXEC : CHECK_STILL_SHORT;
	}
	if (pending_add(&ck->pending, c,
			now + pending_backoff_ms(c->attempts))) {
		atomic_fetch_add(&ck->stats->pending_dropped, 1);
		candidate_free(c);
		return CHECK_STILL_SHORT;
	}
	c->attempts++;
	return CHECK_RETRY;
}

/* Was the file's content modified at most SLACK_MS before the audited
 * call, or after it? */
static bool written_since(const struct stat *st, const struct candidate *c,
			  uint64_t slack_ms)
{
	uint64_t mtime_ms = (uint64_t)st->st_mtim.tv_sec * 1000 +
			    (uint64_t)st->st_mtim.tv_nsec / 1000000;
	uint64_t event_ms = c->sec * 1000 + c->milli;

	return mtime_ms + slack_ms >= event_ms;
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
static enum mount_dev_class device_class(struct checker *ck,
					const struct candidate *c,
					const struct lookup *lk)
{
	enum mount_dev_class cls;

	if (!c->has_inode)
		return MOUNT_DEV_READABLE;	/* the writer's descriptor */
	cls = fstype_dev_class(&ck->fstypes, ck->scope.proc, c->pid,
			       c->dev_major, c->dev_minor);
	if (cls == MOUNT_DEV_UNKNOWN && lk->parent_same)
		cls = fstype_dev_class(&ck->fstypes, ck->scope.proc, c->ppid,
				       c->dev_major, c->dev_minor);
	if (cls == MOUNT_DEV_UNKNOWN)
		cls = scope_host_dev_class(&ck->scope, c->dev_major,
					   c->dev_minor);
	return cls;
}

/* Drop C, counting it under COUNTER; returns OUT. */
static enum check_outcome give_up(struct candidate *c,
				  atomic_uint_fast64_t *counter,
				  enum check_outcome out)
{
	if (counter)
		atomic_fetch_add(counter, 1);
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

enum check_outcome check_candidate(struct checker *ck, struct candidate *c,
				   uint64_t now)
{
	struct probe_classified pc;
	struct classification cls;
	enum check_outcome merged;
	struct probe_opened op;
	enum probe_result pr;
	struct lookup lk;
	enum head_verdict hv;
	unsigned int kind;

	if (c->op == FILE_OP_EXEC)
		return exec_check(ck, c, now);	/* check/execcheck.h */
	if (merge_rename(ck, c, now, &merged))
		return merged;

	choose_lookup(ck, c, &lk);
	/* Never touch a file on FUSE, NFS, SMB... or on a device no mount
	 * table names: see device_class(). */
	switch (device_class(ck, c, &lk)) {
	case MOUNT_DEV_READABLE:
		break;
	case MOUNT_DEV_PSEUDO:
		return give_up(c, &ck->stats->out_of_scope, CHECK_EXCLUDED);
	default:
		return give_up(c, &ck->stats->unreachable, CHECK_UNREACHABLE);
	}
	pr = probe_open(&ck->probe, c, lk.parent_same, lk.mount_root, &op);
	if (pr == PROBE_TIMEOUT)
		deadline_missed(ck, c, "finding and reading");
	if (pr != PROBE_OK || op.status != INSPECT_OK)
		return give_up(c, &ck->stats->unreachable, CHECK_UNREACHABLE);
	atomic_fetch_add(&ck->stats->checked, 1);

	/* Shared memory is excluded, as in Tracee: but only a file that is
	 * really on such a mount, not one reached through a symlink below
	 * it or in a directory of that name. */
	if (c->shm_dir && op.on_shm) {
		probe_done(&ck->probe);
		return give_up(c, &ck->stats->out_of_scope, CHECK_EXCLUDED);
	}

	/*
	 * An existing file opened for writing (no O_CREAT of a new name, no
	 * O_TRUNC) holds new content only once it has been written: its
	 * mtime then is no older than the open. Until then it is an
	 * existing file, e.g. an image binary opened read-write.
	 */
	if (c->op == FILE_OP_OPEN && !c->new_content &&
	    !written_since(&op.st, c, 0)) {
		probe_done(&ck->probe);
		return schedule_retry(ck, c, now, true);
	}
	/*
	 * A rename or link gives a file a new name: it is a drop when its
	 * content is recent (a download moved into place), not when a
	 * binary of the image is moved or linked.
	 */
	if (c->op != FILE_OP_OPEN && !written_since(&op.st, c, RECENT_MS)) {
		probe_done(&ck->probe);
		return give_up(c, &ck->stats->unmodified, CHECK_NOT_EXEC);
	}

	hv = classify_head(op.head, op.head_len,
			   (unsigned long long)op.st.st_size, &kind);
	if (hv == HEAD_SHORT) {
		probe_done(&ck->probe);
		return schedule_retry(ck, c, now, false);
	}
	if (hv == HEAD_NOT_EXEC || !kind_wanted(kind, ck->cfg.types)) {
		probe_done(&ck->probe);
		return give_up(c, &ck->stats->not_executable, CHECK_NOT_EXEC);
	}

	/*
	 * A file written to in the last SETTLE_MS may still grow: look
	 * again shortly, so that the finding (size, type, digest) describes
	 * the whole file and a later rename of it is a duplicate, not a
	 * second finding. Past the recheck time it is reported as it is.
	 */
	if (still_growing(&op.st) &&
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
			return give_up(c, NULL, CHECK_ERROR);
		return conclude(ck, c, now);
	}
	if (pr != PROBE_OK || pc.rc < 0)
		return give_up(c, &ck->stats->not_executable, CHECK_ERROR);
	if (pc.rc > 0)
		return give_up(c, &ck->stats->not_executable, CHECK_NOT_EXEC);
	if (hold_finding(ck, c, &op, &pc.cls, &pc))
		return give_up(c, NULL, CHECK_ERROR);

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

void check_run_pending(struct checker *ck, uint64_t now, bool final)
{
	struct candidate **due;
	size_t i, n;

	if (!ck->pending.count)
		return;
	due = malloc(ck->pending.count * sizeof(*due));
	if (!due)
		return;
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
}
