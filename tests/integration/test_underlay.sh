#!/bin/bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2154,SC2015,SC2317 # PID_<name> is set by start_bg; A && B || fail is meant; helpers run through check
# test_underlay.sh - the tunnel over underlays that real deployments have,
# with default options (no --mtu): checksummed TCP transfers arrive intact
# both ways, and the independent v1.4 peer (tests/tools/tttpeer.py, MTU
# 1418 as v1.4 has) interoperates, over
#   - an IPv4 veth with MTU 1400 on both ends (the tap takes 1318 from it),
#   - an IPv6 veth at 1500 (the tap takes 1398: IPv6's header is 20 bytes
#     longer),
#   - two routers with a 1400-byte link between them, the workers' own links
#     at 1500 (the tap takes 1418; the path refuses full-size datagrams, and
#     ICMP "fragmentation needed" / "packet too big" tells the sender's
#     kernel), over IPv4 and over IPv6.
# Before path MTUs were handled, each of these stalled: a UDP GSO send larger
# than the path fails with EMSGSIZE, and the whole batch was dropped.
# Transfer rates are printed as comments, never asserted.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
require_root

BYTES=${UNDERLAY_BYTES:-20000000}
export TCPXFER_TIMING=$TMP/seconds

# xfer FROM TO DEST NAME [BYTES]: a checksummed transfer (30 s at most), its
# rate printed as a comment.
xfer() {
	local bytes=${5:-$BYTES}
	rm -f "$TMP/seconds"
	transfer "$1" "$2" "$3" "$bytes" "$4" 30
	if [ -s "$TMP/seconds" ]; then
		awk -v b="$bytes" -v n="$4" '{ printf "# %s: %.0f Mbit/s\n", n, b * 8 / $1 / 1e6 }' "$TMP/seconds"
	fi
}

# pair NAME_A HOST_A LOCAL_A PEER_A NAME_B HOST_B LOCAL_B PEER_B: a worker on
# each side with default options, taps 198.19.0.1/24 and 198.19.0.2/24.
pair() {
	start_worker "$1" "$2" "$TMP/k" "$3" "$4" &&
		start_worker "$5" "$6" "$TMP/k" "$7" "$8" &&
		tap_address "$2" tap0 198.19.0.1/24 2001:db8:f::1/64 &&
		tap_address "$6" tap0 198.19.0.2/24 2001:db8:f::2/64
}

# py_peer HOST LISTEN PEER: the independent peer as v1.4 (MTU 1418).
py_peer() {
	start_bg py "$1" "$PY" "$PEER_TOOL" tap --key "$TMP/k" --listen "$2" --peer "$3" \
		--ifname pytap0 &&
		wait_for 5 grep -q "tap pytap0 up" "$TMP/py.log" &&
		tap_address "$1" pytap0 198.19.0.2/24
}

stop_py() {
	kill -TERM "$PID_py" 2>/dev/null
	wait "$PID_py" 2>/dev/null
}

key_copy k

# --- an IPv4 path of 1400 bytes ----------------------------------------------

netns a && netns b || { not_ok "namespaces"; done_testing; }
ip link add eth0 netns "$(ns a)" type veth peer name eth0 netns "$(ns b)"
for h in a b; do
	ip -n "$(ns $h)" link set eth0 mtu 1400 up
done
ip -n "$(ns a)" addr add 198.18.6.1/24 dev eth0
ip -n "$(ns b)" addr add 198.18.6.2/24 dev eth0
ip -n "$(ns a)" addr add 2001:db8:6::1/64 dev eth0 nodad
ip -n "$(ns b)" addr add 2001:db8:6::2/64 dev eth0 nodad

check "1400-byte IPv4 path: workers start" pair w1 a 198.18.6.1:9123 198.18.6.2:9123 \
	w2 b 198.18.6.2:9123 198.18.6.1:9123
check "the taps take MTU 1318 from the path (1400 - 28 - 14 - 40)" sh -c "grep -q 'with MTU 1318' '$TMP/w1.log' && grep -q 'with MTU 1318' '$TMP/w2.log'"
xfer a b 198.19.0.2:5001 "1400-byte IPv4 path, TCP a -> b"
xfer b a 198.19.0.1:5002 "1400-byte IPv4 path, TCP b -> a"
check "every datagram fit: nothing refused" counter_is w1 tx_send_error 0
check "no GSO run refused" counter_is w1 tx_gso_refused 0
stop_worker w2

check "the v1.4 peer (MTU 1418) across the 1400-byte path" py_peer b 198.18.6.2:9123 198.18.6.1:9123
on a ip neigh flush dev tap0
check "ping the v1.4 peer" pings a -c 3 -i 0.2 198.19.0.2
check "its full-size frames (1472-byte datagrams, fragmented) arrive" pings b -c 2 -i 0.2 -s 1390 198.19.0.1
xfer a b 198.19.0.2:5003 "1400-byte IPv4 path, TCP to the v1.4 peer" 5000000
xfer b a 198.19.0.1:5004 "1400-byte IPv4 path, TCP from the v1.4 peer" 5000000
stop_py
stop_worker w1

# --- an IPv6 path of 1500 bytes ----------------------------------------------

for h in a b; do
	ip -n "$(ns $h)" link set eth0 mtu 1500
done
check "IPv6 path: workers start" pair w3 a "[2001:db8:6::1]:9123" "[2001:db8:6::2]:9123" \
	w4 b "[2001:db8:6::2]:9123" "[2001:db8:6::1]:9123"
check "the taps take MTU 1398 (1500 - 48 - 14 - 40)" sh -c "grep -q 'with MTU 1398' '$TMP/w3.log' && grep -q 'with MTU 1398' '$TMP/w4.log'"
xfer a b 198.19.0.2:5011 "IPv6 underlay, TCP a -> b"
xfer b a "[2001:db8:f::1]:5012" "IPv6 underlay, TCP b -> a (IPv6 inside)"
check "no GSO run refused" counter_is w3 tx_gso_refused 0
stop_worker w4

check "the v1.4 peer over IPv6" py_peer b "[2001:db8:6::2]:9123" "[2001:db8:6::1]:9123"
on a ip neigh flush dev tap0
check "ping the v1.4 peer over IPv6" pings a -c 3 -i 0.2 198.19.0.2
check "its full-size frames arrive (fragmented over IPv6)" pings b -c 2 -i 0.2 -s 1390 198.19.0.1
xfer a b 198.19.0.2:5013 "IPv6 underlay, TCP to the v1.4 peer" 5000000
xfer b a 198.19.0.1:5014 "IPv6 underlay, TCP from the v1.4 peer" 5000000
stop_py
stop_worker w3

# --- a 1400-byte link between two routers ------------------------------------
#   c (eth0 1500) -- r1 -- (1400) -- r2 -- (eth0 1500) d

netns c && netns r1 && netns r2 && netns d || { not_ok "router namespaces"; done_testing; }
ip link add eth0 netns "$(ns c)" type veth peer name lan netns "$(ns r1)"
ip link add mid netns "$(ns r1)" type veth peer name mid netns "$(ns r2)"
ip link add eth0 netns "$(ns d)" type veth peer name lan netns "$(ns r2)"
ip -n "$(ns r1)" link set dev mid mtu 1400
ip -n "$(ns r2)" link set dev mid mtu 1400
ip -n "$(ns c)" addr add 198.18.7.1/24 dev eth0
ip -n "$(ns c)" addr add 2001:db8:7::1/64 dev eth0 nodad
ip -n "$(ns r1)" addr add 198.18.7.254/24 dev lan
ip -n "$(ns r1)" addr add 2001:db8:7::fe/64 dev lan nodad
ip -n "$(ns r1)" addr add 198.18.8.1/24 dev mid
ip -n "$(ns r1)" addr add 2001:db8:8::1/64 dev mid nodad
ip -n "$(ns r2)" addr add 198.18.8.2/24 dev mid
ip -n "$(ns r2)" addr add 2001:db8:8::2/64 dev mid nodad
ip -n "$(ns r2)" addr add 198.18.9.254/24 dev lan
ip -n "$(ns r2)" addr add 2001:db8:9::fe/64 dev lan nodad
ip -n "$(ns d)" addr add 198.18.9.1/24 dev eth0
ip -n "$(ns d)" addr add 2001:db8:9::1/64 dev eth0 nodad
for h in c r1 r2 d; do
	for i in $(ip -n "$(ns $h)" -o link show | sed -n 's/^[0-9]*: \([a-z0-9]*\)[@:].*/\1/p'); do
		ip -n "$(ns $h)" link set dev "$i" up
	done
done
for r in r1 r2; do # forwarding in the routers' namespaces only
	on "$r" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
done
ip -n "$(ns c)" route add default via 198.18.7.254
ip -n "$(ns c)" -6 route add default via 2001:db8:7::fe
ip -n "$(ns d)" route add default via 198.18.9.254
ip -n "$(ns d)" -6 route add default via 2001:db8:9::fe
ip -n "$(ns r1)" route add 198.18.9.0/24 via 198.18.8.2
ip -n "$(ns r1)" -6 route add 2001:db8:9::/64 via 2001:db8:8::2
ip -n "$(ns r2)" route add 198.18.7.0/24 via 198.18.8.1
ip -n "$(ns r2)" -6 route add 2001:db8:7::/64 via 2001:db8:8::1
reach() { on "$1" ping -q -c 1 -W 1 "$2" >/dev/null 2>&1; }
check "routed underlay: c reaches d" wait_for 5 reach c 198.18.9.1
check "routed underlay: c reaches d over IPv6" wait_for 5 reach c 2001:db8:9::1

check "router hop: workers start" pair w5 c 198.18.7.1:9123 198.18.9.1:9123 \
	w6 d 198.18.9.1:9123 198.18.7.1:9123
check "their own links say 1500: MTU 1418" sh -c "grep -q 'with MTU 1418' '$TMP/w5.log' && grep -q 'with MTU 1418' '$TMP/w6.log'"
# A full-size frame goes as one 1472-byte datagram with DF: r1 (or r2) drops
# it and answers "fragmentation needed", which teaches the sender's kernel
# the path MTU; the next ones are fragmented on the way out. (GSO runs carry
# no DF, and routers fragment them - until the kernel knows the path MTU,
# when it refuses them.)
check "full-size frames pass c -> d once the path MTU is known" pings c -c 4 -i 0.2 -M "do" -s 1390 198.19.0.2
check "and d -> c" pings d -c 4 -i 0.2 -M "do" -s 1390 198.19.0.1
xfer c d 198.19.0.2:5021 "router hop (1400), TCP c -> d"
xfer d c 198.19.0.1:5022 "router hop (1400), TCP d -> c"
for w in w5 w6; do
	check "$w: the path refused full-size GSO runs (counted)" counter_at_least $w tx_gso_refused 1
	check "$w: TCP superframes were cut to fit the path" counter_at_least $w tx_resegmented 100
	check "$w: it says so once" test "$(grep -c 'takes datagrams of at most 1372 bytes (path MTU 1400)' "$TMP/$w.log")" = 1
	check "$w: no datagram lost to a refused send" counter_is $w tx_send_error 0
done
stop_worker w5
stop_worker w6

check "router hop over IPv6: workers start" pair w7 c "[2001:db8:7::1]:9123" "[2001:db8:9::1]:9123" \
	w8 d "[2001:db8:9::1]:9123" "[2001:db8:7::1]:9123"
check "full-size frames pass over IPv6 once the path MTU is known" pings c -c 4 -i 0.2 -M "do" -s 1370 198.19.0.2
xfer c d 198.19.0.2:5031 "router hop (1400) over IPv6, TCP c -> d"
xfer d c "[2001:db8:f::1]:5032" "router hop (1400) over IPv6, TCP d -> c (IPv6 inside)"
for w in w7 w8; do
	check "$w: the path (packet too big) limited GSO runs" test "$(grep -c 'takes datagrams of at most 1352 bytes (path MTU 1400)' "$TMP/$w.log")" = 1
done
check "no datagram lost to a refused send" counter_is w7 tx_send_error 0
done_testing
