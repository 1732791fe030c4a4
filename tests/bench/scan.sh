#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/scan.sh -- the cost of a scan of the containers' writable layers
#
# One podman + runc container whose upper layer gets FILES small text files
# (in directories of 100) and ELF ELF headers (64 bytes of busybox each:
# every one goes through the worker, libmagic and the sha256, then is
# allowed by "[allow] path", so nothing is reported), written from the
# host. The plugin runs without auditd (its standard input is a FIFO that
# stays open and silent), scans only when asked (SIGUSR2), and these passes
# are timed:
#   first      every file read (the cache is empty)
#   unchanged  the same files again: only the walk and the fstat of each
#   1% changed a chmod of one file in a hundred (a new ctime) first
# and "audisp-dropexec --scan", which starts, loads libmagic and walks
# everything as a first pass. A pass ends when the state file (SIGUSR1,
# [scan] rounds) says its round is done; the wall time and the work time
# (the slices' own time) are the plugin's (last_round_wall_ms,
# last_round_work_ms). CPU time is the plugin's and its worker's (utime +
# stime of /proc/PID/stat, 10 ms ticks). Other running containers' layers
# are scanned too: "files" is the plugin's own count (last_round_files).
#
# No auditd is started: the auditd lock is not taken, and the numbers come
# from a machine other users may load (the load average is printed).
#
# Usage: tests/bench/scan.sh [BINARY] [--files N] [--elf N]
# Output: a Markdown table, and "# ..." notes.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/bench/lib.sh
. "$BENCH_DIR/lib.sh"

FILES=100000
ELF=2000
BIN_ARG=""
while (($#)); do
	case $1 in
	--files) FILES=$2; shift 2 ;;
	--elf) ELF=$2; shift 2 ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
	*) BIN_ARG=$1; shift ;;
	esac
done

[[ $(id -u) -eq 0 ]] || die "must run as root (containers, the plugin)"
need_tools podman "$RUNTIME" python3
find_bin "$BIN_ARG"
make_work
PLUGIN=""
CID=""

cleanup() {
	set +e
	if [[ -n $PLUGIN ]]; then
		kill -TERM "$PLUGIN" 2>/dev/null
		exec 7>&-
		wait "$PLUGIN" 2>/dev/null
	fi
	[[ -z $CID ]] || podman rm -f -t 0 "$CID" >/dev/null 2>&1
	containers_cleanup
	rm -rf "$WORK"
}
trap cleanup EXIT

STATE="$WORK/state"
CONF="$WORK/dropexec.conf"
plugin_conf "$CONF" json_log="$WORK/findings.jsonl" stats_interval=0 \
	pid_file= state_file="$STATE" recheck_ms=0 \
	interval=0 at_start=no max_files=100000000 max_ms=3600000 \
	"+[allow]" "+path = /bench-elf/*"

build_image "$IMAGE"
CID=$(podman_run -d "$IMAGE" /bin/sleep 3600)
UPPER=$(podman inspect --format '{{.GraphDriver.Data.UpperDir}}' "$CID")
note "container ${CID:0:12}, upper layer $UPPER"
"$PYTHON" - "$UPPER" "$FILES" "$ELF" "$BUSYBOX" <<'EOF'
import os, sys
upper, files, elf, busybox = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
for i in range(files):
    d = os.path.join(upper, "bench", "d%04d" % (i // 100))
    if i % 100 == 0:
        os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%d.txt" % i), "w") as f:
        f.write("a text file, number %d\n" % i)
head = open(busybox, "rb").read(64)
os.makedirs(os.path.join(upper, "bench-elf"), exist_ok=True)
for i in range(elf):
    with open(os.path.join(upper, "bench-elf", "e%d" % i), "wb") as f:
        f.write(head)
EOF
note "$FILES text files and $ELF ELF headers written"

state_value() {
	awk -v k="$1" '$1 == k && $2 == "=" { sub(/^[^=]*= /, ""); print; exit }' "$STATE" 2>/dev/null
}
state_newer() {
	[[ -s $STATE ]] || return 1
	[[ $(stat -c %i.%Y.%Z "$STATE") != "$1" ]]
}
dump() {
	local mark=none
	[[ -e $STATE ]] && mark=$(stat -c %i.%Y.%Z "$STATE")
	kill -USR1 "$PLUGIN"
	wait_for 30 state_newer "$mark"
}
# cpu_ticks: utime + stime of the plugin and its worker
cpu_ticks() {
	local pid sum=0
	for pid in "$PLUGIN" $(pgrep -P "$PLUGIN" || true); do
		sum=$((sum + $(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)))
	done
	echo "$sum"
}
rounds_above() {
	dump || return 1
	(($(state_value rounds) > $1))
}

# files written less than a second ago are left for the live check
sleep 1.1

mkfifo "$WORK/in"
exec 7<>"$WORK/in"
"$BIN" -c "$CONF" <"$WORK/in" 2>"$WORK/plugin.err" &
PLUGIN=$!
wait_for 30 test -s "$STATE" || die "the plugin wrote no state file: $(cat "$WORK/plugin.err")"
HZ=$(getconf CLK_TCK)

printf '| pass | files | wall s | work s | files/s (wall) | CPU s | CPU us/file |\n'
printf '| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n'
# pass NAME: one pass on SIGUSR2, timed
pass() {
	local name=$1 r c0 c1
	dump
	r=$(state_value rounds)
	c0=$(cpu_ticks)
	kill -USR2 "$PLUGIN"
	wait_for 3600 rounds_above "$r" || die "pass $name did not end"
	c1=$(cpu_ticks)
	awk -v n="$name" -v f="$(state_value last_round_files)" \
		-v w="$(state_value last_round_wall_ms)" \
		-v k="$(state_value last_round_work_ms)" \
		-v c=$((c1 - c0)) -v hz="$HZ" 'BEGIN {
		ws = w / 1e3; cs = c / hz
		printf "| %s | %d | %.2f | %.2f | %.0f | %.2f | %.1f |\n", n, f,
			ws, k / 1e3, (ws > 0 ? f / ws : 0), cs,
			(f > 0 ? cs * 1e6 / f : 0) }'
}
pass first
pass unchanged
"$PYTHON" - "$UPPER" "$FILES" <<'EOF'
import os, sys
upper, files = sys.argv[1], int(sys.argv[2])
for i in range(0, files, 100):
    os.chmod(os.path.join(upper, "bench", "d%04d" % (i // 100), "f%d.txt" % i), 0o600)
EOF
sleep 1.1
pass "1% changed"

t0=$(now_us)
rc=0
"$BIN" --scan -c "$CONF" >/dev/null 2>"$WORK/scan.err" || rc=$?
t1=$(now_us)
awk -v w=$((t1 - t0)) -v rc=$rc 'BEGIN { printf "| `--scan` (a first pass, with start-up; exit %d) | | %.2f | | | | |\n", rc, w / 1e6 }'
note "findings reported: $(wc -l <"$WORK/findings.jsonl" 2>/dev/null || echo 0); allowed: $(state_value allowed)"
note "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs"
