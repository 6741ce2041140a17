#!/bin/bash
# SPDX-License-Identifier: MIT
# test_faults.sh - the fault table: what the tunnel and the plugin do when
# things go wrong. Each section is a row of the README's reliability table:
#   1. a CNI-spawned worker killed (SIGKILL): the container keeps its
#      interface and addresses, and traffic flows again within 2 s
#   2. the peer unreachable (nothing listening; then no route at all)
#   3. the plugin killed (SIGKILL) in the middle of ADD; an empty record,
#      as a power loss can leave one
#   4. 50 concurrent ADD/DEL pairs on one network
#   5. a flood of forged datagrams at full speed
#   6. clocks apart by +-2 s and +-10 s: the peer's stepped, then the
#      receiver's own (libfaketime)
# Two more rows live elsewhere: the peer restarting on a new port
# (test_discovery) and the container's namespace deleted under a running
# worker (test_cni, test_inherit).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cni_lib.sh"
require_root

make_lan 3 || { not_ok "build the LAN"; done_testing; }
netns c1 && netns c2 || { not_ok "container namespaces"; done_testing; }
key_copy k
FLOOD=$BUILD/tests/flood
ms() { echo $(($(date +%s%N) / 1000000)); }

# --- 1. worker killed under a container ----------------------------------------
conf "$TMP/a.json" h1 198.18.0.1:9123 198.18.0.2:9123 \
	"$(host_local 198.19.0.0/24 198.19.0.10 198.19.0.10 h1)"
conf "$TMP/b.json" h2 198.18.0.2:9123 198.18.0.1:9123 \
	"$(host_local 198.19.0.0/24 198.19.0.20 198.19.0.20 h2)"
check "crash: ADD on host 1" cni_ok h1 ADD ctr-a c1 "$TMP/a.json"
check "crash: ADD on host 2" cni_ok h2 ADD ctr-b c2 "$TMP/b.json"
sup=$(worker_pid h1 ctr-a)
child=$(pgrep -P "$sup" -x ttt-worker)
check "crash: the supervisor ($sup) runs the worker ($child)" test -n "$child"
check "crash: traffic flows" pings c1 -c 2 -i 0.2 198.19.0.20
kill -KILL "$child"
t0=$(ms)
wait_for 5 on c1 ping -c 1 -W 0.2 198.19.0.20 >/dev/null 2>&1
t1=$(ms)
check "crash: traffic flows again $((t1 - t0)) ms after the kill (at most 2000)" test $((t1 - t0)) -le 2000
check "crash: the container kept its interface and address" \
	sh -c "ip -n $(ns c1) -4 addr show net1 | grep -q 198.19.0.10/24"
new=$(pgrep -P "$sup" -x ttt-worker)
check "crash: a new worker ($new) under the same supervisor" sh -c "[ -n '$new' ] && [ '$new' != '$child' ]"
check "crash: the supervisor logged it" grep -q "died of signal 9; restarting it" "$TMP/state-h1/$NET/ctr-a:net1.log"
check "crash: DEL on host 1" cni_ok h1 DEL ctr-a c1 "$TMP/a.json"
check "crash: supervisor and worker are gone" sh -c "! kill -0 $sup 2>/dev/null && ! kill -0 $new 2>/dev/null"
check "crash: nothing left" nothing_left h1 c1
check "crash: DEL on host 2" cni_ok h2 DEL ctr-b c2 "$TMP/b.json"

# --- 2. peer unreachable -------------------------------------------------------
check "unreachable: worker 1 starts with no one at its peer's port" \
	start_worker w1 h1 "$TMP/k" 198.18.0.1:9123 198.18.0.2:9123
tap_address h1 tap0 198.19.1.1/24
on h1 ping -c 5 -i 0.1 -W 1 198.19.1.2 >/dev/null 2>&1 # ICMP port unreachable comes back
check "unreachable: the worker keeps running" kill -0 "$PID_w1"
on h1 ip route del 198.18.0.0/24 dev eth0
on h1 ping -c 5 -i 0.1 -W 1 198.19.1.2 >/dev/null 2>&1 # no route: sends fail
n=$(counter w1 tx_send_error)
check "unreachable: refused sends are counted (tx_send_error=$n)" test "${n:-0}" -ge 1
check "unreachable: and the worker still runs" kill -0 "$PID_w1"
on h1 ip route add 198.18.0.0/24 dev eth0
check "unreachable: the peer appears" start_worker w2 h2 "$TMP/k" 198.18.0.2:9123 198.18.0.1:9123
tap_address h2 tap0 198.19.1.2/24
check "unreachable: traffic flows once the peer is there" pings h1 -c 3 -i 0.2 198.19.1.2
stop_worker w1
stop_worker w2

# --- 3. the plugin killed in the middle of ADD ---------------------------------
# An IPAM plugin that takes 2 s holds ADD at its slowest point: the tap is
# made and moved, the lease about to be taken, the record says so.
mkdir -p "$TMP/slow-bin"
printf '#!/bin/sh\nsleep 2\nexec %s/host-local\n' "$CNI_PLUGINS" >"$TMP/slow-bin/slow-ipam"
chmod +x "$TMP/slow-bin/slow-ipam"
conf "$TMP/s.json" h1 198.18.0.1:9300 198.18.0.2:9300 \
	"$(host_local 198.19.0.0/24 198.19.0.30 198.19.0.30 h1 | sed 's/"host-local"/"slow-ipam"/')"
# add_killed CID: an ADD of container CID on host 1, killed (SIGKILL) once
# its record says the IPAM plugin has started.
add_killed() {
	local plugin
	ip netns exec "$(ns h1)" env -i PATH="$PATH" CNI_COMMAND=ADD CNI_CONTAINERID="$1" \
		CNI_NETNS="/var/run/netns/$(ns c1)" CNI_IFNAME=net1 CNI_PATH="$TMP/slow-bin:$CNI_PLUGINS" \
		"$PLUGIN" <"$TMP/s.json" >/dev/null 2>&1 &
	plugin=$!
	PIDS+=("$plugin")
	wait_for 5 grep -q '"ipamStarted":	true' "$TMP/state-h1/$NET/$1:net1.json" 2>/dev/null
	kill -KILL "$plugin"
	wait "$plugin" 2>/dev/null
}
add_killed ctr-k
check "kill mid-ADD: the record says IPAM had started" \
	grep -q '"ipamStarted":	true' "$TMP/state-h1/$NET/ctr-k:net1.json"
wait_for 5 test "$(leases h1)" = 1 # the orphaned IPAM plugin still takes its lease
check "kill mid-ADD: its tap went with it (the plugin held the only descriptor)" no_taps c1
CNI_PLUGINS="$TMP/slow-bin:$CNI_PLUGINS" check "kill mid-ADD: the next ADD recovers" \
	cni_ok h1 ADD ctr-k c1 "$TMP/s.json"
check "kill mid-ADD: ... and works" test "$(json "$TMP/out.json" ips.0.address)" = 198.19.0.30/24
CNI_PLUGINS="$TMP/slow-bin:$CNI_PLUGINS" check "kill mid-ADD: DEL" cni_ok h1 DEL ctr-k c1 "$TMP/s.json"
check "kill mid-ADD: nothing leaked (worker, tap, lease, record)" nothing_left h1 c1
add_killed ctr-k2
wait_for 5 test "$(leases h1)" = 1
CNI_PLUGINS="$TMP/slow-bin:$CNI_PLUGINS" check "kill mid-ADD, then DEL instead: DEL recovers" \
	cni_ok h1 DEL ctr-k2 c1 "$TMP/s.json"
check "kill mid-ADD, then DEL: nothing leaked" nothing_left h1 c1
# Records are not fsync'ed (nothing they name outlives the machine), so a
# power loss can leave one empty: it counts as no record, for DEL and ADD.
conf "$TMP/e.json" h1 198.18.0.1:9301 198.18.0.2:9301 \
	"$(host_local 198.19.0.0/24 198.19.0.31 198.19.0.31 h1)"
: >"$TMP/state-h1/$NET/ctr-e:net1.json"
check "empty record (power loss): DEL succeeds" cni_ok h1 DEL ctr-e c1 "$TMP/e.json"
check "empty record: DEL removed it" nothing_left h1 c1
: >"$TMP/state-h1/$NET/ctr-e:net1.json"
check "empty record: ADD over it succeeds" cni_ok h1 ADD ctr-e c1 "$TMP/e.json"
check "empty record: ... and DEL after it" cni_ok h1 DEL ctr-e c1 "$TMP/e.json"
check "empty record: nothing left" nothing_left h1 c1

# --- 4. 50 concurrent ADD/DEL pairs ---------------------------------------------
N=50
conf "$TMP/p.json" h1 198.18.0.1:9123 198.18.0.2:9123 \
	"$(host_local 198.19.4.0/24 198.19.4.10 198.19.4.200 h1)"
for i in $(seq $N); do netns "p$i"; done
for i in $(seq $N); do
	sed "s/198.18.0.1:9123/198.18.0.1:$((9400 + i))/" "$TMP/p.json" >"$TMP/p$i.json"
done
t0=$(ms)
for i in $(seq $N); do
	(
		TMP=$TMP/p$i
		mkdir -p "$TMP"
		cni h1 ADD "ctr-p$i" "p$i" "$TMP.json" && on "p$i" ip link show net1 >/dev/null &&
			cni h1 DEL "ctr-p$i" "p$i" "$TMP.json"
		echo $? >"$TMP/rc"
	) &
done
wait
t1=$(ms)
ok_pairs=$(cat "$TMP"/p*/rc 2>/dev/null | grep -c '^0$')
check "50 pairs: all $ok_pairs of $N ADD/DEL pairs succeeded ($((t1 - t0)) ms)" test "$ok_pairs" = $N
check "50 pairs: no worker, tap, lease, record or lock left" nothing_left h1 ""
check "50 pairs: no tap in any container" sh -c "for i in \$(seq $N); do
	[ -z \"\$(ip -n ttt-$RUN_ID-p\$i -o link show type tun)\" ] || exit 1; done"

# --- 5. a flood of forged datagrams ----------------------------------------------
# Worker 1 learns its peer (discovery), so every forged datagram costs it a
# MAC: the worst case. Worker 2 is the real peer; host 3 floods.
check "flood: worker 1 (discovery)" start_worker f1 h1 "$TMP/k" 198.18.0.1:9123
check "flood: worker 2" start_worker f2 h2 "$TMP/k" 198.18.0.2:9123 198.18.0.1:9123
tap_address h1 tap0 198.19.2.1/24
tap_address h2 tap0 198.19.2.2/24
pings h2 -c 2 -i 0.2 198.19.2.1 >/dev/null
lines0=$(grep -c "dropped a" "$TMP/f1.log")
on h3 "$FLOOD" 198.18.0.1 9123 8 >"$TMP/flood.out" &
flood=$!
PIDS+=("$flood")
sleep 1
on h2 ping -c 40 -i 0.1 -W 1 198.19.2.1 >"$TMP/flood-ping.out" 2>&1
wait "$flood"
sent=$(cat "$TMP/flood.out")
check "flood: the flooder ran (${sent:-0} datagrams; at least 100000)" test "${sent:-0}" -ge 100000
# The loss of valid pings under the flood is a load figure: it depends on
# how fast this machine's worker computes MACs against how fast the flooder
# sends (30 % once under AddressSanitizer), so it is reported, not asserted.
loss=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$TMP/flood-ping.out")
echo "# flood: $sent forged datagrams in 8 s; valid pings under it lost ${loss:-?} %"
bad=$(counter f1 rx_bad_mac)
check "flood: forged datagrams counted as bad MACs: $bad of $sent sent (the rest overflowed the socket)" \
	test "${bad:-0}" -ge $((sent / 10)) -a "${bad:-0}" -le "$sent"
for c in rx_short rx_oversize rx_stale rx_future rx_runt rx_replay; do
	check "flood: none counted as $c" counter_is f1 "$c" 0
done
lines=$(($(grep -c "dropped a" "$TMP/f1.log") - lines0))
check "flood: the log stayed quiet ($lines lines about drops)" test "$lines" -le 10
check "flood: the peer did not move" counter_is f1 rx_peer_changes 1
check "flood: valid traffic is delivered once it ends (5 of 5 pings)" pings h2 -c 5 -i 0.2 198.19.2.1
check "flood: the worker still runs" kill -0 "$PID_f1"
stop_worker f1
stop_worker f2

# --- 6. clocks apart ----------------------------------------------------------------
# 6a. The peer's clock stepped, as seen by worker 1 (the build under test,
# sanitized or not): the independent peer (tests/tools/tttpeer.py) stamps
# and checks with its wall clock shifted by the seconds in a file. A peer
# 10 s behind is what a receiver 10 s ahead sees, and the other way round.
echo 0 >"$TMP/peerclock"
check "clocks: worker 1" start_worker c1 h1 "$TMP/k" 198.18.0.1:9123 198.18.0.2:9123
start_bg cpy h2 "$PY" "$PEER_TOOL" tap --key "$TMP/k" --listen 198.18.0.2:9123 \
	--peer 198.18.0.1:9123 --ifname pytap0 --clock-file "$TMP/peerclock"
check "clocks: the independent peer" wait_for 5 grep -q "tap pytap0 up" "$TMP/cpy.log"
tap_address h1 tap0 198.19.4.1/24
tap_address h2 pytap0 198.19.4.2/24
check "clocks: in step, traffic flows" pings h2 -c 2 -i 0.2 198.19.4.1
# peer_step OFFSET WANT: the peer's clock OFFSET seconds off ours; a ping.
peer_step() {
	echo "$1" >"$TMP/peerclock"
	sleep 0.3 # read at the peer's next datagram
	on h2 ping -c 3 -i 0.2 -W 1 -q 198.19.4.1 >/dev/null 2>&1 && got=flows || got=stops
	check "clocks: the peer's clock ${1} s off ours: traffic $2" test "$got" = "$2"
}
peer_step -2 flows
peer_step 2 flows
stale0=$(counter c1 rx_stale)
peer_step -10 stops
stale1=$(counter c1 rx_stale)
check "clocks: 10 s ahead of the peer: its datagrams counted stale ($stale0 -> $stale1)" \
	test "$stale1" -gt "$stale0"
future0=$(counter c1 rx_future)
peer_step 10 stops
future1=$(counter c1 rx_future)
check "clocks: 10 s behind the peer: counted as from the future ($future0 -> $future1)" \
	test "$future1" -gt "$future0"
peer_step 0 flows
stop_worker c1
stop_worker cpy

# 6b. Worker 1's own clock stepped while it runs: libfaketime moves its wall
# clock (only), through a file (under the sanitizers, the plain build of the
# same sources: see faketime_init).
faketime_init || { not_ok "clock: libfaketime and a worker it can run"; done_testing; }
echo "+0" >"$TMP/clock"
start_bg t1 h1 env LD_PRELOAD="$FT" FAKETIME_TIMESTAMP_FILE="$TMP/clock" \
	FAKETIME_CACHE_DURATION=1 DONT_FAKE_MONOTONIC=1 "$FT_WORKER" --replay-state "$TMP/t1.replay" \
	"$TMP/k" 198.18.0.1:9123 198.18.0.2:9123
check "clock: worker 1 on a clock we can step" wait_for 5 grep -q "Created tunnel" "$TMP/t1.log"
check "clock: worker 2" start_worker t2 h2 "$TMP/k" 198.18.0.2:9123 198.18.0.1:9123
tap_address h1 tap0 198.19.3.1/24
tap_address h2 tap0 198.19.3.2/24
check "clock: in step, traffic flows" pings h2 -c 2 -i 0.2 198.19.3.1
# step OFFSET WANT: sets the offset, waits for it to apply, pings.
step() {
	local offset=$1 want=$2 got
	echo "$offset" >"$TMP/clock"
	sleep 2.2 # libfaketime rereads the file every second
	on h2 ping -c 3 -i 0.2 -W 1 -q 198.19.3.1 >/dev/null 2>&1 && got=flows || got=stops
	check "clock: receiver ${offset} s: traffic $want" test "$got" = "$want"
}
stale0=$(counter t1 rx_stale)
step +2 flows
step -2 flows
step +10 stops
stale1=$(counter t1 rx_stale)
check "clock: +10 s: the peer's datagrams counted stale ($stale0 -> $stale1)" test "$stale1" -gt "$stale0"
future0=$(counter t1 rx_future)
step -10 stops
future1=$(counter t1 rx_future)
check "clock: -10 s: counted as from the future ($future0 -> $future1)" test "$future1" -gt "$future0"
step +0 flows
done_testing
