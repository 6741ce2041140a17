#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tttpeer - an independent tinytaptunnel v1.4 peer and datagram crafter.

Written from the wire format alone (not from the C sources), with the Python
standard library only, so that tests can check interoperability both ways:

    | HMAC-SHA256(key, ts || frame) (32) | ts: UNIX ns, big-endian u64 (8) | frame |

Subcommands:
  tap   run a full peer: a tap device forwarded to and from a UDP peer
  send  craft datagrams (valid, forged, stale, replayed, ...) and send them
  recv  receive datagrams, verify them and print one JSON line each
  capture  what an attacker without the key does: receive one datagram and
        keep its bytes in a file
  raw   send a file's bytes as one datagram (a capture replayed)
"""
import argparse
import base64
import fcntl
import hashlib
import hmac
import json
import os
import select
import socket
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
SIOCSIFMTU = 0x8922
SIOCGIFFLAGS = 0x8913
SIOCSIFFLAGS = 0x8914
IFF_UP = 0x1


def read_key(path):
    with open(path, "rb") as f:
        return base64.b64decode(f.read().strip(), validate=False)


def parse_addr(text):
    """host:port or [v6]:port -> (family, sockaddr)"""
    if text.startswith("["):
        host, _, port = text[1:].partition("]:")
        return socket.AF_INET6, (host, int(port), 0, 0)
    host, _, port = text.rpartition(":")
    if ":" in host:
        raise ValueError("IPv6 needs brackets: " + text)
    return socket.AF_INET, (host or "0.0.0.0", int(port))


def mac_of(key, ts_and_frame):
    return hmac.new(key, ts_and_frame, hashlib.sha256).digest()


def seal(key, frame, ts_ns):
    body = struct.pack(">Q", ts_ns & 0xFFFFFFFFFFFFFFFF) + frame
    return mac_of(key, body) + body


def open_dgram(key, data, window_ns, now_ns):
    """-> (frame or None, reason)"""
    if len(data) < 41:
        return None, "short"
    if not hmac.compare_digest(mac_of(key, data[32:]), data[:32]):
        return None, "bad_mac"
    ts = struct.unpack(">Q", data[32:40])[0]
    if abs(now_ns - ts) > window_ns:
        return None, "stale_or_future"
    return data[40:], "ok"


def open_tap(name, mtu):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    ifr = struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI)
    fcntl.ioctl(fd, TUNSETIFF, ifr)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    fcntl.ioctl(s, SIOCSIFMTU, struct.pack("16si", name.encode(), mtu))
    flags = struct.unpack("16sH", fcntl.ioctl(s, SIOCGIFFLAGS, struct.pack("16sH", name.encode(), 0)))[1]
    fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sH", name.encode(), flags | IFF_UP))
    s.close()
    return fd


def udp_socket(listen):
    fam, addr = parse_addr(listen)
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind(addr)
    return s


class Clock:
    """Wall time in ns, shifted by the seconds written in a file (re-read
    when the file changes), as if this peer's clock had been stepped."""

    def __init__(self, path):
        self.path, self.mtime, self.offset_ns = path, None, 0

    def now(self):
        if self.path:
            try:
                m = os.stat(self.path).st_mtime_ns
                if m != self.mtime:
                    with open(self.path) as f:
                        self.offset_ns = int(float(f.read().strip() or "0") * 1e9)
                    self.mtime = m
            except (OSError, ValueError):
                pass
        return time.time_ns() + self.offset_ns


def cmd_tap(a):
    key = read_key(a.key)
    tap = open_tap(a.ifname, a.mtu)
    sock = udp_socket(a.listen)
    peer = parse_addr(a.peer)[1]
    window = int(a.window * 1e9)
    clock = Clock(a.clock_file)
    print("tttpeer: tap %s up, %s -> %s" % (a.ifname, a.listen, a.peer), flush=True)
    while True:
        ready, _, _ = select.select([tap, sock], [], [])
        if tap in ready:
            frame = os.read(tap, 65536)
            sock.sendto(seal(key, frame, clock.now()), peer)
        if sock in ready:
            data, src = sock.recvfrom(65536)
            frame, why = open_dgram(key, data, window, clock.now())
            if frame is not None and len(frame) >= 14:
                os.write(tap, frame)


def test_frame(n, fill):
    """An Ethernet frame of n bytes: broadcast, type 0x88b5 (local experimental)."""
    head = b"\xff" * 6 + b"\x02\x00\x00\x00\x00\x99" + b"\x88\xb5"
    return (head + bytes([fill]) * max(0, n - 14))[:n]


def cmd_send(a):
    key = read_key(a.key)
    fam, dest = parse_addr(a.to)
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if a.bind:
        s.bind(parse_addr(a.bind)[1])
    for i in range(a.count):
        frame = bytes.fromhex(a.frame) if a.frame else test_frame(a.frame_len, i & 0xFF)
        ts = a.ts if a.ts is not None else time.time_ns() + int(a.ts_offset * 1e9)
        d = bytearray(seal(key, frame, ts))
        if a.mac_frame_only:
            d[:32] = mac_of(key, frame)
        if a.flip_mac:
            d[0] ^= 1
        if a.raw_len is not None:
            d = (bytes(d) + b"\0" * a.raw_len)[: a.raw_len]
        for _ in range(a.repeat):
            s.sendto(bytes(d), dest)
        if a.save:
            with open(a.save, "wb") as f:
                f.write(bytes(d))
    s.close()


def cmd_capture(a):
    sock = udp_socket(a.listen)
    deadline = time.monotonic() + a.timeout
    while True:  # the frames travel in the clear: wait for the one wanted
        sock.settimeout(max(deadline - time.monotonic(), 0.001))
        try:
            data, src = sock.recvfrom(65536)
        except socket.timeout:
            print(json.dumps({"error": "timeout"}), flush=True)
            return 1
        if not a.match or a.match.encode() in data[40:]:
            break
    with open(a.out, "wb") as f:
        f.write(data)
    print(json.dumps({"len": len(data), "src": "%s:%d" % src[:2]}), flush=True)
    return 0


def spoofed(data, src, dest):
    """An IPv4 UDP packet from src to dest (no UDP checksum), for a raw socket."""
    udp = struct.pack(">HHHH", src[1], dest[1], 8 + len(data), 0)
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 28 + len(data), 0, 0, 64, 17, 0,
                     socket.inet_aton(src[0]), socket.inet_aton(dest[0]))
    return ip + udp + data


def cmd_raw(a):
    with open(a.file, "rb") as f:
        data = f.read()
    fam, dest = parse_addr(a.to)
    if a.spoof:  # any source address and port, in use or not (IPv4, raw socket)
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        pkt, dest = spoofed(data, parse_addr(a.spoof)[1], dest), (dest[0], 0)
    else:
        s = socket.socket(fam, socket.SOCK_DGRAM)
        pkt = data
        if a.bind:
            s.bind(parse_addr(a.bind)[1])
    for _ in range(a.count):
        s.sendto(pkt, dest)
    s.close()


def cmd_recv(a):
    key = read_key(a.key)
    sock = udp_socket(a.listen)
    sock.settimeout(a.timeout)
    window = int(a.window * 1e9)
    for _ in range(a.count):
        try:
            data, src = sock.recvfrom(65536)
        except socket.timeout:
            print(json.dumps({"error": "timeout"}), flush=True)
            return 1
        now = time.time_ns()
        frame, why = open_dgram(key, data, window, now)
        ts = struct.unpack(">Q", data[32:40])[0] if len(data) >= 40 else None
        print(json.dumps({"len": len(data), "verdict": why, "ts_age_ns": now - ts if ts else None,
                          "frame_len": len(frame) if frame is not None else None,
                          "src": "%s:%d" % src[:2]}), flush=True)
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("tap")
    t.add_argument("--key", required=True)
    t.add_argument("--listen", required=True)
    t.add_argument("--peer", required=True)
    t.add_argument("--ifname", default="pytap0")
    t.add_argument("--mtu", type=int, default=1418)
    t.add_argument("--window", type=float, default=3.0)
    t.add_argument("--clock-file", help="seconds to add to this peer's clock, re-read when changed")
    s = sub.add_parser("send")
    s.add_argument("--key", required=True)
    s.add_argument("--to", required=True)
    s.add_argument("--bind")
    s.add_argument("--frame", help="frame as hex")
    s.add_argument("--frame-len", type=int, default=60)
    s.add_argument("--ts", type=int)
    s.add_argument("--ts-offset", type=float, default=0.0, help="seconds added to now")
    s.add_argument("--flip-mac", action="store_true")
    s.add_argument("--mac-frame-only", action="store_true")
    s.add_argument("--raw-len", type=int, help="pad or cut the datagram to this length")
    s.add_argument("--count", type=int, default=1)
    s.add_argument("--repeat", type=int, default=1, help="send each datagram this many times")
    s.add_argument("--save", help="write the (last) datagram sent into this file")
    c = sub.add_parser("capture")
    c.add_argument("--listen", required=True)
    c.add_argument("--out", required=True)
    c.add_argument("--timeout", type=float, default=5.0)
    c.add_argument("--match", help="keep the first datagram whose frame contains this text")
    w = sub.add_parser("raw")
    w.add_argument("--to", required=True)
    w.add_argument("--bind")
    w.add_argument("--spoof", help="source address:port, sent through a raw socket (IPv4)")
    w.add_argument("--count", type=int, default=1)
    w.add_argument("file")
    r = sub.add_parser("recv")
    r.add_argument("--key", required=True)
    r.add_argument("--listen", required=True)
    r.add_argument("--count", type=int, default=1)
    r.add_argument("--timeout", type=float, default=5.0)
    r.add_argument("--window", type=float, default=3.0)
    a = p.parse_args()
    return {"tap": cmd_tap, "send": cmd_send, "recv": cmd_recv, "capture": cmd_capture,
            "raw": cmd_raw}[a.cmd](a) or 0


if __name__ == "__main__":
    sys.exit(main())
