#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/events.sh -- how many events typical activity makes, with and
# without rules/69-dropexec-exclusions.rules, and what they weigh in the log
#
# A private auditd runs the plugin (shipped configuration). Each workload
# runs under each rule set, the sets taking turns:
#   main     the write lines of rules/dropexec.rules alone (its executions
#            taken out: the rules as first shipped, before any exclusion;
#            with executions and no exclusion every execve of the host
#            would count)
#   shipped  every rules/*dropexec*.rules in augenrules order (the
#            exclusions' active lines, dropexec.rules, any further file)
#   optin    the same, with the commented lines of the exclusions' OPT-IN
#            sections uncommented (the host's compiler, linker, dpkg)
#            uncommented: what they would save, not what is shipped
# Between workloads a marker file is created on the host and waited for in
# the log, so each workload's events are exactly the records between two
# markers. Workloads:
#   container  podman run --rm of a busybox image whose command copies a
#              busybox binary to /tmp/dropped (one drop, which must be
#              reported under every rule set)
#   build      ./configure && make -j2 of this project, in a fresh copy made
#              with git archive (autoreconf and the copy are made before
#              the first marker, under no login uid of the workload)
#   apt        apt-get install --reinstall --no-download busybox-static
#              (the .deb must be in apt's cache)
# Then every workload again under the shipped set with log_format = RAW:
# the plugin must report the drop the same, and the log weighs less.
#
# Only the workload's own events count: it runs with a login uid of its
# own (written to /proc/self/loginuid, inherited by every process it
# starts, podman's, conmon's, runc's and the container's included), and
# events are selected by that auid; the plugin's, the script's and other
# users' of the machine are left out.
#
# Columns: audited events (SYSCALL records with the rules' key), of them
# written by the container's own processes (exe /bin/busybox of the
# image), KB of log for them (all their records), the workload's wall
# time, events and KB per minute of it (the rate while it runs, for
# sizing the log), and the top writers.
#
# Usage: tests/bench/events.sh [--skip build,apt] [--runs N] [--sets LIST]
#          [--no-raw]
#   --skip LIST  workloads to leave out (comma separated)
#   --runs N     rounds (default 1); the table shows medians
#   --sets LIST  rule sets (default "main shipped optin")
#   --no-raw     leave out the log_format = RAW round
# Needs root, auditd, podman, runc, busybox-static, git; takes the lock.
# Exit status 1 when a drop is not reported or the container workload
# makes more than 5 write events of the runtime under the shipped rules.
set -euo pipefail
# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"

SKIP=""
RUNS=1
SETS=(main shipped optin)
RAW=1
while (($#)); do
	case $1 in
	--skip) SKIP=$2; shift 2 ;;
	--runs) RUNS=$2; shift 2 ;;
	--sets) read -ra SETS <<<"$2"; shift 2 ;;
	--no-raw) RAW=0; shift ;;
	*) die "unknown option $1 (see the header of $0)" ;;
	esac
done
skipped() { [[ ,$SKIP, == *,$1,* ]]; }

need_tools git
bench_begin
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
		(cd "$WORK/src" && ./configure -q --prefix=/usr --sysconfdir=/etc &&
			make -j2 -s) >"$WORK/build.out" 2>&1 || die "the build failed: $(tail -n 3 "$WORK/build.out")"
		;;
	apt)
		DEBIAN_FRONTEND=noninteractive apt-get install -qq --reinstall --no-download \
			-y busybox-static >"$WORK/apt.out" 2>&1 || die "apt-get failed: $(tail -n 3 "$WORK/apt.out")"
		;;
	esac
}

# prepare WORKLOAD: what is not part of it (the fresh copy to build)
prepare() {
	if [[ $1 == build ]]; then
		rm -rf "$WORK/src"
		cp -a "$WORK/src0" "$WORK/src"
	fi
}

# measure RULESET WORKLOAD ROUND: one row of $WORK/rows
measure() {
	local set=$1 name=$2 ev own bytes top reported=- t0 t1
	AUID=$((50000 + RANDOM))
	prepare "$name"
	mark
	t0=$(now_us)
	(echo "$AUID" >/proc/self/loginuid && workload "$name") || die "workload $name failed"
	t1=$(now_us)
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
	echo "$set $name $3 $ev $own $bytes $reported ${LOG_FORMAT:-ENRICHED} $(((t1 - t0) / 1000)) $top" >>"$WORK/rows"
	# for a look at what is left: the workload's events, whole
	cp "$WORK/slice" "$WORK/slice.$set.$name.$3.${LOG_FORMAT:-ENRICHED}"
}

# set_rules SET: load the rules of SET
set_rules() {
	case $1 in
	main) load_rules "$WORK/writes-only.rules" ;;
	shipped) load_rules "${PROJECT_RULES[@]}" ;;
	optin) load_rules "${OPTIN_RULES[@]}" ;;
	*) die "unknown rule set $1" ;;
	esac
}

: >"$WORK/rows"
# the baseline: the recording lines without execve/execveat (perm=w)
sed -E -e 's/,execve,execveat//' -e 's/perm=wx/perm=w/' "$RULES" >"$WORK/writes-only.rules"
grep -q "^-a.*execve" "$WORK/writes-only.rules" && die "cannot take the executions out of $RULES"
# the exclusions with their opt-in lines (the sections "OPT-IN" and on)
# uncommented
sed -E '/^## [0-9]+\. OPT-IN/,$ s/^#-a /-a /' "$EXCLUSIONS" >"$WORK/optin-exclusions.rules"
OPTIN_RULES=()
for f in "${PROJECT_RULES[@]}"; do
	[[ $f == "$EXCLUSIONS" ]] && f=$WORK/optin-exclusions.rules
	OPTIN_RULES+=("$f")
done
write_plugin_conf
start_auditd
WORKLOADS=()
for w in container build apt; do
	skipped "$w" || WORKLOADS+=("$w")
done
for ((r = 0; r < RUNS; r++)); do
	for w in "${WORKLOADS[@]}"; do
		for ((k = 0; k < ${#SETS[@]}; k++)); do
			set=${SETS[$(((k + r) % ${#SETS[@]}))]}
			set_rules "$set"
			measure "$set" "$w" "$r"
			remove_rules
		done
	done
done
stop_auditd
if ((RAW)); then
	LOG_FORMAT=RAW start_auditd
	load_rules "${PROJECT_RULES[@]}"
	for ((r = 0; r < RUNS; r++)); do
		for w in "${WORKLOADS[@]}"; do
			LOG_FORMAT=RAW measure shipped "$w" "$r"
		done
	done
	remove_rules
	stop_auditd
fi

# rows: set workload round events own bytes reported format ms top...
med() { awk -v s="$1" -v w="$2" -v f="$3" -v fmt="${4:-ENRICHED}" '$1 == s && $2 == w && $8 == fmt {print $f}' "$WORK/rows" | median; }
fail=0
label() {
	case $1 in
	main) echo "writes only, no exclusion" ;;
	shipped) echo "shipped (active exclusions)" ;;
	optin) echo "shipped + opt-in lines (not safe)" ;;
	esac
}
echo "Events per workload (median of $RUNS; rates are per minute of the workload's own run time)"
echo
echo "| workload | rules | log_format | audited events | by the container's processes | log KB | KB per 1000 events | s | events/min | MB/min | drop reported | top writers (exe: events) |"
echo "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"
for w in "${WORKLOADS[@]}"; do
	for fmt in ENRICHED RAW; do
		for set in "${SETS[@]}"; do
			ev=$(med "$set" "$w" 4 "$fmt")
			[[ $ev != nan ]] || continue
			own=$(med "$set" "$w" 5 "$fmt")
			b=$(med "$set" "$w" 6 "$fmt")
			ms=$(med "$set" "$w" 9 "$fmt")
			kb=$(awk -v b="$b" 'BEGIN {printf "%.1f", b / 1024}')
			per=$(awk -v b="$b" -v e="$ev" 'BEGIN { if (e > 0) printf "%.2f", b / 1024 * 1000 / e; else print "-" }')
			rate=$(awk -v e="$ev" -v m="$ms" 'BEGIN { if (m > 0) printf "%.0f", e * 60000 / m; else print "-" }')
			mbm=$(awk -v b="$b" -v m="$ms" 'BEGIN { if (m > 0) printf "%.2f", b / 1048576 * 60000 / m; else print "-" }')
			rep=$(awk -v s="$set" -v w="$w" -v f="$fmt" '$1 == s && $2 == w && $8 == f {print $7}' "$WORK/rows" | sort -u | tr '\n' ' ')
			top=$(awk -v s="$set" -v w="$w" -v f="$fmt" '$1 == s && $2 == w && $8 == f { for (i = 1; i <= 9; i++) $i = ""; print; exit }' "$WORK/rows" | sed 's/^ *//')
			echo "| $w | $(label "$set") | $fmt | $ev | $own | $kb | $per | $(awk -v m="$ms" 'BEGIN {printf "%.1f", m / 1000}') | $rate | $mbm | ${rep% } | $top |"
			if [[ $w == container ]]; then
				[[ $rep == *no* ]] && fail=1
				if [[ $set == shipped ]] && (($(awk -v e="$ev" -v o="$own" 'BEGIN { print (e - o > 5) }'))); then
					fail=1
				fi
			fi
		done
	done
done
echo
for w in "${WORKLOADS[@]}"; do
	a=$(med main "$w" 4)
	for set in "${SETS[@]}"; do
		[[ $set == main ]] && continue
		b=$(med "$set" "$w" 4)
		echo "$w: $set / main = $(awk -v a="$a" -v b="$b" 'BEGIN { if (a > 0) printf "%.2f", b / a; else print "-" }')"
	done
	e=$(med shipped "$w" 6) r=$(med shipped "$w" 6 RAW)
	[[ $r == nan ]] || echo "$w: log bytes RAW / ENRICHED (shipped) = $(awk -v e="$e" -v r="$r" 'BEGIN { if (e > 0) printf "%.2f", r / e; else print "-" }')"
done
exit "$fail"
