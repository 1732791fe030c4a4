/* SPDX-License-Identifier: GPL-2.0-or-later */
/* execcheck.h -- an execution in a container of a file not part of its image
 *
 * An execve/execveat event of a container's process (FILE_OP_EXEC) is
 * checked here, not by the write steps of check/pipeline.h:
 *
 *   1. cheap: the program's device (PATH record) is the container's
 *      overlay, and a lower layer holds the name with the same inode
 *      number: an image binary, nothing is opened            -> done
 *   2. a write check of the same file still pending? wait for it, so the
 *      drop is reported as a drop first
 *   3. the worker (check/probe.h) opens the running program through
 *      /proc/PID/exe (a deleted file too; never a name outside the
 *      container's root), else by its name in the container's root
 *   4. a host process (a runtime) that runs its own program again (runc
 *      init, podman's helpers): the parent runs the same file  -> done
 *   5. where is it (exec_layer_origin(); when the host's mount table
 *      does not list the overlay yet, or the name is a bind mount of one
 *      file, the process's own table)? in a lower layer      -> done
 *      in the upper layer, deleted, on a tmpfs or a volume: not part
 *      of the image; a file a runtime bind-mounts from a host disk
 *      (podman's catatonit, docker-init)                     -> done
 *   6. ELF header, libmagic, sha256 (as a write check), allow lists
 *   7. its content reported before in the same container (check/dedupe.h:
 *      by sha256, else by device, inode, size and mtime)? one finding says that it ran,
 *      with Data.drop_serial and Data.drop_path of that report; a second
 *      run is a duplicate. Never reported: reported now. Both with
 *      Data.detected_by = exec and Data.executed = true.
 *
 * Only a file that was opened counts in stats.exec_checked; the findings
 * count in stats.exec_findings (and stats.findings).
 */
#ifndef DROPEXEC_EXECCHECK_H
#define DROPEXEC_EXECCHECK_H

#include <stdint.h>

#include "candidate.h"
#include "check/pipeline.h"
#include "scope/mounts.h"

/* Where an executed file on a container's overlay comes from. */
enum exec_origin {
	EXEC_IMAGE = 0,		/* a lower layer: part of the image */
	EXEC_UPPER,		/* the writable layer: written since start */
	EXEC_DELETED,		/* no name left (link count 0) */
	EXEC_OTHER_DEVICE,	/* not the overlay: tmpfs, volume, bind */
	EXEC_UNKNOWN,		/* no layer names it (renamed, hidden) */
};

const char *exec_origin_name(enum exec_origin o);

/*
 * Where the file NAME (absolute, as the container sees it) with inode
 * number INO and link count NLINK comes from on the overlay mount OVL
 * (its upperdir and lowers; a relative layer is taken relative to the
 * directory above the upper layer's, as podman and docker write them).
 * NAME is resolved inside each layer's directory, never above it nor
 * across a mount; a symlink in a layer is followed inside that layer.
 *  - NLINK 0: EXEC_DELETED;
 *  - a regular file of that name and inode number in the upper layer:
 *    EXEC_UPPER (another file there, or a whiteout, which hides the
 *    lower layers: EXEC_UNKNOWN);
 *  - else the first lower layer (top first) that has it: EXEC_IMAGE
 *    when its inode number is INO (or, when STRICT is false, whatever
 *    it is), else EXEC_UNKNOWN;
 *  - else EXEC_UNKNOWN.
 * The inode numbers of an overlay whose layers share a file system are
 * the layers' own; with xino the layer's number sits in the low 32 bits.
 */
enum exec_origin exec_layer_origin(const struct mount_entry *ovl,
				   const char *name, uint64_t ino,
				   unsigned long nlink, bool strict);

/*
 * Check execution C (taken over) at monotonic time NOW_MS; see above.
 * CHECK_RETRY when it waits on the pending list behind a write check of
 * the same file.
 */
enum check_outcome exec_check(struct checker *ck, struct candidate *c,
			      uint64_t now_ms);

#endif
