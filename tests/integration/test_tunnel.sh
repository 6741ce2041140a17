#!/bin/bash
# SPDX-License-Identifier: MIT
# test_tunnel.sh - two hosts, a worker on each, IPv4 underlay: pings both ways
# (also at full MTU with DF set), counters, and a clean SIGTERM.
. "$(dirname "$0")/lib.sh"
require_root

make_lan 2 || { not_ok "build the LAN"; done_testing; }
key_copy k

check "worker 1 starts" start_worker w1 h1 "$TMP/k" 198.18.0.1:9123 198.18.0.2:9123
check "worker 2 starts" start_worker w2 h2 "$TMP/k" 198.18.0.2:9123 198.18.0.1:9123
check "start line names the interface and MTU 1418" \
	grep -q "Created tunnel at interface tap0 with MTU 1418" "$TMP/w1.log"
check "tap has MTU 1418 and is up" \
	sh -c "ip -n $(ns h1) link show tap0 | grep -q 'mtu 1418.*state UNKNOWN\|UP.*mtu 1418'"
tap_address h1 tap0 198.19.0.1/24 2001:db8:1::1/64
tap_address h2 tap0 198.19.0.2/24 2001:db8:1::2/64

check "ping 1 -> 2" pings h1 -c 3 -i 0.2 198.19.0.2
check "ping 2 -> 1" pings h2 -c 3 -i 0.2 198.19.0.1
check "full-MTU ping 1 -> 2 (-M do -s 1390)" pings h1 -c 2 -i 0.2 -M do -s 1390 198.19.0.2
check "full-MTU ping 2 -> 1 (-M do -s 1390)" pings h2 -c 2 -i 0.2 -M do -s 1390 198.19.0.1
check "IPv6 inside the tunnel" pings h1 -c 2 -i 0.2 2001:db8:1::2
check "one byte over the MTU is refused locally" \
	sh -c "! ip netns exec $(ns h1) ping -c 1 -W 1 -M do -s 1391 198.19.0.2 >/dev/null 2>&1"

tx=$(counter w1 tx_frames)
rx=$(counter w2 rx_frames)
check "worker 1 sent frames (tx_frames=$tx)" test "${tx:-0}" -ge 9
check "worker 2 received them (rx_frames=$rx)" test "${rx:-0}" -ge 9
check "no drops on a clean link" counter_is w2 rx_bad_mac 0

check "worker 1 exits 0 on SIGTERM" stop_worker w1
check "worker 1 is gone" gone "$PID_w1"
check "its tap is gone" no_taps h1
check "worker 2 stops on SIGINT" sh -c "kill -INT $PID_w2"
check "worker 2 is gone" wait_for 3 gone "$PID_w2"
check "its tap is gone too" no_taps h2
check "final counters were logged" grep -q "stats: tx_frames=" "$TMP/w2.log"
done_testing
