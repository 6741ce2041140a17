#!/bin/bash
# SPDX-License-Identifier: MIT
# test_cni_modes.sh - the plugin with a layer-2-only configuration (no IPAM),
# over an IPv6 underlay with IPv6 addresses in the containers, and with one
# side learning its peer (discovery).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cni_lib.sh"
require_root

make_lan 2 || { not_ok "build the LAN"; done_testing; }
netns c1 && netns c2 || { not_ok "container namespaces"; done_testing; }
key_copy k

# Layer 2 only: the interface comes up without any address.
conf "$TMP/a.json" h1 198.18.0.1:9123 198.18.0.2:9123
conf "$TMP/b.json" h2 198.18.0.2:9123 198.18.0.1:9123
check "L2: ADD on host 1" cni_ok h1 ADD ctr-a c1 "$TMP/a.json"
check "L2: the result has no IPs" test "$(json "$TMP/out.json" ips)" = "[]"
$CNIJSON prev "$TMP/a.json" "$TMP/out.json" >"$TMP/a.check.json"
check "L2: ADD on host 2" cni_ok h2 ADD ctr-b c2 "$TMP/b.json"
check "L2: net1 is up" sh -c "ip -n $(ns c1) link show net1 | grep -q ',UP'"
check "L2: no IPv4 address" test -z "$(ip -n "$(ns c1)" -4 addr show net1)"
on c1 ip addr add 198.19.1.1/24 dev net1
on c2 ip addr add 198.19.1.2/24 dev net1
check "L2: frames cross once the containers bring their own addresses" pings c1 -c 3 -i 0.2 198.19.1.2
check "L2: CHECK" cni_ok h1 CHECK ctr-a c1 "$TMP/a.check.json"
check "L2: DEL host 1" cni_ok h1 DEL ctr-a c1 "$TMP/a.json"
check "L2: DEL again" cni_ok h1 DEL ctr-a c1 "$TMP/a.json"
check "L2: DEL host 2" cni_ok h2 DEL ctr-b c2 "$TMP/b.json"
check "L2: nothing left on host 1" nothing_left h1 c1
check "L2: nothing left on host 2" nothing_left h2 c2

# IPv6 underlay and IPv6 addresses from host-local. Host 1 has no "mtu": it
# takes 1398 from the path (the 40-byte IPv6 header), as host 2 is told; host
# 2 sends keepalives.
CNIVER=1.1.0 conf "$TMP/a6.json" h1 "[2001:db8::1]:9123" "[2001:db8::2]:9123" \
	"$(host_local 2001:db8:ff::/64 2001:db8:ff::10 2001:db8:ff::10 h1)"
conf "$TMP/b6.json" h2 "[2001:db8::2]:9123" "[2001:db8::1]:9123" \
	"$(host_local 2001:db8:ff::/64 2001:db8:ff::20 2001:db8:ff::20 h2)" '"mtu":1398,"keepalive":1'
check "IPv6: ADD on host 1" cni_ok h1 ADD ctr-a c1 "$TMP/a6.json"
check "IPv6: the result's address" test "$(json "$TMP/out.json" ips.0.address)" = 2001:db8:ff::10/64
check "IPv6: the result reports the MTU taken from the path, 1398" \
	test "$(json "$TMP/out.json" interfaces.0.mtu)" = 1398
check "IPv6: net1 has it" sh -c "ip -n $(ns c1) link show net1 | grep -q 'mtu 1398'"
check "IPv6: the worker was told it" \
	sh -c "tr '\0' ' ' </proc/$(worker_pid h1 ctr-a)/cmdline | grep -q -- '--mtu 1398 '"
$CNIJSON prev "$TMP/a6.json" "$TMP/out.json" >"$TMP/a6.check.json"
check "IPv6: ADD on host 2" cni_ok h2 ADD ctr-b c2 "$TMP/b6.json"
check "IPv6: the address is no longer tentative" \
	sh -c "! ip -n $(ns c1) addr show net1 | grep -q tentative"
check "IPv6: ping6 between containers" pings c1 -c 3 -i 0.2 2001:db8:ff::20
check "IPv6: full-size ping6 (MTU 1398)" pings c2 -c 2 -i 0.2 -M do -s 1350 2001:db8:ff::10
check "IPv6: CHECK (against the MTU ADD chose)" cni_ok h1 CHECK ctr-a c1 "$TMP/a6.check.json"
on c1 ip link set net1 mtu 1418
cni h1 CHECK ctr-a c1 "$TMP/a6.check.json"
check "IPv6: CHECK notices a changed MTU" cni_error 103 "MTU of net1 is 1418, expected 1398"
on c1 ip link set net1 mtu 1398
check "IPv6: host 2's worker sends keepalives" \
	sh -c "tr '\0' ' ' </proc/$(worker_pid h2 ctr-b)/cmdline | grep -q -- '--keepalive 1 '"
# stats_keepalive: SIGUSR1 to host 1's supervisor (passed to its worker),
# then whether the latest statistics count a keepalive.
stats_keepalive() {
	kill -USR1 "$(worker_pid h1 ctr-a)" && sleep 0.3 &&
		grep 'stats:' "$TMP/state-h1/$NET/ctr-a:net1.log" | tail -n 1 | grep -q "rx_keepalive=[1-9]"
}
check "IPv6: host 1's worker counts them" wait_for 5 stats_keepalive
check "IPv6: DEL host 1" cni_ok h1 DEL ctr-a c1 "$TMP/a6.json"
check "IPv6: DEL again" cni_ok h1 DEL ctr-a c1 "$TMP/a6.json"
check "IPv6: DEL host 2" cni_ok h2 DEL ctr-b c2 "$TMP/b6.json"
check "IPv6: nothing left on host 1" nothing_left h1 c1
check "IPv6: nothing left on host 2" nothing_left h2 c2

# Discovery: host 1 has no peer and learns host 2's address from its traffic.
conf "$TMP/ad.json" h1 198.18.0.1:9123 "" "$(host_local 198.19.0.0/24 198.19.0.10 198.19.0.10 h1)"
conf "$TMP/bd.json" h2 198.18.0.2:9555 198.18.0.1:9123 \
	"$(host_local 198.19.0.0/24 198.19.0.20 198.19.0.20 h2)"
check "discovery: ADD without a peer" cni_ok h1 ADD ctr-a c1 "$TMP/ad.json"
pa=$(worker_pid h1 ctr-a)
check "discovery: its worker has no peer argument" \
	sh -c "tr '\0' ' ' </proc/$pa/cmdline | grep -q '198.18.0.1:9123 \$'"
check "discovery: ADD on host 2" cni_ok h2 ADD ctr-b c2 "$TMP/bd.json"
check "discovery: container 2 reaches container 1" pings c2 -c 3 -i 0.2 198.19.0.10
check "discovery: and the reverse" pings c1 -c 3 -i 0.2 198.19.0.20
check "discovery: the worker learnt 198.18.0.2:9555" \
	grep -q "peer is now 198.18.0.2:9555" "$TMP/state-h1/$NET/ctr-a:net1.log"
check "discovery: DEL host 1" cni_ok h1 DEL ctr-a c1 "$TMP/ad.json"
check "discovery: DEL host 2" cni_ok h2 DEL ctr-b c2 "$TMP/bd.json"
check "discovery: nothing left" nothing_left h1 c1
done_testing
