#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/e2e/fleet.sh -- findings travel with the field's own forwarding
#
# On one machine: an aggregator auditd (auditd -n -c AGG with local_events
# = no, tcp_listen_port = PORT: it receives, it does not register with the
# kernel) and the host's private auditd (tests/lib/auditd.sh) with
# name_format = USER / name = NODE, running audisp-dropexec and
# audisp-remote (remote_server = 127.0.0.1, port = PORT, transport = tcp,
# mode = immediate, format = managed). A drop in a podman + runc container
# must show up on the aggregator with "ausearch --node NODE -m USER -if
# AGG/audit.log", matched by path and container_id, and the JSON finding
# must name the host (Event.node = NODE, Event.hostName = hostname).
#
# audisp-remote reads only /etc/audit/audisp-remote.conf: auditd starts it
# through a wrapper that bind-mounts the test's file over that path in a
# private mount namespace (unshare -m), so the system's file is never
# touched. Nothing else outside the test's directory changes.
#
# Usage: tests/e2e/fleet.sh [PATH-TO-audisp-dropexec]
#   as tests/e2e/run.sh (same environment variables, same lock).
# Output: "ok - NAME" / "not ok - NAME: REASON", "# ..." diagnostics, and
# "N passed, M failed". Without /sbin/audisp-remote (package
# audispd-plugins) it prints "SKIP: REASON" and "0 passed, 0 failed, 1
# skipped" and exits 77.
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
IMAGE=localhost/dropexec-e2e-fleet:latest
LABEL="dropexec-e2e-fleet=$$"
SENTINEL_PREFIX=/tmp/de-fleet-sentinel-
AUDISP_REMOTE=${DROPEXEC_AUDISP_REMOTE:-/sbin/audisp-remote}
REMOTE_CONF_PATH=/etc/audit/audisp-remote.conf
NODE=dropexec-fleet-node
AGG=""
AGG_PID=""
AGG_LOG=""
PORT=""

if [[ ! -x $AUDISP_REMOTE || ! -f $REMOTE_CONF_PATH ]]; then
	echo "SKIP: $AUDISP_REMOTE or $REMOTE_CONF_PATH is missing (apt-get install audispd-plugins; tools/install-deps installs it)"
	echo "0 passed, 0 failed, 1 skipped"
	exit 77
fi

e2e_start dropexec-e2e-fleet "${1:-}" ausearch unshare mount ss
AGG="$WORK/aggregator"
AGG_LOG="$AGG/audit.log"

# shellcheck disable=SC2317 # run by the EXIT trap
e2e_cleanup_hook() { stop_aggregator; }

# free_port: a TCP port of 127.0.0.1 no one listens on
free_port() {
	"$PYTHON" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# agg_listening: 0 once the aggregator listens on PORT, 2 if it died
agg_listening() {
	alive "$AGG_PID" || return 2
	ss -Hltnp "sport = :$PORT" 2>/dev/null | grep -q "pid=$AGG_PID,"
}

# start_aggregator: auditd -n -c $AGG receiving on PORT, no kernel events
start_aggregator() {
	local rc
	PORT=$(free_port)
	mkdir -p "$AGG/plugins.d"
	chmod 0700 "$AGG"
	chmod 0755 "$AGG/plugins.d"
	cat >"$AGG/auditd.conf" <<CONF
local_events = no
write_logs = yes
log_file = $AGG_LOG
log_format = ENRICHED
flush = INCREMENTAL_ASYNC
freq = 50
max_log_file = 50
num_logs = 2
max_log_file_action = ROTATE
space_left = 75
space_left_action = SYSLOG
admin_space_left = 50
admin_space_left_action = SYSLOG
disk_full_action = SYSLOG
disk_error_action = SYSLOG
q_depth = 2000
overflow_action = SYSLOG
plugin_dir = $AGG/plugins.d
name_format = NONE
tcp_listen_port = $PORT
tcp_listen_queue = 5
tcp_max_per_addr = 1
tcp_client_max_idle = 0
use_libwrap = no
transport = TCP
distribute_network = no
CONF
	chmod 0640 "$AGG/auditd.conf"
	auditd -n -c "$AGG" >"$AGG/auditd.out" 2>&1 </dev/null &
	AGG_PID=$!
	LIB_AGGREGATOR_PIDS=$AGG_PID
	wait_for "$LIB_TIMEOUT" agg_listening || {
		rc=$?
		((rc == 1)) && fatal "the aggregator did not listen on port $PORT within $LIB_TIMEOUT s"
		fatal "the aggregator exited at start: $(tr '\n' ' ' <"$AGG/auditd.out")"
	}
}

stop_aggregator() {
	[[ -n $AGG_PID ]] || return 0
	kill -TERM "$AGG_PID" 2>/dev/null || true
	wait_for "$LIB_TIMEOUT" dead "$AGG_PID" || kill -KILL "$AGG_PID" 2>/dev/null
	wait "$AGG_PID" 2>/dev/null || true
	AGG_PID=""
	LIB_AGGREGATOR_PIDS=""
}

# remote_plugin: audisp-remote for the host's auditd, sending to PORT, with
# its configuration bind-mounted in a mount namespace of its own
remote_plugin() {
	mkdir -p "$WORK/plugins.d"
	chmod 0755 "$WORK/plugins.d"
	cat >"$WORK/audisp-remote.conf" <<CONF
remote_server = 127.0.0.1
port = $PORT
local_port = any
transport = tcp
queue_file = $WORK/remote.queue
mode = immediate
queue_depth = 10240
format = managed
network_retry_time = 1
max_tries_per_record = 3
max_time_per_record = 5
heartbeat_timeout = 0
network_failure_action = syslog
disk_low_action = ignore
disk_full_action = warn_once
disk_error_action = warn_once
remote_ending_action = reconnect
generic_error_action = syslog
generic_warning_action = syslog
queue_error_action = syslog
overflow_action = syslog
startup_failure_action = warn_once_continue
enable_krb5 = no
CONF
	chmod 0640 "$WORK/audisp-remote.conf"
	# auditd starts plugins with an empty environment: absolute paths
	cat >"$WORK/audisp-remote-ns" <<WRAP
#!/bin/sh
# audisp-remote with the test's configuration (see tests/e2e/fleet.sh)
exec /usr/bin/unshare -m --propagation private /bin/sh -c \\
	'/bin/mount --bind "\$0" $REMOTE_CONF_PATH && exec $AUDISP_REMOTE' \\
	"$WORK/audisp-remote.conf"
WRAP
	chown root:root "$WORK/audisp-remote-ns"
	chmod 0750 "$WORK/audisp-remote-ns"
	cat >"$WORK/plugins.d/au-remote.conf" <<CONF
active = yes
direction = out
path = $WORK/audisp-remote-ns
type = always
format = string
CONF
	chmod 0640 "$WORK/plugins.d/au-remote.conf"
}

# remote_connected: audisp-remote (auditd's child) has a connection to PORT
remote_connected() {
	local pid
	alive "$AUDITD_PID" || return 2
	pid=$(pgrep -P "$AUDITD_PID" -x audisp-remote || true)
	[[ -n $pid ]] || return 1
	ss -Htnp state established "dport = :$PORT" 2>/dev/null | grep -q "pid=$pid,"
}

setup() {
	start_aggregator
	remote_plugin
	plugin_conf "$CONF" json_log="$JSON_LOG" stats_interval=0 \
		pid_file="$WORK/audisp-dropexec.pid" \
		state_file="$WORK/audisp-dropexec.state"
	AUDITD_NODE_NAME=$NODE
	start_auditd
	use_project_rules
	build_image "$IMAGE"
	note "aggregator pid $AGG_PID on port $PORT ($AGG), host auditd pid $AUDITD_PID (node $NODE), plugin pid $PLUGIN_PID, binary $BIN"
}

# ------------------------------------------------------------------- tests
t_aggregator_not_kernel() {
	local kpid
	kpid=$(audit_status pid)
	[[ $kpid != "$AGG_PID" ]] || fail "the aggregator (pid $AGG_PID) registered with the kernel" || return
	[[ $kpid == "$AUDITD_PID" ]] || fail "the kernel's audit daemon is pid $kpid, expected the host's auditd $AUDITD_PID" || return
	alive "$AGG_PID" || fail "the aggregator died when the host's auditd started: $(tr '\n' ' ' <"$AGG/auditd.out")"
}

t_remote_connected() {
	wait_for "$LIB_TIMEOUT" remote_connected ||
		fail "audisp-remote did not connect to 127.0.0.1:$PORT within $LIB_TIMEOUT s${SYSLOG_PID:+ (see $SYSLOG_OUT)}"
}

# agg_has PATH CID: the aggregator's log has the finding's USER record of NODE
agg_has() {
	AGG_OUT=$(ausearch --node "$NODE" -m USER -if "$AGG_LOG" -i 2>/dev/null || true)
	helper has "path=$1 " "container_id=$2" <<<"$AGG_OUT"
}

t_drop_reaches_aggregator() {
	local p=/tmp/de-fleet-drop rec deadline
	start_container "$IMAGE" "cp /bin/busybox $p && sleep 1" || lib_fail || return
	if ! one_finding "$CID" "$p"; then
		finish "$CID"
		return 1
	fi
	finish "$CID" || return
	FLEET_CID=$CID
	FLEET_PATH=$p
	deadline=$(($(now_us) + E2E_TIMEOUT * 1000000))
	until agg_has "$p" "$CID"; do
		(($(now_us) < deadline)) ||
			fail "no USER record of node $NODE with path=$p and container_id=${CID:0:12} on the aggregator ($AGG_LOG) within $E2E_TIMEOUT s" || return
		sleep 0.2
	done
	rec=$(helper record "path=$p " "container_id=$CID" <<<"$AGG_OUT" 2>&1) ||
		fail "ausearch on the aggregator: $rec" || return
	grep -qF "node=$NODE " <<<"$rec" || fail "the aggregator's record lacks node=$NODE: $rec" || return
	grep -qF "sig_id=TRC-1022" <<<"$rec" || fail "the aggregator's record lacks sig_id=TRC-1022: $rec" || return
	grep -qF "serial=$(field Event.serial) " <<<"$rec" || fail "the aggregator's record lacks serial=$(field Event.serial): $rec"
}

t_json_names_host() {
	[[ -n ${FLEET_CID:-} ]] || fail "no finding from the test before" || return
	FINDING=$(matches "$FLEET_CID" "$FLEET_PATH")
	expect_field Event.node "$NODE" || return
	expect_field Event.hostName "$(hostname)"
}

# -------------------------------------------------------------------- main
setup
run_test "the aggregator (local_events = no) does not take the kernel" t_aggregator_not_kernel
run_test "audisp-remote connects to the aggregator" t_remote_connected
run_test "a drop shows up on the aggregator: ausearch --node -m USER" t_drop_reaches_aggregator
run_test "the JSON finding names the host (Event.node, Event.hostName)" t_json_names_host
