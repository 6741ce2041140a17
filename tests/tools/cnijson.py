#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""cnijson - small JSON edits and lookups for the CNI shell tests.

  cnijson.py get FILE PATH          print the value at PATH (a.b.0.c); exit 1 if absent
  cnijson.py with FILE KEY=JSON...  print FILE with top-level keys set (JSON values);
                                    KEY=- removes the key
  cnijson.py prev CONF RESULT       print CONF with prevResult set to RESULT's content
"""
import json
import sys


def get(doc, path):
    for part in path.split(".") if path else []:
        doc = doc[int(part)] if isinstance(doc, list) else doc[part]
    return doc


def main(argv):
    cmd, f = argv[1], argv[2]
    with open(f) as fh:
        doc = json.load(fh)
    if cmd == "get":
        try:
            v = get(doc, argv[3])
        except (KeyError, IndexError, ValueError, TypeError):
            return 1
        print(v if isinstance(v, str) else json.dumps(v))
    elif cmd == "with":
        for kv in argv[3:]:
            k, _, v = kv.partition("=")
            if v == "-":
                doc.pop(k, None)
            else:
                doc[k] = json.loads(v)
        print(json.dumps(doc))
    elif cmd == "prev":
        with open(argv[3]) as fh:
            doc["prevResult"] = json.load(fh)
        print(json.dumps(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
