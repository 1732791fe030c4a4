#!/bin/bash
# Build the libFuzzer target for the record-to-candidate path and run it.
#   tests/fuzz/run.sh [SECONDS]      (default 60; CI uses a short run)
# Crashes are written to tests/fuzz/artifacts/ and make the run fail.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
secs=${1:-60}
build=${FUZZ_BUILD_DIR:-$(mktemp -d /tmp/dropexec-fuzz.XXXXXX)}
mkdir -p "$build/corpus" "$here/artifacts"

# Seed corpus: each captured event on its own, plus the whole capture.
python3 - "$top/tests/fixtures/podman-drops.log" "$build/corpus" <<'PY'
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

# shellcheck disable=SC2046
clang -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined \
	-include "$top/tests/fuzz/fuzz-config.h" -I"$top/src" \
	$(pkg-config --cflags json-c mount) -I/usr/include/iniparser \
	"$here/fuzz_record.c" "$top/src/intake/record.c" "$top/src/candidate.c" \
	"$top/src/scope/scope.c" "$top/src/scope/mounts.c" \
	"$top/src/util/textenc.c" \
	"$top/src/report/finding.c" "$top/src/report/audit_record.c" \
	"$top/src/util/queue.c" "$top/src/util/log.c" "$top/src/util/path.c" \
	"$top/src/util/stats.c" "$top/src/util/settings.c" \
	"$top/src/util/readfile.c" \
	-o "$build/fuzz_record" \
	-lauparse -laudit -ljson-c -liniparser -lmagic -lmount -pthread

echo "fuzzing record-to-candidate for ${secs}s (corpus in $build/corpus)"
LSAN_OPTIONS=suppressions="$here/lsan.supp" ASAN_OPTIONS=detect_leaks=1 "$build/fuzz_record" \
	-max_total_time="$secs" -max_len=65536 -timeout=10 \
	-artifact_prefix="$here/artifacts/" -print_final_stats=1 \
	"$build/corpus"
