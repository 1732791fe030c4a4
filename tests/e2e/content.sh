#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/e2e/content.sh -- end-to-end tests of drops that escape one look
# after the open: the verdict is taken on the final content
#
# Like tests/e2e/hostile.sh (all use tests/lib), it runs a private auditd
# with the built plugin and the project's rules, and drops files from real
# podman + runc containers. Each test is one attack; each must end in
# exactly one finding, of the container that dropped the file, at the
# path the container sees, with the size and sha256 of the complete
# content (the payload, /bin/busybox of the image):
#   a  text first, the ELF 3 s later with pwrite at offset 0
#   b  plain sh: "exec 3>FILE; sleep 3; cat payload >&3" (nothing first)
#   c  ftruncate to the size (zeros), the body 3 s later, the header last
#   d  ftruncate + mmap, the content through the mapping 3 s later
#   p  d with the descriptor closed once the mapping is made, on a tmpfs
#      the container mounts: no descriptor holds the file, the writer's
#      mapping still writes it (on the overlay root the mapping holds
#      the upper layer's file, not the overlay's: docs/security.md,
#      Limits)
#   r  written under a write lease, closed, and the lease held on a
#      read-only descriptor for 4 s, taken again whenever the kernel
#      removes it: nobody else can open the file meanwhile (the look's
#      open fails, or waits lease-break-time, 45 s); read through the
#      overlay's upper directory, which the lease is not on; the scan of
#      the writable layers (SIGUSR2) then finds the same file, and does
#      not report it again
#   s  r on a tmpfs the container mounts, which has no other way in,
#      then run: reported once the lease is gone (by a look again, or
#      by its execution), and the blocked look counted
#   e  a slow writer: the header one byte at a time, the body in 20
#      pieces over 4 s (never reported on a part)
#   f  an existing file opened for writing, written 3 s later
#   g  the descriptor inherited by a child that writes 3 s later; the
#      process that opened it has exited
#   q  g with the child in a pid namespace of its own (unshare -p, in a
#      container given CAP_SYS_ADMIN): no process of the writer's
#      namespace holds the file
#   h  an image binary rewritten in place, its mtime set back a year
#      (modified by ctime)
#   i  an O_TMPFILE written, its mtime set back, linked through
#      /proc/self/fd/N
#   j  the same, linked with linkat(AT_EMPTY_PATH) (CAP_DAC_READ_SEARCH)
#   k  a file created through a dangling symlink (PATH name=(null))
#   l  a name relative to a directory descriptor whose directory was
#      renamed away (reached through the writer's descriptor)
#   o  l with the file opened by its whole name: the name the reader
#      placed goes stale; a look through the writer's descriptor takes
#      the new one, which the last look after the close goes by
#   m  an ordinary file whose name begins with "memfd:"
#   n  held open for writing and never closed: an executable is reported
#      after watch_report_after_ms (3 s here), once; a text file appended
#      to slowly by a writer that holds it is not reported
# A test that needs what this machine or this build lacks says why and
# counts as skipped ("skip - NAME: REASON"), never as passed.
# Each container goes on running after the attack, as a container does
# whose command dropped the file: when the writer is the container's last
# process and the runtime removes its root at once, the look after the
# writer's exit can find nothing left to read (docs/security.md, Limits).
#
# Usage: tests/e2e/content.sh [PATH-TO-audisp-dropexec]
#   as tests/e2e/run.sh (same environment variables, same lock);
#   DROPEXEC_E2E_ONLY="e f" runs only those tests. A binary
#   older than some keys of the configuration gets the file without them.
# Output: "ok - NAME" / "not ok - NAME: REASON" / "skip - NAME: REASON",
# "# ..." diagnostics, "K skipped", and "N passed, M failed". Exit status 0
# only when none failed.
set -euo pipefail

LIB=$(cd "$(dirname "$0")/../lib" && pwd)
SRC_DIR=$(cd "$(dirname "$0")/content" && pwd)
# shellcheck source=tests/lib/auditd.sh
. "$LIB/auditd.sh"
# shellcheck source=tests/lib/containers.sh
. "$LIB/containers.sh"
# shellcheck source=tests/lib/e2e.sh
. "$LIB/e2e.sh"

RUNTIME=${DROPEXEC_E2E_RUNTIME:-runc}
BUSYBOX=${DROPEXEC_E2E_BUSYBOX:-/bin/busybox}
IMAGE=localhost/dropexec-e2e-content:latest
LABEL="dropexec-e2e-content=$$"
NAMES="cx$$"
SENTINEL_PREFIX=/tmp/cx-sentinel-
REPORT_AFTER_MS=3000
# how long a container goes on running after its script (start_lingering):
# the wait for the finding and the sentinel's
LINGER_S=$((E2E_TIMEOUT * 3 + 10))
HELPERS=""        # why the attack program is missing, empty when built
PAYLOAD_SHA=""
PAYLOAD_SIZE=""

e2e_start dropexec-e2e-content "${1:-}" sha256sum

# shellcheck disable=SC2317 # run by the EXIT trap
e2e_cleanup_hook() { say_skipped; }

# content_test NAME FUNCTION: run_test (which runs only the tests
# DROPEXEC_E2E_ONLY names, when it is set)
content_test() { run_test "$@"; }

# ----------------------------------------------------------------- setup
# compat_conf FILE: remove each key that --check-config calls unknown (an
# older build, run against these attacks)
compat_conf() {
	local out key n=0
	while ! out=$("$BIN" --check-config -c "$1" 2>&1); do
		key=$(grep -o 'unknown key [a-z_]*:[a-z_0-9]*' <<<"$out" | head -n 1) ||
			fatal "--check-config refuses $1: $out"
		key=${key##*:}
		sed -i "/^$key *=/d" "$1"
		note "the binary does not know the key '$key': left out"
		n=$((n + 1))
		((n < 20)) || fatal "--check-config refuses $1: $out"
	done
}

write_conf() {
	plugin_conf "$CONF" json_log="$JSON_LOG" stats_interval=0 \
		"+[limits]" "+watch_report_after_ms = $REPORT_AFTER_MS"
	compat_conf "$CONF"
}

build_helpers() {
	local out
	mkdir -p "$WORK/helpers"
	if ! command -v gcc >/dev/null 2>&1; then
		HELPERS="gcc is not installed"
		return 0
	fi
	if ! out=$(gcc -static -O2 -o "$WORK/helpers/latewrite" "$SRC_DIR/latewrite.c" 2>&1); then
		HELPERS="gcc -static cannot build latewrite.c: $(tail -n 2 <<<"$out" | tr '\n' ' ')"
		return 0
	fi
	# an image binary to be rewritten in place (h)
	cp "$WORK/helpers/latewrite" "$WORK/helpers/victim"
}

setup() {
	write_conf
	build_helpers
	start_auditd
	use_project_rules
	if [[ -z $HELPERS ]]; then
		make_rootfs "$WORK/rootfs" "$WORK/helpers/latewrite" "$WORK/helpers/victim"
		touch -d '2020-01-01' "$WORK/rootfs/bin/victim"
		import_image "$WORK/rootfs" "$IMAGE"
		check_image "$IMAGE"
	else
		note "no attack program: $HELPERS"
		build_image "$IMAGE"
	fi
	PAYLOAD_SHA=$(sha256sum "$BUSYBOX" | cut -d' ' -f1)
	PAYLOAD_SIZE=$(stat -c %s "$BUSYBOX")
	note "auditd pid $AUDITD_PID, plugin pid $PLUGIN_PID, dir $WORK, binary $BIN"
}

# ----------------------------------------------------------------- helpers
need_helpers() {
	[[ -z $HELPERS ]] || skip_because "needs the static attack program: $HELPERS"
}

in_audit_log() {
	local logs=("$AUDIT_LOG")
	[[ -f $AUDIT_LOG.1 ]] && logs+=("$AUDIT_LOG.1")
	grep -qaF "$1" "${logs[@]}"
}

# judged_once CID PATH [OTHER-NAME]: the container has exited; exactly one
# finding of CID for PATH (or OTHER-NAME), none after a sentinel, and it
# describes the complete payload (size, sha256)
judged_once() {
	local cid=$1 p=$2 alt=${3:-} n v
	wait_finding "$cid" "$p" ${alt:+"$alt"} ||
		fail "no finding of container ${cid:0:12} for $p within $E2E_TIMEOUT s$(
			(($(count '*' "$p") == 0)) || echo " (but of another container)")" || return
	sentinel || return
	n=$(count "$cid" "$p" ${alt:+"$alt"})
	((n == 1)) || fail "$n findings of container ${cid:0:12} for $p${alt:+ and $alt}, expected one" || return
	FINDING=$(matches "$cid" "$p")
	[[ -n $FINDING ]] || FINDING=$(matches "$cid" "$alt")
	expect_field Event.container.id "$cid" || return
	v=$(field Event.file.size) || true
	[[ $v == "$PAYLOAD_SIZE" ]] ||
		fail "$p reported with size '$v', the complete file has $PAYLOAD_SIZE bytes (judged on a part)" || return
	v=$(field Event.file.sha256) || true
	[[ $v == "$PAYLOAD_SHA" ]] ||
		fail "$p reported with sha256 '$v', not the complete file's" || return
}

# start_lingering NAME SCRIPT [PODMAN-ARGS...]: run SCRIPT in a container
# that goes on running after it (as a container's main process does while
# one of its commands drops a file): the look after the writer's exit must
# find the container's root still mounted. SCRIPT's exit status is kept in
# /tmp/.script-rc; sets CID.
start_lingering() {
	local name=$1 script=$2
	shift 2
	start_container "$IMAGE" "$script; rc=\$?; echo \$rc >/tmp/.script-rc; sleep $LINGER_S; exit \$rc" \
		--name "$NAMES-$name" "$@" || lib_fail
}

# end_lingering CID: SCRIPT succeeded? Then the container is removed.
end_lingering() {
	local rc
	# from the running container, or its exit status once it ended
	rc=$(podman exec "$1" cat /tmp/.script-rc 2>/dev/null) ||
		rc=$(podman inspect --format '{{.State.ExitCode}}' "$1" 2>/dev/null) ||
		rc="?"
	podman rm -f -t 0 "$1" >/dev/null 2>&1 || true
	[[ $rc == 0 ]] || fail "the container's script exited with '$rc'"
}

# attack NAME SCRIPT PATH [OTHER-NAME] [PODMAN-ARGS...]: run SCRIPT in a
# container, expect one finding of the whole payload
attack() {
	local name=$1 script=$2 p=$3 alt=${4:-} rc=0
	shift 4 || shift $#
	start_lingering "$name" "$script" "$@" || return
	local cid=$CID
	judged_once "$cid" "$p" "$alt" || rc=1
	end_lingering "$cid" || rc=1
	return $rc
}

# ----------------------------------------------------------------- attacks
t_a_later() {
	need_helpers || return
	attack a "latewrite later /tmp/cx-a /bin/busybox 3" /tmp/cx-a
}

t_b_sh_fd() {
	attack b "exec 3>/tmp/cx-b; sleep 3; cat /bin/busybox >&3; exec 3>&-" /tmp/cx-b
}

t_c_zeros() {
	need_helpers || return
	attack c "latewrite zeros /tmp/cx-c /bin/busybox 3" /tmp/cx-c
}

t_d_mmap() {
	need_helpers || return
	attack d "latewrite mmap /tmp/cx-d /bin/busybox 3" /tmp/cx-d
}

t_p_mapclose() {
	need_helpers || return
	attack p "latewrite mapclose /scratch/cx-p /bin/busybox 3" /scratch/cx-p "" \
		--mount type=tmpfs,destination=/scratch
}

# t: the same on the container's root, an overlay: the mapping holds the
# file of the upper layer, not the overlay's file that was opened
t_t_mapclose_overlay() {
	need_helpers || return
	attack t "latewrite mapclose /tmp/cx-t /bin/busybox 3" /tmp/cx-t
}

# q: unshare's own process (the child's parent, in the writer's
# namespace) holds the descriptor too: it is killed, and the child in
# the new namespace, reparented, holds the file alone.
t_q_nested_ns() {
	attack q "exec 3>/tmp/cx-q; unshare -p -f sh -c 'sleep 3; cat /bin/busybox >&3' & u=\$!; exec 3>&-; sleep 0.5; kill -9 \$u; sleep 6" \
		/tmp/cx-q "" --cap-add SYS_ADMIN
}

# counter_of NAME: the plugin's counter NAME (its state file), empty for 0
counter_of() {
	local v
	v=$(plugin_counters | grep -o "\b$1=[0-9]*") || true
	echo "${v#*=}"
}

scan_passes_above() { (($(counter_of scan_passes) > $1)); }

# r: and the scan of the writable layers (SIGUSR2), which reads the upper
# directory as well, finds the same file: no second finding
t_r_write_lease() {
	local cid passes rc=0
	need_helpers || return
	start_lingering r "latewrite lease /tmp/cx-r /bin/busybox 4" || return
	cid=$CID
	judged_once "$cid" /tmp/cx-r || rc=1
	if ((rc == 0)); then
		passes=$(counter_of scan_passes)
		kill -USR2 "$PLUGIN_PID"
		if ! wait_for "$E2E_TIMEOUT" scan_passes_above "${passes:-0}"; then
			fail "SIGUSR2 started no scan of the layers"
			rc=1
		elif ! sentinel || (($(count "$cid" /tmp/cx-r) != 1)); then
			fail "$(count "$cid" /tmp/cx-r) findings for /tmp/cx-r after the scan, expected one"
			rc=1
		fi
	fi
	end_lingering "$cid" || rc=1
	return $rc
}

# s: on a tmpfs (no upper directory to read it through), then run once
# the holder has let go (at its exit): the worker's waiter gets the look
# in then, and the drop is reported by its write, its run linked to it;
# or, when the run's check comes first, once, by its run
t_s_write_lease_tmpfs() {
	local before after cid n line serial="" rc=0 p=/scratch/cx-s
	need_helpers || return
	before=$(counter_of lease_blocked)
	start_lingering s "latewrite lease $p /bin/busybox 4 && { $p; true; }" \
		--mount type=tmpfs,destination=/scratch,tmpfs-mode=1777 || return
	cid=$CID
	if ! wait_finding "$cid" "$p" || ! sentinel; then
		fail "no finding of container ${cid:0:12} for $p within $E2E_TIMEOUT s"
		end_lingering "$cid"
		return 1
	fi
	n=$(count "$cid" "$p")
	if ((n == 2)); then
		while IFS= read -r line; do
			[[ $(helper get Data.detected_by <<<"$line") == write ]] &&
				serial=$(helper get Event.serial <<<"$line")
		done <<<"$(matches "$cid" "$p")"
		while IFS= read -r line; do
			[[ $(helper get Data.detected_by <<<"$line") == exec ]] || continue
			[[ -n $serial && $(helper get Data.drop_serial <<<"$line") == "$serial" ]] ||
				{ fail "two findings for $p, but not the drop and its run linked to it"; rc=1; }
		done <<<"$(matches "$cid" "$p")"
	elif ((n != 1)); then
		fail "$n findings of container ${cid:0:12} for $p, expected the drop (and its run)"
		rc=1
	fi
	end_lingering "$cid" || rc=1
	after=$(counter_of lease_blocked)
	((${after:-0} > ${before:-0})) ||
		{ fail "lease_blocked went from '${before:-0}' to '${after:-0}': the blocked look was not counted"; rc=1; }
	return $rc
}

# u: a lease let go and taken anew whenever a break is pending restarts
# lease-break-time at every look: no open with O_NONBLOCK ever gets in.
# The worker's waiter opens it as a reader does, and the holder cannot
# take the lease back while that open waits. Never run: only the look
# can report it.
t_u_lease_reset() {
	need_helpers || return
	attack u "latewrite leasereset /scratch/cx-u /bin/busybox 20 & sleep 0.5" \
		/scratch/cx-u "" --mount type=tmpfs,destination=/scratch,tmpfs-mode=1777
}

t_e_slow() {
	need_helpers || return
	attack e "latewrite bytes /tmp/cx-e /bin/busybox 4" /tmp/cx-e
}

t_f_existing() {
	need_helpers || return
	attack f "echo 'just text' > /tmp/cx-f && sleep 1 && latewrite existing /tmp/cx-f /bin/busybox 3" /tmp/cx-f
}

t_g_inherited() {
	attack g "(exec 3>/tmp/cx-g; (sleep 3; cat /bin/busybox >&3) & exit 0); sleep 6" /tmp/cx-g
}

t_h_inplace() {
	need_helpers || return
	attack h "latewrite inplace /bin/victim /bin/busybox" /bin/victim
}

t_i_tmpfile_procfd() {
	need_helpers || return
	attack i "latewrite tmpfile /tmp /tmp/cx-i /bin/busybox procfd" /tmp/cx-i
}

t_j_tmpfile_emptypath() {
	need_helpers || return
	attack j "latewrite tmpfile /tmp /tmp/cx-j /bin/busybox emptypath" /tmp/cx-j "" \
		--cap-add DAC_READ_SEARCH
}

# v: the link names the file while its writer still holds it: the ELF
# comes 5 s after the link, through the same descriptor (no audit event)
t_v_tmpfile_written_after_link() {
	need_helpers || return
	attack v "latewrite tmpfilelate /tmp /tmp/cx-v /bin/busybox 5" /tmp/cx-v
}

# k: the kernel logs the created file as name=(null), in a container
# among the overlay's nameless items of its layers; the reader (src/intake)
# takes the file's item and names it by the writer's descriptor
# (tests/unit/test_record_names.c).
t_k_dangling() {
	local p=/tmp/cx-k-target
	need_helpers || return
	attack k "ln -s $p /tmp/cx-k && latewrite dangling /tmp/cx-k /bin/busybox" "$p" /tmp/cx-k
}

t_l_dirfd() {
	need_helpers || return
	attack l "mkdir /tmp/cx-l && latewrite dirfd /tmp/cx-l payload /bin/busybox" \
		/tmp/cx-l.moved/payload /tmp/cx-l/payload
}

t_o_dirmove() {
	need_helpers || return
	attack o "mkdir /tmp/cx-o && latewrite dirmove /tmp/cx-o payload /bin/busybox" \
		/tmp/cx-o.moved/payload /tmp/cx-o/payload
}

t_m_memfd_name() {
	attack m "cp /bin/busybox '/tmp/memfd:cx-m' && sleep 1" "/tmp/memfd:cx-m"
}

# n: never closed. The executable is reported while still held (after
# the bound), once; the log written by a holder is not reported.
t_n_never_closed() {
	local p=/tmp/cx-n-exe log=/tmp/cx-n-log cid t0 lat
	start_container "$IMAGE" "exec 3>$p 4>>$log; cat /bin/busybox >&3; i=0; while [ \$i -lt 75 ]; do echo line \$i >&4; sleep 0.4; i=\$((i+1)); done" \
		--name "$NAMES-n" || lib_fail || return
	cid=$CID
	t0=$(now_us)
	# the bound, a look to see it settled (two at most), and the usual wait
	if ! helper wait "$JSON_LOG" "$cid" $((E2E_TIMEOUT + REPORT_AFTER_MS / 1000 + 4)) 1 "$p" >/dev/null; then
		fail "no finding of container ${cid:0:12} for $p, held open, within $((E2E_TIMEOUT + REPORT_AFTER_MS / 1000 + 4)) s"
		finish "$cid"
		return 1
	fi
	SEEN_US=$(now_us)
	lat=$(((SEEN_US - t0) / 1000))
	note "(n) reported ${lat} ms after the container started, while still held open (bound ${REPORT_AFTER_MS} ms)"
	container_running "$cid" ||
		fail "the container had ended before the finding: not a test of a file held open" || { finish "$cid"; return 1; }
	finish "$cid" || return
	sentinel || return
	(($(count "$cid" "$p") == 1)) || fail "$(count "$cid" "$p") findings for $p, expected one" || return
	in_audit_log "name=\"$log\"" || fail "the audit log has no event for $log" || return
	no_finding "$cid" "$log"
}

setup
content_test "a: text first, the ELF 3 s later (pwrite at 0)" t_a_later
content_test "b: sh: exec 3>file; sleep 3; cat payload >&3" t_b_sh_fd
content_test "c: zeros first (ftruncate), the header written last" t_c_zeros
content_test "d: ftruncate + mmap, written 3 s later" t_d_mmap
content_test "p: text, mmap on a tmpfs, the descriptor closed, the ELF 3 s later" t_p_mapclose
content_test "t: text, mmap on the overlay root, the descriptor closed, the ELF 3 s later" t_t_mapclose_overlay
content_test "q: inherited by a child in a pid namespace of its own" t_q_nested_ns
content_test "r: a write lease held on the dropped file" t_r_write_lease
content_test "s: a write lease on a tmpfs, then run" t_s_write_lease_tmpfs
content_test "u: a write lease taken anew at every break, never run" t_u_lease_reset
content_test "e: a slow writer is judged on the complete file" t_e_slow
content_test "f: an existing file opened for writing, written later" t_f_existing
content_test "g: the descriptor inherited by a child that writes" t_g_inherited
content_test "h: an image binary rewritten in place, mtime set back" t_h_inplace
content_test "i: O_TMPFILE linked later through /proc/self/fd" t_i_tmpfile_procfd
content_test "j: O_TMPFILE linked later with AT_EMPTY_PATH" t_j_tmpfile_emptypath
content_test "v: O_TMPFILE linked, the ELF written 5 s after the link" t_v_tmpfile_written_after_link
content_test "k: created through a dangling symlink" t_k_dangling
content_test "l: a name relative to a directory renamed away" t_l_dirfd
content_test "o: a directory renamed away after an open by the whole name" t_o_dirmove
content_test "m: a file named memfd:... is a file" t_m_memfd_name
content_test "n: held open, never closed: reported after the bound" t_n_never_closed
