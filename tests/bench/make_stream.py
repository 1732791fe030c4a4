#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Multiply captured audit events into a large stream with fresh serials.

usage: make_stream.py SOURCE.log EVENTS OUT

Each event of SOURCE (records grouped by serial) is copied in turn, with a
new serial and timestamp, until OUT holds EVENTS events. An EOE record is
appended to each event, as auditd sends it to plugins.
"""
import re
import sys

src, want, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
pat = re.compile(rb'audit\((\d+)\.(\d+):(\d+)\)')
events, order = {}, []
for line in open(src, 'rb').read().split(b'\n'):
    m = pat.search(line)
    if not m or line.startswith(b'type=EOE'):
        continue
    key = m.group(3)
    if key not in events:
        events[key] = []
        order.append(key)
    events[key].append(line)

serial, sec = 1, 1800000000
with open(out, 'wb') as f:
    while serial <= want:
        for key in order:
            if serial > want:
                break
            stamp = b'audit(%d.%03d:%d)' % (sec + serial // 1000,
                                           serial % 1000, serial)
            for line in events[key]:
                f.write(pat.sub(stamp, line, count=1) + b'\n')
            f.write(b'type=EOE msg=' + stamp + b': \n')
            serial += 1
