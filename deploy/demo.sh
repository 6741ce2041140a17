#!/bin/sh
# SPDX-License-Identifier: MIT
# demo.sh - a tinytaptunnel between two network namespaces joined by a veth
# pair: a worker in each, a ping through the tunnel, then everything removed.
# Needs root. Uses 198.18.0.0/15 only, inside namespaces made here.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
WORKER=$BUILD/ttt-worker
ID=$$
A=ttt-demo-$ID-a
B=ttt-demo-$ID-b
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ttt-demo.XXXXXX")
# The workers' control sockets (for ttt show) go under $TMP, removed at the end.
TTT_RUN_DIR=$TMP/run
export TTT_RUN_DIR
PA=
PB=

cleanup() {
	for p in $PA $PB; do kill -TERM "$p" 2>/dev/null; done
	for p in $PA $PB; do wait "$p" 2>/dev/null; done
	ip netns del "$A" 2>/dev/null
	ip netns del "$B" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { printf '\n== %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

[ "$(id -u)" = 0 ] || { echo "demo: run as root (it creates network namespaces)" >&2; exit 1; }
[ -x "$WORKER" ] || { echo "demo: build first (make)" >&2; exit 1; }

step "Two hosts: namespaces $A and $B, joined by a veth pair (198.18.0.1 <-> 198.18.0.2)"
ip netns add "$A" && ip netns add "$B" || exit 1
ip link add eth0 netns "$A" type veth peer name eth0 netns "$B" || exit 1
ip -n "$A" addr add 198.18.0.1/24 dev eth0 && ip -n "$B" addr add 198.18.0.2/24 dev eth0
for n in "$A" "$B"; do ip -n "$n" link set lo up && ip -n "$n" link set eth0 up; done

step "A worker on each host; the first one generates the shared key"
# --replay-state: each worker keeps what it accepted there, so that a
# restart never accepts it again; a new file means a first start, without
# the refusals of a cold start (see ttt-worker(8)).
ip netns exec "$A" "$WORKER" --replay-state "$TMP/a.replay" "$TMP/demo.key" 198.18.0.1:9123 \
	198.18.0.2:9123 >"$TMP/a.log" 2>&1 &
PA=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -s "$TMP/demo.key" ] && break; sleep 0.2; done
ip netns exec "$B" "$WORKER" --replay-state "$TMP/b.replay" "$TMP/demo.key" 198.18.0.2:9123 \
	198.18.0.1:9123 >"$TMP/b.log" 2>&1 &
PB=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do grep -q "Created tunnel" "$TMP/b.log" && break; sleep 0.2; done
sed 's/^/  A | /' "$TMP/a.log"
sed 's/^/  B | /' "$TMP/b.log"

step "Addresses on the taps: 198.19.0.1 (A) and 198.19.0.2 (B)"
run ip -n "$A" addr add 198.19.0.1/24 dev tap0 || exit 1
run ip -n "$B" addr add 198.19.0.2/24 dev tap0 || exit 1

step "Ping from A to B through the tunnel (and a full-MTU ping with DF set)"
run ip netns exec "$A" ping -c 3 -i 0.3 -W 2 198.19.0.2 || { echo "demo: ping FAILED"; exit 1; }
run ip netns exec "$A" ping -c 2 -i 0.3 -W 2 -M "do" -s 1390 198.19.0.2 || { echo "demo: ping FAILED"; exit 1; }

step "Counters (SIGUSR1)"
kill -USR1 "$PA"
sleep 0.3
grep 'stats:' "$TMP/a.log" | tail -n 1 | tr ' ' '\n' | grep -v '=0$' | sed 's/^/  /'

step "Both tunnels as the operator's tool sees them"
run "$BUILD/ttt" show

step "Stopping the workers; the taps and namespaces go away"
echo "demo: the ping went through the tunnel. Everything created is being removed."
