# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# tests/lib/e2e.sh -- the harness of the end-to-end suites (tests/e2e/*.sh);
# sourced after tests/lib/auditd.sh and tests/lib/containers.sh.
#
# A suite calls e2e_start (checks, the auditd lock, its temporary
# directory, the EXIT trap), sets up its auditd, runs each test with
# run_test NAME FUNCTION, and the EXIT trap stops and removes everything
# and prints "N passed, M failed". A test function returns 0 to pass;
# "... || fail REASON || return" records why it fails.
#
# Findings are selected by the container that dropped them AND their path,
# never by path alone: CID is the container's full id (start_container
# sets it), "*" every container, for global assertions only. The waits
# poll the JSON log up to E2E_TIMEOUT seconds (DROPEXEC_E2E_TIMEOUT,
# default 10): a loaded machine only makes them slower, never wrong.
#
# Uses the suite's JSON_LOG; sets FINDING (the JSON line of the finding
# under test), SEEN_US (when a wait saw its finding), SENTINEL_CID and
# SENTINEL_PATH. A suite may define e2e_cleanup_hook (run by the trap,
# last) and e2e_release_hook (run by the trap first, before auditd and the
# containers are stopped: to release what could hold them, such as a hung
# file system).

# shellcheck disable=SC2034 # variables the caller reads
E2E_TIMEOUT=${DROPEXEC_E2E_TIMEOUT:-10}
PASS=0
FAIL=0
TRAPPED=0         # the EXIT trap is set
ERR_AT=""         # the last command that failed
SKIPPED=0         # tests that could not run here
SKIPPED_NAMES=""
CURRENT=""        # test under way (for the EXIT trap)
WHY=""            # why the current test failed
FINDING=""
SEEN_US=0
SENTINEL_N=0
SENTINEL_PREFIX=/tmp/e2e-sentinel-

say() { printf '%s\n' "$*"; }
note() { printf '# %s\n' "$*"; }
ok() { PASS=$((PASS + 1)); say "ok - $1"; }
not_ok() { FAIL=$((FAIL + 1)); say "not ok - $1: $2"; }
# fail REASON: record why the current test fails; use as "... || fail X || return"
fail() { WHY=$*; return 1; }
# lib_fail: fail with the reason a library function gave
lib_fail() { fail "$LIB_ERR"; }

# Refuse to start: a clear message, a failed "setup" test, exit 1.
refuse() {
	printf '%s: %s\n' "${0##*/}" "$*" >&2
	not_ok setup "$*"
	# before the EXIT trap is set, print the summary here
	((TRAPPED)) || say "$PASS passed, $FAIL failed"
	exit 1
}
fatal() { refuse "$@"; }

helper() { "$PYTHON" "$TESTS_LIB/findings.py" "$@"; }

# e2e_start PREFIX [BINARY] TOOL...: check root, the plugin binary, the
# TOOLs and busybox; take the auditd lock; refuse beside another auditd;
# set the EXIT trap; make WORK (/tmp/PREFIX.XXXXXX), JSON_LOG and CONF;
# listen for the plugin's syslog messages.
e2e_start() {
	local prefix=$1 bin=$2
	shift 2
	need_tools auditd auditctl podman "$RUNTIME" python3 pgrep flock "$@"
	find_bin "$bin"
	check_busybox
	take_lock
	refuse_other_auditd
	trap e2e_cleanup EXIT
	TRAPPED=1
	set -E
	trap 'ERR_AT="line $LINENO: $BASH_COMMAND"' ERR
	trap 'exit 130' INT
	trap 'exit 143' TERM
	WORK=$(mktemp -d "/tmp/$prefix.XXXXXX")
	chmod 0700 "$WORK"
	JSON_LOG="$WORK/findings.jsonl"
	CONF="$WORK/dropexec.conf"
	start_syslog
}

e2e_cleanup_hook() { :; }
e2e_release_hook() { :; }

# The EXIT trap: a test under way fails, everything started is stopped and
# removed, the temporary directory is kept when something failed.
e2e_cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	set +e
	if [[ -n $CURRENT ]]; then
		not_ok "$CURRENT" "aborted (unexpected error, exit status $rc)"
		CURRENT=""
	fi
	e2e_release_hook
	auditd_cleanup
	containers_cleanup
	e2e_cleanup_hook
	if [[ -n $WORK && -d $WORK ]]; then
		if [[ ${DROPEXEC_E2E_KEEP:-0} == 1 || $FAIL -gt 0 ]]; then
			note "logs kept in $WORK"
		else
			rm -rf "$WORK"
		fi
	fi
	if ((rc != 0 && FAIL == 0)); then
		not_ok setup "aborted (exit status $rc${ERR_AT:+, after $ERR_AT})"
	fi
	((FAIL == 0)) || ((rc != 0)) || rc=1
	say "$PASS passed, $FAIL failed"
	exit "$rc"
}

# run_test NAME FUNCTION: FUNCTION returns 0 to pass, 77 when it could
# not run here ("skip_because REASON; return": neither passed nor failed,
# printed as "skip - NAME: REASON"), anything else to fail
#
# DROPEXEC_E2E_ONLY="b c" runs only those tests of a suite, the others
# said as "# not selected: NAME"; see e2e_selected.
run_test() {
	local rc=0
	if ! e2e_selected "${1%%:*}"; then
		note "not selected: $1"
		return 0
	fi
	CURRENT=$1
	WHY=""
	"$2" || rc=$?
	if ((rc == 0)); then
		ok "$1"
	elif ((rc == 77)); then
		SKIPPED=$((SKIPPED + 1))
		SKIPPED_NAMES+=" ${1%%:*}"
		say "skip - $1: ${WHY:-no reason given}"
	else
		not_ok "$1" "${WHY:-failed}"
		local counters
		counters=$(plugin_counters)
		[[ -z $counters ]] || note "plugin counters: $counters"
		plugin_decisions "$WHY" | while IFS= read -r line; do
			note "plugin $line"
		done
	fi
	CURRENT=""
}

# e2e_selected KEY: is the test KEY (its name up to ":") one that
# DROPEXEC_E2E_ONLY names (unset: all)? Each word of it ("e f", "e,f")
# selects the test it equals, and a word longer than a letter the tests
# whose KEY contains it ("rootless").
e2e_selected() {
	local key=$1 w
	[[ -n ${DROPEXEC_E2E_ONLY:-} ]] || return 0
	for w in ${DROPEXEC_E2E_ONLY//,/ }; do
		[[ $key == "$w" ]] && return 0
		((${#w} > 1 && ${#key} > 1)) && [[ $key == *"$w"* ]] && return 0
	done
	return 1
}

# skip_because REASON: use as "skip_because X; return"
skip_because() {
	WHY=$*
	return 77
}

# say_skipped: "K skipped" (and their names), for the end of a suite
say_skipped() {
	((SKIPPED == 0)) || note "skipped:${SKIPPED_NAMES}"
	say "$SKIPPED skipped"
}

# ---------------------------------------------------------------- findings
# field NAME: a field of $FINDING
field() { helper get "$1" <<<"$FINDING"; }

# expect_field NAME VALUE: the field of $FINDING equals VALUE.
expect_field() {
	local v
	v=$(field "$1") || fail "the finding for $(field Data.path) has no $1" || return
	[[ $v == "$2" ]] || fail "$(field Data.path): $1 is '$v', expected '$2'"
}

# count CID PATH...: the number of findings of CID with one of the PATHs
count() { helper count "$JSON_LOG" "$@"; }

# matches CID PATH: the findings (JSON lines) of CID for PATH
matches() { helper match "$JSON_LOG" "$1" "$2"; }

# wait_findings CID N PATH...: until N findings of container CID have one
# of the PATHs ("hex:HEX" for raw bytes); sets SEEN_US when they have.
wait_findings() {
	local cid=$1 n=$2
	shift 2
	helper wait "$JSON_LOG" "$cid" "$E2E_TIMEOUT" "$n" "$@" >/dev/null || return 1
	SEEN_US=$(now_us)
}

# wait_finding CID PATH...: until a finding of CID has one of the PATHs
wait_finding() {
	local cid=$1
	shift
	wait_findings "$cid" 1 "$@"
}

# one_finding CID PATH: exactly one finding of CID for PATH (waiting for
# it); sets FINDING to its JSON line.
one_finding() {
	local n
	wait_finding "$1" "$2" ||
		fail "no finding of container ${1:0:12} for $2 within $E2E_TIMEOUT s$(
			(($(count '*' "$2") == 0)) || echo " (but of another container)")" || return
	FINDING=$(matches "$1" "$2")
	n=$(wc -l <<<"$FINDING")
	((n == 1)) || fail "$n findings of container ${1:0:12} for $2, expected one" || return
	expect_field SigMetadata.ID TRC-1022
}

# no_finding CID PATH...: no finding of container CID for any PATH, and
# none of any container either (a global check: a finding put on another
# container must not pass for an absence). Call it after a sentinel.
no_finding() {
	local cid=$1 p
	shift
	for p; do
		(($(count "$cid" "$p") == 0)) ||
			fail "a finding of container ${cid:0:12} for $p: $(matches "$cid" "$p" | head -c 600)" || return
		(($(count '*' "$p") == 0)) ||
			fail "a finding for $p (of another container): $(matches '*' "$p" | head -c 600)" || return
	done
}

# shellcheck disable=SC2120 # the argument is optional
# sentinel [IMAGE]: a container drop that must be found; once it is,
# everything before it has been processed (used to prove an absence).
# Sets SENTINEL_CID and SENTINEL_PATH; CID stays the test's container.
sentinel() {
	local image=${1:-$IMAGE} s cid=$CID
	SENTINEL_N=$((SENTINEL_N + 1))
	s=$SENTINEL_PREFIX$SENTINEL_N
	SENTINEL_PATH=$s
	start_container "$image" "cp /bin/busybox $s && sleep 1" || lib_fail || return
	SENTINEL_CID=$CID
	CID=$cid
	if ! wait_finding "$SENTINEL_CID" "$s"; then
		fail "sentinel $s was not reported either"
		finish_container "$SENTINEL_CID"
		return 1
	fi
	finish_container "$SENTINEL_CID" || lib_fail
}

# dead_tables PID: the mount tables (/proc/N/mountinfo) process PID holds
# open whose process N has ended
dead_tables() {
	local fd link n=0
	for fd in /proc/"$1"/fd/*; do
		link=$(readlink "$fd" 2>/dev/null) || continue
		[[ $link =~ ^/proc/([0-9]+)/mountinfo$ ]] || continue
		alive "${BASH_REMATCH[1]}" || n=$((n + 1))
	done
	echo "$n"
}
no_dead_tables() { [[ $(dead_tables "$PLUGIN_PID") == 0 ]]; }

# finish CID: finish_container, keeping an earlier reason for failing
finish() {
	finish_container "$1" && return 0
	[[ -n $WHY ]] || WHY=$LIB_ERR
	return 1
}
