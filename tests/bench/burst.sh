#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/burst.sh -- a container drops thousands of executables and
# writes tens of thousands of ordinary files as fast as it can
#
# A private auditd (q_depth = 2000, as shipped; kernel backlog 8192, as
# Debian's audit.rules sets it) runs the plugin with the shipped
# configuration and the shipped rules (exclusions, then dropexec.rules). In a podman + runc container,
# burst (burst.c, static) writes NEXEC copies of a small static ELF (tiny.c)
# and NFILES text files, interleaved, into the container's /tmp/burst, then
# the container waits. The table compares findings with the expected ones,
# shows every place an event can be lost (the kernel's lost counter,
# auditd's plugin queue, the plugin's intake buffer, queue and lost_serials
# counters, and the events
# auditd logged against the events the plugin parsed), the time from the
# end of the burst to the last finding, and the plugin's peak RSS.
#
# Usage: tests/bench/burst.sh [--exec N] [--files N] [--runs N] [--rss-file F]
#   --exec N      executables (default 3000)
#   --files N     ordinary files (default 30000)
#   --runs N      bursts, each with a fresh auditd and plugin (default 1)
#   --rss-file F  also write "burst VmHWM_kB VmRSS_kB" lines to F (memory.sh)
# Needs root, auditd, podman, runc, busybox-static; takes the auditd lock.
# Exit status 1 when an event was lost or a finding is missing, extra or
# duplicated.
set -euo pipefail
# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"

NEXEC=3000
NFILES=30000
RUNS=1
RSS_FILE=""
while (($#)); do
	case $1 in
	--exec) NEXEC=$2; shift 2 ;;
	--files) NFILES=$2; shift 2 ;;
	--runs) RUNS=$2; shift 2 ;;
	--rss-file) RSS_FILE=$2; shift 2 ;;
	*) die "unknown option $1 (see the header of $0)" ;;
	esac
done

bench_setup_container burst

kb() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$PLUGIN_PID/status" 2>/dev/null || echo 0; }

wrong=0
: >"$WORK/rows"
for ((run = 1; run <= RUNS; run++)); do
	rm -rf "$WORK/out" "$WORK/audit.log" "$WORK/findings.jsonl"
	: >"$SYSLOG_OUT"
	mkdir -p "$WORK/out"
	write_plugin_conf
	start_auditd
	load_rules "${PROJECT_RULES[@]}"
	lost0=$(audit_status lost)
	CID=$(podman_run -d -v "$WORK/out:/out" "$IMAGE" /bin/sh -c \
		"mkdir -p /tmp/burst && /bin/burst $NEXEC $NFILES /tmp/burst /bin/tiny >/out/burst.txt 2>&1; echo \$? >/out/rc; sleep 900")
	# wait for the burst to end, sampling the plugin's RSS
	rss_max=0
	for ((i = 0; i < 6000; i++)); do
		[[ -s $WORK/out/rc ]] && break
		r=$(kb VmRSS)
		((r > rss_max)) && rss_max=$r
		sleep 0.1
	done
	[[ $(cat "$WORK/out/rc" 2>/dev/null) == 0 ]] || die "burst failed in the container: $(cat "$WORK/out/burst.txt")"
	t_start=$(awk '$1 == "start" {print $2}' "$WORK/out/burst.txt")
	t_end=$(awk '$1 == "end" {print $2}' "$WORK/out/burst.txt")
	# wait for the findings: all of them, or none for 30 s
	last_n=-1 last_change=$(now_us) t_last=""
	while :; do
		n=$(grep -c 'burst/e[0-9]' "$WORK/findings.jsonl" 2>/dev/null || true)
		r=$(kb VmRSS)
		((r > rss_max)) && rss_max=$r
		if [[ $n != "$last_n" ]]; then
			last_n=$n last_change=$(now_us)
			[[ -f $WORK/findings.jsonl ]] && t_last=$(stat -c %.6Y "$WORK/findings.jsonl")
		fi
		((n >= NEXEC)) && break
		(($(now_us) - last_change > 30000000)) && break
		sleep 0.1
	done
	sleep 1 # duplicates, if any, would come now
	hwm=$(kb VmHWM)
	save_auditd_state
	lost=$(($(audit_status lost) - lost0))
	podman rm -f -t 0 "$CID" >/dev/null 2>&1 || true
	stop_auditd
	remove_rules
	result=$(python3 "$BENCH/findings_check.py" verify "$WORK/findings.jsonl" "$CID" /tmp/burst/ "$NEXEC") || wrong=1
	read -r _ expected _ found _ missing _ extra _ dup <<<"$result"
	logged=$(grep -a -c 'name="/tmp/burst/[et][0-9]*" .*nametype=CREATE' "$WORK/audit.log" || true)
	log_events=$(grep -ao 'msg=audit([0-9.:]*)' "$WORK/audit.log" | sort -u | wc -l)
	read_loss_counts
	if loss_seen "$lost" || ((logged != NEXEC + NFILES)); then
		wrong=1
	fi
	dur=$(awk -v a="$t_start" -v b="$t_end" 'BEGIN { printf "%.1f", b - a }')
	rate=$(awk -v a="$t_start" -v b="$t_end" -v n="$((NEXEC + NFILES))" 'BEGIN { printf "%.0f", n / (b - a) }')
	drain=$(awk -v e="$t_end" -v l="${t_last:-0}" 'BEGIN { d = l - e; if (d < 0) d = 0; printf "%.2f", d }')
	echo "$run|$dur|$rate|$expected|$found|$missing / $extra / $dup|$lost|$(overflow_cell)|${qdrop:-?}/${pdrop:-?}/${adrop:-?}|$logged|$log_events/${pev:-?}|$drain|$((hwm / 1024)).$(((hwm % 1024) * 10 / 1024))|$((rss_max / 1024))|$(intake_cell)|${lserial:-not counted}" >>"$WORK/rows"
	[[ -z $RSS_FILE ]] || echo "burst $hwm $rss_max" >>"$RSS_FILE"
done

row() { # TITLE FIELD
	local line out="| $1 |"
	while IFS= read -r line; do
		out+=" $(cut -d'|' -f"$2" <<<"$line") |"
	done <"$WORK/rows"
	echo "$out"
}
hdr="| burst: $NEXEC executables + $NFILES text files |"
sep="| --- |"
for ((run = 1; run <= RUNS; run++)); do
	hdr+=" run $run |"
	sep+=" ---: |"
done
echo "Burst (q_depth ${Q_DEPTH:-2000}, kernel backlog 8192, shipped dropexec.conf)"
echo
echo "$hdr"
echo "$sep"
row "burst duration (s)" 2
row "files written per second" 3
row "findings expected" 4
row "findings produced (expected ones)" 5
row "missing / extra / duplicate" 6
row "kernel: lost (auditctl -s)" 7
row "auditd: plugin queue overflow" 8
row "plugin: queue_dropped / pending_dropped / audit_dropped" 9
row "plugin: intake_dropped / intake_peak (MiB)" 15
row "plugin: lost_serials (gaps in auditd's serial numbers)" 16
row "burst creates in audit.log (expected $((NEXEC + NFILES)))" 10
row "events in audit.log / parsed by the plugin" 11
row "drain: last finding after the burst ended (s)" 12
row "plugin peak RSS, VmHWM (MiB)" 13
exit "$wrong"
