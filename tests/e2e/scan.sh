#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/e2e/scan.sh -- end-to-end tests of the scan of the containers'
# writable layers (check/scan.h) and of how losses and restarts are told
#
# Like the other suites (tests/lib), it runs a private auditd with the
# built plugin and the project's rules, and real podman + runc containers:
#   d  a drop the live path reported (detected_by=write) is not reported
#      again by the scans that follow (within one run of the plugin: after
#      a restart, the start scan may report it once more)
#   a  drops made while the plugin was stopped (auditd stopped, the drop
#      made in a running container, auditd started) are found by the start
#      scan, once, at the path the container sees, with detected_by=scan,
#      serial 0, the container's id, runtime, name and image; the restart
#      is counted in the state file (starts, previous_stop)
#   c  a container whose upper layer holds symlinks to /etc/shadow, to a
#      host ELF (/usr/bin/ls) and to a host directory (/usr/bin), a FIFO,
#      a device and a whiteout (an image file removed): nothing of it is
#      reported, the plugin stays up
#   f  20,000 files in one container's upper layer (ELF headers that the
#      check confirms with libmagic, then allows by [allow] path: every
#      one costs a full check): while that pass runs, a live drop in
#      another container is reported (the pass runs in slices between
#      live candidates), and the pass then completes
#   b  "audisp-dropexec --scan" prints the drift of the running
#      containers (JSON lines, detected_by=scan, exit status 1): the
#      drops of a and d, nothing for a container without drift, never
#      an image binary
#   e  a file put into a running container's upper layer from the host
#      (no container process wrote it: the live path cannot see it) is
#      found by the scan SIGUSR2 asks for
#   g  the plugin killed (SIGKILL) and restarted by auditd: the restart is
#      counted and said (state file previous_stop = unclean, syslog)
# Every check selects findings by container id and path.
#
# Usage: tests/e2e/scan.sh [PATH-TO-audisp-dropexec]
#   as tests/e2e/run.sh (same environment variables, same lock).
# Output: "ok - NAME" / "not ok - NAME: REASON", "# ..." diagnostics, and
# "N passed, M failed". Exit status 0 only when all passed.
set -euo pipefail

LIB=$(cd "$(dirname "$0")/../lib" && pwd)
# shellcheck source=tests/lib/auditd.sh
. "$LIB/auditd.sh"
# shellcheck source=tests/lib/containers.sh
. "$LIB/containers.sh"
# shellcheck source=tests/lib/e2e.sh
. "$LIB/e2e.sh"

RUNTIME=${DROPEXEC_E2E_RUNTIME:-runc}
BUSYBOX=${DROPEXEC_E2E_BUSYBOX:-/bin/busybox}
IMAGE=localhost/dropexec-e2e-scan:latest
LABEL="dropexec-e2e-scan=$$"
SENTINEL_PREFIX=/tmp/de-scan-sentinel-
APPLETS="$APPLETS mkfifo mknod wc"
MANY=${DROPEXEC_E2E_SCAN_FILES:-20000}
# how long the pass over MANY files may take on a loaded machine
PASS_TIMEOUT=${DROPEXEC_E2E_SCAN_TIMEOUT:-300}

e2e_start dropexec-e2e-scan "${1:-}"
PID_FILE="$WORK/run/audisp-dropexec.pid"
STATE_FILE="$WORK/run/audisp-dropexec.state"
GO_DIR="$WORK/go"

L_CID="" A_CID="" N_CID="" H_CID="" M_CID="" F_CID=""

setup() {
	mkdir -p "$WORK/run" "$GO_DIR"
	chmod 0755 "$WORK/run" "$GO_DIR"
	# scans only on the start, signals and losses; a pass may take long
	plugin_conf "$CONF" json_log="$JSON_LOG" stats_interval=0 \
		pid_file="$PID_FILE" state_file="$STATE_FILE" \
		interval=0 max_ms=3600000 \
		"+[allow]" "+path = /tmp/many/*"
	start_auditd
	use_project_rules
	build_image "$IMAGE"
	note "auditd pid $AUDITD_PID, plugin pid $PLUGIN_PID, dir $WORK, binary $BIN"
}

# state_value KEY: "KEY = VALUE" of the state file (the first such line)
state_value() {
	awk -v k="$1" '$1 == k && $2 == "=" { sub(/^[^=]*= /, ""); print; exit }' "$STATE_FILE" 2>/dev/null
}

state_newer() {
	[[ -s $STATE_FILE ]] || return 1
	[[ $(stat -c %i.%Y.%Z "$STATE_FILE") != "$1" ]]
}

# dump: SIGUSR1 to the plugin, and wait for the new state file
dump() {
	local mark=none
	[[ -e $STATE_FILE ]] && mark=$(stat -c %i.%Y.%Z "$STATE_FILE")
	kill -USR1 "$PLUGIN_PID" 2>/dev/null || return 1
	wait_for "$E2E_TIMEOUT" state_newer "$mark"
}

# counter NAME: a counter of a fresh state dump
counter() {
	dump || return 1
	state_value "$1"
}

# counter_at_least NAME N: for wait_for
counter_at_least() {
	local v
	v=$(counter "$1") || return 1
	[[ $v =~ ^[0-9]+$ ]] && ((v >= $2))
}

# upper CID: the container's upper layer, as the host sees it
upper() { podman inspect --format '{{.GraphDriver.Data.UpperDir}}' "$1"; }

# in_upper CID PATH: PATH exists in the container's upper layer
in_upper() { [[ -e $(upper "$1")$2 ]]; }

# changed_before FILE SECONDS: FILE's ctime is more than SECONDS ago
changed_before() {
	local c
	c=$(stat -c %Z "$1" 2>/dev/null) || return 1
	(($(date +%s) - c > $2))
}

# start_bg VAR IMAGE SCRIPT [ARGS...]: start_container, the id into VAR
start_bg() {
	local var=$1
	shift
	start_container "$@" || fatal "$LIB_ERR"
	printf -v "$var" '%s' "$CID"
}

# plugin_alive: the plugin auditd started is still the same process
plugin_alive() {
	alive "$PLUGIN_PID" || fail "the plugin (pid $PLUGIN_PID) is gone" || return
	[[ $(pgrep -P "$AUDITD_PID" -x audisp-dropexec || true) == "$PLUGIN_PID" ]] ||
		fail "auditd restarted the plugin (it crashed?)"
}

# ------------------------------------------------------------------- tests
# d (first half): a live drop, reported by the write
t_d_live() {
	start_bg L_CID "$IMAGE" "cp /bin/busybox /tmp/live-d && sleep 900"
	one_finding "$L_CID" /tmp/live-d || return
	expect_field Data.detected_by write
}

# While auditd is stopped: the drift (a), a container without drift, the
# hostile layer (c), the many files (f), and the container that drops on
# a signal (f).
make_drift_while_stopped() {
	local marker
	stop_auditd
	start_bg A_CID "$IMAGE" "cp /bin/busybox /tmp/drift-a && mkdir -p '/opt/x y' && cp /bin/busybox '/opt/x y/tool' && sleep 900"
	start_bg N_CID "$IMAGE" "sleep 900"
	start_bg H_CID "$IMAGE" "ln -s /etc/shadow /tmp/shadow-link && ln -s /usr/bin/ls /tmp/ls-link &&
		ln -s /usr/bin /tmp/bin-link && mkfifo /tmp/fifo && mknod /tmp/null c 1 3 &&
		rm /bin/cat && touch /tmp/h-done && sleep 900" --cap-add MKNOD
	# 64 bytes of ELF header each, by the shell's own printf (no fork)
	marker=$(head -c 64 "$BUSYBOX" | od -An -v -to1 | tr -s ' \n' ' ' | sed 's/ *$//; s/ \([0-7]*\)/\\\1/g')
	start_bg M_CID "$IMAGE" "mkdir /tmp/many && i=0 && while [ \$i -lt $MANY ]; do
		printf '$marker' > /tmp/many/f\$i; i=\$((i + 1)); done && touch /tmp/m-done && sleep 900"
	start_bg F_CID "$IMAGE" "while [ ! -e /go/go ]; do sleep 0.05; done; cp /bin/busybox /tmp/live-f && sleep 900" \
		-v "$GO_DIR:/go"
	wait_for 60 in_upper "$A_CID" "/opt/x y/tool" || fatal "container A did not drop its files"
	wait_for 60 in_upper "$H_CID" /tmp/h-done || fatal "container H did not set up its layer"
	wait_for "$PASS_TIMEOUT" in_upper "$M_CID" /tmp/m-done || fatal "container M did not write its $MANY files"
	# a pass leaves files changed in the last recheck_ms + 1 s for a
	# later pass: the start pass of (f) must find M's files settled
	wait_for 30 changed_before "$(upper "$M_CID")/tmp/m-done" 4 ||
		fatal "container M's last file did not age"
	note "upper layer of H: $(ls -la "$(upper "$H_CID")/tmp" "$(upper "$H_CID")/bin" 2>&1 | tr '\n' ' ' | head -c 600)"
	start_auditd
	note "plugin restarted: pid $PLUGIN_PID"
}

# f: the pass over MANY files is under way; a live drop now is reported
# before it ends.
t_f_live_during_pass() {
	local allowed rounds
	wait_for "$E2E_TIMEOUT" counter_at_least scan_passes 1 ||
		fail "no scan pass started at start" || return
	rounds=$(counter rounds) || fail "no state dump" || return
	((rounds == 0)) ||
		fail "the start scan ended before the live drop could be made: too fast to tell (raise DROPEXEC_E2E_SCAN_FILES)" || return
	touch "$GO_DIR/go"
	wait_finding "$F_CID" /tmp/live-f ||
		fail "the live drop during the scan was not reported within $E2E_TIMEOUT s" || return
	rounds=$(counter rounds) || fail "no state dump" || return
	allowed=$(state_value allowed)
	note "when the live drop was reported: $allowed of $MANY files of the pass checked, rounds done $rounds"
	# [scan] rounds: the rounds that walked every layer, the start scan's
	# first; it must still be under way
	((rounds == 0)) ||
		fail "the live drop was reported only after the start scan ended ($allowed of $MANY files checked): it waited behind the scan" || return
	wait_for "$PASS_TIMEOUT" counter_at_least allowed "$MANY" ||
		fail "the pass did not check all $MANY files within $PASS_TIMEOUT s (allowed=$(counter allowed))" || return
	note "scan counters: passes=$(state_value scan_passes) files=$(state_value scan_files) truncated=$(state_value scan_truncated) findings=$(state_value scan_findings)"
	plugin_alive
}

# a: the drops made while the plugin was stopped
t_a_start_scan() {
	local p
	for p in /tmp/drift-a "/opt/x y/tool"; do
		one_finding "$A_CID" "$p" || return
		expect_field Data.detected_by scan || return
		expect_field Event.serial 0 || return
		expect_field Event.operation scan || return
		expect_field Event.container.runtime podman || return
		expect_field Event.container.image "$IMAGE" || return
		[[ -n $(field Event.container.name) ]] || fail "no container name in $FINDING" || return
		[[ $(field Event.file.sha256) == $(sha256sum "$BUSYBOX" | cut -d' ' -f1) ]] ||
			fail "sha256 of $p is $(field Event.file.sha256)" || return
	done
	[[ $(state_value starts) == 2 ]] || fail "state starts = '$(state_value starts)', expected 2 (one restart)" || return
	[[ $(state_value previous_stop) == clean ]] || fail "state previous_stop = '$(state_value previous_stop)'"
}

# c: the hostile layer: nothing reported, nothing followed
t_c_hostile_layer() {
	local p
	p=$(helper paths "$JSON_LOG" / "$H_CID")
	[[ -z $p ]] || fail "findings of the hostile container: $p" || return
	no_finding "$H_CID" /tmp/shadow-link /tmp/ls-link /tmp/bin-link/ls /usr/bin/ls /etc/shadow /tmp/fifo /tmp/null || return
	plugin_alive
}

# b: audisp-dropexec --scan
t_b_scan_command() {
	local out rc=0 n
	out=$("$BIN" --scan -c "$CONF" 2>"$WORK/scan-cmd.err") || rc=$?
	printf '%s\n' "$out" >"$WORK/scan-cmd.jsonl"
	((rc == 1)) || fail "--scan exited $rc, expected 1 (drift found): $(head -c 300 "$WORK/scan-cmd.err")" || return
	n=$(helper validate "$WORK/scan-cmd.jsonl") || fail "--scan printed lines that are not JSON objects" || return
	((n >= 3)) || fail "--scan printed $n findings, expected at least 3" || return
	JSON_LOG="$WORK/scan-cmd.jsonl" one_finding "$A_CID" /tmp/drift-a || return
	expect_field Data.detected_by scan || return
	JSON_LOG="$WORK/scan-cmd.jsonl" one_finding "$L_CID" /tmp/live-d || return
	JSON_LOG="$WORK/scan-cmd.jsonl" one_finding "$F_CID" /tmp/live-f || return
	[[ -z $(helper paths "$WORK/scan-cmd.jsonl" / "$N_CID") ]] ||
		fail "--scan reported the container without drift: $(helper paths "$WORK/scan-cmd.jsonl" / "$N_CID")" || return
	[[ -z $(helper paths "$WORK/scan-cmd.jsonl" / "$H_CID") ]] ||
		fail "--scan reported the hostile container: $(helper paths "$WORK/scan-cmd.jsonl" / "$H_CID")" || return
	(($(JSON_LOG="$WORK/scan-cmd.jsonl" count '*' /bin/busybox) == 0)) ||
		fail "--scan reported an image binary (/bin/busybox)" || return
	[[ -z $(grep -v '"detected_by":"scan"' "$WORK/scan-cmd.jsonl" | grep . || true) ]] ||
		fail "a --scan line without detected_by scan"
}

# d (second half): a drop the live path reported (in this run of the
# plugin: one that restarted since has forgotten what it reported) is not
# reported again by a scan; nor is the drift the start scan reported
t_d_not_again() {
	local passes cid
	start_bg cid "$IMAGE" "cp /bin/busybox /tmp/live-d2 && sleep 900"
	one_finding "$cid" /tmp/live-d2 || return
	expect_field Data.detected_by write || return
	passes=$(counter scan_passes) || fail "no state dump" || return
	kill -USR2 "$PLUGIN_PID"
	wait_for "$E2E_TIMEOUT" counter_at_least scan_passes $((passes + 1)) ||
		fail "SIGUSR2 started no pass" || return
	wait_for "$E2E_TIMEOUT" scan_idle || fail "the pass did not end" || return
	sentinel || return
	(($(count "$cid" /tmp/live-d2) == 1)) ||
		fail "$(count "$cid" /tmp/live-d2) findings for /tmp/live-d2, expected the live one only" || return
	(($(count "$A_CID" /tmp/drift-a) == 1)) ||
		fail "$(count "$A_CID" /tmp/drift-a) findings for /tmp/drift-a, expected one"
}

# scan_idle: no scan round under way (state file [scan] running)
scan_idle() {
	dump || return 1
	[[ $(state_value running) == no ]]
}

# e: a file no container process wrote, found by the scan SIGUSR2 asks for
t_e_signal() {
	local up
	up=$(upper "$N_CID")
	[[ -d $up ]] || fail "no upper layer for container N" || return
	mkdir -p "$up/tmp"
	cp "$BUSYBOX" "$up/tmp/sig-e"
	kill -USR2 "$PLUGIN_PID"
	one_finding "$N_CID" /tmp/sig-e || return
	expect_field Data.detected_by scan
}

# g: a crash (SIGKILL): auditd starts the plugin again; the restart is
# counted and said
t_g_unclean_restart() {
	local old=$PLUGIN_PID mark
	mark=$(plugin_lines)
	kill -KILL "$old"
	wait_for 30 new_plugin "$old" || fail "auditd did not start the plugin again after SIGKILL" || return
	note "plugin pid $old killed, auditd started $PLUGIN_PID"
	wait_for "$E2E_TIMEOUT" state_restarted ||
		fail "the state file does not say the unclean restart: starts=$(state_value starts) previous_stop=$(state_value previous_stop)" || return
	[[ $(state_value previous_pid) == "$old" ]] || fail "previous_pid is '$(state_value previous_pid)', expected $old" || return
	if listening; then
		wait_for "$E2E_TIMEOUT" plugin_said "$mark" "stopped without removing" ||
			fail "syslog does not say the unclean restart"
	fi
}

# new_plugin OLD: auditd runs a plugin other than OLD (it restarts a dead
# plugin when it has the next event to give it: a host write makes one)
new_plugin() {
	local pid
	: >"$WORK/kick"
	pid=$(pgrep -P "$AUDITD_PID" -x audisp-dropexec || true)
	[[ -n $pid && $pid != "$1" ]] || return 1
	PLUGIN_PID=$pid
}

state_restarted() {
	[[ $(state_value previous_stop) == unclean && $(state_value starts) == 3 ]]
}

# -------------------------------------------------------------------- main
setup
run_test "d: a live drop is reported by its write" t_d_live
make_drift_while_stopped
run_test "f: a live drop is reported while a pass over $MANY files runs" t_f_live_during_pass
run_test "a: drops made while the plugin was stopped are found by the start scan" t_a_start_scan
run_test "c: symlinks, FIFOs, devices, whiteouts in the upper layer" t_c_hostile_layer
run_test "b: audisp-dropexec --scan prints the drift of running containers" t_b_scan_command
run_test "d: a scan does not report the live drop again" t_d_not_again
run_test "e: SIGUSR2 scans: a file no audit event showed" t_e_signal
run_test "g: an unclean restart is counted and said" t_g_unclean_restart
