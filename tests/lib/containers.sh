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
