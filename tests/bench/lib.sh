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
