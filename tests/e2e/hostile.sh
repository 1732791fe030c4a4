#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/e2e/hostile.sh -- end-to-end tests of a container that attacks the
# detector itself
#
# Like tests/e2e/run.sh and attribution.sh (all use tests/lib), it runs a
# private auditd (auditd -n -c TMPDIR) with the built plugin and the
# project's rules/dropexec.rules, and drops files from real podman + runc
# containers. Each test is one attack, and names the protection it needs:
#   a  a crafted sparse ELF (60 SHT_NOTE sections of 60 MiB over a hole)
#      that kept libmagic reading for tens of seconds, and a plain drop in
#      another container right after it: the second finding is not held
#      up, the crafted file is reported too, the plugin stays up
#      (bounded libmagic, a worker process with a deadline)
#   b  a writer that calls itself "runc:[2:INIT]" (comm), and one that also
#      has audit print its exe as "/" (it detaches the bind mount of its
#      own file; a --privileged container): both reported (no trust in a
#      process's name)
#   c  a plain directory named /run/shm is no shared memory; /dev/shm, a
#      real tmpfs in podman's containers, is (shared memory only on a real
#      tmpfs mount)
#   d  [allow] path = /opt/ok/*: "/opt/ok/../../tmp/esc1" and a symlink
#      "/opt/ok/link" -> /tmp are no way around it; /opt/ok/tool is allowed
#      and counted (allow lists match only the plain name)
#   e  a privileged container moves its shell to the root cgroup of every
#      hierarchy, then drops: still in scope, by its root file system
#   f  a privileged container joins another container's cgroup, then
#      drops: the finding does not name the other container
#      (Event.container.cgroup_claim does); once right after the other
#      container started, once 35 s after
#   g  a container with CAP_AUDIT_WRITE sends a USER record that looks like
#      a finding: not in the JSON log; in the audit log; and
#      "ausearch -m USER -p $(cat PIDFILE)" lists the real findings only
#   h  container A serves a FUSE file system from a process of its own
#      (fusehang, with --device /dev/fuse and CAP_SYS_ADMIN), after 2000
#      bind mounts that make its mount table longer than 1 MiB; it copies
#      an ELF onto it, and the server hangs once the copy is closed (a
#      process of A keeps the file open). A plain drop in container B is
#      reported within 5 s of its audit event; A's file is not reported
#      (never read); the plugin stays up (the device's file system type
#      from the writer's whole mount table; no file touched on a device
#      that no mount table names; a worker with a deadline)
# A test that needs what this machine lacks (a static C compiler, cgroup
# mounts in a privileged container) says why and counts as skipped
# ("skip - NAME: REASON", and "K skipped" before the summary line), never
# as passed.
#
# Every check selects the findings of the container that dropped the file,
# by its id, and the file's path; auditd, containers and images come from
# tests/lib. The small static programs the attacks need (tests/e2e/hostile/
# *.c) are built here with gcc -static and copied into the test image.
#
# Usage: tests/e2e/hostile.sh [PATH-TO-audisp-dropexec]
#   as tests/e2e/run.sh (same environment variables, same lock). A binary
#   older than some keys of conf/dropexec.conf gets the file without them
#   (each one named in a "#" line), so that an older build can be run
#   against these attacks.
# Output: "ok - NAME" / "not ok - NAME: REASON" / "skip - NAME: REASON",
# "# ..." diagnostics, "K skipped", and "N passed, M failed". Exit status 0
# only when none failed.
set -euo pipefail

LIB=$(cd "$(dirname "$0")/../lib" && pwd)
SRC_DIR=$(cd "$(dirname "$0")/hostile" && pwd)
# shellcheck source=tests/lib/auditd.sh
. "$LIB/auditd.sh"
# shellcheck source=tests/lib/containers.sh
. "$LIB/containers.sh"
# shellcheck source=tests/lib/e2e.sh
. "$LIB/e2e.sh"

RUNTIME=${DROPEXEC_E2E_RUNTIME:-runc}
BUSYBOX=${DROPEXEC_E2E_BUSYBOX:-/bin/busybox}
IMAGE=localhost/dropexec-e2e-hostile:latest
LABEL="dropexec-e2e-hostile=$$"
NAMES="hx$$"      # prefix of our container names
SENTINEL_PREFIX=/tmp/hx-sentinel-
# the cgroup and audit attacks need a few more applets
APPLETS="$APPLETS sed grep mount umount wc"
# how long the first test waits for the findings a stalled plugin owes
STALL_TIMEOUT=${DROPEXEC_E2E_STALL_TIMEOUT:-120}
HELPERS=""        # why the helper programs are missing, empty when built
STATE_OK=0        # the binary knows state_file (counters through SIGUSR1)
PID_OK=0          # ... and pid_file
H_CID=""          # container A of test h while its FUSE server may hang

e2e_start dropexec-e2e-hostile "${1:-}" ausearch
PID_FILE="$WORK/run/audisp-dropexec.pid"
STATE_FILE="$WORK/run/audisp-dropexec.state"

# shellcheck disable=SC2317 # run by the EXIT trap
e2e_release_hook() {
	h_release
}

# shellcheck disable=SC2317 # run by the EXIT trap
e2e_cleanup_hook() { say_skipped; }

# ----------------------------------------------------------------- setup
# write_conf [ALLOW-LINE]: the shipped dropexec.conf with our JSON log, pid
# and state files (and "[allow]" ALLOW-LINE); keys the binary does not know
# are taken out again (an older build)
write_conf() {
	plugin_conf "$CONF" json_log="$JSON_LOG" stats_interval=0 \
		pid_file="$PID_FILE" state_file="$STATE_FILE" \
		${1:+"+" "+[allow]" "+$1"}
	compat_conf "$CONF"
}

# compat_conf FILE: remove each "unknown key SECTION:KEY" that
# --check-config names; 1 when the file is refused for another reason
compat_conf() {
	local out key n=0
	while ! out=$("$BIN" --check-config -c "$1" 2>&1); do
		key=$(grep -o 'unknown key [a-z_]*:[a-z_0-9]*' <<<"$out" | head -n 1) ||
			fail "--check-config refuses $1: $out" || return
		key=${key##*:}
		sed -i "/^$key *=/d" "$1"
		note "the binary does not know the key '$key': left out"
		n=$((n + 1))
		((n < 20)) || fail "--check-config refuses $1: $out" || return
	done
}

# build_helpers: the static attack programs into $WORK/helpers (HELPERS
# says why not)
build_helpers() {
	local f out
	mkdir -p "$WORK/helpers"
	if ! command -v gcc >/dev/null 2>&1; then
		HELPERS="gcc is not installed"
		return 0
	fi
	for f in crafted chrootdrop auditsend fusehang; do
		if ! out=$(gcc -static -O2 -o "$WORK/helpers/$f" "$SRC_DIR/$f.c" 2>&1); then
			HELPERS="gcc -static cannot build $f.c (static glibc, libc6-dev, missing?): $(tail -n 2 <<<"$out" | tr '\n' ' ')"
			return 0
		fi
	done
}

setup() {
	mkdir -p "$WORK/run"
	chmod 0755 "$WORK/run"
	write_conf || refuse "$WHY"
	grep -q '^state_file *=' "$CONF" && STATE_OK=1
	grep -q '^pid_file *=' "$CONF" && PID_OK=1
	build_helpers
	start_auditd
	use_project_rules
	if [[ -z $HELPERS ]]; then
		build_image "$IMAGE" "$WORK/helpers/crafted" "$WORK/helpers/chrootdrop" \
			"$WORK/helpers/auditsend" "$WORK/helpers/fusehang"
	else
		note "no helper programs: $HELPERS"
		build_image "$IMAGE"
	fi
	note "auditd pid $AUDITD_PID, plugin pid $PLUGIN_PID, dir $WORK, binary $BIN"
}

# configure [ALLOW-LINE]: rewrite the running plugin's file, send it SIGHUP
# and wait until it has reloaded
configure() {
	write_conf "${1:-}" || return
	hup_plugin "$PLUGIN_PID" || lib_fail
}

# ----------------------------------------------------------------- helpers
# start_named NAME SCRIPT [PODMAN-ARGS...]: SCRIPT in a new container of
# IMAGE called NAME; sets CID
start_named() {
	local name=$1 script=$2
	shift 2
	start_container "$IMAGE" "$script" --name "$name" "$@" || lib_fail
}

# need_helpers: skip the test when the attack programs could not be built
need_helpers() {
	[[ -z $HELPERS ]] || skip_because "needs the static helper programs: $HELPERS"
}

# in_audit_log PATH: a PATH record names PATH
in_audit_log() {
	local logs=("$AUDIT_LOG")
	[[ -f $AUDIT_LOG.1 ]] && logs+=("$AUDIT_LOG.1")
	grep -qaF "name=\"$1\"" "${logs[@]}"
}

# unreported CID PATH...: the audit log saw each PATH, and no finding of
# container CID (nor of any other) names it (call after a sentinel)
unreported() {
	local cid=$1 p
	shift
	for p; do
		in_audit_log "$p" || fail "the audit log has no event for $p: the rules did not see it" || return
		no_finding "$cid" "$p" || return
	done
}

# plugin_pid: the plugin's pid as operators find it: the pid file
plugin_pid() {
	if ((PID_OK)) && [[ -s $PID_FILE ]]; then
		cat "$PID_FILE"
	else
		echo "$PLUGIN_PID"
	fi
}

# state_newer MARK: the state file exists and is not the file MARK names
state_newer() {
	[[ -s $STATE_FILE ]] || return 1
	[[ $(stat -c %i.%Y.%Z "$STATE_FILE") != "$1" ]]
}

# counter NAME: a counter of the plugin's state file, written on SIGUSR1;
# empty when this binary has no state file
counter() {
	local mark=none
	((STATE_OK)) || return 0
	[[ -e $STATE_FILE ]] && mark=$(stat -c %i.%Y.%Z "$STATE_FILE")
	kill -USR1 "$(plugin_pid)" 2>/dev/null || return 0
	wait_for "$E2E_TIMEOUT" state_newer "$mark" || return 0
	awk -v k="$1" '$1 == k && $2 == "=" { print $3; exit }' "$STATE_FILE"
}

# audit_time_us: the finding's Event.audit_time ("SEC.MILLI") in us
audit_time_us() {
	local t
	t=$(field Event.audit_time) || return 1
	[[ $t =~ ^([0-9]+)\.([0-9]{3})$ ]] || return 1
	echo "${BASH_REMATCH[1]}${BASH_REMATCH[2]}000"
}

plugin_same() {
	alive "$PLUGIN_PID" || fail "the plugin (pid $PLUGIN_PID) is gone" || return
	local pid
	pid=$(pgrep -P "$AUDITD_PID" -x audisp-dropexec || true)
	[[ $pid == "$PLUGIN_PID" ]] || fail "auditd restarted the plugin: pid $pid, was $PLUGIN_PID (it crashed?)"
}

# ----------------------------------------------------------------- attacks

# a: the crafted file first (container A), a plain drop (container B) as
# soon as the audit log has A's write. B's finding must not wait for
# libmagic on A's file.
t_a_crafted() {
	local pa=/tmp/hx-a-crafted pb=/tmp/hx-a-plain ca cb lat t0 missed rc=0
	need_helpers || return
	missed=$(counter deadline_missed)
	start_named "$NAMES-a1" "crafted $pa && sleep 8" || return
	ca=$CID
	if ! wait_for "$E2E_TIMEOUT" in_audit_log "$pa"; then
		finish "$ca"
		fail "the audit log has no event for $pa within $E2E_TIMEOUT s"
		return 1
	fi
	start_named "$NAMES-a2" "cp /bin/busybox $pb && sleep 1" || { finish "$ca"; return 1; }
	cb=$CID
	t0=$(now_us)
	if ! helper wait "$JSON_LOG" "$cb" "$STALL_TIMEOUT" 1 "$pb" >/dev/null; then
		fail "no finding of container ${cb:0:12} for $pb within $STALL_TIMEOUT s"
		rc=1
	else
		SEEN_US=$(now_us)
		FINDING=$(matches "$cb" "$pb" | head -n 1)
		lat=$((SEEN_US - $(audit_time_us)))
		note "(a) the plain drop's finding came $((lat / 1000)) ms after its audit event ($(((SEEN_US - t0) / 1000)) ms after its container started)"
		((lat < 5000000)) ||
			fail "the plain drop's finding came $((lat / 1000)) ms after its audit event: held up behind the crafted file (bound 5000 ms)" || rc=1
	fi
	# the crafted file is reported too, whatever libmagic said of it
	if ! helper wait "$JSON_LOG" "$ca" "$STALL_TIMEOUT" 1 "$pa" >/dev/null; then
		((rc)) || fail "no finding of container ${ca:0:12} for the crafted $pa within $STALL_TIMEOUT s"
		rc=1
	fi
	finish "$ca" || rc=1
	finish "$cb" || rc=1
	((rc == 0)) || return 1
	one_finding "$ca" "$pa" || return
	note "(a) crafted file: type $(field Event.file.type), magic: $(field Event.file.magic || echo none)"
	expect_field Event.file.type elf-exec || return
	note "(a) deadline_missed: ${missed:-?} before, $(counter deadline_missed || true) after (not asserted; ? = this binary has no state file)"
	plugin_same
}

# b1: comm "runc:[2:INIT]" (the name of a symlink to the program)
t_b_comm() {
	local p=/tmp/hx-b-comm cid
	need_helpers || return
	start_named "$NAMES-b1" "ln -s /bin/chrootdrop '/tmp/runc:[2:INIT]' && '/tmp/runc:[2:INIT]' / /bin/busybox $p" || return
	cid=$CID
	one_finding "$cid" "$p" || { finish "$cid"; return 1; }
	finish "$cid" || return
	expect_field Event.comm 'runc:[2:INIT]' || return
	expect_field Event.container.id "$cid" || return
	note "(b) comm $(field Event.comm), exe $(field Event.exe)"
}

# b2: comm "runc:[2:INIT]" and exe "/", as runc's own setup process has:
# the program's file is bind-mounted on /tmp/rb and run through a symlink
# named "runc:[2:INIT]"; it detaches that mount (umount2 MNT_DETACH), so
# its exe is the root of a mount attached nowhere, which audit prints as
# "/"; then it writes. Detaching needs CAP_SYS_ADMIN: a --privileged
# container (or one in a user namespace of its own).
t_b_runtime_lookalike() {
	local p=/tmp/hx-b-init cid exe
	need_helpers || return
	start_named "$NAMES-b2" "touch /tmp/rb && mount --bind /bin/chrootdrop /tmp/rb && ln -s /tmp/rb '/tmp/runc:[2:INIT]' && '/tmp/runc:[2:INIT]' -u /tmp/rb / /bin/busybox $p && sleep 1" \
		--privileged || return
	cid=$CID
	if ! wait_finding "$cid" "$p"; then
		finish "$cid" || true
		in_audit_log "$p" || fail "the audit log has no event for $p ($WHY)" || return
		fail "no finding of container ${cid:0:12} for $p within $E2E_TIMEOUT s$(
			(($(count '*' "$p") == 0)) || echo " (but of another container)"); the audit record: $(grep -a 'comm="runc:\[2:INIT\]" exe=' "$AUDIT_LOG" | grep -a "$(grep -a "name=\"$p\"" "$AUDIT_LOG" | grep -ao 'audit([^)]*)' | head -n 1 | sed 's/[()]/./g')" | grep -ao 'comm=[^ ]* exe=[^ ]*' | head -n 1)"
		return 1
	fi
	finish "$cid" || return
	one_finding "$cid" "$p" || return
	expect_field Event.comm 'runc:[2:INIT]' || return
	exe=$(field Event.exe)
	if [[ $exe == / ]]; then
		field Event.records | grep -q 'comm=\\*"runc:\[2:INIT\]\\*" exe=\\*"/\\*"' ||
			fail "Event.exe is / but the SYSCALL record in Event.records has no comm=\"runc:[2:INIT]\" exe=\"/\"" || return
		note "(b) the audit record shows comm=\"runc:[2:INIT]\" exe=\"/\", as runc's setup process; reported (container ${cid:0:12}, source $(field Event.container.source))"
	else
		note "(b) exe could not be made \"/\" here: audit shows exe=\"$exe\" (reported all the same)"
	fi
}

# c: /run/shm as a plain directory of the overlay; /dev/shm, podman's tmpfs
t_c_fake_shm() {
	local fake=/run/shm/x real=/dev/shm/y cid
	start_named "$NAMES-c" "mkdir -p /run/shm && cp /bin/busybox $fake && cp /bin/busybox $real && sleep 1" || return
	cid=$CID
	one_finding "$cid" "$fake" || { finish "$cid"; return 1; }
	finish "$cid" || return
	expect_field Event.container.id "$cid" || return
	expect_field Event.file.type elf-exec || return
	sentinel || return
	unreported "$cid" "$real"
}

# d: [allow] path = /opt/ok/*: ".." and a symlink on the way lead out of it
t_d_allow_escape() {
	local cid a0 a1 e1=/opt/ok/../../tmp/esc1 e2=/opt/ok/link/esc2 tool=/opt/ok/tool p got=""
	configure "path = /opt/ok/*" || return
	a0=$(counter allowed)
	start_named "$NAMES-d" "mkdir -p /opt/ok && cp /bin/busybox $e1 && ln -s /tmp /opt/ok/link && cp /bin/busybox $e2 && cp /bin/busybox $tool && sleep 1" || return
	cid=$CID
	wait_finding "$cid" "$e1" /tmp/esc1 || true
	wait_finding "$cid" "$e2" /tmp/esc2 || true
	finish "$cid" || return
	sentinel || return
	for p in "$e1:/tmp/esc1" "$e2:/tmp/esc2"; do
		if (($(count "$cid" "${p%%:*}") == 1)); then
			FINDING=$(matches "$cid" "${p%%:*}")
			got+="${p%%:*} as written; "
		elif (($(count "$cid" "${p#*:}") == 1)); then
			FINDING=$(matches "$cid" "${p#*:}")
			got+="${p%%:*} as ${p#*:}; "
		else
			fail "no single finding of container ${cid:0:12} for ${p%%:*} (nor ${p#*:}): $(count "$cid" "${p%%:*}") and $(count "$cid" "${p#*:}"); the allow list let it through" || return
		fi
		expect_field Event.container.id "$cid" || return
	done
	note "(d) reported: $got"
	unreported "$cid" "$tool" || return
	a1=$(counter allowed)
	if [[ -n $a0 && -n $a1 ]]; then
		((a1 > a0)) || fail "the allowed counter did not rise: $a0 before, $a1 after" || return
		note "(d) allowed: $a0 before, $a1 after"
	else
		note "(d) this binary has no state file: the allowed counter is not checked"
	fi
	configure
}

# The script that moves the container's shell ($$) into the cgroups listed
# in FILE ("N:CONTROLLERS:PATH" lines, as /proc/PID/cgroup): each hierarchy
# mounted afresh under /tmp/cg (a privileged container may), then the pid
# written to PATH/cgroup.procs. Exit status 3: a hierarchy cannot be
# mounted, 4: the move is refused.
move_script() {
	printf '%s' "while IFS=: read -r n c p; do d=/tmp/cg/h\$n; mkdir -p \$d || exit 3; if [ -z \"\$c\" ]; then mount -t cgroup2 none \$d || exit 3; else mount -t cgroup -o \"\$c\" none \$d || exit 3; fi; echo \$\$ > \"\$d\$p/cgroup.procs\" || exit 4; done < $1"
}

# held_drop PATH: the script that writes busybox to PATH from the shell
# itself, which holds it open a moment: the writer (the shell that moved)
# is alive when the plugin looks, so its cgroup and root decide, not the
# fallbacks for a writer that is gone (its parent, the overlay mount)
held_drop() {
	printf '%s' "exec 3>$1 && cat /bin/busybox >&3 && sleep 1 && exec 3>&- && sleep 0.5"
}

# skip_moved CID WHAT: the container's exit status says why it could not
# move; skip with that reason
skip_moved() {
	local rc
	rc=$(podman wait "$1" 2>&1) || true
	case $rc in
	3) skip_because "a privileged container cannot mount the cgroup hierarchies here (needed to $2): $(podman logs "$1" 2>&1 | tail -n 2 | tr '\n' ' ')" ;;
	4) skip_because "the kernel refused the move to $2: $(podman logs "$1" 2>&1 | tail -n 2 | tr '\n' ' ')" ;;
	5) skip_because "after the move /proc/self/cgroup still names the container: $(podman logs "$1" 2>&1 | tr '\n' ' ')" ;;
	*) return 1 ;;
	esac
}

# e: out of the container's cgroups into the root of every hierarchy
t_e_leave_cgroup() {
	local p=/tmp/hx-e-escaped cid
	start_named "$NAMES-e" "sed 's|:[^:]*\$|:/|' /proc/self/cgroup > /tmp/target && $(move_script /tmp/target) && if grep -q libpod /proc/self/cgroup; then cat /proc/self/cgroup; exit 5; fi && $(held_drop "$p")" \
		--privileged --cgroupns=host || return
	cid=$CID
	if ! wait_finding "$cid" "$p"; then
		if skip_moved "$cid" "leave the container's cgroups"; then
			podman rm -f -t 0 "$cid" >/dev/null 2>&1 || true
			return 77
		fi
		finish "$cid"
		fail "no finding of container ${cid:0:12} for $p within $E2E_TIMEOUT s after its shell left every cgroup$(
			(($(count '*' "$p") == 0)) || echo " (but of another container)")"
		return 1
	fi
	finish "$cid" || return
	one_finding "$cid" "$p" || return
	note "(e) source $(field Event.container.source), runtime $(field Event.container.runtime), cgroup_claim $(field Event.container.cgroup_claim || echo none)"
	expect_field Event.container.source root
}

# f: container A joins container B's cgroups, then drops; B started just
# before (F_AGE=0, as an attacker may choose) or F_AGE seconds before
F_AGE=0
t_f_join_cgroup() {
	local p=/tmp/hx-f-joined-$F_AGE cb ca bpid dir="$WORK/f$F_AGE" id claim
	start_named "$NAMES-fb$F_AGE" "sleep $((F_AGE + 60))" || return
	cb=$CID
	wait_for "$E2E_TIMEOUT" container_running "$cb" || { podman rm -f -t 0 "$cb" >/dev/null 2>&1; fail "container B did not start"; return 1; }
	if ((F_AGE > 0)); then
		note "(f) waiting until container B is $F_AGE s old"
		wait_for $((F_AGE + 5)) b_older "$cb" "$F_AGE" || true
	fi
	bpid=$(podman inspect -f '{{.State.Pid}}' "$cb")
	mkdir -p "$dir"
	cat "/proc/$bpid/cgroup" >"$dir/target"
	grep -q "$cb" "$dir/target" || {
		podman rm -f -t 0 "$cb" >/dev/null 2>&1
		skip_because "container B's cgroup does not name its id: $(tr '\n' ' ' <"$dir/target")"
		return
	}
	start_named "$NAMES-fa$F_AGE" "$(move_script /x/target) && if ! grep -q $cb /proc/self/cgroup; then cat /proc/self/cgroup; exit 5; fi && $(held_drop "$p")" \
		--privileged --cgroupns=host -v "$dir:/x:ro" || { podman rm -f -t 0 "$cb" >/dev/null 2>&1; return 1; }
	ca=$CID
	if ! wait_findings '*' 1 "$p"; then
		if skip_moved "$ca" "join container B's cgroups"; then
			podman rm -f -t 0 "$ca" "$cb" >/dev/null 2>&1 || true
			return 77
		fi
		finish "$ca"
		podman rm -f -t 0 "$cb" >/dev/null 2>&1 || true
		fail "no finding for $p within $E2E_TIMEOUT s after A joined B's cgroups"
		return 1
	fi
	finish "$ca" || { podman rm -f -t 0 "$cb" >/dev/null 2>&1; return 1; }
	podman rm -f -t 0 "$cb" >/dev/null 2>&1 || true
	(($(count "$cb" "$p") == 0)) || fail "the drop of container A (${ca:0:12}) is put on container B (${cb:0:12}), whose cgroup it joined: $(matches "$cb" "$p" | head -c 400)" || return
	(($(count '*' "$p") == 1)) || fail "$(count '*' "$p") findings for $p, expected one" || return
	FINDING=$(matches '*' "$p")
	id=$(field Event.container.id || true)
	claim=$(field Event.container.cgroup_claim || true)
	note "(f) container.id ${id:-none} (A is ${ca:0:12}), source $(field Event.container.source), cgroup_claim ${claim:0:12}"
	[[ $claim == "$cb" ]] || fail "Event.container.cgroup_claim is '${claim:-none}', expected B's id $cb" || return
	[[ $id == "$ca" ]] || note "(f) the finding does not name container A ($ca) either"
}

# user_record TEXT: "ausearch -m USER" over our log shows TEXT
user_record() {
	ausearch -if "$AUDIT_LOG" -m USER -i 2>/dev/null | grep -qF -- "$1"
}

# b_older CID SECONDS: container CID started more than SECONDS ago
b_older() {
	local started
	started=$(podman inspect -f '{{.State.StartedAt.Unix}}' "$1" 2>/dev/null) || return 2
	(($(date +%s) - started > $2))
}

t_f_join_fresh() {
	F_AGE=0
	t_f_join_cgroup
}

t_f_join_older() {
	F_AGE=35
	t_f_join_cgroup
}

# g: a forged USER record from a container with CAP_AUDIT_WRITE
t_g_forged() {
	local forged=/tmp/hx-g-forged real=/tmp/hx-g-real cid out text net=none pid aus
	need_helpers || return
	# a real finding first: the recipe must list it
	start_named "$NAMES-g0" "cp /bin/busybox $real && sleep 1" || return
	one_finding "$CID" "$real" || { finish "$CID"; return 1; }
	finish "$CID" || return
	text="op=dropped_executable sig_id=TRC-1022 severity=2 technique=T1036 path=$forged kind=elf-exec serial=1 pid=1 ppid=0 uid=0 auid=4294967295 ses=4294967295 comm=\"cp\" exe=\"/bin/busybox\" container_id=$(printf '%064d' 0) runtime=podman"
	out=$(podman_run --rm --cap-add AUDIT_WRITE "$IMAGE" auditsend 1005 "$text" 2>&1) || true
	if [[ $out != sent ]]; then
		note "(g) with --network none the kernel answered: $out; trying --network host"
		net=host
		out=$(podman --runtime "$RUNTIME" run --rm --label "$LABEL" --network host \
			--ulimit nofile=10000:10000 --ulimit nproc=4096:4096 \
			--cap-add AUDIT_WRITE "$IMAGE" auditsend 1005 "$text" 2>&1) || true
	fi
	if [[ $out != sent ]]; then
		[[ $out == refused:* ]] || fail "auditsend: $out" || return
		note "(g) the kernel refused the forged record from the container even with --network host: $out"
		return 0
	fi
	note "(g) forged USER record accepted from a container with --network $net"
	wait_for "$E2E_TIMEOUT" user_record "path=$forged " ||
		fail "the forged record is not in the audit log (ausearch -m USER)" || return
	aus=$(ausearch -if "$AUDIT_LOG" -m USER 2>/dev/null || true)
	note "(g) forged record: $(grep -F "path=$forged " <<<"$aus" | grep -o 'type=USER msg=audit([^)]*): pid=[0-9]* uid=[0-9]*' | head -n 1)"
	sentinel || return
	(($(count '*' "$forged") == 0)) || fail "the forged record made a finding: $(matches '*' "$forged" | head -c 400)" || return
	pid=$(plugin_pid)
	((PID_OK)) || note "(g) this binary writes no pid file: the plugin's pid from the process list"
	# -i: the plugin encodes path= (quoted or hex); interpreted, it reads as written
	aus=$(ausearch -m USER -p "$pid" -if "$AUDIT_LOG" -i 2>/dev/null || true)
	grep -qF "path=$real " <<<"$aus" || fail "ausearch -m USER -p $pid (the plugin) does not list the real finding for $real" || return
	grep -qF "path=$SENTINEL_PATH " <<<"$aus" || fail "ausearch -m USER -p $pid does not list the sentinel's finding" || return
	! grep -qF "path=$forged " <<<"$aus" || fail "ausearch -m USER -p $pid lists the forged record" || return
	note "(g) ausearch -m USER -p $pid -i: $(grep -c '^type=USER' <<<"$aus") records, none forged"
}

# h_file_in CID FILE: FILE exists in the root of container CID (as its
# first process sees it; not on the FUSE mount)
h_file_in() {
	local pid
	pid=$(podman inspect -f '{{.State.Pid}}' "$1" 2>/dev/null) || return 2
	((pid > 0)) || return 2
	[[ -e /proc/$pid/root$2 ]]
}

# h_release: kill the FUSE server of test h's container A (found by its
# name among the processes of A's pid namespace): the kernel aborts the
# connection, every request waiting on it fails, and A can be removed
h_release() {
	local pid ns p
	[[ -n $H_CID ]] || return 0
	pid=$(podman inspect -f '{{.State.Pid}}' "$H_CID" 2>/dev/null) || pid=0
	if ((pid > 0)) && ns=$(readlink "/proc/$pid/ns/pid" 2>/dev/null); then
		for p in /proc/[0-9]*; do
			[[ $(cat "$p/comm" 2>/dev/null) == fusehang ]] || continue
			[[ $(readlink "$p/ns/pid" 2>/dev/null) == "$ns" ]] || continue
			kill -KILL "${p#/proc/}" 2>/dev/null || true
		done
	fi
	podman rm -f -t 0 "$H_CID" >/dev/null 2>&1 || true
	H_CID=""
}

# h: container A's FUSE server hangs after A wrote an ELF on it; a plain
# drop in container B right after
t_h_fuse_hang() {
	local pf=/mnt/f/x pb=/tmp/hx-h-plain ca cb lat t0 size rc=0
	need_helpers || return
	# A holder (a background sleep) opens the file before the copy and
	# keeps it open: its descriptor is 3 from the open itself (no dup, no
	# close, so no FLUSH the hung server would never answer); the shell
	# never opens it, and cp closes its own.
	start_named "$NAMES-h1" "mkdir -p /mnt/f && fusehang -w -p 2000 /mnt/f && wc -c </proc/self/mountinfo >/tmp/h-size && touch $pf && { sleep 600 3<$pf & } && i=0 && until [ -e /proc/\$!/fd/3 ]; do i=\$((i + 1)); [ \$i -le 500 ] || exit 7; sleep 0.01; done && cp /bin/busybox $pf && touch /tmp/h-hung && sleep 600" \
		--device /dev/fuse --cap-add SYS_ADMIN || return
	ca=$CID
	H_CID=$ca
	if ! wait_for "$E2E_TIMEOUT" h_file_in "$ca" /tmp/h-hung; then
		fail "container A did not write $pf on its FUSE mount within $E2E_TIMEOUT s: $(podman logs "$ca" 2>&1 | tail -n 2 | tr '\n' ' ')"
		h_release
		return 1
	fi
	size=$(cat "/proc/$(podman inspect -f '{{.State.Pid}}' "$ca")/root/tmp/h-size")
	note "(h) container A's mountinfo: $size bytes before the FUSE mount; its server hangs"
	((size > 1048576)) || note "(h) (not longer than 1 MiB)"
	if ! wait_for "$E2E_TIMEOUT" in_audit_log "$pf"; then
		h_release
		fail "the audit log has no event for $pf within $E2E_TIMEOUT s"
		return 1
	fi
	start_named "$NAMES-h2" "cp /bin/busybox $pb && sleep 1" || { h_release; return 1; }
	cb=$CID
	t0=$(now_us)
	if ! helper wait "$JSON_LOG" "$cb" "$E2E_TIMEOUT" 1 "$pb" >/dev/null; then
		fail "no finding of container ${cb:0:12} for $pb within $E2E_TIMEOUT s: held up behind the hung FUSE file system"
		rc=1
	else
		SEEN_US=$(now_us)
		FINDING=$(matches "$cb" "$pb" | head -n 1)
		lat=$((SEEN_US - $(audit_time_us)))
		note "(h) the plain drop's finding came $((lat / 1000)) ms after its audit event ($(((SEEN_US - t0) / 1000)) ms after its container started)"
		((lat < 5000000)) ||
			fail "the plain drop's finding came $((lat / 1000)) ms after its audit event: held up behind the hung FUSE file system (bound 5000 ms)" || rc=1
	fi
	finish "$cb" || rc=1
	if ((rc == 0)); then
		# everything before the sentinel's drop has been decided, A's
		# file too, while its server still hangs
		sentinel || rc=1
	fi
	((rc)) || unreported "$ca" "$pf" || rc=1
	h_release
	((rc == 0)) || return 1
	plugin_same
}

# -------------------------------------------------------------------- main
setup
run_test "a: crafted sparse ELF does not hold up the next drop; reported too; plugin up" t_a_crafted
run_test "b: writer named runc:[2:INIT] is checked" t_b_comm
run_test "b: writer named runc:[2:INIT] with exe / (detached own file) is checked" t_b_runtime_lookalike
run_test "c: /run/shm as a plain directory reported; /dev/shm tmpfs not" t_c_fake_shm
run_test "d: [allow] path escaped with .. and a symlink: reported; plain name allowed" t_d_allow_escape
run_test "e: shell moved to the root cgroups: still in scope (source root)" t_e_leave_cgroup
run_test "f: joined the cgroup of a container started just before: not attributed to it" t_f_join_fresh
run_test "f: joined the cgroup of a container started 35 s before: not attributed to it" t_f_join_older
run_test "g: forged USER record: not a finding; ausearch -p PLUGIN lists real ones only" t_g_forged
run_test "h: a hung FUSE file system in one container does not stall the checks of another" t_h_fuse_hang
run_test "plugin stayed up (no crash, no restart)" plugin_same
note "kernel audit: $(auditctl -s | awk '$1 == "lost" || $1 == "backlog_limit" {printf "%s %s ", $1, $2}')"
