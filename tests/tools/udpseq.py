#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""udpseq - numbered UDP datagrams of known contents, sent and checked, for
the tests of the impairing relay (tests/tools/impair.c).

  udpseq.py send TO COUNT [sizes] [--bind ADDR]
      sends datagrams 0..COUNT-1 in order (16 or 128 KiB at a time, 1 ms
      apart), then
      prints "sent=COUNT start=T" (T: CLOCK_MONOTONIC in ms before the first)
  udpseq.py recv LISTEN [sizes] [--count N] [--idle S] [--limit S]
      prints "listening", receives until N datagrams arrived, or nothing
      arrived for S seconds (default 2), or --limit seconds (default 20)
      passed, then prints one line of key=value (below)

sizes: --size N (every datagram N bytes) or --min A --max B (a size drawn
per datagram, the same on both ends); 12..65527 (IPv6; IPv4 65507), default 12..1400.
Datagram k: k as a big-endian u32 three times (one flipped bit cannot hide
which datagram it is), then bytes drawn from a PRNG seeded with k.

The receiver's line: got (datagrams), tiny (< 12 bytes: not identified),
unknown (12 bytes or more but no two copies of the number agree), distinct
(numbers seen), twice (numbers seen exactly twice), more (seen 3 times or
more), intact (identical to what was sent), onebit (same length, exactly one
bit differs), manybits (same length, more differ), shorter (shorter than sent;
identified), prefix_ok (... and identical to the start of what was sent),
longer, minlen, maxlen, inversions (datagrams arriving after one with a higher
number), order (a digest of the numbers in arrival order), first and last
(CLOCK_MONOTONIC in ms when the first and the last datagram arrived).
Addresses are host:port or [v6]:port.
"""
import hashlib
import random
import socket
import struct
import sys
import time

SO_RCVBUFFORCE = 33
HEAD = 12


def parse_addr(text):
    if text.startswith("["):
        host, _, port = text[1:].partition("]:")
        return socket.AF_INET6, (host, int(port))
    host, _, port = text.rpartition(":")
    return socket.AF_INET, (host, int(port))


def options(args):
    """--name value pairs into a dict of strings."""
    opts = {}
    for i in range(0, len(args), 2):
        if not args[i].startswith("--") or i + 1 >= len(args):
            sys.exit("udpseq: bad option " + args[i])
        opts[args[i][2:]] = args[i + 1]
    return opts


def sizes(opts):
    if "size" in opts:
        return int(opts["size"]), int(opts["size"])
    return int(opts.get("min", HEAD)), int(opts.get("max", 1400))


def datagram(k, lo, hi):
    rng = random.Random(k * 2654435761 + 97)
    n = rng.randint(lo, hi)
    return struct.pack(">III", k, k, k) + rng.randbytes(n - HEAD)


def send(to, count, opts):
    fam, addr = parse_addr(to)
    lo, hi = sizes(opts)
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if "bind" in opts:
        s.bind(parse_addr(opts["bind"])[1])
    start, burst = time.monotonic(), 0
    for k in range(count):
        d = datagram(k, lo, hi)
        s.sendto(d, addr)
        burst += len(d)
        if k % 16 == 15 or burst >= 128 << 10:
            time.sleep(0.001)
            burst = 0
    print("sent=%d start=%.3f" % (count, start * 1000), flush=True)


def identify(d):
    """The datagram's number, or None when its copies disagree."""
    a, b, c = struct.unpack(">III", d[:HEAD])
    if a in (b, c):
        return a
    return b if b == c else None


def bits(x, y):
    return (int.from_bytes(x, "big") ^ int.from_bytes(y, "big")).bit_count()


class Tally:
    def __init__(self, lo, hi):
        self.lo, self.hi = lo, hi
        self.c = dict.fromkeys(
            "got tiny unknown intact onebit manybits shorter prefix_ok longer inversions".split(), 0)
        self.seen = {}
        self.top = -1
        self.minlen, self.maxlen = 1 << 20, 0
        self.order = hashlib.sha256()
        self.first = self.last = 0.0

    def add(self, d):
        c = self.c
        c["got"] += 1
        self.last = time.monotonic() * 1000
        self.first = self.first or self.last
        self.minlen, self.maxlen = min(self.minlen, len(d)), max(self.maxlen, len(d))
        if len(d) < HEAD:
            c["tiny"] += 1
            return
        k = identify(d)
        if k is None:
            c["unknown"] += 1
            return
        self.seen[k] = self.seen.get(k, 0) + 1
        self.order.update(struct.pack(">I", k))
        if k < self.top:
            c["inversions"] += 1
        self.top = max(self.top, k)
        self.compare(d, datagram(k, self.lo, self.hi))

    def compare(self, d, want):
        c = self.c
        if len(d) > len(want):
            c["longer"] += 1
        elif len(d) < len(want):
            c["shorter"] += 1
            c["prefix_ok"] += d == want[:len(d)]
        else:
            n = bits(d, want)
            c["intact" if n == 0 else "onebit" if n == 1 else "manybits"] += 1

    def line(self):
        c = dict(self.c)
        c["distinct"] = len(self.seen)
        c["twice"] = sum(1 for v in self.seen.values() if v == 2)
        c["more"] = sum(1 for v in self.seen.values() if v > 2)
        c["minlen"] = self.minlen if c["got"] else 0
        c["maxlen"] = self.maxlen
        c["order"] = self.order.hexdigest()[:16]
        c["first"], c["last"] = "%.3f" % self.first, "%.3f" % self.last
        return " ".join("%s=%s" % kv for kv in c.items())


def recv(listen, opts):
    fam, addr = parse_addr(listen)
    count = int(opts.get("count", 0))
    idle, limit = float(opts.get("idle", 2)), float(opts.get("limit", 20))
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 8 << 20)
    s.bind(addr)
    tally = Tally(*sizes(opts))
    print("listening", flush=True)
    end = time.monotonic() + limit
    while not count or tally.c["got"] < count:
        left = min(idle, end - time.monotonic())
        if left <= 0:
            break
        s.settimeout(left)
        try:
            d = s.recv(1 << 16)
        except socket.timeout:
            break
        tally.add(d)
    print(tally.line(), flush=True)


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "send":
        send(sys.argv[2], int(sys.argv[3]), options(sys.argv[4:]))
    elif len(sys.argv) >= 3 and sys.argv[1] == "recv":
        recv(sys.argv[2], options(sys.argv[3:]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
