#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Listen on a syslog socket for a benchmark run.

usage: syslog_listen.py SOCKET OUT

Binds the AF_UNIX datagram socket SOCKET (normally /dev/log, only when the
machine has none), appends each message to OUT prefixed with its arrival
time, and removes SOCKET on SIGTERM.
"""
import os
import signal
import socket
import sys
import time

path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o666)


def stop(*_):
    try:
        os.unlink(path)
    except OSError:
        pass
    sys.exit(0)


signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)
with open(out, 'ab', buffering=0) as f:
    while True:
        msg = s.recv(65536)
        f.write(b'%.6f ' % time.time() + msg.rstrip(b'\n\0') + b'\n')
