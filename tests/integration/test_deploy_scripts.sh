#!/bin/bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2317,SC1091 # helpers run indirectly (through check and wait_for); lib.sh is followed with -x
# test_deploy_scripts.sh - the helper scripts in deploy/scripts: for each
# pair (l2_bridge, l3_nat, l3_proxy_arp) a peer A reaches a host C on the
# LAN behind B through the tunnel once "up" has run on B, and after "down" B
# is exactly as it was (links, addresses, routes, nftables ruleset, sysctls)
# and the traffic stops. Also: argument checks, refusals that change
# nothing, rollback of a failed "up", and nftables tables of others left
# alone.
#
#   h1 (A) ==tunnel== h2 (B) --lan0/eth0-- c1 (C)    l2_bridge
#   h3 (A) ==tunnel== h4 (B) --lan0/eth0-- c2 (C)    l3_nat
#   h5 (A) ==tunnel== h6 (B) --lan0/eth0-- c3 (C)    l3_proxy_arp
#   v: argument checks and failures, without a tunnel
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
require_root

SCRIPTS=$ROOT/deploy/scripts
export TTT_SCRIPTS_STATE_DIR=$TMP/state
STATUS=0

if ! command -v nft >/dev/null 2>&1; then
	not_ok "nft (nftables) is installed"
	done_testing
fi

# --- helpers -------------------------------------------------------------------

# lan_behind B C: a veth between B (lan0) and a new namespace C (eth0), up.
lan_behind() {
	netns "$2" || return 1
	ip link add name lan0 netns "$(ns "$1")" type veth peer name eth0 netns "$(ns "$2")" || return 1
	on "$1" ip link set dev lan0 up && on "$2" ip link set dev eth0 up
}

# script HOST NAME ARGS...: runs deploy/scripts/NAME in HOST; stdout in
# $TMP/out, stderr in $TMP/err, exit status in STATUS.
script() {
	local host=$1 name=$2
	shift 2
	on "$host" "$SCRIPTS/$name" "$@" >"$TMP/out" 2>"$TMP/err"
	STATUS=$?
}

# succeeds HOST NAME ARGS...
succeeds() {
	script "$@"
	[ "$STATUS" = 0 ] && return 0
	echo "# exit status $STATUS; stderr:"
	diag "$TMP/err"
	return 1
}

# refused STATUS TEXT HOST NAME ARGS...: exits with STATUS, TEXT on stderr.
refused() {
	local want=$1 text=$2
	shift 2
	script "$@"
	[ "$STATUS" = "$want" ] && grep -qF -- "$text" "$TMP/err" && return 0
	echo "# exit status $STATUS (expected $want); stderr:"
	diag "$TMP/err"
	return 1
}

# usage_refused TEXT HOST NAME ARGS...: status 2, TEXT and the usage on
# stderr, nothing on stdout.
usage_refused() {
	refused 2 "$@" && grep -q '^Usage: ' "$TMP/err" && [ ! -s "$TMP/out" ]
}

# says TEXT: the last run printed TEXT on stdout.
says() {
	grep -qF -- "$1" "$TMP/out" || {
		diag "$TMP/out"
		return 1
	}
}

# helps SCRIPT: -h prints the usage on stdout, nothing on stderr, status 0.
helps() {
	succeeds v "$1" -h && grep -qE "^Usage: $1( |\$)" "$TMP/out" && [ ! -s "$TMP/err" ]
}

# noop HOST SCRIPT ARGS...: status 0, "nothing to do".
noop() {
	succeeds "$@" && says "nothing to do"
}

# already HOST SCRIPT ARGS...: status 0, "already up".
already() {
	succeeds "$@" && says "already up"
}

# snapshot HOST FILE: what the scripts may change in HOST, without counters
# and the values of bridge timers.
snapshot() {
	on "$1" sh -c '
		ip -d link show; echo
		ip addr show; echo
		ip -4 route show table all; ip -6 route show table all; echo
		nft -s list ruleset; echo
		sysctl -a 2>/dev/null |
			grep -E "^net\.ipv4\.(ip_forward|conf\.)|^net\.ipv6\.conf\.[^.]+\.forwarding "
	' 2>&1 | sed -E 's/(_timer) +[0-9.]+/\1/g' >"$2"
}

settled() { ! on "$1" ip addr show | grep -q tentative; }

# take HOST FILE: a snapshot once IPv6 DAD is over.
take() {
	wait_for 5 settled "$1"
	snapshot "$1" "$2"
}

snapshot_is() {
	snapshot "$1" "$TMP/snap.now" && cmp -s "$2" "$TMP/snap.now"
}

# unchanged HOST FILE: HOST's snapshot is FILE again (within 5 s, for
# operational states to settle); shows the difference when not.
unchanged() {
	wait_for 5 snapshot_is "$1" "$2" && return 0
	diff "$2" "$TMP/snap.now" >"$TMP/snap.diff"
	diag "$TMP/snap.diff"
	return 1
}

# other_table HOST: someone else's nftables table, with a rule and a counter.
other_table() {
	on "$1" nft add table inet other &&
		on "$1" nft add chain inet other c '{ type filter hook forward priority 0; policy accept; }' &&
		on "$1" nft add rule inet other c counter &&
		on "$1" nft -s list table inet other >"$TMP/other.$1"
}

other_intact() {
	on "$1" nft -s list table inet other | cmp -s - "$TMP/other.$1" || return 1
	[ ! -e "$TMP/nat.$1" ] || on "$1" nft -s list table ip nat | cmp -s - "$TMP/nat.$1"
}

# tables_are HOST TABLE...: exactly these nftables tables, in this order.
tables_are() {
	local host=$1 want
	shift
	want=$(printf 'table %s\n' "$@")
	[ "$(on "$host" nft list tables)" = "$want" ]
}

mac_of() {
	on "$1" ip -o link show dev "$2" | sed -n 's/.* link\/ether \([0-9a-f:]*\) .*/\1/p'
}

# neigh_is HOST DEV ADDRESS MAC: HOST reaches ADDRESS on DEV at MAC.
neigh_is() {
	on "$1" ip neigh show "$3" dev "$2" | grep -q "lladdr $4 "
}

reach() { on "$1" ping -c 1 -W 1 "$2" >/dev/null 2>&1; }

unreachable() { ! on "$1" ping -q -c 2 -i 0.3 -W 1 "$2" >/dev/null 2>&1; }

# packets HOST FAMILY TABLE CHAIN TEXT: the counter of the first rule with TEXT.
packets() {
	on "$1" nft list chain "$2" "$3" "$4" | grep -F -- "$5" |
		sed -n 's/.*counter packets \([0-9]*\) .*/\1/p' | head -n 1
}

at_least() { [ "${1:-0}" -ge "$2" ]; }

# sysctl_is HOST NAME VALUE [NAME VALUE]...
sysctl_is() {
	local host=$1
	shift
	while [ $# -ge 2 ]; do
		[ "$(on "$host" sysctl -n "$1")" = "$2" ] || return 1
		shift 2
	done
}

# ports_of HOST BRIDGE: its ports' names, sorted, on one line.
ports_of() {
	ip -n "$(ns "$1")" -o link show master "$2" | cut -d' ' -f2 | sed 's/[:@].*//' | sort | tr '\n' ' '
}

no_link() { ! ip -n "$(ns "$1")" link show dev "$2" >/dev/null 2>&1; }

# oper_up HOST DEV: its operational state is UP.
oper_up() { ip -n "$(ns "$1")" link show dev "$2" | grep -q 'state UP'; }

# start_pair I J: workers on hI and hJ (tap0 each), each the other's peer.
start_pair() {
	start_worker "w$1" "h$1" --ifname tap0 "$TMP/k" "198.18.0.$1:9123" "198.18.0.$2:9123" &&
		start_worker "w$2" "h$2" --ifname tap0 "$TMP/k" "198.18.0.$2:9123" "198.18.0.$1:9123"
}

no_state() { [ -z "$(find "$TTT_SCRIPTS_STATE_DIR" -name '*.state' 2>/dev/null)" ]; }

state_of() { # HOST SCRIPT [BRIDGE]: the state file of SCRIPT in HOST
	local id
	id=$(on "$1" readlink /proc/self/ns/net)
	id=${id#*[}
	echo "$TTT_SCRIPTS_STATE_DIR/$2${3:+.$3}.net${id%]}.state"
}

# --- the hosts -----------------------------------------------------------------

make_lan 6 || {
	not_ok "build the LAN"
	done_testing
}
key_copy k
check "workers on h1 and h2 start" start_pair 1 2
check "workers on h3 and h4 start" start_pair 3 4
check "workers on h5 and h6 start" start_pair 5 6
lan_behind h2 c1 || not_ok "LAN between h2 and c1"
lan_behind h4 c2 || not_ok "LAN between h4 and c2"
lan_behind h6 c3 || not_ok "LAN between h6 and c3"

# --- arguments, refusals, rollback (namespace v) -------------------------------

netns v || not_ok "namespace v"
ip link add name tapv netns "$(ns v)" type veth peer name tapv-p netns "$(ns v)"
ip link add name lanv netns "$(ns v)" type veth peer name lanv-p netns "$(ns v)"
ip -n "$(ns v)" link add name brx type bridge
for d in tapv tapv-p lanv lanv-p brx; do
	ip -n "$(ns v)" link set dev "$d" up
done
ip -n "$(ns v)" addr add 198.19.9.2/24 dev lanv
other_table v || not_ok "other table in v"
take v "$TMP/v.before"

for s in l2_bridge_up l2_bridge_down l3_nat_up l3_nat_down l3_proxy_arp_up l3_proxy_arp_down; do
	check "$s -h: usage on stdout, status 0" helps "$s"
done
check "l2_bridge_up without arguments: status 2 and usage" \
	usage_refused "expected 2 or 3 arguments, got 0" v l2_bridge_up
check "l3_nat_up without arguments: status 2 and usage" \
	usage_refused "expected 2 arguments, got 0" v l3_nat_up
check "l3_proxy_arp_up without arguments: status 2 and usage" \
	usage_refused "expected 3 arguments, got 0" v l3_proxy_arp_up
check "l3_proxy_arp_up with 2 arguments: status 2" \
	usage_refused "expected 3 arguments, got 2" v l3_proxy_arp_up tapv lanv
check "l2_bridge_down with 2 arguments: status 2" \
	usage_refused "expected at most 1 argument, got 2" v l2_bridge_down a b
check "l3_nat_down with an argument: status 2" \
	usage_refused "expected no arguments, got 1" v l3_nat_down tapv
check "l3_proxy_arp_down with an argument: status 2" \
	usage_refused "expected no arguments, got 1" v l3_proxy_arp_down tapv
check "an unknown option: status 2" \
	usage_refused "unknown option '--frobnicate'" v l3_nat_up --frobnicate tapv lanv
check "l2_bridge_up, unknown interface: status 2, named" \
	usage_refused "lan interface 'nosuch0': no such interface" v l2_bridge_up tapv nosuch0
check "l3_nat_up, unknown interface: status 2, named" \
	usage_refused "tap 'nosuch0': no such interface" v l3_nat_up nosuch0 lanv
check "l3_proxy_arp_up, unknown interface: status 2, named" \
	usage_refused "lan interface 'nosuch0': no such interface" v l3_proxy_arp_up tapv nosuch0 198.19.9.50
check "an interface name with a slash: status 2" \
	usage_refused "tap 'ta/pv' is not a valid interface name" v l3_nat_up ta/pv lanv
check "an interface name with a quote: status 2" \
	usage_refused "outbound interface 'la\"nv' is not a valid interface name" v l3_nat_up tapv 'la"nv'
check "a 16-character interface name: status 2" \
	usage_refused "is not a valid interface name" v l3_proxy_arp_up tapv abcdefghijklmnop 198.19.9.50
check "a bad bridge name: status 2" \
	usage_refused "bridge name 'br:0' is not a valid interface name" v l2_bridge_up tapv lanv br:0
check "a bridge named like a port: status 2" \
	usage_refused "bridge name 'lanv' is one of the ports" v l2_bridge_up tapv lanv lanv
check "the same interface twice: status 2" \
	usage_refused "are the same interface 'lanv'" v l3_nat_up lanv lanv
check "a non-Ethernet port (lo): status 2" \
	usage_refused "lan interface 'lo' is not an Ethernet interface" v l2_bridge_up tapv lo
for a in 198.19.9.256 198.19.9 198.19.9.5.1 abc 198.19.09.5 198.19.9.5/24 ""; do
	check "peer address '$a': status 2, named" \
		usage_refused "peer address '$a' is not an IPv4 address" v l3_proxy_arp_up tapv lanv "$a"
done
for a in 224.0.0.1 127.0.0.1 0.0.0.0 255.255.255.255; do
	check "peer address '$a' (not unicast): status 2" \
		usage_refused "peer address '$a' is not a unicast host address" v l3_proxy_arp_up tapv lanv "$a"
done
check "peer address of this host: status 2" \
	usage_refused "peer address '198.19.9.2' is an address of this host" v l3_proxy_arp_up tapv lanv 198.19.9.2
check "down without up: l2_bridge_down does nothing, status 0" noop v l2_bridge_down
check "down without up: l3_nat_down does nothing, status 0" noop v l3_nat_down
check "down without up: l3_proxy_arp_down does nothing, status 0" noop v l3_proxy_arp_down
check "l2_bridge_up refuses a bridge name that exists (status 1)" \
	refused 1 "an interface named brx exists already and l2_bridge_up did not create it" \
	v l2_bridge_up tapv lanv brx
check "l2_bridge_down refuses to delete a bridge it did not create (status 1)" \
	refused 1 "brx was not created by l2_bridge_up" v l2_bridge_down brx
check "l2_bridge_up, a port that cannot be bridged: status 1" \
	refused 1 "cannot add brx to tttbr0" v l2_bridge_up tapv brx
check "... and it undid its bridge" no_link v tttbr0
ip -n "$(ns v)" route add 198.19.9.60/32 dev lanv
check "l3_proxy_arp_up refuses a route to the peer that is not via the tap (status 1)" \
	refused 1 "a route to 198.19.9.60/32 exists already and not via tapv" \
	v l3_proxy_arp_up tapv lanv 198.19.9.60
ip -n "$(ns v)" route del 198.19.9.60/32 dev lanv
on v nft add table ip tinytaptunnel_nat
check "l3_nat_up refuses an unrecorded table of its name (status 1)" \
	refused 1 "table ip tinytaptunnel_nat exists but" v l3_nat_up tapv lanv
on v nft delete table ip tinytaptunnel_nat
check "l2_bridge_up tapv lanv in v: status 0" succeeds v l2_bridge_up tapv lanv
check "... warning that lanv's addresses are not moved" grep -q "lanv has addresses" "$TMP/err"
ip -n "$(ns v)" link set dev tapv nomaster # as when a restarted worker's tap comes back
check "l2_bridge_up again puts a port that left back on the bridge" \
	already v l2_bridge_up tapv lanv
check "... tapv and lanv are its ports" test "$(ports_of v tttbr0)" = "lanv tapv "
ip link add name extra netns "$(ns v)" type veth peer name extra-p netns "$(ns v)"
ip -n "$(ns v)" link set dev extra master tttbr0
take v "$TMP/v.extra"
check "l2_bridge_down refuses a bridge with a port it did not add (status 1)" \
	refused 1 "tttbr0 has ports that l2_bridge_up did not add: extra" v l2_bridge_down
check "... and changes nothing" unchanged v "$TMP/v.extra"
ip -n "$(ns v)" link del dev extra
check "l2_bridge_down in v: status 0" succeeds v l2_bridge_down
check "nothing of the above changed v" unchanged v "$TMP/v.before"
ip -n "$(ns v)" link set dev tapv down
take v "$TMP/v.tapdown"
check "l3_proxy_arp_up failing at its last step (tap down): status 1" \
	refused 1 "cannot add the route 198.19.9.50/32 dev tapv" v l3_proxy_arp_up tapv lanv 198.19.9.50
check "... and it undid table, proxy_arp and ip_forward" unchanged v "$TMP/v.tapdown"
ip -n "$(ns v)" link set dev tapv up
check "no state file is left by refusals and failures" no_state
check "the other table in v is intact" other_intact v

# The kernel gives a dead namespace's inode number to a new one: a record
# left by an earlier namespace that had v's inode (another cookie) must not
# be obeyed - it says the bridge is up for other ports.
take v "$TMP/v.stale"
stale=$(state_of v l2_bridge tttbr9)
mkdir -p "$TTT_SCRIPTS_STATE_DIR"
id=$(on v readlink /proc/self/ns/net)
id=${id#*[}
printf '# written by l2_bridge_up\nnetns %s 12345\nargs tapx lanx\nbridge tttbr9 99\n' "${id%]}" >"$stale"
check "a record of an earlier namespace with v's inode is not obeyed: up works" \
	succeeds v l2_bridge_up tapv lanv tttbr9
check "... saying why it set the record aside" \
	grep -q "belongs to an earlier network namespace with the same inode (netns ${id%]} 12345" "$TMP/err"
check "... the new record names v's inode and cookie" grep -Eq "^netns ${id%]} [0-9]+$" "$stale"
check "... and the cookie is v's own, not the stale one" sh -c "! grep -q '^netns ${id%]} 12345$' '$stale'"
check "down undoes it" succeeds v l2_bridge_down tttbr9
printf '# written by l3_nat_up\nnetns %s 12345\nargs tapx lanx\nsysctl net/ipv4/ip_forward 1 0\n' "${id%]}" \
	>"$(state_of v l3_nat)"
on v sysctl -q -w net.ipv4.ip_forward=0
check "a stale record is not restored by down either" succeeds v l3_nat_down
check "... ip_forward left as it is (0), not set to the record's 1" \
	test "$(on v sysctl -n net.ipv4.ip_forward)" = 0
check "nothing of this changed v" unchanged v "$TMP/v.stale"
check "and no state file is left" no_state

# --- layer 2 bridge: h1 -> h2 (bridge tap0 + lan0) -> c1 ----------------------

tap_address h1 tap0 198.19.1.50/24 2001:db8:1::50/64
on c1 ip addr add 198.19.1.3/24 dev eth0
on c1 ip addr add 2001:db8:1::3/64 dev eth0 nodad
other_table h2 || not_ok "other table in h2"
check "l2: before up, A cannot reach C" unreachable h1 198.19.1.3
take h2 "$TMP/h2.before"

check "l2_bridge_up tap0 lan0: status 0" succeeds h2 l2_bridge_up tap0 lan0
check "bridge tttbr0 exists, with STP off" \
	sh -c "ip -n $(ns h2) -d link show dev tttbr0 | grep -q ' bridge .* stp_state 0 '"
check "tap0 and lan0 are its ports, nothing else" test "$(ports_of h2 tttbr0)" = "lan0 tap0 "
check "the bridge comes up" wait_for 5 oper_up h2 tttbr0
check "its state file is written" test -s "$(state_of h2 l2_bridge tttbr0)"
wait_for 10 reach h1 198.19.1.3
check "l2: A pings C through the bridge" pings h1 -c 3 -i 0.2 198.19.1.3
check "l2: C sees A's own MAC (layer 2, not routed)" \
	neigh_is c1 eth0 198.19.1.50 "$(mac_of h1 tap0)"
check "l2: IPv6 too (neighbour discovery across the bridge)" pings h1 -c 2 -i 0.2 2001:db8:1::3
check "l2: the other table is intact after up" other_intact h2
take h2 "$TMP/h2.up"
check "l2_bridge_up again: status 0, says already up" already h2 l2_bridge_up tap0 lan0
check "... and changes nothing" unchanged h2 "$TMP/h2.up"
check "l2_bridge_up with another bridge name: refused, ports taken (status 1)" \
	refused 1 "tap0 is already a port of tttbr0" h2 l2_bridge_up tap0 lan0 tttbr1
check "l2_bridge_down: status 0" succeeds h2 l2_bridge_down
check "l2: after down, h2 is as before up (links, addresses, routes, ruleset, sysctls)" \
	unchanged h2 "$TMP/h2.before"
check "l2: the other table is intact after down" other_intact h2
check "l2: the state file is gone" test ! -e "$(state_of h2 l2_bridge tttbr0)"
on h1 ip neigh flush dev tap0
check "l2: after down, A cannot reach C" unreachable h1 198.19.1.3
check "l2_bridge_down again: nothing to do, status 0" noop h2 l2_bridge_down
check "... and changes nothing" unchanged h2 "$TMP/h2.before"

# --- layer 3 NAT: h3 -> h4 (masquerade out of lan0) -> c2 -----------------------

tap_address h3 tap0 198.19.2.1/24
tap_address h4 tap0 198.19.2.2/24
on h3 ip route add 198.19.3.0/24 via 198.19.2.2 dev tap0
on h4 ip addr add 198.19.3.2/24 dev lan0
on c2 ip addr add 198.19.3.3/24 dev eth0 # and no route back to 198.19.2.0/24
# C counts the echo requests it gets, by source.
on c2 nft -f - <<EOF
table ip seen {
	chain input {
		type filter hook input priority 0; policy accept;
		ip saddr 198.19.3.2 icmp type echo-request counter
		ip saddr 198.19.2.1 icmp type echo-request counter
	}
}
EOF
# A hardened host: no forwarding, no ICMP redirects accepted (writing
# ip_forward changes accept_redirects too: down must put it back).
on h4 sysctl -q -w net.ipv4.ip_forward=0 net.ipv4.conf.all.accept_redirects=0
other_table h4 || not_ok "other table in h4"
on h4 nft add table ip nat
on h4 nft add chain ip nat POSTROUTING '{ type nat hook postrouting priority srcnat; policy accept; }'
on h4 nft add rule ip nat POSTROUTING oifname "lan0" ip daddr 198.19.3.99 counter
on h4 nft -s list table ip nat >"$TMP/nat.h4"
check "nat: before up, A cannot reach C" unreachable h3 198.19.3.3
take h4 "$TMP/h4.before"

check "l3_nat_up tap0 lan0: status 0" succeeds h4 l3_nat_up tap0 lan0
check "nat: net.ipv4.ip_forward is 1" sysctl_is h4 net.ipv4.ip_forward 1
check "nat: its own table beside the others, nothing else" \
	tables_are h4 "inet other" "ip nat" "ip tinytaptunnel_nat"
check "nat: one masquerade rule, for tap0 -> lan0" \
	test "$(on h4 nft list table ip tinytaptunnel_nat | grep -c 'iifname "tap0" oifname "lan0" counter packets [0-9]* bytes [0-9]* masquerade')" = 1
check "nat: the state file records ip_forward 0 -> 1" \
	grep -q '^sysctl net/ipv4/ip_forward 0 1$' "$(state_of h4 l3_nat)"
wait_for 10 reach h3 198.19.3.3
check "nat: A pings C (C has no route back: only masquerading answers)" \
	pings h3 -c 3 -i 0.2 198.19.3.3
check "nat: C saw the echo requests from B's LAN address" \
	at_least "$(packets c2 ip seen input 'ip saddr 198.19.3.2 ')" 3
check "nat: and none from A's own address" \
	test "$(packets c2 ip seen input 'ip saddr 198.19.2.1 ')" = 0
check "nat: the masquerade rule counted them" \
	at_least "$(packets h4 ip tinytaptunnel_nat postrouting masquerade)" 1
check "nat: the other tables are intact after up" other_intact h4
take h4 "$TMP/h4.up"
check "l3_nat_up again: status 0, says already up" already h4 l3_nat_up tap0 lan0
check "... and no rule is duplicated (ruleset, sysctls unchanged)" unchanged h4 "$TMP/h4.up"
check "l3_nat_up with other interfaces while up: refused (status 1)" \
	refused 1 "already up for other interfaces (tap0 lan0)" h4 l3_nat_up tap0 lo
check "l3_nat_down in another namespace (h6) does nothing there" noop h6 l3_nat_down
check "... and leaves h4's table alone" unchanged h4 "$TMP/h4.up"
check "l3_nat_down: status 0" succeeds h4 l3_nat_down
check "nat: after down, h4 is as before up (ip_forward 0, accept_redirects 0, ruleset, ...)" \
	unchanged h4 "$TMP/h4.before"
check "nat: the other tables are intact after down" other_intact h4
check "nat: the state file is gone" test ! -e "$(state_of h4 l3_nat)"
check "nat: after down, A cannot reach C" unreachable h3 198.19.3.3
check "l3_nat_down again: nothing to do, status 0" noop h4 l3_nat_down

# --- proxy ARP: h5 (198.19.4.50, in C's subnet) -> h6 -> c3 ------------------

tap_address h5 tap0 198.19.4.50/24
on h6 ip addr add 198.19.4.2/24 dev lan0
on c3 ip addr add 198.19.4.3/24 dev eth0
# A host that forwards already: ip_forward must stay 1 after down.
on h6 sysctl -q -w net.ipv4.ip_forward=1
other_table h6 || not_ok "other table in h6"
check "proxy: before up, A cannot reach C" unreachable h5 198.19.4.3
take h6 "$TMP/h6.before"

check "l3_proxy_arp_up tap0 lan0 198.19.4.50: status 0" \
	succeeds h6 l3_proxy_arp_up tap0 lan0 198.19.4.50
check "proxy: route 198.19.4.50 dev tap0 proto static" \
	test -n "$(on h6 ip -4 route show exact 198.19.4.50/32 dev tap0 proto static)"
check "proxy: proxy_arp is 1 on tap0 and lan0" \
	sysctl_is h6 net.ipv4.conf.tap0.proxy_arp 1 net.ipv4.conf.lan0.proxy_arp 1
check "proxy: ip_forward was 1 already: still 1, and not recorded" \
	sh -c "[ \"\$(ip netns exec $(ns h6) sysctl -n net.ipv4.ip_forward)\" = 1 ] &&
		! grep -q ip_forward '$(state_of h6 l3_proxy_arp)'"
check "proxy: its own table beside the other, nothing else" \
	tables_are h6 "inet other" "ip tinytaptunnel_proxy_arp"
wait_for 10 reach h5 198.19.4.3
check "proxy: A pings C" pings h5 -c 3 -i 0.2 198.19.4.3
check "proxy: C pings A" pings c3 -c 3 -i 0.2 198.19.4.50
check "proxy: C reaches A at B's LAN MAC (B answered ARP for A)" \
	neigh_is c3 eth0 198.19.4.50 "$(mac_of h6 lan0)"
check "proxy: A reaches C at B's tap MAC (B answered ARP for C)" \
	neigh_is h5 tap0 198.19.4.3 "$(mac_of h6 tap0)"
check "proxy: its counters saw the peer's packets" \
	at_least "$(packets h6 ip tinytaptunnel_proxy_arp forward 'ip saddr 198.19.4.50 ')" 3
check "proxy: the other table is intact after up" other_intact h6
take h6 "$TMP/h6.up"
check "l3_proxy_arp_up again: status 0, says already up" already h6 l3_proxy_arp_up tap0 lan0 198.19.4.50
check "... and changes nothing" unchanged h6 "$TMP/h6.up"
check "l3_proxy_arp_up for another peer while up: refused (status 1)" \
	refused 1 "already up for other arguments" h6 l3_proxy_arp_up tap0 lan0 198.19.4.51
check "l3_proxy_arp_down: status 0" succeeds h6 l3_proxy_arp_down
check "proxy: after down, h6 is as before up (route, proxy_arp, ip_forward 1, ruleset)" \
	unchanged h6 "$TMP/h6.before"
check "proxy: the other table is intact after down" other_intact h6
check "proxy: the state file is gone" test ! -e "$(state_of h6 l3_proxy_arp)"
on h5 ip neigh flush dev tap0
on c3 ip neigh flush dev eth0
check "proxy: after down, A cannot reach C" unreachable h5 198.19.4.3
check "proxy: nor C A" unreachable c3 198.19.4.50
check "l3_proxy_arp_down again: nothing to do, status 0" noop h6 l3_proxy_arp_down

check "no state file is left" no_state
done_testing
