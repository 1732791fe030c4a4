#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Read dropexec's JSON log and ausearch output for the end-to-end tests.

A finding is selected by the container that dropped it AND its path: CID is
the full id of that container (podman run -d prints it); "*" selects every
container and is meant for global assertions only ("no finding for this
path at all", "every finding has ..."). A PATH is the file's name, or
"hex:" followed by the hex of its raw bytes (Data.path_hex, or Data.path
encoded).

  findings.py match LOG CID PATH    print the findings of CID whose path is PATH
  findings.py match-hex LOG CID HEX the same for the raw path bytes HEX
  findings.py count LOG CID PATH... print how many findings of CID have one
                                    of the PATHs
  findings.py wait LOG CID SECONDS N PATH...
                                    poll LOG until at least N findings of CID
                                    have one of the PATHs; print the count;
                                    exit 1 when SECONDS passed first
  findings.py get FIELD             read one finding on stdin, print FIELD
                                    (dotted: Event.container.id, Event.paths.0.name)
  findings.py validate LOG          every line is one JSON object; print the count
  findings.py paths LOG PREFIX [CID]
                                    print Data.path of the findings (of CID)
                                    starting with PREFIX
  findings.py record TOKEN...       read "ausearch -i" output on stdin and print
                                    the one event whose text holds every TOKEN
                                    (e.g. "path=/tmp/x " and "container_id=ID"),
                                    after checking it is a single record
                                    (exit 1 if not)
  findings.py has TOKEN...          exit 0 when an event of the "ausearch"
                                    output on stdin holds every TOKEN

Exit status: 0 found/valid, 1 not found/invalid, 2 usage error.
"""
import json
import re
import sys
import time


def load(log):
    """Yield (line number, parsed object or None, raw line) for each line."""
    try:
        with open(log, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return
    # Only complete lines: the plugin may be writing the last one.
    for n, raw in enumerate(data.split(b"\n")[:-1], 1):
        try:
            yield n, json.loads(raw.decode("utf-8")), raw
        except (UnicodeDecodeError, ValueError):
            yield n, None, raw


def raw_path(obj):
    data = obj.get("Data") or {}
    if "path_hex" in data:
        return bytes.fromhex(data["path_hex"])
    p = data.get("path")
    return p.encode("utf-8", "surrogateescape") if isinstance(p, str) else None


def container_id(obj):
    ev = obj.get("Event") or {}
    return (ev.get("container") or {}).get("id") if isinstance(ev, dict) else None


def want_path(arg):
    """A PATH argument as bytes: a name, or "hex:" and its bytes in hex."""
    if arg.startswith("hex:"):
        return bytes.fromhex(arg[4:])
    return arg.encode("utf-8", "surrogateescape")


def selected(log, cid, paths):
    """Yield the raw lines of the findings of CID whose path is in PATHS."""
    for _, obj, raw in load(log):
        if not isinstance(obj, dict) or raw_path(obj) not in paths:
            continue
        if cid != "*" and container_id(obj) != cid:
            continue
        yield raw


def cmd_match(log, cid, want):
    found = 0
    for raw in selected(log, cid, {want}):
        sys.stdout.write(raw.decode("utf-8", "replace") + "\n")
        found += 1
    return 0 if found else 1


def cmd_count(log, cid, paths):
    print(sum(1 for _ in selected(log, cid, set(paths))))
    return 0


def cmd_wait(log, cid, seconds, n, paths):
    deadline = time.monotonic() + seconds
    want = set(paths)
    while True:
        got = sum(1 for _ in selected(log, cid, want))
        if got >= n:
            print(got)
            return 0
        if time.monotonic() >= deadline:
            print(got)
            return 1
        time.sleep(0.05)


def cmd_get(field):
    obj = json.loads(sys.stdin.readline())
    for part in field.split("."):
        if isinstance(obj, list):
            try:
                obj = obj[int(part)]
            except (ValueError, IndexError):
                return 1
        elif isinstance(obj, dict) and part in obj:
            obj = obj[part]
        else:
            return 1
    if isinstance(obj, (dict, list)):
        print(json.dumps(obj))
    elif isinstance(obj, bool):
        print("true" if obj else "false")
    elif obj is None:
        print("null")
    else:
        print(obj)
    return 0


def cmd_validate(log):
    count = bad = 0
    for n, obj, raw in load(log):
        if not isinstance(obj, dict):
            print("line %d is not a JSON object: %r" % (n, raw[:200]),
                  file=sys.stderr)
            bad += 1
        else:
            count += 1
    print(count)
    return 1 if bad else 0


def cmd_paths(log, prefix, cid):
    for _, obj, _ in load(log):
        if not isinstance(obj, dict):
            continue
        if cid != "*" and container_id(obj) != cid:
            continue
        p = raw_path(obj)
        if p is not None and p.startswith(prefix):
            print(p.decode("utf-8", "backslashreplace"))
    return 0


def events_with(tokens):
    text = sys.stdin.buffer.read().decode("utf-8", "surrogateescape")
    return [e for e in text.split("----\n")
            if all(t in e for t in tokens)]


def cmd_record(tokens):
    events = events_with(tokens)
    if len(events) != 1:
        print("expected one event holding %s, found %d"
              % (" and ".join(repr(t) for t in tokens), len(events)),
              file=sys.stderr)
        return 1
    ev = events[0]
    # a record line, with the node name first when auditd adds one
    nrec = sum(1 for line in ev.split("\n")
               if re.match(r"(node=\S+ )?type=", line))
    if nrec != 1:
        print("expected one record in the event, found %d:\n%s" % (nrec, ev),
              file=sys.stderr)
        return 1
    sys.stdout.write(ev)
    return 0


def main(argv):
    cmd, args = (argv[1], argv[2:]) if len(argv) > 1 else ("", [])
    if cmd == "match" and len(args) == 3:
        return cmd_match(args[0], args[1], want_path(args[2]))
    if cmd == "match-hex" and len(args) == 3:
        return cmd_match(args[0], args[1], bytes.fromhex(args[2]))
    if cmd == "count" and len(args) >= 3:
        return cmd_count(args[0], args[1], [want_path(a) for a in args[2:]])
    if cmd == "wait" and len(args) >= 5:
        return cmd_wait(args[0], args[1], float(args[2]), int(args[3]),
                        [want_path(a) for a in args[4:]])
    if cmd == "get" and len(args) == 1:
        return cmd_get(args[0])
    if cmd == "validate" and len(args) == 1:
        return cmd_validate(args[0])
    if cmd == "paths" and len(args) in (2, 3):
        return cmd_paths(args[0], want_path(args[1]),
                         args[2] if len(args) == 3 else "*")
    if cmd == "record" and args:
        return cmd_record(args)
    if cmd == "has" and args:
        return 0 if events_with(args) else 1
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
