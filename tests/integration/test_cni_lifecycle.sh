#!/bin/bash
# SPDX-License-Identifier: MIT
# test_cni_lifecycle.sh - STATUS and GC (spec 1.1.0), and concurrent ADD/DEL
# of different containers sharing one network's state.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cni_lib.sh"
require_root

make_lan 1 || { not_ok "build the LAN"; done_testing; }
key_copy k
CNIVER=1.1.0
IPAM=$(host_local 198.19.0.0/24 198.19.0.10 198.19.0.200 h1)

conf "$TMP/s.json" h1 198.18.0.1:9123 198.18.0.2:9123 "$IPAM"
check "STATUS: ready" cni_ok h1 STATUS "" "" "$TMP/s.json"
$CNIJSON with "$TMP/s.json" "keyFile=\"$TMP/missing.key\"" >"$TMP/s2.json"
cni h1 STATUS "" "" "$TMP/s2.json"
check "STATUS: not available without the key file (code 50)" cni_error 50 "missing.key"
CNIVER=1.0.0 conf "$TMP/s3.json" h1 198.18.0.1:9123 198.18.0.2:9123
cni h1 STATUS "" "" "$TMP/s3.json"
check "STATUS needs cniVersion 1.1.0" cni_error 1 "STATUS needs cniVersion 1.1.0"

# GC: three attachments, the runtime still knows two of them.
for i in 1 2 3; do
	netns "g$i"
	conf "$TMP/g$i.json" h1 "198.18.0.1:920$i" 198.18.0.2:9123 "$IPAM"
	check "GC: ADD attachment $i" cni_ok h1 ADD "ctr-g$i" "g$i" "$TMP/g$i.json"
done
p2=$(worker_pid h1 ctr-g2)
check "GC: three records, three leases" test "$(records h1)/$(leases h1)" = 3/3
$CNIJSON with "$TMP/g1.json" \
	'cni.dev/valid-attachments=[{"containerID":"ctr-g1","ifname":"net1"},{"containerID":"ctr-g3","ifname":"net1"}]' \
	>"$TMP/gc.json"
check "GC" cni_ok h1 GC "" "" "$TMP/gc.json"
check "GC: the stale worker is gone" wait_for 3 gone "$p2"
check "GC: its tap is gone" no_taps g2
check "GC: two records, two leases left" test "$(records h1)/$(leases h1)" = 2/2
check "GC: the valid ones still run" kill -0 "$(worker_pid h1 ctr-g1)"
$CNIJSON with "$TMP/g1.json" 'cni.dev/valid-attachments=-' >"$TMP/gc-none.json"
cni h1 GC "" "" "$TMP/gc-none.json"
check "GC without the list of valid attachments is refused" cni_error 7 "valid-attachments"
check "GC: and removed nothing" test "$(records h1)" = 2
for i in 1 3; do cni_ok h1 DEL "ctr-g$i" "g$i" "$TMP/g$i.json"; done
check "GC: nothing left" nothing_left h1 ""

# Concurrency: 12 containers added and deleted at once, on one network.
N=12
for i in $(seq $N); do netns "p$i"; done
for i in $(seq $N); do
	conf "$TMP/p$i.json" h1 "198.18.0.1:$((9300 + i))" 198.18.0.2:9123 "$IPAM"
	( cni h1 ADD "ctr-p$i" "p$i" "$TMP/p$i.json" >/dev/null 2>&1; echo $? >"$TMP/p$i.add" ) &
done
wait
fails=$(cat "$TMP"/p*.add | grep -vc '^0$')
check "concurrent ADDs: all $N succeeded" test "$fails" = 0
check "concurrent ADDs: $N records, $N distinct leases" test "$(records h1)/$(leases h1)" = "$N/$N"
check "concurrent ADDs: every container has its interface" \
	sh -c "for i in \$(seq $N); do ip -n ttt-$RUN_ID-p\$i link show net1 >/dev/null || exit 1; done"
for i in $(seq $N); do
	( cni h1 DEL "ctr-p$i" "p$i" "$TMP/p$i.json" >/dev/null 2>&1; echo $? >"$TMP/p$i.del" ) &
done
wait
fails=$(cat "$TMP"/p*.del | grep -vc '^0$')
check "concurrent DELs: all $N succeeded" test "$fails" = 0
check "concurrent DELs: nothing left" nothing_left h1 ""
done_testing
