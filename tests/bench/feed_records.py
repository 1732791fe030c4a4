#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write an audit log to standard output one record per write, as auditd
writes to its plugins.

usage: feed_records.py FILE

Used by parse.sh --stdin: the plugin then reads a pipe record by record,
with the wake-ups of a live stream, instead of a file in large reads.
"""
import os
import sys

out = sys.stdout.fileno()
with open(sys.argv[1], 'rb') as f:
    for line in f:
        os.write(out, line)
