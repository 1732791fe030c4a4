#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/pkg/deb.sh -- the Debian package, as a host would get it: built from a
# copy of this tree with dpkg-buildpackage -us -uc -b, checked with lintian,
# installed with apt-get on this host while its auditd runs, a drop reported
# by the installed plugin, its log rotated, then "apt-get remove" and
# "apt-get purge", after each of which nothing of it may be left in the
# kernel or on disk.
#
#   sudo tests/pkg/deb.sh [--build-only]
#
# Root; it takes /tmp/dropexec-auditd.lock, refuses to run beside another
# auditd, starts the host's auditd (auditd -c /etc/audit) and stops it again,
# and restores the kernel's audit settings (backlog limit and wait time,
# failure mode, enabled flag) and rules: the host's own rules must be as
# before and no dropexec rule left; dropexec rules that were in the kernel
# before with no dropexec installed (an interrupted run's: the package's
# postinst and prerm take them out) are loaded again at the end. It does
# not touch a host where dropexec is already installed (package or make
# install): it then says so and skips.
# DROPEXEC_PKG_CHECK=1 runs "make check" inside the package build (skipped
# by default: tools/run-tests has run it). DROPEXEC_PKG_KEEP=1 keeps the
# work directory. Prints "ok - NAME" or "not ok - NAME: WHY" per check, then
# "N passed, M failed" (and ", 1 skipped" when it could not run here).
set -uo pipefail

SELF_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/auditd.sh
. "$SELF_DIR/../lib/auditd.sh"
# shellcheck source=../lib/containers.sh
. "$SELF_DIR/../lib/containers.sh"

BUILD_ONLY=0
[[ ${1:-} == --build-only ]] && BUILD_ONLY=1
PASS=0
FAIL=0
WHY=""
STARTED_AUDITD=""
SAVED=()
HOST_RULES_BEFORE=""
LEFT_BEFORE=""
JSON=/var/log/dropexec/findings.jsonl
IMAGE=localhost/dropexec-pkg-test:latest
# shellcheck disable=SC2034 # read by tests/lib/containers.sh
LABEL=dropexec-pkg-test=$$

say() { printf '%s\n' "$*"; }
ok() { PASS=$((PASS + 1)); say "ok - $1"; }
not_ok() { FAIL=$((FAIL + 1)); say "not ok - $1: $2"; }
fail() { WHY=$*; return 1; }
check() { # NAME CMD...: one check
	local name=$1
	shift
	WHY=""
	if "$@"; then ok "$name"; else not_ok "$name" "${WHY:-failed}"; fi
}
summary() {
	say "$PASS passed, $FAIL failed${1:+, $1 skipped}"
	((FAIL == 0))
}
skip_all() {
	say "# skipped: $*"
	summary 1
	exit 0
}
fatal() {
	not_ok "setup" "$*"
	summary
	exit 1
}

[[ $(id -u) -eq 0 ]] || fatal "must run as root"
for cmd in dpkg-buildpackage lintian apt-get git auditctl augenrules podman python3; do
	command -v "$cmd" >/dev/null || fatal "'$cmd' is not installed (tools/install-deps --test installs it)"
done

WORK=$(mktemp -d /tmp/dropexec-pkg.XXXXXX)
chmod 0711 "$WORK"

# -------------------------------------------------------------- clean up
restore_kernel() {
	local kv k v
	for kv in "${SAVED[@]}"; do
		k=${kv%%=*}
		v=${kv#*=}
		case $k in
		backlog_limit) auditctl -b "$v" ;;
		backlog_wait_time) auditctl --backlog_wait_time "$v" ;;
		failure) auditctl -f "$v" ;;
		enabled) [[ $v == 2 ]] || auditctl -e "$v" ;;
		esac >/dev/null 2>&1
	done
	SAVED=()
}

# host_rules: the kernel's rules as auditctl -l prints them, but the
# dropexec ones (dropexec_rules_loaded, tests/lib/auditd.sh)
host_rules() { auditctl -l 2>/dev/null | grep -vE -e "$DROPEXEC_RULE_KEYS" -e '^No rules$' || true; }

# reload_rules TEXT: add again the rules TEXT (auditctl -l's lines), in
# order. auditctl -l prints a file type as its mode bits, which
# -F filetype= does not take: those are named again.
reload_rules() {
	local f=$WORK/reload.rules
	sed -E -e 's/filetype=49152/filetype=socket/' -e 's/filetype=40960/filetype=symlink/' \
		-e 's/filetype=32768/filetype=file/' -e 's/filetype=24576/filetype=block/' \
		-e 's/filetype=16384/filetype=dir/' -e 's/filetype=8192/filetype=character/' \
		-e 's/filetype=4096/filetype=fifo/' <<<"$1" >"$f"
	auditctl -R "$f" >"$WORK/reload.log" 2>&1 ||
		say "# could not load the earlier dropexec rules again: $(tr '\n' ' ' <"$WORK/reload.log")"
}

cleanup() {
	containers_cleanup
	if dpkg-query -W -f='${Status}' dropexec 2>/dev/null | grep -q 'ok installed\|config-files'; then
		say "# cleaning up: purging the dropexec package"
		apt-get purge -y dropexec >>"$WORK/apt.log" 2>&1 || dpkg --purge dropexec >>"$WORK/apt.log" 2>&1
	fi
	if [[ -n $STARTED_AUDITD ]]; then
		kill -TERM "$STARTED_AUDITD" 2>/dev/null
		wait_for 15 dead "$STARTED_AUDITD" || kill -KILL "$STARTED_AUDITD" 2>/dev/null
		STARTED_AUDITD=""
	fi
	# only the rules this test made the host load: the dropexec ones (by
	# the package's prerm) and the host's own rules.d (by augenrules)
	if auditctl -l 2>/dev/null | grep -q 'key=dropped_executable'; then
		say "# cleaning up: dropexec rules were left in the kernel"
		for f in "$WORK"/src/rules/*dropexec*.rules; do
			[[ -f $f ]] && DROPEXEC_AUDIT_DIR=/nonexistent sh "$REPO/tools/dropexec-rules" unload "$f" >/dev/null
		done
	fi
	if [[ -n $LEFT_BEFORE && -z $(dropexec_rules_loaded) ]]; then
		say "# loading again the dropexec rules that were in the kernel before the test"
		reload_rules "$LEFT_BEFORE"
		LEFT_BEFORE=""
	fi
	restore_kernel
	if [[ ${DROPEXEC_PKG_KEEP:-0} == 1 ]]; then
		say "# kept $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT

# ----------------------------------------------------------------- build
build_deb() {
	mkdir -p "$WORK/src"
	(cd "$REPO" && git ls-files -co --exclude-standard -z | tar --null -T - -cf -) |
		tar -C "$WORK/src" -xf - || fail "cannot copy the tree" || return 1
	local opts f
	opts="parallel=$(nproc)"
	[[ ${DROPEXEC_PKG_CHECK:-0} == 1 ]] || opts+=" nocheck"
	(cd "$WORK/src" && DEB_BUILD_OPTIONS=$opts dpkg-buildpackage -us -uc -b) >"$WORK/build.log" 2>&1 ||
		fail "dpkg-buildpackage failed: $(tail -n 5 "$WORK/build.log" | tr '\n' ' ')" || return 1
	DEB=""
	for f in "$WORK"/dropexec_*_*.deb; do
		[[ -f $f ]] && DEB=$f
	done
	[[ -n $DEB ]] || fail "no .deb in $WORK"
}

lintian_clean() {
	lintian "$DEB" >"$WORK/lintian.log" 2>&1
	sed 's/^/# /' "$WORK/lintian.log"
	! grep -q '^E:' "$WORK/lintian.log" || fail "lintian errors (above)"
}

check "the package builds (dpkg-buildpackage -us -uc -b)" build_deb
((FAIL == 0)) || { summary; exit 1; }
say "# $(basename "$DEB"): $(dpkg-deb -f "$DEB" Depends)"
check "lintian shows no error" lintian_clean
((BUILD_ONLY)) && { summary; exit; }

# ----------------------------------------------------------- the host
installed_already() {
	dpkg-query -W -f='${Status}' dropexec 2>/dev/null | grep -q 'installed\|config-files' && {
		echo "the dropexec package is installed on this host"
		return 0
	}
	local f
	for f in /usr/sbin/audisp-dropexec /usr/local/sbin/audisp-dropexec \
		/etc/audit/plugins.d/dropexec.conf /etc/audit/dropexec.conf; do
		[[ -e $f ]] && {
			echo "$f exists (an install from source: tools/uninstall --purge removes it)"
			return 0
		}
	done
	return 1
}
if why=$(installed_already); then
	skip_all "not installing the package: $why"
fi

auditd_up() { [[ -n $(audit_status pid) && $(audit_status pid) != 0 ]]; }
plugin_pid() { pgrep -P "$STARTED_AUDITD" -x audisp-dropexec | head -n 1; }
plugin_running() { [[ -n $(plugin_pid) ]]; }
no_plugin() { [[ -z $(plugin_pid) ]]; }
kernel_rules() { auditctl -l 2>/dev/null | grep -c 'key=dropped_executable'; }
no_leftover_rules() {
	local n
	n=$(kernel_rules)
	((n == 0)) || fail "$n dropexec rules still in the kernel"
	! ls /etc/audit/rules.d/*dropexec* >/dev/null 2>&1 || fail "left in rules.d: $(ls /etc/audit/rules.d/*dropexec*)"
	! grep -q dropped_executable /etc/audit/audit.rules 2>/dev/null || fail "/etc/audit/audit.rules still holds the dropexec rules"
}

take_lock
refuse_other_auditd
for k in backlog_limit backlog_wait_time failure enabled; do
	SAVED+=("$k=$(audit_status "$k")")
done
[[ $(audit_status enabled) != 2 ]] || skip_all "the audit rules are locked (-e 2)"
HOST_RULES_BEFORE=$(host_rules)
LEFT_BEFORE=$(dropexec_rules_loaded)
[[ -z $LEFT_BEFORE ]] ||
	say "# $(wc -l <<<"$LEFT_BEFORE") dropexec rules are in the kernel with no dropexec installed (left by an interrupted run?): the package takes them out, the test loads them again at its end"

# The host's auditd, as its init system would start it (without one here).
auditd -c /etc/audit >"$WORK/auditd.out" 2>&1 || fatal "auditd did not start: $(cat "$WORK/auditd.out")"
wait_for 15 auditd_up || fatal "auditd did not register with the kernel"
STARTED_AUDITD=$(audit_status pid)
say "# auditd running (pid $STARTED_AUDITD)"

# ---------------------------------------------------------------- install
install_deb() {
	apt-get install -y "$DEB" >"$WORK/install.log" 2>&1 ||
		fail "apt-get install failed: $(tail -n 5 "$WORK/install.log" | tr '\n' ' ')" || return 1
	sed -n 's/^dropexec-rules: /# postinst: /p' "$WORK/install.log"
	local f
	for f in /usr/sbin/audisp-dropexec /etc/audit/dropexec.conf /etc/audit/plugins.d/dropexec.conf \
		/etc/audit/rules.d/70-dropexec.rules /etc/logrotate.d/dropexec \
		/usr/share/man/man8/audisp-dropexec.8.gz /usr/share/man/man5/dropexec.conf.5.gz \
		/usr/share/man/man5/dropexec-finding.5.gz; do
		[[ -e $f ]] || fail "$f is missing" || return 1
	done
	[[ $(stat -c '%U %a' /usr/sbin/audisp-dropexec) == "root 750" ]] || fail "plugin binary: $(stat -c '%U %a' /usr/sbin/audisp-dropexec)" || return 1
	local conffiles
	conffiles=$(dpkg-query -W -f='${Conffiles}\n' dropexec)
	grep -q ' /etc/audit/dropexec.conf ' <<<"$conffiles" ||
		fail "/etc/audit/dropexec.conf is not a conffile"
}
# installed_rules: the active dropexec-keyed lines the package installed
installed_rules() {
	cat /etc/audit/rules.d/*dropexec*.rules | grep '^-a' | grep -c 'dropped_executable'
}
loaded_and_running() {
	local n want
	n=$(kernel_rules)
	want=$(installed_rules)
	((want > 0 && n == want)) ||
		fail "$n dropexec rules in the kernel, expected the $want installed" || return 1
	wait_for 15 plugin_running || fail "auditd does not run the plugin"
}
check "apt-get install: files in place, config a conffile" install_deb
check "the rules are loaded and auditd runs the plugin" loaded_and_running

# ---------------------------------------------------------------- a drop
# drop NAME: a container copies busybox to /tmp/NAME; sets DROP_CID
drop() {
	start_container "$IMAGE" "cp /bin/busybox /tmp/$1 && sleep 1" || fail "$LIB_ERR" || return 1
	DROP_CID=$CID
	finish_container "$CID" || fail "$LIB_ERR"
}
finding_for() { "$PYTHON" "$TESTS_LIB/findings.py" match "$JSON" "$1" "$2" 2>/dev/null | grep -q .; }
record_for() { ausearch -m USER --start recent --raw 2>/dev/null | grep -F "container_id=$1" | grep -qF "path=\"$2\""; }
reported() {
	local name=$1
	drop "$name" || return 1
	wait_for 15 finding_for "$DROP_CID" "/tmp/$name" || fail "no JSON finding for /tmp/$name in $JSON" || return 1
	wait_for 15 record_for "$DROP_CID" "/tmp/$name" || fail "no audit record for /tmp/$name (ausearch -m USER)"
}
WORK=$WORK build_image "$IMAGE"
check "a drop is reported by the installed plugin (JSON log and ausearch -m USER)" reported pkg-drop

rotate() {
	logrotate -f -s "$WORK/logrotate.state" /etc/logrotate.d/dropexec >"$WORK/logrotate.log" 2>&1 ||
		fail "logrotate failed: $(cat "$WORK/logrotate.log")" || return 1
	[[ -e $JSON.1 ]] || fail "$JSON.1 is missing after rotation" || return 1
	reported pkg-after-rotate || return 1
	[[ -s $JSON ]] || fail "the plugin did not open $JSON again"
}
check "logrotate: the log is rotated and the plugin writes a new one" rotate

# ---------------------------------------------------------------- remove
remove_deb() {
	apt-get remove -y dropexec >"$WORK/remove.log" 2>&1 ||
		fail "apt-get remove failed: $(tail -n 5 "$WORK/remove.log" | tr '\n' ' ')" || return 1
	sed -n 's/^dropexec-rules: /# prerm: /p' "$WORK/remove.log"
	no_leftover_rules || return 1
	[[ ! -e /etc/audit/plugins.d/dropexec.conf ]] || fail "the plugin file is still in plugins.d" || return 1
	wait_for 10 no_plugin || fail "the plugin still runs" || return 1
	[[ ! -e /usr/sbin/audisp-dropexec ]] || fail "the plugin binary is still there" || return 1
	[[ -f /etc/audit/dropexec.conf ]] || fail "remove must keep /etc/audit/dropexec.conf" || return 1
	[[ -s $JSON ]] || fail "remove must keep the findings"
}
check "apt-get remove: plugin stopped, rules out of the kernel and rules.d, config and findings kept" remove_deb

purge_deb() {
	apt-get purge -y dropexec >"$WORK/purge.log" 2>&1 ||
		fail "apt-get purge failed: $(tail -n 5 "$WORK/purge.log" | tr '\n' ' ')" || return 1
	local f left=""
	for f in /etc/audit/dropexec.conf /var/log/dropexec /etc/logrotate.d/dropexec /usr/share/dropexec \
		/usr/libexec/dropexec /etc/audit/plugins.d/dropexec.conf; do
		[[ -e $f ]] && left+=" $f"
	done
	[[ -z $left ]] || fail "left after purge:$left" || return 1
	! dpkg-query -W -f='${Status}' dropexec 2>/dev/null | grep -q 'installed\|config-files' ||
		fail "dpkg still knows the package" || return 1
	no_leftover_rules
}
check "apt-get purge: config and findings gone, nothing left" purge_deb

# ------------------------------------------------------------- the kernel
kill -TERM "$STARTED_AUDITD" 2>/dev/null
wait_for 15 dead "$STARTED_AUDITD"
STARTED_AUDITD=""
restore_kernel
same_rules() {
	local now left
	now=$(host_rules)
	left=$(dropexec_rules_loaded)
	[[ $now == "$HOST_RULES_BEFORE" ]] ||
		fail "the host's rules before: '$HOST_RULES_BEFORE', after: '$now'" || return 1
	[[ -z $left ]] || fail "dropexec rules left in the kernel: '$left'"
}
check "auditd stopped, the host's rules as before the test, no dropexec rule left" same_rules

summary
