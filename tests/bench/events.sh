#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/events.sh -- how many events typical activity makes, with and
# without rules/69-dropexec-exclusions.rules, and what they weigh in the log
#
# A private auditd runs the plugin (shipped configuration). Each workload
# runs once under rules/dropexec.rules alone ("main") and once under the
# shipped set (the exclusions, then the rules: "shipped"), rule sets
# alternating. Between workloads a marker file is created on the host and
# waited for in the log, so each workload's events are exactly the records
# between two markers. Workloads:
#   container  podman run --rm of a busybox image whose command copies a
#              busybox binary to /tmp/dropped (one drop, which must be
#              reported under both rule sets)
#   build      ./configure && make -j2 of this project, in a copy made with
#              git archive (autoreconf runs before the first marker)
#   apt        apt-get install --reinstall --no-download busybox-static
#              (the .deb must be in apt's cache)
# Then the container workload again under log_format = RAW, to show the
# plugin works the same and what the log weighs.
#
# Only the workload's own events count: it runs with a login uid of its
# own (written to /proc/self/loginuid, inherited by every process it
# starts, podman's, conmon's, runc's and the container's included), and
# events are selected by that auid; the plugin's, the script's and other
# users' of the machine are left out.
#
# Columns: audited events (SYSCALL records with the rules' key), of them
# written by the container's own processes (exe /bin/busybox of the
# image), KB of log for them (all their records), and the top writers.
#
# Usage: tests/bench/events.sh [--skip build,apt] [--runs N]
#   --skip LIST  workloads to leave out (comma separated)
#   --runs N     rounds (default 1); the table shows medians
# Needs root, auditd, podman, runc, busybox-static, git; takes the lock.
# Exit status 1 when a drop is not reported or the container workload
# makes more than 5 write events of the runtime under the shipped rules.
set -euo pipefail
# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"

SKIP=""
RUNS=1
while (($#)); do
	case $1 in
	--skip) SKIP=$2; shift 2 ;;
	--runs) RUNS=$2; shift 2 ;;
	*) die "unknown option $1 (see the header of $0)" ;;
	esac
done
skipped() { [[ ,$SKIP, == *,$1,* ]]; }

need_root_tools
need_tools git
find_bin
take_lock
trap bench_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
make_work
build_image "$IMAGE"
start_syslog
if ! skipped build; then
	mkdir -p "$WORK/src0"
	git -C "$REPO" archive HEAD | tar -x -C "$WORK/src0"
	(cd "$WORK/src0" && autoreconf -fi) >"$WORK/autoreconf.out" 2>&1 ||
		die "autoreconf failed: $(tail -n 3 "$WORK/autoreconf.out")"
fi
if ! skipped apt && ! ls /var/cache/apt/archives/busybox-static_*.deb >/dev/null 2>&1; then
	note "busybox-static's .deb is not in apt's cache: skipping the apt workload"
	SKIP+=",apt"
fi

MARKS=0
# mark: a host write that ends one slice of the log and starts the next
mark() {
	MARKS=$((MARKS + 1))
	: >"/tmp/dropexec-events-mark.$$.$MARKS"
	rm -f "/tmp/dropexec-events-mark.$$.$MARKS"
	wait_for 30 grep -qa "dropexec-events-mark.$$.$MARKS\"" "$AUDIT_LOG" ||
		die "marker $MARKS did not reach the log"
}
# slice: the log lines between the last two markers (exclusive)
slice() {
	awk -v a="dropexec-events-mark.$$.$((MARKS - 1))\"" -v b="dropexec-events-mark.$$.$MARKS\"" '
		index($0, a) { s = 1; next }
		index($0, b) { s = 2 }
		s == 1 { print }' "$AUDIT_LOG" |
		grep -av "dropexec-events-mark.$$" || true
}

# workload NAME: run it; CID is set by the container workload
workload() {
	case $1 in
	container)
		rm -f "$WORK/cid"
		podman_run --rm --cidfile "$WORK/cid" "$IMAGE" /bin/sh -c \
			'cp /bin/busybox /tmp/dropped && sleep 1' >/dev/null
		;;
	build)
		rm -rf "$WORK/src"
		cp -a "$WORK/src0" "$WORK/src"
		(cd "$WORK/src" && ./configure -q --prefix=/usr --sysconfdir=/etc &&
			make -j2 -s) >"$WORK/build.out" 2>&1 || die "the build failed: $(tail -n 3 "$WORK/build.out")"
		;;
	apt)
		DEBIAN_FRONTEND=noninteractive apt-get install -qq --reinstall --no-download \
			-y busybox-static >"$WORK/apt.out" 2>&1 || die "apt-get failed: $(tail -n 3 "$WORK/apt.out")"
		;;
	esac
}

# measure RULESET WORKLOAD ROUND: one row of $WORK/rows
measure() {
	local set=$1 name=$2 ev own bytes top reported=-
	AUID=$((50000 + RANDOM))
	mark
	(echo "$AUID" >/proc/self/loginuid && workload "$name") || die "workload $name failed"
	[[ $name != container ]] || CID=$(cat "$WORK/cid")
	mark
	# the workload's events: their records, whole
	slice | awk -v au=" auid=$AUID " '
		{ id = $0; sub(/.*msg=audit\(/, "", id); sub(/\).*/, "", id) }
		/^type=SYSCALL/ && index($0, au) && index($0, "key=\"dropped_executable\"") { keep[id] = 1 }
		{ line[NR] = $0; ids[NR] = id }
		END { for (i = 1; i <= NR; i++) if (ids[i] in keep) print line[i] }' >"$WORK/slice"
	ev=$(grep -ac '^type=SYSCALL' "$WORK/slice" || true)
	bytes=$(wc -c <"$WORK/slice")
	own=0
	if [[ $name == container ]]; then
		# the container's processes run the image's busybox
		own=$(grep -a '^type=SYSCALL' "$WORK/slice" | grep -ac 'exe="/bin/busybox"' || true)
		reported=no
		JSON_LOG=$WORK/findings.jsonl
		if "$PYTHON" "$TESTS_LIB/findings.py" wait "$JSON_LOG" "$CID" 15 1 /tmp/dropped >/dev/null 2>&1; then
			reported=yes
		fi
	fi
	top=$(grep -a '^type=SYSCALL' "$WORK/slice" | grep -ao ' exe="[^"]*"' | sort | uniq -c | sort -rn | head -n 4 |
		awk '{ sub(/ *exe="/, "", $2); sub(/"$/, "", $2); n = split($2, p, "/"); printf "%s%s %d", sep, p[n], $1; sep = ", " }')
	echo "$set $name $3 $ev $own $bytes $reported ${LOG_FORMAT:-ENRICHED} $top" >>"$WORK/rows"
}

: >"$WORK/rows"
write_plugin_conf
start_auditd
WORKLOADS=()
for w in container build apt; do
	skipped "$w" || WORKLOADS+=("$w")
done
for ((r = 0; r < RUNS; r++)); do
	for w in "${WORKLOADS[@]}"; do
		for set in main shipped; do
			if [[ $set == main ]]; then load_rules "$RULES"; else load_rules "${PROJECT_RULES[@]}"; fi
			measure "$set" "$w" "$r"
			remove_rules
		done
	done
done
stop_auditd
LOG_FORMAT=RAW start_auditd
load_rules "${PROJECT_RULES[@]}"
LOG_FORMAT=RAW measure shipped container raw
remove_rules
stop_auditd

med() { awk -v s="$1" -v w="$2" -v f="$3" -v fmt="${4:-ENRICHED}" '$1 == s && $2 == w && $8 == fmt {print $f}' "$WORK/rows" | median; }
fail=0
echo "Events per workload (log_format = ENRICHED unless said; median of $RUNS)"
echo
echo "| workload | rules | audited events | by the container's processes | log KB | KB per 1000 events | drop reported | top writers (exe: events) |"
echo "| --- | --- | ---: | ---: | ---: | ---: | --- | --- |"
for w in "${WORKLOADS[@]}" container-raw; do
	for set in main shipped; do
		fmt=ENRICHED name=$w
		if [[ $w == container-raw ]]; then
			[[ $set == shipped ]] || continue
			fmt=RAW name=container
		fi
		ev=$(med "$set" "$name" 4 "$fmt")
		[[ $ev != nan ]] || continue
		own=$(med "$set" "$name" 5 "$fmt")
		kb=$(med "$set" "$name" 6 "$fmt" | awk '{printf "%.1f", $1 / 1024}')
		per=$(awk -v k="$kb" -v e="$ev" 'BEGIN { if (e > 0) printf "%.0f", k * 1000 / e; else print "-" }')
		rep=$(awk -v s="$set" -v w="$name" -v f="$fmt" '$1 == s && $2 == w && $8 == f {print $7}' "$WORK/rows" | sort -u | tr '\n' ' ')
		top=$(awk -v s="$set" -v w="$name" -v f="$fmt" '$1 == s && $2 == w && $8 == f { $1 = $2 = $3 = $4 = $5 = $6 = $7 = $8 = ""; print; exit }' "$WORK/rows" | sed 's/^ *//')
		label=$set
		[[ $set == main ]] && label="dropexec.rules only"
		[[ $set == shipped ]] && label="exclusions + dropexec.rules"
		[[ $fmt == RAW ]] && label+=", log_format = RAW"
		echo "| $name | $label | $ev | $own | $kb | $per | ${rep% } | $top |"
		if [[ $name == container ]]; then
			[[ $rep == *no* ]] && fail=1
			if [[ $set == shipped ]] && (($(awk -v e="$ev" -v o="$own" 'BEGIN { print (e - o > 5) }'))); then
				fail=1
			fi
		fi
	done
done
for w in "${WORKLOADS[@]}"; do
	a=$(med main "$w" 4) b=$(med shipped "$w" 4)
	echo
	echo "$w: shipped / main = $(awk -v a="$a" -v b="$b" 'BEGIN { if (a > 0) printf "%.2f", b / a; else print "-" }')"
done
exit "$fail"
