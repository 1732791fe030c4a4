#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/rules-overhead.sh -- what the audit rules cost the kernel and
# the system, per file operation
#
# fileloop (fileloop.c) creates+writes+closes new files, renames a file,
# and opens a file read-only, N times each, on the host, under four rule
# sets, with a private auditd and the plugin running throughout:
#   none      no rules
#   dropexec  rules/dropexec.rules (open/creat for write + rename/link,
#             success only)
#   shipped   rules/69-dropexec-exclusions.rules, then rules/dropexec.rules
#   opens     naive: every open/openat/openat2/creat, no perm/success filter
#   writes    naive: every write/pwrite64/writev/pwritev/pwritev2
# The rule sets take turns in each round (rotated), RUNS rounds; ratios are
# medians of per-round ratios to "none" measured side by side.
# Columns: wall time per operation of the looping process; its CPU time;
# CPU time of auditd, of the plugin and of kauditd per operation (read from
# /proc after the backlog has drained; 10 ms ticks); records lost by the
# kernel.
#
# The loop runs in a private tmpfs: on this machine's ext4 a create costs
# ~0.5 ms of CPU in the file system alone, which hides the audit cost.
#
# Operations: create, rename, openr (read-only open), other (lseek and
# fstat, which no rule names: what every unrelated system call pays).
#
# Usage: tests/bench/rules-overhead.sh [--ops N] [--runs N] [--dir DIR]
#          [--configs "none dropexec ..."] [--operations "create ..."]
#   --ops N   operations per measurement (default 20000)
#   --runs N  rounds (default 5)
#   --dir DIR run the loop in DIR instead of a private tmpfs
#   --self-audit  add one run of 1000 creates under the naive "every open"
#             rule WITHOUT excluding the plugin, whose /proc reads are then
#             audited too (slow: tens of ms per operation here)
# Needs root, auditd; takes the auditd lock. Exit status 1 only when the
# kernel lost records.
set -euo pipefail
# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"

OPS=20000
RUNS=5
CONFIGS=(none dropexec shipped opens writes)
OPNAMES=(create rename openr other)
SELF_AUDIT=0
LOOP_DIR=""
MOUNTED=""
while (($#)); do
	case $1 in
	--ops) OPS=$2; shift 2 ;;
	--runs) RUNS=$2; shift 2 ;;
	--dir) LOOP_DIR=$2; shift 2 ;;
	--self-audit) SELF_AUDIT=1; shift ;;
	--configs) read -ra CONFIGS <<<"$2"; shift 2 ;;
	--operations) read -ra OPNAMES <<<"$2"; shift 2 ;;
	*) die "unknown option $1 (see the header of $0)" ;;
	esac
done

need_root_tools
find_bin
take_lock
cleanup() {
	[[ -z $MOUNTED ]] || umount "$MOUNTED" 2>/dev/null || true
	bench_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
make_work
cc_helper fileloop
start_syslog
write_plugin_conf
start_auditd

# The plugin's own read-only opens of /proc are excluded: audited, they
# feed back into the backlog (see --self-audit).
printf '%s\n' \
	"-a never,exit -F arch=b64 -S open,openat,openat2,creat -F pid=$PLUGIN_PID" \
	"-a never,exit -F arch=b32 -S open,openat,openat2,creat -F pid=$PLUGIN_PID" \
	>"$WORK/opens.rules"
: >"$WORK/opens-self.rules"
printf '%s\n' \
	"-a always,exit -F arch=b64 -S open,openat,openat2,creat -k naive_open" \
	"-a always,exit -F arch=b32 -S open,openat,openat2,creat -k naive_open" \
	| tee -a "$WORK/opens-self.rules" >>"$WORK/opens.rules"
printf '%s\n' \
	"-a always,exit -F arch=b64 -S write,pwrite,writev,pwritev,pwritev2 -k naive_write" \
	"-a always,exit -F arch=b32 -S write,pwrite64,writev,pwritev,pwritev2 -k naive_write" \
	>"$WORK/writes.rules"
: >"$WORK/none.rules"
rules_file() {
	case $1 in
	none) echo "$WORK/none.rules" ;;
	dropexec) echo "$RULES" ;;
	shipped) echo "$EXCLUSIONS $RULES" ;;
	*) echo "$WORK/$1.rules" ;;
	esac
}

KAUDITD=$(pgrep -x kauditd | head -n 1 || true)
# a FIFO nobody writes to: "read -t" on it sleeps without starting a
# process (whose opens the naive rules would record)
mkfifo -m 0600 "$WORK/idle"
exec 8<>"$WORK/idle"
# cpu_ticks PID...: user+system clock ticks of these processes (bash
# builtins only: a subprocess would add audited opens of its own)
cpu_ticks() {
	local p t=0 f
	for p in "$@"; do
		if IFS=' ' read -ra f <"/proc/$p/stat" 2>/dev/null; then
			t=$((t + f[13] + f[14]))
		fi
	done
	echo "$t"
}
daemons() { echo "$AUDITD_PID $PLUGIN_PID $KAUDITD"; }

# wait_drained: the daemons stopped working and the kernel backlog is empty
wait_drained() {
	local i last cur
	# shellcheck disable=SC2046 # one pid per word
	last=$(cpu_ticks $(daemons))
	for ((i = 0; i < 150; i++)); do
		read -rt 0.2 -u 8 _ || true
		# shellcheck disable=SC2046
		cur=$(cpu_ticks $(daemons))
		if [[ $cur == "$last" ]] && [[ $(audit_status backlog) == 0 ]]; then
			return 0
		fi
		last=$cur
	done
	note "the daemons did not go idle within 30 s"
}

# measure ROUND CONFIG OP OPS: one run, appended to $WORK/results as
# "round config op wall_ns cpu_ns auditd_ns plugin_ns kauditd_ns lost"
measure() {
	local l0 l1 a0 a1 p0 p1 k0 k1 res wall cpu
	wait_drained
	l0=$(audit_status lost)
	a0=$(cpu_ticks "$AUDITD_PID") p0=$(cpu_ticks "$PLUGIN_PID") k0=$(cpu_ticks "$KAUDITD")
	res=$("$WORK/fileloop" "$3" "$4" "$LOOP_DIR")
	wait_drained
	a1=$(cpu_ticks "$AUDITD_PID") p1=$(cpu_ticks "$PLUGIN_PID") k1=$(cpu_ticks "$KAUDITD")
	l1=$(audit_status lost)
	read -r _ _ wall cpu <<<"$res"
	awk -v r="$1" -v c="$2" -v o="$3" -v w="$wall" -v u="$cpu" -v n="$4" -v t="$TCK" \
		-v a="$((a1 - a0))" -v p="$((p1 - p0))" -v k="$((k1 - k0))" -v l="$((l1 - l0))" \
		'BEGIN { f = 1e9 / t / n; printf "%s %s %s %s %s %.0f %.0f %.0f %d\n", r, c, o, w, u, a * f, p * f, k * f, l }' \
		>>"$WORK/results"
}

TCK=$(getconf CLK_TCK)
mkdir -p "$WORK/loop"
if [[ -z $LOOP_DIR ]]; then
	# this VM's ext4 spends ~0.5 ms of CPU on a create by itself, which
	# would hide the cost of auditing it
	mount -t tmpfs -o size=256m,mode=0700 dropexec-bench "$WORK/loop"
	MOUNTED="$WORK/loop"
	LOOP_DIR="$WORK/loop"
fi
: >"$WORK/results"
lost0=$(audit_status lost)
"$WORK/fileloop" create 2000 "$LOOP_DIR" >/dev/null # warm-up
for ((r = 0; r < RUNS; r++)); do
	for ((k = 0; k < ${#CONFIGS[@]}; k++)); do
		cfg=${CONFIGS[$(((k + r) % ${#CONFIGS[@]}))]}
		# shellcheck disable=SC2046 # one path per word
		load_rules $(rules_file "$cfg")
		for op in "${OPNAMES[@]}"; do
			measure "$r" "$cfg" "$op" "$OPS"
		done
		remove_rules
	done
done
if ((SELF_AUDIT)); then
	load_rules "$WORK/opens-self.rules"
	measure 0 opens-self create 1000
	remove_rules
	CONFIGS+=(opens-self)
fi
lost_total=$(($(audit_status lost) - lost0))
stop_auditd
events=$(plugin_counter events || true)

label() {
	case $1 in
	none) echo "no rules" ;;
	dropexec) echo "rules/dropexec.rules + plugin" ;;
	shipped) echo "exclusions + rules/dropexec.rules + plugin" ;;
	opens) echo "naive: every open" ;;
	writes) echo "naive: every write()" ;;
	opens-self) echo "naive: every open, plugin not excluded (1000 ops)" ;;
	esac
}
echo "Rules overhead: $OPS operations per run, median of $RUNS rounds (rule sets rotated within each round)"
echo
echo "| rules | operation | wall ns/op | x no rules | process CPU ns/op | auditd CPU ns/op | plugin CPU ns/op | kauditd CPU ns/op | lost |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for op in "${OPNAMES[@]}"; do
	for cfg in "${CONFIGS[@]}"; do
		sel() { awk -v c="$cfg" -v o="$op" -v f="$1" '$2 == c && $3 == o {print $f}' "$WORK/results"; }
		[[ -n $(sel 4) ]] || continue
		lost=$(sel 9 | awk '{s += $1} END {print s + 0}')
		ratio=$(awk -v c="$cfg" -v o="$op" '$3 == o && $2 == "none" {b[$1] = $4}
			$3 == o && $2 == c {v[$1] = $4}
			END {for (r in v) if (r in b) print v[r] / b[r]; else print v[r] / b[0]}' "$WORK/results" | median)
		printf '| %s | %s | %.0f | %.2f | %.0f | %.0f | %.0f | %.0f | %d |\n' \
			"$(label "$cfg")" "$op" "$(sel 4 | median)" "$ratio" "$(sel 5 | median)" \
			"$(sel 6 | median)" "$(sel 7 | median)" "$(sel 8 | median)" "$lost"
	done
done
echo
echo "Kernel lost counter over the whole run: $lost_total; the plugin parsed ${events:-?} events."
((lost_total == 0)) || exit 1
