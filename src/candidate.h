/* SPDX-License-Identifier: GPL-2.0-or-later */
/* candidate.h -- a file write seen in the audit trail, waiting for a check */
#ifndef DROPEXEC_CANDIDATE_H
#define DROPEXEC_CANDIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CANDIDATE_MAX_PATHS	8	/* PATH items kept for the finding */
#define CANDIDATE_MAX_RECORDS	65536	/* bytes of raw record text kept */
#define CONTAINER_ID_LEN	64
#define CANDIDATE_MAX_CMDLINE	4096	/* bytes of an execution's arguments */

/* What kind of call made the file appear or change. */
enum file_op {
	FILE_OP_NONE = 0,
	FILE_OP_OPEN,		/* open, openat, openat2, creat for writing */
	FILE_OP_RENAME,		/* rename, renameat, renameat2 */
	FILE_OP_LINK,		/* link, linkat */
	FILE_OP_EXEC,		/* execve, execveat of the file */
	FILE_OP_SCAN,		/* found by a scan of a writable layer:
				 * no audit event, serial 0 */
};

/* Where the container attribution came from. */
enum scope_source {
	SCOPE_SRC_NONE = 0,
	SCOPE_SRC_PID,		/* /proc/PID/cgroup of the writer */
	SCOPE_SRC_PPID,		/* /proc/PPID/cgroup of its parent */
	SCOPE_SRC_MOUNT,	/* PATH dev matched an overlay mount */
	SCOPE_SRC_ROOT,		/* the writer's root file system: its cgroup
				 * named no container, or one whose root is
				 * not the writer's */
};

/* One PATH record item, decoded. name is raw bytes, NUL terminated. */
struct path_item {
	int item;
	char *name;		/* NULL when the record says (null) */
	char nametype[16];
	bool has_inode;
	uint64_t inode;
	unsigned int dev_major, dev_minor;
	unsigned int mode;
};

struct container_ref {
	char id[CONTAINER_ID_LEN + 1];	/* empty when unknown */
	char runtime[16];		/* docker, containerd, cri-o, podman,
					 * runc, crun, chroot, unknown */
	enum scope_source source;
	bool in_container;
	/* the container the writer's cgroup named, when its root file
	 * system says otherwise (SCOPE_SRC_ROOT) */
	char cgroup_claim[CONTAINER_ID_LEN + 1];
	/* a live process of the container (its first, by the runtime's
	 * state) whose root names resolve in once the writer is gone; 0 */
	pid_t root_pid;
	/* the writer's mount namespace and root (SCOPE_SRC_ROOT): a stable
	 * id when no runtime knows the container */
	unsigned long long mntns;
	unsigned long long root_dev, root_ino;
};

struct finding;

/* Everything the finding needs to know about the triggering event. */
struct candidate {
	/* event identity */
	uint64_t serial;
	uint64_t sec;
	unsigned int milli;
	char *node;

	/* the call */
	enum file_op op;
	char syscall[24];	/* name, e.g. "openat" */
	int syscall_nr;
	char arch[16];		/* "x86_64", "i386", ... */
	uint32_t arch_code;
	bool success;
	long long exit;
	int fd;			/* descriptor returned by an open, or -1 */
	int dirfd;		/* the directory descriptor a *at call named
				 * (a0, or a2 for the new name of renameat
				 * and linkat); AT_FDCWD when none, -1 when
				 * the argument is no descriptor */
	unsigned int open_flags; /* flags of an open (a1 of open, a2 of
				  * openat, oflag of openat2's OPENAT2
				  * record; creat: O_CREAT|O_WRONLY|O_TRUNC;
				  * 0 when not known) */
	bool tmpfile;		/* an open with O_TMPFILE: a file with no
				 * name until linked (linkat); path is the
				 * directory it was made in, inode the
				 * file's */
	bool name_unresolved;	/* path is not the file's name as the
				 * writer meant it: a name relative to a
				 * directory descriptor that was gone (kept
				 * as given), or, for a create through a
				 * dangling symlink whose writer was gone,
				 * the link's or its directory's name:
				 * reach the file through pid and fd */
	bool executed;		/* the file is known to have run */
	bool new_content;	/* an open that created or truncated the
				 * file; otherwise an existing file opened
				 * for writing, which counts once written */

	/* the process */
	pid_t pid, ppid;
	long long uid, gid, euid, auid, ses;
	char *comm, *exe, *cwd;	/* raw bytes */
	char *parent_comm;	/* the parent's, read while it lived */
	char *parent_exe;

	/* the file */
	char *path;		/* absolute, as the process sees it */
	char *old_path;		/* source of a rename or link, or NULL */
	bool has_inode;
	uint64_t inode;
	unsigned int dev_major, dev_minor;
	unsigned int mode;

	struct path_item paths[CANDIDATE_MAX_PATHS];
	size_t npaths;

	struct container_ref container;
	/* "/dev/shm" or "/run/shm" when the name points below one: it is
	 * excluded only if the file is really on that mount */
	const char *shm_dir;

	/* an execution (FILE_OP_EXEC): its arguments from the EXECVE
	 * record, raw bytes joined with spaces; NULL for other calls */
	char *cmdline;
	unsigned int argc;
	bool cmdline_cut;	/* longer than CANDIDATE_MAX_CMDLINE */
	/* the finding of the drop of the same content, when the file that
	 * ran was reported before (check/execcheck.h): its audit serial */
	uint64_t drop_serial;
	char *drop_path;

	/* raw record lines of the event, '\n' separated */
	char *records;

	/* a rename that moved this file into place, merged into it */
	uint64_t rename_serial;
	char *rename_records;

	/* what the check found, held until the rename that names the
	 * file comes (check/pipeline.c); freed with the candidate */
	struct finding *held;

	/* the check's bookkeeping (check/pending.h) */
	unsigned int attempts;
	uint64_t first_seen_ms;
	/* monotonic ms when the reader handed it on (its call had ended by
	 * then); never changed after */
	uint64_t arrived_ms;
	uint64_t due_ms;
};

struct candidate *candidate_new(void);
void candidate_free(struct candidate *c);
const char *file_op_name(enum file_op op);
/* Data.detected_by of a finding made from OP: write, rename, link, exec,
 * scan. */
const char *file_op_detected_by(enum file_op op);
const char *scope_source_name(enum scope_source src);

#endif
