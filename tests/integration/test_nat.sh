#!/bin/bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2154,SC2015,SC2317 # PID_<name> is set by start_bg; A && B || fail is meant; helpers run through check
# test_nat.sh - a NAT between the peers, and the keepalive.
#
#   a: eth0 198.18.10.1 --- m: in 198.18.10.254 | out 198.18.11.254 --- b: eth0 198.18.11.1
#
# m forwards and masquerades a's UDP to a port in 20000-20999 (nftables,
# its own table, in m's namespace only; UDP mappings time out after 2 s of
# silence). Worker A has the explicit peer b and --keepalive 1; worker B
# learns its peer (discovery).
#   - B learns the translated address from A's keepalive alone;
#   - when the translation changes (the table re-created with the range
#     21000-21999, m's conntrack table flushed), B follows;
#   - with the keepalive, the mapping outlives 5 s of silence, so b can still
#     reach a; without it, it expires and b cannot (the control);
#   - B counts keepalives (rx_keepalive) and none reaches its tap;
#   - the independent v1.4 peer (tttpeer.py) takes keepalives without harm:
#     it writes them to its tap, which is in a bridge, and the bridge does not
#     forward them, while ordinary frames pass.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
require_root

CTFLUSH=$ROOT/tests/tools/ctflush.py
SNIFF=$ROOT/tests/tools/sniff.py

# nat_table LOW HIGH: m's table, masquerading a's UDP to ports LOW-HIGH.
nat_table() {
	on m nft delete table ip ttt_nat 2>/dev/null
	printf '%s\n' "table ip ttt_nat {" " chain post {" \
		"  type nat hook postrouting priority srcnat;" \
		"  ip saddr 198.18.10.0/24 oifname \"out\" meta l4proto udp masquerade to :$1-$2" \
		" }" "}" | on m nft -f -
}

# learnt NAME RANGE_PREFIX: worker NAME's latest peer is m with a port
# starting with RANGE_PREFIX (e.g. 20: 20000-20999).
learnt() {
	grep 'peer is now' "$TMP/$1.log" | tail -n 1 | grep -q "peer is now 198\.18\.11\.254:$2[0-9][0-9][0-9]\$"
}

# sniff NAME HOST IFNAME SECONDS: counts frames IFNAME receives (background).
sniff() {
	start_bg "$1" "$2" "$PY" "$SNIFF" "$3" "$4"
	wait_for 3 grep -q listening "$TMP/$1.log"
}

# sniff_done NAME: waits (in this shell) for sniffer NAME to print its counts.
sniff_done() {
	local pid_var=PID_$1
	wait "${!pid_var}" 2>/dev/null
}

# sniffed NAME KEY: KEY (frames, keepalive) from sniffer NAME's result.
sniffed() {
	tr ' ' '\n' <"$TMP/$1.log" | sed -n "s/^$2=//p"
}

reach() { on "$1" ping -q -c 1 -W 1 "$2" >/dev/null 2>&1; }
quiet() { "$@" >/dev/null 2>&1; }

netns a && netns m && netns b || { not_ok "namespaces"; done_testing; }
ip link add eth0 netns "$(ns a)" type veth peer name in netns "$(ns m)"
ip link add eth0 netns "$(ns b)" type veth peer name out netns "$(ns m)"
ip -n "$(ns a)" addr add 198.18.10.1/24 dev eth0
ip -n "$(ns m)" addr add 198.18.10.254/24 dev in
ip -n "$(ns m)" addr add 198.18.11.254/24 dev out
ip -n "$(ns b)" addr add 198.18.11.1/24 dev eth0
ip -n "$(ns a)" link set dev eth0 up
ip -n "$(ns b)" link set dev eth0 up
ip -n "$(ns m)" link set dev in up
ip -n "$(ns m)" link set dev out up
ip -n "$(ns a)" route add default via 198.18.10.254
# No route from b back to a: b reaches a only through the translation.
# IPv6 off on the new taps, so nothing but what the test sends crosses them.
for h in a b; do
	on $h sysctl -qw net.ipv6.conf.default.disable_ipv6=1
done
on m sysctl -qw net.ipv4.ip_forward=1
check "NAT table in m" nat_table 20000 20999
on m sysctl -qw net.netfilter.nf_conntrack_udp_timeout=2 net.netfilter.nf_conntrack_udp_timeout_stream=2
key_copy k

# --- discovery through NAT, the keepalive --------------------------------

check "worker A behind the NAT, explicit peer, --keepalive 1" \
	start_worker wa a --keepalive 1 "$TMP/k" 198.18.10.1:9123 198.18.11.1:9123
check "worker B, discovery" start_worker wb b "$TMP/k" 198.18.11.1:9123
tap_address a tap0 198.19.0.1/24
tap_address b tap0 198.19.0.2/24
check "B learns A's translated address from the keepalive alone" wait_for 5 learnt wb 20
check "A sent keepalives" counter_at_least wa tx_keepalive 1
check "b reaches a through the NAT" pings b -c 2 -i 0.2 198.19.0.1
check "B counted keepalives" counter_at_least wb rx_keepalive 1
before=$(counter wb rx_keepalive)
sniff tapb b tap0 3
sniff_done tapb
after_sniff=$(sniffed tapb keepalive)
after=$(counter wb rx_keepalive)
check "B took $((after - before)) keepalives in 3 s and wrote none to its tap (sniffed: $after_sniff)" \
	test "$((after - before))" -ge 2 -a "$after_sniff" = 0

nat_table 21000 21999
check "the translation changes: m's conntrack flushed" on m "$PY" "$CTFLUSH"
check "B follows A to its new mapping (next keepalive)" wait_for 5 learnt wb 21
check "b reaches a over the new mapping" wait_for 5 reach b 198.19.0.1
check "B's peer changed twice (learnt, then moved)" counter_is wb rx_peer_changes 2
sleep 5
check "after 5 s of silence (mappings last 2 s), the keepalive kept it: b reaches a" \
	pings b -c 2 -i 0.2 198.19.0.1
check "B's peer did not move" counter_is wb rx_peer_changes 2
check "no bad MAC at B" counter_is wb rx_bad_mac 0
check "no replay at B" counter_is wb rx_replay 0
stop_worker wa

check "worker A without keepalive" start_worker wa2 a "$TMP/k" 198.18.10.1:9123 198.18.11.1:9123
tap_address a tap0 198.19.0.1/24
on b ip neigh flush dev tap0
check "a reaches b (a mapping, and B follows it)" pings a -c 2 -i 0.2 198.19.0.2
sleep 5
check "control: without keepalive the idle mapping expires, b cannot reach a" \
	fails quiet on b ping -q -c 2 -i 0.5 -W 1 198.19.0.1
check "A sent no keepalive" counter_is wa2 tx_keepalive 0
stop_worker wa2
stop_worker wb

# --- the v1.4 peer and keepalives ----------------------------------------
# tttpeer in b (as v1.4: it writes every authentic frame of 14 bytes or more
# to its tap), its tap in a bridge with a veth to host x (198.19.0.3); our
# worker in m sends it keepalives every second.

netns x || { not_ok "namespace x"; done_testing; }
on m sysctl -qw net.ipv6.conf.default.disable_ipv6=1 # a quiet tap: keepalives are due
ip link add eth0 netns "$(ns x)" type veth peer name lan netns "$(ns b)"
ip -n "$(ns x)" addr add 198.19.0.3/24 dev eth0
ip -n "$(ns x)" link set dev eth0 up
ip -n "$(ns b)" link add br0 type bridge
ip -n "$(ns b)" link set dev lan master br0 up
ip -n "$(ns b)" link set dev br0 up
start_bg py b "$PY" "$PEER_TOOL" tap --key "$TMP/k" --listen 198.18.11.1:9200 \
	--peer 198.18.11.254:9200 --ifname pytap0
check "the v1.4 peer runs" wait_for 5 grep -q "tap pytap0 up" "$TMP/py.log"
ip -n "$(ns b)" link set dev pytap0 master br0
check "our worker in m, --keepalive 1, to the v1.4 peer" \
	start_worker wm m --keepalive 1 "$TMP/k" 198.18.11.254:9200 198.18.11.1:9200
tap_address m tap0 198.19.0.1/24
check "ordinary frames cross the v1.4 peer and its bridge" wait_for 5 reach m 198.19.0.3
sniff tappy b pytap0 5
sniff lanx x eth0 5
sniff_done tappy
sniff_done lanx
k_tap=$(sniffed tappy keepalive)
k_x=$(sniffed lanx keepalive)
check "the v1.4 peer wrote the keepalives to its tap ($k_tap in 5 s)" test "${k_tap:-0}" -ge 2
check "the bridge forwarded none of them ($k_x reached x)" test "${k_x:-1}" = 0
check "the v1.4 peer is still running" kill -0 "$PID_py"
check "and still carries traffic" pings m -c 2 -i 0.2 198.19.0.3
check "our worker counted no send error" counter_is wm tx_send_error 0
done_testing
