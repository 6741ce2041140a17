#!/bin/bash
# SPDX-License-Identifier: MIT
# lib.sh - what the integration tests share: a LAN of network namespaces,
# workers started and stopped by PID, bounded waits, TAP output, and a
# cleanup that runs however the test ends.
#
# Traffic stays inside namespaces made here, on 198.18.0.0/15 and
# 2001:db8::/32. Nothing in the root namespace is touched.

set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
WORKER=$BUILD/ttt-worker
PY=${PYTHON:-/usr/bin/python3}
PEER_TOOL=$ROOT/tests/tools/tttpeer.py
VECTORS=${TTT_VECTORS:-$ROOT/tests/vectors}

RUN_ID=$(printf '%04x%04x' $$ $((RANDOM)))
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ttt-it.XXXXXX")
# Workers put their control sockets (control.h) in $TTT_RUN_DIR/sock: here,
# the test's own directory, never the host's /run/tinytaptunnel.
export TTT_RUN_DIR=$TMP/run
NAMESPACES=()
PIDS=()
CLEANUP_HOOKS=() # functions run first on exit (tests with extra things to undo)
TESTS=0
FAILURES=0

cleanup() {
	local pid ns i hook
	for hook in "${CLEANUP_HOOKS[@]}"; do
		"$hook"
	done
	for pid in "${PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${PIDS[@]}"; do
		for i in $(seq 30); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	for ns in "${NAMESPACES[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- TAP -------------------------------------------------------------------

ok() {
	TESTS=$((TESTS + 1))
	echo "ok $TESTS - $*"
}

not_ok() {
	TESTS=$((TESTS + 1))
	FAILURES=$((FAILURES + 1))
	echo "not ok $TESTS - $*"
}

# check NAME COMMAND...: one test point, passing when COMMAND succeeds.
check() {
	local name=$1
	shift
	if "$@"; then
		ok "$name"
	else
		not_ok "$name"
		echo "# failed: $*"
	fi
}

# fails COMMAND...: succeeds when COMMAND fails (for check).
fails() {
	! "$@"
}

# diag FILE: show a file as TAP comments (for failures).
diag() {
	sed 's/^/# /' "$1" 2>/dev/null | tail -n 40
}

done_testing() {
	echo "1..$TESTS"
	[ "$FAILURES" -eq 0 ]
	exit $?
}

# --- waiting ---------------------------------------------------------------

# wait_for SECONDS COMMAND...: polls every 0.1 s; fails after SECONDS.
wait_for() {
	local limit=$(($1 * 10)) i
	shift
	for ((i = 0; i < limit; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# --- namespaces --------------------------------------------------------------

# netns NAME: creates namespace ttt-$RUN_ID-NAME (lo up); the name is printed.
netns() {
	local ns=ttt-$RUN_ID-$1
	ip netns add "$ns" || return 1
	NAMESPACES+=("$ns")
	ip -n "$ns" link set lo up
}

ns() {
	echo "ttt-$RUN_ID-$1"
}

# make_lan N: hosts h1..hN on one bridge (in namespace "sw"); host i has
# eth0 with 198.18.0.i/24 and 2001:db8::i/64.
make_lan() {
	local n=$1 i sw
	netns sw || return 1
	sw=$(ns sw)
	ip -n "$sw" link add br0 type bridge || return 1
	ip -n "$sw" link set br0 up
	for ((i = 1; i <= n; i++)); do
		netns "h$i" || return 1
		ip link add eth0 netns "$(ns h$i)" type veth peer name "p$i" netns "$sw" || return 1
		ip -n "$sw" link set "p$i" master br0 up
		ip -n "$(ns h$i)" addr add "198.18.0.$i/24" dev eth0
		ip -n "$(ns h$i)" addr add "2001:db8::$i/64" dev eth0 nodad
		ip -n "$(ns h$i)" link set eth0 up
	done
}

# on HOST COMMAND...: runs COMMAND in host HOST's namespace.
on() {
	local h=$1
	shift
	ip netns exec "$(ns "$h")" "$@"
}

# --- workers -----------------------------------------------------------------

# start_bg NAME HOST COMMAND...: runs COMMAND in HOST in the background,
# logging to $TMP/NAME.log; sets PID_<NAME> and remembers it for cleanup.
start_bg() {
	local name=$1 host=$2 pid
	shift 2
	: >"$TMP/$name.log" # exists before the child opens it
	# A plain command (not a function) so that $! is COMMAND itself:
	# ip netns exec replaces itself with it.
	ip netns exec "$(ns "$host")" "$@" >"$TMP/$name.log" 2>&1 &
	pid=$!
	PIDS+=("$pid")
	printf -v "PID_$name" '%s' "$pid"
}

# start_worker NAME HOST ARGS...: runs ttt-worker ARGS in HOST and waits
# until it reports its tunnel. Fails when it did not come up. The worker
# keeps its replay state in $TMP/NAME.replay (a worker started again under
# the same NAME refuses what the previous one accepted, and a new NAME
# starts without the cold-start refusals); COLD=1 leaves that out.
start_worker() {
	local name=$1 host=$2 state=()
	shift 2
	[ "${COLD:-}" = 1 ] || state=(--replay-state "$TMP/$name.replay")
	start_bg "$name" "$host" "$WORKER" "${state[@]}" "$@"
	wait_for 5 grep -q "Created tunnel" "$TMP/$name.log" && return 0
	echo "# worker $name did not start:"
	diag "$TMP/$name.log"
	return 1
}

# faketime_init: sets FT to libfaketime's library and FT_WORKER to the
# worker to run under it: $WORKER, or under the sanitizers the plain build of
# the same sources (libfaketime and AddressSanitizer deadlock: ASan's
# allocator reads the clock through the clock_gettime libfaketime
# interposes, and libfaketime's first call allocates). Fails, saying why,
# when either is missing.
faketime_init() {
	FT=$(ls /usr/lib/*/faketime/libfaketimeMT.so.1 2>/dev/null | head -n 1)
	[ -n "$FT" ] || { echo "# libfaketime is not installed"; return 1; }
	FT_WORKER=$WORKER
	grep -qa __asan_init "$WORKER" && FT_WORKER=$ROOT/build/ttt-worker
	[ -x "$FT_WORKER" ] || { echo "# no plain build for libfaketime: $FT_WORKER"; return 1; }
}

# tap_of NAME: the interface name worker NAME reported.
tap_of() {
	sed -n 's/.*Created tunnel at interface \([^ ]*\) with MTU.*/\1/p' "$TMP/$1.log" | head -n 1
}

# stop_worker NAME: SIGTERM, then waits (3 s) for it to exit; prints its status.
stop_worker() {
	local pid_var=PID_$1 i
	local pid=${!pid_var}
	kill -TERM "$pid" 2>/dev/null || return 1
	for i in $(seq 30); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	wait "$pid" 2>/dev/null
}

# counter NAME KEY: asks worker NAME for its counters (SIGUSR1) and prints
# the value of KEY (e.g. rx_replay) from the fresh statistics line.
counter() {
	local log=$TMP/$1.log pid_var=PID_$1 before
	local pid=${!pid_var}
	before=$(grep -c 'stats:' "$log")
	kill -USR1 "$pid" || return 1
	wait_for 3 more_lines_than "$log" 'stats:' "$before" || return 1
	grep 'stats:' "$log" | tail -n 1 | tr ' ' '\n' | sed -n "s/^$2=//p"
}

# more_lines_than FILE PATTERN N: FILE has more than N lines matching PATTERN.
more_lines_than() {
	[ "$(grep -c "$2" "$1")" -gt "$3" ]
}

# counter_at_least NAME KEY N
counter_at_least() {
	local v
	v=$(counter "$1" "$2")
	[ "${v:-0}" -ge "$3" ]
}

# counter_is NAME KEY VALUE
counter_is() {
	local v
	v=$(counter "$1" "$2")
	[ "$v" = "$3" ] || {
		echo "# $1 $2 is '$v', expected $3"
		return 1
	}
}

# tap_address HOST TAP ADDR/PREFIX...: brings addresses onto a tap.
tap_address() {
	local host=$1 tap=$2 a
	shift 2
	for a in "$@"; do
		on "$host" ip addr add "$a" dev "$tap" nodad 2>/dev/null || on "$host" ip addr add "$a" dev "$tap" || return 1
	done
}

# pings HOST ARGS...: a bounded ping from HOST.
pings() {
	local host=$1
	shift
	on "$host" ping -q -W 2 "$@" >"$TMP/ping.out" 2>&1 || {
		diag "$TMP/ping.out"
		return 1
	}
}

# transfer FROM TO_HOST DEST BYTES NAME [SECONDS]: sends BYTES over TCP from
# host FROM to a server on TO_HOST at DEST ([v6]:port or v4:port), each side
# bounded by SECONDS (90), and reports whether the SHA-256 of what was sent
# and of what arrived match.
transfer() {
	local from=$1 to=$2 dest=$3 bytes=$4 name=$5 limit=${6:-90} sent got srv
	local xfer=("$PY" "$ROOT/tests/tools/tcpxfer.py")
	on "$to" timeout "$limit" "${xfer[@]}" serve "$dest" >"$TMP/got" 2>&1 &
	srv=$!
	sleep 0.5
	sent=$(on "$from" timeout "$limit" "${xfer[@]}" send "$dest" "$bytes" $RANDOM 2>&1)
	wait "$srv"
	got=$(cat "$TMP/got")
	if [ -n "$sent" ] && [ "$sent" = "$got" ]; then
		ok "$name: $bytes bytes arrive intact"
	else
		not_ok "$name: sent '$sent', received '$got'"
	fi
}

# no_taps HOST: no tun/tap device is left in HOST.
no_taps() {
	[ -z "$(ip -n "$(ns "$1")" -o link show type tun 2>/dev/null)" ]
}

gone() {
	! kill -0 "$1" 2>/dev/null
}

key_copy() {
	install -m 0600 "$VECTORS/preshared.key" "$TMP/$1"
}

peer_tool() {
	local host=$1
	shift
	on "$host" "$PY" "$PEER_TOOL" "$@"
}

require_root() {
	if [ "$(id -u)" != 0 ]; then
		not_ok "integration tests need root (network namespaces)"
		done_testing
	fi
}
