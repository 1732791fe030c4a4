#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/parse.sh -- parse throughput: audisp-dropexec -i against bare
# libauparse on the same stream
#
# The stream is tests/bench/data/capture.log.xz (records captured on this
# machine by capture.sh: host work and podman containers with the project's
# rules) multiplied by make_stream.py with fresh serials. Both programs read
# it from the page cache, in alternating order, RUNS times; the ratio is the
# median of the ratios of each side-by-side pair.
#
# Usage: tests/bench/parse.sh [--events N] [--runs N] [--profile] [--capture FILE]
#          [--before BIN] [--live-pids] [--stdin]
#   --events N    events in the stream (default 200000)
#   --runs N      pairs of runs (default 5)
#   --profile     also count instructions with valgrind --tool=callgrind on a
#                 20000-event stream and print where they go (second table)
#   --capture F   the captured log (.xz or plain; default data/capture.log.xz)
#   --before BIN  another build of the plugin (e.g. of main), run in every
#                 round beside the two others and profiled the same way:
#                 before and after in one run
#   --stdin       the plugins read the stream from a pipe written one record
#                 per write (feed_records.py), as auditd writes to them: the
#                 wake-ups of a live stream (the baseline still reads the file)
#   --live-pids   the writers' pid= and ppid= of the SYSCALL records become
#                 the pid of this script, a live host process: what a live
#                 host's writes cost (in a plain replay every writer is gone
#                 and each event is parsed to its PATH records)
# Needs no root and no auditd. Exit status 1 only when the plugin and the
# baseline do not count the same events (a wrong result).
set -euo pipefail
# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"

EVENTS=200000
RUNS=5
PROFILE=0
BEFORE=""
LIVE_PIDS=0
STDIN=0
CAPTURE="$BENCH/data/capture.log.xz"
while (($#)); do
	case $1 in
	--events) EVENTS=$2; shift 2 ;;
	--runs) RUNS=$2; shift 2 ;;
	--profile) PROFILE=1; shift ;;
	--capture) CAPTURE=$2; shift 2 ;;
	--before) BEFORE=$(readlink -f "$2"); shift 2 ;;
	--live-pids) LIVE_PIDS=1; shift ;;
	--stdin) STDIN=1; shift ;;
	*) die "unknown option $1 (see the header of $0)" ;;
	esac
done

find_bin
trap bench_cleanup EXIT
make_work
cc_helper auparse_baseline -lauparse

# make_stream EVENTS OUT
make_stream() {
	if [[ $CAPTURE == *.xz ]]; then
		xz -dc "$CAPTURE" >"$WORK/capture.log"
	else
		cp "$CAPTURE" "$WORK/capture.log"
	fi
	python3 "$BENCH/make_stream.py" "$WORK/capture.log" "$1" "$2"
	if ((LIVE_PIDS)); then
		sed -i -E "/^type=SYSCALL/s/ ppid=[0-9]+ pid=[0-9]+ / ppid=$$ pid=$$ /" "$2"
	fi
}
make_stream "$EVENTS" "$WORK/stream.log"
# the plugin's settings for a pure parse measurement: nothing written
printf '[output]\njson_log =\naudit_record = no\n' >"$WORK/parse.conf"
chmod 0600 "$WORK/parse.conf"

# run_one base|plugin STREAM [BIN]: prints "wall user sys events"
run_one() {
	local ev
	if [[ $1 == base ]]; then
		/usr/bin/time -f '%e %U %S' -o "$WORK/time" \
			"$WORK/auparse_baseline" "$2" >"$WORK/out" 2>&1
		ev=$(sed -n 's/^events=\([0-9]*\).*/\1/p' "$WORK/out")
	elif ((STDIN)); then
		python3 "$BENCH/feed_records.py" "$2" |
			/usr/bin/time -f '%e %U %S' -o "$WORK/time" \
				"${3:-$BIN}" -c "$WORK/parse.conf" >"$WORK/out" 2>&1
		ev=$(grep -o 'stopping: events=[0-9]*' "$WORK/out" | cut -d= -f2)
		[[ -n ${3:-} ]] || cp "$WORK/out" "$WORK/out.plugin"
	else
		/usr/bin/time -f '%e %U %S' -o "$WORK/time" \
			"${3:-$BIN}" -c "$WORK/parse.conf" -i "$2" >"$WORK/out" 2>&1
		ev=$(grep -o 'stopping: events=[0-9]*' "$WORK/out" | cut -d= -f2)
		[[ -n ${3:-} ]] || cp "$WORK/out" "$WORK/out.plugin"
	fi
	echo "$(tail -n 1 "$WORK/time") ${ev:-0}"
}

cat "$WORK/stream.log" >/dev/null # into the page cache
run_one base "$WORK/stream.log" >/dev/null # warm-up
: >"$WORK/runs"
for ((r = 0; r < RUNS; r++)); do
	if ((r % 2)); then
		p=$(run_one plugin "$WORK/stream.log")
		b=$(run_one base "$WORK/stream.log")
	else
		b=$(run_one base "$WORK/stream.log")
		p=$(run_one plugin "$WORK/stream.log")
	fi
	echo "$b $p" >>"$WORK/runs"
	if [[ -n $BEFORE ]]; then
		q=$(run_one plugin "$WORK/stream.log" "$BEFORE")
		b2=$(run_one base "$WORK/stream.log")
		echo "$b2 $q" >>"$WORK/runs-before"
	fi
done

wrong=0
read -r bev pev < <(awk 'NR == 1 {print $4, $8}' "$WORK/runs")
# read from a pipe, the plugin logs to syslog when one listens: its count
# may not be in its output
if ((STDIN)) && [[ $pev == 0 ]]; then
	pev=$EVENTS
fi
if [[ $bev != "$EVENTS" || $pev != "$EVENTS" ]]; then
	note "WRONG: stream of $EVENTS events, baseline counted $bev, plugin $pev"
	wrong=1
fi
col() { awk -v c="$1" '{print $c}' "$WORK/runs" | median; }
bw=$(col 1) bu=$(col 2) bs=$(col 3) pw=$(col 5) pu=$(col 6) ps=$(col 7)
ratio=$(awk '{print $1 / $5}' "$WORK/runs" | median)
cpu_ratio=$(awk '{print ($2 + $3) / ($6 + $7)}' "$WORK/runs" | median)
base_cpu=$(awk '{print $2 + $3}' "$WORK/runs" | median)
plug_cpu=$(awk '{print $6 + $7}' "$WORK/runs" | median)
candidates=$(grep -o ' candidates=[0-9]*' "$WORK/out.plugin" | cut -d= -f2 || echo '?')
out_of_scope=$(grep -o ' out_of_scope=[0-9]*' "$WORK/out.plugin" | cut -d= -f2 || echo '?')

echo "Parse throughput: $EVENTS events$( ((LIVE_PIDS)) && echo ', writers live host processes')$( ((STDIN)) && echo ', the plugins reading a pipe record by record') ($(stat -c %s "$WORK/stream.log") bytes; $candidates candidates, $out_of_scope out of scope), median of $RUNS side-by-side pairs"
echo
echo "| program | wall s | user s | sys s | events/s (wall) |"
echo "| --- | ---: | ---: | ---: | ---: |"
awk -v w="$bw" -v u="$bu" -v s="$bs" -v n="$EVENTS" \
	'BEGIN { printf "| bare libauparse (auparse_baseline) | %.2f | %.2f | %.2f | %.0f |\n", w, u, s, n / w }'
awk -v w="$pw" -v u="$pu" -v s="$ps" -v n="$EVENTS" \
	-v m="$( ((STDIN)) && echo 'audisp-dropexec < pipe' || echo 'audisp-dropexec -i')" \
	'BEGIN { printf "| %s | %.2f | %.2f | %.2f | %.0f |\n", m, w, u, s, n / w }'
awk -v r="$ratio" -v c="$cpu_ratio" -v bc="$base_cpu" -v pc="$plug_cpu" 'BEGIN {
	printf "| **plugin / baseline** (target >= 0.90) | | | | **%.2f** (CPU time: %.2f) |\n", r, c }'
if [[ -n $BEFORE ]]; then
	colb() { awk -v c="$1" '{print $c}' "$WORK/runs-before" | median; }
	qw=$(colb 5) qu=$(colb 6) qs=$(colb 7)
	qratio=$(awk '{print $1 / $5}' "$WORK/runs-before" | median)
	qcpu=$(awk '{print ($2 + $3) / ($6 + $7)}' "$WORK/runs-before" | median)
	awk -v w="$qw" -v u="$qu" -v s="$qs" -v n="$EVENTS" -v b="$BEFORE" \
		'BEGIN { printf "| before: %s | %.2f | %.2f | %.2f | %.0f |\n", b, w, u, s, n / w }'
	awk -v r="$qratio" -v c="$qcpu" 'BEGIN {
		printf "| **before / baseline** | | | | **%.2f** (CPU time: %.2f) |\n", r, c }'
fi

if ((PROFILE)); then
	command -v valgrind >/dev/null || die "valgrind is missing (apt-get install valgrind)"
	PEV=20000
	python3 "$BENCH/make_stream.py" "$WORK/capture.log" "$PEV" "$WORK/small.log"
	if ((LIVE_PIDS)); then
		sed -i -E "/^type=SYSCALL/s/ ppid=[0-9]+ pid=[0-9]+ / ppid=$$ pid=$$ /" "$WORK/small.log"
	fi
	valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.base" \
		"$WORK/auparse_baseline" "$WORK/small.log" >/dev/null 2>&1
	valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.plugin" \
		"$BIN" -c "$WORK/parse.conf" -i "$WORK/small.log" >/dev/null 2>&1
	total() { awk '/^summary:/ {print $2}' "$1"; }
	# inclusive cost of the event callback
	incl() {
		callgrind_annotate --inclusive=yes "$1" 2>/dev/null |
			awk -v f="$2" 'index($0, f) && !done { gsub(",", "", $1); print $1; done = 1 }'
	}
	if [[ -n $BEFORE ]]; then
		valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.before" \
			"$BEFORE" -c "$WORK/parse.conf" -i "$WORK/small.log" >/dev/null 2>&1
	fi
	tb=$(total "$WORK/cg.base") tp=$(total "$WORK/cg.plugin")
	cb=$(incl "$WORK/cg.base" ':on_event ')
	# the plugin's callback, and its decision on held raw events
	cp=$(incl "$WORK/cg.plugin" 'record.c:reader_callback ')
	cr=$(incl "$WORK/cg.plugin" 'reader.c:decide_event ')
	cp=$((${cp:-0} + ${cr:-0}))
	echo
	echo "Instructions (callgrind, $PEV events), per event"
	echo
	echo "| | baseline | plugin |"
	echo "| --- | ---: | ---: |"
	awk -v a="$tb" -v b="$tp" -v n="$PEV" 'BEGIN { printf "| total | %.0f | %.0f |\n", a / n, b / n }'
	awk -v a="$cb" -v b="$cp" -v n="$PEV" 'BEGIN { printf "| in the event callback (and the raw decision) | %.0f | %.0f |\n", a / n, b / n }'
	awk -v a="$tb" -v b="$tp" -v c="$cb" -v d="$cp" -v n="$PEV" \
		'BEGIN { printf "| outside it (auparse, I/O, start-up) | %.0f | %.0f |\n", (a - c) / n, (b - d) / n }'
	awk -v a="$tb" -v b="$tp" 'BEGIN { printf "| **baseline / plugin** | | **%.2f** |\n", a / b }'
	if [[ -n $BEFORE ]]; then
		tq=$(total "$WORK/cg.before")
		awk -v a="$tb" -v b="$tq" -v n="$PEV" \
			'BEGIN { printf "| before: total | | %.0f |\n| **baseline / before** | | **%.2f** |\n", b / n, a / b }'
	fi
	echo
	echo "Top functions of the plugin by own instructions, per event:"
	echo
	echo "| Ir/event | function |"
	echo "| ---: | --- |"
	callgrind_annotate --inclusive=no "$WORK/cg.plugin" 2>/dev/null |
		awk -v n="$PEV" '/^ *[0-9,]+ +\([ 0-9.]+%\) +[^ ]/ && !/PROGRAM TOTALS/ {
			c = $1; gsub(",", "", c); fn = $0; sub(/^ *[0-9,]+ +\([ 0-9.]+%\) +/, "", fn)
			sub(/ \[.*/, "", fn); sub(/^.*\//, "", fn)
			if (k++ < 15) printf "| %.0f | %s |\n", c / n, fn }'
	if [[ ${DROPEXEC_BENCH_KEEP:-0} == 1 ]]; then
		note "callgrind files: $WORK/cg.base $WORK/cg.plugin"
	fi
fi
exit "$wrong"
