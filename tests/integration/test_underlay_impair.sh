#!/bin/bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2317,SC2154 # helpers run through check; PID_<name> is set by start_bg
# test_underlay_impair.sh - two workers with default options (no --mtu)
# through the impairing relay (tests/tools/impair.c), over an IPv6 underlay
# at 1500 bytes and over an IPv4 one whose links are all 1400 bytes:
#   - a checksummed TCP transfer each way arrives intact under 2 % loss,
#     10 % reordering and 2 % duplication; the receiver counts replays, no
#     more than the relay duplicated;
#   - pings under 10 % corruption one way, 10 % truncation the other and
#     20 % reordering: the books balance exactly. Every datagram the relay
#     forwarded is either a frame written to the tap or a drop under its
#     reason: each corrupted one a bad MAC, each truncated one short or a bad
#     MAC, no reordered one a replay - so none of the damaged ones reached
#     the tap.
# Both stalled before path MTUs were handled (every full-size GSO run was
# refused). Rates are printed as comments, never asserted.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/relay_lib.sh
. "$(dirname "$0")/relay_lib.sh"
require_root

relay_topology || { not_ok "build the A-M-B topology"; done_testing; }
key_copy k
export TCPXFER_TIMING=$TMP/seconds

# eq A B: A equals B (says so when not).
eq() {
	[ "$1" = "$2" ] || {
		echo "# '$1' is not '$2'"
		return 1
	}
}

st() { relay_final "$1" "$2"; }

# xfer FROM TO DEST NAME BYTES: a checksummed transfer (60 s at most), its
# rate printed as a comment.
xfer() {
	rm -f "$TMP/seconds"
	transfer "$1" "$2" "$3" "$5" "$4" 60
	if [ -s "$TMP/seconds" ]; then
		awk -v b="$5" -v n="$4" '{ printf "# %s: %.0f Mbit/s\n", n, b * 8 / $1 / 1e6 }' "$TMP/seconds"
	fi
}

# rx_sum NAME: what worker NAME made of what it received: frames written to
# the tap plus every drop reason.
rx_sum() {
	local sum=0 k v line
	kill -USR1 "$(eval echo "\$PID_$1")"
	sleep 0.3
	line=$(grep 'stats:' "$TMP/$1.log" | tail -n 1)
	for k in frames short oversize wrong_source bad_mac stale future runt replay keepalive; do
		v=$(tr ' ' '\n' <<<"$line" | sed -n "s/^rx_$k=//p")
		sum=$((sum + ${v:-0}))
	done
	echo "$sum"
}

# underlay LABEL WA WB LISTEN_A PEER_A LISTEN_B PEER_B RELAY_ADDRS...
underlay() {
	local label=$1 wa=$2 wb=$3 la=$4 pa=$5 lb=$6 pb=$7
	shift 7
	local relay=("$@") rep_a rep_b dup_ab dup_ba bad_b short_a bad_a sum_a sum_b
	local c t fwd_ab fwd_ba

	check "$label: workers with default options" start_worker "$wa" a "$TMP/k" "$la" "$pa"
	check "$label: second worker" start_worker "$wb" b "$TMP/k" "$lb" "$pb"
	tap_address a tap0 198.19.0.1/24
	tap_address b tap0 198.19.0.2/24
	echo "# $label: $(grep -h 'MTU .* from the path' "$TMP/$wa.log")"

	rep_a=$(counter "$wa" rx_replay) rep_b=$(counter "$wb" rx_replay)
	check "$label: relay with 2 % loss, 10 % reordering, 2 % duplication" \
		start_relay "${wa}_lossy" "${relay[@]}" --loss 0.02 --reorder 0.1 --dup 0.02 --seed 5
	xfer a b 198.19.0.2:5001 "$label, lossy relay, TCP a -> b" 8000000
	xfer b a 198.19.0.1:5002 "$label, lossy relay, TCP b -> a" 8000000
	check "$label: relay exits with status 0" stop_relay "${wa}_lossy"
	sleep 0.5 # what the relay sent last is read by the workers
	dup_ab=$(st "${wa}_lossy" ab_duplicated) dup_ba=$(st "${wa}_lossy" ba_duplicated)
	rep_b=$(($(counter "$wb" rx_replay) - rep_b)) rep_a=$(($(counter "$wa" rx_replay) - rep_a))
	echo "# $label, lossy relay: a -> b dropped $(st "${wa}_lossy" ab_dropped)," \
		"duplicated $dup_ab, reordered $(st "${wa}_lossy" ab_reordered); b counted $rep_b replays;" \
		"b -> a duplicated $dup_ba; a counted $rep_a replays"
	check "$label: duplicates counted as replays at b ($rep_b, at most $dup_ab)" \
		test "$rep_b" -ge 1 -a "$rep_b" -le "$dup_ab"
	check "$label: ... and at a ($rep_a, at most $dup_ba)" \
		test "$rep_a" -ge 1 -a "$rep_a" -le "$dup_ba"
	check "$label: no datagram refused by the path" counter_is "$wa" tx_send_error 0

	sum_a=$(rx_sum "$wa") sum_b=$(rx_sum "$wb")
	bad_b=$(counter "$wb" rx_bad_mac) bad_a=$(counter "$wa" rx_bad_mac) short_a=$(counter "$wa" rx_short)
	rep_a=$(counter "$wa" rx_replay) rep_b=$(counter "$wb" rx_replay)
	check "$label: relay corrupting 10 % a -> b, truncating 10 % b -> a, reordering 20 %" \
		start_relay "${wa}_bad" "${relay[@]}" --corrupt ab:0.1 --truncate ba:0.1 --reorder 0.2 --seed 9
	on a ping -q -c 300 -i 0.01 -W 1 -w 20 198.19.0.2 >"$TMP/ping.out" 2>&1
	check "$label: relay exits with status 0" stop_relay "${wa}_bad"
	sleep 0.5
	c=$(st "${wa}_bad" ab_corrupted) t=$(st "${wa}_bad" ba_truncated)
	fwd_ab=$(st "${wa}_bad" ab_forwarded) fwd_ba=$(st "${wa}_bad" ba_forwarded)
	echo "# $label, damaging relay: $(sed -n 's/.*received, \(.*loss\).*/\1/p' "$TMP/ping.out");" \
		"corrupted $c, truncated $t, reordered $(st "${wa}_bad" ab_reordered)+$(st "${wa}_bad" ba_reordered)"
	check "$label: b counted every corrupted datagram as a bad MAC ($c)" \
		eq "$(($(counter "$wb" rx_bad_mac) - bad_b))" "$c"
	check "$label: a counted every truncated one as short or a bad MAC ($t)" \
		eq "$(($(counter "$wa" rx_short) - short_a + $(counter "$wa" rx_bad_mac) - bad_a))" "$t"
	check "$label: some were reordered" test "$(st "${wa}_bad" ab_reordered)" -ge 1
	check "$label: no reordered datagram counted as a replay by b" \
		eq "$(($(counter "$wb" rx_replay) - rep_b))" 0
	check "$label: ... nor by a" eq "$(($(counter "$wa" rx_replay) - rep_a))" 0
	check "$label: b's books balance: $fwd_ab forwarded = frames to the tap + drops" \
		eq "$(($(rx_sum "$wb") - sum_b))" "$fwd_ab"
	check "$label: a's books balance: $fwd_ba forwarded = frames to the tap + drops" \
		eq "$(($(rx_sum "$wa") - sum_a))" "$fwd_ba"
	check "$label: both workers still run" kill -0 "$(eval echo "\$PID_$wa")" "$(eval echo "\$PID_$wb")"
	stop_worker "$wa"
	stop_worker "$wb"
}

underlay "IPv6 underlay" w6a w6b "[$PA6]:9123" "[$MA6]:7000" "[$PB6]:9123" "[$MB6]:7001" \
	"${RELAY_V6[@]}"

for dev in a:eth0 m:ea m:eb b:eth0; do
	ip -n "$(ns "${dev%%:*}")" link set dev "${dev#*:}" mtu 1400
done
underlay "IPv4 at 1400" w4a w4b "$PA4:9123" "$MA4:7000" "$PB4:9123" "$MB4:7001" \
	"${RELAY_V4[@]}"
done_testing
