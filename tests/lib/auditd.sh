# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# tests/lib/auditd.sh -- a private auditd running audisp-dropexec, shared by
# the end-to-end suites (tests/e2e) and the benchmarks (tests/bench); sourced.
#
# What it does: the auditd lock, refusing to start beside another audit
# daemon, the plugin's configuration, "auditd -n -c WORK" with its own
# auditd.conf, log and plugin_dir, the project's rules (loaded, and exactly
# those removed again), the kernel's backlog limit and enabled flag (saved
# and restored), a syslog listener for the plugin's messages, and clean-up.
#
# Contract with the caller:
#   - WORK is a private directory (mode 0700 or 0711) before start_auditd;
#     BIN the plugin binary (find_bin sets it).
#   - fatal MESSAGE is called for a problem that stops the run; the default
#     prints it and exits 2; a caller may define its own after sourcing.
#     note MESSAGE prints a diagnostic ("# ..." on standard error).
#   - Every wait polls for the state it waits for, up to a deadline
#     (wait_for); none sleeps a fixed time. LIB_TIMEOUT (seconds, default
#     30) bounds the waits for auditd and the plugin.
#   - A function that can fail within a test returns 1 and sets LIB_ERR
#     to the reason.
#   - auditd_cleanup undoes everything started here; call it from the EXIT
#     trap.
#   - AUDITD_NODE_NAME, when set before start_auditd, makes auditd name its
#     records (name_format = USER, name = AUDITD_NODE_NAME: "node=NAME").
#   - LIB_AGGREGATOR_PIDS: auditds the caller started that never register
#     with the kernel (local_events = no, an aggregator); refuse_other_auditd
#     lets them be. The caller stops them.

# shellcheck disable=SC2034 # variables the caller reads
TESTS_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$TESTS_LIB/../.." && pwd)
# Writes and executions (installed as 70-dropexec.rules)
RULES="$REPO/rules/dropexec.rules"
# Loaded before RULES wherever RULES is loaded (installed as 69-..., the
# rules as 70-...): "never" rules that keep the runtimes' and device
# writes, and the executions of the host's programs, out of the audit
# trail.
EXCLUSIONS="$REPO/rules/69-dropexec-exclusions.rules"
# The project's rules in the order they are loaded: every
# rules/*dropexec*.rules, ordered as augenrules orders them once installed
# (Makefile.am: a name that starts with a number keeps it, any other gets
# "70-"; augenrules sorts with "ls -v"), so the exclusions come first.
project_rules() {
	local f b
	for f in "$REPO"/rules/*dropexec*.rules; do
		[[ -f $f ]] || continue
		b=${f##*/}
		[[ $b == [0-9]*-* ]] || b=70-$b
		printf '%s\t%s\n' "$b" "$f"
	done | sort -V -k1,1 | cut -f2
}
mapfile -t PROJECT_RULES < <(project_rules)
SHIPPED_CONF="$REPO/conf/dropexec.conf"
LOCK_FILE=/tmp/dropexec-auditd.lock
LIB_TIMEOUT=${LIB_TIMEOUT:-30}
# The interpreter itself, asked once: "python3" may be a wrapper script
# (pyenv) that takes seconds to start on a loaded machine.
PYTHON=${PYTHON:-$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null || echo python3)}

WORK=${WORK:-}
AUDITD_NODE_NAME=${AUDITD_NODE_NAME:-}
LIB_AGGREGATOR_PIDS=${LIB_AGGREGATOR_PIDS:-}
BIN=${BIN:-}
AUDITD_PID=""
PLUGIN_PID=""
AUDIT_LOG=""
SYSLOG_PID=""
SYSLOG_OUT=/dev/null
SYSLOG_MADE=0     # we created /dev/log
RULES_LOADED=()   # the rules files whose -a lines we loaded, in order
OLD_BACKLOG=""
OLD_ENABLED=""
LIB_ERR=""

fatal() { printf '%s: %s\n' "${0##*/}" "$*" >&2; exit 2; }
note() { printf '# %s\n' "$*" >&2; }
now_us() { echo "${EPOCHREALTIME/./}"; }

# wait_for SECONDS CMD...: run CMD every 50 ms until it succeeds (0), until
# it gives up (a status of 2 or more, returned), or until SECONDS passed
# (1). The deadline is wall time, so a loaded machine gets the same time.
wait_for() {
	local deadline=$(($(now_us) + ${1%.*} * 1000000)) rc
	shift
	while :; do
		"$@" && return 0
		rc=$?
		((rc < 2)) || return "$rc"
		(($(now_us) < deadline)) || return 1
		sleep 0.05
	done
}

# alive PID: a process that exists and is not a zombie
alive() {
	local state
	state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null || true)
	[[ -n $state && $state != Z ]]
}

# Live (non-zombie) processes named auditd.
live_auditd() {
	local pid
	for pid in $(pgrep -x auditd || true); do
		alive "$pid" && printf '%s ' "$pid"
	done
	return 0
}

# audit_status KEY: a value of "auditctl -s"
audit_status() { auditctl -s 2>/dev/null | awk -v k="$1" '$1 == k {print $2}'; }

# shellcheck disable=SC2120 # the argument is optional
# The plugin binary: [ARG], else $DROPEXEC_BIN, else the repository's build; made absolute.
find_bin() {
	BIN=${1:-${DROPEXEC_BIN:-$REPO/audisp-dropexec}}
	[[ -f $BIN && -x $BIN ]] ||
		fatal "plugin binary '$BIN' is missing or not executable: build it first (make), or pass its path"
	BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
}

# need_tools CMD...: root, and each CMD installed
need_tools() {
	local cmd
	[[ $(id -u) -eq 0 ]] || fatal "must run as root (it starts auditd and containers)"
	for cmd; do
		command -v "$cmd" >/dev/null 2>&1 ||
			fatal "'$cmd' is not installed (tools/install-deps installs the packages)"
	done
	[[ -f $RULES ]] || fatal "rules file $RULES is missing"
	[[ -f $EXCLUSIONS ]] || fatal "rules file $EXCLUSIONS is missing"
	[[ -f $SHIPPED_CONF ]] || fatal "configuration $SHIPPED_CONF is missing"
}

# ------------------------------------------------------------------ lock
# Take the auditd lock, unless an ancestor holds it: "flock FILE CMD" hands
# its locked descriptor down (tests/bench/run-all takes it for all its
# scripts). Waiting for another user of the lock is normal.
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

# refuse_other_auditd: the kernel takes one audit daemon at a time (an
# aggregator of LIB_AGGREGATOR_PIDS takes none)
refuse_other_auditd() {
	local running kpid pid
	running=""
	for pid in $(live_auditd); do
		[[ " $LIB_AGGREGATOR_PIDS " == *" $pid "* ]] || running+="$pid "
	done
	[[ -z $running ]] ||
		fatal "an auditd is already running (pid ${running% }); stop it first (service auditd stop): the kernel accepts one audit daemon at a time"
	kpid=$(audit_status pid)
	[[ -z $kpid || $kpid == 0 ]] ||
		fatal "the kernel already has an audit daemon registered (pid $kpid)"
}

# ----------------------------------------------------------------- syslog
# The plugin logs to syslog only ("started", "reloaded", its counters).
# When this machine has no /dev/log, listen there for the run (removed
# again at clean-up); SYSLOG_OUT then receives the messages, else it is
# /dev/null and the waits on messages fall back to what /proc shows.
start_syslog() {
	if [[ -e /dev/log ]]; then
		note "/dev/log exists: the plugin's messages go to the system log, not read here"
		return 0
	fi
	SYSLOG_OUT="$WORK/syslog.txt"
	: >"$SYSLOG_OUT"
	"$PYTHON" "$TESTS_LIB/syslog_listen.py" /dev/log "$SYSLOG_OUT" &
	SYSLOG_PID=$!
	SYSLOG_MADE=1
	wait_for 10 test -S /dev/log || fatal "the syslog listener did not start"
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
	return 0
}

listening() { ((SYSLOG_MADE)); }

# plugin_lines: the number of messages of the plugin received so far
plugin_lines() { grep -ac 'audisp-dropexec\[' "$SYSLOG_OUT" 2>/dev/null || true; }

# plugin_said AFTER TEXT: a message of the plugin after the first AFTER
# ones holds TEXT
plugin_said() {
	grep -a 'audisp-dropexec\[' "$SYSLOG_OUT" 2>/dev/null | tail -n +"$(($1 + 1))" |
		grep -qaF -- "$2"
}

# plugin_counter NAME: from the plugin's last counters line in syslog
# plugin_counters: the plugin's counters that are not 0, on one line, from
# the state file it writes on SIGUSR1 (state_file of $CONF); empty when
# the plugin does not run or does not answer within 3 s
plugin_counters() {
	local state mark i
	[[ -n $PLUGIN_PID && -n ${CONF:-} && -f $CONF ]] || return 0
	state=$(sed -n 's/^state_file *= *//p' "$CONF" | tail -n 1)
	[[ -n $state ]] || return 0
	mark=$(stat -c %Y.%Z.%s "$state" 2>/dev/null || true)
	kill -USR1 "$PLUGIN_PID" 2>/dev/null || return 0
	for ((i = 0; i < 30; i++)); do
		[[ $(stat -c %Y.%Z.%s "$state" 2>/dev/null || true) != "$mark" ]] && break
		sleep 0.1
	done
	awk '/^\[/ { keep = ($0 == "[queues]" || $0 == "[losses]" || $0 == "[counters]") }
		keep && $2 == "=" && $3 ~ /^[0-9]+$/ && $3 != "0" && $1 !~ /_capacity$/ { printf "%s=%s ", $1, $3 }
		$1 == "last_error" && $3 != "-" { sub(/^last_error = /, ""); printf "last_error: %s", $0 }' \
		"$state" 2>/dev/null
}

# plugin_decisions TEXT: the plugin's recent decisions ([recent] of the
# state file that plugin_counters had it write) on the files whose names
# TEXT holds (words starting with /), else its last 5; one line each
plugin_decisions() {
	local state words=() w
	[[ -n ${CONF:-} && -f $CONF ]] || return 0
	state=$(sed -n 's/^state_file *= *//p' "$CONF" | tail -n 1)
	[[ -n $state && -f $state ]] || return 0
	for w in $1; do
		w=${w%[,:;)]}
		[[ $w == /* ]] && words+=("\"$w\"")
	done
	awk '/^\[/ { keep = ($0 == "[recent]"); next } keep && $1 == "decision"' "$state" |
		if ((${#words[@]})); then
			grep -aF "${words[@]/#/-e}" || true
		else
			tail -n 5
		fi
}

plugin_counter() {
	grep -a 'audisp-dropexec' "$SYSLOG_OUT" 2>/dev/null | grep -a 'events=' | tail -n 1 |
		grep -ao "[[:space:]]$1=[0-9]*" | cut -d= -f2
}

# ------------------------------------------------------------ plugin conf
# plugin_conf FILE [KEY=VALUE]... [+LINE]...: the shipped dropexec.conf with
# each KEY set to VALUE (a key the shipped file lacks is an error) and each
# LINE appended; written next to FILE and renamed over it, so a plugin
# reloading it never reads half a file. pid_file and state_file default to
# FILE's directory (a test's plugin never touches the host's /run; a failed
# test prints the counters of that state file, see plugin_counters).
plugin_conf() {
	local file=$1 arg key sed_args=(-e '') extra=""
	shift
	local dir=${file%/*}
	[[ $dir != "$file" ]] || dir=.
	set -- "pid_file=$dir/plugin.pid" "state_file=$dir/plugin.state" "$@"
	for arg; do
		case $arg in
		+*) extra+="${arg#+}"$'\n' ;;
		*=*)
			key=${arg%%=*}
			grep -q "^$key *=" "$SHIPPED_CONF" ||
				fatal "plugin_conf: $SHIPPED_CONF has no key '$key'"
			sed_args+=(-e "s|^$key *=.*|$key = ${arg#*=}|")
			;;
		*) fatal "plugin_conf: '$arg' is not KEY=VALUE or +LINE" ;;
		esac
	done
	sed "${sed_args[@]}" "$SHIPPED_CONF" >"$file.new"
	[[ -z $extra ]] || printf '%s' "$extra" >>"$file.new"
	chmod 0640 "$file.new"
	mv -f "$file.new" "$file"
}

# ------------------------------------------------------------------ auditd
# install_plugin: the binary as $WORK/audisp-dropexec (auditd wants it
# owned by root and not writable by others)
install_plugin() {
	install -o root -g root -m 0750 "$BIN" "$WORK/audisp-dropexec"
}

# auditd_up: 0 once our auditd is the kernel's audit daemon, 2 if it died
auditd_up() {
	[[ $(audit_status pid) == "$AUDITD_PID" ]] && return 0
	alive "$AUDITD_PID" || return 2
	return 1
}

# plugin_up MARK: 0 once auditd's child audisp-dropexec runs (sets
# PLUGIN_PID) and, with the syslog listener, has said "started" after the
# first MARK messages; 2 if auditd died
plugin_up() {
	alive "$AUDITD_PID" || return 2
	PLUGIN_PID=$(pgrep -P "$AUDITD_PID" -x audisp-dropexec || true)
	[[ -n $PLUGIN_PID ]] || return 1
	listening || return 0
	plugin_said "$1" "started (config $CONF"
}

# start_auditd: a private auditd (auditd -n -c $WORK) that runs the plugin
# with $CONF (default $WORK/dropexec.conf, see plugin_conf); its log is
# $WORK/audit.log. Q_DEPTH (default 2000, as shipped), AUDIT_MAX_LOG_MB
# (default 200) and LOG_FORMAT (default ENRICHED, as Debian ships) tune
# auditd.conf. Returns once auditd is the kernel's audit
# daemon and the plugin has started.
start_auditd() {
	local q_depth=${Q_DEPTH:-2000} max_log=${AUDIT_MAX_LOG_MB:-200} mark rc
	[[ -n $WORK && -d $WORK ]] || fatal "start_auditd: no WORK directory"
	CONF=${CONF:-$WORK/dropexec.conf}
	AUDIT_LOG="$WORK/audit.log"
	refuse_other_auditd
	install_plugin
	[[ -f $CONF ]] || fatal "start_auditd: no plugin configuration $CONF"
	"$WORK/audisp-dropexec" --check-config -c "$CONF" >/dev/null ||
		fatal "the plugin refuses its configuration $CONF"
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
log_format = ${LOG_FORMAT:-ENRICHED}
flush = INCREMENTAL_ASYNC
freq = 50
max_log_file = $max_log
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
EOF
	if [[ -n $AUDITD_NODE_NAME ]]; then
		printf 'name_format = USER\nname = %s\n' "$AUDITD_NODE_NAME" >>"$WORK/auditd.conf"
	else
		echo "name_format = NONE" >>"$WORK/auditd.conf"
	fi
	chmod 0640 "$WORK/auditd.conf" "$WORK/plugins.d/dropexec.conf"
	[[ -n $OLD_ENABLED ]] || OLD_ENABLED=$(audit_status enabled)
	[[ -n $OLD_BACKLOG ]] || OLD_BACKLOG=$(audit_status backlog_limit)
	# as Debian's audit.rules does: the kernel default (64) loses bursts
	auditctl -b 8192 >/dev/null
	mark=$(plugin_lines)
	auditd -n -c "$WORK" >"$WORK/auditd.out" 2>&1 </dev/null &
	AUDITD_PID=$!
	wait_for "$LIB_TIMEOUT" auditd_up || {
		rc=$?
		((rc == 1)) && fatal "auditd did not register with the kernel within $LIB_TIMEOUT s"
		fatal "auditd exited at start: $(tr '\n' ' ' <"$WORK/auditd.out")"
	}
	wait_for "$LIB_TIMEOUT" plugin_up "$mark" ||
		fatal "auditd did not start the plugin within $LIB_TIMEOUT s (see $WORK/auditd.out${SYSLOG_PID:+ and $SYSLOG_OUT})"
}

# hup_plugin [PID]: SIGHUP to PID, by default auditd ("service auditd
# reload", which passes it on to the plugin), else the plugin; returns once
# the plugin has reloaded: it said "reloaded" or "not reloaded" (with the
# syslog listener). Without the listener (the machine has a syslog) there
# is no message to wait for: it gives auditd 0.3 s to pass the signal on,
# then waits until the plugin has no signal pending and sleeps again. 1
# (LIB_ERR says why) when it did not within LIB_TIMEOUT s.
hup_plugin() {
	local mark
	mark=$(plugin_lines)
	kill -HUP "${1:-$AUDITD_PID}"
	if listening; then
		wait_for "$LIB_TIMEOUT" plugin_said "$mark" "reloaded" && return 0
		LIB_ERR="the plugin did not log a reload within $LIB_TIMEOUT s of SIGHUP"
	else
		sleep 0.3
		wait_for "$LIB_TIMEOUT" hup_taken && return 0
		LIB_ERR="the plugin did not take SIGHUP within $LIB_TIMEOUT s"
	fi
	return 1
}

# hup_taken: no SIGHUP pending for the plugin and its main thread asleep
hup_taken() {
	local st
	st=$(cat "/proc/$PLUGIN_PID/status" 2>/dev/null) || return 2
	[[ $(awk '$1 == "ShdPnd:" || $1 == "SigPnd:" {print $2}' <<<"$st" |
		tr '\n' ' ') == *[13579bdf]" "* ]] && return 1
	[[ $(awk '$1 == "State:" {print $2}' <<<"$st") == S ]]
}

# stop_auditd: SIGTERM; the plugin finishes its checks, logs its counters
# (waited for when the syslog listener runs) and exits.
stop_auditd() {
	local mark
	[[ -n $AUDITD_PID ]] || return 0
	mark=$(plugin_lines)
	if kill -0 "$AUDITD_PID" 2>/dev/null; then
		kill -TERM "$AUDITD_PID" 2>/dev/null || true
		wait_for "$LIB_TIMEOUT" dead "$AUDITD_PID" ||
			kill -KILL "$AUDITD_PID" 2>/dev/null
	fi
	wait "$AUDITD_PID" 2>/dev/null || true
	AUDITD_PID=""
	stop_plugin "$mark"
}

dead() { ! alive "$1"; }

# stop_plugin MARK: after auditd stopped, the plugin must go too
stop_plugin() {
	[[ -n $PLUGIN_PID ]] || return 0
	if ! wait_for "$LIB_TIMEOUT" dead "$PLUGIN_PID"; then
		note "plugin pid $PLUGIN_PID still running after auditd stopped: killing it"
		kill -KILL "$PLUGIN_PID" 2>/dev/null
	elif listening; then
		wait_for 5 plugin_said "${1:-0}" "stopping:" ||
			note "the plugin's last message (its counters) did not arrive"
	fi
	PLUGIN_PID=""
}

# auditd_state: auditd's own report (SIGCONT writes /var/run/auditd.state)
auditd_state() {
	rm -f /var/run/auditd.state
	kill -CONT "$AUDITD_PID" 2>/dev/null || return 0
	wait_for 5 test -s /var/run/auditd.state || true
	cat /var/run/auditd.state 2>/dev/null || true
}

# ------------------------------------------------------------------- rules
# load_rules FILE...: add the -a lines of each FILE, in order (removed
# again by remove_rules). Exclusions ("never" rules) must come before the
# rules they exclude from: pass them first.
load_rules() {
	local f
	remove_rules "$@"
	for f; do
		RULES_LOADED+=("$f")
		auditctl -R "$f" >/dev/null || fatal "auditctl -R $f failed"
	done
}

# remove_rules [FILE...]: delete exactly the -a lines of each FILE (default:
# the files load_rules loaded), each as -d
remove_rules() {
	local line args file keep=() f
	(($#)) || set -- "${RULES_LOADED[@]}"
	for file; do
		[[ -n $file && -f $file ]] || continue
		while IFS= read -r line; do
			[[ $line == -a* ]] || continue
			read -ra args <<<"${line/#-a/-d}"
			auditctl "${args[@]}" >/dev/null 2>&1 || true
		done <"$file"
	done
	for f in "${RULES_LOADED[@]}"; do
		for file; do
			[[ $f == "$file" ]] && continue 2
		done
		keep+=("$f")
	done
	RULES_LOADED=("${keep[@]}")
	return 0
}

# dropexec_rules_loaded: the kernel's dropexec rules (keys dropped_executable
# and dropexec_exclusion), one auditctl -l line each
DROPEXEC_RULE_KEYS='key=(dropped_executable|dropexec_exclusion)$'
dropexec_rules_loaded() { auditctl -l 2>/dev/null | grep -E "$DROPEXEC_RULE_KEYS" || true; }

# use_project_rules: the project's rules (PROJECT_RULES: the exclusions,
# then rules/dropexec.rules) in the kernel. When all are loaded already
# (e.g. installed ones that outlived a stopped auditd), use them and leave
# them in place; else load them.
use_project_rules() {
	local want have
	want=$(cat "${PROJECT_RULES[@]}" | grep -c '^-a')
	have=$(dropexec_rules_loaded | grep -c . || true)
	if ((have == want)); then
		note "the $want rules of ${PROJECT_RULES[*]} are already loaded: using them"
	else
		load_rules "${PROJECT_RULES[@]}"
	fi
	auditctl -l | grep -q 'key=dropped_executable' ||
		fatal "the rules of $RULES are not loaded"
}

# auditd_cleanup: stop auditd and the plugin, remove the rules we loaded,
# restore the backlog limit and the enabled flag, stop the syslog listener.
auditd_cleanup() {
	stop_auditd
	remove_rules
	[[ -n $OLD_BACKLOG ]] && auditctl -b "$OLD_BACKLOG" >/dev/null 2>&1
	[[ $OLD_ENABLED == 0 ]] && auditctl -e 0 >/dev/null 2>&1
	OLD_BACKLOG=""
	OLD_ENABLED=""
	stop_syslog
}
