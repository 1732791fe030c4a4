#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/e2e/attribution.sh -- end-to-end tests of attribution and precision
#
# Like tests/e2e/run.sh (both use tests/lib), it runs a private
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
#   g  a container that takes over a removed container's device number:
#      a drop by a process whose parent is gone too (only the overlay's
#      device places it) is its own, read from its own root
#
# Every check selects the findings of the container that dropped the file,
# by its id, and the file's path; auditd, containers and images come from
# tests/lib.
#
# Usage: tests/e2e/attribution.sh [PATH-TO-audisp-dropexec]
#   The binary defaults to $DROPEXEC_BIN, else ./audisp-dropexec at the repo
#   root. Nothing is built here. It takes /tmp/dropexec-auditd.lock (or
#   uses it when run under "flock /tmp/dropexec-auditd.lock ...").
# Environment:
#   DROPEXEC_BIN            plugin binary (when no argument is given)
#   DROPEXEC_E2E_RUNTIME    OCI runtime for podman (default runc)
#   DROPEXEC_E2E_BUSYBOX    static busybox for the test image (default /bin/busybox)
#   DROPEXEC_E2E_KEEP=1     keep the temporary directory (logs) after the run
#   DROPEXEC_E2E_TIMEOUT    seconds to wait for an expected finding (default 10)
#
# Needs root, auditd, podman, runc, busybox-static and python3; refuses to run
# while another auditd runs (the kernel takes one audit daemon at a time).
# Output: "ok - NAME" / "not ok - NAME: REASON" per test, "# ..." diagnostics,
# and finally "N passed, M failed". Exit status 0 only when all passed.
set -euo pipefail

LIB=$(cd "$(dirname "$0")/../lib" && pwd)
# shellcheck source=tests/lib/auditd.sh
. "$LIB/auditd.sh"
# shellcheck source=tests/lib/containers.sh
. "$LIB/containers.sh"
# shellcheck source=tests/lib/e2e.sh
. "$LIB/e2e.sh"

RUNTIME=${DROPEXEC_E2E_RUNTIME:-runc}
BUSYBOX=${DROPEXEC_E2E_BUSYBOX:-/bin/busybox}
# IMAGE2 must not match the glob "localhost/dropexec-attr*" of test e3
IMAGE=localhost/dropexec-attr:latest
IMAGE2=localhost/dropexec-sentinel:latest
LABEL="dropexec-attr=$$"
NAMES="at$$"      # prefix of our container names
ALL_TYPES="elf-exec, elf-pie, elf-shared, script, elf-core, elf-reloc, pe"
SENTINEL_PREFIX=/tmp/at-sentinel-
KEEP_CID=""       # test e1's container, alive until the replay (e4)

e2e_start dropexec-attr "${1:-}" sha256sum

# write_conf FILE JSON_LOG AUDIT_RECORD TYPES [ALLOW-LINES]: the shipped
# dropexec.conf with these settings, and an [allow] section when
# ALLOW-LINES (newline separated "key = globs") is given.
write_conf() {
	plugin_conf "$1" json_log="$2" audit_record="$3" types="$4" \
		stats_interval=0 ${5:+"+" "+[allow]" "+$5"}
}

# configure TYPES [ALLOW-LINES]: rewrite the running plugin's file, check
# it, send the plugin SIGHUP and wait until it has reloaded
configure() {
	local out
	write_conf "$CONF" "$JSON_LOG" yes "$1" "${2:-}"
	out=$("$WORK/audisp-dropexec" --check-config -c "$CONF" 2>&1) ||
		fail "--check-config refuses $CONF: $out" || return
	hup_plugin "$PLUGIN_PID" || lib_fail
}

setup() {
	write_conf "$CONF" "$JSON_LOG" yes "elf-exec, elf-pie, elf-shared"
	build_images
	start_auditd
	use_project_rules
	note "auditd pid $AUDITD_PID, plugin pid $PLUGIN_PID, dir $WORK, binary $BIN"
}

# The files of test d, made on the host (libmagic must call each what its
# header says; "file" shows it when it is installed).
make_samples() {
	local src=$1
	# a shell script
	printf '#!/bin/sh\necho "dropped script"\n' >"$src/script.sh"
	# an ELF relocatable object: a real one when a compiler is there
	if command -v gcc >/dev/null 2>&1 &&
		printf 'int dropped(void) { return 42; }\n' >"$WORK/obj.c" &&
		gcc -c -o "$src/obj.o" "$WORK/obj.c" 2>/dev/null; then
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
	check_busybox
	make_rootfs "$WORK/rootfs"
	mkdir -p "$WORK/rootfs/src"
	make_samples "$WORK/rootfs/src"
	import_image "$WORK/rootfs" "$IMAGE"
	import_image "$WORK/rootfs" "$IMAGE2"
	check_image "$IMAGE"
}

# ----------------------------------------------------------------- helpers
# start_named NAME IMAGE SCRIPT [PODMAN-ARGS...]: run SCRIPT with /bin/sh in
# a new container called NAME; sets CID.
start_named() {
	local name=$1 image=$2 script=$3
	shift 3
	start_container "$image" "$script" --name "$name" "$@" || lib_fail
}

# in_audit_log PATH: a PATH record names PATH (grep: "ausearch -f" is slow
# over a log that the host's own writes make large)
in_audit_log() {
	local logs=("$AUDIT_LOG")
	[[ -f $AUDIT_LOG.1 ]] && logs+=("$AUDIT_LOG.1")
	grep -qaF "name=\"$1\"" "${logs[@]}"
}

# unreported CID PATH...: the audit log saw each PATH, and no finding of
# container CID (nor of any other) names it (call after a sentinel)
unreported() {
	local cid=$1 p
	shift
	for p; do
		in_audit_log "$p" || fail "the audit log has no event for $p: the rules did not see it" || return
		no_finding "$cid" "$p" || return
	done
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
	one_finding "$cid" "$p" || return
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
	local p=/tmp/at-b-same trig="$WORK/trigger-b" c1 c2 n1 n2 got want
	# each says it is ready, then waits (at most 60 s) for the go
	local wait_go="i=0; while [ ! -e /trigger/go ] && [ \$i -lt 1200 ]; do sleep 0.05; i=\$((i+1)); done; [ -e /trigger/go ]"
	mkdir -m 0755 "$trig"
	start_named "$NAMES-b1" "$IMAGE" "touch /trigger/ready1 && $wait_go && cp /bin/busybox $p && sleep 1" -v "$trig:/trigger" || return
	c1=$CID
	start_named "$NAMES-b2" "$IMAGE" "touch /trigger/ready2 && $wait_go && cp /bin/busybox $p && sleep 1" -v "$trig:/trigger" || return
	c2=$CID
	if ! wait_for "$E2E_TIMEOUT" test -e "$trig/ready1" -a -e "$trig/ready2"; then
		fail "the two containers did not start within $E2E_TIMEOUT s"
		touch "$trig/go"
		finish "$c1"
		finish "$c2"
		return 1
	fi
	touch "$trig/go"
	if ! wait_finding "$c1" "$p" || ! wait_finding "$c2" "$p"; then
		fail "$(count "$c1" "$p") finding(s) for $p of the first container and $(count "$c2" "$p") of the second within $E2E_TIMEOUT s, expected one each"
		finish "$c1"
		finish "$c2"
		return 1
	fi
	finish "$c1" || return
	finish "$c2" || return
	n1=$NAMES-b1
	n2=$NAMES-b2
	want=$(printf '%s %s\n%s %s\n' "$c1" "$n1" "$c2" "$n2" | sort)
	got=$( (matches "$c1" "$p"; matches "$c2" "$p") | while IFS= read -r FINDING; do
		printf '%s %s\n' "$(field Event.container.id)" "$(field Event.container.name)"
	done | sort)
	[[ $got == "$want" ]] || fail "findings for $p name $(tr '\n' ' ' <<<"$got"), expected $(tr '\n' ' ' <<<"$want")"
}

# c: a download written under a temporary name, then moved (twice)
CHAINS=5
t_c_rename() {
	local i p cid script="" part mid last n path old how all=""
	for ((i = 1; i <= CHAINS; i++)); do
		script+="cp /bin/busybox /tmp/at-c$i.part && mv /tmp/at-c$i.part /tmp/at-c$i && mv /tmp/at-c$i /tmp/at-c$i-final && "
	done
	start_named "$NAMES-c" "$IMAGE" "${script}sleep 1" || return
	cid=$CID
	for ((i = 1; i <= CHAINS; i++)); do
		wait_finding "$cid" "/tmp/at-c$i-final" "/tmp/at-c$i" "/tmp/at-c$i.part" || true
	done
	finish "$cid" || return
	sentinel || return
	for ((i = 1; i <= CHAINS; i++)); do
		part=/tmp/at-c$i.part
		mid=/tmp/at-c$i
		last=/tmp/at-c$i-final
		n=$(count "$cid" "$part" "$mid" "$last")
		path="" old=""
		for p in "$part" "$mid" "$last"; do
			if (($(count "$cid" "$p") > 0)); then
				FINDING=$(matches "$cid" "$p" | head -n 1)
				path=$p
				old=$(field Event.old_path || true)
			fi
		done
		all+="${path##*/}${old:+ (old_path ${old##*/})}; "
		((n == 1)) || fail "chain $i: $n findings among $part, $mid, $last; expected one (seen: $all)" || return
		# reported before its rename came (the check concluded
		# first, see docs/design.md): once, under the temporary name
		[[ $path != "$part" ]] || continue
		[[ -n $old ]] || fail "chain $i: the finding for $path has no Event.old_path (seen: $all)" || return
		if [[ $path == "$mid" ]]; then
			[[ $old == "$part" ]] || fail "chain $i: $mid has old_path '$old', expected $part" || return
			FINDING=$(matches "$cid" "$mid")
			# merged with its create (the create's check was
			# waiting when the rename came), or reported by the
			# rename itself (the writer had gone and the file was
			# renamed before the create's check: that check finds
			# nothing under the temporary name)
			if ! field Event.rename_serial >/dev/null; then
				how=$(field Event.syscall || true)
				[[ $how == rename* ]] || fail "chain $i: $mid reported by '$how', neither merged with its create (Event.rename_serial) nor by its rename" || return
			fi
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
		wait_finding "$cid" "/tmp/at-s$i" "/tmp/at-s$i.part" || true
	done
	finish "$cid" || return
	sentinel || return
	for ((i = 1; i <= CHAINS; i++)); do
		part=/tmp/at-s$i.part
		last=/tmp/at-s$i
		if ! no_finding "$cid" "$part"; then
			# reported before its rename came: once, under the
			# temporary name, and not again under the new one
			one_finding "$cid" "$part" || return
			no_finding "$cid" "$last" || fail "rename $i: reported under $part and again under $last" || return
			all+="${part##*/}: before its rename; "
			continue
		fi
		one_finding "$cid" "$last" || return
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
	wait_finding "$cid" /tmp/at-h /tmp/at-h.part || true
	finish "$cid" || return
	sentinel || return
	no_finding "$cid" /tmp/at-h.part || fail "a finding under the temporary name /tmp/at-h.part: $WHY" || return
	one_finding "$cid" /tmp/at-h || return
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
	wait_finding "$cid" /tmp/at-l1 || true
	finish "$cid" || return
	sentinel || return
	one_finding "$cid" /tmp/at-l1 || return
	unreported "$cid" /tmp/at-l1-link /tmp/at-img-link || return
	# linked at once: one finding, under either name
	local n
	n=$(count "$cid" /tmp/at-l2 /tmp/at-l2-link)
	((n == 1)) || fail "$n findings of container ${cid:0:12} for /tmp/at-l2 and its link made at once, expected one" || return
	(($(count "$cid" /tmp/at-l2) == 1)) || note "(c) the file linked at once was reported under its link's name"
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
		unreported "$cid" "/tmp/at-d-${k%%:*}-1" || return
	done
}

t_d_all_types() {
	local cid k p
	configure "$ALL_TYPES" || return
	start_named "$NAMES-d2" "$IMAGE" "$(drop_kinds_script -2)" || return
	cid=$CID
	for k in $D_KINDS; do
		wait_finding "$cid" "/tmp/at-d-${k%%:*}-2" || true
	done
	finish "$cid" || return
	for k in $D_KINDS; do
		p=/tmp/at-d-${k%%:*}-2
		one_finding "$cid" "$p" || return
		expect_field Event.file.type "${k#*:}" || return
		expect_field Event.container.id "$cid" || return
		note "(d) $p: $(field Event.file.mime_type), $(field Event.file.magic)"
	done
	# an ELF program is still one
	start_named "$NAMES-d3" "$IMAGE" "cp /bin/busybox /tmp/at-d-elf-2 && sleep 1" || return
	cid=$CID
	one_finding "$cid" /tmp/at-d-elf-2 || { finish "$cid"; return 1; }
	finish "$cid" || return
	expect_field Event.file.type elf-exec
}

# e1: [allow] path. The container stays up for the replay (e4), so that
# the replayed events still find their files.
t_e_allow_path() {
	configure "elf-exec, elf-pie, elf-shared" "path = /tmp/allowed-*" || return
	start_named "$NAMES-keep" "$IMAGE" "cp /bin/busybox /tmp/allowed-1 && cp /bin/busybox /tmp/notallowed-1 && sleep 120" || return
	KEEP_CID=$CID
	one_finding "$KEEP_CID" /tmp/notallowed-1 || return
	expect_field Event.container.id "$KEEP_CID" || return
	sentinel || return
	unreported "$KEEP_CID" /tmp/allowed-1
}

# e1: a file written under an allowed path and then moved or linked out of
# it is an executable at a path that is not allowed: it is reported
t_e_allow_path_moved() {
	local cid
	start_named "$NAMES-moved" "$IMAGE" "cp /bin/busybox /tmp/allowed-2 && sleep 1 && mv /tmp/allowed-2 /tmp/at-e-moved && cp /bin/busybox /tmp/allowed-3 && sleep 1 && ln /tmp/allowed-3 /tmp/at-e-linked && sleep 1" || return
	cid=$CID
	wait_finding "$cid" /tmp/at-e-moved || true
	wait_finding "$cid" /tmp/at-e-linked || true
	finish "$cid" || return
	sentinel || return
	in_audit_log /tmp/at-e-moved || fail "the audit log has no event for /tmp/at-e-moved" || return
	no_finding "$cid" /tmp/allowed-2 /tmp/allowed-3 || fail "a finding under an allowed path: $WHY" || return
	(($(count "$cid" /tmp/at-e-moved) > 0)) || fail "no finding of container ${cid:0:12} for /tmp/allowed-2 moved to /tmp/at-e-moved 1 s after it was written (and allowed)" || return
	one_finding "$cid" /tmp/at-e-moved || return
	expect_field Event.old_path /tmp/allowed-2 || return
	(($(count "$cid" /tmp/at-e-linked) > 0)) || fail "no finding of container ${cid:0:12} for /tmp/allowed-3 linked as /tmp/at-e-linked 1 s after it was written (and allowed)" || return
	one_finding "$cid" /tmp/at-e-linked
}

# e2: [allow] container, by the name podman gave it
t_e_allow_container() {
	local trusted=$NAMES-trusted other=$NAMES-other c1 c2
	configure "elf-exec, elf-pie, elf-shared" "container = $trusted" || return
	start_named "$trusted" "$IMAGE" "cp /bin/busybox /tmp/at-e-trusted && sleep 1" || return
	c1=$CID
	start_named "$other" "$IMAGE" "cp /bin/busybox /tmp/at-e-other && sleep 1" || return
	c2=$CID
	if ! one_finding "$c2" /tmp/at-e-other; then
		finish "$c1"
		finish "$c2"
		return 1
	fi
	finish "$c1" || return
	finish "$c2" || return
	expect_field Event.container.name "$other" || return
	sentinel || return
	unreported "$c1" /tmp/at-e-trusted
}

# e3: [allow] image; the sentinel comes from another image
t_e_allow_image() {
	local cid
	configure "elf-exec, elf-pie, elf-shared" "image = ${IMAGE%%:*}*" || return
	start_named "$NAMES-img" "$IMAGE" "cp /bin/busybox /tmp/at-e-image && sleep 1" || return
	cid=$CID
	finish "$cid" || return
	sentinel "$IMAGE2" || return
	FINDING=$(matches "$SENTINEL_CID" "$SENTINEL_PATH")
	expect_field Event.container.image "$IMAGE2" || return
	unreported "$cid" /tmp/at-e-image
}

# e4: the plugin counts what it allowed; its replay mode (-i) prints the
# counters when it stops
t_e_replay() {
	local rconf="$WORK/replay.conf" rjson="$WORK/replay.jsonl" out n cid=$KEEP_CID
	[[ -n $KEEP_CID ]] || fail "test e1 did not leave its container" || return
	write_conf "$rconf" "$rjson" no "elf-exec, elf-pie, elf-shared" "path = /tmp/allowed-*"
	out=$("$WORK/audisp-dropexec" -c "$rconf" -i "$AUDIT_LOG" 2>&1 >/dev/null) ||
		fail "the replay failed: $(tail -n 3 <<<"$out")" || return
	podman rm -f -t 0 "$KEEP_CID" >/dev/null 2>&1 || true
	KEEP_CID=""
	out=$(grep -a 'stopping:' <<<"$out" | tail -n 1)
	[[ -n $out ]] || fail "the replay printed no 'stopping:' line" || return
	note "(e) replay: ${out#*stopping: }"
	n=$(sed -n 's/.* allowed=\([0-9]*\).*/\1/p' <<<"$out")
	[[ -n $n ]] || fail "no allowed= in '$out'" || return
	((n >= 1)) || fail "the replay allowed $n files, expected at least 1 (/tmp/allowed-1): $out" || return
	! helper match "$rjson" "$cid" /tmp/allowed-1 >/dev/null || fail "the replay reported the allowed /tmp/allowed-1 of container ${cid:0:12}" || return
	! helper match "$rjson" '*' /tmp/allowed-1 >/dev/null || fail "the replay reported the allowed /tmp/allowed-1 (for another container)" || return
	helper match "$rjson" "$cid" /tmp/notallowed-1 >/dev/null ||
		note "(e) the replay did not report /tmp/notallowed-1 (its container was up)"
}

# f: the file and process facts of every finding so far
# root_device CID: MAJOR:MINOR of the root file system of container CID
root_device() {
	local pid
	pid=$(podman inspect --format '{{.State.Pid}}' "$1" 2>/dev/null) &&
		[[ $pid -gt 0 ]] && stat -L -c '%Hd:%Ld' "/proc/$pid/root/"
}

# g: the kernel gives a new overlay the lowest free anonymous device
# number, so the next container takes the number of the one removed
# before it. Its first drop is made by a background job that holds the
# file open for a second, and whose parent (not the container's first
# process: the audit record names the parent at the open) exits after
# 0.3 s: the plugin's last look comes after writer and parent are gone, and only
# the device of the file says where to find it. A table of mounts that
# still lists the removed container's overlay under that number sends the
# look into the removed container's root: no finding.
t_g_reused_device() {
	local pa=/tmp/at-g-first pb=/tmp/at-g-orphan trig="$WORK/trigger-g" c1 c2 d1 d2
	mkdir -m 0755 "$trig"
	# the earlier tests' devices let go first: the first container then
	# takes the lowest free number, which the second takes again
	wait_for 25 no_dead_tables || true
	start_named "$NAMES-g1" "$IMAGE" "cp /bin/busybox $pa && sleep 60" || return
	c1=$CID
	if ! wait_finding "$c1" "$pa"; then
		fail "no finding for $pa of the first container within $E2E_TIMEOUT s"
		podman rm -f -t 0 "$c1" >/dev/null 2>&1
		return 1
	fi
	d1=$(root_device "$c1") || d1="?"
	podman rm -f -t 0 "$c1" >/dev/null 2>&1 || { fail "podman rm of the first container failed"; return 1; }
	# a mount table the plugin holds keeps the removed container's mounts,
	# and so its device number, for FSTYPE_IDLE_MS (10 s)
	wait_for 25 no_dead_tables || note "(g) the plugin still holds $(dead_tables "$PLUGIN_PID") tables of ended processes"
	# PID 1 waits for the trigger; the writer's parent exits 0.3 s later
	start_named "$NAMES-g2" "$IMAGE" "i=0; while [ ! -e /trigger/go ] && [ \$i -lt 1200 ]; do sleep 0.05; i=\$((i+1)); done; sh -c '(exec 3>$pb; cat /bin/busybox >&3; sleep 1) & sleep 0.3'; sleep 8" -v "$trig:/trigger" || return
	c2=$CID
	d2=$(root_device "$c2") || d2="?"
	note "(g) root device of the removed container $d1, of the next $d2$([[ $d1 == "$d2" ]] && echo ": taken over")"
	touch "$trig/go"
	if ! wait_finding "$c2" "$pb"; then
		fail "no finding of container ${c2:0:12} for $pb within $E2E_TIMEOUT s (the removed container ${c1:0:12} had its device $d1, this one $d2)$(
			matches "$c1" "$pb" >/dev/null && echo "; attributed to the removed container")"
		finish "$c2"
		return 1
	fi
	! matches "$c1" "$pb" >/dev/null || fail "a finding for $pb names the removed container ${c1:0:12}" || { finish "$c2"; return 1; }
	finish "$c2"
}

t_f_facts() {
	local bb_sha bb_size out
	bb_sha=$(sha256sum "$BUSYBOX" | cut -d' ' -f1)
	bb_size=$(stat -c %s "$BUSYBOX")
	out=$("$PYTHON" - "$JSON_LOG" "$bb_sha" "$bb_size" "$WORK/rootfs/src" <<'EOF'
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
# first: no device of an earlier test's container is still held, so the
# second container of g takes the first one's device number
run_test "g: a removed container's device number taken over: drop by an orphan" t_g_reused_device
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
