#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""dnsstub.py ADDRESS SECONDS NAME=IPV4... - a DNS server for tests.

Listens on UDP port 53 of ADDRESS for SECONDS, answers A queries for the
names given with their address (authoritative, TTL 60), AAAA queries for
them with no record (NODATA), anything else with NXDOMAIN. Prints one line
per query, "query NAME TYPE", so that a test can tell whether DNS was asked.
Standard library only."""
import socket
import struct
import sys
import time


def parse_question(msg):
    """(name, qtype, end offset) of the first question; labels uncompressed."""
    labels, off = [], 12
    while True:
        n = msg[off]
        off += 1
        if n == 0:
            break
        if n & 0xC0:
            raise ValueError("compressed name in a question")
        labels.append(msg[off:off + n].decode("ascii", "replace"))
        off += n
    qtype, _qclass = struct.unpack(">HH", msg[off:off + 4])
    return ".".join(labels).lower(), qtype, off + 4


def answer(msg, table):
    """The response to query msg, or None when msg is not a query."""
    if len(msg) < 12:
        return None
    qid, flags, qdcount = struct.unpack(">HHH", msg[:6])
    if flags & 0x8000 or qdcount != 1:
        return None
    name, qtype, end = parse_question(msg)
    rcode, records = 0, b""
    if name not in table:
        rcode = 3
    elif qtype == 1:
        records = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + socket.inet_aton(table[name])
    out_flags = 0x8000 | (flags & 0x7900) | 0x0400 | 0x0080 | rcode
    ancount = 1 if records else 0
    header = struct.pack(">HHHHHH", qid, out_flags, 1, ancount, 0, 0)
    print("query %s %d" % (name, qtype), flush=True)
    return header + msg[12:end] + records


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    address, seconds = sys.argv[1], float(sys.argv[2])
    table = dict(a.lower().split("=", 1) for a in sys.argv[3:])
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((address, 53))
    sock.settimeout(0.2)
    print("listening", flush=True)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            msg, src = sock.recvfrom(4096)
        except socket.timeout:
            continue
        try:
            reply = answer(msg, table)
        except (ValueError, IndexError, struct.error):
            continue
        if reply:
            sock.sendto(reply, src)


if __name__ == "__main__":
    main()
