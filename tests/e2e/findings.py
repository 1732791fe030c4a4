#!/usr/bin/env python3
"""Helpers for tests/e2e/run.sh: read dropexec's JSON log and ausearch output.

  findings.py match LOG PATH        print the findings whose Data.path is PATH
  findings.py match-hex LOG HEX     ... whose raw path bytes are HEX
                                    (Data.path_hex, or Data.path encoded)
  findings.py get FIELD             read one finding on stdin, print FIELD
                                    (dotted: Event.container.id, Event.paths.0.name)
  findings.py validate LOG          every line is one JSON object; print the count
  findings.py paths LOG PREFIX      print Data.path of the findings starting with PREFIX
  findings.py record TOKEN          read "ausearch -i" output on stdin and print
                                    the one event whose text holds TOKEN, after
                                    checking it is a single record (exit 1 if not)

Exit status: 0 found/valid, 1 not found/invalid, 2 usage error.
"""
import json
import sys


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


def cmd_match(log, want):
    found = 0
    for _, obj, raw in load(log):
        if isinstance(obj, dict) and raw_path(obj) == want:
            sys.stdout.write(raw.decode("utf-8", "replace") + "\n")
            found += 1
    return 0 if found else 1


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


def cmd_paths(log, prefix):
    for _, obj, _ in load(log):
        if not isinstance(obj, dict):
            continue
        p = raw_path(obj)
        if p is not None and p.startswith(prefix):
            print(p.decode("utf-8", "backslashreplace"))
    return 0


def cmd_record(token):
    text = sys.stdin.buffer.read().decode("utf-8", "surrogateescape")
    events = [e for e in text.split("----\n") if token in e]
    if len(events) != 1:
        print("expected one event holding %r, found %d" % (token, len(events)),
              file=sys.stderr)
        return 1
    ev = events[0]
    nrec = sum(1 for line in ev.split("\n") if line.startswith("type="))
    if nrec != 1:
        print("expected one record in the event, found %d:\n%s" % (nrec, ev),
              file=sys.stderr)
        return 1
    sys.stdout.write(ev)
    return 0


def main(argv):
    if len(argv) == 4 and argv[1] == "match":
        return cmd_match(argv[2], argv[3].encode("utf-8", "surrogateescape"))
    if len(argv) == 4 and argv[1] == "match-hex":
        return cmd_match(argv[2], bytes.fromhex(argv[3]))
    if len(argv) == 3 and argv[1] == "get":
        return cmd_get(argv[2])
    if len(argv) == 3 and argv[1] == "validate":
        return cmd_validate(argv[2])
    if len(argv) == 4 and argv[1] == "paths":
        return cmd_paths(argv[2], argv[3].encode("utf-8", "surrogateescape"))
    if len(argv) == 3 and argv[1] == "record":
        return cmd_record(argv[2])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
