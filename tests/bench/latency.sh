#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/latency.sh -- from the audit timestamp of the triggering
# syscall to the finding being written
#
# A private auditd runs the plugin (shipped configuration, rules/
# dropexec.rules). jsonwatch (jsonwatch.c, inotify) notes the time each
# line of the JSON log is written; the finding's Event.audit_time is the
# kernel's timestamp of the syscall (millisecond resolution).
#
# Two kinds of drop, N each, one every GAP ms (not a burst: this is latency,
# not queueing), in podman + runc containers:
#   written  burst.c writes a copy of a small static ELF (tiny.c) with one
#            open+write+close. The check finds it modified less than 20 ms
#            ago and, by design, looks again 20 ms later (the settle wait,
#            so that the finding describes the whole file): the table shows
#            the latency with it and without it.
#   renamed  the host writes the files into a bind-mounted directory; a
#            second later the container renames each into place (mv). The
#            content is older than 20 ms: no settle wait.
#
# Usage: tests/bench/latency.sh [--drops N] [--gap MS]
#   --drops N  drops of each kind (default 300)
#   --gap MS   time between drops (default 20)
# Needs root, auditd, podman, runc, busybox-static; takes the auditd lock.
# Exit status 1 only when a drop was not reported.
set -euo pipefail
# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"

N=300
GAP=20
SETTLE_MS=20
while (($#)); do
	case $1 in
	--drops) N=$2; shift 2 ;;
	--gap) GAP=$2; shift 2 ;;
	*) die "unknown option $1 (see the header of $0)" ;;
	esac
done

need_root_tools
find_bin
take_lock
WATCH_PID=""
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	[[ -z $WATCH_PID ]] || kill "$WATCH_PID" 2>/dev/null || true
	bench_cleanup
}
bench_traps cleanup
make_work
cc -O2 -static -o "$WORK/burst" "$BENCH/burst.c" || die "cannot build burst.c statically (libc6-dev)"
cc -Os -static -nostdlib -s -o "$WORK/tiny" "$BENCH/tiny.c" || die "cannot build tiny.c"
cc_helper jsonwatch
build_image "$IMAGE" "$WORK/burst" "$WORK/tiny"
start_syslog
write_plugin_conf
install -m 0600 /dev/null "$JSON_LOG"
start_auditd
load_rules "${PROJECT_RULES[@]}"
"$WORK/jsonwatch" "$JSON_LOG" >"$WORK/stamps" &
WATCH_PID=$!

# written: one open+write+close each, GAP ms apart
podman_run --rm "$IMAGE" /bin/sh -c \
	"mkdir -p /tmp/lat && /bin/burst $N 0 /tmp/lat /bin/tiny $((GAP * 1000)) >/dev/null && sleep 1" >/dev/null ||
	die "the 'written' container failed"

GAP_S=$(awk -v g="$GAP" 'BEGIN { printf "%.3f", g / 1000 }')
# renamed: staged on the host, renamed into place in the container
mkdir -m 0755 "$WORK/stage"
for ((i = 0; i < N; i++)); do
	cp "$WORK/tiny" "$WORK/stage/s$i"
done
sleep 1
podman_run --rm -v "$WORK/stage:/stage" "$IMAGE" /bin/sh -c \
	"i=0; while [ \$i -lt $N ]; do mv /stage/s\$i /stage/r\$i; sleep $GAP_S; i=\$((i+1)); done; sleep 1" >/dev/null ||
	die "the 'renamed' container failed"
# until every drop is reported and jsonwatch has seen every line, or
# nothing more came for 5 s
reported() { grep -cE '"path":"(/tmp/lat/e|/stage/r)[0-9]+"' "$JSON_LOG" 2>/dev/null || true; }
stamped() { (($(wc -l <"$WORK/stamps") >= $(wc -l <"$JSON_LOG"))); }
last=-1
while :; do
	n=$(reported)
	((n >= 2 * N)) && stamped && break
	if [[ $n != "$last" ]]; then
		last=$n
		since=$(now_us)
	elif (($(now_us) - since > 5000000)); then
		break
	fi
	sleep 0.1
done
kill "$WATCH_PID" 2>/dev/null || true
wait "$WATCH_PID" 2>/dev/null || true
WATCH_PID=""
stop_auditd

python3 "$BENCH/findings_check.py" latency "$JSON_LOG" "$WORK/stamps" >"$WORK/lat"
# latency in ms per kind
awk '$1 ~ "^/tmp/lat/e[0-9]+$" {printf "%.3f\n", ($3 - $2) * 1000}' "$WORK/lat" >"$WORK/written"
awk '$1 ~ "^/stage/r[0-9]+$" {printf "%.3f\n", ($3 - $2) * 1000}' "$WORK/lat" >"$WORK/renamed"
awk -v s="$SETTLE_MS" '{printf "%.3f\n", $1 - s}' "$WORK/written" >"$WORK/written-net"

# stats FILE: "count median p99 max" (p99: nearest rank)
stats() {
	sort -g "$1" | awk '{ v[NR] = $1 } END {
		if (!NR) { print "0 - - -"; exit }
		r = int(NR * 0.99 + 0.999999); if (r > NR) r = NR
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%d %.1f %.1f %.1f\n", NR, m, v[r], v[NR] }'
}
wrong=0
echo "Latency: audit timestamp of the syscall -> finding written to the JSON log ($N drops of each kind, ${GAP} ms apart)"
echo
echo "| drops | reported | median ms | p99 ms | max ms |"
echo "| --- | ---: | ---: | ---: | ---: |"
for kind in written written-net renamed; do
	read -r cnt med p99 max < <(stats "$WORK/$kind")
	case $kind in
	written) title="written in the container (open+write+close), total" ;;
	written-net) title="  the same, less the ${SETTLE_MS} ms settle wait of the design" ;;
	renamed) title="renamed into place (content 1 s old: no settle wait)" ;;
	esac
	echo "| $title | $cnt/$N | $med | $p99 | $max |"
	((cnt == N)) || wrong=1
done
exit "$wrong"
