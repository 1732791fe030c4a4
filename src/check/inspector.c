/* inspector.c -- the thread that checks candidates and reports findings */
#include "check/inspector.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <time.h>

#include "report/finding.h"
#include "check/safeopen.h"
#include "util/log.h"
#include "check/hash.h"
#include "util/timeutil.h"

#define RETRY_FIRST_MS	5
#define RETRY_MAX_MS	250
#define DROP_WARN_MS	60000
#define RECENT_MS	60000	/* content this new counts as dropped */
#define SETTLE_MS	20	/* look again this soon while a file grows */
#define RENAME_WAIT_MS	250	/* wait this long for a rename into place */

int inspector_init(struct inspector *in, const struct config *cfg,
		   struct stats *stats, struct audit_sender *sender,
		   const char *proc, const char *mountinfo)
{
	memset(in, 0, sizeof(*in));
	if (config_copy(&in->cfg, cfg))
		return -1;
	in->stats = stats;
	in->sender = sender;
	pthread_mutex_init(&in->lock, NULL);
	atomic_init(&in->reopen_log, false);
	jsonlog_init(&in->log);
	jsonlog_set_path(&in->log, in->cfg.json_log);
	if (queue_init(&in->q, cfg->queue_size))
		return -1;
	in->pending = calloc(cfg->pending_max, sizeof(*in->pending));
	if (!in->pending)
		return -1;
	if (dedupe_init(&in->dd, cfg->dedupe_size))
		return -1;
	if (scope_init(&in->scope, proc, mountinfo))
		return -1;
	fstype_cache_init(&in->fstypes);
	if (meta_cache_init(&in->meta, NULL))
		return -1;
	if (classifier_init(&in->cl, cfg->magic_bytes_max)) {
		log_msg(LOG_ERR, "cannot load the libmagic database");
		return -1;
	}
	return 0;
}

bool inspector_submit(struct inspector *in, struct candidate *c)
{
	c->first_seen_ms = now_ms();
	if (queue_push(&in->q, c) == 0)
		return true;
	atomic_fetch_add(&in->stats->queue_dropped, 1);
	candidate_free(c);
	return false;
}

void inspector_set_config(struct inspector *in, struct config *cfg)
{
	struct config *old;

	pthread_mutex_lock(&in->lock);
	old = in->next_cfg;
	in->next_cfg = cfg;
	pthread_mutex_unlock(&in->lock);
	if (old) {
		config_free(old);
		free(old);
	}
}

void inspector_reopen_log(struct inspector *in)
{
	atomic_store(&in->reopen_log, true);
}

/* Apply what other threads handed over, in the inspector's own thread. */
static void apply_updates(struct inspector *in)
{
	struct config *next;

	pthread_mutex_lock(&in->lock);
	next = in->next_cfg;
	in->next_cfg = NULL;
	pthread_mutex_unlock(&in->lock);
	if (next) {
		/* Queue and table sizes stay as they were at start. */
		struct config old = in->cfg;

		in->cfg = *next;
		in->cfg.queue_size = old.queue_size;
		in->cfg.pending_max = old.pending_max;
		in->cfg.dedupe_size = old.dedupe_size;
		in->cfg.magic_bytes_max = old.magic_bytes_max;
		config_free(&old);
		free(next);
		jsonlog_set_path(&in->log, in->cfg.json_log);
		if (in->sender)
			audit_sender_set_type(in->sender,
					      in->cfg.audit_record_type);
	}
	if (atomic_exchange(&in->reopen_log, false))
		jsonlog_reopen(&in->log);
}

/* What a check found, kept until the finding is written. */
struct held_finding {
	struct stat st;
	struct classification cls;
	enum inspect_via via;
	char sha256[65];
	int sha_rc;		/* 0 hashed, 1 too large, -1 error, 2 off */
};

static void report_finding(struct inspector *in, struct candidate *c,
			   const struct held_finding *h,
			   const struct container_meta *meta)
{
	static const char *why[] = { "larger than sha256_max_bytes",
				     "read error", "disabled" };
	struct file_facts facts = {
		.st = &h->st,
		.cls = &h->cls,
		.checked_via = inspect_via_name(h->via),
		.meta = meta,
		.sha256 = h->sha_rc == 0 ? h->sha256 : NULL,
		.sha256_skipped = h->sha_rc == 1 ? why[0] :
				  h->sha_rc == 2 ? why[2] : why[1],
	};
	char *line;

	atomic_fetch_add(&in->stats->findings, 1);
	line = finding_json_line(c, &facts);
	if (!line || jsonlog_write(&in->log, line))
		atomic_fetch_add(&in->stats->json_errors, 1);
	free(line);
	if (in->cfg.audit_record && in->sender)
		audit_sender_submit(in->sender,
				    audit_finding_message(c, &h->cls));
}

/* Is the finding known-good activity by the [allow] lists? */
static bool allowed(const struct config *cfg, const struct candidate *c,
		    const struct container_meta *meta)
{
	return strlist_match(&cfg->allow_exe, c->exe) ||
	       strlist_match(&cfg->allow_path, c->path) ||
	       (meta && strlist_match(&cfg->allow_image, meta->image)) ||
	       (meta && strlist_match(&cfg->allow_container, meta->name));
}

/* The last steps for a confirmed executable: report it once, unless it
 * is a duplicate or allowed. Frees C. */
static enum check_outcome conclude(struct inspector *in, struct candidate *c,
				   const struct held_finding *h, uint64_t now)
{
	const struct container_meta *meta = NULL;
	const struct overlay_mount *m = NULL;
	struct dedupe_key key;
	enum check_outcome out;

	if (c->container.in_container) {
		if (!c->container.id[0] && c->has_inode)
			m = scope_find_mount(&in->scope, c->dev_major,
					     c->dev_minor);
		meta = meta_lookup(&in->meta, &c->container,
				   m ? m->mountpoint : NULL, now);
	}
	/* Allowed content is not remembered: moved or linked out of an
	 * allowed path, it is reported then. */
	if (allowed(&in->cfg, c, meta)) {
		atomic_fetch_add(&in->stats->allowed, 1);
		candidate_free(c);
		return CHECK_ALLOWED;
	}
	memset(&key, 0, sizeof(key));
	key.dev = h->st.st_dev;
	key.ino = h->st.st_ino;
	key.size = (uint64_t)h->st.st_size;
	key.mtime_sec = h->st.st_mtim.tv_sec;
	key.mtime_nsec = h->st.st_mtim.tv_nsec;
	if (dedupe_seen(&in->dd, &key)) {
		atomic_fetch_add(&in->stats->duplicates, 1);
		out = CHECK_DUPLICATE;
	} else {
		report_finding(in, c, h, meta);
		out = CHECK_FINDING;
	}
	candidate_free(c);
	return out;
}

/*
 * A rename of a file whose open is still being checked (held for its
 * rename, or waiting for content): the check goes on under the name the
 * rename gave, so the file is reported once, there. Returns true when C
 * was merged (and freed).
 */
static bool merge_rename(struct inspector *in, struct candidate *c,
			 uint64_t now)
{
	struct candidate *h = NULL;
	size_t i;

	if (c->op != FILE_OP_RENAME || !c->has_inode)
		return false;
	for (i = 0; i < in->npending; i++) {
		struct candidate *p = in->pending[i];

		if (p->op == FILE_OP_OPEN && p->has_inode &&
		    p->inode == c->inode && p->dev_major == c->dev_major &&
		    p->dev_minor == c->dev_minor) {
			h = p;
			break;
		}
	}
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
		in->pending[i] = in->pending[--in->npending];
		conclude(in, h, h->held, now);
	}
	return true;
}

/* Keep C for another look, with a growing delay. UNWRITTEN: an existing
 * file not yet written since it was opened, rather than a short one. */
static enum check_outcome schedule_retry(struct inspector *in,
					 struct candidate *c, uint64_t now,
					 bool unwritten)
{
	uint64_t delay = RETRY_FIRST_MS << (c->attempts < 6 ? c->attempts : 6);

	if (delay > RETRY_MAX_MS)
		delay = RETRY_MAX_MS;
	if (now - c->first_seen_ms >= in->cfg.recheck_ms) {
		atomic_fetch_add(unwritten ? &in->stats->unmodified :
				 &in->stats->still_short, 1);
		candidate_free(c);
		return unwritten ? CHECK_NOT_EXEC : CHECK_STILL_SHORT;
	}
	if (in->npending >= in->cfg.pending_max) {
		atomic_fetch_add(&in->stats->pending_dropped, 1);
		candidate_free(c);
		return CHECK_STILL_SHORT;
	}
	c->attempts++;
	c->due_ms = now + delay;
	in->pending[in->npending++] = c;
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

enum check_outcome inspector_check(struct inspector *in,
				   struct candidate *c, uint64_t now)
{
	const struct overlay_mount *m = NULL;
	const char *mount_root = NULL;
	bool parent_same = false;
	struct classification cls;
	struct held_finding *h;
	struct file_check fc;
	enum inspect_status st;
	enum head_verdict hv;
	unsigned int kind;
	int rc;

	if (merge_rename(in, c, now))
		return CHECK_FINDING;

	if (c->container.in_container && c->has_inode) {
		m = scope_find_mount(&in->scope, c->dev_major, c->dev_minor);
		if (m)
			mount_root = m->mountpoint;
	} else if (!c->container.in_container) {
		mount_root = "/";	/* scope = all: a host write */
	}

	if (c->container.source == SCOPE_SRC_PPID) {
		parent_same = true;
	} else if (c->container.in_container && c->ppid > 0) {
		struct container_ref pr;

		memset(&pr, 0, sizeof(pr));
		parent_same = scope_lookup_pid(&in->scope, c->ppid, &pr) == 1 &&
			      !strcmp(pr.id, c->container.id);
	}
	/* Never resolve a name on FUSE, NFS, SMB...: see fstype.h. */
	if (c->has_inode &&
	    (fstype_dev_is_remote(&in->fstypes, in->scope.proc, c->pid,
				  c->dev_major, c->dev_minor) ||
	     (parent_same &&
	      fstype_dev_is_remote(&in->fstypes, in->scope.proc, c->ppid,
				   c->dev_major, c->dev_minor)))) {
		atomic_fetch_add(&in->stats->unreachable, 1);
		candidate_free(c);
		return CHECK_UNREACHABLE;
	}
	st = inspect_open(in->scope.proc, c, parent_same, mount_root, &fc);
	if (st != INSPECT_OK) {
		atomic_fetch_add(&in->stats->unreachable, 1);
		candidate_free(c);
		return CHECK_UNREACHABLE;
	}
	atomic_fetch_add(&in->stats->checked, 1);

	/* Shared memory is excluded, as in Tracee: but only a file that is
	 * really there, not one reached through a symlink below it. */
	if (c->shm_dir && inspect_on_mount_of(in->scope.proc, c, parent_same,
					      mount_root, &fc, c->shm_dir)) {
		inspect_close(&fc);
		atomic_fetch_add(&in->stats->out_of_scope, 1);
		candidate_free(c);
		return CHECK_EXCLUDED;
	}

	/*
	 * An existing file opened for writing (no O_CREAT of a new name, no
	 * O_TRUNC) holds new content only once it has been written: its
	 * mtime then is no older than the open. Until then it is an
	 * existing file, e.g. an image binary opened read-write.
	 */
	if (c->op == FILE_OP_OPEN && !c->new_content &&
	    !written_since(&fc.st, c, 0)) {
		inspect_close(&fc);
		return schedule_retry(in, c, now, true);
	}
	/*
	 * A rename or link gives a file a new name: it is a drop when its
	 * content is recent (a download moved into place), not when a
	 * binary of the image is moved or linked.
	 */
	if (c->op != FILE_OP_OPEN && !written_since(&fc.st, c, RECENT_MS)) {
		inspect_close(&fc);
		atomic_fetch_add(&in->stats->unmodified, 1);
		candidate_free(c);
		return CHECK_NOT_EXEC;
	}

	hv = classify_head(fc.head, fc.head_len,
			   (unsigned long long)fc.st.st_size, &kind);
	if (hv == HEAD_SHORT) {
		inspect_close(&fc);
		return schedule_retry(in, c, now, false);
	}
	if (hv == HEAD_NOT_EXEC || !kind_wanted(kind, in->cfg.types)) {
		inspect_close(&fc);
		atomic_fetch_add(&in->stats->not_executable, 1);
		candidate_free(c);
		return CHECK_NOT_EXEC;
	}

	rc = classify_confirm(&in->cl, fc.fd, kind, in->cfg.types, &cls);
	if (rc != 0) {
		inspect_close(&fc);
		atomic_fetch_add(&in->stats->not_executable, 1);
		candidate_free(c);
		return rc < 0 ? CHECK_ERROR : CHECK_NOT_EXEC;
	}

	/*
	 * A file written to in the last SETTLE_MS may still grow: look
	 * again shortly, so that the finding (size, type) describes the
	 * whole file and a later rename of it is a duplicate, not a second
	 * finding. Past the recheck time it is reported as it is.
	 */
	if (still_growing(&fc.st) && now - c->first_seen_ms < in->cfg.recheck_ms &&
	    in->npending < in->cfg.pending_max) {
		inspect_close(&fc);
		c->due_ms = now + SETTLE_MS;
		in->pending[in->npending++] = c;
		return CHECK_RETRY;
	}

	h = calloc(1, sizeof(*h));
	if (!h) {
		inspect_close(&fc);
		candidate_free(c);
		return CHECK_ERROR;
	}
	h->st = fc.st;
	h->cls = cls;
	h->via = fc.via;
	h->sha_rc = in->cfg.sha256_max ?
		    sha256_fd(fc.fd, in->cfg.sha256_max, h->sha256) : 2;
	inspect_close(&fc);
	c->held = h;

	/*
	 * Written under one name and already moved away (a download
	 * renamed into place): wait a little for the rename, which is
	 * then reported as the file's name. See merge_rename().
	 */
	if (c->op == FILE_OP_OPEN &&
	    now - c->first_seen_ms < in->cfg.recheck_ms &&
	    in->npending < in->cfg.pending_max &&
	    !inspect_name_is(in->scope.proc, c, parent_same, mount_root,
			     &h->st)) {
		c->due_ms = now + RENAME_WAIT_MS;
		in->pending[in->npending++] = c;
		return CHECK_RETRY;
	}
	return conclude(in, c, h, now);
}

void inspector_run_pending(struct inspector *in, uint64_t now, bool final)
{
	struct candidate **due;
	size_t i, keep = 0, ndue = 0;

	if (!in->npending)
		return;
	due = malloc(in->npending * sizeof(*due));
	if (!due)
		return;
	for (i = 0; i < in->npending; i++) {
		if (final || in->pending[i]->due_ms <= now)
			due[ndue++] = in->pending[i];
		else
			in->pending[keep++] = in->pending[i];
	}
	in->npending = keep;
	for (i = 0; i < ndue; i++) {
		if (final) {
			/* last look: no more retries */
			due[i]->first_seen_ms = now - in->cfg.recheck_ms;
		}
		if (due[i]->held)	/* no rename came: report as it is */
			conclude(in, due[i], due[i]->held, now);
		else
			inspector_check(in, due[i], now);
	}
	free(due);
}

static int next_timeout(struct inspector *in, uint64_t now)
{
	uint64_t soonest = UINT64_MAX;
	size_t i;

	for (i = 0; i < in->npending; i++)
		if (in->pending[i]->due_ms < soonest)
			soonest = in->pending[i]->due_ms;
	if (soonest == UINT64_MAX)
		return 1000;
	return soonest <= now ? 0 : (int)(soonest - now);
}

static void periodic_reports(struct inspector *in, uint64_t now)
{
	unsigned long long drops;
	char buf[768];

	drops = atomic_load(&in->stats->queue_dropped) +
		atomic_load(&in->stats->pending_dropped) +
		atomic_load(&in->stats->audit_dropped);
	if (drops != in->reported_drops &&
	    (!in->last_drop_warn_ms ||
	     now - in->last_drop_warn_ms >= DROP_WARN_MS)) {
		in->last_drop_warn_ms = now;
		in->reported_drops = drops;
		stats_format(in->stats, buf, sizeof(buf));
		log_msg(LOG_WARNING, "candidates dropped under load: %s", buf);
	}
	if (in->cfg.stats_interval &&
	    now - in->last_stats_ms >= in->cfg.stats_interval * 1000ULL) {
		in->last_stats_ms = now;
		stats_format(in->stats, buf, sizeof(buf));
		log_msg(LOG_INFO, "stats: %s", buf);
	}
}

static void *inspector_main(void *arg)
{
	struct inspector *in = arg;
	bool closed = false;

	in->last_stats_ms = now_ms();
	for (;;) {
		struct candidate *c;
		uint64_t now = now_ms();

		apply_updates(in);
		c = queue_pop(&in->q, next_timeout(in, now), &closed);
		/* a reload that came while waiting applies to C too */
		apply_updates(in);
		now = now_ms();
		if (c)
			inspector_check(in, c, now);
		inspector_run_pending(in, now, false);
		periodic_reports(in, now);
		if (closed)
			break;
	}
	/* Input ended: give the files still short one last look. */
	inspector_run_pending(in, now_ms(), true);
	return NULL;
}

int inspector_start(struct inspector *in)
{
	if (pthread_create(&in->thread, NULL, inspector_main, in))
		return -1;
	in->started = true;
	return 0;
}

void inspector_stop(struct inspector *in)
{
	queue_close(&in->q);
	if (in->started)
		pthread_join(in->thread, NULL);
	in->started = false;
}

void inspector_free(struct inspector *in)
{
	size_t i;

	for (i = 0; i < in->npending; i++)
		candidate_free(in->pending[i]);
	free(in->pending);
	in->pending = NULL;
	in->npending = 0;
	if (in->q.slots) {
		bool closed;
		struct candidate *c;

		while ((c = queue_pop(&in->q, 0, &closed)))
			candidate_free(c);
		queue_destroy(&in->q);
	}
	inspector_set_config(in, NULL);
	dedupe_free(&in->dd);
	scope_free(&in->scope);
	meta_cache_free(&in->meta);
	classifier_free(&in->cl);
	jsonlog_close(&in->log);
	jsonlog_set_path(&in->log, NULL);
	config_free(&in->cfg);
	pthread_mutex_destroy(&in->lock);
}
