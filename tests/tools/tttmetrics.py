#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tttmetrics - checks `ttt metrics` with Prometheus' own parser, and against
`ttt show --json`.

  tttmetrics.py check FILE
      FILE (Prometheus text format) parses with prometheus_client's parser
      (Debian's python3-prometheus-client), every family once with HELP and
      TYPE, no sample twice; prints one line per family: NAME TYPE SAMPLES
  tttmetrics.py compare TTT DIR
      runs `TTT show --json -d DIR`, `TTT metrics -d DIR`, `TTT show --json
      -d DIR` until both JSON snapshots agree (counters still moving between
      the runs: again, at most 10 times), then checks that the metrics carry
      exactly the JSON's numbers for every tunnel: each counter, restarts,
      start time, up. Prints "same: N tunnels, M numbers" or what differs.

  tttmetrics.py rules RULES FILE
      every tinytaptunnel_* metric (and drop reason) the alerting rules in
      RULES (deploy/prometheus/rules.yaml) name is in FILE (ttt metrics)

Exit status 0 when all holds, 1 otherwise.
"""
import json
import math
import re
import subprocess
import sys

import yaml

from prometheus_client.parser import text_string_to_metric_families

SPECIAL = {"tx_frames", "tx_bytes", "rx_frames", "rx_bytes", "rx_peer_changes", "tx_keepalive",
           "rx_keepalive", "tx_gso_refused", "tx_resegmented"}


def parse(text):
    """The families, checked; raises ValueError on anything wrong."""
    fams = list(text_string_to_metric_families(text))
    names = [f.name for f in fams]
    if len(names) != len(set(names)):
        raise ValueError("a family appears twice (samples not grouped): %r" % names)
    seen = set()
    for f in fams:
        if f.type not in ("counter", "gauge") or not f.documentation:
            raise ValueError("family %s: type %r, help %r" % (f.name, f.type, f.documentation))
        for s in f.samples:
            key = (s.name, tuple(sorted(s.labels.items())))
            if key in seen:
                raise ValueError("sample twice: %r" % (key,))
            seen.add(key)
            if not math.isfinite(s.value):
                raise ValueError("sample %r is not finite" % (key,))
            if f.type == "counter" and not s.name.endswith("_total"):
                raise ValueError("counter sample %s without _total" % s.name)
    return fams


def samples(fams):
    """{(sample name, tunnel, reason): value}"""
    out = {}
    for f in fams:
        for s in f.samples:
            out[(s.name, s.labels.get("tunnel"), s.labels.get("reason"))] = s.value
    return out


def expected(tunnel):
    """What the metrics must say about one tunnel of the JSON."""
    name, want = tunnel["name"], {}
    want[("tinytaptunnel_up", name, None)] = 1.0 if tunnel["answering"] else 0.0
    if not tunnel["answering"]:
        return want
    want[("tinytaptunnel_restarts_total", name, None)] = float(tunnel["restarts"])
    want[("tinytaptunnel_start_time_seconds", name, None)] = tunnel["started"]
    for key, value in tunnel["counters"].items():
        if key in SPECIAL:
            want[("tinytaptunnel_%s_total" % key, name, None)] = float(value)
        else:
            want[("tinytaptunnel_%s_dropped_total" % key[:2], name, key[3:])] = float(value)
    return want


def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=30).stdout


def counters_of(doc):
    return {t["name"]: (t["answering"], t.get("counters"), t.get("restarts")) for t in doc["tunnels"]}


def compare(ttt, d):
    for _ in range(10):
        before = json.loads(run([ttt, "show", "--json", "-d", d]))
        text = run([ttt, "metrics", "-d", d])
        after = json.loads(run([ttt, "show", "--json", "-d", d]))
        if counters_of(before) == counters_of(after):
            break
    else:
        print("the counters never held still across three runs")
        return 1
    got, bad, n = samples(parse(text)), 0, 0
    for t in after["tunnels"]:
        for key, value in expected(t).items():
            n += 1
            ok = key in got and (math.isclose(got[key], value, rel_tol=1e-12)
                                 if "start_time" in key[0] else got[key] == value)
            if not ok:
                bad += 1
                print("differs: %s tunnel=%s reason=%s: json %r, metrics %r"
                      % (key[0], key[1], key[2], value, got.get(key)))
    if bad:
        return 1
    print("same: %d tunnels, %d numbers" % (len(after["tunnels"]), n))
    return 0


def rules(path, prom):
    with open(prom) as fh:
        got = samples(parse(fh.read()))
    names = {k[0] for k in got}
    reasons = {k[2] for k in got if k[2]}
    with open(path) as fh:
        doc = yaml.safe_load(fh)
    bad = 0
    for group in doc["groups"]:
        for rule in group["rules"]:
            expr = rule["expr"]
            for m in re.findall(r"tinytaptunnel_[a-z_]+", expr):
                if m not in names:
                    bad += 1
                    print("%s: %s is not a metric ttt writes" % (rule["alert"], m))
            for r in re.findall(r'reason=~"([^"]*)"', expr):
                for reason in r.split("|"):
                    if reason not in reasons:
                        bad += 1
                        print("%s: no drop reason %s" % (rule["alert"], reason))
    return 1 if bad else 0


def main(argv):
    if len(argv) == 3 and argv[1] == "check":
        with open(argv[2]) as fh:
            try:
                fams = parse(fh.read())
            except Exception as e:  # the parser raises several kinds
                print("invalid: %s" % e)
                return 1
        for f in fams:
            print("%s %s %d" % (f.name, f.type, len(f.samples)))
        return 0
    if len(argv) == 4 and argv[1] == "rules":
        return rules(argv[2], argv[3])
    if len(argv) == 4 and argv[1] == "compare":
        return compare(argv[2], argv[3])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
