/* SPDX-License-Identifier: GPL-2.0-or-later */
/* probe.h -- what touches a container's file, in a worker process with a deadline
 *
 * Resolving a name inside a container's root, reading a file's head,
 * libmagic and the sha256 can each wait in the kernel for as long as a
 * hostile file system or file wants: a FUSE server that stops answering
 * (even fstat sleeps uninterruptibly), a name that walks through such a
 * mount. Those steps run in a worker process. The inspector asks and
 * waits for each answer with a deadline; a worker that misses it is
 * killed (or, stuck in the kernel, abandoned) and replaced, so no file
 * holds up the checks of other containers for longer than one deadline.
 *
 * A check is two questions to the same worker, which keeps the file open
 * between them:
 *
 *   probe_open()      find and vet the file (check/safeopen.h), read its
 *                     head; is it on the shared-memory mount it names?
 *                     what is its name, when the audit record's
 *                     cannot be used?
 *   probe_classify()  libmagic on a bounded copy (check/classify.h), the
 *                     sha256 (check/hash.h), does the name still lead to it?
 *   probe_done()      the file is closed (no answer awaited)
 *
 * probe_open_head() is probe_open() for a write's check: the worker
 * closes the file at once unless its head is one libmagic is to be asked
 * about (HEAD_CANDIDATE), so that most files (text, short ones) cost one
 * round trip, not two. probe_look_heads() asks that of up to
 * PROBE_BATCH_MAX files in one round trip: the worker looks at them in
 * turn, each within its own deadline.
 *
 * The worker is forked from the caller's process and uses the caller's
 * classifier, loaded before: call probe_start() once it is.
 */
#ifndef DROPEXEC_PROBE_H
#define DROPEXEC_PROBE_H

#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "candidate.h"
#include "check/classify.h"
#include "check/safeopen.h"
#include "report/finding.h"

#define PROBE_ZOMBIES_MAX	16	/* abandoned workers kept to reap */
#define PROBE_BATCH_MAX		16	/* files per probe_look_heads() */

enum probe_result {
	PROBE_OK = 0,
	PROBE_TIMEOUT,		/* no answer in time: worker replaced */
	PROBE_FAILED,		/* no worker could be asked */
	PROBE_NOT_ASKED,	/* probe_look_heads(): not looked at, after
				 * a file that missed its deadline */
};

/* What the first question found. */
struct probe_opened {
	enum inspect_status status;
	struct stat st;
	enum inspect_via via;
	enum inspect_writers writers;	/* held open for writing? */
	unsigned char head[CLASSIFY_HEAD_LEN];
	size_t head_len;
	bool on_shm;		/* really on the shm mount C->shm_dir names */
	/* probe_open(): the file's name inside the root, found through the
	 * writer's descriptor, when the candidate's own cannot be used
	 * (none, or relative to a directory descriptor: name_unresolved);
	 * probe_open_exec(): the name the kernel gives the file (see
	 * inspect_fd_name()); "" when none */
	char name[PATH_MAX];
	/* probe_open_exec(): the parent process runs the same file (a
	 * runtime that executes itself again: runc init, podman's helpers) */
	bool parent_runs_it;
	/* probe_open_head(): the worker closed the file already (its head
	 * is no HEAD_CANDIDATE): nothing to classify, no probe_done() due */
	bool closed;
};

/* What the second found. */
struct probe_classified {
	int rc;			/* classify_confirm(): 0 yes, 1 no, -1 error */
	struct classification cls;
	int sha_rc;		/* sha256_fd(): 0, 1 too large, -1 error */
	char sha256[65];
	bool name_is;		/* the name still leads to the file */
	bool name_plain;	/* ... and is its plain name (allow.h) */
};

struct prober {
	const char *proc;		/* procfs root ("/proc"; tests: a tree) */
	struct classifier *cl;		/* the worker's copy is used */
	unsigned int timeout_ms;	/* per question */
	pid_t pid;			/* the worker, or 0 */
	int sock;			/* to the worker, or -1 */
	pid_t zombies[PROBE_ZOMBIES_MAX];
	unsigned long long replaced;	/* workers killed after a deadline */
	/* of those, killed while closing the last file (not the deadline
	 * of the question asked next) */
	unsigned long long close_deadlines;
	/* counted there too when set (the checker's deadline_missed) */
	atomic_uint_fast64_t *missed;
	bool holds_file;		/* the worker has a file open */
	bool closing;			/* a close sent, its answer not read */
	void *req;			/* the question being asked */
	/* probe_look_heads()' questions and answers, in memory shared
	 * with the current worker (made anew with each worker) */
	void *batch;
};

/* One file of probe_look_heads(), as probe_open_head() takes it;
 * WRITER_CLOSED: the writer's descriptor is known to be closed (or
 * another file), so the file is not looked for through it. */
struct probe_look {
	const struct candidate *c;
	bool parent_same;
	const char *mount_root;
	const char *upper;
	bool writer_closed;
};

/* Set up PR and fork the first worker; -1 when it cannot be started. */
int probe_start(struct prober *pr, const char *proc, struct classifier *cl,
		unsigned int timeout_ms);
/* Stop the worker (and reap what can be reaped). */
void probe_stop(struct prober *pr);

/*
 * Find candidate C's file (see inspect_open()): PARENT_SAME and
 * MOUNT_ROOT say where its name may be resolved. PROBE_OK with OUT
 * filled, whatever OUT->status says.
 */
enum probe_result probe_open(struct prober *pr, const struct candidate *c,
			     bool parent_same, const char *mount_root,
			     struct probe_opened *out);

/*
 * As probe_open(), but the worker keeps the file open only when its head
 * (classify_head()) is a HEAD_CANDIDATE; otherwise OUT->closed is set
 * and the file is closed already. UPPER, when not NULL, is the upper
 * directory of the overlay the file is on, where OUT->writers is asked
 * (inspect_open_in()): for a file that may be mapped for writing.
 */
enum probe_result probe_open_head(struct prober *pr, const struct candidate *c,
				  bool parent_same, const char *mount_root,
				  const char *upper, struct probe_opened *out);

/*
 * probe_open_head() of LOOKS[0..N-1] (N at most PROBE_BATCH_MAX) in one
 * round trip: the worker looks at the files in turn, each within the
 * deadline of one question from when its look began (a file that misses
 * it holds up the files after it for no longer than probe_open_head()
 * would), and closes each, a HEAD_CANDIDATE's too: ask about such a file
 * again with probe_open_head(), which keeps it open. RES[i] and OUT[i]
 * are what probe_open_head() would give; RES[i] is PROBE_NOT_ASKED for
 * the files after one that missed its deadline (PROBE_TIMEOUT) or killed
 * the worker (PROBE_FAILED), and for all when no worker could be asked:
 * ask about those one by one.
 */
void probe_look_heads(struct prober *pr, const struct probe_look *looks,
		      size_t n, struct probe_opened *out,
		      enum probe_result *res);

/*
 * The program of execution C: through /proc/PID/exe of the process while
 * it runs it, else as probe_open() finds C's name (the process is gone);
 * OUT->name says what the file is called now.
 */
enum probe_result probe_open_exec(struct prober *pr, const struct candidate *c,
				  bool parent_same, const char *mount_root,
				  struct probe_opened *out);

/*
 * Classify the file found by the last probe_open() whose header says
 * HEAD_KIND, against TYPES; hash it up to SHA256_MAX bytes (0: not);
 * NAME_CHECK: see whether its name still leads to it.
 */
enum probe_result probe_classify(struct prober *pr, unsigned int head_kind,
				 unsigned int types,
				 unsigned long long sha256_max, bool name_check,
				 struct probe_classified *out);

/* Is C's name the plain name (inspect_name_is_plain()) of the file of
 * ST? *PLAIN is false unless the worker said yes in time. */
enum probe_result probe_name_plain(struct prober *pr,
				   const struct candidate *c,
				   bool parent_same, const char *mount_root,
				   const struct stat *st, bool *plain);

/* Close the file of the last probe_open(); nothing is awaited (nothing
 * is sent when the worker holds no file). */
void probe_done(struct prober *pr);

#endif
