#!/bin/bash
# SPDX-License-Identifier: MIT
# test_inherit.sh - the worker on a tap and a socket it inherits, as the
# CNI plugin starts it: the tap opened in the host namespace and moved into
# a "container" namespace under another name before the worker runs.
. "$(dirname "$0")/lib.sh"
require_root

make_lan 2 || { not_ok "build the LAN"; done_testing; }
netns c1 || { not_ok "container namespace"; done_testing; }
key_copy k
SPAWN=$ROOT/tests/tools/spawn_with_fds.py

start_bg w1 h1 "$PY" "$SPAWN" --tap tmp-ttt0 --bind 198.18.0.1:9123 --move-to "$(ns c1)" \
	--rename net1 -- "$WORKER" --replay-state "$TMP/w1.replay" --tap-fd {tap} --socket-fd {sock} \
	"$TMP/k" 198.18.0.1:9123 \
	198.18.0.2:9123
check "worker on inherited descriptors starts" wait_for 5 grep -q "Created tunnel" "$TMP/w1.log"
check "it reports the tap's new name" grep -q "interface net1 " "$TMP/w1.log"
check "no tap left in the host namespace" no_taps h1
on c1 ip link set net1 mtu 1418 up
on c1 ip addr add 198.19.0.1/24 dev net1
check "peer worker starts" start_worker w2 h2 "$TMP/k" 198.18.0.2:9123 198.18.0.1:9123
tap_address h2 tap0 198.19.0.2/24
check "container -> peer ping" pings c1 -c 3 -i 0.2 198.19.0.2
check "peer -> container full-MTU ping" pings h2 -c 2 -i 0.2 -M do -s 1390 198.19.0.1
check "SIGTERM stops it" stop_worker w1
check "the tap went with it" no_taps c1

# The container's namespace is deleted under a running worker: the tap dies
# with it, and the worker must notice (the kernel does not wake its poll).
netns c2 || not_ok "second container namespace"
start_bg w4 h1 "$PY" "$SPAWN" --tap tmp-ttt2 --bind 198.18.0.1:9125 --move-to "$(ns c2)" \
	--rename net1 -- "$WORKER" --replay-state "$TMP/w4.replay" --tap-fd {tap} --socket-fd {sock} \
	"$TMP/k" 198.18.0.1:9125 \
	198.18.0.2:9123
check "worker for the second container starts" wait_for 5 grep -q "Created tunnel" "$TMP/w4.log"
on c2 ip link set net1 up
on c2 ip addr add 198.19.0.3/24 dev net1
on c2 ping -c 1 -W 1 198.19.0.2 >/dev/null 2>&1 # traffic, then quiet
sleep 1.5 # the worker now sleeps in poll()
ip netns del "$(ns c2)"
check "the worker exits within 3 s of its namespace going" wait_for 3 gone "$PID_w4"
wait "$PID_w4"
check "with status 1" test $? -eq 1
check "saying why" grep -q "tap device failed" "$TMP/w4.log"

start_bg w3 h1 "$PY" "$SPAWN" --tap tmp-ttt1 --bind 198.18.0.1:9124 -- \
	"$WORKER" --tap-fd {tap} --socket-fd {sock} "$TMP/k" 198.18.0.1:9999 198.18.0.2:9123
wait_for 5 gone "$PID_w3"
check "a socket bound elsewhere than the local address is refused" \
	grep -q "inherited socket is bound to 198.18.0.1:9124, not 198.18.0.1:9999" "$TMP/w3.log"
check "and its tap is gone" no_taps h1
done_testing
