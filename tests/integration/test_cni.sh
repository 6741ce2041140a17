#!/bin/bash
# SPDX-License-Identifier: MIT
# test_cni.sh - the CNI plugin driven as a runtime drives it: two hosts and a
# container on each, ADD on both, pings between the containers through the
# tunnel, CHECK, DEL and DEL again, and nothing left behind. Then results in
# every spec version, per-attachment overrides, STATUS and GC.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cni_lib.sh"
require_root

make_lan 2 || { not_ok "build the LAN"; done_testing; }
netns c1 && netns c2 && netns c3 || { not_ok "container namespaces"; done_testing; }
key_copy k

conf "$TMP/a.json" h1 198.18.0.1:9123 198.18.0.2:9123 \
	"$(host_local 198.19.0.0/24 198.19.0.10 198.19.0.10 h1 '[{"dst":"198.20.0.0/16"}]')" \
	'"mac":"02:00:00:00:00:01"'
conf "$TMP/b.json" h2 198.18.0.2:9123 198.18.0.1:9123 \
	"$(host_local 198.19.0.0/24 198.19.0.20 198.19.0.20 h2)"

check "VERSION lists 0.3.0 to 1.1.0" sh -c "echo '{\"cniVersion\":\"1.0.0\"}' |
	CNI_COMMAND=VERSION '$PLUGIN' | grep -q '\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\",\"1.1.0\"'"
check "ADD on host 1" cni_ok h1 ADD ctr-a c1 "$TMP/a.json"
cp "$TMP/out.json" "$TMP/a.result"
check "ADD on host 2" cni_ok h2 ADD ctr-b c2 "$TMP/b.json"
cp "$TMP/out.json" "$TMP/b.result"

check "result: interface net1 in the container's namespace" \
	test "$(json "$TMP/a.result" interfaces.0.sandbox)" = "/var/run/netns/$(ns c1)"
check "result: the configured MAC" test "$(json "$TMP/a.result" interfaces.0.mac)" = 02:00:00:00:00:01
check "result: the IPAM address, pointing at interface 0" \
	test "$(json "$TMP/a.result" ips.0.address)/$(json "$TMP/a.result" ips.0.interface)" = 198.19.0.10/24/0
check "result: cniVersion as asked" test "$(json "$TMP/a.result" cniVersion)" = 1.0.0
check "result: IPAM's route" test "$(json "$TMP/a.result" routes.0.dst)" = 198.20.0.0/16
check "inside: net1 with MTU 1418, the MAC, up" sh -c "ip -n $(ns c1) link show net1 |
	grep -q 'mtu 1418' && ip -n $(ns c1) link show net1 | grep -q 'link/ether 02:00:00:00:00:01' &&
	ip -n $(ns c1) link show net1 | grep -q ',UP'"
check "inside: the address" sh -c "ip -n $(ns c1) -4 addr show net1 | grep -q 198.19.0.10/24"
check "inside: the route via the IPAM gateway" \
	sh -c "ip -n $(ns c1) route show 198.20.0.0/16 | grep -q 'via 198.19.0.1 dev net1'"
check "no tap left in the host namespace" no_taps h1
pa=$(worker_pid h1 ctr-a)
check "a worker runs for the attachment (pid $pa)" kill -0 "$pa"
check "it is in its own session" test "$(ps -o sid= -p "$pa" | tr -d ' ')" = "$pa"
check "its stdout and stderr are not the runtime's" \
	sh -c "readlink /proc/$pa/fd/1 | grep -q null && readlink /proc/$pa/fd/2 | grep -q 'ctr-a:net1.log'"

check "container 1 pings container 2 through the tunnel" pings c1 -c 3 -i 0.2 198.19.0.20
check "container 2 pings container 1" pings c2 -c 3 -i 0.2 198.19.0.10
check "full-MTU ping between containers" pings c1 -c 2 -i 0.2 -M do -s 1390 198.19.0.20

$CNIJSON prev "$TMP/a.json" "$TMP/a.result" >"$TMP/a.check.json"
check "CHECK passes" cni_ok h1 CHECK ctr-a c1 "$TMP/a.check.json"
on c1 ip link set net1 mtu 1400
cni h1 CHECK ctr-a c1 "$TMP/a.check.json"
check "CHECK notices a changed MTU" cni_error 103 "MTU of net1 is 1400, expected 1418"
on c1 ip link set net1 mtu 1418
on c1 ip addr del 198.19.0.10/24 dev net1
cni h1 CHECK ctr-a c1 "$TMP/a.check.json"
check "CHECK notices a missing address" cni_error 103 "address 198.19.0.10/24 is missing"
on c1 ip addr add 198.19.0.10/24 dev net1
check "CHECK passes again" cni_ok h1 CHECK ctr-a c1 "$TMP/a.check.json"

$CNIJSON prev "$TMP/a.json" "$TMP/a.result" >"$TMP/a.del.json"
check "DEL" cni_ok h1 DEL ctr-a c1 "$TMP/a.del.json"
check "the worker is gone" wait_for 3 gone "$pa"
check "nothing is left on host 1" nothing_left h1 c1
check "DEL again succeeds" cni_ok h1 DEL ctr-a c1 "$TMP/a.del.json"
check "DEL without netns and prevResult (containerd's second DEL)" cni_ok h1 DEL ctr-a "" "$TMP/a.json"
check "DEL for a container never seen" cni_ok h1 DEL ctr-unknown c1 "$TMP/a.json"
check "CHECK after DEL fails" fails cni h1 CHECK ctr-a c1 "$TMP/a.check.json"
check "saying the attachment is unknown" cni_error 103 "no attachment of ctr-a:net1"

# The container's namespace vanishes before DEL.
check "ADD container 3" cni_ok h1 ADD ctr-c c3 "$TMP/a.json"
pc=$(worker_pid h1 ctr-c)
ip netns del "$(ns c3)"
check "its worker exits with the namespace" wait_for 3 gone "$pc"
check "DEL with the namespace gone" cni_ok h1 DEL ctr-c c3 "$TMP/a.json"
check "nothing left after it" nothing_left h1 ""
check "DEL on host 2" cni_ok h2 DEL ctr-b c2 "$TMP/b.json"
check "nothing left on host 2" nothing_left h2 c2
done_testing
