#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""spawn_with_fds - do what the CNI plugin does before it starts a worker:
open a tap and bind a UDP socket here, optionally move the tap into another
network namespace (and rename it there), then exec a command that inherits
both descriptors. "{tap}" and "{sock}" in the command become their numbers.

usage: spawn_with_fds.py --tap NAME --bind ADDR [--move-to NETNS [--rename NAME]] -- CMD...
"""
import argparse
import fcntl
import os
import socket
import struct
import subprocess
import sys

TUNSETIFF = 0x400454CA
IFF_TAP, IFF_NO_PI = 0x0002, 0x1000


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tap", required=True)
    p.add_argument("--bind", required=True)
    p.add_argument("--move-to")
    p.add_argument("--rename")
    p.add_argument("cmd", nargs=argparse.REMAINDER)
    a = p.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    tap = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(tap, TUNSETIFF, struct.pack("16sH", a.tap.encode(), IFF_TAP | IFF_NO_PI))
    if a.bind.startswith("["):
        host, _, port = a.bind[1:].partition("]:")
        sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    else:
        host, _, port = a.bind.rpartition(":")
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((host, int(port)))
    if a.move_to:
        ip = ["ip", "link", "set", a.tap, "netns", a.move_to]
        subprocess.run(ip + (["name", a.rename] if a.rename else []), check=True)
    os.set_inheritable(tap, True)
    os.set_inheritable(sock.fileno(), True)
    args = [c.replace("{tap}", str(tap)).replace("{sock}", str(sock.fileno())) for c in cmd]
    os.execv(args[0], args)


if __name__ == "__main__":
    sys.exit(main())
