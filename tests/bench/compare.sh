#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/compare.sh -- the reader's verdicts of two builds, side by
# side: audisp-dropexec -i of each on the same records must count the same
# events, candidates, malformed events and lost serials (and with scope =
# container out-of-scope events), and write as many findings, with scope =
# all and scope = container.
#
# Records: data/capture.log.xz, the same with every writer a live host
# process (as parse.sh --live-pids makes it), the stream parse.sh reads
# (20,000 events, an EOE each), tests/fixtures/*.log,
# tests/fixtures/names/names.log, tests/golden/cases/*.log. The two builds
# run in turn on each; what the check then finds of the files depends on
# what this machine holds, so only the reader's counters and the number
# of findings are compared.
#
# Usage: tests/bench/compare.sh --before BIN [--after BIN]
#   --before BIN  the build to compare against (e.g. of main)
#   --after BIN   the build under test (default: ./audisp-dropexec)
# Needs no root and no auditd. Exit status 1 when a count differs.
set -euo pipefail
# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"

BEFORE=""
AFTER=""
while (($#)); do
	case $1 in
	--before) BEFORE=$(readlink -f "$2"); shift 2 ;;
	--after) AFTER=$(readlink -f "$2"); shift 2 ;;
	*) die "unknown option $1 (see the header of $0)" ;;
	esac
done
[[ -n $BEFORE ]] || die "--before BIN is needed"
if [[ -z $AFTER ]]; then
	find_bin
	AFTER=$BIN
fi
trap bench_cleanup EXIT
make_work

ROOT=$(cd "$BENCH/../.." && pwd)
xz -dc "$BENCH/data/capture.log.xz" >"$WORK/capture.log"
sed -E "/^type=SYSCALL/s/ ppid=[0-9]+ pid=[0-9]+ / ppid=$$ pid=$$ /" \
	"$WORK/capture.log" >"$WORK/capture-live.log"
python3 "$BENCH/make_stream.py" "$WORK/capture.log" 20000 "$WORK/stream.log"
inputs=("$WORK/capture.log" "$WORK/capture-live.log" "$WORK/stream.log"
	"$ROOT"/tests/fixtures/*.log "$ROOT/tests/fixtures/names/names.log"
	"$ROOT"/tests/golden/cases/*.log)

# run BIN SCOPE LOG: the reader's counters and the number of findings.
# out_of_scope also counts what the check excludes once it opened a file
# (on /dev/shm after all, ...), which varies from run to run of one
# build when every event is a candidate: with scope = all it is left out.
run() {
	local conf="$WORK/$2.conf" json="$WORK/findings.jsonl"
	printf '[detect]\nscope = %s\n[output]\njson_log = %s\naudit_record = no\n' \
		"$2" "$json" >"$conf"
	chmod 0600 "$conf"
	rm -f "$json"
	"$1" -c "$conf" -i "$3" 2>&1 |
		grep -o 'stopping: .*' |
		tr ' ' '\n' |
		grep -E "^(events|candidates|malformed|lost_serials$(
			[[ $2 == container ]] && echo '|out_of_scope'))=" |
		tr '\n' ' '
	echo "findings=$( [[ -f $json ]] && wc -l <"$json" || echo 0)"
}

wrong=0
echo "| records | scope | before | after | same |"
echo "| --- | --- | --- | --- | --- |"
for log in "${inputs[@]}"; do
	for scope in all container; do
		b=$(run "$BEFORE" "$scope" "$log")
		a=$(run "$AFTER" "$scope" "$log")
		same=yes
		if [[ $a != "$b" ]]; then
			same="**NO**"
			wrong=1
		fi
		echo "| $(basename "$log") | $scope | $b | $a | $same |"
	done
done
exit "$wrong"
