#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build the libFuzzer targets and run each of them.
#
#   tests/fuzz/run.sh [SECONDS [TARGET...]]
#
# SECONDS is the run length of each target (default 12: five targets make
# about a minute, what CI spends); TARGET is a tests/fuzz/fuzz_TARGET.c
# ("cgroup" or "fuzz_cgroup"), every one by default. For example
#   tests/fuzz/run.sh 600 cgroup
#
# Every file under src/ but src/main.c is compiled once with
# -fsanitize=fuzzer-no-link,address,undefined into a static library; each
# tests/fuzz/fuzz_*.c is linked against it with -fsanitize=fuzzer, so a new
# source file needs no change here.
#
# Seeds: tests/fuzz/corpus/TARGET/ plus the fixtures named below, copied
# into a working corpus that the run extends. A crash, a leak (LeakSanitizer,
# suppressions in lsan.supp), a UBSan report or an input slower than
# FUZZ_TIMEOUT seconds (default 10) fails the target; the input is kept in
# tests/fuzz/artifacts/TARGET-{crash,leak,timeout,oom}-*. Replay one with
#   BUILD/fuzz_TARGET tests/fuzz/artifacts/FILE
#
# Prints one line per target, "PASS fuzz_NAME ..." or "FAIL fuzz_NAME ...",
# then "N passed, M failed"; exits non-zero when a target failed.
#
# Environment: CC (default clang), FUZZ_BUILD_DIR (kept; default a
# temporary directory, removed when every target passed), FUZZ_TIMEOUT.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
secs=${1:-12}
shift $(($# > 0 ? 1 : 0))
CC=${CC:-clang}
timeout_s=${FUZZ_TIMEOUT:-10}
jobs=$(nproc 2>/dev/null || echo 2)

case $secs in
'' | *[!0-9]*)
	echo "usage: $0 [SECONDS [TARGET...]]" >&2
	exit 2
	;;
esac

targets=()
if (($# == 0)); then
	for f in "$here"/fuzz_*.c; do
		t=${f##*/}
		targets+=("${t%.c}")
	done
else
	for t in "$@"; do
		t=fuzz_${t#fuzz_}
		t=${t%.c}
		if [[ ! -f $here/$t.c ]]; then
			echo "run.sh: no target $here/$t.c" >&2
			exit 2
		fi
		targets+=("$t")
	done
fi

if [[ -n ${FUZZ_BUILD_DIR:-} ]]; then
	build=$FUZZ_BUILD_DIR
	keep=1
else
	build=$(mktemp -d /tmp/dropexec-fuzz.XXXXXX)
	keep=0
fi
mkdir -p "$build/obj" "$build/corpus" "$build/log" "$here/artifacts"

pkgs="audit auparse json-c libcap-ng mount libcrypto"
# shellcheck disable=SC2086 # word lists
{
	dep_cflags="$(pkg-config --cflags $pkgs) -I/usr/include/iniparser"
	dep_libs="$(pkg-config --libs $pkgs) -liniparser -lmagic -pthread"
}
cflags="-g -O1 -fno-omit-frame-pointer -fno-sanitize-recover=undefined
	-Wall -Wextra -include $here/fuzz-config.h -I$top/src $dep_cflags"

passed=0
failed=0
results=()

# result PASS|FAIL TARGET TEXT
result() {
	results+=("$(printf '%s %-20s %s' "$1" "$2" "$3")")
	if [[ $1 == PASS ]]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
}

finish() {
	echo
	echo "fuzz summary (build in $build):"
	printf '%s\n' "${results[@]}"
	echo "$passed passed, $failed failed"
	if ((failed == 0 && !keep)); then
		rm -rf "$build"
	fi
	((failed == 0))
	exit
}

# --- the library: every source but main() ---------------------------------
echo "building the fuzz library in $build"
mapfile -t srcs < <(cd "$top" && find src -name '*.c' ! -path src/main.c | sort)
# shellcheck disable=SC2016 # expanded by the inner shell, $1 = src/x/y.c
compile_one='exec $CC $CFLAGS -fsanitize=fuzzer-no-link,address,undefined \
	-c "$TOP/$1" -o "$OBJ/$(printf %s "$1" | tr / _).o"'
rm -f "$build"/obj/*.o "$build/libdropexec-fuzz.a"
if ! printf '%s\n' "${srcs[@]}" |
	CC=$CC CFLAGS=$cflags TOP=$top OBJ=$build/obj \
		xargs -P "$jobs" -n 1 sh -c "$compile_one" sh ||
	! ar rcs "$build/libdropexec-fuzz.a" "$build"/obj/*.o; then
	for t in "${targets[@]}"; do
		result FAIL "$t" "the fuzz library did not build"
	done
	finish
fi

# --- seeds ----------------------------------------------------------------
# seed TARGET FILE...: copy FILEs into TARGET's working corpus
seed() {
	local dir=$build/corpus/$1
	shift
	mkdir -p "$dir"
	cp "$@" "$dir"/ 2>/dev/null || true
}

# seed_prefixed TARGET BYTE FILE...: FILEs with BYTE in front
seed_prefixed() {
	local dir=$build/corpus/$1 byte=$2 f n=0
	shift 2
	mkdir -p "$dir"
	for f in "$@"; do
		n=$((n + 1))
		{
			printf '%s' "$byte"
			cat "$f"
		} >"$dir/fixture-$byte-$n"
	done
}

make_seeds() {
	local t=$1 meta=$top/tests/fixtures/meta

	mkdir -p "$build/corpus/$t"
	if [[ -d $here/corpus/$t ]]; then
		cp "$here/corpus/$t"/* "$build/corpus/$t"/ 2>/dev/null || true
	fi
	case $t in
	fuzz_record)
		# each captured event on its own, plus the whole capture
		python3 - "$top/tests/fixtures/podman-drops.log" \
			"$build/corpus/$t" <<'PY'
import re, sys
src, out = sys.argv[1], sys.argv[2]
events = {}
for line in open(src, 'rb').read().split(b'\n'):
    m = re.search(rb':(\d+)\):', line)
    if m:
        events.setdefault(m.group(1), []).append(line)
for serial, lines in events.items():
    open(f'{out}/event-{serial.decode()}', 'wb').write(b'\n'.join(lines) + b'\n')
open(f'{out}/all', 'wb').write(open(src, 'rb').read())
PY
		;;
	fuzz_cgroup)
		local p
		for p in "$top"/tests/fixtures/proc/*/cgroup; do
			cp "$p" "$build/corpus/$t/fixture-$(basename "$(dirname "$p")")"
		done
		;;
	fuzz_mountinfo)
		seed "$t" "$top/tests/fixtures/mountinfo" \
			"$top/tests/fixtures/mountinfo-container"
		;;
	fuzz_runtime_state)
		seed_prefixed "$t" 0 \
			"$meta/var/lib/containers/storage/overlay-containers/containers.json"
		seed_prefixed "$t" 1 \
			"$meta/var/lib/containers/storage/overlay-containers/containers.json"
		seed_prefixed "$t" 2 "$meta"/var/lib/docker/containers/*/config.v2.json
		seed_prefixed "$t" 3 \
			"$meta"/run/containerd/io.containerd.runtime.v2.task/*/*/config.json \
			"$meta"/run/containers/storage/overlay-containers/*/userdata/config.json
		seed_prefixed "$t" 4 "$top"/tests/fixtures/runtimes/run/runc/*/state.json
		seed_prefixed "$t" 5 "$top"/tests/fixtures/runtimes/run/crun/*/status
		seed_prefixed "$t" 6 \
			"$top"/tests/fixtures/runtimes/run/containerd/io.containerd.runtime.v2.task/*/*/config.json
		;;
	fuzz_config)
		seed "$t" "$top/conf/dropexec.conf"
		;;
	esac
}

# Longest input tried: a little over what the seeds need.
max_len() {
	case $1 in
	fuzz_record) echo 65536 ;;
	fuzz_mountinfo | fuzz_runtime_state) echo 16384 ;;
	*) echo 8192 ;;
	esac
}

# --- build and run each target --------------------------------------------
for t in "${targets[@]}"; do
	log=$build/log/$t.log
	# shellcheck disable=SC2086 # flag lists
	if ! $CC $cflags -fsanitize=fuzzer,address,undefined \
		"$here/$t.c" "$build/libdropexec-fuzz.a" $dep_libs \
		-o "$build/$t" >"$log" 2>&1; then
		cat "$log"
		result FAIL "$t" "did not build"
		continue
	fi
	make_seeds "$t"
	echo "fuzzing $t for ${secs}s (corpus in $build/corpus/$t)"
	rm -f "$build/$t.done"
	# libFuzzer stops itself after SECONDS; the outer timeout only
	# catches a run that no longer answers.
	LSAN_OPTIONS=suppressions="$here/lsan.supp":print_suppressions=0 \
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		timeout -k 10 $((secs + 3 * timeout_s + 60)) \
		"$build/$t" -max_total_time="$secs" -max_len="$(max_len "$t")" \
		-timeout="$timeout_s" -rss_limit_mb=2048 \
		-artifact_prefix="$here/artifacts/$t-" -print_final_stats=1 \
		"$build/corpus/$t" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	units=$(find "$build/corpus/$t" -type f | wc -l)
	if ((rc == 0)); then
		result PASS "$t" "${secs} s, ${runs:-?} runs, ${rate:-?} exec/s, corpus $units"
	else
		echo "--- $t failed (exit status $rc), end of $log:"
		tail -n 60 "$log"
		what=$(grep -aoE 'Test unit written to .*' "$log" | tail -n 1)
		result FAIL "$t" "exit status $rc${what:+; ${what#Test unit written to }}"
	fi
done
finish
