#!/bin/bash
# SPDX-License-Identifier: MIT
# test_ipv6.sh - the same tunnel over an IPv6 underlay, and a dual-stack
# wildcard listener reached over IPv4. Without --mtu the tap's MTU comes from
# the path: 1398 over IPv6 at 1500 (48 bytes of IPv6 and UDP headers), 1418
# over IPv4.
. "$(dirname "$0")/lib.sh"
require_root

make_lan 2 || { not_ok "build the LAN"; done_testing; }
key_copy k

check "worker 1 on [2001:db8::1]" start_worker w1 h1 "$TMP/k" "[2001:db8::1]:9123" "[2001:db8::2]:9123"
check "worker 2 on [::] (wildcard)" start_worker w2 h2 "$TMP/k" "[::]:9123" "[2001:db8::1]:9123"
tap_address h1 tap0 198.19.0.1/24
tap_address h2 tap0 198.19.0.2/24
check "ping 1 -> 2 over IPv6" pings h1 -c 3 -i 0.2 198.19.0.2
check "ping 2 -> 1 over IPv6" pings h2 -c 3 -i 0.2 198.19.0.1
check "MTU 1398 from the IPv6 path, both sides" sh -c "grep -q 'Created tunnel at interface tap0 with MTU 1398' '$TMP/w1.log' &&
	grep -q 'Created tunnel at interface tap0 with MTU 1398' '$TMP/w2.log'"
check "the log says where it came from" grep -q "MTU 1398 from the path (route to \[2001:db8::2\]:9123: MTU 1500, IPv6)" "$TMP/w1.log"
check "full-MTU ping over IPv6 (-M do -s 1370)" pings h1 -c 2 -i 0.2 -M do -s 1370 198.19.0.2
check "the datagrams fit the path: none refused" counter_is w1 tx_gso_refused 0
check "no drops" counter_is w1 rx_bad_mac 0
stop_worker w1
stop_worker w2

# ":port" listens on IPv6 and IPv4 at once; an IPv4 peer works through it.
check "worker 1 on :9123 with an IPv4 peer" start_worker w3 h1 "$TMP/k" :9123 198.18.0.2:9123
check "worker 2 on 198.18.0.2" start_worker w4 h2 "$TMP/k" 198.18.0.2:9123 198.18.0.1:9123
tap_address h1 tap0 198.19.0.1/24
tap_address h2 tap0 198.19.0.2/24
check "dual-stack listener pings over IPv4" pings h1 -c 3 -i 0.2 198.19.0.2
check "an IPv4 peer through the dual-stack socket: MTU 1418" grep -q "Created tunnel at interface tap0 with MTU 1418" "$TMP/w3.log"
check "it takes the IPv4 peer's datagrams as its peer's" counter_is w3 rx_wrong_source 0
done_testing
