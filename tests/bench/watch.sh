#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/watch.sh -- the cost of the watch list
#
# A container holds FILES log files open for writing (holdlogs.c) and
# appends a line to each every INTERVAL ms for SECONDS; the plugin watches
# them all (check/watch.h) until they are closed. Measured: the CPU time of
# the plugin and of its worker process over the run, the files watched and
# the looks again at them (watch_looks), with the watch list on (the
# shipped settings) and, for comparison, off (watch_max = 0).
#
# --direct measures the watch list alone, without auditd (and without the
# auditd lock): watchcost.c, linked with the build tree's libdropexec.a,
# makes one open candidate per file as the reader would, runs the check
# with the real /proc and mount tables, and reports the CPU of the
# checking thread and of its worker.
#
# Usage: tests/bench/watch.sh [--files N] [--seconds S] [--interval MS]
#                             [--modes "on off"] [--direct]
#   defaults: 100 files, 60 s, 1000 ms, both modes
# Needs root, podman + runc, busybox-static and a static C compiler; all
# but --direct also auditd, and take the auditd lock (tests/lib); --direct
# needs a configured and built tree. Prints a Markdown table.
set -euo pipefail
# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"

FILES=100
SECS=60
INTERVAL=1000
MODES="on off"
DIRECT=0
while (($#)); do
	case $1 in
	--direct) DIRECT=1; shift ;;
	--files) FILES=$2; shift 2 ;;
	--seconds) SECS=$2; shift 2 ;;
	--interval) INTERVAL=$2; shift 2 ;;
	--modes) MODES=$2; shift 2 ;;
	*) die "unknown option $1 (see the header of $0)" ;;
	esac
done

if ((DIRECT)); then
	need_tools podman "$RUNTIME" cc make
else
	need_root_tools
	find_bin
	take_lock
fi
bench_traps bench_cleanup
make_work
cc -O2 -static -o "$WORK/holdlogs" "$BENCH/holdlogs.c" ||
	die "cannot build holdlogs.c statically (libc6-dev)"
build_image "$IMAGE" "$WORK/holdlogs"

# direct MODE: the watch list alone, in watchcost
direct() {
	local wm=1024 cid pid out
	[[ $1 == off ]] && wm=0
	cid=$(podman_run -d "$IMAGE" /bin/sh -c \
		"mkdir -p /tmp/logs && exec /bin/holdlogs /tmp/logs $FILES $((SECS + 20)) $INTERVAL") ||
		die "the container failed"
	pid=$(podman inspect --format '{{.State.Pid}}' "$cid")
	wait_for 10 test -e "/proc/$pid/root/tmp/logs/log$((FILES - 1))" ||
		die "the container made no logs"
	out=$("$WORK/watchcost" "$pid" "$cid" "$FILES" "$SECS" "$wm")
	podman rm -f -t 0 "$cid" >/dev/null 2>&1 || true
	note "mode $1 (direct): $out"
	awk -v m="$1" -v f="$FILES" -v s="$SECS" -v i="$INTERVAL" '{
		for (k = 1; k <= NF; k++) { split($k, kv, "="); v[kv[1]] = kv[2] }
		cpu = v["checker_cpu"] + v["worker_cpu"]
		printf "| %s (direct) | %d | %d | %d | %s | - | %s | %.1f | %.2f | %.2f |\n",
			m, f, s, i, v["watched"], v["looks"], v["looks"] / s, cpu, 100 * cpu / s }' <<<"$out"
}

if ((DIRECT)); then
	make -s -C "$BENCH/../.." libdropexec.a ||
		die "no build tree: ./configure && make first"
	# shellcheck disable=SC2046,SC2016 # one word per flag; make expands $(...)
	cc -O2 -I "$BENCH/../../src" -I "$BENCH/../.." -o "$WORK/watchcost" \
		"$BENCH/watchcost.c" "$BENCH/../../libdropexec.a" \
		$(printf 'p:\n\t@echo $(DEP_LIBS) $(LIBS)\n' |
		  make -s -C "$BENCH/../.." -f Makefile -f - p) ||
		die "cannot build watchcost.c"
	echo "Watch list, measured alone (watchcost): $FILES files held open for writing for $SECS s, a line appended to each every $INTERVAL ms"
	echo
	echo "| watch | files | s | append every ms | watched | watch_full | looks again | looks/s | checker + worker CPU s | CPU % of the run |"
	echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	for mode in $MODES; do
		direct "$mode"
	done
	exit 0
fi
start_syslog

# cpu_ticks PID...: user + system clock ticks of the processes
cpu_ticks() {
	local p t=0 v
	for p; do
		v=$(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)
		t=$((t + v))
	done
	echo "$t"
}

# counter NAME: from the plugin's "stopping:" line in syslog
counter() {
	grep -a 'stopping:' "$SYSLOG_OUT" | tail -n 1 |
		grep -o " $1=[0-9]*" | cut -d= -f2
}

HZ=$(getconf CLK_TCK)
ROWS=()
for mode in $MODES; do
	write_plugin_conf
	if [[ $mode == off ]]; then
		printf '[limits]\nwatch_max = 0\n' >>"$CONF"
	fi
	start_auditd
	load_rules "${PROJECT_RULES[@]}"
	worker=$(pgrep -P "$PLUGIN_PID" -x dropexec-probe | head -n 1 || true)
	# shellcheck disable=SC2086 # no worker: no word
	before=$(cpu_ticks "$PLUGIN_PID" $worker)
	t0=$(now_us)
	podman_run --rm "$IMAGE" /bin/sh -c \
		"mkdir -p /tmp/logs && /bin/holdlogs /tmp/logs $FILES $SECS $INTERVAL" >/dev/null ||
		die "the container failed"
	t1=$(now_us)
	worker=$(pgrep -P "$PLUGIN_PID" -x dropexec-probe | head -n 1 || true)
	# shellcheck disable=SC2086 # no worker: no word
	after=$(cpu_ticks "$PLUGIN_PID" $worker)
	# give the last looks (at most a second apart) time to end
	sleep 2
	stop_auditd
	wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e6 }')
	cpu=$(awk -v t=$((after - before)) -v hz="$HZ" 'BEGIN { printf "%.2f", t / hz }')
	pct=$(awk -v c="$cpu" -v w="$wall" 'BEGIN { printf "%.2f", 100 * c / w }')
	watched=$(counter watched)
	looks=$(counter watch_looks)
	full=$(counter watch_full)
	rate=$(awk -v l="${looks:-0}" -v w="$wall" 'BEGIN { printf "%.1f", l / w }')
	ROWS+=("| $mode | $FILES | $SECS | $INTERVAL | ${watched:-?} | ${full:-?} | ${looks:-?} | $rate | $cpu | $pct |")
	note "mode $mode: wall $wall s (container start and stop included), plugin + worker CPU $cpu s"
done

echo "Watch list: $FILES files held open for writing for $SECS s, a line appended to each every $INTERVAL ms"
echo
echo "| watch | files | s | append every ms | watched | watch_full | looks again | looks/s | plugin + worker CPU s | CPU % of the run |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
printf '%s\n' "${ROWS[@]}"
