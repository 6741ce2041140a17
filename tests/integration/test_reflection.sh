#!/bin/bash
# SPDX-License-Identifier: MIT
# test_reflection.sh - the reflection attack: an on-path attacker sends a
# worker's own datagrams back to it with its peer's address (they pass the
# MAC: both directions share the key), while the peer's clock runs 2 s
# behind (inside the 3 s window). Each reflected datagram the filter took,
# once forgotten, used to raise its floor 2 s ahead of the peer, and the
# peer's traffic was refused as replays (the review measured 12 of 241
# frames delivered). Now reflections are refused (rx_reflected) and the
# floor never passes the peer's traffic: pings flow under the attack.
. "$(dirname "$0")/lib.sh"
require_root

faketime_init || { not_ok "libfaketime and a worker it can run"; done_testing; }
make_lan 2 || { not_ok "build the LAN"; done_testing; }
key_copy k

check "the victim, worker 1 (clock in time)" start_worker w1 h1 "$TMP/k" 198.18.0.1:9123 198.18.0.2:9123
# (Worker 2 is the plain build under the sanitizers: see faketime_init.)
start_bg w2 h2 env LD_PRELOAD="$FT" FAKETIME="-2" DONT_FAKE_MONOTONIC=1 \
	"$FT_WORKER" --replay-state "$TMP/w2.replay" "$TMP/k" 198.18.0.2:9123 198.18.0.1:9123
check "its peer, worker 2, its clock 2 s behind" wait_for 5 grep -q "Created tunnel" "$TMP/w2.log"
tap_address h1 tap0 198.19.6.1/24
tap_address h2 tap0 198.19.6.2/24
check "before the attack: pings flow" pings h1 -c 3 -i 0.2 198.19.6.2

# The attacker, on worker 2's host: everything worker 1 sends to worker 2
# goes back to worker 1 as if from worker 2. Worker 1 is kept busy (about
# 5000 datagrams a second through the tunnel, all reflected), so that its
# filter turns over faster than the peer's clock lags.
on h2 "$PY" "$ROOT/tests/tools/reflect.py" eth0 198.18.0.1:9123 198.18.0.2:9123 6 >"$TMP/reflected" 2>"$TMP/reflect.err" &
refl=$!
PIDS+=("$refl")
on h1 timeout 8 "$PY" -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
end = time.monotonic() + 5.5
while time.monotonic() < end:
    for _ in range(50):
        s.sendto(b"x" * 64, ("198.19.6.2", 9))
    time.sleep(0.01)
' &
blast=$!
PIDS+=("$blast")
sleep 2 # let the filter fill and turn over
on h1 ping -q -c 30 -i 0.1 -W 1 198.19.6.2 >"$TMP/attack-ping.out" 2>&1
wait "$blast"
wait "$refl"
n=$(grep -x "[0-9]*" "$TMP/reflected")
diag "$TMP/reflect.err"
got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$TMP/attack-ping.out")
echo "# reflected ${n:-?} datagrams; pings answered under the attack: ${got:-?} of 30"
check "the attacker reflected worker 1's datagrams (${n:-0}, at least 5000)" test "${n:-0}" -ge 5000
r=$(counter w1 rx_reflected)
check "worker 1 refused them as reflected (rx_reflected=${r:-0})" test "${r:-0}" -ge $((n / 2))
check "the peer's traffic got through: ${got:-0} of 30 pings answered (at least 15)" test "${got:-0}" -ge 15
rp=$(counter w1 rx_replay)
echo "# worker 1: rx_replay=$rp rx_reflected=$r"
check "pings flow after the attack" pings h1 -c 3 -i 0.2 198.19.6.2

# Keepalives are sealed datagrams too: one sent back is refused as reflected,
# never counted as the peer's keepalive. Worker 3 (in worker 1's place) only
# sends keepalives; worker 2 sends none.
stop_worker w1
check "worker 3, with --keepalive 1, in worker 1's place" start_worker w3 h1 --keepalive 1 \
	"$TMP/k" 198.18.0.1:9123 198.18.0.2:9123
on h2 "$PY" "$ROOT/tests/tools/reflect.py" eth0 198.18.0.1:9123 198.18.0.2:9123 3.5 \
	>"$TMP/reflected2" 2>"$TMP/reflect2.err"
n=$(grep -x "[0-9]*" "$TMP/reflected2")
diag "$TMP/reflect2.err"
k=$(counter w3 tx_keepalive) r=$(counter w3 rx_reflected) ka=$(counter w3 rx_keepalive)
echo "# worker 3: tx_keepalive=$k rx_reflected=$r rx_keepalive=$ka; reflected ${n:-?}"
check "the attacker reflected worker 3's keepalives (${n:-0}, at least 2)" test "${n:-0}" -ge 2
check "worker 3 refused them as reflected (rx_reflected=${r:-0}, at least 2)" test "${r:-0}" -ge 2
check "and took none of them for the peer's keepalive (rx_keepalive=${ka:-?})" test "${ka:-x}" = 0
done_testing
