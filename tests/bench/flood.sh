#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/flood.sh -- a container renames one file 200,000 times as
# fast as it can, then drops one executable
#
# A private auditd (q_depth = 2000 unless Q_DEPTH says otherwise; kernel
# backlog 8192) runs the plugin with the shipped configuration and the
# shipped rules (exclusions, then rules/dropexec.rules). In a podman + runc
# container, renameflood (renameflood.c, static) renames /tmp/flood/a to b
# and back N times, then copies a small ELF to /tmp/flood/after-flood.
# Every rename is an audited event (a SYSCALL, a CWD, four PATH records
# and a PROCTITLE). The table shows every place an event can be lost:
# the kernel's lost counter, auditd's own counters (its state file after
# SIGCONT: "plugin queue overflow detected", "max plugin queue depth
# used", and "queue to plugins is full" in syslog), the plugin's intake
# (intake_dropped), queues and lost_serials (gaps in the serial numbers it
# received), and the events auditd logged against the
# events the plugin parsed; then whether the drop after the flood was
# reported, and the plugin's CPU time per event.
#
# Usage: tests/bench/flood.sh [--renames N]
#   --renames N  renames (default 200000)
# Needs root, auditd, podman, runc, busybox-static; takes the auditd lock.
# Exit status 1 when an event was lost or the drop was not reported.
set -euo pipefail
# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"

RENAMES=200000
while (($#)); do
	case $1 in
	--renames) RENAMES=$2; shift 2 ;;
	*) die "unknown option $1 (see the header of $0)" ;;
	esac
done

bench_setup_container renameflood

ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }

write_plugin_conf
start_auditd
load_rules "${PROJECT_RULES[@]}"
lost0=$(audit_status lost)
p0=$(ticks "$PLUGIN_PID") a0=$(ticks "$AUDITD_PID")
mkdir -p "$WORK/out"
CID=$(podman_run -d -v "$WORK/out:/out" "$IMAGE" /bin/sh -c \
	"mkdir -p /tmp/flood && /bin/renameflood $RENAMES /tmp/flood /bin/tiny >/out/flood.txt 2>&1; echo \$? >/out/rc; sleep 900")
wait_for 1200 test -s "$WORK/out/rc" || die "the flood did not end within 20 minutes"
[[ $(cat "$WORK/out/rc") == 0 ]] || die "renameflood failed in the container: $(cat "$WORK/out/flood.txt")"
reported=no
"$PYTHON" "$TESTS_LIB/findings.py" wait "$JSON_LOG" "$CID" 120 1 /tmp/flood/after-flood >/dev/null 2>&1 && reported=yes
# the plugin has parsed everything once its CPU time stops growing
last=-1
while :; do
	cur=$(ticks "$PLUGIN_PID")
	[[ $cur == "$last" ]] && break
	last=$cur
	sleep 1
done
p1=$(ticks "$PLUGIN_PID") a1=$(ticks "$AUDITD_PID")
save_auditd_state
lost=$(($(audit_status lost) - lost0))
podman rm -f -t 0 "$CID" >/dev/null 2>&1 || true
stop_auditd
remove_rules
t_start=$(awk '$1 == "start" {print $2}' "$WORK/out/flood.txt")
t_end=$(awk '$1 == "end" {print $2}' "$WORK/out/flood.txt")
logged=$(grep -a '^type=SYSCALL' "$AUDIT_LOG" | grep -ac 'exe="/bin/renameflood"' || true)
log_events=$(grep -ao 'msg=audit([0-9.:]*)' "$AUDIT_LOG" | sort -u | wc -l)
read_loss_counts
TCK=$(getconf CLK_TCK)
wrong=0
if loss_seen "$lost" || [[ $reported != yes ]] || ((logged < RENAMES)); then
	wrong=1
fi
echo "Rename flood (q_depth ${Q_DEPTH:-2000}, kernel backlog 8192, shipped rules and dropexec.conf)"
echo
echo "| $RENAMES renames in a container, then one drop | |"
echo "| --- | ---: |"
echo "| flood duration (s) | $(awk -v a="$t_start" -v b="$t_end" 'BEGIN { printf "%.1f", b - a }') |"
echo "| renames per second | $(awk -v a="$t_start" -v b="$t_end" -v n="$RENAMES" 'BEGIN { printf "%.0f", n / (b - a) }') |"
echo "| kernel: lost (auditctl -s) | $lost |"
echo "| auditd: plugin queue overflow | $(overflow_cell) |"
echo "| plugin: intake_dropped / intake_peak (MiB) | $(intake_cell) |"
echo "| plugin: queue_dropped / pending_dropped / audit_dropped | ${qdrop:-?} / ${pdrop:-?} / ${adrop:-?} |"
echo "| plugin: lost_serials (gaps in auditd's serial numbers) | ${lserial:-not counted} |"
echo "| renames in audit.log (expected at least $RENAMES) | $logged |"
echo "| events in audit.log / parsed by the plugin | $log_events / ${pev:-?} |"
echo "| drop after the flood reported | $reported |"
echo "| plugin CPU per event (us) | $(awk -v t=$((p1 - p0)) -v n="${pev:-1}" -v h="$TCK" 'BEGIN { printf "%.1f", t / h * 1e6 / n }') |"
echo "| auditd CPU per event (us) | $(awk -v t=$((a1 - a0)) -v n="${pev:-1}" -v h="$TCK" 'BEGIN { printf "%.1f", t / h * 1e6 / n }') |"
exit "$wrong"
