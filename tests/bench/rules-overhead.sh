#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/rules-overhead.sh -- what the audit rules cost the kernel and
# the system, per file operation
#
# fileloop (fileloop.c) creates+writes+closes new files, renames a file,
# opens a file read-only, and makes system calls no rule names, N times
# each, on the host, under these rule sets, with a private auditd and the
# plugin running throughout:
#   none      no rules (audit enabled, auditd and the plugin running)
#   one       one rule that never matches these calls (-S acct): what any
#             loaded rule costs every system call
#   dropexec  rules/dropexec.rules (open/creat for write + rename/link,
#             success only)
#   shipped   every rules/*dropexec*.rules, in augenrules order (the
#             exclusions, dropexec.rules, any further file)
#   many      rules/dropexec.rules and 50 more rules limited with -S to a
#             call not made here: the cost of each rule in the list
#   opens     naive: every open/openat/openat2/creat, no perm/success filter
#   writes    naive: every write/pwrite64/writev/pwritev/pwritev2
# The rule sets take turns in each round (rotated), RUNS rounds; ratios are
# medians of per-round ratios measured side by side (to "none", and for
# the system calls no rule names, of "shipped" to "dropexec").
# Columns: wall time per operation of the looping process; its CPU time;
# CPU time of auditd, of the plugin and of kauditd per operation (read from
# /proc after the backlog has drained; 10 ms ticks); records lost by the
# kernel.
#
# The loop runs in a private tmpfs: on this machine's ext4 a create costs
# ~0.5 ms of CPU in the file system alone, which hides the audit cost.
#
# Operations: create, rename, openr (read-only open); and system calls no
# rule names, what every unrelated system call pays: other (lseek and
# fstat), getppid (the cheapest call: the audit framework's cost
# undiluted), read1 (pread of one byte).
#
# Usage: tests/bench/rules-overhead.sh [--ops N] [--calls N] [--runs N]
#          [--dir DIR] [--configs "none dropexec ..."] [--operations "create ..."]
#   --ops N   file operations per measurement (default 20000)
#   --calls N calls per measurement for other, getppid, read1 (default
#             1000000)
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
CALLS=1000000
RUNS=5
CONFIGS=(none one dropexec shipped many opens writes)
OPNAMES=(create rename openr other getppid read1)
SELF_AUDIT=0
LOOP_DIR=""
MOUNTED=""
while (($#)); do
	case $1 in
	--ops) OPS=$2; shift 2 ;;
	--calls) CALLS=$2; shift 2 ;;
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
echo "-a always,exit -F arch=b64 -S acct -F success=1 -k dropexec_bench" >"$WORK/one.rules"
for ((i = 1; i <= 50; i++)); do
	echo "-a never,exit -F arch=b64 -S acct -F success=1 -F auid=$((70000 + i)) -k dropexec_bench"
done >"$WORK/many.rules"
rules_file() {
	case $1 in
	none) echo "$WORK/none.rules" ;;
	dropexec) echo "$RULES" ;;
	shipped) echo "${PROJECT_RULES[*]}" ;;
	many) echo "$WORK/many.rules $RULES" ;;
	*) echo "$WORK/$1.rules" ;;
	esac
}
# rules_count CONFIG: -a lines loaded
rules_count() {
	# shellcheck disable=SC2046,SC2126 # one path per word; grep -c counts per file
	grep -h "^-a" $(rules_file "$1") | wc -l
}
# ops OP: how many times fileloop repeats OP
ops() {
	case $1 in
	other | getppid | read1) echo "$CALLS" ;;
	*) echo "$OPS" ;;
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
			measure "$r" "$cfg" "$op" "$(ops "$op")"
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

# ratio A B OP FIELD: median over rounds of A's FIELD / B's FIELD in the
# same round
ratio() {
	awk -v a="$1" -v b="$2" -v o="$3" -v f="$4" '$3 == o && $2 == b {d[$1] = $f}
		$3 == o && $2 == a {v[$1] = $f}
		END {for (r in v) if ((r in d) && d[r] > 0) print v[r] / d[r]}' "$WORK/results" | median
}
# diff_per_rule OP: median over rounds of (many - dropexec) / 50, wall ns
diff_per_rule() {
	awk -v o="$1" '$3 == o && $2 == "dropexec" {d[$1] = $4}
		$3 == o && $2 == "many" {v[$1] = $4}
		END {for (r in v) if (r in d) print (v[r] - d[r]) / 50}' "$WORK/results" | median |
		awk '{printf "%.1f", $1}'
}
label() {
	case $1 in
	none) echo "no rules" ;;
	one) echo "one rule (-S acct)" ;;
	dropexec) echo "rules/dropexec.rules + plugin" ;;
	shipped) echo "shipped: $(for f in "${PROJECT_RULES[@]}"; do printf '%s ' "${f##*/}"; done)+ plugin" ;;
	many) echo "rules/dropexec.rules + 50 rules -S acct" ;;
	opens) echo "naive: every open" ;;
	writes) echo "naive: every write()" ;;
	opens-self) echo "naive: every open, plugin not excluded (1000 ops)" ;;
	esac
}
echo "Rules overhead: $OPS file operations or $CALLS calls per run, median of $RUNS rounds (rule sets rotated within each round)"
echo
echo "| rules | -a lines | operation | wall ns/op | x no rules (wall) | x no rules (CPU) | process CPU ns/op | auditd CPU ns/op | plugin CPU ns/op | kauditd CPU ns/op | lost |"
echo "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for op in "${OPNAMES[@]}"; do
	for cfg in "${CONFIGS[@]}"; do
		sel() { awk -v c="$cfg" -v o="$op" -v f="$1" '$2 == c && $3 == o {print $f}' "$WORK/results"; }
		[[ -n $(sel 4) ]] || continue
		lost=$(sel 9 | awk '{s += $1} END {print s + 0}')
		printf '| %s | %d | %s | %.0f | %.3f | %.3f | %.0f | %.0f | %.0f | %.0f | %d |\n' \
			"$(label "$cfg")" "$(rules_count "$cfg")" "$op" "$(sel 4 | median)" \
			"$(ratio "$cfg" none "$op" 4)" "$(ratio "$cfg" none "$op" 5)" "$(sel 5 | median)" \
			"$(sel 6 | median)" "$(sel 7 | median)" "$(sel 8 | median)" "$lost"
	done
done
# the calls no rule names: the shipped set against no rules and against
# rules/dropexec.rules alone, and what one rule in the list adds
have() { [[ " ${CONFIGS[*]} " == *" $1 "* ]]; }
unrelated=()
for op in "${OPNAMES[@]}"; do
	[[ $op == other || $op == getppid || $op == read1 ]] && unrelated+=("$op")
done
if ((${#unrelated[@]})) && have shipped && have none; then
	echo
	echo "System calls no rule names (median of per-round ratios, wall / process CPU):"
	echo
	echo "| operation | shipped / no rules | shipped / dropexec.rules | one rule / no rules | per rule in the list, ns (many - dropexec) / 50 |"
	echo "| --- | ---: | ---: | ---: | ---: |"
	for op in "${unrelated[@]}"; do
		r1=$(printf '%.3f / %.3f' "$(ratio shipped none "$op" 4)" "$(ratio shipped none "$op" 5)")
		r2=- r3=- per=-
		have dropexec && r2=$(printf '%.3f / %.3f' "$(ratio shipped dropexec "$op" 4)" "$(ratio shipped dropexec "$op" 5)")
		have one && r3=$(printf '%.3f / %.3f' "$(ratio one none "$op" 4)" "$(ratio one none "$op" 5)")
		have many && have dropexec && per=$(diff_per_rule "$op")
		echo "| $op | $r1 | $r2 | $r3 | $per |"
	done
fi
echo
echo "Kernel lost counter over the whole run: $lost_total; the plugin parsed ${events:-?} events."
((lost_total == 0)) || exit 1
