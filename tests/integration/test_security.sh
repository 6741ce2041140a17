#!/bin/bash
# SPDX-License-Identifier: MIT
# test_security.sh - what the receive side refuses, each case counted under
# its own reason: crafted datagrams from an independent sender, a wrong key,
# a third host, and a flood that must not flood the log.
. "$(dirname "$0")/lib.sh"
require_root

make_lan 3 || { not_ok "build the LAN"; done_testing; }
key_copy k
head -c 32 /dev/urandom | base64 >"$TMP/other.key"

# Worker 1 expects its peer at 198.18.0.2:9123, where the crafting tool sends from.
check "worker 1 starts" start_worker w1 h1 "$TMP/k" 198.18.0.1:9123 198.18.0.2:9123

# send_from HOST BIND NAME COUNTER DELTA [tool args...]: sends crafted
# datagrams from BIND on HOST and expects COUNTER of worker 1 to grow by
# exactly DELTA. send_case sends from the peer's own address.
send_from() {
	local host=$1 bind=$2 name=$3 key=$4 want=$5 before after
	shift 5
	before=$(counter w1 "$key")
	on "$host" "$PY" "$PEER_TOOL" send --key "$TMP/k" --to 198.18.0.1:9123 --bind "$bind" "$@"
	wait_for 3 counter_at_least w1 "$key" $((before + want))
	after=$(counter w1 "$key")
	check "$name: $key +$want (now $after)" test "$after" -eq $((before + want))
}
send_case() {
	send_from h2 198.18.0.2:9123 "$@"
}

send_case "valid 60-byte frame" rx_frames 1
send_case "empty datagram" rx_short 1 --raw-len 0
send_case "40-byte datagram" rx_short 1 --raw-len 40
send_case "1473-byte datagram (frame 1433)" rx_oversize 1 --frame-len 1433
send_case "1472-byte datagram (frame 1432)" rx_frames 1 --frame-len 1432
send_case "3.5 s old" rx_stale 1 --ts-offset -3.5
send_case "2.5 s old" rx_frames 1 --ts-offset -2.5
send_case "1 hour ahead" rx_future 1 --ts-offset 3600
send_case "100 years ahead" rx_future 1 --ts-offset 3155760000
send_case "timestamp 0" rx_stale 1 --ts 0
send_case "timestamp 2^63" rx_future 1 --ts 9223372036854775808
send_case "timestamp 2^64-1" rx_future 1 --ts 18446744073709551615
send_case "one MAC bit flipped" rx_bad_mac 1 --flip-mac
send_case "MAC over the frame only" rx_bad_mac 1 --mac-frame-only
send_case "exact replay: delivered once" rx_frames 1 --repeat 2 --frame-len 70
check "exact replay: the copy is dropped" counter_is w1 rx_replay 1
send_case "13-byte frame (runt)" rx_runt 1 --frame-len 13
check "the worker survives a runt" kill -0 "$PID_w1"
send_case "14-byte frame (Ethernet header only)" rx_frames 1 --frame-len 14
send_from h2 198.18.0.2:9999 "peer's IP, another port" rx_wrong_source 1
send_from h3 198.18.0.3:9123 "a third host" rx_wrong_source 1
check "nothing from elsewhere reached the tap" counter_is w1 rx_frames 5

# A flood of forged datagrams: all counted, the log stays short.
send_case "500 forged datagrams" rx_bad_mac 500 --flip-mac --count 500
lines=$(grep -c "dropped a" "$TMP/w1.log")
check "log lines about drops are rate-limited ($lines)" test "$lines" -le 10
check "the worker is still running" kill -0 "$PID_w1"

# A wrong key on one side passes nothing.
check "worker 2 starts with another key" \
	start_worker w2 h2 "$TMP/other.key" 198.18.0.2:9123 198.18.0.1:9123
tap_address h1 "$(tap_of w1)" 198.19.0.1/24
tap_address h2 "$(tap_of w2)" 198.19.0.2/24
check "no ping with mismatched keys" sh -c "! ip netns exec $(ns h1) ping -c 2 -i 0.2 -W 1 198.19.0.2 >/dev/null"
n=$(counter w2 rx_bad_mac)
check "worker 2 counts bad MACs ($n)" test "${n:-0}" -ge 2
check "and delivers nothing" counter_is w2 rx_frames 0
done_testing
