#!/bin/bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2317,SC2154 # helpers run through check; PID_<name> is set by start_bg
# test_impair.sh - the impairing relay (tests/tools/impair.c) does what it
# is told, exactly, and two workers run through it:
#   1. numbered datagrams (tests/tools/udpseq.py) from A through the relay
#      to B: untouched; lost; duplicated; corrupted by one bit; truncated;
#      reordered (every pair swapped, or one in four held back 3 places);
#      delayed; over IPv6 and from IPv4 to IPv6 with 64 KiB datagrams; from
#      a foreign source; with a peer learnt; beyond the holding cap; the
#      same seed again and another seed. The receiver's tally and the
#      relay's statistics line agree exactly.
#   2. the relay's life: SIGUSR1 prints statistics, SIGTERM and SIGINT end
#      it (status 0), the time limit ends it, bad arguments are refused.
#   3. two ttt-workers through it: drop counters equal to what the relay
#      corrupted and truncated, no replay counted for reordered datagrams;
#      a checksummed TCP transfer with 2 % loss, 10 % reordering and 2 %
#      duplication arrives intact, and duplicates are counted as replays.
#      Throughput and the relay's CPU time are reported, not asserted.
# The sender and the relay run on one CPU (the first we may use) in part 1:
# datagrams handed over between two processes on one CPU stay in order (on
# two, the kernel may deliver them out of order), so any reordering seen is
# the relay's.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/relay_lib.sh
. "$(dirname "$0")/relay_lib.sh"
require_root

relay_topology || { not_ok "build the A-M-B topology"; done_testing; }
UDPSEQ=("$PY" "$ROOT/tests/tools/udpseq.py")
PIN=(taskset -c "$("$PY" -c 'import os; print(min(os.sched_getaffinity(0)))')")
N=1000

# --- helpers ------------------------------------------------------------------

# eq A B: A equals B (says so when not).
eq() {
	[ "$1" = "$2" ] || {
		echo "# '$1' is not '$2'"
		return 1
	}
}

# rx NAME KEY: KEY from receiver NAME's tally line.
rx() {
	grep '^got=' "$TMP/$1_rx.log" | tail -n 1 | tr ' ' '\n' | sed -n "s/^$2=//p"
}

# st NAME KEY: KEY from relay NAME's final statistics line.
st() {
	relay_final "$1" "$2"
}

# count_is NAME KEY VALUE: worker or relay NAME's counter KEY reaches
# VALUE within 5 s.
count_is() {
	wait_for 5 counter_quiet_is "$@" || {
		echo "# $1 $2 is $(counter "$1" "$2"), expected $3"
		return 1
	}
}
counter_quiet_is() {
	[ "$(counter "$1" "$2")" = "$3" ]
}

# rx_start NAME HOST LISTEN ARGS...: a receiver (at most 30 s), listening.
rx_start() {
	local name=$1 host=$2
	shift 2
	start_bg "$name" "$host" timeout 30 "${UDPSEQ[@]}" recv "$@"
	wait_for 5 grep -q '^listening' "$TMP/$name.log"
}

# rx_wait NAME: waits for receiver NAME to print its tally and exit.
rx_wait() {
	local pid_var=PID_$1
	wait "${!pid_var}"
}

# The addresses of a case: the relay's (LISTEN_A PEER_A LISTEN_B PEER_B),
# where A sends from and to, where B's receiver listens.
v4_case() {
	ADDRS=("$MA4:7000" "$PA4:9000" "$MB4:7001" "$PB4:9000")
	FROM=$PA4:9000 TO=$MA4:7000 RXL=$PB4:9000
}
v4_case
SIZES=()
RX=()

# relay_case NAME COUNT RELAY_OPTIONS...: relay NAME with RELAY_OPTIONS
# (pinned) between A and B; a receiver in B (extra arguments RX); COUNT
# datagrams from A (sizes SIZES, pinned); the receiver's end; then the
# relay stopped: returns its exit status. Logs: $TMP/NAME{,_rx,_tx}.log.
relay_case() {
	local name=$1 count=$2
	shift 2
	start_bg "$name" m "${PIN[@]}" "$IMPAIR" "$@" "${ADDRS[@]}"
	relay_ready "$name" || return 1
	rx_start "${name}_rx" b "$RXL" "${SIZES[@]}" "${RX[@]}" || return 1
	on a "${PIN[@]}" timeout 30 "${UDPSEQ[@]}" send "$TO" "$count" --bind "$FROM" "${SIZES[@]}" \
		>"$TMP/${name}_tx.log" 2>&1
	rx_wait "${name}_rx"
	# Every datagram sent reached the relay's socket: wait until it read
	# them all (as it does at once unless this machine is very busy).
	wait_for 10 counter_quiet_is "$name" ab_received "$count"
	stop_relay "$name"
}

# accounted NAME: the relay's books balance in direction ab.
accounted() {
	local r f d o t p u dup
	r=$(st "$1" ab_received) f=$(st "$1" ab_foreign) u=$(st "$1" ab_nopeer)
	d=$(st "$1" ab_dropped) dup=$(st "$1" ab_duplicated) o=$(st "$1" ab_overflow)
	t=$(st "$1" ab_txfail) p=$(st "$1" ab_pending)
	eq $((r - f - u - d + dup)) $(($(st "$1" ab_forwarded) + o + t + p))
}

# --- 1. datagrams through the relay ---------------------------------------------

RX=(--count "$N")
check "clean: relay ran and exited with status 0" relay_case clean $N
check "clean: relay received $N" eq "$(st clean ab_received)" $N
check "clean: relay forwarded $N" eq "$(st clean ab_forwarded)" $N
check "clean: $N of $N arrive intact" eq "$(rx clean intact)" $N
check "clean: in order" eq "$(rx clean inversions)" 0
check "clean: nothing impaired, dropped or left" eq \
	"$(st clean ab_dropped)$(st clean ab_duplicated)$(st clean ab_corrupted)$(st clean ab_truncated)$(st clean ab_reordered)$(st clean ab_overflow)$(st clean ab_txfail)$(st clean ab_pending)$(st clean ab_sockdrops)" 000000000
check "clean: bytes out = bytes in ($(st clean ab_bytes_in))" eq "$(st clean ab_bytes_out)" "$(st clean ab_bytes_in)"
check "clean: nothing the other way" eq "$(st clean ba_received)" 0

RX=(--idle 2)
check "loss 1: relay ran" relay_case loss1 $N --loss 1
check "loss 1: nothing arrives" eq "$(rx loss1 got)" 0
check "loss 1: all $N counted as dropped" eq "$(st loss1 ab_dropped)/$(st loss1 ab_forwarded)" "$N/0"

check "loss 0.3 (seed 7): relay ran" relay_case lossa $N --loss 0.3 --seed 7
lost=$(st lossa ab_dropped)
check "loss 0.3: $lost dropped, $(rx lossa got) arrive: forwarded + dropped = $N" \
	eq $(($(st lossa ab_forwarded) + lost)) $N
check "loss 0.3: what arrived is what was forwarded, intact" \
	eq "$(rx lossa got)/$(rx lossa intact)" "$(st lossa ab_forwarded)/$(st lossa ab_forwarded)"
check "loss 0.3: between 200 and 400 dropped ($lost)" test "$lost" -ge 200 -a "$lost" -le 400
RX=(--count $((N - lost)) --idle 2)
check "loss 0.3, seed 7 again: relay ran" relay_case lossb $N --loss 0.3 --seed 7
check "seed 7 again: the same datagrams arrive" eq "$(rx lossb order)" "$(rx lossa order)"
check "seed 8: relay ran" relay_case lossc $N --loss 0.3 --seed 8
check "seed 8: other datagrams arrive" test "$(rx lossc order)" != "$(rx lossa order)"
check "loss: the books balance" accounted lossc

RX=(--count $((2 * N)))
check "dup 1: relay ran" relay_case dup $N --dup 1
check "dup 1: $((2 * N)) arrive" eq "$(rx dup got)" $((2 * N))
check "dup 1: every datagram exactly twice" eq "$(rx dup twice)/$(rx dup more)" "$N/0"
check "dup 1: all intact" eq "$(rx dup intact)" $((2 * N))
check "dup 1: relay counted $N duplicated, $((2 * N)) forwarded" \
	eq "$(st dup ab_duplicated)/$(st dup ab_forwarded)" "$N/$((2 * N))"
check "dup: the books balance" accounted dup

RX=(--count "$N")
check "corrupt 1: relay ran" relay_case corrupt $N --corrupt 1
check "corrupt 1: every datagram differs in exactly one bit" eq "$(rx corrupt onebit)" $N
check "corrupt 1: none intact, none with more bits flipped" \
	eq "$(rx corrupt intact)/$(rx corrupt manybits)/$(rx corrupt distinct)" "0/0/$N"
check "corrupt 1: relay counted $N corrupted" eq "$(st corrupt ab_corrupted)" $N

SIZES=(--size 1000)
check "truncate 1 (1000-byte datagrams): relay ran" relay_case trunc $N --truncate 1
check "truncate 1: $N arrive" eq "$(rx trunc got)" $N
check "truncate 1: every one shorter (longest $(rx trunc maxlen))" test "$(rx trunc maxlen)" -lt 1000
check "truncate 1: none intact, none longer" eq "$(rx trunc intact)$(rx trunc onebit)$(rx trunc longer)" 000
check "truncate 1: each the start of what was sent ($(rx trunc tiny) too short to tell)" \
	eq $(($(rx trunc prefix_ok) + $(rx trunc tiny))) $N
check "truncate 1: some cut below 41 bytes (shortest $(rx trunc minlen))" test "$(rx trunc minlen)" -lt 41
check "truncate 1: relay counted $N truncated" eq "$(st trunc ab_truncated)" $N
SIZES=()

check "reorder 1: relay ran" relay_case reorder $N --reorder 1 --reorder-ms 10000
check "reorder 1: all $N arrive intact" eq "$(rx reorder intact)" $N
check "reorder 1: every pair swapped ($(rx reorder inversions) out of order)" eq "$(rx reorder inversions)" $((N / 2))
check "reorder 1: relay counted $((N / 2)) held back" eq "$(st reorder ab_reordered)" $((N / 2))

check "reorder 1, after 3: relay ran" relay_case reorder3 $N --reorder 1 --reorder-after 3 --reorder-ms 10000
check "reorder 1, after 3: one in four out of order" eq "$(rx reorder3 inversions)/$(st reorder3 ab_reordered)" "$((N / 4))/$((N / 4))"

check "delay 150 ms, jitter 50 ms: relay ran" relay_case delay $N --delay 150 --jitter 50
first=$(rx delay first) start=$(sed -n 's/.*start=\([0-9.]*\).*/\1/p' "$TMP/delay_tx.log")
late=$(awk -v a="$first" -v b="$start" 'BEGIN { printf "%d", a - b }')
check "delay: the first arrived $late ms after the first was sent (at least 100)" test "$late" -ge 100
check "delay: all $N arrive intact" eq "$(rx delay intact)" $N
echo "# delay: jitter put $(rx delay inversions) datagrams out of order"

# IPv6 on both sides, then IPv4 on A's side and IPv6 on B's: up to the
# largest datagram each family carries.
ADDRS=("[$MA6]:7000" "[$PA6]:9000" "[$MB6]:7001" "[$PB6]:9000")
FROM=[$PA6]:9000 TO=[$MA6]:7000 RXL=[$PB6]:9000
SIZES=(--min 1000 --max 65527) RX=(--count 40)
check "IPv6, datagrams of 1000 to 65527 bytes: relay ran" relay_case big6 40
check "IPv6: 40 of 40 intact (largest $(rx big6 maxlen) bytes)" eq "$(rx big6 intact)" 40
SIZES=(--size 65527) RX=(--count 5)
check "IPv6, the largest datagrams (65527 bytes): relay ran" relay_case max6 5
check "IPv6: 5 of 5 largest intact" eq "$(rx max6 intact)" 5
ADDRS=("$MA4:7000" "$PA4:9000" "[$MB6]:7001" "[$PB6]:9000")
FROM=$PA4:9000 TO=$MA4:7000
SIZES=(--size 65507) RX=(--count 5)
check "IPv4 to IPv6, the largest IPv4 datagrams (65507 bytes): relay ran" relay_case mixed 5
check "IPv4 to IPv6: 5 of 5 intact" eq "$(rx mixed intact)" 5
v4_case
SIZES=()

FROM=$PA4:9001 RX=(--idle 1)
check "foreign source: relay ran" relay_case foreign 100
check "foreign source: nothing arrives" eq "$(rx foreign got)" 0
check "foreign source: all 100 counted as foreign" eq "$(st foreign ab_foreign)" 100
v4_case

ADDRS=("$MA4:7000" learn "$MB4:7001" "$PB4:9000")
FROM=$PA4:9005 RX=(--count 100)
start_bg learn m "$IMPAIR" "${ADDRS[@]}"
check "learn: relay with peer A to be learnt" relay_ready learn
on b timeout 30 "${UDPSEQ[@]}" send "$MB4:7001" 20 --bind "$PB4:9000" >/dev/null
check "learn: B's datagrams before A is known are counted as nopeer" count_is learn ba_nopeer 20
rx_start learnb_rx b "$PB4:9000" --count 100
on a timeout 30 "${UDPSEQ[@]}" send "$MA4:7000" 100 --bind "$PA4:9005" >/dev/null
rx_wait learnb_rx
check "learn: A's datagrams reach B" eq "$(rx learnb intact)" 100
check "learn: the relay logged peer A" grep -q "peer A is now $PA4:9005" "$TMP/learn.log"
rx_start learna_rx a "$PA4:9005" --count 100
on b timeout 30 "${UDPSEQ[@]}" send "$MB4:7001" 100 --bind "$PB4:9000" >/dev/null
rx_wait learna_rx
check "learn: B's datagrams now reach A's learnt address" eq "$(rx learna intact)" 100
check "learn: relay exits with status 0" stop_relay learn
v4_case

RX=(--idle 1)
check "holding cap: relay with a 10 s delay and room for 10" relay_case cap 100 --delay 10000 --max-held 10
check "holding cap: nothing arrives" eq "$(rx cap got)" 0
check "holding cap: 90 overflow, 10 discarded at exit" eq "$(st cap ab_overflow)/$(st cap ab_pending)" "90/10"
check "holding cap: the books balance" accounted cap

# --- 2. the relay's life --------------------------------------------------------

start_relay life "${RELAY_V4[@]}" --time 60
check "SIGUSR1: a statistics line, and the relay runs on" counter_is life ab_received 0
check "SIGUSR1: ... still running" kill -0 "$PID_life"
check "SIGTERM: exits with status 0 (within 3 s)" stop_relay life
check "SIGTERM: final statistics line" eq "$(grep -c '^stats:' "$TMP/life.log")" 2

start_relay int "${RELAY_V4[@]}" --time 60
kill -INT "$PID_int"
check "SIGINT: exits within 3 s" wait_for 3 gone "$PID_int"
wait "$PID_int"
check "SIGINT: with status 0" eq $? 0

start_relay limit "${RELAY_V4[@]}" --time 1.5
check "time limit 1.5 s: exits by itself within 5 s" wait_for 5 gone "$PID_limit"
wait "$PID_limit"
check "time limit: with status 0" eq $? 0
check "time limit: not before 1.5 s (elapsed_ms=$(st limit elapsed_ms))" test "$(st limit elapsed_ms)" -ge 1500

# bad ARGS...: refused with status 2 and a message.
bad() {
	on m "$IMPAIR" "$@" >"$TMP/bad.out" 2>&1
	[ $? -eq 2 ] && grep -q . "$TMP/bad.out"
}
check "refused: a probability above 1" bad --loss 1.5 "${RELAY_V4[@]}"
check "refused: an unknown direction" bad --loss cd:0.5 "${RELAY_V4[@]}"
check "refused: a malformed address" bad 198.18.1.254 learn "${RELAY_V4[@]:2}"
check "refused: a peer of another family" bad "$MA4:7000" "[$PA6]:9000" "${RELAY_V4[@]:2}"
check "refused: three addresses" bad "${RELAY_V4[@]:1}"
check "--help exits with 0 and prints the usage" sh -c "'$IMPAIR' --help | grep -q '^usage: impair'"

# --- 3. two workers through the relay -----------------------------------------------

key_copy k
ms() { echo $(($(date +%s%N) / 1000000)); }

# timed_transfer NAME BYTES SECONDS: a transfer A -> B, and how long it
# took (less the 0.5 s the transfer helper gives its server to start).
timed_transfer() {
	local t0 t1
	t0=$(ms)
	transfer a b 198.19.0.2:5001 "$2" "$1" "$3"
	t1=$(($(ms) - 500))
	echo "# $1: $2 bytes in $((t1 - t0)) ms ($(($2 * 8 / ((t1 - t0) * 1000 + 1))) Mbit/s)"
}

check "workers: relay without impairments" start_relay w0 "${RELAY_V4[@]}"
check "workers: one in A, one in B, each with the relay as its peer" relay_workers wa wb "$TMP/k"
check "workers: ping A -> B through the relay" pings a -c 2 -i 0.2 198.19.0.2
timed_transfer "workers, no impairment" 20000000 60
stop_relay w0
echo "# relay (no impairment): cpu_ms=$(st w0 cpu_ms) elapsed_ms=$(st w0 elapsed_ms)" \
	"forwarded ab=$(st w0 ab_forwarded) ba=$(st w0 ba_forwarded) sockdrops ab=$(st w0 ab_sockdrops)"

# Corruption one way, truncation the other, reordering both ways, at a
# rate no socket overflows: every impaired datagram is counted by the
# worker it reaches, and no reordered one as a replay.
bad_b=$(counter wb rx_bad_mac) bad_a=$(counter wa rx_bad_mac) short_a=$(counter wa rx_short)
rep_a=$(counter wa rx_replay) rep_b=$(counter wb rx_replay)
check "workers: relay corrupting 10 % A -> B, truncating 10 % B -> A, reordering 20 %" \
	start_relay w1 "${RELAY_V4[@]}" --corrupt ab:0.1 --truncate ba:0.1 --reorder 0.2 --seed 3
on a ping -q -c 200 -i 0.01 -W 1 -w 15 198.19.0.2 >"$TMP/w1-ping.out" 2>&1
check "workers: relay exits with status 0" stop_relay w1
c=$(st w1 ab_corrupted) t=$(st w1 ba_truncated)
echo "# impaired pings: $(sed -n 's/.*received, \(.*loss\).*/\1/p' "$TMP/w1-ping.out");" \
	"corrupted $c, truncated $t, reordered $(st w1 ab_reordered)+$(st w1 ba_reordered)"
check "workers: B counted the $c corrupted datagrams as bad MACs" count_is wb rx_bad_mac $((bad_b + c))
# short_or_bad N: worker A counted N more short or bad datagrams than before.
short_or_bad() {
	[ $(($(counter wa rx_short) - short_a + $(counter wa rx_bad_mac) - bad_a)) = "$1" ]
}
check "workers: A counted the $t truncated ones as short or bad MACs" wait_for 5 short_or_bad "$t"
check "workers: some were reordered" test $(($(st w1 ab_reordered) + $(st w1 ba_reordered))) -ge 1
check "workers: no reordered datagram counted as a replay by B" count_is wb rx_replay "$rep_b"
check "workers: ... nor by A" count_is wa rx_replay "$rep_a"

# The demonstration: TCP under loss, reordering and duplication.
rep_a=$(counter wa rx_replay) rep_b=$(counter wb rx_replay) frames_b=$(counter wb rx_frames)
check "workers: relay with 2 % loss, 10 % reordering, 2 % duplication" \
	start_relay w2 "${RELAY_V4[@]}" --loss 0.02 --reorder 0.1 --dup 0.02
timed_transfer "workers, 2 % loss, 10 % reordering, 2 % duplication" 8000000 60
check "workers: relay exits with status 0" stop_relay w2
dup=$(st w2 ab_duplicated)
sleep 0.5 # what the relay sent last is read by the worker
rep=$(($(counter wb rx_replay) - rep_b))
echo "# relay A -> B: received=$(st w2 ab_received) dropped=$(st w2 ab_dropped) duplicated=$dup" \
	"reordered=$(st w2 ab_reordered) forwarded=$(st w2 ab_forwarded) sockdrops=$(st w2 ab_sockdrops);" \
	"cpu_ms=$(st w2 cpu_ms) elapsed_ms=$(st w2 elapsed_ms)"
echo "# worker B: rx_frames +$(($(counter wb rx_frames) - frames_b)) rx_replay +$rep" \
	"rx_stale=$(counter wb rx_stale) rx_bad_mac=$(counter wb rx_bad_mac);" \
	"relay B -> A: duplicated=$(st w2 ba_duplicated), worker A: rx_replay +$(($(counter wa rx_replay) - rep_a))"
check "workers: B counted duplicates as replays ($rep replays; the relay duplicated $dup)" \
	test "$rep" -ge 1 -a "$rep" -le "$dup"
check "workers: both still run" kill -0 "$PID_wa" "$PID_wb"
done_testing
