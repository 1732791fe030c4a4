# tests/bench/lib.sh -- helpers shared by the benchmark scripts (sourced).
#
# Paths, building the small helper programs, the auditd lock, a private
# auditd running the plugin, rules, a syslog listener for the plugin's
# counters, a test image, medians and cleanup.
# shellcheck shell=bash

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH/../.." && pwd)
# shellcheck disable=SC2034 # used by the scripts that source this
RULES="$REPO/rules/dropexec.rules"
SHIPPED_CONF="$REPO/conf/dropexec.conf"
LOCK_FILE=/tmp/dropexec-auditd.lock
BUSYBOX=${DROPEXEC_BENCH_BUSYBOX:-/bin/busybox}
RUNTIME=${DROPEXEC_BENCH_RUNTIME:-runc}
IMAGE=localhost/dropexec-bench:latest
LABEL="dropexec-bench=$$"

WORK=""           # temporary directory of this run
AUDITD_PID=""
PLUGIN_PID=""
SYSLOG_PID=""
SYSLOG_MADE=0     # we created /dev/log
RULES_LOADED=""   # a rules file whose -a lines we loaded
OLD_BACKLOG=""
OLD_ENABLED=""
IMAGE_BUILT=0

die() { printf '%s: %s\n' "${0##*/}" "$*" >&2; exit 2; }
note() { printf '# %s\n' "$*" >&2; }
now_us() { echo "${EPOCHREALTIME/./}"; }

# The plugin binary: $DROPEXEC_BIN, else the repository's build.
find_bin() {
	BIN=${DROPEXEC_BIN:-$REPO/audisp-dropexec}
	[[ -x $BIN ]] || die "no plugin binary at $BIN: build it (tests/bench/run-all builds it) or set DROPEXEC_BIN"
	BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
}

make_work() {
	WORK=$(mktemp -d /tmp/dropexec-bench.XXXXXX)
	chmod 0711 "$WORK"
}

# cc_helper NAME [FLAGS...]: build tests/bench/NAME.c into $WORK/NAME.
cc_helper() {
	local name=$1
	shift
	cc -O2 -Wall -o "$WORK/$name" "$BENCH/$name.c" "$@" ||
		die "cannot build $BENCH/$name.c"
}

# median: of the numbers on standard input, one a line.
median() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "nan"; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# ------------------------------------------------------------------ lock
# Take the auditd lock, unless an ancestor holds it: "flock FILE CMD" hands
# its locked descriptor down, and run-all takes it for all scripts.
take_lock() {
	local fd target
	for fd in "/proc/$$/fd/"*; do
		target=$(readlink "$fd" 2>/dev/null) || continue
		if [[ $target == "$LOCK_FILE" ]] && flock -n "${fd##*/}"; then
			return 0
		fi
	done
	exec 9>>"$LOCK_FILE"
	if ! flock -n 9; then
		note "waiting for $LOCK_FILE (another auditd user)"
		flock 9
	fi
}

# ------------------------------------------------------------ root, tools
need_root_tools() {
	local cmd
	[[ $(id -u) -eq 0 ]] || die "must run as root (it starts auditd)"
	for cmd in auditd auditctl podman "$RUNTIME" python3 cc flock; do
		command -v "$cmd" >/dev/null 2>&1 ||
			die "'$cmd' is missing (tools/install-deps installs the packages)"
	done
}

live_auditd() {
	local pid state
	for pid in $(pgrep -x auditd || true); do
		state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || true)
		[[ -n $state && $state != Z ]] && printf '%s ' "$pid"
	done
	return 0
}

alive() {
	local state
	state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null || true)
	[[ -n $state && $state != Z ]]
}

audit_status() { auditctl -s | awk -v k="$1" '$1 == k {print $2}'; }

# ----------------------------------------------------------------- syslog
# The plugin logs its counters to syslog only. When this machine has no
# /dev/log, listen there for the run (removed again at cleanup).
start_syslog() {
	SYSLOG_OUT="$WORK/syslog.txt"
	: >"$SYSLOG_OUT"
	if [[ -e /dev/log ]]; then
		note "/dev/log exists: the plugin's counters go to the system log, not read here"
		return 0
	fi
	python3 "$BENCH/syslog_listen.py" /dev/log "$SYSLOG_OUT" &
	SYSLOG_PID=$!
	SYSLOG_MADE=1
	local i
	for ((i = 0; i < 50; i++)); do
		[[ -S /dev/log ]] && return 0
		sleep 0.05
	done
	die "the syslog listener did not start"
}

stop_syslog() {
	if [[ -n $SYSLOG_PID ]]; then
		kill -TERM "$SYSLOG_PID" 2>/dev/null || true
		wait "$SYSLOG_PID" 2>/dev/null || true
		SYSLOG_PID=""
	fi
	if ((SYSLOG_MADE)); then
		rm -f /dev/log
		SYSLOG_MADE=0
	fi
}

# plugin_counter NAME: from the plugin's last counters line in syslog.
plugin_counter() {
	grep -a 'audisp-dropexec' "$SYSLOG_OUT" 2>/dev/null | grep -a 'events=' | tail -n 1 |
		grep -ao "[[:space:]]$1=[0-9]*" | cut -d= -f2
}

# ------------------------------------------------------------------ auditd
# write_plugin_conf: the shipped conf with our JSON log, no periodic stats.
write_plugin_conf() {
	CONF="$WORK/dropexec.conf"
	JSON_LOG="$WORK/findings.jsonl"
	sed -e "s|^json_log *=.*|json_log = $JSON_LOG|" \
		-e "s|^stats_interval *=.*|stats_interval = 0|" \
		"$SHIPPED_CONF" >"$CONF"
	chmod 0640 "$CONF"
}

# start_auditd: a private auditd with the plugin; q_depth as shipped (2000).
start_auditd() {
	local i q_depth=${Q_DEPTH:-2000}
	AUDIT_LOG="$WORK/audit.log"
	[[ -z $(live_auditd) ]] ||
		die "an auditd is already running (pid $(live_auditd)): stop it first"
	i=$(audit_status pid)
	[[ -z $i || $i == 0 ]] || die "the kernel has an audit daemon registered (pid $i)"
	install -o root -g root -m 0750 "$BIN" "$WORK/audisp-dropexec"
	[[ -f ${CONF:-} ]] || write_plugin_conf
	mkdir -p "$WORK/plugins.d"
	chmod 0755 "$WORK/plugins.d"
	cat >"$WORK/plugins.d/dropexec.conf" <<EOF
active = yes
direction = out
path = $WORK/audisp-dropexec
type = always
args = -c $CONF
format = string
EOF
	cat >"$WORK/auditd.conf" <<EOF
local_events = yes
write_logs = yes
log_file = $AUDIT_LOG
log_format = ENRICHED
flush = INCREMENTAL_ASYNC
freq = 50
max_log_file = 2000
num_logs = 2
max_log_file_action = ROTATE
space_left = 75
space_left_action = SYSLOG
admin_space_left = 50
admin_space_left_action = SYSLOG
disk_full_action = SYSLOG
disk_error_action = SYSLOG
q_depth = $q_depth
overflow_action = SYSLOG
plugin_dir = $WORK/plugins.d
end_of_event_timeout = 2
name_format = NONE
EOF
	chmod 0640 "$WORK/auditd.conf" "$WORK/plugins.d/dropexec.conf"
	OLD_ENABLED=$(audit_status enabled)
	OLD_BACKLOG=$(audit_status backlog_limit)
	# as Debian's audit.rules does: the kernel default (64) loses bursts
	auditctl -b 8192 >/dev/null
	auditd -n -c "$WORK" >"$WORK/auditd.out" 2>&1 </dev/null &
	AUDITD_PID=$!
	for ((i = 0; i < 100; i++)); do
		[[ $(audit_status pid) == "$AUDITD_PID" ]] && break
		alive "$AUDITD_PID" || die "auditd exited at start: $(tr '\n' ' ' <"$WORK/auditd.out")"
		sleep 0.1
	done
	((i < 100)) || die "auditd did not register with the kernel"
	for ((i = 0; i < 50; i++)); do
		PLUGIN_PID=$(pgrep -P "$AUDITD_PID" -x audisp-dropexec || true)
		[[ -n $PLUGIN_PID ]] && break
		sleep 0.1
	done
	[[ -n $PLUGIN_PID ]] || die "auditd did not start the plugin"
}

# stop_auditd: SIGTERM; the plugin finishes its checks, logs its counters.
stop_auditd() {
	local i
	[[ -n $AUDITD_PID ]] || return 0
	if kill -0 "$AUDITD_PID" 2>/dev/null; then
		kill -TERM "$AUDITD_PID" 2>/dev/null || true
		for ((i = 0; i < 150; i++)); do
			alive "$AUDITD_PID" || break
			sleep 0.1
		done
		alive "$AUDITD_PID" && kill -KILL "$AUDITD_PID" 2>/dev/null
	fi
	wait "$AUDITD_PID" 2>/dev/null || true
	AUDITD_PID=""
	if [[ -n $PLUGIN_PID ]]; then
		for ((i = 0; i < 100; i++)); do
			alive "$PLUGIN_PID" || break
			sleep 0.1
		done
		alive "$PLUGIN_PID" && kill -KILL "$PLUGIN_PID" 2>/dev/null
		PLUGIN_PID=""
	fi
	# let the listener receive the plugin's last line
	sleep 0.2
}

# auditd's own report: "auditctl --signal state" writes /var/run/auditd.state.
auditd_state() {
	rm -f /var/run/auditd.state
	kill -CONT "$AUDITD_PID" 2>/dev/null || return 0
	local i
	for ((i = 0; i < 20; i++)); do
		[[ -s /var/run/auditd.state ]] && break
		sleep 0.05
	done
	cat /var/run/auditd.state 2>/dev/null || true
}

# load_rules FILE: add its -a lines (removed again at cleanup).
load_rules() {
	remove_rules "$1"
	RULES_LOADED=$1
	auditctl -R "$1" >/dev/null || die "auditctl -R $1 failed"
}

remove_rules() {
	local line args file=${1:-$RULES_LOADED}
	[[ -n $file && -f $file ]] || return 0
	while IFS= read -r line; do
		[[ $line == -a* ]] || continue
		read -ra args <<<"${line/#-a/-d}"
		auditctl "${args[@]}" >/dev/null 2>&1 || true
	done <"$file"
	[[ $file == "$RULES_LOADED" ]] && RULES_LOADED=""
	return 0
}

# --------------------------------------------------------------- containers
# build_image [FILES...]: busybox-static plus FILES in /bin.
build_image() {
	local root="$WORK/rootfs" a f
	[[ -x $BUSYBOX ]] || die "$BUSYBOX is missing: apt-get install busybox-static"
	mkdir -p "$root"/{bin,tmp,dev,proc,sys,etc}
	chmod 1777 "$root/tmp"
	cp "$BUSYBOX" "$root/bin/busybox"
	for a in sh cp cat ls sleep mkdir mv rm ln dd printf echo head tail chmod true seq date; do
		ln -s busybox "$root/bin/$a"
	done
	for f in "$@"; do
		cp "$f" "$root/bin/"
	done
	tar -C "$root" -c . | podman import - "$IMAGE" >"$WORK/import.out" 2>&1 ||
		die "podman import failed: $(cat "$WORK/import.out")"
	IMAGE_BUILT=1
}

podman_run() {
	podman --runtime "$RUNTIME" run --label "$LABEL" --network none \
		--ulimit nofile=10000:10000 --ulimit nproc=4096:4096 "$@"
}

# ------------------------------------------------------------------ cleanup
bench_cleanup() {
	local ids
	set +e
	stop_auditd
	remove_rules
	[[ -n $OLD_BACKLOG ]] && auditctl -b "$OLD_BACKLOG" >/dev/null 2>&1
	[[ $OLD_ENABLED == 0 ]] && auditctl -e 0 >/dev/null 2>&1
	OLD_BACKLOG=""
	ids=$(podman ps -a -q --filter "label=$LABEL" 2>/dev/null)
	# shellcheck disable=SC2086 # one id per word
	[[ -n $ids ]] && podman rm -f -t 0 $ids >/dev/null 2>&1
	((IMAGE_BUILT)) && podman rmi -f "$IMAGE" >/dev/null 2>&1
	IMAGE_BUILT=0
	stop_syslog
	if [[ -n $WORK && -d $WORK ]]; then
		if [[ ${DROPEXEC_BENCH_KEEP:-0} == 1 ]]; then
			note "files kept in $WORK"
		else
			rm -rf "$WORK"
		fi
	fi
}
