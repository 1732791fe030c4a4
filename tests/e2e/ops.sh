#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/e2e/ops.sh -- end-to-end tests of how the plugin is operated
#
# Runs a private auditd (tests/lib/auditd.sh) with the built plugin and
# checks what an operator relies on: the pid file holds the plugin's pid
# while it runs and is gone once auditd stopped it; SIGUSR1 writes the
# state file (mode 0600) with counters that match what happened; a
# logrotate-style rename of the JSON log followed by "kill -HUP $(cat
# PIDFILE)" sends the next finding to a new file; a missing configuration
# file is refused with its path and the reason on stderr; what the
# plugin's stderr is when auditd starts it; the capabilities the plugin
# and its worker keep. The pid and state files live
# in the test's directory (pid_file, state_file of dropexec.conf).
#
# Usage: tests/e2e/ops.sh [PATH-TO-audisp-dropexec]
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
IMAGE=localhost/dropexec-e2e-ops:latest
LABEL="dropexec-e2e-ops=$$"
SENTINEL_PREFIX=/tmp/de-ops-sentinel-

e2e_start dropexec-e2e-ops "${1:-}"
PID_FILE="$WORK/run/audisp-dropexec.pid"
STATE_FILE="$WORK/run/audisp-dropexec.state"

setup() {
	mkdir -p "$WORK/run"
	chmod 0755 "$WORK/run"
	plugin_conf "$CONF" json_log="$JSON_LOG" stats_interval=0 \
		pid_file="$PID_FILE" state_file="$STATE_FILE"
	start_auditd
	use_project_rules
	build_image "$IMAGE"
	note "auditd pid $AUDITD_PID, plugin pid $PLUGIN_PID, dir $WORK, binary $BIN"
}

# state_value KEY: the value of "KEY = VALUE" in the state file (first one)
state_value() {
	awk -v k="$1" '$1 == k && $2 == "=" { sub(/^[^=]*= /, ""); print; exit }' "$STATE_FILE"
}

# state_newer MARK: the state file exists and is not the file MARK names
state_newer() {
	[[ -s $STATE_FILE ]] || return 1
	[[ $(stat -c %i.%Y.%Z "$STATE_FILE") != "$1" ]]
}

# dump_state: SIGUSR1 through the pid file; waits for a new state file
dump_state() {
	local mark=none
	[[ -e $STATE_FILE ]] && mark=$(stat -c %i.%Y.%Z "$STATE_FILE")
	kill -USR1 "$(cat "$PID_FILE")" || fail "kill -USR1 \$(cat $PID_FILE) failed" || return
	wait_for "$E2E_TIMEOUT" state_newer "$mark" ||
		fail "no new $STATE_FILE within $E2E_TIMEOUT s of SIGUSR1"
}

# ------------------------------------------------------------------- tests
t_pid_file() {
	local pid mode
	[[ -f $PID_FILE && ! -L $PID_FILE ]] || fail "no pid file $PID_FILE" || return
	pid=$(cat "$PID_FILE")
	[[ $pid == "$PLUGIN_PID" ]] || fail "$PID_FILE holds '$pid', the plugin is $PLUGIN_PID" || return
	mode=$(stat -c %a "$PID_FILE")
	[[ $mode == 644 ]] || fail "$PID_FILE has mode $mode, expected 644"
}

# One drop, then SIGUSR1: the state matches it.
t_state_dump() {
	local p=/tmp/de-ops-state v key mode serial
	start_container "$IMAGE" "cp /bin/busybox $p && sleep 1" || lib_fail || return
	if ! one_finding "$CID" "$p"; then
		finish "$CID"
		return 1
	fi
	serial=$(field Event.serial)
	finish "$CID" || return
	dump_state || return
	mode=$(stat -c %a "$STATE_FILE")
	[[ $mode == 600 ]] || fail "$STATE_FILE has mode $mode, expected 600" || return
	[[ $(state_value pid) == "$PLUGIN_PID" ]] || fail "state pid is '$(state_value pid)', the plugin is $PLUGIN_PID" || return
	[[ $(state_value file) == "$CONF" ]] || fail "state config file is '$(state_value file)'" || return
	[[ $(state_value json_log) == "$JSON_LOG" ]] || fail "state json_log is '$(state_value json_log)'" || return
	[[ $(state_value scope) == container ]] || fail "state scope is '$(state_value scope)'" || return
	for key in events candidates findings checked; do
		v=$(state_value "$key")
		[[ $v =~ ^[0-9]+$ ]] || fail "state $key is '$v', not a number" || return
		((v >= 1)) || fail "state $key is $v after a drop" || return
	done
	v=$(state_value uptime_seconds)
	[[ $v =~ ^[0-9]+$ ]] || fail "state uptime_seconds is '$v'" || return
	for key in check_queue audit_queue pending; do
		v=$(state_value "$key")
		[[ $v =~ ^[0-9]+$ ]] || fail "state $key is '$v'" || return
		((v <= $(state_value "${key}_capacity"))) ||
			fail "state $key $v exceeds its capacity $(state_value "${key}_capacity")" || return
	done
	[[ $(state_value check_queue_capacity) == 8192 ]] || fail "check_queue_capacity is '$(state_value check_queue_capacity)', expected queue_size 8192" || return
	[[ $(state_value total) =~ ^[0-9]+$ ]] || fail "state losses total is '$(state_value total)'" || return
	# the decision on the drop, by the serial of its finding
	awk '/^\[/ { keep = ($0 == "[recent]"); next } keep' "$STATE_FILE" |
		grep -qxF "decision = $serial finding ${CID:0:12} \"$p\"" ||
		fail "[recent] of $STATE_FILE has no 'decision = $serial finding ${CID:0:12} \"$p\"': $(grep -a '^decision' "$STATE_FILE" | tail -n 3 | tr '\n' '|')" || return
	# the findings so far: the JSON log's lines (at least)
	v=$(helper validate "$JSON_LOG")
	(($(state_value findings) >= v)) || fail "state findings $(state_value findings) < $v lines in the JSON log" || return
	if listening; then
		grep -a 'audisp-dropexec\[' "$SYSLOG_OUT" | grep -qa 'state: uptime=' ||
			fail "no 'state:' line in syslog after SIGUSR1"
	fi
}

# logrotate: rename the log, then "kill -HUP $(cat PIDFILE)" as postrotate does.
t_rotate_via_pid_file() {
	local p=/tmp/de-ops-rotated mark
	[[ -f $JSON_LOG ]] || fail "there is no $JSON_LOG to rotate" || return
	mv "$JSON_LOG" "$JSON_LOG.1"
	hup_plugin "$(cat "$PID_FILE")" || lib_fail || return
	start_container "$IMAGE" "cp /bin/busybox $p && sleep 1" || lib_fail || return
	if ! one_finding "$CID" "$p"; then
		finish "$CID"
		return 1
	fi
	finish "$CID" || return
	! helper match "$JSON_LOG.1" '*' "$p" >/dev/null || fail "the finding went to the rotated file too" || return
	mark=$(stat -c %a "$JSON_LOG")
	[[ $mark == 600 ]] || fail "the new JSON log has mode $mark, expected 600"
}

# A missing configuration: the path and the reason on stderr, exit status 1.
t_missing_config() {
	local out rc=0 missing="$WORK/no-such.conf"
	out=$("$BIN" -c "$missing" 2>&1 </dev/null) || rc=$?
	((rc != 0)) || fail "the plugin started without its configuration $missing" || return
	grep -qF "$missing: cannot open: No such file or directory" <<<"$out" ||
		fail "stderr does not name $missing and ENOENT: '$out'"
}

# What stderr is for a plugin auditd started (auditd -n here: its own).
t_plugin_stderr() {
	local fd2
	fd2=$(readlink "/proc/$PLUGIN_PID/fd/2" 2>/dev/null) || fail "cannot read the plugin's fd 2" || return
	note "the plugin's stderr under 'auditd -n' is $fd2 (auditd's own: $(readlink "/proc/$AUDITD_PID/fd/2"))"
	[[ $fd2 == "$(readlink "/proc/$AUDITD_PID/fd/2")" ]] ||
		fail "the plugin's stderr $fd2 is not auditd's"
}

# The capabilities the plugin and its worker keep (util/privs.h): audit
# write (29), lease (28), ptrace (19), dac read search (2); none other,
# in the effective, permitted and bounding sets.
t_capabilities() {
	local want=0000000030080004 pid set v worker
	worker=$(pgrep -P "$PLUGIN_PID" -x dropexec-probe | head -n 1) || true
	[[ -n $worker ]] || fail "no worker process (dropexec-probe) under the plugin" || return
	for pid in "$PLUGIN_PID" "$worker"; do
		for set in CapEff CapPrm CapBnd; do
			v=$(awk -v k="$set:" '$1 == k { print $2 }' "/proc/$pid/status")
			[[ $v == "$want" ]] ||
				fail "$set of pid $pid ($(cat "/proc/$pid/comm")) is '$v', expected $want" || return
		done
	done
}

# After auditd stopped the plugin the pid file is gone.
t_pid_file_removed() {
	local pid=$PLUGIN_PID
	stop_auditd
	! alive "$pid" || fail "the plugin (pid $pid) still runs after auditd stopped" || return
	[[ ! -e $PID_FILE ]] || fail "$PID_FILE is still there after the plugin stopped ($(cat "$PID_FILE"))"
}

# -------------------------------------------------------------------- main
setup
run_test "pid file holds the plugin's pid" t_pid_file
run_test "plugin stderr is auditd's" t_plugin_stderr
run_test "only the capabilities it needs, in the plugin and its worker" t_capabilities
run_test "SIGUSR1 writes the state file with sane counters and the drop's decision" t_state_dump
run_test "log rotation: rename, then SIGHUP through the pid file" t_rotate_via_pid_file
run_test "a missing configuration file is named on stderr" t_missing_config
run_test "pid file removed when auditd stops the plugin" t_pid_file_removed
