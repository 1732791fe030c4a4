#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/pkg/rpm.sh -- the RPM spec builds: a copy of this tree, "make dist",
# then "rpmbuild -tb" on the tarball, as on a RHEL-family build host.
#
#   tests/pkg/rpm.sh
#
# On Debian, rpmbuild cannot see the build dependencies (they are dpkg's),
# so it runs with --nodeps, and without a debuginfo package (Debian has no
# find-debuginfo). DROPEXEC_PKG_CHECK=1 runs the spec's %check ("make
# check"; skipped by default: tools/run-tests has run it). Checks the files,
# modes and scriptlets of the package. Prints "ok - NAME" or
# "not ok - NAME: WHY", then "N passed, M failed".
set -uo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
PASS=0
FAIL=0
WHY=""

say() { printf '%s\n' "$*"; }
fail() { WHY=$*; return 1; }
check() {
	local name=$1
	shift
	WHY=""
	if "$@"; then
		PASS=$((PASS + 1))
		say "ok - $name"
	else
		FAIL=$((FAIL + 1))
		say "not ok - $name: ${WHY:-failed}"
	fi
}

for cmd in rpmbuild rpm git autoreconf make; do
	command -v "$cmd" >/dev/null || {
		say "not ok - setup: '$cmd' is not installed (tools/install-deps --test installs it)"
		say "0 passed, 1 failed"
		exit 1
	}
done

WORK=$(mktemp -d /tmp/dropexec-rpm.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

tarball() {
	mkdir -p "$WORK/src"
	(cd "$REPO" && git ls-files -co --exclude-standard -z | tar --null -T - -cf -) |
		tar -C "$WORK/src" -xf - || fail "cannot copy the tree" || return 1
	(cd "$WORK/src" && autoreconf -fi && ./configure && make dist) >"$WORK/dist.log" 2>&1 ||
		fail "make dist failed: $(tail -n 5 "$WORK/dist.log" | tr '\n' ' ')" || return 1
	TARBALL=$(echo "$WORK"/src/dropexec-*.tar.gz)
	[[ -f $TARBALL ]] || fail "no tarball"
}

build_rpm() {
	local args=(-tb --nodeps --define "_topdir $WORK/rpmbuild" --define 'debug_package %{nil}')
	[[ ${DROPEXEC_PKG_CHECK:-0} == 1 ]] || args+=(--nocheck)
	rpmbuild "${args[@]}" "$TARBALL" >"$WORK/rpmbuild.log" 2>&1 ||
		fail "rpmbuild failed: $(tail -n 8 "$WORK/rpmbuild.log" | tr '\n' ' ')" || return 1
	RPM=$(echo "$WORK"/rpmbuild/RPMS/*/dropexec-[0-9]*.rpm)
	[[ -f $RPM ]] || fail "no .rpm built"
}

contents() {
	local list want
	list=$(rpm -qlpv "$RPM" 2>/dev/null)
	printf '%s\n' "$list" | awk '{print "# " $1, $3, $NF}'
	for want in /usr/sbin/audisp-dropexec /etc/audit/dropexec.conf /etc/audit/plugins.d/dropexec.conf \
		/etc/audit/rules.d/70-dropexec.rules /etc/logrotate.d/dropexec /usr/libexec/dropexec/dropexec-rules \
		/usr/share/man/man8/audisp-dropexec.8 /usr/share/man/man5/dropexec-finding.5; do
		grep -q " $want\(\.gz\)\?$" <<<"$list" || fail "$want is not in the package" || return 1
	done
	grep -E ' /usr/sbin/audisp-dropexec$' <<<"$list" | grep -q '^-rwxr-x--- .* root *root' ||
		fail "the plugin is not root's with mode 0750" || return 1
	list=$(rpm -qp --configfiles "$RPM" 2>/dev/null)
	grep -qx /etc/audit/dropexec.conf <<<"$list" ||
		fail "/etc/audit/dropexec.conf is not a %config file"
}

scriptlets() {
	local s
	s=$(rpm -qp --scripts "$RPM" 2>/dev/null)
	grep -q 'dropexec-rules load' <<<"$s" || fail "no rules load in %post" || return 1
	grep -q 'dropexec-rules unload' <<<"$s" || fail "no rules unload in %preun"
}

check "make dist (the release tarball with the spec)" tarball
((FAIL == 0)) && check "rpmbuild -tb --nodeps builds the package" build_rpm
if ((FAIL == 0)); then
	say "# $(basename "$RPM")"
	check "the package holds the plugin (0750), config, rules, plugin file, logrotate file, man pages" contents
	check "its scriptlets load the rules on install and unload them on erase" scriptlets
fi
say "$PASS passed, $FAIL failed"
((FAIL == 0))
