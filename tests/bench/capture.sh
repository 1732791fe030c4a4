#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/capture.sh -- capture a realistic audit stream on this machine
#
# Runs a private auditd with the plugin and rules/dropexec.rules while the
# host does ordinary work (a clone, autoreconf, configure and build of this
# project; apt-get install --reinstall of busybox-static from the package
# cache; git) and podman + runc containers do theirs (a few drops, text
# files, renames, links), then writes the audit log, xz-compressed, to
# tests/bench/data/capture.log.xz (or OUT). parse.sh and memory.sh multiply
# it into large streams with make_stream.py, so they run without auditd.
#
# Usage: tests/bench/capture.sh [OUT]
# Needs root, auditd, podman, runc, busybox-static; takes the auditd lock.
set -euo pipefail
# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"

OUT=${1:-$BENCH/data/capture.log.xz}
bench_begin
start_syslog
write_plugin_conf
start_auditd
load_rules "${PROJECT_RULES[@]}"
build_image "$IMAGE"
note "auditd $AUDITD_PID, plugin $PLUGIN_PID; capturing"

host_work() {
	git clone -q "$REPO" "$WORK/build"
	(cd "$WORK/build" && autoreconf -fi && ./configure --prefix=/usr --sysconfdir=/etc &&
		make -j2) >"$WORK/build.out" 2>&1 || note "host build failed (see $WORK/build.out)"
	(cd "$WORK/build" && git status --short >/dev/null && git stash list >/dev/null)
	DEBIAN_FRONTEND=noninteractive apt-get install --reinstall -y -o DPkg::Lock::Timeout=60 \
		busybox-static >"$WORK/apt.out" 2>&1 || note "apt-get --reinstall failed (see $WORK/apt.out)"
	tar -C "$WORK/build" -czf "$WORK/src.tgz" src
	mkdir -p "$WORK/untar" && tar -C "$WORK/untar" -xzf "$WORK/src.tgz"
}

container_work() {
	local i
	for i in 1 2 3 4 5 6; do
		podman_run --rm "$IMAGE" /bin/sh -c "
			cp /bin/busybox /tmp/tool$i && chmod +x /tmp/tool$i
			j=0; while [ \$j -lt 40 ]; do echo line \$j > /tmp/t\$j.txt; j=\$((j+1)); done
			cat /bin/busybox > /tmp/cat$i; mv /tmp/cat$i /tmp/moved$i; ln /tmp/moved$i /tmp/link$i
			dd if=/bin/busybox of=/tmp/dd$i bs=65536 2>/dev/null
			mkdir -p /tmp/d && cp /tmp/t1.txt /tmp/d/ && mv /tmp/d/t1.txt /tmp/d/t2.txt
			sleep 1" >/dev/null 2>&1 || note "container $i failed"
	done
}

host_work &
hw=$!
container_work
wait "$hw"
# until the kernel's backlog is empty and the log stops growing
quiet() {
	local size
	size=$(stat -c %s "$AUDIT_LOG")
	[[ $(audit_status backlog) == 0 && $size == "${LAST_SIZE:-}" ]] && return 0
	LAST_SIZE=$size
	sleep 0.5
	return 1
}
wait_for 60 quiet || note "the audit log still grows after 60 s"
stop_auditd
mkdir -p "$(dirname "$OUT")"
xz -9e -c "$AUDIT_LOG" >"$OUT"
events=$(grep -ao 'msg=audit([0-9.:]*)' "$AUDIT_LOG" | sort -u | wc -l)
note "captured $(wc -l <"$AUDIT_LOG") records, $events events; $OUT: $(stat -c %s "$OUT") bytes"
note "plugin: $(grep -a 'stopping' "$SYSLOG_OUT" | tail -n 1 | sed 's/.*stopping: //')"
