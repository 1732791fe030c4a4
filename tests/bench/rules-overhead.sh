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
#   none2     no rules again: measured as a set of its own, its ratio to
#             "none" is the noise floor of the run
#   one       one rule that never matches these calls (-S acct): what any
#             loaded rule costs every system call
#   dropexec  rules/dropexec.rules (opens for writing, creat, renames,
#             links and executions, success only; one line per ABI)
#   shipped   every rules/*dropexec*.rules, in augenrules order (the
#             exclusions, dropexec.rules, any further file)
#   many      rules/dropexec.rules and 50 more rules limited with -S to a
#             call not made here: the cost of each rule in the list
#   opens     naive: every open/openat/openat2/creat, no perm/success filter
#   writes    naive: every write/pwrite64/writev/pwritev/pwritev2
#   NAME      a set given with --set NAME=FILE[,FILE...] (e.g. an older
#             version of the shipped files, to compare)
# The rule sets take turns in each round (rotated), RUNS rounds; ratios are
# medians of per-round ratios measured side by side (to "none"). The loop
# is pinned to one CPU (--cpu) and reads its own thread CPU time around
# the loop: on a shared machine wall time moves by more than the few per
# cent a rule costs a cheap call, CPU time much less.
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
#          [--cpu N|none] [--set NAME=FILE[,FILE...]] [--unrelated]
#   --ops N   file operations per measurement (default 20000)
#   --calls N calls per measurement for other, getppid, read1 (default
#             1000000)
#   --runs N  rounds (default 5)
#   --dir DIR run the loop in DIR instead of a private tmpfs
#   --cpu N   pin the loop to CPU N with taskset (default: the last CPU;
#             "none": not pinned). The daemons run where the scheduler
#             puts them.
#   --set NAME=FILE[,FILE...]  a further rule set, its files loaded in
#             this order; name it in --configs
#   --unrelated  the system calls no rule names only, in many short
#             blocks: --operations "other getppid read1" --calls 200000
#             --runs 30 --configs "none none2 one dropexec shipped" (each
#             can still be given after it). Reports, per set, the median
#             and the interquartile range of the per-round ratios of the
#             loop's CPU time to "none"; "none2" / "none" is the noise.
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
CPU=""
declare -A SETS=()
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
	--cpu) CPU=$2; shift 2 ;;
	--set)
		[[ $2 == ?*=?* ]] || die "--set wants NAME=FILE[,FILE...]"
		SETS[${2%%=*}]=${2#*=}
		shift 2
		;;
	--unrelated)
		OPNAMES=(other getppid read1) CALLS=200000 RUNS=30
		CONFIGS=(none none2 one dropexec shipped)
		shift
		;;
	*) die "unknown option $1 (see the header of $0)" ;;
	esac
done

for cfg in "${!SETS[@]}"; do
	for f in ${SETS[$cfg]//,/ }; do
		[[ -f $f ]] || die "--set $cfg: no file $f"
	done
done
# The loop on one CPU: no migration between rounds, the same caches.
PIN=()
if [[ $CPU != none ]] && command -v taskset >/dev/null; then
	[[ -n $CPU ]] || CPU=$(($(getconf _NPROCESSORS_ONLN) - 1))
	PIN=(taskset -c "$CPU")
fi
need_root_tools
find_bin
take_lock
cleanup() {
	[[ -z $MOUNTED ]] || umount "$MOUNTED" 2>/dev/null || true
	bench_cleanup
}
bench_traps cleanup
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
: >"$WORK/none2.rules"
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
	*)
		if [[ -n ${SETS[$1]:-} ]]; then
			echo "${SETS[$1]//,/ }"
		else
			echo "$WORK/$1.rules"
		fi
		;;
	esac
}
# rules_count CONFIG: -a lines loaded
rules_count() {
	# shellcheck disable=SC2046,SC2126 # one path per word; grep -c counts per file
	{ grep -h "^-a" $(rules_file "$1") || true; } | wc -l
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
	res=$("${PIN[@]}" "$WORK/fileloop" "$3" "$4" "$LOOP_DIR")
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

# ratios A B OP FIELD: A's FIELD / B's FIELD in each round, one a line
ratios() {
	awk -v a="$1" -v b="$2" -v o="$3" -v f="$4" '$3 == o && $2 == b {d[$1] = $f}
		$3 == o && $2 == a {v[$1] = $f}
		END {for (r in v) if ((r in d) && d[r] > 0) print v[r] / d[r]}' "$WORK/results"
}
# ratio A B OP FIELD: median over rounds of A's FIELD / B's FIELD in the
# same round
ratio() { ratios "$@" | median; }
# quartiles: "Q1 median Q3" of the numbers on standard input (linear
# interpolation between the closest ranks)
quartiles() {
	sort -g | awk '{ v[NR] = $1 }
		function q(p,  h, i) { h = (NR - 1) * p + 1; i = int(h)
			return i >= NR ? v[NR] : v[i] + (h - i) * (v[i + 1] - v[i]) }
		END { if (NR) printf "%.3f %.3f %.3f\n", q(0.25), q(0.5), q(0.75); else print "nan nan nan" }'
}
# diff_per_rule OP: median over rounds of (many - dropexec) / 50, CPU ns
diff_per_rule() {
	awk -v o="$1" '$3 == o && $2 == "dropexec" {d[$1] = $5}
		$3 == o && $2 == "many" {v[$1] = $5}
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
	none2) echo "no rules, again (noise floor)" ;;
	*) echo "$1: $(for f in $(rules_file "$1"); do printf '%s ' "${f##*/}"; done)" ;;
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
# the calls no rule names: every set against no rules, per round, as the
# median and interquartile range of the per-round ratios of the loop's CPU
# time; "none2" (no rules, measured as a set of its own) shows the noise
have() { [[ " ${CONFIGS[*]} " == *" $1 "* ]]; }
unrelated=()
for op in "${OPNAMES[@]}"; do
	[[ $op == other || $op == getppid || $op == read1 ]] && unrelated+=("$op")
done
if ((${#unrelated[@]})) && have none; then
	echo
	echo "System calls no rule names: the loop's CPU time per call (thread CPU, pinned${PIN[*]:+ to CPU $CPU}), and its ratio to no rules: median of the $RUNS per-round ratios [interquartile range]"
	echo
	hdr="| rules | -a lines |" sep="| --- | ---: |"
	for op in "${unrelated[@]}"; do
		hdr+=" $op CPU ns | x no rules |" sep+=" ---: | ---: |"
	done
	echo "$hdr"
	echo "$sep"
	for cfg in "${CONFIGS[@]}"; do
		row="| $(label "$cfg") | $(rules_count "$cfg") |"
		for op in "${unrelated[@]}"; do
			ns=$(awk -v c="$cfg" -v o="$op" '$2 == c && $3 == o {print $5}' "$WORK/results" | median)
			if [[ $cfg == none ]]; then
				row+=" $(printf '%.0f' "$ns") | 1 |"
			else
				read -r q1 q2 q3 < <(ratios "$cfg" none "$op" 5 | quartiles)
				row+=" $(printf '%.0f' "$ns") | $q2 [$q1, $q3] |"
			fi
		done
		echo "$row"
	done
	if have many && have dropexec; then
		echo
		echo "Each rule in the list, ns of the loop's CPU per call: median over rounds of (many - dropexec) / 50"
		for op in "${unrelated[@]}"; do
			echo "- $op: $(diff_per_rule "$op")"
		done
	fi
fi
echo
echo "Kernel lost counter over the whole run: $lost_total; the plugin parsed ${events:-?} events."
((lost_total == 0)) || exit 1
