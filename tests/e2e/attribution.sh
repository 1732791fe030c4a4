#!/usr/bin/env bash
# tests/e2e/attribution.sh -- end-to-end tests of attribution and precision
#
# Like tests/e2e/run.sh (whose helpers are copied here), it runs a private
# auditd (auditd -n -c TMPDIR) with the built plugin and the project's
# rules/dropexec.rules, drops files from real podman containers and reads the
# findings. It covers what run.sh does not:
#   a  a drop by a short-lived "podman exec" process: container id, runtime,
#      name and image from podman's state on disk
#   b  two containers drop the same path at once: two findings, told apart
#   c  a file written under a temporary name and renamed (twice): one finding
#      under a later name with Event.old_path; hard links are no new drop
#   d  [detect] types: scripts, ELF objects and cores, PE files are not
#      reported by default and are after a reload that enables them
#   e  [allow] path / container / image; the "allowed" counter of a replay
#      with -i
#   f  every finding has file.sha256 (checked against sha256sum), file.size,
#      Event.parent and Event.records
#
# Usage: tests/e2e/attribution.sh [PATH-TO-audisp-dropexec]
#   The binary defaults to $DROPEXEC_BIN, else ./audisp-dropexec at the repo
#   root. Nothing is built here. Run it under the lock other auditd users
#   take:  flock /tmp/dropexec-auditd.lock tests/e2e/attribution.sh BINARY
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
# IMAGE2 must not match the glob "localhost/dropexec-attr*" of test e3
IMAGE=localhost/dropexec-attr:latest
IMAGE2=localhost/dropexec-sentinel:latest
LABEL="dropexec-attr=$$"
NAMES="at$$"      # prefix of our container names
ALL_TYPES="elf-exec, elf-pie, elf-shared, script, elf-core, elf-reloc, pe"

PASS=0
FAIL=0
TRAPPED=0         # the EXIT trap is set
ERR_AT=""         # the last command that failed
CURRENT=""        # test under way (for the EXIT trap)
WHY=""            # why the current test failed
DIR=""            # temporary directory
AUDITD_PID=""
PLUGIN_PID=""
RULES_LOADED=0
IMAGES_BUILT=0
OLD_BACKLOG=""
OLD_ENABLED=""
KEEP_CID=""       # test e1's container, alive until the replay (e4)
CID=""

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

for cmd in auditd auditctl podman "$RUNTIME" python3 pgrep sha256sum; do
	command -v "$cmd" >/dev/null 2>&1 ||
		refuse "'$cmd' is not installed (apt-get install auditd podman runc busybox-static python3 procps coreutils)"
done
[[ -f $RULES ]] || refuse "rules file $RULES is missing"
[[ -f $SHIPPED_CONF ]] || refuse "configuration $SHIPPED_CONF is missing"
[[ -f $HELPER ]] || refuse "helper $HELPER is missing"
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
	[[ -n $ids ]] && podman rm -f -t 0 $ids >/dev/null 2>&1
	((IMAGES_BUILT)) && podman rmi -f "$IMAGE" "$IMAGE2" >/dev/null 2>&1
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
DIR=$(mktemp -d /tmp/dropexec-attr.XXXXXX)
chmod 0700 "$DIR"
AUDIT_LOG="$DIR/audit.log"
JSON_LOG="$DIR/findings.jsonl"
CONF="$DIR/dropexec.conf"

# write_conf FILE JSON_LOG AUDIT_RECORD TYPES [ALLOW-LINES]: the shipped
# dropexec.conf with these settings, and an [allow] section when
# ALLOW-LINES (newline separated "key = globs") is given.
write_conf() {
	local file=$1
	sed -e "s|^json_log *=.*|json_log = $2|" \
		-e "s|^audit_record *=.*|audit_record = $3|" \
		-e "s|^types *=.*|types = $4|" \
		-e "s|^stats_interval *=.*|stats_interval = 0|" \
		"$SHIPPED_CONF" >"$file.new"
	[[ -z ${5:-} ]] || printf '\n[allow]\n%s\n' "$5" >>"$file.new"
	chmod 0640 "$file.new"
	mv -f "$file.new" "$file"
}

# configure TYPES [ALLOW-LINES]: rewrite the running plugin's file, check
# it, and send the plugin SIGHUP
configure() {
	local out
	write_conf "$CONF" "$JSON_LOG" yes "$1" "${2:-}"
	out=$("$DIR/audisp-dropexec" --check-config -c "$CONF" 2>&1) ||
		fail "--check-config refuses $CONF: $out" || return
	kill -HUP "$PLUGIN_PID"
	sleep 0.3
}

setup() {
	local i

	install -o root -g root -m 0750 "$BIN" "$DIR/audisp-dropexec"
	write_conf "$CONF" "$JSON_LOG" yes "elf-exec, elf-pie, elf-shared"
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

	build_images

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
		note "the $want rules of $RULES are already loaded: using them"
	else
		remove_rules # leftovers of an interrupted run would make -R fail
		RULES_LOADED=1
		auditctl -R "$RULES" >/dev/null || refuse "auditctl -R $RULES failed"
	fi
	grep -q 'key=dropped_executable' <<<"$(auditctl -l)" ||
		refuse "the rules of $RULES are not loaded"
	note "auditd pid $AUDITD_PID, plugin pid $PLUGIN_PID, dir $DIR, binary $BIN"
}

# The files of test d, made on the host (libmagic must call each what its
# header says; "file" shows it when it is installed).
make_samples() {
	local src=$1
	# a shell script
	printf '#!/bin/sh\necho "dropped script"\n' >"$src/script.sh"
	# an ELF relocatable object: a real one when a compiler is there
	if command -v gcc >/dev/null 2>&1 &&
		printf 'int dropped(void) { return 42; }\n' >"$DIR/obj.c" &&
		gcc -c -o "$src/obj.o" "$DIR/obj.c" 2>/dev/null; then
		note "(d) ELF object compiled with gcc"
	else
		elf_header '\001' >"$src/obj.o"
		head -c 448 /dev/zero >>"$src/obj.o"
	fi
	# an ELF core file (e_type 4): the header of one, and room for notes
	elf_header '\004' >"$src/core"
	head -c 4096 /dev/zero >>"$src/core"
	# a PE32 console program: MZ stub, e_lfanew = 0x40, "PE\0\0", a COFF
	# header (i386, one section, 0xe0 bytes of optional header,
	# executable|32-bit) and a PE32 optional header (magic 0x10b,
	# subsystem 3 = console), padded to 512 bytes
	{
		printf 'MZ'
		head -c 58 /dev/zero
		printf '\100\000\000\000'
		printf 'PE\000\000\114\001\001\000'
		head -c 12 /dev/zero
		printf '\340\000\002\001'
		printf '\013\001'
		head -c 66 /dev/zero
		printf '\003\000'
		head -c 354 /dev/zero
	} >"$src/pe.exe"
	if command -v file >/dev/null 2>&1; then
		local f want
		for f in script.sh:text/x-shellscript obj.o:application/x-object \
			core:application/x-coredump \
			pe.exe:application/vnd.microsoft.portable-executable; do
			want=${f#*:}
			[[ $(file -b --mime-type "$src/${f%%:*}") == "$want" ]] ||
				refuse "libmagic does not call the sample ${f%%:*} $want: $(file -b "$src/${f%%:*}")"
		done
	fi
}

# elf_header TYPE-ESCAPE: a 64-byte ELF64 little-endian x86-64 header
elf_header() {
	printf '\177ELF\002\001\001\000\000\000\000\000\000\000\000\000'
	printf '%b\000\076\000\001\000\000\000' "$1"
	head -c 28 /dev/zero
	printf '\100\000\070\000\000\000\100\000\000\000\000\000'
}

build_images() {
	local root="$DIR/rootfs" a
	mkdir -p "$root"/{bin,tmp,dev,proc,sys,etc,src}
	chmod 1777 "$root/tmp"
	# -p: the image's busybox keeps its old mtime, as a real image's
	# binaries do (a link of a recent file would count as a drop)
	cp -p "$BUSYBOX" "$root/bin/busybox"
	for a in sh cp cat ls sleep mkdir mv rm ln dd printf echo head tail \
		chmod cmp true touch test; do
		ln -s busybox "$root/bin/$a"
	done
	make_samples "$root/src"
	tar -C "$root" -c . | podman import - "$IMAGE" >"$DIR/import.out" 2>&1 ||
		refuse "podman import of the test image failed"
	IMAGES_BUILT=1
	tar -C "$root" -c . | podman import - "$IMAGE2" >>"$DIR/import.out" 2>&1 ||
		refuse "podman import of the second test image failed"
	podman_run --rm "$IMAGE" /bin/true >/dev/null 2>&1 ||
		refuse "a test container does not run: podman --runtime $RUNTIME run $IMAGE /bin/true"
}

# ----------------------------------------------------------------- helpers
podman_run() {
	podman --runtime "$RUNTIME" run --label "$LABEL" --network none \
		--ulimit nofile=10000:10000 --ulimit nproc=4096:4096 "$@"
}

# start_named NAME IMAGE SCRIPT [PODMAN-ARGS...]: run SCRIPT with /bin/sh in
# a new container called NAME; sets CID.
start_named() {
	local name=$1 image=$2 script=$3
	shift 3
	CID=$(podman_run -d --name "$name" "$@" "$image" /bin/sh -c "$script") ||
		fail "podman run failed" || return
	[[ $CID =~ ^[0-9a-f]{64}$ ]] || fail "podman run printed no container id: $CID"
}

# finish CID: wait for the container, remove it, fail unless its script
# exited 0 (without hiding an earlier reason).
finish() {
	local rc
	rc=$(podman wait "$1" 2>&1) || true
	podman rm -f "$1" >/dev/null 2>&1 || true
	[[ $rc == 0 ]] && return 0
	[[ -n $WHY ]] || WHY="the container's script exited with '$rc'"
	return 1
}

# count PATH: the number of findings whose Data.path is PATH
count() { helper match "$JSON_LOG" "$1" 2>/dev/null | wc -l; }

# wait_count PATH N: until at least N findings have Data.path PATH
wait_count() {
	local deadline=$(($(now_us) + TIMEOUT_MS * 1000))
	until (($(count "$1") >= $2)); do
		(($(now_us) < deadline)) || return 1
		sleep 0.05
	done
}

# one_finding PATH: exactly one finding for PATH (waiting for it); sets
# FINDING to its JSON line.
one_finding() {
	local n
	wait_count "$1" 1 || fail "no finding for $1 within $((TIMEOUT_MS / 1000)) s" || return
	FINDING=$(helper match "$JSON_LOG" "$1")
	n=$(wc -l <<<"$FINDING")
	((n == 1)) || fail "$n findings for $1, expected one" || return
	expect_field SigMetadata.ID TRC-1022
}

field() { helper get "$1" <<<"$FINDING"; }

# expect_field NAME VALUE: the field of $FINDING equals VALUE.
expect_field() {
	local v
	v=$(field "$1") || fail "finding for $(field Data.path) has no $1" || return
	[[ $v == "$2" ]] || fail "$(field Data.path): $1 is '$v', expected '$2'"
}

# sentinel [IMAGE]: a container drop that must be found; once it is,
# everything before it has been processed (proves an absence).
SENTINEL_N=0
sentinel() {
	local image=${1:-$IMAGE} s cid
	SENTINEL_N=$((SENTINEL_N + 1))
	s="/tmp/at-sentinel-$SENTINEL_N"
	start_named "$NAMES-sentinel-$SENTINEL_N" "$image" "cp /bin/busybox $s && sleep 1" || return
	cid=$CID
	if ! wait_count "$s" 1; then
		fail "sentinel $s was not reported either"
		finish "$cid"
		return 1
	fi
	finish "$cid"
}

# in_audit_log PATH: a PATH record names PATH (grep: "ausearch -f" is slow
# over a log that the host's own writes make large)
in_audit_log() {
	local logs=("$AUDIT_LOG")
	[[ -f $AUDIT_LOG.1 ]] && logs+=("$AUDIT_LOG.1")
	grep -qaF "name=\"$1\"" "${logs[@]}"
}

# no_finding PATH...: the audit log saw each PATH, and no finding names it
# (call after a sentinel)
no_finding() {
	local p
	for p; do
		in_audit_log "$p" || fail "the audit log has no event for $p: the rules did not see it" || return
		(($(count "$p") == 0)) || fail "a finding for $p: $(helper match "$JSON_LOG" "$p" | head -c 600)" || return
	done
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

# a: a short-lived process started with "podman exec": it may be gone when
# the plugin looks, and its parent (runc, then conmon) is on the host; then
# only the overlay mount and podman's containers.json tell the container.
# Its name and image come from containers.json either way.
t_a_exec() {
	local p=/tmp/at-a-exec name cid
	start_named "$NAMES-a" "$IMAGE" "sleep 30" || return
	cid=$CID
	name=$(podman inspect -f '{{.Name}}' "$cid") || fail "podman inspect failed" || return
	podman exec "$cid" cp /bin/busybox "$p" || fail "podman exec $cid cp failed" || return
	one_finding "$p" || return
	podman rm -f -t 0 "$cid" >/dev/null 2>&1 || true
	note "(a) attribution source: $(field Event.container.source), exe $(field Event.exe), parent $(field Event.parent || echo none)"
	expect_field Event.container.id "$cid" || return
	expect_field Event.container.runtime podman || return
	expect_field Event.container.name "$name" || return
	expect_field Event.container.image "$IMAGE" || return
	expect_field Event.file.type elf-exec
}

# b: two containers write the same path at the same moment
t_b_two() {
	local p=/tmp/at-b-same trig="$DIR/trigger-b" c1 c2 n1 n2 got want
	local wait_go="i=0; while [ ! -e /trigger/go ] && [ \$i -lt 300 ]; do sleep 0.05; i=\$((i+1)); done; [ -e /trigger/go ]"
	mkdir -m 0755 "$trig"
	start_named "$NAMES-b1" "$IMAGE" "$wait_go && cp /bin/busybox $p && sleep 1" -v "$trig:/trigger" || return
	c1=$CID
	start_named "$NAMES-b2" "$IMAGE" "$wait_go && cp /bin/busybox $p && sleep 1" -v "$trig:/trigger" || return
	c2=$CID
	sleep 0.5
	touch "$trig/go"
	if ! wait_count "$p" 2; then
		fail "$(count "$p") finding(s) for $p from two containers within $((TIMEOUT_MS / 1000)) s, expected 2"
		finish "$c1"
		finish "$c2"
		return 1
	fi
	finish "$c1" || return
	finish "$c2" || return
	n1=$NAMES-b1
	n2=$NAMES-b2
	want=$(printf '%s %s\n%s %s\n' "$c1" "$n1" "$c2" "$n2" | sort)
	got=$(helper match "$JSON_LOG" "$p" | while IFS= read -r FINDING; do
		printf '%s %s\n' "$(field Event.container.id)" "$(field Event.container.name)"
	done | sort)
	[[ $got == "$want" ]] || fail "findings for $p name $(tr '\n' ' ' <<<"$got"), expected $(tr '\n' ' ' <<<"$want")"
}

# c: a download written under a temporary name, then moved (twice)
CHAINS=5
t_c_rename() {
	local i p cid script="" part mid last n path old all=""
	for ((i = 1; i <= CHAINS; i++)); do
		script+="cp /bin/busybox /tmp/at-c$i.part && mv /tmp/at-c$i.part /tmp/at-c$i && mv /tmp/at-c$i /tmp/at-c$i-final && "
	done
	start_named "$NAMES-c" "$IMAGE" "${script}sleep 1" || return
	cid=$CID
	for ((i = 1; i <= CHAINS; i++)); do
		wait_count "/tmp/at-c$i-final" 1 || wait_count "/tmp/at-c$i" 1 ||
			wait_count "/tmp/at-c$i.part" 1 || true
	done
	finish "$cid" || return
	sentinel || return
	for ((i = 1; i <= CHAINS; i++)); do
		part=/tmp/at-c$i.part
		mid=/tmp/at-c$i
		last=/tmp/at-c$i-final
		n=$(($(count "$part") + $(count "$mid") + $(count "$last")))
		path="" old=""
		for p in "$part" "$mid" "$last"; do
			if (($(count "$p") > 0)); then
				FINDING=$(helper match "$JSON_LOG" "$p" | head -n 1)
				path=$p
				old=$(field Event.old_path || true)
			fi
		done
		all+="${path##*/}${old:+ (old_path ${old##*/})}; "
		((n == 1)) || fail "chain $i: $n findings among $part, $mid, $last; expected one (seen: $all)" || return
		[[ $path != "$part" ]] || fail "chain $i: reported under the temporary name $part, not the name it was moved to (seen: $all)" || return
		[[ -n $old ]] || fail "chain $i: the finding for $path has no Event.old_path (seen: $all)" || return
		if [[ $path == "$mid" ]]; then
			[[ $old == "$part" ]] || fail "chain $i: $mid has old_path '$old', expected $part" || return
			FINDING=$(helper match "$JSON_LOG" "$mid")
			field Event.rename_serial >/dev/null || fail "chain $i: a merged rename without Event.rename_serial" || return
		fi
		expect_field Event.container.id "$cid" || return
	done
	note "(c) findings per chain: $all"
}

# c: one rename (cp x.part && mv x.part x): one finding, under the name
# it was moved to, with the temporary name as Event.old_path
t_c_rename_once() {
	local i cid script="" part last all="" how
	for ((i = 1; i <= CHAINS; i++)); do
		script+="cp /bin/busybox /tmp/at-s$i.part && mv /tmp/at-s$i.part /tmp/at-s$i && "
	done
	start_named "$NAMES-s" "$IMAGE" "${script}sleep 1" || return
	cid=$CID
	for ((i = 1; i <= CHAINS; i++)); do
		wait_count "/tmp/at-s$i" 1 || wait_count "/tmp/at-s$i.part" 1 || true
	done
	finish "$cid" || return
	sentinel || return
	for ((i = 1; i <= CHAINS; i++)); do
		part=/tmp/at-s$i.part
		last=/tmp/at-s$i
		(($(count "$part") == 0)) || fail "rename $i: a finding under the temporary name $part" || return
		one_finding "$last" || return
		expect_field Event.old_path "$part" || return
		how="$(field Event.syscall)"
		field Event.rename_serial >/dev/null && how+=" +rename_serial"
		all+="${last##*/}: $how; "
	done
	note "(c) single renames, Event.syscall of each finding: $all"
}

# c: the writer still holds the file open when it is renamed: the finding
# is the writer's open, merged with the rename (Event.rename_serial)
t_c_rename_held() {
	local cid serial rserial
	start_named "$NAMES-h" "$IMAGE" "exec 3>/tmp/at-h.part && cat /bin/busybox >&3 && mv /tmp/at-h.part /tmp/at-h && sleep 1 && exec 3>&- && sleep 0.5" || return
	cid=$CID
	wait_count /tmp/at-h 1 || wait_count /tmp/at-h.part 1 || true
	finish "$cid" || return
	sentinel || return
	(($(count /tmp/at-h.part) == 0)) || fail "a finding under the temporary name /tmp/at-h.part" || return
	one_finding /tmp/at-h || return
	expect_field Event.old_path /tmp/at-h.part || return
	expect_field Event.operation open || return
	serial=$(field Event.serial)
	rserial=$(field Event.rename_serial) || fail "no Event.rename_serial: the rename was not merged" || return
	((rserial > serial)) || fail "Event.rename_serial $rserial is not after Event.serial $serial" || return
	[[ $(field Event.rename_records) == *"type=SYSCALL"* ]] || fail "Event.rename_records has no SYSCALL record"
}

# c: a hard link of a dropped file is no second drop; one of an image
# binary is no drop at all
t_c_links() {
	local cid
	start_named "$NAMES-l" "$IMAGE" "cp /bin/busybox /tmp/at-l1 && sleep 0.5 && ln /tmp/at-l1 /tmp/at-l1-link && cp /bin/busybox /tmp/at-l2 && ln /tmp/at-l2 /tmp/at-l2-link && ln /bin/busybox /tmp/at-img-link && sleep 1" || return
	cid=$CID
	wait_count /tmp/at-l1 1 || true
	finish "$cid" || return
	sentinel || return
	one_finding /tmp/at-l1 || return
	no_finding /tmp/at-l1-link /tmp/at-img-link || return
	# linked at once: one finding, under either name
	local n=$(($(count /tmp/at-l2) + $(count /tmp/at-l2-link)))
	((n == 1)) || fail "$n findings for /tmp/at-l2 and its link made at once, expected one" || return
	(($(count /tmp/at-l2) == 1)) || note "(c) the file linked at once was reported under its link's name"
}

# d: kinds that are not reported by default
D_KINDS="script:script obj:elf-reloc core:elf-core pe:pe"
drop_kinds_script() { # SUFFIX
	printf '%s' "cp /src/script.sh /tmp/at-d-script$1 && chmod +x /tmp/at-d-script$1 && cp /src/obj.o /tmp/at-d-obj$1 && cp /src/core /tmp/at-d-core$1 && cp /src/pe.exe /tmp/at-d-pe$1 && sleep 1"
}

t_d_default_types() {
	local cid k
	start_named "$NAMES-d1" "$IMAGE" "$(drop_kinds_script -1)" || return
	cid=$CID
	finish "$cid" || return
	sentinel || return
	for k in $D_KINDS; do
		no_finding "/tmp/at-d-${k%%:*}-1" || return
	done
}

t_d_all_types() {
	local cid k p
	configure "$ALL_TYPES" || return
	start_named "$NAMES-d2" "$IMAGE" "$(drop_kinds_script -2)" || return
	cid=$CID
	for k in $D_KINDS; do
		wait_count "/tmp/at-d-${k%%:*}-2" 1 || true
	done
	finish "$cid" || return
	for k in $D_KINDS; do
		p=/tmp/at-d-${k%%:*}-2
		one_finding "$p" || return
		expect_field Event.file.type "${k#*:}" || return
		expect_field Event.container.id "$cid" || return
		note "(d) $p: $(field Event.file.mime_type), $(field Event.file.magic)"
	done
	# an ELF program is still one
	start_named "$NAMES-d3" "$IMAGE" "cp /bin/busybox /tmp/at-d-elf-2 && sleep 1" || return
	cid=$CID
	one_finding /tmp/at-d-elf-2 || { finish "$cid"; return 1; }
	finish "$cid" || return
	expect_field Event.file.type elf-exec
}

# e1: [allow] path. The container stays up for the replay (e4), so that
# the replayed events still find their files.
t_e_allow_path() {
	configure "elf-exec, elf-pie, elf-shared" "path = /tmp/allowed-*" || return
	start_named "$NAMES-keep" "$IMAGE" "cp /bin/busybox /tmp/allowed-1 && cp /bin/busybox /tmp/notallowed-1 && sleep 120" || return
	KEEP_CID=$CID
	one_finding /tmp/notallowed-1 || return
	expect_field Event.container.id "$KEEP_CID" || return
	sentinel || return
	no_finding /tmp/allowed-1
}

# e1: a file written under an allowed path and then moved or linked out of
# it is an executable at a path that is not allowed: it is reported
t_e_allow_path_moved() {
	local cid
	start_named "$NAMES-moved" "$IMAGE" "cp /bin/busybox /tmp/allowed-2 && sleep 1 && mv /tmp/allowed-2 /tmp/at-e-moved && cp /bin/busybox /tmp/allowed-3 && sleep 1 && ln /tmp/allowed-3 /tmp/at-e-linked && sleep 1" || return
	cid=$CID
	wait_count /tmp/at-e-moved 1 || true
	wait_count /tmp/at-e-linked 1 || true
	finish "$cid" || return
	sentinel || return
	in_audit_log /tmp/at-e-moved || fail "the audit log has no event for /tmp/at-e-moved" || return
	(($(count /tmp/allowed-2) + $(count /tmp/allowed-3) == 0)) || fail "a finding under an allowed path" || return
	(($(count /tmp/at-e-moved) > 0)) || fail "no finding for /tmp/allowed-2 moved to /tmp/at-e-moved 1 s after it was written (and allowed)" || return
	one_finding /tmp/at-e-moved || return
	expect_field Event.old_path /tmp/allowed-2 || return
	(($(count /tmp/at-e-linked) > 0)) || fail "no finding for /tmp/allowed-3 linked as /tmp/at-e-linked 1 s after it was written (and allowed)" || return
	one_finding /tmp/at-e-linked
}

# e2: [allow] container, by the name podman gave it
t_e_allow_container() {
	local trusted=$NAMES-trusted other=$NAMES-other c1 c2
	configure "elf-exec, elf-pie, elf-shared" "container = $trusted" || return
	start_named "$trusted" "$IMAGE" "cp /bin/busybox /tmp/at-e-trusted && sleep 1" || return
	c1=$CID
	start_named "$other" "$IMAGE" "cp /bin/busybox /tmp/at-e-other && sleep 1" || return
	c2=$CID
	if ! one_finding /tmp/at-e-other; then
		finish "$c1"
		finish "$c2"
		return 1
	fi
	finish "$c1" || return
	finish "$c2" || return
	expect_field Event.container.name "$other" || return
	sentinel || return
	no_finding /tmp/at-e-trusted
}

# e3: [allow] image; the sentinel comes from another image
t_e_allow_image() {
	local cid
	configure "elf-exec, elf-pie, elf-shared" "image = ${IMAGE%%:*}*" || return
	start_named "$NAMES-img" "$IMAGE" "cp /bin/busybox /tmp/at-e-image && sleep 1" || return
	cid=$CID
	finish "$cid" || return
	sentinel "$IMAGE2" || return
	FINDING=$(helper match "$JSON_LOG" "/tmp/at-sentinel-$SENTINEL_N")
	expect_field Event.container.image "$IMAGE2" || return
	no_finding /tmp/at-e-image
}

# e4: the plugin counts what it allowed; its replay mode (-i) prints the
# counters when it stops
t_e_replay() {
	local rconf="$DIR/replay.conf" rjson="$DIR/replay.jsonl" out n
	[[ -n $KEEP_CID ]] || fail "test e1 did not leave its container" || return
	write_conf "$rconf" "$rjson" no "elf-exec, elf-pie, elf-shared" "path = /tmp/allowed-*"
	out=$("$DIR/audisp-dropexec" -c "$rconf" -i "$AUDIT_LOG" 2>&1 >/dev/null) ||
		fail "the replay failed: $(tail -n 3 <<<"$out")" || return
	podman rm -f -t 0 "$KEEP_CID" >/dev/null 2>&1 || true
	KEEP_CID=""
	out=$(grep -a 'stopping:' <<<"$out" | tail -n 1)
	[[ -n $out ]] || fail "the replay printed no 'stopping:' line" || return
	note "(e) replay: ${out#*stopping: }"
	n=$(sed -n 's/.* allowed=\([0-9]*\).*/\1/p' <<<"$out")
	[[ -n $n ]] || fail "no allowed= in '$out'" || return
	((n >= 1)) || fail "the replay allowed $n files, expected at least 1 (/tmp/allowed-1): $out" || return
	! helper match "$rjson" /tmp/allowed-1 >/dev/null || fail "the replay reported the allowed /tmp/allowed-1" || return
	helper match "$rjson" /tmp/notallowed-1 >/dev/null ||
		note "(e) the replay did not report /tmp/notallowed-1 (its container was up)"
}

# f: the file and process facts of every finding so far
t_f_facts() {
	local bb_sha bb_size out
	bb_sha=$(sha256sum "$BUSYBOX" | cut -d' ' -f1)
	bb_size=$(stat -c %s "$BUSYBOX")
	out=$(python3 - "$JSON_LOG" "$bb_sha" "$bb_size" "$DIR/rootfs/src" <<'EOF'
import hashlib, json, os, re, sys

log, bb_sha, bb_size, src = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
samples = {"script": "script.sh", "obj": "obj.o", "core": "core", "pe": "pe.exe"}
problems, n = [], 0
for line in open(log, encoding="utf-8"):
    f = json.loads(line)
    n += 1
    ev, path = f.get("Event", {}), f.get("Data", {}).get("path", "?")
    file_ = ev.get("file", {})
    m = re.match(r"/tmp/at-d-(script|obj|core|pe)-", path)
    if m:
        data = open(os.path.join(src, samples[m.group(1)]), "rb").read()
        want_sha, want_size = hashlib.sha256(data).hexdigest(), len(data)
    else:
        want_sha, want_size = bb_sha, bb_size
    if file_.get("sha256") != want_sha:
        problems.append("%s: file.sha256 %r (sha256_skipped %r), expected %s"
                        % (path, file_.get("sha256"),
                           file_.get("sha256_skipped"), want_sha))
    if file_.get("size") != want_size:
        problems.append("%s: file.size %r, expected %d"
                        % (path, file_.get("size"), want_size))
    parent = ev.get("parent")
    if not isinstance(parent, dict) or not (parent.get("comm") or parent.get("exe")):
        # a "podman exec" process's parent (runc) may be gone before the
        # plugin reads the event: its parent cannot always be told
        if path == "/tmp/at-a-exec":
            print("note: %s: no Event.parent (ppid %s)" % (path, ev.get("ppid")))
        else:
            problems.append("%s: Event.parent is %r" % (path, parent))
    recs = ev.get("records")
    if not isinstance(recs, list) or not recs or \
            not any(r.startswith("type=SYSCALL") for r in recs):
        problems.append("%s: Event.records %r has no SYSCALL record"
                        % (path, recs if not recs else recs[:1]))
print("%d findings" % n)
for p in problems:
    print(p)
sys.exit(1 if problems or n == 0 else 0)
EOF
	) || fail "$(grep -v '^note: ' <<<"$out" | tail -n +2 | head -n 8 | tr '\n' '|')" || return
	note "(f) checked $(tr '\n' ' ' <<<"$out")"
}

t_plugin_stayed_up() {
	alive "$PLUGIN_PID" || fail "the plugin (pid $PLUGIN_PID) is gone" || return
	local pid
	pid=$(pgrep -P "$AUDITD_PID" -x audisp-dropexec || true)
	[[ $pid == "$PLUGIN_PID" ]] || fail "auditd restarted the plugin: pid $pid, was $PLUGIN_PID (it crashed?)"
}

# -------------------------------------------------------------------- main
setup
run_test "a: podman exec drop: container id, runtime, name, image" t_a_exec
run_test "b: two containers drop the same path at once" t_b_two
run_test "c: temporary name renamed twice: one finding, later name, old_path" t_c_rename
run_test "c: one rename: one finding under the new name, old_path" t_c_rename_once
run_test "c: renamed while the writer holds it open: merged, rename_serial" t_c_rename_held
run_test "c: hard links of a dropped file and of an image binary" t_c_links
run_test "d: script, ELF object, core, PE not reported by default" t_d_default_types
run_test "d: types enabled by reload: script, elf-reloc, elf-core, pe" t_d_all_types
run_test "e: [allow] path" t_e_allow_path
run_test "e: [allow] path: moved or linked out of it, reported" t_e_allow_path_moved
run_test "e: [allow] container name" t_e_allow_container
run_test "e: [allow] image" t_e_allow_image
run_test "e: replay with -i counts allowed files" t_e_replay
run_test "f: sha256, size, parent, records in every finding" t_f_facts
run_test "plugin stayed up (no crash, no restart)" t_plugin_stayed_up
note "kernel audit: $(auditctl -s | awk '$1 == "lost" || $1 == "backlog_limit" {printf "%s %s ", $1, $2}')"
