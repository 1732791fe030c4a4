#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/reader-cpu.sh -- live CPU of the plugin per audit event, host
# writes and container writes, two builds side by side
#
# A private auditd runs the plugin with the project's rules (exclusions
# first). In each round each build (BEFORE, AFTER; their order alternates)
# runs in turn under a fresh auditd, and while it runs:
#   host       fileloop (fileloop.c) creates N files in a private tmpfs on
#              the host: one event each, from one live host process;
#   container  a podman + runc container creates N small text files in its
#              /tmp (echo > /tmp/fI), after an empty container run of the
#              same image whose cost (the container's start-up events) is
#              subtracted.
# The layer scan is off (no pass at start, on losses or by interval): its
# cost is per pass, not per event (tests/bench/scan.sh).
# Plugin CPU is the sum of /proc/PID/task/*/schedstat (ns) over the plugin's
# threads and its children (the probe worker), read after the kernel
# backlog drained and the plugin went idle (less than 1 ms of CPU in 0.5 s:
# the idle plugin's wake-ups are in the numbers, a few µs per 200 ms). Per event = CPU / N. Medians
# over the rounds.
#
# Usage: tests/bench/reader-cpu.sh [--events N] [--runs N] [--before X]
#          [--after BIN] [--threads] [--warmup N] [--rdwr]
#   --events N  files per loop (default 10000)
#   --runs N    rounds (default 3)
#   --before X  the build compared with: a plugin binary, or a git ref of
#               this repository, built in the work directory (default main)
#   --after BIN the build measured (default ./audisp-dropexec, built when
#               missing)
#   --threads   also the container event's CPU and context switches per
#               thread (by thread name: the reader is audisp-dropexec,
#               then dropexec-intake, -check, -send and the worker
#               dropexec-probe; a build that does not name its threads
#               shows them all as audisp-dropexec)
#   --warmup N  host creates before the measured loops (default 8000:
#               about 10 MiB of records, once round the shipped 8 MiB
#               intake ring; 200 was the default before)
#   --rdwr      the container opens its files for reading and writing
#               (sh's "1<>": O_RDWR|O_CREAT), as a file that may be mapped
#               for writing is opened, instead of "echo x >" (O_WRONLY)
#   --gone      each file is written by a subshell that exits at once, as
#               cp or curl writes a file and exits: the writer is mostly
#               gone by the look (the shell's own loop otherwise)
# Needs root, auditd, podman, runc; takes the auditd lock. Timings never
# fail it; exit status 1 only when the kernel lost records.
set -euo pipefail
# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"

EVENTS=10000
RUNS=3
BEFORE=main
AFTER=""
MOUNTED=""
THREADS=0
REDIR=">"
SUB_OPEN=""
SUB_CLOSE=""
WARMUP=8000
while (($#)); do
	case $1 in
	--events) EVENTS=$2; shift 2 ;;
	--runs) RUNS=$2; shift 2 ;;
	--before) BEFORE=$2; shift 2 ;;
	--after) AFTER=$2; shift 2 ;;
	--threads) THREADS=1; shift ;;
	--rdwr) REDIR="1<>"; shift ;;
	--gone) SUB_OPEN="("; SUB_CLOSE=")"; shift ;;
	--warmup) WARMUP=$2; shift 2 ;;
	*) die "unknown option $1 (see the header of $0)" ;;
	esac
done

need_root_tools
if [[ -n $AFTER ]]; then
	BIN=$AFTER
else
	find_bin
fi
AFTER_BIN=$(readlink -f "$BIN")
make_work
cleanup() {
	[[ -z $MOUNTED ]] || umount "$MOUNTED" 2>/dev/null || true
	bench_cleanup
}
bench_traps cleanup

# the build to compare with (before the lock: building takes a while)
if [[ -f $BEFORE && -x $BEFORE ]]; then
	BEFORE_BIN=$(readlink -f "$BEFORE")
	BEFORE_NAME=$BEFORE
else
	BEFORE_NAME="$BEFORE ($(git -C "$REPO" rev-parse --short "$BEFORE"))"
	mkdir "$WORK/before"
	git -C "$REPO" archive "$BEFORE" | tar -x -C "$WORK/before"
	(cd "$WORK/before" && autoreconf -fi && ./configure --prefix=/usr \
		--sysconfdir=/etc && make -j2 audisp-dropexec) \
		>"$WORK/before.out" 2>&1 ||
		die "cannot build $BEFORE (see $WORK/before.out)"
	BEFORE_BIN="$WORK/before/audisp-dropexec"
fi
if [[ -n $AFTER ]]; then
	AFTER_NAME=$AFTER
else
	AFTER_NAME="$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo this tree)"
fi

take_lock
cc_helper fileloop
start_syslog
write_plugin_conf
# no scan of the writable layers: its passes walk whatever containers
# others run on the machine, a cost that is not per event
plugin_conf "$CONF" json_log="$JSON_LOG" stats_interval=0 interval=0 \
	at_start=no on_loss=no
build_image "$IMAGE"
mkdir -p "$WORK/loop"
mount -t tmpfs -o size=256m,mode=0700 dropexec-bench "$WORK/loop"
MOUNTED="$WORK/loop"
mkfifo -m 0600 "$WORK/idle"
exec 8<>"$WORK/idle"

# plugin_ns: CPU time (ns) of the plugin's threads and its children's
plugin_ns() {
	local t=0 f p s
	for p in "$PLUGIN_PID" $(pgrep -P "$PLUGIN_PID" || true); do
		for f in /proc/"$p"/task/*/schedstat; do
			read -r s _ <"$f" 2>/dev/null || continue
			t=$((t + s))
		done
	done
	echo "$t"
}

# thread_snap FILE: "name cpu_ns switches" per thread name, summed over
# the plugin's threads and its children's
thread_snap() {
	local p t
	for p in "$PLUGIN_PID" $(pgrep -P "$PLUGIN_PID" || true); do
		for t in /proc/"$p"/task/*; do
			printf '%s %s\n' "$(cat "$t/comm" 2>/dev/null)" \
				"$(cut -d' ' -f1,3 "$t/schedstat" 2>/dev/null)"
		done
	done | awk 'NF == 3 { ns[$1] += $2; sw[$1] += $3 }
		END { for (k in ns) print k, ns[k], sw[k] }' >"$1"
}

# wait_idle: the kernel backlog is empty and the plugin used less than
# 1 ms of CPU in the last 0.5 s (it wakes up every 200 ms when idle)
wait_idle() {
	local i last cur
	last=$(plugin_ns)
	for ((i = 0; i < 120; i++)); do
		read -rt 0.5 -u 8 _ || true
		cur=$(plugin_ns)
		if ((cur - last < 1000000)) && [[ $(audit_status backlog) == 0 ]]; then
			return 0
		fi
		last=$cur
	done
	note "the plugin did not go idle within 60 s"
}

# container LOOP: a container that creates LOOP files in /tmp
container() {
	podman_run --rm "$IMAGE" /bin/sh -c "i=0; while [ \$i -lt $1 ]; do
		$SUB_OPEN echo x $REDIR /tmp/f\$i $SUB_CLOSE; i=\$((i + 1)); done" \
		>/dev/null 2>&1 ||
		note "the container failed"
}

# measure ROUND BUILD: one auditd with BUILD, appended to $WORK/results as
# "round build host_ns_per_event container_ns_per_event"
measure() {
	local c0 c1 h e0 e1 k
	BIN=$([[ $2 == before ]] && echo "$BEFORE_BIN" || echo "$AFTER_BIN")
	start_auditd
	load_rules "${PROJECT_RULES[@]}"
	# warm-up: enough records to go once round the intake's ring (8 MiB),
	# whose pages are touched for the first time until then: the steady
	# state is measured, not the first minutes' page faults
	"$WORK/fileloop" create "$WARMUP" "$WORK/loop" >/dev/null
	wait_idle
	c0=$(plugin_ns)
	"$WORK/fileloop" create "$EVENTS" "$WORK/loop" >/dev/null
	wait_idle
	c1=$(plugin_ns)
	h=$((c1 - c0))
	e0=$(plugin_ns)
	thread_snap "$WORK/t0"
	container 0
	wait_idle
	e1=$(plugin_ns)
	thread_snap "$WORK/t1"
	k=$((e1 - e0))
	e0=$(plugin_ns)
	container "$EVENTS"
	wait_idle
	e1=$(plugin_ns)
	thread_snap "$WORK/t2"
	# per thread: the loop's CPU and switches less the empty run's
	awk -v r="$1" -v b="$2" -v n="$EVENTS" '
		FILENAME ~ /t0$/ { n0[$1] = $2; s0[$1] = $3; next }
		FILENAME ~ /t1$/ { n1[$1] = $2; s1[$1] = $3; next }
		{ printf "%s %s %s %.2f %.2f\n", r, b, $1,
			($2 - 2 * n1[$1] + n0[$1]) / n / 1000,
			($3 - 2 * s1[$1] + s0[$1]) / n }' \
		"$WORK/t0" "$WORK/t1" "$WORK/t2" >>"$WORK/threads"
	remove_rules
	stop_auditd
	awk -v r="$1" -v b="$2" -v h="$h" -v c="$((e1 - e0 - k))" -v n="$EVENTS" \
		'BEGIN { printf "%s %s %.2f %.2f\n", r, b, h / n / 1000, c / n / 1000 }' \
		>>"$WORK/results"
}

: >"$WORK/results"
: >"$WORK/threads"
lost0=$(audit_status lost)
for ((r = 0; r < RUNS; r++)); do
	if ((r % 2)); then
		measure "$r" after
		measure "$r" before
	else
		measure "$r" before
		measure "$r" after
	fi
done
lost=$(($(audit_status lost) - lost0))

col() { awk -v b="$1" -v c="$2" '$2 == b {print $c}' "$WORK/results" | median; }
echo "Live plugin CPU per event: $EVENTS events per loop, median of $RUNS rounds (builds alternating)"
echo
echo "| build | host create, µs CPU/event | container create, µs CPU/event |"
echo "| --- | ---: | ---: |"
echo "| before: $BEFORE_NAME | $(col before 3) | $(col before 4) |"
echo "| after: $AFTER_NAME | $(col after 3) | $(col after 4) |"
if ((THREADS)); then
	echo
	echo "Container event per thread, µs CPU (context switches) per event, median of $RUNS rounds:"
	echo
	echo "| thread | before | after |"
	echo "| --- | ---: | ---: |"
	# cell BUILD THREAD: "µs (switches sw)"
	cell() {
		local us sw
		us=$(awk -v b="$1" -v t="$2" '$2 == b && $3 == t {print $4}' "$WORK/threads" | median)
		sw=$(awk -v b="$1" -v t="$2" '$2 == b && $3 == t {print $5}' "$WORK/threads" | median)
		echo "$us ($sw sw)"
	}
	for t in $(awk '{print $3}' "$WORK/threads" | sort -u); do
		echo "| $t | $(cell before "$t") | $(cell after "$t") |"
	done
fi
echo
echo "Rounds (round build host container):"
sed 's/^/    /' "$WORK/results"
((lost == 0)) || { note "the kernel lost $lost records"; exit 1; }
