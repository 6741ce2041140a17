#!/bin/bash
# SPDX-License-Identifier: MIT
# test_interop.sh - ttt-worker against an independent peer (tests/tools/
# tttpeer.py, written from the wire format with Python's standard library):
# traffic both ways through a real tap on each side, and the worker's
# datagrams checked field by field.
. "$(dirname "$0")/lib.sh"
require_root

make_lan 3 || { not_ok "build the LAN"; done_testing; }
key_copy k

check "ttt-worker on host 1" start_worker w1 h1 "$TMP/k" 198.18.0.1:9123 198.18.0.2:9123
start_bg py h2 "$PY" "$PEER_TOOL" tap --key "$TMP/k" --listen 198.18.0.2:9123 \
	--peer 198.18.0.1:9123 --ifname pytap0
check "independent peer on host 2" wait_for 5 grep -q "tap pytap0 up" "$TMP/py.log"
tap_address h1 tap0 198.19.0.1/24
tap_address h2 pytap0 198.19.0.2/24
check "ping worker -> independent peer" pings h1 -c 3 -i 0.2 198.19.0.2
check "ping independent peer -> worker" pings h2 -c 3 -i 0.2 198.19.0.1
check "full MTU both ways (1)" pings h1 -c 2 -i 0.2 -M do -s 1390 198.19.0.2
check "full MTU both ways (2)" pings h2 -c 2 -i 0.2 -M do -s 1390 198.19.0.1
check "the worker accepted every datagram" counter_is w1 rx_bad_mac 0
stop_worker w1

# The worker's datagrams, read by the independent receiver on host 3.
check "worker sending to host 3" start_worker w2 h1 "$TMP/k" 198.18.0.1:9124 198.18.0.3:9123
tap_address h1 tap0 198.19.0.1/24
start_bg rx h3 "$PY" "$PEER_TOOL" recv --key "$TMP/k" --listen 198.18.0.3:9123 --count 3 --timeout 5
sleep 0.3
on h1 ping -c 3 -i 0.2 -W 1 198.19.0.9 >/dev/null 2>&1 # ARP requests, unanswered
wait_for 5 gone "$PID_rx"
check "three datagrams received" test "$(grep -c '"verdict": "ok"' "$TMP/rx.log")" -eq 3
check "each is 40 bytes plus the frame" \
	"$PY" -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1])]; sys.exit(not all(x["len"]==40+x["frame_len"] for x in r))' "$TMP/rx.log"
check "timestamps are current (under 1 s old)" \
	"$PY" -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1])]; sys.exit(not all(0<=x["ts_age_ns"]<1e9 for x in r))' "$TMP/rx.log"
check "sent from the worker's port" grep -q '"src": "198.18.0.1:9124"' "$TMP/rx.log"
diag "$TMP/rx.log" | head -n 3
done_testing
