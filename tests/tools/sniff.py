#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""sniff - count the frames an interface receives, for SECONDS seconds.

  sniff.py IFNAME SECONDS [ETHERTYPE]
                            prints "frames=N keepalive=K" on exit, where K
                            counts frames to 01:80:c2:00:00:01 with EtherType
                            0x88b5 (the tunnel's keepalive). Frames the host
                            itself sends out of IFNAME are not counted; with
                            ETHERTYPE (e.g. 0x88b5), only frames of that type.

With the standard library only (an AF_PACKET socket): run it inside the
interface's namespace. It prints "listening" once the socket is bound.
"""
import socket
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
KEEPALIVE = bytes.fromhex("0180c2000001")


def main():
    ifname, seconds = sys.argv[1], float(sys.argv[2])
    etype = int(sys.argv[3], 16).to_bytes(2, "big") if len(sys.argv) > 3 else None
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((ifname, 0))
    print("listening", flush=True)
    frames = keepalive = 0
    end = time.monotonic() + seconds
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        s.settimeout(left)
        try:
            data, addr = s.recvfrom(65536)
        except socket.timeout:
            break
        if addr[2] == PACKET_OUTGOING or (etype and data[12:14] != etype):
            continue
        frames += 1
        if data[:6] == KEEPALIVE and data[12:14] == b"\x88\xb5":
            keepalive += 1
    print("frames=%d keepalive=%d" % (frames, keepalive), flush=True)


if __name__ == "__main__":
    main()
