#!/bin/bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2034 # RELAY_V4, RELAY_V6: for the scripts that source this
# relay_lib.sh - peers A and B joined only through the impairing relay
# (tests/tools/impair.c) in a middle namespace M. Source it after lib.sh.
#
#   a: eth0 198.18.1.1/24 2001:db8:1::1/64 --- m: ea 198.18.1.254/24 2001:db8:1::fe/64
#   b: eth0 198.18.2.1/24 2001:db8:2::1/64 --- m: eb 198.18.2.254/24 2001:db8:2::fe/64
#
# M does not forward (IP forwarding stays off in a new namespace) and A and
# B have no route to each other: whatever passes from A to B went through
# the relay. The relay listens on 198.18.1.254:7000 (side A) and
# 198.18.2.254:7001 (side B), or the IPv6 addresses on the same ports.
#
#   relay_topology                      builds the three namespaces
#   start_relay NAME ARGS...            runs impair ARGS in M (log $TMP/NAME.log)
#   relay_ready NAME                    waits until relay NAME has bound its sockets
#   stop_relay NAME                     SIGTERM; its exit status (1 if it had to be killed)
#   relay_final NAME KEY                KEY from the last statistics line (e.g. ab_forwarded)
#   relay_workers NAME_A NAME_B KEY [OPTIONS...]
#                                       a worker in A and one in B, each with the relay
#                                       as its peer (IPv4), taps 198.19.0.1/24 and .2/24
# The live statistics of a running relay: lib.sh's `counter NAME KEY`.
# Address sets for start_relay (LISTEN_A PEER_A LISTEN_B PEER_B), peers on
# port 9123 as relay_workers starts them: RELAY_V4, RELAY_V6.

IMPAIR=$BUILD/tests/impair
PA4=198.18.1.1
PB4=198.18.2.1
MA4=198.18.1.254
MB4=198.18.2.254
PA6=2001:db8:1::1
PB6=2001:db8:2::1
MA6=2001:db8:1::fe
MB6=2001:db8:2::fe
RELAY_V4=("$MA4:7000" "$PA4:9123" "$MB4:7001" "$PB4:9123")
RELAY_V6=("[$MA6]:7000" "[$PA6]:9123" "[$MB6]:7001" "[$PB6]:9123")

# relay_link HOST IFNAME ADDR4 ADDR6 M_IFNAME M_ADDR4 M_ADDR6 (prefixes /24, /64)
relay_link() {
	local host=$1
	ip link add "$2" netns "$(ns "$host")" type veth peer name "$5" netns "$(ns m)" || return 1
	ip -n "$(ns "$host")" addr add "$3/24" dev "$2" &&
		ip -n "$(ns "$host")" addr add "$4/64" dev "$2" nodad &&
		ip -n "$(ns m)" addr add "$6/24" dev "$5" &&
		ip -n "$(ns m)" addr add "$7/64" dev "$5" nodad &&
		ip -n "$(ns "$host")" link set "$2" up &&
		ip -n "$(ns m)" link set "$5" up
}

# relay_topology: namespaces a, m and b, linked as above.
relay_topology() {
	netns a && netns m && netns b || return 1
	relay_link a eth0 "$PA4" "$PA6" ea "$MA4" "$MA6" &&
		relay_link b eth0 "$PB4" "$PB6" eb "$MB4" "$MB6"
}

# relay_ready NAME: relay NAME printed its ready line (within 5 s).
relay_ready() {
	wait_for 5 grep -q '^impair: ready' "$TMP/$1.log" && return 0
	echo "# relay $1 did not start:"
	diag "$TMP/$1.log"
	return 1
}

# start_relay NAME ARGS...: the relay in M with ARGS; fails when it did not
# come up.
start_relay() {
	local name=$1
	shift
	start_bg "$name" m "$IMPAIR" "$@"
	relay_ready "$name"
}

# stop_relay NAME: SIGTERM, at most 3 s to exit; returns its exit status
# (1 when it had to be killed).
stop_relay() {
	local pid_var=PID_$1
	local pid=${!pid_var}
	kill -TERM "$pid" 2>/dev/null
	if ! wait_for 3 gone "$pid"; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		return 1
	fi
	wait "$pid" 2>/dev/null
}

# relay_final NAME KEY: KEY's value on relay NAME's last statistics line.
relay_final() {
	grep '^stats:' "$TMP/$1.log" | tail -n 1 | tr ' ' '\n' | sed -n "s/^$2=//p"
}

# relay_workers NAME_A NAME_B KEY [OPTIONS...]: worker NAME_A in A
# (198.18.1.1:9123, peer: the relay's side A) and worker NAME_B in B
# (198.18.2.1:9123, peer: the relay's side B), with OPTIONS; taps get
# 198.19.0.1/24 and 198.19.0.2/24.
relay_workers() {
	local wa=$1 wb=$2 key=$3
	shift 3
	start_worker "$wa" a "$@" "$key" "$PA4:9123" "$MA4:7000" &&
		start_worker "$wb" b "$@" "$key" "$PB4:9123" "$MB4:7001" &&
		tap_address a "$(tap_of "$wa")" 198.19.0.1/24 &&
		tap_address b "$(tap_of "$wb")" 198.19.0.2/24
}
