#!/bin/bash
# SPDX-License-Identifier: MIT
# test_discovery.sh - a worker without a peer address learns it from the
# first authenticated datagram and follows the peer when it moves.
. "$(dirname "$0")/lib.sh"
require_root

make_lan 2 || { not_ok "build the LAN"; done_testing; }
key_copy k

check "worker 1 starts without a peer" start_worker w1 h1 "$TMP/k" 198.18.0.1:9123
check "it says it will learn the peer" grep -q "learning the peer" "$TMP/w1.log"
tap_address h1 tap0 198.19.0.1/24
# Nothing is known yet: what the tap sends is dropped and counted.
on h1 ping -c 2 -i 0.2 -W 1 198.19.0.2 >/dev/null 2>&1
n=$(counter w1 tx_no_peer)
check "frames before any peer are dropped and counted (tx_no_peer=$n)" test "${n:-0}" -ge 1
check "and nothing was sent" counter_is w1 tx_frames 0

check "worker 2 starts with worker 1 as its peer" \
	start_worker w2 h2 "$TMP/k" 198.18.0.2:7001 198.18.0.1:9123
tap_address h2 tap0 198.19.0.2/24
check "ping 2 -> 1 (worker 1 learns worker 2)" pings h2 -c 3 -i 0.2 198.19.0.1
check "ping 1 -> 2 (answers go to the learnt peer)" pings h1 -c 3 -i 0.2 198.19.0.2
check "worker 1 logged its peer" grep -q "peer is now 198.18.0.2:7001" "$TMP/w1.log"
check "one peer change so far" counter_is w1 rx_peer_changes 1

# The peer restarts on another port: worker 1 follows it.
stop_worker w2
check "worker 2 restarts on port 7002" start_worker w2b h2 "$TMP/k" 198.18.0.2:7002 198.18.0.1:9123
tap_address h2 tap0 198.19.0.2/24
check "ping 2 -> 1 from the new port" pings h2 -c 3 -i 0.2 198.19.0.1
check "ping 1 -> 2 reaches the new port" pings h1 -c 3 -i 0.2 198.19.0.2
check "worker 1 followed it" grep -q "peer is now 198.18.0.2:7002" "$TMP/w1.log"
check "two peer changes" counter_is w1 rx_peer_changes 2

# A forged datagram from a third address must not move the peer.
on h2 "$PY" "$PEER_TOOL" send --key "$TMP/k" --to 198.18.0.1:9123 --bind 198.18.0.2:7003 --flip-mac
check "a forged datagram does not move the peer" counter_is w1 rx_peer_changes 2
check "ping still works" pings h1 -c 2 -i 0.2 198.19.0.2
done_testing
