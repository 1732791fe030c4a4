#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/golden/run.sh -- golden-file tests: captured and crafted audit
# records in, the expected JSON findings and audit messages out (TAP).
#
#   tests/golden/run.sh            compare (run by "make check")
#   tests/golden/run.sh --regen    rewrite tests/golden/expected/ from the
#                                  current code; review the diff (git diff)
#                                  before committing it
#
# Cases: every tests/golden/cases/*.log, and tests/fixtures/podman-drops.log
# (real records of podman + runc containers). GOLDEN_BIN names the driver
# (default: tests/golden/golden-findings in the build directory).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${GOLDEN_BIN:-./tests/golden/golden-findings}
regen=0
[ "${1:-}" = --regen ] && regen=1
if [ ! -x "$bin" ]; then
	echo "1..0 # SKIP $bin is not built (make check builds it)"
	exit 0
fi
out=$(mktemp -d "${TMPDIR:-/tmp}/dropexec-golden.XXXXXX")
trap 'rm -rf "$out"' EXIT
pass=0
fail=0
n=0
for log in "$here"/cases/*.log "$here/../fixtures/podman-drops.log"; do
	name=$(basename "$log" .log)
	"$bin" "$log" "$out/$name.jsonl" "$out/$name.audit"
	for ext in jsonl audit; do
		want="$here/expected/$name.$ext"
		if [ $regen = 1 ]; then
			cp "$out/$name.$ext" "$want"
			echo "wrote $want"
		elif n=$((n + 1)) && cmp -s "$want" "$out/$name.$ext"; then
			echo "ok $n - $name.$ext"
			pass=$((pass + 1))
		else
			echo "not ok $n - $name.$ext differs from $want:"
			diff -u "$want" "$out/$name.$ext" | head -40 | sed 's/^/# /'
			fail=$((fail + 1))
		fi
	done
done
[ $regen = 1 ] && exit 0
echo "1..$n"
echo "# $pass passed, $fail failed"
[ $fail = 0 ]
