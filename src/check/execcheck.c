/* SPDX-License-Identifier: GPL-2.0-or-later */
/* execcheck.c -- an execution in a container of a file not part of its image */
#include "check/execcheck.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

#include "check/allow.h"
#include "check/safeopen.h"
#include "report/finding.h"
#include "util/log.h"
#include "util/timeutil.h"

const char *exec_origin_name(enum exec_origin o)
{
	switch (o) {
	case EXEC_IMAGE:
		return "image";
	case EXEC_UPPER:
		return "upper";
	case EXEC_DELETED:
		return "deleted";
	case EXEC_OTHER_DEVICE:
		return "other-device";
	default:
		return "unknown";
	}
}

/* The directory of layer LAYER as O_PATH: an absolute path, or one
 * relative to the directory above UPPER's (podman's and docker's
 * "l/SHORTID" links). -1 when it cannot be opened. */
static int open_layer(const char *layer, const char *upper)
{
	char base[PATH_MAX], *slash;
	int dfd, fd;

	if (layer[0] == '/')
		return open(layer, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (!upper || upper[0] != '/' ||
	    snprintf(base, sizeof(base), "%s", upper) >= (int)sizeof(base))
		return -1;
	/* ".../overlay/ID/diff" -> ".../overlay" */
	for (int i = 0; i < 2; i++) {
		slash = strrchr(base, '/');
		if (!slash || slash == base)
			return -1;
		*slash = '\0';
	}
	dfd = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -1;
	fd = openat(dfd, layer, O_PATH | O_DIRECTORY | O_CLOEXEC);
	close(dfd);
	return fd;
}

/* NAME inside the layer directory LAYER (see open_layer()): 0 and *ST
 * when it exists, -1 when not. Never leaves the layer: RESOLVE_IN_ROOT
 * keeps ".." and symlinks inside, RESOLVE_NO_XDEV keeps it off other
 * mounts. */
static int layer_stat(const char *layer, const char *upper, const char *name,
		      struct stat *st)
{
	struct open_how how;
	int root, fd, rc = -1;

	root = open_layer(layer, upper);
	if (root < 0)
		return -1;
	memset(&how, 0, sizeof(how));
	how.flags = O_PATH | O_CLOEXEC;
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS |
		      RESOLVE_NO_XDEV;
	fd = (int)syscall(SYS_openat2, root, name, &how, sizeof(how));
	close(root);
	if (fd < 0)
		return -1;
	if (fstat(fd, st) == 0)
		rc = 0;
	close(fd);
	return rc;
}

/* Same inode number, as overlayfs reports it (xino: low 32 bits). */
static bool same_ino(uint64_t overlay_ino, uint64_t layer_ino)
{
	return overlay_ino == layer_ino ||
	       (overlay_ino & 0xffffffffULL) == (layer_ino & 0xffffffffULL);
}

enum exec_origin exec_layer_origin(const struct mount_entry *ovl,
				   const char *name, uint64_t ino,
				   unsigned long nlink, bool strict)
{
	struct stat st;
	size_t i;

	if (nlink == 0)
		return EXEC_DELETED;
	if (!ovl || !name || name[0] != '/')
		return EXEC_UNKNOWN;
	if (ovl->upperdir && layer_stat(ovl->upperdir, NULL, name, &st) == 0) {
		if (S_ISREG(st.st_mode) && same_ino(ino, st.st_ino))
			return EXEC_UPPER;
		/* another file of that name (the name leads elsewhere: a
		 * bind mount, a rename since), or a whiteout (0/0 device)
		 * that hides the lower layers' file */
		return EXEC_UNKNOWN;
	}
	for (i = 0; i < ovl->nlowers; i++) {
		if (layer_stat(ovl->lowers[i], ovl->upperdir, name, &st))
			continue;
		if (!S_ISREG(st.st_mode))
			return EXEC_UNKNOWN;
		return !strict || same_ino(ino, st.st_ino) ? EXEC_IMAGE :
							     EXEC_UNKNOWN;
	}
	return EXEC_UNKNOWN;
}

/*
 * The mount of the process's own table whose mount point is NAME, on
 * the device of ST, that mounts a single file of that file system (root
 * not "/"): a bind mount of one file. NULL when there is none.
 */
static const struct mount_entry *file_bind_mount(const struct mount_table *t,
						 const char *name,
						 const struct stat *st)
{
	size_t i;

	if (!name || name[0] != '/')
		return NULL;
	for (i = 0; i < t->count; i++) {
		const struct mount_entry *e = &t->e[i];

		if (e->major == major(st->st_dev) &&
		    e->minor == minor(st->st_dev) &&
		    !strcmp(e->mountpoint, name) && strcmp(e->root, "/"))
			return e;
	}
	return NULL;
}

/*
 * Where the program of OP (called NAME) comes from, when the host's mount
 * table does not place it on an overlay: by the process's own table (an
 * overlay mounted where the host's namespace does not see it; its line
 * has the same layers).
 * A single file a runtime bind-mounts from a host disk (podman's
 * catatonit, docker-init) counts as the image's: a container writes no
 * such file, and one it overwrites in place is seen by the write rules.
 */
static enum exec_origin origin_by_process(const struct mount_table *t,
					  const char *name,
					  const struct probe_opened *op)
{
	const struct mount_entry *e;

	e = mounts_find(t, major(op->st.st_dev), minor(op->st.st_dev));
	if (e && e->fstype && !strcmp(e->fstype, "overlay"))
		return exec_layer_origin(e, name, op->st.st_ino,
					 op->st.st_nlink, false);
	if (op->st.st_nlink == 0)
		return EXEC_DELETED;
	if (major(op->st.st_dev) != 0 && file_bind_mount(t, name, &op->st))
		return EXEC_IMAGE;
	return EXEC_OTHER_DEVICE;
}

/*
 * The program of OP (called NAME) is on the overlay OVL, but no layer
 * holds it under that name: a bind mount of one file of the overlay
 * (the kernel names the file by its mount point) is looked up by the
 * file's own path, the mount's root.
 */
static enum exec_origin origin_through_bind(const struct mount_table *t,
					    const struct mount_entry *ovl,
					    const char *name,
					    const struct probe_opened *op)
{
	const struct mount_entry *e = file_bind_mount(t, name, &op->st);

	if (!e)
		return EXEC_UNKNOWN;
	return exec_layer_origin(ovl, e->root, op->st.st_ino, op->st.st_nlink,
				 false);
}

/* Is C's parent a host process (no container's)? */
static bool parent_on_host(struct checker *ck, const struct candidate *c)
{
	struct container_ref ref;

	memset(&ref, 0, sizeof(ref));
	return c->ppid > 0 && scope_lookup_pid(&ck->scope, c->ppid, &ref) == 0;
}

/* Could a file whose header says KIND be of a type we report? (As the
 * write check decides: PIE or library is settled by libmagic.) */
static bool kind_wanted(unsigned int kind, unsigned int types)
{
	if (kind & (KIND_ELF_PIE | KIND_ELF_SHARED))
		return types & (KIND_ELF_PIE | KIND_ELF_SHARED);
	return kind & types;
}

/*
 * A write check of the same file still waits on the pending list (for
 * content to settle, or for its rename): C waits behind it, so that the
 * drop is reported first and this execution is linked to it. True when
 * C was put on the list.
 */
static bool wait_for_write_check(struct checker *ck, struct candidate *c,
				 uint64_t now)
{
	struct candidate *w;
	uint64_t due;

	if (!c->has_inode || now - c->first_seen_ms >= ck->cfg.recheck_ms)
		return false;
	w = pending_take_open_of(&ck->pending, c->dev_major, c->dev_minor,
				 c->inode);
	if (!w)
		return false;
	due = w->due_ms;
	pending_add(&ck->pending, w, due);	/* room: just taken */
	return pending_add(&ck->pending, c, (due > now ? due : now) + 1) == 0;
}

/* The name of the open file to look up in the layers: the kernel's,
 * without the host's mount point when the file was reached through it;
 * else the name the process executed. */
static const char *layer_name(const struct probe_opened *op,
			      const struct candidate *c,
			      const char *mount_root)
{
	size_t ml;

	if (op->name[0] == '/' && op->via == VIA_MOUNT_ROOT && mount_root) {
		ml = strlen(mount_root);
		if (!strncmp(op->name, mount_root, ml) &&
		    (op->name[ml] == '/' || !op->name[ml]))
			return op->name[ml] ? op->name + ml : "/";
		return c->path;
	}
	return op->name[0] == '/' ? op->name : c->path;
}

/* Report F (of C, an execution): every sink, the counters, the dedupe
 * module's memory of reports. */
static void report_exec(struct checker *ck, struct finding *f,
			const struct dedupe_key *key)
{
	atomic_fetch_add(&ck->stats->findings, 1);
	atomic_fetch_add(&ck->stats->exec_findings, 1);
	if (ck->report)
		report_emit(ck->report, f);
	dedupe_note_report(&ck->dd, key, f->sha256, f->c->container.id,
			   f->c->serial, f->c->path, true);
}

/* The finding of C: the file of OP, its type CLS; PC (NULL: libmagic
 * missed its deadline) gives the digest. Links C to an earlier report of
 * the same content, or reports it as new. Frees C. */
static enum check_outcome conclude_exec(struct checker *ck,
					struct candidate *c,
					const struct probe_opened *op,
					const struct classification *cls,
					const struct probe_classified *pc,
					const char *mountpoint, uint64_t now)
{
	struct dedupe_report *rep;
	struct dedupe_key key;
	struct finding f;

	memset(&f, 0, sizeof(f));
	f.c = c;
	f.checked = true;
	f.st = op->st;
	f.checked_via = inspect_via_name(op->via);
	f.typed = true;
	f.cls = *cls;
	if (!ck->cfg.sha256_max)
		f.sha256_skipped = "disabled";
	else if (!pc)
		f.sha256_skipped = "deadline missed";
	else if (pc->sha_rc == 0)
		memcpy(f.sha256, pc->sha256, sizeof(f.sha256));
	else if (pc->sha_rc == 1)
		f.sha256_skipped = "larger than sha256_max_bytes";
	else
		f.sha256_skipped = "read error";
	f.path_plain = pc && pc->name_plain;
	f.meta = meta_lookup(&ck->meta, &c->container, mountpoint,
			     c->container.id[0] ?
			     runtimes_by_id(&ck->scope.rt, c->container.id,
					    now_ms()) : NULL, now);
	container_stable_id(&c->container);
	if (allow_match(&ck->cfg, c, f.meta, f.path_plain))
		return checker_end(ck, c, &ck->stats->allowed, CHECK_ALLOWED);

	c->executed = true;
	dedupe_key_of(&f.st, &key);
	rep = dedupe_find_report(&ck->dd, &key, f.sha256, c->container.id);
	if (rep && rep->ran)
		return checker_end(ck, c, &ck->stats->duplicates,
				   CHECK_DUPLICATE);
	if (rep) {
		/* the drop was reported: this finding says that it ran */
		rep->ran = true;
		c->drop_serial = rep->serial;
		c->drop_path = rep->path ? strdup(rep->path) : NULL;
	} else {
		/* a later write check of this file is a duplicate (its key
		 * holds the digest, as conclude()'s does) */
		struct dedupe_key seen = key;

		dedupe_key_digest(&seen, f.sha256);
		dedupe_seen(&ck->dd, &seen);
	}
	report_exec(ck, &f, &key);
	return checker_end(ck, c, NULL, CHECK_FINDING);
}

enum check_outcome exec_check(struct checker *ck, struct candidate *c,
			      uint64_t now)
{
	const struct overlay_mount *ovl = NULL;
	const char *mount_root = NULL, *mountpoint = NULL, *name;
	char root_buf[64];
	struct probe_classified pc;
	struct classification cls;
	struct probe_opened op;
	enum mount_dev_class dc;
	enum exec_origin origin;
	enum probe_result pr;
	unsigned int kind;
	bool parent_same;

	/* host processes, the runtimes on the host: never */
	if (!c->container.in_container)
		return checker_end(ck, c, &ck->stats->out_of_scope,
				   CHECK_EXCLUDED);

	/* 1. an image binary, told by its name and inode alone */
	if (c->has_inode) {
		ovl = scope_find_mount(&ck->scope, c->dev_major, c->dev_minor);
		if (ovl && c->path &&
		    exec_layer_origin(ovl->mount, c->path, c->inode, 1,
				      true) == EXEC_IMAGE)
			return checker_end(ck, c, NULL, CHECK_NOT_EXEC);
		if (ovl)
			mount_root = ovl->mountpoint;
	}

	/* 2. the drop first */
	if (wait_for_write_check(ck, c, now))
		return CHECK_RETRY;

	/* 3. never a file system that can block, or a device no mount
	 *    table names (see pipeline.c's device_class()) */
	dc = c->has_inode ? fstype_dev_class(&ck->fstypes, ck->scope.proc,
					     c->pid, c->dev_major,
					     c->dev_minor) :
			    MOUNT_DEV_READABLE;
	if (dc == MOUNT_DEV_UNKNOWN && c->has_inode)
		dc = scope_host_dev_class(&ck->scope, c->dev_major,
					  c->dev_minor);
	if (dc == MOUNT_DEV_PSEUDO)
		return checker_end(ck, c, &ck->stats->out_of_scope,
				   CHECK_EXCLUDED);
	if (dc != MOUNT_DEV_READABLE)
		return checker_end(ck, c, &ck->stats->unreachable,
				   CHECK_UNREACHABLE);
	parent_same = c->container.source == SCOPE_SRC_PPID;
	/* not the overlay (a tmpfs, a volume): a program that has exited
	 * already is looked for in the root of a process of its container
	 * that lives, as a write's file is */
	if (!mount_root) {
		pid_t root_pid = checker_root_pid(ck, c);

		if (root_pid > 0) {
			snprintf(root_buf, sizeof(root_buf), "%s/%d/root",
				 ck->scope.proc, (int)root_pid);
			mount_root = root_buf;
		}
	}
	pr = probe_open_exec(&ck->probe, c, parent_same, mount_root, &op);
	if (pr == PROBE_TIMEOUT) {
		atomic_fetch_add(&ck->stats->deadline_missed, 1);
		log_msg(LOG_WARNING, "opening the program of pid %d (device "
			"%u:%u) took more than %u ms: worker replaced",
			(int)c->pid, c->dev_major, c->dev_minor,
			ck->cfg.check_timeout_ms);
	}
	if (pr != PROBE_OK || op.status != INSPECT_OK)
		return checker_end(ck, c, &ck->stats->unreachable,
				   CHECK_UNREACHABLE);
	atomic_fetch_add(&ck->stats->exec_checked, 1);

	/* 4. a host process (a runtime) that executes its own program
	 *    again, in the container's cgroup or root: runc init, podman's
	 *    storage helpers. A container's process has no host parent but
	 *    its monitor (conmon, a shim), whose program it cannot run. */
	if (op.parent_runs_it && parent_on_host(ck, c)) {
		probe_done(&ck->probe);
		return checker_end(ck, c, &ck->stats->out_of_scope,
				   CHECK_EXCLUDED);
	}

	/* 5. part of the image? */
	ovl = scope_find_mount(&ck->scope, major(op.st.st_dev),
			       minor(op.st.st_dev));
	name = layer_name(&op, c, mount_root);
	origin = EXEC_UNKNOWN;
	if (ovl) {
		mountpoint = ovl->mountpoint;
		origin = exec_layer_origin(ovl->mount, name, op.st.st_ino,
					   op.st.st_nlink, false);
	}
	if (!ovl || origin == EXEC_UNKNOWN) {
		/* the process's own table, read only for these */
		struct mount_table t;
		char buf[128];

		snprintf(buf, sizeof(buf), "%s/%d/mountinfo", ck->scope.proc,
			 (int)c->pid);
		if (mounts_parse_file(&t, buf) == 0) {
			origin = ovl ? origin_through_bind(&t, ovl->mount, name,
							   &op) :
				       origin_by_process(&t, name, &op);
			mounts_free(&t);
		} else if (!ovl) {
			origin = op.st.st_nlink ? EXEC_OTHER_DEVICE :
						  EXEC_DELETED;
		}
	}
	if (origin == EXEC_IMAGE) {
		probe_done(&ck->probe);
		return checker_end(ck, c, NULL, CHECK_NOT_EXEC);
	}

	/* ran before and reported as such: a program run in a loop costs
	 * no libmagic and no sha256 each time */
	{
		struct dedupe_report *rep;
		struct dedupe_key key;

		dedupe_key_of(&op.st, &key);
		rep = dedupe_find_report(&ck->dd, &key, NULL, c->container.id);
		if (rep && rep->ran) {
			probe_done(&ck->probe);
			return checker_end(ck, c, &ck->stats->duplicates,
					   CHECK_DUPLICATE);
		}
	}

	/* 6. what it is */
	if (classify_head(op.head, op.head_len,
			  (unsigned long long)op.st.st_size, &kind) !=
		    HEAD_CANDIDATE ||
	    !kind_wanted(kind, ck->cfg.types)) {
		probe_done(&ck->probe);
		return checker_end(ck, c, &ck->stats->not_executable,
				   CHECK_NOT_EXEC);
	}
	pr = probe_classify(&ck->probe, kind, ck->cfg.types,
			    ck->cfg.sha256_max, false, &pc);
	if (pr == PROBE_TIMEOUT) {
		/* reported as the header says, as a write check does */
		atomic_fetch_add(&ck->stats->deadline_missed, 1);
		memset(&cls, 0, sizeof(cls));
		cls.kind = kind;
		snprintf(cls.description, sizeof(cls.description),
			 "no answer from libmagic within %u ms",
			 ck->cfg.check_timeout_ms);
		return conclude_exec(ck, c, &op, &cls, NULL, mountpoint, now);
	}
	if (pr != PROBE_OK || pc.rc < 0)
		return checker_end(ck, c, &ck->stats->not_executable,
				   CHECK_ERROR);
	if (pc.rc > 0)
		return checker_end(ck, c, &ck->stats->not_executable,
				   CHECK_NOT_EXEC);
	/* 7. */
	return conclude_exec(ck, c, &op, &pc.cls, &pc, mountpoint, now);
}
