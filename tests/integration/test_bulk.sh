#!/bin/bash
# SPDX-License-Identifier: MIT
# test_bulk.sh - bulk TCP through the tunnel arrives intact: the same bytes
# (SHA-256) on both ends, with TCP superframes segmented on the way in and
# segments coalesced on the way out (offload), against a worker without
# offload, and against the independent Python peer - in both directions,
# over IPv4 and IPv6 inside the tunnel.
. "$(dirname "$0")/lib.sh"
require_root

make_lan 2 || { not_ok "build the LAN"; done_testing; }
key_copy k

check "offload on both sides: workers start" start_worker w1 h1 "$TMP/k" 198.18.0.1:9123 198.18.0.2:9123
check "second worker" start_worker w2 h2 "$TMP/k" 198.18.0.2:9123 198.18.0.1:9123
tap_address h1 tap0 198.19.0.1/24 2001:db8:1::1/64
tap_address h2 tap0 198.19.0.2/24 2001:db8:1::2/64
transfer h1 h2 198.19.0.2:5001 30000000 "offload to offload, IPv4 inside"
transfer h2 h1 "[2001:db8:1::1]:5001" 30000000 "offload to offload, IPv6 inside, reverse"
n=$(counter w2 rx_frames)
check "superframes were segmented and coalesced (rx_frames=$n)" test "${n:-0}" -gt 20000
check "no malformed offload packets" counter_is w1 tx_malformed 0
check "no bad MACs" counter_is w1 rx_bad_mac 0
stop_worker w2

check "worker 2 without offload" start_worker w3 h2 --no-offload "$TMP/k" 198.18.0.2:9123 198.18.0.1:9123
tap_address h2 tap0 198.19.0.2/24 2001:db8:1::2/64
on h1 ip neigh flush dev tap0 # the new tap has a new MAC
transfer h1 h2 198.19.0.2:5002 20000000 "offload to plain"
transfer h2 h1 198.19.0.1:5002 20000000 "plain to offload"
stop_worker w3

start_bg py h2 "$PY" "$PEER_TOOL" tap --key "$TMP/k" --listen 198.18.0.2:9123 \
	--peer 198.18.0.1:9123 --ifname pytap0
check "independent peer on host 2" wait_for 5 grep -q "tap pytap0 up" "$TMP/py.log"
tap_address h2 pytap0 198.19.0.2/24
on h1 ip neigh flush dev tap0
transfer h1 h2 198.19.0.2:5003 5000000 "offload to the independent peer"
transfer h2 h1 198.19.0.1:5003 5000000 "the independent peer to offload"
done_testing
