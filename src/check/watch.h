/* SPDX-License-Identifier: GPL-2.0-or-later */
/* watch.h -- files held open for writing, watched until their final content
 *
 * A file opened for writing in a container can be written seconds later:
 * text or zeros first and the ELF header last, one byte at a time, or by
 * a child that inherited the descriptor. One look after the open cannot
 * judge it. The check (check/pipeline.c) keeps such a file on this list
 * while a process holds it open for writing and judges it when the last
 * such descriptor is gone, or, an executable held open for too long,
 * then (report_after_ms).
 *
 * Contract:
 *  - the list holds at most CAP entries; watch_add() refuses the rest
 *    (the caller counts them, stats->watch_full);
 *  - each entry's content is read again after a delay that doubles from
 *    WATCH_LOOK_FIRST_MS up to WATCH_LOOK_MAX_MS, whatever the file
 *    does: a long-held log costs one read every two seconds;
 *  - in between, whether its holder still lives is asked every
 *    watch_poll_ms() (a stat of /proc/PID), so that the writer's exit is seen
 *    within that time, before a container that ends with its writer
 *    takes the file away; a close without an exit is seen at the next
 *    read;
 *  - time is passed in (monotonic milliseconds), so tests drive it;
 *  - who holds a file is read from /proc/PID/fdinfo/N (flags, mnt_id,
 *    ino) and /proc/PID/ns/pid only: pure procfs reads that never touch
 *    the file, so they cannot hang on a container's file system;
 *  - between watch_batch_begin() and watch_batch_end(), one search of a
 *    pid namespace (every descriptor open for writing in it) answers all
 *    the questions about that namespace: the caller begins a batch only
 *    once every call it will ask about has happened (the candidates are
 *    off its queue), so a file nobody held at the search is held by
 *    nobody since, unless opened again (another audit event). A holder
 *    the search found is asked again directly; one that has let go
 *    since makes a new search.
 */
#ifndef DROPEXEC_WATCH_H
#define DROPEXEC_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "candidate.h"

#define WATCH_LOOK_FIRST_MS	5
#define WATCH_LOOK_MAX_MS	2000
#define WATCH_POLL_MIN_MS	50	/* asked whether held at most this */
#define WATCH_POLL_MAX_MS	500	/* ... and at least this often */
/*
 * Bounds of one search for an inheritor: processes of the namespace,
 * entries of /proc looked at, descriptors of one process. A search that
 * reaches one cannot say "nobody holds it": the file counts as held (it
 * stays watched, and an executable is reported at the latest after
 * watch_report_after_ms), never as let go, or a container could hide a
 * holder behind more processes or descriptors than the search reads.
 */
#define WATCH_SEARCH_PROCS_MAX	4096
#define WATCH_SEARCH_PIDS_MAX	65536
#define WATCH_SEARCH_FDS_MAX	4096

/* Who holds a watched file open for writing, as procfs tells it. */
struct watch_holder {
	pid_t pid;		/* the writer, or a process that inherited
				 * its descriptor; 0 when none is known */
	int fd;
	uint64_t ino;		/* the open file's inode (fdinfo "ino:") */
	int mnt_id;		/* its mount (fdinfo "mnt_id:"), or -1 */
	uint64_t pidns;		/* the writer's pid namespace (inode of
				 * /proc/PID/ns/pid), where inheritors
				 * are searched; 0 when unknown */
};

/* One watched file. */
struct watch_entry {
	struct candidate *c;	/* the open, owned by the entry */
	struct watch_holder h;
	uint64_t since_ms;	/* watched since */
	uint64_t due_ms;	/* next question: held? */
	uint64_t read_ms;	/* next read of the content */
	unsigned int looks;
	/* the file as last seen */
	uint64_t st_dev, st_ino;
	long long size;
	int64_t ctime_ns;
	bool nameless;		/* link count 0: an O_TMPFILE or unlinked
				 * file, which has no name to report */
};

/* The pid namespace of each process seen, so that a search reads
 * /proc/PID/ns/pid once per process: a slot is (pid, inode of the
 * process's /proc entry, as readdir gives it: a new process under a
 * reused pid has another) -> namespace. */
#define WATCH_NS_CACHE	4096
struct watch_ns_slot {
	int32_t pid;
	uint64_t d_ino, ns;
};

/* One search of a pid namespace within a batch: every descriptor
 * open for writing there. */
#define WATCH_SNAPS		4	/* namespaces searched per batch */
#define WATCH_SNAP_FDS_MAX	65536	/* descriptors kept per search */
struct watch_snap_fd {
	uint64_t ino;
	int32_t mnt_id, pid, fd;
};
struct watch_snap {
	uint64_t pidns;		/* 0: a free slot */
	uint64_t batch;		/* the batch it was taken in */
	bool complete;		/* every descriptor found is in V */
	struct watch_snap_fd *v;
	size_t n, cap;
};

struct watch {
	struct watch_entry *v;
	size_t count, cap;
	unsigned long long looks;	/* looks taken, for the statistics */
	unsigned long long searches;	/* searches of a namespace */
	unsigned long long searches_cut;	/* ... cut short by a bound */
	struct watch_ns_slot *ns_cache;	/* WATCH_NS_CACHE slots */
	uint64_t batch;			/* the current batch, 0: none */
	uint64_t batches;		/* batches begun */
	struct watch_snap snaps[WATCH_SNAPS];
	unsigned int next_snap;		/* the slot taken next */
};

int watch_init(struct watch *w, size_t cap);
/* Free the list and the candidates on it. */
void watch_free(struct watch *w);

/* Keep E (its candidate taken over) until E->due_ms; -1 when full (the
 * candidate is then still the caller's). */
int watch_add(struct watch *w, const struct watch_entry *e);

/* The delay before look number LOOKS + 1. */
uint64_t watch_backoff_ms(unsigned int looks);

/* Does H's process still live (PROC/PID is there: a process, or a
 * zombie not yet reaped)? */
bool watch_holder_alive(const char *proc, const struct watch_holder *h);

/* How often each entry is asked whether its holder lives: every
 * WATCH_POLL_MIN_MS, slower as the list grows (a millisecond per entry),
 * never slower than WATCH_POLL_MAX_MS: at most about 1000 stat() calls a
 * second up to 500 entries, 2 per entry and second beyond. */
uint64_t watch_poll_ms(const struct watch *w);

/* When to ask next after NOW: the next multiple of watch_poll_ms(), so
 * that all entries are asked at one wake-up, or READ_MS if sooner. */
uint64_t watch_next_poll(const struct watch *w, uint64_t now,
			 uint64_t read_ms);

/* Move the entries due at NOW (all when ALL) into OUT, which has room for
 * w->count entries; returns how many. */
size_t watch_take_due(struct watch *w, uint64_t now, bool all,
		      struct watch_entry *out);

/* Milliseconds until the next entry is due (0: now), -1 when empty. */
int watch_next_ms(const struct watch *w, uint64_t now);

/* Take the entry of the file DEV/INO (as stat() gives them) off the list
 * into OUT; false when none. */
bool watch_take_file(struct watch *w, uint64_t dev, uint64_t ino,
		     struct watch_entry *out);

/*
 * Does PID still hold descriptor FD open for writing, on the file with
 * inode INO (and mount MNT_ID unless -1)? Reads PROC/PID/fdinfo/FD only.
 * *MNT_OUT and *INO_OUT, when not NULL, get what fdinfo says.
 */
bool watch_fd_writes(const char *proc, pid_t pid, int fd, uint64_t ino,
		     int mnt_id, uint64_t *ino_out, int *mnt_out);

/* The inode of PROC/PID/ns/pid, or 0. */
uint64_t watch_pidns_of(const char *proc, pid_t pid);

/* Does H's own process still hold H's file open for writing with H's
 * descriptor (watch_fd_writes() of H's fields)? False when H has no
 * inode. */
bool watch_holder_writes(const char *proc, const struct watch_holder *h);

/*
 * Once H's own process and descriptor said no (watch_holder_writes()):
 * a search of the processes in H's pid namespace for a descriptor open
 * for writing on the same inode and mount (a child that inherited it),
 * bounded by WATCH_SEARCH_*_MAX, with W's cache of namespaces (within a
 * batch: the batch's search of that namespace). Updates H to the holder
 * found. The check asks the kernel first (check/safeopen.h, writers) and
 * searches only when it says someone, or cannot say.
 */
bool watch_inheritor(struct watch *w, const char *proc,
		     struct watch_holder *h);

/* Questions asked from now on are about calls made before now (see
 * the contract above); watch_batch_end() ends it. */
void watch_batch_begin(struct watch *w);
void watch_batch_end(struct watch *w);

#endif
