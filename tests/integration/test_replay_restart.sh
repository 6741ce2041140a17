#!/bin/bash
# SPDX-License-Identifier: MIT
# test_replay_restart.sh - the replay window stays closed across restarts,
# and the worker's log stays bounded. Each section is an attack:
#   1. a datagram captured and accepted before a plain restart (SIGTERM,
#      start again) is replayed after it: refused (--replay-state), and
#      without a state file a cold start refuses it too, at the cost of one
#      window of refusals;
#   2. the same across a --supervise restart after the worker is killed
#      (SIGKILL): refused, and fresh traffic flows at once;
#   3. a flood of logged lines: the log file is rotated at --log-max and
#      keeps one older file, so it stays bounded.
# The reflection attack with a lagging peer clock is test_reflection.sh.
. "$(dirname "$0")/lib.sh"
require_root

make_lan 2 || { not_ok "build the LAN"; done_testing; }
key_copy k
SEND=(--key "$TMP/k" --to 198.18.0.1:9123 --bind 198.18.0.2:9123)

# send ARGS...: a crafted datagram from the peer's address to host 1.
send() { peer_tool h2 send "${SEND[@]}" "$@"; }
# replay FILE: the saved datagram again, byte for byte, from the peer's address.
replay() { peer_tool h2 raw --to 198.18.0.1:9123 --bind 198.18.0.2:9123 "$1"; }
# grows NAME KEY BEFORE: counter KEY of worker NAME goes past BEFORE within 3 s.
grows() { wait_for 3 counter_at_least "$1" "$2" $(($3 + 1)); }

# --- 1. a plain restart ---------------------------------------------------------
# A 10 s window, so that the captured datagram is still fresh after the restart
# however slow this machine is.
check "plain: worker starts with a replay state file" \
	start_worker r1 h1 --window 10 "$TMP/k" 198.18.0.1:9123 198.18.0.2:9123
send --save "$TMP/captured"
check "plain: a datagram is accepted (and captured on its way)" grows r1 rx_frames 0
replay "$TMP/captured"
check "plain: its copy is refused as a replay" grows r1 rx_replay 0
check "plain: SIGTERM" stop_worker r1
check "plain: the state file holds the high-water mark" test -s "$TMP/r1.replay"
check "plain: started again on the same state file" \
	start_worker r1 h1 --window 10 "$TMP/k" 198.18.0.1:9123 198.18.0.2:9123
replay "$TMP/captured"
check "plain: the captured datagram replayed after the restart is refused" grows r1 rx_replay 0
check "plain: and was not delivered" counter_is r1 rx_frames 0
check "plain: the restart said what it refuses" grep -q "after a restart: refusing datagrams" "$TMP/r1.log"
send
check "plain: fresh traffic is accepted at once (no cold-start refusals)" grows r1 rx_frames 0
stop_worker r1

# Without a state file: a cold start refuses what is stamped before start +
# window - the datagram captured before the restart, and fresh traffic for
# one window (the cost).
COLD=1
check "cold: worker starts again, without a state file" \
	start_worker c1 h1 --window 10 "$TMP/k" 198.18.0.1:9123 198.18.0.2:9123
replay "$TMP/captured"
check "cold: the datagram captured before the restart is refused" grows c1 rx_replay 0
send
check "cold: the cost: fresh traffic inside the window is refused too" grows c1 rx_replay 1
check "cold: nothing was delivered" counter_is c1 rx_frames 0
check "cold: it says so" grep -q "no --replay-state: datagrams stamped within the next 10.0 s" "$TMP/c1.log"
stop_worker c1
check "cold: a worker with a 1 s window" start_worker c2 h1 --window 1 "$TMP/k" 198.18.0.1:9123 198.18.0.2:9123
COLD=
sleep 1.2
send
check "cold: once the window has passed, traffic is accepted" grows c2 rx_frames 0
stop_worker c2

# --- 2. a --supervise restart ----------------------------------------------------
# No state file: the supervisor keeps the mark in a page of its own. Its
# first worker starts cold (one window of refusals: 2 s here), its next ones
# refuse exactly what their predecessors accepted.
start_bg s1 h1 "$WORKER" --supervise --window 2 "$TMP/k" 198.18.0.1:9123 198.18.0.2:9123
check "supervise: the supervised worker starts" wait_for 5 grep -q "Created tunnel" "$TMP/s1.log"
sleep 2.2 # the cold start's window
child=$(pgrep -P "$PID_s1" -x ttt-worker)
send --save "$TMP/captured3"
check "supervise: a datagram is accepted" grows s1 rx_frames 0
kill -KILL "$child"
check "supervise: the worker is restarted" wait_for 5 sh -c \
	"[ \$(grep -c 'Created tunnel' '$TMP/s1.log') -ge 2 ]"
replay "$TMP/captured3"
check "supervise: the captured datagram replayed after the crash is refused" grows s1 rx_replay 0
check "supervise: not delivered by the new worker" counter_is s1 rx_frames 0
send
check "supervise: fresh traffic flows at once after the crash" grows s1 rx_frames 0
stop_worker s1

# With a state file (as the CNI plugin runs its workers): the supervisor
# hands the file to each child; no cold start at all.
start_bg s2 h1 "$WORKER" --supervise --replay-state "$TMP/s2.replay" "$TMP/k" 198.18.0.1:9123 \
	198.18.0.2:9123
check "supervise + state file: the worker starts" wait_for 5 grep -q "Created tunnel" "$TMP/s2.log"
send --save "$TMP/captured4"
check "supervise + state file: accepted at once (a new file: no cold start)" grows s2 rx_frames 0
kill -KILL "$(pgrep -P "$PID_s2" -x ttt-worker)"
check "supervise + state file: the worker is restarted" wait_for 5 sh -c \
	"[ \$(grep -c 'Created tunnel' '$TMP/s2.log') -ge 2 ]"
replay "$TMP/captured4"
check "supervise + state file: the replay after the crash is refused" grows s2 rx_replay 0
check "supervise + state file: not delivered" counter_is s2 rx_frames 0
stop_worker s2

# --- 3. the log is bounded ---------------------------------------------------------
# Every SIGUSR1 logs a line of counters (about 700 bytes): 40 of them are
# more than three times the bound. The supervisor and its worker share the file.
start_bg l1 h1 "$WORKER" --supervise --replay-state "$TMP/l1.replay" --log-file "$TMP/w.log" \
	--log-max 8192 "$TMP/k" 198.18.0.1:9124 198.18.0.2:9124
check "log: worker with --log-file, --log-max 8192" wait_for 5 grep -qs "Created tunnel" "$TMP/w.log"
for i in $(seq 40); do
	kill -USR1 "$PID_l1"
	sleep 0.02
done
wait_for 3 sh -c "[ \$(cat '$TMP/w.log' '$TMP/w.log.1' 2>/dev/null | grep -c 'stats:') -ge 5 ]"
size=$(stat -c %s "$TMP/w.log")
size1=$(stat -c %s "$TMP/w.log.1" 2>/dev/null || echo 0)
check "log: rotated: one older file $TMP/w.log.1 ($size1 bytes)" test "$size1" -gt 0
check "log: each file within the bound plus a line ($size, $size1 <= 9216)" \
	test "$size" -le 9216 -a "$size1" -le 9216
check "log: no second old file" test ! -e "$TMP/w.log.2"
check "log: the newest lines are in the current file" grep -q "stats:" "$TMP/w.log"
check "log: written 0600" test "$(stat -c %a "$TMP/w.log")" = 600
stop_worker l1
done_testing
