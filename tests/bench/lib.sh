# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/lib.sh -- what only the benchmarks need (sourced).
#
# The private auditd, the plugin's configuration and syslog messages, the
# rules, the lock, the test image and the containers come from the library
# the end-to-end suites use too (tests/lib/auditd.sh, tests/lib/containers.sh);
# this adds the benchmarks' temporary directory, their small C helpers,
# medians and one clean-up for the EXIT trap.
# shellcheck shell=bash

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/lib/auditd.sh
. "$BENCH/../lib/auditd.sh"
# shellcheck source=tests/lib/containers.sh
. "$BENCH/../lib/containers.sh"

BUSYBOX=${DROPEXEC_BENCH_BUSYBOX:-/bin/busybox}
RUNTIME=${DROPEXEC_BENCH_RUNTIME:-runc}
# shellcheck disable=SC2034 # used by the scripts that source this
IMAGE=localhost/dropexec-bench:latest
LABEL="dropexec-bench=$$"
# auditd.conf: room for the big runs
AUDIT_MAX_LOG_MB=${AUDIT_MAX_LOG_MB:-2000}

die() { printf '%s: %s\n' "${0##*/}" "$*" >&2; exit 2; }
fatal() { die "$@"; }

# need_root_tools: root, auditd and the tools the benchmarks use
need_root_tools() { need_tools auditd auditctl podman "$RUNTIME" python3 cc flock; }

# write_plugin_conf: the shipped conf with our JSON log, no periodic stats.
write_plugin_conf() {
	CONF="$WORK/dropexec.conf"
	JSON_LOG="$WORK/findings.jsonl"
	plugin_conf "$CONF" json_log="$JSON_LOG" stats_interval=0
}

make_work() {
	WORK=$(mktemp -d /tmp/dropexec-bench.XXXXXX)
	chmod 0711 "$WORK"
}

# cc_helper NAME [FLAGS...]: build tests/bench/NAME.c into $WORK/NAME.
cc_helper() {
	local name=$1
	shift
	cc -O2 -Wall -o "$WORK/$name" "$BENCH/$name.c" "$@" ||
		die "cannot build $BENCH/$name.c"
}

# median: of the numbers on standard input, one a line.
median() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "nan"; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# bench_traps [CLEANUP]: run CLEANUP (default bench_cleanup) at exit, and
# exit on INT and TERM so that it runs then too
bench_traps() {
	# shellcheck disable=SC2064 # the name is fixed now
	trap "${1:-bench_cleanup}" EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# bench_begin: what a benchmark that starts auditd does first: root and
# the tools, the plugin, the auditd lock, the traps, the work directory
bench_begin() {
	need_root_tools
	find_bin
	take_lock
	bench_traps bench_cleanup
	make_work
}

# bench_setup_container PROG: what the container floods (burst.sh,
# flood.sh) need before their runs: root and the tools, the plugin, the
# auditd lock, the EXIT trap, the work directory, tests/bench/PROG.c and
# tiny.c built static into the bench image, and the syslog listener that
# hears auditd's "queue to plugins is full".
bench_setup_container() {
	local prog=$1
	bench_begin
	cc -O2 -static -o "$WORK/$prog" "$BENCH/$prog.c" ||
		die "cannot build $prog.c statically (libc6-dev)"
	cc -Os -static -nostdlib -s -o "$WORK/tiny" "$BENCH/tiny.c" ||
		die "cannot build tiny.c"
	build_image "$IMAGE" "$WORK/$prog" "$WORK/tiny"
	start_syslog
}

# save_auditd_state: auditd's own counters into $WORK/state (SIGCONT);
# call while auditd runs.
save_auditd_state() { auditd_state >"$WORK/state"; }

# read_loss_counts: every place other than the kernel where an event can
# be lost, once auditd stopped: auditd's queue to the plugins (OVERFLOW,
# MAXQ from save_auditd_state, QSYSLOG), the plugin's intake, queues and
# serial gaps (IDROP, IPEAK, QDROP, PDROP, ADROP, LSERIAL), and the
# events it parsed (PEV).
# shellcheck disable=SC2034 # read by the scripts that source this
read_loss_counts() {
	overflow=$(sed -n 's/^plugin queue overflow detected = //p' "$WORK/state")
	maxq=$(sed -n 's/^max plugin queue depth used = //p' "$WORK/state")
	qsyslog=$(grep -ac 'queue to plugins is full' "$SYSLOG_OUT" || true)
	pev=$(plugin_counter events)
	idrop=$(plugin_counter intake_dropped)
	ipeak=$(plugin_counter intake_peak)
	qdrop=$(plugin_counter queue_dropped)
	pdrop=$(plugin_counter pending_dropped)
	adrop=$(plugin_counter audit_dropped)
	lserial=$(plugin_counter lost_serials)
}

# loss_seen LOST: true when the kernel lost LOST records or any counter of
# read_loss_counts shows a loss (a counter that could not be read counts
# as a loss, but lost_serials only where the build counts it).
loss_seen() {
	((${1:-1} > 0 || ${idrop:-1} > 0 || ${qdrop:-1} > 0 ||
		${pdrop:-1} > 0 || ${adrop:-1} > 0 || ${lserial:-0} > 0 ||
		qsyslog > 0)) || [[ $overflow != no ]]
}

# overflow_cell, intake_cell: the table cells of auditd's queue and of
# the plugin's intake buffer.
overflow_cell() {
	echo "${overflow:-?} (max depth ${maxq:-?} of ${Q_DEPTH:-2000}; syslog: $qsyslog)"
}
intake_cell() {
	echo "${idrop:-?} / $(awk -v b="${ipeak:-0}" 'BEGIN { printf "%.1f", b / 1048576 }')"
}

# bench_cleanup: everything a benchmark started (EXIT trap)
bench_cleanup() {
	set +e
	auditd_cleanup
	containers_cleanup
	if [[ -n $WORK && -d $WORK ]]; then
		if [[ ${DROPEXEC_BENCH_KEEP:-0} == 1 ]]; then
			note "files kept in $WORK"
		else
			rm -rf "$WORK"
		fi
	fi
}
