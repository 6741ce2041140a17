#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tcpxfer - move a known stream of bytes over TCP and print its SHA-256.

  tcpxfer.py serve LISTEN       accept one connection, read to EOF, print
                                "<bytes> <sha256>"
  tcpxfer.py send TO BYTES SEED connect, send BYTES pseudo-random bytes
                                derived from SEED, print "<bytes> <sha256>"
Addresses are host:port or [v6]:port. With TCPXFER_TIMING=FILE, send also
writes the seconds from connect to the peer's close into FILE (for figures
that are reported, never asserted).
"""
import hashlib
import os
import random
import socket
import sys
import time


def addr(text):
    if text.startswith("["):
        host, _, port = text[1:].partition("]:")
        return socket.AF_INET6, (host, int(port))
    host, _, port = text.rpartition(":")
    return socket.AF_INET, (host, int(port))


def serve(listen):
    fam, a = addr(listen)
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(a)
    s.listen(1)
    s.settimeout(60)
    c, _ = s.accept()
    c.settimeout(60)
    h, n = hashlib.sha256(), 0
    while True:
        b = c.recv(1 << 16)
        if not b:
            break
        h.update(b)
        n += len(b)
    print(n, h.hexdigest(), flush=True)


def send(to, nbytes, seed):
    fam, a = addr(to)
    start = time.monotonic()
    s = socket.create_connection(a, timeout=60)
    rng = random.Random(seed)
    h, left = hashlib.sha256(), nbytes
    while left:
        chunk = rng.randbytes(min(left, 1 << 16))
        s.sendall(chunk)
        h.update(chunk)
        left -= len(chunk)
    s.shutdown(socket.SHUT_WR)
    s.recv(1)
    s.close()
    if os.environ.get("TCPXFER_TIMING"):
        with open(os.environ["TCPXFER_TIMING"], "w") as f:
            f.write("%.6f\n" % (time.monotonic() - start))
    print(nbytes, h.hexdigest(), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2])
    else:
        send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
