# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# tests/lib/containers.sh -- test images and podman + runc containers for the
# end-to-end suites and the benchmarks; sourced after tests/lib/auditd.sh.
#
# Contract with the caller:
#   - LABEL ("key=value") is put on every container started here, which
#     containers_cleanup removes; RUNTIME (default runc) and BUSYBOX (a
#     static busybox, default /bin/busybox) may be set before the first use.
#   - Images built here are listed in IMAGES_BUILT and removed by
#     containers_cleanup; call it from the EXIT trap.
#   - A function that can fail within a test returns 1 and sets LIB_ERR.
#   - A container is known by its full id (CID), as podman run -d prints
#     it: the findings are matched against it (Event.container.id).

# shellcheck disable=SC2034 # variables the caller reads
RUNTIME=${RUNTIME:-runc}
BUSYBOX=${BUSYBOX:-/bin/busybox}
LABEL=${LABEL:-dropexec-test=$$}
IMAGES_BUILT=()
CID=""
# busybox applets of the test images
APPLETS="sh cp cat ls sleep mkdir mv rm ln dd printf echo head tail chmod cmp
	true touch test seq date"

# check_busybox: $BUSYBOX is there and statically linked
check_busybox() {
	[[ -x $BUSYBOX ]] || fatal "$BUSYBOX is missing: apt-get install busybox-static"
	grep -qE 'not a dynamic|statically linked' <<<"$(LC_ALL=C ldd "$BUSYBOX" 2>&1)" ||
		fatal "$BUSYBOX is not statically linked: apt-get install busybox-static"
}

# make_rootfs DIR [FILES...]: busybox and its applets, FILES in /bin. The
# busybox keeps its mtime (cp -p), as a real image's binaries do: a link
# of a recent file would count as a drop.
make_rootfs() {
	local root=$1 a f
	shift
	mkdir -p "$root"/{bin,tmp,dev,proc,sys,etc}
	chmod 1777 "$root/tmp"
	cp -p "$BUSYBOX" "$root/bin/busybox"
	for a in $APPLETS; do
		ln -sf busybox "$root/bin/$a"
	done
	for f in "$@"; do
		cp "$f" "$root/bin/"
	done
}

# import_image ROOT IMAGE: the directory ROOT as the image IMAGE
import_image() {
	tar -C "$1" -c . | podman import - "$2" >>"$WORK/import.out" 2>&1 ||
		fatal "podman import of the test image $2 failed: $(tail -n 3 "$WORK/import.out")"
	IMAGES_BUILT+=("$2")
}

# build_image IMAGE [FILES...]: busybox-static plus FILES in /bin, built in
# $WORK/rootfs; checks that a container of it runs.
build_image() {
	local image=$1
	shift
	check_busybox
	make_rootfs "$WORK/rootfs" "$@"
	import_image "$WORK/rootfs" "$image"
	check_image "$image"
}

# check_image IMAGE: a container of IMAGE runs
check_image() {
	podman_run --rm "$1" /bin/true >/dev/null 2>&1 ||
		fatal "a test container does not run: podman --runtime $RUNTIME run $1 /bin/true"
}

# podman_run ARGS...: podman run with our label, no network and limits
# high enough for the floods
podman_run() {
	podman --runtime "$RUNTIME" run --label "$LABEL" --network none \
		--ulimit nofile=10000:10000 --ulimit nproc=4096:4096 "$@"
}

# start_container IMAGE SCRIPT [PODMAN-ARGS...]: run SCRIPT with /bin/sh in
# a new container of IMAGE, detached; sets CID to its full id.
start_container() {
	local image=$1 script=$2
	shift 2
	CID=$(podman_run -d "$@" "$image" /bin/sh -c "$script") || {
		LIB_ERR="podman run failed"
		return 1
	}
	[[ $CID =~ ^[0-9a-f]{64}$ ]] || {
		LIB_ERR="podman run printed no container id: $CID"
		return 1
	}
}

# container_id NAME: the full id of the container NAME (or of a short id)
container_id() { podman inspect --format '{{.Id}}' "$1" 2>/dev/null; }

# container_running CID: 0 when it runs, 1 while it is being set up, 2
# otherwise (exited, gone) -- for wait_for
container_running() {
	case $(podman inspect --format '{{.State.Status}}' "$1" 2>/dev/null) in
	running) return 0 ;;
	created | configured | initialized) return 1 ;;
	*) return 2 ;;
	esac
}

# finish_container CID: wait for the container to exit and remove it; 1
# (LIB_ERR) unless its script exited 0.
finish_container() {
	local rc
	rc=$(podman wait "$1" 2>&1) || true
	podman rm -f -t 0 "$1" >/dev/null 2>&1 || true
	[[ $rc == 0 ]] && return 0
	LIB_ERR="the container's script exited with '$rc'"
	return 1
}

# containers_cleanup: remove our containers and images
containers_cleanup() {
	local ids
	ids=$(podman ps -a -q --filter "label=$LABEL" 2>/dev/null)
	# shellcheck disable=SC2086 # one id per word
	[[ -z $ids ]] || podman rm -f -t 0 $ids >/dev/null 2>&1
	((${#IMAGES_BUILT[@]} == 0)) || podman rmi -f "${IMAGES_BUILT[@]}" >/dev/null 2>&1
	IMAGES_BUILT=()
	return 0
}

# ====================================================== other runtimes
# Helpers for tests/e2e/runtimes.sh: each runtime is started by the suite
# itself, with roots, sockets and state of its own below a directory the
# caller owns (never the host's /var/lib/docker or /run/containerd
# socket), and stopped by its pid. A helper that cannot start a runtime
# returns 1 with LIB_ERR saying why (the caller skips that runtime).

# ---------------------------------------------------------------- crun
# crun refuses this host's hybrid cgroup layout (a cgroup2 mount beside
# the v1 controllers). Its podman commands run in a mount namespace of
# their own (slave: nothing mounted there propagates back to the host)
# without /sys/fs/cgroup/unified.
crun_podman() {
	unshare -m --propagation slave sh -c \
		'umount -l /sys/fs/cgroup/unified 2>/dev/null; exec "$@"' \
		sh podman --runtime crun "$@"
}

# ---------------------------------------------------------------- Docker
DOCKERD_PID=""
DOCKER_DIR=""
DOCKER_SOCK=""
DOCKER_MADE_RUN=0 # /run/docker (its plugins directory) was made by ours

# docker_cmd ARGS...: the docker client of our daemon
docker_cmd() { docker -H "unix://$DOCKER_SOCK" "$@"; }

docker_ready() {
	alive "$DOCKERD_PID" || return 2
	docker_cmd info >/dev/null 2>&1
}

# docker_start DIR: dockerd without systemd, iptables or a bridge, its
# data root DIR/root, exec root DIR/exec (its own containerd below it),
# pid file and socket in DIR.
docker_start() {
	DOCKER_DIR=$1
	DOCKER_SOCK=$DOCKER_DIR/docker.sock
	if ! command -v dockerd >/dev/null || ! command -v docker >/dev/null; then
		LIB_ERR="dockerd is not installed (apt-get install docker.io)"
		return 1
	fi
	[[ -d /run/docker ]] || DOCKER_MADE_RUN=1
	mkdir -p "$DOCKER_DIR/root" "$DOCKER_DIR/exec"
	dockerd --iptables=false --ip-masq=false --bridge=none \
		--data-root "$DOCKER_DIR/root" --exec-root "$DOCKER_DIR/exec" \
		--pidfile "$DOCKER_DIR/docker.pid" -H "unix://$DOCKER_SOCK" \
		>"$DOCKER_DIR/dockerd.log" 2>&1 </dev/null &
	DOCKERD_PID=$!
	wait_for "$LIB_TIMEOUT" docker_ready || {
		LIB_ERR="dockerd did not start: $(tail -n 2 "$DOCKER_DIR/dockerd.log" | tr '\n' ' ')"
		docker_stop
		return 1
	}
}

# docker_import ROOT IMAGE: the directory ROOT as the image IMAGE
docker_import() {
	tar -C "$1" -c . | docker_cmd import - "$2" >/dev/null 2>&1 || {
		LIB_ERR="docker import of $2 failed"
		return 1
	}
}

# docker_stop: remove every container, stop dockerd by its pid (it stops
# its own containerd), unmount what it left below DOCKER_DIR
docker_stop() {
	local ids
	[[ -n $DOCKERD_PID ]] || return 0
	if alive "$DOCKERD_PID"; then
		ids=$(docker_cmd ps -aq 2>/dev/null || true)
		# shellcheck disable=SC2086 # one id per word
		[[ -z $ids ]] || docker_cmd rm -f $ids >/dev/null 2>&1 || true
		kill -TERM "$DOCKERD_PID" 2>/dev/null || true
		wait_for "$LIB_TIMEOUT" dead "$DOCKERD_PID" ||
			kill -KILL "$DOCKERD_PID" 2>/dev/null || true
	fi
	wait "$DOCKERD_PID" 2>/dev/null || true
	DOCKERD_PID=""
	kill_shims "$DOCKER_DIR"
	unmount_below "$DOCKER_DIR"
	((DOCKER_MADE_RUN == 0)) || rm -rf /run/docker
	DOCKER_MADE_RUN=0
}

# kill_shims DIR: the containerd shims whose command line names DIR (our
# containerd's, left behind when a task could not be deleted), by pid
kill_shims() {
	local f cmd
	[[ -n $1 ]] || return 0
	for f in /proc/[0-9]*/cmdline; do
		{ cmd=$(tr '\0' ' ' <"$f"); } 2>/dev/null || continue
		[[ $cmd == *containerd-shim* && $cmd == *" $1/"* ]] || continue
		f=${f#/proc/}
		kill -KILL "${f%/cmdline}" 2>/dev/null || true
	done
	return 0
}

# unmount_below DIR: every mount below DIR, deepest first
unmount_below() {
	local mp
	[[ -n $1 ]] || return 0
	awk -v d="$1/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo |
		sort -r | while read -r mp; do
		umount -l "$mp" 2>/dev/null || true
	done
}

# ------------------------------------------------------------ containerd
CONTAINERD_PID=""
CTD_DIR=""
CTD_SOCK=""
CTD_MADE_RUN=0    # /run/containerd was made by our containerd's shims

# ctr_cmd ARGS...: ctr against our containerd
ctr_cmd() { ctr -a "$CTD_SOCK" "$@"; }

ctd_ready() {
	alive "$CONTAINERD_PID" || return 2
	ctr_cmd version >/dev/null 2>&1
}

# containerd_start DIR: containerd with its own config, root, state and
# socket below DIR; no CRI plugin.
containerd_start() {
	CTD_DIR=$1
	CTD_SOCK=$CTD_DIR/containerd.sock
	if ! command -v containerd >/dev/null || ! command -v ctr >/dev/null; then
		LIB_ERR="containerd is not installed (apt-get install containerd)"
		return 1
	fi
	[[ -d /run/containerd ]] || CTD_MADE_RUN=1
	mkdir -p "$CTD_DIR/root" "$CTD_DIR/state"
	cat >"$CTD_DIR/config.toml" <<EOT
version = 2
root = "$CTD_DIR/root"
state = "$CTD_DIR/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$CTD_SOCK"
[ttrpc]
  address = "$CTD_SOCK.ttrpc"
[debug]
  address = ""
EOT
	containerd -c "$CTD_DIR/config.toml" >"$CTD_DIR/containerd.log" 2>&1 </dev/null &
	CONTAINERD_PID=$!
	wait_for "$LIB_TIMEOUT" ctd_ready || {
		LIB_ERR="containerd did not start: $(tail -n 2 "$CTD_DIR/containerd.log" | tr '\n' ' ')"
		containerd_stop
		return 1
	}
}

# ctd_import ROOT IMAGE: the directory ROOT as IMAGE, through a
# docker-archive built here (no registry needed)
ctd_import() {
	local root=$1 image=$2 a=$CTD_DIR/archive layer cfg
	rm -rf "$a"
	mkdir -p "$a"
	tar -C "$root" -cf "$a/layer.tar" .
	layer=$(sha256sum "$a/layer.tar" | cut -d' ' -f1)
	mkdir "$a/$layer"
	mv "$a/layer.tar" "$a/$layer/layer.tar"
	printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["/bin/sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
		"$layer" >"$a/config.json"
	cfg=$(sha256sum "$a/config.json" | cut -d' ' -f1)
	mv "$a/config.json" "$a/$cfg.json"
	printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' \
		"$cfg" "$image" "$layer" >"$a/manifest.json"
	tar -C "$a" -cf "$CTD_DIR/image.tar" manifest.json "$cfg.json" "$layer"
	ctr_cmd images import "$CTD_DIR/image.tar" >/dev/null 2>&1 || {
		LIB_ERR="ctr images import of $image failed"
		return 1
	}
}

# containerd_stop: kill and delete every task and container, stop
# containerd by its pid, unmount what is left below CTD_DIR, and remove
# /run/containerd when its shims made it
containerd_stop() {
	local c
	[[ -n $CONTAINERD_PID ]] || return 0
	if alive "$CONTAINERD_PID"; then
		for c in $(ctr_cmd containers ls -q 2>/dev/null); do
			ctr_cmd task kill -s KILL "$c" >/dev/null 2>&1 || true
		done
		for c in $(ctr_cmd containers ls -q 2>/dev/null); do
			wait_for 10 ctd_task_gone "$c" || true
			ctr_cmd task rm -f "$c" >/dev/null 2>&1 || true
			ctr_cmd containers rm "$c" >/dev/null 2>&1 || true
		done
		kill -TERM "$CONTAINERD_PID" 2>/dev/null || true
		wait_for "$LIB_TIMEOUT" dead "$CONTAINERD_PID" ||
			kill -KILL "$CONTAINERD_PID" 2>/dev/null || true
	fi
	wait "$CONTAINERD_PID" 2>/dev/null || true
	CONTAINERD_PID=""
	kill_shims "$CTD_DIR"
	unmount_below "$CTD_DIR"
	((CTD_MADE_RUN == 0)) || rm -rf /run/containerd
	CTD_MADE_RUN=0
}

# ctd_task_gone NAME: its task is stopped or gone
ctd_task_gone() {
	! ctr_cmd task ls 2>/dev/null | awk -v n="$1" '$1 == n && $3 == "RUNNING"' | grep -q .
}

# ------------------------------------------------------- rootless podman
RL_USER=""
RL_UID=""
RL_HOME=""
RL_FUSE_MODE=""   # /dev/fuse's mode before we opened it to users

# rl_podman ARGS...: podman as the test user, its runtime dir
# /run/user/UID, with runc (crun refuses the hybrid cgroup layout)
rl_podman() {
	(cd / && setpriv --reuid "$RL_UID" --regid "$RL_UID" --init-groups \
		env -i HOME="$RL_HOME" USER="$RL_USER" LOGNAME="$RL_USER" \
		PATH=/usr/sbin:/usr/bin:/sbin:/bin XDG_RUNTIME_DIR="/run/user/$RL_UID" \
		podman --runtime runc "$@")
}

# rootless_setup USER HOME: a test user with subordinate ids, its
# /run/user/UID, and containers-storage on fuse-overlayfs
rootless_setup() {
	RL_USER=$1
	RL_HOME=$2
	command -v newuidmap >/dev/null || {
		LIB_ERR="newuidmap is missing (apt-get install uidmap)"
		return 1
	}
	command -v fuse-overlayfs >/dev/null || {
		LIB_ERR="fuse-overlayfs is missing (apt-get install fuse-overlayfs)"
		return 1
	}
	[[ -c /dev/fuse ]] || {
		LIB_ERR="no /dev/fuse"
		return 1
	}
	! id "$RL_USER" >/dev/null 2>&1 || {
		LIB_ERR="user $RL_USER exists already"
		return 1
	}
	useradd -M -d "$RL_HOME" -s /bin/sh "$RL_USER" || {
		LIB_ERR="useradd $RL_USER failed"
		return 1
	}
	RL_UID=$(id -u "$RL_USER")
	mkdir -p "$RL_HOME/.config/containers"
	printf '[storage]\ndriver = "overlay"\n[storage.options.overlay]\nmount_program = "/usr/bin/fuse-overlayfs"\n' \
		>"$RL_HOME/.config/containers/storage.conf"
	chown -R "$RL_USER:" "$RL_HOME"
	echo "$RL_USER:400000:65536" >>/etc/subuid
	echo "$RL_USER:400000:65536" >>/etc/subgid
	mkdir -p "/run/user/$RL_UID"
	chown "$RL_USER:" "/run/user/$RL_UID"
	chmod 0700 "/run/user/$RL_UID"
	# a rootless fuse-overlayfs opens /dev/fuse itself (Debian: 0666)
	RL_FUSE_MODE=$(stat -c %a /dev/fuse)
	chmod 0666 /dev/fuse
}

# rootless_cleanup: the user's containers, storage, runtime dir, its
# subordinate ids and the user itself; /dev/fuse's mode back
rootless_cleanup() {
	local p
	[[ -n $RL_USER && -n $RL_UID ]] || return 0
	rl_podman rm -a -f -t 0 >/dev/null 2>&1 || true
	rl_podman system reset -f >/dev/null 2>&1 || true
	for p in $(pgrep -u "$RL_UID" || true); do
		kill -KILL "$p" 2>/dev/null || true
	done
	unmount_below "$RL_HOME"
	unmount_below "/run/user/$RL_UID"
	rm -rf "/run/user/$RL_UID" "$RL_HOME"
	sed -i "/^$RL_USER:/d" /etc/subuid /etc/subgid
	userdel "$RL_USER" >/dev/null 2>&1 || true
	[[ -z $RL_FUSE_MODE ]] || chmod "$RL_FUSE_MODE" /dev/fuse
	RL_USER=""
	RL_UID=""
	RL_FUSE_MODE=""
}
