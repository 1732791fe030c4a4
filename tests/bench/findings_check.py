#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Read dropexec's JSON log for the benchmarks.

  findings_check.py verify LOG CID PREFIX N
      Findings of container CID whose Data.path starts with PREFIX: print
      "expected N found F missing M extra X duplicate D", where the expected
      paths are PREFIX + "e0" .. "e<N-1>" and any other path under PREFIX is
      extra. Exit 1 when anything is missing, extra or duplicate.
  findings_check.py latency LOG STAMPS SETTLE_MS
      STAMPS has "ARRIVAL_NS LINE-NUMBER" for each line of LOG as
      jsonwatch saw it written. Print, for the findings under /tmp/lat/,
      "path audit_time arrival" lines on stdout (for the caller's table).
"""
import json
import sys


def findings(log):
    with open(log, 'rb') as f:
        for raw in f.read().split(b'\n'):
            if not raw.strip():
                continue
            try:
                yield json.loads(raw.decode('utf-8'))
            except ValueError:
                yield None


def verify(log, cid, prefix, n):
    expected = {'%se%d' % (prefix, i) for i in range(n)}
    seen = {}
    bad = 0
    for obj in findings(log):
        if obj is None:
            bad += 1
            continue
        path = (obj.get('Data') or {}).get('path', '')
        ev = obj.get('Event') or {}
        if not path.startswith(prefix):
            continue
        if (ev.get('container') or {}).get('id') != cid:
            bad += 1
        seen[path] = seen.get(path, 0) + 1
    found = expected & set(seen)
    missing = len(expected - found)
    extra = sum(c for p, c in seen.items() if p not in expected) + bad
    dup = sum(c - 1 for p, c in seen.items() if p in expected and c > 1)
    print('expected %d found %d missing %d extra %d duplicate %d'
          % (n, len(found), missing, extra, dup))
    return 1 if missing or extra or dup else 0


def latency(log, stamps):
    arrival = {}
    with open(stamps) as f:
        for line in f:
            ns, num = line.split()
            arrival[int(num)] = int(ns)
    for num, obj in enumerate(findings(log), 1):
        if obj is None:
            continue
        path = (obj.get('Data') or {}).get('path', '')
        ev = obj.get('Event') or {}
        if num in arrival:
            print(path, ev.get('audit_time'), '%.6f' % (arrival[num] / 1e9))


def main():
    if len(sys.argv) >= 6 and sys.argv[1] == 'verify':
        return verify(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    if len(sys.argv) >= 4 and sys.argv[1] == 'latency':
        latency(sys.argv[2], sys.argv[3])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


sys.exit(main())
