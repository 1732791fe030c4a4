#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/e2e/exec.sh -- end-to-end tests of executions: files that ran in a
# container without being part of its image
#
# Like tests/e2e/hostile.sh (all use tests/lib), it runs a private auditd
# (auditd -n -c TMPDIR) with the built plugin and the project's rules (the
# executions recorded by rules/dropexec.rules, the host's kept out by
# rules/69-dropexec-exclusions.rules), and real podman +
# runc containers. Each test is one attack, and names what catches it:
#   a  drop + execute (cp, then run the copy): the drop's finding
#      (detected_by write) and one finding that it ran (detected_by exec,
#      executed true), linked to it by sha256 and by the drop's audit
#      serial (Data.drop_serial) (the exec rules, the check through
#      /proc/PID/exe, the dedupe module's memory of reports)
#   b  drop, execute, delete within milliseconds: a static program copies
#      itself, executes the copy, which unlinks itself at once and runs
#      on: one finding, detected_by exec, executed true (/proc/PID/exe
#      reaches a deleted file)
#   c  io_uring: a static program writes an ELF with IORING_OP_OPENAT and
#      IORING_OP_WRITE (no open() system call, no audit event for the
#      write) in a seccomp=unconfined container, then executes it: found
#      by exec; skipped with the reason when io_uring is disabled
#      (kernel.io_uring_disabled) or refused
#   d  executions of image binaries (sh, ls, cat, busybox applets, a
#      program of the image run by its path): no finding
#   e  a hostile name for the executed file (spaces, a newline, quotes,
#      "=", a byte that is not UTF-8): Data.path_hex holds its exact
#      bytes; the audit record's path= is hex, and names no other field
#   g  a file put into a running container while no write rule saw it
#      (podman cp: podman's writes are excluded, like a drop made while
#      the plugin was not running), executed later: found by exec
#   h  b while the host writes files without pause (new short-lived
#      processes, each write an audit event the plugin drops before
#      libauparse): the container's events must not wait behind them
#      for the container's next event, which never comes (the reader
#      hands on every event libauparse has completed)
#   f  the kernel filter (never-rules with -F devmajor>0): a host
#      program on the host's disk raises no execution event; a
#      container's program does
# A test that needs what this machine lacks (a static C compiler,
# io_uring) says why and counts as skipped ("skip - NAME: REASON", and
# "K skipped" before the summary line), never as passed.
#
# Every check selects the findings of the container by its id and the
# file's path; auditd, containers and images come from tests/lib. The
# static programs (tests/e2e/exec/*.c) are built here with gcc -static
# and copied into the test image.
#
# Usage: tests/e2e/exec.sh [PATH-TO-audisp-dropexec]
#   as tests/e2e/run.sh (same environment variables, same lock).
# Output: "ok - NAME" / "not ok - NAME: REASON" / "skip - NAME: REASON",
# "# ..." diagnostics, "K skipped", and "N passed, M failed". Exit status 0
# only when none failed.
set -euo pipefail

LIB=$(cd "$(dirname "$0")/../lib" && pwd)
SRC_DIR=$(cd "$(dirname "$0")/exec" && pwd)
# shellcheck source=tests/lib/auditd.sh
. "$LIB/auditd.sh"
# shellcheck source=tests/lib/containers.sh
. "$LIB/containers.sh"
# shellcheck source=tests/lib/e2e.sh
. "$LIB/e2e.sh"

RUNTIME=${DROPEXEC_E2E_RUNTIME:-runc}
BUSYBOX=${DROPEXEC_E2E_BUSYBOX:-/bin/busybox}
IMAGE=localhost/dropexec-e2e-exec:latest
LABEL="dropexec-e2e-exec=$$"
SENTINEL_PREFIX=/tmp/ex-sentinel-
# how long the programs that ran stay alive (the time a payload runs)
HOLD_S=4
HELPERS=""        # why the helper programs are missing, empty when built
NOISE_PID=""      # the host writer of h, while it runs

e2e_start dropexec-e2e-exec "${1:-}" ausearch

# shellcheck disable=SC2317 # run by the EXIT trap
e2e_cleanup_hook() {
	stop_host_noise
	say_skipped
}

# start_host_noise / stop_host_noise: host processes that create and
# remove files in a loop (one short-lived process per write: each pid is
# new to the plugin), all the while; started and stopped by pid
start_host_noise() {
	mkdir -p "$WORK/noise"
	(
		while :; do
			for i in 1 2 3 4 5 6 7 8; do touch "$WORK/noise/f$i"; done
			rm -f "$WORK/noise/"f*
		done
	) >/dev/null 2>&1 &
	NOISE_PID=$!
}
stop_host_noise() {
	[[ -n $NOISE_PID ]] || return 0
	kill "$NOISE_PID" 2>/dev/null || true
	wait "$NOISE_PID" 2>/dev/null || true
	NOISE_PID=""
}

# ----------------------------------------------------------------- setup
build_helpers() {
	local f out
	mkdir -p "$WORK/helpers"
	if ! command -v gcc >/dev/null 2>&1; then
		HELPERS="gcc is not installed"
		return 0
	fi
	for f in selfcopy uringdrop; do
		if ! out=$(gcc -static -O2 -o "$WORK/helpers/$f" "$SRC_DIR/$f.c" 2>&1); then
			HELPERS="gcc -static cannot build $f.c (static glibc, libc6-dev, missing?): $(tail -n 2 <<<"$out" | tr '\n' ' ')"
			return 0
		fi
	done
}

setup() {
	plugin_conf "$CONF" json_log="$JSON_LOG" stats_interval=0
	build_helpers
	start_auditd
	use_project_rules
	# auditctl -l lists a rule's calls in the kernel's order: execve is
	# one of several, not the first
	auditctl -l | grep 'key=dropped_executable' | grep -q 'execve' ||
		refuse "no rule of $RULES records executions"
	if [[ -z $HELPERS ]]; then
		build_image "$IMAGE" "$WORK/helpers/selfcopy" "$WORK/helpers/uringdrop"
	else
		note "no helper programs: $HELPERS"
		build_image "$IMAGE"
	fi
	note "auditd pid $AUDITD_PID, plugin pid $PLUGIN_PID, dir $WORK, binary $BIN"
}

need_helpers() {
	[[ -z $HELPERS ]] || skip_because "needs the static helper programs: $HELPERS"
}

# of_kind CID PATH KIND: the one finding of CID for PATH whose
# Data.detected_by is KIND (sets FINDING); 1 unless exactly one
of_kind() {
	local lines line n=0 got=""
	lines=$(matches "$1" "$2") || true
	while IFS= read -r line; do
		[[ -n $line ]] || continue
		[[ $(helper get Data.detected_by <<<"$line") == "$3" ]] || continue
		n=$((n + 1))
		got=$line
	done <<<"$lines"
	((n == 1)) || fail "$n findings of container ${1:0:12} for $2 with detected_by $3, expected one" || return
	FINDING=$got
}

# all_findings CID: the paths of every finding of CID
all_findings() { helper paths "$JSON_LOG" / "$1"; }

# ------------------------------------------------------------------ tests
# a: drop + execute
t_a_drop_and_run() {
	local p=/tmp/ex-a/sleep cid drop_serial drop_sha
	start_container "$IMAGE" "mkdir /tmp/ex-a && cp /bin/busybox $p && $p $HOLD_S" || lib_fail || return
	cid=$CID
	wait_findings "$cid" 2 "$p" ||
		fail "$(count "$cid" "$p") findings of container ${cid:0:12} for $p within $E2E_TIMEOUT s, expected the drop and its execution" || { finish "$cid"; return 1; }
	finish "$cid" || return
	of_kind "$cid" "$p" write || return
	drop_serial=$(field Event.serial)
	drop_sha=$(field Event.file.sha256)
	[[ $(field Data.executed) == false ]] || fail "the drop's finding says executed $(field Data.executed)" || return
	of_kind "$cid" "$p" exec || return
	expect_field Data.executed true || return
	expect_field Data.drop_serial "$drop_serial" || return
	expect_field Data.drop_path "$p" || return
	expect_field Event.file.sha256 "$drop_sha" || return
	expect_field Event.syscall execve || return
	expect_field Data.cmdline "$p $HOLD_S" || return
	[[ $(field Event.serial) != "$drop_serial" ]] || fail "the execution has the drop's serial" || return
	(($(count "$cid" "$p") == 2)) || fail "$(count "$cid" "$p") findings for $p, expected 2"
}

# b: drop, execute, delete at once
t_b_deleted() {
	need_helpers || return
	t_b_at /tmp/ex-b
}
# t_b_at PATH: b, the copy at PATH
t_b_at() {
	local p=$1
	start_container "$IMAGE" "selfcopy $p unlink $HOLD_S && ! test -e $p" || lib_fail || return
	one_finding "$CID" "$p" || { finish "$CID"; return 1; }
	finish "$CID" || return
	expect_field Data.detected_by exec || return
	expect_field Data.executed true || return
	expect_field Event.file.type elf-exec || return
	expect_field Event.file.checked_via exe || return
	[[ -z $(field Data.drop_serial 2>/dev/null || true) ]] || fail "linked to a drop that was never reported"
}

# h: b under a steady stream of host writes
t_h_deleted_under_host_writes() {
	local p=/tmp/ex-h rc=0
	need_helpers || return
	start_host_noise
	# the stream is steady before the attack begins
	wait_for 10 host_noise_seen || { stop_host_noise; fail "no audit event of the host's writer in $WORK/noise"; return 1; }
	t_b_at "$p" || rc=$?
	stop_host_noise
	return "$rc"
}
# host_noise_seen: an audit event of the host writer's files is logged
host_noise_seen() { grep -aq "name=\"$WORK/noise/f" "$AUDIT_LOG" 2>/dev/null; }

# c: written through io_uring, executed
t_c_io_uring() {
	local p=/tmp/ex-c dis rc
	need_helpers || return
	dis=$(sysctl -n kernel.io_uring_disabled 2>/dev/null || echo 0)
	[[ $dis == 0 ]] || skip_because "io_uring is disabled here (kernel.io_uring_disabled = $dis)" || return
	start_container "$IMAGE" "uringdrop $p $HOLD_S" --security-opt seccomp=unconfined || lib_fail || return
	rc=$(podman wait "$CID" 2>/dev/null || echo "?")
	if [[ $rc == 77 ]]; then
		WHY="io_uring refused in the container: $(podman logs "$CID" 2>&1 | tail -n 1)"
		podman rm -f -t 0 "$CID" >/dev/null 2>&1 || true
		return 77
	fi
	podman rm -f -t 0 "$CID" >/dev/null 2>&1 || true
	[[ $rc == 0 ]] || fail "uringdrop exited with '$rc'" || return
	one_finding "$CID" "$p" || return
	expect_field Data.detected_by exec || return
	expect_field Data.executed true || return
	expect_field Event.file.type elf-exec
}

# d: image binaries
t_d_image() {
	local cid extra=""
	[[ -z $HELPERS ]] && extra="&& selfcopy --ran keep 0"
	start_container "$IMAGE" "ls / >/dev/null && /bin/sh -c true && busybox true && cat /etc/hostname >/dev/null && /bin/sleep 0.2 && cd /bin && ./true && echo x | /bin/head -n 1 >/dev/null $extra" || lib_fail || return
	cid=$CID
	finish "$cid" || return
	sentinel || return
	[[ -z $(all_findings "$cid") ]] || fail "findings for image binaries: $(all_findings "$cid" | tr '\n' ' ')"
}

# e: a hostile name
t_e_hostile_name() {
	local raw hex rec
	need_helpers || return
	# "/tmp/ex e 'q\"=1 res=failed\n" and byte 0xff
	raw=$'/tmp/ex e \'q"=1 res=failed\nx\xff'
	hex=$(printf '%s' "$raw" | od -An -tx1 | tr -d ' \n' | tr a-f A-F)
	start_container "$IMAGE" "selfcopy hex:$hex unlink $HOLD_S" || lib_fail || return
	one_finding "$CID" "hex:$hex" || { finish "$CID"; return 1; }
	finish "$CID" || return
	expect_field Data.detected_by exec || return
	expect_field Data.path_hex "$hex" || return
	rec=$(ausearch -if "$AUDIT_LOG" -m USER 2>/dev/null |
		helper record "container_id=$CID" "detected_by=exec" "path=$hex ") ||
		fail "no single audit record of the execution with path=$hex" || return
	[[ $rec != *"res=failed"* ]] || fail "the name put a field in the audit record: $rec"
}

# f: the kernel filter keeps a container's executions, not the host's
t_f_filter() {
	local mark n_host dev
	dev=$(stat -c %d /bin/true)
	(((dev >> 8) != 0)) || skip_because "/bin/true is on a device with major 0 here: the filter keeps the host's executions" || return
	mark=$(wc -l <"$AUDIT_LOG")
	/bin/true
	sentinel || return
	n_host=$(tail -n +"$((mark + 1))" "$AUDIT_LOG" | grep -a 'type=SYSCALL' | grep -a ' syscall=59 ' |
		grep -ac 'exe="/usr/bin/true"' || true)
	((n_host == 0)) || fail "$n_host execution events of the host's /usr/bin/true were recorded" || return
	tail -n +"$((mark + 1))" "$AUDIT_LOG" | grep -a 'type=SYSCALL' | grep -a ' syscall=59 ' |
		grep -qa 'exe="/bin/busybox"' || fail "no execution event of the sentinel's container"
}

# g: a drop no write rule saw, executed later
t_g_unseen_drop() {
	local p=/tmp/ex-g/sleep cid
	start_container "$IMAGE" "i=0; until [ -e /tmp/ex-g-go ]; do i=\$((i + 1)); [ \$i -le 600 ] || exit 7; sleep 0.05; done; $p $HOLD_S" || lib_fail || return
	cid=$CID
	mkdir -p "$WORK/g/ex-g"
	cp /bin/busybox "$WORK/g/ex-g/sleep"
	: >"$WORK/g/ex-g-go"
	podman cp "$WORK/g/ex-g" "$cid:/tmp/" >/dev/null 2>&1 &&
		podman cp "$WORK/g/ex-g-go" "$cid:/tmp/ex-g-go" >/dev/null 2>&1 ||
		fail "podman cp into the container failed" || { finish "$cid"; return 1; }
	one_finding "$cid" "$p" || { finish "$cid"; return 1; }
	finish "$cid" || return
	expect_field Data.detected_by exec || return
	expect_field Data.executed true || return
	[[ -z $(field Data.drop_serial 2>/dev/null || true) ]] || fail "linked to a drop that was never reported"
}

# -------------------------------------------------------------------- main
setup
run_test "a: drop + execute: the drop and one finding that it ran, linked by sha256 and serial" t_a_drop_and_run
run_test "b: drop, execute, delete at once: found by exec through /proc/PID/exe" t_b_deleted
run_test "h: drop, execute, delete while the host writes without pause: found by exec" t_h_deleted_under_host_writes
run_test "c: written through io_uring (no audit event), executed: found by exec" t_c_io_uring
run_test "d: image binaries executed: no finding" t_d_image
run_test "e: hostile name of an executed file: encoded in JSON and in the audit record" t_e_hostile_name
run_test "g: a drop no rule saw (podman cp), executed later: found by exec" t_g_unseen_drop
run_test "f: the devmajor>0 never-rule drops the host's executions, keeps a container's" t_f_filter
