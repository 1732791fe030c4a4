/* SPDX-License-Identifier: GPL-2.0-or-later */
/* scan.h -- a scan of the running containers' writable layers
 *
 * What no audit event showed (a drop made while the plugin was stopped,
 * events auditd or the plugin lost, a file created through io_uring) is
 * still in the container's upper layer. A scan finds it there:
 *
 *   targets  every overlay mount of the host's mount table that has an
 *            upperdir and belongs to a container (scope/meta.h names it);
 *            an upperdir on a file system that is never read
 *            (scope/mounts.h) is skipped, and so is a rootless container
 *            whose layers are in a mount namespace of its own
 *   walk     each upperdir from the host (check/layerwalk.h): no
 *            symlink followed, no mount entered, whiteouts and special
 *            files skipped; paths as the container sees them (upper/X ->
 *            /X)
 *   cache    a regular file is read again only when its (device, inode,
 *            ctime) changed since it was last looked at
 *   check    the file's head (check/classify.h); an executable header is
 *            confirmed by the worker with its deadline (check/probe.h:
 *            libmagic on a bounded copy, sha256), reached through the
 *            descriptor the walk opened, never by a name; a file whose
 *            content is that of the same path in a lower layer (an image
 *            file copied up unchanged) is not a drop
 *   report   Data.detected_by = "scan", serial 0; the container's id,
 *            runtime, name and image; the [allow] lists; a file already
 *            reported (check/dedupe.h, by the device and inode the
 *            container sees, size and mtime) is not reported again
 *
 * When: at start (SCAN_START), every [scan] interval seconds, on SIGUSR2,
 * after events were lost (lost_serials, intake_dropped, queue_dropped or
 * pending_dropped grew), and again shortly after a pass that left a file
 * too new to judge (the live path may still be checking it). A file is
 * left so once: the next pass takes it as it is, however new. A settle
 * pass may leave files that appeared since, and ask for one more; at most
 * SCAN_SETTLE_CHAIN in a row, so that a container writing all the time
 * does not keep the scan walking.
 *
 * Bounds: the work runs in the inspector's thread in slices of at most
 * SCAN_SLICE_MS (and SCAN_SLICE_ENTRIES entries): a slice runs when no
 * candidate is queued, or at least every SCAN_STARVE_MS under a stream of
 * them, so the reader's candidates never wait behind a pass for more
 * than one slice. A pass examines at most [scan] max_files entries and
 * works at most [scan] max_ms; one cut short is counted in
 * scan_truncated and the walk goes on at the next pass where it stopped.
 */
#ifndef DROPEXEC_SCAN_H
#define DROPEXEC_SCAN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "candidate.h"
#include "check/layerwalk.h"

#define SCAN_SLICE_MS		5
#define SCAN_SLICE_ENTRIES	256
#define SCAN_STARVE_MS		100
#define SCAN_LOSS_GAP_MS	60000	/* at most one loss-started round
					 * this often */
#define SCAN_CACHE_MAX		(1u << 20)	/* files remembered */
#define SCAN_SETTLE_CHAIN	4	/* settle passes in a row at most:
					 * files still too new then wait
					 * for the next pass */

struct checker;

enum scan_reason {
	SCAN_START = 0,
	SCAN_INTERVAL,
	SCAN_SIGNAL,
	SCAN_LOSS,
	SCAN_SETTLE,		/* a file was too new: look again */
	SCAN_ONESHOT,		/* audisp-dropexec --scan */
};

/* One container's writable layer. */
struct scan_target {
	char *upperdir;		/* host path */
	char *mountpoint;	/* the overlay mount (the container's root) */
	char **lowers;		/* lower layers, top first */
	size_t nlowers;
	bool lowers_readable;	/* none on a never-read file system */
	unsigned int major, minor;	/* the overlay's device */
	struct container_ref ref;
};

/* (device, inode, ctime) of the files looked at, with the round that
 * last saw them. */
struct scan_cache_entry {
	uint64_t dev, ino;
	int64_t ctime_sec;
	int64_t ctime_nsec;
	uint32_t round;		/* 0: a free slot */
	bool too_new;		/* that round left it to the live check */
};

struct scan_cache {
	struct scan_cache_entry *e;
	size_t cap, count;
};

struct scan {
	const char *mountinfo;		/* the host's mount table */

	/* the walk of a round: every target once */
	struct scan_target *t;
	size_t nt, cur;
	struct layerwalk walk;
	bool walk_open;
	bool walking;			/* a round is under way */
	uint32_t round;			/* 1, 2, ... */
	bool again;			/* another round when this one ends */
	enum scan_reason reason;

	/* the pass: the budget given to a trigger */
	bool in_pass;
	unsigned long long pass_entries;
	uint64_t pass_work_ms;
	bool unsettled;			/* this round left a file too new */

	/* triggers */
	atomic_bool requested;		/* SIGUSR2 */
	bool start_done;
	uint64_t next_interval_ms;
	uint64_t settle_at_ms;		/* 0: none */
	unsigned int settle_chain;	/* settle passes in a row */
	unsigned long long losses_seen;
	uint64_t last_loss_round_ms;
	uint64_t last_loss_log_ms;
	uint64_t last_slice_ms;

	unsigned long long rounds_done;	/* rounds that walked every layer */
	uint64_t round_work_ms;		/* work of the round under way */
	unsigned long long round_files;	/* ... and its regular files */
	size_t round_skipped;		/* layers never read (FUSE, NFS) */
	uint64_t round_started_ms;
	/* the last round that walked every layer: wall time from its start
	 * to its end, time spent working, regular files */
	uint64_t last_wall_ms, last_work_ms;
	unsigned long long last_files;
	bool oneshot;			/* no bounds, no settling */
	int settle_ms;			/* a file changed this recently is
					 * left for later; -1: recheck_ms +
					 * 1 s (tests set it) */
	unsigned long long found;	/* findings this process reported */
	unsigned long long errors;	/* targets that could not be walked */
	struct scan_cache cache;
};

/* Set up S, reading the host's mount table from MOUNTINFO (NULL: the
 * plugin's own, /proc/self/mountinfo). */
int scan_init(struct scan *s, const char *mountinfo);
void scan_free(struct scan *s);

/* From a signal handler or another thread: a pass soon (a lock-free
 * store). */
void scan_request(struct scan *s);

/* Should the inspector not wait for input (a slice is due)? */
bool scan_busy(const struct scan *s);

/*
 * In the inspector's thread, once per turn of its loop: start a round or
 * a pass when a trigger says so (start, interval, request, loss, settle)
 * and, when QUEUE_EMPTY or the scan has waited SCAN_STARVE_MS, run one
 * slice with CK's worker, dedupe and report.
 */
void scan_tick(struct scan *s, struct checker *ck, uint64_t now_ms,
	       bool queue_empty);

/*
 * audisp-dropexec --scan: walk every target to the end, without bounds or
 * settling, reporting through CK. Returns the number of findings, or -1
 * when the mount table could not be read.
 */
long scan_run_once(struct scan *s, struct checker *ck);

/* Is the file (DEV, INO, CTIME) unchanged since round ROUND (or later)
 * saw it? Notes it for ROUND either way. (Exposed for tests.) */
bool scan_cache_seen(struct scan_cache *c, uint64_t dev, uint64_t ino,
		     int64_t ctime_sec, int64_t ctime_nsec, uint32_t round);
/* Forget the files no round since KEEP_FROM saw. */
void scan_cache_prune(struct scan_cache *c, uint32_t keep_from);
void scan_cache_free(struct scan_cache *c);

#endif
