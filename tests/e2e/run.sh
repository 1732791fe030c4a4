#!/usr/bin/env bash
# tests/e2e/run.sh -- end-to-end tests of audisp-dropexec
#
# Runs a private auditd (auditd -n -c TMPDIR) with the built plugin, loads the
# project's rules/dropexec.rules, drops files from real podman containers and
# checks both outputs: the JSON log and the audit record (with ausearch and
# aureport, as users search them).
#
# Usage: tests/e2e/run.sh [PATH-TO-audisp-dropexec]
#   The binary defaults to $DROPEXEC_BIN, else ./audisp-dropexec at the repo
#   root. Nothing is built here.
# Environment:
#   DROPEXEC_BIN            plugin binary (when no argument is given)
#   DROPEXEC_E2E_RUNTIME    OCI runtime for podman (default runc)
#   DROPEXEC_E2E_BUSYBOX    static busybox for the test image (default /bin/busybox)
#   DROPEXEC_E2E_KEEP=1     keep the temporary directory (logs) after the run
#   DROPEXEC_E2E_TIMEOUT    seconds to wait for an expected finding (default 5)
#
# Needs root, auditd, podman, runc, busybox-static and python3; refuses to run
# while another auditd runs (the kernel takes one audit daemon at a time).
# Output: "ok - NAME" / "not ok - NAME: REASON" per test, "# ..." diagnostics,
# and finally "N passed, M failed". Exit status 0 only when all passed.
set -euo pipefail

PROG=${0##*/}
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
HELPER="$HERE/findings.py"
RULES="$REPO/rules/dropexec.rules"
SHIPPED_CONF="$REPO/conf/dropexec.conf"
RUNTIME=${DROPEXEC_E2E_RUNTIME:-runc}
BUSYBOX=${DROPEXEC_E2E_BUSYBOX:-/bin/busybox}
TIMEOUT_MS=$(( ${DROPEXEC_E2E_TIMEOUT:-5} * 1000 ))
IMAGE=localhost/dropexec-e2e:latest
LABEL="dropexec-e2e=$$"

PASS=0
FAIL=0
TRAPPED=0         # the EXIT trap is set
ERR_AT=""         # the last command that failed
CURRENT=""        # test under way (for the EXIT trap)
WHY=""            # why the current test failed
DIR=""            # temporary directory
AUDITD_PID=""
PLUGIN_PID=""
ARMED_US=0
RULES_LOADED=0
IMAGE_BUILT=0
OLD_BACKLOG=""
OLD_ENABLED=""
A_NAME=""         # scenario (a)'s file, reused by (i)
D_NAME=""

say() { printf '%s\n' "$*"; }
note() { printf '# %s\n' "$*"; }
ok() { PASS=$((PASS + 1)); say "ok - $1"; }
not_ok() { FAIL=$((FAIL + 1)); say "not ok - $1: $2"; }
# fail REASON: record why the current test fails; use as "... || fail X || return"
fail() { WHY=$*; return 1; }

# Refuse to start: a clear message, a failed "setup" test, exit 1.
refuse() {
	printf '%s: %s\n' "$PROG" "$*" >&2
	not_ok setup "$*"
	# before the EXIT trap is set, print the summary here
	((TRAPPED)) || say "$PASS passed, $FAIL failed"
	exit 1
}

helper() { python3 "$HELPER" "$@"; }
now_us() { echo "${EPOCHREALTIME/./}"; }

# ------------------------------------------------------------------ checks
[[ $(id -u) -eq 0 ]] || refuse "must run as root (it starts auditd and containers)"

BIN=${1:-${DROPEXEC_BIN:-$REPO/audisp-dropexec}}
[[ -f $BIN && -x $BIN ]] ||
	refuse "plugin binary '$BIN' is missing or not executable: build it first (make), or pass its path"
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")

for cmd in auditd auditctl ausearch aureport podman "$RUNTIME" python3 pgrep; do
	command -v "$cmd" >/dev/null 2>&1 ||
		refuse "'$cmd' is not installed (apt-get install auditd podman runc busybox-static python3 procps)"
done
[[ -f $RULES ]] || refuse "rules file $RULES is missing"
[[ -f $SHIPPED_CONF ]] || refuse "configuration $SHIPPED_CONF is missing"
[[ -x $BUSYBOX ]] || refuse "$BUSYBOX is missing: apt-get install busybox-static"
if ! grep -qE 'not a dynamic|statically linked' <<<"$(LC_ALL=C ldd "$BUSYBOX" 2>&1)"; then
	refuse "$BUSYBOX is not statically linked: apt-get install busybox-static"
fi

# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
running=$(live_auditd)
[[ -z $running ]] ||
	refuse "an auditd is already running (pid ${running% }); stop it first (service auditd stop): the kernel accepts one audit daemon at a time"
kpid=$(auditctl -s 2>/dev/null | awk '$1 == "pid" {print $2}')
[[ -z $kpid || $kpid == 0 ]] ||
	refuse "the kernel already has an audit daemon registered (pid $kpid)"

# ----------------------------------------------------------------- cleanup
cleanup() {
	local rc=$? ids i
	trap - EXIT INT TERM
	set +e
	if [[ -n $CURRENT ]]; then
		not_ok "$CURRENT" "aborted (unexpected error, exit status $rc)"
		CURRENT=""
	fi
	stop_auditd
	# The plugin is auditd's child; it must be gone now (test m checks it).
	if [[ -n $PLUGIN_PID ]]; then
		for ((i = 0; i < 50; i++)); do
			alive "$PLUGIN_PID" || break
			sleep 0.1
		done
		if alive "$PLUGIN_PID"; then
			note "plugin pid $PLUGIN_PID still running after auditd stopped: killing it"
			kill -KILL "$PLUGIN_PID" 2>/dev/null
		fi
	fi
	((RULES_LOADED)) && remove_rules
	[[ -n $OLD_BACKLOG ]] && auditctl -b "$OLD_BACKLOG" >/dev/null 2>&1
	[[ $OLD_ENABLED == 0 ]] && auditctl -e 0 >/dev/null 2>&1
	ids=$(podman ps -a -q --filter "label=$LABEL" 2>/dev/null)
	# shellcheck disable=SC2086 # one id per word
	[[ -n $ids ]] && podman rm -f $ids >/dev/null 2>&1
	((IMAGE_BUILT)) && podman rmi -f "$IMAGE" >/dev/null 2>&1
	[[ -n ${SMALL_FS:-} ]] && umount -l "$SMALL_FS" >/dev/null 2>&1
	if [[ -n $DIR && -d $DIR ]]; then
		if [[ ${DROPEXEC_E2E_KEEP:-0} == 1 || $FAIL -gt 0 ]]; then
			note "logs kept in $DIR"
		else
			rm -rf "$DIR"
		fi
	fi
	if ((rc != 0 && FAIL == 0)); then
		not_ok setup "aborted (exit status $rc${ERR_AT:+, after $ERR_AT})"
	fi
	((FAIL == 0)) || ((rc != 0)) || rc=1
	say "$PASS passed, $FAIL failed"
	exit "$rc"
}
trap cleanup EXIT
TRAPPED=1
set -E
trap 'ERR_AT="line $LINENO: $BASH_COMMAND"' ERR
trap 'exit 130' INT
trap 'exit 143' TERM

# ------------------------------------------------------------------- setup
DIR=$(mktemp -d /tmp/dropexec-e2e.XXXXXX)
chmod 0700 "$DIR"
AUDIT_LOG="$DIR/audit.log"
JSON_LOG="$DIR/findings.jsonl"
CONF="$DIR/dropexec.conf"

# write_conf TYPE [EXTRA-LINE]: dropexec.conf is the shipped file with our
# JSON log and audit_record_type = TYPE (and EXTRA-LINE at the end).
write_conf() {
	sed -e "s|^json_log *=.*|json_log = $JSON_LOG|" \
		-e "s|^audit_record_type *=.*|audit_record_type = $1|" \
		-e "s|^stats_interval *=.*|stats_interval = 0|" \
		"$SHIPPED_CONF" >"$CONF.new"
	[[ -z ${2:-} ]] || printf '%s\n' "$2" >>"$CONF.new"
	chmod 0640 "$CONF.new"
	mv -f "$CONF.new" "$CONF"
}

setup() {
	local i

	install -o root -g root -m 0750 "$BIN" "$DIR/audisp-dropexec"
	write_conf USER
	"$DIR/audisp-dropexec" --check-config -c "$CONF" >/dev/null ||
		refuse "the plugin refuses its test configuration $CONF"
	mkdir -m 0755 "$DIR/plugins.d"
	cat >"$DIR/plugins.d/dropexec.conf" <<EOF
active = yes
direction = out
path = $DIR/audisp-dropexec
type = always
args = -c $CONF
format = string
EOF
	cat >"$DIR/auditd.conf" <<EOF
local_events = yes
write_logs = yes
log_file = $AUDIT_LOG
log_format = ENRICHED
flush = INCREMENTAL_ASYNC
freq = 50
max_log_file = 200
num_logs = 2
max_log_file_action = ROTATE
space_left = 75
space_left_action = SYSLOG
admin_space_left = 50
admin_space_left_action = SYSLOG
disk_full_action = SYSLOG
disk_error_action = SYSLOG
q_depth = 2000
overflow_action = SYSLOG
plugin_dir = $DIR/plugins.d
end_of_event_timeout = 2
name_format = NONE
EOF
	chmod 0640 "$DIR/auditd.conf" "$DIR/plugins.d/dropexec.conf"

	OLD_ENABLED=$(auditctl -s | awk '$1 == "enabled" {print $2}')
	OLD_BACKLOG=$(auditctl -s | awk '$1 == "backlog_limit" {print $2}')
	# The kernel's default backlog (64) loses events in podman's bursts.
	auditctl -b 8192 >/dev/null

	auditd -n -c "$DIR" >"$DIR/auditd.out" 2>&1 </dev/null &
	AUDITD_PID=$!
	for ((i = 0; i < 100; i++)); do
		[[ $(auditctl -s | awk '$1 == "pid" {print $2}') == "$AUDITD_PID" ]] && break
		alive "$AUDITD_PID" || refuse "auditd exited at start: $(tr '\n' ' ' <"$DIR/auditd.out")"
		sleep 0.1
	done
	((i < 100)) || refuse "auditd did not register with the kernel within 10 s"
	for ((i = 0; i < 50; i++)); do
		PLUGIN_PID=$(pgrep -P "$AUDITD_PID" -x audisp-dropexec || true)
		[[ -n $PLUGIN_PID ]] && break
		sleep 0.1
	done
	[[ -n $PLUGIN_PID ]] ||
		refuse "auditd did not start the plugin (see $DIR/auditd.out, and syslog)"

	local want have
	want=$(grep -c '^-a' "$RULES")
	have=$(grep -c 'key=dropped_executable' <<<"$(auditctl -l)" || true)
	if ((have == want)); then
		# e.g. installed ones (70-dropexec.rules) that outlived a stopped
		# auditd: use them and leave them in place
		note "the $want rules of $RULES are already loaded: using them"
	else
		remove_rules # leftovers of an interrupted run would make -R fail
		RULES_LOADED=1
		auditctl -R "$RULES" >/dev/null || refuse "auditctl -R $RULES failed"
	fi
	grep -q 'key=dropped_executable' <<<"$(auditctl -l)" ||
		refuse "the rules of $RULES are not loaded"

	build_image
	note "auditd pid $AUDITD_PID, plugin pid $PLUGIN_PID, dir $DIR, binary $BIN"
}

build_image() {
	local root="$DIR/rootfs" a
	mkdir -p "$root"/{bin,tmp,dev,proc,sys,etc}
	chmod 1777 "$root/tmp"
	cp "$BUSYBOX" "$root/bin/busybox"
	for a in sh cp cat ls sleep mkdir mv rm ln dd printf echo head tail chmod cmp true; do
		ln -s busybox "$root/bin/$a"
	done
	tar -C "$root" -c . | podman import - "$IMAGE" >"$DIR/import.out" 2>&1 ||
		refuse "podman import of the test image failed"
	IMAGE_BUILT=1
	podman_run --rm "$IMAGE" /bin/true >/dev/null 2>&1 ||
		refuse "a test container does not run: podman --runtime $RUNTIME run $IMAGE /bin/true"
}

# ----------------------------------------------------------------- helpers
podman_run() {
	podman --runtime "$RUNTIME" run --label "$LABEL" --network none \
		--ulimit nofile=10000:10000 --ulimit nproc=4096:4096 "$@"
}

# start_container SCRIPT: run SCRIPT with /bin/sh in a new container; sets CID.
start_container() {
	CID=$(podman_run -d "$IMAGE" /bin/sh -c "$1") || fail "podman run failed" || return
	[[ $CID =~ ^[0-9a-f]{64}$ ]] || fail "podman run printed no container id: $CID"
}

# finish_container: wait for $CID, remove it, fail unless SCRIPT exited 0
# (without hiding an earlier reason).
finish_container() {
	local rc
	rc=$(podman wait "$CID" 2>&1) || true
	podman rm -f "$CID" >/dev/null 2>&1 || true
	[[ $rc == 0 ]] && return 0
	[[ -n $WHY ]] || WHY="the container's script exited with '$rc'"
	return 1
}

# drop_test SCRIPT PATH: run SCRIPT in a container, expect a finding for PATH.
drop_test() {
	start_container "$1" || return
	if ! expect_finding "$2"; then
		finish_container
		return 1
	fi
	finish_container
}

# wait_json TOKEN: until a line of the JSON log holds TOKEN (up to the timeout).
# Sets SEEN_US to the time it was seen.
wait_json() {
	local deadline=$(($(now_us) + TIMEOUT_MS * 1000))
	until grep -qF -- "$1" "$JSON_LOG" 2>/dev/null; do
		(($(now_us) < deadline)) || return 1
		sleep 0.05
	done
	SEEN_US=$(now_us)
}

# wait_audit TYPE TOKEN: until "ausearch -m TYPE -i" over our log shows TOKEN;
# sets AUS to that output.
wait_audit() {
	local deadline=$(($(now_us) + TIMEOUT_MS * 1000))
	while :; do
		AUS=$(ausearch -if "$AUDIT_LOG" -m "$1" -i 2>/dev/null || true)
		grep -qF -- "$2" <<<"$AUS" && return 0
		(($(now_us) < deadline)) || return 1
		sleep 0.2
	done
}

# aus ARGS...: ausearch over our log; no match is not an error.
aus() { ausearch -if "$AUDIT_LOG" "$@" 2>/dev/null || true; }

field() { helper get "$1" <<<"$FINDING"; }

# expect_field NAME VALUE: the field of $FINDING equals VALUE.
expect_field() {
	local v
	v=$(field "$1") || fail "finding has no $1" || return
	[[ $v == "$2" ]] || fail "$1 is '$v', expected '$2'"
}

# expect_finding PATH: the JSON log and the audit trail both report PATH,
# dropped by container $CID. Sets FINDING (the JSON line) and RECORD.
expect_finding() {
	local path=$1 name=${1##*/} n serial
	wait_json "/$name\"" || fail "no finding for $path in the JSON log within $((TIMEOUT_MS / 1000)) s" || return
	FINDING=$(helper match "$JSON_LOG" "$path")
	[[ -n $FINDING ]] || fail "the JSON log mentions $name but no finding has Data.path $path" || return
	n=$(wc -l <<<"$FINDING")
	FINDING=${FINDING%%$'\n'*}
	((n == 1)) || fail "$n findings for $path, expected one" || return
	expect_field SigMetadata.ID TRC-1022 || return
	expect_field Data.path "$path" || return
	expect_field Event.container.id "$CID" || return
	expect_field Event.container.runtime podman || return
	expect_field Event.file.type elf-exec || return
	serial=$(field Event.serial) || fail "finding has no Event.serial" || return
	[[ $serial =~ ^[0-9]+$ ]] || fail "Event.serial '$serial' is not an integer" || return
	wait_audit USER "path=$path " ||
		fail "no USER record with path=$path in 'ausearch -m USER -i' within $((TIMEOUT_MS / 1000)) s" || return
	RECORD=$(helper record "path=$path " <<<"$AUS" 2>&1) ||
		fail "ausearch -m USER -i: $RECORD" || return
	grep -qF "sig_id=TRC-1022" <<<"$RECORD" || fail "USER record lacks sig_id=TRC-1022: $RECORD" || return
	grep -qF "op=dropped_executable" <<<"$RECORD" || fail "USER record lacks op=dropped_executable: $RECORD" || return
	grep -qF "container_id=$CID" <<<"$RECORD" || fail "USER record lacks container_id=$CID: $RECORD" || return
	grep -qF "serial=$serial " <<<"$RECORD" || fail "USER record lacks serial=$serial: $RECORD"
}

# sentinel: a container drop that must be found; once it is, everything
# before it has been processed (used to prove the absence of a finding).
SENTINEL_N=0
sentinel() {
	SENTINEL_N=$((SENTINEL_N + 1))
	local s="/tmp/de-sentinel-$SENTINEL_N"
	start_container "cp /bin/busybox $s && sleep 1" || return
	if ! wait_json "/${s##*/}\""; then
		fail "sentinel $s was not reported either"
		finish_container
		return 1
	fi
	finish_container
}

# run_test NAME FUNCTION
run_test() {
	CURRENT=$1
	WHY=""
	if "$2"; then
		ok "$1"
	else
		not_ok "$1" "${WHY:-failed}"
	fi
	CURRENT=""
}

# --------------------------------------------------------------- scenarios
t_a_cp() {
	local p=/tmp/de-a-cp audit_s lat aud
	A_NAME=$p
	start_container "cp /bin/busybox $p && sleep 1" || return
	if ! wait_json "${p##*/}"; then
		fail "no finding for $p within $((TIMEOUT_MS / 1000)) s"
		finish_container
		return 1
	fi
	local seen=$SEEN_US
	finish_container || return
	expect_finding "$p" || return
	expect_field Event.file.mime_type application/x-executable || return
	local serial
	serial=$(field Event.serial)
	aud=$(aus -a "$serial" -i)
	grep -q '^type=SYSCALL' <<<"$aud" || fail "ausearch -a $serial finds no SYSCALL record" || return
	grep -qE 'syscall=(openat|open|creat|openat2) ' <<<"$aud" || fail "event $serial is not an open: $aud" || return
	grep -qF "name=$p " <<<"$aud" || fail "event $serial has no PATH name=$p" || return
	grep -qF "key=dropped_executable" <<<"$aud" || fail "event $serial lacks key=dropped_executable" || return
	audit_s=$(field Event.audit_time) || fail "finding has no Event.audit_time" || return
	lat=$(awk -v a="$audit_s" -v s="$seen" 'BEGIN { printf "%.3f", s / 1e6 - a }')
	note "latency (a): audit event at $audit_s, finding seen in the JSON log $lat s later"
}

t_b_redirect() {
	local p=/tmp/de-b-redir
	drop_test "cat /bin/busybox > $p && sleep 1" "$p"
}

t_c_small_writes() {
	local p=/tmp/de-c-slow
	drop_test "(printf '\\177E'; sleep 0.3; tail -c +3 /bin/busybox) > $p && cmp $p /bin/busybox && sleep 1" "$p"
}

t_d_rename() {
	local p=/tmp/de-d-renamed seen
	D_NAME=$p
	start_container "cp /bin/busybox $p.part && mv $p.part $p && sleep 1" || return
	if ! wait_json "${p##*/}"; then
		fail "no finding for $p or $p.part within $((TIMEOUT_MS / 1000)) s"
		finish_container
		return 1
	fi
	finish_container || return
	seen=$(helper paths "$JSON_LOG" "$p" | tr '\n' ' ')
	note "(d) findings so far: ${seen:-none}"
	if helper match "$JSON_LOG" "$p" >/dev/null; then
		expect_finding "$p"
	else
		expect_finding "$p.part"
	fi
}

t_e_existing() {
	local p=/tmp/de-e-existing
	drop_test "echo hi > $p; sleep 0.2; cat /bin/busybox > $p && sleep 1" "$p"
}

# negative tests: the file's open must be in the audit log (the rules saw it),
# and no finding may appear up to a later sentinel drop.
t_f_text() {
	local p=/tmp/de-f-text
	start_container "i=0; while [ \$i -lt 20 ]; do echo 'just some text, not a program at all'; i=\$((i+1)); done > $p && sleep 1" || return
	finish_container || return
	sentinel || return
	[[ -n $(aus -f "$p") ]] || fail "the audit log has no event for $p: the rules did not see it" || return
	! helper match "$JSON_LOG" "$p" >/dev/null || fail "a text file was reported: $(helper match "$JSON_LOG" "$p")" || return
	! grep -qF "path=$p " <<<"$(aus -m USER -i)" || fail "a USER record reports the text file $p"
}

t_g_host() {
	local p="$DIR/de-g-host"
	cp "$BUSYBOX" "$p"
	sentinel || return
	[[ -n $(aus -f "$p") ]] || fail "the audit log has no event for $p: the rules did not see it" || return
	! helper match "$JSON_LOG" "$p" >/dev/null || fail "a host drop was reported with scope=container" || return
	! grep -qF "path=$p " <<<"$(aus -m USER -i)" || fail "a USER record reports the host drop $p"
}

t_h_shm() {
	local p=/dev/shm/de-h-shm
	start_container "cp /bin/busybox $p && sleep 1" || return
	finish_container || return
	sentinel || return
	[[ -n $(aus -f "$p") ]] || fail "the audit log has no event for $p: the rules did not see it" || return
	! helper match "$JSON_LOG" "$p" >/dev/null || fail "a drop under /dev/shm was reported" || return
	! grep -qF "path=$p " <<<"$(aus -m USER -i)" || fail "a USER record reports $p"
}

t_i_ausearch() {
	local p=$A_NAME out opt
	[[ -n $p ]] || fail "scenario (a) did not run" || return
	out=$(aus -m USER -i)
	grep -qF " path=$p " <<<"$out" || fail "ausearch -m USER -i does not show path=$p" || return
	for opt in "-x /bin/busybox" "-ui 0" "-sv yes"; do
		# shellcheck disable=SC2086 # the option and its value
		out=$(aus -m USER $opt -i)
		grep -qF " path=$p " <<<"$out" || fail "ausearch -m USER $opt does not find the finding for $p" || return
	done
	out=$(aus -m USER -sv no -i)
	! grep -qF " path=$p " <<<"$out" || fail "ausearch -sv no finds the finding for $p" || return
	out=$(aus -m USER -x /bin/no-such-exe -i)
	! grep -qF " path=$p " <<<"$out" || fail "ausearch -x /bin/no-such-exe finds the finding for $p" || return
	# the raw record: no interpretation, fields as libaudit encoded them
	out=$(aus -m USER | grep -F "de-a-cp" || true)
	grep -qF "op=dropped_executable sig_id=TRC-1022 " <<<"$out" ||
		fail "the raw USER record does not start with op=dropped_executable sig_id=TRC-1022: $out"
}

# Names made with printf octal escapes; the same format in bash and busybox.
K1_FMT='/tmp/de-k1 sp\042q\047nl\012end'
K2_FMT='/tmp/de-k2 sp\042nl\012bad\377\376end'
t_k_hostile() {
	local h1 h2 line rec n
	# shellcheck disable=SC2059 # the formats are the point
	h1=$(printf "$K1_FMT" | od -An -v -tx1 | tr -d ' \n')
	# shellcheck disable=SC2059
	h2=$(printf "$K2_FMT" | od -An -v -tx1 | tr -d ' \n')
	start_container "n1=\$(printf '$K1_FMT'); n2=\$(printf '$K2_FMT'); cp /bin/busybox \"\$n1\" && cp /bin/busybox \"\$n2\" && sleep 1" || return
	if ! wait_json de-k1 || ! wait_json de-k2; then
		fail "no findings for the hostile names within $((TIMEOUT_MS / 1000)) s"
		finish_container
		return 1
	fi
	finish_container || return
	n=$(helper validate "$JSON_LOG" 2>&1) || fail "the JSON log has lines json.loads rejects: $n" || return
	# k1: valid UTF-8 with a space, quotes and a newline
	n=$(helper match-hex "$JSON_LOG" "$h1" | wc -l)
	((n == 1)) || fail "$n JSON findings for the name with space/quote/newline, expected 1" || return
	FINDING=$(helper match-hex "$JSON_LOG" "$h1")
	! field Data.path_hex >/dev/null || fail "Data.path_hex present for a valid UTF-8 name" || return
	expect_field Event.container.id "$CID" || return
	# k2: invalid UTF-8
	n=$(helper match-hex "$JSON_LOG" "$h2" | wc -l)
	((n == 1)) || fail "$n JSON findings with Data.path_hex $h2, expected 1" || return
	FINDING=$(helper match-hex "$JSON_LOG" "$h2")
	line=$(field Data.path_hex) || fail "no Data.path_hex for the invalid UTF-8 name" || return
	[[ ${line,,} == "$h2" ]] || fail "Data.path_hex is $line, expected $h2" || return
	expect_field Event.container.id "$CID" || return
	# the audit records: each one record, decoded, no injected fields
	for n in 1 2; do
		wait_audit USER "de-k$n sp" || fail "ausearch -m USER -i shows no record for de-k$n" || return
		rec=$(helper record "de-k$n sp" <<<"$AUS" 2>&1) || fail "de-k$n: $rec" || return
		for line in "op=dropped_executable" "container_id=$CID" "res=success" "kind=elf-exec"; do
			grep -qF -- "$line" <<<"$rec" || fail "the de-k$n record lacks $line: $rec" || return
		done
		[[ $(grep -o 'sig_id=' <<<"$rec" | wc -l) == 1 ]] || fail "de-k$n record has injected fields: $rec" || return
		[[ $(grep -o ' res=' <<<"$rec" | wc -l) == 1 ]] || fail "de-k$n record has injected fields: $rec" || return
		note "(k) ausearch -i: $(tr '\n' '|' <<<"$rec" | LC_ALL=C grep -ao "path=/tmp/de-k$n.* kind=")"
	done
}

# After a reload the next drop must follow the new settings. To make that
# deterministic, one container drops a file before the reload ("before"),
# then waits in a loop until the host creates /trigger/go (a bind-mounted
# directory) and drops the file under test: no container start-up delay
# after the reload, which gets a fixed time to take effect.
RELOAD_S=0.3

# start_armed BEFORE AFTER: run BEFORE, wait for fire (at most 15 s), run AFTER.
start_armed() {
	TRIG="$DIR/trigger"
	rm -rf "$TRIG"
	mkdir -m 0755 "$TRIG"
	ARMED_US=$(now_us)
	CID=$(podman_run -d -v "$TRIG:/trigger" "$IMAGE" /bin/sh -c \
		"$1 || exit 1; i=0; while [ ! -e /trigger/go ] && [ \$i -lt 300 ]; do sleep 0.05; i=\$((i+1)); done; [ -e /trigger/go ] && $2") ||
		fail "podman run failed" || return
	[[ $CID =~ ^[0-9a-f]{64}$ ]] || fail "podman run printed no container id: $CID"
}
fire() { touch "$TRIG/go"; }

# "service auditd reload": auditd re-reads plugins.d and passes SIGHUP on to
# the plugin (the same process: test "plugin stayed up" checks that).
reload_auditd() {
	kill -HUP "$AUDITD_PID"
	sleep "$RELOAD_S"
}

# armed_reload NAME: drop /tmp/NAME-before, wait for its finding, run the
# function "before_reload", reload, drop /tmp/NAME (the first 8 KiB of
# busybox, still an ELF executable) and wait for its finding.
armed_reload() {
	local before=/tmp/$1-before p=/tmp/$1
	# the file under test: one write right after the open, so that it is
	# complete when the plugin first looks at it
	start_armed "cp /bin/busybox $before" "dd if=/bin/busybox of=$p bs=8192 count=1 2>/dev/null && sleep 1" || return
	if ! wait_json "/${before##*/}\""; then
		fail "no finding for $before (before the reload)"
		fire
		finish_container
		return 1
	fi
	before_reload || { fire; finish_container; return 1; }
	# runc's own files, written as the container started, stay on the
	# plugin's retry list for recheck_ms (2 s) and wake it up now and then;
	# let them expire so that nothing but the reload happens before the drop
	sleep "$(awk -v t0="$ARMED_US" -v now="$(now_us)" \
		'BEGIN { s = 2.2 - (now - t0) / 1e6; if (s < 0) s = 0; printf "%.2f", s }')"
	reload_auditd
	fire
	if ! wait_json "/${p##*/}\""; then
		if [[ -f $JSON_LOG.1 ]] && grep -qF "/${p##*/}\"" "$JSON_LOG.1"; then
			fail "the finding for $p went to the rotated file $JSON_LOG.1: the log was not opened again on SIGHUP"
		else
			fail "no JSON finding for $p within $((TIMEOUT_MS / 1000)) s after the reload"
		fi
		finish_container
		return 1
	fi
	finish_container
}

t_j_anom() {
	local p=/tmp/de-j-anom ev serial out
	before_reload() {
		write_conf ANOM_MK_EXEC
		"$DIR/audisp-dropexec" --check-config -c "$CONF" >/dev/null ||
			fail "--check-config refuses audit_record_type = ANOM_MK_EXEC"
	}
	armed_reload de-j-anom || return
	wait_audit ANOM_MK_EXEC "path=$p " ||
		fail "no ANOM_MK_EXEC record for $p, dropped ${RELOAD_S}s after the reload$(
			grep -qF "path=$p " <<<"$(aus -m USER -i)" && echo ": it came as USER, the old setting")" || return
	ev=$(helper record "path=$p " <<<"$AUS" 2>&1) || fail "$ev" || return
	! grep -qF "path=$p " <<<"$(aus -m USER -i)" || fail "$p was also reported as USER" || return
	serial=$(aus -m ANOM_MK_EXEC | grep -F "path=\"$p\"" | sed -n 's/.*msg=audit([0-9.]*:\([0-9]*\)).*/\1/p' | head -n 1)
	[[ -n $serial ]] || fail "cannot read the serial of the ANOM_MK_EXEC record" || return
	out=$(aureport --anomaly -if "$AUDIT_LOG" 2>/dev/null || true)
	grep -qE "ANOM_MK_EXEC .* $serial\$" <<<"$out" ||
		fail "aureport --anomaly does not list event $serial: $(tail -n 3 <<<"$out" | tr '\n' '|')"
}

# an invalid file on SIGHUP is refused and the running settings stay
t_o_bad_reload() {
	local p=/tmp/de-o-badconf
	# were it applied, findings would come as USER again
	before_reload() {
		write_conf USER "no_such_key = 1"
		if "$DIR/audisp-dropexec" --check-config -c "$CONF" >/dev/null 2>&1; then
			fail "--check-config accepts an unknown key"
			return 1
		fi
	}
	armed_reload de-o-badconf || return
	write_conf ANOM_MK_EXEC
	wait_audit ANOM_MK_EXEC "path=$p " ||
		fail "no ANOM_MK_EXEC record for $p: the invalid file replaced the running settings" || return
	! grep -qF "path=$p " <<<"$(aus -m USER -i)" || fail "$p was reported as USER: the invalid file was applied"
}

# logrotate: move the JSON log away, SIGHUP, the next finding is in a new file
t_n_rotate() {
	local p=/tmp/de-n-rotated
	before_reload() {
		[[ -f $JSON_LOG ]] || fail "there is no $JSON_LOG to rotate" || return
		mv "$JSON_LOG" "$JSON_LOG.1"
	}
	armed_reload de-n-rotated || return
	helper match "$JSON_LOG" "$p" >/dev/null || fail "the new JSON log has no finding with Data.path $p" || return
	! grep -qF "/${p##*/}\"" "$JSON_LOG.1" || fail "the finding also went to the rotated file"
}

t_l_check_config() {
	local out bad="$DIR/bad.conf"
	out=$("$BIN" --check-config -c "$SHIPPED_CONF" 2>&1) || fail "--check-config rejects the shipped conf/dropexec.conf: $out" || return
	printf '[detect]\nscope = container\n[output]\naudit_record_type = SOMETIMES\n' >"$bad"
	if out=$("$BIN" --check-config -c "$bad" 2>&1); then
		fail "--check-config accepts audit_record_type = SOMETIMES"
		return
	fi
	grep -q audit_record_type <<<"$out" || fail "--check-config does not name the bad key: $out" || return
	printf '[detect]\nscoop = container\n' >"$bad"
	if out=$("$BIN" --check-config -c "$bad" 2>&1); then
		fail "--check-config accepts an unknown key"
		return
	fi
	grep -q scoop <<<"$out" || fail "--check-config does not name the unknown key: $out"
}

t_plugin_stayed_up() {
	alive "$PLUGIN_PID" || fail "the plugin (pid $PLUGIN_PID) is gone" || return
	local pid
	pid=$(pgrep -P "$AUDITD_PID" -x audisp-dropexec || true)
	[[ $pid == "$PLUGIN_PID" ]] || fail "auditd restarted the plugin: pid $pid, was $PLUGIN_PID (it crashed?)"
}

t_m_sigterm() {
	local i left
	kill -TERM "$AUDITD_PID"
	for ((i = 0; i < 100; i++)); do
		alive "$AUDITD_PID" || break
		sleep 0.1
	done
	if alive "$AUDITD_PID"; then
		fail "auditd did not stop within 10 s"
		return
	fi
	wait "$AUDITD_PID" 2>/dev/null || true
	AUDITD_PID=""
	for ((i = 0; i < 50; i++)); do
		alive "$PLUGIN_PID" || break
		sleep 0.1
	done
	if alive "$PLUGIN_PID"; then
		fail "the plugin (pid $PLUGIN_PID) still runs 5 s after auditd stopped"
		return
	fi
	left=$(pgrep -f "$DIR/audisp-dropexec" || true)
	for i in $left; do
		if alive "$i"; then
			fail "an audisp-dropexec process is left: pid $i"
			return
		fi
	done
	return 0
}

# ----------------------------------------------------- hostile containers
# (p)-(u): a container that plays tricks, faults of the JSON log, a flood.

# host_files_never_reported CID FILE...: no finding has the device and inode
# (or the sha256) of one of the host FILEs ("=FILE": the device and inode
# only, for a file the container has a copy of), and every finding of
# container CID is a file on one device (the container's overlay).
host_files_never_reported() {
	local out
	out=$(python3 - "$JSON_LOG" "$@" <<'PY'
import hashlib, json, os, sys
log, cid, files = sys.argv[1], sys.argv[2], sys.argv[3:]
host = {}
for f in files:
    inode_only = f.startswith("=")
    f = f.lstrip("=")
    try:
        st = os.stat(f)
    except OSError:
        continue
    key = "%02x:%02x/%d" % (os.major(st.st_dev), os.minor(st.st_dev), st.st_ino)
    sha = None
    if not inode_only:
        try:
            with open(f, "rb") as fh:
                sha = hashlib.sha256(fh.read()).hexdigest()
        except OSError:
            pass
    host[key] = (f, sha)
shas = {v[1]: v[0] for v in host.values() if v[1]}
devs, bad = set(), []
with open(log, "rb") as fh:
    lines = fh.read().split(b"\n")[:-1]
for raw in lines:
    try:
        obj = json.loads(raw)
    except ValueError:
        continue
    ev = obj.get("Event") or {}
    fobj = ev.get("file") or {}
    key = "%s/%s" % (fobj.get("dev"), fobj.get("inode"))
    path = (obj.get("Data") or {}).get("path")
    if key in host:
        bad.append("%s is the host's %s" % (path, host[key][0]))
    if fobj.get("sha256") in shas:
        bad.append("%s has the content of the host's %s" % (path, shas[fobj["sha256"]]))
    if (ev.get("container") or {}).get("id") == cid:
        devs.add(fobj.get("dev"))
if len(devs) > 1:
    bad.append("findings of one container on several devices: %s" % sorted(devs))
print("; ".join(bad))
sys.exit(1 if bad else 0)
PY
	) || fail "$out"
}

# latency_of PATH: seconds from the audit event of PATH's finding to SEEN_US.
latency_of() {
	local f a
	f=$(helper match "$JSON_LOG" "$1" | head -n 1)
	a=$(helper get Event.audit_time <<<"$f") || return 1
	awk -v a="$a" -v s="$SEEN_US" 'BEGIN { printf "%.3f", s / 1e6 - a }'
}

# prompt_drop PATH MAX_S: the finding for PATH, dropped by the running
# container, arrives within MAX_S seconds of its audit event.
prompt_drop() {
	local lat
	wait_json "/${1##*/}\"" || fail "no finding for $1 within $((TIMEOUT_MS / 1000)) s" || return
	lat=$(latency_of "$1") || fail "cannot read the audit time of the finding for $1" || return
	note "latency: finding for $1 $lat s after its audit event"
	awk -v l="$lat" -v m="$2" 'BEGIN { exit !(l < m) }' ||
		fail "the finding for $1 came $lat s after its event (more than $2 s)"
}

t_p_symlink() {
	local real=/tmp/de-p-real link=/tmp/de-p-link target=/tmp/de-p-target
	local pw=/tmp/de-p-pw sw=/tmp/de-p-sw sw2=/tmp/de-p-sw2 p
	start_container "cp /bin/busybox $real &&
		echo root:x:0:0:root:/root:/bin/sh > /etc/passwd && : > $target &&
		echo x > /etc/shadow && sleep 0.5 &&
		ln -s /etc/passwd $pw && cat /bin/busybox > $pw &&
		ln -s ${target##*/} $link && cat /bin/busybox > $link &&
		ln -s /proc/self/root/etc/shadow /tmp/de-p-magic &&
		cat /bin/busybox > /tmp/de-p-magic &&
		ln -s /tmp/de-p-dangling-target /tmp/de-p-dangling &&
		cat /bin/busybox > /tmp/de-p-dangling &&
		cp /bin/busybox $sw && rm $sw && ln -s /etc/shadow $sw &&
		cp /bin/busybox $sw2 && rm $sw2 && ln -s /usr/sbin/auditd $sw2 &&
		cp /bin/busybox /tmp/de-p-sw3 && rm /tmp/de-p-sw3 &&
		ln -s /proc/1/root/usr/sbin/auditd /tmp/de-p-sw3 && sleep 1" || return
	if ! expect_finding "$real"; then
		finish_container
		return 1
	fi
	finish_container || return
	local pcid=$CID
	sentinel || return
	CID=$pcid
	note "(p) findings: $(helper paths "$JSON_LOG" /tmp/de-p | sort -u | tr '\n' ' ')"
	host_files_never_reported "$CID" /etc/shadow /etc/passwd /usr/sbin/auditd \
		"=$BUSYBOX" "$BIN" /etc/hostname /etc/hosts /etc/resolv.conf || return
	# an ELF written through a symlink to an existing file of the
	# container (written as text half a second before, so that this
	# write is a new version of it): reported, as the container's file
	for p in "$pw" "$link"; do
		FINDING=$(helper match "$JSON_LOG" "$p" | head -n 1)
		[[ -n $FINDING ]] || fail "no finding for the ELF written through the symlink $p (findings: $(helper paths "$JSON_LOG" / | sort -u | tr '\n' ' '))" || return
		expect_field Event.container.id "$CID" || return
		expect_field Event.file.type elf-exec || return
	done
	# Known detection gaps, shown but not asserted: the name of a file
	# written through a symlink into /proc/self/root (a magic link, never
	# followed) or through a dangling symlink (the kernel's PATH record of
	# the created file has no name) leads nowhere once the writer exited.
	helper match "$JSON_LOG" /tmp/de-p-magic >/dev/null ||
		note "(p) not reported: ELF written through /tmp/de-p-magic -> /proc/self/root/etc/shadow (a magic link is never followed)"
	helper match "$JSON_LOG" /tmp/de-p-dangling >/dev/null ||
		note "(p) not reported: ELF written through the dangling symlink /tmp/de-p-dangling (the created file has no name in the PATH records)"
	return 0
}

# FIFOs: one still open for reading and writing, one that nobody holds
# any more (opening it to read would wait for a writer forever); /dev/null;
# a regular file swapped for a FIFO, a device, a directory after the write.
t_q_fifo_device() {
	local p=/tmp/de-q-after
	start_armed "busybox mkfifo /tmp/de-q-ff &&
		{ (sleep 0.3; echo x > /tmp/de-q-ff) & cat /tmp/de-q-ff > /dev/null; wait; } &&
		exec 3<>/tmp/de-q-ff && echo y >&3 && echo y > /dev/null && echo z >> /dev/null &&
		cp /bin/busybox /tmp/de-q-sw && rm /tmp/de-q-sw && busybox mkfifo /tmp/de-q-sw &&
		exec 4<>/tmp/de-q-sw &&
		echo x > /tmp/de-q-dev && rm /tmp/de-q-dev && busybox mknod /tmp/de-q-dev c 1 3 2>/dev/null;
		: > /tmp/de-q-dir && rm /tmp/de-q-dir && mkdir /tmp/de-q-dir &&
		busybox mkfifo /tmp/de-q-f2 && { echo x > /tmp/de-q-f2 & cat /tmp/de-q-f2 > /dev/null; wait; } &&
		true" \
		"cp /bin/busybox $p && sleep 1" || return
	# let the plugin look at all of that before the drop under test
	sleep 1.5
	fire
	if ! prompt_drop "$p" 2; then
		finish_container
		return 1
	fi
	finish_container || return
	t_plugin_stayed_up
}

t_r_sparse() {
	local p=/tmp/de-r-after
	start_container "dd if=/bin/busybox of=/tmp/de-r-sparse bs=4k count=1 2>/dev/null &&
		dd if=/dev/zero of=/tmp/de-r-sparse bs=1 count=1 seek=10G conv=notrunc 2>/dev/null &&
		cp /bin/busybox $p && sleep 1" || return
	if ! prompt_drop "$p" 2; then
		finish_container
		return 1
	fi
	finish_container || return
	note "(r) findings for the sparse file: $(helper match "$JSON_LOG" /tmp/de-r-sparse | while read -r l; do helper get Event.file.size <<<"$l"; done | tr '\n' ' ')"
	t_plugin_stayed_up
}

# the JSON log on a 64 KiB file system that fills up
SMALL_FS=""
t_s_disk_full() {
	local small="$DIR/small" main_log=$JSON_LOG rc=0
	mkdir -m 0700 "$small"
	mount -t tmpfs -o size=64k,mode=0700 dropexec-e2e "$small" || fail "cannot mount a 64 KiB tmpfs on $small" || return
	SMALL_FS=$small
	JSON_LOG="$small/findings.jsonl"
	write_conf USER
	reload_auditd
	s_disk_full_steps || rc=1
	# back to the main log (also when a step failed)
	JSON_LOG=$main_log
	write_conf USER
	reload_auditd
	umount -l "$small" && SMALL_FS=""
	return $rc
}

s_disk_full_steps() {
	local first=/tmp/de-s-first full=/tmp/de-s-full after=/tmp/de-s-after out
	drop_test "cp /bin/busybox $first && sleep 1" "$first" || return
	dd if=/dev/zero of="$SMALL_FS/fill" bs=4k >/dev/null 2>&1
	note "(s) $(df -k "$SMALL_FS" | awk 'NR == 2 {print "tmpfs: " $3 " KiB used, " $4 " KiB free"}')"
	# no room: the finding still reaches the audit trail
	start_container "cp /bin/busybox $full && sleep 1" || return
	if ! wait_audit USER "path=$full "; then
		fail "no USER record for $full while the JSON log's disk is full"
		finish_container
		return 1
	fi
	finish_container || return
	t_plugin_stayed_up || return
	helper match "$JSON_LOG" "$full" >/dev/null && note "(s) $full made it into the full log"
	# room again: the next finding is written, as a line of its own
	rm -f "$SMALL_FS/fill"
	drop_test "cp /bin/busybox $after && sleep 1" "$after" || return
	out=$(python3 - "$JSON_LOG" <<'PY'
import json, sys
data = open(sys.argv[1], "rb").read()
if not data.endswith(b"\n"):
    print("the log does not end with a newline"); sys.exit(1)
lines = data.split(b"\n")[:-1]
bad = []
for n, raw in enumerate(lines, 1):
    try:
        json.loads(raw)
    except ValueError:
        bad.append(n)
if len(bad) > 1 or (bad and bad[0] == len(lines)):
    print("lines %s of %d are not JSON" % (bad, len(lines))); sys.exit(1)
print("%d lines, %d cut short by the full disk" % (len(lines), len(bad)))
PY
	) || fail "the JSON log after the full disk: $out" || return
	note "(s) JSON log: $out"
}

t_t_removed_log() {
	local p=/tmp/de-t-removed mode
	# a finding first, so that the plugin holds the log open
	sentinel || return
	[[ -f $JSON_LOG ]] || fail "there is no $JSON_LOG to remove" || return
	cp -p "$JSON_LOG" "$JSON_LOG.before-t"
	rm -f "$JSON_LOG"
	drop_test "cp /bin/busybox $p && sleep 1" "$p" || return
	[[ -f $JSON_LOG ]] || fail "$JSON_LOG was not created again" || return
	mode=$(stat -c %a "$JSON_LOG")
	[[ $mode == 600 ]] || fail "the new JSON log has mode $mode, not 600"
}

t_u_flood() {
	local n_elf=300 n_txt=10 got lost0 lost1 deadline
	lost0=$(auditctl -s | awk '$1 == "lost" {print $2}')
	start_container "mkdir -p /tmp/de-u && dd if=/bin/busybox of=/tmp/de-u/small bs=8192 count=1 2>/dev/null &&
		i=0; while [ \$i -lt $n_elf ]; do
			cp /tmp/de-u/small /tmp/de-u/e\$i || exit 1
			j=0; while [ \$j -lt $n_txt ]; do echo text > /tmp/de-u/t\$i-\$j; j=\$((j+1)); done
			i=\$((i+1))
		done; sleep 1" || return
	deadline=$(($(now_us) + 90 * 1000000))
	while :; do
		got=$(helper paths "$JSON_LOG" /tmp/de-u/e | sort -u | wc -l)
		((got >= n_elf)) && break
		(($(now_us) < deadline)) || break
		sleep 0.5
	done
	finish_container || true
	lost1=$(auditctl -s | awk '$1 == "lost" {print $2}')
	note "(u) $got of $n_elf ELF drops reported among $((n_elf * (n_txt + 1))) files; kernel lost $((lost1 - lost0)) records; plugin $(awk '/^(VmRSS|VmHWM|Threads):/ {printf "%s %s%s ", $1, $2, $3}' "/proc/$PLUGIN_PID/status" 2>/dev/null)"
	((got == n_elf)) || fail "$got of the $n_elf ELF drops were reported (kernel lost $((lost1 - lost0)) records)" || return
	! helper match "$JSON_LOG" /tmp/de-u/t0-0 >/dev/null || fail "a text file of the flood was reported" || return
	t_plugin_stayed_up
}

# -------------------------------------------------------------------- main
setup
run_test "a: cp of an ELF in a container" t_a_cp
run_test "b: shell redirection" t_b_redirect
run_test "c: first write shorter than an ELF header" t_c_small_writes
run_test "d: temporary name, then rename" t_d_rename
run_test "e: ELF written over an existing file" t_e_existing
run_test "f: no finding for a text file" t_f_text
run_test "g: no finding for an ELF written on the host" t_g_host
run_test "h: no finding under /dev/shm" t_h_shm
run_test "i: ausearch -m/-x/-ui/-sv over findings" t_i_ausearch
run_test "k: hostile file names" t_k_hostile
note "(d) findings at the end: $(helper paths "$JSON_LOG" "$D_NAME" | tr '\n' ' ')"
run_test "p: symlink tricks never reach a host file" t_p_symlink
run_test "q: FIFOs and devices do not block the plugin" t_q_fifo_device
run_test "r: a 10 GiB sparse ELF does not stall the plugin" t_r_sparse
run_test "s: JSON log on a full disk: audit record still, log again after" t_s_disk_full
run_test "t: JSON log removed while running is created again" t_t_removed_log
run_test "u: flood of 300 ELF and 3000 text files, all drops reported" t_u_flood
run_test "j: audit_record_type = ANOM_MK_EXEC after SIGHUP" t_j_anom
run_test "o: an invalid file on SIGHUP keeps the running settings" t_o_bad_reload
run_test "n: JSON log opened again after rotation and SIGHUP" t_n_rotate
run_test "l: --check-config" t_l_check_config
run_test "plugin stayed up (no crash, no restart)" t_plugin_stayed_up
note "kernel audit: $(auditctl -s | awk '$1 == "lost" || $1 == "backlog_limit" {printf "%s %s ", $1, $2}')"
run_test "m: the plugin exits when auditd stops" t_m_sigterm
