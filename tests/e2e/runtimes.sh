#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/e2e/runtimes.sh -- end-to-end tests: every container runtime
#
# Like tests/e2e/attribution.sh (both use tests/lib), it runs a private
# auditd with the built plugin and the project's rules. It starts the
# runtimes it needs itself, each with roots, state and a socket of its own
# (tests/lib/containers.sh), and stops them by their pids:
#   podman + runc, podman + crun (in a mount namespace without the cgroup2
#   mount that crun refuses), Docker (dockerd without systemd, iptables or
#   a bridge, its own data root, exec root and containerd), containerd
#   (its own config, root, state and socket; "ctr run" of a container
#   with a plain name), rootless podman (a test user with subordinate
#   ids, containers-storage on fuse-overlayfs).
# The plugin is told where Docker and containerd keep their state
# ([runtimes] docker_root, docker_exec_root, containerd_state).
# For each runtime that runs here:
#   long   a drop by the container's long-lived process: reported with
#          the runtime's own id, runtime, and name and image where the
#          runtime keeps them
#   exec   a drop by a short-lived exec'd process (podman exec, docker
#          exec, ctr task exec), gone when the plugin looks: the same
# and, for podman and Docker:
#   volume 100 (DROPEXEC_E2E_VOLUME_N) short-lived exec'd writers into a
#          bind-mounted volume: how many are reported (at least 90% to
#          pass; the number is printed)
# A runtime that cannot run here is skipped with the reason
# ("skip - NAME: REASON"), never passed.
#
# Usage: tests/e2e/runtimes.sh [PATH-TO-audisp-dropexec]
# Environment: DROPEXEC_BIN, DROPEXEC_E2E_BUSYBOX, DROPEXEC_E2E_KEEP=1,
#   DROPEXEC_E2E_TIMEOUT (see tests/e2e/attribution.sh),
#   DROPEXEC_E2E_VOLUME_N (default 100), DROPEXEC_E2E_ONLY (run only the
#   tests whose name holds this text).
# Needs root, auditd, podman, runc, busybox-static, python3; docker.io,
# containerd, crun, uidmap and fuse-overlayfs for the runtimes that use
# them. Output: "ok - NAME" / "not ok - NAME: REASON" / "skip - NAME:
# REASON", "K skipped", and "N passed, M failed".
set -euo pipefail

LIB=$(cd "$(dirname "$0")/../lib" && pwd)
# shellcheck source=tests/lib/auditd.sh
. "$LIB/auditd.sh"
# shellcheck source=tests/lib/containers.sh
. "$LIB/containers.sh"
# shellcheck source=tests/lib/e2e.sh
. "$LIB/e2e.sh"

RUNTIME=runc
BUSYBOX=${DROPEXEC_E2E_BUSYBOX:-/bin/busybox}
IMAGE=localhost/dropexec-rt:latest
LABEL="dropexec-rt=$$"
NAMES="rt$$"
SENTINEL_PREFIX=/tmp/rt-sentinel-
VOLUME_N=${DROPEXEC_E2E_VOLUME_N:-100}
ONLY=${DROPEXEC_E2E_ONLY:-}   # run only the tests whose name holds this
DOCKER_WHY=""     # why Docker does not run here, empty when it does
CTD_WHY=""
CRUN_WHY=""
RL_WHY=""

e2e_start dropexec-rt "${1:-}" unshare setpriv

# shellcheck disable=SC2317 # run by the EXIT trap
e2e_cleanup_hook() {
	crun_podman rm -a -f -t 0 --filter "label=$LABEL" >/dev/null 2>&1 || true
	docker_stop
	containerd_stop
	rootless_cleanup
	say_skipped
}

# rt_test NAME FUNCTION: run_test, but only the tests whose name holds
# DROPEXEC_E2E_ONLY, when it is set
rt_test() {
	[[ -z $ONLY || $1 == *$ONLY* ]] || return 0
	run_test "$@"
}

# ----------------------------------------------------------------- setup
setup() {
	check_busybox
	make_rootfs "$WORK/rootfs"
	import_image "$WORK/rootfs" "$IMAGE"
	check_image "$IMAGE"
	mkdir -p "$WORK/vol"
	if ! command -v crun >/dev/null; then
		CRUN_WHY="crun is not installed (apt-get install crun)"
	elif ! crun_podman run --rm --network none --label "$LABEL" \
		--ulimit nofile=10000:10000 --ulimit nproc=4096:4096 \
		"$IMAGE" /bin/true >"$WORK/crun.out" 2>&1; then
		CRUN_WHY="podman --runtime crun does not run here: $(tail -n 1 "$WORK/crun.out")"
	fi
	if ! docker_start "$WORK/docker"; then
		DOCKER_WHY=$LIB_ERR
	elif ! docker_import "$WORK/rootfs" "$IMAGE"; then
		DOCKER_WHY=$LIB_ERR
	fi
	if ! containerd_start "$WORK/ctd"; then
		CTD_WHY=$LIB_ERR
	elif ! ctd_import "$WORK/rootfs" "$IMAGE"; then
		CTD_WHY=$LIB_ERR
	fi
	if ! rootless_setup "dropexec-rl$$" "/tmp/dropexec-rl.$$"; then
		RL_WHY=$LIB_ERR
	elif ! tar -C "$WORK/rootfs" -c . | rl_podman import - "$IMAGE" >"$WORK/rl.out" 2>&1 ||
		! rl_podman run --rm --network none "$IMAGE" /bin/true >>"$WORK/rl.out" 2>&1; then
		RL_WHY="rootless podman does not run here: $(tail -n 1 "$WORK/rl.out")"
	fi
	note "crun: ${CRUN_WHY:-runs}; docker: ${DOCKER_WHY:-runs}; containerd: ${CTD_WHY:-runs}; rootless podman: ${RL_WHY:-runs}"
	plugin_conf "$CONF" json_log="$JSON_LOG" audit_record=no stats_interval=0 \
		"+[runtimes]" "+docker_root = $WORK/docker/root" \
		"+docker_exec_root = $WORK/docker/exec" \
		"+containerd_state = /run/containerd $WORK/ctd/state"
	start_auditd
	use_project_rules
	note "auditd pid $AUDITD_PID, plugin pid $PLUGIN_PID, dir $WORK, binary $BIN"
}

# expect_container ID RUNTIME [NAME [IMAGE]]: the fields of $FINDING
expect_container() {
	expect_field Event.container.id "$1" || return
	expect_field Event.container.runtime "$2" || return
	[[ -z ${3:-} ]] || expect_field Event.container.name "$3" || return
	[[ -z ${4:-} ]] || expect_field Event.container.image "$4"
}

# long_and_exec CID RUNTIME NAME IMAGE EXEC...: the container CID has
# dropped /tmp/rt-long (its script); EXEC... (with the path appended)
# drops /tmp/rt-exec by a short-lived process. Both reported as CID.
long_and_exec() {
	local cid=$1 rt=$2 name=$3 image=$4
	shift 4
	one_finding "$cid" /tmp/rt-long || return
	note "long: source $(field Event.container.source)"
	expect_container "$cid" "$rt" "$name" "$image" || return
	"$@" cp /bin/busybox /tmp/rt-exec >"$WORK/exec.out" 2>&1 ||
		fail "the exec failed: $(tail -n 2 "$WORK/exec.out" | tr '\n' ' ')" || return
	one_finding "$cid" /tmp/rt-exec || return
	note "exec: source $(field Event.container.source), pid $(field Event.pid)"
	expect_container "$cid" "$rt" "$name" "$image"
}

LONG_SCRIPT="cp /bin/busybox /tmp/rt-long && sleep 60"

# ------------------------------------------------------------------ tests
t_podman_runc() {
	local name=$NAMES-runc
	start_container "$IMAGE" "$LONG_SCRIPT" --name "$name" || lib_fail || return
	long_and_exec "$CID" podman "$name" "$IMAGE" podman exec "$CID" || return
	podman rm -f -t 0 "$CID" >/dev/null 2>&1 || true
}

t_podman_crun() {
	local name=$NAMES-crun cid
	[[ -z $CRUN_WHY ]] || skip_because "$CRUN_WHY" || return
	cid=$(crun_podman run -d --label "$LABEL" --name "$name" --network none \
		--ulimit nofile=10000:10000 --ulimit nproc=4096:4096 \
		"$IMAGE" /bin/sh -c "$LONG_SCRIPT") || fail "podman --runtime crun run failed" || return
	long_and_exec "$cid" podman "$name" "$IMAGE" crun_podman exec "$cid" || return
	crun_podman rm -f -t 0 "$cid" >/dev/null 2>&1 || true
}

t_docker() {
	local name=$NAMES-docker cid
	[[ -z $DOCKER_WHY ]] || skip_because "$DOCKER_WHY" || return
	cid=$(docker_cmd run -d --name "$name" --network none "$IMAGE" \
		/bin/sh -c "$LONG_SCRIPT") || fail "docker run failed" || return
	long_and_exec "$cid" docker "$name" "$IMAGE" docker_cmd exec "$cid" || return
	docker_cmd rm -f "$cid" >/dev/null 2>&1 || true
}

# ctr: a container named by hand, not 64 hex digits; containerd keeps
# its image only in its metadata database (not read): no image expected
t_ctr() {
	local name=$NAMES-ctr
	[[ -z $CTD_WHY ]] || skip_because "$CTD_WHY" || return
	ctr_cmd run -d "$IMAGE" "$name" /bin/sh -c "$LONG_SCRIPT" >"$WORK/ctr.out" 2>&1 ||
		fail "ctr run failed: $(tail -n 2 "$WORK/ctr.out" | tr '\n' ' ')" || return
	long_and_exec "$name" containerd "" "" ctr_cmd task exec --exec-id "x$$" "$name" || return
	ctr_cmd task kill -s KILL "$name" >/dev/null 2>&1 || true
	wait_for 10 ctd_task_gone "$name" || true
	ctr_cmd task rm -f "$name" >/dev/null 2>&1 || true
	ctr_cmd containers rm "$name" >/dev/null 2>&1 || true
}

t_rootless() {
	local name=$NAMES-rl cid
	[[ -z $RL_WHY ]] || skip_because "$RL_WHY" || return
	cid=$(rl_podman run -d --name "$name" --network none "$IMAGE" \
		/bin/sh -c "$LONG_SCRIPT") || fail "rootless podman run failed" || return
	long_and_exec "$cid" podman "$name" "$IMAGE" rl_podman exec "$cid" || return
	rl_podman rm -f -t 0 "$cid" >/dev/null 2>&1 || true
}

# volume_rate CID EXEC...: VOLUME_N short-lived writers (EXEC... cp) into
# /data of CID; at least 90% reported as CID
volume_rate() {
	local cid=$1 i n paths=() t0
	shift
	t0=$(now_us)
	for ((i = 0; i < VOLUME_N; i++)); do
		"$@" cp /bin/busybox "/data/v$i" >/dev/null 2>&1 ||
			fail "exec $i failed" || return
		paths+=("/data/v$i")
	done
	# everything has come once a later drop of the container has
	"$@" cp /bin/busybox /tmp/rt-vol-last >/dev/null 2>&1 || true
	wait_finding "$cid" /tmp/rt-vol-last || true
	wait_findings "$cid" "$VOLUME_N" "${paths[@]}" || true
	n=$(count "$cid" "${paths[@]}")
	note "volume: $n of $VOLUME_N short-lived writers into a volume reported ($((($(now_us) - t0) / 1000)) ms)"
	((n * 10 >= VOLUME_N * 9)) ||
		fail "only $n of $VOLUME_N drops into the volume were reported"
}

t_volume_podman() {
	local name=$NAMES-vol
	rm -f "$WORK/vol/"*
	start_container "$IMAGE" "sleep 120" --name "$name" -v "$WORK/vol:/data" || lib_fail || return
	volume_rate "$CID" podman exec "$CID" || return
	podman rm -f -t 0 "$CID" >/dev/null 2>&1 || true
}

t_volume_docker() {
	local name=$NAMES-dvol cid
	[[ -z $DOCKER_WHY ]] || skip_because "$DOCKER_WHY" || return
	mkdir -p "$WORK/dvol"
	cid=$(docker_cmd run -d --name "$name" --network none -v "$WORK/dvol:/data" \
		"$IMAGE" /bin/sh -c "sleep 120") || fail "docker run failed" || return
	volume_rate "$cid" docker_cmd exec "$cid" || return
	docker_cmd rm -f "$cid" >/dev/null 2>&1 || true
}

# -------------------------------------------------------------------- main
setup
rt_test "podman + runc: long-lived and exec'd drops: id, name, image" t_podman_runc
rt_test "podman + crun: long-lived and exec'd drops: id, name, image" t_podman_crun
rt_test "docker: long-lived and exec'd drops: id, name, image" t_docker
rt_test "containerd (ctr, a plain name): long-lived and exec'd drops: id" t_ctr
rt_test "rootless podman (fuse-overlayfs): long-lived and exec'd drops: id, name, image" t_rootless
rt_test "volume: short-lived podman exec writers into a volume" t_volume_podman
rt_test "volume: short-lived docker exec writers into a volume" t_volume_docker
