#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""ctflush - flush the connection tracking table of the current network
namespace, as `conntrack -F` does, over ctnetlink with the standard library
only (the conntrack tool need not be installed). Run it inside the
namespace: `ip netns exec NS ctflush.py [inet|ipv4|ipv6]`.
"""
import socket
import struct
import sys

NETLINK_NETFILTER = 12
NFNL_SUBSYS_CTNETLINK = 1
IPCTNL_MSG_CT_DELETE = 2
NLM_F_REQUEST = 0x1
NLM_F_ACK = 0x4
NLMSG_ERROR = 2
FAMILIES = {"inet": socket.AF_UNSPEC, "ipv4": socket.AF_INET, "ipv6": socket.AF_INET6}


def flush(family):
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    s.settimeout(5)
    s.bind((0, 0))
    # nlmsghdr, then nfgenmsg (family, version 0, res_id 0) and no attribute:
    # a delete without a tuple deletes every entry of the family.
    body = struct.pack("BBH", family, 0, 0)
    head = struct.pack("=IHHII", 16 + len(body), (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE,
                       NLM_F_REQUEST | NLM_F_ACK, 1, 0)
    s.send(head + body)
    reply = s.recv(4096)
    s.close()
    _, kind, _, _, _ = struct.unpack("=IHHII", reply[:16])
    if kind != NLMSG_ERROR:
        raise OSError("unexpected netlink reply %d" % kind)
    err = struct.unpack("=i", reply[16:20])[0]
    if err:
        raise OSError(-err, "cannot flush the conntrack table")


if __name__ == "__main__":
    flush(FAMILIES[sys.argv[1] if len(sys.argv) > 1 else "inet"])
