#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/memory.sh -- the plugin's memory stays bounded
#
# 1. Peak RSS during a burst: burst.sh's figures (run here with
#    --rss-file, or read from --burst-rss FILE when run-all has run it).
# 2. Soak: the stream of parse.sh (tests/bench/data/capture.log.xz
#    multiplied by make_stream.py) replayed again and again through a pipe
#    into audisp-dropexec -i /dev/stdin for MINUTES, with scope = all so
#    that every candidate also goes through the inspector; VmRSS is sampled
#    every 2 s.
#
# Usage: tests/bench/memory.sh [--soak-minutes M] [--burst-rss FILE]
#   --soak-minutes M  length of the replay (default 2; e.g. 60 for an hour)
#   --soak-seconds S  the same in seconds
#   --burst-rss FILE  "burst VmHWM_kB VmRSS_kB" lines written by
#                     burst.sh --rss-file; without it burst.sh is run here
# The soak needs no root; the burst needs what burst.sh needs.
# Exit status 1 only when the plugin did not parse every event it was fed
# (or burst.sh failed).
set -euo pipefail
# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"

SECONDS_SOAK=120
BURST_RSS=""
EVENTS=200000
while (($#)); do
	case $1 in
	--soak-minutes) SECONDS_SOAK=$(($2 * 60)); shift 2 ;;
	--soak-seconds) SECONDS_SOAK=$2; shift 2 ;;
	--burst-rss) BURST_RSS=$2; shift 2 ;;
	*) die "unknown option $1 (see the header of $0)" ;;
	esac
done

find_bin
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	[[ -z ${PPID_PIPE:-} ]] || kill "$PPID_PIPE" 2>/dev/null || true
	bench_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
make_work
wrong=0

if [[ -z $BURST_RSS ]]; then
	BURST_RSS="$WORK/burst.rss"
	"$BENCH/burst.sh" --rss-file "$BURST_RSS" >"$WORK/burst.table" || wrong=1
fi

xz -dc "$BENCH/data/capture.log.xz" >"$WORK/capture.log"
python3 "$BENCH/make_stream.py" "$WORK/capture.log" "$EVENTS" "$WORK/stream.log"
printf '[detect]\nscope = all\n[output]\njson_log = %s\naudit_record = no\n' \
	"$WORK/soak.jsonl" >"$WORK/soak.conf"
chmod 0600 "$WORK/soak.conf"
mkfifo -m 0600 "$WORK/pipe"

# the feeder: whole copies of the stream until the time is up
deadline=$(($(date +%s) + SECONDS_SOAK))
(
	n=0
	while (($(date +%s) < deadline)); do
		cat "$WORK/stream.log"
		n=$((n + 1))
		echo "$n" >"$WORK/cycles"
	done >"$WORK/pipe"
) &
PPID_PIPE=$!
"$BIN" -c "$WORK/soak.conf" -i "$WORK/pipe" 2>"$WORK/plugin.err" &
PLUG=$!
t0=$(date +%s)
: >"$WORK/samples"
while kill -0 "$PLUG" 2>/dev/null; do
	r=$(awk '$1 == "VmRSS:" {print $2}' "/proc/$PLUG/status" 2>/dev/null || true)
	h=$(awk '$1 == "VmHWM:" {print $2}' "/proc/$PLUG/status" 2>/dev/null || true)
	[[ -n $r ]] && echo "$(($(date +%s) - t0)) $r $h" >>"$WORK/samples"
	sleep 2
done
wait "$PLUG" || true
wait "$PPID_PIPE" || true
PPID_PIPE=""
cycles=$(cat "$WORK/cycles" 2>/dev/null || echo 0)
parsed=$(grep -o 'stopping: events=[0-9]*' "$WORK/plugin.err" | cut -d= -f2)
if [[ ${parsed:-0} != $((cycles * EVENTS)) ]]; then
	note "WRONG: fed $((cycles * EVENTS)) events, the plugin parsed ${parsed:-none}"
	wrong=1
fi

mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
# sample_at FRACTION: VmRSS of the sample at that fraction of the run
sample_at() {
	awk -v f="$1" '{ t[NR] = $1; r[NR] = $2 } END {
		want = t[NR] * f; for (i = 1; i <= NR; i++) if (t[i] >= want) { print r[i]; exit } }' "$WORK/samples"
}
echo "Memory of the plugin (MiB)"
echo
echo "| when | VmRSS | VmHWM (peak) |"
echo "| --- | ---: | ---: |"
while read -r _ hwm rss; do
	echo "| burst.sh (live, during and right after the burst) | $(mib "$rss") | $(mib "$hwm") |"
done <"$BURST_RSS"
secs=$(awk 'END {print $1}' "$WORK/samples")
for f in 0.05 0.25 0.5 0.75 1; do
	awk -v f="$f" -v s="$secs" -v r="$(sample_at "$f")" 'BEGIN {
		printf "| soak replay, at %d s of %d s | %.1f | |\n", s * f, s, r / 1024 }'
done
qd=$(grep 'stopping:' "$WORK/plugin.err" | grep -o ' queue_dropped=[0-9]*' | cut -d= -f2)
echo "| soak replay, whole run: $parsed events in $SECONDS_SOAK s, scope = all (the reader outran the inspector: ${qd:-?} candidates dropped at the full queue, which bounds memory) | | $(mib "$(awk 'END {print $3}' "$WORK/samples")") |"
exit "$wrong"
