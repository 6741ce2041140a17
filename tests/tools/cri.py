#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""cri.py SOCKET COMMAND [ARGS] - the few calls of the Kubernetes CRI
(runtime.v1.RuntimeService) a test needs to make containerd's CRI plugin set
up and tear down a pod's network, with the messages encoded by hand (no
generated code):

  version                  prints runtime name, version and API version
  run NAME UID NAMESPACE [HANDLER]
                           RunPodSandbox (with that runtime handler); prints
                           the sandbox ID
  stop ID                  StopPodSandbox (tears the network down)
  rm ID                    RemovePodSandbox

A refused call prints the runtime's message on stderr and exits 1."""
import sys

import grpc

SERVICE = "/runtime.v1.RuntimeService/"


def varint(n):
    """The protobuf varint encoding of n (>= 0)."""
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def text(num, value):
    """Field num as a length-delimited string (or bytes, or message)."""
    data = value.encode() if isinstance(value, str) else value
    return varint(num << 3 | 2) + varint(len(data)) + data


def number(num, value):
    """Field num as a varint."""
    return varint(num << 3) + varint(value)


def fields(data):
    """The (number, value) pairs of a message: bytes or int values."""
    i, out = 0, []
    while i < len(data):
        key, i = read_varint(data, i)
        num, wire = key >> 3, key & 7
        if wire == 0:
            value, i = read_varint(data, i)
        elif wire == 2:
            size, i = read_varint(data, i)
            value, i = data[i:i + size], i + size
        else:
            raise ValueError("unexpected wire type %d" % wire)
        out.append((num, value))
    return out


def read_varint(data, i):
    """A varint at data[i:]; returns it and the index after it."""
    shift = value = 0
    while True:
        b = data[i]
        i += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return value, i


def sandbox_config(name, uid, namespace):
    """A PodSandboxConfig: metadata, hostname, a port mapping (TCP, 80 on
    host port 8080) and an annotation (what the CRI hands to CNI plugins as
    capability arguments), default Linux settings."""
    meta = text(1, name) + text(2, uid) + text(3, namespace) + number(4, 0)
    port = number(1, 0) + number(2, 80) + number(3, 8080)
    annotation = text(1, "tinytaptunnel.test/pod") + text(2, name)
    linux = text(2, b"")  # LinuxSandboxSecurityContext, all defaults
    return (text(1, meta) + text(2, name) + text(5, port) +
            text(7, annotation) + text(8, linux))


def call(channel, method, request):
    """One unary call with raw bytes both ways."""
    stub = channel.unary_unary(SERVICE + method)
    return stub(request, timeout=60)


def main(argv):
    """Runs one command; returns the exit status."""
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    channel = grpc.insecure_channel("unix://" + argv[1])
    cmd, args = argv[2], argv[3:]
    try:
        if cmd == "version":
            reply = fields(call(channel, "Version", text(1, "v1")))
            print(" ".join(v.decode() for n, v in reply if n in (2, 3, 4)))
        elif cmd == "run" and len(args) in (3, 4):
            req = text(1, sandbox_config(*args[:3]))
            if len(args) == 4:
                req += text(2, args[3])
            reply = fields(call(channel, "RunPodSandbox", req))
            print(reply[0][1].decode())
        elif cmd == "stop" and len(args) == 1:
            call(channel, "StopPodSandbox", text(1, args[0]))
        elif cmd == "rm" and len(args) == 1:
            call(channel, "RemovePodSandbox", text(1, args[0]))
        else:
            sys.stderr.write(__doc__)
            return 2
    except grpc.RpcError as err:
        sys.stderr.write("%s: %s\n" % (err.code().name, err.details()))
        return 1
    finally:
        channel.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
